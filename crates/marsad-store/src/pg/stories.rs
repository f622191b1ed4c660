//! The story update on PostgreSQL: one serialized step, whichever worker runs it.
//!
//! Workers store documents concurrently and commit in any order, so the step takes what the
//! `unclustered` table lists (every stored document is listed in its storing transaction),
//! in document order, under an advisory lock: one update at a time, each document clustered
//! once. Near-duplicates are found here too, in that order, rather than when storing (two
//! workers storing copies at once would each miss the other's): a copy is linked to its
//! original and its event rows are dropped, as the embedded store does when storing. The
//! clusterers' state is kept between updates by the process that ran the last one, and read
//! again from the database when another process updated since.

use super::PgStore;
use crate::codec::Dictionaries;
use crate::stories::{CanonicalRow, Clustering, StoryLabel, ToCluster};
use crate::{Error, StoriesUpdate};
use marsad_cluster::{NearDuplicates, Profile};
use postgres::{Client, Transaction};

const LOCK_STORIES: i64 = 0x6d61_7273_6164_0003;

/// The clusterers and the near-duplicate index as the last update of this process left them.
pub(crate) struct Kept {
    clustering: Clustering,
    near: NearDuplicates,
    /// The update they are the result of (`cluster_state`'s `generation`).
    generation: i64,
}

fn state(tx: &mut Transaction<'_>, name: &str) -> Result<Option<Vec<u8>>, Error> {
    Ok(tx.query_opt("SELECT value FROM cluster_state WHERE name = $1", &[&name])?.map(|r| r.get(0)))
}

impl PgStore {
    pub(crate) fn cluster(&mut self, clock: i32) -> Result<StoriesUpdate, Error> {
        let client =
            self.client.get_mut().map_err(|_| Error::Query("the database connection's lock is poisoned".into()))?;
        client.execute("SELECT pg_advisory_lock($1)", &[&LOCK_STORIES])?;
        let result = update(client, &mut self.kept, &self.dicts, clock);
        client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK_STORIES])?;
        result
    }
}

fn update(
    client: &mut Client,
    kept: &mut Option<Box<Kept>>,
    dicts: &Dictionaries,
    clock: i32,
) -> Result<StoriesUpdate, Error> {
    let started = std::time::Instant::now();
    let mut tx = client.transaction()?;
    let generation: i64 =
        state(&mut tx, "generation")?.and_then(|b| String::from_utf8(b).ok()?.parse().ok()).unwrap_or(0);
    let mut k = match kept.take().filter(|k| k.generation == generation) {
        Some(k) => *k,
        None => {
            let clustering = Clustering::from_state(|name| state(&mut tx, name), None)?;
            let mut near = NearDuplicates::default();
            let rows = tx.query(
                "SELECT p.doc_seq, p.signature FROM profiles p JOIN documents d ON d.seq = p.doc_seq \
                 WHERE p.signature IS NOT NULL AND d.duplicate_of IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM unclustered u WHERE u.seq = p.doc_seq) ORDER BY p.doc_seq",
                &[],
            )?;
            for r in rows {
                if let Some(sig) = marsad_cluster::profile::signature_from_bytes(r.get(1)) {
                    near.insert(r.get::<_, i64>(0) as u64, sig);
                }
            }
            Kept { clustering, near, generation }
        }
    };
    let rows = tx.query(
        "SELECT u.seq, p.signature, p.profile FROM unclustered u JOIN profiles p ON p.doc_seq = u.seq ORDER BY u.seq",
        &[],
    )?;
    let mut docs = Vec::with_capacity(rows.len());
    let mut copies: Vec<(i64, i64)> = Vec::new();
    let mut done: Vec<i64> = Vec::with_capacity(rows.len());
    for r in &rows {
        let seq = r.get::<_, i64>(0);
        let signature = r.get::<_, Option<&[u8]>>(1).and_then(marsad_cluster::profile::signature_from_bytes);
        let original = signature.as_deref().and_then(|s| k.near.original(s)).map(|(o, _)| o);
        match (original, signature) {
            (Some(o), _) => copies.push((seq, o as i64)),
            (None, Some(sig)) => k.near.insert(seq as u64, sig),
            (None, None) => {}
        }
        let profile = Profile::from_bytes(&dicts.decompress(r.get(2))?)
            .map_err(|e| Error::Export(format!("stored profile of document {seq} cannot be read ({e})")))?;
        docs.push(ToCluster { seq: seq as u64, duplicate_of: original, profile });
        done.push(seq);
    }
    if docs.is_empty() {
        tx.rollback()?;
        let mut update = StoriesUpdate::default();
        k.clustering.totals(&mut update, started);
        *kept = Some(Box::new(k));
        return Ok(update);
    }
    for (seq, original) in &copies {
        tx.execute("UPDATE documents SET duplicate_of = $2 WHERE seq = $1", &[seq, original])?;
        tx.execute("DELETE FROM events WHERE doc_seq = $1", &[seq])?;
    }
    let member_of = tx.prepare("SELECT story FROM story_members WHERE doc_seq = $1")?;
    let changes = k.clustering.advance(docs, clock, |original| {
        Ok(tx.query_opt(&member_of, &[&(original as i64)])?.map(|r| r.get::<_, i64>(0) as u64))
    })?;
    let member = tx.prepare(
        "INSERT INTO story_members (doc_seq, story, similarity) VALUES ($1, $2, $3) \
         ON CONFLICT (doc_seq) DO UPDATE SET story = excluded.story, similarity = excluded.similarity",
    )?;
    for (seq, story, sim) in &changes.members {
        tx.execute(&member, &[&(*seq as i64), &(*story as i64), &f64::from(*sim)])?;
    }
    let mention = tx.prepare(
        "INSERT INTO event_mentions (doc_seq, idx, canonical) VALUES ($1, $2, $3) \
         ON CONFLICT (doc_seq, idx) DO UPDATE SET canonical = excluded.canonical",
    )?;
    for (seq, idx, id) in &changes.mentions {
        tx.execute(&mention, &[&(*seq as i64), &(*idx as i32), &(*id as i64)])?;
    }
    let canonical = tx.prepare(
        "INSERT INTO canonical_events (id, story, event_type, sub_event_type, date, country, admin1, lat, lon, \
         actor1, actor2, fatalities, mentions, articles, sources, rep_seq, rep_idx, summary) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
         ON CONFLICT (id) DO UPDATE SET story = excluded.story, event_type = excluded.event_type, \
         sub_event_type = excluded.sub_event_type, date = excluded.date, country = excluded.country, \
         admin1 = excluded.admin1, lat = excluded.lat, lon = excluded.lon, actor1 = excluded.actor1, \
         actor2 = excluded.actor2, fatalities = excluded.fatalities, mentions = excluded.mentions, \
         articles = excluded.articles, sources = excluded.sources, rep_seq = excluded.rep_seq, \
         rep_idx = excluded.rep_idx, summary = excluded.summary",
    )?;
    for id in &changes.events {
        let Some(c) = CanonicalRow::of(&k.clustering.merger, *id, clock)? else { continue };
        tx.execute(
            &canonical,
            &[
                &(*id as i64),
                &(c.story as i64),
                &c.event_type,
                &c.sub_event_type,
                &c.date,
                &c.country,
                &c.admin1,
                &c.lat,
                &c.lon,
                &c.actor1,
                &c.actor2,
                &c.fatalities.map(i64::from),
                &(c.mentions as i64),
                &(c.articles as i64),
                &c.sources,
                &(c.rep_seq as i64),
                &(c.rep_idx as i32),
                &c.summary,
            ],
        )?;
    }
    let story_row = tx.prepare(
        "INSERT INTO stories (id, label_ar, label_en, first_day, last_day, documents, outlets, events, central) \
         VALUES ($1, $2, $3, $4, $5, \
         (SELECT count(*) FROM story_members WHERE story = $1), \
         (SELECT count(DISTINCT d.outlet) FROM story_members m JOIN documents d ON d.seq = m.doc_seq \
          WHERE m.story = $1), \
         (SELECT count(*) FROM canonical_events WHERE story = $1), $6) \
         ON CONFLICT (id) DO UPDATE SET label_ar = excluded.label_ar, label_en = excluded.label_en, \
         first_day = excluded.first_day, last_day = excluded.last_day, documents = excluded.documents, \
         outlets = excluded.outlets, events = excluded.events, central = excluded.central",
    )?;
    let title_of = tx.prepare("SELECT title FROM documents WHERE seq = $1")?;
    let name = tx.prepare(
        "SELECT coalesce(name_en, name_ar) FROM actors WHERE id = $1 \
         UNION ALL SELECT coalesce(name_en, name_ar) FROM gazetteer WHERE id = $1 LIMIT 1",
    )?;
    for id in &changes.stories {
        let label = StoryLabel::of(&k.clustering.clusterer, *id, |key| {
            Ok(tx.query_opt(&name, &[&key])?.and_then(|r| r.get::<_, Option<String>>(0)))
        })?;
        let Some(l) = label else { continue };
        let central = l.central as i64;
        let title: Option<String> = tx.query_opt(&title_of, &[&central])?.and_then(|r| r.get(0));
        tx.execute(
            &story_row,
            &[&(*id as i64), &title.unwrap_or_default(), &l.label_en, &l.first_day, &l.last_day, &central],
        )?;
    }
    let put_state = tx.prepare(
        "INSERT INTO cluster_state (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )?;
    for (name, value) in k.clustering.state()? {
        tx.execute(&put_state, &[&name, &value])?;
    }
    k.generation = generation + 1;
    tx.execute(&put_state, &[&"generation", &k.generation.to_string().into_bytes()])?;
    tx.execute("DELETE FROM unclustered WHERE seq = ANY($1)", &[&done])?;
    tx.commit()?;
    let mut update = changes.update;
    k.clustering.totals(&mut update, started);
    *kept = Some(Box::new(k));
    Ok(update)
}
