//! The region tree: a region with its path, its children (with counts), its name history, its
//! service-point hotline, and for the system administrator the forms to rename, add, merge and
//! set the hotline.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chuangye_core::org::repo::{self, NameHistory, Region, RegionWithCounts};
use chuangye_core::org::{Permission, service};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::pages::{Errors, FormData, Shell, form_result, render_form, see_other};

pub async fn tree(ctx: Ctx) -> AppResult<Response> {
    let a = ctx.actor()?;
    Ok(Redirect::to(&format!("/admin/regions/{}", a.region_code)).into_response())
}

#[derive(Template)]
#[template(path = "admin/region.html")]
pub struct RegionPage {
    pub s: Shell,
    pub region: Region,
    pub path: Vec<Region>,
    pub children: Vec<RegionWithCounts>,
    pub history: Vec<NameHistory>,
    /// The service point's telephone, blank when none is set.
    pub hotline: String,
    pub can_manage: bool,
    pub errors: Errors,
    pub form: FormData,
    pub today: String,
}

impl RegionPage {
    pub fn level_name(&self, level: &i64) -> String {
        self.s.t(&format!("region.level.{level}"))
    }
    pub fn kind_name(&self, kind: &str) -> String {
        self.s.t(&format!("region.kind.{kind}"))
    }
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    code: &str,
    errors: Errors,
    form: FormData,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let region = service::get_region(&st.core, a, code).await?;
    let mut c = st.conn().await?;
    let path = repo::region_path(&mut c, &a.scope, code).await?;
    let children = repo::region_children(&mut c, &a.scope, code, true).await?;
    let history = repo::region_history(&mut c, code).await?;
    let hotline = repo::region_hotline(&mut c, &a.scope, code)
        .await?
        .flatten()
        .unwrap_or_default();
    let mut s = Shell::new(st, ctx, "nav.regions").await?;
    for r in &path {
        s = s.crumb(&format!("/admin/regions/{}", r.code), r.name.clone());
    }
    s.title = region.name.clone();
    let invalid = errors.any();
    render_form(
        &RegionPage {
            s,
            region,
            path,
            children,
            history,
            hotline,
            can_manage: a.can(Permission::RegionManage),
            errors,
            form,
            today: service::today(),
        },
        invalid,
    )
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> AppResult<Response> {
    page(&st, &ctx, &code, Errors::default(), FormData::default()).await
}

pub async fn rename(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let input = service::RenameRegion {
        name: form.get("name"),
        date: form.get("date"),
    };
    match form_result(
        ctx.lang,
        service::rename_region(&st.core, ctx.actor()?, &code, &input).await,
    )? {
        Ok(()) => Ok(see_other(&format!("/admin/regions/{code}"))),
        Err(e) => page(&st, &ctx, &code, e, form).await,
    }
}

pub async fn add_child(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let input = service::NewRegion {
        code: form.get("code"),
        name: form.get("child_name"),
        date: form.get("child_date"),
    };
    match service::add_region(&st.core, ctx.actor()?, &code, &input).await {
        Ok(new) => Ok(see_other(&format!("/admin/regions/{new}"))),
        Err(chuangye_core::Error::Invalid(v)) => {
            let v: Vec<_> = v
                .into_iter()
                .map(|mut e| {
                    e.field = match e.field.as_str() {
                        "name" => "child_name".into(),
                        "date" => "child_date".into(),
                        f => f.into(),
                    };
                    e
                })
                .collect();
            page(&st, &ctx, &code, Errors::from(ctx.lang, &v), form).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn merge(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let input = service::MergeRegion {
        successor: form.get("successor"),
        date: form.get("merge_date"),
    };
    match service::merge_region(&st.core, ctx.actor()?, &code, &input).await {
        Ok(()) => Ok(see_other(&format!("/admin/regions/{code}"))),
        Err(chuangye_core::Error::Invalid(mut v)) => {
            for e in &mut v {
                if e.field == "date" {
                    e.field = "merge_date".into();
                }
            }
            page(&st, &ctx, &code, Errors::from(ctx.lang, &v), form).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Sets (or, blank, clears) the region's service-point hotline.
pub async fn set_hotline(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let typed = form.get("hotline");
    match form_result(
        ctx.lang,
        chuangye_core::org::hotline::set_region_hotline(&st.core, ctx.actor()?, &code, &typed)
            .await,
    )? {
        Ok(_) => Ok(see_other(&format!("/admin/regions/{code}"))),
        Err(e) => page(&st, &ctx, &code, e, form).await,
    }
}
