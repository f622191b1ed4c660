//! Quotes and attributions: direct quotes («…», "…", “…”) and reported speech (قال … إن,
//! أعلنت …, بحسب …), each with its speaker (the subject of the speech verb; "وأضاف" with no
//! subject goes on with the last speaker), the cue and the channel (twitter, statement, press
//! conference, agency, interview) when the sentence names it.

use marsad_core::{Entity, EntityType, Quote, Span, Speaker};
use marsad_kb::PhraseMatcher;
use marsad_text::keys::WordKey;

/// What a speech cue does (data/events/speech.tsv).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CueKind {
    Say,
    Continue,
    Source,
    /// The head of a speaker phrase (متحدث, وزارة, مصادر), not a cue.
    Head,
}

pub struct SpeechCues {
    pub matcher: PhraseMatcher,
    pub kinds: Vec<CueKind>,
    /// Word keys of speaker heads.
    pub heads: std::collections::HashSet<String>,
}

/// Words that end a speaker's name after the verb: that (إن, أن, بأن), a preposition of the
/// channel (في بيان), for (ل: لوكالة), to.
const SPEAKER_END: [&str; 15] =
    ["ان", "انه", "انها", "بان", "في", "خلال", "عبر", "علي", "امس", "اليوم", "عن", "التي", "الذي", "الذين", "ذي"];

/// Definite heads that stand for the organisation named last (lossy forms).
const GENERIC_HEADS: [&str; 14] = [
    "المنظمه",
    "الوكاله",
    "الوزاره",
    "الهييه",
    "اللجنه",
    "الحركه",
    "الجماعه",
    "المفوضيه",
    "الصحيفه",
    "الخليه",
    "القياده",
    "التقرير",
    "المركز",
    "البيان",
];

/// Channel words (lossy keys) and the channel they name.
const CHANNELS: [(&str, &str); 9] = [
    ("تغريده", "twitter"),
    ("تويتر", "twitter"),
    ("بيان", "statement"),
    ("مؤتمر", "press conference"),
    ("وكاله", "agency"),
    ("تصريح", "interview"),
    ("تصريحات", "interview"),
    ("مقابله", "interview"),
    ("حديث", "interview"),
];

/// Verb endings of the plural and dual (قالوا, أكدا).
const ENDINGS: [&str; 3] = ["وا", "ا", "ن"];

impl SpeechCues {
    pub fn parse(
        text: &str,
        tokenizer: &marsad_text::Tokenizer<'_>,
    ) -> Result<SpeechCues, crate::lexicon::EventDataError> {
        let mut kinds = Vec::new();
        let mut keys = Vec::new();
        let mut heads = std::collections::HashSet::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (w, k) = line.split_once('\t').unwrap_or((line, ""));
            let kind = match k.trim() {
                "say" => CueKind::Say,
                "continue" => CueKind::Continue,
                "source" => CueKind::Source,
                "head" => CueKind::Head,
                other => {
                    return Err(crate::lexicon::EventDataError {
                        source_name: "data/events/speech.tsv".to_owned(),
                        line: i + 1,
                        message: format!("unknown cue kind {other:?}"),
                    });
                }
            };
            if kind == CueKind::Head {
                heads.extend(marsad_text::keys::phrase_key(tokenizer, w.trim()));
                continue;
            }
            let idx = kinds.len() as u32;
            kinds.push(kind);
            // The segmenter leaves frequent words whole (وأضاف, وقال): their و forms are listed too.
            let forms: Vec<String> =
                std::iter::once(w.to_owned()).chain(ENDINGS.iter().map(|e| format!("{w}{e}"))).collect();
            let with_and = forms.iter().map(|f| format!("و{f}")).collect::<Vec<_>>();
            keys.extend(
                forms
                    .iter()
                    .chain(&with_and)
                    .filter_map(|f| marsad_text::keys::phrase_key(tokenizer, f))
                    .map(|k| (k, idx)),
            );
        }
        Ok(SpeechCues { matcher: PhraseMatcher::new(keys), kinds, heads })
    }
}

/// Finds the quotes of a text, sentence by sentence.
pub fn quotes(
    text: &str,
    keys: &[Option<WordKey>],
    sentences: &[Span],
    entities: &[Entity],
    cues: &SpeechCues,
) -> Vec<Quote> {
    let found = cues.matcher.find(keys);
    let mut out: Vec<Quote> = Vec::new();
    let mut last_speaker: Option<Speaker> = None;
    for s in sentences {
        let inside = |span: Span| s.start <= span.start && span.end <= s.end;
        let in_sentence: Vec<&marsad_kb::PhraseMatch> = found.iter().filter(|m| inside(m.span)).collect();
        let words: Vec<(usize, &WordKey)> = keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| k.as_ref().map(|k| (i, k)))
            .filter(|(_, k)| inside(k.span))
            .collect();
        let channel =
            words.iter().find_map(|(_, k)| CHANNELS.iter().find(|(w, _)| *w == k.key).map(|(_, c)| (*c).to_owned()));
        // A quotation in marks with no verb of saying goes on with the last speaker.
        if in_sentence.is_empty()
            && let Some(q) = quotation(text, *s)
            && last_speaker.is_some()
        {
            out.push(Quote {
                start: q.start,
                end: q.end,
                text: q.slice(text).to_owned(),
                speaker: last_speaker.clone(),
                cue: None,
                channel: channel.clone(),
            });
        }
        for (ci, cue) in in_sentence.iter().enumerate() {
            // What this cue reports ends where the next cue begins.
            let until = in_sentence.get(ci + 1).map_or(s.end, |n| n.span.start);
            let speaker =
                speaker_of(text, keys, &words, entities, cues, cues.kinds[cue.value as usize], cue, *s, &last_speaker);
            // The quoted words: a quotation in marks, else from "إن" (or the verb) on.
            let quoted = quotation(text, Span::new(cue.span.end, until)).unwrap_or_else(|| {
                let start = words
                    .iter()
                    .find(|(i, k)| {
                        *i >= cue.words.end
                            && k.span.end <= until
                            && ["ان", "انه", "انها", "بان"].contains(&k.key.as_str())
                    })
                    .map(|(_, k)| k.span.end)
                    .unwrap_or(cue.span.end);
                Span::new(start, until)
            });
            if speaker.is_some() {
                last_speaker = speaker.clone();
            }
            let trim = |c: char| c.is_whitespace() || "،,.:«»\"“”".contains(c);
            let raw = quoted.slice(text);
            let lead = raw.len() - raw.trim_start_matches(trim).len();
            let quoted = Span::new(quoted.start + lead, quoted.end.max(quoted.start + lead));
            if quoted.slice(text).trim_matches(trim).is_empty() {
                continue;
            }
            out.push(Quote {
                start: quoted.start,
                end: quoted.end,
                text: quoted.slice(text).to_owned(),
                speaker,
                cue: Some(cue.span.slice(text).to_owned()),
                channel: channel.clone(),
            });
        }
    }
    out
}

/// Who speaks: an organisation or person just before the verb (SVO: "القيادة أعلنت"), else
/// the words after it up to "إن", a channel or punctuation (VSO: "قال المتحدث باسم الجيش"),
/// else, for وأضاف and the like, the last speaker. A title alone ("الرئيس الأمريكي") is resolved
/// to the person named with it earlier ("الرئيس الأمريكي دونالد ترامب").
#[allow(clippy::too_many_arguments)]
fn speaker_of(
    text: &str,
    keys: &[Option<WordKey>],
    words: &[(usize, &WordKey)],
    entities: &[Entity],
    cues: &SpeechCues,
    kind: CueKind,
    cue: &marsad_kb::PhraseMatch,
    sentence: Span,
    last: &Option<Speaker>,
) -> Option<Speaker> {
    let actor = |e: &&Entity| matches!(e.entity_type, EntityType::PER | EntityType::ORG);
    let of_entity = |e: &Entity, text_span: Option<Span>| Speaker {
        text: text_span.map_or_else(|| e.text.clone(), |sp| sp.slice(text).to_owned()),
        id: e.id.clone(),
        name_ar: e.name_ar.clone().or_else(|| Some(e.text.clone())),
        name_en: e.name_en.clone(),
    };
    // SVO: an actor ending at most one word before the verb.
    let prev_word =
        cue.words.start.checked_sub(2).and_then(|i| keys.get(i..cue.words.start)).map(|w| w.iter().flatten().next());
    let svo = entities.iter().filter(actor).find(|e| {
        e.end <= cue.span.start
            && e.start >= sentence.start
            && prev_word.flatten().is_none_or(|w| e.end >= w.span.start)
    });
    if let Some(e) = svo {
        return Some(of_entity(e, None));
    }
    // "… بأن قيادة العمليات أعلنت …": the words between "أن" and the verb are its subject.
    let before: Vec<&(usize, &WordKey)> = words.iter().filter(|(i, _)| *i < cue.words.start).collect();
    if let Some(that) = before.iter().rposition(|(_, k)| ["ان", "بان"].contains(&k.key.as_str()))
        && before.len() - that > 1
        && before.len() - that - 1 <= 5
        && before.last().is_some_and(|(i, _)| i + 1 == cue.words.start)
    {
        let sp = Span::new(before[that + 1].1.span.start, before[before.len() - 1].1.span.end);
        let e = entities.iter().filter(actor).find(|e| e.start >= sp.start && e.end <= sp.end);
        return Some(match e {
            Some(e) => of_entity(e, Some(sp)),
            None => Speaker { text: sp.slice(text).to_owned(), id: None, name_ar: None, name_en: None },
        });
    }
    let after: Vec<&(usize, &WordKey)> = words.iter().filter(|(i, _)| *i >= cue.words.end).collect();
    let mut name_end = None;
    for (n, (i, k)) in after.iter().enumerate() {
        let gap = n > 0 && *i != after[n - 1].0 + 1;
        if gap || SPEAKER_END.contains(&k.key.as_str()) || n >= 7 {
            break;
        }
        name_end = Some(n);
    }
    let span = name_end.map(|n| Span::new(after[0].1.span.start, after[n].1.span.end));
    let inner = |sp: Span| entities.iter().filter(actor).find(|e| e.start >= sp.start && e.end <= sp.end);
    // The words after the verb name a speaker when a name or a speaker head (المتحدث, وزارة,
    // مصادر) begins them.
    let headed = after.iter().take(2).any(|(_, k)| cues.heads.contains(&k.key));
    let names_one = |sp: Span| inner(sp).is_some_and(|e| e.start <= after[0].1.span.end + 1) || headed;
    match span {
        Some(sp) if names_one(sp) => match inner(sp) {
            Some(e) => Some(of_entity(e, Some(sp))),
            None => {
                // A title alone: the person named right after the same title, here or earlier.
                let title = sp.slice(text);
                let person = text[..sentence.end].match_indices(title).find_map(|(at, _)| {
                    let end = at + title.len();
                    // "الرئيس الأمريكي دونالد ترامب", "الرئيس الأمريكي، دونالد ترامب".
                    entities.iter().find(|e| {
                        e.entity_type == EntityType::PER
                            && e.start >= end
                            && text.get(end..e.start).is_some_and(|gap| {
                                gap.len() <= 4 && gap.chars().all(|c| c == ' ' || c == '،' || c == ',')
                            })
                    })
                });
                // A definite head alone (المنظمة, الوكالة, التقرير): the organisation named last.
                let org = (GENERIC_HEADS.contains(&marsad_text::lossy(title.trim()).as_str()))
                    .then(|| entities.iter().rev().find(|e| e.entity_type == EntityType::ORG && e.end <= sp.start))
                    .flatten();
                Some(match person.or(org) {
                    Some(p) => Speaker { text: title.to_owned(), ..of_entity(p, None) },
                    None => Speaker { text: title.to_owned(), id: None, name_ar: None, name_en: None },
                })
            }
        },
        _ if matches!(kind, CueKind::Continue | CueKind::Say) => last.clone(),
        _ => None,
    }
}

/// A quotation in marks inside the sentence: «…», “…” or "…", of two words or more.
fn quotation(text: &str, s: Span) -> Option<Span> {
    let body = s.slice(text);
    for (open, close) in [('«', '»'), ('“', '”'), ('"', '"')] {
        if let Some(a) = body.find(open) {
            let from = a + open.len_utf8();
            if let Some(b) = body[from..].find(close)
                && body[from..from + b].split_whitespace().count() >= 2
            {
                return Some(Span::new(s.start + from, s.start + from + b));
            }
        }
    }
    None
}
