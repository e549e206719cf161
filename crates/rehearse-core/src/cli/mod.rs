//! The command line: where the data folder is, which device this is, and the
//! `check` and `stats` subcommands. Errors here are `anyhow`: this is the edge.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use jiff::Timestamp;

use crate::collection::{self, Collection, OpenOptions};
use crate::store::DataDir;

/// `println!` that stops quietly when the reader goes away (`rehearse stats | head`)
/// instead of panicking on the broken pipe.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Spaced-repetition flashcards for technical interviews, scheduled by FSRS-6.
///
/// Without a subcommand, opens the window. Data lives in plain RON files in the
/// data folder: decks/*.ron (cards), journal/<device>.ron (every answer),
/// settings.ron; .cache/ holds a disposable binary cache of them.
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

mod check;
mod optimize;
mod stats;
mod transfer;
mod weak;

pub use check::check;
pub use stats::stats;

/// Runs the command line. Without a subcommand, `window` gets the opened
/// collection (or why it could not be opened): the core has no window of
/// its own, so the binary passes one in.
pub fn run(
    args: Args,
    window: impl FnOnce(Result<Collection>) -> Result<ExitCode>,
) -> Result<ExitCode> {
    let data_dir = data_dir(args.data_dir)?;
    match args.command {
        None => window(open(&data_dir, false)),
        Some(Command::Check { paths, fix }) => {
            if paths.is_empty() {
                check(&[DataDir::new(&data_dir).decks()], fix, Some(&data_dir))
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
            weak::weak(&collection, Timestamp::now())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Optimize { json }) => {
            let mut collection = open(&data_dir, false)?;
            optimize::optimize(&mut collection, json)
        }
        Some(Command::Import { file, deck }) => {
            let mut collection = open(&data_dir, false)?;
            transfer::import_cards(&mut collection, &file, deck)
        }
        Some(Command::Export {
            deck,
            query,
            tsv,
            output,
            apkg,
        }) => {
            let collection = open(&data_dir, true)?;
            transfer::export_cards(&collection, deck, query, tsv, output, apkg)
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

/// "s" for a count other than one.
pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
