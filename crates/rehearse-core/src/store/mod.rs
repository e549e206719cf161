//! Files on disk: the data folder's layout, atomic writes, the instance lock,
//! the review journal, the state snapshot and the binary cache.

pub mod atomic;
pub mod cache;
pub mod journal;
pub mod lock;
pub mod snapshot;
pub mod txn;
pub mod watch;

use std::io;
use std::path::{Path, PathBuf};

pub use atomic::write_atomic;
pub use journal::{Event, JournalRead, JournalWriter, read_journal, write_journal};
pub use lock::DataLock;
pub use snapshot::{AnswerKind, AnswerRecord, Deferred, JournalMark, Snapshot};
pub use txn::Transaction;

/// Where everything lives inside a data folder.
#[derive(Clone, Debug)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// A data folder rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `decks/`: one RON file per deck.
    pub fn decks(&self) -> PathBuf {
        self.root.join("decks")
    }

    /// `journal/`: one append-only file per device.
    pub fn journals(&self) -> PathBuf {
        self.root.join("journal")
    }

    /// This device's journal file.
    pub fn journal_of(&self, device: &str) -> PathBuf {
        self.journals().join(format!("{device}.ron"))
    }

    /// The file of the deck `slug`.
    pub fn deck_file(&self, slug: &str) -> PathBuf {
        self.decks().join(format!("{slug}.ron"))
    }

    /// `media/`: images and sounds that cards link to as `media/<name>`.
    pub fn media(&self) -> PathBuf {
        self.root.join("media")
    }

    /// `trash/`: deck files deleted or replaced, kept so nothing is lost.
    pub fn trash(&self) -> PathBuf {
        self.root.join("trash")
    }

    /// `.cache/`: binary copies of what the RON files parse into (see
    /// [`cache`]); derived, disposable.
    pub fn cache(&self) -> PathBuf {
        self.root.join(".cache")
    }

    /// `.cache/decks/`: the parsed decks.
    pub fn cached_decks(&self) -> PathBuf {
        self.cache().join("decks")
    }

    /// The parsed copy of the deck `slug`.
    pub fn cached_deck(&self, slug: &str) -> PathBuf {
        self.cached_decks().join(format!("{slug}.bin"))
    }

    /// `.cache/state.bin`: the state snapshot.
    pub fn cached_state(&self) -> PathBuf {
        self.cache().join("state.bin")
    }

    /// `.cache/history.bin`: the replayed review history.
    pub fn cached_history(&self) -> PathBuf {
        self.cache().join("history.bin")
    }

    /// `state.ron`: the snapshot as earlier versions kept it. Still read
    /// when `.cache/` has none, never written.
    pub fn state(&self) -> PathBuf {
        self.root.join("state.ron")
    }

    /// `settings.ron`.
    pub fn settings(&self) -> PathBuf {
        self.root.join("settings.ron")
    }

    /// The lock file that keeps a second instance out.
    pub fn lock(&self) -> PathBuf {
        self.root.join(".lock")
    }
}

/// Something went wrong with the files of a data folder.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading or writing a file failed.
    // The OS error is part of the message and deliberately not a `source`:
    // a report that prints the chain (`{:#}`) would say it twice.
    #[error("{path}: {error}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What the OS said.
        error: io::Error,
    },
    /// A file's content could not be made: a value would not serialise.
    /// Nothing was written.
    #[error("{path}: could not be written as text: {error}")]
    Encode {
        /// The file that was to be written.
        path: PathBuf,
        /// What the serialiser said.
        error: ron::Error,
    },
    /// Another Rehearse is using the data folder.
    #[error(
        "Another Rehearse is already using this data folder ({holder}; lock file {path}). Close it first, or choose another folder with --data-dir."
    )]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// What the holder wrote into it (its process id).
        holder: String,
    },
}

impl StoreError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: &Path, error: io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            error,
        }
    }

    /// Wraps a serialisation error with the file it was for.
    pub fn encode(path: &Path, error: ron::Error) -> Self {
        Self::Encode {
            path: path.to_path_buf(),
            error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_layout() {
        let d = DataDir::new("/data");
        assert_eq!(d.decks(), Path::new("/data/decks"));
        assert_eq!(d.deck_file("sql"), Path::new("/data/decks/sql.ron"));
        assert_eq!(d.journals(), Path::new("/data/journal"));
        assert_eq!(
            d.journal_of("laptop"),
            Path::new("/data/journal/laptop.ron")
        );
        assert_eq!(d.state(), Path::new("/data/state.ron"));
        assert_eq!(d.settings(), Path::new("/data/settings.ron"));
        assert_eq!(d.media(), Path::new("/data/media"));
        assert_eq!(d.trash(), Path::new("/data/trash"));
        assert_eq!(d.cache(), Path::new("/data/.cache"));
        assert_eq!(
            d.cached_deck("sql"),
            Path::new("/data/.cache/decks/sql.bin")
        );
        assert_eq!(d.cached_state(), Path::new("/data/.cache/state.bin"));
        assert_eq!(d.lock(), Path::new("/data/.lock"));
    }

    #[test]
    fn item9_io_error_names_the_os_error_once() {
        let e = StoreError::io(Path::new("/data/.lock"), io::Error::from_raw_os_error(30));
        let shown = format!("{:#}", anyhow::Error::from(e));
        let os = io::Error::from_raw_os_error(30).to_string();
        assert_eq!(shown.matches(&os).count(), 1, "{shown}");
        assert!(shown.starts_with("/data/.lock: "), "{shown}");
    }
}
