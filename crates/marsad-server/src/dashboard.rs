//! The dashboard: its files (crates/marsad-server/web: the page, its script and style, the
//! vendored map libraries and the base map) embedded in the binary at build time.

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::Embed)]
#[folder = "web/"]
#[exclude = "*.md"]
struct Assets;

/// The page.
pub async fn index(headers: HeaderMap) -> Response {
    file("index.html", &headers)
}

/// A file of the page (`/assets/app.js`, `/assets/vendor/leaflet.js` …).
pub async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    file(&path, &headers)
}

/// An embedded file, or 304 when the client holds this version (its ETag is the file's hash).
fn file(path: &str, headers: &HeaderMap) -> Response {
    let Some(f) = Assets::get(path) else {
        return crate::ApiError::not_found(format!("no file {path:?} in the dashboard")).into_response();
    };
    let etag = format!("\"{}\"", hex(&f.metadata.sha256_hash()[..16]));
    let cached = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str());
    let common = [(header::ETAG, etag), (header::CACHE_CONTROL, "no-cache".to_owned())];
    if cached {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    let mime = f.metadata.mimetype().to_owned();
    (common, [(header::CONTENT_TYPE, mime)], f.data).into_response()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::Assets;

    #[test]
    fn the_page_and_what_it_loads_are_embedded() {
        let page = Assets::get("index.html").expect("index.html");
        let html = std::str::from_utf8(&page.data).expect("utf-8");
        let mut n = 0;
        for part in html.split("/assets/").skip(1) {
            let path = &part[..part.find('"').expect("a quoted path")];
            assert!(Assets::get(path).is_some(), "index.html loads {path}, which is not embedded");
            n += 1;
        }
        assert!(n >= 5, "index.html loads {n} files");
    }
}
