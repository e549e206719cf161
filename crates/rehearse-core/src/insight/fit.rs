//! Fitting the memory model to this collection's history, and bringing in a
//! review log from elsewhere so that statistics and the optimiser see it.

use std::collections::HashMap;
use std::path::PathBuf;

use jiff::Timestamp;

use super::optimize::{Fitted, MIN_ITEMS, OptimizeError, optimize, training_items, usable_items};
use super::revlog::{RevlogError, RowError, parse_revlog_csv};
use crate::collection::{Collection, CollectionError, History, HistoryLoader, ItemSchedulers};
use crate::deck::{CardId, ItemId};
use crate::schedule::{DayClock, Rating};
use crate::store::{self, DataDir, Event, StoreError};

/// Why fitting failed.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// The journals could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The optimiser refused or failed (too little history, cancelled, …).
    #[error(transparent)]
    Optimize(#[from] OptimizeError),
    /// The collection could not be used.
    #[error(transparent)]
    Collection(#[from] CollectionError),
}

/// Every answer in `history` as (card number, rating, time), the form the
/// optimiser takes. Each study item counts as its own card.
pub fn history_reviews(history: &History) -> Vec<(i64, Rating, Timestamp)> {
    let mut numbers: HashMap<&ItemId, i64> = HashMap::new();
    history
        .answers
        .iter()
        .map(|a| {
            let next = numbers.len() as i64;
            let n = *numbers.entry(&a.item).or_insert(next);
            (n, a.rating, a.at)
        })
        .collect()
}

/// Everything a fit needs, detached from the collection so it can run on a
/// worker thread.
#[derive(Clone, Debug)]
pub struct FitJob {
    loader: HistoryLoader,
    /// Which preset each item uses.
    presets: ItemSchedulers,
    /// Every preset's name and parameters now, Default first.
    current: Vec<(String, Vec<f32>)>,
    clock: DayClock,
}

/// What fitting one preset other than Default came to.
#[derive(Clone, Debug, PartialEq)]
pub enum PresetOutcome {
    /// Fitted on its own decks' history (kept only if `improved`).
    Fitted(Fitted),
    /// Its decks have fewer than [`MIN_ITEMS`] training items: it uses the
    /// global parameters (the Default preset's, fitted on the whole history).
    TooLittleHistory {
        /// Training items its decks have.
        have: usize,
    },
}

/// The fit of one preset other than Default.
#[derive(Clone, Debug, PartialEq)]
pub struct PresetFit {
    /// The preset's name.
    pub name: String,
    /// What came of it.
    pub outcome: PresetOutcome,
}

/// The result of [`FitJob::run`]: one parameter set per preset.
#[derive(Clone, Debug, PartialEq)]
pub struct PresetsFit {
    /// Fitted on the whole history (every deck, and reviews of cards no deck
    /// has): the Default preset's parameters, which every preset with too
    /// little history of its own uses.
    pub global: Fitted,
    /// Every other preset, in the settings' order.
    pub presets: Vec<PresetFit>,
}

impl PresetsFit {
    /// Whether keeping this fit changes any preset's parameters.
    pub fn changes_anything(&self, settings: &crate::schedule::Settings) -> bool {
        let mut after = settings.clone();
        self.apply_to(&mut after);
        after != *settings
    }

    /// Puts the parameters into `settings`: the fitted ones where they
    /// predict better than the current ones, no parameters of its own (so the
    /// global ones) for a preset with too little history.
    pub fn apply_to(&self, settings: &mut crate::schedule::Settings) {
        if self.global.improved {
            settings.fsrs_parameters = self.global.parameters.clone();
        }
        for fit in &self.presets {
            let Some(mut preset) = settings.preset(&fit.name) else {
                continue;
            };
            match &fit.outcome {
                PresetOutcome::Fitted(f) if f.improved => {
                    preset.fsrs_parameters = f.parameters.clone();
                }
                PresetOutcome::Fitted(_) => {}
                PresetOutcome::TooLittleHistory { .. } => preset.fsrs_parameters.clear(),
            }
            settings.set_preset(preset);
        }
    }
}

impl Collection {
    /// A fit of the FSRS parameters of every preset to this collection's
    /// history.
    pub fn fit_job(&self) -> Result<FitJob, CollectionError> {
        let settings = self.settings();
        Ok(FitJob {
            loader: self.history_loader()?,
            presets: self.item_schedulers(),
            current: settings
                .preset_names()
                .into_iter()
                .map(|name| {
                    // What the preset schedules with now: its own, or the global ones.
                    let params = settings
                        .for_preset(name)
                        .map(|s| s.fsrs_parameters)
                        .unwrap_or_default();
                    (name.to_string(), params)
                })
                .collect(),
            clock: self.clock().clone(),
        })
    }

    /// Makes `parameters` the memory model's global parameters (the Default
    /// preset's, in `settings.ron`). They apply from each card's next review on.
    pub fn use_parameters(&mut self, parameters: Vec<f32>) -> Result<(), CollectionError> {
        let settings = crate::schedule::Settings {
            fsrs_parameters: parameters,
            ..self.settings().clone()
        };
        self.save_settings(settings)
    }

    /// Keeps what `fit` found (see [`PresetsFit::apply_to`]) in
    /// `settings.ron`. Returns whether anything changed. The parameters
    /// apply from each card's next review on.
    pub fn use_fit(&mut self, fit: &PresetsFit) -> Result<bool, CollectionError> {
        let mut settings = self.settings().clone();
        fit.apply_to(&mut settings);
        if settings == *self.settings() {
            return Ok(false);
        }
        self.save_settings(settings)?;
        Ok(true)
    }
}

impl FitJob {
    /// Reads the history and fits the global parameters on all of it, then
    /// each other preset on its own decks' history when that has at least
    /// [`MIN_ITEMS`] training items (the optimiser's own minimum). A preset
    /// with less is reported as [`PresetOutcome::TooLittleHistory`].
    ///
    /// `progress(done, total)` is called as it goes (over all the fits
    /// together; `total` is 0 while the history is read); returning false
    /// cancels. Takes a while: run it off the UI thread.
    pub fn run(
        self,
        mut progress: impl FnMut(usize, usize) -> bool,
    ) -> Result<PresetsFit, FitError> {
        let history = self.loader.load()?;
        let all = history_reviews(&history);
        // Each preset's own reviews: an item's history is all in one preset.
        let mut own: Vec<Vec<(i64, Rating, Timestamp)>> = vec![Vec::new(); self.current.len()];
        for (review, answer) in all.iter().zip(&history.answers) {
            let preset = self.presets.preset_index(&answer.item);
            if preset > 0
                && let Some(list) = own.get_mut(preset)
            {
                list.push(*review);
            }
        }
        let items_of = |reviews: &[(i64, Rating, Timestamp)]| training_items(reviews, &self.clock);
        let global_items = items_of(&all);
        let own_items: Vec<Vec<_>> = own.iter().map(|r| items_of(r)).collect();
        let enough: Vec<bool> = own_items
            .iter()
            .map(|items| usable_items(items) >= MIN_ITEMS)
            .collect();
        // Progress over every fit: a thousand steps each.
        const STEPS: usize = 1000;
        let fits = 1 + enough.iter().skip(1).filter(|e| **e).count();
        let mut stage = 0;
        let mut staged = |stage: usize, done: usize, total: usize| {
            if total == 0 {
                return progress(stage * STEPS, if stage == 0 { 0 } else { fits * STEPS });
            }
            progress(stage * STEPS + done * STEPS / total, fits * STEPS)
        };
        let current = |i: usize| {
            self.current
                .get(i)
                .map(|(_, p)| p.as_slice())
                .unwrap_or(&[])
        };
        let global = optimize(current(0), global_items, |d, t| staged(0, d, t))?;
        let mut presets = Vec::new();
        for (i, items) in own_items.into_iter().enumerate().skip(1) {
            let name = self.current[i].0.clone();
            let outcome = if enough[i] {
                stage += 1;
                let at = stage;
                PresetOutcome::Fitted(optimize(current(i), items, |d, t| staged(at, d, t))?)
            } else {
                PresetOutcome::TooLittleHistory {
                    have: usable_items(&items),
                }
            };
            presets.push(PresetFit { name, outcome });
        }
        Ok(PresetsFit { global, presets })
    }
}

/// What importing a review log did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevlogReport {
    /// Reviews brought in.
    pub imported: usize,
    /// Distinct cards they were of.
    pub cards: usize,
    /// Rows left out on purpose (manual entries, rating 0).
    pub skipped: usize,
    /// The journal file they were written to.
    pub path: PathBuf,
}

/// Why a review log was not imported. Nothing is written in any case.
#[derive(Debug, thiserror::Error)]
pub enum RevlogImportError {
    /// The file as a whole is not a review log.
    #[error(transparent)]
    Format(#[from] RevlogError),
    /// Some rows could not be read; the file must be fixed first.
    #[error("{} rows could not be read, so nothing was imported; first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    Rows(Vec<RowError>),
    /// The same file was imported before.
    #[error("this review log was imported before ({0}); nothing changed")]
    AlreadyImported(PathBuf),
    /// Writing the journal failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The collection is read-only.
    #[error(transparent)]
    Collection(#[from] CollectionError),
}

/// Imports a review log in the FSRS tools' CSV layout as a journal of its own,
/// `journal/import-<fingerprint>.ron`, so the same file never counts twice.
/// Its cards are not in any deck: the reviews feed statistics and the
/// optimiser. All rows must read cleanly, or nothing is written.
pub fn import_review_log(
    collection: &Collection,
    text: &str,
) -> Result<RevlogReport, RevlogImportError> {
    RevlogImport::new(collection)?.import_text(text)
}

/// A review-log import, detached from the collection so that reading the
/// file and writing its journal can run on a worker thread.
#[derive(Clone, Debug)]
pub struct RevlogImport {
    dir: DataDir,
}

impl RevlogImport {
    /// An import into `collection`'s data folder; refused when it is read-only.
    pub fn new(collection: &Collection) -> Result<Self, RevlogImportError> {
        if collection.is_read_only() {
            return Err(CollectionError::ReadOnly.into());
        }
        Ok(Self {
            dir: collection.data_dir().clone(),
        })
    }

    /// Reads the review log at `path` and imports it.
    pub fn import_file(&self, path: &std::path::Path) -> Result<RevlogReport, RevlogImportError> {
        let text = std::fs::read_to_string(path).map_err(|e| StoreError::io(path, e))?;
        self.import_text(&text)
    }

    /// Imports the review log `text` (see [`import_review_log`]).
    pub fn import_text(&self, text: &str) -> Result<RevlogReport, RevlogImportError> {
        let parsed = parse_revlog_csv(text)?;
        if !parsed.row_errors.is_empty() {
            return Err(RevlogImportError::Rows(parsed.row_errors));
        }
        let device = format!("import-{}", fingerprint(text));
        let path = self.dir.journal_of(&device);
        if path.exists() {
            return Err(RevlogImportError::AlreadyImported(path));
        }
        let mut reviews = parsed.reviews;
        reviews.sort_by_key(|r| (r.at, r.card_id));
        let mut cards = std::collections::HashSet::new();
        let mut events = Vec::with_capacity(reviews.len());
        for (n, r) in reviews.iter().enumerate() {
            cards.insert(r.card_id);
            // Card ids of other apps are numbers; these make valid ids of their own.
            let card = CardId::new(format!("imported-{}", r.card_id)).map_err(|e| {
                RevlogImportError::Rows(vec![RowError {
                    line: 0,
                    message: e,
                }])
            })?;
            events.push(Event::Review {
                id: n as u64 + 1,
                at: r.at,
                item: ItemId::forward(card),
                rating: r.rating,
                took_ms: r.duration_ms,
                days: None,
            });
        }
        store::write_journal(&path, &events)?;
        Ok(RevlogReport {
            imported: reviews.len(),
            cards: cards.len(),
            skipped: parsed.skipped,
            path,
        })
    }
}

/// A short, stable fingerprint of a file's content.
fn fingerprint(text: &str) -> String {
    format!("{:016x}", crate::deck::fnv1a(text.as_bytes()))
}
