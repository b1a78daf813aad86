//! The indicator catalogue page: every indicator with its definition and rules; the campaign
//! office adds entered or survey indicators, edits wording and deadlines, retires and restores.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chuangye_core::indicators::catalogue::{self, Input, Row};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::pages::{Errors, FormData, Shell, form_result, render, render_form, see_other};

#[derive(Template)]
#[template(path = "indicators/catalogue.html")]
pub struct CataloguePage {
    pub s: Shell,
    pub rows: Vec<Row>,
    pub can_edit: bool,
    /// The form that failed ("new" or a code) and its errors and typed values.
    pub failed: String,
    pub errors: Errors,
    pub typed: Option<FormData>,
}

impl CataloguePage {
    /// A typed value of the failed form, else `default`.
    pub fn value(&self, form: &str, name: &str, default: &str) -> String {
        match &self.typed {
            Some(f) if self.failed == form => f.get(name),
            _ => default.to_string(),
        }
    }
}

fn input(form: &FormData) -> Input {
    Input {
        code: form.get("code"),
        name: form.get("name"),
        unit: form.get("unit"),
        definition: form.get("definition"),
        source: form.get("source"),
        time_agg: form.get("time_agg"),
        due_day: form.get("due_day"),
    }
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    failed: &str,
    errors: Errors,
    typed: Option<FormData>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let p = CataloguePage {
        s: Shell::new(st, ctx, "nav.indicator_catalogue").await?,
        rows: catalogue::list(&st.core, a).await?,
        can_edit: a.can(chuangye_core::org::Permission::IndicatorCatalogue),
        failed: failed.to_string(),
        errors,
        typed,
    };
    if p.errors.is_empty() {
        render(&p)
    } else {
        render_form(&p, true)
    }
}

pub async fn show(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    page(&st, &ctx, "", Errors::default(), None).await
}

pub async fn add(State(st): State<AppState>, ctx: Ctx, form: FormData) -> AppResult<Response> {
    match form_result(
        ctx.lang,
        catalogue::add(&st.core, ctx.actor()?, &input(&form)).await,
    )? {
        Ok(()) => Ok(see_other("/indicators/catalogue")),
        Err(e) => page(&st, &ctx, "new", e, Some(form)).await,
    }
}

pub async fn edit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let r = catalogue::edit(&st.core, ctx.actor()?, &code, &input(&form)).await;
    match form_result(ctx.lang, r)? {
        Ok(()) => Ok(see_other("/indicators/catalogue")),
        Err(e) => page(&st, &ctx, &code, e, Some(form)).await,
    }
}

pub async fn retire(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let retired = form.get("retired") == "1";
    catalogue::set_retired(&st.core, ctx.actor()?, &code, retired).await?;
    Ok(see_other("/indicators/catalogue"))
}
