//! The SQLite schema and its migrations.
//!
//! Each migration is one SQL script; a store's version is SQLite's `user_version`. Opening a
//! store applies, in one transaction each, every migration above its version, so an older store
//! is brought up to date and a half-applied migration never exists. A store newer than this
//! binary is refused rather than misread. Hand-written: `rusqlite_migration` does the same but
//! needs a newer compiler than the workspace's minimum.

use rusqlite::{Connection, TransactionBehavior};

/// Migrations in order; migration `n` (1-based) brings a store from version `n - 1` to `n`.
pub const MIGRATIONS: &[&str] = &[
    // 1: documents with their raw input and analysis; the analysis' rows for queries.
    r#"
CREATE TABLE documents (
    seq         INTEGER PRIMARY KEY,  -- insertion order; the search index's key
    id          TEXT NOT NULL UNIQUE, -- content hash or the id the input gave
    source      TEXT NOT NULL,        -- the file (or stream) it was first read from
    line        INTEGER,              -- its line there (JSONL)
    format      TEXT NOT NULL,        -- text | html | json
    encoding    TEXT NOT NULL,
    bytes       INTEGER NOT NULL,     -- size of the raw record
    meta        TEXT NOT NULL,        -- JSON of what was given beside the input (for re-analysis)
    title       TEXT,
    outlet      TEXT,
    published   TEXT,                 -- ISO date or date-time, as analyzed
    url         TEXT,
    genre       TEXT NOT NULL,
    language    TEXT NOT NULL,
    analyzer    TEXT NOT NULL,        -- analyzer version of the analysis
    -- One zstd frame: the raw record's length (u32, little-endian), the raw record verbatim,
    -- then the marsad.document/1 JSON. One frame, so that the article text the two share is
    -- compressed once (a third smaller than two frames); with the store's dictionary once it
    -- has one (a third smaller again).
    content     BLOB NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE INDEX documents_published ON documents(published);
CREATE INDEX documents_outlet ON documents(outlet);
CREATE INDEX documents_analyzer ON documents(analyzer);

-- Coded events (those with an ACLED type), one row each, for filtering; the event itself is
-- in the document's analysis at index `idx`.
CREATE TABLE events (
    doc_seq        INTEGER NOT NULL REFERENCES documents(seq) ON DELETE CASCADE,
    idx            INTEGER NOT NULL,  -- index in the document's events
    event_type     TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    modality       TEXT NOT NULL,
    date           TEXT,
    country        TEXT,
    admin1         TEXT,
    lat            REAL,
    lon            REAL,
    actor1         TEXT,              -- linked actor ids
    actor2         TEXT,
    fatalities     INTEGER,
    PRIMARY KEY (doc_seq, idx)
) WITHOUT ROWID;
CREATE INDEX events_date ON events(date);
CREATE INDEX events_type ON events(event_type, date);
CREATE INDEX events_country ON events(country, date);
CREATE INDEX events_actor1 ON events(actor1) WHERE actor1 IS NOT NULL;
CREATE INDEX events_actor2 ON events(actor2) WHERE actor2 IS NOT NULL;

-- Linked entities per document (an actor of the knowledge base, with its mention count); every
-- entity, linked or not, is in the document's analysis.
CREATE TABLE entities (
    doc_seq  INTEGER NOT NULL REFERENCES documents(seq) ON DELETE CASCADE,
    actor_id TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    PRIMARY KEY (doc_seq, actor_id)
) WITHOUT ROWID;
CREATE INDEX entities_actor ON entities(actor_id);

-- The linked actors seen so far, with their names (as the knowledge base gave them).
CREATE TABLE actors (
    id      TEXT PRIMARY KEY,
    type    TEXT NOT NULL,
    name_ar TEXT,
    name_en TEXT,
    kind    TEXT
) WITHOUT ROWID;

-- Resolved places per document (a gazetteer entry, with its mention count); every toponym,
-- resolved or not, is in the document's analysis.
CREATE TABLE places (
    doc_seq  INTEGER NOT NULL REFERENCES documents(seq) ON DELETE CASCADE,
    place_id TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    PRIMARY KEY (doc_seq, place_id)
) WITHOUT ROWID;
CREATE INDEX places_place ON places(place_id);

-- The gazetteer entries seen so far.
CREATE TABLE gazetteer (
    id        TEXT PRIMARY KEY,
    name_ar   TEXT,
    name_en   TEXT,
    country   TEXT,
    admin1    TEXT,
    admin2    TEXT,
    lat       REAL,
    lon       REAL,
    feature   TEXT,
    precision INTEGER
) WITHOUT ROWID;
CREATE INDEX gazetteer_country ON gazetteer(country);

CREATE TABLE quotes (
    doc_seq    INTEGER NOT NULL REFERENCES documents(seq) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    speaker_id TEXT,
    speaker    TEXT,
    cue        TEXT,
    channel    TEXT,
    start      INTEGER NOT NULL,
    end        INTEGER NOT NULL,
    PRIMARY KEY (doc_seq, idx)
) WITHOUT ROWID;
CREATE INDEX quotes_speaker ON quotes(speaker_id) WHERE speaker_id IS NOT NULL;

-- zstd dictionaries that stored content may be compressed with, by zstd's dictionary id.
CREATE TABLE dictionaries (
    id      INTEGER PRIMARY KEY,
    dict    BLOB NOT NULL,
    created TEXT NOT NULL
);

-- Documents stored or re-analyzed whose search-index entry is not committed yet.
CREATE TABLE pending_index (seq INTEGER PRIMARY KEY);

-- Records that could not be stored, by where they were read.
CREATE TABLE rejected (
    source     TEXT NOT NULL,
    line       INTEGER NOT NULL,      -- 0 for a whole input
    kind       TEXT NOT NULL,
    message    TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    times      INTEGER NOT NULL,
    PRIMARY KEY (source, line)
);

-- One row per ingest or reanalysis run.
CREATE TABLE runs (
    id       INTEGER PRIMARY KEY,
    command  TEXT NOT NULL,
    started  TEXT NOT NULL,
    finished TEXT,
    summary  TEXT
);
"#,
    // 2: near-duplicates, clustering profiles, stories and canonical (cross-source) events.
    r#"
-- The original a near-duplicate copies (syndicated copy, a re-published article); its events
-- are not event data of their own.
ALTER TABLE documents ADD COLUMN duplicate_of INTEGER REFERENCES documents(seq);
CREATE INDEX documents_duplicate ON documents(duplicate_of) WHERE duplicate_of IS NOT NULL;

-- What clustering reads of a document (marsad_cluster::Profile, postcard, zstd-compressed like
-- the content), computed with the analysis, and the MinHash signature of its body (84 u16,
-- little-endian; NULL when too short, and for a near-duplicate).
CREATE TABLE profiles (
    doc_seq   INTEGER PRIMARY KEY REFERENCES documents(seq) ON DELETE CASCADE,
    signature BLOB,
    profile   BLOB NOT NULL
);

CREATE TABLE stories (
    id        INTEGER PRIMARY KEY,   -- 1-based, in order of creation
    label_ar  TEXT NOT NULL,         -- the title of its most central article
    label_en  TEXT NOT NULL,         -- its strongest places and actors, and its main event type
    first_day TEXT NOT NULL,
    last_day  TEXT NOT NULL,
    documents INTEGER NOT NULL,
    outlets   INTEGER NOT NULL,
    events    INTEGER NOT NULL,      -- canonical events
    central   INTEGER NOT NULL REFERENCES documents(seq)
);
CREATE INDEX stories_last_day ON stories(last_day);

CREATE TABLE story_members (
    doc_seq    INTEGER PRIMARY KEY REFERENCES documents(seq) ON DELETE CASCADE,
    story      INTEGER NOT NULL,
    similarity REAL NOT NULL         -- cosine to the story's centroid when it joined
);
CREATE INDEX story_members_story ON story_members(story);

-- One row per real-world event; its best-supported values, and the mention that stands for it.
CREATE TABLE canonical_events (
    id             INTEGER PRIMARY KEY,
    story          INTEGER NOT NULL,
    event_type     TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    date           TEXT NOT NULL,
    country        TEXT,
    admin1         TEXT,
    lat            REAL,
    lon            REAL,
    actor1         TEXT,
    actor2         TEXT,
    fatalities     INTEGER,
    mentions       INTEGER NOT NULL,
    articles       INTEGER NOT NULL,
    sources        TEXT NOT NULL,     -- JSON array of outlets
    rep_seq        INTEGER NOT NULL,  -- the representative mention (document, event index)
    rep_idx        INTEGER NOT NULL,
    summary        TEXT NOT NULL      -- JSON: every report of a count, the disagreements
);
CREATE INDEX canonical_events_date ON canonical_events(date);
CREATE INDEX canonical_events_type ON canonical_events(event_type, date);
CREATE INDEX canonical_events_country ON canonical_events(country, date);
CREATE INDEX canonical_events_story ON canonical_events(story);

CREATE TABLE event_mentions (
    doc_seq   INTEGER NOT NULL,
    idx       INTEGER NOT NULL,
    canonical INTEGER NOT NULL,
    PRIMARY KEY (doc_seq, idx)
) WITHOUT ROWID;
CREATE INDEX event_mentions_canonical ON event_mentions(canonical);

-- The clusterers' state (zstd-compressed postcard) and the last document clustered.
CREATE TABLE cluster_state (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
"#,
    // 3: timelines and map points read canonical events through an index that holds every
    // column they filter and count by, instead of the rows with their JSON summaries.
    r#"
CREATE INDEX canonical_events_timeline ON canonical_events(date, event_type, sub_event_type, country, actor1, actor2, fatalities);
"#,
    // 4: the opening of each document's body, apart from its content, for search snippets
    // (most are found there; reading it is a small row and a small frame instead of the whole
    // content's). Filled for the stored documents by the step's own code (`lib.rs`).
    r#"
CREATE TABLE openings (
    doc_seq    INTEGER PRIMARY KEY REFERENCES documents(seq) ON DELETE CASCADE,
    body_bytes INTEGER NOT NULL,  -- the whole body's length: the opening is all of it when equal
    opening    BLOB NOT NULL      -- its first bytes, cut at a space, compressed like the content
);
"#,
];

/// Brings the schema up to date; returns the version the store had before. Each step reads the
/// version inside a write transaction, so two processes opening a new store at once (an ingest
/// and a status) never both apply the same migration. `fill` runs in the step's transaction
/// after its script, with the version it brings the store to, for what SQL alone cannot
/// compute (rows derived from the stored content).
pub fn migrate(
    conn: &mut Connection,
    fill: impl Fn(&rusqlite::Transaction<'_>, u32) -> Result<(), crate::Error>,
) -> Result<u32, crate::Error> {
    let latest = MIGRATIONS.len() as u32;
    let mut before = None;
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        before.get_or_insert(version);
        if version > latest {
            return Err(crate::Error::NewerSchema { found: version, supported: latest });
        }
        if version == latest {
            tx.commit()?;
            return Ok(before.unwrap_or(version));
        }
        tx.execute_batch(MIGRATIONS[version as usize])?;
        fill(&tx, version + 1)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}
