//! A document's coded events in standard shapes: ACLED's columns (one CSV row per event) and
//! PLOVER-style JSON records. Only events that carry an ACLED type (asserted or reported) are
//! exported: negated, hypothetical, future and habitual mentions are not event data.

use crate::{Document, Entity, Event};
use serde::Serialize;

/// ACLED's export columns, in order (the fields of `AcledRow`).
pub const ACLED_COLUMNS: [&str; 31] = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
];

/// One event as a row of ACLED's export columns. Fields marsad does not know (admin3, tags,
/// associated actors) are empty; `notes` carries the evidence sentence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AcledRow {
    pub event_id_cnty: String,
    pub event_date: String,
    pub year: String,
    /// 1 = day, 2 = week, 3 = month (ACLED's time_precision).
    pub time_precision: String,
    pub disorder_type: String,
    pub event_type: String,
    pub sub_event_type: String,
    pub actor1: String,
    pub assoc_actor_1: String,
    pub inter1: String,
    pub actor2: String,
    pub assoc_actor_2: String,
    pub inter2: String,
    pub interaction: String,
    pub civilian_targeting: String,
    pub iso: String,
    pub region: String,
    pub country: String,
    pub admin1: String,
    pub admin2: String,
    pub admin3: String,
    pub location: String,
    pub latitude: String,
    pub longitude: String,
    pub geo_precision: String,
    pub source: String,
    pub source_scale: String,
    pub notes: String,
    pub fatalities: String,
    pub tags: String,
    pub timestamp: String,
}

/// One event as a PLOVER-style record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PloverRecord {
    pub id: String,
    pub date: Option<String>,
    pub event_type: Option<String>,
    pub mode: Option<String>,
    pub cameo: Option<String>,
    pub actor: Option<String>,
    pub recipient: Option<String>,
    pub location: Option<PloverLocation>,
    pub fatalities: Option<u32>,
    pub injured: Option<u32>,
    pub arrested: Option<u32>,
    pub displaced: Option<u32>,
    pub acled_event_type: Option<String>,
    pub acled_sub_event_type: Option<String>,
    pub source: Option<String>,
    pub doc_id: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PloverLocation {
    pub name: String,
    pub geonames_id: Option<String>,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub precision: Option<u8>,
}

/// The events of a document that are event data (they carry an ACLED type), with their index.
pub fn coded(doc: &Document) -> impl Iterator<Item = (usize, &Event)> {
    doc.events.iter().enumerate().filter(|(_, e)| e.acled.is_some())
}

fn actor_name(e: &Option<Entity>) -> String {
    e.as_ref()
        .map(|a| a.name_en.clone().unwrap_or_else(|| a.name_ar.clone().unwrap_or_else(|| a.text.clone())))
        .unwrap_or_default()
}

/// ACLED's disorder type of an event type.
fn disorder_type(event_type: &str) -> &'static str {
    match event_type {
        "Protests" | "Riots" => "Demonstrations",
        "Strategic developments" => "Strategic developments",
        _ => "Political violence",
    }
}

/// The ACLED rows of a document's coded events.
pub fn acled_rows(doc: &Document) -> Vec<AcledRow> {
    coded(doc).map(|(i, e)| acled_row(&doc.id, doc.outlet.as_deref(), i, e)).collect()
}

/// The ACLED row of event `i` (its index in the document's events) of document `doc_id`.
pub fn acled_row(doc_id: &str, outlet: Option<&str>, i: usize, e: &Event) -> AcledRow {
    let acled = e.acled.as_ref().map(|a| (a.event_type.clone(), a.sub_event_type.clone())).unwrap_or_default();
    let place = e.place.as_ref();
    let s = |v: Option<&String>| v.cloned().unwrap_or_default();
    let iso = s(place.and_then(|p| p.country.as_ref()));
    AcledRow {
        event_id_cnty: format!("{}{}-{}", iso, doc_id, i + 1),
        event_date: s(e.date.as_ref()),
        year: e.date.as_deref().and_then(|d| d.get(..4)).unwrap_or("").to_owned(),
        time_precision: match e.date_precision {
            Some(crate::DatePrecision::Day) => "1",
            Some(crate::DatePrecision::Week) => "2",
            Some(_) => "3",
            None => "",
        }
        .to_owned(),
        disorder_type: disorder_type(&acled.0).to_owned(),
        event_type: acled.0,
        sub_event_type: acled.1,
        actor1: actor_name(&e.actor1),
        assoc_actor_1: String::new(),
        inter1: String::new(),
        actor2: actor_name(&e.actor2),
        assoc_actor_2: String::new(),
        inter2: String::new(),
        interaction: String::new(),
        civilian_targeting: if e.actor2.as_ref().and_then(|a| a.kind.as_deref()) == Some("civilians") {
            "Civilian targeting".to_owned()
        } else {
            String::new()
        },
        iso: iso.clone(),
        region: String::new(),
        country: iso,
        admin1: s(place.and_then(|p| p.admin1.as_ref())),
        admin2: s(place.and_then(|p| p.admin2.as_ref())),
        admin3: String::new(),
        location: place.map(|p| p.name_en.clone().or(p.name_ar.clone()).unwrap_or(p.text.clone())).unwrap_or_default(),
        latitude: place.and_then(|p| p.lat).map(|v| format!("{v:.4}")).unwrap_or_default(),
        longitude: place.and_then(|p| p.lon).map(|v| format!("{v:.4}")).unwrap_or_default(),
        geo_precision: place.and_then(|p| p.precision).map(|p| p.to_string()).unwrap_or_default(),
        source: outlet.unwrap_or_default().to_owned(),
        source_scale: String::new(),
        notes: e.evidence.text.replace(['\n', '\r'], " "),
        fatalities: e.fatalities.unwrap_or(0).to_string(),
        tags: String::new(),
        timestamp: String::new(),
    }
}

/// The PLOVER-style records of a document's coded events.
pub fn plover_records(doc: &Document) -> Vec<PloverRecord> {
    coded(doc).map(|(i, e)| plover_record(&doc.id, doc.outlet.as_deref(), i, e)).collect()
}

/// The PLOVER-style record of event `i` (its index in the document's events) of document `doc_id`.
pub fn plover_record(doc_id: &str, outlet: Option<&str>, i: usize, e: &Event) -> PloverRecord {
    PloverRecord {
        id: format!("{}-{}", doc_id, i + 1),
        date: e.date.clone(),
        event_type: e.plover.as_ref().map(|p| p.category.clone()),
        mode: e.plover.as_ref().and_then(|p| p.mode.clone()),
        cameo: e.cameo.clone(),
        actor: e.actor1.as_ref().map(|_| actor_name(&e.actor1)),
        recipient: e.actor2.as_ref().map(|_| actor_name(&e.actor2)),
        location: e.place.as_ref().map(|p| PloverLocation {
            name: p.name_en.clone().or(p.name_ar.clone()).unwrap_or(p.text.clone()),
            geonames_id: p.geonames_id.clone(),
            country: p.country.clone(),
            admin1: p.admin1.clone(),
            lat: p.lat,
            lon: p.lon,
            precision: p.precision,
        }),
        fatalities: e.fatalities,
        injured: e.injured,
        arrested: e.arrested,
        displaced: e.displaced,
        acled_event_type: e.acled.as_ref().map(|a| a.event_type.clone()),
        acled_sub_event_type: e.acled.as_ref().map(|a| a.sub_event_type.clone()),
        source: outlet.map(str::to_owned),
        doc_id: doc_id.to_owned(),
        text: e.evidence.text.clone(),
    }
}
