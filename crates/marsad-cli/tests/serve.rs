//! `marsad demo` and `marsad serve` as a user runs them: a real process on a free port.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts `marsad ARGS…` and waits for the URL it prints; the child is stopped when dropped,
/// as Ctrl-C stops it (the demo then removes its temporary store), else killed.
struct Running {
    child: Child,
    url: String,
}

impl Running {
    /// Stops the process as Ctrl-C does (killed after 10 s); its exit status.
    fn stop(&mut self) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        let start = std::time::Instant::now();
        while self.child.try_wait().ok().flatten().is_none() {
            if start.elapsed() > std::time::Duration::from_secs(10) {
                let _ = self.child.kill();
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        self.child.wait().ok()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
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

/// `marsad ingest INPUT --data DATA`, which must succeed.
fn ingest(data: &std::path::Path, input: &std::path::Path) {
    let ok = Command::new(assert_cmd::cargo::cargo_bin("marsad"))
        .args(["ingest", "--quiet", "--data"])
        .arg(data)
        .arg(input)
        .status()
        .expect("ingest");
    assert!(ok.success());
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
    ingest(&data, &input);
    let data = data.to_str().expect("utf8 path");
    let server = start(&["serve", "--bind", "127.0.0.1:0", "--data", data]);
    assert_eq!(get(&format!("{}api/health", server.url))["documents"], 1);
}

/// Writes need the token (from MARSAD_TOKEN or --token-file); --read-only refuses them even
/// with it; neither the token nor a wrong one ever appears in what the server prints.
#[test]
fn writes_need_the_token_read_only_refuses_them_and_tokens_are_never_printed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("store");
    let input = tmp.path().join("a.jsonl");
    let mut lines = include_str!("../../../data/demo/articles.jsonl").lines();
    std::fs::write(&input, lines.next().expect("an article")).expect("write");
    ingest(&data, &input);
    let (token, wrong) = ("tok-9d2f61c0e4b7a835", "tok-9d2f61c0e4b7a836");
    let token_file = tmp.path().join("token");
    std::fs::write(&token_file, format!("{token}\n")).expect("token file");
    let data = data.to_str().expect("utf8 path");
    let article = lines.next().expect("another article");
    let post = |url: &str, bearer: &str| -> u16 {
        ureq::post(&format!("{url}api/documents"))
            .config()
            .http_status_as_error(false)
            .build()
            .header("authorization", &format!("Bearer {bearer}"))
            .header("content-type", "application/json")
            .send(article)
            .expect("request")
            .status()
            .as_u16()
    };
    for (args, env_token, expect) in
        [(vec!["--token-file", token_file.to_str().expect("path")], None, 200), (vec!["--read-only"], Some(token), 403)]
    {
        let out = tmp.path().join("out.txt");
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("marsad"));
        cmd.args(["serve", "--bind", "127.0.0.1:0", "--data", data]).args(&args);
        if let Some(t) = env_token {
            cmd.env("MARSAD_TOKEN", t);
        }
        let mut child = cmd
            .stdout(std::fs::File::create(&out).expect("out"))
            .stderr(std::fs::File::options().append(true).open(&out).expect("out"))
            .spawn()
            .expect("serve");
        let start = std::time::Instant::now();
        let url = loop {
            let text = std::fs::read_to_string(&out).unwrap_or_default();
            if let Some(at) = text.find("http://") {
                break text[at..].split_whitespace().next().expect("url").to_owned();
            }
            assert!(start.elapsed().as_secs() < 120, "no URL printed: {text}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert_eq!(post(&url, wrong), if expect == 200 { 401 } else { 403 }, "{args:?}");
        assert_eq!(post(&url, token), expect, "{args:?}");
        child.kill().ok();
        child.wait().ok();
        let printed = std::fs::read_to_string(&out).expect("out");
        assert!(!printed.contains("tok-9d2f61c0e4b7a83"), "a token was printed: {printed}");
    }
}

/// `marsad bench soak`, briefly: mixed reads and posted articles from four clients against a
/// real `marsad serve`, every request answered, memory sampled. (The 30-minute run and its
/// figures are in the README.)
#[test]
fn a_short_soak_answers_every_request() {
    let tmp = tempfile::tempdir().expect("tmp");
    let articles = tmp.path().join("demo.jsonl");
    std::fs::write(&articles, include_str!("../../../data/demo/articles.jsonl")).expect("write");
    let data = tmp.path().join("store");
    let marsad = || Command::new(assert_cmd::cargo::cargo_bin("marsad"));
    ingest(&data, &articles);
    let out = marsad()
        .args(["bench", "soak", "--seconds", "15", "--sample", "5", "--clients", "4", "--csv"])
        .arg(tmp.path().join("rss.csv"))
        .arg("--articles")
        .arg(&articles)
        .arg("--data")
        .arg(&data)
        .output()
        .expect("soak");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    let summary = text.lines().last().unwrap_or("");
    assert!(summary.contains(" 0 failed"), "{summary}");
    // Every kind of request was made and answered.
    for kind in ["ingest", "search", "export", "points", "timeline", "stories", "story", "document"] {
        let row = text.lines().find(|l| l.starts_with(&format!("{kind} "))).unwrap_or_else(|| panic!("{kind}: {text}"));
        let answered: u64 = row.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
        assert!(answered > 0, "{row}");
    }
    let samples = std::fs::read_to_string(tmp.path().join("rss.csv")).expect("csv");
    assert!(samples.lines().count() >= 4, "{samples}");
    // The server was killed with its clusterers' state saved only now and then: the store is
    // whole, and opened again it replays the updates the state lacks.
    let check = marsad().args(["check", "--data"]).arg(&data).output().expect("check");
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    let update = marsad().args(["stories", "update", "--data"]).arg(&data).output().expect("update");
    assert!(update.status.success(), "{}", String::from_utf8_lossy(&update.stderr));
}

#[test]
fn two_servers_serve_one_postgres_database() {
    let Some(db) = marsad_store::pg::local::test_database() else {
        eprintln!("skipped: PostgreSQL is not installed");
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let input = tmp.path().join("demo.jsonl");
    std::fs::write(&input, include_str!("../../../data/demo/articles.jsonl")).expect("write");
    let ok = Command::new(assert_cmd::cargo::cargo_bin("marsad"))
        .args(["ingest", "--quiet", "--db", &db])
        .arg(&input)
        .status()
        .expect("ingest");
    assert!(ok.success());
    let (a, b) = (
        start(&["serve", "--db", &db, "--bind", "127.0.0.1:0"]),
        start(&["serve", "--db", &db, "--bind", "127.0.0.1:0"]),
    );
    for s in [&a, &b] {
        let health = get(&format!("{}api/health", s.url));
        assert_eq!((health["documents"].as_u64(), health["stories"].as_u64().is_some_and(|n| n > 5)), (Some(51), true));
    }
    assert_eq!(get(&format!("{}api/stories?limit=3", a.url)), get(&format!("{}api/stories?limit=3", b.url)));
    // Ctrl-C stops each cleanly (its connections closed, nothing aborted).
    for mut s in [a, b] {
        let status = s.stop().expect("exit status");
        assert!(status.success(), "{status:?}");
    }
}
