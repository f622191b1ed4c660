//! The store against real analyses of articles the team wrote (data/demo and inline ones).

mod common;

use common::{backend_with, backends, demo, prepare, store_with};
use marsad_pipeline::ANALYZER_VERSION;
use marsad_store::{Backend, ExportFormat, ExportUnit, Filter, Store};

fn record(id: &str, outlet: &str, date: &str, title: &str, text: &str) -> String {
    serde_json::json!({"id": id, "outlet": outlet, "published": date, "title": title, "text": text}).to_string()
}

fn inline() -> String {
    [
        record(
            "t-1",
            "صحيفة أ",
            "2024-03-01",
            "اشتباكات في الرقة",
            "قالت مصادر محلية إن اشتباكات عنيفة اندلعت بالرقة بين المسلحين وقوات الأمن. وأضافت أن والمسلحون انسحبوا فجرا.",
        ),
        record(
            "t-2",
            "صحيفة ب",
            "2024-04-10",
            "الأمم المتحدة تدعو إلى التهدئة",
            "دعت الأمم المتحدة إلى وقف إطلاق النار في اليمن، وقال متحدث باسم المنظمة إن الوضع الإنساني خطير.",
        ),
        record("t-3", "صحيفة ب", "2024-04-11", "اجتماع في جنيف", "عقد مسلحي المعارضة السابقون اجتماعا في جنيف لبحث الأمم الأخرى والمتحدة."),
    ]
    .join("\n")
}

#[test]
fn storing_twice_adds_nothing_and_keeps_raw_verbatim() {
    for kind in backends() {
        storing_twice(kind);
    }
}

fn storing_twice(kind: &str) {
    let text = inline();
    let (_held, mut store) = backend_with(kind, &[&text]);
    let again = store.put(&prepare(&text, "other.jsonl")).expect("put");
    assert_eq!(again, [false, false, false]);
    store.flush().expect("flush");
    let stats = store.stats().expect("stats");
    assert_eq!((stats.documents, stats.indexed), (3, 3));
    let first = text.lines().next().expect("line");
    assert_eq!(store.raw("t-1").expect("raw").as_deref(), Some(first.as_bytes()));
    let doc = store.document("t-1").expect("doc").expect("stored");
    assert_eq!(doc.id, "t-1");
    assert_eq!(doc.outlet.as_deref(), Some("صحيفة أ"));
    assert_eq!(store.document("nope").expect("lookup"), None);
}

fn ids(store: &dyn Backend, q: &str, f: &Filter) -> Vec<String> {
    let mut v: Vec<String> = store.search(q, f, 20, 0).expect("search").hits.into_iter().map(|h| h.id).collect();
    v.sort();
    v
}

#[test]
fn search_meets_inflections_clitics_and_phrases() {
    for kind in backends() {
        let (_held, store) = backend_with(kind, &[&inline()]);
        search_meets(&*store);
    }
}

fn search_meets(store: &dyn Backend) {
    let none = Filter::default();
    // المسلحين finds والمسلحون / المسلحين (t-1) and مسلحي (t-3).
    assert_eq!(ids(store, "المسلحين", &none), ["t-1", "t-3"]);
    // الرقة finds بالرقة.
    assert_eq!(ids(store, "الرقة", &none), ["t-1"]);
    // Both words required; the phrase only where they are adjacent.
    assert_eq!(ids(store, "الأمم المتحدة", &none), ["t-2", "t-3"]);
    assert_eq!(ids(store, "\"الأمم المتحدة\"", &none), ["t-2"]);
    assert_eq!(ids(store, "جنيف OR الرقة", &none), ["t-1", "t-3"]);
    assert!(ids(store, "كلمةغيرموجودة", &none).is_empty());
    // Filters.
    let by_outlet = Filter { outlet: Some("صحيفة ب".into()), ..Filter::default() };
    assert_eq!(ids(store, "الأمم", &by_outlet), ["t-2", "t-3"]);
    let by_date = Filter { from: Some("2024-04-11".into()), ..Filter::default() };
    assert_eq!(ids(store, "الأمم", &by_date), ["t-3"]);
    let to = Filter { to: Some("2024-04-10".into()), ..Filter::default() };
    assert_eq!(ids(store, "", &to), ["t-1", "t-2"]);
    assert!(store.search("\"unclosed", &none, 5, 0).is_err() || ids(store, "\"unclosed", &none).is_empty());
}

#[test]
fn snippets_highlight_the_words_as_written() {
    for kind in backends() {
        let (_held, store) = backend_with(kind, &[&inline()]);
        let r = store.search("الرقة", &Filter::default(), 5, 0).expect("search");
        let s = r.hits[0].snippet.as_ref().expect("snippet");
        let marked: Vec<&str> = s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect();
        assert_eq!(marked, ["بالرقة"], "{kind}");
    }
}

#[test]
fn a_snippet_is_found_far_into_a_long_body() {
    // 9 KB of text before the only mention of the searched word, cut so that no stretch the
    // snippet is looked for in ends on a word boundary by chance.
    let filler = "وتواصلت الاجتماعات في العاصمة لبحث الملفات الاقتصادية والخدمية العالقة منذ أشهر. ".repeat(60);
    let text = format!("{filler}وفي ختام اليوم أعلن المجلس المحلي في بلدة الزبداني عن افتتاح سوق جديدة.");
    for kind in backends() {
        let (_held, store) = backend_with(kind, &[&record("long-1", "صحيفة أ", "2024-03-01", "نشرة الأسبوع", &text)]);
        a_snippet_far_in(&*store);
    }
}

fn a_snippet_far_in(store: &dyn Backend) {
    let r = store.search("الزبداني", &Filter::default(), 5, 0).expect("search");
    let s = r.hits[0].snippet.as_ref().expect("snippet");
    let marked: Vec<&str> = s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect();
    assert_eq!(marked, ["الزبداني"], "{}", s.text);
    // A word only in the title: the body has nothing to highlight.
    let r = store.search("نشرة", &Filter::default(), 5, 0).expect("search");
    assert!(r.hits[0].snippet.as_ref().is_none_or(|s| s.highlights.is_empty()));
}

#[test]
fn facets_and_filters_over_the_demo_corpus() {
    for kind in backends() {
        let (_held, store) = backend_with(kind, &[demo()]);
        facets_and_filters(&*store);
    }
}

fn facets_and_filters(store: &dyn Backend) {
    let all = store.search("", &Filter::default(), 100, 0).expect("search");
    assert_eq!(all.total, demo().lines().filter(|l| !l.trim().is_empty()).count());
    let months: Vec<&str> = all.facets.month.iter().map(|f| f.value.as_str()).collect();
    assert!(months.windows(2).all(|w| w[0] < w[1]), "{months:?}");
    assert!(months.contains(&"2024-01") && months.contains(&"2024-06"), "{months:?}");
    let country = |c: &str| all.facets.country.iter().find(|f| f.value == c).map_or(0, |f| f.count);
    assert!(country("SY") >= 5 && country("YE") >= 5 && country("SD") >= 5, "{:?}", all.facets.country);
    assert!(all.facets.event_type.iter().any(|f| f.value == "Battles"), "{:?}", all.facets.event_type);
    // Actor facets carry names.
    assert!(all.facets.actor.iter().all(|f| f.label.is_some()), "{:?}", all.facets.actor);
    // A country filter keeps only documents about it, and its count is the facet's.
    let sd = Filter { country: Some("sd".into()), ..Filter::default() };
    let r = store.search("", &sd, 100, 0).expect("search");
    assert_eq!(r.total as u64, country("SD"));
    for h in &r.hits {
        let d = store.document(&h.id).expect("doc").expect("stored");
        let in_sd = |c: &Option<String>| c.as_deref() == Some("SD");
        assert!(
            d.places.iter().any(|p| in_sd(&p.country))
                || d.events.iter().any(|e| in_sd(&e.place.as_ref().and_then(|p| p.country.clone()))),
            "{} is not about Sudan",
            h.id
        );
    }
    assert!(r.hits.iter().any(|h| h.id.starts_with("sd-omdurman")));
    // Every listed value's count is the number of documents its filter keeps, most first.
    let facets = store.search("قصف", &Filter::default(), 1, 0).expect("search").facets;
    let listed: [(&str, &Vec<marsad_store::FacetCount>); 4] = [
        ("country", &facets.country),
        ("type", &facets.event_type),
        ("outlet", &facets.outlet),
        ("actor", &facets.actor),
    ];
    for (field, list) in listed {
        assert!(!list.is_empty(), "{field}");
        assert!(list.windows(2).all(|w| w[0].count >= w[1].count), "{field}: {list:?}");
        for f in list {
            let mut filter = Filter::default();
            let value = Some(f.value.clone());
            match field {
                "country" => filter.country = value,
                "type" => filter.event_type = value,
                "outlet" => filter.outlet = value,
                _ => filter.actor = value,
            }
            let kept = store.search("قصف", &filter, 1, 0).expect("search").total as u64;
            assert_eq!(kept, f.count, "{field} {}", f.value);
        }
    }
    // Paging.
    let p1 = store.search("", &Filter::default(), 10, 0).expect("p1").hits;
    let p2 = store.search("", &Filter::default(), 10, 10).expect("p2").hits;
    assert!(p1.iter().all(|a| p2.iter().all(|b| a.id != b.id)));
}

#[test]
fn exports_in_every_format_agree() {
    for kind in backends() {
        let (_held, store) = backend_with(kind, &[demo()]);
        exports_agree(&*store);
    }
}

fn exports_agree(store: &dyn Backend) {
    let mut csv = Vec::new();
    let n = store.read().export(&Filter::default(), ExportFormat::Csv, ExportUnit::Mentions, &mut csv).expect("csv");
    assert!(n > 20, "{n} events");
    let mut rdr = csv::Reader::from_reader(&csv[..]);
    assert_eq!(rdr.headers().expect("header").len(), 31);
    let rows: Vec<csv::StringRecord> = rdr.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len() as u64, n);
    let mut jsonl = Vec::new();
    assert_eq!(
        store.read().export(&Filter::default(), ExportFormat::Jsonl, ExportUnit::Mentions, &mut jsonl).expect("jsonl"),
        n
    );
    let records: Vec<serde_json::Value> =
        String::from_utf8(jsonl).expect("utf8").lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    assert_eq!(records.len() as u64, n);
    let mut geo = Vec::new();
    store.read().export(&Filter::default(), ExportFormat::Geojson, ExportUnit::Mentions, &mut geo).expect("geojson");
    let geo: serde_json::Value = serde_json::from_slice(&geo).expect("geojson parses");
    let features = geo["features"].as_array().expect("features");
    assert_eq!(features.len() as u64, n);
    let points = features.iter().filter(|f| f["geometry"]["type"] == "Point").count();
    assert!(points * 10 >= features.len() * 8, "{points} of {} located", features.len());
    let mut pq = Vec::new();
    store.read().export(&Filter::default(), ExportFormat::Parquet, ExportUnit::Mentions, &mut pq).expect("parquet");
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(pq))
        .expect("parquet reads")
        .build()
        .expect("reader");
    let mut total = 0;
    for batch in reader {
        let batch = batch.expect("batch");
        assert_eq!(
            batch.schema().field_with_name("latitude").expect("lat").data_type(),
            &arrow_schema::DataType::Float64
        );
        total += batch.num_rows();
    }
    assert_eq!(total as u64, n);
    // Filters narrow, and every exported row passes them.
    let f = Filter { country: Some("YE".into()), event_type: Some("Battles".into()), ..Filter::default() };
    let mut ye = Vec::new();
    let m = store.read().export(&f, ExportFormat::Csv, ExportUnit::Mentions, &mut ye).expect("csv");
    assert!(m > 0 && m < n, "{m} of {n}");
    let mut rdr = csv::Reader::from_reader(&ye[..]);
    for r in rdr.deserialize::<std::collections::HashMap<String, String>>() {
        let r = r.expect("row");
        assert_eq!((r["country"].as_str(), r["event_type"].as_str()), ("YE", "Battles"));
    }
}

#[test]
fn an_unflushed_index_catches_up_on_reopen() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        let mut store = Store::open(dir.path()).expect("open");
        store.put(&prepare(&inline(), "a.jsonl")).expect("put");
        // Dropped without flush: SQLite has the documents, the index has nothing committed.
    }
    let mut store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.stats().expect("stats").indexed, 0);
    assert_eq!(store.catch_up().expect("catch up"), 3);
    assert_eq!(store.stats().expect("stats").indexed, 3);
    assert_eq!(ids(&store, "الرقة", &Filter::default()), ["t-1"]);
    assert_eq!(store.catch_up().expect("nothing left"), 0);
}

#[test]
fn replacing_an_analysis_updates_rows_and_index() {
    for kind in backends() {
        let (_held, mut store) = backend_with(kind, &[&inline()]);
        replacing_an_analysis(&mut *store);
    }
}

fn replacing_an_analysis(store: &mut dyn Backend) {
    let before = store.stats().expect("stats");
    let seq_of_t1 = 1;
    // Re-analyze t-1 from a different text (as if the analyzer had changed its mind).
    let other = record("t-1", "صحيفة أ", "2024-03-01", "خبر آخر", "افتتح معرض للكتاب في دمشق.");
    let mut p = prepare(&other, "x.jsonl");
    store.replace(&[(seq_of_t1, p.remove(0))]).expect("replace");
    store.flush().expect("flush");
    assert_eq!(ids(store, "الرقة", &Filter::default()), Vec::<String>::new());
    assert_eq!(ids(store, "معرض", &Filter::default()), ["t-1"]);
    // The snippet is of the new body (its opening replaced with it).
    let hit = store.search("معرض", &Filter::default(), 5, 0).expect("search").hits.remove(0);
    assert_eq!(hit.snippet.expect("snippet").text, "افتتح معرض للكتاب في دمشق");
    assert!(store.check().expect("check").problems.is_empty());
    let after = store.stats().expect("stats");
    assert_eq!((after.documents, after.indexed), (before.documents, before.indexed));
    assert_eq!(store.count_stale(ANALYZER_VERSION).expect("stale"), 0);
    assert_eq!(store.count_stale("older").expect("stale"), 3);
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    drop(Store::open(dir.path()).expect("create"));
    let conn = rusqlite::Connection::open(dir.path().join("marsad.db")).expect("db");
    conn.pragma_update(None, "user_version", 999).expect("bump");
    drop(conn);
    let err = Store::open(dir.path()).err().expect("refused").to_string();
    assert!(err.contains("newer than this marsad"), "{err}");
    assert!(Store::open_existing(&dir.path().join("absent")).is_err());
}

#[test]
fn check_finds_what_is_broken_and_digests_what_is_held() {
    let dir = tempfile::tempdir().expect("tmp");
    let digest = |store: &Store| {
        let c = store.check().expect("check");
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        c.digest
    };
    let mut store = Store::open(dir.path()).expect("open");
    store.put(&prepare(&inline(), "a.jsonl")).expect("put");
    // Stored, not yet in the index: whole, the three pending.
    let c = store.check().expect("check");
    assert_eq!((c.documents, c.indexed, c.pending, c.problems.len()), (3, 0, 3, 0), "{c:?}");
    store.flush().expect("flush");
    let held = digest(&store);
    // The same documents stored in two batches, the first twice: the same digest.
    let dir2 = tempfile::tempdir().expect("tmp");
    let mut two = Store::open(dir2.path()).expect("open");
    let mut docs = prepare(&inline(), "a.jsonl");
    let rest = docs.split_off(1);
    two.put(&docs).expect("put");
    two.put(&prepare(&inline(), "a.jsonl")[..1]).expect("put again");
    two.put(&rest).expect("put");
    two.flush().expect("flush");
    assert_eq!(digest(&two), held);
    // One more document: another digest.
    let (_more, more) = store_with(&[&inline(), &record("t-9", "صحيفة ب", "2024-03-02", "خبر", "قتل شخصان في حمص.")]);
    assert_ne!(digest(&more), held);
    drop(store);

    // Breakage the check must name: an unreadable document, an index entry gone, a dangling row.
    let conn = rusqlite::Connection::open(dir.path().join("marsad.db")).expect("db");
    conn.execute("UPDATE documents SET content = x'00010203' WHERE seq = 2", []).expect("corrupt");
    conn.execute("INSERT INTO event_mentions (doc_seq, idx, canonical) VALUES (1, 7, 999)", []).expect("dangle");
    conn.execute(
        "UPDATE openings SET opening = (SELECT opening FROM openings WHERE doc_seq = 3) WHERE doc_seq = 1",
        [],
    )
    .expect("swap an opening");
    drop(conn);
    {
        let index = tantivy::Index::open_in_dir(dir.path().join("search")).expect("index");
        let seq = index.schema().get_field("seq").expect("seq field");
        let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        w.delete_term(tantivy::Term::from_field_u64(seq, 3));
        w.commit().expect("commit");
    }
    let store = Store::open(dir.path()).expect("reopen");
    let problems = store.check().expect("check").problems.join("\n");
    assert!(problems.contains("content cannot be read"), "{problems}");
    assert!(problems.contains("1 event mentions of a missing canonical event"), "{problems}");
    assert!(problems.contains("neither in the search index nor pending (seq 3"), "{problems}");
    assert!(problems.contains("document t-1: its stored opening is not its body's"), "{problems}");
}

#[test]
fn a_store_of_schema_3_gets_its_openings_on_open() {
    let dir = tempfile::tempdir().expect("tmp");
    let long =
        format!("{}وفي الختام زار الوفد مدينة الزبداني.", "وتواصلت الاجتماعات في العاصمة لبحث الملفات. ".repeat(40));
    let text = [inline(), record("long-1", "صحيفة أ", "2024-03-01", "نشرة", &long)].join("\n");
    let snippets = |store: &Store, q: &str| -> Vec<(String, Vec<String>)> {
        let r = store.search(q, &Filter::default(), 10, 0).expect("search");
        let mut v: Vec<_> = r
            .hits
            .iter()
            .map(|h| {
                let s = h.snippet.as_ref().expect("snippet");
                (h.id.clone(), s.highlights.iter().map(|&(a, b)| s.text[a..b].to_owned()).collect())
            })
            .collect();
        v.sort();
        v
    };
    let before = {
        let mut store = Store::open(dir.path()).expect("open");
        store.put(&prepare(&text, "a.jsonl")).expect("put");
        store.flush().expect("flush");
        (snippets(&store, "الرقة"), snippets(&store, "الزبداني"), store.check().expect("check").digest)
    };
    assert_eq!(before.0, [("t-1".to_owned(), vec!["بالرقة".to_owned()])]);
    assert_eq!(before.1, [("long-1".to_owned(), vec!["الزبداني".to_owned()])]);
    // Back to schema 3, as a store written before openings were stored.
    let conn = rusqlite::Connection::open(dir.path().join("marsad.db")).expect("db");
    conn.execute_batch("DROP TABLE openings; PRAGMA user_version = 3;").expect("downgrade");
    drop(conn);
    let store = Store::open(dir.path()).expect("migrate");
    let c = store.check().expect("check");
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert_eq!(c.digest, before.2);
    assert_eq!((snippets(&store, "الرقة"), snippets(&store, "الزبداني"), c.digest), before);
    let conn = rusqlite::Connection::open(dir.path().join("marsad.db")).expect("db");
    let rows: u64 = conn.query_row("SELECT count(*) FROM openings", [], |r| r.get(0)).expect("openings");
    assert_eq!(rows, 4);
}
