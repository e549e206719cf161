//! The command line: where the data folder is, which device this is, and the
//! `check` and `stats` subcommands. Errors here are `anyhow`: this is the edge.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use jiff::Timestamp;

use crate::collection::{self, Collection, OpenOptions};

/// `println!` that stops quietly when the reader goes away (`rehearse stats | head`)
/// instead of panicking on the broken pipe.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
use crate::deck::{self, CardId};
use crate::schedule::Phase;

/// Spaced-repetition flashcards for technical interviews, scheduled by FSRS-6.
///
/// Without a subcommand, opens the window. Data lives in plain RON files in the
/// data folder: decks/*.ron (cards), journal/<device>.ron (every answer),
/// state.ron (a rebuildable cache) and settings.ron.
#[derive(Debug, Parser)]
#[command(name = "rehearse", version, about, long_about)]
pub struct Args {
    /// The data folder [default: $REHEARSE_DATA, else the platform's data directory].
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// What to do; none opens the window.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate deck files: parse errors with line and column, duplicate ids,
    /// empty sides, unknown fields. Exits non-zero when there are errors.
    Check {
        /// Deck files or folders of them [default: the data folder's decks/].
        paths: Vec<PathBuf>,
        /// Write the derived id into every card that has none, so that editing
        /// its front later keeps its progress. Nothing else in the file changes.
        #[arg(long)]
        fix: bool,
    },
    /// Print each deck's counts for today; with --json, every card's state too.
    Stats {
        /// Machine-readable output: decks, today's progress, statistics
        /// (calendar, forecast, true retention, buttons, histograms, time),
        /// and every card's stability, difficulty, retrievability now, due,
        /// reps and lapses.
        #[arg(long)]
        json: bool,
    },
    /// Print every topic and tag, weakest first: predicted recall now, lapse
    /// rate, again rate over 30 days, leeches.
    Weak,
    /// Fit the memory model's parameters to your review history; report log
    /// loss and RMSE(bins) before and after, and keep the new parameters only
    /// when they predict your history better.
    Optimize {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Import a review log (CSV: card_id, review_rating, review_time,
    /// review_duration[, review_state]) so statistics and the optimiser see it.
    ImportRevlog {
        /// The CSV file.
        file: PathBuf,
    },
    /// Import cards from an Anki package (.apkg or .colpkg, with tags, media,
    /// review history and scheduling) or from a CSV or TSV file. For CSV and TSV the delimiter and a header row are
    /// detected; columns are matched by header name (front, back, tags, topic,
    /// deck, id, kind), else the first two are front and back. Nothing is
    /// imported if any row has an error; importing the same file again
    /// updates instead of duplicating.
    Import {
        /// The file.
        file: PathBuf,
        /// Deck for rows without a deck column [default: the file's name].
        #[arg(long)]
        deck: Option<String>,
    },
    /// Export cards to CSV or TSV (to standard output unless --output).
    Export {
        /// Only this deck (name or file name).
        #[arg(long)]
        deck: Option<String>,
        /// Only the cards a browser search finds, e.g. "tag:sql is:due".
        #[arg(long)]
        query: Option<String>,
        /// Tab-separated instead of comma-separated.
        #[arg(long)]
        tsv: bool,
        /// Write an Anki package (.apkg, with scheduling, review history and
        /// media) to this file instead of CSV.
        #[arg(long, value_name = "OUT", conflicts_with_all = ["tsv", "output"])]
        apkg: Option<PathBuf>,
        /// Write to this file.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// Runs the command line.
pub fn run(args: Args) -> Result<ExitCode> {
    let data_dir = data_dir(args.data_dir)?;
    match args.command {
        None => match open(&data_dir, false) {
            Ok(collection) => {
                crate::ui::run(collection)?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                // Started from a desktop there is no terminal to read this in.
                eprintln!("rehearse: {e:#}");
                let _ = crate::ui::run_error(&format!("{e:#}"));
                Ok(ExitCode::FAILURE)
            }
        },
        Some(Command::Check { paths, fix }) => {
            if paths.is_empty() {
                check(&[data_dir.join("decks")], fix, Some(&data_dir))
            } else {
                check(&paths, fix, None)
            }
        }
        Some(Command::Stats { json }) => {
            // Read-only, so it works while the window is open.
            let collection = open(&data_dir, true)?;
            stats(&collection, json, Timestamp::now())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Weak) => {
            let collection = open(&data_dir, true)?;
            weak(&collection, Timestamp::now())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Optimize { json }) => {
            let mut collection = open(&data_dir, false)?;
            optimize(&mut collection, json)
        }
        Some(Command::Import { file, deck }) => {
            let mut collection = open(&data_dir, false)?;
            import_cards(&mut collection, &file, deck)
        }
        Some(Command::Export {
            deck,
            query,
            tsv,
            output,
            apkg,
        }) => {
            let collection = open(&data_dir, true)?;
            export_cards(&collection, deck, query, tsv, output, apkg)
        }
        Some(Command::ImportRevlog { file }) => {
            let collection = open(&data_dir, false)?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let report = crate::insight::fit::import_review_log(&collection, &text)
                .with_context(|| format!("{}", file.display()))?;
            outln!(
                "imported {} reviews of {} cards ({} rows skipped) into {}",
                report.imported,
                report.cards,
                report.skipped,
                report.path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `rehearse import FILE`.
fn import_cards(
    collection: &mut Collection,
    file: &Path,
    deck: Option<String>,
) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    if is_anki_package(file) {
        let plan = crate::interop::package::plan_anki_import(&bytes)
            .with_context(|| format!("{}", file.display()))?;
        outln!("{}: {}", file.display(), plan.summary());
        for w in &plan.converted.warnings {
            outln!("warning: {w}");
        }
        let r = crate::interop::package::apply_anki_import(collection, &plan, Timestamp::now())?;
        outln!("{}", r.summary());
        return Ok(ExitCode::SUCCESS);
    }
    let default_deck = deck.unwrap_or_else(|| {
        file.file_stem()
            .map_or("Imported".into(), |s| s.to_string_lossy().into_owned())
    });
    let plan = crate::interop::plan_csv_import(&bytes, &default_deck)
        .with_context(|| format!("{}", file.display()))?;
    if !plan.mapped.errors.is_empty() {
        for e in &plan.mapped.errors {
            outln!("{}:{e}", file.display());
        }
        outln!(
            "{} row{} with errors: nothing was imported",
            plan.mapped.errors.len(),
            plural(plan.mapped.errors.len())
        );
        return Ok(ExitCode::FAILURE);
    }
    let cards = plan
        .mapped
        .cards
        .into_iter()
        .map(|c| (c.deck, c.card))
        .collect();
    let report = collection.import_cards(cards)?;
    outln!(
        "{} added, {} updated, {} unchanged{}",
        report.added,
        report.updated,
        report.unchanged,
        if report.new_decks.is_empty() {
            String::new()
        } else {
            format!(
                "; new deck{}: {}",
                plural(report.new_decks.len()),
                report.new_decks.join(", ")
            )
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// True for Anki's package files.
fn is_anki_package(file: &Path) -> bool {
    file.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("apkg") || e.eq_ignore_ascii_case("colpkg"))
}

/// `rehearse export`.
fn export_cards(
    collection: &Collection,
    deck: Option<String>,
    query: Option<String>,
    tsv: bool,
    output: Option<PathBuf>,
    apkg: Option<PathBuf>,
) -> Result<ExitCode> {
    let mut text = query.unwrap_or_default();
    if let Some(d) = deck {
        let found = collection
            .decks()
            .iter()
            .find(|x| x.slug == d || x.name.eq_ignore_ascii_case(&d))
            .with_context(|| format!("there is no deck `{d}`"))?;
        text = format!("deck:\"{}\" {text}", found.slug);
    }
    let query = crate::browse::parse(&text).map_err(|e| anyhow::anyhow!("search `{text}`: {e}"))?;
    let rows = crate::browse::search(collection, &query, Timestamp::now());
    if let Some(path) = apkg {
        let history = collection.history_loader()?.load()?;
        let notes = crate::interop::package::export_apkg(
            collection,
            &history,
            &rows,
            &path,
            Timestamp::now(),
        )?;
        eprintln!("exported {notes} notes to {}", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let cards = crate::interop::cards_of_items(collection, &rows);
    let table = crate::interop::csv::write_table(&cards, if tsv { b'\t' } else { b',' });
    match output {
        Some(path) => {
            crate::store::write_atomic(&path, table.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("exported {} cards to {}", cards.len(), path.display());
        }
        None => {
            use std::io::Write as _;
            let _ = std::io::stdout().write_all(table.as_bytes());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn pct(v: Option<f32>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{:.0}%", v * 100.0))
}

/// `rehearse weak`.
fn weak(collection: &Collection, now: Timestamp) -> Result<()> {
    let history = collection.history_loader()?.load()?;
    let rows = crate::insight::weak::weak_topics(collection, Some(&history), now);
    outln!(
        "{:<5} {:<36} {:>6} {:>7} {:>7} {:>7} {:>9} {:>7}",
        "kind",
        "name",
        "cards",
        "studied",
        "recall",
        "lapses",
        "again30d",
        "leeches"
    );
    for r in rows {
        let kind = match r.kind {
            crate::insight::weak::GroupKind::Topic => "topic",
            crate::insight::weak::GroupKind::Tag => "tag",
        };
        outln!(
            "{:<5} {:<36} {:>6} {:>7} {:>7} {:>7} {:>9} {:>7}",
            kind,
            r.name,
            r.items,
            r.studied,
            pct(r.recall_now),
            pct(r.lapse_rate),
            pct(r.again_rate_30d),
            r.leeches
        );
    }
    Ok(())
}

/// `rehearse optimize`.
fn optimize(collection: &mut Collection, json: bool) -> Result<ExitCode> {
    let job = collection.fit_job()?;
    let mut last = 0;
    let fitted = job.run(|done, total| {
        if !json && total > 0 && done * 10 / total != last {
            last = done * 10 / total;
            eprint!("\roptimising… {}%", done * 100 / total);
        }
        true
    });
    if !json {
        eprintln!();
    }
    let fitted = fitted?;
    if fitted.improved {
        collection.use_parameters(fitted.parameters.clone())?;
    }
    if json {
        let out = serde_json::json!({
            "reviews": fitted.reviews,
            "items": fitted.items,
            "before": { "log_loss": fitted.before.log_loss, "rmse_bins": fitted.before.rmse_bins },
            "after": { "log_loss": fitted.after.log_loss, "rmse_bins": fitted.after.rmse_bins },
            "improved": fitted.improved,
            "kept": if fitted.improved { "new" } else { "current" },
            "parameters": fitted.parameters,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        outln!(
            "fitted on {} reviews ({} training items)",
            fitted.reviews,
            fitted.items
        );
        outln!("{:<12} {:>9} {:>11}", "", "log loss", "RMSE(bins)");
        outln!(
            "{:<12} {:>9.4} {:>11.4}",
            "current",
            fitted.before.log_loss,
            fitted.before.rmse_bins
        );
        outln!(
            "{:<12} {:>9.4} {:>11.4}",
            "fitted",
            fitted.after.log_loss,
            fitted.after.rmse_bins
        );
        if fitted.improved {
            outln!("saved the fitted parameters; they apply from each card's next review");
        } else {
            outln!(
                "kept the current parameters: the fitted ones do not predict your history better"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--data-dir`, else `REHEARSE_DATA`, else the platform data directory.
pub fn data_dir(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir);
    }
    if let Some(dir) = std::env::var_os("REHEARSE_DATA").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "Rehearse")
        .map(|p| p.data_dir().to_path_buf())
        .context("cannot find a home folder for the data; pass --data-dir")
}

/// This machine's device name: `REHEARSE_DEVICE`, else one made up once and
/// kept in the platform config folder. It must not live in the data folder,
/// which may be synced to other machines.
pub fn device_name() -> Result<String> {
    if let Ok(name) = std::env::var("REHEARSE_DEVICE") {
        if !collection::valid_device(&name) {
            bail!("REHEARSE_DEVICE `{name}` must be letters, digits, `-`, `_` or `.`");
        }
        return Ok(name);
    }
    let dirs = directories::ProjectDirs::from("", "", "Rehearse")
        .context("cannot find a home folder for the device name; set REHEARSE_DEVICE")?;
    let path = dirs.config_dir().join("device");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let name = text.trim().to_string();
        if collection::valid_device(&name) {
            return Ok(name);
        }
    }
    let host: String = std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default()
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(32)
        .collect();
    let host = if host.is_empty() {
        "device".into()
    } else {
        host
    };
    let name = format!("{host}-{:04x}", rand::random::<u16>());
    std::fs::create_dir_all(dirs.config_dir())
        .and_then(|()| crate::store::write_atomic(&path, name.as_bytes()))
        .with_context(|| format!("cannot save the device name in {}", path.display()))?;
    Ok(name)
}

fn open(data_dir: &Path, read_only: bool) -> Result<Collection> {
    let device = if read_only {
        "reader".to_string()
    } else {
        device_name()?
    };
    let collection = Collection::open(
        OpenOptions {
            root: data_dir.to_path_buf(),
            device,
            clock: None,
            read_only,
        },
        Timestamp::now(),
    )?;
    // The window shows a broken settings file; the command line must too,
    // or `stats` would quietly count with the defaults.
    if let Some(e) = collection.settings_error() {
        eprintln!("warning: {e}");
    }
    for w in collection.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(collection)
}

/// `rehearse check`: prints every problem, returns failure if any is an error.
/// With the data folder `data`, also `settings.ron` and every journal line
/// that cannot be used: the window reports those only until the state cache
/// has moved past them.
pub fn check(paths: &[PathBuf], fix: bool, data: Option<&Path>) -> Result<ExitCode> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut in_dir: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("cannot read {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|e| e == "ron"))
                .collect();
            in_dir.sort();
            files.extend(in_dir);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            bail!("{}: no such file or folder", p.display());
        }
    }
    let (mut errors, mut warnings, mut cards) = (0usize, 0usize, 0usize);
    let mut owners: HashMap<CardId, PathBuf> = HashMap::new();
    for file in &files {
        if fix {
            pin_file(file)?;
        }
        let deck = match deck::load_deck(file) {
            Ok(d) => d,
            Err(e) => {
                outln!("{e}");
                errors += 1;
                continue;
            }
        };
        cards += deck.cards.len();
        for p in deck::validate(&deck) {
            let level = if p.is_error { "error" } else { "warning" };
            outln!("{}: {level}: {}", file.display(), p.message);
            if p.is_error {
                errors += 1;
            } else {
                warnings += 1;
            }
        }
        for card in &deck.cards {
            if let Some(other) = owners.get(&card.id)
                && other != file
            {
                outln!(
                    "{}: error: id `{}` is also used in {}",
                    file.display(),
                    card.id,
                    other.display()
                );
                errors += 1;
            }
            owners
                .entry(card.id.clone())
                .or_insert_with(|| file.clone());
        }
    }
    if let Some(dir) = data {
        errors += check_settings(&dir.join("settings.ron"))?;
        warnings += check_journals(&dir.join("journal"))?;
    }
    outln!(
        "{} deck file{}, {cards} cards: {errors} error{}, {warnings} warning{}",
        files.len(),
        plural(files.len()),
        plural(errors),
        plural(warnings)
    );
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Prints why `settings.ron` cannot be used, if it cannot; returns 1 then.
fn check_settings(path: &Path) -> Result<usize> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let problem = match deck::utf8(&bytes, path) {
        Ok(text) => crate::schedule::Settings::from_ron(text)
            .err()
            .map(|e| format!("{}: error: {e}", path.display())),
        Err(e) => Some(format!("{e}")),
    };
    Ok(problem.map_or(0, |p| {
        outln!("{p}");
        1
    }))
}

/// Prints every skipped line of the journals in `dir`; returns how many.
fn check_journals(dir: &Path) -> Result<usize> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|f| f.extension().is_some_and(|e| e == "ron"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    files.sort();
    let mut count = 0;
    for file in files {
        let read = crate::store::read_journal(&file, 0)
            .with_context(|| format!("cannot read {}", file.display()))?;
        for w in read.warnings {
            outln!("warning: {w}");
            count += 1;
        }
    }
    Ok(count)
}

/// `check --fix` for one file: pins missing ids; a file that does not parse
/// is left alone (check reports it).
fn pin_file(file: &Path) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Ok(());
    };
    if let Ok((fixed, n)) = deck::pin_ids(text, file)
        && n > 0
    {
        crate::store::write_atomic(file, fixed.as_bytes())
            .with_context(|| format!("cannot write {}", file.display()))?;
        outln!("{}: wrote {n} id{}", file.display(), plural(n));
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::New => "new",
        Phase::Learning { .. } => "learning",
        Phase::Review => "review",
        Phase::Relearning { .. } => "relearning",
    }
}

/// `rehearse stats`.
pub fn stats(collection: &Collection, json: bool, now: Timestamp) -> Result<()> {
    let counts = collection.deck_counts(now);
    let progress = collection.progress_today(now);
    if !json {
        outln!(
            "{:<40} {:>6} {:>6} {:>6} {:>6}",
            "deck",
            "cards",
            "new",
            "learn",
            "due"
        );
        for (deck, c) in collection.decks().iter().zip(&counts) {
            outln!(
                "{:<40} {:>6} {:>6} {:>6} {:>6}",
                deck.name,
                deck.cards.len(),
                c.new,
                c.learning,
                c.review
            );
        }
        let total = collection.total_counts(now);
        let cards: usize = collection.decks().iter().map(|d| d.cards.len()).sum();
        outln!(
            "{:<40} {:>6} {:>6} {:>6} {:>6}",
            "total",
            cards,
            total.new,
            total.learning,
            total.review
        );
        outln!(
            "today: {} answers, {} new, {} again, {} min",
            progress.answers,
            progress.new,
            progress.again,
            progress.time_ms / 60_000
        );
        for e in collection.deck_errors() {
            outln!("not loaded: {e}");
        }
        return Ok(());
    }
    let scheduler = collection.scheduler();
    let decks: Vec<_> = collection
        .decks()
        .iter()
        .zip(&counts)
        .map(|(d, c)| {
            serde_json::json!({
                "slug": d.slug, "name": d.name, "cards": d.cards.len(),
                "new": c.new, "learning": c.learning, "due": c.review,
            })
        })
        .collect();
    let cards: Vec<_> = collection
        .items()
        .iter()
        .map(|item| {
            let s = collection.state(&item.id);
            serde_json::json!({
                "item": item.id.to_string(),
                "deck": collection.decks()[item.deck].slug,
                "phase": phase_name(s.phase),
                "stability": s.memory.map(|m| m.stability),
                "difficulty": s.memory.map(|m| m.difficulty),
                "retrievability": scheduler.retrievability(s, now),
                "due": s.due.map(|d| d.to_string()),
                "interval_days": s.interval_days,
                "reps": s.reps,
                "lapses": s.lapses,
                "leech": s.leech,
                "suspended": s.suspended,
            })
        })
        .collect();
    let history = collection.history_loader()?.load()?;
    let statistics = crate::insight::stats::compute(
        collection,
        Some(&history),
        &crate::insight::stats::StatsFilter::default(),
        now,
    );
    let out = serde_json::json!({
        "statistics": statistics,
        "decks": decks,
        "today": {
            "answers": progress.answers, "new": progress.new,
            "again": progress.again, "time_ms": progress.time_ms,
        },
        "deck_errors": collection.deck_errors().iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        "settings_error": collection.settings_error(),
        "cards": cards,
    });
    outln!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
