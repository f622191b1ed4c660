//! The analyzer version changes whenever the analyses do: stores re-analyze by version
//! (`marsad reanalyze` takes the documents an older version analyzed), so an analysis that
//! changed under an unchanged version would never be refreshed in a store.
//!
//! `tests/analyses.digest` records, per version, the digest of the demo articles' analyses.
//! When this test fails after a change to the analyzers: bump the last part of
//! `ANALYZER_VERSION` (src/lib.rs) and add the line the failure prints.

use marsad_input::{Format, ReadOptions, read};
use marsad_pipeline::{ANALYZER_VERSION, AnalyzeOptions, Analyzer};

/// BLAKE3 over the demo articles' analyses (`marsad.document/1` JSON), in order.
fn digest() -> String {
    let analyzer = Analyzer::new();
    let mut h = blake3::Hasher::new();
    for (i, line) in include_str!("../../../data/demo/articles.jsonl").lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut o = ReadOptions::new("demo.jsonl");
        o.format = Some(Format::Json);
        let raw = read(line.as_bytes(), &o).expect("readable").remove(0).expect("an article");
        let doc = analyzer.analyze(&raw, AnalyzeOptions::default());
        let json = serde_json::to_vec(&doc).expect("json");
        h.update(&(i as u64).to_le_bytes()).update(&(json.len() as u64).to_le_bytes()).update(&json);
    }
    h.finalize().to_hex().to_string()
}

#[test]
fn the_version_changes_when_the_analyses_do() {
    let recorded = include_str!("analyses.digest");
    let line = format!("{ANALYZER_VERSION} {}", digest());
    let versions: Vec<(&str, &str)> = recorded.lines().filter_map(|l| l.split_once(' ')).collect();
    match versions.iter().find(|(v, _)| *v == ANALYZER_VERSION) {
        Some(_) => assert!(
            recorded.lines().any(|l| l == line),
            "the analyses changed under version {ANALYZER_VERSION}: bump the last part of ANALYZER_VERSION \
             (crates/marsad-pipeline/src/lib.rs) and add to tests/analyses.digest:\n{line}"
        ),
        None => panic!("version {ANALYZER_VERSION} has no digest yet: add to tests/analyses.digest:\n{line}"),
    }
    // Each version's analyses differ from every other's.
    let mut digests: Vec<&str> = versions.iter().map(|(_, d)| *d).collect();
    digests.sort_unstable();
    digests.dedup();
    assert_eq!(digests.len(), versions.len(), "two versions record the same analyses: one of them was not needed");
}
