//! The dashboard in a real browser: headless Chromium driven over WebDriver (chromedriver) against
//! a server of the demo articles. Screenshots of each step go to the folder the test prints
//! (target/tmp/dashboard-screenshots, or $MARSAD_SCREENSHOTS).
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test says so and passes,
//! unless MARSAD_BROWSER_TESTS is set (as `.ci/run` does), when their absence is a failure.

mod common;

use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file())
}

/// chromedriver, killed when the test ends however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

#[test]
fn the_dashboard_works_in_a_real_browser() {
    let (Some(driver), Some(chromium)) = (on_path("chromedriver"), on_path("chromium")) else {
        assert!(
            std::env::var_os("MARSAD_BROWSER_TESTS").is_none(),
            "MARSAD_BROWSER_TESTS is set but chromium and chromium-driver are not installed"
        );
        eprintln!("skipped: install Debian's chromium and chromium-driver to run the browser test");
        return;
    };
    let shots = std::env::var_os("MARSAD_SCREENSHOTS")
        .map_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots"), PathBuf::from);
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    eprintln!("screenshots: {}", shots.display());
    let server = common::spawn(common::demo_store(), common::unlimited());
    let port = free_port();
    let _driver = Driver(
        Command::new(driver)
            .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(session(port, &chromium, server, &shots));
}

async fn session(port: u16, chromium: &Path, server: SocketAddr, shots: &Path) {
    let mut caps = serde_json::Map::new();
    let args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"];
    caps.insert("goog:chromeOptions".into(), json!({"binary": chromium, "args": args}));
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a browser session");
    let result = steps(&c, server, shots).await;
    let _ = c.close().await;
    result.unwrap_or_else(|e| panic!("{e}"));
}

/// Evaluates `expr` in the page.
async fn js(c: &Client, expr: &str) -> Result<Value, String> {
    c.execute(&format!("return ({expr});"), vec![]).await.map_err(|e| format!("{expr}: {e}"))
}

/// Waits (at most 15 s) until `expr` is true in the page.
async fn until(c: &Client, expr: &str) -> Result<(), String> {
    let start = Instant::now();
    loop {
        if js(c, expr).await? == Value::Bool(true) {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(15) {
            return Err(format!("waited 15 s for {expr}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn shot(c: &Client, shots: &Path, name: &str) -> Result<(), String> {
    let png = c.screenshot().await.map_err(|e| format!("screenshot {name}: {e}"))?;
    std::fs::write(shots.join(name), png).map_err(|e| format!("{name}: {e}"))
}

async fn count(c: &Client, selector: &str) -> Result<u64, String> {
    js(c, &format!("document.querySelectorAll({selector:?}).length")).await?.as_u64().ok_or("not a count".into())
}

async fn click(c: &Client, selector: &str) -> Result<(), String> {
    let e = c.find(Locator::Css(selector)).await.map_err(|e| format!("{selector}: {e}"))?;
    e.click().await.map_err(|e| format!("click {selector}: {e}"))
}

async fn steps(c: &Client, server: SocketAddr, shots: &Path) -> Result<(), String> {
    let url = format!("http://{server}/");
    c.goto(&url).await.map_err(|e| e.to_string())?;
    // Arabic, right to left, by default; markers on the map over the bundled base map.
    until(c, "document.body.dataset.ready === 'true'").await?;
    until(c, "document.querySelectorAll('path.marker').length >= 5").await?;
    assert_eq!(js(c, "document.documentElement.dir").await?, "rtl");
    let render = js(c, "performance.getEntriesByName('marsad-first-render')[0].startTime").await?;
    eprintln!("first render (navigation start to markers and timeline drawn): {render} ms");
    until(c, "document.querySelectorAll('#map canvas').length >= 1").await?;
    shot(c, shots, "01-map-arabic.png").await?;
    let all_rows = count(c, "#event-list li").await?;
    let bars = count(c, "#timeline rect.bar").await?;
    assert!(all_rows >= 10 && bars >= 5, "{all_rows} events listed, {bars} timeline bars");

    // Filter by type: the legend button; the list, the map's points and the timeline follow.
    click(c, "button[data-type='Battles']").await?;
    until(c, "document.querySelector(\"button[data-type='Battles']\").getAttribute('aria-pressed') === 'true'").await?;
    until(
        c,
        &format!(
            "(() => {{ const r = [...document.querySelectorAll('#event-list li')]; \
             return r.length > 0 && r.length < {all_rows} && r.every((li) => li.dataset.type === 'Battles'); }})()"
        ),
    )
    .await?;
    let foreign = count(c, "path.marker.point:not(.type-battles)").await?;
    assert_eq!(foreign, 0, "points of other types on the map");
    let battle_bars = count(c, "#timeline rect.bar:not(.type-battles)").await?;
    assert_eq!(battle_bars, 0, "timeline bars of other types");
    shot(c, shots, "02-filtered-battles.png").await?;
    // Exports follow the filter.
    let href = js(c, "document.getElementById('export-csv').href").await?;
    assert!(href.as_str().is_some_and(|h| h.contains("format=csv") && h.contains("type=Battles")), "{href}");
    click(c, "#legend button:first-child").await?;
    until(c, &format!("document.querySelectorAll('#event-list li').length === {all_rows}")).await?;

    // Brushing the timeline narrows the list to the chosen days.
    let svg = c.find(Locator::Css("#timeline svg")).await.map_err(|e| e.to_string())?;
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element: svg.clone(), duration: None, x: -250.0, y: 0.0 })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::MoveToElement { element: svg, duration: Some(Duration::from_millis(200)), x: 0.0, y: 0.0 })
        .then(PointerAction::Up { button: 0 });
    c.perform_actions(drag).await.map_err(|e| format!("drag: {e}"))?;
    until(c, "document.getElementById('brush-label').textContent.length > 0").await?;
    let brushed = count(c, "#event-list li").await?;
    assert!(brushed < all_rows, "brushing kept {brushed} of {all_rows} events");
    let href = js(c, "document.getElementById('export-csv').href").await?;
    assert!(href.as_str().is_some_and(|h| h.contains("from=") && h.contains("to=")), "{href}");
    shot(c, shots, "03-brushed.png").await?;
    click(c, "#brush-clear").await?;
    until(c, &format!("document.querySelectorAll('#event-list li').length === {all_rows}")).await?;

    // An event: its evidence sentence marked inside the article text, with all its sources.
    click(c, "#event-list li[data-type='Explosions/Remote violence']").await?;
    until(c, "document.querySelectorAll('#detail-body mark.evidence').length > 0").await?;
    let evidence = js(c, "document.querySelector('#detail-body mark.evidence').textContent").await?;
    let article = js(c, "document.querySelector('#detail-body .article .text').textContent").await?;
    let (evidence, article) = (evidence.as_str().unwrap_or(""), article.as_str().unwrap_or(""));
    assert!(evidence.chars().count() > 20 && article.contains(evidence), "evidence {evidence:?} not in the text");
    assert!(count(c, "#event-facts dt").await? >= 4);
    shot(c, shots, "04-event-evidence.png").await?;

    // A story: outlets side by side with their framing, quotes by speaker.
    c.goto(&format!("{url}#/story/1")).await.map_err(|e| e.to_string())?;
    until(c, "document.querySelectorAll('#story-articles article').length >= 3").await?;
    until(c, "document.querySelectorAll('#story-quotes blockquote').length >= 1").await?;
    assert!(count(c, "#story-events li").await? >= 1);
    assert!(count(c, "#story-articles .framing .tag").await? >= 1, "no framing shown");
    shot(c, shots, "05-story.png").await?;
    click(c, "#detail-close").await?;
    until(c, "document.getElementById('detail').hidden").await?;

    // English, left to right; the choice is kept.
    click(c, "#lang").await?;
    until(c, "document.documentElement.dir === 'ltr' && document.documentElement.lang === 'en'").await?;
    let legend = js(c, "document.querySelector(\"button[data-type='Battles']\").textContent").await?;
    assert_eq!(legend, "Battles");
    shot(c, shots, "06-english.png").await?;

    // Export CSV of the current filter, as the button downloads it.
    let csv = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             fetch(document.getElementById('export-csv').href).then((r) => r.text()).then(done, (e) => done('ERR ' + e));",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    let csv = csv.as_str().unwrap_or("");
    let header = csv.lines().next().unwrap_or("");
    assert!(header.starts_with("event_id_cnty,") && header.contains("fatalities"), "{header}");
    assert_eq!(csv.lines().count() as u64 - 1, all_rows, "one CSV row per listed event");

    // A phone's width: the map still takes the top of the screen.
    c.set_window_size(390, 844).await.map_err(|e| e.to_string())?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let height = js(c, "document.getElementById('map').getBoundingClientRect().height").await?;
    assert!(height.as_f64().is_some_and(|h| h > 250.0), "map height {height}");
    shot(c, shots, "07-phone.png").await?;
    Ok(())
}
