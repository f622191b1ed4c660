//! The article-level scorer of ../shared/eval/FORMAT.md, rule for rule: events (P/R/F1, sub-event
//! type, actor and date accuracy over matched pairs), entity recall, place accuracy, quote
//! recall, cleaning checks, genre accuracy and must-not violations. It reads gold files and
//! documents as JSON values, so it scores exactly what `marsad analyze --format json` prints.

use crate::gold::{km, norm};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// All normalized strings by which a system object (entity, place, speaker, actor) may be named.
pub fn names_of(obj: &Value) -> HashSet<String> {
    let mut out = HashSet::new();
    match obj {
        Value::String(s) => {
            out.insert(norm(s));
        }
        Value::Object(o) => {
            for k in ["text", "name", "name_ar", "name_en", "id"] {
                if let Some(Value::String(s)) = o.get(k)
                    && !s.is_empty()
                {
                    out.insert(norm(s));
                }
            }
            for v in o.get("aliases").and_then(Value::as_array).into_iter().flatten() {
                if let Some(s) = v.as_str() {
                    out.insert(norm(s));
                }
            }
        }
        _ => {}
    }
    out.remove("");
    out
}

/// Does one of the names match one of the gold names (a JSON list of strings)?
pub fn match_names(names: &HashSet<String>, gold: &Value) -> bool {
    gold.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(norm)
        .any(|g| !g.is_empty() && names.contains(&g))
}

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn place_ok(sys: &Value, gold: &Value) -> bool {
    let tolerance = gold.get("tolerance_km").and_then(Value::as_f64).unwrap_or(25.0);
    let (glat, glon) = (gold.get("lat").and_then(f), gold.get("lon").and_then(f));
    if let (Some(glat), Some(glon), Some(lat), Some(lon)) =
        (glat, glon, sys.get("lat").and_then(f), sys.get("lon").and_then(f))
        && km(lat, lon, glat, glon) <= tolerance
    {
        return true;
    }
    glat.is_none() && match_names(&names_of(sys), &gold["names"])
}

fn acled(ev: &Value) -> (Option<&str>, Option<&str>) {
    let a = &ev["acled"];
    (a.get("event_type").and_then(Value::as_str), a.get("sub_event_type").and_then(Value::as_str))
}

fn acceptable_pairs(g: &Value) -> Vec<(String, String)> {
    g["acled"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p.get(0)?.as_str()?.to_owned(), p.get(1)?.as_str()?.to_owned())))
        .collect()
}

fn exact_type(ev: &Value, g: &Value) -> bool {
    let (t, s) = acled(ev);
    acceptable_pairs(g).iter().any(|(a, b)| Some(a.as_str()) == t && Some(b.as_str()) == s)
}

fn event_matches(ev: &Value, g: &Value) -> bool {
    let (t, _) = acled(ev);
    if !acceptable_pairs(g).iter().any(|(a, _)| Some(a.as_str()) == t) {
        return false;
    }
    let gold_place = &g["place"];
    if gold_place.as_array().is_none_or(Vec::is_empty) {
        return true;
    }
    let p = &ev["place"];
    if match_names(&names_of(p), gold_place) {
        return true;
    }
    match (g.get("lat").and_then(f), g.get("lon").and_then(f), p.get("lat").and_then(f), p.get("lon").and_then(f)) {
        (Some(a), Some(b), Some(c), Some(d)) => km(c, d, a, b) <= 50.0,
        _ => false,
    }
}

/// score.py's keys, in its order.
const FIELDS: [&str; 14] = [
    "docs",
    "failed",
    "event_p",
    "event_r",
    "event_f1",
    "subtype_acc",
    "actor_acc",
    "date_acc",
    "entity_recall",
    "place_acc",
    "quote_recall",
    "cleaning",
    "genre_acc",
    "must_not_violations",
];

/// Running totals over articles.
#[derive(Default, Debug)]
pub struct Totals {
    pub docs: usize,
    pub failed: usize,
    ev_tp: usize,
    ev_fp: usize,
    ev_fn: usize,
    sub_ok: usize,
    actor_ok: usize,
    date_ok: usize,
    date_n: usize,
    ent_ok: usize,
    ent_n: usize,
    pl_ok: usize,
    pl_n: usize,
    q_ok: usize,
    q_n: usize,
    bp_ok: usize,
    bp_n: usize,
    genre_ok: usize,
    must_not_bad: usize,
}

/// One article's event outcome, for verbose output.
pub struct ArticleEvents {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

fn strings(v: &Value) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str)
}

impl Totals {
    /// Scores one document against its gold article (an empty document when analysis failed).
    pub fn add(&mut self, gold: &Value, doc: &Value) -> ArticleEvents {
        self.docs += 1;
        let body = norm(doc.get("body").and_then(Value::as_str).unwrap_or(""));
        let mut checks: Vec<bool> = strings(&gold["body_must_contain"]).map(|s| body.contains(&norm(s))).collect();
        checks.extend(strings(&gold["body_must_not_contain"]).map(|s| !body.contains(&norm(s))));
        for (s, n) in gold.get("max_occurrences_in_body").and_then(Value::as_object).into_iter().flatten() {
            let needle = norm(s);
            let count = if needle.is_empty() { 0 } else { body.matches(&needle).count() };
            checks.push(count as u64 <= n.as_u64().unwrap_or(0));
        }
        self.bp_ok += checks.iter().filter(|c| **c).count();
        self.bp_n += checks.len();
        self.genre_ok += usize::from(doc.get("genre") == gold.get("genre"));

        let all_entities: HashSet<String> =
            doc["entities"].as_array().into_iter().flatten().flat_map(names_of).collect();
        for e in gold["entities"].as_array().into_iter().flatten() {
            if e["optional"].as_bool() == Some(true) {
                continue;
            }
            self.ent_n += 1;
            self.ent_ok += usize::from(match_names(&all_entities, &e["names"]));
        }
        let places: Vec<&Value> = doc["places"].as_array().into_iter().flatten().collect();
        for p in gold["places"].as_array().into_iter().flatten() {
            self.pl_n += 1;
            self.pl_ok += usize::from(places.iter().any(|s| place_ok(s, p)));
        }
        let quotes: Vec<&Value> = doc["quotes"].as_array().into_iter().flatten().collect();
        for q in gold["quotes"].as_array().into_iter().flatten() {
            if q["optional"].as_bool() == Some(true) {
                continue;
            }
            self.q_n += 1;
            let contains = norm(q["contains"].as_str().unwrap_or(""));
            self.q_ok += usize::from(quotes.iter().any(|sq| {
                norm(sq["text"].as_str().unwrap_or("")).contains(&contains)
                    && match_names(&names_of(&sq["speaker"]), &q["speaker"])
            }));
        }

        let events: Vec<&Value> =
            doc["events"].as_array().into_iter().flatten().filter(|e| acled(e).0.is_some()).collect();
        let golds: Vec<&Value> = gold["events"].as_array().into_iter().flatten().collect();
        let mut used: HashSet<usize> = HashSet::new();
        let mut matched: BTreeMap<usize, usize> = BTreeMap::new();
        // First pairs that agree on the sub-event type, then on the type.
        for exact in [true, false] {
            for (gi, g) in golds.iter().enumerate() {
                if matched.contains_key(&gi) {
                    continue;
                }
                if let Some(i) = (0..events.len()).find(|i| {
                    !used.contains(i) && event_matches(events[*i], g) && (!exact || exact_type(events[*i], g))
                }) {
                    used.insert(i);
                    matched.insert(gi, i);
                }
            }
        }
        let tp = matched.len();
        for (&gi, &i) in &matched {
            let (g, ev) = (golds[gi], events[i]);
            self.sub_ok += usize::from(exact_type(ev, g));
            let actors: HashSet<String> = names_of(&ev["actor1"]).union(&names_of(&ev["actor2"])).cloned().collect();
            let gold_actors: Vec<Value> =
                strings(&g["actor1"]).chain(strings(&g["actor2"])).map(|s| Value::String(s.to_owned())).collect();
            self.actor_ok += usize::from(match_names(&actors, &Value::Array(gold_actors)));
            if let Some(date) = g["date"].as_str() {
                self.date_n += 1;
                self.date_ok += usize::from(ev["date"].as_str() == Some(date));
            }
        }
        let optional_match = |ev: &Value, oe: &Value| {
            if oe["acled"].as_array().is_some_and(|a| !a.is_empty()) {
                event_matches(ev, oe)
            } else if oe["place"].as_array().is_some_and(|a| !a.is_empty()) {
                match_names(&names_of(&ev["place"]), &oe["place"])
            } else {
                false
            }
        };
        let optional: Vec<&Value> = gold["optional_events"].as_array().into_iter().flatten().collect();
        let fp = events
            .iter()
            .enumerate()
            .filter(|(i, ev)| !used.contains(i) && !optional.iter().any(|oe| optional_match(ev, oe)))
            .count();
        for mn in gold["must_not_events"].as_array().into_iter().flatten() {
            let forbidden: Vec<&str> = strings(&mn["forbidden_acled_types"]).collect();
            let place_named = mn["place"].as_array().is_some_and(|a| !a.is_empty());
            for ev in &events {
                if acled(ev).0.is_some_and(|t| forbidden.contains(&t))
                    && (!place_named || match_names(&names_of(&ev["place"]), &mn["place"]))
                {
                    self.must_not_bad += 1;
                }
            }
        }
        let fn_ = golds.len() - tp;
        self.ev_tp += tp;
        self.ev_fp += fp;
        self.ev_fn += fn_;
        ArticleEvents { tp, fp, fn_ }
    }

    /// The figures as score.py prints them: its keys, order, rounding and separators.
    pub fn line(&self) -> String {
        let Value::Object(map) = self.figures() else {
            return String::new();
        };
        let fields: Vec<String> =
            FIELDS.iter().map(|k| format!("\"{k}\": {}", map.get(*k).unwrap_or(&Value::Null))).collect();
        format!("{{{}}}", fields.join(", "))
    }

    /// The figures, with score.py's keys and rounding.
    pub fn figures(&self) -> Value {
        let r3 = |x: f64| (x * 1000.0).round() / 1000.0;
        let ratio = |a: usize, n: usize| if n == 0 { 0.0 } else { a as f64 / n as f64 };
        let (tp, fp, fn_) = (self.ev_tp, self.ev_fp, self.ev_fn);
        let p = ratio(tp, tp + fp);
        let r = ratio(tp, tp + fn_);
        let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        let mut out = serde_json::Map::new();
        for (k, v) in [
            ("docs", Value::from(self.docs)),
            ("failed", Value::from(self.failed)),
            ("event_p", Value::from(r3(p))),
            ("event_r", Value::from(r3(r))),
            ("event_f1", Value::from(r3(f1))),
            ("subtype_acc", Value::from(r3(ratio(self.sub_ok, tp)))),
            ("actor_acc", Value::from(r3(ratio(self.actor_ok, tp)))),
            ("date_acc", Value::from(r3(ratio(self.date_ok, self.date_n)))),
            ("entity_recall", Value::from(r3(ratio(self.ent_ok, self.ent_n)))),
            ("place_acc", Value::from(r3(ratio(self.pl_ok, self.pl_n)))),
            ("quote_recall", Value::from(r3(ratio(self.q_ok, self.q_n)))),
            ("cleaning", Value::from(r3(ratio(self.bp_ok, self.bp_n)))),
            ("genre_acc", Value::from(r3(ratio(self.genre_ok, self.docs)))),
            ("must_not_violations", Value::from(self.must_not_bad)),
        ] {
            out.insert(k.to_owned(), v);
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_article_scored_by_the_formats_rules() {
        let gold = json!({
            "id": "a", "genre": "news", "body_must_contain": ["قصف"], "body_must_not_contain": ["للمزيد"],
            "entities": [{"type": "ORG", "names": ["داعش"], "optional": false}],
            "places": [{"names": ["بعقوبة"], "lat": 33.75, "lon": 44.61, "tolerance_km": 25}],
            "quotes": [{"speaker": ["المتحدث"], "contains": "سقطت قذائف", "optional": false}],
            "events": [
                {"acled": [["Explosions/Remote violence", "Shelling/artillery/missile attack"]], "actor1": ["داعش"], "actor2": null,
                 "place": ["بعقوبة"], "lat": 33.75, "lon": 44.61, "date": "2020-01-02", "fatalities": 2},
                {"acled": [["Battles", "Armed clash"]], "actor1": null, "actor2": null, "place": ["الموصل"], "lat": 36.34, "lon": 43.13, "date": null}],
            "optional_events": [{"acled": [["Protests", "Peaceful protest"]], "place": ["بغداد"]}],
            "must_not_events": [{"forbidden_acled_types": ["Protests"], "place": ["البصرة"]}]
        });
        let shelling = json!({"acled": {"event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike"},
            "actor1": {"text": "تنظيم داعش", "name_ar": "داعش"}, "actor2": null,
            "place": {"text": "وبعقوبة", "lat": 33.76, "lon": 44.6}, "date": "2020-01-02"});
        let protest_basra = json!({"acled": {"event_type": "Protests", "sub_event_type": "Peaceful protest"},
            "place": {"text": "البصرة", "lat": 30.5, "lon": 47.8}});
        let doc = json!({"body": "قصف على بعقوبة", "genre": "news",
            "entities": [{"text": "داعش"}], "places": [{"text": "بعقوبة", "lat": 33.7, "lon": 44.6}],
            "quotes": [{"text": "وقال: سقطت قذائف على المدينة", "speaker": {"text": "المتحدث"}}],
            "events": [shelling, protest_basra]});
        let mut t = Totals::default();
        let a = t.add(&gold, &doc);
        assert_eq!((a.tp, a.fp, a.fn_), (1, 1, 1));
        let fig = t.figures();
        assert_eq!(fig["event_p"], 0.5);
        assert_eq!(fig["event_r"], 0.5);
        assert_eq!(fig["subtype_acc"], 0.0, "matched on the type only");
        assert_eq!(fig["actor_acc"], 1.0);
        assert_eq!(fig["date_acc"], 1.0);
        assert_eq!(
            (fig["entity_recall"].clone(), fig["place_acc"].clone(), fig["quote_recall"].clone()),
            (json!(1.0), json!(1.0), json!(1.0))
        );
        assert_eq!((fig["cleaning"].clone(), fig["genre_acc"].clone()), (json!(1.0), json!(1.0)));
        assert_eq!(fig["must_not_violations"], 1);
        // A failed analysis scores zero everywhere.
        let mut t = Totals::default();
        t.add(&gold, &json!({}));
        assert_eq!(t.figures()["event_r"], 0.0);
    }
}
