//! The event knowledge, as data: triggers (data/events/triggers.tsv), generic actor nouns
//! (actors.tsv), number words (numbers.tsv) and time words (time.tsv), each compiled into a
//! phrase matcher over clitic-free word keys.

use marsad_core::Modality;
use marsad_kb::PhraseMatcher;
use marsad_text::Tokenizer;
use marsad_text::keys::phrase_key;

/// What a trigger word says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TriggerKind {
    /// An event of this ACLED type and sub-event type.
    Event { event_type: String, sub_event_type: String },
    /// Violence whose type the word does not fix (قتل, مقتل, إصابة): counts, not events.
    Casualty,
    /// Something a naive coder takes for an event but is not (an accident, a threat, a meeting).
    NotEvent,
    /// A word after which an event word names an event told elsewhere, or events in general,
    /// rather than reporting one: "بعد اغتيال", "قضية خطف", "ذكرى تفجير", "الذي اختطف".
    Reference,
    /// A word that changes the modality of the events near it (لم, سوف, نفى, بحسب, ما زال).
    Modality(Modality),
}

/// One trigger row.
#[derive(Clone, Debug)]
pub struct Trigger {
    pub text: String,
    pub pos: String,
    pub kind: TriggerKind,
    /// PLOVER category and mode ("ASSAULT", "aerial").
    pub plover: Option<(String, Option<String>)>,
    pub cameo: Option<String>,
}

/// A problem with event data, with its line.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: line {line}: {message}")]
pub struct EventDataError {
    pub source_name: String,
    pub line: usize,
    pub message: String,
}

/// ACLED's event types and their sub-event types (the exact strings).
pub const ACLED: [(&str, &[&str]); 6] = [
    ("Battles", &["Armed clash", "Government regains territory", "Non-state actor overtakes territory"]),
    (
        "Explosions/Remote violence",
        &[
            "Chemical weapon",
            "Air/drone strike",
            "Suicide bomb",
            "Shelling/artillery/missile attack",
            "Remote explosive/landmine/IED",
            "Grenade",
        ],
    ),
    ("Violence against civilians", &["Sexual violence", "Attack", "Abduction/forced disappearance"]),
    ("Protests", &["Peaceful protest", "Protest with intervention", "Excessive force against protesters"]),
    ("Riots", &["Violent demonstration", "Mob violence"]),
    (
        "Strategic developments",
        &[
            "Agreement",
            "Arrests",
            "Change to group/activity",
            "Disrupted weapons use",
            "Headquarters or base established",
            "Looting/property destruction",
            "Non-violent transfer of territory",
            "Other",
        ],
    ),
];

/// Verb endings a lexicon row's verb also takes in text (اقتحم → اقتحموا, اقتحمت; يقتل → يقتلون).
const PERFECT_ENDINGS: [&str; 5] = ["وا", "ت", "تا", "ا", "ن"];
const IMPERFECT_ENDINGS: [&str; 3] = ["ون", "ان", "ن"];

fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#')).map(|(i, l)| (i + 1, l))
}

/// The compiled event lexicons.
pub struct Lexicons {
    pub triggers: Vec<Trigger>,
    pub trigger_matcher: PhraseMatcher,
    /// Phrase key → how the first word of each trigger with that key is written (full keys,
    /// clitics included): فجرت and جرت share the key جرت, but only one is a trigger.
    pub trigger_spellings: std::collections::HashMap<String, Vec<String>>,
    /// Generic actor nouns: (Arabic, kind, English).
    pub actors: Vec<(String, String, String)>,
    pub actor_matcher: PhraseMatcher,
    pub numbers: PhraseMatcher,
    /// Words counts attach to: value = index into `count_kinds`.
    pub counts: PhraseMatcher,
    pub count_kinds: Vec<CountKind>,
    /// Time words: value = index into `times`.
    pub times: Vec<TimeWord>,
    pub time_matcher: PhraseMatcher,
}

/// What a count next to a word counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountKind {
    Killed,
    Injured,
    Arrested,
    Displaced,
}

/// What a time word means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeWord {
    /// Days from the publication date.
    Day(i64),
    /// 0 = Monday … 6 = Sunday.
    Weekday(u32),
    Month(u32),
    /// A Hijri month, 1..12.
    HijriMonth(u32),
}

impl Lexicons {
    pub fn parse(
        triggers: (&str, &str),
        actors: (&str, &str),
        numbers: (&str, &str),
        times: (&str, &str),
        counts: (&str, &str),
        tokenizer: &Tokenizer<'_>,
    ) -> Result<Lexicons, EventDataError> {
        let key = |s: &str| phrase_key(tokenizer, s);
        let err = |source: &str, line: usize, message: String| EventDataError {
            source_name: source.to_owned(),
            line,
            message,
        };

        let mut rows = Vec::new();
        let mut trigger_keys = Vec::new();
        let mut spellings: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
        for (line, l) in data_lines(triggers.1).skip(1) {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() < 6 {
                return Err(err(triggers.0, line, format!("{} fields, expected 7", f.len())));
            }
            let kind = match f[2].trim() {
                "NONE" => TriggerKind::NotEvent,
                "REFERENCE" => TriggerKind::Reference,
                "MODALITY" => TriggerKind::Modality(match f[3].trim() {
                    "negated" => Modality::Negated,
                    "hypothetical" => Modality::Hypothetical,
                    "future" => Modality::Future,
                    "reported" => Modality::Reported,
                    "habitual" => Modality::Habitual,
                    other => return Err(err(triggers.0, line, format!("unknown modality {other:?}"))),
                }),
                "" => TriggerKind::Casualty,
                t => {
                    let Some((_, subs)) = ACLED.iter().find(|(et, _)| *et == t) else {
                        return Err(err(triggers.0, line, format!("unknown ACLED event type {t:?}")));
                    };
                    let sub = f[3].trim();
                    if !subs.contains(&sub) {
                        return Err(err(triggers.0, line, format!("{sub:?} is not a sub-event type of {t:?}")));
                    }
                    TriggerKind::Event { event_type: t.to_owned(), sub_event_type: sub.to_owned() }
                }
            };
            let plover = (!f[4].trim().is_empty()).then(|| match f[4].trim().split_once(':') {
                Some((c, m)) => (c.to_owned(), Some(m.to_owned())),
                None => (f[4].trim().to_owned(), None),
            });
            let idx = rows.len() as u32;
            let text = f[0].trim().to_owned();
            let pos = f[1].trim().to_owned();
            let mut forms = vec![text.clone()];
            if !text.contains(' ') {
                let endings: &[&str] = match pos.as_str() {
                    "verb_perf" | "verb_pass" => &PERFECT_ENDINGS,
                    "verb_imperf" => &IMPERFECT_ENDINGS,
                    _ => &[],
                };
                forms.extend(endings.iter().map(|e| format!("{text}{e}")));
            }
            for form in &forms {
                if let Some(k) = key(form) {
                    let tokens = tokenizer.tokenize(form);
                    if let Some(first) = marsad_text::keys::words(&tokens).next() {
                        spellings.entry(k.clone()).or_default().push(marsad_text::keys::full_key(first));
                    }
                    trigger_keys.push((k, idx));
                }
            }
            rows.push(Trigger {
                text,
                pos,
                kind,
                plover,
                cameo: Some(f[5].trim().to_owned()).filter(|c| !c.is_empty()),
            });
        }
        // The row as listed wins over a derived verb form of another row.
        trigger_keys.sort_by_key(|(k, i)| (k.clone(), rows[*i as usize].text != *k, *i));

        let mut actor_rows = Vec::new();
        let mut actor_keys = Vec::new();
        for (line, l) in data_lines(actors.1) {
            let f: Vec<&str> = l.split('\t').collect();
            let [ar, kind, en] = f[..] else {
                return Err(err(actors.0, line, "expected word<TAB>kind<TAB>English".to_owned()));
            };
            if let Some(k) = key(ar) {
                actor_keys.push((k, actor_rows.len() as u32));
            }
            actor_rows.push((ar.to_owned(), kind.to_owned(), en.to_owned()));
        }

        let mut number_keys = Vec::new();
        for (line, l) in data_lines(numbers.1) {
            let (w, v) =
                l.split_once('\t').ok_or_else(|| err(numbers.0, line, "expected word<TAB>value".to_owned()))?;
            let v: u32 = v.trim().parse().map_err(|_| err(numbers.0, line, format!("{v:?} is not a number")))?;
            if let Some(k) = key(w) {
                number_keys.push((k, v));
            }
        }

        let mut time_rows = Vec::new();
        let mut time_keys = Vec::new();
        for (line, l) in data_lines(times.1) {
            let (w, m) =
                l.split_once('\t').ok_or_else(|| err(times.0, line, "expected word<TAB>meaning".to_owned()))?;
            let bad = || err(times.0, line, format!("meaning {m:?} is not day:N, weekday:N, month:N or hijri:N"));
            let (what, n) = m.trim().split_once(':').ok_or_else(bad)?;
            let word = match what {
                "day" => TimeWord::Day(n.parse().map_err(|_| bad())?),
                "weekday" => TimeWord::Weekday(n.parse().ok().filter(|d| *d < 7).ok_or_else(bad)?),
                "month" => TimeWord::Month(n.parse().ok().filter(|m| (1..=12).contains(m)).ok_or_else(bad)?),
                "hijri" => TimeWord::HijriMonth(n.parse().ok().filter(|m| (1..=12).contains(m)).ok_or_else(bad)?),
                _ => return Err(bad()),
            };
            if let Some(k) = key(w) {
                time_keys.push((k, time_rows.len() as u32));
            }
            time_rows.push(word);
        }

        let mut count_kinds = Vec::new();
        let mut count_keys = Vec::new();
        for (line, l) in data_lines(counts.1) {
            let (w, k) = l.split_once('\t').ok_or_else(|| err(counts.0, line, "expected word<TAB>what".to_owned()))?;
            let kind = match k.trim() {
                "killed" => CountKind::Killed,
                "injured" => CountKind::Injured,
                "arrested" => CountKind::Arrested,
                "displaced" => CountKind::Displaced,
                other => return Err(err(counts.0, line, format!("unknown count {other:?}"))),
            };
            if let Some(k) = key(w) {
                count_keys.push((k, count_kinds.len() as u32));
            }
            count_kinds.push(kind);
        }

        Ok(Lexicons {
            counts: PhraseMatcher::new(count_keys),
            count_kinds,
            trigger_matcher: PhraseMatcher::new(trigger_keys),
            trigger_spellings: spellings,
            triggers: rows,
            actor_matcher: PhraseMatcher::new(actor_keys),
            actors: actor_rows,
            numbers: PhraseMatcher::new(number_keys),
            time_matcher: PhraseMatcher::new(time_keys),
            times: time_rows,
        })
    }
}
