//! The back office of the portal's content (信息发布): the list of the region's items, the item
//! form (new and edit, with its versions), submitting, the review queue of the sub-district
//! (approve or return with a reason), withdrawing.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chuangye_core::org::Permission;
use chuangye_core::portal::model::{self as pm, ItemInput, state};
use chuangye_core::portal::{Item, repo::Version, service};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::pages::{Errors, FormData, Shell, form_result, render, render_form, see_other};

#[derive(Template)]
#[template(path = "content/list.html")]
pub struct ListPage {
    pub s: Shell,
    pub rows: Vec<Item>,
    pub only_state: String,
    pub can_review: bool,
    pub page: i64,
    pub more: bool,
}

impl ListPage {
    pub fn kinds(&self) -> &'static [&'static str] {
        pm::KINDS
    }
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub state: String,
    pub page: Option<i64>,
}

pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let (rows, more) = service::list(&st.core, a, Some(q.state.as_str()), page).await?;
    render(&ListPage {
        s: Shell::new(&st, &ctx, "nav.content").await?,
        page,
        more,
        rows,
        only_state: q.state,
        can_review: a.can(Permission::PortalPublish),
    })
}

#[derive(Template)]
#[template(path = "content/review.html")]
pub struct ReviewPage {
    pub s: Shell,
    pub rows: Vec<Item>,
    pub errors: Errors,
    pub failed: String,
}

async fn review_page(
    st: &AppState,
    ctx: &Ctx,
    failed: &str,
    errors: Errors,
) -> AppResult<Response> {
    let p = ReviewPage {
        s: Shell::new(st, ctx, "nav.content_review").await?,
        rows: service::review_queue(&st.core, ctx.actor()?).await?,
        errors,
        failed: failed.to_string(),
    };
    render_form(&p, p.errors.any())
}

pub async fn review(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    review_page(&st, &ctx, "", Errors::default()).await
}

#[derive(Template)]
#[template(path = "content/edit.html")]
pub struct EditPage {
    pub s: Shell,
    /// None for a new item.
    pub item: Option<Item>,
    pub kind: String,
    pub typed: FormData,
    pub errors: Errors,
    pub versions: Vec<Version>,
    pub files: Vec<chuangye_core::files::FileMeta>,
    pub can_publish: bool,
    pub direct: bool,
    /// The actor's region: only its own items are edited here.
    pub own_region: String,
}

impl EditPage {
    /// The value of a field: as typed after a failed save, else the item's.
    pub fn v(&self, name: &str) -> String {
        if self.typed.has(name) {
            return self.typed.get(name);
        }
        let Some(i) = &self.item else {
            return String::new();
        };
        let o = |x: &Option<String>| x.clone().unwrap_or_default();
        let t = |x: &Option<i64>| x.map(pm::fmt_local).unwrap_or_default();
        match name {
            "title" => i.title.clone(),
            "summary" => i.summary.clone(),
            "body" => i.body.clone(),
            "publish_at" => t(&i.publish_at),
            "expire_at" => t(&i.expire_at),
            "doc_number" => o(&i.doc_number),
            "issuer" => o(&i.issuer),
            "effective_on" => o(&i.effective_on),
            "expires_on" => o(&i.expires_on),
            "policy_status" => o(&i.policy_status),
            "replaced_by" => o(&i.replaced_by),
            "business_id" => o(&i.business_id),
            _ => String::new(),
        }
    }

    pub fn editable(&self) -> bool {
        self.item
            .as_ref()
            .is_none_or(|i| i.is_editable() && i.region_code == self.own_region)
    }

    pub fn item_id(&self) -> &str {
        self.item.as_ref().map_or("", |i| i.id.as_str())
    }

    /// The item is the actor's own and may be submitted (or published directly).
    pub fn submittable(&self) -> bool {
        self.item.as_ref().is_some_and(|i| {
            i.region_code == self.own_region
                && (i.state == state::DRAFT || i.state == state::RETURNED)
        })
    }
}

fn input(kind: &str, f: &FormData) -> ItemInput {
    ItemInput {
        kind: kind.to_string(),
        title: f.get("title"),
        summary: f.get("summary"),
        // Rich text keeps its line breaks.
        body: f
            .0
            .iter()
            .find(|(k, _)| k == "body")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        publish_at: f.get("publish_at"),
        expire_at: f.get("expire_at"),
        doc_number: f.get("doc_number"),
        issuer: f.get("issuer"),
        effective_on: f.get("effective_on"),
        expires_on: f.get("expires_on"),
        policy_status: f.get("policy_status"),
        replaced_by: f.get("replaced_by"),
        business_id: f.get("business_id"),
    }
}

async fn edit_page(
    st: &AppState,
    ctx: &Ctx,
    item: Option<Item>,
    kind: &str,
    typed: FormData,
    errors: Errors,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let (versions, files) = match &item {
        Some(i) => (
            service::versions(&st.core, a, &i.id).await?,
            service::attachments(&st.core, a, &i.id).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let p = EditPage {
        s: Shell::new(st, ctx, "nav.content")
            .await?
            .crumb("/content", ctx.t("nav.content"))
            .crumb("", ctx.t(&format!("portal.kind.{kind}"))),
        kind: kind.to_string(),
        can_publish: a.can(Permission::PortalPublish),
        direct: pm::may_publish_directly(&a.region_code),
        own_region: a.region_code.clone(),
        item,
        typed,
        errors,
        versions,
        files,
    };
    render_form(&p, p.errors.any())
}

/// An existing item's page: its form (as typed, when `typed` holds a failed save), its
/// versions and its actions.
async fn item_page(
    st: &AppState,
    ctx: &Ctx,
    item: Item,
    typed: FormData,
    errors: Errors,
) -> AppResult<Response> {
    let kind = item.kind.clone();
    edit_page(st, ctx, Some(item), &kind, typed, errors).await
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
    let kind = if pm::KINDS.contains(&q.kind.as_str()) {
        q.kind
    } else {
        "news".into()
    };
    edit_page(
        &st,
        &ctx,
        None,
        &kind,
        FormData::default(),
        Errors::default(),
    )
    .await
}

pub async fn create(State(st): State<AppState>, ctx: Ctx, form: FormData) -> AppResult<Response> {
    let kind = form.get("kind");
    let r = service::create(&st.core, ctx.actor()?, &input(&kind, &form)).await;
    match form_result(ctx.lang, r)? {
        Ok(id) => Ok(see_other(&format!("/content/{id}?saved=1"))),
        Err(e) => {
            let kind = if pm::KINDS.contains(&kind.as_str()) {
                kind
            } else {
                "news".into()
            };
            edit_page(&st, &ctx, None, &kind, form, e).await
        }
    }
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let item = service::get(&st.core, ctx.actor()?, &id).await?;
    item_page(&st, &ctx, item, FormData::default(), Errors::default()).await
}

pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let item = service::get(&st.core, a, &id).await?;
    let version = form.get("version").parse::<i64>().ok();
    let r = service::update(&st.core, a, &id, &input(&item.kind, &form), version).await;
    match form_result(ctx.lang, r)? {
        Ok(()) => Ok(see_other(&format!("/content/{id}?saved=1"))),
        Err(e) => item_page(&st, &ctx, item, form, e).await,
    }
}

/// Submits for review, or publishes at once where the level publishes directly.
pub async fn submit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    _form: FormData,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    match form_result(ctx.lang, service::submit(&st.core, a, &id).await)? {
        Ok(_) => Ok(see_other(&format!("/content/{id}"))),
        Err(e) => {
            let item = service::get(&st.core, a, &id).await?;
            item_page(&st, &ctx, item, FormData::default(), e).await
        }
    }
}

async fn decided(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    r: chuangye_core::Result<()>,
    back: &str,
) -> AppResult<Response> {
    match form_result(ctx.lang, r)? {
        Ok(()) => Ok(see_other(back)),
        Err(e) => review_page(st, ctx, id, e).await,
    }
}

pub async fn approve(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    _form: FormData,
) -> AppResult<Response> {
    let r = service::decide(&st.core, ctx.actor()?, &id, true, "").await;
    decided(&st, &ctx, &id, r, "/content/review").await
}

pub async fn return_item(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let r = service::decide(&st.core, ctx.actor()?, &id, false, &form.get("reason")).await;
    decided(&st, &ctx, &id, r, "/content/review").await
}

pub async fn withdraw(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let r = service::withdraw(&st.core, a, &id, &form.get("reason")).await;
    match form_result(ctx.lang, r)? {
        Ok(()) => Ok(see_other(&format!("/content/{id}"))),
        Err(e) => {
            let item = service::get(&st.core, a, &id).await?;
            item_page(&st, &ctx, item, FormData::default(), e).await
        }
    }
}

/// Attaches an image or document (multipart field `file`; the CSRF token in the query).
pub async fn attach(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let result = match crate::pages::read_upload(mp, 20).await? {
        Some((name, bytes)) => service::attach(&st.core, a, &id, &bytes, &name)
            .await
            .map(|_| ()),
        None => Err(chuangye_core::Error::field("file", "files.empty")),
    };
    match form_result(ctx.lang, result)? {
        Ok(()) => Ok(see_other(&format!("/content/{id}"))),
        Err(e) => {
            let item = service::get(&st.core, a, &id).await?;
            item_page(&st, &ctx, item, FormData::default(), e).await
        }
    }
}
