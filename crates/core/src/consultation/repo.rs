//! All SQL of consultations. Back-office reads take the actor's scope (the region asked is in
//! it); public reads see only answered questions marked for publication.

use super::model::{Consultation, state};
use crate::Result;
use crate::db::Sql;
use crate::org::RegionScope;

type Exec<'a> = &'a mut sqlx::AnyConnection;

const SELECT: &str = "SELECT c.id, c.region_code, r.name AS region_name, c.handler_code, h.name AS handler_name, \
     c.category, c.question, c.asker_name, c.contact_masked, c.is_private, c.state, c.asked_at, c.due_on, \
     c.reminded_at, c.escalated_at, c.escalations, c.answer, c.answered_at, c.published, c.dismiss_reason, \
     c.updated_at FROM consultation c JOIN region r ON r.code = c.region_code JOIN region h ON h.code = c.handler_code";

/// A new question, as the citizen sent it.
pub struct NewConsultation<'a> {
    pub id: &'a str,
    pub region: &'a str,
    pub category: &'a str,
    pub question: &'a str,
    pub asker_name: Option<&'a str>,
    pub contact: Option<&'a crate::personal::Sealed>,
    pub private: bool,
    pub lookup_hash: &'a str,
    pub asked_at: i64,
    pub due_on: &'a str,
}

pub async fn insert(c: Exec<'_>, n: &NewConsultation<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO consultation (id, region_code, handler_code, category, question, asker_name, contact_cipher, \
         contact_masked, is_private, lookup_hash, state, asked_at, due_on, updated_at) \
         VALUES ($1,$2,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$11)",
    )
    .bind(n.id.to_string())
    .bind(n.region.to_string())
    .bind(n.category.to_string())
    .bind(n.question.to_string())
    .bind(n.asker_name.map(str::to_string))
    .bind(n.contact.map(|s| s.cipher.clone()))
    .bind(n.contact.map(|s| s.masked.clone()))
    .bind(i64::from(n.private))
    .bind(n.lookup_hash.to_string())
    .bind(state::OPEN)
    .bind(n.asked_at)
    .bind(n.due_on.to_string())
    .execute(c)
    .await?;
    Ok(())
}

/// One consultation wherever it is (the caller checks scope or publicity).
pub async fn get(c: Exec<'_>, id: &str) -> Result<Option<Consultation>> {
    let sql = format!("{SELECT} WHERE c.id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(c)
        .await?)
}

/// Several by id, in no order (search hits checked against the database).
pub async fn get_many(c: Exec<'_>, ids: &[String]) -> Result<Vec<Consultation>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("{SELECT} WHERE c.id IN "));
    sql.bind_list(ids);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// The consultation a lookup code opens.
pub async fn by_lookup(c: Exec<'_>, hash: &str) -> Result<Option<Consultation>> {
    let sql = format!("{SELECT} WHERE c.lookup_hash = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(hash.to_string())
        .fetch_optional(c)
        .await?)
}

/// The stored (encrypted) contact of a consultation.
pub async fn contact_cipher(c: Exec<'_>, id: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT contact_cipher FROM consultation WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(c)
            .await?
            .flatten(),
    )
}

/// What the back-office list shows: one state, a region below the actor's, a period (the
/// month answered for answered questions, else the month asked). Blank means any.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct Filter {
    /// `all`: every question asked of the region and below; otherwise those its own service
    /// point handles (asked of it, or escalated to it).
    #[serde(default)]
    pub queue: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub region: String,
    /// `YYYY-MM-DD`, China time, inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// 1-based page.
    pub page: Option<i64>,
}

fn day_start(d: &str) -> Option<i64> {
    crate::ledger::model::parse_date(d).map(|d| {
        d.midnight()
            .assume_offset(time::macros::offset!(+8))
            .unix_timestamp()
    })
}

/// The questions asked of a region and below, open ones first by deadline, then the newest.
pub async fn list(
    c: Exec<'_>,
    scope: &RegionScope,
    f: &Filter,
    offset: i64,
    limit: i64,
) -> Result<Vec<Consultation>> {
    let scope = match f.region.trim() {
        r if !r.is_empty() && scope.contains(r) => RegionScope::of(r),
        _ => scope.clone(),
    };
    let mut sql = Sql::new(&format!("{SELECT} WHERE c.region_code BETWEEN "));
    sql.bind(scope.lo.clone())
        .push(" AND ")
        .bind(scope.hi.clone());
    if f.queue != "all" {
        sql.push(" AND c.handler_code = ").bind(scope.root.clone());
    }
    if !f.state.is_empty() {
        sql.push(" AND c.state = ").bind(f.state.clone());
    }
    let when = if f.state == state::ANSWERED {
        "c.answered_at"
    } else {
        "c.asked_at"
    };
    if let Some(t) = day_start(&f.from) {
        sql.push(&format!(" AND {when} >= ")).bind(t);
    }
    if let Some(t) = day_start(&f.to) {
        sql.push(&format!(" AND {when} < ")).bind(t + 86_400);
    }
    sql.push(" ORDER BY CASE WHEN c.state = 'open' THEN 0 ELSE 1 END, CASE WHEN c.state = 'open' THEN c.due_on ELSE '' END, c.asked_at DESC, c.id LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// What a change expects to find: the state and last change it read. A change that finds
/// anything else (someone answered meanwhile) writes nothing.
#[derive(Clone, Copy, Debug)]
pub struct Expect<'a> {
    pub state: &'a str,
    pub updated_at: i64,
}

fn changed_meanwhile(rows: u64) -> Result<()> {
    if rows == 0 {
        return Err(crate::Error::field(
            "state",
            "consultation.changed_meanwhile",
        ));
    }
    Ok(())
}

/// Records the answer and whether it is published.
pub async fn answer(
    c: Exec<'_>,
    id: &str,
    expect: Expect<'_>,
    (text, published): (&str, bool),
    user: Option<&str>,
    at: i64,
) -> Result<()> {
    let r = sqlx::query(
        "UPDATE consultation SET state = $1, answer = $2, published = $3, answered_at = $4, answered_by = $5, \
         updated_at = $6 WHERE id = $7 AND state = $8 AND updated_at = $9",
    )
    .bind(state::ANSWERED)
    .bind(text.to_string())
    .bind(i64::from(published))
    .bind(at)
    .bind(user.map(str::to_string))
    .bind(at.max(expect.updated_at + 1))
    .bind(id.to_string())
    .bind(expect.state.to_string())
    .bind(expect.updated_at)
    .execute(c)
    .await?;
    changed_meanwhile(r.rows_affected())
}

/// Closes a question that is not one, with the reason.
pub async fn dismiss(
    c: Exec<'_>,
    id: &str,
    expect: Expect<'_>,
    reason: &str,
    at: i64,
) -> Result<()> {
    let r = sqlx::query(
        "UPDATE consultation SET state = $1, dismiss_reason = $2, published = 0, updated_at = $3 \
         WHERE id = $4 AND state = $5 AND updated_at = $6",
    )
    .bind(state::DISMISSED)
    .bind(reason.to_string())
    .bind(at.max(expect.updated_at + 1))
    .bind(id.to_string())
    .bind(expect.state.to_string())
    .bind(expect.updated_at)
    .execute(c)
    .await?;
    changed_meanwhile(r.rows_affected())
}

/// Shows an answered question on the public page or takes it off.
pub async fn set_published(
    c: Exec<'_>,
    id: &str,
    expect: Expect<'_>,
    published: bool,
    at: i64,
) -> Result<()> {
    let r = sqlx::query(
        "UPDATE consultation SET published = $1, updated_at = $2 WHERE id = $3 AND state = $4 AND updated_at = $5",
    )
    .bind(i64::from(published))
    .bind(at.max(expect.updated_at + 1))
    .bind(id.to_string())
    .bind(expect.state.to_string())
    .bind(expect.updated_at)
    .execute(c)
    .await?;
    changed_meanwhile(r.rows_affected())
}

/// A page of the public questions and answers of a region and below, newest answer first.
pub async fn public_page(
    c: Exec<'_>,
    scope: &RegionScope,
    offset: i64,
    limit: i64,
) -> Result<Vec<Consultation>> {
    let mut sql = Sql::new(&format!(
        "{SELECT} WHERE c.published = 1 AND c.state = 'answered' AND c.region_code BETWEEN "
    ));
    sql.bind(scope.lo.clone())
        .push(" AND ")
        .bind(scope.hi.clone())
        .push(" ORDER BY c.answered_at DESC, c.id LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    Ok(sql.query_as().fetch_all(c).await?)
}

pub async fn public_count(c: Exec<'_>, scope: &RegionScope) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM consultation WHERE published = 1 AND state = 'answered' AND region_code BETWEEN $1 AND $2",
    )
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_one(c)
    .await?)
}

/// Every public question by id after `after` (a full reindex), a page at a time.
pub async fn public_after(c: Exec<'_>, after: &str, limit: i64) -> Result<Vec<Consultation>> {
    let sql = format!(
        "{SELECT} WHERE c.published = 1 AND c.state = 'answered' AND c.id > $1 ORDER BY c.id LIMIT $2"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(after.to_string())
        .bind(limit)
        .fetch_all(c)
        .await?)
}

/// How many questions of a region and below were asked in each of the ranges
/// `[bounds[k], bounds[k + 1])` (unix seconds), counted in one pass by the database.
pub async fn asked_in(c: Exec<'_>, scope: &RegionScope, bounds: &[i64]) -> Result<Vec<i64>> {
    if bounds.len() < 2 {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT ");
    for (k, pair) in bounds.windows(2).enumerate() {
        if k > 0 {
            sql.push(", ");
        }
        sql.push("COALESCE(SUM(CASE WHEN asked_at >= ")
            .bind(pair[0])
            .push(" AND asked_at < ")
            .bind(pair[1])
            .push(" THEN 1 ELSE 0 END), 0)");
    }
    sql.push(" FROM consultation WHERE region_code BETWEEN ")
        .bind(scope.lo.clone())
        .push(" AND ")
        .bind(scope.hi.clone())
        .push(" AND asked_at >= ")
        .bind(bounds[0])
        .push(" AND asked_at < ")
        .bind(bounds[bounds.len() - 1]);
    let (text, args) = sql.into_parts();
    let row = sqlx::query_with(sqlx::AssertSqlSafe(text), args)
        .fetch_one(c)
        .await?;
    use sqlx::Row;
    (0..bounds.len() - 1)
        .map(|k| row.try_get::<i64, _>(k).map_err(Into::into))
        .collect()
}

/// A kept monthly count (an indicator the triggers maintain) of one region: `YYYY-MM` → value.
pub async fn kept_months(
    c: Exec<'_>,
    code: &str,
    region: &str,
    (from, to): (&str, &str),
) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT month, value FROM indicator_value WHERE indicator_code = $1 AND region_code = $2 \
         AND month BETWEEN $3 AND $4",
    )
    .bind(code.to_string())
    .bind(region.to_string())
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(c)
    .await?)
}

/// Open questions due on or before `day` (`YYYY-MM-DD`): (id, region, handler, due_on,
/// reminded_at, escalated_at).
pub type Due = (String, String, String, String, Option<i64>, Option<i64>);

pub async fn open_due_by(c: Exec<'_>, day: &str) -> Result<Vec<Due>> {
    Ok(sqlx::query_as(
        "SELECT id, region_code, handler_code, due_on, reminded_at, escalated_at FROM consultation \
         WHERE state = 'open' AND due_on <= $1 ORDER BY due_on, id",
    )
    .bind(day.to_string())
    .fetch_all(c)
    .await?)
}

pub async fn mark_reminded(c: Exec<'_>, id: &str, at: i64) -> Result<()> {
    sqlx::query("UPDATE consultation SET reminded_at = $1 WHERE id = $2 AND state = 'open'")
        .bind(at)
        .bind(id.to_string())
        .execute(c)
        .await?;
    Ok(())
}

/// Hands an open question from the service point `from` to the one above (`to`); false if
/// someone answered it or moved it meanwhile (another node's sweep).
pub async fn escalate(c: Exec<'_>, id: &str, (from, to): (&str, &str), at: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE consultation SET handler_code = $1, escalated_at = $2, escalations = escalations + 1, updated_at = $2 \
         WHERE id = $3 AND state = 'open' AND handler_code = $4",
    )
    .bind(to.to_string())
    .bind(at)
    .bind(id.to_string())
    .bind(from.to_string())
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// What waits at one service point: open questions it handles that are late, due by `soon`,
/// and escalated to it from below.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Waiting {
    pub late: i64,
    pub soon: i64,
    pub escalated: i64,
}

pub async fn waiting(c: Exec<'_>, handler: &str, today: &str, soon: &str) -> Result<Waiting> {
    Ok(sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN due_on < $2 THEN 1 ELSE 0 END), 0) AS late, \
         COALESCE(SUM(CASE WHEN due_on >= $2 AND due_on <= $3 THEN 1 ELSE 0 END), 0) AS soon, \
         COALESCE(SUM(CASE WHEN region_code <> handler_code THEN 1 ELSE 0 END), 0) AS escalated \
         FROM consultation WHERE handler_code = $1 AND state = 'open'",
    )
    .bind(handler.to_string())
    .bind(today.to_string())
    .bind(soon.to_string())
    .fetch_one(c)
    .await?)
}
