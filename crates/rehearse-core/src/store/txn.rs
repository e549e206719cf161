//! Several files of a data folder changed as one: after a crash at any moment,
//! and the next start, either all of the changes are there or none is.
//!
//! Each new file is first written in full beside its target under a temporary
//! name and fsynced. Then an intent file (`.transaction.ron` in the data
//! folder) listing every rename and removal is written atomically: from that
//! moment on the change is decided. The renames and removals follow, and the
//! intent file goes last. A start that finds an intent file
//! ([`recover`]) carries out what it lists; one that finds temporary files
//! without an intent file removes them as stale, which undoes the change.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::atomic::{sync_dir, temp_path_for, write_atomic};

/// The intent file, in the data folder.
const INTENT: &str = ".transaction.ron";

/// What a decided transaction still has to do, with paths relative to the
/// data folder so a moved folder recovers too.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Intent {
    /// (temporary file, target) pairs.
    renames: Vec<(PathBuf, PathBuf)>,
    /// Files to delete.
    removes: Vec<PathBuf>,
}

/// Files to write and remove together. Dropping it without
/// [`Transaction::commit`] removes what was staged.
#[derive(Debug)]
pub struct Transaction {
    root: PathBuf,
    renames: Vec<(PathBuf, PathBuf)>,
    removes: Vec<PathBuf>,
}

impl Transaction {
    /// A transaction on files under the data folder `root`.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            renames: Vec::new(),
            removes: Vec::new(),
        }
    }

    /// True when nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.renames.is_empty() && self.removes.is_empty()
    }

    /// Writes `bytes` for `path` under a temporary name and fsyncs it; the
    /// target changes only at [`Self::commit`]. Creates missing folders.
    pub fn write(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        self.relative(path)?;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let tmp = temp_path_for(path);
        let written = (|| {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()
        })();
        if let Err(e) = written {
            // Cleanup, best effort: the write error is what is reported, and
            // a leftover temporary file is removed at the next start.
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        self.renames.push((tmp, path.to_path_buf()));
        Ok(())
    }

    /// Like [`Self::write`] for content too large to hold in memory at once:
    /// `fill` streams it through a buffer into a temporary file beside
    /// `provisional`, and returns the path the file is to have (in the same
    /// folder; say, named by a hash of what was written). An error from
    /// `fill` (a cancelled import, say) removes the temporary file.
    pub fn write_streamed(
        &mut self,
        provisional: &Path,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<PathBuf>,
    ) -> io::Result<PathBuf> {
        self.relative(provisional)?;
        if let Some(dir) = provisional.parent() {
            fs::create_dir_all(dir)?;
        }
        let tmp = temp_path_for(provisional);
        let written = (|| {
            let mut out = io::BufWriter::with_capacity(1 << 20, fs::File::create(&tmp)?);
            let target = fill(&mut out)?;
            let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
            file.sync_all()?;
            if target.parent() != provisional.parent() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "{} is not beside {}",
                        target.display(),
                        provisional.display()
                    ),
                ));
            }
            Ok(target)
        })();
        match written {
            Ok(target) => {
                self.renames.push((tmp, target.clone()));
                Ok(target)
            }
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// Removes `path` at [`Self::commit`] (nothing if it does not exist).
    pub fn remove(&mut self, path: &Path) -> io::Result<()> {
        self.relative(path)?;
        self.removes.push(path.to_path_buf());
        Ok(())
    }

    fn relative(&self, path: &Path) -> io::Result<PathBuf> {
        path.strip_prefix(&self.root)
            .map(Path::to_path_buf)
            .map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is outside the data folder", path.display()),
                )
            })
    }

    /// Makes every staged change, as one.
    pub fn commit(mut self) -> io::Result<()> {
        let renames = std::mem::take(&mut self.renames);
        let removes = std::mem::take(&mut self.removes);
        if renames.is_empty() && removes.is_empty() {
            return Ok(());
        }
        // A single rename is atomic by itself: no intent file needed.
        if renames.len() == 1 && removes.is_empty() {
            let (tmp, target) = &renames[0];
            if let Err(e) = fs::rename(tmp, target) {
                // Cleanup, best effort (as above).
                let _ = fs::remove_file(tmp);
                return Err(e);
            }
            return sync_dir(parent(target));
        }
        let intent = Intent {
            renames: renames
                .iter()
                .map(|(t, p)| Ok((self.relative(t)?, self.relative(p)?)))
                .collect::<io::Result<_>>()?,
            removes: removes
                .iter()
                .map(|p| self.relative(p))
                .collect::<io::Result<_>>()?,
        };
        let text = ron::to_string(&intent).map_err(io::Error::other)?;
        let intent_path = self.root.join(INTENT);
        if let Err(e) = write_atomic(&intent_path, text.as_bytes()) {
            for (tmp, _) in &renames {
                // Cleanup, best effort (as above).
                let _ = fs::remove_file(tmp);
            }
            return Err(e);
        }
        carry_out(&self.root, &intent)?;
        fs::remove_file(&intent_path)?;
        sync_dir(&self.root)
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        for (tmp, _) in &self.renames {
            // Nothing to report to from a drop; leftovers go at the next start.
            let _ = fs::remove_file(tmp);
        }
    }
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Renames and removes as `intent` says, skipping what is already done, so
/// it can run again after a crash part way.
fn carry_out(root: &Path, intent: &Intent) -> io::Result<()> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for (tmp, target) in &intent.renames {
        let (tmp, target) = (root.join(tmp), root.join(target));
        if tmp.exists() {
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::rename(&tmp, &target)?;
        }
        dirs.push(parent(&target).to_path_buf());
    }
    for path in &intent.removes {
        let path = root.join(path);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        dirs.push(parent(&path).to_path_buf());
    }
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        sync_dir(&dir)?;
    }
    Ok(())
}

/// Why a transaction left by a crash could not be finished.
#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    /// The intent file does not parse; it is left where it is.
    #[error("{path}:{line}:{column}: {message}; an interrupted change could not be finished")]
    Parse {
        /// The intent file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// Renaming or removing a file failed.
    #[error("{path}: {error}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What the OS said.
        error: io::Error,
    },
}

/// Finishes a transaction that a crash interrupted after it was decided.
/// Run at start, holding the lock, before stale temporary files are removed.
/// Returns true when there was one to finish.
pub fn recover(root: &Path) -> Result<bool, RecoverError> {
    let path = root.join(INTENT);
    let io = |error| RecoverError::Io {
        path: path.clone(),
        error,
    };
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io(e)),
    };
    let intent: Intent = ron::from_str(&text).map_err(|e| RecoverError::Parse {
        path: path.clone(),
        line: e.span.start.line,
        column: e.span.start.col,
        message: e.code.to_string(),
    })?;
    carry_out(root, &intent).map_err(io)?;
    fs::remove_file(&path).map_err(io)?;
    sync_dir(root).map_err(io)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commits_all_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("old.ron"), "old").unwrap();
        let mut t = Transaction::new(root);
        t.write(&root.join("a.ron"), b"a").unwrap();
        t.write(&root.join("sub/b.ron"), b"b").unwrap();
        t.remove(&root.join("old.ron")).unwrap();
        t.commit().unwrap();
        assert_eq!(names(root), ["a.ron", "sub"]);
        assert_eq!(fs::read(root.join("sub/b.ron")).unwrap(), b"b");
    }

    #[test]
    fn dropped_transaction_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = Transaction::new(dir.path());
        t.write(&dir.path().join("a.ron"), b"a").unwrap();
        drop(t);
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn a_decided_transaction_is_finished_by_recover() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("gone.ron"), "x").unwrap();
        fs::write(root.join(".a.ron.tmp-1-1"), "a").unwrap();
        // As if killed after the first rename: b is already in place.
        fs::write(root.join("b.ron"), "b").unwrap();
        let intent = Intent {
            renames: vec![
                (".a.ron.tmp-1-1".into(), "a.ron".into()),
                (".b.ron.tmp-1-2".into(), "b.ron".into()),
            ],
            removes: vec!["gone.ron".into()],
        };
        fs::write(root.join(INTENT), ron::to_string(&intent).unwrap()).unwrap();
        assert!(recover(root).unwrap());
        assert_eq!(names(root), ["a.ron", "b.ron"]);
        assert!(!recover(root).unwrap());
    }
}
