use calamine::{Data, Reader, Xlsx};
use chuangye_sheets::{BadRow, MAX_NOTES, ROW_NUMBER_HEADER, SUMMARY_HEADER, error_report};

use crate::{people, read_all, zip_names, zip_part};

fn bad_rows() -> Vec<BadRow<'static>> {
    vec![
        (
            2,
            vec![
                ("name".into(), "张三".into()),
                ("id_number".into(), "110101199003077770".into()),
                ("phone".into(), "1380013800".into()),
            ],
            vec![
                ("id_number", "身份证号校验位不正确".into()),
                ("phone", "手机号码应为 11 位".into()),
            ],
        ),
        (
            7,
            vec![("id_number".into(), "11010119900307001X".into())],
            vec![("name", "必填".into()), ("", "与第 3 行重复".into())],
        ),
    ]
}

#[test]
fn the_error_report_opens_with_calamine_and_lists_each_bad_row() {
    let spec = people();
    let bytes = error_report(&spec, &bad_rows()).expect("report");
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.as_slice())).expect("opens");
    let name = wb.sheet_names()[0].clone();
    assert_eq!(name, "创业人员-错误");
    let range = wb.worksheet_range(&name).expect("sheet");
    assert_eq!(range.height(), 3);
    assert_eq!(range.width(), 8);
    let text = |r: u32, c: u32| {
        range
            .get_value((r, c))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(text(0, 0), ROW_NUMBER_HEADER);
    assert_eq!(text(0, 1), "姓名*");
    assert_eq!(text(0, 7), SUMMARY_HEADER);
    assert_eq!(range.get_value((1, 0)), Some(&Data::Float(2.0)));
    assert_eq!(text(1, 1), "张三");
    assert_eq!(text(1, 2), "110101199003077770");
    assert_eq!(
        text(1, 7),
        "身份证号：身份证号校验位不正确；手机号码：手机号码应为 11 位"
    );
    assert_eq!(range.get_value((2, 0)), Some(&Data::Float(7.0)));
    assert_eq!(text(2, 7), "姓名：必填；与第 3 行重复");
}

#[test]
fn bad_cells_carry_their_message_as_a_note_and_a_light_red_fill() {
    let bytes = error_report(&people(), &bad_rows()).expect("report");
    let comments = zip_names(&bytes)
        .into_iter()
        .find(|n| n.starts_with("xl/comments"))
        .expect("notes");
    let xml = zip_part(&bytes, &comments);
    // Notes on C2 (id_number of row 1), D2 (phone) and B3 (the blank required name).
    for (cell, message) in [
        ("C2", "身份证号校验位不正确"),
        ("D2", "手机号码应为 11 位"),
        ("B3", "必填"),
    ] {
        assert!(
            xml.contains(&format!(r#"<comment ref="{cell}""#)),
            "{cell} in {xml}"
        );
        assert!(xml.contains(message), "{message}");
    }
    assert_eq!(xml.matches("<comment ref=").count(), 3);
    assert!(zip_part(&bytes, "xl/styles.xml").contains("FFFFC7CE"));
}

#[test]
fn a_corrected_error_report_can_be_uploaded_again() {
    let spec = people();
    let bytes = error_report(&spec, &bad_rows()).expect("report");
    let (summary, rows) = read_all(&bytes, "错误报告.xlsx", &spec).expect("reads");
    assert_eq!(
        summary.ignored_headers,
        vec![ROW_NUMBER_HEADER.to_string(), SUMMARY_HEADER.to_string()]
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].get("id_number"), Some("110101199003077770"));
    assert_eq!(rows[1].get("name"), None);
}

#[test]
fn notes_stop_at_max_notes_but_every_row_keeps_its_summary() {
    let spec = people();
    let rows: Vec<BadRow<'static>> = (0..MAX_NOTES + 10)
        .map(|i| {
            (
                i + 2,
                vec![("name".to_string(), format!("居民{i}"))],
                vec![("id_number", "必填".to_string())],
            )
        })
        .collect();
    let bytes = error_report(&spec, &rows).expect("report");
    let comments = zip_names(&bytes)
        .into_iter()
        .find(|n| n.starts_with("xl/comments"))
        .expect("notes");
    assert_eq!(
        zip_part(&bytes, &comments).matches("<comment ref=").count(),
        MAX_NOTES
    );
    let (_, read) = read_all(&bytes, "r.xlsx", &spec).expect("reads");
    assert_eq!(read.len(), MAX_NOTES + 10);
    let sheet = zip_part(&bytes, "xl/worksheets/sheet1.xml");
    assert_eq!(sheet.matches("身份证号：必填").count(), MAX_NOTES + 10);
}
