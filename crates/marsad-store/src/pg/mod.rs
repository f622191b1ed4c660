//! The shared store: PostgreSQL as the system of record and search for many workers and API
//! replicas on many machines.
//!
//! The same data as the embedded store, in PostgreSQL's types: documents with their raw input
//! and analysis (one compressed frame, as the embedded store packs it), the rows queries filter
//! by (events, entities, places, quotes), openings for snippets and clustering profiles.
//! `documents` is partitioned by publication month (one partition per month, made on first
//! use; undated articles in their own); "each document once" across partitions is kept by the
//! unpartitioned `document_ids`, which every insert goes through first. Search runs over a
//! `tsvector` of marsad's own analyzed terms (the embedded index's terms and positions, the
//! title's weighted A, the body's B) with a GIN index, queried with the embedded store's query
//! language translated into `tsquery`.
//!
//! Every write is idempotent and keyed by document id, so any number of workers may store
//! batches at once, and a batch stored twice adds nothing.

mod check;
pub mod local;
mod query;
mod stories;

use crate::backend::{Backend, Prober};
use crate::codec::{Content, Dictionaries};
use crate::index::{FacetValues, day_number};
use crate::snippet::Highlighter;
use crate::{
    AnalysisRows, Codec, Error, FacetCount, Facets, Filter, Prepared, Rejected, SearchHit, SearchResults, Snippet,
    Stats, StoriesUpdate,
};
use marsad_core::Document;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Transaction};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// Schema migrations in order; migration `n` (1-based) brings a database from version `n - 1`.
const MIGRATIONS: &[&str] = &[r#"
CREATE SEQUENCE document_seq;

-- Every stored document's id, unpartitioned: the key that keeps each document once (a
-- partitioned table's unique keys must include its partition key, the month).
CREATE TABLE document_ids (
    id    text PRIMARY KEY,
    seq   bigint NOT NULL UNIQUE,
    month text NOT NULL
);

CREATE TABLE documents (
    seq          bigint NOT NULL,
    id           text NOT NULL,
    month        text NOT NULL,      -- YYYY-MM of publication; '' when undated
    source       text NOT NULL,
    line         bigint,
    format       text NOT NULL,
    encoding     text NOT NULL,
    bytes        bigint NOT NULL,
    meta         text NOT NULL,
    title        text,
    outlet       text,
    published    text,
    url          text,
    genre        text NOT NULL,
    language     text NOT NULL,
    analyzer     text NOT NULL,
    content      bytea NOT NULL,     -- raw record and analysis, one zstd frame (see codec.rs)
    ingested_at  text NOT NULL,
    duplicate_of bigint,
    day          integer,            -- YYYYMMDD of publication
    terms        tsvector NOT NULL,  -- marsad's search terms: title A, body B, field values D
    types        text[] NOT NULL,    -- ACLED event types of its coded events
    subtypes     text[] NOT NULL,
    countries    text[] NOT NULL,
    actors       text[] NOT NULL,
    PRIMARY KEY (month, seq)
) PARTITION BY RANGE (month);
CREATE TABLE documents_undated PARTITION OF documents FOR VALUES FROM (MINVALUE) TO ('0000-01');
CREATE INDEX documents_seq ON documents (seq);
CREATE INDEX documents_terms ON documents USING gin (terms);
CREATE INDEX documents_day ON documents (day);
CREATE INDEX documents_outlet ON documents (outlet);
CREATE INDEX documents_analyzer ON documents (analyzer);

CREATE TABLE events (
    doc_seq        bigint NOT NULL,
    idx            integer NOT NULL,
    event_type     text NOT NULL,
    sub_event_type text NOT NULL,
    modality       text NOT NULL,
    date           text,
    country        text,
    admin1         text,
    lat            double precision,
    lon            double precision,
    actor1         text,
    actor2         text,
    fatalities     bigint,
    PRIMARY KEY (doc_seq, idx)
);
CREATE INDEX events_date ON events (date);
CREATE INDEX events_type ON events (event_type, date);
CREATE INDEX events_country ON events (country, date);

CREATE TABLE entities (
    doc_seq  bigint NOT NULL,
    actor_id text NOT NULL,
    mentions bigint NOT NULL,
    PRIMARY KEY (doc_seq, actor_id)
);
CREATE INDEX entities_actor ON entities (actor_id);

CREATE TABLE actors (
    id      text PRIMARY KEY,
    type    text NOT NULL,
    name_ar text,
    name_en text,
    kind    text
);

CREATE TABLE places (
    doc_seq  bigint NOT NULL,
    place_id text NOT NULL,
    mentions bigint NOT NULL,
    PRIMARY KEY (doc_seq, place_id)
);
CREATE INDEX places_place ON places (place_id);

CREATE TABLE gazetteer (
    id        text PRIMARY KEY,
    name_ar   text,
    name_en   text,
    country   text,
    admin1    text,
    admin2    text,
    lat       double precision,
    lon       double precision,
    feature   text,
    precision integer
);

CREATE TABLE quotes (
    doc_seq    bigint NOT NULL,
    idx        integer NOT NULL,
    speaker_id text,
    speaker    text,
    cue        text,
    channel    text,
    start_at   bigint NOT NULL,
    end_at     bigint NOT NULL,
    PRIMARY KEY (doc_seq, idx)
);

CREATE TABLE openings (
    doc_seq    bigint PRIMARY KEY,
    body_bytes bigint NOT NULL,
    opening    bytea NOT NULL
);

CREATE TABLE profiles (
    doc_seq   bigint PRIMARY KEY,
    signature bytea,
    profile   bytea NOT NULL
);

-- Documents stored since the last story update (committed in any order by many workers).
CREATE TABLE unclustered (seq bigint PRIMARY KEY);

CREATE TABLE story_members (
    doc_seq    bigint PRIMARY KEY,
    story      bigint NOT NULL,
    similarity double precision NOT NULL
);
CREATE INDEX story_members_story ON story_members (story);

CREATE TABLE stories (
    id        bigint PRIMARY KEY,
    label_ar  text NOT NULL,
    label_en  text NOT NULL,
    first_day text NOT NULL,
    last_day  text NOT NULL,
    documents bigint NOT NULL,
    outlets   bigint NOT NULL,
    events    bigint NOT NULL,
    central   bigint NOT NULL
);
CREATE INDEX stories_last_day ON stories (last_day);

CREATE TABLE canonical_events (
    id             bigint PRIMARY KEY,
    story          bigint NOT NULL,
    event_type     text NOT NULL,
    sub_event_type text NOT NULL,
    date           text NOT NULL,
    country        text,
    admin1         text,
    lat            double precision,
    lon            double precision,
    actor1         text,
    actor2         text,
    fatalities     bigint,
    mentions       bigint NOT NULL,
    articles       bigint NOT NULL,
    sources        text NOT NULL,
    rep_seq        bigint NOT NULL,
    rep_idx        integer NOT NULL,
    summary        text NOT NULL
);
CREATE INDEX canonical_events_timeline ON canonical_events (date, event_type, sub_event_type, country, actor1, actor2, fatalities);
CREATE INDEX canonical_events_story ON canonical_events (story);

CREATE TABLE event_mentions (
    doc_seq   bigint NOT NULL,
    idx       integer NOT NULL,
    canonical bigint NOT NULL,
    PRIMARY KEY (doc_seq, idx)
);
CREATE INDEX event_mentions_canonical ON event_mentions (canonical);

-- The clusterers' state (as the embedded store keeps it), and the update's generation.
CREATE TABLE cluster_state (
    name  text PRIMARY KEY,
    value bytea NOT NULL
);

CREATE TABLE rejected (
    source     text NOT NULL,
    line       bigint NOT NULL,
    kind       text NOT NULL,
    message    text NOT NULL,
    first_seen text NOT NULL,
    last_seen  text NOT NULL,
    times      bigint NOT NULL,
    PRIMARY KEY (source, line)
);

CREATE TABLE runs (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    command  text NOT NULL,
    started  text NOT NULL,
    finished text,
    summary  text
);
"#];

/// Advisory lock keys (`pg_advisory_lock`): migrations, partition making.
const LOCK_MIGRATE: i64 = 0x6d61_7273_6164_0001;
const LOCK_PARTITIONS: i64 = 0x6d61_7273_6164_0002;

/// Longest lexeme PostgreSQL keeps in a `tsvector` (bytes), and its highest word position.
const MAX_LEXEME: usize = 2046;
const MAX_POSITION: usize = 16383;

/// A connection that may be dropped anywhere. PostgreSQL's blocking client closes its
/// connection on a runtime of its own, which cannot start on a thread that runs one (a server's
/// handles end with its runtime): there, the connection is closed on a thread of its own.
pub(crate) struct Connection(Option<Client>);

impl Connection {
    fn open(url: &str, shown: &str) -> Result<Connection, Error> {
        let client = Client::connect(url, NoTls).map_err(|e| Error::Connect(shown.to_owned(), e.to_string()))?;
        Ok(Connection(Some(client)))
    }
}

impl std::ops::Deref for Connection {
    type Target = Client;

    fn deref(&self) -> &Client {
        self.0.as_ref().expect("a connection is taken only when dropped")
    }
}

impl std::ops::DerefMut for Connection {
    fn deref_mut(&mut self) -> &mut Client {
        self.0.as_mut().expect("a connection is taken only when dropped")
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let Some(client) = self.0.take() else { return };
        if tokio::runtime::Handle::try_current().is_ok() {
            let _ = std::thread::Builder::new().name("marsad-pg-close".into()).spawn(move || drop(client));
        }
    }
}

/// A PostgreSQL store.
pub struct PgStore {
    /// The database as messages show it (without a password).
    url: String,
    /// As given, to open more connections with.
    connect_url: String,
    client: Mutex<Connection>,
    codec: Codec,
    dicts: Dictionaries,
    /// Month partitions known to exist.
    months: BTreeSet<String>,
    /// The clusterers as this process's last story update left them.
    kept: Option<Box<stories::Kept>>,
}

/// The store's messages name the database, never its password: one given in a URL's user part
/// (`postgres://user:secret@host/db`), as a URL parameter (`?password=secret`) or as a keyword
/// (`host=… password=secret`) is left out.
fn without_password(url: &str) -> String {
    let Some(s) = url.find("://") else {
        return url.split_whitespace().filter(|kv| !kv.starts_with("password=")).collect::<Vec<_>>().join(" ");
    };
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = match base.rfind('@') {
        Some(at) if at > s => {
            let user = base[s + 3..at].split(':').next().unwrap_or_default();
            format!("{}{user}@{}", &base[..s + 3], &base[at + 1..])
        }
        _ => base.to_owned(),
    };
    match query.map(|q| q.split('&').filter(|kv| !kv.starts_with("password=")).collect::<Vec<_>>().join("&")) {
        Some(q) if !q.is_empty() => format!("{base}?{q}"),
        _ => base,
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db` or `host=… dbname=…`)
    /// and brings its schema up to date (in one transaction, under an advisory lock, so that
    /// workers starting together do it once).
    pub fn connect(url: &str) -> Result<PgStore, Error> {
        let shown = without_password(url);
        let mut client = Connection::open(url, &shown)?;
        migrate(&mut client)?;
        let months = client
            .query(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
                 JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'documents'",
                &[],
            )?
            .iter()
            .filter_map(|r| month_of_partition(r.get(0)))
            .collect();
        Ok(PgStore {
            url: shown,
            connect_url: url.to_owned(),
            client: Mutex::new(client),
            codec: Codec::default(),
            dicts: Dictionaries::default(),
            months,
            kept: None,
        })
    }

    fn client(&self) -> Result<std::sync::MutexGuard<'_, Connection>, Error> {
        self.client.lock().map_err(|_| Error::Query("the database connection's lock is poisoned".into()))
    }

    /// Makes the month partitions `months` need, each once whoever asks (under an advisory
    /// lock, in its own transaction, so that batches do not wait on one another for it).
    fn ensure_months<'m>(&mut self, months: impl Iterator<Item = &'m str>) -> Result<(), Error> {
        let missing: BTreeSet<String> =
            months.filter(|m| !m.is_empty() && !self.months.contains(*m)).map(str::to_owned).collect();
        if missing.is_empty() {
            return Ok(());
        }
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_PARTITIONS])?;
        for m in &missing {
            let (name, from, to) = partition(m);
            tx.batch_execute(&format!(
                "CREATE TABLE IF NOT EXISTS {name} PARTITION OF documents FOR VALUES FROM ('{from}') TO ('{to}')"
            ))?;
        }
        tx.commit()?;
        drop(client);
        self.months.extend(missing);
        Ok(())
    }

    fn put_batch(&mut self, batch: &[Prepared]) -> Result<Vec<bool>, Error> {
        let months: Vec<String> = batch.iter().map(|p| month_of(p.doc.published.as_deref())).collect();
        self.ensure_months(months.iter().map(String::as_str))?;
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        // Sequence numbers in batch order (a lone writer stores in the order it was given, as
        // the embedded store does); the first of a batch's documents with one id is the one
        // stored.
        let mut numbers: Vec<i64> = tx
            .query("SELECT nextval('document_seq') FROM generate_series(1, $1)", &[&(batch.len() as i32)])?
            .iter()
            .map(|r| r.get(0))
            .collect();
        numbers.sort_unstable();
        let mut seen = std::collections::HashSet::new();
        let mut fresh: Vec<usize> = (0..batch.len()).filter(|&i| seen.insert(batch[i].doc.id.as_str())).collect();
        // Rows every writer may touch are taken in one order (ids, then actors, then places),
        // so that workers storing overlapping batches wait on one another, never deadlock.
        fresh.sort_by(|&a, &b| batch[a].doc.id.cmp(&batch[b].doc.id));
        let ids: Vec<&str> = fresh.iter().map(|&i| batch[i].doc.id.as_str()).collect();
        let claimed_numbers: Vec<i64> = fresh.iter().map(|&i| numbers[i]).collect();
        let claimed_months: Vec<&str> = fresh.iter().map(|&i| months[i].as_str()).collect();
        let claimed: std::collections::HashSet<i64> = tx
            .query(
                "INSERT INTO document_ids (id, seq, month) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[]) \
                 ON CONFLICT (id) DO NOTHING RETURNING seq",
                &[&ids, &claimed_numbers, &claimed_months],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let stored: Vec<(i64, &Prepared, &str)> = (0..batch.len())
            .filter(|&i| claimed.contains(&numbers[i]))
            .map(|i| (numbers[i], &batch[i], months[i].as_str()))
            .collect();
        upsert_names(&mut tx, stored.iter().map(|(_, p, _)| &p.doc))?;
        insert_documents(&mut tx, &stored)?;
        insert_rows(&mut tx, &stored)?;
        tx.commit()?;
        Ok((0..batch.len()).map(|i| claimed.contains(&numbers[i])).collect())
    }

    /// Re-analyzed documents in place of their analyses: the document rows updated (a new
    /// publication month moves a row to its partition), their query rows, opening and profile
    /// written again. Their events are all written: the story rebuild that follows finds the
    /// near-duplicates again and drops theirs.
    fn replace_batch(&mut self, batch: &[(u64, Prepared)]) -> Result<(), Error> {
        let months: Vec<String> = batch.iter().map(|(_, p)| month_of(p.doc.published.as_deref())).collect();
        self.ensure_months(months.iter().map(String::as_str))?;
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by_key(|&i| batch[i].0);
        let stored: Vec<(i64, &Prepared, &str)> =
            order.iter().map(|&i| (batch[i].0 as i64, &batch[i].1, months[i].as_str())).collect();
        let seqs: Vec<i64> = stored.iter().map(|s| s.0).collect();
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        let claimed: Vec<&str> = stored.iter().map(|s| s.2).collect();
        tx.execute(
            "UPDATE document_ids i SET month = u.month FROM unnest($1::bigint[], $2::text[]) AS u(seq, month) \
             WHERE i.seq = u.seq",
            &[&seqs, &claimed],
        )?;
        // Deleted and inserted again, as a whole row: its month, terms and filters all change.
        for table in ["events", "entities", "places", "quotes", "profiles", "openings"] {
            // Table names are this function's own.
            tx.execute(&format!("DELETE FROM {table} WHERE doc_seq = ANY($1)"), &[&seqs])?;
        }
        let kept = tx.query(
            "DELETE FROM documents WHERE seq = ANY($1) RETURNING seq, source, line, bytes, meta, ingested_at, duplicate_of",
            &[&seqs],
        )?;
        let origins: BTreeMap<i64, &postgres::Row> = kept.iter().map(|r| (r.get(0), r)).collect();
        upsert_names(&mut tx, stored.iter().map(|(_, p, _)| &p.doc))?;
        insert_documents(&mut tx, &stored)?;
        // What the re-analysis does not change: where and when it was read, its copy status.
        for (seq, row) in &origins {
            tx.execute(
                "UPDATE documents SET source = $2, line = $3, bytes = $4, meta = $5, ingested_at = $6, duplicate_of = $7 \
                 WHERE seq = $1",
                &[seq, &row.get::<_, String>(1), &row.get::<_, Option<i64>>(2), &row.get::<_, i64>(3),
                  &row.get::<_, String>(4), &row.get::<_, String>(5), &row.get::<_, Option<i64>>(6)],
            )?;
        }
        insert_rows(&mut tx, &stored)?;
        tx.commit()?;
        Ok(())
    }

    fn content(&self, id: &str) -> Result<Option<Content>, Error> {
        let row = self.client()?.query_opt("SELECT content FROM documents WHERE id = $1", &[&id])?;
        row.map(|r| Content::unpack(&self.dicts, r.get::<_, &[u8]>(0))).transpose()
    }

    fn search_results(&self, text: &str, filter: &Filter, limit: usize, offset: usize) -> Result<SearchResults, Error> {
        let translated = query::translate(text)?;
        let mut conds: Vec<String> = Vec::new();
        let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let mut param = |v: Box<dyn ToSql + Sync>| {
            params.push(v);
            format!("${}", params.len())
        };
        let rank = match &translated.tsquery {
            query::Tsq::Nothing => {
                return Ok(SearchResults {
                    query: text.to_owned(),
                    total: 0,
                    hits: Vec::new(),
                    facets: Facets::default(),
                });
            }
            query::Tsq::All => "0::real".to_owned(),
            query::Tsq::Match(q) => {
                let p = param(Box::new(q.clone()));
                conds.push(format!("terms @@ ({p}::text)::tsquery"));
                // The title weighs twice the body, as the embedded index boosts it.
                format!("ts_rank_cd('{{0, 0, 0.5, 1}}', terms, ({p}::text)::tsquery)")
            }
        };
        if let Some(o) = &filter.outlet {
            let p = param(Box::new(o.clone()));
            conds.push(format!("outlet = {p}"));
        }
        if let Some(c) = &filter.country {
            let p = param(Box::new(c.to_ascii_uppercase()));
            conds.push(format!("{p} = ANY(countries)"));
        }
        if let Some(a) = &filter.actor {
            let p = param(Box::new(a.clone()));
            conds.push(format!("{p} = ANY(actors)"));
        }
        if let Some(t) = &filter.event_type {
            let p = param(Box::new(t.clone()));
            conds.push(format!("({p} = ANY(types) OR {p} = ANY(subtypes))"));
        }
        for (d, op) in [(&filter.from, ">="), (&filter.to, "<=")] {
            if let Some(d) = d {
                let n = day_number(d).ok_or_else(|| Error::Query(format!("{d:?} is not a date (YYYY-MM-DD)")))?;
                let p = param(Box::new(n as i32));
                conds.push(format!("day {op} {p}"));
            }
        }
        let limit_p = param(Box::new(limit.max(1) as i64));
        let offset_p = param(Box::new(offset as i64));
        let filter_sql = if conds.is_empty() { "true".to_owned() } else { conds.join(" AND ") };
        // One statement: the matching documents once, then the page of hits, the total and
        // the facets from them (kind 0: a hit, 1: the total, 2–6: a facet's counts).
        let sql = format!(
            "WITH hits AS MATERIALIZED (SELECT seq, outlet, month, types, countries, actors, {rank} AS score \
             FROM documents WHERE {filter_sql}) \
             (SELECT 0 AS kind, seq::text AS value, score::float8 AS n FROM hits \
              ORDER BY score DESC, seq LIMIT {limit_p} OFFSET {offset_p}) \
             UNION ALL SELECT 1, NULL, count(*)::float8 FROM hits \
             UNION ALL (SELECT 2, v, count(*)::float8 FROM hits, unnest(types) v GROUP BY v) \
             UNION ALL (SELECT 3, v, count(*)::float8 FROM hits, unnest(countries) v GROUP BY v) \
             UNION ALL (SELECT 4, outlet, count(*)::float8 FROM hits WHERE outlet IS NOT NULL GROUP BY outlet) \
             UNION ALL (SELECT 5, v, count(*)::float8 FROM hits, unnest(actors) v GROUP BY v) \
             UNION ALL (SELECT 6, month, count(*)::float8 FROM hits WHERE month <> '' GROUP BY month)"
        );
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| &**p).collect();
        let mut client = self.client()?;
        let rows = client.query(&sql, &refs)?;
        let mut page: Vec<(i64, f32)> = Vec::new();
        let mut total = 0usize;
        let mut counts: Vec<BTreeMap<String, u64>> = vec![BTreeMap::new(); 5];
        for r in &rows {
            let kind: i32 = r.get(0);
            let value: Option<String> = r.get(1);
            let n: f64 = r.get(2);
            match (kind, value) {
                (0, Some(seq)) => page.push((seq.parse().unwrap_or_default(), n as f32)),
                (1, _) => total = n as usize,
                (k @ 2..=6, Some(v)) => {
                    counts[(k - 2) as usize].insert(v, n as u64);
                }
                _ => {}
            }
        }
        let highlighter = match &translated.tsquery {
            query::Tsq::Match(_) => Some(Highlighter::of_terms(translated.body_terms.clone())),
            _ => None,
        };
        let tokenizer = marsad_text::Tokenizer::default();
        let fields = client.prepare(
            "SELECT d.id, d.title, d.outlet, d.published, d.url, o.body_bytes, o.opening \
             FROM documents d LEFT JOIN openings o ON o.doc_seq = d.seq WHERE d.seq = $1",
        )?;
        let mut hits = Vec::with_capacity(page.len());
        for (seq, score) in page {
            let Some(r) = client.query_opt(&fields, &[&seq])? else { continue };
            let body_bytes: Option<i64> = r.get(5);
            let opening: Option<&[u8]> = r.get(6);
            let snippet = match &highlighter {
                Some(h) => {
                    let text = opening.map(|z| self.dicts.text(z)).transpose()?.unwrap_or_default();
                    let mut s = h.snippet(&tokenizer, &text, &h.matches_in(&tokenizer, &text));
                    if s.highlights.is_empty() && body_bytes.is_none_or(|n| n as u64 > text.len() as u64) {
                        let z = client.query_one("SELECT content FROM documents WHERE seq = $1", &[&seq])?;
                        let body = self.dicts.body(z.get::<_, &[u8]>(0))?;
                        s = h.snippet(&tokenizer, &body, &h.matches_in(&tokenizer, &body));
                    }
                    Some(Snippet { text: s.text, highlights: s.highlights })
                }
                None => None,
            };
            hits.push(SearchHit {
                id: r.get(0),
                score,
                title: r.get(1),
                outlet: r.get(2),
                published: r.get(3),
                url: r.get(4),
                snippet,
            });
        }
        let mut lists = counts.into_iter().zip(crate::index::FACETS).map(|(counts, (_, size, by_value))| {
            let mut list: Vec<FacetCount> =
                counts.into_iter().map(|(value, count)| FacetCount { value, count, label: None }).collect();
            if !by_value {
                list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            }
            list.truncate(size);
            list
        });
        let mut next = || lists.next().unwrap_or_default();
        let mut facets = Facets { event_type: next(), country: next(), outlet: next(), actor: next(), month: next() };
        let name = client.prepare("SELECT coalesce(name_en, name_ar) FROM actors WHERE id = $1")?;
        for f in &mut facets.actor {
            f.label = client.query_opt(&name, &[&f.value])?.and_then(|r| r.get(0));
        }
        Ok(SearchResults { query: text.to_owned(), total, hits, facets })
    }
}

/// A connection that says whether a document is stored.
struct PgProbe {
    client: Connection,
}

impl Prober for PgProbe {
    fn contains(&mut self, id: &str) -> Result<bool, Error> {
        Ok(self.client.query_opt("SELECT 1 FROM document_ids WHERE id = $1", &[&id])?.is_some())
    }
}

/// Applies the migrations above the database's version, each in its own transaction, under an
/// advisory lock; refuses a database newer than this binary.
fn migrate(client: &mut Client) -> Result<(), Error> {
    client.execute("SELECT pg_advisory_lock($1)", &[&LOCK_MIGRATE])?;
    let result = (|| {
        client.batch_execute("CREATE TABLE IF NOT EXISTS marsad_schema (version integer NOT NULL)")?;
        let version: i32 =
            client.query_opt("SELECT version FROM marsad_schema", &[])?.map_or(0, |r| r.get::<_, i32>(0));
        let supported = MIGRATIONS.len() as u32;
        if version as u32 > supported {
            return Err(Error::NewerSchema { found: version as u32, supported });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let mut tx = client.transaction()?;
            tx.batch_execute(sql)?;
            tx.execute("DELETE FROM marsad_schema", &[])?;
            tx.execute("INSERT INTO marsad_schema (version) VALUES ($1)", &[&(i as i32 + 1)])?;
            tx.commit()?;
        }
        Ok(())
    })();
    client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK_MIGRATE])?;
    result
}

/// `YYYY-MM` of a publication date, or `''` (undated, or not a date).
fn month_of(published: Option<&str>) -> String {
    let Some(m) = published.and_then(|p| p.get(..7)) else { return String::new() };
    let b = m.as_bytes();
    let month = m.get(5..7).and_then(|s| s.parse::<u32>().ok());
    if b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && month.is_some_and(|n| (1..=12).contains(&n)) {
        m.to_owned()
    } else {
        String::new()
    }
}

/// The partition of a month: its table's name and bounds.
fn partition(month: &str) -> (String, String, String) {
    let year: u32 = month[..4].parse().unwrap_or_default();
    let m: u32 = month[5..7].parse().unwrap_or(1);
    let next = if m == 12 { format!("{:04}-01", year + 1) } else { format!("{year:04}-{:02}", m + 1) };
    (format!("documents_y{}m{}", &month[..4], &month[5..7]), month.to_owned(), next)
}

/// The month a partition's table holds, from its name.
fn month_of_partition(name: &str) -> Option<String> {
    let rest = name.strip_prefix("documents_y")?;
    let (y, m) = rest.split_once('m')?;
    Some(format!("{y}-{m}"))
}

/// A lexeme as a `tsvector`/`tsquery` literal.
fn lexeme(term: &str) -> String {
    format!("'{}'", term.replace('\\', "\\\\").replace('\'', "''"))
}

/// The document's search terms as a `tsvector` literal: each term with its word positions,
/// the title's weighted A and the body's B (after the title's, so that no phrase spans the
/// two), and the values its filters use as lexemes of their own weighted D (`outlet:…`,
/// `type:…`), which `field:value` in a query finds.
fn tsvector(d: &Document) -> String {
    let tokenizer = marsad_text::Tokenizer::default();
    let mut positions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut next = 1;
    for (text, weight) in [(d.title.as_deref().unwrap_or(""), 'A'), (d.body.as_str(), 'B')] {
        let start = next;
        for t in marsad_text::search_terms(&tokenizer, text) {
            let at = (start + t.position).min(MAX_POSITION);
            next = next.max(at + 2);
            if t.term.len() <= MAX_LEXEME {
                let list = positions.entry(t.term).or_default();
                // PostgreSQL keeps 256 positions of a lexeme.
                if list.len() < 256 {
                    list.push(format!("{at}{weight}"));
                }
            }
        }
    }
    let facets = FacetValues::of(d);
    let mut fields: Vec<String> = Vec::new();
    fields.extend(d.outlet.iter().map(|o| format!("outlet:{o}")));
    fields.extend(facets.types.iter().map(|v| format!("type:{v}")));
    fields.extend(facets.subtypes.iter().map(|v| format!("subtype:{v}")));
    fields.extend(facets.countries.iter().map(|v| format!("country:{v}")));
    fields.extend(facets.actors.iter().map(|v| format!("actor:{v}")));
    if let Some(p) = d.published.as_deref() {
        fields.extend(p.get(..7).map(|m| format!("month:{m}")));
        fields.extend(day_number(p).map(|n| format!("day:{n}")));
    }
    let mut out = String::new();
    for (term, at) in &positions {
        out.push_str(&lexeme(term));
        out.push(':');
        out.push_str(&at.join(","));
        out.push(' ');
    }
    for f in fields.iter().filter(|f| f.len() <= MAX_LEXEME) {
        out.push_str(&lexeme(f));
        out.push_str(":1D ");
    }
    out
}

/// Separates the values of a list column sent as one text (`string_to_array` splits them).
const LIST_SEPARATOR: &str = "\u{1f}";

/// Adds or updates the linked actors and resolved places a batch names, as the last document
/// naming each gives them (its first mention; as the embedded store does), in the order of
/// their ids.
fn upsert_names<'d>(tx: &mut Transaction<'_>, docs: impl Iterator<Item = &'d Document>) -> Result<(), Error> {
    let mut actors: BTreeMap<&str, &marsad_core::Entity> = BTreeMap::new();
    let mut places: BTreeMap<&str, &marsad_core::Place> = BTreeMap::new();
    // Each document's first mention of each, the later document's over the earlier's.
    for d in docs {
        let rows = AnalysisRows::of(d, false)?;
        actors.extend(rows.actors.into_iter().map(|(id, (e, _))| (id, e)));
        places.extend(rows.places.into_iter().map(|(id, (p, _))| (id, p)));
    }
    if !actors.is_empty() {
        let ids: Vec<&str> = actors.keys().copied().collect();
        let types: Vec<String> = actors.values().map(|e| e.entity_type.as_str().to_owned()).collect();
        let name_ar: Vec<Option<&str>> = actors.values().map(|e| e.name_ar.as_deref()).collect();
        let name_en: Vec<Option<&str>> = actors.values().map(|e| e.name_en.as_deref()).collect();
        let kind: Vec<Option<&str>> = actors.values().map(|e| e.kind.as_deref()).collect();
        tx.execute(
            "INSERT INTO actors (id, type, name_ar, name_en, kind) \
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) \
             ON CONFLICT (id) DO UPDATE SET type = excluded.type, name_ar = excluded.name_ar, \
             name_en = excluded.name_en, kind = excluded.kind \
             WHERE (actors.type, actors.name_ar, actors.name_en, actors.kind) \
             IS DISTINCT FROM (excluded.type, excluded.name_ar, excluded.name_en, excluded.kind)",
            &[&ids, &types, &name_ar, &name_en, &kind],
        )?;
    }
    if !places.is_empty() {
        let ids: Vec<&str> = places.keys().copied().collect();
        let text = |f: fn(&marsad_core::Place) -> &Option<String>| -> Vec<Option<&str>> {
            places.values().map(|p| f(p).as_deref()).collect()
        };
        let lat: Vec<Option<f64>> = places.values().map(|p| p.lat).collect();
        let lon: Vec<Option<f64>> = places.values().map(|p| p.lon).collect();
        let precision: Vec<Option<i32>> = places.values().map(|p| p.precision.map(i32::from)).collect();
        tx.execute(
            "INSERT INTO gazetteer AS g (id, name_ar, name_en, country, admin1, admin2, lat, lon, feature, precision) \
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
             $7::float8[], $8::float8[], $9::text[], $10::int[]) \
             ON CONFLICT (id) DO UPDATE SET name_ar = excluded.name_ar, name_en = excluded.name_en, \
             country = excluded.country, admin1 = excluded.admin1, admin2 = excluded.admin2, lat = excluded.lat, \
             lon = excluded.lon, feature = excluded.feature, precision = excluded.precision \
             WHERE (g.name_ar, g.name_en, g.country, g.admin1, g.admin2, g.lat, g.lon, g.feature, g.precision) \
             IS DISTINCT FROM (excluded.name_ar, excluded.name_en, excluded.country, excluded.admin1, \
             excluded.admin2, excluded.lat, excluded.lon, excluded.feature, excluded.precision)",
            &[
                &ids,
                &text(|p| &p.name_ar),
                &text(|p| &p.name_en),
                &text(|p| &p.country),
                &text(|p| &p.admin1),
                &text(|p| &p.admin2),
                &lat,
                &lon,
                &text(|p| &p.feature),
                &precision,
            ],
        )?;
    }
    Ok(())
}

/// Inserts a batch's new documents (seq, prepared, month) in one statement.
fn insert_documents(tx: &mut Transaction<'_>, stored: &[(i64, &Prepared, &str)]) -> Result<(), Error> {
    if stored.is_empty() {
        return Ok(());
    }
    let at = crate::now();
    let docs = || stored.iter().map(|(_, p, _)| &p.doc);
    let seq: Vec<i64> = stored.iter().map(|s| s.0).collect();
    let id: Vec<&str> = docs().map(|d| d.id.as_str()).collect();
    let month: Vec<&str> = stored.iter().map(|s| s.2).collect();
    let source: Vec<&str> = stored.iter().map(|(_, p, _)| p.origin.source.as_str()).collect();
    let line: Vec<Option<i64>> = stored.iter().map(|(_, p, _)| p.origin.line.map(|l| l as i64)).collect();
    let format: Vec<&str> = docs().map(|d| d.input.format.as_str()).collect();
    let encoding: Vec<&str> = docs().map(|d| d.input.encoding.as_str()).collect();
    let bytes: Vec<i64> = stored.iter().map(|(_, p, _)| p.origin.raw.len() as i64).collect();
    let meta: Vec<&str> = stored.iter().map(|(_, p, _)| p.origin.given.as_str()).collect();
    let title: Vec<Option<&str>> = docs().map(|d| d.title.as_deref()).collect();
    let outlet: Vec<Option<&str>> = docs().map(|d| d.outlet.as_deref()).collect();
    let published: Vec<Option<&str>> = docs().map(|d| d.published.as_deref()).collect();
    let url: Vec<Option<&str>> = docs().map(|d| d.url.as_deref()).collect();
    let genre: Vec<&str> = docs().map(|d| d.genre.as_str()).collect();
    let language: Vec<&str> = docs().map(|d| d.language.as_str()).collect();
    let analyzer: Vec<&str> = stored.iter().map(|(_, p, _)| p.analyzer.as_str()).collect();
    let content: Vec<&[u8]> = stored.iter().map(|(_, p, _)| p.content.as_slice()).collect();
    let ingested: Vec<&str> = stored.iter().map(|_| at.as_str()).collect();
    let day: Vec<Option<i32>> = docs().map(|d| d.published.as_deref().and_then(day_number).map(|n| n as i32)).collect();
    let terms: Vec<String> = docs().map(tsvector).collect();
    let facets: Vec<FacetValues<'_>> = docs().map(FacetValues::of).collect();
    let list = |k: usize| -> Vec<String> {
        facets.iter().map(|v| [&v.types, &v.subtypes, &v.countries, &v.actors][k].join(LIST_SEPARATOR)).collect()
    };
    tx.execute(
        "INSERT INTO documents (seq, id, month, source, line, format, encoding, bytes, meta, title, outlet, \
         published, url, genre, language, analyzer, content, ingested_at, day, terms, types, subtypes, countries, \
         actors) \
         SELECT seq, id, month, source, line, format, encoding, bytes, meta, title, outlet, published, url, genre, \
         language, analyzer, content, ingested_at, day, terms::tsvector, string_to_array(types, $25), \
         string_to_array(subtypes, $25), string_to_array(countries, $25), string_to_array(actors, $25) \
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], \
         $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], \
         $16::text[], $17::bytea[], $18::text[], $19::int[], $20::text[], $21::text[], $22::text[], $23::text[], \
         $24::text[]) AS u(seq, id, month, source, line, format, encoding, bytes, meta, title, outlet, published, \
         url, genre, language, analyzer, content, ingested_at, day, terms, types, subtypes, countries, actors)",
        &[
            &seq,
            &id,
            &month,
            &source,
            &line,
            &format,
            &encoding,
            &bytes,
            &meta,
            &title,
            &outlet,
            &published,
            &url,
            &genre,
            &language,
            &analyzer,
            &content,
            &ingested,
            &day,
            &terms,
            &list(0),
            &list(1),
            &list(2),
            &list(3),
            &LIST_SEPARATOR,
        ],
    )?;
    Ok(())
}

/// Inserts the coded events' rows of documents ([`AnalysisRows`]), in one statement; rows
/// there already are kept.
pub(crate) fn insert_events(tx: &mut Transaction<'_>, rows: &[(i64, AnalysisRows<'_>)]) -> Result<(), Error> {
    let events: Vec<(i64, &crate::EventRow<'_>)> =
        rows.iter().flat_map(|(seq, r)| r.events.iter().map(move |e| (*seq, e))).collect();
    if events.is_empty() {
        return Ok(());
    }

    let ev = |f: for<'a> fn(&'a crate::EventRow<'a>) -> Option<&'a str>| -> Vec<Option<&str>> {
        events.iter().map(|(_, e)| f(e)).collect()
    };
    let seq: Vec<i64> = events.iter().map(|e| e.0).collect();
    let idx: Vec<i32> = events.iter().map(|(_, e)| e.idx as i32).collect();
    let lat: Vec<Option<f64>> = events.iter().map(|(_, e)| e.lat).collect();
    let lon: Vec<Option<f64>> = events.iter().map(|(_, e)| e.lon).collect();
    let fatalities: Vec<Option<i64>> = events.iter().map(|(_, e)| e.fatalities.map(i64::from)).collect();
    tx.execute(
        "INSERT INTO events (doc_seq, idx, event_type, sub_event_type, modality, date, country, admin1, lat, lon, \
         actor1, actor2, fatalities) SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], \
         $5::text[], $6::text[], $7::text[], $8::text[], $9::float8[], $10::float8[], $11::text[], $12::text[], \
         $13::bigint[]) ON CONFLICT (doc_seq, idx) DO NOTHING",
        &[
            &seq,
            &idx,
            &ev(|e| Some(e.event_type)),
            &ev(|e| Some(e.sub_event_type)),
            &ev(|e| Some(e.modality.as_str())),
            &ev(|e| e.date),
            &ev(|e| e.country),
            &ev(|e| e.admin1),
            &lat,
            &lon,
            &ev(|e| e.actor1),
            &ev(|e| e.actor2),
            &fatalities,
        ],
    )?;
    Ok(())
}

/// A document's mentions of one actor or place: (document, id, count).
type Mention<'a> = (i64, &'a str, u64);

/// Inserts the query rows of a batch's new documents' analyses ([`AnalysisRows`]), their
/// openings and clustering profiles, and lists them for the next story update: one statement
/// per table.
fn insert_rows(tx: &mut Transaction<'_>, stored: &[(i64, &Prepared, &str)]) -> Result<(), Error> {
    if stored.is_empty() {
        return Ok(());
    }
    let rows: Vec<(i64, AnalysisRows<'_>)> =
        stored.iter().map(|(seq, p, _)| Ok((*seq, AnalysisRows::of(&p.doc, false)?))).collect::<Result<_, Error>>()?;
    insert_events(tx, &rows)?;
    // Mentions per linked actor and per resolved place; table and column names are this
    // function's own.
    let actors = rows.iter().flat_map(|(seq, r)| r.actors.iter().map(move |(id, (_, n))| (*seq, *id, *n)));
    let places = rows.iter().flat_map(|(seq, r)| r.places.iter().map(move |(id, (_, n))| (*seq, *id, *n)));
    let (actors, places): (Vec<Mention>, Vec<Mention>) = (actors.collect(), places.collect());
    let mentions = [("entities", "actor_id", actors), ("places", "place_id", places)];
    for (table, key, counted) in mentions.iter().filter(|m| !m.2.is_empty()) {
        let seq: Vec<i64> = counted.iter().map(|c| c.0).collect();
        let ids: Vec<&str> = counted.iter().map(|c| c.1).collect();
        let n: Vec<i64> = counted.iter().map(|c| c.2 as i64).collect();
        tx.execute(
            &format!(
                "INSERT INTO {table} (doc_seq, {key}, mentions) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])"
            ),
            &[&seq, &ids, &n],
        )?;
    }
    let quotes: Vec<(i64, &crate::QuoteRow<'_>)> =
        rows.iter().flat_map(|(seq, r)| r.quotes.iter().map(move |q| (*seq, q))).collect();
    if !quotes.is_empty() {
        let text = |f: for<'a> fn(&'a crate::QuoteRow<'a>) -> Option<&'a str>| -> Vec<Option<&str>> {
            quotes.iter().map(|(_, q)| f(q)).collect()
        };
        let seq: Vec<i64> = quotes.iter().map(|q| q.0).collect();
        let idx: Vec<i32> = quotes.iter().map(|(_, q)| q.idx as i32).collect();
        let start: Vec<i64> = quotes.iter().map(|(_, q)| q.start as i64).collect();
        let end: Vec<i64> = quotes.iter().map(|(_, q)| q.end as i64).collect();
        tx.execute(
            "INSERT INTO quotes (doc_seq, idx, speaker_id, speaker, cue, channel, start_at, end_at) \
             SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], \
             $7::bigint[], $8::bigint[])",
            &[
                &seq,
                &idx,
                &text(|q| q.speaker_id),
                &text(|q| q.speaker),
                &text(|q| q.cue),
                &text(|q| q.channel),
                &start,
                &end,
            ],
        )?;
    }
    let seq: Vec<i64> = stored.iter().map(|s| s.0).collect();
    let signature: Vec<Option<Vec<u8>>> =
        stored.iter().map(|(_, p, _)| p.signature.as_deref().map(marsad_cluster::profile::signature_bytes)).collect();
    let profile: Vec<&[u8]> = stored.iter().map(|(_, p, _)| p.profile.as_slice()).collect();
    tx.execute(
        "INSERT INTO profiles (doc_seq, signature, profile) SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[])",
        &[&seq, &signature, &profile],
    )?;
    let body_bytes: Vec<i64> = stored.iter().map(|(_, p, _)| p.opening.0 as i64).collect();
    let opening: Vec<&[u8]> = stored.iter().map(|(_, p, _)| p.opening.1.as_slice()).collect();
    tx.execute(
        "INSERT INTO openings (doc_seq, body_bytes, opening) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[])",
        &[&seq, &body_bytes, &opening],
    )?;
    tx.execute("INSERT INTO unclustered (seq) SELECT * FROM unnest($1::bigint[]) ON CONFLICT DO NOTHING", &[&seq])?;
    Ok(())
}

impl Backend for PgStore {
    fn location(&self) -> String {
        self.url.clone()
    }

    fn lock_for_writing(&mut self) -> Result<(), Error> {
        Ok(())
    }

    fn catch_up(&mut self) -> Result<usize, Error> {
        Ok(0)
    }

    fn codec(&self) -> Codec {
        self.codec.clone()
    }

    fn prober(&self) -> Result<Box<dyn Prober>, Error> {
        let client = Connection::open(&self.connect_url, &self.url)?;
        Ok(Box::new(PgProbe { client }))
    }

    fn put(&mut self, batch: &[Prepared]) -> Result<Vec<bool>, Error> {
        self.put_batch(batch)
    }

    fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }

    fn replace(&mut self, batch: &[(u64, Prepared)]) -> Result<(), Error> {
        self.replace_batch(batch)
    }

    fn stale(&self, version: &str, after_seq: u64, limit: usize) -> Result<Vec<crate::StoredOrigin>, Error> {
        let rows = self.client()?.query(
            "SELECT seq, id, analyzer, source, line, meta, content FROM documents \
             WHERE seq > $1 AND analyzer <> $2 ORDER BY seq LIMIT $3",
            &[&(after_seq as i64), &version, &(limit as i64)],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let raw = Content::unpack(&self.dicts, r.get(6))?.raw().to_vec();
            let origin = crate::Origin {
                source: r.get(3),
                line: r.get::<_, Option<i64>>(4).map(|l| l as u64),
                raw,
                given: r.get(5),
            };
            out.push(crate::StoredOrigin { seq: r.get::<_, i64>(0) as u64, id: r.get(1), analyzer: r.get(2), origin });
        }
        Ok(out)
    }

    fn count_stale(&self, version: &str) -> Result<u64, Error> {
        let n: i64 =
            self.client()?.query_one("SELECT count(*) FROM documents WHERE analyzer <> $1", &[&version])?.get(0);
        Ok(n as u64)
    }

    fn rebuild_stories(&mut self, clock: i32, config: Option<marsad_cluster::Config>) -> Result<StoriesUpdate, Error> {
        self.recluster(clock, config)
    }

    fn reject(&mut self, batch: &[Rejected]) -> Result<(), Error> {
        let at = crate::now();
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        let stmt = tx.prepare(
            "INSERT INTO rejected (source, line, kind, message, first_seen, last_seen, times) \
             VALUES ($1, $2, $3, $4, $5, $5, 1) ON CONFLICT (source, line) DO UPDATE \
             SET kind = $3, message = $4, last_seen = $5, times = rejected.times + 1",
        )?;
        let mut sorted: Vec<&Rejected> = batch.iter().collect();
        sorted.sort_by(|a, b| (&a.source, a.line).cmp(&(&b.source, b.line)));
        for r in sorted {
            tx.execute(&stmt, &[&r.source, &(r.line as i64), &r.kind, &r.message, &at])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn clear_rejection(&mut self, source: &str, line: u64) -> Result<(), Error> {
        self.client()?.execute("DELETE FROM rejected WHERE source = $1 AND line = $2", &[&source, &(line as i64)])?;
        Ok(())
    }

    fn rejected(&self, limit: usize) -> Result<Vec<Rejected>, Error> {
        let rows = self.client()?.query(
            "SELECT source, line, kind, message FROM rejected ORDER BY source, line LIMIT $1",
            &[&(limit as i64)],
        )?;
        Ok(rows
            .iter()
            .map(|r| Rejected { source: r.get(0), line: r.get::<_, i64>(1) as u64, kind: r.get(2), message: r.get(3) })
            .collect())
    }

    fn begin_run(&mut self, command: &str) -> Result<i64, Error> {
        let row = self.client()?.query_one(
            "INSERT INTO runs (command, started) VALUES ($1, $2) RETURNING id",
            &[&command, &crate::now()],
        )?;
        Ok(row.get(0))
    }

    fn end_run(&mut self, id: i64, summary: &serde_json::Value) -> Result<(), Error> {
        self.client()?.execute(
            "UPDATE runs SET finished = $2, summary = $3 WHERE id = $1",
            &[&id, &crate::now(), &serde_json::to_string(summary)?],
        )?;
        Ok(())
    }

    fn document(&self, id: &str) -> Result<Option<Document>, Error> {
        self.content(id)?.map(|c| c.document()).transpose()
    }

    fn raw(&self, id: &str) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.content(id)?.map(|c| c.raw().to_vec()))
    }

    fn stats(&self) -> Result<Stats, Error> {
        let mut client = self.client()?;
        // PostgreSQL counts and sums as bigint and numeric: every figure is read as bigint.
        let mut count = |sql: &str| -> Result<u64, Error> {
            Ok(client.query_one(&format!("SELECT ({sql})::bigint"), &[])?.get::<_, i64>(0) as u64)
        };
        let counted = Stats::counted(&mut count)?;
        let unclustered = count("SELECT count(*) FROM unclustered")?;
        let disk_bytes = count("SELECT pg_database_size(current_database())")?;
        let mut by_analyzer = BTreeMap::new();
        for r in client.query("SELECT analyzer, count(*) FROM documents GROUP BY analyzer", &[])? {
            by_analyzer.insert(r.get::<_, String>(0), r.get::<_, i64>(1) as u64);
        }
        Ok(Stats { unclustered, indexed: counted.documents, disk_bytes, by_analyzer, ..counted })
    }

    fn search(&self, query: &str, filter: &Filter, limit: usize, offset: usize) -> Result<SearchResults, Error> {
        self.search_results(query, filter, limit, offset)
    }

    fn update_stories(&mut self, clock: i32) -> Result<StoriesUpdate, Error> {
        self.cluster(clock)
    }

    fn check(&self) -> Result<crate::Check, Error> {
        PgStore::check(self)
    }

    fn read(&self) -> crate::Read<'_> {
        crate::Read { db: crate::sql::Db::Postgres(&self.client), dicts: &self.dicts }
    }

    fn reopen(&self) -> Result<Box<dyn Backend>, Error> {
        Ok(Box::new(PgStore::connect(&self.connect_url)?))
    }

    fn version(&self) -> Result<Option<u64>, Error> {
        // The last document number handed out (by any writer) and the story update's generation.
        let r = self.client()?.query_one(
            "SELECT (SELECT last_value FROM document_seq), \
             coalesce((SELECT convert_from(value, 'UTF8') FROM cluster_state WHERE name = 'generation'), '0')",
            &[],
        )?;
        let generation: u64 = r.get::<_, String>(1).parse().unwrap_or(0);
        Ok(Some((r.get::<_, i64>(0) as u64).wrapping_mul(1_000_003).wrapping_add(generation)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_show_a_password() {
        for (given, shown) in [
            ("postgres://marsad:s3cret@db:5432/marsad", "postgres://marsad@db:5432/marsad"),
            (
                "postgres://marsad@db/marsad?password=s3cret&sslmode=disable",
                "postgres://marsad@db/marsad?sslmode=disable",
            ),
            ("postgresql://db/marsad?password=s3cret", "postgresql://db/marsad"),
            ("host=db user=marsad password=s3cret dbname=marsad", "host=db user=marsad dbname=marsad"),
        ] {
            assert_eq!(without_password(given), shown);
        }
    }

    #[test]
    fn months_and_their_partitions() {
        assert_eq!(month_of(Some("2018-05-03T10:00:00Z")), "2018-05");
        for undated in [None, Some(""), Some("2018-13-01"), Some("yesterday"), Some("٢٠١٨-٠٥")] {
            assert_eq!(month_of(undated), "", "{undated:?}");
        }
        assert_eq!(partition("2018-12"), ("documents_y2018m12".into(), "2018-12".into(), "2019-01".into()));
        assert_eq!(month_of_partition("documents_y2018m12").as_deref(), Some("2018-12"));
        assert_eq!(month_of_partition("documents_undated"), None);
    }
}
