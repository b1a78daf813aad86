//! Login, sessions, CSRF, lockout, password rules and security headers, through real HTTP.

use chuangye_core::org::Actor;
use chuangye_core::org::service;
use reqwest::StatusCode;

use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn the_login_page_is_in_simplified_chinese_by_default_and_english_on_request() {
    let app = TestApp::demo().await;
    let b = app.client();
    let (status, html) = b.text("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("lang=\"zh-Hans\""));
    assert!(html.contains("登录"));
    let r = b.get("/lang/en?next=/login").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = b.text("/login").await;
    assert!(html.contains("lang=\"en\""));
    assert!(html.contains("Log in"));
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_message() {
    let app = TestApp::demo().await;
    let b = app.client();
    let r = b.login("community", "Wrong-pass-1").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("用户名或密码错误"));
    assert_eq!(b.get("/admin").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn five_failures_lock_the_account_even_for_the_right_password() {
    let app = TestApp::demo().await;
    let b = app.client();
    for _ in 0..5 {
        b.login("street", "Wrong-pass-1").await;
    }
    let r = b.login("street", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("锁定"));
    // The security administrator lifts the lock; then the right password works.
    let sec = app.login("secadmin").await;
    let uid = app.user_id("street").await;
    assert_eq!(
        sec.post(&format!("/admin/users/{uid}/unlock"), &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        b.login("street", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_state_change_without_the_csrf_token_is_refused() {
    let app = TestApp::demo().await;
    let b = app.login("sysadmin").await;
    let r = b
        .http
        .post(b.url("/admin/units"))
        .form(&[
            ("name", "无令牌单位"),
            ("kind", "other"),
            ("region_code", "411002000000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = b
        .http
        .post(b.url("/admin/units"))
        .form(&[
            ("name", "错令牌单位"),
            ("kind", "other"),
            ("region_code", "411002000000"),
            ("_csrf", "forged-token-value"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let ok = b
        .post(
            "/admin/units",
            &[
                ("name", "有令牌单位"),
                ("kind", "other"),
                ("region_code", "411002000000"),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let app = TestApp::demo().await;
    let r = app.client().get("/login").await;
    let h = r.headers();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("referrer-policy").unwrap(), "same-origin");
    assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
}

#[tokio::test]
async fn login_issues_a_new_session_id_and_ends_the_old_one() {
    let app = TestApp::demo().await;
    let sessions = || async {
        sqlx::query_scalar::<_, String>("SELECT id_hash FROM session")
            .fetch_all(app.core().db.pool())
            .await
            .unwrap()
    };
    let b = app.login("leader").await;
    let first = sessions().await;
    assert_eq!(first.len(), 1);
    assert_eq!(
        b.login("leader", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let second = sessions().await;
    assert_eq!(
        second.len(),
        1,
        "the old session ended when the user logged in again"
    );
    assert_ne!(first, second);
    assert_eq!(b.get("/admin").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_idle_session_expires_and_says_so() {
    let app = TestApp::demo().await;
    let b = app.login("leader").await;
    assert_eq!(b.get("/admin").await.status(), StatusCode::OK);
    // 31 minutes pass: the stored and the cached last-seen times are that old.
    sqlx::query("UPDATE session SET last_seen = last_seen - 31 * 60")
        .execute(app.core().db.pool())
        .await
        .unwrap();
    app.state.caches.clear();
    let r = b.get("/admin").await;
    assert!(r.status().is_redirection());
    let to = r
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(to.starts_with("/login?next=/admin"));
    let (_, html) = b.text(&to).await;
    assert!(
        html.contains("登录已超时"),
        "the login page explains the timeout"
    );
}

#[tokio::test]
async fn a_new_user_must_change_the_password_at_first_login() {
    let app = TestApp::demo().await;
    let admin = app.login("sysadmin").await;
    let r = admin
        .post(
            "/admin/users",
            &[
                ("username", "wangwu"),
                ("display_name", "王五"),
                ("password", "Initial-Pass-9"),
                ("region_code", "411002001000"),
                ("roles", "service_staff"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let b = app.client();
    let r = b.login("wangwu", "Initial-Pass-9").await;
    assert_eq!(r.headers().get("location").unwrap(), "/account/password");
    assert_eq!(
        b.get("/admin/regions")
            .await
            .headers()
            .get("location")
            .unwrap(),
        "/account/password"
    );
    let weak = b
        .post(
            "/account/password",
            &[
                ("current", "Initial-Pass-9"),
                ("new", "password"),
                ("repeat", "password"),
            ],
        )
        .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().await.unwrap().contains("id=\"new-error\""));
    let ok = b
        .post(
            "/account/password",
            &[
                ("current", "Initial-Pass-9"),
                ("new", "Better-Pass-10"),
                ("repeat", "Better-Pass-10"),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        b.get("/admin/regions").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(b.get("/admin").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_change_of_roles_takes_effect_on_the_next_request() {
    let app = TestApp::demo().await;
    let b = app.login("leader").await;
    assert_eq!(b.get("/admin/units").await.status(), StatusCode::OK);
    let uid = app.user_id("leader").await;
    let mut c = app.core().db.pool().acquire().await.unwrap();
    let m = chuangye_core::org::repo::memberships_of(&mut c, &uid)
        .await
        .unwrap();
    drop(c);
    // The system administrator creates a role without unit.view and gives it to the leader.
    let admin = app.login("sysadmin").await;
    let r = admin
        .post(
            "/admin/roles",
            &[
                ("code", "viewer"),
                ("name", "只看区划"),
                ("permissions", "region.view"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = admin
        .post(
            &format!("/admin/memberships/{}/roles", m[0].id),
            &[("roles", "viewer")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.get("/admin/units").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        b.get("/admin/regions/411002000000").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_change_made_by_another_process_reaches_the_cache_quickly() {
    let app = TestApp::demo().await;
    let b = app.login("leader").await;
    assert_eq!(b.get("/admin/units").await.status(), StatusCode::OK);
    let uid = app.user_id("leader").await;
    let mut c = app.core().db.pool().acquire().await.unwrap();
    let m = chuangye_core::org::repo::memberships_of(&mut c, &uid)
        .await
        .unwrap();
    drop(c);
    // Another node (or the CLI) writes straight to the database.
    let system = Actor::system("411002000000", "other-node");
    service::set_membership_roles(app.core(), &system, &m[0].id, &["unit_liaison".to_string()])
        .await
        .unwrap();
    service::save_role(
        app.core(),
        &system,
        Some("unit_liaison"),
        &service::RoleInput {
            code: "unit_liaison".into(),
            name: "联络员".into(),
            permissions: vec!["region.view".into()],
        },
    )
    .await
    .unwrap();
    // The watcher polls every 100 ms; allow it a few rounds.
    let mut status = StatusCode::OK;
    for _ in 0..30 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        status = b.get("/admin/units").await.status();
        if status == StatusCode::FORBIDDEN {
            break;
        }
    }
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn one_account_cannot_hold_two_administrator_roles() {
    let app = TestApp::demo().await;
    let admin = app.login("sysadmin").await;
    let r = admin
        .post(
            "/admin/users",
            &[
                ("username", "double"),
                ("display_name", "双重管理员"),
                ("password", "Initial-Pass-9"),
                ("region_code", "411002000000"),
                ("roles", "system_admin"),
                ("roles", "audit_admin"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"roles-error\""));
    // Adding an audit membership to the security admin is refused too.
    let uid = app.user_id("secadmin").await;
    let r = admin
        .post(
            &format!("/admin/users/{uid}/memberships"),
            &[("region_code", "411002001000"), ("roles", "audit_admin")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_duplicate_username_is_refused_at_the_field() {
    let app = TestApp::demo().await;
    let admin = app.login("sysadmin").await;
    let r = admin
        .post(
            "/admin/users",
            &[
                ("username", "community"),
                ("display_name", "重名"),
                ("password", "Initial-Pass-9"),
                ("region_code", "411002000000"),
                ("roles", "leader"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"username-error\""));
    assert!(html.contains("已被使用"));
}

#[tokio::test]
async fn a_phone_is_shown_masked_and_revealed_only_with_the_permission_and_audited() {
    let app = TestApp::demo().await;
    let uid = app.user_id("community").await;
    let office = app.login("office").await;
    let (_, html) = office.text(&format!("/admin/users/{uid}")).await;
    assert!(html.contains("139****0003"), "masked on the page");
    assert!(!html.contains("13903740003"));
    // Exact search by phone goes through the blind index.
    let (_, list) = office.text("/admin/users?q=139-0374-0003").await;
    assert!(list.contains(">community<"));
    let r = office.post(&format!("/admin/users/{uid}/phone"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("13903740003"));
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'personal.unmask' AND entity_id = $1",
    )
    .bind(uid.clone())
    .fetch_one(app.core().db.pool())
    .await
    .unwrap();
    assert_eq!(n, 1);
    // The stored value is ciphertext.
    let stored: String = sqlx::query_scalar("SELECT phone_cipher FROM app_user WHERE id = $1")
        .bind(uid.clone())
        .fetch_one(app.core().db.pool())
        .await
        .unwrap();
    assert!(!stored.contains("13903740003"));
    // The leader may not unmask.
    let leader = app.login("leader").await;
    assert_eq!(
        leader
            .post(&format!("/admin/users/{uid}/phone"), &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_bad_phone_is_refused_at_its_field() {
    let app = TestApp::demo().await;
    let admin = app.login("sysadmin").await;
    let r = admin
        .post(
            "/admin/users",
            &[
                ("username", "badphone"),
                ("display_name", "号码错"),
                ("phone", "12345"),
                ("password", "Initial-Pass-9"),
                ("region_code", "411002000000"),
                ("roles", "leader"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"phone-error\""));
}

#[tokio::test]
async fn the_system_admin_cannot_reset_another_kind_of_administrators_password() {
    let app = TestApp::demo().await;
    let admin = app.login("sysadmin").await;
    let auditor = app.user_id("auditor").await;
    let r = admin
        .post(
            &format!("/admin/users/{auditor}/password"),
            &[("password", "Taken-Over-99")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("chuangye user reset-password")
    );
    // The auditor's password still works.
    assert_eq!(
        app.client().login("auditor", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    // An ordinary account can be reset, and must then change the password.
    let leader = app.user_id("leader").await;
    let r = admin
        .post(
            &format!("/admin/users/{leader}/password"),
            &[("password", "Fresh-Start-77")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let b = app.client();
    let r = b.login("leader", "Fresh-Start-77").await;
    assert_eq!(r.headers().get("location").unwrap(), "/account/password");
}
