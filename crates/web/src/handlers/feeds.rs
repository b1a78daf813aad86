//! Machine-readable views of the portal: an Atom feed per kind and region (the region's own
//! items and every level below) and `sitemap.xml` (the home, the lists, every region's page,
//! every public item). Absolute addresses use the configured public address, else the
//! request's host.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chuangye_core::portal::model::{KINDS, escape, plain_text};
use chuangye_core::portal::public;

use crate::AppState;
use crate::error::{AppError, AppResult};

/// The configured public address, else `http(s)://host` of the request (https when a
/// trusted proxy says so).
fn origin(st: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &st.config.public_url {
        return url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let https = st.config.trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|h| h.to_str().ok())
            == Some("https");
    format!("{}://{host}", if https { "https" } else { "http" })
}

pub(crate) fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn xml(body: String, ctype: &'static str) -> Response {
    ([(header::CONTENT_TYPE, ctype)], body).into_response()
}

#[derive(serde::Deserialize, Default)]
pub struct FeedQuery {
    #[serde(default)]
    pub region: String,
}

/// One entry of a feed.
struct FeedEntry {
    title: String,
    /// The page's path on the site.
    path: String,
    published: i64,
    updated: i64,
    author: String,
    summary: String,
}

/// The kinds with a feed besides the content kinds: the job board, ideas and answers, named as
/// their lists are.
const OTHER_FEEDS: &[&str] = &["jobs", "labour", "ideas", "qa"];

/// The newest entries of a feed kind in a region and below.
async fn entries_of(st: &AppState, kind: &str, region: &str) -> AppResult<Vec<FeedEntry>> {
    use chuangye_core::board::{Kind, public as board, repo::Filters};
    let cut = |t: &str| t.chars().take(200).collect::<String>();
    Ok(match kind {
        "jobs" | "labour" => {
            let k = if kind == "jobs" {
                Kind::Job
            } else {
                Kind::Labour
            };
            let f = Filters {
                region: region.to_string(),
                ..Filters::default()
            };
            board::list(&st.core, k, &f, 1)
                .await?
                .0
                .into_iter()
                .map(|e| FeedEntry {
                    title: board::title_of(&e),
                    path: format!("/portal/{kind}/{}", e.id),
                    published: e.published_at.unwrap_or(e.updated_at),
                    updated: e.updated_at,
                    summary: cut(&e.body),
                    author: e.region_name,
                })
                .collect()
        }
        "ideas" => {
            let f = chuangye_core::idea::repo::Filters {
                region: region.to_string(),
                ..Default::default()
            };
            chuangye_core::idea::public::list(&st.core, &f, 1)
                .await?
                .0
                .into_iter()
                .map(|i| FeedEntry {
                    path: format!("/portal/ideas/{}", i.id),
                    published: i.published_at.unwrap_or(i.updated_at),
                    updated: i.updated_at,
                    summary: cut(&plain_text(&i.description)),
                    title: i.title,
                    author: i.region_name,
                })
                .collect()
        }
        "qa" => chuangye_core::consultation::public::list(&st.core, region, 1)
            .await?
            .0
            .into_iter()
            .map(|q| FeedEntry {
                title: q.title(),
                path: format!("/portal/qa/{}", q.id),
                published: q.answered_at.unwrap_or(q.updated_at),
                updated: q.updated_at,
                summary: cut(q.answer.as_deref().unwrap_or("")),
                author: q.handler_name,
            })
            .collect(),
        _ => public::list(&st.core, region, Some(kind), 1)
            .await?
            .0
            .into_iter()
            .map(|i| {
                let text: String = cut(&plain_text(&i.body));
                FeedEntry {
                    path: format!("/portal/{}/{}", i.kind, i.id),
                    published: i.published_at.unwrap_or(i.updated_at),
                    updated: i.updated_at,
                    summary: if i.summary.is_empty() {
                        text
                    } else {
                        i.summary
                    },
                    title: i.title,
                    author: i.region_name,
                }
            })
            .collect(),
    })
}

/// The newest 20 of a kind in a region and below, as Atom: the content kinds, and `jobs`,
/// `labour`, `ideas` and `qa`.
pub async fn feed(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(kind): Path<String>,
    Query(q): Query<FeedQuery>,
) -> AppResult<Response> {
    let kind = kind.trim_end_matches(".xml").to_string();
    if !KINDS.contains(&kind.as_str()) && !OTHER_FEEDS.contains(&kind.as_str()) {
        return Err(AppError::NotFound);
    }
    let (region, name) = super::portal::asked_region(&st, &q.region).await?;
    let items = entries_of(&st, &kind, &region).await?;
    let base = origin(&st, &headers);
    let self_url = format!("{base}/portal/feed/{kind}.xml?region={region}");
    let updated = items.iter().map(|i| i.updated).max().unwrap_or(0);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <title>{}</title>\n<id>{}</id>\n<link rel=\"self\" href=\"{}\"/>\n<link href=\"{base}/portal/{kind}?region={region}\"/>\n<updated>{}</updated>\n",
        escape(&format!("{name} · {kind}")),
        escape(&self_url),
        escape(&self_url),
        rfc3339(updated)
    );
    for i in &items {
        let url = format!("{base}{}", i.path);
        out.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link href=\"{}\"/>\n<published>{}</published>\n<updated>{}</updated>\n<author><name>{}</name></author>\n<summary>{}</summary>\n</entry>\n",
            escape(&i.title),
            escape(&url),
            escape(&url),
            rfc3339(i.published),
            rfc3339(i.updated),
            escape(&i.author),
            escape(&i.summary),
        ));
    }
    out.push_str("</feed>\n");
    Ok(xml(out, "application/atom+xml; charset=utf-8"))
}

/// The sitemap: the home, each list, each region's page and every public item (the most recently
/// changed, up to the protocol's 50,000 addresses).
pub async fn sitemap(State(st): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let root = chuangye_core::org::service::root_region(&st.core)
        .await?
        .ok_or(AppError::NotFound)?;
    let base = origin(&st, &headers);
    let mut urls: Vec<(String, Option<i64>)> = vec![(format!("{base}/portal"), None)];
    urls.extend(
        KINDS
            .iter()
            .filter(|k| **k != "profile")
            .map(|k| (format!("{base}/portal/{k}"), None)),
    );
    for list in ["jobs", "labour", "ideas", "qa", "qa/stats", "ask"] {
        urls.push((format!("{base}/portal/{list}"), None));
    }
    let regions = public::region_codes(&st.core, &root, 5000).await?;
    urls.extend(
        regions
            .into_iter()
            .map(|r| (format!("{base}/portal/region/{r}"), None)),
    );
    // The protocol's limit is 50,000 addresses per sitemap.
    let room = 50_000 - urls.len() as i64;
    for (id, kind, at) in public::addresses(&st.core, room.max(0)).await? {
        urls.push((format!("{base}/portal/{kind}/{id}"), Some(at)));
    }
    // The job board, ideas and answered questions, as long as there is room.
    for source in chuangye_core::portal::Source::ALL {
        if *source == chuangye_core::portal::Source::Item {
            continue;
        }
        let mut after = String::new();
        while urls.len() < 50_000 {
            let room = (50_000 - urls.len()).min(1000) as i64;
            let (docs, last) = public::documents(&st.core, *source, &after, room).await?;
            urls.extend(
                docs.into_iter()
                    .map(|d| (format!("{base}{}", d.url), Some(d.published_at))),
            );
            match last {
                Some(l) => after = l,
                None => break,
            }
        }
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, at) in urls {
        out.push_str(&format!("<url><loc>{}</loc>", escape(&loc)));
        if let Some(t) = at {
            out.push_str(&format!("<lastmod>{}</lastmod>", rfc3339(t)));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    Ok(xml(out, "application/xml; charset=utf-8"))
}
