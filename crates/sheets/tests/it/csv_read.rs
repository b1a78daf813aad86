use chuangye_sheets::{SheetError, SourceFormat};
use encoding_rs::GB18030;

use crate::{people, read_all};

const CSV: &str = "姓名*,身份证号,手机号码,性别\r\n张三,110101199003077777,13800138000,男\r\n,,,\r\n李四 ,11010119900307001X,,女\r\n";

#[test]
fn gbk_csv_from_chinese_excel_is_decoded() {
    let (bytes, _, unmappable) = GB18030.encode(CSV);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the test data really is GBK"
    );
    let (summary, rows) = read_all(&bytes, "登记表.csv", &people()).expect("reads");
    assert_eq!(
        summary.format,
        SourceFormat::Csv {
            encoding: "gb18030",
            delimiter: b','
        }
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].number, 2);
    assert_eq!(rows[0].get("name"), Some("张三"));
    assert_eq!(rows[0].get("phone"), Some("13800138000"));
    assert_eq!(rows[1].number, 4, "the empty row 3 is skipped but counted");
    assert_eq!(rows[1].get("name"), Some("李四"));
    assert_eq!(rows[1].get("gender"), Some("女"));
}

#[test]
fn utf8_csv_with_and_without_bom_reads_the_same() {
    let plain = read_all(CSV.as_bytes(), "a.csv", &people())
        .expect("reads")
        .1;
    let bom = [b"\xEF\xBB\xBF".as_slice(), CSV.as_bytes()].concat();
    let (summary, with_bom) = read_all(&bom, "a.csv", &people()).expect("reads");
    assert_eq!(plain, with_bom);
    assert_eq!(plain.len(), 2);
    assert_eq!(
        summary.columns,
        vec!["name", "id_number", "phone", "gender"]
    );
}

#[test]
fn a_quoted_cell_with_line_breaks_does_not_shift_row_numbers() {
    let csv = "姓名,身份证号,性别\n\"张\n三\",1,男\n李四,2,女\n";
    let (_, rows) = read_all(csv.as_bytes(), "a.csv", &people()).expect("reads");
    assert_eq!(
        rows.iter().map(|r| r.number).collect::<Vec<_>>(),
        vec![2, 3]
    );
    assert_eq!(rows[0].get("name"), Some("张\n三"));
}

#[test]
fn tab_separated_utf16_text_from_excel_unicode_export_reads() {
    let text = "姓名\t身份证号\n王五\t110101199001010011\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let (summary, rows) = read_all(&bytes, "a.txt", &people()).expect("reads");
    assert_eq!(
        summary.format,
        SourceFormat::Csv {
            encoding: "UTF-16LE",
            delimiter: b'\t'
        }
    );
    assert_eq!(rows[0].get("id_number"), Some("110101199001010011"));
}

#[test]
fn a_large_gbk_csv_streams_every_row() {
    let mut text = String::from("姓名,身份证号\n");
    for i in 0..50_000 {
        text.push_str(&format!("居民{i},{:018}\n", i));
    }
    let (bytes, _, _) = GB18030.encode(&text);
    let (summary, rows) = read_all(&bytes, "big.csv", &people()).expect("reads");
    assert_eq!(summary.rows, 50_000);
    assert_eq!(rows[49_999].get("name"), Some("居民49999"));
    assert_eq!(rows[49_999].number, 50_001);
}

#[test]
fn a_csv_with_only_a_header_has_no_rows_and_a_blank_file_is_empty() {
    let (summary, rows) =
        read_all("姓名,身份证号\n".as_bytes(), "a.csv", &people()).expect("reads");
    assert!(rows.is_empty());
    assert_eq!(summary.header_row, 1);
    assert_eq!(
        read_all(b"\n\n", "a.csv", &people()).unwrap_err(),
        SheetError::Empty
    );
    assert_eq!(
        read_all(b",,,\n,,\n", "a.csv", &people()).unwrap_err(),
        SheetError::Empty
    );
}
