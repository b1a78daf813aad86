//! Types and pure rules of published content: the kinds, the states an item goes through, who
//! may publish directly, the checks on what staff type, and the cleaning of rich text.

use serde::{Deserialize, Serialize};

use crate::Result;
use crate::error::Checks;

/// The content kinds (the portal's columns), in menu order.
pub const KINDS: &[&str] = &["policy", "measure", "news", "story", "notice", "profile"];

/// Where an item is in its life.
pub mod state {
    pub const DRAFT: &str = "draft";
    /// Submitted by a community, waiting for its sub-district.
    pub const REVIEW: &str = "review";
    /// Sent back by the reviewer with a reason; editable again.
    pub const RETURNED: &str = "returned";
    /// Public from `published_at` until `expire_at`.
    pub const PUBLISHED: &str = "published";
    /// Taken down; its address answers 410 with a notice.
    pub const WITHDRAWN: &str = "withdrawn";
}

/// A policy's standing.
pub const POLICY_STATUS: &[&str] = &["in_force", "amended", "repealed"];

pub const TITLE_MAX: usize = 100;
pub const SUMMARY_MAX: usize = 300;
pub const BODY_MAX: usize = 200_000;
pub const SHORT_MAX: usize = 60;

/// One item of published content, as stored (body already cleaned).
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Item {
    pub id: String,
    pub kind: String,
    pub region_code: String,
    pub region_name: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub state: String,
    pub version: i64,
    pub publish_at: Option<i64>,
    pub expire_at: Option<i64>,
    pub published_at: Option<i64>,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub effective_on: Option<String>,
    pub expires_on: Option<String>,
    pub policy_status: Option<String>,
    pub replaced_by: Option<String>,
    pub business_id: Option<String>,
    pub return_reason: Option<String>,
    pub withdraw_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Item {
    /// Public now: published, its time come, not expired.
    pub fn is_public(&self, now: i64) -> bool {
        self.state == state::PUBLISHED
            && self.published_at.is_some_and(|t| t <= now)
            && self.expire_at.is_none_or(|t| t > now)
    }

    /// Staff of its own region may still change it.
    pub fn is_editable(&self) -> bool {
        matches!(
            self.state.as_str(),
            state::DRAFT | state::RETURNED | state::PUBLISHED
        )
    }
}

/// What staff type into the item form (all text, checked by [`check`]).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ItemInput {
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub body: String,
    /// `YYYY-MM-DDTHH:MM` China time, or blank for "when approved".
    #[serde(default)]
    pub publish_at: String,
    #[serde(default)]
    pub expire_at: String,
    #[serde(default)]
    pub doc_number: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub effective_on: String,
    #[serde(default)]
    pub expires_on: String,
    #[serde(default)]
    pub policy_status: String,
    #[serde(default)]
    pub replaced_by: String,
    #[serde(default)]
    pub business_id: String,
}

/// The input after checking: cleaned body, parsed times, policy fields only on policies.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Checked {
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub publish_at: Option<i64>,
    pub expire_at: Option<i64>,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub effective_on: Option<String>,
    pub expires_on: Option<String>,
    pub policy_status: Option<String>,
    pub replaced_by: Option<String>,
    pub business_id: Option<String>,
}

/// Communities draft and their sub-district reviews; every level above a community publishes
/// its own items directly.
pub fn may_publish_directly(region_code: &str) -> bool {
    crate::org::level_of(region_code).is_some_and(|l| l < 5)
}

/// `YYYY-MM-DDTHH:MM` (or with seconds, or a bare date) in China time, as unix seconds.
pub fn parse_local(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, clock) = s.split_once(['T', ' ']).unwrap_or((s, "00:00"));
    let d = crate::ledger::model::parse_date(date)?;
    let mut parts = clock.split(':');
    let h: u8 = parts.next()?.parse().ok()?;
    let m: u8 = parts.next().unwrap_or("0").parse().ok()?;
    let t = time::Time::from_hms(h, m, 0).ok()?;
    Some(
        time::PrimitiveDateTime::new(d, t)
            .assume_utc()
            .unix_timestamp()
            - 8 * 3600,
    )
}

/// Unix seconds as `YYYY-MM-DDTHH:MM` China time (the value of a `datetime-local` field).
pub fn fmt_local(t: i64) -> String {
    let d = time::OffsetDateTime::from_unix_timestamp(t + 8 * 3600)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute()
    )
}

/// Typed text without control characters (they would break feeds and pages), trimmed.
pub(crate) fn text(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_string()
}

pub(crate) fn opt(s: &str) -> Option<String> {
    Some(text(s)).filter(|s| !s.is_empty())
}

fn length(checks: &mut Checks, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        checks.add(field, "portal.too_long");
    }
}

/// Checks an item as typed; every problem at its field, in one answer.
pub fn check(input: &ItemInput) -> Result<Checked> {
    let mut checks = Checks::default();
    let kind = text(&input.kind);
    if !KINDS.contains(&kind.as_str()) {
        checks.add("kind", "portal.kind_invalid");
    }
    let title = text(&input.title);
    if title.is_empty() {
        checks.add("title", "portal.title_missing");
    }
    length(&mut checks, "title", &title, TITLE_MAX);
    let summary = text(&input.summary);
    length(&mut checks, "summary", &summary, SUMMARY_MAX);
    let body = clean_html(&input.body);
    if plain_text(&body).trim().is_empty() {
        checks.add("body", "portal.body_missing");
    }
    length(&mut checks, "body", &body, BODY_MAX);
    let time_field = |checks: &mut Checks, field: &str, raw: &str| match opt(raw) {
        None => None,
        Some(s) => {
            let t = parse_local(&s);
            if t.is_none() {
                checks.add(field, "portal.time_invalid");
            }
            t
        }
    };
    let publish_at = time_field(&mut checks, "publish_at", &input.publish_at);
    let expire_at = time_field(&mut checks, "expire_at", &input.expire_at);
    if let (Some(p), Some(e)) = (publish_at, expire_at)
        && e <= p
    {
        checks.add("expire_at", "portal.expire_before_publish");
    }
    let policy = kind == "policy";
    let date_field = |checks: &mut Checks, field: &str, raw: &str| {
        let v = opt(raw).filter(|_| policy)?;
        match crate::ledger::model::parse_date(&v) {
            Some(d) => Some(crate::ledger::model::fmt_date(d)),
            None => {
                checks.add(field, "portal.date_invalid");
                None
            }
        }
    };
    let effective_on = date_field(&mut checks, "effective_on", &input.effective_on);
    let expires_on = date_field(&mut checks, "expires_on", &input.expires_on);
    let policy_status = if policy {
        let s = opt(&input.policy_status).unwrap_or_else(|| "in_force".into());
        if !POLICY_STATUS.contains(&s.as_str()) {
            checks.add("policy_status", "portal.policy_status_invalid");
        }
        Some(s)
    } else {
        None
    };
    let replaced_by = opt(&input.replaced_by).filter(|_| policy);
    if replaced_by.is_some() && policy_status.as_deref() == Some("in_force") {
        checks.add("replaced_by", "portal.replaced_only_when_changed");
    }
    let doc_number = opt(&input.doc_number).filter(|_| policy);
    let issuer = opt(&input.issuer).filter(|_| policy);
    for (field, v) in [("doc_number", &doc_number), ("issuer", &issuer)] {
        length(&mut checks, field, v.as_deref().unwrap_or(""), SHORT_MAX);
    }
    checks.finish()?;
    Ok(Checked {
        business_id: opt(&input.business_id).filter(|_| kind == "story"),
        kind,
        title,
        summary,
        body,
        publish_at,
        expire_at,
        doc_number,
        issuer,
        effective_on,
        expires_on,
        policy_status,
        replaced_by,
    })
}

/// Rich text through an allow-list: paragraphs, headings, lists, emphasis, tables, links and
/// images (http, https and local paths only); everything else — scripts, styles, event
/// handlers, `javascript:` links — is removed. Text typed without markup becomes paragraphs.
pub fn clean_html(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    let html = if looks_like_html(&raw) {
        raw
    } else {
        raw.split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
            .collect()
    };
    let tags = [
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "caption",
    ];
    ammonia::Builder::default()
        .tags(tags.into_iter().collect())
        .tag_attributes(
            [
                ("a", ["href", "title"].into_iter().collect()),
                (
                    "img",
                    ["src", "alt", "width", "height"].into_iter().collect(),
                ),
                ("td", ["colspan", "rowspan"].into_iter().collect()),
                ("th", ["colspan", "rowspan", "scope"].into_iter().collect()),
            ]
            .into_iter()
            .collect(),
        )
        .generic_attributes(std::collections::HashSet::new())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        // Local paths stay; a protocol-relative address (`//host/…`) would leave the site.
        .attribute_filter(|_, attr, value| {
            let url = matches!(attr, "href" | "src");
            (!(url && value.trim_start().starts_with("//"))).then_some(value.into())
        })
        .link_rel(Some("noopener noreferrer"))
        .clean(&html)
        .to_string()
}

/// Pasted or edited markup rather than typed text (where a lone `<` is just a character).
fn looks_like_html(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.contains("</")
        || lower.contains("/>")
        || [
            "<p",
            "<br",
            "<div",
            "<img",
            "<a ",
            "<h2",
            "<h3",
            "<h4",
            "<ul",
            "<ol",
            "<table",
            "<strong",
            "<em",
            "<b>",
            "<i>",
            "<u>",
            "<blockquote",
        ]
        .iter()
        .any(|t| lower.contains(t))
}

/// The text of cleaned HTML (for search, snippets and feeds): tags dropped, line breaks and
/// block ends as line breaks, the five entities ammonia writes decoded.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut tag = String::new();
    for ch in html.chars() {
        match (in_tag, ch) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name = tag
                    .trim_start_matches('/')
                    .split([' ', '/'])
                    .next()
                    .unwrap_or("");
                let closing = tag.starts_with('/');
                let block = matches!(name, "p" | "h2" | "h3" | "h4" | "li" | "tr" | "blockquote");
                if name == "br" || (closing && block) {
                    out.push('\n');
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// HTML-escapes text.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn news(body: &str) -> ItemInput {
        ItemInput {
            kind: "news".into(),
            title: "社区开展创业政策宣传".into(),
            body: body.into(),
            ..Default::default()
        }
    }

    #[test]
    fn script_and_handlers_are_removed_text_is_kept() {
        let c = clean_html(
            r#"<p onclick="x()">好<script>alert(1)</script>消息</p><a href="javascript:alert(1)">链接</a><img src="x" onerror="alert(1)"><style>p{}</style>"#,
        );
        assert!(!c.contains("script") && !c.contains("onclick") && !c.contains("onerror"));
        assert!(!c.contains("javascript:") && !c.contains("style"), "{c}");
        assert!(
            c.contains("好") && c.contains("消息") && c.contains("链接"),
            "{c}"
        );
    }

    #[test]
    fn plain_typing_becomes_escaped_paragraphs() {
        let c = clean_html("第一段 a<b\n第二行\n\n第二段");
        assert_eq!(c, "<p>第一段 a&lt;b<br>第二行</p><p>第二段</p>");
        assert_eq!(plain_text(&c), "第一段 a<b\n第二行\n第二段");
    }

    #[test]
    fn every_problem_is_reported_at_its_field() {
        let bad = ItemInput {
            kind: "advert".into(),
            title: "题".repeat(101),
            body: "<script>x</script>".into(),
            publish_at: "2026-13-01T10:00".into(),
            ..Default::default()
        };
        let crate::Error::Invalid(errs) = check(&bad).unwrap_err() else {
            panic!()
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "title", "body", "publish_at"]);
    }

    #[test]
    fn expiry_must_follow_publication() {
        let mut i = news("正文");
        i.publish_at = "2026-05-01T09:00".into();
        i.expire_at = "2026-04-01".into();
        let crate::Error::Invalid(errs) = check(&i).unwrap_err() else {
            panic!()
        };
        assert_eq!(errs[0].key, "portal.expire_before_publish");
        i.expire_at = "2026-06-01 08:30".into();
        let c = check(&i).unwrap();
        assert_eq!(fmt_local(c.publish_at.unwrap()), "2026-05-01T09:00");
        assert_eq!(fmt_local(c.expire_at.unwrap()), "2026-06-01T08:30");
    }

    #[test]
    fn policy_fields_belong_to_policies_only() {
        let mut i = news("正文");
        i.doc_number = "豫政〔2026〕1号".into();
        assert_eq!(check(&i).unwrap().doc_number, None);
        i.kind = "policy".into();
        i.policy_status = "repealed".into();
        i.replaced_by = "abc".into();
        let c = check(&i).unwrap();
        assert_eq!(c.doc_number.as_deref(), Some("豫政〔2026〕1号"));
        assert_eq!(c.policy_status.as_deref(), Some("repealed"));
        i.policy_status = "in_force".into();
        assert!(check(&i).is_err(), "an in-force policy replaced by another");
    }

    #[test]
    fn protocol_relative_addresses_are_dropped_local_paths_kept() {
        let c = clean_html(
            r#"<p><a href="//evil.example/x">a</a><img src="/portal/files/1" alt="b"></p>"#,
        );
        assert!(!c.contains("evil.example"), "{c}");
        assert!(c.contains(r#"src="/portal/files/1""#), "{c}");
    }

    #[test]
    fn control_characters_are_dropped_from_typed_text() {
        assert_eq!(text(" 标题\u{7}\u{0} "), "标题");
    }

    #[test]
    fn communities_are_reviewed_higher_levels_publish_directly() {
        assert!(!may_publish_directly("411002001001"));
        assert!(may_publish_directly("411002001000"));
        assert!(may_publish_directly("411002000000"));
    }
}
