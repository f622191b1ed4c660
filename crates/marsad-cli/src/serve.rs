//! `marsad serve` (the HTTP API over a store) and `marsad demo` (the bundled sample articles,
//! ingested into a temporary store and served).

use crate::store::DataArgs;
use anyhow::{Context, Result};
use clap::Args;
use marsad_store::{Backend, Store};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// The demo corpus: articles the team wrote (data/demo/README.md).
const DEMO_ARTICLES: &str = include_str!("../../../data/demo/articles.jsonl");

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Where to listen and the limits of a request and of a client.
#[derive(Args)]
pub struct ServerArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8470")]
    pub bind: SocketAddr,
    /// Requests per second one client (IP address) may make, bursts of twice that; 0 for no limit.
    #[arg(long, default_value_t = 100)]
    pub rate_limit: u32,
    /// Seconds a query may run before its request fails with 503.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Seconds a posted batch may take (analysis, storing, the story update, waiting for the
    /// writer) before its request fails with 408; the write itself still completes.
    #[arg(long, default_value_t = 600)]
    pub write_timeout: u64,
    /// Store handles serving reads at once (default: twice the cores, 2 to 8).
    #[arg(long)]
    pub readers: Option<usize>,
    /// MiB of answers kept to answer the same read again until the next write; 0 for none.
    #[arg(long, default_value_t = 64)]
    pub cache_mb: u64,
    /// The write token's file (its first line), instead of the MARSAD_TOKEN variable. Without
    /// a token the API is read-only.
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// Refuse every write (403), even with a token.
    #[arg(long)]
    pub read_only: bool,
}

impl ServerArgs {
    fn limits(&self) -> marsad_server::Limits {
        let default = marsad_server::Limits::default();
        marsad_server::Limits {
            timeout: std::time::Duration::from_secs(self.timeout.max(1)),
            write_timeout: std::time::Duration::from_secs(self.write_timeout.max(1)),
            rate: std::num::NonZeroU32::new(self.rate_limit),
            readers: self.readers.unwrap_or(default.readers).max(1),
            cache_bytes: self.cache_mb << 20,
        }
    }
}

fn run_server(store: Box<dyn Backend>, server: &ServerArgs) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the server's runtime")?;
    // The app starts a task watching a shared store for other processes' writes.
    let _inside = runtime.enter();
    let location = store.location();
    // The write token, never printed nor logged; without one the API is read-only.
    let token = match &server.token_file {
        _ if server.read_only => None,
        Some(f) => Some(
            std::fs::read_to_string(f)
                .with_context(|| format!("{}: cannot read the token file", f.display()))?
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned(),
        ),
        None => std::env::var("MARSAD_TOKEN").ok(),
    };
    let writes = if token.as_deref().is_some_and(|t| !t.is_empty()) { "accepting writes" } else { "read-only" };
    let app = marsad_server::App::over(store, server.limits())?.with_token(token);
    let bind = server.bind;
    runtime
        .block_on(marsad_server::serve(app, bind, |addr| {
            let mut o = std::io::stdout().lock();
            let _ =
                writeln!(o, "marsad: serving {location} at http://{addr}/ (the dashboard; the API: /api/openapi.json)");
            let _ = writeln!(o, "marsad: {writes}; press Ctrl-C to stop");
            let _ = o.flush();
        }))
        .with_context(|| format!("serving on {bind}"))?;
    Ok(ExitCode::SUCCESS)
}

pub fn serve(a: &ServeArgs) -> Result<ExitCode> {
    let mut store = a.data.open(true)?;
    // Stories and canonical events as of the last ingest: bring them up to date first.
    if store.stats()?.unclustered > 0 {
        store.update_stories(crate::stories::clock(None)?)?;
    }
    run_server(store, &a.server)
}

pub fn demo(a: &DemoArgs) -> Result<ExitCode> {
    let dir = tempfile::Builder::new().prefix("marsad-demo-").tempdir().context("creating a temporary store")?;
    let input = dir.path().join("demo-articles.jsonl");
    std::fs::write(&input, DEMO_ARTICLES).with_context(|| format!("{}: cannot write", input.display()))?;
    let mut store = Store::open(&dir.path().join("store"))?;
    // The demo articles are dated; the clock only stands for articles without a date.
    let opts = marsad_ingest::Options { progress: false, ..marsad_ingest::Options::default() };
    let s = marsad_ingest::ingest(&mut store, &[input], &opts)?;
    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "marsad demo: {} sample articles (written by the team, fictional) from {} stories analyzed in {:.1} s",
        s.documents,
        s.stories.as_ref().map_or(0, |u| u.stories),
        s.seconds
    )?;
    drop(o);
    run_server(Box::new(store), &a.server)
}
