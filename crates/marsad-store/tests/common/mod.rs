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

/// The backends a store test runs on: the embedded store, and PostgreSQL where the machine
/// has it (`MARSAD_PG_TESTS=1`, as CI sets, makes its absence a failure).
pub fn backends() -> Vec<&'static str> {
    if marsad_store::pg::local::programs().is_some() || std::env::var("MARSAD_PG_TESTS").is_ok_and(|v| v == "1") {
        vec!["embedded", "postgres"]
    } else {
        eprintln!("PostgreSQL is not installed: the store tests run on the embedded store only");
        vec!["embedded"]
    }
}

/// A new empty PostgreSQL database; its URL.
pub fn pg_database() -> String {
    marsad_store::pg::local::test_database().expect("PostgreSQL")
}

/// What keeps a test's store alive (the embedded store's folder).
pub struct Held(#[allow(dead_code)] Option<tempfile::TempDir>);

/// A store of backend `kind` holding these batches of JSON records, made searchable.
pub fn backend_with(kind: &str, batches: &[&str]) -> (Held, Box<dyn marsad_store::Backend>) {
    let (held, mut store): (Held, Box<dyn marsad_store::Backend>) = match kind {
        "embedded" => {
            let dir = tempfile::tempdir().expect("tmp");
            let store = Store::open(dir.path()).expect("open");
            (Held(Some(dir)), Box::new(store))
        }
        _ => (Held(None), Box::new(marsad_store::pg::PgStore::connect(&pg_database()).expect("connect"))),
    };
    for b in batches {
        let docs = prepare(b, "test.jsonl");
        store.put(&docs).expect("put");
    }
    store.flush().expect("flush");
    (held, store)
}
