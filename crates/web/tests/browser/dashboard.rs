//! The dashboard in the browser: figure cards, the SVG trend and ranking drawn by the server,
//! and a click on a sub-district opening its own dashboard.

use chuangye_core::ledger::generate::{Scale, generate};

use crate::harness::{Browser, Viewport};
use crate::support::TestApp;
use crate::{SUB_DISTRICT, log_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_draws_its_charts_and_opens_a_sub_district() {
    let Some(browser) = Browser::launch(Viewport::Desktop).await else {
        return;
    };
    let app = TestApp::demo().await;
    generate(app.core(), "411002", Scale::DEMO, 11, |_, _, _| {})
        .await
        .expect("a demo ledger");
    browser
        .run(&app.base, |page| async move {
            log_in(&page, "office").await;
            page.click("a[href='/dashboard']").await;
            page.wait_path("/dashboard").await;
            assert!(page.find_all("#cards li.figure").await.len() >= 6);
            assert_eq!(page.find_all("svg.chart-months polyline").await.len(), 2);
            assert!(!page.find_all("svg.chart-bars rect").await.is_empty());
            page.screenshot("dashboard.png").await;
            // Down one level, by the sub-district's link in the table.
            page.click(&format!(
                "#children a[href^='/dashboard?region={SUB_DISTRICT}']"
            ))
            .await;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            loop {
                let h1 = page.text("h1").await;
                if h1.starts_with("西大街道") {
                    break;
                }
                assert!(std::time::Instant::now() < deadline, "still {h1}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            page.assert_clean_console().await;
        })
        .await;
}

/// Issue 5's journey: a community enters a monthly value, its sub-district approves it, and the
/// district's dashboard shows the new total.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_community_value_approved_by_its_sub_district_reaches_the_district_dashboard() {
    let Some(browser) = Browser::launch(Viewport::Desktop).await else {
        return;
    };
    let app = TestApp::demo().await;
    browser
        .run(&app.base, |page| async move {
            // The community enters 37 new urban jobs for this month.
            log_in(&page, "community").await;
            page.click("a[href='/indicators/entry']").await;
            page.wait_path("/indicators/entry").await;
            page.find("#value_new_urban_jobs")
                .await
                .send_keys("37")
                .await
                .expect("type the value");
            page.click("#submit-entries").await;
            page.find("#saved").await;
            assert_eq!(
                page.text("tr[data-indicator='new_urban_jobs'] .entry-state")
                    .await,
                "待审核"
            );
            page.click("#logout").await;
            page.wait_path("/login").await;

            // The sub-district approves it.
            log_in(&page, "street").await;
            page.click("a[href='/indicators/approvals']").await;
            page.wait_path("/indicators/approvals").await;
            let row = page.text("#pending tbody tr").await;
            assert!(row.contains("37"), "{row}");
            page.click("#pending tbody tr button.approve").await;
            page.find("#nothing-pending").await;
            page.click("#logout").await;
            page.wait_path("/login").await;

            // The district's dashboard shows it.
            log_in(&page, "office").await;
            page.click("a[href='/dashboard']").await;
            page.wait_path("/dashboard").await;
            let value = page
                .find("li[data-indicator='new_urban_jobs'] .figure-value")
                .await
                .text()
                .await
                .expect("the figure");
            assert_eq!(value, "37");
            page.assert_clean_console().await;
        })
        .await;
}
