//! The work summary and the evidence pack: figures from the kept values in the template's
//! words, tables and charts by child region, DOCX and PDF kept as files of the job; templates
//! checked before they are saved and inherited down the tree; evidence zipped with the list.

use std::io::Read;

use chuangye_core::Error;
use chuangye_core::indicators::entry;
use chuangye_core::jobs::{self, Worker};
use chuangye_core::ledger::model::BusinessInput;
use chuangye_core::ledger::service::register_business;
use chuangye_core::reports::{self, summary, template};
use chuangye_core::testing::{TestDb, uscc};
use chuangye_docs::Block;

use crate::{COMMUNITY, COUNTY, OTHER_COMMUNITY, STREET, county_admin, scoped, user, weidu};

const OTHER_STREET_COMMUNITY: &str = "411002002001";

fn this_year() -> i32 {
    chuangye_core::ledger::model::today().year()
}

async fn shops(t: &TestDb, community: &str, kind: &str, n: u32, from: u32) {
    for i in 0..n {
        register_business(
            &t.core,
            &county_admin(),
            &BusinessInput {
                name: format!("总结测试{community}{}", from + i),
                kind: kind.into(),
                uscc: uscc(from + i),
                industry: "52".into(),
                registered_on: format!("{}-01-15", this_year()),
                region_code: community.into(),
                address: "一号".into(),
                capital: "1万".into(),
                jobs: "3".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
}

fn worker(t: &TestDb) -> Worker {
    Worker::new(t.core.clone(), reports::register(jobs::builtin_registry()))
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

#[tokio::test]
async fn a_summary_says_the_regions_figures_and_ranks_its_children() {
    let t = weidu().await;
    shops(&t, COMMUNITY, "private", 3, 1).await;
    shops(&t, OTHER_COMMUNITY, "private", 2, 10).await;
    shops(&t, OTHER_STREET_COMMUNITY, "private", 4, 20).await;
    let graduate = chuangye_core::ledger::model::PersonInput {
        name: "总结类别".into(),
        id_number: chuangye_core::testing::id_number(5),
        education: "college".into(),
        household: "urban".into(),
        region_code: COMMUNITY.into(),
        categories: vec!["graduate".into()],
        ..Default::default()
    };
    chuangye_core::ledger::service::register_person(&t.core, &county_admin(), &graduate)
        .await
        .unwrap();
    let f = summary::gather(&t.core, &county_admin(), COUNTY, &this_year().to_string())
        .await
        .unwrap();
    let tpl = template::parse(template::DEFAULT, &f.catalogue).unwrap();
    let doc = f.document(&tpl);
    assert!(doc.title.starts_with(&f.region_name), "{}", doc.title);
    let Block::Paragraph(opening) = &doc.blocks[0] else {
        panic!("the opening paragraph first")
    };
    assert!(opening.contains("新增私营企业9户"), "{opening}");
    assert!(opening.contains("创业带动就业27人"), "{opening}");
    let table = doc
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .unwrap();
    assert_eq!(table.rows.len(), f.children.len() + 1);
    let street = table.rows.iter().find(|r| r[0] == f.children[0].0).unwrap();
    assert_eq!(
        street[2], "5",
        "the first sub-district's private enterprises"
    );
    assert_eq!(table.rows.last().unwrap()[0], "合计");
    assert_eq!(table.rows.last().unwrap()[2], "9");
    let chart = doc
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Chart(c) => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(chart.bars[0].1, 5.0, "largest first");
    let categories = doc
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Chart(c) if c.title.contains("在册创业人员") => Some(c),
            _ => None,
        })
        .expect("the chart of entrepreneurs by category");
    assert_eq!(categories.bars, [("高校毕业生".to_string(), 1.0)]);
    let (docx, pdf) = reports::job::render(doc).await.unwrap();
    assert!(docx.starts_with(b"PK") && pdf.starts_with(b"%PDF-"));
}

#[tokio::test]
async fn a_template_with_an_unknown_placeholder_is_refused_and_nothing_is_saved() {
    let t = weidu().await;
    let err = reports::save_template(&t.core, &county_admin(), "标题\n正文{{新增国有企业}}")
        .await
        .unwrap_err();
    let Error::Invalid(v) = err else {
        panic!("{err:?}")
    };
    assert_eq!(v[0].field, "body");
    assert_eq!(v[0].key, "report.template_unknown");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM report_template")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(
        reports::template_text(&t.core, STREET).await.unwrap(),
        (template::DEFAULT.to_string(), true)
    );
}

#[tokio::test]
async fn a_saved_template_applies_to_the_region_and_below_until_a_lower_one_saves_its_own() {
    let t = weidu().await;
    reports::save_template(&t.core, &county_admin(), "区级{{地区}}\n区级正文")
        .await
        .unwrap();
    assert_eq!(
        reports::template_text(&t.core, COMMUNITY).await.unwrap().0,
        "区级{{地区}}\n区级正文"
    );
    reports::save_template(&t.core, &scoped(STREET), "街道{{地区}}\n街道正文")
        .await
        .unwrap();
    assert!(
        reports::template_text(&t.core, COMMUNITY)
            .await
            .unwrap()
            .0
            .starts_with("街道")
    );
    assert!(
        reports::template_text(&t.core, COUNTY)
            .await
            .unwrap()
            .0
            .starts_with("区级")
    );
    let other = "411002002000";
    assert!(
        reports::template_text(&t.core, other)
            .await
            .unwrap()
            .0
            .starts_with("区级")
    );
    let staff = user(&t, "street-staff", STREET).await;
    assert!(matches!(
        reports::save_template(&t.core, &staff, "x\ny").await,
        Err(Error::Forbidden)
    ));
}

#[tokio::test]
async fn a_report_outside_the_scope_is_not_found_and_a_bad_period_is_refused_at_its_field() {
    let t = weidu().await;
    let staff = user(&t, "street-staff", STREET).await;
    assert!(matches!(
        reports::start_summary(&t.core, &staff, "411002002000", "2025").await,
        Err(Error::NotFound)
    ));
    match reports::start_summary(&t.core, &staff, STREET, "2025-13").await {
        Err(Error::Invalid(v)) => assert_eq!(v[0].field, "period"),
        other => panic!("{other:?}"),
    }
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job WHERE kind LIKE 'reports.%'")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap();
    assert_eq!(queued, 0);
}

#[tokio::test]
async fn the_summary_job_keeps_a_word_and_a_pdf_file_for_whoever_asked() {
    let t = weidu().await;
    shops(&t, COMMUNITY, "individual", 2, 1).await;
    let staff = user(&t, "street-staff", STREET).await;
    let id = reports::start_summary(&t.core, &staff, STREET, &this_year().to_string())
        .await
        .unwrap();
    assert!(worker(&t).run_once().await.unwrap());
    let job = jobs::get(&t.core, &staff, &id).await.unwrap();
    assert_eq!(job.status, "done", "{:?}", job.message);
    let result: serde_json::Value = serde_json::from_str(job.result.as_deref().unwrap()).unwrap();
    let files = result["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let mut kinds = Vec::new();
    for f in files {
        let (meta, path) = chuangye_core::files::get(&t.core, &staff, f["id"].as_str().unwrap())
            .await
            .unwrap();
        let bytes = std::fs::read(path).unwrap();
        if meta.original_name.ends_with(".docx") {
            let parts = unzip(&bytes);
            let xml = parts.iter().find(|p| p.0 == "word/document.xml").unwrap();
            let text = String::from_utf8_lossy(&xml.1);
            assert!(
                text.contains("新注册个体工商户2户"),
                "the figure in the words"
            );
        } else {
            assert!(bytes.starts_with(b"%PDF-"));
            assert!(String::from_utf8_lossy(&bytes).contains("/FontFile2"));
        }
        kinds.push(meta.content_type);
    }
    kinds.sort();
    assert_eq!(
        kinds,
        [
            chuangye_core::files::MIME_PDF,
            chuangye_core::files::MIME_DOCX
        ]
    );
    // Nobody else sees the job.
    let other = user(&t, "other-staff", STREET).await;
    assert!(jobs::get(&t.core, &other, &id).await.is_err());
}

#[tokio::test]
async fn the_evidence_pack_lists_each_entry_with_its_files_and_zips_them() {
    let t = weidu().await;
    let community = user(&t, "community-staff", COMMUNITY).await;
    let today = chuangye_core::ledger::model::today();
    let month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    entry::save(
        &t.core,
        &community,
        COMMUNITY,
        &month,
        &[("new_urban_jobs".into(), "37".into())],
    )
    .await
    .unwrap();
    let e = &entry::entries_of(&t.core, &community, COMMUNITY, &month)
        .await
        .unwrap()[0];
    let scan = crate::pdf();
    entry::attach(&t.core, &community, &e.id, &scan, "统计表.pdf")
        .await
        .unwrap();
    // Another community's staff cannot attach to it.
    let other = user(&t, "other-community", OTHER_COMMUNITY).await;
    assert!(matches!(
        entry::attach(&t.core, &other, &e.id, &scan, "x.pdf").await,
        Err(Error::NotFound)
    ));
    let staff = user(&t, "street-staff", STREET).await;
    let id = reports::start_evidence(
        &t.core,
        &staff,
        STREET,
        "new_urban_jobs",
        &this_year().to_string(),
    )
    .await
    .unwrap();
    assert!(worker(&t).run_once().await.unwrap());
    let job = jobs::get(&t.core, &staff, &id).await.unwrap();
    assert_eq!(job.status, "done", "{:?}", job.message);
    let result: serde_json::Value = serde_json::from_str(job.result.as_deref().unwrap()).unwrap();
    let zip_id = result["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"].as_str().unwrap().ends_with(".zip"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, path) = chuangye_core::files::get(&t.core, &staff, &zip_id)
        .await
        .unwrap();
    let parts = unzip(&std::fs::read(path).unwrap());
    let attached = parts
        .iter()
        .find(|p| p.0.starts_with("附件/") && p.0.ends_with("统计表.pdf"));
    assert_eq!(attached.map(|p| p.1.clone()), Some(scan));
    let list = parts.iter().find(|p| p.0.ends_with(".xlsx")).unwrap();
    let xml: String = unzip(&list.1)
        .into_iter()
        .filter(|p| p.0.ends_with(".xml"))
        .map(|p| String::from_utf8_lossy(&p.1).into_owned())
        .collect();
    assert!(
        xml.contains("统计表.pdf") && xml.contains("待审核"),
        "the entry with its file"
    );
    assert!(xml.contains(">37<"), "the entry's value in the list");
    assert!(matches!(
        reports::start_evidence(&t.core, &staff, STREET, "no_such", "2025").await,
        Err(Error::Invalid(_))
    ));
}
