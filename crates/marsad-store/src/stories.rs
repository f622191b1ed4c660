//! Stories and canonical events in the store: the serialized clustering step and its queries.
//!
//! [`Store::update_stories`] takes the documents stored since the last update, in store order,
//! through the story clusterer and the cross-source event merger (marsad-cluster), and writes
//! what changed — members, stories, canonical events, mentions and the clusterers' state — in
//! one transaction. A near-duplicate joins its original's story and brings no events. The
//! clock (a day) stands for the publication day of articles without one; nothing else reads
//! time, so the same store gives the same stories.

use crate::codec::Content;
use crate::sql::Row;
use crate::{Error, Read, Store};
use marsad_cluster::framing::{FramingHit, Lexicon};
use marsad_cluster::profile::EventFacts;
use marsad_cluster::{Clusterer, Config, Mention, Merger, Profile, day_string};
use rusqlite::{OptionalExtension, params};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

const STATE_STORIES: &str = "stories";
const STATE_EVENTS: &str = "events";
const STATE_LAST: &str = "last_seq";
const STATE_PENDING: &str = "pending";

/// When the clusterers' state is saved less often than every update (a server taking posts
/// one after another), the updates since: what replaying them onto the saved state needs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub(crate) struct Pending {
    /// The last document the saved state holds.
    snapshot: u64,
    /// Each later update: (its last document, its clock).
    updates: Vec<(u64, i32)>,
}

/// Updates whose state is not saved, and documents in them, past which the next update saves
/// the state whenever it is due: bounds what a reopened store replays.
const MAX_PENDING_UPDATES: usize = 2_000;
const MAX_PENDING_DOCUMENTS: u64 = 5_000;

/// What an update did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StoriesUpdate {
    /// Documents clustered by this update.
    pub documents: u64,
    /// Of which near-duplicates (joined to their original's story).
    pub duplicates: u64,
    pub new_stories: u64,
    /// Event mentions merged (coded events of the documents).
    pub mentions: u64,
    pub new_events: u64,
    /// Totals after the update.
    pub stories: u64,
    pub events: u64,
    pub seconds: f64,
}

/// A story as listed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoryRow {
    pub id: u64,
    pub label_ar: String,
    pub label_en: String,
    pub first_day: String,
    pub last_day: String,
    /// How many articles, outlets and canonical events.
    pub articles: u64,
    pub outlets: u64,
    pub events: u64,
    /// The articles' ids, in store order.
    pub documents: Vec<String>,
}

/// Which stories to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoryQuery {
    /// Stories with coverage on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Stories that started on or before this day.
    pub to: Option<String>,
    pub min_documents: u64,
    pub min_outlets: u64,
    /// Largest first instead of latest first.
    pub by_size: bool,
    pub limit: usize,
    pub offset: usize,
}

/// An article of a story.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoryDocument {
    pub id: String,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<String>,
    pub genre: String,
    pub url: Option<String>,
    pub similarity: f64,
    /// The id of the original this article copies.
    pub duplicate_of: Option<String>,
}

/// One article's report of a canonical event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventMention {
    pub document: String,
    pub outlet: Option<String>,
    pub idx: u64,
    pub start: usize,
    pub end: usize,
    pub evidence: String,
}

/// A real-world event with its best-supported values and every report of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CanonicalEvent {
    pub id: u64,
    pub story: u64,
    pub event_type: String,
    pub sub_event_type: String,
    pub date: String,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub location: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub actor1: Option<String>,
    pub actor2: Option<String>,
    pub fatalities: Option<u64>,
    pub articles: u64,
    pub sources: Vec<String>,
    /// Every report of a count with its outlet, and the fields the articles disagree on.
    pub summary: serde_json::Value,
    pub mentions: Vec<EventMention>,
}

/// The words one outlet used.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OutletFraming {
    pub outlet: String,
    /// news, opinion, … and how many of the story's articles of this outlet are each.
    pub genres: BTreeMap<String, u64>,
    /// The lexicon terms it used: (frame, term) → uses in its own voice and in quotes, with the
    /// first place each was found.
    pub terms: Vec<FramingUse>,
    /// Who it quoted, and how often.
    pub speakers: Vec<(String, u64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FramingUse {
    pub term: String,
    pub frame: String,
    pub stance: String,
    pub about: String,
    pub gloss: String,
    pub own_voice: u64,
    pub quoted: u64,
    /// Where the first use stands: the document and the words as written.
    pub document: String,
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// A quote of the story.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoryQuote {
    pub document: String,
    pub outlet: Option<String>,
    pub speaker: Option<String>,
    pub speaker_id: Option<String>,
    pub cue: Option<String>,
    pub channel: Option<String>,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A story with its articles, events, framing and quotes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoryDetail {
    #[serde(flatten)]
    pub story: StoryRow,
    pub articles: Vec<StoryDocument>,
    pub events: Vec<CanonicalEvent>,
    pub framing: Vec<OutletFraming>,
    pub quotes: Vec<StoryQuote>,
}

fn pack(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    // Written at every update, so a fast level: on the 72k store level 9 spent 0.9 s per
    // update on the two states, the story state (16 MB, mostly floats) shrinking by a seventh;
    // level 1 takes a tenth of a second and leaves it 4% larger.
    zstd::bulk::compress(bytes, 1).map_err(|e| Error::Io("cluster state".into(), e))
}

/// The clusterers between two updates of one [`Store`]: reading them back from the stored
/// state took 0.4 s and a few hundred MB of short-lived allocations per update on the 72k
/// store, which a server taking posts one after another paid each time.
pub(crate) struct Clustering {
    pub clusterer: Clusterer,
    pub merger: Merger,
    last: u64,
    /// What the saved state lacks (nothing when every update saves it).
    pub pending: Pending,
    /// SQLite's `data_version` after the update's commit: another connection's commit
    /// changes it, and then the stored state is read again.
    data_version: i64,
}

fn unpack(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    zstd::stream::decode_all(bytes).map_err(|e| Error::Io("cluster state".into(), e))
}

/// A document as the clustering step takes it, in store order.
pub(crate) struct ToCluster {
    pub seq: u64,
    /// The original it copies, if it is a near-duplicate.
    pub duplicate_of: Option<u64>,
    pub profile: Profile,
}

/// What one update changes, for a store to write.
pub(crate) struct Changes {
    /// (document, story, similarity).
    pub members: Vec<(u64, u64, f32)>,
    /// (document, event index, canonical event).
    pub mentions: Vec<(u64, u32, u64)>,
    /// Canonical events to write again.
    pub events: BTreeSet<u64>,
    /// Stories documents joined: their rows to write again.
    pub stories: BTreeSet<u64>,
    pub update: StoriesUpdate,
}

impl Clustering {
    /// Reads the clusterers from their stored state (`state` gives a state's bytes by name),
    /// or starts them anew with `config`.
    pub(crate) fn from_state(
        mut state: impl FnMut(&str) -> Result<Option<Vec<u8>>, Error>,
        config: Option<Config>,
    ) -> Result<Clustering, Error> {
        let clusterer = match state(STATE_STORIES)?.map(|b| unpack(&b)).transpose()? {
            Some(b) => Clusterer::from_bytes(&b).map_err(|e| corrupt("story state", e))?,
            None => Clusterer::new(config.unwrap_or_default()),
        };
        let merger = match state(STATE_EVENTS)?.map(|b| unpack(&b)).transpose()? {
            Some(b) => Merger::from_bytes(&b).map_err(|e| corrupt("event state", e))?,
            None => Merger::default(),
        };
        let last = state(STATE_LAST)?
            .map(|b| unpack(&b))
            .transpose()?
            .and_then(|b| std::str::from_utf8(&b).ok().and_then(|s| s.parse().ok()))
            .unwrap_or(0);
        let pending = match state(STATE_PENDING)? {
            Some(b) => serde_json::from_slice(&unpack(&b)?).map_err(|e| corrupt("list of unsaved updates", e))?,
            None => Pending { snapshot: last, updates: Vec::new() },
        };
        // The saved clusterers hold the documents up to the snapshot; the caller replays the rest.
        Ok(Clustering { clusterer, merger, last: pending.snapshot, pending, data_version: 0 })
    }

    /// Whether the saved state lags behind the updates.
    pub(crate) fn unsaved(&self) -> bool {
        !self.pending.updates.is_empty()
    }

    /// Whether an update that leaves the state unsaved must save it anyway, to bound what a
    /// reopened store replays.
    fn too_far_behind(&self) -> bool {
        self.pending.updates.len() >= MAX_PENDING_UPDATES
            || self.last.saturating_sub(self.pending.snapshot) >= MAX_PENDING_DOCUMENTS
    }

    /// The list of unsaved updates, as stored beside an older state.
    fn pending_state(&self) -> Result<(&'static str, Vec<u8>), Error> {
        Ok((STATE_PENDING, pack(&serde_json::to_vec(&self.pending)?)?))
    }

    fn last_state(&self) -> Result<(&'static str, Vec<u8>), Error> {
        Ok((STATE_LAST, pack(self.last.to_string().as_bytes())?))
    }

    /// The state to store after an update: (name, compressed bytes).
    pub(crate) fn state(&self) -> Result<[(&'static str, Vec<u8>); 3], Error> {
        Ok([
            (STATE_STORIES, pack(&self.clusterer.to_bytes())?),
            (STATE_EVENTS, pack(&self.merger.to_bytes())?),
            self.last_state()?,
        ])
    }

    /// Takes `docs` through the story clusterer and the event merger. A near-duplicate joins
    /// its original's story (`story_of` says which story a document stored before this update
    /// is in) and brings no events.
    pub(crate) fn advance(
        &mut self,
        docs: Vec<ToCluster>,
        clock: i32,
        mut story_of: impl FnMut(u64) -> Result<Option<u64>, Error>,
    ) -> Result<Changes, Error> {
        let (stories_before, events_before) = (self.clusterer.stories().len(), self.merger.events().len());
        let mut c = Changes {
            members: Vec::with_capacity(docs.len()),
            mentions: Vec::new(),
            events: BTreeSet::new(),
            stories: BTreeSet::new(),
            update: StoriesUpdate::default(),
        };
        let mut joined: FxHashMap<u64, u64> = FxHashMap::default();
        for ToCluster { seq, duplicate_of, profile } in docs {
            self.last = self.last.max(seq);
            c.update.documents += 1;
            if let Some(original) = duplicate_of {
                let story = match joined.get(&original) {
                    Some(s) => Some(*s),
                    None => story_of(original)?,
                };
                if let Some(story) = story {
                    c.update.duplicates += 1;
                    c.members.push((seq, story, 1.0));
                    c.stories.insert(story);
                    joined.insert(seq, story);
                    continue;
                }
            }
            let a = self.clusterer.add(seq, &profile, clock);
            c.members.push((seq, a.story, a.similarity));
            joined.insert(seq, a.story);
            c.stories.insert(a.story);
            for e in &profile.events {
                let id = self.merger.add(Mention {
                    seq,
                    story: a.story,
                    outlet: profile.outlet.clone(),
                    article_day: profile.day.unwrap_or(clock),
                    event: e.clone(),
                });
                c.mentions.push((seq, e.idx, id));
                c.events.insert(id);
                c.update.mentions += 1;
            }
        }
        c.update.new_stories = (self.clusterer.stories().len() - stories_before) as u64;
        c.update.new_events = (self.merger.events().len() - events_before) as u64;
        Ok(c)
    }

    /// Fills an update's totals and time.
    pub(crate) fn totals(&self, update: &mut StoriesUpdate, started: std::time::Instant) {
        update.stories = self.clusterer.stories().len() as u64;
        update.events = self.merger.events().len() as u64;
        update.seconds = started.elapsed().as_secs_f64();
    }
}

/// A canonical event's row.
pub(crate) struct CanonicalRow {
    pub story: u64,
    pub event_type: String,
    pub sub_event_type: String,
    pub date: String,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub actor1: Option<String>,
    pub actor2: Option<String>,
    pub fatalities: Option<u32>,
    pub mentions: u64,
    pub articles: u64,
    /// JSON array of outlets.
    pub sources: String,
    pub rep_seq: u64,
    pub rep_idx: u32,
    /// JSON: every report of a count, the disagreements, the place.
    pub summary: String,
}

impl CanonicalRow {
    pub(crate) fn of(merger: &Merger, id: u64, clock: i32) -> Result<Option<CanonicalRow>, Error> {
        let Some((c, s)) = merger.event(id).and_then(|c| Some((c, c.summary()?))) else { return Ok(None) };
        let v = &s.values;
        let place = v.place.as_ref();
        Ok(Some(CanonicalRow {
            story: c.story(),
            event_type: v.event_type.clone(),
            sub_event_type: v.sub_event_type.clone(),
            date: day_string(v.day.unwrap_or(clock)),
            country: place.and_then(|p| p.country.clone()),
            admin1: place.and_then(|p| p.admin1.clone()),
            lat: place.and_then(|p| p.lat),
            lon: place.and_then(|p| p.lon),
            actor1: v.actor1.clone(),
            actor2: v.actor2.clone(),
            fatalities: v.fatalities,
            mentions: c.mentions.len() as u64,
            articles: s.articles as u64,
            sources: serde_json::to_string(&s.sources)?,
            rep_seq: c.mentions[s.representative].seq,
            rep_idx: v.idx,
            summary: serde_json::to_string(&serde_json::json!({
                "fatality_reports": s.fatality_reports,
                "injury_reports": s.injury_reports,
                "disagreements": s.disagreements,
                "location": place.and_then(|p| p.name.clone()),
                "place_id": place.and_then(|p| p.id.clone()),
                "precision": v.precision,
            }))?,
        }))
    }
}

/// A story's label and span, from its strongest features (`name` gives the name of an actor
/// or place id).
pub(crate) struct StoryLabel {
    pub label_en: String,
    pub first_day: String,
    pub last_day: String,
    /// Its most central article, whose title is its Arabic label.
    pub central: u64,
}

impl StoryLabel {
    pub(crate) fn of(
        clusterer: &Clusterer,
        id: u64,
        mut name: impl FnMut(&str) -> Result<Option<String>, Error>,
    ) -> Result<Option<StoryLabel>, Error> {
        let Some(story) = clusterer.story(id) else { return Ok(None) };
        let Some(central) = story.central() else { return Ok(None) };
        let mut places = Vec::new();
        let mut actors = Vec::new();
        let mut kind = None;
        for (feature, _) in story.top_features(clusterer, 40) {
            if let Some(t) = feature.strip_prefix("y:") {
                kind.get_or_insert(t);
                continue;
            }
            let (list, key) = match (feature.strip_prefix("p:"), feature.strip_prefix("e:")) {
                (Some(k), _) => (&mut places, k),
                (_, Some(k)) => (&mut actors, k),
                _ => continue,
            };
            if list.len() < 2
                && let Some(n) = name(key)?
                && !list.contains(&n)
            {
                list.push(n);
            }
        }
        let mut label_en = places.join(", ");
        if !actors.is_empty() {
            if !label_en.is_empty() {
                label_en.push_str(" — ");
            }
            label_en.push_str(&actors.join(", "));
        }
        if let Some(kind) = kind {
            label_en = if label_en.is_empty() { kind.to_owned() } else { format!("{label_en} ({kind})") };
        }
        if label_en.is_empty() {
            label_en = format!("Story {id}");
        }
        Ok(Some(StoryLabel {
            label_en,
            first_day: day_string(story.first_day),
            last_day: day_string(story.last_day),
            central: central.seq,
        }))
    }
}

/// Profiles made for documents stored before profiles existed: (document, compressed profile).
type ProfilesMade = Vec<(u64, Vec<u8>)>;

/// Writes entries of the clusterers' state: (name, compressed bytes).
fn put_state(
    tx: &rusqlite::Transaction,
    entries: impl IntoIterator<Item = (&'static str, Vec<u8>)>,
) -> Result<(), Error> {
    let mut state = tx.prepare_cached("INSERT OR REPLACE INTO cluster_state (name, value) VALUES (?1, ?2)")?;
    for (name, value) in entries {
        state.execute(params![name, value])?;
    }
    Ok(())
}

/// Writes the whole state of the clusterers; no update is pending after it.
fn write_state(tx: &rusqlite::Transaction, clustering: &mut Clustering) -> Result<(), Error> {
    put_state(tx, clustering.state()?)?;
    tx.execute("DELETE FROM cluster_state WHERE name = ?1", [STATE_PENDING])?;
    clustering.pending = Pending { snapshot: clustering.last, updates: Vec::new() };
    Ok(())
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Export(format!("stored {what} cannot be read ({e}); rebuild with `marsad stories rebuild`"))
}

impl Store {
    fn state(&self, name: &str) -> Result<Option<Vec<u8>>, Error> {
        let v: Option<Vec<u8>> =
            self.conn.query_row("SELECT value FROM cluster_state WHERE name = ?1", [name], |r| r.get(0)).optional()?;
        v.map(|v| unpack(&v)).transpose()
    }

    /// The sequence number of the last document clustered (0: none).
    fn last_clustered(&self) -> Result<u64, Error> {
        Ok(self.state(STATE_LAST)?.and_then(|b| std::str::from_utf8(&b).ok().and_then(|s| s.parse().ok())).unwrap_or(0))
    }

    /// Clusters the documents stored since the last update. `clock` is the day (days since
    /// 1970-01-01) that stands for the publication day of articles without one.
    pub fn update_stories(&mut self, clock: i32) -> Result<StoriesUpdate, Error> {
        self.cluster(clock, None, false)
    }

    fn data_version(&self) -> Result<i64, Error> {
        Ok(self.conn.pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// Saves the clusterers' state at most every `every` (and when an update leaves it too far
    /// behind) instead of at every update: for a server taking posts one after another, where
    /// writing the whole state (16 MB on a 70,000-article store) each time cost most of a
    /// post's time and hundreds of MB of short-lived allocations. The updates in between are
    /// listed beside the saved state, with their clocks, and a store opened later replays them
    /// (clustering is deterministic), so a crash loses nothing. `None`: every update saves.
    pub fn save_cluster_state_every(&mut self, every: Option<std::time::Duration>) {
        self.cluster_state_every = every;
    }

    /// Saves the clusterers' state if updates since the last save left it behind.
    pub(crate) fn save_cluster_state(&mut self) -> Result<(), Error> {
        let Some(clustering) = self.clustering.as_mut().filter(|c| c.unsaved()) else { return Ok(()) };
        let tx = self.conn.transaction()?;
        write_state(&tx, clustering)?;
        tx.commit()?;
        // (`self.data_version()` would borrow the store while `clustering` is borrowed from it.)
        clustering.data_version = self.conn.pragma_query_value(None, "data_version", |r| r.get(0))?;
        self.cluster_state_saved = std::time::Instant::now();
        Ok(())
    }

    /// The clusterers where the last update left them: kept from this store's last update
    /// when nobody else wrote since, else read from the stored state, with the updates it
    /// lacks replayed. Taken out of the store, so that an update that fails before its commit
    /// leaves nothing half-changed.
    fn take_clustering(&mut self, config: Option<Config>) -> Result<Clustering, Error> {
        let data_version = self.data_version()?;
        if let Some(kept) = self.clustering.take().filter(|c| c.data_version == data_version) {
            return Ok(*kept);
        }
        let conn = &self.conn;
        let mut c = Clustering::from_state(
            |name| {
                Ok(conn
                    .query_row("SELECT value FROM cluster_state WHERE name = ?1", [name], |r| r.get(0))
                    .optional()?)
            },
            config,
        )?;
        for (upto, clock) in c.pending.updates.clone() {
            let (docs, _) = self.to_cluster(c.last, Some(upto))?;
            // The documents' rows were written by the update replayed: only the clusterers change.
            c.advance(docs, clock, |original| self.story_of_seq(original))?;
            c.last = c.last.max(upto);
        }
        c.data_version = data_version;
        self.cluster_state_saved = std::time::Instant::now();
        Ok(c)
    }

    fn story_of_seq(&self, seq: u64) -> Result<Option<u64>, Error> {
        Ok(self.conn.query_row("SELECT story FROM story_members WHERE doc_seq = ?1", [seq], |r| r.get(0)).optional()?)
    }

    /// The documents stored after `after` (up to `upto`), in store order, as the clustering
    /// step takes them; and the profiles made for documents stored before profiles existed.
    fn to_cluster(&self, after: u64, upto: Option<u64>) -> Result<(Vec<ToCluster>, ProfilesMade), Error> {
        let rows: Vec<(u64, Option<u64>, Option<Vec<u8>>)> = {
            let mut stmt = self.conn.prepare(
                "SELECT d.seq, d.duplicate_of, p.profile FROM documents d LEFT JOIN profiles p ON p.doc_seq = d.seq \
                 WHERE d.seq > ?1 AND d.seq <= ?2 ORDER BY d.seq",
            )?;
            let upto = upto.map_or(i64::MAX, |u| u as i64);
            stmt.query_map(params![after, upto], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?
        };
        let mut profiles_made: ProfilesMade = Vec::new();
        let tokenizer = marsad_text::Tokenizer::default();
        let mut docs = Vec::with_capacity(rows.len());
        for (seq, duplicate_of, profile) in rows {
            let profile = match profile {
                Some(b) => Profile::from_bytes(&self.dicts.decompress(&b)?).map_err(|e| corrupt("profile", e))?,
                None => {
                    // A document stored before profiles existed: made from its analysis once.
                    let z: Vec<u8> =
                        self.conn.query_row("SELECT content FROM documents WHERE seq = ?1", [seq], |r| r.get(0))?;
                    let p = Profile::of(&Content::unpack(&self.dicts, &z)?.document()?, &tokenizer);
                    profiles_made.push((seq, self.codec.compress(&p.to_bytes())?));
                    p
                }
            };
            docs.push(ToCluster { seq, duplicate_of, profile });
        }
        Ok((docs, profiles_made))
    }

    /// `save`: save the clusterers' state whether or not it is due.
    fn cluster(&mut self, clock: i32, config: Option<Config>, save: bool) -> Result<StoriesUpdate, Error> {
        let started = std::time::Instant::now();
        let mut clustering = self.take_clustering(config)?;
        let (docs, profiles_made) = self.to_cluster(clustering.last, None)?;
        let changes = clustering.advance(docs, clock, |original| self.story_of_seq(original))?;
        if changes.update.documents > 0 {
            clustering.pending.updates.push((clustering.last, clock));
        }
        let save = save
            || match self.cluster_state_every {
                None => true,
                Some(every) => {
                    clustering.unsaved() && (clustering.too_far_behind() || self.cluster_state_saved.elapsed() >= every)
                }
            };
        let tx = self.conn.transaction()?;
        {
            let mut put_profile = tx.prepare_cached(
                "INSERT INTO profiles (doc_seq, signature, profile) VALUES (?1, NULL, ?2) \
                 ON CONFLICT (doc_seq) DO UPDATE SET profile = ?2",
            )?;
            for (seq, p) in &profiles_made {
                put_profile.execute(params![seq, p])?;
            }
            let mut member = tx.prepare_cached(
                "INSERT OR REPLACE INTO story_members (doc_seq, story, similarity) VALUES (?1, ?2, ?3)",
            )?;
            for (seq, story, sim) in &changes.members {
                member.execute(params![seq, story, f64::from(*sim)])?;
            }
            let mut mention = tx.prepare_cached(
                "INSERT OR REPLACE INTO event_mentions (doc_seq, idx, canonical) VALUES (?1, ?2, ?3)",
            )?;
            for (seq, idx, id) in &changes.mentions {
                mention.execute(params![seq, idx, id])?;
            }
            let mut canonical = tx.prepare_cached(
                "INSERT OR REPLACE INTO canonical_events (id, story, event_type, sub_event_type, date, country, admin1, \
                 lat, lon, actor1, actor2, fatalities, mentions, articles, sources, rep_seq, rep_idx, summary) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            )?;
            for id in &changes.events {
                let Some(c) = CanonicalRow::of(&clustering.merger, *id, clock)? else { continue };
                canonical.execute(params![
                    id,
                    c.story,
                    c.event_type,
                    c.sub_event_type,
                    c.date,
                    c.country,
                    c.admin1,
                    c.lat,
                    c.lon,
                    c.actor1,
                    c.actor2,
                    c.fatalities,
                    c.mentions,
                    c.articles,
                    c.sources,
                    c.rep_seq,
                    c.rep_idx,
                    c.summary,
                ])?;
            }
            let mut story_row = tx.prepare_cached(
                "INSERT OR REPLACE INTO stories (id, label_ar, label_en, first_day, last_day, documents, outlets, events, \
                 central) VALUES (?1, ?2, ?3, ?4, ?5, \
                 (SELECT count(*) FROM story_members WHERE story = ?1), \
                 (SELECT count(DISTINCT d.outlet) FROM story_members m JOIN documents d ON d.seq = m.doc_seq \
                  WHERE m.story = ?1), \
                 (SELECT count(*) FROM canonical_events WHERE story = ?1), ?6)",
            )?;
            let mut title_of = tx.prepare_cached("SELECT title FROM documents WHERE seq = ?1")?;
            let mut name = tx.prepare_cached(
                "SELECT coalesce(name_en, name_ar) FROM actors WHERE id = ?1 \
                 UNION ALL SELECT coalesce(name_en, name_ar) FROM gazetteer WHERE id = ?1 LIMIT 1",
            )?;
            for id in &changes.stories {
                let label = StoryLabel::of(&clustering.clusterer, *id, |key| {
                    Ok(name.query_row([key], |r| r.get::<_, Option<String>>(0)).optional()?.flatten())
                })?;
                let Some(l) = label else { continue };
                let title: Option<String> = title_of.query_row([l.central], |r| r.get(0)).optional()?.flatten();
                story_row.execute(params![
                    id,
                    title.unwrap_or_default(),
                    l.label_en,
                    l.first_day,
                    l.last_day,
                    l.central
                ])?;
            }
            if save {
                write_state(&tx, &mut clustering)?;
            } else if changes.update.documents > 0 {
                put_state(&tx, [clustering.last_state()?, clustering.pending_state()?])?;
            }
        }
        tx.commit()?;
        if save {
            self.cluster_state_saved = std::time::Instant::now();
        }
        clustering.data_version = self.data_version()?;
        let mut update = changes.update;
        clustering.totals(&mut update, started);
        self.clustering = Some(Box::new(clustering));
        Ok(update)
    }

    /// Documents stored since the last [`Store::update_stories`].
    pub fn unclustered(&self) -> Result<u64, Error> {
        let last = self.last_clustered()?;
        Ok(self.conn.query_row("SELECT count(*) FROM documents WHERE seq > ?1", [last], |r| r.get(0))?)
    }

    /// Forgets every story and canonical event and clusters the whole store again (after a
    /// re-analysis, or to apply a new clustering).
    /// `config` replaces the clusterer's tuning (`None`: the default).
    pub fn rebuild_stories(&mut self, clock: i32, config: Option<Config>) -> Result<StoriesUpdate, Error> {
        self.conn.execute_batch(
            "BEGIN; DELETE FROM story_members; DELETE FROM stories; DELETE FROM event_mentions; \
             DELETE FROM canonical_events; DELETE FROM cluster_state; COMMIT;",
        )?;
        self.clustering = None;
        // Saved now: a replay starts from the saved state's tuning.
        self.cluster(clock, config, true)
    }
}

impl Read<'_> {
    /// Stories, latest first (or largest first).
    pub fn stories(&self, q: &StoryQuery) -> Result<Vec<StoryRow>, Error> {
        let order = if q.by_size { "documents DESC, outlets DESC, id" } else { "last_day DESC, documents DESC, id" };
        let sql = format!(
            "SELECT id, label_ar, label_en, first_day, last_day, documents, outlets, events FROM stories \
             WHERE (CAST(?1 AS TEXT) IS NULL OR last_day >= ?1) AND (CAST(?2 AS TEXT) IS NULL OR first_day <= ?2) \
             AND documents >= ?3 AND outlets >= ?4 ORDER BY {order} LIMIT ?5 OFFSET ?6"
        );
        let params = [
            q.from.clone().into(),
            q.to.clone().into(),
            q.min_documents.into(),
            q.min_outlets.into(),
            (q.limit as i64).into(),
            (q.offset as i64).into(),
        ];
        let mut out: Vec<StoryRow> = self.db.rows(&sql, &params)?.iter().map(story_row).collect::<Result<_, _>>()?;
        for s in &mut out {
            s.documents = self.story_documents(s.id)?;
        }
        Ok(out)
    }

    /// The ids of a story's articles, in store order.
    fn story_documents(&self, story: u64) -> Result<Vec<String>, Error> {
        let sql =
            "SELECT d.id FROM story_members m JOIN documents d ON d.seq = m.doc_seq WHERE m.story = ?1 ORDER BY d.seq";
        self.db.rows(sql, &[story.into()])?.iter().map(|r| r.get(0)).collect()
    }

    /// The story a document belongs to.
    pub fn story_of(&self, doc_id: &str) -> Result<Option<u64>, Error> {
        let sql = "SELECT m.story FROM story_members m JOIN documents d ON d.seq = m.doc_seq WHERE d.id = ?1";
        self.db.row(sql, &[doc_id.into()])?.map(|r| r.get(0)).transpose()
    }

    /// Every document's story: (document id, story id), in store order.
    pub fn story_assignments(&self) -> Result<Vec<(String, u64)>, Error> {
        let sql = "SELECT d.id, m.story FROM story_members m JOIN documents d ON d.seq = m.doc_seq ORDER BY d.seq";
        self.db.rows(sql, &[])?.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
    }

    /// The canonical events that documents' coded events were merged into: (document id, event
    /// index, canonical event id).
    pub fn event_canonicals(&self, doc_id: &str) -> Result<Vec<(u64, u64)>, Error> {
        let sql = "SELECT m.idx, m.canonical FROM event_mentions m JOIN documents d ON d.seq = m.doc_seq \
                   WHERE d.id = ?1 ORDER BY m.idx";
        self.db.rows(sql, &[doc_id.into()])?.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
    }

    /// A document's coded events as clustering saw them, each with the canonical event it was
    /// merged into (`None` for a near-duplicate's, or before clustering).
    pub fn event_mentions(&self, doc_id: &str) -> Result<Vec<(EventFacts, Option<u64>)>, Error> {
        let sql = "SELECT p.doc_seq, p.profile FROM profiles p JOIN documents d ON d.seq = p.doc_seq WHERE d.id = ?1";
        let Some(r) = self.db.row(sql, &[doc_id.into()])? else { return Ok(Vec::new()) };
        let (seq, bytes): (u64, Vec<u8>) = (r.get(0)?, r.get(1)?);
        let profile = Profile::from_bytes(&self.dicts.decompress(&bytes)?).map_err(|e| corrupt("profile", e))?;
        let mut out = Vec::with_capacity(profile.events.len());
        for e in profile.events {
            let sql = "SELECT canonical FROM event_mentions WHERE doc_seq = ?1 AND idx = ?2";
            let c: Option<u64> =
                self.db.row(sql, &[seq.into(), u64::from(e.idx).into()])?.map(|r| r.get(0)).transpose()?;
            out.push((e, c));
        }
        Ok(out)
    }

    /// The ids of the documents that report a canonical event.
    pub fn canonical_documents(&self, id: u64) -> Result<Vec<String>, Error> {
        let sql = "SELECT DISTINCT d.id FROM event_mentions m JOIN documents d ON d.seq = m.doc_seq \
                   WHERE m.canonical = ?1 ORDER BY d.id";
        self.db.rows(sql, &[id.into()])?.iter().map(|r| r.get(0)).collect()
    }

    /// One story with its articles (by date), canonical events, each outlet's framing and the
    /// quotes.
    pub fn story(&self, id: u64) -> Result<Option<StoryDetail>, Error> {
        let sql =
            "SELECT id, label_ar, label_en, first_day, last_day, documents, outlets, events FROM stories WHERE id = ?1";
        let Some(mut story) = self.db.row(sql, &[id.into()])?.as_ref().map(story_row).transpose()? else {
            return Ok(None);
        };
        let docs: Vec<(u64, StoryDocument, Vec<u8>)> = self
            .db
            .rows(
                "SELECT d.seq, d.id, d.title, d.outlet, d.published, d.genre, d.url, m.similarity, o.id, d.content \
                 FROM story_members m JOIN documents d ON d.seq = m.doc_seq \
                 LEFT JOIN documents o ON o.seq = d.duplicate_of WHERE m.story = ?1 ORDER BY d.published, d.seq",
                &[id.into()],
            )?
            .iter()
            .map(|r| {
                Ok((
                    r.get(0)?,
                    StoryDocument {
                        id: r.get(1)?,
                        title: r.get(2)?,
                        outlet: r.get(3)?,
                        published: r.get(4)?,
                        genre: r.get(5)?,
                        url: r.get(6)?,
                        similarity: r.get(7)?,
                        duplicate_of: r.get(8)?,
                    },
                    r.get(9)?,
                ))
            })
            .collect::<Result<_, Error>>()?;
        let tokenizer = marsad_text::Tokenizer::default();
        let lexicon = Lexicon::embedded();
        let mut analyses: FxHashMap<u64, marsad_core::Document> = FxHashMap::default();
        let mut framing: BTreeMap<String, OutletFraming> = BTreeMap::new();
        let mut quotes = Vec::new();
        for (seq, d, z) in &docs {
            let doc = Content::unpack(self.dicts, z)?.document()?;
            let outlet = d.outlet.clone().unwrap_or_else(|| "(unknown outlet)".into());
            let f = framing.entry(outlet.clone()).or_insert_with(|| OutletFraming { outlet, ..Default::default() });
            *f.genres.entry(d.genre.clone()).or_insert(0) += 1;
            for hit in lexicon.find(&doc, &tokenizer) {
                add_use(f, &d.id, hit);
            }
            for q in &doc.quotes {
                let speaker = q.speaker.as_ref().map(|s| s.name_ar.clone().unwrap_or_else(|| s.text.clone()));
                if let Some(s) = &speaker {
                    match f.speakers.iter_mut().find(|(n, _)| n == s) {
                        Some((_, n)) => *n += 1,
                        None => f.speakers.push((s.clone(), 1)),
                    }
                }
                quotes.push(StoryQuote {
                    document: d.id.clone(),
                    outlet: d.outlet.clone(),
                    speaker,
                    speaker_id: q.speaker.as_ref().and_then(|s| s.id.clone()),
                    cue: q.cue.clone(),
                    channel: q.channel.clone(),
                    start: q.start,
                    end: q.end,
                    text: q.text.clone(),
                });
            }
            analyses.insert(*seq, doc);
        }
        for f in framing.values_mut() {
            f.terms.sort_by(|a, b| (b.own_voice + b.quoted).cmp(&(a.own_voice + a.quoted)).then(a.term.cmp(&b.term)));
            f.speakers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        let events = self.canonical_events_of_story(id, &analyses)?;
        story.documents = self.story_documents(id)?;
        Ok(Some(StoryDetail {
            story,
            articles: docs.into_iter().map(|(_, d, _)| d).collect(),
            events,
            framing: framing.into_values().collect(),
            quotes,
        }))
    }

    /// One canonical event with every mention's evidence.
    pub fn canonical_event(&self, id: u64) -> Result<Option<CanonicalEvent>, Error> {
        Ok(self.canonical_events_where(Selection::Event, id, &FxHashMap::default())?.pop())
    }

    fn canonical_events_of_story(
        &self,
        story: u64,
        analyses: &FxHashMap<u64, marsad_core::Document>,
    ) -> Result<Vec<CanonicalEvent>, Error> {
        self.canonical_events_where(Selection::Story, story, analyses)
    }

    /// The canonical events of a story or the one with an id; analyses already decoded are
    /// reused for the mentions' evidence, the others read.
    fn canonical_events_where(
        &self,
        which: Selection,
        key: u64,
        analyses: &FxHashMap<u64, marsad_core::Document>,
    ) -> Result<Vec<CanonicalEvent>, Error> {
        let column = match which {
            Selection::Story => "story",
            Selection::Event => "id",
        };
        let sql = format!(
            "SELECT id, story, event_type, sub_event_type, date, country, admin1, lat, lon, actor1, actor2, fatalities, \
             articles, sources, summary FROM canonical_events WHERE {column} = ?1 ORDER BY date, id"
        );
        let rows: Vec<CanonicalEvent> = self
            .db
            .rows(&sql, &[key.into()])?
            .iter()
            .map(|r| {
                let summary: serde_json::Value =
                    serde_json::from_str(&r.get::<String>(14)?).unwrap_or(serde_json::Value::Null);
                Ok(CanonicalEvent {
                    id: r.get(0)?,
                    story: r.get(1)?,
                    event_type: r.get(2)?,
                    sub_event_type: r.get(3)?,
                    date: r.get(4)?,
                    country: r.get(5)?,
                    admin1: r.get(6)?,
                    location: summary.get("location").and_then(|v| v.as_str()).map(str::to_owned),
                    lat: r.get(7)?,
                    lon: r.get(8)?,
                    actor1: r.get(9)?,
                    actor2: r.get(10)?,
                    fatalities: r.get(11)?,
                    articles: r.get(12)?,
                    sources: serde_json::from_str(&r.get::<String>(13)?).unwrap_or_default(),
                    summary,
                    mentions: Vec::new(),
                })
            })
            .collect::<Result<_, Error>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for mut e in rows {
            let ms: Vec<(u64, u64, String, Option<String>)> = self
                .db
                .rows(
                    "SELECT m.doc_seq, m.idx, d.id, d.outlet FROM event_mentions m JOIN documents d ON d.seq = m.doc_seq \
                     WHERE m.canonical = ?1 ORDER BY m.doc_seq, m.idx",
                    &[e.id.into()],
                )?
                .iter()
                .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .collect::<Result<_, Error>>()?;
            for (seq, idx, document, outlet) in ms {
                // A report from an article of another story: its analysis is read here.
                let other = match analyses.contains_key(&seq) {
                    true => None,
                    false => {
                        let r = self.db.row("SELECT content FROM documents WHERE seq = ?1", &[seq.into()])?;
                        let z: Vec<u8> =
                            r.ok_or_else(|| corrupt("event mention", "its document is missing"))?.get(0)?;
                        Some(Content::unpack(self.dicts, &z)?.document()?)
                    }
                };
                let ev = other.as_ref().or_else(|| analyses.get(&seq)).and_then(|d| d.events.get(idx as usize));
                e.mentions.push(EventMention {
                    document,
                    outlet,
                    idx,
                    start: ev.map_or(0, |x| x.evidence.start),
                    end: ev.map_or(0, |x| x.evidence.end),
                    evidence: ev.map(|x| x.evidence.text.clone()).unwrap_or_default(),
                });
            }
            out.push(e);
        }
        Ok(out)
    }
}

/// Which canonical events to read.
#[derive(Clone, Copy)]
enum Selection {
    Story,
    Event,
}

/// Time buckets of a timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    Day,
    /// Weeks starting on Monday, named by their Monday.
    Week,
    Month,
}

/// What a timeline's counts are split by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    EventType,
    Country,
    /// The first actor's id.
    Actor,
}

/// Canonical events of one bucket and group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimelineRow {
    /// `YYYY-MM-DD` (day, week's Monday) or `YYYY-MM`.
    pub bucket: String,
    /// The group's value ("" when unknown).
    pub group: String,
    pub events: u64,
    pub fatalities: u64,
}

fn story_row(r: &Row) -> Result<StoryRow, Error> {
    Ok(StoryRow {
        id: r.get(0)?,
        label_ar: r.get(1)?,
        label_en: r.get(2)?,
        first_day: r.get(3)?,
        last_day: r.get(4)?,
        articles: r.get(5)?,
        outlets: r.get(6)?,
        events: r.get(7)?,
        documents: Vec::new(),
    })
}

fn add_use(f: &mut OutletFraming, doc: &str, hit: FramingHit) {
    let existing = f.terms.iter_mut().find(|u| u.term == hit.term.term && u.frame == hit.term.frame);
    let u = match existing {
        Some(u) => u,
        None => {
            f.terms.push(FramingUse {
                term: hit.term.term.clone(),
                frame: hit.term.frame.clone(),
                stance: hit.term.stance.clone(),
                about: hit.term.about.clone(),
                gloss: hit.term.gloss.clone(),
                own_voice: 0,
                quoted: 0,
                document: doc.to_owned(),
                text: hit.text.clone(),
                start: hit.start,
                end: hit.end,
            });
            let n = f.terms.len() - 1;
            &mut f.terms[n]
        }
    };
    if hit.quoted {
        u.quoted += 1;
    } else {
        u.own_voice += 1;
    }
}
