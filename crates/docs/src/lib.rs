//! Word and PDF out for chuangye: a small document model — a title, headings, paragraphs,
//! tables and bar charts — rendered to DOCX ([`docx`]) and PDF ([`pdf`]).
//!
//! The PDF embeds a subset of the shipped CJK font ([`font`]), so Chinese renders on any
//! machine; the DOCX names the fonts Chinese government documents use (仿宋, 黑体, 方正小标宋)
//! and carries charts as PNG pictures, drawn from the same layout as the PDF's vector charts.

pub mod chart;
mod docx;
pub mod font;
mod pdf;

pub use chart::BarChart;
pub use docx::docx;
pub use pdf::pdf;

/// A document to render.
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub title: String,
    /// A line under the title, e.g. the issuing office and the date.
    pub subtitle: Option<String>,
    /// BCP 47 language tag, e.g. "zh-CN".
    pub lang: String,
    pub blocks: Vec<Block>,
}

/// One block of a document, in reading order.
#[derive(Clone, Debug)]
pub enum Block {
    /// A section heading such as "一、创业服务体系".
    Heading(String),
    /// Body text, set with a two-character first-line indent.
    Paragraph(String),
    Table(Table),
    Chart(BarChart),
}

/// A table with one header row; cells that look like numbers are right-aligned.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("DOCX: {0}")]
    Docx(String),
    #[error("chart: {0}")]
    Chart(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// True for a cell such as "1,234", "-5", "96.5%": right-aligned in tables.
pub fn is_numeric(cell: &str) -> bool {
    let s = cell.trim();
    !s.is_empty()
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%' | '-' | '+'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_recognised_and_words_are_not() {
        assert!(is_numeric("1,234"));
        assert!(is_numeric("96.5%"));
        assert!(is_numeric("-3"));
        assert!(!is_numeric("—"));
        assert!(!is_numeric("兴华街道"));
        assert!(!is_numeric(""));
    }
}
