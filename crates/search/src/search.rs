//! Searching: words → strict query, then the relaxed fallback; blank text → newest first;
//! hits loaded from the doc store and highlighted.

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query as TQuery;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument};

use crate::analyzer::query_words;
use crate::highlight::{snippet_html, title_html};
use crate::query::{all_words, any_word, everything, filtered, tokens};
use crate::schema::PUBLISHED_AT;
use crate::types::{Hit, Query, Results};
use crate::{Index, SearchError};

/// Largest page: a larger [`Query::limit`] is cut to this.
pub const MAX_LIMIT: usize = 100;

/// Deepest page start: with a larger [`Query::offset`] the page is empty (the total is still
/// counted).
pub const MAX_OFFSET: usize = 10_000;

/// Only this many characters of the query text are read.
const MAX_QUERY_CHARS: usize = 200;

/// Only this many words of the query are used.
const MAX_WORDS: usize = 16;

/// Matching documents, and the page of them as (score, address).
type Page = (usize, Vec<(f32, DocAddress)>);

impl Index {
    /// Searches. The text is plain words: folded to Simplified, cut by jieba, each word
    /// required in the title (counted 3×) or the body, whole or by all of its parts. If no
    /// document has every word and there are two tokens or more, any token will do and
    /// [`Results::relaxed`] is set. Blank text lists the filtered documents newest first.
    /// Ranked results tie-break newest first.
    pub fn search(&self, q: &Query) -> Result<Results, SearchError> {
        let searcher = self.reader.searcher();
        let text: String = q.text.chars().take(MAX_QUERY_CHARS).collect();
        let f = &self.fields;
        if text.trim().is_empty() {
            let (total, page) = newest(&searcher, &*filtered(f, everything(), q), q)?;
            return self.results(&searcher, total, page, &[], false);
        }
        let mut words = query_words(&text);
        words.truncate(MAX_WORDS);
        if words.is_empty() {
            return Ok(Results::default());
        }
        let tokens = tokens(&words);
        let (total, page) = ranked(&searcher, &*filtered(f, all_words(f, &words), q), q)?;
        if total > 0 || tokens.len() < 2 {
            return self.results(&searcher, total, page, &tokens, false);
        }
        let (total, page) = ranked(&searcher, &*filtered(f, any_word(f, &tokens), q), q)?;
        self.results(&searcher, total, page, &tokens, true)
    }

    /// Loads and highlights a page.
    fn results(
        &self,
        searcher: &Searcher,
        total: usize,
        page: Vec<(f32, DocAddress)>,
        tokens: &[String],
        relaxed: bool,
    ) -> Result<Results, SearchError> {
        let mut hits = Vec::with_capacity(page.len());
        for (score, address) in page {
            let doc = self
                .fields
                .stored(&searcher.doc::<TantivyDocument>(address)?);
            hits.push(Hit {
                title_html: title_html(&doc.title, tokens),
                snippet_html: snippet_html(&doc.body, tokens),
                id: doc.id,
                kind: doc.kind,
                region_code: doc.region_code,
                url: doc.url,
                published_at: doc.published_at,
                score,
            });
        }
        Ok(Results {
            total,
            hits,
            relaxed,
        })
    }
}

/// The page's (offset, limit), or `None` when only the total is wanted.
fn page(q: &Query) -> Option<(usize, usize)> {
    let limit = q.limit.min(MAX_LIMIT);
    (limit > 0 && q.offset <= MAX_OFFSET).then_some((q.offset, limit))
}

/// By score, ties newest first.
fn ranked(searcher: &Searcher, query: &dyn TQuery, q: &Query) -> Result<Page, SearchError> {
    let Some((offset, limit)) = page(q) else {
        return Ok((searcher.search(query, &Count)?, Vec::new()));
    };
    let date = (
        SortByStaticFastValue::<i64>::for_field(PUBLISHED_AT),
        Order::Desc,
    );
    let top = TopDocs::with_limit(limit)
        .and_offset(offset)
        .order_by((SortBySimilarityScore, date));
    let (total, docs) = searcher.search(query, &(Count, top))?;
    Ok((total, docs.into_iter().map(|((s, _), a)| (s, a)).collect()))
}

/// Newest first, score 0.
fn newest(searcher: &Searcher, query: &dyn TQuery, q: &Query) -> Result<Page, SearchError> {
    let Some((offset, limit)) = page(q) else {
        return Ok((searcher.search(query, &Count)?, Vec::new()));
    };
    let top = TopDocs::with_limit(limit)
        .and_offset(offset)
        .order_by_fast_field::<i64>(PUBLISHED_AT, Order::Desc);
    let (total, docs) = searcher.search(query, &(Count, top))?;
    Ok((total, docs.into_iter().map(|(_, a)| (0.0, a)).collect()))
}
