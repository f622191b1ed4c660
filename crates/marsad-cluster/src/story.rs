//! Online story clustering: each article, in input order, joins the story it is most similar
//! to or starts one.
//!
//! An article is a sparse TF-IDF vector over its title and body terms (light-stemmed search
//! terms), its linked actors, its resolved places and its event types; document frequencies
//! grow as articles arrive. A story is the sum of its members' vectors; its centroid (the sum's
//! strongest features, unit length) is what a new article is compared with, by cosine. Only
//! stories that share one of the article's strongest features and whose days lie within the
//! window of the article's day are compared, through an inverted index over the centroids'
//! strongest features. Time is the article's publication day, or the clock given when it has
//! none: nothing reads the system clock, so the same articles in the same order give the same
//! stories, and a story keeps growing as long as coverage continues within the window.
//!
//! The whole state serializes (postcard) so that ingesting more articles continues from where
//! the last run stopped instead of clustering everything again.

use crate::profile::Profile;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Tuning of the clusterer. The defaults are what docs/stories.md reports figures for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// Days before a story's first or after its last article within which an article may join.
    pub window_days: i32,
    /// Cosine similarity to a story's centroid from which an article joins it.
    pub threshold: f32,
    /// Features kept in an article's vector.
    pub article_features: usize,
    /// Features kept in a story's centroid.
    pub centroid_features: usize,
    /// An article's features, and a centroid's, by which candidate stories are found.
    pub probe_features: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { window_days: 5, threshold: 0.2, article_features: 48, centroid_features: 100, probe_features: 12 }
    }
}

/// Features of a member's vector kept to tell the most central member.
const MEMBER_FEATURES: usize = 8;

/// A sparse vector: (feature id, weight), sorted by feature id.
type Vector = Vec<(u32, f32)>;

fn dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// The sum of two vectors.
fn add(a: &[(u32, f32)], b: &[(u32, f32)]) -> Vector {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len() + b.len());
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.0 == y.0 => {
                out.push((x.0, x.1 + y.1));
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.0 < y.0 => {
                out.push(*x);
                i += 1;
            }
            (Some(x), None) => {
                out.push(*x);
                i += 1;
            }
            (_, Some(y)) => {
                out.push(*y);
                j += 1;
            }
            (None, None) => break,
        }
    }
    out
}

/// The `n` strongest features of `v`, scaled to unit length, sorted by feature id.
fn top_unit(mut v: Vec<(u32, f32)>, n: usize) -> Vector {
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(n);
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut v {
            x.1 /= norm;
        }
    }
    v.sort_by_key(|x| x.0);
    v
}

/// The strongest `n` feature ids of a vector.
fn strongest(v: &[(u32, f32)], n: usize) -> Vec<u32> {
    let mut by_weight: Vec<&(u32, f32)> = v.iter().collect();
    by_weight.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    by_weight.into_iter().take(n).map(|x| x.0).collect()
}

/// Feature names and their document frequencies.
#[derive(Default, Serialize, Deserialize)]
struct Vocab {
    names: Vec<String>,
    df: Vec<u32>,
    #[serde(skip)]
    ids: FxHashMap<String, u32>,
}

impl Vocab {
    fn intern(&mut self, name: String) -> u32 {
        if let Some(&id) = self.ids.get(&name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.clone());
        self.df.push(0);
        self.ids.insert(name, id);
        id
    }

    fn reindex(&mut self) {
        self.ids = self.names.iter().enumerate().map(|(i, n)| (n.clone(), i as u32)).collect();
    }
}

/// An article of a story.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Member {
    /// The document's sequence number in the store.
    pub seq: u64,
    /// Cosine similarity to the story's centroid when it joined (1 for the first article).
    pub similarity: f32,
    pub day: i32,
    /// Its strongest features, to tell which member is most central.
    vector: Vector,
}

/// One story: the articles that tell one unfolding situation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Story {
    /// 1-based, in order of creation.
    pub id: u64,
    pub first_day: i32,
    pub last_day: i32,
    pub members: Vec<Member>,
    sum: Vector,
    /// Derived from `sum`; not saved.
    #[serde(skip)]
    centroid: Vector,
}

impl Story {
    /// The member whose vector is closest to the centroid (the earliest among equals).
    pub fn central(&self) -> Option<&Member> {
        let mut best: Option<(&Member, f32)> = None;
        for m in &self.members {
            let s = dot(&m.vector, &self.centroid);
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((m, s));
            }
        }
        best.map(|(m, _)| m)
    }

    /// The strongest features of the centroid, by name, with their weights.
    pub fn top_features<'a>(&self, clusterer: &'a Clusterer, n: usize) -> Vec<(&'a str, f32)> {
        strongest(&self.centroid, n)
            .into_iter()
            .filter_map(|f| {
                let w = self.centroid.iter().find(|x| x.0 == f)?.1;
                Some((clusterer.vocab.names.get(f as usize)?.as_str(), w))
            })
            .collect()
    }
}

/// Where an article went.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Assignment {
    pub story: u64,
    pub similarity: f32,
    pub new_story: bool,
}

/// The clustering state: vocabulary, stories and the index that finds candidates.
#[derive(Default, Serialize, Deserialize)]
pub struct Clusterer {
    pub config: Config,
    vocab: Vocab,
    documents: u32,
    stories: Vec<Story>,
    /// Feature → indices of stories whose centroid had it among its strongest (may be stale:
    /// candidates are compared by their current centroid anyway).
    postings: BTreeMap<u32, Vec<u32>>,
}

impl Clusterer {
    pub fn new(config: Config) -> Clusterer {
        Clusterer { config, ..Clusterer::default() }
    }

    pub fn stories(&self) -> &[Story] {
        &self.stories
    }

    pub fn story(&self, id: u64) -> Option<&Story> {
        self.stories.get(id.checked_sub(1)? as usize)
    }

    /// The article's raw feature weights, before IDF.
    fn features(profile: &Profile) -> Vec<(String, f32)> {
        let mut f: Vec<(String, f32)> = Vec::new();
        let log = |n: u16| 1.0 + f32::from(n.max(1)).ln();
        for t in &profile.title_terms {
            f.push((format!("t:{t}"), 2.0));
        }
        for (t, n) in &profile.body_terms {
            f.push((format!("t:{t}"), log(*n)));
        }
        for e in &profile.entities {
            f.push((format!("e:{}", e.id), 1.5 * log(e.count)));
        }
        for p in &profile.places {
            // A country or a province is named by most articles of a region; a town tells more.
            let w = if p.precision >= 3 { 0.5 } else { 1.5 };
            f.push((format!("p:{}", p.id), w * log(p.count)));
        }
        let mut types: Vec<&str> = profile.events.iter().map(|e| e.event_type.as_str()).collect();
        types.sort_unstable();
        types.dedup();
        for t in types {
            f.push((format!("y:{t}"), 0.5));
        }
        // One weight per feature (a title term that is also a body term adds up).
        f.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, f32)> = Vec::with_capacity(f.len());
        for (name, w) in f {
            match out.last_mut() {
                Some(last) if last.0 == name => last.1 += w,
                _ => out.push((name, w)),
            }
        }
        out
    }

    /// Clusters one article. `clock` (days since 1970-01-01) stands for its day when it has no
    /// publication date.
    pub fn add(&mut self, seq: u64, profile: &Profile, clock: i32) -> Assignment {
        let day = profile.day.unwrap_or(clock);
        self.documents += 1;
        let n = self.documents as f32;
        let mut weighted: Vec<(u32, f32)> = Vec::new();
        for (name, w) in Clusterer::features(profile) {
            let id = self.vocab.intern(name);
            let df = &mut self.vocab.df[id as usize];
            *df += 1;
            let idf = ((n + 1.0) / (*df as f32 + 1.0)).ln() + 1.0;
            weighted.push((id, w * idf));
        }
        let vector = top_unit(weighted, self.config.article_features);
        let probes = strongest(&vector, self.config.probe_features);
        let mut candidates: Vec<u32> = probes.iter().filter_map(|f| self.postings.get(f)).flatten().copied().collect();
        candidates.sort_unstable();
        candidates.dedup();
        let window = self.config.window_days;
        let mut best: Option<(u32, f32)> = None;
        for c in candidates {
            let s = &self.stories[c as usize];
            if day < s.first_day - window || day > s.last_day + window {
                continue;
            }
            let sim = dot(&vector, &s.centroid);
            if best.is_none_or(|(_, b)| sim > b) {
                best = Some((c, sim));
            }
        }
        let (index, similarity, new_story) = match best {
            Some((c, sim)) if sim >= self.config.threshold => (c, sim, false),
            _ => {
                let id = self.stories.len() as u64 + 1;
                self.stories.push(Story {
                    id,
                    first_day: day,
                    last_day: day,
                    members: Vec::new(),
                    sum: Vec::new(),
                    centroid: Vec::new(),
                });
                (self.stories.len() as u32 - 1, 1.0, true)
            }
        };
        let (centroid_features, probe_features) = (self.config.centroid_features, self.config.probe_features);
        let story = &mut self.stories[index as usize];
        story.first_day = story.first_day.min(day);
        story.last_day = story.last_day.max(day);
        story.sum = add(&story.sum, &vector);
        // The sum keeps only what the centroid can use, so that a long story stays small.
        if story.sum.len() > 4 * centroid_features {
            let mut kept = std::mem::take(&mut story.sum);
            kept.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            kept.truncate(2 * centroid_features);
            kept.sort_by_key(|x| x.0);
            story.sum = kept;
        }
        story.centroid = top_unit(story.sum.clone(), centroid_features);
        let member_vector = top_unit(vector, MEMBER_FEATURES);
        story.members.push(Member { seq, similarity, day, vector: member_vector });
        let mut probes: Vec<u32> = strongest(&story.centroid, probe_features);
        probes.extend(strongest(&story.members[story.members.len() - 1].vector, probe_features / 2));
        probes.sort_unstable();
        probes.dedup();
        for f in probes {
            let list = self.postings.entry(f).or_default();
            if !list.contains(&index) {
                list.push(index);
            }
        }
        Assignment { story: index as u64 + 1, similarity, new_story }
    }

    /// The state as bytes, to continue later ([`Clusterer::from_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Clusterer, postcard::Error> {
        let mut c: Clusterer = postcard::from_bytes(bytes)?;
        c.vocab.reindex();
        let n = c.config.centroid_features;
        for s in &mut c.stories {
            s.centroid = top_unit(s.sum.clone(), n);
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Named;

    fn profile(day: i32, outlet: &str, title: &[&str], body: &[&str], places: &[&str]) -> Profile {
        Profile {
            day: Some(day),
            outlet: Some(outlet.into()),
            title_terms: title.iter().map(|s| s.to_string()).collect(),
            body_terms: body.iter().map(|s| (s.to_string(), 2)).collect(),
            places: places.iter().map(|p| Named { id: p.to_string(), count: 2, precision: 1 }).collect(),
            ..Profile::default()
        }
    }

    fn stories_of(profiles: &[Profile]) -> Vec<u64> {
        let mut c = Clusterer::new(Config::default());
        profiles.iter().enumerate().map(|(i, p)| c.add(i as u64 + 1, p, 0).story).collect()
    }

    #[test]
    fn coverage_of_one_situation_joins_and_other_news_does_not() {
        let douma = |day, outlet| {
            profile(day, outlet, &["دوما", "كيماوي", "هجوم"], &["دوما", "كيماوي", "غوط", "ضحايا", "خنق"], &["douma"])
        };
        let other = profile(100, "a", &["انتخاب", "عراق"], &["انتخاب", "برلمان", "صناديق", "مفوضية"], &["baghdad"]);
        let later = profile(140, "b", &["دوما", "كيماوي", "هجوم"], &["دوما", "كيماوي", "غوط", "ضحايا"], &["douma"]);
        let got = stories_of(&[douma(100, "a"), douma(101, "b"), other, douma(102, "c"), later]);
        assert_eq!(got[0], got[1]);
        assert_eq!(got[0], got[3]);
        assert_ne!(got[0], got[2]);
        // The same words forty days later are a new story: the window has closed.
        assert_ne!(got[0], got[4]);
    }

    #[test]
    fn the_state_round_trips_and_continues_identically() {
        let ps: Vec<Profile> = (0..30)
            .map(|i| {
                let t = ["دوما", "انتخاب", "مرفأ"][i % 3];
                profile(100 + (i as i32 / 3), ["a", "b"][i % 2], &[t], &[t, "مصادر"], &[t])
            })
            .collect();
        let mut one = Clusterer::new(Config::default());
        let mut two = Clusterer::new(Config::default());
        for (i, p) in ps.iter().enumerate().take(15) {
            one.add(i as u64, p, 0);
            two.add(i as u64, p, 0);
        }
        let mut two = Clusterer::from_bytes(&two.to_bytes()).expect("round trip");
        for (i, p) in ps.iter().enumerate().skip(15) {
            assert_eq!(one.add(i as u64, p, 0), two.add(i as u64, p, 0));
        }
        assert_eq!(one.stories().len(), 3);
        assert_eq!(one.to_bytes(), two.to_bytes());
    }
}
