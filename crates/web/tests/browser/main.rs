//! Browser tests of the back office: Debian's headless Chromium, driven through chromedriver
//! with fantoccini, against a real server over the demo deployment (SQLite by default,
//! PostgreSQL when TEST_DATABASE_URL is set).
//!
//! Without chromium and chromium-driver the tests print "SKIPPED" and pass, unless `CI` is
//! set. A screenshot of the region page is left in `$CARGO_TARGET_TMPDIR/region.png`.

mod dashboard;
mod harness;
mod ledger;
mod portal;
mod reports;
#[allow(dead_code)]
#[path = "../it/support.rs"]
mod support;

use chuangye_core::org::region_table::{self, RegionRow};
use fantoccini::key::Key;
use harness::{Browser, Page, Viewport};
use serde_json::json;
use support::{PASSWORD, TestApp};

/// The community the demo's community worker (`community`) acts in, its sub-district, and a
/// community of another sub-district.
const OWN: &str = "411002001001";
const SUB_DISTRICT: &str = "411002001000";
const ELSEWHERE: &str = "411002002001";

fn region_name(rows: &[RegionRow], code: &str) -> String {
    rows.iter()
        .find(|r| r.code == code)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| panic!("{code} is not in the official region table"))
}

/// Logs in with the mouse: type into both fields, click the button, arrive at /admin.
async fn log_in(page: &Page, username: &str) {
    page.goto("/login").await;
    page.find("#username")
        .await
        .send_keys(username)
        .await
        .expect("type the user name");
    page.find("#password")
        .await
        .send_keys(PASSWORD)
        .await
        .expect("type the password");
    page.click("#login-submit").await;
    page.wait_path("/admin").await;
}

/// A job worker with every job kind the pages start, running until the sender is dropped or set.
fn start_worker(app: &TestApp) -> tokio::sync::watch::Sender<bool> {
    use chuangye_core::jobs;
    let translate: chuangye_core::ledger::import::Translate =
        std::sync::Arc::new(|lang: &str, e: &chuangye_core::FieldError| {
            chuangye_web::i18n::Lang::parse(lang)
                .unwrap_or_default()
                .field_error(e)
        });
    let registry = chuangye_core::reports::register(jobs::builtin_registry());
    let registry = chuangye_core::ledger::import::register(registry, translate);
    let worker = jobs::Worker::new(app.core().clone(), registry);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(worker.run(stopped));
    stop
}

/// The id attribute of an element.
async fn id_of(el: &fantoccini::elements::Element) -> String {
    el.attr("id").await.ok().flatten().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn community_worker_sees_only_its_community_switches_language_and_logs_out() {
    let Some(browser) = Browser::launch(Viewport::Desktop).await else {
        return;
    };
    let app = TestApp::demo().await;

    let street = region_table::load_subtree(SUB_DISTRICT).expect("region table");
    let own_name = region_name(&region_table::load_subtree(OWN).expect("region table"), OWN);
    let sub_name = region_name(&street, SUB_DISTRICT);
    let elsewhere_name = region_name(
        &region_table::load_subtree(ELSEWHERE).expect("region table"),
        ELSEWHERE,
    );
    // Every other community of the same sub-district, and one of another sub-district.
    let mut others: Vec<String> = street
        .iter()
        .filter(|r| r.parent_code.as_deref() == Some(SUB_DISTRICT) && r.code != OWN)
        .map(|r| r.name.clone())
        .collect();
    assert!(
        others.len() >= 2,
        "{SUB_DISTRICT} should have several communities"
    );
    others.push(elsewhere_name.clone());
    for o in &others {
        assert!(
            !own_name.contains(o.as_str()),
            "{o} is part of {own_name}: the test could not tell them apart"
        );
    }

    browser
        .run(&app.base, move |page| async move {
            // Log in with the mouse.
            log_in(&page, "community").await;
            assert!(
                page.text("#current-user")
                    .await
                    .starts_with("社区平台 张专干")
            );
            page.assert_clean_console().await;

            // The region tree opens on the worker's own community.
            let nav = page.find(r#"nav.side a[href="/admin/regions"]"#).await;
            assert_eq!(nav.text().await.expect("nav label"), "行政区划");
            nav.click().await.expect("click the regions link");
            page.wait_path(&format!("/admin/regions/{OWN}")).await;
            assert_eq!(page.text("h1#region-name").await, own_name);
            let source = page.source().await;
            for o in &others {
                assert!(
                    !source.contains(o.as_str()),
                    "the community page shows another community, {o}"
                );
            }
            // No link leads out of the own community: not to the sub-district above it,
            // nor anywhere else in the tree.
            for a in page.find_all("a").await {
                let href = a.attr("href").await.ok().flatten().unwrap_or_default();
                let text = a.text().await.unwrap_or_default();
                assert!(
                    !text.contains(&sub_name),
                    "a link shows the sub-district {sub_name}: {href}"
                );
                if let Some(code) = href.strip_prefix("/admin/regions/") {
                    assert!(
                        code.starts_with(OWN),
                        "a link leads to region {code}, outside {OWN}"
                    );
                }
            }
            page.assert_clean_console().await;
            page.screenshot("region.png").await;

            // Another community's page does not exist for this worker.
            page.goto(&format!("/admin/regions/{ELSEWHERE}")).await;
            let h1 = page.text("h1").await;
            assert!(
                h1.contains("未找到"),
                "expected the not-found page, got {h1:?}"
            );
            assert!(
                !page.source().await.contains(&elsewhere_name),
                "the not-found page names {elsewhere_name}"
            );
            // The one error expected: the browser reports that page's 404 (which also shows
            // that the console checks of this test see what the browser reports).
            let errors = page.console_errors().await;
            assert!(
                errors.len() == 1 && errors[0].contains(ELSEWHERE) && errors[0].contains("404"),
                "expected only the 404 of {ELSEWHERE} in the browser log, got {errors:?}"
            );

            // English and back, staying on the same page.
            page.goto(&format!("/admin/regions/{OWN}")).await;
            assert_eq!(page.lang().await, "zh-Hans");
            page.click("#lang-en").await;
            page.wait_lang("en").await;
            page.wait_path(&format!("/admin/regions/{OWN}")).await;
            assert_eq!(
                page.text(r#"nav.side a[href="/admin/regions"]"#).await,
                "Regions"
            );
            assert_eq!(page.text("h1#region-name").await, own_name);
            page.click("#lang-zh-hans").await;
            page.wait_lang("zh-Hans").await;
            page.wait_path(&format!("/admin/regions/{OWN}")).await;
            assert_eq!(
                page.text(r#"nav.side a[href="/admin/regions"]"#).await,
                "行政区划"
            );

            // Log out: the login page, and the back office is closed again.
            page.click("#logout").await;
            page.wait_path("/login").await;
            page.find("#login-submit").await;
            assert!(page.find_all("#logout").await.is_empty());
            page.goto("/admin").await;
            page.wait_path("/login").await;
            assert_eq!(page.location().await, "/login?next=/admin");
            page.assert_clean_console().await;
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_works_with_the_keyboard_alone() {
    let Some(browser) = Browser::launch(Viewport::Desktop).await else {
        return;
    };
    let app = TestApp::demo().await;
    browser
        .run(&app.base, |page| async move {
            page.goto("/login").await;
            page.find("#login-submit").await;
            // The user name field has the focus as the page opens (autofocus).
            let field = page.focused().await;
            assert_eq!(id_of(&field).await, "username");
            field
                .send_keys("community")
                .await
                .expect("type the user name");
            field.send_keys(&Key::Tab).await.expect("press Tab");
            // Tab leads straight to the password field.
            let field = page.focused().await;
            assert_eq!(id_of(&field).await, "password");
            field.send_keys(PASSWORD).await.expect("type the password");
            field.send_keys(&Key::Enter).await.expect("press Enter");
            page.wait_path("/admin").await;
            assert!(
                page.text("#current-user")
                    .await
                    .starts_with("社区平台 张专干")
            );
            page.assert_clean_console().await;
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_pages_fit_the_screen_and_the_menu_folds_open() {
    let Some(browser) = Browser::launch(Viewport::Phone).await else {
        return;
    };
    let app = TestApp::demo().await;
    browser
        .run(&app.base, |page| async move {
            log_in(&page, "community").await;
            assert_eq!(
                page.js("return window.innerWidth").await,
                json!(390),
                "the viewport is not phone-sized"
            );
            let fits = "return document.documentElement.scrollWidth <= window.innerWidth + 1";
            assert_eq!(
                page.js(fits).await,
                json!(true),
                "/admin is wider than the phone's screen"
            );

            // The menu is folded; its summary opens it, and its links work.
            let menu = page.find("nav.side details").await;
            assert_eq!(
                menu.prop("open").await.ok().flatten().as_deref(),
                Some("false")
            );
            let link = page.find(r#"nav.side a[href="/admin/regions"]"#).await;
            assert!(!link.is_displayed().await.expect("visibility"));
            page.click("nav.side summary").await;
            assert_eq!(
                menu.prop("open").await.ok().flatten().as_deref(),
                Some("true")
            );
            assert!(link.is_displayed().await.expect("visibility"));
            link.click().await.expect("click the regions link");
            page.wait_path(&format!("/admin/regions/{OWN}")).await;
            assert_eq!(
                page.js(fits).await,
                json!(true),
                "the region page is wider than the phone's screen"
            );
            page.screenshot("region-phone.png").await;
            page.assert_clean_console().await;
        })
        .await;
}
