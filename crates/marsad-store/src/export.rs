//! Exports of the stored coded events: ACLED-column CSV, PLOVER-style JSON lines, GeoJSON
//! points and Parquet. Rows stream from the database (SQLite or PostgreSQL); only Parquet buffers a row group at a time.

use crate::sql::{Db, Val};
use crate::{Error, Filter};
use arrow_array::builder::{Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use marsad_core::Event;
use marsad_core::export::{ACLED_COLUMNS, AcledRow, acled_row, plover_record};
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

/// What one exported row stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportUnit {
    /// One row per real-world event: the canonical event merged from every article's report,
    /// with its best-supported values, its mention count and its sources.
    Canonical,
    /// One row per article's report (near-duplicates excluded).
    Mentions,
}

/// The SQL condition and parameters of a filter over `events e JOIN documents d` (or, for
/// canonical events, `canonical_events e JOIN documents d` on the representative). Only fixed
/// fragments go into the SQL text; every value is a bound parameter.
pub(crate) fn where_clause(f: &Filter, unit: ExportUnit) -> (String, Vec<Val>) {
    let mut cond = vec!["1 = 1"];
    let mut params = Vec::new();
    let mut add = |c: &'static str, v: &str, n: usize| {
        cond.push(c);
        for _ in 0..n {
            params.push(Val::Text(v.to_owned()));
        }
    };
    if let Some(d) = &f.from {
        add("e.date >= ?", d, 1);
    }
    if let Some(d) = &f.to {
        // Inclusive of the whole day whatever the stored precision of the date.
        add("substr(e.date, 1, 10) <= CAST(? AS TEXT)", d, 1);
    }
    if let Some(c) = &f.country {
        add("e.country = upper(CAST(? AS TEXT))", c, 1);
    }
    if let Some(t) = &f.event_type {
        add("(e.event_type = ? OR e.sub_event_type = ?)", t, 2);
    }
    if let Some(a) = &f.actor {
        add("(e.actor1 = ? OR e.actor2 = ?)", a, 2);
    }
    if let Some(o) = &f.outlet {
        match unit {
            ExportUnit::Mentions => add("d.outlet = ?", o, 1),
            // Events any of whose articles the outlet published.
            ExportUnit::Canonical => add(
                "EXISTS (SELECT 1 FROM event_mentions m JOIN documents o ON o.seq = m.doc_seq \
                 WHERE m.canonical = e.id AND o.outlet = ?)",
                o,
                1,
            ),
        }
    }
    (cond.join(" AND "), params)
}

/// What a canonical event adds to its representative report.
struct Merged {
    id: u64,
    event_type: String,
    sub_event_type: String,
    date: String,
    fatalities: Option<u32>,
    mentions: u64,
    articles: u64,
    sources: Vec<String>,
}

/// One exported event: its document's id, outlet and URL, its index there, and the event;
/// for a canonical event, the report that stands for it and what the merge adds.
struct Row {
    doc_id: String,
    outlet: Option<String>,
    url: Option<String>,
    idx: usize,
    event: Event,
    merged: Option<Merged>,
}

impl Row {
    fn acled(&self) -> AcledRow {
        let mut r = acled_row(&self.doc_id, self.outlet.as_deref(), self.idx, &self.event);
        if let Some(m) = &self.merged {
            r.event_id_cnty = format!("{}C{}", r.iso, m.id);
            r.event_type.clone_from(&m.event_type);
            r.sub_event_type.clone_from(&m.sub_event_type);
            r.year = m.date.get(..4).unwrap_or_default().to_owned();
            r.event_date.clone_from(&m.date);
            r.fatalities = m.fatalities.unwrap_or(0).to_string();
            r.source = m.sources.join("; ");
        }
        r
    }

    fn plover(&self) -> Result<serde_json::Value, Error> {
        let mut v = serde_json::to_value(plover_record(&self.doc_id, self.outlet.as_deref(), self.idx, &self.event))?;
        if let (Some(m), Some(obj)) = (&self.merged, v.as_object_mut()) {
            obj.insert("id".into(), format!("C{}", m.id).into());
            obj.insert("acled_event_type".into(), m.event_type.clone().into());
            obj.insert("acled_sub_event_type".into(), m.sub_event_type.clone().into());
            obj.insert("date".into(), m.date.clone().into());
            obj.insert("fatalities".into(), m.fatalities.into());
            obj.insert("mentions".into(), m.mentions.into());
            obj.insert("articles".into(), m.articles.into());
            obj.insert("sources".into(), m.sources.clone().into());
        }
        Ok(v)
    }
}

fn for_each_row(
    db: Db<'_>,
    dicts: &crate::codec::Dictionaries,
    filter: &Filter,
    unit: ExportUnit,
    mut f: impl FnMut(Row) -> Result<(), Error>,
) -> Result<u64, Error> {
    let (cond, params) = where_clause(filter, unit);
    // The content comes with each row: the rows are read as they come, and no other query
    // can run on the connection meanwhile.
    let sql = match unit {
        ExportUnit::Mentions => format!(
            "SELECT e.doc_seq, e.idx, d.id, d.outlet, d.url, d.content FROM events e \
             JOIN documents d ON d.seq = e.doc_seq WHERE {cond} ORDER BY e.doc_seq, e.idx"
        ),
        ExportUnit::Canonical => format!(
            "SELECT e.rep_seq, e.rep_idx, d.id, d.outlet, d.url, d.content, e.id, e.event_type, e.sub_event_type, \
             e.date, e.fatalities, e.mentions, e.articles, e.sources FROM canonical_events e \
             JOIN documents d ON d.seq = e.rep_seq WHERE {cond} ORDER BY e.rep_seq, e.rep_idx"
        ),
    };
    // Rows come in document order: each document's analysis is decoded once.
    let mut current: Option<(u64, marsad_core::Document)> = None;
    let mut n = 0;
    db.for_each(&sql, &params, |r| {
        let seq: u64 = r.get(0)?;
        let idx = r.get::<u64>(1)? as usize;
        if current.as_ref().is_none_or(|(s, _)| *s != seq) {
            let z: Vec<u8> = r.get(5)?;
            current = Some((seq, crate::codec::Content::unpack(dicts, &z)?.document()?));
        }
        let Some(event) = current.as_ref().and_then(|(_, d)| d.events.get(idx)) else { return Ok(()) };
        let merged = match unit {
            ExportUnit::Mentions => None,
            ExportUnit::Canonical => Some(Merged {
                id: r.get(6)?,
                event_type: r.get(7)?,
                sub_event_type: r.get(8)?,
                date: r.get(9)?,
                fatalities: r.get(10)?,
                mentions: r.get(11)?,
                articles: r.get(12)?,
                sources: serde_json::from_str(&r.get::<String>(13)?)?,
            }),
        };
        f(Row { doc_id: r.get(2)?, outlet: r.get(3)?, url: r.get(4)?, idx, event: event.clone(), merged })?;
        n += 1;
        Ok(())
    })?;
    Ok(n)
}

fn io(e: std::io::Error) -> Error {
    Error::Io("export output".into(), e)
}

/// Columns after ACLED's in canonical CSV and Parquet exports.
const MERGE_COLUMNS: [&str; 2] = ["mentions", "articles"];

pub(crate) fn export(
    db: Db<'_>,
    dicts: &crate::codec::Dictionaries,
    filter: &Filter,
    format: ExportFormat,
    unit: ExportUnit,
    out: &mut (dyn Write + Send),
) -> Result<u64, Error> {
    let canonical = unit == ExportUnit::Canonical;
    match format {
        ExportFormat::Csv => {
            let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(out);
            let mut header: Vec<&str> = ACLED_COLUMNS.to_vec();
            if canonical {
                header.extend(MERGE_COLUMNS);
            }
            w.write_record(&header).map_err(|e| Error::Export(e.to_string()))?;
            let n = for_each_row(db, dicts, filter, unit, |r| {
                let row = r.acled();
                let mut fields: Vec<String> = csv_fields(&row)?;
                if let Some(m) = &r.merged {
                    fields.extend([m.mentions.to_string(), m.articles.to_string()]);
                }
                w.write_record(&fields).map_err(|e| Error::Export(e.to_string()))
            })?;
            w.flush().map_err(io)?;
            Ok(n)
        }
        ExportFormat::Jsonl => {
            let n = for_each_row(db, dicts, filter, unit, |r| {
                serde_json::to_writer(&mut *out, &r.plover()?)?;
                out.write_all(b"\n").map_err(io)
            })?;
            out.flush().map_err(io)?;
            Ok(n)
        }
        ExportFormat::Geojson => {
            out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n").map_err(io)?;
            let mut first = true;
            let n = for_each_row(db, dicts, filter, unit, |r| {
                let props = r.plover()?;
                let place = r.event.place.as_ref();
                let geometry = match (place.and_then(|p| p.lon), place.and_then(|p| p.lat)) {
                    (Some(lon), Some(lat)) => serde_json::json!({"type": "Point", "coordinates": [lon, lat]}),
                    _ => serde_json::Value::Null,
                };
                let mut props = props;
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
        ExportFormat::Parquet => parquet(db, dicts, filter, unit, out),
    }
}

/// A row's fields in ACLED's column order, as text.
fn csv_fields(row: &AcledRow) -> Result<Vec<String>, Error> {
    let serde_json::Value::Object(m) = serde_json::to_value(row)? else { return Ok(Vec::new()) };
    Ok(ACLED_COLUMNS.iter().map(|c| text(&m, c).to_owned()).collect())
}

fn text<'a>(m: &'a serde_json::Map<String, serde_json::Value>, column: &str) -> &'a str {
    m.get(column).and_then(|v| v.as_str()).unwrap_or("")
}

/// Rows per Parquet row group.
const ROW_GROUP: usize = 8192;

fn parquet(
    db: Db<'_>,
    dicts: &crate::codec::Dictionaries,
    filter: &Filter,
    unit: ExportUnit,
    out: &mut (dyn Write + Send),
) -> Result<u64, Error> {
    let canonical = unit == ExportUnit::Canonical;
    let perr = |e: parquet::errors::ParquetError| Error::Export(e.to_string());
    let typed = |c: &str| match c {
        "latitude" | "longitude" => DataType::Float64,
        "fatalities" | "year" | "time_precision" | "geo_precision" => DataType::Int64,
        _ => DataType::Utf8,
    };
    let mut fields: Vec<Field> = ACLED_COLUMNS.iter().map(|c| Field::new(*c, typed(c), true)).collect();
    fields.push(Field::new("doc_id", DataType::Utf8, false));
    fields.push(Field::new("url", DataType::Utf8, true));
    if canonical {
        for c in MERGE_COLUMNS {
            fields.push(Field::new(c, DataType::Int64, false));
        }
    }
    let schema = Arc::new(Schema::new(fields));
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .build();
    let mut writer = parquet::arrow::ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(perr)?;
    type Buffered = (AcledRow, String, Option<String>, [u64; 2]);
    let mut rows: Vec<Buffered> = Vec::with_capacity(ROW_GROUP);
    let flush = |rows: &mut Vec<Buffered>,
                 writer: &mut parquet::arrow::ArrowWriter<&mut (dyn Write + Send)>|
     -> Result<(), Error> {
        if rows.is_empty() {
            return Ok(());
        }
        let values: Vec<serde_json::Map<String, serde_json::Value>> = rows
            .iter()
            .map(|(r, _, _, _)| match serde_json::to_value(r) {
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
        for (_, id, url, _) in rows.iter() {
            ids.append_value(id);
            urls.append_option(url.as_deref());
        }
        columns.push(Arc::new(ids.finish()));
        columns.push(Arc::new(urls.finish()));
        if canonical {
            for i in 0..MERGE_COLUMNS.len() {
                let mut b = Int64Builder::with_capacity(rows.len());
                rows.iter().for_each(|r| b.append_value(r.3[i] as i64));
                columns.push(Arc::new(b.finish()));
            }
        }
        let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| Error::Export(e.to_string()))?;
        writer.write(&batch).map_err(perr)?;
        rows.clear();
        Ok(())
    };
    let n = for_each_row(db, dicts, filter, unit, |r| {
        let counts = r.merged.as_ref().map_or([0, 0], |m| [m.mentions, m.articles]);
        rows.push((r.acled(), r.doc_id, r.url, counts));
        if rows.len() >= ROW_GROUP { flush(&mut rows, &mut writer) } else { Ok(()) }
    })?;
    flush(&mut rows, &mut writer)?;
    writer.close().map_err(perr)?;
    Ok(n)
}
