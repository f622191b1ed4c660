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
use marsad_cluster::{Config, NearDuplicates, Profile};
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
    /// Clusters the documents stored since the last update.
    pub(crate) fn cluster(&mut self, clock: i32) -> Result<StoriesUpdate, Error> {
        self.under_lock(|client, kept, dicts| update(client, kept, dicts, clock, None))
    }

    /// Forgets the stories, canonical events and near-duplicate links and clusters every
    /// document again, in document order.
    pub(crate) fn recluster(&mut self, clock: i32, config: Option<Config>) -> Result<StoriesUpdate, Error> {
        self.under_lock(|client, kept, dicts| {
            let mut tx = client.transaction()?;
            tx.batch_execute(
                "DELETE FROM story_members; DELETE FROM stories; DELETE FROM event_mentions; \
                 DELETE FROM canonical_events; DELETE FROM cluster_state;",
            )?;
            // Copies lost their event rows when found: they are written again from their
            // analyses, and dropped again by the clustering if they are still copies.
            let copies = tx.query(
                "UPDATE documents SET duplicate_of = NULL WHERE duplicate_of IS NOT NULL RETURNING seq, content",
                &[],
            )?;
            let mut analyses = Vec::with_capacity(copies.len());
            for r in &copies {
                analyses.push((r.get::<_, i64>(0), crate::codec::Content::unpack(dicts, r.get(1))?.document()?));
            }
            let rows = analyses
                .iter()
                .map(|(seq, d)| Ok((*seq, crate::AnalysisRows::of(d, false)?)))
                .collect::<Result<Vec<_>, Error>>()?;
            super::insert_events(&mut tx, &rows)?;
            tx.execute("INSERT INTO unclustered (seq) SELECT seq FROM documents ON CONFLICT DO NOTHING", &[])?;
            tx.commit()?;
            *kept = None;
            update(client, kept, dicts, clock, config)
        })
    }

    /// Runs `f` holding the story update's advisory lock: one update at a time, whichever
    /// process runs it.
    fn under_lock<T>(
        &mut self,
        f: impl FnOnce(&mut Client, &mut Option<Box<Kept>>, &Dictionaries) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let client =
            self.client.get_mut().map_err(|_| Error::Query("the database connection's lock is poisoned".into()))?;
        client.execute("SELECT pg_advisory_lock($1)", &[&LOCK_STORIES])?;
        let result = f(client, &mut self.kept, &self.dicts);
        client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK_STORIES])?;
        result
    }
}

fn update(
    client: &mut Client,
    kept: &mut Option<Box<Kept>>,
    dicts: &Dictionaries,
    clock: i32,
    config: Option<Config>,
) -> Result<StoriesUpdate, Error> {
    let started = std::time::Instant::now();
    let mut tx = client.transaction()?;
    let generation: i64 =
        state(&mut tx, "generation")?.and_then(|b| String::from_utf8(b).ok()?.parse().ok()).unwrap_or(0);
    let mut k = match kept.take().filter(|k| k.generation == generation) {
        Some(k) => *k,
        None => {
            let clustering = Clustering::from_state(|name| state(&mut tx, name), config)?;
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
    if !copies.is_empty() {
        let (seqs, originals): (Vec<i64>, Vec<i64>) = copies.iter().copied().unzip();
        tx.execute(
            "UPDATE documents d SET duplicate_of = u.original FROM unnest($1::bigint[], $2::bigint[]) AS u(seq, original) \
             WHERE d.seq = u.seq",
            &[&seqs, &originals],
        )?;
        tx.execute("DELETE FROM events WHERE doc_seq = ANY($1)", &[&seqs])?;
    }
    let member_of = tx.prepare("SELECT story FROM story_members WHERE doc_seq = $1")?;
    let changes = k.clustering.advance(docs, clock, |original| {
        Ok(tx.query_opt(&member_of, &[&(original as i64)])?.map(|r| r.get::<_, i64>(0) as u64))
    })?;
    // Each table's rows in one statement (a statement per row was most of an update's time).
    let seqs: Vec<i64> = changes.members.iter().map(|m| m.0 as i64).collect();
    let stories: Vec<i64> = changes.members.iter().map(|m| m.1 as i64).collect();
    let similarity: Vec<f64> = changes.members.iter().map(|m| f64::from(m.2)).collect();
    tx.execute(
        "INSERT INTO story_members (doc_seq, story, similarity) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::float8[]) \
         ON CONFLICT (doc_seq) DO UPDATE SET story = excluded.story, similarity = excluded.similarity",
        &[&seqs, &stories, &similarity],
    )?;
    let doc: Vec<i64> = changes.mentions.iter().map(|m| m.0 as i64).collect();
    let idx: Vec<i32> = changes.mentions.iter().map(|m| m.1 as i32).collect();
    let canonical: Vec<i64> = changes.mentions.iter().map(|m| m.2 as i64).collect();
    tx.execute(
        "INSERT INTO event_mentions (doc_seq, idx, canonical) SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[]) \
         ON CONFLICT (doc_seq, idx) DO UPDATE SET canonical = excluded.canonical",
        &[&doc, &idx, &canonical],
    )?;
    write_canonical(&mut tx, &k.clustering, &changes.events, clock)?;
    write_stories(&mut tx, &k.clustering, &changes.stories)?;
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

/// Writes the canonical events `ids` as the merger now has them.
fn write_canonical(
    tx: &mut Transaction<'_>,
    clustering: &Clustering,
    ids: &std::collections::BTreeSet<u64>,
    clock: i32,
) -> Result<(), Error> {
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(c) = CanonicalRow::of(&clustering.merger, *id, clock)? {
            rows.push((*id as i64, c));
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    let text = |f: fn(&CanonicalRow) -> Option<&str>| -> Vec<Option<&str>> { rows.iter().map(|(_, c)| f(c)).collect() };
    let int = |f: fn(&CanonicalRow) -> i64| -> Vec<i64> { rows.iter().map(|(_, c)| f(c)).collect() };
    let id: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let lat: Vec<Option<f64>> = rows.iter().map(|(_, c)| c.lat).collect();
    let lon: Vec<Option<f64>> = rows.iter().map(|(_, c)| c.lon).collect();
    let fatalities: Vec<Option<i64>> = rows.iter().map(|(_, c)| c.fatalities.map(i64::from)).collect();
    let rep_idx: Vec<i32> = rows.iter().map(|(_, c)| c.rep_idx as i32).collect();
    tx.execute(
        "INSERT INTO canonical_events (id, story, event_type, sub_event_type, date, country, admin1, lat, lon, \
         actor1, actor2, fatalities, mentions, articles, sources, rep_seq, rep_idx, summary) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
         $8::float8[], $9::float8[], $10::text[], $11::text[], $12::bigint[], $13::bigint[], $14::bigint[], \
         $15::text[], $16::bigint[], $17::int[], $18::text[]) \
         ON CONFLICT (id) DO UPDATE SET story = excluded.story, event_type = excluded.event_type, \
         sub_event_type = excluded.sub_event_type, date = excluded.date, country = excluded.country, \
         admin1 = excluded.admin1, lat = excluded.lat, lon = excluded.lon, actor1 = excluded.actor1, \
         actor2 = excluded.actor2, fatalities = excluded.fatalities, mentions = excluded.mentions, \
         articles = excluded.articles, sources = excluded.sources, rep_seq = excluded.rep_seq, \
         rep_idx = excluded.rep_idx, summary = excluded.summary",
        &[
            &id,
            &int(|c| c.story as i64),
            &text(|c| Some(&c.event_type)),
            &text(|c| Some(&c.sub_event_type)),
            &text(|c| Some(&c.date)),
            &text(|c| c.country.as_deref()),
            &text(|c| c.admin1.as_deref()),
            &lat,
            &lon,
            &text(|c| c.actor1.as_deref()),
            &text(|c| c.actor2.as_deref()),
            &fatalities,
            &int(|c| c.mentions as i64),
            &int(|c| c.articles as i64),
            &text(|c| Some(&c.sources)),
            &int(|c| c.rep_seq as i64),
            &rep_idx,
            &text(|c| Some(&c.summary)),
        ],
    )?;
    Ok(())
}

/// Writes the stories `ids` with their labels and counts.
fn write_stories(
    tx: &mut Transaction<'_>,
    clustering: &Clustering,
    ids: &std::collections::BTreeSet<u64>,
) -> Result<(), Error> {
    let name = tx.prepare(
        "SELECT coalesce(name_en, name_ar) FROM actors WHERE id = $1 \
         UNION ALL SELECT coalesce(name_en, name_ar) FROM gazetteer WHERE id = $1 LIMIT 1",
    )?;
    // Stories share their places and actors: each name is looked up once per update.
    let mut names: std::collections::HashMap<String, Option<String>> = std::collections::HashMap::new();
    let mut labels = Vec::with_capacity(ids.len());
    for id in ids {
        let label = StoryLabel::of(&clustering.clusterer, *id, |key| {
            if let Some(n) = names.get(key) {
                return Ok(n.clone());
            }
            let n = tx.query_opt(&name, &[&key])?.and_then(|r| r.get::<_, Option<String>>(0));
            names.insert(key.to_owned(), n.clone());
            Ok(n)
        })?;
        if let Some(l) = label {
            labels.push((*id as i64, l));
        }
    }
    if labels.is_empty() {
        return Ok(());
    }
    let id: Vec<i64> = labels.iter().map(|l| l.0).collect();
    let central: Vec<i64> = labels.iter().map(|(_, l)| l.central as i64).collect();
    let label_en: Vec<&str> = labels.iter().map(|(_, l)| l.label_en.as_str()).collect();
    let first: Vec<&str> = labels.iter().map(|(_, l)| l.first_day.as_str()).collect();
    let last: Vec<&str> = labels.iter().map(|(_, l)| l.last_day.as_str()).collect();
    tx.execute(
        // Counted set-wise, with hash joins: per-story subqueries ran on tables without
        // statistics yet (a first update) as a scan of the members for each story.
        "WITH u AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[]) \
                    AS u(id, label_en, first_day, last_day, central)), \
              m AS (SELECT m.story, count(*) AS n, count(DISTINCT d.outlet) AS outlets FROM story_members m \
                    LEFT JOIN documents d ON d.seq = m.doc_seq WHERE m.story IN (SELECT id FROM u) GROUP BY m.story), \
              e AS (SELECT story, count(*) AS n FROM canonical_events WHERE story IN (SELECT id FROM u) GROUP BY story), \
              t AS (SELECT seq, title FROM documents WHERE seq IN (SELECT central FROM u)) \
         INSERT INTO stories (id, label_ar, label_en, first_day, last_day, documents, outlets, events, central) \
         SELECT u.id, coalesce(t.title, ''), u.label_en, u.first_day, u.last_day, coalesce(m.n, 0), \
                coalesce(m.outlets, 0), coalesce(e.n, 0), u.central \
         FROM u LEFT JOIN m ON m.story = u.id LEFT JOIN e ON e.story = u.id LEFT JOIN t ON t.seq = u.central \
         ON CONFLICT (id) DO UPDATE SET label_ar = excluded.label_ar, label_en = excluded.label_en, \
         first_day = excluded.first_day, last_day = excluded.last_day, documents = excluded.documents, \
         outlets = excluded.outlets, events = excluded.events, central = excluded.central",
        &[&id, &label_en, &first, &last, &central],
    )?;
    Ok(())
}
