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
    paths(me, regions, region, units, job),
    components(schemas(MeDto, RegionDto, UnitDto, UnitPage, JobDto, Problem)),
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
                let mut c = st
                    .core
                    .db
                    .pool()
                    .acquire()
                    .await
                    .map_err(chuangye_core::Error::from)?;
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
    let mut c = st
        .core
        .db
        .pool()
        .acquire()
        .await
        .map_err(chuangye_core::Error::from)?;
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
    let mut c = st
        .core
        .db
        .pool()
        .acquire()
        .await
        .map_err(chuangye_core::Error::from)?;
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
