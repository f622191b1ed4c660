//! JSON/JSONL record parsing over arbitrary bytes: no panic; every record error names a line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marsad_input::{Format, ReadOptions, read};
use marsad_pipeline::{AnalyzeOptions, Analyzer};

fuzz_target!(|data: &[u8]| {
    let mut opts = ReadOptions::new("fuzz.jsonl");
    opts.format = Some(Format::Json);
    if let Ok(records) = read(data, &opts) {
        let many = records.len() > 1;
        for r in records {
            match r {
                Ok(raw) => {
                    let doc = Analyzer::new().analyze(&raw, AnalyzeOptions::default());
                    assert_eq!(doc.layout.last().map_or(0, |s| s.end), doc.text.len());
                }
                Err(e) => assert!(!many || e.line.is_some()),
            }
        }
    }
});
