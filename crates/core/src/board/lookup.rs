//! Lookup codes of public submissions: an employer's posting, a worker's supply or a citizen's
//! idea sent through a portal form gets a code (the consultations' kind, [`new_lookup_code`]),
//! shown once on the receipt; only its keyed hash is stored. With the code the sender reads how
//! the submission stands — waiting for review, published (with its address), returned or
//! rejected with the reviewer's reason, withdrawn with the reason, or expired — never its
//! contact. Entries entered by staff have no code.

use serde::Serialize;

use super::Kind;
use super::model::state;
use crate::consultation::model::{new_lookup_code, normalize_code};
use crate::db::{Tx, now};
use crate::{Core, Error, Result};

/// The kind of a submission code's keyed hash (its blind-index domain).
const CODE_KIND: &str = "board_code";

/// What a sender keeps: the submission's id and its lookup code (shown once; only its keyed
/// hash is stored).
#[derive(Clone, Debug)]
pub struct Receipt {
    pub id: String,
    pub code: String,
}

fn code_hash(core: &Core, normalized: &str) -> String {
    core.crypto.index().index(CODE_KIND, normalized)
}

/// Gives a submission inserted in `tx` a new lookup code, storing only its keyed hash; the
/// code is returned to be shown once.
pub(crate) async fn issue(core: &Core, tx: &mut Tx, kind: Kind, id: &str) -> Result<String> {
    let code = new_lookup_code();
    let hash = code_hash(core, &code.replace('-', ""));
    let sql = format!("UPDATE {} SET lookup_hash = $1 WHERE id = $2", kind.table());
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(hash)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(code)
}

/// Where a submission stands, as its sender reads it (`state` is one of the board's states,
/// or `expired` for a published entry past the day it was valid until).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Submission {
    pub kind: Kind,
    /// A posting's position, or an idea's title; empty for supply.
    pub title: String,
    /// A posting's or supply's trade code (the page shows its name).
    pub trade: Option<String>,
    pub head_count: Option<i64>,
    pub region_name: String,
    pub sent_at: i64,
    pub state: String,
    /// Why it was returned, rejected or withdrawn.
    pub reason: Option<String>,
    /// Its public address while it is published.
    pub url: Option<String>,
}

/// What `state` a sender is told for an entry in `stored` state, public until `expire_at`.
fn told_state(stored: &str, expire_at: Option<i64>, now: i64) -> String {
    match (stored, expire_at) {
        (state::PUBLISHED, Some(t)) if t <= now => "expired".into(),
        (s, _) => s.to_string(),
    }
}

/// The reason that goes with a state, if any.
fn reason_of(told: &str, returned: Option<String>, withdrawn: Option<String>) -> Option<String> {
    match told {
        state::RETURNED | state::REJECTED => returned,
        state::WITHDRAWN => withdrawn,
        _ => None,
    }
}

/// The submission a lookup code opens, whatever its state; a code that is malformed or
/// opens nothing is an error at the `code` field.
pub async fn lookup(core: &Core, typed: &str) -> Result<Submission> {
    let code = normalize_code(typed).ok_or_else(|| Error::field("code", "board.code_invalid"))?;
    let hash = code_hash(core, &code);
    let mut c = core.db.pool().acquire().await?;
    for kind in Kind::ALL {
        let sql = format!("SELECT id FROM {} WHERE lookup_hash = $1", kind.table());
        let id: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(hash.clone())
            .fetch_optional(&mut *c)
            .await?;
        if let Some(id) = id {
            return submission(&mut c, kind, &id).await;
        }
    }
    Err(Error::field("code", "board.code_unknown"))
}

async fn submission(c: &mut sqlx::AnyConnection, kind: Kind, id: &str) -> Result<Submission> {
    let t = now();
    if kind == Kind::Idea {
        let i = crate::idea::repo::get(c, id)
            .await?
            .ok_or(Error::NotFound)?;
        let told = told_state(&i.state, None, t);
        return Ok(Submission {
            kind,
            title: i.title,
            trade: None,
            head_count: None,
            region_name: i.region_name,
            sent_at: i.created_at,
            url: (told == state::PUBLISHED).then(|| kind.url(&i.id)),
            reason: reason_of(&told, i.return_reason, i.withdraw_reason),
            state: told,
        });
    }
    let e = super::repo::get(c, kind, id)
        .await?
        .ok_or(Error::NotFound)?;
    let told = told_state(&e.state, Some(e.expire_at), t);
    Ok(Submission {
        kind,
        title: e.position.clone().unwrap_or_default(),
        trade: Some(e.trade.clone()),
        head_count: Some(e.head_count),
        region_name: e.region_name.clone(),
        sent_at: e.created_at,
        url: (told == state::PUBLISHED).then(|| kind.url(&e.id)),
        reason: reason_of(&told, e.return_reason, e.withdraw_reason),
        state: told,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_entry_past_its_day_reads_as_expired() {
        assert_eq!(told_state(state::PUBLISHED, Some(100), 100), "expired");
        assert_eq!(told_state(state::PUBLISHED, Some(101), 100), "published");
        assert_eq!(told_state(state::PUBLISHED, None, 100), "published");
        assert_eq!(told_state(state::REVIEW, Some(1), 100), "review");
    }

    #[test]
    fn only_a_refusal_or_a_withdrawal_carries_its_reason() {
        let r = || Some("理由".to_string());
        assert_eq!(reason_of(state::REJECTED, r(), None), r());
        assert_eq!(reason_of(state::RETURNED, r(), None), r());
        assert_eq!(reason_of(state::WITHDRAWN, None, r()), r());
        assert_eq!(reason_of(state::PUBLISHED, r(), r()), None);
        assert_eq!(reason_of("expired", r(), r()), None);
    }
}
