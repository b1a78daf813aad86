//! Login, logout, language, password change and membership switching.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use chuangye_core::auth::{self, LoginOutcome};
use serde::Deserialize;

use crate::AppState;
use crate::ctx::{Ctx, LANG_COOKIE, SESSION_COOKIE, cookie, set_cookie};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::metrics::Metrics;
use crate::pages::{Errors, FormData, Shell, form_result, render, see_other};

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    pub next: String,
    #[serde(default)]
    pub expired: Option<String>,
}

/// Only local paths are followed after login, never another site.
pub(crate) fn safe_next(next: &str) -> String {
    // A local path only: no scheme, no host, no backslash, no control or blank characters
    // (browsers drop tabs and newlines, which would turn "/\t/host" into "//host").
    let plain = next
        .chars()
        .all(|c| !c.is_control() && !c.is_whitespace() && c != '\\');
    if plain && next.starts_with('/') && !next.starts_with("//") {
        next.to_string()
    } else {
        "/admin".to_string()
    }
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub s: Shell,
    pub username: String,
    pub next: String,
    pub error: Option<String>,
    pub demo: bool,
}

fn demo_deployment(st: &AppState) -> bool {
    st.demo
}

pub async fn login_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if ctx.actor.is_some() && ctx.session.is_some() {
        return Ok(Redirect::to(&safe_next(&q.next)).into_response());
    }
    let error = (ctx.expired || q.expired.is_some()).then(|| ctx.t("login.expired"));
    let page = LoginPage {
        s: Shell::new(&st, &ctx, "login.title").await?,
        username: String::new(),
        next: q.next,
        error,
        demo: demo_deployment(&st),
    };
    render(&page)
}

pub async fn login_submit(
    State(st): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> AppResult<Response> {
    if st.login_limiter.check_key(&ctx.ip).is_err() {
        return Err(AppError::TooManyRequests);
    }
    let username = form.get("username");
    let outcome = auth::login(
        &st.core,
        &username,
        &form
            .0
            .iter()
            .find(|(k, _)| k == "password")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        &ctx.ip,
    )
    .await?;
    match outcome {
        LoginOutcome::Ok {
            session_token,
            must_change_password,
        } => {
            Metrics::inc(&st.metrics.logins_ok);
            // A new session id at every login; the old session, if any, ends.
            if let Some(old) = &ctx.session {
                auth::logout(&st.core, old).await.ok();
            }
            let to = if must_change_password {
                "/account/password".to_string()
            } else {
                safe_next(&form.get("next"))
            };
            let mut resp = see_other(&to);
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &session_token,
                    None,
                    st.config.secure_cookies,
                ),
            );
            Ok(resp)
        }
        other => {
            Metrics::inc(&st.metrics.logins_failed);
            let error = match other {
                LoginOutcome::Locked { until } => ctx.lang.tf(
                    "login.locked",
                    &[("until".into(), ctx.lang.datetime(until))],
                ),
                _ => ctx.t("login.bad_credentials"),
            };
            let page = LoginPage {
                s: Shell::new(&st, &ctx, "login.title").await?,
                username,
                next: form.get("next"),
                error: Some(error),
                demo: demo_deployment(&st),
            };
            let mut resp = render(&page)?;
            *resp.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            Ok(resp)
        }
    }
}

pub async fn logout(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if let Some(s) = &ctx.session {
        auth::logout(&st.core, s).await?;
    }
    let mut resp = see_other("/login");
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), st.config.secure_cookies),
    );
    Ok(resp)
}

/// Sets the language cookie and goes back to the page the user was on.
pub async fn set_lang(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let lang = Lang::parse(&code).ok_or(AppError::NotFound)?;
    let _ = ctx;
    let back = if q.next.is_empty() {
        "/admin".to_string()
    } else {
        safe_next(&q.next)
    };
    let mut resp = Redirect::to(&back).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang.code(),
            Some(365 * 86400),
            st.config.secure_cookies,
        ),
    );
    Ok(resp)
}

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub s: Shell,
    pub forced: bool,
    pub errors: Errors,
}

pub async fn password_page(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let forced = ctx.actor()?.must_change_password;
    render(&PasswordPage {
        s: Shell::new(&st, &ctx, "password.title").await?,
        forced,
        errors: Errors::default(),
    })
}

pub async fn password_submit(
    State(st): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> AppResult<Response> {
    let actor = ctx.actor()?;
    let raw = |n: &str| {
        form.0
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let r = auth::change_password(
        &st.core,
        actor,
        &raw("current"),
        &raw("new"),
        &raw("repeat"),
    )
    .await;
    match form_result(ctx.lang, r)? {
        Ok(()) => Ok(see_other("/admin?notice=password_changed")),
        Err(errors) => {
            let page = PasswordPage {
                s: Shell::new(&st, &ctx, "password.title").await?,
                forced: actor.must_change_password,
                errors,
            };
            let mut resp = render(&page)?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
    }
}

pub async fn switch_membership(
    State(st): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> AppResult<Response> {
    let session = ctx.session.as_ref().ok_or(AppError::Unauthenticated)?;
    auth::switch_membership(&st.core, session, &form.get("membership")).await?;
    let back = form.get("next");
    Ok(see_other(if back.starts_with("/admin") {
        &back
    } else {
        "/admin"
    }))
}

/// Whether a request carries a session cookie at all (used by the root redirect).
pub fn has_session_cookie(headers: &axum::http::HeaderMap) -> bool {
    cookie(headers, SESSION_COOKIE).is_some()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next("/admin/units?x=1"), "/admin/units?x=1");
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/\n/x",
            "",
        ] {
            assert_eq!(safe_next(bad), "/admin", "{bad:?}");
        }
    }
}
