//! The back office of the job board, and the submissions of the public. Staff enter postings
//! and supply for their region or below: levels above a community publish directly (with
//! `portal.publish`), a community's entries go to its sub-district. The public submits to a
//! region it chooses; that region's own staff review it. Reviewing, returning, rejecting and
//! withdrawing are shared with business ideas ([`decide`], [`withdraw`] take any [`Kind`]).
//! Every write is one transaction with its audit row; the search index is refreshed after it
//! commits. Contact numbers are stored encrypted ([`crate::personal`]).

use super::lookup::Receipt;
use super::model::{self, Entry, EntryInput, Kind, origin, state};
use super::repo::{self, Expect, Head, SealedPhone, Start};
use crate::audit::{self, Entry as AuditEntry};
use crate::db::{Tx, new_id, now};
use crate::org::{Actor, Permission};
use crate::{Core, Error, Result};

/// A posting or supply kind; ideas have their own service ([`crate::idea::service`]).
fn entry_kind(kind: Kind) -> Result<Kind> {
    match kind {
        Kind::Idea => Err(Error::NotFound),
        k => Ok(k),
    }
}

/// An entry the actor may see in the back office (their region and below).
pub async fn get(core: &Core, actor: &Actor, kind: Kind, id: &str) -> Result<Entry> {
    actor.require(Permission::PortalEdit)?;
    let kind = entry_kind(kind)?;
    let mut c = core.db.pool().acquire().await?;
    let e = repo::get(&mut c, kind, id).await?.ok_or(Error::NotFound)?;
    if !actor.scope.contains(&e.region_code) {
        return Err(Error::NotFound);
    }
    Ok(e)
}

/// A record's contact number in full, for an actor who may see personal data; the reveal is
/// audited. Ideas without a number are `NotFound`.
pub async fn reveal_contact(core: &Core, actor: &Actor, kind: Kind, id: &str) -> Result<String> {
    let mut tx = core.db.begin().await?;
    let cipher = match kind {
        Kind::Idea => {
            crate::idea::service::get(core, actor, id).await?;
            crate::idea::repo::contact_cipher(&mut tx, id)
                .await?
                .ok_or(Error::NotFound)?
        }
        _ => get(core, actor, kind, id).await?.contact_cipher,
    };
    let entity = kind.table();
    let plain = crate::personal::reveal(
        core,
        &mut tx,
        actor,
        crate::personal::Kind::Phone,
        entity,
        id,
        &cipher,
    )
    .await?;
    tx.commit().await?;
    Ok(plain)
}

/// Entries per back-office page.
pub const PAGE: i64 = 50;

/// A page (1-based) of the postings or supply of the actor's region and below, newest change
/// first, optionally in one state; and whether there is a page after it.
pub async fn list(
    core: &Core,
    actor: &Actor,
    kind: Kind,
    only_state: Option<&str>,
    page: i64,
) -> Result<(Vec<Entry>, bool)> {
    actor.require(Permission::PortalEdit)?;
    let kind = entry_kind(kind)?;
    let only_state = only_state.filter(|s| !s.is_empty());
    let offset = (page.clamp(1, 100_000) - 1) * PAGE;
    let mut c = core.db.pool().acquire().await?;
    let mut rows = repo::list(&mut c, kind, &actor.scope, only_state, offset, PAGE + 1).await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    Ok((rows, more))
}

/// What waits for the actor's review: entries submitted by the staff of the regions below,
/// and by the public to the actor's own region.
pub async fn review_queue(core: &Core, actor: &Actor, kind: Kind) -> Result<Vec<Entry>> {
    actor.require(Permission::PortalPublish)?;
    let kind = entry_kind(kind)?;
    let mut c = core.db.pool().acquire().await?;
    repo::review_queue(&mut c, kind, &actor.scope, &actor.region_code).await
}

/// Suggested matches for staff: the published, unexpired entries of the other side in the
/// same trade near the entry's region.
pub async fn matches(core: &Core, actor: &Actor, kind: Kind, id: &str) -> Result<Vec<Entry>> {
    let e = get(core, actor, kind, id).await?;
    super::public::matches_of(core, &e, 20).await
}

pub(crate) async fn audited(
    tx: &mut Tx,
    core: &Core,
    actor: &Actor,
    action: &str,
    kind: Kind,
    id: &str,
    after: serde_json::Value,
) -> Result<()> {
    audit::record(
        tx,
        core.crypto.chain(),
        actor,
        AuditEntry::new(action, kind.table(), id).after(after),
    )
    .await?;
    Ok(())
}

/// The region a staff member enters for: the one typed (in their scope and existing), else
/// their own.
pub(crate) async fn staff_region(
    tx: &mut Tx,
    actor: &Actor,
    typed: Option<&str>,
) -> Result<String> {
    let Some(code) = typed else {
        return Ok(actor.region_code.clone());
    };
    match crate::org::repo::region_get(&mut *tx, &actor.scope, code).await? {
        Some(r) if r.valid_to.is_none() => Ok(code.to_string()),
        _ => Err(Error::field("region_code", "board.region_unknown")),
    }
}

/// A region of the deployment chosen on a public form, else an error at the field.
pub(crate) async fn site_region(tx: &mut Tx, typed: Option<&str>) -> Result<String> {
    let root = crate::org::repo::setting_get(&mut *tx, "root_region")
        .await?
        .unwrap_or_default();
    let code = typed.ok_or_else(|| Error::field("region_code", "board.region_missing"))?;
    match repo::region_name(&mut *tx, &root, code).await? {
        Some(_) => Ok(code.to_string()),
        None => Err(Error::field("region_code", "board.region_unknown")),
    }
}

/// Where a staff member's new or changed entry goes: published at once where their level
/// publishes directly and they may publish, else to review.
pub(crate) fn staff_publishes(actor: &Actor) -> bool {
    crate::portal::model::may_publish_directly(&actor.region_code)
        && actor.can(Permission::PortalPublish)
}

/// Creates a posting or supply entry in the back office: published, or in review.
pub async fn create(core: &Core, actor: &Actor, kind: Kind, input: &EntryInput) -> Result<String> {
    actor.require(Permission::PortalEdit)?;
    let kind = entry_kind(kind)?;
    let checked = model::check(kind, input, crate::ledger::model::today(), false)?;
    let mut tx = core.db.begin().await?;
    let region = staff_region(&mut tx, actor, checked.region_code.as_deref()).await?;
    let at = now();
    let (next, published_at) = if staff_publishes(actor) {
        (state::PUBLISHED, Some(at))
    } else {
        (state::REVIEW, None)
    };
    let id = new_id();
    insert(
        core,
        &mut tx,
        kind,
        &id,
        &checked,
        Start {
            region: &region,
            origin: origin::STAFF,
            state: next,
            published_at,
            user: actor.user_id.as_deref(),
            at,
        },
    )
    .await?;
    let after = serde_json::json!({"region": region, "trade": checked.trade, "state": next});
    audited(&mut tx, core, actor, "board.create", kind, &id, after).await?;
    tx.commit().await?;
    super::after_commit(core, kind, &id).await;
    Ok(id)
}

async fn insert(
    core: &Core,
    tx: &mut Tx,
    kind: Kind,
    id: &str,
    checked: &model::Checked,
    start: Start<'_>,
) -> Result<()> {
    let phone = checked.contact_phone.as_deref().unwrap_or_default();
    let cipher = core.crypto.cipher().encrypt("phone", phone);
    let masked = crate::crypto::mask_phone(phone);
    let sealed = SealedPhone {
        cipher: &cipher,
        masked: &masked,
    };
    repo::insert(&mut *tx, kind, id, checked, sealed, start).await
}

/// An employer's posting or a worker's supply through the public form: it waits in review
/// at the region chosen, for that region's staff. `ip` is the sender's address (audited). The
/// receipt holds the lookup code the sender follows it with.
pub async fn submit_public(
    core: &Core,
    kind: Kind,
    input: &EntryInput,
    ip: &str,
) -> Result<Receipt> {
    let kind = entry_kind(kind)?;
    let checked = model::check(kind, input, crate::ledger::model::today(), false)?;
    let mut tx = core.db.begin().await?;
    let region = site_region(&mut tx, checked.region_code.as_deref()).await?;
    let id = new_id();
    let start = Start {
        region: &region,
        origin: origin::PUBLIC,
        state: state::REVIEW,
        published_at: None,
        user: None,
        at: now(),
    };
    insert(core, &mut tx, kind, &id, &checked, start).await?;
    let code = super::lookup::issue(core, &mut tx, kind, &id).await?;
    let mut public = Actor::system(&region, "public");
    public.ip = ip.to_string();
    let after =
        serde_json::json!({"region": region, "trade": checked.trade, "state": state::REVIEW});
    audited(&mut tx, core, &public, "board.submit", kind, &id, after).await?;
    tx.commit().await?;
    Ok(Receipt { id, code })
}

/// Saves a change. A published entry stays published where the editor publishes directly,
/// else goes back to review; a returned one goes to review again. `version` is the version
/// the editor saw: a change made meanwhile is not overwritten. A blank phone keeps the number.
pub async fn update(
    core: &Core,
    actor: &Actor,
    kind: Kind,
    id: &str,
    input: &EntryInput,
    version: Option<i64>,
) -> Result<()> {
    actor.require(Permission::PortalEdit)?;
    let kind = entry_kind(kind)?;
    let mut checked = model::check(kind, input, crate::ledger::model::today(), true)?;
    let mut tx = core.db.begin().await?;
    let e = repo::get(&mut tx, kind, id).await?.ok_or(Error::NotFound)?;
    if !actor.scope.contains(&e.region_code) {
        return Err(Error::NotFound);
    }
    if !matches!(e.state.as_str(), state::PUBLISHED | state::RETURNED) {
        return Err(Error::field("state", "portal.not_editable"));
    }
    if version.is_some_and(|v| v != e.version) {
        return Err(Error::field("state", "portal.changed_meanwhile"));
    }
    if let Some(r) = checked.region_code.clone() {
        checked.region_code = Some(staff_region(&mut tx, actor, Some(&r)).await?);
    }
    let at = now();
    let next = if staff_publishes(actor) {
        (state::PUBLISHED, Some(e.published_at.unwrap_or(at)))
    } else {
        (state::REVIEW, e.published_at)
    };
    let phone = checked.contact_phone.as_deref().map(|p| {
        (
            core.crypto.cipher().encrypt("phone", p),
            crate::crypto::mask_phone(p),
        )
    });
    let sealed = phone.as_ref().map(|(c, m)| SealedPhone {
        cipher: c,
        masked: m,
    });
    let expect = Expect {
        state: &e.state,
        version: e.version,
    };
    repo::update(&mut tx, kind, id, expect, &checked, sealed, next, at).await?;
    let after = serde_json::json!({"trade": checked.trade, "state": next.0});
    audited(&mut tx, core, actor, "board.update", kind, id, after).await?;
    tx.commit().await?;
    super::after_commit(core, kind, id).await;
    Ok(())
}

/// An entry of any kind in the actor's scope, read in `tx`.
async fn head_in_scope(tx: &mut Tx, actor: &Actor, kind: Kind, id: &str) -> Result<Head> {
    let h = repo::head(&mut *tx, kind, id)
        .await?
        .ok_or(Error::NotFound)?;
    if !actor.scope.contains(&h.region_code) {
        return Err(Error::NotFound);
    }
    Ok(h)
}

/// Moves an entry read in `tx` to `next`, guarded by the state and version read, with its
/// audit row; commits and refreshes the search index.
#[allow(clippy::too_many_arguments)]
async fn transition(
    core: &Core,
    actor: &Actor,
    mut tx: Tx,
    kind: Kind,
    h: &Head,
    (next, published_at): (&str, Option<i64>),
    reason: Option<&str>,
    action: &str,
) -> Result<()> {
    let expect = Expect {
        state: &h.state,
        version: h.version,
    };
    repo::set_state(
        &mut tx,
        kind,
        &h.id,
        expect,
        next,
        published_at,
        reason,
        now(),
    )
    .await?;
    let after = serde_json::json!({"state": next, "reason": reason});
    audited(&mut tx, core, actor, action, kind, &h.id, after).await?;
    tx.commit().await?;
    super::after_commit(core, kind, &h.id).await;
    Ok(())
}

/// The reviewer's decision on an entry of any kind waiting for them: publish it, or send it
/// back with a reason — returned to the community's staff (who may change and resubmit it),
/// or, for a public submission, rejected.
pub async fn decide(
    core: &Core,
    actor: &Actor,
    kind: Kind,
    id: &str,
    approve: bool,
    reason: &str,
) -> Result<()> {
    actor.require(Permission::PortalPublish)?;
    let mut tx = core.db.begin().await?;
    let h = head_in_scope(&mut tx, actor, kind, id).await?;
    let reviewer = if h.origin == origin::PUBLIC {
        Some(h.region_code.as_str())
    } else {
        h.parent_code.as_deref()
    };
    if reviewer != Some(actor.region_code.as_str()) {
        return Err(Error::field("state", "portal.review_own"));
    }
    if h.state != state::REVIEW {
        return Err(Error::field("state", "portal.not_in_review"));
    }
    let reason = crate::portal::model::text(reason);
    if approve {
        let next = (state::PUBLISHED, Some(now()));
        return transition(core, actor, tx, kind, &h, next, None, "board.approve").await;
    }
    if reason.is_empty() {
        return Err(Error::field("reason", "portal.reason_missing"));
    }
    let (next, action) = if h.origin == origin::PUBLIC {
        (state::REJECTED, "board.reject")
    } else {
        (state::RETURNED, "board.return")
    };
    transition(
        core,
        actor,
        tx,
        kind,
        &h,
        (next, None),
        Some(&reason),
        action,
    )
    .await
}

/// Takes a published entry of any kind down (its level or any above): the public sees a
/// notice with the reason, answered 410.
pub async fn withdraw(
    core: &Core,
    actor: &Actor,
    kind: Kind,
    id: &str,
    reason: &str,
) -> Result<()> {
    actor.require(Permission::PortalPublish)?;
    let mut tx = core.db.begin().await?;
    let h = head_in_scope(&mut tx, actor, kind, id).await?;
    if h.state != state::PUBLISHED {
        return Err(Error::field("state", "portal.not_published"));
    }
    let reason = crate::portal::model::text(reason);
    if reason.is_empty() {
        return Err(Error::field("reason", "portal.reason_missing"));
    }
    let next = (state::WITHDRAWN, None);
    transition(
        core,
        actor,
        tx,
        kind,
        &h,
        next,
        Some(&reason),
        "board.withdraw",
    )
    .await
}
