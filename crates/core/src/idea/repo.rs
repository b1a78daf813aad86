//! All SQL of business ideas but their changes of state (the board's, [`crate::board::repo`]).

use super::model::{Checked, Idea};
use crate::Result;
use crate::board::Kind;
use crate::board::model::state;
use crate::board::repo::{Expect, awaiting, scoped};
use crate::db::Sql;
use crate::org::RegionScope;

type Exec<'a> = &'a mut sqlx::AnyConnection;

const SELECT: &str = "SELECT e.id, e.region_code, r.name AS region_name, e.title, e.category, e.invest_min, \
     e.invest_max, e.description, e.source, e.submitter_name, e.contact_masked, e.state, \
     CAST(e.version AS BIGINT) AS version, e.published_at, e.return_reason, e.withdraw_reason, e.created_at, \
     e.updated_at FROM business_idea e JOIN region r ON r.code = e.region_code";

pub async fn get(c: Exec<'_>, id: &str) -> Result<Option<Idea>> {
    let sql = format!("{SELECT} WHERE e.id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(c)
        .await?)
}

pub async fn get_many(c: Exec<'_>, ids: &[String]) -> Result<Vec<Idea>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("{SELECT} WHERE e.id IN "));
    sql.bind_list(ids);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// Who entered a new idea and where it starts.
pub struct Start<'a> {
    pub region: &'a str,
    pub source: &'a str,
    pub state: &'a str,
    pub published_at: Option<i64>,
    /// The sealed contact number (cipher, mask), when one was given.
    pub contact: Option<(&'a str, &'a str)>,
    pub user: Option<&'a str>,
    pub at: i64,
}

pub async fn insert(c: Exec<'_>, id: &str, input: &Checked, s: Start<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO business_idea (id, region_code, title, category, invest_min, invest_max, description, source, \
         submitter_name, contact_cipher, contact_masked, state, version, published_at, created_by, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,1,$13,$14,$15,$15)",
    )
    .bind(id.to_string())
    .bind(s.region.to_string())
    .bind(input.title.clone())
    .bind(input.category.clone())
    .bind(input.invest_min)
    .bind(input.invest_max)
    .bind(input.description.clone())
    .bind(s.source.to_string())
    .bind(input.submitter_name.clone())
    .bind(s.contact.map(|c| c.0.to_string()))
    .bind(s.contact.map(|c| c.1.to_string()))
    .bind(s.state.to_string())
    .bind(s.published_at)
    .bind(s.user.map(str::to_string))
    .bind(s.at)
    .execute(c)
    .await?;
    Ok(())
}

/// Replaces an idea's content, state and publication time, if it is still as expected.
pub async fn update(
    c: Exec<'_>,
    id: &str,
    expect: Expect<'_>,
    input: &Checked,
    (next, published_at): (&str, Option<i64>),
    at: i64,
) -> Result<()> {
    let r = sqlx::query(
        "UPDATE business_idea SET title = $1, category = $2, invest_min = $3, invest_max = $4, description = $5, \
         region_code = COALESCE($6, region_code), state = $7, published_at = $8, version = version + 1, updated_at = $9 \
         WHERE id = $10 AND state = $11 AND version = $12",
    )
    .bind(input.title.clone())
    .bind(input.category.clone())
    .bind(input.invest_min)
    .bind(input.invest_max)
    .bind(input.description.clone())
    .bind(input.region_code.clone())
    .bind(next.to_string())
    .bind(published_at)
    .bind(at)
    .bind(id.to_string())
    .bind(expect.state.to_string())
    .bind(expect.version)
    .execute(c)
    .await?;
    if r.rows_affected() == 0 {
        return Err(crate::Error::field("state", "portal.changed_meanwhile"));
    }
    Ok(())
}

/// The back office's list: ideas of the scope, optionally of one state, newest change first.
pub async fn list(
    c: Exec<'_>,
    scope: &RegionScope,
    only_state: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Idea>> {
    let mut sql = Sql::new(SELECT);
    scoped(&mut sql, scope, only_state);
    sql.push(" ORDER BY e.updated_at DESC, e.id DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// The ideas waiting for the review of staff at `own`, oldest first.
pub async fn review_queue(c: Exec<'_>, scope: &RegionScope, own: &str) -> Result<Vec<Idea>> {
    let mut sql = Sql::new(SELECT);
    awaiting(&mut sql, Kind::Idea, scope, own);
    sql.push(" ORDER BY e.updated_at, e.id");
    Ok(sql.query_as().fetch_all(c).await?)
}

/// The public list's filters.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub region: String,
    pub category: Option<String>,
    pub keyword: Option<String>,
}

fn public_where(sql: &mut Sql, f: &Filters, now: i64) {
    let scope = RegionScope::of(&f.region);
    sql.push(" WHERE e.state = ")
        .bind(state::PUBLISHED.to_string())
        .push(" AND e.published_at <= ")
        .bind(now)
        .push(" AND e.region_code BETWEEN ")
        .bind(scope.lo)
        .push(" AND ")
        .bind(scope.hi);
    if let Some(cat) = &f.category {
        sql.push(" AND e.category = ").bind(cat.clone());
    }
    if let Some(k) = &f.keyword {
        sql.push(" AND (instr(e.title, ")
            .bind(k.clone())
            .push(") > 0 OR instr(e.description, ")
            .bind(k.clone())
            .push(") > 0)");
    }
}

pub async fn public_page(
    c: Exec<'_>,
    f: &Filters,
    now: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<Idea>> {
    let mut sql = Sql::new(SELECT);
    public_where(&mut sql, f, now);
    sql.push(" ORDER BY e.published_at DESC, e.id DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    Ok(sql.query_as().fetch_all(c).await?)
}

pub async fn public_count(c: Exec<'_>, f: &Filters, now: i64) -> Result<i64> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM business_idea e");
    public_where(&mut sql, f, now);
    let (n,): (i64,) = sql.query_as().fetch_one(c).await?;
    Ok(n)
}

/// Every public idea (for a full reindex), a page at a time by id.
pub async fn public_after(c: Exec<'_>, after: &str, now: i64, limit: i64) -> Result<Vec<Idea>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE e.state = ")
        .bind(state::PUBLISHED.to_string())
        .push(" AND e.published_at <= ")
        .bind(now)
        .push(" AND e.id > ")
        .bind(after.to_string())
        .push(" ORDER BY e.id LIMIT ")
        .bind(limit);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// The stored (encrypted) contact number of an idea, if its submitter left one.
pub async fn contact_cipher(c: Exec<'_>, id: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT contact_cipher FROM business_idea WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(c)
            .await?
            .flatten(),
    )
}
