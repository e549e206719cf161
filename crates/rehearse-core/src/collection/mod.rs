//! A data folder opened for use: its decks, every item's scheduling state, the
//! settings, and this device's journal. All changes go through here.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use jiff::Timestamp;

use crate::deck::{self, Card, Deck, DeckError, ItemId, Problem};
use crate::replay::{self, DeviceEvent};
use crate::schedule::{
    CardState, DayClock, Outcome, Rating, ScheduleError, Scheduler, Schedulers, Settings,
};
use crate::store::{
    self, AnswerKind, AnswerRecord, DataDir, DataLock, Deferred, Event, JournalMark, JournalWriter,
    Snapshot, StoreError, snapshot::SNAPSHOT_VERSION,
};

mod answer;
mod cache;
mod cards;
mod clock;
mod decks;
mod edit;
mod history;
mod import;
mod index;
mod items;
mod open;
mod presets;
mod queue;
mod setup;
mod snapshot;
mod sync;
mod today;
mod undo;
mod workload;

pub use cache::{CacheUse, StateSource};
pub use decks::{DeckConflict, conflict_original};
pub use edit::{EditError, items_phrase, slugify};
pub use history::{History, HistoryLoader, HistorySource, PointsRecord};
pub use import::ImportReport;
pub(crate) use import::{ImportRules, StagedImport};
pub use open::load_decks;
use open::{list_journals, read_journals};
pub use presets::{AssignError, ItemSchedulers};
pub use queue::{QueueLimits, TodayQueue};
pub use sync::{ConflictComparison, DeckVersion};
pub use undo::Undone;

include!(concat!(env!("OUT_DIR"), "/builtin_decks.rs"));

/// Answers between background snapshot writes.
const SNAPSHOT_EVERY: usize = 50;

/// What can go wrong using a collection.
#[derive(Debug, thiserror::Error)]
pub enum CollectionError {
    /// A file could not be read or written, or the folder is in use.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The scheduler could not compute a state.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// The device name cannot be used as a journal file name.
    #[error("device name `{0}` must be 1–64 letters, digits, `-`, `_` or `.`")]
    InvalidDevice(String),
    /// The settings are not valid.
    #[error("settings: {0}")]
    InvalidSettings(String),
    /// `settings.ron` could not be parsed, so saving would overwrite it.
    #[error("{0}")]
    SettingsFileBroken(String),
    /// The collection was opened read-only.
    #[error("the data folder was opened read-only; nothing can be changed")]
    ReadOnly,
}

/// How to open a data folder.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// The data folder.
    pub root: PathBuf,
    /// This machine's name; its journal is `journal/<device>.ron`.
    pub device: String,
    /// Counts study days; `None` uses the local time zone.
    pub clock: Option<DayClock>,
    /// Look without touching: no lock, no files created or written. For
    /// `rehearse stats` while the window is open.
    pub read_only: bool,
}

/// Events a merge of the journals applied, by where they came from.
#[derive(Clone, Copy, Debug, Default)]
struct Merged {
    other_devices: usize,
    imported: usize,
}

/// Whether a journal's device name marks it as written by an import on this
/// machine (a review log or an Anki package) rather than by another device.
fn is_import_journal(device: &str) -> bool {
    device.starts_with("import-") || device.starts_with("anki-")
}

/// What [`Collection::on_files_changed`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilesChanged {
    /// Decks (slugs) whose files changed on disk and were reloaded.
    pub decks: Vec<String>,
    /// Events merged in from other devices' journals.
    pub merged: usize,
    /// Events merged in from journals this machine wrote by importing a
    /// review log or an Anki package (not from another device).
    pub imported: usize,
}

/// New, learning and review cards available today.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// New cards that may be introduced today.
    pub new: usize,
    /// Learning and relearning cards due today.
    pub learning: usize,
    /// Review cards due today (within the daily limit).
    pub review: usize,
}

impl Counts {
    /// All three together.
    pub fn total(&self) -> usize {
        self.new + self.learning + self.review
    }

    /// Adds `other` to these counts.
    pub fn add(&mut self, other: Counts) {
        self.new += other.new;
        self.learning += other.learning;
        self.review += other.review;
    }
}

/// What has been done today.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Answers given.
    pub answers: usize,
    /// New cards introduced.
    pub new: usize,
    /// Answers that were Again.
    pub again: usize,
    /// Time spent answering, in milliseconds.
    pub time_ms: u64,
}

/// Where one study item comes from.
#[derive(Clone, Debug)]
pub struct ItemRef {
    /// The item.
    pub id: ItemId,
    /// Index into [`Collection::decks`].
    pub deck: usize,
    /// Index into that deck's cards.
    pub card: usize,
}

/// An open data folder.
pub struct Collection {
    dir: DataDir,
    device: String,
    _lock: Option<DataLock>,
    decks: Vec<Deck>,
    deck_errors: Vec<DeckError>,
    deck_problems: Vec<(String, Problem)>,
    items: Vec<ItemRef>,
    item_index: HashMap<ItemId, usize>,
    states: HashMap<ItemId, CardState>,
    /// One scheduler per option preset.
    schedulers: Schedulers,
    /// For each deck, the index of its preset's scheduler.
    deck_preset: Vec<usize>,
    /// Items whose deck uses a preset other than Default, with its index.
    item_preset: Arc<HashMap<ItemId, usize>>,
    settings_error: Option<String>,
    journal: Option<JournalWriter>,
    next_event_id: u64,
    marks: BTreeMap<String, JournalMark>,
    recent: Vec<AnswerRecord>,
    /// What can be undone, answers and edits alike, oldest first.
    undo: Vec<undo::Step>,
    warnings: Vec<String>,
    /// Journal events held back for their dates (see [`clock`]).
    deferred: Vec<Deferred>,
    /// The latest time this collection has been told it is (at open, merge
    /// or a change): events up to a day past it are applied. Never earlier
    /// than its own events, so they are never held back from its history.
    read_at: Timestamp,
    answers_since_snapshot: usize,
    snapshot_job: Option<JoinHandle<Result<(), String>>>,
    /// Writes of `.cache/` deck files under way.
    cache_job: Option<JoinHandle<()>>,
    /// Where the decks and states came from at open.
    cache_use: CacheUse,
    /// Deck counts and sort keys, kept until the next change.
    indexes: index::Indexes,
    generation: u64,
    /// Items due per coming day, for load balancing and easy days.
    due_load: workload::LoadSlot,
}

impl std::fmt::Debug for Collection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collection")
            .field("root", &self.dir.root())
            .field("device", &self.device)
            .field("decks", &self.decks.len())
            .field("items", &self.items.len())
            .finish_non_exhaustive()
    }
}

/// Checks a device name for use as a file name.
pub fn valid_device(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.')
}

impl Collection {
    // ----- reading -----

    /// The data folder.
    pub fn root(&self) -> &Path {
        self.dir.root()
    }

    /// Where each file lives inside the data folder.
    pub fn data_dir(&self) -> &DataDir {
        &self.dir
    }

    /// True when opened read-only: nothing can be changed.
    pub fn is_read_only(&self) -> bool {
        self.journal.is_none()
    }

    /// This device's name.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// Decks that loaded, sorted by file name.
    pub fn decks(&self) -> &[Deck] {
        &self.decks
    }

    /// Deck files that failed to load. They are never written to.
    pub fn deck_errors(&self) -> &[DeckError] {
        &self.deck_errors
    }

    /// Problems found in loaded decks, with the deck's slug.
    pub fn deck_problems(&self) -> &[(String, Problem)] {
        &self.deck_problems
    }

    /// Warnings from loading: skipped journal lines, a rebuilt cache.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Why `settings.ron` was not used, if it was not.
    pub fn settings_error(&self) -> Option<&str> {
        self.settings_error.as_deref()
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        self.schedulers.settings()
    }

    /// The Default preset's scheduler. For the options an item or a deck is
    /// scheduled with, use [`Self::scheduler_of`] or [`Self::deck_scheduler`].
    pub fn scheduler(&self) -> &Scheduler {
        self.schedulers.default_scheduler()
    }

    /// Every study item, in deck and card order.
    pub fn items(&self) -> &[ItemRef] {
        &self.items
    }

    /// Where an item comes from, if its card still exists.
    pub fn item(&self, id: &ItemId) -> Option<&ItemRef> {
        self.item_index.get(id).map(|&i| &self.items[i])
    }

    /// The card an item belongs to.
    pub fn card_of(&self, id: &ItemId) -> Option<&Card> {
        self.item(id).map(|r| &self.decks[r.deck].cards[r.card])
    }

    /// The deck an item belongs to.
    pub fn deck_of(&self, id: &ItemId) -> Option<&Deck> {
        self.item(id).map(|r| &self.decks[r.deck])
    }

    /// Question and answer Markdown for an item.
    pub fn render(&self, id: &ItemId) -> Option<(String, String)> {
        self.card_of(id).map(|c| c.render(id.variant))
    }

    /// An item's scheduling state (a new item's if it was never answered).
    pub fn state(&self, id: &ItemId) -> &CardState {
        static NEW: CardState = CardState::new();
        self.states.get(id).unwrap_or(&NEW)
    }

    /// All answered items' states.
    pub fn states(&self) -> &HashMap<ItemId, CardState> {
        &self.states
    }

    // ----- changing -----

    /// Changes whenever decks or states change, so views can tell when what
    /// they computed (and indices into [`Self::items`]) went out of date.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    // ----- the snapshot -----
}

impl Drop for Collection {
    fn drop(&mut self) {
        // Best effort: the journal already holds every answer, and the
        // cache is only a faster start.
        self.collect_snapshot_job();
        self.collect_cache_job();
    }
}
