//! A data folder opened for use: its decks, every item's scheduling state, the
//! settings, and this device's journal. All changes go through here.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use jiff::Timestamp;

use crate::deck::{self, Card, Deck, DeckError, ItemId, Problem};
use crate::replay::{self, DeviceEvent};
use crate::schedule::{
    CardState, DayClock, Outcome, Phase, Rating, ScheduleError, Scheduler, Settings,
};
use crate::store::{
    self, AnswerKind, AnswerRecord, DataDir, DataLock, Deferred, Event, JournalMark, JournalWriter,
    Snapshot, StoreError, snapshot::SNAPSHOT_VERSION,
};

mod clock;
mod edit;
mod setup;

pub(crate) use edit::ImportRules;
pub use edit::{DeckConflict, EditError, ImportReport, conflict_original, items_phrase, slugify};

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

/// One undoable answer.
#[derive(Clone, Debug)]
struct UndoEntry {
    event_id: u64,
    item: ItemId,
    previous: CardState,
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
    scheduler: Scheduler,
    settings_error: Option<String>,
    journal: Option<JournalWriter>,
    next_event_id: u64,
    marks: BTreeMap<String, JournalMark>,
    recent: Vec<AnswerRecord>,
    undo: Vec<UndoEntry>,
    edit_undo: Vec<edit::EditUndo>,
    warnings: Vec<String>,
    /// Journal events held back for their dates (see [`clock`]).
    deferred: Vec<Deferred>,
    /// The latest time this collection has been told it is (at open, merge
    /// or a change): events up to a day past it are applied. Never earlier
    /// than its own events, so they are never held back from its history.
    read_at: Timestamp,
    answers_since_snapshot: usize,
    snapshot_job: Option<JoinHandle<Result<(), String>>>,
    generation: u64,
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
    /// Opens (creating on first use) a data folder. On first use the built-in
    /// decks are copied in. Fails if another instance has the folder open.
    pub fn open(options: OpenOptions, now: Timestamp) -> Result<Self, CollectionError> {
        if !valid_device(&options.device) {
            return Err(CollectionError::InvalidDevice(options.device));
        }
        let dir = DataDir::new(&options.root);
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |e| StoreError::io(&p, e)
        };
        let read_only = options.read_only;
        let mut setup_warnings = Vec::new();
        let lock = if read_only {
            None
        } else {
            std::fs::create_dir_all(dir.root()).map_err(io(dir.root()))?;
            let lock = DataLock::acquire(&dir.lock())?;
            setup_warnings = setup::prepare(&dir)?;
            std::fs::create_dir_all(dir.journals()).map_err(io(&dir.journals()))?;
            Some(lock)
        };
        let mut warnings = setup_warnings;

        let (settings, settings_error) = load_settings(&dir, read_only)?;
        let clock = options
            .clock
            .unwrap_or_else(|| DayClock::local(settings.day_starts_at_hour));
        let scheduler = Scheduler::new(settings, clock)?;

        // Decks and the snapshot are the bulk of start-up: read them side by side.
        let state_path = dir.state();
        let ((decks, deck_errors), snapshot) = std::thread::scope(|scope| {
            let snapshot = scope.spawn(|| read_snapshot(&state_path));
            let decks = load_decks(&dir.decks());
            let snapshot = snapshot
                .join()
                .unwrap_or_else(|_| Err("the state cache reader crashed".to_string()));
            (decks, snapshot)
        });
        let snapshot = snapshot.unwrap_or_else(|e| {
            warnings.push(e);
            None
        });
        let journal = if read_only {
            None
        } else {
            let path = dir.journal_of(&options.device);
            Some(JournalWriter::open(&path).map_err(io(&path))?)
        };

        let mut collection = Self {
            dir,
            device: options.device,
            _lock: lock,
            decks,
            deck_errors,
            deck_problems: Vec::new(),
            items: Vec::new(),
            item_index: HashMap::new(),
            states: HashMap::new(),
            scheduler,
            settings_error,
            journal,
            next_event_id: 1,
            marks: BTreeMap::new(),
            recent: Vec::new(),
            undo: Vec::new(),
            edit_undo: Vec::new(),
            warnings: Vec::new(),
            deferred: Vec::new(),
            read_at: now,
            answers_since_snapshot: 0,
            snapshot_job: None,
            generation: 0,
        };
        collection.index_items();
        collection.load_state(snapshot, now, &mut warnings)?;
        warnings.extend(collection.deferred.iter().map(clock::warning));
        collection.warnings.extend(warnings);
        if !read_only {
            collection.end_interview_if_past(now)?;
        }
        collection.next_event_id = collection
            .marks
            .get(&collection.device)
            .map_or(1, |m| m.last_id + 1);
        Ok(collection)
    }

    fn index_items(&mut self) {
        self.generation += 1;
        self.items.clear();
        self.item_index.clear();
        self.deck_problems.clear();
        for (d, deck) in self.decks.iter().enumerate() {
            for p in deck::validate(deck) {
                self.deck_problems.push((deck.slug.clone(), p));
            }
            for (c, card) in deck.cards.iter().enumerate() {
                for id in card.items() {
                    if self.item_index.contains_key(&id) {
                        let first = &self.decks[self.items[self.item_index[&id]].deck];
                        if first.slug != deck.slug {
                            self.deck_problems.push((
                                deck.slug.clone(),
                                Problem {
                                    is_error: true,
                                    card: Some(card.id.clone()),
                                    message: format!(
                                        "card `{}` has the same id as a card in deck `{}`; only that one is studied",
                                        card.id, first.slug
                                    ),
                                },
                            ));
                        }
                        continue;
                    }
                    self.item_index.insert(id.clone(), self.items.len());
                    self.items.push(ItemRef {
                        id,
                        deck: d,
                        card: c,
                    });
                }
            }
        }
    }

    /// Loads `state.ron` and applies the journal tails, or rebuilds from the
    /// journals when the snapshot is missing, stale or unusable.
    fn load_state(
        &mut self,
        snapshot: Option<Snapshot>,
        now: Timestamp,
        warnings: &mut Vec<String>,
    ) -> Result<(), CollectionError> {
        let recent_from = self.recent_cutoff(now);
        let journals = list_journals(&self.dir)?;

        if let Some(snapshot) = snapshot {
            // Every journal the snapshot knows must still be at least as long.
            let consistent = snapshot.journals.iter().all(|(device, mark)| {
                journals
                    .get(device)
                    .and_then(|p| std::fs::metadata(p).ok())
                    .is_some_and(|m| m.len() >= mark.bytes)
            });
            // An event held back whose time has come is applied in its
            // place in history: that takes a rebuild.
            let none_due = snapshot
                .deferred
                .iter()
                .all(|d| clock::held_back(d.at, now));
            if consistent && none_due {
                let (tail, marks, tail_warnings, tail_deferred) =
                    read_journals(&journals, &snapshot.journals, now)?;
                if replay::tail_applies_cleanly(&snapshot.cards, &tail) {
                    self.deferred = snapshot.deferred;
                    self.deferred.extend(tail_deferred);
                    self.states = snapshot.cards;
                    self.recent = snapshot.recent;
                    self.recent.retain(|r| r.at >= recent_from);
                    warnings.extend(tail_warnings);
                    warnings.extend(replay::apply(
                        &self.scheduler,
                        &mut self.states,
                        &mut self.recent,
                        recent_from,
                        tail,
                    ));
                    self.marks = marks;
                    return Ok(());
                }
            }
        }
        self.rebuild_from_journals(&journals, recent_from, now, warnings)
    }

    fn rebuild_from_journals(
        &mut self,
        journals: &BTreeMap<String, PathBuf>,
        recent_from: Timestamp,
        now: Timestamp,
        warnings: &mut Vec<String>,
    ) -> Result<(), CollectionError> {
        let (events, marks, read_warnings, deferred) =
            read_journals(journals, &BTreeMap::new(), now)?;
        self.deferred = deferred;
        self.read_at = now;
        self.marks = marks;
        warnings.extend(read_warnings);
        self.states.clear();
        self.recent.clear();
        warnings.extend(replay::apply(
            &self.scheduler,
            &mut self.states,
            &mut self.recent,
            recent_from,
            events,
        ));
        Ok(())
    }

    /// Answers from the start of yesterday on are kept for today's counts.
    fn recent_cutoff(&self, now: Timestamp) -> Timestamp {
        let clock = self.scheduler.clock();
        clock.start_of_day(clock.day_of(now) - 1)
    }

    // ----- reading -----

    /// The data folder.
    pub fn root(&self) -> &Path {
        self.dir.root()
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
        self.scheduler.settings()
    }

    /// The scheduler in force.
    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
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

    /// The four possible outcomes of answering `id` now.
    pub fn preview(&self, id: &ItemId, now: Timestamp) -> Result<[Outcome; 4], CollectionError> {
        Ok(self.scheduler.outcomes(id, self.state(id), now)?)
    }

    /// Today's answers (since the day started).
    /// Answers to cards that no longer exist (or never did, here) are not
    /// counted: they are in a journal, not in anything left to study.
    pub fn answers_today(&self, now: Timestamp) -> impl Iterator<Item = &AnswerRecord> {
        let start = self.today_start(now);
        self.recent
            .iter()
            .filter(move |r| r.at >= start && self.item_index.contains_key(&r.item))
    }

    fn today_start(&self, now: Timestamp) -> Timestamp {
        let clock = self.scheduler.clock();
        clock.start_of_day(clock.day_of(now))
    }

    /// The instant the next study day starts.
    pub fn tomorrow_start(&self, now: Timestamp) -> Timestamp {
        let clock = self.scheduler.clock();
        clock.start_of_day(clock.day_of(now) + 1)
    }

    /// What was done today, overall.
    pub fn progress_today(&self, now: Timestamp) -> Progress {
        let mut p = Progress::default();
        for r in self.answers_today(now) {
            p.answers += 1;
            p.new += usize::from(r.kind == AnswerKind::New);
            p.again += usize::from(r.rating == Rating::Again);
            p.time_ms += u64::from(r.took_ms);
        }
        p
    }

    /// New cards introduced and reviews answered today, per deck index.
    pub fn done_today(&self, now: Timestamp) -> Vec<(usize, usize)> {
        let mut done = vec![(0usize, 0usize); self.decks.len()];
        for r in self.answers_today(now) {
            if let Some(item) = self.item(&r.item) {
                match r.kind {
                    AnswerKind::New => done[item.deck].0 += 1,
                    AnswerKind::Review => done[item.deck].1 += 1,
                    _ => {}
                }
            }
        }
        done
    }

    /// Today's counts for each deck, limits applied, in [`Self::decks`] order.
    pub fn deck_counts(&self, now: Timestamp) -> Vec<Counts> {
        let tomorrow = self.tomorrow_start(now);
        let s = self.settings();
        let mut raw = vec![Counts::default(); self.decks.len()];
        // A card with a side answered today, or already counted, has its other
        // sides buried for the day (as the study queue buries them): new
        // sides first, as the queue gathers them first.
        let mut taken: std::collections::HashSet<&deck::CardId> =
            self.answers_today(now).map(|r| &r.item.card).collect();
        let today = self.scheduler.clock().day_of(now);
        for item in &self.items {
            let state = self.state(&item.id);
            if state.suspended || state.phase != Phase::New || state.buried_day == Some(today) {
                continue;
            }
            if s.bury_new_siblings && !taken.insert(&item.id.card) {
                continue;
            }
            raw[item.deck].new += 1;
        }
        for item in &self.items {
            let state = self.state(&item.id);
            if state.suspended || state.buried_day == Some(today) {
                continue;
            }
            let c = &mut raw[item.deck];
            let due_today = state.due.is_some_and(|d| d < tomorrow);
            match state.phase {
                Phase::Learning { .. } | Phase::Relearning { .. } if due_today => c.learning += 1,
                // The guard takes the card's turn for the day: a sibling
                // counted later is buried.
                Phase::Review
                    if due_today && (!s.bury_review_siblings || taken.insert(&item.id.card)) =>
                {
                    c.review += 1;
                }
                _ => {}
            }
        }
        let done = self.done_today(now);
        raw.iter()
            .zip(done)
            .map(|(c, (new_done, review_done))| Counts {
                new: c.new.min((s.new_per_day as usize).saturating_sub(new_done)),
                learning: c.learning,
                review: c
                    .review
                    .min((s.reviews_per_day as usize).saturating_sub(review_done)),
            })
            .collect()
    }

    /// Today's counts over all decks. The daily limits also cap all decks
    /// together, as a parent deck's limits do in Anki.
    pub fn total_counts(&self, now: Timestamp) -> Counts {
        let mut total = Counts::default();
        for c in self.deck_counts(now) {
            total.add(c);
        }
        let (new_left, review_left) = self.global_left(now);
        total.new = total.new.min(new_left);
        total.review = total.review.min(review_left);
        total
    }

    /// New cards and reviews still allowed today over all decks together.
    pub fn global_left(&self, now: Timestamp) -> (usize, usize) {
        let (new_done, review_done) = self
            .done_today(now)
            .iter()
            .fold((0, 0), |(n, r), (dn, dr)| (n + dn, r + dr));
        let s = self.settings();
        (
            (s.new_per_day as usize).saturating_sub(new_done),
            (s.reviews_per_day as usize).saturating_sub(review_done),
        )
    }

    // ----- changing -----

    /// Records an answer: the journal line is on disk before this returns.
    pub fn answer(
        &mut self,
        id: &ItemId,
        rating: Rating,
        now: Timestamp,
        took_ms: u32,
    ) -> Result<Outcome, CollectionError> {
        let previous = self.state(id).clone();
        let outcome = self.scheduler.answer(id, &previous, rating, now)?;
        let event_id = self.next_event_id;
        self.append(Event::Review {
            id: event_id,
            at: now,
            item: id.clone(),
            rating,
            took_ms,
        })?;
        self.recent.push(AnswerRecord {
            device: self.device.clone(),
            id: event_id,
            at: now,
            item: id.clone(),
            rating,
            kind: replay::answer_kind(previous.phase),
            took_ms,
            last_interval: previous.interval_days,
        });
        self.states.insert(id.clone(), outcome.state.clone());
        self.undo.push(UndoEntry {
            event_id,
            item: id.clone(),
            previous,
        });
        self.answers_since_snapshot += 1;
        if self.answers_since_snapshot >= SNAPSHOT_EVERY {
            self.save_snapshot_in_background();
        }
        Ok(outcome)
    }

    /// Records an answer to a rubric prompt with the key points it covered:
    /// the review, then the points annotating it, both on disk when this
    /// returns. (A crash between the two keeps the review without its points.)
    pub fn answer_rubric(
        &mut self,
        id: &ItemId,
        rating: Rating,
        now: Timestamp,
        took_ms: u32,
        marks: crate::interview::RubricMarks,
    ) -> Result<Outcome, CollectionError> {
        let review = self.next_event_id;
        let outcome = self.answer(id, rating, now, took_ms)?;
        self.append(Event::Points {
            id: self.next_event_id,
            at: now,
            item: id.clone(),
            review,
            covered: marks.covered,
            total: marks.total,
            notes: marks.notes,
        })?;
        Ok(outcome)
    }

    /// Records that a mock interview ran from `started` until `now`: this
    /// device's reviews in that time are marked as mock-interview reviews.
    pub fn record_mock(
        &mut self,
        started: Timestamp,
        now: Timestamp,
        minutes: u16,
        focus: &str,
    ) -> Result<(), CollectionError> {
        self.append(Event::Mock {
            id: self.next_event_id,
            at: now,
            started,
            minutes,
            focus: focus.to_string(),
        })
    }

    /// Takes back the last answer of this session, restoring the item's exact
    /// previous state. Returns the item, or `None` when there is nothing to undo.
    pub fn undo(&mut self, now: Timestamp) -> Result<Option<ItemId>, CollectionError> {
        let Some(entry) = self.undo.last().cloned() else {
            return Ok(None);
        };
        self.append(Event::Undo {
            id: self.next_event_id,
            at: now,
            undoes: entry.event_id,
        })?;
        self.undo.pop();
        self.recent
            .retain(|r| !(r.device == self.device && r.id == entry.event_id));
        // Undo takes back the review only: a suspension made since stays.
        let mut previous = entry.previous;
        previous.suspended = self.state(&entry.item).suspended;
        if previous == CardState::new() {
            self.states.remove(&entry.item);
        } else {
            self.states.insert(entry.item.clone(), previous);
        }
        Ok(Some(entry.item))
    }

    /// How many answers can be undone.
    pub fn undo_depth(&self) -> usize {
        self.undo.len()
    }

    /// Suspends or unsuspends an item.
    pub fn set_suspended(
        &mut self,
        id: &ItemId,
        suspended: bool,
        now: Timestamp,
    ) -> Result<(), CollectionError> {
        self.append(Event::Suspend {
            id: self.next_event_id,
            at: now,
            item: id.clone(),
            suspended,
        })?;
        self.states.entry(id.clone()).or_default().suspended = suspended;
        Ok(())
    }

    /// Changes whenever decks or states change, so views can tell when what
    /// they computed (and indices into [`Self::items`]) went out of date.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn append(&mut self, event: Event) -> Result<(), CollectionError> {
        self.generation += 1;
        let journal = self.journal.as_mut().ok_or(CollectionError::ReadOnly)?;
        journal
            .append(&event)
            .map_err(|e| StoreError::io(journal.path(), e))?;
        let len = journal.len();
        self.read_at = self.read_at.max(event.at());
        self.next_event_id = event.id() + 1;
        let mark = self.marks.entry(self.device.clone()).or_default();
        mark.bytes = len;
        mark.last_id = event.id();
        Ok(())
    }

    /// Once the interview day has passed, puts back the desired retention that
    /// was raised for the final stretch.
    fn end_interview_if_past(&mut self, now: Timestamp) -> Result<(), CollectionError> {
        let settings = self.settings();
        let Some(interview) = &settings.interview else {
            return Ok(());
        };
        let today = self
            .scheduler
            .clock()
            .date_of_day(self.scheduler.clock().day_of(now));
        if interview.date >= today || self.settings_error.is_some() {
            return Ok(());
        }
        let mut settings = settings.clone();
        if let Some(r) = interview.restore_retention {
            settings.desired_retention = r;
        }
        settings.interview = None;
        self.save_settings(settings)
    }

    /// Brings the collection up to date with files changed on disk (as the
    /// watcher reports them): deck files edited elsewhere are reloaded, and
    /// journals from other machines are merged. The app's own writes, which
    /// the watcher also reports, change nothing.
    pub fn on_files_changed(
        &mut self,
        paths: &[PathBuf],
        now: Timestamp,
    ) -> Result<FilesChanged, CollectionError> {
        let mut report = FilesChanged::default();
        let decks_dir = self.dir.decks();
        let mut reload = false;
        for path in paths
            .iter()
            .filter(|p| p.parent() == Some(decks_dir.as_path()) && conflict_original(p).is_none())
        {
            let slug = deck::slug_of(path);
            let loaded = self.decks.iter().find(|d| d.slug == slug);
            let on_disk = deck::load_deck(path).ok();
            let failed = self.deck_errors.iter().any(|e| match e {
                DeckError::Io { path: p, .. } | DeckError::Parse { path: p, .. } => p == path,
            });
            if on_disk.as_ref() != loaded
                || (failed && on_disk.is_some())
                || (on_disk.is_none() && path.exists())
            {
                reload = true;
                report.decks.push(slug);
            }
        }
        if reload {
            self.reload_decks();
        }
        let journal_dir = self.dir.journals();
        if paths
            .iter()
            .any(|p| p.parent() == Some(journal_dir.as_path()))
        {
            let merged = self.merge_journals(now)?;
            report.merged = merged.other_devices;
            report.imported = merged.imported;
        }
        Ok(report)
    }

    /// Reads what other devices appended to their journals and applies it,
    /// rebuilding from all journals when it reaches back before what is
    /// already applied. Returns how many events were merged, by origin.
    fn merge_journals(&mut self, now: Timestamp) -> Result<Merged, CollectionError> {
        let now = now.max(self.read_at);
        let journals = list_journals(&self.dir)?;
        let (tail, marks, warnings, held) = read_journals(&journals, &self.marks, now)?;
        let foreign = tail.iter().filter(|e| e.device != self.device).count();
        let imported = tail.iter().filter(|e| is_import_journal(&e.device)).count();
        self.read_at = now;
        self.warnings.extend(held.iter().map(clock::warning));
        self.deferred.extend(held);
        let due = self.deferred.iter().any(|d| !clock::held_back(d.at, now));
        if tail.is_empty() && !due {
            // Past any lines held back, so they are not reported twice.
            self.marks = marks;
            return Ok(Merged::default());
        }
        let recent_from = self.recent_cutoff(now);
        self.warnings.extend(warnings);
        if !due && replay::tail_applies_cleanly(&self.states, &tail) {
            let w = replay::apply(
                &self.scheduler,
                &mut self.states,
                &mut self.recent,
                recent_from,
                tail,
            );
            self.warnings.extend(w);
            self.marks = marks;
        } else {
            let mut w = Vec::new();
            self.rebuild_from_journals(&journals, recent_from, now, &mut w)?;
            self.warnings.extend(w);
        }
        // Undo covers this session's own answers; merged history may reorder them.
        if foreign > 0 {
            self.undo.clear();
        }
        self.generation += 1;
        Ok(Merged {
            other_devices: foreign - imported,
            imported,
        })
    }

    /// Second versions of decks left by sync tools, for the user to settle.
    pub fn deck_conflicts(&self) -> Vec<DeckConflict> {
        let mut out: Vec<DeckConflict> = std::fs::read_dir(self.dir.decks())
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "ron"))
                    .filter_map(|path| {
                        Some(DeckConflict {
                            slug: conflict_original(&path)?,
                            path,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// Reads the deck files again (after they were edited by hand).
    pub fn reload_decks(&mut self) {
        let (decks, errors) = load_decks(&self.dir.decks());
        self.decks = decks;
        self.deck_errors = errors;
        self.index_items();
    }

    /// Keeps the window's display preferences (theme, browser columns) in
    /// `settings.ron`; scheduling is unchanged.
    pub fn save_display(
        &mut self,
        display: crate::schedule::settings::Display,
    ) -> Result<(), CollectionError> {
        let mut settings = self.settings().clone();
        settings.display = display;
        self.save_settings(settings)
    }

    /// Replaces the settings, writing `settings.ron` atomically.
    pub fn save_settings(&mut self, settings: Settings) -> Result<(), CollectionError> {
        let problems = settings.problems();
        if !problems.is_empty() {
            return Err(CollectionError::InvalidSettings(problems.join("; ")));
        }
        if self.journal.is_none() {
            return Err(CollectionError::ReadOnly);
        }
        if let Some(e) = &self.settings_error {
            return Err(CollectionError::SettingsFileBroken(format!(
                "{e}. Fix or remove the file first; it is not overwritten."
            )));
        }
        let clock = DayClock::new(
            self.scheduler.clock().time_zone().clone(),
            settings.day_starts_at_hour,
        );
        let scheduler = Scheduler::new(settings.clone(), clock)?;
        store::write_atomic(&self.dir.settings(), settings.to_ron().as_bytes())
            .map_err(|e| StoreError::io(&self.dir.settings(), e))?;
        self.scheduler = scheduler;
        Ok(())
    }

    // ----- the snapshot -----

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            version: SNAPSHOT_VERSION,
            journals: self.marks.clone(),
            recent: self.recent.clone(),
            cards: self.states.clone(),
            deferred: self.deferred.clone(),
        }
    }

    /// Writes `state.ron` on a background thread (one at a time).
    pub fn save_snapshot_in_background(&mut self) {
        if self.journal.is_none() || self.snapshot_job.as_ref().is_some_and(|j| !j.is_finished()) {
            return;
        }
        self.collect_snapshot_job();
        let snapshot = self.snapshot();
        let path = self.dir.state();
        self.answers_since_snapshot = 0;
        self.snapshot_job = Some(std::thread::spawn(move || {
            store::write_atomic(&path, snapshot.to_ron().as_bytes())
                .map_err(|e| format!("{}: {e}", path.display()))
        }));
    }

    fn collect_snapshot_job(&mut self) {
        if let Some(job) = self.snapshot_job.take() {
            match job.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => self
                    .warnings
                    .push(format!("could not save the state cache: {e}")),
                Err(_) => self.warnings.push("the state cache writer crashed".into()),
            }
        }
    }

    /// Writes `state.ron` now, after any background write has finished.
    pub fn save_snapshot(&mut self) -> Result<(), CollectionError> {
        if self.journal.is_none() {
            return Err(CollectionError::ReadOnly);
        }
        self.collect_snapshot_job();
        let path = self.dir.state();
        store::write_atomic(&path, self.snapshot().to_ron().as_bytes())
            .map_err(|e| StoreError::io(&path, e))?;
        self.answers_since_snapshot = 0;
        Ok(())
    }
}

impl Drop for Collection {
    fn drop(&mut self) {
        // Best effort: the journal already holds every answer.
        self.collect_snapshot_job();
    }
}

/// Reads `state.ron`: `None` when there is none (or of an older layout), an
/// error message when it cannot be used. Either way the journals rebuild it.
fn read_snapshot(path: &Path) -> Result<Option<Snapshot>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => match Snapshot::from_ron(&text, path) {
            Ok(s) if s.version == SNAPSHOT_VERSION => Ok(Some(s)),
            Ok(_) => Ok(None),
            Err(e) => Err(format!(
                "{e}; the state cache was rebuilt from the journals"
            )),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!(
            "{}: {e}; the state cache was rebuilt from the journals",
            path.display()
        )),
    }
}

fn load_settings(dir: &DataDir, read_only: bool) -> Result<(Settings, Option<String>), StoreError> {
    let path = dir.settings();
    match std::fs::read(&path) {
        Ok(bytes) => match deck::utf8(&bytes, &path) {
            Ok(text) => match Settings::from_ron(text) {
                Ok(s) => Ok((s, None)),
                Err(e) => Ok((
                    Settings::default(),
                    Some(format!("{}: {e}; using default settings", path.display())),
                )),
            },
            Err(e) => Ok((
                Settings::default(),
                Some(format!("{e}; using default settings")),
            )),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && read_only => {
            Ok((Settings::default(), None))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let s = Settings::default();
            store::write_atomic(&path, s.to_ron().as_bytes())
                .map_err(|e| StoreError::io(&path, e))?;
            Ok((s, None))
        }
        Err(e) => Err(StoreError::io(&path, e)),
    }
}

/// Loads every `*.ron` in `dir`, in parallel; failures are returned, not fatal.
pub fn load_decks(dir: &Path) -> (Vec<Deck>, Vec<DeckError>) {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "ron") && p.is_file())
                // A sync tool's conflict copy is another version of a deck, not a deck.
                .filter(|p| conflict_original(p).is_none())
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(8);
    let chunk = paths.len().div_ceil(threads).max(1);
    let results: Vec<Result<Deck, DeckError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().map(|p| deck::load_deck(p)).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut decks = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(d) => decks.push(d),
            Err(e) => errors.push(e),
        }
    }
    decks.sort_by_cached_key(|d| (d.name.to_lowercase(), d.slug.clone()));
    (decks, errors)
}

/// What reading the journals gave: the events, how far each journal was
/// read, warnings about skipped lines, and the events held back for their
/// dates (see [`clock`]).
type JournalsRead = (
    Vec<DeviceEvent>,
    BTreeMap<String, JournalMark>,
    Vec<String>,
    Vec<Deferred>,
);

/// Reads every journal from where `from` says it was read up to (the start,
/// for one it does not name). Events whose dates cannot be right at `now`
/// are held back, not returned.
fn read_journals(
    journals: &BTreeMap<String, PathBuf>,
    from: &BTreeMap<String, JournalMark>,
    now: Timestamp,
) -> Result<JournalsRead, StoreError> {
    let mut events = Vec::new();
    let mut marks = from.clone();
    let mut warnings = Vec::new();
    let mut deferred = Vec::new();
    for (device, path) in journals {
        let start = marks.get(device).map_or(0, |m| m.bytes);
        let read = store::read_journal(path, start).map_err(|e| StoreError::io(path, e))?;
        warnings.extend(read.warnings);
        let mark = marks.entry(device.clone()).or_default();
        mark.bytes = read.end;
        for (event, offset) in read.events.into_iter().zip(read.offsets) {
            mark.last_id = mark.last_id.max(event.id());
            if clock::held_back(event.at(), now) {
                let line =
                    store::journal::line_at(path, offset).map_err(|e| StoreError::io(path, e))?;
                deferred.push(Deferred {
                    device: device.clone(),
                    line,
                    at: event.at(),
                });
                continue;
            }
            events.push(DeviceEvent {
                device: device.clone(),
                event,
            });
        }
    }
    Ok((events, marks, warnings, deferred))
}

fn list_journals(dir: &DataDir) -> Result<BTreeMap<String, PathBuf>, StoreError> {
    let path = dir.journals();
    let entries = match std::fs::read_dir(&path) {
        Ok(entries) => entries,
        // A folder never written to (opened read-only) has no journals yet.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(StoreError::io(&path, e)),
    };
    Ok(entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .filter_map(|p| {
            let device = p.file_stem()?.to_str()?.to_string();
            valid_device(&device).then_some((device, p))
        })
        .collect())
}

/// Everything needed to replay the full review history away from the
/// collection (on a background thread): the journals and the scheduler.
#[derive(Clone, Debug)]
pub struct HistoryLoader {
    journals: BTreeMap<String, PathBuf>,
    scheduler: Scheduler,
    /// Events are held back as at this time, as the collection does.
    now: Timestamp,
}

/// Every answer ever recorded on any device, in time order, with the phase
/// each card was in when answered. Undone answers are not in it.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// The answers, oldest first.
    pub answers: Vec<AnswerRecord>,
    /// Journal lines that were skipped.
    pub warnings: Vec<String>,
    /// Every item answered, each once.
    pub items: Vec<ItemId>,
    /// For each answer, its item's index in [`Self::items`]: lets a pass over
    /// millions of answers index a vector instead of hashing ids.
    pub item_of: Vec<u32>,
    /// The key points marked on rubric answers (undone answers left out),
    /// oldest first.
    pub points: Vec<PointsRecord>,
    /// Mock interviews: (device, started, ended).
    pub mocks: Vec<(String, Timestamp, Timestamp)>,
}

impl History {
    /// Whether an answer was given in a mock interview.
    pub fn in_mock(&self, answer: &AnswerRecord) -> bool {
        self.mocks.iter().any(|(device, started, ended)| {
            *device == answer.device && answer.at >= *started && answer.at <= *ended
        })
    }
}

/// The key points a rubric answer covered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsRecord {
    /// When it was answered.
    pub at: Timestamp,
    /// The rubric item.
    pub item: ItemId,
    /// Indices (0-based) of the points covered.
    pub covered: Vec<u16>,
    /// How many points the rubric had.
    pub total: u16,
}

/// The points events of `events` whose review was not undone.
fn rubric_points(events: &[DeviceEvent]) -> Vec<PointsRecord> {
    let undone: std::collections::HashSet<(&str, u64)> = events
        .iter()
        .filter_map(|e| match &e.event {
            Event::Undo { undoes, .. } => Some((e.device.as_str(), *undoes)),
            _ => None,
        })
        .collect();
    let mut out: Vec<PointsRecord> = events
        .iter()
        .filter_map(|e| match &e.event {
            Event::Points {
                at,
                item,
                review,
                covered,
                total,
                ..
            } if !undone.contains(&(e.device.as_str(), *review)) => Some(PointsRecord {
                at: *at,
                item: item.clone(),
                covered: covered.clone(),
                total: *total,
            }),
            _ => None,
        })
        .collect();
    out.sort_by_key(|a| a.at);
    out
}

impl History {
    /// A history of `answers` (oldest first), with the item index built.
    pub fn new(answers: Vec<AnswerRecord>, warnings: Vec<String>) -> Self {
        let mut index: HashMap<&ItemId, u32> = HashMap::new();
        let mut items = Vec::new();
        let item_of = answers
            .iter()
            .map(|a| {
                *index.entry(&a.item).or_insert_with(|| {
                    items.push(a.item.clone());
                    (items.len() - 1) as u32
                })
            })
            .collect();
        Self {
            answers,
            warnings,
            items,
            item_of,
            points: Vec::new(),
            mocks: Vec::new(),
        }
    }
}

impl HistoryLoader {
    /// Reads and replays every journal. Takes a while on a large history:
    /// run it off the UI thread.
    pub fn load(self) -> Result<History, StoreError> {
        let (events, _, mut warnings, _) =
            read_journals(&self.journals, &BTreeMap::new(), self.now)?;
        let points = rubric_points(&events);
        let mocks = events
            .iter()
            .filter_map(|e| match &e.event {
                Event::Mock { at, started, .. } => Some((e.device.clone(), *started, *at)),
                _ => None,
            })
            .collect();
        let mut states = HashMap::new();
        let mut answers = Vec::new();
        warnings.extend(replay::apply(
            &self.scheduler,
            &mut states,
            &mut answers,
            Timestamp::MIN,
            events,
        ));
        let mut history = History::new(answers, warnings);
        history.points = points;
        history.mocks = mocks;
        Ok(history)
    }
}

impl Collection {
    /// A loader for the full history, to run where it does not block the UI.
    pub fn history_loader(&self) -> Result<HistoryLoader, CollectionError> {
        Ok(HistoryLoader {
            journals: list_journals(&self.dir)?,
            scheduler: self.scheduler.clone(),
            now: self.read_at,
        })
    }
}
