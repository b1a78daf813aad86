//! DOCX by docx-rs, in the conventions of Chinese official documents: title in 方正小标宋简体,
//! headings in 黑体, body in 仿宋_GB2312 with a two-character first-line indent, tables with
//! a shaded header, charts as PNG pictures.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, Pic, Run, RunFonts, Shading,
    Table as DTable, TableCell, TableRow, WidthType,
};

use crate::{Block, Document, Error, Result, Table, is_numeric};

const TITLE_FONT: &str = "方正小标宋简体";
const HEADING_FONT: &str = "黑体";
const BODY_FONT: &str = "仿宋_GB2312";
/// Content width of an A4 page with the margins below, in twentieths of a point.
const CONTENT_TWIPS: usize = 11906 - 1588 - 1474;
const EMU_PER_PT: u32 = 12700;

fn run(text: &str, font: &str, half_points: usize) -> Run {
    Run::new().add_text(text).size(half_points).fonts(
        RunFonts::new()
            .east_asia(font)
            .ascii("Times New Roman")
            .hi_ansi("Times New Roman"),
    )
}

fn para(text: &str, font: &str, half_points: usize) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, font, half_points))
        .line_spacing(
            LineSpacing::new()
                .line(560)
                .line_rule(docx_rs::LineSpacingType::Exact),
        )
}

/// Renders the document as DOCX.
pub fn docx(doc: &Document) -> Result<Vec<u8>> {
    let mut d = Docx::new()
        .page_margin(
            PageMargin::new()
                .top(2098)
                .bottom(1984)
                .left(1588)
                .right(1474),
        )
        .default_fonts(RunFonts::new().east_asia(BODY_FONT));
    d = d.add_paragraph(para(&doc.title, TITLE_FONT, 44).align(AlignmentType::Center));
    if let Some(s) = &doc.subtitle {
        d = d.add_paragraph(para(s, "楷体_GB2312", 32).align(AlignmentType::Center));
    }
    for block in &doc.blocks {
        d = match block {
            Block::Heading(h) => d.add_paragraph(para(h, HEADING_FONT, 32)),
            Block::Paragraph(t) => d.add_paragraph(para(t, BODY_FONT, 32).first_line_chars(200)),
            Block::Table(t) => d
                .add_paragraph(para(&t.caption, HEADING_FONT, 24).align(AlignmentType::Center))
                .add_table(table(t)),
            Block::Chart(c) => {
                let width = CONTENT_TWIPS as f32 / 20.0;
                let (png, w, h) = c.png(width, 2.0)?;
                let pic = Pic::new_with_dimensions(png, w, h).size(
                    (width * EMU_PER_PT as f32) as u32,
                    (c.height() * EMU_PER_PT as f32) as u32,
                );
                d.add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .add_run(Run::new().add_image(pic)),
                )
            }
        };
    }
    let mut out = Cursor::new(Vec::new());
    d.build()
        .pack(&mut out)
        .map_err(|e| Error::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

fn cell(text: &str, head: bool, width: usize) -> TableCell {
    let align = if head {
        AlignmentType::Center
    } else if is_numeric(text) {
        AlignmentType::Right
    } else {
        AlignmentType::Left
    };
    let font = if head { HEADING_FONT } else { BODY_FONT };
    let c = TableCell::new()
        .width(width, WidthType::Dxa)
        .add_paragraph(Paragraph::new().align(align).add_run(run(text, font, 21)));
    if head {
        c.shading(Shading::new().fill("EEEEEE"))
    } else {
        c
    }
}

fn table(t: &Table) -> DTable {
    let n = t.head.len().max(1);
    let first = CONTENT_TWIPS * 3 / (n + 2);
    let rest = (CONTENT_TWIPS - first) / n.saturating_sub(1).max(1);
    let width = |i: usize| if i == 0 { first } else { rest };
    let mut rows = vec![TableRow::new(
        t.head
            .iter()
            .enumerate()
            .map(|(i, h)| cell(h, true, width(i)))
            .collect(),
    )];
    for r in &t.rows {
        rows.push(TableRow::new(
            r.iter()
                .enumerate()
                .map(|(i, c)| cell(c, false, width(i)))
                .collect(),
        ));
    }
    DTable::new(rows).set_grid((0..n).map(width).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BarChart;

    #[test]
    fn a_report_is_a_word_file_with_its_text_fonts_and_chart() {
        let doc = Document {
            title: "兴华区工作总结".into(),
            subtitle: None,
            lang: "zh-CN".into(),
            blocks: vec![
                Block::Heading("一、创业服务体系".into()),
                Block::Paragraph("全年新增就业23,490人。".into()),
                Block::Table(Table {
                    caption: "表1".into(),
                    head: vec!["地区".into(), "数".into()],
                    rows: vec![vec!["甲街道".into(), "1,234".into()]],
                }),
                Block::Chart(BarChart {
                    title: "图1".into(),
                    bars: vec![("甲".into(), 3.0)],
                    unit: String::new(),
                }),
            ],
        };
        let bytes = docx(&doc).unwrap();
        assert!(bytes.starts_with(b"PK"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("word/document.xml"));
        assert!(text.contains("word/media/"), "the chart is a picture");
    }
}
