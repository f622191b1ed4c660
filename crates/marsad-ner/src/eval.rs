//! `marsad eval ner`: the recognizer over a CoNLL file, scored with CoNLL rules.

use crate::Recognizer;
use crate::conll::{Scores, Sentence, entities, score, sentence_text, tags_from_spans};
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

/// Predicted tags for each sentence, runs of `document` sentences read as one document. CoNLL
/// scores names: descriptions (`Entity::nominal`, الجيش الإسرائيلي) are left out.
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
                .filter(|e| sentence.start <= e.start && e.end <= sentence.end && !e.nominal)
                .map(|e| (Span::new(e.start, e.end), e.entity_type))
                .collect();
            out.push(tags_from_spans(spans, &found, conll_label));
        }
    }
    out
}

/// One disagreement with the gold standard: a gold entity the recognizer missed or typed or cut
/// otherwise (`gold` set), or an entity it found that the gold standard lacks (`gold` unset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    pub sentence: usize,
    /// The gold entity's type, when the gold standard has this span.
    pub gold: Option<String>,
    /// The predicted type, when the recognizer found this span.
    pub predicted: Option<String>,
    pub words: String,
}

/// Every span on which the prediction and the gold standard differ (CoNLL rules: span and type),
/// sentence by sentence.
pub fn disagreements(sentences: &[Sentence], predicted: &[Vec<String>]) -> Vec<Disagreement> {
    let mut out = Vec::new();
    for (i, (s, p)) in sentences.iter().zip(predicted).enumerate() {
        let gold = entities(&s.tags);
        let found = entities(p);
        let words = |from: usize, to: usize| s.tokens[from..to].join(" ");
        let type_at = |list: &[(usize, usize, String)], a: usize, b: usize| {
            list.iter().find(|(x, y, _)| (*x, *y) == (a, b)).map(|(_, _, t)| t.clone())
        };
        let mut spans: Vec<(usize, usize)> = gold.iter().chain(&found).map(|(a, b, _)| (*a, *b)).collect();
        spans.sort_unstable();
        spans.dedup();
        for (a, b) in spans {
            let (g, f) = (type_at(&gold, a, b), type_at(&found, a, b));
            if g != f {
                out.push(Disagreement { sentence: i, gold: g, predicted: f, words: words(a, b) });
            }
        }
    }
    out
}

/// Scores the recognizer on gold sentences; also gives its predicted tags.
pub fn evaluate(recognizer: &Recognizer<'_>, sentences: &[Sentence], document: usize) -> (Scores, Vec<Vec<String>>) {
    let predicted = predict(recognizer, sentences, document);
    (score(sentences.iter().zip(&predicted).map(|(s, p)| (&s.tags[..], &p[..]))), predicted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conll::tests::tags;

    #[test]
    fn disagreements_name_misses_false_names_and_wrong_types() {
        let gold = Sentence {
            tokens: tags("قال مصطفى بالي في بغداد إن الجيش"),
            tags: tags("O B-PER I-PER O B-LOC O O"),
        };
        let predicted = vec![tags("O B-PER O O B-ORG O B-ORG")];
        let found = disagreements(&[gold], &predicted);
        let view: Vec<(Option<&str>, Option<&str>, &str)> =
            found.iter().map(|d| (d.gold.as_deref(), d.predicted.as_deref(), d.words.as_str())).collect();
        assert_eq!(
            view,
            vec![
                (None, Some("PER"), "مصطفى"),
                (Some("PER"), None, "مصطفى بالي"),
                (Some("LOC"), Some("ORG"), "بغداد"),
                (None, Some("ORG"), "الجيش"),
            ]
        );
    }
}
