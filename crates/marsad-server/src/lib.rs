//! `marsad serve`: the HTTP JSON API over a store (axum), and the dashboard at `/`.
//!
//! Read endpoints for stories, canonical events (map points, timelines, streamed exports),
//! documents, actors, places and search, and `POST /api/documents` to ingest articles (bearer
//! token; without a configured token the API is read-only), with the OpenAPI document at
//! `/api/openapi.json`. Lists are `{"items": [...], "next": cursor}`; errors are
//! `{"error": {"status", "message"}}`. The store — the embedded one of a data directory or a
//! shared PostgreSQL database — is queried blockingly: each query runs on the blocking pool
//! with one of a pool of reading handles; writes go through one handle. Per-client rate
//! limits, query time limits and an answer cache (dropped at every write: this server's, or,
//! on PostgreSQL, any process's) sit in front. On PostgreSQL any number of servers may serve
//! one database.

mod dashboard;
mod openapi;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use marsad_store::{Backend, ExportFormat, ExportUnit, Filter, GroupBy, Interval, StoryQuery};
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Largest page a list returns.
pub const MAX_LIMIT: usize = 500;

/// Largest request body (a batch of articles).
pub const MAX_BODY: usize = 32 * 1024 * 1024;

/// Limits on what one request and one client may take.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Longest a query may run before the request gets a 503.
    pub timeout: std::time::Duration,
    /// Longest a write (`POST /api/documents`: analysis, storing, the story update, and the
    /// wait for the one writer) may take before the request gets a 408. The write itself
    /// goes on and is kept: posting the same articles again finds them stored.
    pub write_timeout: std::time::Duration,
    /// Requests per second one client (IP address) may make, with bursts of twice that; `None`
    /// for no limit.
    pub rate: Option<std::num::NonZeroU32>,
    /// Store handles that serve reads at once.
    pub readers: usize,
    /// Bytes of JSON answers kept to answer the same request again until the next write; 0
    /// keeps none.
    pub cache_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Limits {
            timeout: std::time::Duration::from_secs(30),
            write_timeout: std::time::Duration::from_secs(600),
            rate: std::num::NonZeroU32::new(100),
            readers: (cores * 2).clamp(2, 8),
            cache_bytes: 64 << 20,
        }
    }
}

type Limiter = governor::DefaultKeyedRateLimiter<std::net::IpAddr>;

/// What the handlers share: the store handle that writes, behind a lock, a pool of handles that
/// read (SQLite in WAL mode serves readers beside one writer; PostgreSQL, connections), the
/// analyzers (loaded at the first ingest), the write token and the limits.
#[derive(Clone)]
pub struct App {
    store: Arc<Mutex<Box<dyn Backend>>>,
    writer: WriterThread,
    readers: Arc<Readers>,
    analyzer: Arc<std::sync::OnceLock<marsad_pipeline::Analyzer>>,
    token: Option<Arc<str>>,
    limits: Limits,
    limiter: Option<Arc<Limiter>>,
    cache: Option<Arc<Cache>>,
    /// The canonical events' facts that timelines count, and the write generation they were
    /// read at.
    facts: Arc<FactsSlot>,
}

/// The one thread that writes. Posted articles are analyzed there: the analyzers keep
/// per-thread memos (word analyses, feature scores), which in the blocking pool's threads
/// were made again in every thread that happened to take a post, and grew the server's memory
/// over hours of posts.
#[derive(Clone)]
struct WriterThread(std::sync::mpsc::Sender<Box<dyn FnOnce() + Send>>);

impl WriterThread {
    fn start() -> std::io::Result<WriterThread> {
        let (tx, rx) = std::sync::mpsc::channel::<Box<dyn FnOnce() + Send>>();
        // Runs until the last handle of the app is dropped; a job that panics ends only itself
        // (its caller sees the reply dropped).
        std::thread::Builder::new().name("marsad-writer".into()).spawn(move || {
            for job in rx {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
        })?;
        Ok(WriterThread(tx))
    }

    /// Runs `f` on the writer thread, after the writes queued before it.
    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.0
            .send(Box::new(move || {
                let _ = tx.send(f());
            }))
            .map_err(|_| ApiError::internal("the writer thread is not running"))?;
        rx.await.map_err(|_| ApiError::internal("the write failed unexpectedly (see the server's log)"))
    }
}

type FactsSlot = tokio::sync::Mutex<Option<(u64, Arc<marsad_store::EventFacts>)>>;

/// Answers to GET requests (by path and query) and the write generation they were made at.
type Cache = quick_cache::sync::Cache<String, (u64, bytes::Bytes), BodyWeight>;

#[derive(Clone)]
struct BodyWeight;

impl quick_cache::Weighter<String, (u64, bytes::Bytes)> for BodyWeight {
    fn weight(&self, key: &String, val: &(u64, bytes::Bytes)) -> u64 {
        (key.len() + val.1.len()) as u64
    }
}

/// Store handles for reads. A handle's search index sees the writer's commits once it is
/// refreshed: each handle remembers the write generation it last saw.
struct Readers {
    idle: Mutex<Vec<(Box<dyn Backend>, u64)>>,
    permits: Arc<tokio::sync::Semaphore>,
    generation: std::sync::atomic::AtomicU64,
}

impl App {
    /// The API over `store`, with the default limits.
    pub fn new(store: impl Backend + 'static) -> Result<App, marsad_store::Error> {
        App::with_limits(store, Limits::default())
    }

    /// The API over `store`; `limits.readers` more handles on it serve reads. Must be called
    /// within a tokio runtime when the store has other writers (PostgreSQL): a task then
    /// watches for their writes.
    pub fn with_limits(store: impl Backend + 'static, limits: Limits) -> Result<App, marsad_store::Error> {
        App::over(Box::new(store), limits)
    }

    /// The API over a store opened as whichever backend (see [`App::with_limits`]).
    pub fn over(mut store: Box<dyn Backend>, limits: Limits) -> Result<App, marsad_store::Error> {
        // Posts come one after another: the clusterers' state is saved now and then, not at
        // each (see `Backend::save_cluster_state_every`), and when the server stops.
        store.save_cluster_state_every(Some(CLUSTER_STATE_EVERY));
        let n = limits.readers.max(1);
        let idle = (0..n).map(|_| store.reopen().map(|s| (s, 0))).collect::<Result<_, _>>()?;
        let watcher = match store.version()? {
            Some(v) => Some((store.reopen()?, v)),
            None => None,
        };
        let readers = Readers {
            idle: Mutex::new(idle),
            permits: Arc::new(tokio::sync::Semaphore::new(n)),
            generation: std::sync::atomic::AtomicU64::new(0),
        };
        let limiter = limits.rate.map(|r| {
            let two = std::num::NonZeroU32::MIN.saturating_add(1);
            let quota = governor::Quota::per_second(r).allow_burst(r.saturating_mul(two));
            Arc::new(Limiter::keyed(quota))
        });
        let cache =
            (limits.cache_bytes > 0).then(|| Arc::new(Cache::with_weighter(4096, limits.cache_bytes, BodyWeight)));
        let readers = Arc::new(readers);
        if let Some((watcher, version)) = watcher {
            watch_versions(watcher, version, Arc::downgrade(&readers));
        }
        Ok(App {
            store: Arc::new(Mutex::new(store)),
            writer: WriterThread::start().map_err(|e| marsad_store::Error::Io("the writer thread".into(), e))?,
            readers,
            analyzer: Arc::default(),
            token: None,
            limits,
            limiter,
            cache,
            facts: Arc::default(),
        })
    }

    /// Accepts writes from requests bearing this token (`Authorization: Bearer …`).
    pub fn with_token(mut self, token: Option<String>) -> App {
        self.token = token.filter(|t| !t.is_empty()).map(Arc::from);
        self
    }

    /// Whether the request may write: a token is configured and the request bears it. The
    /// comparison takes the same time wherever the tokens differ.
    fn authorize(&self, headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
        use subtle::ConstantTimeEq;
        let Some(token) = &self.token else {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "read-only: start marsad serve with MARSAD_TOKEN or --token-file, without --read-only, to accept writes",
            ));
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
            Ok(())
        } else {
            Err(ApiError::new(StatusCode::UNAUTHORIZED, "a valid bearer token is required to write"))
        }
    }

    /// The canonical events' facts as of the last write (read again after one).
    async fn event_facts(&self) -> Result<Arc<marsad_store::EventFacts>, ApiError> {
        let mut held = self.facts.lock().await;
        let generation = self.readers.generation.load(std::sync::atomic::Ordering::Acquire);
        if let Some((seen, facts)) = held.as_ref()
            && *seen == generation
        {
            return Ok(facts.clone());
        }
        let facts = Arc::new(self.with_store(|s| Ok(s.read().event_facts()?)).await?);
        *held = Some((generation, facts.clone()));
        Ok(facts)
    }

    /// Runs `f` with a reading store handle on the blocking pool, within the time limit.
    async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Backend) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let work = async {
            let permit = self.readers.permit().await?;
            let readers = self.readers.clone();
            // The permit goes back with the handle, when the query ends: a request that gives
            // up waiting must not let another take a handle that is still in use.
            let r = tokio::task::spawn_blocking(move || {
                let r = readers.with(f);
                drop(permit);
                r
            })
            .await;
            r?
        };
        tokio::time::timeout(self.limits.timeout, work).await.map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the query took longer than {} s", self.limits.timeout.as_secs_f32()),
            )
        })?
    }
}

impl Readers {
    /// Waits for a handle to be idle.
    async fn permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        self.permits.clone().acquire_owned().await.map_err(|e| ApiError::internal(&e.to_string()))
    }

    /// Runs `f` with an idle handle (the caller holds a permit, so there is one), refreshed if
    /// the writer committed since the handle last looked.
    fn with<T>(&self, f: impl FnOnce(&dyn Backend) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let lock = || self.idle.lock().map_err(|_| ApiError::internal("the store pool lock is poisoned"));
        let (store, seen) = lock()?.pop().ok_or_else(|| ApiError::internal("no idle store handle"))?;
        let now = self.generation.load(std::sync::atomic::Ordering::Acquire);
        let refreshed = if seen == now { Ok(()) } else { store.refresh() };
        let result = refreshed.map_err(ApiError::from).and_then(|()| f(&*store));
        lock()?.push((store, now));
        result
    }

    /// Tells the handles the writer committed.
    fn written(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// How often a server on a store other processes write to asks whether they wrote.
const VERSION_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// Watches the version of a store other processes write to (`version` when the app started),
/// and drops what the server holds (cached answers, timeline facts) when it changes; stops
/// with the app.
fn watch_versions(store: Box<dyn Backend>, version: u64, readers: std::sync::Weak<Readers>) {
    let store = Arc::new(Mutex::new(store));
    tokio::spawn(async move {
        let mut last = Some(version);
        loop {
            tokio::time::sleep(VERSION_POLL).await;
            let Some(readers) = readers.upgrade() else { return };
            let s = store.clone();
            let version = tokio::task::spawn_blocking(move || s.lock().ok().and_then(|s| s.version().ok().flatten()))
                .await
                .ok()
                .flatten();
            if version.is_some() && version != last {
                readers.written();
            }
            last = version.or(last);
        }
    });
}

/// An error as the API reports it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into() }
    }

    fn internal(message: &str) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    fn not_found(what: String) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, what)
    }

    fn bad_request(message: String) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
}

impl From<marsad_store::Error> for ApiError {
    fn from(e: marsad_store::Error) -> ApiError {
        match e {
            marsad_store::Error::Query(m) => ApiError::bad_request(format!("query {m}")),
            other => ApiError::internal(&other.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> ApiError {
        ApiError::internal(&e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"status": self.status.as_u16(), "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

/// Errors made by layers rather than handlers (a backstop's 408, a 405) come without a body:
/// they get the API's error body like every other.
async fn error_body(r: Response) -> Response {
    let status = r.status();
    if (status.is_client_error() || status.is_server_error()) && !r.headers().contains_key(header::CONTENT_TYPE) {
        let message = match status {
            StatusCode::REQUEST_TIMEOUT => "the request took longer than its time limit",
            other => other.canonical_reason().unwrap_or("error"),
        };
        let mut answer = ApiError::new(status, message).into_response();
        // Keep what the layer said (`Allow`, `Retry-After`), not the length of its empty body.
        for (name, value) in r.headers().iter().filter(|(n, _)| *n != header::CONTENT_LENGTH) {
            answer.headers_mut().entry(name).or_insert(value.clone());
        }
        return answer;
    }
    r
}

/// Refuses a body whose announced length is over the limit before any of it is read: the
/// client learns it at once, and is not cut off while it still sends.
async fn refuse_announced_oversize(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let announced = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    match announced {
        Some(n) if n > MAX_BODY as u64 => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body: {n} bytes announced, over the limit of {MAX_BODY} bytes"),
        )
        .into_response(),
        _ => next.run(req).await,
    }
}

/// The routes of the API and the dashboard, with the limits and the security headers.
pub fn router(app: App) -> Router {
    use axum::http::HeaderValue;
    use tower_http::set_header::SetResponseHeaderLayer;
    let headers = [
        // The dashboard's scripts and styles are its own files; nothing inline runs.
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    // Backstops for what the queries' own limit does not cover (a body sent slowly): a read's,
    // and a write's, which analyzes its articles and waits for the one writer.
    let timeout = |limit: std::time::Duration| {
        tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limit + std::time::Duration::from_secs(5),
        )
    };
    let post_documents = axum::routing::post(ingest)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(refuse_announced_oversize));
    let writes = Router::new().route("/api/documents", post_documents).layer(timeout(app.limits.write_timeout));
    let mut router = Router::new()
        .route("/", get(dashboard::index))
        .route("/assets/{*path}", get(dashboard::asset))
        .route("/api/openapi.json", get(|| async { Json(openapi::document()) }))
        .route("/api/health", get(health))
        .route("/api/stories", get(stories))
        .route("/api/stories/{id}", get(story))
        .route("/api/documents/{id}", get(document))
        .route("/api/search", get(search))
        .route("/api/events", get(events))
        .route("/api/events/{id}", get(event))
        .route("/api/points", get(points))
        .route("/api/timeline", get(timeline))
        .route("/api/actors", get(actors))
        .route("/api/actors/{id}", get(actor))
        .route("/api/places", get(places))
        .fallback(|| async { ApiError::not_found("no such endpoint (see /api/openapi.json)".into()) })
        .layer(timeout(app.limits.timeout))
        .merge(writes)
        .layer(axum::middleware::from_fn_with_state(app.clone(), cached))
        .layer(axum::middleware::from_fn_with_state(app.clone(), rate_limit))
        .layer(axum::middleware::map_response(error_body))
        .layer(tower_http::compression::CompressionLayer::new());
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    router.with_state(app)
}

/// Serves the API and the dashboard on `bind` until the process is interrupted; `ready` is
/// called with the address actually bound (port 0 picks a free one).
pub async fn serve(app: App, bind: SocketAddr, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    ready(listener.local_addr()?);
    let store = app.store.clone();
    axum::serve(listener, router(app).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    // What posts left of the clusterers' state unsaved (a store opened later would replay it).
    let saved = tokio::task::spawn_blocking(move || match store.lock() {
        Ok(mut s) => s.checkpoint(),
        Err(_) => Ok(()),
    });
    saved.await.map_err(std::io::Error::other)?.map_err(|e| std::io::Error::other(format!("saving the store: {e}")))
}

/// How often a server taking posts saves the story clusterers' state: the first post this long
/// after the last save saves it.
const CLUSTER_STATE_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Largest answer the cache keeps.
const MAX_CACHED: usize = 8 << 20;

/// Answers a read of the API that was answered since the last write from the cache. Exports
/// (streamed, possibly large) and the health check are always made afresh.
async fn cached(State(app): State<App>, request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = request.uri().path();
    let cacheable = request.method() == axum::http::Method::GET
        && path.starts_with("/api/")
        && !matches!(path, "/api/events" | "/api/health");
    let (Some(cache), true) = (&app.cache, cacheable) else {
        return next.run(request).await;
    };
    let key = request.uri().to_string();
    let generation = app.readers.generation.load(std::sync::atomic::Ordering::Acquire);
    if let Some((made, body)) = cache.get(&key)
        && made == generation
    {
        return ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    }
    let response = next.run(request).await;
    let size = axum::body::HttpBody::size_hint(response.body()).exact();
    if response.status() != StatusCode::OK || size.is_none_or(|n| n > MAX_CACHED as u64) {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_CACHED).await {
        Ok(bytes) => {
            cache.insert(key, (generation, bytes.clone()));
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => ApiError::internal(&e.to_string()).into_response(),
    }
}

/// Answers 429 (with `Retry-After`) to a client over its rate.
async fn rate_limit(State(app): State<App>, request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let peer = request.extensions().get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0);
    if let (Some(limiter), Some(peer)) = (&app.limiter, peer) {
        // Forget clients idle long enough to be back at a full quota.
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        if let Err(wait) = limiter.check_key(&peer.ip()) {
            let after = wait.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
            let mut r = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too many requests from this client; slow down")
                .into_response();
            let secs = after.as_secs().max(1).to_string();
            if let Ok(v) = secs.parse() {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return r;
        }
    }
    next.run(request).await
}

/// A list as the API gives it: a page of items and the cursor of the next page.
#[derive(serde::Serialize)]
struct Page<T> {
    items: T,
    next: Option<String>,
}

/// A cursor: the offset of the next page, as text.
fn offset(cursor: &Option<String>) -> Result<usize, ApiError> {
    cursor.as_deref().map_or(Ok(0), |c| {
        c.parse().map_err(|_| ApiError::bad_request(format!("cursor {c:?} is not one this API gave")))
    })
}

fn limit(given: Option<usize>, default: usize) -> Result<usize, ApiError> {
    match given.unwrap_or(default) {
        0 => Err(ApiError::bad_request("limit must be at least 1".into())),
        n if n > MAX_LIMIT => Err(ApiError::bad_request(format!("limit must be at most {MAX_LIMIT}"))),
        n => Ok(n),
    }
}

/// The cursor of the page after one of `len` items that started at `offset`.
fn next(offset: usize, len: usize, limit: usize) -> Option<String> {
    (len == limit).then(|| (offset + len).to_string())
}

/// The filter of a query string (`from`, `to`, `country`, `type`, `actor`, `outlet`), its dates
/// checked.
fn checked(filter: Filter) -> Result<Filter, ApiError> {
    filter.validated().map_err(ApiError::bad_request)
}

async fn health(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    let (documents, stories) = app.with_store(|s| Ok(s.read().counts()?)).await?;
    Ok(Json(json!({"status": "ok", "documents": documents, "stories": stories})))
}

#[derive(Debug, Deserialize)]
struct StoriesParams {
    from: Option<String>,
    to: Option<String>,
    #[serde(default)]
    min_articles: u64,
    #[serde(default)]
    min_outlets: u64,
    #[serde(default)]
    by_size: bool,
    limit: Option<usize>,
    cursor: Option<String>,
}

async fn stories(State(app): State<App>, Query(p): Query<StoriesParams>) -> Result<Response, ApiError> {
    checked(Filter { from: p.from.clone(), to: p.to.clone(), ..Filter::default() })?;
    let (start, limit) = (offset(&p.cursor)?, limit(p.limit, 50)?);
    let q = StoryQuery {
        from: p.from,
        to: p.to,
        min_documents: p.min_articles,
        min_outlets: p.min_outlets,
        by_size: p.by_size,
        limit,
        offset: start,
    };
    let items = app.with_store(move |s| Ok(s.read().stories(&q)?)).await?;
    Ok(page(items, start, limit))
}

async fn story(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let n: u64 = id.parse().map_err(|_| ApiError::bad_request(format!("story id {id:?} is not a number")))?;
    let detail = app.with_store(move |s| Ok(s.read().story(n)?)).await?;
    let detail = detail.ok_or_else(|| ApiError::not_found(format!("no story {id}")))?;
    Ok(Json(detail).into_response())
}

async fn document(State(app): State<App>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let key = id.clone();
    let found = app
        .with_store(move |s| {
            let Some(doc) = s.document(&key)? else { return Ok(None) };
            let story = s.read().story_of(&key)?;
            let canonical = s.read().event_canonicals(&key)?;
            Ok(Some((doc, story, canonical)))
        })
        .await?;
    let (doc, story, canonical) = found.ok_or_else(|| ApiError::not_found(format!("no document {id:?}")))?;
    let events: Vec<Value> = canonical.iter().map(|(idx, c)| json!({"index": idx, "canonical": c})).collect();
    Ok(Json(json!({"document": doc, "story": story, "canonical_events": events})))
}

#[derive(Debug, Deserialize)]
struct SearchParams {
    #[serde(default)]
    q: String,
    limit: Option<usize>,
    cursor: Option<String>,
    #[serde(flatten)]
    filter: Filter,
}

async fn search(State(app): State<App>, Query(p): Query<SearchParams>) -> Result<Json<Value>, ApiError> {
    let (start, limit) = (offset(&p.cursor)?, limit(p.limit, 20)?);
    let filter = checked(p.filter)?;
    let q = p.q;
    let r = app.with_store(move |s| Ok(s.search(&q, &filter, limit, start)?)).await?;
    let next = next(start, r.hits.len(), limit).filter(|n| n.parse::<usize>().is_ok_and(|n| n < r.total));
    Ok(Json(json!({
        "query": r.query, "total": r.total, "items": r.hits, "facets": r.facets, "next": next
    })))
}

#[derive(Debug, Deserialize)]
struct EventsParams {
    format: Option<String>,
    #[serde(default)]
    mentions: bool,
    #[serde(flatten)]
    filter: Filter,
}

/// Streams an export: the store writes on the blocking pool into a channel the response reads.
async fn events(State(app): State<App>, Query(p): Query<EventsParams>) -> Result<Response, ApiError> {
    let name = p.format.as_deref().unwrap_or("jsonl");
    let format = ExportFormat::parse(name)
        .ok_or_else(|| ApiError::bad_request(format!("format {name:?}: use csv, jsonl, geojson or parquet")))?;
    let unit = if p.mentions { ExportUnit::Mentions } else { ExportUnit::Canonical };
    let filter = checked(p.filter)?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(16);
    let (readers, permit) = (app.readers.clone(), app.readers.permit().await?);
    tokio::task::spawn_blocking(move || {
        let mut w = ChannelWriter { tx: tx.clone(), buf: Vec::with_capacity(CHUNK) };
        let result = readers
            .with(|s| s.read().export(&filter, format, unit, &mut w).map_err(ApiError::from))
            .map(|_| ())
            .map_err(|e| e.message);
        drop(permit);
        let flushed = std::io::Write::flush(&mut w);
        if let Err(e) = result.and(flushed.map_err(|e| e.to_string())) {
            // The status line is gone: the stream ends with an error, which the client sees as
            // a broken transfer rather than a complete file.
            let _ = tx.blocking_send(Err(std::io::Error::other(e)));
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    let ext = match format {
        ExportFormat::Csv => "csv",
        ExportFormat::Jsonl => "jsonl",
        ExportFormat::Geojson => "geojson",
        ExportFormat::Parquet => "parquet",
    };
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"marsad-events.{ext}\"")),
        ],
        body,
    )
        .into_response())
}

async fn event(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let n: u64 = id.parse().map_err(|_| ApiError::bad_request(format!("event id {id:?} is not a number")))?;
    let found = app.with_store(move |s| Ok(s.read().canonical_event(n)?)).await?;
    let e = found.ok_or_else(|| ApiError::not_found(format!("no event {id}")))?;
    Ok(Json(e).into_response())
}

#[derive(Debug, Deserialize)]
struct TimelineParams {
    interval: Option<String>,
    by: Option<String>,
    #[serde(flatten)]
    filter: Filter,
}

async fn timeline(State(app): State<App>, Query(p): Query<TimelineParams>) -> Result<Response, ApiError> {
    let interval = match p.interval.as_deref().unwrap_or("day") {
        "day" => Interval::Day,
        "week" => Interval::Week,
        "month" => Interval::Month,
        other => return Err(ApiError::bad_request(format!("interval {other:?}: use day, week or month"))),
    };
    let by = match p.by.as_deref().unwrap_or("type") {
        "type" => GroupBy::EventType,
        "country" => GroupBy::Country,
        "actor" => GroupBy::Actor,
        other => return Err(ApiError::bad_request(format!("by {other:?}: use type, country or actor"))),
    };
    let filter = checked(p.filter)?;
    let facts = app.event_facts().await?;
    let rows = tokio::task::spawn_blocking(move || facts.timeline(&filter, interval, by)).await?;
    // Serialized straight from the rows (a timeline can hold thousands).
    Ok(Json(Page { items: rows, next: None }).into_response())
}

/// Largest number of map points one request returns.
pub const MAX_POINTS: usize = 100_000;

#[derive(Debug, Deserialize)]
struct PointsParams {
    limit: Option<usize>,
    #[serde(default)]
    mentions: bool,
    #[serde(flatten)]
    filter: Filter,
}

/// Canonical events as map points (newest first), with the names of their actors.
async fn points(State(app): State<App>, Query(p): Query<PointsParams>) -> Result<Response, ApiError> {
    let limit = match p.limit.unwrap_or(20_000) {
        0 => return Err(ApiError::bad_request("limit must be at least 1".into())),
        n if n > MAX_POINTS => return Err(ApiError::bad_request(format!("limit must be at most {MAX_POINTS}"))),
        n => n,
    };
    let filter = checked(p.filter)?;
    let unit = if p.mentions { ExportUnit::Mentions } else { ExportUnit::Canonical };
    let r = app.with_store(move |s| Ok(s.read().points(&filter, unit, limit)?)).await?;
    Ok(Json(r).into_response())
}

#[derive(Debug, Deserialize)]
struct NamesParams {
    q: Option<String>,
    /// Actors: their kind; places: their country.
    #[serde(alias = "country")]
    kind: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

impl NamesParams {
    fn query(self) -> Result<marsad_store::NameQuery, ApiError> {
        let (offset, limit) = (offset(&self.cursor)?, limit(self.limit, 50)?);
        Ok(marsad_store::NameQuery { q: self.q, kind: self.kind, limit, offset })
    }
}

/// A page of a list that started at `offset`, and the cursor of the next one.
fn page<T: serde::Serialize>(items: Vec<T>, offset: usize, limit: usize) -> Response {
    let next = next(offset, items.len(), limit);
    Json(Page { items, next }).into_response()
}

async fn actors(State(app): State<App>, Query(p): Query<NamesParams>) -> Result<Response, ApiError> {
    let q = p.query()?;
    let probe = q.clone();
    let items = app.with_store(move |s| Ok(s.read().actors(&probe)?)).await?;
    Ok(page(items, q.offset, q.limit))
}

async fn actor(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let key = id.clone();
    let found = app.with_store(move |s| Ok(s.read().actor(&key)?)).await?;
    let a = found.ok_or_else(|| ApiError::not_found(format!("no actor {id:?}")))?;
    Ok(Json(a).into_response())
}

async fn places(State(app): State<App>, Query(p): Query<NamesParams>) -> Result<Response, ApiError> {
    let q = p.query()?;
    let probe = q.clone();
    let items = app.with_store(move |s| Ok(s.read().places(&probe)?)).await?;
    Ok(page(items, q.offset, q.limit))
}

/// Ingests the articles of the body: one JSON object, or an array of them (each with `text`, and
/// `id`, `title`, `published`, `outlet`, `url` as in JSONL input). Each is stored unless its id
/// is, or rejected with its position and the problem; the stories are then updated.
async fn ingest(
    State(app): State<App>,
    headers: axum::http::HeaderMap,
    body: Result<bytes::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    app.authorize(&headers)?;
    // Over the size limit, or cut off: answered in the API's error shape, not axum's text.
    let body = body.map_err(|e| ApiError::new(e.status(), format!("request body: {}", e.body_text())))?;
    let records = marsad_input::json::request_records(&body).map_err(ApiError::bad_request)?;
    let (store, analyzer) = (app.store.clone(), app.analyzer.clone());
    let summary = app
        .writer
        .run(move || {
            let mut s = store.lock().map_err(|_| ApiError::internal("the store lock is poisoned"))?;
            let opts = marsad_ingest::Options { progress: false, ..marsad_ingest::Options::default() };
            marsad_ingest::ingest_records(&mut **s, &analyzer, "http", records, &opts).map_err(|e| match e {
                marsad_ingest::Error::Store(marsad_store::Error::Busy(_)) => ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "another process is writing to the store; nothing was written: try again later",
                ),
                other => ApiError::internal(&other.to_string()),
            })
        })
        .await;
    // Whatever was committed, also by a failed run, is there for the readers to see.
    app.readers.written();
    let summary = summary??;
    let rejected: Vec<Value> = summary
        .rejections
        .iter()
        .map(|r| json!({"index": r.line.saturating_sub(1), "kind": r.kind, "message": r.message}))
        .collect();
    Ok(Json(json!({
        "added": summary.documents,
        "existing": summary.existing,
        "rejected": rejected,
        "events": summary.events,
        "stories": summary.stories,
    })))
}

/// Bytes per chunk of a streamed export.
const CHUNK: usize = 64 * 1024;

/// A writer that sends what it is given down a channel, a chunk at a time.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<bytes::Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = bytes::Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_token_the_api_is_read_only() {
        let dir = tempfile::tempdir().expect("tmp");
        let app = App::new(marsad_store::Store::open(dir.path()).expect("store")).expect("app");
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "Bearer anything".parse().expect("header"));
        assert_eq!(app.authorize(&headers).map_err(|e| e.status), Err(StatusCode::FORBIDDEN));
        // An empty token is no token.
        let app = app.with_token(Some(String::new()));
        assert_eq!(app.authorize(&headers).map_err(|e| e.status), Err(StatusCode::FORBIDDEN));
        let app = app.with_token(Some("s3cret".into()));
        assert_eq!(app.authorize(&headers).map_err(|e| e.status), Err(StatusCode::UNAUTHORIZED));
        headers.insert(header::AUTHORIZATION, "Bearer s3cret".parse().expect("header"));
        assert!(app.authorize(&headers).is_ok());
    }
}
