//! Member units: list with filters, create, edit, and their attached documents.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use chuangye_core::files::{self, FileMeta, FileRules, Upload};
use chuangye_core::org::repo::{self, Unit, UnitFilter};
use chuangye_core::org::service::{self, UnitInput};
use chuangye_core::org::{Permission, UNIT_KINDS};

use super::PAGE_SIZE;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::{Errors, FormData, Shell, form_result, render_form, see_other};

#[derive(Template)]
#[template(path = "admin/units.html")]
pub struct UnitsPage {
    pub s: Shell,
    pub filter: UnitFilter,
    pub rows: Vec<Unit>,
    pub total: i64,
    pub next: Option<String>,
    pub kinds: Vec<(&'static str, String)>,
    pub can_manage: bool,
    pub errors: Errors,
    pub form: FormData,
    pub region_code: String,
}

fn kinds(ctx: &Ctx) -> Vec<(&'static str, String)> {
    UNIT_KINDS
        .iter()
        .map(|k| (*k, ctx.t(&format!("unit.kind.{k}"))))
        .collect()
}

async fn list_page(
    st: &AppState,
    ctx: &Ctx,
    filter: UnitFilter,
    errors: Errors,
    form: FormData,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut c = st.conn().await?;
    let (rows, total) = repo::unit_list(&mut c, &a.scope, &filter, PAGE_SIZE).await?;
    let next = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last().map(|r| r.id.clone()))
        .flatten();
    let invalid = errors.any();
    render_form(
        &UnitsPage {
            s: Shell::new(st, ctx, "nav.units").await?,
            filter,
            rows,
            total,
            next,
            kinds: kinds(ctx),
            can_manage: a.can(Permission::UnitManage),
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
    Query(filter): Query<UnitFilter>,
) -> AppResult<Response> {
    list_page(&st, &ctx, filter, Errors::default(), FormData::default()).await
}

fn input(form: &FormData) -> UnitInput {
    UnitInput {
        name: form.get("name"),
        kind: form.get("kind"),
        region_code: form.get("region_code"),
    }
}

pub async fn create(State(st): State<AppState>, ctx: Ctx, form: FormData) -> AppResult<Response> {
    match form_result(
        ctx.lang,
        service::create_unit(&st.core, ctx.actor()?, &input(&form)).await,
    )? {
        Ok(id) => Ok(see_other(&format!("/admin/units/{id}"))),
        Err(e) => list_page(&st, &ctx, UnitFilter::default(), e, form).await,
    }
}

#[derive(Template)]
#[template(path = "admin/unit.html")]
pub struct UnitPage {
    pub s: Shell,
    pub unit: Unit,
    pub kinds: Vec<(&'static str, String)>,
    pub can_manage: bool,
    pub can_upload: bool,
    pub files: Vec<FileMeta>,
    pub errors: Errors,
    pub form: FormData,
}

async fn unit_page(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: Errors,
    form: Option<FormData>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut c = st.conn().await?;
    let unit = repo::unit_get(&mut c, &a.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(c);
    let files = files::list_for(&st.core, a, "unit", id).await?;
    let form = form.unwrap_or_else(|| {
        FormData(vec![
            ("name".into(), unit.name.clone()),
            ("kind".into(), unit.kind.clone()),
            ("region_code".into(), unit.region_code.clone()),
        ])
    });
    let s = Shell::new(st, ctx, "nav.units")
        .await?
        .crumb("/admin/units", ctx.t("nav.units"))
        .crumb("", unit.name.clone());
    let invalid = errors.any();
    render_form(
        &UnitPage {
            s,
            unit,
            kinds: kinds(ctx),
            can_manage: a.can(Permission::UnitManage),
            can_upload: a.can(Permission::FileUpload),
            files,
            errors,
            form,
        },
        invalid,
    )
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    unit_page(&st, &ctx, &id, Errors::default(), None).await
}

pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    match form_result(
        ctx.lang,
        service::update_unit(&st.core, ctx.actor()?, &id, &input(&form)).await,
    )? {
        Ok(()) => Ok(see_other(&format!("/admin/units/{id}"))),
        Err(e) => unit_page(&st, &ctx, &id, e, Some(form)).await,
    }
}

/// Attaches a document to a unit (multipart; the CSRF token travels in the query string).
pub async fn upload(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    mp: Multipart,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut c = st.conn().await?;
    let unit = repo::unit_get(&mut c, &a.scope, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(c);
    let Some((name, bytes)) = crate::pages::read_upload(mp, 20).await? else {
        return unit_page(
            &st,
            &ctx,
            &id,
            Errors::from(
                ctx.lang,
                &[chuangye_core::FieldError::new("file", "files.empty")],
            ),
            None,
        )
        .await;
    };
    let mut tx = st
        .core
        .db
        .begin()
        .await
        .map_err(chuangye_core::Error::from)?;
    let up = Upload {
        bytes: &bytes,
        original_name: &name,
        owner_entity: "unit",
        owner_id: &id,
        region_code: &unit.region_code,
        rules: &FileRules::DOCUMENTS,
    };
    match form_result(ctx.lang, files::store(&st.core, &mut tx, a, up).await)? {
        Ok(_) => {
            tx.commit().await.map_err(chuangye_core::Error::from)?;
            Ok(see_other(&format!("/admin/units/{id}")))
        }
        Err(e) => {
            drop(tx);
            unit_page(&st, &ctx, &id, e, None).await
        }
    }
}
