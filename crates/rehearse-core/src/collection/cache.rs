//! Using `.cache/` (see [`crate::store::cache`]): decks read from their
//! binary copies when their files have not changed, the state snapshot kept
//! there, and the copies refreshed on a background thread.

use super::*;
use crate::store::cache::{self, SourceKey};

/// Where an open found its decks and states, for tests and timings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheUse {
    /// Decks read from their cached copies.
    pub decks_cached: usize,
    /// Decks parsed from their RON files (new, changed, or never cached).
    pub decks_parsed: usize,
    /// Where the scheduling states came from.
    pub state: StateSource,
    /// Journal events replayed on top of it.
    pub replayed: usize,
}

/// Where the scheduling states of an open came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StateSource {
    /// Replayed from every journal: no usable snapshot.
    #[default]
    Rebuilt,
    /// The snapshot in `.cache/state.bin`.
    Cache,
    /// A `state.ron` left by an earlier version.
    Legacy,
}

/// Decks loaded for an open, and the cache files to write for those that
/// had to be parsed.
pub(super) struct DecksLoaded {
    pub decks: Vec<Deck>,
    pub errors: Vec<DeckError>,
    pub writes: Vec<(PathBuf, Vec<u8>)>,
    pub cached: usize,
    pub parsed: usize,
}

/// What loading one deck file gives: the deck (or why not), the cache file
/// to write for it, and whether it came from the cache.
type One = (Result<Deck, DeckError>, Option<(PathBuf, Vec<u8>)>, bool);

/// One deck file: from its cached copy when that was made from these very
/// bytes, else parsed (and, when `encode`, encoded for the cache).
fn load_one(dir: &DataDir, path: &Path, encode: bool) -> One {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            let error = DeckError::Io {
                path: path.to_path_buf(),
                message: e.to_string(),
            };
            return (Err(error), None, false);
        }
    };
    // Read after the content: a file changed in between gets a key that
    // matches neither version, and is parsed again next time.
    let meta = std::fs::metadata(path).ok();
    let key = SourceKey::of(&bytes, meta.as_ref());
    let slug = deck::slug_of(path);
    if let Some(deck) = cache::read_deck(dir, &slug, &key) {
        return (Ok(deck), None, true);
    }
    let parsed = deck::utf8(&bytes, path).and_then(|text| deck::parse_deck(text, path));
    let write = match &parsed {
        Ok(deck) if encode => Some((dir.cached_deck(&slug), cache::encode_deck(key, deck))),
        _ => None,
    };
    (parsed, write, false)
}

/// Loads every deck of the data folder, in parallel, each from `.cache/`
/// where its file is unchanged. With `encode`, returns the cache files to
/// write for the decks that were parsed.
pub(super) fn load_decks_cached(dir: &DataDir, encode: bool) -> DecksLoaded {
    let (paths, listing) = open::deck_files(&dir.decks());
    let results: Vec<One> = open::load_each(
        &paths,
        |p| load_one(dir, p, encode),
        |p| (Err(open::unexpected_failure(p)), None, false),
    );
    let mut loaded = DecksLoaded {
        decks: Vec::new(),
        errors: listing.into_iter().collect(),
        writes: Vec::new(),
        cached: 0,
        parsed: 0,
    };
    for (result, write, cached) in results {
        match result {
            Ok(d) => {
                if cached {
                    loaded.cached += 1;
                } else {
                    loaded.parsed += 1;
                }
                loaded.decks.push(d);
            }
            Err(e) => loaded.errors.push(e),
        }
        loaded.writes.extend(write);
    }
    loaded
        .decks
        .sort_by_cached_key(|d| (d.name.to_lowercase(), d.slug.clone()));
    loaded
}

/// Writes the snapshot into `.cache/state.bin`, sealing the journals as they
/// are now, and removes a `state.ron` an earlier version left (it would only
/// go stale).
pub(super) fn write_state(dir: &DataDir, snapshot: &Snapshot) -> Result<(), StoreError> {
    let path = dir.cached_state();
    let journals = list_journals(dir)?;
    let bytes = cache::encode_state(snapshot, &journals).map_err(|e| StoreError::io(&path, e))?;
    cache::write(dir, &path, &bytes).map_err(|e| StoreError::io(&path, e))?;
    let legacy = dir.state();
    match std::fs::remove_file(&legacy) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError::io(&legacy, e)),
        _ => Ok(()),
    }
}

/// Removes the cached copies of decks whose files are gone. Nothing when
/// the decks folder cannot be listed: that is no sign its decks are gone.
fn remove_orphans(dir: &DataDir) {
    if let (paths, None) = open::deck_files(&dir.decks()) {
        let slugs: Vec<String> = paths.iter().map(|p| deck::slug_of(p)).collect();
        cache::remove_orphan_decks(dir, &slugs);
    }
}

impl Collection {
    /// Where this collection's decks and states came from when it opened.
    pub fn cache_use(&self) -> CacheUse {
        self.cache_use
    }

    /// Writes cache files (and drops cached decks whose files are gone) on
    /// a background thread, after any earlier such write has finished so
    /// that an older copy never lands over a newer one.
    pub(super) fn write_cache_in_background(&mut self, writes: Vec<(PathBuf, Vec<u8>)>) {
        if self.journal.is_none() {
            return;
        }
        self.collect_cache_job();
        let dir = self.dir.clone();
        self.cache_job = Some(std::thread::spawn(move || {
            for (path, bytes) in writes {
                // A cache that cannot be written is only slower next time.
                let _ = cache::write(&dir, &path, &bytes);
            }
            remove_orphans(&dir);
        }));
    }

    /// Caches the decks `slugs` as their files are now, after this
    /// collection wrote them, so the next start does not parse them. The
    /// files are parsed again on the background thread rather than the
    /// decks in memory encoded: the cache must hold exactly what parsing
    /// the file gives.
    pub(super) fn cache_written_decks(&mut self, slugs: &[String]) {
        if self.journal.is_none() || slugs.is_empty() {
            return;
        }
        let dir = self.dir.clone();
        let paths: Vec<PathBuf> = slugs.iter().map(|slug| dir.deck_file(slug)).collect();
        self.collect_cache_job();
        self.cache_job = Some(std::thread::spawn(move || {
            for path in paths {
                if let (_, Some((cache_path, bytes)), _) = load_one(&dir, &path, true) {
                    let _ = cache::write(&dir, &cache_path, &bytes);
                }
            }
            remove_orphans(&dir);
        }));
    }

    /// Waits for the background cache write, if any.
    pub(super) fn collect_cache_job(&mut self) {
        if let Some(job) = self.cache_job.take() {
            // Best effort: a cache write that failed is redone next time.
            let _ = job.join();
        }
    }
}
