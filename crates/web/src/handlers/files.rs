//! Downloads of stored files: scoped like the record they belong to, served with the type
//! sniffed at upload, as an attachment, never rendered inline.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chuangye_core::files;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};

pub async fn download(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (meta, path) = files::get(&st.core, ctx.actor()?, &id).await?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| AppError::Internal(format!("file {id}: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                files::content_disposition(&meta.original_name),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}
