//! Inputs into units: the raw records one analysis reads. Files and folders (recursively, in
//! name order), gzip- and zstd-compressed files (by their magic bytes), JSONL split by line,
//! JSON arrays split by element, WARC files split into their HTML responses; any other file
//! is one unit (text, HTML or a JSON object, told by `marsad_input::read`).

use marsad_input::{Format, Meta, ReadOptions, decode::encoding_for_label};
use marsad_store::Rejected;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What was given beside an input: forced format and encoding, and metadata. Stored with each
/// document so that re-analysis reads its raw record exactly as ingest did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Given {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(default, skip_serializing_if = "is_default_meta")]
    pub meta: Meta,
}

fn is_default_meta(m: &Meta) -> bool {
    *m == Meta::default()
}

/// One raw record to analyze.
#[derive(Clone, Debug)]
pub struct Unit {
    pub source: String,
    /// Line (JSONL), element (JSON array) or record (WARC) number, 1-based.
    pub line: Option<u64>,
    pub bytes: Vec<u8>,
    pub given: Given,
}

impl Unit {
    /// How `marsad_input::read` reads this unit's raw record: with what was given beside it
    /// and records of at most `max_bytes`.
    pub fn read_options(&self, max_bytes: usize) -> Result<ReadOptions<'_>, String> {
        let mut o = ReadOptions::new(&self.source);
        o.max_bytes = max_bytes;
        o.meta = self.given.meta.clone();
        o.format = match self.given.format.as_deref() {
            None => None,
            Some("text") => Some(Format::Text),
            Some("html") => Some(Format::Html),
            Some("json") => Some(Format::Json),
            Some(other) => return Err(format!("unknown input format {other:?}")),
        };
        if let Some(label) = &self.given.encoding {
            o.encoding = Some(encoding_for_label(label).map_err(|k| k.to_string())?);
        }
        Ok(o)
    }
}

/// What reading inputs yields, in input order.
#[derive(Debug)]
pub enum Item {
    Unit(Unit),
    Rejected(Rejected),
}

/// How to read inputs.
#[derive(Clone, Debug)]
pub struct SourceOptions {
    /// Applied to every unit (a unit's own hints, e.g. a WARC record's URL, fill what it leaves).
    pub given: Given,
    /// Larger records are rejected.
    pub max_bytes: usize,
}

fn rejected(source: &str, line: u64, kind: &str, message: impl Into<String>) -> Item {
    Item::Rejected(Rejected { source: source.to_owned(), line, kind: kind.to_owned(), message: message.into() })
}

/// The files under `paths` (folders recursively, each folder's entries in name order), and a
/// rejection for each path that cannot be read.
pub fn walk(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Rejected>) {
    let mut files = Vec::new();
    let mut bad = Vec::new();
    fn visit(p: &Path, files: &mut Vec<PathBuf>, bad: &mut Vec<Rejected>) {
        let name = p.display().to_string();
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => match std::fs::read_dir(p) {
                Ok(rd) => {
                    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
                    entries.sort();
                    for e in entries {
                        // Hidden files (editor swap files, .git) are not articles.
                        if e.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                            continue;
                        }
                        visit(&e, files, bad);
                    }
                }
                Err(e) => bad.push(Rejected { source: name, line: 0, kind: "io".into(), message: e.to_string() }),
            },
            Ok(_) => files.push(p.to_owned()),
            Err(e) => bad.push(Rejected { source: name, line: 0, kind: "io".into(), message: e.to_string() }),
        }
    }
    for p in paths {
        visit(p, &mut files, &mut bad);
    }
    (files, bad)
}

/// Counts the bytes read from the files (before decompression), for progress.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The kind of content a file name says, once compression suffixes are removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Jsonl,
    Json,
    Warc,
    Other,
}

fn kind_of(name: &str) -> Kind {
    let lower = name.to_ascii_lowercase();
    let base = lower.trim_end_matches(".gz").trim_end_matches(".zst").trim_end_matches(".zstd");
    if base.ends_with(".jsonl") || base.ends_with(".ndjson") {
        Kind::Jsonl
    } else if base.ends_with(".json") {
        Kind::Json
    } else if base.ends_with(".warc") || base.ends_with(".arc") {
        Kind::Warc
    } else {
        Kind::Other
    }
}

/// Opens a file, decompressing gzip (several members allowed) or zstd by magic bytes.
fn open(path: &Path, count: Arc<AtomicU64>) -> std::io::Result<Box<dyn BufRead + Send>> {
    decompressed(BufReader::with_capacity(1 << 16, Counting { inner: File::open(path)?, count }))
}

/// The content of `file`, decompressed when its magic bytes say gzip or zstd.
fn decompressed(mut file: impl BufRead + Send + 'static) -> std::io::Result<Box<dyn BufRead + Send>> {
    let head = file.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(file)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(BufReader::with_capacity(1 << 16, zstd::stream::read::Decoder::with_buffer(file)?))
    } else {
        Box::new(file)
    })
}

/// Reads a line into `buf` (without its line break), keeping at most `max` bytes; returns
/// the line's full length, or `None` at the end of input.
fn bounded_line(r: &mut dyn BufRead, buf: &mut Vec<u8>, max: usize) -> std::io::Result<Option<usize>> {
    buf.clear();
    let mut total = 0;
    let mut any = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = (max + 1).saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        total += take;
        r.consume(take);
        if done {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
        total -= 1;
    }
    Ok(Some(total))
}

/// Reads one file into units and rejections, calling `emit` for each in order; stops early
/// when `emit` returns false.
pub fn read_file(path: &Path, opts: &SourceOptions, count: Arc<AtomicU64>, emit: &mut dyn FnMut(Item) -> bool) {
    let name = path.display().to_string();
    match open(path, count) {
        Ok(r) => read_stream(&name, r, opts, emit),
        Err(e) => {
            emit(rejected(&name, 0, "io", format!("cannot read: {e}")));
        }
    }
}

/// Reads the bytes of an input named `name` (its name tells the format as a file's does;
/// compressed by gzip or zstd or not) into units and rejections, as [`read_file`] does.
pub fn read_bytes(name: &str, bytes: Vec<u8>, opts: &SourceOptions, emit: &mut dyn FnMut(Item) -> bool) {
    match decompressed(std::io::Cursor::new(bytes)) {
        Ok(r) => read_stream(name, r, opts, emit),
        Err(e) => {
            emit(rejected(name, 0, "io", format!("cannot read: {e}")));
        }
    }
}

fn read_stream(name: &str, mut r: Box<dyn BufRead + Send>, opts: &SourceOptions, emit: &mut dyn FnMut(Item) -> bool) {
    let name = name.to_owned();
    let unit =
        |line: Option<u64>, bytes: Vec<u8>, given: Given| Item::Unit(Unit { source: name.clone(), line, bytes, given });
    let mut kind = kind_of(&name);
    if kind == Kind::Other && opts.given.format.is_none() {
        // A JSON file without the extension is told by its first byte.
        if let Ok(head) = r.fill_buf()
            && matches!(head.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'['))
        {
            kind = Kind::Json;
        }
    }
    match kind {
        Kind::Warc => crate::warc::read_warc(&name, r, opts, emit),
        Kind::Jsonl => jsonl(&name, r.as_mut(), opts, 0, Vec::new(), emit),
        Kind::Json | Kind::Other => {
            let mut bytes = Vec::new();
            if let Err(e) = r.as_mut().take(opts.max_bytes as u64 + 1).read_to_end(&mut bytes) {
                emit(rejected(&name, 0, "io", format!("cannot read: {e}")));
                return;
            }
            let starts_object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
            if bytes.len() > opts.max_bytes && kind == Kind::Json && starts_object {
                // Too large for one record: JSON lines without the extension.
                jsonl(&name, r.as_mut(), opts, 0, bytes, emit);
                return;
            }
            if bytes.len() > opts.max_bytes {
                emit(rejected(
                    &name,
                    0,
                    "too-large",
                    format!("input is larger than the limit of {} bytes", opts.max_bytes),
                ));
                return;
            }
            if kind == Kind::Json {
                json(&name, bytes, r.as_mut(), opts, emit);
            } else {
                emit(unit(None, bytes, opts.given.clone()));
            }
        }
    }
}

/// A `.json` file: an array is split into its elements; a single object is one unit; several
/// lines of objects are JSON lines.
fn json(name: &str, bytes: Vec<u8>, rest: &mut dyn BufRead, opts: &SourceOptions, emit: &mut dyn FnMut(Item) -> bool) {
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace()).map(|i| bytes[i]);
    let unit = |line, bytes| Item::Unit(Unit { source: name.to_owned(), line, bytes, given: opts.given.clone() });
    if first == Some(b'[') {
        match serde_json::from_slice::<Vec<Box<serde_json::value::RawValue>>>(&bytes) {
            Ok(items) => {
                for (i, item) in items.iter().enumerate() {
                    if !emit(unit(Some(i as u64 + 1), item.get().as_bytes().to_vec())) {
                        return;
                    }
                }
            }
            // Let the reader report where the JSON is broken.
            Err(_) => {
                emit(unit(None, bytes));
            }
        }
        return;
    }
    if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok() {
        emit(unit(None, bytes));
        return;
    }
    // Not one value: JSON lines (the bytes read so far, then the rest of the file).
    jsonl(name, rest, opts, 0, bytes, emit);
}

/// JSON lines: one unit per non-blank line; `head` holds bytes already read from `r`.
fn jsonl(
    name: &str,
    r: &mut dyn BufRead,
    opts: &SourceOptions,
    first_line: u64,
    head: Vec<u8>,
    emit: &mut dyn FnMut(Item) -> bool,
) {
    let mut chained = std::io::Cursor::new(head).chain(r);
    let mut buffered = BufReader::with_capacity(1 << 16, &mut chained);
    let mut line = first_line;
    let mut buf = Vec::new();
    loop {
        line += 1;
        match bounded_line(&mut buffered, &mut buf, opts.max_bytes) {
            Ok(None) => return,
            Ok(Some(len)) if len > opts.max_bytes => {
                let msg = format!("record of {len} bytes is larger than the limit of {} bytes", opts.max_bytes);
                if !emit(rejected(name, line, "too-large", msg)) {
                    return;
                }
            }
            Ok(Some(_)) if buf.iter().all(u8::is_ascii_whitespace) => {}
            Ok(Some(_)) => {
                let item = Item::Unit(Unit {
                    source: name.to_owned(),
                    line: Some(line),
                    bytes: std::mem::take(&mut buf),
                    given: opts.given.clone(),
                });
                if !emit(item) {
                    return;
                }
            }
            Err(e) => {
                emit(rejected(name, line, "io", format!("cannot read (truncated or corrupt compressed file?): {e}")));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn units(path: &Path) -> Vec<Item> {
        let mut out = Vec::new();
        let opts = SourceOptions { given: Given::default(), max_bytes: 1000 };
        read_file(path, &opts, Arc::default(), &mut |i| {
            out.push(i);
            true
        });
        out
    }

    fn lines_of(items: &[Item]) -> Vec<(Option<u64>, String)> {
        items
            .iter()
            .map(|i| match i {
                Item::Unit(u) => (u.line, String::from_utf8_lossy(&u.bytes).into_owned()),
                Item::Rejected(r) => (Some(r.line), format!("rejected {}", r.kind)),
            })
            .collect()
    }

    #[test]
    fn jsonl_plain_gzip_and_zstd_give_the_same_units() {
        let dir = tempfile::tempdir().expect("tmp");
        let text =
            "{\"text\":\"أ\"}\r\n\n{\"text\":\"ب\"}\n".to_owned() + &format!("{{\"text\":\"{}\"}}\n", "x".repeat(2000));
        let plain = dir.path().join("a.jsonl");
        std::fs::write(&plain, &text).expect("write");
        let gz = dir.path().join("a.jsonl.gz");
        let mut e = flate2::write::GzEncoder::new(File::create(&gz).expect("gz"), flate2::Compression::fast());
        e.write_all(text.as_bytes()).expect("gz");
        e.finish().expect("gz");
        let zst = dir.path().join("a.jsonl.zst");
        std::fs::write(&zst, zstd::encode_all(text.as_bytes(), 3).expect("zstd")).expect("write");
        let expected = vec![
            (Some(1), "{\"text\":\"أ\"}".to_owned()),
            (Some(3), "{\"text\":\"ب\"}".to_owned()),
            (Some(4), "rejected too-large".to_owned()),
        ];
        for p in [plain, gz, zst] {
            assert_eq!(lines_of(&units(&p)), expected, "{}", p.display());
        }
    }

    #[test]
    fn json_arrays_split_and_single_objects_stay_whole() {
        let dir = tempfile::tempdir().expect("tmp");
        let arr = dir.path().join("arr.json");
        std::fs::write(&arr, "[{\"text\": \"a\"}, {\"text\": \"b\"}]").expect("write");
        assert_eq!(
            lines_of(&units(&arr)),
            vec![(Some(1), "{\"text\": \"a\"}".to_owned()), (Some(2), "{\"text\": \"b\"}".to_owned())]
        );
        let one = dir.path().join("noext");
        std::fs::write(&one, "{\"text\": \"a\",\n \"title\": \"t\"}").expect("write");
        assert_eq!(lines_of(&units(&one)), vec![(None, "{\"text\": \"a\",\n \"title\": \"t\"}".to_owned())]);
    }

    #[test]
    fn walk_recurses_in_name_order_and_reports_missing_paths() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(dir.path().join("b/c")).expect("mkdir");
        for f in ["b/c/z.txt", "b/a.txt", "top.html", ".hidden"] {
            std::fs::write(dir.path().join(f), "x").expect("write");
        }
        let (files, bad) = walk(&[dir.path().to_owned(), dir.path().join("missing")]);
        let names: Vec<String> =
            files.iter().map(|f| f.strip_prefix(dir.path()).expect("prefix").display().to_string()).collect();
        assert_eq!(names, ["b/a.txt", "b/c/z.txt", "top.html"]);
        assert_eq!(bad.len(), 1);
        assert!(bad[0].source.ends_with("missing"));
    }
}
