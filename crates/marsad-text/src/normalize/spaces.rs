use super::{CharFilter, Mapped};
use crate::chars::is_exotic_space;

/// Maps no-break, narrow, figure, thin and other exotic spaces to a plain space:
/// "بغداد\u{00A0}اليوم" → "بغداد اليوم". Web pages use &nbsp; between words and numbers.
pub struct FoldSpaces;

impl CharFilter for FoldSpaces {
    fn name(&self) -> &'static str {
        "spaces"
    }

    fn map(&self, c: char) -> Mapped {
        if is_exotic_space(c) { Mapped::To(' ') } else { Mapped::Keep }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    crate::normalize::filter_tests!(FoldSpaces, [("بغداد\u{00A0}اليوم", "بغداد اليوم"), ("5\u{202F}%", "5 %")]);
}
