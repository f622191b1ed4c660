//! Invariants of the text layer over arbitrary text: normalization is idempotent; every span is
//! in bounds, on char boundaries and in order; cleaning accounts for every byte.

use marsad_core::{Role, Span};
use marsad_text::{CleanInput, Cleaner, Normalizer, SearchTerm, Tokenizer, search_terms, split_sentences};
use proptest::prelude::*;

/// Text that looks like web-extracted Arabic news: letters, diacritics, tatweel, joiners,
/// digits of three scripts, punctuation, quotes, cue words, newlines — and any char at all.
fn arabicish() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(vec![
                "قال", "والمسلحين", "بالرقة", "للجيش", "حكومته", "عليهم", "بغداد", "ألمانيا", "وليد",
                "قُتِلَ", "قـــوات", "بشا\u{200D}ر", "\u{FEFB}", "٣٫٥", "۲۰۱۸", "12.000", "Human Rights",
                "د.", "U.S.", "«", "»", "\"", "،", "؛", "؟", ".", "!", "-", "–", "|", "(", ")", ":",
                "للمزيد:", "شارك", "تنويه:", "بقلم:", "دمشق - ", "© 2024", "cookies", "*",
                " ", " ", " ", "\n", "\n\n", "\r\n", "\u{00A0}", "\u{202E}", "\t",
            ]).prop_map(str::to_owned),
            1 => any::<char>().prop_map(|c| c.to_string()),
        ],
        0..80,
    );
    pieces.prop_map(|v| v.concat())
}

fn assert_span_ok(text: &str, s: Span, what: &str) {
    assert!(s.start <= s.end && s.end <= text.len(), "{what} {s} out of bounds ({})", text.len());
    assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end), "{what} {s} not on char boundaries");
}

/// The search terms as the tokens define them: each word's pieces, the light10 stem of its
/// stem pieces' key (else of its whole key), Latin lower-cased, punctuation skipped, positions
/// counting words. `search_terms` takes a shorter road through the segmentation memo.
fn terms_from_tokens(text: &str) -> Vec<SearchTerm> {
    use marsad_text::TokenKind;
    use marsad_text::keys::{full_key, stem_key, word_span, words};
    let tokens = Tokenizer::default().tokenize(text);
    let mut out = Vec::new();
    for (position, pieces) in words(&tokens).enumerate() {
        let term = match pieces[0].kind {
            TokenKind::Punct | TokenKind::Symbol => continue,
            TokenKind::Latin => full_key(pieces).to_lowercase(),
            TokenKind::Number => full_key(pieces),
            TokenKind::Word => {
                let stem = stem_key(pieces);
                let base = if stem.is_empty() { full_key(pieces) } else { stem };
                marsad_text::light10(&base).to_owned()
            }
        };
        if !term.is_empty() {
            out.push(SearchTerm { span: word_span(pieces), position, term });
        }
    }
    out
}

#[test]
fn search_terms_are_the_tokens_terms_over_the_demo_articles() {
    let articles = include_str!("../../../data/demo/articles.jsonl");
    let mut n = 0;
    for line in articles.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("demo article");
        let text = v["text"].as_str().expect("text");
        let terms = search_terms(&Tokenizer::default(), text);
        assert_eq!(terms, terms_from_tokens(text));
        n += terms.len();
    }
    assert!(n > 10_000, "{n} terms");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn search_terms_are_the_tokens_terms(s in arabicish()) {
        prop_assert_eq!(search_terms(&Tokenizer::default(), &s), terms_from_tokens(&s));
    }

    #[test]
    fn normalization_is_idempotent(s in arabicish()) {
        for n in [Normalizer::lossless(), Normalizer::lossy()] {
            let once = n.normalize(&s);
            prop_assert_eq!(n.normalize(&once), once);
        }
    }

    #[test]
    fn token_spans_are_in_bounds_sorted_and_disjoint(s in arabicish()) {
        let tokens = Tokenizer::default().tokenize(&s);
        let mut prev_end = 0;
        let mut prev_word = 0;
        for t in &tokens {
            assert_span_ok(&s, t.span, "token");
            prop_assert!(!t.span.is_empty());
            prop_assert!(t.span.start >= prev_end, "overlap at {}", t.span);
            prop_assert!(t.word >= prev_word);
            prev_end = t.span.end;
            prev_word = t.word;
        }
    }

    #[test]
    fn sentence_spans_are_in_bounds_sorted_and_trimmed(s in arabicish()) {
        let sents = split_sentences(&s, Span::new(0, s.len()));
        let mut prev_end = 0;
        for x in &sents {
            assert_span_ok(&s, *x, "sentence");
            prop_assert!(x.start >= prev_end);
            let t = x.slice(&s);
            prop_assert!(!t.is_empty() && t.trim() == t);
            prev_end = x.end;
        }
    }

    #[test]
    fn cleaning_accounts_for_every_byte(s in arabicish()) {
        let c = Cleaner::embedded().clean(&CleanInput { text: &s, ..Default::default() });
        let mut pos = 0;
        for seg in &c.layout {
            assert_span_ok(&s, seg.span(), "segment");
            prop_assert_eq!(seg.start, pos, "gap or overlap in layout");
            prop_assert!(seg.end > seg.start);
            pos = seg.end;
        }
        prop_assert_eq!(pos, s.len());
        // Body paragraphs lie in body segments; removed text is exactly its segment's text.
        for p in &c.paragraphs {
            assert_span_ok(&s, *p, "paragraph");
            prop_assert!(c.layout.iter().any(|seg| seg.role == Role::Body && seg.span().contains(*p)));
        }
        for r in c.removed(&s) {
            prop_assert_eq!(&s[r.start..r.end], r.text.as_str());
        }
        let paragraph_text: Vec<&str> = c.paragraphs.iter().map(|p| p.slice(&s)).collect();
        prop_assert_eq!(c.body, paragraph_text.join("\n"));
        // Nothing but whitespace is left out of paragraphs within body segments.
        for seg in c.layout.iter().filter(|seg| seg.role == Role::Body) {
            let mut covered = vec![false; seg.end - seg.start];
            for p in c.paragraphs.iter().filter(|p| seg.span().contains(**p)) {
                covered[p.start - seg.start..p.end - seg.start].iter_mut().for_each(|b| *b = true);
            }
            let text = seg.span().slice(&s);
            for (i, ch) in text.char_indices() {
                prop_assert!(covered[i] || ch.is_whitespace(), "body byte {} ({:?}) in no paragraph", seg.start + i, ch);
            }
        }
    }
}
