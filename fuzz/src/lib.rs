//! The bodies of the fuzz targets, one function per parser of outside input. Each takes
//! arbitrary bytes and panics only on a broken invariant (a crash for libFuzzer). The targets
//! in `fuzz_targets/` call them under `cargo fuzz`; the workspace test
//! `crates/marsad-ingest/tests/fuzz_corpus.rs` replays the kept corpus (`fuzz/corpus/<target>/`)
//! through them on every `cargo test`, so a fixed crash stays fixed.

use marsad_ingest::source::{Given, Item, SourceOptions, Unit, read_bytes};
use marsad_input::{Format, RawDoc, ReadOptions, read};
use marsad_pipeline::{AnalyzeOptions, Analyzer};
use marsad_store::{Filter, Store};
use std::sync::{Mutex, OnceLock};

/// Largest record the targets read (the inputs are small; the limit's checks are exercised).
const MAX_BYTES: usize = 1 << 20;

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(Analyzer::new)
}

/// Analyzes a read record and checks the analysis' spans: the layout covers the text, and
/// every sentence, token, entity and event evidence lies on character boundaries inside it.
fn analyzed(raw: &RawDoc) {
    for (span, _) in &raw.zones {
        assert!(span.start <= span.end && span.end <= raw.text.len());
        assert!(raw.text.is_char_boundary(span.start) && raw.text.is_char_boundary(span.end));
    }
    let doc = analyzer().analyze(raw, AnalyzeOptions { tokens: true });
    let text = &doc.text;
    let inside = |start: usize, end: usize| {
        assert!(start <= end && end <= text.len(), "span {start}..{end} outside {} bytes", text.len());
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "span {start}..{end} splits a char");
    };
    assert_eq!(doc.layout.last().map_or(0, |s| s.end), text.len());
    for s in &doc.sentences {
        inside(s.start, s.end);
    }
    for (start, end, part) in doc.entities.iter().map(|e| (e.start, e.end, &e.text)) {
        inside(start, end);
        assert_eq!(&text[start..end], part);
    }
    for (start, end) in doc.places.iter().map(|p| (p.start, p.end)).chain(doc.quotes.iter().map(|q| (q.start, q.end))) {
        inside(start, end);
    }
    for e in &doc.events {
        inside(e.evidence.start, e.evidence.end);
    }
    // The analysis serializes to the document contract's JSON and reads back.
    let json = serde_json::to_string(&doc).expect("document serializes");
    serde_json::from_str::<marsad_core::Document>(&json).expect("document reads back");
}

/// Reads bytes as `marsad_input::read` does with `opts` and analyzes each record; a read
/// error must name the input.
fn read_and_analyze(data: &[u8], opts: &ReadOptions<'_>) {
    match read(data, opts) {
        Ok(records) => {
            let many = records.len() > 1;
            for r in records {
                match r {
                    Ok(raw) => analyzed(&raw),
                    // Among several records, each error says which line.
                    Err(e) => assert!(!many || e.line.is_some(), "{e}"),
                }
            }
        }
        Err(e) => assert!(e.to_string().contains(opts.name), "{e}"),
    }
}

/// Text decoding (encoding detection, cp1256, UTF-16, binary) and analysis of any input.
pub fn decode_and_analyze(data: &[u8]) {
    read_and_analyze(data, &ReadOptions::new("fuzz"));
}

/// HTML extraction, zones and cleaning over arbitrary pages.
pub fn read_html(data: &[u8]) {
    let mut opts = ReadOptions::new("fuzz.html");
    opts.format = Some(Format::Html);
    opts.max_bytes = MAX_BYTES;
    read_and_analyze(data, &opts);
}

/// JSON and JSONL records.
pub fn read_json(data: &[u8]) {
    let mut opts = ReadOptions::new("fuzz.jsonl");
    opts.format = Some(Format::Json);
    opts.max_bytes = MAX_BYTES;
    read_and_analyze(data, &opts);
}

/// Reads an input as ingest does (split into units by its name's format), then reads and
/// analyzes each unit; every rejection names the input.
fn read_source(name: &str, data: &[u8]) {
    let opts = SourceOptions { given: Given::default(), max_bytes: MAX_BYTES };
    let mut units: Vec<Unit> = Vec::new();
    read_bytes(name, data.to_vec(), &opts, &mut |item| {
        match item {
            Item::Unit(u) => units.push(u),
            Item::Rejected(r) => assert!(r.source == name && !r.message.is_empty(), "{r:?}"),
        }
        units.len() < 64
    });
    for u in &units {
        if let Ok(o) = u.read_options(MAX_BYTES) {
            read_and_analyze(&u.bytes, &o);
        }
    }
}

/// WARC files: records, HTTP responses (chunked, gzip), charsets.
pub fn read_warc(data: &[u8]) {
    read_source("fuzz.warc", data);
}

/// Input files as ingest splits them: the first byte picks the file name (JSONL, JSON array,
/// gzip-compressed JSONL, plain), the rest is the file.
pub fn read_file(data: &[u8]) {
    const NAMES: [&str; 5] = ["fuzz.jsonl", "fuzz.json", "fuzz.jsonl.gz", "fuzz.txt", "fuzz"];
    if let Some((first, rest)) = data.split_first() {
        read_source(NAMES[*first as usize % NAMES.len()], rest);
    }
}

/// The API's POST body: one article object or an array of them, each then read as JSON.
pub fn api_body(data: &[u8]) {
    if let Ok(records) = marsad_input::json::request_records(data) {
        assert!(!records.is_empty());
        let mut opts = ReadOptions::new("http");
        opts.format = Some(Format::Json);
        opts.max_bytes = MAX_BYTES;
        for r in records {
            read_and_analyze(&r, &opts);
        }
    }
}

/// A store of a few team-written articles to search (made once per process).
fn store() -> &'static Mutex<Store> {
    static S: OnceLock<Mutex<Store>> = OnceLock::new();
    S.get_or_init(|| {
        // One per process, which is never dropped.
        let dir = marsad_store::scratch::process_folder("marsad-fuzz-store").expect("a temporary folder");
        let mut store = Store::open(&dir).expect("store");
        let demo = include_str!("../../data/demo/articles.jsonl");
        let records: Vec<Vec<u8>> = demo.lines().take(8).map(|l| l.as_bytes().to_vec()).collect();
        let opts = marsad_ingest::Options { progress: false, threads: 1, ..marsad_ingest::Options::default() };
        let once = OnceLock::new();
        marsad_ingest::ingest_records(&mut store, &once, "fuzz", records, &opts).expect("ingest");
        Mutex::new(store)
    })
}

/// The search query language and the filters of a query string: the text up to the first
/// line break is a query string (`type=Battles&from=2024-01-01…`), the rest the query.
/// A search answers or says what is wrong with the query; it never panics.
pub fn search_query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (params, query) = text.split_once('\n').unwrap_or(("", &text));
    let Ok(filter) = serde_urlencoded::from_str::<Filter>(params) else { return };
    let Ok(filter) = filter.validated() else { return };
    let store = store().lock().unwrap_or_else(|p| p.into_inner());
    if let Ok(found) = store.search(query, &filter, 5, 0) {
        assert!(found.hits.len() <= 5 && found.hits.len() <= found.total);
    }
}
