//! Commands over a store (a data directory or a PostgreSQL database): ingest, search, export,
//! reanalyze, status, check.

use crate::{InputFormatArg, analyze::parse_meta};
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use marsad_ingest::{Given, Options, Summary};
use marsad_store::{Backend, ExportFormat, ExportUnit, Filter, SearchResults, Store};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Clone)]
pub struct DataArgs {
    /// The data directory.
    #[arg(long = "data", env = "MARSAD_DATA", default_value = "marsad-data")]
    pub dir: PathBuf,
    /// A PostgreSQL database (postgres://user@host:port/db) instead of the data directory: one
    /// store that many workers and machines share.
    #[arg(long, env = "MARSAD_DB", value_name = "URL")]
    pub db: Option<String>,
}

impl DataArgs {
    /// Opens the store: the database when one is given, else the data directory (created when
    /// absent unless `existing`).
    pub fn open(&self, existing: bool) -> Result<Box<dyn Backend>> {
        if let Some(url) = &self.db {
            return Ok(Box::new(marsad_store::pg::PgStore::connect(url)?));
        }
        let store = if existing { Store::open_existing(&self.dir) } else { Store::open(&self.dir) };
        Ok(Box::new(store.with_context(|| format!("opening the store in {}", self.dir.display()))?))
    }

    /// The data directory, for a command that runs on the embedded store alone so far.
    pub fn embedded(&self, command: &str) -> Result<&std::path::Path> {
        if self.db.is_some() {
            bail!(
                "marsad {command} runs on a data directory (--data) only; every other command also runs on \
                 PostgreSQL (--db)"
            );
        }
        Ok(&self.dir)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PrintFormat {
    Text,
    Json,
}

#[derive(Args)]
pub struct IngestArgs {
    /// Files and folders: text, HTML, JSON, JSONL (also .gz/.zst) and WARC files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Analysis threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Documents per transaction.
    #[arg(long, default_value_t = 256)]
    pub batch: usize,
    /// Format of every input (default: from the file name, else detected).
    #[arg(long = "input-format", value_enum)]
    pub input_format: Option<InputFormatArg>,
    /// Encoding of every input (default: detected).
    #[arg(long)]
    pub encoding: Option<String>,
    /// Metadata for every document, repeatable: id, published, outlet, url, title, author.
    #[arg(long = "meta", value_name = "KEY=VALUE", value_parser = parse_meta)]
    pub meta: Vec<(String, String)>,
    /// Records larger than this many bytes are rejected.
    #[arg(long, default_value_t = marsad_input::DEFAULT_MAX_BYTES)]
    pub max_bytes: usize,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Summary format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: PrintFormat,
    /// The day story clustering takes for articles without a publication date (YYYY-MM-DD;
    /// default today).
    #[arg(long)]
    pub clock: Option<String>,
    /// Publish the records to a NATS JetStream stream (nats://host:port, several separated by
    /// commas) for `marsad worker` to store, instead of storing them here.
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    #[command(flatten)]
    pub stream: crate::stream::StreamArgs,
}

#[derive(Args, Clone, Default)]
pub struct FilterArgs {
    /// From this date (YYYY-MM-DD; search: publication date, export: event date).
    #[arg(long)]
    pub from: Option<String>,
    /// Up to this date, inclusive.
    #[arg(long)]
    pub to: Option<String>,
    /// Country (ISO 3166 alpha-2, e.g. SY).
    #[arg(long)]
    pub country: Option<String>,
    /// ACLED event type or sub-event type (e.g. Battles, "Air/drone strike").
    #[arg(long = "type")]
    pub event_type: Option<String>,
    /// Actor id from the knowledge base.
    #[arg(long)]
    pub actor: Option<String>,
    /// Outlet name as stored.
    #[arg(long)]
    pub outlet: Option<String>,
}

impl FilterArgs {
    pub fn filter(&self) -> Result<Filter> {
        Filter {
            from: self.from.clone(),
            to: self.to.clone(),
            country: self.country.clone(),
            event_type: self.event_type.clone(),
            actor: self.actor.clone(),
            outlet: self.outlet.clone(),
        }
        .validated()
        .map_err(anyhow::Error::msg)
    }
}

#[derive(Args)]
pub struct SearchArgs {
    /// Words must all occur (any inflection or clitic form); "…" for a phrase, OR for either.
    pub query: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub data: DataArgs,
    /// Hits to show.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Hits to skip (paging).
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    #[arg(long, value_enum, default_value = "text")]
    pub format: PrintFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    Csv,
    Jsonl,
    Geojson,
    Parquet,
}

#[derive(Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ExportFormatArg,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub data: DataArgs,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// One row per article's report instead of one per real-world event.
    #[arg(long)]
    pub mentions: bool,
}

#[derive(Args)]
pub struct ReanalyzeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Re-analyze every document, not only those an older analyzer version analyzed.
    #[arg(long)]
    pub all: bool,
    #[arg(long)]
    pub threads: Option<usize>,
    #[arg(long, short)]
    pub quiet: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: PrintFormat,
}

#[derive(Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// List the rejected records (up to this many).
    #[arg(long)]
    pub rejected: Option<usize>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: PrintFormat,
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: PrintFormat,
}

/// A rejected record as the reports name it: where (file and line), what, and its kind.
pub(crate) fn rejection(r: &marsad_store::Rejected) -> String {
    let at = if r.line > 0 { format!(": line {}", r.line) } else { String::new() };
    format!("{}{at}: {} ({})", r.source, r.message, r.kind)
}

fn print_summary(what: &str, s: &Summary, format: PrintFormat) -> Result<()> {
    let mut o = std::io::stdout().lock();
    if format == PrintFormat::Json {
        writeln!(o, "{}", serde_json::to_string_pretty(s)?)?;
        return Ok(());
    }
    for r in &s.rejections {
        eprintln!("marsad: rejected {}", rejection(r));
    }
    if s.rejected > s.rejections.len() as u64 {
        eprintln!("marsad: … {} more rejected (marsad status --rejected N)", s.rejected - s.rejections.len() as u64);
    }
    writeln!(
        o,
        "{what}: {} files, {} records: {} documents {}, {} stored before, {} rejected; {} events; {:.1} s, {:.0} articles/s",
        s.files,
        s.records,
        s.documents,
        if what == "ingest" { "added" } else { "re-analyzed" },
        s.existing,
        s.rejected,
        s.events,
        s.seconds,
        s.articles_per_s
    )?;
    if let Some(u) = &s.stories {
        crate::stories::print_update("stories", u, &mut o)?;
    }
    Ok(())
}

pub fn ingest(a: &IngestArgs) -> Result<ExitCode> {
    let mut given = Given {
        format: a.input_format.map(|f| format!("{f:?}").to_ascii_lowercase()),
        encoding: a.encoding.clone(),
        ..Given::default()
    };
    if let Some(label) = &a.encoding {
        marsad_input::decode::encoding_for_label(label).map_err(|k| anyhow::anyhow!("--encoding: {k}"))?;
    }
    for (k, v) in &a.meta {
        given.meta.set(k, v).map_err(anyhow::Error::msg)?;
    }
    if let Some(url) = &a.to {
        let opts = marsad_ingest::SourceOptions { given, max_bytes: a.max_bytes };
        return crate::stream::publish(url, &a.stream, &a.paths, &opts, a.format);
    }
    let clock = crate::stories::clock(a.clock.as_deref())?;
    let mut opts = Options { batch: a.batch, progress: !a.quiet, clock: Some(clock), ..Options::default() };
    if let Some(t) = a.threads {
        opts.threads = t;
    }
    opts.source.given = given;
    opts.source.max_bytes = a.max_bytes;
    let mut store = a.data.open(false)?;
    let summary = marsad_ingest::ingest(&mut *store, &a.paths, &opts)?;
    print_summary("ingest", &summary, a.format)?;
    Ok(ExitCode::SUCCESS)
}

pub fn reanalyze(a: &ReanalyzeArgs) -> Result<ExitCode> {
    let mut opts = Options { progress: !a.quiet, ..Options::default() };
    if let Some(t) = a.threads {
        opts.threads = t;
    }
    let mut store = a.data.open(true)?;
    let summary = marsad_ingest::reanalyze(&mut *store, &opts, a.all)?;
    print_summary("reanalyze", &summary, a.format)?;
    Ok(ExitCode::SUCCESS)
}

pub fn search(a: &SearchArgs) -> Result<ExitCode> {
    let store = a.data.open(true)?;
    let results = store.search(&a.query, &a.filter.filter()?, a.limit, a.offset)?;
    let mut o = std::io::stdout().lock();
    if a.format == PrintFormat::Json {
        writeln!(o, "{}", serde_json::to_string_pretty(&results)?)?;
    } else {
        print_results(&mut o, &results, std::io::stdout().is_terminal())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_results(out: &mut dyn Write, r: &SearchResults, color: bool) -> Result<()> {
    let (on, off) = if color { ("\x1b[1;33m", "\x1b[0m") } else { ("«", "»") };
    writeln!(out, "{} documents match {:?}", r.total, r.query)?;
    for (i, h) in r.hits.iter().enumerate() {
        writeln!(
            out,
            "\n{:>2}. {}  [{} · {} · {:.2}]",
            i + 1,
            h.title.as_deref().unwrap_or("(no title)"),
            h.outlet.as_deref().unwrap_or("-"),
            h.published.as_deref().map_or("-", |p| p.get(..10).unwrap_or(p)),
            h.score
        )?;
        writeln!(out, "    {}", h.id)?;
        if let Some(s) = &h.snippet {
            let mut text = String::new();
            let mut at = 0;
            for &(a, b) in &s.highlights {
                text.push_str(&s.text[at..a]);
                text.push_str(on);
                text.push_str(&s.text[a..b]);
                text.push_str(off);
                at = b;
            }
            text.push_str(&s.text[at..]);
            writeln!(out, "    {}", text.replace('\n', " "))?;
        }
    }
    let facet = |out: &mut dyn Write, name: &str, fs: &[marsad_store::FacetCount]| -> std::io::Result<()> {
        if fs.is_empty() {
            return Ok(());
        }
        let items: Vec<String> = fs
            .iter()
            .take(12)
            .map(|f| match &f.label {
                Some(l) => format!("{l} ({}) {}", f.value, f.count),
                None => format!("{} {}", f.value, f.count),
            })
            .collect();
        writeln!(out, "{name:<10} {}", items.join(" · "))
    };
    writeln!(out)?;
    facet(out, "type", &r.facets.event_type)?;
    facet(out, "country", &r.facets.country)?;
    facet(out, "outlet", &r.facets.outlet)?;
    facet(out, "actor", &r.facets.actor)?;
    facet(out, "month", &r.facets.month)?;
    Ok(())
}

pub fn export(a: &ExportArgs) -> Result<ExitCode> {
    let format = match a.format {
        ExportFormatArg::Csv => ExportFormat::Csv,
        ExportFormatArg::Jsonl => ExportFormat::Jsonl,
        ExportFormatArg::Geojson => ExportFormat::Geojson,
        ExportFormatArg::Parquet => ExportFormat::Parquet,
    };
    let filter = a.filter.filter()?;
    let mut store = a.data.open(true)?;
    let unit = if a.mentions { ExportUnit::Mentions } else { ExportUnit::Canonical };
    // Canonical events are as of the last clustering: bring it up to date first.
    if unit == ExportUnit::Canonical && store.stats()?.unclustered > 0 {
        store.update_stories(crate::stories::clock(None)?)?;
    }
    let n = match &a.output {
        Some(path) => {
            // Written beside the target and renamed: a failed export leaves no partial file.
            let tmp = path.with_extension("partial");
            let file = std::fs::File::create(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
            let mut w = std::io::BufWriter::new(file);
            let n = store.read().export(&filter, format, unit, &mut w)?;
            w.flush()?;
            std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))?;
            n
        }
        None => {
            if format == ExportFormat::Parquet && std::io::stdout().is_terminal() {
                bail!("Parquet is binary: give --output FILE or redirect standard output");
            }
            let mut w = std::io::BufWriter::new(std::io::stdout());
            let n = store.read().export(&filter, format, unit, &mut w)?;
            w.flush()?;
            n
        }
    };
    let what = if a.mentions { "event reports" } else { "events" };
    eprintln!("marsad: exported {n} {what}");
    Ok(ExitCode::SUCCESS)
}

pub fn status(a: &StatusArgs) -> Result<ExitCode> {
    let store = a.data.open(true)?;
    let stats = store.stats()?;
    let rejected = store.rejected(a.rejected.unwrap_or(0))?;
    let mut o = std::io::stdout().lock();
    if a.format == PrintFormat::Json {
        writeln!(o, "{}", serde_json::to_string_pretty(&serde_json::json!({"stats": stats, "rejected": rejected}))?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(o, "store       {}", store.location())?;
    writeln!(o, "documents   {} (indexed {})", stats.documents, stats.indexed)?;
    writeln!(o, "events      {} reports, {} real-world events", stats.events, stats.canonical_events)?;
    writeln!(
        o,
        "stories     {} ({} near-duplicate documents; {} documents not clustered yet)",
        stats.stories, stats.near_duplicates, stats.unclustered
    )?;
    writeln!(o, "entities    {} per-document rows", stats.entities)?;
    writeln!(o, "places      {} per-document rows", stats.places)?;
    writeln!(o, "quotes      {}", stats.quotes)?;
    writeln!(o, "rejected    {}", stats.rejected)?;
    writeln!(
        o,
        "size        {:.1} MB on disk for {:.1} MB of raw records ({:.2}×)",
        stats.disk_bytes as f64 / 1e6,
        stats.raw_bytes as f64 / 1e6,
        stats.disk_bytes as f64 / stats.raw_bytes.max(1) as f64
    )?;
    for (v, n) in &stats.by_analyzer {
        let current = if v == marsad_pipeline::ANALYZER_VERSION { " (current)" } else { "" };
        writeln!(o, "analyzer    {v}{current}: {n}")?;
    }
    for r in rejected {
        writeln!(o, "rejected    {}", rejection(&r))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn check(a: &CheckArgs) -> Result<ExitCode> {
    let store = a.data.open(true)?;
    let c = store.check()?;
    let mut o = std::io::stdout().lock();
    if a.format == PrintFormat::Json {
        writeln!(o, "{}", serde_json::to_string_pretty(&c)?)?;
    } else {
        writeln!(o, "store       {}", store.location())?;
        writeln!(o, "documents   {} (indexed {}, {} waiting for the index)", c.documents, c.indexed, c.pending)?;
        writeln!(o, "digest      {}", c.digest)?;
        writeln!(o, "analyses    {}", c.analyses)?;
        for p in &c.problems {
            writeln!(o, "problem     {p}")?;
        }
        writeln!(o, "{}", if c.problems.is_empty() { "whole" } else { "NOT whole" })?;
    }
    Ok(if c.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
