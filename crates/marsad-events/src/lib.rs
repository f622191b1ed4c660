//! Event extraction: for each sentence that reports political violence, a protest or a
//! strategic development, one event — its ACLED type and sub-event type, PLOVER category and
//! CAMEO root, actors, place, date, counts, modality and the sentence it was read from.
//!
//! Rules over data (data/events/*.tsv): a trigger lexicon matched on clitic-free word keys,
//! modality and not-an-event cues, generic actor nouns, number and time words. Written here
//! rather than taken from a library: no event coder reads Arabic natively.

pub mod dates;
pub mod lexicon;
pub mod quotes;
pub mod report;

use chrono::NaiveDate;
use lexicon::{CountKind, Lexicons, Trigger, TriggerKind};
use marsad_core::{
    AcledType, DatePrecision, Entity, EntityType, Event, Evidence, Modality, Place, PlaceVia, PloverType, Span,
};
use marsad_kb::PhraseMatch;
use marsad_text::keys::{WordKey, word_keys};
use marsad_text::{Token, TokenKind, Tokenizer};

const TRIGGERS: &str = include_str!("../../../data/events/triggers.tsv");
const ACTORS: &str = include_str!("../../../data/events/actors.tsv");
const NUMBERS: &str = include_str!("../../../data/events/numbers.tsv");
const TIMES: &str = include_str!("../../../data/events/time.tsv");
const SPEECH: &str = include_str!("../../../data/events/speech.tsv");
const COUNTS: &str = include_str!("../../../data/events/counts.tsv");

static SPEECH_CUES: std::sync::LazyLock<quotes::SpeechCues> = std::sync::LazyLock::new(|| {
    quotes::SpeechCues::parse(SPEECH, &Tokenizer::default())
        .expect("the embedded speech cues are valid (checked by their test)")
});

static EMBEDDED: std::sync::LazyLock<Lexicons> = std::sync::LazyLock::new(|| {
    Lexicons::parse(
        ("data/events/triggers.tsv", TRIGGERS),
        ("data/events/actors.tsv", ACTORS),
        ("data/events/numbers.tsv", NUMBERS),
        ("data/events/time.tsv", TIMES),
        ("data/events/counts.tsv", COUNTS),
        &Tokenizer::default(),
    )
    .expect("the embedded event lexicons are valid (checked by their test)")
});

/// What the extractor reads: the analyzed text and the other stages' answers.
pub struct EventInput<'a> {
    pub text: &'a str,
    pub tokens: &'a [Token],
    /// Title and body sentences, in order.
    pub sentences: &'a [Span],
    /// The title's span, when the article has one.
    pub title: Option<Span>,
    pub entities: &'a [Entity],
    pub places: &'a [Place],
    /// Publication date `YYYY-MM-DD`, the anchor of relative dates.
    pub published: Option<&'a str>,
}

/// Extracts events with a set of lexicons.
pub struct Extractor<'l> {
    lex: &'l Lexicons,
    speech: &'l quotes::SpeechCues,
    /// Which sentences report the assaults and protests their words name (see [`report`]);
    /// without, every anchored one does.
    reports: Option<&'l report::ReportModel>,
}

impl Extractor<'static> {
    pub fn embedded() -> Extractor<'static> {
        Extractor { lex: &EMBEDDED, speech: &SPEECH_CUES, reports: Some(report::ReportModel::embedded()) }
    }
}

/// A word-level match of one of the lexicons.
struct Hit {
    span: Span,
    words: std::ops::Range<usize>,
    value: u32,
}

impl From<PhraseMatch> for Hit {
    fn from(m: PhraseMatch) -> Self {
        Hit { span: m.span, words: m.words, value: m.value }
    }
}

/// A possible actor: an entity or a generic actor noun.
#[derive(Clone)]
struct ActorCand {
    span: Span,
    entity: Entity,
    /// A capital's name: an actor as subject (واشنطن قررت), a place after the verb.
    capital: bool,
}

/// Clitic-free keys of words naming armed people or places (the target of an attack that makes
/// it a clash).
const ARMED_TARGETS: [&str; 24] = [
    "عنصر",
    "عناصر",
    "جندي",
    "جنود",
    "جنديا",
    "مقاتل",
    "مقاتلين",
    "مقاتلي",
    "مسلح",
    "مسلحين",
    "مسلحي",
    "شرطي",
    "شرطيا",
    "حاجز",
    "حاجزا",
    "ثكنه",
    "دوريه",
    "متشدد",
    "متشددين",
    "متمرد",
    "متمردين",
    "ضابط",
    "ضباط",
    "عسكريين",
];

/// Clitic-free keys of words naming civilians as victims (not سكان, مواطنون: as often the
/// witnesses a report quotes; not the singular مدني: الدفاع المدني, المجتمع المدني).
const CIVILIAN_TARGETS: [&str; 9] = ["مدنيين", "مدنيا", "مدنيون", "اطفال", "طفل", "طفلا", "نساء", "امراه", "مصلين"];

/// Clitic-free keys of weapons that make an attack remote violence, with its sub-event type.
const REMOTE_WEAPONS: [(&str, &str); 12] = [
    ("قصف", "Shelling/artillery/missile attack"),
    ("مدفعي", "Shelling/artillery/missile attack"),
    ("قذيفه", "Shelling/artillery/missile attack"),
    ("قذايف", "Shelling/artillery/missile attack"),
    ("صاروخ", "Shelling/artillery/missile attack"),
    ("صواريخ", "Shelling/artillery/missile attack"),
    ("غاره", "Air/drone strike"),
    ("غارات", "Air/drone strike"),
    ("مسيره", "Air/drone strike"),
    ("عبوه", "Remote explosive/landmine/IED"),
    ("لغم", "Remote explosive/landmine/IED"),
    ("تفجير", "Remote explosive/landmine/IED"),
];

/// How specific an event type is when one sentence holds several triggers: the weapon
/// (explosions) first, then fighting, attacks on civilians, riots, protests, developments.
fn precedence(event_type: &str) -> usize {
    lexicon::ACLED.iter().position(|(t, _)| *t == event_type).map_or(9, |i| [1, 0, 2, 4, 3, 5][i])
}

impl<'l> Extractor<'l> {
    pub fn new(lex: &'l Lexicons, speech: &'l quotes::SpeechCues) -> Self {
        Extractor { lex, speech, reports: None }
    }

    /// The same extractor with another report model (None: every anchored event is kept).
    pub fn with_reports(self, reports: Option<&'l report::ReportModel>) -> Self {
        Extractor { reports, ..self }
    }

    /// The quotes of the text (see [`quotes`]).
    pub fn quotes(&self, input: &EventInput<'_>) -> Vec<marsad_core::Quote> {
        quotes::quotes(input.text, &word_keys(input.tokens), input.sentences, input.entities, self.speech)
    }

    /// Events and quotes together, reading the text's word keys once.
    pub fn events_and_quotes(&self, input: &EventInput<'_>) -> (Vec<Event>, Vec<marsad_core::Quote>) {
        let keys = word_keys(input.tokens);
        let quotes = quotes::quotes(input.text, &keys, input.sentences, input.entities, self.speech);
        (self.extract_with(input, &keys), quotes)
    }

    pub fn lexicons(&self) -> &'l Lexicons {
        self.lex
    }

    pub fn extract(&self, input: &EventInput<'_>) -> Vec<Event> {
        self.extract_with(input, &word_keys(input.tokens))
    }

    fn extract_with(&self, input: &EventInput<'_>, keys: &[Option<WordKey>]) -> Vec<Event> {
        // Each word's full key (clitics included) and whether it carries the article.
        let (full, with_article): (Vec<String>, Vec<bool>) = marsad_text::keys::words(input.tokens)
            .map(|pieces| {
                let article = pieces.iter().any(|p| p.role == marsad_text::PieceRole::Article);
                (marsad_text::keys::full_key(pieces), article)
            })
            .unzip();
        let triggers: Vec<Hit> = self
            .lex
            .trigger_matcher
            .find(keys)
            .into_iter()
            .filter(|m| self.spelled(keys, &full, m))
            .map(Hit::from)
            .collect();
        if triggers.is_empty() {
            return Vec::new();
        }
        let numbers = self.numbers(input, keys);
        let count_hits: Vec<Hit> = self.lex.counts.find(keys).into_iter().map(Hit::from).collect();
        let times: Vec<Hit> = self.lex.time_matcher.find(keys).into_iter().map(Hit::from).collect();
        let actors = self.actor_candidates(input, keys);
        let published = input.published.and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok());
        let scene = |p: &&Place| p.via != PlaceVia::Demonym && p.lat.is_some();
        // The article's place: its most named town or district, else its first place.
        let article_place =
            most_named(input.places.iter().filter(scene).filter(|p| p.precision.is_some_and(|x| x <= 2)))
                .or_else(|| input.places.iter().find(scene));
        let mut last_place: Option<&Place> = None;
        // Each event with whether its date was told (a time word) or defaulted to publication.
        let mut events: Vec<(Event, bool)> = Vec::new();
        for s in input.sentences {
            let inside = |span: Span| s.start <= span.start && span.end <= s.end;
            let in_sentence: Vec<&Hit> = triggers.iter().filter(|h| inside(h.span)).collect();
            let places: Vec<&Place> =
                input.places.iter().filter(scene).filter(|p| inside(Span::new(p.start, p.end))).collect();
            let sentence_place = places.iter().copied().min_by_key(|p| (p.precision.unwrap_or(9), p.start));
            if in_sentence.is_empty() {
                last_place = sentence_place.or(last_place);
                continue;
            }
            let row = |h: &Hit| &self.lex.triggers[h.value as usize];
            // What is no event (an accident, a threat, a denial, a call, a meeting) takes the
            // sentence, except an event verb told before it: its own clause ("تظاهر المئات
            // احتجاجا على زيارة بوش" is a protest, not a visit).
            let first_not_event =
                in_sentence.iter().filter(|h| row(h).kind == TriggerKind::NotEvent).map(|h| h.words.start).min();
            let in_sentence: Vec<&Hit> = match first_not_event {
                None => in_sentence,
                Some(n) => in_sentence
                    .into_iter()
                    .filter(|h| match row(h).kind {
                        TriggerKind::Event { .. } => h.words.end <= n && row(h).pos == "verb_perf",
                        TriggerKind::Modality(_) | TriggerKind::Reference => true,
                        TriggerKind::Casualty | TriggerKind::NotEvent => false,
                    })
                    .collect(),
            };
            if !in_sentence.iter().any(|h| matches!(row(h).kind, TriggerKind::Event { .. } | TriggerKind::Casualty)) {
                last_place = sentence_place.or(last_place);
                continue;
            }
            // Events of the sentence, one per place they are told of ("سيطرت على شقرة بعد أن
            // سيطرت على وادي حسان" is two): an event word with a town or district just after it
            // is that place's; the others share the sentence's place.
            let own_place = |h: &Hit| {
                places
                    .iter()
                    .copied()
                    .filter(|p| {
                        p.precision.is_some_and(|x| x <= 2) && p.start >= h.span.end && p.start - h.span.end <= 60
                    })
                    .min_by_key(|p| p.start)
            };
            // And one per kind of event: "مواجهات وغارات" is a battle and an air strike.
            let mut groups: Vec<(Option<&Place>, Vec<&Hit>)> = Vec::new();
            let type_of = |h: &Hit| match &row(h).kind {
                TriggerKind::Event { event_type, .. } => precedence(event_type),
                _ => 9,
            };
            // An event word right after a reference word (بعد, قضية, منذ, الذي …) recalls an
            // event rather than reporting it.
            let referred = |h: &Hit| {
                in_sentence.iter().any(|r| row(r).kind == TriggerKind::Reference && r.words.end == h.words.start)
            };
            for h in
                in_sentence.iter().copied().filter(|h| matches!(row(h).kind, TriggerKind::Event { .. }) && !referred(h))
            {
                let p = own_place(h);
                let key = |q: Option<&Place>| q.map(|q| (q.geonames_id.clone(), q.name_ar.clone()));
                match groups.iter_mut().find(|g| key(g.0) == key(p) && type_of(g.1[0]) == type_of(h)) {
                    Some(g) => g.1.push(h),
                    None => groups.push((p, vec![h])),
                }
            }
            // The most specific kind first: it takes the sentence's counts.
            groups.sort_by_key(|g| type_of(g.1[0]));
            // Weapons seized or defused (ضبط … عبوات ناسفة) did not explode: a weapon named as a
            // noun next to such a word is no explosion.
            let disrupted = in_sentence.iter().any(|h| {
                matches!(&row(h).kind, TriggerKind::Event { sub_event_type, .. } if sub_event_type == "Disrupted weapons use")
            });
            if disrupted {
                groups.retain(|g| {
                    !g.1.iter().all(|h| {
                        matches!(&row(h).kind, TriggerKind::Event { event_type, .. } if event_type == "Explosions/Remote violence")
                            && !row(h).pos.starts_with("verb")
                    })
                });
            }
            // Violence the word does not type (قتل, مقتل, هجوم, استهدف), in a sentence with no
            // typed word, is typed by the weapon the sentence names (قصف, غارة, عبوة → remote
            // violence), else by whom the words after it say it struck: armed men (عناصر, جنود,
            // حاجز) → an armed clash, civilians (مدنيين, أطفال) → an attack on civilians;
            // otherwise it is counts only.
            let mut by_target: Option<(String, String)> = None;
            if groups.is_empty()
                && let Some(h) = in_sentence.iter().copied().find(|h| {
                    row(h).kind == TriggerKind::Casualty && row(h).plover.as_ref().is_some_and(|p| p.0 == "ASSAULT")
                })
            {
                let struck = |list: &[&str]| {
                    keys.iter()
                        .flatten()
                        .filter(|k| inside(k.span) && k.span.start >= h.span.end)
                        .any(|k| list.contains(&k.key.as_str()))
                };
                let weapon = keys
                    .iter()
                    .flatten()
                    .filter(|k| inside(k.span))
                    .find_map(|k| REMOTE_WEAPONS.iter().find(|w| w.0 == k.key.as_str()).map(|w| w.1));
                let typed = if let Some(sub) = weapon {
                    Some(("Explosions/Remote violence", sub))
                } else if struck(&CIVILIAN_TARGETS) {
                    Some(("Violence against civilians", "Attack"))
                } else if struck(&ARMED_TARGETS) {
                    Some(("Battles", "Armed clash"))
                } else {
                    None
                };
                if let Some((t, sub)) = typed {
                    by_target = Some((t.to_owned(), sub.to_owned()));
                    groups.push((own_place(h), vec![h]));
                }
            }
            if groups.is_empty() {
                last_place = sentence_place.or(last_place);
                continue;
            }
            let sentence_fallback = sentence_place;
            // The sentence's counts (its first event takes them) and its text as the report model
            // reads it, made once for all its events.
            let sentence_counts = self.counts(&count_hits, *s, &numbers);
            let counts_dead = sentence_counts.killed.is_some() || sentence_counts.injured.is_some();
            let masked = std::cell::OnceCell::new();
            for (group_index, (group_place, hits)) in groups.into_iter().enumerate() {
                let sentence_place = group_place.or(sentence_fallback);
                let Some(trigger) = hits.iter().copied().min_by_key(|h| match &row(h).kind {
                    TriggerKind::Event { event_type, .. } => (precedence(event_type), h.span.start),
                    _ => (9, h.span.start),
                }) else {
                    last_place = sentence_place.or(last_place);
                    continue;
                };
                let t: &Trigger = row(trigger);
                let (event_type, sub_event_type) = match (&t.kind, &by_target) {
                    (TriggerKind::Event { event_type, sub_event_type }, _) => (event_type, sub_event_type),
                    (TriggerKind::Casualty, Some((event_type, sub_event_type))) => (event_type, sub_event_type),
                    _ => continue,
                };
                let modality = in_sentence
                    .iter()
                    .filter_map(|h| match row(h).kind {
                        TriggerKind::Modality(m) => Some((m, h)),
                        _ => None,
                    })
                    // A modality word governs the words just after it; attribution, the sentence.
                    .filter(|(m, h)| {
                        (h.span.start < trigger.span.start && h.words.end + 4 >= trigger.words.start)
                            || *m == Modality::Reported
                    })
                    .map(|(m, _)| m)
                    .min_by_key(|m| match m {
                        Modality::Negated => 0,
                        Modality::Future => 1,
                        Modality::Hypothetical => 2,
                        Modality::Habitual => 3,
                        Modality::Reported => 4,
                        Modality::Asserted => 5,
                    })
                    .unwrap_or(Modality::Asserted);
                let (mut actor1, mut actor2) =
                    pick_actors(input, keys, &actors, *s, trigger, t.pos.starts_with("verb"));
                // Civilians struck are the attack's target, not its actor (قتل ثلاثة مدنيين).
                let civilians = |e: &Entity| {
                    marsad_text::lossy(&e.text)
                        .split_whitespace()
                        .any(|w| CIVILIAN_TARGETS.contains(&w.strip_prefix("ال").unwrap_or(w)))
                };
                if t.kind == TriggerKind::Casualty
                    && event_type == "Violence against civilians"
                    && actor1.as_ref().is_some_and(civilians)
                {
                    (actor1, actor2) = (actor2.filter(|a| !civilians(a)), actor1);
                }
                let sub_event_type = territory_side(sub_event_type, actor1.as_ref());
                // Counts go with the sentence's first event; arrests also with the arrest word.
                let counts = if group_index == 0 { sentence_counts } else { Counts::default() };
                let (fatalities, injured, displaced) = (counts.killed, counts.injured, counts.displaced);
                let arrested = counts.arrested.or_else(|| {
                    (sub_event_type == "Arrests")
                        .then(|| {
                            numbers.iter().find(|n| inside(n.0) && n.1.abs_diff(trigger.words.start) <= 4).map(|n| n.2)
                        })
                        .flatten()
                });
                let (date, date_precision) = published.map_or((None, None), |p| {
                    let d = dates::resolve(
                        p,
                        &times.iter().filter(|h| inside(h.span)).collect::<Vec<_>>(),
                        self.lex,
                        &numbers,
                    );
                    (Some(d.0.format("%Y-%m-%d").to_string()), Some(d.1))
                });
                // A noun alone (الاغتيال, التفجيرات) is as often a reference to a known event or a
                // generality as a report: it is coded when the sentence anchors it in the world —
                // a place, a time, a count or an actor.
                // A verb in the perfect reports; the imperfect (تخطف وتقتل) is as often habitual.
                let reports = matches!(t.pos.as_str(), "verb_perf" | "verb_pass" | "phrase");
                let dated = times.iter().any(|h| inside(h.span));
                // A country named in passing anchors nothing; a town or district does.
                let local = places.iter().any(|p| p.precision.is_some_and(|x| x <= 2));
                let counted = fatalities.is_some() || injured.is_some();
                // A noun with the article (الاغتيال, عمليات الخطف) points back to an event told
                // before or speaks in general: it needs a time or a count of its own.
                // So does a noun naming its victim ("اغتيال الحريري", "اغتيال بوتو"): a known event.
                let named_victim = input.entities.iter().any(|e| {
                    e.entity_type == EntityType::PER && e.start >= trigger.span.end && e.start <= trigger.span.end + 1
                });
                let definite = with_article.get(trigger.words.start).copied().unwrap_or(false) || named_victim;
                let anchored = reports || dated || counted || (!definite && local);
                // Taking ground needs ground: a place named after the verb (احتل … المرتبة is a rank).
                let territorial = matches!(
                    sub_event_type,
                    "Non-state actor overtakes territory"
                        | "Government regains territory"
                        | "Non-violent transfer of territory"
                );
                let ground = places.iter().any(|p| p.start >= trigger.span.end);
                // A sentence that names an earlier year (or any year, undated) tells history.
                let this_year = published.map(|p| chrono::Datelike::year(&p) as u32);
                let historical = numbers
                    .iter()
                    .any(|n| inside(n.0) && (1900..=2100).contains(&n.2) && this_year.is_none_or(|y| n.2 < y));
                // Named in passing, not reported: a model's call (see [`report`]), on the body
                // sentences it learnt from (a headline's event words are its article's news),
                // and not where the sentence counts its dead or wounded, the surest sign of a
                // report.
                let kind = report::ReportKind::of(Some(event_type), t.plover.as_ref().map(|p| p.0.as_str()));
                let passing = matches!(modality, Modality::Asserted | Modality::Reported)
                    && !counts_dead
                    && input.title != Some(*s)
                    && self.reports.is_some_and(|r| {
                        !r.reports(
                            kind,
                            masked.get_or_init(|| report::masked(input.text, *s, input.entities, input.places)),
                        )
                    });
                if !anchored || historical || (territorial && !ground) || passing {
                    last_place = sentence_place.or(last_place);
                    continue;
                }
                let place = sentence_place.or(last_place).or(article_place).cloned();
                last_place = sentence_place.or(last_place);
                // Only asserted and reported events carry an ACLED type: the others are kept, with
                // their modality, for readers, not for event data.
                let coded = matches!(modality, Modality::Asserted | Modality::Reported);
                let confidence = 0.5
                    + if actor1.is_some() { 0.15 } else { 0.0 }
                    + if sentence_place.is_some() { 0.15 } else { 0.0 }
                    + if date_precision == Some(DatePrecision::Day) { 0.1 } else { 0.0 };
                events.push((
                    Event {
                        acled: coded.then(|| AcledType {
                            event_type: event_type.clone(),
                            sub_event_type: sub_event_type.to_owned(),
                        }),
                        plover: t.plover.as_ref().map(|(c, m)| PloverType { category: c.clone(), mode: m.clone() }),
                        cameo: t.cameo.clone(),
                        actor1,
                        actor2,
                        place,
                        date,
                        date_precision,
                        fatalities,
                        injured,
                        arrested,
                        displaced,
                        modality,
                        confidence,
                        evidence: Evidence { start: s.start, end: s.end, text: s.slice(input.text).to_owned() },
                        mentions: vec![Evidence { start: s.start, end: s.end, text: s.slice(input.text).to_owned() }],
                        trigger: Evidence {
                            start: trigger.span.start,
                            end: trigger.span.end,
                            text: trigger.span.slice(input.text).to_owned(),
                        },
                    },
                    dated,
                ));
            }
        }
        let mut events = merge(events);
        fill_battle_sides(&mut events, &actors);
        events
    }

    /// Is the trigger's first word written as the trigger is, up to proclitics? (جرت is no
    /// فجرت.) The segmenter may split a root letter that looks like a clitic off both.
    fn spelled(&self, keys: &[Option<WordKey>], full: &[String], m: &PhraseMatch) -> bool {
        let key: Vec<&str> = keys[m.words.clone()].iter().flatten().map(|k| k.key.as_str()).collect();
        let Some(spellings) = self.lex.trigger_spellings.get(&key.join(" ")) else {
            return true;
        };
        let word = full.get(m.words.start).map_or("", String::as_str);
        spellings.iter().any(|f| marsad_text::keys::proclitics_before(word, f, |_| false).is_some())
    }

    /// Numbers in the text: (span, word index, value), from digits and number words.
    fn numbers(&self, input: &EventInput<'_>, keys: &[Option<WordKey>]) -> Vec<(Span, usize, u32)> {
        let mut out: Vec<(Span, usize, u32)> =
            self.lex.numbers.find(keys).into_iter().map(|m| (m.span, m.words.start, m.value)).collect();
        for (i, pieces) in marsad_text::keys::words(input.tokens).enumerate() {
            if pieces.iter().any(|p| p.kind == TokenKind::Number)
                && let Some(v) = pieces
                    .iter()
                    .find(|p| p.kind == TokenKind::Number)
                    .and_then(|p| p.norm.replace([',', '٬'], "").parse::<f64>().ok())
                && v.fract() == 0.0
                && (0.0..1e7).contains(&v)
            {
                out.push((marsad_text::keys::word_span(pieces), i, v as u32));
            }
        }
        out.sort_by_key(|n| n.1);
        out
    }

    /// Entities that can act and generic actor nouns, in text order. A place name acts only as
    /// a state or its capital ("واشنطن وموسكو"), not as a town where something happened.
    fn actor_candidates(&self, input: &EventInput<'_>, keys: &[Option<WordKey>]) -> Vec<ActorCand> {
        let town = |e: &Entity| {
            input.places.iter().any(|p| {
                p.start < e.end
                    && e.start < p.end
                    && p.via != PlaceVia::Demonym
                    && !matches!(p.feature.as_deref(), Some("A.PCLI" | "P.PPLC"))
            })
        };
        let mut out: Vec<ActorCand> = input
            .entities
            .iter()
            .filter(|e| matches!(e.entity_type, EntityType::ORG | EntityType::PER | EntityType::NORP | EntityType::GPE))
            .filter(|e| e.entity_type != EntityType::GPE || !town(e))
            .map(|e| ActorCand {
                span: Span::new(e.start, e.end),
                entity: e.clone(),
                capital: e.entity_type == EntityType::GPE
                    && input
                        .places
                        .iter()
                        .any(|p| p.start < e.end && e.start < p.end && p.feature.as_deref() == Some("P.PPLC")),
            })
            .collect();
        for m in self.lex.actor_matcher.find(keys) {
            if out.iter().any(|a| a.span.start < m.span.end && m.span.start < a.span.end) {
                continue;
            }
            let (_, kind, en) = &self.lex.actors[m.value as usize];
            out.push(ActorCand {
                capital: false,
                span: m.span,
                entity: Entity {
                    start: m.span.start,
                    end: m.span.end,
                    text: m.span.slice(input.text).to_owned(),
                    entity_type: EntityType::NORP,
                    id: None,
                    name_ar: None,
                    name_en: Some(en.clone()),
                    kind: Some(kind.clone()),
                    nominal: false,
                },
            });
        }
        out.sort_by_key(|a| a.span.start);
        out
    }

    /// The people counted next to count words of the sentence (data/events/counts.tsv):
    /// "مقتل 5", "5 قتلى", "قتل 5 أشخاص", "نزوح 6500".
    fn counts(&self, hits: &[Hit], sentence: Span, numbers: &[(Span, usize, u32)]) -> Counts {
        let mut c = Counts::default();
        for h in hits.iter().filter(|h| sentence.start <= h.span.start && h.span.end <= sentence.end) {
            let near = numbers
                .iter()
                .filter(|n| {
                    n.1 + 2 >= h.words.start && n.1 <= h.words.end + 1 && !(h.words.start..h.words.end).contains(&n.1)
                })
                .min_by_key(|n| n.1.abs_diff(h.words.start))
                .map(|n| n.2);
            let slot = match self.lex.count_kinds[h.value as usize] {
                CountKind::Killed => &mut c.killed,
                CountKind::Injured => &mut c.injured,
                CountKind::Arrested => &mut c.arrested,
                CountKind::Displaced => &mut c.displaced,
            };
            *slot = slot.or(near);
        }
        c
    }
}

/// People counted in a sentence.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    killed: Option<u32>,
    injured: Option<u32>,
    arrested: Option<u32>,
    displaced: Option<u32>,
}

/// The place named most often (ties: the first named).
fn most_named<'p>(places: impl Iterator<Item = &'p Place>) -> Option<&'p Place> {
    let places: Vec<&Place> = places.collect();
    places
        .iter()
        .copied()
        .max_by_key(|p| (places.iter().filter(|q| q.geonames_id == p.geonames_id).count(), std::cmp::Reverse(p.start)))
}

/// Actor 1 acts, actor 2 is acted upon: the actor just before the trigger (SVO) or just after a
/// verb (VSO) is actor 1, the next one after the trigger actor 2; "على يد" / "من قبل" (by) before
/// an actor makes it actor 1 (passive).
fn pick_actors(
    input: &EventInput<'_>,
    keys: &[Option<WordKey>],
    actors: &[ActorCand],
    sentence: Span,
    trigger: &Hit,
    verb: bool,
) -> (Option<Entity>, Option<Entity>) {
    // Actors of the trigger's clause: no colon or dots between them ("مظاهرات البصرة: البرلمان
    // يعقد جلسة" — the parliament did not demonstrate); a state acts as the subject of a verb,
    // not of a noun ("ليبيا.. حسم معركة درنة").
    let between = |a: &ActorCand| {
        let (x, y) = if a.span.end <= trigger.span.start {
            (a.span.end, trigger.span.start)
        } else {
            (trigger.span.end, a.span.start)
        };
        input.text.get(x..y).unwrap_or("")
    };
    let in_s: Vec<&ActorCand> = actors
        .iter()
        .filter(|a| sentence.start <= a.span.start && a.span.end <= sentence.end)
        .filter(|a| !between(a).contains([':', '؛']) && !between(a).contains(".."))
        .filter(|a| verb || a.entity.entity_type != EntityType::GPE)
        .collect();
    // A reported clause ("نقلت سبوتنيك عن مصدر إن الضربات قصفت …") starts after its "إن": the
    // speaker before it did not act.
    let clause_start = keys
        .iter()
        .flatten()
        .filter(|k| k.span.start >= sentence.start && k.span.end <= trigger.span.start)
        .filter(|k| ["ان", "بان", "انه", "انها"].contains(&k.key.as_str()))
        .map(|k| k.span.end)
        .max()
        .unwrap_or(sentence.start);
    let before = in_s.iter().rev().find(|a| a.span.end <= trigger.span.start && a.span.start >= clause_start).copied();
    let after: Vec<&ActorCand> =
        in_s.iter().filter(|a| a.span.start >= trigger.span.end && !a.capital).copied().collect();
    let word_before = |a: &ActorCand| {
        let i = keys.iter().position(|k| k.as_ref().is_some_and(|k| k.span.start >= a.span.start))?;
        let prev: Vec<&str> = keys[i.saturating_sub(2)..i].iter().flatten().map(|k| k.key.as_str()).collect();
        Some(prev.join(" "))
    };
    // The agent of a passive ("على يد", "من قبل"), or of a verbal noun in "غارات لطيران التحالف"
    // (the ل of its first word, right after the trigger).
    let by_lam = |a: &ActorCand| {
        input.text[..a.span.start].ends_with('ل')
            && a.span.start >= trigger.span.end
            && a.span.start - trigger.span.end <= 3
    };
    let agent = after
        .iter()
        .find(|a| word_before(a).is_some_and(|w| w.ends_with("علي يد") || w.ends_with("من قبل")) || by_lam(a));
    let pair = match agent {
        Some(agent) => {
            let patient = before.or_else(|| after.iter().find(|a| a.span != agent.span).copied());
            (Some(agent.entity.clone()), patient.map(|a| a.entity.clone()))
        }
        None => match before {
            Some(b) => (Some(b.entity.clone()), after.first().map(|a| a.entity.clone())),
            None => (after.first().map(|a| a.entity.clone()), after.get(1).map(|a| a.entity.clone())),
        },
    };
    // One actor is not both sides.
    let pair = match pair {
        (Some(a), Some(b)) if a.text == b.text => (Some(a), None),
        other => other,
    };
    // Civilians are the ones violence is done to ("قتل ثلاثة مدنيين"), unless another is named.
    match pair {
        (Some(a), None) if a.kind.as_deref() == Some("civilians") => (None, Some(a)),
        other => other,
    }
}

/// Who took the territory decides ACLED's sub-event type.
fn territory_side<'a>(sub: &'a str, actor1: Option<&Entity>) -> &'a str {
    if sub != "Government regains territory" && sub != "Non-state actor overtakes territory" {
        return sub;
    }
    match actor1.and_then(|a| a.kind.as_deref()) {
        Some("state_force" | "government") => "Government regains territory",
        Some(_) => "Non-state actor overtakes territory",
        None => sub,
    }
}

/// Repeated mentions of one event (same type, place and date) become one; the first mention's
/// evidence is kept and missing roles and counts are filled from the later ones.
fn merge(events: Vec<(Event, bool)>) -> Vec<Event> {
    let mut out: Vec<(Event, bool)> = Vec::new();
    for (e, told) in events {
        // A date defaulted to publication (a headline's) agrees with any told date.
        let same = out.iter_mut().find(|(o, o_told)| {
            o.acled.is_some()
                && o.acled == e.acled
                && same_place(o.place.as_ref(), e.place.as_ref())
                && (o.date == e.date || !told || !*o_told)
        });
        match same {
            Some((o, o_told)) => {
                // The more precise place of the two ("اعتقال 41 في العراق" then "… في بغداد").
                let rank = |e: &Event| {
                    e.place.as_ref().map(|p| (p.feature.as_deref() == Some("A.PCLI"), p.precision.unwrap_or(9)))
                };
                if rank(&e).is_some_and(|r| rank(o).is_none_or(|q| r < q)) {
                    o.place = e.place.clone();
                }
                if told && !*o_told {
                    // A headline's event takes its report's date and sentence.
                    o.date = e.date.clone();
                    o.evidence = e.evidence.clone();
                    o.trigger = e.trigger.clone();
                    *o_told = true;
                }
                o.mentions.extend(e.mentions.iter().cloned());
                o.actor1 = o.actor1.take().or(e.actor1);
                o.actor2 = o.actor2.take().or(e.actor2);
                o.fatalities = o.fatalities.max(e.fatalities);
                o.injured = o.injured.max(e.injured);
                o.arrested = o.arrested.max(e.arrested);
                o.displaced = o.displaced.max(e.displaced);
                o.confidence = o.confidence.max(e.confidence);
            }
            None => out.push((e, told)),
        }
    }
    out.into_iter().map(|(e, _)| e).collect()
}

/// A battle told without its sides ("حسم معركة درنة") is fought by the armed actors the
/// article names most.
fn fill_battle_sides(events: &mut [Event], actors: &[ActorCand]) {
    let armed = |a: &&ActorCand| matches!(a.entity.kind.as_deref(), Some("state_force" | "rebel_group" | "militia"));
    let mut counts: Vec<(&ActorCand, usize)> = Vec::new();
    for a in actors.iter().filter(armed) {
        let key = a.entity.id.clone().unwrap_or_else(|| a.entity.text.clone());
        match counts.iter_mut().find(|(b, _)| b.entity.id.clone().unwrap_or_else(|| b.entity.text.clone()) == key) {
            Some(c) => c.1 += 1,
            None => counts.push((a, 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    for e in events.iter_mut() {
        let battle = e.acled.as_ref().is_some_and(|a| a.event_type == "Battles");
        if battle && e.actor1.is_none() && e.actor2.is_none() && counts.len() >= 2 {
            e.actor1 = Some(counts[0].0.entity.clone());
            e.actor2 = Some(counts[1].0.entity.clone());
        }
    }
}

/// One place, or a country and a place in it.
fn same_place(a: Option<&Place>, b: Option<&Place>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            let id = |p: &Place| (p.geonames_id.clone(), p.name_ar.clone());
            let country = |p: &Place| p.feature.as_deref() == Some("A.PCLI");
            // A quarter placed at its town (via nearby) shares the town's point.
            let same_point = matches!((a.lat, a.lon, b.lat, b.lon), (Some(w), Some(x), Some(y), Some(z))
                if (w - y).abs() < 0.02 && (x - z).abs() < 0.02);
            id(a) == id(b)
                || same_point
                || ((country(a) || country(b)) && a.country.is_some() && a.country == b.country)
        }
        (None, None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests;
