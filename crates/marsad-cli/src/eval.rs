use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use marsad_events::report::{ReportKind, ReportModel, Sample, TrainOptions};
use marsad_kb::KnowledgeBase;
use marsad_ner::{Recognizer, conll};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum EvalCommand {
    /// Entity-level precision, recall and F1 per type and micro-averaged (CoNLL rules) of the
    /// recognizer on CoNLL files (`token TAG`, BIO; PERS = PER, MIS* = MISC). Names only: mentions
    /// that describe an actor (`nominal`: الجيش الإسرائيلي) and groups (NORP) are not scored.
    Ner(EvalNerArgs),
    /// Place accuracy on article-level gold files (../shared/eval/FORMAT.md): each gold place
    /// counts when a place the analyzer found lies within its tolerance.
    Places(EvalPlacesArgs),
    /// Every figure of the article-level gold format (../shared/eval/FORMAT.md), as
    /// ../shared/eval/score.py prints them: events P/R/F1, sub-event type, actor and date
    /// accuracy, entity recall, place accuracy, quote recall, cleaning, genre, must-not violations.
    Events(EvalPlacesArgs),
    /// Sentence-level detection on the Arabic event gold standard (arabic_event_gsr CSV): a
    /// sentence is positive when marsad codes an event of the type in it. "yes" rows are
    /// positive, "easy no" and "difficult no" negative, "ambiguous" skipped. Prints the rules
    /// alone, then the rules with the report model by cross-validation (the shipped model was
    /// trained on these files).
    Gsr(EvalGsrArgs),
    /// Story purity on hand-labelled articles (test-data/stories/gold.tsv) in a clustered store.
    Stories(crate::stories::EvalStoriesArgs),
    /// Duplication factor (canonical event records per real event) on hand-checked real events
    /// (test-data/events/real_events.tsv) in a clustered store.
    Dedup(crate::stories::EvalDedupArgs),
}

#[derive(Args)]
pub struct EvalGsrArgs {
    /// The CSV file (columns accept, event_type, id, label, reject, text, total).
    #[arg(long)]
    pub csv: PathBuf,
    /// Which event type the file labels.
    #[arg(long = "type", value_enum)]
    pub event_type: GsrType,
    /// Print each sentence that is positive in the gold or for marsad (TP, FP, FN), with the
    /// triggers found, for error analysis.
    #[arg(short, long)]
    pub verbose: bool,
    /// Folds of the cross-validation that scores the report model: each sentence's events are
    /// judged by a model trained on the other folds (as `marsad train report` trains). 0 scores
    /// the shipped model instead, which was trained on the GSR: not a held-out figure.
    #[arg(long, default_value_t = 10)]
    pub folds: usize,
    /// The other type's file, whose sentences every fold's model also learns from, as the
    /// shipped model learnt from both; by default the file beside --csv named for the other type
    /// (assault_gsr.csv ↔ protest_gsr.csv), when there is one.
    #[arg(long = "with")]
    pub with: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GsrType {
    Assault,
    Protest,
}

#[derive(Args)]
pub struct EvalPlacesArgs {
    /// Folder of gold JSON files (e.g. ../shared/eval/dev).
    #[arg(long)]
    pub gold: PathBuf,
    /// Folder that gold `text` paths beginning with `conflict/` are relative to (e.g.
    /// ../shared/data/corpus); other paths are read beside the gold file.
    #[arg(long)]
    pub corpus: PathBuf,
    /// Print every gold place that was not found by name within its tolerance.
    #[arg(short, long)]
    pub verbose: bool,
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
    /// Sentences read as one document (CoNLL files mark no article boundaries); 1 scores every
    /// sentence on its own, without document evidence or short forms across sentences.
    #[arg(long, default_value_t = marsad_ner::eval::DOCUMENT_SENTENCES, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub document_sentences: usize,
    /// Also list every span on which the recognizer and the gold standard differ
    /// (`miss`: gold only, `false`: found only, `type`: both, typed otherwise), with its sentence.
    #[arg(long)]
    pub errors: bool,
    /// Tag with this CRF model file (CRFsuite format, marsad's features) instead of the shipped
    /// one: the research crate's cross-validation models are scored through the whole recognizer.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Score only the k-th of K contiguous parts of the sentences (`2/4`): the part a
    /// cross-validation model (`ner-crf-research train --cv --fold k/K`) left out.
    #[arg(long, value_parser = parse_fold)]
    pub fold: Option<(usize, usize)>,
}

fn parse_fold(s: &str) -> std::result::Result<(usize, usize), String> {
    let (k, n) = s.split_once('/').ok_or_else(|| format!("{s:?}: expected k/K, e.g. 2/4"))?;
    let (k, n): (usize, usize) =
        (k.parse().map_err(|e| format!("{k:?}: {e}"))?, n.parse().map_err(|e| format!("{n:?}: {e}"))?);
    if k == 0 || k > n {
        return Err(format!("{s:?}: k must be from 1 to K"));
    }
    Ok((k, n))
}

pub fn run(cmd: &EvalCommand) -> Result<ExitCode> {
    match cmd {
        EvalCommand::Ner(a) => eval_ner(a),
        EvalCommand::Places(a) => eval_places(a),
        EvalCommand::Events(a) => eval_events(a),
        EvalCommand::Gsr(a) => eval_gsr(a),
        EvalCommand::Stories(a) => crate::stories::eval_stories(a),
        EvalCommand::Dedup(a) => crate::stories::eval_dedup(a),
    }
}

/// Analyzes a gold article's text as score.py has `marsad analyze` do it: with its id and
/// publication date as metadata. Texts under `conflict/` are in the corpus folder, others
/// beside the gold file.
fn analyze_gold(
    analyzer: &marsad_pipeline::Analyzer,
    gold_path: &std::path::Path,
    corpus: &std::path::Path,
    id: &str,
    text: &str,
    published: Option<&str>,
) -> Result<marsad_core::Document> {
    let text_path = if text.starts_with("conflict/") {
        corpus.join(text)
    } else {
        gold_path.parent().unwrap_or(std::path::Path::new(".")).join(text)
    };
    let name = text_path.to_string_lossy().into_owned();
    let bytes =
        std::fs::read(&text_path).with_context(|| format!("{name}: cannot read (gold {})", gold_path.display()))?;
    let mut opts = marsad_input::ReadOptions::new(&name);
    opts.meta.set("id", id).map_err(anyhow::Error::msg)?;
    if let Some(p) = published {
        opts.meta.set("published", p).map_err(anyhow::Error::msg)?;
    }
    let raw = marsad_input::read(&bytes, &opts)?
        .into_iter()
        .next()
        .context(format!("{name}: no document"))?
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    Ok(analyzer.analyze(&raw, marsad_pipeline::AnalyzeOptions::default()))
}

/// Does the event count as the GSR's type? A coded event of PLOVER's ASSAULT (the GSR is
/// PLOVER-coded: an ACLED battle that takes territory is PLOVER's COERCE, not an assault), or of
/// a protest or riot.
fn gsr_positive(e: &marsad_core::Event, t: GsrType) -> bool {
    let acled = e.acled.as_ref().map(|a| a.event_type.as_str());
    acled.is_some() && ReportKind::of(acled, e.plover.as_ref().map(|p| p.category.as_str())) == Some(t.kind())
}

impl GsrType {
    pub fn kind(self) -> ReportKind {
        match self {
            GsrType::Assault => ReportKind::Assault,
            GsrType::Protest => ReportKind::Protest,
        }
    }

    fn other(self) -> GsrType {
        match self {
            GsrType::Assault => GsrType::Protest,
            GsrType::Protest => GsrType::Assault,
        }
    }

    fn name(self) -> &'static str {
        match self {
            GsrType::Assault => "assault",
            GsrType::Protest => "protest",
        }
    }
}

/// The file beside `csv` named for the other type (assault_gsr.csv → protest_gsr.csv), if any.
fn sibling(csv: &std::path::Path, t: GsrType) -> Option<PathBuf> {
    let name = csv.file_name()?.to_str()?;
    let other = name.replace(t.name(), t.other().name());
    let path = csv.with_file_name(other);
    (path != csv && path.is_file()).then_some(path)
}

/// One sentence of the GSR: its label is None when ambiguous.
pub struct GsrRow {
    pub id: String,
    pub text: String,
    pub gold: Option<bool>,
}

/// The rows of a GSR CSV file ("yes" positive, "easy no" and "difficult no" negative).
pub fn read_gsr(path: &std::path::Path) -> Result<Vec<GsrRow>> {
    let name = path.to_string_lossy().into_owned();
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("{name}: cannot read"))?;
    let headers = reader.headers().with_context(|| format!("{name}: no header"))?.clone();
    let col = |c: &str| headers.iter().position(|h| h == c).with_context(|| format!("{name}: no column {c:?}"));
    let (label_col, text_col, id_col) = (col("label")?, col("text")?, col("id")?);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{name}: record {}", i + 1))?;
        let gold = match record.get(label_col).unwrap_or("") {
            "yes" => Some(true),
            "easy no" | "difficult no" => Some(false),
            _ => None,
        };
        let (id, text) = (record.get(id_col).unwrap_or(""), record.get(text_col).unwrap_or(""));
        rows.push(GsrRow { id: id.to_owned(), text: text.to_owned(), gold });
    }
    Ok(rows)
}

/// Detection counts.
#[derive(Default)]
struct Tally {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
}

impl Tally {
    fn add(&mut self, gold: bool, found: bool) {
        match (gold, found) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    fn print(&self, what: &str) -> std::io::Result<()> {
        let ratio = |x: usize, n: usize| if n == 0 { 0.0 } else { x as f64 / n as f64 };
        let (p, r) = (ratio(self.tp, self.tp + self.fp), ratio(self.tp, self.tp + self.fn_));
        let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        out!("{what}: tp {}  fp {}  fn {}  tn {}", self.tp, self.fp, self.fn_, self.tn);
        out!("  precision {p:.3}  recall {r:.3}  F1 {f1:.3}");
        Ok(())
    }
}

/// A labelled GSR sentence with the events of the file's type the analyzer coded in it.
pub struct Coded {
    pub row: GsrRow,
    /// The type the file labels.
    pub t: GsrType,
    pub gold: bool,
    pub events: Vec<marsad_core::Event>,
    /// The analyzed text with its names masked, as the report model reads it.
    pub masked: String,
}

/// Analyzes the labelled sentences of a GSR file; also the count of those left out (ambiguous
/// or unreadable).
pub fn code_gsr(
    path: &std::path::Path,
    t: GsrType,
    analyzer: &marsad_pipeline::Analyzer,
) -> Result<(Vec<Coded>, usize)> {
    let name = path.to_string_lossy().into_owned();
    let mut skipped = 0;
    let mut coded = Vec::new();
    for (i, row) in read_gsr(path)?.into_iter().enumerate() {
        let Some(gold) = row.gold else {
            skipped += 1;
            continue;
        };
        match code_text(&format!("{name}#{}", i + 2), &row.text, t, analyzer) {
            Some((events, masked)) => coded.push(Coded { row, t, gold, events, masked }),
            None => skipped += 1,
        }
    }
    Ok((coded, skipped))
}

/// The events of the type the analyzer codes in a sentence and its masked text (None: not
/// readable as text).
fn code_text(
    source: &str,
    text: &str,
    t: GsrType,
    analyzer: &marsad_pipeline::Analyzer,
) -> Option<(Vec<marsad_core::Event>, String)> {
    let opts = marsad_input::ReadOptions::new(source);
    let raw = marsad_input::read(text.as_bytes(), &opts).ok()?.into_iter().next()?.ok()?;
    let doc = analyzer.analyze(&raw, marsad_pipeline::AnalyzeOptions::default());
    let all = marsad_core::Span::new(0, doc.text.len());
    let masked = marsad_events::report::masked(&doc.text, all, &doc.entities, &doc.places);
    Some((doc.events.into_iter().filter(|e| gsr_positive(e, t)).collect(), masked))
}

/// What a report model learns from a coded sentence.
pub fn sample(c: &Coded) -> Sample<'_> {
    Sample { text: &c.masked, kind: c.t.kind(), reports: c.gold, coded: !c.events.is_empty() }
}

fn eval_gsr(a: &EvalGsrArgs) -> Result<ExitCode> {
    anyhow::ensure!(a.folds != 1, "--folds 1: cross-validation needs 2 folds or more (0: the shipped model)");
    let name = a.csv.to_string_lossy().into_owned();
    // Cross-validation: the rules' events (without a report model) to learn from, then each
    // sentence analyzed again with the model of the folds it is not in.
    let analyzer =
        if a.folds == 0 { marsad_pipeline::Analyzer::new() } else { marsad_pipeline::Analyzer::without_report_model() };
    let (mut scored, skipped) = code_gsr(&a.csv, a.event_type, &analyzer)?;
    out!("{name} ({:?}): {} sentences scored, {skipped} skipped", a.event_type, scored.len());
    let with = match (&a.with, a.folds) {
        (_, 0) => None,
        (Some(p), _) => Some(p.clone()),
        (None, _) => sibling(&a.csv, a.event_type),
    };
    let also = match &with {
        Some(p) => {
            out!("the fold models also learn from {} ({:?})", p.display(), a.event_type.other());
            code_gsr(p, a.event_type.other(), &analyzer)?.0
        }
        None => Vec::new(),
    };
    let mut rules = Tally::default();
    scored.iter().for_each(|c| rules.add(c.gold, !c.events.is_empty()));
    if a.folds == 0 {
        rules.print("rules and the shipped report model (trained on this file: not a held-out figure)")?;
    } else {
        rules.print("rules alone")?;
        // Folds stratified by label, in file order.
        let mut seen = [0usize; 2];
        let fold: Vec<usize> = scored
            .iter()
            .map(|c| {
                seen[usize::from(c.gold)] += 1;
                seen[usize::from(c.gold)] % a.folds
            })
            .collect();
        let mut judged: Vec<Vec<marsad_core::Event>> = vec![Vec::new(); scored.len()];
        for f in 0..a.folds {
            let train: Vec<Sample<'_>> = scored
                .iter()
                .zip(&fold)
                .filter(|(_, k)| **k != f)
                .map(|(c, _)| sample(c))
                .chain(also.iter().map(sample))
                .collect();
            let model = ReportModel::train(&train, TrainOptions::default());
            // An analyzer lives as long as the program (its stages are static); so do the
            // fold's models, a few megabytes each.
            let analyzer = marsad_pipeline::Analyzer::with_report_model(Box::leak(Box::new(model)));
            for (i, c) in scored.iter().enumerate().filter(|(i, _)| fold[*i] == f) {
                let source = format!("{name} ({})", c.row.id);
                judged[i] = code_text(&source, &c.row.text, a.event_type, &analyzer).map(|x| x.0).unwrap_or_default();
            }
        }
        for (c, events) in scored.iter_mut().zip(judged) {
            c.events = events;
        }
        let mut held_out = Tally::default();
        scored.iter().for_each(|c| held_out.add(c.gold, !c.events.is_empty()));
        held_out.print(&format!("rules and report model ({}-fold cross-validation)", a.folds))?;
    }
    if a.verbose {
        for Coded { row, gold, events, .. } in &scored {
            let found = !events.is_empty();
            if !gold && !found {
                continue;
            }
            let triggers: Vec<String> = events
                .iter()
                .map(|e| format!("{}[{}]", e.trigger.text, e.acled.as_ref().map_or("-", |a| a.sub_event_type.as_str())))
                .collect();
            let label = match (gold, found) {
                (true, true) => "TP",
                (false, true) => "FP",
                _ => "FN",
            };
            out!("{label} {} {}: {}", row.id, triggers.join(" "), row.text);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn eval_events(a: &EvalPlacesArgs) -> Result<ExitCode> {
    let analyzer = marsad_pipeline::Analyzer::new();
    let mut totals = crate::score::Totals::default();
    for path in crate::gold::files_with_extension(&a.gold, "json")? {
        let text = std::fs::read_to_string(&path).with_context(|| format!("{}: cannot read", path.display()))?;
        let gold: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{}: not a gold article", path.display()))?;
        let (id, text_rel) = (gold["id"].as_str().unwrap_or(""), gold["text"].as_str().unwrap_or(""));
        let doc = match analyze_gold(&analyzer, &path, &a.corpus, id, text_rel, gold["published"].as_str()) {
            Ok(doc) => serde_json::to_value(doc)?,
            Err(e) => {
                // A failed article scores zero everywhere, as in score.py.
                eprintln!("{id}: FAILED {e:#}");
                totals.failed += 1;
                serde_json::json!({})
            }
        };
        let r = totals.add(&gold, &doc);
        if a.verbose {
            out!("{id}: events tp={} fp={} fn={}", r.tp, r.fp, r.fn_);
        }
    }
    out!("{}", totals.line());
    Ok(ExitCode::SUCCESS)
}

fn eval_places(a: &EvalPlacesArgs) -> Result<ExitCode> {
    use crate::gold::{PlaceOutcome, place_outcome, read_gold_dir};
    let analyzer = marsad_pipeline::Analyzer::new();
    let (mut n, mut named, mut nearby, mut misplaced) = (0usize, 0usize, 0usize, 0usize);
    let (mut system, mut unresolved, mut demonyms) = (0usize, 0usize, 0usize);
    let golds = read_gold_dir(&a.gold)?;
    for (path, gold) in &golds {
        let doc = analyze_gold(&analyzer, path, &a.corpus, &gold.id, &gold.text, gold.published.as_deref())?;
        system += doc.places.len();
        unresolved += doc.places.iter().filter(|p| p.lat.is_none()).count();
        demonyms += doc.places.iter().filter(|p| p.via == marsad_core::PlaceVia::Demonym).count();
        let mut ok = 0;
        for g in &gold.places {
            let outcome = place_outcome(&doc.places, g);
            n += 1;
            match outcome {
                PlaceOutcome::Named => named += 1,
                PlaceOutcome::Nearby => nearby += 1,
                PlaceOutcome::Misplaced => misplaced += 1,
                PlaceOutcome::Missed => {}
            }
            ok += usize::from(matches!(outcome, PlaceOutcome::Named | PlaceOutcome::Nearby));
            if a.verbose && outcome != PlaceOutcome::Named {
                out!("  {:<40} {:<18} {outcome:?}", gold.id, g.names.first().map_or("", String::as_str));
            }
        }
        if a.verbose {
            out!("{:<42} {ok}/{} places", gold.id, gold.places.len());
        }
    }
    let share = |k: usize| if n == 0 { 0.0 } else { k as f64 / n as f64 };
    out!(
        "{} articles, {n} gold places; {system} system places ({unresolved} unresolved, {demonyms} demonyms)",
        golds.len()
    );
    out!("place accuracy (within tolerance)          {:.3}", share(named + nearby));
    out!("place accuracy (by name, within tolerance) {:.3}", share(named));
    out!("named but misplaced                        {misplaced}");
    Ok(ExitCode::SUCCESS)
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
    let own_model = match &a.model {
        Some(path) => {
            let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
            let tagger = marsad_ner::crf::CrfTagger::new(&bytes)
                .with_context(|| format!("{}: not a CRFsuite model", path.display()))?;
            Some(tagger)
        }
        None => None,
    };
    let tagger = match &own_model {
        Some(t) => Some(t as &dyn marsad_ner::Tagger),
        None => marsad_pipeline::default_tagger(),
    };
    let recognizer = Recognizer::new(KnowledgeBase::embedded(), tagger).with_sources(sources);
    for f in &a.files {
        let name = f.to_string_lossy();
        let mut sentences = Vec::new();
        for path in conll_files(f)? {
            let file = path.to_string_lossy();
            let text = std::fs::read_to_string(&path).with_context(|| format!("{file}: cannot read"))?;
            sentences.extend(conll::parse(&file, &text)?);
        }
        if let Some((k, parts)) = a.fold {
            let n = sentences.len();
            sentences = sentences.drain(n * (k - 1) / parts..n * k / parts).collect();
        }
        let t = std::time::Instant::now();
        let (scores, predicted) = marsad_ner::eval::evaluate(&recognizer, &sentences, a.document_sentences);
        let tokens: usize = sentences.iter().map(|s| s.tokens.len()).sum();
        out!("{name}: {} sentences, {tokens} tokens, {:.1} s", sentences.len(), t.elapsed().as_secs_f64());
        if a.errors {
            for d in marsad_ner::eval::disagreements(&sentences, &predicted) {
                let (what, types) = match (&d.gold, &d.predicted) {
                    (Some(g), None) => ("miss", g.clone()),
                    (None, Some(p)) => ("false", p.clone()),
                    (Some(g), Some(p)) => ("type", format!("{g}->{p}")),
                    (None, None) => unreachable!("a disagreement has a side"),
                };
                out!("{what}\t{types}\t{}\t{}", d.words, sentences[d.sentence].tokens.join(" "));
            }
        }
        print!("{scores}");
        out!("micro F1 {:.2}\n", 100.0 * scores.micro.f1());
    }
    Ok(ExitCode::SUCCESS)
}

/// A file, or the sorted .txt files of a folder.
fn conll_files(path: &std::path::Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    crate::gold::files_with_extension(path, "txt")
}
