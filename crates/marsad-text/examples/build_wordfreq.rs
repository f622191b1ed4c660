//! Regenerates data/text/wordfreq.tsv: how often each Arabic word (lossless-normalized, whole,
//! unsegmented) occurs in the reference corpora. Only the counts are kept, never text.
//!
//! cargo run --release -p marsad-text --example build_wordfreq -- MIN_COUNT FILE.jsonl[.gz]... > data/text/wordfreq.tsv
//!
//! The committed file is built from the two Apache-2.0 ANT corpora in ../shared/data/corpus
//! (ant_v2_1_multisource_2018, ant_v1_1_jawharafm_2015_2017) with MIN_COUNT 3.

use marsad_core::Span;
use marsad_text::{TokenKind, lossless, words};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let min: u32 = args.next().ok_or("usage: build_wordfreq MIN_COUNT FILE...")?.parse()?;
    let mut counts: HashMap<String, u32> = HashMap::new();
    let mut articles = 0u64;
    let files: Vec<String> = args.collect();
    for path in &files {
        let file = std::fs::File::open(path)?;
        let reader: Box<dyn Read> =
            if path.ends_with(".gz") { Box::new(flate2::read::GzDecoder::new(file)) } else { Box::new(file) };
        for line in BufReader::new(reader).lines() {
            let v: serde_json::Value = serde_json::from_str(&line?)?;
            for field in ["title", "text"] {
                if let Some(t) = v.get(field).and_then(|t| t.as_str()) {
                    for w in words(t, Span::new(0, t.len())) {
                        if w.kind == TokenKind::Word {
                            *counts.entry(lossless(w.span.slice(t))).or_default() += 1;
                        }
                    }
                }
            }
            articles += 1;
        }
    }
    let mut rows: Vec<(String, u32)> = counts.into_iter().filter(|(_, n)| *n >= min).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "# word<TAB>count over {articles} articles (ANT corpus v1.1 + v2.1, Apache-2.0); min count {min}")?;
    writeln!(out, "# built by crates/marsad-text/examples/build_wordfreq.rs; see data/text/README.md")?;
    for (w, n) in rows {
        writeln!(out, "{w}\t{n}")?;
    }
    Ok(())
}
