//! Login, sessions, lockout, membership switching, password changes and API tokens.

use std::collections::BTreeSet;

use base64::Engine as _;
use rand::RngCore;
use serde::Serialize;

use super::password;
use super::policy::SecurityPolicy;
use crate::audit::{self, Entry};
use crate::crypto::sm3_hex;
use crate::db::{new_id, now};
use crate::org::{Actor, Permission, RegionScope, repo};
use crate::{Core, Error, Result};

fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Session ids and API tokens are stored only as their SM3 hash.
pub fn token_hash(token: &str) -> String {
    sm3_hex(token.as_bytes())
}

/// Lockout threshold per address: an office shares one address, so it is looser.
const IP_FAILURE_FACTOR: u32 = 4;

#[derive(Debug)]
pub enum LoginOutcome {
    Ok {
        session_token: String,
        must_change_password: bool,
    },
    BadCredentials,
    Locked {
        until: i64,
    },
}

async fn locked_until(c: &mut sqlx::AnyConnection, key: &str) -> Result<Option<i64>> {
    let until: Option<Option<i64>> =
        sqlx::query_scalar("SELECT locked_until FROM login_attempt WHERE key = $1")
            .bind(key.to_string())
            .fetch_optional(c)
            .await?;
    Ok(until.flatten().filter(|u| *u > now()))
}

async fn note_failure(
    tx: &mut crate::db::Tx,
    key: &str,
    threshold: u32,
    policy: &SecurityPolicy,
) -> Result<()> {
    let t = now();
    let window = i64::from(policy.lockout_minutes) * 60;
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT failures, first_at FROM login_attempt WHERE key = $1")
            .bind(key.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    let failures = match row {
        Some((f, first)) if t - first < window => f + 1,
        _ => 1,
    };
    let first_at = match row {
        Some((_, first)) if t - first < window => first,
        _ => t,
    };
    let locked = (failures >= i64::from(threshold)).then_some(t + window);
    sqlx::query(
        "INSERT INTO login_attempt (key, failures, first_at, locked_until) VALUES ($1,$2,$3,$4) \
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, first_at = excluded.first_at, \
         locked_until = excluded.locked_until",
    )
    .bind(key.to_string())
    .bind(failures)
    .bind(first_at)
    .bind(locked)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn anonymous(username: &str, ip: &str) -> Actor {
    let mut a = Actor::system("000000000000", username);
    a.permissions.clear();
    a.region_code = String::new();
    a.ip = ip.to_string();
    a
}

/// Checks the password and, if it matches and nothing is locked, opens a new session.
pub async fn login(core: &Core, username: &str, pw: &str, ip: &str) -> Result<LoginOutcome> {
    let username = username.trim();
    let user_key = format!("user:{username}");
    let ip_key = format!("ip:{ip}");
    let mut c = core.db.pool().acquire().await?;
    let policy = SecurityPolicy::load(&mut c).await?;
    for key in [&user_key, &ip_key] {
        if let Some(until) = locked_until(&mut c, key).await? {
            return Ok(LoginOutcome::Locked { until });
        }
    }
    let user = repo::user_by_name(&mut c, username).await?;
    drop(c);
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let ok = password::verify(pw, &stored).await && user.as_ref().is_some_and(|u| u.disabled == 0);
    let mut tx = core.db.begin().await?;
    let Some(user) = user.filter(|_| ok) else {
        note_failure(&mut tx, &user_key, policy.max_failures, &policy).await?;
        note_failure(
            &mut tx,
            &ip_key,
            policy.max_failures * IP_FAILURE_FACTOR,
            &policy,
        )
        .await?;
        audit::record(
            &mut tx,
            core.crypto.chain(),
            &anonymous(username, ip),
            Entry::new("login.failure", "user", username),
        )
        .await?;
        tx.commit().await?;
        // Report a lock that this very failure caused.
        let mut c = core.db.pool().acquire().await?;
        if let Some(until) = locked_until(&mut c, &user_key).await? {
            return Ok(LoginOutcome::Locked { until });
        }
        return Ok(LoginOutcome::BadCredentials);
    };
    sqlx::query("DELETE FROM login_attempt WHERE key = $1 OR key = $2")
        .bind(user_key)
        .bind(ip_key)
        .execute(&mut *tx)
        .await?;
    let memberships = repo::memberships_of(&mut tx, &user.id).await?;
    let token = random_token(32);
    let t = now();
    sqlx::query(
        "INSERT INTO session (id_hash, user_id, membership_id, csrf, ip, created_at, last_seen) VALUES ($1,$2,$3,$4,$5,$6,$6)",
    )
    .bind(token_hash(&token))
    .bind(user.id.clone())
    .bind(memberships.first().map(|m| m.id.clone()))
    .bind(random_token(24))
    .bind(ip.to_string())
    .bind(t)
    .execute(&mut *tx)
    .await?;
    let mut who = anonymous(&user.username, ip);
    who.user_id = Some(user.id.clone());
    who.membership_id = memberships.first().map(|m| m.id.clone());
    who.region_code = memberships
        .first()
        .map(|m| m.region_code.clone())
        .unwrap_or_default();
    audit::record(
        &mut tx,
        core.crypto.chain(),
        &who,
        Entry::new("login.success", "user", &user.id),
    )
    .await?;
    tx.commit().await?;
    Ok(LoginOutcome::Ok {
        session_token: token,
        must_change_password: user.must_change_password != 0,
    })
}

/// A live session, resolved from its cookie.
#[derive(Clone, Debug, Serialize)]
pub struct Session {
    pub actor: Actor,
    pub csrf: String,
    pub id_hash: String,
    /// When the session was last seen (as stored, at most 30 s behind).
    pub last_seen: i64,
}

/// Why a session cookie did not resolve.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionState {
    Unknown,
    Expired,
}

/// Resolves a session cookie to the actor, enforcing the idle timeout. Roles are read afresh,
/// so a change of roles takes effect on the next request.
pub async fn resume(
    core: &Core,
    token: &str,
    ip: &str,
) -> Result<std::result::Result<Session, SessionState>> {
    let h = token_hash(token);
    let mut c = core.db.pool().acquire().await?;
    let row: Option<(String, Option<String>, String, i64)> = sqlx::query_as(
        "SELECT user_id, membership_id, csrf, last_seen FROM session WHERE id_hash = $1",
    )
    .bind(h.clone())
    .fetch_optional(&mut *c)
    .await?;
    let Some((user_id, membership_id, csrf, last_seen)) = row else {
        return Ok(Err(SessionState::Unknown));
    };
    let policy = SecurityPolicy::load(&mut c).await?;
    let t = now();
    if t - last_seen > i64::from(policy.idle_minutes) * 60 {
        sqlx::query("DELETE FROM session WHERE id_hash = $1")
            .bind(h)
            .execute(&mut *c)
            .await?;
        return Ok(Err(SessionState::Expired));
    }
    let mut last_seen = last_seen;
    if t - last_seen > TOUCH_AFTER_SECS {
        touch(&mut c, &h, t).await?;
        last_seen = t;
    }
    let Some(actor) = build_actor(&mut c, &user_id, membership_id.as_deref(), ip).await? else {
        return Ok(Err(SessionState::Unknown));
    };
    Ok(Ok(Session {
        actor,
        csrf,
        id_hash: h,
        last_seen,
    }))
}

/// `last_seen` is written at most this often per session.
pub const TOUCH_AFTER_SECS: i64 = 30;

async fn touch(c: &mut sqlx::AnyConnection, id_hash: &str, t: i64) -> Result<()> {
    sqlx::query("UPDATE session SET last_seen = $1 WHERE id_hash = $2")
        .bind(t)
        .bind(id_hash.to_string())
        .execute(c)
        .await?;
    Ok(())
}

/// Records that a (cached) session is still in use.
pub async fn touch_session(core: &Core, id_hash: &str, t: i64) -> Result<()> {
    let mut c = core.db.pool().acquire().await?;
    touch(&mut c, id_hash, t).await
}

/// Ends a session that has been idle too long.
pub async fn expire_session(core: &Core, id_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM session WHERE id_hash = $1")
        .bind(id_hash.to_string())
        .execute(core.db.pool())
        .await?;
    Ok(())
}

/// The idle timeout in seconds, from the security policy.
pub async fn idle_timeout_secs(core: &Core) -> Result<i64> {
    let mut c = core.db.pool().acquire().await?;
    Ok(i64::from(SecurityPolicy::load(&mut c).await?.idle_minutes) * 60)
}

/// Builds the actor for a user acting in one membership (or none yet).
pub async fn build_actor(
    c: &mut sqlx::AnyConnection,
    user_id: &str,
    membership_id: Option<&str>,
    ip: &str,
) -> Result<Option<Actor>> {
    let Some(user) = repo::user_by_id(&mut *c, user_id).await? else {
        return Ok(None);
    };
    if user.disabled != 0 {
        return Ok(None);
    }
    let memberships = repo::memberships_of(&mut *c, user_id).await?;
    let m = membership_id
        .and_then(|id| memberships.iter().find(|m| m.id == id))
        .or(memberships.first());
    let perms: BTreeSet<Permission> = match m {
        Some(m) => repo::membership_permissions(&mut *c, &m.id)
            .await?
            .into_iter()
            .collect(),
        None => BTreeSet::new(),
    };
    let region = m.map(|m| m.region_code.clone()).unwrap_or_default();
    Ok(Some(Actor {
        user_id: Some(user.id.clone()),
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        membership_id: m.map(|m| m.id.clone()),
        region_name: m.map(|m| m.region_name.clone()).unwrap_or_default(),
        unit_id: m.and_then(|m| m.unit_id.clone()),
        unit_name: m.and_then(|m| m.unit_name.clone()),
        permissions: perms,
        // A user without membership sees nothing: an empty range.
        scope: if region.is_empty() {
            RegionScope {
                root: String::new(),
                lo: "~".into(),
                hi: "~".into(),
            }
        } else {
            RegionScope::of(&region)
        },
        region_code: region,
        is_demo: user.is_demo != 0,
        must_change_password: user.must_change_password != 0,
        ip: ip.to_string(),
    }))
}

pub async fn logout(core: &Core, session: &Session) -> Result<()> {
    let mut tx = core.db.begin().await?;
    sqlx::query("DELETE FROM session WHERE id_hash = $1")
        .bind(session.id_hash.clone())
        .execute(&mut *tx)
        .await?;
    let uid = session.actor.user_id.clone().unwrap_or_default();
    audit::record(
        &mut tx,
        core.crypto.chain(),
        &session.actor,
        Entry::new("logout", "user", &uid),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes another of the user's memberships the active one, without logging out.
pub async fn switch_membership(core: &Core, session: &Session, membership_id: &str) -> Result<()> {
    let uid = session.actor.user_id.clone().ok_or(Error::Forbidden)?;
    let mut tx = core.db.begin().await?;
    let ms = repo::memberships_of(&mut tx, &uid).await?;
    if !ms.iter().any(|m| m.id == membership_id) {
        return Err(Error::NotFound);
    }
    sqlx::query("UPDATE session SET membership_id = $1 WHERE id_hash = $2")
        .bind(membership_id.to_string())
        .bind(session.id_hash.clone())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        &session.actor,
        Entry::new("membership.switch", "membership", membership_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the actor's own password after checking the current one and the policy.
pub async fn change_password(
    core: &Core,
    actor: &Actor,
    current: &str,
    new: &str,
    repeat: &str,
) -> Result<()> {
    let uid = actor.user_id.clone().ok_or(Error::Forbidden)?;
    let mut c = core.db.pool().acquire().await?;
    let user = repo::user_by_id(&mut c, &uid)
        .await?
        .ok_or(Error::NotFound)?;
    let policy = SecurityPolicy::load(&mut c).await?;
    drop(c);
    let mut checks = crate::error::Checks::default();
    if !password::verify(current, &user.password_hash).await {
        checks.add("current", "auth.password.current_wrong");
    }
    for p in policy.check_password(new, &user.username) {
        checks.push(p.into_field("new"));
    }
    if new == current {
        checks.add("new", "auth.password.same_as_old");
    }
    if new != repeat {
        checks.add("repeat", "auth.password.mismatch");
    }
    checks.finish()?;
    let hash = password::hash(new).await?;
    let mut tx = core.db.begin().await?;
    sqlx::query("UPDATE app_user SET password_hash = $1, must_change_password = 0, password_changed_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now())
        .bind(uid.clone())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("user.password_change", "user", &uid),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new temporary password that the user must change at next login (system admin).
pub async fn reset_password(core: &Core, actor: &Actor, user_id: &str, new: &str) -> Result<()> {
    actor.require(Permission::UserManage)?;
    let mut c = core.db.pool().acquire().await?;
    let user = repo::user_in_scope(&mut c, &actor.scope, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    // Only for accounts wholly within the actor's reach, and never another kind of administrator
    // (三员分立): those are reset with `chuangye user reset-password` on the server.
    if actor.user_id.is_some() {
        if !repo::user_wholly_in_scope(&mut c, &actor.scope, user_id).await? {
            return Err(Error::Refused("auth.reset_outside_scope".into()));
        }
        let kinds = repo::user_admin_kinds(&mut c, user_id).await?;
        if kinds.iter().any(|k| k != "system") {
            return Err(Error::Refused("auth.reset_other_admin".into()));
        }
    }
    let policy = SecurityPolicy::load(&mut c).await?;
    drop(c);
    let problems: Vec<_> = policy
        .check_password(new, &user.username)
        .into_iter()
        .map(|p| p.into_field("password"))
        .collect();
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let hash = password::hash(new).await?;
    let mut tx = core.db.begin().await?;
    sqlx::query("UPDATE app_user SET password_hash = $1, must_change_password = 1 WHERE id = $2")
        .bind(hash)
        .bind(user_id.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM session WHERE user_id = $1")
        .bind(user_id.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("user.password_reset", "user", user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Lifts a lockout of an account (security admin).
pub async fn unlock(core: &Core, actor: &Actor, user_id: &str) -> Result<()> {
    actor.require(Permission::SecurityUnlock)?;
    let mut tx = core.db.begin().await?;
    let user = repo::user_in_scope(&mut tx, &actor.scope, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    sqlx::query("DELETE FROM login_attempt WHERE key = $1")
        .bind(format!("user:{}", user.username))
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("user.unlock", "user", user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether an account is locked now, and until when.
pub async fn lock_state(core: &Core, username: &str) -> Result<Option<i64>> {
    let mut c = core.db.pool().acquire().await?;
    locked_until(&mut c, &format!("user:{username}")).await
}

pub async fn save_policy(core: &Core, actor: &Actor, p: &SecurityPolicy) -> Result<()> {
    actor.require(Permission::SecurityPolicy)?;
    let problems = p.validate();
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut tx = core.db.begin().await?;
    let before = SecurityPolicy::load(&mut tx).await?;
    repo::setting_put(
        &mut tx,
        "security_policy",
        &serde_json::to_string(p).map_err(anyhow::Error::from)?,
    )
    .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("security.policy", "setting", "security_policy")
            .before(before)
            .after(p),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Creates a personal access token for a user's first membership; returns the token once.
pub async fn create_token(
    core: &Core,
    actor: &Actor,
    username: &str,
    name: &str,
) -> Result<String> {
    let mut tx = core.db.begin().await?;
    let user = repo::user_by_name(&mut tx, username)
        .await?
        .ok_or(Error::field("username", "org.user.unknown"))?;
    let m = repo::memberships_of(&mut tx, &user.id).await?;
    let m = m
        .first()
        .ok_or(Error::field("username", "org.user.no_membership"))?;
    let token = format!("cy_{}", random_token(32));
    let id = new_id();
    sqlx::query("INSERT INTO api_token (id, user_id, membership_id, name, token_hash, created_at) VALUES ($1,$2,$3,$4,$5,$6)")
        .bind(id.clone())
        .bind(user.id.clone())
        .bind(m.id.clone())
        .bind(name.to_string())
        .bind(token_hash(&token))
        .bind(now())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("token.create", "api_token", &id)
            .after(serde_json::json!({"user": username, "name": name})),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Resolves a bearer token to an actor scoped as its owner's membership.
pub async fn actor_from_token(core: &Core, token: &str, ip: &str) -> Result<Option<Actor>> {
    let mut c = core.db.pool().acquire().await?;
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT user_id, membership_id FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash(token))
    .fetch_optional(&mut *c)
    .await?;
    let Some((uid, mid)) = row else {
        return Ok(None);
    };
    build_actor(&mut c, &uid, Some(&mid), ip).await
}
