//! `marsad train`: the models marsad ships, trained again from their data.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use marsad_events::report::{ReportModel, Sample, TrainOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum TrainCommand {
    /// A report model (does a sentence report the assault or protest its words name, or name
    /// one in passing?) from a file of the Arabic event gold standard (arabic_event_gsr CSV):
    /// "yes" rows are reports, "easy no" and "difficult no" rows not, "ambiguous" rows left out.
    /// The shipped ones: data/events/report_assault.model and report_protest.model.
    Report(TrainReportArgs),
}

#[derive(Args)]
pub struct TrainReportArgs {
    /// The CSV file (columns accept, event_type, id, label, reject, text, total).
    #[arg(long)]
    pub csv: PathBuf,
    /// Which event type the file labels.
    #[arg(long = "type", value_enum)]
    pub event_type: crate::eval::GsrType,
    /// Where to write the model.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(cmd: &TrainCommand) -> Result<ExitCode> {
    match cmd {
        TrainCommand::Report(a) => {
            // The rules' events, without the models the training replaces.
            let analyzer = marsad_pipeline::Analyzer::without_report_models();
            let (coded, _) = crate::eval::code_gsr(&a.csv, a.event_type, &analyzer)?;
            let samples: Vec<Sample<'_>> = coded.iter().map(crate::eval::sample).collect();
            anyhow::ensure!(
                samples.iter().any(|s| s.reports) && samples.iter().any(|s| !s.reports),
                "{}: needs labelled sentences of both classes",
                a.csv.display()
            );
            let model = ReportModel::train(&samples, TrainOptions::default());
            let bytes = model.to_bytes();
            std::fs::write(&a.out, &bytes).with_context(|| format!("{}: cannot write", a.out.display()))?;
            println!(
                "{}: {} sentences ({} reports) → {} ({} features, {} bytes)",
                a.csv.display(),
                samples.len(),
                samples.iter().filter(|s| s.reports).count(),
                a.out.display(),
                model.len(),
                bytes.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
