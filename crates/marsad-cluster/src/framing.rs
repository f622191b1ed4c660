//! Source framing: the loaded words an article uses for the actors (إرهابيين / مسلحين / ثوار,
//! النظام / الحكومة, شهداء / قتلى, المزعومة …), found with a curated lexicon
//! (data/framing/terms.tsv). No sentiment model: the words, where they stand, and whether the
//! outlet says them in its own voice or inside a quote.

use marsad_core::Document;
use marsad_text::{Tokenizer, search_terms};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::sync::LazyLock;

const TERMS: &str = include_str!("../../../data/framing/terms.tsv");

/// One lexicon entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameTerm {
    pub term: String,
    /// delegitimizing, legitimizing, dehumanizing, neutral-label, regime-label, state-label,
    /// martyrdom, casualty-neutral, occupation, aggression … (data/framing/README.md).
    pub frame: String,
    /// negative, positive or neutral: how it leans about its referent.
    pub stance: String,
    /// Who it is typically used about (armed-group, state, israel, houthis …).
    pub about: String,
    pub gloss: String,
}

/// A lexicon term found in an article.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FramingHit {
    pub start: usize,
    pub end: usize,
    /// The words as the article wrote them.
    pub text: String,
    pub term: FrameTerm,
    /// Inside a quote: someone the article cites said it, not the outlet.
    pub quoted: bool,
}

/// The lexicon, keyed by the search terms of each entry (so clitics, the article and number
/// and gender suffixes do not hide a use).
pub struct Lexicon {
    entries: Vec<FrameTerm>,
    by_key: FxHashMap<String, usize>,
    longest: usize,
}

static EMBEDDED: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::parse(TERMS, &Tokenizer::default()));

impl Lexicon {
    /// The lexicon compiled into the binary.
    pub fn embedded() -> &'static Lexicon {
        &EMBEDDED
    }

    /// Reads the TSV (`term frame stance about gloss`, a header, `#` comments). An entry whose
    /// search terms equal an earlier one's adds nothing: the first wins.
    pub fn parse(text: &str, tokenizer: &Tokenizer<'_>) -> Lexicon {
        let mut lex = Lexicon { entries: Vec::new(), by_key: FxHashMap::default(), longest: 0 };
        for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
            let f: Vec<&str> = line.split('\t').map(str::trim).collect();
            if f.len() < 4 || f[0] == "term" {
                continue;
            }
            let terms: Vec<String> = search_terms(tokenizer, f[0]).into_iter().map(|t| t.term).collect();
            if terms.is_empty() {
                continue;
            }
            lex.longest = lex.longest.max(terms.len());
            let entry = FrameTerm {
                term: f[0].to_owned(),
                frame: f[1].to_owned(),
                stance: f[2].to_owned(),
                about: f[3].to_owned(),
                gloss: f.get(4).copied().unwrap_or_default().to_owned(),
            };
            let index = lex.entries.len();
            if let std::collections::hash_map::Entry::Vacant(v) = lex.by_key.entry(terms.join(" ")) {
                v.insert(index);
                lex.entries.push(entry);
            }
        }
        lex
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The lexicon's terms in an article's text, longest match first, outside removed
    /// boilerplate.
    pub fn find(&self, doc: &Document, tokenizer: &Tokenizer<'_>) -> Vec<FramingHit> {
        let terms = search_terms(tokenizer, &doc.text);
        let removed = |at: usize| doc.removed.iter().any(|r| r.start <= at && at < r.end);
        let quoted = |at: usize| doc.quotes.iter().any(|q| q.start <= at && at < q.end);
        let mut out = Vec::new();
        let mut i = 0;
        while i < terms.len() {
            let mut matched = None;
            for len in (1..=self.longest.min(terms.len() - i)).rev() {
                let run = &terms[i..i + len];
                // Consecutive words only: punctuation between them takes a position.
                if run.last().map(|t| t.position) != Some(run[0].position + len - 1) {
                    continue;
                }
                let key: Vec<&str> = run.iter().map(|t| t.term.as_str()).collect();
                if let Some(&e) = self.by_key.get(&key.join(" ")) {
                    matched = Some((len, e));
                    break;
                }
            }
            match matched {
                Some((len, e)) if !removed(terms[i].span.start) => {
                    let (start, end) = (terms[i].span.start, terms[i + len - 1].span.end);
                    out.push(FramingHit {
                        start,
                        end,
                        text: doc.text.get(start..end).unwrap_or_default().to_owned(),
                        term: self.entries[e].clone(),
                        quoted: quoted(start),
                    });
                    i += len;
                }
                _ => i += 1,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use marsad_core::Quote;

    #[test]
    fn inflected_and_cliticized_uses_are_found_and_quotes_told_apart() {
        let lex = Lexicon::parse(
            "term\tframe\tstance\tabout\tgloss\nإرهابيين\tdelegitimizing\tnegative\tarmed-group\tterrorists\n\
             النظام السوري\tregime-label\tnegative\tsyrian-government\tthe Syrian regime\n\
             مسلحين\tneutral-label\tneutral\tarmed-group\tgunmen\n",
            &Tokenizer::default(),
        );
        assert_eq!(lex.len(), 3);
        let text = "قصفت قوات النظام السوري مواقع للمسلحين. وقال الوزير: «سنلاحق الإرهابيين».";
        let q = text.find('«').unwrap_or_default();
        let doc = Document {
            text: text.into(),
            quotes: vec![Quote {
                start: q,
                end: text.len(),
                text: text[q..].into(),
                speaker: None,
                cue: None,
                channel: None,
            }],
            ..Document::default()
        };
        let hits = lex.find(&doc, &Tokenizer::default());
        let got: Vec<(&str, &str, bool)> =
            hits.iter().map(|h| (h.text.as_str(), h.term.frame.as_str(), h.quoted)).collect();
        assert_eq!(
            got,
            [
                ("النظام السوري", "regime-label", false),
                ("للمسلحين", "neutral-label", false),
                ("الإرهابيين", "delegitimizing", true)
            ]
        );
        assert!(Lexicon::embedded().len() > 100);
    }
}
