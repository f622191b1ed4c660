//! Readers for the NER training data: ANERcorp and AQMAR (`token TAG` per line, blank line
//! between sentences). Tags are mapped to BIO over PERS / LOC / ORG / MISC.

use std::path::Path;

#[derive(Clone, Debug, Default)]
pub struct Sentence {
    pub words: Vec<String>,
    pub tags: Vec<String>,
}

/// Maps a raw tag (ANERcorp or AQMAR spelling) to `O`, `B-T` or `I-T`, T in PERS/LOC/ORG/MISC.
pub fn norm_tag(raw: &str) -> String {
    let raw = raw.trim().trim_end_matches('`');
    let (bio, ty) = match raw.split_once('-') {
        Some((b, t)) => (b, t.trim_start_matches('-')),
        None => return "O".into(),
    };
    if bio != "B" && bio != "I" {
        return "O".into();
    }
    let ty = if ty.starts_with("PER") {
        "PERS"
    } else if ty.starts_with("LOC") {
        "LOC"
    } else if ty.starts_with("ORG") {
        "ORG"
    } else if ty.starts_with("MIS") {
        "MISC"
    } else {
        return "O".into(); // B-ENGLISH, B-SPANISH: language marks in AQMAR
    };
    format!("{bio}-{ty}")
}

/// Reads a two-column file. Lines with a glued tag (`. Oالإصابة O` in ANERcorp) are split.
pub fn read_conll(path: &Path) -> Vec<Sentence> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    let mut cur = Sentence::default();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.is_empty() {
            if !cur.words.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if f.len() == 3 && f[1].starts_with('O') && f[1].len() > 1 {
            cur.words.push(f[0].into());
            cur.tags.push("O".into());
            cur.words.push(f[1][1..].into());
            cur.tags.push(norm_tag(f[2]));
            continue;
        }
        if f.len() < 2 {
            cur.words.push(f[0].into());
            cur.tags.push("O".into());
            continue;
        }
        cur.words.push(f[..f.len() - 1].join("_"));
        cur.tags.push(norm_tag(f[f.len() - 1]));
    }
    if !cur.words.is_empty() {
        out.push(cur);
    }
    // Repair I- after O or after another type (AQMAR has a few): make it B-.
    for s in &mut out {
        let mut prev = String::from("O");
        for t in &mut s.tags {
            if let Some(ty) = t.strip_prefix("I-")
                && prev[2.min(prev.len())..] != *ty
            {
                *t = format!("B-{ty}");
            }
            prev = t.clone();
        }
    }
    out
}

/// AQMAR articles, split by file: every 5th file (sorted by name, starting at the 3rd) is held
/// out for testing. Returns (train, test).
pub fn read_aqmar(dir: &Path) -> (Vec<Sentence>, Vec<Sentence>) {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let (mut tr, mut te) = (Vec::new(), Vec::new());
    for (i, f) in files.iter().enumerate() {
        let s = read_conll(f);
        if i % 5 == 2 { te.extend(s) } else { tr.extend(s) }
    }
    (tr, te)
}
