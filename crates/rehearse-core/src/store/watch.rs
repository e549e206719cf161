//! Watching the data folder: deck files edited in another program, and
//! journals arriving from other machines through a sync folder or git.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use notify::{RecursiveMode, Watcher};

/// Collects the paths that changed under `decks/` and `journal/`.
pub struct DataWatcher {
    _watcher: notify::RecommendedWatcher,
    changed: Arc<Mutex<BTreeSet<PathBuf>>>,
}

impl std::fmt::Debug for DataWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataWatcher").finish_non_exhaustive()
    }
}

impl DataWatcher {
    /// Watches `root/decks` and `root/journal`; `wake` is called (from the
    /// watcher's thread) whenever something changed, to repaint the window.
    pub fn new(root: &Path, wake: impl Fn() + Send + 'static) -> notify::Result<Self> {
        let changed: Arc<Mutex<BTreeSet<PathBuf>>> = Arc::default();
        let sink = Arc::clone(&changed);
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let Ok(event) = event else {
                    return;
                };
                if matches!(event.kind, notify::EventKind::Access(_)) {
                    return;
                }
                let relevant: Vec<PathBuf> = event
                    .paths
                    .into_iter()
                    .filter(|p| p.extension().is_some_and(|e| e == "ron"))
                    .collect();
                if relevant.is_empty() {
                    return;
                }
                if let Ok(mut set) = sink.lock() {
                    set.extend(relevant);
                }
                wake();
            })?;
        let dir = super::DataDir::new(root);
        for path in [dir.decks(), dir.journals()] {
            if path.is_dir() {
                watcher.watch(&path, RecursiveMode::NonRecursive)?;
            }
        }
        Ok(Self {
            _watcher: watcher,
            changed,
        })
    }

    /// The paths that changed since the last call.
    pub fn take_changes(&self) -> Vec<PathBuf> {
        self.changed
            .lock()
            .map(|mut set| std::mem::take(&mut *set).into_iter().collect())
            // Poisoned only if the watcher's callback panicked mid-insert:
            // nothing to report then, and the next change comes through.
            .unwrap_or_default()
    }
}
