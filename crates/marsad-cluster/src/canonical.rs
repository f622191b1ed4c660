//! Cross-source event merging: the coded events of different articles that report one
//! real-world event become one canonical event that keeps every mention.
//!
//! Two mentions can be the same event when they belong to one family of types (political
//! violence; demonstrations; strategic developments — one outlet's clashes are another's
//! shelling), their dates agree within their precision (a day either side for day precision:
//! "yesterday" in a late edition), their places agree (both placed at a town or district
//! within 25 km of each other or in the same district, admin2; or, when either is placed only
//! at a province or country, both in the same story, country and province), and their actors
//! do not contradict each other: the same side in each role where both name one, or the roles
//! swapped. A state's government, army and police are one side, civilians are one, and media,
//! monitors and international bodies in actor slots (sources, not participants) are none.
//! Within one story, differing sides do not part two articles' reports of the same kind of
//! event on the same day: outlets name perpetrators differently, and who marched is no key to
//! a protest.
//!
//! A mention joins the best-scored canonical event that accepts it (same story, same
//! sub-event type, same place, shared actors, closer dates): compatible with at least one of
//! its reports (outlets place, date and name one event differently), within twice the radius
//! and a day more than the date tolerance of its representative report (the one that agrees
//! most with its best-supported values, so that an event does not drift in steps), and not told
//! apart by the mention's own article from a report already in it. Two reports of one article
//! merge on the same terms, except that differing sides always part them (the article told two
//! events); ACLED codes one event per type, day, place and actors, and the article's own merge
//! (marsad-events) keeps reports apart whenever something differs.
//!
//! A canonical event's values are the best supported (most articles; ties to the higher
//! count for fatalities, as tolls grow while bodies are found), and where the articles
//! disagree the disagreement is kept: every report of a count with its outlet.

use crate::profile::{EventFacts, EventPlace};
use marsad_core::DatePrecision;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Distance within which two town-level places are one place, in kilometres.
pub const RADIUS_KM: f64 = 25.0;
/// Grid cells of the spatial index, in degrees (about 28 km of latitude).
const CELL_DEG: f64 = 0.25;

/// Families of ACLED event types that outlets confuse with each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Family {
    Violence,
    Demonstrations,
    Strategic,
}

impl Family {
    pub fn of(event_type: &str) -> Family {
        match event_type {
            "Protests" | "Riots" => Family::Demonstrations,
            "Strategic developments" => Family::Strategic,
            _ => Family::Violence,
        }
    }
}

/// One article's report of an event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// The document's sequence number in the store.
    pub seq: u64,
    pub story: u64,
    pub outlet: Option<String>,
    /// The article's day, standing for the event's when it has none.
    pub article_day: i32,
    pub event: EventFacts,
}

impl Mention {
    fn day(&self) -> i32 {
        self.event.day.unwrap_or(self.article_day)
    }

    fn tolerance(&self) -> i32 {
        match self.event.precision {
            Some(DatePrecision::Day) | None => 1,
            Some(DatePrecision::Week) => 7,
            Some(DatePrecision::Month) => 31,
            Some(DatePrecision::Year) => 366,
        }
    }

    /// A town- or district-level place with coordinates.
    fn precise(&self) -> Option<(&EventPlace, f64, f64)> {
        let p = self.event.place.as_ref()?;
        Some((p, p.lat?, p.lon?)).filter(|_| p.precision <= 2)
    }
}

/// Great-circle distance in kilometres between two (lat, lon) points.
pub fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

fn same_or_unknown(a: &Option<String>, b: &Option<String>) -> bool {
    a.is_none() || b.is_none() || a == b
}

/// The side an actor stands for, as far as telling two reports apart goes: a state's
/// government, army, police and intelligence are one side (ACLED's "Military Forces of …" —
/// one outlet's "regime forces" are another's "the Syrian army"), civilians are one side, and
/// media, monitors and international bodies (SANA, SOHR, the UN), which end up in actor slots
/// as sources, are none.
fn side(a: &Option<String>) -> Option<String> {
    let id = a.as_deref()?;
    if ["med-", "ngo-", "igo-"].iter().any(|p| id.starts_with(p)) {
        return None;
    }
    if id.starts_with("cvl-") {
        return Some("cvl".into());
    }
    let mut parts = id.splitn(3, '-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(c), Some("gov" | "mil" | "cop" | "spy"), Some(_)) if c.len() == 3 => Some(format!("{c}-state")),
        _ => Some(id.to_owned()),
    }
}

/// Both placed at the same gazetteer entry.
fn same_place_id(a: &EventFacts, b: &EventFacts) -> bool {
    let id = |e: &EventFacts| e.place.as_ref().and_then(|p| p.id.clone());
    id(a).is_some() && id(a) == id(b)
}

/// Whether two mentions can report one event; if so, how well they agree.
fn compatible(a: &Mention, b: &Mention) -> Option<i32> {
    if Family::of(&a.event.event_type) != Family::of(&b.event.event_type) {
        return None;
    }
    let gap = (a.day() - b.day()).abs();
    if gap > a.tolerance().max(b.tolerance()) {
        return None;
    }
    let (ea, eb) = (&a.event, &b.event);
    let same_story = a.story == b.story;
    let near = match (a.precise(), b.precise()) {
        (Some((pa, lat_a, lon_a)), Some((pb, lat_b, lon_b))) => {
            if km((lat_a, lon_a), (lat_b, lon_b)) > RADIUS_KM && (pa.admin2.is_none() || pa.admin2 != pb.admin2) {
                return None;
            }
            true
        }
        _ => {
            let (pa, pb) = (ea.place.clone().unwrap_or_default(), eb.place.clone().unwrap_or_default());
            if !(same_story && same_or_unknown(&pa.country, &pb.country) && same_or_unknown(&pa.admin1, &pb.admin1)) {
                return None;
            }
            false
        }
    };
    // Outlets name the perpetrator differently (the army, Russian jets, "the terrorists"), and
    // who marched is no key to a protest: within one story, sides that differ part two reports
    // only when neither the place nor the kind of event and the day ties them.
    let (a1, a2, b1, b2) = (side(&ea.actor1), side(&ea.actor2), side(&eb.actor1), side(&eb.actor2));
    let direct = same_or_unknown(&a1, &b1) && same_or_unknown(&a2, &b2);
    let swapped = same_or_unknown(&a1, &b2) && same_or_unknown(&a2, &b1);
    let same_kind = ea.sub_event_type == eb.sub_event_type;
    // One article's two reports with different sides: the article told two events.
    if a.seq == b.seq && !(direct || swapped) {
        return None;
    }
    let tied = ((same_kind || near) && gap == 0) || Family::of(&ea.event_type) == Family::Demonstrations;
    if !(direct || swapped || (same_story && tied && a.seq != b.seq)) {
        return None;
    }
    let shared_actors = [&ea.actor1, &ea.actor2]
        .into_iter()
        .flatten()
        .filter(|x| eb.actor1.as_ref() == Some(*x) || eb.actor2.as_ref() == Some(*x))
        .count() as i32;
    Some(3 * i32::from(same_story) + i32::from(same_kind) + i32::from(same_place_id(ea, eb)) + shared_actors - gap)
}

/// One real-world event and every article's report of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Canonical {
    /// 1-based, in order of creation.
    pub id: u64,
    pub mentions: Vec<Mention>,
    /// The mention that agrees most with the best-supported values: new reports are compared
    /// with it.
    representative: usize,
}

/// A count as one article reported it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub value: u32,
    pub outlet: Option<String>,
    pub seq: u64,
}

/// The best-supported values of a canonical event, and where its articles disagree.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The best-supported values; the representative report's index, modality, precision,
    /// place and confidence.
    pub values: EventFacts,
    /// The mention whose values agree most with the chosen ones: the record that stands for
    /// the event in exports (its evidence sentence, its coordinates).
    pub representative: usize,
    /// Distinct outlets, sorted.
    pub sources: Vec<String>,
    /// Distinct articles.
    pub articles: usize,
    pub fatality_reports: Vec<Report>,
    pub injury_reports: Vec<Report>,
    /// The fields on which the articles give different values.
    pub disagreements: Vec<&'static str>,
}

fn never<T>(_: &T, _: &T) -> bool {
    false
}

/// The value most articles give, ties to the first given (or to `prefer` among the tied).
fn vote<T: Clone + PartialEq>(values: impl Iterator<Item = (u64, T)>, prefer: impl Fn(&T, &T) -> bool) -> Option<T> {
    let mut tally: Vec<(T, Vec<u64>)> = Vec::new();
    for (seq, v) in values {
        match tally.iter_mut().find(|(x, _)| *x == v) {
            Some((_, seqs)) if !seqs.contains(&seq) => seqs.push(seq),
            Some(_) => {}
            None => tally.push((v, vec![seq])),
        }
    }
    let mut best: Option<(T, usize)> = None;
    for (v, seqs) in tally {
        let better = match &best {
            None => true,
            Some((b, n)) => seqs.len() > *n || (seqs.len() == *n && prefer(&v, b)),
        };
        if better {
            best = Some((v, seqs.len()));
        }
    }
    best.map(|(v, _)| v)
}

impl Canonical {
    /// Whether a report can join: compatible with one of the event's reports (outlets place,
    /// date and name an event differently, and the representative is only one of them), not
    /// far from its representative (no drift: within twice the radius and a day more than the
    /// date tolerance), and not told apart by its own article from a report already in it.
    fn accepts(&self, m: &Mention) -> Option<i32> {
        let rep = &self.mentions[self.representative];
        if (m.day() - rep.day()).abs() > m.tolerance().max(rep.tolerance()) + 1 {
            return None;
        }
        if let (Some((_, la, lo)), Some((_, lb, lob))) = (m.precise(), rep.precise())
            && km((la, lo), (lb, lob)) > 2.0 * RADIUS_KM
        {
            return None;
        }
        if self.mentions.iter().any(|x| x.seq == m.seq && compatible(m, x).is_none()) {
            return None;
        }
        self.mentions.iter().filter_map(|x| compatible(m, x)).max()
    }

    pub fn story(&self) -> u64 {
        self.mentions.first().map_or(0, |m| m.story)
    }

    /// The best-supported values (`None` only for an event without mentions, which the merger
    /// never makes).
    pub fn summary(&self) -> Option<Summary> {
        let ms = &self.mentions;
        let event_type = vote(ms.iter().map(|m| (m.seq, m.event.event_type.clone())), never).unwrap_or_default();
        let sub_event_type = vote(
            ms.iter().filter(|m| m.event.event_type == event_type).map(|m| (m.seq, m.event.sub_event_type.clone())),
            never,
        )
        .unwrap_or_default();
        let day = vote(ms.iter().map(|m| (m.seq, m.day())), never).unwrap_or_default();
        let place_id = vote(ms.iter().filter_map(|m| Some((m.seq, m.event.place.as_ref()?.id.clone()?))), never);
        let actor1 = vote(ms.iter().filter_map(|m| Some((m.seq, m.event.actor1.clone()?))), never);
        let actor2 = vote(ms.iter().filter_map(|m| Some((m.seq, m.event.actor2.clone()?))), never);
        let reports = |f: fn(&EventFacts) -> Option<u32>| -> Vec<Report> {
            ms.iter()
                .filter_map(|m| Some(Report { value: f(&m.event)?, outlet: m.outlet.clone(), seq: m.seq }))
                .collect()
        };
        let fatality_reports = reports(|e| e.fatalities);
        let injury_reports = reports(|e| e.injured);
        let higher = |a: &u32, b: &u32| a > b;
        let fatalities = vote(fatality_reports.iter().map(|r| (r.seq, r.value)), higher);
        let injured = vote(injury_reports.iter().map(|r| (r.seq, r.value)), higher);
        let agreement = |m: &Mention| {
            i32::from(m.event.event_type == event_type)
                + i32::from(m.event.sub_event_type == sub_event_type)
                + i32::from(m.day() == day)
                + i32::from(
                    place_id.is_some() && m.event.place.as_ref().and_then(|p| p.id.as_ref()) == place_id.as_ref(),
                )
                + i32::from(actor1.is_some() && m.event.actor1 == actor1)
                + i32::from(actor2.is_some() && m.event.actor2 == actor2)
        };
        let mut representative = 0;
        for (i, m) in ms.iter().enumerate() {
            let (a, b) = (agreement(m), agreement(&ms[representative]));
            if a > b || (a == b && m.event.confidence > ms[representative].event.confidence) {
                representative = i;
            }
        }
        let rep = ms.get(representative);
        let mut sources: Vec<String> = ms.iter().filter_map(|m| m.outlet.clone()).collect();
        sources.sort();
        sources.dedup();
        let mut articles: Vec<u64> = ms.iter().map(|m| m.seq).collect();
        articles.sort_unstable();
        articles.dedup();
        let differs = |f: &dyn Fn(&Mention) -> Option<String>| {
            let mut v: Vec<String> = ms.iter().filter_map(f).collect();
            v.sort();
            v.dedup();
            v.len() > 1
        };
        let mut disagreements = Vec::new();
        for (name, f) in [
            ("event_type", &(|m: &Mention| Some(m.event.event_type.clone())) as &dyn Fn(&Mention) -> Option<String>),
            ("date", &|m: &Mention| Some(m.day().to_string())),
            ("place", &|m: &Mention| m.event.place.as_ref().and_then(|p| p.id.clone())),
            ("actor1", &|m: &Mention| m.event.actor1.clone()),
            ("actor2", &|m: &Mention| m.event.actor2.clone()),
            ("fatalities", &|m: &Mention| m.event.fatalities.map(|v| v.to_string())),
            ("injured", &|m: &Mention| m.event.injured.map(|v| v.to_string())),
        ] {
            if differs(f) {
                disagreements.push(name);
            }
        }
        let rep = rep?;
        Some(Summary {
            values: EventFacts {
                event_type,
                sub_event_type,
                day: Some(day),
                actor1,
                actor2,
                fatalities,
                injured,
                ..rep.event.clone()
            },
            representative,
            sources,
            articles: articles.len(),
            fatality_reports,
            injury_reports,
            disagreements,
        })
    }
}

type CellKey = (Family, i32, i32, i32);

/// The canonical events so far, indexed by story and by day and place.
#[derive(Default, Serialize, Deserialize)]
pub struct Merger {
    events: Vec<Canonical>,
    #[serde(skip)]
    by_story: FxHashMap<(u64, Family), Vec<u32>>,
    #[serde(skip)]
    by_cell: BTreeMap<CellKey, Vec<u32>>,
}

fn cell(lat: f64, lon: f64) -> (i32, i32) {
    ((lat / CELL_DEG).floor() as i32, (lon / CELL_DEG).floor() as i32)
}

fn push_once(list: &mut Vec<u32>, i: u32) {
    if list.last() != Some(&i) {
        list.push(i);
    }
}

impl Merger {
    pub fn events(&self) -> &[Canonical] {
        &self.events
    }

    pub fn event(&self, id: u64) -> Option<&Canonical> {
        self.events.get(id.checked_sub(1)? as usize)
    }

    /// Indexes canonical event `i` under its mention `k`'s story, and day and place.
    fn index(&mut self, i: u32, k: usize) {
        let m = &self.events[i as usize].mentions[k];
        let family = Family::of(&m.event.event_type);
        push_once(self.by_story.entry((m.story, family)).or_default(), i);
        if let Some((_, lat, lon)) = m.precise() {
            let (cy, cx) = cell(lat, lon);
            push_once(self.by_cell.entry((family, m.day(), cy, cx)).or_default(), i);
        }
    }

    /// Adds a mention: to the best compatible canonical event, or as a new one. Returns the
    /// canonical event's id.
    pub fn add(&mut self, mention: Mention) -> u64 {
        let family = Family::of(&mention.event.event_type);
        let mut candidates: Vec<u32> = self.by_story.get(&(mention.story, family)).cloned().unwrap_or_default();
        if let Some((_, lat, lon)) = mention.precise() {
            let (cy, cx) = cell(lat, lon);
            let tol = mention.tolerance().min(31);
            let day = mention.day();
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let from = (family, day - tol, cy + dy, cx + dx);
                    let to = (family, day + tol, cy + dy, cx + dx);
                    for (key, list) in self.by_cell.range(from..=to) {
                        if key.2 == cy + dy && key.3 == cx + dx {
                            candidates.extend(list);
                        }
                    }
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(u32, i32)> = None;
        for c in candidates {
            let event = &self.events[c as usize];
            let Some(score) = event.accepts(&mention) else { continue };
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((c, score));
            }
        }
        let i = match best {
            Some((c, _)) => {
                let event = &mut self.events[c as usize];
                event.mentions.push(mention);
                event.representative = event.summary().map_or(0, |s| s.representative);
                c
            }
            None => {
                let id = self.events.len() as u64 + 1;
                self.events.push(Canonical { id, mentions: vec![mention], representative: 0 });
                id as u32 - 1
            }
        };
        self.index(i, self.events[i as usize].mentions.len() - 1);
        i as u64 + 1
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Merger, postcard::Error> {
        let mut m = Merger { events: postcard::from_bytes::<Merger>(bytes)?.events, ..Merger::default() };
        for i in 0..m.events.len() {
            for k in 0..m.events[i].mentions.len() {
                m.index(i as u32, k);
            }
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use marsad_core::Modality;

    fn mention(
        seq: u64,
        story: u64,
        outlet: &str,
        day: i32,
        place: (&str, f64, f64),
        actors: [Option<&str>; 2],
    ) -> Mention {
        Mention {
            seq,
            story,
            outlet: Some(outlet.into()),
            article_day: day,
            event: EventFacts {
                idx: 0,
                event_type: "Battles".into(),
                sub_event_type: "Armed clash".into(),
                modality: Modality::Asserted,
                day: Some(day),
                precision: Some(DatePrecision::Day),
                place: Some(EventPlace {
                    id: Some(place.0.into()),
                    country: Some("SY".into()),
                    lat: Some(place.1),
                    lon: Some(place.2),
                    precision: 1,
                    ..EventPlace::default()
                }),
                actor1: actors[0].map(str::to_owned),
                actor2: actors[1].map(str::to_owned),
                fatalities: None,
                injured: None,
                confidence: 0.8,
            },
        }
    }

    const BAGHUZ: (&str, f64, f64) = ("baghuz", 34.46, 40.95);
    const NEAR_BAGHUZ: (&str, f64, f64) = ("susah", 34.53, 40.86);
    const RAQQA: (&str, f64, f64) = ("raqqa", 35.95, 39.01);

    #[test]
    fn reports_of_one_clash_merge_and_others_stay_apart() {
        let mut m = Merger::default();
        let sdf_isis = [Some("sdf"), Some("isis")];
        let a = m.add(mention(1, 1, "a", 100, BAGHUZ, sdf_isis));
        // Another outlet, the next day ("yesterday"), a village 12 km away, roles swapped.
        let b = m.add(mention(2, 2, "b", 101, NEAR_BAGHUZ, [Some("isis"), Some("sdf")]));
        // Same day, a city 250 km away.
        let c = m.add(mention(3, 1, "c", 100, RAQQA, sdf_isis));
        // Same place and day, but other actors, in another story.
        let d = m.add(mention(4, 3, "d", 100, BAGHUZ, [Some("syrian-army"), Some("isis")]));
        // Three days later.
        let e = m.add(mention(5, 1, "e", 103, BAGHUZ, sdf_isis));
        // The first article's second report of the clash (the article's own merge kept it
        // apart), and its report of a clash elsewhere.
        let mut again = mention(1, 1, "a", 100, BAGHUZ, sdf_isis);
        again.event.idx = 1;
        let f = m.add(again);
        let mut elsewhere = mention(1, 1, "a", 100, RAQQA, [Some("isis"), Some("syrian-army")]);
        elsewhere.event.idx = 2;
        let g = m.add(elsewhere);
        assert_eq!(a, b);
        assert_eq!(f, a);
        assert_eq!([c, d, e, g].iter().filter(|x| **x == a).count(), 0);
        // At Raqqa the same day in the same story, the army named where another outlet named
        // the SDF: one event told two ways.
        assert_eq!(g, c);
        // In another story, differing actors keep two events apart even at one place.
        assert_ne!(d, a);
        let restored = Merger::from_bytes(&m.to_bytes()).expect("round trip");
        assert_eq!(restored.events(), m.events());
    }

    #[test]
    fn best_supported_values_and_disagreements() {
        let mut m = Merger::default();
        let counts = [(1, "a", 11), (2, "b", 14), (3, "c", 11)];
        for (seq, outlet, n) in counts {
            let mut x = mention(seq, 1, outlet, 100, BAGHUZ, [Some("isis"), None]);
            x.event.fatalities = Some(n);
            m.add(x);
        }
        assert_eq!(m.events().len(), 1);
        let s = m.events()[0].summary().expect("summary");
        assert_eq!(s.values.fatalities, Some(11));
        assert_eq!(s.fatality_reports.iter().map(|r| r.value).collect::<Vec<_>>(), [11, 14, 11]);
        assert_eq!(s.disagreements, ["fatalities"]);
        assert_eq!(s.sources, ["a", "b", "c"]);
        assert_eq!(s.articles, 3);
    }
}
