use super::{CharFilter, Mapped};
use crate::chars::TATWEEL;

/// Removes tatweel (U+0640), the decorative stretch: "قـــوات" → "قوات", "الله ـ" → "الله ".
/// No false positives: tatweel never carries meaning.
pub struct RemoveTatweel;

impl CharFilter for RemoveTatweel {
    fn name(&self) -> &'static str {
        "tatweel"
    }

    fn map(&self, c: char) -> Mapped {
        if c == TATWEEL { Mapped::Drop } else { Mapped::Keep }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    crate::normalize::filter_tests!(RemoveTatweel, [("قـــوات", "قوات"), ("ســوريا", "سوريا")]);
}
