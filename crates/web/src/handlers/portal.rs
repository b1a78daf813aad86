//! The public portal (全民创业网): home, a page per region, lists and details of published
//! content, Chinese search, and the reader's preferences (elder mode; the language links switch
//! Simplified and Traditional). No login; nothing here changes data. Pages carry an ETag (and a
//! detail its Last-Modified) so browsers and proxies revalidate instead of downloading again.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use chuangye_core::org::RegionScope;
use chuangye_core::portal::Item;
use chuangye_core::portal::model::KINDS;
use chuangye_core::portal::public::{self, Public};

use crate::AppState;
use crate::ctx::{Ctx, cookie, set_cookie};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

pub const ELDER_COOKIE: &str = "cy_elder";

/// The frame of every public page.
pub struct PortalShell {
    pub lang: Lang,
    pub title: String,
    pub path: String,
    pub elder: bool,
    /// The deployment's root region: the site's name.
    pub site: String,
    pub langs: Vec<(&'static str, &'static str, bool)>,
}

impl PortalShell {
    pub(crate) fn new(ctx: &Ctx, headers: &HeaderMap, title: String, site: &str) -> PortalShell {
        PortalShell {
            lang: ctx.lang,
            title,
            path: ctx.path.clone(),
            elder: cookie(headers, ELDER_COOKIE) == Some("1"),
            site: site.to_string(),
            langs: Lang::ALL
                .iter()
                .map(|l| (l.code(), l.label(), *l == ctx.lang))
                .collect(),
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    pub fn tk(&self, prefix: &str, suffix: &str) -> String {
        self.lang.t(&format!("{prefix}{suffix}"))
    }

    pub fn date(&self, unix: &Option<i64>) -> String {
        unix.map(|t| self.lang.datetime(t).chars().take(10).collect())
            .unwrap_or_default()
    }

    pub fn day(&self, unix: &i64) -> String {
        self.date(&Some(*unix))
    }

    pub fn kinds(&self) -> &'static [&'static str] {
        KINDS
    }

    /// What search can be narrowed to: the content kinds and the other public records.
    pub fn search_kinds(&self) -> &'static [&'static str] {
        SEARCH_KINDS
    }
}

/// The kinds of every searchable record, in the order the search filter offers them.
pub const SEARCH_KINDS: &[&str] = &[
    "policy", "measure", "news", "story", "notice", "profile", "qa", "job", "labour", "idea",
];

/// Published text in the script the reader chose: Traditional readers get it converted.
pub(crate) fn in_script(lang: Lang, text: &str) -> String {
    if lang == Lang::ZhHant {
        chuangye_core::portal::search::to_traditional(text)
    } else {
        text.to_string()
    }
}

fn item_in_script(lang: Lang, mut i: Item) -> Item {
    if lang == Lang::ZhHant {
        i.title = in_script(lang, &i.title);
        i.summary = in_script(lang, &i.summary);
        i.body = in_script(lang, &i.body);
        i.region_name = in_script(lang, &i.region_name);
    }
    i
}

fn items_in_script(lang: Lang, items: Vec<Item>) -> Vec<Item> {
    items.into_iter().map(|i| item_in_script(lang, i)).collect()
}

/// The deployment's root region's code.
async fn root_code(st: &AppState) -> AppResult<String> {
    chuangye_core::org::service::root_region(&st.core)
        .await?
        .ok_or(AppError::NotFound)
}

/// The regions a public form offers, as options: (code, name in the reader's script indented
/// by its depth below the root).
pub(crate) async fn region_options(st: &AppState, lang: Lang) -> AppResult<Vec<(String, String)>> {
    let rows = chuangye_core::org::service::site_regions(&st.core).await?;
    let top = rows.first().map_or(0, |r| r.2);
    Ok(rows
        .into_iter()
        .map(|(code, name, level)| {
            let indent = "\u{3000}".repeat((level - top).max(0) as usize);
            (code, format!("{indent}{}", in_script(lang, &name)))
        })
        .collect())
}

/// The deployment's root region (code, name).
pub(crate) async fn root(st: &AppState) -> AppResult<(String, String)> {
    let code = root_code(st).await?;
    let name = region_name(st, &code).await?;
    Ok((code, name))
}

async fn region_name(st: &AppState, code: &str) -> AppResult<String> {
    let mut c = st.conn().await?;
    let r = chuangye_core::org::repo::region_get(&mut c, &RegionScope::of(code), code).await?;
    Ok(r.ok_or(AppError::NotFound)?.name)
}

/// A region of the deployment (its root or below) that exists, else 404: (code, name).
async fn region_in_site(st: &AppState, code: &str) -> AppResult<(String, String)> {
    if !RegionScope::of(&root_code(st).await?).contains(code) {
        return Err(AppError::NotFound);
    }
    Ok((code.to_string(), region_name(st, code).await?))
}

/// The region a public list, feed or API call asks for (`region=`), the root when blank.
pub(crate) async fn asked_region(st: &AppState, asked: &str) -> AppResult<(String, String)> {
    match asked.trim() {
        "" => region_in_site(st, &root_code(st).await?).await,
        code => region_in_site(st, code).await,
    }
}

/// A rendered public page: what is cached and what answers.
#[derive(Clone)]
pub struct Rendered {
    pub status: StatusCode,
    pub html: Arc<str>,
    pub etag: String,
    pub last_modified: Option<i64>,
}

impl Rendered {
    fn new(html: String, last_modified: Option<i64>) -> Rendered {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        html.hash(&mut h);
        Rendered {
            status: StatusCode::OK,
            etag: format!("W/\"{:016x}\"", h.finish()),
            html: html.into(),
            last_modified,
        }
    }

    /// The answer, with its ETag; 304 when the browser has these bytes.
    /// The answer, with its ETag; 304 when the browser has these bytes: its `If-None-Match`
    /// names this ETag, or (without one) its `If-Modified-Since` is not before the page's
    /// last change (RFC 9110 §13.2.2).
    fn respond(&self, headers: &HeaderMap) -> Response {
        let fresh = match headers.get(header::IF_NONE_MATCH) {
            Some(v) => v
                .to_str()
                .is_ok_and(|v| v.split(',').any(|t| t.trim() == self.etag)),
            None => self.last_modified.is_some_and(|lm| {
                headers
                    .get(header::IF_MODIFIED_SINCE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_http_date)
                    .is_some_and(|since| since >= lm)
            }),
        };
        let mut resp = if fresh {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let body =
                axum::body::Body::from(axum::body::Bytes::from(self.html.as_bytes().to_vec()));
            (
                self.status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                body,
            )
                .into_response()
        };
        let hs = resp.headers_mut();
        if let Ok(v) = self.etag.parse() {
            hs.insert(header::ETAG, v);
        }
        // Private: a first visit also sets the visitor's own CSRF cookie, which no shared cache
        // may hand to someone else.
        hs.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("private, no-cache"),
        );
        hs.insert(
            header::VARY,
            header::HeaderValue::from_static("Cookie, Accept-Language, Accept-Encoding"),
        );
        if let Some(v) = self.last_modified.and_then(http_date) {
            hs.insert(header::LAST_MODIFIED, v);
        }
        resp
    }
}

/// How long a rendered public page is served again without asking the database: short enough
/// that scheduled publication and expiry show within the second (writes clear it at once).
const PAGE_TTL: std::time::Duration = std::time::Duration::from_secs(1);

/// Serves a public page from the page cache (per address, language and reading mode) or
/// renders it with `make`; errors are not cached. Writes clear the cache (`cache.rs`), so a
/// change shows at once; time alone (scheduled publication, expiry) shows within the second.
pub(crate) async fn serve(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    uri: &Uri,
    make: impl std::future::Future<Output = AppResult<Rendered>>,
) -> AppResult<Response> {
    let elder = cookie(headers, ELDER_COOKIE) == Some("1");
    let key = format!("{}|{elder}|{uri}", ctx.lang.code());
    if let Some((at, page)) = st.caches.pages.get(&key) {
        if at.elapsed() < PAGE_TTL {
            return Ok(page.respond(headers));
        }
        // Stale: this request renders it again; meanwhile the others keep being served the
        // page of a moment ago instead of all rendering it at once.
        let seen = st.caches.pages.generation();
        let entry = (std::time::Instant::now(), page);
        st.caches
            .pages
            .insert_bounded(seen, key.clone(), entry, 4_000);
    }
    let seen = st.caches.pages.generation();
    let page = make.await?;
    // A few thousand pages at most (tens of kilobytes each).
    let entry = (std::time::Instant::now(), page.clone());
    st.caches.pages.insert_bounded(seen, key, entry, 4_000);
    Ok(page.respond(headers))
}

/// The HTTP date format (IMF-fixdate), always GMT.
const HTTP_DATE: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

fn http_date(t: i64) -> Option<header::HeaderValue> {
    let d = time::OffsetDateTime::from_unix_timestamp(t).ok()?;
    d.format(HTTP_DATE).ok()?.parse().ok()
}

/// An IMF-fixdate as unix seconds (the obsolete formats are not accepted: the page is then
/// sent whole, which is always correct).
fn parse_http_date(s: &str) -> Option<i64> {
    let d = time::PrimitiveDateTime::parse(s.trim(), HTTP_DATE).ok()?;
    Some(d.assume_utc().unix_timestamp())
}

pub(crate) fn page<T: Template>(p: &T, last_modified: Option<i64>) -> AppResult<Rendered> {
    Ok(Rendered::new(
        p.render().map_err(AppError::from)?,
        last_modified,
    ))
}

#[derive(Template)]
#[template(path = "portal/home.html")]
pub struct HomePage {
    pub s: PortalShell,
    pub region_code: String,
    pub region_name: String,
    pub latest: Vec<(String, Vec<Item>)>,
    pub children: Vec<(String, String)>,
    pub profile: Option<Item>,
    /// This year's key figures: (name, value, unit), those with a value.
    pub figures: Vec<(String, String, String)>,
    pub year: i32,
    /// The newest published questions and answers of the region and below.
    pub qa: Vec<chuangye_core::consultation::Consultation>,
    /// The job board's newest of the region and below: (kind, list address, [(id, title)]).
    pub board: Vec<BoardColumn>,
}

/// One column of the job board on a region's front page.
pub struct BoardColumn {
    pub kind: &'static str,
    pub list: &'static str,
    pub rows: Vec<(String, String)>,
}

/// The newest five job postings, labour supply entries and business ideas of a region and
/// below, titled in the reader's script.
async fn board_columns(st: &AppState, lang: Lang, code: &str) -> AppResult<Vec<BoardColumn>> {
    use chuangye_core::board::{Kind, public as board, repo::Filters};
    let mut out = Vec::new();
    for (kind, name, list) in [
        (Kind::Job, "job", "jobs"),
        (Kind::Labour, "labour", "labour"),
    ] {
        let f = Filters {
            region: code.to_string(),
            ..Filters::default()
        };
        let (rows, _) = board::list(&st.core, kind, &f, 1).await?;
        let rows = rows
            .iter()
            .take(5)
            .map(|e| (e.id.clone(), in_script(lang, &board::title_of(e))))
            .collect();
        out.push(BoardColumn {
            kind: name,
            list,
            rows,
        });
    }
    let f = chuangye_core::idea::repo::Filters {
        region: code.to_string(),
        ..Default::default()
    };
    let (ideas, _) = chuangye_core::idea::public::list(&st.core, &f, 1).await?;
    let rows = ideas
        .iter()
        .take(5)
        .map(|i| (i.id.clone(), in_script(lang, &i.title)))
        .collect();
    out.push(BoardColumn {
        kind: "idea",
        list: "ideas",
        rows,
    });
    Ok(out)
}

/// The campaign's public figures shown on a region's front page, in this order.
const KEY_FIGURES: [&str; 5] = [
    "new_urban_jobs",
    "new_private_enterprises",
    "new_individual_businesses",
    "jobs_driven",
    "training_persons",
];

/// A region's key figures for this year, from the kept indicator values (the same numbers as
/// its dashboard), those that have a value.
async fn key_figures(
    st: &AppState,
    ctx: &Ctx,
    code: &str,
    year: i32,
) -> AppResult<Vec<(String, String, String)>> {
    use chuangye_core::indicators::{Period, repo};
    let mut c = st.conn().await?;
    let cat: Vec<_> = repo::catalogue(&mut c)
        .await?
        .into_iter()
        .filter(|i| KEY_FIGURES.contains(&i.code.as_str()))
        .collect();
    let totals = repo::totals(&mut c, &cat, code, &Period::year(year)).await?;
    Ok(KEY_FIGURES
        .iter()
        .filter_map(|k| {
            let i = cat.iter().find(|i| i.code == *k)?;
            let v = totals.get(*k)?.0;
            (v > 0).then(|| {
                let name = super::indicators::name_of(ctx, &i.code, &i.name);
                (name, i.show(v), i.unit.clone())
            })
        })
        .collect())
}

async fn region_page(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    code: &str,
) -> AppResult<Rendered> {
    let (_, site) = root(st).await?;
    let (code, name) = region_in_site(st, code).await?;
    let latest = public::latest(&st.core, &code, 5)
        .await?
        .into_iter()
        .map(|(k, rows)| (k, items_in_script(ctx.lang, rows)))
        .collect();
    let mut c = st.conn().await?;
    let children =
        chuangye_core::org::repo::region_children(&mut c, &RegionScope::of(&code), &code, false)
            .await?
            .into_iter()
            .map(|r| (r.code, in_script(ctx.lang, &r.name)))
            .collect();
    drop(c);
    let profile = public::profile(&st.core, &code)
        .await?
        .map(|p| item_in_script(ctx.lang, p));
    let year = chuangye_core::ledger::model::today().year();
    let figures = key_figures(st, ctx, &code, year).await?;
    let board = board_columns(st, ctx.lang, &code).await?;
    let (mut qa, _) = chuangye_core::consultation::public::list(&st.core, &code, 1).await?;
    qa.truncate(5);
    for q in &mut qa {
        q.question = in_script(ctx.lang, &q.question);
        q.region_name = in_script(ctx.lang, &q.region_name);
    }
    let name = in_script(ctx.lang, &name);
    let site = in_script(ctx.lang, &site);
    let p = HomePage {
        board,
        qa,
        figures,
        year,
        s: PortalShell::new(ctx, headers, name.clone(), &site),
        region_code: code,
        region_name: name,
        latest,
        children,
        profile,
    };
    page(&p, None)
}

pub async fn home(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
) -> AppResult<Response> {
    serve(&st, &ctx, &headers, &uri, async {
        let (code, _) = root(&st).await?;
        region_page(&st, &ctx, &headers, &code).await
    })
    .await
}

pub async fn region(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
    Path(code): Path<String>,
) -> AppResult<Response> {
    serve(
        &st,
        &ctx,
        &headers,
        &uri,
        region_page(&st, &ctx, &headers, &code),
    )
    .await
}

#[derive(Template)]
#[template(path = "portal/list.html")]
pub struct ListPage {
    pub s: PortalShell,
    pub kind: String,
    pub region_code: String,
    pub region_name: String,
    pub rows: Vec<Item>,
    pub page: i64,
    pub pages: i64,
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub region: String,
    pub page: Option<i64>,
}

pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
    Path(kind): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    serve(
        &st,
        &ctx,
        &headers,
        &uri,
        list_page(&st, &ctx, &headers, kind, q),
    )
    .await
}

async fn list_page(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    kind: String,
    q: ListQuery,
) -> AppResult<Rendered> {
    if !KINDS.contains(&kind.as_str()) {
        return Err(AppError::NotFound);
    }
    let (_, site) = root(st).await?;
    let (region_code, region_name) = asked_region(st, &q.region).await?;
    let page_no = q.page.unwrap_or(1).clamp(1, 10_000);
    let (rows, total) = public::list(&st.core, &region_code, Some(&kind), page_no).await?;
    let rows = items_in_script(ctx.lang, rows);
    let region_name = in_script(ctx.lang, &region_name);
    let title = format!(
        "{} · {}",
        ctx.t(&format!("portal.kind.{kind}")),
        region_name
    );
    let p = ListPage {
        s: PortalShell::new(ctx, headers, title, &site),
        kind,
        region_code,
        region_name,
        rows,
        page: page_no,
        pages: (total + public::PAGE - 1) / public::PAGE,
    };
    page(&p, None)
}

#[derive(Template)]
#[template(path = "portal/item.html")]
pub struct ItemPage {
    pub s: PortalShell,
    pub item: Item,
    pub files: Vec<chuangye_core::files::FileMeta>,
    pub business: Option<String>,
    pub replaced_by: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "portal/gone.html")]
pub struct GonePage {
    pub s: PortalShell,
    pub item_title: String,
    pub reason: Option<String>,
    pub expired: bool,
}

pub async fn item(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
    Path((kind, id)): Path<(String, String)>,
) -> AppResult<Response> {
    serve(
        &st,
        &ctx,
        &headers,
        &uri,
        item_page(&st, &ctx, &headers, kind, id),
    )
    .await
}

async fn item_page(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    kind: String,
    id: String,
) -> AppResult<Rendered> {
    let (_, site) = root(st).await?;
    match public::item(&st.core, &id).await? {
        Public::Shown(item) if item.kind == kind => {
            let business = public::story_business(&st.core, &item).await?;
            let files = public::attachments(&st.core, &item).await?;
            let replaced_by = match &item.replaced_by {
                Some(r) => match public::item(&st.core, r).await {
                    Ok(Public::Shown(p)) => {
                        Some((format!("/portal/{}/{}", p.kind, p.id), p.title.clone()))
                    }
                    _ => None,
                },
                None => None,
            };
            let updated = item.updated_at;
            let item = Box::new(item_in_script(ctx.lang, *item));
            let p = ItemPage {
                s: PortalShell::new(ctx, headers, item.title.clone(), &site),
                item: *item,
                files,
                business,
                replaced_by,
            };
            page(&p, Some(updated))
        }
        Public::Shown(_) => Err(AppError::NotFound),
        Public::Gone {
            title,
            reason,
            expired,
        } => {
            let title = in_script(ctx.lang, &title);
            let p = GonePage {
                s: PortalShell::new(ctx, headers, title.clone(), &site),
                item_title: title,
                reason,
                expired,
            };
            // A full answer says the item is gone; a revalidated notice stays a 304.
            let mut r = page(&p, None)?;
            r.status = StatusCode::GONE;
            Ok(r)
        }
    }
}

#[derive(Template)]
#[template(path = "portal/search.html")]
pub struct SearchPage {
    pub s: PortalShell,
    pub q: String,
    pub kind: String,
    pub region: String,
    pub from: String,
    pub to: String,
    pub results: Option<chuangye_core::portal::search::Results>,
    pub page: usize,
    pub pages: usize,
    /// The query string of this search without the page, for the page links.
    pub base: String,
}

#[derive(serde::Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub page: Option<usize>,
}

const SEARCH_PAGE: usize = 10;

/// A date typed in a filter as the unix seconds of its first (or last) second, China time.
fn day_bound(s: &str, end: bool) -> Option<i64> {
    let d = chuangye_core::ledger::model::parse_date(s)?;
    let start = d.midnight().assume_utc().unix_timestamp() - 8 * 3600;
    Some(if end { start + 86_399 } else { start })
}

pub async fn search(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    serve(
        &st,
        &ctx,
        &headers,
        &uri,
        search_page(&st, &ctx, &headers, q),
    )
    .await
}

async fn search_page(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    q: SearchQuery,
) -> AppResult<Rendered> {
    let (_, site) = root(st).await?;
    let (region, _) = asked_region(st, &q.region).await?;
    let text: String = q.q.chars().take(100).collect();
    let kind = Some(q.kind.trim().to_string()).filter(|k| SEARCH_KINDS.contains(&k.as_str()));
    let page_no = q.page.unwrap_or(1).clamp(1, 500);
    let results = if text.trim().is_empty() && kind.is_none() {
        None
    } else {
        let query = chuangye_core::portal::search::Query {
            text: text.clone(),
            kinds: kind.iter().cloned().collect(),
            region_prefix: Some(region.clone()),
            from: day_bound(&q.from, false),
            to: day_bound(&q.to, true),
            offset: (page_no - 1) * SEARCH_PAGE,
            limit: SEARCH_PAGE,
        };
        let mut r = public::search(&st.core, &query).await?;
        for h in &mut r.hits {
            h.title_html = in_script(ctx.lang, &h.title_html);
            h.snippet_html = in_script(ctx.lang, &h.snippet_html);
        }
        Some(r)
    };
    let pages = results
        .as_ref()
        .map_or(0, |r| r.total.div_ceil(SEARCH_PAGE).min(500));
    let base = serde_urlencoded::to_string([
        ("q", text.as_str()),
        ("kind", kind.as_deref().unwrap_or("")),
        ("region", region.as_str()),
        ("from", q.from.trim()),
        ("to", q.to.trim()),
    ])
    .unwrap_or_default();
    let p = SearchPage {
        s: PortalShell::new(ctx, headers, ctx.t("portal.search"), &site),
        q: text,
        kind: kind.unwrap_or_default(),
        region,
        from: q.from.trim().to_string(),
        to: q.to.trim().to_string(),
        results,
        page: page_no,
        pages,
        base,
    };
    page(&p, None)
}

#[derive(serde::Deserialize, Default)]
pub struct PrefsQuery {
    #[serde(default)]
    pub elder: String,
    #[serde(default)]
    pub next: String,
}

/// Elder mode (large type, high contrast) on or off, kept for a year; back to the page.
pub async fn prefs(State(st): State<AppState>, Query(q): Query<PrefsQuery>) -> Response {
    let next = super::account::safe_next(&q.next);
    let back = if next.starts_with("/portal") {
        next
    } else {
        "/portal".to_string()
    };
    let mut resp = Redirect::to(&back).into_response();
    let on = if q.elder == "1" { "1" } else { "0" };
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            ELDER_COOKIE,
            on,
            Some(365 * 86400),
            st.config.secure_cookies,
        ),
    );
    resp
}

/// A file attached to a public item (images shown inline, documents downloaded); sandboxed.
pub async fn attachment(State(st): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let (meta, path) = public::attachment(&st.core, &id).await?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| AppError::Internal(format!("file {id}: {e}")))?;
    let inline = meta.content_type.starts_with("image/");
    let disposition = chuangye_core::files::content_disposition(&meta.original_name);
    let disposition = if inline {
        disposition.replacen("attachment", "inline", 1)
    } else {
        disposition
    };
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
            (header::CACHE_CONTROL, "public, max-age=3600".to_string()),
        ],
        bytes,
    )
        .into_response())
}
