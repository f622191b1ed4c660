//! A dictionary of phrases over word keys (see `marsad_text::keys`), compiled into a finite
//! state transducer (`fst`): phrase key → value. A document's word keys are walked through the
//! transducer word by word, so matching is leftmost-longest, whole words only, and never
//! crosses punctuation, without building any string per document; building is a sort and one
//! pass (tens of milliseconds for the 60,000 names of the gazetteer).

use fst::raw::{Fst, Output};
use fst::{Map, MapBuilder};
use marsad_core::Span;
use marsad_text::keys::WordKey;
use rustc_hash::FxHashSet;

/// A phrase found in a word-key sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhraseMatch {
    /// From the first byte of the first word (after its proclitics) to the end of the last.
    pub span: Span,
    /// The matched words, as indices into the word-key sequence.
    pub words: std::ops::Range<usize>,
    /// The value the phrase was added with.
    pub value: u32,
}

/// Phrase keys ("key key …", words separated by one space) mapped to values.
pub struct PhraseMatcher {
    map: Map<Vec<u8>>,
    /// The first words of all phrases: most words of a text begin none, and one hash lookup
    /// says so faster than a walk into the transducer.
    first_words: FxHashSet<Box<str>>,
}

impl Default for PhraseMatcher {
    fn default() -> Self {
        PhraseMatcher::new(std::iter::empty())
    }
}

impl PhraseMatcher {
    /// Compiles `(phrase key, value)` pairs; the first value given for a key is kept.
    pub fn new(phrases: impl IntoIterator<Item = (String, u32)>) -> PhraseMatcher {
        let mut pairs: Vec<(String, u32, usize)> =
            phrases.into_iter().enumerate().filter(|(_, (k, _))| !k.is_empty()).map(|(i, (k, v))| (k, v, i)).collect();
        // Sorted by key, then by order given, so that the first of equal keys is kept.
        pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(&b.2)));
        pairs.dedup_by(|b, a| a.0 == b.0);
        let first_words = pairs.iter().map(|(k, _, _)| Box::from(k.split(' ').next().unwrap_or(k))).collect();
        let mut builder = MapBuilder::memory();
        for (key, value, _) in &pairs {
            // Keys are sorted and distinct, so insertion cannot fail.
            let _ = builder.insert(key, u64::from(*value));
        }
        let map = builder.into_map();
        PhraseMatcher { map, first_words }
    }

    /// How many distinct phrase keys it holds.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Does some phrase begin with this word key?
    pub fn is_first_word(&self, key: &str) -> bool {
        self.first_words.contains(key)
    }

    /// The value of one phrase key.
    pub fn get(&self, key: &str) -> Option<u32> {
        self.map.get(key).map(|v| v as u32)
    }

    /// Finds phrases in a word-key sequence (`None` words are punctuation: no phrase crosses
    /// them), leftmost-longest and non-overlapping.
    pub fn find(&self, keys: &[Option<WordKey>]) -> Vec<PhraseMatch> {
        let fst = self.map.as_fst();
        let mut out = Vec::new();
        let mut i = 0;
        while i < keys.len() {
            // A match covers words only (never a `None`), so both ends are words.
            let starts_one = keys[i].as_ref().is_some_and(|k| self.first_words.contains(k.key.as_str()));
            let found = if starts_one { longest_at(fst, &keys[i..]) } else { None };
            if let Some((n, value)) = found
                && let (Some(a), Some(b)) = (&keys[i], &keys[i + n - 1])
            {
                out.push(PhraseMatch { span: Span::new(a.span.start, b.span.end), words: i..i + n, value });
                i += n;
            } else {
                i += 1;
            }
        }
        out
    }
}

/// The longest phrase that starts at the first word: its length in words and its value.
fn longest_at(fst: &Fst<Vec<u8>>, keys: &[Option<WordKey>]) -> Option<(usize, u32)> {
    let mut node = fst.root();
    let mut out = Output::zero();
    let mut best = None;
    for (n, key) in keys.iter().enumerate() {
        let Some(key) = key else {
            break;
        };
        let bytes = (n > 0).then_some(&b" "[..]).into_iter().chain(std::iter::once(key.key.as_bytes()));
        for &byte in bytes.flatten() {
            let Some(t) = node.find_input(byte) else {
                return best;
            };
            let t = node.transition(t);
            out = out.cat(t.out);
            node = fst.node(t.addr);
        }
        if node.is_final() {
            best = Some((n + 1, out.cat(node.final_output()).value() as u32));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use marsad_text::Tokenizer;
    use marsad_text::keys::{phrase_key, word_keys};

    #[test]
    fn matches_whole_words_longest_first() {
        let t = Tokenizer::default();
        let m = PhraseMatcher::new(
            ["دير الزور", "ريف دير الزور", "دير"]
                .iter()
                .enumerate()
                .filter_map(|(i, n)| Some((phrase_key(&t, n)?, i as u32))),
        );
        assert_eq!(m.len(), 3);
        let text = "في ريف دير الزور، ودير";
        let keys = word_keys(&t.tokenize(text));
        let found: Vec<(&str, u32, usize)> =
            m.find(&keys).iter().map(|x| (x.span.slice(text), x.value, x.words.len())).collect();
        assert_eq!(found, [("ريف دير الزور", 1, 3), ("دير", 2, 1)]);
        assert!(m.find(&word_keys(&t.tokenize("ديري"))).is_empty());
        // Adjacent names are both found; a prefix of a longer name is found when the rest is
        // missing ("دير" before "الزو").
        let text = "دير دير الزور";
        let found: Vec<u32> = m.find(&word_keys(&t.tokenize(text))).iter().map(|x| x.value).collect();
        assert_eq!(found, [2, 0]);
        let found: Vec<u32> = m.find(&word_keys(&t.tokenize("ريف دير الزو"))).iter().map(|x| x.value).collect();
        assert_eq!(found, [2]);
    }

    #[test]
    fn the_first_value_of_a_key_is_kept() {
        let m = PhraseMatcher::new([("ا ب".to_owned(), 7), ("ا ب".to_owned(), 9), ("ا".to_owned(), 1)]);
        assert_eq!((m.len(), m.get("ا ب"), m.get("ا"), m.get("ب")), (2, Some(7), Some(1), None));
        assert!(PhraseMatcher::default().find(&[]).is_empty());
    }
}
