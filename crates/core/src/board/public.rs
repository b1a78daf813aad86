//! What citizens read of the job board: published, unexpired postings and supply of a region
//! and below, filtered and paged, newest first; one entry by its address (a withdrawn or
//! expired one answers with a notice, 410); the contact as the poster chose; suggested matches
//! between postings and supply; the documents the search index holds.

use chuangye_search::Doc;

use super::model::{self, Contact, Entry, Kind, state, visibility};
use super::repo::{self, Filters};
use crate::db::now;
use crate::{Core, Error, Result};

/// Entries per public list page.
pub const PAGE: i64 = 20;
/// Suggested matches on a public page.
pub const MATCHES: i64 = 8;

/// A record's public standing (any kind of the board or the project library).
pub enum Public<T> {
    Shown(Box<T>),
    /// Withdrawn (with its reason) or expired: the address answers 410 with this notice.
    Gone {
        title: String,
        reason: Option<String>,
        expired: bool,
    },
}

/// One posting or supply entry by its address.
pub async fn entry(core: &Core, kind: Kind, id: &str) -> Result<Public<Entry>> {
    let mut c = core.db.pool().acquire().await?;
    let e = repo::get(&mut c, kind, id).await?.ok_or(Error::NotFound)?;
    let t = now();
    if e.is_public(t) {
        return Ok(Public::Shown(Box::new(e)));
    }
    let title = title_of(&e);
    match e.state.as_str() {
        state::WITHDRAWN => Ok(Public::Gone {
            title,
            reason: e.withdraw_reason,
            expired: false,
        }),
        state::PUBLISHED if e.expire_at <= t => Ok(Public::Gone {
            title,
            reason: None,
            expired: true,
        }),
        _ => Err(Error::NotFound),
    }
}

/// A page of the public list of postings or supply with its filters, and how many there are.
pub async fn list(core: &Core, kind: Kind, f: &Filters, page: i64) -> Result<(Vec<Entry>, i64)> {
    let mut c = core.db.pool().acquire().await?;
    let t = now();
    let offset = (page.max(1) - 1) * PAGE;
    let rows = repo::public_page(&mut c, kind, f, t, offset, PAGE).await?;
    let total = repo::public_count(&mut c, kind, f, t).await?;
    Ok((rows, total))
}

/// The other side of an entry near it: supply for a posting, postings for supply.
pub async fn matches_of(core: &Core, e: &Entry, limit: i64) -> Result<Vec<Entry>> {
    let other = match e.kind() {
        Kind::Job => Kind::Labour,
        _ => Kind::Job,
    };
    let mut c = core.db.pool().acquire().await?;
    repo::matches(&mut c, other, &e.trade, &e.region_code, now(), limit).await
}

/// What the public may see of an entry's contact, as the poster chose.
pub async fn contact(core: &Core, e: &Entry) -> Result<Contact> {
    Ok(match e.contact_visibility.as_str() {
        visibility::PUBLIC => Contact::Public {
            name: e.contact_name.clone(),
            phone: core
                .crypto
                .cipher()
                .decrypt("phone", &e.contact_cipher)
                .map_err(|err| Error::Other(anyhow::anyhow!("contact of {}: {err}", e.id)))?,
        },
        visibility::MASKED => Contact::Masked {
            name: model::surname_only(&e.contact_name),
            phone: e.contact_masked.clone(),
        },
        _ => {
            let mut c = core.db.pool().acquire().await?;
            let (service_point, hotline) = repo::service_point(&mut c, &e.region_code).await?;
            Contact::Staff {
                service_point,
                hotline,
            }
        }
    })
}

/// The title of an entry in Simplified Chinese: a posting's position and employer, a supply's
/// trade and head count.
pub fn title_of(e: &Entry) -> String {
    match e.kind() {
        Kind::Job => e.title(),
        _ => format!(
            "{} {}人 · {}",
            model::trade_name_zh(&e.trade),
            e.head_count,
            e.region_name
        ),
    }
}

/// The document the public can find for a posting or supply entry (never its contact).
pub fn doc_of(e: &Entry) -> Doc {
    let kind = e.kind();
    let mut body = format!("{}\n", model::trade_name_zh(&e.trade));
    if let Some(emp) = &e.employer {
        body.push_str(emp);
        body.push('\n');
    }
    body.push_str(&e.body);
    Doc {
        id: e.id.clone(),
        kind: kind.as_str().to_string(),
        region_code: e.region_code.clone(),
        title: title_of(e),
        body,
        published_at: e.published_at.unwrap_or(e.updated_at),
        url: kind.url(&e.id),
    }
}

/// The documents of those of `ids` the public may see at `now`.
pub async fn public_docs(
    c: &mut sqlx::AnyConnection,
    kind: Kind,
    ids: &[String],
    now: i64,
) -> Result<Vec<Doc>> {
    Ok(repo::get_many(c, kind, ids)
        .await?
        .iter()
        .filter(|e| e.is_public(now))
        .map(doc_of)
        .collect())
}

/// A page of every public entry of a kind by id after `after`, and the last id read.
pub async fn public_page(
    c: &mut sqlx::AnyConnection,
    kind: Kind,
    after: &str,
    now: i64,
    limit: i64,
) -> Result<(Vec<Doc>, Option<String>)> {
    let page = repo::public_after(c, kind, after, now, limit).await?;
    let last = page.last().map(|e| e.id.clone());
    let docs = page
        .iter()
        .filter(|e| e.is_public(now))
        .map(doc_of)
        .collect();
    Ok((docs, last))
}

/// What is wrong with the region typed on a public form (missing, or not a region of the
/// site), at its field; `None` when it is one of the site's.
pub async fn region_error(core: &Core, typed: &str) -> Result<Option<crate::FieldError>> {
    let code = typed.trim();
    if code.is_empty() {
        return Ok(Some(crate::FieldError::new(
            "region_code",
            "board.region_missing",
        )));
    }
    let root = crate::org::service::root_region(core)
        .await?
        .unwrap_or_default();
    let mut c = core.db.pool().acquire().await?;
    let known = crate::org::level_of(code).is_some()
        && repo::region_name(&mut c, &root, code).await?.is_some();
    Ok((!known).then(|| crate::FieldError::new("region_code", "board.region_unknown")))
}
