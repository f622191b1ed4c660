//! `marsad eval ner`: the recognizer over a CoNLL file, scored with CoNLL rules.

use crate::Recognizer;
use crate::conll::{Scores, Sentence, score, sentence_text, tags_from_spans};
use marsad_core::{EntityType, Span};

/// The CoNLL type an entity type is scored as (ANERcorp's PER/LOC/ORG/MISC): places of every
/// kind are LOC; demonyms and groups (NORP) are not annotated there and are left out.
pub fn conll_label(t: EntityType) -> Option<&'static str> {
    match t {
        EntityType::PER => Some("PER"),
        EntityType::LOC | EntityType::GPE | EntityType::FAC => Some("LOC"),
        EntityType::ORG => Some("ORG"),
        EntityType::MISC => Some("MISC"),
        EntityType::NORP => None,
    }
}

/// CoNLL files mark no article boundaries: by default runs of this many sentences are read as one
/// document (the tagger gathers document evidence over them; short forms resolve within them),
/// in training (research/ner-crf) and in evaluation alike.
pub const DOCUMENT_SENTENCES: usize = 20;

/// Predicted tags for each sentence, runs of `document` sentences read as one document.
pub fn predict(recognizer: &Recognizer<'_>, sentences: &[Sentence], document: usize) -> Vec<Vec<String>> {
    let mut out = Vec::with_capacity(sentences.len());
    for doc in sentences.chunks(document.max(1)) {
        let mut text = String::new();
        let mut sentence_spans = Vec::with_capacity(doc.len());
        let mut token_spans = Vec::with_capacity(doc.len());
        for s in doc {
            if !text.is_empty() {
                text.push('\n');
            }
            let base = text.len();
            let (sentence, spans) = sentence_text(&s.tokens);
            text.push_str(&sentence);
            sentence_spans.push(Span::new(base, text.len()));
            token_spans.push(spans.iter().map(|t| Span::new(base + t.start, base + t.end)).collect::<Vec<_>>());
        }
        let entities = recognizer.recognize(&text, &sentence_spans);
        for (sentence, spans) in sentence_spans.iter().zip(&token_spans) {
            let found: Vec<(Span, EntityType)> = entities
                .iter()
                .filter(|e| sentence.start <= e.start && e.end <= sentence.end)
                .map(|e| (Span::new(e.start, e.end), e.entity_type))
                .collect();
            out.push(tags_from_spans(spans, &found, conll_label));
        }
    }
    out
}

/// Scores the recognizer on gold sentences.
pub fn evaluate(recognizer: &Recognizer<'_>, sentences: &[Sentence], document: usize) -> Scores {
    let predicted = predict(recognizer, sentences, document);
    score(sentences.iter().zip(&predicted).map(|(s, p)| (&s.tags[..], &p[..])))
}
