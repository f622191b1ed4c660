//! The fuzz inputs replayed through the fuzz targets' own bodies: the team's seeds
//! (`fuzz/seeds/<target>/` or the fixture articles, and every input that once crashed a
//! target) with a few
//! deterministic mutants each (cut short, bytes flipped, invalid UTF-8 and a right-to-left
//! override inserted), and a slice of what `cargo fuzz` found and minimized
//! (`fuzz/corpus/<target>/`). A short fuzz run on every `cargo test`.

#[path = "../../../fuzz/src/lib.rs"]
mod targets;

use std::path::{Path, PathBuf};

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

/// Corpus files per target replayed by one `cargo test` besides the seeds (the kept corpus
/// holds thousands, and a debug build analyzes a few a second); a different slice each day,
/// so that days of CI replay all of it. `MARSAD_FUZZ_CORPUS=all` replays every file.
const SAMPLE: usize = 25;

/// Where a target's seeds are: `fuzz/seeds/<target>/`, and for the readers of whole articles
/// the pipeline's fixture articles (text, HTML, JSON, JSONL, Windows-1256). `scripts/fuzz.sh`
/// starts from the same folders.
fn seed_dirs(fuzz: &Path, target: &str) -> Vec<PathBuf> {
    let own = fuzz.join("seeds").join(target);
    let fixtures = fuzz.join("../crates/marsad-pipeline/tests/fixtures/articles");
    let whole_articles = matches!(target, "decode_and_analyze" | "read_html" | "read_json");
    [whole_articles.then_some(fixtures), own.is_dir().then_some(own)].into_iter().flatten().collect()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

/// A slice of what the fuzzer kept: every `stride`-th file from an offset that moves daily.
fn slice(found: Vec<PathBuf>) -> Vec<PathBuf> {
    let all = std::env::var("MARSAD_FUZZ_CORPUS").is_ok_and(|v| v == "all");
    let stride = if all { 1 } else { found.len().div_ceil(SAMPLE).max(1) };
    let day = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400);
    found.into_iter().skip(day as usize % stride).step_by(stride).collect()
}

#[test]
fn the_fuzz_corpus_and_its_mutants_run_clean() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    for (name, target) in TARGETS {
        let seeds = seed_dirs(&fuzz, name).iter().flat_map(|d| files_in(d)).collect::<Vec<_>>();
        assert!(!seeds.is_empty(), "no seeds for {name}");
        let kept = slice(files_in(&fuzz.join("corpus").join(name)));
        let inputs = seeds.into_iter().map(|f| (f, true)).chain(kept.into_iter().map(|f| (f, false)));
        for (f, seed) in inputs {
            let data = match std::fs::read(&f) {
                Ok(d) => d,
                // Removed since listed: `cargo fuzz run` is reducing this corpus right now.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => panic!("{}: {e}", f.display()),
            };
            for m in if seed { mutants(&data) } else { vec![data] } {
                if let Err(panic) = std::panic::catch_unwind(|| target(&m)) {
                    let why = panic.downcast_ref::<String>().cloned().unwrap_or_default();
                    panic!("{name} on {} (input of {} bytes): {why}", f.display(), m.len());
                }
            }
        }
    }
}
