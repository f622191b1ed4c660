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
use marsad_text::keys::{phrase_key, word_keys};
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
}

const ACTORS: &str = include_str!("../../../data/kb/actors.jsonl");

static EMBEDDED: std::sync::LazyLock<KnowledgeBase> = std::sync::LazyLock::new(|| {
    KnowledgeBase::from_jsonl("data/kb/actors.jsonl", ACTORS, &Tokenizer::default())
        .expect("the embedded knowledge base is valid (checked by its test)")
});

/// Names in Latin script shorter than this are not matched: "IS", "AP" are English words too.
const MIN_LATIN_NAME: usize = 3;

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
                if let Some(key) = phrase_key(tokenizer, name)
                    && (!derived_only || key.contains(' '))
                    && !ambiguous(&key)
                    && !keys.contains_key(&key)
                {
                    patterns.push((key.clone(), i as u32));
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
        self.matcher.find(&keys).into_iter().map(|m| ActorMatch { span: m.span, actor: m.value as usize }).collect()
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
