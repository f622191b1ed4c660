//! Light stemming for search, in the Larkey–Ballesteros–Connell "light10" family.
//!
//! Hand-written: the Snowball Arabic stemmer (rust-stemmers) strips too much for names (بغداد →
//! غداد) and keeps و+ال; light10 is a dozen lines. Input is a lossy-normalized form (ة already
//! folded to ه, hamzas to ا). Steps:
//! 1. remove a leading و when at least 3 letters remain (والمسلحون → المسلحون);
//! 2. remove one article form — وال, بال, كال, فال, لل, ال — when at least 2 letters remain;
//! 3. remove suffixes, once each, right to left in this order: ها ان ات ون ين يه ه ي — when at
//!    least 2 letters remain ("ية" and "ة" are "يه" and "ه" after lossy folding).
//!
//! Examples: المسلحين → مسلح, مسلحي → مسلح, والمسلحون → مسلح, بالرقه → رق, الرقه → رق.
//! Known conflations: names ending in ان/ين lose them (عثمان → عثم, حسين → حس) — acceptable in
//! a search key, which is why entity strings never use stems.

const ARTICLES: [&str; 6] = ["وال", "بال", "كال", "فال", "لل", "ال"];
const SUFFIXES: [&str; 8] = ["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"];

fn letters(s: &str) -> usize {
    s.chars().count()
}

/// The light10 stem of a lossy-normalized word. Non-Arabic input is returned unchanged.
pub fn light10(word: &str) -> &str {
    if !word.chars().next().is_some_and(crate::chars::is_arabic_letter) {
        return word;
    }
    let mut w = word;
    if let Some(rest) = w.strip_prefix('و')
        && letters(rest) >= 3
    {
        w = rest;
    }
    for a in ARTICLES {
        if let Some(rest) = w.strip_prefix(a)
            && letters(rest) >= 2
        {
            w = rest;
            break;
        }
    }
    if letters(w) > 2 {
        for suf in SUFFIXES {
            if let Some(rest) = w.strip_suffix(suf)
                && letters(rest) >= 2
            {
                w = rest;
            }
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::lossy;

    #[test]
    fn light10_examples() {
        for (word, stem) in [
            ("المسلحين", "مسلح"),
            ("مسلحي", "مسلح"),
            ("والمسلحون", "مسلح"),
            ("بالرقة", "رق"),
            ("الرقة", "رق"),
            ("المحافظات", "محافظ"),
            ("قواتها", "قو"),
            ("في", "في"),
            ("isis", "isis"),
            ("2018", "2018"),
        ] {
            assert_eq!(light10(&lossy(word)), stem, "{word}");
        }
    }

    #[test]
    fn light10_never_empties_a_word() {
        for w in ["ان", "وال", "لل", "يه", "ها", "و", "ال"] {
            assert!(!light10(w).is_empty(), "{w}");
        }
    }
}
