//! Folding: Traditional Chinese to Simplified (OpenCC `t2s`, dictionaries compiled into the
//! binary) and full-width ASCII to half-width, so that either script finds the other.

use std::sync::LazyLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

/// The converter; `None` only if the embedded dictionaries failed to load (then folding is the
/// identity rather than a panic).
static T2S: LazyLock<Option<OpenCC>> =
    LazyLock::new(|| OpenCC::from_config(BuiltinConfig::T2s).ok());

/// Characters that only some of OpenCC's `t2s` phrases change (瞭解 → 了解, 藉此 → 借此, …),
/// each converting to itself alone: found by comparing its `TSPhrases` and `TSCharacters`.
const PHRASE_ONLY: &str = "沈牴瞭藉衹覆";

/// The Basic Multilingual Plane ranges holding every character `t2s` converts alone.
const CJK_BMP: [std::ops::RangeInclusive<u32>; 2] = [0x3000..=0x9FFF, 0xF900..=0xFAFF];

/// One bit per BMP character: may OpenCC change it? Lets already-Simplified text (nearly all
/// of it) skip the converter, which costs about 0.2 µs a character.
static CHANGING: LazyLock<Vec<u64>> = LazyLock::new(changing_chars);

/// Converts every CJK character alone (one call, a line each) and keeps those that change.
fn changing_chars() -> Vec<u64> {
    let mut bits = vec![0u64; 1024];
    let Some(cc) = T2S.as_ref() else {
        return bits;
    };
    let chars: Vec<char> = CJK_BMP
        .into_iter()
        .flatten()
        .filter_map(char::from_u32)
        .collect();
    let lines: String = chars.iter().flat_map(|&c| [c, '\n']).collect();
    let converted = cc.convert(&lines);
    let mut set = |c: char| bits[c as usize / 64] |= 1 << (c as usize % 64);
    if converted.lines().count() == chars.len() {
        for (c, folded) in chars.iter().zip(converted.lines()) {
            if folded.chars().ne(std::iter::once(*c)) {
                set(*c);
            }
        }
    } else {
        chars.iter().for_each(|&c| set(c));
    }
    PHRASE_ONLY.chars().for_each(set);
    bits
}

/// Whether OpenCC `t2s` might change `c` (any character outside the BMP is assumed to).
fn may_change(c: char) -> bool {
    let i = c as usize;
    i > 0xFFFF
        || CHANGING
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
}

/// Traditional → Simplified Chinese (OpenCC `t2s`: phrases, then characters). Text that is
/// already Simplified, or not Chinese, comes back unchanged.
///
/// ```
/// assert_eq!(chuangye_search::fold("創業擔保貸款"), "创业担保贷款");
/// ```
pub fn fold(text: &str) -> String {
    match T2S.as_ref() {
        Some(cc) if text.chars().any(may_change) => cc.convert(text),
        _ => text.to_owned(),
    }
}

/// Text as the analyzer sees it, character for character aligned with the original: `chars[i]`
/// is the folded form of the original's `i`th character, which starts at byte `offsets[i]`
/// (`offsets` has one more entry: the original's length).
pub(crate) struct Aligned {
    /// The folded text.
    pub text: String,
    /// Byte offset in the original of each folded character, then the original's length.
    pub offsets: Vec<usize>,
}

/// Folds `text` (script and width) keeping one character per original character, so that
/// token offsets can be mapped back for highlighting.
pub(crate) fn aligned(text: &str) -> Aligned {
    let offsets: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let whole = fold(text);
    let folded = if whole.chars().count() + 1 == offsets.len() {
        whole
    } else {
        char_by_char(text)
    };
    Aligned {
        text: folded.chars().map(half_width).collect(),
        offsets,
    }
}

/// Folds each character alone, keeping any that would not fold to exactly one character (only
/// used if a phrase conversion ever changed the length).
fn char_by_char(text: &str) -> String {
    let mut buf = [0u8; 4];
    text.chars()
        .map(|c| {
            let folded = fold(c.encode_utf8(&mut buf));
            let mut it = folded.chars();
            match (it.next(), it.next()) {
                (Some(f), None) => f,
                _ => c,
            }
        })
        .collect()
}

/// Full-width ASCII (Ａ, １, ＃) and the ideographic space to their half-width forms.
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_folds_to_simplified_and_simplified_stays() {
        assert_eq!(fold("創業擔保貸款"), "创业担保贷款");
        assert_eq!(fold("创业担保贷款"), "创业担保贷款");
        assert_eq!(fold("plain ascii"), "plain ascii");
    }

    #[test]
    fn phrase_only_conversions_still_happen() {
        assert_eq!(fold("瞭解"), "了解");
        assert_eq!(fold("藉此"), "借此");
        assert!(!may_change('创') && may_change('創') && may_change('瞭'));
    }

    #[test]
    fn aligned_text_keeps_one_char_per_original_char() {
        let a = aligned("高校畢業生ＡＢ１");
        assert_eq!(a.text, "高校毕业生AB1");
        assert_eq!(a.offsets.len(), a.text.chars().count() + 1);
        assert_eq!(a.offsets[5], "高校畢業生".len());
    }
}

/// The converter for readers who chose Traditional script (OpenCC `s2t`).
static S2T: LazyLock<Option<OpenCC>> =
    LazyLock::new(|| OpenCC::from_config(BuiltinConfig::S2t).ok());

/// Simplified → Traditional (OpenCC `s2t`), for showing published text in the script the reader
/// chose; markup and Latin text pass unchanged. The identity if the dictionaries failed to load.
pub fn to_traditional(text: &str) -> String {
    match S2T.as_ref() {
        Some(cc) if text.chars().any(|c| c as u32 >= 0x3000) => cc.convert(text),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod traditional_tests {
    use super::*;

    #[test]
    fn simplified_reads_as_traditional_and_markup_is_kept() {
        assert_eq!(to_traditional("<p>创业担保贷款</p>"), "<p>創業擔保貸款</p>");
        assert_eq!(to_traditional("abc"), "abc");
    }
}
