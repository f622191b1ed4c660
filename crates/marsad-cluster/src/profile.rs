//! What clustering reads of an article, computed once on the analysis threads and stored beside
//! the document: clustering a whole store then never decodes an analysis again.

use chrono::{Datelike, NaiveDate};
use marsad_core::export::coded;
use marsad_core::{DatePrecision, Document, Modality};
use marsad_text::lexicon::most_frequent_words;
use marsad_text::{Tokenizer, search_terms};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Body terms kept per article, the most frequent first (after stop words).
pub const BODY_TERMS: usize = 64;
/// Hash functions of a MinHash signature.
pub const MINHASH_SIZE: usize = 84;
/// Words per shingle for near-duplicate detection.
const SHINGLE: usize = 4;
/// Articles with fewer shingles get no signature: a few words say nothing of copying.
const MIN_SHINGLES: usize = 20;
/// The commonest word forms of the reference corpora: no story is told by them.
const STOP_WORDS: usize = 200;

static STOP_TERMS: LazyLock<FxHashSet<String>> = LazyLock::new(|| {
    let tokenizer = Tokenizer::default();
    most_frequent_words(STOP_WORDS).flat_map(|w| search_terms(&tokenizer, w)).map(|t| t.term).collect()
});

/// A linked actor or a resolved place of an article, with its mention count (names are in the
/// store's `actors` and `gazetteer` tables).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Named {
    pub id: String,
    pub count: u16,
    /// Places: 1 town, 2 district, 3 region or country (ACLED geo precision); 0 for actors.
    pub precision: u8,
}

/// Where an event happened, as far as clustering needs it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventPlace {
    pub id: Option<String>,
    pub name: Option<String>,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub precision: u8,
}

/// A coded event of an article (one with an ACLED type), as cross-source merging reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventFacts {
    /// Index in the document's events.
    pub idx: u32,
    pub event_type: String,
    pub sub_event_type: String,
    pub modality: Modality,
    /// Days since 1970-01-01.
    pub day: Option<i32>,
    pub precision: Option<DatePrecision>,
    pub place: Option<EventPlace>,
    pub actor1: Option<String>,
    pub actor2: Option<String>,
    pub fatalities: Option<u32>,
    pub injured: Option<u32>,
    pub confidence: f32,
}

/// The clustering view of one article.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Publication day, days since 1970-01-01.
    pub day: Option<i32>,
    pub outlet: Option<String>,
    /// Distinct title terms, stop words removed, in order.
    pub title_terms: Vec<String>,
    /// Body terms with their counts, stop words removed; the [`BODY_TERMS`] most frequent.
    pub body_terms: Vec<(String, u16)>,
    pub entities: Vec<Named>,
    pub places: Vec<Named>,
    pub events: Vec<EventFacts>,
}

/// Days since 1970-01-01 of a date or date-time written `YYYY-MM-DD…`.
pub fn day_number(date: &str) -> Option<i32> {
    let d = NaiveDate::parse_from_str(date.get(..10)?, "%Y-%m-%d").ok()?;
    Some(d.num_days_from_ce() - EPOCH_CE)
}

/// The `YYYY-MM-DD` of a day number.
pub fn day_string(day: i32) -> String {
    NaiveDate::from_num_days_from_ce_opt(day + EPOCH_CE).map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
}

/// 1970-01-01 counted from 0001-01-01 (day 1).
const EPOCH_CE: i32 = 719_163;

fn named<'a>(items: impl Iterator<Item = (&'a str, u8)>) -> Vec<Named> {
    let mut by_id: BTreeMap<&str, Named> = BTreeMap::new();
    for (id, precision) in items {
        let n = by_id.entry(id).or_insert_with(|| Named { id: id.to_owned(), count: 0, precision });
        n.count = n.count.saturating_add(1);
    }
    by_id.into_values().collect()
}

impl Profile {
    /// The profile of an analyzed document.
    pub fn of(doc: &Document, tokenizer: &Tokenizer<'_>) -> Profile {
        Profile::of_terms(doc, tokenizer, &body_terms(tokenizer, &doc.body))
    }

    /// The profile and the body's MinHash signature, from one pass of the tokenizer over the
    /// body (what storing a document computes).
    pub fn with_signature(doc: &Document, tokenizer: &Tokenizer<'_>) -> (Profile, Option<Vec<u16>>) {
        let body = body_terms(tokenizer, &doc.body);
        (Profile::of_terms(doc, tokenizer, &body), signature_of(&body))
    }

    fn of_terms(doc: &Document, tokenizer: &Tokenizer<'_>, body: &[String]) -> Profile {
        let stop = &*STOP_TERMS;
        let mut title_terms: Vec<String> = Vec::new();
        for t in search_terms(tokenizer, doc.title.as_deref().unwrap_or_default()) {
            if !stop.contains(&t.term) && !title_terms.contains(&t.term) {
                title_terms.push(t.term);
            }
        }
        let mut counts: FxHashMap<String, (u16, usize)> = FxHashMap::default();
        for (i, t) in body.iter().enumerate() {
            if stop.contains(t) || t.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            let e = counts.entry(t.clone()).or_insert((0, i));
            e.0 = e.0.saturating_add(1);
        }
        let mut body_terms: Vec<(String, u16, usize)> =
            counts.into_iter().map(|(t, (n, first))| (t, n, first)).collect();
        // Most frequent first; ties by first occurrence, so the profile is the same every run.
        body_terms.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
        body_terms.truncate(BODY_TERMS);
        let entities = named(doc.entities.iter().filter_map(|e| e.id.as_deref().map(|id| (id, 0))));
        let places =
            named(doc.places.iter().filter_map(|p| p.geonames_id.as_deref().map(|id| (id, p.precision.unwrap_or(3)))));
        let events = coded(doc)
            .filter_map(|(i, e)| {
                let acled = e.acled.as_ref()?;
                Some(EventFacts {
                    idx: i as u32,
                    event_type: acled.event_type.clone(),
                    sub_event_type: acled.sub_event_type.clone(),
                    modality: e.modality,
                    day: e.date.as_deref().and_then(day_number),
                    precision: e.date_precision,
                    place: e.place.as_ref().map(|p| EventPlace {
                        id: p.geonames_id.clone(),
                        name: p.name_en.clone().or_else(|| p.name_ar.clone()),
                        country: p.country.clone(),
                        admin1: p.admin1.clone(),
                        admin2: p.admin2.clone(),
                        lat: p.lat,
                        lon: p.lon,
                        precision: p.precision.unwrap_or(3),
                    }),
                    actor1: e.actor1.as_ref().and_then(|a| a.id.clone()),
                    actor2: e.actor2.as_ref().and_then(|a| a.id.clone()),
                    fatalities: e.fatalities,
                    injured: e.injured,
                    confidence: e.confidence,
                })
            })
            .collect();
        Profile {
            day: doc.published.as_deref().and_then(day_number),
            outlet: doc.outlet.clone(),
            title_terms,
            body_terms: body_terms.into_iter().map(|(t, n, _)| (t, n)).collect(),
            entities,
            places,
            events,
        }
    }

    /// The compact binary form stored beside the document.
    pub fn to_bytes(&self) -> Vec<u8> {
        // A profile is plain data: serializing it cannot fail.
        postcard::to_stdvec(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Profile, postcard::Error> {
        postcard::from_bytes(bytes)
    }
}

/// The MinHash signature of a text's word shingles (search terms, so clitics, spelling
/// variants and punctuation do not hide a copy), or `None` for a text too short to tell.
pub fn signature(tokenizer: &Tokenizer<'_>, text: &str) -> Option<Vec<u16>> {
    signature_of(&body_terms(tokenizer, text))
}

/// A text's search terms, in order.
fn body_terms(tokenizer: &Tokenizer<'_>, text: &str) -> Vec<String> {
    search_terms(tokenizer, text).into_iter().map(|t| t.term).collect()
}

/// The MinHash signature of a text's search terms.
fn signature_of(terms: &[String]) -> Option<Vec<u16>> {
    use gaoya::minhash::MinHasher;
    // FNV and a fixed seed: the same text has the same signature in every run and process.
    // 16-bit minima: a chance collision (1 in 65,536 per hash) moves an estimate by nothing
    // that matters, and a signature takes half the space.
    static HASHER: LazyLock<gaoya::minhash::MinHasher16<fnv::FnvBuildHasher>> =
        LazyLock::new(|| gaoya::minhash::MinHasher16::new(MINHASH_SIZE));
    if terms.len() < SHINGLE + MIN_SHINGLES {
        return None;
    }
    Some(HASHER.create_signature(terms.windows(SHINGLE)))
}

/// Packs a signature for storage (little-endian u16s).
pub fn signature_bytes(sig: &[u16]) -> Vec<u8> {
    sig.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Reads a stored signature; `None` when the bytes are not one.
pub fn signature_from_bytes(bytes: &[u8]) -> Option<Vec<u16>> {
    (bytes.len() == MINHASH_SIZE * 2).then(|| bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2018-04-07T10:00:00+03:00"), day_number("2018-04-07"));
        assert_eq!(day_string(day_number("2018-04-07").unwrap_or_default()), "2018-04-07");
        assert_eq!(day_number("07/04/2018"), None);
    }

    #[test]
    fn stop_words_are_dropped_and_terms_counted() {
        let doc = Document {
            title: Some("غارات على مدينة دوما في الغوطة".into()),
            body: "قصفت الطائرات مدينة دوما. وقالت مصادر إن القصف على دوما استمر.".into(),
            ..Document::default()
        };
        let p = Profile::of(&doc, &Tokenizer::default());
        assert!(!p.title_terms.iter().any(|t| t == "في" || t == "على"), "{:?}", p.title_terms);
        let duma = search_terms(&Tokenizer::default(), "دوما")[0].term.clone();
        assert_eq!(p.body_terms.first(), Some(&(duma, 2)));
        assert_eq!(Profile::from_bytes(&p.to_bytes()).ok(), Some(p));
    }
}
