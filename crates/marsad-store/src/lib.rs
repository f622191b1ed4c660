//! Where analyzed documents are kept, in one of two backends behind one interface
//! ([`Backend`], and [`Read`] for what the API and exports read):
//!
//! - the embedded store ([`Store`]): one data directory with SQLite (WAL) as the system of
//!   record (`marsad.db`: raw input verbatim, the analysis, and its entities, places, events
//!   and quotes as rows) and a tantivy full-text index (`search/`) that marsad's Arabic
//!   analyzer fills;
//! - PostgreSQL ([`pg::PgStore`]): the same data in a database that many workers and servers
//!   share, searched through a `tsvector` of the same analyzer's terms.
//!
//! Writes are batched in transactions; a document's id is unique, so storing one twice adds
//! nothing. Raw records and analyses are zstd-compressed.

mod backend;
mod browse;
mod check;
mod codec;
mod export;
mod facts;
mod index;
pub mod pg;
mod schema;
pub mod scratch;
mod snippet;
mod sql;
mod stories;

pub use backend::{Backend, Prober};
pub use browse::{ActorDetail, ActorName, ActorRow, NameQuery, PlaceRow, Point, Points};
pub use check::Check;
pub use codec::Codec;

pub use export::{ExportFormat, ExportUnit};
pub use facts::EventFacts;
pub use index::SearchIndex;
pub use stories::{
    CanonicalEvent, EventMention, FramingUse, GroupBy, Interval, OutletFraming, StoriesUpdate, StoryDetail,
    StoryDocument, StoryQuery, StoryQuote, StoryRow, TimelineRow,
};

use codec::{Content, Dictionaries};
use index::RawHit;
use marsad_cluster::{NearDuplicates, Profile};
use marsad_core::{Document, export::coded};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("store database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("query {0}")]
    Query(String),
    #[error("the store's schema is version {found}, newer than this marsad ({supported}): upgrade marsad")]
    NewerSchema { found: u32, supported: u32 },
    #[error("no store at {0} (create one with `marsad ingest`)")]
    Missing(String),
    #[error("export: {0}")]
    Export(String),
    #[error("a raw record of {0} bytes is too large to store (the limit is 4 GiB)")]
    TooLarge(usize),
    #[error("database: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("cannot connect to {0}: {1}")]
    Connect(String, String),
    #[error("{0}: another process is writing to this store (one writer at a time); nothing was written")]
    Busy(String),
}

/// Filters shared by search and export. Dates are `YYYY-MM-DD`, inclusive; search filters by
/// the article's publication date, export by the event's date.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub from: Option<String>,
    pub to: Option<String>,
    /// ISO 3166 alpha-2 country code.
    pub country: Option<String>,
    /// ACLED event type or sub-event type (`type` in query strings).
    #[serde(rename = "type", alias = "event_type")]
    pub event_type: Option<String>,
    /// Linked actor id (the knowledge base's).
    pub actor: Option<String>,
    pub outlet: Option<String>,
}

impl Filter {
    /// The filter, if its dates are days written `YYYY-MM-DD`; else what is wrong.
    pub fn validated(self) -> Result<Filter, String> {
        for d in [&self.from, &self.to].into_iter().flatten() {
            if !is_day(d) {
                return Err(format!("{d:?} is not a date: use YYYY-MM-DD"));
            }
        }
        Ok(self)
    }
}

/// Whether `d` is a calendar day written `YYYY-MM-DD`.
pub fn is_day(d: &str) -> bool {
    d.len() == 10 && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
    /// A readable name for ids (actors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    pub event_type: Vec<FacetCount>,
    pub country: Vec<FacetCount>,
    pub outlet: Vec<FacetCount>,
    pub actor: Vec<FacetCount>,
    pub month: Vec<FacetCount>,
}

/// A highlighted excerpt: `text` and the byte ranges in it that matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: String,
    pub score: f32,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub snippet: Option<Snippet>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchResults {
    pub query: String,
    pub total: usize,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
}

/// Where a document came from and how it was read: enough to read it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file or stream it was read from.
    pub source: String,
    /// Its line there (JSONL).
    pub line: Option<u64>,
    /// The raw record, verbatim.
    pub raw: Vec<u8>,
    /// What was given beside the input (forced format, encoding, metadata), as JSON; opaque
    /// to the store, read back by re-analysis.
    pub given: String,
}

/// A document ready to store: its analysis and origin, with the compressed columns computed
/// (on the analysis threads, not the writer).
#[derive(Clone)]
pub struct Prepared {
    pub doc: Document,
    pub origin: Origin,
    analyzer: String,
    content: Vec<u8>,
    /// The body's length and its compressed opening.
    opening: (u64, Vec<u8>),
    /// The clustering profile (postcard, compressed like content) and the body's MinHash
    /// signature.
    profile: Vec<u8>,
    signature: Option<Vec<u16>>,
}

impl Prepared {
    /// Prepares a document with the store's codec ([`Store::codec`]).
    pub fn new(doc: Document, origin: Origin, analyzer: &str, codec: &Codec) -> Result<Prepared, Error> {
        let content = Content::pack(codec, &origin.raw, &serde_json::to_vec(&doc)?)?;
        let tokenizer = marsad_text::Tokenizer::default();
        let (profile, signature) = Profile::with_signature(&doc, &tokenizer);
        let profile = codec.compress(&profile.to_bytes())?;
        let opening = pack_opening(codec, &doc.body)?;
        Ok(Prepared { doc, origin, analyzer: analyzer.to_owned(), content, opening, profile, signature })
    }
}

/// A stored document's origin and analyzer version, for re-analysis.
#[derive(Clone, Debug)]
pub struct StoredOrigin {
    pub seq: u64,
    pub id: String,
    pub analyzer: String,
    pub origin: Origin,
}

/// A record that could not be stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub source: String,
    /// 0 for a whole input.
    pub line: u64,
    pub kind: String,
    pub message: String,
}

/// Counts of what a store holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub documents: u64,
    pub events: u64,
    pub entities: u64,
    pub places: u64,
    pub quotes: u64,
    pub rejected: u64,
    /// Documents stored as copies of another (syndicated, re-published).
    pub near_duplicates: u64,
    pub stories: u64,
    /// Real-world events the coded events were merged into.
    pub canonical_events: u64,
    /// Documents stored since the last story update.
    pub unclustered: u64,
    pub indexed: u64,
    /// Bytes of the raw records as read.
    pub raw_bytes: u64,
    /// Bytes of the data directory on disk.
    pub disk_bytes: u64,
    pub by_analyzer: BTreeMap<String, u64>,
}

impl Stats {
    /// The counts every store makes with the same SQL (`count` runs a query of one number).
    pub(crate) fn counted(mut count: impl FnMut(&str) -> Result<u64, Error>) -> Result<Stats, Error> {
        Ok(Stats {
            documents: count("SELECT count(*) FROM documents")?,
            events: count("SELECT count(*) FROM events")?,
            entities: count("SELECT count(*) FROM entities")?,
            places: count("SELECT count(*) FROM places")?,
            quotes: count("SELECT count(*) FROM quotes")?,
            rejected: count("SELECT count(*) FROM rejected")?,
            near_duplicates: count("SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL")?,
            stories: count("SELECT count(*) FROM stories")?,
            canonical_events: count("SELECT count(*) FROM canonical_events")?,
            raw_bytes: count("SELECT coalesce(sum(bytes), 0) FROM documents")?,
            ..Stats::default()
        })
    }
}

/// Bytes of an article's body stored apart as its opening, where search snippets are looked
/// for first.
const OPENING: usize = 1200;

/// The opening of a body: at most its first [`OPENING`] bytes, cut after the last whole word
/// (all of it when shorter).
pub(crate) fn opening(body: &str) -> &str {
    if body.len() <= OPENING {
        return body;
    }
    let mut end = OPENING;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    match body[..end].rfind(char::is_whitespace) {
        Some(i) if i > 0 => &body[..i],
        _ => &body[..end],
    }
}

/// Compresses the opening of a body for the `openings` table: (body length, frame).
fn pack_opening(codec: &Codec, body: &str) -> Result<(u64, Vec<u8>), Error> {
    Ok((body.len() as u64, codec.compress(opening(body).as_bytes())?))
}

/// The dictionaries stored content may be compressed with, and the codec of the newest.
fn load_dictionaries(conn: &Connection) -> Result<(Dictionaries, Codec), Error> {
    let mut dicts = Dictionaries::default();
    let mut codec = Codec::default();
    let mut stmt = conn.prepare("SELECT dict FROM dictionaries ORDER BY created, id")?;
    for bytes in stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))? {
        if let Some((_, c)) = dicts.add(&bytes?) {
            codec = c;
        }
    }
    Ok((dicts, codec))
}

/// Stores a document's opening, replacing the one of an earlier analysis.
const OPENING_UPSERT: &str = "INSERT INTO openings (doc_seq, body_bytes, opening) VALUES (?1, ?2, ?3) \
     ON CONFLICT (doc_seq) DO UPDATE SET body_bytes = ?2, opening = ?3";

/// Fills the `openings` table of a store migrated to schema 4 from its documents' content.
fn fill_openings(tx: &rusqlite::Transaction<'_>) -> Result<(), Error> {
    let (dicts, codec) = load_dictionaries(tx)?;
    let mut insert = tx.prepare(OPENING_UPSERT)?;
    let mut stmt = tx.prepare("SELECT seq, content FROM documents")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let seq: u64 = r.get(0)?;
        let z = r.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
        let (bytes, opening) = pack_opening(&codec, &dicts.body(z)?)?;
        insert.execute(params![seq, bytes, opening])?;
    }
    Ok(())
}

/// The embedded store of one data directory.
pub struct Store {
    dir: PathBuf,
    conn: Connection,
    index: SearchIndex,
    /// Indexed since the last index commit, still listed in `pending_index`.
    unflushed: Vec<u64>,
    dicts: Dictionaries,
    codec: Codec,
    /// The signatures of the stored originals, loaded at the first [`Store::put`].
    near: Option<NearDuplicates>,
    /// The clusterers as the last story update left them, kept for the next update.
    clustering: Option<Box<stories::Clustering>>,
    /// How often their state is saved (`None`: at every update); when it was last.
    cluster_state_every: Option<std::time::Duration>,
    cluster_state_saved: std::time::Instant,
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Store {
    /// Opens (creating when absent) the store in `dir`, bringing its schema up to date.
    pub fn open(dir: &Path) -> Result<Store, Error> {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io(dir.display().to_string(), e))?;
        let mut conn = Connection::open(dir.join("marsad.db"))?;
        // 16 KiB pages (before the first table; no effect on an existing store): a document's
        // compressed content is a few KiB, and 4 KiB pages held one such row each, a third of
        // the file left empty.
        conn.pragma_update(None, "page_size", 16384)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // WAL with NORMAL: a committed transaction survives the process being killed; only a
        // power loss can drop the last ones, never corrupt the database.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Reads through memory-mapped pages (the OS page cache, shared by every handle on the
        // store) rather than a read call per page, and a larger private page cache.
        conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
        conn.pragma_update(None, "cache_size", -16_384)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        schema::migrate(&mut conn, |tx, version| match version {
            4 => fill_openings(tx),
            _ => Ok(()),
        })?;
        let index = SearchIndex::open(&dir.join("search"))?;
        let (dicts, codec) = load_dictionaries(&conn)?;
        Ok(Store {
            dir: dir.to_owned(),
            conn,
            index,
            unflushed: Vec::new(),
            dicts,
            codec,
            near: None,
            clustering: None,
            cluster_state_every: None,
            cluster_state_saved: std::time::Instant::now(),
        })
    }

    /// Opens an existing store for reading (search, export); refuses a directory without one.
    pub fn open_existing(dir: &Path) -> Result<Store, Error> {
        if !dir.join("marsad.db").is_file() {
            return Err(Error::Missing(dir.display().to_string()));
        }
        Store::open(dir)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Takes the store for writing before anything is written: the search index's writer lock,
    /// which one process holds at a time. Fails with [`Error::Busy`] while another process
    /// writes (an ingest, a re-analysis, a server that has accepted a write).
    pub fn lock_for_writing(&mut self) -> Result<(), Error> {
        self.index.lock_for_writing().map_err(|e| match e {
            Error::Index(tantivy::TantivyError::LockFailure(..)) => Error::Busy(self.dir.display().to_string()),
            other => other,
        })
    }

    /// A read-only connection to the same database, for other threads (e.g. to skip stored
    /// documents before analyzing them).
    pub fn reader(&self) -> Result<Probe, Error> {
        let conn = Connection::open_with_flags(
            self.dir.join("marsad.db"),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(Probe { conn })
    }

    /// The codec to prepare documents with. It changes once, when the store trains its
    /// dictionary (see [`Store::put`]).
    pub fn codec(&self) -> Codec {
        self.codec.clone()
    }

    /// Trains the store's compression dictionary from its first documents, once it holds
    /// enough of them and has none; later content is compressed with it.
    fn train_dictionary(&mut self) -> Result<(), Error> {
        if self.codec.dictionary_id() != 0 {
            return Ok(());
        }
        let n: u64 = self.conn.query_row("SELECT count(*) FROM documents", [], |r| r.get(0))?;
        if n < codec::TRAIN_AT {
            return Ok(());
        }
        let samples: Vec<Vec<u8>> = {
            let mut stmt = self.conn.prepare("SELECT content FROM documents ORDER BY seq LIMIT ?1")?;
            let rows = stmt.query_map([codec::TRAIN_AT], |r| r.get::<_, Vec<u8>>(0))?;
            let mut out = Vec::new();
            for z in rows {
                out.push(Content::unpack(&self.dicts, &z?)?.into_bytes());
            }
            out
        };
        // Training can fail on degenerate samples (all identical, tiny); the store then keeps
        // compressing without a dictionary.
        let Some(bytes) = codec::train(&samples) else { return Ok(()) };
        let Some((id, codec)) = self.dicts.add(&bytes) else { return Ok(()) };
        self.conn.execute(
            "INSERT OR IGNORE INTO dictionaries (id, dict, created) VALUES (?1, ?2, ?3)",
            params![id, bytes, now()],
        )?;
        self.codec = codec;
        Ok(())
    }

    /// Loads the near-duplicate index of the stored originals, once.
    fn load_near_duplicates(&mut self) -> Result<(), Error> {
        if self.near.is_none() {
            let mut near = NearDuplicates::default();
            let mut stmt = self.conn.prepare(
                "SELECT p.doc_seq, p.signature FROM profiles p JOIN documents d ON d.seq = p.doc_seq \
                 WHERE p.signature IS NOT NULL AND d.duplicate_of IS NULL ORDER BY p.doc_seq",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                if let Some(sig) = marsad_cluster::profile::signature_from_bytes(&r.get::<_, Vec<u8>>(1)?) {
                    near.insert(r.get(0)?, sig);
                }
            }
            self.near = Some(near);
        }
        Ok(())
    }

    /// Stores a batch in one transaction; documents whose id is stored already are skipped.
    /// Returns, for each document, whether it was added. A document whose body copies a stored
    /// one (or an earlier one of the batch) is stored as its near-duplicate: linked to the
    /// original, without event rows of its own. Once the store holds enough documents, it
    /// trains its compression dictionary ([`Store::codec`] then changes).
    pub fn put(&mut self, batch: &[Prepared]) -> Result<Vec<bool>, Error> {
        let result = self.put_batch(batch);
        if result.is_err() {
            // The index may hold signatures of documents the failed transaction did not store.
            self.near = None;
        }
        result
    }

    fn put_batch(&mut self, batch: &[Prepared]) -> Result<Vec<bool>, Error> {
        let at = now();
        let mut added = Vec::with_capacity(batch.len());
        let mut seqs = Vec::new();
        self.load_near_duplicates()?;
        {
            let near = self.near.get_or_insert_with(NearDuplicates::default);
            let tx = self.conn.transaction()?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT OR IGNORE INTO documents (id, source, line, format, encoding, bytes, meta, title, outlet, \
                     published, url, genre, language, analyzer, content, ingested_at, duplicate_of) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                )?;
                let mut profile =
                    tx.prepare_cached("INSERT INTO profiles (doc_seq, signature, profile) VALUES (?1, ?2, ?3)")?;
                let mut opening = tx.prepare_cached(OPENING_UPSERT)?;
                for p in batch {
                    let d = &p.doc;
                    let original = p.signature.as_deref().and_then(|s| near.original(s)).map(|(seq, _)| seq);
                    let n = insert.execute(params![
                        d.id,
                        p.origin.source,
                        p.origin.line,
                        d.input.format,
                        d.input.encoding,
                        p.origin.raw.len() as u64,
                        p.origin.given,
                        d.title,
                        d.outlet,
                        d.published,
                        d.url,
                        d.genre.as_str(),
                        d.language,
                        p.analyzer,
                        p.content,
                        at,
                        original,
                    ])?;
                    if n == 1 {
                        let seq = tx.last_insert_rowid() as u64;
                        write_rows(&tx, seq, d, original.is_some())?;
                        // A copy's signature is never looked up: only originals are indexed.
                        let signature = p
                            .signature
                            .as_deref()
                            .filter(|_| original.is_none())
                            .map(marsad_cluster::profile::signature_bytes);
                        profile.execute(params![seq, signature, p.profile])?;
                        opening.execute(params![seq, p.opening.0, p.opening.1])?;
                        if let (None, Some(sig)) = (original, &p.signature) {
                            near.insert(seq, sig.clone());
                        }
                        seqs.push(seq);
                    }
                    added.push(n == 1);
                }
            }
            tx.commit()?;
        }
        self.train_dictionary()?;
        let mut seq_iter = seqs.into_iter();
        for (p, _) in batch.iter().zip(&added).filter(|(_, a)| **a) {
            if let Some(seq) = seq_iter.next() {
                self.index.put(seq, &p.doc)?;
                self.unflushed.push(seq);
            }
        }
        Ok(added)
    }

    /// Replaces the analysis of stored documents (re-analysis), in one transaction.
    pub fn replace(&mut self, batch: &[(u64, Prepared)]) -> Result<(), Error> {
        {
            let tx = self.conn.transaction()?;
            {
                let mut update = tx.prepare_cached(
                    "UPDATE documents SET title = ?2, outlet = ?3, published = ?4, url = ?5, genre = ?6, language = ?7, \
                     analyzer = ?8, content = ?9 WHERE seq = ?1",
                )?;
                let mut duplicate =
                    tx.prepare_cached("SELECT duplicate_of IS NOT NULL FROM documents WHERE seq = ?1")?;
                let mut profile = tx.prepare_cached(
                    "INSERT INTO profiles (doc_seq, signature, profile) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (doc_seq) DO UPDATE SET profile = ?3",
                )?;
                let mut opening = tx.prepare_cached(OPENING_UPSERT)?;
                for (seq, p) in batch {
                    let is_duplicate: bool = duplicate.query_row([seq], |r| r.get(0))?;
                    let d = &p.doc;
                    for table in ["events", "entities", "places", "quotes"] {
                        tx.prepare_cached(&format!("DELETE FROM {table} WHERE doc_seq = ?1"))?.execute([seq])?;
                    }
                    update.execute(params![
                        seq,
                        d.title,
                        d.outlet,
                        d.published,
                        d.url,
                        d.genre.as_str(),
                        d.language,
                        p.analyzer,
                        p.content
                    ])?;
                    write_rows(&tx, *seq, d, is_duplicate)?;
                    let signature = p.signature.as_deref().map(marsad_cluster::profile::signature_bytes);
                    profile.execute(params![seq, signature, p.profile])?;
                    opening.execute(params![seq, p.opening.0, p.opening.1])?;
                }
            }
            tx.commit()?;
        }
        for (seq, p) in batch {
            self.index.put(*seq, &p.doc)?;
            self.unflushed.push(*seq);
        }
        Ok(())
    }

    /// Commits the search index and clears the documents it now holds from `pending_index`.
    pub fn flush(&mut self) -> Result<(), Error> {
        if self.unflushed.is_empty() {
            return Ok(());
        }
        self.index.commit()?;
        let tx = self.conn.transaction()?;
        {
            let mut del = tx.prepare_cached("DELETE FROM pending_index WHERE seq = ?1")?;
            for seq in &self.unflushed {
                del.execute([seq])?;
            }
        }
        tx.commit()?;
        self.unflushed.clear();
        Ok(())
    }

    /// Saves the clusterers' state when updates left it behind
    /// ([`Store::save_cluster_state_every`]), then moves the write-ahead log into the database
    /// and truncates it (after a large write, the log holds a copy of every page written since
    /// the last checkpoint).
    pub fn checkpoint(&mut self) -> Result<(), Error> {
        self.save_cluster_state()?;
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Indexes documents stored but not yet in a committed index (after a crash); returns how
    /// many.
    pub fn catch_up(&mut self) -> Result<usize, Error> {
        let pending: Vec<(u64, Vec<u8>)> = {
            let mut stmt = self.conn.prepare(
                "SELECT d.seq, d.content FROM pending_index p JOIN documents d ON d.seq = p.seq ORDER BY d.seq",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
        };
        for (seq, z) in &pending {
            self.index.put(*seq, &Content::unpack(&self.dicts, z)?.document()?)?;
            self.unflushed.push(*seq);
        }
        // Rows in pending_index whose document is gone (none today) must not linger.
        self.conn.execute("DELETE FROM pending_index WHERE seq NOT IN (SELECT seq FROM documents)", [])?;
        self.flush()?;
        Ok(pending.len())
    }

    /// Records rejected records (a record rejected again updates its row).
    pub fn reject(&mut self, batch: &[Rejected]) -> Result<(), Error> {
        let at = now();
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO rejected (source, line, kind, message, first_seen, last_seen, times) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1) \
                 ON CONFLICT (source, line) DO UPDATE SET kind = ?3, message = ?4, last_seen = ?5, times = times + 1",
            )?;
            for r in batch {
                stmt.execute(params![r.source, r.line, r.kind, r.message, at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets rejections of records that are now stored.
    pub fn clear_rejection(&mut self, source: &str, line: u64) -> Result<(), Error> {
        self.conn.execute("DELETE FROM rejected WHERE source = ?1 AND line = ?2", params![source, line])?;
        Ok(())
    }

    pub fn rejected(&self, limit: usize) -> Result<Vec<Rejected>, Error> {
        let mut stmt =
            self.conn.prepare("SELECT source, line, kind, message FROM rejected ORDER BY source, line LIMIT ?1")?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(Rejected { source: r.get(0)?, line: r.get(1)?, kind: r.get(2)?, message: r.get(3)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Starts a run log entry; returns its id.
    pub fn begin_run(&mut self, command: &str) -> Result<i64, Error> {
        self.conn.execute("INSERT INTO runs (command, started) VALUES (?1, ?2)", params![command, now()])?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn end_run(&mut self, id: i64, summary: &impl Serialize) -> Result<(), Error> {
        self.conn.execute(
            "UPDATE runs SET finished = ?2, summary = ?3 WHERE id = ?1",
            params![id, now(), serde_json::to_string(summary)?],
        )?;
        Ok(())
    }

    fn content(&self, id: &str) -> Result<Option<Content>, Error> {
        let mut stmt = self.conn.prepare_cached("SELECT content FROM documents WHERE id = ?1")?;
        let z: Option<Vec<u8>> = stmt.query_row([id], |r| r.get(0)).optional()?;
        z.map(|z| Content::unpack(&self.dicts, &z)).transpose()
    }

    /// The stored analysis of a document.
    pub fn document(&self, id: &str) -> Result<Option<Document>, Error> {
        self.content(id)?.map(|c| c.document()).transpose()
    }

    /// The raw record of a document, verbatim.
    pub fn raw(&self, id: &str) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.content(id)?.map(|c| c.raw().to_vec()))
    }

    /// Up to `limit` documents after `after_seq` whose analyzer is not `version`, in order.
    pub fn stale(&self, version: &str, after_seq: u64, limit: usize) -> Result<Vec<StoredOrigin>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, id, analyzer, source, line, meta, content FROM documents \
             WHERE seq > ?1 AND analyzer != ?2 ORDER BY seq LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![after_seq, version, limit as i64], |r| {
            Ok((r.get::<_, u64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get::<_, Vec<u8>>(6)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, id, analyzer, source, line, given, z) = row?;
            let raw = Content::unpack(&self.dicts, &z)?.raw().to_vec();
            out.push(StoredOrigin { seq, id, analyzer, origin: Origin { source, line, raw, given } });
        }
        Ok(out)
    }

    /// How many documents an analyzer other than `version` analyzed.
    pub fn count_stale(&self, version: &str) -> Result<u64, Error> {
        Ok(self.conn.query_row("SELECT count(*) FROM documents WHERE analyzer != ?1", [version], |r| r.get(0))?)
    }

    pub fn stats(&self) -> Result<Stats, Error> {
        let count = |sql: &str| -> Result<u64, Error> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        let mut by_analyzer = BTreeMap::new();
        {
            let mut stmt = self.conn.prepare("SELECT analyzer, count(*) FROM documents GROUP BY analyzer")?;
            for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))? {
                let (k, v) = row?;
                by_analyzer.insert(k, v);
            }
        }
        Ok(Stats {
            unclustered: self.unclustered()?,
            indexed: self.index.num_docs(),
            disk_bytes: dir_size(&self.dir),
            by_analyzer,
            ..Stats::counted(count)?
        })
    }

    /// Full-text search with filters, BM25 ranking, snippets and facets.
    pub fn search(&self, query: &str, filter: &Filter, limit: usize, offset: usize) -> Result<SearchResults, Error> {
        let raw = self.index.search(query, filter, limit, offset)?;
        let mut hits = Vec::with_capacity(raw.hits.len());
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.title, d.outlet, d.published, d.url, o.body_bytes, o.opening \
             FROM documents d LEFT JOIN openings o ON o.doc_seq = d.seq WHERE d.seq = ?1",
        )?;
        let mut content = self.conn.prepare_cached("SELECT content FROM documents WHERE seq = ?1")?;
        let tokenizer = marsad_text::Tokenizer::default();
        for RawHit { seq, score, matches } in raw.hits {
            let row = stmt
                .query_row([seq], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<u64>>(5)?,
                        r.get::<_, Option<Vec<u8>>>(6)?,
                    ))
                })
                .optional()?;
            // A hit whose document is gone (deleted since the index was committed) is skipped.
            let Some((id, title, outlet, published, url, body_bytes, opening)) = row else { continue };
            let snippet = match &raw.highlighter {
                Some(h) => {
                    let text = opening.map(|z| self.dicts.text(&z)).transpose()?.unwrap_or_default();
                    let mut s = h.snippet(&tokenizer, &text, &matches);
                    // The words are further in than the opening (or no opening is stored).
                    if s.highlights.is_empty()
                        && !matches.is_empty()
                        && body_bytes.is_none_or(|n| n > text.len() as u64)
                    {
                        let z: Vec<u8> = content.query_row([seq], |r| r.get(0))?;
                        s = h.snippet(&tokenizer, &self.dicts.body(&z)?, &matches);
                    }
                    Some(Snippet { text: s.text, highlights: s.highlights })
                }
                None => None,
            };
            hits.push(SearchHit { id, score, title, outlet, published, url, snippet });
        }
        let mut facets = raw.facets;
        let mut name = self.conn.prepare_cached("SELECT coalesce(name_en, name_ar) FROM actors WHERE id = ?1")?;
        for f in &mut facets.actor {
            f.label = name.query_row([&f.value], |r| r.get(0)).optional()?;
        }
        Ok(SearchResults { query: query.to_owned(), total: raw.total, hits, facets })
    }
}

/// What the API and the exports read of a store, written once for both backends.
pub struct Read<'a> {
    pub(crate) db: sql::Db<'a>,
    pub(crate) dicts: &'a Dictionaries,
}

impl Store {
    /// The store's reads.
    pub fn read(&self) -> Read<'_> {
        Read { db: sql::Db::Sqlite(&self.conn), dicts: &self.dicts }
    }
}

impl Read<'_> {
    /// Writes the coded events that pass `filter` in `format`, one row per real-world event
    /// ([`ExportUnit::Canonical`], as of the last story update) or per article's report;
    /// returns how many.
    pub fn export(
        &self,
        filter: &Filter,
        format: ExportFormat,
        unit: ExportUnit,
        out: &mut (dyn std::io::Write + Send),
    ) -> Result<u64, Error> {
        export::export(self.db, self.dicts, filter, format, unit, out)
    }
}

/// A read-only handle for another thread.
pub struct Probe {
    conn: Connection,
}

impl Probe {
    /// Is a document with this id stored?
    pub fn contains(&self, id: &str) -> Result<bool, Error> {
        let mut stmt = self.conn.prepare_cached("SELECT 1 FROM documents WHERE id = ?1")?;
        Ok(stmt.exists([id])?)
    }
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => dir_size(&e.path()),
                    _ => e.metadata().map_or(0, |m| m.len()),
                })
                .sum()
        })
        .unwrap_or(0)
}

/// A coded event's row.
pub(crate) struct EventRow<'d> {
    pub idx: u64,
    pub event_type: &'d str,
    pub sub_event_type: &'d str,
    pub modality: String,
    pub date: Option<&'d str>,
    pub country: Option<&'d str>,
    pub admin1: Option<&'d str>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub actor1: Option<&'d str>,
    pub actor2: Option<&'d str>,
    pub fatalities: Option<u32>,
}

/// A quote's row.
pub(crate) struct QuoteRow<'d> {
    pub idx: u64,
    pub speaker_id: Option<&'d str>,
    pub speaker: Option<&'d str>,
    pub cue: Option<&'d str>,
    pub channel: Option<&'d str>,
    pub start: u64,
    pub end: u64,
}

/// The rows queries filter a document's analysis by, as every store writes them: coded events
/// (none for a near-duplicate: its original's are the event data), linked actors and resolved
/// places with their mention counts (by id), quotes.
pub(crate) struct AnalysisRows<'d> {
    pub events: Vec<EventRow<'d>>,
    pub actors: BTreeMap<&'d str, (&'d marsad_core::Entity, u64)>,
    pub places: BTreeMap<&'d str, (&'d marsad_core::Place, u64)>,
    pub quotes: Vec<QuoteRow<'d>>,
}

impl AnalysisRows<'_> {
    pub(crate) fn of(d: &Document, duplicate: bool) -> Result<AnalysisRows<'_>, Error> {
        let mut events = Vec::new();
        for (i, e) in coded(d).filter(|_| !duplicate) {
            let Some(acled) = &e.acled else { continue };
            let place = e.place.as_ref();
            events.push(EventRow {
                idx: i as u64,
                event_type: &acled.event_type,
                sub_event_type: &acled.sub_event_type,
                modality: serde_json::to_value(e.modality)?.as_str().unwrap_or_default().to_owned(),
                date: e.date.as_deref(),
                country: place.and_then(|p| p.country.as_deref()),
                admin1: place.and_then(|p| p.admin1.as_deref()),
                lat: place.and_then(|p| p.lat),
                lon: place.and_then(|p| p.lon),
                actor1: e.actor1.as_ref().and_then(|a| a.id.as_deref()),
                actor2: e.actor2.as_ref().and_then(|a| a.id.as_deref()),
                fatalities: e.fatalities,
            });
        }
        let mut actors: BTreeMap<&str, (&marsad_core::Entity, u64)> = BTreeMap::new();
        for e in &d.entities {
            if let Some(id) = e.id.as_deref() {
                actors.entry(id).or_insert((e, 0)).1 += 1;
            }
        }
        let mut places: BTreeMap<&str, (&marsad_core::Place, u64)> = BTreeMap::new();
        for p in &d.places {
            if let Some(id) = p.geonames_id.as_deref() {
                places.entry(id).or_insert((p, 0)).1 += 1;
            }
        }
        let quotes = d
            .quotes
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let sp = q.speaker.as_ref();
                QuoteRow {
                    idx: i as u64,
                    speaker_id: sp.and_then(|s| s.id.as_deref()),
                    speaker: sp.map(|s| s.text.as_str()),
                    cue: q.cue.as_deref(),
                    channel: q.channel.as_deref(),
                    start: q.start as u64,
                    end: q.end as u64,
                }
            })
            .collect();
        Ok(AnalysisRows { events, actors, places, quotes })
    }
}

/// Writes the query rows of a document's analysis ([`AnalysisRows`]) and lists it for the index.
fn write_rows(tx: &rusqlite::Transaction<'_>, seq: u64, d: &Document, duplicate: bool) -> Result<(), Error> {
    let rows = AnalysisRows::of(d, duplicate)?;
    let mut ev = tx.prepare_cached(
        "INSERT INTO events (doc_seq, idx, event_type, sub_event_type, modality, date, country, admin1, lat, lon, \
         actor1, actor2, fatalities) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for e in &rows.events {
        ev.execute(params![
            seq,
            e.idx,
            e.event_type,
            e.sub_event_type,
            e.modality,
            e.date,
            e.country,
            e.admin1,
            e.lat,
            e.lon,
            e.actor1,
            e.actor2,
            e.fatalities,
        ])?;
    }
    let mut en = tx.prepare_cached("INSERT INTO entities (doc_seq, actor_id, mentions) VALUES (?1, ?2, ?3)")?;
    let mut actor = tx.prepare_cached(
        "INSERT INTO actors (id, type, name_ar, name_en, kind) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (id) DO UPDATE SET type = ?2, name_ar = ?3, name_en = ?4, kind = ?5",
    )?;
    for (id, (e, n)) in &rows.actors {
        en.execute(params![seq, id, n])?;
        actor.execute(params![id, e.entity_type.as_str(), e.name_ar, e.name_en, e.kind])?;
    }
    let mut pl = tx.prepare_cached("INSERT INTO places (doc_seq, place_id, mentions) VALUES (?1, ?2, ?3)")?;
    let mut gaz = tx.prepare_cached(
        "INSERT OR REPLACE INTO gazetteer (id, name_ar, name_en, country, admin1, admin2, lat, lon, feature, precision) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (id, (p, n)) in &rows.places {
        pl.execute(params![seq, id, n])?;
        gaz.execute(params![
            id,
            p.name_ar,
            p.name_en,
            p.country,
            p.admin1,
            p.admin2,
            p.lat,
            p.lon,
            p.feature,
            p.precision
        ])?;
    }
    let mut qu = tx.prepare_cached(
        "INSERT INTO quotes (doc_seq, idx, speaker_id, speaker, cue, channel, start, end) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for q in &rows.quotes {
        qu.execute(params![seq, q.idx, q.speaker_id, q.speaker, q.cue, q.channel, q.start, q.end])?;
    }
    tx.prepare_cached("INSERT OR IGNORE INTO pending_index (seq) VALUES (?1)")?.execute([seq])?;
    Ok(())
}
