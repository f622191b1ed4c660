//! The fuzz inputs replayed through the fuzz targets' own bodies: the team's seeds
//! (`fuzz/seeds/<target>/` or the fixture articles, and every input that once crashed a
//! target) with a few deterministic mutants each (cut short, bytes flipped, invalid UTF-8 and
//! a right-to-left override inserted), and a slice of what `cargo fuzz` found and minimized
//! (archived in `fuzz/corpus.tar.zst`). A short fuzz run on every `cargo test`.

#[path = "../../../fuzz/src/lib.rs"]
mod targets;

use std::collections::BTreeMap;
use std::io::Read;
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

/// The corpus `cargo fuzz` kept, by target: `fuzz/corpus.tar.zst` holds `corpus/<target>/<hash>`
/// (tens of MB of inputs in under 1 MB; `scripts/fuzz.sh` unpacks and repacks it).
fn kept_corpus(fuzz: &Path) -> BTreeMap<String, Vec<(String, Vec<u8>)>> {
    let path = fuzz.join("corpus.tar.zst");
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut archive = tar::Archive::new(zstd::Decoder::new(file).expect("zstd"));
    let mut out: BTreeMap<String, Vec<(String, Vec<u8>)>> = BTreeMap::new();
    for entry in archive.entries().expect("tar entries") {
        let mut entry = entry.expect("tar entry");
        let name = entry.path().expect("entry path").to_string_lossy().into_owned();
        let mut parts = name.trim_start_matches("./").split('/');
        if let (Some("corpus"), Some(target), Some(file)) = (parts.next(), parts.next(), parts.next())
            && !file.is_empty()
        {
            let mut data = Vec::new();
            entry.read_to_end(&mut data).expect("entry data");
            out.entry(target.to_owned()).or_default().push((file.to_owned(), data));
        }
    }
    for inputs in out.values_mut() {
        inputs.sort();
    }
    out
}

/// A slice of what the fuzzer kept: every `stride`-th input from an offset that moves daily.
fn slice(found: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    let all = std::env::var("MARSAD_FUZZ_CORPUS").is_ok_and(|v| v == "all");
    let stride = if all { 1 } else { found.len().div_ceil(SAMPLE).max(1) };
    let day = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400);
    found.into_iter().skip(day as usize % stride).step_by(stride).collect()
}

/// Runs a target on an input; a panic names the target and where the input came from.
fn replay(name: &str, target: Target, from: &str, data: &[u8]) {
    if let Err(panic) = std::panic::catch_unwind(|| target(data)) {
        let why = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        panic!("{name} on {from} (input of {} bytes): {why}", data.len());
    }
}

#[test]
fn the_fuzz_corpus_and_its_mutants_run_clean() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut kept = kept_corpus(&fuzz);
    for (name, target) in TARGETS {
        let seeds = seed_dirs(&fuzz, name).iter().flat_map(|d| files_in(d)).collect::<Vec<_>>();
        assert!(!seeds.is_empty(), "no seeds for {name}");
        for f in seeds {
            let data = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            for m in mutants(&data) {
                replay(name, target, &f.display().to_string(), &m);
            }
        }
        let found = kept.remove(name).unwrap_or_default();
        assert!(!found.is_empty(), "no kept corpus for {name} in fuzz/corpus.tar.zst");
        for (file, data) in slice(found) {
            replay(name, target, &format!("corpus/{name}/{file}"), &data);
        }
    }
}
