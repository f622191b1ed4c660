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
    /// CoNLL file(s) to score on; a folder means all its .txt files together (AQMAR).
    #[arg(long = "conll", required = true)]
    pub files: Vec<PathBuf>,
    /// Leave out sources of names, to measure each: knowledge, patterns, tagger, coreference.
    #[arg(long, value_delimiter = ',')]
    pub without: Vec<String>,
    /// Add sources that are off by default (patterns).
    #[arg(long, value_delimiter = ',')]
    pub with: Vec<String>,
}

pub fn run(cmd: &EvalCommand) -> Result<ExitCode> {
    match cmd {
        EvalCommand::Ner(a) => eval_ner(a),
    }
}

fn eval_ner(a: &EvalNerArgs) -> Result<ExitCode> {
    let mut sources = marsad_ner::Sources::default();
    for (names, on) in [(&a.with, true), (&a.without, false)] {
        for w in names {
            match w.as_str() {
                "knowledge" => sources.knowledge = on,
                "patterns" => sources.patterns = on,
                "tagger" => sources.tagger = on,
                "coreference" => sources.coreference = on,
                other => anyhow::bail!("unknown source {other:?} (knowledge, patterns, tagger, coreference)"),
            }
        }
    }
    let recognizer =
        Recognizer::new(KnowledgeBase::embedded(), marsad_pipeline::default_tagger()).with_sources(sources);
    for f in &a.files {
        let name = f.to_string_lossy();
        let mut sentences = Vec::new();
        for path in conll_files(f)? {
            let file = path.to_string_lossy();
            let text = std::fs::read_to_string(&path).with_context(|| format!("{file}: cannot read"))?;
            sentences.extend(conll::parse(&file, &text)?);
        }
        let t = std::time::Instant::now();
        let scores = marsad_ner::eval::evaluate(&recognizer, &sentences);
        let tokens: usize = sentences.iter().map(|s| s.tokens.len()).sum();
        println!("{name}: {} sentences, {tokens} tokens, {:.1} s", sentences.len(), t.elapsed().as_secs_f64());
        print!("{scores}");
        println!("micro F1 {:.2}\n", 100.0 * scores.micro.f1());
    }
    Ok(ExitCode::SUCCESS)
}

/// A file, or the sorted .txt files of a folder.
fn conll_files(path: &std::path::Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("{}: cannot list", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    Ok(files)
}
