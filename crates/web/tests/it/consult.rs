//! Consultations through real HTTP: a citizen asks on the portal (answering the question in
//! words), the community's service point answers, the citizen reads the reply with the lookup
//! code, the Q&A and the monthly figures show it; scripts, wrong answers, reused tokens, the
//! honeypot and floods are refused without writing anything.

use reqwest::StatusCode;
use reqwest::header;

use crate::support::{Browser, TestApp};
use chuangye_web::WebConfig;

const OTHER_COMMUNITY: &str = "411002002001";
const COMMUNITY: &str = "411002001001";

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = html.find(start)? + start.len();
    let j = html[i..].find(end)?;
    Some(&html[i..i + j])
}

const NUMERALS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// The form's challenge token and the answer to its question ("七加二等于几？").
fn solve(html: &str) -> (String, String) {
    let token = between(html, "name=\"challenge\" value=\"", "\"").expect("token");
    let label = between(html, "<label for=\"answer\">", "</label>").expect("question");
    let q = label.rsplit('：').next().unwrap();
    let (a, rest) = q.split_once('加').expect("plus");
    let b = rest.split('等').next().unwrap();
    let n = |s: &str| NUMERALS.iter().position(|d| *d == s).expect(s);
    (token.to_string(), (n(a) + n(b)).to_string())
}

/// Opens the question form and sends it with `fields` (the challenge answered unless the
/// fields carry their own `answer`).
async fn ask(b: &Browser, fields: &[(&str, &str)]) -> reqwest::Response {
    let (status, html) = b.text("/portal/ask").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = crate::support::extract_csrf(&html).expect("csrf");
    let (token, answer) = solve(&html);
    let mut form: Vec<(&str, &str)> = vec![("_csrf", &csrf), ("challenge", &token)];
    if !fields.iter().any(|(k, _)| *k == "answer") {
        form.push(("answer", &answer));
    }
    form.extend_from_slice(fields);
    b.http
        .post(b.url("/portal/ask"))
        .form(&form)
        .send()
        .await
        .expect("POST /portal/ask")
}

async fn rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM consultation")
        .fetch_one(app.core().db.pool())
        .await
        .unwrap()
}

async fn id_of(app: &TestApp, question: &str) -> String {
    sqlx::query_scalar("SELECT id FROM consultation WHERE question = $1")
        .bind(question.to_string())
        .fetch_one(app.core().db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_citizen_asks_the_community_answers_and_the_citizen_reads_the_reply_with_the_code() {
    let app = TestApp::demo().await;
    let citizen = app.client();
    let r = citizen.get("/portal/ask").await;
    assert_eq!(
        r.headers()[header::CACHE_CONTROL],
        "no-store",
        "a form is never cached"
    );
    let question = "<script>alert(1)</script>返乡创业开网店能申请贷款吗？";
    let r = ask(
        &citizen,
        &[
            ("category", "loan"),
            ("region", COMMUNITY),
            ("question", question),
            ("name", "王先生"),
            ("contact", "139 0000 1234"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let receipt = r.text().await.unwrap();
    let code = between(&receipt, "id=\"lookup-code\">", "<")
        .unwrap()
        .to_string();
    assert_eq!(code.len(), 14);
    let id = id_of(&app, question).await;
    // Waiting: the code shows the question escaped and the deadline.
    let read = |code: String| {
        let citizen = &citizen;
        async move {
            let (_, html) = citizen.text("/portal/ask/lookup").await;
            let csrf = crate::support::extract_csrf(&html).unwrap();
            let r = citizen
                .http
                .post(citizen.url("/portal/ask/lookup"))
                .form(&[("_csrf", csrf.as_str()), ("code", code.as_str())])
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (status, html) = read(code.to_lowercase()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("alert(1)") && !html.contains("<script>alert"),
        "escaped"
    );
    assert!(html.contains("id=\"reply-state\""));
    let (status, html) = read("ABCD-EFGH-JKMN".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"code-error\""));
    // The community's service point sees it (number masked) and answers; the one beside does not.
    let community = app.login("community").await;
    let (status, html) = community.text("/consultations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("/consultations/{id}")));
    let (_, home) = community.text("/admin").await;
    assert!(
        home.contains("id=\"consult-reminder\""),
        "the home page reminds"
    );
    let (_, html) = community.text(&format!("/consultations/{id}")).await;
    assert!(html.contains("139****1234") && !html.contains("13900001234"));
    let r = community
        .post(
            &format!("/consultations/{id}/answer"),
            &[("answer", " "), ("publish", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"answer-error\""));
    let r = community
        .post(
            &format!("/consultations/{id}/answer"),
            &[
                ("answer", "可以申请，请带身份证到社区平台。"),
                ("publish", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = read(code.clone()).await;
    assert!(html.contains("id=\"reply\"") && html.contains("可以申请，请带身份证到社区平台。"));
    // On the Q&A page, its own page, in the monthly figures and in search.
    let (status, html) = citizen.text("/portal/qa").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("/portal/qa/{id}")));
    let (status, html) = citizen.text(&format!("/portal/qa/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("可以申请") && !html.contains("139"));
    let (status, html) = citizen.text("/portal/qa/stats").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"stats\"") && html.contains("<svg"));
    let (_, html) = citizen.text("/portal/search?q=%E7%BD%91%E5%BA%97").await;
    assert!(html.contains(&format!("/portal/qa/{id}")), "found by 网店");
    // The public API shows the same, never the contact.
    let (status, json) = citizen.text("/api/v1/portal/qa").await;
    assert_eq!(status, StatusCode::OK);
    assert!(json.contains(&id) && !json.contains("139"));
    let (status, json) = citizen.text(&format!("/api/v1/portal/qa/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(json.contains("\"answer\":\"可以申请"));
    let stats: serde_json::Value = citizen
        .get("/api/v1/portal/qa/stats")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stats.as_array().map(Vec::len), Some(12));
    assert!(stats[0]["received"].as_i64().unwrap() >= 1);
    assert_eq!(
        citizen
            .get("/api/v1/portal/qa?region=999999999999")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Another community's question is not this community's to see.
    let r = ask(
        &citizen,
        &[
            ("category", "other"),
            ("region", OTHER_COMMUNITY),
            ("question", "另一个社区的问题内容"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let other = id_of(&app, "另一个社区的问题内容").await;
    assert_eq!(
        community
            .get(&format!("/consultations/{other}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let r = community
        .post(
            &format!("/consultations/{other}/answer"),
            &[("answer", "越权答复")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A question that does not exist or is not public is a 404 on the portal.
    assert_eq!(
        citizen.get(&format!("/portal/qa/{other}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        citizen.get("/portal/qa/<script>").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn wrong_answers_reused_tokens_and_the_honeypot_write_nothing() {
    let app = TestApp::demo().await;
    let citizen = app.client();
    let before = rows(&app).await;
    let fields = [
        ("category", "policy"),
        ("region", COMMUNITY),
        ("question", "创业补贴怎么申请？"),
    ];
    let mut wrong = fields.to_vec();
    wrong.push(("answer", "100"));
    let r = ask(&citizen, &wrong).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"answer-error\""));
    assert!(
        html.contains("创业补贴怎么申请？"),
        "what was typed is kept"
    );
    let mut trap = fields.to_vec();
    trap.push(("website", "http://spam.example"));
    assert_eq!(
        ask(&citizen, &trap).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Every field wrong at once: each named at its field.
    let r = ask(
        &citizen,
        &[
            ("category", "x"),
            ("region", "110101001001"),
            ("question", "短"),
            ("contact", "12"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for f in ["category", "question", "contact"] {
        assert!(html.contains(&format!("id=\"{f}-error\"")), "{f}");
    }
    assert_eq!(rows(&app).await, before);
    // A token answered once is not good again.
    let (_, html) = citizen.text("/portal/ask").await;
    let csrf = crate::support::extract_csrf(&html).unwrap();
    let (token, answer) = solve(&html);
    let send = || {
        let mut form = vec![
            ("_csrf", csrf.as_str()),
            ("challenge", token.as_str()),
            ("answer", answer.as_str()),
        ];
        form.extend_from_slice(&fields);
        citizen
            .http
            .post(citizen.url("/portal/ask"))
            .form(&form)
            .send()
    };
    assert_eq!(send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        send().await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(rows(&app).await, before + 1);
    // Without the CSRF token nothing is accepted either.
    let r = citizen
        .http
        .post(citizen.url("/portal/ask"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_flood_of_questions_from_one_address_is_held_back() {
    let app = TestApp::demo_with(WebConfig {
        forms_per_hour: 1,
        ..WebConfig::default()
    })
    .await;
    let citizen = app.client();
    let fields = [
        ("category", "policy"),
        ("region", COMMUNITY),
        ("question", "连续提交的问题内容"),
    ];
    for _ in 0..5 {
        assert_eq!(ask(&citizen, &fields).await.status(), StatusCode::OK);
    }
    let r = ask(&citizen, &fields).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM consultation WHERE question = '连续提交的问题内容'",
    )
    .fetch_one(app.core().db.pool())
    .await
    .unwrap();
    assert_eq!(n, 5);
}

#[tokio::test]
async fn public_pages_are_held_back_for_an_address_asking_too_fast_but_not_the_back_office() {
    let app = TestApp::demo_with(WebConfig {
        public_per_second: 1,
        ..WebConfig::default()
    })
    .await;
    let b = app.client();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(b.get("/portal/search?q=%E5%88%9B%E4%B8%9A").await.status());
    }
    assert!(
        statuses[..4].iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert_eq!(b.get("/login").await.status(), StatusCode::OK);
    assert_eq!(b.get("/static/portal.css").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_campaign_office_sets_the_reply_deadline_and_staff_cannot() {
    let app = TestApp::demo().await;
    let office = app.login("office").await;
    let r = office
        .post("/consultations/settings", &[("reply_days", "abc")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"reply_days-error\""));
    let r = office
        .post("/consultations/settings", &[("reply_days", "7")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = office.text("/consultations").await;
    assert!(html.contains("id=\"reply-days\">7<"));
    let (_, html) = app.client().text("/portal/ask").await;
    assert!(html.contains("7个工作日"));
    let community = app.login("community").await;
    let r = community
        .post("/consultations/settings", &[("reply_days", "3")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn text_no_database_can_hold_in_an_address_is_a_404_not_a_500() {
    let app = TestApp::demo().await;
    let anon = app.client();
    for path in [
        "/portal/qa/%00",
        "/api/v1/portal/qa/%00",
        "/portal/qa?region=41100200%0000",
    ] {
        assert_eq!(
            anon.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let community = app.login("community").await;
    for path in ["/consultations/%00", "/consultations?state=%00"] {
        let s = community.get(path).await.status();
        assert!(!s.is_server_error(), "{path}: {s}");
    }
}

#[tokio::test]
async fn lookup_codes_cannot_be_tried_by_the_hundred() {
    let app = TestApp::demo().await;
    let b = app.client();
    let (_, html) = b.text("/portal/ask/lookup").await;
    let csrf = crate::support::extract_csrf(&html).unwrap();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let r = b
            .http
            .post(b.url("/portal/ask/lookup"))
            .form(&[("_csrf", csrf.as_str()), ("code", "ABCD-EFGH-JKMN")])
            .send()
            .await
            .unwrap();
        statuses.push(r.status());
    }
    assert!(
        statuses[..10]
            .iter()
            .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY),
        "{statuses:?}"
    );
    assert_eq!(statuses[11], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
}

#[tokio::test]
async fn a_wrong_answer_is_named_together_with_the_forms_other_mistakes() {
    let app = TestApp::demo().await;
    let citizen = app.client();
    let r = ask(
        &citizen,
        &[
            ("category", ""),
            ("region", COMMUNITY),
            ("question", "创业补贴怎么申请？"),
            ("answer", "100"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"answer-error\"") && html.contains("id=\"category-error\""));
    assert_eq!(rows(&app).await, 4, "only the demo's questions");
}
