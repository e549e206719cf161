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
pub use journal::{Event, JournalRead, JournalWriter, read_journal};
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item9_io_error_names_the_os_error_once() {
        let e = StoreError::io(Path::new("/data/.lock"), io::Error::from_raw_os_error(30));
        let shown = format!("{:#}", anyhow::Error::from(e));
        let os = io::Error::from_raw_os_error(30).to_string();
        assert_eq!(shown.matches(&os).count(), 1, "{shown}");
        assert!(shown.starts_with("/data/.lock: "), "{shown}");
    }
}
