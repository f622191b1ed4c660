//! The fuzz corpus (`fuzz/corpus/<target>/`: the team's seeds and what `cargo fuzz` found and
//! minimized) replayed through the fuzz targets' own bodies, with a few deterministic mutants of
//! each input (cut short, bytes flipped, invalid UTF-8 and a right-to-left override inserted):
//! a short fuzz run on every `cargo test`, and a crash once found stays fixed.

#[path = "../../../fuzz/src/lib.rs"]
mod targets;

use std::path::Path;

/// A fuzz target's body.
type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 7] = [
    ("decode_and_analyze", targets::decode_and_analyze),
    ("read_html", targets::read_html),
    ("read_json", targets::read_json),
    ("read_warc", targets::read_warc),
    ("read_file", targets::read_file),
    ("api_body", targets::api_body),
    ("search_query", targets::search_query),
];

/// The input and some of its mutants: cut at a third and two thirds, one byte flipped at each
/// of those points, and 0xFF and U+202E (right-to-left override) inserted in the middle.
fn mutants(data: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![data.to_vec()];
    if data.is_empty() {
        return out;
    }
    for at in [data.len() / 3, 2 * data.len() / 3] {
        out.push(data[..at].to_vec());
        let mut flipped = data.to_vec();
        flipped[at] ^= 0x80;
        out.push(flipped);
    }
    let mid = data.len() / 2;
    for insert in [&[0xFF][..], "\u{202E}".as_bytes()] {
        let mut v = data[..mid].to_vec();
        v.extend_from_slice(insert);
        v.extend_from_slice(&data[mid..]);
        out.push(v);
    }
    out
}

#[test]
fn the_fuzz_corpus_and_its_mutants_run_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    for (name, target) in TARGETS {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no corpus for {name}");
        for f in files {
            let data = match std::fs::read(&f) {
                Ok(d) => d,
                // Removed since listed: `cargo fuzz run` is reducing this corpus right now.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => panic!("{}: {e}", f.display()),
            };
            for m in mutants(&data) {
                if let Err(panic) = std::panic::catch_unwind(|| target(&m)) {
                    let why = panic.downcast_ref::<String>().cloned().unwrap_or_default();
                    panic!("{name} on {} (mutant of {} bytes): {why}", f.display(), m.len());
                }
            }
        }
    }
}
