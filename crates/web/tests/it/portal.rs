//! The portal through real HTTP: a community's news reviewed by its sub-district reaches the
//! public pages above it, in either script, found by search; cached pages revalidate; bad input
//! is escaped or refused, never a 500.

use reqwest::StatusCode;
use reqwest::header;

use crate::support::TestApp;

const OTHER_COMMUNITY: &str = "411002002001";
const COMMUNITY: &str = "411002001001";

/// The id in a `Location: /content/<id>?saved=1` answer.
fn created_id(r: &reqwest::Response) -> String {
    let loc = r.headers()[header::LOCATION].to_str().unwrap();
    loc.trim_start_matches("/content/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn community_news_reviewed_by_its_sub_district_reaches_the_public_and_can_be_withdrawn() {
    let app = TestApp::demo().await;
    let community = app.login("community").await;
    let r = community
        .post(
            "/content",
            &[
                ("kind", "news"),
                ("title", "<script>alert(1)</script>社区创业担保贷款宣讲"),
                (
                    "body",
                    "讲解创业担保贷款的申请条件。\n\n欢迎返乡农民工参加。",
                ),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id = created_id(&r);
    // A bad form is answered at its field, nothing saved.
    let r = community
        .post("/content", &[("kind", "news"), ("title", ""), ("body", "")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"title-error\""));
    // A photo is attached; a file whose content is not what its name says is refused.
    let upload = |name: &'static str, bytes: Vec<u8>| {
        let community = &community;
        let id = id.clone();
        async move {
            let token = community.csrf().await;
            let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
            community
                .http
                .post(community.url(&format!("/content/{id}/files?_csrf={token}")))
                .multipart(reqwest::multipart::Form::new().part("file", part))
                .send()
                .await
                .unwrap()
        }
    };
    let png = include_bytes!("tiny.png").to_vec();
    let r = upload("宣讲现场.png", png.clone()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = upload("通知.pdf", png).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"file-error\""));
    let r = community.post(&format!("/content/{id}/submit"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let anon = app.client();
    assert_eq!(
        anon.get(&format!("/portal/news/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );

    let street = app.login("street").await;
    let (_, queue) = street.text("/content/review").await;
    assert!(queue.contains(&format!("data-item=\"{id}\"")), "{queue}");
    let r = street.post(&format!("/content/{id}/approve"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // A shop registered this year makes a key figure of the home page.
    let year = (time::OffsetDateTime::now_utc() + time::Duration::hours(8)).year();
    chuangye_core::ledger::service::register_business(
        app.core(),
        &chuangye_core::org::Actor::system("411002000000", "test"),
        &chuangye_core::ledger::model::BusinessInput {
            name: "门户指标测试店".into(),
            kind: "individual".into(),
            industry: "52".into(),
            registered_on: format!("{year}-01-15"),
            region_code: COMMUNITY.into(),
            address: "一号".into(),
            capital: "1万".into(),
            jobs: "3".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (status, home) = anon.text("/portal").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("社区创业担保贷款宣讲"),
        "on the county's home page"
    );
    let at = home
        .find("id=\"key-figures\"")
        .expect("the year's key figures");
    assert!(home[at..].contains("新注册个体工商户"), "{home}");
    assert!(
        !home.contains("<script>alert(1)</script>"),
        "titles are escaped"
    );
    let (_, other) = anon
        .text(&format!("/portal/region/{OTHER_COMMUNITY}"))
        .await;
    assert!(
        !other.contains("社区创业担保贷款宣讲"),
        "not on another community's page"
    );
    // The detail revalidates with its ETag.
    let r = anon.get(&format!("/portal/news/{id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key(header::LAST_MODIFIED));
    let etag = r.headers()[header::ETAG].to_str().unwrap().to_string();
    let again = anon
        .http
        .get(anon.url(&format!("/portal/news/{id}")))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    // Or with its Last-Modified date; a date before the change gets the page.
    let lm = r.headers()[header::LAST_MODIFIED]
        .to_str()
        .unwrap()
        .to_string();
    let since = |date: String| {
        anon.http
            .get(anon.url(&format!("/portal/news/{id}")))
            .header(header::IF_MODIFIED_SINCE, date)
            .send()
    };
    assert_eq!(since(lm).await.unwrap().status(), StatusCode::NOT_MODIFIED);
    let old = "Mon, 01 Jan 2001 00:00:00 GMT".to_string();
    assert_eq!(since(old).await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        since("yesterday".into()).await.unwrap().status(),
        StatusCode::OK
    );
    // Found by a Traditional query, marked; shown in Traditional to a Traditional reader.
    let (_, results) = anon
        .text("/portal/search?q=%E5%89%B5%E6%A5%AD%E6%93%94%E4%BF%9D%E8%B2%B8%E6%AC%BE")
        .await;
    assert!(results.contains(&format!("data-id=\"{id}\"")), "{results}");
    assert!(results.contains("<mark>"), "{results}");
    let trad = app.client();
    assert_eq!(
        trad.get("/lang/zh-hant?next=/portal").await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, page) = trad.text(&format!("/portal/news/{id}")).await;
    assert!(page.contains("創業擔保貸款"), "{page}");

    // The photo shows on the public page and downloads without logging in.
    let (_, detail) = anon.text(&format!("/portal/news/{id}")).await;
    let at = detail.find("src=\"/portal/files/").expect("the photo") + 5;
    let photo = detail[at..].split('"').next().unwrap().to_string();
    let r = anon.get(&photo).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "image/png");
    // In the news feed of its community and the sitemap.
    let (status, feed) = anon
        .text(&format!("/portal/feed/news.xml?region={COMMUNITY}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        feed.contains("&lt;script&gt;") && feed.contains(&format!("/portal/news/{id}</id>")),
        "{feed}"
    );
    let (_, other_feed) = anon
        .text(&format!("/portal/feed/news.xml?region={OTHER_COMMUNITY}"))
        .await;
    assert!(!other_feed.contains(&id));
    let (_, sitemap) = anon.text("/sitemap.xml").await;
    assert!(
        sitemap.contains(&format!("/portal/news/{id}</loc>")),
        "{sitemap}"
    );
    // The public API says the same, without a token.
    let v: serde_json::Value = anon
        .get(&format!(
            "/api/v1/portal/items?kind=news&region={COMMUNITY}"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id.as_str()),
        "{v}"
    );
    let v: serde_json::Value = anon
        .get(&format!("/api/v1/portal/items/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(v["body_html"].as_str().unwrap().contains("<p>"), "{v}");
    let v: serde_json::Value = anon
        .get("/api/v1/portal/search?q=%E5%89%B5%E6%A5%AD")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == id.as_str()),
        "{v}"
    );
    let (_, openapi) = anon.text("/api/v1/openapi.json").await;
    assert!(openapi.contains("/api/v1/portal/search"));

    let r = street
        .post(
            &format!("/content/{id}/withdraw"),
            &[("reason", "活动已结束")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, gone) = anon.text(&format!("/portal/news/{id}")).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(gone.contains("活动已结束"), "{gone}");
    assert_eq!(
        anon.get(&format!("/api/v1/portal/items/{id}"))
            .await
            .status(),
        StatusCode::GONE
    );
    assert_eq!(
        anon.get(&photo).await.status(),
        StatusCode::NOT_FOUND,
        "its files go with it"
    );
}

#[tokio::test]
async fn bad_public_input_is_escaped_or_refused_never_a_500() {
    let app = TestApp::demo().await;
    let anon = app.client();
    let (status, page) = anon
        .text("/portal/search?q=%3Cscript%3Ealert(x)%3C%2Fscript%3E%20AND%20%22(")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("<script>alert(x)"), "the query is escaped");
    assert!(
        page.contains("id=\"no-results\""),
        "something useful when nothing matches"
    );
    for path in [
        "/portal/region/999999999999",
        "/portal/region/<b>",
        "/portal/advert",
        "/portal/news/no-such-item",
        "/portal/search?region=110101000000&q=x",
    ] {
        assert_eq!(
            anon.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // Elder mode persists in a cookie.
    assert_eq!(
        anon.get("/portal/prefs?elder=1&next=/portal")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let (_, home) = anon.text("/portal").await;
    assert!(home.contains("class=\"elder\""), "{home}");
    // Off-site redirects are refused.
    let r = anon.get("/portal/prefs?elder=0&next=//evil.example").await;
    assert_eq!(r.headers()[header::LOCATION], "/portal");
}

#[tokio::test]
async fn feeds_and_the_sitemap_name_pages_by_the_configured_public_address() {
    let app = TestApp::demo_with(chuangye_web::WebConfig {
        public_url: Some("https://cy.example.gov.cn".into()),
        ..chuangye_web::WebConfig::default()
    })
    .await;
    let anon = app.client();
    for path in ["/portal/feed/policy.xml", "/sitemap.xml"] {
        let r = anon
            .http
            .get(anon.url(path))
            .header(header::HOST, "intranet-name:8080")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let xml = r.text().await.unwrap();
        assert!(
            xml.contains("https://cy.example.gov.cn/portal/"),
            "{path}: {xml}"
        );
        assert!(!xml.contains("intranet-name"), "{path}");
    }
}
