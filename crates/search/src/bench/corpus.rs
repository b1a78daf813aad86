//! Deterministic generated documents and queries for the benchmark (never used by the index).

use super::vocab::{
    AMOUNTS, FILLERS, NOUNS, PLACES, TERMS, TITLE_FORMS, TRADITIONAL_QUERIES, VERBS,
};
use crate::types::{Doc, Query};

/// Kinds with their share (out of 100) of the documents.
const KINDS: &[(&str, u64)] = &[
    ("news", 30),
    ("notice", 15),
    ("policy", 10),
    ("measure", 5),
    ("job", 15),
    ("labour", 5),
    ("story", 8),
    ("qa", 7),
    ("idea", 3),
    ("profile", 2),
];

/// 2019-01-01T00:00:00Z; documents are spread over the seven years after it.
const EPOCH: i64 = 1_546_300_800;

/// Seven years in seconds.
const SPAN: u64 = 7 * 365 * 86_400;

/// splitmix64: small, fast and the same on every machine.
pub(super) struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub(super) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A word of `list`, the first ones more often (roughly Zipf-like).
    fn skewed<'a>(&mut self, list: &[&'a str]) -> &'a str {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let i = ((u * u) * list.len() as f64) as usize;
        list.get(i).or(list.first()).copied().unwrap_or_default()
    }
}

/// The `i`th generated document (the same for the same `i`).
pub(super) fn document(i: usize) -> Doc {
    let mut r = Rng::new(i as u64 ^ 0x5EED);
    let kind = pick_kind(&mut r);
    let title = title(&mut r);
    let target = 200 + r.below(601) as usize;
    let mut body = String::with_capacity(target * 3 + 64);
    while body.chars().count() < target {
        sentence(&mut r, &mut body);
    }
    Doc {
        id: format!("{kind}:{i:08}"),
        kind: kind.to_owned(),
        region_code: region(&mut r),
        title,
        body,
        published_at: EPOCH + r.below(SPAN) as i64,
        url: format!("/portal/{kind}/{i:08}"),
    }
}

/// A kind, by the shares in [`KINDS`].
fn pick_kind(r: &mut Rng) -> &'static str {
    let mut roll = r.below(100);
    for &(kind, share) in KINDS {
        if roll < share {
            return kind;
        }
        roll -= share;
    }
    "news"
}

/// A region code under 411002: a township (12 of them) or one of its villages (20 each).
fn region(r: &mut Rng) -> String {
    let township = 1 + r.below(12);
    let village = if r.below(10) == 0 { 0 } else { 1 + r.below(20) };
    format!("411002{township:03}{village:03}")
}

/// A title such as 关于返乡农民工创业补贴的通知.
fn title(r: &mut Rng) -> String {
    let (before, after) = TITLE_FORMS[r.below(TITLE_FORMS.len() as u64) as usize];
    let mut t = String::from(before);
    if r.below(3) == 0 {
        t.push_str(r.skewed(PLACES));
    }
    t.push_str(r.skewed(TERMS));
    t.push_str(r.skewed(NOUNS));
    t.push_str(after);
    t
}

/// Appends one sentence of 6–14 words to `body`.
fn sentence(r: &mut Rng, body: &mut String) {
    let n = 6 + r.below(9);
    for k in 0..n {
        let list = match r.below(10) {
            0 => TERMS,
            1 | 2 => VERBS,
            3 => FILLERS,
            4 => PLACES,
            5 => AMOUNTS,
            _ => NOUNS,
        };
        body.push_str(r.skewed(list));
        if k + 1 < n && r.below(4) == 0 {
            body.push('，');
        }
    }
    body.push('。');
}

/// The `i`th benchmark query: 1–3 words, one in ten Traditional, some filtered by kind or
/// region, 10 results.
pub(super) fn query(i: usize) -> Query {
    let mut r = Rng::new(i as u64 ^ 0xA5A5_5A5A);
    let text = if i % 10 == 9 {
        TRADITIONAL_QUERIES[r.below(TRADITIONAL_QUERIES.len() as u64) as usize].to_owned()
    } else {
        let n = 1 + r.below(3);
        let words: Vec<&str> = (0..n)
            .map(|_| match r.below(3) {
                0 => r.skewed(TERMS),
                1 => r.skewed(VERBS),
                _ => r.skewed(NOUNS),
            })
            .collect();
        words.join(" ")
    };
    let kinds = if i % 4 == 3 {
        vec![pick_kind(&mut r).to_owned()]
    } else {
        Vec::new()
    };
    let region_prefix = (i % 5 == 4).then(|| format!("411002{:03}", 1 + r.below(12)));
    Query {
        text,
        kinds,
        region_prefix,
        limit: 10,
        ..Query::default()
    }
}
