//! The tantivy side of the analyzer: a [`Tokenizer`] over [`crate::analyzer::pieces`], registered
//! on every index under [`TOKENIZER`].

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use crate::analyzer::pieces;

/// Name the title and body fields are indexed with.
pub(crate) const TOKENIZER: &str = "zh_fold_jieba";

/// The analyzer for title and body: fold, jieba search mode, lower case.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ZhTokenizer).build()
}

/// Folds and segments text (stateless: the jieba instance is shared).
#[derive(Clone, Copy, Debug, Default)]
struct ZhTokenizer;

impl Tokenizer for ZhTokenizer {
    type TokenStream<'a> = ZhTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ZhTokenStream {
        let tokens: Vec<Token> = pieces(text)
            .into_iter()
            .map(|p| Token {
                offset_from: p.from,
                offset_to: p.to,
                position: p.position,
                text: p.text,
                position_length: 1,
            })
            .collect();
        ZhTokenStream {
            tokens: tokens.into_iter(),
            current: Token::default(),
        }
    }
}

/// The tokens of one text, computed up front.
struct ZhTokenStream {
    tokens: std::vec::IntoIter<Token>,
    current: Token,
}

impl TokenStream for ZhTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_analyzer_yields_folded_tokens_with_original_offsets() {
        let mut a = analyzer();
        let text = "返鄉農民工";
        let mut stream = a.token_stream(text);
        let mut seen = Vec::new();
        while let Some(t) = stream.next() {
            seen.push((t.text.clone(), &text[t.offset_from..t.offset_to]));
        }
        assert!(
            seen.contains(&("返乡农民工".to_owned(), "返鄉農民工")),
            "{seen:?}"
        );
    }
}
