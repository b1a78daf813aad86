//! Integration tests of chuangye-sheets: files written and read the way users' Excel does.

mod csv_read;
mod export;
mod refuse;
mod report;
mod template_roundtrip;
mod xlsx_read;

use std::io::Read;
use std::ops::ControlFlow;

use chuangye_sheets::{Column, ReadSummary, RowRef, SheetError, SheetSpec, read_rows};

/// The register used throughout: two required columns, a coded one, text columns, a date.
pub fn people() -> SheetSpec {
    SheetSpec::new(
        "创业人员",
        vec![
            Column::new("name", "姓名")
                .required()
                .note("与身份证一致")
                .width(12.0),
            Column::new("id_number", "身份证号")
                .required()
                .note("18 位居民身份证号码"),
            Column::new("phone", "手机号码"),
            Column::new("gender", "性别").choices(["男", "女"]),
            Column::new("birth_date", "出生日期"),
            Column::new("amount", "贷款金额（元）"),
        ],
    )
}

/// Reads everything into a Vec.
pub fn read_all(
    bytes: &[u8],
    name: &str,
    spec: &SheetSpec,
) -> Result<(ReadSummary, Vec<RowRef>), SheetError> {
    let mut rows = Vec::new();
    let summary = read_rows(bytes, name, spec, |row| {
        rows.push(row);
        ControlFlow::Continue(())
    })?;
    Ok((summary, rows))
}

/// The text of one part of an xlsx zip.
pub fn zip_part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut part = zip.by_name(name).expect(name);
    let mut text = String::new();
    part.read_to_string(&mut text).expect("utf-8 part");
    text
}

/// The names of the parts of an xlsx zip.
pub fn zip_names(bytes: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    zip.file_names()
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .collect()
}
