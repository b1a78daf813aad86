//! What citizens read of the project library: published ideas of a region and below, by
//! category and words, newest first; one idea by its address (withdrawn: a notice, 410); the
//! documents the search index holds.

use chuangye_search::Doc;

use super::model::Idea;
use super::repo::{self, Filters};
use crate::board::Kind;
use crate::board::model::state;
use crate::board::public::Public;
use crate::db::now;
use crate::portal::model::plain_text;
use crate::{Core, Error, Result};

pub const PAGE: i64 = 20;

pub async fn idea(core: &Core, id: &str) -> Result<Public<Idea>> {
    let mut c = core.db.pool().acquire().await?;
    let i = repo::get(&mut c, id).await?.ok_or(Error::NotFound)?;
    if i.is_public(now()) {
        return Ok(Public::Shown(Box::new(i)));
    }
    match i.state.as_str() {
        state::WITHDRAWN => Ok(Public::Gone {
            title: i.title,
            reason: i.withdraw_reason,
            expired: false,
        }),
        _ => Err(Error::NotFound),
    }
}

pub async fn list(core: &Core, f: &Filters, page: i64) -> Result<(Vec<Idea>, i64)> {
    let mut c = core.db.pool().acquire().await?;
    let t = now();
    let offset = (page.max(1) - 1) * PAGE;
    let rows = repo::public_page(&mut c, f, t, offset, PAGE).await?;
    let total = repo::public_count(&mut c, f, t).await?;
    Ok((rows, total))
}

/// The document the public can find for an idea (never its sender's contact).
pub fn doc_of(i: &Idea) -> Doc {
    Doc {
        id: i.id.clone(),
        kind: Kind::Idea.as_str().to_string(),
        region_code: i.region_code.clone(),
        title: i.title.clone(),
        body: plain_text(&i.description),
        published_at: i.published_at.unwrap_or(i.updated_at),
        url: Kind::Idea.url(&i.id),
    }
}

pub async fn public_docs(
    c: &mut sqlx::AnyConnection,
    ids: &[String],
    now: i64,
) -> Result<Vec<Doc>> {
    Ok(repo::get_many(c, ids)
        .await?
        .iter()
        .filter(|i| i.is_public(now))
        .map(doc_of)
        .collect())
}

pub async fn public_page(
    c: &mut sqlx::AnyConnection,
    after: &str,
    now: i64,
    limit: i64,
) -> Result<(Vec<Doc>, Option<String>)> {
    let page = repo::public_after(c, after, now, limit).await?;
    let last = page.last().map(|i| i.id.clone());
    Ok((page.iter().map(doc_of).collect(), last))
}
