//! What the API and browser tests share: a store of the demo articles and a server over it on
//! a free loopback port.

use marsad_store::Store;
use std::net::SocketAddr;

/// The write token of the test servers.
pub const TOKEN: &str = "test-token-4f1c";

/// A server on a free port over `store`, running for the rest of the test binary.
pub fn spawn(store: impl marsad_store::Backend + 'static, limits: marsad_server::Limits) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let _inside = rt.enter();
        let app = marsad_server::App::with_limits(store, limits).expect("app").with_token(Some(TOKEN.into()));
        rt.block_on(marsad_server::serve(app, "127.0.0.1:0".parse().expect("addr"), |a| {
            tx.send(a).expect("send");
        }))
        .expect("serve");
    });
    rx.recv().expect("bound")
}

/// Limits that never get in a test's way.
pub fn unlimited() -> marsad_server::Limits {
    marsad_server::Limits { rate: None, ..marsad_server::Limits::default() }
}

/// A new store of the demo articles, in a folder kept as long as the test process runs (its
/// servers are never stopped); the next run removes it.
pub fn demo_store() -> Store {
    let dir = marsad_store::scratch::process_folder("marsad-server-test").expect("a temporary folder");
    let mut store = Store::open(&dir.join("store")).expect("store");
    ingest_demo(&mut store, &dir);
    store
}

/// Ingests the demo articles into `store` (`dir` holds their file).
pub fn ingest_demo(store: &mut dyn marsad_store::Backend, dir: &std::path::Path) {
    let input = dir.join("demo.jsonl");
    std::fs::write(&input, include_str!("../../../../data/demo/articles.jsonl")).expect("write");
    let opts = marsad_ingest::Options { progress: false, clock: Some(19_905), ..Default::default() };
    marsad_ingest::ingest(store, &[input], &opts).expect("ingest");
}
