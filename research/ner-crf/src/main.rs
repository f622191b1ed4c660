//! ner-proto: train and evaluate a CRF named-entity tagger for Arabic news (ANERcorp, AQMAR).
//!
//!   ner-proto clusters --out FILE [--stem] [--vocab N] [--contexts N] [--dims N] [--depth N]
//!   ner-proto train --name NAME [--feats LIST] [--aqmar] [--c1 X] [--c2 X] [--iters N]
//!                   [--chunk N] [--minfreq X] [--wc FILE] [--sc FILE] [--model FILE]

mod clusters;
mod data;
mod eval;
mod prior;

use clusters::ClusterParams;
use data::Sentence;
use marsad_ner::crf::Clusters;
use marsad_ner::crf::features::{FeatureSet, LabelPrior, Resources, document_features, sentence_features};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const NER_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/ner");
const CORPUS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/corpus");

/// All training parameters in one place.
#[derive(Debug, Clone)]
pub struct TrainParams {
    /// L1 coefficient (OWL-QN); 0 = off
    pub c1: f64,
    /// L2 coefficient
    pub c2: f64,
    pub max_iterations: usize,
    /// sentences concatenated into one CRF instance (crfs' L-BFGS costs O(#features) per
    /// instance per iteration, so fewer, longer instances train much faster)
    pub chunk: usize,
    /// drop attribute-label features seen fewer times than this
    pub minfreq: f64,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams { c1: 0.05, c2: 0.01, max_iterations: 300, chunk: 40, minfreq: 0.0 }
    }
}

struct Args(Vec<String>);
impl Args {
    fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().position(|a| a == k).and_then(|i| self.0.get(i + 1)).map(|s| s.as_str())
    }
    fn flag(&self, k: &str) -> bool {
        self.0.iter().any(|a| a == k)
    }
    fn num<T: std::str::FromStr>(&self, k: &str, d: T) -> T {
        self.get(k).map_or(d, |v| v.parse().ok().unwrap())
    }
}

fn main() {
    let args = Args(std::env::args().skip(1).collect());
    match args.0.first().map(|s| s.as_str()) {
        Some("clusters") => {
            let d = ClusterParams::default();
            let p = ClusterParams {
                vocab: args.num("--vocab", d.vocab),
                contexts: args.num("--contexts", d.contexts),
                dims: args.num("--dims", d.dims),
                depth: args.num("--depth", d.depth),
                min_leaf: args.num("--min-leaf", d.min_leaf),
                stem_keys: args.flag("--stem"),
            };
            let files = clusters::corpus_files(Path::new(CORPUS_DIR));
            let t = Instant::now();
            clusters::build(&files, &p, Path::new(args.get("--out").expect("--out")));
            eprintln!("clusters built in {:.1}s", t.elapsed().as_secs_f32());
        }
        Some("train") => train(&args),
        Some("kbcheck") => kbcheck(&args),
        Some("prior-merge") => {
            // --a A --b B (two halves) or --priors F1,F2,… (k folds)
            let files: Vec<PathBuf> = match args.get("--priors") {
                Some(list) => list.split(',').map(PathBuf::from).collect(),
                None => {
                    vec![PathBuf::from(args.get("--a").expect("--a")), PathBuf::from(args.get("--b").expect("--b"))]
                }
            };
            prior::merge(&files, Path::new(args.get("--out").expect("--out")))
        }
        Some("prior") => {
            let bytes = std::fs::read(args.get("--model").expect("--model")).unwrap();
            let files = clusters::corpus_files(Path::new(CORPUS_DIR));
            prior::build(
                &bytes,
                &files,
                args.num("--stride", 2),
                args.num("--max-tokens", 8_000_000),
                Path::new(args.get("--out").expect("--out")),
            );
        }
        Some("errors") => errors(&args),
        Some("eval") => {
            // tag ANERcorp test with a saved model (speed on a quiet machine)
            let fs = FeatureSet::parse(args.get("--feats").unwrap_or("all"));
            let t = Instant::now();
            let (res, _) = resources(&args);
            let bytes = std::fs::read(args.get("--model").expect("--model")).unwrap();
            let model = crfs::Model::new(&bytes).unwrap();
            let tagger = model.tagger().unwrap();
            eprintln!("resources + model loaded in {:.2}s", t.elapsed().as_secs_f32());
            let test = if args.flag("--dev") {
                let mut train = data::read_conll(&PathBuf::from(NER_DIR).join("anercorp_train.txt"));
                train.split_off(train.len() * 9 / 10)
            } else {
                data::read_conll(&PathBuf::from(NER_DIR).join("anercorp_test.txt"))
            };
            if let Some(out) = args.get("--dump") {
                // word, gold, predicted per line; a blank line between sentences
                let mut f = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
                for s in &test {
                    let words: Vec<&str> = s.tokens.iter().map(|w| w.as_str()).collect();
                    let pred = tagger.tag(&sentence_features(&words, &fs, &res)).unwrap();
                    for ((w, g), p) in words.iter().zip(&s.tags).zip(pred) {
                        writeln!(f, "{w}\t{g}\t{p}").unwrap();
                    }
                    writeln!(f).unwrap();
                }
            }
            for _ in 0..3 {
                let (ev, speed) = evaluate(&tagger, &test, &fs, &res);
                println!("micro F1 {:.2}; {speed:.0} tok/s (feature extraction + Viterbi, 1 thread)", ev.micro_f1());
            }
        }
        _ => eprintln!("usage: ner-proto clusters|train ..."),
    }
}

/// Features for a list of sentences, `chunk` sentences per instance.
fn instances(
    sents: &[Sentence],
    chunk: usize,
    fs: &FeatureSet,
    res: &Resources,
) -> Vec<(Vec<Vec<crfs::Attribute>>, Vec<String>)> {
    sents
        .chunks(chunk.max(1))
        .map(|group| {
            let mut x = Vec::new();
            let mut y = Vec::new();
            for (s, feats) in group.iter().zip(features_by_document(group, fs, res)) {
                x.extend(feats);
                y.extend(s.tags.iter().cloned());
            }
            (x, y)
        })
        .collect()
}

/// Features of each sentence, documents being runs of sentences as `marsad eval ner` reads them
/// (ANERcorp marks no article boundaries).
fn features_by_document(sents: &[Sentence], fs: &FeatureSet, res: &Resources) -> Vec<Vec<Vec<crfs::Attribute>>> {
    sents
        .chunks(marsad_ner::eval::DOCUMENT_SENTENCES)
        .flat_map(|doc| {
            let words: Vec<Vec<&str>> = doc.iter().map(|s| s.tokens.iter().map(String::as_str).collect()).collect();
            let words: Vec<&[&str]> = words.iter().map(Vec::as_slice).collect();
            document_features(&words, fs, res)
        })
        .collect()
}

fn evaluate(tagger: &crfs::Tagger, sents: &[Sentence], fs: &FeatureSet, res: &Resources) -> (eval::Eval, f64) {
    let mut ev = eval::Eval::default();
    let t = Instant::now();
    let mut ntok = 0;
    for (s, x) in sents.iter().zip(features_by_document(sents, fs, res)) {
        let pred = tagger.tag(&x).unwrap();
        ntok += s.tokens.len();
        ev.add(&s.tags, &pred);
    }
    (ev, ntok as f64 / t.elapsed().as_secs_f64())
}

fn train(args: &Args) {
    let name = args.get("--name").unwrap_or("exp");
    let feats = args.get("--feats").unwrap_or("lex,win,shape");
    let fs = FeatureSet::parse(feats);
    let d = TrainParams::default();
    let tp = TrainParams {
        c1: args.num("--c1", d.c1),
        c2: args.num("--c2", d.c2),
        max_iterations: args.num("--iters", d.max_iterations),
        chunk: args.num("--chunk", d.chunk),
        minfreq: args.num("--minfreq", d.minfreq),
    };
    let load = |k: &str| {
        args.get(k)
            .map_or_else(Clusters::default, |f| Clusters::parse(&std::fs::read_to_string(f).expect("clusters file")))
    };
    let (res, priors) = resources(args);

    let ner = PathBuf::from(NER_DIR);
    let mut train = data::read_conll(&ner.join("anercorp_train.txt"));
    // --dev: train on the first 90 % of ANERcorp train and score its last 10 % (tuning never
    // looks at the test file)
    let dev = args.flag("--dev");
    let test = if dev {
        let cut = train.len() * 9 / 10;
        train.split_off(cut)
    } else {
        data::read_conll(&ner.join("anercorp_test.txt"))
    };
    let (aq_train, aq_test) = data::read_aqmar(&ner.join("aqmar"));
    let with_aqmar = args.flag("--aqmar");
    let aq_weight: f64 = args.num("--aqmar-weight", 1.0);
    // --half a|b: train on one half only (the models a label prior is built with); --fold k/K:
    // train on all but the k-th of K contiguous folds (k from 1)
    match args.get("--half") {
        Some("a") => train.truncate(train.len() / 2),
        Some("b") => drop(train.drain(..train.len() / 2)),
        _ => {}
    }
    // --cv: the fold left out is the test set (cross-validation over ANERcorp train)
    let mut test = test;
    if let Some((k, folds)) = args.get("--fold").and_then(|f| f.split_once('/')) {
        let (k, folds): (usize, usize) = (k.parse().expect("--fold k/K"), folds.parse().expect("--fold k/K"));
        let n = train.len();
        let held_out: Vec<Sentence> = train.drain(n * (k - 1) / folds..n * k / folds).collect();
        if args.flag("--cv") {
            test = held_out;
        }
    }
    let n_aner = train.len();
    if with_aqmar {
        train.extend(aq_train.iter().cloned());
    }
    eprintln!(
        "train {} sentences ({} tokens), test {} sentences, aqmar held-out {}",
        train.len(),
        train.iter().map(|s| s.tokens.len()).sum::<usize>(),
        test.len(),
        aq_test.len()
    );

    let t0 = Instant::now();
    let mut trainer = crfs::train::Trainer::lbfgs();
    trainer.verbose(args.flag("--verbose"));
    trainer.params_mut().set_c1(tp.c1).unwrap();
    trainer.params_mut().set_c2(tp.c2).unwrap();
    trainer.params_mut().set_max_iterations(tp.max_iterations).unwrap();
    trainer.set_feature_minfreq(tp.minfreq).unwrap();
    let mut nattr = 0usize;
    let mut parts: Vec<(&[Sentence], f64, Option<Resources>)> = Vec::new();
    if !priors.is_empty() {
        // Table k came from the model trained without the k-th of K folds (two halves: a is the
        // model of the first half, so the first half sees b): each fold's sentences see the
        // table of the model that never saw them. --prior-from-dev: the tables came from the
        // fold models of a --dev run (folds of the first 90 %); the last 10 %, which none saw,
        // takes all tables summed like test text.
        let seen = if args.flag("--prior-from-dev") && !dev { n_aner * 9 / 10 } else { n_aner };
        let k = priors.len();
        for (i, table) in priors.iter().enumerate() {
            parts.push((
                &train[seen * i / k..seen * (i + 1) / k],
                1.0,
                Some(Resources::new(load("--wc"), load("--sc")).with_clusters2(load("--wc2")).with_prior(table)),
            ));
        }
        parts.push((&train[seen..n_aner], 1.0, None));
    } else {
        parts.push((&train[..n_aner], 1.0, None));
    }
    parts.push((&train[n_aner..], aq_weight, None));
    for (part, weight, own) in parts {
        // word analyses are memoized per thread and carry the prior: forget them per table
        marsad_ner::crf::features::clear_analysis_cache();
        for (x, y) in instances(part, tp.chunk, &fs, own.as_ref().unwrap_or(&res)) {
            nattr += x.iter().map(|a| a.len()).sum::<usize>();
            trainer.append_with_weight(&x, &y, weight).unwrap();
        }
    }
    marsad_ner::crf::features::clear_analysis_cache();
    let tfeat = t0.elapsed().as_secs_f64();
    let model_path =
        PathBuf::from(args.get("--model").map_or_else(|| format!("models/{name}.crfsuite"), str::to_string));
    std::fs::create_dir_all(model_path.parent().unwrap()).ok();
    trainer.train(&model_path).unwrap();
    let ttrain = t0.elapsed().as_secs_f64();
    drop(trainer);
    let bytes = std::fs::read(&model_path).unwrap();
    let model = crfs::Model::new(&bytes).unwrap();
    let tagger = model.tagger().unwrap();
    let (ev, speed) = evaluate(&tagger, &test, &fs, &res);
    let (ev_aq, _) = evaluate(&tagger, &aq_test, &fs, &res);
    println!("== {name}: feats={feats} aqmar={with_aqmar} {tp:?}");
    println!(
        "features {tfeat:.1}s, train total {ttrain:.1}s, {nattr} attribute occurrences, model attrs {} size {:.1} MB, tagging {:.0} tok/s",
        model.num_attrs(),
        bytes.len() as f64 / 1e6,
        speed
    );
    println!("ANERcorp {}:\n{}", if dev { "dev (last 10 % of train)" } else { "test" }, ev.report());
    println!("AQMAR held-out:\n{}", ev_aq.report());
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open("results.tsv").unwrap();
    writeln!(f, "{name}{}\t{feats}\taqmar={with_aqmar}x{aq_weight}\tc1={} c2={} it={} chunk={} minfreq={}\t{ttrain:.0}s\t{:.1}MB\t{speed:.0}\t{}\t{}",
        if dev { "[dev]" } else { "" }, tp.c1, tp.c2, tp.max_iterations, tp.chunk, tp.minfreq, bytes.len() as f64 / 1e6, ev.md_row(), ev_aq.md_row()).unwrap();
}

type Counts = marsad_ner::crf::features::PriorCounts;

/// Clusters (`--wc`, `--sc`) and, with `--prior-a`/`--prior-b` or `--priors F1,…,FK`, the label
/// prior: the resources test text is tagged with (all tables summed) and the table each fold's
/// sentences see (fold i sees table i; with two halves the first half sees b).
fn resources(args: &Args) -> (Resources, Vec<Counts>) {
    let load = |k: &str| {
        args.get(k)
            .map_or_else(Clusters::default, |f| Clusters::parse(&std::fs::read_to_string(f).expect("clusters file")))
    };
    let mut res = Resources::new(load("--wc"), load("--sc")).with_clusters2(load("--wc2"));
    // label prior, jackknifed: first-half sentences see the table of the model trained on the
    // second half (--prior-b), second-half sentences that of the first (--prior-a), test text both
    let read_counts =
        |k: &str| args.get(k).map(|f| LabelPrior::parse_counts(&std::fs::read_to_string(f).expect("prior file")));
    let priors: Vec<Counts> = match (read_counts("--prior-a"), read_counts("--prior-b")) {
        (Some(a), Some(b)) => vec![b, a],
        _ => args
            .get("--priors")
            .map(|l| {
                l.split(',')
                    .map(|f| LabelPrior::parse_counts(&std::fs::read_to_string(f).expect("prior file")))
                    .collect()
            })
            .unwrap_or_default(),
    };
    if !priors.is_empty() {
        res = res.with_prior(&prior::sum(&priors));
    }
    (res, priors)
}

/// The recognizer (marsad's, with this model and the embedded prior) on the dev split, with and
/// without its knowledge-base source; lists the names the knowledge base adds and their gold tags.
fn kbcheck(args: &Args) {
    use marsad_ner::{Recognizer, Sources, eval::predict};
    let bytes = std::fs::read(args.get("--model").expect("--model")).unwrap();
    let tagger = marsad_ner::crf::CrfTagger::new(&bytes).unwrap();
    let kb = marsad_kb::KnowledgeBase::embedded();
    let mut train = data::read_conll(&PathBuf::from(NER_DIR).join("anercorp_train.txt"));
    let dev = train.split_off(train.len() * 9 / 10);
    let doc = marsad_ner::eval::DOCUMENT_SENTENCES;
    let with = predict(&Recognizer::new(kb, Some(&tagger)), &dev, doc);
    let without = predict(
        &Recognizer::new(kb, Some(&tagger)).with_sources(Sources { knowledge: false, ..Sources::default() }),
        &dev,
        doc,
    );
    let f = |p: &[Vec<String>]| {
        100.0 * marsad_ner::conll::score(dev.iter().zip(p).map(|(s, p)| (&s.tags[..], &p[..]))).micro.f1()
    };
    println!("dev micro F1 with knowledge {:.2}, without {:.2}", f(&with), f(&without));
    for ((s, a), b) in dev.iter().zip(&with).zip(&without) {
        let eb = marsad_ner::conll::entities(b);
        for (x, y, t) in marsad_ner::conll::entities(a) {
            if !eb.contains(&(x, y, t.clone())) {
                println!("{t}\t{}\tgold {}", s.tokens[x..y].join(" "), s.tags[x..y].join(" "));
            }
        }
    }
}

/// Tags the dev split (or test with --test) with marsad's inference and lists the entities
/// missed (FN, with what was found over them) and the ones found wrongly (FP), in context.
fn errors(args: &Args) {
    let bytes = std::fs::read(args.get("--model").expect("--model")).unwrap();
    let ner = PathBuf::from(NER_DIR);
    let sents = if args.flag("--test") {
        data::read_conll(&ner.join("anercorp_test.txt"))
    } else {
        let mut train = data::read_conll(&ner.join("anercorp_train.txt"));
        train.split_off(train.len() * 9 / 10)
    };
    let tagger = marsad_ner::crf::CrfTagger::new(&bytes).unwrap();
    let context =
        |s: &Sentence, a: usize, b: usize| s.tokens[a.saturating_sub(2)..(b + 2).min(s.tokens.len())].join(" ");
    for s in &sents {
        let pred = tagger.tag_words(&s.tokens.iter().map(String::as_str).collect::<Vec<_>>());
        let gold = marsad_ner::conll::entities(&s.tags);
        let found = marsad_ner::conll::entities(&pred);
        for e in gold.iter().filter(|e| !found.contains(e)) {
            let over: Vec<String> = found
                .iter()
                .filter(|x| x.0 < e.1 && e.0 < x.1)
                .map(|x| format!("{} {}", x.2, s.tokens[x.0..x.1].join(" ")))
                .collect();
            println!("FN\t{}\t{}\tfound {over:?}\t| {}", e.2, s.tokens[e.0..e.1].join(" "), context(s, e.0, e.1));
        }
        for e in found.iter().filter(|e| !gold.contains(e)) {
            println!("FP\t{}\t{}\t| {}", e.2, s.tokens[e.0..e.1].join(" "), context(s, e.0, e.1));
        }
    }
}
