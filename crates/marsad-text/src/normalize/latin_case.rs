use super::{CharFilter, Mapped};

/// Lowercases Latin (and other cased) letters for search: "ISIS" → "isis", "Human Rights
/// Watch" → "human rights watch". Letters whose lowercase is longer than one char expand.
pub struct LowercaseLatin;

impl CharFilter for LowercaseLatin {
    fn name(&self) -> &'static str {
        "latin_case"
    }

    fn map(&self, c: char) -> Mapped {
        if !c.is_uppercase() {
            return Mapped::Keep;
        }
        let mut lower: Vec<char> = c.to_lowercase().collect();
        if lower.len() == 1 { Mapped::To(lower.pop().unwrap_or(c)) } else { Mapped::Expand(lower) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    crate::normalize::filter_tests!(LowercaseLatin, [("ISIS", "isis"), ("Human Rights Watch", "human rights watch")]);
}
