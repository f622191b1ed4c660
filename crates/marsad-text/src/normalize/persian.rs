use super::{CharFilter, Mapped};

/// Folds Persian/Urdu letter shapes that Arabic pages use by keyboard accident (lossy):
/// ی (U+06CC) → ي, ک (U+06A9) → ك, ە (U+06D5) → ه, ھ (U+06BE) → ه. "کرکوک" → "كركوك".
/// False positives: Kurdish and Persian names lose their own spelling in search keys only.
pub struct FoldPersianLetters;

impl CharFilter for FoldPersianLetters {
    fn name(&self) -> &'static str {
        "persian_letters"
    }

    fn map(&self, c: char) -> Mapped {
        match c {
            '\u{06CC}' | '\u{06D0}' => Mapped::To('ي'),
            '\u{06A9}' => Mapped::To('ك'),
            '\u{06D5}' | '\u{06BE}' | '\u{06C1}' => Mapped::To('ه'),
            _ => Mapped::Keep,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    crate::normalize::filter_tests!(FoldPersianLetters, [("کرکوک", "كركوك"), ("سلیمانی", "سليماني")]);
}
