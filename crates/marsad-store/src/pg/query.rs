//! The embedded store's query language translated into PostgreSQL's `tsquery`.
//!
//! The text is parsed by the parser the embedded index uses (so both stores read a query
//! alike: all words required, `"phrases"`, `OR`, `-`, `field:value`), then its tree is written
//! as a `tsquery` over the lexemes [`super::tsvector`] stores: a title term as `'t':A`, a body
//! term as `'t':B`, a phrase's terms joined by `<->`, a field's value as the lexeme
//! `'field:value'`.

use super::lexeme;
use crate::Error;
use tantivy::query::{AllQuery, BooleanQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Schema, Term};

/// What a query matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tsq {
    /// Every document (a query without text).
    All,
    /// None (a query whose words make no terms).
    Nothing,
    /// The documents matching this `tsquery`.
    Match(String),
}

/// A query translated: what it matches, and its body terms (which snippets highlight).
#[derive(Debug)]
pub(crate) struct Translated {
    pub tsquery: Tsq,
    pub body_terms: Vec<String>,
}

/// Translates the text of a search.
pub(crate) fn translate(text: &str) -> Result<Translated, Error> {
    if text.trim().is_empty() {
        return Ok(Translated { tsquery: Tsq::All, body_terms: Vec::new() });
    }
    let (schema, q) = crate::index::parse_text(text);
    let mut t = Translator { schema, body_terms: Vec::new() };
    let tsquery = t.node(&*q)?;
    Ok(Translated { tsquery, body_terms: t.body_terms })
}

struct Translator {
    schema: Schema,
    body_terms: Vec<String>,
}

impl Translator {
    fn node(&mut self, q: &dyn Query) -> Result<Tsq, Error> {
        if q.downcast_ref::<AllQuery>().is_some() {
            return Ok(Tsq::All);
        }
        if q.downcast_ref::<EmptyQuery>().is_some() {
            return Ok(Tsq::Nothing);
        }
        if let Some(t) = q.downcast_ref::<TermQuery>() {
            return Ok(Tsq::Match(self.term(t.term())?));
        }
        if let Some(p) = q.downcast_ref::<PhraseQuery>() {
            // The parser makes a phrase of consecutive words (it keeps no gaps in the terms it
            // lets out), so its terms follow one another.
            let terms = p.phrase_terms().iter().map(|t| self.term(t)).collect::<Result<Vec<_>, _>>()?;
            return Ok(Tsq::Match(format!("({})", terms.join(" <-> "))));
        }
        if let Some(b) = q.downcast_ref::<BooleanQuery>() {
            return self.boolean(b);
        }
        Err(Error::Query(format!("{q:?}: this kind of query is not supported by the PostgreSQL store")))
    }

    /// A boolean query as tantivy evaluates it: every Must clause, at least one Should clause
    /// when there is no Must (Should clauses only rank otherwise), no MustNot clause.
    fn boolean(&mut self, b: &BooleanQuery) -> Result<Tsq, Error> {
        let (mut must, mut should, mut not) = (Vec::new(), Vec::new(), Vec::new());
        for (occur, q) in b.clauses() {
            let t = self.node(&**q)?;
            match occur {
                Occur::Must => must.push(t),
                Occur::Should => should.push(t),
                Occur::MustNot => not.push(t),
            }
        }
        let mut positive: Vec<String> = Vec::new();
        let mut any = false;
        for t in must {
            match t {
                Tsq::Nothing => return Ok(Tsq::Nothing),
                Tsq::All => any = true,
                Tsq::Match(s) => positive.push(s),
            }
        }
        if positive.is_empty() && !any {
            let mut either = Vec::new();
            for t in should {
                match t {
                    Tsq::All => {
                        any = true;
                        either.clear();
                        break;
                    }
                    Tsq::Nothing => {}
                    Tsq::Match(s) => either.push(s),
                }
            }
            match either.len() {
                0 => {}
                1 => positive.append(&mut either),
                _ => positive.push(format!("({})", either.join(" | "))),
            }
        }
        if positive.is_empty() && !any {
            return Ok(Tsq::Nothing);
        }
        for t in not {
            match t {
                Tsq::All => return Ok(Tsq::Nothing),
                Tsq::Nothing => {}
                Tsq::Match(s) => positive.push(format!("!{s}")),
            }
        }
        Ok(match positive.len() {
            0 => Tsq::All,
            1 => Tsq::Match(positive.remove(0)),
            _ => Tsq::Match(format!("({})", positive.join(" & "))),
        })
    }

    /// A term as a lexeme with its weight.
    fn term(&mut self, t: &Term) -> Result<String, Error> {
        let field = self.schema.get_field_name(t.field()).to_owned();
        let value = t.value();
        let text = match (value.as_str(), value.as_u64()) {
            (Some(s), _) => s.to_owned(),
            (None, Some(n)) => n.to_string(),
            _ => {
                return Err(Error::Query(format!(
                    "{field}: this kind of value is not supported by the PostgreSQL store"
                )));
            }
        };
        Ok(match field.as_str() {
            "title" => format!("{}:A", lexeme(&text)),
            "body" => {
                if !self.body_terms.contains(&text) {
                    self.body_terms.push(text.clone());
                }
                format!("{}:B", lexeme(&text))
            }
            "seq" => return Err(Error::Query("seq: not a field to search".into())),
            other => lexeme(&format!("{other}:{text}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tsq(text: &str) -> Tsq {
        translate(text).expect("translates").tsquery
    }

    fn term(word: &str) -> String {
        marsad_text::search_terms(&marsad_text::Tokenizer::default(), word).remove(0).term
    }

    #[test]
    fn words_phrases_or_and_not_become_tsquery_operators() {
        let (a, b, c) = (term("الجيش"), term("بغداد"), term("اشتباكات"));
        let either = |t: &str| format!("('{t}':A | '{t}':B)");
        assert_eq!(tsq("الجيش"), Tsq::Match(either(&a)));
        assert_eq!(tsq("الجيش بغداد"), Tsq::Match(format!("({} & {})", either(&a), either(&b))));
        assert_eq!(tsq("الجيش OR بغداد"), Tsq::Match(format!("({} | {})", either(&a), either(&b))));
        assert_eq!(tsq("الجيش -بغداد"), Tsq::Match(format!("({} & !{})", either(&a), either(&b))));
        let phrase = |w: char| format!("('{a}':{w} <-> '{c}':{w})");
        assert_eq!(tsq("\"الجيش اشتباكات\""), Tsq::Match(format!("({} | {})", phrase('A'), phrase('B'))));
        assert_eq!(tsq("outlet:bbc"), Tsq::Match("'outlet:bbc'".into()));
        assert_eq!(tsq("  "), Tsq::All);
        assert_eq!(translate("الجيش -بغداد").expect("translates").body_terms, vec![a, b]);
    }

    #[test]
    fn quotes_in_terms_are_escaped() {
        assert_eq!(lexeme("it's"), "'it''s'");
        assert_eq!(lexeme("a\\b"), "'a\\\\b'");
    }
}
