//! Reports: the work summary (DOCX + PDF) and the evidence pack are generated as jobs from this
//! page; the campaign office edits the summary's template on its own page.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chuangye_core::reports::{self, template};
use serde::Deserialize;

use super::indicators::name_of;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::pages::{Errors, FormData, Shell, form_result, render, render_form, see_other};

/// A choice in a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "reports/index.html")]
pub struct ReportsPage {
    pub s: Shell,
    pub regions: Vec<Choice>,
    pub periods: Vec<Choice>,
    pub indicators: Vec<Choice>,
    pub recent: Vec<chuangye_core::jobs::JobView>,
    pub errors: Errors,
    /// Which form the errors belong to: "summary" or "evidence".
    pub failed: String,
    pub can_edit: bool,
}

fn choices(items: Vec<(String, String)>, selected: &str) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

/// This year and the two before, each as a whole year and by quarter.
fn period_choices(ctx: &Ctx) -> Vec<(String, String)> {
    let year = chuangye_core::ledger::model::today().year();
    let mut out = Vec::new();
    for y in (year - 2..=year).rev() {
        out.push((y.to_string(), format!("{y} {}", ctx.t("report.year_label"))));
        for q in 1..=4 {
            let label = ctx
                .t("report.quarter_label")
                .replace("%{q}", &q.to_string());
            out.push((format!("{y}-Q{q}"), format!("{y} {label}")));
        }
    }
    out
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    typed: Option<&FormData>,
    errors: Errors,
    failed: &str,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut c = st.conn().await?;
    let mut regions = vec![(a.region_code.clone(), a.region_name.clone())];
    for r in
        chuangye_core::org::repo::region_children(&mut c, &a.scope, &a.region_code, false).await?
    {
        regions.push((r.code, format!("　{}", r.name)));
    }
    let catalogue = chuangye_core::indicators::repo::catalogue(&mut c).await?;
    drop(c);
    let pick = |name: &str, default: String| {
        typed
            .map(|f| f.get(name))
            .filter(|v| !v.is_empty())
            .unwrap_or(default)
    };
    let year = chuangye_core::ledger::model::today().year().to_string();
    let indicators = catalogue
        .iter()
        .map(|i| (i.code.clone(), name_of(ctx, &i.code, &i.name)))
        .collect();
    let p = ReportsPage {
        s: Shell::new(st, ctx, "nav.reports").await?,
        regions: choices(regions, &pick("region", a.region_code.clone())),
        periods: choices(period_choices(ctx), &pick("period", year)),
        indicators: choices(indicators, &pick("indicator", "new_urban_jobs".into())),
        recent: chuangye_core::jobs::list_mine(&st.core, a, 50)
            .await?
            .into_iter()
            .filter(|j| j.kind.starts_with("reports."))
            .take(10)
            .collect(),
        can_edit: a.can(chuangye_core::org::Permission::ReportTemplate),
        failed: failed.to_string(),
        errors,
    };
    if p.errors.is_empty() {
        render(&p)
    } else {
        render_form(&p, true)
    }
}

pub async fn index(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    page(&st, &ctx, None, Errors::default(), "").await
}

pub async fn summary(State(st): State<AppState>, ctx: Ctx, form: FormData) -> AppResult<Response> {
    let r = reports::start_summary(
        &st.core,
        ctx.actor()?,
        &form.get("region"),
        &form.get("period"),
    )
    .await;
    match form_result(ctx.lang, r)? {
        Ok(job) => Ok(see_other(&format!("/admin/jobs/{job}"))),
        Err(e) => page(&st, &ctx, Some(&form), e, "summary").await,
    }
}

pub async fn evidence(State(st): State<AppState>, ctx: Ctx, form: FormData) -> AppResult<Response> {
    let r = reports::start_evidence(
        &st.core,
        ctx.actor()?,
        &form.get("region"),
        &form.get("indicator"),
        &form.get("period"),
    )
    .await;
    match form_result(ctx.lang, r)? {
        Ok(job) => Ok(see_other(&format!("/admin/jobs/{job}"))),
        Err(e) => page(&st, &ctx, Some(&form), e, "evidence").await,
    }
}

#[derive(Template)]
#[template(path = "reports/template.html")]
pub struct TemplatePage {
    pub s: Shell,
    pub body: String,
    pub is_default: bool,
    pub placeholders: Vec<String>,
    pub errors: Errors,
    pub saved: bool,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

async fn template_page(
    st: &AppState,
    ctx: &Ctx,
    typed: Option<String>,
    errors: Errors,
    saved: bool,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let (body, is_default) = reports::template_text(&st.core, &a.region_code).await?;
    let mut c = st.conn().await?;
    let catalogue = chuangye_core::indicators::repo::catalogue(&mut c).await?;
    drop(c);
    let p = TemplatePage {
        s: Shell::new(st, ctx, "report.template_title").await?,
        body: typed.unwrap_or(body),
        is_default,
        placeholders: template::placeholders(&catalogue),
        errors,
        saved,
    };
    if p.errors.is_empty() {
        render(&p)
    } else {
        render_form(&p, true)
    }
}

pub async fn template_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    template_page(&st, &ctx, None, Errors::default(), q.saved.is_some()).await
}

pub async fn template_save(
    State(st): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> AppResult<Response> {
    let body = form.get(template::FIELD);
    match form_result(
        ctx.lang,
        reports::save_template(&st.core, ctx.actor()?, &body).await,
    )? {
        Ok(()) => Ok(see_other("/reports/template?saved=1")),
        Err(e) => template_page(&st, &ctx, Some(body), e, false).await,
    }
}
