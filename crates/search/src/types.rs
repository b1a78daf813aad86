//! The values that cross the crate's boundary: documents in, queries in, results out.

use serde::{Deserialize, Serialize};

/// A published item to index. The caller builds it from its own tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    /// Unique key, e.g. `"policy:0190f..."`; [`crate::Index::upsert`] replaces by id.
    pub id: String,
    /// `"policy" | "measure" | "profile" | "news" | "story" | "notice" | "job" | "labour" |
    /// "idea" | "qa"`.
    pub kind: String,
    /// 12-digit code of the publishing region, e.g. `"411002001001"`.
    pub region_code: String,
    /// Title, plain text.
    pub title: String,
    /// Body, plain text (the caller strips HTML).
    pub body: String,
    /// Publication time, unix seconds.
    pub published_at: i64,
    /// Path shown on the result, e.g. `"/portal/news/0190f..."`.
    pub url: String,
}

/// A search: words, filters and a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    /// The user's words, plain text (no query syntax; the first 200 characters and 16 words
    /// are used). Blank: list by newest first.
    pub text: String,
    /// Kinds to keep (any of them); empty keeps all.
    pub kinds: Vec<String>,
    /// Region subtree: `Some("411002001")` keeps documents whose code starts with it. A
    /// zero-padded code (`"411002000000"`) means its significant prefix (`"411002"`).
    pub region_prefix: Option<String>,
    /// Published at or after (unix seconds, inclusive).
    pub from: Option<i64>,
    /// Published at or before (unix seconds, inclusive).
    pub to: Option<i64>,
    /// Hits to skip (at most [`crate::MAX_OFFSET`]; beyond it the page is empty).
    pub offset: usize,
    /// Hits to return (at most [`crate::MAX_LIMIT`]; 0 only counts).
    pub limit: usize,
}

impl Default for Query {
    /// No words, no filters, first page of 10.
    fn default() -> Self {
        Query {
            text: String::new(),
            kinds: Vec::new(),
            region_prefix: None,
            from: None,
            to: None,
            offset: 0,
            limit: 10,
        }
    }
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The document's id.
    pub id: String,
    /// The document's kind.
    pub kind: String,
    /// The document's region code.
    pub region_code: String,
    /// The document's url.
    pub url: String,
    /// The document's publication time (unix seconds).
    pub published_at: i64,
    /// The title, HTML-escaped, matched words in `<mark>…</mark>`.
    pub title_html: String,
    /// About 120 characters of the body around the best matches, HTML-escaped, matched words
    /// in `<mark>…</mark>`, `…` where cut.
    pub snippet_html: String,
    /// Relevance (BM25; 0 when listing by date).
    pub score: f32,
}

/// A page of results.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// All matching documents (not just this page).
    pub total: usize,
    /// This page.
    pub hits: Vec<Hit>,
    /// True when no document had all the words and these match any of them.
    pub relaxed: bool,
}
