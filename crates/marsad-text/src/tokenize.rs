//! Tokenization into words and sub-word pieces, every piece with its span in the original text.
//!
//! Words are maximal runs of one class: Arabic letters (with their diacritics, tatweel and
//! joiners), digits (with inner decimal/thousands separators), Latin/other-script letters; any
//! other non-space character is a one-character punctuation or symbol token. Arabic words are
//! then split into proclitics, article, stem and enclitic by [`crate::segment`].

use crate::chars::{digit_value, is_arabic_letter, is_word_internal_mark};
use crate::lexicon::Lexicon;
use crate::normalize::{Normalizer, lossy};
use crate::segment::{PieceRole, segment_word};
use marsad_core::Span;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// An Arabic-script word (or a piece of one).
    Word,
    Number,
    /// A word in Latin or another non-Arabic script.
    Latin,
    Punct,
    Symbol,
}

impl TokenKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenKind::Word => "word",
            TokenKind::Number => "number",
            TokenKind::Latin => "latin",
            TokenKind::Punct => "punct",
            TokenKind::Symbol => "symbol",
        }
    }
}

/// A whitespace-free unit of text before clitic segmentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word {
    pub span: Span,
    pub kind: TokenKind,
}

/// A token: a whole word, or one piece of an Arabic word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
    pub role: PieceRole,
    /// Index of the word this piece belongs to (pieces of one word share it).
    pub word: u32,
    /// Lossless normalized form; restored where the surface elides letters
    /// (لل → ال, حكومت in حكومته → حكومة). Shared: word forms repeat.
    pub norm: Arc<str>,
    /// Lossy normalized form of `norm`, the base of search keys.
    pub key: Arc<str>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Arabic,
    Mark,
    Digit,
    Letter,
    Space,
    Other,
}

/// Classes of the chars below U+0800 (ASCII, Latin, Arabic), looked up instead of computed.
static CLASS_TABLE: std::sync::LazyLock<Vec<Class>> =
    std::sync::LazyLock::new(|| (0..0x800u32).map(|u| char::from_u32(u).map_or(Class::Other, classify_slow)).collect());

fn classify(c: char) -> Class {
    match CLASS_TABLE.get(c as usize) {
        Some(&class) => class,
        None => classify_slow(c),
    }
}

fn classify_slow(c: char) -> Class {
    if is_arabic_letter(c) {
        Class::Arabic
    } else if is_word_internal_mark(c) {
        Class::Mark
    } else if digit_value(c).is_some() {
        Class::Digit
    } else if c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}' {
        Class::Space
    } else if c.is_alphabetic() {
        Class::Letter
    } else {
        Class::Other
    }
}

/// Separators allowed between digits inside one number: 3.5, 12,000, ٣٫٥, ١٢٬٠٠٠, 12/03/2024.
fn is_number_joiner(c: char) -> bool {
    matches!(c, '.' | ',' | '\u{066B}' | '\u{066C}' | '/' | ':')
}

/// Iterates over the words of `text[range]`. Offsets are absolute (into `text`).
/// `range` must lie on char boundaries of `text`.
pub fn words(text: &str, range: Span) -> Words<'_> {
    Words { text, pos: range.start, end: range.end }
}

pub struct Words<'a> {
    text: &'a str,
    pos: usize,
    end: usize,
}

impl Iterator for Words<'_> {
    type Item = Word;

    fn next(&mut self) -> Option<Word> {
        let s = &self.text[..self.end];
        loop {
            let c = s[self.pos..].chars().next()?;
            let start = self.pos;
            let class = classify(c);
            self.pos += c.len_utf8();
            match class {
                Class::Space => continue,
                // A mark with no letter before it (a stray diacritic or ZWJ) is skipped like space.
                Class::Mark => continue,
                Class::Other => {
                    let kind = if c.is_ascii_punctuation() || is_unicode_punct(c) {
                        TokenKind::Punct
                    } else {
                        TokenKind::Symbol
                    };
                    return Some(Word { span: Span::new(start, self.pos), kind });
                }
                Class::Arabic => {
                    self.pos = scan_while(s, self.pos, |c| matches!(classify(c), Class::Arabic | Class::Mark));
                    // Trailing joiners/bidi marks are not part of the word.
                    let end = trim_trailing_controls(s, start, self.pos);
                    return Some(Word { span: Span::new(start, end), kind: TokenKind::Word });
                }
                Class::Letter => {
                    self.pos = scan_latin(s, self.pos);
                    return Some(Word { span: Span::new(start, self.pos), kind: TokenKind::Latin });
                }
                Class::Digit => {
                    self.pos = scan_number(s, self.pos);
                    return Some(Word { span: Span::new(start, self.pos), kind: TokenKind::Number });
                }
            }
        }
    }
}

fn is_unicode_punct(c: char) -> bool {
    matches!(c,
        '،' | '؛' | '؟' | '«' | '»' | '٪' | '۔' | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}' | '\u{3001}'..='\u{3003}')
}

fn scan_while(s: &str, mut pos: usize, f: impl Fn(char) -> bool) -> usize {
    for c in s[pos..].chars() {
        if !f(c) {
            break;
        }
        pos += c.len_utf8();
    }
    pos
}

fn trim_trailing_controls(s: &str, start: usize, mut end: usize) -> usize {
    while end > start {
        let Some(c) = s[start..end].chars().next_back() else {
            break;
        };
        if crate::chars::is_invisible_control(c) {
            end -= c.len_utf8();
        } else {
            break;
        }
    }
    end
}

/// Latin words: letters and digits, with inner apostrophes, hyphens and periods (U.S., al-Bab).
fn scan_latin(s: &str, mut pos: usize) -> usize {
    loop {
        pos = scan_while(s, pos, |c| {
            classify(c) == Class::Letter || c.is_ascii_digit() || (c.is_alphabetic() && !is_arabic_letter(c))
        });
        let mut it = s[pos..].chars();
        match (it.next(), it.next()) {
            (Some(j @ ('\'' | '-' | '’' | '.')), Some(n)) if classify(n) == Class::Letter => pos += j.len_utf8(),
            _ => return pos,
        }
    }
}

fn scan_number(s: &str, mut pos: usize) -> usize {
    loop {
        pos = scan_while(s, pos, |c| digit_value(c).is_some());
        let mut it = s[pos..].chars();
        match (it.next(), it.next()) {
            (Some(j), Some(d)) if is_number_joiner(j) && digit_value(d).is_some() => pos += j.len_utf8(),
            _ => return pos,
        }
    }
}

/// A piece of a cached segmentation: span within the word, role, norm, key.
type CachedPiece = (Span, PieceRole, Arc<str>, Arc<str>);

/// Word forms repeat (Zipf), so a lexicon keeps the segmentation of the forms seen: a memo of
/// a pure function, one for all threads, bounded by a count of forms and keeping the frequent
/// ones when full. (One memo per thread, as before, grew to 60 MB in every thread of a
/// server's blocking pool.)
pub(crate) struct SegmentMemo(quick_cache::sync::Cache<Box<str>, Arc<Segmented>>);

/// A word form's segmentation, and its search term (see [`crate::search`]), derived from it
/// once.
pub(crate) struct Segmented {
    pieces: Box<[CachedPiece]>,
    search_term: Box<str>,
}

const SEGMENT_MEMO_WORDS: usize = 200_000;

impl Default for SegmentMemo {
    fn default() -> Self {
        SegmentMemo(quick_cache::sync::Cache::new(SEGMENT_MEMO_WORDS))
    }
}

/// Empties the embedded lexicon's segmentation memo (benchmarks use it to measure cold passes).
pub fn clear_segment_cache() {
    Lexicon::embedded().segments.0.clear();
}

/// The norm and key of a word taken whole (Latin, numbers, punctuation: no clitics).
fn whole_word(surface: &str) -> (String, String) {
    let norm = Normalizer::lossless().normalize(surface);
    let key = lossy(&norm);
    (norm, key)
}

/// Splits text into tokens with clitic segmentation. Holds the lexicon it decides with.
#[derive(Clone, Copy)]
pub struct Tokenizer<'l> {
    lexicon: &'l Lexicon,
}

impl Default for Tokenizer<'static> {
    fn default() -> Self {
        Tokenizer { lexicon: Lexicon::embedded() }
    }
}

impl<'l> Tokenizer<'l> {
    pub fn new(lexicon: &'l Lexicon) -> Self {
        Tokenizer { lexicon }
    }

    pub fn lexicon(&self) -> &'l Lexicon {
        self.lexicon
    }

    /// All tokens of a whole text.
    pub fn tokenize(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut word = 0;
        self.tokenize_range(text, Span::new(0, text.len()), &mut word, &mut out);
        out
    }

    /// Appends the tokens of `text[range]` to `out`, numbering words from `*word`.
    pub fn tokenize_range(&self, text: &str, range: Span, word: &mut u32, out: &mut Vec<Token>) {
        for w in words(text, range) {
            self.push_word(text, w, *word, out);
            *word += 1;
        }
    }

    /// The segmentation of an Arabic word form, from the lexicon's memo.
    fn segmented(&self, surface: &str) -> Arc<Segmented> {
        let memo = &self.lexicon.segments.0;
        memo.get(surface).unwrap_or_else(|| {
            let pieces: Box<[CachedPiece]> = segment_word(self.lexicon, surface)
                .into_iter()
                .map(|p| {
                    let key: Arc<str> = lossy(&p.norm).into();
                    let norm: Arc<str> = p.norm.as_str().into();
                    (p.span, p.role, norm, key)
                })
                .collect();
            // The light10 stem of the stem pieces' key, else of the whole word's key.
            let keys = |stem_only: bool| -> String {
                pieces.iter().filter(|p| !stem_only || p.1 == PieceRole::Stem).map(|p| &*p.3).collect()
            };
            let stem = keys(true);
            let base = if stem.is_empty() { keys(false) } else { stem };
            let segmented = Arc::new(Segmented { search_term: crate::stem::light10(&base).into(), pieces });
            memo.insert(Box::from(surface), Arc::clone(&segmented));
            segmented
        })
    }

    /// A word's search term (see [`crate::search`]) and its span within the text, or `None`
    /// for punctuation, symbols and a word that makes no term.
    pub(crate) fn search_term(&self, text: &str, w: Word) -> Option<(Span, String)> {
        let surface = w.span.slice(text);
        let term = match w.kind {
            TokenKind::Punct | TokenKind::Symbol => return None,
            TokenKind::Latin => whole_word(surface).1.to_lowercase(),
            TokenKind::Number => whole_word(surface).1,
            TokenKind::Word => {
                let segmented = self.segmented(surface);
                let (first, last) = (segmented.pieces.first()?, segmented.pieces.last()?);
                let span = Span::new(first.0.start, last.0.end).shifted(w.span.start);
                return (!segmented.search_term.is_empty()).then(|| (span, segmented.search_term.to_string()));
            }
        };
        (!term.is_empty()).then_some((w.span, term))
    }

    /// Appends the tokens of one word.
    pub fn push_word(&self, text: &str, w: Word, index: u32, out: &mut Vec<Token>) {
        let surface = w.span.slice(text);
        if w.kind != TokenKind::Word {
            let (norm, key) = whole_word(surface);
            out.push(Token {
                span: w.span,
                kind: w.kind,
                role: PieceRole::Stem,
                word: index,
                norm: norm.into(),
                key: key.into(),
            });
            return;
        }
        let segmented = self.segmented(surface);
        for (span, role, norm, key) in &segmented.pieces {
            out.push(Token {
                span: span.shifted(w.span.start),
                kind: TokenKind::Word,
                role: *role,
                word: index,
                norm: Arc::clone(norm),
                key: Arc::clone(key),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word_texts(text: &str) -> Vec<(&str, TokenKind)> {
        words(text, Span::new(0, text.len())).map(|w| (w.span.slice(text), w.kind)).collect()
    }

    #[test]
    fn words_split_by_class() {
        use TokenKind::*;
        assert_eq!(
            word_texts("قُتل ١٢ شخصاً، و3.5% من Human Rights Watch!"),
            vec![
                ("قُتل", Word),
                ("١٢", Number),
                ("شخصاً", Word),
                ("،", Punct),
                ("و", Word),
                ("3.5", Number),
                ("%", Punct),
                ("من", Word),
                ("Human", Latin),
                ("Rights", Latin),
                ("Watch", Latin),
                ("!", Punct),
            ]
        );
    }

    #[test]
    fn marks_and_joiners_stay_inside_words() {
        assert_eq!(
            word_texts("قـوات بشا\u{200D}ر"),
            vec![("قـوات", TokenKind::Word), ("بشا\u{200D}ر", TokenKind::Word)]
        );
        assert_eq!(
            word_texts("«داعش»"),
            vec![("«", TokenKind::Punct), ("داعش", TokenKind::Word), ("»", TokenKind::Punct)]
        );
        assert_eq!(
            word_texts("12/03/2024 U.S. al-Bab"),
            vec![
                ("12/03/2024", TokenKind::Number),
                ("U.S", TokenKind::Latin),
                (".", TokenKind::Punct),
                ("al-Bab", TokenKind::Latin)
            ]
        );
    }

    #[test]
    fn tokens_of_a_range_have_absolute_offsets() {
        let text = "xx والمسلحين yy";
        let t = Tokenizer::default();
        let mut out = Vec::new();
        let mut w = 0;
        t.tokenize_range(text, Span::new(3, text.len() - 3), &mut w, &mut out);
        assert!(!out.is_empty());
        assert_eq!(out[0].span.start, 3);
        assert_eq!(out.last().map(|t| t.span.end), Some(text.len() - 3));
        assert_eq!(w, 1);
    }
}
