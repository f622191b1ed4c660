//! The `marsad.document/1` contract: what `marsad analyze --format json` prints.
//! Documented field by field in docs/schema.md; the JSON Schema is docs/document.schema.json.

use crate::{Diagnostic, Genre, RemovalReason, Segment, Span};
use serde::{Deserialize, Serialize};

/// The schema tag every document carries.
pub const DOCUMENT_SCHEMA: &str = "marsad.document/1";

/// One analyzed article.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub schema: String,
    /// Given id, or a content hash of the raw input (`doc-` + 32 hex digits).
    pub id: String,
    /// ISO 639-1 code of the main language ("ar", "en", …), or "und".
    pub language: String,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub author: Option<String>,
    pub url: Option<String>,
    pub dateline: Option<Dateline>,
    /// Publication date `YYYY-MM-DD`, from metadata or the input record.
    pub published: Option<String>,
    pub genre: Genre,
    /// The cleaned article body: its paragraphs, one per line.
    pub body: String,
    /// The text that every offset points into (the decoded input; for HTML the extracted
    /// text, for JSON records the title and text fields joined by a blank line).
    pub text: String,
    /// How the input was read.
    pub input: InputInfo,
    /// The role of every byte of `text`: consecutive, non-overlapping, covering it all.
    pub layout: Vec<Segment>,
    pub removed: Vec<Removed>,
    pub sentences: Vec<Sentence>,
    pub entities: Vec<Entity>,
    pub places: Vec<Place>,
    pub quotes: Vec<Quote>,
    pub events: Vec<Event>,
    /// Sub-word tokens; only with `marsad analyze --tokens`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Vec<TokenView>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Where and how the bytes were decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputInfo {
    /// "text", "html" or "json".
    pub format: String,
    /// The encoding the bytes were decoded from ("UTF-8", "windows-1256", "UTF-16LE", …).
    pub encoding: String,
    /// Size of the raw input record in bytes.
    pub bytes: usize,
}

/// The opening that tells where (and often which outlet) a report was filed from:
/// `أخبار الآن | دبي – الإمارات`, `دمشق - `, `بيروت، لبنان (CNN)-- `.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dateline {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub place: Option<String>,
    /// ISO 3166-1 alpha-2 code when the country is named or implied by the place.
    pub country: Option<String>,
}

/// A span of the input that is not body, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub reason: RemovalReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
}

impl Sentence {
    pub fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }
}

/// Entity types of the recognizer (ACE/OntoNotes-like).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntityType {
    PER,
    ORG,
    LOC,
    GPE,
    FAC,
    NORP,
    MISC,
}

impl EntityType {
    /// The type's name, as it is serialized.
    pub const fn as_str(self) -> &'static str {
        match self {
            EntityType::PER => "PER",
            EntityType::ORG => "ORG",
            EntityType::LOC => "LOC",
            EntityType::GPE => "GPE",
            EntityType::FAC => "FAC",
            EntityType::NORP => "NORP",
            EntityType::MISC => "MISC",
        }
    }
}

/// A named-entity mention, linked to the knowledge base when possible.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub start: usize,
    pub end: usize,
    pub text: String,
    #[serde(rename = "type")]
    pub entity_type: EntityType,
    pub id: Option<String>,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub kind: Option<String>,
    /// The mention describes the actor rather than naming it: a head noun and nisba adjectives
    /// (الجيش الإسرائيلي, الحكومة السودانية). Named-entity scoring (CoNLL, ACE's NAM) counts
    /// names only; events and search use both.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nominal: bool,
}

/// A toponym resolved to a gazetteer entry, or honestly unresolved (no id, no coordinates).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The GeoNames id, or the curated supplement's id (`sup-…`).
    pub geonames_id: Option<String>,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub feature: Option<String>,
    /// 1 = town, 2 = district or nearby, 3 = province or region (ACLED geo_precision).
    pub precision: Option<u8>,
    /// How the place was found: from its name, from a demonym (سوري → Syria), or placed at
    /// the named place it lies in or near (a quarter or village the gazetteer lacks).
    pub via: PlaceVia,
    /// How sure the resolution is, 0–1 (0 when unresolved).
    pub confidence: f64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceVia {
    #[default]
    Name,
    Demonym,
    Nearby,
}

/// Who said it, as far as the text tells.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Speaker {
    pub text: String,
    pub id: Option<String>,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
}

/// Direct or reported speech with its speaker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub speaker: Option<Speaker>,
    pub cue: Option<String>,
    pub channel: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcledType {
    pub event_type: String,
    pub sub_event_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PloverType {
    pub category: String,
    pub mode: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatePrecision {
    Day,
    Week,
    Month,
    Year,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Modality {
    Asserted,
    Negated,
    Hypothetical,
    Future,
    Reported,
    /// What a group does habitually or generally ("still carries out kidnappings"): no one event.
    Habitual,
}

/// Evidence: the exact text an answer was read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Who did what to whom, where, when, how many — with the sentence it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub acled: Option<AcledType>,
    pub plover: Option<PloverType>,
    pub cameo: Option<String>,
    pub actor1: Option<Entity>,
    pub actor2: Option<Entity>,
    pub place: Option<Place>,
    pub date: Option<String>,
    pub date_precision: Option<DatePrecision>,
    pub fatalities: Option<u32>,
    pub injured: Option<u32>,
    pub arrested: Option<u32>,
    /// People who fled or were displaced (نزوح 6500 شخص).
    pub displaced: Option<u32>,
    pub modality: Modality,
    pub confidence: f32,
    /// The sentence the event was read from.
    pub evidence: Evidence,
    /// The word or phrase that signalled it (قصف, اقتحم, اشتباكات).
    pub trigger: Evidence,
    /// Every sentence of the article that reports this event (the evidence among them).
    pub mentions: Vec<Evidence>,
}

/// A sub-word token as shown by `marsad analyze --tokens`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// "word", "number", "latin", "punct" or "symbol".
    pub kind: String,
    /// "proclitic", "article", "stem" or "enclitic" for pieces of Arabic words.
    pub role: String,
    /// Index of the whitespace-delimited word this piece belongs to.
    pub word: u32,
    /// Lossless normalized form (names): diacritics, tatweel, controls, digit shapes folded.
    pub norm: String,
    /// Search key: the lossy normalized form, light-stemmed.
    pub stem: String,
}
