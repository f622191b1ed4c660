//! marsad over NATS JetStream: `marsad ingest --to nats://…` publishes the raw records of its
//! inputs to a stream; `marsad worker --from nats://…` pulls them, analyzes them, stores them
//! and only then acknowledges them.
//!
//! Nothing is lost and nothing is stored twice: a message is acknowledged after the
//! transaction that stored its document (or its rejection) committed, so a worker killed at any
//! moment leaves its unacknowledged messages to be delivered again; the store skips a document
//! whose id it holds. Publishing gives each message an id (the hash of what it carries), so
//! JetStream drops a message published twice within its duplicate window.
//!
//! A message carries one unit of input (see [`marsad_ingest::source::Unit`]): one JSON line of
//! where it was read (`source`, `line`) and what was given beside it, a newline, then the raw
//! record's bytes, verbatim (any encoding).

use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::{self, consumer, stream};
use futures_util::StreamExt;
use marsad_ingest::source::{Given, Item, SourceOptions, Unit};
use marsad_ingest::{Options, Summary};
use marsad_store::{Backend, Rejected};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{url}: {message}")]
    Nats { url: String, message: String },
    #[error(transparent)]
    Ingest(#[from] marsad_ingest::Error),
    #[error(transparent)]
    Store(#[from] marsad_store::Error),
    #[error("{0}")]
    Runtime(#[from] std::io::Error),
}

/// Where the articles flow: the servers, the stream and its subject.
#[derive(Clone, Debug)]
pub struct Stream {
    /// `nats://host:port`, several separated by commas (servers of one cluster).
    pub url: String,
    /// The JetStream stream's name (created when absent).
    pub name: String,
    /// Copies of each message the cluster keeps (a new stream only): 3 survives a node's loss.
    pub replicas: usize,
}

impl Stream {
    fn subject(&self) -> String {
        format!("marsad.{}.articles", self.name.to_ascii_lowercase())
    }

    fn error(&self, what: &str, e: impl std::fmt::Display) -> Error {
        Error::Nats { url: self.url.clone(), message: format!("{what}: {e}") }
    }

    /// The servers' addresses; an error names the one that is not an address.
    pub fn addresses(&self) -> Result<Vec<async_nats::ServerAddr>, Error> {
        self.url
            .split(',')
            .map(|u| u.trim().parse::<async_nats::ServerAddr>().map_err(|e| self.error("not a NATS address", e)))
            .collect()
    }

    async fn connect(&self) -> Result<jetstream::Context, Error> {
        let addrs = self.addresses()?;
        // The first connection tries each server once (none answering is an error); later the
        // client keeps reconnecting, to whichever node answers, while nodes restart.
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(5))
            .max_reconnects(None)
            .connect(addrs)
            .await
            .map_err(|e| self.error("cannot connect", e))?;
        Ok(jetstream::new(client))
    }

    /// The stream, created when absent.
    async fn open(&self, js: &jetstream::Context) -> Result<jetstream::stream::Stream, Error> {
        let config = stream::Config {
            name: self.name.clone(),
            subjects: vec![self.subject()],
            storage: stream::StorageType::File,
            num_replicas: self.replicas.max(1),
            duplicate_window: Duration::from_secs(3600),
            ..stream::Config::default()
        };
        // A cluster just started may still be electing the leader of its JetStream: try
        // again for a while.
        let start = Instant::now();
        loop {
            match js.get_or_create_stream(config.clone()).await {
                Ok(s) => return Ok(s),
                Err(_) if start.elapsed() < Duration::from_secs(20) => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => return Err(self.error(&format!("stream {}", self.name), e)),
            }
        }
    }
}

/// The first line of a message: where its raw record was read and what was given with it.
#[derive(Serialize, Deserialize)]
struct Envelope {
    source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    #[serde(default)]
    given: Given,
}

fn encode(unit: &Unit) -> Vec<u8> {
    let head = Envelope { source: unit.source.clone(), line: unit.line, given: unit.given.clone() };
    let mut out = serde_json::to_vec(&head).unwrap_or_default();
    out.push(b'\n');
    out.extend_from_slice(&unit.bytes);
    out
}

fn decode(payload: &[u8]) -> Result<Unit, String> {
    let at = payload.iter().position(|&b| b == b'\n').ok_or("no envelope line")?;
    let head: Envelope = serde_json::from_slice(&payload[..at]).map_err(|e| format!("envelope: {e}"))?;
    Ok(Unit { source: head.source, line: head.line, bytes: payload[at + 1..].to_vec(), given: head.given })
}

/// What publishing did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Published {
    pub files: u64,
    /// Messages the stream took.
    pub published: u64,
    /// Messages it had already (the same record published before, within its window).
    pub duplicates: u64,
    /// Records that could not be read (reported here: no store is at hand).
    pub rejections: Vec<Rejected>,
    pub seconds: f64,
}

/// Acknowledgements awaited at once while publishing.
const IN_FLIGHT: usize = 256;

/// Reads inputs as `marsad ingest` does and publishes each record to the stream.
pub fn publish(to: &Stream, paths: &[PathBuf], opts: &SourceOptions) -> Result<Published, Error> {
    let start = Instant::now();
    let (files, bad) = marsad_ingest::source::walk(paths);
    let mut out = Published { files: files.len() as u64, rejections: bad, ..Published::default() };
    let (tx, rx) = std::sync::mpsc::sync_channel::<Item>(IN_FLIGHT);
    let runtime = runtime()?;
    std::thread::scope(|s| {
        s.spawn(move || {
            for f in &files {
                let mut go_on = true;
                marsad_ingest::source::read_file(f, opts, std::sync::Arc::new(AtomicU64::new(0)), &mut |item| {
                    go_on = tx.send(item).is_ok();
                    go_on
                });
                if !go_on {
                    break;
                }
            }
        });
        runtime.block_on(async {
            let js = to.connect().await?;
            to.open(&js).await?;
            let subject = to.subject();
            let mut acks = std::collections::VecDeque::new();
            for item in rx {
                let unit = match item {
                    Item::Unit(u) => u,
                    Item::Rejected(r) => {
                        out.rejections.push(r);
                        continue;
                    }
                };
                let payload: bytes::Bytes = encode(&unit).into();
                let id = blake3::hash(&payload).to_hex().to_string();
                match send(&js, &subject, &payload, &id).await {
                    Ok(ack) => acks.push_back((ack, payload, id)),
                    Err(e) if e.kind() == PublishErrorKind::MaxPayloadExceeded => {
                        out.rejections.push(Rejected {
                            source: unit.source,
                            line: unit.line.unwrap_or(0),
                            kind: "too-large".into(),
                            message: format!("larger than the stream's largest message: {e}"),
                        });
                        continue;
                    }
                    Err(e) => return Err(to.error("publishing", e)),
                }
                if acks.len() >= IN_FLIGHT
                    && let Some(pending) = acks.pop_front()
                {
                    count(&mut out, confirm(&js, &subject, pending).await.map_err(|e| to.error("publishing", e))?);
                }
            }
            while let Some(pending) = acks.pop_front() {
                count(&mut out, confirm(&js, &subject, pending).await.map_err(|e| to.error("publishing", e))?);
            }
            Ok(())
        })
    })?;
    out.seconds = start.elapsed().as_secs_f64();
    Ok(out)
}

/// How long publishing keeps trying while the stream cannot take a message (its leader being
/// elected just after it was created, a node restarting).
const PUBLISH_PATIENCE: Duration = Duration::from_secs(30);

/// Sends one message, trying again while the stream has no leader to take it.
async fn send(
    js: &jetstream::Context,
    subject: &str,
    payload: &bytes::Bytes,
    id: &str,
) -> Result<jetstream::context::PublishAckFuture, jetstream::context::PublishError> {
    let start = Instant::now();
    loop {
        let message = jetstream::message::PublishMessage::build().payload(payload.clone()).message_id(id);
        match js.send_publish(subject.to_owned(), message).await {
            Err(e) if e.kind() != PublishErrorKind::MaxPayloadExceeded && start.elapsed() < PUBLISH_PATIENCE => {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            other => return other,
        }
    }
}

/// Waits for a message's acknowledgement; a message the stream did not confirm (no leader
/// yet, a timeout) is sent again: its id makes a second copy a duplicate, not a new message.
async fn confirm(
    js: &jetstream::Context,
    subject: &str,
    (ack, payload, id): (jetstream::context::PublishAckFuture, bytes::Bytes, String),
) -> Result<jetstream::publish::PublishAck, jetstream::context::PublishError> {
    let start = Instant::now();
    let mut ack = ack;
    loop {
        match ack.await {
            Ok(a) => return Ok(a),
            Err(_) if start.elapsed() < PUBLISH_PATIENCE => {
                tokio::time::sleep(Duration::from_millis(250)).await;
                ack = send(js, subject, &payload, &id).await?;
            }
            Err(e) => return Err(e),
        }
    }
}

fn count(out: &mut Published, ack: jetstream::publish::PublishAck) {
    if ack.duplicate {
        out.duplicates += 1;
    } else {
        out.published += 1;
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?)
}

/// How a worker runs.
#[derive(Clone, Debug)]
pub struct WorkOptions {
    /// Analysis threads, transaction size, record size limit, story clock.
    pub ingest: Options,
    /// Messages taken at once (acknowledged together, after they are stored).
    pub batch: usize,
    /// How long the stream waits for an acknowledgement before it delivers a message again (a
    /// new consumer only; a batch must be analyzed and stored within it).
    pub ack_wait: Duration,
    /// Stop once the stream holds nothing this worker's consumer has not acknowledged.
    pub until_idle: bool,
    /// The durable consumer's name: workers that share it share the work.
    pub consumer: String,
}

impl Default for WorkOptions {
    fn default() -> Self {
        WorkOptions {
            ingest: Options { progress: false, ..Options::default() },
            batch: 64,
            ack_wait: Duration::from_secs(120),
            until_idle: false,
            consumer: "marsad-workers".into(),
        }
    }
}

/// What a worker did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Worked {
    /// Messages taken and acknowledged.
    pub messages: u64,
    /// Of these, messages delivered before (to a worker that did not acknowledge them).
    pub redelivered: u64,
    /// What storing them did.
    pub stored: Summary,
    /// Seconds this worker spent updating the stories (when the stream ran dry).
    pub stories_seconds: f64,
    pub seconds: f64,
}

/// Pulls articles from the stream and stores them until stopped (or, with `until_idle`, until
/// the stream holds nothing unacknowledged), analyzing each batch while the one before is
/// stored. The store's stories are brought up to date whenever the stream runs dry: on a data
/// directory by this worker alone (it holds the store's writer lock), on PostgreSQL by one
/// worker at a time (under an advisory lock), so story clustering sees documents in one order.
pub fn work(store: &mut dyn Backend, from: &Stream, opts: &WorkOptions) -> Result<Worked, Error> {
    let start = Instant::now();
    store.lock_for_writing()?;
    store.catch_up()?;
    let analysts = marsad_ingest::Analysts::new(store, opts.ingest.threads)?;
    let mut out = Worked::default();
    let runtime = runtime()?;
    runtime.block_on(async {
        let js = from.connect().await?;
        let stream = from.open(&js).await?;
        let consumer: consumer::PullConsumer = stream
            .get_or_create_consumer(
                &opts.consumer,
                consumer::pull::Config {
                    durable_name: Some(opts.consumer.clone()),
                    ack_policy: consumer::AckPolicy::Explicit,
                    ack_wait: opts.ack_wait,
                    max_ack_pending: (opts.batch * 4) as i64,
                    ..consumer::pull::Config::default()
                },
            )
            .await
            .map_err(|e| from.error(&format!("consumer {}", opts.consumer), e))?;
        let mut dirty = false;
        let mut in_flight = None;
        let mut failing_since: Option<Instant> = None;
        let mut reported = (Instant::now(), 0u64);
        loop {
            // A line on standard error now and then, for whoever watches a long-running worker.
            if reported.0.elapsed() > REPORT_EVERY && out.messages > reported.1 {
                let s = &out.stored;
                eprintln!(
                    "marsad: worker: {} messages so far: {} documents added, {} stored before, {} rejected",
                    out.messages, s.documents, s.existing, s.rejected
                );
                reported = (Instant::now(), out.messages);
            }
            // The stream's side can fail for a while (a node restarting, a leader being
            // elected): such a step is tried again, up to a limit; the store's side cannot.
            let step = step(store, from, &consumer, &analysts, opts, &mut dirty, &mut in_flight, &mut out).await;
            match step {
                Ok(Step::Idle) => break,
                Ok(Step::Went) => failing_since = None,
                Err(e @ Error::Nats { .. }) => {
                    let since = *failing_since.get_or_insert_with(Instant::now);
                    if since.elapsed() > STREAM_PATIENCE {
                        return Err(e);
                    }
                    eprintln!("marsad: worker: {e} (trying again)");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => return Err(e),
            }
        }
        Ok::<(), Error>(())
    })?;
    store.flush()?;
    out.seconds = start.elapsed().as_secs_f64();
    Ok(out)
}

/// Runs a store's call, which blocks (PostgreSQL's client runs a runtime of its own), on the
/// runtime's thread without stalling the runtime.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// How often a worker reports its progress.
const REPORT_EVERY: Duration = Duration::from_secs(30);

/// How long a worker keeps trying while the stream fails.
const STREAM_PATIENCE: Duration = Duration::from_secs(120);

enum Step {
    Went,
    /// Nothing is left (with `until_idle`).
    Idle,
}

/// A batch handed to the analysts, to be stored and acknowledged at the next step.
struct InFlight {
    submitted: marsad_ingest::Submitted,
    messages: Vec<jetstream::Message>,
    unreadable: Vec<Rejected>,
}

/// Takes one batch and hands it to the analysts, then stores and acknowledges the batch they
/// took at the step before (so that analysis and the store's transaction overlap); when no
/// batch comes and none is in flight, brings the stories up to date.
#[allow(clippy::too_many_arguments)]
async fn step(
    store: &mut dyn Backend,
    from: &Stream,
    consumer: &consumer::PullConsumer,
    analysts: &marsad_ingest::Analysts,
    opts: &WorkOptions,
    dirty: &mut bool,
    in_flight: &mut Option<InFlight>,
    out: &mut Worked,
) -> Result<Step, Error> {
    let mut batch = consumer
        .fetch()
        .max_messages(opts.batch.max(1))
        // A worker that stops when idle asks briefly; one that waits for more, longer (and
        // briefly while a batch waits to be stored).
        .expires(if opts.until_idle || in_flight.is_some() {
            Duration::from_millis(250)
        } else {
            Duration::from_secs(5)
        })
        .messages()
        .await
        .map_err(|e| from.error("fetching", e))?;
    let mut messages = Vec::new();
    while let Some(m) = batch.next().await {
        messages.push(m.map_err(|e| from.error("fetching", e))?);
    }
    let next = match messages.is_empty() {
        true => None,
        false => Some(submit(store, from, analysts, opts, messages, out)?),
    };
    // The batch before is stored while the analysts take this one; should that fail, this one
    // stays in flight for the next step.
    if let Some(done) = std::mem::replace(in_flight, next) {
        finish(store, from, done, opts, dirty, out).await?;
        return Ok(Step::Went);
    }
    if in_flight.is_some() {
        return Ok(Step::Went);
    }
    if *dirty {
        let update = blocking(|| store.flush().and_then(|()| store.update_stories(opts.ingest.clock())))?;
        out.stories_seconds += update.seconds;
        *dirty = false;
    }
    if opts.until_idle {
        let mut consumer = consumer.clone();
        let info = consumer.info().await.map_err(|e| from.error("consumer info", e))?;
        if info.num_pending == 0 && info.num_ack_pending == 0 {
            return Ok(Step::Idle);
        }
    }
    Ok(Step::Went)
}

/// Decodes a batch's messages and hands their articles to the analysts.
fn submit(
    store: &dyn Backend,
    from: &Stream,
    analysts: &marsad_ingest::Analysts,
    opts: &WorkOptions,
    messages: Vec<jetstream::Message>,
    out: &mut Worked,
) -> Result<InFlight, Error> {
    let mut units = Vec::with_capacity(messages.len());
    let mut unreadable = Vec::new();
    for m in &messages {
        let info = m.info().ok();
        if info.as_ref().is_some_and(|i| i.delivered > 1) {
            out.redelivered += 1;
        }
        match decode(&m.payload) {
            Ok(u) => units.push(u),
            Err(e) => unreadable.push(Rejected {
                source: format!("{} message {}", from.name, info.map_or(0, |i| i.stream_sequence)),
                line: 0,
                kind: "message".into(),
                message: format!("not a marsad message: {e}"),
            }),
        }
    }
    let submitted = analysts.submit(units, &store.codec(), &opts.ingest)?;
    Ok(InFlight { submitted, messages, unreadable })
}

/// Stores an analyzed batch, then acknowledges its messages.
async fn finish(
    store: &mut dyn Backend,
    from: &Stream,
    done: InFlight,
    opts: &WorkOptions,
    dirty: &mut bool,
    out: &mut Worked,
) -> Result<(), Error> {
    let InFlight { submitted, messages, unreadable } = done;
    if !unreadable.is_empty() {
        blocking(|| store.reject(&unreadable))?;
    }
    let s = blocking(|| submitted.store(store, &opts.ingest))?;
    out.stored.add(&s);
    *dirty |= s.documents > 0;
    // Stored (committed): only now may the stream forget them. An acknowledgement lost on
    // the way brings the message again, and the store skips it then.
    futures_util::future::try_join_all(messages.iter().map(|m| m.double_ack()))
        .await
        .map_err(|e| from.error("acknowledging", e))?;
    out.messages += messages.len() as u64;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_survives_its_message() {
        let unit = Unit {
            source: "أخبار/يوم 1.jsonl".into(),
            line: Some(7),
            bytes: vec![0xC7, 0xE1, b'\n', 0xFF, 0x00],
            given: Given { encoding: Some("windows-1256".into()), ..Given::default() },
        };
        let back = decode(&encode(&unit)).expect("decode");
        assert_eq!(
            (back.source, back.line, back.bytes, back.given.encoding),
            (unit.source, unit.line, unit.bytes, unit.given.encoding)
        );
        assert!(decode(b"no envelope").is_err());
        assert!(decode(b"{not json}\nbody").is_err());
    }
}
