//! The service-point hotline through real HTTP: the system administrator sets it on the
//! region's page; a malformed number is answered at its field (422) and changes nothing; the
//! portal then gives the new number on an entry whose poster kept the contact for staff;
//! staff who do not manage regions are refused.

use reqwest::StatusCode;

use crate::support::TestApp;

const STREET: &str = "411002001000";

#[tokio::test]
async fn the_administrator_sets_the_hotline_the_portal_gives_for_contacts_kept_for_staff() {
    let app = TestApp::demo().await;
    let admin = app.login("sysadmin").await;
    let page = format!("/admin/regions/{STREET}");
    let (status, html) = admin.text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"hotline-form\""));
    assert!(html.contains("0374-5101234"), "the demo's number shown");
    // A malformed number: at its field, what was typed kept and escaped, nothing changed.
    let action = format!("/admin/regions/{STREET}/hotline");
    let r = admin
        .post(&action, &[("hotline", "<script>12345</script>")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"hotline-error\""));
    assert!(!html.contains("<script>12345"), "escaped");
    let (_, html) = admin.text(&page).await;
    assert!(html.contains("id=\"region-hotline\">0374-5101234<"));
    // A good one is stored and shown.
    let r = admin.post(&action, &[("hotline", "(0374) 510 9999")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.text(&page).await;
    assert!(
        html.contains("id=\"region-hotline\">(0374) 510 9999<"),
        "{html}"
    );
    // The portal sends the public to it for a posting whose contact is kept for staff.
    let care: String =
        sqlx::query_scalar("SELECT id FROM job_posting WHERE position = '养老护理员'")
            .fetch_one(app.core().db.pool())
            .await
            .unwrap();
    let (_, html) = app.client().text(&format!("/portal/jobs/{care}")).await;
    let at = html
        .find("id=\"contact-service-point\"")
        .expect("service point");
    assert!(html[at..].contains("(0374) 510 9999"), "{}", &html[at..]);
    // Staff who do not manage regions may not set it.
    let street = app.login("street").await;
    let r = street.post(&action, &[("hotline", "12345")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let stored: Option<String> = sqlx::query_scalar("SELECT hotline FROM region WHERE code = $1")
        .bind(STREET)
        .fetch_one(app.core().db.pool())
        .await
        .unwrap();
    assert_eq!(stored.as_deref(), Some("(0374) 510 9999"));
}
