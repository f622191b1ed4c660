use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use marsad_kb::KnowledgeBase;
use marsad_ner::{Recognizer, conll};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum EvalCommand {
    /// Entity-level precision, recall and F1 per type and micro-averaged (CoNLL rules) of the
    /// recognizer on CoNLL files (`token TAG`, BIO; PERS = PER, MIS* = MISC).
    Ner(EvalNerArgs),
}

#[derive(Args)]
pub struct EvalNerArgs {
    /// CoNLL file(s) to score on.
    #[arg(long = "conll", required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(cmd: &EvalCommand) -> Result<ExitCode> {
    match cmd {
        EvalCommand::Ner(a) => eval_ner(a),
    }
}

fn eval_ner(a: &EvalNerArgs) -> Result<ExitCode> {
    let recognizer = Recognizer::new(KnowledgeBase::embedded(), marsad_pipeline::default_tagger());
    for f in &a.files {
        let name = f.to_string_lossy();
        let text = std::fs::read_to_string(f).with_context(|| format!("{name}: cannot read"))?;
        let sentences = conll::parse(&name, &text)?;
        let t = std::time::Instant::now();
        let scores = marsad_ner::eval::evaluate(&recognizer, &sentences);
        let tokens: usize = sentences.iter().map(|s| s.tokens.len()).sum();
        println!("{name}: {} sentences, {tokens} tokens, {:.1} s", sentences.len(), t.elapsed().as_secs_f64());
        print!("{scores}");
        println!("micro F1 {:.2}\n", 100.0 * scores.micro.f1());
    }
    Ok(ExitCode::SUCCESS)
}
