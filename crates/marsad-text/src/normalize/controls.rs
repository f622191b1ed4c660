use super::{CharFilter, Mapped};
use crate::chars::is_invisible_control;

/// Removes invisible format controls: ZWSP/ZWNJ/ZWJ, LRM/RLM/ALM, bidi embeddings, overrides
/// and isolates (U+202A–202E, U+2066–2069), soft hyphen, BOM. "بشا‍ر" (with a ZWJ) → "بشار";
/// an RLO pasted before a name disappears. False positives: a ZWNJ that a Persian spelling
/// needs is dropped too (harmless for Arabic matching).
pub struct RemoveInvisibleControls;

impl CharFilter for RemoveInvisibleControls {
    fn name(&self) -> &'static str {
        "invisible_controls"
    }

    fn map(&self, c: char) -> Mapped {
        if is_invisible_control(c) { Mapped::Drop } else { Mapped::Keep }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    crate::normalize::filter_tests!(
        RemoveInvisibleControls,
        [
            ("بشا\u{200D}ر", "بشار"),
            ("\u{202E}داعش\u{202C}", "داعش"),
            ("\u{FEFF}نص", "نص"),
            ("نيو\u{200C}يورك", "نيويورك"),
        ]
    );
}
