//! The canonical events' facts that timelines count, held in memory: one read of the store,
//! then every timeline of every filter from memory. A dashboard asks for timelines often and
//! the store changes only at ingest; `marsad serve` keeps one [`EventFacts`] per store version.

use crate::stories::{GroupBy, Interval, TimelineRow};
use crate::{Error, Filter, Read};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One canonical event, as timelines filter and count it.
#[derive(Clone, Debug)]
struct Fact {
    /// `YYYY-MM-DD`, possibly followed by a time.
    date: String,
    /// The day, days since 1970-01-01 (None for a date that is not one).
    day: Option<i32>,
    event_type: Arc<str>,
    sub_event_type: Arc<str>,
    country: Option<Arc<str>>,
    actor1: Option<Arc<str>>,
    actor2: Option<Arc<str>>,
    fatalities: u64,
    /// The outlets that reported it.
    sources: Vec<Arc<str>>,
}

/// Every canonical event's facts, in date order.
#[derive(Clone, Debug, Default)]
pub struct EventFacts {
    facts: Vec<Fact>,
}

/// One shared copy of each repeated string (types, countries, actors, outlets).
#[derive(Default)]
struct Interner(rustc_hash::FxHashMap<String, Arc<str>>);

impl Interner {
    fn get(&mut self, s: String) -> Arc<str> {
        if let Some(a) = self.0.get(&s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s.as_str());
        self.0.insert(s, a.clone());
        a
    }
}

impl Read<'_> {
    /// Reads every canonical event's facts (as of the last story update).
    pub fn event_facts(&self) -> Result<EventFacts, Error> {
        let mut names = Interner::default();
        let mut facts = Vec::new();
        self.db.for_each(
            "SELECT date, event_type, sub_event_type, country, actor1, actor2, coalesce(fatalities, 0), sources \
             FROM canonical_events ORDER BY date, id",
            &[],
            |r| {
                let sources: Vec<String> = serde_json::from_str(&r.get::<String>(7)?).unwrap_or_default();
                let date: String = r.get(0)?;
                facts.push(Fact {
                    day: marsad_cluster::day_number(date.get(..10).unwrap_or(&date)),
                    date,
                    event_type: names.get(r.get(1)?),
                    sub_event_type: names.get(r.get(2)?),
                    country: r.get::<Option<String>>(3)?.map(|c| names.get(c)),
                    actor1: r.get::<Option<String>>(4)?.map(|a| names.get(a)),
                    actor2: r.get::<Option<String>>(5)?.map(|a| names.get(a)),
                    fatalities: r.get(6)?,
                    sources: sources.into_iter().map(|o| names.get(o)).collect(),
                });
                Ok(())
            },
        )?;
        Ok(EventFacts { facts })
    }

    /// Counts of canonical events (and their fatalities) that pass `filter`, by time bucket and
    /// group, in order.
    pub fn timeline(&self, filter: &Filter, interval: Interval, by: GroupBy) -> Result<Vec<TimelineRow>, Error> {
        Ok(self.event_facts()?.timeline(filter, interval, by))
    }
}

impl EventFacts {
    /// How many canonical events there are.
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// What the SQL of exports and map points selects (`export::where_clause` over canonical
    /// events): dates as text, the end day inclusive of any time, the country's code in upper
    /// case, a type or sub-type, an actor on either side, an outlet among the sources.
    fn passes(f: &Fact, filter: &Filter, country: Option<&str>) -> bool {
        filter.from.as_deref().is_none_or(|d| f.date.as_str() >= d)
            && filter.to.as_deref().is_none_or(|d| f.date.get(..10).unwrap_or(&f.date) <= d)
            && country.is_none_or(|c| f.country.as_deref() == Some(c))
            && filter.event_type.as_deref().is_none_or(|t| &*f.event_type == t || &*f.sub_event_type == t)
            && filter.actor.as_deref().is_none_or(|a| f.actor1.as_deref() == Some(a) || f.actor2.as_deref() == Some(a))
            && filter.outlet.as_deref().is_none_or(|o| f.sources.iter().any(|s| &**s == o))
    }

    /// How many canonical events pass `filter`.
    pub fn count(&self, filter: &Filter) -> u64 {
        self.selected(filter).count() as u64
    }

    fn selected<'a>(&'a self, filter: &'a Filter) -> impl Iterator<Item = &'a Fact> {
        let country = filter.country.as_deref().map(str::to_uppercase);
        self.facts.iter().filter(move |f| Self::passes(f, filter, country.as_deref()))
    }

    /// Counts of the canonical events that pass `filter` (and their fatalities), by time bucket
    /// and group, in order.
    pub fn timeline(&self, filter: &Filter, interval: Interval, by: GroupBy) -> Vec<TimelineRow> {
        // Buckets by day number (a day, its week's Monday, its month's first day); a date that
        // is not a day counts under its own text.
        #[derive(PartialEq, Eq, PartialOrd, Ord)]
        enum Bucket<'a> {
            Day(i32),
            Text(&'a str),
        }
        let mut buckets: BTreeMap<(Bucket, &str), (u64, u64)> = BTreeMap::new();
        for f in self.selected(filter) {
            let bucket = match (f.day, interval) {
                (None, _) => Bucket::Text(&f.date),
                (Some(n), Interval::Day) => Bucket::Day(n),
                // 1970-01-01 was a Thursday: its week's Monday is three days before.
                (Some(n), Interval::Week) => Bucket::Day(n - (n + 3).rem_euclid(7)),
                (Some(n), Interval::Month) => {
                    Bucket::Day(n - i32::from(f.date.get(8..10).and_then(|d| d.parse::<u8>().ok()).unwrap_or(1)) + 1)
                }
            };
            let group = match by {
                GroupBy::EventType => &*f.event_type,
                GroupBy::Country => f.country.as_deref().unwrap_or(""),
                GroupBy::Actor => f.actor1.as_deref().unwrap_or(""),
            };
            let slot = buckets.entry((bucket, group)).or_default();
            slot.0 += 1;
            slot.1 += f.fatalities;
        }
        buckets
            .into_iter()
            .map(|((bucket, group), (events, fatalities))| TimelineRow {
                bucket: match bucket {
                    Bucket::Text(t) => t.to_owned(),
                    Bucket::Day(n) if interval == Interval::Month => marsad_cluster::day_string(n)[..7].to_owned(),
                    Bucket::Day(n) => marsad_cluster::day_string(n),
                },
                group: group.to_owned(),
                events,
                fatalities,
            })
            .collect()
    }
}
