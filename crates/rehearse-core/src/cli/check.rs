//! `rehearse check [--fix]`: deck files, settings and journals, with line and column.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use std::collections::HashMap;

use super::plural;
use crate::deck::{self, CardId};

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
    if let Some(dir) = data.map(crate::store::DataDir::new) {
        errors += check_settings(&dir.settings())?;
        warnings += check_journals(&dir.journals())?;
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
