//! The bad-input suite: `marsad ingest` fed empty and binary files, 200 MB single lines, a
//! gzip bomb, deeply nested JSON, HTML bombs, invalid UTF-8 of every kind and place, mixed
//! encodings, absurd dates, an article naming 10,000 entities — into a store that already holds
//! articles. Each input gets a rejection naming the input and the problem, or a correct result;
//! every run ends within a time limit and a memory bound; the store stays whole and keeps what
//! it held. Right-to-left overrides and zero-width joiners inside names change nothing of the
//! analysis but the offsets.

use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEMO: &str = include_str!("../../../data/demo/articles.jsonl");

/// No run may take longer (a debug build analyzing on a loaded CI machine).
const TIME_LIMIT: Duration = Duration::from_secs(300);
/// Nor hold more memory at its peak: inputs are read a bounded record at a time.
const MEMORY_LIMIT: u64 = 1 << 30;

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("marsad")
}

/// Runs marsad to its end under the time limit, watching its peak memory (Linux `VmHWM`).
/// Returns its exit success, standard output and peak resident bytes.
fn watched(args: &[&str]) -> (bool, Vec<u8>, u64) {
    let out = tempfile::NamedTempFile::new().expect("tmp");
    let mut child = Command::new(bin())
        .args(args)
        .stdout(out.reopen().expect("stdout file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let status_file = format!("/proc/{}/status", child.id());
    let (start, mut peak) = (Instant::now(), 0u64);
    let status = loop {
        if let Ok(s) = std::fs::read_to_string(&status_file)
            && let Some(kb) = s.lines().find_map(|l| l.strip_prefix("VmHWM:"))
        {
            peak = peak.max(kb.trim().trim_end_matches("kB").trim().parse::<u64>().unwrap_or(0) * 1024);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            child.kill().ok();
            panic!("marsad {args:?} ran over {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    (status.success(), std::fs::read(out.path()).expect("output"), peak)
}

/// What an input must give.
enum Expect {
    /// Rejected: the rejection's kind and words its message must hold (beside the input's name).
    Rejected(&'static str, &'static str),
    /// This many documents stored, nothing rejected.
    Stored(u64),
    /// This many stored and one rejection of this kind.
    Both(u64, &'static str),
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

fn jsonl(id: &str, fields: &[(&str, &str)]) -> String {
    let mut v = serde_json::json!({"id": id});
    for (k, x) in fields {
        v[*k] = (*x).into();
    }
    format!("{v}\n")
}

const SENTENCE: &str = "قتل ثلاثة مدنيين في قصف على مدينة حلب أمس. ";

/// UTF-8 Arabic with `bad` spliced in at `at` (a fraction of its length, rounded down to a
/// character boundary).
fn utf8_with(bad: &[u8], at: f64) -> Vec<u8> {
    let text = SENTENCE.repeat(20);
    let mut i = (text.len() as f64 * at) as usize;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    let mut v = text.as_bytes()[..i].to_vec();
    v.extend_from_slice(bad);
    v.extend_from_slice(&text.as_bytes()[i..]);
    v
}

fn cases() -> Vec<(&'static str, Vec<u8>, Expect)> {
    use Expect::*;
    let mut huge_line = b"{\"id\": \"huge\", \"text\": \"".to_vec();
    huge_line.resize(200_000_000, b'a');
    huge_line.extend_from_slice(b"\"}\n");
    huge_line.extend_from_slice(jsonl("after-huge", &[("text", SENTENCE)]).as_bytes());
    let bomb_member = gzip(&vec![b'0'; 10 << 20]);
    let mut gzip_bomb = gzip(b"{\"id\": \"bomb\", \"text\": \"");
    for _ in 0..30 {
        gzip_bomb.extend_from_slice(&bomb_member);
    }
    gzip_bomb.extend_from_slice(&gzip(b"\"}\n"));
    let names = ["الجيش السوري", "حزب الله", "الحوثيين", "قوات الدعم السريع", "تنظيم داعش"];
    let many: Vec<&str> = (0..10_000).map(|i| names[i % names.len()]).collect();
    let many = format!("اجتمع ممثلو {} في جنيف.", many.join("، "));
    let mut cases = vec![
        ("empty.txt", Vec::new(), Rejected("empty", "empty input")),
        ("blank.jsonl", b"\n \n\t\n".to_vec(), Stored(0)),
        (
            "noise.bin",
            (0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect(),
            Rejected("binary", "binary data"),
        ),
        ("photo.png", [&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], &[0u8; 300]].concat(), Rejected("binary", "binary data")),
        ("huge-line.jsonl", huge_line, Both(1, "too-large")),
        (
            "huge-line.txt",
            SENTENCE.repeat(200_000_000 / SENTENCE.len() + 1).into_bytes(),
            Rejected("too-large", "larger than the limit"),
        ),
        ("bomb.jsonl.gz", gzip_bomb, Rejected("too-large", "larger than the limit")),
        (
            "nested.json",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
            Rejected("json", "recursion limit"),
        ),
        (
            "nested-text.jsonl",
            format!("{{\"text\": {}1{}}}\n", "{\"a\": ".repeat(5000), "}".repeat(5000)).into_bytes(),
            Rejected("json", "recursion limit"),
        ),
        (
            "bomb.html",
            format!("<html><body>{}نص{}</body></html>", "<div>".repeat(200_000), "</div>".repeat(200_000)).into_bytes(),
            Rejected("not-an-article", "HTML bomb"),
        ),
        (
            "mixed-encodings.txt",
            [SENTENCE.repeat(10).as_bytes(), b"\n", &b"\xde\xca\xe1 \xcb\xe1\xc7\xcb\xc9 "[..]].concat(),
            Rejected("encoding", "mixes encodings"),
        ),
        ("many-entities.jsonl", jsonl("many", &[("text", &many), ("published", "2024-05-01")]).into_bytes(), Stored(1)),
        ("year-0.jsonl", jsonl("y0", &[("text", SENTENCE), ("published", "0000-01-01")]).into_bytes(), Stored(1)),
        ("year-9999.jsonl", jsonl("y9999", &[("text", SENTENCE), ("published", "9999-12-31")]).into_bytes(), Stored(1)),
    ];
    // Invalid UTF-8 of every kind (a byte never valid, a sequence cut short, an overlong form,
    // a surrogate, beyond U+10FFFF, a lone continuation byte) at the start, the middle, the end.
    let kinds: [(&str, &[u8]); 6] = [
        ("ff", b"\xff"),
        ("cut", b"\xd9"),
        ("overlong", b"\xc0\xaf"),
        ("surrogate", b"\xed\xa0\x80"),
        ("beyond", b"\xf4\x90\x80\x80"),
        ("continuation", b"\x80"),
    ];
    for (kind, bad) in kinds {
        for (place, at) in [("start", 0.0), ("middle", 0.5), ("end", 1.0)] {
            let name: &'static str = format!("utf8-{kind}-{place}.txt").leak();
            cases.push((name, utf8_with(bad, at), Rejected("encoding", "not valid UTF-8 at byte offset")));
        }
    }
    cases.push((
        "utf8-in-json.jsonl",
        [b"{\"text\": \"", &utf8_with(b"\xff", 0.5)[..], b"\"}\n"].concat(),
        Rejected("encoding", "not valid UTF-8"),
    ));
    cases
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

fn check(data: &Path) -> serde_json::Value {
    let (ok, out, _) = watched(&["check", "--format", "json", "--data", path(data)]);
    let c: serde_json::Value = serde_json::from_slice(&out).expect("check json");
    assert!(ok && c["problems"].as_array().is_some_and(|p| p.is_empty()), "store not whole: {c}");
    c
}

#[test]
fn bad_inputs_get_clear_errors_or_correct_results_within_bounds() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("store");
    let good = tmp.path().join("good.jsonl");
    std::fs::write(&good, DEMO.lines().take(5).map(|l| format!("{l}\n")).collect::<String>()).expect("write");
    let (ok, _, _) = watched(&["ingest", "--quiet", "--data", path(&data), path(&good)]);
    assert!(ok);
    let mut held = check(&data)["documents"].as_u64().expect("count");
    assert_eq!(held, 5);
    let mut report = Vec::new();
    for (name, bytes, expect) in cases() {
        let file = tmp.path().join(name);
        std::fs::write(&file, &bytes).expect("write case");
        let start = Instant::now();
        let (ok, out, peak) = watched(&["ingest", "--quiet", "--format", "json", "--data", path(&data), path(&file)]);
        report.push(format!("{name}: {:.1} s, peak {} MB", start.elapsed().as_secs_f64(), peak >> 20));
        assert!(ok, "{name}: ingest failed");
        assert!(peak < MEMORY_LIMIT, "{name}: peak memory {peak} bytes");
        let s: serde_json::Value = serde_json::from_slice(&out).expect("summary json");
        let rejections = s["rejections"].as_array().cloned().unwrap_or_default();
        let (stored, rejected) = (s["documents"].as_u64().unwrap_or(0), rejections.len() as u64);
        let kind_and_words = |kind: &str, words: &str| {
            let r = rejections
                .iter()
                .find(|r| r["kind"] == kind)
                .unwrap_or_else(|| panic!("{name}: no {kind} rejection: {s}"));
            let (source, message) = (r["source"].as_str().unwrap_or(""), r["message"].as_str().unwrap_or(""));
            assert!(source.ends_with(name), "{name}: rejection names {source:?}");
            assert!(message.contains(words), "{name}: {message:?} does not say {words:?}");
        };
        match expect {
            Expect::Rejected(kind, words) => {
                assert_eq!((stored, rejected), (0, 1), "{name}: {s}");
                kind_and_words(kind, words);
            }
            Expect::Stored(n) => assert_eq!((stored, rejected), (n, 0), "{name}: {s}"),
            Expect::Both(n, kind) => {
                assert_eq!((stored, rejected), (n, 1), "{name}: {s}");
                kind_and_words(kind, "");
            }
        }
        held += stored;
        assert_eq!(check(&data)["documents"].as_u64(), Some(held), "{name}: the store lost or gained documents");
        if bytes.len() > 1 << 20 {
            std::fs::remove_file(&file).ok(); // the 200 MB ones
        }
    }
    eprintln!("{}", report.join("\n"));

    // The article of 10,000 names: nine in ten found; the absurd dates left empty with a warning.
    let analysis = |name: &str| -> serde_json::Value {
        let (ok, out, _) = watched(&["analyze", "--format", "json", path(&tmp.path().join(name))]);
        assert!(ok, "analyze {name}");
        serde_json::from_slice(&out).expect("document json")
    };
    let many = analysis("many-entities.jsonl");
    let found = many["entities"].as_array().map_or(0, Vec::len);
    assert!(found >= 9_000, "{found} of 10,000 names found");
    for name in ["year-0.jsonl", "year-9999.jsonl"] {
        let d = analysis(name);
        assert!(d["published"].is_null(), "{name}: {}", d["published"]);
        assert!(d["diagnostics"].to_string().contains("1900–2100"), "{name}: {}", d["diagnostics"]);
    }
}

/// Right-to-left overrides and zero-width (non-)joiners inside names: the same entities,
/// places and events as the clean text, with their spans on character boundaries.
#[test]
fn invisible_characters_inside_names_change_nothing_but_offsets() {
    let clean = "قالت قوات سوريا الديمقراطية إن تنظيم داعش هاجم مواقعها في دير الزور أمس، وقتل خمسة من مقاتليها في اشتباكات عنيفة.";
    let marked = clean
        .replace("الديمقراطية", "الديمقراط\u{200d}ية")
        .replace("داعش", "دا\u{200c}عش")
        .replace("أمس", "\u{202e}أمس\u{202c}")
        .replace("الزور", "الز\u{200f}ور");
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("invisible.jsonl");
    let input = [("clean", clean), ("marked", marked.as_str())]
        .iter()
        .map(|(id, text)| jsonl(id, &[("text", text), ("published", "2024-05-02"), ("title", "اشتباكات")]))
        .collect::<String>();
    std::fs::write(&file, input).expect("write");
    let (ok, out, _) = watched(&["analyze", "--format", "json", path(&file)]);
    assert!(ok);
    let docs: Vec<serde_json::Value> =
        serde_json::Deserializer::from_slice(&out).into_iter().collect::<Result<_, _>>().expect("documents");
    assert_eq!(docs.len(), 2);
    let summary = |d: &serde_json::Value| {
        let text = d["text"].as_str().expect("text");
        let ids = |key: &str, id: &str| -> Vec<String> {
            d[key]
                .as_array()
                .expect("array")
                .iter()
                .map(|e| {
                    let (s, e2) =
                        (e["start"].as_u64().expect("start") as usize, e["end"].as_u64().expect("end") as usize);
                    assert!(text.is_char_boundary(s) && text.is_char_boundary(e2) && s < e2);
                    e[id].to_string()
                })
                .collect()
        };
        let events: Vec<String> = d["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| format!("{} {} {}", e["acled"]["event_type"], e["fatalities"], e["date"]))
            .collect();
        (ids("entities", "id"), ids("places", "geonames_id"), events)
    };
    let (clean, marked) = (summary(&docs[0]), summary(&docs[1]));
    assert!(!clean.0.is_empty() && !clean.1.is_empty(), "{clean:?}");
    assert_eq!(marked, clean);
}
