//! Encoding detection and the whole analysis over arbitrary bytes in any format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marsad_input::{ReadOptions, read};
use marsad_pipeline::{AnalyzeOptions, Analyzer};

fuzz_target!(|data: &[u8]| {
    if let Ok(records) = read(data, &ReadOptions::new("fuzz")) {
        for raw in records.into_iter().flatten() {
            let doc = Analyzer::new().analyze(&raw, AnalyzeOptions { tokens: true });
            for s in &doc.sentences {
                assert!(s.end <= doc.text.len() && doc.text.is_char_boundary(s.start) && doc.text.is_char_boundary(s.end));
            }
        }
    }
});
