//! Ingest and re-analysis: inputs are read into units on one thread, analyzed on all cores,
//! and written to the store by the calling thread in input order (so a store's document
//! order, `seq`, is the same whatever the thread timing), in batched transactions.
//!
//! Idempotent and resumable: a document whose id is stored is skipped before analysis; each
//! batch is one transaction, so a run killed at any moment leaves whole documents only, and
//! running it again stores exactly what is missing. Bad records are reported with their file
//! and line, counted, kept in the store's `rejected` table, and never stop the run.

pub mod source;
mod warc;

pub use source::{Given, SourceOptions};

use crossbeam_channel::{bounded, unbounded};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use marsad_pipeline::{ANALYZER_VERSION, AnalyzeOptions, Analyzer};
use marsad_store::{Backend, Codec, Origin, Prepared, Rejected, StoriesUpdate};
use serde::Serialize;
use source::{Item, Unit};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] marsad_store::Error),
    #[error("{0}")]
    Usage(String),
}

/// How to run an ingest or re-analysis.
#[derive(Clone, Debug)]
pub struct Options {
    /// Analysis threads (default: one per core).
    pub threads: usize,
    /// Documents per transaction.
    pub batch: usize,
    pub source: SourceOptions,
    /// Draw progress bars (they stay hidden anyway when standard error is not a terminal).
    pub progress: bool,
    /// The day (days since 1970-01-01) that story clustering takes for articles without a
    /// publication date; `None`: today.
    pub clock: Option<i32>,
}

impl Options {
    /// The clustering clock: the given day, or today (UTC).
    pub fn clock(&self) -> i32 {
        self.clock.unwrap_or_else(|| {
            marsad_cluster::day_number(&chrono::Utc::now().format("%Y-%m-%d").to_string()).unwrap_or(0)
        })
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            batch: 256,
            source: SourceOptions { given: Given::default(), max_bytes: marsad_input::DEFAULT_MAX_BYTES },
            progress: true,
            clock: None,
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    pub files: u64,
    /// Records read (units), including rejected ones.
    pub records: u64,
    /// Documents newly stored (ingest) or re-analyzed (reanalyze).
    pub documents: u64,
    /// Documents skipped because they were stored already.
    pub existing: u64,
    pub rejected: u64,
    /// Coded events in the documents stored by this run.
    pub events: u64,
    pub seconds: f64,
    /// Of these, seconds spent writing to the store (its transactions and index commits).
    pub store_seconds: f64,
    pub articles_per_s: f64,
    /// The first rejections, for the report (all are in the store); every one for records
    /// given in memory ([`ingest_records`]), whose number the caller bounds.
    pub rejections: Vec<Rejected>,
    /// What story clustering did with the new documents.
    pub stories: Option<StoriesUpdate>,
    #[serde(skip)]
    list_every_rejection: bool,
}

/// How many rejections a summary lists.
const SHOWN_REJECTIONS: usize = 20;

impl Summary {
    fn finish(&mut self, start: Instant) {
        self.seconds = start.elapsed().as_secs_f64();
        self.articles_per_s = if self.seconds > 0.0 { self.documents as f64 / self.seconds } else { 0.0 };
    }

    /// Adds another run's counts to these (a worker's batches), keeping the first rejections.
    pub fn add(&mut self, other: &Summary) {
        self.files += other.files;
        self.records += other.records;
        self.documents += other.documents;
        self.existing += other.existing;
        self.rejected += other.rejected;
        self.events += other.events;
        self.store_seconds += other.store_seconds;
        let room = SHOWN_REJECTIONS.saturating_sub(self.rejections.len());
        self.rejections.extend(other.rejections.iter().take(room).cloned());
    }

    fn note_rejected(&mut self, r: &Rejected) {
        self.rejected += 1;
        if self.list_every_rejection || self.rejections.len() < SHOWN_REJECTIONS {
            self.rejections.push(r.clone());
        }
    }
}

/// The outcome of one record.
enum Outcome {
    Doc(Box<Prepared>),
    Existing,
    Rejected(Rejected),
}

fn kind_code(k: &marsad_input::ErrorKind) -> &'static str {
    use marsad_input::ErrorKind as K;
    match k {
        K::Empty => "empty",
        K::Binary { .. } => "binary",
        K::InvalidEncoding { .. } => "encoding",
        K::UnknownEncoding(_) => "encoding",
        K::TooLarge { .. } => "too-large",
        K::Json { .. } => "json",
        K::NotAnArticle(_) => "not-an-article",
    }
}

/// Reads and analyzes one unit. `skip` says whether a document id is stored already.
/// The analyzers load on first use (a second or more), so that a run over stored documents only
/// reads and hashes. A panic anywhere in reading or analysis (a bug) rejects this record only:
/// the ingest writer waits for every unit in turn, and re-analysis must go on.
fn analyze_unit(
    analyzer: &OnceLock<Analyzer>,
    codec: &Codec,
    unit: Unit,
    max_bytes: usize,
    skip: &mut dyn FnMut(&str) -> bool,
) -> Vec<Outcome> {
    let (source, line) = (unit.source.clone(), unit.line.unwrap_or(0));
    let read_and_analyze = move || -> Vec<Outcome> {
        let line = unit.line.unwrap_or(0);
        let reject = |kind: &str, message: String| {
            Outcome::Rejected(Rejected { source: unit.source.clone(), line, kind: kind.to_owned(), message })
        };
        let opts = match unit.read_options(max_bytes) {
            Ok(o) => o,
            Err(m) => return vec![reject("usage", m)],
        };
        let records = match marsad_input::read(&unit.bytes, &opts) {
            Ok(r) => r,
            Err(e) => return vec![reject(kind_code(&e.kind), e.to_string())],
        };
        let given = serde_json::to_string(&unit.given).unwrap_or_default();
        records
            .into_iter()
            .map(|r| match r {
                Err(e) => reject(kind_code(&e.kind), e.to_string()),
                Ok(mut raw) => {
                    if skip(&raw.id) {
                        return Outcome::Existing;
                    }
                    raw.line = unit.line.map(|l| l as usize);
                    let doc = analyzer.get_or_init(Analyzer::new).analyze(&raw, AnalyzeOptions::default());
                    // A unit holds one record (sources split JSONL, arrays and WARC); should a JSON
                    // input still hold several, each keeps the whole input as its raw record.
                    let origin = Origin {
                        source: unit.source.clone(),
                        line: unit.line,
                        raw: unit.bytes.clone(),
                        given: given.clone(),
                    };
                    match Prepared::new(doc, origin, ANALYZER_VERSION, codec) {
                        Ok(p) => Outcome::Doc(Box::new(p)),
                        Err(e) => reject("store", e.to_string()),
                    }
                }
            })
            .collect()
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read_and_analyze)).unwrap_or_else(|_| {
        vec![Outcome::Rejected(Rejected {
            source,
            line,
            kind: "panic".into(),
            message: "reading or analyzing this record failed (a bug: please report it)".into(),
        })]
    })
}

fn progress_bar(enabled: bool, total: u64, what: &str) -> ProgressBar {
    let target = if enabled { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
    let pb = ProgressBar::with_draw_target(Some(total), target);
    let style = ProgressStyle::with_template(&format!(
        "{{spinner}} {what} [{{elapsed_precise}}] {{wide_bar}} {{percent:>3}}% {{msg}} (eta {{eta}})"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    pb.set_style(style);
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// Batches of documents and rejections on their way to the store.
struct Writer<'s> {
    store: &'s mut dyn Backend,
    docs: Vec<Prepared>,
    rejected: Vec<Rejected>,
    batch: usize,
    since_flush: usize,
}

/// Documents between index commits: each commit adds segments that tantivy merges in the
/// background, and a crash re-indexes at most this many from the store.
const FLUSH_EVERY: usize = 20_000;

impl Writer<'_> {
    fn push(&mut self, o: Outcome, summary: &mut Summary) -> Result<(), Error> {
        match o {
            Outcome::Doc(p) => self.docs.push(*p),
            Outcome::Existing => summary.existing += 1,
            Outcome::Rejected(r) => {
                summary.note_rejected(&r);
                self.rejected.push(r);
            }
        }
        if self.docs.len() >= self.batch || self.rejected.len() >= self.batch {
            self.write(summary)?;
        }
        Ok(())
    }

    fn write(&mut self, summary: &mut Summary) -> Result<(), Error> {
        let start = Instant::now();
        let written = self.write_batch(summary);
        summary.store_seconds += start.elapsed().as_secs_f64();
        written
    }

    fn write_batch(&mut self, summary: &mut Summary) -> Result<(), Error> {
        if !self.rejected.is_empty() {
            self.store.reject(&self.rejected)?;
            self.rejected.clear();
        }
        if !self.docs.is_empty() {
            let added = self.store.put(&self.docs)?;
            for (p, a) in self.docs.iter().zip(added) {
                if a {
                    summary.documents += 1;
                    summary.events += marsad_core::export::coded(&p.doc).count() as u64;
                } else {
                    summary.existing += 1;
                }
            }
            self.since_flush += self.docs.len();
            self.docs.clear();
        }
        if self.since_flush >= FLUSH_EVERY {
            self.store.flush()?;
            self.since_flush = 0;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &mut Summary) -> Result<(), Error> {
        self.write(summary)?;
        let start = Instant::now();
        self.store.flush()?;
        summary.store_seconds += start.elapsed().as_secs_f64();
        Ok(())
    }
}

/// Ingests JSON records given in memory (an HTTP request's articles): each analyzed, stored
/// unless its id is stored already, rejected with its position and the problem otherwise; then
/// the stories are updated. `source` names where they came from (kept with each document and
/// rejection); records are numbered from 1 as lines are. `analyzer` is shared across calls so
/// that the analyzers load once.
pub fn ingest_records(
    store: &mut dyn Backend,
    analyzer: &OnceLock<Analyzer>,
    source: &str,
    records: Vec<Vec<u8>>,
    opts: &Options,
) -> Result<Summary, Error> {
    let start = Instant::now();
    store.lock_for_writing()?;
    let mut summary = Summary { files: 1, list_every_rejection: true, ..Summary::default() };
    let codec = store.codec();
    let given = Given { format: Some("json".into()), ..Given::default() };
    let mut writer = Writer { store, docs: Vec::new(), rejected: Vec::new(), batch: opts.batch.max(1), since_flush: 0 };
    for (i, bytes) in records.into_iter().enumerate() {
        summary.records += 1;
        let unit = Unit { source: source.to_owned(), line: Some(i as u64 + 1), bytes, given: given.clone() };
        for o in analyze_unit(analyzer, &codec, unit, opts.source.max_bytes, &mut |_| false) {
            writer.push(o, &mut summary)?;
        }
    }
    writer.finish(&mut summary)?;
    summary.stories = Some(store.update_stories(opts.clock())?);
    summary.finish(start);
    Ok(summary)
}

/// Analysis threads that live across calls of [`store_units`], so that what each remembers of
/// the word forms it analyzed (segmentations, the tagger's word features) stays warm: a pool
/// made per batch would start cold every time.
pub struct Analysts {
    jobs: Option<crossbeam_channel::Sender<Job>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

struct Job {
    index: usize,
    unit: Unit,
    codec: Codec,
    max_bytes: usize,
    reply: crossbeam_channel::Sender<(usize, Vec<Outcome>)>,
}

impl Analysts {
    /// `threads` analysts over `store` (each with a read handle, to skip stored documents).
    pub fn new(store: &dyn Backend, threads: usize) -> Result<Analysts, Error> {
        let (tx, rx) = unbounded::<Job>();
        let analyzer = Arc::new(OnceLock::new());
        let mut handles = Vec::new();
        for i in 0..threads.max(1) {
            let (rx, analyzer, mut probe) = (rx.clone(), Arc::clone(&analyzer), store.prober()?);
            let handle = std::thread::Builder::new()
                .name(format!("marsad-analyst-{i}"))
                .spawn(move || {
                    for job in rx {
                        let skip = &mut |id: &str| probe.contains(id).unwrap_or(false);
                        let outcomes = analyze_unit(&analyzer, &job.codec, job.unit, job.max_bytes, skip);
                        let _ = job.reply.send((job.index, outcomes));
                    }
                })
                .map_err(|e| Error::Usage(format!("cannot start an analysis thread: {e}")))?;
            handles.push(handle);
        }
        Ok(Analysts { jobs: Some(tx), threads: handles })
    }
}

impl Drop for Analysts {
    fn drop(&mut self) {
        self.jobs = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Units handed to the analysts, being analyzed; [`Submitted::store`] waits for them and
/// stores them.
pub struct Submitted {
    results: crossbeam_channel::Receiver<(usize, Vec<Outcome>)>,
    units: usize,
}

impl Analysts {
    /// Hands units taken from elsewhere (a message stream) to the analysis threads, with the
    /// store's current codec, and returns at once: the caller may store an earlier batch
    /// meanwhile.
    pub fn submit(&self, units: Vec<Unit>, codec: &Codec, opts: &Options) -> Result<Submitted, Error> {
        let n = units.len();
        let (reply, results) = unbounded();
        let jobs = self.jobs.as_ref().ok_or_else(|| Error::Usage("the analysts have stopped".into()))?;
        for (index, unit) in units.into_iter().enumerate() {
            let job = Job { index, unit, codec: codec.clone(), max_bytes: opts.source.max_bytes, reply: reply.clone() };
            jobs.send(job).map_err(|_| Error::Usage("the analysts have stopped".into()))?;
        }
        Ok(Submitted { results, units: n })
    }
}

impl Submitted {
    /// Waits for the units' analyses and stores them, with their rejections, in the order
    /// given, in transactions of `opts.batch` documents; documents stored already are skipped.
    /// Once this returns, what it stored is durable (the caller may acknowledge the units);
    /// the embedded store's search index takes the documents at the next [`Backend::flush`]
    /// (they are listed as pending until then, so a crash loses none).
    pub fn store(self, store: &mut dyn Backend, opts: &Options) -> Result<Summary, Error> {
        let start = Instant::now();
        store.lock_for_writing()?;
        let mut summary = Summary { records: self.units as u64, ..Summary::default() };
        let mut outcomes: Vec<Option<Vec<Outcome>>> = (0..self.units).map(|_| None).collect();
        for (i, o) in self.results {
            outcomes[i] = Some(o);
        }
        // Every unit must come back (analysis failures come back as rejections): the caller
        // acknowledges them all once this returns.
        let outcomes: Vec<Vec<Outcome>> = outcomes
            .into_iter()
            .collect::<Option<_>>()
            .ok_or_else(|| Error::Usage("an analysis thread stopped before its units were analyzed".into()))?;
        let mut writer =
            Writer { store, docs: Vec::new(), rejected: Vec::new(), batch: opts.batch.max(1), since_flush: 0 };
        for o in outcomes.into_iter().flatten() {
            writer.push(o, &mut summary)?;
        }
        writer.write(&mut summary)?;
        summary.finish(start);
        Ok(summary)
    }
}

/// Ingests files and folders into the store.
pub fn ingest(store: &mut dyn Backend, paths: &[PathBuf], opts: &Options) -> Result<Summary, Error> {
    let start = Instant::now();
    store.lock_for_writing()?;
    let run = store.begin_run("ingest")?;
    store.catch_up()?;
    let (files, bad) = source::walk(paths);
    let mut summary = Summary { files: files.len() as u64, ..Summary::default() };
    let total_bytes: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    let read_bytes = Arc::new(AtomicU64::new(0));
    let pb = progress_bar(opts.progress, total_bytes, "ingest");
    let analyzer = OnceLock::new();
    let threads = opts.threads.max(1);
    let mut writer = Writer { store, docs: Vec::new(), rejected: Vec::new(), batch: opts.batch.max(1), since_flush: 0 };
    for r in bad {
        writer.push(Outcome::Rejected(r), &mut summary)?;
    }
    let (unit_tx, unit_rx) = bounded::<(u64, Item)>(threads * 8);
    let (out_tx, out_rx) = unbounded::<(u64, Vec<Outcome>)>();
    let probes: Vec<_> = (0..threads).map(|_| writer.store.prober()).collect::<Result<_, _>>()?;
    // The store's codec changes once, when it trains its dictionary; workers pick it up.
    let codec = RwLock::new(writer.store.codec());
    let result = std::thread::scope(|s| -> Result<(), Error> {
        let source_opts = &opts.source;
        let counter = read_bytes.clone();
        s.spawn(move || {
            let mut n = 0u64;
            for f in &files {
                let mut go_on = true;
                let mut send = |item| {
                    go_on = unit_tx.send((n, item)).is_ok();
                    n += 1;
                    go_on
                };
                // A panic while splitting a file (a bug, maybe in a parser crate) rejects the
                // rest of that file only; the run goes on with the next.
                let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    source::read_file(f, source_opts, counter.clone(), &mut send)
                }));
                if read.is_err() {
                    send(Item::Rejected(Rejected {
                        source: f.display().to_string(),
                        line: 0,
                        kind: "panic".into(),
                        message: "reading this file failed part way (a bug: please report it)".into(),
                    }));
                }
                if !go_on {
                    break;
                }
            }
        });
        for mut probe in probes {
            let (rx, tx, analyzer, codec) = (unit_rx.clone(), out_tx.clone(), &analyzer, &codec);
            let max = opts.source.max_bytes;
            s.spawn(move || {
                for (n, item) in rx {
                    let outcomes = match item {
                        Item::Rejected(r) => vec![Outcome::Rejected(r)],
                        Item::Unit(u) => {
                            let codec = codec.read().map(|c| c.clone()).unwrap_or_default();
                            analyze_unit(analyzer, &codec, u, max, &mut |id| probe.contains(id).unwrap_or(false))
                        }
                    };
                    if tx.send((n, outcomes)).is_err() {
                        break;
                    }
                }
            });
        }
        drop((unit_rx, out_tx));
        // Write in input order: hold results that arrive before their predecessors.
        let mut next = 0u64;
        let mut waiting: BTreeMap<u64, Vec<Outcome>> = BTreeMap::new();
        for (n, outcomes) in out_rx.iter() {
            waiting.insert(n, outcomes);
            while let Some(outcomes) = waiting.remove(&next) {
                summary.records += 1;
                for o in outcomes {
                    writer.push(o, &mut summary)?;
                }
                next += 1;
                let current = writer.store.codec();
                if current.dictionary_id() != codec.read().map_or(0, |c| c.dictionary_id())
                    && let Ok(mut c) = codec.write()
                {
                    *c = current;
                }
            }
            pb.set_position(read_bytes.load(Ordering::Relaxed));
            pb.set_message(format!(
                "{} new, {} stored before, {} rejected",
                summary.documents + writer.docs.len() as u64,
                summary.existing,
                summary.rejected
            ));
        }
        // Only a lost unit number (none should be) leaves results waiting; store them anyway.
        for (_, outcomes) in std::mem::take(&mut waiting) {
            summary.records += 1;
            for o in outcomes {
                writer.push(o, &mut summary)?;
            }
        }
        writer.finish(&mut summary)
    });
    pb.finish_and_clear();
    result?;
    summary.stories = Some(store.update_stories(opts.clock())?);
    store.checkpoint()?;
    summary.finish(start);
    end_run(store, run, &summary)?;
    Ok(summary)
}

/// Re-runs the current analyzers over every stored document that an older analyzer version
/// analyzed, from the stored raw records (sources are not read again).
/// With `all`, every stored document is re-analyzed.
pub fn reanalyze(store: &mut dyn Backend, opts: &Options, all: bool) -> Result<Summary, Error> {
    // No stored analyzer version is empty, so "not empty" selects every document.
    let current = if all { "" } else { ANALYZER_VERSION };
    let start = Instant::now();
    store.lock_for_writing()?;
    let run = store.begin_run("reanalyze")?;
    store.catch_up()?;
    let total = store.count_stale(current)?;
    let pb = progress_bar(opts.progress, total, "reanalyze");
    let analyzer = OnceLock::new();
    let mut summary = Summary::default();
    let threads = opts.threads.max(1);
    let mut after = 0;
    loop {
        let stale = store.stale(current, after, opts.batch.max(1) * threads)?;
        let Some(last) = stale.last() else { break };
        after = last.seq;
        summary.records += stale.len() as u64;
        let chunk = stale.len().div_ceil(threads);
        let codec = store.codec();
        let results: Vec<Vec<(u64, Vec<Outcome>)>> = std::thread::scope(|s| {
            let handles: Vec<_> = stale
                .chunks(chunk)
                .map(|part| {
                    let (analyzer, codec) = (&analyzer, &codec);
                    s.spawn(move || {
                        part.iter()
                            .map(|d| {
                                let given: Given = serde_json::from_str(&d.origin.given).unwrap_or_default();
                                let unit = Unit {
                                    source: d.origin.source.clone(),
                                    line: d.origin.line,
                                    bytes: d.origin.raw.clone(),
                                    given,
                                };
                                // The stored document is the one to re-analyze, whatever else
                                // the record might hold.
                                let outcomes = analyze_unit(analyzer, codec, unit, usize::MAX, &mut |id| id != d.id);
                                (d.seq, outcomes)
                            })
                            .collect()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
        });
        let mut batch = Vec::new();
        for (seq, outcomes) in results.into_iter().flatten() {
            for o in outcomes {
                match o {
                    Outcome::Doc(p) => {
                        summary.events += marsad_core::export::coded(&p.doc).count() as u64;
                        batch.push((seq, *p));
                    }
                    Outcome::Existing => {}
                    Outcome::Rejected(r) => summary.note_rejected(&r),
                }
            }
        }
        summary.documents += batch.len() as u64;
        store.replace(&batch)?;
        pb.set_position(summary.records);
    }
    store.flush()?;
    pb.finish_and_clear();
    // Profiles changed with the analyses: the stories and canonical events are made again.
    if summary.documents > 0 {
        summary.stories = Some(store.rebuild_stories(opts.clock(), None)?);
    }
    summary.finish(start);
    end_run(store, run, &summary)?;
    Ok(summary)
}

/// Ends a run log entry with its summary.
fn end_run(store: &mut dyn Backend, run: i64, summary: &Summary) -> Result<(), Error> {
    Ok(store.end_run(run, &serde_json::to_value(summary).map_err(marsad_store::Error::from)?)?)
}
