//! Targets (目标值): per indicator, region and year, set for the actor's region and the regions
//! below it; completion against them, and a warning when a region is behind the pace the date
//! calls for.

use std::collections::HashMap;

use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::now;
use crate::error::Checks;
use crate::org::{Actor, Permission};
use crate::{Core, Error, FieldError, Result};

/// How far behind the pace a figure is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Alert {
    /// Below 95 % of the expected pace.
    Yellow,
    /// Below 80 % of the expected pace.
    Red,
}

/// The share of the year gone by `day` (1.0 for past years, 0.0 for years to come).
pub fn expected_pace(year: i32, today: time::Date) -> f64 {
    match year.cmp(&today.year()) {
        std::cmp::Ordering::Less => 1.0,
        std::cmp::Ordering::Greater => 0.0,
        std::cmp::Ordering::Equal => {
            let days = if time::util::is_leap_year(year) {
                366.0
            } else {
                365.0
            };
            f64::from(today.ordinal()) / days
        }
    }
}

/// Completion (per cent, one decimal) and the alert for a value against its target.
pub fn judge(value: i64, target: i64, pace: f64) -> (Option<f64>, Option<Alert>) {
    if target <= 0 {
        return (None, None);
    }
    let done = value as f64 / target as f64;
    let alert = if pace <= 0.0 || done >= pace * 0.95 {
        None
    } else if done >= pace * 0.8 {
        Some(Alert::Yellow)
    } else {
        Some(Alert::Red)
    };
    (Some((done * 1000.0).round() / 10.0), alert)
}

/// The targets of some regions for a year: (region, indicator) → value.
pub async fn targets_of(
    c: &mut sqlx::AnyConnection,
    regions: &[String],
    year: i32,
) -> Result<HashMap<(String, String), i64>> {
    let mut out = HashMap::new();
    for chunk in regions.chunks(200) {
        let mut sql = crate::db::Sql::new(
            "SELECT region_code, indicator_code, value FROM indicator_target WHERE year = ",
        );
        sql.bind(i64::from(year)).push(" AND region_code IN (");
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(r.clone());
        }
        sql.push(")");
        let rows: Vec<(String, String, i64)> = sql.query_as().fetch_all(&mut *c).await?;
        out.extend(rows.into_iter().map(|(r, i, v)| ((r, i), v)));
    }
    Ok(out)
}

/// One target as typed: region, indicator, value (blank clears it).
pub struct TargetInput {
    pub region: String,
    pub indicator: String,
    pub value: String,
}

/// Sets targets for a year, all or nothing; each region must be within the actor's scope.
pub async fn set(core: &Core, actor: &Actor, year: i32, inputs: &[TargetInput]) -> Result<usize> {
    actor.require(Permission::IndicatorTarget)?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::field("year", "indicator.year_invalid"));
    }
    let mut c = core.db.pool().acquire().await?;
    // Rates are judged by their level, not against a yearly total: they take no target.
    let codes: Vec<String> = super::repo::catalogue(&mut c)
        .await?
        .into_iter()
        .filter(|i| !i.is_rate())
        .map(|i| i.code)
        .collect();
    drop(c);
    let mut checks = Checks::default();
    let mut rows: Vec<(&TargetInput, Option<i64>)> = Vec::new();
    for t in inputs {
        let field = format!("t_{}_{}", t.region, t.indicator);
        if !actor.scope.contains(&t.region) {
            return Err(Error::NotFound);
        }
        if !codes.contains(&t.indicator) {
            checks.push(FieldError::new(&field, "indicator.unknown"));
            continue;
        }
        let raw = t.value.trim().replace([',', '，'], "");
        if raw.is_empty() {
            rows.push((t, None));
            continue;
        }
        match raw
            .parse::<i64>()
            .ok()
            .filter(|v| (0..=1_000_000_000_000).contains(v))
        {
            Some(v) => rows.push((t, Some(v))),
            None => checks.push(FieldError::new(&field, "indicator.value_invalid")),
        }
    }
    checks.finish()?;
    let mut tx = core.db.begin().await?;
    let mut changed = 0;
    for (t, value) in rows {
        let before: Option<i64> = sqlx::query_scalar(
            "SELECT value FROM indicator_target WHERE indicator_code = $1 AND region_code = $2 AND year = $3",
        )
        .bind(t.indicator.clone())
        .bind(t.region.clone())
        .bind(i64::from(year))
        .fetch_optional(&mut *tx)
        .await?;
        if before == value {
            continue;
        }
        match value {
            Some(v) => {
                sqlx::query(
                    "INSERT INTO indicator_target (indicator_code, region_code, year, value, set_by, set_at) VALUES ($1,$2,$3,$4,$5,$6) \
                     ON CONFLICT (indicator_code, region_code, year) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at",
                )
                .bind(t.indicator.clone())
                .bind(t.region.clone())
                .bind(i64::from(year))
                .bind(v)
                .bind(actor.user_id.clone())
                .bind(now())
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "DELETE FROM indicator_target WHERE indicator_code = $1 AND region_code = $2 AND year = $3",
                )
                .bind(t.indicator.clone())
                .bind(t.region.clone())
                .bind(i64::from(year))
                .execute(&mut *tx)
                .await?;
            }
        }
        audit::record(
            &mut tx,
            core.crypto.chain(),
            actor,
            Entry::new(
                "indicator.target",
                "indicator_target",
                &format!("{}/{}/{year}", t.region, t.indicator),
            )
            .before(serde_json::json!({ "value": before }))
            .after(serde_json::json!({ "value": value })),
        )
        .await?;
        changed += 1;
    }
    tx.commit().await?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_behind_the_pace_is_warned() {
        // Half the year gone: 50 % done is on pace, 45 % is yellow, 30 % is red.
        assert_eq!(judge(50, 100, 0.5), (Some(50.0), None));
        assert_eq!(judge(45, 100, 0.5), (Some(45.0), Some(Alert::Yellow)));
        assert_eq!(judge(30, 100, 0.5), (Some(30.0), Some(Alert::Red)));
        assert_eq!(judge(30, 0, 0.5), (None, None), "no target, no judgement");
        assert_eq!(judge(0, 100, 0.0), (Some(0.0), None), "a year to come");
    }

    #[test]
    fn the_pace_follows_the_calendar() {
        let d = crate::ledger::model::parse_date("2026-07-02").unwrap();
        assert!((expected_pace(2026, d) - 183.0 / 365.0).abs() < 1e-9);
        assert_eq!(expected_pace(2025, d), 1.0);
        assert_eq!(expected_pace(2027, d), 0.0);
    }
}
