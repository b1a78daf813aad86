//! Asking and answering. A citizen asks without an account and gets a lookup code; the
//! question goes to the service point of the region chosen. Staff of that region or above
//! answer (publishing the answer unless the asker kept it private), or dismiss what is not a
//! question. Every write is one transaction with its audit row; the search index follows
//! published answers.

use super::model::{self, AskInput, Consultation, state};
use super::repo::{self, Expect, NewConsultation};
use crate::audit::{self, Entry};
use crate::db::{Tx, new_id, now};
use crate::org::{Actor, Permission, RegionScope};
use crate::portal::{Source, index};
use crate::{Core, Error, Result};

/// The setting that holds the reply deadline in working days.
const REPLY_DAYS_KEY: &str = "consultation_reply_days";

/// The kind of a lookup code's keyed hash (its blind-index domain).
const CODE_KIND: &str = "consultation_code";

/// Working days a service point has to answer.
pub async fn reply_days(core: &Core) -> Result<u32> {
    let mut c = core.db.pool().acquire().await?;
    Ok(crate::org::repo::setting_get(&mut c, REPLY_DAYS_KEY)
        .await?
        .and_then(|v| v.parse().ok())
        .filter(|d| (1..=model::MAX_REPLY_DAYS).contains(d))
        .unwrap_or(model::DEFAULT_REPLY_DAYS))
}

/// Sets the reply deadline (the campaign office).
pub async fn set_reply_days(core: &Core, actor: &Actor, typed: &str) -> Result<u32> {
    actor.require(Permission::ConsultationConfigure)?;
    let days: u32 = typed
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=model::MAX_REPLY_DAYS).contains(d))
        .ok_or_else(|| Error::field("reply_days", "consultation.reply_days_invalid"))?;
    let before = reply_days(core).await?;
    let mut tx = core.db.begin().await?;
    crate::org::repo::setting_put(&mut tx, REPLY_DAYS_KEY, &days.to_string()).await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("consultation.reply_days", "setting", REPLY_DAYS_KEY)
            .before(serde_json::json!({ "days": before }))
            .after(serde_json::json!({ "days": days })),
    )
    .await?;
    tx.commit().await?;
    Ok(days)
}

/// The region a question may be sent to: in force, within the deployment.
async fn check_region(core: &Core, code: &str) -> Result<()> {
    let root = crate::org::service::root_region(core)
        .await?
        .ok_or(Error::NotFound)?;
    let mut c = core.db.pool().acquire().await?;
    let ok = crate::org::repo::region_get(&mut c, &RegionScope::of(&root), code)
        .await?
        .is_some_and(|r| r.valid_to.is_none());
    if !ok {
        return Err(Error::field("region", "consultation.region_invalid"));
    }
    Ok(())
}

/// What the asker keeps: the question's id and the lookup code (shown once; only its keyed
/// hash is stored).
#[derive(Debug)]
pub struct Receipt {
    pub id: String,
    pub code: String,
    pub due_on: String,
}

fn code_hash(core: &Core, normalized: &str) -> String {
    core.crypto.index().index(CODE_KIND, normalized)
}

/// Records a citizen's question (no account: the audit row names the portal).
pub async fn ask(core: &Core, input: &AskInput) -> Result<Receipt> {
    let asked = model::check(input)?;
    check_region(core, &asked.region).await?;
    let contact = match &asked.contact {
        Some(raw) => Some(
            crate::personal::seal_phone(&core.crypto, "contact", raw)
                .map_err(|e| Error::Invalid(vec![e]))?,
        ),
        None => None,
    };
    let at = now();
    let due = model::due_on(model::china_date(at), reply_days(core).await?);
    let due_on = crate::ledger::model::fmt_date(due);
    let code = model::new_lookup_code();
    let hash = code_hash(core, &code.replace('-', ""));
    let id = new_id();
    let mut tx = core.db.begin().await?;
    repo::insert(
        &mut tx,
        &NewConsultation {
            id: &id,
            region: &asked.region,
            category: &asked.category,
            question: &asked.question,
            asker_name: asked.name.as_deref(),
            contact: contact.as_ref(),
            private: asked.private,
            lookup_hash: &hash,
            asked_at: at,
            due_on: &due_on,
        },
    )
    .await?;
    let portal = Actor::system(&asked.region, "portal");
    let after = serde_json::json!({"region": asked.region, "category": asked.category, "private": asked.private, "due_on": due_on});
    audit::record(
        &mut tx,
        core.crypto.chain(),
        &portal,
        Entry::new("consultation.ask", "consultation", &id).after(after),
    )
    .await?;
    tx.commit().await?;
    Ok(Receipt { id, code, due_on })
}

/// The question a lookup code opens, whatever its state (the asker sees a dismissal's reason
/// too); `NotFound` for a code that opens nothing.
pub async fn lookup(core: &Core, typed: &str) -> Result<Consultation> {
    let code = model::normalize_code(typed)
        .ok_or_else(|| Error::field("code", "consultation.code_invalid"))?;
    let mut c = core.db.pool().acquire().await?;
    repo::by_lookup(&mut c, &code_hash(core, &code))
        .await?
        .ok_or_else(|| Error::field("code", "consultation.code_unknown"))
}

/// Questions per back-office page.
pub const PAGE: i64 = 50;

/// A page of the questions asked of the actor's region and below, as filtered (open ones
/// first by deadline, then the newest), and whether there is a page after it.
pub async fn list(
    core: &Core,
    actor: &Actor,
    filter: &repo::Filter,
) -> Result<(Vec<Consultation>, bool)> {
    actor.require(Permission::ConsultationReply)?;
    let offset = (filter.page.unwrap_or(1).clamp(1, 100_000) - 1) * PAGE;
    let mut c = core.db.pool().acquire().await?;
    let mut rows = repo::list(&mut c, &actor.scope, filter, offset, PAGE + 1).await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    Ok((rows, more))
}

/// What waits at the actor's own service point: late, due within a working day, escalated
/// to it from below.
pub async fn waiting(core: &Core, actor: &Actor) -> Result<repo::Waiting> {
    actor.require(Permission::ConsultationReply)?;
    let today = crate::ledger::model::today();
    let soon = crate::workdays::add_working_days(today, 1);
    let f = crate::ledger::model::fmt_date;
    let mut c = core.db.pool().acquire().await?;
    repo::waiting(&mut c, &actor.region_code, &f(today), &f(soon)).await
}

/// One question asked of the actor's region or below.
pub async fn get(core: &Core, actor: &Actor, id: &str) -> Result<Consultation> {
    actor.require(Permission::ConsultationReply)?;
    let mut c = core.db.pool().acquire().await?;
    let q = repo::get(&mut c, id).await?.ok_or(Error::NotFound)?;
    if !actor.scope.contains(&q.region_code) {
        return Err(Error::NotFound);
    }
    Ok(q)
}

/// The asker's mobile number in full, for an actor who may see personal data (audited).
pub async fn reveal_contact(core: &Core, actor: &Actor, id: &str) -> Result<String> {
    get(core, actor, id).await?;
    let mut tx = core.db.begin().await?;
    let cipher = repo::contact_cipher(&mut tx, id)
        .await?
        .ok_or(Error::NotFound)?;
    let plain = crate::personal::reveal(
        core,
        &mut tx,
        actor,
        crate::personal::Kind::Phone,
        "consultation",
        id,
        &cipher,
    )
    .await?;
    tx.commit().await?;
    Ok(plain)
}

/// A question in scope, read inside the writing transaction, with the state and last change
/// the guarded write will expect.
async fn in_scope(tx: &mut Tx, actor: &Actor, id: &str) -> Result<Consultation> {
    actor.require(Permission::ConsultationReply)?;
    let q = repo::get(&mut *tx, id).await?.ok_or(Error::NotFound)?;
    if !actor.scope.contains(&q.region_code) {
        return Err(Error::NotFound);
    }
    Ok(q)
}

fn expect(q: &Consultation) -> Expect<'_> {
    Expect {
        state: &q.state,
        updated_at: q.updated_at,
    }
}

async fn audited(
    mut tx: Tx,
    core: &Core,
    actor: &Actor,
    action: &str,
    id: &str,
    after: serde_json::Value,
) -> Result<()> {
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new(action, "consultation", id).after(after),
    )
    .await?;
    tx.commit().await?;
    index::after_commit(core, Source::Question, id).await;
    Ok(())
}

/// Answers an open question. It is published on the Q&A page when `publish` is asked and the
/// asker did not keep it private. `seen` is the last change the replier saw: an answer given
/// meanwhile by someone else is not overwritten.
pub async fn answer(
    core: &Core,
    actor: &Actor,
    id: &str,
    text: &str,
    publish: bool,
    seen: Option<i64>,
) -> Result<()> {
    let text = model::check_answer(text)?;
    let mut tx = core.db.begin().await?;
    let q = in_scope(&mut tx, actor, id).await?;
    if q.state != state::OPEN || seen.is_some_and(|s| s != q.updated_at) {
        return Err(Error::field("state", "consultation.changed_meanwhile"));
    }
    let published = publish && q.is_private == 0;
    let at = now();
    repo::answer(
        &mut tx,
        id,
        expect(&q),
        (&text, published),
        actor.user_id.as_deref(),
        at,
    )
    .await?;
    let on_time = crate::ledger::model::fmt_date(model::china_date(at)) <= q.due_on;
    let after = serde_json::json!({"published": published, "on_time": on_time, "chars": text.chars().count()});
    audited(tx, core, actor, "consultation.answer", id, after).await
}

/// Closes an open question that is not one (advertising, abuse, a duplicate), with a reason
/// the asker reads with the code.
pub async fn dismiss(core: &Core, actor: &Actor, id: &str, reason: &str) -> Result<()> {
    let reason = model::check_reason(reason)?;
    let mut tx = core.db.begin().await?;
    let q = in_scope(&mut tx, actor, id).await?;
    if q.state != state::OPEN {
        return Err(Error::field("state", "consultation.changed_meanwhile"));
    }
    repo::dismiss(&mut tx, id, expect(&q), &reason, now()).await?;
    let after = serde_json::json!({"reason": reason});
    audited(tx, core, actor, "consultation.dismiss", id, after).await
}

/// Shows an answered question on the public Q&A page, or takes it off (never one the asker
/// kept private).
pub async fn set_published(core: &Core, actor: &Actor, id: &str, publish: bool) -> Result<()> {
    let mut tx = core.db.begin().await?;
    let q = in_scope(&mut tx, actor, id).await?;
    if q.state != state::ANSWERED {
        return Err(Error::field("state", "consultation.not_answered"));
    }
    if publish && q.is_private == 1 {
        return Err(Error::field("published", "consultation.private"));
    }
    repo::set_published(&mut tx, id, expect(&q), publish, now()).await?;
    let after = serde_json::json!({"published": publish});
    audited(tx, core, actor, "consultation.publish", id, after).await
}
