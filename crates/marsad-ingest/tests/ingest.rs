//! Ingest end to end: a folder of every supported kind of input, good and bad, into a store;
//! run twice (idempotent), then re-analyzed (same result).

use marsad_ingest::{Options, ingest, reanalyze};
use marsad_store::{Backend, ExportFormat, ExportUnit, Filter, Store};
use std::io::Write;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../marsad-pipeline/tests/fixtures/articles");
const DEMO: &str = include_str!("../../../data/demo/articles.jsonl");

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

fn warc_record(uri: &str, http: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{uri}>\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n\
         WARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        http.len()
    )
    .into_bytes();
    r.extend_from_slice(http);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

/// A folder with: 10 demo articles as JSONL (one malformed line, one record without text),
/// 5 more gzip-compressed, text/HTML/cp1256 fixtures, a WARC crawl with one page, an empty
/// file and a binary file.
fn corpus(dir: &Path) -> (u64, u64) {
    let lines: Vec<&str> = DEMO.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut jsonl = lines[..10].join("\n");
    jsonl.push_str("\n{\"title\": \"broken\n{\"title\": \"no text field\"}\n");
    write(dir, "feeds/a.jsonl", jsonl.as_bytes());
    write(dir, "feeds/b.jsonl.gz", &gzip(lines[10..15].join("\n").as_bytes()));
    for f in ["cnn_style_opening.txt", "cp1256_news.txt", "html_page_nav_footer.html"] {
        write(dir, &format!("pages/{f}"), &std::fs::read(Path::new(FIXTURES).join(f)).expect("fixture"));
    }
    let page = "<html><head><title>اشتباكات في تعز</title></head><body><article><p>تعز - اندلعت اشتباكات بين قوات الحكومة والحوثيين في تعز أمس.</p></article></body></html>";
    let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{page}");
    write(dir, "crawl/site.warc", &warc_record("https://news.example/taiz", http.as_bytes()));
    write(dir, "pages/empty.txt", b"  \n");
    write(dir, "pages/image.bin", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0");
    (10 + 5 + 3 + 1, 4)
}

fn options() -> Options {
    Options { threads: 2, batch: 4, progress: false, ..Options::default() }
}

/// Each test's stores: the embedded store of a new folder, and a new PostgreSQL database where
/// the machine has PostgreSQL.
fn stores() -> Vec<(Box<dyn Backend>, Option<tempfile::TempDir>)> {
    let data = tempfile::tempdir().expect("tmp");
    let mut out: Vec<(Box<dyn Backend>, Option<tempfile::TempDir>)> =
        vec![(Box::new(Store::open(data.path()).expect("open")), Some(data))];
    if let Some(url) = marsad_store::pg::local::test_database() {
        out.push((Box::new(marsad_store::pg::PgStore::connect(&url).expect("connect")), None));
    }
    out
}

fn csv(store: &dyn Backend) -> String {
    let mut out = Vec::new();
    store.read().export(&Filter::default(), ExportFormat::Csv, ExportUnit::Mentions, &mut out).expect("export");
    String::from_utf8(out).expect("utf8")
}

#[test]
fn ingest_is_complete_idempotent_and_reanalyzable() {
    let input = tempfile::tempdir().expect("tmp");
    let (docs, bad) = corpus(input.path());
    for (mut store, _data) in stores() {
        ingest_twice_and_reanalyze(&mut *store, input.path(), docs, bad);
    }
}

fn ingest_twice_and_reanalyze(store: &mut dyn Backend, input: &Path, docs: u64, bad: u64) {
    eprintln!("store: {}", store.location());
    let s = ingest(store, &[input.to_owned()], &options()).expect("ingest");
    assert_eq!((s.documents, s.existing, s.rejected), (docs, 0, bad), "{s:#?}");
    assert_eq!(s.files, 8);
    assert!(s.events > 0);
    let mut reasons: Vec<(String, u64, String)> = s
        .rejections
        .iter()
        .map(|r| {
            (
                Path::new(&r.source).file_name().unwrap_or_default().to_string_lossy().into_owned(),
                r.line,
                r.kind.clone(),
            )
        })
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        [
            ("a.jsonl".to_owned(), 11, "json".to_owned()),
            ("a.jsonl".to_owned(), 12, "not-an-article".to_owned()),
            ("empty.txt".to_owned(), 0, "empty".to_owned()),
            ("image.bin".to_owned(), 0, "binary".to_owned()),
        ]
    );
    let stats = store.stats().expect("stats");
    assert_eq!((stats.documents, stats.indexed, stats.rejected), (docs, docs, bad));
    // The cp1256 page was decoded, and the WARC page kept its URL.
    let hits = store.search("عدرا", &Filter::default(), 5, 0).expect("search");
    assert_eq!(hits.total, 1);
    let taiz = store.search("تعز", &Filter::default(), 10, 0).expect("search");
    assert!(taiz.hits.iter().any(|h| h.url.as_deref() == Some("https://news.example/taiz")), "{taiz:#?}");

    // Again: nothing new, nothing lost, rejections recorded once each.
    let again = ingest(store, &[input.to_owned()], &options()).expect("ingest");
    assert_eq!((again.documents, again.existing, again.rejected), (0, docs, bad));
    let stats = store.stats().expect("stats");
    assert_eq!((stats.documents, stats.rejected), (docs, bad));

    // Re-analysis from the stored raw records gives the same events.
    let before = csv(store);
    let r = reanalyze(store, &options(), true).expect("reanalyze");
    assert_eq!((r.documents, r.rejected), (docs, 0));
    assert_eq!(csv(store), before);
    assert_eq!(reanalyze(store, &options(), false).expect("nothing stale").documents, 0);
}

#[test]
fn document_order_does_not_depend_on_threads() {
    let input = tempfile::tempdir().expect("tmp");
    corpus(input.path());
    let order = |threads: usize| {
        let data = tempfile::tempdir().expect("tmp");
        let mut store = Store::open(data.path()).expect("open");
        ingest(&mut store, &[input.path().to_owned()], &Options { threads, ..options() }).expect("ingest");
        let r = store.search("", &Filter::default(), 100, 0).expect("all");
        let mut ids: Vec<String> = r.hits.into_iter().map(|h| h.id).collect();
        ids.sort();
        (ids, csv(&store))
    };
    assert_eq!(order(1), order(3));
}
