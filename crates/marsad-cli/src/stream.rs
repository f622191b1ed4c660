//! `marsad ingest --to nats://…` and `marsad worker --from nats://…`: articles through a NATS
//! JetStream stream (see marsad-stream).

use crate::store::{DataArgs, PrintFormat};
use anyhow::Result;
use clap::Args;
use std::io::Write;
use std::process::ExitCode;

#[derive(Args, Clone)]
pub struct StreamArgs {
    /// The JetStream stream (created when absent).
    #[arg(long = "stream", default_value = "MARSAD")]
    pub name: String,
    /// Copies of each message a new stream keeps in its cluster (3: a node may be lost).
    #[arg(long, default_value_t = 1)]
    pub replicas: usize,
}

impl StreamArgs {
    pub fn at(&self, url: &str) -> marsad_stream::Stream {
        marsad_stream::Stream { url: url.to_owned(), name: self.name.clone(), replicas: self.replicas }
    }
}

#[derive(Args)]
pub struct WorkerArgs {
    /// NATS servers: nats://host:port, several separated by commas.
    #[arg(long, env = "MARSAD_NATS")]
    pub from: String,
    #[command(flatten)]
    pub stream: StreamArgs,
    #[command(flatten)]
    pub data: DataArgs,
    /// Analysis threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Messages taken, stored and acknowledged together.
    #[arg(long, default_value_t = 64)]
    pub batch: usize,
    /// Seconds the stream waits for a batch's acknowledgement before delivering it again (set
    /// when the consumer is created).
    #[arg(long, default_value_t = 120)]
    pub ack_wait: u64,
    /// Stop when the stream holds nothing unacknowledged (default: wait for more).
    #[arg(long)]
    pub until_idle: bool,
    /// The durable consumer: workers with the same one share the work.
    #[arg(long, default_value = "marsad-workers")]
    pub consumer: String,
    /// Records larger than this many bytes are rejected.
    #[arg(long, default_value_t = marsad_input::DEFAULT_MAX_BYTES)]
    pub max_bytes: usize,
    /// The day story clustering takes for articles without a publication date (YYYY-MM-DD;
    /// default today).
    #[arg(long)]
    pub clock: Option<String>,
    /// Summary format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: PrintFormat,
}

/// Publishes the records of `paths` to the stream at `url`.
pub fn publish(
    url: &str,
    stream: &StreamArgs,
    paths: &[std::path::PathBuf],
    opts: &marsad_ingest::SourceOptions,
    format: PrintFormat,
) -> Result<ExitCode> {
    let out = marsad_stream::publish(&stream.at(url), paths, opts)?;
    let mut o = std::io::stdout().lock();
    if format == PrintFormat::Json {
        writeln!(o, "{}", serde_json::to_string_pretty(&out)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in &out.rejections {
        eprintln!("marsad: rejected {}", crate::store::rejection(r));
    }
    writeln!(
        o,
        "published to {} ({}): {} files: {} records, {} already in the stream, {} rejected; {:.1} s",
        stream.name,
        url,
        out.files,
        out.published,
        out.duplicates,
        out.rejections.len(),
        out.seconds
    )?;
    Ok(ExitCode::SUCCESS)
}

pub fn worker(a: &WorkerArgs) -> Result<ExitCode> {
    let from = a.stream.at(&a.from);
    from.addresses()?;
    let mut store = a.data.open(false)?;
    let mut ingest = marsad_ingest::Options {
        progress: false,
        clock: Some(crate::stories::clock(a.clock.as_deref())?),
        ..marsad_ingest::Options::default()
    };
    if let Some(t) = a.threads {
        ingest.threads = t;
    }
    ingest.source.max_bytes = a.max_bytes;
    let opts = marsad_stream::WorkOptions {
        ingest,
        batch: a.batch,
        ack_wait: std::time::Duration::from_secs(a.ack_wait.max(1)),
        until_idle: a.until_idle,
        consumer: a.consumer.clone(),
    };
    let out = marsad_stream::work(&mut *store, &from, &opts)?;
    let mut o = std::io::stdout().lock();
    if a.format == PrintFormat::Json {
        writeln!(o, "{}", serde_json::to_string_pretty(&out)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = &out.stored;
    writeln!(
        o,
        "worker: {} messages ({} delivered again): {} documents added, {} stored before, {} rejected; {} events; {:.1} s \
         ({:.1} s writing to the store, {:.1} s updating stories)",
        out.messages,
        out.redelivered,
        s.documents,
        s.existing,
        s.rejected,
        s.events,
        out.seconds,
        s.store_seconds,
        out.stories_seconds
    )?;
    Ok(ExitCode::SUCCESS)
}
