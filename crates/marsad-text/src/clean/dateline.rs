//! Datelines: where (and often which outlet) a report was filed from.
//!
//! Forms recognised at the start of the first body line:
//! 1. a whole line `OUTLET | CITY – COUNTRY` (أخبار الآن | دبي – الإمارات);
//! 2. `CITY[، COUNTRY] (OUTLET-or-COUNTRY) --` (دبي، الإمارات العربية المتحدة (CNN)-- ,
//!    بغداد (الرافدين اليوم) - , طرابلس (ليبيا) - );
//! 3. `CITY[، COUNTRY] - ` or `CITY: ` where CITY is a known place (دمشق - , صنعاء – );
//! 4. `(OUTLET) - ` with no place ((رويترز) - ).
//!
//! Known false positives: a body line that starts with a known place name followed by a dash
//! ("حلب - المدينة التي ...") is read as a dateline. Known false negatives: datelines with a date
//! inside ("دمشق، 12 آذار (المشرق) -") and places missing from data/text/dateline_places.tsv.

use super::cues::Cues;
use regex::Regex;
use std::sync::LazyLock;

/// A recognised dateline, with byte lengths relative to the line start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatelineMatch {
    /// Bytes of the line that are dateline (the rest of the line is body).
    pub len: usize,
    pub place: Option<String>,
    pub country: Option<String>,
    pub outlet: Option<String>,
}

const DASH: &str = r"[-–—]";

static WHOLE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^\s*(?P<outlet>[^|\n]{{2,40}}?)\s*\|\s*(?P<place>[^|\n–—-]{{2,30}}?)\s*(?:{DASH}\s*(?P<country>[^|\n]{{2,40}}?))?\s*$"))
        .expect("dateline regex")
});
static PAREN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(?P<place>[^\s(),،:|–—-][^(),،:|\n–—-]{{0,30}}?)\s*(?:[،,]\s*(?P<country>[^()\n،,:|–—-]{{2,40}}?)\s*)?\((?P<paren>[^()\n]{{1,40}})\)\s*(?:{DASH}+|:)\s*"
    ))
    .expect("dateline regex")
});
static PLAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(?P<place>[^\s(),،:|–—-][^(),،:|\n–—-]{{0,30}}?)\s*(?:[،,]\s*(?P<country>[^()\n،,:|–—-]{{2,40}}?)\s*)?(?:{DASH}+|:)\s+"
    ))
    .expect("dateline regex")
});
static OUTLET_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^\s*\((?P<outlet>[^()\n]{{2,30}})\)\s*{DASH}+\s*")).expect("dateline regex")
});

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

fn iso2(cues: &Cues, name: &str) -> Option<String> {
    cues.place(name).map(|p| p.iso2.clone())
}

/// Recognises a dateline at the start of `line` (the first body line of an article).
pub fn match_dateline(cues: &Cues, line: &str) -> Option<DatelineMatch> {
    if let Some(c) = WHOLE_LINE.captures(line) {
        let place = c["place"].trim();
        if words(place) <= 3 && words(&c["outlet"]) <= 5 && cues.place(place).is_some() {
            let country = c.name("country").map(|m| m.as_str().trim());
            return Some(DatelineMatch {
                len: line.trim_end().len(),
                place: Some(place.to_owned()),
                country: country.and_then(|n| iso2(cues, n)).or_else(|| iso2(cues, place)),
                outlet: Some(c["outlet"].trim().to_owned()),
            });
        }
    }
    if let Some(c) = PAREN.captures(line) {
        let place = c["place"].trim();
        let paren = c["paren"].trim();
        let known_place = cues.place(place).is_some();
        if words(place) <= 3 && known_place && words(paren) <= 5 {
            let country_name = c.name("country").map(|m| m.as_str().trim());
            let paren_country = cues.place(paren).filter(|p| p.is_country).map(|p| p.iso2.clone());
            let country =
                country_name.and_then(|n| iso2(cues, n)).or(paren_country.clone()).or_else(|| iso2(cues, place));
            return Some(DatelineMatch {
                len: c.get(0).map_or(0, |m| m.end()),
                place: Some(place.to_owned()),
                country,
                outlet: paren_country.is_none().then(|| paren.to_owned()),
            });
        }
    }
    if let Some(c) = PLAIN.captures(line) {
        let place = c["place"].trim();
        if words(place) <= 3 && cues.place(place).is_some() {
            let country_name = c.name("country").map(|m| m.as_str().trim());
            if country_name.is_none_or(|n| cues.place(n).is_some()) {
                return Some(DatelineMatch {
                    len: c.get(0).map_or(0, |m| m.end()),
                    place: Some(place.to_owned()),
                    country: country_name.and_then(|n| iso2(cues, n)).or_else(|| iso2(cues, place)),
                    outlet: None,
                });
            }
        }
    }
    if let Some(c) = OUTLET_ONLY.captures(line) {
        return Some(DatelineMatch {
            len: c.get(0).map_or(0, |m| m.end()),
            place: None,
            country: None,
            outlet: Some(c["outlet"].trim().to_owned()),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (dateline text, place, country, outlet)
    type Got = (String, Option<String>, Option<String>, Option<String>);

    fn dl(line: &str) -> Option<Got> {
        let cues = Cues::embedded();
        match_dateline(&cues, line).map(|m| (line[..m.len].to_owned(), m.place, m.country, m.outlet))
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn outlet_city_country_line() {
        assert_eq!(
            dl("أخبار الآن | دبي – الإمارات"),
            Some(("أخبار الآن | دبي – الإمارات".into(), some("دبي"), some("AE"), some("أخبار الآن")))
        );
    }

    #[test]
    fn city_with_outlet_in_parentheses() {
        assert_eq!(
            dl("دبي، الإمارات العربية المتحدة (CNN)-- دعا المرجع"),
            Some(("دبي، الإمارات العربية المتحدة (CNN)-- ".into(), some("دبي"), some("AE"), some("CNN")))
        );
        assert_eq!(dl("بغداد (الرافدين اليوم) -- قتل").map(|d| d.3), Some(some("الرافدين اليوم")));
        let t = dl("طرابلس (ليبيا) - اندلعت").expect("dateline");
        assert_eq!((t.2, t.3), (some("LY"), None));
    }

    #[test]
    fn plain_city_dash() {
        assert_eq!(dl("دمشق - قتل ثلاثة"), Some(("دمشق - ".into(), some("دمشق"), some("SY"), None)));
        assert_eq!(dl("(رويترز) - قال مسؤولون").map(|d| d.3), Some(some("رويترز")));
    }

    #[test]
    fn ordinary_sentences_are_not_datelines() {
        assert_eq!(dl("قال المتحدث - في بيان - إن القصف"), None);
        assert_eq!(dl("وأضاف أن القوات (الحكومية) تقدمت"), None);
        assert_eq!(dl("حذّر مكتب الأمم المتحدة من تدهور"), None);
    }
}
