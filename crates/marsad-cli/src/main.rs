//! The `marsad` command: analyze articles, and measure the analyzers.
//! Exit status: 0 success, 1 a runtime error (bad input, I/O), 2 a usage error.

// The binary is where printing belongs; libraries are held to `print_stdout` by the workspace.
#![allow(clippy::print_stdout)]

/// `println!` that hands a closed standard output (`marsad eval … -v | head`) back to the caller
/// as an error instead of panicking; `main` takes a broken pipe for success.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

mod analyze;
mod bench;
mod eval;
mod gold;
mod score;
mod serve;
mod soak;
mod store;
mod stories;
mod stream;
mod train;

use clap::{Parser, Subcommand, ValueEnum};

/// mimalloc: analysis allocates many small strings per word, and glibc malloc took a fifth of
/// the text layer's time in profiles. The `system-allocator` feature leaves it out, so that
/// heap profilers that hook malloc (heaptrack, valgrind) see every allocation.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
#[cfg(feature = "jeprof")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "marsad", version, about = "مرصد — reads Arabic news and turns it into structured event data")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Json,
    Text,
    /// The coded events as ACLED's CSV columns (one row per event, a header first).
    Acled,
    /// The coded events as PLOVER-style JSON records, one per line.
    Plover,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    Text,
    Html,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Analyze one article (or every record of a JSON/JSONL file) and print the
    /// `marsad.document/1` JSON or a readable summary.
    Analyze(analyze::AnalyzeArgs),
    /// Read files and folders (text, HTML, JSON, JSONL, .gz/.zst, WARC), analyze them on all
    /// cores and keep them in the store (the data directory, or PostgreSQL with --db);
    /// idempotent and resumable.
    Ingest(store::IngestArgs),
    /// Take articles from a NATS JetStream stream (`marsad ingest --to nats://…` publishes
    /// them), analyze and store them, and acknowledge them once stored.
    Worker(stream::WorkerArgs),
    /// Full-text search of the stored articles with marsad's Arabic analyzer, with facets.
    Search(store::SearchArgs),
    /// Export the stored events: ACLED-column CSV, PLOVER-style JSONL, GeoJSON or Parquet.
    Export(store::ExportArgs),
    /// Re-run the current analyzers over stored raw input analyzed by an older version.
    Reanalyze(store::ReanalyzeArgs),
    /// What a store holds.
    Status(store::StatusArgs),
    /// Check that a store is whole (database integrity, every document readable, the search
    /// index complete) and print the digests of what it holds; exit status 1 if not whole.
    Check(store::CheckArgs),
    /// Stories (one per unfolding situation) and their canonical events, sources and framing.
    Stories(stories::StoriesArgs),
    /// Serve the HTTP API over a store (`--bind HOST:PORT`, default 127.0.0.1:8470); over
    /// PostgreSQL, as many servers as wanted.
    Serve(serve::ServeArgs),
    /// Ingest the bundled sample articles into a temporary store and serve it.
    Demo(serve::DemoArgs),
    /// Measure throughput and memory.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Score the analyzers against gold data.
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Train the models marsad ships from their data.
    #[command(subcommand)]
    Train(train::TrainCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => analyze::run(&args),
        Command::Ingest(a) => store::ingest(&a),
        Command::Worker(a) => stream::worker(&a),
        Command::Search(a) => store::search(&a),
        Command::Export(a) => store::export(&a),
        Command::Reanalyze(a) => store::reanalyze(&a),
        Command::Status(a) => store::status(&a),
        Command::Check(a) => store::check(&a),
        Command::Stories(a) => stories::run(&a),
        Command::Serve(a) => serve::serve(&a),
        Command::Demo(a) => serve::demo(&a),
        Command::Bench(cmd) => bench::run(&cmd),
        Command::Eval(cmd) => eval::run(&cmd),
        Command::Train(cmd) => train::run(&cmd),
    };
    match result {
        Ok(code) => code,
        // A reader that stopped reading (`marsad search … | head`) is not an error.
        Err(e) if e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("marsad: error: {e:#}");
            ExitCode::from(1)
        }
    }
}
