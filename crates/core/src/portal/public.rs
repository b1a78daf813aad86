//! What citizens read: published items of a region and every region below it, newest first;
//! one item by its address (a withdrawn or expired one answers with a notice, 410); Chinese
//! full-text search whose hits are checked against the database before they are shown.

use chuangye_search::{Query, Results};

use super::model::{Item, state};
use super::repo;
use crate::db::now;
use crate::org::RegionScope;
use crate::{Core, Error, Result};

/// Items per public list page.
pub const PAGE: i64 = 20;

/// An item's public standing.
pub enum Public {
    Shown(Box<Item>),
    /// Withdrawn (with its reason) or expired: the address answers 410 with this notice.
    Gone {
        title: String,
        reason: Option<String>,
        expired: bool,
    },
}

/// One item by its address.
pub async fn item(core: &Core, id: &str) -> Result<Public> {
    let mut c = core.db.pool().acquire().await?;
    let item = repo::get(&mut c, id).await?.ok_or(Error::NotFound)?;
    let t = now();
    if item.is_public(t) {
        return Ok(Public::Shown(Box::new(item)));
    }
    match item.state.as_str() {
        state::WITHDRAWN => Ok(Public::Gone {
            title: item.title,
            reason: item.withdraw_reason,
            expired: false,
        }),
        state::PUBLISHED if item.expire_at.is_some_and(|e| e <= t) => Ok(Public::Gone {
            title: item.title,
            reason: None,
            expired: true,
        }),
        _ => Err(Error::NotFound),
    }
}

/// A page of a region's list (its own items and every level below), one kind or all.
pub async fn list(
    core: &Core,
    region: &str,
    kind: Option<&str>,
    page: i64,
) -> Result<(Vec<Item>, i64)> {
    let scope = RegionScope::of(region);
    let mut c = core.db.pool().acquire().await?;
    let t = now();
    let offset = (page.max(1) - 1) * PAGE;
    let rows = repo::public_page(&mut c, &scope, kind, t, offset, PAGE).await?;
    let total = repo::public_count(&mut c, &scope, kind, t).await?;
    Ok((rows, total))
}

/// The newest few of each kind for a region's front page.
pub async fn latest(core: &Core, region: &str, per_kind: i64) -> Result<Vec<(String, Vec<Item>)>> {
    let scope = RegionScope::of(region);
    let mut c = core.db.pool().acquire().await?;
    let t = now();
    let mut out = Vec::new();
    for kind in super::model::KINDS.iter().filter(|k| **k != "profile") {
        let rows = repo::public_page(&mut c, &scope, Some(kind), t, 0, per_kind).await?;
        out.push((kind.to_string(), rows));
    }
    Ok(out)
}

/// A community's profile, when published.
pub async fn profile(core: &Core, region: &str) -> Result<Option<Item>> {
    let mut c = core.db.pool().acquire().await?;
    Ok(repo::profile_of(&mut c, region)
        .await?
        .filter(|p| p.is_public(now())))
}

/// The business a success story names, only if it consents.
pub async fn story_business(core: &Core, item: &Item) -> Result<Option<String>> {
    let Some(b) = &item.business_id else {
        return Ok(None);
    };
    let mut c = core.db.pool().acquire().await?;
    repo::consenting_business(&mut c, b).await
}

/// Searches the published items; hits the database no longer shows (withdrawn, expired, not
/// yet due) are dropped, so the index can never show more than the lists do.
pub async fn search(core: &Core, q: &Query) -> Result<Results> {
    let index = core.search.get()?;
    let q = q.clone();
    let mut results = tokio::task::spawn_blocking(move || index.search(&q))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(|e| Error::Other(anyhow::anyhow!("search: {e}")))?;
    let mut c = core.db.pool().acquire().await?;
    let t = now();
    let mut public = std::collections::HashSet::new();
    for &source in super::Source::ALL {
        let ids: Vec<String> = results
            .hits
            .iter()
            .filter(|h| super::Source::of_kind(&h.kind) == Some(source))
            .map(|h| h.id.clone())
            .collect();
        if !ids.is_empty() {
            let docs = source.public_docs(&mut c, &ids, t).await?;
            public.extend(docs.into_iter().map(|d| d.id));
        }
    }
    let before = results.hits.len();
    results.hits.retain(|h| public.contains(&h.id));
    results.total = results.total.saturating_sub(before - results.hits.len());
    Ok(results)
}

/// Every public item's (id, kind, last change), at most `limit`, for the sitemap.
pub async fn addresses(core: &Core, limit: i64) -> Result<Vec<(String, String, i64)>> {
    let mut c = core.db.pool().acquire().await?;
    repo::public_addresses(&mut c, now(), limit).await
}

/// A page of every public record of one search source by id after `after` (the sitemap's
/// job board, ideas and answers), and the last id read (`None` at the end).
pub async fn documents(
    core: &Core,
    source: super::Source,
    after: &str,
    limit: i64,
) -> Result<(Vec<chuangye_search::Doc>, Option<String>)> {
    let mut c = core.db.pool().acquire().await?;
    source.public_page(&mut c, after, now(), limit).await
}

/// The codes of the regions in force under `root` (itself included), at most `limit`: the
/// region pages of the sitemap.
pub async fn region_codes(core: &Core, root: &str, limit: i64) -> Result<Vec<String>> {
    let scope = RegionScope::of(root);
    let mut c = core.db.pool().acquire().await?;
    Ok(sqlx::query_scalar(
        "SELECT code FROM region WHERE code BETWEEN $1 AND $2 AND valid_to IS NULL ORDER BY code LIMIT $3",
    )
    .bind(scope.lo)
    .bind(scope.hi)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?)
}

/// The files attached to a public item, oldest first.
pub async fn attachments(core: &Core, item: &Item) -> Result<Vec<crate::files::FileMeta>> {
    let system = crate::org::Actor::system(&item.region_code, "portal");
    crate::files::list_for(core, &system, "portal_item", &item.id).await
}

/// A file attached to an item the public may read now, with where its content is.
pub async fn attachment(
    core: &Core,
    file_id: &str,
) -> Result<(crate::files::FileMeta, std::path::PathBuf)> {
    let root = crate::org::service::root_region(core)
        .await?
        .ok_or(Error::NotFound)?;
    let (meta, path) =
        crate::files::get(core, &crate::org::Actor::system(&root, "portal"), file_id).await?;
    if meta.owner_entity != "portal_item" {
        return Err(Error::NotFound);
    }
    match item(core, &meta.owner_id).await? {
        Public::Shown(_) => Ok((meta, path)),
        Public::Gone { .. } => Err(Error::NotFound),
    }
}
