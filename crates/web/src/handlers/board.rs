//! The back office of the job board and business ideas (用工与项目): lists by kind and state,
//! the new and edit forms, suggested matches, the review queue (entries of the communities
//! below and the public's submissions to the actor's own region: approve, or return / reject
//! with a reason) and withdrawal. Contacts are shown masked.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chuangye_core::board::model::{Entry, EntryInput, Kind, TRADES, origin, state, visibility};
use chuangye_core::board::service;
use chuangye_core::idea::model::{CATEGORIES, Idea, IdeaInput};
use chuangye_core::idea::service as ideas;
use chuangye_core::org::Permission;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::{Errors, FormData, Shell, form_result, render, render_form, see_other};

/// One row of a back-office list or queue, whatever its kind.
pub struct Row {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub region_name: String,
    pub state: String,
    /// `staff` | `public`.
    pub origin: String,
    pub contact: String,
    pub detail: String,
    pub updated_at: i64,
    /// Where the title links: the back-office record, or the public page of a match outside
    /// the reader's region.
    pub href: String,
}

fn entry_row(ctx: &Ctx, e: &Entry) -> Row {
    let title = match e.kind() {
        Kind::Job => e.title(),
        _ => format!(
            "{} {}{}",
            ctx.t(&format!("board.trade.{}", e.trade)),
            e.head_count,
            ctx.t("board.people")
        ),
    };
    Row {
        id: e.id.clone(),
        kind: e.kind.clone(),
        title,
        region_name: e.region_name.clone(),
        state: e.state.clone(),
        origin: e.origin.clone(),
        contact: format!("{} {}", e.contact_name, e.contact_masked),
        detail: e.body.clone(),
        updated_at: e.updated_at,
        href: format!("/board/{}/{}", e.kind, e.id),
    }
}

/// A match outside the reader's region, as the public sees it: the contact only as its poster
/// chose (never a hidden name), the title linking to the public page.
fn public_match_row(ctx: &Ctx, e: &Entry) -> Row {
    use chuangye_core::board::model::{surname_only, visibility};
    let mut row = entry_row(ctx, e);
    row.contact = match e.contact_visibility.as_str() {
        visibility::PUBLIC => format!("{} {}", e.contact_name, e.contact_masked),
        visibility::MASKED => format!("{} {}", surname_only(&e.contact_name), e.contact_masked),
        _ => ctx.t("board.contact_staff_only"),
    };
    let list = match e.kind() {
        Kind::Job => "jobs",
        _ => "labour",
    };
    row.href = format!("/portal/{list}/{}", e.id);
    row
}

fn idea_row(i: &Idea) -> Row {
    Row {
        id: i.id.clone(),
        kind: "idea".into(),
        title: i.title.clone(),
        region_name: i.region_name.clone(),
        state: i.state.clone(),
        // A citizen's idea counts as theirs only as submitted (as core reviews it).
        origin: if i.source == "solicited" && i.version == 1 {
            origin::PUBLIC.into()
        } else {
            origin::STAFF.into()
        },
        contact: format!(
            "{} {}",
            i.submitter_name.clone().unwrap_or_default(),
            i.contact_masked.clone().unwrap_or_default()
        ),
        detail: chuangye_core::portal::model::plain_text(&i.description),
        updated_at: i.updated_at,
        href: format!("/board/idea/{}", i.id),
    }
}

fn kind_of(s: &str) -> AppResult<Kind> {
    Kind::parse(s).ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "board/list.html")]
pub struct ListPage {
    pub s: Shell,
    pub kind: String,
    pub rows: Vec<Row>,
    pub only_state: String,
    pub can_review: bool,
    pub page: i64,
    pub more: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub page: String,
}

pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let kind = Kind::parse(&q.kind).unwrap_or(Kind::Job);
    let only = Some(q.state.as_str());
    let page = chuangye_core::board::model::parse_count(&q.page)
        .unwrap_or(1)
        .clamp(1, 100_000);
    let (rows, more) = match kind {
        Kind::Idea => {
            let (rows, more) = ideas::list(&st.core, a, only, page).await?;
            (rows.iter().map(idea_row).collect(), more)
        }
        k => {
            let (rows, more) = service::list(&st.core, a, k, only, page).await?;
            (rows.iter().map(|e| entry_row(&ctx, e)).collect(), more)
        }
    };
    render(&ListPage {
        s: Shell::new(&st, &ctx, "nav.board").await?,
        kind: kind.as_str().to_string(),
        rows,
        only_state: q.state,
        can_review: a.can(Permission::PortalPublish),
        page,
        more,
    })
}

#[derive(Template)]
#[template(path = "board/review.html")]
pub struct ReviewPage {
    pub s: Shell,
    pub rows: Vec<Row>,
    pub errors: Errors,
    pub failed: String,
}

async fn review_page(
    st: &AppState,
    ctx: &Ctx,
    failed: &str,
    errors: Errors,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut rows: Vec<Row> = Vec::new();
    for k in [Kind::Job, Kind::Labour] {
        rows.extend(
            service::review_queue(&st.core, a, k)
                .await?
                .iter()
                .map(|e| entry_row(ctx, e)),
        );
    }
    rows.extend(ideas::review_queue(&st.core, a).await?.iter().map(idea_row));
    let p = ReviewPage {
        s: Shell::new(st, ctx, "nav.board_review").await?,
        rows,
        errors,
        failed: failed.to_string(),
    };
    render_form(&p, p.errors.any())
}

pub async fn review(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    review_page(&st, &ctx, "", Errors::default()).await
}

/// A record shown in the back office: a posting or supply entry, or an idea.
pub enum Record {
    Entry(Box<Entry>),
    Idea(Box<Idea>),
}

#[derive(Template)]
#[template(path = "board/edit.html")]
pub struct EditPage {
    pub s: Shell,
    pub kind: String,
    pub row: Option<Row>,
    pub record: Option<Record>,
    pub typed: FormData,
    pub errors: Errors,
    pub matches: Vec<Row>,
    pub can_publish: bool,
    /// May see a contact number in full (audited, one record at a time).
    pub can_unmask: bool,
    /// The contact number, just revealed.
    pub revealed: Option<String>,
}

impl EditPage {
    pub fn trades(&self) -> &'static [&'static str] {
        TRADES
    }

    pub fn categories(&self) -> &'static [&'static str] {
        CATEGORIES
    }

    pub fn visibilities(&self) -> &'static [&'static str] {
        visibility::ALL
    }

    /// The value of a field: as typed after a failed save, else the record's.
    pub fn v(&self, name: &str) -> String {
        if self.typed.has(name) {
            return self.typed.get(name);
        }
        let n = |x: &Option<i64>| x.map(|v| v.to_string()).unwrap_or_default();
        match &self.record {
            None => String::new(),
            Some(Record::Entry(e)) => match name {
                "employer" => e.employer.clone().unwrap_or_default(),
                "position" => e.position.clone().unwrap_or_default(),
                "trade" => e.trade.clone(),
                "head_count" => e.head_count.to_string(),
                "pay_min" => n(&e.pay_min),
                "pay_max" => n(&e.pay_max),
                "body" => e.body.clone(),
                "region_code" => e.region_code.clone(),
                "contact_name" => e.contact_name.clone(),
                "contact_visibility" => e.contact_visibility.clone(),
                "valid_until" => e.valid_until.clone(),
                _ => String::new(),
            },
            Some(Record::Idea(i)) => match name {
                "title" => i.title.clone(),
                "category" => i.category.clone(),
                "invest_min" => n(&i.invest_min),
                "invest_max" => n(&i.invest_max),
                "description" => i.description.clone(),
                "region_code" => i.region_code.clone(),
                _ => String::new(),
            },
        }
    }

    /// A new record, or one that is published or returned (in scope).
    pub fn editable(&self) -> bool {
        self.row
            .as_ref()
            .is_none_or(|r| r.state == state::PUBLISHED || r.state == state::RETURNED)
    }

    pub fn version(&self) -> i64 {
        match &self.record {
            Some(Record::Entry(e)) => e.version,
            Some(Record::Idea(i)) => i.version,
            None => 0,
        }
    }

    /// The reason a record was returned, rejected or withdrawn.
    pub fn reason(&self) -> Option<String> {
        match &self.record {
            Some(Record::Entry(e)) => e.withdraw_reason.clone().or(e.return_reason.clone()),
            Some(Record::Idea(i)) => i.withdraw_reason.clone().or(i.return_reason.clone()),
            None => None,
        }
    }

    pub fn public_url(&self) -> String {
        match (&self.row, Kind::parse(&self.kind)) {
            (Some(r), Some(k)) => k.url(&r.id),
            _ => String::new(),
        }
    }
}

fn entry_input(f: &FormData) -> EntryInput {
    EntryInput {
        employer: f.get("employer"),
        position: f.get("position"),
        trade: f.get("trade"),
        head_count: f.get("head_count"),
        pay_min: f.get("pay_min"),
        pay_max: f.get("pay_max"),
        body: f.get("body"),
        region_code: f.get("region_code"),
        contact_name: f.get("contact_name"),
        contact_phone: f.get("contact_phone"),
        contact_visibility: f.get("contact_visibility"),
        valid_until: f.get("valid_until"),
    }
}

fn idea_input(f: &FormData) -> IdeaInput {
    IdeaInput {
        title: f.get("title"),
        category: f.get("category"),
        invest_min: f.get("invest_min"),
        invest_max: f.get("invest_max"),
        // Rich text keeps its line breaks.
        description: f
            .0
            .iter()
            .find(|(k, _)| k == "description")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        region_code: f.get("region_code"),
        submitter_name: String::new(),
        contact_phone: String::new(),
    }
}

async fn load(st: &AppState, ctx: &Ctx, kind: Kind, id: &str) -> AppResult<Record> {
    let a = ctx.actor()?;
    Ok(match kind {
        Kind::Idea => Record::Idea(Box::new(ideas::get(&st.core, a, id).await?)),
        k => Record::Entry(Box::new(service::get(&st.core, a, k, id).await?)),
    })
}

async fn edit_page(
    st: &AppState,
    ctx: &Ctx,
    kind: Kind,
    record: Option<Record>,
    typed: FormData,
    errors: Errors,
) -> AppResult<Response> {
    edit_page_revealing(st, ctx, kind, record, (typed, errors), None).await
}

async fn edit_page_revealing(
    st: &AppState,
    ctx: &Ctx,
    kind: Kind,
    record: Option<Record>,
    (typed, errors): (FormData, Errors),
    revealed: Option<String>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let (row, matches) = match &record {
        None => (None, Vec::new()),
        Some(Record::Idea(i)) => (Some(idea_row(i)), Vec::new()),
        Some(Record::Entry(e)) => {
            let m = service::matches(&st.core, a, kind, &e.id)
                .await?
                .iter()
                .map(|m| {
                    if a.scope.contains(&m.region_code) {
                        entry_row(ctx, m)
                    } else {
                        public_match_row(ctx, m)
                    }
                })
                .collect();
            (Some(entry_row(ctx, e)), m)
        }
    };
    let p = EditPage {
        s: Shell::new(st, ctx, "nav.board")
            .await?
            .crumb("/board", ctx.t("nav.board"))
            .crumb("", ctx.t(&format!("board.kind.{}", kind.as_str()))),
        kind: kind.as_str().to_string(),
        can_publish: a.can(Permission::PortalPublish),
        can_unmask: a.can(Permission::PersonalUnmask),
        revealed,
        row,
        record,
        typed,
        errors,
        matches,
    };
    render_form(&p, p.errors.any())
}

#[derive(serde::Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    pub kind: String,
}

pub async fn new(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    ctx.actor()?.require(Permission::PortalEdit)?;
    let kind = Kind::parse(&q.kind).unwrap_or(Kind::Job);
    edit_page(
        &st,
        &ctx,
        kind,
        None,
        FormData::default(),
        Errors::default(),
    )
    .await
}

pub async fn create(State(st): State<AppState>, ctx: Ctx, form: FormData) -> AppResult<Response> {
    let kind = Kind::parse(&form.get("kind")).unwrap_or(Kind::Job);
    let a = ctx.actor()?;
    let r = match kind {
        Kind::Idea => ideas::create(&st.core, a, &idea_input(&form)).await,
        k => service::create(&st.core, a, k, &entry_input(&form)).await,
    };
    match form_result(ctx.lang, r)? {
        Ok(id) => Ok(see_other(&format!("/board/{}/{id}?saved=1", kind.as_str()))),
        Err(e) => edit_page(&st, &ctx, kind, None, form, e).await,
    }
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((kind, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let kind = kind_of(&kind)?;
    let record = load(&st, &ctx, kind, &id).await?;
    edit_page(
        &st,
        &ctx,
        kind,
        Some(record),
        FormData::default(),
        Errors::default(),
    )
    .await
}

/// Shows a record's contact number in full (audited; only with `personal.unmask`).
pub async fn contact(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((kind, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let kind = kind_of(&kind)?;
    let number = service::reveal_contact(&st.core, ctx.actor()?, kind, &id).await?;
    let record = load(&st, &ctx, kind, &id).await?;
    let form = (FormData::default(), Errors::default());
    edit_page_revealing(&st, &ctx, kind, Some(record), form, Some(number)).await
}

pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((kind, id)): Path<(String, String)>,
    form: FormData,
) -> AppResult<Response> {
    let kind = kind_of(&kind)?;
    let record = load(&st, &ctx, kind, &id).await?;
    let a = ctx.actor()?;
    let version = form.get("version").parse::<i64>().ok();
    let r = match kind {
        Kind::Idea => ideas::update(&st.core, a, &id, &idea_input(&form), version).await,
        k => service::update(&st.core, a, k, &id, &entry_input(&form), version).await,
    };
    match form_result(ctx.lang, r)? {
        Ok(()) => Ok(see_other(&format!("/board/{}/{id}?saved=1", kind.as_str()))),
        Err(e) => edit_page(&st, &ctx, kind, Some(record), form, e).await,
    }
}

async fn decided(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    r: chuangye_core::Result<()>,
) -> AppResult<Response> {
    match form_result(ctx.lang, r)? {
        Ok(()) => Ok(see_other("/board/review")),
        Err(e) => review_page(st, ctx, id, e).await,
    }
}

pub async fn approve(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((kind, id)): Path<(String, String)>,
    _form: FormData,
) -> AppResult<Response> {
    let kind = kind_of(&kind)?;
    let r = service::decide(&st.core, ctx.actor()?, kind, &id, true, "").await;
    decided(&st, &ctx, &id, r).await
}

pub async fn return_entry(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((kind, id)): Path<(String, String)>,
    form: FormData,
) -> AppResult<Response> {
    let kind = kind_of(&kind)?;
    let r = service::decide(
        &st.core,
        ctx.actor()?,
        kind,
        &id,
        false,
        &form.get("reason"),
    )
    .await;
    decided(&st, &ctx, &id, r).await
}

pub async fn withdraw(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((kind, id)): Path<(String, String)>,
    form: FormData,
) -> AppResult<Response> {
    let kind = kind_of(&kind)?;
    let a = ctx.actor()?;
    let r = service::withdraw(&st.core, a, kind, &id, &form.get("reason")).await;
    match form_result(ctx.lang, r)? {
        Ok(()) => Ok(see_other(&format!("/board/{}/{id}", kind.as_str()))),
        Err(e) => {
            let record = load(&st, &ctx, kind, &id).await?;
            edit_page(&st, &ctx, kind, Some(record), FormData::default(), e).await
        }
    }
}
