//! The OpenAPI 3.1 document of the API, served at `/api/openapi.json`. Written by hand beside
//! the routes (crates/marsad-server/tests/api.rs checks that every route is described).

use serde_json::{Value, json};

fn param(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn filters() -> Vec<Value> {
    let text = json!({"type": "string"});
    let date = json!({"type": "string", "format": "date"});
    vec![
        param("from", "From this date (YYYY-MM-DD), inclusive", date.clone()),
        param("to", "Up to this date, inclusive", date),
        param("country", "ISO 3166-1 alpha-2 code", text.clone()),
        param("type", "ACLED event type or sub-event type", text.clone()),
        param("actor", "Actor id of the knowledge base", text.clone()),
        param("outlet", "Outlet name as stored", text),
    ]
}

fn page() -> Vec<Value> {
    vec![
        param("limit", "Items per page (at most 500)", json!({"type": "integer", "minimum": 1, "maximum": 500})),
        param("cursor", "The `next` of the previous page", json!({"type": "string"})),
    ]
}

fn ok(description: &str, content_type: &str) -> Value {
    json!({
        "200": {"description": description, "content": {content_type: {}}},
        "400": {"$ref": "#/components/responses/Error"},
        "404": {"$ref": "#/components/responses/Error"},
        "429": {"$ref": "#/components/responses/Error"},
        "503": {"$ref": "#/components/responses/Error"}
    })
}

pub fn document() -> Value {
    let id = |what: &str| json!({"name": "id", "in": "path", "required": true, "description": what, "schema": {"type": "string"}});
    let mut search = vec![param(
        "q",
        "Query: all words required (any inflection or clitic form); \"…\" phrase, OR, -",
        json!({"type": "string"}),
    )];
    search.extend(filters());
    search.extend(page());
    let mut events = vec![
        param(
            "format",
            "csv (ACLED columns), jsonl (PLOVER-style), geojson or parquet",
            json!({"type": "string", "enum": ["csv", "jsonl", "geojson", "parquet"], "default": "jsonl"}),
        ),
        param(
            "mentions",
            "One row per article's report instead of one per real-world event",
            json!({"type": "boolean", "default": false}),
        ),
    ];
    events.extend(filters());
    let mut timeline = vec![
        param(
            "interval",
            "Time buckets",
            json!({"type": "string", "enum": ["day", "week", "month"], "default": "day"}),
        ),
        param(
            "by",
            "Split counts by",
            json!({"type": "string", "enum": ["type", "country", "actor"], "default": "type"}),
        ),
    ];
    timeline.extend(filters());
    let mut stories = vec![
        param("from", "Stories with coverage on or after this date", json!({"type": "string", "format": "date"})),
        param("to", "Stories that started on or before this date", json!({"type": "string", "format": "date"})),
        param("min_articles", "At least this many articles", json!({"type": "integer"})),
        param("min_outlets", "Covered by at least this many outlets", json!({"type": "integer"})),
        param("by_size", "Largest first instead of latest first", json!({"type": "boolean"})),
    ];
    stories.extend(page());
    let mut points = vec![
        param(
            "limit",
            "At most this many points (default 20000, at most 100000)",
            json!({"type": "integer", "minimum": 1, "maximum": 100_000}),
        ),
        param(
            "mentions",
            "One point per article's dated report (with its canonical event's id) instead of one per real-world event",
            json!({"type": "boolean", "default": false}),
        ),
    ];
    points.extend(filters());
    let names = |kind: &str| {
        let mut v = vec![
            param("q", "Part of a name (Arabic or English) or of the id", json!({"type": "string"})),
            param(
                kind,
                if kind == "kind" {
                    "Actor kind (state_force, rebel_group, civilians …)"
                } else {
                    "ISO 3166-1 alpha-2 code"
                },
                json!({"type": "string"}),
            ),
        ];
        v.extend(page());
        v
    };
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "marsad API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Arabic news as structured, geocoded, deduplicated event data: stories, canonical events with every outlet's report, documents with their analysis (marsad.document/1), full-text search with facets, exports."
        },
        "paths": {
            "/api/health": {"get": {"summary": "Store counts", "responses": ok("status, documents, stories", "application/json")}},
            "/api/stories": {"get": {"summary": "Stories, latest (or largest) first", "parameters": stories, "responses": ok("{items, next}", "application/json")}},
            "/api/stories/{id}": {"get": {"summary": "A story: articles, canonical events with every mention, each outlet's framing, quotes", "parameters": [id("story id")], "responses": ok("the story", "application/json")}},
            "/api/documents": {"post": {
                "summary": "Ingest articles: one JSON object or an array of them (text, and id, title, published, outlet, url); each is stored unless its id is, or rejected with its index and the problem; stories are then updated",
                "security": [{"bearer": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}}}},
                "responses": {
                    "200": {"description": "{added, existing, rejected: [{index, kind, message}], events, stories}", "content": {"application/json": {}}},
                    "400": {"$ref": "#/components/responses/Error"},
                    "401": {"$ref": "#/components/responses/Error"},
                    "403": {"$ref": "#/components/responses/Error"},
                    "408": {"$ref": "#/components/responses/Error"},
                    "413": {"$ref": "#/components/responses/Error"},
                    "503": {"$ref": "#/components/responses/Error"}
                }
            }},
            "/api/documents/{id}": {"get": {"summary": "A document's analysis (marsad.document/1, with the original text), its story and the canonical event of each coded event", "parameters": [id("document id")], "responses": ok("{document, story, canonical_events}", "application/json")}},
            "/api/search": {"get": {"summary": "Full-text search with marsad's Arabic analyzer, ranked, with snippets and facets", "parameters": search, "responses": ok("{query, total, items, facets, next}", "application/json")}},
            "/api/events": {"get": {"summary": "Canonical events (or per-article reports), streamed in an export format", "parameters": events, "responses": ok("the export", "text/csv")}},
            "/api/events/{id}": {"get": {"summary": "One canonical event: best-supported values, sources, every count report and disagreement, every mention with its evidence sentence", "parameters": [id("canonical event id")], "responses": ok("the event", "application/json")}},
            "/api/timeline": {"get": {"summary": "Counts of canonical events and their fatalities by day, week (named by its Monday) or month, split by event type, country or first actor", "parameters": timeline, "responses": ok("{items: [{bucket, group, events, fatalities}], next: null}", "application/json")}},
            "/api/points": {"get": {"summary": "Canonical events as map points and list rows (newest first), with the names of the actors they refer to", "parameters": points, "responses": ok("{total, items: [{id, story, date, event_type, sub_event_type, lat, lon, fatalities, country, admin1, location, location_ar, actor1, actor2, articles}], actors: {id: {name_ar, name_en}}}", "application/json")}},
            "/api/actors": {"get": {"summary": "Linked actors of the knowledge base seen in the store, the most mentioned first, with article and canonical event counts", "parameters": names("kind"), "responses": ok("{items: [{id, type, name_ar, name_en, kind, documents, events}], next}", "application/json")}},
            "/api/actors/{id}": {"get": {"summary": "An actor and the canonical events it is a side of (newest first, at most 200)", "parameters": [id("actor id")], "responses": ok("{actor, events}", "application/json")}},
            "/api/places": {"get": {"summary": "Resolved places (gazetteer entries) seen in the store, the most mentioned first", "parameters": names("country"), "responses": ok("{items: [{id, name_ar, name_en, country, admin1, admin2, lat, lon, feature, documents}], next}", "application/json")}},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": ok("OpenAPI 3.1", "application/json")}}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "The token marsad serve was started with (MARSAD_TOKEN); without one the API is read-only"}},
            "responses": {
                "Error": {
                    "description": "What went wrong",
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {"error": {"type": "object", "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}
                    }}}
                }
            }
        }
    })
}
