//! Use cases of the organisation area: building and changing the region tree, units, users,
//! memberships and roles. Each write runs in one transaction with its audit row.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::model::{
    Actor, BUILTIN_ROLES, Permission, RegionScope, UNIT_KINDS, admin_kind_of, level_of,
};
use super::region_table::RegionRow;
use super::repo::{self, Region};
use crate::audit::{self, Entry};
use crate::auth::{password, policy::SecurityPolicy};
use crate::db::{new_id, now};
use crate::error::Checks;
use crate::{Core, Error, FieldError, Result};

/// Today's date as `YYYY-MM-DD`.
pub fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn valid_date(s: &str) -> bool {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt).is_ok()
}

// ---------------------------------------------------------------- regions

/// Inserts the rows of the official table that are not there yet (idempotent). Returns how
/// many were added.
pub async fn init_regions(
    core: &Core,
    actor: &Actor,
    rows: &[RegionRow],
    valid_from: &str,
) -> Result<usize> {
    let mut tx = core.db.begin().await?;
    // The root hangs below its official parent only if that parent is already loaded.
    let root_parent = match rows.first().and_then(|r| r.parent_code.clone()) {
        Some(p) => {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM region WHERE code = $1")
                .bind(p.clone())
                .fetch_one(&mut *tx)
                .await?;
            (n > 0).then_some(p)
        }
        None => None,
    };
    let mut added = 0usize;
    for (ci, chunk) in rows.chunks(200).enumerate() {
        let mut sql = crate::db::Sql::new(
            "INSERT INTO region (code, name, level, parent_code, kind, valid_from) VALUES ",
        );
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(r.code.clone())
                .push(", ")
                .bind(r.name.clone())
                .push(", ")
                .bind(i64::from(r.level))
                .push(", ")
                .bind(if ci == 0 && i == 0 {
                    root_parent.clone()
                } else {
                    r.parent_code.clone()
                })
                .push(", ")
                .bind(r.kind.as_str().to_string())
                .push(", ")
                .bind(valid_from.to_string())
                .push(")");
        }
        sql.push(" ON CONFLICT (code) DO NOTHING");
        added += sql.query().execute(&mut *tx).await?.rows_affected() as usize;
    }
    let root = rows.first().map(|r| r.code.clone()).unwrap_or_default();
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("region.init", "region", &root)
            .after(serde_json::json!({ "rows": rows.len(), "added": added })),
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// Records the deployment's root region; done last when a deployment is set up, so that a
/// database counts as deployed only once it is complete.
pub async fn set_root_region(core: &Core, actor: &Actor, code: &str) -> Result<()> {
    let mut tx = core.db.begin().await?;
    repo::setting_put(&mut tx, "root_region", code).await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("deployment.root", "setting", "root_region").after(code),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The deployment's root region code, set by `init` or the demo deployment.
pub async fn root_region(core: &Core) -> Result<Option<String>> {
    let mut c = core.db.pool().acquire().await?;
    repo::setting_get(&mut c, "root_region").await
}

/// The regions a citizen may choose on a public form: the deployment's root and every region
/// in force below it, in code (tree) order: (code, name, level).
pub async fn site_regions(core: &Core) -> Result<Vec<(String, String, i64)>> {
    let Some(root) = root_region(core).await? else {
        return Ok(Vec::new());
    };
    let scope = RegionScope::of(&root);
    let mut c = core.db.pool().acquire().await?;
    Ok(sqlx::query_as(
        "SELECT code, name, CAST(level AS BIGINT) FROM region WHERE code BETWEEN $1 AND $2 AND valid_to IS NULL \
         ORDER BY code LIMIT 5000",
    )
    .bind(scope.lo)
    .bind(scope.hi)
    .fetch_all(&mut *c)
    .await?)
}

pub async fn get_region(core: &Core, actor: &Actor, code: &str) -> Result<Region> {
    actor.require(Permission::RegionView)?;
    let mut c = core.db.pool().acquire().await?;
    repo::region_get(&mut c, &actor.scope, code)
        .await?
        .ok_or(Error::NotFound)
}

#[derive(Debug, Deserialize, Default)]
pub struct RenameRegion {
    pub name: String,
    pub date: String,
}

/// Renames a region from a date, keeping the old name in its history.
pub async fn rename_region(
    core: &Core,
    actor: &Actor,
    code: &str,
    input: &RenameRegion,
) -> Result<()> {
    actor.require(Permission::RegionManage)?;
    let mut checks = Checks::default();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        checks.add("name", "org.region.name_invalid");
    }
    if !valid_date(&input.date) {
        checks.add("date", "common.date_invalid");
    }
    checks.finish()?;
    let mut tx = core.db.begin().await?;
    let before = repo::region_get(&mut tx, &actor.scope, code)
        .await?
        .ok_or(Error::NotFound)?;
    let since = last_name_change(&mut tx, &before).await?;
    if input.date.as_str() <= since.as_str() {
        return Err(Error::Invalid(vec![
            FieldError::new("date", "org.region.date_before_last_change").arg("date", since),
        ]));
    }
    sqlx::query("INSERT INTO region_name_history (id, region_code, name, valid_from, valid_to) VALUES ($1,$2,$3,$4,$5)")
        .bind(new_id())
        .bind(code.to_string())
        .bind(before.name.clone())
        .bind(since)
        .bind(input.date.clone())
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE region SET name = $1 WHERE code = $2")
        .bind(name.to_string())
        .bind(code.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("region.rename", "region", code)
            .before(serde_json::json!({"name": before.name}))
            .after(serde_json::json!({"name": name, "from": input.date})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn last_name_change(c: &mut sqlx::AnyConnection, r: &Region) -> Result<String> {
    let last: Option<String> =
        sqlx::query_scalar("SELECT MAX(valid_to) FROM region_name_history WHERE region_code = $1")
            .bind(r.code.clone())
            .fetch_one(c)
            .await?;
    Ok(last.unwrap_or_else(|| r.valid_from.clone()))
}

#[derive(Debug, Deserialize, Default)]
pub struct NewRegion {
    pub code: String,
    pub name: String,
    pub date: String,
}

/// Adds a region below `parent` (a new community, say), valid from a date.
pub async fn add_region(
    core: &Core,
    actor: &Actor,
    parent: &str,
    input: &NewRegion,
) -> Result<String> {
    actor.require(Permission::RegionManage)?;
    let mut tx = core.db.begin().await?;
    let p = repo::region_get(&mut tx, &actor.scope, parent)
        .await?
        .ok_or(Error::NotFound)?;
    let code = input.code.trim().to_string();
    let mut checks = Checks::default();
    let level = level_of(&code);
    let parent_scope = RegionScope::of(&p.code);
    if level.is_none() {
        checks.add("code", "org.region.code_format");
    } else if code == p.code
        || !parent_scope.contains(&code)
        || i64::from(level.unwrap_or(0)) <= p.level
    {
        checks.push(FieldError::new("code", "org.region.code_not_below").arg("parent", &p.name));
    } else if repo::region_get(&mut tx, &RegionScope::of(&code), &code)
        .await?
        .is_some()
    {
        checks.add("code", "org.region.code_taken");
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        checks.add("name", "org.region.name_invalid");
    }
    if !valid_date(&input.date) {
        checks.add("date", "common.date_invalid");
    }
    checks.finish()?;
    let r = Region {
        code: code.clone(),
        name: name.to_string(),
        level: i64::from(level.unwrap_or(5)),
        parent_code: Some(p.code.clone()),
        kind: match level {
            Some(5) => "community",
            Some(4) => "sub_district",
            Some(3) => "county",
            _ => "city",
        }
        .to_string(),
        valid_from: input.date.clone(),
        valid_to: None,
        successor_code: None,
    };
    repo::region_insert(&mut tx, &r).await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("region.add", "region", &code).after(&r),
    )
    .await?;
    tx.commit().await?;
    Ok(code)
}

#[derive(Debug, Deserialize, Default)]
pub struct MergeRegion {
    pub successor: String,
    pub date: String,
}

/// Retires a region from a date, naming the region it was merged into. Its records keep their
/// code, so history stays readable; a region with active children cannot be merged.
pub async fn merge_region(
    core: &Core,
    actor: &Actor,
    code: &str,
    input: &MergeRegion,
) -> Result<()> {
    actor.require(Permission::RegionManage)?;
    let mut tx = core.db.begin().await?;
    let r = repo::region_get(&mut tx, &actor.scope, code)
        .await?
        .ok_or(Error::NotFound)?;
    let mut checks = Checks::default();
    if r.valid_to.is_some() {
        checks.add("successor", "org.region.already_retired");
    }
    let succ = repo::region_get(&mut tx, &actor.scope, input.successor.trim()).await?;
    match &succ {
        None => checks.add("successor", "org.region.unknown"),
        Some(s) if s.code == r.code || s.level != r.level || s.valid_to.is_some() => {
            checks.add("successor", "org.region.successor_invalid")
        }
        _ => {}
    }
    if !valid_date(&input.date) {
        checks.add("date", "common.date_invalid");
    }
    let active_children: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM region WHERE parent_code = $1 AND valid_to IS NULL",
    )
    .bind(code.to_string())
    .fetch_one(&mut *tx)
    .await?;
    if active_children > 0 {
        checks.add("successor", "org.region.has_children");
    }
    checks.finish()?;
    let succ = succ.map(|s| s.code).unwrap_or_default();
    sqlx::query("UPDATE region SET valid_to = $1, successor_code = $2 WHERE code = $3")
        .bind(input.date.clone())
        .bind(succ.clone())
        .bind(code.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("region.merge", "region", code)
            .after(serde_json::json!({"successor": succ, "date": input.date})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- units

#[derive(Debug, Deserialize, Serialize, Default, Clone)]
pub struct UnitInput {
    pub name: String,
    pub kind: String,
    pub region_code: String,
}

async fn check_unit(c: &mut sqlx::AnyConnection, actor: &Actor, input: &UnitInput) -> Result<()> {
    let mut checks = Checks::default();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        checks.add("name", "org.unit.name_invalid");
    }
    if !UNIT_KINDS.contains(&input.kind.as_str()) {
        checks.add("kind", "org.unit.kind_invalid");
    }
    if repo::region_get(c, &actor.scope, &input.region_code)
        .await?
        .is_none()
    {
        checks.add("region_code", "org.region.unknown");
    }
    checks.finish()
}

fn unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_unique_violation()
                || d.message().contains("UNIQUE")
                || d.message().contains("duplicate")
        }
        _ => false,
    }
}

pub async fn create_unit(core: &Core, actor: &Actor, input: &UnitInput) -> Result<String> {
    actor.require(Permission::UnitManage)?;
    let mut tx = core.db.begin().await?;
    check_unit(&mut tx, actor, input).await?;
    let id = new_id();
    let res = sqlx::query(
        "INSERT INTO unit (id, name, kind, region_code, created_at) VALUES ($1,$2,$3,$4,$5)",
    )
    .bind(id.clone())
    .bind(input.name.trim().to_string())
    .bind(input.kind.clone())
    .bind(input.region_code.clone())
    .bind(now())
    .execute(&mut *tx)
    .await;
    if let Err(e) = &res
        && unique_violation(e)
    {
        return Err(Error::field("name", "org.unit.name_taken"));
    }
    res?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("unit.create", "unit", &id).after(input),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_unit(core: &Core, actor: &Actor, id: &str, input: &UnitInput) -> Result<()> {
    actor.require(Permission::UnitManage)?;
    let mut tx = core.db.begin().await?;
    let before = repo::unit_get(&mut tx, &actor.scope, id)
        .await?
        .ok_or(Error::NotFound)?;
    check_unit(&mut tx, actor, input).await?;
    let res = sqlx::query("UPDATE unit SET name = $1, kind = $2, region_code = $3 WHERE id = $4")
        .bind(input.name.trim().to_string())
        .bind(input.kind.clone())
        .bind(input.region_code.clone())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await;
    if let Err(e) = &res
        && unique_violation(e)
    {
        return Err(Error::field("name", "org.unit.name_taken"));
    }
    res?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("unit.update", "unit", id)
            .before(&before)
            .after(input),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- users

#[derive(Debug, Deserialize, Default, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub region_code: String,
    pub unit_id: Option<String>,
    pub roles: Vec<String>,
    /// Optional mobile number, stored encrypted.
    pub phone: Option<String>,
    pub is_demo: bool,
    /// Whether the user must choose a new password at first login (true for real accounts).
    pub must_change_password: bool,
}

pub fn username_ok(u: &str) -> bool {
    let n = u.chars().count();
    (3..=32).contains(&n)
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

/// Resolves role codes or ids to roles, and checks they do not mix administrator powers.
async fn resolve_roles(c: &mut sqlx::AnyConnection, codes: &[String]) -> Result<Vec<repo::Role>> {
    let mut roles = Vec::new();
    for code in codes.iter().filter(|c| !c.trim().is_empty()) {
        match repo::role_get(&mut *c, code.trim()).await? {
            Some(r) => roles.push(r),
            None => {
                return Err(Error::Invalid(vec![
                    FieldError::new("roles", "org.role.unknown").arg("role", code),
                ]));
            }
        }
    }
    if roles.is_empty() {
        return Err(Error::field("roles", "org.role.none"));
    }
    Ok(roles)
}

/// No account may hold two of the administrator roles, over all its memberships.
async fn check_admin_separation(
    c: &mut sqlx::AnyConnection,
    user_id: Option<&str>,
    except_membership: Option<&str>,
    new_roles: &[repo::Role],
) -> Result<()> {
    let mut kinds: BTreeSet<String> = new_roles
        .iter()
        .filter_map(|r| r.admin_kind.clone())
        .collect();
    if let Some(uid) = user_id {
        let existing: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT r.admin_kind FROM membership m JOIN membership_role mr ON mr.membership_id = m.id \
             JOIN role r ON r.id = mr.role_id WHERE m.user_id = $1 AND r.admin_kind IS NOT NULL AND m.id <> $2",
        )
        .bind(uid.to_string())
        .bind(except_membership.unwrap_or("").to_string())
        .fetch_all(c)
        .await?;
        kinds.extend(existing);
    }
    if kinds.len() > 1 {
        return Err(Error::field("roles", "org.role.admin_separation"));
    }
    Ok(())
}

async fn check_membership_target(
    c: &mut sqlx::AnyConnection,
    actor: &Actor,
    region_code: &str,
    unit_id: Option<&str>,
) -> Result<()> {
    let mut checks = Checks::default();
    if repo::region_get(&mut *c, &actor.scope, region_code)
        .await?
        .is_none()
    {
        checks.add("region_code", "org.region.unknown");
    }
    if let Some(u) = unit_id.filter(|u| !u.is_empty())
        && repo::unit_get(&mut *c, &actor.scope, u).await?.is_none()
    {
        checks.add("unit_id", "org.unit.unknown");
    }
    checks.finish()
}

pub async fn create_user(core: &Core, actor: &Actor, input: &NewUser) -> Result<String> {
    actor.require(Permission::UserManage)?;
    let mut tx = core.db.begin().await?;
    let policy = SecurityPolicy::load(&mut tx).await?;
    let username = input.username.trim().to_string();
    let mut checks = Checks::default();
    if !username_ok(&username) {
        checks.add("username", "org.user.username_invalid");
    } else if repo::user_by_name(&mut tx, &username).await?.is_some() {
        checks.add("username", "org.user.username_taken");
    }
    if input.display_name.trim().is_empty() || input.display_name.chars().count() > 40 {
        checks.add("display_name", "org.user.display_name_invalid");
    }
    let phone = match input
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => match crate::personal::seal_phone(&core.crypto, "phone", p) {
            Ok(s) => Some(s),
            Err(e) => {
                checks.push(e);
                None
            }
        },
        None => None,
    };
    for key in policy.check_password(&input.password, &username) {
        checks.push(key.into_field("password"));
    }
    if let Err(Error::Invalid(es)) =
        check_membership_target(&mut tx, actor, &input.region_code, input.unit_id.as_deref()).await
    {
        checks.0.extend(es);
    }
    let roles = match resolve_roles(&mut tx, &input.roles).await {
        Ok(r) => r,
        Err(Error::Invalid(es)) => {
            checks.0.extend(es);
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    if let Err(Error::Invalid(es)) = check_admin_separation(&mut tx, None, None, &roles).await {
        checks.0.extend(es);
    }
    checks.finish()?;
    let hash = password::hash(&input.password).await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO app_user (id, username, display_name, password_hash, must_change_password, is_demo, disabled, created_at, \
         phone_cipher, phone_index, phone_masked) VALUES ($1,$2,$3,$4,$5,$6,0,$7,$8,$9,$10)",
    )
    .bind(id.clone())
    .bind(username.clone())
    .bind(input.display_name.trim().to_string())
    .bind(hash)
    .bind(i64::from(input.must_change_password))
    .bind(i64::from(input.is_demo))
    .bind(now())
    .bind(phone.as_ref().map(|p| p.cipher.clone()))
    .bind(phone.as_ref().map(|p| p.index.clone()))
    .bind(phone.as_ref().map(|p| p.masked.clone()))
    .execute(&mut *tx)
    .await?;
    let mid = insert_membership(
        &mut tx,
        &id,
        &input.region_code,
        input.unit_id.as_deref(),
        &roles,
    )
    .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("user.create", "user", &id).after(serde_json::json!({
            "username": username, "display_name": input.display_name.trim(), "membership": mid,
            "phone": phone.as_ref().map(|p| p.masked.clone()),
            "region_code": input.region_code, "unit_id": input.unit_id,
            "roles": roles.iter().map(|r| r.code.clone()).collect::<Vec<_>>(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_membership(
    tx: &mut crate::db::Tx,
    user_id: &str,
    region: &str,
    unit: Option<&str>,
    roles: &[repo::Role],
) -> Result<String> {
    let mid = new_id();
    sqlx::query("INSERT INTO membership (id, user_id, region_code, unit_id, created_at) VALUES ($1,$2,$3,$4,$5)")
        .bind(mid.clone())
        .bind(user_id.to_string())
        .bind(region.to_string())
        .bind(unit.filter(|u| !u.is_empty()).map(str::to_string))
        .bind(now())
        .execute(&mut **tx)
        .await?;
    for r in roles {
        sqlx::query("INSERT INTO membership_role (membership_id, role_id) VALUES ($1,$2)")
            .bind(mid.clone())
            .bind(r.id.clone())
            .execute(&mut **tx)
            .await?;
    }
    Ok(mid)
}

#[derive(Debug, Deserialize, Default, Clone)]
pub struct MembershipInput {
    pub region_code: String,
    pub unit_id: Option<String>,
    pub roles: Vec<String>,
}

pub async fn add_membership(
    core: &Core,
    actor: &Actor,
    user_id: &str,
    input: &MembershipInput,
) -> Result<String> {
    actor.require(Permission::UserManage)?;
    let mut tx = core.db.begin().await?;
    repo::user_in_scope(&mut tx, &actor.scope, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    check_membership_target(&mut tx, actor, &input.region_code, input.unit_id.as_deref()).await?;
    let roles = resolve_roles(&mut tx, &input.roles).await?;
    check_admin_separation(&mut tx, Some(user_id), None, &roles).await?;
    let mid = insert_membership(
        &mut tx,
        user_id,
        &input.region_code,
        input.unit_id.as_deref(),
        &roles,
    )
    .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("membership.create", "membership", &mid).after(serde_json::json!({
            "user_id": user_id, "region_code": input.region_code, "unit_id": input.unit_id,
            "roles": roles.iter().map(|r| r.code.clone()).collect::<Vec<_>>(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(mid)
}

/// Replaces the roles of a membership; takes effect on the user's next request.
pub async fn set_membership_roles(
    core: &Core,
    actor: &Actor,
    membership_id: &str,
    roles: &[String],
) -> Result<()> {
    actor.require(Permission::UserManage)?;
    let mut tx = core.db.begin().await?;
    let m: Option<(String, String)> = sqlx::query_as(
        "SELECT user_id, region_code FROM membership WHERE id = $1 AND region_code BETWEEN $2 AND $3",
    )
    .bind(membership_id.to_string())
    .bind(actor.scope.lo.clone())
    .bind(actor.scope.hi.clone())
    .fetch_optional(&mut *tx)
    .await?;
    let (user_id, _) = m.ok_or(Error::NotFound)?;
    let roles = resolve_roles(&mut tx, roles).await?;
    check_admin_separation(&mut tx, Some(&user_id), Some(membership_id), &roles).await?;
    let before: Vec<String> = repo::roles_of_membership(&mut tx, membership_id)
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    sqlx::query("DELETE FROM membership_role WHERE membership_id = $1")
        .bind(membership_id.to_string())
        .execute(&mut *tx)
        .await?;
    for r in &roles {
        sqlx::query("INSERT INTO membership_role (membership_id, role_id) VALUES ($1,$2)")
            .bind(membership_id.to_string())
            .bind(r.id.clone())
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("membership.roles", "membership", membership_id)
            .before(before)
            .after(roles.iter().map(|r| r.code.clone()).collect::<Vec<_>>()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- roles

#[derive(Debug, Deserialize, Default, Clone)]
pub struct RoleInput {
    pub code: String,
    pub name: String,
    pub permissions: Vec<String>,
}

fn parse_permissions(list: &[String]) -> Result<BTreeSet<Permission>> {
    let mut out = BTreeSet::new();
    for p in list {
        match Permission::parse(p) {
            Some(p) => {
                out.insert(p);
            }
            None => {
                return Err(Error::Invalid(vec![
                    FieldError::new("permissions", "org.role.permission_unknown")
                        .arg("permission", p),
                ]));
            }
        }
    }
    Ok(out)
}

/// Creates the built-in roles (idempotent).
/// Creates the built-in roles, and gives existing built-in roles the permissions that a newer
/// catalogue added (never re-adding one an administrator removed: the catalogue seen last is kept
/// in the `permission_catalogue` setting).
pub async fn ensure_builtin_roles(tx: &mut crate::db::Tx) -> Result<()> {
    let known: BTreeSet<String> = repo::setting_get(&mut *tx, "permission_catalogue")
        .await?
        .map(|s| s.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    for b in BUILTIN_ROLES {
        let perms: BTreeSet<Permission> = b.permissions.iter().copied().collect();
        let kind = admin_kind_of(&perms)
            .ok()
            .flatten()
            .map(|k| k.as_str().to_string());
        let (id, new_perms): (String, Vec<Permission>) =
            match repo::role_get(&mut *tx, b.code).await? {
                Some(r) if r.builtin != 0 => (
                    r.id,
                    perms
                        .iter()
                        .copied()
                        .filter(|p| !known.is_empty() && !known.contains(p.as_str()))
                        .collect(),
                ),
                Some(_) => continue,
                None => {
                    let id = new_id();
                    sqlx::query(
                    "INSERT INTO role (id, code, name, admin_kind, builtin) VALUES ($1,$2,$3,$4,1)",
                )
                .bind(id.clone())
                .bind(b.code.to_string())
                .bind(b.name.to_string())
                .bind(kind)
                .execute(&mut **tx)
                .await?;
                    (id, perms.iter().copied().collect())
                }
            };
        for p in new_perms {
            sqlx::query(
                "INSERT INTO role_permission (role_id, permission) VALUES ($1,$2) ON CONFLICT DO NOTHING",
            )
            .bind(id.clone())
            .bind(p.as_str().to_string())
            .execute(&mut **tx)
            .await?;
        }
    }
    let catalogue: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
    repo::setting_put(tx, "permission_catalogue", &catalogue.join(",")).await?;
    Ok(())
}

pub async fn save_role(
    core: &Core,
    actor: &Actor,
    id: Option<&str>,
    input: &RoleInput,
) -> Result<String> {
    actor.require(Permission::RoleManage)?;
    let mut checks = Checks::default();
    let code = input.code.trim();
    if id.is_none()
        && (code.is_empty()
            || !code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()))
    {
        checks.add("code", "org.role.code_invalid");
    }
    if input.name.trim().is_empty() {
        checks.add("name", "org.role.name_invalid");
    }
    let perms = match parse_permissions(&input.permissions) {
        Ok(p) => p,
        Err(Error::Invalid(es)) => {
            checks.0.extend(es);
            BTreeSet::new()
        }
        Err(e) => return Err(e),
    };
    let kind = match admin_kind_of(&perms) {
        Ok(k) => k,
        Err(_) => {
            checks.add("permissions", "org.role.admin_separation");
            None
        }
    };
    let mut tx = core.db.begin().await?;
    if id.is_none() && repo::role_get(&mut tx, code).await?.is_some() {
        checks.add("code", "org.role.code_taken");
    }
    checks.finish()?;
    let kind = kind.map(|k| k.as_str().to_string());
    let (role_id, before) = match id {
        Some(id) => {
            let r = repo::role_get(&mut tx, id).await?.ok_or(Error::NotFound)?;
            let before = repo::role_permissions(&mut tx, &r.id).await?;
            // A role change must not give any holder two administrator kinds.
            if let Some(k) = &kind {
                let clash: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM membership m JOIN membership_role mr ON mr.membership_id = m.id \
                     JOIN role r2 ON r2.id = mr.role_id WHERE r2.id <> $1 AND r2.admin_kind IS NOT NULL AND r2.admin_kind <> $2 \
                     AND m.user_id IN (SELECT m3.user_id FROM membership m3 JOIN membership_role mr3 ON mr3.membership_id = m3.id WHERE mr3.role_id = $1)",
                )
                .bind(r.id.clone())
                .bind(k.clone())
                .fetch_one(&mut *tx)
                .await?;
                if clash > 0 {
                    return Err(Error::field("permissions", "org.role.admin_separation"));
                }
            }
            sqlx::query("UPDATE role SET name = $1, admin_kind = $2 WHERE id = $3")
                .bind(input.name.trim().to_string())
                .bind(kind.clone())
                .bind(r.id.clone())
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM role_permission WHERE role_id = $1")
                .bind(r.id.clone())
                .execute(&mut *tx)
                .await?;
            (r.id, before.iter().map(|p| p.as_str()).collect::<Vec<_>>())
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO role (id, code, name, admin_kind, builtin) VALUES ($1,$2,$3,$4,0)",
            )
            .bind(id.clone())
            .bind(code.to_string())
            .bind(input.name.trim().to_string())
            .bind(kind.clone())
            .execute(&mut *tx)
            .await?;
            (id, Vec::new())
        }
    };
    for p in &perms {
        sqlx::query("INSERT INTO role_permission (role_id, permission) VALUES ($1,$2)")
            .bind(role_id.clone())
            .bind(p.as_str().to_string())
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new(if id.is_some() { "role.update" } else { "role.create" }, "role", &role_id)
            .before(before)
            .after(serde_json::json!({"name": input.name.trim(), "permissions": perms.iter().map(|p| p.as_str()).collect::<Vec<_>>()})),
    )
    .await?;
    tx.commit().await?;
    Ok(role_id)
}

/// A user's full phone number, for an actor holding `personal.unmask`; the reveal is audited.
pub async fn reveal_user_phone(
    core: &Core,
    actor: &Actor,
    user_id: &str,
) -> Result<Option<String>> {
    actor.require(Permission::PersonalUnmask)?;
    let mut tx = core.db.begin().await?;
    let user = repo::user_in_scope(&mut tx, &actor.scope, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let Some(cipher) = user.phone_cipher else {
        return Ok(None);
    };
    let phone = crate::personal::reveal(
        core,
        &mut tx,
        actor,
        crate::personal::Kind::Phone,
        "user",
        user_id,
        &cipher,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(phone))
}
