//! Horizontal bar charts (ranking of child regions), laid out once as shapes in points and
//! drawn from those shapes as PDF vectors, as SVG, and as PNG (through resvg, with the shipped
//! font) for Word.

use std::fmt::Write;
use std::sync::{Arc, OnceLock};

use crate::font::{self, FAMILY};
use crate::{Error, Result};

/// A bar chart: one bar per label, in the order given.
#[derive(Clone, Debug, Default)]
pub struct BarChart {
    pub title: String,
    pub bars: Vec<(String, f64)>,
    /// Shown after the values, e.g. "人" or "%".
    pub unit: String,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// What a chart is drawn with; coordinates in points, y downwards, text at its baseline.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        rgb: (u8, u8, u8),
    },
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        anchor: Anchor,
        rgb: (u8, u8, u8),
    },
}

pub const BAR: (u8, u8, u8) = (0xC0, 0x39, 0x2B);
pub const INK: (u8, u8, u8) = (0x22, 0x22, 0x22);
pub const GRID: (u8, u8, u8) = (0xDD, 0xDD, 0xDD);
const ROW: f32 = 20.0;
const TITLE: f32 = 26.0;
const LABEL_SIZE: f32 = 9.5;

/// A round upper bound for an axis: 1, 2 or 5 × a power of ten, at least `max`.
pub fn nice_max(max: f64) -> f64 {
    let mut unit = 1.0;
    while unit * 10.0 < max {
        unit *= 10.0;
    }
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * unit)
        .find(|v| *v >= max)
        .unwrap_or(10.0 * unit)
        .max(1.0)
}

/// Formats a value as in the tables: whole numbers with thousands separators, else one decimal.
pub fn format_value(v: f64) -> String {
    if v.fract().abs() < 1e-9 {
        let n = v as i64;
        let digits = n.abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    } else {
        format!("{v:.1}")
    }
}

impl BarChart {
    /// The chart's height when drawn `width` points wide.
    pub fn height(&self) -> f32 {
        TITLE + ROW * self.bars.len().max(1) as f32 + 6.0
    }

    /// The shapes of the chart drawn `width` points wide with its top-left at (0, 0).
    pub fn layout(&self, width: f32) -> Vec<Shape> {
        let mut shapes = vec![Shape::Text {
            x: width / 2.0,
            y: 16.0,
            size: 11.0,
            text: self.title.clone(),
            anchor: Anchor::Middle,
            rgb: INK,
        }];
        let label_w = self
            .bars
            .iter()
            .map(|(l, _)| font::width(l, LABEL_SIZE))
            .fold(40.0f32, f32::max)
            .min(width * 0.35)
            + 4.0;
        let value_w = 64.0;
        let bar_max = (width - label_w - 8.0 - value_w).max(10.0);
        let max = nice_max(self.bars.iter().map(|b| b.1).fold(0.0, f64::max));
        for (i, (label, v)) in self.bars.iter().enumerate() {
            let top = TITLE + ROW * i as f32;
            let w = (bar_max as f64 * v.max(0.0) / max) as f32;
            shapes.push(Shape::Text {
                x: label_w,
                y: top + 13.5,
                size: LABEL_SIZE,
                text: label.clone(),
                anchor: Anchor::End,
                rgb: INK,
            });
            shapes.push(Shape::Rect {
                x: label_w + 6.0,
                y: top + 3.0,
                w: bar_max,
                h: 14.0,
                rgb: (0xF4, 0xF4, 0xF4),
            });
            shapes.push(Shape::Rect {
                x: label_w + 6.0,
                y: top + 3.0,
                w,
                h: 14.0,
                rgb: BAR,
            });
            shapes.push(Shape::Text {
                x: label_w + 10.0 + bar_max,
                y: top + 13.5,
                size: LABEL_SIZE,
                text: format!("{}{}", format_value(*v), self.unit),
                anchor: Anchor::Start,
                rgb: INK,
            });
        }
        shapes.push(Shape::Rect {
            x: label_w + 5.5,
            y: TITLE,
            w: 0.8,
            h: ROW * self.bars.len().max(1) as f32,
            rgb: GRID,
        });
        shapes
    }

    /// The chart as a standalone SVG `width` points wide, text in the shipped font's family.
    pub fn svg(&self, width: f32) -> String {
        let h = self.height();
        let mut body = String::new();
        for s in self.layout(width) {
            match s {
                Shape::Rect { x, y, w, h, rgb } => {
                    let _ = write!(
                        body,
                        r#"<rect x="{x:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}" fill="{}"/>"#,
                        hex(rgb)
                    );
                }
                Shape::Text {
                    x,
                    y,
                    size,
                    text,
                    anchor,
                    rgb,
                } => {
                    let a = match anchor {
                        Anchor::Start => "start",
                        Anchor::Middle => "middle",
                        Anchor::End => "end",
                    };
                    let _ = write!(
                        body,
                        r#"<text x="{x:.2}" y="{y:.2}" font-size="{size}" text-anchor="{a}" fill="{}">{}</text>"#,
                        hex(rgb),
                        esc(&text)
                    );
                }
            }
        }
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" viewBox="0 0 {width} {h}" font-family="{FAMILY}"><rect width="100%" height="100%" fill="#ffffff"/>{body}</svg>"##
        )
    }

    /// The chart as a PNG `width` points wide at `scale` pixels per point.
    pub fn png(&self, width: f32, scale: f32) -> Result<(Vec<u8>, u32, u32)> {
        let svg = self.svg(width);
        let opts = resvg::usvg::Options {
            font_family: FAMILY.to_string(),
            fontdb: fontdb(),
            ..Default::default()
        };
        let tree =
            resvg::usvg::Tree::from_str(&svg, &opts).map_err(|e| Error::Chart(e.to_string()))?;
        let (w, h) = (
            (width * scale).ceil() as u32,
            (self.height() * scale).ceil() as u32,
        );
        let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h)
            .ok_or_else(|| Error::Chart("empty chart".into()))?;
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
        let png = pixmap
            .encode_png()
            .map_err(|e| Error::Chart(e.to_string()))?;
        Ok((png, w, h))
    }
}

fn fontdb() -> Arc<resvg::usvg::fontdb::Database> {
    static DB: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_font_data(font::FONT.to_vec());
        db.set_sans_serif_family(FAMILY);
        Arc::new(db)
    })
    .clone()
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> BarChart {
        BarChart {
            title: "新增私营企业".into(),
            bars: vec![("兴华街道".into(), 40.0), ("<b>".into(), 10.0)],
            unit: "家".into(),
        }
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(120.0), 200.0);
        assert_eq!(nice_max(3506.0), 5000.0);
    }

    #[test]
    fn values_read_as_in_tables() {
        assert_eq!(format_value(23490.0), "23,490");
        assert_eq!(format_value(-1234567.0), "-1,234,567");
        assert_eq!(format_value(96.54), "96.5");
    }

    #[test]
    fn bars_are_proportional_to_values() {
        let bars: Vec<f32> = chart()
            .layout(400.0)
            .into_iter()
            .filter_map(|s| match s {
                Shape::Rect { w, rgb, .. } if rgb == BAR => Some(w),
                _ => None,
            })
            .collect();
        assert_eq!(bars.len(), 2);
        assert!((bars[0] / bars[1] - 4.0).abs() < 0.01);
    }

    #[test]
    fn svg_escapes_labels() {
        let svg = chart().svg(400.0);
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
    }

    #[test]
    fn png_has_ink_where_the_bars_are() {
        let (png, w, h) = chart().png(400.0, 2.0).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (w, h));
        let dark = pixmap
            .pixels()
            .iter()
            .filter(|p| p.red() > 150 && p.green() < 100)
            .count();
        assert!(dark > 1000, "bar pixels: {dark}");
    }
}
