//! The portal's submission forms for employers, workers and citizens: a job posting
//! (`/portal/jobs/new`), labour supply (`/portal/labour/new`) and a business idea
//! (`/portal/ideas/new`). Each lands in review at the region chosen, for that region's staff;
//! the page that confirms it shows the lookup code once ([`super::portal_submissions`]).
//! Protected by [`crate::public_form`] (a question in words, a honeypot, a flood limit per
//! address); every field error at its field. Never served from the page cache: the page holds
//! the visitor's own CSRF token and challenge.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chuangye_core::board::model::{self as bm, EntryInput, Kind, TRADES, visibility};
use chuangye_core::board::{public, service};
use chuangye_core::idea::model::{self as im, CATEGORIES, IdeaInput};
use chuangye_core::{Error, FieldError};

use super::portal::{PortalShell, in_script, root};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::pages::{Errors, FormData, render, render_form};
use crate::public_form::{self, Challenge};

#[derive(Template)]
#[template(path = "portal/board_form.html")]
pub struct FormPage {
    pub s: PortalShell,
    pub csrf: String,
    pub kind: String,
    pub action: String,
    pub regions: Vec<(String, String)>,
    pub typed: FormData,
    pub errors: Errors,
    pub challenge: Challenge,
}

impl FormPage {
    pub fn trades(&self) -> &'static [&'static str] {
        TRADES
    }

    pub fn categories(&self) -> &'static [&'static str] {
        CATEGORIES
    }

    pub fn visibilities(&self) -> &'static [&'static str] {
        visibility::ALL
    }

    pub fn v(&self, name: &str) -> String {
        self.typed.get(name)
    }
}

fn action(kind: Kind) -> &'static str {
    match kind {
        Kind::Job => "/portal/jobs/new",
        Kind::Labour => "/portal/labour/new",
        Kind::Idea => "/portal/ideas/new",
    }
}

async fn form_page(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    kind: Kind,
    typed: FormData,
    errors: Errors,
) -> AppResult<Response> {
    let (_, site) = root(st).await?;
    let regions = super::portal::region_options(st, ctx.lang).await?;
    let title = ctx.t(&format!("board.form_title.{}", kind.as_str()));
    let p = FormPage {
        s: PortalShell::new(ctx, headers, title, &in_script(ctx.lang, &site)),
        csrf: ctx.csrf.clone(),
        kind: kind.as_str().to_string(),
        action: action(kind).to_string(),
        regions,
        typed,
        errors,
        challenge: Challenge::issue(st, ctx.lang),
    };
    render_form(&p, p.errors.any())
}

#[derive(Template)]
#[template(path = "portal/board_sent.html")]
pub struct SentPage {
    pub s: PortalShell,
    pub kind: String,
    pub list: String,
    /// The lookup code, shown this once.
    pub code: String,
}

fn entry_input(f: &FormData) -> EntryInput {
    EntryInput {
        employer: f.get("employer"),
        position: f.get("position"),
        trade: f.get("trade"),
        head_count: f.get("head_count"),
        pay_min: f.get("pay_min"),
        pay_max: f.get("pay_max"),
        body: f.get("body"),
        region_code: f.get("region_code"),
        contact_name: f.get("contact_name"),
        contact_phone: f.get("contact_phone"),
        contact_visibility: f.get("contact_visibility"),
        valid_until: f.get("valid_until"),
    }
}

fn idea_input(f: &FormData) -> IdeaInput {
    IdeaInput {
        title: f.get("title"),
        category: f.get("category"),
        invest_min: f.get("invest_min"),
        invest_max: f.get("invest_max"),
        description: f.get("description"),
        region_code: f.get("region_code"),
        submitter_name: f.get("submitter_name"),
        contact_phone: f.get("contact_phone"),
    }
}

/// The field errors of what was typed (the challenge's first, the region's next), or none.
async fn typed_errors(
    st: &AppState,
    kind: Kind,
    form: &FormData,
    challenge: Result<(), FieldError>,
) -> AppResult<Vec<FieldError>> {
    let checked = match kind {
        Kind::Idea => im::check(&idea_input(form), true).map(|_| ()),
        k => bm::check(
            k,
            &entry_input(form),
            chuangye_core::ledger::model::today(),
            false,
        )
        .map(|_| ()),
    };
    let mut errs: Vec<FieldError> = challenge.err().into_iter().collect();
    errs.extend(public::region_error(&st.core, &form.get("region_code")).await?);
    if let Err(Error::Invalid(v)) = checked {
        errs.extend(v.into_iter().filter(|e| e.field != "region_code"));
    }
    Ok(errs)
}

async fn submit(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    kind: Kind,
    form: FormData,
) -> AppResult<Response> {
    public_form::admit(st, ctx)?;
    let errs = typed_errors(st, kind, &form, public_form::check(st, &form)).await?;
    if !errs.is_empty() {
        let errors = Errors::from(ctx.lang, &errs);
        return form_page(st, ctx, headers, kind, form, errors).await;
    }
    let r = match kind {
        Kind::Idea => {
            chuangye_core::idea::service::submit_public(&st.core, &idea_input(&form), &ctx.ip).await
        }
        k => service::submit_public(&st.core, k, &entry_input(&form), &ctx.ip).await,
    };
    match r {
        Ok(receipt) => {
            let (_, site) = root(st).await?;
            let list = match kind {
                Kind::Job => "/portal/jobs",
                Kind::Labour => "/portal/labour",
                Kind::Idea => "/portal/ideas",
            };
            render(&SentPage {
                s: PortalShell::new(
                    ctx,
                    headers,
                    ctx.t("board.sent_title"),
                    &in_script(ctx.lang, &site),
                ),
                kind: kind.as_str().to_string(),
                list: list.to_string(),
                code: receipt.code,
            })
        }
        Err(Error::Invalid(v)) => {
            let errors = Errors::from(ctx.lang, &v);
            form_page(st, ctx, headers, kind, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The region a list's "post yours" link chose (`?region=`).
#[derive(serde::Deserialize, Default)]
pub struct FormQuery {
    #[serde(default)]
    pub region: String,
}

fn preset(q: FormQuery) -> FormData {
    FormData(vec![("region_code".into(), q.region)])
}

pub async fn job_form(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<FormQuery>,
) -> AppResult<Response> {
    form_page(&st, &ctx, &headers, Kind::Job, preset(q), Errors::default()).await
}

pub async fn job_submit(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    form: FormData,
) -> AppResult<Response> {
    submit(&st, &ctx, &headers, Kind::Job, form).await
}

pub async fn labour_form(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<FormQuery>,
) -> AppResult<Response> {
    form_page(
        &st,
        &ctx,
        &headers,
        Kind::Labour,
        preset(q),
        Errors::default(),
    )
    .await
}

pub async fn labour_submit(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    form: FormData,
) -> AppResult<Response> {
    submit(&st, &ctx, &headers, Kind::Labour, form).await
}

pub async fn idea_form(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<FormQuery>,
) -> AppResult<Response> {
    form_page(
        &st,
        &ctx,
        &headers,
        Kind::Idea,
        preset(q),
        Errors::default(),
    )
    .await
}

pub async fn idea_submit(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    form: FormData,
) -> AppResult<Response> {
    submit(&st, &ctx, &headers, Kind::Idea, form).await
}
