//! The portal's job board and project library for citizens: lists of job postings, labour
//! supply and business ideas with their filters (trade or category, region and below, pay,
//! words), and one record's page — the contact as the poster chose, suggested matches, and a
//! notice answered 410 once a record is withdrawn or past its day. Served from the page cache
//! like the rest of the portal; nothing here holds a form that posts.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use chuangye_core::board::model::{Contact, Entry, Kind, TRADES, parse_count};
use chuangye_core::board::public::{self, Public};
use chuangye_core::board::repo::Filters;
use chuangye_core::idea::model::{CATEGORIES, Idea};
use chuangye_core::idea::public as idea_public;

use super::portal::{GonePage, PortalShell, Rendered, asked_region, in_script, page, root, serve};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

/// The filters of a public list as typed in its address (all text: a bad value is ignored,
/// never an error page).
#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub trade: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub pay_min: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: String,
}

impl ListQuery {
    fn page(&self) -> i64 {
        parse_count(&self.page).unwrap_or(1).clamp(1, 10_000)
    }

    fn keyword(&self) -> Option<String> {
        chuangye_core::board::model::keyword(&self.q)
    }
}

fn entry_in_script(lang: Lang, mut e: Entry) -> Entry {
    if lang == Lang::ZhHant {
        for f in [&mut e.employer, &mut e.position] {
            *f = f.as_deref().map(|v| in_script(lang, v));
        }
        e.body = in_script(lang, &e.body);
        e.region_name = in_script(lang, &e.region_name);
        e.contact_name = in_script(lang, &e.contact_name);
    }
    e
}

fn idea_in_script(lang: Lang, mut i: Idea) -> Idea {
    if lang == Lang::ZhHant {
        i.title = in_script(lang, &i.title);
        i.description = in_script(lang, &i.description);
        i.region_name = in_script(lang, &i.region_name);
    }
    i
}

/// The list address of a kind.
fn list_path(kind: Kind) -> &'static str {
    match kind {
        Kind::Job => "/portal/jobs",
        Kind::Labour => "/portal/labour",
        Kind::Idea => "/portal/ideas",
    }
}

#[derive(Template)]
#[template(path = "portal/board_list.html")]
pub struct BoardListPage {
    pub s: PortalShell,
    pub kind: String,
    pub path: String,
    pub region_code: String,
    pub region_name: String,
    pub trade: String,
    pub pay_min: String,
    pub q: String,
    pub rows: Vec<Entry>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// This list's filters as a query string, for the page links.
    pub base: String,
}

impl BoardListPage {
    pub fn trades(&self) -> &'static [&'static str] {
        TRADES
    }
}

async fn board_list(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    kind: Kind,
    q: ListQuery,
) -> AppResult<Rendered> {
    let (_, site) = root(st).await?;
    let (region_code, region_name) = asked_region(st, &q.region).await?;
    let trade = Some(q.trade.trim().to_string()).filter(|t| TRADES.contains(&t.as_str()));
    let pay_min = parse_count(&q.pay_min).filter(|_| kind == Kind::Job);
    let f = Filters {
        region: region_code.clone(),
        trade: trade.clone(),
        pay_min,
        keyword: q.keyword(),
    };
    let page_no = q.page();
    let (rows, total) = public::list(&st.core, kind, &f, page_no).await?;
    let rows = rows
        .into_iter()
        .map(|e| entry_in_script(ctx.lang, e))
        .collect();
    let region_name = in_script(ctx.lang, &region_name);
    let pay_min = pay_min.map(|p| p.to_string()).unwrap_or_default();
    let q_text = f.keyword.clone().unwrap_or_default();
    let base = serde_urlencoded::to_string([
        ("region", region_code.as_str()),
        ("trade", trade.as_deref().unwrap_or("")),
        ("pay_min", pay_min.as_str()),
        ("q", q_text.as_str()),
    ])
    .unwrap_or_default();
    let title = format!(
        "{} · {region_name}",
        ctx.t(&format!("portal.kind.{}", kind.as_str()))
    );
    let p = BoardListPage {
        s: PortalShell::new(ctx, headers, title, &in_script(ctx.lang, &site)),
        kind: kind.as_str().to_string(),
        path: list_path(kind).to_string(),
        region_code,
        region_name,
        trade: trade.unwrap_or_default(),
        pay_min,
        q: q_text,
        rows,
        total,
        page: page_no,
        pages: (total + public::PAGE - 1) / public::PAGE,
        base,
    };
    page(&p, None)
}

pub async fn jobs(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let make = board_list(&st, &ctx, &headers, Kind::Job, q);
    serve(&st, &ctx, &headers, &uri, make).await
}

pub async fn labour_list(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let make = board_list(&st, &ctx, &headers, Kind::Labour, q);
    serve(&st, &ctx, &headers, &uri, make).await
}

#[derive(Template)]
#[template(path = "portal/board_entry.html")]
pub struct BoardEntryPage {
    pub s: PortalShell,
    pub e: Entry,
    /// Name and phone, in full or masked, as the poster chose.
    pub contact: Option<(String, String)>,
    /// The service point to ask instead, and its hotline (blank when it has none).
    pub service_point: Option<(String, String)>,
    pub matches: Vec<Entry>,
    pub list: String,
}

fn gone(
    ctx: &Ctx,
    headers: &HeaderMap,
    site: &str,
    title: &str,
    reason: Option<String>,
    expired: bool,
) -> AppResult<Rendered> {
    let title = in_script(ctx.lang, title);
    let p = GonePage {
        s: PortalShell::new(ctx, headers, title.clone(), site),
        item_title: title,
        reason,
        expired,
    };
    // A full answer says the record is gone; a revalidated notice stays a 304.
    let mut r = page(&p, None)?;
    r.status = StatusCode::GONE;
    Ok(r)
}

async fn board_entry(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    kind: Kind,
    id: String,
) -> AppResult<Rendered> {
    let (_, site) = root(st).await?;
    let site = in_script(ctx.lang, &site);
    match public::entry(&st.core, kind, &id).await? {
        Public::Shown(e) => {
            let (contact, service_point) = match public::contact(&st.core, &e).await? {
                Contact::Public { name, phone } | Contact::Masked { name, phone } => {
                    (Some((in_script(ctx.lang, &name), phone)), None)
                }
                Contact::Staff {
                    service_point,
                    hotline,
                } => (
                    None,
                    Some((
                        in_script(ctx.lang, &service_point),
                        hotline.unwrap_or_default(),
                    )),
                ),
            };
            let matches = public::matches_of(&st.core, &e, public::MATCHES)
                .await?
                .into_iter()
                .map(|m| entry_in_script(ctx.lang, m))
                .collect();
            let updated = e.updated_at;
            let e = entry_in_script(ctx.lang, *e);
            let title = match kind {
                Kind::Job => e.title(),
                _ => format!(
                    "{} {}{}",
                    ctx.t(&format!("board.trade.{}", e.trade)),
                    e.head_count,
                    ctx.t("board.people")
                ),
            };
            let p = BoardEntryPage {
                s: PortalShell::new(ctx, headers, title, &site),
                e,
                contact,
                service_point,
                matches,
                list: list_path(kind).to_string(),
            };
            // No Last-Modified: the page also shows matches and the service point, which
            // change without the entry; the ETag covers all of it.
            let _ = updated;
            page(&p, None)
        }
        Public::Gone {
            title,
            reason,
            expired,
        } => gone(ctx, headers, &site, &title, reason, expired),
    }
}

pub async fn job(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let make = board_entry(&st, &ctx, &headers, Kind::Job, id);
    serve(&st, &ctx, &headers, &uri, make).await
}

pub async fn labour(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let make = board_entry(&st, &ctx, &headers, Kind::Labour, id);
    serve(&st, &ctx, &headers, &uri, make).await
}

#[derive(Template)]
#[template(path = "portal/ideas.html")]
pub struct IdeasPage {
    pub s: PortalShell,
    pub region_code: String,
    pub region_name: String,
    pub category: String,
    pub q: String,
    pub rows: Vec<Idea>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub base: String,
}

impl IdeasPage {
    pub fn categories(&self) -> &'static [&'static str] {
        CATEGORIES
    }
}

async fn ideas_page(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    q: ListQuery,
) -> AppResult<Rendered> {
    let (_, site) = root(st).await?;
    let (region_code, region_name) = asked_region(st, &q.region).await?;
    let category = Some(q.category.trim().to_string()).filter(|c| CATEGORIES.contains(&c.as_str()));
    let f = chuangye_core::idea::repo::Filters {
        region: region_code.clone(),
        category: category.clone(),
        keyword: q.keyword(),
    };
    let page_no = q.page();
    let (rows, total) = idea_public::list(&st.core, &f, page_no).await?;
    let q_text = f.keyword.clone().unwrap_or_default();
    let base = serde_urlencoded::to_string([
        ("region", region_code.as_str()),
        ("category", category.as_deref().unwrap_or("")),
        ("q", q_text.as_str()),
    ])
    .unwrap_or_default();
    let region_name = in_script(ctx.lang, &region_name);
    let title = format!("{} · {region_name}", ctx.t("portal.kind.idea"));
    let p = IdeasPage {
        s: PortalShell::new(ctx, headers, title, &in_script(ctx.lang, &site)),
        region_code,
        region_name,
        category: category.unwrap_or_default(),
        q: q_text,
        rows: rows
            .into_iter()
            .map(|i| idea_in_script(ctx.lang, i))
            .collect(),
        total,
        page: page_no,
        pages: (total + idea_public::PAGE - 1) / idea_public::PAGE,
        base,
    };
    page(&p, None)
}

pub async fn ideas(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let make = ideas_page(&st, &ctx, &headers, q);
    serve(&st, &ctx, &headers, &uri, make).await
}

#[derive(Template)]
#[template(path = "portal/idea.html")]
pub struct IdeaPage {
    pub s: PortalShell,
    pub idea: Idea,
    pub submitter: Option<String>,
}

async fn idea_page(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    id: String,
) -> AppResult<Rendered> {
    let (_, site) = root(st).await?;
    let site = in_script(ctx.lang, &site);
    match idea_public::idea(&st.core, &id).await? {
        Public::Shown(i) => {
            let updated = i.updated_at;
            let submitter = i.submitter_public().map(|n| in_script(ctx.lang, &n));
            let idea = idea_in_script(ctx.lang, *i);
            let p = IdeaPage {
                s: PortalShell::new(ctx, headers, idea.title.clone(), &site),
                idea,
                submitter,
            };
            page(&p, Some(updated))
        }
        Public::Gone {
            title,
            reason,
            expired,
        } => gone(ctx, headers, &site, &title, reason, expired),
    }
}

pub async fn idea(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if id.len() > 64 {
        return Err(AppError::NotFound);
    }
    let make = idea_page(&st, &ctx, &headers, id);
    serve(&st, &ctx, &headers, &uri, make).await
}

/// A posting's pay range as read ("3500–5000 元/月", "面议").
pub fn pay_text(lang: Lang, e: &Entry) -> String {
    let unit = lang.t("board.yuan_month");
    match (e.pay_min, e.pay_max) {
        (Some(lo), Some(hi)) if lo == hi => format!("{lo} {unit}"),
        (Some(lo), Some(hi)) => format!("{lo}–{hi} {unit}"),
        (Some(lo), None) => format!("≥{lo} {unit}"),
        (None, Some(hi)) => format!("≤{hi} {unit}"),
        (None, None) => lang.t("board.pay_open"),
    }
}

/// An idea's investment range in ten thousand yuan.
pub fn invest_text(lang: Lang, i: &Idea) -> String {
    let unit = lang.t("idea.wan_yuan");
    match (i.invest_min, i.invest_max) {
        (Some(lo), Some(hi)) if lo == hi => format!("{lo} {unit}"),
        (Some(lo), Some(hi)) => format!("{lo}–{hi} {unit}"),
        (Some(lo), None) => format!("≥{lo} {unit}"),
        (None, Some(hi)) => format!("≤{hi} {unit}"),
        (None, None) => String::new(),
    }
}

impl BoardListPage {
    pub fn pay(&self, e: &Entry) -> String {
        pay_text(self.s.lang, e)
    }
}

impl BoardEntryPage {
    /// A number as a `tel:` address: digits and a leading plus only (a phone dials no spaces,
    /// hyphens or parentheses).
    pub fn tel(&self, number: &str) -> String {
        number
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    }

    pub fn pay(&self, e: &Entry) -> String {
        pay_text(self.s.lang, e)
    }
}

impl IdeasPage {
    pub fn invest(&self, i: &Idea) -> String {
        invest_text(self.s.lang, i)
    }
}

impl IdeaPage {
    pub fn invest(&self) -> String {
        invest_text(self.s.lang, &self.idea)
    }
}
