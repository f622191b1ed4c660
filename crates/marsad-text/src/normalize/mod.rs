//! Arabic normalization as a chain of small character filters, one file each.
//!
//! Two chains, kept apart as charabia keeps its lossless and lossy normalizers apart:
//! - [`Normalizer::lossless`] — for names and display: removes what never distinguishes two
//!   spellings (invisible controls, presentation-form glyph codes, tatweel, diacritics, digit
//!   shapes, exotic spaces). "قُتِلَ" → "قتل", "ﻻ" → "لا", "١٢" → "12", but أحمد stays أحمد.
//! - [`Normalizer::lossy`] — for search keys: the lossless chain, then alef/hamza forms,
//!   alef maqsura, taa marbuta, Persian letter shapes and Latin case are folded.
//!   "إلى" → "الي", "الرقة" → "الرقه".
//!
//! Normalization builds new strings beside the original; offsets always stay in the original.
//! Every chain is idempotent (a property test holds it to that).

mod alef;
mod controls;
mod diacritics;
mod digits;
mod latin_case;
mod maqsura;
mod persian;
mod presentation;
mod spaces;
mod taa_marbuta;
mod tatweel;

pub use alef::FoldAlefHamza;
pub use controls::RemoveInvisibleControls;
pub use diacritics::RemoveDiacritics;
pub use digits::FoldDigits;
pub use latin_case::LowercaseLatin;
pub use maqsura::FoldAlefMaqsura;
pub use persian::FoldPersianLetters;
pub use presentation::DecomposePresentationForms;
pub use spaces::FoldSpaces;
pub use taa_marbuta::FoldTaaMarbuta;
pub use tatweel::RemoveTatweel;

use std::sync::LazyLock;

/// What a filter does with one character.
pub enum Mapped {
    Keep,
    Drop,
    To(char),
    /// Several characters (NFKC of a ligature); each goes through the rest of the chain.
    Expand(Vec<char>),
}

/// One normalization step over single characters.
pub trait CharFilter: Send + Sync {
    /// A short stable name, e.g. `diacritics`.
    fn name(&self) -> &'static str;
    fn map(&self, c: char) -> Mapped;
}

/// An ordered chain of character filters.
pub struct Normalizer {
    filters: Vec<Box<dyn CharFilter>>,
    /// The chain's output for every char below [`TABLE_SIZE`] (ASCII, Latin, Arabic): one
    /// lookup instead of a walk through the filters for nearly every char of Arabic news.
    table: Vec<Out>,
}

const TABLE_SIZE: usize = 0x800;

#[derive(Clone)]
enum Out {
    Same,
    Drop,
    One(char),
    Many(Box<[char]>),
}

static LOSSLESS: LazyLock<Normalizer> = LazyLock::new(Normalizer::build_lossless);
static LOSSY: LazyLock<Normalizer> = LazyLock::new(Normalizer::build_lossy);

impl Normalizer {
    pub fn new(filters: Vec<Box<dyn CharFilter>>) -> Self {
        let mut n = Normalizer { filters, table: Vec::new() };
        n.build_table();
        n
    }

    fn build_table(&mut self) {
        let mut table = Vec::with_capacity(TABLE_SIZE);
        for code in 0..TABLE_SIZE as u32 {
            let Some(c) = char::from_u32(code) else {
                table.push(Out::Same);
                continue;
            };
            let mut out = Vec::new();
            self.push_from(0, c, &mut |d| out.push(d));
            table.push(match out.as_slice() {
                [] => Out::Drop,
                [d] if *d == c => Out::Same,
                [d] => Out::One(*d),
                _ => Out::Many(out.into_boxed_slice()),
            });
        }
        self.table = table;
    }

    fn build_lossless() -> Self {
        Normalizer::new(vec![
            Box::new(RemoveInvisibleControls),
            Box::new(DecomposePresentationForms),
            Box::new(RemoveTatweel),
            Box::new(RemoveDiacritics),
            Box::new(FoldDigits),
            Box::new(FoldSpaces),
        ])
    }

    fn build_lossy() -> Self {
        let mut n = Normalizer::build_lossless();
        n.filters.push(Box::new(FoldAlefHamza));
        n.filters.push(Box::new(FoldAlefMaqsura));
        n.filters.push(Box::new(FoldTaaMarbuta));
        n.filters.push(Box::new(FoldPersianLetters));
        n.filters.push(Box::new(LowercaseLatin));
        n.build_table();
        n
    }

    /// The lossless chain (names, display).
    pub fn lossless() -> &'static Normalizer {
        &LOSSLESS
    }

    /// The lossy chain (search keys).
    pub fn lossy() -> &'static Normalizer {
        &LOSSY
    }

    pub fn filter_names(&self) -> Vec<&'static str> {
        self.filters.iter().map(|f| f.name()).collect()
    }

    /// Normalizes `input` into a new string.
    pub fn normalize(&self, input: &str) -> String {
        if input.is_ascii() && self.ascii_identity() {
            return input.to_owned();
        }
        let mut out = String::with_capacity(input.len());
        self.normalize_into(input, &mut out);
        out
    }

    fn ascii_identity(&self) -> bool {
        self.table[..128].iter().all(|o| matches!(o, Out::Same))
    }

    /// Appends the normalized form of `input` to `out`.
    pub fn normalize_into(&self, input: &str, out: &mut String) {
        for c in input.chars() {
            self.push_char(c, out);
        }
    }

    /// Sends one character through the chain, appending what comes out.
    pub fn push_char(&self, c: char, out: &mut String) {
        match self.table.get(c as usize) {
            Some(Out::Same) => out.push(c),
            Some(Out::Drop) => {}
            Some(Out::One(d)) => out.push(*d),
            Some(Out::Many(ds)) => out.extend(ds.iter()),
            None => self.push_from(0, c, &mut |d| out.push(d)),
        }
    }

    /// Sends one character through the chain, calling `emit` for each output character.
    #[inline]
    pub fn map_char(&self, c: char, mut emit: impl FnMut(char)) {
        match self.table.get(c as usize) {
            Some(Out::Same) => emit(c),
            Some(Out::Drop) => {}
            Some(Out::One(d)) => emit(*d),
            Some(Out::Many(ds)) => ds.iter().for_each(|&d| emit(d)),
            None => self.push_from(0, c, &mut emit),
        }
    }

    fn push_from(&self, idx: usize, c: char, emit: &mut dyn FnMut(char)) {
        let Some(filter) = self.filters.get(idx) else {
            emit(c);
            return;
        };
        match filter.map(c) {
            Mapped::Keep => self.push_from(idx + 1, c, emit),
            Mapped::Drop => {}
            Mapped::To(d) => self.push_from(idx + 1, d, emit),
            Mapped::Expand(chars) => {
                for d in chars {
                    self.push_from(idx + 1, d, emit);
                }
            }
        }
    }
}

/// Lossless normalization (names, display).
pub fn lossless(input: &str) -> String {
    Normalizer::lossless().normalize(input)
}

/// Lossy normalization (search keys).
pub fn lossy(input: &str) -> String {
    Normalizer::lossy().normalize(input)
}

/// The shared test of every filter: examples map as stated, the filter is idempotent, and
/// plain ASCII letters pass through untouched unless the filter is about them.
#[cfg(test)]
macro_rules! filter_tests {
    ($filter:expr, [$(($input:expr, $expected:expr)),+ $(,)?]) => {
        #[test]
        fn maps_examples_and_is_idempotent() {
            let n = $crate::normalize::Normalizer::new(vec![Box::new($filter)]);
            $(
                let once = n.normalize($input);
                assert_eq!(once, $expected, "{} on {:?}", n.filter_names()[0], $input);
                assert_eq!(n.normalize(&once), once, "{} not idempotent on {:?}", n.filter_names()[0], $input);
            )+
            let plain = "marsad 2024 news";
            let kept = n.normalize(plain);
            assert!(kept == plain || kept == plain.to_lowercase(), "{} changed plain text", n.filter_names()[0]);
        }
    };
}
#[cfg(test)]
pub(crate) use filter_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossless_keeps_letter_identity() {
        assert_eq!(lossless("قُتِلَ"), "قتل");
        assert_eq!(lossless("أحمد"), "أحمد");
        assert_eq!(lossless("الرقة"), "الرقة");
        assert_eq!(lossless("قـــوات"), "قوات");
        assert_eq!(lossless("\u{FEFB}"), "لا");
        assert_eq!(lossless("٢٠١٨"), "2018");
        assert_eq!(lossless("a\u{00A0}b"), "a b");
        assert_eq!(lossless("بشا\u{200D}ر"), "بشار");
    }

    #[test]
    fn lossy_folds_spelling_variants() {
        assert_eq!(lossy("إلى"), "الي");
        assert_eq!(lossy("الرقة"), "الرقه");
        assert_eq!(lossy("مسؤول"), lossy("مسئول").replace('ي', "و"));
        assert_eq!(lossy("أُسامة"), "اسامه");
        assert_eq!(lossy("ISIS"), "isis");
        assert_eq!(lossy("کرکوک"), "كركوك");
    }

    #[test]
    fn chains_are_listed_in_order() {
        assert_eq!(
            Normalizer::lossless().filter_names(),
            ["invisible_controls", "presentation_forms", "tatweel", "diacritics", "digits", "spaces"]
        );
        assert_eq!(Normalizer::lossy().filter_names().len(), 11);
    }
}
