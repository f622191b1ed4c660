//! The data the text layer reads: word frequencies for clitic decisions, words never split,
//! hosts of pronoun enclitics. Embedded from `data/text/` at compile time; see
//! `data/text/README.md` for sources and licences and the scripts that regenerate them.

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::LazyLock;

const WORDFREQ: &str = include_str!("../../../data/text/wordfreq.tsv");
const NO_SPLIT: &str = include_str!("../../../data/text/no_split.txt");
const HOSTS: &str = include_str!("../../../data/text/preposition_hosts.tsv");

/// Word knowledge for segmentation. Keys are lossless-normalized whole words.
pub struct Lexicon {
    freq: FxHashMap<Box<str>, u32>,
    no_split: FxHashSet<Box<str>>,
    hosts: FxHashMap<Box<str>, Box<str>>,
    /// The segmentations of the word forms seen, shared by every thread that tokenizes with
    /// this lexicon (see [`crate::tokenize`]).
    pub(crate) segments: crate::tokenize::SegmentMemo,
}

static EMBEDDED: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::parse(WORDFREQ, NO_SPLIT, HOSTS));

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim_end).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The `n` most frequent word forms of the reference corpora, most frequent first (function
/// words and the commonest news words: the stop words of term statistics).
pub fn most_frequent_words(n: usize) -> impl Iterator<Item = &'static str> {
    data_lines(WORDFREQ).filter_map(|l| l.split_once('\t').map(|(w, _)| w)).take(n)
}

impl Lexicon {
    /// The lexicon compiled into the binary.
    pub fn embedded() -> &'static Lexicon {
        &EMBEDDED
    }

    /// An empty lexicon: no frequencies, nothing protected (used to bootstrap word counts).
    pub fn empty() -> Lexicon {
        Lexicon::parse("", "", "")
    }

    /// Builds a lexicon from the three data files' contents. Malformed lines are skipped: the
    /// files are ours and tested, and the text layer must not fail.
    pub fn parse(wordfreq: &str, no_split: &str, hosts: &str) -> Lexicon {
        let mut freq = FxHashMap::default();
        for line in data_lines(wordfreq) {
            if let Some((w, n)) = line.split_once('\t')
                && let Ok(n) = n.trim().parse::<u32>()
            {
                freq.insert(Box::from(w), n);
            }
        }
        let no_split = data_lines(no_split).map(|l| Box::from(l.trim())).collect();
        let hosts = data_lines(hosts)
            .filter_map(|l| l.split_once('\t'))
            .map(|(s, n)| (Box::from(s.trim()), Box::from(n.trim())))
            .collect();
        Lexicon { freq, no_split, hosts, segments: crate::tokenize::SegmentMemo::default() }
    }

    /// How many word forms have frequencies.
    pub fn len(&self) -> usize {
        self.freq.len()
    }

    pub fn is_empty(&self) -> bool {
        self.freq.is_empty()
    }

    /// How often the word occurs (as a whole) in the reference corpora.
    pub fn freq(&self, word: &str) -> u32 {
        self.freq.get(word).copied().unwrap_or(0)
    }

    pub fn is_no_split(&self, word: &str) -> bool {
        self.no_split.contains(word)
    }

    /// The normalized form of a host of pronoun enclitics (علي → على), if `word` is one.
    pub fn preposition_host(&self, word: &str) -> Option<&str> {
        self.hosts.get(word).map(|s| &**s)
    }

    pub fn word_count(&self) -> usize {
        self.freq.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_skips_comments_and_bad_lines() {
        let l = Lexicon::parse("# c\nقال\t10\nbad line\nوقال\tx\n", "# c\nالله\n", "علي\tعلى\n");
        assert_eq!(l.freq("قال"), 10);
        assert_eq!(l.freq("وقال"), 0);
        assert_eq!(l.word_count(), 1);
        assert!(l.is_no_split("الله"));
        assert_eq!(l.preposition_host("علي"), Some("على"));
    }
}
