//! chuangye-sheets: Excel and CSV in and out for registers (台账) — pure, no database, no HTTP.
//!
//! Community and sub-district staff keep their registers in Excel; this crate is the one place
//! that knows how a register sheet looks, so the ledger (and later areas) can offer a template,
//! import an upload, export a list and explain what was wrong with an import. It lives in its own
//! crate so that editing a handler does not recompile the xlsx machinery.
//!
//! # Describing a sheet
//! A [`SheetSpec`] is a sheet name and its [`Column`]s, each with a stable `key` used by code, a
//! Chinese `header` shown in row 1, a `note` explaining it, whether it is `required`, optional
//! `choices` (a coded field), and a `width`. Keys ending in `id_number`, `phone`, `uscc` or
//! `code` are text columns (see [`is_text_key`]): Excel would otherwise turn an ID number into
//! `1.10101E+17`.
//!
//! ```
//! use chuangye_sheets::{Column, SheetSpec};
//! let spec = SheetSpec::new("创业人员", vec![
//!     Column::new("name", "姓名").required().note("与身份证一致"),
//!     Column::new("id_number", "身份证号").required(),
//!     Column::new("gender", "性别").choices(["男", "女"]),
//!     Column::new("phone", "手机号码").width(16.0),
//! ]);
//! let bytes = chuangye_sheets::template(&spec).unwrap();
//! assert!(bytes.starts_with(b"PK"));
//! ```
//!
//! # The four operations
//! - [`template`]`(&spec) -> Result<Vec<u8>, SheetError>`: the .xlsx a user fills in — bold,
//!   frozen header; required headers red with `*`; each header's note as an Excel note;
//!   drop-down lists for coded columns (long lists on the hidden sheet [`CHOICES_SHEET`]);
//!   text format `@` on text columns; widths.
//! - [`read_rows`]`(bytes, file_name, &spec, |row: RowRef| ControlFlow) -> Result<ReadSummary, _>`
//!   (and [`read_rows_with`] with [`ReadOptions`], default at most [`DEFAULT_MAX_ROWS`] rows):
//!   detects xlsx / legacy xls / CSV from the content (CSV in UTF-8 with or without BOM,
//!   UTF-16 with BOM, or GB18030/GBK; comma, tab or semicolon), finds the header row, maps
//!   headers to keys (exact text, ignoring surrounding spaces and a trailing `*`; the key itself
//!   is accepted too), fails with [`SheetError::MissingColumns`] before any row is handed over,
//!   then hands each non-empty row over as a [`RowRef`] — `number` is the 1-based Excel row,
//!   `cells` are `(key, trimmed text)` in spec order, `formulas` lists the keys whose cell holds
//!   a formula (the caller marks them invalid). Numbers print as Excel shows them in General
//!   format (`13800138000`, not `13800138000.0`), dates as `YYYY-MM-DD`. xlsx is read with
//!   calamine's streaming cell reader and CSV is streamed through the `csv` crate, so memory is
//!   one row plus (xlsx) the shared-string table.
//! - [`XlsxWriter`]: `new(&spec)`, `push_row(&[String])` per record, `finish() -> Vec<u8>`;
//!   constant-memory export (100,000 rows × 12 columns: about 1.2 s and 12 MiB peak RSS in
//!   release on a 2-core Xeon; `cargo run --release -p chuangye-sheets --example export_bench`).
//!   `push_row` accepts any `&[impl AsRef<str>]`; `finish` returns `Result<Vec<u8>, SheetError>`
//!   because the temporary file behind constant-memory mode can fail.
//! - [`error_report`]`(&spec, &[(row_number, values_by_key, problems_by_key)])`: the bad rows,
//!   bad cells light red with the message as a note (the first [`MAX_NOTES`]), and a last column
//!   "错误说明". It keeps the template's headers, so a corrected report can be uploaded again.
//!
//! # Errors
//! [`SheetError`] has a [`message_key`](SheetError::message_key) for the UI catalogue —
//! `sheets.not_a_spreadsheet`, `sheets.encrypted`, `sheets.empty`, `sheets.missing_columns`
//! (argument `columns`), `sheets.too_many_rows` (argument `max`), `sheets.unreadable`,
//! `sheets.write_failed` — with its arguments from [`message_args`](SheetError::message_args),
//! and a Chinese + English `Display` for logs.

mod error;
mod read;
mod report;
mod spec;
mod template;
mod write;

pub use error::SheetError;
pub use read::{
    DEFAULT_MAX_ROWS, ReadOptions, ReadSummary, RowRef, SourceFormat, read_rows, read_rows_with,
};
pub use report::{BadRow, MAX_NOTES, ROW_NUMBER_HEADER, SUMMARY_HEADER, error_report};
pub use spec::{Column, SheetSpec, is_text_key};
pub use template::{CHOICES_SHEET, template};
pub use write::XlsxWriter;
