//! The statistical tagger: a linear-chain CRF (the `crfs` crate, a pure-Rust CRFsuite) over
//! ANERcorp, with clitic, affix, trigger, gazetteer, frequency, knowledge-base, unsupervised
//! word-cluster and label-prior features. The model, the clusters and the label prior are data
//! under data/ner/, built by research/ner-crf (commands and figures in its RESULTS.md: ANERcorp
//! test micro F1 72.84 for this model).

pub mod features;

use crate::recognize::Tagger;
use features::{FeatureSet, Resources};
use marsad_core::{EntityType, Span};
use marsad_text::Token;
use rustc_hash::FxHashMap;
use std::sync::LazyLock;

const MODEL: &[u8] = include_bytes!("../../../../data/ner/tagger.crfsuite");
const WORD_CLUSTERS: &str = include_str!("../../../../data/ner/clusters_word.tsv");
const STEM_CLUSTERS: &str = include_str!("../../../../data/ner/clusters_stem.tsv");
const WORD_CLUSTERS2: &str = include_str!("../../../../data/ner/clusters_word2.tsv");
const LABEL_PRIOR: &str = include_str!("../../../../data/ner/label_prior.tsv");

/// The key a word is clustered under: lossy form, digits as 0.
pub fn word_key(w: &str) -> String {
    marsad_text::lossy(w).chars().map(|c| if c.is_ascii_digit() { '0' } else { c }).collect()
}

/// The same, for the word without its clitics.
pub fn stem_key(w: &str) -> String {
    let pieces = marsad_text::segment::segment_word(marsad_text::Lexicon::embedded(), w);
    let stem =
        pieces.iter().find(|p| p.role == marsad_text::PieceRole::Stem).map_or(w, |p| &w[p.span.start..p.span.end]);
    word_key(stem)
}

/// Word clusters: key → bit path (a prefix of the path is a coarser cluster).
#[derive(Default)]
pub struct Clusters {
    paths: FxHashMap<String, String>,
}

impl Clusters {
    /// Parses `key<TAB>path[<TAB>count]` lines.
    pub fn parse(text: &str) -> Clusters {
        let paths = text
            .lines()
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some((f.next()?.to_string(), f.next()?.to_string()))
            })
            .collect();
        Clusters { paths }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.paths.get(key).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

/// A CRF model's weights, read once from the model file (crfs' own dump) so that tagging
/// needs no per-feature string: a feature's name is hashed as it is formatted, and its
/// weights are looked up by that hash. Hand-written inference (state scores + Viterbi over ≤ 9
/// labels) because crfs' tagger takes an owned `String` per feature, which cost more than
/// everything else in recognition. A test holds it equal to crfs' tagger.
pub struct Weights {
    labels: Vec<String>,
    /// trans[i * n + j]: score of label j following label i.
    trans: Vec<f64>,
    /// A feature name's hash → its range in `weights`.
    state: FxHashMap<u64, (u32, u32)>,
    /// (label, weight) of every state feature, each feature's together.
    weights: Vec<(u16, f64)>,
}

/// FNV-1a (64 bits) of a feature's name, fed piece by piece as the name is formatted: the same
/// value as over the whole name, without building it. Two of the model's names that hashed
/// alike would be refused when it loads; an unknown name that hashes like a known one (odds
/// about 1 in 10^13 per name) would take its weights.
struct NameHash(u64);

impl std::fmt::Write for NameHash {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for b in s.bytes() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Ok(())
    }
}

fn name_hash(name: std::fmt::Arguments<'_>) -> u64 {
    use std::fmt::Write;
    let mut h = NameHash(0xcbf2_9ce4_8422_2325);
    let _ = h.write_fmt(name);
    h.0
}

impl Weights {
    /// Reads the weights of a model.
    pub fn from_model(model: &crfs::Model<'_>) -> std::io::Result<Weights> {
        let mut dump = Vec::new();
        model.dump(&mut dump)?;
        let dump = String::from_utf8_lossy(&dump);
        let n = model.num_labels() as usize;
        let labels: Vec<String> = (0..n as u32).map(|i| model.to_label(i).unwrap_or("O").to_owned()).collect();
        let label_id = |l: &str| labels.iter().position(|x| x == l).map(|i| i as u16);
        let mut trans = vec![0.0; n * n];
        let mut state: FxHashMap<Box<str>, Vec<(u16, f64)>> = FxHashMap::default();
        let mut section = "";
        for line in dump.lines() {
            if line.ends_with("= {") {
                section = line.split_whitespace().next().unwrap_or("");
                continue;
            }
            if section != "TRANSITIONS" && section != "STATE_FEATURES" {
                continue;
            }
            // "  (0) ATTR --> LABEL: WEIGHT" / "  (1) LABEL --> LABEL: WEIGHT"
            let Some(rest) = line.trim_start().split_once(") ").map(|x| x.1) else { continue };
            let Some((lhs, weight)) = rest.rsplit_once(": ") else { continue };
            let Some((source, target)) = lhs.rsplit_once(" --> ") else { continue };
            let (Ok(w), Some(t)) = (weight.trim().parse::<f64>(), label_id(target)) else { continue };
            if section == "TRANSITIONS" {
                if let Some(s) = label_id(source) {
                    trans[s as usize * n + t as usize] = w;
                }
            } else {
                state.entry(Box::from(source)).or_default().push((t, w));
            }
        }
        let mut index = FxHashMap::default();
        let mut weights = Vec::new();
        for (name, ws) in state {
            let range = (weights.len() as u32, (weights.len() + ws.len()) as u32);
            weights.extend(ws);
            if index.insert(name_hash(format_args!("{name}")), range).is_some() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("two features of the model hash alike (one is {name:?})"),
                ));
            }
        }
        Ok(Weights { labels, trans, state: index, weights })
    }

    /// The best label sequence for per-word state scores (`scores[i * n + label]`).
    fn viterbi(&self, scores: &[f64], len: usize) -> Vec<&str> {
        let n = self.labels.len();
        let mut best = scores[..n].to_vec();
        let mut back = vec![0u16; len * n];
        for t in 1..len {
            let mut next = vec![f64::NEG_INFINITY; n];
            for j in 0..n {
                for (i, b) in best.iter().enumerate() {
                    let v = b + self.trans[i * n + j];
                    if v > next[j] {
                        next[j] = v;
                        back[t * n + j] = i as u16;
                    }
                }
                next[j] += scores[t * n + j];
            }
            best = next;
        }
        let mut j = (0..n).max_by(|&a, &b| best[a].total_cmp(&best[b])).unwrap_or(0);
        let mut path = vec![0usize; len];
        for t in (0..len).rev() {
            path[t] = j;
            j = back[t * n + j] as usize;
        }
        path.into_iter().map(|j| self.labels[j].as_str()).collect()
    }
}

/// Adds each feature's weights to its word's label scores.
struct ScoreSink<'w> {
    weights: &'w Weights,
    scores: Vec<f64>,
}

impl features::FeatureSink for ScoreSink<'_> {
    fn begin_item(&mut self) {
        self.scores.extend(std::iter::repeat_n(0.0, self.weights.labels.len()));
    }

    fn feat(&mut self, name: std::fmt::Arguments<'_>) {
        if let Some(&(from, to)) = self.weights.state.get(&name_hash(name)) {
            let base = self.scores.len() - self.weights.labels.len();
            for &(label, w) in &self.weights.weights[from as usize..to as usize] {
                self.scores[base + label as usize] += w;
            }
        }
    }
}

fn add(row: &mut [f64], v: &[f64]) {
    row.iter_mut().zip(v).for_each(|(r, x)| *r += x);
}

type WordScoreCache = (usize, FxHashMap<Box<str>, Box<[f64]>>);

thread_local! {
    /// Per word form: the label scores of its own features, then of what it gives neighbours at
    /// each context offset. Keyed to one set of weights.
    static WORD_SCORES: std::cell::RefCell<WordScoreCache> = std::cell::RefCell::new((0, FxHashMap::default()));
}

/// Empties this thread's memo of word scores (benchmarks measure cold passes).
pub fn clear_score_cache() {
    WORD_SCORES.with_borrow_mut(|c| c.1.clear());
}

/// The CRF tagger with its feature resources.
pub struct CrfTagger {
    weights: Weights,
    features: FeatureSet,
    resources: Resources,
}

static EMBEDDED: LazyLock<Option<CrfTagger>> = LazyLock::new(|| CrfTagger::new(MODEL).ok());

impl CrfTagger {
    /// A tagger over a model file's bytes (CRFsuite format), with the embedded clusters (both
    /// word clusterings and the stem clustering) and label prior.
    pub fn new(model: &[u8]) -> std::io::Result<CrfTagger> {
        let weights = Weights::from_model(&crfs::Model::new(model)?)?;
        let resources = Resources::new(Clusters::parse(WORD_CLUSTERS), Clusters::parse(STEM_CLUSTERS))
            .with_clusters2(Clusters::parse(WORD_CLUSTERS2))
            .with_prior(&features::LabelPrior::parse_counts(LABEL_PRIOR));
        Ok(CrfTagger { weights, features: FeatureSet::parse("all"), resources })
    }

    /// The tagger compiled into the binary (None only if its model file is corrupt, which a
    /// test rules out).
    pub fn embedded() -> Option<&'static CrfTagger> {
        EMBEDDED.as_ref()
    }

    /// BIO labels (`B-PERS`, `I-LOC`, `O` …) for the words of one sentence.
    ///
    /// Scores are additive, so each word form's own features and the features it gives its
    /// neighbours are scored once and remembered (per thread, bounded); only the features that
    /// depend on several words are computed per position.
    pub fn tag_words(&self, words: &[&str]) -> Vec<String> {
        let prepared = features::prepare(words, &self.features, &self.resources);
        self.tag_prepared(words, &prepared)
    }

    fn tag_prepared(&self, words: &[&str], prepared: &features::Prepared) -> Vec<String> {
        if words.is_empty() {
            return Vec::new();
        }
        let nl = self.weights.labels.len();
        let n = words.len();
        let mut scores = vec![0.0; n * nl];
        WORD_SCORES.with_borrow_mut(|cache| {
            let id = &self.weights as *const Weights as usize;
            if cache.0 != id || cache.1.len() > 200_000 {
                cache.1.clear();
                cache.0 = id;
            }
            for (i, w) in words.iter().enumerate() {
                if !cache.1.contains_key(*w) {
                    let t = &prepared.toks[i];
                    let mut parts = Vec::with_capacity(nl * (1 + features::CONTEXT_OFFSETS.len()));
                    parts.extend(self.score(|s| features::word_features(t, &self.features, s)));
                    for o in features::CONTEXT_OFFSETS {
                        parts.extend(self.score(|s| features::context_features(t, o, &self.features, s)));
                    }
                    cache.1.insert(Box::from(*w), parts.into_boxed_slice());
                }
            }
            // Each word's remembered scores, looked up once (each serves five positions).
            let remembered: Vec<Option<&[f64]>> = words.iter().map(|w| cache.1.get(*w).map(|c| &**c)).collect();
            for i in 0..n {
                let row = &mut scores[i * nl..(i + 1) * nl];
                let own = self.score(|s| features::position_features(prepared, i, &self.features, s));
                add(row, &own);
                if let Some(c) = remembered[i] {
                    add(row, &c[..nl]);
                }
                for (k, o) in features::CONTEXT_OFFSETS.into_iter().enumerate() {
                    let j = i as isize + o;
                    if j >= 0
                        && (j as usize) < n
                        && let Some(c) = remembered[j as usize]
                    {
                        add(row, &c[(k + 1) * nl..(k + 2) * nl]);
                    }
                }
            }
        });
        self.weights.viterbi(&scores, n).into_iter().map(str::to_owned).collect()
    }

    /// The label scores of the features one call emits.
    fn score(&self, emit: impl FnOnce(&mut ScoreSink<'_>)) -> Vec<f64> {
        let mut sink = ScoreSink { weights: &self.weights, scores: Vec::new() };
        features::FeatureSink::begin_item(&mut sink);
        emit(&mut sink);
        sink.scores
    }
}

impl CrfTagger {
    /// Is this a country or city of the place list (a GPE rather than a geographic LOC)?
    fn is_political_place(&self, name: &str) -> bool {
        let key: Vec<String> = name.split_whitespace().map(stem_key).collect();
        let key = key.join(" ");
        let whole = name.split_whitespace().map(word_key).collect::<Vec<_>>().join(" ");
        [whole.as_str(), key.as_str()]
            .iter()
            .any(|k| self.resources.places.get(*k).is_some_and(|kind| kind == "country" || kind == "city"))
    }
}

/// The entity type of a tagger label's type part.
fn label_type(t: &str) -> Option<EntityType> {
    match crate::conll::canonical_type(t) {
        "PER" => Some(EntityType::PER),
        "LOC" => Some(EntityType::LOC),
        "ORG" => Some(EntityType::ORG),
        "MISC" => Some(EntityType::MISC),
        _ => None,
    }
}

impl Tagger for CrfTagger {
    fn tag(&self, text: &str, tokens: &[Token]) -> Vec<(Span, EntityType)> {
        let words: Vec<&[Token]> = marsad_text::keys::words(tokens).collect();
        let spans: Vec<Span> = words.iter().map(|w| marsad_text::keys::word_span(w)).collect();
        let name_starts: Vec<usize> = words.iter().map(|w| marsad_text::keys::name_span(w).start).collect();
        let surfaces: Vec<&str> = spans.iter().map(|s| s.slice(text)).collect();
        // The knowledge-base marks come from these very tokens (no second tokenization).
        let kb = if self.features.knowledge {
            let starts: Vec<usize> = spans.iter().map(|s| s.start).collect();
            features::knowledge_tags_of(tokens, &starts)
        } else {
            vec![None; spans.len()]
        };
        let prepared = features::prepare_with_knowledge(&surfaces, kb, &self.features, &self.resources);
        let tags = self.tag_prepared(&surfaces, &prepared);
        crate::conll::entities(&tags)
            .into_iter()
            .filter_map(|(a, b, t)| {
                let span = Span::new(name_starts[a], spans[b - 1].end);
                let ty = label_type(&t)?;
                Some((
                    span,
                    if ty == EntityType::LOC && self.is_political_place(span.slice(text)) {
                        EntityType::GPE
                    } else {
                        ty
                    },
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use features::sentence_features;

    #[test]
    fn embedded_model_loads_and_tags() {
        let t = CrfTagger::embedded().expect("the embedded model loads");
        let labels = t.tag_words(&["قال", "الرئيس", "السوري", "بشار", "الأسد", "في", "دمشق", "."]);
        assert_eq!(labels.len(), 8);
        assert!(labels[3].ends_with("PERS") || labels[3].ends_with("PER"), "{labels:?}");
        assert!(labels[6].ends_with("LOC"), "{labels:?}");
        assert_eq!(labels[0], "O");
    }

    /// The labels crfs' own tagger gives (the reference for marsad's inference).
    fn tag_with_crfs(t: &CrfTagger, model: &crfs::Model<'_>, words: &[&str]) -> Vec<String> {
        let x = sentence_features(words, &t.features, &t.resources);
        model
            .tagger()
            .and_then(|tagger| tagger.tag(&x).map(|l| l.into_iter().map(str::to_owned).collect()))
            .expect("crfs tags")
    }

    #[test]
    fn fast_inference_agrees_with_crfs() {
        let t = CrfTagger::embedded().expect("model");
        let model = crfs::Model::new(MODEL).expect("model");
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../marsad-pipeline/tests/fixtures/articles");
        let mut sentences = 0;
        for name in
            ["news_dateline_captions.txt", "mixed_ar_en.txt", "opinion_byline_disclaimer.txt", "interview_qa.txt"]
        {
            let text = std::fs::read_to_string(format!("{dir}/{name}")).expect("fixture");
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let words: Vec<&str> = line.split_whitespace().collect();
                assert_eq!(t.tag_words(&words), tag_with_crfs(t, &model, &words), "{line}");
                sentences += 1;
            }
        }
        assert!(sentences > 40);
    }

    #[test]
    fn label_prior_buckets_shares_and_sums_files() {
        use features::LabelPrior;
        // 10 occurrences: 6 B-PER (bucket 3), 1 I-PER (bucket 1), 3 O; a rare key is left out
        let counts = LabelPrior::parse_counts(
            "w\tمحمد\t3 6 1 0 0 0 0 0 0\ns\tمحمد\t1 1 0 0 0 0 0 0 0\ns\tبغداد\t0 0 0 5 0 0 0 0 0\n",
        );
        let (w, s) = LabelPrior::from_counts(&counts);
        assert_eq!(w.values_of("محمد"), ["B-PER:3", "I-PER:1"]);
        assert_eq!(s.values_of("بغداد"), ["B-LOC:4"]);
        assert_eq!(s.values_of("محمد"), ["unk"]);
        // no table, no feature
        assert!(LabelPrior::default().values_of("محمد").is_empty());
    }

    #[test]
    fn clusters_parse_two_or_three_columns() {
        let c = Clusters::parse("في\t0110\t5\nمن\t0111\n");
        assert_eq!((c.get("في"), c.get("من"), c.len()), (Some("0110"), Some("0111"), 2));
    }
}
