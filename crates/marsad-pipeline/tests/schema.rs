//! docs/document.schema.json and the serialized document stay in step: every field the
//! document writes is in the schema, every required field is written, and the enums agree.

use marsad_core::RemovalReason;
use marsad_input::{ReadOptions, read};
use marsad_pipeline::{AnalyzeOptions, Analyzer};
use serde_json::Value;
use std::collections::BTreeSet;

fn schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/document.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("schema file")).expect("schema JSON")
}

fn document() -> Value {
    let text = "عنوان\n\nدمشق - قتل ثلاثة.\nللمزيد:\nخبر\n";
    let raw = read(text.as_bytes(), &ReadOptions::new("t.txt")).expect("read").remove(0).expect("ok");
    serde_json::to_value(Analyzer::new().analyze(&raw, AnalyzeOptions { tokens: true })).expect("serialize")
}

#[test]
fn top_level_fields_match() {
    let s = schema();
    let d = document();
    let props: BTreeSet<&str> = s["properties"].as_object().expect("properties").keys().map(String::as_str).collect();
    let written: BTreeSet<&str> = d.as_object().expect("object").keys().map(String::as_str).collect();
    let required: BTreeSet<&str> =
        s["required"].as_array().expect("required").iter().filter_map(Value::as_str).collect();
    assert_eq!(written.difference(&props).collect::<Vec<_>>(), Vec::<&&str>::new(), "fields missing from the schema");
    assert_eq!(required.difference(&written).collect::<Vec<_>>(), Vec::<&&str>::new(), "required fields not written");
    assert_eq!(d["schema"], s["properties"]["schema"]["const"]);
}

#[test]
fn removal_reasons_match() {
    let s = schema();
    let in_schema: BTreeSet<&str> =
        s["$defs"]["reason"]["enum"].as_array().expect("enum").iter().filter_map(Value::as_str).collect();
    let in_code: BTreeSet<&str> = RemovalReason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(in_schema, in_code);
}
