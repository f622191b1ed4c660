use super::{CharFilter, Mapped};
use crate::chars::is_presentation_form;
use unicode_normalization::UnicodeNormalization;

/// Replaces Arabic presentation forms (U+FB50–FDFF, U+FE70–FEFE: positional glyph codes from
/// PDFs and legacy encodings) by their NFKC letters. "ﻻ" (U+FEFB) → "لا", "ﺑﻐﺪاد" → "بغداد".
/// Only presentation forms are touched: NFKC elsewhere would also rewrite superscripts,
/// fractions and full-width Latin, which is not this filter's business.
pub struct DecomposePresentationForms;

impl CharFilter for DecomposePresentationForms {
    fn name(&self) -> &'static str {
        "presentation_forms"
    }

    fn map(&self, c: char) -> Mapped {
        if !is_presentation_form(c) {
            return Mapped::Keep;
        }
        let mut chars: Vec<char> = std::iter::once(c).nfkc().collect();
        match chars.len() {
            0 => Mapped::Drop,
            1 => Mapped::To(chars.pop().unwrap_or(c)),
            _ => Mapped::Expand(chars),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    crate::normalize::filter_tests!(
        DecomposePresentationForms,
        [("\u{FEFB}", "لا"), ("\u{FE91}\u{FED0}\u{FEAA}\u{0627}\u{FEA9}", "بغداد"), ("دمشق", "دمشق"),]
    );
}
