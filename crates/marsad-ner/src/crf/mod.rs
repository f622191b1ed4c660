//! The statistical tagger: a linear-chain CRF (the `crfs` crate, a pure-Rust CRFsuite) over
//! ANERcorp, with clitic, affix, trigger, gazetteer, frequency, knowledge-base, unsupervised
//! word-cluster, label-prior and document-evidence features. The model, the clusters and the
//! label prior are data under data/ner/, built by research/ner-crf (commands and figures in its
//! RESULTS.md: ANERcorp test micro F1 73.93 for this model alone, #23).

pub mod features;

use crate::recognize::Tagger;
use features::{FeatureSet, Resources};
use marsad_core::{EntityType, Span};
use marsad_kb::ActorMatch;
use marsad_text::Token;
use rustc_hash::FxHashMap;
use std::rc::Rc;
use std::sync::LazyLock;

const MODEL: &[u8] = include_bytes!("../../../../data/ner/tagger.crfsuite");
const WORD_CLUSTERS: &str = include_str!("../../../../data/ner/clusters_word.tsv");
const STEM_CLUSTERS: &str = include_str!("../../../../data/ner/clusters_stem.tsv");
const WORD_CLUSTERS2: &str = include_str!("../../../../data/ner/clusters_word2.tsv");
const LABEL_PRIOR: &str = include_str!("../../../../data/ner/label_prior.tsv");

/// The feature groups of the shipped model (`--feats` of its training command).
const SHIPPED_FEATURES: &str = "all,doc";

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
/// weights are looked up by that hash. Hand-written inference (state scores + Viterbi over ≤ 12
/// labels) because crfs' tagger takes an owned `String` per feature, which cost more than
/// everything else in recognition. A test holds it equal to crfs' tagger.
pub struct Weights {
    labels: Vec<String>,
    /// trans[j][i]: score of label j following label i.
    trans: Vec<Row>,
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

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn name_hash(name: std::fmt::Arguments<'_>) -> u64 {
    use std::fmt::Write;
    let mut h = NameHash(FNV_OFFSET);
    let _ = h.write_fmt(name);
    h.0
}

/// The same hash of a name given as parts one after another.
fn parts_hash(parts: &[&str]) -> u64 {
    use std::fmt::Write;
    let mut h = NameHash(FNV_OFFSET);
    parts.iter().for_each(|p| _ = h.write_str(p));
    h.0
}

impl Weights {
    /// Reads the weights of a model.
    pub fn from_model(model: &crfs::Model<'_>) -> std::io::Result<Weights> {
        let mut dump = Vec::new();
        model.dump(&mut dump)?;
        let dump = String::from_utf8_lossy(&dump);
        let n = model.num_labels() as usize;
        if n > LANES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("the model has {n} labels; the tagger scores at most {LANES}"),
            ));
        }
        let labels: Vec<String> = (0..n as u32).map(|i| model.to_label(i).unwrap_or("O").to_owned()).collect();
        let label_id = |l: &str| labels.iter().position(|x| x == l).map(|i| i as u16);
        // lanes past the labels can never be the label before: -inf (see `viterbi`)
        let mut trans = vec![[f64::NEG_INFINITY; LANES]; n];
        trans.iter_mut().for_each(|t| t[..n].fill(0.0));
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
                    trans[t as usize][s as usize] = w;
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

    /// The best label sequence for per-word state scores (a row per word, non-empty).
    fn viterbi(&self, scores: &[Row]) -> Vec<&str> {
        let n = self.labels.len();
        let mut best = scores[0];
        let mut back = vec![[0u8; LANES]; scores.len()];
        for (row, back) in scores.iter().zip(&mut back).skip(1) {
            let mut next = [0.0; LANES];
            for (j, trans) in self.trans.iter().enumerate() {
                // all lanes at once (the padding's transitions are -inf), then the first best
                let mut v = [0.0; LANES];
                v.iter_mut().zip(best.iter().zip(trans)).for_each(|(v, (b, t))| *v = b + t);
                let top = v.iter().fold(f64::NEG_INFINITY, |m, &x| if x > m { x } else { m });
                next[j] = top + row[j];
                back[j] = v.iter().position(|&x| x == top).unwrap_or(0) as u8;
            }
            best = next;
        }
        let mut j = (0..n).max_by(|&a, &b| best[a].total_cmp(&best[b])).unwrap_or(0);
        let mut path = vec![""; scores.len()];
        for (t, back) in back.iter().enumerate().rev() {
            path[t] = self.labels[j].as_str();
            j = back[j] as usize;
        }
        path
    }
}

/// The most labels a model may have: label scores are fixed-size rows, which the compiler
/// adds lane-parallel and without bounds checks (the shipped model has 9 labels).
const LANES: usize = 12;

/// Label scores (lanes past the model's labels stay 0).
type Row = [f64; LANES];

/// Adds each feature's weights to one word's label scores.
struct ScoreSink<'w> {
    weights: &'w Weights,
    row: Row,
}

impl features::FeatureSink for ScoreSink<'_> {
    fn begin_item(&mut self) {
        self.row = [0.0; LANES];
    }

    fn feat(&mut self, name: std::fmt::Arguments<'_>) {
        self.add(name_hash(name));
    }

    fn feat_parts(&mut self, parts: &[&str]) {
        self.add(parts_hash(parts));
    }
}

impl ScoreSink<'_> {
    /// Adds the weights of the feature whose name hashes to `hash` (none if the model lacks it).
    fn add(&mut self, hash: u64) {
        if let Some(&(from, to)) = self.weights.state.get(&hash) {
            for &(label, w) in &self.weights.weights[from as usize..to as usize] {
                self.row[usize::from(label)] += w;
            }
        }
    }
}

fn add(row: &mut Row, v: &Row) {
    row.iter_mut().zip(v).for_each(|(r, x)| *r += x);
}

/// What the tagger remembers of one word form: its analysis, and the label scores of its own
/// features followed by those of the features it gives a neighbour at each context offset.
struct Remembered {
    tok: Rc<features::Tok>,
    scores: Box<[Row]>,
}

/// Word forms a thread remembers before it starts afresh.
const MEMO_LIMIT: usize = 200_000;

#[derive(Default)]
struct WordMemo {
    /// The weights the scores belong to (their address).
    owner: usize,
    words: FxHashMap<Box<str>, Rc<Remembered>>,
    /// Per clustering and cluster path (hashed): the scores of the path's features at offset 0
    /// and at each context offset. Many word forms share a path, and clusters give about
    /// two-thirds of a word's features.
    paths: FxHashMap<u64, Box<[Row]>>,
}

thread_local! {
    /// Per word form, what scoring it needs (a bounded memo of a pure function of the form).
    static WORD_MEMO: std::cell::RefCell<WordMemo> = std::cell::RefCell::new(WordMemo::default());
}

/// Empties this thread's memo of word scores (benchmarks measure cold passes).
pub fn clear_score_cache() {
    WORD_MEMO.with_borrow_mut(|c| {
        c.words.clear();
        c.paths.clear();
    });
}

/// The CRF tagger with its feature resources.
pub struct CrfTagger {
    weights: Weights,
    features: FeatureSet,
    resources: Resources,
    /// The scores of the edge features (see [`features::edge_features`]) by the position's
    /// distance from the sentence's start and end, each counted up to 2.
    edges: Vec<Row>,
    /// The scores of each document-evidence feature, by its index.
    document: Vec<Row>,
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
        let mut tagger = CrfTagger {
            weights,
            features: FeatureSet::parse(SHIPPED_FEATURES),
            resources,
            edges: Vec::new(),
            document: Vec::new(),
        };
        tagger.edges = (0..9)
            .map(|k| {
                let (from_start, to_end) = (k / 3, k % 3);
                tagger.score(|s| features::edge_features(from_start, from_start + to_end + 1, &tagger.features, s))
            })
            .collect();
        tagger.document =
            features::DocumentFeature::all().map(|f| tagger.score(|s| features::document_feature(f, s))).collect();
        Ok(tagger)
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
        let kb = if self.features.knowledge { features::knowledge_tags(words) } else { vec![None; words.len()] };
        let tags = self.tag_sentences(vec![(words.to_vec(), kb)]).pop().unwrap_or_default();
        tags.into_iter().map(str::to_owned).collect()
    }

    /// Labels for the sentences of one document, each given as its words and their
    /// knowledge-base marks (document evidence is gathered over all of them).
    fn tag_sentences(&self, sentences: Vec<(Vec<&str>, Vec<Option<String>>)>) -> Vec<Vec<&str>> {
        let (remembered, mut prepared): (Vec<_>, Vec<_>) =
            sentences.into_iter().map(|(words, kb)| self.prepare(&words, kb)).unzip();
        if self.features.document {
            features::add_document_evidence(&mut prepared);
        }
        remembered.iter().zip(&prepared).map(|(r, p)| self.decode(r, p)).collect()
    }

    /// Each word form's analysis and scores (looked up once: each serves five positions), and
    /// the sentence prepared from them.
    fn prepare(&self, words: &[&str], kb: Vec<Option<String>>) -> (Vec<Rc<Remembered>>, features::Prepared) {
        let remembered: Vec<Rc<Remembered>> = WORD_MEMO.with_borrow_mut(|memo| {
            let owner = &self.weights as *const Weights as usize;
            if memo.owner != owner || memo.words.len() >= MEMO_LIMIT {
                memo.words.clear();
                memo.paths.clear();
                memo.owner = owner;
            }
            words
                .iter()
                .map(|w| match memo.words.get(*w) {
                    Some(r) => Rc::clone(r),
                    None => {
                        let r = Rc::new(self.remember(w, &mut memo.paths));
                        memo.words.insert(Box::from(*w), Rc::clone(&r));
                        r
                    }
                })
                .collect()
        });
        let prepared = features::prepare_analysed(
            remembered.iter().map(|r| Rc::clone(&r.tok)).collect(),
            kb,
            &self.features,
            &self.resources,
        );
        (remembered, prepared)
    }

    /// The best labels of a prepared sentence.
    fn decode(&self, remembered: &[Rc<Remembered>], prepared: &features::Prepared) -> Vec<&str> {
        let n = remembered.len();
        if n == 0 {
            return Vec::new();
        }
        let mut scores = Vec::with_capacity(n);
        let mut sink = ScoreSink { weights: &self.weights, row: [0.0; LANES] };
        for i in 0..n {
            features::FeatureSink::begin_item(&mut sink);
            features::inner_position_features(prepared, i, &self.features, &mut sink);
            let row = &mut sink.row;
            add(row, &self.edges[i.min(2) * 3 + (n - 1 - i).min(2)]);
            if self.features.document {
                features::document_evidence(prepared, i).for_each(|f| add(row, &self.document[f.index()]));
            }
            add(row, &remembered[i].scores[0]);
            for (k, o) in features::CONTEXT_OFFSETS.into_iter().enumerate() {
                let j = i as isize + o;
                if j >= 0 && (j as usize) < n {
                    add(row, &remembered[j as usize].scores[k + 1]);
                }
            }
            scores.push(*row);
        }
        self.weights.viterbi(&scores)
    }

    /// Analyses a word form and scores the features it gives itself and its neighbours (its
    /// cluster paths' scores from `paths`, made there the first time a path is met).
    fn remember(&self, w: &str, paths: &mut FxHashMap<u64, Box<[Row]>>) -> Remembered {
        let tok = Rc::new(features::analyse(w, &self.features, &self.resources));
        let fs = &self.features;
        let mut scores = Vec::with_capacity(1 + features::CONTEXT_OFFSETS.len());
        scores.push(self.score(|s| features::word_features(&tok, fs, false, s)));
        for o in features::CONTEXT_OFFSETS {
            scores.push(self.score(|s| features::context_features(&tok, o, fs, false, s)));
        }
        for (tag, path) in features::cluster_paths(&tok, fs) {
            let key = parts_hash(&[tag, "\0", path.unwrap_or("\0none")]);
            let path_scores = paths.entry(key).or_insert_with(|| {
                let mut v = vec![self.score(|s| features::cluster_features(s, tag, path, 0))];
                for o in features::CONTEXT_OFFSETS {
                    v.push(self.score(|s| features::cluster_features(s, tag, path, o)));
                }
                v.into_boxed_slice()
            });
            scores.iter_mut().zip(path_scores.iter()).for_each(|(r, p)| add(r, p));
        }
        Remembered { tok, scores: scores.into_boxed_slice() }
    }

    /// The label scores of the features one call emits.
    fn score(&self, emit: impl FnOnce(&mut ScoreSink<'_>)) -> Row {
        let mut sink = ScoreSink { weights: &self.weights, row: [0.0; LANES] };
        emit(&mut sink);
        sink.row
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
    fn tag(&self, text: &str, tokens: &[Token], known: &[ActorMatch]) -> Vec<(Span, EntityType)> {
        self.tag_document(text, &[(tokens, known)]).pop().unwrap_or_default()
    }

    fn tag_document(&self, text: &str, sentences: &[(&[Token], &[ActorMatch])]) -> Vec<Vec<(Span, EntityType)>> {
        struct Words {
            spans: Vec<Span>,
            name_starts: Vec<usize>,
        }
        let words: Vec<Words> = sentences
            .iter()
            .map(|(tokens, _)| {
                let pieces: Vec<&[Token]> = marsad_text::keys::words(tokens).collect();
                let spans: Vec<Span> = pieces.iter().map(|w| marsad_text::keys::word_span(w)).collect();
                Words { name_starts: pieces.iter().map(|w| marsad_text::keys::name_span(w).start).collect(), spans }
            })
            .collect();
        let inputs: Vec<(Vec<&str>, Vec<Option<String>>)> = words
            .iter()
            .zip(sentences)
            .map(|(w, (_, known))| {
                // The knowledge-base marks come from the names already found in these tokens.
                let kb = if self.features.knowledge {
                    let starts: Vec<usize> = w.spans.iter().map(|s| s.start).collect();
                    features::knowledge_tags_of_matches(known, &starts)
                } else {
                    vec![None; w.spans.len()]
                };
                (w.spans.iter().map(|s| s.slice(text)).collect(), kb)
            })
            .collect();
        self.tag_sentences(inputs)
            .iter()
            .zip(&words)
            .map(|(tags, w)| {
                crate::conll::entities(tags)
                    .into_iter()
                    .filter_map(|(a, b, t)| {
                        let span = Span::new(w.name_starts[a], w.spans[b - 1].end);
                        let ty = label_type(&t)?;
                        let political = ty == EntityType::LOC && self.is_political_place(span.slice(text));
                        Some((span, if political { EntityType::GPE } else { ty }))
                    })
                    .collect()
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
