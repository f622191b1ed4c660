//! What the store's test files share: real analyses of articles the team wrote.
#![allow(dead_code)]

use marsad_input::{ReadOptions, read};
use marsad_pipeline::{ANALYZER_VERSION, AnalyzeOptions, Analyzer};
use marsad_store::{Origin, Prepared, Store};
use std::sync::OnceLock;

pub fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(Analyzer::new)
}

/// Analyzes JSON records (one per line) into documents ready to store.
pub fn prepare(jsonl: &str, source: &str) -> Vec<Prepared> {
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let mut o = ReadOptions::new(source);
            o.format = Some(marsad_input::Format::Json);
            let raw = read(line.as_bytes(), &o).expect("read").remove(0).expect("record");
            let doc = analyzer().analyze(&raw, AnalyzeOptions::default());
            let origin = Origin {
                source: source.into(),
                line: Some(i as u64 + 1),
                raw: line.as_bytes().to_vec(),
                given: "{}".into(),
            };
            Prepared::new(doc, origin, ANALYZER_VERSION, &marsad_store::Codec::default()).expect("prepare")
        })
        .collect()
}

pub fn demo() -> &'static str {
    include_str!("../../../../data/demo/articles.jsonl")
}

pub fn store_with(batches: &[&str]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(dir.path()).expect("open");
    for b in batches {
        let docs = prepare(b, "test.jsonl");
        store.put(&docs).expect("put");
    }
    store.flush().expect("flush");
    (dir, store)
}
