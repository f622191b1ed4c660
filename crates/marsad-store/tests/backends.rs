//! The embedded store and PostgreSQL hold and answer alike: the same documents stored in the
//! same order give the same counts, stories, searches and facets; and PostgreSQL takes many
//! writers at once.

mod common;

use common::{backend_with, backends, demo, pg_database, prepare};
use marsad_store::{Backend, Filter, Rejected, Stats};

const CLOCK: i32 = 19_800;

/// The demo corpus in two batches, with a syndicated copy of one article in the second, and
/// the stories updated after each.
fn clustered(kind: &str) -> (common::Held, Box<dyn Backend>) {
    let lines: Vec<&str> = demo().lines().filter(|l| !l.trim().is_empty()).collect();
    let (first, second) = lines.split_at(lines.len() / 2);
    let (held, mut store) = backend_with(kind, &[&first.join("\n")]);
    store.update_stories(CLOCK).expect("update");
    let line = lines.iter().find(|l| l.contains("\"sd-omdurman-01")).expect("an Omdurman article");
    let mut copy: serde_json::Value = serde_json::from_str(line).expect("json");
    let text = copy["text"].as_str().expect("text").to_owned();
    copy["id"] = "syndicated-copy".into();
    copy["outlet"] = "وكالة أخرى".into();
    copy["text"] = format!("عاجل | {text}\nللمزيد من الأخبار تابعونا على قناتنا.").into();
    let second = format!("{}\n{}", second.join("\n"), copy);
    store.put(&prepare(&second, "test.jsonl")).expect("put");
    store.flush().expect("flush");
    store.update_stories(CLOCK).expect("update");
    (held, store)
}

/// What must agree between backends (the sizes on disk may not).
fn counts(s: Stats) -> Stats {
    Stats { disk_bytes: 0, ..s }
}

#[test]
fn both_backends_store_cluster_and_search_alike() {
    let kinds = backends();
    let stores: Vec<_> = kinds.iter().map(|k| clustered(k)).collect();
    let (_, embedded) = &stores[0];
    let stats = counts(embedded.stats().expect("stats"));
    assert_eq!(stats.near_duplicates, 1, "{stats:?}");
    assert!(stats.stories > 5 && stats.canonical_events > 5, "{stats:?}");
    assert_eq!(stats.unclustered, 0);
    let queries = ["", "قصف", "الجيش السوري", "\"الأمم المتحدة\"", "غارة OR قصف", "اشتباكات -الرقة", "type:Battles"];
    let filters = [
        Filter::default(),
        Filter { country: Some("sy".into()), ..Filter::default() },
        Filter { event_type: Some("Battles".into()), ..Filter::default() },
        Filter { from: Some("2024-03-01".into()), to: Some("2024-05-31".into()), ..Filter::default() },
    ];
    let check = embedded.check().expect("check");
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    for (kind, (_, other)) in kinds.iter().zip(&stores).skip(1) {
        let c = other.check().expect("check");
        assert!(c.problems.is_empty(), "{kind}: {:?}", c.problems);
        assert_eq!((c.documents, &c.analyses), (check.documents, &check.analyses), "{kind}");
        assert_eq!(counts(other.stats().expect("stats")), stats, "{kind}");
        assert_eq!(
            other.read().story_assignments().expect("a"),
            embedded.read().story_assignments().expect("b"),
            "{kind}"
        );
        assert_eq!(other.document("syndicated-copy").expect("d"), embedded.document("syndicated-copy").expect("d"));
        for q in queries {
            for f in &filters {
                let (a, b) =
                    (embedded.search(q, f, 500, 0).expect("search"), other.search(q, f, 500, 0).expect("search"));
                assert_eq!(a.total, b.total, "{kind}: {q:?} {f:?}");
                let ids = |r: &marsad_store::SearchResults| {
                    let mut v: Vec<String> = r.hits.iter().map(|h| h.id.clone()).collect();
                    v.sort();
                    v
                };
                assert_eq!(ids(&a), ids(&b), "{kind}: {q:?} {f:?}");
                assert_eq!(a.facets, b.facets, "{kind}: {q:?} {f:?}");
                // Snippets highlight the same words (fragments may be chosen otherwise: the
                // embedded index weighs rare words more).
                for h in b.hits.iter().filter(|_| !q.is_empty() && !q.contains(':')) {
                    let s = h.snippet.as_ref().expect("snippet");
                    assert!(s.highlights.iter().all(|&(x, y)| y <= s.text.len() && x < y), "{kind}: {q:?}");
                }
            }
        }
        // A page after another holds other hits, in rank order.
        let p1 = other.search("قصف", &Filter::default(), 5, 0).expect("p1").hits;
        let p2 = other.search("قصف", &Filter::default(), 5, 5).expect("p2").hits;
        assert!(p1.iter().all(|a| p2.iter().all(|b| a.id != b.id)), "{kind}");
        assert!(p1.windows(2).all(|w| w[0].score >= w[1].score), "{kind}");
    }
}

#[test]
fn rejections_runs_and_probes_on_every_backend() {
    for kind in backends() {
        let (_held, mut store) = backend_with(kind, &[demo()]);
        let r = |line: u64, message: &str| Rejected {
            source: "feed.jsonl".into(),
            line,
            kind: "json".into(),
            message: message.into(),
        };
        store.reject(&[r(3, "bad"), r(1, "worse")]).expect("reject");
        store.reject(&[r(3, "still bad")]).expect("reject again");
        let listed = store.rejected(10).expect("list");
        assert_eq!(listed, [r(1, "worse"), r(3, "still bad")], "{kind}");
        store.clear_rejection("feed.jsonl", 1).expect("clear");
        assert_eq!(store.rejected(10).expect("list"), [r(3, "still bad")], "{kind}");
        assert_eq!(store.stats().expect("stats").rejected, 1, "{kind}");
        let run = store.begin_run("test").expect("run");
        store.end_run(run, &serde_json::json!({"documents": 1})).expect("end");
        let mut probe = store.prober().expect("probe");
        assert!(probe.contains("sd-omdurman-01-nile").expect("probe"), "{kind}");
        assert!(!probe.contains("absent").expect("probe"), "{kind}");
        assert_eq!(store.raw("absent").expect("raw"), None);
    }
}

#[test]
fn postgres_takes_many_writers_and_partitions_by_month() {
    if !backends().contains(&"postgres") {
        return;
    }
    let url = pg_database();
    let docs = prepare(demo(), "demo.jsonl");
    let n = docs.len();
    // Four writers store overlapping halves of the corpus, each in its own order and batches.
    std::thread::scope(|s| {
        for w in 0..4 {
            let (url, docs) = (&url, &docs);
            s.spawn(move || {
                let mut store = marsad_store::pg::PgStore::connect(url).expect("connect");
                let mut mine: Vec<usize> = (0..n).filter(|i| (i + w) % 4 < 3).collect();
                if w % 2 == 1 {
                    mine.reverse();
                }
                for chunk in mine.chunks(7) {
                    let batch: Vec<_> = chunk.iter().map(|&i| docs[i].clone()).collect();
                    store.put(&batch).expect("put");
                }
            });
        }
    });
    let mut store = marsad_store::pg::PgStore::connect(&url).expect("connect");
    let stats = store.stats().expect("stats");
    assert_eq!(stats.documents, n as u64);
    assert_eq!(stats.unclustered, n as u64);
    store.update_stories(CLOCK).expect("update");
    assert_eq!(store.stats().expect("stats").unclustered, 0);
    // Each month's documents are in their month's partition.
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("client");
    let rows = client
        .query("SELECT tableoid::regclass::text, month, count(*) FROM documents GROUP BY 1, 2 ORDER BY 2", &[])
        .expect("partitions");
    assert!(rows.len() >= 6, "{rows:?}");
    for r in &rows {
        let (table, month): (String, String) = (r.get(0), r.get(1));
        assert_eq!(table, format!("documents_y{}", month.replace('-', "m")), "{month}");
    }
}

#[test]
fn postgres_refuses_a_newer_schema_and_its_check_finds_what_is_broken() {
    if !backends().contains(&"postgres") {
        return;
    }
    let url = pg_database();
    let mut store = marsad_store::pg::PgStore::connect(&url).expect("connect");
    store.put(&prepare(demo(), "demo.jsonl")).expect("put");
    store.update_stories(CLOCK).expect("stories");
    assert!(store.check().expect("check").problems.is_empty());
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("client");
    client
        .batch_execute(
            "DELETE FROM openings WHERE doc_seq = (SELECT min(seq) FROM documents); \
             INSERT INTO events (doc_seq, idx, event_type, sub_event_type, modality) \
             VALUES (999999, 0, 'Battles', 'Armed clash', 'asserted'); \
             DELETE FROM stories WHERE id = 1;",
        )
        .expect("break");
    let problems = store.check().expect("check").problems;
    for expected in ["no opening stored", "1 events rows of a missing document", "story members of a missing story"] {
        assert!(problems.iter().any(|p| p.contains(expected)), "{expected}: {problems:?}");
    }
    client.batch_execute("UPDATE marsad_schema SET version = 99").expect("newer");
    match marsad_store::pg::PgStore::connect(&url) {
        Err(marsad_store::Error::NewerSchema { found: 99, .. }) => {}
        Err(e) => panic!("refused otherwise: {e}"),
        Ok(_) => panic!("a newer schema was taken"),
    }
}
