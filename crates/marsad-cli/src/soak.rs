//! `marsad bench soak`: a long mixed load against one `marsad serve` on loopback — articles
//! posted in batches, searches, streamed exports, map points, timelines, story lists and
//! details, from several clients at once — with the server's resident memory sampled over
//! time. Prints every failed request (anything but a 2xx, other than the rate limiter's 429)
//! and, at the end, per kind of request its count and latency, and memory over time (first,
//! last, peak, and the growth over the run's second half). Exit status 1 on any failure.

use anyhow::{Context, Result, bail};
use clap::Args;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct BenchSoakArgs {
    /// The store to serve (it grows by the articles posted).
    #[command(flatten)]
    pub data: crate::store::DataArgs,
    /// JSONL articles (optionally .gz) to post, in batches, each under a new id per pass.
    #[arg(long)]
    pub articles: PathBuf,
    /// How long to run, in seconds.
    #[arg(long, default_value_t = 1800)]
    pub seconds: u64,
    /// Clients sending requests at once.
    #[arg(long, default_value_t = 8)]
    pub clients: usize,
    /// Seconds between two samples of the server's memory.
    #[arg(long, default_value_t = 30)]
    pub sample: u64,
    /// Requests per second the server allows one client address (all of these clients are one
    /// address); 0 for no limit. Requests over it get 429, counted apart from failures.
    #[arg(long, default_value_t = 400)]
    pub rate_limit: u32,
    /// Reads only: no articles posted (to tell the memory reads hold from what a growing
    /// store adds).
    #[arg(long)]
    pub reads_only: bool,
    /// Also write the memory samples here (CSV: seconds, resident MB, of it anonymous and
    /// file-backed MB, requests so far).
    #[arg(long)]
    pub csv: Option<PathBuf>,
}

/// The kinds of request, with their share of the load (out of 100).
const MIX: [(&str, u32); 8] = [
    ("ingest", 8),
    ("search", 32),
    ("export", 8),
    ("points", 10),
    ("timeline", 14),
    ("stories", 10),
    ("story", 9),
    ("document", 9),
];

#[derive(Default)]
struct Tally {
    ok: u64,
    rate_limited: u64,
    failed: u64,
    /// Latencies of the answered requests, in milliseconds.
    ms: Vec<f32>,
}

struct Load {
    base: String,
    token: String,
    articles: Vec<serde_json::Value>,
    posted: AtomicUsize,
    queries: Vec<String>,
    stories: Vec<u64>,
    documents: Vec<String>,
    tallies: Mutex<Vec<Tally>>,
    failures: Mutex<Vec<String>>,
    stop: AtomicBool,
    reads_only: bool,
}

const TYPES: [&str; 6] = [
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
];

impl Load {
    /// One request of kind `k`: its path, and the body when it posts.
    fn request(&self, k: usize, rng: &mut fastrand::Rng) -> (String, Option<String>) {
        let pick = |v: &[String], rng: &mut fastrand::Rng| v[rng.usize(..v.len())].clone();
        let ty = urlencode(TYPES[rng.usize(..TYPES.len())]);
        match MIX[k].0 {
            "ingest" => {
                let n = rng.usize(1..=4);
                let batch: Vec<serde_json::Value> = (0..n)
                    .map(|_| {
                        let i = self.posted.fetch_add(1, Ordering::Relaxed);
                        let mut a = self.articles[i % self.articles.len()].clone();
                        let id = a.get("id").and_then(|v| v.as_str()).map_or_else(|| format!("a{i}"), str::to_owned);
                        a["id"] = format!("{id}~soak{}", i / self.articles.len()).into();
                        a
                    })
                    .collect();
                ("/api/documents".into(), Some(serde_json::Value::from(batch).to_string()))
            }
            "search" => (format!("/api/search?q={}&limit=10", urlencode(&pick(&self.queries, rng))), None),
            "export" => {
                let format = ["csv", "jsonl", "geojson"][rng.usize(..3)];
                let month = rng.u32(1..=12);
                (format!("/api/events?format={format}&type={ty}&from=2018-{month:02}-01&to=2018-{month:02}-28"), None)
            }
            "points" => (format!("/api/points?limit={}&type={ty}", rng.usize(100..5000)), None),
            "timeline" => {
                let (interval, by) =
                    (["day", "week", "month"][rng.usize(..3)], ["type", "country", "actor"][rng.usize(..3)]);
                (format!("/api/timeline?interval={interval}&by={by}"), None)
            }
            "stories" => (format!("/api/stories?limit=20&by_size={}", rng.bool()), None),
            "story" if !self.stories.is_empty() => {
                (format!("/api/stories/{}", self.stories[rng.usize(..self.stories.len())]), None)
            }
            "document" if !self.documents.is_empty() => {
                (format!("/api/documents/{}", urlencode(&pick(&self.documents, rng))), None)
            }
            _ => ("/api/health".into(), None),
        }
    }

    fn client(&self, seed: u64) {
        let agent = agent();
        let mut rng = fastrand::Rng::with_seed(seed);
        let total: u32 = MIX.iter().map(|(_, w)| w).sum();
        while !self.stop.load(Ordering::Relaxed) {
            let k = kind(rng.u32(..total));
            if self.reads_only && MIX[k].0 == "ingest" {
                continue;
            }
            let (path, body) = self.request(k, &mut rng);
            let url = format!("{}{path}", self.base);
            let start = Instant::now();
            let answer = match &body {
                Some(b) => agent
                    .post(&url)
                    .header("authorization", &format!("Bearer {}", self.token))
                    .header("content-type", "application/json")
                    .send(b.as_bytes()),
                None => agent.get(&url).call(),
            };
            let outcome = match answer {
                Ok(mut r) => {
                    let status = r.status().as_u16();
                    // Read the whole answer: exports stream, and a cut stream is a failure.
                    let read = std::io::copy(&mut r.body_mut().as_reader(), &mut std::io::sink());
                    match read {
                        Ok(_) => Ok(status),
                        Err(e) => Err(format!("{status}, body cut: {e}")),
                    }
                }
                Err(e) => Err(e.to_string()),
            };
            let ms = start.elapsed().as_secs_f32() * 1000.0;
            let mut tallies = self.tallies.lock().unwrap_or_else(|p| p.into_inner());
            let t = &mut tallies[k];
            match outcome {
                Ok(200..=299) => {
                    t.ok += 1;
                    t.ms.push(ms);
                }
                Ok(429) => t.rate_limited += 1,
                other => {
                    t.failed += 1;
                    let why = match other {
                        Ok(s) => format!("status {s}"),
                        Err(e) => e,
                    };
                    self.failures.lock().unwrap_or_else(|p| p.into_inner()).push(format!("{path}: {why}"));
                    eprintln!("soak: FAILED {path}: {why}");
                }
            }
        }
    }
}

/// The kind of request a roll in `0..100` picks, by the shares of [`MIX`].
fn kind(mut roll: u32) -> usize {
    for (k, (_, share)) in MIX.iter().enumerate() {
        if roll < *share {
            return k;
        }
        roll -= share;
    }
    0
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn read_articles(path: &std::path::Path) -> Result<Vec<serde_json::Value>> {
    let file = std::fs::File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut out = Vec::new();
    for (i, line) in BufReader::new(reader).lines().enumerate() {
        let line = line.with_context(|| format!("{}: line {}", path.display(), i + 1))?;
        if !line.trim().is_empty() {
            out.push(serde_json::from_str(&line).with_context(|| format!("{}: line {}", path.display(), i + 1))?);
        }
    }
    if out.is_empty() {
        bail!("{}: no articles", path.display());
    }
    Ok(out)
}

/// The server under load, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

pub fn soak(a: &BenchSoakArgs) -> Result<ExitCode> {
    let articles = read_articles(&a.articles)?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let token = format!("soak-{:016x}", fastrand::u64(..));
    let exe = std::env::current_exe().context("finding the marsad binary")?;
    let server = Server(
        Command::new(exe)
            .args(["serve", "--bind", &addr.to_string(), "--rate-limit", &a.rate_limit.to_string(), "--data"])
            .arg(&a.data.dir)
            .env("MARSAD_TOKEN", &token)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting marsad serve")?,
    );
    let pid = server.0.id();
    let base = format!("http://{addr}");
    let agent = agent();
    let started = Instant::now();
    let get = |path: &str| -> Option<serde_json::Value> {
        let mut r = agent.get(&format!("{base}{path}")).call().ok()?;
        (r.status() == 200).then(|| r.body_mut().read_json().ok()).flatten()
    };
    while get("/api/health").is_none() {
        if started.elapsed() > Duration::from_secs(300) {
            bail!("marsad serve did not answer on {addr} within 300 s");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let stories: Vec<u64> = get("/api/stories?limit=200&by_size=true")
        .and_then(|v| v["items"].as_array().map(|s| s.iter().filter_map(|s| s["id"].as_u64()).collect()))
        .unwrap_or_default();
    let documents: Vec<String> = get("/api/search?q=&limit=100")
        .and_then(|v| {
            v["items"].as_array().map(|h| h.iter().filter_map(|h| h["id"].as_str().map(str::to_owned)).collect())
        })
        .unwrap_or_default();
    let queries: Vec<String> = crate::bench::QUERIES
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let load = Arc::new(Load {
        base,
        token,
        articles,
        posted: AtomicUsize::new(0),
        queries,
        stories,
        documents,
        tallies: Mutex::new(MIX.iter().map(|_| Tally::default()).collect()),
        failures: Mutex::new(Vec::new()),
        stop: AtomicBool::new(false),
        reads_only: a.reads_only,
    });
    out!(
        "soak: {} clients for {} s against marsad serve (pid {pid}) on {addr}; {} stories, {} documents to open",
        a.clients,
        a.seconds,
        load.stories.len(),
        load.documents.len()
    );
    let clients: Vec<_> = (0..a.clients)
        .map(|i| {
            let load = load.clone();
            std::thread::spawn(move || load.client(i as u64 + 1))
        })
        .collect();
    let mut csv = match &a.csv {
        Some(p) => Some(std::fs::File::create(p).with_context(|| format!("{}: cannot create", p.display()))?),
        None => None,
    };
    if let Some(f) = csv.as_mut() {
        writeln!(f, "seconds,rss_mb,anon_mb,file_mb,requests")?;
    }
    let run = Instant::now();
    let mut samples: Vec<Sample> = Vec::new();
    let mut next = Duration::ZERO;
    loop {
        let t = run.elapsed();
        if t >= next {
            let mb = |key| crate::bench::proc_status_bytes(&pid.to_string(), key).map_or(f64::NAN, |b| b as f64 / 1e6);
            let sample =
                Sample { seconds: t.as_secs_f64(), rss: mb("VmRSS"), anon: mb("RssAnon"), file: mb("RssFile") };
            let requests: u64 = load
                .tallies
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .map(|t| t.ok + t.failed + t.rate_limited)
                .sum();
            let Sample { seconds, rss, anon, file } = sample;
            out!(
                "soak: {seconds:>6.0} s  rss {rss:>7.1} MB (anonymous {anon:.1}, files {file:.1})  {requests} requests"
            );
            if let Some(f) = csv.as_mut() {
                writeln!(f, "{seconds:.0},{rss:.1},{anon:.1},{file:.1},{requests}")?;
            }
            samples.push(sample);
            next += Duration::from_secs(a.sample.max(1));
        }
        if t >= Duration::from_secs(a.seconds) {
            break;
        }
        if server_gone(pid) {
            bail!("marsad serve (pid {pid}) exited during the soak");
        }
        std::thread::sleep(Duration::from_millis(200).min(Duration::from_secs(a.seconds).saturating_sub(t)));
    }
    load.stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().ok();
    }
    let elapsed = run.elapsed().as_secs_f64();
    drop(server);
    report(&load, &samples, elapsed)
}

fn server_gone(pid: u32) -> bool {
    // A zombie (exited, not reaped) still has a /proc entry: its state says so.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_or(true, |s| s.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')))
}

/// The server's resident memory at a moment of the run, in MB: all of it, and its parts — the
/// heap and other anonymous memory, and the mapped store and index files (pages the kernel
/// may take back).
#[derive(Clone, Copy)]
struct Sample {
    seconds: f64,
    rss: f64,
    anon: f64,
    file: f64,
}

fn report(load: &Load, samples: &[Sample], elapsed: f64) -> Result<ExitCode> {
    let tallies = load.tallies.lock().unwrap_or_else(|p| p.into_inner());
    let mut o = std::io::stdout().lock();
    writeln!(o, "kind        answered   429   failed      /s   p50 ms   p95 ms   max ms")?;
    let (mut failed, mut answered) = (0, 0);
    for ((name, _), t) in MIX.iter().zip(tallies.iter()) {
        let mut ms: Vec<f64> = t.ms.iter().map(|&m| m as f64).collect();
        ms.sort_by(f64::total_cmp);
        let q = |p: f64| crate::bench::quantile(&ms, p).unwrap_or(0.0);
        writeln!(
            o,
            "{name:<10} {:>9} {:>5} {:>8} {:>7.1} {:>8.1} {:>8.1} {:>8.1}",
            t.ok,
            t.rate_limited,
            t.failed,
            t.ok as f64 / elapsed,
            q(0.5),
            q(0.95),
            q(1.0)
        )?;
        failed += t.failed;
        answered += t.ok;
    }
    for (name, anonymous) in [("resident", false), ("anonymous", true)] {
        let points: Vec<(f64, f64)> = samples
            .iter()
            .map(|s| (s.seconds, if anonymous { s.anon } else { s.rss }))
            .filter(|(_, m)| m.is_finite())
            .collect();
        let peak = points.iter().map(|p| p.1).fold(0.0, f64::max);
        // Growth over the second half: a least-squares slope, in MB per 10 minutes.
        let half: Vec<(f64, f64)> = points.iter().copied().filter(|(t, _)| *t >= elapsed / 2.0).collect();
        let slope = least_squares_slope(&half).map_or("n/a".to_owned(), |s| format!("{:+.1} MB per 10 min", s * 600.0));
        writeln!(
            o,
            "memory ({name}): first {:.1} MB, last {:.1} MB, peak {peak:.1} MB; second half {slope} ({} samples)",
            points.first().map_or(f64::NAN, |p| p.1),
            points.last().map_or(f64::NAN, |p| p.1),
            points.len()
        )?;
    }
    writeln!(
        o,
        "soak: {answered} answered, {failed} failed in {elapsed:.0} s; {} articles posted",
        load.posted.load(Ordering::Relaxed)
    )?;
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn least_squares_slope(points: &[(f64, f64)]) -> Option<f64> {
    if points.len() < 3 {
        return None;
    }
    let n = points.len() as f64;
    let (mx, my) = (points.iter().map(|p| p.0).sum::<f64>() / n, points.iter().map(|p| p.1).sum::<f64>() / n);
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}
