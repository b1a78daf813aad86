//! Following a submission on the portal (查看审核结果): an employer, worker or citizen who sent a
//! posting, supply or an idea types the lookup code from the receipt and reads how it stands —
//! waiting, published (with a link), returned or rejected with the reason, withdrawn with the
//! reason, or expired; never the contact. The code is posted (kept out of addresses and logs),
//! each attempt goes through the lookup limiter, and the page is never cached.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chuangye_core::board::Kind;
use chuangye_core::board::lookup::{self, Submission};

use super::portal::{PortalShell, in_script, root};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::pages::{Errors, FormData, render_form};
use crate::public_form;

/// A submission as the page shows it, in the reader's script.
pub struct Found {
    pub kind: String,
    pub title: String,
    pub trade: Option<String>,
    pub head_count: Option<i64>,
    pub region_name: String,
    pub sent_at: i64,
    pub state: String,
    pub reason: Option<String>,
    pub url: Option<String>,
    /// The form to send it again.
    pub form: String,
}

impl Found {
    fn of(lang: Lang, s: Submission) -> Found {
        let form = match s.kind {
            Kind::Job => "/portal/jobs/new",
            Kind::Labour => "/portal/labour/new",
            Kind::Idea => "/portal/ideas/new",
        };
        Found {
            kind: s.kind.as_str().to_string(),
            title: in_script(lang, &s.title),
            trade: s.trade,
            head_count: s.head_count,
            region_name: in_script(lang, &s.region_name),
            sent_at: s.sent_at,
            state: s.state,
            reason: s.reason.map(|r| in_script(lang, &r)),
            url: s.url,
            form: form.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "portal/board_lookup.html")]
pub struct LookupPage {
    pub s: PortalShell,
    pub csrf: String,
    pub typed: String,
    pub errors: Errors,
    pub found: Option<Found>,
}

async fn lookup_page(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    typed: String,
    found: Option<Submission>,
    errors: Errors,
) -> AppResult<Response> {
    let (_, site) = root(st).await?;
    let p = LookupPage {
        s: PortalShell::new(
            ctx,
            headers,
            ctx.t("board.lookup"),
            &in_script(ctx.lang, &site),
        ),
        csrf: ctx.csrf.clone(),
        typed,
        errors,
        found: found.map(|f| Found::of(ctx.lang, f)),
    };
    render_form(&p, p.errors.any())
}

/// The form to type a lookup code into.
pub async fn lookup_form(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> AppResult<Response> {
    lookup_page(&st, &ctx, &headers, String::new(), None, Errors::default()).await
}

/// How the submission a code opens stands; a bad code is a field error (422).
pub async fn lookup(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    form: FormData,
) -> AppResult<Response> {
    public_form::admit_lookup(&st, &ctx)?;
    let typed = form.get("code");
    match lookup::lookup(&st.core, &typed).await {
        Ok(s) => lookup_page(&st, &ctx, &headers, typed, Some(s), Errors::default()).await,
        Err(chuangye_core::Error::Invalid(v)) => {
            let errors = Errors::from(ctx.lang, &v);
            lookup_page(&st, &ctx, &headers, typed, None, errors).await
        }
        Err(e) => Err(e.into()),
    }
}
