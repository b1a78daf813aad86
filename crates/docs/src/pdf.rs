//! PDF by krilla: A4 pages laid out by hand — wrapped paragraphs with a first-line indent,
//! tables whose header repeats on each page, vector bar charts, page numbers "- n -".

use krilla::Document as Pdf;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use crate::chart::{Anchor, Shape};
use crate::font::{self, FONT};
use crate::{Block, Document, Error, Result, Table, is_numeric};

const PAGE_W: f32 = 595.3;
const PAGE_H: f32 = 841.9;
const LEFT: f32 = 79.0;
const RIGHT: f32 = 73.0;
const TOP: f32 = 74.0;
const BOTTOM: f32 = 80.0;
const CONTENT_W: f32 = PAGE_W - LEFT - RIGHT;
const BODY: f32 = 14.0;
const LEADING: f32 = 1.75;
const CELL: f32 = 10.0;
const PAD: f32 = 4.0;

/// A drawing command placed on a page.
enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        rgb: (u8, u8, u8),
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        rgb: (u8, u8, u8),
    },
}

/// Pages as lists of items: layout first, drawing after, so layout needs no PDF state.
struct Pages {
    pages: Vec<Vec<Item>>,
    y: f32,
}

impl Pages {
    fn new() -> Pages {
        Pages {
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    fn page(&mut self) -> &mut Vec<Item> {
        self.pages.last_mut().expect("there is always a page")
    }

    /// Makes room for `h` points, starting a page when the rest of this one is too short.
    fn room(&mut self, h: f32) {
        if self.y + h > PAGE_H - BOTTOM && self.y > TOP {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    fn text(&mut self, x: f32, baseline: f32, size: f32, text: &str) {
        if !text.is_empty() {
            self.page().push(Item::Text {
                x,
                y: baseline,
                size,
                text: text.to_string(),
                rgb: (0, 0, 0),
            });
        }
    }

    fn lines(&mut self, lines: &[String], size: f32, indent: f32, centred: bool) {
        let lh = size * LEADING;
        for (i, l) in lines.iter().enumerate() {
            self.room(lh);
            let x = if centred {
                LEFT + (CONTENT_W - font::width(l, size)) / 2.0
            } else if i == 0 {
                LEFT + indent
            } else {
                LEFT
            };
            let y = self.y + size * 1.2;
            self.text(x, y, size, l);
            self.y += lh;
        }
    }
}

/// Renders the document as PDF.
pub fn pdf(doc: &Document) -> Result<Vec<u8>> {
    let mut p = Pages::new();
    layout(doc, &mut p);
    draw(doc, p)
}

fn layout(doc: &Document, p: &mut Pages) {
    let title = font::wrap(&doc.title, 22.0, CONTENT_W, 0.0);
    p.lines(&title, 22.0, 0.0, true);
    if let Some(sub) = &doc.subtitle {
        p.lines(&font::wrap(sub, 12.0, CONTENT_W, 0.0), 12.0, 0.0, true);
    }
    p.y += 10.0;
    for block in &doc.blocks {
        match block {
            Block::Heading(h) => {
                p.room(16.0 * LEADING * 3.0);
                p.y += 4.0;
                p.lines(&font::wrap(h, 16.0, CONTENT_W, 0.0), 16.0, 0.0, false);
            }
            Block::Paragraph(t) => {
                let lines = font::wrap(t, BODY, CONTENT_W, BODY * 2.0);
                p.lines(&lines, BODY, BODY * 2.0, false);
            }
            Block::Table(t) => table(t, p),
            Block::Chart(c) => {
                let h = c.height();
                p.room(h + 8.0);
                let (dx, dy) = (LEFT, p.y);
                for s in c.layout(CONTENT_W) {
                    let item = match s {
                        Shape::Rect { x, y, w, h, rgb } => Item::Rect {
                            x: dx + x,
                            y: dy + y,
                            w,
                            h,
                            rgb,
                        },
                        Shape::Text {
                            x,
                            y,
                            size,
                            text,
                            anchor,
                            rgb,
                        } => {
                            let w = font::width(&text, size);
                            let x = match anchor {
                                Anchor::Start => x,
                                Anchor::Middle => x - w / 2.0,
                                Anchor::End => x - w,
                            };
                            Item::Text {
                                x: dx + x,
                                y: dy + y,
                                size,
                                text,
                                rgb,
                            }
                        }
                    };
                    p.page().push(item);
                }
                p.y += h + 8.0;
            }
        }
    }
}

/// Column widths: each column's natural width, scaled to fill the content width.
fn widths(t: &Table) -> Vec<f32> {
    let n = t.head.len().max(1);
    let mut w = vec![24.0f32; n];
    for row in std::iter::once(&t.head).chain(t.rows.iter()) {
        for (i, c) in row.iter().enumerate().take(n) {
            w[i] = w[i].max(font::width(c, CELL).min(CONTENT_W / 2.0) + 2.0 * PAD);
        }
    }
    let total: f32 = w.iter().sum();
    w.iter().map(|x| x * CONTENT_W / total).collect()
}

fn table(t: &Table, p: &mut Pages) {
    let w = widths(t);
    let lh = CELL * 1.4;
    let caption = font::wrap(&t.caption, 11.0, CONTENT_W, 0.0);
    p.room(caption.len() as f32 * 11.0 * LEADING + 3.0 * (lh + 2.0 * PAD));
    p.lines(&caption, 11.0, 0.0, true);
    let cells = |row: &[String]| -> Vec<Vec<String>> {
        row.iter()
            .zip(&w)
            .map(|(c, cw)| font::wrap(c, CELL, cw - 2.0 * PAD, 0.0))
            .collect()
    };
    let head = cells(&t.head);
    row(p, &w, &head, &t.head, true);
    for r in &t.rows {
        let wrapped = cells(r);
        let h = row_height(&wrapped);
        if p.y + h > PAGE_H - BOTTOM {
            p.room(PAGE_H);
            row(p, &w, &head, &t.head, true);
        }
        row(p, &w, &wrapped, r, false);
    }
    p.y += 10.0;
}

fn row_height(cells: &[Vec<String>]) -> f32 {
    cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * CELL * 1.4 + 2.0 * PAD
}

fn row(p: &mut Pages, w: &[f32], cells: &[Vec<String>], raw: &[String], head: bool) {
    let h = row_height(cells);
    let top = p.y;
    let line = (0x88, 0x88, 0x88);
    if head {
        p.page().push(Item::Rect {
            x: LEFT,
            y: top,
            w: CONTENT_W,
            h,
            rgb: (0xEE, 0xEE, 0xEE),
        });
    }
    let mut x = LEFT;
    for (i, cw) in w.iter().enumerate() {
        let lines = cells.get(i).cloned().unwrap_or_default();
        let numeric = !head && raw.get(i).is_some_and(|c| is_numeric(c));
        for (k, l) in lines.iter().enumerate() {
            let lx = if numeric {
                x + cw - PAD - font::width(l, CELL)
            } else if head {
                x + (cw - font::width(l, CELL)) / 2.0
            } else {
                x + PAD
            };
            let baseline = top + PAD + CELL * 1.4 * k as f32 + CELL * 1.05;
            p.text(lx, baseline, CELL, l);
        }
        p.page().push(Item::Rect {
            x,
            y: top,
            w: 0.5,
            h,
            rgb: line,
        });
        x += cw;
    }
    let page = p.page();
    page.push(Item::Rect {
        x: LEFT + CONTENT_W - 0.5,
        y: top,
        w: 0.5,
        h,
        rgb: line,
    });
    page.push(Item::Rect {
        x: LEFT,
        y: top,
        w: CONTENT_W,
        h: 0.5,
        rgb: line,
    });
    page.push(Item::Rect {
        x: LEFT,
        y: top + h - 0.5,
        w: CONTENT_W,
        h: 0.5,
        rgb: line,
    });
    p.y += h;
}

fn fill(rgb: (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(rgb.0, rgb.1, rgb.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn draw(doc: &Document, p: Pages) -> Result<Vec<u8>> {
    let font = Font::new(FONT.into(), 0).ok_or_else(|| Error::Pdf("font".into()))?;
    let mut pdf = Pdf::new();
    let mut meta = Metadata::new()
        .title(doc.title.clone())
        .language(doc.lang.clone())
        .creator("chuangye".to_string());
    if let Some(s) = &doc.subtitle {
        meta = meta.description(s.clone());
    }
    pdf.set_metadata(meta);
    let settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| Error::Pdf("page size".into()))?;
    let count = p.pages.len();
    for (n, items) in p.pages.into_iter().enumerate() {
        let mut page = pdf.start_page_with(settings.clone());
        let mut s = page.surface();
        for item in items {
            put(&mut s, &font, item);
        }
        let number = format!("- {} -", n + 1);
        let x = (PAGE_W - font::width(&number, 11.0)) / 2.0;
        put(
            &mut s,
            &font,
            Item::Text {
                x,
                y: PAGE_H - BOTTOM / 2.0,
                size: 11.0,
                text: number,
                rgb: (0, 0, 0),
            },
        );
        s.finish();
        page.finish();
        let _ = count;
    }
    pdf.finish().map_err(|e| Error::Pdf(format!("{e:?}")))
}

fn put(s: &mut Surface<'_>, font: &Font, item: Item) {
    match item {
        Item::Text {
            x,
            y,
            size,
            text,
            rgb,
        } => {
            s.set_fill(Some(fill(rgb)));
            s.draw_text(
                Point::from_xy(x, y),
                font.clone(),
                size,
                &text,
                false,
                TextDirection::Auto,
            );
        }
        Item::Rect { x, y, w, h, rgb } => {
            if let Some(rect) = Rect::from_xywh(x, y, w.max(0.01), h.max(0.01)) {
                let mut pb = PathBuilder::new();
                pb.push_rect(rect);
                if let Some(path) = pb.finish() {
                    s.set_fill(Some(fill(rgb)));
                    s.draw_path(&path);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BarChart;

    fn sample(rows: usize) -> Document {
        Document {
            title: "兴华区2025年创建国家级创业型城市工作总结汇报".into(),
            subtitle: Some("兴华区创业办 2025年12月".into()),
            lang: "zh-CN".into(),
            blocks: vec![
                Block::Heading("一、创业服务体系".into()),
                Block::Paragraph("全年新增就业23,490人，新增私营企业288家。".repeat(8)),
                Block::Table(Table {
                    caption: "表1 各街道主要指标".into(),
                    head: vec!["地区".into(), "新增私营企业".into()],
                    rows: (0..rows)
                        .map(|i| vec![format!("第{i}街道"), format!("{}", i * 7)])
                        .collect(),
                }),
                Block::Chart(BarChart {
                    title: "新增私营企业".into(),
                    bars: vec![("甲".into(), 3.0), ("乙".into(), 5.0)],
                    unit: "家".into(),
                }),
            ],
        }
    }

    #[test]
    fn a_report_is_a_pdf_with_the_font_subset_embedded() {
        let bytes = pdf(&sample(5)).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(
            bytes.len() < 200_000,
            "subset, not the whole 4.6 MB font: {}",
            bytes.len()
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/FontFile2"), "the font is embedded");
    }

    #[test]
    fn a_long_table_flows_onto_more_pages_with_its_header_repeated() {
        let mut p = Pages::new();
        layout(&sample(120), &mut p);
        assert!(p.pages.len() >= 3);
        let heads = p
            .pages
            .iter()
            .filter(|items| {
                items
                    .iter()
                    .any(|i| matches!(i, Item::Text { text, .. } if text == "新增私营企业"))
            })
            .count();
        assert!(heads >= 3, "header on each page of the table: {heads}");
        for items in &p.pages {
            for i in items {
                if let Item::Text { y, .. } = i {
                    assert!(*y <= PAGE_H - BOTTOM + 1.0);
                }
            }
        }
    }
}
