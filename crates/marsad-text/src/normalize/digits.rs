use super::{CharFilter, Mapped};
use crate::chars::digit_value;

/// Maps Arabic-Indic (٠-٩) and Persian (۰-۹) digits to ASCII: "١٢" → "12", "۲۰۱۸" → "2018".
/// Also the Arabic decimal and thousands separators (٫ → ".", ٬ → ",").
pub struct FoldDigits;

impl CharFilter for FoldDigits {
    fn name(&self) -> &'static str {
        "digits"
    }

    fn map(&self, c: char) -> Mapped {
        match c {
            '\u{066B}' => Mapped::To('.'),
            '\u{066C}' => Mapped::To(','),
            '0'..='9' => Mapped::Keep,
            _ => match digit_value(c) {
                Some(v) => Mapped::To(char::from(b'0' + v as u8)),
                None => Mapped::Keep,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    crate::normalize::filter_tests!(FoldDigits, [("١٢", "12"), ("۲۰۱۸", "2018"), ("٣٫٥", "3.5"), ("12", "12")]);
}
