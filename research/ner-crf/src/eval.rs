//! Evaluation with marsad's CoNLL scorer (`marsad_ner::conll::score`); this file only formats
//! the figures for RESULTS.md / results.tsv.

use marsad_ner::conll::{Scores, score};

/// Gold and predicted tags of every sentence of a test set.
#[derive(Default)]
pub struct Eval {
    pairs: Vec<(Vec<String>, Vec<String>)>,
}

impl Eval {
    pub fn add(&mut self, gold: &[String], pred: &[&str]) {
        self.pairs.push((gold.to_vec(), pred.iter().map(|s| (*s).to_owned()).collect()));
    }

    fn scores(&self) -> Scores {
        score(self.pairs.iter().map(|(g, p)| (&g[..], &p[..])))
    }

    pub fn micro_f1(&self) -> f64 {
        100.0 * self.scores().micro.f1()
    }

    pub fn report(&self) -> String {
        self.scores().to_string()
    }

    /// One markdown table row: micro, then PER LOC ORG MISC F1.
    pub fn md_row(&self) -> String {
        let s = self.scores();
        let f = |t: &str| s.by_type.get(t).map_or(0.0, |p| 100.0 * p.f1());
        format!("{:.2} | {:.2} | {:.2} | {:.2} | {:.2}", 100.0 * s.micro.f1(), f("PER"), f("LOC"), f("ORG"), f("MISC"))
    }
}
