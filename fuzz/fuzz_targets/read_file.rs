//! Input files as ingest splits them: the first byte picks the file name (JSONL, JSON array,
//! gzip-compressed JSONL, plain), the rest is the file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| marsad_fuzz::read_file(data));
