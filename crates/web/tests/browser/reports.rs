//! Issue 5's second journey: the district's campaign office generates its work summary from
//! the reports page, follows the job to the end and downloads both the Word and the PDF file.

use std::time::{Duration, Instant};

use crate::harness::{Browser, Page, Viewport};
use crate::support::TestApp;
use crate::{log_in, start_worker};

/// Waits on a job's page (which reloads itself) until the job is done.
async fn wait_done(page: &Page) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = page
            .js("var e = document.getElementById('job-status'); return e ? e.dataset.status : null;")
            .await;
        match status.as_str() {
            Some("done") => return,
            Some("failed") => panic!("the job failed: {}", page.text("main").await),
            _ if Instant::now() > deadline => panic!("still {status:?}"),
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Downloads a link's file in the page's own session: (HTTP status, length, first bytes).
async fn download(page: &Page, href: &str) -> (u64, u64, String) {
    let script = format!(
        "var x = new XMLHttpRequest(); x.open('GET', {href:?}, false); \
         x.overrideMimeType('text/plain; charset=x-user-defined'); x.send(); \
         var t = x.responseText; var head = ''; \
         for (var i = 0; i < 5 && i < t.length; i++) {{ head += String.fromCharCode(t.charCodeAt(i) & 0xff); }} \
         return [x.status, t.length, head];"
    );
    let v = page.js(&script).await;
    (
        v[0].as_u64().unwrap_or(0),
        v[1].as_u64().unwrap_or(0),
        v[2].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_district_generates_its_report_and_downloads_both_files() {
    let Some(browser) = Browser::launch(Viewport::Desktop).await else {
        return;
    };
    let app = TestApp::demo().await;
    let stop = start_worker(&app);
    browser
        .run(&app.base, |page| async move {
            log_in(&page, "office").await;
            page.click("a[href='/reports']").await;
            page.wait_path("/reports").await;
            page.click("#generate-summary").await;
            let deadline = Instant::now() + Duration::from_secs(20);
            while !page.location().await.contains("/admin/jobs/") {
                assert!(
                    Instant::now() < deadline,
                    "no job page: {}",
                    page.location().await
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            wait_done(&page).await;
            let links = page.find_all("#job-files a").await;
            assert_eq!(links.len(), 2);
            let mut got = Vec::new();
            for l in links {
                let href = l.attr("href").await.ok().flatten().expect("a link");
                let name = l.text().await.unwrap_or_default();
                let (status, len, head) = download(&page, &href).await;
                assert_eq!(status, 200, "{name}");
                assert!(len > 5_000, "{name} is {len} bytes");
                got.push((name, head));
            }
            got.sort();
            assert!(
                got[0].0.ends_with("工作总结汇报.docx") && got[0].1.starts_with("PK"),
                "{got:?}"
            );
            assert!(
                got[1].0.ends_with("工作总结汇报.pdf") && got[1].1 == "%PDF-",
                "{got:?}"
            );
            page.screenshot("report-job.png").await;
            page.assert_clean_console().await;
        })
        .await;
    drop(stop);
}
