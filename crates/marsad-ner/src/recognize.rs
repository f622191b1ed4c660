//! Recognition and linking: the statistical tagger's names, knowledge-base names and pattern
//! names are merged (in that order of trust, longest first within each), made consistent over
//! the document (one sense per document), linked to canonical actors where a name's key is
//! known, and short forms resolved to earlier full mentions (بالي → مصطفى بالي).

use crate::patterns::{Patterns, words_of};
use marsad_core::{Entity, EntityType, Span};
use marsad_kb::{ActorKind, ActorMatch, KnowledgeBase};
use marsad_text::{Token, Tokenizer};
use rustc_hash::{FxHashMap, FxHashSet};
use std::hash::Hasher;

/// Mixes word hashes into a phrase hash (an odd constant: FxHash's).
const PHRASE_MIX: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The tokens that lie within `span` (tokens sorted by position).
fn tokens_in(tokens: &[Token], span: Span) -> &[Token] {
    let from = tokens.partition_point(|t| t.span.start < span.start);
    let to = tokens.partition_point(|t| t.span.start < span.end);
    &tokens[from..to.max(from)]
}
use marsad_text::keys::phrase_key;

/// A statistical tagger: BIO tags (`B-PER`, `I-LOC`, `O` …) for the words of one sentence.
pub trait Tagger: Send + Sync {
    /// The names in one sentence's tokens; `known`: the knowledge base's names in them (a tagger
    /// may use them as features).
    fn tag(&self, text: &str, tokens: &[marsad_text::Token], known: &[ActorMatch]) -> Vec<(Span, EntityType)>;

    /// The names in the sentences of one document, sentence by sentence (a tagger may gather
    /// evidence over the whole document).
    fn tag_document(&self, text: &str, sentences: &[(&[Token], &[ActorMatch])]) -> Vec<Vec<(Span, EntityType)>> {
        sentences.iter().map(|(tokens, known)| self.tag(text, tokens, known)).collect()
    }
}

/// The entity type of an actor kind.
pub fn type_of_kind(kind: ActorKind) -> EntityType {
    match kind {
        ActorKind::Person => EntityType::PER,
        ActorKind::Civilians => EntityType::NORP,
        ActorKind::Other => EntityType::MISC,
        _ => EntityType::ORG,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Tagger,
    Knowledge,
    Pattern,
    Coreference,
}

struct Candidate {
    span: Span,
    entity_type: EntityType,
    source: Source,
    actor: Option<usize>,
    /// The full mention a short form refers to.
    canonical: Option<Span>,
    /// A knowledge-base description rather than a name (see `marsad_kb::is_description`).
    nominal: bool,
}

impl Candidate {
    /// A name from `source`, not linked (yet).
    fn new(span: Span, entity_type: EntityType, source: Source) -> Candidate {
        Candidate { span, entity_type, source, actor: None, canonical: None, nominal: false }
    }
}

/// How many of a word's first pieces are proclitics, leaving at least one piece.
fn proclitics(pieces: &[Token]) -> usize {
    pieces.iter().take_while(|p| p.role == marsad_text::PieceRole::Proclitic).count().min(pieces.len() - 1)
}

/// Which sources of names the recognizer uses; evaluation turns them on and off to measure
/// each. Patterns are off by default: on ANERcorp test they were right 34% of the time and cost
/// the combination 1.1 F1 points (`marsad eval ner --with patterns`); they stay for the
/// knowledge they encode until a better name boundary test makes them pay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sources {
    pub knowledge: bool,
    pub patterns: bool,
    pub tagger: bool,
    pub coreference: bool,
}

impl Default for Sources {
    fn default() -> Self {
        Sources { knowledge: true, patterns: false, tagger: true, coreference: true }
    }
}

/// Finds and links the named entities of a document.
pub struct Recognizer<'a> {
    kb: &'a KnowledgeBase,
    patterns: Patterns,
    tagger: Option<&'a dyn Tagger>,
    tokenizer: Tokenizer<'static>,
    sources: Sources,
}

impl<'a> Recognizer<'a> {
    pub fn new(kb: &'a KnowledgeBase, tagger: Option<&'a dyn Tagger>) -> Self {
        Recognizer {
            kb,
            patterns: Patterns::embedded(),
            tagger,
            tokenizer: Tokenizer::default(),
            sources: Sources::default(),
        }
    }

    /// The same recognizer with only some sources of names.
    pub fn with_sources(mut self, sources: Sources) -> Self {
        self.sources = sources;
        self
    }

    /// The entities of `text` within the given sentence spans, in text order.
    pub fn recognize(&self, text: &str, sentences: &[Span]) -> Vec<Entity> {
        let mut tokens = Vec::new();
        let mut word = 0;
        for s in sentences {
            self.tokenizer.tokenize_range(text, *s, &mut word, &mut tokens);
        }
        self.recognize_tokens(text, &tokens, sentences)
    }

    /// The same, with the text already tokenized (`tokens` sorted, covering the sentences).
    pub fn recognize_tokens(&self, text: &str, all_tokens: &[Token], sentences: &[Span]) -> Vec<Entity> {
        let sentence_tokens: Vec<&[Token]> = sentences.iter().map(|s| tokens_in(all_tokens, *s)).collect();
        let known: Vec<Vec<ActorMatch>> = sentence_tokens.iter().map(|t| self.kb.find(t)).collect();
        let tagged: Vec<Vec<(Span, EntityType)>> = match self.tagger.filter(|_| self.sources.tagger) {
            Some(t) => {
                let inputs: Vec<(&[Token], &[ActorMatch])> =
                    sentence_tokens.iter().zip(&known).map(|(t, k)| (*t, &k[..])).collect();
                t.tag_document(text, &inputs)
            }
            None => vec![Vec::new(); sentence_tokens.len()],
        };
        let mut accepted: Vec<Candidate> = Vec::new();
        for ((&tokens, known), tagged) in sentence_tokens.iter().zip(&known).zip(tagged) {
            let mut cands: Vec<Candidate> = Vec::new();
            // Names only the derived dictionary knows link the tagger's mentions but do not add
            // mentions of their own: on ANERcorp they were wrong more often than right.
            let curated = |a: usize| self.kb.actors()[a].source.as_deref() != Some("universalpetrarch");
            for m in known.iter().filter(|m| self.sources.knowledge && curated(m.actor)) {
                let kind = self.kb.actors()[m.actor].kind;
                cands.push(Candidate {
                    actor: Some(m.actor),
                    nominal: m.description,
                    ..Candidate::new(m.span, type_of_kind(kind), Source::Knowledge)
                });
            }
            let pattern_names =
                if self.sources.patterns { self.patterns.find(&words_of(text, tokens)) } else { Vec::new() };
            for m in pattern_names {
                cands.push(Candidate::new(m.span, m.entity_type, Source::Pattern));
            }
            // A lone letter (ج, a split clitic or an abbreviation's fragment) is never a name the
            // tagger can be trusted with.
            for (span, ty) in tagged.into_iter().filter(|(s, _)| s.slice(text).chars().count() > 1) {
                cands.push(Candidate::new(span, ty, Source::Tagger));
            }
            // A place the tagger finds inside a knowledge-base name, with words of the name on
            // both sides, is a part of that name (سوريا in قوات سوريا الديمقراطية): the whole,
            // curated name is kept. (A place that ends a name, as in الحكومة السعودية, stays
            // the tagger's: ANERcorp marks it apart, and so do readers.)
            let known: Vec<Span> = cands.iter().filter(|c| c.source == Source::Knowledge).map(|c| c.span).collect();
            cands.retain(|c| {
                let place = matches!(c.entity_type, EntityType::LOC | EntityType::GPE);
                c.source != Source::Tagger
                    || !place
                    || !known.iter().any(|k| k.start < c.span.start && c.span.end < k.end)
            });
            // A tagger's name that runs into a knowledge-base name of another type at one of its
            // ends (بوريس يلتسين الكرملين: PER over the Kremlin) is two names: the tagger keeps
            // the rest. (Not a person at the end: organisations bear persons' names, مؤسسة الملك
            // فيصل.)
            let known: Vec<(Span, EntityType, bool)> = cands
                .iter()
                .filter(|c| c.source == Source::Knowledge)
                .map(|c| {
                    (c.span, c.entity_type, c.actor.is_some_and(|a| self.kb.actors()[a].kind == ActorKind::Person))
                })
                .collect();
            for c in cands.iter_mut().filter(|c| c.source == Source::Tagger) {
                for &(k, ty, person) in &known {
                    if ty == c.entity_type || k == c.span || k.start < c.span.start || c.span.end < k.end {
                        continue;
                    }
                    if k.end == c.span.end && !person {
                        let rest = text[c.span.start..k.start].trim_end();
                        c.span = Span::new(c.span.start, c.span.start + rest.len());
                    } else if k.start == c.span.start {
                        let rest = text[k.end..c.span.end].trim_start();
                        c.span = Span::new(c.span.end - rest.len(), c.span.end);
                    }
                }
            }
            cands.retain(|c| !c.span.is_empty());
            // Trust first, then length.
            cands.sort_by_key(|c| (c.source, std::cmp::Reverse(c.span.len()), c.span.start));
            let mut taken: Vec<Candidate> = Vec::new();
            for c in cands {
                if taken.iter().all(|t| c.span.end <= t.span.start || t.span.end <= c.span.start) {
                    taken.push(c);
                }
            }
            taken.sort_by_key(|c| c.span.start);
            accepted.extend(taken);
        }
        if self.sources.coreference {
            propagate_names(&DocumentWords::new(&sentence_tokens), &mut accepted);
        }
        self.link(text, &mut accepted);
        if self.sources.coreference {
            resolve_short_forms(text, &sentence_tokens, &mut accepted);
        }
        accepted.sort_by_key(|c| c.span.start);
        accepted.into_iter().map(|c| self.entity(text, &c)).collect()
    }

    /// Names found by patterns or the tagger whose key is a known actor's name. A person is
    /// linked only to a mention tagged as a person: a place tagged "البغدادي" is not Abu Bakr.
    fn link(&self, text: &str, cands: &mut [Candidate]) {
        for c in cands.iter_mut().filter(|c| c.actor.is_none()) {
            if let Some(key) = phrase_key(&self.tokenizer, c.span.slice(text))
                && let Some(a) = self.kb.by_key(&key)
                && (self.kb.actors()[a].kind != ActorKind::Person || c.entity_type == EntityType::PER)
            {
                c.actor = Some(a);
            }
        }
    }

    fn entity(&self, text: &str, c: &Candidate) -> Entity {
        let actor = c.actor.map(|i| &self.kb.actors()[i]);
        Entity {
            start: c.span.start,
            end: c.span.end,
            text: c.span.slice(text).to_owned(),
            entity_type: c.entity_type,
            id: actor.map(|a| a.id.clone()),
            name_ar: actor.map(|a| a.name_ar.clone()).or_else(|| c.canonical.map(|s| s.slice(text).to_owned())),
            name_en: actor.and_then(|a| a.name_en.clone()),
            kind: actor.map(|a| a.kind.as_str().to_owned()),
            nominal: c.nominal,
        }
    }
}

/// The hash of the lossy keys of a word's pieces, read as one string (so that it does not
/// depend on where the segmenter cut the word).
fn key_hash(pieces: &[Token]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    pieces.iter().flat_map(|p| p.key.bytes()).for_each(|b| h.write_u8(b));
    h.finish()
}

/// The words of a document, in text order: each word's span without proclitics and a hash of
/// its written form there (the lossy keys of its pieces after the proclitics: للحشد reads
/// الحشد), for comparing names across the document without building strings.
struct DocumentWords {
    words: Vec<(Span, u64)>,
    /// Where each sentence's words begin and end in `words`.
    sentences: Vec<std::ops::Range<usize>>,
}

impl DocumentWords {
    fn new(sentences: &[&[Token]]) -> DocumentWords {
        let mut words = Vec::new();
        let mut ranges = Vec::with_capacity(sentences.len());
        for tokens in sentences {
            let from = words.len();
            words.extend(
                marsad_text::keys::words(tokens)
                    .map(|pieces| (marsad_text::keys::name_span(pieces), key_hash(&pieces[proclitics(pieces)..]))),
            );
            ranges.push(from..words.len());
        }
        DocumentWords { words, sentences: ranges }
    }

    /// The words a span covers.
    fn of(&self, span: Span) -> &[(Span, u64)] {
        let from = self.words.partition_point(|w| w.0.end <= span.start);
        let to = self.words.partition_point(|w| w.0.start < span.end);
        &self.words[from..to.max(from)]
    }
}

/// The hash of a phrase from its words' hashes.
fn phrase_hash(words: &[(Span, u64)]) -> u64 {
    words.iter().fold(0u64, |h, w| (h.rotate_left(7) ^ w.1).wrapping_mul(PHRASE_MIX))
}

/// A person's surname met after the full name refers to that person: the short form takes
/// the full mention's link (or its text as the canonical name), and bare occurrences of the
/// surname that nothing recognised become mentions too.
fn resolve_short_forms(text: &str, sentences: &[&[Token]], cands: &mut Vec<Candidate>) {
    struct Full {
        span: Span,
        actor: Option<usize>,
    }
    // Per surname (the whole last word of a full name of two words or more, three letters or
    // more: بالي, whose ب the segmenter may read as a clitic), the full names in text order.
    let words: Vec<&[Token]> = sentences.iter().flat_map(|tokens| marsad_text::keys::words(tokens)).collect();
    let mut full: FxHashMap<u64, Vec<Full>> = FxHashMap::default();
    for c in cands.iter().filter(|c| c.entity_type == EntityType::PER) {
        let at = words.partition_point(|w| marsad_text::keys::word_span(w).end < c.span.end);
        let Some(last) = words.get(at) else { continue };
        let span = marsad_text::keys::word_span(last);
        if span.end == c.span.end && c.span.start < span.start && span.slice(text).chars().count() >= 3 {
            full.entry(key_hash(last)).or_default().push(Full { span: c.span, actor: c.actor });
        }
    }
    if full.is_empty() {
        return;
    }
    for c in full.values_mut() {
        c.sort_by_key(|f| f.span.start);
    }
    let mut added: Vec<Candidate> = Vec::new();
    // A word is the surname, or proclitics and the surname (وبالي): the mention starts after them.
    let surname = |pieces: &[Token]| {
        (0..=proclitics(pieces)).find_map(|k| {
            let fs = full.get(&key_hash(&pieces[k..]))?;
            let span = Span::new(pieces[k].span.start, pieces[pieces.len() - 1].span.end);
            fs.iter().find(|f| f.span.end <= span.start).map(|f| (span, f))
        })
    };
    for pieces in words {
        let Some((span, f)) = surname(pieces) else {
            continue;
        };
        if let Some(c) = cands.iter_mut().find(|c| c.span == span) {
            if c.entity_type == EntityType::PER && c.actor.is_none() {
                c.actor = f.actor;
                c.canonical = Some(f.span);
            }
        } else if !cands.iter().chain(added.iter()).any(|c| c.span.start < span.end && span.start < c.span.end) {
            added.push(Candidate {
                actor: f.actor,
                canonical: Some(f.span),
                ..Candidate::new(span, EntityType::PER, Source::Coreference)
            });
        }
    }
    cands.extend(added);
}

/// One sense per document: a name recognised somewhere in the document is the same name
/// where it recurs unrecognised, and of the type most of its mentions have. Its other bare
/// occurrences become mentions, and mentions of a minority type (a name the tagger called
/// ORG once and PER three times) take the majority's. Names are compared as written, without
/// proclitics. Names linked to the knowledge base keep their actor's type.
/// Cross-validated on ANERcorp train (4 folds, through the recognizer): +0.9 micro F1, every
/// fold up (research/ner-crf/RESULTS.md).
fn propagate_names(words: &DocumentWords, cands: &mut Vec<Candidate>) {
    // Per name: how often each type was given to it.
    let mut names: FxHashMap<u64, Vec<(EntityType, usize)>> = FxHashMap::default();
    let mut first_words: FxHashSet<u64> = FxHashSet::default();
    let mut longest = 0;
    for c in cands.iter().filter(|c| !c.nominal) {
        let ws = words.of(c.span);
        let Some(first) = ws.first() else { continue };
        longest = longest.max(ws.len());
        first_words.insert(first.1);
        let types = names.entry(phrase_hash(ws)).or_default();
        match types.iter_mut().find(|(t, _)| *t == c.entity_type) {
            Some((_, n)) => *n += 1,
            None => types.push((c.entity_type, 1)),
        }
    }
    // The type most of a name's mentions have, when it is more than half of them.
    let majority = |key: u64| {
        let types = names.get(&key)?;
        let total: usize = types.iter().map(|(_, n)| n).sum();
        types.iter().max_by_key(|(_, n)| *n).filter(|(_, n)| n * 2 > total).map(|(t, _)| *t)
    };
    for c in cands.iter_mut().filter(|c| !c.nominal && c.actor.is_none()) {
        if let Some(ty) = majority(phrase_hash(words.of(c.span))) {
            c.entity_type = ty;
        }
    }
    let mut added = Vec::new();
    for range in &words.sentences {
        let sentence = &words.words[range.clone()];
        let mut i = 0;
        while i < sentence.len() {
            let mut step = 1;
            if first_words.contains(&sentence[i].1) {
                // The longest name that starts here.
                for n in (1..=longest.min(sentence.len() - i)).rev() {
                    let key = phrase_hash(&sentence[i..i + n]);
                    if !names.contains_key(&key) {
                        continue;
                    }
                    let span = Span::new(sentence[i].0.start, sentence[i + n - 1].0.end);
                    let bare = !cands.iter().any(|c| c.span.start < span.end && span.start < c.span.end);
                    if let Some(ty) = majority(key).filter(|_| bare) {
                        added.push(Candidate::new(span, ty, Source::Coreference));
                    }
                    step = n;
                    break;
                }
            }
            i += step;
        }
    }
    cands.extend(added);
}

#[cfg(test)]
mod tests {
    use super::*;
    use marsad_text::split_sentences;

    fn recognize(text: &str) -> Vec<Entity> {
        let sentences = split_sentences(text, Span::new(0, text.len()));
        // The pattern source on and no tagger: these tests are about linking and short forms.
        Recognizer::new(KnowledgeBase::embedded(), None)
            .with_sources(Sources { patterns: true, ..Sources::default() })
            .recognize(text, &sentences)
    }

    #[test]
    fn knowledge_base_names_are_linked() {
        let e = recognize("اشتبك مقاتلو وبالحشد الشعبي مع عناصر داعش.");
        let ids: Vec<_> = e.iter().filter_map(|e| e.id.as_deref()).collect();
        assert!(ids.iter().any(|i| i.contains("pmf")), "{e:?}");
        assert!(ids.contains(&"grp-isis"), "{e:?}");
        let isis = e.iter().find(|e| e.id.as_deref() == Some("grp-isis")).expect("isis");
        assert_eq!(isis.entity_type, EntityType::ORG);
        assert_eq!(isis.name_en.as_deref(), Some("Islamic State"));
    }

    #[test]
    fn short_forms_resolve_to_the_full_mention() {
        let text = "قال المتحدث باسم المجلس مصطفى بالي إن القتال مستمر. وأضاف بالي أن الهجوم فشل.";
        let e = recognize(text);
        let full = e.iter().find(|e| e.text == "مصطفى بالي").unwrap_or_else(|| panic!("full mention in {e:?}"));
        assert_eq!(full.entity_type, EntityType::PER);
        let short = e.iter().find(|e| e.text == "بالي").expect("short form");
        assert_eq!(short.name_ar.as_deref(), Some("مصطفى بالي"));
        // After proclitics too: the mention starts after them.
        let text = "قال المتحدث باسم المجلس مصطفى بالي إن القتال مستمر. ونُسب الهجوم لبالي وحده.";
        let e = recognize(text);
        let short = e.iter().find(|e| e.start > text.find("لبالي").expect("in text")).expect("short form");
        assert_eq!((short.text.as_str(), short.name_ar.as_deref()), ("بالي", Some("مصطفى بالي")), "{e:?}");
    }

    #[test]
    fn a_place_inside_a_known_name_is_part_of_it_and_one_that_ends_it_is_not() {
        struct Places;
        impl Tagger for Places {
            fn tag(&self, text: &str, _: &[marsad_text::Token], _: &[ActorMatch]) -> Vec<(Span, EntityType)> {
                ["سوريا", "السعودية"]
                    .iter()
                    .flat_map(|p| text.match_indices(p).map(|(at, w)| (Span::new(at, at + w.len()), EntityType::GPE)))
                    .collect()
            }
        }
        let r = Recognizer::new(KnowledgeBase::embedded(), Some(&Places));
        let text = "هاجمت قوات سوريا الديمقراطية مواقع للتنظيم، ورحبت الحكومة السعودية بالهجوم.";
        let tokens = marsad_text::Tokenizer::default().tokenize(text);
        let e = r.recognize_tokens(text, &tokens, &[Span::new(0, text.len())]);
        let found: Vec<(&str, Option<&str>)> = e.iter().map(|e| (e.text.as_str(), e.id.as_deref())).collect();
        assert!(found.contains(&("قوات سوريا الديمقراطية", Some("syr-reb-sdf"))), "{found:?}");
        assert!(found.contains(&("السعودية", None)), "{found:?}");
        assert!(!found.iter().any(|f| f.0 == "سوريا"), "{found:?}");
    }

    /// A tagger that gives fixed names at fixed occurrences: (name, which occurrences, type).
    struct Fixed(Vec<(&'static str, Vec<usize>, EntityType)>);

    impl Tagger for Fixed {
        fn tag(&self, text: &str, tokens: &[marsad_text::Token], _: &[ActorMatch]) -> Vec<(Span, EntityType)> {
            let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for (name, which, ty) in &self.0 {
                for (i, (at, w)) in text.match_indices(name).enumerate() {
                    if which.contains(&i) && first.span.start <= at && at < last.span.end {
                        out.push((Span::new(at, at + w.len()), *ty));
                    }
                }
            }
            out
        }
    }

    fn recognize_with(tagger: &dyn Tagger, text: &str) -> Vec<(String, EntityType)> {
        let r = Recognizer::new(KnowledgeBase::embedded(), Some(tagger));
        let sentences = split_sentences(text, Span::new(0, text.len()));
        r.recognize(text, &sentences).into_iter().map(|e| (e.text, e.entity_type)).collect()
    }

    #[test]
    fn a_name_recurs_with_the_type_most_of_its_mentions_have() {
        let text = "وصل فولكسفاغن إلى المدينة. وقال فولكسفاغن إن الأمر انتهى. ثم غادر وفولكسفاغن وفولكسفاغن.";
        // Tagged ORG twice, PER once, missed once: all four are ORG.
        let tagger = Fixed(vec![("فولكسفاغن", vec![0, 2], EntityType::ORG), ("فولكسفاغن", vec![1], EntityType::PER)]);
        let found = recognize_with(&tagger, text);
        assert_eq!(found, vec![("فولكسفاغن".to_owned(), EntityType::ORG); 4], "{found:?}");
        // Without a majority, nothing changes and nothing is added.
        let tagger = Fixed(vec![("فولكسفاغن", vec![0], EntityType::ORG), ("فولكسفاغن", vec![1], EntityType::PER)]);
        let types: Vec<EntityType> = recognize_with(&tagger, text).into_iter().map(|(_, t)| t).collect();
        assert_eq!(types, [EntityType::ORG, EntityType::PER]);
    }

    #[test]
    fn a_tagged_name_that_runs_into_a_known_name_of_another_type_is_cut_there() {
        let text = "لقد غادر بوريس يلتسين الكرملين بعد مرضه.";
        let tagger = Fixed(vec![("بوريس يلتسين الكرملين", vec![0], EntityType::PER)]);
        let found = recognize_with(&tagger, text);
        assert_eq!(
            found,
            [("بوريس يلتسين".to_owned(), EntityType::PER), ("الكرملين".to_owned(), EntityType::ORG)],
            "{found:?}"
        );
    }

    #[test]
    fn descriptions_are_marked_nominal() {
        let e = recognize("قصف الجيش الإسرائيلي مواقع لحزب الله.");
        let marks: Vec<(&str, bool)> = e.iter().map(|e| (e.text.as_str(), e.nominal)).collect();
        assert_eq!(marks, [("الجيش الإسرائيلي", true), ("حزب الله", false)], "{e:?}");
    }

    #[test]
    fn a_place_is_not_linked_to_a_person_of_that_surname() {
        struct Loc;
        impl Tagger for Loc {
            fn tag(&self, text: &str, _: &[marsad_text::Token], _: &[ActorMatch]) -> Vec<(Span, EntityType)> {
                text.match_indices("البغدادي").map(|(at, w)| (Span::new(at, at + w.len()), EntityType::LOC)).collect()
            }
        }
        let r = Recognizer::new(KnowledgeBase::embedded(), Some(&Loc));
        let text = "وصلت القوات إلى البغدادي";
        let tokens = marsad_text::Tokenizer::default().tokenize(text);
        let e = r.recognize_tokens(text, &tokens, &[Span::new(0, text.len())]);
        let place = e.iter().find(|e| e.text == "البغدادي").expect("tagged");
        assert_eq!((place.entity_type, place.id.as_deref()), (EntityType::LOC, None), "{place:?}");
    }
}
