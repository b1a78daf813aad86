//! Ledger journeys in the browser: registering a person (a wrong ID number refused at its
//! field, then corrected), a visit whose need reaches the member unit's queue and is handled
//! there, and an import in valid-rows-only mode with its job page and error report.
//!
//! Screenshots of the person page, the unit's queue and the import job are left in
//! `$CARGO_TARGET_TMPDIR` (`ledger-person.png`, `ledger-visit.png`, `ledger-queue.png`,
//! `ledger-import.png`).

use std::time::{Duration, Instant};

use chuangye_core::ledger::model::{self, PersonInput};
use chuangye_core::ledger::service::{self, Registered};
use chuangye_core::org::Actor;
use fantoccini::Locator;

use crate::harness::{Browser, Page, Viewport};
use crate::support::TestApp;
use crate::{OWN, log_in, start_worker};

/// How long the waits of this file last (the job page refreshes itself every two seconds).
const PATIENCE: Duration = Duration::from_secs(30);

/// A valid ID number (GB 11643) born in 1992, different for every `seq` below 1000.
fn id_number(seq: u32) -> String {
    let body = format!(
        "41100219920{}{:02}{:03}",
        1 + seq % 9,
        1 + seq % 28,
        seq % 1000
    );
    chuangye_core::testing::with_check_digit(&body)
}

/// The same number with a wrong check character.
fn wrong_check_digit(good: &str) -> String {
    let mut bad = good[..17].to_string();
    bad.push(if good.ends_with('1') { '2' } else { '1' });
    bad
}

fn masked(id: &str) -> String {
    format!("{}********{}", &id[..6], &id[14..])
}

/// Waits until the text of the first element matching `css` contains `needle`; returns it.
/// The element is looked up afresh each time, so a reloaded page is followed.
async fn wait_text(page: &Page, css: &str, needle: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(el) = page.client.find(Locator::Css(css)).await
            && let Ok(text) = el.text().await
            && text.contains(needle)
        {
            return text;
        }
        if Instant::now() > deadline {
            let now = match page.client.find(Locator::Css(css)).await {
                Ok(el) => el.text().await.unwrap_or_default(),
                Err(_) => format!("(no element {css})"),
            };
            panic!(
                "expected {css} to contain {needle:?} at {}, it shows {now:?}",
                page.location().await
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until an element matching `xpath` is present (`present`) or gone (`!present`).
async fn wait_for_xpath(page: &Page, xpath: &str, present: bool) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(found) = page.client.find_all(Locator::XPath(xpath)).await
            && found.is_empty() != present
        {
            return;
        }
        if Instant::now() > deadline {
            panic!(
                "expected {xpath} to be {} at {}",
                if present { "present" } else { "gone" },
                page.location().await
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the current path starts with `prefix` and is not `except`, and the page has
/// loaded; returns the path.
async fn wait_path_prefix(page: &Page, prefix: &str, except: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(url) = page.client.current_url().await
            && url.path().starts_with(prefix)
            && url.path() != except
            && page
                .client
                .execute("return document.readyState", vec![])
                .await
                .is_ok_and(|v| v == "complete")
        {
            return url.path().to_string();
        }
        if Instant::now() > deadline {
            panic!(
                "expected to arrive under {prefix}, but the browser is at {}",
                page.location().await
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn value_of(page: &Page, css: &str) -> String {
    page.find(css)
        .await
        .prop("value")
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

async fn is_checked(page: &Page, css: &str) -> bool {
    page.find(css).await.prop("checked").await.ok().flatten() == Some("true".to_string())
}

async fn type_into(page: &Page, css: &str, text: &str) {
    page.find(css)
        .await
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

async fn select_value(page: &Page, css: &str, value: &str) {
    page.find(css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value} in {css}: {e}"));
}

async fn select_label(page: &Page, css: &str, label: &str) {
    page.find(css)
        .await
        .select_by_label(label)
        .await
        .unwrap_or_else(|e| panic!("choose {label} in {css}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_with_a_wrong_id_number_is_refused_at_the_field_then_registered() {
    let Some(browser) = Browser::launch(Viewport::Desktop).await else {
        return;
    };
    let app = TestApp::demo().await;
    let good = id_number(7);
    let bad = wrong_check_digit(&good);
    browser
        .run(&app.base, move |page| async move {
            log_in(&page, "community").await;
            page.goto("/ledger/persons/new").await;
            type_into(&page, "#name", "王小明").await;
            type_into(&page, "#id_number", &bad).await;
            select_value(&page, "#education", "college").await;
            select_value(&page, "#household", "rural").await;
            page.click(r#"input[name="categories"][value="returnee"]"#)
                .await;
            page.click(r#"input[name="categories"][value="veteran"]"#)
                .await;
            type_into(&page, "#address", "魏都区文峰路 8 号").await;
            page.click("#save-person").await;

            // The error sits at the ID number field, which is marked invalid and points at it.
            let error = page.text("#id_number-error").await;
            assert!(error.contains("校验位"), "{error:?}");
            assert!(
                error.contains(&good[17..]),
                "the message names the right check character {}: {error:?}",
                &good[17..]
            );
            let field = page.find("#id_number").await;
            assert_eq!(
                field.attr("aria-invalid").await.ok().flatten().as_deref(),
                Some("true")
            );
            assert_eq!(
                field
                    .attr("aria-describedby")
                    .await
                    .ok()
                    .flatten()
                    .as_deref(),
                Some("id_number-error")
            );
            assert_eq!(page.location().await, "/ledger/persons");
            // Only that field is in error, and everything typed is still there.
            assert_eq!(page.find_all(".field-error").await.len(), 1);
            assert_eq!(value_of(&page, "#name").await, "王小明");
            assert_eq!(value_of(&page, "#id_number").await, bad);
            assert_eq!(value_of(&page, "#education").await, "college");
            assert_eq!(value_of(&page, "#household").await, "rural");
            assert_eq!(value_of(&page, "#address").await, "魏都区文峰路 8 号");
            assert!(is_checked(&page, r#"input[name="categories"][value="returnee"]"#).await);
            assert!(is_checked(&page, r#"input[name="categories"][value="veteran"]"#).await);
            assert!(!is_checked(&page, r#"input[name="categories"][value="graduate"]"#).await);
            assert_eq!(value_of(&page, "#region_code").await, OWN);
            // The browser reports the 422 of the refused form, and nothing else.
            let errors = page.console_errors().await;
            assert!(
                errors.iter().all(|e| e.contains("422")) && errors.len() <= 1,
                "expected at most the 422 of the refused form in the browser log, got {errors:?}"
            );

            // Corrected, the record opens, the ID number masked.
            let field = page.find("#id_number").await;
            field.clear().await.expect("clear the ID number");
            field.send_keys(&good).await.expect("type the ID number");
            page.click("#save-person").await;
            let path = wait_path_prefix(&page, "/ledger/persons/", "/ledger/persons/new").await;
            assert!(
                !path.ends_with("/persons/"),
                "expected a record page, got {path}"
            );
            assert_eq!(page.text("h1").await, "王小明");
            let shown = page.text("#id-number").await;
            assert_eq!(shown.trim(), masked(&good));
            assert!(
                !page.source().await.contains(&good),
                "the full ID number is on the page"
            );
            let facts = page.text("dl.facts").await;
            for expected in ["返乡农民工", "退役军人", "魏都区文峰路 8 号"] {
                assert!(facts.contains(expected), "{expected} missing in {facts:?}");
            }
            page.assert_clean_console().await;
            page.screenshot("ledger-person.png").await;
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_with_a_need_reaches_the_units_queue() {
    let Some(browser) = Browser::launch(Viewport::Desktop).await else {
        return;
    };
    let app = TestApp::demo().await;
    // The entrepreneur is registered beforehand in the community worker's own community.
    let Registered::New(pid) = service::register_person(
        app.core(),
        &Actor::system(OWN, "test-setup"),
        &PersonInput {
            name: "陈创业".into(),
            id_number: id_number(8),
            education: "senior".into(),
            household: "urban".into(),
            categories: vec!["laid_off".into()],
            region_code: OWN.into(),
            address: "魏都区".into(),
            ..Default::default()
        },
    )
    .await
    .expect("register the person") else {
        panic!("expected a new person")
    };
    let yesterday = model::fmt_date(model::today() - time::Duration::days(1));
    let description = "申请创业担保贷款 20 万元";

    let person_path = format!("/ledger/persons/{pid}");
    let visit_date = yesterday.clone();
    browser
        .run(&app.base, move |page| async move {
            log_in(&page, "community").await;
            page.goto(&person_path).await;
            assert_eq!(page.text("h1").await, "陈创业");
            assert!(page.find_all("#visits ul li").await.is_empty());
            // The visit date is today unless changed; the visit was yesterday. The date
            // field's own widget is left aside: its value is set as a date picker would.
            let today = model::fmt_date(model::today());
            assert_eq!(value_of(&page, "#visit_date").await, today);
            page.js(&format!(
                "const e = document.getElementById('visit_date'); e.value = '{visit_date}'; \
                 e.dispatchEvent(new Event('change', {{bubbles: true}})); return e.value"
            ))
            .await;
            assert_eq!(value_of(&page, "#visit_date").await, visit_date);
            select_value(&page, "#method", "home").await;
            type_into(&page, "#notes", "店铺扩大经营，缺少周转资金").await;
            select_label(&page, "#need_kind", "帮资金筹集").await;
            type_into(&page, "#need_description", description).await;
            select_label(&page, "#need_unit", "魏都区财政局").await;
            page.click("#save-visit").await;

            // Back on the record: the visit, and the need routed to the unit.
            let visit = wait_text(&page, "#visits ul li", &visit_date).await;
            for expected in ["上门", "张专干", "店铺扩大经营，缺少周转资金"] {
                assert!(visit.contains(expected), "{expected} missing in {visit:?}");
            }
            let main = wait_text(&page, "main", description).await;
            assert!(
                main.contains("帮资金筹集 → 魏都区财政局"),
                "the need is not shown as routed to 魏都区财政局: {main:?}"
            );
            assert!(main.contains("待受理"), "{main:?}");
            page.assert_clean_console().await;
            page.screenshot("ledger-visit.png").await;
        })
        .await;

    // The finance bureau's liaison, in a browser of their own.
    let Some(browser) = Browser::launch(Viewport::Desktop).await else {
        return;
    };
    browser
        .run(&app.base, move |page| async move {
            log_in(&page, "liaison").await;
            let nav = page.find(r#"nav.side a[href="/ledger/needs"]"#).await;
            assert_eq!(nav.text().await.expect("nav label"), "需求办理");
            nav.click().await.expect("click the needs link");
            page.wait_path("/ledger/needs").await;
            // The demo ledger has needs of its own in this queue: the one recorded above is
            // found by its description.
            let row = format!("//table[@id='queue']/tbody/tr[contains(., '{description}')]");
            let text = page
                .client
                .wait()
                .at_most(PATIENCE)
                .for_element(Locator::XPath(&row))
                .await
                .unwrap_or_else(|e| panic!("the need is not in the queue: {e}"))
                .text()
                .await
                .expect("row text");
            for expected in ["陈创业", "帮资金筹集", "待受理"] {
                assert!(text.contains(expected), "{expected} missing in {text:?}");
            }
            // Deadlines order the queue: bring the new need into view for the screenshot.
            page.js(&format!(
                "document.evaluate(\"{row}\", document, null, \
                 XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue\
                 .scrollIntoView({{block: 'center'}}); return true"
            ))
            .await;
            page.screenshot("ledger-queue.png").await;

            // Accept it.
            let in_row = |css: &str| format!("{row}//{css}");
            let pick = |xpath: String, value: &'static str| {
                let page = page.clone();
                async move {
                    page.client
                        .find(Locator::XPath(&xpath))
                        .await
                        .unwrap_or_else(|e| panic!("{xpath}: {e}"))
                        .select_by_value(value)
                        .await
                        .unwrap_or_else(|e| panic!("choose {value}: {e}"));
                }
            };
            let submit = |xpath: String| {
                let page = page.clone();
                async move {
                    page.client
                        .find(Locator::XPath(&xpath))
                        .await
                        .unwrap_or_else(|e| panic!("{xpath}: {e}"))
                        .click()
                        .await
                        .unwrap_or_else(|e| panic!("click {xpath}: {e}"));
                }
            };
            pick(in_row("select[@name='state']"), "accepted").await;
            submit(in_row("button[@type='submit']")).await;
            // The state cell itself (the row's drop-down also lists 已受理, on the old page too).
            wait_for_xpath(
                &page,
                &format!("{row}/td[6][normalize-space(.) = '已受理']"),
                true,
            )
            .await;

            // Resolve it: it leaves the open queue.
            pick(in_row("select[@name='state']"), "resolved").await;
            page.client
                .find(Locator::XPath(&in_row("input[@name='reason']")))
                .await
                .expect("the reason field of the row")
                .send_keys("已协调经办银行放款")
                .await
                .expect("type the reason");
            submit(in_row("button[@type='submit']")).await;
            page.wait_path("/ledger/needs").await;
            wait_for_xpath(&page, &row, false).await;
            assert_eq!(page.text("h1").await, "需求办理");
            page.assert_clean_console().await;
        })
        .await;

    // The person's record tells the outcome.
    let r = service::person_record(app.core(), &Actor::system(OWN, "test-check"), &pid)
        .await
        .expect("person record");
    assert_eq!(r.visits.len(), 1);
    assert_eq!(r.visits[0].visit_date, yesterday);
    assert_eq!(r.needs.len(), 1);
    assert_eq!(r.needs[0].state, "resolved");
    assert_eq!(r.needs[0].reason.as_deref(), Some("已协调经办银行放款"));
}

/// The count of the person list on the current page ("共 N 条").
async fn total(page: &Page) -> u64 {
    let text = page.text("#total").await;
    text.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no count in {text:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn importing_a_file_with_three_bad_rows_in_valid_rows_only_mode_reports_them() {
    let Some(browser) = Browser::launch(Viewport::Desktop).await else {
        return;
    };
    let app = TestApp::demo().await;
    let stop = start_worker(&app);
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("persons-import.csv");
    let csv = [
        "姓名,身份证号码,手机号码,文化程度,户籍类型,人员类别,所属社区,地址".to_string(),
        format!(
            "导入甲,{},,本科,城镇,高校毕业生,{OWN},文峰路 1 号",
            id_number(21)
        ),
        // A wrong check character.
        format!(
            "导入乙,{},,本科,城镇,,{OWN},文峰路 2 号",
            wrong_check_digit(&id_number(22))
        ),
        format!(
            "导入丙,{},,大专,农村,返乡农民工,{OWN},文峰路 3 号",
            id_number(23)
        ),
        // An education value that is not in the list.
        format!("导入丁,{},,博士后,城镇,,{OWN},文峰路 4 号", id_number(24)),
        // No name.
        format!(",{},,高中/中专,城镇,,{OWN},文峰路 5 号", id_number(25)),
    ]
    .join("\n")
        + "\n";
    std::fs::write(&file, csv).expect("write the CSV");
    let upload = file.display().to_string();
    let base = app.base.clone();

    browser
        .run(&app.base, move |page| async move {
            log_in(&page, "community").await;
            page.goto("/ledger/persons").await;
            let before = total(&page).await;
            page.click("#import-persons").await;
            page.wait_path("/ledger/persons/import").await;
            type_into(&page, "#file", &upload).await;
            page.click("#mode-valid").await;
            assert!(is_checked(&page, "#mode-valid").await);
            page.click("#start-import").await;

            // The job page, which refreshes itself until the job is done.
            wait_path_prefix(&page, "/admin/jobs/", "").await;
            let deadline = Instant::now() + PATIENCE;
            loop {
                let status = match page.client.find(Locator::Css("#job-status")).await {
                    Ok(el) => el.attr("data-status").await.ok().flatten(),
                    Err(_) => None,
                };
                match status.as_deref() {
                    Some("done") => break,
                    Some("failed") => panic!("the import failed: {}", page.text("main").await),
                    _ if Instant::now() > deadline => {
                        panic!(
                            "the import is still {status:?}: {}",
                            page.text("main").await
                        )
                    }
                    _ => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            }
            let labels = page.find_all("#job-figures dt").await;
            let values = page.find_all("#job-figures dd").await;
            let mut figures = Vec::new();
            for (l, v) in labels.iter().zip(&values) {
                figures.push((
                    l.text().await.unwrap_or_default(),
                    v.text().await.unwrap_or_default(),
                ));
            }
            let figure = |label: &str| {
                figures
                    .iter()
                    .find(|(l, _)| l == label)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| panic!("no figure {label} in {figures:?}"))
            };
            assert_eq!(figure("新导入"), "2", "{figures:?}");
            assert_eq!(figure("有错误的行"), "3", "{figures:?}");
            assert_eq!(figure("已写入台账"), "是", "{figures:?}");
            page.screenshot("ledger-import.png").await;

            // The error report downloads with the session, and not without it.
            let href = page
                .find("#error-report")
                .await
                .attr("href")
                .await
                .ok()
                .flatten()
                .expect("the error report link");
            let cookie = page
                .client
                .get_named_cookie("cy_session")
                .await
                .expect("the session cookie");
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let report = http
                .get(format!("{base}{href}"))
                .header("Cookie", format!("cy_session={}", cookie.value()))
                .send()
                .await
                .expect("GET the error report");
            assert_eq!(report.status(), reqwest::StatusCode::OK);
            let bytes = report.bytes().await.expect("the report");
            assert!(bytes.starts_with(b"PK"), "the report is not an xlsx file");
            let anonymous = http
                .get(format!("{base}{href}"))
                .send()
                .await
                .expect("GET the error report without a session");
            assert_ne!(anonymous.status(), reqwest::StatusCode::OK);

            // The two good rows are in the register, beside the demo's own records.
            page.goto("/ledger/persons").await;
            assert_eq!(total(&page).await, before + 2);
            page.goto("/ledger/persons?q=导入").await;
            assert_eq!(page.text("#total").await, "共 2 条");
            let list = page.text("main").await;
            assert!(
                list.contains("导入甲") && list.contains("导入丙"),
                "{list:?}"
            );
            page.assert_clean_console().await;
        })
        .await;
    let _ = stop.send(true);
}
