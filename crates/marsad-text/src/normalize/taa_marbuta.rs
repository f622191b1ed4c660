use super::{CharFilter, Mapped};

/// Folds taa marbuta to haa (lossy, search only): ة → ه. "الرقة" → "الرقه"; many pages write
/// final ه for ة. Never used for names: it merges words (كتابة "writing", كتابه "his book").
pub struct FoldTaaMarbuta;

impl CharFilter for FoldTaaMarbuta {
    fn name(&self) -> &'static str {
        "taa_marbuta"
    }

    fn map(&self, c: char) -> Mapped {
        if c == 'ة' { Mapped::To('ه') } else { Mapped::Keep }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    crate::normalize::filter_tests!(FoldTaaMarbuta, [("الرقة", "الرقه"), ("حكومة", "حكومه")]);
}
