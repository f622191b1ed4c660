//! The gazetteer: countries, provinces, districts and places with their Arabic names, the
//! curated supplement of conflict places, demonyms, and the context cues — compiled once into a
//! phrase automaton over word keys.
//!
//! Data (see data/geo/README.md): `gazetteer.tsv` (derived from GeoNames and Natural Earth by
//! scripts/derive_gazetteer.py), `supplement.tsv` (team curation), `cues.tsv`.

use marsad_kb::PhraseMatcher;
use marsad_text::Tokenizer;
use marsad_text::keys::{full_key, stem_key, words};
use std::collections::HashMap;

const GAZETTEER: &str = include_str!("../../../data/geo/gazetteer.tsv");
const SUPPLEMENT: &str = include_str!("../../../data/geo/supplement.tsv");
const CUES: &str = include_str!("../../../data/geo/cues.tsv");
const PLACENESS: &str = include_str!("../../../data/geo/placeness.tsv");

static EMBEDDED: std::sync::LazyLock<Gazetteer> = std::sync::LazyLock::new(|| {
    Gazetteer::build(
        &[
            ("data/geo/gazetteer.tsv", GAZETTEER, Format::Derived),
            ("data/geo/supplement.tsv", SUPPLEMENT, Format::Supplement),
        ],
        CUES,
        &Tokenizer::default(),
    )
    .and_then(|g| g.with_placeness("data/geo/placeness.tsv", PLACENESS))
    .expect("the embedded gazetteer is valid (checked by its test)")
});

/// What kind of place an entry is; it sets the default precision and the prior.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    Country,
    /// First-order division: governorate, province, state (admin1).
    Province,
    /// Second-order division: district, qadaa, mudiriya (admin2).
    District,
    /// An area or region that is not an admin unit (الغوطة الشرقية, ريف دير الزور الشرقي).
    Region,
    /// A populated place: city, town, village, quarter, camp.
    Town,
    /// A point site: airport, base, crossing, dam, oil field, port.
    Site,
    /// A river, lake, mountain or island.
    Natural,
}

impl Level {
    fn of_feature(feature: &str) -> Level {
        match feature.split('.').next() {
            Some("P") => Level::Town,
            Some("S") => Level::Site,
            Some("H") | Some("T") => Level::Natural,
            Some("L") if feature == "L.OILF" => Level::Site,
            Some("L") => Level::Region,
            Some("A") if feature.starts_with("A.PCL") => Level::Country,
            Some("A") if feature == "A.ADM1" => Level::Province,
            Some("A") => Level::District,
            _ => Level::Town,
        }
    }

    /// ACLED-style geo_precision when the entry is named itself.
    pub fn precision(self) -> u8 {
        match self {
            Level::Town | Level::Site => 1,
            Level::District => 2,
            Level::Region | Level::Country | Level::Province | Level::Natural => 3,
        }
    }
}

/// One place of the gazetteer.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// GeoNames id, or the supplement's `sup-…` id.
    pub id: String,
    pub level: Level,
    pub name_ar: String,
    pub name_en: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// GeoNames admin codes ("IQ.01", "IQ.01.xxxx"), empty when unknown.
    pub admin1: String,
    pub admin2: String,
    pub lat: f64,
    pub lon: f64,
    /// GeoNames `class.code`.
    pub feature: String,
    pub population: u64,
    pub precision: u8,
    /// From the team's supplement (conflict places news names often).
    pub curated: bool,
}

/// What a word before a toponym says about it (data/geo/cues.tsv).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cue {
    Province,
    District,
    Town,
    Rural,
    Facility,
    Locative,
    /// First word of two-word names (دار, عين, تل …).
    Head,
    /// A pronoun or particle: never a place name.
    Never,
}

impl Cue {
    fn parse(s: &str) -> Option<Cue> {
        Some(match s {
            "province" => Cue::Province,
            "district" => Cue::District,
            "town" => Cue::Town,
            "rural" => Cue::Rural,
            "facility" => Cue::Facility,
            "locative" => Cue::Locative,
            "head" => Cue::Head,
            "never" => Cue::Never,
            _ => return None,
        })
    }

    /// A word that says what kind of place follows (not a mere preposition).
    pub fn is_type(self) -> bool {
        !matches!(self, Cue::Locative | Cue::Head | Cue::Never)
    }
}

/// One way a name key may be read: which entry, and the words as they must be written.
#[derive(Clone, Debug)]
pub struct Reading {
    pub entry: u32,
    /// Full keys (clitics included) of the name's words.
    pub forms: Box<[Box<str>]>,
    /// A country adjective (سوري), not the name itself.
    pub demonym: bool,
    /// Matched with its words run together or apart from how the gazetteer writes them.
    pub joined: bool,
    /// Read from the words after a type word that the full name begins with (the text's
    /// "مدينة زنجبار" read as زنجبار): weaker than the full name.
    pub partial: bool,
}

/// A problem with gazetteer data, with its line.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: line {line}: {message}")]
pub struct GeoDataError {
    pub source_name: String,
    pub line: usize,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// data/geo/gazetteer.tsv (scripts/derive_gazetteer.py).
    Derived,
    /// data/geo/supplement.tsv (curated).
    Supplement,
}

/// The compiled gazetteer.
pub struct Gazetteer {
    entries: Vec<Entry>,
    matcher: PhraseMatcher,
    readings: Vec<Vec<Reading>>,
    cues: HashMap<String, Cue>,
    /// Cue words in the plural (مدن, مناطق): they head lists, never one unknown name.
    plural_cues: std::collections::HashSet<String>,
    admin_names: HashMap<String, u32>,
    /// Name as written (lossless-normalized, without proclitics) → (occurrences, tagged as a
    /// place) in the reference corpora.
    placeness: HashMap<String, (u32, u32)>,
    lexicon: &'static marsad_text::Lexicon,
}

/// Demonym endings: masculine singular as listed, feminine, and the plurals.
const DEMONYM_ENDINGS: [&str; 5] = ["", "ة", "ون", "ين", "ات"];

impl Gazetteer {
    /// The gazetteer compiled into the binary.
    pub fn embedded() -> &'static Gazetteer {
        &EMBEDDED
    }

    /// Builds from data files (name, text, format) and the cue list.
    pub fn build(
        sources: &[(&str, &str, Format)],
        cues: &str,
        tokenizer: &Tokenizer<'_>,
    ) -> Result<Gazetteer, GeoDataError> {
        let mut entries = Vec::new();
        // (entry, name, demonym)
        let mut names: Vec<(u32, String, bool)> = Vec::new();
        for &(source_name, text, format) in sources {
            let err =
                |line: usize, message: String| GeoDataError { source_name: source_name.to_owned(), line, message };
            for (i, line) in text.lines().enumerate().skip(1) {
                if line.trim().is_empty() || line.starts_with('#') {
                    continue;
                }
                let f: Vec<&str> = line.split('\t').collect();
                let (entry, ar_names, demonyms) = match format {
                    Format::Derived => parse_derived(&f).map_err(|m| err(i + 1, m))?,
                    Format::Supplement => parse_supplement(&f).map_err(|m| err(i + 1, m))?,
                };
                let idx = entries.len() as u32;
                names.extend(ar_names.into_iter().map(|n| (idx, n, false)));
                for d in demonyms {
                    names.extend(DEMONYM_ENDINGS.iter().map(|e| (idx, format!("{d}{e}"), true)));
                }
                entries.push(entry);
            }
        }
        let mut cue_map = HashMap::new();
        let mut plural_cues = std::collections::HashSet::new();
        for (i, line) in cues.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (word, cue) = line.split_once('\t').unwrap_or((line, ""));
            let (cue, plural) = match cue.trim().strip_suffix('*') {
                Some(c) => (c, true),
                None => (cue.trim(), false),
            };
            let cue = Cue::parse(cue).ok_or_else(|| GeoDataError {
                source_name: "data/geo/cues.tsv".to_owned(),
                line: i + 1,
                message: format!("unknown cue {cue:?}"),
            })?;
            let tokens = tokenizer.tokenize(word.trim());
            if let Some(pieces) = words(&tokens).next() {
                if plural {
                    plural_cues.insert(stem_key(pieces));
                }
                cue_map.entry(stem_key(pieces)).or_insert(cue);
            }
        }
        let mut groups: HashMap<String, u32> = HashMap::new();
        let mut readings: Vec<Vec<Reading>> = Vec::new();
        let mut add = |key: String, reading: Reading| {
            let g = *groups.entry(key).or_insert_with(|| {
                readings.push(Vec::new());
                readings.len() as u32 - 1
            });
            let group = &mut readings[g as usize];
            if !group.iter().any(|r| r.entry == reading.entry && r.forms == reading.forms) {
                group.push(reading);
            }
        };
        let analyzed = analyze_names(&names, tokenizer, &cue_map);
        for (entry, name, demonym) in &names {
            let Some((keys, forms)) = analyzed.get(name.as_str()) else {
                continue;
            };
            let (entry, demonym) = (*entry, *demonym);
            if keys.len() > 1 {
                // Spaces are optional: "البو كمال" is also written "البوكمال".
                let joined: String = forms.concat();
                add(
                    keys.concat(),
                    Reading { entry, forms: Box::new([joined.into()]), demonym, joined: true, partial: false },
                );
            }
            add(keys.join(" "), Reading { entry, forms: forms.clone(), demonym, joined: false, partial: false });
        }
        let matcher = PhraseMatcher::new(groups);
        let mut admin_names = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let code = match e.level {
                Level::Province => &e.admin1,
                Level::District => &e.admin2,
                _ => continue,
            };
            if !code.is_empty() && !e.curated {
                admin_names.entry(code.clone()).or_insert(i as u32);
            }
        }
        Ok(Gazetteer {
            entries,
            matcher,
            readings,
            cues: cue_map,
            plural_cues,
            admin_names,
            placeness: HashMap::new(),
            lexicon: marsad_text::Lexicon::embedded(),
        })
    }

    /// Adds corpus counts (data/geo/placeness.tsv: key, occurrences, tagged as a place).
    pub fn with_placeness(mut self, source_name: &str, text: &str) -> Result<Gazetteer, GeoDataError> {
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let parsed = match f.as_slice() {
                [key, n, tagged] => n.parse().ok().zip(tagged.parse().ok()).map(|c| (key.to_string(), c)),
                _ => None,
            };
            let (key, counts) = parsed.ok_or_else(|| GeoDataError {
                source_name: source_name.to_owned(),
                line: i + 1,
                message: "expected name<TAB>occurrences<TAB>tagged".to_owned(),
            })?;
            self.placeness.insert(key, counts);
        }
        Ok(self)
    }

    /// Is this name, as written (lossless-normalized), mostly common words in news text (tagged
    /// as a place in under a tenth of its occurrences in the reference corpora: أن, صور,
    /// الحدود الشمالية)? Hamzas count: أب (father) is common, إب (Ibb) is not.
    pub fn mostly_common_word(&self, key: &str) -> bool {
        self.placeness.get(key).is_some_and(|&(n, tagged)| n >= 20 && tagged * 10 < n)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn entry(&self, i: u32) -> &Entry {
        &self.entries[i as usize]
    }

    /// How many distinct name keys are matched.
    pub fn name_count(&self) -> usize {
        self.matcher.len()
    }

    pub(crate) fn matcher(&self) -> &PhraseMatcher {
        &self.matcher
    }

    pub(crate) fn readings(&self, group: u32) -> &[Reading] {
        &self.readings[group as usize]
    }

    /// The cue a word key carries, if any.
    pub fn cue(&self, key: &str) -> Option<Cue> {
        self.cues.get(key).copied()
    }

    /// Is this cue word a plural (مدن, مناطق)?
    pub fn is_plural_cue(&self, key: &str) -> bool {
        self.plural_cues.contains(key)
    }

    /// Is the word (lossless-normalized) among the frequent words of news text (seen 1,000
    /// times or more in the reference corpora: الملك, الأمير)?
    pub fn is_frequent_word(&self, word: &str) -> bool {
        self.lexicon.freq(word) >= 1000
    }

    /// The English name of an admin unit by its GeoNames code ("IQ.01" → "Anbar").
    pub fn admin_name(&self, code: &str) -> Option<&str> {
        self.admin_names.get(code).map(|&i| self.entries[i as usize].name_en.as_str())
    }

    /// Entries whose Arabic name (any of its names) has this phrase key.
    pub fn lookup(&self, tokenizer: &Tokenizer<'_>, name: &str) -> Vec<&Entry> {
        let Some(key) = marsad_text::keys::phrase_key(tokenizer, name) else {
            return Vec::new();
        };
        let Some(g) = self.matcher.get(&key) else {
            return Vec::new();
        };
        self.readings[g as usize].iter().filter(|r| !r.demonym).map(|r| &self.entries[r.entry as usize]).collect()
    }
}

/// A name's word keys and full word forms.
type Analyzed = (Vec<String>, Box<[Box<str>]>);

/// Tokenizes every distinct name once, on all cores (the slowest part of loading). Names that
/// hold punctuation, or are a single cue word (بلدة, العاصمة, في), are left out.
fn analyze_names<'n>(
    names: &'n [(u32, String, bool)],
    tokenizer: &Tokenizer<'_>,
    cues: &HashMap<String, Cue>,
) -> HashMap<&'n str, Analyzed> {
    let mut distinct: Vec<&str> = names.iter().map(|n| n.1.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let one = |name: &str| -> Option<Analyzed> {
        let tokens = tokenizer.tokenize(name);
        let word_pieces: Vec<_> = words(&tokens).collect();
        if word_pieces.iter().any(|p| matches!(p[0].kind, marsad_text::TokenKind::Punct)) {
            return None;
        }
        let keys: Vec<String> = word_pieces.iter().map(|p| stem_key(p)).collect();
        if keys.iter().any(String::is_empty) || (keys.len() == 1 && cues.contains_key(&keys[0])) {
            return None;
        }
        Some((keys, word_pieces.iter().map(|p| full_key(p).into_boxed_str()).collect()))
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let chunk = distinct.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = distinct
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().filter_map(|n| Some((*n, one(n)?))).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}

fn num<T: std::str::FromStr>(field: &str, what: &str) -> Result<T, String> {
    field.trim().parse().map_err(|_| format!("{what} {field:?} is not a number"))
}

fn coords(lat: &str, lon: &str) -> Result<(f64, f64), String> {
    let (lat, lon): (f64, f64) = (num(lat, "lat")?, num(lon, "lon")?);
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(format!("coordinates {lat},{lon} out of range"));
    }
    Ok((lat, lon))
}

fn split_names(field: &str) -> impl Iterator<Item = String> + '_ {
    field.split('|').map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned)
}

type Parsed = (Entry, Vec<String>, Vec<String>);

/// id level name_ar name_en names_ar country admin1 admin2 lat lon feature population demonyms_ar
fn parse_derived(f: &[&str]) -> Result<Parsed, String> {
    if f.len() != 13 {
        return Err(format!("{} fields, expected 13", f.len()));
    }
    let level = match f[1] {
        "country" => Level::Country,
        "adm1" => Level::Province,
        "adm2" => Level::District,
        "place" => Level::of_feature(f[10]),
        other => return Err(format!("unknown level {other:?}")),
    };
    let (lat, lon) = coords(f[8], f[9])?;
    let entry = Entry {
        id: f[0].to_owned(),
        level,
        name_ar: f[2].to_owned(),
        name_en: f[3].to_owned(),
        country: f[5].to_owned(),
        admin1: f[6].to_owned(),
        admin2: f[7].to_owned(),
        lat,
        lon,
        feature: f[10].to_owned(),
        population: if f[11].is_empty() { 0 } else { num(f[11], "population")? },
        precision: level.precision(),
        curated: false,
    };
    Ok((entry, split_names(f[4]).collect(), split_names(f[12]).collect()))
}

/// id name_ar name_en aliases_ar aliases_en country admin1_code lat lon feature precision population justification
fn parse_supplement(f: &[&str]) -> Result<Parsed, String> {
    if f.len() != 13 {
        return Err(format!("{} fields, expected 13", f.len()));
    }
    let (lat, lon) = coords(f[7], f[8])?;
    let precision: u8 = num(f[10], "precision")?;
    if !(1..=3).contains(&precision) {
        return Err(format!("precision {precision} is not 1, 2 or 3"));
    }
    let entry = Entry {
        id: f[0].to_owned(),
        level: Level::of_feature(f[9]),
        name_ar: f[1].to_owned(),
        name_en: f[2].to_owned(),
        country: f[5].to_owned(),
        admin1: f[6].to_owned(),
        admin2: String::new(),
        lat,
        lon,
        feature: f[9].to_owned(),
        population: if f[11].is_empty() { 0 } else { num(f[11], "population")? },
        precision,
        curated: true,
    };
    let names = std::iter::once(f[1].to_owned()).chain(split_names(f[3])).collect();
    Ok((entry, names, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_gazetteer_loads_with_its_supplement() {
        let g = Gazetteer::embedded();
        assert!(g.entries().len() > 30_000, "{}", g.entries().len());
        let t = Tokenizer::default();
        let ids = |n: &str| g.lookup(&t, n).iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        // GeoNames: Baqubah; the supplement: Baghuz; a country; a province.
        assert!(ids("بعقوبة").contains(&"97990".to_owned()));
        assert!(ids("الباغوز").iter().any(|i| i.starts_with("sup-baghuz")));
        assert!(g.lookup(&t, "سوريا").iter().any(|e| e.level == Level::Country && e.country == "SY"));
        assert!(g.lookup(&t, "الأنبار").iter().any(|e| e.level == Level::Province && e.admin1 == "IQ.01"));
        assert_eq!(g.admin_name("IQ.01"), Some("Al Anbar"));
        assert_eq!(g.cue("محافظه"), Some(Cue::Province));
    }

    #[test]
    fn bad_rows_name_their_line() {
        let t = Tokenizer::default();
        let e = Gazetteer::build(&[("s.tsv", "header\nx\ty\n", Format::Supplement)], "", &t).err().expect("error");
        assert_eq!(e.to_string(), "s.tsv: line 2: 2 fields, expected 13");
        let row = "sup-x\tس\tX\t\t\tSY\t\t95\t40\tP.PPL\t1\t\t";
        let e =
            Gazetteer::build(&[("s.tsv", &format!("h\n{row}\n"), Format::Supplement)], "", &t).err().expect("error");
        assert!(e.to_string().contains("out of range"), "{e}");
        let e = Gazetteer::build(&[], "مدينة\tcity\n", &t).err().expect("error");
        assert!(e.to_string().contains("unknown cue"), "{e}");
    }
}
