//! The public records the search index follows. Each source is one table of things citizens
//! can find (published content, answered questions, the job board's postings and supply,
//! business ideas);
//! the index asks every source what changed, which of some records are public now, and every
//! public record a page at a time. Adding a source is one variant and its three arms here.

use chuangye_search::Doc;

use super::{index::doc_of, repo};
use crate::Result;
use crate::board::{Kind as BoardKind, public as board};
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
    /// `job_posting` (kind `job`).
    Job,
    /// `labour_supply` (kind `labour`).
    Labour,
    /// `business_idea` (kind `idea`).
    Idea,
}

impl Source {
    pub const ALL: &[Source] = &[
        Source::Item,
        Source::Question,
        Source::Job,
        Source::Labour,
        Source::Idea,
    ];

    /// The source of a search document's kind.
    pub fn of_kind(kind: &str) -> Option<Source> {
        if let Some(k) = BoardKind::parse(kind) {
            return Some(Source::of_board(k));
        }
        match kind {
            "qa" => Some(Source::Question),
            k if super::model::KINDS.contains(&k) => Some(Source::Item),
            _ => None,
        }
    }

    /// The source of a job board or project library kind.
    pub fn of_board(kind: BoardKind) -> Source {
        match kind {
            BoardKind::Job => Source::Job,
            BoardKind::Labour => Source::Labour,
            BoardKind::Idea => Source::Idea,
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
            Source::Job | Source::Labour => {
                let table = if self == Source::Job {
                    "job_posting"
                } else {
                    "labour_supply"
                };
                ids_changed(
                    c,
                    table,
                    &["updated_at", "published_at", "expire_at"],
                    from,
                    to,
                )
                .await
            }
            Source::Idea => {
                ids_changed(
                    c,
                    "business_idea",
                    &["updated_at", "published_at"],
                    from,
                    to,
                )
                .await
            }
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
            Source::Job => board::public_docs(c, BoardKind::Job, ids, now).await,
            Source::Labour => board::public_docs(c, BoardKind::Labour, ids, now).await,
            Source::Idea => crate::idea::public::public_docs(c, ids, now).await,
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
            Source::Job => board::public_page(c, BoardKind::Job, after, now, limit).await,
            Source::Labour => board::public_page(c, BoardKind::Labour, after, now, limit).await,
            Source::Idea => crate::idea::public::public_page(c, after, now, limit).await,
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
