//! Indicators derived from the ledger: kept at write time at every level of the region tree,
//! exact after inserts, moves, changes and deletions; the dashboard stays inside the scope.

use chuangye_core::Error;
use chuangye_core::indicators::{Period, dashboard, repo};
use chuangye_core::ledger::generate::{Scale, generate};
use chuangye_core::testing::TestDb;

use crate::{COMMUNITY, COUNTY, OTHER_COMMUNITY, county_admin, scoped, weidu};

/// Every kept figure equals a count over the ledger, for every level a record's code names.
async fn assert_values_exact(t: &TestDb) {
    let kept: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT indicator_code, region_code, month, value FROM indicator_value WHERE value <> 0 ORDER BY 1, 2, 3",
    )
    .fetch_all(t.core.db.pool())
    .await
    .unwrap();
    let levels = "SELECT 2 AS n UNION ALL SELECT 4 UNION ALL SELECT 6 UNION ALL SELECT 9 UNION ALL SELECT 12";
    let anc = "substr(x.region_code, 1, l.n) || substr('000000000000', 1, 12 - l.n)";
    let sql = format!(
        "SELECT code, anc, month, CAST(SUM(v) AS BIGINT) FROM (\
           SELECT DISTINCT x.id, x.code, {anc} AS anc, x.month, x.v FROM (\
             SELECT id, region_code, CASE kind WHEN 'private' THEN 'new_private_enterprises' WHEN 'individual' THEN 'new_individual_businesses' WHEN 'coop' THEN 'new_cooperatives' END AS code, substr(registered_on, 1, 7) AS month, 1 AS v FROM business \
             UNION ALL SELECT id, region_code, 'jobs_driven', substr(registered_on, 1, 7), jobs FROM business \
             UNION ALL SELECT id, region_code, 'visits_made', substr(visit_date, 1, 7), 1 FROM visit\
           ) x CROSS JOIN ({levels}) l WHERE x.code IS NOT NULL\
         ) y GROUP BY code, anc, month HAVING SUM(v) <> 0 ORDER BY 1, 2, 3"
    );
    let expected: Vec<(String, String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(t.core.db.pool())
        .await
        .unwrap();
    let kept_without_persons: Vec<_> = kept
        .into_iter()
        .filter(|k| k.0 != "new_entrepreneurs")
        .collect();
    assert_eq!(kept_without_persons, expected);
}

async fn new_entrepreneurs_at(t: &TestDb, region: &str) -> i64 {
    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM indicator_value WHERE indicator_code = 'new_entrepreneurs' AND region_code = $1")
        .bind(region.to_string())
        .fetch_one(t.core.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn derived_figures_are_exact_at_every_level_after_any_write() {
    let t = weidu().await;
    generate(&t.core, "411002", Scale::DEMO, 5, |_, _, _| {})
        .await
        .unwrap();
    assert_values_exact(&t).await;
    let persons: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM person")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap();
    assert_eq!(new_entrepreneurs_at(&t, COUNTY).await, persons);
    assert_eq!(
        new_entrepreneurs_at(&t, "410000000000").await,
        persons,
        "the province"
    );
    // Moves, changes and deletions.
    for sql in [
        "UPDATE business SET region_code = '411002001002' WHERE id IN (SELECT id FROM business ORDER BY id LIMIT 15)",
        "UPDATE business SET jobs = jobs + 3, kind = 'private' WHERE id IN (SELECT id FROM business ORDER BY id DESC LIMIT 9)",
        "UPDATE business SET registered_on = '2020-02-02' WHERE id IN (SELECT id FROM business ORDER BY name LIMIT 4)",
        "UPDATE visit SET region_code = '411002001002', visit_date = '2021-01-05' WHERE id IN (SELECT id FROM visit ORDER BY id LIMIT 20)",
        "DELETE FROM need WHERE visit_id IN (SELECT id FROM visit ORDER BY id DESC LIMIT 5)",
        "DELETE FROM visit WHERE id IN (SELECT id FROM visit ORDER BY id DESC LIMIT 5)",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(t.core.db.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    assert_values_exact(&t).await;
}

#[tokio::test]
async fn the_dashboard_sums_the_children_and_stays_in_scope() {
    let t = weidu().await;
    generate(&t.core, "411002", Scale::DEMO, 6, |_, _, _| {})
        .await
        .unwrap();
    let year: i32 =
        sqlx::query_scalar::<_, String>("SELECT MAX(substr(registered_on, 1, 4)) FROM business")
            .fetch_one(t.core.db.pool())
            .await
            .unwrap()
            .parse()
            .unwrap();
    let d = dashboard(
        &t.core,
        &county_admin(),
        Some(COUNTY),
        year,
        Some("new_individual_businesses"),
    )
    .await
    .unwrap();
    assert_eq!(d.selected, "new_individual_businesses");
    let i = d
        .cards
        .iter()
        .position(|c| c.indicator.code == d.selected)
        .unwrap();
    let card = &d.cards[i];
    assert!(card.value > 0 && card.as_of.is_some());
    assert_eq!(
        d.trend.iter().sum::<i64>(),
        card.value,
        "the months add up to the year"
    );
    let children: i64 = d.children.iter().map(|c| c.values[i]).sum();
    assert_eq!(
        children, card.value,
        "the sub-districts add up to the county"
    );
    let ranking = d.ranking();
    assert!(ranking.windows(2).all(|w| w[0].1 >= w[1].1));
    // A community worker sees their own community and nothing beside it.
    let staff = scoped(COMMUNITY);
    let own = dashboard(&t.core, &staff, None, year, None).await.unwrap();
    assert_eq!(own.region_code, COMMUNITY);
    let e = dashboard(&t.core, &staff, Some(OTHER_COMMUNITY), year, None)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound), "{e:?}");
    let e = dashboard(&t.core, &staff, None, 1800, None)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e:?}");
    // Periods: a quarter's total is read from the same rows.
    let mut c = t.core.db.pool().acquire().await.unwrap();
    let mut quarters = 0;
    for q in 1..=4 {
        let p = Period::parse(&format!("{year}-Q{q}")).unwrap();
        quarters += repo::totals(&mut c, COUNTY, &p)
            .await
            .unwrap()
            .get("new_individual_businesses")
            .map_or(0, |v| v.0);
    }
    assert_eq!(quarters, card.value);
}
