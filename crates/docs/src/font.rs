//! The shipped CJK font (WenQuanYi Micro Hei, Apache-2.0; see `fonts/README.md`), its advance
//! widths for measuring, and line breaking by UAX #14 (which keeps "，。" off a line's start).

use std::sync::OnceLock;

/// The font file, compiled in so that a fresh machine needs no Chinese font installed.
pub static FONT: &[u8] = include_bytes!("../fonts/wqy-microhei.ttf");
/// Its family name, as SVG and Word refer to it.
pub const FAMILY: &str = "WenQuanYi Micro Hei";

struct Metrics {
    units_per_em: f32,
    /// Advance per char for the Basic Multilingual Plane; others are measured as one em.
    advance: Vec<u16>,
}

fn metrics() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(|| {
        let face = ttf_parser::Face::parse(FONT, 0).expect("the shipped font parses");
        let em = face.units_per_em();
        let advance = (0u32..=0xFFFF)
            .map(|c| {
                char::from_u32(c)
                    .and_then(|ch| face.glyph_index(ch))
                    .and_then(|g| face.glyph_hor_advance(g))
                    .unwrap_or(em)
            })
            .collect();
        Metrics {
            units_per_em: f32::from(em),
            advance,
        }
    })
}

/// The width of `text` set at `size` points.
pub fn width(text: &str, size: f32) -> f32 {
    let m = metrics();
    let units: u32 = text
        .chars()
        .map(|c| {
            m.advance
                .get(c as usize)
                .copied()
                .map_or(m.units_per_em as u32, u32::from)
        })
        .sum();
    units as f32 * size / m.units_per_em
}

/// Splits `text` into lines no wider than `max` at `size`: at break opportunities where there
/// are some, anywhere when one word is too long. The first line may be shorter by `indent`.
pub fn wrap(text: &str, size: f32, max: f32, indent: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        wrap_one(para, size, max, indent, &mut lines);
    }
    lines
}

fn wrap_one(text: &str, size: f32, max: f32, indent: f32, out: &mut Vec<String>) {
    let mut line = String::new();
    let mut line_w = 0.0;
    let mut limit = max - indent;
    let mut start = 0;
    for (end, _) in unicode_linebreak::linebreaks(text) {
        let piece = &text[start..end];
        start = end;
        let w = width(piece.trim_end(), size);
        if line_w + w > limit && !line.is_empty() {
            out.push(line.trim_end().to_string());
            line.clear();
            line_w = 0.0;
            limit = max;
        }
        if w > limit {
            for ch in piece.chars() {
                let cw = width(ch.encode_utf8(&mut [0; 4]), size);
                if line_w + cw > limit && !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                    line_w = 0.0;
                    limit = max;
                }
                line.push(ch);
                line_w += cw;
            }
        } else {
            line.push_str(piece);
            line_w += width(piece, size);
        }
    }
    out.push(line.trim_end().to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chinese_character_is_one_em_and_latin_is_narrower() {
        assert!((width("创", 10.0) - 10.0).abs() < 0.5);
        assert!(width("1", 10.0) < 7.0);
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_character() {
        let text = "全年新增就业23,490人，新增私营企业288家，新注册个体工商户3,506人。".repeat(4);
        let lines = wrap(&text, 12.0, 200.0, 24.0);
        assert!(lines.len() > 3);
        for l in &lines {
            assert!(width(l, 12.0) <= 200.0 + 0.01, "{l}");
        }
        assert_eq!(lines.concat(), text);
    }

    #[test]
    fn punctuation_does_not_start_a_line() {
        let text = "一二三四五六七八九十，一二三四五六七八九十。";
        for l in wrap(text, 10.0, 100.0, 0.0) {
            assert!(!l.starts_with('，') && !l.starts_with('。'), "{l}");
        }
    }

    #[test]
    fn a_blank_text_is_one_empty_line() {
        assert_eq!(wrap("", 12.0, 100.0, 0.0), vec![String::new()]);
    }
}
