use std::ops::ControlFlow;

use chuangye_sheets::{ReadOptions, SheetError, SourceFormat, read_rows, read_rows_with};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

use crate::{people, read_all};

/// A register as a user fills it: a phone typed as a number, an ID number typed as text, a
/// date, a formula, an empty row, an extra column the spec does not know.
fn filled_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("创业人员").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in [
        "姓名*",
        "身份证号",
        "手机号码",
        "性别",
        "出生日期",
        "贷款金额（元）",
        "备注",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "张三").unwrap();
    ws.write_string(1, 1, "110101199003077777").unwrap();
    ws.write_number(1, 2, 13800138000.0).unwrap();
    ws.write_string(1, 3, "男").unwrap();
    ws.write_datetime_with_format(1, 4, ExcelDateTime::from_ymd(1990, 3, 7).unwrap(), &date)
        .unwrap();
    ws.write_number(1, 5, 50000.5).unwrap();
    ws.write_string(1, 6, "首次登记").unwrap();
    // Row 3 left empty on purpose.
    ws.write_string(3, 0, " 李四\u{3000}").unwrap();
    ws.write_string(3, 1, "11010119900307001X").unwrap();
    ws.write_formula(3, 5, Formula::new("=20000*2").set_result("40000"))
        .unwrap();
    ws.write_string(4, 0, "王五").unwrap();
    ws.write_string(4, 1, "110101199001010011").unwrap();
    ws.write_number(4, 5, 0.1 + 0.2).unwrap();
    ws.write_string(4, 6, "只有备注不算空行").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_filled_xlsx_gives_three_rows_with_excel_row_numbers() {
    let (summary, rows) = read_all(&filled_workbook(), "登记表.xlsx", &people()).expect("reads");
    assert_eq!(summary.format, SourceFormat::Xlsx);
    assert_eq!(summary.rows, 3);
    assert_eq!(summary.ignored_headers, vec!["备注".to_string()]);
    let numbers: Vec<usize> = rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, vec![2, 4, 5]);
}

#[test]
fn a_phone_typed_as_a_number_reads_without_a_decimal_point() {
    let (_, rows) = read_all(&filled_workbook(), "x.xlsx", &people()).expect("reads");
    assert_eq!(rows[0].get("phone"), Some("13800138000"));
}

#[test]
fn an_id_number_stored_as_text_keeps_all_eighteen_digits() {
    let (_, rows) = read_all(&filled_workbook(), "x.xlsx", &people()).expect("reads");
    assert_eq!(rows[0].get("id_number"), Some("110101199003077777"));
    assert_eq!(rows[1].get("id_number"), Some("11010119900307001X"));
}

#[test]
fn dates_read_as_yyyy_mm_dd_and_decimals_as_excel_shows_them() {
    let (_, rows) = read_all(&filled_workbook(), "x.xlsx", &people()).expect("reads");
    assert_eq!(rows[0].get("birth_date"), Some("1990-03-07"));
    assert_eq!(rows[0].get("amount"), Some("50000.5"));
    assert_eq!(rows[2].get("amount"), Some("0.3"));
}

#[test]
fn a_formula_cell_is_reported_in_formulas_with_its_cached_value() {
    let (_, rows) = read_all(&filled_workbook(), "x.xlsx", &people()).expect("reads");
    assert!(rows[0].formulas.is_empty());
    assert_eq!(rows[1].formulas, vec!["amount"]);
    assert!(rows[1].is_formula("amount"));
    assert_eq!(rows[1].get("amount"), Some("40000"));
}

#[test]
fn cells_are_trimmed_including_ideographic_spaces_and_listed_in_spec_order() {
    let (_, rows) = read_all(&filled_workbook(), "x.xlsx", &people()).expect("reads");
    assert_eq!(rows[1].get("name"), Some("李四"));
    let keys: Vec<&str> = rows[1].cells.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        keys,
        [
            "name",
            "id_number",
            "phone",
            "gender",
            "birth_date",
            "amount"
        ]
    );
    assert_eq!(rows[1].get("phone"), None, "blank cells read as None");
}

#[test]
fn a_title_row_above_the_header_is_skipped_and_keys_work_as_headers() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "XX社区创业人员登记表").unwrap();
    ws.write_string(2, 0, "name").unwrap();
    ws.write_string(2, 1, " 身份证号 *").unwrap();
    ws.write_string(3, 0, "赵六").unwrap();
    ws.write_string(3, 1, "110101199001010011").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let (summary, rows) = read_all(&bytes, "x.xlsx", &people()).expect("reads");
    assert_eq!(summary.header_row, 3);
    assert_eq!(summary.columns, vec!["name", "id_number"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].number, 4);
    assert_eq!(rows[0].get("name"), Some("赵六"));
}

#[test]
fn the_sheet_named_like_the_spec_is_preferred_over_the_first_one() {
    let mut wb = Workbook::new();
    wb.add_worksheet()
        .set_name("说明")
        .unwrap()
        .write_string(0, 0, "填表说明")
        .unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("创业人员").unwrap();
    ws.write_string(0, 0, "姓名").unwrap();
    ws.write_string(0, 1, "身份证号").unwrap();
    ws.write_string(1, 0, "张三").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let (summary, rows) = read_all(&bytes, "x.xlsx", &people()).expect("reads");
    assert_eq!(summary.sheet.as_deref(), Some("创业人员"));
    assert_eq!(rows.len(), 1);
}

#[test]
fn returning_break_stops_the_read() {
    let mut seen = 0;
    let summary = read_rows(&filled_workbook(), "x.xlsx", &people(), |_| {
        seen += 1;
        ControlFlow::Break(())
    })
    .expect("reads");
    assert_eq!(seen, 1);
    assert!(summary.stopped);
    assert_eq!(summary.rows, 1);
}

#[test]
fn more_rows_than_the_limit_is_too_many_rows() {
    let options = ReadOptions {
        max_rows: 2,
        ..ReadOptions::default()
    };
    let err = read_rows_with(&filled_workbook(), "x.xlsx", &people(), options, |_| {
        ControlFlow::Continue(())
    })
    .unwrap_err();
    assert_eq!(err, SheetError::TooManyRows { max: 2 });
    assert_eq!(err.message_key(), "sheets.too_many_rows");
}

#[test]
fn a_legacy_xls_reads_like_an_xlsx_formulas_included() {
    let bytes = include_bytes!("../fixtures/register.xls");
    let (summary, rows) = read_all(bytes, "旧表.xls", &people()).expect("reads");
    assert_eq!(summary.format, SourceFormat::Xls);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].number, 2);
    assert_eq!(rows[0].get("id_number"), Some("110101199003077777"));
    assert_eq!(rows[0].get("phone"), Some("13800138000"));
    assert_eq!(rows[0].get("birth_date"), Some("1990-03-07"));
    assert_eq!(rows[0].get("amount"), Some("50000.5"));
    assert_eq!(rows[1].number, 4);
    assert_eq!(rows[1].get("name"), Some("李四"));
    assert_eq!(rows[1].formulas, vec!["amount"]);
}
