use calamine::{Reader, SheetVisible, Xlsx};
use chuangye_sheets::{CHOICES_SHEET, Column, SheetSpec, SourceFormat, template};

use crate::{people, read_all, zip_names, zip_part};

#[test]
fn a_template_reads_back_with_no_rows_and_every_header_recognised() {
    let spec = people();
    let bytes = template(&spec).expect("template");
    let (summary, rows) = read_all(&bytes, "模板.xlsx", &spec).expect("reads");
    assert!(rows.is_empty());
    assert_eq!(summary.format, SourceFormat::Xlsx);
    assert_eq!(summary.sheet.as_deref(), Some("创业人员"));
    assert_eq!(summary.header_row, 1);
    assert_eq!(
        summary.columns,
        vec![
            "name",
            "id_number",
            "phone",
            "gender",
            "birth_date",
            "amount"
        ]
    );
    assert!(summary.ignored_headers.is_empty());
    assert_eq!(summary.rows, 0);
}

#[test]
fn required_headers_carry_a_star_and_the_header_row_is_frozen_and_bold() {
    let bytes = template(&people()).expect("template");
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.as_slice())).expect("opens");
    let range = wb.worksheet_range("创业人员").expect("sheet");
    let headers: Vec<String> = (0..6)
        .map(|c| {
            range
                .get_value((0, c))
                .map(|v| v.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        headers,
        [
            "姓名*",
            "身份证号*",
            "手机号码",
            "性别",
            "出生日期",
            "贷款金额（元）"
        ]
    );
    let sheet = zip_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"state="frozen""#), "{sheet}");
    let styles = zip_part(&bytes, "xl/styles.xml");
    assert!(styles.contains("<b/>"));
    assert!(
        styles.contains(r#"rgb="FFC00000""#),
        "required headers are red"
    );
}

#[test]
fn header_notes_hold_the_explanations() {
    let bytes = template(&people()).expect("template");
    let comments = zip_names(&bytes)
        .into_iter()
        .find(|n| n.starts_with("xl/comments"))
        .expect("a comments part");
    let text = zip_part(&bytes, &comments);
    assert!(text.contains("与身份证一致"));
    assert!(text.contains("18 位居民身份证号码"));
    assert!(text.contains("请从下拉列表选择：男、女"));
}

#[test]
fn text_columns_get_the_at_format_and_coded_columns_a_drop_down() {
    let bytes = template(&people()).expect("template");
    let sheet = zip_part(&bytes, "xl/worksheets/sheet1.xml");
    // id_number (B) and phone (C) columns carry the built-in text format 49 (@).
    let styles = zip_part(&bytes, "xl/styles.xml");
    let cell_xfs = &styles[styles.find("<cellXfs").expect("cellXfs")..];
    let text_xf = cell_xfs
        .split("<xf ")
        .skip(1)
        .position(|xf| xf.contains(r#"numFmtId="49""#))
        .expect("a text style");
    // rust_xlsxwriter merges the two adjacent text columns into one <col> element.
    let cols = &sheet[sheet.find("<cols>").expect("cols")..sheet.find("</cols>").expect("/cols")];
    let elements: Vec<&str> = cols.split("<col ").skip(1).collect();
    let styled: Vec<&str> = elements
        .iter()
        .copied()
        .filter(|e| e.contains("style="))
        .collect();
    assert_eq!(styled.len(), 1, "{cols}");
    assert!(styled[0].starts_with(r#"min="2" max="3""#), "{cols}");
    assert!(
        styled[0].contains(&format!(r#"style="{text_xf}""#)),
        "{cols}"
    );
    assert!(sheet.contains(r#"<dataValidation type="list""#), "{sheet}");
    assert!(sheet.contains(r#"sqref="D2:D1048576""#));
    assert!(
        sheet.contains("&quot;男,女&quot;") || sheet.contains("\"男,女\""),
        "{sheet}"
    );
}

#[test]
fn long_choice_lists_go_on_a_hidden_sheet_referenced_by_range() {
    let industries: Vec<String> = (1..=60)
        .map(|i| format!("行业门类{i:02}（示例）"))
        .collect();
    let spec = SheetSpec::new(
        "经营主体",
        vec![
            Column::new("name", "名称").required(),
            Column::new("industry", "行业").choices(industries.clone()),
            Column::new("uscc", "统一社会信用代码"),
        ],
    );
    let bytes = template(&spec).expect("template");
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.as_slice())).expect("opens");
    let meta: Vec<(String, SheetVisible)> = wb
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible))
        .collect();
    assert_eq!(
        meta,
        vec![
            ("经营主体".to_string(), SheetVisible::Visible),
            (CHOICES_SHEET.to_string(), SheetVisible::Hidden)
        ]
    );
    let list = wb.worksheet_range(CHOICES_SHEET).expect("choices sheet");
    assert_eq!(list.height(), 60);
    assert_eq!(
        list.get_value((59, 0)).map(|v| v.to_string()),
        Some(industries[59].clone())
    );
    let sheet = zip_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("&apos;选项&apos;!$A$1:$A$60") || sheet.contains("'选项'!$A$1:$A$60"),
        "{sheet}"
    );
    // Reading the template picks the visible register sheet, not the hidden list.
    let (summary, rows) = read_all(&bytes, "t.xlsx", &spec).expect("reads");
    assert!(rows.is_empty());
    assert_eq!(summary.sheet.as_deref(), Some("经营主体"));
}
