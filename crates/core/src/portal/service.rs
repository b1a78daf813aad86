//! The back office of published content: drafting, submitting, reviewing, publishing,
//! withdrawing. Staff change only their own region's items; reviewers decide on the regions
//! below theirs. Every write is one transaction with its version row and its audit row; the
//! search index is refreshed after it commits.

use super::model::{self, Checked, Item, ItemInput, state};
use super::repo;
use crate::audit::{self, Entry};
use crate::db::{Tx, new_id, now};
use crate::org::{Actor, Permission};
use crate::{Core, Error, Result};

/// An item the actor may see in the back office (their region and below).
pub async fn get(core: &Core, actor: &Actor, id: &str) -> Result<Item> {
    actor.require(Permission::PortalEdit)?;
    let mut c = core.db.pool().acquire().await?;
    let item = repo::get(&mut c, id).await?.ok_or(Error::NotFound)?;
    if !actor.scope.contains(&item.region_code) {
        return Err(Error::NotFound);
    }
    Ok(item)
}

/// Items per back-office page.
pub const PAGE: i64 = 50;

/// A page (1-based) of the items of the actor's region and below, newest change first,
/// optionally in one state; and whether there is a page after it.
pub async fn list(
    core: &Core,
    actor: &Actor,
    only_state: Option<&str>,
    page: i64,
) -> Result<(Vec<Item>, bool)> {
    actor.require(Permission::PortalEdit)?;
    let only_state = only_state.filter(|s| !s.is_empty());
    let offset = (page.clamp(1, 100_000) - 1) * PAGE;
    let mut c = core.db.pool().acquire().await?;
    let mut rows = repo::list(&mut c, &actor.scope, only_state, offset, PAGE + 1).await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    Ok((rows, more))
}

/// What waits for the actor's review: items submitted by the regions below.
pub async fn review_queue(core: &Core, actor: &Actor) -> Result<Vec<Item>> {
    actor.require(Permission::PortalPublish)?;
    let mut c = core.db.pool().acquire().await?;
    repo::review_queue(&mut c, &actor.scope, &actor.region_code).await
}

pub async fn versions(core: &Core, actor: &Actor, id: &str) -> Result<Vec<repo::Version>> {
    get(core, actor, id).await?;
    let mut c = core.db.pool().acquire().await?;
    repo::versions(&mut c, id).await
}

/// Checks what the database must confirm: the replacing policy exists and is a policy in
/// scope, the business of a story is in scope, a community has one profile.
async fn check_refs(
    tx: &mut Tx,
    actor: &Actor,
    input: &Checked,
    editing: Option<&str>,
) -> Result<()> {
    if let Some(r) = &input.replaced_by {
        let ok = repo::get(&mut *tx, r).await?.is_some_and(|p| {
            p.kind == "policy"
                && actor.scope.contains(&p.region_code)
                && Some(p.id.as_str()) != editing
        });
        if !ok {
            return Err(Error::field("replaced_by", "portal.replaced_by_unknown"));
        }
    }
    if let Some(b) = &input.business_id
        && repo::business_consents(&mut *tx, &actor.scope, b)
            .await?
            .is_none()
    {
        return Err(Error::field("business_id", "portal.business_unknown"));
    }
    if input.kind == "profile" {
        if crate::org::level_of(&actor.region_code) != Some(5) {
            return Err(Error::field("kind", "portal.profile_not_community"));
        }
        let existing = repo::profile_of(&mut *tx, &actor.region_code).await?;
        if existing.is_some_and(|p| Some(p.id.as_str()) != editing) {
            return Err(Error::field("kind", "portal.profile_exists"));
        }
    }
    Ok(())
}

async fn audited(
    tx: &mut Tx,
    core: &Core,
    actor: &Actor,
    action: &str,
    id: &str,
    note: &str,
    after: serde_json::Value,
) -> Result<()> {
    repo::record_version(&mut *tx, id, note, actor.user_id.as_deref()).await?;
    audit::record(
        tx,
        core.crypto.chain(),
        actor,
        Entry::new(action, "portal_item", id).after(after),
    )
    .await?;
    Ok(())
}

/// Creates a draft in the actor's own region.
pub async fn create(core: &Core, actor: &Actor, input: &ItemInput) -> Result<String> {
    actor.require(Permission::PortalEdit)?;
    let checked = model::check(input)?;
    let mut tx = core.db.begin().await?;
    check_refs(&mut tx, actor, &checked, None).await?;
    let id = new_id();
    repo::insert(
        &mut tx,
        &id,
        &actor.region_code,
        &checked,
        actor.user_id.as_deref(),
        now(),
    )
    .await?;
    let after = serde_json::json!({"kind": checked.kind, "title": checked.title, "region": actor.region_code});
    audited(&mut tx, core, actor, "portal.create", &id, "saved", after).await?;
    tx.commit().await?;
    super::index::after_commit(core, super::Source::Item, &id).await;
    Ok(id)
}

/// An item of the actor's own region that they may change.
async fn own_item(tx: &mut Tx, actor: &Actor, id: &str) -> Result<Item> {
    let item = repo::get(&mut *tx, id).await?.ok_or(Error::NotFound)?;
    if !actor.scope.contains(&item.region_code) {
        return Err(Error::NotFound);
    }
    // A level above reads it but does not rewrite it: it returns it or withdraws it.
    if item.region_code != actor.region_code {
        return Err(Error::field("state", "portal.not_own_region"));
    }
    Ok(item)
}

/// What a change of state needs from an item it just read: that it is in scope, and the
/// state and version the guarded write will expect.
fn expect(item: &Item) -> repo::Expect<'_> {
    repo::Expect {
        state: &item.state,
        version: item.version,
    }
}

/// Saves a change as a new version. A draft or returned item stays as it is. A published item
/// stays published only where its level publishes directly and the editor may publish (its
/// schedule then applies again); otherwise it goes back to review. `version` is the version
/// the editor saw: a change made meanwhile by someone else is not overwritten.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: &str,
    input: &ItemInput,
    version: Option<i64>,
) -> Result<()> {
    actor.require(Permission::PortalEdit)?;
    let mut checked = model::check(input)?;
    let mut tx = core.db.begin().await?;
    let item = own_item(&mut tx, actor, id).await?;
    if !item.is_editable() {
        return Err(Error::field("state", "portal.not_editable"));
    }
    if version.is_some_and(|v| v != item.version) {
        return Err(Error::field("state", "portal.changed_meanwhile"));
    }
    checked.kind = item.kind.clone();
    check_refs(&mut tx, actor, &checked, Some(id)).await?;
    let at = now();
    let keeps_published =
        model::may_publish_directly(&item.region_code) && actor.can(Permission::PortalPublish);
    let (next, published_at) = match item.state.as_str() {
        state::PUBLISHED if keeps_published => {
            // A new schedule applies; without one, it stays public from when it was.
            let from = match checked.publish_at {
                Some(p) => p.max(at),
                None => item.published_at.unwrap_or(at).min(at),
            };
            (state::PUBLISHED, Some(from))
        }
        state::PUBLISHED => (state::REVIEW, item.published_at),
        s => (s, item.published_at),
    };
    repo::update(
        &mut tx,
        id,
        expect(&item),
        &checked,
        (next, published_at),
        at,
    )
    .await?;
    let after = serde_json::json!({"title": checked.title, "state": next});
    audited(&mut tx, core, actor, "portal.update", id, "saved", after).await?;
    tx.commit().await?;
    super::index::after_commit(core, super::Source::Item, id).await;
    Ok(())
}

/// When an item approved or published now goes public: now, or its scheduled time.
fn goes_public(item: &Item, at: i64) -> i64 {
    item.publish_at.map_or(at, |p| p.max(at))
}

/// Moves an item read in `tx` to `next` (guarded by the state and version read), with its
/// version and audit rows; commits and refreshes the search index.
#[allow(clippy::too_many_arguments)]
async fn transition(
    core: &Core,
    actor: &Actor,
    mut tx: Tx,
    item: &Item,
    (next, published_at): (&str, Option<i64>),
    reason: Option<&str>,
    action: &str,
    note: &str,
) -> Result<()> {
    repo::set_state(
        &mut tx,
        &item.id,
        expect(item),
        next,
        published_at,
        reason,
        now(),
    )
    .await?;
    let after = serde_json::json!({"state": next, "published_at": published_at, "reason": reason});
    audited(&mut tx, core, actor, action, &item.id, note, after).await?;
    tx.commit().await?;
    super::index::after_commit(core, super::Source::Item, &item.id).await;
    Ok(())
}

/// Sends a community's draft (or returned item) to its sub-district; a level that publishes
/// directly publishes it at once (or at its scheduled time) when the actor may publish.
pub async fn submit(core: &Core, actor: &Actor, id: &str) -> Result<&'static str> {
    actor.require(Permission::PortalEdit)?;
    let mut tx = core.db.begin().await?;
    let item = own_item(&mut tx, actor, id).await?;
    if !matches!(item.state.as_str(), state::DRAFT | state::RETURNED) {
        return Err(Error::field("state", "portal.not_submittable"));
    }
    let direct =
        model::may_publish_directly(&item.region_code) && actor.can(Permission::PortalPublish);
    let (next, published_at, action) = if direct {
        (
            state::PUBLISHED,
            Some(goes_public(&item, now())),
            "portal.publish",
        )
    } else {
        (state::REVIEW, None, "portal.submit")
    };
    transition(
        core,
        actor,
        tx,
        &item,
        (next, published_at),
        None,
        action,
        next,
    )
    .await?;
    Ok(next)
}

/// The reviewer's decision on an item submitted by a region directly below theirs: publish
/// it, or return it with a reason the community sees.
pub async fn decide(
    core: &Core,
    actor: &Actor,
    id: &str,
    approve: bool,
    reason: &str,
) -> Result<()> {
    actor.require(Permission::PortalPublish)?;
    let mut tx = core.db.begin().await?;
    let item = repo::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if !actor.scope.contains(&item.region_code) {
        return Err(Error::NotFound);
    }
    let parent = repo::parent_of(&mut tx, &item.region_code).await?;
    if parent.as_deref() != Some(actor.region_code.as_str()) {
        return Err(Error::field("state", "portal.review_own"));
    }
    if item.state != state::REVIEW {
        return Err(Error::field("state", "portal.not_in_review"));
    }
    let reason = reason.trim();
    if !approve && reason.is_empty() {
        return Err(Error::field("reason", "portal.reason_missing"));
    }
    if approve {
        let at = goes_public(&item, now());
        let next = (state::PUBLISHED, Some(at));
        transition(
            core,
            actor,
            tx,
            &item,
            next,
            None,
            "portal.approve",
            "approved",
        )
        .await
    } else {
        let note = format!("returned: {reason}");
        let next = (state::RETURNED, None);
        transition(
            core,
            actor,
            tx,
            &item,
            next,
            Some(reason),
            "portal.return",
            &note,
        )
        .await
    }
}

/// Takes a published item down (its own level or any above it): the public sees a notice with
/// the reason, answered 410.
pub async fn withdraw(core: &Core, actor: &Actor, id: &str, reason: &str) -> Result<()> {
    actor.require(Permission::PortalPublish)?;
    let mut tx = core.db.begin().await?;
    let item = repo::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if !actor.scope.contains(&item.region_code) {
        return Err(Error::NotFound);
    }
    if item.state != state::PUBLISHED {
        return Err(Error::field("state", "portal.not_published"));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::field("reason", "portal.reason_missing"));
    }
    let note = format!("withdrawn: {reason}");
    let next = (state::WITHDRAWN, None);
    transition(
        core,
        actor,
        tx,
        &item,
        next,
        Some(reason),
        "portal.withdraw",
        &note,
    )
    .await
}

/// Attaches an image or document to an item of the actor's own region while it may still be
/// changed: type sniffed from the content and checked against its name, size limited
/// (`FileRules::DOCUMENTS`); a new version notes it. A published item keeps its state.
pub async fn attach(
    core: &Core,
    actor: &Actor,
    id: &str,
    bytes: &[u8],
    file_name: &str,
) -> Result<crate::files::FileMeta> {
    actor.require(Permission::PortalEdit)?;
    let mut tx = core.db.begin().await?;
    let item = own_item(&mut tx, actor, id).await?;
    if !item.is_editable() {
        return Err(Error::field("file", "portal.not_editable"));
    }
    let meta = crate::files::store(
        core,
        &mut tx,
        actor,
        crate::files::Upload {
            bytes,
            original_name: file_name,
            owner_entity: "portal_item",
            owner_id: id,
            region_code: &item.region_code,
            rules: &crate::files::FileRules::DOCUMENTS,
        },
    )
    .await?;
    sqlx::query("UPDATE portal_item SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    let note = format!("attached: {}", meta.original_name);
    let after = serde_json::json!({"file": meta.id, "name": meta.original_name});
    audited(&mut tx, core, actor, "portal.attach", id, &note, after).await?;
    tx.commit().await?;
    super::index::after_commit(core, super::Source::Item, id).await;
    Ok(meta)
}

/// The files attached to an item the actor may see.
pub async fn attachments(
    core: &Core,
    actor: &Actor,
    id: &str,
) -> Result<Vec<crate::files::FileMeta>> {
    get(core, actor, id).await?;
    crate::files::list_for(core, actor, "portal_item", id).await
}
