//! The public records the search index follows. Each source is one table of things citizens
//! can find (published content; later the job board, business ideas and answered questions);
//! the index asks every source what changed, which of some records are public now, and every
//! public record a page at a time. Adding a source is one variant and its three arms here.

use chuangye_search::Doc;

use super::{index::doc_of, repo};
use crate::Result;
use crate::consultation::public::doc_of as question_doc;
use crate::consultation::repo as question;

type Exec<'a> = &'a mut sqlx::AnyConnection;

/// Where searchable records live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// `portal_item`: policies, measures, news, stories, notices, profiles.
    Item,
    /// `consultation`: answered questions published on the Q&A page (kind `qa`).
    Question,
}

impl Source {
    pub const ALL: &[Source] = &[Source::Item, Source::Question];

    /// The source of a search document's kind.
    pub fn of_kind(kind: &str) -> Option<Source> {
        match kind {
            "qa" => Some(Source::Question),
            k if super::model::KINDS.contains(&k) => Some(Source::Item),
            _ => None,
        }
    }

    /// Records whose public standing may have changed in `(from, to]`.
    pub async fn changed(self, c: Exec<'_>, from: i64, to: i64) -> Result<Vec<String>> {
        match self {
            Source::Item => {
                ids_changed(
                    c,
                    "portal_item",
                    &["updated_at", "published_at", "expire_at"],
                    from,
                    to,
                )
                .await
            }
            Source::Question => ids_changed(c, "consultation", &["updated_at"], from, to).await,
        }
    }

    /// The documents of those of `ids` the public may see at `now` (the others are left out).
    pub async fn public_docs(self, c: Exec<'_>, ids: &[String], now: i64) -> Result<Vec<Doc>> {
        match self {
            Source::Item => Ok(repo::get_many(c, ids)
                .await?
                .iter()
                .filter(|i| i.is_public(now))
                .map(doc_of)
                .collect()),
            Source::Question => Ok(question::get_many(c, ids)
                .await?
                .iter()
                .filter(|q| q.is_public())
                .map(question_doc)
                .collect()),
        }
    }

    /// A page of every public record by id after `after` (for a full rebuild), and the last
    /// id read (`None` at the end).
    pub async fn public_page(
        self,
        c: Exec<'_>,
        after: &str,
        now: i64,
        limit: i64,
    ) -> Result<(Vec<Doc>, Option<String>)> {
        match self {
            Source::Item => {
                let page = repo::public_after(c, after, now, limit).await?;
                let last = page.last().map(|i| i.id.clone());
                let docs = page
                    .iter()
                    .filter(|i| i.is_public(now))
                    .map(doc_of)
                    .collect();
                Ok((docs, last))
            }
            Source::Question => {
                let page = question::public_after(c, after, limit).await?;
                let last = page.last().map(|q| q.id.clone());
                Ok((page.iter().map(question_doc).collect(), last))
            }
        }
    }
}

/// The ids of a table's rows with any of `columns` (unix seconds, each indexed) in `(from, to]`.
pub async fn ids_changed(
    c: Exec<'_>,
    table: &str,
    columns: &[&str],
    from: i64,
    to: i64,
) -> Result<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    for column in columns {
        let sql = format!("SELECT id FROM {table} WHERE {column} > $1 AND {column} <= $2");
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .fetch_all(&mut *c)
            .await?;
        ids.extend(rows);
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}
