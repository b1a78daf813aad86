//! Monthly data entry for entered indicators, with approval by the level above: a region
//! enters its month (due by the indicator's `due_day` of the next month; timeliness kept), the
//! region directly above approves — which locks the value and adds it to the kept figures at
//! every level — or returns it with a reason; a correction after approval needs that level to
//! reopen it. Every step is audited.

use serde::Serialize;

use super::model::Indicator;
use crate::audit::{self, Entry};
use crate::db::{Tx, new_id, now};
use crate::error::Checks;
use crate::org::{Actor, Permission};
use crate::{Core, Error, FieldError, Result};

/// One entry as the forms show it.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct EntryRow {
    pub id: String,
    pub indicator_code: String,
    pub region_code: String,
    pub region_name: String,
    pub month: String,
    pub value: i64,
    pub state: String,
    pub due_on: String,
    pub on_time: i64,
    pub reason: Option<String>,
}

const ENTRY_SELECT: &str = "SELECT e.id, e.indicator_code, e.region_code, \
     (SELECT r.name FROM region r WHERE r.code = e.region_code) AS region_name, e.month, e.value, e.state, e.due_on, \
     CAST(e.on_time AS BIGINT) AS on_time, e.reason FROM indicator_entry e";

/// The codes of a region and of every level above it (prefixes of 2, 4, 6 and 9 digits), once
/// each: the rows a figure of the region adds to.
pub fn levels(region: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in [2, 4, 6, 9, 12] {
        if let Some(p) = region.get(..n) {
            let code = format!("{p:0<12}");
            if !out.contains(&code) {
                out.push(code);
            }
        }
    }
    out
}

/// The region directly above `region` in the tree (its parent), if any.
async fn parent_of(tx: &mut Tx, region: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT parent_code FROM region WHERE code = $1")
            .bind(region.to_string())
            .fetch_optional(&mut **tx)
            .await?
            .flatten(),
    )
}

/// Adds `delta` to an indicator's figure for a month at the region and every level above.
pub(crate) async fn add_to_figures(
    tx: &mut Tx,
    code: &str,
    region: &str,
    month: &str,
    delta: i64,
) -> Result<()> {
    for level in levels(region) {
        sqlx::query(
            "INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at) VALUES ($1,$2,$3,$4,$5) \
             ON CONFLICT (indicator_code, region_code, month) DO UPDATE SET value = indicator_value.value + excluded.value, \
             updated_at = excluded.updated_at",
        )
        .bind(code.to_string())
        .bind(level)
        .bind(month.to_string())
        .bind(delta)
        .bind(now())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The day entries for `month` are due: `due_day` of the next month (clamped to its length).
pub fn due_on(month: &str, due_day: u8) -> Option<time::Date> {
    let (y, m) = month.split_once('-')?;
    let (y, m): (i32, u8) = (y.parse().ok()?, m.parse().ok()?);
    let first = time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, 1).ok()?;
    let next = first.checked_add(time::Duration::days(32))?;
    let last_day = time::util::days_in_month(next.month(), next.year());
    time::Date::from_calendar_date(next.year(), next.month(), due_day.clamp(1, last_day)).ok()
}

fn month_ok(month: &str, today: time::Date) -> bool {
    let Some((y, m)) = month.split_once('-') else {
        return false;
    };
    let (Ok(y), Ok(m)) = (y.parse::<i32>(), m.parse::<u8>()) else {
        return false;
    };
    month.len() == 7
        && (2000..=2100).contains(&y)
        && (1..=12).contains(&m)
        && (y, m) <= (today.year(), u8::from(today.month()))
}

/// The entered indicators in force, with their due day.
pub async fn entered_indicators(c: &mut sqlx::AnyConnection) -> Result<Vec<(Indicator, i64)>> {
    let list = super::repo::catalogue(&mut *c).await?;
    let days: Vec<(String, i64)> = sqlx::query_as(
        "SELECT code, CAST(due_day AS BIGINT) FROM indicator WHERE source = 'entered'",
    )
    .fetch_all(&mut *c)
    .await?;
    Ok(list
        .into_iter()
        .filter(|i| i.source == "entered")
        .map(|i| {
            let d = days.iter().find(|d| d.0 == i.code).map_or(10, |d| d.1);
            (i, d)
        })
        .collect())
}

/// A region's entries for a month (for its form).
pub async fn entries_of(
    core: &Core,
    actor: &Actor,
    region: &str,
    month: &str,
) -> Result<Vec<EntryRow>> {
    actor.require(Permission::IndicatorEnter)?;
    if !actor.scope.contains(region) {
        return Err(Error::NotFound);
    }
    let sql = format!("{ENTRY_SELECT} WHERE e.region_code = $1 AND e.month = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(region.to_string())
        .bind(month.to_string())
        .fetch_all(core.db.pool())
        .await?)
}

/// Saves a region's values for a month (`(indicator code, value as typed)`; blank = not
/// entered), each submitted for approval. All or nothing: any bad value and nothing is saved.
pub async fn save(
    core: &Core,
    actor: &Actor,
    region: &str,
    month: &str,
    values: &[(String, String)],
) -> Result<usize> {
    actor.require(Permission::IndicatorEnter)?;
    if !actor.scope.contains(region) {
        return Err(Error::NotFound);
    }
    let today = crate::ledger::model::today();
    if !month_ok(month, today) {
        return Err(Error::field("month", "indicator.month_invalid"));
    }
    let mut c = core.db.pool().acquire().await?;
    let entered = entered_indicators(&mut c).await?;
    drop(c);
    let mut tx = core.db.begin().await?;
    let mut checks = Checks::default();
    let mut saved = 0;
    for (code, raw) in values {
        let field = format!("value_{code}");
        let raw = raw.trim().replace([',', '，'], "");
        if raw.is_empty() {
            continue;
        }
        let Some((_, due_day)) = entered.iter().find(|(i, _)| i.code == *code) else {
            checks.push(FieldError::new(&field, "indicator.not_entered"));
            continue;
        };
        let Some(value) = raw
            .parse::<i64>()
            .ok()
            .filter(|v| (0..=1_000_000_000_000).contains(v))
        else {
            checks.push(FieldError::new(&field, "indicator.value_invalid"));
            continue;
        };
        let due = due_on(month, u8::try_from(*due_day).unwrap_or(10)).expect("month checked");
        let existing: Option<(String, String, i64)> = sqlx::query_as(
            "SELECT id, state, value FROM indicator_entry WHERE indicator_code = $1 AND region_code = $2 AND month = $3",
        )
        .bind(code.clone())
        .bind(region.to_string())
        .bind(month.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let reopened = matches!(&existing, Some((_, s, _)) if s == "reopened");
        match &existing {
            Some((_, state, _)) if state == "approved" => {
                checks.push(FieldError::new(&field, "indicator.locked"));
                continue;
            }
            Some((_, _, v)) if *v == value => continue,
            _ => {}
        }
        if today > due && !reopened {
            checks.push(
                FieldError::new(&field, "indicator.past_due")
                    .arg("due", crate::ledger::model::fmt_date(due)),
            );
            continue;
        }
        let on_time = i64::from(today <= due);
        let id = match existing {
            Some((id, _, _)) => {
                sqlx::query(
                    "UPDATE indicator_entry SET value = $1, state = 'submitted', on_time = $2, entered_by = $3, entered_at = $4, \
                     reason = NULL WHERE id = $5",
                )
                .bind(value)
                .bind(on_time)
                .bind(actor.user_id.clone())
                .bind(now())
                .bind(id.clone())
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO indicator_entry (id, indicator_code, region_code, month, value, state, due_on, on_time, entered_by, entered_at) \
                     VALUES ($1,$2,$3,$4,$5,'submitted',$6,$7,$8,$9)",
                )
                .bind(id.clone())
                .bind(code.clone())
                .bind(region.to_string())
                .bind(month.to_string())
                .bind(value)
                .bind(crate::ledger::model::fmt_date(due))
                .bind(on_time)
                .bind(actor.user_id.clone())
                .bind(now())
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        audit::record(
            &mut tx,
            core.crypto.chain(),
            actor,
            Entry::new("indicator.enter", "indicator_entry", &id).after(serde_json::json!({
                "indicator": code, "region": region, "month": month, "value": value, "on_time": on_time == 1,
            })),
        )
        .await?;
        saved += 1;
    }
    checks.finish()?;
    tx.commit().await?;
    Ok(saved)
}

/// Entries of the regions directly below the actor's in a state: `submitted` ones wait for the
/// actor's decision; `approved` ones (the latest 200) may be reopened.
pub async fn below(core: &Core, actor: &Actor, state: &str) -> Result<Vec<EntryRow>> {
    actor.require(Permission::IndicatorApprove)?;
    let sql = format!(
        "{ENTRY_SELECT} WHERE e.state = $4 AND e.region_code BETWEEN $1 AND $2 \
         AND e.region_code IN (SELECT r.code FROM region r WHERE r.parent_code = $3) \
         ORDER BY e.month DESC, e.region_code, e.indicator_code LIMIT 200"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(actor.scope.lo.clone())
        .bind(actor.scope.hi.clone())
        .bind(actor.region_code.clone())
        .bind(state.to_string())
        .fetch_all(core.db.pool())
        .await?)
}

/// What the approving level may do with an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Lock it and count it.
    Approve,
    /// Send it back with a reason.
    Return,
    /// Reopen an approved entry for correction (it leaves the figures until approved again).
    Reopen,
}

/// Decides on an entry as the level directly above its region.
pub async fn decide(
    core: &Core,
    actor: &Actor,
    id: &str,
    decision: Decision,
    reason: &str,
) -> Result<()> {
    actor.require(Permission::IndicatorApprove)?;
    let mut tx = core.db.begin().await?;
    let row: Option<(String, String, String, i64, String)> = sqlx::query_as(
        "SELECT indicator_code, region_code, month, value, state FROM indicator_entry WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((code, region, month, value, state)) = row.filter(|r| actor.scope.contains(&r.1))
    else {
        return Err(Error::NotFound);
    };
    if parent_of(&mut tx, &region).await?.as_deref() != Some(actor.region_code.as_str()) {
        return Err(Error::field("decision", "indicator.not_your_level"));
    }
    let reason = reason.trim();
    let (from_ok, to, delta) = match decision {
        Decision::Approve => (state == "submitted", "approved", value),
        Decision::Return => (state == "submitted", "returned", 0),
        Decision::Reopen => (state == "approved", "reopened", -value),
    };
    if !from_ok {
        return Err(Error::field("decision", "indicator.wrong_state"));
    }
    if decision != Decision::Approve && reason.is_empty() {
        return Err(Error::field("reason", "indicator.reason_required"));
    }
    sqlx::query(
        "UPDATE indicator_entry SET state = $1, decided_by = $2, decided_at = $3, reason = $4 WHERE id = $5",
    )
    .bind(to)
    .bind(actor.user_id.clone())
    .bind(now())
    .bind(Some(reason.to_string()).filter(|r| !r.is_empty()))
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    if delta != 0 {
        add_to_figures(&mut tx, &code, &region, &month, delta).await?;
    }
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new(&format!("indicator.{to}"), "indicator_entry", id).after(serde_json::json!({
            "indicator": code, "region": region, "month": month, "value": value, "reason": reason,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Attaches an evidence file (a scan of the statistics form, a list of names) to an entry of
/// the actor's region or below while it is still open; approved entries are locked.
pub async fn attach(
    core: &Core,
    actor: &Actor,
    id: &str,
    bytes: &[u8],
    file_name: &str,
) -> Result<crate::files::FileMeta> {
    actor.require(Permission::IndicatorEnter)?;
    let mut tx = core.db.begin().await?;
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT region_code, state FROM indicator_entry WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    let Some((region, state)) = row.filter(|r| actor.scope.contains(&r.0)) else {
        return Err(Error::NotFound);
    };
    if state == "approved" {
        return Err(Error::field("file", "indicator.entry_locked"));
    }
    let meta = crate::files::store(
        core,
        &mut tx,
        actor,
        crate::files::Upload {
            bytes,
            original_name: file_name,
            owner_entity: "indicator_entry",
            owner_id: id,
            region_code: &region,
            rules: &crate::files::FileRules::DOCUMENTS,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(meta)
}

/// The entries of one indicator in `region` and below over a period, in any state: the rows
/// behind an entered figure.
pub async fn entries_below(
    core: &Core,
    actor: &Actor,
    indicator: &str,
    region: &str,
    period: &super::Period,
) -> Result<Vec<EntryRow>> {
    actor.require(Permission::IndicatorView)?;
    if !actor.scope.contains(region) {
        return Err(Error::NotFound);
    }
    let below = crate::org::RegionScope::of(region);
    let sql = format!(
        "{ENTRY_SELECT} WHERE e.indicator_code = $1 AND e.region_code BETWEEN $2 AND $3 \
         AND e.month BETWEEN $4 AND $5 ORDER BY e.month DESC, e.region_code LIMIT 2000"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(indicator.to_string())
        .bind(below.lo)
        .bind(below.hi)
        .bind(period.from.clone())
        .bind(period.to.clone())
        .fetch_all(core.db.pool())
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_adds_to_each_level_once() {
        assert_eq!(
            levels("411002001001"),
            [
                "410000000000",
                "411000000000",
                "411002000000",
                "411002001000",
                "411002001001"
            ]
        );
        // A county-level code: its own prefixes repeat, and count once.
        assert_eq!(
            levels("411002000000"),
            ["410000000000", "411000000000", "411002000000"]
        );
    }

    #[test]
    fn entries_are_due_in_the_next_month() {
        let d = |s: &str| crate::ledger::model::parse_date(s).unwrap();
        assert_eq!(due_on("2026-11", 10), Some(d("2026-12-10")));
        assert_eq!(due_on("2026-12", 10), Some(d("2027-01-10")));
        assert_eq!(due_on("2026-01", 31), Some(d("2026-02-28")));
        assert_eq!(due_on("2026-13", 10), None);
    }

    #[test]
    fn months_to_come_cannot_be_entered() {
        let today = crate::ledger::model::parse_date("2026-11-26").unwrap();
        assert!(month_ok("2026-11", today));
        assert!(month_ok("2025-01", today));
        for bad in ["2026-12", "2026-1", "1999-12", "abc", "2026-00"] {
            assert!(!month_ok(bad, today), "{bad}");
        }
    }
}
