//! Fixture articles (tests/fixtures/articles, written by the team) against hand-written
//! expectations (`*.expect.json`) and full-document snapshots (tests/snapshots).

use marsad_core::Document;
use marsad_input::{ReadOptions, read};
use marsad_pipeline::{AnalyzeOptions, Analyzer};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/articles")
}

fn analyze_file(path: &Path) -> Vec<Document> {
    let bytes = std::fs::read(path).expect("fixture");
    let name = path.file_name().and_then(|n| n.to_str()).expect("name");
    let analyzer = Analyzer::new();
    read(&bytes, &ReadOptions::new(name))
        .expect("readable fixture")
        .into_iter()
        .map(|r| analyzer.analyze(&r.expect("good record"), AnalyzeOptions::default()))
        .collect()
}

/// Folds what the expectations are insensitive to: diacritics, tatweel, controls, spaces.
fn fold(s: &str) -> String {
    marsad_text::lossless(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The strings of an expectation's list field.
fn strings<'a>(exp: &'a Value, field: &str) -> impl Iterator<Item = &'a str> {
    exp.get(field).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
}

fn check(doc: &Document, exp: &Value, label: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut expect_str = |field: &str, got: Option<&str>| {
        let want = exp.get(field).and_then(Value::as_str);
        if exp.get(field).is_some() && want.map(fold) != got.map(fold) {
            problems.push(format!("{label}: {field}: want {want:?}, got {got:?}"));
        }
    };
    expect_str("title", doc.title.as_deref());
    expect_str("outlet", doc.outlet.as_deref());
    expect_str("author", doc.author.as_deref());
    expect_str("genre", Some(doc.genre.as_str()));
    match exp.get("dateline") {
        Some(Value::Null) | None => {
            if exp.get("dateline") == Some(&Value::Null) && doc.dateline.is_some() {
                problems.push(format!("{label}: dateline: want none, got {:?}", doc.dateline));
            }
        }
        Some(d) => {
            let got = doc.dateline.as_ref();
            let place = got.and_then(|g| g.place.as_deref()).map(fold);
            let country = got.and_then(|g| g.country.as_deref());
            if d.get("place").and_then(Value::as_str).map(fold) != place {
                problems.push(format!("{label}: dateline place: want {:?}, got {place:?}", d.get("place")));
            }
            if d.get("country").and_then(Value::as_str) != country {
                problems.push(format!("{label}: dateline country: want {:?}, got {country:?}", d.get("country")));
            }
        }
    }
    let body = fold(&doc.body);
    for s in strings(exp, "body_must_contain") {
        if !body.contains(&fold(s)) {
            problems.push(format!("{label}: body lacks {s:?}"));
        }
    }
    for s in strings(exp, "body_must_not_contain") {
        if body.contains(&fold(s)) {
            problems.push(format!("{label}: body still has {s:?}"));
        }
    }
    for (s, n) in exp.get("max_occurrences_in_body").and_then(Value::as_object).into_iter().flatten() {
        let count = body.matches(&fold(s)).count() as u64;
        if count > n.as_u64().unwrap_or(0) {
            problems.push(format!("{label}: {s:?} occurs {count} times in the body"));
        }
    }
    for r in strings(exp, "removed_reasons") {
        if !doc.removed.iter().any(|x| x.reason.as_str() == r) {
            problems.push(format!("{label}: no removed span with reason {r}"));
        }
    }
    problems
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !n.ends_with(".expect.json") && !n.ends_with(".utf8.txt") && n != "README.md"
        })
        .collect();
    files.sort();
    files
}

#[test]
fn fixtures_meet_their_expectations() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for path in fixture_files() {
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("stem").to_owned();
        let exp_path = fixtures_dir().join(format!("{stem}.expect.json"));
        let exp: Value =
            serde_json::from_str(&std::fs::read_to_string(&exp_path).expect("every fixture has expectations"))
                .expect("json");
        let docs = analyze_file(&path);
        let exps: Vec<Value> = match exp {
            Value::Array(items) => items,
            one => vec![one],
        };
        assert_eq!(docs.len(), exps.len(), "{stem}: documents vs expectations");
        for (i, (doc, e)) in docs.iter().zip(&exps).enumerate() {
            problems.extend(check(doc, e, &format!("{stem}[{i}]")));
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} fixture documents");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn cp1256_fixture_decodes_to_its_utf8_twin() {
    let dir = fixtures_dir();
    let a = &analyze_file(&dir.join("cp1256_news.txt"))[0];
    let b = &analyze_file(&dir.join("cp1256_news.utf8.txt"))[0];
    assert_eq!(a.input.encoding, "windows-1256");
    assert_eq!(a.text, b.text);
    assert_eq!(a.body, b.body);
    assert!(a.diagnostics.iter().any(|d| d.code == "input.encoding-detected"));
}

#[test]
fn fixture_snapshots() {
    for path in fixture_files() {
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("stem").to_owned();
        for (i, doc) in analyze_file(&path).into_iter().enumerate() {
            let mut v = serde_json::to_value(&doc).expect("serialize");
            // The text is the fixture itself; the snapshot shows what was made of it.
            v.as_object_mut().map(|o| o.remove("text"));
            insta::assert_json_snapshot!(format!("{stem}_{i}"), v);
        }
    }
}
