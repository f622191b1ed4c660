//! The full-text index: tantivy over marsad's own Arabic analyzer (tantivy has none: its
//! tokenizers keep diacritics and know nothing of clitics), with BM25 ranking, phrase queries,
//! highlighted snippets and facets over fast fields.
//!
//! The index is derived data: SQLite is the system of record. Every stored or re-analyzed
//! document is listed in `pending_index` in the same SQLite transaction; the store indexes
//! pending documents, commits the index, then clears them. A crash between the two leaves
//! documents pending, and the next writer indexes them again (delete by `seq`, then add), so
//! the index always converges to the store.

use crate::snippet::{Highlighter, Match};
use crate::{Error, Filter};
use marsad_core::Document;
use marsad_text::{Tokenizer as TextTokenizer, search_terms};
use rustc_hash::FxHashMap;
use std::ops::Bound;
use std::path::Path;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

/// The name the analyzer is registered under.
const ANALYZER: &str = "marsad_ar";

/// marsad's search analyzer as a tantivy tokenizer: terms from [`marsad_text::search_terms`],
/// offsets into the original text (so snippets highlight what the reader sees).
#[derive(Clone, Default)]
struct MarsadTokenizer;

struct TermStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for TermStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for MarsadTokenizer {
    type TokenStream<'a> = TermStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TermStream {
        let tokens = search_terms(&TextTokenizer::default(), text)
            .into_iter()
            .map(|t| Token {
                offset_from: t.span.start,
                offset_to: t.span.end,
                position: t.position,
                text: t.term,
                position_length: 1,
            })
            .collect();
        TermStream { tokens, next: 0 }
    }
}

/// The index's fields.
#[derive(Clone, Copy)]
struct Fields {
    seq: Field,
    title: Field,
    body: Field,
    outlet: Field,
    day: Field,
    month: Field,
    types: Field,
    subtypes: Field,
    countries: Field,
    actors: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        seq: b.add_u64_field("seq", INDEXED | STORED | FAST),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        outlet: b.add_text_field("outlet", STRING | FAST),
        day: b.add_u64_field("day", INDEXED | FAST),
        month: b.add_text_field("month", STRING | FAST),
        types: b.add_text_field("type", STRING | FAST),
        subtypes: b.add_text_field("subtype", STRING),
        countries: b.add_text_field("country", STRING | FAST),
        actors: b.add_text_field("actor", STRING | FAST),
    };
    (b.build(), fields)
}

/// `YYYY-MM-DD…` as the number YYYYMMDD.
pub(crate) fn day_number(date: &str) -> Option<u64> {
    let d = date.get(..10)?;
    let b = d.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    format!("{}{}{}", &d[..4], &d[5..7], &d[8..10]).parse().ok()
}

/// What a document contributes to the index and its facets.
fn index_doc(f: &Fields, seq: u64, doc: &Document) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_u64(f.seq, seq);
    if let Some(t) = &doc.title {
        d.add_text(f.title, t);
    }
    d.add_text(f.body, &doc.body);
    if let Some(o) = &doc.outlet {
        d.add_text(f.outlet, o);
    }
    if let Some(p) = &doc.published {
        if let Some(n) = day_number(p) {
            d.add_u64(f.day, n);
        }
        if let Some(m) = p.get(..7) {
            d.add_text(f.month, m);
        }
    }
    let v = FacetValues::of(doc);
    for (field, values) in
        [(f.types, v.types), (f.subtypes, v.subtypes), (f.countries, v.countries), (f.actors, v.actors)]
    {
        for v in values {
            d.add_text(field, v);
        }
    }
    d
}

/// What a document is filtered and faceted by beside its outlet and date, each list sorted
/// and without repeats.
pub(crate) struct FacetValues<'d> {
    /// ACLED event types and sub-event types of its coded events.
    pub types: Vec<&'d str>,
    pub subtypes: Vec<&'d str>,
    /// Countries of its coded events and of the places it names.
    pub countries: Vec<&'d str>,
    /// Linked actors it names.
    pub actors: Vec<&'d str>,
}

impl FacetValues<'_> {
    pub(crate) fn of(doc: &Document) -> FacetValues<'_> {
        let mut v = FacetValues { types: Vec::new(), subtypes: Vec::new(), countries: Vec::new(), actors: Vec::new() };
        for (_, e) in marsad_core::export::coded(doc) {
            if let Some(a) = &e.acled {
                v.types.push(a.event_type.as_str());
                v.subtypes.push(a.sub_event_type.as_str());
            }
            v.countries.extend(e.place.as_ref().and_then(|p| p.country.as_deref()));
        }
        v.countries.extend(
            doc.places.iter().filter(|p| p.via == marsad_core::PlaceVia::Name).filter_map(|p| p.country.as_deref()),
        );
        v.actors.extend(doc.entities.iter().filter_map(|e| e.id.as_deref()));
        for list in [&mut v.types, &mut v.subtypes, &mut v.countries, &mut v.actors] {
            list.sort_unstable();
            list.dedup();
        }
        v
    }
}

/// A search's text parsed as the embedded index parses it (all words required, `"phrases"`,
/// OR, `-`, `field:value`) but without an index and without the title's boost: for a store
/// that translates the query into its own language. Returns the schema its terms' fields are
/// of.
pub(crate) fn parse_text(text: &str) -> (Schema, Box<dyn Query>) {
    let (schema, f) = schema();
    let tokenizers = tantivy::tokenizer::TokenizerManager::default();
    tokenizers.register(ANALYZER, MarsadTokenizer);
    let mut parser = QueryParser::new(schema.clone(), vec![f.title, f.body], tokenizers);
    parser.set_conjunction_by_default();
    let (q, _unread) = parser.parse_query_lenient(text);
    (schema, q)
}

/// The search index of a store.
pub struct SearchIndex {
    index: Index,
    /// The index's folder, to forget the files it no longer maps (see [`SearchIndex::reload`]).
    directory: tantivy::directory::MmapDirectory,
    reader: IndexReader,
    writer: Option<IndexWriter>,
    fields: Fields,
}

/// Memory budget of the index writer (split among its threads).
const WRITER_HEAP: usize = 128 << 20;

impl SearchIndex {
    /// Opens the index in `dir`, creating it when absent.
    pub fn open(dir: &Path) -> Result<SearchIndex, Error> {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io(dir.display().to_string(), e))?;
        let (schema, fields) = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir).map_err(tantivy::TantivyError::from)?;
        let index = Index::open_or_create(directory.clone(), schema)?;
        index.tokenizers().register(ANALYZER, MarsadTokenizer);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, directory, reader, writer: None, fields })
    }

    fn writer(&mut self) -> Result<&mut IndexWriter, Error> {
        if self.writer.is_none() {
            // Two threads: analysis, not indexing, is where ingest spends its time.
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
            self.writer = Some(self.index.writer_with_num_threads(threads, WRITER_HEAP)?);
        }
        Ok(self.writer.as_mut().expect("set above"))
    }

    /// Takes the index's writer lock now rather than at the first write.
    pub fn lock_for_writing(&mut self) -> Result<(), Error> {
        self.writer().map(|_| ())
    }

    /// Adds (or replaces) a document.
    pub fn put(&mut self, seq: u64, doc: &Document) -> Result<(), Error> {
        let f = self.fields;
        let w = self.writer()?;
        w.delete_term(Term::from_field_u64(f.seq, seq));
        w.add_document(index_doc(&f, seq, doc))?;
        Ok(())
    }

    /// The `seq` of every document the index holds (alive, committed), segment by segment.
    pub fn seqs(&self) -> Result<Vec<u64>, Error> {
        let searcher = self.searcher();
        let mut out = Vec::with_capacity(searcher.num_docs() as usize);
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64("seq")?;
            for doc in segment.doc_ids_alive() {
                out.extend(column.first(doc));
            }
        }
        Ok(out)
    }

    /// Removes a document.
    pub fn delete(&mut self, seq: u64) -> Result<(), Error> {
        let f = self.fields;
        self.writer()?.delete_term(Term::from_field_u64(f.seq, seq));
        Ok(())
    }

    /// Makes everything added so far durable and visible to searches.
    pub fn commit(&mut self) -> Result<(), Error> {
        if self.writer.is_some() {
            self.writer()?.commit()?;
            self.reload()?;
        }
        Ok(())
    }

    /// Sees what another handle committed.
    pub fn reload(&self) -> Result<(), Error> {
        self.reader.reload()?;
        // tantivy's MmapDirectory remembers every file it ever mapped, by path, with a weak
        // reference, and forgets those of deleted files only when asked for its cache info.
        // A server commits at every post, making new segments' files (and merges more): in a
        // 10-minute soak (~9,000 posts, five handles) the dead entries held 65 MB and grew
        // without end (jemalloc heap profile, docs/reliability).
        self.directory.get_cache_info();
        Ok(())
    }

    /// Number of documents searchable now.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The query of a search: the user's text over title and body (all words required,
    /// `"…"` for phrases, OR and - as in tantivy's query language) and the filter's clauses.
    fn query(&self, text: &str, filter: &Filter) -> Result<Box<dyn Query>, Error> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !text.trim().is_empty() {
            let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.body]);
            parser.set_conjunction_by_default();
            parser.set_field_boost(f.title, 2.0);
            // Leniently: an unbalanced quote or a stray operator (what people type) searches
            // for what can be read of the query instead of failing it.
            let (q, _unread) = parser.parse_query_lenient(text);
            clauses.push((Occur::Must, q));
        } else {
            clauses.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
        }
        let term = |field: Field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic))
        };
        if let Some(o) = &filter.outlet {
            clauses.push((Occur::Must, term(f.outlet, o)));
        }
        if let Some(c) = &filter.country {
            clauses.push((Occur::Must, term(f.countries, &c.to_ascii_uppercase())));
        }
        if let Some(a) = &filter.actor {
            clauses.push((Occur::Must, term(f.actors, a)));
        }
        if let Some(t) = &filter.event_type {
            let either =
                BooleanQuery::new(vec![(Occur::Should, term(f.types, t)), (Occur::Should, term(f.subtypes, t))]);
            clauses.push((Occur::Must, Box::new(either)));
        }
        if filter.from.is_some() || filter.to.is_some() {
            let bound = |d: &Option<String>, inclusive: fn(Term) -> Bound<Term>| -> Result<Bound<Term>, Error> {
                Ok(match d {
                    None => Bound::Unbounded,
                    Some(d) => inclusive(Term::from_field_u64(
                        f.day,
                        day_number(d).ok_or_else(|| Error::Query(format!("{d:?} is not a date (YYYY-MM-DD)")))?,
                    )),
                })
            };
            let q = RangeQuery::new(bound(&filter.from, Bound::Included)?, bound(&filter.to, Bound::Included)?);
            clauses.push((Occur::Must, Box::new(q)));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// Runs a search: the best `limit` hits after `offset`, the number of
    /// matching documents, the facets, and what makes the hits' snippets.
    pub(crate) fn search(&self, text: &str, filter: &Filter, limit: usize, offset: usize) -> Result<RawResults, Error> {
        let query = self.query(text, filter)?;
        let searcher = self.searcher();
        let top = TopDocs::with_limit(limit.max(1)).and_offset(offset).order_by_score();
        let (hits, total, facets) = searcher.search(&query, &(top, Count, FacetCollector))?;
        // Each hit's seq from its segment's fast field, not from the document store (whose
        // readers keep a cache of decompressed blocks per segment and per reading handle).
        let mut columns = FxHashMap::default();
        let mut out = Vec::with_capacity(hits.len());
        let hits: Vec<(f32, DocAddress)> = hits.into_iter().take(limit).collect();
        let highlighter =
            if text.trim().is_empty() { None } else { Some(Highlighter::new(&searcher, &*query, self.fields.body)?) };
        let addrs: Vec<DocAddress> = hits.iter().map(|h| h.1).collect();
        let mut matches = match &highlighter {
            Some(h) => h.matches(&searcher, &addrs)?,
            None => vec![Vec::new(); hits.len()],
        };
        for (&(score, addr), matches) in hits.iter().zip(&mut matches) {
            let column = match columns.entry(addr.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(searcher.segment_reader(addr.segment_ord).fast_fields().u64("seq")?)
                }
            };
            if let Some(seq) = column.first(addr.doc_id) {
                out.push(RawHit { seq, score, matches: std::mem::take(matches) });
            }
        }
        Ok(RawResults { hits: out, total, facets: list_facets(facets), highlighter })
    }
}

/// Search results as the index knows them; the store adds the documents' fields.
pub(crate) struct RawResults {
    pub hits: Vec<RawHit>,
    pub total: usize,
    pub facets: crate::Facets,
    /// What makes the hits' snippets, for a query with text.
    pub highlighter: Option<Highlighter>,
}

/// A hit as the index knows it.
pub(crate) struct RawHit {
    pub seq: u64,
    pub score: f32,
    /// The query's terms in its body, by position.
    pub matches: Vec<Match>,
}

/// The facet fields: (name, how many values are listed, listed by value rather than by count).
pub(crate) const FACETS: [(&str, usize, bool); 5] =
    [("type", 30, false), ("country", 30, false), ("outlet", 30, false), ("actor", 30, false), ("month", 120, true)];

/// Counts of the matching documents per value of each facet field, read as term ordinals from
/// the fields' columns. (tantivy's terms aggregation did the same through its generic
/// aggregation machinery, at a fifth of a search's time on common words.)
struct FacetCollector;

struct FacetSegment {
    columns: Vec<Option<tantivy::columnar::StrColumn>>,
    counts: Vec<Vec<u32>>,
}

/// Per facet field, (value, documents).
type FacetFruit = Vec<FxHashMap<String, u64>>;

impl tantivy::collector::Collector for FacetCollector {
    type Fruit = FacetFruit;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _: tantivy::SegmentOrdinal,
        segment: &tantivy::SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let columns = FACETS.iter().map(|(name, ..)| segment.fast_fields().str(name)).collect::<Result<Vec<_>, _>>()?;
        let counts = columns.iter().map(|c| vec![0; c.as_ref().map_or(0, |c| c.num_terms())]).collect();
        Ok(FacetSegment { columns, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetFruit>) -> tantivy::Result<FacetFruit> {
        let mut all: FacetFruit = vec![FxHashMap::default(); FACETS.len()];
        for fruit in fruits {
            for (into, from) in all.iter_mut().zip(fruit) {
                for (value, n) in from {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        Ok(all)
    }
}

impl tantivy::collector::SegmentCollector for FacetSegment {
    type Fruit = FacetFruit;

    fn collect(&mut self, doc: tantivy::DocId, _: tantivy::Score) {
        for (column, counts) in self.columns.iter().zip(&mut self.counts) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    counts[ord as usize] += 1;
                }
            }
        }
    }

    fn harvest(self) -> FacetFruit {
        self.columns
            .iter()
            .zip(self.counts)
            .map(|(column, counts)| {
                let mut out = FxHashMap::default();
                let Some(column) = column else { return out };
                let (ords, mut n): (Vec<u64>, Vec<u32>) =
                    counts.into_iter().enumerate().filter(|(_, n)| *n > 0).map(|(o, n)| (o as u64, n)).unzip();
                n.reverse();
                // The values of the counted ordinals in one pass over the column's dictionary
                // (one lookup per ordinal was a fifth of a search's time on the actor column).
                let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |value| {
                    if let Some(n) = n.pop() {
                        out.insert(String::from_utf8_lossy(value).into_owned(), u64::from(n));
                    }
                });
                out
            })
            .collect()
    }
}

/// The facets as listed: the most frequent values first (ties by value), months in order.
fn list_facets(counts: FacetFruit) -> crate::Facets {
    let mut lists = counts.into_iter().zip(FACETS).map(|(counts, (_, size, by_value))| {
        let mut list: Vec<crate::FacetCount> =
            counts.into_iter().map(|(value, count)| crate::FacetCount { value, count, label: None }).collect();
        if by_value {
            list.sort_by(|a, b| a.value.cmp(&b.value));
        } else {
            list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        }
        list.truncate(size);
        list
    });
    let mut next = || lists.next().unwrap_or_default();
    crate::Facets { event_type: next(), country: next(), outlet: next(), actor: next(), month: next() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::snippet::SnippetGenerator;

    /// The demo articles' texts, as bodies.
    fn bodies() -> Vec<String> {
        include_str!("../../../data/demo/articles.jsonl")
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_owned))
            .collect()
    }

    #[test]
    fn snippets_from_positions_are_tantivys_from_tokens() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut index = SearchIndex::open(dir.path()).expect("open");
        let bodies = bodies();
        assert!(bodies.len() >= 40);
        for (seq, body) in bodies.iter().enumerate() {
            index.put(seq as u64, &Document { body: body.clone(), ..Document::default() }).expect("put");
        }
        index.commit().expect("commit");
        // Queries of one and two words, and phrases, taken from the bodies.
        let mut queries = Vec::new();
        for body in &bodies {
            let ws: Vec<&str> = body.split_whitespace().filter(|w| w.chars().count() >= 4).collect();
            for pair in ws.chunks(2).step_by(37) {
                queries.push(pair[0].to_owned());
                if let [a, b] = pair {
                    queries.push(format!("{a} {b}"));
                    queries.push(format!("\"{a} {b}\""));
                }
            }
        }
        let tokenizer = TextTokenizer::default();
        let (mut compared, mut highlighted) = (0, 0);
        for q in &queries {
            let raw = index.search(q, &Filter::default(), 50, 0).expect("search");
            let h = raw.highlighter.as_ref().expect("a query with text");
            let query = index.query(q, &Filter::default()).expect("query");
            let mut theirs =
                SnippetGenerator::create(&index.searcher(), &*query, index.fields.body).expect("generator");
            theirs.set_max_num_chars(240);
            for hit in &raw.hits {
                let body = &bodies[hit.seq as usize];
                let ours = h.snippet(&tokenizer, body, &hit.matches);
                let t = theirs.snippet(body);
                let t_highlights: Vec<(usize, usize)> = t.highlighted().iter().map(|r| (r.start, r.end)).collect();
                compared += 1;
                if t_highlights.is_empty() {
                    // A match in the title only: tantivy gives nothing, marsad the opening.
                    assert!(ours.highlights.is_empty(), "{q}: {ours:?}");
                    assert!(body.starts_with(&ours.text), "{q}: {ours:?}");
                    continue;
                }
                highlighted += 1;
                assert_eq!((ours.text.as_str(), &ours.highlights), (t.fragment(), &t_highlights), "{q}");
            }
        }
        assert!(compared > 500 && highlighted > 400, "{compared} hits compared, {highlighted} with highlights");
    }
}
