//! Following a public submission through real HTTP: the page that confirms a posting or an
//! idea shows its lookup code once; with it the sender reads the reviewer's reason for a
//! rejection, or the link to what was published — never the contact; a bad code is answered
//! at its field (422); the page is never cached; codes cannot be tried by the hundred.

use reqwest::StatusCode;
use reqwest::header;

use crate::board_forms::{between, send, until};
use crate::support::{Browser, TestApp};

const COMMUNITY: &str = "411002001001";
const STREET: &str = "411002001000";

/// Posts `code` to the lookup page: its status and HTML.
async fn read(b: &Browser, code: &str) -> (StatusCode, String) {
    let r = b.get("/portal/submissions/lookup").await;
    let cache = r.headers()[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cache.contains("no-store"), "never cached: {cache}");
    let csrf = crate::support::extract_csrf(&r.text().await.unwrap()).expect("csrf");
    let r = b
        .http
        .post(b.url("/portal/submissions/lookup"))
        .form(&[("_csrf", csrf.as_str()), ("code", code)])
        .send()
        .await
        .unwrap();
    let cache = r.headers()[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cache.contains("no-store"), "never cached: {cache}");
    (r.status(), r.text().await.unwrap())
}

fn code_on(receipt: &str) -> String {
    between(receipt, "id=\"lookup-code\">", "<")
        .expect("the code on the receipt")
        .to_string()
}

#[tokio::test]
async fn an_employer_reads_why_the_posting_was_rejected_with_the_code_from_the_receipt() {
    let app = TestApp::demo().await;
    let anon = app.client();
    let (_, form) = anon.text("/portal/jobs/new").await;
    assert!(form.contains("href=\"/portal/submissions/lookup\""));
    let until = until();
    let r = send(
        &anon,
        "/portal/jobs/new",
        &[
            ("region_code", COMMUNITY),
            ("employer", "魏都区某餐馆"),
            ("position", "<b>后厨帮工</b>"),
            ("trade", "cook"),
            ("head_count", "2"),
            ("pay_min", "1200"),
            ("body", "包吃住"),
            ("contact_name", "郑老板"),
            ("contact_phone", "13511112222"),
            ("contact_visibility", "public"),
            ("valid_until", until.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let receipt = r.text().await.unwrap();
    assert!(receipt.contains("id=\"board-sent\""));
    let code = code_on(&receipt);
    assert_eq!(code.len(), 14, "{code}");
    // Waiting for review; the position escaped; the contact never shown.
    let (status, html) = read(&anon, &code).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("class=\"state-review\""), "{html}");
    assert!(
        html.contains("后厨帮工") && !html.contains("<b>后厨帮工"),
        "escaped"
    );
    assert!(!html.contains("13511112222") && !html.contains("郑老板"));
    // The community's staff refuse it with a reason; the code shows the reason.
    let id: String =
        sqlx::query_scalar("SELECT id FROM job_posting WHERE employer = '魏都区某餐馆'")
            .fetch_one(app.core().db.pool())
            .await
            .unwrap();
    let community = app.login("community").await;
    let r = community
        .post(
            &format!("/board/job/{id}/return"),
            &[("reason", "工资低于本市最低工资标准")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = read(&anon, &code.to_lowercase().replace('-', " ")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("class=\"state-rejected\""), "{html}");
    assert!(html.contains("<span id=\"submission-reason\">工资低于本市最低工资标准</span>"));
    assert!(html.contains("href=\"/portal/jobs/new\""), "may send again");
    assert!(!html.contains("id=\"submission-link\""));
    // A code that opens nothing, and one that cannot be a code: at the field, 422.
    for bad in ["ABCD-EFGH-JKMN", "<script>alert(1)</script>"] {
        let (status, html) = read(&anon, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(html.contains("id=\"code-error\""), "{bad}");
        assert!(!html.contains("<script>alert"), "escaped");
        assert!(!html.contains("id=\"lookup-result\""));
    }
}

#[tokio::test]
async fn a_citizen_follows_an_idea_to_its_published_page() {
    let app = TestApp::demo().await;
    let anon = app.client();
    let r = send(
        &anon,
        "/portal/ideas/new",
        &[
            ("region_code", STREET),
            ("title", "社区老年助餐点"),
            ("category", "catering"),
            ("description", "为社区老人提供午餐。"),
            ("submitter_name", "孙丽"),
            ("contact_phone", "13612345678"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let code = code_on(&r.text().await.unwrap());
    let id: String =
        sqlx::query_scalar("SELECT id FROM business_idea WHERE title = '社区老年助餐点'")
            .fetch_one(app.core().db.pool())
            .await
            .unwrap();
    let street = app.login("street").await;
    let r = street.post(&format!("/board/idea/{id}/approve"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = read(&anon, &code).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"submission-title\">社区老年助餐点"));
    assert!(html.contains("class=\"state-published\""));
    assert!(html.contains(&format!(
        "href=\"/portal/ideas/{id}\" id=\"submission-link\""
    )));
    assert!(!html.contains("13612345678") && !html.contains("136****5678"));
    // In English too, with no raw message key.
    anon.get("/lang/en").await;
    let (_, html) = read(&anon, &code).await;
    assert!(html.contains("Approved and published"), "{html}");
    assert!(!html.contains(">board."), "no raw key");
}

#[tokio::test]
async fn submission_codes_cannot_be_tried_by_the_hundred() {
    let app = TestApp::demo().await;
    let b = app.client();
    let (_, html) = b.text("/portal/submissions/lookup").await;
    let csrf = crate::support::extract_csrf(&html).unwrap();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let r = b
            .http
            .post(b.url("/portal/submissions/lookup"))
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
