//! `marsad ingest`, `search`, `export`, `reanalyze`, `status` as a user runs them, including
//! an ingest killed with SIGKILL and run again.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

const DEMO: &str = include_str!("../../../data/demo/articles.jsonl");

fn marsad() -> Command {
    Command::cargo_bin("marsad").expect("binary")
}

fn status(data: &Path) -> serde_json::Value {
    let out = marsad()
        .args(["status", "--format", "json", "--data"])
        .arg(data)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("json")
}

/// `copies` copies of the demo articles, each with its own id.
fn many(copies: usize) -> String {
    let mut out = String::new();
    for c in 0..copies {
        for line in DEMO.lines().filter(|l| !l.trim().is_empty()) {
            let mut v: serde_json::Value = serde_json::from_str(line).expect("demo json");
            v["id"] = format!("{}-copy{c}", v["id"].as_str().unwrap_or("x")).into();
            out.push_str(&v.to_string());
            out.push('\n');
        }
    }
    out
}

/// A temporary folder with the demo articles as `demo.jsonl` and the path of a store beside.
fn demo_input() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = tmp.path().join("demo.jsonl");
    std::fs::write(&input, DEMO).expect("write");
    let data = tmp.path().join("store");
    (tmp, input, data)
}

/// Standard output of a command that must succeed.
fn stdout(cmd: &mut Command) -> Vec<u8> {
    cmd.assert().success().get_output().stdout.clone()
}

#[test]
fn ingest_search_export_reanalyze_status() {
    let (tmp, input, data) = demo_input();
    let out = marsad().args(["ingest", "--format", "json", "--data"]).arg(&data).arg(&input).assert().success();
    let summary: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    let n = DEMO.lines().filter(|l| !l.trim().is_empty()).count() as u64;
    assert_eq!(summary["documents"], n);
    // MARSAD_DATA names the store too.
    let out = marsad()
        .env("MARSAD_DATA", &data)
        .args(["search", "--format", "json", "--country", "YE", "الحوثيين"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert!(r["total"].as_u64().unwrap_or(0) >= 3, "{r}");
    assert!(r["hits"][0]["snippet"]["highlights"].as_array().is_some_and(|h| !h.is_empty()), "{r}");
    let text =
        marsad().args(["search", "--data"]).arg(&data).arg("الحوثيين").assert().success().get_output().stdout.clone();
    let text = String::from_utf8(text).expect("utf8");
    assert!(text.contains("documents match") && text.contains("«"), "{text}");
    let csv = marsad()
        .args(["export", "--format", "csv", "--data"])
        .arg(&data)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&csv).starts_with("event_id_cnty,event_date,"));
    let file = tmp.path().join("events.parquet");
    marsad().args(["export", "--format", "parquet", "-o"]).arg(&file).arg("--data").arg(&data).assert().success();
    assert!(std::fs::read(&file).expect("parquet").starts_with(b"PAR1"));
    marsad().args(["reanalyze", "--all", "--quiet", "--data"]).arg(&data).assert().success();
    let st = status(&data);
    assert_eq!(st["stats"]["documents"], n);
    assert_eq!(st["stats"]["indexed"], n);
    // Errors name the problem: a missing store, a bad date.
    marsad().args(["search", "--data"]).arg(tmp.path().join("nowhere")).arg("x").assert().code(1);
    let bad = marsad().args(["export", "--from", "2024-13-01", "--data"]).arg(&data).assert().code(1);
    assert!(String::from_utf8_lossy(&bad.get_output().stderr).contains("not a date"));
}

#[test]
fn an_ingest_killed_at_any_moment_completes_on_the_next_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = tmp.path().join("many.jsonl");
    let text = many(3);
    let n = text.lines().count() as u64;
    std::fs::write(&input, &text).expect("write");
    // Killed right after it starts, and once a third and two thirds of the documents are in.
    for (trial, stored) in [0, n / 3, 2 * n / 3].into_iter().enumerate() {
        let data = tmp.path().join(format!("store{trial}"));
        let mut child = spawn_ingest(&data, &input, 8);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(120) && child.try_wait().expect("wait").is_none() {
            let so_far =
                if data.join("marsad.db").exists() { status(&data)["stats"]["documents"].as_u64() } else { None };
            if so_far.unwrap_or(0) >= stored {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.kill().ok(); // SIGKILL
        child.wait().expect("reaped");
        marsad().args(["ingest", "--quiet", "--data"]).arg(&data).arg(&input).assert().success();
        let st = status(&data);
        assert_eq!(st["stats"]["documents"], n, "trial {trial}");
        assert_eq!(st["stats"]["indexed"], n, "trial {trial}");
        // A third run adds nothing.
        let out = marsad()
            .args(["ingest", "--quiet", "--format", "json", "--data"])
            .arg(&data)
            .arg(&input)
            .assert()
            .success();
        let s: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
        assert_eq!((s["documents"].as_u64(), s["existing"].as_u64()), (Some(0), Some(n)), "trial {trial}");
    }
}

#[test]
fn a_second_writer_is_refused_before_it_writes_anything() {
    let (tmp, input, data) = demo_input();
    let one = tmp.path().join("one.jsonl");
    let other = DEMO.lines().next().expect("an article").replace("\"id\": \"", "\"id\": \"second-");
    std::fs::write(&one, other).expect("write");
    let mut first = spawn_ingest(&data, &input, 4);
    // The first run holds the store once it has written its first batch.
    let start = Instant::now();
    while status_or_none(&data).is_none_or(|n| n == 0) {
        assert!(start.elapsed() < Duration::from_secs(120), "the first ingest wrote nothing");
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = marsad().args(["ingest", "--quiet", "--data"]).arg(&data).arg(&one).assert().code(1);
    let err = String::from_utf8_lossy(&second.get_output().stderr).into_owned();
    assert!(err.contains("another process is writing to this store"), "{err}");
    assert!(first.wait().expect("first ends").success());
    let n = DEMO.lines().filter(|l| !l.trim().is_empty()).count() as u64;
    assert_eq!(status(&data)["stats"]["documents"], n, "the second run stored nothing");
}

/// Starts `marsad ingest` of `input` into `data`, `batch` documents per transaction.
fn spawn_ingest(data: &Path, input: &Path, batch: usize) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("marsad"))
        .args(["ingest", "--quiet", "--batch", &batch.to_string(), "--data"])
        .arg(data)
        .arg(input)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn")
}

/// Documents stored so far, or `None` while the store cannot be read yet.
fn status_or_none(data: &Path) -> Option<u64> {
    if !data.join("marsad.db").exists() {
        return None;
    }
    let out = marsad().args(["status", "--format", "json", "--data"]).arg(data).output().ok()?;
    serde_json::from_slice::<serde_json::Value>(&out.stdout).ok()?["stats"]["documents"].as_u64()
}

#[test]
fn stories_are_listed_shown_and_scored() {
    let (tmp, input, data) = demo_input();
    let out = stdout(marsad().args(["ingest", "--quiet", "--clock", "2024-07-01", "--data"]).arg(&data).arg(&input));
    assert!(String::from_utf8_lossy(&out).contains("stories: 51 documents"), "{}", String::from_utf8_lossy(&out));
    let list =
        stdout(marsad().args(["stories", "--by-size", "--min-outlets", "3", "--format", "json", "--data"]).arg(&data));
    let list: serde_json::Value = serde_json::from_slice(&list).expect("json");
    let items = list["items"].as_array().expect("items");
    assert!(items.len() >= 5 && items.iter().all(|s| s["outlets"].as_u64() >= Some(3)), "{list}");
    let id = items[0]["id"].as_u64().expect("id").to_string();
    let show = stdout(marsad().args(["stories", "show", &id, "--data"]).arg(&data));
    let show = String::from_utf8(show).expect("utf8");
    for part in ["articles", "events", "framing"] {
        assert!(show.contains(&format!("\n{part}\n")), "{show}");
    }
    marsad().args(["stories", "show", "99999", "--data"]).arg(&data).assert().code(1);
    // Scored against the corpus' own labels.
    let labels: serde_json::Value =
        serde_json::from_str(include_str!("../../../data/demo/stories.json")).expect("labels");
    let mut gold = String::from("doc_id\tstory\n");
    for s in labels["stories"].as_array().expect("stories") {
        for a in s["articles"].as_array().expect("articles") {
            gold.push_str(&format!("{}\t{}\n", a.as_str().expect("id"), s["story"].as_str().expect("name")));
        }
    }
    let gold_file = tmp.path().join("gold.tsv");
    std::fs::write(&gold_file, gold).expect("write");
    let eval = stdout(marsad().args(["eval", "stories", "--gold"]).arg(&gold_file).arg("--data").arg(&data));
    let eval = String::from_utf8(eval).expect("utf8");
    let purity: f64 = eval
        .lines()
        .find_map(|l| l.strip_prefix("purity"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{eval}"));
    assert!(purity >= 0.9, "{eval}");
    // Export: one row per real event, with its mention count.
    let canonical = stdout(marsad().args(["export", "--data"]).arg(&data));
    let mentions = stdout(marsad().args(["export", "--mentions", "--data"]).arg(&data));
    let (c, m) = (String::from_utf8_lossy(&canonical), String::from_utf8_lossy(&mentions));
    assert!(c.lines().next().is_some_and(|h| h.ends_with(",mentions,articles")), "{c}");
    assert!(c.lines().count() < m.lines().count());
    assert!(status(&data)["stats"]["stories"].as_u64() > Some(10));
}
