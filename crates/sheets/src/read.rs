//! [`read_rows`]: streams the data rows of an uploaded .xlsx, .xls or CSV file to a callback,
//! keyed by column, after checking the header.
//!
//! Memory stays bounded by one row plus the workbook's shared-string table (xlsx) or a small
//! decode buffer (CSV); the upload's bytes themselves are borrowed, never copied.

use std::io::{Cursor, Read};
use std::ops::ControlFlow;

use calamine::{
    Data, DataRef, ExcelDateTime, Reader, SheetType, SheetVisible, Xls, XlsError, Xlsx,
};
use encoding_rs::{Encoding, GB18030, UTF_8};

use crate::SheetError;
use crate::spec::{SheetSpec, trim_cell};

/// Default limit on data rows in one upload.
pub const DEFAULT_MAX_ROWS: usize = 200_000;

/// Largest shared-string table (uncompressed XML) we agree to load from an .xlsx: a guard
/// against zip bombs, far above what 200,000 rows of a register need.
const MAX_SHARED_STRINGS_BYTES: u64 = 512 * 1024 * 1024;

/// Excel's last row (1-based).
const EXCEL_MAX_ROW: usize = 1_048_576;

/// How much of a text file is inspected to tell CSV from binary.
const SNIFF_BYTES: usize = 64 * 1024;

/// Options for [`read_rows_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// More non-empty data rows than this fails with [`SheetError::TooManyRows`].
    pub max_rows: usize,
    /// The header row is the first row, among this many non-empty rows from the top, in which
    /// some cell names a column; rows above it (a title such as "XX社区创业人员登记表") are ignored.
    pub header_search_rows: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_rows: DEFAULT_MAX_ROWS,
            header_search_rows: 10,
        }
    }
}

/// One data row of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRef {
    /// 1-based row number as the user sees it in Excel (the header is usually row 1).
    pub number: usize,
    /// `(key, trimmed text)` for every spec column present in the file, in spec order; a blank
    /// cell gives `""`. Columns absent from the file are absent here.
    pub cells: Vec<(&'static str, String)>,
    /// Keys of cells holding a formula (xlsx/xls). Their text is the value Excel last computed;
    /// the caller should mark them invalid ("请勿使用公式，请粘贴为数值").
    pub formulas: Vec<&'static str>,
}

impl RowRef {
    /// The text of `key`'s cell, `None` when blank or the column is absent.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.cells
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Whether `key`'s cell holds a formula.
    pub fn is_formula(&self, key: &str) -> bool {
        self.formulas.contains(&key)
    }
}

/// The kind of file that was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// Office Open XML workbook (.xlsx, .xlsm).
    Xlsx,
    /// Excel 97–2003 binary workbook (.xls).
    Xls,
    /// Delimited text; `encoding` is the encoding_rs name ("UTF-8", "gb18030", "UTF-16LE"…),
    /// `delimiter` is `,`, tab or `;`.
    Csv {
        /// Encoding the text was decoded from.
        encoding: &'static str,
        /// Field delimiter.
        delimiter: u8,
    },
}

/// What [`read_rows`] found, returned once every row has been handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadSummary {
    /// Detected file kind.
    pub format: SourceFormat,
    /// Worksheet that was read (workbooks only).
    pub sheet: Option<String>,
    /// 1-based row number of the header row.
    pub header_row: usize,
    /// Keys of the spec columns found in the header, in spec order.
    pub columns: Vec<&'static str>,
    /// Header cells that name no spec column (or repeat one already found): ignored.
    pub ignored_headers: Vec<String>,
    /// Data rows handed to the callback (empty rows are skipped and not counted).
    pub rows: usize,
    /// The callback returned `ControlFlow::Break`.
    pub stopped: bool,
}

/// [`read_rows_with`] with the default options (at most 200,000 data rows).
pub fn read_rows(
    bytes: &[u8],
    file_name: &str,
    spec: &SheetSpec,
    each: impl FnMut(RowRef) -> ControlFlow<()>,
) -> Result<ReadSummary, SheetError> {
    read_rows_with(bytes, file_name, spec, ReadOptions::default(), each)
}

/// Reads an uploaded sheet and hands each non-empty data row to `each`, in order.
///
/// The format comes from the content, never from `file_name` (renamed files are common: HTML
/// saved as .xls, CSV saved as .xlsx); the name is accepted for callers' convenience and future
/// use, and currently ignored. Recognised: an xlsx zip, a legacy .xls compound file, or text
/// (CSV/TSV in UTF-8 with or without BOM, UTF-16 with BOM, or GB18030/GBK, Chinese Excel's
/// default). Anything else is [`SheetError::NotASpreadsheet`]; a password-protected workbook is
/// [`SheetError::Encrypted`].
///
/// The header row is found (see [`ReadOptions::header_search_rows`]) and checked before any row
/// is handed over: missing required columns give [`SheetError::MissingColumns`] with their
/// headers. Exceeding [`ReadOptions::max_rows`] gives [`SheetError::TooManyRows`] when the first
/// row past the limit is met — rows before it have been handed over by then, so callers treat
/// any error as failing the whole import (they validate first and write in one transaction).
pub fn read_rows_with(
    bytes: &[u8],
    file_name: &str,
    spec: &SheetSpec,
    options: ReadOptions,
    each: impl FnMut(RowRef) -> ControlFlow<()>,
) -> Result<ReadSummary, SheetError> {
    let mut engine = Engine::new(spec, options, each);
    match detect(bytes, file_name)? {
        Detected::Xlsx => read_xlsx(bytes, &mut engine)?,
        Detected::Xls => read_xls(bytes, &mut engine)?,
        Detected::Text(text) => read_csv(bytes, text, &mut engine)?,
    }
    engine.finish()
}

// ---------------------------------------------------------------------------------------------
// Detection

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detected {
    Xlsx,
    Xls,
    Text(TextKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TextKind {
    encoding: &'static Encoding,
    /// Bytes of BOM to skip.
    bom: usize,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn detect(bytes: &[u8], _file_name: &str) -> Result<Detected, SheetError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SheetError::Empty);
    }
    if bytes.starts_with(ZIP_MAGIC) {
        return Ok(Detected::Xlsx);
    }
    if bytes.starts_with(CFB_MAGIC) {
        // An OLE compound file: a legacy .xls, a Word/PowerPoint 97 file, or an encrypted
        // OOXML package (which Office wraps in a compound file with an EncryptionInfo stream).
        if contains_utf16(bytes, "EncryptionInfo") {
            return Err(SheetError::Encrypted);
        }
        if contains_utf16(bytes, "Workbook") || contains_utf16(bytes, "Book") {
            return Ok(Detected::Xls);
        }
        return Err(SheetError::NotASpreadsheet);
    }
    const BINARY_MAGIC: &[&[u8]] = &[
        b"%PDF",
        b"\x89PNG",
        b"GIF8",
        b"\xFF\xD8\xFF",
        b"Rar!",
        b"7z\xBC\xAF",
        b"\x1F\x8B",
        b"{\\rtf",
        b"\x7FELF",
        b"MZ",
    ];
    if BINARY_MAGIC.iter().any(|m| bytes.starts_with(m)) {
        return Err(SheetError::NotASpreadsheet);
    }
    let text = text_kind(bytes);
    check_looks_like_text(bytes, text)?;
    Ok(Detected::Text(text))
}

fn text_kind(bytes: &[u8]) -> TextKind {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return TextKind { encoding, bom };
    }
    let utf8 = match std::str::from_utf8(bytes) {
        Ok(_) => true,
        // Valid up to a sequence cut off at the very end (a truncated upload): still UTF-8.
        Err(e) => e.error_len().is_none(),
    };
    TextKind {
        encoding: if utf8 { UTF_8 } else { GB18030 },
        bom: 0,
    }
}

/// Refuses text that is not text: NULs, control characters, undecodable bytes, markup.
fn check_looks_like_text(bytes: &[u8], kind: TextKind) -> Result<(), SheetError> {
    let end = bytes.len().min(kind.bom + SNIFF_BYTES);
    let sample = &bytes[kind.bom..end];
    let mut decoder = kind.encoding.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(sample.len() * 3 / 2 + 16);
    let cap = decoder
        .max_utf8_buffer_length(sample.len())
        .unwrap_or(sample.len() * 3 + 16);
    text.reserve(cap);
    let last = end == bytes.len();
    let (_, _, _) = decoder.decode_to_string(sample, &mut text, last);
    let mut chars = 0usize;
    let mut bad = 0usize;
    for c in text.chars() {
        chars += 1;
        match c {
            '\0' => return Err(SheetError::NotASpreadsheet),
            '\t' | '\n' | '\r' | '\x0c' | '\x1a' => {}
            // Undecodable bytes; private-use characters, which random high bytes decode to
            // in GB18030 (a real register has at most a rare-name character or two).
            '\u{FFFD}' | '\u{E000}'..='\u{F8FF}' => bad += 1,
            c if c.is_control() => bad += 1,
            _ => {}
        }
    }
    // A real register has none of these; allow a stray one or two per 64 KiB.
    if chars == 0 || bad > 2 + chars / 1000 {
        return Err(SheetError::NotASpreadsheet);
    }
    let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    if start.is_empty() {
        return Err(SheetError::Empty);
    }
    // HTML tables renamed to .xls by old systems, SpreadsheetML 2003, other XML: not CSV.
    if start.starts_with('<') {
        return Err(SheetError::NotASpreadsheet);
    }
    Ok(())
}

fn contains_utf16(haystack: &[u8], needle: &str) -> bool {
    let pattern: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    haystack
        .windows(pattern.len())
        .any(|w| w == pattern.as_slice())
}

// ---------------------------------------------------------------------------------------------
// The format-independent part: header search, column mapping, row assembly, limits.

/// A cell as it comes from a file: 0-based column, text, formula flag.
struct RawCell {
    col: u32,
    text: String,
    formula: bool,
}

struct Engine<'s, F> {
    spec: &'s SheetSpec,
    options: ReadOptions,
    each: F,
    /// For each file column, the spec column index it feeds (after the header is found).
    map: Option<Vec<Option<usize>>>,
    /// Spec columns present, in spec order.
    present: Vec<usize>,
    nonempty_rows_before_header: usize,
    summary: ReadSummary,
}

impl<'s, F: FnMut(RowRef) -> ControlFlow<()>> Engine<'s, F> {
    fn new(spec: &'s SheetSpec, options: ReadOptions, each: F) -> Self {
        Engine {
            spec,
            options,
            each,
            map: None,
            present: Vec::new(),
            nonempty_rows_before_header: 0,
            summary: ReadSummary {
                format: SourceFormat::Xlsx,
                sheet: None,
                header_row: 0,
                columns: Vec::new(),
                ignored_headers: Vec::new(),
                rows: 0,
                stopped: false,
            },
        }
    }

    /// Takes one physical row. `Break` means stop reading (the callback asked to).
    fn row(&mut self, number: usize, cells: &[RawCell]) -> Result<ControlFlow<()>, SheetError> {
        if number > EXCEL_MAX_ROW {
            // Only a CSV of over a million lines (mostly blank) gets here.
            return Err(SheetError::TooManyRows {
                max: self.options.max_rows,
            });
        }
        let Some(map) = &self.map else {
            return self
                .maybe_header(number, cells)
                .map(|()| ControlFlow::Continue(()));
        };
        let mut values: Vec<(&'static str, String)> = self
            .present
            .iter()
            .map(|&i| (self.spec.columns[i].key, String::new()))
            .collect();
        let mut formulas = Vec::new();
        let mut any = false;
        for cell in cells {
            let Some(Some(ci)) = map.get(cell.col as usize) else {
                continue;
            };
            let key = self.spec.columns[*ci].key;
            let slot = values.iter_mut().find(|(k, _)| *k == key).map(|(_, v)| v);
            if let Some(slot) = slot {
                let text = trim_cell(&cell.text);
                if !text.is_empty() {
                    any = true;
                    slot.clear();
                    slot.push_str(text);
                }
            }
            if cell.formula {
                any = true;
                if !formulas.contains(&key) {
                    formulas.push(key);
                }
            }
        }
        if !any {
            return Ok(ControlFlow::Continue(()));
        }
        if self.summary.rows >= self.options.max_rows {
            return Err(SheetError::TooManyRows {
                max: self.options.max_rows,
            });
        }
        self.summary.rows += 1;
        let flow = (self.each)(RowRef {
            number,
            cells: values,
            formulas,
        });
        if flow.is_break() {
            self.summary.stopped = true;
        }
        Ok(flow)
    }

    fn maybe_header(&mut self, number: usize, cells: &[RawCell]) -> Result<(), SheetError> {
        if cells.iter().all(|c| trim_cell(&c.text).is_empty()) {
            return Ok(());
        }
        self.nonempty_rows_before_header += 1;
        let matched = |text: &str| {
            self.spec
                .columns
                .iter()
                .position(|c| c.matches_header(text))
        };
        if !cells.iter().any(|c| matched(&c.text).is_some()) {
            if self.nonempty_rows_before_header >= self.options.header_search_rows {
                return Err(self.missing_all());
            }
            return Ok(());
        }
        let width = cells.iter().map(|c| c.col as usize + 1).max().unwrap_or(0);
        let mut map = vec![None; width];
        let mut seen = vec![false; self.spec.columns.len()];
        for cell in cells {
            let text = trim_cell(&cell.text);
            if text.is_empty() {
                continue;
            }
            match matched(text) {
                Some(i) if !seen[i] => {
                    seen[i] = true;
                    map[cell.col as usize] = Some(i);
                }
                _ => self.summary.ignored_headers.push(text.to_string()),
            }
        }
        let missing: Vec<String> = self
            .spec
            .columns
            .iter()
            .zip(&seen)
            .filter(|(c, seen)| c.required && !**seen)
            .map(|(c, _)| c.header.clone())
            .collect();
        if !missing.is_empty() {
            return Err(SheetError::MissingColumns(missing));
        }
        self.present = (0..self.spec.columns.len()).filter(|&i| seen[i]).collect();
        self.summary.columns = self
            .present
            .iter()
            .map(|&i| self.spec.columns[i].key)
            .collect();
        self.summary.header_row = number;
        self.map = Some(map);
        Ok(())
    }

    /// No header found: every required column is missing (every column if none is required).
    fn missing_all(&self) -> SheetError {
        let required: Vec<String> = self
            .spec
            .columns
            .iter()
            .filter(|c| c.required)
            .map(|c| c.header.clone())
            .collect();
        if required.is_empty() {
            SheetError::MissingColumns(self.spec.columns.iter().map(|c| c.header.clone()).collect())
        } else {
            SheetError::MissingColumns(required)
        }
    }

    fn finish(self) -> Result<ReadSummary, SheetError> {
        if self.map.is_none() {
            return Err(if self.nonempty_rows_before_header == 0 {
                SheetError::Empty
            } else {
                self.missing_all()
            });
        }
        Ok(self.summary)
    }
}

// ---------------------------------------------------------------------------------------------
// xlsx: calamine's streaming cell reader, one row buffered at a time.

fn read_xlsx<F: FnMut(RowRef) -> ControlFlow<()>>(
    bytes: &[u8],
    engine: &mut Engine<'_, F>,
) -> Result<(), SheetError> {
    check_zip(bytes)?;
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| SheetError::Unreadable(format!("xlsx: {e}")))?;
    let sheet = pick_sheet(workbook.sheets_metadata(), engine.spec).ok_or(SheetError::Empty)?;
    engine.summary.format = SourceFormat::Xlsx;
    engine.summary.sheet = Some(sheet.clone());
    let mut reader = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| SheetError::Unreadable(format!("xlsx: {e}")))?;
    let mut row: Vec<RawCell> = Vec::new();
    let mut current: Option<u32> = None;
    while let Some(cell) = reader
        .next_cell_with_formula_metadata()
        .map_err(|e| SheetError::Unreadable(format!("xlsx: {e}")))?
    {
        let (r, c) = cell.pos;
        if current != Some(r) {
            if let Some(prev) = current
                && engine.row(prev as usize + 1, &row)?.is_break()
            {
                return Ok(());
            }
            row.clear();
            current = Some(r);
        }
        let formula = cell.formula.is_some();
        if formula || !matches!(cell.value, DataRef::Empty) {
            row.push(RawCell {
                col: c,
                text: data_ref_text(&cell.value),
                formula,
            });
        }
    }
    if let Some(prev) = current {
        let _ = engine.row(prev as usize + 1, &row)?;
    }
    Ok(())
}

/// Confirms the zip is a workbook and that its shared-string table is of sane size.
fn check_zip(bytes: &[u8]) -> Result<(), SheetError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| SheetError::Unreadable(format!("zip: {e}")))?;
    if zip.index_for_name("xl/workbook.xml").is_none() {
        // A .docx, .pptx, .xlsb, .ods or a plain zip of files.
        return Err(SheetError::NotASpreadsheet);
    }
    if let Ok(strings) = zip.by_name("xl/sharedStrings.xml")
        && strings.size() > MAX_SHARED_STRINGS_BYTES
    {
        return Err(SheetError::Unreadable(
            "shared strings table too large".into(),
        ));
    }
    Ok(())
}

/// The worksheet named like the spec if visible, else the first visible worksheet.
fn pick_sheet(sheets: &[calamine::Sheet], spec: &SheetSpec) -> Option<String> {
    let visible =
        |s: &&calamine::Sheet| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible;
    let wanted = spec.sheet_name();
    sheets
        .iter()
        .filter(visible)
        .find(|s| s.name == wanted || s.name == spec.name)
        .or_else(|| sheets.iter().find(visible))
        .or_else(|| sheets.iter().find(|s| s.typ == SheetType::WorkSheet))
        .map(|s| s.name.clone())
}

// ---------------------------------------------------------------------------------------------
// xls: at most 65,536 × 256 cells by format, so calamine's in-memory ranges are bounded.

fn read_xls<F: FnMut(RowRef) -> ControlFlow<()>>(
    bytes: &[u8],
    engine: &mut Engine<'_, F>,
) -> Result<(), SheetError> {
    let xls_err = |e: XlsError| match e {
        XlsError::Password => SheetError::Encrypted,
        e => SheetError::Unreadable(format!("xls: {e}")),
    };
    let mut workbook: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(xls_err)?;
    let sheet = pick_sheet(workbook.sheets_metadata(), engine.spec).ok_or(SheetError::Empty)?;
    engine.summary.format = SourceFormat::Xls;
    engine.summary.sheet = Some(sheet.clone());
    let values = workbook.worksheet_range(&sheet).map_err(xls_err)?;
    let formulas = workbook.worksheet_formula(&sheet).map_err(xls_err)?;
    let Some((r0, c0)) = values.start() else {
        return Ok(());
    };
    let mut row: Vec<RawCell> = Vec::new();
    for (i, cells) in values.rows().enumerate() {
        row.clear();
        let r = r0 + i as u32;
        for (j, value) in cells.iter().enumerate() {
            let c = c0 + j as u32;
            let formula = formulas.get_value((r, c)).is_some_and(|f| !f.is_empty());
            if formula || !matches!(value, Data::Empty) {
                row.push(RawCell {
                    col: c,
                    text: data_text(value),
                    formula,
                });
            }
        }
        if engine.row(r as usize + 1, &row)?.is_break() {
            return Ok(());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CSV: truly streamed through the csv crate, decoding on the fly.

fn read_csv<F: FnMut(RowRef) -> ControlFlow<()>>(
    bytes: &[u8],
    kind: TextKind,
    engine: &mut Engine<'_, F>,
) -> Result<(), SheetError> {
    let body = &bytes[kind.bom..];
    let delimiter = sniff_delimiter(body, kind.encoding);
    engine.summary.format = SourceFormat::Csv {
        encoding: kind.encoding.name(),
        delimiter,
    };
    if kind.encoding == UTF_8 {
        csv_records(body, delimiter, engine)
    } else {
        csv_records(DecodingReader::new(body, kind.encoding), delimiter, engine)
    }
}

fn csv_records<R: Read, F: FnMut(RowRef) -> ControlFlow<()>>(
    input: R,
    delimiter: u8,
    engine: &mut Engine<'_, F>,
) -> Result<(), SheetError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(64 * 1024)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let mut row: Vec<RawCell> = Vec::new();
    // Line numbers count the newlines inside quoted cells; Excel rows do not.
    let mut embedded_newlines: u64 = 0;
    let mut last_number = 0usize;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(SheetError::Unreadable(format!("csv: {e}"))),
        }
        let line = record.position().map_or(0, |p| p.line());
        let mut number = line.saturating_sub(embedded_newlines) as usize;
        if number <= last_number {
            number = last_number + 1;
        }
        last_number = number;
        row.clear();
        for (c, field) in record.iter().enumerate() {
            embedded_newlines += field.iter().filter(|&&b| b == b'\n').count() as u64;
            if field.is_empty() {
                continue;
            }
            row.push(RawCell {
                col: c as u32,
                text: String::from_utf8_lossy(field).into_owned(),
                formula: false,
            });
        }
        if engine.row(number, &row)?.is_break() {
            return Ok(());
        }
    }
    Ok(())
}

/// `,` unless the first line has more tabs (Excel "Unicode text" / TSV) or semicolons.
fn sniff_delimiter(body: &[u8], encoding: &'static Encoding) -> u8 {
    let head = &body[..body.len().min(SNIFF_BYTES)];
    let (text, _) = encoding.decode_without_bom_handling(head);
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            '\t' if !quoted => counts[1] += 1,
            ';' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    if counts[1] > counts[0] && counts[1] >= counts[2] {
        b'\t'
    } else if counts[2] > counts[0] {
        b';'
    } else {
        b','
    }
}

/// Decodes GB18030/UTF-16 bytes to UTF-8 chunk by chunk, for the csv reader.
struct DecodingReader<'a> {
    src: &'a [u8],
    decoder: encoding_rs::Decoder,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    done: bool,
}

impl<'a> DecodingReader<'a> {
    fn new(src: &'a [u8], encoding: &'static Encoding) -> Self {
        DecodingReader {
            src,
            decoder: encoding.new_decoder_without_bom_handling(),
            buf: vec![0; 32 * 1024].into_boxed_slice(),
            start: 0,
            end: 0,
            done: false,
        }
    }
}

impl Read for DecodingReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.start == self.end && !self.done {
            let chunk = self.src.len().min(8 * 1024);
            let last = chunk == self.src.len();
            let (result, read, written, _) =
                self.decoder
                    .decode_to_utf8(&self.src[..chunk], &mut self.buf, last);
            self.src = &self.src[read..];
            self.start = 0;
            self.end = written;
            if last && read == chunk && result == encoding_rs::CoderResult::InputEmpty {
                self.done = true;
            }
        }
        let n = out.len().min(self.end - self.start);
        out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

// ---------------------------------------------------------------------------------------------
// Cell values as text

fn data_ref_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Bool(b) => bool_text(*b).to_string(),
        DataRef::DateTime(d) => datetime_text(d),
        DataRef::DateTimeIso(s) => iso_text(s),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

fn data_text(value: &Data) -> String {
    match value {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::String(s) => s.clone(),
        Data::Bool(b) => bool_text(*b).to_string(),
        Data::DateTime(d) => datetime_text(d),
        Data::DateTimeIso(s) => iso_text(s),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

fn bool_text(b: bool) -> &'static str {
    if b { "TRUE" } else { "FALSE" }
}

/// A number as Excel shows it in General format, without exponent: integers without ".0"
/// (13800138000, not 13800138000.0), others to 15 significant digits (0.1+0.2 is "0.3").
pub(crate) fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f == f.trunc() && f.abs() < 9.0e15 {
        return format!("{}", f as i64);
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    if rounded == rounded.trunc() && rounded.abs() < 9.0e18 {
        return format!("{}", rounded as i64);
    }
    format!("{rounded}")
}

/// Dates as YYYY-MM-DD, date-times as YYYY-MM-DD HH:MM:SS, times as HH:MM:SS.
fn datetime_text(d: &ExcelDateTime) -> String {
    if d.is_duration() {
        let secs = (d.as_f64() * 86_400.0).round() as i64;
        let sign = if secs < 0 { "-" } else { "" };
        let secs = secs.abs();
        return format!(
            "{sign}{}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
    }
    // Milliseconds are dropped: registers record days, rarely clock times.
    let (y, mo, da, h, mi, s, _) = d.to_ymd_hms_milli();
    if d.as_f64() < 1.0 && d.as_f64() >= 0.0 {
        return format!("{h:02}:{mi:02}:{s:02}");
    }
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{da:02}")
    } else {
        format!("{y:04}-{mo:02}-{da:02} {h:02}:{mi:02}:{s:02}")
    }
}

fn iso_text(s: &str) -> String {
    match s.strip_suffix("T00:00:00") {
        Some(date) => date.to_string(),
        None => s.replacen('T', " ", 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;
    use encoding_rs::UTF_16LE;

    #[test]
    fn numbers_render_like_excel_general_without_trailing_zero() {
        assert_eq!(number_text(13800138000.0), "13800138000");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(1234.5678), "1234.5678");
        assert_eq!(number_text(110101199003077777.0), "110101199003078000");
    }

    #[test]
    fn dates_render_as_iso_days_and_times_keep_their_clock() {
        let date = ExcelDateTime::new(45292.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&date), "2024-01-01");
        let dt = ExcelDateTime::new(45292.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&dt), "2024-01-01 12:00:00");
        let time = ExcelDateTime::new(0.75, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&time), "18:00:00");
        assert_eq!(iso_text("2024-03-05T00:00:00"), "2024-03-05");
        assert_eq!(iso_text("2024-03-05T08:30:00"), "2024-03-05 08:30:00");
    }

    #[test]
    fn text_detection_tells_utf8_gbk_and_boms_apart() {
        assert_eq!(text_kind("姓名,电话".as_bytes()).encoding, UTF_8);
        let (gbk, _, _) = GB18030.encode("姓名,电话");
        assert_eq!(text_kind(&gbk).encoding, GB18030);
        let bom = [b"\xEF\xBB\xBF".as_slice(), "姓名".as_bytes()].concat();
        assert_eq!(
            text_kind(&bom),
            TextKind {
                encoding: UTF_8,
                bom: 3
            }
        );
        assert_eq!(text_kind(b"\xFF\xFEa\0").encoding, UTF_16LE);
    }

    #[test]
    fn delimiter_is_sniffed_from_the_first_line() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1\t2", UTF_8), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n", UTF_8), b'\t');
        assert_eq!(sniff_delimiter(b"a;b;c\n", UTF_8), b';');
        assert_eq!(sniff_delimiter(b"\"a,b\";c;d\n", UTF_8), b';');
    }

    #[test]
    fn binary_and_markup_are_not_spreadsheets() {
        assert_eq!(
            detect(b"%PDF-1.7\n", "a.csv"),
            Err(SheetError::NotASpreadsheet)
        );
        assert_eq!(
            detect(b"<html><table>", "a.xls"),
            Err(SheetError::NotASpreadsheet)
        );
        assert_eq!(detect(b"a,b\0c", "a.csv"), Err(SheetError::NotASpreadsheet));
        assert_eq!(detect(b"  \r\n", "a.csv"), Err(SheetError::Empty));
        assert_eq!(detect(b"", "a.csv"), Err(SheetError::Empty));
    }

    #[test]
    fn the_decoding_reader_streams_gb18030_as_utf8() {
        let text = "姓名,电话\n张三,13800138000\n".repeat(2000);
        let (gbk, _, _) = GB18030.encode(&text);
        let mut out = String::new();
        DecodingReader::new(&gbk, GB18030)
            .read_to_string(&mut out)
            .expect("decodes");
        assert_eq!(out, text);
    }
}
