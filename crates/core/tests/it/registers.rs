//! Importing the business and visit registers and exporting the business list: the same
//! engine as the person register (row-by-row checks, both modes, idempotent re-import), with
//! their own keys (USCC; person + date + way + notes) and references (owner, person, unit).

use std::sync::Arc;

use chuangye_core::ledger::import::{
    Businesses, ImportOptions, Mode, Outcome, Register, Translate, Visits, export_businesses,
    import, import_persons,
};
use chuangye_core::ledger::repo::BusinessFilter;
use chuangye_core::org::Actor;
use chuangye_core::org::service::{UnitInput, create_unit};
use chuangye_core::testing::{TestDb, id_number, uscc};

use crate::{COMMUNITY, COUNTY, OTHER_COMMUNITY, county_admin, scoped, weidu};

fn tr() -> Translate {
    Arc::new(|_: &str, e: &chuangye_core::FieldError| format!("{}:{}", e.field, e.key))
}

fn opts(mode: Mode) -> ImportOptions {
    ImportOptions {
        mode,
        lang: "zh-CN".into(),
        translate: tr(),
    }
}

async fn run<R: Register>(t: &TestDb, actor: &Actor, csv: &str, mode: Mode) -> Outcome {
    import::<R, _, _>(
        &t.core,
        actor,
        csv.as_bytes(),
        "台账.csv",
        &opts(mode),
        |_, _| async {},
    )
    .await
    .expect("import runs")
}

async fn count(t: &TestDb, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(t.core.db.pool())
        .await
        .unwrap()
}

/// Two persons in COMMUNITY (seq 1, 2) and one in OTHER_COMMUNITY (seq 3).
async fn with_persons(t: &TestDb) {
    let csv = format!(
        "姓名,身份证号码,手机号码,文化程度,户籍类型,人员类别,所属社区,地址\n\
         张一,{},,本科,城镇,,{COMMUNITY},一号\n\
         张二,{},,大专,农村,,{COMMUNITY},二号\n\
         张三,{},,高中/中专,城镇,,{OTHER_COMMUNITY},三号\n",
        id_number(1),
        id_number(2),
        id_number(3)
    );
    let out = import_persons(
        &t.core,
        &county_admin(),
        csv.as_bytes(),
        "p.csv",
        &opts(Mode::AllOrNothing),
        |_, _| async {},
    )
    .await
    .unwrap();
    assert_eq!(out.imported, 3);
}

const BUSINESS_HEADER: &str = "名称,市场主体类型,统一社会信用代码,代码校验说明,行业,成立日期,所属社区,经营地址,注册资本（元）,带动就业人数,负责人身份证号码";

/// Five rows: a company with its owner, a shop without a USCC, a wrong USCC check character,
/// an industry section instead of a division, an owner outside the importer's community.
fn business_csv() -> String {
    let good = uscc(7);
    let mut bad = good.clone();
    bad.pop();
    bad.push(if good.ends_with('0') { '1' } else { '0' });
    format!(
        "{BUSINESS_HEADER}\n\
         许昌一号科技有限公司,私营企业,{good},,65 软件和信息技术服务业,2024-03-05,{COMMUNITY},一号,50万,8,{}\n\
         张二便利店,个体工商户,,,52,2024/4/1,{COMMUNITY},二号,,2,{}\n\
         许昌三号有限公司,私营企业,{bad},,52,2024-01-01,{COMMUNITY},三号,,,\n\
         许昌四号有限公司,私营企业,{},,F,2024-01-01,{COMMUNITY},四号,,,\n\
         许昌五号有限公司,私营企业,{},,52,2024-01-01,{COMMUNITY},五号,,,{}\n",
        id_number(1),
        id_number(2),
        uscc(8),
        uscc(9),
        id_number(3),
    )
}

#[tokio::test]
async fn business_import_links_owners_and_reports_each_bad_cell() {
    let t = weidu().await;
    with_persons(&t).await;
    let staff = scoped(COMMUNITY);
    let out = run::<Businesses>(&t, &staff, &business_csv(), Mode::ValidOnly).await;
    assert_eq!(
        (out.imported, out.refused, out.elsewhere),
        (2, 3, 0),
        "{out:?}"
    );
    assert!(out.committed && out.report_file.is_some());
    assert_eq!(count(&t, "SELECT COUNT(*) FROM business").await, 2);
    // Each business starts operating on its registration date, with its jobs dated then.
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM business_status WHERE status = 'operating'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &t,
            "SELECT CAST(SUM(jobs) AS BIGINT) FROM business_jobs WHERE as_of IN ('2024-03-05', '2024-04-01')"
        )
        .await,
        10
    );
    assert_eq!(
        count(
            &t,
            "SELECT capital_fen FROM business WHERE name = '许昌一号科技有限公司'"
        )
        .await,
        50_000_000
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM person_business WHERE role = 'owner'"
        )
        .await,
        2
    );
    let industry: String =
        sqlx::query_scalar("SELECT industry FROM business WHERE name = '张二便利店'")
            .fetch_one(t.core.db.pool())
            .await
            .unwrap();
    assert_eq!(industry, "52");
    // Importing the same file again changes nothing.
    let again = run::<Businesses>(&t, &staff, &business_csv(), Mode::ValidOnly).await;
    assert_eq!((again.imported, again.unchanged), (0, 2), "{again:?}");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM business").await, 2);
}

#[tokio::test]
async fn business_import_all_or_nothing_writes_nothing_when_a_row_is_bad() {
    let t = weidu().await;
    with_persons(&t).await;
    let out = run::<Businesses>(&t, &scoped(COMMUNITY), &business_csv(), Mode::AllOrNothing).await;
    assert!(!out.committed);
    assert_eq!((out.imported, out.refused), (0, 3));
    assert_eq!(count(&t, "SELECT COUNT(*) FROM business").await, 0);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM person_business").await, 0);
}

#[tokio::test]
async fn business_registered_in_another_community_is_refused_without_details() {
    let t = weidu().await;
    let csv = format!(
        "{BUSINESS_HEADER}\n许昌七号有限公司,私营企业,{},,52,2024-01-01,{OTHER_COMMUNITY},七号,,,\n",
        uscc(70)
    );
    let first = run::<Businesses>(&t, &county_admin(), &csv, Mode::AllOrNothing).await;
    assert_eq!(first.imported, 1);
    let mine = csv.replace(OTHER_COMMUNITY, COMMUNITY);
    let out = run::<Businesses>(&t, &scoped(COMMUNITY), &mine, Mode::ValidOnly).await;
    assert_eq!((out.imported, out.refused, out.elsewhere), (0, 1, 1));
    assert_eq!(count(&t, "SELECT COUNT(*) FROM business").await, 1);
}

const VISIT_HEADER: &str =
    "身份证号码,姓名,走访日期,走访方式,走访情况,下次走访日期,需求类型,需求内容,承办单位";

async fn unit(t: &TestDb, name: &str) -> String {
    create_unit(
        &t.core,
        &county_admin(),
        &UnitInput {
            name: name.into(),
            kind: "department".into(),
            region_code: COUNTY.into(),
        },
    )
    .await
    .expect("unit")
}

#[tokio::test]
async fn visit_import_routes_needs_and_leaves_recorded_visits_alone() {
    let t = weidu().await;
    with_persons(&t).await;
    let bank = unit(&t, "区人社局").await;
    let csv = format!(
        "{VISIT_HEADER}\n\
         {},张一,2024-05-06,上门,经营正常，想扩大门面,2024-08-01,帮资金筹集,申请创业担保贷款 20 万,区人社局\n\
         {},张二,2024年5月7日,电话,询问补贴,,,,\n\
         {},张三,2024-05-08,上门,不在本社区,,,,\n\
         {},张一,2024-05-09,上门,有需求,,帮项目申报,申报项目,不存在的单位\n\
         {},张二,2099-01-01,来访,未来日期,,,,\n",
        id_number(1),
        id_number(2),
        id_number(3),
        id_number(1),
        id_number(2),
    );
    let staff = scoped(COMMUNITY);
    let out = run::<Visits>(&t, &staff, &csv, Mode::ValidOnly).await;
    assert_eq!((out.imported, out.refused), (2, 3), "{out:?}");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM visit").await, 2);
    let (kind, unit_id, state): (String, String, String) =
        sqlx::query_as("SELECT kind, unit_id, state FROM need")
            .fetch_one(t.core.db.pool())
            .await
            .unwrap();
    assert_eq!(
        (kind.as_str(), unit_id, state.as_str()),
        ("funding", bank, "open")
    );
    let next: Option<String> =
        sqlx::query_scalar("SELECT next_visit_date FROM person WHERE name = '张一'")
            .fetch_one(t.core.db.pool())
            .await
            .unwrap();
    assert_eq!(next.as_deref(), Some("2024-08-01"));
    let again = run::<Visits>(&t, &staff, &csv, Mode::ValidOnly).await;
    assert_eq!((again.imported, again.unchanged), (0, 2), "{again:?}");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM visit").await, 2);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM need").await, 1);
}

#[tokio::test]
async fn visit_import_refuses_a_file_without_its_columns() {
    let t = weidu().await;
    let e = import::<Visits, _, _>(
        &t.core,
        &county_admin(),
        "姓名,地址\n张一,一号\n".as_bytes(),
        "v.csv",
        &opts(Mode::AllOrNothing),
        |_, _| async {},
    )
    .await
    .expect_err("no ID number column");
    assert!(matches!(e, chuangye_core::Error::Invalid(_)), "{e:?}");
}

#[tokio::test]
async fn business_export_masks_owner_ids_and_stays_in_scope() {
    let t = weidu().await;
    with_persons(&t).await;
    run::<Businesses>(&t, &county_admin(), &business_csv(), Mode::ValidOnly).await;
    let other = format!(
        "{BUSINESS_HEADER}\n许昌七号有限公司,私营企业,{},,52,2024-01-01,{OTHER_COMMUNITY},七号,,,\n",
        uscc(70)
    );
    run::<Businesses>(&t, &county_admin(), &other, Mode::AllOrNothing).await;
    let mut staff = scoped(COMMUNITY);
    staff
        .permissions
        .remove(&chuangye_core::org::Permission::PersonalUnmask);
    let bytes = export_businesses(&t.core, &staff, &BusinessFilter::default())
        .await
        .unwrap();
    let text = sheet_text(&bytes);
    assert!(
        text.contains("许昌一号科技有限公司"),
        "the business in scope"
    );
    assert!(!text.contains("许昌七号"), "nothing outside scope");
    assert!(!text.contains(&id_number(1)), "owner ID masked");
    assert!(text.contains(&id_number(1)[..3]), "owner ID shown masked");
    assert!(text.contains("在营"));
    let audited = count(
        &t,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'business.export'",
    )
    .await;
    assert_eq!(audited, 1);
}

/// Every cell of the first sheet, joined.
fn sheet_text(bytes: &[u8]) -> String {
    let mut spec = chuangye_core::ledger::import::business_spec();
    spec.columns
        .push(chuangye_sheets::Column::new("status", "经营状态"));
    let mut out = String::new();
    chuangye_sheets::read_rows(bytes, "x.xlsx", &spec, |row| {
        for (_, v) in &row.cells {
            out.push_str(v);
            out.push('\t');
        }
        std::ops::ControlFlow::Continue(())
    })
    .unwrap();
    out
}
