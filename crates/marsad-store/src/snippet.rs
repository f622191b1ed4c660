//! Search snippets from the index's word positions.
//!
//! Hand-written rather than tantivy's `SnippetGenerator`, which tokenizes the text it is given
//! to find the query's terms: for Arabic that is segmenting every word of every hit (most of a
//! search's time). The index's postings already say at which word positions of a body the
//! query's terms are; a snippet then only counts words (no segmentation) to find them, and
//! segments the matched words alone, to highlight exactly the letters of the term and to check
//! that the position still names that term. The fragment chosen is tantivy's: the body cut
//! into consecutive stretches of at most [`MAX_BYTES`], the one whose matches weigh most (a
//! term weighs 1 / (1 + its document frequency)), the earliest of equals.

use crate::Error;
use marsad_text::{TokenKind, Tokenizer, search::word_term, words};
use tantivy::postings::Postings;
use tantivy::query::Query;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Score, Searcher, Term};

/// Longest fragment, in bytes (about 120 Arabic letters).
const MAX_BYTES: usize = 240;

/// A query term found in a body: at word `position`, the `term`-th of the query's body terms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Match {
    pub position: u32,
    pub term: usize,
}

/// The query's terms of one field, with their weights.
pub(crate) struct Highlighter {
    /// The index field the terms are of (none: matches are found in the text itself).
    field: Option<Field>,
    terms: Vec<(String, Score)>,
}

/// A snippet: a fragment of the body and the byte ranges of the matched words in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Snippet {
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
}

impl Highlighter {
    /// The terms of `field` in `query` (none, for a query without text).
    pub(crate) fn new(searcher: &Searcher, query: &dyn Query, field: Field) -> Result<Highlighter, Error> {
        let mut terms: Vec<Term> = Vec::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field && !terms.contains(term) {
                terms.push(term.clone());
            }
        });
        let mut weighted = Vec::with_capacity(terms.len());
        for term in terms {
            let n = searcher.doc_freq(&term)?;
            if let (true, Some(text)) = (n > 0, term.value().as_str()) {
                weighted.push((text.to_owned(), 1.0 / (1.0 + n as Score)));
            }
        }
        Ok(Highlighter { field: Some(field), terms: weighted })
    }

    /// A highlighter of these terms, each weighing the same, whose matches are found by
    /// segmenting the text ([`Highlighter::matches_in`]): for a store without positions.
    pub(crate) fn of_terms(terms: Vec<String>) -> Highlighter {
        Highlighter { field: None, terms: terms.into_iter().map(|t| (t, 1.0)).collect() }
    }

    /// The matches of the terms in `text`, found by segmenting all of it.
    pub(crate) fn matches_in(&self, tokenizer: &Tokenizer<'_>, text: &str) -> Vec<Match> {
        marsad_text::search::search_terms(tokenizer, text)
            .into_iter()
            .filter_map(|t| {
                let term = self.terms.iter().position(|(w, _)| *w == t.term)?;
                Some(Match { position: t.position as u32, term })
            })
            .collect()
    }

    /// The matches in each hit's body, by position, from the postings (read once per segment
    /// and term, seeking through that segment's hits in order).
    pub(crate) fn matches(&self, searcher: &Searcher, hits: &[DocAddress]) -> Result<Vec<Vec<Match>>, Error> {
        let mut out = vec![Vec::new(); hits.len()];
        let Some(field) = self.field.filter(|_| !self.terms.is_empty()) else { return Ok(out) };
        let mut order: Vec<usize> = (0..hits.len()).collect();
        order.sort_by_key(|&i| hits[i]);
        let mut positions = Vec::new();
        for segment in order.chunk_by(|&a, &b| hits[a].segment_ord == hits[b].segment_ord) {
            let inverted = searcher.segment_reader(hits[segment[0]].segment_ord).inverted_index(field)?;
            for (t, (text, _)) in self.terms.iter().enumerate() {
                let term = Term::from_field_text(field, text);
                let Some(mut postings) = inverted
                    .read_postings(&term, IndexRecordOption::WithFreqsAndPositions)
                    .map_err(tantivy::TantivyError::from)?
                else {
                    continue;
                };
                for &i in segment {
                    let doc = hits[i].doc_id;
                    if postings.doc() > doc || postings.seek(doc) != doc {
                        continue;
                    }
                    postings.positions(&mut positions);
                    out[i].extend(positions.iter().map(|&position| Match { position, term: t }));
                }
            }
        }
        for m in &mut out {
            m.sort_by_key(|m| m.position);
        }
        Ok(out)
    }

    /// The snippet of `text` (a body, or its opening) with `matches`; its highlights are empty
    /// when none of them is in `text`, and the fragment is then the text's first.
    pub(crate) fn snippet(&self, tokenizer: &Tokenizer<'_>, text: &str, matches: &[Match]) -> Snippet {
        let mut best: Option<Fragment> = None;
        // Where the text's first fragment ends, once known.
        let mut first: Option<usize> = None;
        let mut fragment = Fragment::new(0);
        let mut pending = matches.iter().peekable();
        for (position, w) in words(text, marsad_core::Span::new(0, text.len())).enumerate() {
            if matches!(w.kind, TokenKind::Punct | TokenKind::Symbol) {
                continue;
            }
            if w.span.end - fragment.start > MAX_BYTES {
                if pending.peek().is_none() && first.is_some() {
                    break;
                }
                let done = std::mem::replace(&mut fragment, Fragment::new(w.span.start));
                first.get_or_insert(done.stop);
                done.offer(&mut best);
            }
            fragment.stop = w.span.end;
            let position = position as u32;
            while pending.next_if(|m| m.position < position).is_some() {}
            while let Some(m) = pending.next_if(|m| m.position == position) {
                // The position names this word only while the word still makes the term (an
                // index written by another version of the analyzer may count otherwise).
                let Some((span, term)) = word_term(tokenizer, text, w) else { continue };
                let (expected, weight) = &self.terms[m.term];
                if *expected == term {
                    fragment.score += weight;
                    fragment.highlights.push((span.start, span.end));
                }
            }
        }
        let chosen = match best {
            Some(b) if fragment.score <= b.score => b,
            Some(_) => fragment,
            None if fragment.score > 0.0 => fragment,
            None => first.map_or(fragment, |stop| Fragment { stop, ..Fragment::new(0) }),
        };
        let text = &text[chosen.start..chosen.stop.max(chosen.start)];
        let highlights = chosen.highlights.iter().map(|&(a, b)| (a - chosen.start, b - chosen.start)).collect();
        Snippet { text: text.to_owned(), highlights }
    }
}

/// A stretch of text a snippet may show.
struct Fragment {
    start: usize,
    stop: usize,
    score: Score,
    highlights: Vec<(usize, usize)>,
}

impl Fragment {
    fn new(start: usize) -> Fragment {
        Fragment { start, stop: start, score: 0.0, highlights: Vec::new() }
    }

    /// Keeps this fragment as the best so far if it weighs more (the earlier wins a tie).
    fn offer(self, best: &mut Option<Fragment>) {
        if self.score > 0.0 && best.as_ref().is_none_or(|b| self.score > b.score) {
            *best = Some(self);
        }
    }
}
