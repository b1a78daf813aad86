//! The portal's public JSON API (no token): published items by kind and region, one item, and
//! search — the same rules as the pages (only what is published, due and unexpired; a withdrawn
//! or expired item answers 410).

use axum::Json;
use axum::extract::{Path, Query, State};
use chuangye_core::portal::Item;
use chuangye_core::portal::model::KINDS;
use chuangye_core::portal::public::{self, Public};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::api::Problem;
use crate::AppState;
use crate::error::{AppError, AppResult};

pub(crate) fn rfc3339(t: Option<i64>) -> Option<String> {
    Some(super::feeds::rfc3339(t?)).filter(|s| !s.is_empty())
}

/// A policy's particulars.
#[derive(Serialize, ToSchema)]
pub struct PolicyDto {
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub effective_on: Option<String>,
    pub expires_on: Option<String>,
    /// `in_force` | `amended` | `repealed`.
    pub status: Option<String>,
    /// The id of the policy that replaced it.
    pub replaced_by: Option<String>,
}

/// A published item.
#[derive(Serialize, ToSchema)]
pub struct PortalItemDto {
    pub id: String,
    /// `policy` | `measure` | `news` | `story` | `notice` | `profile`.
    pub kind: String,
    pub region_code: String,
    pub region_name: String,
    pub title: String,
    pub summary: String,
    /// Cleaned HTML (allow-listed tags only); absent in lists.
    pub body_html: Option<String>,
    /// RFC 3339.
    pub published_at: Option<String>,
    pub url: String,
    pub policy: Option<PolicyDto>,
}

fn dto(i: Item, with_body: bool) -> PortalItemDto {
    let policy = (i.kind == "policy").then(|| PolicyDto {
        doc_number: i.doc_number.clone(),
        issuer: i.issuer.clone(),
        effective_on: i.effective_on.clone(),
        expires_on: i.expires_on.clone(),
        status: i.policy_status.clone(),
        replaced_by: i.replaced_by.clone(),
    });
    PortalItemDto {
        url: format!("/portal/{}/{}", i.kind, i.id),
        published_at: rfc3339(i.published_at),
        body_html: with_body.then_some(i.body),
        id: i.id,
        kind: i.kind,
        region_code: i.region_code,
        region_name: i.region_name,
        title: i.title,
        summary: i.summary,
        policy,
    }
}

#[derive(Serialize, ToSchema)]
pub struct PortalPageDto {
    pub total: i64,
    pub page: i64,
    pub items: Vec<PortalItemDto>,
}

#[derive(Deserialize, IntoParams)]
pub struct PortalListQuery {
    /// A content kind (default: every kind).
    pub kind: Option<String>,
    /// 12-digit region code: its own items and every level below (default: the whole site).
    pub region: Option<String>,
    /// 1-based page of 20.
    pub page: Option<i64>,
}

/// A region of the site (the root when none is asked), else 404 — as the pages answer.
pub(crate) async fn site_region(st: &AppState, region: Option<&str>) -> AppResult<String> {
    Ok(super::portal::asked_region(st, region.unwrap_or(""))
        .await?
        .0)
}

#[utoipa::path(get, path = "/api/v1/portal/items", params(PortalListQuery),
    responses((status = 200, body = PortalPageDto), (status = 404, body = Problem)))]
pub async fn items(
    State(st): State<AppState>,
    Query(q): Query<PortalListQuery>,
) -> AppResult<Json<PortalPageDto>> {
    let kind = q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty());
    if kind.is_some_and(|k| !KINDS.contains(&k)) {
        return Err(AppError::NotFound);
    }
    let region = site_region(&st, q.region.as_deref()).await?;
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let (rows, total) = public::list(&st.core, &region, kind, page).await?;
    Ok(Json(PortalPageDto {
        total,
        page,
        items: rows.into_iter().map(|i| dto(i, false)).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/portal/items/{id}",
    responses((status = 200, body = PortalItemDto), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn item(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<PortalItemDto>> {
    match public::item(&st.core, &id).await? {
        Public::Shown(i) => Ok(Json(dto(*i, true))),
        Public::Gone { .. } => Err(AppError::Gone),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct PortalSearchQuery {
    /// Words, in Simplified or Traditional characters.
    pub q: String,
    pub kind: Option<String>,
    pub region: Option<String>,
    pub page: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct PortalHitDto {
    pub id: String,
    pub kind: String,
    pub url: String,
    /// Escaped title with matched words in `<mark>`.
    pub title_html: String,
    /// Escaped excerpt of about 120 characters with matched words in `<mark>`.
    pub snippet_html: String,
    pub published_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PortalSearchDto {
    pub total: usize,
    /// True when nothing had every word and these hits have some of them.
    pub relaxed: bool,
    pub hits: Vec<PortalHitDto>,
}

#[utoipa::path(get, path = "/api/v1/portal/search", params(PortalSearchQuery),
    responses((status = 200, body = PortalSearchDto), (status = 404, body = Problem)))]
pub async fn search(
    State(st): State<AppState>,
    Query(q): Query<PortalSearchQuery>,
) -> AppResult<Json<PortalSearchDto>> {
    let region = site_region(&st, q.region.as_deref()).await?;
    let kind = q
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| super::portal::SEARCH_KINDS.contains(k));
    let page = q.page.unwrap_or(1).clamp(1, 500);
    let query = chuangye_core::portal::search::Query {
        text: q.q.chars().take(100).collect(),
        kinds: kind.map(|k| vec![k.to_string()]).unwrap_or_default(),
        region_prefix: Some(region),
        from: None,
        to: None,
        offset: (page - 1) * 10,
        limit: 10,
    };
    let r = public::search(&st.core, &query).await?;
    Ok(Json(PortalSearchDto {
        total: r.total,
        relaxed: r.relaxed,
        hits: r
            .hits
            .into_iter()
            .map(|h| PortalHitDto {
                published_at: rfc3339(Some(h.published_at)),
                id: h.id,
                kind: h.kind,
                url: h.url,
                title_html: h.title_html,
                snippet_html: h.snippet_html,
            })
            .collect(),
    }))
}
