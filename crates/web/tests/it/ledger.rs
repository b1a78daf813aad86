//! Ledger journeys through real HTTP: registration with field errors, the unit queue, and the
//! import with its job, progress page and error report.

use std::sync::Arc;

use chuangye_core::jobs;
use chuangye_web::i18n::Lang;
use reqwest::StatusCode;

use crate::support::{TestApp, extract_csrf};

const COMMUNITY: &str = "411002001001";

fn id_number(seq: u32) -> String {
    let body = format!(
        "41100219880{}{:02}{:03}",
        1 + seq % 9,
        1 + seq % 28,
        seq % 1000
    );
    chuangye_core::testing::with_check_digit(&body)
}

fn worker(app: &TestApp) -> jobs::Worker {
    let translate: chuangye_core::ledger::import::Translate =
        Arc::new(|lang: &str, e: &chuangye_core::FieldError| {
            Lang::parse(lang).unwrap_or_default().field_error(e)
        });
    let registry = chuangye_core::ledger::import::register(jobs::builtin_registry(), translate);
    jobs::Worker::new(app.core().clone(), registry)
}

#[tokio::test]
async fn a_wrong_id_number_is_shown_at_its_field_in_chinese_and_the_right_one_registers() {
    let app = TestApp::demo().await;
    let b = app.login("community").await;
    let good = id_number(1);
    let mut bad = good[..17].to_string();
    bad.push(if good.ends_with('1') { '2' } else { '1' });
    let fields = |id: &str| {
        vec![
            ("name".to_string(), "李四".to_string()),
            ("id_number".to_string(), id.to_string()),
            ("education".to_string(), "college".to_string()),
            ("household".to_string(), "urban".to_string()),
            ("categories".to_string(), "graduate".to_string()),
            ("region_code".to_string(), COMMUNITY.to_string()),
        ]
    };
    let as_refs = |v: &Vec<(String, String)>| {
        v.iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
            .collect::<Vec<_>>()
    };
    let f = as_refs(&fields(&bad));
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = b.post("/ledger/persons", &f).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"id_number-error\""));
    assert!(html.contains("校验位"));
    assert!(html.contains("value=\"李四\""), "typed values are kept");
    let f = as_refs(&fields(&good));
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = b.post("/ledger/persons", &f).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let (_, page) = b.text(&to).await;
    assert!(page.contains(&format!("{}********{}", &good[..6], &good[14..])));
    // Registering the same person again opens the existing record.
    let r = b.post("/ledger/persons", &f).await;
    assert_eq!(
        r.headers().get("location").unwrap().to_str().unwrap(),
        format!("{to}?notice=existing")
    );
}

#[tokio::test]
async fn importing_a_file_runs_as_a_job_and_offers_the_error_report() {
    let app = TestApp::demo().await;
    let b = app.login("community").await;
    let (_, html) = b.text("/ledger/persons/import").await;
    let token = extract_csrf(&html).unwrap();
    let t = b.get("/ledger/persons/template.xlsx").await;
    assert_eq!(t.status(), StatusCode::OK);
    assert!(t.bytes().await.unwrap().starts_with(b"PK"));
    let csv = format!(
        "姓名,身份证号码,文化程度,户籍类型,所属社区\n甲,{},本科,城镇,{COMMUNITY}\n乙,{},本科,城镇,{COMMUNITY}\n丙,123,本科,城镇,{COMMUNITY}\n",
        id_number(11),
        id_number(12)
    );
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("台账.csv"),
        )
        .text("mode", "valid_only");
    let r = b
        .http
        .post(b.url(&format!("/ledger/persons/import?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let job = r
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let (_, page) = b.text(&job).await;
    assert!(page.contains("data-status=\"queued\""));
    assert!(worker(&app).run_once().await.unwrap());
    let (_, page) = b.text(&job).await;
    assert!(page.contains("data-status=\"done\""), "{page}");
    assert!(page.contains("id=\"job-figures\""));
    let i = page.find("href=\"/files/").expect("error report link") + 6;
    let href: String = page[i..].chars().take_while(|c| *c != '"').collect();
    let report = b.get(&href).await;
    assert_eq!(report.status(), StatusCode::OK);
    assert!(report.bytes().await.unwrap().starts_with(b"PK"));
    let (_, list) = b.text("/ledger/persons").await;
    assert!(list.contains(">甲<") && list.contains(">乙<"));
    assert!(list.contains("id=\"total\">共 2 条"), "two rows imported");
}

#[tokio::test]
async fn a_picture_uploaded_as_a_register_is_refused_at_the_file_field() {
    let app = TestApp::demo().await;
    let b = app.login("community").await;
    let (_, html) = b.text("/ledger/persons/import").await;
    let token = extract_csrf(&html).unwrap();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(include_bytes!("tiny.png").to_vec()).file_name("台账.xlsx"),
    );
    let r = b
        .http
        .post(b.url(&format!("/ledger/persons/import?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"file-error\""));
}

#[tokio::test]
async fn the_export_downloads_an_excel_file_of_the_filtered_list() {
    let app = TestApp::demo().await;
    let b = app.login("office").await;
    let r = b.get("/ledger/persons/export.xlsx?category=graduate").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    // The leader may look but not export.
    let leader = app.login("leader").await;
    assert_eq!(
        leader.get("/ledger/persons/export.xlsx").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_api_lists_and_reads_ledger_records_masked_and_scoped() {
    use chuangye_core::ledger::model::PersonInput;
    use chuangye_core::ledger::service::{Registered, register_person};
    let app = TestApp::demo().await;
    let system = chuangye_core::org::Actor::system("411002000000", "test");
    let input = PersonInput {
        name: "接口测试".into(),
        id_number: id_number(21),
        phone: "13903745678".into(),
        education: "college".into(),
        household: "urban".into(),
        region_code: COMMUNITY.into(),
        ..Default::default()
    };
    let Registered::New(pid) = register_person(app.core(), &system, &input).await.unwrap() else {
        panic!()
    };
    let token = chuangye_core::auth::create_token(app.core(), &system, "community", "test")
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let get = |path: String| {
        http.get(format!("{}{}", app.base, path))
            .bearer_auth(token.clone())
            .send()
    };
    let r = get("/api/v1/persons".into()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["total"], 1);
    let idn = id_number(21);
    assert_eq!(
        v["items"][0]["id_number"],
        format!("{}********{}", &idn[..6], &idn[14..])
    );
    assert_eq!(v["items"][0]["phone"], "139****5678");
    let r = get(format!("/api/v1/persons/{pid}")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!r.text().await.unwrap().contains(&idn));
    let doc: serde_json::Value = http
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for p in [
        "/api/v1/persons",
        "/api/v1/persons/{id}",
        "/api/v1/businesses",
        "/api/v1/businesses/{id}",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} in the OpenAPI document");
    }
}

/// Uploads `csv` to an import form and runs its job; returns the job page.
async fn import_through_the_page(
    app: &TestApp,
    b: &crate::support::Browser,
    register: &str,
    csv: String,
) -> String {
    let (status, html) = b.text(&format!("/ledger/{register}/import")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/ledger/{register}/template.xlsx\"")));
    let token = extract_csrf(&html).unwrap();
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("台账.csv"),
        )
        .text("mode", "valid_only");
    let r = b
        .http
        .post(b.url(&format!("/ledger/{register}/import?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let job = r.headers()["location"].to_str().unwrap().to_string();
    assert!(worker(app).run_once().await.unwrap());
    let (_, page) = b.text(&job).await;
    assert!(page.contains("data-status=\"done\""), "{page}");
    page
}

#[tokio::test]
async fn businesses_and_visits_import_through_their_pages_and_businesses_export() {
    let app = TestApp::demo().await;
    let b = app.login("community").await;
    let persons = format!(
        "姓名,身份证号码,文化程度,户籍类型,所属社区\n甲,{},本科,城镇,{COMMUNITY}\n",
        id_number(21)
    );
    import_through_the_page(&app, &b, "persons", persons).await;
    let businesses = format!(
        "名称,市场主体类型,统一社会信用代码,行业,成立日期,所属社区,负责人身份证号码\n\
         甲便利店,个体工商户,,52 零售业,2024-06-01,{COMMUNITY},{}\n\
         乙公司,私营企业,,52,2024-06-01,{COMMUNITY},\n",
        id_number(21)
    );
    let page = import_through_the_page(&app, &b, "businesses", businesses).await;
    assert!(
        page.contains("href=\"/files/"),
        "乙公司 has no USCC: reported"
    );
    let (_, list) = b.text("/ledger/businesses?q=甲便利店").await;
    assert!(list.contains("甲便利店"));
    assert!(list.contains("id=\"export-businesses\""));
    // The visit template lists the member units to route needs to.
    let t = b.get("/ledger/visits/template.xlsx").await;
    assert_eq!(t.status(), StatusCode::OK);
    assert!(t.bytes().await.unwrap().starts_with(b"PK"));
    let visits = format!(
        "身份证号码,走访日期,走访方式,走访情况\n{},2024-07-01,上门,经营正常\n",
        id_number(21)
    );
    let page = import_through_the_page(&app, &b, "visits", visits).await;
    assert!(!page.contains("href=\"/files/"), "no error report: {page}");
    let office = app.login("office").await;
    let r = office
        .get("/ledger/businesses/export.xlsx?kind=individual")
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
}
