use std::io::Write;
use std::ops::ControlFlow;

use chuangye_sheets::{SheetError, read_rows};

use crate::people;

/// Reads expecting an error, and checks no row was handed over before it.
fn refused(bytes: &[u8], name: &str) -> SheetError {
    let mut rows = 0;
    let err = read_rows(bytes, name, &people(), |_| {
        rows += 1;
        ControlFlow::Continue(())
    })
    .unwrap_err();
    assert_eq!(rows, 0);
    err
}

/// Deterministic pseudo-random bytes (xorshift64*).
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        out.extend_from_slice(&seed.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

#[test]
fn a_pdf_is_not_a_spreadsheet() {
    let pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let err = refused(pdf, "登记表.xlsx");
    assert_eq!(err, SheetError::NotASpreadsheet);
    assert_eq!(err.message_key(), "sheets.not_a_spreadsheet");
}

#[test]
fn a_png_is_not_a_spreadsheet() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    png.extend(noise(200, 7));
    assert_eq!(refused(&png, "a.csv"), SheetError::NotASpreadsheet);
}

#[test]
fn ten_megabytes_of_random_bytes_are_not_a_spreadsheet() {
    let bytes = noise(10 * 1024 * 1024, 0x9E37_79B9_7F4A_7C15);
    assert_eq!(refused(&bytes, "a.csv"), SheetError::NotASpreadsheet);
}

#[test]
fn random_bytes_without_nul_or_controls_are_still_refused() {
    // High bytes only: no NUL, no control character, but not decodable text either.
    let bytes: Vec<u8> = noise(100_000, 3).into_iter().map(|b| b | 0x80).collect();
    assert_eq!(refused(&bytes, "a.csv"), SheetError::NotASpreadsheet);
}

#[test]
fn a_word_document_zip_is_not_a_spreadsheet() {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(b"<w:document/>").unwrap();
        zip.finish().unwrap();
    }
    assert_eq!(
        refused(&buf.into_inner(), "a.xlsx"),
        SheetError::NotASpreadsheet
    );
}

#[test]
fn a_truncated_xlsx_is_unreadable_not_a_panic() {
    let bytes = chuangye_sheets::template(&people()).unwrap();
    let err = refused(&bytes[..bytes.len() / 2], "a.xlsx");
    assert!(matches!(err, SheetError::Unreadable(_)), "{err:?}");
    assert_eq!(err.message_key(), "sheets.unreadable");
}

#[test]
fn an_html_table_saved_as_xls_is_not_a_spreadsheet() {
    let html = "<html><body><table><tr><td>姓名</td></tr></table></body></html>";
    assert_eq!(
        refused(html.as_bytes(), "导出.xls"),
        SheetError::NotASpreadsheet
    );
}

#[test]
fn an_encrypted_office_file_is_reported_as_encrypted() {
    // The compound-file magic followed by the UTF-16 name of the EncryptionInfo stream.
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.extend(vec![0u8; 504]);
    bytes.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(refused(&bytes, "a.xlsx"), SheetError::Encrypted);
}

#[test]
fn an_empty_upload_is_empty() {
    let err = refused(b"", "a.csv");
    assert_eq!(err, SheetError::Empty);
    assert_eq!(err.message_key(), "sheets.empty");
}

#[test]
fn a_missing_required_column_is_reported_by_its_header_before_any_row() {
    let csv = "姓名,手机号码\n张三,13800138000\n";
    let err = refused(csv.as_bytes(), "a.csv");
    assert_eq!(
        err,
        SheetError::MissingColumns(vec!["身份证号".to_string()])
    );
    assert_eq!(
        err.message_args(),
        vec![("columns", "身份证号".to_string())]
    );
}

#[test]
fn a_sheet_without_any_known_header_misses_every_required_column() {
    let csv = "a,b\n1,2\n";
    assert_eq!(
        refused(csv.as_bytes(), "a.csv"),
        SheetError::MissingColumns(vec!["姓名".to_string(), "身份证号".to_string()])
    );
}

#[test]
fn a_missing_required_column_in_an_xlsx_is_reported_too() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "身份证号").unwrap();
    ws.write_string(1, 0, "110101199003077777").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    assert_eq!(
        refused(&bytes, "a.xlsx"),
        SheetError::MissingColumns(vec!["姓名".to_string()])
    );
}
