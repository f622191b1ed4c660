//! Crash safety: `marsad ingest`, `marsad stories rebuild` and `marsad reanalyze --all` killed
//! with SIGKILL at random moments, 52 trials in all. After each kill the store is whole
//! (`marsad check`: database integrity, every document readable, the search index holding
//! each stored document once or listing it as pending), and running the command again gives a
//! store with the digest of an uninterrupted run: nothing committed is lost, nothing is
//! half-written, nothing is stored twice.
//!
//! The kill moments come from a seed printed by each test; `MARSAD_CRASH_SEED=N` replays one.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEMO: &str = include_str!("../../../data/demo/articles.jsonl");

/// The day clustering takes for undated articles, so that runs on different days agree.
const CLOCK: &str = "2024-06-01";

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("marsad")
}

/// Runs `marsad ARGS --data DATA` to the end; it must succeed.
fn run(args: &[&str], data: &Path) {
    let out = Command::new(bin()).args(args).arg("--data").arg(data).output().expect("run marsad");
    assert!(out.status.success(), "marsad {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// `marsad check`: the store must be whole; returns its digest.
fn whole(data: &Path, what: &str) -> String {
    let out = Command::new(bin()).args(["check", "--format", "json", "--data"]).arg(data).output().expect("check");
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert!(out.status.success() && c["problems"].as_array().is_some_and(|p| p.is_empty()), "{what}: {c}");
    c["digest"].as_str().expect("digest").to_owned()
}

/// The kill moments: a seeded generator, its seed printed so that a failure can be replayed.
struct Moments(fastrand::Rng);

impl Moments {
    fn seeded(test: &str) -> Moments {
        let seed =
            std::env::var("MARSAD_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| fastrand::u64(..));
        eprintln!("{test}: MARSAD_CRASH_SEED={seed}");
        Moments(fastrand::Rng::with_seed(seed))
    }

    /// A moment in `0..within`.
    fn next(&mut self, within: Duration) -> Duration {
        within.mul_f64(self.0.f64())
    }
}

/// The first 20 demo articles and two broken records (so rejections are stored too).
fn input(dir: &Path) -> PathBuf {
    let mut text: String = DEMO.lines().filter(|l| !l.trim().is_empty()).take(20).map(|l| format!("{l}\n")).collect();
    text.insert_str(text.len() / 2, "{\"title\": \"broken\", \"text\": \n");
    text.push_str("{\"title\": \"empty\", \"text\": \"\"}\n");
    let path = dir.join("articles.jsonl");
    std::fs::write(&path, text).expect("write input");
    path
}

/// Copies a store (no process writes it meanwhile).
fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read store").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

/// Starts `marsad ARGS --data DATA` and kills it with SIGKILL after `after` (or lets it end,
/// when it ends first). Returns whether it was killed.
fn kill_after(args: &[&str], data: &Path, after: Duration) -> bool {
    let mut child = Command::new(bin())
        .args(args)
        .arg("--data")
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn marsad");
    let start = Instant::now();
    while start.elapsed() < after {
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    true
}

/// `trials` runs of `args` over copies of `base` (or an empty store when `None`), each killed
/// at a random moment of an uninterrupted run's duration, then checked, run again and compared
/// with the uninterrupted run.
fn trials(test: &str, args: &[&str], base: Option<&Path>, trials: usize) {
    let tmp = tempfile::tempdir().expect("tmp");
    let fresh = |name: &str| {
        let data = tmp.path().join(name);
        if let Some(base) = base {
            copy(base, &data);
        }
        data
    };
    let reference = fresh("reference");
    let start = Instant::now();
    run(args, &reference);
    let took = start.elapsed();
    let expected = whole(&reference, "uninterrupted run");
    let mut moments = Moments::seeded(test);
    let mut killed = 0;
    for trial in 0..trials {
        let data = fresh(&format!("trial{trial}"));
        let at = moments.next(took.mul_f64(1.1));
        if kill_after(args, &data, at) {
            killed += 1;
            if data.join("marsad.db").exists() {
                whole(&data, &format!("{test} trial {trial}, killed after {at:?}"));
            }
        }
        run(args, &data);
        let digest = whole(&data, &format!("{test} trial {trial}, run again"));
        assert_eq!(digest, expected, "{test} trial {trial}: killed after {at:?} and run again, the store differs");
        std::fs::remove_dir_all(&data).ok();
    }
    // Most moments fall inside the run (a tenth of the window lies after its end).
    assert!(killed * 2 >= trials, "{test}: only {killed} of {trials} runs were killed");
}

#[test]
fn ingest_killed_at_random_moments() {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = input(tmp.path());
    let input = input.to_str().expect("utf-8 path");
    trials("ingest", &["ingest", "--quiet", "--batch", "2", "--clock", CLOCK, input], None, 20);
}

#[test]
fn stories_rebuild_and_reanalysis_killed_at_random_moments() {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = input(tmp.path());
    let base = tmp.path().join("base");
    run(&["ingest", "--quiet", "--clock", CLOCK, input.to_str().expect("utf-8 path")], &base);
    trials("stories rebuild", &["stories", "rebuild", "--clock", CLOCK], Some(&base), 20);
    trials("reanalyze", &["reanalyze", "--all", "--quiet"], Some(&base), 12);
}
