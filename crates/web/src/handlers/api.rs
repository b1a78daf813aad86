//! The JSON API `/api/v1`: personal access tokens (or a session), scoped as their owner,
//! problem JSON for errors, and the OpenAPI document generated from these handlers.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chuangye_core::jobs;
use chuangye_core::org::repo::{self, UnitFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};

#[derive(OpenApi)]
#[openapi(
    info(title = "chuangye API", version = "1", description = "创业型城市创建工作平台 JSON API. Authenticate with `Authorization: Bearer <token>` (`chuangye token create USERNAME`). Errors are RFC 9457 problem JSON."),
    paths(me, regions, region, units, job, persons, person, businesses, business, indicators, indicator_values,
        super::api_portal::items, super::api_portal::item, super::api_portal::search,
        super::api_qa::list, super::api_qa::item, super::api_qa::stats),
    components(schemas(MeDto, RegionDto, UnitDto, UnitPage, JobDto, Problem, PersonDto, PersonPageDto, PersonDetailDto, BusinessDto, BusinessPageDto, BusinessDetailDto, StatusDto, IndicatorDto, IndicatorValueDto, IndicatorValuesDto,
        super::api_portal::PortalItemDto, super::api_portal::PolicyDto, super::api_portal::PortalPageDto, super::api_portal::PortalHitDto, super::api_portal::PortalSearchDto,
        super::api_qa::QaDto, super::api_qa::QaPageDto, super::api_qa::QaMonthDto)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn openapi() -> Response {
    let json = ApiDoc::openapi()
        .merge_from(super::api_board::BoardApi::openapi())
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_string());
    ([(header::CONTENT_TYPE, "application/json")], json).into_response()
}

/// Problem details (RFC 9457).
#[derive(Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeDto {
    pub username: String,
    pub display_name: String,
    pub region_code: String,
    pub region_name: String,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub permissions: Vec<String>,
}

/// Who the token (or session) acts as.
#[utoipa::path(get, path = "/api/v1/me", security(("bearer" = [])),
    responses((status = 200, body = MeDto), (status = 401, body = Problem)))]
pub async fn me(ctx: Ctx) -> AppResult<Json<MeDto>> {
    let a = ctx.actor()?;
    Ok(Json(MeDto {
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        region_code: a.region_code.clone(),
        region_name: a.region_name.clone(),
        unit_id: a.unit_id.clone(),
        unit_name: a.unit_name.clone(),
        permissions: a
            .permissions
            .iter()
            .map(|p| p.as_str().to_string())
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct RegionDto {
    /// 12-digit official statistical code.
    pub code: String,
    pub name: String,
    /// 1 province, 2 city, 3 county, 4 township, 5 community/village.
    pub level: i64,
    pub parent_code: Option<String>,
    pub kind: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub children: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
pub struct RegionsQuery {
    /// Parent region code; defaults to the caller's own region.
    pub parent: Option<String>,
}

/// Children of a region, within the caller's scope.
#[utoipa::path(get, path = "/api/v1/regions", params(RegionsQuery), security(("bearer" = [])),
    responses((status = 200, body = [RegionDto]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn regions(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RegionsQuery>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let parent = q.parent.unwrap_or_else(|| a.region_code.clone());
    if !a.scope.contains(&parent) {
        return Err(AppError::NotFound);
    }
    // Everyone who may see `parent` sees the same children: the body is cached.
    let key = format!("regions:{parent}");
    let body = match st.caches.json.get(&key) {
        Some(b) => b,
        None => {
            let seen = st.caches.json.generation();
            let rows = crate::cache::region_children(&st, &a.scope, &parent, false).await?;
            if rows.is_empty() {
                // Tell an unknown parent from a leaf.
                let mut c = st.conn().await?;
                repo::region_get(&mut c, &a.scope, &parent)
                    .await?
                    .ok_or(AppError::NotFound)?;
            }
            let dtos: Vec<RegionDto> = rows
                .iter()
                .map(|r| RegionDto {
                    code: r.code.clone(),
                    name: r.name.clone(),
                    level: r.level,
                    parent_code: Some(parent.clone()),
                    kind: r.kind.clone(),
                    valid_from: None,
                    valid_to: r.valid_to.clone(),
                    children: Some(r.children),
                })
                .collect();
            let b = axum::body::Bytes::from(
                serde_json::to_vec(&dtos).map_err(|e| AppError::Internal(e.to_string()))?,
            );
            st.caches.json.insert(seen, key, b.clone());
            b
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// One region; 404 when it does not exist or lies outside the caller's scope.
#[utoipa::path(get, path = "/api/v1/regions/{code}", params(("code" = String, Path, description = "12-digit region code")),
    security(("bearer" = [])), responses((status = 200, body = RegionDto), (status = 404, body = Problem)))]
pub async fn region(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> AppResult<Json<RegionDto>> {
    let a = ctx.actor()?;
    let mut c = st.conn().await?;
    let r = repo::region_get(&mut c, &a.scope, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(RegionDto {
        code: r.code,
        name: r.name,
        level: r.level,
        parent_code: r.parent_code,
        kind: r.kind,
        valid_from: Some(r.valid_from),
        valid_to: r.valid_to,
        children: None,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct UnitDto {
    pub id: String,
    pub name: String,
    /// department | people_org | media | bank | guarantor | training_school | other
    pub kind: String,
    pub region_code: String,
    pub region_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct UnitPage {
    pub total: i64,
    pub items: Vec<UnitDto>,
    /// Pass as `after` to get the next page.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct UnitsQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub region: Option<String>,
    pub after: Option<String>,
}

/// Member units within the caller's scope.
#[utoipa::path(get, path = "/api/v1/units", params(UnitsQuery), security(("bearer" = [])),
    responses((status = 200, body = UnitPage), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn units(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<UnitsQuery>,
) -> AppResult<Json<UnitPage>> {
    let a = ctx.actor()?;
    let f = UnitFilter {
        q: q.q,
        kind: q.kind,
        region: q.region,
        after: q.after,
    };
    let mut c = st.conn().await?;
    let (rows, total) = repo::unit_list(&mut c, &a.scope, &f, 100).await?;
    let next = (rows.len() == 100)
        .then(|| rows.last().map(|r| r.id.clone()))
        .flatten();
    Ok(Json(UnitPage {
        total,
        next,
        items: rows
            .into_iter()
            .map(|u| UnitDto {
                id: u.id,
                name: u.name,
                kind: u.kind,
                region_code: u.region_code,
                region_name: u.region_name,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct JobDto {
    pub id: String,
    pub kind: String,
    /// queued | running | done | failed
    pub status: String,
    pub progress: i64,
    pub progress_total: i64,
    pub percent: i64,
    pub message: Option<String>,
    pub result: Option<String>,
}

/// Status and progress of a job the caller started.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = JobDto), (status = 404, body = Problem)))]
pub async fn job(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<JobDto>> {
    let j = jobs::get(&st.core, ctx.actor()?, &id).await?;
    Ok(Json(JobDto {
        id: j.id,
        kind: j.kind,
        status: j.status,
        progress: j.progress,
        progress_total: j.progress_total,
        percent: j.percent,
        message: j.message,
        result: j.result,
    }))
}

// ------------------------------------------------------------------ ledger (read-only, masked)

#[derive(Serialize, ToSchema)]
pub struct PersonDto {
    pub id: String,
    pub name: String,
    /// Masked: first 6 and last 4 characters.
    pub id_number: String,
    pub sex: String,
    pub birth_date: String,
    /// Masked: first 3 and last 4 digits.
    pub phone: Option<String>,
    pub region_code: String,
    pub region_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct PersonPageDto {
    /// Exact unless `total_exact` is false: then an estimate (several filters over a wide
    /// area) or a lower bound (text or date filters over a wide area).
    pub total: i64,
    pub total_exact: bool,
    pub items: Vec<PersonDto>,
    /// Pass as `after` for the next page.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct PersonsQuery {
    /// Name (contains), or an exact ID number or mobile number.
    pub q: Option<String>,
    /// Region code: that region and below.
    pub region: Option<String>,
    /// graduate | returnee | hardship | laid_off | veteran | disabled | poverty
    pub category: Option<String>,
    /// name (default) | created
    pub sort: Option<String>,
    pub after: Option<String>,
}

/// Entrepreneurs within the caller's scope, masked.
#[utoipa::path(get, path = "/api/v1/persons", params(PersonsQuery), security(("bearer" = [])),
    responses((status = 200, body = PersonPageDto), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn persons(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PersonsQuery>,
) -> AppResult<Json<PersonPageDto>> {
    use chuangye_core::ledger::repo::{PersonFilter, person_list};
    use chuangye_core::personal::{Kind, lookup_index};
    let a = ctx.actor()?;
    let ix = q.q.as_deref().and_then(|v| {
        lookup_index(&st.core.crypto, Kind::IdNumber, v)
            .map(|i| ("id_index", i))
            .or_else(|| lookup_index(&st.core.crypto, Kind::Phone, v).map(|i| ("phone_index", i)))
    });
    let f = PersonFilter {
        q: q.q,
        region: q.region,
        category: q.category,
        sort: q.sort,
        after: q.after,
        ..Default::default()
    };
    let mut c = st.conn().await?;
    let (rows, total, next) = person_list(&mut c, &a.scope, &f, false, ix, 100).await?;
    Ok(Json(PersonPageDto {
        total: total.n(),
        total_exact: matches!(total, chuangye_core::ledger::repo::Total::Exact(_)),
        next,
        items: rows
            .into_iter()
            .map(|p| PersonDto {
                id: p.id,
                name: p.name,
                id_number: p.id_masked,
                sex: p.sex,
                birth_date: p.birth_date,
                phone: p.phone_masked,
                region_code: p.region_code,
                region_name: p.region_name,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PersonDetailDto {
    #[serde(flatten)]
    pub person: PersonDto,
    pub education: String,
    pub household: String,
    pub categories: Vec<String>,
    pub address: String,
    pub next_visit_date: Option<String>,
    /// Businesses the person runs or holds a share in: (business id, role, since).
    pub links: Vec<(String, String, String)>,
    pub visits: i64,
    pub open_needs: i64,
}

/// One entrepreneur; 404 outside the caller's scope.
#[utoipa::path(get, path = "/api/v1/persons/{id}", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = PersonDetailDto), (status = 404, body = Problem)))]
pub async fn person(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<PersonDetailDto>> {
    let r = chuangye_core::ledger::service::person_record(&st.core, ctx.actor()?, &id).await?;
    let p = r.person;
    Ok(Json(PersonDetailDto {
        person: PersonDto {
            id: p.id,
            name: p.name,
            id_number: p.id_masked,
            sex: p.sex,
            birth_date: p.birth_date,
            phone: p.phone_masked,
            region_code: p.region_code,
            region_name: p.region_name,
        },
        education: p.education,
        household: p.household,
        categories: r.categories,
        address: p.address,
        next_visit_date: p.next_visit_date,
        links: r
            .links
            .into_iter()
            .map(|l| (l.business_id, l.role, l.since))
            .collect(),
        visits: r.visits.len() as i64,
        open_needs: r
            .needs
            .iter()
            .filter(|n| n.state == "open" || n.state == "accepted")
            .count() as i64,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct BusinessDto {
    pub id: String,
    pub name: String,
    /// private | individual | coop | other
    pub kind: String,
    pub uscc: Option<String>,
    /// GB/T 4754 division code.
    pub industry: String,
    pub registered_on: String,
    /// operating | suspended | deregistered | moved_out (today)
    pub status: String,
    pub status_since: String,
    pub jobs: i64,
    pub capital_fen: i64,
    pub region_code: String,
    pub region_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct BusinessPageDto {
    /// Exact unless `total_exact` is false: then an estimate (several filters over a wide
    /// area) or a lower bound (text or date filters over a wide area).
    pub total: i64,
    pub total_exact: bool,
    pub items: Vec<BusinessDto>,
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct BusinessesQuery {
    pub q: Option<String>,
    pub region: Option<String>,
    pub kind: Option<String>,
    pub industry: Option<String>,
    pub status: Option<String>,
    /// name (default) | registered
    pub sort: Option<String>,
    pub after: Option<String>,
}

fn business_dto(b: chuangye_core::ledger::repo::Business) -> BusinessDto {
    BusinessDto {
        id: b.id,
        name: b.name,
        kind: b.kind,
        uscc: b.uscc,
        industry: b.industry,
        registered_on: b.registered_on,
        status: b.status,
        status_since: b.status_since,
        jobs: b.jobs,
        capital_fen: b.capital_fen,
        region_code: b.region_code,
        region_name: b.region_name,
    }
}

/// Businesses within the caller's scope.
#[utoipa::path(get, path = "/api/v1/businesses", params(BusinessesQuery), security(("bearer" = [])),
    responses((status = 200, body = BusinessPageDto), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn businesses(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BusinessesQuery>,
) -> AppResult<Json<BusinessPageDto>> {
    use chuangye_core::ledger::repo::{BusinessFilter, business_list};
    let a = ctx.actor()?;
    let f = BusinessFilter {
        q: q.q,
        region: q.region,
        kind: q.kind,
        industry: q.industry,
        status: q.status,
        sort: q.sort,
        after: q.after,
        ..Default::default()
    };
    let mut c = st.conn().await?;
    let (rows, total, next) = business_list(&mut c, &a.scope, &f, 100).await?;
    Ok(Json(BusinessPageDto {
        total: total.n(),
        total_exact: matches!(total, chuangye_core::ledger::repo::Total::Exact(_)),
        next,
        items: rows.into_iter().map(business_dto).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct StatusDto {
    pub status: String,
    pub valid_from: String,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct BusinessDetailDto {
    #[serde(flatten)]
    pub business: BusinessDto,
    /// Every status with the date it took effect, oldest first (never overwritten).
    pub history: Vec<StatusDto>,
}

/// One business with its status history; 404 outside the caller's scope.
#[utoipa::path(get, path = "/api/v1/businesses/{id}", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = BusinessDetailDto), (status = 404, body = Problem)))]
pub async fn business(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<BusinessDetailDto>> {
    let r = chuangye_core::ledger::service::business_record(&st.core, ctx.actor()?, &id).await?;
    Ok(Json(BusinessDetailDto {
        history: r
            .history
            .into_iter()
            .map(|h| StatusDto {
                status: h.status,
                valid_from: h.valid_from,
                note: h.note,
            })
            .collect(),
        business: business_dto(r.business),
    }))
}

// ------------------------------------------------------------------ indicators

#[derive(Serialize, ToSchema)]
pub struct IndicatorDto {
    pub code: String,
    /// Official Chinese name.
    pub name: String,
    pub unit: String,
    pub definition: String,
    /// `ledger` (derived at write time), `entered`, `survey`.
    pub source: String,
    pub time_agg: String,
    pub region_agg: String,
}

#[utoipa::path(get, path = "/api/v1/indicators", security(("bearer" = [])),
    responses((status = 200, body = [IndicatorDto]), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn indicators(
    State(st): State<AppState>,
    ctx: Ctx,
) -> AppResult<Json<Vec<IndicatorDto>>> {
    ctx.actor()?;
    let mut c = st.conn().await?;
    let list = chuangye_core::indicators::repo::catalogue(&mut c).await?;
    Ok(Json(
        list.into_iter()
            .map(|i| IndicatorDto {
                code: i.code,
                name: i.name,
                unit: i.unit,
                definition: i.definition,
                source: i.source,
                time_agg: i.time_agg,
                region_agg: i.region_agg,
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct IndicatorValuesQuery {
    /// 12-digit region code (default: the caller's own region).
    pub region: Option<String>,
    /// `2025`, `2025-Q2` or `2025-04` (default: this year).
    pub period: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorValueDto {
    pub code: String,
    /// A count as an integer; a rate (`region_agg` `ratio`) in per cent with one decimal,
    /// null when its denominator is zero.
    #[schema(value_type = Option<f64>)]
    pub value: serde_json::Value,
    /// When the figure last changed (RFC 3339), absent while it is zero.
    pub as_of: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorValuesDto {
    pub region_code: String,
    pub from: String,
    pub to: String,
    pub values: Vec<IndicatorValueDto>,
}

#[utoipa::path(get, path = "/api/v1/indicators/values", params(IndicatorValuesQuery), security(("bearer" = [])),
    responses((status = 200, body = IndicatorValuesDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn indicator_values(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<IndicatorValuesQuery>,
) -> AppResult<Json<IndicatorValuesDto>> {
    use chuangye_core::indicators::{Period, repo};
    let a = ctx.actor()?;
    let region = q.region.unwrap_or_else(|| a.region_code.clone());
    if !a.scope.contains(&region) {
        return Err(AppError::NotFound);
    }
    let period = match q.period.as_deref() {
        None => Period::year((time::OffsetDateTime::now_utc() + time::Duration::hours(8)).year()),
        Some(p) => Period::parse(p).ok_or_else(|| {
            AppError::from(chuangye_core::Error::field(
                "period",
                "indicator.period_invalid",
            ))
        })?,
    };
    let mut c = st.conn().await?;
    let catalogue = repo::catalogue(&mut c).await?;
    let totals = repo::totals(&mut c, &catalogue, &region, &period).await?;
    let values = catalogue
        .into_iter()
        .map(|i| {
            let (value, t) = totals.get(&i.code).copied().unwrap_or((0, 0));
            let value = match i.number(value) {
                None => serde_json::Value::Null,
                Some(n) if i.is_rate() => serde_json::json!(n),
                Some(_) => serde_json::json!(value),
            };
            IndicatorValueDto {
                code: i.code,
                value,
                as_of: (t > 0)
                    .then(|| time::OffsetDateTime::from_unix_timestamp(t).ok())
                    .flatten()
                    .and_then(|d| {
                        d.format(&time::format_description::well_known::Rfc3339)
                            .ok()
                    }),
            }
        })
        .collect();
    Ok(Json(IndicatorValuesDto {
        region_code: region,
        from: period.from,
        to: period.to,
        values,
    }))
}
