//! The back office of business ideas and the citizens' form: staff recommend (published at
//! once where their level publishes directly, else reviewed by their sub-district); citizens'
//! ideas wait in review at the region they chose. Decisions and withdrawal are the board's
//! ([`crate::board::service::decide`] and [`crate::board::service::withdraw`] with
//! [`Kind::Idea`]).

use super::model::{self, Idea, IdeaInput, source};
use super::repo::{self, Start};
use crate::board::Kind;
use crate::board::lookup::Receipt;
use crate::board::model::state;
use crate::board::repo::Expect;
use crate::board::service::{audited, site_region, staff_publishes, staff_region};
use crate::db::{new_id, now};
use crate::org::{Actor, Permission};
use crate::{Core, Error, Result};

/// An idea the actor may see in the back office.
pub async fn get(core: &Core, actor: &Actor, id: &str) -> Result<Idea> {
    actor.require(Permission::PortalEdit)?;
    let mut c = core.db.pool().acquire().await?;
    let i = repo::get(&mut c, id).await?.ok_or(Error::NotFound)?;
    if !actor.scope.contains(&i.region_code) {
        return Err(Error::NotFound);
    }
    Ok(i)
}

/// A page (1-based) of the ideas of the actor's region and below, newest change first,
/// optionally in one state; and whether there is a page after it.
pub async fn list(
    core: &Core,
    actor: &Actor,
    only_state: Option<&str>,
    page: i64,
) -> Result<(Vec<Idea>, bool)> {
    actor.require(Permission::PortalEdit)?;
    let only_state = only_state.filter(|s| !s.is_empty());
    let per = crate::board::service::PAGE;
    let offset = (page.clamp(1, 100_000) - 1) * per;
    let mut c = core.db.pool().acquire().await?;
    let mut rows = repo::list(&mut c, &actor.scope, only_state, offset, per + 1).await?;
    let more = rows.len() as i64 > per;
    rows.truncate(per as usize);
    Ok((rows, more))
}

pub async fn review_queue(core: &Core, actor: &Actor) -> Result<Vec<Idea>> {
    actor.require(Permission::PortalPublish)?;
    let mut c = core.db.pool().acquire().await?;
    repo::review_queue(&mut c, &actor.scope, &actor.region_code).await
}

/// A recommended idea entered by staff for their region or below.
pub async fn create(core: &Core, actor: &Actor, input: &IdeaInput) -> Result<String> {
    actor.require(Permission::PortalEdit)?;
    let checked = model::check(input, false)?;
    let mut tx = core.db.begin().await?;
    let region = staff_region(&mut tx, actor, checked.region_code.as_deref()).await?;
    let at = now();
    let (next, published_at) = if staff_publishes(actor) {
        (state::PUBLISHED, Some(at))
    } else {
        (state::REVIEW, None)
    };
    let id = new_id();
    let start = Start {
        region: &region,
        source: source::RECOMMENDED,
        state: next,
        published_at,
        contact: None,
        user: actor.user_id.as_deref(),
        at,
    };
    repo::insert(&mut tx, &id, &checked, start).await?;
    let after = serde_json::json!({"region": region, "title": checked.title, "state": next});
    audited(&mut tx, core, actor, "idea.create", Kind::Idea, &id, after).await?;
    tx.commit().await?;
    crate::board::after_commit(core, Kind::Idea, &id).await;
    Ok(id)
}

/// A citizen's idea through the public form: it waits in review at the region chosen. The
/// receipt holds the lookup code the citizen follows it with.
pub async fn submit_public(core: &Core, input: &IdeaInput, ip: &str) -> Result<Receipt> {
    let checked = model::check(input, true)?;
    let mut tx = core.db.begin().await?;
    let region = site_region(&mut tx, checked.region_code.as_deref()).await?;
    let sealed = checked.contact_phone.as_deref().map(|p| {
        (
            core.crypto.cipher().encrypt("phone", p),
            crate::crypto::mask_phone(p),
        )
    });
    let id = new_id();
    let start = Start {
        region: &region,
        source: source::SOLICITED,
        state: state::REVIEW,
        published_at: None,
        contact: sealed.as_ref().map(|(c, m)| (c.as_str(), m.as_str())),
        user: None,
        at: now(),
    };
    repo::insert(&mut tx, &id, &checked, start).await?;
    let code = crate::board::lookup::issue(core, &mut tx, Kind::Idea, &id).await?;
    let mut public = Actor::system(&region, "public");
    public.ip = ip.to_string();
    let after =
        serde_json::json!({"region": region, "title": checked.title, "state": state::REVIEW});
    audited(
        &mut tx,
        core,
        &public,
        "idea.submit",
        Kind::Idea,
        &id,
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(Receipt { id, code })
}

/// Saves a change to an idea in scope that is published or returned: it stays (or goes)
/// public where the editor publishes directly, else goes to review.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: &str,
    input: &IdeaInput,
    version: Option<i64>,
) -> Result<()> {
    actor.require(Permission::PortalEdit)?;
    let mut checked = model::check(input, false)?;
    let mut tx = core.db.begin().await?;
    let i = repo::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if !actor.scope.contains(&i.region_code) {
        return Err(Error::NotFound);
    }
    if !matches!(i.state.as_str(), state::PUBLISHED | state::RETURNED) {
        return Err(Error::field("state", "portal.not_editable"));
    }
    if version.is_some_and(|v| v != i.version) {
        return Err(Error::field("state", "portal.changed_meanwhile"));
    }
    if let Some(r) = checked.region_code.clone() {
        checked.region_code = Some(staff_region(&mut tx, actor, Some(&r)).await?);
    }
    let at = now();
    let next = if staff_publishes(actor) {
        (state::PUBLISHED, Some(i.published_at.unwrap_or(at)))
    } else {
        (state::REVIEW, i.published_at)
    };
    let expect = Expect {
        state: &i.state,
        version: i.version,
    };
    repo::update(&mut tx, id, expect, &checked, next, at).await?;
    let after = serde_json::json!({"title": checked.title, "state": next.0});
    audited(&mut tx, core, actor, "idea.update", Kind::Idea, id, after).await?;
    tx.commit().await?;
    crate::board::after_commit(core, Kind::Idea, id).await;
    Ok(())
}
