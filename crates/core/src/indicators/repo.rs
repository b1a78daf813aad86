//! Reading the kept figures: every query touches the rows of one region (or of its children)
//! for the months asked, never the ledger itself.

use std::collections::HashMap;

use super::model::{Indicator, Period};
use crate::Result;

type Exec<'a> = &'a mut sqlx::AnyConnection;

/// The indicators in force, in display order.
pub async fn catalogue(c: Exec<'_>) -> Result<Vec<Indicator>> {
    Ok(sqlx::query_as(
        "SELECT code, name, unit, definition, source, time_agg, region_agg, CAST(sort_order AS BIGINT) AS sort_order \
         FROM indicator WHERE valid_to IS NULL ORDER BY sort_order, code",
    )
    .fetch_all(c)
    .await?)
}

/// Each indicator's total for a region over a period, with when it last changed.
pub async fn totals(
    c: Exec<'_>,
    region: &str,
    period: &Period,
) -> Result<HashMap<String, (i64, i64)>> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT indicator_code, CAST(SUM(value) AS BIGINT), CAST(MAX(updated_at) AS BIGINT) FROM indicator_value \
         WHERE region_code = $1 AND month BETWEEN $2 AND $3 GROUP BY indicator_code",
    )
    .bind(region.to_string())
    .bind(period.from.clone())
    .bind(period.to.clone())
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().map(|(k, v, t)| (k, (v, t))).collect())
}

/// One indicator month by month over a year (12 values, January first).
pub async fn monthly(c: Exec<'_>, code: &str, region: &str, year: i32) -> Result<Vec<i64>> {
    let p = Period::year(year);
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT month, value FROM indicator_value WHERE indicator_code = $1 AND region_code = $2 \
         AND month BETWEEN $3 AND $4",
    )
    .bind(code.to_string())
    .bind(region.to_string())
    .bind(p.from)
    .bind(p.to)
    .fetch_all(c)
    .await?;
    let mut out = vec![0; 12];
    for (m, v) in rows {
        if let Some(i) = m.get(5..7).and_then(|m| m.parse::<usize>().ok()) {
            out[i - 1] += v;
        }
    }
    Ok(out)
}

/// A region's children (in force), each with every indicator's total over the period.
pub async fn children(
    c: Exec<'_>,
    region: &str,
    period: &Period,
) -> Result<Vec<(String, String, HashMap<String, i64>)>> {
    let rows: Vec<(String, String, Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT r.code, r.name, v.indicator_code, CAST(SUM(v.value) AS BIGINT) FROM region r \
         LEFT JOIN indicator_value v ON v.region_code = r.code AND v.month BETWEEN $2 AND $3 \
         WHERE r.parent_code = $1 AND r.valid_to IS NULL \
         GROUP BY r.code, r.name, v.indicator_code ORDER BY r.code",
    )
    .bind(region.to_string())
    .bind(period.from.clone())
    .bind(period.to.clone())
    .fetch_all(c)
    .await?;
    let mut out: Vec<(String, String, HashMap<String, i64>)> = Vec::new();
    for (code, name, indicator, value) in rows {
        if out.last().is_none_or(|l| l.0 != code) {
            out.push((code, name, HashMap::new()));
        }
        if let (Some(i), Some(v), Some(last)) = (indicator, value, out.last_mut()) {
            last.2.insert(i, v);
        }
    }
    Ok(out)
}
