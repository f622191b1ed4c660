//! What the dashboard and the API browse besides search: the linked actors and the resolved
//! places with how often the store mentions them, and canonical events as map points.

use crate::sql::{Row, Val};
use crate::{Error, ExportUnit, Filter, Read, Store};
use serde::Serialize;
use std::collections::BTreeMap;

/// A page of actors or places, optionally those whose name or id contains `q`.
#[derive(Clone, Debug, Default)]
pub struct NameQuery {
    /// Part of a name (Arabic or English) or of the id.
    pub q: Option<String>,
    /// Actors: the kind (`state_force`, `rebel_group` …); places: the country (ISO alpha-2).
    pub kind: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

/// A linked actor, with the number of stored articles that mention it and of canonical events
/// it is a side of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActorRow {
    pub id: String,
    /// The entity type (ORG, PER, NORP …).
    #[serde(rename = "type")]
    pub entity_type: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub kind: Option<String>,
    pub documents: u64,
    pub events: u64,
}

/// A resolved place, with the number of stored articles that mention it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlaceRow {
    pub id: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub feature: Option<String>,
    pub documents: u64,
}

/// A canonical event as a map point and a list row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    pub id: u64,
    pub story: u64,
    pub date: String,
    pub event_type: String,
    pub sub_event_type: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub fatalities: Option<u32>,
    pub country: Option<String>,
    pub admin1: Option<String>,
    /// The place's name as the gazetteer gives it (English where known), and in Arabic.
    pub location: Option<String>,
    pub location_ar: Option<String>,
    pub actor1: Option<String>,
    pub actor2: Option<String>,
    pub articles: u64,
}

/// The events that pass a filter, newest first, at most `limit`; `total` counts all of them;
/// the names of the actors the points refer to come once.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Points {
    pub total: u64,
    pub items: Vec<Point>,
    pub actors: BTreeMap<String, ActorName>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActorName {
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
}

/// An actor, with the canonical events it is a side of (newest first, at most 200).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActorDetail {
    pub actor: ActorRow,
    pub events: Vec<Point>,
}

/// `%q%` for LIKE, its wildcards escaped (with `\`).
fn contains_pattern(q: &str) -> String {
    let escaped = q.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

const ACTOR_COLUMNS: &str = "a.id, a.type, a.name_ar, a.name_en, a.kind, \
     (SELECT count(*) FROM entities n WHERE n.actor_id = a.id), \
     (SELECT count(*) FROM canonical_events e WHERE e.actor1 = a.id) \
     + (SELECT count(*) FROM canonical_events e WHERE e.actor2 = a.id AND e.actor1 IS DISTINCT FROM a.id)";

fn actor_row(r: &Row) -> Result<ActorRow, Error> {
    Ok(ActorRow {
        id: r.get(0)?,
        entity_type: r.get(1)?,
        name_ar: r.get(2)?,
        name_en: r.get(3)?,
        kind: r.get(4)?,
        documents: r.get(5)?,
        events: r.get(6)?,
    })
}

/// `(?1 IS NULL OR name LIKE ?1 …)`: a name, English one in any letter case, or id contains `?1`.
const NAME_MATCHES: &str = "(CAST(?1 AS TEXT) IS NULL OR {t}.name_ar LIKE ?1 ESCAPE '\\' \
     OR lower({t}.name_en) LIKE lower(?1) ESCAPE '\\' OR {t}.id LIKE ?1 ESCAPE '\\')";

/// The name query's parameters: the pattern, the kind, the page.
fn name_params(q: &NameQuery) -> [Val; 4] {
    let pattern = q.q.as_deref().filter(|s| !s.trim().is_empty()).map(contains_pattern);
    [pattern.into(), q.kind.clone().into(), (q.limit as i64).into(), (q.offset as i64).into()]
}

impl Read<'_> {
    /// Linked actors, the most mentioned first.
    pub fn actors(&self, q: &NameQuery) -> Result<Vec<ActorRow>, Error> {
        let sql = format!(
            "SELECT {ACTOR_COLUMNS} FROM actors a WHERE {} AND (CAST(?2 AS TEXT) IS NULL OR a.kind = ?2) \
             ORDER BY 6 DESC, a.id LIMIT ?3 OFFSET ?4",
            NAME_MATCHES.replace("{t}", "a")
        );
        self.db.rows(&sql, &name_params(q))?.iter().map(actor_row).collect()
    }

    /// One actor and the canonical events it is a side of.
    pub fn actor(&self, id: &str) -> Result<Option<ActorDetail>, Error> {
        let sql = format!("SELECT {ACTOR_COLUMNS} FROM actors a WHERE a.id = ?1");
        let Some(actor) = self.db.row(&sql, &[id.into()])?.as_ref().map(actor_row).transpose()? else {
            return Ok(None);
        };
        let filter = Filter { actor: Some(id.to_owned()), ..Filter::default() };
        let events = self.points(&filter, ExportUnit::Canonical, 200)?.items;
        Ok(Some(ActorDetail { actor, events }))
    }

    /// Resolved places, the most mentioned first; `kind` selects a country.
    pub fn places(&self, q: &NameQuery) -> Result<Vec<PlaceRow>, Error> {
        let sql = format!(
            "SELECT g.id, g.name_ar, g.name_en, g.country, g.admin1, g.admin2, g.lat, g.lon, g.feature, \
             (SELECT count(*) FROM places p WHERE p.place_id = g.id) AS n FROM gazetteer g \
             WHERE {} AND (CAST(?2 AS TEXT) IS NULL OR g.country = upper(CAST(?2 AS TEXT))) \
             ORDER BY n DESC, g.id LIMIT ?3 OFFSET ?4",
            NAME_MATCHES.replace("{t}", "g")
        );
        let rows = self.db.rows(&sql, &name_params(q))?;
        rows.iter()
            .map(|r| {
                Ok(PlaceRow {
                    id: r.get(0)?,
                    name_ar: r.get(1)?,
                    name_en: r.get(2)?,
                    country: r.get(3)?,
                    admin1: r.get(4)?,
                    admin2: r.get(5)?,
                    lat: r.get(6)?,
                    lon: r.get(7)?,
                    feature: r.get(8)?,
                    documents: r.get(9)?,
                })
            })
            .collect()
    }

    /// The canonical events that pass `filter` (or, for [`ExportUnit::Mentions`], every
    /// article's dated report, with the id and story of its canonical event), newest first, at
    /// most `limit` of them.
    pub fn points(&self, filter: &Filter, unit: ExportUnit, limit: usize) -> Result<Points, Error> {
        let (cond, params) = crate::export::where_clause(filter, unit);
        // The page is chosen first (newest first, in the order of an index), then joined to
        // what it shows: SQLite may otherwise join every row before it sorts and cuts.
        let (place_id, location) =
            (self.db.json_text("e.summary", "place_id"), self.db.json_text("e.summary", "location"));
        let (canonical_joins, canonical_columns) = (
            format!("LEFT JOIN gazetteer g ON g.id = {place_id}"),
            format!(
                "e.id, e.story, e.date, e.event_type, e.sub_event_type, e.lat, e.lon, e.fatalities, e.country, \
                 e.admin1, {location}, g.name_ar, e.actor1, e.actor2, e.articles"
            ),
        );
        let (table, joins, columns, order) = match unit {
            ExportUnit::Canonical => {
                ("canonical_events e", canonical_joins.as_str(), canonical_columns.as_str(), "e.date DESC, e.id DESC")
            }
            ExportUnit::Mentions => (
                // The documents only for an outlet's reports (the events of near-duplicates
                // are not stored).
                if filter.outlet.is_some() { "events e JOIN documents d ON d.seq = e.doc_seq" } else { "events e" },
                "LEFT JOIN event_mentions m ON m.doc_seq = e.doc_seq AND m.idx = e.idx \
                 LEFT JOIN canonical_events c ON c.id = m.canonical",
                "coalesce(m.canonical, 0), coalesce(c.story, 0), e.date, e.event_type, e.sub_event_type, e.lat, e.lon, \
                 e.fatalities, e.country, e.admin1, NULL, NULL, e.actor1, e.actor2, 1",
                "e.date DESC, e.doc_seq DESC, e.idx DESC",
            ),
        };
        // A report without a date has no place on a timeline.
        let cond = format!("{cond} AND e.date IS NOT NULL");
        let total: u64 = match self.db.row(&format!("SELECT count(*) FROM {table} WHERE {cond}"), &params)? {
            Some(r) => r.get(0)?,
            None => 0,
        };
        let sql = format!(
            "SELECT {columns} FROM (SELECT e.* FROM {table} WHERE {cond} ORDER BY {order} LIMIT ?) e {joins} \
             ORDER BY {order}"
        );
        let mut bound = params;
        bound.push(Val::Int(limit as i64));
        let items: Vec<Point> = self
            .db
            .rows(&sql, &bound)?
            .iter()
            .map(|r| {
                Ok(Point {
                    id: r.get(0)?,
                    story: r.get(1)?,
                    date: r.get(2)?,
                    event_type: r.get(3)?,
                    sub_event_type: r.get(4)?,
                    lat: r.get(5)?,
                    lon: r.get(6)?,
                    fatalities: r.get(7)?,
                    country: r.get(8)?,
                    admin1: r.get(9)?,
                    location: r.get(10)?,
                    location_ar: r.get(11)?,
                    actor1: r.get(12)?,
                    actor2: r.get(13)?,
                    articles: r.get(14)?,
                })
            })
            .collect::<Result<_, Error>>()?;
        let mut actors = BTreeMap::new();
        for id in items.iter().flat_map(|p| [&p.actor1, &p.actor2]).flatten() {
            if !actors.contains_key(id) {
                let n = self.db.row("SELECT name_ar, name_en FROM actors WHERE id = ?1", &[id.as_str().into()])?;
                let name = match n {
                    Some(r) => ActorName { name_ar: r.get(0)?, name_en: r.get(1)? },
                    None => ActorName { name_ar: None, name_en: None },
                };
                actors.insert(id.clone(), name);
            }
        }
        Ok(Points { total, items, actors })
    }

    /// The number of stored documents and of stories: a cheap health check.
    pub fn counts(&self) -> Result<(u64, u64), Error> {
        let sql = "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM stories)";
        let r = self.db.row(sql, &[])?.ok_or_else(|| Error::Query("internal: no counts".into()))?;
        Ok((r.get(0)?, r.get(1)?))
    }
}

impl Store {
    /// Makes documents another handle committed visible to this handle's searches (SQLite
    /// reads see them already).
    pub fn refresh(&self) -> Result<(), Error> {
        self.index.reload()
    }
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn like_wildcards_in_a_query_are_literal() {
        assert_eq!(contains_pattern(" 100%_a\\b "), "%100\\%\\_a\\\\b%");
    }
}
