//! Importing and exporting the person register: row-by-row validation, both modes, idempotent
//! re-import, refusal of non-spreadsheets, error reports, masked export.

use std::sync::Arc;

use chuangye_core::Error;
use chuangye_core::ledger::import::{
    ImportOptions, Mode, Translate, export_persons, import_persons,
};
use chuangye_core::ledger::repo::PersonFilter;
use chuangye_core::org::Permission;

use crate::{COMMUNITY, county_admin, scoped, weidu};

fn tr() -> Translate {
    Arc::new(|_: &str, e: &chuangye_core::FieldError| e.key.clone())
}

fn opts(mode: Mode) -> ImportOptions {
    ImportOptions {
        mode,
        lang: "zh-CN".into(),
        translate: tr(),
    }
}

/// A valid ID number for a running sequence.
fn idn(seq: u32) -> String {
    let body = format!(
        "41100219900{}{:02}{:03}",
        1 + seq % 9,
        1 + seq % 28,
        seq % 1000
    );
    chuangye_core::testing::with_check_digit(&body)
}

fn wrong_check(id: &str) -> String {
    let mut s = id[..17].to_string();
    let last = id.chars().last().unwrap();
    s.push(if last == '1' { '2' } else { '1' });
    s
}

/// Five rows: two good, a wrong check digit, an unknown education, a missing name.
fn csv_with_three_bad_rows() -> Vec<u8> {
    format!(
        "姓名,身份证号码,手机号码,文化程度,户籍类型,人员类别,所属社区,地址\n\
         王一,{},13903740001,本科,城镇,高校毕业生、退役军人,{COMMUNITY},一号\n\
         王二,{},,大专,农村,,{COMMUNITY},二号\n\
         王三,{},,本科,城镇,,{COMMUNITY},三号\n\
         王四,{},,博士后,城镇,,{COMMUNITY},四号\n\
         ,{},,本科,城镇,,{COMMUNITY},五号\n",
        idn(1),
        idn(2),
        wrong_check(&idn(3)),
        idn(4),
        idn(5)
    )
    .into_bytes()
}

async fn count(t: &chuangye_core::testing::TestDb) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM person")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_all_or_nothing_import_with_bad_rows_writes_nothing_and_reports_them() {
    let t = weidu().await;
    let out = import_persons(
        &t.core,
        &county_admin(),
        &csv_with_three_bad_rows(),
        "a.csv",
        &opts(Mode::AllOrNothing),
        |_, _| async {},
    )
    .await
    .unwrap();
    assert!(!out.committed);
    assert_eq!((out.imported, out.refused), (0, 3));
    assert_eq!(count(&t).await, 0);
    let report = out.report_file.expect("an error report");
    let (meta, _) = chuangye_core::files::get(&t.core, &county_admin(), &report)
        .await
        .unwrap();
    assert!(meta.original_name.ends_with(".xlsx"));
}

#[tokio::test]
async fn a_valid_rows_only_import_keeps_the_good_rows_and_reimporting_changes_nothing() {
    let t = weidu().await;
    let file = csv_with_three_bad_rows();
    let out = import_persons(
        &t.core,
        &county_admin(),
        &file,
        "a.csv",
        &opts(Mode::ValidOnly),
        |_, _| async {},
    )
    .await
    .unwrap();
    assert!(out.committed);
    assert_eq!((out.imported, out.unchanged, out.refused), (2, 0, 3));
    assert_eq!(count(&t).await, 2);
    let cats: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM person_category")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap();
    assert_eq!(cats, 2, "王一's two categories");
    let again = import_persons(
        &t.core,
        &county_admin(),
        &file,
        "a.csv",
        &opts(Mode::ValidOnly),
        |_, _| async {},
    )
    .await
    .unwrap();
    assert_eq!((again.imported, again.unchanged), (0, 2));
    assert_eq!(count(&t).await, 2);
}

#[tokio::test]
async fn a_duplicate_inside_the_same_file_is_reported_with_the_first_row() {
    let t = weidu().await;
    let file = format!(
        "姓名,身份证号码,文化程度,户籍类型,所属社区\n甲,{},本科,城镇,{COMMUNITY}\n乙,{},本科,城镇,{COMMUNITY}\n",
        idn(7),
        idn(7)
    );
    let out = import_persons(
        &t.core,
        &county_admin(),
        file.as_bytes(),
        "d.csv",
        &opts(Mode::ValidOnly),
        |_, _| async {},
    )
    .await
    .unwrap();
    assert_eq!((out.imported, out.refused), (1, 1));
}

#[tokio::test]
async fn a_file_that_is_not_a_spreadsheet_or_lacks_columns_is_refused_clearly() {
    let t = weidu().await;
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF".to_vec();
    let e = import_persons(
        &t.core,
        &county_admin(),
        &pdf,
        "x.xlsx",
        &opts(Mode::ValidOnly),
        |_, _| async {},
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, Error::Invalid(v) if v[0].key == "sheets.not_a_spreadsheet"),
        "{e:?}"
    );
    let garbage: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert!(
        import_persons(
            &t.core,
            &county_admin(),
            &garbage,
            "g.csv",
            &opts(Mode::ValidOnly),
            |_, _| async {},
        )
        .await
        .is_err()
    );
    let missing = "姓名,手机号码\n张三,13800138000\n";
    let e = import_persons(
        &t.core,
        &county_admin(),
        missing.as_bytes(),
        "m.csv",
        &opts(Mode::ValidOnly),
        |_, _| async {},
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, Error::Invalid(v) if v[0].key == "sheets.missing_columns"),
        "{e:?}"
    );
    assert_eq!(count(&t).await, 0);
}

#[tokio::test]
async fn rows_for_a_community_outside_the_scope_are_refused() {
    let t = weidu().await;
    let file = format!(
        "姓名,身份证号码,文化程度,户籍类型,所属社区\n甲,{},本科,城镇,411002002001\n",
        idn(9)
    );
    let out = import_persons(
        &t.core,
        &scoped(COMMUNITY),
        file.as_bytes(),
        "s.csv",
        &opts(Mode::ValidOnly),
        |_, _| async {},
    )
    .await
    .unwrap();
    assert_eq!((out.imported, out.refused), (0, 1));
}

#[tokio::test]
async fn the_export_is_masked_unless_the_actor_may_unmask_and_is_audited() {
    let t = weidu().await;
    import_persons(
        &t.core,
        &county_admin(),
        &csv_with_three_bad_rows(),
        "a.csv",
        &opts(Mode::ValidOnly),
        |_, _| async {},
    )
    .await
    .unwrap();
    let mut masked_actor = county_admin();
    masked_actor.permissions.remove(&Permission::PersonalUnmask);
    let bytes = export_persons(&t.core, &masked_actor, &PersonFilter::default())
        .await
        .unwrap();
    let text = read_back(&bytes);
    assert!(text.contains("王一") && text.contains("********"));
    assert!(!text.contains(&idn(1)));
    let full = read_back(
        &export_persons(&t.core, &county_admin(), &PersonFilter::default())
            .await
            .unwrap(),
    );
    assert!(full.contains(&idn(1)));
    let audits: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'person.export%' ORDER BY seq",
    )
    .fetch_all(t.core.db.pool())
    .await
    .unwrap();
    assert_eq!(
        audits,
        vec![
            "person.export".to_string(),
            "person.export_unmasked".to_string()
        ]
    );
}

/// Every cell of the export, read back with the import reader.
fn read_back(bytes: &[u8]) -> String {
    let mut out = String::new();
    chuangye_sheets::read_rows(
        bytes,
        "x.xlsx",
        &chuangye_core::ledger::import::person_spec(),
        |r| {
            for (_, v) in &r.cells {
                out.push_str(v);
                out.push('|');
            }
            std::ops::ControlFlow::Continue(())
        },
    )
    .unwrap();
    out
}
