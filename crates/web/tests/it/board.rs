//! The job board and business ideas through real HTTP: the demo's public lists and their
//! filters, contacts as the poster chose, matches, expiry and withdrawal answered 410, the JSON
//! API, the back office's entry, review and withdrawal; bad input escaped or refused, never a 500.

use reqwest::StatusCode;
use reqwest::header;

use crate::support::TestApp;

async fn id_of(app: &TestApp, table: &str, column: &str, value: &str) -> String {
    let sql = format!("SELECT id FROM {table} WHERE {column} = $1");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(value.to_string())
        .fetch_one(app.core().db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn public_lists_filter_and_pages_show_the_contact_as_the_poster_chose() {
    let app = TestApp::demo().await;
    let anon = app.client();
    let (status, html) = anon.text("/portal/jobs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("href=\"/portal/jobs\""),
        "in the portal's navigation"
    );
    let listed = |html: &str| {
        html.find("id=\"entries\"")
            .map_or(String::new(), |at| html[at..].to_string())
    };
    let all = listed(&html);
    for p in ["瑞贝卡发制品", "建筑劳务公司", "养老服务中心"] {
        assert!(all.contains(p), "{p} listed");
    }
    assert!(
        !all.contains("快递分拣员"),
        "a submission in review is not public"
    );
    let (_, html) = anon.text("/portal/jobs?trade=electrician").await;
    let some = listed(&html);
    assert!(
        some.contains("建筑劳务公司") && !some.contains("瑞贝卡"),
        "{html}"
    );
    let (_, html) = anon.text("/portal/jobs?pay_min=9000").await;
    assert!(html.contains("id=\"no-entries\""));
    let (_, html) = anon
        .text("/portal/jobs?q=%E5%8F%91%E5%88%B6%E5%93%81")
        .await;
    let some = listed(&html);
    assert!(some.contains("瑞贝卡") && !some.contains("养老服务中心"));
    let (_, html) = anon.text("/portal/jobs?region=411002002000").await;
    assert!(
        html.contains("id=\"no-entries\""),
        "another sub-district's list"
    );

    let public = id_of(&app, "job_posting", "position", "发制品操作工").await;
    let (status, html) = anon.text(&format!("/portal/jobs/{public}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("13803741234"), "shown in full as chosen");
    // The supply of the same trade nearby is suggested on a posting's page.
    let care = id_of(&app, "job_posting", "position", "养老护理员").await;
    let (_, html) = anon.text(&format!("/portal/jobs/{care}")).await;
    assert!(!html.contains("15803745678") && !html.contains("158****5678"));
    let at = html
        .find("id=\"contact-service-point\"")
        .expect("service point");
    assert!(
        html[at..].contains("0374-5101234"),
        "the sub-district's hotline"
    );
    let at = html.find("id=\"matches\"").unwrap();
    assert!(
        html[at..].contains("/portal/labour/"),
        "care supply suggested"
    );
    let masked = id_of(&app, "job_posting", "position", "电工").await;
    let (_, html) = anon.text(&format!("/portal/jobs/{masked}")).await;
    assert!(html.contains("139****2345") && html.contains("张**"));
    assert!(!html.contains("13937412345") && !html.contains("张建国"));

    // Traditional readers get the text converted; labour and ideas have pages too.
    anon.get("/lang/zh-hant").await;
    let (_, html) = anon.text("/portal/jobs").await;
    assert!(html.contains("許昌"), "converted");
    let (status, html) = anon.text("/portal/labour").await;
    assert_eq!(status, StatusCode::OK);
    assert!(listed(&html).contains("電工"));
    let (status, html) = anon.text("/portal/ideas?category=culture").await;
    assert_eq!(status, StatusCode::OK);
    let some = listed(&html);
    assert!(some.contains("文創") && !some.contains("生鮮"), "{html}");
    let idea = id_of(&app, "business_idea", "title", "校园周边文创小店").await;
    let (status, html) = anon.text(&format!("/portal/ideas/{idea}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("劉*") && !html.contains("13812345678"),
        "sender's surname only"
    );
    // Search finds every kind, filtered by kind.
    anon.get("/lang/zh-hans").await;
    let (_, html) = anon
        .text("/portal/search?q=%E5%8F%91%E5%88%B6%E5%93%81&kind=job")
        .await;
    assert!(html.contains(&format!("/portal/jobs/{public}")), "{html}");
}

#[tokio::test]
async fn an_expired_or_withdrawn_entry_answers_gone_on_its_page_and_in_the_api() {
    let app = TestApp::demo().await;
    let anon = app.client();
    let id = id_of(&app, "job_posting", "position", "发制品操作工").await;
    let r = anon.get(&format!("/portal/jobs/{id}")).await;
    let etag = r.headers()[header::ETAG].clone();
    assert_eq!(r.status(), StatusCode::OK);
    sqlx::query("UPDATE job_posting SET expire_at = $1 WHERE id = $2")
        .bind(chuangye_core::db::now() - 1)
        .bind(id.clone())
        .execute(app.core().db.pool())
        .await
        .unwrap();
    // The page cache keeps a page a second at most.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = anon
        .http
        .get(anon.url(&format!("/portal/jobs/{id}")))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::GONE);
    assert!(r.text().await.unwrap().contains("id=\"gone-notice\""));
    let (_, list) = anon.text("/portal/jobs").await;
    assert!(!list.contains("发制品操作工"));
    let r = anon.get(&format!("/api/v1/portal/jobs/{id}")).await;
    assert_eq!(r.status(), StatusCode::GONE);

    let office = app.login("office").await;
    let labour = id_of(&app, "labour_supply", "trade", "care").await;
    let r = office
        .post(
            &format!("/board/labour/{labour}/withdraw"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"reason-error\""));
    let r = office
        .post(
            &format!("/board/labour/{labour}/withdraw"),
            &[("reason", "<script>x</script>已满员")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = anon.text(&format!("/portal/labour/{labour}")).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("已满员") && !html.contains("<script>x"));
}

#[tokio::test]
async fn the_api_lists_with_the_same_filters_and_shows_contacts_only_as_chosen() {
    let app = TestApp::demo().await;
    let anon = app.client();
    let list: serde_json::Value = anon
        .get("/api/v1/portal/jobs?trade=care")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    let item = &list["items"][0];
    assert!(item["contact"].is_null(), "lists carry no contact");
    let id = item["id"].as_str().unwrap();
    let one: serde_json::Value = anon
        .get(&format!("/api/v1/portal/jobs/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["contact"]["visibility"], "staff");
    assert!(one["contact"]["phone"].is_null());
    assert_eq!(one["contact"]["hotline"], "0374-5101234");
    let masked = id_of(&app, "job_posting", "position", "电工").await;
    let one: serde_json::Value = anon
        .get(&format!("/api/v1/portal/jobs/{masked}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["contact"]["phone"], "139****2345");
    let text = one.to_string();
    assert!(!text.contains("13937412345") && !text.contains("张建国"));
    let high: serde_json::Value = anon
        .get("/api/v1/portal/jobs?pay_min=9000")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(high["total"], 0);
    let labour: serde_json::Value = anon
        .get("/api/v1/portal/labour?region=411002001000")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(labour["total"], 3);
    let ideas: serde_json::Value = anon
        .get("/api/v1/portal/ideas?q=%E6%96%87%E5%88%9B")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ideas["total"], 1);
    assert_eq!(ideas["items"][0]["submitter"], "刘*");
    let r = anon.get("/api/v1/portal/jobs?trade=astronaut").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = anon.get("/api/v1/portal/jobs?pay_min=lots").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = anon.get("/api/v1/portal/labour?region=110101000000").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = anon.get("/api/v1/portal/ideas/nope").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (_, openapi) = anon.text("/api/v1/openapi.json").await;
    for p in [
        "/api/v1/portal/jobs/{id}",
        "/api/v1/portal/labour",
        "/api/v1/portal/ideas",
    ] {
        assert!(openapi.contains(p), "{p} in the OpenAPI document");
    }
}

#[tokio::test]
async fn staff_enter_review_and_publish_through_the_back_office() {
    let app = TestApp::demo().await;
    let community = app.login("community").await;
    let until = chuangye_core::ledger::model::fmt_date(
        chuangye_core::ledger::model::today() + time::Duration::days(20),
    );
    // Every problem at its field, in the user's language, nothing written.
    let r = community
        .post(
            "/board",
            &[
                ("kind", "job"),
                ("employer", ""),
                ("position", "<script>alert(1)</script>"),
                ("trade", "astronaut"),
                ("head_count", "0"),
                ("contact_phone", "12"),
                ("valid_until", "2001-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for f in [
        "employer",
        "trade",
        "head_count",
        "contact_name",
        "contact_phone",
        "valid_until",
    ] {
        assert!(html.contains(&format!("id=\"{f}-error\"")), "{f}");
    }
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "typed script is escaped"
    );
    let r = community
        .post(
            "/board",
            &[
                ("kind", "labour"),
                ("trade", "welder"),
                ("head_count", "4"),
                ("body", "<b>焊工</b>四人，持证"),
                ("contact_name", "赵师傅"),
                ("contact_phone", "13607449999"),
                ("contact_visibility", "public"),
                ("valid_until", until.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    let id = loc
        .trim_start_matches("/board/labour/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let (status, page) = community.text(&loc).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("136****9999") && !page.contains("13607449999"),
        "masked for staff"
    );
    let (_, list) = community.text("/board?kind=labour&state=review").await;
    assert!(list.contains(&format!("data-id=\"{id}\"")));
    let anon = app.client();
    assert_eq!(
        anon.get(&format!("/portal/labour/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );

    let street = app.login("street").await;
    let (_, queue) = street.text("/board/review").await;
    assert!(queue.contains(&format!("data-id=\"{id}\"")), "{queue}");
    let r = street
        .post(&format!("/board/labour/{id}/return"), &[("reason", "")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = street
        .post(&format!("/board/labour/{id}/approve"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = anon.text(&format!("/portal/labour/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("13607449999") && !html.contains("<b>焊工</b>"));
    // The public form's submission waits for the community: it is in the community's queue.
    let (_, queue) = community.text("/board/review").await;
    assert!(queue.contains("快递分拣员"), "{queue}");
}

#[tokio::test]
async fn bad_input_in_addresses_is_ignored_or_refused_never_a_500() {
    let app = TestApp::demo().await;
    let anon = app.client();
    for (path, expected) in [
        (
            "/portal/jobs?pay_min=abc&page=-3&trade=%3Cscript%3E",
            StatusCode::OK,
        ),
        (
            "/portal/labour?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            StatusCode::OK,
        ),
        (
            "/portal/ideas?category=nope&page=99999999999999999999",
            StatusCode::OK,
        ),
        ("/portal/jobs?region=999999999999", StatusCode::NOT_FOUND),
        ("/portal/jobs/%3Cscript%3E", StatusCode::NOT_FOUND),
        ("/portal/ideas/x'%20OR%201=1", StatusCode::NOT_FOUND),
        ("/portal/jobs?q=%00%E7%94%B5", StatusCode::OK),
        ("/portal/jobs/%00", StatusCode::NOT_FOUND),
        ("/api/v1/portal/labour/%00", StatusCode::NOT_FOUND),
    ] {
        let (status, html) = anon.text(path).await;
        assert_eq!(status, expected, "{path}");
        assert!(
            !html.contains("<script>alert"),
            "{path} escapes what it shows"
        );
    }
}

#[tokio::test]
async fn back_office_matches_beyond_ones_region_show_contacts_only_as_the_public_sees_them() {
    use chuangye_core::board::{EntryInput, Kind, service};
    use chuangye_core::org::Actor;
    let app = TestApp::demo().await;
    let until = chuangye_core::ledger::model::fmt_date(
        chuangye_core::ledger::model::today() + time::Duration::days(20),
    );
    let entry = |region: &str, name: &str, visibility: &str| EntryInput {
        employer: "某电焊加工厂".into(),
        position: "电焊工".into(),
        trade: "welder".into(),
        head_count: "2".into(),
        body: "持证上岗，会氩弧焊".into(),
        region_code: region.into(),
        contact_name: name.into(),
        contact_phone: "13912345678".into(),
        contact_visibility: visibility.into(),
        valid_until: until.clone(),
        ..Default::default()
    };
    let county = Actor::system("411002000000", "test");
    let own = service::create(
        app.core(),
        &county,
        Kind::Job,
        &entry("411002001001", "王经理", "public"),
    )
    .await
    .unwrap();
    let far = service::create(
        app.core(),
        &county,
        Kind::Labour,
        &entry("411002002001", "司马光明", "staff"),
    )
    .await
    .unwrap();
    let community = app.login("community").await;
    let (status, html) = community.text(&format!("/board/job/{own}")).await;
    assert_eq!(status, StatusCode::OK);
    let matches = &html[html.find("id=\"matches\"").expect("matches")..];
    assert!(
        matches.contains(&format!("href=\"/portal/labour/{far}\"")),
        "{matches}"
    );
    assert!(!matches.contains("司马光明"), "a hidden name stays hidden");
    // The number in full only to whoever may see personal data, and audited.
    let r = community
        .post(&format!("/board/job/{own}/contact"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let office = app.login("office").await;
    let (_, html) = office.text(&format!("/board/job/{own}")).await;
    assert!(html.contains("139****5678") && !html.contains("13912345678"));
    let r = office.post(&format!("/board/job/{own}/contact"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("id=\"contact-full\">13912345678<")
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'personal.unmask' AND entity_id = $1",
    )
    .bind(own.clone())
    .fetch_one(app.core().db.pool())
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn the_portal_home_and_the_sitemap_carry_the_job_board_ideas_and_answers() {
    let app = TestApp::demo().await;
    let anon = app.client();
    let (status, home) = anon.text("/portal").await;
    assert_eq!(status, StatusCode::OK);
    for col in ["latest-job", "latest-labour", "latest-idea", "latest-qa"] {
        assert!(home.contains(&format!("id=\"{col}\"")), "{col}");
    }
    let job = id_of(&app, "job_posting", "state", "published").await;
    assert!(
        home.contains(&format!("/portal/jobs/{job}")),
        "a published posting on the home"
    );
    let (_, sitemap) = anon.text("/sitemap.xml").await;
    assert!(sitemap.contains(&format!("/portal/jobs/{job}</loc>")));
    let qa: String = sqlx::query_scalar("SELECT id FROM consultation WHERE published = 1 LIMIT 1")
        .fetch_one(app.core().db.pool())
        .await
        .unwrap();
    assert!(sitemap.contains(&format!("/portal/qa/{qa}</loc>")));
    let hidden: Vec<String> =
        sqlx::query_scalar("SELECT id FROM job_posting WHERE state <> 'published'")
            .fetch_all(app.core().db.pool())
            .await
            .unwrap();
    for id in hidden {
        assert!(!sitemap.contains(&id), "{id} is not public");
    }
}

#[tokio::test]
async fn the_job_board_ideas_and_answers_have_atom_feeds_without_contacts() {
    let app = TestApp::demo().await;
    let anon = app.client();
    for kind in ["jobs", "labour", "ideas", "qa"] {
        let r = anon
            .get(&format!("/portal/feed/{kind}.xml?region=411002000000"))
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{kind}");
        assert!(
            r.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/atom+xml")
        );
        let xml = r.text().await.unwrap();
        assert!(
            xml.contains(&format!("/portal/{kind}/")),
            "{kind} has entries"
        );
        assert!(
            !xml.contains("13800138000") && !xml.contains("138****"),
            "{kind}: no contact"
        );
    }
    let (_, list) = anon.text("/portal/jobs").await;
    assert!(list.contains("/portal/feed/jobs.xml?region="));
    assert_eq!(
        anon.get("/portal/feed/nothing.xml").await.status(),
        StatusCode::NOT_FOUND
    );
}
