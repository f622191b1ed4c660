//! `marsad demo` and `marsad serve` as a user runs them: a real process on a free port.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts `marsad ARGS…` and waits for the URL it prints; the child is killed when dropped.
struct Running {
    child: Child,
    url: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Running {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("marsad"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("marsad starts");
    let out = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(out).lines();
    let url = loop {
        let line = lines.next().expect("marsad printed its URL before exiting").expect("line");
        if let Some(at) = line.find("http://") {
            break line[at..].split_whitespace().next().expect("url").to_owned();
        }
    };
    Running { child, url }
}

fn get(url: &str) -> serde_json::Value {
    let mut r = ureq::get(url).call().unwrap_or_else(|e| panic!("{url}: {e}"));
    serde_json::from_slice(&r.body_mut().read_to_vec().expect("body")).expect("json")
}

#[test]
fn the_demo_serves_its_sample_articles() {
    let demo = start(&["demo", "--bind", "127.0.0.1:0"]);
    assert!(demo.url.ends_with('/'), "{}", demo.url);
    let page = ureq::get(&demo.url).call().expect("the dashboard").body_mut().read_to_string().expect("page");
    assert!(page.contains("<html"), "{page}");
    let health = get(&format!("{}api/health", demo.url));
    assert_eq!(health["documents"], 51);
    let stories = get(&format!("{}api/stories?min_outlets=3", demo.url));
    assert!(stories["items"].as_array().is_some_and(|s| s.len() >= 5), "{stories}");
}

#[test]
fn serve_opens_an_existing_store_and_refuses_a_missing_one() {
    let tmp = tempfile::tempdir().expect("tmp");
    let missing = Command::new(assert_cmd::cargo::cargo_bin("marsad"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data"])
        .arg(tmp.path().join("nowhere"))
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no store"));
    let input = tmp.path().join("a.jsonl");
    let line = include_str!("../../../data/demo/articles.jsonl").lines().next().expect("an article");
    std::fs::write(&input, line).expect("write");
    let data = tmp.path().join("store");
    let ok = Command::new(assert_cmd::cargo::cargo_bin("marsad"))
        .args(["ingest", "--quiet", "--data"])
        .arg(&data)
        .arg(&input)
        .output()
        .expect("ingest");
    assert!(ok.status.success());
    let data = data.to_str().expect("utf8 path");
    let server = start(&["serve", "--bind", "127.0.0.1:0", "--data", data]);
    assert_eq!(get(&format!("{}api/health", server.url))["documents"], 1);
}
