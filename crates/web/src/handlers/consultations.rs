//! The back office of consultations (群众咨询): the questions asked of the region and below
//! (late and soon-due ones first), answering (published on the Q&A page unless private),
//! dismissing what is not a question, taking an answer off the public page or putting it
//! back, revealing the asker's number (audited), and the reply deadline (campaign office).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chuangye_core::consultation::model::state;
use chuangye_core::consultation::repo::Filter;
use chuangye_core::consultation::{Consultation, service};
use chuangye_core::org::Permission;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::pages::{Errors, FormData, Shell, form_result, render_form, see_other};

#[derive(Template)]
#[template(path = "consultations/list.html")]
pub struct ListPage {
    pub s: Shell,
    pub rows: Vec<Consultation>,
    /// Whether there is a page after this one.
    pub more: bool,
    pub filter: Filter,
    pub today: String,
    /// What waits at the actor's own service point.
    pub waiting: chuangye_core::consultation::repo::Waiting,
    pub reply_days: u32,
    pub can_configure: bool,
    pub errors: Errors,
}

impl ListPage {
    pub fn page(&self) -> i64 {
        self.filter.page.unwrap_or(1).max(1)
    }

    /// The address of another page of this list.
    pub fn page_href(&self, page: i64) -> String {
        let f = &self.filter;
        let q = serde_urlencoded::to_string([
            ("queue", f.queue.as_str()),
            ("state", f.state.as_str()),
            ("region", f.region.as_str()),
            ("from", f.from.as_str()),
            ("to", f.to.as_str()),
            ("page", page.to_string().as_str()),
        ])
        .unwrap_or_default();
        format!("/consultations?{q}")
    }

    pub fn states(&self) -> [&'static str; 3] {
        [state::OPEN, state::ANSWERED, state::DISMISSED]
    }
}

async fn list_page(
    st: &AppState,
    ctx: &Ctx,
    filter: Filter,
    errors: Errors,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let (rows, more) = service::list(&st.core, a, &filter).await?;
    let waiting = service::waiting(&st.core, a).await?;
    let p = ListPage {
        s: Shell::new(st, ctx, "nav.consultations").await?,
        rows,
        more,
        filter,
        today: chuangye_core::ledger::model::fmt_date(chuangye_core::ledger::model::today()),
        waiting,
        reply_days: service::reply_days(&st.core).await?,
        can_configure: a.can(Permission::ConsultationConfigure),
        errors,
    };
    render_form(&p, p.errors.any())
}

pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<Filter>,
) -> AppResult<Response> {
    list_page(&st, &ctx, filter, Errors::default()).await
}

/// Sets the reply deadline in working days.
pub async fn settings(State(st): State<AppState>, ctx: Ctx, form: FormData) -> AppResult<Response> {
    let r = service::set_reply_days(&st.core, ctx.actor()?, &form.get("reply_days")).await;
    match form_result(ctx.lang, r)? {
        Ok(_) => Ok(see_other("/consultations")),
        Err(errors) => list_page(&st, &ctx, Filter::default(), errors).await,
    }
}

#[derive(Template)]
#[template(path = "consultations/show.html")]
pub struct ShowPage {
    pub s: Shell,
    pub q: Consultation,
    pub typed: FormData,
    pub errors: Errors,
    pub today: String,
    pub can_unmask: bool,
    /// The asker's number in full, just revealed.
    pub contact: Option<String>,
}

async fn show_page(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    typed: FormData,
    errors: Errors,
    contact: Option<String>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let q = service::get(&st.core, a, id).await?;
    let p = ShowPage {
        s: Shell::new(st, ctx, "nav.consultations")
            .await?
            .crumb("/consultations", ctx.t("nav.consultations")),
        q,
        typed,
        errors,
        today: chuangye_core::ledger::model::fmt_date(chuangye_core::ledger::model::today()),
        can_unmask: a.can(Permission::PersonalUnmask),
        contact,
    };
    render_form(&p, p.errors.any())
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    show_page(&st, &ctx, &id, FormData::default(), Errors::default(), None).await
}

/// After a write: back to the question, or the form again with its errors.
async fn after(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    form: FormData,
    r: chuangye_core::Result<()>,
) -> AppResult<Response> {
    match form_result(ctx.lang, r)? {
        Ok(()) => Ok(see_other(&format!("/consultations/{id}"))),
        Err(errors) => show_page(st, ctx, id, form, errors, None).await,
    }
}

pub async fn answer(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let seen = form.get("seen").parse().ok();
    let publish = form.get("publish") == "1";
    let r = service::answer(
        &st.core,
        ctx.actor()?,
        &id,
        &form.get("answer"),
        publish,
        seen,
    )
    .await;
    after(&st, &ctx, &id, form, r).await
}

pub async fn dismiss(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let r = service::dismiss(&st.core, ctx.actor()?, &id, &form.get("reason")).await;
    after(&st, &ctx, &id, form, r).await
}

pub async fn publish(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let on = form.get("publish") == "1";
    let r = service::set_published(&st.core, ctx.actor()?, &id, on).await;
    after(&st, &ctx, &id, form, r).await
}

/// Shows the asker's number in full (audited; only with `personal.unmask`).
pub async fn contact(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let number = service::reveal_contact(&st.core, ctx.actor()?, &id).await?;
    show_page(
        &st,
        &ctx,
        &id,
        FormData::default(),
        Errors::default(),
        Some(number),
    )
    .await
}
