use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use marsad_input::{ReadOptions, read};
use marsad_pipeline::{AnalyzeOptions, Analyzer, Stage};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Analyze every record of a JSONL file (optionally .gz) on one core and print
    /// articles/s, MB/s, peak memory and per-article latency (p50, p95, max).
    Analyze(BenchAnalyzeArgs),
    /// Time the loading of each embedded knowledge component (lexicon, knowledge base, tagger,
    /// gazetteer) and print the process's peak memory.
    Load,
    /// Ingest inputs into a fresh store (all cores) and print articles/s, peak memory and the
    /// store's size against the raw input.
    Ingest(BenchIngestArgs),
    /// Run queries against a store (with facets and snippets) and print latency p50/p95/max.
    Search(BenchSearchArgs),
    /// Serve a store and load it for a long time with mixed requests (posted articles,
    /// searches, exports, map points, timelines, stories, documents) from several clients;
    /// print failures, latencies and the server's memory over time.
    Soak(crate::soak::BenchSoakArgs),
}

#[derive(Args)]
pub struct BenchIngestArgs {
    /// Files and folders to ingest.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Store to create (must not exist; default: a temporary directory, removed afterwards).
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Args)]
pub struct BenchSearchArgs {
    #[command(flatten)]
    pub data: crate::store::DataArgs,
    /// Queries, one per line (`#` comments); default: the 100 two-word queries bundled with
    /// marsad (data/bench/queries.txt).
    #[arg(long)]
    pub queries: Option<PathBuf>,
    /// Passes over the queries; the first warms caches and is not counted.
    #[arg(long, default_value_t = 3)]
    pub passes: usize,
    /// Hits per query (each with a snippet).
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
}

/// The bundled benchmark queries.
pub(crate) const QUERIES: &str = include_str!("../../../data/bench/queries.txt");

/// The `q`-quantile of sorted values (nearest rank).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    sorted.get(((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1)).copied()
}

fn bench_ingest(a: &BenchIngestArgs) -> Result<ExitCode> {
    let tmp;
    let dir = match &a.data {
        Some(d) if d.exists() => anyhow::bail!("{}: exists; bench ingest needs a fresh store", d.display()),
        Some(d) => d.clone(),
        None => {
            tmp = tempfile::tempdir().context("creating a temporary store")?;
            tmp.path().join("store")
        }
    };
    let mut store = marsad_store::Store::open(&dir)?;
    let mut opts = marsad_ingest::Options { progress: false, ..marsad_ingest::Options::default() };
    if let Some(t) = a.threads {
        opts.threads = t;
    }
    let s = marsad_ingest::ingest(&mut store, &a.paths, &opts)?;
    let stats = store.stats()?;
    let rss = peak_rss_bytes().map_or("n/a".to_owned(), |b| format!("{:.0} MB", b as f64 / 1e6));
    out!(
        "bench ingest: {} documents ({} rejected, {} events) on {} threads in {:.1} s: {:.0} articles/s, peak RSS {rss}",
        s.documents,
        s.rejected,
        s.events,
        opts.threads,
        s.seconds,
        s.articles_per_s
    );
    out!(
        "  store {:.1} MB for {:.1} MB of raw records: {:.2}×",
        stats.disk_bytes as f64 / 1e6,
        stats.raw_bytes as f64 / 1e6,
        stats.disk_bytes as f64 / stats.raw_bytes.max(1) as f64
    );
    Ok(ExitCode::SUCCESS)
}

fn bench_search(a: &BenchSearchArgs) -> Result<ExitCode> {
    let text = match &a.queries {
        Some(p) => std::fs::read_to_string(p).with_context(|| format!("{}: cannot read", p.display()))?,
        None => QUERIES.to_owned(),
    };
    let queries: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    let store = marsad_store::Store::open_existing(a.data.embedded("bench search")?)?;
    let docs = store.stats()?.indexed;
    let filter = marsad_store::Filter::default();
    let mut latencies = Vec::new();
    let mut hits = 0usize;
    for pass in 0..a.passes.max(2) {
        for q in &queries {
            let t = Instant::now();
            let r = store.search(q, &filter, a.limit, 0)?;
            let dt = t.elapsed().as_secs_f64();
            if pass > 0 {
                latencies.push(dt);
                hits += r.total;
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    let ms = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{:.2} ms", v * 1000.0));
    out!(
        "bench search: {} queries × {} passes over {docs} documents (top {} with snippets, facets, total count)",
        queries.len(),
        a.passes.max(2) - 1,
        a.limit
    );
    out!(
        "  p50 {}   p95 {}   max {}   mean matches {:.0}",
        ms(quantile(&latencies, 0.5)),
        ms(quantile(&latencies, 0.95)),
        ms(latencies.last().copied()),
        hits as f64 / latencies.len().max(1) as f64
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct BenchAnalyzeArgs {
    /// JSONL file of articles (title/text fields), optionally gzip-compressed.
    #[arg(long)]
    pub input: PathBuf,
    /// Stop after this many articles.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Passes over the input (the first warms caches and lexicons).
    #[arg(long, default_value_t = 3)]
    pub passes: usize,
    /// Measure only the text layer and cleaning (no document assembly).
    #[arg(long, conflicts_with_all = ["entities", "places"])]
    pub text_only: bool,
    /// Measure the text layer plus entity recognition and linking over the same tokens.
    #[arg(long, conflicts_with = "places")]
    pub entities: bool,
    /// Measure the text layer, entities and toponym resolution (no document assembly).
    #[arg(long)]
    pub places: bool,
    /// Keep the per-word memos (segmentations, word analyses and scores) from one pass to the
    /// next, as a long-running worker does; by default every pass starts cold.
    #[arg(long)]
    pub warm: bool,
}

pub fn run(cmd: &BenchCommand) -> Result<ExitCode> {
    match cmd {
        BenchCommand::Analyze(a) => bench_analyze(a),
        BenchCommand::Load => bench_load(),
        BenchCommand::Ingest(a) => bench_ingest(a),
        BenchCommand::Search(a) => bench_search(a),
        BenchCommand::Soak(a) => crate::soak::soak(a),
    }
}

fn bench_load() -> Result<ExitCode> {
    let timed = |name: &str, f: &dyn Fn() -> String| {
        let t = Instant::now();
        let what = f();
        out!("{name:<12} {:>8.1} ms  {what}", t.elapsed().as_secs_f64() * 1000.0);
        std::io::Result::Ok(())
    };
    timed("lexicon", &|| format!("{} word forms", marsad_text::Lexicon::embedded().len()))?;
    timed("cleaner", &|| {
        let _ = marsad_text::Cleaner::embedded();
        "boilerplate cues".to_owned()
    })?;
    timed("kb", &|| {
        let kb = marsad_kb::KnowledgeBase::embedded();
        format!("{} actors, {} name keys", kb.actors().len(), kb.name_count())
    })?;
    timed("tagger", &|| match marsad_pipeline::default_tagger() {
        Some(_) => "CRF weights".to_owned(),
        None => "none".to_owned(),
    })?;
    timed("gazetteer", &|| {
        let g = marsad_geo::Gazetteer::embedded();
        format!("{} places, {} name keys", g.entries().len(), g.name_count())
    })?;
    timed("report", &|| format!("{} n-gram weights", marsad_events::report::ReportModel::embedded().len()))?;
    if let Some(rss) = peak_rss_bytes() {
        out!("peak memory  {:.0} MB", rss as f64 / 1e6);
    }
    Ok(ExitCode::SUCCESS)
}

/// Peak resident set size of this process in bytes (Linux `VmHWM`), if known.
pub fn peak_rss_bytes() -> Option<u64> {
    proc_status_bytes("self", "VmHWM")
}

/// A memory figure of a process (`self` or a pid) from Linux `/proc/…/status`, in bytes.
pub(crate) fn proc_status_bytes(process: &str, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    let line = status.lines().find(|l| l.strip_prefix(key).is_some_and(|rest| rest.starts_with(':')))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn bench_analyze(a: &BenchAnalyzeArgs) -> Result<ExitCode> {
    let name = a.input.to_string_lossy().into_owned();
    let file = std::fs::File::open(&a.input).with_context(|| format!("{name}: cannot open"))?;
    let reader: Box<dyn Read> =
        if name.ends_with(".gz") { Box::new(flate2::read::GzDecoder::new(file)) } else { Box::new(file) };
    let mut docs = Vec::new();
    let mut rejected = 0usize;
    for (i, line) in BufReader::new(reader).lines().enumerate() {
        if a.limit.is_some_and(|l| docs.len() >= l) {
            break;
        }
        let line = line.with_context(|| format!("{name}: line {}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let label = format!("{name}:{}", i + 1);
        match read(line.as_bytes(), &ReadOptions::new(&label)) {
            Ok(records) => {
                for r in records {
                    match r {
                        Ok(d) => docs.push(d),
                        Err(_) => rejected += 1,
                    }
                }
            }
            Err(_) => rejected += 1,
        }
    }
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let analyzer = Analyzer::new();
    let mut best = f64::INFINITY;
    let mut latencies: Vec<f64> = Vec::new();
    let mut work = 0usize;
    let stage = if a.text_only {
        Some(Stage::Text)
    } else if a.entities {
        Some(Stage::Entities)
    } else if a.places {
        Some(Stage::Places)
    } else {
        None
    };
    for _ in 0..a.passes.max(1) {
        // Unless --warm, every pass starts cold: no word segmentations remembered from the
        // previous one.
        if !a.warm {
            marsad_text::tokenize::clear_segment_cache();
            marsad_ner::crf::features::clear_analysis_cache();
            marsad_ner::crf::clear_score_cache();
        }
        let t = Instant::now();
        let mut pass_latencies = Vec::with_capacity(docs.len());
        for d in &docs {
            let one = Instant::now();
            work += if let Some(stage) = stage {
                analyzer.text_layer(d, stage)
            } else {
                analyzer.analyze(d, AnalyzeOptions::default()).sentences.len()
            };
            pass_latencies.push(one.elapsed().as_secs_f64());
        }
        let elapsed = t.elapsed().as_secs_f64();
        if elapsed < best {
            best = elapsed;
            latencies = pass_latencies;
        }
    }
    latencies.sort_by(f64::total_cmp);
    let quantile = |q: f64| quantile(&latencies, q);
    std::hint::black_box(work);
    let mb = bytes as f64 / 1e6;
    let rss = peak_rss_bytes().map_or("n/a".to_owned(), |b| format!("{:.1} MB", b as f64 / 1e6));
    out!(
        "bench analyze{}{}: {} articles ({:.2} MB of text, {} rejected), best of {} passes on one core: {:.3} s",
        if a.warm { " --warm" } else { "" },
        match stage {
            Some(Stage::Text) => " --text-only",
            Some(Stage::Entities) => " --entities",
            Some(Stage::Places) => " --places",
            None => "",
        },
        docs.len(),
        mb,
        rejected,
        a.passes.max(1),
        best
    );
    out!("  {:.0} articles/s   {:.1} MB/s   peak RSS {}", docs.len() as f64 / best, mb / best, rss);
    if let (Some(p50), Some(p95), Some(max)) = (quantile(0.5), quantile(0.95), latencies.last()) {
        out!(
            "  per article (best pass): p50 {:.2} ms   p95 {:.2} ms   max {:.2} ms",
            p50 * 1000.0,
            p95 * 1000.0,
            max * 1000.0
        );
    }
    Ok(ExitCode::SUCCESS)
}
