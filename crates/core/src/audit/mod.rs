//! The audit log: an append-only, hash-chained record of every write and every unmasking of
//! personal data, written in the same transaction as the change it records.
//!
//! Owns: `audit_head`, `audit_log`. Uses: db, crypto (the chain key), org (the actor).
//! The database itself refuses updates and deletion of rows younger than 180 days (triggers).

mod repo;

pub use repo::{AuditFilter, AuditRow, VerifyOutcome, head_seq, list, verify};

use crate::Result;
use crate::crypto::ChainHasher;
use crate::db::Tx;
use crate::org::Actor;

/// Rows younger than this may not be deleted through the product.
pub const RETENTION_DAYS: i64 = 180;

/// One change to record.
pub struct Entry<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Entry<'a> {
    pub fn new(action: &'a str, entity: &'a str, entity_id: &'a str) -> Self {
        Entry {
            action,
            entity,
            entity_id,
            before: None,
            after: None,
        }
    }
    pub fn before(mut self, v: impl serde::Serialize) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }
    pub fn after(mut self, v: impl serde::Serialize) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
}

/// Appends one row to the chain inside `tx`. Snapshots must already be masked.
pub async fn record(tx: &mut Tx, chain: &ChainHasher, actor: &Actor, e: Entry<'_>) -> Result<i64> {
    repo::append(tx, chain, actor, e).await
}

/// The canonical text of a row that the chain hashes.
#[allow(clippy::too_many_arguments)]
pub(crate) fn canonical(row: &AuditRow) -> String {
    let sep = '\u{1f}';
    let o = |s: &Option<String>| s.clone().unwrap_or_default();
    [
        row.seq.to_string(),
        row.at.to_string(),
        o(&row.user_id),
        row.username.clone(),
        o(&row.membership_id),
        o(&row.region_code),
        row.ip.clone(),
        row.action.clone(),
        row.entity.clone(),
        row.entity_id.clone(),
        o(&row.before_json),
        o(&row.after_json),
    ]
    .join(&sep.to_string())
}
