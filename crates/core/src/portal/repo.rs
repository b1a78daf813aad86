//! All SQL of published content. Back-office reads take the actor's scope; public reads take
//! the region whose page is shown and see only what is published, due and not expired.

use super::model::{Checked, Item, state};
use crate::Result;
use crate::db::Sql;
use crate::org::RegionScope;

type Exec<'a> = &'a mut sqlx::AnyConnection;

const SELECT: &str = "SELECT i.id, i.kind, i.region_code, r.name AS region_name, i.title, i.summary, i.body, \
     i.state, CAST(i.version AS BIGINT) AS version, i.publish_at, i.expire_at, i.published_at, i.doc_number, \
     i.issuer, i.effective_on, i.expires_on, i.policy_status, i.replaced_by, i.business_id, i.return_reason, \
     i.withdraw_reason, i.created_at, i.updated_at FROM portal_item i JOIN region r ON r.code = i.region_code";

/// One item, wherever it is (the caller checks scope or publicity).
pub async fn get(c: Exec<'_>, id: &str) -> Result<Option<Item>> {
    let sql = format!("{SELECT} WHERE i.id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(c)
        .await?)
}

/// Several items by id, in no order (search results checked against the database).
pub async fn get_many(c: Exec<'_>, ids: &[String]) -> Result<Vec<Item>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("{SELECT} WHERE i.id IN "));
    sql.bind_list(ids);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// Creates an item from checked input.
pub async fn insert(
    c: Exec<'_>,
    id: &str,
    region: &str,
    input: &Checked,
    user: Option<&str>,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO portal_item (id, kind, region_code, title, summary, body, state, version, publish_at, expire_at, \
         doc_number, issuer, effective_on, expires_on, policy_status, replaced_by, business_id, created_by, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,1,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$18)",
    )
    .bind(id.to_string())
    .bind(input.kind.clone())
    .bind(region.to_string())
    .bind(input.title.clone())
    .bind(input.summary.clone())
    .bind(input.body.clone())
    .bind(state::DRAFT)
    .bind(input.publish_at)
    .bind(input.expire_at)
    .bind(input.doc_number.clone())
    .bind(input.issuer.clone())
    .bind(input.effective_on.clone())
    .bind(input.expires_on.clone())
    .bind(input.policy_status.clone())
    .bind(input.replaced_by.clone())
    .bind(input.business_id.clone())
    .bind(user.map(str::to_string))
    .bind(at)
    .execute(c)
    .await?;
    Ok(())
}

/// What a change expects to find: the item's state and version when it was read. A change that
/// finds anything else (someone changed the item meanwhile) writes nothing.
#[derive(Clone, Copy, Debug)]
pub struct Expect<'a> {
    pub state: &'a str,
    pub version: i64,
}

fn changed_meanwhile(rows: u64) -> Result<()> {
    if rows == 0 {
        return Err(crate::Error::field("state", "portal.changed_meanwhile"));
    }
    Ok(())
}

/// Replaces an item's content (a new version), its state and when it is public from, if it is
/// still as expected.
pub async fn update(
    c: Exec<'_>,
    id: &str,
    expect: Expect<'_>,
    input: &Checked,
    (new_state, published_at): (&str, Option<i64>),
    at: i64,
) -> Result<()> {
    let r = sqlx::query(
        "UPDATE portal_item SET title = $1, summary = $2, body = $3, publish_at = $4, expire_at = $5, doc_number = $6, \
         issuer = $7, effective_on = $8, expires_on = $9, policy_status = $10, replaced_by = $11, business_id = $12, \
         state = $13, published_at = $14, version = version + 1, updated_at = $15 \
         WHERE id = $16 AND state = $17 AND version = $18",
    )
    .bind(input.title.clone())
    .bind(input.summary.clone())
    .bind(input.body.clone())
    .bind(input.publish_at)
    .bind(input.expire_at)
    .bind(input.doc_number.clone())
    .bind(input.issuer.clone())
    .bind(input.effective_on.clone())
    .bind(input.expires_on.clone())
    .bind(input.policy_status.clone())
    .bind(input.replaced_by.clone())
    .bind(input.business_id.clone())
    .bind(new_state.to_string())
    .bind(published_at)
    .bind(at)
    .bind(id.to_string())
    .bind(expect.state.to_string())
    .bind(expect.version)
    .execute(c)
    .await?;
    changed_meanwhile(r.rows_affected())
}

/// Moves an item to a state (a new version), if it is still as expected: `published_at` when it
/// goes public, the reason of a return or a withdrawal.
pub async fn set_state(
    c: Exec<'_>,
    id: &str,
    expect: Expect<'_>,
    new_state: &str,
    published_at: Option<i64>,
    reason: Option<&str>,
    at: i64,
) -> Result<()> {
    let reason_column = match new_state {
        state::RETURNED => "return_reason",
        _ => "withdraw_reason",
    };
    let sql = format!(
        "UPDATE portal_item SET state = $1, published_at = COALESCE($2, published_at), {reason_column} = $3, \
         version = version + 1, updated_at = $4 WHERE id = $5 AND state = $6 AND version = $7"
    );
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(new_state.to_string())
        .bind(published_at)
        .bind(reason.map(str::to_string))
        .bind(at)
        .bind(id.to_string())
        .bind(expect.state.to_string())
        .bind(expect.version)
        .execute(c)
        .await?;
    changed_meanwhile(r.rows_affected())
}

/// Keeps the item as it now is as a version, with what happened.
pub async fn record_version(c: Exec<'_>, id: &str, note: &str, user: Option<&str>) -> Result<()> {
    let item = get(&mut *c, id).await?.ok_or(crate::Error::NotFound)?;
    let fields = serde_json::json!({
        "summary": item.summary, "publish_at": item.publish_at, "expire_at": item.expire_at,
        "doc_number": item.doc_number, "issuer": item.issuer, "effective_on": item.effective_on,
        "expires_on": item.expires_on, "policy_status": item.policy_status,
        "replaced_by": item.replaced_by, "business_id": item.business_id,
    });
    sqlx::query(
        "INSERT INTO portal_version (item_id, version, state, title, body, fields, note, edited_by, edited_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
    )
    .bind(id.to_string())
    .bind(item.version)
    .bind(item.state)
    .bind(item.title)
    .bind(item.body)
    .bind(fields.to_string())
    .bind(note.to_string())
    .bind(user.map(str::to_string))
    .bind(item.updated_at)
    .execute(c)
    .await?;
    Ok(())
}

/// One kept version, newest first in lists.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Version {
    pub version: i64,
    pub state: String,
    pub title: String,
    pub note: Option<String>,
    pub editor: Option<String>,
    pub edited_at: i64,
}

pub async fn versions(c: Exec<'_>, id: &str) -> Result<Vec<Version>> {
    Ok(sqlx::query_as(
        "SELECT CAST(v.version AS BIGINT) AS version, v.state, v.title, v.note, u.display_name AS editor, v.edited_at \
         FROM portal_version v LEFT JOIN app_user u ON u.id = v.edited_by WHERE v.item_id = $1 ORDER BY v.version DESC",
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await?)
}

/// The back office's list: items of the scope, optionally of one state, newest change first.
pub async fn list(
    c: Exec<'_>,
    scope: &RegionScope,
    only_state: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Item>> {
    let mut sql = Sql::new(&format!("{SELECT} WHERE i.region_code BETWEEN "));
    sql.bind(scope.lo.clone())
        .push(" AND ")
        .bind(scope.hi.clone());
    if let Some(s) = only_state {
        sql.push(" AND i.state = ").bind(s.to_string());
    }
    sql.push(" ORDER BY i.updated_at DESC, i.id DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// The items of the regions directly below `own` waiting for its review.
pub async fn review_queue(c: Exec<'_>, scope: &RegionScope, own: &str) -> Result<Vec<Item>> {
    let mut sql = Sql::new(&format!("{SELECT} WHERE i.state = "));
    sql.bind(state::REVIEW.to_string())
        .push(" AND i.region_code BETWEEN ")
        .bind(scope.lo.clone())
        .push(" AND ")
        .bind(scope.hi.clone())
        .push(" AND r.parent_code = ")
        .bind(own.to_string())
        .push(" ORDER BY i.updated_at, i.id");
    Ok(sql.query_as().fetch_all(c).await?)
}

/// Published, due and unexpired items of a region and below, newest first: one kind or all.
pub async fn public_page(
    c: Exec<'_>,
    region: &RegionScope,
    kind: Option<&str>,
    now: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<Item>> {
    let mut sql = Sql::new(&format!("{SELECT} WHERE i.state = "));
    sql.bind(state::PUBLISHED.to_string());
    public_filters(&mut sql, region, kind, now);
    sql.push(" ORDER BY i.published_at DESC, i.id DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// How many items [`public_page`] pages through.
pub async fn public_count(
    c: Exec<'_>,
    region: &RegionScope,
    kind: Option<&str>,
    now: i64,
) -> Result<i64> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM portal_item i WHERE i.state = ");
    sql.bind(state::PUBLISHED.to_string());
    public_filters(&mut sql, region, kind, now);
    let (n,): (i64,) = sql.query_as().fetch_one(c).await?;
    Ok(n)
}

fn public_filters(sql: &mut Sql, region: &RegionScope, kind: Option<&str>, now: i64) {
    if let Some(k) = kind {
        sql.push(" AND i.kind = ").bind(k.to_string());
    }
    sql.push(" AND i.published_at <= ")
        .bind(now)
        .push(" AND (i.expire_at IS NULL OR i.expire_at > ")
        .bind(now)
        .push(") AND i.region_code BETWEEN ")
        .bind(region.lo.clone())
        .push(" AND ")
        .bind(region.hi.clone());
}

/// A community's profile, if it has one.
pub async fn profile_of(c: Exec<'_>, region: &str) -> Result<Option<Item>> {
    let sql = format!(
        "{SELECT} WHERE i.kind = 'profile' AND i.region_code = $1 AND i.state <> 'withdrawn'"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(region.to_string())
        .fetch_optional(c)
        .await?)
}

/// Whether a business allows its name on a success story, within a scope.
pub async fn business_consents(c: Exec<'_>, scope: &RegionScope, id: &str) -> Result<Option<bool>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT CAST(publicity_consent AS BIGINT) FROM business WHERE id = $1 AND region_code BETWEEN $2 AND $3",
    )
    .bind(id.to_string())
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_optional(c)
    .await?;
    Ok(row.map(|r| r.0 != 0))
}

/// The name of a business for a story, only with its consent.
pub async fn consenting_business(c: Exec<'_>, id: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT name FROM business WHERE id = $1 AND publicity_consent <> 0")
            .bind(id.to_string())
            .fetch_optional(c)
            .await?,
    )
}

/// Every public item (for a full reindex), a page at a time by id.
pub async fn public_after(c: Exec<'_>, after: &str, now: i64, limit: i64) -> Result<Vec<Item>> {
    let mut sql = Sql::new(&format!("{SELECT} WHERE i.state = "));
    sql.bind(state::PUBLISHED.to_string())
        .push(" AND i.id > ")
        .bind(after.to_string())
        .push(" AND (i.expire_at IS NULL OR i.expire_at > ")
        .bind(now)
        .push(") ORDER BY i.id LIMIT ")
        .bind(limit);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// The address parts of every public item (id, kind, last change), newest change first: the
/// sitemap's entries.
pub async fn public_addresses(
    c: Exec<'_>,
    now: i64,
    limit: i64,
) -> Result<Vec<(String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT id, kind, updated_at FROM portal_item WHERE state = 'published' AND published_at <= $1 \
         AND (expire_at IS NULL OR expire_at > $1) ORDER BY updated_at DESC LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

/// The region directly above `code` in the tree.
pub async fn parent_of(c: Exec<'_>, code: &str) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT parent_code FROM region WHERE code = $1")
            .bind(code.to_string())
            .fetch_optional(c)
            .await?;
    Ok(row.and_then(|r| r.0))
}
