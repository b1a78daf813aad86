//! Follow-up work around the ledger: transfers between regions, 三包 assignment, need deadline
//! reminders and escalation, survival checks, and the party-member statistics.

use serde::{Deserialize, Serialize};

use super::model;
use crate::audit::{self, Entry};
use crate::db::{Sql, new_id, now};
use crate::error::Checks;
use crate::jobs::{JobCtx, JobHandler, Registry};
use crate::org::{Actor, Permission, RegionScope};
use crate::{Core, Error, FieldError, Result};

// ------------------------------------------------------------------ transfers

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Transfer {
    pub id: String,
    pub entity: String,
    pub entity_id: String,
    pub entity_name: String,
    pub from_region: String,
    pub from_name: String,
    pub to_region: String,
    pub to_name: String,
    pub state: String,
    pub reason: Option<String>,
    pub created_at: i64,
}

fn entity_table(entity: &str) -> Option<&'static str> {
    match entity {
        "person" => Some("person"),
        "business" => Some("business"),
        _ => None,
    }
}

/// Asks the region where a record is registered to hand it over to `to_region` (a community in
/// the actor's scope). Only the owning region sees the request and decides.
pub async fn request_transfer(
    core: &Core,
    actor: &Actor,
    entity: &str,
    entity_id: &str,
    to_region: &str,
    reason: &str,
) -> Result<String> {
    actor.require(Permission::LedgerTransfer)?;
    let Some(table) = entity_table(entity) else {
        return Err(Error::field("entity", "ledger.code_invalid"));
    };
    let mut checks = Checks::default();
    if !actor.scope.contains(to_region) || crate::org::level_of(to_region) != Some(5) {
        checks.add("to_region", "ledger.region_must_be_community");
    }
    if reason.trim().is_empty() {
        checks.add("reason", "ledger.transfer_reason_missing");
    }
    checks.finish()?;
    let mut tx = core.db.begin().await?;
    let from: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT region_code FROM {table} WHERE id = $1"
    )))
    .bind(entity_id.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    let from = from.ok_or(Error::NotFound)?;
    if actor.scope.contains(&from) {
        return Err(Error::field("to_region", "ledger.transfer_already_here"));
    }
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM transfer_request WHERE entity_id = $1 AND state = 'pending'",
    )
    .bind(entity_id.to_string())
    .fetch_one(&mut *tx)
    .await?;
    if pending > 0 {
        return Err(Error::field("to_region", "ledger.transfer_pending"));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO transfer_request (id, entity, entity_id, from_region, to_region, requested_by, state, reason, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,'pending',$7,$8)",
    )
    .bind(id.clone())
    .bind(entity.to_string())
    .bind(entity_id.to_string())
    .bind(from)
    .bind(to_region.to_string())
    .bind(actor.user_id.clone())
    .bind(reason.trim().to_string())
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("transfer.request", entity, entity_id)
            .after(serde_json::json!({"to_region": to_region, "reason": reason.trim()})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Transfers the actor may decide (records registered in its scope) or has asked for.
pub async fn transfers(core: &Core, actor: &Actor) -> Result<(Vec<Transfer>, Vec<Transfer>)> {
    actor.require(Permission::LedgerTransfer)?;
    let select = "SELECT t.id, t.entity, t.entity_id, COALESCE(p.name, b.name, '') AS entity_name, t.from_region, rf.name AS from_name, \
         t.to_region, rt.name AS to_name, t.state, t.reason, t.created_at FROM transfer_request t \
         JOIN region rf ON rf.code = t.from_region JOIN region rt ON rt.code = t.to_region \
         LEFT JOIN person p ON t.entity = 'person' AND p.id = t.entity_id LEFT JOIN business b ON t.entity = 'business' AND b.id = t.entity_id";
    let mut c = core.db.pool().acquire().await?;
    let mut incoming = Sql::new(select);
    incoming
        .push(" WHERE t.state = 'pending' AND t.from_region BETWEEN ")
        .bind(actor.scope.lo.clone())
        .push(" AND ")
        .bind(actor.scope.hi.clone())
        .push(" ORDER BY t.created_at");
    let mut outgoing = Sql::new(select);
    outgoing
        .push(" WHERE t.to_region BETWEEN ")
        .bind(actor.scope.lo.clone())
        .push(" AND ")
        .bind(actor.scope.hi.clone())
        .push(" ORDER BY t.created_at DESC LIMIT 100");
    Ok((
        incoming.query_as().fetch_all(&mut *c).await?,
        outgoing.query_as().fetch_all(&mut *c).await?,
    ))
}

/// The owning region accepts (the record moves, with its history) or refuses (with a reason).
pub async fn decide_transfer(
    core: &Core,
    actor: &Actor,
    id: &str,
    accept: bool,
    reason: &str,
) -> Result<()> {
    actor.require(Permission::LedgerTransfer)?;
    let mut tx = core.db.begin().await?;
    let row: Option<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT entity, entity_id, from_region, to_region, state FROM transfer_request WHERE id = $1 AND from_region BETWEEN $2 AND $3",
    )
    .bind(id.to_string())
    .bind(actor.scope.lo.clone())
    .bind(actor.scope.hi.clone())
    .fetch_optional(&mut *tx)
    .await?;
    let (entity, entity_id, _from, to, state) = row.ok_or(Error::NotFound)?;
    if state != "pending" {
        return Err(Error::Refused("ledger.transfer_decided".into()));
    }
    if !accept && reason.trim().is_empty() {
        return Err(Error::field("reason", "ledger.transfer_reason_missing"));
    }
    if accept {
        let table = entity_table(&entity).ok_or(Error::NotFound)?;
        // The record's follow-up rows move with it, so the new region sees its whole history.
        let related: &[(&str, &str)] = if entity == "person" {
            &[("visit", "person_id"), ("need", "person_id")]
        } else {
            &[("survival_check", "business_id")]
        };
        for (t, col) in related {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {t} SET region_code = $1 WHERE {col} = $2"
            )))
            .bind(to.clone())
            .bind(entity_id.clone())
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET region_code = $1, updated_at = $2 WHERE id = $3"
        )))
        .bind(to.clone())
        .bind(now())
        .bind(entity_id.clone())
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE transfer_request SET state = $1, reason = COALESCE($2, reason), decided_at = $3, decided_by = $4 WHERE id = $5")
        .bind(if accept { "accepted" } else { "refused" })
        .bind(Some(reason.trim().to_string()).filter(|s| !s.is_empty()))
        .bind(now())
        .bind(actor.user_id.clone())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new(
            if accept {
                "transfer.accept"
            } else {
                "transfer.refuse"
            },
            &entity,
            &entity_id,
        )
        .after(serde_json::json!({"to_region": to, "reason": reason.trim()})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------------ 三包

/// Makes a staff member responsible for an entrepreneur (三包: project, service, supervision).
pub async fn assign_responsible(
    core: &Core,
    actor: &Actor,
    person_id: &str,
    user_id: &str,
) -> Result<()> {
    actor.require(Permission::LedgerEdit)?;
    let mut tx = core.db.begin().await?;
    let p = super::repo::person_get(&mut tx, &actor.scope, person_id)
        .await?
        .ok_or(Error::NotFound)?;
    // The staff member must act in the person's community or above it.
    let ok: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM membership m WHERE m.user_id = $1 AND m.region_code BETWEEN $2 AND $3",
    )
    .bind(user_id.to_string())
    .bind(actor.scope.lo.clone())
    .bind(actor.scope.hi.clone())
    .fetch_one(&mut *tx)
    .await?;
    let covers = crate::org::repo::memberships_of(&mut tx, user_id)
        .await?
        .iter()
        .any(|m| RegionScope::of(&m.region_code).contains(&p.region_code));
    if ok == 0 || !covers {
        return Err(Error::field("responsible", "ledger.responsible_invalid"));
    }
    sqlx::query("UPDATE person SET responsible_user_id = $1, updated_at = $2 WHERE id = $3")
        .bind(user_id.to_string())
        .bind(now())
        .bind(person_id.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("person.responsible", "person", person_id)
            .before(serde_json::json!({"user": p.responsible_user_id}))
            .after(serde_json::json!({"user": user_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Staff who may be made responsible for people in a community: users acting there or above.
pub async fn responsible_candidates(
    core: &Core,
    actor: &Actor,
    community: &str,
) -> Result<Vec<(String, String)>> {
    actor.require(Permission::LedgerView)?;
    let mut c = core.db.pool().acquire().await?;
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT DISTINCT u.id, u.display_name, m.region_code FROM app_user u JOIN membership m ON m.user_id = u.id \
         WHERE m.region_code BETWEEN $1 AND $2 AND u.disabled = 0 ORDER BY u.display_name",
    )
    .bind(actor.scope.lo.clone())
    .bind(actor.scope.hi.clone())
    .fetch_all(&mut *c)
    .await?;
    let mut out: Vec<(String, String)> = rows
        .into_iter()
        .filter(|(_, _, r)| RegionScope::of(r).contains(community))
        .map(|(id, name, _)| (id, name))
        .collect();
    out.dedup();
    Ok(out)
}

// ------------------------------------------------------------------ deadlines

/// Marks needs due on the next working day as reminded and overdue ones as escalated to the
/// campaign office (the deployment's root), once each. Returns (reminded, escalated).
pub async fn process_need_deadlines(core: &Core, today: time::Date) -> Result<(u64, u64)> {
    let t = now();
    let tomorrow = model::fmt_date(crate::workdays::add_working_days(
        today,
        model::NEED_REMIND_DAYS_BEFORE,
    ));
    let today_s = model::fmt_date(today);
    let mut tx = core.db.begin().await?;
    let reminded = sqlx::query(
        "UPDATE need SET reminded_at = $1 WHERE state IN ('open','accepted') AND reminded_at IS NULL AND deadline <= $2 AND deadline >= $3",
    )
    .bind(t)
    .bind(tomorrow)
    .bind(today_s.clone())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let escalated = sqlx::query("UPDATE need SET escalated_at = $1 WHERE state IN ('open','accepted') AND escalated_at IS NULL AND deadline < $2")
        .bind(t)
        .bind(today_s)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if reminded + escalated > 0 {
        let system = Actor::system("000000000000", "job");
        audit::record(
            &mut tx,
            core.crypto.chain(),
            &system,
            Entry::new("need.deadlines", "need", "*")
                .after(serde_json::json!({"reminded": reminded, "escalated": escalated})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok((reminded, escalated))
}

/// Needs past their deadline within scope (the campaign office's escalation list).
pub async fn overdue_needs(core: &Core, actor: &Actor) -> Result<Vec<super::repo::Need>> {
    actor.require(Permission::LedgerView)?;
    let mut c = core.db.pool().acquire().await?;
    super::repo::overdue(&mut c, &actor.scope).await
}

// ------------------------------------------------------------------ survival checks

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct SurvivalCheck {
    pub id: String,
    pub business_id: String,
    pub business_name: String,
    pub region_name: String,
    pub months: i64,
    pub due_date: String,
    pub state: String,
    pub result: Option<String>,
}

/// Creates the 6- and 12-month survival checks that fall due within 30 days (once each).
pub async fn generate_survival_checks(core: &Core, today: time::Date) -> Result<u64> {
    let horizon = model::fmt_date(today + time::Duration::days(30));
    let mut created = 0;
    for months in model::SURVIVAL_MONTHS {
        // Businesses registered on or before (horizon - months) without a check of this kind.
        let cutoff = model::fmt_date(model::add_months(today + time::Duration::days(30), -months));
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT b.id, b.region_code, b.registered_on FROM business b WHERE b.registered_on <= $1 \
             AND NOT EXISTS (SELECT 1 FROM survival_check s WHERE s.business_id = b.id AND s.months = $2) LIMIT 5000",
        )
        .bind(cutoff)
        .bind(months)
        .fetch_all(core.db.pool())
        .await?;
        let mut tx = core.db.begin().await?;
        for (id, region, registered) in rows {
            let Some(reg) = model::parse_date(&registered) else {
                continue;
            };
            let due = model::fmt_date(model::add_months(reg, months));
            if due > horizon {
                continue;
            }
            created += sqlx::query(
                "INSERT INTO survival_check (id, business_id, region_code, months, due_date, state) VALUES ($1,$2,$3,$4,$5,'due') \
                 ON CONFLICT (business_id, months) DO NOTHING",
            )
            .bind(new_id())
            .bind(id)
            .bind(region)
            .bind(months)
            .bind(due)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
    }
    Ok(created)
}

/// The survival checks to do within scope.
pub async fn survival_checks(
    core: &Core,
    actor: &Actor,
    include_done: bool,
) -> Result<Vec<SurvivalCheck>> {
    actor.require(Permission::LedgerView)?;
    let mut sql = Sql::new(
        "SELECT s.id, s.business_id, b.name AS business_name, r.name AS region_name, s.months, s.due_date, s.state, s.result \
         FROM survival_check s JOIN business b ON b.id = s.business_id JOIN region r ON r.code = s.region_code WHERE s.region_code BETWEEN ",
    );
    sql.bind(actor.scope.lo.clone())
        .push(" AND ")
        .bind(actor.scope.hi.clone());
    if !include_done {
        sql.push(" AND s.state = 'due'");
    }
    sql.push(" ORDER BY s.due_date LIMIT 500");
    let mut c = core.db.pool().acquire().await?;
    Ok(sql.query_as().fetch_all(&mut *c).await?)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SurvivalResult {
    /// "operating" or one of the closed statuses.
    pub result: String,
}

/// Records the outcome of a survival check; a closed business also gets that status from today.
pub async fn complete_survival_check(
    core: &Core,
    actor: &Actor,
    id: &str,
    input: &SurvivalResult,
) -> Result<()> {
    actor.require(Permission::LedgerEdit)?;
    let mut c = core.db.pool().acquire().await?;
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT business_id, state FROM survival_check WHERE id = $1 AND region_code BETWEEN $2 AND $3",
    )
    .bind(id.to_string())
    .bind(actor.scope.lo.clone())
    .bind(actor.scope.hi.clone())
    .fetch_optional(&mut *c)
    .await?;
    drop(c);
    let (business, state) = row.ok_or(Error::NotFound)?;
    if !model::is_code(model::STATUS, &input.result) {
        return Err(Error::Invalid(vec![FieldError::new(
            "result",
            "ledger.code_invalid",
        )]));
    }
    if state != "due" {
        return Err(Error::Refused("ledger.survival_done".into()));
    }
    // A closed business gets that status from today first: if that is refused, the check stays due.
    if input.result != "operating" {
        let change = super::service::StatusChange {
            status: input.result.clone(),
            valid_from: model::fmt_date(model::today()),
            note: "存活回访".into(),
        };
        super::service::change_status(core, actor, &business, &change).await?;
    }
    let mut tx = core.db.begin().await?;
    let n = sqlx::query(
        "UPDATE survival_check SET state = 'done', result = $1, done_at = $2, done_by = $3 WHERE id = $4 AND state = 'due'",
    )
    .bind(input.result.clone())
    .bind(now())
    .bind(actor.user_id.clone())
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(Error::Refused("ledger.survival_done".into()));
    }
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("survival.check", "business", &business)
            .after(serde_json::json!({"result": input.result})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------------ party-member statistics

/// One month of the party-member entrepreneurship statistics (党员创业统计).
#[derive(Clone, Debug, Default, Serialize)]
pub struct PartyMonth {
    pub month: u8,
    pub new_entrepreneurs: i64,
    pub new_individual: i64,
    pub new_private: i64,
    pub jobs: i64,
    pub visits: i64,
}

/// The monthly table for a year within scope, with a total row last.
pub async fn party_stats(core: &Core, actor: &Actor, year: i32) -> Result<Vec<PartyMonth>> {
    actor.require(Permission::PartyView)?;
    let mut months: Vec<PartyMonth> = (1..=12)
        .map(|m| PartyMonth {
            month: m,
            ..Default::default()
        })
        .collect();
    let start = time::Date::from_calendar_date(year, time::Month::January, 1)
        .map_err(|_| Error::field("year", "common.date_invalid"))?;
    let t0 = start.midnight().assume_utc().unix_timestamp() - 8 * 3600;
    let t1 = t0 + 366 * 86400;
    let mut c = core.db.pool().acquire().await?;
    let persons: Vec<(i64,)> = sqlx::query_as(
        "SELECT created_at FROM person WHERE party_member = 1 AND region_code BETWEEN $1 AND $2 AND created_at >= $3 AND created_at < $4",
    )
    .bind(actor.scope.lo.clone())
    .bind(actor.scope.hi.clone())
    .bind(t0)
    .bind(t1)
    .fetch_all(&mut *c)
    .await?;
    let month_of_unix = |t: i64| {
        let d = (time::OffsetDateTime::from_unix_timestamp(t)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
            + time::Duration::hours(8))
        .date();
        (d.year() == year).then(|| usize::from(u8::from(d.month())) - 1)
    };
    for (t,) in persons {
        if let Some(m) = month_of_unix(t) {
            months[m].new_entrepreneurs += 1;
        }
    }
    let businesses: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT DISTINCT b.id || '|' || b.registered_on, b.kind, b.jobs FROM business b JOIN person_business l ON l.business_id = b.id \
         JOIN person p ON p.id = l.person_id WHERE p.party_member = 1 AND b.region_code BETWEEN $1 AND $2 AND b.registered_on >= $3 AND b.registered_on <= $4",
    )
    .bind(actor.scope.lo.clone())
    .bind(actor.scope.hi.clone())
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{year:04}-12-31"))
    .fetch_all(&mut *c)
    .await?;
    for (key, kind, jobs) in businesses {
        let date = key.rsplit('|').next().unwrap_or("");
        let Some(d) = model::parse_date(date) else {
            continue;
        };
        let m = usize::from(u8::from(d.month())) - 1;
        match kind.as_str() {
            "individual" => months[m].new_individual += 1,
            "private" => months[m].new_private += 1,
            _ => {}
        }
        months[m].jobs += jobs;
    }
    let visits: Vec<(String,)> = sqlx::query_as(
        "SELECT v.visit_date FROM visit v JOIN person p ON p.id = v.person_id WHERE p.party_member = 1 AND v.region_code BETWEEN $1 AND $2 \
         AND v.visit_date >= $3 AND v.visit_date <= $4",
    )
    .bind(actor.scope.lo.clone())
    .bind(actor.scope.hi.clone())
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{year:04}-12-31"))
    .fetch_all(&mut *c)
    .await?;
    for (d,) in visits {
        if let Some(d) = model::parse_date(&d) {
            months[usize::from(u8::from(d.month())) - 1].visits += 1;
        }
    }
    let total = months.iter().fold(PartyMonth::default(), |mut acc, m| {
        acc.new_entrepreneurs += m.new_entrepreneurs;
        acc.new_individual += m.new_individual;
        acc.new_private += m.new_private;
        acc.jobs += m.jobs;
        acc.visits += m.visits;
        acc
    });
    months.push(total);
    Ok(months)
}

// ------------------------------------------------------------------ jobs

/// Daily: need reminders and escalations.
pub struct NeedDeadlinesJob;

impl JobHandler for NeedDeadlinesJob {
    fn kind(&self) -> &'static str {
        "ledger.need_deadlines"
    }
    fn run<'a>(
        &'a self,
        core: &'a Core,
        job: &'a JobCtx,
    ) -> futures_util::future::BoxFuture<'a, anyhow::Result<Option<String>>> {
        Box::pin(async move {
            let (r, e) = process_need_deadlines(core, model::today()).await?;
            job.progress(1, 1, None).await?;
            Ok(Some(format!("{{\"reminded\":{r},\"escalated\":{e}}}")))
        })
    }
}

/// Daily: the survival checks falling due.
pub struct SurvivalChecksJob;

impl JobHandler for SurvivalChecksJob {
    fn kind(&self) -> &'static str {
        "ledger.survival_checks"
    }
    fn run<'a>(
        &'a self,
        core: &'a Core,
        job: &'a JobCtx,
    ) -> futures_util::future::BoxFuture<'a, anyhow::Result<Option<String>>> {
        Box::pin(async move {
            let n = generate_survival_checks(core, model::today()).await?;
            job.progress(1, 1, None).await?;
            Ok(Some(format!("{{\"created\":{n}}}")))
        })
    }
}

/// The ledger's job kinds.
pub fn register(registry: Registry) -> Registry {
    registry.with(NeedDeadlinesJob).with(SurvivalChecksJob)
}

/// The kinds the scheduler enqueues once a day.
pub const DAILY: &[&str] = &["ledger.need_deadlines", "ledger.survival_checks"];

// ------------------------------------------------------------------ visits list

/// A page of the visits made in the actor's scope (or in `region` below it) between two dates,
/// newest first: the rows behind the "visits made" figure.
pub async fn visits_between(
    core: &Core,
    actor: &Actor,
    region: Option<&str>,
    from: &str,
    to: &str,
    after: Option<(&str, &str)>,
) -> Result<Vec<super::repo::VisitRow>> {
    let (scope, f, t) = rows_behind_scope(actor, region, from, to)?;
    let mut c = core.db.pool().acquire().await?;
    super::repo::visit_page(
        &mut c,
        &scope,
        &model::fmt_date(f),
        &model::fmt_date(t),
        after,
        VISIT_PAGE,
    )
    .await
}

/// The scope and dates of a list behind a figure: a region within the actor's scope (their own
/// by default) and two dates.
fn rows_behind_scope(
    actor: &Actor,
    region: Option<&str>,
    from: &str,
    to: &str,
) -> Result<(RegionScope, time::Date, time::Date)> {
    actor.require(Permission::LedgerView)?;
    let scope = match region.filter(|r| !r.is_empty()) {
        Some(r) if actor.scope.contains(r) => RegionScope::of(r),
        Some(_) => return Err(crate::Error::NotFound),
        None => actor.scope.clone(),
    };
    let (Some(f), Some(t)) = (model::parse_date(from), model::parse_date(to)) else {
        return Err(crate::Error::field("from", "ledger.date_invalid"));
    };
    Ok((scope, f, t))
}

/// The needs closed in a region between two dates (the rows behind "needs closed" and their
/// on-time rate), newest first, a page at a time.
pub async fn needs_closed_between(
    core: &Core,
    actor: &Actor,
    region: Option<&str>,
    from: &str,
    to: &str,
    after: Option<(i64, &str)>,
) -> Result<Vec<super::repo::ClosedNeed>> {
    let (scope, f, t) = rows_behind_scope(actor, region, from, to)?;
    // Whole days in China time: from the first day's midnight to the midnight after the last.
    let midnight = |d: time::Date| d.midnight().assume_utc().unix_timestamp() - 8 * 3600;
    let mut c = core.db.pool().acquire().await?;
    super::repo::closed_need_page(
        &mut c,
        &scope,
        (midnight(f), midnight(t) + 86_400),
        after,
        VISIT_PAGE,
    )
    .await
}

/// Rows per page of the visits list.
pub const VISIT_PAGE: i64 = 50;
