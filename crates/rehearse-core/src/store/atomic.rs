//! Crash-safe file replacement: write a temporary file beside the target, fsync
//! it, rename it over the target, fsync the folder.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Replaces `path` with `bytes` so that a crash leaves either the old or the new
/// content, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = temp_path_for(path);
    let result = (|| {
        let mut file = File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        // Cleanup, best effort: the write error is what is reported, and a
        // leftover temporary file is removed at the next start.
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A fresh temporary name beside `path`: `.<name>.tmp-<pid>-<n>`. Only this
/// program makes names of this shape, which is what lets [`remove_stale_temps`]
/// tell its own leftovers from the user's files.
pub fn temp_path_for(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

/// The process id in a name made by [`temp_path_for`], or `None` for any
/// other name.
pub fn temp_owner(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?;
    let at = rest.rfind(".tmp-")?;
    if at == 0 {
        return None;
    }
    let (pid, counter) = rest[at + ".tmp-".len()..].split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) || !digits(counter) {
        return None;
    }
    pid.parse().ok()
}

/// Temporary files older than this are stale even if a process with their
/// writer's id is running (the id may have been reused since).
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes temporary files (and staging folders) that an earlier run of this
/// program left in `dirs` when it was killed mid-write. Only names made by
/// [`temp_path_for`] are touched, and only when their writer is no longer
/// running (or they are over an hour old), so that a concurrent
/// `rehearse check --fix` keeps its file. The caller must hold the data
/// folder's lock. Returns the paths removed.
pub fn remove_stale_temps(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let me = std::process::id();
    let mut removed = Vec::new();
    for dir in dirs {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        let mut any = false;
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(temp_owner) else {
                continue;
            };
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE_AFTER);
            if pid == me || (!old && process_running(pid)) {
                continue;
            }
            let path = entry.path();
            let gone = if entry.file_type().is_ok_and(|t| t.is_dir()) {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            if gone.is_ok() {
                any = true;
                removed.push(path);
            }
        }
        if any {
            // Best effort: should the removals not last, they are made again.
            let _ = sync_dir(dir);
        }
    }
    removed
}

/// Whether a process with this id exists. Where that cannot be told, it is
/// assumed to, and only age makes its files stale.
fn process_running(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Makes a rename or file creation in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.ron");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn temp_names_are_recognised() {
        let tmp = temp_path_for(Path::new("decks/apis.ron"));
        let name = tmp.file_name().unwrap().to_str().unwrap();
        assert_eq!(temp_owner(name), Some(std::process::id()));
        assert_eq!(temp_owner(".state.ron.tmp-12-3"), Some(12));
        for other in [
            "state.ron",
            "notes.tmp-1-2",
            ".tmp-1-2",
            ".a.tmp-x-2",
            ".a.tmp-1-",
            ".a.tmp-1",
        ] {
            assert_eq!(temp_owner(other), None, "{other}");
        }
    }
}
