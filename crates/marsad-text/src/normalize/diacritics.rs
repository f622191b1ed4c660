use super::{CharFilter, Mapped};
use crate::chars::is_arabic_diacritic;

/// Removes Arabic diacritics: fatha, damma, kasra, tanwin, shadda, sukun, superscript alef,
/// hamza marks above/below (U+0654/0655) and Quranic annotation marks. "قُتِلَ" → "قتل",
/// "مدنيّين" → "مدنيين". News text writes diacritics only to disambiguate (قُتل passive), so
/// the event stage reads them from the original text, not from this form.
pub struct RemoveDiacritics;

impl CharFilter for RemoveDiacritics {
    fn name(&self) -> &'static str {
        "diacritics"
    }

    fn map(&self, c: char) -> Mapped {
        if is_arabic_diacritic(c) { Mapped::Drop } else { Mapped::Keep }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    crate::normalize::filter_tests!(
        RemoveDiacritics,
        [("قُتِلَ", "قتل"), ("مدنيّين", "مدنيين"), ("عَلَيْهِمْ", "عليهم"), ("بغداد", "بغداد"),]
    );
}
