//! `marsad stories`: list and show stories, update or rebuild them; and the story and
//! duplication evaluations (`marsad eval stories`, `marsad eval dedup`).

use crate::store::{DataArgs, PrintFormat};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use marsad_cluster::canonical::km;
use marsad_cluster::{Family, day_number};
use marsad_store::{StoriesUpdate, StoryDetail, StoryQuery};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// `marsad stories [list options]` lists; `marsad stories show|update|rebuild …` does the rest.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct StoriesArgs {
    #[command(subcommand)]
    pub command: Option<StoriesCommand>,
    #[command(flatten)]
    pub list: ListArgs,
}

#[derive(Subcommand)]
pub enum StoriesCommand {
    /// Stories, latest first (or largest first), with their articles' ids (the default).
    List(ListArgs),
    /// One story: its articles, canonical events with every mention, each outlet's framing
    /// and the quotes.
    Show(ShowArgs),
    /// Cluster the documents stored since the last update (ingest does this itself).
    Update(UpdateArgs),
    /// Forget all stories and canonical events and cluster the whole store again.
    Rebuild(UpdateArgs),
}

#[derive(Args, Clone)]
pub struct ListArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Stories with coverage on or after this day (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Stories that started on or before this day.
    #[arg(long)]
    pub to: Option<String>,
    /// Only stories with at least this many articles.
    #[arg(long, default_value_t = 1)]
    pub min_documents: u64,
    /// Only stories covered by at least this many outlets.
    #[arg(long, default_value_t = 1)]
    pub min_outlets: u64,
    /// Largest first.
    #[arg(long)]
    pub by_size: bool,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    #[arg(long, value_enum, default_value = "text")]
    pub format: PrintFormat,
}

#[derive(Args)]
pub struct ShowArgs {
    /// The story's id.
    pub id: u64,
    #[command(flatten)]
    pub data: DataArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: PrintFormat,
}

#[derive(Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// The day taken for articles without a publication date (YYYY-MM-DD; default today).
    #[arg(long)]
    pub clock: Option<String>,
    /// Rebuild: cosine similarity to a story's centroid from which an article joins it.
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Rebuild: days before a story's first or after its last article within which an article
    /// may join it.
    #[arg(long)]
    pub window: Option<i32>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: PrintFormat,
}

/// The clustering clock: the given day or today (UTC).
pub fn clock(given: Option<&str>) -> Result<i32> {
    match given {
        Some(d) => day_number(d).with_context(|| format!("--clock {d:?} is not a date: use YYYY-MM-DD")),
        None => Ok(marsad_ingest::Options::default().clock()),
    }
}

pub fn print_update(what: &str, u: &StoriesUpdate, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{what}: {} documents ({} near-duplicates) into {} stories ({} new); {} event mentions into {} canonical \
         events ({} new); {:.1} s",
        u.documents, u.duplicates, u.stories, u.new_stories, u.mentions, u.events, u.new_events, u.seconds
    )
}

pub fn run(args: &StoriesArgs) -> Result<ExitCode> {
    let mut o = std::io::stdout().lock();
    let list = StoriesCommand::List(args.list.clone());
    let cmd = args.command.as_ref().unwrap_or(&list);
    match cmd {
        StoriesCommand::List(a) => {
            let store = a.data.open(true)?;
            for d in [&a.from, &a.to].into_iter().flatten() {
                if day_number(d).is_none() {
                    bail!("{d:?} is not a date: use YYYY-MM-DD");
                }
            }
            let q = StoryQuery {
                from: a.from.clone(),
                to: a.to.clone(),
                min_documents: a.min_documents,
                min_outlets: a.min_outlets,
                by_size: a.by_size,
                limit: a.limit,
                offset: a.offset,
            };
            let rows = store.read().stories(&q)?;
            if a.format == PrintFormat::Json {
                writeln!(o, "{}", serde_json::to_string_pretty(&serde_json::json!({ "items": rows }))?)?;
            } else {
                for s in rows {
                    writeln!(
                        o,
                        "{:>6}  {} – {}  {:>3} articles {:>2} outlets {:>3} events  {}\n        {}",
                        s.id, s.first_day, s.last_day, s.articles, s.outlets, s.events, s.label_ar, s.label_en
                    )?;
                }
            }
        }
        StoriesCommand::Show(a) => {
            let store = a.data.open(true)?;
            let Some(s) = store.read().story(a.id)? else { bail!("no story {} in {}", a.id, store.location()) };
            if a.format == PrintFormat::Json {
                writeln!(o, "{}", serde_json::to_string_pretty(&s)?)?;
            } else {
                print_story(&mut o, &s)?;
            }
        }
        StoriesCommand::Update(a) | StoriesCommand::Rebuild(a) => {
            let clock = clock(a.clock.as_deref())?;
            let rebuild = matches!(cmd, StoriesCommand::Rebuild(_));
            let mut config = marsad_cluster::Config::default();
            if let Some(t) = a.threshold {
                config.threshold = t;
            }
            if let Some(w) = a.window {
                config.window_days = w;
            }
            let mut store = a.data.open(true)?;
            let u = if rebuild { store.rebuild_stories(clock, Some(config))? } else { store.update_stories(clock)? };
            if a.format == PrintFormat::Json {
                writeln!(o, "{}", serde_json::to_string_pretty(&u)?)?;
            } else {
                print_update(if rebuild { "rebuild" } else { "update" }, &u, &mut o)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_story(o: &mut dyn Write, s: &StoryDetail) -> std::io::Result<()> {
    let st = &s.story;
    writeln!(o, "story {}: {}\n  {}", st.id, st.label_ar, st.label_en)?;
    writeln!(
        o,
        "  {} – {}, {} articles from {} outlets, {} events\n",
        st.first_day, st.last_day, st.articles, st.outlets, st.events
    )?;
    writeln!(o, "articles")?;
    for d in &s.articles {
        let dup = d.duplicate_of.as_ref().map(|x| format!("  (copy of {x})")).unwrap_or_default();
        writeln!(
            o,
            "  {}  {:<24} {:<8} {}{dup}\n      {}",
            d.published.as_deref().and_then(|p| p.get(..10)).unwrap_or("-"),
            d.outlet.as_deref().unwrap_or("-"),
            d.genre,
            d.title.as_deref().unwrap_or("(no title)"),
            d.id
        )?;
    }
    writeln!(o, "\nevents")?;
    for e in &s.events {
        let deaths = e.fatalities.map(|n| format!(", {n} killed")).unwrap_or_default();
        writeln!(
            o,
            "  C{} {} {} / {} at {}{deaths}; {} articles: {}",
            e.id,
            e.date,
            e.event_type,
            e.sub_event_type,
            e.location.as_deref().or(e.country.as_deref()).unwrap_or("?"),
            e.articles,
            e.sources.join(", ")
        )?;
        if let Some(d) = e.summary.get("disagreements").and_then(|d| d.as_array()).filter(|d| !d.is_empty()) {
            let reports: Vec<String> = e.summary["fatality_reports"]
                .as_array()
                .map(|rs| {
                    rs.iter().map(|r| format!("{} per {}", r["value"], r["outlet"].as_str().unwrap_or("?"))).collect()
                })
                .unwrap_or_default();
            let names: Vec<&str> = d.iter().filter_map(|x| x.as_str()).collect();
            writeln!(o, "      sources differ on {}; killed: {}", names.join(", "), reports.join("; "))?;
        }
        for m in &e.mentions {
            writeln!(o, "      {} | {}", m.outlet.as_deref().unwrap_or("-"), m.evidence.replace('\n', " "))?;
        }
    }
    writeln!(o, "\nframing")?;
    for f in &s.framing {
        let genres: Vec<String> = f.genres.iter().map(|(g, n)| format!("{n} {g}")).collect();
        writeln!(o, "  {} ({})", f.outlet, genres.join(", "))?;
        for t in f.terms.iter().take(12) {
            let quoted = if t.quoted > 0 { format!(", {} in quotes", t.quoted) } else { String::new() };
            writeln!(o, "      {:<26} {:<24} {}×{quoted}  [{}]", t.term, t.frame, t.own_voice, t.gloss)?;
        }
        if !f.speakers.is_empty() {
            let who: Vec<String> = f.speakers.iter().take(6).map(|(s, n)| format!("{s} ({n})")).collect();
            writeln!(o, "      quotes: {}", who.join(", "))?;
        }
    }
    Ok(())
}

#[derive(Args)]
pub struct EvalStoriesArgs {
    /// Hand-labelled articles: TSV with a header and columns doc_id, story (test-data/stories/gold.tsv).
    #[arg(long)]
    pub gold: PathBuf,
    /// A store holding (at least) the labelled articles, clustered.
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Args)]
pub struct EvalDedupArgs {
    /// Hand-checked real events: TSV with a header and columns event, acled_type, date,
    /// country, place, description, doc_ids (test-data/events/real_events.tsv).
    #[arg(long)]
    pub gold: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Print each event's canonical records.
    #[arg(short, long)]
    pub verbose: bool,
}

fn tsv(path: &PathBuf) -> Result<Vec<BTreeMap<String, String>>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
    let header: Vec<&str> = lines.next().with_context(|| format!("{}: empty", path.display()))?.split('\t').collect();
    Ok(lines
        .map(|l| header.iter().map(|h| h.to_string()).zip(l.split('\t').map(|v| v.trim().to_owned())).collect())
        .collect())
}

/// Story purity on hand-labelled articles: purity (each predicted story counts its largest
/// gold story), inverse purity (each gold story counts its largest predicted story) and
/// B-cubed precision, recall and F1, over the labelled articles only.
pub fn eval_stories(a: &EvalStoriesArgs) -> Result<ExitCode> {
    let store = a.data.open(true)?;
    let gold = tsv(&a.gold)?;
    let mut pairs: Vec<(String, u64)> = Vec::new();
    let mut missing = Vec::new();
    for row in &gold {
        let (Some(id), Some(story)) = (row.get("doc_id"), row.get("story")) else { continue };
        match store.read().story_of(id)? {
            Some(p) => pairs.push((story.clone(), p)),
            None => missing.push(id.clone()),
        }
    }
    if pairs.is_empty() {
        bail!("none of the {} labelled articles is clustered in {}", gold.len(), store.location());
    }
    let n = pairs.len() as f64;
    let count = |f: &dyn Fn(&(String, u64)) -> bool| pairs.iter().filter(|p| f(p)).count() as f64;
    let predicted: BTreeSet<u64> = pairs.iter().map(|p| p.1).collect();
    let labels: BTreeSet<&String> = pairs.iter().map(|p| &p.0).collect();
    let purity: f64 = predicted
        .iter()
        .map(|c| labels.iter().map(|l| count(&|p| p.1 == *c && &p.0 == *l)).fold(0.0, f64::max))
        .sum::<f64>()
        / n;
    let inverse: f64 = labels
        .iter()
        .map(|l| predicted.iter().map(|c| count(&|p| p.1 == *c && &p.0 == *l)).fold(0.0, f64::max))
        .sum::<f64>()
        / n;
    let (mut bp, mut br) = (0.0, 0.0);
    for (l, c) in &pairs {
        let same_cluster = count(&|p| p.1 == *c);
        let same_label = count(&|p| &p.0 == l);
        let both = count(&|p| p.1 == *c && &p.0 == l);
        bp += both / same_cluster;
        br += both / same_label;
    }
    let (bp, br) = (bp / n, br / n);
    let bf = if bp + br > 0.0 { 2.0 * bp * br / (bp + br) } else { 0.0 };
    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "articles {} labelled, {} clustered ({} missing); gold stories {}, predicted stories among them {}",
        gold.len(),
        pairs.len(),
        missing.len(),
        labels.len(),
        predicted.len()
    )?;
    writeln!(o, "purity          {purity:.3}\ninverse purity  {inverse:.3}")?;
    writeln!(o, "B-cubed         P {bp:.3}  R {br:.3}  F1 {bf:.3}")?;
    for l in &labels {
        let mut split: BTreeMap<u64, usize> = BTreeMap::new();
        for p in pairs.iter().filter(|p| &p.0 == *l) {
            *split.entry(p.1).or_default() += 1;
        }
        let parts: Vec<String> = split.iter().map(|(c, k)| format!("{c}×{k}")).collect();
        writeln!(o, "  {l:<40} {}", parts.join(" "))?;
    }
    for m in missing.iter().take(10) {
        writeln!(o, "  missing: {m}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The duplication factor on hand-checked real events: for each event, the canonical records
/// that its articles' matching coded events were merged into (matching: same family of types,
/// same country, within three days of the gold date, and placed within 50 km of the gold place
/// or, when none of the article's is, placed no more precisely than a province).
/// Also: events whose records absorbed another gold event (over-merging).
pub fn eval_dedup(a: &EvalDedupArgs) -> Result<ExitCode> {
    let store = a.data.open(true)?;
    let gold = tsv(&a.gold)?;
    let mut o = std::io::stdout().lock();
    let mut found_events = 0usize;
    let mut records = 0usize;
    let mut docs_total = 0usize;
    let mut docs_found = 0usize;
    let mut record_owner: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    let mut by_event: Vec<(String, BTreeSet<u64>, usize, usize)> = Vec::new();
    for row in &gold {
        let (Some(name), Some(kind), Some(date)) = (row.get("event"), row.get("acled_type"), row.get("date")) else {
            continue;
        };
        let Some(day) = day_number(date) else { bail!("{}: event {name}: bad date {date:?}", a.gold.display()) };
        let country = row.get("country").cloned().unwrap_or_default();
        let at: Option<(f64, f64)> =
            row.get("lat").and_then(|v| v.parse().ok()).zip(row.get("lon").and_then(|v| v.parse().ok()));
        let family = Family::of(kind);
        let docs: Vec<&str> = row.get("doc_ids").map(|d| d.split(',').map(str::trim).collect()).unwrap_or_default();
        let mut canon: BTreeSet<u64> = BTreeSet::new();
        let mut found = 0;
        for doc in &docs {
            let mentions = store.read().event_mentions(doc)?;
            let candidates: Vec<_> = mentions
                .iter()
                .filter(|(e, c)| {
                    c.is_some()
                        && Family::of(&e.event_type) == family
                        && e.day.is_none_or(|d| (d - day).abs() <= 3)
                        && e.place.as_ref().and_then(|p| p.country.as_deref()).is_none_or(|c| c == country)
                })
                .collect();
            // Reports placed at a town or district: those within 50 km of the gold place. Else
            // those placed no closer than a province or country (compatible with it).
            let located = |e: &marsad_cluster::profile::EventFacts| {
                e.place.as_ref().filter(|p| p.precision <= 2).and_then(|p| p.lat.zip(p.lon))
            };
            let near: Vec<u64> = candidates
                .iter()
                .filter(|(e, _)| located(e).zip(at).is_some_and(|(p, g)| km(p, g) <= 50.0))
                .filter_map(|(_, c)| *c)
                .collect();
            let chosen: Vec<u64> = if near.is_empty() {
                candidates.iter().filter(|(e, _)| located(e).is_none()).filter_map(|(_, c)| *c).collect()
            } else {
                near
            };
            if !chosen.is_empty() {
                found += 1;
            }
            canon.extend(chosen);
        }
        docs_total += docs.len();
        docs_found += found;
        if !canon.is_empty() {
            found_events += 1;
            records += canon.len();
        }
        for c in &canon {
            record_owner.entry(*c).or_default().insert(name.clone());
        }
        by_event.push((name.clone(), canon, found, docs.len()));
    }
    let overmerged: Vec<(&u64, &BTreeSet<String>)> = record_owner.iter().filter(|(_, e)| e.len() > 1).collect();
    let factor = if found_events > 0 { records as f64 / found_events as f64 } else { 0.0 };
    writeln!(
        o,
        "gold events {}; found {} (in {} of {} listed articles)",
        by_event.len(),
        found_events,
        docs_found,
        docs_total
    )?;
    writeln!(o, "canonical records for them {records}; duplication factor {factor:.2} records per real event")?;
    writeln!(o, "records shared by two or more gold events (over-merged) {}", overmerged.len())?;
    for (c, events) in &overmerged {
        writeln!(o, "  C{c}: {}", events.iter().cloned().collect::<Vec<_>>().join(", "))?;
    }
    if a.verbose {
        for (name, canon, found, n) in &by_event {
            let ids: Vec<String> = canon.iter().map(|c| format!("C{c}")).collect();
            writeln!(o, "  {name:<44} {found}/{n} articles  {} records  {}", canon.len(), ids.join(" "))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
