//! `cargo run --release -p chuangye-search --example bench -- [N_DOCS] [QUERIES]`: builds an
//! index of generated documents and prints the search latencies.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n_docs = args.next().map_or(Ok(200_000), |a| a.parse())?;
    let queries = args.next().map_or(Ok(1_000), |a| a.parse())?;
    let r = chuangye_search::bench::bench(n_docs, queries)?;
    println!(
        "{} docs indexed in {:.1} s ({:.0} MB); {} queries: p50 {:.2} ms, p95 {:.2} ms, \
         p99 {:.2} ms, max {:.2} ms; mean total {:.0}, relaxed {}, empty {}",
        r.n_docs,
        r.build_secs,
        r.index_bytes as f64 / 1e6,
        r.queries,
        r.p50_ms,
        r.p95_ms,
        r.p99_ms,
        r.max_ms,
        r.mean_total,
        r.relaxed,
        r.empty
    );
    Ok(())
}
