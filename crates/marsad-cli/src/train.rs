//! `marsad train`: the models marsad ships, trained again from their data.

use crate::eval::GsrType;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use marsad_events::report::{ReportModel, Sample, TrainOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum TrainCommand {
    /// The report model (does a sentence report the assault or protest its words name, or name
    /// one in passing?) from the two files of the Arabic event gold standard (arabic_event_gsr
    /// CSV): "yes" rows are reports, "easy no" and "difficult no" rows not, "ambiguous" rows
    /// left out. The shipped one: data/events/report.model.
    Report(TrainReportArgs),
}

#[derive(Args)]
pub struct TrainReportArgs {
    /// The ASSAULT file (columns accept, event_type, id, label, reject, text, total).
    #[arg(long)]
    pub assault: PathBuf,
    /// The PROTEST file.
    #[arg(long)]
    pub protest: PathBuf,
    /// Where to write the model.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(cmd: &TrainCommand) -> Result<ExitCode> {
    match cmd {
        TrainCommand::Report(a) => {
            // The rules' events, without the model the training replaces.
            let analyzer = marsad_pipeline::Analyzer::without_report_model();
            let mut coded = Vec::new();
            for (path, t) in [(&a.assault, GsrType::Assault), (&a.protest, GsrType::Protest)] {
                let (c, _) = crate::eval::code_gsr(path, t, &analyzer)?;
                anyhow::ensure!(
                    c.iter().any(|s| s.gold) && c.iter().any(|s| !s.gold),
                    "{}: needs labelled sentences of both classes",
                    path.display()
                );
                out!("{}: {} sentences ({} reports)", path.display(), c.len(), c.iter().filter(|s| s.gold).count());
                coded.extend(c);
            }
            let samples: Vec<Sample<'_>> = coded.iter().map(crate::eval::sample).collect();
            let model = ReportModel::train(&samples, TrainOptions::default());
            let bytes = model.to_bytes();
            std::fs::write(&a.out, &bytes).with_context(|| format!("{}: cannot write", a.out.display()))?;
            out!("→ {} ({} features, {} bytes)", a.out.display(), model.len(), bytes.len());
            Ok(ExitCode::SUCCESS)
        }
    }
}
