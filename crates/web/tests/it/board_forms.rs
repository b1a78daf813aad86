//! The job board's public forms through real HTTP: an employer's posting, a worker's supply and
//! a citizen's idea land in review at the region chosen and are published once its staff
//! approve; wrong answers, the honeypot, bad fields and floods write nothing; the form page is
//! never cached.

use reqwest::StatusCode;
use reqwest::header;

use crate::support::{Browser, TestApp};

const COMMUNITY: &str = "411002001001";
const STREET: &str = "411002001000";

pub(crate) fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
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

/// Opens a form and sends it with `fields` (the challenge answered unless they carry their
/// own `answer`).
pub(crate) async fn send(b: &Browser, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let (status, html) = b.text(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    let csrf = crate::support::extract_csrf(&html).expect("csrf");
    let (token, answer) = solve(&html);
    let mut form: Vec<(&str, &str)> = vec![("_csrf", &csrf), ("challenge", &token)];
    if !fields.iter().any(|(k, _)| *k == "answer") {
        form.push(("answer", &answer));
    }
    form.extend_from_slice(fields);
    b.http
        .post(b.url(path))
        .form(&form)
        .send()
        .await
        .expect("POST")
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(app.core().db.pool())
        .await
        .unwrap()
}

pub(crate) fn until() -> String {
    chuangye_core::ledger::model::fmt_date(
        chuangye_core::ledger::model::today() + time::Duration::days(15),
    )
}

#[tokio::test]
async fn a_posting_sent_by_an_employer_waits_for_the_communitys_review_then_is_published() {
    let app = TestApp::demo().await;
    let anon = app.client();
    let r = anon.get("/portal/jobs/new").await;
    let cache = r.headers()[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cache.contains("no-store"),
        "a form page is never cached: {cache}"
    );
    let first = r.text().await.unwrap();
    let (_, second) = anon.text("/portal/jobs/new").await;
    assert_ne!(
        solve(&first).0,
        solve(&second).0,
        "a new question each time"
    );
    assert!(
        first.contains("<label for=\"employer\">"),
        "every field labelled"
    );
    let until = until();
    let r = send(
        &anon,
        "/portal/jobs/new",
        &[
            ("region_code", COMMUNITY),
            ("employer", "魏都区某物业公司"),
            ("position", "小区保洁员"),
            ("trade", "cleaning"),
            ("head_count", "2"),
            ("pay_min", "2500"),
            ("pay_max", "3000"),
            ("body", "身体健康，能早班"),
            ("contact_name", "周经理"),
            ("contact_phone", "13512345678"),
            ("contact_visibility", "masked"),
            ("valid_until", until.as_str()),
            ("website", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("id=\"board-sent\""));
    let id: String = sqlx::query_scalar("SELECT id FROM job_posting WHERE position = '小区保洁员'")
        .fetch_one(app.core().db.pool())
        .await
        .unwrap();
    assert_eq!(
        anon.get(&format!("/portal/jobs/{id}")).await.status(),
        StatusCode::NOT_FOUND,
        "not public while in review"
    );
    // The community's own staff review it, not its sub-district.
    let street = app.login("street").await;
    let (_, queue) = street.text("/board/review").await;
    assert!(!queue.contains(&id));
    let community = app.login("community").await;
    let (_, queue) = community.text("/board/review").await;
    assert!(queue.contains(&format!("data-id=\"{id}\"")), "{queue}");
    assert!(queue.contains("135****5678") && !queue.contains("13512345678"));
    let r = community
        .post(&format!("/board/job/{id}/approve"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = anon.text(&format!("/portal/jobs/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("135****5678") && html.contains("周**"));
}

#[tokio::test]
async fn a_worker_and_a_citizen_send_supply_and_an_idea_to_the_region_they_chose() {
    let app = TestApp::demo().await;
    let anon = app.client();
    let (before_labour, before_ideas) = (
        count(&app, "labour_supply").await,
        count(&app, "business_idea").await,
    );
    let until = until();
    let r = send(
        &anon,
        "/portal/labour/new",
        &[
            ("region_code", STREET),
            ("trade", "driver"),
            ("head_count", "1"),
            ("body", "持B2驾照，十年驾龄"),
            ("contact_name", "钱师傅"),
            ("contact_phone", "13612345678"),
            ("contact_visibility", "staff"),
            ("valid_until", until.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = send(
        &anon,
        "/portal/ideas/new",
        &[
            ("region_code", STREET),
            ("title", "社区托育点"),
            ("category", "services"),
            ("invest_min", "5"),
            ("invest_max", "15"),
            ("description", "为双职工家庭提供日间托育。"),
            ("submitter_name", "孙丽"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(count(&app, "labour_supply").await, before_labour + 1);
    assert_eq!(count(&app, "business_idea").await, before_ideas + 1);
    let street = app.login("street").await;
    let (_, queue) = street.text("/board/review").await;
    assert!(
        queue.contains("社区托育点") && queue.contains("十年驾龄"),
        "{queue}"
    );
    let idea: String =
        sqlx::query_scalar("SELECT id FROM business_idea WHERE title = '社区托育点'")
            .fetch_one(app.core().db.pool())
            .await
            .unwrap();
    let r = street
        .post(
            &format!("/board/idea/{idea}/return"),
            &[("reason", "与已有项目重复")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, _) = anon.text(&format!("/portal/ideas/{idea}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a rejected idea never shows");
}

#[tokio::test]
async fn wrong_answers_the_honeypot_bad_fields_and_floods_write_nothing() {
    let app = TestApp::demo().await;
    let anon = app.client();
    let before = count(&app, "job_posting").await;
    // Bad fields and a wrong answer: every error at its field, what was typed kept and escaped.
    let r = send(
        &anon,
        "/portal/jobs/new",
        &[
            ("region_code", "110101000000"),
            ("employer", "<script>alert(1)</script>"),
            ("position", ""),
            ("trade", "astronaut"),
            ("head_count", "many"),
            ("contact_phone", "12345"),
            ("valid_until", "yesterday"),
            ("answer", "999"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for f in [
        "answer",
        "region_code",
        "position",
        "trade",
        "head_count",
        "contact_name",
        "contact_phone",
        "valid_until",
    ] {
        assert!(
            html.contains(&format!("id=\"{f}-error\"")),
            "{f} answered at its field"
        );
    }
    assert!(
        html.contains("alert(1)") && !html.contains("<script>alert"),
        "kept, escaped"
    );
    // A filled honeypot reads as a wrong answer.
    let until = until();
    let good = [
        ("region_code", COMMUNITY),
        ("employer", "某店"),
        ("position", "收银员"),
        ("trade", "cashier"),
        ("head_count", "1"),
        ("contact_name", "吴"),
        ("contact_phone", "13712345678"),
        ("contact_visibility", "public"),
        ("valid_until", until.as_str()),
    ];
    let mut trapped = good.to_vec();
    trapped.push(("website", "http://spam.example"));
    let r = send(&anon, "/portal/jobs/new", &trapped).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"answer-error\""));
    assert_eq!(count(&app, "job_posting").await, before, "nothing written");
    // A flood from one address is refused.
    let mut last = StatusCode::OK;
    for _ in 0..8 {
        last = send(&anon, "/portal/jobs/new", &[("answer", "0")])
            .await
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}
