//! All SQL of the organisation area. Every function that reads scoped rows takes a
//! [`RegionScope`] and puts it in the WHERE clause.

use serde::Serialize;

use super::model::{Permission, RegionScope};
use crate::Result;
use crate::db::{Sql, Tx};

type Exec<'a> = &'a mut sqlx::AnyConnection;

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub level: i64,
    pub parent_code: Option<String>,
    pub kind: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub successor_code: Option<String>,
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct RegionWithCounts {
    pub code: String,
    pub name: String,
    pub level: i64,
    pub kind: String,
    pub valid_to: Option<String>,
    pub children: i64,
    pub units: i64,
    pub users: i64,
}

pub async fn region_get(c: Exec<'_>, scope: &RegionScope, code: &str) -> Result<Option<Region>> {
    let r = sqlx::query_as::<_, Region>(
        "SELECT * FROM region WHERE code = $1 AND code BETWEEN $2 AND $3",
    )
    .bind(code.to_string())
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_optional(c)
    .await?;
    Ok(r)
}

/// Children of `parent` within scope, with counts of their own children, units and users.
pub async fn region_children(
    c: Exec<'_>,
    scope: &RegionScope,
    parent: &str,
    include_retired: bool,
) -> Result<Vec<RegionWithCounts>> {
    let mut sql = Sql::new(
        "SELECT r.code, r.name, r.level, r.kind, r.valid_to, \
         (SELECT COUNT(*) FROM region c WHERE c.parent_code = r.code AND c.valid_to IS NULL) AS children, \
         (SELECT COUNT(*) FROM unit u WHERE u.region_code = r.code) AS units, \
         (SELECT COUNT(DISTINCT m.user_id) FROM membership m WHERE m.region_code = r.code) AS users \
         FROM region r WHERE r.parent_code = ",
    );
    sql.bind(parent.to_string())
        .push(" AND r.code BETWEEN ")
        .bind(scope.lo.clone())
        .push(" AND ")
        .bind(scope.hi.clone());
    if !include_retired {
        sql.push(" AND r.valid_to IS NULL");
    }
    sql.push(" ORDER BY r.code");
    Ok(sql.query_as().fetch_all(c).await?)
}

/// The ancestors of `code` from the top of the scope down to `code` (for breadcrumbs).
pub async fn region_path(c: Exec<'_>, scope: &RegionScope, code: &str) -> Result<Vec<Region>> {
    let mut out = Vec::new();
    let mut cur = Some(code.to_string());
    while let Some(code) = cur {
        if !scope.contains(&code) {
            break;
        }
        match region_get(&mut *c, scope, &code).await? {
            Some(r) => {
                cur = r.parent_code.clone();
                out.push(r);
            }
            None => break,
        }
    }
    out.reverse();
    Ok(out)
}

pub async fn region_count(c: Exec<'_>, scope: &RegionScope) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM region WHERE code BETWEEN $1 AND $2 AND valid_to IS NULL",
    )
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_one(c)
    .await?)
}

pub async fn region_insert(tx: &mut Tx, r: &Region) -> Result<()> {
    sqlx::query(
        "INSERT INTO region (code, name, level, parent_code, kind, valid_from, valid_to, successor_code) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
    )
    .bind(r.code.clone())
    .bind(r.name.clone())
    .bind(r.level)
    .bind(r.parent_code.clone())
    .bind(r.kind.clone())
    .bind(r.valid_from.clone())
    .bind(r.valid_to.clone())
    .bind(r.successor_code.clone())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct NameHistory {
    pub name: String,
    pub valid_from: String,
    pub valid_to: String,
}

pub async fn region_history(c: Exec<'_>, code: &str) -> Result<Vec<NameHistory>> {
    Ok(sqlx::query_as(
        "SELECT name, valid_from, valid_to FROM region_name_history WHERE region_code = $1 ORDER BY valid_from",
    )
    .bind(code.to_string())
    .fetch_all(c)
    .await?)
}

// ---- units ----

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub region_code: String,
    pub region_name: String,
    pub created_at: i64,
}

const UNIT_SELECT: &str = "SELECT u.id, u.name, u.kind, u.region_code, r.name AS region_name, u.created_at \
     FROM unit u JOIN region r ON r.code = u.region_code";

/// Filters and keyset pagination of the unit list.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct UnitFilter {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub region: Option<String>,
    pub after: Option<String>,
}

pub async fn unit_list(
    c: Exec<'_>,
    scope: &RegionScope,
    f: &UnitFilter,
    limit: i64,
) -> Result<(Vec<Unit>, i64)> {
    let build = |select: &str, page: bool| {
        let mut sql = Sql::new(select);
        sql.push(" WHERE u.region_code BETWEEN ")
            .bind(scope.lo.clone())
            .push(" AND ")
            .bind(scope.hi.clone());
        if let Some(k) = f.kind.as_ref().filter(|s| !s.is_empty()) {
            sql.push(" AND u.kind = ").bind(k.clone());
        }
        if let Some(r) = f.region.as_ref().filter(|s| !s.is_empty()) {
            let sub = RegionScope::of(r);
            sql.push(" AND u.region_code BETWEEN ")
                .bind(sub.lo)
                .push(" AND ")
                .bind(sub.hi);
        }
        if let Some(q) = f.q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            sql.push(" AND instr(u.name, ")
                .bind(q.to_string())
                .push(") > 0");
        }
        if page {
            if let Some(a) = f.after.as_ref().filter(|s| !s.is_empty()) {
                sql.push(" AND u.id > ").bind(a.clone());
            }
            sql.push(" ORDER BY u.id LIMIT ").bind(limit);
        }
        sql
    };
    let total: i64 = build("SELECT COUNT(*) FROM unit u", false)
        .query_scalar()
        .fetch_one(&mut *c)
        .await?;
    let rows = build(UNIT_SELECT, true)
        .query_as()
        .fetch_all(&mut *c)
        .await?;
    Ok((rows, total))
}

pub async fn unit_get(c: Exec<'_>, scope: &RegionScope, id: &str) -> Result<Option<Unit>> {
    let sql = format!("{UNIT_SELECT} WHERE u.id = $1 AND u.region_code BETWEEN $2 AND $3");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .bind(scope.lo.clone())
        .bind(scope.hi.clone())
        .fetch_optional(c)
        .await?)
}

// ---- users, memberships, roles ----

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub must_change_password: i64,
    pub is_demo: i64,
    pub disabled: i64,
    pub created_at: i64,
    pub phone_masked: Option<String>,
    #[serde(skip)]
    pub phone_cipher: Option<String>,
}

pub async fn user_by_name(c: Exec<'_>, username: &str) -> Result<Option<User>> {
    Ok(sqlx::query_as(
        "SELECT id, username, display_name, password_hash, must_change_password, is_demo, disabled, created_at, phone_masked, phone_cipher \
         FROM app_user WHERE username = $1",
    )
    .bind(username.to_string())
    .fetch_optional(c)
    .await?)
}

pub async fn user_by_id(c: Exec<'_>, id: &str) -> Result<Option<User>> {
    Ok(sqlx::query_as(
        "SELECT id, username, display_name, password_hash, must_change_password, is_demo, disabled, created_at, phone_masked, phone_cipher \
         FROM app_user WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(c)
    .await?)
}

/// A user is in scope when one of their memberships is.
pub async fn user_in_scope(c: Exec<'_>, scope: &RegionScope, id: &str) -> Result<Option<User>> {
    Ok(sqlx::query_as(
        "SELECT id, username, display_name, password_hash, must_change_password, is_demo, disabled, created_at, phone_masked, phone_cipher \
         FROM app_user u WHERE u.id = $1 AND EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id \
         AND m.region_code BETWEEN $2 AND $3)",
    )
    .bind(id.to_string())
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_optional(c)
    .await?)
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct UserFilter {
    pub q: Option<String>,
    pub region: Option<String>,
    pub after: Option<String>,
}

/// Users in scope; `q` matches the user name or display name, or — when it is a mobile
/// number — the phone's blind index (`phone_index`).
pub async fn user_list(
    c: Exec<'_>,
    scope: &RegionScope,
    f: &UserFilter,
    phone_index: Option<String>,
    limit: i64,
) -> Result<(Vec<User>, i64)> {
    let build = |select: &str, page: bool| {
        let sub = f
            .region
            .as_ref()
            .filter(|s| !s.is_empty())
            .map(|r| RegionScope::of(r));
        let mut sql = Sql::new(select);
        sql.push(" WHERE EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id AND m.region_code BETWEEN ")
            .bind(scope.lo.clone())
            .push(" AND ")
            .bind(scope.hi.clone());
        if let Some(sub) = sub {
            sql.push(" AND m.region_code BETWEEN ")
                .bind(sub.lo)
                .push(" AND ")
                .bind(sub.hi);
        }
        sql.push(")");
        if let Some(ix) = &phone_index {
            sql.push(" AND u.phone_index = ").bind(ix.clone());
        } else if let Some(q) = f.q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            sql.push(" AND (instr(u.username, ")
                .bind(q.to_string())
                .push(") > 0 OR instr(u.display_name, ")
                .bind(q.to_string())
                .push(") > 0)");
        }
        if page {
            if let Some(a) = f.after.as_ref().filter(|s| !s.is_empty()) {
                sql.push(" AND u.username > ").bind(a.clone());
            }
            sql.push(" ORDER BY u.username LIMIT ").bind(limit);
        }
        sql
    };
    let total: i64 = build("SELECT COUNT(*) FROM app_user u", false)
        .query_scalar()
        .fetch_one(&mut *c)
        .await?;
    let rows = build(
        "SELECT u.id, u.username, u.display_name, u.password_hash, u.must_change_password, \
         u.is_demo, u.disabled, u.created_at, u.phone_masked, u.phone_cipher FROM app_user u",
        true,
    )
    .query_as()
    .fetch_all(&mut *c)
    .await?;
    Ok((rows, total))
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Membership {
    pub id: String,
    pub user_id: String,
    pub region_code: String,
    pub region_name: String,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
}

pub async fn memberships_of(c: Exec<'_>, user_id: &str) -> Result<Vec<Membership>> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.user_id, m.region_code, r.name AS region_name, m.unit_id, u.name AS unit_name \
         FROM membership m JOIN region r ON r.code = m.region_code LEFT JOIN unit u ON u.id = m.unit_id \
         WHERE m.user_id = $1 ORDER BY m.created_at, m.id",
    )
    .bind(user_id.to_string())
    .fetch_all(c)
    .await?)
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Role {
    pub id: String,
    pub code: String,
    pub name: String,
    pub admin_kind: Option<String>,
    pub builtin: i64,
}

pub async fn roles_of_membership(c: Exec<'_>, membership_id: &str) -> Result<Vec<Role>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.code, r.name, r.admin_kind, r.builtin FROM role r \
         JOIN membership_role mr ON mr.role_id = r.id WHERE mr.membership_id = $1 ORDER BY r.code",
    )
    .bind(membership_id.to_string())
    .fetch_all(c)
    .await?)
}

pub async fn role_list(c: Exec<'_>) -> Result<Vec<Role>> {
    Ok(sqlx::query_as(
        "SELECT id, code, name, admin_kind, builtin FROM role ORDER BY builtin DESC, code",
    )
    .fetch_all(c)
    .await?)
}

pub async fn role_get(c: Exec<'_>, id: &str) -> Result<Option<Role>> {
    Ok(sqlx::query_as(
        "SELECT id, code, name, admin_kind, builtin FROM role WHERE id = $1 OR code = $1",
    )
    .bind(id.to_string())
    .fetch_optional(c)
    .await?)
}

pub async fn role_permissions(c: Exec<'_>, role_id: &str) -> Result<Vec<Permission>> {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT permission FROM role_permission WHERE role_id = $1")
            .bind(role_id.to_string())
            .fetch_all(c)
            .await?;
    Ok(names.iter().filter_map(|n| Permission::parse(n)).collect())
}

/// Every permission held through the roles of one membership.
pub async fn membership_permissions(c: Exec<'_>, membership_id: &str) -> Result<Vec<Permission>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT rp.permission FROM membership_role mr \
         JOIN role_permission rp ON rp.role_id = mr.role_id WHERE mr.membership_id = $1",
    )
    .bind(membership_id.to_string())
    .fetch_all(c)
    .await?;
    Ok(names.iter().filter_map(|n| Permission::parse(n)).collect())
}

/// Admin kinds held by a user over all their memberships.
pub async fn user_admin_kinds(c: Exec<'_>, user_id: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT r.admin_kind FROM membership m JOIN membership_role mr ON mr.membership_id = m.id \
         JOIN role r ON r.id = mr.role_id WHERE m.user_id = $1 AND r.admin_kind IS NOT NULL",
    )
    .bind(user_id.to_string())
    .fetch_all(c)
    .await?)
}

pub async fn setting_get(c: Exec<'_>, key: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM setting WHERE key = $1")
            .bind(key.to_string())
            .fetch_optional(c)
            .await?,
    )
}

pub async fn setting_put(tx: &mut Tx, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key.to_string())
    .bind(value.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The user a membership belongs to, if the membership is within scope.
pub async fn membership_user(
    c: Exec<'_>,
    scope: &RegionScope,
    membership_id: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT user_id FROM membership WHERE id = $1 AND region_code BETWEEN $2 AND $3",
    )
    .bind(membership_id.to_string())
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_optional(c)
    .await?)
}

/// The communities/villages in scope (code, name), for choosing where a record belongs.
pub async fn communities_in_scope(
    c: Exec<'_>,
    scope: &RegionScope,
) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT code, name FROM region WHERE level = 5 AND valid_to IS NULL AND code BETWEEN $1 AND $2 ORDER BY code",
    )
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_all(c)
    .await?)
}

/// Whether every membership of a user lies within the scope (the user is wholly in reach).
pub async fn user_wholly_in_scope(c: Exec<'_>, scope: &RegionScope, user_id: &str) -> Result<bool> {
    let outside: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM membership WHERE user_id = $1 AND NOT (region_code BETWEEN $2 AND $3)",
    )
    .bind(user_id.to_string())
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_one(c)
    .await?;
    Ok(outside == 0)
}

/// The service-point hotline of a region in scope: `None` when the region is not in scope,
/// `Some(None)` when it has none.
pub async fn region_hotline(
    c: Exec<'_>,
    scope: &RegionScope,
    code: &str,
) -> Result<Option<Option<String>>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT hotline FROM region WHERE code = $1 AND code BETWEEN $2 AND $3")
            .bind(code.to_string())
            .bind(scope.lo.clone())
            .bind(scope.hi.clone())
            .fetch_optional(c)
            .await?;
    Ok(row.map(|r| r.0))
}

/// Sets (or, with `None`, clears) the hotline of a region in force in scope; whether a row
/// changed.
pub async fn region_set_hotline(
    tx: &mut Tx,
    scope: &RegionScope,
    code: &str,
    hotline: Option<&str>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE region SET hotline = $1 WHERE code = $2 AND code BETWEEN $3 AND $4 AND valid_to IS NULL",
    )
    .bind(hotline.map(str::to_string))
    .bind(code.to_string())
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
