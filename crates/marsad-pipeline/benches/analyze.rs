//! Criterion benchmark of the text layer and cleaning, and of the whole analysis.
//!
//! Reads ../shared/data/corpus/sample_1000.jsonl when it is there (the figure the README
//! records), else the team's fixture articles, so the bench runs on a clean checkout too.
//! `cargo bench -p marsad-pipeline`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use marsad_input::{RawDoc, ReadOptions, read};
use marsad_pipeline::{AnalyzeOptions, Analyzer, Stage};
use std::path::Path;

fn corpus() -> (String, Vec<RawDoc>) {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/corpus/sample_1000.jsonl");
    let (label, files): (String, Vec<std::path::PathBuf>) = if shared.exists() {
        ("sample_1000".into(), vec![shared])
    } else {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/articles");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("fixtures")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| !p.to_string_lossy().ends_with(".expect.json") && p.extension().is_some_and(|e| e != "md"))
            .collect();
        files.sort();
        ("fixtures".into(), files)
    };
    let mut docs = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).expect("read");
        let name = f.to_string_lossy().into_owned();
        let is_jsonl = name.ends_with(".jsonl");
        let chunks: Vec<&[u8]> =
            if is_jsonl { bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect() } else { vec![&bytes] };
        for chunk in chunks {
            if let Ok(records) = read(chunk, &ReadOptions::new(&name)) {
                docs.extend(records.into_iter().flatten());
            }
        }
    }
    (label, docs)
}

fn bench(c: &mut Criterion) {
    let (label, docs) = corpus();
    let bytes: u64 = docs.iter().map(|d| d.text.len() as u64).sum();
    let analyzer = Analyzer::new();
    let mut g = c.benchmark_group(format!("analyze/{label}"));
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10);
    for (name, stage) in [
        ("text_layer_and_cleaning", Stage::Text),
        ("text_layer_and_entities", Stage::Entities),
        ("text_layer_entities_and_places", Stage::Places),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                // Every iteration starts cold: no segmentations or word scores remembered.
                marsad_text::tokenize::clear_segment_cache();
                marsad_ner::crf::features::clear_analysis_cache();
                marsad_ner::crf::clear_score_cache();
                docs.iter().map(|d| analyzer.text_layer(d, stage)).sum::<usize>()
            })
        });
    }
    g.bench_function("document", |b| {
        b.iter(|| docs.iter().map(|d| analyzer.analyze(d, AnalyzeOptions::default()).sentences.len()).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
