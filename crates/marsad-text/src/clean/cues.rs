//! The cue data of article cleaning, loaded from data/text/boilerplate.tsv and
//! data/text/dateline_places.tsv.

use crate::normalize::Normalizer;
use marsad_core::RemovalReason;
use rustc_hash::FxHashMap;

const BOILERPLATE: &str = include_str!("../../../../data/text/boilerplate.tsv");
const DATELINE_PLACES: &str = include_str!("../../../../data/text/dateline_places.tsv");
const INLINE: &str = include_str!("../../../../data/text/inline_boilerplate.tsv");

/// Boilerplate glued to one end of a body line.
struct InlineRule {
    reason: RemovalReason,
    at_start: bool,
    regex: regex::Regex,
}

/// What a cue says about a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CueKind {
    Removed(RemovalReason),
    /// "بقلم: ...", "كتب: ..." — the author line.
    Byline,
    /// "* كاتب وصحفي سوري" — the author's signature at the end of a column.
    Signature,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum How {
    Prefix,
    Contains,
    Line,
}

#[derive(Clone, Debug)]
struct Rule {
    kind: CueKind,
    how: How,
    max_chars: usize,
    pattern: String,
}

/// A place that may open a dateline, with its country.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatelinePlace {
    pub iso2: String,
    pub is_country: bool,
}

pub struct Cues {
    rules: Vec<Rule>,
    /// All `contains` patterns in one automaton; pattern i is rule `contains_rule[i]`.
    contains: aho_corasick::AhoCorasick,
    contains_rule: Vec<usize>,
    inline: Vec<InlineRule>,
    places: FxHashMap<String, DatelinePlace>,
}

/// The comparison key of a line: lossy normalization, punctuation and symbols to single
/// spaces, trimmed. "(صورة أرشيفية - رويترز)" → "صوره ارشيفيه رويترز".
pub fn line_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    let lossy = Normalizer::lossy();
    for c in s.chars() {
        lossy.map_char(c, |d| {
            if crate::chars::is_arabic_letter(d)
                || d.is_ascii_alphanumeric()
                || d == '©'
                || (!d.is_ascii() && d.is_alphanumeric())
            {
                out.push(d);
                space = false;
            } else if !space {
                out.push(' ');
                space = true;
            }
        });
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

impl Cues {
    pub fn parse(boilerplate: &str, places: &str, inline: &str) -> Cues {
        let mut rules = Vec::new();
        for line in boilerplate.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(reason), Some(how), Some(max), Some(pattern)) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let kind = match reason {
                "byline" => CueKind::Byline,
                "signature" => CueKind::Signature,
                r => match RemovalReason::parse(r) {
                    Some(r) => CueKind::Removed(r),
                    None => continue,
                },
            };
            let how = match how {
                "prefix" => How::Prefix,
                "contains" => How::Contains,
                "line" => How::Line,
                _ => continue,
            };
            let Ok(max_chars) = max.parse() else { continue };
            let pattern = line_key(pattern);
            if !pattern.is_empty() {
                rules.push(Rule { kind, how, max_chars, pattern });
            }
        }
        let mut map = FxHashMap::default();
        for line in places.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            if let (Some(name), Some(iso2), Some(kind)) = (cols.next(), cols.next(), cols.next()) {
                map.insert(line_key(name), DatelinePlace { iso2: iso2.to_owned(), is_country: kind == "country" });
            }
        }
        let contains_rule: Vec<usize> = (0..rules.len()).filter(|&i| rules[i].how == How::Contains).collect();
        let contains = aho_corasick::AhoCorasick::new(contains_rule.iter().map(|&i| rules[i].pattern.as_str()))
            .expect("cue patterns build an automaton");
        let inline = inline
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let mut cols = l.splitn(3, '\t');
                let reason = RemovalReason::parse(cols.next()?)?;
                let at_start = match cols.next()? {
                    "start" => true,
                    "end" => false,
                    _ => return None,
                };
                let regex = regex::Regex::new(cols.next()?).ok()?;
                Some(InlineRule { reason, at_start, regex })
            })
            .collect();
        Cues { rules, contains, contains_rule, inline, places: map }
    }

    pub fn embedded() -> Cues {
        Cues::parse(BOILERPLATE, DATELINE_PLACES, INLINE)
    }

    /// Boilerplate glued to the start of a body line: its length in bytes and reason.
    pub fn inline_start(&self, line: &str) -> Option<(usize, RemovalReason)> {
        self.inline.iter().filter(|r| r.at_start).find_map(|r| {
            r.regex.find(line).filter(|m| m.start() == 0 && m.end() < line.len()).map(|m| (m.end(), r.reason))
        })
    }

    /// Boilerplate glued to the end of a body line: where it starts and its reason.
    pub fn inline_end(&self, line: &str) -> Option<(usize, RemovalReason)> {
        self.inline.iter().filter(|r| !r.at_start).find_map(|r| {
            r.regex.find(line).filter(|m| m.end() == line.len() && m.start() > 0).map(|m| (m.start(), r.reason))
        })
    }

    /// The first cue (in file order) that matches a line, given its key and its length in
    /// characters.
    pub fn classify(&self, key: &str, chars: usize) -> Option<CueKind> {
        let mut best = self
            .rules
            .iter()
            .position(|r| {
                chars <= r.max_chars
                    && match r.how {
                        How::Line => key == r.pattern,
                        How::Contains => false,
                        How::Prefix => {
                            key.starts_with(&r.pattern)
                                && key[r.pattern.len()..].chars().next().is_none_or(|c| c == ' ')
                        }
                    }
            })
            .unwrap_or(usize::MAX);
        for m in self.contains.find_overlapping_iter(key) {
            let i = self.contains_rule[m.pattern().as_usize()];
            if i < best && chars <= self.rules[i].max_chars {
                best = i;
            }
        }
        self.rules.get(best).map(|r| r.kind)
    }

    /// The byline cue that starts `key`, if any: its length in bytes of the key.
    pub fn byline_cue_len(&self, key: &str) -> Option<usize> {
        self.rules
            .iter()
            .filter(|r| r.kind == CueKind::Byline && key.starts_with(&r.pattern))
            .map(|r| r.pattern.len())
            .max()
    }

    /// A place or country name as written in a dateline.
    pub fn place(&self, name: &str) -> Option<&DatelinePlace> {
        let key = line_key(name);
        self.places.get(&key).or_else(|| key.strip_prefix("ال").and_then(|k| self.places.get(k)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_spelling_and_punctuation() {
        assert_eq!(line_key("(صورة أرشيفية - رويترز)"), "صوره ارشيفيه رويترز");
        assert_eq!(line_key("  Privacy Policy | Terms of Use "), "privacy policy terms of use");
        assert_eq!(line_key("© 2024 X."), "© 2024 x");
    }

    #[test]
    fn embedded_cues_classify_common_lines() {
        let c = Cues::embedded();
        let k = |s: &str| c.classify(&line_key(s), s.chars().count());
        assert_eq!(k("للمزيد:"), Some(CueKind::Removed(RemovalReason::RelatedLinks)));
        assert_eq!(k("اقرأ أيضاً:"), Some(CueKind::Removed(RemovalReason::RelatedLinks)));
        assert_eq!(k("(صورة أرشيفية - رويترز)"), Some(CueKind::Removed(RemovalReason::PhotoCredit)));
        assert_eq!(k("الصورة: أ ف ب"), Some(CueKind::Removed(RemovalReason::PhotoCredit)));
        assert_eq!(k("شارك هذا الخبر"), Some(CueKind::Removed(RemovalReason::SocialShare)));
        assert_eq!(k("We use cookies to improve your experience."), Some(CueKind::Removed(RemovalReason::LegalFooter)));
        assert_eq!(k("تنويه: الآراء الواردة تعبر عن رأي كاتبها"), Some(CueKind::Removed(RemovalReason::Disclaimer)));
        assert_eq!(k("بقلم: سامر الحلبي"), Some(CueKind::Byline));
        assert_eq!(k("قال المتحدث إن القصف استهدف المدينة"), None);
        // "شاركت" is not "شارك": prefixes end at a word boundary.
        assert_eq!(k("شاركت قوات التحالف في الهجوم"), None);
    }

    #[test]
    fn inline_boilerplate_at_line_ends() {
        let c = Cues::embedded();
        let line = "شارك من خلال تويتر فيسبوك جوجل بلس اكتب رأيك تقدمت قوات الجيش";
        let (len, r) = c.inline_start(line).expect("share bar");
        assert_eq!((&line[len..], r), ("تقدمت قوات الجيش", RemovalReason::SocialShare));
        let line = "وتفخيخ السيارات. رابط الخبر بصحيفة الوئام: العراق : اعتقال عنصر";
        let (at, r) = c.inline_end(line).expect("syndication link");
        assert_eq!((&line[..at], r), ("وتفخيخ السيارات.", RemovalReason::RelatedLinks));
        assert_eq!(c.inline_start("شاركت قوات التحالف في الهجوم"), None);
        assert_eq!(c.inline_end("قال إن الخبر صحيح"), None);
    }

    #[test]
    fn places_know_their_country() {
        let c = Cues::embedded();
        assert_eq!(c.place("دمشق").map(|p| p.iso2.as_str()), Some("SY"));
        assert_eq!(c.place("الإمارات").map(|p| p.iso2.as_str()), Some("AE"));
        assert!(c.place("الإمارات").is_some_and(|p| p.is_country));
        assert!(c.place("المتحدث").is_none());
    }
}
