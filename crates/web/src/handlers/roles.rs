//! Roles: data over the fixed permission catalogue.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chuangye_core::org::Permission;
use chuangye_core::org::repo::{self, Role};
use chuangye_core::org::service::{self, RoleInput};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::{Errors, FormData, Shell, form_result, render_form, see_other};

pub struct PermOption {
    pub code: &'static str,
    pub label: String,
    pub admin: &'static str,
    pub checked: bool,
}

fn perm_options(ctx: &Ctx, checked: &[String]) -> Vec<PermOption> {
    Permission::ALL
        .iter()
        .map(|p| PermOption {
            code: p.as_str(),
            label: ctx.t(&format!("perm.{}", p.as_str())),
            admin: p.admin_kind().map(|k| k.as_str()).unwrap_or(""),
            checked: checked.iter().any(|c| c == p.as_str()),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/roles.html")]
pub struct RolesPage {
    pub s: Shell,
    pub roles: Vec<Role>,
    pub perms: Vec<PermOption>,
    pub errors: Errors,
    pub form: FormData,
}

async fn list_page(
    st: &AppState,
    ctx: &Ctx,
    errors: Errors,
    form: FormData,
) -> AppResult<Response> {
    let mut c = st.conn().await?;
    let roles = repo::role_list(&mut c).await?;
    drop(c);
    let perms = perm_options(ctx, &form.all("permissions"));
    let invalid = errors.any();
    render_form(
        &RolesPage {
            s: Shell::new(st, ctx, "nav.roles").await?,
            roles,
            perms,
            errors,
            form,
        },
        invalid,
    )
}

pub async fn list(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    list_page(&st, &ctx, Errors::default(), FormData::default()).await
}

fn input(form: &FormData) -> RoleInput {
    RoleInput {
        code: form.get("code"),
        name: form.get("name"),
        permissions: form.all("permissions"),
    }
}

pub async fn create(State(st): State<AppState>, ctx: Ctx, form: FormData) -> AppResult<Response> {
    match form_result(
        ctx.lang,
        service::save_role(&st.core, ctx.actor()?, None, &input(&form)).await,
    )? {
        Ok(id) => Ok(see_other(&format!("/admin/roles/{id}"))),
        Err(e) => list_page(&st, &ctx, e, form).await,
    }
}

#[derive(Template)]
#[template(path = "admin/role.html")]
pub struct RolePage {
    pub s: Shell,
    pub role: Role,
    pub perms: Vec<PermOption>,
    pub errors: Errors,
    pub name: String,
}

async fn role_page(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: Errors,
    form: Option<FormData>,
) -> AppResult<Response> {
    let mut c = st.conn().await?;
    let role = repo::role_get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let current: Vec<String> = repo::role_permissions(&mut c, &role.id)
        .await?
        .iter()
        .map(|p| p.as_str().to_string())
        .collect();
    drop(c);
    let (checked, name) = match &form {
        Some(f) => (f.all("permissions"), f.get("name")),
        None => (current, role.name.clone()),
    };
    let s = Shell::new(st, ctx, "nav.roles")
        .await?
        .crumb("/admin/roles", ctx.t("nav.roles"))
        .crumb("", role.name.clone());
    let invalid = errors.any();
    render_form(
        &RolePage {
            s,
            role,
            perms: perm_options(ctx, &checked),
            errors,
            name,
        },
        invalid,
    )
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    role_page(&st, &ctx, &id, Errors::default(), None).await
}

pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    match form_result(
        ctx.lang,
        service::save_role(&st.core, ctx.actor()?, Some(&id), &input(&form)).await,
    )? {
        Ok(_) => Ok(see_other(&format!("/admin/roles/{id}"))),
        Err(e) => role_page(&st, &ctx, &id, e, Some(form)).await,
    }
}
