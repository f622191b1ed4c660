//! Exports of the stored coded events: ACLED-column CSV, PLOVER-style JSON lines, GeoJSON
//! points and Parquet. Rows stream from SQLite; only Parquet buffers a row group at a time.

use crate::{Error, Filter};
use arrow_array::builder::{Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use marsad_core::Event;
use marsad_core::export::{ACLED_COLUMNS, AcledRow, acled_row, plover_record};
use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// ACLED's columns, one row per event.
    Csv,
    /// PLOVER-style records, one JSON object per line.
    Jsonl,
    /// A GeoJSON FeatureCollection of points (events without coordinates have no geometry).
    Geojson,
    /// ACLED's columns as a Parquet file (numbers typed).
    Parquet,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s {
            "csv" => Some(ExportFormat::Csv),
            "jsonl" => Some(ExportFormat::Jsonl),
            "geojson" => Some(ExportFormat::Geojson),
            "parquet" => Some(ExportFormat::Parquet),
            _ => None,
        }
    }

    pub const fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Jsonl => "application/x-ndjson",
            ExportFormat::Geojson => "application/geo+json",
            ExportFormat::Parquet => "application/vnd.apache.parquet",
        }
    }
}

/// The SQL condition and parameters of a filter over `events e JOIN documents d`. Only fixed
/// fragments go into the SQL text; every value is a bound parameter.
pub(crate) fn where_clause(f: &Filter) -> (String, Vec<Value>) {
    let mut cond = vec!["1 = 1"];
    let mut params = Vec::new();
    let mut add = |c: &'static str, v: &str, n: usize| {
        cond.push(c);
        for _ in 0..n {
            params.push(Value::Text(v.to_owned()));
        }
    };
    if let Some(d) = &f.from {
        add("e.date >= ?", d, 1);
    }
    if let Some(d) = &f.to {
        // Inclusive of the whole day whatever the stored precision of the date.
        add("substr(e.date, 1, 10) <= ?", d, 1);
    }
    if let Some(c) = &f.country {
        add("e.country = upper(?)", c, 1);
    }
    if let Some(t) = &f.event_type {
        add("(e.event_type = ? OR e.sub_event_type = ?)", t, 2);
    }
    if let Some(a) = &f.actor {
        add("(e.actor1 = ? OR e.actor2 = ?)", a, 2);
    }
    if let Some(o) = &f.outlet {
        add("d.outlet = ?", o, 1);
    }
    (cond.join(" AND "), params)
}

/// One exported event: its document's id, outlet and URL, its index there, and the event.
struct Row {
    doc_id: String,
    outlet: Option<String>,
    url: Option<String>,
    idx: usize,
    event: Event,
}

fn for_each_row(
    conn: &Connection,
    dicts: &crate::codec::Dictionaries,
    filter: &Filter,
    mut f: impl FnMut(Row) -> Result<(), Error>,
) -> Result<u64, Error> {
    let (cond, params) = where_clause(filter);
    let sql = format!(
        "SELECT e.doc_seq, e.idx, d.id, d.outlet, d.url FROM events e JOIN documents d ON d.seq = e.doc_seq \
         WHERE {cond} ORDER BY e.doc_seq, e.idx"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut content = conn.prepare_cached("SELECT content FROM documents WHERE seq = ?1")?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    // Rows come in document order: each document's analysis is decoded once.
    let mut current: Option<(u64, marsad_core::Document)> = None;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let seq: u64 = r.get(0)?;
        let idx = r.get::<_, u64>(1)? as usize;
        if current.as_ref().is_none_or(|(s, _)| *s != seq) {
            let z: Vec<u8> = content.query_row([seq], |r| r.get(0))?;
            current = Some((seq, crate::codec::Content::unpack(dicts, &z)?.document()?));
        }
        let Some(event) = current.as_ref().and_then(|(_, d)| d.events.get(idx)) else { continue };
        f(Row { doc_id: r.get(2)?, outlet: r.get(3)?, url: r.get(4)?, idx, event: event.clone() })?;
        n += 1;
    }
    Ok(n)
}

fn io(e: std::io::Error) -> Error {
    Error::Io("export output".into(), e)
}

pub(crate) fn export(
    conn: &Connection,
    dicts: &crate::codec::Dictionaries,
    filter: &Filter,
    format: ExportFormat,
    out: &mut (dyn Write + Send),
) -> Result<u64, Error> {
    match format {
        ExportFormat::Csv => {
            let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(out);
            w.write_record(ACLED_COLUMNS).map_err(|e| Error::Export(e.to_string()))?;
            let n = for_each_row(conn, dicts, filter, |r| {
                w.serialize(acled_row(&r.doc_id, r.outlet.as_deref(), r.idx, &r.event))
                    .map_err(|e| Error::Export(e.to_string()))
            })?;
            w.flush().map_err(io)?;
            Ok(n)
        }
        ExportFormat::Jsonl => {
            let n = for_each_row(conn, dicts, filter, |r| {
                serde_json::to_writer(&mut *out, &plover_record(&r.doc_id, r.outlet.as_deref(), r.idx, &r.event))?;
                out.write_all(b"\n").map_err(io)
            })?;
            out.flush().map_err(io)?;
            Ok(n)
        }
        ExportFormat::Geojson => {
            out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n").map_err(io)?;
            let mut first = true;
            let n = for_each_row(conn, dicts, filter, |r| {
                let props = plover_record(&r.doc_id, r.outlet.as_deref(), r.idx, &r.event);
                let place = r.event.place.as_ref();
                let geometry = match (place.and_then(|p| p.lon), place.and_then(|p| p.lat)) {
                    (Some(lon), Some(lat)) => serde_json::json!({"type": "Point", "coordinates": [lon, lat]}),
                    _ => serde_json::Value::Null,
                };
                let mut props = serde_json::to_value(props)?;
                if let Some(obj) = props.as_object_mut() {
                    obj.insert("url".into(), r.url.into());
                }
                let feature = serde_json::json!({"type": "Feature", "id": props["id"], "geometry": geometry, "properties": props});
                if !first {
                    out.write_all(b",\n").map_err(io)?;
                }
                first = false;
                serde_json::to_writer(&mut *out, &feature)?;
                Ok(())
            })?;
            out.write_all(b"\n]}\n").map_err(io)?;
            out.flush().map_err(io)?;
            Ok(n)
        }
        ExportFormat::Parquet => parquet(conn, dicts, filter, out),
    }
}

fn text<'a>(m: &'a serde_json::Map<String, serde_json::Value>, column: &str) -> &'a str {
    m.get(column).and_then(|v| v.as_str()).unwrap_or("")
}

/// Rows per Parquet row group.
const ROW_GROUP: usize = 8192;

fn parquet(
    conn: &Connection,
    dicts: &crate::codec::Dictionaries,
    filter: &Filter,
    out: &mut (dyn Write + Send),
) -> Result<u64, Error> {
    let perr = |e: parquet::errors::ParquetError| Error::Export(e.to_string());
    let typed = |c: &str| match c {
        "latitude" | "longitude" => DataType::Float64,
        "fatalities" | "year" | "time_precision" | "geo_precision" => DataType::Int64,
        _ => DataType::Utf8,
    };
    let mut fields: Vec<Field> = ACLED_COLUMNS.iter().map(|c| Field::new(*c, typed(c), true)).collect();
    fields.push(Field::new("doc_id", DataType::Utf8, false));
    fields.push(Field::new("url", DataType::Utf8, true));
    let schema = Arc::new(Schema::new(fields));
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .build();
    let mut writer = parquet::arrow::ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(perr)?;
    let mut rows: Vec<(AcledRow, String, Option<String>)> = Vec::with_capacity(ROW_GROUP);
    let flush = |rows: &mut Vec<(AcledRow, String, Option<String>)>,
                 writer: &mut parquet::arrow::ArrowWriter<&mut (dyn Write + Send)>|
     -> Result<(), Error> {
        if rows.is_empty() {
            return Ok(());
        }
        let values: Vec<serde_json::Map<String, serde_json::Value>> = rows
            .iter()
            .map(|(r, _, _)| match serde_json::to_value(r) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => serde_json::Map::new(),
            })
            .collect();
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        for c in ACLED_COLUMNS {
            columns.push(match typed(c) {
                DataType::Float64 => {
                    let mut b = Float64Builder::with_capacity(values.len());
                    values.iter().for_each(|m| b.append_option(text(m, c).parse::<f64>().ok()));
                    Arc::new(b.finish())
                }
                DataType::Int64 => {
                    let mut b = Int64Builder::with_capacity(values.len());
                    values.iter().for_each(|m| b.append_option(text(m, c).parse::<i64>().ok()));
                    Arc::new(b.finish())
                }
                _ => {
                    let mut b = StringBuilder::new();
                    values.iter().for_each(|m| b.append_option(Some(text(m, c)).filter(|s| !s.is_empty())));
                    Arc::new(b.finish())
                }
            });
        }
        let mut ids = StringBuilder::new();
        let mut urls = StringBuilder::new();
        for (_, id, url) in rows.iter() {
            ids.append_value(id);
            urls.append_option(url.as_deref());
        }
        columns.push(Arc::new(ids.finish()));
        columns.push(Arc::new(urls.finish()));
        let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| Error::Export(e.to_string()))?;
        writer.write(&batch).map_err(perr)?;
        rows.clear();
        Ok(())
    };
    let n = for_each_row(conn, dicts, filter, |r| {
        rows.push((acled_row(&r.doc_id, r.outlet.as_deref(), r.idx, &r.event), r.doc_id, r.url));
        if rows.len() >= ROW_GROUP { flush(&mut rows, &mut writer) } else { Ok(()) }
    })?;
    flush(&mut rows, &mut writer)?;
    writer.close().map_err(perr)?;
    Ok(n)
}
