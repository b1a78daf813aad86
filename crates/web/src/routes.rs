//! The route table: every route once, with the access it requires. [`router`] builds the axum
//! router from it and wraps each route in its access guard; the access-matrix test walks the
//! same table, so a route without an expectation there fails the test.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use chuangye_core::org::Permission;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::ctx::{self, Ctx};
use crate::error::AppError;
use crate::handlers::{
    account, admin, api, api_board, api_portal, api_qa, ask, audit, board, catalogue,
    consultations, content, feeds, files, indicator_entry, indicators, jobs, ledger, ledger_sheets,
    ops, portal, portal_board, portal_forms, portal_submissions, regions, reports, roles, security,
    units, users,
};

/// Who may call a route. Scope (own region and below) is enforced in the SQL of every query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Any logged-in user (or API token).
    Authenticated,
    Perm(Permission),
    /// Any one of these permissions.
    AnyOf(&'static [Permission]),
}

impl Access {
    pub fn allows(self, actor: Option<&chuangye_core::org::Actor>) -> Result<(), AppError> {
        match (self, actor) {
            (Access::Public, _) => Ok(()),
            (_, None) => Err(AppError::Unauthenticated),
            (Access::Authenticated, Some(_)) => Ok(()),
            (Access::Perm(p), Some(a)) => a.can(p).then_some(()).ok_or(AppError::Forbidden),
            (Access::AnyOf(ps), Some(a)) => ps
                .iter()
                .any(|p| a.can(*p))
                .then_some(())
                .ok_or(AppError::Forbidden),
        }
    }
}

pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub handler: MethodRouter<AppState>,
}

fn r(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        access,
        handler,
    }
}

use Access::*;
use Permission as P;

const SECURITY_PAGE: &[Permission] = &[P::SecurityPolicy, P::SecurityUnlock, P::SecurityKeys];

/// Every route of the product.
pub fn table() -> Vec<RouteSpec> {
    let g = Method::GET;
    let p = Method::POST;
    vec![
        r(g.clone(), "/", Public, get(ops::root)),
        r(g.clone(), "/healthz", Public, get(ops::healthz)),
        r(g.clone(), "/metrics", Public, get(ops::metrics)),
        r(
            g.clone(),
            "/static/{file}",
            Public,
            get(crate::statics::serve),
        ),
        r(g.clone(), "/lang/{code}", Public, get(account::set_lang)),
        r(g.clone(), "/portal", Public, get(portal::home)),
        r(g.clone(), "/portal/search", Public, get(portal::search)),
        r(g.clone(), "/portal/prefs", Public, get(portal::prefs)),
        r(g.clone(), "/portal/feed/{kind}", Public, get(feeds::feed)),
        r(g.clone(), "/portal/ask", Public, get(ask::form)),
        r(p.clone(), "/portal/ask", Public, post(ask::submit)),
        r(
            g.clone(),
            "/portal/ask/lookup",
            Public,
            get(ask::lookup_form),
        ),
        r(p.clone(), "/portal/ask/lookup", Public, post(ask::lookup)),
        r(g.clone(), "/portal/qa", Public, get(ask::qa_list)),
        r(g.clone(), "/portal/qa/stats", Public, get(ask::stats)),
        r(g.clone(), "/portal/qa/{id}", Public, get(ask::qa)),
        r(
            g.clone(),
            "/consultations",
            Perm(P::ConsultationReply),
            get(consultations::list),
        ),
        r(
            p.clone(),
            "/consultations/settings",
            Perm(P::ConsultationConfigure),
            post(consultations::settings),
        ),
        r(
            g.clone(),
            "/consultations/{id}",
            Perm(P::ConsultationReply),
            get(consultations::show),
        ),
        r(
            p.clone(),
            "/consultations/{id}/answer",
            Perm(P::ConsultationReply),
            post(consultations::answer),
        ),
        r(
            p.clone(),
            "/consultations/{id}/dismiss",
            Perm(P::ConsultationReply),
            post(consultations::dismiss),
        ),
        r(
            p.clone(),
            "/consultations/{id}/publish",
            Perm(P::ConsultationReply),
            post(consultations::publish),
        ),
        r(
            p.clone(),
            "/consultations/{id}/contact",
            Perm(P::PersonalUnmask),
            post(consultations::contact),
        ),
        r(g.clone(), "/sitemap.xml", Public, get(feeds::sitemap)),
        r(
            g.clone(),
            "/portal/region/{code}",
            Public,
            get(portal::region),
        ),
        r(g.clone(), "/portal/jobs", Public, get(portal_board::jobs)),
        r(
            g.clone(),
            "/portal/jobs/new",
            Public,
            get(portal_forms::job_form),
        ),
        r(
            p.clone(),
            "/portal/jobs/new",
            Public,
            post(portal_forms::job_submit),
        ),
        r(
            g.clone(),
            "/portal/labour/new",
            Public,
            get(portal_forms::labour_form),
        ),
        r(
            p.clone(),
            "/portal/labour/new",
            Public,
            post(portal_forms::labour_submit),
        ),
        r(
            g.clone(),
            "/portal/ideas/new",
            Public,
            get(portal_forms::idea_form),
        ),
        r(
            p.clone(),
            "/portal/ideas/new",
            Public,
            post(portal_forms::idea_submit),
        ),
        r(
            g.clone(),
            "/portal/submissions/lookup",
            Public,
            get(portal_submissions::lookup_form),
        ),
        r(
            p.clone(),
            "/portal/submissions/lookup",
            Public,
            post(portal_submissions::lookup),
        ),
        r(
            g.clone(),
            "/portal/jobs/{id}",
            Public,
            get(portal_board::job),
        ),
        r(
            g.clone(),
            "/portal/labour",
            Public,
            get(portal_board::labour_list),
        ),
        r(
            g.clone(),
            "/portal/labour/{id}",
            Public,
            get(portal_board::labour),
        ),
        r(g.clone(), "/portal/ideas", Public, get(portal_board::ideas)),
        r(
            g.clone(),
            "/portal/ideas/{id}",
            Public,
            get(portal_board::idea),
        ),
        r(g.clone(), "/board", Perm(P::PortalEdit), get(board::list)),
        r(
            p.clone(),
            "/board",
            Perm(P::PortalEdit),
            post(board::create),
        ),
        r(
            g.clone(),
            "/board/new",
            Perm(P::PortalEdit),
            get(board::new),
        ),
        r(
            g.clone(),
            "/board/review",
            Perm(P::PortalPublish),
            get(board::review),
        ),
        r(
            g.clone(),
            "/board/{kind}/{id}",
            Perm(P::PortalEdit),
            get(board::show),
        ),
        r(
            p.clone(),
            "/board/{kind}/{id}",
            Perm(P::PortalEdit),
            post(board::update),
        ),
        r(
            p.clone(),
            "/board/{kind}/{id}/approve",
            Perm(P::PortalPublish),
            post(board::approve),
        ),
        r(
            p.clone(),
            "/board/{kind}/{id}/return",
            Perm(P::PortalPublish),
            post(board::return_entry),
        ),
        r(
            p.clone(),
            "/board/{kind}/{id}/withdraw",
            Perm(P::PortalPublish),
            post(board::withdraw),
        ),
        r(
            p.clone(),
            "/board/{kind}/{id}/contact",
            Perm(P::PersonalUnmask),
            post(board::contact),
        ),
        r(g.clone(), "/portal/{kind}", Public, get(portal::list)),
        r(g.clone(), "/portal/{kind}/{id}", Public, get(portal::item)),
        r(
            g.clone(),
            "/content",
            Perm(P::PortalEdit),
            get(content::list),
        ),
        r(
            p.clone(),
            "/content",
            Perm(P::PortalEdit),
            post(content::create),
        ),
        r(
            g.clone(),
            "/content/new",
            Perm(P::PortalEdit),
            get(content::new),
        ),
        r(
            g.clone(),
            "/content/review",
            Perm(P::PortalPublish),
            get(content::review),
        ),
        r(
            g.clone(),
            "/content/{id}",
            Perm(P::PortalEdit),
            get(content::show),
        ),
        r(
            p.clone(),
            "/content/{id}",
            Perm(P::PortalEdit),
            post(content::update),
        ),
        r(
            p.clone(),
            "/content/{id}/files",
            Perm(P::PortalEdit),
            post(content::attach).layer(axum::extract::DefaultBodyLimit::max(25 * 1024 * 1024)),
        ),
        r(
            g.clone(),
            "/portal/files/{id}",
            Public,
            get(portal::attachment),
        ),
        r(
            p.clone(),
            "/content/{id}/submit",
            Perm(P::PortalEdit),
            post(content::submit),
        ),
        r(
            p.clone(),
            "/content/{id}/approve",
            Perm(P::PortalPublish),
            post(content::approve),
        ),
        r(
            p.clone(),
            "/content/{id}/return",
            Perm(P::PortalPublish),
            post(content::return_item),
        ),
        r(
            p.clone(),
            "/content/{id}/withdraw",
            Perm(P::PortalPublish),
            post(content::withdraw),
        ),
        r(g.clone(), "/login", Public, get(account::login_page)),
        r(p.clone(), "/login", Public, post(account::login_submit)),
        r(p.clone(), "/logout", Authenticated, post(account::logout)),
        r(
            g.clone(),
            "/account/password",
            Authenticated,
            get(account::password_page),
        ),
        r(
            p.clone(),
            "/account/password",
            Authenticated,
            post(account::password_submit),
        ),
        r(
            p.clone(),
            "/account/membership",
            Authenticated,
            post(account::switch_membership),
        ),
        r(g.clone(), "/admin", Authenticated, get(admin::home)),
        r(
            g.clone(),
            "/admin/regions",
            Perm(P::RegionView),
            get(regions::tree),
        ),
        r(
            g.clone(),
            "/admin/regions/{code}",
            Perm(P::RegionView),
            get(regions::show),
        ),
        r(
            p.clone(),
            "/admin/regions/{code}/rename",
            Perm(P::RegionManage),
            post(regions::rename),
        ),
        r(
            p.clone(),
            "/admin/regions/{code}/children",
            Perm(P::RegionManage),
            post(regions::add_child),
        ),
        r(
            p.clone(),
            "/admin/regions/{code}/merge",
            Perm(P::RegionManage),
            post(regions::merge),
        ),
        r(
            p.clone(),
            "/admin/regions/{code}/hotline",
            Perm(P::RegionManage),
            post(regions::set_hotline),
        ),
        r(
            g.clone(),
            "/admin/units",
            Perm(P::UnitView),
            get(units::list),
        ),
        r(
            p.clone(),
            "/admin/units",
            Perm(P::UnitManage),
            post(units::create),
        ),
        r(
            g.clone(),
            "/admin/units/{id}",
            Perm(P::UnitView),
            get(units::show),
        ),
        r(
            p.clone(),
            "/admin/units/{id}",
            Perm(P::UnitManage),
            post(units::update),
        ),
        r(
            p.clone(),
            "/admin/units/{id}/files",
            Perm(P::FileUpload),
            post(units::upload).layer(axum::extract::DefaultBodyLimit::max(25 * 1024 * 1024)),
        ),
        r(
            g.clone(),
            "/admin/users",
            Perm(P::UserView),
            get(users::list),
        ),
        r(
            p.clone(),
            "/admin/users",
            Perm(P::UserManage),
            post(users::create),
        ),
        r(
            g.clone(),
            "/admin/users/{id}",
            Perm(P::UserView),
            get(users::show),
        ),
        r(
            p.clone(),
            "/admin/users/{id}/memberships",
            Perm(P::UserManage),
            post(users::add_membership),
        ),
        r(
            p.clone(),
            "/admin/users/{id}/password",
            Perm(P::UserManage),
            post(users::reset_password),
        ),
        r(
            p.clone(),
            "/admin/users/{id}/unlock",
            Perm(P::SecurityUnlock),
            post(users::unlock),
        ),
        r(
            p.clone(),
            "/admin/users/{id}/phone",
            Perm(P::PersonalUnmask),
            post(users::reveal_phone),
        ),
        r(
            p.clone(),
            "/admin/memberships/{id}/roles",
            Perm(P::UserManage),
            post(users::set_roles),
        ),
        r(
            g.clone(),
            "/admin/roles",
            Perm(P::RoleManage),
            get(roles::list),
        ),
        r(
            p.clone(),
            "/admin/roles",
            Perm(P::RoleManage),
            post(roles::create),
        ),
        r(
            g.clone(),
            "/admin/roles/{id}",
            Perm(P::RoleManage),
            get(roles::show),
        ),
        r(
            p.clone(),
            "/admin/roles/{id}",
            Perm(P::RoleManage),
            post(roles::update),
        ),
        r(
            g.clone(),
            "/admin/security",
            AnyOf(SECURITY_PAGE),
            get(security::show),
        ),
        r(
            p.clone(),
            "/admin/security/policy",
            Perm(P::SecurityPolicy),
            post(security::save_policy),
        ),
        r(
            g.clone(),
            "/admin/audit",
            Perm(P::AuditView),
            get(audit::list),
        ),
        r(
            g.clone(),
            "/admin/audit/export",
            Perm(P::AuditExport),
            get(audit::export),
        ),
        r(
            p.clone(),
            "/admin/audit/verify",
            Perm(P::AuditView),
            post(audit::verify),
        ),
        r(
            g.clone(),
            "/admin/jobs/{id}",
            Authenticated,
            get(jobs::show),
        ),
        r(
            g.clone(),
            "/files/{id}",
            Authenticated,
            get(files::download),
        ),
        r(
            g.clone(),
            "/dashboard",
            Perm(P::IndicatorView),
            get(indicators::dashboard),
        ),
        r(
            g.clone(),
            "/dashboard/export.xlsx",
            Perm(P::IndicatorView),
            get(indicators::dashboard_export),
        ),
        r(
            g.clone(),
            "/indicators/entry",
            Perm(P::IndicatorEnter),
            get(indicator_entry::entry_form),
        ),
        r(
            p.clone(),
            "/indicators/entry",
            Perm(P::IndicatorEnter),
            post(indicator_entry::entry_save),
        ),
        r(
            g.clone(),
            "/indicators/targets",
            Perm(P::IndicatorTarget),
            get(indicator_entry::targets_form),
        ),
        r(
            p.clone(),
            "/indicators/targets",
            Perm(P::IndicatorTarget),
            post(indicator_entry::targets_save),
        ),
        r(
            g.clone(),
            "/indicators/approvals",
            Perm(P::IndicatorApprove),
            get(indicator_entry::approvals),
        ),
        r(
            p.clone(),
            "/indicators/entries/{id}/approve",
            Perm(P::IndicatorApprove),
            post(indicator_entry::approve),
        ),
        r(
            p.clone(),
            "/indicators/entries/{id}/return",
            Perm(P::IndicatorApprove),
            post(indicator_entry::send_back),
        ),
        r(
            p.clone(),
            "/indicators/entries/{id}/reopen",
            Perm(P::IndicatorApprove),
            post(indicator_entry::reopen),
        ),
        r(
            p.clone(),
            "/indicators/entries/{id}/files",
            Perm(P::IndicatorEnter),
            post(indicator_entry::attach)
                .layer(axum::extract::DefaultBodyLimit::max(25 * 1024 * 1024)),
        ),
        r(
            g.clone(),
            "/indicators/entries",
            Perm(P::IndicatorView),
            get(indicator_entry::entries),
        ),
        r(
            g.clone(),
            "/ledger/visits",
            Perm(P::LedgerView),
            get(ledger::visits),
        ),
        r(
            g.clone(),
            "/ledger/needs/closed",
            Perm(P::LedgerView),
            get(ledger::needs_closed),
        ),
        r(
            g.clone(),
            "/indicators/catalogue",
            Perm(P::IndicatorView),
            get(catalogue::show),
        ),
        r(
            p.clone(),
            "/indicators/catalogue",
            Perm(P::IndicatorCatalogue),
            post(catalogue::add),
        ),
        r(
            p.clone(),
            "/indicators/catalogue/{code}",
            Perm(P::IndicatorCatalogue),
            post(catalogue::edit),
        ),
        r(
            p.clone(),
            "/indicators/catalogue/{code}/retire",
            Perm(P::IndicatorCatalogue),
            post(catalogue::retire),
        ),
        r(
            g.clone(),
            "/reports",
            Perm(P::IndicatorView),
            get(reports::index),
        ),
        r(
            p.clone(),
            "/reports/summary",
            Perm(P::IndicatorView),
            post(reports::summary),
        ),
        r(
            p.clone(),
            "/reports/evidence",
            Perm(P::IndicatorView),
            post(reports::evidence),
        ),
        r(
            g.clone(),
            "/reports/template",
            Perm(P::ReportTemplate),
            get(reports::template_form),
        ),
        r(
            p.clone(),
            "/reports/template",
            Perm(P::ReportTemplate),
            post(reports::template_save),
        ),
        r(
            g.clone(),
            "/ledger/persons",
            Perm(P::LedgerView),
            get(ledger::persons),
        ),
        r(
            g.clone(),
            "/ledger/persons/new",
            Perm(P::LedgerEdit),
            get(ledger::person_new),
        ),
        r(
            g.clone(),
            "/ledger/persons/template.xlsx",
            Perm(P::LedgerImport),
            get(ledger_sheets::person_template),
        ),
        r(
            g.clone(),
            "/ledger/persons/export.xlsx",
            Perm(P::LedgerExport),
            get(ledger_sheets::person_export),
        ),
        r(
            g.clone(),
            "/ledger/persons/import",
            Perm(P::LedgerImport),
            get(ledger_sheets::person_import_page),
        ),
        r(
            p.clone(),
            "/ledger/persons/import",
            Perm(P::LedgerImport),
            post(ledger_sheets::person_import)
                .layer(axum::extract::DefaultBodyLimit::max(32 * 1024 * 1024)),
        ),
        r(
            g.clone(),
            "/ledger/businesses/template.xlsx",
            Perm(P::LedgerImport),
            get(ledger_sheets::business_template),
        ),
        r(
            g.clone(),
            "/ledger/businesses/export.xlsx",
            Perm(P::LedgerExport),
            get(ledger_sheets::business_export),
        ),
        r(
            g.clone(),
            "/ledger/businesses/import",
            Perm(P::LedgerImport),
            get(ledger_sheets::business_import_page),
        ),
        r(
            p.clone(),
            "/ledger/businesses/import",
            Perm(P::LedgerImport),
            post(ledger_sheets::business_import)
                .layer(axum::extract::DefaultBodyLimit::max(32 * 1024 * 1024)),
        ),
        r(
            g.clone(),
            "/ledger/visits/template.xlsx",
            Perm(P::LedgerImport),
            get(ledger_sheets::visit_template),
        ),
        r(
            g.clone(),
            "/ledger/visits/import",
            Perm(P::LedgerImport),
            get(ledger_sheets::visit_import_page),
        ),
        r(
            p.clone(),
            "/ledger/visits/import",
            Perm(P::LedgerImport),
            post(ledger_sheets::visit_import)
                .layer(axum::extract::DefaultBodyLimit::max(32 * 1024 * 1024)),
        ),
        r(
            p.clone(),
            "/ledger/persons",
            Perm(P::LedgerEdit),
            post(ledger::person_create),
        ),
        r(
            g.clone(),
            "/ledger/persons/{id}",
            Perm(P::LedgerView),
            get(ledger::person_show),
        ),
        r(
            p.clone(),
            "/ledger/persons/{id}/reveal",
            Perm(P::PersonalUnmask),
            post(ledger::person_reveal),
        ),
        r(
            p.clone(),
            "/ledger/persons/{id}/visits",
            Perm(P::LedgerEdit),
            post(ledger::visit_create),
        ),
        r(
            p.clone(),
            "/ledger/persons/{id}/links",
            Perm(P::LedgerEdit),
            post(ledger::link_create),
        ),
        r(
            g.clone(),
            "/ledger/businesses",
            Perm(P::LedgerView),
            get(ledger::businesses),
        ),
        r(
            g.clone(),
            "/ledger/businesses/new",
            Perm(P::LedgerEdit),
            get(ledger::business_new),
        ),
        r(
            p.clone(),
            "/ledger/businesses",
            Perm(P::LedgerEdit),
            post(ledger::business_create),
        ),
        r(
            g.clone(),
            "/ledger/businesses/{id}",
            Perm(P::LedgerView),
            get(ledger::business_show),
        ),
        r(
            p.clone(),
            "/ledger/businesses/{id}/status",
            Perm(P::LedgerEdit),
            post(ledger::business_status),
        ),
        r(
            g.clone(),
            "/ledger/needs",
            Perm(P::NeedHandle),
            get(ledger::needs),
        ),
        r(
            g.clone(),
            "/ledger/party",
            Perm(P::PartyView),
            get(ledger::party),
        ),
        r(
            g.clone(),
            "/ledger/transfers",
            Perm(P::LedgerTransfer),
            get(ledger::transfers),
        ),
        r(
            p.clone(),
            "/ledger/transfers",
            Perm(P::LedgerTransfer),
            post(ledger::transfer_request),
        ),
        r(
            p.clone(),
            "/ledger/transfers/{id}",
            Perm(P::LedgerTransfer),
            post(ledger::transfer_decide),
        ),
        r(
            g.clone(),
            "/ledger/survival",
            Perm(P::LedgerView),
            get(ledger::survival),
        ),
        r(
            p.clone(),
            "/ledger/survival/{id}",
            Perm(P::LedgerEdit),
            post(ledger::survival_done),
        ),
        r(
            g.clone(),
            "/ledger/overdue",
            Perm(P::LedgerView),
            get(ledger::overdue),
        ),
        r(
            p.clone(),
            "/ledger/persons/{id}/responsible",
            Perm(P::LedgerEdit),
            post(ledger::responsible),
        ),
        r(
            p.clone(),
            "/ledger/needs/{id}",
            Perm(P::NeedHandle),
            post(ledger::need_update),
        ),
        r(g.clone(), "/api/v1/openapi.json", Public, get(api::openapi)),
        r(g.clone(), "/api/v1/me", Authenticated, get(api::me)),
        r(
            g.clone(),
            "/api/v1/portal/items",
            Public,
            get(api_portal::items),
        ),
        r(
            g.clone(),
            "/api/v1/portal/items/{id}",
            Public,
            get(api_portal::item),
        ),
        r(
            g.clone(),
            "/api/v1/portal/search",
            Public,
            get(api_portal::search),
        ),
        r(g.clone(), "/api/v1/portal/qa", Public, get(api_qa::list)),
        r(
            g.clone(),
            "/api/v1/portal/qa/stats",
            Public,
            get(api_qa::stats),
        ),
        r(
            g.clone(),
            "/api/v1/portal/qa/{id}",
            Public,
            get(api_qa::item),
        ),
        r(
            g.clone(),
            "/api/v1/portal/jobs",
            Public,
            get(api_board::jobs),
        ),
        r(
            g.clone(),
            "/api/v1/portal/jobs/{id}",
            Public,
            get(api_board::job),
        ),
        r(
            g.clone(),
            "/api/v1/portal/labour",
            Public,
            get(api_board::labour_list),
        ),
        r(
            g.clone(),
            "/api/v1/portal/labour/{id}",
            Public,
            get(api_board::labour),
        ),
        r(
            g.clone(),
            "/api/v1/portal/ideas",
            Public,
            get(api_board::ideas),
        ),
        r(
            g.clone(),
            "/api/v1/portal/ideas/{id}",
            Public,
            get(api_board::idea),
        ),
        r(
            g.clone(),
            "/api/v1/regions",
            Perm(P::RegionView),
            get(api::regions),
        ),
        r(
            g.clone(),
            "/api/v1/regions/{code}",
            Perm(P::RegionView),
            get(api::region),
        ),
        r(
            g.clone(),
            "/api/v1/units",
            Perm(P::UnitView),
            get(api::units),
        ),
        r(
            g.clone(),
            "/api/v1/persons",
            Perm(P::LedgerView),
            get(api::persons),
        ),
        r(
            g.clone(),
            "/api/v1/persons/{id}",
            Perm(P::LedgerView),
            get(api::person),
        ),
        r(
            g.clone(),
            "/api/v1/indicators",
            Perm(P::IndicatorView),
            get(api::indicators),
        ),
        r(
            g.clone(),
            "/api/v1/indicators/values",
            Perm(P::IndicatorView),
            get(api::indicator_values),
        ),
        r(
            g.clone(),
            "/api/v1/businesses",
            Perm(P::LedgerView),
            get(api::businesses),
        ),
        r(
            g.clone(),
            "/api/v1/businesses/{id}",
            Perm(P::LedgerView),
            get(api::business),
        ),
        r(g, "/api/v1/jobs/{id}", Authenticated, get(api::job)),
    ]
}

async fn guard(State(access): State<Access>, req: Request, next: Next) -> Response {
    let actor = req.extensions().get::<Ctx>().and_then(|c| c.actor.clone());
    match access.allows(actor.as_ref()) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// Holds back an address that asks for public pages faster than people read
/// ([`crate::WebConfig::public_per_second`]); the back office and static files are not counted.
async fn public_limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let public =
        path.starts_with("/portal") || path.starts_with("/api/v1/portal") || path == "/sitemap.xml";
    if let (true, Some(limiter)) = (public, &st.public_limiter) {
        let ip = req.extensions().get::<Ctx>().map(|c| c.ip.clone());
        let key = crate::public_form::limit_key(&ip.unwrap_or_default());
        if limiter.check_key(&key).is_err() {
            return AppError::TooManyRequests.into_response();
        }
    }
    next.run(req).await
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// Content-Security-Policy: no inline script, nothing from elsewhere, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// The whole application router.
pub fn router(state: AppState) -> Router {
    use axum::http::{HeaderName, HeaderValue, header};
    let mut router: Router<AppState> = Router::new();
    for spec in table() {
        let h = spec
            .handler
            .route_layer(middleware::from_fn_with_state(spec.access, guard));
        router = router.route(spec.path, h);
    }
    let hdr = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), public_limit))
        .layer(middleware::from_fn_with_state(state.clone(), ctx::resolve))
        .layer(CompressionLayer::new())
        .layer(hdr(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(hdr(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(hdr(header::X_FRAME_OPTIONS, "DENY"))
        .layer(hdr(header::REFERRER_POLICY, "same-origin"))
        .layer(hdr(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ))
        .layer(hdr(header::CACHE_CONTROL, "no-store"))
        .with_state(state)
}
