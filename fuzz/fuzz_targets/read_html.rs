//! HTML extraction and cleaning over arbitrary pages: no panic, spans inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marsad_input::{Format, ReadOptions, read};
use marsad_pipeline::{AnalyzeOptions, Analyzer};

fuzz_target!(|data: &[u8]| {
    let mut opts = ReadOptions::new("fuzz.html");
    opts.format = Some(Format::Html);
    if let Ok(records) = read(data, &opts) {
        for raw in records.into_iter().flatten() {
            for (span, _) in &raw.zones {
                assert!(span.end <= raw.text.len() && raw.text.is_char_boundary(span.start));
            }
            let doc = Analyzer::new().analyze(&raw, AnalyzeOptions { tokens: true });
            assert_eq!(doc.layout.last().map_or(0, |s| s.end), doc.text.len());
        }
    }
});
