//! Getting a data folder ready at start, holding its lock: finishing a change
//! a crash interrupted, installing the built-in decks on first use (or
//! finishing an install that was cut short), and removing temporary files
//! that killed runs left behind.

use std::fs;
use std::io::Write;

use super::BUILTIN_DECKS;
use crate::store::atomic::{remove_stale_temps, sync_dir, temp_owner, temp_path_for};
use crate::store::{self, DataDir, StoreError, txn};

/// Runs the start-up repairs in an order that keeps them safe: a decided
/// transaction is finished before temporary files are judged stale, since it
/// still needs its own. Returns warnings for the user.
pub(super) fn prepare(dir: &DataDir) -> Result<Vec<String>, StoreError> {
    let mut warnings = Vec::new();
    let settled = match txn::recover(dir.root()) {
        Ok(_) => true,
        Err(e) => {
            warnings.push(e.to_string());
            false
        }
    };
    install_builtin_decks(dir)?;
    // With an unfinished transaction left in place, its temporary files are
    // not stale: they are what finishing it needs.
    if settled {
        remove_stale_temps(&[
            dir.root().to_path_buf(),
            dir.decks(),
            dir.journals(),
            dir.media(),
            dir.trash(),
            dir.cache(),
            dir.cached_decks(),
        ]);
    }
    Ok(warnings)
}

/// Installs the built-in decks into a folder that has no `decks/` yet, all at
/// once: they are written into a staging folder, fsynced, and published by
/// renaming it to `decks/`, so a crash leaves either no `decks/` (the next
/// start installs again) or a complete one. A folder where an earlier version
/// was killed part way through its install is completed.
fn install_builtin_decks(dir: &DataDir) -> Result<(), StoreError> {
    let decks = dir.decks();
    if decks.exists() {
        if interrupted_legacy_install(dir) {
            for (name, text) in BUILTIN_DECKS {
                let path = decks.join(name);
                if !path.exists() {
                    store::write_atomic(&path, text.as_bytes())
                        .map_err(|e| StoreError::io(&path, e))?;
                }
            }
        }
        return Ok(());
    }
    let staging = temp_path_for(&decks);
    let io = |e| StoreError::io(&staging, e);
    fs::create_dir(&staging).map_err(io)?;
    let written = (|| {
        for (name, text) in BUILTIN_DECKS {
            let mut file = fs::File::create(staging.join(name))?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
        }
        sync_dir(&staging)?;
        fs::rename(&staging, &decks)?;
        sync_dir(dir.root())
    })();
    if written.is_err() {
        // Cleanup, best effort: the install error is what is reported, and a
        // leftover staging folder is removed at the next start.
        let _ = fs::remove_dir_all(&staging);
    }
    written.map_err(io)
}

/// True for what an install killed part way left before installs were made
/// atomic: `decks/` holding nothing but built-in decks (perhaps as an older
/// version shipped them) and perhaps a temporary file, while the journal
/// folder and the settings, which a first start creates only after the
/// decks, are missing. A folder the user has set up or used never looks like
/// this; and completing it only adds the missing files, never overwrites.
fn interrupted_legacy_install(dir: &DataDir) -> bool {
    if dir.journals().exists() || dir.settings().exists() {
        return false;
    }
    let Ok(entries) = fs::read_dir(dir.decks()) else {
        return false;
    };
    entries.filter_map(Result::ok).all(|entry| {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return false;
        };
        if temp_owner(name).is_some() {
            return true;
        }
        BUILTIN_DECKS.iter().any(|(builtin, _)| *builtin == name)
    })
}
