//! CoNLL-style NER files and entity-level scoring (the conlleval rules: an entity counts only
//! when its whole span and its type match).
//!
//! Files have one `token TAG` per line, sentences separated by blank lines, BIO tags
//! (`B-PERS`, `I-LOC`, `O`). Types are compared after [`canonical_type`] (PERS = PER, MIS* =
//! MISC), so ANERcorp, AQMAR and marsad's own tags meet.

use std::collections::BTreeMap;

/// A tagged sentence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sentence {
    pub tokens: Vec<String>,
    pub tags: Vec<String>,
}

/// A malformed line of a CoNLL file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: line {line}: {message}")]
pub struct ConllError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// The canonical entity type of a tag's type part: PERS → PER, MIS/MIS0/MIS1… → MISC.
pub fn canonical_type(t: &str) -> &str {
    match t {
        "PERS" | "PER" => "PER",
        t if t.starts_with("MIS") => "MISC",
        t => t,
    }
}

/// A tag in canonical form: `O`, or `B-`/`I-` with PER, LOC, ORG or MISC. AQMAR's variants
/// (`B-MIS1`, `I-PER\``, `B--LOC`) are mapped; its language marks (`B-ENGLISH`) and other
/// types become `O`, and so do the few stray tags of these corpora (AQMAR's `IO`). None only
/// for an empty tag.
pub fn normalize_tag(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_end_matches('`');
    if raw.is_empty() {
        return None;
    }
    let Some((bio, ty)) = raw.split_once('-').filter(|(b, _)| *b == "B" || *b == "I") else {
        return Some("O".to_owned());
    };
    let ty = ty.trim_start_matches('-');
    let canonical = ["PER", "LOC", "ORG", "MIS"]
        .into_iter()
        .find(|p| ty.starts_with(p))
        .map(|p| if p == "MIS" { "MISC" } else { p });
    Some(match canonical {
        Some(t) => format!("{bio}-{t}"),
        None => "O".to_owned(),
    })
}

/// Parses a CoNLL file: `token TAG` per line (the tag is the last whitespace-separated field),
/// blank lines between sentences. A line with one field is an error naming the line; tags are
/// normalized by [`normalize_tag`].
pub fn parse(file: &str, text: &str) -> Result<Vec<Sentence>, ConllError> {
    let mut out = Vec::new();
    let mut cur = Sentence::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            if !cur.tokens.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        // ANERcorp's train file has one line with a tag glued to the next token:
        // ". Oالإصابة O" is ". O" and "الإصابة O".
        let fields: Vec<&str> = line.split_whitespace().collect();
        if let [first, glued, tag] = fields[..]
            && let Some(next) = glued.strip_prefix('O').filter(|n| !n.is_empty() && !n.starts_with('-'))
            && let Some(tag) = normalize_tag(tag)
        {
            cur.tokens.push(first.to_owned());
            cur.tags.push("O".to_owned());
            cur.tokens.push(next.to_owned());
            cur.tags.push(tag);
            continue;
        }
        let Some((token, tag)) = line.rsplit_once(char::is_whitespace) else {
            return Err(ConllError {
                file: file.to_owned(),
                line: i + 1,
                message: format!("expected `token TAG`, got {line:?}"),
            });
        };
        let tag = tag.trim();
        let Some(tag) = normalize_tag(tag) else {
            return Err(ConllError { file: file.to_owned(), line: i + 1, message: format!("not a BIO tag: {tag:?}") });
        };
        cur.tokens.push(token.trim().to_owned());
        cur.tags.push(tag);
    }
    if !cur.tokens.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// The entities of a BIO tag sequence: (start token, end token exclusive, canonical type).
/// An I- tag that does not continue an entity of its type starts one (as conlleval does).
pub fn entities<S: AsRef<str>>(tags: &[S]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let (prefix, ty) = match tag.as_ref().split_once('-') {
            Some((p, t)) => (p, canonical_type(t).to_owned()),
            None => ("O", String::new()),
        };
        let continues = prefix == "I" && open.as_ref().is_some_and(|(_, t)| *t == ty);
        if !continues {
            if let Some((s, t)) = open.take() {
                out.push((s, i, t));
            }
            if prefix == "B" || prefix == "I" {
                open = Some((i, ty));
            }
        }
    }
    if let Some((s, t)) = open {
        out.push((s, tags.len(), t));
    }
    out
}

/// Precision, recall and F1 of one type or of all.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Prf {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 { 0.0 } else { self.tp as f64 / (self.tp + self.fp) as f64 }
    }
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 { 0.0 } else { self.tp as f64 / (self.tp + self.fn_) as f64 }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

/// Entity-level scores per type and micro-averaged.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scores {
    pub by_type: BTreeMap<String, Prf>,
    pub micro: Prf,
}

/// Scores predicted tag sequences against gold ones (same sentences, same lengths).
pub fn score<'a>(pairs: impl IntoIterator<Item = (&'a [String], &'a [String])>) -> Scores {
    let mut s = Scores::default();
    for (gold, pred) in pairs {
        let g = entities(gold);
        let p = entities(pred);
        for e in &p {
            let prf = s.by_type.entry(e.2.clone()).or_default();
            if g.contains(e) {
                prf.tp += 1;
                s.micro.tp += 1;
            } else {
                prf.fp += 1;
                s.micro.fp += 1;
            }
        }
        for e in g.iter().filter(|e| !p.contains(e)) {
            s.by_type.entry(e.2.clone()).or_default().fn_ += 1;
            s.micro.fn_ += 1;
        }
    }
    s
}

impl std::fmt::Display for Scores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{:<6} {:>7} {:>7} {:>7} {:>6} {:>6} {:>6}", "type", "P", "R", "F1", "tp", "fp", "fn")?;
        for (t, p) in self.by_type.iter().chain(std::iter::once((&"micro".to_owned(), &self.micro))) {
            writeln!(
                f,
                "{:<6} {:>7.2} {:>7.2} {:>7.2} {:>6} {:>6} {:>6}",
                t,
                100.0 * p.precision(),
                100.0 * p.recall(),
                100.0 * p.f1(),
                p.tp,
                p.fp,
                p.fn_
            )?;
        }
        Ok(())
    }
}

/// The text of a CoNLL sentence (tokens joined by spaces) and each token's span in it.
pub fn sentence_text(tokens: &[String]) -> (String, Vec<marsad_core::Span>) {
    let mut text = String::new();
    let mut spans = Vec::with_capacity(tokens.len());
    for t in tokens {
        if !text.is_empty() {
            text.push(' ');
        }
        let start = text.len();
        text.push_str(t);
        spans.push(marsad_core::Span::new(start, text.len()));
    }
    (text, spans)
}

/// BIO tags for CoNLL tokens from entity spans in [`sentence_text`]'s text: an entity covers
/// the tokens it overlaps; `label` maps an entity type to a CoNLL type or None (not scored).
pub fn tags_from_spans<T: Copy>(
    token_spans: &[marsad_core::Span],
    entities: &[(marsad_core::Span, T)],
    label: impl Fn(T) -> Option<&'static str>,
) -> Vec<String> {
    let mut tags = vec!["O".to_owned(); token_spans.len()];
    for (span, ty) in entities {
        let Some(l) = label(*ty) else { continue };
        let covered: Vec<usize> = (0..token_spans.len())
            .filter(|&i| token_spans[i].start < span.end && span.start < token_spans[i].end)
            .collect();
        if covered.iter().any(|&i| tags[i] != "O") {
            continue;
        }
        for (n, &i) in covered.iter().enumerate() {
            tags[i] = format!("{}-{l}", if n == 0 { "B" } else { "I" });
        }
    }
    tags
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Whitespace-separated words (tags or tokens) of a test line.
    pub(crate) fn tags(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_sentences_and_rejects_lines_without_a_tag() {
        let s = parse("t", "فرانكفورت B-LOC\n(د O\n\nأعلن O\n").expect("parse");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].tokens, ["فرانكفورت", "(د"]);
        let e = parse("t", "a O\nلوحده\n").expect_err("one field");
        assert_eq!(e.line, 2);
        let aq = parse("aq", "x B-MIS1\ny I-PER`\nz B-ENGLISH\nw B--LOC\n").expect("aqmar forms");
        assert_eq!(aq[0].tags, ["B-MISC", "I-PER", "O", "B-LOC"]);
        assert_eq!(parse("t", "a IO\n").expect("stray tag")[0].tags, ["O"]);
        let glued = parse("t", ". Oالإصابة O\nx B-LOC\n").expect("glued tag");
        assert_eq!(glued[0].tokens, [".", "الإصابة", "x"]);
        assert_eq!(glued[0].tags, ["O", "O", "B-LOC"]);
    }

    #[test]
    fn entities_follow_conlleval() {
        assert_eq!(entities(&tags("B-PERS I-PERS O B-LOC")), vec![(0, 2, "PER".into()), (3, 4, "LOC".into())]);
        assert_eq!(entities(&tags("I-ORG I-ORG B-ORG")), vec![(0, 2, "ORG".into()), (2, 3, "ORG".into())]);
        assert_eq!(entities(&tags("B-LOC I-PER")), vec![(0, 1, "LOC".into()), (1, 2, "PER".into())]);
        assert_eq!(entities(&tags("B-MIS1 I-MIS1")), vec![(0, 2, "MISC".into())]);
    }

    #[test]
    fn scoring_counts_exact_spans_only() {
        let gold = tags("B-PERS I-PERS O B-LOC O");
        let pred = tags("B-PERS O O B-LOC B-ORG");
        let s = score([(&gold[..], &pred[..])]);
        assert_eq!(s.micro, Prf { tp: 1, fp: 2, fn_: 1 });
        assert_eq!(s.by_type["PER"], Prf { tp: 0, fp: 1, fn_: 1 });
        assert!((s.micro.f1() - 0.4).abs() < 1e-9);
    }
}
