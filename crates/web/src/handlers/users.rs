//! Users: list with filters, create (with a first membership), memberships and their roles,
//! password reset (system admin), unlock (security admin).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chuangye_core::org::Permission;
use chuangye_core::org::repo::{self, Membership, Role, Unit, UnitFilter, User, UserFilter};
use chuangye_core::org::service::{self, MembershipInput, NewUser};
use chuangye_core::{auth, personal};

use super::PAGE_SIZE;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::{Errors, FormData, Shell, form_result, render_form, see_other};

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub s: Shell,
    pub filter: UserFilter,
    pub rows: Vec<User>,
    pub total: i64,
    pub next: Option<String>,
    pub can_manage: bool,
    pub roles: Vec<Role>,
    pub units: Vec<Unit>,
    pub errors: Errors,
    pub form: FormData,
    pub region_code: String,
}

async fn scoped_units(st: &AppState, ctx: &Ctx) -> AppResult<Vec<Unit>> {
    let a = ctx.actor()?;
    let mut c = st.conn().await?;
    Ok(
        repo::unit_list(&mut c, &a.scope, &UnitFilter::default(), 500)
            .await?
            .0,
    )
}

async fn list_page(
    st: &AppState,
    ctx: &Ctx,
    filter: UserFilter,
    errors: Errors,
    form: FormData,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut c = st.conn().await?;
    let phone = filter
        .q
        .as_deref()
        .and_then(|q| personal::lookup_index(&st.core.crypto, personal::Kind::Phone, q));
    let (rows, total) = repo::user_list(&mut c, &a.scope, &filter, phone, PAGE_SIZE).await?;
    let roles = repo::role_list(&mut c).await?;
    drop(c);
    let next = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last().map(|r| r.username.clone()))
        .flatten();
    let invalid = errors.any();
    render_form(
        &UsersPage {
            s: Shell::new(st, ctx, "nav.users").await?,
            filter,
            rows,
            total,
            next,
            can_manage: a.can(Permission::UserManage),
            roles,
            units: scoped_units(st, ctx).await?,
            errors,
            form,
            region_code: a.region_code.clone(),
        },
        invalid,
    )
}

pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<UserFilter>,
) -> AppResult<Response> {
    list_page(&st, &ctx, filter, Errors::default(), FormData::default()).await
}

fn raw(form: &FormData, name: &str) -> String {
    form.0
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

pub async fn create(State(st): State<AppState>, ctx: Ctx, form: FormData) -> AppResult<Response> {
    let input = NewUser {
        username: form.get("username"),
        display_name: form.get("display_name"),
        password: raw(&form, "password"),
        region_code: form.get("region_code"),
        unit_id: form.opt("unit_id"),
        roles: form.all("roles"),
        phone: form.opt("phone"),
        is_demo: false,
        must_change_password: true,
    };
    match form_result(
        ctx.lang,
        service::create_user(&st.core, ctx.actor()?, &input).await,
    )? {
        Ok(id) => Ok(see_other(&format!("/admin/users/{id}"))),
        Err(e) => list_page(&st, &ctx, UserFilter::default(), e, form).await,
    }
}

pub struct MembershipView {
    pub m: Membership,
    pub roles: Vec<String>,
}

impl MembershipView {
    pub fn has_role(&self, id: &str) -> bool {
        self.roles.iter().any(|r| r == id)
    }
}

#[derive(Template)]
#[template(path = "admin/user.html")]
pub struct UserPage {
    pub s: Shell,
    pub user: User,
    pub memberships: Vec<MembershipView>,
    pub roles: Vec<Role>,
    pub units: Vec<Unit>,
    pub locked_until: Option<i64>,
    pub can_manage: bool,
    pub can_unlock: bool,
    pub can_unmask: bool,
    /// The full phone number, after an audited reveal.
    pub phone: Option<String>,
    pub errors: Errors,
    pub form: FormData,
    pub region_code: String,
}

async fn user_page(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: Errors,
    form: FormData,
) -> AppResult<Response> {
    user_page_with(st, ctx, id, errors, form, None).await
}

async fn user_page_with(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: Errors,
    form: FormData,
    phone: Option<String>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut c = st.conn().await?;
    let user = repo::user_in_scope(&mut c, &a.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut memberships = Vec::new();
    for m in repo::memberships_of(&mut c, id)
        .await?
        .into_iter()
        .filter(|m| a.scope.contains(&m.region_code))
    {
        let roles = repo::roles_of_membership(&mut c, &m.id)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        memberships.push(MembershipView { m, roles });
    }
    let roles = repo::role_list(&mut c).await?;
    drop(c);
    let locked_until = auth::lock_state(&st.core, &user.username).await?;
    let s = Shell::new(st, ctx, "nav.users")
        .await?
        .crumb("/admin/users", ctx.t("nav.users"))
        .crumb("", user.display_name.clone());
    let invalid = errors.any();
    render_form(
        &UserPage {
            s,
            user,
            memberships,
            roles,
            units: scoped_units(st, ctx).await?,
            locked_until,
            can_manage: a.can(Permission::UserManage),
            can_unlock: a.can(Permission::SecurityUnlock),
            can_unmask: a.can(Permission::PersonalUnmask),
            phone,
            errors,
            form,
            region_code: a.region_code.clone(),
        },
        invalid,
    )
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    user_page(&st, &ctx, &id, Errors::default(), FormData::default()).await
}

pub async fn add_membership(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let input = MembershipInput {
        region_code: form.get("region_code"),
        unit_id: form.opt("unit_id"),
        roles: form.all("roles"),
    };
    match form_result(
        ctx.lang,
        service::add_membership(&st.core, ctx.actor()?, &id, &input).await,
    )? {
        Ok(_) => Ok(see_other(&format!("/admin/users/{id}"))),
        Err(e) => user_page(&st, &ctx, &id, e, form).await,
    }
}

pub async fn set_roles(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(mid): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut c = st.conn().await?;
    let user_id = repo::membership_user(&mut c, &a.scope, &mid)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(c);
    match form_result(
        ctx.lang,
        service::set_membership_roles(&st.core, ctx.actor()?, &mid, &form.all("roles")).await,
    )? {
        Ok(()) => Ok(see_other(&format!("/admin/users/{user_id}"))),
        Err(e) => user_page(&st, &ctx, &user_id, e, form).await,
    }
}

pub async fn reset_password(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    match form_result(
        ctx.lang,
        auth::reset_password(&st.core, ctx.actor()?, &id, &raw(&form, "password")).await,
    )? {
        Ok(()) => Ok(see_other(&format!("/admin/users/{id}"))),
        Err(e) => user_page(&st, &ctx, &id, e, form).await,
    }
}

pub async fn unlock(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth::unlock(&st.core, ctx.actor()?, &id).await?;
    Ok(see_other(&format!("/admin/users/{id}")))
}

/// Shows the full phone number once (audited).
pub async fn reveal_phone(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let phone = service::reveal_user_phone(&st.core, ctx.actor()?, &id).await?;
    user_page_with(
        &st,
        &ctx,
        &id,
        Errors::default(),
        FormData::default(),
        phone,
    )
    .await
}
