//! Entity-level evaluation with CoNLL-2003 (conlleval) rules: an entity counts only when its
//! full span and type match.

use std::collections::BTreeMap;

/// Chunks (start, end exclusive, type) of a BIO sequence, conlleval's way: an I- that follows
/// O or another type starts a new chunk.
pub fn chunks(tags: &[impl AsRef<str>]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, t) in tags.iter().enumerate() {
        let t = t.as_ref();
        let (bio, ty) = match t.split_once('-') {
            Some((b, ty)) => (b, ty),
            None => ("O", ""),
        };
        let continues = bio == "I" && open.as_ref().is_some_and(|(_, oty)| oty == ty);
        if !continues {
            if let Some((s, oty)) = open.take() {
                out.push((s, i, oty));
            }
            if bio == "B" || bio == "I" {
                open = Some((i, ty.to_string()));
            }
        }
    }
    if let Some((s, oty)) = open {
        out.push((s, tags.len(), oty));
    }
    out
}

#[derive(Default, Clone, Copy)]
pub struct Counts {
    pub tp: usize,
    pub gold: usize,
    pub pred: usize,
}

impl Counts {
    pub fn prf(&self) -> (f64, f64, f64) {
        let p = if self.pred == 0 { 0.0 } else { self.tp as f64 / self.pred as f64 };
        let r = if self.gold == 0 { 0.0 } else { self.tp as f64 / self.gold as f64 };
        let f = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
        (100.0 * p, 100.0 * r, 100.0 * f)
    }
}

#[derive(Default)]
pub struct Eval {
    pub by_type: BTreeMap<String, Counts>,
    pub all: Counts,
    pub tokens: usize,
    pub token_correct: usize,
}

impl Eval {
    pub fn add(&mut self, gold: &[impl AsRef<str>], pred: &[impl AsRef<str>]) {
        self.tokens += gold.len();
        self.token_correct += gold.iter().zip(pred).filter(|(a, b)| a.as_ref() == b.as_ref()).count();
        let g = chunks(gold);
        let p = chunks(pred);
        for c in &g {
            self.by_type.entry(c.2.clone()).or_default().gold += 1;
            self.all.gold += 1;
        }
        for c in &p {
            self.by_type.entry(c.2.clone()).or_default().pred += 1;
            self.all.pred += 1;
            if g.contains(c) {
                self.by_type.get_mut(&c.2).unwrap().tp += 1;
                self.all.tp += 1;
            }
        }
    }

    pub fn micro_f1(&self) -> f64 {
        self.all.prf().2
    }

    pub fn report(&self) -> String {
        let mut s = String::new();
        for (ty, c) in &self.by_type {
            let (p, r, f) = c.prf();
            s += &format!("  {ty:5} P {p:5.2} R {r:5.2} F1 {f:5.2}  (gold {}, pred {}, tp {})\n", c.gold, c.pred, c.tp);
        }
        let (p, r, f) = self.all.prf();
        s += &format!("  micro P {p:5.2} R {r:5.2} F1 {f:5.2}  (gold {}, pred {}, tp {}); token acc {:.2}\n",
            self.all.gold, self.all.pred, self.all.tp, 100.0 * self.token_correct as f64 / self.tokens.max(1) as f64);
        s
    }

    /// One markdown table row: micro then PERS LOC ORG MISC F1.
    pub fn md_row(&self) -> String {
        let f = |t: &str| self.by_type.get(t).map_or(0.0, |c| c.prf().2);
        format!("{:.2} | {:.2} | {:.2} | {:.2} | {:.2}", self.micro_f1(), f("PERS"), f("LOC"), f("ORG"), f("MISC"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn conll_chunks() {
        let t = ["B-PERS", "I-PERS", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG"];
        assert_eq!(chunks(&t), vec![(0, 2, "PERS".into()), (3, 5, "LOC".into()), (5, 6, "LOC".into()), (6, 7, "ORG".into())]);
    }
}
