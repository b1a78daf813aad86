//! The security administrator's page: password and lockout policy, data-key status.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chuangye_core::auth::{self, SecurityPolicy};
use chuangye_core::org::Permission;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::pages::{Errors, FormData, Shell, form_result, render_form, see_other};

#[derive(Template)]
#[template(path = "admin/security.html")]
pub struct SecurityPage {
    pub s: Shell,
    pub policy: SecurityPolicy,
    pub can_policy: bool,
    pub can_keys: bool,
    pub fingerprint: String,
    pub key_source: String,
    pub key_file: String,
    pub key_file_private: bool,
    pub errors: Errors,
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    policy: Option<SecurityPolicy>,
    errors: Errors,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let policy = match policy {
        Some(p) => p,
        None => {
            let mut c = st.conn().await?;
            SecurityPolicy::load(&mut c).await?
        }
    };
    let invalid = errors.any();
    render_form(
        &SecurityPage {
            s: Shell::new(st, ctx, "nav.security").await?,
            policy,
            can_policy: a.can(Permission::SecurityPolicy),
            can_keys: a.can(Permission::SecurityKeys),
            fingerprint: st.core.crypto.fingerprint().to_string(),
            key_source: ctx.t(&format!("security.key_source.{}", st.config.key_source)),
            key_file: st.config.key_file.clone().unwrap_or_default(),
            key_file_private: st.config.key_file_private,
            errors,
        },
        invalid,
    )
}

pub async fn show(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    page(&st, &ctx, None, Errors::default()).await
}

pub async fn save_policy(
    State(st): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> AppResult<Response> {
    let num = |n: &str| form.get(n).parse::<u32>().unwrap_or(0);
    let p = SecurityPolicy {
        min_length: num("min_length"),
        min_classes: num("min_classes"),
        max_failures: num("max_failures"),
        lockout_minutes: num("lockout_minutes"),
        idle_minutes: num("idle_minutes"),
    };
    match form_result(
        ctx.lang,
        auth::save_policy(&st.core, ctx.actor()?, &p).await,
    )? {
        Ok(()) => Ok(see_other("/admin/security")),
        Err(e) => page(&st, &ctx, Some(p), e).await,
    }
}
