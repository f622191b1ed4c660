//! The knowledge base: canonical actors (states' forces, armed groups, parties, media,
//! persons, civilian groups) with all their names, compiled once into a double-array
//! Aho–Corasick automaton (daachorse) over Arabic word keys, so that a document's whole token
//! stream is matched in one pass, clitics and articles notwithstanding.
//!
//! Data: data/kb/actors.jsonl (see data/kb/README.md for sources, licences and the script that
//! derives it). Loading is a pure function of the file's text.

pub mod matcher;

use marsad_core::Span;
use marsad_text::Tokenizer;
use marsad_text::keys::{is_definite, phrase_key_definite, word_keys, words};
pub use matcher::{PhraseMatch, PhraseMatcher};
use serde::{Deserialize, Serialize};

/// What kind of actor an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    StateForce,
    Government,
    RebelGroup,
    Militia,
    PoliticalParty,
    InternationalOrg,
    Media,
    Person,
    Civilians,
    Ngo,
    Religious,
    Business,
    Other,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::StateForce => "state_force",
            ActorKind::Government => "government",
            ActorKind::RebelGroup => "rebel_group",
            ActorKind::Militia => "militia",
            ActorKind::PoliticalParty => "political_party",
            ActorKind::InternationalOrg => "international_org",
            ActorKind::Media => "media",
            ActorKind::Person => "person",
            ActorKind::Civilians => "civilians",
            ActorKind::Ngo => "ngo",
            ActorKind::Religious => "religious",
            ActorKind::Business => "business",
            ActorKind::Other => "other",
        }
    }
}

/// One canonical actor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: String,
    pub name_ar: String,
    pub name_en: Option<String>,
    #[serde(default)]
    pub aliases_ar: Vec<String>,
    #[serde(default)]
    pub aliases_en: Vec<String>,
    pub kind: ActorKind,
    pub country: Option<String>,
    #[serde(default)]
    pub cameo: Vec<String>,
    pub role: Option<String>,
    /// ACLED actor type: 1 state forces … 8 external/other forces.
    pub acled_inter: Option<u8>,
    /// Where the entry comes from (`universalpetrarch`, `curated`, or both).
    #[serde(default)]
    pub source: Option<String>,
}

impl Actor {
    /// Every name of the actor, canonical ones first.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name_ar.as_str())
            .chain(self.name_en.as_deref())
            .chain(self.aliases_ar.iter().map(String::as_str))
            .chain(self.aliases_en.iter().map(String::as_str))
    }
}

/// A problem with the knowledge-base data, with its line.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: line {line}: {message}")]
pub struct KbError {
    pub source_name: String,
    pub line: usize,
    pub message: String,
}

/// A name found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActorMatch {
    /// From the first to the last byte of the matched words.
    pub span: Span,
    /// Index into [`KnowledgeBase::actors`].
    pub actor: usize,
    /// The name describes the actor rather than naming it (see [`is_description`]).
    pub description: bool,
}

const ACTORS: &str = include_str!("../../../data/kb/actors.jsonl");

static EMBEDDED: std::sync::LazyLock<KnowledgeBase> = std::sync::LazyLock::new(|| {
    KnowledgeBase::from_jsonl("data/kb/actors.jsonl", ACTORS, &Tokenizer::default())
        .expect("the embedded knowledge base is valid (checked by its test)")
});

/// Names in Latin script shorter than this are not matched: "IS", "AP" are English words too.
const MIN_LATIN_NAME: usize = 3;

/// Set in a matched key's value when all names with that key begin with the article, or all
/// one-word names without it: the text's first word must agree (الحشد الشعبي matches للحشد, not
/// لحشد "to mobilise"; حماس does not match الحماس "the zeal"). [`DEFINITE`] says which. Longer
/// names without the article may take it: foreign names often do (الأسوشيتد برس).
const ARTICLE_AGREES: u32 = 1 << 31;
const DEFINITE: u32 = 1 << 30;
/// Set when the key's first name is a description (see [`is_description`]).
const DESCRIPTION: u32 = 1 << 29;
const FLAGS: u32 = ARTICLE_AGREES | DEFINITE | DESCRIPTION;

/// Head nouns (as word keys) of descriptions: an army, forces, a government, a regime …
const DESCRIPTION_HEADS: [&str; 13] =
    ["جيش", "قوات", "حكومه", "نظام", "طيران", "اداره", "شرطه", "بحريه", "سلطات", "خارجيه", "داخليه", "امن", "قياده"];

/// Is a name a description — a head noun followed by nisba adjectives with the article, as in
/// الجيش الإسرائيلي, الحكومة السودانية, القوات المسلحة السودانية — rather than a proper name
/// (حزب الله, قوات سوريا الديمقراطية)? Readers and named-entity corpora (ANERcorp, ACE's NOM
/// mentions) treat these as descriptions of the actor; marsad keeps them as linked mentions,
/// marked so. Written by hand: no library knows Arabic nisba adjectives.
pub fn is_description(tokens: &[marsad_text::Token]) -> bool {
    let mut word_list = words(tokens).zip(word_keys(tokens)).filter_map(|(p, k)| Some((p, k?.key)));
    let Some((_, head)) = word_list.next() else {
        return false;
    };
    let mut adjectives = 0;
    for (pieces, key) in word_list {
        let nisba = ["ي", "يه", "يين", "يون"].iter().any(|e| key.ends_with(e)) || key == "مسلحه";
        if !(is_definite(pieces) && nisba) {
            return false;
        }
        adjectives += 1;
    }
    adjectives > 0 && DESCRIPTION_HEADS.contains(&head.as_str())
}

/// The actors and their compiled matcher.
pub struct KnowledgeBase {
    actors: Vec<Actor>,
    /// Name keys matched in text → actor index.
    matcher: PhraseMatcher,
    /// Every name key, also those too ambiguous to match in text → actor index, for linking
    /// names found by other means.
    keys: std::collections::HashMap<String, u32>,
}

impl KnowledgeBase {
    /// The knowledge base compiled into the binary (data/kb/actors.jsonl).
    pub fn embedded() -> &'static KnowledgeBase {
        &EMBEDDED
    }

    /// Parses JSON lines of actors and compiles their names. Later entries never override
    /// earlier ones for the same key: the data is ordered by priority.
    pub fn from_jsonl(source_name: &str, text: &str, tokenizer: &Tokenizer<'_>) -> Result<KnowledgeBase, KbError> {
        let mut actors = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let actor: Actor = serde_json::from_str(line).map_err(|e| KbError {
                source_name: source_name.to_owned(),
                line: i + 1,
                message: e.to_string(),
            })?;
            actors.push(actor);
        }
        Ok(KnowledgeBase::from_actors(actors, tokenizer))
    }

    pub fn from_actors(actors: Vec<Actor>, tokenizer: &Tokenizer<'_>) -> KnowledgeBase {
        let mut keys = std::collections::HashMap::new();
        let mut patterns: Vec<(String, u32)> = Vec::new();
        // Per matched key, its index in `patterns`: a key whose names all begin with the article,
        // or all without it, must begin so in the text too (see `ARTICLE_AGREES`).
        let mut pattern_of: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (i, a) in actors.iter().enumerate() {
            for name in a.names() {
                if name.is_ascii() && name.trim().len() < MIN_LATIN_NAME {
                    continue;
                }
                // One-word names from the derived dictionary are too often common nouns
                // (القطاع, الحكومة): only curated entries may be known by one word.
                let derived_only = a.source.as_deref() == Some("universalpetrarch");
                // A one-word name of two letters or fewer once its clitics are read off is
                // mostly another word: the acronyms واس and وال key as اس and ال, which match
                // أسهم (أس + هم) and a split article.
                let ambiguous = |key: &str| !key.contains(' ') && key.chars().count() < 3;
                let tokens = tokenizer.tokenize(name);
                let Some((key, definite)) = phrase_key_definite(&tokens) else {
                    continue;
                };
                let description = if is_description(&tokens) { DESCRIPTION } else { 0 };
                // Groups of people are common nouns: مدنيين and المدنيين are the same group.
                let article = match (definite, key.contains(' ')) {
                    _ if a.kind == ActorKind::Civilians => 0,
                    (true, _) => ARTICLE_AGREES | DEFINITE,
                    (false, false) => ARTICLE_AGREES,
                    (false, true) => 0,
                };
                if let Some(&p) = pattern_of.get(&key) {
                    if patterns[p].1 & (ARTICLE_AGREES | DEFINITE) != article {
                        patterns[p].1 &= !(ARTICLE_AGREES | DEFINITE);
                    }
                } else if (!derived_only || key.contains(' ')) && !ambiguous(&key) && !keys.contains_key(&key) {
                    pattern_of.insert(key.clone(), patterns.len());
                    patterns.push((key.clone(), i as u32 | article | description));
                    keys.insert(key, i as u32);
                }
            }
        }
        KnowledgeBase { actors, matcher: PhraseMatcher::new(patterns), keys }
    }

    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }

    /// How many distinct name keys the automaton holds.
    pub fn name_count(&self) -> usize {
        self.matcher.len()
    }

    /// The actor a name key (see `marsad_text::keys`) belongs to.
    pub fn by_key(&self, key: &str) -> Option<usize> {
        self.keys.get(key).map(|&i| i as usize)
    }

    /// Finds actors' names in `text` (leftmost-longest, non-overlapping), given its tokens.
    pub fn find(&self, tokens: &[marsad_text::Token]) -> Vec<ActorMatch> {
        let keys = word_keys(tokens);
        let found = self.matcher.find(&keys);
        let pieces: Vec<&[marsad_text::Token]> =
            if found.iter().any(|m| m.value & ARTICLE_AGREES != 0) { words(tokens).collect() } else { Vec::new() };
        found
            .into_iter()
            .filter(|m| {
                m.value & ARTICLE_AGREES == 0 || is_definite(pieces[m.words.start]) == (m.value & DEFINITE != 0)
            })
            .map(|m| ActorMatch {
                span: m.span,
                actor: (m.value & !FLAGS) as usize,
                description: m.value & DESCRIPTION != 0,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = r#"{"id":"grp-isis","name_ar":"تنظيم الدولة الإسلامية","name_en":"Islamic State","aliases_ar":["داعش","تنظيم الدولة","الدولة الإسلامية"],"aliases_en":["ISIS","ISIL"],"kind":"rebel_group","country":null,"cameo":["IMGREBMUS"],"role":null,"acled_inter":2}
{"id":"grp-pmf","name_ar":"الحشد الشعبي","name_en":"Popular Mobilization Forces","aliases_ar":["قوات الحشد الشعبي"],"aliases_en":["PMF"],"kind":"militia","country":"IQ","cameo":[],"role":null,"acled_inter":3}
{"id":"grp-sdf","name_ar":"قوات سوريا الديمقراطية","name_en":"Syrian Democratic Forces","aliases_ar":["قسد"],"aliases_en":["SDF"],"kind":"rebel_group","country":"SY","cameo":[],"role":null,"acled_inter":2}
"#;

    fn kb() -> KnowledgeBase {
        KnowledgeBase::from_jsonl("test", DATA, &Tokenizer::default()).expect("kb")
    }

    fn found(text: &str) -> Vec<(String, String)> {
        let kb = kb();
        let tokens = Tokenizer::default().tokenize(text);
        kb.find(&tokens).into_iter().map(|m| (m.span.slice(text).to_owned(), kb.actors()[m.actor].id.clone())).collect()
    }

    #[test]
    fn names_match_through_clitics_and_articles() {
        // The mention starts after the proclitics: و, ب and ل are not part of the name.
        assert_eq!(found("اشتبكت وبالحشد الشعبي أمس"), [("الحشد الشعبي".to_owned(), "grp-pmf".to_owned())]);
        assert_eq!(
            found("هاجم مسلحو داعش مواقع لقوات سوريا الديمقراطية"),
            [("داعش".to_owned(), "grp-isis".to_owned()), ("قوات سوريا الديمقراطية".to_owned(), "grp-sdf".to_owned())]
        );
        assert_eq!(
            found("قال ISIS و SDF"),
            [("ISIS".to_owned(), "grp-isis".to_owned()), ("SDF".to_owned(), "grp-sdf".to_owned())]
        );
    }

    #[test]
    fn longest_name_wins_and_words_are_whole() {
        // "تنظيم الدولة الإسلامية" is longer than "تنظيم الدولة".
        assert_eq!(found("أعلن تنظيم الدولة الإسلامية"), [("تنظيم الدولة الإسلامية".to_owned(), "grp-isis".to_owned())]);
        // No match inside a longer word, nor across a comma.
        assert!(found("داعشي").is_empty());
        assert_eq!(found("الحشد، الشعبي"), Vec::<(String, String)>::new());
    }

    #[test]
    fn embedded_knowledge_base_loads_and_is_large() {
        let kb = KnowledgeBase::embedded();
        assert!(kb.actors().len() >= 1500, "{} actors", kb.actors().len());
        let names: usize = kb.actors().iter().map(|a| a.names().count()).sum();
        assert!(names >= 5000, "{names} names");
        let tokens = Tokenizer::default().tokenize("هاجم مسلحو داعش مواقع لقوات سوريا الديمقراطية قرب الباغوز");
        let ids: Vec<&str> = kb.find(&tokens).iter().map(|m| kb.actors()[m.actor].id.as_str()).collect();
        assert!(ids.contains(&"grp-isis"), "{ids:?}");
        assert!(ids.iter().any(|i| i.contains("sdf")), "{ids:?}");
    }

    #[test]
    fn acronyms_that_key_as_two_letters_match_nothing() {
        // واس (SPA) and وال (LANA) read as و + اس / و + ال: they would match أسهم and a split
        // article.
        let kb = KnowledgeBase::embedded();
        let tokens = Tokenizer::default().tokenize("ارتفعت أسهم الشركة وقال ال مسؤول");
        assert!(kb.find(&tokens).is_empty(), "{:?}", kb.find(&tokens));
    }

    #[test]
    fn the_article_of_a_name_agrees_with_the_text() {
        assert_eq!(found("دعا إلى حشد شعبي واسع"), Vec::<(String, String)>::new());
        // للحشد is ل + the article written ل: the mention starts at the article.
        assert_eq!(found("قصف مواقع للحشد الشعبي"), [("لحشد الشعبي".to_owned(), "grp-pmf".to_owned())]);
        // Nor does a name written without the article match a word that has it.
        assert_eq!(found("مسلحو داعش"), [("داعش".to_owned(), "grp-isis".to_owned())]);
        assert_eq!(found("قوبل الداعش"), Vec::<(String, String)>::new());
        // Unless it is longer: foreign names often take the article.
        assert_eq!(
            found("وصلت القوات سوريا الديمقراطية"),
            [("القوات سوريا الديمقراطية".to_owned(), "grp-sdf".to_owned())]
        );
        // Groups of people are common nouns, with or without the article.
        let kb = KnowledgeBase::embedded();
        let tokens = Tokenizer::default().tokenize("قتل خمسة مدنيين");
        let ids: Vec<&str> = kb.find(&tokens).iter().map(|m| kb.actors()[m.actor].id.as_str()).collect();
        assert_eq!(ids, ["cvl-civilians"]);
    }

    #[test]
    fn descriptions_are_told_from_names() {
        let t = Tokenizer::default();
        let description = |name: &str| is_description(&t.tokenize(name));
        for d in ["الجيش الإسرائيلي", "الحكومة السودانية", "القوات المسلحة السودانية", "والإدارة الأمريكية"]
        {
            assert!(description(d), "{d}");
        }
        for n in ["حزب الله", "قوات سوريا الديمقراطية", "الجيش", "جيش الاحتلال", "الحشد الشعبي", "جيش إسرائيلي"]
        {
            assert!(!description(n), "{n}");
        }
        let kb = KnowledgeBase::embedded();
        let found = kb.find(&t.tokenize("قصف الجيش الإسرائيلي مواقع حزب الله"));
        let flags: Vec<bool> = found.iter().map(|m| m.description).collect();
        assert_eq!(flags, [true, false], "{found:?}");
    }

    #[test]
    fn short_latin_names_are_not_matched() {
        let kb = KnowledgeBase::embedded();
        let tokens = Tokenizer::default().tokenize("This is what it is");
        assert!(kb.find(&tokens).is_empty());
    }

    #[test]
    fn bad_data_names_its_line() {
        let e = KnowledgeBase::from_jsonl("kb.jsonl", "\n{\"id\": 1}\n", &Tokenizer::default()).err().expect("error");
        assert!(e.to_string().starts_with("kb.jsonl: line 2:"), "{e}");
    }
}
