//! Search terms: the form in which text is indexed and queried, the same at both ends so that
//! a query finds every inflected and cliticized spelling of its words.
//!
//! A word's term is the light10 stem (see [`crate::stem`]) of its clitic-free stem key: the
//! lexicon-driven segmentation removes proclitics and the article (وبالرقة → رقة, ببغداد →
//! بغداد), light10 then removes number and gender suffixes (المسلحين, مسلحي, والمسلحون → مسلح).
//! Latin words are lower-cased; numbers keep their key (Arabic-Indic digits folded).
//! Punctuation makes no term; positions count words, so phrase queries see word order.

use crate::tokenize::{Tokenizer, Word, words};
use marsad_core::Span;

/// One term of a text: its span in the text, its word position and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchTerm {
    pub span: Span,
    pub position: usize,
    pub term: String,
}

/// The search terms of `text`, in order. Each word's term comes from the lexicon's memo of
/// segmentations, without building the word's tokens (this runs over every indexed body and
/// every search hit's snippet).
pub fn search_terms(tokenizer: &Tokenizer<'_>, text: &str) -> Vec<SearchTerm> {
    let mut out = Vec::new();
    for (position, w) in words(text, Span::new(0, text.len())).enumerate() {
        if let Some((span, term)) = tokenizer.search_term(text, w) {
            out.push(SearchTerm { span, position, term });
        }
    }
    out
}

/// The term of one word of `text` (a word of [`words`]; see [`search_terms`]) and the span of
/// what makes it, or `None` for punctuation, symbols and a word that makes no term.
pub fn word_term(tokenizer: &Tokenizer<'_>, text: &str, w: Word) -> Option<(Span, String)> {
    tokenizer.search_term(text, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        search_terms(&Tokenizer::default(), text).into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn inflections_and_clitics_meet() {
        let one = terms("المسلحين");
        assert_eq!(terms("مسلحي"), one);
        assert_eq!(terms("والمسلحون"), one);
        assert_eq!(terms("بالرقة"), terms("الرقة"));
        assert_eq!(terms("ببغداد"), terms("بغداد"));
        assert_ne!(terms("بغداد"), terms("غداد"));
    }

    #[test]
    fn spans_positions_and_scripts() {
        let text = "قال: ISIS في ١٠ مدن.";
        let ts = search_terms(&Tokenizer::default(), text);
        let words: Vec<&str> = ts.iter().map(|t| t.span.slice(text)).collect();
        assert_eq!(words, ["قال", "ISIS", "في", "١٠", "مدن"]);
        assert_eq!(ts[1].term, "isis");
        assert_eq!(ts[3].term, "10");
        // The colon takes a position, so "قال ISIS" is not a phrase across it.
        assert_eq!(ts[1].position, ts[0].position + 2);
    }
}
