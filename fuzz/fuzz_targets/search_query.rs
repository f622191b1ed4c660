//! The search query language and the filters of a query string: the text up to the first
//! line break is a query string (`type=Battles&from=2024-01-01…`), the rest the query.
//! A search answers or says what is wrong with the query; it never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| marsad_fuzz::search_query(data));
