//! Regenerates data/geo/placeness.tsv: for each gazetteer name as written (lossless-normalized,
//! without proclitics), how often it occurs in the reference corpora and how often marsad's
//! recognizer tags it as a place there. A name
//! that is mostly a common word (أن, كان, صور, البلاد) is then only taken for a place when the
//! article itself says so. Only counts are kept, never text.
//!
//! cargo run --release -p marsad-pipeline --example build_placeness -- MIN_COUNT FILE.jsonl[.gz]... > data/geo/placeness.tsv
//!
//! The committed file is built from the two Apache-2.0 ANT corpora in ../shared/data/corpus
//! with MIN_COUNT 20.

use marsad_core::Span;
use marsad_geo::{GeoInput, Geocoder};
use marsad_kb::KnowledgeBase;
use marsad_ner::Recognizer;
use marsad_text::{Tokenizer, split_sentences};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let min: u32 = args.next().ok_or("usage: build_placeness MIN_COUNT FILE...")?.parse()?;
    let tokenizer = Tokenizer::default();
    let recognizer = Recognizer::new(KnowledgeBase::embedded(), marsad_pipeline::default_tagger());
    let geocoder = Geocoder::embedded();
    let mut counts: HashMap<String, (u32, u32)> = HashMap::new();
    let mut articles = 0u64;
    for path in args {
        let file = std::fs::File::open(&path)?;
        let reader: Box<dyn Read> =
            if path.ends_with(".gz") { Box::new(flate2::read::GzDecoder::new(file)) } else { Box::new(file) };
        for line in BufReader::new(reader).lines() {
            let v: serde_json::Value = serde_json::from_str(&line?)?;
            let Some(text) = v.get("text").and_then(|t| t.as_str()) else {
                continue;
            };
            let whole = Span::new(0, text.len());
            let sentences = split_sentences(text, whole);
            let tokens = tokenizer.tokenize(text);
            let entities = recognizer.recognize_tokens(text, &tokens, &sentences);
            let input =
                GeoInput { text, tokens: &tokens, entities: &entities, sentences: &sentences, dateline_country: None };
            for (key, tagged) in geocoder.survey(&input) {
                let c = counts.entry(key).or_default();
                c.0 += 1;
                c.1 += u32::from(tagged);
            }
            articles += 1;
            if articles.is_multiple_of(5000) {
                eprintln!("{articles} articles");
            }
        }
    }
    let mut rows: Vec<(String, (u32, u32))> = counts.into_iter().filter(|(_, (n, _))| *n >= min).collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "# key<TAB>occurrences<TAB>tagged as a place, over {articles} articles (ANT corpus v1.1 + v2.1, Apache-2.0)"
    )?;
    writeln!(out, "# built by crates/marsad-pipeline/examples/build_placeness.rs; see data/geo/README.md")?;
    for (key, (n, tagged)) in rows {
        writeln!(out, "{key}\t{n}\t{tagged}")?;
    }
    Ok(())
}
