//! The entrepreneur ledger: persons and businesses (lists, registration, record pages),
//! follow-up visits with needs, and a member unit's queue of needs.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chuangye_core::ledger::model::{self, BusinessInput, Code, PersonInput};
use chuangye_core::ledger::repo::{self, BusinessFilter, PersonFilter};
use chuangye_core::ledger::service::{self, Registered};
use chuangye_core::org::Permission;
use chuangye_core::org::repo::UnitFilter;
use chuangye_core::personal::{self, Kind};

use super::PAGE_SIZE;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::{Errors, FormData, Shell, form_result, render, render_form, see_other};

/// A coded value with its translated label, for selects and checkboxes.
pub struct Choice {
    pub code: &'static str,
    pub label: String,
}

fn choices(ctx: &Ctx, family: &str, list: &[Code]) -> Vec<Choice> {
    list.iter()
        .map(|(c, _)| Choice {
            code: c,
            label: ctx.t(&format!("ledger.{family}.{c}")),
        })
        .collect()
}

async fn communities(st: &AppState, ctx: &Ctx) -> AppResult<Vec<(String, String)>> {
    let a = ctx.actor()?;
    let rows =
        chuangye_core::org::repo::communities_in_scope(&mut *st.conn().await?, &a.scope).await?;
    Ok(rows)
}

// ------------------------------------------------------------------ persons

#[derive(Template)]
#[template(path = "ledger/persons.html")]
pub struct PersonsPage {
    pub s: Shell,
    pub f: PersonFilter,
    pub rows: Vec<repo::PersonRow>,
    pub total: repo::Total,
    pub next: Option<String>,
    pub categories: Vec<Choice>,
    pub can_edit: bool,
    pub can_party: bool,
    pub can_import: bool,
    pub can_export: bool,
}

impl PersonsPage {
    pub fn sel(&self, v: &Option<String>, code: &str) -> bool {
        v.as_deref() == Some(code)
    }
    pub fn val(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
    pub fn qs(&self) -> String {
        let f = &self.f;
        serde_urlencoded::to_string([
            ("q", self.val(&f.q)),
            ("region", self.val(&f.region)),
            ("category", self.val(&f.category)),
            ("party", self.val(&f.party)),
            ("sort", self.val(&f.sort)),
            ("created_from", self.val(&f.created_from)),
            ("created_to", self.val(&f.created_to)),
        ])
        .unwrap_or_default()
    }
}

pub async fn persons(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(f): Query<PersonFilter>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    // An exact ID number or mobile number is found through its blind index.
    let ix = f.q.as_deref().and_then(|q| {
        personal::lookup_index(&st.core.crypto, Kind::IdNumber, q)
            .map(|i| ("id_index", i))
            .or_else(|| {
                personal::lookup_index(&st.core.crypto, Kind::Phone, q).map(|i| ("phone_index", i))
            })
    });
    let mut c = st.conn().await?;
    let (rows, total, next) = repo::person_list(
        &mut c,
        &a.scope,
        &f,
        a.can(Permission::PartyView),
        ix,
        PAGE_SIZE,
    )
    .await?;
    drop(c);
    render(&PersonsPage {
        s: Shell::new(&st, &ctx, "nav.persons").await?,
        f,
        rows,
        total,
        next,
        categories: choices(&ctx, "category", model::CATEGORY),
        can_edit: a.can(Permission::LedgerEdit),
        can_party: a.can(Permission::PartyView),
        can_import: a.can(Permission::LedgerImport),
        can_export: a.can(Permission::LedgerExport),
    })
}

#[derive(Template)]
#[template(path = "ledger/person_new.html")]
pub struct PersonNewPage {
    pub s: Shell,
    pub form: FormData,
    pub errors: Errors,
    pub education: Vec<Choice>,
    pub household: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub communities: Vec<(String, String)>,
    pub can_party: bool,
    /// Registered in another region: its name, and the record to ask a transfer of.
    pub elsewhere: Option<(String, String)>,
}

async fn person_new_page(
    st: &AppState,
    ctx: &Ctx,
    form: FormData,
    errors: Errors,
    elsewhere: Option<(String, String)>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let invalid = errors.any() || elsewhere.is_some();
    let s = Shell::new(st, ctx, "ledger.person.new")
        .await?
        .crumb("/ledger/persons", ctx.t("nav.persons"))
        .crumb("", ctx.t("ledger.person.new"));
    render_form(
        &PersonNewPage {
            s,
            form,
            errors,
            education: choices(ctx, "education", model::EDUCATION),
            household: choices(ctx, "household", model::HOUSEHOLD),
            categories: choices(ctx, "category", model::CATEGORY),
            communities: communities(st, ctx).await?,
            can_party: a.can(Permission::PartyView),
            elsewhere,
        },
        invalid,
    )
}

pub async fn person_new(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    person_new_page(&st, &ctx, FormData::default(), Errors::default(), None).await
}

pub async fn person_create(
    State(st): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> AppResult<Response> {
    let input = PersonInput {
        name: form.get("name"),
        id_number: form.get("id_number"),
        phone: form.get("phone"),
        education: form.get("education"),
        household: form.get("household"),
        categories: form.all("categories"),
        party_member: form.get("party_member") == "1",
        region_code: form.get("region_code"),
        address: form.get("address"),
    };
    match form_result(
        ctx.lang,
        service::register_person(&st.core, ctx.actor()?, &input).await,
    )? {
        Ok(Registered::New(id)) => Ok(see_other(&format!("/ledger/persons/{id}"))),
        Ok(Registered::Existing(id)) => {
            Ok(see_other(&format!("/ledger/persons/{id}?notice=existing")))
        }
        Ok(Registered::Elsewhere {
            region_name, id, ..
        }) => person_new_page(&st, &ctx, form, Errors::default(), Some((region_name, id))).await,
        Err(e) => person_new_page(&st, &ctx, form, e, None).await,
    }
}

#[derive(Template)]
#[template(path = "ledger/person.html")]
pub struct PersonPage {
    pub s: Shell,
    pub r: service::PersonRecord,
    pub categories: Vec<String>,
    pub methods: Vec<Choice>,
    pub need_kinds: Vec<Choice>,
    pub roles: Vec<Choice>,
    pub units: Vec<(String, String)>,
    /// Staff who may be made responsible (三包).
    pub candidates: Vec<(String, String)>,
    pub can_edit: bool,
    pub can_unmask: bool,
    pub revealed_id: Option<String>,
    pub revealed_phone: Option<String>,
    pub errors: Errors,
    pub form: FormData,
    pub today: String,
}

impl PersonPage {
    pub fn label(&self, family: &str, code: &str) -> String {
        self.s.tk(&format!("ledger.{family}."), code)
    }
}

#[derive(serde::Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    pub notice: String,
}

async fn person_page(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: Errors,
    form: FormData,
    revealed: (Option<String>, Option<String>),
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let r = service::person_record(&st.core, a, id).await?;
    // Needs go to the deployment's member units, which may sit above the actor's own region.
    let root = chuangye_core::org::service::root_region(&st.core)
        .await?
        .unwrap_or_else(|| a.region_code.clone());
    let mut c = st.conn().await?;
    let (units, _) = chuangye_core::org::repo::unit_list(
        &mut c,
        &chuangye_core::org::RegionScope::of(&root),
        &UnitFilter::default(),
        500,
    )
    .await?;
    drop(c);
    let candidates = followup::responsible_candidates(&st.core, a, &r.person.region_code).await?;
    let categories = r
        .categories
        .iter()
        .map(|c| ctx.t(&format!("ledger.category.{c}")))
        .collect();
    let s = Shell::new(st, ctx, "nav.persons")
        .await?
        .crumb("/ledger/persons", ctx.t("nav.persons"))
        .crumb("", r.person.name.clone());
    let invalid = errors.any();
    render_form(
        &PersonPage {
            s,
            categories,
            methods: choices(ctx, "method", model::VISIT_METHOD),
            need_kinds: choices(ctx, "need_kind", model::NEED_KIND),
            roles: choices(ctx, "role", model::LINK_ROLE),
            units: units.into_iter().map(|u| (u.id, u.name)).collect(),
            candidates,
            can_edit: a.can(Permission::LedgerEdit),
            can_unmask: a.can(Permission::PersonalUnmask),
            revealed_id: revealed.0,
            revealed_phone: revealed.1,
            errors,
            form,
            today: model::fmt_date(model::today()),
            r,
        },
        invalid,
    )
}

pub async fn person_show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Response> {
    let mut resp = person_page(
        &st,
        &ctx,
        &id,
        Errors::default(),
        FormData::default(),
        (None, None),
    )
    .await?;
    if q.notice == "existing" {
        *resp.status_mut() = axum::http::StatusCode::OK;
    }
    Ok(resp)
}

pub async fn person_reveal(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let (kind, slot) = match form.get("field").as_str() {
        "phone" => (Kind::Phone, 1),
        _ => (Kind::IdNumber, 0),
    };
    let v = service::reveal_person_field(&st.core, a, &id, kind).await?;
    let revealed = if slot == 0 { (v, None) } else { (None, v) };
    person_page(
        &st,
        &ctx,
        &id,
        Errors::default(),
        FormData::default(),
        revealed,
    )
    .await
}

pub async fn visit_create(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let kinds = form.all("need_kind");
    let descs = form.all("need_description");
    let units = form.all("need_unit");
    let needs = kinds
        .iter()
        .zip(descs.iter())
        .zip(units.iter())
        .filter(|((k, d), _)| !k.is_empty() || !d.trim().is_empty())
        .map(|((k, d), u)| service::NeedInput {
            kind: k.clone(),
            description: d.clone(),
            unit_id: u.clone(),
        })
        .collect();
    let input = service::VisitInput {
        visit_date: form.get("visit_date"),
        method: form.get("method"),
        notes: form.get("notes"),
        next_visit_date: form.get("next_visit_date"),
        business_id: form.get("business_id"),
        needs,
    };
    match form_result(
        ctx.lang,
        service::record_visit(&st.core, ctx.actor()?, &id, &input).await,
    )? {
        Ok(_) => Ok(see_other(&format!("/ledger/persons/{id}#visits"))),
        Err(e) => person_page(&st, &ctx, &id, e, form, (None, None)).await,
    }
}

pub async fn link_create(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let input = service::LinkInput {
        business_id: form.get("business_id"),
        role: form.get("role"),
        since: form.get("since"),
    };
    match form_result(
        ctx.lang,
        service::link(&st.core, ctx.actor()?, &id, &input).await,
    )? {
        Ok(()) => Ok(see_other(&format!("/ledger/persons/{id}"))),
        Err(e) => person_page(&st, &ctx, &id, e, form, (None, None)).await,
    }
}

// ------------------------------------------------------------------ businesses

#[derive(Template)]
#[template(path = "ledger/businesses.html")]
pub struct BusinessesPage {
    pub s: Shell,
    pub f: BusinessFilter,
    pub rows: Vec<repo::Business>,
    pub total: repo::Total,
    pub next: Option<String>,
    pub kinds: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub can_edit: bool,
    pub can_import: bool,
    pub can_export: bool,
}

impl BusinessesPage {
    pub fn val(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
    pub fn sel(&self, v: &Option<String>, code: &str) -> bool {
        v.as_deref() == Some(code)
    }
    pub fn qs(&self) -> String {
        let f = &self.f;
        serde_urlencoded::to_string([
            ("q", self.val(&f.q)),
            ("region", self.val(&f.region)),
            ("kind", self.val(&f.kind)),
            ("industry", self.val(&f.industry)),
            ("status", self.val(&f.status)),
            ("sort", self.val(&f.sort)),
            ("registered_from", self.val(&f.registered_from)),
            ("registered_to", self.val(&f.registered_to)),
        ])
        .unwrap_or_default()
    }
}

pub async fn businesses(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(f): Query<BusinessFilter>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut c = st.conn().await?;
    let (rows, total, next) = repo::business_list(&mut c, &a.scope, &f, PAGE_SIZE).await?;
    drop(c);
    render(&BusinessesPage {
        s: Shell::new(&st, &ctx, "nav.businesses").await?,
        f,
        rows,
        total,
        next,
        kinds: choices(&ctx, "kind", model::BUSINESS_KIND),
        statuses: choices(&ctx, "status", model::STATUS),
        can_edit: a.can(Permission::LedgerEdit),
        can_import: a.can(Permission::LedgerImport),
        can_export: a.can(Permission::LedgerExport),
    })
}

#[derive(Template)]
#[template(path = "ledger/business_new.html")]
pub struct BusinessNewPage {
    pub s: Shell,
    pub form: FormData,
    pub errors: Errors,
    pub kinds: Vec<Choice>,
    pub communities: Vec<(String, String)>,
    pub industries: Vec<(String, String)>,
    pub can_override: bool,
    pub elsewhere: Option<(String, String)>,
}

async fn business_new_page(
    st: &AppState,
    ctx: &Ctx,
    form: FormData,
    errors: Errors,
    elsewhere: Option<(String, String)>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let invalid = errors.any() || elsewhere.is_some();
    let s = Shell::new(st, ctx, "ledger.business.new")
        .await?
        .crumb("/ledger/businesses", ctx.t("nav.businesses"))
        .crumb("", ctx.t("ledger.business.new"));
    let industries = chuangye_core::validate::divisions()
        .iter()
        .map(|d| (d.code.clone(), format!("{} {}", d.code, d.name)))
        .collect();
    render_form(
        &BusinessNewPage {
            s,
            form,
            errors,
            kinds: choices(ctx, "kind", model::BUSINESS_KIND),
            communities: communities(st, ctx).await?,
            industries,
            can_override: a.can(Permission::LedgerOverride),
            elsewhere,
        },
        invalid,
    )
}

pub async fn business_new(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    business_new_page(&st, &ctx, FormData::default(), Errors::default(), None).await
}

pub async fn business_create(
    State(st): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> AppResult<Response> {
    let input = BusinessInput {
        name: form.get("name"),
        kind: form.get("kind"),
        uscc: form.get("uscc"),
        uscc_override_reason: form.get("uscc_override_reason"),
        industry: form.get("industry"),
        registered_on: form.get("registered_on"),
        region_code: form.get("region_code"),
        address: form.get("address"),
        capital: form.get("capital"),
        jobs: form.get("jobs"),
    };
    match form_result(
        ctx.lang,
        service::register_business(&st.core, ctx.actor()?, &input).await,
    )? {
        Ok(Registered::New(id)) | Ok(Registered::Existing(id)) => {
            Ok(see_other(&format!("/ledger/businesses/{id}")))
        }
        Ok(Registered::Elsewhere {
            region_name, id, ..
        }) => business_new_page(&st, &ctx, form, Errors::default(), Some((region_name, id))).await,
        Err(e) => business_new_page(&st, &ctx, form, e, None).await,
    }
}

#[derive(Template)]
#[template(path = "ledger/business.html")]
pub struct BusinessPage {
    pub s: Shell,
    pub r: service::BusinessRecord,
    pub statuses: Vec<Choice>,
    pub can_edit: bool,
    pub errors: Errors,
    pub form: FormData,
    pub today: String,
    pub industry: String,
    pub capital: String,
}

async fn business_page(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: Errors,
    form: FormData,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let r = service::business_record(&st.core, a, id).await?;
    let industry = chuangye_core::validate::industry(&r.business.industry)
        .map(|i| format!("{} {}", i.code, i.name))
        .unwrap_or_default();
    let capital = model::fen_to_yuan(r.business.capital_fen);
    let s = Shell::new(st, ctx, "nav.businesses")
        .await?
        .crumb("/ledger/businesses", ctx.t("nav.businesses"))
        .crumb("", r.business.name.clone());
    let invalid = errors.any();
    render_form(
        &BusinessPage {
            s,
            r,
            statuses: choices(ctx, "status", model::STATUS),
            can_edit: a.can(Permission::LedgerEdit),
            errors,
            form,
            today: model::fmt_date(model::today()),
            industry,
            capital,
        },
        invalid,
    )
}

pub async fn business_show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    business_page(&st, &ctx, &id, Errors::default(), FormData::default()).await
}

pub async fn business_status(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let input = service::StatusChange {
        status: form.get("status"),
        valid_from: form.get("valid_from"),
        note: form.get("note"),
    };
    match form_result(
        ctx.lang,
        service::change_status(&st.core, ctx.actor()?, &id, &input).await,
    )? {
        Ok(()) => Ok(see_other(&format!("/ledger/businesses/{id}"))),
        Err(e) => business_page(&st, &ctx, &id, e, form).await,
    }
}

// ------------------------------------------------------------------ needs

#[derive(Template)]
#[template(path = "ledger/needs.html")]
pub struct NeedsPage {
    pub s: Shell,
    pub rows: Vec<repo::Need>,
    pub today: String,
    pub all: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct NeedsQuery {
    #[serde(default)]
    pub all: String,
}

pub async fn needs(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NeedsQuery>,
) -> AppResult<Response> {
    let all = q.all == "1";
    let rows = service::my_queue(&st.core, ctx.actor()?, all).await?;
    render(&NeedsPage {
        s: Shell::new(&st, &ctx, "nav.needs").await?,
        rows,
        today: model::fmt_date(model::today()),
        all,
    })
}

pub async fn need_update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let input = service::NeedUpdate {
        state: form.get("state"),
        reason: form.get("reason"),
    };
    match service::update_need(&st.core, ctx.actor()?, &id, &input).await {
        Ok(()) => Ok(see_other("/ledger/needs")),
        Err(chuangye_core::Error::Invalid(v)) => Err(AppError::Invalid(v)),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ follow-up pages

use chuangye_core::ledger::followup;

#[derive(Template)]
#[template(path = "ledger/party.html")]
pub struct PartyPage {
    pub s: Shell,
    pub year: i32,
    pub months: Vec<followup::PartyMonth>,
}

#[derive(serde::Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// The party-member entrepreneurship ledger: its monthly statistics and the list (filtered).
pub async fn party(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = q
        .year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| model::today().year());
    let months = followup::party_stats(&st.core, ctx.actor()?, year).await?;
    let s = Shell::new(&st, &ctx, "ledger.party.title")
        .await?
        .crumb("/ledger/persons", ctx.t("nav.persons"))
        .crumb("", ctx.t("ledger.party.title"));
    render(&PartyPage { s, year, months })
}

#[derive(Template)]
#[template(path = "ledger/transfers.html")]
pub struct TransfersPage {
    pub s: Shell,
    pub incoming: Vec<followup::Transfer>,
    pub outgoing: Vec<followup::Transfer>,
}

pub async fn transfers(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let (incoming, outgoing) = followup::transfers(&st.core, ctx.actor()?).await?;
    render(&TransfersPage {
        s: Shell::new(&st, &ctx, "nav.transfers").await?,
        incoming,
        outgoing,
    })
}

/// Asks the owning region for a record registered there (from the "registered elsewhere" notice).
pub async fn transfer_request(
    State(st): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> AppResult<Response> {
    let r = followup::request_transfer(
        &st.core,
        ctx.actor()?,
        &form.get("entity"),
        &form.get("entity_id"),
        &form.get("to_region"),
        &form.get("reason"),
    )
    .await;
    match r {
        Ok(_) => Ok(see_other("/ledger/transfers")),
        Err(e) => Err(e.into()),
    }
}

pub async fn transfer_decide(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    followup::decide_transfer(
        &st.core,
        ctx.actor()?,
        &id,
        form.get("decision") == "accept",
        &form.get("reason"),
    )
    .await?;
    Ok(see_other("/ledger/transfers"))
}

#[derive(Template)]
#[template(path = "ledger/survival.html")]
pub struct SurvivalPage {
    pub s: Shell,
    pub rows: Vec<followup::SurvivalCheck>,
    pub statuses: Vec<Choice>,
}

pub async fn survival(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let rows = followup::survival_checks(&st.core, ctx.actor()?, false).await?;
    render(&SurvivalPage {
        s: Shell::new(&st, &ctx, "nav.survival").await?,
        rows,
        statuses: choices(&ctx, "status", model::STATUS),
    })
}

pub async fn survival_done(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    followup::complete_survival_check(
        &st.core,
        ctx.actor()?,
        &id,
        &followup::SurvivalResult {
            result: form.get("result"),
        },
    )
    .await?;
    Ok(see_other("/ledger/survival"))
}

#[derive(Template)]
#[template(path = "ledger/overdue.html")]
pub struct OverduePage {
    pub s: Shell,
    pub rows: Vec<repo::Need>,
}

pub async fn overdue(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let rows = followup::overdue_needs(&st.core, ctx.actor()?).await?;
    render(&OverduePage {
        s: Shell::new(&st, &ctx, "nav.overdue").await?,
        rows,
    })
}

pub async fn responsible(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    match form_result(
        ctx.lang,
        followup::assign_responsible(&st.core, ctx.actor()?, &id, &form.get("responsible")).await,
    )? {
        Ok(()) => Ok(see_other(&format!("/ledger/persons/{id}"))),
        Err(e) => person_page(&st, &ctx, &id, e, form, (None, None)).await,
    }
}

// ------------------------------------------------------------------ visits list

#[derive(Template)]
#[template(path = "ledger/visits.html")]
pub struct VisitsPage {
    pub s: Shell,
    pub rows: Vec<chuangye_core::ledger::repo::VisitRow>,
    pub region: String,
    pub from: String,
    pub to: String,
    /// The query of the next page, when this one is full.
    pub next: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct VisitsQuery {
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub after_date: Option<String>,
    pub after_id: Option<String>,
}

/// The dates of a list behind a figure: as asked, each defaulting to this year's first or last day.
fn this_year_unless(from: &str, to: &str) -> (String, String) {
    let year = model::today().year();
    let or = |s: &str, d: String| {
        Some(s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or(d)
    };
    (
        or(from, format!("{year:04}-01-01")),
        or(to, format!("{year:04}-12-31")),
    )
}

/// The visits made in a region between two dates (the rows behind "visits made"); by default
/// this year in the actor's scope.
pub async fn visits(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<VisitsQuery>,
) -> AppResult<Response> {
    let (from, to) = this_year_unless(&q.from, &q.to);
    let after = q.after_date.as_deref().zip(q.after_id.as_deref());
    let rows = followup::visits_between(
        &st.core,
        ctx.actor()?,
        Some(q.region.trim()),
        &from,
        &to,
        after,
    )
    .await?;
    let next = (rows.len() as i64 == followup::VISIT_PAGE).then(|| {
        let last = &rows[rows.len() - 1];
        serde_urlencoded::to_string([
            ("region", q.region.trim()),
            ("from", &from),
            ("to", &to),
            ("after_date", &last.visit_date),
            ("after_id", &last.id),
        ])
        .unwrap_or_default()
    });
    render(&VisitsPage {
        s: Shell::new(&st, &ctx, "nav.visits").await?,
        rows,
        region: q.region.trim().to_string(),
        from,
        to,
        next,
    })
}

#[derive(Template)]
#[template(path = "ledger/needs_closed.html")]
pub struct NeedsClosedPage {
    pub s: Shell,
    pub rows: Vec<chuangye_core::ledger::repo::ClosedNeed>,
    pub region: String,
    pub from: String,
    pub to: String,
    pub next: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct NeedsClosedQuery {
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub after_at: Option<i64>,
    pub after_id: Option<String>,
}

/// The needs closed in a region between two dates, each marked on time or late (the rows
/// behind "needs closed" and the on-time rate); by default this year in the actor's scope.
pub async fn needs_closed(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NeedsClosedQuery>,
) -> AppResult<Response> {
    let (from, to) = this_year_unless(&q.from, &q.to);
    let after = q.after_at.zip(q.after_id.as_deref());
    let rows = followup::needs_closed_between(
        &st.core,
        ctx.actor()?,
        Some(q.region.trim()),
        &from,
        &to,
        after,
    )
    .await?;
    let next = (rows.len() as i64 == followup::VISIT_PAGE).then(|| {
        let last = &rows[rows.len() - 1];
        serde_urlencoded::to_string([
            ("region", q.region.trim()),
            ("from", &from),
            ("to", &to),
            ("after_at", &last.closed_at.to_string()),
            ("after_id", &last.id),
        ])
        .unwrap_or_default()
    });
    render(&NeedsClosedPage {
        s: Shell::new(&st, &ctx, "nav.needs_closed").await?,
        rows,
        region: q.region.trim().to_string(),
        from,
        to,
        next,
    })
}
