//! Back-office journeys through real HTTP: switching membership, the audit viewer and its
//! export, attachments, jobs with progress, rate limits, translations.

use chuangye_core::jobs;
use chuangye_web::WebConfig;
use reqwest::StatusCode;

use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn switching_membership_changes_the_scope_without_logging_out() {
    let app = TestApp::demo().await;
    let b = app.login("office").await;
    // At the district root the other sub-districts are visible.
    assert_eq!(
        b.get("/admin/regions/411002002000").await.status(),
        StatusCode::OK
    );
    let uid = app.user_id("office").await;
    let mut c = app.core().db.pool().acquire().await.unwrap();
    let ms = chuangye_core::org::repo::memberships_of(&mut c, &uid)
        .await
        .unwrap();
    drop(c);
    let street = ms
        .iter()
        .find(|m| m.region_code == "411002001000")
        .expect("second membership");
    let r = b
        .post(
            "/account/membership",
            &[("membership", &street.id), ("next", "/admin/regions")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        b.get("/admin/regions/411002002000").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get("/admin/regions/411002001000").await.status(),
        StatusCode::OK
    );
    // Someone else's membership cannot be taken.
    let other = app.user_id("leader").await;
    let mut c = app.core().db.pool().acquire().await.unwrap();
    let theirs = chuangye_core::org::repo::memberships_of(&mut c, &other)
        .await
        .unwrap();
    drop(c);
    let r = b
        .post("/account/membership", &[("membership", &theirs[0].id)])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_audit_viewer_filters_and_exports_what_happened() {
    let app = TestApp::demo().await;
    let admin = app.login("sysadmin").await;
    admin
        .post(
            "/admin/units",
            &[
                ("name", "审计测试单位"),
                ("kind", "other"),
                ("region_code", "411002000000"),
            ],
        )
        .await;
    let auditor = app.login("auditor").await;
    let (status, html) = auditor
        .text("/admin/audit?username=sysadmin&action=unit.create")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("审计测试单位"));
    assert!(
        !html.contains("login.success"),
        "the filter keeps other actions out"
    );
    let r = auditor.get("/admin/audit/export?action=unit.create").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("审计测试单位"));
    // The export itself is audited.
    let (_, html) = auditor.text("/admin/audit?action=audit.export").await;
    assert!(html.contains("audit.export"));
    // A system administrator cannot read the log.
    assert_eq!(
        admin.get("/admin/audit").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn verifying_the_audit_chain_runs_as_a_job_whose_progress_the_starter_sees() {
    let app = TestApp::demo().await;
    let auditor = app.login("auditor").await;
    let r = auditor.post("/admin/audit/verify", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let (_, html) = auditor.text(&to).await;
    assert!(html.contains("data-status=\"queued\""));
    assert!(
        html.contains("<dd id=\"job-kind\">Verify the audit log")
            || html.contains("<dd id=\"job-kind\">校验审计日志"),
        "the kind in words"
    );
    assert!(
        html.contains("http-equiv=\"refresh\""),
        "the page refreshes itself while the job waits"
    );
    let worker = jobs::Worker::new(app.core().clone(), jobs::builtin_registry());
    assert!(worker.run_once().await.unwrap());
    let (_, html) = auditor.text(&to).await;
    assert!(html.contains("data-status=\"done\""));
    assert!(html.contains("Intact"));
    let id = to.rsplit('/').next().unwrap();
    let api = auditor.get(&format!("/api/v1/jobs/{id}")).await;
    assert_eq!(api.status(), StatusCode::OK);
    let v: serde_json::Value = api.json().await.unwrap();
    assert_eq!(v["percent"], 100);
    // Another user does not see it.
    let other = app.login("secadmin").await;
    assert_eq!(other.get(&to).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_attachment_is_sniffed_stored_and_served_safely() {
    let app = TestApp::demo().await;
    let office = app.login("office").await;
    let mut c = app.core().db.pool().acquire().await.unwrap();
    let (units, _) = chuangye_core::org::repo::unit_list(
        &mut c,
        &chuangye_core::org::RegionScope::of("411002000000"),
        &Default::default(),
        1,
    )
    .await
    .unwrap();
    drop(c);
    let unit = &units[0].id;
    let (_, html) = office.text(&format!("/admin/units/{unit}")).await;
    let token = crate::support::extract_csrf(&html).unwrap();
    let upload = |name: &'static str, bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
        office
            .http
            .post(office.url(&format!("/admin/units/{unit}/files?_csrf={token}")))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let r = upload("责任书.png", include_bytes!("tiny.png").to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A script dressed as a picture is refused at the field.
    let r = upload("photo.png", b"<script>alert(1)</script>".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"file-error\""));
    let (_, html) = office.text(&format!("/admin/units/{unit}")).await;
    let i = html.find("/files/").unwrap();
    let id: String = html[i + 7..].chars().take_while(|c| *c != '"').collect();
    let r = office.get(&format!("/files/{id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers().get("content-type").unwrap(), "image/png");
    assert_eq!(
        r.headers().get("x-content-type-options").unwrap(),
        "nosniff"
    );
    let cd = r
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cd.starts_with("attachment;") && cd.contains("filename*=UTF-8''"));
    // The community worker is outside the district-level unit's scope.
    let community = app.login("community").await;
    assert_eq!(
        community.get(&format!("/files/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn login_attempts_from_one_address_are_rate_limited() {
    let app = TestApp::demo_with(WebConfig {
        login_per_minute: 3,
        ..WebConfig::default()
    })
    .await;
    let b = app.client();
    for _ in 0..3 {
        assert_ne!(
            b.login("leader", "Wrong-pass-1").await.status(),
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    let r = b.login("leader", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn many_failures_from_one_address_lock_that_address() {
    let app = TestApp::demo_with(WebConfig {
        login_per_minute: 100,
        ..WebConfig::default()
    })
    .await;
    let b = app.client();
    // 20 failures (4 × the per-account limit) spread over accounts lock the address.
    for i in 0..20 {
        b.login(&format!("nobody{}", i % 4), "Wrong-pass-1").await;
    }
    let r = b.login("leader", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("锁定"));
}

#[tokio::test]
async fn every_message_used_by_the_templates_is_translated_in_all_three_languages() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
    let mut missing = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("s.t(\"").skip(1) {
                let key = &part[..part.find('"').unwrap()];
                if !chuangye_web::i18n::is_translated(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "untranslated: {missing:?}");
}

#[tokio::test]
async fn english_and_traditional_pages_show_no_raw_message_keys() {
    let app = TestApp::demo().await;
    for lang in ["en", "zh-hant", "zh-hans"] {
        let b = app.login("sysadmin").await;
        b.get(&format!("/lang/{lang}")).await;
        for page in [
            "/admin",
            "/admin/regions/411002000000",
            "/admin/units",
            "/admin/users",
            "/admin/roles",
        ] {
            let (status, html) = b.text(page).await;
            assert_eq!(status, StatusCode::OK, "{lang} {page}");
            // Permission codes are shown on purpose, inside <code>.
            let html: String = html
                .split("<code>")
                .map(|p| p.split_once("</code>").map(|x| x.1).unwrap_or(p))
                .collect();
            for family in [
                "nav.", "common.", "region.", "unit.", "user.", "role.", "shell.", "perm.",
            ] {
                assert!(
                    !html.contains(&format!(">{family}")),
                    "{lang} {page} shows a raw key of {family}"
                );
            }
        }
    }
}
