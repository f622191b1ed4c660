//! Stories, near-duplicates and canonical events over the team's demo corpus (data/demo), whose
//! hand labels (stories.json) say which articles tell one story and which report one event.

mod common;

use common::{Held, backend_with, backends, demo, prepare, store_with};
use marsad_store::{Backend, ExportFormat, ExportUnit, Filter, StoryQuery};
use std::collections::{BTreeMap, BTreeSet};

/// 2024-07-01: after every demo article (all carry dates, so it is not used).
const CLOCK: i32 = 19_905;

fn labels() -> serde_json::Value {
    serde_json::from_str(include_str!("../../../data/demo/stories.json")).expect("stories.json")
}

/// The demo corpus in a store of backend `kind`, clustered. Each test runs on every backend.
fn clustered(kind: &str) -> (Held, Box<dyn Backend>) {
    eprintln!("backend: {kind}");
    let (held, mut store) = backend_with(kind, &[demo()]);
    store.update_stories(CLOCK).expect("stories");
    (held, store)
}

fn csv_rows(store: &dyn Backend, unit: ExportUnit) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    store.read().export(&Filter::default(), ExportFormat::Csv, unit, &mut out).expect("export");
    csv::Reader::from_reader(&out[..]).deserialize().collect::<Result<_, _>>().expect("rows")
}

#[test]
fn stories_follow_the_hand_labels() {
    for kind in backends() {
        stories_follow_the_hand_labels_on(kind);
    }
}

fn stories_follow_the_hand_labels_on(kind: &str) {
    let (_held, store) = clustered(kind);
    let gold = labels();
    // Each labelled story lies in one predicted story, and no predicted story holds two.
    let mut owner: BTreeMap<u64, String> = BTreeMap::new();
    let mut split = 0;
    let mut articles = 0;
    for s in gold["stories"].as_array().expect("stories") {
        let name = s["story"].as_str().expect("name");
        let mut predicted: BTreeMap<u64, usize> = BTreeMap::new();
        for a in s["articles"].as_array().expect("articles") {
            let id = store.read().story_of(a.as_str().expect("id")).expect("lookup").expect("clustered");
            *predicted.entry(id).or_default() += 1;
            articles += 1;
        }
        split += predicted.len() - 1;
        for id in predicted.keys() {
            if let Some(other) = owner.insert(*id, name.to_owned()) {
                panic!("story {id} holds both {other} and {name}");
            }
        }
    }
    // The corpus tells each story from opposite sides in opposite words; at most two of its
    // 15 multi-article stories may come apart (measured: one).
    assert!(split <= 2, "{split} extra pieces over {articles} articles");
    // Listing: the largest story first, with labels in both languages.
    let top = store.read().stories(&StoryQuery { by_size: true, limit: 3, ..StoryQuery::default() }).expect("list");
    assert!(top[0].articles >= 4 && top[0].outlets >= 3, "{top:?}");
    assert_eq!(top[0].documents.len() as u64, top[0].articles);
    let latin = |s: &str| {
        s.chars().any(|c| c.is_ascii_alphabetic()) && !s.chars().any(|c| ('\u{600}'..='\u{6ff}').contains(&c))
    };
    assert!(top.iter().all(|s| !s.label_ar.is_empty() && latin(&s.label_en)), "{top:?}");
}

#[test]
fn reports_of_one_event_become_one_record_with_their_disagreements() {
    for kind in backends() {
        reports_of_one_event_become_one_record_with_their_disagreements_on(kind);
    }
}

fn reports_of_one_event_become_one_record_with_their_disagreements_on(kind: &str) {
    let (_held, store) = clustered(kind);
    let mentions = csv_rows(&*store, ExportUnit::Mentions);
    let canonical = csv_rows(&*store, ExportUnit::Canonical);
    assert!(canonical.len() < mentions.len(), "{} of {}", canonical.len(), mentions.len());
    let counted: u64 = canonical.iter().map(|r| r["mentions"].parse::<u64>().expect("count")).sum();
    assert_eq!(counted, mentions.len() as u64);
    // Every labelled event reported by several articles: the records that its articles'
    // reports of that type and day, in a sentence naming its place, went into. One per event
    // is the aim.
    let gold = labels();
    let (mut events, mut records) = (0, 0);
    for s in gold["stories"].as_array().expect("stories") {
        for e in s["events"].as_array().expect("events") {
            let docs: Vec<&str> = e["articles"].as_array().expect("ids").iter().filter_map(|v| v.as_str()).collect();
            if docs.len() < 2 {
                continue;
            }
            let kind = e["acled_type"].as_str().expect("type");
            let place = e["place"].as_str().expect("place");
            let day = marsad_cluster::day_number(e["date"].as_str().expect("date")).expect("day");
            let mut ids = BTreeSet::new();
            for d in &docs {
                let doc = store.document(d).expect("doc").expect("stored");
                for (facts, c) in store.read().event_mentions(d).expect("mentions") {
                    let sentence = &doc.events[facts.idx as usize].evidence.text;
                    if facts.event_type == kind
                        && facts.day.is_some_and(|x| (x - day).abs() <= 1)
                        && sentence.contains(place)
                    {
                        ids.extend(c);
                    }
                }
            }
            if !ids.is_empty() {
                events += 1;
                records += ids.len();
            }
        }
    }
    assert!(events >= 10, "{events} events found");
    let factor = records as f64 / events as f64;
    // Measured 25 records for 17 events (1.47). What is left comes from the analysis, not the
    // merge: al-Baghuz resolved to Baghdad in one article, arrest dates two days apart, al-Rawdah
    // (Taiz) resolved to another Rawdah, sub-event types that differ by outlet.
    assert!(factor <= 1.5, "{records} records for {events} events");
    // The Tal Afar market bombing: 9 killed per two outlets, 12 per a third; the record says
    // 9 and keeps both.
    let story = store.read().story_of("iq-talafar-02-rafidain").expect("lookup").expect("clustered");
    let detail = store.read().story(story).expect("story").expect("exists");
    let bombing = detail
        .events
        .iter()
        .find(|e| e.event_type == "Explosions/Remote violence" && e.articles >= 3)
        .unwrap_or_else(|| panic!("no merged bombing in {:#?}", detail.events));
    let reports: BTreeSet<u64> = bombing.summary["fatality_reports"]
        .as_array()
        .expect("reports")
        .iter()
        .filter_map(|r| r["value"].as_u64())
        .collect();
    assert_eq!(reports, BTreeSet::from([9, 12]), "{:?}", bombing.summary);
    assert_eq!(bombing.fatalities, Some(9));
    assert!(bombing.summary["disagreements"].as_array().expect("list").iter().any(|d| d == "fatalities"));
    assert!(bombing.sources.len() >= 3 && bombing.mentions.iter().all(|m| !m.evidence.is_empty()));
}

#[test]
fn a_story_shows_each_outlets_words_and_who_it_quotes() {
    for kind in backends() {
        a_story_shows_each_outlets_words_and_who_it_quotes_on(kind);
    }
}

fn a_story_shows_each_outlets_words_and_who_it_quotes_on(kind: &str) {
    let (_held, store) = clustered(kind);
    let story = store.read().story_of("sy-idlib-01-mashreq").expect("lookup").expect("clustered");
    let detail = store.read().story(story).expect("story").expect("exists");
    let outlets: BTreeSet<&str> = detail.framing.iter().map(|f| f.outlet.as_str()).collect();
    assert!(outlets.len() >= 2, "{outlets:?}");
    // The state-aligned outlet calls the fighters terrorists in its own voice.
    let mashreq = detail.framing.iter().find(|f| f.outlet == "وكالة المشرق للأنباء").expect("Mashreq's framing");
    assert!(mashreq.terms.iter().any(|t| t.frame == "delegitimizing" && t.own_voice > 0), "{:?}", mashreq.terms);
    // Each use points at the words as written.
    let doc = store.document(&mashreq.terms[0].document).expect("doc").expect("stored");
    let t = &mashreq.terms[0];
    assert_eq!(&doc.text[t.start..t.end], t.text);
    assert!(!detail.quotes.is_empty());
}

#[test]
fn updating_in_parts_gives_what_one_update_gives() {
    for kind in backends() {
        updating_in_parts_gives_what_one_update_gives_on(kind);
    }
}

fn updating_in_parts_gives_what_one_update_gives_on(kind: &str) {
    let (_a, whole) = clustered(kind);
    let lines: Vec<&str> = demo().lines().collect();
    let (first, second) = lines.split_at(lines.len() / 2);
    let (_b, mut parts) = backend_with(kind, &[&first.join("\n")]);
    let u1 = parts.update_stories(CLOCK).expect("first");
    parts.put(&prepare(&second.join("\n"), "test.jsonl")).expect("put");
    assert_eq!(parts.stats().expect("count").unclustered, second.len() as u64);
    let u2 = parts.update_stories(CLOCK).expect("second");
    assert_eq!(u1.documents + u2.documents, lines.len() as u64);
    assert_eq!(parts.stats().expect("count").unclustered, 0);
    assert_eq!(parts.read().story_assignments().expect("a"), whole.read().story_assignments().expect("b"));
    assert_eq!(csv_rows(&*parts, ExportUnit::Canonical), csv_rows(&*whole, ExportUnit::Canonical));
}

#[test]
fn rebuilding_the_stories_changes_nothing() {
    for kind in backends() {
        let (_held, mut store) = clustered(kind);
        let line = demo().lines().find(|l| l.contains("\"sd-omdurman-01")).expect("an Omdurman article");
        let mut copy: serde_json::Value = serde_json::from_str(line).expect("json");
        copy["id"] = "syndicated-copy".into();
        store.put(&prepare(&copy.to_string(), "copies.jsonl")).expect("put");
        store.update_stories(CLOCK).expect("update");
        let (stories, events) = (store.read().story_assignments().expect("a"), csv_rows(&*store, ExportUnit::Mentions));
        store.rebuild_stories(CLOCK, None).expect("rebuild");
        assert_eq!(store.read().story_assignments().expect("b"), stories, "{kind}");
        assert_eq!(csv_rows(&*store, ExportUnit::Mentions), events, "{kind}");
        assert_eq!(store.stats().expect("stats").near_duplicates, 1, "{kind}");
    }
}

#[test]
fn a_near_duplicate_joins_its_original_without_events_of_its_own() {
    for kind in backends() {
        a_near_duplicate_joins_its_original_without_events_of_its_own_on(kind);
    }
}

fn a_near_duplicate_joins_its_original_without_events_of_its_own_on(kind: &str) {
    let (_held, mut store) = clustered(kind);
    let line = demo().lines().find(|l| l.contains("\"sd-omdurman-01")).expect("an Omdurman article");
    let mut copy: serde_json::Value = serde_json::from_str(line).expect("json");
    let text = copy["text"].as_str().expect("text").to_owned();
    copy["id"] = "syndicated-copy".into();
    copy["outlet"] = "وكالة أخرى".into();
    copy["text"] = format!("عاجل | {text}\nللمزيد من الأخبار تابعونا على قناتنا.").into();
    let before = csv_rows(&*store, ExportUnit::Mentions).len();
    store.put(&prepare(&copy.to_string(), "copies.jsonl")).expect("put");
    store.update_stories(CLOCK).expect("update");
    assert_eq!(csv_rows(&*store, ExportUnit::Mentions).len(), before);
    let original = store.read().story_of("sd-omdurman-01-nile").expect("lookup");
    assert!(original.is_some());
    assert_eq!(store.read().story_of("syndicated-copy").expect("lookup"), original);
    let detail = store.read().story(original.expect("clustered")).expect("story").expect("exists");
    let copy_row = detail.articles.iter().find(|a| a.id == "syndicated-copy").expect("listed");
    assert!(copy_row.duplicate_of.is_some());
    assert!(store.read().event_mentions("syndicated-copy").expect("mentions").iter().all(|(_, c)| c.is_none()));
}

#[test]
fn timelines_from_memory_select_what_exports_and_map_points_select() {
    for kind in backends() {
        timelines_from_memory_select_what_exports_and_map_points_select_on(kind);
    }
}

fn timelines_from_memory_select_what_exports_and_map_points_select_on(kind: &str) {
    let (_held, store) = clustered(kind);
    let facts = store.read().event_facts().expect("facts");
    let all = store.read().points(&Filter::default(), ExportUnit::Canonical, 1000).expect("points");
    assert_eq!(facts.len() as u64, all.total);
    // Every value each filter field takes in the store, and a few it does not.
    let mut filters = vec![Filter::default()];
    let field = |f: fn(&marsad_store::Point) -> Option<String>| -> BTreeSet<String> {
        all.items.iter().filter_map(f).collect()
    };
    for t in field(|p| Some(p.event_type.clone())).into_iter().chain(field(|p| Some(p.sub_event_type.clone()))) {
        filters.push(Filter { event_type: Some(t), ..Filter::default() });
    }
    for c in field(|p| p.country.clone()) {
        filters.push(Filter { country: Some(c.to_lowercase()), ..Filter::default() });
    }
    for a in field(|p| p.actor1.clone()).into_iter().chain(field(|p| p.actor2.clone())) {
        filters.push(Filter { actor: Some(a), ..Filter::default() });
    }
    for d in field(|p| Some(p.date.clone())) {
        filters.push(Filter { from: Some(d.clone()), ..Filter::default() });
        filters.push(Filter { to: Some(d), ..Filter::default() });
    }
    for o in ["الأفق نيوز", "وكالة المشرق للأنباء", "no such outlet"] {
        filters.push(Filter { outlet: Some(o.into()), ..Filter::default() });
    }
    filters.push(Filter { country: Some("SY".into()), event_type: Some("Battles".into()), ..Filter::default() });
    assert!(filters.len() > 30, "{} filters", filters.len());
    for f in &filters {
        let sql = store.read().points(f, ExportUnit::Canonical, 1000).expect("points");
        assert_eq!(facts.count(f), sql.total, "{f:?}");
        let rows =
            store.read().timeline(f, marsad_store::Interval::Week, marsad_store::GroupBy::Country).expect("timeline");
        assert_eq!(rows.iter().map(|r| r.events).sum::<u64>(), sql.total, "{f:?}");
        let dead: u64 = sql.items.iter().filter_map(|p| p.fatalities).map(u64::from).sum();
        assert_eq!(rows.iter().map(|r| r.fatalities).sum::<u64>(), dead, "{f:?}");
    }
    // Months and days hold the events of their dates.
    for (interval, width) in [(marsad_store::Interval::Month, 7), (marsad_store::Interval::Day, 10)] {
        let rows = store.read().timeline(&Filter::default(), interval, marsad_store::GroupBy::Actor).expect("timeline");
        let mut by_bucket: BTreeMap<String, u64> = BTreeMap::new();
        for r in rows {
            *by_bucket.entry(r.bucket).or_default() += r.events;
        }
        let mut expected: BTreeMap<String, u64> = BTreeMap::new();
        for p in &all.items {
            *expected.entry(p.date[..width].to_owned()).or_default() += 1;
        }
        assert_eq!(by_bucket, expected);
    }
    // Weeks are named by their Monday.
    let weeks = store
        .read()
        .timeline(&Filter::default(), marsad_store::Interval::Week, marsad_store::GroupBy::EventType)
        .expect("timeline");
    for r in &weeks {
        let d = chrono::NaiveDate::parse_from_str(&r.bucket, "%Y-%m-%d").expect("a day");
        assert_eq!(chrono::Datelike::weekday(&d), chrono::Weekday::Mon, "{}", r.bucket);
    }
}

/// A server saves the clusterers' state now and then, not at each post: a store closed
/// between two saves (as by a crash) replays the updates it lacks when it is opened again, and
/// ends where a store that saved at every update ends.
#[test]
fn a_state_saved_now_and_then_is_replayed_when_the_store_is_opened_again() {
    use marsad_store::Store;
    let lines: Vec<&str> = demo().lines().collect();
    let (_a, mut every) = store_with(&[]);
    let (dir, mut deferred) = store_with(&[]);
    deferred.save_cluster_state_every(Some(std::time::Duration::from_secs(3600)));
    // One article per update (as posts come), a near-duplicate among them; a clock that moves.
    let copy = {
        let mut c: serde_json::Value = serde_json::from_str(lines[3]).expect("json");
        c["id"] = "a-copy".into();
        c.to_string()
    };
    let mut posts: Vec<&str> = lines.clone();
    posts.insert(10, &copy);
    for (i, line) in posts.iter().enumerate() {
        let clock = CLOCK + i as i32;
        if i == posts.len() / 2 {
            // Closed without saving, then opened again.
            drop(deferred);
            deferred = Store::open(dir.path()).expect("reopen");
            deferred.save_cluster_state_every(Some(std::time::Duration::from_secs(3600)));
        }
        for s in [&mut every, &mut deferred] {
            s.put(&prepare(line, "posts.jsonl")).expect("put");
            s.flush().expect("flush");
            s.update_stories(clock).expect("update");
        }
    }
    assert_eq!(deferred.stats().expect("stats").unclustered, 0);
    assert_eq!(deferred.read().story_assignments().expect("a"), every.read().story_assignments().expect("b"));
    assert_eq!(csv_rows(&deferred, ExportUnit::Canonical), csv_rows(&every, ExportUnit::Canonical));
    let reference = every.check().expect("check").digest;
    assert_ne!(deferred.check().expect("check").digest, reference, "the state was saved at every update");
    deferred.checkpoint().expect("save");
    assert_eq!(deferred.check().expect("check").digest, reference);
    // And opened once more, it goes on from the saved state.
    drop(deferred);
    let mut deferred = Store::open(dir.path()).expect("reopen");
    let extra = {
        let mut c: serde_json::Value = serde_json::from_str(lines[20]).expect("json");
        c["id"] = "another-copy".into();
        c.to_string()
    };
    for s in [&mut every, &mut deferred] {
        s.put(&prepare(&extra, "posts.jsonl")).expect("put");
        s.flush().expect("flush");
        s.update_stories(CLOCK).expect("update");
    }
    assert_eq!(deferred.check().expect("check").digest, every.check().expect("check").digest);
}
