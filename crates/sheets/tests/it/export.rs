use chuangye_sheets::{SheetError, XlsxWriter};

use crate::{people, read_all, zip_part};

fn row(i: usize) -> Vec<String> {
    vec![
        format!("居民{i}"),
        format!("{:018}", 110_101_199_003_077_777u64 + i as u64),
        format!("138{:08}", i),
        if i.is_multiple_of(2) { "男" } else { "女" }.to_string(),
        "1990-03-07".to_string(),
        format!("{}.5", i * 100),
    ]
}

#[test]
fn an_export_reads_back_row_for_row_with_ids_as_text() {
    let spec = people();
    let mut w = XlsxWriter::new(&spec).expect("writer");
    for i in 0..1_000 {
        w.push_row(&row(i)).expect("row");
    }
    assert_eq!(w.rows(), 1_000);
    let bytes = w.finish().expect("finish");
    let (summary, rows) = read_all(&bytes, "导出.xlsx", &spec).expect("reads");
    assert_eq!(summary.rows, 1_000);
    assert_eq!(summary.sheet.as_deref(), Some("创业人员"));
    assert_eq!(rows[999].number, 1_001);
    assert_eq!(rows[999].get("id_number"), Some(row(999)[1].as_str()));
    assert_eq!(rows[0].get("phone"), Some("13800000000"));
    let sheet = zip_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"state="frozen""#));
    assert!(
        sheet.contains(r#"<autoFilter ref="A1:F1001"/>"#),
        "header is filterable"
    );
    assert!(
        sheet.contains(r#"t="inlineStr""#),
        "constant-memory mode stores strings inline"
    );
}

#[test]
fn an_export_of_100000_rows_finishes_with_every_row_in_the_sheet() {
    let spec = people();
    let mut w = XlsxWriter::new(&spec).expect("writer");
    for i in 0..100_000 {
        w.push_row(&row(i)).expect("row");
    }
    let bytes = w.finish().expect("finish");
    // Reading it all back is the 1,000-row test's job (and the example's, in release); here
    // the last row is looked up in the sheet XML, which keeps the debug-build test quick.
    let sheet = zip_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"<dimension ref="A1:F100001"/>"#));
    assert!(sheet.contains(r#"<row r="100001""#));
    assert!(!sheet.contains(r#"<row r="100002""#));
}

#[test]
fn short_and_long_rows_are_padded_or_kept_and_values_are_never_formulas() {
    let spec = people();
    let mut w = XlsxWriter::new(&spec).expect("writer");
    w.push_row(&["张三"]).expect("short row");
    w.push_row(&["=1+1", "110101199003077777", "", "", "", "", "extra"])
        .expect("long row");
    let bytes = w.finish().expect("finish");
    let (_, rows) = read_all(&bytes, "x.xlsx", &spec).expect("reads");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].get("name"), Some("=1+1"));
    assert!(
        rows[1].formulas.is_empty(),
        "text starting with = stays text"
    );
}

#[test]
fn the_writer_reports_errors_as_sheet_errors() {
    let e: SheetError = rust_xlsxwriter::XlsxError::RowColumnLimitError.into();
    assert_eq!(e.message_key(), "sheets.write_failed");
}
