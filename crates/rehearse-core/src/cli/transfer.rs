//! `rehearse import` and `rehearse export`: cards in and out of the data folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use jiff::Timestamp;

use super::plural;
use crate::collection::Collection;
use crate::interop::{ImportPreview, PreviewError};

/// `rehearse import FILE`.
pub(super) fn import_cards(
    collection: &mut Collection,
    file: &Path,
    deck: Option<String>,
) -> Result<ExitCode> {
    let plan = match crate::interop::preview_import(file, deck.as_deref()) {
        Ok(ImportPreview::Anki(plan)) => {
            outln!("{}: {}", file.display(), plan.summary());
            for w in &plan.converted.warnings {
                outln!("warning: {w}");
            }
            let r =
                crate::interop::package::apply_anki_import(collection, &plan, Timestamp::now())?;
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
