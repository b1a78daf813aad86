//! Consultations on the portal (我要咨询): the question form (protected by a question in words,
//! a honeypot and a flood limit — see `public_form`), the receipt with the lookup code, reading
//! the reply with the code, the public questions and answers, and the monthly figures. The
//! form pages carry the visitor's CSRF token and are never cached; the Q&A pages are.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use chuangye_core::consultation::model::{self as cm, AskInput, Consultation};
use chuangye_core::consultation::{public, service};

use super::portal::{PortalShell, asked_region, in_script, page, root, serve};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::pages::{Errors, FormData, render, render_form};
use crate::public_form::{self, Challenge};

/// A question in the reader's script (Traditional readers get it converted).
fn in_reader_script(lang: Lang, mut q: Consultation) -> Consultation {
    if lang == Lang::ZhHant {
        q.question = in_script(lang, &q.question);
        q.answer = q.answer.map(|a| in_script(lang, &a));
        q.region_name = in_script(lang, &q.region_name);
        q.handler_name = in_script(lang, &q.handler_name);
        q.dismiss_reason = q.dismiss_reason.map(|a| in_script(lang, &a));
    }
    q
}

#[derive(Template)]
#[template(path = "portal/ask.html")]
pub struct AskPage {
    pub s: PortalShell,
    pub csrf: String,
    pub regions: Vec<(String, String)>,
    pub typed: FormData,
    pub errors: Errors,
    pub challenge: Challenge,
    pub reply_days: u32,
}

impl AskPage {
    pub fn categories(&self) -> &'static [&'static str] {
        cm::CATEGORIES
    }
}

async fn ask_page(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    typed: FormData,
    errors: Errors,
) -> AppResult<Response> {
    let (_, site) = root(st).await?;
    let regions = super::portal::region_options(st, ctx.lang).await?;
    let p = AskPage {
        s: PortalShell::new(
            ctx,
            headers,
            ctx.t("ask.title"),
            &in_script(ctx.lang, &site),
        ),
        csrf: ctx.csrf.clone(),
        regions,
        typed,
        errors,
        challenge: Challenge::issue(st, ctx.lang),
        reply_days: service::reply_days(&st.core).await?,
    };
    render_form(&p, p.errors.any())
}

#[derive(serde::Deserialize, Default)]
pub struct AskQuery {
    #[serde(default)]
    pub region: String,
}

/// The question form; `?region=` chooses the region (a community's page links to it).
pub async fn form(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<AskQuery>,
) -> AppResult<Response> {
    let typed = FormData(vec![("region".into(), q.region)]);
    ask_page(&st, &ctx, &headers, typed, Errors::default()).await
}

#[derive(Template)]
#[template(path = "portal/asked.html")]
pub struct AskedPage {
    pub s: PortalShell,
    pub code: String,
    pub due_on: String,
}

/// Records the question; the receipt shows the lookup code once.
pub async fn submit(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    form: FormData,
) -> AppResult<Response> {
    public_form::admit(&st, &ctx)?;
    let input = AskInput {
        category: form.get("category"),
        region: form.get("region"),
        question: form.get("question"),
        name: form.get("name"),
        contact: form.get("contact"),
        private: form.get("private"),
    };
    if let Err(e) = public_form::check(&st, &form) {
        // Every mistake at once: the form's own checks beside the question in words.
        let mut all = match cm::check(&input) {
            Err(chuangye_core::Error::Invalid(v)) => v,
            _ => Vec::new(),
        };
        all.push(e);
        let errors = Errors::from(ctx.lang, &all);
        return ask_page(&st, &ctx, &headers, form, errors).await;
    }
    match service::ask(&st.core, &input).await {
        Ok(receipt) => {
            let (_, site) = root(&st).await?;
            render(&AskedPage {
                s: PortalShell::new(
                    &ctx,
                    &headers,
                    ctx.t("ask.sent"),
                    &in_script(ctx.lang, &site),
                ),
                code: receipt.code,
                due_on: receipt.due_on,
            })
        }
        Err(chuangye_core::Error::Invalid(v)) => {
            let errors = Errors::from(ctx.lang, &v);
            ask_page(&st, &ctx, &headers, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "portal/lookup.html")]
pub struct LookupPage {
    pub s: PortalShell,
    pub csrf: String,
    pub typed: String,
    pub errors: Errors,
    pub found: Option<Consultation>,
}

async fn lookup_page(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    typed: String,
    found: Option<Consultation>,
    errors: Errors,
) -> AppResult<Response> {
    let (_, site) = root(st).await?;
    let p = LookupPage {
        s: PortalShell::new(
            ctx,
            headers,
            ctx.t("ask.lookup"),
            &in_script(ctx.lang, &site),
        ),
        csrf: ctx.csrf.clone(),
        typed,
        errors,
        found: found.map(|q| in_reader_script(ctx.lang, q)),
    };
    render_form(&p, p.errors.any())
}

/// The form to read a reply with the lookup code.
pub async fn lookup_form(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> AppResult<Response> {
    lookup_page(&st, &ctx, &headers, String::new(), None, Errors::default()).await
}

/// The asker's question and its reply (posted, so the code stays out of addresses and logs).
pub async fn lookup(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    form: FormData,
) -> AppResult<Response> {
    public_form::admit_lookup(&st, &ctx)?;
    let typed = form.get("code");
    match service::lookup(&st.core, &typed).await {
        Ok(q) => lookup_page(&st, &ctx, &headers, typed, Some(q), Errors::default()).await,
        Err(chuangye_core::Error::Invalid(v)) => {
            let errors = Errors::from(ctx.lang, &v);
            lookup_page(&st, &ctx, &headers, typed, None, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "portal/qa_list.html")]
pub struct QaListPage {
    pub s: PortalShell,
    pub region_code: String,
    pub region_name: String,
    pub rows: Vec<Consultation>,
    pub page: i64,
    pub pages: i64,
}

#[derive(serde::Deserialize, Default)]
pub struct QaQuery {
    #[serde(default)]
    pub region: String,
    pub page: Option<i64>,
}

/// The published questions and answers of a region and below.
pub async fn qa_list(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<QaQuery>,
) -> AppResult<Response> {
    serve(&st, &ctx, &headers, &uri, async {
        let (_, site) = root(&st).await?;
        let (region_code, region_name) = asked_region(&st, &q.region).await?;
        let page_no = q.page.unwrap_or(1).clamp(1, 10_000);
        let (rows, total) = public::list(&st.core, &region_code, page_no).await?;
        let region_name = in_script(ctx.lang, &region_name);
        let p = QaListPage {
            s: PortalShell::new(
                &ctx,
                &headers,
                format!("{} · {region_name}", ctx.t("ask.qa")),
                &in_script(ctx.lang, &site),
            ),
            region_code,
            region_name,
            rows: rows
                .into_iter()
                .map(|r| in_reader_script(ctx.lang, r))
                .collect(),
            page: page_no,
            pages: (total + public::PAGE - 1) / public::PAGE,
        };
        page(&p, None)
    })
    .await
}

#[derive(Template)]
#[template(path = "portal/qa.html")]
pub struct QaPage {
    pub s: PortalShell,
    pub q: Consultation,
}

/// One published question and its answer.
pub async fn qa(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> AppResult<Response> {
    serve(&st, &ctx, &headers, &uri, async {
        let (_, site) = root(&st).await?;
        let q = in_reader_script(ctx.lang, public::get(&st.core, &id).await?);
        let p = QaPage {
            s: PortalShell::new(&ctx, &headers, q.title(), &in_script(ctx.lang, &site)),
            q,
        };
        let last_modified = p.q.answered_at;
        page(&p, last_modified)
    })
    .await
}

#[derive(Template)]
#[template(path = "portal/qa_stats.html")]
pub struct StatsPage {
    pub s: PortalShell,
    pub region_code: String,
    pub region_name: String,
    pub months: Vec<public::MonthStats>,
    /// The answered and on-time bars, newest month last.
    pub chart: String,
}

impl StatsPage {
    pub fn rate(&self, m: &public::MonthStats) -> String {
        m.on_time_permille()
            .map(|p| format!("{}.{}%", p / 10, p % 10))
            .unwrap_or_else(|| "—".into())
    }
}

/// The monthly figures of a region and below: received, answered, answered on time.
pub async fn stats(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<QaQuery>,
) -> AppResult<Response> {
    serve(&st, &ctx, &headers, &uri, async {
        let (_, site) = root(&st).await?;
        let (region_code, region_name) = asked_region(&st, &q.region).await?;
        let months = public::monthly_stats(&st.core, &region_code, 12).await?;
        let chart = stats_chart(&ctx, &months);
        let region_name = in_script(ctx.lang, &region_name);
        let p = StatsPage {
            s: PortalShell::new(
                &ctx,
                &headers,
                format!("{} · {region_name}", ctx.t("ask.stats")),
                &in_script(ctx.lang, &site),
            ),
            region_code,
            region_name,
            months,
            chart,
        };
        page(&p, None)
    })
    .await
}

/// Received and answered over the twelve months as two lines (an SVG drawn on the server).
fn stats_chart(ctx: &Ctx, months: &[public::MonthStats]) -> String {
    let labels: Vec<String> = months
        .iter()
        .rev()
        .map(|m| m.month[5..].to_string())
        .collect();
    let received: Vec<i64> = months.iter().rev().map(|m| m.received).collect();
    let answered: Vec<i64> = months.iter().rev().map(|m| m.answered).collect();
    let (r, a) = (ctx.t("ask.received"), ctx.t("ask.answered"));
    crate::charts::months(
        &ctx.t("ask.stats"),
        &labels,
        &[(&r, "this-year", &received), (&a, "last-year", &answered)],
    )
}
