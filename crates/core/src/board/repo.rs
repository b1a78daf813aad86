//! All SQL of the job board, and the state changes every kind of entry shares (postings,
//! supply and business ideas). Back-office reads take the actor's scope; public reads take the
//! region asked for and see only what is published, due and not expired (`expire_at`, indexed).

use super::model::{Checked, Entry, Kind, state};
use crate::Result;
use crate::db::Sql;
use crate::org::RegionScope;

type Exec<'a> = &'a mut sqlx::AnyConnection;

const COMMON: &str = "CAST(e.head_count AS BIGINT) AS head_count, e.contact_name, e.contact_cipher, \
     e.contact_masked, e.contact_visibility, e.valid_until, e.expire_at, e.origin, e.state, \
     CAST(e.version AS BIGINT) AS version, e.published_at, e.return_reason, e.withdraw_reason, e.created_at, e.updated_at";

/// The select list and joins of a kind's rows, read as [`Entry`].
fn select(kind: Kind) -> String {
    match kind {
        Kind::Job => format!(
            "SELECT e.id, 'job' AS kind, e.region_code, r.name AS region_name, e.employer, e.position, e.trade, \
             e.pay_min, e.pay_max, e.requirements AS body, {COMMON} FROM job_posting e JOIN region r ON r.code = e.region_code"
        ),
        _ => format!(
            "SELECT e.id, 'labour' AS kind, e.region_code, r.name AS region_name, CAST(NULL AS TEXT) AS employer, \
             CAST(NULL AS TEXT) AS position, e.trade, CAST(NULL AS BIGINT) AS pay_min, CAST(NULL AS BIGINT) AS pay_max, \
             e.description AS body, {COMMON} FROM labour_supply e JOIN region r ON r.code = e.region_code"
        ),
    }
}

/// One entry, wherever it is (the caller checks scope or publicity).
pub async fn get(c: Exec<'_>, kind: Kind, id: &str) -> Result<Option<Entry>> {
    let mut sql = Sql::new(&format!("{} WHERE e.id = ", select(kind)));
    sql.bind(id.to_string());
    Ok(sql.query_as().fetch_optional(c).await?)
}

/// Several entries by id, in no order.
pub async fn get_many(c: Exec<'_>, kind: Kind, ids: &[String]) -> Result<Vec<Entry>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("{} WHERE e.id IN ", select(kind)));
    sql.bind_list(ids);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// A sealed contact number: ciphertext and mask.
pub struct SealedPhone<'a> {
    pub cipher: &'a str,
    pub masked: &'a str,
}

/// Who entered a new entry and where it starts.
pub struct Start<'a> {
    pub region: &'a str,
    pub origin: &'a str,
    pub state: &'a str,
    pub published_at: Option<i64>,
    pub user: Option<&'a str>,
    pub at: i64,
}

/// Creates a posting or supply entry from checked input.
pub async fn insert(
    c: Exec<'_>,
    kind: Kind,
    id: &str,
    input: &Checked,
    phone: SealedPhone<'_>,
    start: Start<'_>,
) -> Result<()> {
    let mut sql = match kind {
        Kind::Job => {
            let mut s = Sql::new(
                "INSERT INTO job_posting (employer, position, pay_min, pay_max, pay_floor, requirements, ",
            );
            s.push("id, region_code, trade, head_count, contact_name, contact_cipher, contact_masked, \
                    contact_visibility, valid_until, expire_at, origin, state, version, published_at, created_by, \
                    created_at, updated_at) VALUES (");
            s.bind(input.employer.clone())
                .push(", ")
                .bind(input.position.clone())
                .push(", ")
                .bind(input.pay_min)
                .push(", ")
                .bind(input.pay_max)
                .push(", ")
                .bind(input.pay_floor())
                .push(", ");
            s
        }
        _ => {
            let mut s = Sql::new("INSERT INTO labour_supply (description, ");
            s.push("id, region_code, trade, head_count, contact_name, contact_cipher, contact_masked, \
                    contact_visibility, valid_until, expire_at, origin, state, version, published_at, created_by, \
                    created_at, updated_at) VALUES (");
            s
        }
    };
    sql.bind(input.body.clone())
        .push(", ")
        .bind(id.to_string())
        .push(", ")
        .bind(start.region.to_string())
        .push(", ")
        .bind(input.trade.clone())
        .push(", ")
        .bind(input.head_count)
        .push(", ")
        .bind(input.contact_name.clone())
        .push(", ")
        .bind(phone.cipher.to_string())
        .push(", ")
        .bind(phone.masked.to_string())
        .push(", ")
        .bind(input.contact_visibility.clone())
        .push(", ")
        .bind(input.valid_until.clone())
        .push(", ")
        .bind(input.expire_at)
        .push(", ")
        .bind(start.origin.to_string())
        .push(", ")
        .bind(start.state.to_string())
        .push(", 1, ")
        .bind(start.published_at)
        .push(", ")
        .bind(start.user.map(str::to_string))
        .push(", ")
        .bind(start.at)
        .push(", ")
        .bind(start.at)
        .push(")");
    sql.query().execute(c).await?;
    Ok(())
}

/// What a change expects to find: the entry's state and version when it was read. A change
/// that finds anything else (someone changed it meanwhile) writes nothing.
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

#[allow(clippy::too_many_arguments)]
/// Replaces a posting's or supply entry's content (and its number when a new one was typed),
/// its state and when it is public from, if it is still as expected.
pub async fn update(
    c: Exec<'_>,
    kind: Kind,
    id: &str,
    expect: Expect<'_>,
    input: &Checked,
    phone: Option<SealedPhone<'_>>,
    (next, published_at): (&str, Option<i64>),
    at: i64,
) -> Result<()> {
    let mut sql = Sql::new(&format!("UPDATE {} SET ", kind.table()));
    if kind == Kind::Job {
        sql.push("employer = ")
            .bind(input.employer.clone())
            .push(", position = ")
            .bind(input.position.clone())
            .push(", pay_min = ")
            .bind(input.pay_min)
            .push(", pay_max = ")
            .bind(input.pay_max)
            .push(", pay_floor = ")
            .bind(input.pay_floor())
            .push(", requirements = ");
    } else {
        sql.push("description = ");
    }
    sql.bind(input.body.clone());
    if let Some(region) = &input.region_code {
        sql.push(", region_code = ").bind(region.clone());
    }
    if let Some(p) = phone {
        sql.push(", contact_cipher = ")
            .bind(p.cipher.to_string())
            .push(", contact_masked = ")
            .bind(p.masked.to_string());
    }
    sql.push(", trade = ")
        .bind(input.trade.clone())
        .push(", head_count = ")
        .bind(input.head_count)
        .push(", contact_name = ")
        .bind(input.contact_name.clone())
        .push(", contact_visibility = ")
        .bind(input.contact_visibility.clone())
        .push(", valid_until = ")
        .bind(input.valid_until.clone())
        .push(", expire_at = ")
        .bind(input.expire_at)
        .push(", state = ")
        .bind(next.to_string())
        .push(", published_at = ")
        .bind(published_at)
        .push(", origin = 'staff', version = version + 1, updated_at = ")
        .bind(at);
    guard(&mut sql, id, expect);
    changed_meanwhile(sql.query().execute(c).await?.rows_affected())
}

fn guard(sql: &mut Sql, id: &str, expect: Expect<'_>) {
    sql.push(" WHERE id = ")
        .bind(id.to_string())
        .push(" AND state = ")
        .bind(expect.state.to_string())
        .push(" AND version = ")
        .bind(expect.version);
}

/// What every kind's change of state needs of an entry: where it is, who entered it, its
/// state and version.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Head {
    pub id: String,
    pub region_code: String,
    pub origin: String,
    pub state: String,
    pub version: i64,
    pub published_at: Option<i64>,
    pub parent_code: Option<String>,
}

/// The head of any kind's entry.
pub async fn head(c: Exec<'_>, kind: Kind, id: &str) -> Result<Option<Head>> {
    let sql = format!(
        "SELECT e.id, e.region_code, {} AS origin, e.state, CAST(e.version AS BIGINT) AS version, e.published_at, \
         r.parent_code FROM {} e JOIN region r ON r.code = e.region_code WHERE e.id = $1",
        kind.origin_sql(),
        kind.table()
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(c)
        .await?)
}

#[allow(clippy::too_many_arguments)]
/// Moves any kind's entry to a state (a new version), if it is still as expected:
/// `published_at` when it goes public, the reason of a return, rejection or withdrawal.
pub async fn set_state(
    c: Exec<'_>,
    kind: Kind,
    id: &str,
    expect: Expect<'_>,
    next: &str,
    published_at: Option<i64>,
    reason: Option<&str>,
    at: i64,
) -> Result<()> {
    let reason_column = match next {
        state::WITHDRAWN => "withdraw_reason",
        _ => "return_reason",
    };
    let mut sql = Sql::new(&format!("UPDATE {} SET state = ", kind.table()));
    sql.bind(next.to_string())
        .push(", published_at = COALESCE(")
        .bind(published_at)
        .push(", published_at), ")
        .push(reason_column)
        .push(" = ")
        .bind(reason.map(str::to_string))
        .push(", version = version + 1, updated_at = ")
        .bind(at);
    guard(&mut sql, id, expect);
    changed_meanwhile(sql.query().execute(c).await?.rows_affected())
}

/// The back office's scope and state filter of any kind (`e` is the kind's table).
pub(crate) fn scoped(sql: &mut Sql, scope: &RegionScope, only_state: Option<&str>) {
    sql.push(" WHERE e.region_code BETWEEN ")
        .bind(scope.lo.clone())
        .push(" AND ")
        .bind(scope.hi.clone());
    if let Some(s) = only_state {
        sql.push(" AND e.state = ").bind(s.to_string());
    }
}

/// What waits for the review of staff at `own` (any kind): entries that staff of the regions
/// directly below submitted, and what the public submitted to `own` itself.
pub(crate) fn awaiting(sql: &mut Sql, kind: Kind, scope: &RegionScope, own: &str) {
    scoped(sql, scope, Some(state::REVIEW));
    let origin = kind.origin_sql();
    sql.push(&format!(" AND (({origin}) = 'staff' AND r.parent_code = "))
        .bind(own.to_string())
        .push(&format!(" OR ({origin}) = 'public' AND e.region_code = "))
        .bind(own.to_string())
        .push(")");
}

/// The back office's list of a kind: entries of the scope, optionally of one state, newest
/// change first.
pub async fn list(
    c: Exec<'_>,
    kind: Kind,
    scope: &RegionScope,
    only_state: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Entry>> {
    let mut sql = Sql::new(&select(kind));
    scoped(&mut sql, scope, only_state);
    sql.push(" ORDER BY e.updated_at DESC, e.id DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// The entries of a kind waiting for the review of staff at `own`, oldest first.
pub async fn review_queue(
    c: Exec<'_>,
    kind: Kind,
    scope: &RegionScope,
    own: &str,
) -> Result<Vec<Entry>> {
    let mut sql = Sql::new(&select(kind));
    awaiting(&mut sql, kind, scope, own);
    sql.push(" ORDER BY e.updated_at, e.id");
    Ok(sql.query_as().fetch_all(c).await?)
}

/// The public list's filters.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    /// The region asked for: it and every region below.
    pub region: String,
    pub trade: Option<String>,
    /// Postings paying at least this much (yuan per month) at the top of their range.
    pub pay_min: Option<i64>,
    /// Words in the position, employer, requirements or description.
    pub keyword: Option<String>,
}

fn public_where(sql: &mut Sql, kind: Kind, f: &Filters, now: i64) {
    let scope = RegionScope::of(&f.region);
    sql.push(" WHERE e.state = ")
        .bind(state::PUBLISHED.to_string())
        .push(" AND e.expire_at > ")
        .bind(now)
        .push(" AND e.published_at <= ")
        .bind(now)
        .push(" AND e.region_code BETWEEN ")
        .bind(scope.lo)
        .push(" AND ")
        .bind(scope.hi);
    if let Some(t) = &f.trade {
        sql.push(" AND e.trade = ").bind(t.clone());
    }
    if let (Kind::Job, Some(p)) = (kind, f.pay_min) {
        sql.push(" AND e.pay_floor >= ").bind(p);
    }
    if let Some(k) = &f.keyword {
        let columns: &[&str] = match kind {
            Kind::Job => &["e.position", "e.employer", "e.requirements"],
            // Never the contact: a name the poster kept from the public must not be findable.
            _ => &["e.description"],
        };
        sql.push(" AND (");
        for (n, col) in columns.iter().enumerate() {
            if n > 0 {
                sql.push(" OR ");
            }
            sql.push(&format!("instr({col}, "))
                .bind(k.clone())
                .push(") > 0");
        }
        sql.push(")");
    }
}

/// A page of the public list of postings or supply, newest first.
pub async fn public_page(
    c: Exec<'_>,
    kind: Kind,
    f: &Filters,
    now: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<Entry>> {
    let mut sql = Sql::new(&select(kind));
    public_where(&mut sql, kind, f, now);
    sql.push(" ORDER BY e.published_at DESC, e.id DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// How many entries [`public_page`] pages through.
pub async fn public_count(c: Exec<'_>, kind: Kind, f: &Filters, now: i64) -> Result<i64> {
    let mut sql = Sql::new(&format!("SELECT COUNT(*) FROM {} e", kind.table()));
    public_where(&mut sql, kind, f, now);
    let (n,): (i64,) = sql.query_as().fetch_one(c).await?;
    Ok(n)
}

/// Published, unexpired entries of `kind` in `trade` near `region`: its own region and below
/// first, then its parent's (the neighbouring regions), then the same district, then the rest
/// of the city; newest first within each. Served by the `(state, trade, expire_at)` index.
pub async fn matches(
    c: Exec<'_>,
    kind: Kind,
    trade: &str,
    region: &str,
    now: i64,
    limit: i64,
) -> Result<Vec<Entry>> {
    let rings = super::model::rings(region);
    let Some(widest) = rings.last() else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new(&select(kind));
    sql.push(" WHERE e.state = ")
        .bind(state::PUBLISHED.to_string())
        .push(" AND e.trade = ")
        .bind(trade.to_string())
        .push(" AND e.expire_at > ")
        .bind(now)
        .push(" AND e.published_at <= ")
        .bind(now)
        .push(" AND e.region_code BETWEEN ")
        .bind(widest.lo.clone())
        .push(" AND ")
        .bind(widest.hi.clone())
        .push(" ORDER BY CASE");
    for (n, ring) in rings.iter().enumerate() {
        sql.push(" WHEN e.region_code BETWEEN ")
            .bind(ring.lo.clone())
            .push(" AND ")
            .bind(ring.hi.clone())
            .push(&format!(" THEN {n}"));
    }
    sql.push(&format!(
        " ELSE {} END, e.published_at DESC, e.id DESC LIMIT ",
        rings.len()
    ))
    .bind(limit);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// Every public entry of a kind (for a full reindex), a page at a time by id.
pub async fn public_after(
    c: Exec<'_>,
    kind: Kind,
    after: &str,
    now: i64,
    limit: i64,
) -> Result<Vec<Entry>> {
    let mut sql = Sql::new(&select(kind));
    sql.push(" WHERE e.state = ")
        .bind(state::PUBLISHED.to_string())
        .push(" AND e.id > ")
        .bind(after.to_string())
        .push(" AND e.expire_at > ")
        .bind(now)
        .push(" ORDER BY e.id LIMIT ")
        .bind(limit);
    Ok(sql.query_as().fetch_all(c).await?)
}

/// The service point the public is sent to for a region: the nearest region up the tree (itself
/// first) that has a hotline, else the region itself without one: (name, hotline).
pub async fn service_point(c: Exec<'_>, region: &str) -> Result<(String, Option<String>)> {
    let codes: Vec<String> = super::model::ancestors(region);
    let mut sql = Sql::new("SELECT code, name, hotline FROM region WHERE code IN ");
    sql.bind_list(&codes);
    let rows: Vec<(String, String, Option<String>)> = sql.query_as().fetch_all(c).await?;
    let own = rows
        .iter()
        .find(|r| r.0 == region)
        .map(|r| r.1.clone())
        .unwrap_or_default();
    // `codes` runs from the region upwards.
    for code in &codes {
        if let Some((_, name, Some(h))) = rows.iter().find(|r| &r.0 == code)
            && !h.trim().is_empty()
        {
            return Ok((name.clone(), Some(h.clone())));
        }
    }
    Ok((own, None))
}

/// A region of the deployment that exists: its name.
pub async fn region_name(c: Exec<'_>, root: &str, code: &str) -> Result<Option<String>> {
    let scope = RegionScope::of(root);
    Ok(crate::org::repo::region_get(c, &scope, code)
        .await?
        .filter(|r| r.valid_to.is_none())
        .map(|r| r.name))
}
