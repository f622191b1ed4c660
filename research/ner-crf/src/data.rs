//! Training data: ANERcorp and AQMAR read with marsad's CoNLL reader
//! (`marsad_ner::conll::parse`: tags normalized to PER/LOC/ORG/MISC, ANERcorp's glued line
//! split), plus the one repair training labels need.

use marsad_ner::conll;
use std::path::Path;

pub use conll::Sentence;

/// Reads a CoNLL file; an I- tag that does not continue an entity of its type becomes B- (AQMAR
/// has a few), so the CRF learns consistent transitions.
pub fn read_conll(path: &Path) -> Vec<Sentence> {
    let name = path.to_string_lossy();
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut out = conll::parse(&name, &text).unwrap_or_else(|e| panic!("{e}"));
    for s in &mut out {
        let mut prev = String::from("O");
        for t in &mut s.tags {
            if let Some(ty) = t.strip_prefix("I-")
                && prev.get(2..) != Some(ty)
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
