//! Issue 4's first journey: a community worker drafts work news, the sub-district's reviewer
//! publishes it, and an anonymous visitor on a phone finds it on the portal with a query typed
//! in Traditional characters.

use fantoccini::key::Key;

use crate::harness::{Browser, Viewport};
use crate::support::TestApp;
use crate::{log_in, start_worker};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn community_news_published_by_its_sub_district_is_found_with_a_traditional_query() {
    let Some(browser) = Browser::launch(Viewport::Phone).await else {
        return;
    };
    let app = TestApp::demo().await;
    let _stop = start_worker(&app);
    browser
        .run(&app.base, |page| async move {
            // The community worker drafts the news and submits it.
            log_in(&page, "community").await;
            page.goto("/content").await;
            page.click("#new-news").await;
            page.wait_path("/content/new").await;
            page.find("#title")
                .await
                .send_keys("社区开展创业担保贷款政策宣讲")
                .await
                .expect("type the title");
            page.find("#body")
                .await
                .send_keys("为返乡农民工讲解创业担保贷款的申请条件和贴息政策。")
                .await
                .expect("type the text");
            page.click("#save").await;
            page.find("#submit").await;
            assert!(page.text("#item-state").await.contains("草稿"));
            page.click("#submit").await;
            page.find("#versions").await;
            assert!(page.text("#item-state").await.contains("待审核"));
            page.click("#logout").await;
            page.wait_path("/login").await;

            // The sub-district's reviewer publishes it.
            log_in(&page, "street").await;
            page.goto("/content/review").await;
            let item = page.find("article.review-item").await;
            assert!(item.text().await.unwrap_or_default().contains("社区开展创业担保贷款政策宣讲"));
            page.click("article.review-item button.approve").await;
            page.find("#review-empty").await;
            page.click("#logout").await;
            page.wait_path("/login").await;

            // A visitor finds it on the portal with Traditional characters, keyboard only.
            page.goto("/portal").await;
            let q = page.find("#site-q").await;
            q.send_keys("創業擔保貸款").await.expect("type the query");
            q.send_keys(&Key::Enter.to_string()).await.expect("press Enter");
            page.find("#results").await;
            let results = page.text("#results").await;
            assert!(results.contains("社区开展创业担保贷款政策宣讲"), "{results}");
            assert!(!page.find_all("#results mark").await.is_empty(), "the words are marked");
            let link = page
                .js("var a = [...document.querySelectorAll('#results li a')].find(a => a.textContent === '社区开展创业担保贷款政策宣讲'); return a.getAttribute('href');")
                .await;
            page.goto(link.as_str().expect("the news's link")).await;
            page.find("#item").await;
            assert!(page.text("#item .rich").await.contains("贴息政策"));
            page.assert_clean_console().await;
        })
        .await;
}
