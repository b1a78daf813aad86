//! All SQL of the audit log.

use futures_util::TryStreamExt;
use serde::Serialize;

use super::{Entry, canonical};
use crate::Result;
use crate::crypto::ChainHasher;
use crate::db::{Db, Sql, Tx, now};
use crate::org::Actor;

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub user_id: Option<String>,
    pub username: String,
    pub membership_id: Option<String>,
    pub region_code: Option<String>,
    pub ip: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

pub(super) async fn append(
    tx: &mut Tx,
    chain: &ChainHasher,
    actor: &Actor,
    e: Entry<'_>,
) -> Result<i64> {
    // Taking the head row first serialises writers on both engines.
    let (seq, prev): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut **tx)
            .await?;
    let mut row = AuditRow {
        seq,
        at: now(),
        user_id: actor.user_id.clone(),
        username: actor.username.clone(),
        membership_id: actor.membership_id.clone(),
        region_code: Some(actor.region_code.clone()),
        ip: actor.ip.clone(),
        action: e.action.to_string(),
        entity: e.entity.to_string(),
        entity_id: e.entity_id.to_string(),
        before_json: e.before.map(|v| v.to_string()),
        after_json: e.after.map(|v| v.to_string()),
        prev_hash: prev,
        hash: String::new(),
    };
    row.hash = chain.link(&row.prev_hash, &canonical(&row));
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(row.hash.clone())
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO audit_log (seq, at, user_id, username, membership_id, region_code, ip, \
         action, entity, entity_id, before_json, after_json, prev_hash, hash) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
    )
    .bind(row.seq)
    .bind(row.at)
    .bind(row.user_id)
    .bind(row.username)
    .bind(row.membership_id)
    .bind(row.region_code)
    .bind(row.ip)
    .bind(row.action)
    .bind(row.entity)
    .bind(row.entity_id)
    .bind(row.before_json)
    .bind(row.after_json)
    .bind(row.prev_hash)
    .bind(row.hash)
    .execute(&mut **tx)
    .await?;
    Ok(seq)
}

/// Filters of the audit viewer.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct AuditFilter {
    pub username: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Keyset pagination: rows with a smaller seq than this.
    pub before_seq: Option<i64>,
}

fn where_clause(f: &AuditFilter, sql: &mut Sql) {
    sql.push(" WHERE 1 = 1");
    let text = |v: &Option<String>| {
        v.as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    if let Some(u) = text(&f.username) {
        sql.push(" AND username = ").bind(u);
    }
    if let Some(a) = text(&f.action) {
        sql.push(" AND action = ").bind(a);
    }
    if let Some(e) = text(&f.entity) {
        sql.push(" AND entity = ").bind(e);
    }
    if let Some(e) = text(&f.entity_id) {
        sql.push(" AND entity_id = ").bind(e);
    }
    if let Some(t) = f.from {
        sql.push(" AND at >= ").bind(t);
    }
    if let Some(t) = f.to {
        sql.push(" AND at < ").bind(t);
    }
}

/// A page of rows, newest first, and the total count matching the filter.
pub async fn list(db: &Db, f: &AuditFilter, limit: i64) -> Result<(Vec<AuditRow>, i64)> {
    let mut count = Sql::new("SELECT COUNT(*) FROM audit_log");
    where_clause(f, &mut count);
    let total: i64 = count.query_scalar().fetch_one(db.pool()).await?;
    let mut sql = Sql::new("SELECT * FROM audit_log");
    where_clause(f, &mut sql);
    if let Some(b) = f.before_seq {
        sql.push(" AND seq < ").bind(b);
    }
    sql.push(" ORDER BY seq DESC LIMIT ").bind(limit);
    let rows = sql.query_as::<AuditRow>().fetch_all(db.pool()).await?;
    Ok((rows, total))
}

/// Result of checking the whole chain.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub enum VerifyOutcome {
    Intact {
        rows: i64,
    },
    /// The first row whose hash or link does not match.
    Broken {
        seq: i64,
        reason: &'static str,
    },
}

/// Walks the chain from the first row and names the first broken one.
pub async fn verify(db: &Db, chain: &ChainHasher) -> Result<VerifyOutcome> {
    let mut rows =
        sqlx::query_as::<_, AuditRow>("SELECT * FROM audit_log ORDER BY seq").fetch(db.pool());
    let mut prev = String::new();
    let mut expected_seq: Option<i64> = None;
    let mut n = 0;
    while let Some(row) = rows.try_next().await? {
        if let Some(s) = expected_seq
            && row.seq != s
        {
            return Ok(VerifyOutcome::Broken {
                seq: row.seq,
                reason: "gap",
            });
        }
        if row.prev_hash != prev {
            return Ok(VerifyOutcome::Broken {
                seq: row.seq,
                reason: "link",
            });
        }
        if chain.link(&row.prev_hash, &canonical(&row)) != row.hash {
            return Ok(VerifyOutcome::Broken {
                seq: row.seq,
                reason: "hash",
            });
        }
        prev = row.hash.clone();
        expected_seq = Some(row.seq + 1);
        n += 1;
    }
    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(db.pool())
            .await?;
    if head_hash != prev || (n > 0 && Some(head_seq + 1) != expected_seq) {
        return Ok(VerifyOutcome::Broken {
            seq: head_seq,
            reason: "head",
        });
    }
    Ok(VerifyOutcome::Intact { rows: n })
}

/// The number of the last row: every write advances it (watched by the web caches).
pub async fn head_seq(db: &Db) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(db.pool())
            .await?,
    )
}
