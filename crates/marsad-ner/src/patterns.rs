//! Patterns for names the knowledge base lacks: a title or role followed by a name, the head
//! word of an organisation or facility followed by its name, and kunyas (أبو/أم + name).
//! The cue words are data (data/ner/patterns.tsv).
//!
//! Rules, over words (a word's clitics and article are looked through, but whether it carries
//! the article matters):
//! - title: TITLE (up to 3 modifiers: words with ال, or باسم + a word) [،] NAME, where NAME is
//!   1–4 words, the first without ال, none a stop word, digit or punctuation:
//!   "وزير الخارجية الروسي سيرغي لافروف" → PER "سيرغي لافروف";
//!   "المتحدث باسم الجيش العقيد تركي المالكي" → PER "تركي المالكي" (a second title restarts).
//!   False positives: "الرئيس الجديد للبلاد" has no name, but "قال رئيس الحكومة إنه" stops
//!   at إنه; a common noun after a title ("مدير مستشفى") can be read as a name.
//! - head: ORG heads need 1–3 words with ال after them ("جيش الإسلام", "قوات الأمن"); FAC heads
//!   also take one bare word first ("مطار حلب", "سجن صيدنايا", "قاعدة حميميم الجوية").
//!   False positives: generic phrases ("قوات الأمن") are tagged ORG, which is what they are.
//! - kunya: أبو/أم + a word without ال + up to two words (the second may be a nisba):
//!   "أبو بكر البغدادي". False positive: أبو ظبي when the gazetteer does not claim it first.

use marsad_core::{EntityType, Span};
use marsad_text::{PieceRole, Token, TokenKind};
use std::collections::HashMap;

const PATTERNS: &str = include_str!("../../../data/ner/patterns.tsv");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cue {
    Title,
    Head(EntityType),
    Kunya,
    Stop,
}

/// A word of the text as the patterns see it.
#[derive(Clone, Debug)]
pub struct PWord {
    /// The word without its leading proclitics (the span a name mention takes).
    pub span: Span,
    /// The whole word as written.
    pub full: Span,
    /// The lossy key of the stem pieces.
    pub key: String,
    /// The lossy form of the whole word, clitics included: names are read whole ("بالي" is a
    /// name here, not ب + إلى).
    pub surface: String,
    pub has_article: bool,
    /// Punctuation, symbol or number.
    pub is_break: bool,
    pub is_comma: bool,
}

/// Groups tokens into words.
pub fn words_of(text: &str, tokens: &[Token]) -> Vec<PWord> {
    let mut out = Vec::new();
    for pieces in marsad_text::keys::words(tokens) {
        let span = marsad_text::keys::name_span(pieces);
        let full = marsad_text::keys::word_span(pieces);
        let kind = pieces[0].kind;
        let surface = full.slice(text);
        out.push(PWord {
            span,
            full,
            surface: marsad_text::lossy(surface),
            key: marsad_text::keys::stem_key(pieces),
            has_article: pieces.iter().any(|p| p.role == PieceRole::Article)
                || pieces.iter().any(|p| p.key.starts_with("ال") && p.role == PieceRole::Stem),
            is_break: matches!(kind, TokenKind::Punct | TokenKind::Symbol | TokenKind::Number),
            is_comma: surface == "،" || surface == ",",
        });
    }
    out
}

/// The pattern rules compiled from data.
pub struct Patterns {
    cues: HashMap<String, Cue>,
    /// Stop words, lossy forms of the whole word.
    stops: std::collections::HashSet<String>,
}

/// A name found by a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternMatch {
    pub span: Span,
    pub entity_type: EntityType,
    /// Index of the first and one past the last word of the name.
    pub words: (usize, usize),
}

fn entity_type(s: &str) -> Option<EntityType> {
    Some(match s {
        "PER" => EntityType::PER,
        "ORG" => EntityType::ORG,
        "FAC" => EntityType::FAC,
        "LOC" => EntityType::LOC,
        "GPE" => EntityType::GPE,
        "NORP" => EntityType::NORP,
        "MISC" => EntityType::MISC,
        _ => return None,
    })
}

impl Patterns {
    pub fn embedded() -> Patterns {
        Patterns::parse(PATTERNS)
    }

    pub fn parse(data: &str) -> Patterns {
        let tokenizer = marsad_text::Tokenizer::default();
        let mut cues = HashMap::new();
        let mut stops = std::collections::HashSet::new();
        for line in data.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(rule), Some(ty), Some(cue_text)) = (cols.next(), cols.next(), cols.next()) else {
                continue;
            };
            let cue_text = cue_text.trim();
            // The key a word of the text would have: clitics and the article looked through.
            let Some(key) = marsad_text::keys::phrase_key(&tokenizer, cue_text) else {
                continue;
            };
            let cue = match rule {
                "title" => Cue::Title,
                "head" => match entity_type(ty) {
                    Some(t) => Cue::Head(t),
                    None => continue,
                },
                "kunya" => Cue::Kunya,
                "stop" => Cue::Stop,
                _ => continue,
            };
            if cue == Cue::Stop {
                stops.insert(marsad_text::lossy(cue_text));
                continue;
            }
            cues.entry(key).or_insert(cue);
        }
        Patterns { cues, stops }
    }

    fn cue(&self, w: &PWord) -> Option<Cue> {
        self.cues.get(&w.key).copied()
    }

    /// Does the word end a name? Judged on the whole word, so that a name that looks like a
    /// clitic plus a function word (بالي = ب + إلى) is not a stop.
    fn is_stop(&self, w: &PWord) -> bool {
        let after_conjunction = w.surface.strip_prefix(['و', 'ف']).is_some_and(|rest| self.stops.contains(rest));
        w.is_break || after_conjunction || self.stops.contains(&w.surface) || w.surface.chars().count() < 2
    }

    /// Finds pattern names in a sentence's words.
    pub fn find(&self, words: &[PWord]) -> Vec<PatternMatch> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let found = match self.cue(&words[i]) {
                Some(Cue::Title) => self.after_title(words, i + 1),
                Some(Cue::Head(t)) => self.after_head(words, i, t),
                Some(Cue::Kunya) => self.kunya(words, i),
                _ => None,
            };
            match found {
                Some(m) => {
                    i = m.words.1;
                    out.push(m);
                }
                None => i += 1,
            }
        }
        out
    }

    /// A name after a title or kunya: up to `max` words without ال, then at most one word with
    /// ال that ends it (a surname or nisba: "بشار الأسد", "أبو بكر البغدادي").
    fn name_run(&self, words: &[PWord], from: usize, max: usize) -> usize {
        let mut j = from;
        while j < words.len() && j - from < max {
            let w = &words[j];
            if self.is_stop(w) || (j > from && matches!(self.cue(w), Some(Cue::Title) | Some(Cue::Head(_)))) {
                break;
            }
            j += 1;
            if w.has_article {
                break;
            }
        }
        j
    }

    fn after_title(&self, words: &[PWord], mut i: usize) -> Option<PatternMatch> {
        // Modifiers: ال-words, "باسم X", another title (the name follows the last one).
        let mut modifiers = 0;
        while i < words.len() && modifiers < 4 {
            let w = &words[i];
            if matches!(self.cue(w), Some(Cue::Title)) {
                i += 1;
                continue;
            }
            if w.key == "اسم" && i + 1 < words.len() {
                i += 2;
                modifiers += 1;
                continue;
            }
            if w.has_article && !w.is_break {
                i += 1;
                modifiers += 1;
                continue;
            }
            break;
        }
        // "الرئيس الأمريكي، دونالد ترامب،": a name set off by commas must close with one.
        let after_comma = i < words.len() && words[i].is_comma;
        if after_comma {
            i += 1;
        }
        let w = words.get(i)?;
        if w.has_article || self.is_stop(w) || self.cue(w).is_some() {
            return None;
        }
        let end = self.name_run(words, i, 4);
        if after_comma && !words.get(end).is_some_and(|w| w.is_comma) {
            return None;
        }
        (end > i).then(|| PatternMatch {
            span: Span::new(words[i].span.start, words[end - 1].span.end),
            entity_type: EntityType::PER,
            words: (i, end),
        })
    }

    fn after_head(&self, words: &[PWord], i: usize, t: EntityType) -> Option<PatternMatch> {
        let mut j = i + 1;
        // A bare word names a facility only after a head in construct state ("مطار حلب", not
        // "المخيم اضطرت").
        if t == EntityType::FAC
            && !words[i].has_article
            && j < words.len()
            && !words[j].has_article
            && !self.is_stop(&words[j])
            && self.cue(&words[j]).is_none()
        {
            j += 1;
        }
        let bare = j - (i + 1);
        let mut defs = 0;
        while j < words.len() && defs < 3 && words[j].has_article && !self.is_stop(&words[j]) {
            j += 1;
            defs += 1;
        }
        (bare + defs > 0).then(|| PatternMatch {
            span: Span::new(words[i].span.start, words[j - 1].span.end),
            entity_type: t,
            words: (i, j),
        })
    }

    fn kunya(&self, words: &[PWord], i: usize) -> Option<PatternMatch> {
        let next = words.get(i + 1)?;
        if next.has_article || self.is_stop(next) || self.cue(next).is_some() {
            return None;
        }
        let end = self.name_run(words, i + 2, 1).max(i + 2);
        Some(PatternMatch {
            span: Span::new(words[i].span.start, words[end - 1].span.end),
            entity_type: EntityType::PER,
            words: (i, end),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use marsad_text::Tokenizer;

    fn find(text: &str) -> Vec<(String, EntityType)> {
        let tokens = Tokenizer::default().tokenize(text);
        let words = words_of(text, &tokens);
        Patterns::embedded().find(&words).into_iter().map(|m| (m.span.slice(text).to_owned(), m.entity_type)).collect()
    }

    fn names(v: &[(&str, EntityType)]) -> Vec<(String, EntityType)> {
        v.iter().map(|(s, t)| ((*s).to_owned(), *t)).collect()
    }

    #[test]
    fn titles_introduce_names() {
        assert_eq!(find("قال وزير الخارجية الروسي سيرغي لافروف إن"), names(&[("سيرغي لافروف", EntityType::PER)]));
        assert_eq!(find("وقال الرئيس الأمريكي، دونالد ترامب، في"), names(&[("دونالد ترامب", EntityType::PER)]));
        assert_eq!(find("أكد المتحدث باسم الجيش العقيد تركي المالكي أن"), names(&[("تركي المالكي", EntityType::PER)]));
        assert_eq!(find("قال رئيس الحكومة إنه"), Vec::<(String, EntityType)>::new());
        assert_eq!(find("قالت الباحثة في المنظمة، أجرت مقابلات هاتفية مع"), Vec::<(String, EntityType)>::new());
    }

    #[test]
    fn heads_and_kunyas() {
        assert_eq!(find("سيطر جيش الإسلام على"), names(&[("جيش الإسلام", EntityType::ORG)]));
        assert_eq!(find("نقل إلى مستشفى الشفاء"), names(&[("مستشفى الشفاء", EntityType::FAC)]));
        assert_eq!(find("في سجن صيدنايا العسكري"), names(&[("سجن صيدنايا العسكري", EntityType::FAC)]));
        assert_eq!(find("زعيم التنظيم أبو بكر البغدادي في"), names(&[("أبو بكر البغدادي", EntityType::PER)]));
        assert_eq!(find("وصلت قوات كبيرة"), Vec::<(String, EntityType)>::new());
        assert_eq!(find("إدارة المخيم اضطرت إلى"), Vec::<(String, EntityType)>::new());
        assert_eq!(find("قال مدير أحد المخيمات قرب البلدة"), Vec::<(String, EntityType)>::new());
        assert_eq!(find("قال الرئيس السوري بشار الأسد في"), names(&[("بشار الأسد", EntityType::PER)]));
    }
}
