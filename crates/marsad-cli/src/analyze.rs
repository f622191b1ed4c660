use crate::{InputFormatArg, OutputFormat};
use anyhow::{Context, Result};
use clap::Args;
use marsad_core::Document;
use marsad_input::{Format, ReadOptions, decode::encoding_for_label, read};
use marsad_pipeline::{AnalyzeOptions, Analyzer};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct AnalyzeArgs {
    /// The article: a file (text, HTML, JSON, JSONL) or `-` for standard input.
    pub input: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: OutputFormat,
    /// Metadata, repeatable: id, published, outlet, url, title, author.
    #[arg(long = "meta", value_name = "KEY=VALUE", value_parser = parse_meta)]
    pub meta: Vec<(String, String)>,
    /// Input encoding (default: detected; e.g. utf-8, windows-1256, utf-16le).
    #[arg(long)]
    pub encoding: Option<String>,
    /// Input format (default: from the file extension, else detected).
    #[arg(long = "input-format", value_enum)]
    pub input_format: Option<InputFormatArg>,
    /// Include sub-word tokens in the JSON output.
    #[arg(long)]
    pub tokens: bool,
    /// Refuse inputs larger than this many bytes.
    #[arg(long, default_value_t = marsad_input::DEFAULT_MAX_BYTES)]
    pub max_bytes: usize,
}

pub fn parse_meta(s: &str) -> Result<(String, String), String> {
    let (k, v) = s.split_once('=').ok_or_else(|| format!("expected KEY=VALUE, got {s:?}"))?;
    let mut probe = marsad_input::Meta::default();
    probe.set(k, v)?;
    Ok((k.to_owned(), v.to_owned()))
}

pub fn run(args: &AnalyzeArgs) -> Result<ExitCode> {
    let name = args.input.to_string_lossy().into_owned();
    let bytes = if name == "-" {
        let mut buf = Vec::new();
        std::io::stdin().take(args.max_bytes as u64 + 1).read_to_end(&mut buf).context("reading standard input")?;
        buf
    } else {
        let len = std::fs::metadata(&args.input).with_context(|| format!("{name}: cannot read"))?.len();
        if len > args.max_bytes as u64 {
            anyhow::bail!("{name}: input of {len} bytes is larger than the limit of {} bytes", args.max_bytes);
        }
        std::fs::read(&args.input).with_context(|| format!("{name}: cannot read"))?
    };
    let mut opts = ReadOptions::new(&name);
    opts.max_bytes = args.max_bytes;
    opts.format = args.input_format.map(|f| match f {
        InputFormatArg::Text => Format::Text,
        InputFormatArg::Html => Format::Html,
        InputFormatArg::Json => Format::Json,
    });
    if let Some(label) = &args.encoding {
        opts.encoding = Some(encoding_for_label(label).map_err(|k| anyhow::anyhow!("--encoding: {k}"))?);
    }
    for (k, v) in &args.meta {
        opts.meta.set(k, v).map_err(anyhow::Error::msg)?;
    }
    let records = read(&bytes, &opts)?;
    let analyzer = Analyzer::new();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0;
    let many = records.len() > 1;
    let mut acled: Vec<marsad_core::export::AcledRow> = Vec::new();
    for record in records {
        match record {
            Ok(raw) => {
                let doc = analyzer.analyze(&raw, AnalyzeOptions { tokens: args.tokens });
                match args.format {
                    OutputFormat::Json if many => writeln!(out, "{}", serde_json::to_string(&doc)?)?,
                    OutputFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?,
                    OutputFormat::Text => write_text(&mut out, &doc)?,
                    OutputFormat::Acled => acled.extend(marsad_core::export::acled_rows(&doc)),
                    OutputFormat::Plover => {
                        for r in marsad_core::export::plover_records(&doc) {
                            writeln!(out, "{}", serde_json::to_string(&r)?)?;
                        }
                    }
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("marsad: error: {e}");
            }
        }
    }
    if args.format == OutputFormat::Acled {
        // A header even when no event was coded, so that files concatenate predictably.
        let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut out);
        w.write_record(marsad_core::export::ACLED_COLUMNS)?;
        for row in &acled {
            w.serialize(row)?;
        }
        w.flush()?;
    }
    out.flush()?;
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn write_text(out: &mut impl Write, d: &Document) -> std::io::Result<()> {
    let opt = |s: &Option<String>| s.clone().unwrap_or_else(|| "—".to_owned());
    writeln!(out, "id:        {}", d.id)?;
    writeln!(out, "title:     {}", opt(&d.title))?;
    writeln!(out, "outlet:    {}", opt(&d.outlet))?;
    writeln!(out, "author:    {}", opt(&d.author))?;
    writeln!(out, "published: {}", opt(&d.published))?;
    if let Some(dl) = &d.dateline {
        writeln!(
            out,
            "dateline:  {} ({}, {})",
            dl.text,
            dl.place.as_deref().unwrap_or("—"),
            dl.country.as_deref().unwrap_or("—")
        )?;
    }
    writeln!(
        out,
        "genre:     {}   language: {}   input: {} {} ({} bytes)",
        d.genre.as_str(),
        d.language,
        d.input.format,
        d.input.encoding,
        d.input.bytes
    )?;
    writeln!(out, "sentences: {}", d.sentences.len())?;
    writeln!(out, "\n{}\n", d.body)?;
    for e in &d.entities {
        let link = match (&e.id, &e.name_en, &e.name_ar) {
            (Some(id), Some(en), _) => format!(" → {en} ({id})"),
            (Some(id), None, _) => format!(" → {id}"),
            (None, _, Some(ar)) if *ar != e.text => format!(" → {ar}"),
            _ => String::new(),
        };
        writeln!(out, "entity [{:?}] {}..{}: {}{link}", e.entity_type, e.start, e.end, e.text)?;
    }
    for p in d.places.iter().filter(|p| p.via != marsad_core::PlaceVia::Demonym) {
        let at = match (p.lat, p.lon) {
            (Some(lat), Some(lon)) => format!(
                " → {} ({}), {:.4},{:.4}, precision {}{}",
                p.name_en.as_deref().or(p.name_ar.as_deref()).unwrap_or("—"),
                p.country.as_deref().unwrap_or("—"),
                lat,
                lon,
                p.precision.map_or("—".to_owned(), |x| x.to_string()),
                if p.via == marsad_core::PlaceVia::Nearby { ", near" } else { "" }
            ),
            _ => " → unresolved".to_owned(),
        };
        writeln!(out, "place {}..{}: {}{at}", p.start, p.end, p.text)?;
    }
    for e in &d.events {
        let name = |a: &Option<marsad_core::Entity>| a.as_ref().map_or("—".to_owned(), |a| a.text.clone());
        writeln!(
            out,
            "event [{}] {} {} — {} → {} at {} ({:?}, trigger {}){}",
            e.acled.as_ref().map_or("not coded".to_owned(), |a| format!("{} / {}", a.event_type, a.sub_event_type)),
            e.date.as_deref().unwrap_or("—"),
            e.fatalities.map_or(String::new(), |f| format!("{f} killed")),
            name(&e.actor1),
            name(&e.actor2),
            e.place.as_ref().map_or("—", |p| p.text.as_str()),
            e.modality,
            e.trigger.text,
            if e.mentions.len() > 1 { format!(", {} mentions", e.mentions.len()) } else { String::new() }
        )?;
    }
    for q in &d.quotes {
        let who = q.speaker.as_ref().map_or("—", |s| s.text.as_str());
        writeln!(
            out,
            "quote {}..{} [{who}{}]: {}",
            q.start,
            q.end,
            q.channel.as_deref().map_or(String::new(), |c| format!(", {c}")),
            q.text
        )?;
    }
    for r in &d.removed {
        let one_line: String = r.text.replace('\n', " ⏎ ");
        writeln!(out, "removed [{}] {}..{}: {}", r.reason, r.start, r.end, one_line)?;
    }
    for x in &d.diagnostics {
        writeln!(out, "note: {}", x.message)?;
    }
    writeln!(out)
}
