//! Building tantivy queries from a [`Query`]: the words (all required, or any for the relaxed
//! run) over title and body, and the filters. Nothing here parses query syntax.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, Query as TQuery,
    RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::analyzer::Word;
use crate::region::{RegionFilter, region_filter};
use crate::schema::Fields;
use crate::types::Query;

/// How much more a word in the title counts than one in the body.
const TITLE_BOOST: f32 = 3.0;

/// Every word required in title or body: whole, or by all of its parts (a document with the
/// whole word has its parts too, so requiring the parts is enough and the whole only scores).
/// A word in the title scores more.
pub(crate) fn all_words(f: &Fields, words: &[Word]) -> Box<dyn TQuery> {
    let mut clauses = Vec::new();
    for w in words {
        if w.parts.is_empty() {
            clauses.push((Occur::Must, term(f.text, &w.whole)));
        } else {
            let parts = w.parts.iter().map(|p| term(f.text, p)).collect();
            clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::intersection(parts)) as _,
            ));
            clauses.push((Occur::Should, term(f.text, &w.whole)));
        }
        clauses.push((Occur::Should, title(f, &w.whole)));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Any token (whole words and parts) suffices; more matches score higher.
pub(crate) fn any_word(f: &Fields, tokens: &[String]) -> Box<dyn TQuery> {
    let clauses = tokens
        .iter()
        .flat_map(|t| [term(f.text, t), title(f, t)])
        .map(|q| (Occur::Should, q))
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// Every distinct token of the words: wholes and parts.
pub(crate) fn tokens(words: &[Word]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in words
        .iter()
        .flat_map(|w| std::iter::once(&w.whole).chain(&w.parts))
    {
        if !out.contains(t) {
            out.push(t.clone());
        }
    }
    out
}

/// One token in one field.
fn term(field: Field, token: &str) -> Box<dyn TQuery> {
    let t = Term::from_field_text(field, token);
    Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs))
}

/// One token in the title, boosted.
fn title(f: &Fields, token: &str) -> Box<dyn TQuery> {
    Box::new(BoostQuery::new(term(f.title, token), TITLE_BOOST))
}

/// `main` restricted by the query's filters (which do not change scores).
pub(crate) fn filtered(f: &Fields, main: Box<dyn TQuery>, q: &Query) -> Box<dyn TQuery> {
    let filters: Vec<Box<dyn TQuery>> = [kinds(f, q), region(f, q), dates(f, q)]
        .into_iter()
        .flatten()
        .collect();
    if filters.is_empty() {
        return main;
    }
    let mut clauses = vec![(Occur::Must, main)];
    for filter in filters {
        let unscored: Box<dyn TQuery> = Box::new(ConstScoreQuery::new(filter, 0.0));
        clauses.push((Occur::Must, unscored));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Every document (for listing by date).
pub(crate) fn everything() -> Box<dyn TQuery> {
    Box::new(AllQuery)
}

/// Any of the kinds.
fn kinds(f: &Fields, q: &Query) -> Option<Box<dyn TQuery>> {
    if q.kinds.is_empty() {
        return None;
    }
    let terms = q
        .kinds
        .iter()
        .map(|k| Term::from_field_text(f.kind, k.trim()));
    Some(Box::new(TermSetQuery::new(terms)))
}

/// The region subtree (see [`crate::region`]).
fn region(f: &Fields, q: &Query) -> Option<Box<dyn TQuery>> {
    match region_filter(q.region_prefix.as_deref().unwrap_or_default()) {
        RegionFilter::All => None,
        RegionFilter::Nothing => Some(Box::new(EmptyQuery)),
        RegionFilter::Level(p) => Some(Box::new(TermQuery::new(
            Term::from_field_text(f.region, &p),
            IndexRecordOption::Basic,
        ))),
        RegionFilter::Digits(p) => {
            // Codes are digits, and ':' sorts right after '9'.
            let lo = Term::from_field_text(f.region_code, &p);
            let hi = Term::from_field_text(f.region_code, &format!("{p}:"));
            Some(Box::new(RangeQuery::new(
                Bound::Included(lo),
                Bound::Excluded(hi),
            )))
        }
    }
}

/// The publication time range, inclusive at both ends.
fn dates(f: &Fields, q: &Query) -> Option<Box<dyn TQuery>> {
    if q.from.is_none() && q.to.is_none() {
        return None;
    }
    let bound = |v: Option<i64>| match v {
        Some(v) => Bound::Included(Term::from_field_i64(f.published_at, v)),
        None => Bound::Unbounded,
    };
    Some(Box::new(RangeQuery::new(bound(q.from), bound(q.to))))
}
