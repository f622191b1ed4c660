//! Does a sentence report an event of its kind, or name one in passing? "بعد اغتيال الحريري"
//! recalls a known event as background, "قضية خطف الشابين" is a court case, "صواريخ جراد" a
//! weapon held, "وقف إطلاق الصواريخ" a demand: the trigger words are the same as in a report.
//! The rules of the extractor catch some of these patterns (reference words: data/events,
//! `REFERENCE`); the rest are told apart by a logistic regression over the character n-grams of
//! the sentence with its names masked ([`masked`]): 2 to 5 characters inside each word, the
//! word's edges marked, so clitics, stems and affixes alike; TF-IDF weighted and normalized,
//! with one more input, whether the rules coded an event of the kind in it. It is trained on
//! sentences labelled as reports of an event or not, one model for both kinds: each n-gram has
//! a weight for both and one for each kind ([`ReportKind::salt`]). The shipped model is trained
//! on the Arabic event gold standard (../shared/data/events/arabic_event_gsr, MIT, Open Event
//! Data Alliance) by `marsad train report`; `marsad eval gsr` scores it by cross-validation,
//! each sentence by a model that did not see it.
//!
//! Written here rather than taken from a library: a sparse binary logistic regression trained
//! by SGD is some eighty lines, and the Rust learners (linfa, smartcore) take dense matrices —
//! 3,000 sentences × 200,000 n-grams do not fit one.

use marsad_core::{Entity, Place, Span};
use std::collections::HashMap;

/// What a model file holds, after its magic: the n-grams (by hash) with their IDF and weight,
/// the bias, the weight of `coded`, the decision threshold on the probability and the count of
/// n-grams (little-endian f32, f32, f32, u32), then each n-gram's hash, IDF and weight (u32, f32,
/// f32).
const MAGIC: &[u8; 8] = b"MRSDRPT2";
const HEADER: usize = 16;

/// A trained model: scores a sentence's probability of reporting an event of a kind.
#[derive(Clone, Debug)]
pub struct ReportModel {
    /// n-gram hash → (IDF, weight); the hash mixed with a kind's salt → (IDF, weight for the
    /// kind).
    features: HashMap<u32, (f32, f32)>,
    bias: f32,
    /// The weight of the rules having coded an event of the kind in the sentence: the model
    /// judges the sentences they code, and learns from all.
    coded: f32,
    /// A sentence reports when its probability is at least this.
    pub threshold: f32,
}

/// A problem with a model file.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ModelError {
    pub name: String,
    pub message: String,
}

/// A sentence to learn from.
#[derive(Clone, Copy, Debug)]
pub struct Sample<'a> {
    pub text: &'a str,
    /// The kind of event it is labelled for.
    pub kind: ReportKind,
    /// Does it report an event of the kind (the label)?
    pub reports: bool,
    /// Did the rules code an event of the kind in it?
    pub coded: bool,
}

/// How a model is trained.
#[derive(Clone, Copy, Debug)]
pub struct TrainOptions {
    /// Inverse regularization strength (as liblinear's C): higher fits the data more closely.
    pub c: f64,
    /// Passes over the data.
    pub epochs: usize,
    /// An n-gram is a feature when at least this many sentences have it.
    pub min_df: usize,
    /// Shuffles the sentences between passes (the same seed trains the same model).
    pub seed: u64,
    /// The probability from which a sentence reports. The classes are weighed alike in
    /// training, so the model's probabilities are those of a world where half the sentences
    /// the rules code are reports. In the gold standard about a quarter are: its sentences
    /// were drawn to hold many look-alikes. In conflict news, most are (70 to 85 % of the
    /// events the rules code in ../shared/eval/dev): at a prior of 70 %, even odds fall at a
    /// balanced probability of 0.3.
    pub threshold: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { c: 4.0, epochs: 40, min_df: 2, seed: 0x5eed, threshold: 0.3 }
    }
}

/// The kinds of event a report model is trained for: the Arabic event gold standard's two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    Assault,
    Protest,
}

impl ReportKind {
    /// The kind of an event of this ACLED type and PLOVER category: a protest or riot, else
    /// PLOVER's ASSAULT (an ACLED battle that takes ground is PLOVER's COERCE) or PROTEST.
    pub fn of(acled_type: Option<&str>, plover: Option<&str>) -> Option<ReportKind> {
        match (acled_type, plover) {
            (_, Some("ASSAULT")) => Some(ReportKind::Assault),
            (_, Some("PROTEST")) => Some(ReportKind::Protest),
            (Some("Protests" | "Riots"), None) => Some(ReportKind::Protest),
            _ => None,
        }
    }
}

impl ReportKind {
    /// Mixed into an n-gram's hash for the weight it has for this kind only: each n-gram weighs
    /// once for both kinds and once for its kind, so that the kinds learn from each other's
    /// sentences what reports look like and keep what is their own.
    fn salt(self) -> u32 {
        match self {
            ReportKind::Assault => 0x9e37_79b9,
            ReportKind::Protest => 0x85eb_ca6b,
        }
    }
}

/// The text of `span` as the models read it: each entity and place named in it replaced by its
/// kind (PER, ORG, GPE, PLACE …), so that a model learns how reports are worded rather than whom
/// and where the news of its training years named.
pub fn masked(text: &str, span: Span, entities: &[Entity], places: &[Place]) -> String {
    let mut names: Vec<(usize, usize, &str)> = entities
        .iter()
        .map(|e| (e.start, e.end, e.entity_type.as_str()))
        .chain(places.iter().map(|p| (p.start, p.end, "PLACE")))
        .filter(|n| span.start <= n.0 && n.0 < n.1 && n.1 <= span.end)
        .collect();
    names.sort_by_key(|n| (n.0, std::cmp::Reverse(n.1)));
    let mut out = String::with_capacity(span.end - span.start);
    let mut at = span.start;
    for (start, end, kind) in names {
        if start < at {
            continue;
        }
        out.push_str(text.get(at..start).unwrap_or(""));
        out.push(' ');
        out.push_str(kind);
        out.push(' ');
        at = end;
    }
    out.push_str(text.get(at..span.end).unwrap_or(""));
    out
}

static EMBEDDED: std::sync::LazyLock<ReportModel> = std::sync::LazyLock::new(|| {
    ReportModel::from_bytes("data/events/report.model", include_bytes!("../../../data/events/report.model"))
        .expect("the embedded report model is valid (checked by its test)")
});

/// FNV-1a (32 bits) of an n-gram's bytes: the n-grams seen in training (about 200,000) collide
/// with odds of a few in a million per pair.
fn hash(chars: &[char]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    let mut buf = [0u8; 4];
    for c in chars {
        for b in c.encode_utf8(&mut buf).bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
    }
    h
}

/// The sentence's n-grams with their counts: for each word, padded with a space on each side,
/// every run of 2 to 5 characters.
fn ngram_counts(sentence: &str) -> Vec<(u32, u32)> {
    let mut counts = HashMap::new();
    let mut padded: Vec<char> = Vec::new();
    // The lossy search normalization (hamza, alef maqsura and taa marbuta folded, diacritics
    // and tatweel dropped, Latin lower-cased), every digit as 0.
    let sentence = marsad_text::lossy(sentence);
    for word in sentence.split_whitespace() {
        padded.clear();
        padded.push(' ');
        padded.extend(word.chars().map(|c| if c.is_numeric() { '0' } else { c }));
        padded.push(' ');
        for n in 2..=5 {
            if padded.len() < n {
                break;
            }
            for gram in padded.windows(n) {
                *counts.entry(hash(gram)).or_insert(0) += 1;
            }
        }
    }
    // In hash order: sums over the n-grams add up in the same order at every run.
    let mut counts: Vec<(u32, u32)> = counts.into_iter().collect();
    counts.sort_unstable();
    counts
}

/// Sublinear TF × IDF, L2-normalized, over the features `idf` knows.
fn vector(counts: &[(u32, u32)], idf: impl Fn(u32) -> Option<f32>) -> Vec<(u32, f32)> {
    let mut v: Vec<(u32, f32)> =
        counts.iter().filter_map(|&(k, c)| idf(k).map(|i| (k, (1.0 + (c as f32).ln()) * i))).collect();
    let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| x.1 /= norm);
    }
    v
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl ReportModel {
    /// The model compiled into the binary (data/events/report.model).
    pub fn embedded() -> &'static ReportModel {
        &EMBEDDED
    }

    /// The probability that the sentence reports the event of this kind the rules coded in it.
    pub fn probability(&self, kind: ReportKind, sentence: &str) -> f32 {
        let counts = ngram_counts(sentence);
        let x = vector(&counts, |k| self.features.get(&k).map(|f| f.0));
        let w = |k: u32| f64::from(self.features.get(&k).map_or(0.0, |f| f.1));
        let z = f64::from(self.bias + self.coded)
            + x.iter().map(|&(k, v)| f64::from(v) * (w(k) + w(k ^ kind.salt()))).sum::<f64>();
        sigmoid(z) as f32
    }

    /// How many n-grams the model weighs.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// Does the sentence report its event of this kind (yes for events of no kind)?
    pub fn reports(&self, kind: Option<ReportKind>, sentence: &str) -> bool {
        kind.is_none_or(|k| self.probability(k, sentence) >= self.threshold)
    }

    /// Trains on labelled sentences (true: reports an event), the classes weighed alike
    /// whatever their sizes. Deterministic: the same sentences and options train the same model.
    pub fn train(samples: &[Sample<'_>], opts: TrainOptions) -> ReportModel {
        let counts: Vec<Vec<(u32, u32)>> = samples.iter().map(|s| ngram_counts(s.text)).collect();
        let mut df: HashMap<u32, usize> = HashMap::new();
        for c in &counts {
            for &(k, _) in c {
                *df.entry(k).or_insert(0) += 1;
            }
        }
        let n = samples.len();
        // IDF as scikit-learn smooths it: ln((1 + n) / (1 + df)) + 1.
        let idf: HashMap<u32, f32> = df
            .into_iter()
            .filter(|&(_, d)| d >= opts.min_df)
            .map(|(k, d)| (k, (((1 + n) as f64 / (1 + d) as f64).ln() + 1.0) as f32))
            .collect();
        // Features as dense indices, for the weight vector; the first is `coded`. Each n-gram
        // twice: shared, and for the sample's kind.
        const CODED: usize = 0;
        let mut index: HashMap<u32, usize> = HashMap::new();
        let mut keys: Vec<(u32, f32)> = vec![(0, 0.0)];
        let xs: Vec<Vec<(usize, f64)>> = counts
            .iter()
            .zip(samples)
            .map(|(c, s)| {
                let mut v: Vec<(usize, f64)> = if s.coded { vec![(CODED, 1.0)] } else { Vec::new() };
                for (k, x) in vector(c, |k| idf.get(&k).copied()) {
                    for key in [k, k ^ s.kind.salt()] {
                        let i = *index.entry(key).or_insert_with(|| {
                            keys.push((key, idf[&k]));
                            keys.len() - 1
                        });
                        v.push((i, f64::from(x)));
                    }
                }
                v.sort_unstable_by_key(|x| x.0);
                v
            })
            .collect();
        let positives = samples.iter().filter(|s| s.reports).count().max(1);
        let negatives = (n - samples.iter().filter(|s| s.reports).count()).max(1);
        let class_weight =
            |y: bool| if y { n as f64 / (2 * positives) as f64 } else { n as f64 / (2 * negatives) as f64 };
        let (w, bias) = sgd(&xs, samples, class_weight, keys.len(), opts);
        let features = keys.iter().zip(&w).skip(1).map(|(&(k, idf), &w)| (k, (idf, w as f32))).collect();
        ReportModel { features, bias: bias as f32, coded: w[CODED] as f32, threshold: opts.threshold }
    }

    /// The model as bytes (see [`MAGIC`]); features in hash order, so that the same model
    /// writes the same file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut keys: Vec<&u32> = self.features.keys().collect();
        keys.sort_unstable();
        let mut out = Vec::with_capacity(MAGIC.len() + HEADER + keys.len() * 12);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.bias.to_le_bytes());
        out.extend_from_slice(&self.coded.to_le_bytes());
        out.extend_from_slice(&self.threshold.to_le_bytes());
        out.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        for k in keys {
            let (idf, w) = self.features[k];
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&idf.to_le_bytes());
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// Reads a model written by [`ReportModel::to_bytes`]; `name` names it in errors.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<ReportModel, ModelError> {
        let err = |message: &str| ModelError { name: name.to_owned(), message: message.to_owned() };
        let rest = bytes.strip_prefix(MAGIC).ok_or_else(|| err("not a report model (bad magic)"))?;
        let word = |i: usize| -> Result<[u8; 4], ModelError> {
            rest.get(i..i + 4).and_then(|b| b.try_into().ok()).ok_or_else(|| err("truncated"))
        };
        let bias = f32::from_le_bytes(word(0)?);
        let coded = f32::from_le_bytes(word(4)?);
        let threshold = f32::from_le_bytes(word(8)?);
        let count = u32::from_le_bytes(word(12)?) as usize;
        if rest.len() != HEADER + count * 12 {
            return Err(err(&format!("{} bytes for {count} features", rest.len())));
        }
        let mut features = HashMap::with_capacity(count);
        for i in 0..count {
            let at = HEADER + i * 12;
            let (k, idf, w) =
                (u32::from_le_bytes(word(at)?), f32::from_le_bytes(word(at + 4)?), f32::from_le_bytes(word(at + 8)?));
            if !(idf.is_finite() && w.is_finite()) || features.insert(k, (idf, w)).is_some() {
                return Err(err(&format!("feature {i} is repeated or not a number")));
            }
        }
        if !(bias.is_finite() && coded.is_finite() && (0.0..=1.0).contains(&threshold)) {
            return Err(err("bias or threshold out of range"));
        }
        Ok(ReportModel { features, bias, coded, threshold })
    }
}

/// L2-regularized logistic regression by stochastic gradient descent (Bottou's schedule, the
/// weights kept as a scale times a vector so that the shrinking step costs nothing), averaged
/// over the second half of the passes. Minimizes ½‖w‖² + C Σ weight(y) · log-loss, as
/// liblinear's logistic regression does.
fn sgd(
    xs: &[Vec<(usize, f64)>],
    samples: &[Sample<'_>],
    class_weight: impl Fn(bool) -> f64,
    dim: usize,
    opts: TrainOptions,
) -> (Vec<f64>, f64) {
    let n = xs.len().max(1);
    let lambda = 1.0 / (opts.c * n as f64);
    let (mut v, mut scale, mut bias) = (vec![0.0f64; dim], 1.0f64, 0.0f64);
    let (mut avg, mut avg_bias, mut averaged) = (vec![0.0f64; dim], 0.0f64, 0usize);
    let mut order: Vec<usize> = (0..xs.len()).collect();
    let mut rng = opts.seed | 1;
    let eta0 = 0.5;
    // The bias moves slower than the weights: it sees every sentence.
    let bias_rate = 0.1;
    let mut t = 0.0f64;
    for epoch in 0..opts.epochs {
        // Fisher–Yates with xorshift: a fixed seed, a fixed order.
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        for &i in &order {
            let eta = eta0 / (1.0 + eta0 * lambda * t);
            t += 1.0;
            let x = &xs[i];
            let z = scale * x.iter().map(|&(j, xv)| v[j] * xv).sum::<f64>() + bias;
            let y = samples[i].reports;
            let g = class_weight(y) * (sigmoid(z) - if y { 1.0 } else { 0.0 });
            scale *= 1.0 - eta * lambda;
            if scale < 1e-9 {
                v.iter_mut().for_each(|w| *w *= scale);
                scale = 1.0;
            }
            for &(j, xv) in x {
                v[j] -= eta * g * xv / scale;
            }
            bias -= eta * g * bias_rate;
        }
        if epoch >= opts.epochs / 2 {
            avg.iter_mut().zip(&v).for_each(|(a, w)| *a += w * scale);
            avg_bias += bias;
            averaged += 1;
        }
    }
    let k = averaged.max(1) as f64;
    (avg.into_iter().map(|a| a / k).collect(), avg_bias / k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Vec<Sample<'static>> {
        let mut s = Vec::new();
        for _ in 0..5 {
            for (text, reports) in [
                ("قتل خمسة أشخاص أمس في انفجار سيارة مفخخة في بغداد", true),
                ("أصيب عشرة جنود في هجوم انتحاري استهدف حاجزا للجيش", true),
                ("تنظر المحكمة في قضية اغتيال الرئيس السابق", false),
                ("بعد سنوات على اغتيال الحريري عادت الذكرى", false),
            ] {
                s.push(Sample { text, kind: ReportKind::Assault, reports, coded: true });
            }
        }
        s
    }

    #[test]
    fn learns_reports_from_background_and_reads_back_what_it_wrote() {
        let model = ReportModel::train(&toy(), TrainOptions::default());
        let assault = Some(ReportKind::Assault);
        assert!(model.reports(assault, "قتل ثلاثة أشخاص في انفجار سيارة مفخخة"));
        assert!(!model.reports(assault, "قضية اغتيال الرئيس أمام المحكمة"));
        assert!(model.reports(None, "قضية اغتيال الرئيس أمام المحكمة"), "an event of no kind is not judged");
        let bytes = model.to_bytes();
        let back = ReportModel::from_bytes("toy", &bytes).expect("reads its own bytes");
        assert!(back.to_bytes() == bytes, "reads back what it wrote");
        let s = "انفجار سيارة مفخخة";
        assert_eq!(back.probability(ReportKind::Assault, s), model.probability(ReportKind::Assault, s));
        // The same data trains the same model.
        assert!(ReportModel::train(&toy(), TrainOptions::default()).to_bytes() == bytes, "the same model");
    }

    #[test]
    fn refuses_a_file_that_is_no_model() {
        let bytes = ReportModel::train(&toy(), TrainOptions::default()).to_bytes();
        for bad in [&b"not a model"[..], &bytes[..bytes.len() - 3], &bytes[..10]] {
            let e = ReportModel::from_bytes("x.model", bad).unwrap_err();
            assert!(e.to_string().starts_with("x.model: "), "{e}");
        }
    }

    #[test]
    fn folds_the_letters_a_reader_does_not_tell_apart() {
        assert_eq!(ngram_counts("إصابة"), ngram_counts("اصابه"));
        assert_eq!(ngram_counts("قُتِلَ"), ngram_counts("قتل"));
        assert!(ngram_counts("").is_empty());
    }
}
