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
    let mut expected: Vec<(String, String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(t.core.db.pool())
        .await
        .unwrap();
    expected.extend(needs_expected(t).await);
    expected.sort();
    let kept_without_persons: Vec<_> = kept
        .into_iter()
        .filter(|k| k.0 != "new_entrepreneurs")
        .collect();
    assert_eq!(kept_without_persons, expected);
}

/// The needs closed (and closed by their deadline) per level and month of closing, China time,
/// counted here in Rust rather than in either engine's date functions.
async fn needs_expected(t: &TestDb) -> Vec<(String, String, String, i64)> {
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT region_code, CAST(closed_at AS BIGINT), deadline FROM need \
         WHERE state IN ('resolved', 'unresolvable') AND closed_at IS NOT NULL",
    )
    .fetch_all(t.core.db.pool())
    .await
    .unwrap();
    let mut counts: std::collections::BTreeMap<(String, String, String), i64> = Default::default();
    for (region, closed_at, deadline) in rows {
        let day = (time::OffsetDateTime::from_unix_timestamp(closed_at + 8 * 3600).unwrap()).date();
        let date = format!(
            "{:04}-{:02}-{:02}",
            day.year(),
            u8::from(day.month()),
            day.day()
        );
        let mut levels: Vec<String> = [2, 4, 6, 9, 12]
            .iter()
            .map(|n| format!("{:0<12}", &region[..*n]))
            .collect();
        levels.dedup();
        for anc in levels {
            let mut add = |code: &str| {
                *counts
                    .entry((code.to_string(), anc.clone(), date[..7].to_string()))
                    .or_default() += 1;
            };
            add("needs_closed");
            if date <= deadline {
                add("needs_closed_on_time");
            }
        }
    }
    counts
        .into_iter()
        .map(|((a, b, c), n)| (a, b, c, n))
        .collect()
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
        "UPDATE need SET state = 'resolved', closed_at = created_at + 3 * 86400 WHERE id IN (SELECT id FROM need WHERE state IN ('open', 'accepted') ORDER BY id LIMIT 12)",
        "UPDATE need SET deadline = '2000-01-01' WHERE id IN (SELECT id FROM need WHERE closed_at IS NOT NULL ORDER BY id LIMIT 7)",
        "UPDATE need SET region_code = '411002001002' WHERE id IN (SELECT id FROM need WHERE closed_at IS NOT NULL ORDER BY id DESC LIMIT 6)",
        "UPDATE need SET closed_at = closed_at + 40 * 86400 WHERE id IN (SELECT id FROM need WHERE closed_at IS NOT NULL ORDER BY created_at LIMIT 5)",
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
    let cat = repo::catalogue(&mut c).await.unwrap();
    let mut quarters = 0;
    for q in 1..=4 {
        let p = Period::parse(&format!("{year}-Q{q}")).unwrap();
        quarters += repo::totals(&mut c, &cat, COUNTY, &p)
            .await
            .unwrap()
            .get("new_individual_businesses")
            .map_or(0, |v| v.0);
    }
    assert_eq!(quarters, card.value);
}

mod entry {
    use chuangye_core::Error;
    use chuangye_core::indicators::entry::{Decision, below, decide, save};

    use crate::{COMMUNITY, COUNTY, OTHER_COMMUNITY, STREET, scoped, weidu};

    fn this_month() -> String {
        let d = chuangye_core::ledger::model::today();
        format!("{:04}-{:02}", d.year(), u8::from(d.month()))
    }

    async fn figure(t: &chuangye_core::testing::TestDb, region: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM indicator_value WHERE indicator_code = 'new_urban_jobs' AND region_code = $1",
        )
        .bind(region.to_string())
        .fetch_one(t.core.db.pool())
        .await
        .unwrap()
    }

    fn keys(e: Error) -> Vec<String> {
        match e {
            Error::Invalid(v) => v
                .into_iter()
                .map(|f| format!("{}:{}", f.field, f.key))
                .collect(),
            e => panic!("expected field errors, got {e:?}"),
        }
    }

    fn v(code: &str, value: &str) -> Vec<(String, String)> {
        vec![(code.to_string(), value.to_string())]
    }

    #[tokio::test]
    async fn an_entry_counts_once_the_level_above_approves_and_is_then_locked() {
        let t = weidu().await;
        let (community, street, county) = (scoped(COMMUNITY), scoped(STREET), scoped(COUNTY));
        let month = this_month();
        save(
            &t.core,
            &community,
            COMMUNITY,
            &month,
            &v("new_urban_jobs", "12"),
        )
        .await
        .unwrap();
        assert_eq!(figure(&t, COUNTY).await, 0, "not counted before approval");
        let pending = below(&t.core, &street, "submitted").await.unwrap();
        assert_eq!(pending.len(), 1);
        let id = pending[0].id.clone();
        // Only the level directly above decides.
        let e = decide(&t.core, &county, &id, Decision::Approve, "")
            .await
            .unwrap_err();
        assert_eq!(keys(e), ["decision:indicator.not_your_level"]);
        let e = decide(
            &t.core,
            &scoped(OTHER_COMMUNITY),
            &id,
            Decision::Approve,
            "",
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::NotFound), "{e:?}");
        decide(&t.core, &street, &id, Decision::Approve, "")
            .await
            .unwrap();
        for region in [COMMUNITY, STREET, COUNTY, "410000000000"] {
            assert_eq!(figure(&t, region).await, 12, "{region}");
        }
        // Locked: a correction needs the level above to reopen it, with a reason.
        let e = save(
            &t.core,
            &community,
            COMMUNITY,
            &month,
            &v("new_urban_jobs", "15"),
        )
        .await
        .unwrap_err();
        assert_eq!(keys(e), ["value_new_urban_jobs:indicator.locked"]);
        let e = decide(&t.core, &street, &id, Decision::Reopen, " ")
            .await
            .unwrap_err();
        assert_eq!(keys(e), ["reason:indicator.reason_required"]);
        decide(&t.core, &street, &id, Decision::Reopen, "报错了")
            .await
            .unwrap();
        assert_eq!(figure(&t, COUNTY).await, 0, "reopened: out of the figures");
        save(
            &t.core,
            &community,
            COMMUNITY,
            &month,
            &v("new_urban_jobs", "15"),
        )
        .await
        .unwrap();
        decide(&t.core, &street, &id, Decision::Approve, "")
            .await
            .unwrap();
        assert_eq!(figure(&t, COUNTY).await, 15);
        let audited: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'indicator_entry' AND entity_id = $1",
        )
        .bind(id)
        .fetch_one(t.core.db.pool())
        .await
        .unwrap();
        assert_eq!(audited, 5, "entered, approved, reopened, entered, approved");
    }

    #[tokio::test]
    async fn bad_entries_are_refused_at_their_field_and_nothing_is_saved() {
        let t = weidu().await;
        let community = scoped(COMMUNITY);
        let month = this_month();
        for (value, key) in [
            ("-3", "indicator.value_invalid"),
            ("三十", "indicator.value_invalid"),
        ] {
            let mut values = v("new_urban_jobs", "5");
            values.push(("training_persons".into(), value.into()));
            let e = save(&t.core, &community, COMMUNITY, &month, &values)
                .await
                .unwrap_err();
            assert_eq!(keys(e), [format!("value_training_persons:{key}")]);
        }
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM indicator_entry")
            .fetch_one(t.core.db.pool())
            .await
            .unwrap();
        assert_eq!(
            count, 0,
            "the good value of a refused form is not saved either"
        );
        let e = save(
            &t.core,
            &community,
            COMMUNITY,
            &month,
            &v("new_private_enterprises", "1"),
        )
        .await
        .unwrap_err();
        assert_eq!(
            keys(e),
            ["value_new_private_enterprises:indicator.not_entered"]
        );
        let e = save(
            &t.core,
            &community,
            COMMUNITY,
            "2099-01",
            &v("new_urban_jobs", "1"),
        )
        .await
        .unwrap_err();
        assert_eq!(keys(e), ["month:indicator.month_invalid"]);
        let e = save(
            &t.core,
            &community,
            COMMUNITY,
            "2024-01",
            &v("new_urban_jobs", "1"),
        )
        .await
        .unwrap_err();
        assert_eq!(keys(e), ["value_new_urban_jobs:indicator.past_due"]);
        let e = save(
            &t.core,
            &community,
            OTHER_COMMUNITY,
            &month,
            &v("new_urban_jobs", "1"),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::NotFound), "{e:?}");
    }
}

mod targets {
    use chuangye_core::Error;
    use chuangye_core::indicators::dashboard;
    use chuangye_core::indicators::entry::{Decision, below, decide, save};
    use chuangye_core::indicators::target::{TargetInput, set};

    use crate::{COMMUNITY, OTHER_COMMUNITY, STREET, scoped, weidu};

    fn input(region: &str, value: &str) -> TargetInput {
        TargetInput {
            region: region.into(),
            indicator: "new_urban_jobs".into(),
            value: value.into(),
        }
    }

    #[tokio::test]
    async fn the_dashboard_measures_a_region_against_its_target_and_pace() {
        let t = weidu().await;
        let street = scoped(STREET);
        let today = chuangye_core::ledger::model::today();
        let year = today.year();
        // A target for the community, set by its sub-district; a year-old target for no one.
        set(&t.core, &street, year, &[input(COMMUNITY, "1000")])
            .await
            .unwrap();
        let month = format!("{year:04}-{:02}", u8::from(today.month()));
        let community = scoped(COMMUNITY);
        save(
            &t.core,
            &community,
            COMMUNITY,
            &month,
            &[("new_urban_jobs".into(), "10".into())],
        )
        .await
        .unwrap();
        let id = below(&t.core, &street, "submitted").await.unwrap()[0]
            .id
            .clone();
        decide(&t.core, &street, &id, Decision::Approve, "")
            .await
            .unwrap();
        let d = dashboard(&t.core, &community, None, year, None)
            .await
            .unwrap();
        let card = d
            .cards
            .iter()
            .find(|c| c.indicator.code == "new_urban_jobs")
            .expect("an entered indicator with a target is shown");
        assert_eq!((card.value, card.target), (10, Some(1000)));
        assert_eq!(card.completion, Some(1.0));
        // 1 % done: behind any pace after the first days of January.
        if today.ordinal() > 20 {
            assert_eq!(
                card.alert,
                Some(chuangye_core::indicators::target::Alert::Red)
            );
        }
        // Bad input: nothing changes.
        let e = set(&t.core, &street, year, &[input(COMMUNITY, "-1")])
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid(_)), "{e:?}");
        let e = set(
            &t.core,
            &street,
            year,
            &[input(
                OTHER_COMMUNITY.replace("002001", "002002").as_str(),
                "5",
            )],
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::NotFound), "{e:?}");
        let e = set(&t.core, &street, 1999, &[input(COMMUNITY, "5")])
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid(_)), "{e:?}");
        let d = dashboard(&t.core, &community, None, year, None)
            .await
            .unwrap();
        let card = d
            .cards
            .iter()
            .find(|c| c.indicator.code == "new_urban_jobs")
            .unwrap();
        assert_eq!(card.target, Some(1000), "unchanged");
    }
}

#[tokio::test]
async fn the_demo_year_carries_new_urban_jobs_approved_against_a_target() {
    let t = TestDb::new().await;
    chuangye_core::demo::build_demo_with(&t.core, Some("Test-Pass-2024"), Scale::TINY)
        .await
        .unwrap();
    let today = chuangye_core::ledger::model::today();
    let d = dashboard(
        &t.core,
        &county_admin(),
        None,
        today.year(),
        Some("new_urban_jobs"),
    )
    .await
    .unwrap();
    let card = d
        .cards
        .iter()
        .find(|c| c.indicator.code == "new_urban_jobs")
        .expect("the demo's entered indicator");
    assert_eq!(card.target, Some(24_000));
    let entered: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM indicator_entry WHERE state = 'approved' AND indicator_code = 'new_urban_jobs' AND month LIKE $1",
    )
    .bind(format!("{}-%", today.year()))
    .fetch_one(t.core.db.pool())
    .await
    .unwrap();
    assert_eq!(
        card.value, entered,
        "the district's figure is its sub-districts' approved entries"
    );
    let months_gone = i64::from(u8::from(today.month())) - 1;
    assert!(
        (card.value - 23_490 * months_gone / 12).abs() <= 23_490 / 12,
        "{}",
        card.value
    );
    let children: i64 = d
        .children
        .iter()
        .map(|c| {
            c.values[d
                .cards
                .iter()
                .position(|c| c.indicator.code == "new_urban_jobs")
                .unwrap()]
        })
        .sum();
    assert_eq!(children, card.value);
}

/// An indicator added to the catalogue is data: it is entered like the built-in ones, a stock
/// (`last`) reads as its latest month and an average as per month begun; retiring it hides it
/// from the dashboard while its figures stay; only the catalogue permission may change it.
#[tokio::test]
async fn an_added_indicator_aggregates_over_time_as_defined_and_can_be_retired() {
    use chuangye_core::indicators::catalogue::{self, Input};
    let t = weidu().await;
    let office = county_admin();
    for (code, agg) in [("bases_open", "last"), ("hotline_calls", "avg")] {
        catalogue::add(
            &t.core,
            &office,
            &Input {
                code: code.into(),
                name: format!("测试{code}"),
                unit: "个".into(),
                definition: String::new(),
                source: "entered".into(),
                time_agg: agg.into(),
                due_day: "10".into(),
            },
        )
        .await
        .unwrap();
    }
    let taken = catalogue::add(
        &t.core,
        &office,
        &Input {
            code: "bases_open".into(),
            name: "重复".into(),
            unit: "个".into(),
            source: "entered".into(),
            time_agg: "sum".into(),
            due_day: "10".into(),
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(taken, Err(Error::Invalid(v)) if v[0].key == "indicator.code_taken"));
    for (code, month, v) in [
        ("bases_open", "2024-03", 5),
        ("bases_open", "2024-07", 8),
        ("bases_open", "2024-05", 6),
        ("hotline_calls", "2024-01", 30),
        ("hotline_calls", "2024-02", 18),
    ] {
        sqlx::query("INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at) VALUES ($1, $2, $3, $4, 1)")
            .bind(code)
            .bind(COUNTY)
            .bind(month)
            .bind(v as i64)
            .execute(t.core.db.pool())
            .await
            .unwrap();
    }
    let mut c = t.core.db.pool().acquire().await.unwrap();
    let cat = repo::catalogue(&mut c).await.unwrap();
    let year = repo::totals(&mut c, &cat, COUNTY, &Period::year(2024))
        .await
        .unwrap();
    assert_eq!(year["bases_open"].0, 8, "the stock at the latest month");
    assert_eq!(
        year["hotline_calls"].0, 4,
        "48 calls over the 12 months of a past year"
    );
    let q1 = repo::totals(&mut c, &cat, COUNTY, &Period::parse("2024-Q1").unwrap())
        .await
        .unwrap();
    assert_eq!(q1["bases_open"].0, 5);
    assert_eq!(q1["hotline_calls"].0, 16);
    drop(c);
    let d = dashboard(&t.core, &office, None, 2024, None).await.unwrap();
    assert!(
        d.cards
            .iter()
            .any(|c| c.indicator.code == "bases_open" && c.value == 8)
    );
    catalogue::set_retired(&t.core, &office, "bases_open", true)
        .await
        .unwrap();
    let d = dashboard(&t.core, &office, None, 2024, None).await.unwrap();
    assert!(!d.cards.iter().any(|c| c.indicator.code == "bases_open"));
    let kept: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM indicator_value WHERE indicator_code = 'bases_open'",
    )
    .fetch_one(t.core.db.pool())
    .await
    .unwrap();
    assert_eq!(kept, 3, "its figures stay");
    let staff = crate::user(&t, "catalogue-staff", COUNTY).await;
    assert!(matches!(
        catalogue::set_retired(&t.core, &staff, "hotline_calls", true).await,
        Err(Error::Forbidden)
    ));
}

#[tokio::test]
async fn a_rate_is_recomputed_from_summed_counts_never_averaged() {
    let t = weidu().await;
    let year = 2024;
    // 1 of 1 closed on time in one community, 1 of 3 in the other (kept as the triggers would).
    let kept = [
        (COMMUNITY, "needs_closed", 1),
        (COMMUNITY, "needs_closed_on_time", 1),
        (OTHER_COMMUNITY, "needs_closed", 3),
        (OTHER_COMMUNITY, "needs_closed_on_time", 1),
        (crate::STREET, "needs_closed", 4),
        (crate::STREET, "needs_closed_on_time", 2),
    ];
    for (region, code, v) in kept {
        sqlx::query("INSERT INTO indicator_value (indicator_code, region_code, month, value, updated_at) VALUES ($1, $2, '2024-05', $3, 1)")
            .bind(code)
            .bind(region)
            .bind(v as i64)
            .execute(t.core.db.pool())
            .await
            .unwrap();
    }
    let d = dashboard(
        &t.core,
        &county_admin(),
        Some(crate::STREET),
        year,
        Some("needs_on_time_rate"),
    )
    .await
    .unwrap();
    let i = d
        .cards
        .iter()
        .position(|c| c.indicator.code == "needs_on_time_rate")
        .expect("the rate is a card");
    let card = &d.cards[i];
    assert_eq!(
        card.value, 500,
        "2 of 4 is 50.0 %, not the 66.7 % average of 100 % and 33.3 %"
    );
    assert_eq!(card.indicator.show(card.value), "50.0");
    assert_eq!(
        card.indicator.show(card.last_year),
        "—",
        "nothing closed the year before"
    );
    assert_eq!(card.change, None);
    let kid = |code: &str| d.children.iter().find(|c| c.code == code).unwrap().values[i];
    assert_eq!(kid(COMMUNITY), 1000);
    assert_eq!(kid(OTHER_COMMUNITY), 333);
    assert_eq!(d.trend[4], 500, "May");
    assert_eq!(d.trend[0], chuangye_core::indicators::model::NO_RATE);
    // The report writes it as people do.
    let figures =
        chuangye_core::reports::summary::gather(&t.core, &county_admin(), crate::STREET, "2024")
            .await
            .unwrap();
    let slot = chuangye_core::reports::template::Slot::Figure(
        "needs_on_time_rate".into(),
        chuangye_core::reports::template::Facet::Value,
    );
    assert_eq!(figures.text_of(&slot), "50.0%");
}
