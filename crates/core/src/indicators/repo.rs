//! Reading the kept figures: every query touches the rows of one region (or of its children)
//! for the months asked, never the ledger itself.

use std::collections::HashMap;

use super::model::{Indicator, Period};
use crate::Result;

type Exec<'a> = &'a mut sqlx::AnyConnection;

/// The indicators in force, in display order.
pub async fn catalogue(c: Exec<'_>) -> Result<Vec<Indicator>> {
    Ok(sqlx::query_as(
        "SELECT code, name, unit, definition, source, time_agg, region_agg, numerator, denominator, CAST(sort_order AS BIGINT) AS sort_order \
         FROM indicator WHERE valid_to IS NULL ORDER BY sort_order, code",
    )
    .fetch_all(c)
    .await?)
}

/// How many months of `period` have begun by `today` (at least one): the divisor of averages.
pub fn months_begun(period: &Period, today: time::Date) -> i64 {
    let ym = |m: &str| {
        let y: i64 = m[..4].parse().unwrap_or(2000);
        let mo: i64 = m[5..7].parse().unwrap_or(1);
        y * 12 + mo - 1
    };
    let now = i64::from(today.year()) * 12 + i64::from(u8::from(today.month())) - 1;
    (ym(&period.to).min(now) - ym(&period.from) + 1).max(1)
}

/// An indicator's value over months by its `time_agg`: the sum, the last month's value (a
/// stock such as bases in operation), or the average per month begun.
pub fn over_time(time_agg: &str, months: &[(String, i64)], months_begun: i64) -> i64 {
    match time_agg {
        "last" => months
            .iter()
            .max_by(|a, b| a.0.cmp(&b.0))
            .map_or(0, |m| m.1),
        "avg" => {
            let sum: i64 = months.iter().map(|m| m.1).sum();
            (sum as f64 / months_begun.max(1) as f64).round() as i64
        }
        _ => months.iter().map(|m| m.1).sum(),
    }
}

type Monthly = HashMap<(String, String), (Vec<(String, i64)>, i64)>;

/// Month rows of the indicators of `cat` that do not add up over months (`last`, `avg`) for
/// some regions, grouped by (region, indicator). Usually there are none and this asks nothing;
/// otherwise a primary-key range per indicator.
async fn not_summed(
    c: Exec<'_>,
    cat: &[Indicator],
    regions_sql: &str,
    region: &str,
    period: &Period,
) -> Result<Monthly> {
    let mut out: Monthly = HashMap::new();
    for code in cat.iter().filter(|i| i.time_agg != "sum").map(|i| &i.code) {
        let sql = format!(
            "SELECT v.region_code, v.month, v.value, CAST(v.updated_at AS BIGINT) FROM indicator_value v \
             WHERE v.indicator_code = $4 AND {regions_sql} AND v.month BETWEEN $2 AND $3"
        );
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(region.to_string())
            .bind(period.from.clone())
            .bind(period.to.clone())
            .bind(code.clone())
            .fetch_all(&mut *c)
            .await?;
        for (r, month, value, at) in rows {
            let e = out.entry((r, code.clone())).or_default();
            e.0.push((month, value));
            e.1 = e.1.max(at);
        }
    }
    Ok(out)
}

fn time_agg_of<'a>(cat: &'a [Indicator], code: &str) -> &'a str {
    cat.iter()
        .find(|i| i.code == code)
        .map_or("sum", |i| i.time_agg.as_str())
}

/// A rate indicator's figure from its parts' figures (see [`super::model::rate`]).
pub fn rate_of(i: &Indicator, part: impl Fn(&str) -> i64) -> i64 {
    let p = |code: &Option<String>| code.as_deref().map_or(0, &part);
    super::model::rate(p(&i.numerator), p(&i.denominator))
}

/// Adds every rate of `cat` to figures that hold its parts, the rate's "as of" being its
/// newer part's.
fn add_rates(cat: &[Indicator], figures: &mut HashMap<String, (i64, i64)>) {
    for i in cat.iter().filter(|i| i.is_rate()) {
        let at = [&i.numerator, &i.denominator]
            .into_iter()
            .flatten()
            .filter_map(|p| figures.get(p).map(|f| f.1))
            .max()
            .unwrap_or(0);
        let v = rate_of(i, |p| figures.get(p).map_or(0, |f| f.0));
        figures.insert(i.code.clone(), (v, at));
    }
}

/// Each indicator's figure for a region over a period (summed over months unless its
/// `time_agg` says otherwise; rates from their summed parts), with when it last changed.
pub async fn totals(
    c: Exec<'_>,
    cat: &[Indicator],
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
    .fetch_all(&mut *c)
    .await?;
    let mut out: HashMap<String, (i64, i64)> =
        rows.into_iter().map(|(k, v, t)| (k, (v, t))).collect();
    let months = not_summed(c, cat, "v.region_code = $1", region, period).await?;
    let begun = months_begun(period, crate::ledger::model::today());
    for ((_, code), (m, at)) in months {
        let v = over_time(time_agg_of(cat, &code), &m, begun);
        out.insert(code, (v, at));
    }
    add_rates(cat, &mut out);
    Ok(out)
}

/// One indicator month by month over a year (12 values, January first); a rate month by
/// month from its parts.
pub async fn monthly(c: Exec<'_>, i: &Indicator, region: &str, year: i32) -> Result<Vec<i64>> {
    if i.is_rate() {
        let part = |p: &Option<String>| p.clone().unwrap_or_default();
        let num = monthly_of(&mut *c, &part(&i.numerator), region, year).await?;
        let den = monthly_of(c, &part(&i.denominator), region, year).await?;
        return Ok(num
            .iter()
            .zip(&den)
            .map(|(n, d)| super::model::rate(*n, *d))
            .collect());
    }
    monthly_of(c, &i.code, region, year).await
}

async fn monthly_of(c: Exec<'_>, code: &str, region: &str, year: i32) -> Result<Vec<i64>> {
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

/// A region's children (in force), each with every indicator's figure over the period (rates
/// from each child's own summed parts).
pub async fn children(
    c: Exec<'_>,
    cat: &[Indicator],
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
    .fetch_all(&mut *c)
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
    let months = not_summed(
        c,
        cat,
        "v.region_code IN (SELECT code FROM region WHERE parent_code = $1 AND valid_to IS NULL)",
        region,
        period,
    )
    .await?;
    let begun = months_begun(period, crate::ledger::model::today());
    for ((r, code), (m, _)) in months {
        if let Some(kid) = out.iter_mut().find(|k| k.0 == r) {
            kid.2
                .insert(code.clone(), over_time(time_agg_of(cat, &code), &m, begun));
        }
    }
    for kid in &mut out {
        for i in cat.iter().filter(|i| i.is_rate()) {
            let v = rate_of(i, |p| kid.2.get(p).copied().unwrap_or(0));
            kid.2.insert(i.code.clone(), v);
        }
    }
    Ok(out)
}

/// Entrepreneurs in the register by category (高校毕业生, 返乡农民工, …) in a region and below,
/// largest first, from the ledger's kept counts (one row per community and category).
pub async fn categories(c: Exec<'_>, region: &str) -> Result<Vec<(String, i64)>> {
    let s = crate::org::RegionScope::of(region);
    Ok(sqlx::query_as(
        "SELECT value, CAST(SUM(n) AS BIGINT) AS n FROM ledger_count \
         WHERE entity = 'person' AND facet = 'category' AND region_code BETWEEN $1 AND $2 \
         GROUP BY value HAVING SUM(n) > 0 ORDER BY n DESC, value",
    )
    .bind(s.lo)
    .bind(s.hi)
    .fetch_all(c)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn m(list: &[(&str, i64)]) -> Vec<(String, i64)> {
        list.iter().map(|(a, b)| (a.to_string(), *b)).collect()
    }

    #[test]
    fn figures_add_up_take_the_last_month_or_average_as_defined() {
        let months = m(&[("2025-03", 4), ("2025-01", 10), ("2025-02", 7)]);
        assert_eq!(over_time("sum", &months, 3), 21);
        assert_eq!(over_time("last", &months, 3), 4);
        assert_eq!(over_time("avg", &months, 3), 7);
        assert_eq!(
            over_time("avg", &m(&[("2025-01", 10)]), 4),
            3,
            "months without data count"
        );
        assert_eq!(over_time("last", &[], 12), 0);
    }

    #[test]
    fn an_average_divides_by_the_months_begun() {
        let year = Period::parse("2025").unwrap();
        assert_eq!(months_begun(&year, date!(2025 - 04 - 10)), 4);
        assert_eq!(months_begun(&year, date!(2026 - 01 - 01)), 12);
        assert_eq!(
            months_begun(&Period::parse("2025-Q3").unwrap(), date!(2025 - 04 - 10)),
            1
        );
    }
}
