//! The consultations' public JSON API (no token): the published questions and answers of a
//! region and below, one of them, and the monthly figures — what the Q&A pages show, never a
//! private or unanswered question, never the asker's contact.

use axum::Json;
use axum::extract::{Path, Query, State};
use chuangye_core::consultation::Consultation;
use chuangye_core::consultation::public;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::api::Problem;
use super::api_portal::{rfc3339, site_region};
use crate::AppState;
use crate::error::AppResult;

/// A published question and its answer.
#[derive(Serialize, ToSchema)]
pub struct QaDto {
    pub id: String,
    /// `policy` | `loan` | `training` | `licence` | `premises` | `jobs` | `other`.
    pub category: String,
    pub region_code: String,
    pub region_name: String,
    pub question: String,
    pub answer: String,
    /// Who answered: the service point's region.
    pub answered_by: String,
    /// RFC 3339.
    pub asked_at: Option<String>,
    pub answered_at: Option<String>,
    pub url: String,
}

fn dto(q: Consultation) -> QaDto {
    QaDto {
        url: format!("/portal/qa/{}", q.id),
        asked_at: rfc3339(Some(q.asked_at)),
        answered_at: rfc3339(q.answered_at),
        id: q.id,
        category: q.category,
        region_code: q.region_code,
        region_name: q.region_name,
        question: q.question,
        answer: q.answer.unwrap_or_default(),
        answered_by: q.handler_name,
    }
}

#[derive(Serialize, ToSchema)]
pub struct QaPageDto {
    pub total: i64,
    pub page: i64,
    pub items: Vec<QaDto>,
}

#[derive(Deserialize, IntoParams)]
pub struct QaQuery {
    /// 12-digit region code: its own questions and every level below (default: the whole site).
    pub region: Option<String>,
    /// 1-based page of 20.
    pub page: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/portal/qa", params(QaQuery),
    responses((status = 200, body = QaPageDto), (status = 404, body = Problem)))]
pub async fn list(
    State(st): State<AppState>,
    Query(q): Query<QaQuery>,
) -> AppResult<Json<QaPageDto>> {
    let region = site_region(&st, q.region.as_deref()).await?;
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let (rows, total) = public::list(&st.core, &region, page).await?;
    Ok(Json(QaPageDto {
        total,
        page,
        items: rows.into_iter().map(dto).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/portal/qa/{id}",
    responses((status = 200, body = QaDto), (status = 404, body = Problem)))]
pub async fn item(State(st): State<AppState>, Path(id): Path<String>) -> AppResult<Json<QaDto>> {
    Ok(Json(dto(public::get(&st.core, &id).await?)))
}

/// One month's consultations of a region and below.
#[derive(Serialize, ToSchema)]
pub struct QaMonthDto {
    /// `YYYY-MM`.
    pub month: String,
    /// Asked in the month.
    pub received: i64,
    /// Answered in the month.
    pub answered: i64,
    /// Of those answered, on or before their deadline.
    pub on_time: i64,
    /// Per cent, one decimal; null when nothing was answered.
    pub on_time_rate: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/portal/qa/stats", params(QaQuery),
    responses((status = 200, body = [QaMonthDto]), (status = 404, body = Problem)))]
pub async fn stats(
    State(st): State<AppState>,
    Query(q): Query<QaQuery>,
) -> AppResult<Json<Vec<QaMonthDto>>> {
    let region = site_region(&st, q.region.as_deref()).await?;
    let months = public::monthly_stats(&st.core, &region, 12).await?;
    Ok(Json(
        months
            .into_iter()
            .map(|m| QaMonthDto {
                on_time_rate: m.on_time_permille().map(|p| p as f64 / 10.0),
                month: m.month,
                received: m.received,
                answered: m.answered,
                on_time: m.on_time,
            })
            .collect(),
    ))
}
