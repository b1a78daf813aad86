//! The page shell shared by every back-office page (navigation by permission, membership
//! switcher, language links, breadcrumbs) and small helpers for forms.

use std::collections::BTreeMap;

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chuangye_core::FieldError;
use chuangye_core::org::{Permission, repo};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

pub struct MembershipOption {
    pub id: String,
    pub label: String,
    pub active: bool,
}

pub struct LangOption {
    pub code: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// Everything the layout needs.
pub struct Shell {
    pub lang: Lang,
    pub csrf: String,
    pub title: String,
    pub path: String,
    pub display_name: String,
    pub is_demo: bool,
    pub region_name: String,
    pub unit_name: String,
    pub memberships: Vec<MembershipOption>,
    pub nav: Vec<NavItem>,
    pub crumbs: Vec<(String, String)>,
    pub langs: Vec<LangOption>,
    pub notice: Option<String>,
}

const NAV: &[(&str, &str, &[Permission])] = &[
    ("/admin", "nav.home", &[]),
    ("/dashboard", "nav.dashboard", &[Permission::IndicatorView]),
    (
        "/indicators/entry",
        "nav.indicator_entry",
        &[Permission::IndicatorEnter],
    ),
    (
        "/indicators/approvals",
        "nav.indicator_approvals",
        &[Permission::IndicatorApprove],
    ),
    (
        "/indicators/targets",
        "nav.indicator_targets",
        &[Permission::IndicatorTarget],
    ),
    (
        "/indicators/catalogue",
        "nav.indicator_catalogue",
        &[Permission::IndicatorCatalogue],
    ),
    ("/reports", "nav.reports", &[Permission::IndicatorView]),
    ("/content", "nav.content", &[Permission::PortalEdit]),
    (
        "/content/review",
        "nav.content_review",
        &[Permission::PortalPublish],
    ),
    ("/board", "nav.board", &[Permission::PortalEdit]),
    (
        "/board/review",
        "nav.board_review",
        &[Permission::PortalPublish],
    ),
    (
        "/consultations",
        "nav.consultations",
        &[Permission::ConsultationReply],
    ),
    ("/ledger/persons", "nav.persons", &[Permission::LedgerView]),
    (
        "/ledger/businesses",
        "nav.businesses",
        &[Permission::LedgerView],
    ),
    ("/ledger/needs", "nav.needs", &[Permission::NeedHandle]),
    ("/ledger/overdue", "nav.overdue", &[Permission::LedgerView]),
    (
        "/ledger/survival",
        "nav.survival",
        &[Permission::LedgerView],
    ),
    (
        "/ledger/transfers",
        "nav.transfers",
        &[Permission::LedgerTransfer],
    ),
    ("/admin/regions", "nav.regions", &[Permission::RegionView]),
    ("/admin/units", "nav.units", &[Permission::UnitView]),
    ("/admin/users", "nav.users", &[Permission::UserView]),
    ("/admin/roles", "nav.roles", &[Permission::RoleManage]),
    (
        "/admin/security",
        "nav.security",
        &[
            Permission::SecurityPolicy,
            Permission::SecurityUnlock,
            Permission::SecurityKeys,
        ],
    ),
    ("/admin/audit", "nav.audit", &[Permission::AuditView]),
];

impl Shell {
    pub async fn new(st: &AppState, ctx: &Ctx, title_key: &str) -> AppResult<Shell> {
        let lang = ctx.lang;
        let mut shell = Shell {
            lang,
            csrf: ctx.csrf.clone(),
            title: lang.t(title_key),
            path: ctx.path.clone(),
            display_name: String::new(),
            is_demo: false,
            region_name: String::new(),
            unit_name: String::new(),
            memberships: Vec::new(),
            nav: Vec::new(),
            crumbs: Vec::new(),
            langs: Lang::ALL
                .iter()
                .map(|l| LangOption {
                    code: l.code(),
                    label: l.label(),
                    active: *l == lang,
                })
                .collect(),
            notice: None,
        };
        if let Some(a) = &ctx.actor {
            shell.display_name = a.display_name.clone();
            shell.is_demo = a.is_demo;
            shell.region_name = a.region_name.clone();
            shell.unit_name = a.unit_name.clone().unwrap_or_default();
            if let Some(uid) = &a.user_id {
                let mut c = st
                    .core
                    .db
                    .pool()
                    .acquire()
                    .await
                    .map_err(chuangye_core::Error::from)?;
                for m in repo::memberships_of(&mut c, uid).await? {
                    let label = match &m.unit_name {
                        Some(u) => format!("{} · {}", m.region_name, u),
                        None => m.region_name.clone(),
                    };
                    shell.memberships.push(MembershipOption {
                        active: a.membership_id.as_deref() == Some(m.id.as_str()),
                        id: m.id,
                        label,
                    });
                }
            }
            for (href, key, perms) in NAV {
                if perms.is_empty() || perms.iter().any(|p| a.can(*p)) {
                    let active = if *href == "/admin" {
                        ctx.path == "/admin"
                    } else {
                        ctx.path.starts_with(href)
                    };
                    shell.nav.push(NavItem {
                        href,
                        label: lang.t(key),
                        active,
                    });
                }
            }
        }
        Ok(shell)
    }

    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// Translates the key `prefix` + `suffix` (families such as `unit.kind.` + kind).
    pub fn tk(&self, prefix: &str, suffix: &str) -> String {
        self.lang.t(&format!("{prefix}{suffix}"))
    }

    pub fn crumb(mut self, href: &str, label: String) -> Shell {
        self.crumbs.push((href.to_string(), label));
        self
    }

    pub fn dt(&self, unix: &i64) -> String {
        self.lang.datetime(*unix)
    }
}

/// Renders a template to an HTML response.
pub fn render<T: Template>(page: &T) -> AppResult<Response> {
    let html = page.render().map_err(AppError::from)?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

/// Renders a form page, with 422 when it shows field errors.
pub fn render_form<T: Template>(page: &T, invalid: bool) -> AppResult<Response> {
    let mut resp = render(page)?;
    if invalid {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// A submitted form as name/value pairs (repeated names allowed, e.g. checkboxes).
#[derive(Debug, Default, Clone)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|s| !s.is_empty())
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    /// Whether one of the values submitted under `name` is `value` (checkboxes).
    pub fn has_value(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v == value)
    }
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormData {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Form(v) = axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|_| {
                AppError::Invalid(vec![FieldError::new("form", "error.form_unreadable")])
            })?;
        Ok(FormData(v))
    }
}

/// Field errors translated and keyed by field name, for re-rendering a form.
#[derive(Default, Debug, Clone)]
pub struct Errors(pub BTreeMap<String, String>);

impl Errors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn from(lang: Lang, errs: &[FieldError]) -> Errors {
        let mut m = BTreeMap::new();
        for e in errs {
            m.entry(e.field.clone())
                .and_modify(|s: &mut String| {
                    s.push('；');
                    s.push_str(&lang.field_error(e));
                })
                .or_insert_with(|| lang.field_error(e));
        }
        Errors(m)
    }
    pub fn get(&self, field: &str) -> String {
        self.0.get(field).cloned().unwrap_or_default()
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
    pub fn all(&self) -> Vec<String> {
        self.0.values().cloned().collect()
    }
}

/// Splits a core result into the value, or field errors to show on the form.
pub fn form_result<T>(lang: Lang, r: chuangye_core::Result<T>) -> AppResult<Result<T, Errors>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(chuangye_core::Error::Invalid(v)) => Ok(Err(Errors::from(lang, &v))),
        Err(e) => Err(e.into()),
    }
}

/// A redirect after a successful POST (303, so a reload does not resubmit).
pub fn see_other(to: &str) -> Response {
    (
        axum::http::StatusCode::SEE_OTHER,
        [(header::LOCATION, to.to_string())],
    )
        .into_response()
}

/// The one file of a multipart upload field `file` (name, bytes); none when no file was
/// chosen. A body over the route's limit is the user's error at that field.
pub async fn read_upload(
    mut mp: axum::extract::Multipart,
    max_mb: usize,
) -> AppResult<Option<(String, Vec<u8>)>> {
    let mut got = None;
    while let Ok(Some(field)) = mp.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field.bytes().await.map_err(|_| {
                AppError::Invalid(vec![
                    FieldError::new("file", "files.too_large").arg("max_mb", max_mb),
                ])
            })?;
            got = Some((name, bytes.to_vec()));
        }
    }
    Ok(got.filter(|(n, b)| !n.is_empty() && !b.is_empty()))
}
