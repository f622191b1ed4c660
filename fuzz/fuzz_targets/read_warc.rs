//! WARC files: records, HTTP responses (chunked, gzip), charsets.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| marsad_fuzz::read_warc(data));
