//! A token for fields that analyse to nothing, so that every paragraph has every indexed field.
//!
//! BM25 counts documents and averages lengths over the documents that have a field in
//! Lucene, over all documents in tantivy. With one token in every otherwise empty field (a
//! punctuation-only paragraph, a missing title, a paragraph whose words are all their own
//! stem), the two stores count the same documents and the same lengths, so a cluster scores
//! exactly as the embedded index does. No query produces the token: it is not a word.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The token an empty field holds: `_` is never part of an analysed word.
pub const EMPTY_FIELD_TOKEN: &str = "_";

#[derive(Clone, Copy)]
pub struct MarkEmpty;

impl TokenFilter for MarkEmpty {
    type Tokenizer<T: Tokenizer> = MarkEmptyFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MarkEmptyFilter<T> {
        MarkEmptyFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
pub struct MarkEmptyFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for MarkEmptyFilter<T> {
    type TokenStream<'a> = MarkEmptyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MarkEmptyStream {
            tail: self.inner.token_stream(text),
            state: State::Reading,
        }
    }
}

enum State {
    /// Nothing seen yet.
    Reading,
    /// The field has words of its own.
    HasTokens,
    /// The field was empty; the marker is the current token.
    Marked(Token),
    Done,
}

pub struct MarkEmptyStream<S> {
    tail: S,
    state: State,
}

impl<S: TokenStream> TokenStream for MarkEmptyStream<S> {
    fn advance(&mut self) -> bool {
        match self.state {
            State::Reading => {
                if self.tail.advance() {
                    self.state = State::HasTokens;
                    return true;
                }
                self.state = State::Marked(Token {
                    text: EMPTY_FIELD_TOKEN.to_string(),
                    position: 0,
                    position_length: 1,
                    ..Token::default()
                });
                true
            }
            State::HasTokens => self.tail.advance(),
            State::Marked(_) => {
                self.state = State::Done;
                false
            }
            State::Done => false,
        }
    }

    fn token(&self) -> &Token {
        match &self.state {
            State::Marked(token) => token,
            _ => self.tail.token(),
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match &mut self.state {
            State::Marked(token) => token,
            _ => self.tail.token_mut(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::{analysed, text_analyzer};

    fn tokens(text: &str) -> Vec<String> {
        analysed(&mut text_analyzer(), text)
    }

    #[test]
    fn an_empty_field_holds_the_marker_and_a_field_with_words_does_not() {
        assert_eq!(tokens("— … —"), ["_"]);
        assert_eq!(tokens(""), ["_"]);
        assert_eq!(tokens("Kata'ib Hezbollah"), ["kataib", "hezbollah"]);
    }
}
