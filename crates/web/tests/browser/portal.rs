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
            page.wait_text("#item-state", "草稿").await;
            page.click("#submit").await;
            page.wait_text("#item-state", "待审核").await;
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

/// The answer to the form's question in words ("七加二等于几？").
fn solve(label: &str) -> String {
    const NUMERALS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let q = label.rsplit('：').next().unwrap_or(label);
    let (a, rest) = q.split_once('加').expect("a sum");
    let b = rest.split('等').next().unwrap_or_default();
    let n = |s: &str| NUMERALS.iter().position(|d| *d == s.trim()).expect(s);
    (n(a) + n(b)).to_string()
}

/// Issue 4's second journey: a citizen asks a question on a phone, the community's service
/// point answers it, and the citizen later reads the reply with the lookup code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_asks_a_question_and_reads_the_reply_with_the_lookup_code() {
    let Some(browser) = Browser::launch(Viewport::Phone).await else {
        return;
    };
    let app = TestApp::demo().await;
    browser
        .run(&app.base, |page| async move {
            // The citizen asks from the portal's menu.
            page.goto("/portal").await;
            page.click(".portal-nav a[href='/portal/ask']").await;
            page.wait_path("/portal/ask").await;
            page.find("#category")
                .await
                .select_by_value("training")
                .await
                .expect("choose the category");
            page.find("#region")
                .await
                .select_by_value("411002001001")
                .await
                .expect("choose the community");
            page.find("#question")
                .await
                .send_keys("社区什么时候开办电商创业培训班？怎么报名？")
                .await
                .expect("type the question");
            let label = page.text("label[for=answer]").await;
            page.find("#answer")
                .await
                .send_keys(&solve(&label))
                .await
                .expect("answer the question in words");
            page.click("#ask-submit").await;
            let code = page.text("#lookup-code").await;
            assert_eq!(code.len(), 14, "{code}");

            // The community's service point answers it.
            log_in(&page, "community").await;
            page.goto("/consultations").await;
            let link = page
                .js("var a = [...document.querySelectorAll('#consult-list a')].find(a => a.textContent.startsWith('社区什么时候开办电商创业培训班')); return a.getAttribute('href');")
                .await;
            page.goto(link.as_str().expect("the question's link")).await;
            page.find("#answer")
                .await
                .send_keys("下月10日开班，请到社区劳动保障工作平台报名，培训免费。")
                .await
                .expect("type the reply");
            page.click("#answer-submit").await;
            page.find("#reply").await;
            page.wait_text("#q-state", "已答复").await;
            page.click("#logout").await;
            page.wait_path("/login").await;

            // Later the citizen reads the reply with the code, keyboard only.
            page.goto("/portal/ask/lookup").await;
            let field = page.find("#code").await;
            field.send_keys(&code).await.expect("type the code");
            field
                .send_keys(&Key::Enter.to_string())
                .await
                .expect("press Enter");
            page.find("#lookup-result").await;
            assert!(page.text("#reply").await.contains("下月10日开班"));
            page.assert_clean_console().await;
        })
        .await;
}
