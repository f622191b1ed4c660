//! `Store::check`: is the store whole, and what does it hold? SQLite's own integrity and
//! foreign-key checks, every document's content read back, the search index holding each
//! stored document once, the clustering tables pointing at rows that exist — and a digest of
//! everything the store holds (not when or how often it was written), so that two stores that
//! hold the same can be told apart from two that do not: a store ingested in one run and one
//! whose ingest was killed and run again must have the same digest.

use crate::codec::Content;
use crate::{Error, Store};
use rusqlite::types::ValueRef;
use serde::Serialize;
use std::collections::BTreeSet;

/// What [`Store::check`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Check {
    pub documents: u64,
    /// Documents the search index holds.
    pub indexed: u64,
    /// Documents stored whose search-index entry was not committed yet (a run stopped before
    /// it; the next write indexes them). Not a problem: searches miss them until then.
    pub pending: u64,
    /// What is wrong; empty when the store is whole.
    pub problems: Vec<String>,
    /// BLAKE3 over the documents (raw records and analyses, decompressed), the analysis'
    /// rows, rejections (without their times), stories, canonical events and clustering
    /// state. Runs, timestamps, compression dictionaries and the index's segments are left out.
    /// Each backend's own: its rows are in its own types.
    pub digest: String,
    /// BLAKE3 over each document's id, raw record and analysis, in any order: the same in every
    /// backend that holds the same documents analyzed alike.
    pub analyses: String,
}

/// The referential checks every backend runs with the same SQL: (what, a query counting it).
pub(crate) const DANGLING: &[(&str, &str)] = &[
    (
        "event mentions of a missing canonical event",
        "SELECT count(*) FROM event_mentions WHERE canonical NOT IN (SELECT id FROM canonical_events)",
    ),
    (
        "canonical events of a missing story",
        "SELECT count(*) FROM canonical_events WHERE story NOT IN (SELECT id FROM stories)",
    ),
    (
        "story members of a missing story",
        "SELECT count(*) FROM story_members WHERE story NOT IN (SELECT id FROM stories)",
    ),
    (
        "event mentions of a missing document",
        "SELECT count(*) FROM event_mentions WHERE doc_seq NOT IN (SELECT seq FROM documents)",
    ),
];

/// The order-independent sums of [`Check::digest`] and [`Check::analyses`].
#[derive(Default)]
pub(crate) struct Digests {
    pub rows: RowSum,
    pub analyses: RowSum,
}

impl Digests {
    /// Counts a document's content in.
    pub(crate) fn content(&mut self, seq: u64, id: &str, content: &Content) {
        let mut h = blake3::Hasher::new();
        h.update(b"content").update(&seq.to_le_bytes()).update(content.raw()).update(content.analysis());
        self.rows.add(h.finalize());
        let mut h = blake3::Hasher::new();
        h.update(&(id.len() as u64).to_le_bytes()).update(id.as_bytes());
        h.update(&(content.raw().len() as u64).to_le_bytes()).update(content.raw()).update(content.analysis());
        self.analyses.add(h.finalize());
    }

    /// Writes both digests into `out`.
    pub(crate) fn finish(self, out: &mut Check) {
        out.digest = self.rows.hex();
        out.analyses = self.analyses.hex();
    }
}

/// Columns left out of the digest: when and how often, not what.
pub(crate) const UNHASHED: &[(&str, &str)] = &[
    ("documents", "content"),
    ("documents", "ingested_at"),
    ("rejected", "first_seen"),
    ("rejected", "last_seen"),
    ("rejected", "times"),
];

/// Tables whose rows the digest covers (besides the documents' content).
pub(crate) const HASHED: &[&str] = &[
    "documents",
    "events",
    "entities",
    "actors",
    "places",
    "gazetteer",
    "quotes",
    "rejected",
    "profiles",
    "stories",
    "story_members",
    "canonical_events",
    "event_mentions",
    "cluster_state",
];

/// An order-independent digest of rows: the sum of their hashes (so the same rows in any
/// physical order give the same digest, and a repeated row counts twice).
#[derive(Default)]
pub(crate) struct RowSum([u64; 4]);

impl RowSum {
    pub(crate) fn hex(&self) -> String {
        let mut h = blake3::Hasher::new();
        for word in self.0 {
            h.update(&word.to_le_bytes());
        }
        h.finalize().to_hex().to_string()
    }

    pub(crate) fn add(&mut self, hash: blake3::Hash) {
        for (acc, chunk) in self.0.iter_mut().zip(hash.as_bytes().chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *acc = acc.wrapping_add(u64::from_le_bytes(b));
        }
    }
}

fn hash_value(h: &mut blake3::Hasher, v: ValueRef<'_>) {
    // A type tag and a length before each value: no two different rows hash alike.
    match v {
        ValueRef::Null => h.update(b"n"),
        ValueRef::Integer(i) => h.update(b"i").update(&i.to_le_bytes()),
        ValueRef::Real(f) => h.update(b"r").update(&f.to_bits().to_le_bytes()),
        ValueRef::Text(t) => h.update(b"t").update(&(t.len() as u64).to_le_bytes()).update(t),
        ValueRef::Blob(b) => h.update(b"b").update(&(b.len() as u64).to_le_bytes()).update(b),
    };
}

/// Reads a stored document's content back, noting in `problems` what is wrong with it or with
/// its stored opening (`opening`: the stored body length and frame, if any). Openings are
/// derived from the analysis, so the digests leave them out. `None` when the content cannot
/// be read.
pub(crate) fn read_back(
    dicts: &crate::codec::Dictionaries,
    id: &str,
    z: &[u8],
    opening: Option<(u64, &[u8])>,
    problems: &mut Vec<String>,
) -> Option<Content> {
    let content = match Content::unpack(dicts, z) {
        Ok(c) => c,
        Err(e) => {
            problems.push(format!("document {id}: content cannot be read: {e}"));
            return None;
        }
    };
    let problem = match content.document() {
        Ok(doc) if doc.id == id => match opening.map(|(bytes, z)| (bytes, dicts.text(z))) {
            None => Some("no opening stored".to_owned()),
            Some((bytes, Ok(text))) if bytes == doc.body.len() as u64 && text == crate::opening(&doc.body) => None,
            Some((_, Ok(_))) => Some("its stored opening is not its body's".to_owned()),
            Some((_, Err(e))) => Some(format!("its opening cannot be read: {e}")),
        },
        Ok(doc) => Some(format!("its analysis is of {:?}", doc.id)),
        Err(e) => Some(format!("analysis cannot be read: {e}")),
    };
    problems.extend(problem.map(|p| format!("document {id}: {p}")));
    Some(content)
}

impl Store {
    /// Checks the store and computes its digest (reads everything: seconds per 10,000
    /// documents). Writes nothing.
    pub fn check(&self) -> Result<Check, Error> {
        let mut out = Check::default();
        let integrity: Vec<String> =
            self.conn.prepare("PRAGMA integrity_check")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        if integrity != ["ok"] {
            out.problems.extend(integrity.into_iter().map(|m| format!("database: {m}")));
        }
        let broken_keys: Vec<(String, i64, String)> = self
            .conn
            .prepare("PRAGMA foreign_key_check")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        for (table, row, parent) in broken_keys {
            out.problems.push(format!("{table} row {row} points to a missing {parent} row"));
        }
        for (what, sql) in DANGLING {
            let n: u64 = self.conn.query_row(sql, [], |r| r.get(0))?;
            if n > 0 {
                out.problems.push(format!("{n} {what}"));
            }
        }
        let pending: BTreeSet<u64> = self
            .conn
            .prepare("SELECT seq FROM pending_index")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        out.pending = pending.len() as u64;

        let mut total = Digests::default();
        let mut stored = BTreeSet::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT d.seq, d.id, d.content, o.body_bytes, o.opening FROM documents d \
                 LEFT JOIN openings o ON o.doc_seq = d.seq",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let (seq, id): (u64, String) = (r.get(0)?, r.get(1)?);
                stored.insert(seq);
                let z = r.get_ref(2)?.as_blob().map_err(rusqlite::Error::from)?;
                let opening: Option<(u64, &[u8])> = match (r.get::<_, Option<u64>>(3)?, r.get_ref(4)?.as_blob_or_null())
                {
                    (Some(n), Ok(Some(z))) => Some((n, z)),
                    _ => None,
                };
                if let Some(content) = read_back(&self.dicts, &id, z, opening, &mut out.problems) {
                    total.content(seq, &id, &content);
                }
            }
        }
        out.documents = stored.len() as u64;

        let indexed = self.index.seqs()?;
        out.indexed = indexed.len() as u64;
        let unique: BTreeSet<u64> = indexed.iter().copied().collect();
        if unique.len() != indexed.len() {
            out.problems.push(format!("the search index holds {} documents twice", indexed.len() - unique.len()));
        }
        if let Some(seq) = unique.difference(&stored).next() {
            let n = unique.difference(&stored).count();
            out.problems.push(format!("the search index holds {n} documents the store lacks (seq {seq} …)"));
        }
        let missing: Vec<u64> = stored.difference(&unique).filter(|s| !pending.contains(s)).copied().collect();
        if let Some(seq) = missing.first() {
            out.problems.push(format!(
                "{} stored documents are neither in the search index nor pending (seq {seq} …)",
                missing.len()
            ));
        }

        for table in HASHED {
            let columns: Vec<String> = self
                .conn
                .prepare(&format!("PRAGMA table_info({table})"))?
                .query_map([], |r| r.get::<_, String>(1))?
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .filter(|c| !UNHASHED.contains(&(table, c.as_str())))
                .collect();
            // Table and column names are this module's constants and the schema's own names.
            let quoted: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
            let mut stmt = self.conn.prepare(&format!("SELECT {} FROM {table}", quoted.join(", ")))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let mut h = blake3::Hasher::new();
                h.update(table.as_bytes());
                for i in 0..columns.len() {
                    hash_value(&mut h, r.get_ref(i)?);
                }
                total.rows.add(h.finalize());
            }
        }
        total.finish(&mut out);
        Ok(out)
    }
}
