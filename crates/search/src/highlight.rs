//! Highlighting: the title, and a snippet of about [`SNIPPET_CHARS`] characters of the body
//! around its best matches; both HTML-escaped with the query's tokens in `<mark>…</mark>`.
//!
//! Our own rather than tantivy's `SnippetGenerator`, which assumes tokens never overlap and
//! counts its window in bytes: jieba's search mode emits a word after its overlapping parts,
//! which makes that generator's ranges underflow (a panic), and a 120-byte window is 40
//! Chinese characters. Matching uses the very tokens the index stores.

use std::ops::Range;

use crate::analyzer::pieces;

/// Length of a body snippet, in characters.
pub(crate) const SNIPPET_CHARS: usize = 120;

/// Characters of context kept before the first highlighted word of a snippet.
const LEAD_CHARS: usize = 16;

/// At most this many matches are considered as snippet starts.
const MAX_STARTS: usize = 256;

/// The whole title, escaped, with matched tokens marked.
pub(crate) fn title_html(title: &str, terms: &[String]) -> String {
    render(title, &marks(title, terms))
}

/// A snippet of the body around its best matches (or its beginning), escaped and marked, with
/// `…` where the body was cut.
pub(crate) fn snippet_html(body: &str, terms: &[String]) -> String {
    let marks = marks(body, terms);
    let chars: Vec<usize> = body
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(body.len()))
        .collect();
    let (first, last) = window(body, &marks, &chars);
    let (from, to) = (chars[first], chars[last]);
    let inside: Vec<Range<usize>> = marks
        .iter()
        .filter(|m| m.start < to && m.end > from)
        .map(|m| m.start.max(from) - from..m.end.min(to) - from)
        .collect();
    let mut html = String::new();
    if from > 0 {
        html.push('…');
    }
    html.push_str(&render(&body[from..to], &inside));
    if to < body.len() {
        html.push('…');
    }
    html
}

/// Byte ranges of `text` whose tokens are among `terms`, merged where they overlap or touch.
fn marks(text: &str, terms: &[String]) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = pieces(text)
        .into_iter()
        .filter(|p| terms.contains(&p.text))
        .map(|p| p.from..p.to)
        .collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// The snippet's character range: the window of [`SNIPPET_CHARS`] starting a little before a
/// match that holds the most distinct matched words (then the most matches, then the earliest),
/// kept full near the end (so a short body is shown whole).
fn window(text: &str, marks: &[Range<usize>], chars: &[usize]) -> (usize, usize) {
    let n = chars.len() - 1;
    let char_at = |byte: usize| chars.partition_point(|&b| b < byte);
    let mut best = (0, 0, 0);
    for m in marks.iter().take(MAX_STARTS) {
        // A window running past the end starts earlier instead, so that it stays full.
        let first = char_at(m.start)
            .saturating_sub(LEAD_CHARS)
            .min(n.saturating_sub(SNIPPET_CHARS));
        let end = chars[(first + SNIPPET_CHARS).min(n)];
        let inside: Vec<&str> = marks
            .iter()
            .filter(|r| r.start >= chars[first] && r.end <= end)
            .map(|r| &text[r.clone()])
            .collect();
        let mut distinct = inside.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if (distinct.len(), inside.len()) > (best.0, best.1) {
            best = (distinct.len(), inside.len(), first);
        }
    }
    let first = best.2;
    (first, (first + SNIPPET_CHARS).min(n))
}

/// `text` escaped, with the (sorted, disjoint) byte ranges wrapped in `<mark>`.
fn render(text: &str, marks: &[Range<usize>]) -> String {
    let mut html = String::with_capacity(text.len() + marks.len() * 13);
    let mut at = 0;
    for m in marks {
        if let (Some(before), Some(marked)) = (text.get(at..m.start), text.get(m.clone())) {
            escape_into(&mut html, before);
            html.push_str("<mark>");
            escape_into(&mut html, marked);
            html.push_str("</mark>");
            at = m.end;
        }
    }
    escape_into(&mut html, text.get(at..).unwrap_or_default());
    html
}

/// Appends `text` with `& < > " '` escaped.
fn escape_into(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            _ => html.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_whole_term_and_its_parts_are_one_mark() {
        let html = title_html("申请创业担保贷款", &terms(&["创业担保贷款", "担保"]));
        assert_eq!(html, "申请<mark>创业担保贷款</mark>");
    }

    #[test]
    fn a_traditional_text_is_marked_in_its_own_script() {
        let html = title_html("申請創業擔保貸款", &terms(&["担保"]));
        assert_eq!(html, "申請創業<mark>擔保</mark>貸款");
    }

    #[test]
    fn markup_is_escaped_around_and_inside_marks() {
        let html = title_html("<b>创业</b> & \"培训\"", &terms(&["创业"]));
        assert_eq!(
            html,
            "&lt;b&gt;<mark>创业</mark>&lt;/b&gt; &amp; &quot;培训&quot;"
        );
    }

    #[test]
    fn a_snippet_is_cut_around_the_match_with_ellipses() {
        let body = format!("{}高校毕业生{}", "前".repeat(300), "后".repeat(300));
        let html = snippet_html(&body, &terms(&["高校毕业生"]));
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<mark>高校毕业生</mark>"), "{html}");
        let plain = html.replace("<mark>", "").replace("</mark>", "");
        assert_eq!(plain.chars().count(), SNIPPET_CHARS + 2);
    }

    #[test]
    fn without_a_match_the_snippet_is_the_beginning() {
        let body = "创业".repeat(100);
        let html = snippet_html(&body, &terms(&["贴息"]));
        assert!(!html.starts_with('…') && html.ends_with('…'), "{html}");
        assert_eq!(snippet_html("短文", &terms(&["贴息"])), "短文");
    }
}
