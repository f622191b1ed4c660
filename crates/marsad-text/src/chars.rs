//! Character classes of Arabic-script text. Hand-written: no crate classifies Arabic letters,
//! marks and invisible controls the way tokenization and normalization need.

/// Arabic letters, including Persian/Urdu additions and presentation forms.
/// Examples: ب, ة, ی, ﻻ (U+FEFB). Not: digits, diacritics, tatweel, punctuation (، ؛ ؟).
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c,
        '\u{0621}'..='\u{063A}'
        | '\u{0641}'..='\u{064A}'
        | '\u{066E}'..='\u{066F}'
        | '\u{0671}'..='\u{06D3}'
        | '\u{06D5}'
        | '\u{06EE}'..='\u{06EF}'
        | '\u{06FA}'..='\u{06FC}'
        | '\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08C9}'
        | '\u{FB50}'..='\u{FBB1}'
        | '\u{FBD3}'..='\u{FD3D}'
        | '\u{FD50}'..='\u{FDC7}'
        | '\u{FDF0}'..='\u{FDFB}'
        | '\u{FE70}'..='\u{FE74}'
        | '\u{FE76}'..='\u{FEFC}')
}

/// Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef, Quranic marks).
/// Examples: the marks of قُتِلَ, the shadda of مدنيّين. They never begin a word.
pub fn is_arabic_diacritic(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        | '\u{08CA}'..='\u{08FF}'
        | '\u{FE70}' | '\u{FE72}' | '\u{FE74}' | '\u{FE76}' | '\u{FE78}' | '\u{FE7A}' | '\u{FE7C}' | '\u{FE7E}')
}

/// Tatweel (kashida), the stretching stroke in قـوات. It carries no meaning.
pub const TATWEEL: char = '\u{0640}';

/// Invisible format controls: zero-width space/joiners, bidi marks, embeddings, overrides and
/// isolates, the Arabic letter mark, the BOM. Examples: a ZWNJ inside a Persian name, an RLO
/// pasted from a web page.
pub fn is_invisible_control(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{061C}'
        | '\u{00AD}'
        | '\u{FEFF}')
}

/// Characters that belong inside an Arabic word without being letters: diacritics, tatweel,
/// and joiners/bidi marks (a ZWJ or ZWNJ between letters must not split a name).
pub fn is_word_internal_mark(c: char) -> bool {
    is_arabic_diacritic(c) || c == TATWEEL || (is_invisible_control(c) && c != '\u{200B}' && c != '\u{FEFF}')
}

/// The value of an ASCII, Arabic-Indic (٠-٩) or Persian (۰-۹) digit.
pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '\u{0660}'..='\u{0669}' => Some(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => Some(c as u32 - 0x06F0),
        _ => None,
    }
}

/// Space characters that web pages use instead of a plain space: no-break, narrow no-break,
/// figure, thin, en/em spaces, ideographic space.
pub fn is_exotic_space(c: char) -> bool {
    matches!(c, '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}')
}

/// Arabic presentation forms (contextual glyph codepoints from old encodings and PDFs).
pub fn is_presentation_form(c: char) -> bool {
    matches!(c, '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFE}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!("بغداد".chars().all(is_arabic_letter));
        assert!(!is_arabic_letter('،') && !is_arabic_letter('؟') && !is_arabic_letter('٣'));
        assert!("\u{064F}\u{0650}\u{064E}\u{0651}".chars().all(is_arabic_diacritic));
        assert!(is_word_internal_mark('\u{200C}') && !is_word_internal_mark('\u{200B}'));
        assert_eq!(digit_value('٣'), Some(3));
        assert_eq!(digit_value('۷'), Some(7));
        assert_eq!(digit_value('x'), None);
        assert!(is_presentation_form('\u{FEFB}') && is_arabic_letter('\u{FEFB}'));
    }
}
