//! Sentence splitting for Arabic news text.
//!
//! Hand-written: generic segmenters (unicode-segmentation's sentence rules) do not know ؟,
//! split inside «» quotes, and break at "د." (Dr.). Rules, applied per line:
//! - a line break always ends a sentence (web text has one paragraph per line);
//! - `.` `!` `?` `؟` `…` `۔` end a sentence when followed by space, end of line, a closing quote
//!   or bracket, or an Arabic letter (pages often omit the space: "قال.وأضاف");
//! - not inside «…» or “…” or an open ASCII "…" quote of the same line;
//! - not a period between digits (3.5, 12.000) or before a Latin letter or digit (example.com);
//! - not after an abbreviation (data/text/abbreviations.txt) or a single letter (د. محمد, J. Smith);
//! - `،` and `؛` never end a sentence (comma, semicolon), `:` neither.
//!
//! Known false negatives: a sentence ending inside a long quote that closes only in a later
//! sentence stays joined to it; a sentence-final abbreviation (... 1990 م.) joins the next one.

use crate::chars::is_arabic_letter;
use crate::normalize::lossless;
use marsad_core::Span;
use rustc_hash::FxHashSet;
use std::sync::LazyLock;

const ABBREVIATIONS: &str = include_str!("../../../data/text/abbreviations.txt");

static ABBREV: LazyLock<FxHashSet<String>> = LazyLock::new(|| {
    ABBREVIATIONS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| lossless(l).to_lowercase())
        .collect()
});

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '؟' | '…' | '۔')
}

fn is_closer(c: char) -> bool {
    matches!(c, '»' | '”' | '’' | '"' | '\'' | ')' | ']' | '}' | '›')
}

/// Splits `text[range]` into sentences (trimmed spans, absolute offsets, in order).
pub fn split_sentences(text: &str, range: Span) -> Vec<Span> {
    let mut out = Vec::new();
    let mut chars = Vec::new();
    let mut line_start = range.start;
    let region = &text[..range.end];
    while line_start < range.end {
        let line_end = region[line_start..].find('\n').map_or(range.end, |i| line_start + i);
        split_line(text, Span::new(line_start, line_end), &mut chars, &mut out);
        line_start = line_end + 1;
    }
    out
}

fn push_trimmed(text: &str, span: Span, out: &mut Vec<Span>) {
    let s = span.slice(text);
    let lead = s.len() - s.trim_start().len();
    let trimmed = s.trim();
    if !trimmed.is_empty() {
        out.push(Span::new(span.start + lead, span.start + lead + trimmed.len()));
    }
}

fn split_line(text: &str, line: Span, chars: &mut Vec<(usize, char)>, out: &mut Vec<Span>) {
    let s = line.slice(text);
    chars.clear();
    chars.extend(s.char_indices());
    let chars = &chars[..];
    let mut start = 0usize;
    let mut guillemets = 0i32; // « » and “ ”
    let mut ascii_quote = false;
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        let closes = match c {
            '«' | '“' => {
                guillemets += 1;
                false
            }
            '»' | '”' => {
                guillemets = (guillemets - 1).max(0);
                true
            }
            '"' => {
                ascii_quote = !ascii_quote;
                !ascii_quote
            }
            _ => false,
        };
        // A quote that closes right after a terminator ends the sentence: «... انتهى.» ثم
        if closes && guillemets == 0 && !ascii_quote && i > 0 && is_terminator(chars[i - 1].1) {
            let next = chars.get(i + 1).map(|&(_, c)| c);
            if next.is_none_or(char::is_whitespace) {
                let end = chars.get(i + 1).map_or(s.len(), |&(b, _)| b);
                push_trimmed(text, Span::new(line.start + start, line.start + end), out);
                start = end;
            }
        }
        if !is_terminator(c) || guillemets > 0 || ascii_quote {
            i += 1;
            continue;
        }
        if c == '.' && !period_ends_sentence(s, chars, i) {
            i += 1;
            continue;
        }
        // Take the whole run of terminators and closing quotes/brackets.
        let mut j = i + 1;
        while j < chars.len() && (is_terminator(chars[j].1) || is_closer(chars[j].1)) {
            if chars[j].1 == '"' {
                ascii_quote = !ascii_quote;
            }
            j += 1;
        }
        let next = chars.get(j).map(|&(_, c)| c);
        let ends = match next {
            None => true,
            Some(n) => n.is_whitespace() || is_arabic_letter(n) || n == '«' || n == '“',
        };
        if ends {
            let end = chars.get(j).map_or(s.len(), |&(b, _)| b);
            push_trimmed(text, Span::new(line.start + start, line.start + end), out);
            start = end;
        }
        i = j;
    }
    push_trimmed(text, Span::new(line.start + start, line.end), out);
}

/// Is the period at `chars[i]` the end of a sentence (not a decimal point, URL dot,
/// abbreviation or initial)?
fn period_ends_sentence(s: &str, chars: &[(usize, char)], i: usize) -> bool {
    let next = chars.get(i + 1).map(|&(_, c)| c);
    if let Some(n) = next
        && (n.is_ascii_digit() || n.is_ascii_alphabetic() || crate::chars::digit_value(n).is_some())
    {
        return false;
    }
    // The word before the period.
    let end = chars[i].0;
    let word_start = s[..end]
        .rfind(|c: char| c.is_whitespace() || c == '(' || c == '«')
        .map_or(0, |p| p + s[p..].chars().next().map_or(1, char::len_utf8));
    let word = &s[word_start..end];
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 1 && !word.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    !ABBREV.contains(&lossless(word).to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(text: &str) -> Vec<&str> {
        split_sentences(text, Span::new(0, text.len())).into_iter().map(|s| s.slice(text)).collect()
    }

    #[test]
    fn splits_on_arabic_and_latin_terminators() {
        assert_eq!(sents("قتل ثلاثة. وأصيب خمسة؟ نعم!"), ["قتل ثلاثة.", "وأصيب خمسة؟", "نعم!"]);
        assert_eq!(sents("قال.وأضاف أنه"), ["قال.", "وأضاف أنه"]);
        assert_eq!(sents("سطر أول\nسطر ثان"), ["سطر أول", "سطر ثان"]);
    }

    #[test]
    fn commas_and_semicolons_do_not_split() {
        assert_eq!(sents("قصفت الطائرات، وقتل مدنيون؛ ثم انسحبت."), ["قصفت الطائرات، وقتل مدنيون؛ ثم انسحبت."]);
    }

    #[test]
    fn numbers_abbreviations_and_urls_do_not_split() {
        assert_eq!(sents("ارتفع بنسبة 3.5 في المئة. ثم هبط."), ["ارتفع بنسبة 3.5 في المئة.", "ثم هبط."]);
        assert_eq!(sents("قال د. محمد إن الوضع صعب."), ["قال د. محمد إن الوضع صعب."]);
        assert_eq!(sents("زار موقع example.com أمس."), ["زار موقع example.com أمس."]);
        assert_eq!(sents("said Dr. Smith of the U.S. Army."), ["said Dr. Smith of the U.S. Army."]);
    }

    #[test]
    fn quotes_keep_their_sentences_together() {
        assert_eq!(
            sents("وقال «إنه شجار. إنهما يتقاتلان». وأضاف أمس."),
            ["وقال «إنه شجار. إنهما يتقاتلان».", "وأضاف أمس."]
        );
        assert_eq!(sents("قال \"انتهى الأمر. لن نعود.\" ثم غادر."), ["قال \"انتهى الأمر. لن نعود.\"", "ثم غادر."]);
    }

    #[test]
    fn offsets_are_absolute_and_trimmed() {
        let text = "xx  جملة أولى.  جملة ثانية  ";
        let got = split_sentences(text, Span::new(2, text.len()));
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].slice(text), "جملة أولى.");
        assert_eq!(got[1].slice(text), "جملة ثانية");
    }
}
