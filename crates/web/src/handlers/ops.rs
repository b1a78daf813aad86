//! Operations: the root redirect, health check, metrics.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::ctx::Ctx;

pub async fn root(ctx: Ctx) -> Response {
    Redirect::to(if ctx.actor.is_some() {
        "/admin"
    } else {
        "/login"
    })
    .into_response()
}

/// 200 when the database answers, 503 otherwise.
pub async fn healthz(State(st): State<AppState>) -> Response {
    match sqlx_ping(&st).await {
        Ok(()) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain")],
            "ok\n",
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain")],
            format!("database: {e}\n"),
        )
            .into_response(),
    }
}

async fn sqlx_ping(st: &AppState) -> Result<(), String> {
    chuangye_core::jobs::queue_depth(&st.core)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

pub async fn metrics(State(st): State<AppState>) -> Response {
    let depth = chuangye_core::jobs::queue_depth(&st.core)
        .await
        .unwrap_or(-1);
    let pool = st.core.db.pool();
    let body = st.metrics.render(&[
        ("chuangye_jobs_queued", "Jobs waiting to run.", depth),
        (
            "chuangye_db_pool_size",
            "Open database connections.",
            i64::from(pool.size()),
        ),
        (
            "chuangye_db_pool_idle",
            "Idle database connections.",
            pool.num_idle() as i64,
        ),
    ]);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}
