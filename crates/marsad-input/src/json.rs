//! JSON and JSONL article records: one object, an array of objects, or one object per line.
//!
//! Field names vary by crawler and corpus; the first present of each list is used:
//! title; text | body | content | article | maintext; date | published | pubDate |
//! published_at | datePublished; url | link; source | outlet | site | publisher (a string,
//! or an object with a name); id | _id; author | byline (a string or a list).

use crate::Meta;
use crate::error::{ErrorKind, InputError};
use serde_json::Value;

/// The articles of a request body (the API's POST): one JSON object, or an array of them, each
/// returned as its own bytes for [`crate::read`]; what is not that gets a message saying so.
/// Nothing of the records themselves is checked here: each is read, and maybe rejected, on its own.
pub fn request_records(body: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    use serde_json::value::RawValue;
    let records = match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => serde_json::from_slice::<Vec<Box<RawValue>>>(body)
            .map_err(|e| format!("request body: {e}"))?
            .into_iter()
            .map(|r| r.get().as_bytes().to_vec())
            .collect(),
        Some(b'{') => {
            serde_json::from_slice::<&RawValue>(body).map_err(|e| format!("request body: {e}"))?;
            vec![body.to_vec()]
        }
        _ => return Err("request body: send a JSON object or an array of them".into()),
    };
    if records.is_empty() {
        return Err("request body: the array holds no articles".into());
    }
    Ok(records)
}

/// One article record of a JSON input.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonRecord {
    pub title: Option<String>,
    pub text: String,
    pub meta: Meta,
    /// 1-based line in the input (JSONL) or 1.
    pub line: usize,
    /// The raw bytes of the record, for its content hash.
    pub raw: String,
}

const TEXT: &[&str] = &["text", "body", "content", "article", "maintext"];
const DATE: &[&str] = &["date", "published", "pubDate", "published_at", "datePublished", "date_publish"];
const URL: &[&str] = &["url", "link"];
const OUTLET: &[&str] = &["source", "outlet", "site", "publisher", "site_name"];
const ID: &[&str] = &["id", "_id"];
const AUTHOR: &[&str] = &["author", "byline", "authors"];

fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => o.get("name").and_then(string_of),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(string_of).collect();
            (!parts.is_empty()).then(|| parts.join("، "))
        }
        _ => None,
    }
}

fn first(obj: &serde_json::Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| obj.get(*k).and_then(string_of))
}

fn record(name: &str, line: usize, v: &Value, raw: &str) -> Result<JsonRecord, InputError> {
    let err = |kind| InputError::at_line(name, line, kind);
    let Value::Object(obj) = v else {
        return Err(err(ErrorKind::NotAnArticle("a JSON record must be an object with a text field".into())));
    };
    let Some(text_value) = TEXT.iter().find_map(|k| obj.get(*k)) else {
        return Err(err(ErrorKind::NotAnArticle(format!("JSON record has no text field (tried {})", TEXT.join(", ")))));
    };
    let text = match text_value {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts.iter().filter_map(|p| p.as_str()).collect::<Vec<_>>().join("\n"),
        _ => {
            return Err(err(ErrorKind::NotAnArticle("the text field of the JSON record is not a string".into())));
        }
    };
    Ok(JsonRecord {
        title: first(obj, &["title", "headline"]),
        text,
        meta: Meta {
            id: first(obj, ID),
            published: first(obj, DATE),
            outlet: first(obj, OUTLET),
            url: first(obj, URL),
            title: None,
            author: first(obj, AUTHOR),
        },
        line,
        raw: raw.to_owned(),
    })
}

fn json_error(name: &str, e: &serde_json::Error) -> InputError {
    InputError::new(name, ErrorKind::Json { line: e.line(), column: e.column(), message: e.to_string() })
}

/// Parses a JSON or JSONL input into records; a bad JSONL line is an error for that record
/// only, the others still come out.
pub fn parse_records(name: &str, text: &str) -> Vec<Result<JsonRecord, InputError>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => {
            return items.iter().enumerate().map(|(i, v)| record(name, i + 1, v, &v.to_string())).collect();
        }
        Ok(v) => return vec![record(name, 1, &v, text)],
        // Not one JSON value: JSON lines when several lines hold objects, else a malformed document.
        Err(e) if text.lines().filter(|l| l.trim_start().starts_with('{')).count() < 2 => {
            return vec![Err(json_error(name, &e))];
        }
        Err(_) => {}
    }
    // JSON lines.
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(v) => out.push(record(name, i + 1, &v, line)),
            Err(e) => out.push(Err(InputError::at_line(
                name,
                i + 1,
                ErrorKind::Json { line: i + 1, column: e.column(), message: e.to_string() },
            ))),
        }
    }
    if out.is_empty() {
        out.push(Err(InputError::new(name, ErrorKind::Empty)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_object_with_corpus_fields() {
        let r = parse_records(
            "a.json",
            r#"{"id": 7, "title": "عنوان", "text": "نص", "date": "2018-05-04", "source": "CNN", "url": "u"}"#,
        );
        let r = r[0].as_ref().expect("record");
        assert_eq!(r.title.as_deref(), Some("عنوان"));
        assert_eq!(r.text, "نص");
        assert_eq!(r.meta.id.as_deref(), Some("7"));
        assert_eq!(r.meta.outlet.as_deref(), Some("CNN"));
    }

    #[test]
    fn jsonl_keeps_going_past_bad_lines() {
        let text = "{\"title\":\"a\",\"body\":\"x\"}\n{broken\n\n{\"title\":\"b\"}\n{\"body\":\"y\",\"publisher\":{\"name\":\"P\"}}\n";
        let rs = parse_records("f.jsonl", text);
        assert_eq!(rs.len(), 4);
        assert!(rs[0].is_ok());
        let e = rs[1].as_ref().expect_err("broken");
        assert_eq!(e.line, Some(2));
        assert!(e.to_string().starts_with("f.jsonl: line 2: malformed JSON"), "{e}");
        assert!(rs[2].as_ref().expect_err("no text").to_string().contains("no text field"));
        assert_eq!(rs[3].as_ref().map(|r| r.meta.outlet.clone()), Ok(Some("P".into())));
        assert_eq!(rs[3].as_ref().map(|r| r.line), Ok(5));
    }

    #[test]
    fn malformed_single_json_names_position() {
        let rs = parse_records("x.json", "{\n  \"text\": \"a\",\n  oops\n}");
        let e = rs.into_iter().find_map(Result::err).expect("error");
        assert!(e.to_string().contains("malformed JSON at line"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        let rs = parse_records("d.json", &deep);
        assert!(rs.iter().all(Result::is_err));
    }
}
