//! Connects marsad's stages in order: raw document → cleaned article → analyzed text →
//! entities → places → events → `marsad.document/1`. Pure: time, files and
//! configuration come in as values.

use marsad_core::{DOCUMENT_SCHEMA, Diagnostic, Document, InputInfo, Sentence, TokenView};
use marsad_events::{EventInput, Extractor};
use marsad_geo::{GeoInput, Geocoder};
use marsad_input::RawDoc;
use marsad_input::dates::parse_published;
use marsad_kb::KnowledgeBase;
use marsad_ner::{Recognizer, Tagger};
use marsad_text::{CleanInput, Cleaner, Tokenizer, light10, split_sentences};

/// The version of the analyzers, recorded with every stored analysis so that stores can tell
/// which documents to re-analyze when it changes. Its last part is bumped whenever the analysis
/// of any article changes: `tests/version.rs` holds the digest of the demo articles' analyses
/// for each version and fails when the analyses change under an unchanged version.
pub const ANALYZER_VERSION: &str = concat!("marsad-analyzers/", env!("CARGO_PKG_VERSION"), "+a12");

/// What to include in a document beyond the contract's fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnalyzeOptions {
    /// Include sub-word tokens (`tokens`).
    pub tokens: bool,
}

/// Runs the analysis stages over raw documents.
pub struct Analyzer {
    cleaner: &'static Cleaner,
    tokenizer: Tokenizer<'static>,
    recognizer: Recognizer<'static>,
    geocoder: Geocoder<'static>,
    events: Extractor<'static>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            cleaner: Cleaner::embedded(),
            tokenizer: Tokenizer::default(),
            recognizer: Recognizer::new(KnowledgeBase::embedded(), default_tagger()),
            geocoder: Geocoder::embedded(),
            events: Extractor::embedded(),
        }
    }
}

/// The statistical tagger compiled into the binary.
pub fn default_tagger() -> Option<&'static dyn Tagger> {
    marsad_ner::crf::CrfTagger::embedded().map(|t| t as &dyn Tagger)
}

/// The ISO 639-1 code of the main language of `text`, or "und".
pub fn detect_language(text: &str) -> String {
    let sample: String = text.chars().take(1500).collect();
    let arabic = sample.chars().filter(|&c| marsad_input::is_arabic_char(c)).count();
    let letters = sample.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 0 {
        return "und".to_owned();
    }
    match whatlang::detect(&sample) {
        Some(info) => match info.lang() {
            whatlang::Lang::Ara => "ar",
            whatlang::Lang::Pes => "fa",
            whatlang::Lang::Urd => "ur",
            whatlang::Lang::Eng => "en",
            whatlang::Lang::Fra => "fr",
            whatlang::Lang::Deu => "de",
            whatlang::Lang::Spa => "es",
            whatlang::Lang::Tur => "tr",
            whatlang::Lang::Heb => "he",
            whatlang::Lang::Rus => "ru",
            // An Arabic-script text whatlang cannot place is Arabic for our purposes.
            _ if arabic * 2 > letters => "ar",
            other => return other.code().to_owned(),
        }
        .to_owned(),
        None if arabic * 2 > letters => "ar".to_owned(),
        None => "und".to_owned(),
    }
}

impl Analyzer {
    pub fn new() -> Self {
        Analyzer::default()
    }

    /// An analyzer whose event extractor keeps every anchored event, whether or not the report
    /// model takes its sentence for a report (to train or score another report model).
    pub fn without_report_model() -> Self {
        Analyzer { events: Extractor::embedded().with_reports(None), ..Analyzer::default() }
    }

    /// An analyzer whose event extractor asks this report model (to score models trained apart
    /// from the shipped one).
    pub fn with_report_model(model: &'static marsad_events::report::ReportModel) -> Self {
        Analyzer { events: Extractor::embedded().with_reports(Some(model)), ..Analyzer::default() }
    }

    fn clean(&self, raw: &RawDoc) -> marsad_text::Cleaned {
        self.cleaner.clean(&CleanInput {
            text: &raw.text,
            title: raw.title,
            title_hint: raw.meta.title.as_deref(),
            zones: &raw.zones,
            url: raw.meta.url.as_deref(),
        })
    }

    /// Analyzes one raw document into the document contract.
    pub fn analyze(&self, raw: &RawDoc, opts: AnalyzeOptions) -> Document {
        let text = raw.text.as_str();
        let mut diagnostics: Vec<Diagnostic> = raw.diagnostics.clone();
        let cleaned = self.clean(raw);
        let mut sentences = Vec::new();
        for p in &cleaned.paragraphs {
            sentences.extend(split_sentences(text, *p).into_iter().map(|s| Sentence { start: s.start, end: s.end }));
        }
        let published = raw.meta.published.as_deref().and_then(|p| {
            let parsed = parse_published(p);
            if parsed.is_none() {
                diagnostics.push(Diagnostic::warning(
                    "meta.published",
                    format!("publication date {p:?} not understood (a day of 1900–2100 in a known form); left empty"),
                ));
            }
            parsed
        });
        // One tokenization of the title and body serves every later stage.
        let all_tokens = self.tokens(text, &cleaned);
        let tokens = opts.tokens.then(|| token_views(text, &all_tokens));
        // Entities in the title and the body sentences.
        let mut ner_spans: Vec<marsad_core::Span> =
            cleaned.layout.iter().filter(|s| s.role == marsad_core::Role::Title).map(|s| s.span()).collect();
        ner_spans.extend(sentences.iter().map(|s| s.span()));
        let mut entities = self.recognizer.recognize_tokens(text, &all_tokens, &ner_spans);
        let places = self.places(text, &cleaned, &all_tokens, &entities, &ner_spans);
        retype_places(&mut entities, &places);
        let event_input = EventInput {
            text,
            tokens: &all_tokens,
            sentences: &ner_spans,
            title: cleaned.layout.iter().find(|s| s.role == marsad_core::Role::Title).map(|s| s.span()),
            entities: &entities,
            places: &places,
            published: published.as_deref(),
        };
        let (events, quotes) = self.events.events_and_quotes(&event_input);
        let removed = cleaned.removed(text);
        let language = if cleaned.body.is_empty() { detect_language(text) } else { detect_language(&cleaned.body) };
        Document {
            schema: DOCUMENT_SCHEMA.to_owned(),
            id: raw.id.clone(),
            language,
            title: cleaned.title.clone(),
            outlet: raw.meta.outlet.clone().or(cleaned.outlet.clone()),
            author: cleaned.author.clone().or_else(|| raw.meta.author.clone()),
            url: raw.meta.url.clone(),
            dateline: cleaned.dateline.clone(),
            published,
            genre: cleaned.genre,
            body: cleaned.body.clone(),
            text: raw.text.clone(),
            input: InputInfo {
                format: raw.format.as_str().to_owned(),
                encoding: raw.encoding.clone(),
                bytes: raw.bytes,
            },
            layout: cleaned.layout.clone(),
            removed,
            sentences,
            entities,
            places,
            quotes,
            events,
            tokens,
            diagnostics,
        }
    }

    /// The places of the text, given its entities.
    fn places(
        &self,
        text: &str,
        cleaned: &marsad_text::Cleaned,
        tokens: &[marsad_text::Token],
        entities: &[marsad_core::Entity],
        sentences: &[marsad_core::Span],
    ) -> Vec<marsad_core::Place> {
        self.geocoder.resolve(&GeoInput {
            text,
            tokens,
            entities,
            sentences,
            dateline_country: cleaned.dateline.as_ref().and_then(|d| d.country.as_deref()),
        })
    }

    /// Tokens of the title and the body paragraphs, in order.
    fn tokens(&self, text: &str, cleaned: &marsad_text::Cleaned) -> Vec<marsad_text::Token> {
        let mut spans: Vec<marsad_core::Span> =
            cleaned.layout.iter().filter(|s| s.role == marsad_core::Role::Title).map(|s| s.span()).collect();
        spans.extend(cleaned.paragraphs.iter().copied());
        let mut tokens = Vec::new();
        let mut word = 0;
        for span in spans {
            self.tokenizer.tokenize_range(text, span, &mut word, &mut tokens);
        }
        tokens
    }

    /// The analysis up to one stage (cleaning, sentences and tokens with stems; then entities;
    /// then places), without assembling a document, as the benchmark measures it; returns the
    /// number of words. The difference between two stages is the later one's cost.
    pub fn text_layer(&self, raw: &RawDoc, upto: Stage) -> usize {
        let text = raw.text.as_str();
        let cleaned = self.clean(raw);
        let mut sentences = Vec::new();
        for p in &cleaned.paragraphs {
            sentences.extend(split_sentences(text, *p));
        }
        let tokens = self.tokens(text, &cleaned);
        let stems: usize = tokens.iter().map(|t| light10(&t.key).len()).sum();
        std::hint::black_box(stems);
        if upto >= Stage::Entities {
            let entities = self.recognizer.recognize_tokens(text, &tokens, &sentences);
            if upto >= Stage::Places {
                std::hint::black_box(self.places(text, &cleaned, &tokens, &entities, &sentences).len());
            }
            std::hint::black_box(entities.len());
        }
        tokens.last().map_or(0, |t| t.word as usize + 1)
    }
}

/// How far [`Analyzer::text_layer`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Text,
    Entities,
    Places,
}

/// A name the recognizer took for a person that the geocoder placed — it does so only after a
/// type word ("ناحية البغدادي", "محافظات … وصلاح الدين") — is a place: GPE for countries,
/// provinces, districts and towns, LOC for regions and natural features; its person link goes.
fn retype_places(entities: &mut [marsad_core::Entity], places: &[marsad_core::Place]) {
    // (Also a place-tagged name linked to a person by its surname: ناحية البغدادي is not Abu Bakr.)
    let personal =
        |e: &marsad_core::Entity| e.entity_type == marsad_core::EntityType::PER || e.kind.as_deref() == Some("person");
    for e in entities.iter_mut().filter(|e| personal(e)) {
        let Some(p) = places
            .iter()
            .find(|p| p.via == marsad_core::PlaceVia::Name && p.lat.is_some() && p.start <= e.start && e.end <= p.end)
        else {
            continue;
        };
        let natural =
            p.feature.as_deref().is_some_and(|f| f.starts_with('H') || f.starts_with('T') || f.starts_with('L'));
        e.entity_type = if natural { marsad_core::EntityType::LOC } else { marsad_core::EntityType::GPE };
        e.id = None;
        e.kind = None;
        e.name_ar = p.name_ar.clone();
        e.name_en = p.name_en.clone();
    }
}

/// Tokens as `--tokens` shows them.
fn token_views(text: &str, tokens: &[marsad_text::Token]) -> Vec<TokenView> {
    tokens
        .iter()
        .map(|t| TokenView {
            start: t.span.start,
            end: t.span.end,
            text: t.span.slice(text).to_owned(),
            kind: t.kind.as_str().to_owned(),
            role: t.role.as_str().to_owned(),
            word: t.word,
            stem: light10(&t.key).to_owned(),
            norm: t.norm.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use marsad_input::{ReadOptions, read};

    fn analyze(bytes: &[u8], name: &str) -> Document {
        let docs = read(bytes, &ReadOptions::new(name)).expect("read");
        let raw = docs.into_iter().next().expect("one").expect("ok");
        Analyzer::new().analyze(&raw, AnalyzeOptions { tokens: true })
    }

    #[test]
    fn a_plain_article() {
        let d = analyze("عنوان الخبر\n\nدمشق - قتل ثلاثة مدنيين في قصف. وأصيب خمسة.\n".as_bytes(), "a.txt");
        assert_eq!(d.schema, "marsad.document/1");
        assert_eq!(d.language, "ar");
        assert_eq!(d.title.as_deref(), Some("عنوان الخبر"));
        assert_eq!(d.sentences.len(), 2);
        assert_eq!(d.dateline.as_ref().and_then(|x| x.country.as_deref()), Some("SY"));
        let tokens = d.tokens.expect("tokens");
        assert!(tokens.iter().any(|t| t.text == "مدنيين" && t.stem == "مدن"));
    }

    #[test]
    fn a_place_the_recognizer_took_for_a_person_is_retyped() {
        let text = "عنوان\n\nقال زعيم التنظيم أبو بكر البغدادي إن مقاتليه دخلوا ناحية البغدادي غرب الرمادي.\n";
        let d = analyze(text.as_bytes(), "a.txt");
        let nahiya = text.rfind("البغدادي").expect("place");
        let e = d.entities.iter().find(|e| e.start == nahiya);
        // Either the recognizer saw no person there, or its person became the place.
        assert!(e.is_none_or(|e| e.entity_type != marsad_core::EntityType::PER && e.id.is_none()), "{e:?}");
        assert!(d.places.iter().any(|p| p.start <= nahiya && nahiya < p.end && p.country.as_deref() == Some("IQ")));
    }

    #[test]
    fn language_detection() {
        assert_eq!(detect_language("قال المتحدث باسم الجيش إن القوات تقدمت"), "ar");
        assert_eq!(detect_language("The army said its forces advanced toward the town"), "en");
        assert_eq!(detect_language("123 456"), "und");
    }

    #[test]
    fn bad_published_date_is_a_warning() {
        let mut o = ReadOptions::new("a.txt");
        o.meta.set("published", "yesterday").expect("key");
        let raw = read("عنوان\n\nنص الخبر.".as_bytes(), &o).expect("read").remove(0).expect("ok");
        let d = Analyzer::new().analyze(&raw, AnalyzeOptions::default());
        assert_eq!(d.published, None);
        assert!(d.diagnostics.iter().any(|x| x.code == "meta.published"));
    }
}
