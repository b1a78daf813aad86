//! [`XlsxWriter`]: exports of any size, written row by row in rust_xlsxwriter's constant-memory
//! mode (each finished row goes to a temporary file; strings are stored inline).

use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::SheetError;
use crate::spec::SheetSpec;
use crate::template::{HeaderFormats, col_num, write_header};

/// Excel's limit on the characters in one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// Excel's last row index (0-based).
const LAST_ROW: u32 = 1_048_575;

/// Streaming .xlsx export: a bold, frozen, filterable header from the spec, then one
/// [`push_row`](Self::push_row) per record, then [`finish`](Self::finish) for the file's bytes.
///
/// Every value is written as text; columns whose key ends in `id_number`, `phone`, `uscc` or
/// `code` also get the text format `@` so editing them in Excel keeps them text. Memory stays
/// flat whatever the row count (100,000 × 12: see `examples/export_bench.rs`); only the final
/// zip is held in memory by `finish`.
pub struct XlsxWriter {
    workbook: Workbook,
    sheet: Worksheet,
    columns: usize,
    text_columns: Vec<bool>,
    text: Format,
    /// Next row to write (0-based; row 0 is the header).
    next_row: u32,
}

impl XlsxWriter {
    /// Starts an export with the spec's header row.
    pub fn new(spec: &SheetSpec) -> Result<Self, SheetError> {
        let mut workbook = Workbook::new();
        let mut sheet = workbook.new_worksheet_with_constant_memory()?;
        sheet.set_name(spec.sheet_name())?;
        write_header(&mut sheet, spec, &HeaderFormats::new(), false)?;
        Ok(XlsxWriter {
            workbook,
            sheet,
            columns: spec.columns.len(),
            text_columns: spec.columns.iter().map(|c| c.is_text()).collect(),
            text: Format::new().set_num_format_index(49),
            next_row: 1,
        })
    }

    /// Appends one row; values beyond the spec's columns are written too, missing ones are left
    /// blank. Text longer than Excel's 32,767-character cell limit is cut.
    pub fn push_row<S: AsRef<str>>(&mut self, values: &[S]) -> Result<(), SheetError> {
        if self.next_row > LAST_ROW {
            return Err(SheetError::TooManyRows {
                max: LAST_ROW as usize,
            });
        }
        let row = self.next_row;
        for (i, value) in values.iter().enumerate() {
            let value = value.as_ref();
            if value.is_empty() {
                continue;
            }
            let value = clip(value);
            let col = col_num(i)?;
            if self.text_columns.get(i).copied().unwrap_or(false) {
                self.sheet
                    .write_string_with_format(row, col, value, &self.text)?;
            } else {
                self.sheet.write_string(row, col, value)?;
            }
        }
        self.next_row += 1;
        Ok(())
    }

    /// Data rows pushed so far.
    pub fn rows(&self) -> usize {
        (self.next_row - 1) as usize
    }

    /// Closes the sheet and returns the .xlsx bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, SheetError> {
        if self.columns > 0 {
            let last_col = col_num(self.columns - 1)?;
            self.sheet.autofilter(0, 0, self.next_row - 1, last_col)?;
        }
        self.workbook.push_worksheet(self.sheet);
        Ok(self.workbook.save_to_buffer()?)
    }
}

fn clip(value: &str) -> &str {
    match value.char_indices().nth(MAX_CELL_CHARS) {
        Some((at, _)) => &value[..at],
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Column;

    #[test]
    fn cells_longer_than_excel_allows_are_cut_at_32767_characters() {
        let long = "字".repeat(40_000);
        assert_eq!(clip(&long).chars().count(), MAX_CELL_CHARS);
        assert_eq!(clip("短"), "短");
    }

    #[test]
    fn an_export_with_no_rows_is_a_valid_workbook() {
        let spec = SheetSpec::new("导出", vec![Column::new("name", "姓名")]);
        let w = XlsxWriter::new(&spec).expect("writer");
        assert_eq!(w.rows(), 0);
        let bytes = w.finish().expect("finish");
        assert!(bytes.starts_with(b"PK\x03\x04"));
    }
}
