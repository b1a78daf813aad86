//! [`SheetError`]: everything that can go wrong reading or writing a sheet, with a message key
//! for the UI catalogue and a bilingual `Display` for logs and the CLI.

use std::fmt;

/// Why a spreadsheet could not be read or written.
///
/// Show it to a user through [`SheetError::message_key`] and [`SheetError::message_args`]
/// (the message catalogue has the wording); `Display` gives Chinese then English for logs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SheetError {
    /// The upload is neither an .xlsx workbook nor CSV text (a PDF, a picture, a Word file,
    /// random bytes, an old binary .xls …).
    NotASpreadsheet,
    /// The file is an Office file protected with a password: it must be saved without one.
    Encrypted,
    /// The file is empty, or holds no header row.
    Empty,
    /// Required columns were not found in the header row: their headers, in spec order.
    MissingColumns(Vec<String>),
    /// More data rows than allowed (`max`).
    TooManyRows {
        /// The limit that was exceeded.
        max: usize,
    },
    /// The file looks like a spreadsheet but is damaged or uses something we cannot read.
    /// The detail is technical (English) and meant for logs.
    Unreadable(String),
    /// Writing a workbook failed (temporary file, a limit of the format). Technical detail.
    Write(String),
}

impl SheetError {
    /// Key in the message catalogue (`sheets.*`).
    pub fn message_key(&self) -> &'static str {
        match self {
            SheetError::NotASpreadsheet => "sheets.not_a_spreadsheet",
            SheetError::Encrypted => "sheets.encrypted",
            SheetError::Empty => "sheets.empty",
            SheetError::MissingColumns(_) => "sheets.missing_columns",
            SheetError::TooManyRows { .. } => "sheets.too_many_rows",
            SheetError::Unreadable(_) => "sheets.unreadable",
            SheetError::Write(_) => "sheets.write_failed",
        }
    }

    /// Arguments for the catalogue message: `columns` (headers joined with "、") for
    /// `sheets.missing_columns`, `max` for `sheets.too_many_rows`, none otherwise.
    pub fn message_args(&self) -> Vec<(&'static str, String)> {
        match self {
            SheetError::MissingColumns(cols) => vec![("columns", cols.join("、"))],
            SheetError::TooManyRows { max } => vec![("max", max.to_string())],
            _ => Vec::new(),
        }
    }
}

impl fmt::Display for SheetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SheetError::NotASpreadsheet => write!(
                f,
                "文件不是 Excel（.xlsx）或 CSV 表格 / the file is not an Excel (.xlsx) or CSV spreadsheet"
            ),
            SheetError::Encrypted => write!(
                f,
                "文件设置了密码，请取消密码后再上传 / the file is password-protected; remove the password and upload it again"
            ),
            SheetError::Empty => write!(
                f,
                "文件是空的，没有表头行 / the file is empty or has no header row"
            ),
            SheetError::MissingColumns(cols) => write!(
                f,
                "缺少必填列：{} / missing required columns: {}",
                cols.join("、"),
                cols.join(", ")
            ),
            SheetError::TooManyRows { max } => write!(
                f,
                "数据行数超过上限 {max} 行，请拆分后分批导入 / more than {max} data rows; split the file"
            ),
            SheetError::Unreadable(detail) => {
                write!(
                    f,
                    "文件已损坏或无法读取 / the file is damaged or unreadable: {detail}"
                )
            }
            SheetError::Write(detail) => {
                write!(f, "生成表格失败 / writing the workbook failed: {detail}")
            }
        }
    }
}

impl std::error::Error for SheetError {}

impl From<rust_xlsxwriter::XlsxError> for SheetError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        SheetError::Write(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_sheets_message_key() {
        let all = [
            SheetError::NotASpreadsheet,
            SheetError::Encrypted,
            SheetError::Empty,
            SheetError::MissingColumns(vec!["姓名".into()]),
            SheetError::TooManyRows { max: 10 },
            SheetError::Unreadable("x".into()),
            SheetError::Write("x".into()),
        ];
        for e in all {
            assert!(e.message_key().starts_with("sheets."), "{e:?}");
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn missing_columns_passes_the_headers_as_the_columns_argument() {
        let e = SheetError::MissingColumns(vec!["姓名".into(), "身份证号".into()]);
        assert_eq!(e.message_key(), "sheets.missing_columns");
        assert_eq!(
            e.message_args(),
            vec![("columns", "姓名、身份证号".to_string())]
        );
        assert!(e.to_string().contains("姓名、身份证号"));
        assert!(
            e.to_string()
                .contains("missing required columns: 姓名, 身份证号")
        );
    }

    #[test]
    fn too_many_rows_passes_the_limit_as_max() {
        let e = SheetError::TooManyRows { max: 200_000 };
        assert_eq!(e.message_key(), "sheets.too_many_rows");
        assert_eq!(e.message_args(), vec![("max", "200000".to_string())]);
    }
}
