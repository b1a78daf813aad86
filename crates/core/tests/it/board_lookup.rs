//! Lookup codes of the job board's and the project library's public submissions: the code on
//! the receipt opens the submission however it is typed and tells the sender how it stands
//! (waiting, rejected with the reason, published, withdrawn with the reason, expired); a wrong
//! or malformed code is an error at its field; only the code's keyed hash is stored, and
//! entries entered by staff have none.

use chuangye_core::Error;
use chuangye_core::board::lookup::{self, Submission};
use chuangye_core::board::{EntryInput, Kind, service};
use chuangye_core::idea::{IdeaInput, service as ideas};
use chuangye_core::testing::TestDb;

use crate::{COMMUNITY, COUNTY, STREET, county_admin, scoped, weidu};

async fn site() -> TestDb {
    let t = weidu().await;
    chuangye_core::org::service::set_root_region(&t.core, &county_admin(), COUNTY)
        .await
        .unwrap();
    t
}

fn entry(position: &str, trade: &str, region: &str) -> EntryInput {
    EntryInput {
        employer: if position.is_empty() {
            String::new()
        } else {
            "许昌某服装厂".into()
        },
        position: position.into(),
        trade: trade.into(),
        head_count: "4".into(),
        body: "吃苦耐劳".into(),
        region_code: region.into(),
        contact_name: "王丽".into(),
        contact_phone: "13800138000".into(),
        contact_visibility: "public".into(),
        valid_until: chuangye_core::ledger::model::fmt_date(
            chuangye_core::ledger::model::today() + time::Duration::days(30),
        ),
        ..Default::default()
    }
}

fn field_of(e: Error) -> String {
    match e {
        Error::Invalid(v) => format!("{}:{}", v[0].field, v[0].key),
        other => format!("{other:?}"),
    }
}

async fn read(t: &TestDb, code: &str) -> Submission {
    lookup::lookup(&t.core, code).await.unwrap()
}

#[tokio::test]
async fn the_code_on_the_receipt_tells_the_employer_why_the_posting_was_rejected() {
    let t = site().await;
    let r = service::submit_public(
        &t.core,
        Kind::Job,
        &entry("缝纫工", "operator", COMMUNITY),
        "x",
    )
    .await
    .unwrap();
    assert_eq!(r.code.len(), 14, "XXXX-XXXX-XXXX: {}", r.code);
    let s = read(&t, &r.code).await;
    assert_eq!(s.kind, Kind::Job);
    assert_eq!(s.title, "缝纫工");
    assert_eq!(s.trade.as_deref(), Some("operator"));
    assert_eq!((s.state.as_str(), s.reason, s.url), ("review", None, None));
    service::decide(
        &t.core,
        &scoped(COMMUNITY),
        Kind::Job,
        &r.id,
        false,
        "工资低于最低工资标准",
    )
    .await
    .unwrap();
    // Typed in lower case with spaces instead of dashes, it still opens.
    let typed = r.code.to_lowercase().replace('-', " ");
    let s = read(&t, &typed).await;
    assert_eq!(s.state, "rejected");
    assert_eq!(s.reason.as_deref(), Some("工资低于最低工资标准"));
    assert_eq!(s.url, None);
    // A code that opens nothing, and one that cannot be a code, are errors at the field.
    let e = lookup::lookup(&t.core, "ABCD-EFGH-JKMN").await.unwrap_err();
    assert_eq!(field_of(e), "code:board.code_unknown");
    let e = lookup::lookup(&t.core, "<script>").await.unwrap_err();
    assert_eq!(field_of(e), "code:board.code_invalid");
    // A consultation's code opens no submission (each has its own hash domain).
    let asked = chuangye_core::consultation::service::ask(
        &t.core,
        &chuangye_core::consultation::AskInput {
            category: "jobs".into(),
            region: COMMUNITY.into(),
            question: "附近有招缝纫工的厂吗？".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let e = lookup::lookup(&t.core, &asked.code).await.unwrap_err();
    assert_eq!(field_of(e), "code:board.code_unknown");
}

#[tokio::test]
async fn only_the_codes_keyed_hash_is_stored_and_staff_entries_have_none() {
    let t = site().await;
    let r = service::submit_public(&t.core, Kind::Labour, &entry("", "cook", STREET), "x")
        .await
        .unwrap();
    let staff = service::create(
        &t.core,
        &scoped(STREET),
        Kind::Labour,
        &entry("", "cook", STREET),
    )
    .await
    .unwrap();
    let rows: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT id, lookup_hash FROM labour_supply ORDER BY id")
            .fetch_all(t.core.db.pool())
            .await
            .unwrap();
    let hash = rows
        .iter()
        .find(|x| x.0 == r.id)
        .unwrap()
        .1
        .clone()
        .unwrap();
    assert_eq!(hash.len(), 64);
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    let bare = r.code.replace('-', "");
    assert!(!hash.contains(&bare) && !hash.to_uppercase().contains(&bare));
    assert_eq!(rows.iter().find(|x| x.0 == staff).unwrap().1, None);
    let audit: Vec<String> = sqlx::query_scalar("SELECT COALESCE(after_json, '') FROM audit_log")
        .fetch_all(t.core.db.pool())
        .await
        .unwrap();
    assert!(
        !audit.iter().any(|a| a.contains(&bare)),
        "no code in the audit"
    );
    let s = read(&t, &r.code).await;
    assert_eq!((s.kind, s.head_count), (Kind::Labour, Some(4)));
    assert_eq!(s.title, "");
    let json = serde_json::to_string(&s).unwrap();
    assert!(
        !json.contains("13800138000") && !json.contains("王丽"),
        "{json}"
    );
    // Published, then past the day it was valid until: it reads as expired.
    service::decide(&t.core, &scoped(STREET), Kind::Labour, &r.id, true, "")
        .await
        .unwrap();
    let s = read(&t, &r.code).await;
    assert_eq!(s.state, "published");
    assert_eq!(s.url, Some(format!("/portal/labour/{}", r.id)));
    sqlx::query("UPDATE labour_supply SET expire_at = 1000 WHERE id = $1")
        .bind(r.id.clone())
        .execute(t.core.db.pool())
        .await
        .unwrap();
    let s = read(&t, &r.code).await;
    assert_eq!((s.state.as_str(), s.url), ("expired", None));
}

#[tokio::test]
async fn a_citizen_follows_an_idea_from_review_to_publication_and_withdrawal() {
    let t = site().await;
    let input = IdeaInput {
        title: "社区果蔬直供站".into(),
        category: "retail".into(),
        description: "与周边农户合作".into(),
        region_code: STREET.into(),
        submitter_name: "刘明".into(),
        contact_phone: "13812345678".into(),
        ..Default::default()
    };
    let r = ideas::submit_public(&t.core, &input, "x").await.unwrap();
    let s = read(&t, &r.code).await;
    assert_eq!((s.kind, s.title.as_str()), (Kind::Idea, "社区果蔬直供站"));
    assert_eq!(s.state, "review");
    let street = scoped(STREET);
    service::decide(&t.core, &street, Kind::Idea, &r.id, true, "")
        .await
        .unwrap();
    let s = read(&t, &r.code).await;
    assert_eq!(s.url, Some(format!("/portal/ideas/{}", r.id)));
    service::withdraw(&t.core, &street, Kind::Idea, &r.id, "项目已停止征集")
        .await
        .unwrap();
    let s = read(&t, &r.code).await;
    assert_eq!(s.state, "withdrawn");
    assert_eq!(s.reason.as_deref(), Some("项目已停止征集"));
    assert_eq!(s.url, None);
}
