//! HTML extraction, zones and cleaning over arbitrary pages.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| marsad_fuzz::read_html(data));
