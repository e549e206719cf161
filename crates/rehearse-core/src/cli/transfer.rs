//! `rehearse import` and `rehearse export`: cards in and out of the data folder.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use jiff::Timestamp;

use super::plural;
use crate::collection::Collection;
use crate::interop::package::ImportStage;
use crate::interop::{ImportPreview, PreviewError};

/// `rehearse import FILE`.
pub(super) fn import_cards(
    collection: &mut Collection,
    file: &Path,
    deck: Option<String>,
) -> Result<ExitCode> {
    let progress = Progress::new();
    if crate::interop::is_anki_package(file) {
        progress.phase("reading the package");
    }
    // A package's bytes are let go of once read: the plan holds what the
    // import needs.
    let plan = match crate::interop::preview_import(file, deck.as_deref()) {
        Ok(ImportPreview::Anki(plan)) => {
            outln!("{}: {}", file.display(), plan.summary());
            for w in &plan.converted.warnings {
                outln!("warning: {w}");
            }
            let mut progress = progress;
            let r = crate::interop::package::import_anki(
                collection,
                plan,
                Timestamp::now(),
                &mut |s| {
                    progress.stage(s);
                    std::ops::ControlFlow::Continue(())
                },
            )?;
            progress.done();
            outln!("{}", r.summary());
            return Ok(ExitCode::SUCCESS);
        }
        Ok(ImportPreview::Table { plan, .. }) => *plan,
        // The other errors name the file already.
        Err(e @ PreviewError::Table(_)) => {
            return Err(e).with_context(|| format!("{}", file.display()));
        }
        Err(e) => return Err(e.into()),
    };
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

/// `rehearse export`.
pub(super) fn export_cards(
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
    let query = crate::search::parse(&text).map_err(|e| anyhow::anyhow!("search `{text}`: {e}"))?;
    // The history is read when the query searches it or a package needs it.
    let history = if query.needs_history().is_some() || apkg.is_some() {
        Some(collection.history_loader()?.load()?)
    } else {
        None
    };
    let rows = crate::search::search(collection, &query, Timestamp::now(), history.as_ref())
        .map_err(|e| anyhow::anyhow!("search `{text}`: {e}"))?;
    if let Some(path) = apkg {
        let history = history.context("the review history was not read")?;
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
    let delimiter = if tsv { b'\t' } else { b',' };
    match output {
        Some(path) => {
            crate::interop::csv::export_to_path(&cards, delimiter, &path)?;
            eprintln!("exported {} cards to {}", cards.len(), path.display());
        }
        None => {
            use std::io::Write as _;
            let table = crate::interop::csv::write_table(&cards, delimiter)?;
            // A reader that went away (`rehearse export | head`) is not an error.
            let _ = std::io::stdout().write_all(table.as_bytes());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An import's progress on stderr: a line per stage, and on a terminal a
/// running count of the history written.
struct Progress {
    terminal: bool,
    last: Option<std::mem::Discriminant<ImportStage>>,
    shown: std::time::Instant,
}

impl Progress {
    fn new() -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
            last: None,
            shown: std::time::Instant::now(),
        }
    }

    fn phase(&self, what: &str) {
        eprintln!("import: {what}…");
    }

    fn stage(&mut self, stage: ImportStage) {
        let kind = std::mem::discriminant(&stage);
        let new = self.last != Some(kind);
        if let ImportStage::History { written, total } = stage {
            if new && !self.terminal {
                self.phase(&format!(
                    "writing {total} answers and states into a journal"
                ));
            }
            // On a terminal the count runs on one line, a few times a second.
            if self.terminal && (new || self.shown.elapsed().as_millis() >= 200 || written == total)
            {
                eprint!("\rimport: writing the history: {written} of {total}");
                if written == total {
                    eprintln!();
                }
                self.shown = std::time::Instant::now();
            }
            self.last = Some(kind);
            return;
        }
        if !new {
            return;
        }
        self.last = Some(kind);
        match stage {
            ImportStage::Media { total, .. } => {
                self.phase(&format!("staging {total} media files"));
            }
            ImportStage::Cards => self.phase("staging the cards"),
            ImportStage::Committing => self.phase("writing everything as one change"),
            ImportStage::Applying => self.phase("replaying the imported history"),
            ImportStage::Caching => self.phase("caching the state for a fast start"),
            ImportStage::History { .. } => {}
        }
    }

    fn done(&self) {
        eprintln!("import: done");
    }
}
