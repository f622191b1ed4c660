//! Clitic segmentation of Arabic words: وبالحشد → و + ب + ال + حشد; حكومته → حكومت(ة) + ه.
//!
//! Hand-written: no Rust crate segments Arabic clitics, and Farasa/MADAMIRA-style models cannot
//! ship here. The rules follow the clitic order of Arabic orthography,
//! `[و|ف]? [ب|ك|ل|س]? [ال]? STEM [ه|ها|هم|هما|هن|كم|كما|كن|نا|ي]?`, and every split is checked
//! against word frequencies from the reference corpora (data/text/wordfreq.tsv): a letter is
//! peeled off only when what remains is itself a frequent enough word. That is what keeps
//! names whole — بغداد is not ب+غداد (غداد never occurs), وليد is not و+ليد, لبنان is not ل+بنان —
//! while وقال, والمسلحين, للجيش, بالرقة split. Words the frequencies get wrong are listed in
//! data/text/no_split.txt.
//!
//! Known false positives: a rare word whose remainder is a frequent word (وحدة is protected by
//! the list; an unlisted one like وصف may become و+صف). Known false negatives: the enclitic ي
//! is split only after prepositions (لي, مني), because nisba adjectives (سوري, مصري) are far
//! more frequent in news than "my". The article stays on names whose bare form is rare
//! (الرقة, الموصل): consistently, so بالرقة is ب + الرقة.

use crate::chars::is_arabic_letter;
use crate::lexicon::Lexicon;
use crate::normalize::Normalizer;
use marsad_core::Span;

/// The role of a piece of an Arabic word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PieceRole {
    /// و ف (conjunctions), ب ك ل (prepositions), س (future).
    Proclitic,
    /// The definite article ال (written ل after the preposition ل: للجيش).
    Article,
    /// The word itself; also every non-Arabic token.
    Stem,
    /// Pronoun suffixes ه ها هم هما هن كم كما كن نا ي.
    Enclitic,
}

impl PieceRole {
    pub const fn as_str(self) -> &'static str {
        match self {
            PieceRole::Proclitic => "proclitic",
            PieceRole::Article => "article",
            PieceRole::Stem => "stem",
            PieceRole::Enclitic => "enclitic",
        }
    }
}

/// One piece of a word: span relative to the word's start, role, normalized form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub span: Span,
    pub role: PieceRole,
    pub norm: String,
}

/// A normalized letter and the bytes of the word it came from (marks after it included).
#[derive(Clone, Copy)]
struct Letter {
    c: char,
    start: usize,
    end: usize,
}

/// Minimum share of the whole word's frequency that the remainder must have for a conjunction
/// or preposition to be peeled (وأكد/أكد ≈ 0.5 passes; وزير/زير ≈ 0.001 fails).
const PROCLITIC_RATIO: f64 = 0.1;
/// The same for the article: ال is productive, so the remainder only has to exist
/// (المانيا/مانيا fails, البغدادي/بغدادي passes).
const ARTICLE_RATIO: f64 = 0.01;
/// The same for enclitics (ه is stricter: final ه is often a misspelt ة).
const ENCLITIC_RATIO: f64 = 0.1;
const HA_ENCLITIC_RATIO: f64 = 0.2;

const ENCLITICS: [&str; 10] = ["هما", "كما", "هم", "هن", "كم", "كن", "ها", "نا", "ه", "ي"];

fn letters_of(surface: &str) -> Vec<Letter> {
    let mut letters: Vec<Letter> = Vec::with_capacity(surface.len() / 2);
    let lossless = Normalizer::lossless();
    for (i, c) in surface.char_indices() {
        let end = i + c.len_utf8();
        lossless.map_char(c, |d| {
            if is_arabic_letter(d) {
                letters.push(Letter { c: d, start: i, end });
            }
        });
        // A mark (or anything dropped) extends the previous letter.
        if let Some(last) = letters.last_mut()
            && last.end < end
        {
            last.end = end;
        }
    }
    letters
}

/// Splits one Arabic word (its surface, possibly with diacritics) into pieces.
pub fn segment_word(lex: &Lexicon, surface: &str) -> Vec<Piece> {
    let letters = letters_of(surface);
    let whole = || {
        vec![Piece {
            span: Span::new(0, surface.len()),
            role: PieceRole::Stem,
            norm: letters.iter().map(|l| l.c).collect(),
        }]
    };
    if letters.len() < 2 {
        return whole();
    }
    let chars: Vec<char> = letters.iter().map(|l| l.c).collect();
    // Most words can hold no clitic at all: no clitic letter at either end.
    let may_proclitic = matches!(chars[0], 'و' | 'ف' | 'ب' | 'ك' | 'ل' | 'س' | 'ا');
    let may_enclitic = matches!(chars[chars.len() - 1], 'ه' | 'ا' | 'م' | 'ن' | 'ي');
    if !may_proclitic && !may_enclitic {
        return whole();
    }
    let word: String = chars.iter().collect();
    if lex.is_no_split(&word) {
        return whole();
    }
    let plan = plan(lex, &chars, &word);
    if plan.cuts.is_empty() && plan.enclitic_from.is_none() {
        return whole();
    }
    // Turn letter-index cuts into byte spans; a cut inside one source character (a ligature
    // such as ﻻ that normalizes to two letters) is impossible, so such plans fall back to whole.
    let mut cuts = plan.cuts;
    let stem_end = plan.enclitic_from.unwrap_or(chars.len());
    cuts.push((stem_end, PieceRole::Stem, plan.stem_norm));
    if stem_end < chars.len() {
        cuts.push((chars.len(), PieceRole::Enclitic, None));
    }
    let mut pieces = Vec::with_capacity(cuts.len());
    let mut from = 0usize;
    for (to, role, norm) in cuts {
        let start = if from == 0 { 0 } else { letters[from].start };
        let end = if to == chars.len() { surface.len() } else { letters[to].start };
        if from >= to || start >= end {
            return whole();
        }
        let norm = norm.unwrap_or_else(|| chars[from..to].iter().collect());
        pieces.push(Piece { span: Span::new(start, end), role, norm });
        from = to;
    }
    pieces
}

/// A segmentation decision: proclitic cuts (end letter index, role, restored norm), then an
/// optional enclitic start and a restored stem form.
struct Plan {
    cuts: Vec<(usize, PieceRole, Option<String>)>,
    enclitic_from: Option<usize>,
    stem_norm: Option<String>,
}

/// A word's normalized letters with the byte offset of each in the normalized string, so that
/// any run of letters is a `&str` without allocating.
struct Letters<'a> {
    chars: &'a [char],
    word: &'a str,
    offsets: Vec<usize>,
}

impl<'a> Letters<'a> {
    fn new(chars: &'a [char], word: &'a str) -> Self {
        let mut offsets = Vec::with_capacity(chars.len() + 1);
        let mut o = 0;
        for c in chars {
            offsets.push(o);
            o += c.len_utf8();
        }
        offsets.push(o);
        Letters { chars, word, offsets }
    }

    /// Letters `a..b` as a string slice.
    fn str(&self, a: usize, b: usize) -> &'a str {
        &self.word[self.offsets[a]..self.offsets[b]]
    }

    fn len(&self) -> usize {
        self.chars.len()
    }
}

fn plan(lex: &Lexicon, chars: &[char], word: &str) -> Plan {
    let w = Letters::new(chars, word);
    let n = w.len();
    let mut cuts = Vec::new();
    let mut pos = 0;
    // Clitic order: conjunction, then preposition or future, then article.
    let mut may_conj = true;
    let mut may_prep = true;
    let mut has_article = false;
    let mut has_future = false;
    loop {
        let cur_len = n - pos;
        let cur = w.str(pos, n);
        if cur_len < 3 || lex.is_no_split(cur) {
            break;
        }
        let (c0, c1) = (w.chars[pos], w.chars[pos + 1]);
        // ال: the article.
        if c0 == 'ا' && c1 == 'ل' && accept_article(lex, cur, w.str(pos + 2, n), cur_len - 2) {
            cuts.push((pos + 2, PieceRole::Article, None));
            has_article = true;
            break;
        }
        // لل: the preposition ل before the article, whose alef is not written.
        if may_prep && c0 == 'ل' && c1 == 'ل' && cur_len >= 4 {
            let host = format!("ا{}", w.str(pos + 1, n));
            if accept_article(lex, cur, &host, cur_len) {
                cuts.push((pos + 1, PieceRole::Proclitic, None));
                cuts.push((pos + 2, PieceRole::Article, Some("ال".to_owned())));
                has_article = true;
                break;
            }
        }
        let peel = match c0 {
            'و' | 'ف' if may_conj => true,
            'ب' | 'ك' | 'ل' if may_prep => true,
            'س' if may_prep && matches!(c1, 'ي' | 'ت' | 'ن' | 'أ') => true,
            _ => false,
        };
        if !peel || !accept_proclitic(lex, c0, cur, &w, pos + 1) {
            break;
        }
        cuts.push((pos + 1, PieceRole::Proclitic, None));
        pos += 1;
        if matches!(c0, 'و' | 'ف') {
            may_conj = false;
        } else {
            may_conj = false;
            may_prep = false;
            has_future = c0 == 'س';
        }
        if has_future {
            break;
        }
    }
    let stem_from = cuts.last().map_or(0, |c| c.0);
    let mut plan = Plan { cuts, enclitic_from: None, stem_norm: None };
    if !has_article
        && !has_future
        && let Some((from, stem_norm)) = enclitic(lex, &w, stem_from)
    {
        plan.enclitic_from = Some(from);
        plan.stem_norm = stem_norm;
    }
    plan
}

/// May ال be peeled from `cur`, leaving `host` (of `host_len` letters)?
fn accept_article(lex: &Lexicon, cur: &str, host: &str, host_len: usize) -> bool {
    if host_len < 2 {
        return false;
    }
    let fc = lex.freq(cur);
    if fc == 0 {
        return true;
    }
    let fh = lex.freq(host);
    fh > 0 && fh as f64 >= ARTICLE_RATIO * fc as f64
}

/// May the conjunction/preposition `c` be peeled from `cur`, leaving letters `rest_from..`?
fn accept_proclitic(lex: &Lexicon, c: char, cur: &str, w: &Letters<'_>, rest_from: usize) -> bool {
    let rest_len = w.len() - rest_from;
    if rest_len < 2 {
        return false;
    }
    let rest = w.str(rest_from, w.len());
    if rest_len >= 3 && lex.is_no_split(rest) {
        // وبغداد: the remainder is a protected word, so the letter is a clitic.
        return true;
    }
    let fc = lex.freq(cur);
    let fr = lex.freq(rest);
    let ratio = if c == 'س' { 0.5 } else { PROCLITIC_RATIO };
    if fc > 0 {
        return fr > 0 && fr as f64 >= ratio * fc as f64;
    }
    // An unknown word: peel when the remainder is known, or visibly carries more clitics.
    fr > 0 || (c != 'س' && rest_len >= 4 && (rest.starts_with("ال") || rest.starts_with("لل")))
}

/// Finds a pronoun enclitic at the end of letters `from..`: the enclitic's start index, and a
/// restored stem form when the stem changes shape before a suffix (حكومت → حكومة, علي → على).
fn enclitic(lex: &Lexicon, w: &Letters<'_>, from: usize) -> Option<(usize, Option<String>)> {
    let n = w.len();
    let host = w.str(from, n);
    let fh = lex.freq(host);
    for e in ENCLITICS {
        let e_len = e.chars().count();
        if n - from <= e_len || !host.ends_with(e) {
            continue;
        }
        let stem_end = n - e_len;
        let stem = w.str(from, stem_end);
        if let Some(norm) = lex.preposition_host(stem) {
            let restored = (norm != stem).then(|| norm.to_owned());
            return Some((stem_end, restored));
        }
        let stem_len = stem_end - from;
        if e == "ي" || stem_len < 2 {
            continue;
        }
        // Taa marbuta is written ت before a suffix: قوتها is قوة + ها.
        let mut stem_norm = None;
        let mut fs = lex.freq(stem);
        if let Some(base) = stem.strip_suffix('ت') {
            let t = format!("{base}ة");
            let ft = lex.freq(&t);
            if ft > fs {
                fs = ft;
                stem_norm = Some(t);
            }
        }
        if fs == 0 {
            continue;
        }
        if e == "ه" {
            // سوريه is سورية misspelt, not سوري + ه.
            let ft = lex.freq(&format!("{stem}ة"));
            if ft > 0 && 2 * ft >= fs {
                continue;
            }
        }
        let ratio = if e == "ه" { HA_ENCLITIC_RATIO } else { ENCLITIC_RATIO };
        if fh == 0 || fs as f64 >= ratio * fh as f64 {
            return Some((stem_end, stem_norm));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        Lexicon::parse(
            "قال\t1000\nوقال\t900\nأكد\t400\nوأكد\t700\nمسلحين\t50\nالمسلحين\t300\nوالمسلحين\t20\nالجيش\t800\nجيش\t200\n\
             للجيش\t90\nبغداد\t500\nوزير\t600\nزير\t1\nرقة\t3\nالرقة\t400\nبالرقة\t50\nحكومة\t700\nحكومته\t30\n\
             قوات\t900\nقواتها\t80\nمن\t9000\nمنها\t500\nسورية\t300\nسوري\t400\nسوريه\t20\nوليد\t60\nيد\t300\nليد\t1\n\
             لبنان\t700\nبنان\t1\nالحشد\t100\nحشد\t50\nبالحشد\t10\nيقتحم\t5\nسيقتحم\t1\n",
            "الله\nالذي\n",
            "ب\tب\nل\tل\nعلي\tعلى\n",
        )
    }

    fn seg(word: &str) -> Vec<(String, &'static str, String)> {
        segment_word(&lex(), word)
            .into_iter()
            .map(|p| (p.span.slice(word).to_owned(), p.role.as_str(), p.norm))
            .collect()
    }

    fn surfaces(word: &str) -> Vec<String> {
        seg(word).into_iter().map(|p| p.0).collect()
    }

    #[test]
    fn splits_clitics_the_frequencies_support() {
        assert_eq!(surfaces("وقال"), ["و", "قال"]);
        assert_eq!(surfaces("وأكد"), ["و", "أكد"]);
        assert_eq!(surfaces("والمسلحين"), ["و", "ال", "مسلحين"]);
        // The bare form رقة is rare, so ال stays part of the name — in الرقة and in بالرقة alike.
        assert_eq!(surfaces("بالرقة"), ["ب", "الرقة"]);
        assert_eq!(surfaces("الرقة"), ["الرقة"]);
        assert_eq!(surfaces("وبالحشد"), ["و", "ب", "ال", "حشد"]);
        assert_eq!(surfaces("قواتها"), ["قوات", "ها"]);
        assert_eq!(surfaces("منها"), ["من", "ها"]);
        assert_eq!(surfaces("سيقتحم"), ["س", "يقتحم"]);
    }

    #[test]
    fn keeps_names_and_lexicalized_words_whole() {
        for w in ["بغداد", "وزير", "وليد", "لبنان", "الله", "الذي", "سورية", "سوريه", "سوري"]
        {
            assert_eq!(surfaces(w), [w], "{w}");
        }
    }

    #[test]
    fn restores_elided_and_reshaped_letters() {
        let p = seg("للجيش");
        assert_eq!(p.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), ["ل", "ل", "جيش"]);
        assert_eq!(p[1].1, "article");
        assert_eq!(p[1].2, "ال");
        let p = seg("حكومته");
        assert_eq!(p[0].0, "حكومت");
        assert_eq!(p[0].2, "حكومة");
        assert_eq!(p[1].1, "enclitic");
        let p = seg("عليه");
        assert_eq!(p[0].2, "على");
        assert_eq!(p[1].0, "ه");
    }

    #[test]
    fn diacritics_stay_with_their_letters() {
        let w = "وَقَالَ";
        let p = seg(w);
        assert_eq!(p.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), ["وَ", "قَالَ"]);
        assert_eq!(p[1].2, "قال");
    }

    #[test]
    fn unknown_words_split_only_visible_article_chains() {
        assert_eq!(surfaces("والسكاكين"), ["و", "ال", "سكاكين"]);
        assert_eq!(surfaces("وسكاكين"), ["وسكاكين"]);
        assert_eq!(surfaces("الباغوز"), ["ال", "باغوز"]);
    }
}
