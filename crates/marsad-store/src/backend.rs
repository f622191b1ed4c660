//! What ingestion, the stream's workers and the API's searches need of a store, whichever
//! system holds it: the embedded store of one data directory ([`crate::Store`]) or a shared
//! PostgreSQL database ([`crate::pg::PgStore`]).

use crate::{Codec, Error, Filter, Prepared, Rejected, SearchResults, Stats, StoriesUpdate};
use marsad_core::Document;

/// A store of analyzed documents. Writes are batched; a document whose id is stored already
/// is skipped, so storing a batch again (a message delivered twice) adds nothing.
pub trait Backend: Send {
    /// Where the store is, for messages (a directory, a database without its password).
    fn location(&self) -> String;

    /// Makes sure this handle may write, now rather than at its first write (the embedded
    /// store has one writer; PostgreSQL takes many).
    fn lock_for_writing(&mut self) -> Result<(), Error>;

    /// Finishes what a writer that stopped left undone (the embedded store's index entries);
    /// returns how many documents it concerned.
    fn catch_up(&mut self) -> Result<usize, Error>;

    /// The codec to prepare documents with.
    fn codec(&self) -> Codec;

    /// A handle for another thread that says whether a document is stored.
    fn prober(&self) -> Result<Box<dyn Prober>, Error>;

    /// Stores a batch in one transaction; returns, for each document, whether it was added.
    fn put(&mut self, batch: &[Prepared]) -> Result<Vec<bool>, Error>;

    /// Replaces the analysis of stored documents (re-analysis), in one transaction; the stories
    /// are to be rebuilt after ([`Backend::rebuild_stories`]).
    fn replace(&mut self, batch: &[(u64, Prepared)]) -> Result<(), Error>;

    /// Up to `limit` documents after `after_seq` whose analyzer is not `version`, in order.
    fn stale(&self, version: &str, after_seq: u64, limit: usize) -> Result<Vec<crate::StoredOrigin>, Error>;

    /// How many documents an analyzer other than `version` analyzed.
    fn count_stale(&self, version: &str) -> Result<u64, Error>;

    /// Makes what was put searchable (the embedded store commits its index).
    fn flush(&mut self) -> Result<(), Error>;

    /// Records rejected records (a record rejected again updates its row).
    fn reject(&mut self, batch: &[Rejected]) -> Result<(), Error>;

    /// Forgets the rejection of a record that is now stored.
    fn clear_rejection(&mut self, source: &str, line: u64) -> Result<(), Error>;

    /// Rejected records, by source and line.
    fn rejected(&self, limit: usize) -> Result<Vec<Rejected>, Error>;

    /// Starts a run log entry; returns its id.
    fn begin_run(&mut self, command: &str) -> Result<i64, Error>;

    /// Ends a run log entry with what the run did.
    fn end_run(&mut self, id: i64, summary: &serde_json::Value) -> Result<(), Error>;

    /// The stored analysis of a document.
    fn document(&self, id: &str) -> Result<Option<Document>, Error>;

    /// The raw record of a document, verbatim.
    fn raw(&self, id: &str) -> Result<Option<Vec<u8>>, Error>;

    /// Counts of what the store holds.
    fn stats(&self) -> Result<Stats, Error>;

    /// Full-text search with filters, ranking, snippets and facets.
    fn search(&self, query: &str, filter: &Filter, limit: usize, offset: usize) -> Result<SearchResults, Error>;

    /// Brings the stories up to date with the documents stored since the last update.
    fn update_stories(&mut self, clock: i32) -> Result<StoriesUpdate, Error>;

    /// Checks the store is whole and computes its digests (reads everything; writes nothing).
    fn check(&self) -> Result<crate::Check, Error>;

    /// What the API and the exports read (stories, events, actors, places, exports).
    fn read(&self) -> crate::Read<'_>;

    /// Another handle on the same store, to read beside this one.
    fn reopen(&self) -> Result<Box<dyn Backend>, Error>;

    /// Makes what another handle wrote visible to this handle's searches (the embedded
    /// store's index reader; PostgreSQL sees every commit).
    fn refresh(&self) -> Result<(), Error> {
        Ok(())
    }

    /// For a store other processes write to (PostgreSQL: workers, other servers), a number
    /// that changes when they write; `None` when only this process writes (the embedded
    /// store's single writer), which then knows when it wrote.
    fn version(&self) -> Result<Option<u64>, Error> {
        Ok(None)
    }

    /// Forgets every story and canonical event and clusters the whole store again (after a
    /// re-analysis, or with another tuning: `config`, `None` for the default).
    fn rebuild_stories(&mut self, clock: i32, config: Option<marsad_cluster::Config>) -> Result<StoriesUpdate, Error>;

    /// Tidies up after a large write or before closing (the embedded store saves the
    /// clusterers' state if it is behind and truncates its write-ahead log).
    fn checkpoint(&mut self) -> Result<(), Error> {
        Ok(())
    }

    /// Saves the story clusterers' state at most every `every` instead of at every update
    /// (for many small updates, such as a server's posts); [`Backend::checkpoint`] saves what
    /// is behind. The embedded store only: PostgreSQL saves at every update.
    fn save_cluster_state_every(&mut self, every: Option<std::time::Duration>) {
        let _ = every;
    }
}

/// Says whether a document is stored (analysis threads ask it before analyzing a record).
pub trait Prober: Send {
    fn contains(&mut self, id: &str) -> Result<bool, Error>;
}

impl Backend for crate::Store {
    fn location(&self) -> String {
        self.dir().display().to_string()
    }

    fn lock_for_writing(&mut self) -> Result<(), Error> {
        crate::Store::lock_for_writing(self)
    }

    fn catch_up(&mut self) -> Result<usize, Error> {
        crate::Store::catch_up(self)
    }

    fn codec(&self) -> Codec {
        crate::Store::codec(self)
    }

    fn prober(&self) -> Result<Box<dyn Prober>, Error> {
        Ok(Box::new(self.reader()?))
    }

    fn put(&mut self, batch: &[Prepared]) -> Result<Vec<bool>, Error> {
        crate::Store::put(self, batch)
    }

    fn flush(&mut self) -> Result<(), Error> {
        crate::Store::flush(self)
    }

    fn replace(&mut self, batch: &[(u64, Prepared)]) -> Result<(), Error> {
        crate::Store::replace(self, batch)
    }

    fn stale(&self, version: &str, after_seq: u64, limit: usize) -> Result<Vec<crate::StoredOrigin>, Error> {
        crate::Store::stale(self, version, after_seq, limit)
    }

    fn count_stale(&self, version: &str) -> Result<u64, Error> {
        crate::Store::count_stale(self, version)
    }

    fn rebuild_stories(&mut self, clock: i32, config: Option<marsad_cluster::Config>) -> Result<StoriesUpdate, Error> {
        crate::Store::rebuild_stories(self, clock, config)
    }

    fn reject(&mut self, batch: &[Rejected]) -> Result<(), Error> {
        crate::Store::reject(self, batch)
    }

    fn clear_rejection(&mut self, source: &str, line: u64) -> Result<(), Error> {
        crate::Store::clear_rejection(self, source, line)
    }

    fn rejected(&self, limit: usize) -> Result<Vec<Rejected>, Error> {
        crate::Store::rejected(self, limit)
    }

    fn begin_run(&mut self, command: &str) -> Result<i64, Error> {
        crate::Store::begin_run(self, command)
    }

    fn end_run(&mut self, id: i64, summary: &serde_json::Value) -> Result<(), Error> {
        crate::Store::end_run(self, id, summary)
    }

    fn document(&self, id: &str) -> Result<Option<Document>, Error> {
        crate::Store::document(self, id)
    }

    fn raw(&self, id: &str) -> Result<Option<Vec<u8>>, Error> {
        crate::Store::raw(self, id)
    }

    fn stats(&self) -> Result<Stats, Error> {
        crate::Store::stats(self)
    }

    fn search(&self, query: &str, filter: &Filter, limit: usize, offset: usize) -> Result<SearchResults, Error> {
        crate::Store::search(self, query, filter, limit, offset)
    }

    fn update_stories(&mut self, clock: i32) -> Result<StoriesUpdate, Error> {
        crate::Store::update_stories(self, clock)
    }

    fn save_cluster_state_every(&mut self, every: Option<std::time::Duration>) {
        crate::Store::save_cluster_state_every(self, every);
    }

    fn checkpoint(&mut self) -> Result<(), Error> {
        crate::Store::checkpoint(self)
    }

    fn read(&self) -> crate::Read<'_> {
        crate::Store::read(self)
    }

    fn reopen(&self) -> Result<Box<dyn Backend>, Error> {
        Ok(Box::new(crate::Store::open_existing(self.dir())?))
    }

    fn refresh(&self) -> Result<(), Error> {
        crate::Store::refresh(self)
    }

    fn check(&self) -> Result<crate::Check, Error> {
        crate::Store::check(self)
    }
}

impl Prober for crate::Probe {
    fn contains(&mut self, id: &str) -> Result<bool, Error> {
        crate::Probe::contains(self, id)
    }
}
