use super::{CharFilter, Mapped};

/// Folds alef maqsura to yaa (lossy): ى → ي. "إلى" and "إلي", "مصطفى" and "مصطفي" are the same
/// word in Egyptian and web spelling. False positive: على (on) and علي (the name) meet.
pub struct FoldAlefMaqsura;

impl CharFilter for FoldAlefMaqsura {
    fn name(&self) -> &'static str {
        "alef_maqsura"
    }

    fn map(&self, c: char) -> Mapped {
        if c == 'ى' { Mapped::To('ي') } else { Mapped::Keep }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    crate::normalize::filter_tests!(FoldAlefMaqsura, [("مصطفى", "مصطفي"), ("على", "علي")]);
}
