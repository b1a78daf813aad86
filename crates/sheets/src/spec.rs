//! Column and sheet specifications: what a register's sheet looks like, shared by the template,
//! the reader, the export writer and the error report.

/// One column of a register sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Stable key used by code (`id_number`, `phone`, …). Also accepted as a header on import.
    pub key: &'static str,
    /// Chinese header shown in row 1 (without the required marker; the template adds `*`).
    pub header: String,
    /// Explanation shown as a note (comment) on the header cell of the template.
    pub note: String,
    /// The column must be present in an imported file (and is marked red with `*`).
    pub required: bool,
    /// A coded field: the allowed values, offered as a drop-down list in the template.
    pub choices: Option<Vec<String>>,
    /// Column width in Excel character units; `0.0` or less picks one from the header.
    pub width: f64,
}

impl Column {
    /// An optional free-text column with no note and an automatic width.
    pub fn new(key: &'static str, header: impl Into<String>) -> Self {
        Column {
            key,
            header: header.into(),
            note: String::new(),
            required: false,
            choices: None,
            width: 0.0,
        }
    }

    /// Marks the column as required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Sets the header note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    /// Sets the allowed values (drop-down list).
    pub fn choices<S: Into<String>>(mut self, choices: impl IntoIterator<Item = S>) -> Self {
        self.choices = Some(choices.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the width in Excel character units.
    pub fn width(mut self, width: f64) -> Self {
        self.width = width;
        self
    }

    /// True for columns holding long digit strings that Excel must keep as text (format `@`):
    /// keys ending in `id_number`, `phone`, `uscc` or `code`.
    pub fn is_text(&self) -> bool {
        is_text_key(self.key)
    }

    /// The width to use: the configured one, or one fitted to the header (CJK counts double).
    pub fn effective_width(&self) -> f64 {
        if self.width > 0.0 {
            return self.width.min(255.0);
        }
        let header = display_width(&self.header) as f64 + 4.0;
        let floor = if self.is_text() { 20.0 } else { 10.0 };
        header.clamp(floor, 60.0)
    }

    /// Does `text` (a header cell of an uploaded file) name this column? Surrounding spaces and
    /// a trailing `*` (or full-width `＊`) are ignored; the key itself is accepted too.
    pub fn matches_header(&self, text: &str) -> bool {
        let t = normalize_header(text);
        !t.is_empty() && (t == normalize_header(&self.header) || t == self.key)
    }
}

/// A sheet: its name (the worksheet tab) and its columns in display order.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetSpec {
    /// Worksheet name (tab). Characters Excel forbids are replaced when writing.
    pub name: String,
    /// Columns in display order.
    pub columns: Vec<Column>,
}

impl SheetSpec {
    /// A spec from a name and columns.
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> Self {
        SheetSpec {
            name: name.into(),
            columns,
        }
    }

    /// The column with this key.
    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.key == key)
    }

    /// Index of the column with this key.
    pub fn position(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }

    /// The worksheet name made acceptable to Excel: no `[]:*?/\`, no leading or trailing `'`,
    /// at most 31 characters, never empty.
    pub fn sheet_name(&self) -> String {
        sanitize_sheet_name(&self.name)
    }
}

/// Keys whose values are long digit strings (ID numbers, phones, credit codes, region codes).
pub fn is_text_key(key: &str) -> bool {
    ["id_number", "phone", "uscc", "code"]
        .iter()
        .any(|s| key.ends_with(s))
}

/// Header text as compared on import: trimmed, without a trailing required marker.
pub(crate) fn normalize_header(text: &str) -> &str {
    let t = trim_cell(text);
    let t = t.strip_suffix(['*', '＊']).unwrap_or(t);
    trim_cell(t)
}

/// Trims Unicode whitespace (including the ideographic space U+3000 and NBSP) and the invisible
/// characters that copy-paste from web pages leaves behind (zero-width space, BOM).
pub(crate) fn trim_cell(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}'))
}

/// Approximate display width: East Asian wide characters count 2.
pub(crate) fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

pub(crate) fn sanitize_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'');
    let cut: String = cleaned.chars().take(31).collect();
    let cut = cut.trim().to_string();
    if cut.is_empty() || cut.eq_ignore_ascii_case("history") {
        "Sheet1".to_string()
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ending_in_id_number_phone_uscc_or_code_are_text_columns() {
        for k in [
            "id_number",
            "spouse_id_number",
            "phone",
            "contact_phone",
            "uscc",
            "region_code",
            "code",
        ] {
            assert!(is_text_key(k), "{k}");
        }
        for k in ["name", "amount", "phones_count", "coder"] {
            assert!(!is_text_key(k), "{k}");
        }
    }

    #[test]
    fn header_matching_ignores_spaces_and_a_trailing_star_and_accepts_the_key() {
        let c = Column::new("id_number", "身份证号").required();
        assert!(c.matches_header("身份证号"));
        assert!(c.matches_header("  身份证号 * "));
        assert!(c.matches_header("身份证号＊"));
        assert!(c.matches_header("\u{3000}身份证号\u{3000}"));
        assert!(c.matches_header("id_number"));
        assert!(!c.matches_header("身份证"));
        assert!(!c.matches_header("身份证号码"));
        assert!(!c.matches_header(""));
        assert!(!c.matches_header("*"));
    }

    #[test]
    fn sheet_names_are_made_acceptable_to_excel() {
        assert_eq!(sanitize_sheet_name("创业人员/登记表"), "创业人员_登记表");
        assert_eq!(sanitize_sheet_name("'x'"), "x");
        assert_eq!(sanitize_sheet_name(""), "Sheet1");
        assert_eq!(sanitize_sheet_name("History"), "Sheet1");
        assert_eq!(sanitize_sheet_name(&"表".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn widths_come_from_the_spec_or_fit_the_header() {
        assert_eq!(
            Column::new("name", "姓名").width(12.0).effective_width(),
            12.0
        );
        assert_eq!(Column::new("name", "姓名").effective_width(), 10.0);
        assert_eq!(Column::new("id_number", "身份证号").effective_width(), 20.0);
        let long = Column::new("x", "这是一个非常非常非常长的表头名称");
        assert_eq!(long.effective_width(), 36.0);
    }
}
