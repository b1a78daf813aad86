//! The dashboard and the indicator API through real HTTP: figures kept at write time show at
//! once, every level adds up, and a region outside the user's scope does not exist.

use chuangye_core::ledger::model::BusinessInput;
use chuangye_core::ledger::service::register_business;
use reqwest::StatusCode;

use crate::support::TestApp;

const COMMUNITY: &str = "411002001001";
const OTHER_STREET: &str = "411002002000";

fn this_year() -> i32 {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(8)).year()
}

/// Registers `n` individual businesses in `community`, founded this January.
async fn shops(app: &TestApp, community: &str, n: u32, jobs: u32) {
    let system = chuangye_core::org::Actor::system("411002000000", "test");
    for i in 0..n {
        register_business(
            app.core(),
            &system,
            &BusinessInput {
                name: format!("看板测试{community}{i}号店"),
                kind: "individual".into(),
                industry: "52".into(),
                registered_on: format!("{}-01-15", this_year()),
                region_code: community.into(),
                address: "一号".into(),
                capital: "1万".into(),
                jobs: jobs.to_string(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
}

fn card_value(html: &str, code: &str) -> i64 {
    let i = html
        .find(&format!("data-indicator=\"{code}\""))
        .unwrap_or_else(|| panic!("no card {code}"));
    let rest = &html[i..];
    let j = rest.find("data-value=\"").expect("value") + 12;
    rest[j..].split('"').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_business_registered_shows_at_once_on_every_level_of_the_dashboard() {
    let app = TestApp::demo().await;
    shops(&app, COMMUNITY, 3, 2).await;
    shops(&app, "411002002001", 1, 0).await;
    let office = app.login("office").await;
    let (status, html) = office.text("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(card_value(&html, "new_individual_businesses"), 4);
    assert_eq!(card_value(&html, "jobs_driven"), 6);
    assert!(html.contains("<svg") && html.contains("role=\"img\""));
    assert!(
        html.contains("id=\"children\""),
        "the table of sub-districts"
    );
    // One level down: the sub-district holds its own three.
    let (_, street) = office
        .text(&format!(
            "/dashboard?region=411002001000&year={}",
            this_year()
        ))
        .await;
    assert_eq!(card_value(&street, "new_individual_businesses"), 3);
    // The figure opens the records behind it.
    let i = html
        .find("data-indicator=\"new_individual_businesses\"")
        .unwrap();
    let card = &html[i..i + html[i..].find("</li>").unwrap()];
    let j = card
        .find("class=\"figure-rows\" href=\"")
        .expect("a link to the records")
        + 26;
    let href = card[j..].split('"').next().unwrap().replace("&amp;", "&");
    let (status, list) = office.text(&href).await;
    assert_eq!(status, StatusCode::OK, "{href}");
    assert!(list.contains("id=\"total\">共 4 条"), "{href}");
    let x = office.get("/dashboard/export.xlsx").await;
    assert_eq!(x.status(), StatusCode::OK);
    assert!(x.bytes().await.unwrap().starts_with(b"PK"));
    // A community worker sees their community, and another region does not exist for them.
    let community = app.login("community").await;
    let (status, own) = community.text("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(card_value(&own, "new_individual_businesses"), 3);
    let (status, _) = community
        .text(&format!("/dashboard?region={OTHER_STREET}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, page) = community.text("/dashboard?year=abc").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
}

#[tokio::test]
async fn the_api_gives_values_by_region_and_period() {
    let app = TestApp::demo().await;
    shops(&app, COMMUNITY, 2, 1).await;
    let system = chuangye_core::org::Actor::system("411002000000", "test");
    let token = chuangye_core::auth::create_token(app.core(), &system, "office", "test")
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let get = |path: String| {
        http.get(format!("{}{}", app.base, path))
            .bearer_auth(token.clone())
            .send()
    };
    let r = get("/api/v1/indicators".into()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let list: serde_json::Value = r.json().await.unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "new_urban_jobs")
    );
    let r = get(format!(
        "/api/v1/indicators/values?region={COMMUNITY}&period={}-Q1",
        this_year()
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: serde_json::Value = r.json().await.unwrap();
    let shops = v["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "new_individual_businesses")
        .unwrap();
    assert_eq!(shops["value"], 2);
    assert!(shops["as_of"].is_string());
    let r = get(format!(
        "/api/v1/indicators/values?period={}-Q2",
        this_year()
    ))
    .await
    .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(
        v["values"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["value"] == 0 || x["value"].is_null()),
        "nothing in Q2 (a rate over nothing is null)"
    );
    let r = get("/api/v1/indicators/values?period=2025-13".into())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn targets_set_on_their_page_show_on_the_dashboard_and_bad_ones_stay_at_their_field() {
    let app = TestApp::demo().await;
    shops(&app, COMMUNITY, 2, 0).await;
    let office = app.login("office").await;
    let (status, page) = office.text("/indicators/targets").await;
    assert_eq!(status, StatusCode::OK);
    let year = this_year().to_string();
    let street_field = "t_411002001000_new_individual_businesses";
    assert!(
        page.contains(&format!("name=\"{street_field}\"")),
        "a line per sub-district"
    );
    let r = office
        .post(
            "/indicators/targets",
            &[("year", year.as_str()), (street_field, "-5")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!("id=\"{street_field}-error\"")),
        "the error at its cell"
    );
    let r = office
        .post(
            "/indicators/targets",
            &[("year", year.as_str()), (street_field, "400")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let street = app.login("street").await;
    let (_, dash) = street.text("/dashboard").await;
    let i = dash
        .find("data-indicator=\"new_individual_businesses\"")
        .unwrap();
    let card = &dash[i..i + dash[i..].find("</li>").unwrap()];
    assert!(card.contains("目标 400"), "{card}");
    assert!(card.contains("完成 0.5%"), "{card}");
}

/// The "visits made" and entered figures open the visits and the monthly entries behind them,
/// within the scope.
#[tokio::test]
async fn visits_and_entered_figures_open_the_rows_behind_them() {
    use chuangye_core::ledger::model::PersonInput;
    use chuangye_core::ledger::service::{Registered, VisitInput, record_visit, register_person};
    let app = TestApp::demo().await;
    let system = chuangye_core::org::Actor::system("411002000000", "test");
    let person = PersonInput {
        name: "走访下钻".into(),
        id_number: chuangye_core::testing::id_number(77),
        education: "college".into(),
        categories: vec!["returnee".into()],
        household: "urban".into(),
        region_code: COMMUNITY.into(),
        ..Default::default()
    };
    let Registered::New(pid) = register_person(app.core(), &system, &person).await.unwrap() else {
        panic!()
    };
    let date = format!("{}-02-03", this_year());
    let visit = VisitInput {
        visit_date: date.clone(),
        method: "home".into(),
        notes: "了解经营情况".into(),
        ..Default::default()
    };
    record_visit(app.core(), &system, &pid, &visit)
        .await
        .unwrap();
    let community = app.login("community").await;
    let today = chuangye_core::ledger::model::today();
    let month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    let r = community
        .post(
            "/indicators/entry",
            &[("month", &month), ("value_publicity_events", "4")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Its sub-district approves it, so the figure counts it.
    let id: String = sqlx::query_scalar("SELECT id FROM indicator_entry WHERE region_code = $1")
        .bind(COMMUNITY)
        .fetch_one(app.core().db.pool())
        .await
        .unwrap();
    let street = chuangye_core::org::Actor::system("411002001000", "test");
    chuangye_core::indicators::entry::decide(
        app.core(),
        &street,
        &id,
        chuangye_core::indicators::entry::Decision::Approve,
        "",
    )
    .await
    .unwrap();

    let office = app.login("office").await;
    let (_, html) = office.text("/dashboard").await;
    let link = |code: &str| {
        let i = html
            .find(&format!("data-indicator=\"{code}\""))
            .expect("card");
        let card = &html[i..i + html[i..].find("</li>").unwrap()];
        let j = card.find("class=\"figure-rows\" href=\"").expect("a link") + 26;
        card[j..].split('"').next().unwrap().replace("&amp;", "&")
    };
    // Entrepreneurs by category, each opening the register filtered to it.
    let i = html
        .find("data-category=\"returnee\"")
        .expect("the category chart's links");
    let a = html[..i].rfind("href=\"").unwrap() + 6;
    let href = html[a..].split('"').next().unwrap().replace("&amp;", "&");
    let (status, persons) = office.text(&href).await;
    assert_eq!(status, StatusCode::OK);
    assert!(persons.contains("走访下钻"), "{href}");
    let (status, visits) = office.text(&link("visits_made")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        visits.contains("走访下钻") && visits.contains(&date),
        "{visits}"
    );
    let (status, entries) = office.text(&link("publicity_events")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        entries.contains(&format!("data-region=\"{COMMUNITY}\"")),
        "{entries}"
    );
    // Another sub-district sees neither.
    let (_, none) = community
        .text(&format!("/ledger/visits?region={OTHER_STREET}"))
        .await;
    assert!(!none.contains("走访下钻"));
    assert_eq!(
        community
            .get(&format!(
                "/indicators/entries?indicator=publicity_events&region={OTHER_STREET}"
            ))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

/// The campaign office adds an entered indicator on the catalogue page; communities then see it
/// on their monthly form. A bad code is refused at its field; sub-district staff may only read.
#[tokio::test]
async fn an_indicator_added_on_the_catalogue_page_reaches_the_entry_form() {
    let app = TestApp::demo().await;
    let office = app.login("office").await;
    let r = office
        .post(
            "/indicators/catalogue",
            &[
                ("code", "9bad"),
                ("name", "在孵企业"),
                ("unit", "户"),
                ("source", "entered"),
                ("time_agg", "last"),
                ("due_day", "10"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("代码由小写字母"));
    let r = office
        .post(
            "/indicators/catalogue",
            &[
                ("code", "incubating_firms"),
                ("name", "在孵企业"),
                ("unit", "户"),
                ("source", "entered"),
                ("time_agg", "last"),
                ("due_day", "12"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = office.text("/indicators/catalogue").await;
    assert!(html.contains("data-code=\"incubating_firms\""));
    let community = app.login("community").await;
    let (_, form) = community.text("/indicators/entry").await;
    assert!(
        form.contains("value_incubating_firms"),
        "the new line on the form"
    );
    let street = app.login("street").await;
    let (status, html) = street.text("/indicators/catalogue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("id=\"add-indicator\""));
    assert_eq!(
        street
            .post(
                "/indicators/catalogue/incubating_firms/retire",
                &[("retired", "1")]
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

/// The needs-closed-on-time rate on the dashboard equals closed-on-time ÷ closed over the needs
/// themselves, and opens the closed needs behind it, within the scope.
#[tokio::test]
async fn the_on_time_rate_of_needs_is_the_ratio_of_the_needs_behind_it() {
    use chuangye_core::ledger::model::PersonInput;
    use chuangye_core::ledger::service::{
        NeedInput, NeedUpdate, Registered, VisitInput, record_visit, register_person, update_need,
    };
    let app = TestApp::demo().await;
    let year = this_year();
    // Three needs raised on a visit today and closed by their unit: one late (its deadline
    // moved into the past), two on time.
    let system = chuangye_core::org::Actor::system("411002000000", "test");
    let person = PersonInput {
        name: "需求办结".into(),
        id_number: chuangye_core::testing::id_number(78),
        education: "college".into(),
        categories: vec!["returnee".into()],
        household: "urban".into(),
        region_code: COMMUNITY.into(),
        ..Default::default()
    };
    let Registered::New(pid) = register_person(app.core(), &system, &person).await.unwrap() else {
        panic!()
    };
    let unit: String = sqlx::query_scalar("SELECT id FROM unit ORDER BY id LIMIT 1")
        .fetch_one(app.core().db.pool())
        .await
        .unwrap();
    let need = |d: &str| NeedInput {
        kind: "funding".into(),
        description: d.into(),
        unit_id: unit.clone(),
    };
    let visit = VisitInput {
        visit_date: chuangye_core::ledger::model::fmt_date(chuangye_core::ledger::model::today()),
        method: "home".into(),
        notes: "了解融资需求".into(),
        needs: vec![need("贷款"), need("场地"), need("培训")],
        ..Default::default()
    };
    record_visit(app.core(), &system, &pid, &visit)
        .await
        .unwrap();
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM need WHERE person_id = $1 ORDER BY id")
            .bind(pid.clone())
            .fetch_all(app.core().db.pool())
            .await
            .unwrap();
    sqlx::query("UPDATE need SET deadline = '2001-01-01' WHERE id = $1")
        .bind(ids[0].clone())
        .execute(app.core().db.pool())
        .await
        .unwrap();
    let liaison = chuangye_core::org::Actor {
        unit_id: Some(unit.clone()),
        ..system.clone()
    };
    for id in &ids {
        let done = NeedUpdate {
            state: "resolved".into(),
            reason: String::new(),
        };
        update_need(app.core(), &liaison, id, &done).await.unwrap();
    }
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT region_code, CAST(closed_at AS BIGINT), deadline FROM need \
         WHERE state IN ('resolved', 'unresolvable') AND closed_at IS NOT NULL",
    )
    .fetch_all(app.core().db.pool())
    .await
    .unwrap();
    let (mut closed, mut on_time) = (0i64, 0i64);
    for (region, at, deadline) in rows {
        let d = time::OffsetDateTime::from_unix_timestamp(at + 8 * 3600)
            .unwrap()
            .date();
        let day = chuangye_core::ledger::model::fmt_date(d);
        if d.year() == year && region.starts_with("411002") {
            closed += 1;
            on_time += i64::from(day <= deadline);
        }
    }
    assert!(closed > 0, "the demo closes needs this year");
    let expected = (on_time * 2000 + closed) / (2 * closed);
    let office = app.login("office").await;
    let (_, html) = office.text("/dashboard").await;
    let i = html
        .find("data-indicator=\"needs_on_time_rate\"")
        .expect("the rate's card");
    let card = &html[i..i + html[i..].find("</li>").unwrap()];
    assert!(
        card.contains(&format!("data-value=\"{expected}\"")),
        "{expected} in {card}"
    );
    let shown = format!("{:.1}", expected as f64 / 10.0);
    assert!(
        card.contains(&format!(">{shown}</span>")),
        "{shown} in {card}"
    );
    let j = card.find("class=\"figure-rows\" href=\"").expect("a link") + 26;
    let href = card[j..].split('"').next().unwrap().replace("&amp;", "&");
    assert!(href.starts_with("/ledger/needs/closed?"), "{href}");
    let (status, list) = office.text(&href).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("id=\"needs-closed\""), "{list}");
    assert_eq!(
        list.matches("<tr data-need=").count(),
        (closed as usize).min(50),
        "a page of the closed needs"
    );
    // A community worker cannot list another sub-district's needs.
    let community = app.login("community").await;
    assert_eq!(
        community
            .get(&format!("/ledger/needs/closed?region={OTHER_STREET}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
