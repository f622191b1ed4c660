//! WARC files (a user's web crawl): each `response` record whose HTTP payload is an HTML (or
//! plain-text) page becomes a unit, with the record's target URI as the article's URL and the
//! HTTP charset, when it names one, as its encoding. Chunked transfer coding and gzip/deflate
//! content coding are undone. Other records (requests, metadata, images) are skipped.

use crate::source::{Given, Item, SourceOptions, Unit};
use marsad_store::Rejected;
use std::io::{BufRead, Read};
use warc::{RecordType, WarcHeader, WarcReader};

fn reject(source: &str, line: u64, kind: &str, message: String) -> Item {
    Item::Rejected(Rejected { source: source.to_owned(), line, kind: kind.to_owned(), message })
}

pub(crate) fn read_warc(
    name: &str,
    r: Box<dyn BufRead + Send>,
    opts: &SourceOptions,
    emit: &mut dyn FnMut(Item) -> bool,
) {
    let mut reader = WarcReader::new(r);
    let mut records = reader.stream_records();
    let mut n = 0u64;
    while let Some(next) = records.next_item() {
        n += 1;
        let record = match next {
            Ok(r) => r,
            Err(e) => {
                // The stream cannot be re-synchronized after a broken record header.
                emit(reject(name, n, "warc", format!("malformed WARC record: {e}")));
                return;
            }
        };
        let ty = record.warc_type().clone();
        if !matches!(ty, RecordType::Response | RecordType::Resource) {
            continue;
        }
        let len = record.content_length();
        if len > opts.max_bytes as u64 {
            let msg = format!("record of {len} bytes is larger than the limit of {} bytes", opts.max_bytes);
            if !emit(reject(name, n, "too-large", msg)) {
                return;
            }
            continue;
        }
        let (headers, body) = match record.into_buffered() {
            Ok(r) => r.into_raw_parts(),
            Err(e) => {
                emit(reject(name, n, "warc", format!("truncated WARC record: {e}")));
                return;
            }
        };
        // Header values as bytes: the crate's `Record::header` panics on one that is not UTF-8
        // (found by fuzzing).
        let header = |h: WarcHeader| headers.headers.get(&h).map(|v| String::from_utf8_lossy(v).into_owned());
        let uri = header(WarcHeader::TargetURI).map(|u| u.trim_matches(['<', '>']).to_owned());
        let block_type = header(WarcHeader::ContentType).map(|c| c.to_ascii_lowercase()).unwrap_or_default();
        let page = if ty == RecordType::Response && block_type.starts_with("application/http") {
            match http_payload(&body) {
                Ok(p) => p,
                Err(msg) => {
                    if !emit(reject(name, n, "http", msg)) {
                        return;
                    }
                    continue;
                }
            }
        } else {
            Payload { content_type: block_type, charset: None, body }
        };
        let format = if page.content_type.contains("html") {
            "html"
        } else if page.content_type.starts_with("text/plain") {
            "text"
        } else {
            continue;
        };
        let mut given: Given = opts.given.clone();
        given.format.get_or_insert_with(|| format.to_owned());
        if given.encoding.is_none() {
            given.encoding = page.charset.filter(|c| marsad_input::decode::encoding_for_label(c).is_ok());
        }
        if given.meta.url.is_none() {
            given.meta.url = uri;
        }
        if !emit(Item::Unit(Unit { source: name.to_owned(), line: Some(n), bytes: page.body, given })) {
            return;
        }
    }
}

struct Payload {
    content_type: String,
    charset: Option<String>,
    body: Vec<u8>,
}

/// The decoded payload of an HTTP response.
fn http_payload(block: &[u8]) -> Result<Payload, String> {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut resp = httparse::Response::new(&mut headers);
    let head_len = match resp.parse(block) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Err("HTTP response headers are incomplete".into()),
        Err(e) => return Err(format!("malformed HTTP response: {e}")),
    };
    if resp.code.is_some_and(|c| !(200..300).contains(&c)) {
        return Err(format!("HTTP status {}", resp.code.unwrap_or_default()));
    }
    let header = |name: &str| {
        resp.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
    };
    let content_type = header("content-type").unwrap_or_default();
    let charset = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches('"').to_owned())
        .next();
    let mut body = block[head_len..].to_vec();
    if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        body = dechunk(&body).ok_or("malformed chunked transfer coding")?;
    }
    match header("content-encoding").as_deref() {
        None | Some("identity") | Some("") => {}
        Some("gzip" | "x-gzip") => body = inflate(flate2::read::MultiGzDecoder::new(&body[..]))?,
        Some("deflate") => body = inflate(flate2::read::ZlibDecoder::new(&body[..]))?,
        Some(other) => return Err(format!("content coding {other:?} is not supported")),
    }
    Ok(Payload { content_type, charset, body })
}

/// Page sizes are bounded by the record limit; a decompression bomb is cut at 64 MiB.
fn inflate(r: impl Read) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    r.take(64 << 20).read_to_end(&mut out).map_err(|e| format!("cannot decompress payload: {e}"))?;
    Ok(out)
}

/// Undoes HTTP/1.1 chunked transfer coding.
fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&b[..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        b = &b[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size..)?.strip_prefix(b"\r\n")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn record(ty: &str, uri: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {ty}\r\nWARC-Record-ID: <urn:uuid:{ty}-{}>\r\nWARC-Date: 2018-02-18T10:00:00Z\r\n\
             WARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            block.len(),
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    pub(crate) fn sample_warc() -> Vec<u8> {
        let html =
            "<html><head><meta charset=\"utf-8\"><title>عنوان</title></head><body><p>نص الخبر.</p></body></html>";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, html.as_bytes()).expect("gzip");
        let gz = gz.finish().expect("gzip");
        let mut ok =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        ok.extend_from_slice(&gz);
        let chunked = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{html}\r\n0\r\n\r\n",
            html.len()
        );
        let mut w = Vec::new();
        w.extend(record("warcinfo", "x", "application/warc-fields", b"software: test\r\n"));
        w.extend(record(
            "request",
            "http://a.example/1",
            "application/http; msgtype=request",
            b"GET /1 HTTP/1.1\r\n\r\n",
        ));
        w.extend(record("response", "http://a.example/1", "application/http; msgtype=response", &ok));
        w.extend(record(
            "response",
            "http://a.example/img.png",
            "application/http; msgtype=response",
            b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG",
        ));
        w.extend(record("response", "http://a.example/2", "application/http; msgtype=response", chunked.as_bytes()));
        w.extend(record(
            "response",
            "http://a.example/3",
            "application/http; msgtype=response",
            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<p>no</p>",
        ));
        w
    }

    #[test]
    fn html_responses_become_units_with_their_urls() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("crawl.warc.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &sample_warc()).expect("gzip");
        std::fs::write(&path, gz.finish().expect("gzip")).expect("write");
        let mut items = Vec::new();
        let opts = SourceOptions { given: Given::default(), max_bytes: 1 << 20 };
        crate::source::read_file(&path, &opts, Arc::default(), &mut |i| {
            items.push(i);
            true
        });
        let mut urls = Vec::new();
        for item in &items {
            match item {
                Item::Unit(u) => {
                    assert!(String::from_utf8_lossy(&u.bytes).contains("نص الخبر"), "{:?}", u.bytes);
                    assert_eq!(u.given.format.as_deref(), Some("html"));
                    urls.push(u.given.meta.url.clone().unwrap_or_default());
                }
                Item::Rejected(r) => urls.push(format!("rejected {} {}", r.line, r.message)),
            }
        }
        assert_eq!(urls, ["http://a.example/1", "http://a.example/2", "rejected 6 HTTP status 404"]);
    }
}
