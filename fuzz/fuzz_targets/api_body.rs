//! The API's POST body: one article object or an array of them, each then read as JSON.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| marsad_fuzz::api_body(data));
