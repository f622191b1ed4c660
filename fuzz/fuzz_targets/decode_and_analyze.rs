//! Text decoding (encoding detection, cp1256, UTF-16, binary) and analysis of any input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| marsad_fuzz::decode_and_analyze(data));
