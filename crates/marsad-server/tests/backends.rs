//! The API answers alike over the embedded store and over PostgreSQL: the demo articles
//! ingested into each, a server over each, and every read endpoint asked the same questions.
//! Search answers must hold the same documents, totals and facets (the two rank with
//! different formulas: BM25 and `ts_rank_cd`); everything else must be identical. And a second
//! server over the same database sees what the first stores.
//!
//! Skipped when PostgreSQL is not installed, unless MARSAD_PG_TESTS is set (as `.ci/run` does).

mod common;

use common::{TOKEN, demo_store, ingest_demo, spawn, unlimited};
use serde_json::Value;
use std::net::SocketAddr;

fn json(addr: SocketAddr, path: &str) -> Value {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r = agent.get(&format!("http://{addr}{path}")).call().expect("request");
    let status = r.status().as_u16();
    let body = r.body_mut().read_to_vec().expect("body");
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()))
}

/// Where two answers first differ: the JSON path and the two values there.
fn difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                difference(x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null), &format!("{at}.{k}"))
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (p, q))| difference(p, q, &format!("{at}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(format!("{at}: {a} ≠ {b}")),
    }
}

fn same(postgres: Value, embedded: Value, path: &str) {
    if let Some(d) = difference(&postgres, &embedded, "") {
        panic!("{path}: PostgreSQL and the embedded store answer differently at {d}");
    }
}

/// A search answer without what depends on the ranking formula: hits by id, without scores
/// and snippets.
fn unranked(mut v: Value) -> Value {
    if let Some(items) = v["items"].as_array_mut() {
        for h in items.iter_mut() {
            if let Some(o) = h.as_object_mut() {
                o.remove("score");
                o.remove("snippet");
            }
        }
        items.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    }
    v
}

#[test]
fn the_api_answers_alike_over_both_backends() {
    let Some(url) = marsad_store::pg::local::test_database() else {
        eprintln!("skipped: PostgreSQL is not installed");
        return;
    };
    let mut shared = marsad_store::pg::PgStore::connect(&url).expect("connect");
    let dir = tempfile::tempdir().expect("tmp");
    ingest_demo(&mut shared, dir.path());
    let (embedded, postgres) = (spawn(demo_store(), unlimited()), spawn(shared, unlimited()));

    let stories = json(embedded, "/api/stories?limit=500");
    let story_ids: Vec<u64> =
        stories["items"].as_array().expect("items").iter().filter_map(|s| s["id"].as_u64()).collect();
    assert!(story_ids.len() > 5);
    let points = json(embedded, "/api/points?limit=500");
    let event_ids: Vec<u64> =
        points["items"].as_array().expect("items").iter().filter_map(|p| p["id"].as_u64()).collect();
    let actors = json(embedded, "/api/actors?limit=500");
    let actor_ids: Vec<String> =
        actors["items"].as_array().expect("items").iter().filter_map(|a| a["id"].as_str().map(str::to_owned)).collect();
    let docs: Vec<String> = include_str!("../../../data/demo/articles.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok()?["id"].as_str().map(str::to_owned))
        .collect();
    let mut paths: Vec<String> = [
        "/api/health",
        "/api/stories?limit=500",
        "/api/stories?limit=7&by_size=true&from=2024-03-01",
        "/api/points?limit=500",
        "/api/points?limit=500&mentions=true",
        "/api/points?limit=50&country=SD&type=Battles",
        "/api/timeline?interval=week&by=type",
        "/api/timeline?interval=month&by=country&from=2024-02-01",
        "/api/actors?limit=500",
        "/api/actors?q=forces&limit=20",
        "/api/places?limit=500",
        "/api/places?kind=sy&limit=50",
        "/api/events?format=csv",
        "/api/events?format=jsonl&mentions=true",
        "/api/events?format=geojson&country=YE",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    paths.extend(story_ids.iter().map(|id| format!("/api/stories/{id}")));
    paths.extend(event_ids.iter().map(|id| format!("/api/events/{id}")));
    paths.extend(actor_ids.iter().take(20).map(|id| format!("/api/actors/{id}")));
    paths.extend(docs.iter().map(|id| format!("/api/documents/{id}")));
    for path in &paths {
        same(json(postgres, path), json(embedded, path), path);
    }
    for q in ["قصف", "الجيش%20السوري", "%22الأمم%20المتحدة%22", "غارة%20OR%20مسيرة", "نزوح&country=SD", "&type=Battles"]
    {
        let path = format!("/api/search?q={q}&limit=100");
        same(unranked(json(postgres, &path)), unranked(json(embedded, &path)), &path);
    }

    // Another server over the same database (a replica) sees what the first one stores, once
    // it has seen the database's version change: its cached answers are not served again.
    let replica = spawn(marsad_store::pg::PgStore::connect(&url).expect("connect"), unlimited());
    let before = json(replica, "/api/health")["documents"].as_u64().expect("documents");
    assert_eq!(json(replica, "/api/search?q=الزبداني")["total"], 0);
    let article = serde_json::json!({"id": "replica-1", "published": "2024-06-02", "title": "سوق جديدة في الزبداني",
        "text": "أعلن المجلس المحلي في بلدة الزبداني افتتاح سوق جديدة للخضار."});
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r = agent
        .post(&format!("http://{postgres}/api/documents"))
        .header("authorization", &format!("Bearer {TOKEN}"))
        .send(article.to_string())
        .expect("post");
    assert_eq!(r.status().as_u16(), 200, "{}", r.body_mut().read_to_string().unwrap_or_default());
    assert_eq!(json(replica, "/api/health")["documents"].as_u64(), Some(before + 1));
    // Its cached search answer goes once it has polled the version (every second).
    let start = std::time::Instant::now();
    while json(replica, "/api/search?q=الزبداني")["total"] != 1 {
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "the replica kept answering from its cache");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
