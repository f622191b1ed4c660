//! Word keys: the form in which names are matched against a dictionary.
//!
//! A word's key is the lossy form of its stem piece — proclitics (و ف ب ك ل س), the article and
//! pronoun suffixes dropped — so "وبالحشد الشعبي" and "الحشد الشعبي" both read "حشد شعبي", and
//! the lemmatized dictionary form "مجلس_أمن_دولي" meets "مجلس الأمن الدولي". Keys of a phrase are
//! joined by single spaces.

use crate::segment::PieceRole;
use crate::tokenize::{Token, TokenKind, Tokenizer};
use marsad_core::Span;

/// One word's span (without leading proclitics) and key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordKey {
    pub span: Span,
    pub key: String,
}

/// The word keys of a token sequence, in order. Punctuation and symbols get no key: they break
/// phrases (a name never spans a comma).
pub fn word_keys(tokens: &[Token]) -> Vec<Option<WordKey>> {
    words(tokens)
        .map(|pieces| {
            let span = name_span(pieces);
            match pieces[0].kind {
                TokenKind::Punct | TokenKind::Symbol => None,
                _ => {
                    let stem = stem_key(pieces);
                    (!stem.is_empty()).then_some(WordKey { span, key: stem })
                }
            }
        })
        .collect()
}

/// The pieces of each word, in order (pieces of one word share its index).
pub fn words(tokens: &[Token]) -> impl Iterator<Item = &[Token]> {
    tokens.chunk_by(|a, b| a.word == b.word)
}

/// A word's span, from its first piece to its last (`pieces` is not empty).
pub fn word_span(pieces: &[Token]) -> Span {
    Span::new(pieces[0].span.start, pieces[pieces.len() - 1].span.end)
}

/// A word's span without its leading proclitics (و ف ب ك ل س): what a name mention covers
/// ("وواشنطن" → "واشنطن", "لقوات" → "قوات"; the article stays: "الجيش").
pub fn name_span(pieces: &[Token]) -> Span {
    let first = pieces.iter().find(|p| p.role != PieceRole::Proclitic).unwrap_or(&pieces[0]);
    Span::new(first.span.start, pieces[pieces.len() - 1].span.end)
}

/// The lossy key of a word's stem pieces.
pub fn stem_key(pieces: &[Token]) -> String {
    pieces.iter().filter(|p| p.role == PieceRole::Stem).map(|p| &*p.key).collect()
}

/// The lossy key of a whole word, clitics included ("وبعقوبة" → "وبعقوبه"): to tell a name
/// that begins with a clitic-like letter (بعقوبة) from a word that only shares its stem key
/// (عقوبة).
pub fn full_key(pieces: &[Token]) -> String {
    pieces.iter().map(|p| &*p.key).collect()
}

/// Proclitic strings a word may carry before a name or a trigger, as lossy keys: و ف (and),
/// ب ل ك (in, to, like), س (will) and their pairs.
pub const PROCLITIC_KEYS: [&str; 14] = ["و", "ف", "ب", "ل", "ك", "س", "وب", "ول", "فب", "فل", "وك", "فك", "وس", "فس"];

/// The proclitics a word's full key (see [`full_key`]) adds to `written`, if the word is
/// `written` with nothing or only proclitics before it: "وبعقوبه" is "و" + "بعقوبه", "عقوبه" is
/// not "بعقوبه". `written` may itself start with a clitic-like root letter.
pub fn proclitics_before<'w>(word: &'w str, written: &str, also: impl Fn(&str) -> bool) -> Option<&'w str> {
    let bare = |t: &str| t == written || also(t);
    if bare(word) {
        return Some("");
    }
    PROCLITIC_KEYS.iter().find(|p| word.strip_prefix(**p).is_some_and(bare)).map(|p| &word[..p.len()])
}

/// Whether a word carries the definite article (الحشد, للجيش; not حشد, لحشد).
pub fn is_definite(pieces: &[Token]) -> bool {
    pieces.iter().any(|p| p.role == PieceRole::Article)
}

/// The key of a name's tokens and whether its first word carries the article: a name written
/// with it (الحشد الشعبي, النصرة) is not the same word without it (لحشد: "to mobilise", نصرة:
/// "support"), though both have one key.
pub fn phrase_key_definite(tokens: &[Token]) -> Option<(String, bool)> {
    let mut definite = None;
    let mut keys = Vec::new();
    for (pieces, key) in words(tokens).zip(word_keys(tokens)) {
        if let Some(k) = key {
            definite.get_or_insert_with(|| is_definite(pieces));
            keys.push(k.key);
        }
    }
    Some((keys.join(" "), definite?))
}

/// The key of a name as written ("قوات سوريا الديمقراطية" → "قوات سوريا ديمقراطيه"), or None
/// when it has no word.
pub fn phrase_key(tokenizer: &Tokenizer<'_>, name: &str) -> Option<String> {
    phrase_key_definite(&tokenizer.tokenize(name)).map(|(key, _)| key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clitics_and_articles_do_not_change_keys() {
        let t = Tokenizer::default();
        assert_eq!(phrase_key(&t, "وبالحشد الشعبي"), phrase_key(&t, "الحشد الشعبي"));
        assert_eq!(phrase_key(&t, "لقوات سوريا الديمقراطية"), phrase_key(&t, "قوات سوريا الديمقراطية"));
        assert_eq!(
            phrase_key(&t, "مجلس_أمن_دولي").map(|k| k.replace(' ', "")),
            phrase_key(&t, "مجلس الأمن الدولي").map(|k| k.replace(' ', ""))
        );
        assert_eq!(phrase_key(&t, "ISIS"), Some("isis".to_owned()));
        assert_eq!(phrase_key(&t, "،"), None);
        assert_eq!(phrase_key_definite(&t.tokenize("للحشد الشعبي")), Some(("حشد شعبي".to_owned(), true)));
        assert_eq!(phrase_key_definite(&t.tokenize("لحشد")), Some(("حشد".to_owned(), false)));
        assert_eq!(
            phrase_key_definite(&t.tokenize("، قوات سوريا الديمقراطية")),
            Some(("قوات سوريا ديمقراطيه".to_owned(), false))
        );
    }

    #[test]
    fn proclitics_before_a_written_form() {
        assert_eq!(proclitics_before("وبعقوبه", "بعقوبه", |_| false), Some("و"));
        assert_eq!(proclitics_before("بعقوبه", "بعقوبه", |_| false), Some(""));
        assert_eq!(proclitics_before("عقوبه", "بعقوبه", |_| false), None);
        assert_eq!(proclitics_before("والسوري", "سوري", |t| t.strip_prefix("ال") == Some("سوري")), Some("و"));
    }

    #[test]
    fn punctuation_breaks_phrases() {
        let t = Tokenizer::default();
        let keys = word_keys(&t.tokenize("داعش، قسد"));
        assert_eq!(keys.len(), 3);
        assert!(keys[1].is_none());
    }
}
