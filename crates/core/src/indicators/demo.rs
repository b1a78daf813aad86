//! The demo deployment's entered figures: a year so far of approved monthly entries from each
//! sub-district, on the scale of the seed district's own year (城镇新增就业 23,490; 小额担保贷款
//! 3,200 万元; 14 场广场文化活动 among its publicity), and targets for new urban jobs.

use crate::audit::{self, Entry};
use crate::db::{new_id, now};
use crate::org::Actor;
use crate::{Core, Result};

/// The seed district's year of each entered indicator, and the demo's target for new urban jobs.
const YEAR: &[(&str, i64)] = &[
    ("new_urban_jobs", 23_490),
    ("training_persons", 2_400),
    ("guaranteed_loans", 3_200),
    ("incubated_entities", 120),
    ("publicity_events", 60),
];
const YEAR_TARGET: i64 = 24_000;

/// Writes the months of this year before the current one (nothing in January).
pub async fn seed(core: &Core, actor: &Actor, root: &str, today: time::Date) -> Result<()> {
    let subs: Vec<String> = sqlx::query_scalar(
        "SELECT code FROM region WHERE parent_code = $1 AND valid_to IS NULL ORDER BY code",
    )
    .bind(root.to_string())
    .fetch_all(core.db.pool())
    .await?;
    if subs.is_empty() {
        return Ok(());
    }
    let year = today.year();
    let n = subs.len() as i64;
    let mut tx = core.db.begin().await?;
    for (i, sub) in subs.iter().enumerate() {
        for (code, per_year) in YEAR {
            for month in 1..u8::from(today.month()) {
                // Evenly over the year and the sub-districts, ±20 % by a fixed pattern.
                let base = (per_year / 12 / n).max(1);
                let value = base + base * (((i as i64 * 7 + i64::from(month) * 3) % 9) - 4) / 20;
                let m = format!("{year:04}-{month:02}");
                let due = super::entry::due_on(&m, 10).map(crate::ledger::model::fmt_date);
                sqlx::query(
                    "INSERT INTO indicator_entry (id, indicator_code, region_code, month, value, state, due_on, on_time, entered_at, decided_at) \
                     VALUES ($1, $2, $3, $4, $5, 'approved', $6, 1, $7, $7)",
                )
                .bind(new_id())
                .bind(code.to_string())
                .bind(sub.clone())
                .bind(m.clone())
                .bind(value)
                .bind(due.unwrap_or_default())
                .bind(now())
                .execute(&mut *tx)
                .await?;
                super::entry::add_to_figures(&mut tx, code, sub, &m, value).await?;
            }
        }
        sqlx::query(
            "INSERT INTO indicator_target (indicator_code, region_code, year, value, set_at) VALUES ('new_urban_jobs', $1, $2, $3, $4)",
        )
        .bind(sub.clone())
        .bind(i64::from(year))
        .bind(YEAR_TARGET / n)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO indicator_target (indicator_code, region_code, year, value, set_at) VALUES ('new_urban_jobs', $1, $2, $3, $4)",
    )
    .bind(root.to_string())
    .bind(i64::from(year))
    .bind(YEAR_TARGET)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("indicator.demo_seed", "indicator_entry", "*")
            .after(serde_json::json!({ "year": year, "sub_districts": n })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
