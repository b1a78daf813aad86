//! The job board's and project library's public JSON API (no token): job postings, labour
//! supply and business ideas with the pages' filters, one record with its contact as the poster
//! chose — the same rules as the pages (only what is published and unexpired; a withdrawn or
//! expired record answers 410). Its own OpenAPI part, merged into the document by `api::openapi`.

use axum::Json;
use axum::extract::{Path, Query, State};
use chuangye_core::FieldError;
use chuangye_core::board::model::{Contact, Entry, Kind, TRADES, parse_count};
use chuangye_core::board::public::{self, Public};
use chuangye_core::board::repo::Filters;
use chuangye_core::idea::model::{CATEGORIES, Idea};
use chuangye_core::idea::public as idea_public;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::api::Problem;
use crate::AppState;
use crate::error::{AppError, AppResult};

#[derive(OpenApi)]
#[openapi(
    paths(jobs, job, labour_list, labour, ideas, idea),
    components(schemas(EntryDto, ContactDto, EntryPageDto, IdeaDto, IdeaPageDto))
)]
pub struct BoardApi;

fn rfc3339(t: Option<i64>) -> Option<String> {
    Some(super::feeds::rfc3339(t?)).filter(|s| !s.is_empty())
}

/// A contact as the poster chose to show it.
#[derive(Serialize, ToSchema)]
pub struct ContactDto {
    /// `public` (name and number), `masked` (surname and masked number) or `staff` (neither:
    /// ask the service point).
    pub visibility: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// The service point to ask, with its hotline, for `staff`.
    pub service_point: Option<String>,
    pub hotline: Option<String>,
}

/// A published job posting or labour supply entry.
#[derive(Serialize, ToSchema)]
pub struct EntryDto {
    pub id: String,
    /// `job` | `labour`.
    pub kind: String,
    pub region_code: String,
    pub region_name: String,
    /// Postings only.
    pub employer: Option<String>,
    pub position: Option<String>,
    /// A trade code (`electrician`, `care`, …).
    pub trade: String,
    pub head_count: i64,
    /// Yuan per month; postings only.
    pub pay_min: Option<i64>,
    pub pay_max: Option<i64>,
    /// A posting's requirements or the supply's description (plain text).
    pub text: String,
    /// `YYYY-MM-DD`: the last day it is shown.
    pub valid_until: String,
    pub published_at: Option<String>,
    pub url: String,
    /// Only on a single record.
    pub contact: Option<ContactDto>,
}

fn entry_dto(e: Entry, contact: Option<Contact>) -> EntryDto {
    let contact = contact.map(|c| match c {
        Contact::Public { name, phone } => ContactDto {
            visibility: "public".into(),
            name: Some(name),
            phone: Some(phone),
            service_point: None,
            hotline: None,
        },
        Contact::Masked { name, phone } => ContactDto {
            visibility: "masked".into(),
            name: Some(name),
            phone: Some(phone),
            service_point: None,
            hotline: None,
        },
        Contact::Staff {
            service_point,
            hotline,
        } => ContactDto {
            visibility: "staff".into(),
            name: None,
            phone: None,
            service_point: Some(service_point),
            hotline,
        },
    });
    EntryDto {
        url: e.kind().url(&e.id),
        published_at: rfc3339(e.published_at),
        id: e.id,
        kind: e.kind,
        region_code: e.region_code,
        region_name: e.region_name,
        employer: e.employer,
        position: e.position,
        trade: e.trade,
        head_count: e.head_count,
        pay_min: e.pay_min,
        pay_max: e.pay_max,
        text: e.body,
        valid_until: e.valid_until,
        contact,
    }
}

#[derive(Serialize, ToSchema)]
pub struct EntryPageDto {
    pub total: i64,
    pub page: i64,
    pub items: Vec<EntryDto>,
}

#[derive(Deserialize, IntoParams)]
pub struct BoardListQuery {
    /// 12-digit region code: it and every region below (default: the whole site).
    pub region: Option<String>,
    /// A trade code.
    pub trade: Option<String>,
    /// Postings paying at least this much (yuan per month) at the top of their range.
    pub pay_min: Option<String>,
    /// Words in the position, employer, requirements or description.
    pub q: Option<String>,
    /// 1-based page of 20.
    pub page: Option<String>,
}

fn invalid(field: &str, key: &str) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, key)])
}

fn page_of(p: Option<&str>) -> i64 {
    p.and_then(parse_count).unwrap_or(1).clamp(1, 10_000)
}

fn keyword(q: Option<&str>) -> Option<String> {
    chuangye_core::board::model::keyword(q.unwrap_or(""))
}

async fn entries(st: &AppState, kind: Kind, q: BoardListQuery) -> AppResult<Json<EntryPageDto>> {
    let region = super::portal::asked_region(st, q.region.as_deref().unwrap_or(""))
        .await?
        .0;
    let trade = q.trade.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if trade.is_some_and(|t| !TRADES.contains(&t)) {
        return Err(invalid("trade", "board.trade_invalid"));
    }
    let pay_min = match q
        .pay_min
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => None,
        Some(p) => Some(parse_count(p).ok_or_else(|| invalid("pay_min", "board.amount_invalid"))?),
    };
    let f = Filters {
        region,
        trade: trade.map(str::to_string),
        pay_min,
        keyword: keyword(q.q.as_deref()),
    };
    let page = page_of(q.page.as_deref());
    let (rows, total) = public::list(&st.core, kind, &f, page).await?;
    Ok(Json(EntryPageDto {
        total,
        page,
        items: rows.into_iter().map(|e| entry_dto(e, None)).collect(),
    }))
}

async fn entry(st: &AppState, kind: Kind, id: &str) -> AppResult<Json<EntryDto>> {
    match public::entry(&st.core, kind, id).await? {
        Public::Shown(e) => {
            let contact = public::contact(&st.core, &e).await?;
            Ok(Json(entry_dto(*e, Some(contact))))
        }
        Public::Gone { .. } => Err(AppError::Gone),
    }
}

#[utoipa::path(get, path = "/api/v1/portal/jobs", params(BoardListQuery),
    responses((status = 200, body = EntryPageDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn jobs(
    State(st): State<AppState>,
    Query(q): Query<BoardListQuery>,
) -> AppResult<Json<EntryPageDto>> {
    entries(&st, Kind::Job, q).await
}

#[utoipa::path(get, path = "/api/v1/portal/jobs/{id}",
    responses((status = 200, body = EntryDto), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn job(State(st): State<AppState>, Path(id): Path<String>) -> AppResult<Json<EntryDto>> {
    entry(&st, Kind::Job, &id).await
}

#[utoipa::path(get, path = "/api/v1/portal/labour", params(BoardListQuery),
    responses((status = 200, body = EntryPageDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn labour_list(
    State(st): State<AppState>,
    Query(q): Query<BoardListQuery>,
) -> AppResult<Json<EntryPageDto>> {
    entries(&st, Kind::Labour, q).await
}

#[utoipa::path(get, path = "/api/v1/portal/labour/{id}",
    responses((status = 200, body = EntryDto), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn labour(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<EntryDto>> {
    entry(&st, Kind::Labour, &id).await
}

/// A published business idea.
#[derive(Serialize, ToSchema)]
pub struct IdeaDto {
    pub id: String,
    pub region_code: String,
    pub region_name: String,
    pub title: String,
    /// A category code (`retail`, `tourism`, …).
    pub category: String,
    /// Ten thousand yuan (万元).
    pub invest_min: Option<i64>,
    pub invest_max: Option<i64>,
    /// `recommended` (by staff) | `solicited` (from a citizen).
    pub source: String,
    /// A solicited idea's sender: the surname only.
    pub submitter: Option<String>,
    /// Cleaned HTML; only on a single record.
    pub description_html: Option<String>,
    pub published_at: Option<String>,
    pub url: String,
}

fn idea_dto(i: Idea, with_body: bool) -> IdeaDto {
    IdeaDto {
        submitter: i.submitter_public(),
        url: Kind::Idea.url(&i.id),
        published_at: rfc3339(i.published_at),
        description_html: with_body.then_some(i.description),
        id: i.id,
        region_code: i.region_code,
        region_name: i.region_name,
        title: i.title,
        category: i.category,
        invest_min: i.invest_min,
        invest_max: i.invest_max,
        source: i.source,
    }
}

#[derive(Serialize, ToSchema)]
pub struct IdeaPageDto {
    pub total: i64,
    pub page: i64,
    pub items: Vec<IdeaDto>,
}

#[derive(Deserialize, IntoParams)]
pub struct IdeaListQuery {
    pub region: Option<String>,
    /// A category code.
    pub category: Option<String>,
    /// Words in the title or description.
    pub q: Option<String>,
    pub page: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/portal/ideas", params(IdeaListQuery),
    responses((status = 200, body = IdeaPageDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn ideas(
    State(st): State<AppState>,
    Query(q): Query<IdeaListQuery>,
) -> AppResult<Json<IdeaPageDto>> {
    let region = super::portal::asked_region(&st, q.region.as_deref().unwrap_or(""))
        .await?
        .0;
    let category = q
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if category.is_some_and(|c| !CATEGORIES.contains(&c)) {
        return Err(invalid("category", "idea.category_invalid"));
    }
    let f = chuangye_core::idea::repo::Filters {
        region,
        category: category.map(str::to_string),
        keyword: keyword(q.q.as_deref()),
    };
    let page = page_of(q.page.as_deref());
    let (rows, total) = idea_public::list(&st.core, &f, page).await?;
    Ok(Json(IdeaPageDto {
        total,
        page,
        items: rows.into_iter().map(|i| idea_dto(i, false)).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/portal/ideas/{id}",
    responses((status = 200, body = IdeaDto), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn idea(State(st): State<AppState>, Path(id): Path<String>) -> AppResult<Json<IdeaDto>> {
    match idea_public::idea(&st.core, &id).await? {
        Public::Shown(i) => Ok(Json(idea_dto(*i, true))),
        Public::Gone { .. } => Err(AppError::Gone),
    }
}
