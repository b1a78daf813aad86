//! Reports through real HTTP: the district generates its summary and downloads the Word and
//! PDF files from the job's page; a template with an unknown placeholder is refused at its
//! field in Chinese; evidence is attached to an entry and only the campaign office edits the
//! template.

use std::sync::Arc;

use chuangye_core::jobs;
use chuangye_web::i18n::Lang;
use reqwest::StatusCode;

use crate::support::{TestApp, extract_csrf};

fn worker(app: &TestApp) -> jobs::Worker {
    let translate: chuangye_core::ledger::import::Translate =
        Arc::new(|lang: &str, e: &chuangye_core::FieldError| {
            Lang::parse(lang).unwrap_or_default().field_error(e)
        });
    let registry = chuangye_core::reports::register(jobs::builtin_registry());
    jobs::Worker::new(
        app.core().clone(),
        chuangye_core::ledger::import::register(registry, translate),
    )
}

fn this_year() -> String {
    chuangye_core::ledger::model::today().year().to_string()
}

#[tokio::test]
async fn the_district_generates_its_summary_and_downloads_word_and_pdf() {
    let app = TestApp::demo().await;
    let office = app.login("office").await;
    let (status, page) = office.text("/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"summary-form\"") && page.contains("id=\"edit-template\""));
    let r = office
        .post(
            "/reports/summary",
            &[("region", "411002000000"), ("period", &this_year())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let job = r.headers()["location"].to_str().unwrap().to_string();
    assert!(worker(&app).run_once().await.unwrap());
    let (_, html) = office.text(&job).await;
    assert!(html.contains("id=\"job-files\""), "{html}");
    let links: Vec<String> = html
        .split("href=\"/files/")
        .skip(1)
        .map(|s| format!("/files/{}", s.split('"').next().unwrap()))
        .collect();
    assert_eq!(links.len(), 2);
    let mut seen = Vec::new();
    for l in links {
        let r = office.get(&l).await;
        assert_eq!(r.status(), StatusCode::OK);
        let disposition = r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        let bytes = r.bytes().await.unwrap();
        if bytes.starts_with(b"%PDF-") {
            seen.push("pdf");
        } else if bytes.starts_with(b"PK") {
            seen.push("docx");
        }
        assert!(disposition.contains("attachment"), "{disposition}");
    }
    seen.sort();
    assert_eq!(seen, ["docx", "pdf"]);
    // The community's staff cannot open the district's files.
    let community = app.login("community").await;
    let (_, other) = community.text(&job).await;
    assert!(!other.contains("job-files"));
}

#[tokio::test]
async fn a_template_with_an_unknown_placeholder_is_refused_at_its_field_and_a_good_one_is_used() {
    let app = TestApp::demo().await;
    let office = app.login("office").await;
    let r = office
        .post(
            "/reports/template",
            &[("body", "{{地区}}总结\n\n本期{{新增国有企业}}户<script>")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("第 3 行的占位符“新增国有企业”不存在"),
        "{html}"
    );
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(!html.contains("<script>"), "typed text is escaped");
    let (_, page) = office.text("/reports/template").await;
    assert!(page.contains("系统内置模板"), "nothing was saved");
    let r = office
        .post(
            "/reports/template",
            &[("body", "{{地区}}{{期间}}简报\n私营企业{{新增私营企业}}户。")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = office.text("/reports/template?saved=1").await;
    assert!(page.contains("id=\"saved\"") && page.contains("简报"));
    // Sub-district staff generate from it but may not edit it.
    let street = app.login("street").await;
    assert_eq!(
        street.get("/reports/template").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_bad_period_is_shown_at_its_field_and_nothing_is_queued() {
    let app = TestApp::demo().await;
    let office = app.login("office").await;
    let r = office
        .post(
            "/reports/summary",
            &[("region", "411002000000"), ("period", "2025-13")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("期间应为年份"));
    assert!(!worker(&app).run_once().await.unwrap(), "no job was queued");
}

#[tokio::test]
async fn a_community_attaches_evidence_to_its_entry_and_a_disguised_file_is_refused() {
    let app = TestApp::demo().await;
    let community = app.login("community").await;
    let today = chuangye_core::ledger::model::today();
    let month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    let r = community
        .post(
            "/indicators/entry",
            &[("month", &month), ("value_training_persons", "12")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = community
        .text(&format!("/indicators/entry?month={month}"))
        .await;
    assert!(extract_csrf(&html).is_some());
    let action = html
        .split("action=\"/indicators/entries/")
        .nth(1)
        .expect("an upload form for the saved entry")
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(action.contains("_csrf="), "{action}");
    let upload = |name: &'static str, bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
        community
            .http
            .post(community.url(&format!("/indicators/entries/{action}")))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let r = upload("培训名单.png", include_bytes!("tiny.png").to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = community
        .text(&format!("/indicators/entry?month={month}"))
        .await;
    assert!(html.contains("培训名单.png"));
    let r = upload("名单.pdf", b"<html><script>alert(1)</script>".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
