//! The search benchmark: builds an on-disk index of generated documents in a temporary
//! directory and times queries against it. Callable from the app (`bench search`) or
//! `cargo run --release -p chuangye-search --example bench`.

mod corpus;
mod vocab;

use std::time::Instant;

use serde::Serialize;

use crate::{Index, SearchError};

/// Documents generated and written per commit while building.
const BATCH: usize = 20_000;

/// Queries run before timing (page cache, lazy statics).
const WARM_UP: usize = 20;

/// What [`bench`] measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    /// Documents indexed.
    pub n_docs: usize,
    /// Queries timed.
    pub queries: usize,
    /// Seconds to generate and index the documents (commits included).
    pub build_secs: f64,
    /// Size of the index directory, bytes.
    pub index_bytes: u64,
    /// Median search time, milliseconds (query, 10 hits loaded, highlighted).
    pub p50_ms: f64,
    /// 95th percentile, milliseconds.
    pub p95_ms: f64,
    /// 99th percentile, milliseconds.
    pub p99_ms: f64,
    /// Slowest search, milliseconds.
    pub max_ms: f64,
    /// Mean number of matching documents per query.
    pub mean_total: f64,
    /// Queries answered by the any-word fallback.
    pub relaxed: usize,
    /// Queries with no hit at all.
    pub empty: usize,
}

/// Indexes `n_docs` generated documents on disk, then times `queries` searches of 1–3 words
/// (some Traditional, some filtered by kind or region), each returning 10 highlighted hits.
pub fn bench(n_docs: usize, queries: usize) -> Result<BenchReport, SearchError> {
    let dir = tempfile::tempdir()?;
    let index = Index::open(dir.path())?;
    let started = Instant::now();
    for first in (0..n_docs).step_by(BATCH) {
        let docs: Vec<_> = (first..(first + BATCH).min(n_docs))
            .map(corpus::document)
            .collect();
        index.upsert(&docs)?;
    }
    let build_secs = started.elapsed().as_secs_f64();
    for i in 0..WARM_UP {
        index.search(&corpus::query(queries + i))?;
    }
    let mut ms = Vec::with_capacity(queries);
    let (mut totals, mut relaxed, mut empty) = (0usize, 0, 0);
    for i in 0..queries {
        let q = corpus::query(i);
        let t = Instant::now();
        let r = index.search(&q)?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        totals += r.total;
        relaxed += usize::from(r.relaxed);
        empty += usize::from(r.hits.is_empty());
    }
    ms.sort_by(f64::total_cmp);
    Ok(BenchReport {
        n_docs,
        queries,
        build_secs,
        index_bytes: dir_bytes(dir.path())?,
        p50_ms: percentile(&ms, 50.0),
        p95_ms: percentile(&ms, 95.0),
        p99_ms: percentile(&ms, 99.0),
        max_ms: ms.last().copied().unwrap_or_default(),
        mean_total: totals as f64 / queries.max(1) as f64,
        relaxed,
        empty,
    })
}

/// The `p`th percentile of sorted values (nearest rank; 0 when empty).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Total size of the files directly in `dir`.
fn dir_bytes(dir: &std::path::Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        total += entry?.metadata()?.len();
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_documents_are_deterministic_and_realistic() {
        let d = corpus::document(7);
        assert_eq!(d, corpus::document(7));
        assert_ne!(d, corpus::document(8));
        let n = d.body.chars().count();
        assert!((200..=900).contains(&n), "{n}");
        assert!(d.region_code.starts_with("411002") && d.region_code.len() == 12);
    }

    #[test]
    fn a_small_bench_reports_ordered_percentiles() {
        let r = bench(300, 40).expect("bench");
        assert_eq!((r.n_docs, r.queries), (300, 40));
        assert!(r.p50_ms <= r.p95_ms && r.p95_ms <= r.p99_ms && r.p99_ms <= r.max_ms);
        assert!(r.index_bytes > 0 && r.mean_total > 0.0);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 95.0), 95.0);
        assert_eq!(percentile(&[], 95.0), 0.0);
    }
}
