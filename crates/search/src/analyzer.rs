//! Segmentation: folds text and cuts it with jieba into the tokens the index stores (search
//! mode) and the words a query asks for. Owns the jieba instance and the user dictionary.

use std::sync::LazyLock;

use jieba_rs::Jieba;

use crate::fold::aligned;

/// Policy terms kept whole (see the file): one `word [frequency]` a line.
const USER_DICT: &str = include_str!("userdict.txt");

/// Whether jieba guesses unknown words (names, new terms) with its HMM, at index and query time.
const HMM: bool = true;

/// Tokens longer than this (bytes) are dropped: hashes, URLs, run-on Latin text.
const MAX_TOKEN_BYTES: usize = 120;

/// Function characters that would match nearly every document and mark every line.
const STOP_WORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "在", "是", "之", "其", "于", "而", "并", "也", "都", "就",
    "着", "吗", "呢", "啊", "吧", "等",
];

/// The shared segmenter: jieba's embedded dictionary plus [`USER_DICT`].
static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    for (word, freq) in user_words() {
        jieba.add_word(word, freq, None);
    }
    jieba
});

/// The user dictionary's entries: the word and its frequency if one is given.
fn user_words() -> impl Iterator<Item = (&'static str, Option<usize>)> {
    USER_DICT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let word = parts.next()?;
            Some((word, parts.next().and_then(|f| f.parse().ok())))
        })
}

/// One token of a text: its folded, lower-cased form and where it is in the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Piece {
    /// The token as indexed (folded, lower case).
    pub text: String,
    /// Byte range in the original text.
    pub from: usize,
    /// End of the byte range in the original text.
    pub to: usize,
    /// Character position of the token's start (search-mode tokens overlap).
    pub position: usize,
}

/// Cuts `text` in jieba search mode: each word, and before it its 2- and 3-character
/// dictionary words, skipping punctuation, spaces and [`STOP_WORDS`].
pub(crate) fn pieces(text: &str) -> Vec<Piece> {
    let folded = aligned(text);
    JIEBA
        .cut_for_search(&folded.text, HMM)
        .into_iter()
        .filter_map(|t| {
            let text = keep(t.word)?;
            let from = *folded.offsets.get(t.start)?;
            let to = *folded.offsets.get(t.end)?;
            Some(Piece {
                text,
                from,
                to,
                position: t.start,
            })
        })
        .collect()
}

/// A word of a query: found whole, or by all of its `parts` (the search-mode words inside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    /// The word as jieba cuts it in default mode (folded, lower case).
    pub whole: String,
    /// Its 2- and 3-character dictionary words, if it is longer.
    pub parts: Vec<String>,
}

/// Cuts a query into words (jieba default mode), each with its search-mode parts, dropping
/// punctuation and duplicates: syntax characters are just more punctuation here.
pub(crate) fn query_words(text: &str) -> Vec<Word> {
    let folded = aligned(text).text;
    let search = JIEBA.cut_for_search(&folded, HMM);
    let mut words: Vec<Word> = Vec::new();
    for w in JIEBA.cut(&folded, HMM) {
        let Some(whole) = keep(w.word) else { continue };
        if words.iter().any(|seen| seen.whole == whole) {
            continue;
        }
        let mut parts: Vec<String> = Vec::new();
        for p in &search {
            let inside = p.start >= w.start && p.end <= w.end && p.end - p.start < w.end - w.start;
            if let Some(part) = keep(p.word).filter(|part| inside && !parts.contains(part)) {
                parts.push(part);
            }
        }
        words.push(Word { whole, parts });
    }
    words
}

/// The token as indexed, or `None` for punctuation, space, stop words and over-long tokens.
fn keep(word: &str) -> Option<String> {
    if word.len() > MAX_TOKEN_BYTES || !word.chars().any(char::is_alphanumeric) {
        return None;
    }
    let lower = word.to_lowercase();
    (!STOP_WORDS.contains(&lower.as_str())).then_some(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        pieces(text).into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn policy_terms_are_cut_whole_and_into_parts() {
        let t = texts("申请创业担保贷款");
        assert!(t.contains(&"创业担保贷款".to_owned()), "{t:?}");
        assert!(t.contains(&"担保".to_owned()), "{t:?}");
        assert!(t.contains(&"贷款".to_owned()), "{t:?}");
    }

    #[test]
    fn every_user_term_stays_one_word_in_a_sentence() {
        for (word, _) in user_words() {
            let sentence = format!("关于{word}的通知");
            let cut: Vec<&str> = JIEBA
                .cut(&sentence, HMM)
                .into_iter()
                .map(|t| t.word)
                .collect();
            assert!(cut.contains(&word), "{word}: {cut:?}");
        }
    }

    #[test]
    fn offsets_point_into_the_original_traditional_text() {
        let text = "申請創業擔保貸款";
        let p = pieces(text);
        let whole = p
            .iter()
            .find(|p| p.text == "创业担保贷款")
            .expect("whole term");
        assert_eq!(&text[whole.from..whole.to], "創業擔保貸款");
    }

    #[test]
    fn punctuation_and_stop_words_are_not_tokens() {
        let t = texts("创业的 \"政策\"：(AND) *");
        assert_eq!(t, vec!["创业", "政策", "and"]);
    }

    #[test]
    fn a_query_word_carries_its_parts() {
        let w = query_words("創業擔保貸款");
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].whole, "创业担保贷款");
        assert!(w[0].parts.contains(&"担保".to_owned()), "{w:?}");
    }
}
