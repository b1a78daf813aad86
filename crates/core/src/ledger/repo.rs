//! All SQL of the ledger. Every read of scoped rows takes a [`RegionScope`] into its WHERE clause.

use serde::Serialize;

use crate::Result;
use crate::db::{Sql, Tx};
use crate::org::RegionScope;

type Exec<'a> = &'a mut sqlx::AnyConnection;

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    #[serde(skip)]
    pub id_cipher: String,
    pub id_masked: String,
    pub birth_date: String,
    pub sex: String,
    #[serde(skip)]
    pub phone_cipher: Option<String>,
    pub phone_masked: Option<String>,
    pub education: String,
    pub household: String,
    pub party_member: i64,
    pub region_code: String,
    pub region_name: String,
    pub address: String,
    pub responsible_user_id: Option<String>,
    pub responsible_name: Option<String>,
    pub next_visit_date: Option<String>,
    pub created_at: i64,
}

const PERSON_SELECT: &str = "SELECT p.id, p.name, p.id_cipher, p.id_masked, p.birth_date, p.sex, p.phone_cipher, \
     p.phone_masked, p.education, p.household, p.party_member, p.region_code, r.name AS region_name, p.address, \
     p.responsible_user_id, u.display_name AS responsible_name, p.next_visit_date, p.created_at \
     FROM person p JOIN region r ON r.code = p.region_code LEFT JOIN app_user u ON u.id = p.responsible_user_id";

pub async fn person_get(c: Exec<'_>, scope: &RegionScope, id: &str) -> Result<Option<Person>> {
    let mut sql = Sql::new(PERSON_SELECT);
    sql.push(" WHERE p.id = ").bind(id.to_string());
    scope_clause(&mut sql, "p.region_code", scope);
    Ok(sql.query_as().fetch_optional(c).await?)
}

/// Where a person with this blind index is registered, whatever the scope (for de-duplication).
pub async fn person_by_index(
    c: Exec<'_>,
    id_index: &str,
) -> Result<Option<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.region_code, r.name FROM person p JOIN region r ON r.code = p.region_code WHERE p.id_index = $1",
    )
    .bind(id_index.to_string())
    .fetch_optional(c)
    .await?)
}

pub async fn person_categories(c: Exec<'_>, id: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT category FROM person_category WHERE person_id = $1 ORDER BY category",
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await?)
}

fn scope_clause(sql: &mut Sql, column: &str, scope: &RegionScope) {
    sql.push(&format!(" AND {column} BETWEEN "))
        .bind(scope.lo.clone())
        .push(" AND ")
        .bind(scope.hi.clone());
}

/// Filters of the person list.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct PersonFilter {
    pub q: Option<String>,
    pub region: Option<String>,
    pub category: Option<String>,
    pub education: Option<String>,
    pub household: Option<String>,
    /// "1" = party members only (needs `party.view`).
    pub party: Option<String>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    /// "name" (default) or "created".
    pub sort: Option<String>,
    /// Keyset cursor: the last row's sort key and id, as given in `next`.
    pub after: Option<String>,
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub id_masked: String,
    pub sex: String,
    pub birth_date: String,
    pub phone_masked: Option<String>,
    pub region_code: String,
    pub region_name: String,
    pub created_at: i64,
}

fn opt(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Unix seconds of the start of a China-time day.
fn day_start(s: &str) -> Option<i64> {
    super::model::parse_date(s).map(|d| d.midnight().assume_utc().unix_timestamp() - 8 * 3600)
}

pub async fn person_list(
    c: Exec<'_>,
    scope: &RegionScope,
    f: &PersonFilter,
    may_see_party: bool,
    phone_or_id_index: Option<(&'static str, String)>,
    limit: i64,
) -> Result<(Vec<PersonRow>, i64, Option<String>)> {
    let by_created = f.sort.as_deref() == Some("created");
    let build = |select: &str, page: bool| {
        let mut sql = Sql::new(select);
        sql.push(" WHERE 1 = 1");
        scope_clause(&mut sql, "p.region_code", scope);
        if let Some(r) = opt(&f.region) {
            let sub = RegionScope::of(&r);
            scope_clause(&mut sql, "p.region_code", &sub);
        }
        if let Some((column, ix)) = &phone_or_id_index {
            sql.push(&format!(" AND p.{column} = ")).bind(ix.clone());
        } else if let Some(q) = opt(&f.q) {
            sql.push(" AND instr(p.name, ").bind(q).push(") > 0");
        }
        if let Some(cat) = opt(&f.category) {
            sql.push(" AND EXISTS (SELECT 1 FROM person_category pc WHERE pc.person_id = p.id AND pc.category = ")
                .bind(cat)
                .push(")");
        }
        if let Some(e) = opt(&f.education) {
            sql.push(" AND p.education = ").bind(e);
        }
        if let Some(h) = opt(&f.household) {
            sql.push(" AND p.household = ").bind(h);
        }
        if may_see_party && opt(&f.party).as_deref() == Some("1") {
            sql.push(" AND p.party_member = 1");
        }
        if let Some(t) = opt(&f.created_from).and_then(|s| day_start(&s)) {
            sql.push(" AND p.created_at >= ").bind(t);
        }
        if let Some(t) = opt(&f.created_to).and_then(|s| day_start(&s)) {
            sql.push(" AND p.created_at < ").bind(t + 86400);
        }
        if page {
            if let Some((k, id)) = opt(&f.after).and_then(|a| {
                a.split_once('|')
                    .map(|(k, i)| (k.to_string(), i.to_string()))
            }) {
                if by_created {
                    let k: i64 = k.parse().unwrap_or(i64::MAX);
                    sql.push(" AND (p.created_at < ")
                        .bind(k)
                        .push(" OR (p.created_at = ")
                        .bind(k)
                        .push(" AND p.id < ")
                        .bind(id)
                        .push("))");
                } else {
                    sql.push(" AND (p.name > ")
                        .bind(k.clone())
                        .push(" OR (p.name = ")
                        .bind(k)
                        .push(" AND p.id > ")
                        .bind(id)
                        .push("))");
                }
            }
            sql.push(if by_created {
                " ORDER BY p.created_at DESC, p.id DESC"
            } else {
                " ORDER BY p.name, p.id"
            });
            sql.push(" LIMIT ").bind(limit);
        }
        sql
    };
    let total: i64 = build("SELECT COUNT(*) FROM person p", false)
        .query_scalar()
        .fetch_one(&mut *c)
        .await?;
    let rows: Vec<PersonRow> = build(
        "SELECT p.id, p.name, p.id_masked, p.sex, p.birth_date, p.phone_masked, p.region_code, r.name AS region_name, p.created_at \
         FROM person p JOIN region r ON r.code = p.region_code",
        true,
    )
    .query_as()
    .fetch_all(&mut *c)
    .await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last())
        .flatten()
        .map(|r| {
            if by_created {
                format!("{}|{}", r.created_at, r.id)
            } else {
                format!("{}|{}", r.name, r.id)
            }
        });
    Ok((rows, total, next))
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Business {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub uscc: Option<String>,
    pub uscc_override_reason: Option<String>,
    pub industry: String,
    pub registered_on: String,
    pub region_code: String,
    pub region_name: String,
    pub address: String,
    pub capital_fen: i64,
    pub status: String,
    pub status_since: String,
    pub jobs: i64,
    pub created_at: i64,
}

const BUSINESS_SELECT: &str = "SELECT b.id, b.name, b.kind, b.uscc, b.uscc_override_reason, b.industry, b.registered_on, \
     b.region_code, r.name AS region_name, b.address, b.capital_fen, b.status, b.status_since, b.jobs, b.created_at \
     FROM business b JOIN region r ON r.code = b.region_code";

pub async fn business_get(c: Exec<'_>, scope: &RegionScope, id: &str) -> Result<Option<Business>> {
    let mut sql = Sql::new(BUSINESS_SELECT);
    sql.push(" WHERE b.id = ").bind(id.to_string());
    scope_clause(&mut sql, "b.region_code", scope);
    Ok(sql.query_as().fetch_optional(c).await?)
}

pub async fn business_by_uscc(c: Exec<'_>, uscc: &str) -> Result<Option<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT b.id, b.region_code, r.name FROM business b JOIN region r ON r.code = b.region_code WHERE b.uscc = $1",
    )
    .bind(uscc.to_string())
    .fetch_optional(c)
    .await?)
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct BusinessFilter {
    pub q: Option<String>,
    pub region: Option<String>,
    pub kind: Option<String>,
    pub industry: Option<String>,
    pub status: Option<String>,
    pub registered_from: Option<String>,
    pub registered_to: Option<String>,
    /// "name" (default) or "registered".
    pub sort: Option<String>,
    pub after: Option<String>,
}

pub async fn business_list(
    c: Exec<'_>,
    scope: &RegionScope,
    f: &BusinessFilter,
    limit: i64,
) -> Result<(Vec<Business>, i64, Option<String>)> {
    let by_date = f.sort.as_deref() == Some("registered");
    let build = |select: &str, page: bool| {
        let mut sql = Sql::new(select);
        sql.push(" WHERE 1 = 1");
        scope_clause(&mut sql, "b.region_code", scope);
        if let Some(r) = opt(&f.region) {
            scope_clause(&mut sql, "b.region_code", &RegionScope::of(&r));
        }
        if let Some(q) = opt(&f.q) {
            sql.push(" AND (instr(b.name, ")
                .bind(q.clone())
                .push(") > 0 OR b.uscc = ")
                .bind(q.to_uppercase())
                .push(")");
        }
        if let Some(k) = opt(&f.kind) {
            sql.push(" AND b.kind = ").bind(k);
        }
        if let Some(i) = opt(&f.industry) {
            sql.push(" AND b.industry = ").bind(i);
        }
        if let Some(s) = opt(&f.status) {
            sql.push(" AND b.status = ").bind(s);
        }
        if let Some(d) = opt(&f.registered_from) {
            sql.push(" AND b.registered_on >= ").bind(d);
        }
        if let Some(d) = opt(&f.registered_to) {
            sql.push(" AND b.registered_on <= ").bind(d);
        }
        if page {
            if let Some((k, id)) = opt(&f.after).and_then(|a| {
                a.split_once('|')
                    .map(|(k, i)| (k.to_string(), i.to_string()))
            }) {
                let col = if by_date { "b.registered_on" } else { "b.name" };
                let op = if by_date { "<" } else { ">" };
                sql.push(&format!(" AND ({col} {op} "))
                    .bind(k.clone())
                    .push(&format!(" OR ({col} = "))
                    .bind(k)
                    .push(&format!(" AND b.id {op} "))
                    .bind(id)
                    .push("))");
            }
            sql.push(if by_date {
                " ORDER BY b.registered_on DESC, b.id DESC"
            } else {
                " ORDER BY b.name, b.id"
            });
            sql.push(" LIMIT ").bind(limit);
        }
        sql
    };
    let total: i64 = build("SELECT COUNT(*) FROM business b", false)
        .query_scalar()
        .fetch_one(&mut *c)
        .await?;
    let rows: Vec<Business> = build(BUSINESS_SELECT, true)
        .query_as()
        .fetch_all(&mut *c)
        .await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last())
        .flatten()
        .map(|r| {
            if by_date {
                format!("{}|{}", r.registered_on, r.id)
            } else {
                format!("{}|{}", r.name, r.id)
            }
        });
    Ok((rows, total, next))
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct StatusEntry {
    pub status: String,
    pub valid_from: String,
    pub note: String,
    pub recorded_at: i64,
}

pub async fn status_history(c: Exec<'_>, business_id: &str) -> Result<Vec<StatusEntry>> {
    Ok(sqlx::query_as(
        "SELECT status, valid_from, note, recorded_at FROM business_status WHERE business_id = $1 ORDER BY valid_from, recorded_at",
    )
    .bind(business_id.to_string())
    .fetch_all(c)
    .await?)
}

/// The status in force on `date`: the latest entry from on or before it.
pub async fn status_on(c: Exec<'_>, business_id: &str, date: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT status FROM business_status WHERE business_id = $1 AND valid_from <= $2 \
         ORDER BY valid_from DESC, recorded_at DESC LIMIT 1",
    )
    .bind(business_id.to_string())
    .bind(date.to_string())
    .fetch_optional(c)
    .await?)
}

pub async fn status_insert(
    tx: &mut Tx,
    business_id: &str,
    status: &str,
    valid_from: &str,
    note: &str,
    by: Option<String>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO business_status (id, business_id, status, valid_from, note, recorded_at, recorded_by) VALUES ($1,$2,$3,$4,$5,$6,$7)",
    )
    .bind(crate::db::new_id())
    .bind(business_id.to_string())
    .bind(status.to_string())
    .bind(valid_from.to_string())
    .bind(note.to_string())
    .bind(crate::db::now())
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Link {
    pub person_id: String,
    pub person_name: String,
    pub business_id: String,
    pub business_name: String,
    pub role: String,
    pub since: String,
}

const LINK_SELECT: &str = "SELECT l.person_id, p.name AS person_name, l.business_id, b.name AS business_name, l.role, l.since \
     FROM person_business l JOIN person p ON p.id = l.person_id JOIN business b ON b.id = l.business_id";

pub async fn links_of_person(c: Exec<'_>, person_id: &str) -> Result<Vec<Link>> {
    let sql = format!("{LINK_SELECT} WHERE l.person_id = $1 ORDER BY l.since");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(person_id.to_string())
        .fetch_all(c)
        .await?)
}

pub async fn links_of_business(c: Exec<'_>, business_id: &str) -> Result<Vec<Link>> {
    let sql = format!("{LINK_SELECT} WHERE l.business_id = $1 ORDER BY l.since");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(business_id.to_string())
        .fetch_all(c)
        .await?)
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Visit {
    pub id: String,
    pub person_id: String,
    pub business_id: Option<String>,
    pub visit_date: String,
    pub method: String,
    pub staff_name: Option<String>,
    pub notes: String,
    pub next_visit_date: Option<String>,
}

pub async fn visits_of_person(c: Exec<'_>, person_id: &str) -> Result<Vec<Visit>> {
    Ok(sqlx::query_as(
        "SELECT v.id, v.person_id, v.business_id, v.visit_date, v.method, u.display_name AS staff_name, v.notes, v.next_visit_date \
         FROM visit v LEFT JOIN app_user u ON u.id = v.staff_user_id WHERE v.person_id = $1 ORDER BY v.visit_date DESC, v.id DESC",
    )
    .bind(person_id.to_string())
    .fetch_all(c)
    .await?)
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Need {
    pub id: String,
    pub visit_id: String,
    pub person_id: String,
    pub person_name: String,
    pub region_code: String,
    pub region_name: String,
    pub kind: String,
    pub description: String,
    pub unit_id: String,
    pub unit_name: String,
    pub deadline: String,
    pub state: String,
    pub reason: Option<String>,
    pub escalated_at: Option<i64>,
    pub created_at: i64,
}

const NEED_SELECT: &str = "SELECT n.id, n.visit_id, n.person_id, p.name AS person_name, n.region_code, r.name AS region_name, \
     n.kind, n.description, n.unit_id, un.name AS unit_name, n.deadline, n.state, n.reason, n.escalated_at, n.created_at \
     FROM need n JOIN person p ON p.id = n.person_id JOIN region r ON r.code = n.region_code JOIN unit un ON un.id = n.unit_id";

pub async fn needs_of_person(c: Exec<'_>, person_id: &str) -> Result<Vec<Need>> {
    let sql = format!("{NEED_SELECT} WHERE n.person_id = $1 ORDER BY n.created_at DESC");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(person_id.to_string())
        .fetch_all(c)
        .await?)
}

/// A unit's queue: its needs within scope, open ones first by deadline.
pub async fn unit_queue(
    c: Exec<'_>,
    scope: &RegionScope,
    unit_id: &str,
    include_closed: bool,
) -> Result<Vec<Need>> {
    let mut sql = Sql::new(NEED_SELECT);
    sql.push(" WHERE n.unit_id = ").bind(unit_id.to_string());
    scope_clause(&mut sql, "n.region_code", scope);
    if !include_closed {
        sql.push(" AND n.state IN ('open', 'accepted')");
    }
    sql.push(" ORDER BY n.deadline, n.created_at LIMIT 500");
    Ok(sql.query_as().fetch_all(c).await?)
}

pub async fn need_get(c: Exec<'_>, scope: &RegionScope, id: &str) -> Result<Option<Need>> {
    let mut sql = Sql::new(NEED_SELECT);
    sql.push(" WHERE n.id = ").bind(id.to_string());
    scope_clause(&mut sql, "n.region_code", scope);
    Ok(sql.query_as().fetch_optional(c).await?)
}

/// Needs past their deadline, still open, within scope.
pub async fn overdue(c: Exec<'_>, scope: &RegionScope) -> Result<Vec<Need>> {
    let mut sql = Sql::new(NEED_SELECT);
    sql.push(" WHERE n.escalated_at IS NOT NULL AND n.state IN ('open', 'accepted')");
    scope_clause(&mut sql, "n.region_code", scope);
    sql.push(" ORDER BY n.deadline LIMIT 500");
    Ok(sql.query_as().fetch_all(c).await?)
}
