//! [`template`]: the empty register a user downloads, fills in Excel or WPS, and uploads.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Formula,
    Note, Workbook, Worksheet,
};

use crate::SheetError;
use crate::spec::{Column, SheetSpec, display_width};

/// Last row (0-based) that drop-down lists and formats cover: the whole sheet.
pub(crate) const LAST_ROW: u32 = 1_048_575;

/// Name of the hidden sheet holding long drop-down lists.
pub const CHOICES_SHEET: &str = "选项";

/// Data-validation lists longer than this (UTF-16 units, commas included) go on the hidden
/// sheet; Excel's own limit for an inline list is 255.
const INLINE_LIST_MAX: usize = 255;

/// Builds the import template for `spec`: one sheet named after the spec with a bold, frozen
/// header row; required headers red with a trailing `*`; each header's explanation as a note;
/// drop-down lists for coded columns (long lists read from the hidden sheet [`CHOICES_SHEET`]);
/// text format (`@`) on ID-number/phone/credit-code/code columns; widths from the spec.
pub fn template(spec: &SheetSpec) -> Result<Vec<u8>, SheetError> {
    let mut workbook = Workbook::new();
    let formats = HeaderFormats::new();
    let text = Format::new().set_num_format_index(49);

    // Long lists first collected, then written to the hidden sheet after the main one.
    let mut hidden_lists: Vec<&[String]> = Vec::new();
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name(spec.sheet_name())?;
        write_header(sheet, spec, &formats, true)?;
        for (i, column) in spec.columns.iter().enumerate() {
            let col = col_num(i)?;
            if column.is_text() {
                sheet.set_column_format(col, &text)?;
            }
            if let Some(choices) = column.choices.as_deref().filter(|c| !c.is_empty()) {
                let validation = if fits_inline(choices) {
                    DataValidation::new().allow_list_strings(choices)?
                } else {
                    hidden_lists.push(choices);
                    let list_col = col_letter(hidden_lists.len() - 1);
                    let formula = format!(
                        "='{CHOICES_SHEET}'!${list_col}$1:${list_col}${}",
                        choices.len()
                    );
                    DataValidation::new().allow_list_formula(Formula::new(formula))
                };
                let validation = validation
                    .set_error_style(DataValidationErrorStyle::Stop)
                    .set_error_title("输入有误")?
                    .set_error_message(format!("「{}」请从下拉列表中选择。", column.header))?;
                sheet.add_data_validation(1, col, LAST_ROW, col, &validation)?;
            }
        }
        sheet.set_active(true);
    }
    if !hidden_lists.is_empty() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(CHOICES_SHEET)?;
        for (c, list) in hidden_lists.iter().enumerate() {
            let c = col_num(c)?;
            for (r, value) in list.iter().enumerate() {
                let r = u32::try_from(r).map_err(|_| SheetError::Write("list too long".into()))?;
                sheet.write_string(r, c, value)?;
            }
        }
        sheet.set_hidden(true);
    }
    Ok(workbook.save_to_buffer()?)
}

/// Header cell formats shared by the template, the export and the error report.
pub(crate) struct HeaderFormats {
    pub(crate) plain: Format,
    pub(crate) required: Format,
}

impl HeaderFormats {
    pub(crate) fn new() -> Self {
        let plain = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xF2F2F2))
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(0xBFBFBF))
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        let required = plain.clone().set_font_color(Color::RGB(0xC00000));
        HeaderFormats { plain, required }
    }
}

/// Writes row 1 (headers, widths, freeze). With `for_input`, required headers get `*` and red,
/// and each header gets its note.
pub(crate) fn write_header(
    sheet: &mut Worksheet,
    spec: &SheetSpec,
    formats: &HeaderFormats,
    for_input: bool,
) -> Result<(), SheetError> {
    for (i, column) in spec.columns.iter().enumerate() {
        let col = col_num(i)?;
        sheet.set_column_width(col, column.effective_width())?;
        if for_input && column.required {
            sheet.write_string_with_format(
                0,
                col,
                format!("{}*", column.header),
                &formats.required,
            )?;
        } else {
            sheet.write_string_with_format(0, col, &column.header, &formats.plain)?;
        }
        if for_input && let Some(text) = note_text(column) {
            sheet.insert_note(0, col, &sized_note(text))?;
        }
    }
    sheet.set_row_height(0, 30)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The header note: the spec's explanation plus what the marks mean.
fn note_text(column: &Column) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let note = column.note.trim();
    if !note.is_empty() {
        parts.push(note.to_string());
    }
    if column.required {
        parts.push("必填。".to_string());
    }
    if let Some(choices) = column.choices.as_deref().filter(|c| !c.is_empty()) {
        const SHOWN: usize = 12;
        let mut list = choices
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join("、");
        if choices.len() > SHOWN {
            list.push_str(&format!(" 等 {} 项", choices.len()));
        }
        parts.push(format!("请从下拉列表选择：{list}"));
    }
    if column.is_text() {
        parts.push("本列为文本格式，长数字请原样填写。".to_string());
    }
    (!parts.is_empty()).then(|| parts.join("\n"))
}

/// A note sized for its text (the default box is too small for a sentence of Chinese).
pub(crate) fn sized_note(text: String) -> Note {
    const WIDTH_PX: u32 = 260;
    const CHARS_PER_LINE: usize = 34; // display units (CJK = 2) per line at 9 pt
    let lines: usize = text
        .lines()
        .map(|l| display_width(l).div_ceil(CHARS_PER_LINE).max(1))
        .sum();
    let height = (lines as u32)
        .saturating_mul(16)
        .saturating_add(16)
        .clamp(40, 400);
    Note::new(text)
        .add_author_prefix(false)
        .set_width(WIDTH_PX)
        .set_height(height)
}

fn fits_inline(choices: &[String]) -> bool {
    if choices.iter().any(|c| c.contains(',') || c.contains('"')) {
        return false;
    }
    let len: usize = choices
        .iter()
        .map(|c| c.encode_utf16().count())
        .sum::<usize>()
        + choices.len();
    len.saturating_sub(1) <= INLINE_LIST_MAX
}

pub(crate) fn col_num(i: usize) -> Result<u16, SheetError> {
    u16::try_from(i)
        .ok()
        .filter(|c| *c < 16_384)
        .ok_or_else(|| SheetError::Write("more than 16,384 columns".into()))
}

/// `0 → A`, `25 → Z`, `26 → AA` …
pub(crate) fn col_letter(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(col_letter(0), "A");
        assert_eq!(col_letter(25), "Z");
        assert_eq!(col_letter(26), "AA");
        assert_eq!(col_letter(701), "ZZ");
        assert_eq!(col_letter(702), "AAA");
    }

    #[test]
    fn short_lists_are_inline_and_long_or_comma_lists_are_not() {
        let short: Vec<String> = ["男", "女"].map(String::from).to_vec();
        assert!(fits_inline(&short));
        let comma: Vec<String> = ["a,b"].map(String::from).to_vec();
        assert!(!fits_inline(&comma));
        let long: Vec<String> = (0..100).map(|i| format!("选项{i}")).collect();
        assert!(!fits_inline(&long));
    }

    #[test]
    fn the_note_says_required_and_lists_choices() {
        let c = Column::new("gender", "性别")
            .required()
            .note("按身份证填写")
            .choices(["男", "女"]);
        let t = note_text(&c).unwrap_or_default();
        assert_eq!(t, "按身份证填写\n必填。\n请从下拉列表选择：男、女");
        assert_eq!(note_text(&Column::new("name", "备注")), None);
    }
}
