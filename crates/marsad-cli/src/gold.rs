//! The article-level gold format of ../shared/eval/FORMAT.md (version 1): reading gold files
//! and matching system output to them by name and by distance, with the format's name
//! normalization.

use anyhow::{Context, Result};
use marsad_core::Place;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One gold article (the fields the scorers here read).
#[derive(Debug, Deserialize)]
pub struct GoldArticle {
    pub id: String,
    /// Path of the article text, relative to the corpus folder.
    pub text: String,
    pub published: Option<String>,
    #[serde(default)]
    pub places: Vec<GoldPlace>,
}

#[derive(Debug, Deserialize)]
pub struct GoldPlace {
    pub names: Vec<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    #[serde(default = "default_tolerance")]
    pub tolerance_km: f64,
}

fn default_tolerance() -> f64 {
    25.0
}

/// The gold files of a folder (sorted), parsed.
pub fn read_gold_dir(dir: &Path) -> Result<Vec<(PathBuf, GoldArticle)>> {
    files_with_extension(dir, "json")?
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).with_context(|| format!("{}: cannot read", p.display()))?;
            let gold: GoldArticle =
                serde_json::from_str(&text).with_context(|| format!("{}: not a gold article", p.display()))?;
            Ok((p, gold))
        })
        .collect()
}

/// The files of a folder with this extension, sorted.
pub fn files_with_extension(dir: &Path, extension: &str) -> Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Arabic and Latin names folded as the format prescribes: diacritics and tatweel dropped;
/// alef and hamza forms, alef maqsura and taa marbuta folded; Latin lower-cased; punctuation
/// splits words; the article and the clitics و ب ل ف (with the article: وال بال فال كال لل)
/// stripped from each word that stays at least two letters long.
pub fn norm(s: &str) -> String {
    let folded: String = s
        .chars()
        .filter(|&c| !matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}'))
        .map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' | 'ئ' | 'ی' => 'ي',
            'ة' => 'ه',
            'ؤ' => 'و',
            'ک' => 'ك',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    let is_sep = |c: char| c.is_whitespace() || "\"'«»“”‘’()[]{}.,،؛:;!?؟-–—_/|@#".contains(c);
    folded
        .split(is_sep)
        .filter(|w| !w.is_empty())
        .map(|w| {
            for c in ["وال", "بال", "فال", "كال", "لل", "ال"] {
                if let Some(rest) = w.strip_prefix(c)
                    && rest.chars().count() >= 2
                {
                    return rest.to_owned();
                }
            }
            match w.chars().next() {
                Some('و' | 'ب' | 'ل' | 'ف') if w.chars().count() >= 4 => w.chars().skip(1).collect(),
                _ => w.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Great-circle distance in kilometres.
pub fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    marsad_geo::km(lat1, lon1, lat2, lon2)
}

/// Is the system place within the gold place's tolerance?
pub fn within(p: &Place, g: &GoldPlace) -> bool {
    match (p.lat, p.lon, g.lat, g.lon) {
        (Some(a), Some(b), Some(c), Some(d)) => km(a, b, c, d) <= g.tolerance_km,
        _ => false,
    }
}

/// How one gold place fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceOutcome {
    /// A system place with one of its names lies within tolerance.
    Named,
    /// Some system place lies within tolerance, but none by that name (the reference scorer
    /// counts this as correct).
    Nearby,
    /// A system place has the name but lies elsewhere (or has no coordinates).
    Misplaced,
    Missed,
}

pub fn place_outcome(places: &[Place], g: &GoldPlace) -> PlaceOutcome {
    // Named as the format's scorer names system objects (score::names_of).
    let gold_names = serde_json::Value::from(g.names.clone());
    let named: Vec<&Place> = places
        .iter()
        .filter(|p| {
            let v = serde_json::to_value(p).unwrap_or_default();
            crate::score::match_names(&crate::score::names_of(&v), &gold_names)
        })
        .collect();
    if named.iter().any(|p| within(p, g)) {
        PlaceOutcome::Named
    } else if places.iter().any(|p| within(p, g)) {
        PlaceOutcome::Nearby
    } else if !named.is_empty() {
        PlaceOutcome::Misplaced
    } else {
        PlaceOutcome::Missed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(text: &str, lat: f64, lon: f64) -> Place {
        Place {
            start: 0,
            end: text.len(),
            text: text.to_owned(),
            geonames_id: None,
            name_ar: None,
            name_en: Some("Baqubah".to_owned()),
            country: None,
            admin1: None,
            admin2: None,
            lat: Some(lat),
            lon: Some(lon),
            feature: None,
            precision: Some(1),
            via: marsad_core::PlaceVia::Name,
            confidence: 1.0,
        }
    }

    #[test]
    fn normalization_follows_the_format() {
        assert_eq!(norm("بمحافظة الأنبار"), norm("محافظة انبار"));
        assert_eq!(norm("وبغداد"), "بغداد");
        assert_eq!(norm("Al-Qa'im"), "al qa im");
        assert_eq!(norm("مدينةُ إبّ"), norm("مدينه اب"));
        // Short words keep their first letter: بر is not ب + ر.
        assert_eq!(norm("بر"), "بر");
    }

    #[test]
    fn outcomes() {
        let gold = GoldPlace {
            names: vec!["بعقوبة".to_owned(), "Baquba".to_owned()],
            lat: Some(33.75),
            lon: Some(44.61),
            tolerance_km: 25.0,
        };
        assert_eq!(place_outcome(&[place("بعقوبة", 33.75, 44.6)], &gold), PlaceOutcome::Named);
        assert_eq!(place_outcome(&[place("Baqubah", 33.75, 44.6)], &gold), PlaceOutcome::Nearby);
        assert_eq!(place_outcome(&[place("بعقوبة", 30.0, 47.0)], &gold), PlaceOutcome::Misplaced);
        assert_eq!(place_outcome(&[place("البصرة", 30.5, 47.8)], &gold), PlaceOutcome::Missed);
        assert_eq!(place_outcome(&[], &gold), PlaceOutcome::Missed);
    }
}
