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

/// Predicted tags for each sentence.
pub fn predict(recognizer: &Recognizer<'_>, sentences: &[Sentence]) -> Vec<Vec<String>> {
    sentences
        .iter()
        .map(|s| {
            let (text, spans) = sentence_text(&s.tokens);
            let entities = recognizer.recognize(&text, &[Span::new(0, text.len())]);
            let found: Vec<(Span, EntityType)> =
                entities.iter().map(|e| (Span::new(e.start, e.end), e.entity_type)).collect();
            tags_from_spans(&spans, &found, conll_label)
        })
        .collect()
}

/// Scores the recognizer on gold sentences.
pub fn evaluate(recognizer: &Recognizer<'_>, sentences: &[Sentence]) -> Scores {
    let predicted = predict(recognizer, sentences);
    score(sentences.iter().zip(&predicted).map(|(s, p)| (&s.tags[..], &p[..])))
}
