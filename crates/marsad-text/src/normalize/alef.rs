use super::{CharFilter, Mapped};

/// Folds alef and hamza-carrier forms (lossy, search only): أ إ آ ٱ → ا, ؤ → و, ئ → ي.
/// "إلى" → "الى", "مسؤول" → "مسوول", "أحمد" → "احمد". Outlets spell hamzas inconsistently, so
/// search must not distinguish them. False positives: أن/إن/آن all become ان.
pub struct FoldAlefHamza;

impl CharFilter for FoldAlefHamza {
    fn name(&self) -> &'static str {
        "alef_hamza"
    }

    fn map(&self, c: char) -> Mapped {
        match c {
            'أ' | 'إ' | 'آ' | 'ٱ' | '\u{0672}' | '\u{0673}' => Mapped::To('ا'),
            'ؤ' => Mapped::To('و'),
            'ئ' => Mapped::To('ي'),
            _ => Mapped::Keep,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    crate::normalize::filter_tests!(
        FoldAlefHamza,
        [("إلى", "الى"), ("أحمد", "احمد"), ("آلاف", "الاف"), ("مسؤول", "مسوول")]
    );
}
