//! One error type for every handler. It becomes an HTML page in the user's language, a
//! redirect to the login page, or problem JSON (RFC 9457) under `/api/`.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chuangye_core::{Error as CoreError, FieldError};

use crate::ctx::Ctx;

#[derive(Debug, Clone)]
pub enum AppError {
    Unauthenticated,
    Forbidden,
    NotFound,
    Gone,
    Csrf,
    TooManyRequests,
    Invalid(Vec<FieldError>),
    Refused(String),
    Internal(String),
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::NotFound => AppError::NotFound,
            CoreError::Forbidden => AppError::Forbidden,
            CoreError::Invalid(v) => AppError::Invalid(v),
            CoreError::Refused(k) => AppError::Refused(k),
            // Text PostgreSQL cannot hold (a NUL byte in an address or a filter): nothing has
            // such a key, on either engine.
            e if e.is_unstorable_text() => AppError::NotFound,
            other => {
                tracing::error!(error = %other, "internal error");
                AppError::Internal(other.to_string())
            }
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Gone => StatusCode::GONE,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Refused(_) => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title_key(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "error.unauthenticated",
            AppError::Forbidden => "error.forbidden",
            AppError::NotFound => "error.not_found",
            AppError::Gone => "error.gone",
            AppError::Csrf => "error.csrf",
            AppError::TooManyRequests => "error.too_many",
            AppError::Invalid(_) => "error.invalid",
            AppError::Refused(_) => "error.refused",
            AppError::Internal(_) => "error.internal",
        }
    }

    fn details(&self, ctx: &Ctx) -> Vec<String> {
        match self {
            AppError::Invalid(v) => v.iter().map(|e| ctx.lang.field_error(e)).collect(),
            AppError::Refused(k) => vec![ctx.t(k)],
            _ => Vec::new(),
        }
    }

    /// Renders the error for this request.
    pub fn into_response_for(self, ctx: &Ctx) -> Response {
        let api = ctx.path.starts_with("/api/");
        if matches!(self, AppError::Unauthenticated) && !api {
            let next = urlencode(&ctx.path);
            let expired = if ctx.expired { "&expired=1" } else { "" };
            return Redirect::to(&format!("/login?next={next}{expired}")).into_response();
        }
        let status = self.status();
        let title = ctx.t(self.title_key());
        let details = self.details(ctx);
        if api {
            let errors: Vec<_> = match &self {
                AppError::Invalid(v) => v
                    .iter()
                    .map(|e| serde_json::json!({"field": e.field, "message": ctx.lang.field_error(e)}))
                    .collect(),
                _ => Vec::new(),
            };
            let body = serde_json::json!({
                "type": "about:blank",
                "title": title,
                "status": status.as_u16(),
                "detail": details.join("; "),
                "errors": errors,
            });
            let mut resp = (
                status,
                [(header::CONTENT_TYPE, "application/problem+json")],
                body.to_string(),
            )
                .into_response();
            if status == StatusCode::UNAUTHORIZED {
                resp.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer"),
                );
            }
            return resp;
        }
        let page = ErrorPage {
            lang: ctx.lang.html(),
            title,
            details,
            home: if ctx.actor.is_some() {
                "/admin"
            } else {
                "/login"
            },
            home_label: ctx.t("error.back"),
        };
        match page.render() {
            Ok(html) => (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response(),
            Err(_) => status.into_response(),
        }
    }
}

/// Marks a response produced from an error, so the context middleware can render it.
#[derive(Clone)]
pub struct PendingError(pub AppError);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut r = self.status().into_response();
        r.extensions_mut().insert(PendingError(self));
        r
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: &'static str,
    title: String,
    details: Vec<String>,
    home: &'static str,
    home_label: String,
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub type AppResult<T> = Result<T, AppError>;
