//! Managing the catalogue (指标目录): the campaign office adds indicators that regions enter
//! (or that come from surveys), edits names, units, definitions and deadlines, and retires
//! indicators from a date. Ledger-derived indicators are built in (their figures are kept by
//! triggers), so only their wording and retirement can change; a retired indicator's figures stay.

use serde::Serialize;

use super::Indicator;
use crate::audit::{self, Entry};
use crate::error::Checks;
use crate::org::{Actor, Permission};
use crate::{Core, Error, Result};

/// A catalogue row as the management page shows it.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Row {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub definition: String,
    pub source: String,
    pub time_agg: String,
    pub region_agg: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub due_day: i64,
    pub builtin: i64,
}

/// What the form sends.
#[derive(Clone, Debug, Default)]
pub struct Input {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub definition: String,
    pub source: String,
    pub time_agg: String,
    pub due_day: String,
}

pub const SOURCES: &[&str] = &["entered", "survey"];
pub const TIME_AGGS: &[&str] = &["sum", "last", "avg"];

/// Every indicator, retired ones too, in display order.
pub async fn list(core: &Core, actor: &Actor) -> Result<Vec<Row>> {
    actor.require(Permission::IndicatorView)?;
    Ok(sqlx::query_as(
        "SELECT code, name, unit, definition, source, time_agg, region_agg, valid_from, valid_to, \
         CAST(due_day AS BIGINT) AS due_day, CAST(builtin AS BIGINT) AS builtin FROM indicator \
         ORDER BY valid_to IS NOT NULL, sort_order, code",
    )
    .fetch_all(core.db.pool())
    .await?)
}

fn code_ok(code: &str) -> bool {
    (3..=40).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn check(input: &Input, new: bool) -> Result<i64> {
    let mut checks = Checks::default();
    if new && !code_ok(input.code.trim()) {
        checks.add("code", "indicator.code_invalid");
    }
    let name = input.name.trim().chars().count();
    if name == 0 || name > 40 {
        checks.add("name", "indicator.name_invalid");
    }
    if input.unit.trim().is_empty() || input.unit.trim().chars().count() > 8 {
        checks.add("unit", "indicator.unit_invalid");
    }
    if input.definition.trim().chars().count() > 500 {
        checks.add("definition", "indicator.definition_too_long");
    }
    if new && !SOURCES.contains(&input.source.as_str()) {
        checks.add("source", "indicator.source_invalid");
    }
    if new && !TIME_AGGS.contains(&input.time_agg.as_str()) {
        checks.add("time_agg", "indicator.time_agg_invalid");
    }
    let due = input
        .due_day
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=28).contains(d));
    if due.is_none() {
        checks.add("due_day", "indicator.due_day_invalid");
    }
    checks.finish()?;
    Ok(due.unwrap_or(10))
}

/// Adds an indicator (entered by regions or from surveys, summed over regions), effective today.
pub async fn add(core: &Core, actor: &Actor, input: &Input) -> Result<()> {
    actor.require(Permission::IndicatorCatalogue)?;
    let due = check(input, true)?;
    let code = input.code.trim().to_string();
    let mut tx = core.db.begin().await?;
    let taken: Option<String> = sqlx::query_scalar("SELECT code FROM indicator WHERE code = $1")
        .bind(code.clone())
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(Error::field("code", "indicator.code_taken"));
    }
    let today = crate::ledger::model::fmt_date(crate::ledger::model::today());
    sqlx::query(
        "INSERT INTO indicator (code, name, unit, definition, source, time_agg, region_agg, valid_from, sort_order, builtin, due_day) \
         VALUES ($1,$2,$3,$4,$5,$6,'sum',$7,(SELECT COALESCE(MAX(sort_order), 0) + 10 FROM indicator),0,$8)",
    )
    .bind(code.clone())
    .bind(input.name.trim().to_string())
    .bind(input.unit.trim().to_string())
    .bind(input.definition.trim().to_string())
    .bind(input.source.clone())
    .bind(input.time_agg.clone())
    .bind(today)
    .bind(due)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("indicator.add", "indicator", &code).after(serde_json::json!({
            "name": input.name.trim(), "unit": input.unit.trim(), "source": input.source, "time_agg": input.time_agg, "due_day": due
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes an indicator's name, unit, definition and due day.
pub async fn edit(core: &Core, actor: &Actor, code: &str, input: &Input) -> Result<()> {
    actor.require(Permission::IndicatorCatalogue)?;
    let due = check(input, false)?;
    let mut tx = core.db.begin().await?;
    let before: Option<Indicator> = sqlx::query_as(
        "SELECT code, name, unit, definition, source, time_agg, region_agg, numerator, denominator, CAST(sort_order AS BIGINT) AS sort_order \
         FROM indicator WHERE code = $1",
    )
    .bind(code.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    let before = before.ok_or(Error::NotFound)?;
    sqlx::query(
        "UPDATE indicator SET name = $1, unit = $2, definition = $3, due_day = $4 WHERE code = $5",
    )
    .bind(input.name.trim().to_string())
    .bind(input.unit.trim().to_string())
    .bind(input.definition.trim().to_string())
    .bind(due)
    .bind(code.to_string())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("indicator.edit", "indicator", code)
            .before(&before)
            .after(serde_json::json!({"name": input.name.trim(), "unit": input.unit.trim(), "due_day": due})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Retires an indicator from today (it leaves dashboards, forms and reports; its figures stay),
/// or brings a retired one back.
pub async fn set_retired(core: &Core, actor: &Actor, code: &str, retired: bool) -> Result<()> {
    actor.require(Permission::IndicatorCatalogue)?;
    let today = crate::ledger::model::fmt_date(crate::ledger::model::today());
    let mut tx = core.db.begin().await?;
    let n = sqlx::query("UPDATE indicator SET valid_to = $1 WHERE code = $2")
        .bind(retired.then_some(today))
        .bind(code.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(Error::NotFound);
    }
    let action = if retired {
        "indicator.retire"
    } else {
        "indicator.restore"
    };
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new(action, "indicator", code),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> Input {
        Input {
            code: "incubator_count".into(),
            name: "在运营孵化基地".into(),
            unit: "个".into(),
            definition: String::new(),
            source: "entered".into(),
            time_agg: "last".into(),
            due_day: "10".into(),
        }
    }

    fn fields(r: Result<i64>) -> Vec<String> {
        match r {
            Err(Error::Invalid(v)) => v.into_iter().map(|f| f.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_good_indicator_passes_and_each_bad_field_is_named() {
        assert_eq!(check(&input(), true).unwrap(), 10);
        let bad = Input {
            code: "1x".into(),
            name: String::new(),
            unit: "一二三四五六七八九".into(),
            source: "ledger".into(),
            time_agg: "max".into(),
            due_day: "31".into(),
            ..input()
        };
        assert_eq!(
            fields(check(&bad, true)),
            ["code", "name", "unit", "source", "time_agg", "due_day"]
        );
        // Editing checks only what can change.
        assert_eq!(fields(check(&bad, false)), ["name", "unit", "due_day"]);
    }
}
