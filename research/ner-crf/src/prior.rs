//! Label prior: a first tagger runs over the raw news corpus and counts, per word key and per
//! clitic-free stem key, the labels it gave (`prior` subcommand). A second model then takes the
//! shares as features (`--feats …,prior`). To train that model without leaking its own
//! training labels, the counts come from two half models (jackknife): the sentences of the
//! first half of ANERcorp train see the counts of the model trained on the second half and the
//! other way round; test text sees the two tables summed.

use crate::clusters::raw_tokens;
use flate2::read::GzDecoder;
use marsad_ner::crf::features::{PRIOR_LABELS, PriorCounts};
use marsad_ner::crf::{CrfTagger, stem_key, word_key};
use rustc_hash::FxHashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// Tags every `stride`-th article of the corpus files (at most `max_tokens` tokens) with
/// `model` and writes `w|s<TAB>key<TAB>count per label` lines to `out`.
pub fn build(model: &[u8], files: &[PathBuf], stride: usize, max_tokens: usize, out: &Path) {
    let tagger = CrfTagger::new(model).expect("model");
    let mut counts: PriorCounts = FxHashMap::default();
    let mut keys: FxHashMap<String, (String, String)> = FxHashMap::default();
    let label_index = |l: &str| {
        let (bi, ty) = l.split_once('-').unwrap_or(("O", ""));
        let ty = marsad_ner::conll::canonical_type(ty);
        PRIOR_LABELS.iter().position(|x| *x == format!("{bi}-{ty}")).unwrap_or(0)
    };
    let (mut ntok, mut article) = (0usize, 0usize);
    let t = std::time::Instant::now();
    'files: for f in files {
        let r = BufReader::new(GzDecoder::new(std::fs::File::open(f).unwrap()));
        for line in r.lines() {
            let line = line.unwrap();
            article += 1;
            if article % stride != 0 {
                continue;
            }
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
            for field in ["title", "text"] {
                let Some(text) = v.get(field).and_then(|x| x.as_str()) else { continue };
                let mut toks = Vec::new();
                raw_tokens(text, &mut toks);
                for sent in toks.split_inclusive(|w| matches!(w.as_str(), "." | "!" | "?" | "؟")) {
                    for part in sent.chunks(100) {
                        let words: Vec<&str> = part.iter().map(String::as_str).collect();
                        let labels = tagger.tag_words(&words);
                        for (w, l) in words.iter().zip(&labels) {
                            let (wk, sk) =
                                keys.entry((*w).to_string()).or_insert_with(|| (word_key(w), stem_key(w))).clone();
                            let li = label_index(l);
                            counts.entry(('w', wk)).or_insert([0; 9])[li] += 1;
                            counts.entry(('s', sk)).or_insert([0; 9])[li] += 1;
                        }
                        ntok += words.len();
                    }
                }
            }
            if ntok >= max_tokens {
                break 'files;
            }
        }
    }
    eprintln!("tagged {ntok} tokens in {:.1}s", t.elapsed().as_secs_f32());
    let rows: Vec<_> = counts.into_iter().filter(|(_, c)| c.iter().sum::<u32>() >= 2).collect();
    write_counts(out, rows);
}

/// Sums label-prior files and writes the keys a model can use (seen 3 times or more, some
/// label other than O at 5 % or more): the table shipped beside the model.
pub fn merge(files: &[PathBuf], out: &Path) {
    use marsad_ner::crf::features::LabelPrior;
    let tables: Vec<PriorCounts> =
        files.iter().map(|f| LabelPrior::parse_counts(&std::fs::read_to_string(f).unwrap())).collect();
    let rows: Vec<_> = sum(&tables)
        .into_iter()
        .filter(|(_, c)| {
            let n: u32 = c.iter().sum();
            n >= 3 && c[1..].iter().any(|&x| x as f64 >= 0.05 * n as f64)
        })
        .collect();
    write_counts(out, rows);
}

/// The label counts of several tables added up key by key.
pub fn sum(tables: &[PriorCounts]) -> PriorCounts {
    let mut all = PriorCounts::default();
    for (k, c) in tables.iter().flatten() {
        let slot = all.entry(k.clone()).or_insert([0; 9]);
        slot.iter_mut().zip(c).for_each(|(s, x)| *s += x);
    }
    all
}

/// Writes label counts by (kind, key), sorted, in the label-prior file format.
fn write_counts(out: &Path, mut rows: Vec<((char, String), [u32; 9])>) {
    rows.sort();
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
    writeln!(w, "# kind\tkey\tcounts of {}", PRIOR_LABELS.join(" ")).unwrap();
    for ((kind, key), c) in rows {
        let c: Vec<String> = c.iter().map(u32::to_string).collect();
        writeln!(w, "{kind}\t{key}\t{}", c.join(" ")).unwrap();
    }
}
