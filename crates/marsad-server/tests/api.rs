//! The API over a real store of the demo articles, through real HTTP on loopback.

mod common;

use common::{TOKEN, demo_store, spawn, unlimited};
use marsad_store::Store;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::OnceLock;

/// The bundled demo articles.
const DEMO: &str = include_str!("../../../data/demo/articles.jsonl");

/// The server of this test binary's read tests: a store of the demo corpus.
fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| spawn(demo_store(), unlimited()))
}

/// A client that hands back every answer, errors included.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// GET `path` of the server at `addr`: status, body and content type.
fn get_at(addr: SocketAddr, path: &str) -> (u16, Vec<u8>, String) {
    let mut r = agent().get(&format!("http://{addr}{path}")).call().expect("request");
    let status = r.status().as_u16();
    let ctype = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let body = r.body_mut().read_to_vec().expect("body");
    (status, body, ctype)
}

fn json_at(addr: SocketAddr, path: &str) -> (u16, Value) {
    let (status, body, _) = get_at(addr, path);
    (status, serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{path}: {e}")))
}

/// GET `path` of the read tests' server.
fn get(path: &str) -> (u16, Vec<u8>, String) {
    get_at(server(), path)
}

fn json(path: &str) -> (u16, Value) {
    json_at(server(), path)
}

#[test]
fn stories_page_with_cursors_and_show_their_events() {
    let (s, first) = json("/api/stories?limit=5&by_size=true");
    assert_eq!(s, 200, "{first}");
    let items = first["items"].as_array().expect("items");
    assert_eq!(items.len(), 5);
    let next = first["next"].as_str().expect("a next page");
    let (_, second) = json(&format!("/api/stories?limit=5&by_size=true&cursor={next}"));
    let ids = |v: &Value| -> Vec<u64> {
        v["items"].as_array().expect("items").iter().filter_map(|s| s["id"].as_u64()).collect()
    };
    assert!(ids(&first).iter().all(|a| !ids(&second).contains(a)));
    let id = items[0]["id"].as_u64().expect("id");
    let (s, story) = json(&format!("/api/stories/{id}"));
    assert_eq!(s, 200);
    assert!(story["events"].as_array().is_some_and(|e| !e.is_empty()), "{story}");
    assert!(story["framing"].as_array().is_some_and(|f| f.len() >= 2), "{story}");
    let doc = story["articles"][0]["id"].as_str().expect("doc id").to_owned();
    let (s, d) = json(&format!("/api/documents/{doc}"));
    assert_eq!(s, 200);
    assert_eq!(d["document"]["id"], doc.as_str());
    assert_eq!(d["story"], id);
    assert!(d["document"]["text"].as_str().is_some_and(|t| !t.is_empty()));
}

#[test]
fn search_filters_and_facets() {
    let (s, r) = json("/api/search?q=%D8%A7%D9%84%D8%AD%D9%88%D8%AB%D9%8A%D9%8A%D9%86&country=YE&limit=2");
    assert_eq!(s, 200, "{r}");
    assert!(r["total"].as_u64() >= Some(3), "{r}");
    assert_eq!(r["items"].as_array().map(Vec::len), Some(2));
    assert!(r["next"].is_string());
    assert!(r["facets"]["outlet"].as_array().is_some_and(|f| !f.is_empty()));
}

#[test]
fn events_stream_in_every_format() {
    let (s, csv, ctype) = get("/api/events?format=csv");
    assert_eq!(s, 200);
    assert!(ctype.starts_with("text/csv"));
    let csv = String::from_utf8(csv).expect("utf8");
    assert!(csv.starts_with("event_id_cnty,") && csv.lines().next().is_some_and(|h| h.ends_with(",mentions,articles")));
    let (_, mentions, _) = get("/api/events?format=csv&mentions=true");
    assert!(String::from_utf8_lossy(&mentions).lines().count() > csv.lines().count());
    let (_, jsonl, _) = get("/api/events?format=jsonl&country=SD");
    let rows: Vec<Value> =
        String::from_utf8(jsonl).expect("utf8").lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    assert!(!rows.is_empty() && rows.iter().all(|r| r["location"]["country"] == "SD" && r["mentions"].is_u64()));
    let (_, pq, _) = get("/api/events?format=parquet");
    assert!(pq.starts_with(b"PAR1"));
}

#[test]
fn errors_are_json_and_name_the_problem() {
    for (path, status) in [
        ("/api/stories/99999", 404),
        ("/api/stories/abc", 400),
        ("/api/documents/nope", 404),
        ("/api/stories?from=2024-13-01", 400),
        ("/api/stories?limit=100000", 400),
        ("/api/stories?cursor=xyz", 400),
        ("/api/events?format=xls", 400),
        ("/api/nothing", 404),
        // Made by the router, not a handler: the same error body.
        ("/api/documents", 405),
    ] {
        let (s, body) = json(path);
        assert_eq!(s, status, "{path}: {body}");
        assert_eq!(body["error"]["status"], status);
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{path}: {body}");
    }
}

#[test]
fn the_openapi_document_describes_every_route() {
    let (s, doc) = json("/api/openapi.json");
    assert_eq!(s, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let src = include_str!("../src/lib.rs");
    let routes: Vec<&str> = src.split(".route(\"").skip(1).filter_map(|l| l.split('"').next()).collect();
    // The dashboard's page and files are not API.
    let routes: Vec<&str> = routes.into_iter().filter(|r| r.starts_with("/api/")).collect();
    assert!(routes.len() >= 14);
    for r in routes {
        assert!(doc["paths"].get(r).is_some(), "{r} is not in the OpenAPI document");
    }
}

#[test]
fn timelines_count_canonical_events_and_events_open_with_their_evidence() {
    let (s, days) = json("/api/timeline?interval=day&by=type");
    assert_eq!(s, 200, "{days}");
    let rows = days["items"].as_array().expect("items");
    let total: u64 = rows.iter().filter_map(|r| r["events"].as_u64()).sum();
    let (_, csv, _) = get("/api/events?format=csv");
    assert_eq!(total as usize, String::from_utf8_lossy(&csv).lines().count() - 1, "one count per canonical event");
    assert!(rows.windows(2).all(|w| w[0]["bucket"].as_str() <= w[1]["bucket"].as_str()));
    let (_, weeks) = json("/api/timeline?interval=week&by=country&country=SD");
    let weeks = weeks["items"].as_array().expect("items");
    assert!(!weeks.is_empty() && weeks.iter().all(|r| r["group"] == "SD"), "{weeks:?}");
    // Weeks are named by their Monday.
    for r in weeks {
        let day = r["bucket"].as_str().expect("bucket");
        // Day 0, 1970-01-01, was a Thursday.
        let n = marsad_cluster::day_number(day).expect("a day");
        assert_eq!((n + 3).rem_euclid(7), 0, "{day} is not a Monday");
    }
    let (s, _) = json("/api/timeline?interval=year");
    assert_eq!(s, 400);
    // An event of the Tal Afar story, with the sentences that report it.
    let (_, list) = json("/api/stories?limit=50");
    let story = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["documents"].as_array().is_some_and(|d| d.iter().any(|x| x == "iq-talafar-02-rafidain")))
        .expect("the Tal Afar story")["id"]
        .as_u64()
        .expect("id");
    let (_, detail) = json(&format!("/api/stories/{story}"));
    let id = detail["events"][0]["id"].as_u64().expect("an event");
    let (s, e) = json(&format!("/api/events/{id}"));
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["id"], id);
    assert!(
        e["mentions"].as_array().is_some_and(|m| m.iter().all(|m| !m["evidence"].as_str().unwrap_or("").is_empty()))
    );
    assert_eq!(json("/api/events/999999").0, 404);
}

fn post(addr: SocketAddr, token: Option<&str>, body: impl AsRef<[u8]>) -> (u16, Value) {
    let mut req = agent().post(&format!("http://{addr}/api/documents")).header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    let mut r = req.send(body.as_ref()).expect("request");
    let status = r.status().as_u16();
    (status, serde_json::from_slice(&r.body_mut().read_to_vec().expect("body")).expect("json"))
}

/// Posts only the head of a request whose body would be `length` bytes, and reads the answer.
fn post_announcing(addr: SocketAddr, length: usize) -> (u16, Value) {
    use std::io::{Read, Write};
    let mut tcp = std::net::TcpStream::connect(addr).expect("connect");
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(30))).expect("timeout");
    write!(
        tcp,
        "POST /api/documents HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {TOKEN}\r\n\
         content-type: application/json\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n"
    )
    .expect("head");
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).expect("answer");
    let answer = String::from_utf8_lossy(&answer);
    let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[test]
fn articles_are_ingested_over_http_with_the_token_only() {
    // Its own store: the read tests' counts stay as they are.
    let dir = marsad_store::scratch::process_folder("marsad-server-test").expect("a temporary folder");
    let addr = spawn(Store::open(&dir.join("store")).expect("store"), unlimited());
    let article = serde_json::json!({
        "id": "http-1", "outlet": "وكالة الاختبار", "published": "2024-05-02", "title": "اشتباكات في مدينة الرقة",
        "text": "قالت مصادر محلية إن اشتباكات عنيفة اندلعت اليوم في مدينة الرقة بين مسلحين وقوات الأمن، وأسفرت عن مقتل ثلاثة أشخاص."
    })
    .to_string();
    // Searched before the write: the answer the server keeps must not outlive it.
    let search = |addr: SocketAddr| json_at(addr, "/api/search?q=%D8%A7%D9%84%D8%B1%D9%82%D8%A9").1;
    assert_eq!(search(addr)["total"], 0);
    assert_eq!(search(addr)["total"], 0);
    assert_eq!(post(addr, None, &article).0, 401);
    assert_eq!(post(addr, Some("test-token-4f1"), &article).0, 401);
    let (s, r) = post(addr, Some(TOKEN), &article);
    assert_eq!(s, 200, "{r}");
    assert_eq!((r["added"].as_u64(), r["existing"].as_u64()), (Some(1), Some(0)), "{r}");
    assert_eq!(search(addr)["total"], 1, "the reading handles see the write");
    // Again: stored already, nothing added.
    let (_, r) = post(addr, Some(TOKEN), &article);
    assert_eq!((r["added"].as_u64(), r["existing"].as_u64()), (Some(0), Some(1)), "{r}");
    // A batch with an article and a record without text: one stored, one rejected by position.
    let batch = format!("[{}, {{\"id\": \"http-3\", \"title\": \"بلا نص\"}}]", article.replace("http-1", "http-2"));
    let (s, r) = post(addr, Some(TOKEN), &batch);
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["added"], 1, "{r}");
    assert_eq!(r["rejected"][0]["index"], 1, "{r}");
    assert!(r["rejected"][0]["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(post(addr, Some(TOKEN), "{\"id\": ").0, 400);
    assert_eq!(post(addr, Some(TOKEN), "[]").0, 400);
    // Stored, analyzed and in a story.
    let (_, d) = json_at(addr, "/api/documents/http-1");
    assert_eq!(d["document"]["outlet"], "وكالة الاختبار");
    assert!(d["story"].is_u64(), "{d}");
}

#[test]
fn bad_bodies_and_queries_get_clear_answers_and_leave_the_store_whole() {
    let dir = marsad_store::scratch::process_folder("marsad-server-test").expect("a temporary folder");
    let addr = spawn(Store::open(&dir.join("store")).expect("store"), unlimited());
    let documents = || json_at(addr, "/api/health").1["documents"].as_u64();
    let first = serde_json::json!({"id": "ok-1", "published": "2024-05-02", "text": "قتل ثلاثة مدنيين في قصف على مدينة حلب أمس."});
    assert_eq!(post(addr, Some(TOKEN), first.to_string()).0, 200);
    assert_eq!(documents(), Some(1));
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let mut bad_utf8 = br#"{"id": "bad-1", "text": "\u0642\u062a\u0644 "#.to_vec();
    bad_utf8.extend_from_slice(b"\xff\xfe\"}");
    let binary: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8).collect();
    for (what, body, status) in
        [("binary", binary, 400), ("empty", Vec::new(), 400), ("a string", b"\"text\"".to_vec(), 400)]
    {
        let (s, r) = post(addr, Some(TOKEN), &body);
        assert_eq!(s, status, "{what}: {r}");
        assert!(r["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {r}");
    }
    // A body over the 32 MiB limit is refused by its announced length, before it is sent (a
    // client still sending it when the answer comes may see the connection closed instead).
    let (status, answer) = post_announcing(addr, 33 << 20);
    assert_eq!(status, 413, "{answer}");
    assert!(answer["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{answer}");
    // Records the server reads and rejects one by one, by position and with the problem.
    let (s, r) = post(addr, Some(TOKEN), &nested);
    assert_eq!((s, r["added"].as_u64(), r["rejected"][0]["kind"].as_str()), (200, Some(0), Some("json")), "{r}");
    assert!(r["rejected"][0]["message"].as_str().is_some_and(|m| m.contains("recursion limit")), "{r}");
    let (s, r) = post(addr, Some(TOKEN), &bad_utf8);
    assert_eq!(s, 400, "invalid UTF-8 inside the JSON body: {r}");
    let thousands = format!("[{}]", vec!["{\"title\": \"بلا نص\"}"; 10_000].join(","));
    let (s, r) = post(addr, Some(TOKEN), thousands);
    assert_eq!((s, r["added"].as_u64(), r["rejected"].as_array().map(Vec::len)), (200, Some(0), Some(10_000)));
    assert_eq!(r["rejected"][9_999]["index"], 9_999);
    // Queries: dates at the ends of the calendar, an unbalanced quote, a 10,000-letter word.
    for path in [
        "/api/timeline?from=0000-01-01&to=9999-12-31",
        "/api/events?from=0000-01-01&to=9999-12-31&format=jsonl",
        "/api/points?from=9999-12-31",
    ] {
        let (s, body, _) = get_at(addr, path);
        assert_eq!(s, 200, "{path}: {}", String::from_utf8_lossy(&body));
    }
    // Filter values are bound parameters, never SQL: a quote and a comment match nothing
    // (while the same requests without the filter find the stored event).
    let points = |q: &str| json_at(addr, &format!("/api/points?{q}")).1["items"].as_array().map_or(0, Vec::len);
    assert!(points("") > 0);
    assert_eq!(points("country=SY%27%20OR%20%271%27%3D%271"), 0);
    assert_eq!(points("actor=x%27)%20OR%201%3D1%20--"), 0);
    let rows =
        |q: &str| String::from_utf8_lossy(&get_at(addr, &format!("/api/events?format=csv{q}")).1).lines().count();
    assert!(rows("") > 1);
    assert_eq!(rows("&type=Battles%27%3B%20DROP%20TABLE%20documents%3B%20--"), 1, "the header only");
    let long = format!("/api/search?q={}", "%D8%A8".repeat(10_000));
    let (s, body, _) = get_at(addr, &long);
    assert!(s == 200 || s == 400, "{s}: {}", String::from_utf8_lossy(&body));
    assert_eq!(json_at(addr, "/api/search?q=%D8%AD%D9%84%D8%A8").1["total"], 1);
    // An unbalanced quote searches for what can be read of the query.
    assert_eq!(json_at(addr, "/api/search?q=%22%D8%AD%D9%84%D8%A8").1["total"], 1);
    assert_eq!(documents(), Some(1));
}

#[test]
fn actors_places_and_points_list_what_the_store_holds() {
    let (s, actors) = json("/api/actors?limit=3");
    assert_eq!(s, 200, "{actors}");
    let items = actors["items"].as_array().expect("items");
    assert_eq!(items.len(), 3);
    let docs: Vec<u64> = items.iter().filter_map(|a| a["documents"].as_u64()).collect();
    assert!(docs.windows(2).all(|w| w[0] >= w[1]), "most mentioned first: {docs:?}");
    let (_, page2) = json(&format!("/api/actors?limit=3&cursor={}", actors["next"].as_str().expect("next")));
    assert_ne!(page2["items"][0]["id"], items[0]["id"]);
    // By name, in Arabic or English.
    let (_, rsf) = json("/api/actors?q=%D8%A7%D9%84%D8%AF%D8%B9%D9%85%20%D8%A7%D9%84%D8%B3%D8%B1%D9%8A%D8%B9");
    assert_eq!(rsf["items"][0]["id"], "sdn-mil-rsf", "{rsf}");
    let (_, en) = json("/api/actors?q=rapid%20support");
    assert_eq!(en["items"][0]["id"], "sdn-mil-rsf", "{en}");
    let (s, one) = json("/api/actors/sdn-mil-rsf");
    assert_eq!(s, 200);
    let events = one["events"].as_array().expect("events");
    assert!(!events.is_empty() && events.iter().all(|e| e["actor1"] == "sdn-mil-rsf" || e["actor2"] == "sdn-mil-rsf"));
    assert_eq!(json("/api/actors/nobody").0, 404);

    let (_, places) = json("/api/places?country=sd&limit=50");
    let places = places["items"].as_array().expect("items");
    assert!(!places.is_empty() && places.iter().all(|p| p["country"] == "SD"), "{places:?}");

    let (_, all) = json("/api/points");
    let total = all["total"].as_u64().expect("total");
    assert_eq!(all["items"].as_array().map(Vec::len), Some(total as usize));
    let (_, battles) = json("/api/points?type=Battles&limit=2");
    assert!(battles["total"].as_u64().expect("total") < total);
    let items = battles["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|p| p["event_type"] == "Battles"));
    assert!(items[0]["date"].as_str() >= items[1]["date"].as_str(), "newest first");
    // Every actor a point names comes with its names.
    for p in all["items"].as_array().expect("items") {
        for a in [&p["actor1"], &p["actor2"]].into_iter().filter_map(|a| a.as_str()) {
            assert!(all["actors"][a]["name_ar"].is_string(), "{a}");
        }
    }
    assert_eq!(json("/api/points?limit=100001").0, 400);
    // One point per article's report: more of them, each with its canonical event.
    let (_, reports) = json("/api/points?mentions=true");
    assert!(reports["total"].as_u64().expect("total") > total, "{}", reports["total"]);
    let ids: std::collections::BTreeSet<u64> =
        reports["items"].as_array().expect("items").iter().filter_map(|p| p["id"].as_u64()).collect();
    let canonical: std::collections::BTreeSet<u64> =
        all["items"].as_array().expect("items").iter().filter_map(|p| p["id"].as_u64()).collect();
    assert_eq!(ids, canonical, "every report points to its canonical event");
}

#[test]
fn the_dashboard_is_served_with_security_headers_and_etags() {
    let url = format!("http://{}/", server());
    let agent = agent();
    let r = agent.get(&url).call().expect("page");
    assert_eq!(r.status(), 200);
    let h = r.headers();
    let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).expect("CSP");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(h.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
    assert!(h.get("access-control-allow-origin").is_none(), "CORS is off");
    let etag = h.get("etag").and_then(|v| v.to_str().ok()).expect("etag").to_owned();
    let again = agent.get(&url).header("If-None-Match", &etag).call().expect("page");
    assert_eq!(again.status(), 304);
    let (s, js, ctype) = get("/assets/app.js");
    assert_eq!(s, 200);
    assert!(ctype.contains("javascript"), "{ctype}");
    assert!(!js.is_empty());
    assert_eq!(get("/assets/basemap/admin1.json").0, 200);
    assert_eq!(get("/assets/../Cargo.toml").0, 404);
    assert_eq!(get("/assets/nothing.js").0, 404);
}

#[test]
fn a_client_over_its_rate_gets_429_with_retry_after() {
    let limits = marsad_server::Limits { rate: std::num::NonZeroU32::new(1), ..marsad_server::Limits::default() };
    let dir = marsad_store::scratch::process_folder("marsad-server-test").expect("a temporary folder");
    let addr = spawn(Store::open(&dir.join("store")).expect("store"), limits);
    let agent = agent();
    let statuses: Vec<(u16, Option<String>)> = (0..4)
        .map(|_| {
            let r = agent.get(&format!("http://{addr}/api/health")).call().expect("request");
            let retry = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
            (r.status().as_u16(), retry)
        })
        .collect();
    // A burst of two, then refusals that say when to come back.
    assert_eq!(statuses[0].0, 200);
    assert_eq!(statuses[1].0, 200);
    assert_eq!(statuses[3].0, 429, "{statuses:?}");
    assert!(statuses[3].1.as_deref().is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n >= 1)), "{statuses:?}");
}

#[test]
fn a_query_over_the_time_limit_gets_503_and_leaves_the_pool_whole() {
    let limits = marsad_server::Limits {
        timeout: std::time::Duration::from_millis(1),
        rate: None,
        readers: 2,
        cache_bytes: 0,
        ..marsad_server::Limits::default()
    };
    let addr = spawn(demo_store(), limits);
    // A search that takes far longer than the limit (the timer's tick, 1 ms): every word of
    // the demo articles (300 of them), any of them, every article with its snippet.
    let mut words: Vec<&str> = DEMO.split(|c: char| !c.is_alphabetic()).filter(|w| w.chars().count() >= 4).collect();
    words.sort_unstable();
    words.dedup();
    words.truncate(300);
    let q: String = words.join(" OR ").bytes().map(|b| format!("%{b:02X}")).collect();
    let path = format!("/api/search?limit=100&q={q}");
    // Without the limit it is answered (about 0.4 s in a debug build).
    assert_eq!(json_at(server(), &path).0, 200);
    let statuses: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8).map(|_| scope.spawn(|| json_at(addr, &path))).collect();
        workers.into_iter().map(|w| w.join().expect("worker")).collect()
    });
    for (status, body) in statuses {
        // Never a 500 from a handle taken while a timed-out query still used it.
        assert_eq!(status, 503, "{body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("longer than")), "{body}");
    }
}

#[test]
fn dashboard_paths_cannot_leave_the_embedded_files() {
    use std::io::{Read, Write};
    // Sent as written (a client library would normalize the dots away).
    for path in
        ["/assets/../Cargo.toml", "/assets/..%2f..%2fCargo.toml", "/assets/%2e%2e/src/lib.rs", "/assets//etc/passwd"]
    {
        let mut s = std::net::TcpStream::connect(server()).expect("connect");
        write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").expect("send");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("read");
        let status = answer.split_whitespace().nth(1).unwrap_or("");
        assert!(status == "404" || status == "400", "{path}: {}", answer.lines().next().unwrap_or(""));
        assert!(!answer.contains("[package]") && !answer.contains("root:"), "{path} leaked a file");
    }
}
