//! Toponym resolution, in the spirit of CLIFF-CLAVIN and Mordecai but without a network or a
//! neural ranker: every gazetteer name in the text is a candidate mention; context decides
//! whether it is a place at all (tagged as one, after a type word or a preposition, or a
//! well-known name), and evidence ranks the entries it may denote — what type word precedes
//! it, the document's focus country, the provinces named nearby, the distance to places that
//! are not ambiguous, population and admin level.
//!
//! Written here rather than taken from a library: no crate resolves Arabic toponyms, and the
//! cues (clitics, type words such as ناحية or مديرية) are Arabic-specific.

use crate::gazetteer::{Cue, Entry, Gazetteer, Level, Reading};
use marsad_core::{Entity, EntityType, Place, PlaceVia, Span};
use marsad_kb::PhraseMatch;
use marsad_text::keys::{full_key, name_span, stem_key, words};
use marsad_text::{PieceRole, Token};
use std::collections::HashMap;

/// What the resolver reads.
pub struct GeoInput<'a> {
    pub text: &'a str,
    /// Tokens of the title and body (one tokenization shared with the other stages).
    pub tokens: &'a [Token],
    /// Entities the recognizer found in the same text.
    pub entities: &'a [Entity],
    /// Sentence spans (places named in one sentence help resolve each other most).
    pub sentences: &'a [Span],
    /// The dateline's country, when the article has one.
    pub dateline_country: Option<&'a str>,
}

/// Resolves toponyms against a gazetteer.
pub struct Geocoder<'g> {
    gazetteer: &'g Gazetteer,
}

/// One word of the text.
struct Word {
    span: Span,
    /// Stem key (None for punctuation).
    key: Option<String>,
    /// Full key, clitics included.
    full: String,
    /// Where the word starts, and where it starts after each of its leading proclitic pieces
    /// (with the keys of the pieces skipped): a name such as بعقوبة keeps its first letter.
    starts: Vec<(String, usize)>,
    /// Carries the article ال.
    article: bool,
}

/// A candidate mention.
struct Mention {
    span: Span,
    words: std::ops::Range<usize>,
    readings: Vec<Reading>,
    /// The type word before it, if any.
    cue: Option<Cue>,
    /// After a preposition or direction word, or with ب attached.
    locative: bool,
    /// Tagged LOC, GPE or FAC by the recognizer.
    tagged: bool,
    demonym: bool,
    /// Overlaps a person's name or lies inside an organization's: dropped unless a type word
    /// says it is a place.
    blocked: bool,
    sentence: usize,
}

/// Places above this population are not taken for small homonyms, nor guessed away abroad.
const WELL_KNOWN_POPULATION: u64 = 100_000;

/// Cities above this population are known by name alone, without context.
const GREAT_CITY_POPULATION: u64 = 1_000_000;

impl<'g> Geocoder<'g> {
    pub fn new(gazetteer: &'g Gazetteer) -> Self {
        Geocoder { gazetteer }
    }

    /// The geocoder over the embedded gazetteer.
    pub fn embedded() -> Geocoder<'static> {
        Geocoder::new(Gazetteer::embedded())
    }

    pub fn resolve(&self, input: &GeoInput<'_>) -> Vec<Place> {
        let words = self.words(input);
        let mut mentions = self.mentions(input, &words);
        self.inherit_coordinated_cues(&mut mentions, &words);
        mentions.retain(|m| !m.blocked || m.cue.is_some());
        let accepted = self.accept(mentions, input.text);
        let resolved = self.rank(&accepted, input.dateline_country);
        let mut places: Vec<Place> = accepted
            .iter()
            .zip(&resolved)
            .filter_map(|(m, r)| r.map(|(entry, conf)| self.place(input.text, m, self.gazetteer.entry(entry), conf)))
            .collect();
        places.extend(self.nearby(input, &words, &accepted, &resolved, &places));
        places.extend(unresolved(input, &places));
        places.sort_by_key(|p| (p.start, p.end));
        places
    }

    /// Every gazetteer name in the text, by phrase key, and whether the recognizer tagged it
    /// as a place: the counts behind data/geo/placeness.tsv.
    pub fn survey(&self, input: &GeoInput<'_>) -> Vec<(String, bool)> {
        let words = self.words(input);
        self.mentions(input, &words)
            .into_iter()
            .filter(|m| !m.demonym)
            .map(|m| (marsad_text::lossless(m.span.slice(input.text)), m.tagged))
            .collect()
    }

    fn words(&self, input: &GeoInput<'_>) -> Vec<Word> {
        words(input.tokens)
            .map(|pieces| {
                let punct = matches!(pieces[0].kind, marsad_text::TokenKind::Punct | marsad_text::TokenKind::Symbol);
                let mut key = stem_key(pieces);
                let mut span = name_span(pieces);
                let mut starts = vec![(String::new(), pieces[0].span.start)];
                let mut skipped = String::new();
                for (i, p) in pieces.iter().enumerate().take_while(|(_, p)| p.role == PieceRole::Proclitic) {
                    skipped.push_str(&p.key);
                    starts.push((skipped.clone(), pieces.get(i + 1).map_or(p.span.end, |n| n.span.start)));
                }
                // The segmenter splits clitics by word frequency, so a rare name keeps its و
                // (وعانة): where the word unsplit begins no name and without its first letter
                // it does, read it as clitic + name. (Hand-written: the segmenter knows no names.)
                if let [only] = pieces
                    && let Some(first) = key.chars().next().filter(|c| "وفبلك".contains(*c))
                    && key.chars().count() >= 4
                    && !self.gazetteer.matcher().is_first_word(&key)
                    && self.gazetteer.matcher().is_first_word(&key[first.len_utf8()..])
                {
                    let after = only.span.slice(input.text).chars().next().map_or(0, char::len_utf8);
                    key = key[first.len_utf8()..].to_owned();
                    span = Span::new(only.span.start + after, only.span.end);
                    starts.push((first.to_string(), span.start));
                }
                Word {
                    span,
                    key: (!punct && !key.is_empty()).then_some(key),
                    full: full_key(pieces),
                    starts,
                    article: pieces.iter().any(|p| p.role == PieceRole::Article),
                }
            })
            .collect()
    }

    fn mentions(&self, input: &GeoInput<'_>, words: &[Word]) -> Vec<Mention> {
        let keys: Vec<Option<marsad_text::keys::WordKey>> = words
            .iter()
            .map(|w| w.key.as_ref().map(|k| marsad_text::keys::WordKey { span: w.span, key: k.clone() }))
            .collect();
        let sentence_of =
            |byte: usize| input.sentences.iter().position(|s| s.start <= byte && byte < s.end.max(s.start + 1));
        let mut mentions = Vec::new();
        for m in self.spelled_matches(words, &keys) {
            let mut prefix = None;
            let mut readings: Vec<Reading> = Vec::new();
            for r in self.gazetteer.readings(m.value) {
                if let Some(p) = surface_matches(&words[m.words.clone()], &r.forms, r.demonym) {
                    prefix.get_or_insert(p);
                    readings.push(r.clone());
                }
            }
            // A name written with its type word ("مدينة زنجبار" is Zanzibar City's Arabic
            // name) may also be the bare name of other places after that word (Zinjibar).
            let head_cue =
                words[m.words.start].key.as_deref().and_then(|k| self.gazetteer.cue(k)).filter(|c| c.is_type());
            // Unless the full name is one the team curated (إقليم كردستان is not Iran's
            // Kordestan province).
            let curated_full = readings.iter().any(|r| self.gazetteer.entry(r.entry).curated);
            if head_cue.is_some() && m.words.len() > 1 && !curated_full {
                let rest = m.words.start + 1..m.words.end;
                let key: Vec<&str> = words[rest.clone()].iter().filter_map(|w| w.key.as_deref()).collect();
                if let Some(g) = self.gazetteer.matcher().get(&key.join(" ")) {
                    for r in self.gazetteer.readings(g) {
                        if !readings.iter().any(|x| x.entry == r.entry)
                            && surface_matches(&words[rest.clone()], &r.forms, r.demonym).is_some()
                        {
                            readings.push(Reading { partial: true, ..r.clone() });
                        }
                    }
                }
            }
            let Some(prefix) = prefix.or_else(|| (!readings.is_empty()).then(String::new)) else {
                continue;
            };
            // The mention starts after the proclitics the text added, not after those that
            // are part of the name (بعقوبة).
            let first = &words[m.words.start];
            let start = first.starts.iter().find(|(k, _)| *k == prefix).map_or(m.span.start, |s| s.1);
            let span = Span::new(start, m.span.end);
            let prev = m.words.start.checked_sub(1).and_then(|i| words[i].key.as_deref());
            // A type word names what follows in construct, without the article (مدينة بعقوبة);
            // "المدينة" before a name is a sentence's subject or object, not its type.
            let prev_cue = prev
                .and_then(|k| self.gazetteer.cue(k))
                .filter(|c| !c.is_type() || !m.words.start.checked_sub(1).is_some_and(|i| words[i].article));
            let cue = head_cue.or(prev_cue);
            // A country adjective (سوري) outweighs small places of the same spelling (Surrey),
            // unless a type word says a place follows.
            let demonym = readings.iter().any(|r| r.demonym) && !cue.is_some_and(Cue::is_type);
            let mut readings: Vec<Reading> = readings.into_iter().filter(|r| r.demonym == demonym).collect();
            // A country's name is the country, not a small town abroad named after it (ايران
            // is Iran, not Iraan, Texas).
            // Likewise a capital or a great city outweighs villages of its name, unless a type
            // word says a village is meant (الرياض is Riyadh, not Ar Riyad in Kafr el-Sheikh).
            let great = |e: &Entry| e.level == Level::Country || great_city(e);
            if readings.iter().any(|r| great(self.gazetteer.entry(r.entry))) && !cue.is_some_and(Cue::is_type) {
                readings.retain(|r| {
                    let e = self.gazetteer.entry(r.entry);
                    great(e) || e.level != Level::Town || e.population >= WELL_KNOWN_POPULATION
                });
            }
            if readings.is_empty() {
                continue;
            }
            let with_b = prefix.starts_with('ب') || prefix.starts_with("وب");
            let locative = cue.is_some_and(|c| c == Cue::Locative || c.is_type()) || with_b;
            let mut tagged = false;
            let mut blocked = false;
            for e in input.entities.iter().filter(|e| e.start < span.end && span.start < e.end) {
                match e.entity_type {
                    // Part of a longer place name (قرطاجنة الجديدة) is not that place; a
                    // name followed by its epithet (مطار دمشق الدولي) is.
                    // (An entity that spans a list, "كوباني وعين العرب", is no longer name.)
                    EntityType::LOC | EntityType::GPE | EntityType::FAC
                        if e.start < span.start
                            && !cue.is_some_and(Cue::is_type)
                            && prev.is_some()
                            && !prefix.starts_with('و') =>
                    {
                        blocked = true
                    }
                    EntityType::LOC | EntityType::GPE | EntityType::FAC => tagged = true,
                    // A person's nisba (أبو بكر البغدادي) is not a place.
                    EntityType::PER => blocked = true,
                    // A place inside an organization's name (قوات سوريا الديمقراطية) is not
                    // the scene; an organization tagged on the name alone is metonymy.
                    EntityType::ORG | EntityType::NORP | EntityType::MISC => {
                        blocked |= e.end - e.start > span.len();
                    }
                }
            }
            mentions.push(Mention {
                span,
                words: m.words,
                readings,
                cue: cue.filter(|c| c.is_type()),
                locative,
                tagged,
                demonym,
                blocked: blocked && !demonym,
                sentence: sentence_of(span.start).unwrap_or(usize::MAX),
            });
        }
        mentions
    }

    /// Gazetteer names in the text whose spelling holds (see [`surface_matches`]): the longest
    /// first; where a long name's spelling fails ("كوباني وعين العرب" is not the alias
    /// "كوباني عين العرب"), the shorter names inside it.
    fn spelled_matches(&self, words: &[Word], keys: &[Option<marsad_text::keys::WordKey>]) -> Vec<PhraseMatch> {
        let matcher = self.gazetteer.matcher();
        let mut out = Vec::new();
        for m in matcher.find(keys) {
            let mut start = m.words.start;
            while start < m.words.end {
                let found = (start + 1..=m.words.end).rev().find_map(|end| {
                    let key: Vec<&str> = keys[start..end].iter().flatten().map(|k| k.key.as_str()).collect();
                    let group = matcher.get(&key.join(" "))?;
                    let spelled = self
                        .gazetteer
                        .readings(group)
                        .iter()
                        .any(|r| surface_matches(&words[start..end], &r.forms, r.demonym).is_some());
                    spelled.then_some((end, group))
                });
                match found {
                    Some((end, value)) => {
                        out.push(PhraseMatch {
                            span: Span::new(words[start].span.start, words[end - 1].span.end),
                            words: start..end,
                            value,
                        });
                        start = end;
                    }
                    None => start += 1,
                }
            }
        }
        out
    }

    /// "مدن كبيسة وهيت والقائم": names joined by و to a name after a type word share its cue.
    fn inherit_coordinated_cues(&self, mentions: &mut [Mention], words: &[Word]) {
        for i in 1..mentions.len() {
            let (before, after) = mentions.split_at_mut(i);
            let (prev, cur) = (&before[i - 1], &mut after[0]);
            let joined = cur.words.start == prev.words.end && words[cur.words.start].full.starts_with('و');
            if joined && !cur.demonym && !prev.demonym {
                cur.cue = cur.cue.or(prev.cue);
                cur.locative |= prev.locative;
            }
        }
    }

    /// Keeps the mentions that context says are places.
    fn accept(&self, mentions: Vec<Mention>, text: &str) -> Vec<Mention> {
        let g = self.gazetteer;
        // Known by name alone, with no context: countries, provinces (checked against the
        // focus country when ranked), the curated places and the great cities.
        let well_known = |r: &Reading| {
            let e = g.entry(r.entry);
            matches!(e.level, Level::Country | Level::Province) || great_city(e) || e.curated
        };
        let firm = |m: &Mention| {
            if m.tagged || m.cue.is_some() {
                return true;
            }
            // A name that is mostly a common word (أن, كان, صور) needs the article to say so.
            // The team's curated names were chosen as names; the corpus counts only judge the
            // derived ones (the tagger misses some regions, الغوطة الشرقية, that are no less
            // places for it).
            let curated = m.readings.iter().any(|r| g.entry(r.entry).curated);
            let common = !curated && g.mostly_common_word(&marsad_text::lossless(m.span.slice(text)));
            !common && (m.locative || m.readings.iter().any(well_known))
        };
        // One sense per discourse: a name accepted once is a place wherever it recurs.
        let accepted_keys: std::collections::HashSet<Vec<u32>> = mentions
            .iter()
            .filter(|m| !m.demonym && firm(m))
            .map(|m| m.readings.iter().map(|r| r.entry).collect())
            .collect();
        mentions
            .into_iter()
            .filter(|m| {
                m.demonym || firm(m) || accepted_keys.contains(&m.readings.iter().map(|r| r.entry).collect::<Vec<_>>())
            })
            .collect()
    }

    /// The entry each mention denotes, with a confidence, or None (unresolved).
    fn rank(&self, mentions: &[Mention], dateline_country: Option<&str>) -> Vec<Option<(u32, f64)>> {
        let g = self.gazetteer;
        // Anchors: mentions with one candidate entry.
        let single = |m: &Mention| {
            let first = m.readings[0].entry;
            m.readings.iter().all(|r| r.entry == first).then_some(first)
        };
        // The focus country: the dateline's, and the countries that names without ambiguity
        // point to.
        let mut votes: HashMap<&str, f64> = HashMap::new();
        if let Some(c) = dateline_country {
            *votes.entry(c).or_default() += 3.0;
        }
        for m in mentions {
            let mut countries: Vec<&str> = m.readings.iter().map(|r| g.entry(r.entry).country.as_str()).collect();
            countries.dedup();
            if countries.len() == 1 {
                *votes.entry(countries[0]).or_default() += if m.demonym { 0.5 } else { 1.0 };
            }
        }
        let focus = votes.iter().max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0))).map(|(c, _)| *c);
        // Countries the article names (or names the people of).
        let named: std::collections::HashSet<&str> = mentions
            .iter()
            .filter_map(|m| single(m).map(|e| g.entry(e)))
            .filter(|e| e.level == Level::Country)
            .map(|e| e.country.as_str())
            .collect();
        // Each anchor place once, with the sentences it is named in.
        let mut anchors: Vec<(u32, &Entry, Vec<usize>)> = Vec::new();
        for m in mentions.iter().filter(|m| !m.demonym) {
            if let Some(e) = single(m) {
                match anchors.iter_mut().find(|a| a.0 == e) {
                    Some(a) => a.2.push(m.sentence),
                    None => anchors.push((e, g.entry(e), vec![m.sentence])),
                }
            }
        }
        mentions
            .iter()
            .map(|m| {
                let mut scored: Vec<(u32, f64)> = Vec::new();
                for r in &m.readings {
                    if scored.iter().any(|s| s.0 == r.entry) {
                        continue;
                    }
                    let e = g.entry(r.entry);
                    let mut s = prior(e) + hint(m.cue, e.level);
                    if r.joined {
                        s -= 0.3;
                    }
                    if r.partial {
                        // "ريف دمشق" is Rif Dimashq before it is Damascus.
                        s -= 1.5;
                    }
                    if Some(e.country.as_str()) == focus {
                        s += 1.5;
                    }
                    if named.contains(e.country.as_str()) {
                        s += 1.0;
                    }
                    if e.feature == "P.PPLC" {
                        // Capitals stand for their governments (الرياض, موسكو).
                        s += 0.7;
                    }
                    for (_, a, sentences) in anchors.iter().filter(|a| a.0 != r.entry) {
                        let near = sentences.contains(&m.sentence);
                        if a.level == Level::Province && !e.admin1.is_empty() && a.admin1 == e.admin1 {
                            s += if near { 2.5 } else { 1.5 };
                        } else if !matches!(a.level, Level::Country | Level::Province) {
                            let d = km(a.lat, a.lon, e.lat, e.lon);
                            s += if d < 50.0 {
                                1.5
                            } else if d < 150.0 {
                                1.0
                            } else if d < 400.0 {
                                0.3
                            } else {
                                0.0
                            };
                        }
                    }
                    scored.push((r.entry, s));
                }
                let (best, top) = scored.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
                let share = 1.0 / scored.iter().map(|(_, s)| (s - top).exp()).sum::<f64>();
                let e = g.entry(best);
                let evidence = if m.tagged || m.cue.is_some() { 1.0 } else { 0.85 };
                // No wild guesses: a small place abroad that only the name points to.
                // A quarter (حي X) abroad is rather one of the focus country's that the
                // gazetteer lacks: left to be placed near its town.
                let far_small = focus.is_some_and(|f| f != e.country)
                    && e.level == Level::Town
                    && e.population < 20_000
                    && !(e.curated && m.tagged)
                    && m.cue != Some(Cue::Town)
                    || focus.is_some_and(|f| f != e.country)
                        && e.level == Level::Town
                        && e.population < WELL_KNOWN_POPULATION
                        && m.cue == Some(Cue::District);
                // Nor a province or town abroad that nothing but its name points to (الحدود
                // الشمالية, "the northern borders", is also a Saudi province).
                let far_bare = focus.is_some_and(|f| f != e.country)
                    && e.level != Level::Country
                    && !great_city(e)
                    && !e.curated
                    && !m.tagged
                    && m.cue.is_none()
                    && !m.locative;
                let unsure_small = focus.is_none() && share < 0.5 && e.population < 1_000 && !e.curated;
                (!(far_small || far_bare || unsure_small))
                    .then_some((best, (share * evidence * 1000.0).round() / 1000.0))
            })
            .collect()
    }

    fn place(&self, text: &str, m: &Mention, e: &Entry, confidence: f64) -> Place {
        // "ريف حلب", "مطار دمشق": the place is the town's surroundings or a site near it.
        let near = matches!(m.cue, Some(Cue::Rural | Cue::Facility)) && e.precision < 2;
        Place {
            start: m.span.start,
            end: m.span.end,
            text: m.span.slice(text).to_owned(),
            geonames_id: Some(e.id.clone()),
            name_ar: Some(e.name_ar.clone()),
            name_en: Some(e.name_en.clone()),
            country: Some(e.country.clone()),
            admin1: self.admin(&e.admin1, e),
            admin2: self.admin(&e.admin2, e),
            lat: Some(e.lat),
            lon: Some(e.lon),
            feature: Some(e.feature.clone()),
            precision: Some(if near { 2 } else { e.precision }),
            via: if m.demonym { PlaceVia::Demonym } else { PlaceVia::Name },
            confidence,
        }
    }

    fn admin(&self, code: &str, e: &Entry) -> Option<String> {
        if code.is_empty() {
            return None;
        }
        Some(self.gazetteer.admin_name(code).map_or_else(|| code.to_owned(), str::to_owned)).filter(|n| *n != e.name_en)
    }

    /// Quarters and villages the gazetteer lacks, named after a type word ("حي غوط الشعال"),
    /// placed at the resolved town named in the same sentence close after or before them.
    fn nearby(
        &self,
        input: &GeoInput<'_>,
        words: &[Word],
        mentions: &[Mention],
        resolved: &[Option<(u32, f64)>],
        places: &[Place],
    ) -> Vec<Place> {
        let g = self.gazetteer;
        let covered = |w: usize| mentions.iter().zip(resolved).any(|(m, r)| r.is_some() && m.words.contains(&w));
        let mut out = Vec::new();
        let mut i = 0;
        while i + 1 < words.len() {
            let cue = words[i].key.as_deref().and_then(|k| g.cue(k));
            let plural = words[i].key.as_deref().is_some_and(|k| g.is_plural_cue(k));
            if plural || !cue.is_some_and(|c| matches!(c, Cue::District | Cue::Town)) {
                i += 1;
                continue;
            }
            let start = i + 1;
            let name_word = |w: &Word| w.key.as_deref().is_some_and(|k| g.cue(k).is_none() && k.chars().count() >= 2);
            if covered(start) || !name_word(&words[start]) {
                i += 1;
                continue;
            }
            let head = words[start].key.as_deref().and_then(|k| g.cue(k)) == Some(Cue::Head);
            let mut end = start + 1;
            if (head || words[start].key.as_deref().is_some_and(|k| g.cue(k) == Some(Cue::Head)))
                && end < words.len()
                && name_word(&words[end])
                && !covered(end)
            {
                end += 1;
            }
            let span = Span::new(words[start].span.start, words[end - 1].span.end);
            let tagged = input.entities.iter().any(|e| {
                matches!(e.entity_type, EntityType::LOC | EntityType::GPE | EntityType::FAC)
                    && e.start < span.end
                    && span.start < e.end
            });
            // A name follows a type word in construct (منطقة الزهيرية, حي غوط الشعال); an
            // adjective agrees with it (منطقة عسكرية, المنطقة الشرقية, حي سكني).
            let first = words[start].key.as_deref().unwrap_or("");
            let adjective_like =
                words[i].article || (!words[start].article && (first.ends_with('ه') || first.ends_with('ي')));
            // Without the article or a two-word head, a word after a type word is as likely a
            // verb or a common noun (مخيم أقيمت).
            // Nor is a frequent word (مدينة الملك عبدالله, حي الأمير …: a name that follows).
            let frequent = g.is_frequent_word(&marsad_text::lossless(words[start].span.slice(input.text)));
            let name_like = (words[start].article || end > start + 1) && !frequent;
            if (adjective_like || !name_like) && !tagged {
                i = end;
                continue;
            }
            // The anchor: a resolved town, district or site in the next few words or just before.
            let anchor = mentions.iter().zip(resolved).filter_map(|(m, r)| r.map(|r| (m, r))).find(|(m, (e, _))| {
                let lvl = g.entry(*e).level;
                !m.demonym
                    && matches!(lvl, Level::Town | Level::District | Level::Site | Level::Region)
                    && ((m.words.start >= end && m.words.start <= end + 5)
                        || (m.words.end <= i && m.words.end + 3 >= i))
                    && !words[i.min(m.words.start)..end.max(m.words.end)]
                        .iter()
                        .any(|w| w.key.is_none() && !w.full.chars().all(|c| "\"'«»“”„".contains(c)))
            });
            if let Some((_, (e, conf))) = anchor {
                let e = g.entry(e);
                if !places.iter().any(|p| p.start == span.start) {
                    let text = span.slice(input.text).to_owned();
                    out.push(Place {
                        start: span.start,
                        end: span.end,
                        name_ar: Some(text.clone()),
                        text,
                        geonames_id: None,
                        name_en: None,
                        country: Some(e.country.clone()),
                        admin1: self.admin(&e.admin1, e),
                        admin2: self.admin(&e.admin2, e),
                        lat: Some(e.lat),
                        lon: Some(e.lon),
                        feature: None,
                        precision: Some(2),
                        via: PlaceVia::Nearby,
                        confidence: (conf * 0.7 * 1000.0).round() / 1000.0,
                    });
                }
            }
            i = end;
        }
        out
    }
}

/// Names the recognizer tagged as places that no gazetteer entry could be given to.
fn unresolved(input: &GeoInput<'_>, places: &[Place]) -> Vec<Place> {
    let mut out: Vec<Place> = Vec::new();
    // Names linked to an actor of the knowledge base (داعش tagged LOC) are not places.
    for e in
        input.entities.iter().filter(|e| matches!(e.entity_type, EntityType::LOC | EntityType::GPE) && e.id.is_none())
    {
        if places.iter().chain(&out).any(|p| p.start < e.end && e.start < p.end) {
            continue;
        }
        out.push(Place {
            start: e.start,
            end: e.end,
            text: e.text.clone(),
            geonames_id: None,
            name_ar: None,
            name_en: None,
            country: None,
            admin1: None,
            admin2: None,
            lat: None,
            lon: None,
            feature: None,
            precision: None,
            via: PlaceVia::Name,
            confidence: 0.0,
        });
    }
    out
}

/// Does the text (its words' full keys) read as the name, allowing proclitics on the first word
/// (and the article, for a demonym: السوري)? Returns the proclitics' key.
fn surface_matches(words: &[Word], forms: &[Box<str>], demonym: bool) -> Option<String> {
    if forms.len() == 1 && words.len() > 1 {
        // A joined reading: the name written apart ("البو كمال" for "البوكمال").
        let text: String = words.iter().map(|w| w.full.as_str()).collect();
        return first_word_matches(&text, &forms[0], demonym);
    }
    if forms.len() != words.len() {
        // The name written together ("البوكمال" for "البو كمال").
        return if words.len() == 1 { first_word_matches(&words[0].full, &forms.concat(), demonym) } else { None };
    }
    let prefix = first_word_matches(&words[0].full, &forms[0], demonym)?;
    words[1..]
        .iter()
        .zip(&forms[1..])
        .all(|(w, f)| *w.full == **f || (demonym && w.full == format!("ال{f}")))
        .then_some(prefix)
}

fn first_word_matches(text: &str, form: &str, demonym: bool) -> Option<String> {
    marsad_text::keys::proclitics_before(text, form, |t| demonym && t.strip_prefix("ال") == Some(form))
        .map(str::to_owned)
}

/// A national capital or a city of a million: known by name alone, anywhere.
fn great_city(e: &Entry) -> bool {
    e.level == Level::Town && (e.feature == "P.PPLC" || e.population >= GREAT_CITY_POPULATION)
}

/// Prior plausibility of an entry, before context: admin level and population.
fn prior(e: &Entry) -> f64 {
    let base = match e.level {
        Level::Country => 2.6,
        Level::Province => 2.2,
        Level::Region => 1.8,
        Level::District => 1.2,
        Level::Site => 1.2,
        Level::Natural => 1.0,
        Level::Town => 0.5 + 0.35 * ((e.population + 10) as f64).log10(),
    };
    base + if e.curated { 0.5 } else { 0.0 }
}

/// How well the type word before a name fits the entry's level.
fn hint(cue: Option<Cue>, level: Level) -> f64 {
    match (cue, level) {
        (Some(Cue::Province), Level::Province) => 2.0,
        (Some(Cue::Province), Level::Town | Level::Site) => -0.5,
        (Some(Cue::District), Level::District | Level::Town | Level::Site) => 1.0,
        (Some(Cue::District), Level::Country | Level::Province) => -1.0,
        (Some(Cue::Town), Level::Town) => 1.0,
        (Some(Cue::Town), Level::Province | Level::District | Level::Country) => -1.0,
        (Some(Cue::Rural | Cue::Facility), Level::Town) => 0.5,
        _ => 0.0,
    }
}

/// Great-circle distance in kilometres.
pub fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let (dp, dl) = (p2 - p1, (lon2 - lon1).to_radians());
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0 * 2.0 * h.sqrt().min(1.0).asin()
}
