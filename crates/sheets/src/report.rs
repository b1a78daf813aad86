//! [`error_report`]: the workbook a user downloads after a failed import, listing each bad row
//! with its original row number, its values, the bad cells filled light red with a note saying
//! what is wrong, and a last column "错误说明" summarising the row's problems.
//!
//! The report keeps the template's headers, so the user can correct it and upload it again:
//! the reader ignores the extra "原行号" and "错误说明" columns.

use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook};

use crate::SheetError;
use crate::spec::SheetSpec;
use crate::template::{HeaderFormats, col_num, sized_note};

/// Header of the first column: the row number in the uploaded file.
pub const ROW_NUMBER_HEADER: &str = "原行号";
/// Header of the last column: the row's problems in one sentence.
pub const SUMMARY_HEADER: &str = "错误说明";

/// Notes are costly (a drawing shape each: about 7 KB of memory while writing, so 5,000 cost some 35 MB); past this many,
/// bad cells are only filled and the summary column carries the messages.
pub const MAX_NOTES: usize = 5_000;

/// One bad row: its 1-based row number in the upload, its values by key, and its problems as
/// `(key, message)`. A key that is not a spec column (or `""`, for a problem of the whole row)
/// only appears in the summary.
pub type BadRow<'a> = (usize, Vec<(String, String)>, Vec<(&'a str, String)>);

/// Builds the error report for `rows` (in the order given). Only the first [`MAX_NOTES`] bad
/// cells get a note; every bad cell is filled and every row has its "错误说明".
pub fn error_report(spec: &SheetSpec, rows: &[BadRow<'_>]) -> Result<Vec<u8>, SheetError> {
    let mut workbook = Workbook::new();
    // Rows are written in order, so constant-memory mode keeps a 200,000-row report flat.
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    let mut notes = 0usize;
    sheet.set_name(crate::spec::sanitize_sheet_name(&format!(
        "{}-错误",
        spec.name
    )))?;

    let headers = HeaderFormats::new();
    let text = Format::new().set_num_format_index(49);
    let bad = Format::new()
        .set_num_format_index(49)
        .set_background_color(Color::RGB(0xFFC7CE))
        .set_font_color(Color::RGB(0x9C0006));
    let summary = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_font_color(Color::RGB(0x9C0006));
    let number = Format::new().set_align(FormatAlign::Center);

    let n = spec.columns.len();
    let summary_col = col_num(n + 1)?;
    sheet.write_string_with_format(0, 0, ROW_NUMBER_HEADER, &headers.plain)?;
    sheet.set_column_width(0, 8)?;
    for (i, column) in spec.columns.iter().enumerate() {
        let col = col_num(i + 1)?;
        if column.required {
            sheet.write_string_with_format(
                0,
                col,
                format!("{}*", column.header),
                &headers.required,
            )?;
        } else {
            sheet.write_string_with_format(0, col, &column.header, &headers.plain)?;
        }
        sheet.set_column_width(col, column.effective_width())?;
    }
    sheet.write_string_with_format(0, summary_col, SUMMARY_HEADER, &headers.required)?;
    sheet.set_column_width(summary_col, 50)?;
    sheet.set_row_height(0, 30)?;
    sheet.set_freeze_panes(1, 1)?;

    for (r, (number_in_upload, values, problems)) in rows.iter().enumerate() {
        let row = u32::try_from(r + 1)
            .ok()
            .filter(|r| *r <= crate::template::LAST_ROW)
            .ok_or(SheetError::TooManyRows {
                max: crate::template::LAST_ROW as usize,
            })?;
        sheet.write_number_with_format(row, 0, *number_in_upload as f64, &number)?;
        for (i, column) in spec.columns.iter().enumerate() {
            let col = col_num(i + 1)?;
            let value = values
                .iter()
                .find(|(k, _)| k == column.key)
                .map_or("", |(_, v)| v.as_str());
            let messages: Vec<&str> = problems
                .iter()
                .filter(|(k, _)| *k == column.key)
                .map(|(_, m)| m.as_str())
                .collect();
            if messages.is_empty() {
                if !value.is_empty() {
                    sheet.write_string_with_format(row, col, value, &text)?;
                }
            } else {
                if value.is_empty() {
                    sheet.write_blank(row, col, &bad)?;
                } else {
                    sheet.write_string_with_format(row, col, value, &bad)?;
                }
                if notes < MAX_NOTES {
                    sheet.insert_note(row, col, &sized_note(messages.join("\n")))?;
                    notes += 1;
                }
            }
        }
        let line = problems
            .iter()
            .map(|(key, message)| match spec.column(key) {
                Some(c) => format!("{}：{}", c.header, message),
                None if key.is_empty() => message.clone(),
                None => format!("{key}：{message}"),
            })
            .collect::<Vec<_>>()
            .join("；");
        sheet.write_string_with_format(row, summary_col, line, &summary)?;
    }
    Ok(workbook.save_to_buffer()?)
}
