//! Reading outside input into raw documents: bytes of text, HTML or JSON/JSONL in any of the
//! encodings Arabic news comes in, with metadata, a content-hash id, and errors that name the
//! input and the position of the problem. Pure functions over bytes: no file system here.

pub mod dates;
pub mod decode;
pub mod error;
pub mod html;
pub mod json;

pub use error::{ErrorKind, InputError};

use encoding_rs::Encoding;
use marsad_core::{Diagnostic, Role, Span};
use serde::{Deserialize, Serialize};

/// Metadata of an article, from the command line, a JSON record or an HTML page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub id: Option<String>,
    pub published: Option<String>,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    pub author: Option<String>,
}

impl Meta {
    /// Fields of `self` where set, else those of `other`.
    pub fn or(self, other: Meta) -> Meta {
        Meta {
            id: self.id.or(other.id),
            published: self.published.or(other.published),
            outlet: self.outlet.or(other.outlet),
            url: self.url.or(other.url),
            title: self.title.or(other.title),
            author: self.author.or(other.author),
        }
    }

    /// Sets a field by its name (`id`, `published`, `outlet`, `url`, `title`, `author`).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let v = Some(value.to_owned());
        match key {
            "id" => self.id = v,
            "published" | "date" => self.published = v,
            "outlet" | "source" => self.outlet = v,
            "url" => self.url = v,
            "title" => self.title = v,
            "author" => self.author = v,
            other => {
                return Err(format!("unknown metadata key {other:?} (use id, published, outlet, url, title, author)"));
            }
        }
        Ok(())
    }
}

/// The syntax of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Html,
    /// A JSON object, an array of objects, or JSON lines.
    Json,
}

impl Format {
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Json => "json",
        }
    }

    /// The format a file name's extension says, if any.
    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit('.').next()?;
        match ext {
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "json" | "jsonl" | "ndjson" => Some(Format::Json),
            "txt" | "text" | "md" => Some(Format::Text),
            _ => None,
        }
    }

    /// The format the content looks like.
    pub fn sniff(text: &str) -> Format {
        let head = text.trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n']);
        if head.starts_with('{') || head.starts_with('[') {
            return Format::Json;
        }
        let lower: String = head.chars().take(1024).collect::<String>().to_ascii_lowercase();
        if lower.starts_with("<!doctype html")
            || lower.starts_with("<html")
            || (lower.starts_with('<')
                && (lower.contains("<body")
                    || lower.contains("<p")
                    || lower.contains("<div")
                    || lower.contains("<head")))
        {
            return Format::Html;
        }
        Format::Text
    }
}

/// What to read and how.
#[derive(Debug, Clone)]
pub struct ReadOptions<'a> {
    /// The input's name for messages (a path, or `-`).
    pub name: &'a str,
    /// Force a format instead of the file extension or sniffing.
    pub format: Option<Format>,
    /// Force an encoding instead of detection.
    pub encoding: Option<&'static Encoding>,
    /// Metadata that overrides what the input itself says.
    pub meta: Meta,
    /// Inputs larger than this are refused.
    pub max_bytes: usize,
}

/// The default size limit for one input: 64 MiB.
pub const DEFAULT_MAX_BYTES: usize = 64 << 20;

impl<'a> ReadOptions<'a> {
    pub fn new(name: &'a str) -> Self {
        ReadOptions { name, format: None, encoding: None, meta: Meta::default(), max_bytes: DEFAULT_MAX_BYTES }
    }
}

/// An article as read: its text (which all later offsets point into) and what the input
/// format told about it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawDoc {
    pub id: String,
    pub text: String,
    /// The title's span in `text`, when the format says where it is.
    pub title: Option<Span>,
    /// Spans whose role the format tells (HTML navigation, footers, bylines …).
    pub zones: Vec<(Span, Role)>,
    pub meta: Meta,
    pub lang_hint: Option<String>,
    pub format: Format,
    pub encoding: String,
    /// Bytes of the raw record.
    pub bytes: usize,
    /// 1-based line of the record in a JSONL input.
    pub line: Option<usize>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Is `c` a letter of the Arabic script (for plausibility checks of decoded text)?
pub fn is_arabic_char(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// The content-hash id of a raw record: `doc-` and 32 hex digits of its BLAKE3 hash.
pub fn content_id(raw: &[u8]) -> String {
    let hash = blake3::hash(raw);
    format!("doc-{}", &hash.to_hex()[..32])
}

/// Reads one input into its documents (several for JSONL and JSON arrays). A whole-input
/// problem (empty, binary, undecodable, too large, malformed JSON) is the `Err`; a problem with
/// one record of a JSONL file is an `Err` item beside the good ones.
pub fn read(bytes: &[u8], opts: &ReadOptions<'_>) -> Result<Vec<Result<RawDoc, InputError>>, InputError> {
    let name = opts.name;
    if bytes.len() > opts.max_bytes {
        return Err(InputError::new(name, ErrorKind::TooLarge { bytes: bytes.len(), limit: opts.max_bytes }));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(InputError::new(name, ErrorKind::Empty));
    }
    let by_name = opts.format.or_else(|| Format::from_name(name));
    let decoded = decode::decode(bytes, opts.encoding, by_name == Some(Format::Html) || by_name.is_none())
        .map_err(|k| InputError::new(name, k))?;
    let mut diagnostics = Vec::new();
    if decoded.guessed {
        diagnostics.push(Diagnostic::info(
            "input.encoding-detected",
            format!("{name}: not UTF-8; decoded as {}", decoded.encoding.name()),
        ));
    }
    let text = decoded.text;
    if text.trim().is_empty() {
        return Err(InputError::new(name, ErrorKind::Empty));
    }
    let format = by_name.unwrap_or_else(|| Format::sniff(&text));
    let encoding = decoded.encoding.name().to_owned();
    let base = |text: String, bytes: usize| RawDoc {
        id: String::new(),
        text,
        title: None,
        zones: Vec::new(),
        meta: Meta::default(),
        lang_hint: None,
        format,
        encoding: encoding.clone(),
        bytes,
        line: None,
        diagnostics: diagnostics.clone(),
    };
    match format {
        Format::Text => {
            let mut doc = base(text, bytes.len());
            doc.meta = opts.meta.clone();
            doc.id = doc.meta.id.clone().unwrap_or_else(|| content_id(bytes));
            Ok(vec![Ok(doc)])
        }
        Format::Html => {
            if html::nesting_depth(&text) > html::MAX_NESTING {
                return Err(InputError::new(
                    name,
                    ErrorKind::NotAnArticle(format!(
                        "HTML nested more than {} levels deep (refused as an HTML bomb)",
                        html::MAX_NESTING
                    )),
                ));
            }
            let page = html::extract_html(&text);
            if page.text.trim().is_empty() {
                return Err(InputError::new(name, ErrorKind::NotAnArticle("HTML page has no text".into())));
            }
            let mut doc = base(page.text, bytes.len());
            doc.title = page.title;
            doc.zones = page.zones;
            doc.lang_hint = page.lang;
            doc.meta = opts.meta.clone().or(page.meta);
            doc.id = doc.meta.id.clone().unwrap_or_else(|| content_id(bytes));
            Ok(vec![Ok(doc)])
        }
        Format::Json => {
            let records = json::parse_records(name, &text);
            if records.len() == 1
                && let Some(Err(e)) = records.first()
                && e.line.is_none()
            {
                return Err(e.clone());
            }
            let many = records.len() > 1;
            Ok(records
                .into_iter()
                .map(|r| {
                    let r = r?;
                    if r.text.trim().is_empty() && r.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
                        return Err(InputError::at_line(name, r.line, ErrorKind::Empty));
                    }
                    let (composed, title) = match &r.title {
                        Some(t) => (format!("{t}\n\n{}", r.text), Some(Span::new(0, t.len()))),
                        None => (r.text.clone(), None),
                    };
                    let mut doc = base(composed, r.raw.len());
                    doc.title = title;
                    doc.line = many.then_some(r.line);
                    // Command-line metadata applies to a single document, not to every line.
                    doc.meta = if many { r.meta } else { opts.meta.clone().or(r.meta) };
                    doc.id = doc.meta.id.clone().unwrap_or_else(|| content_id(r.raw.as_bytes()));
                    Ok(doc)
                })
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_gets_a_content_hash_id_and_meta() {
        let mut o = ReadOptions::new("a.txt");
        o.meta.set("published", "2024-01-02").expect("key");
        let docs = read("عنوان\n\nنص".as_bytes(), &o).expect("read");
        let d = docs[0].as_ref().expect("doc");
        assert!(d.id.starts_with("doc-") && d.id.len() == 36);
        assert_eq!(d.meta.published.as_deref(), Some("2024-01-02"));
        assert_eq!(d.format, Format::Text);
        let again = read("عنوان\n\nنص".as_bytes(), &o).expect("read");
        assert_eq!(again[0].as_ref().map(|d| d.id.clone()), Ok(d.id.clone()));
    }

    #[test]
    fn whole_input_errors() {
        let o = ReadOptions::new("x");
        assert_eq!(read(b"  \n ", &o).map(|_| ()).unwrap_err().kind, ErrorKind::Empty);
        let e = read(b"\x7fELF\x02\x01\x01\x00\x00", &o).map(|_| ()).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Binary { .. }));
        assert!(e.to_string().starts_with("x: binary data"));
        let mut small = ReadOptions::new("big");
        small.max_bytes = 3;
        assert!(matches!(read(b"abcd", &small).map(|_| ()).unwrap_err().kind, ErrorKind::TooLarge { .. }));
    }

    #[test]
    fn html_bombs_are_refused_quickly() {
        let deep = "<div>".repeat(200_000) + "x";
        let e = read(deep.as_bytes(), &ReadOptions::new("bomb.html")).map(|_| ()).unwrap_err();
        assert!(e.to_string().contains("nested more than"), "{e}");
    }

    #[test]
    fn json_record_composes_title_and_text() {
        let docs = read(r#"{"title": "عنوان", "text": "سطر"}"#.as_bytes(), &ReadOptions::new("r.json")).expect("read");
        let d = docs[0].as_ref().expect("doc");
        assert_eq!(d.text, "عنوان\n\nسطر");
        assert_eq!(d.title.map(|s| s.slice(&d.text)), Some("عنوان"));
    }

    #[test]
    fn sniffing() {
        assert_eq!(Format::sniff("  {\"a\":1}"), Format::Json);
        assert_eq!(Format::sniff("<!DOCTYPE html><html>"), Format::Html);
        assert_eq!(Format::sniff("<p>نص</p>"), Format::Html);
        assert_eq!(Format::sniff("نص < عادي"), Format::Text);
        assert_eq!(Format::from_name("a/b.JSONL"), Some(Format::Json));
    }
}
