//! Fitting the memory model to this collection's history, and bringing in a
//! review log from elsewhere so that statistics and the optimiser see it.

use std::collections::HashMap;
use std::path::PathBuf;

use jiff::Timestamp;

use super::optimize::{Fitted, OptimizeError, optimize, training_items};
use super::revlog::{RevlogError, RowError, parse_revlog_csv};
use crate::collection::{Collection, CollectionError, History, HistoryLoader};
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
    current: Vec<f32>,
    clock: DayClock,
}

impl Collection {
    /// A fit of the FSRS parameters to this collection's history.
    pub fn fit_job(&self) -> Result<FitJob, CollectionError> {
        Ok(FitJob {
            loader: self.history_loader()?,
            current: self.settings().fsrs_parameters.clone(),
            clock: self.scheduler().clock().clone(),
        })
    }

    /// Makes `parameters` the memory model's parameters (in `settings.ron`).
    /// They apply from each card's next review on.
    pub fn use_parameters(&mut self, parameters: Vec<f32>) -> Result<(), CollectionError> {
        let settings = crate::schedule::Settings {
            fsrs_parameters: parameters,
            ..self.settings().clone()
        };
        self.save_settings(settings)
    }
}

impl FitJob {
    /// Reads the history and fits. `progress(done, total)` is called as it
    /// goes; returning false cancels. Takes a while: run it off the UI thread.
    pub fn run(self, progress: impl FnMut(usize, usize) -> bool) -> Result<Fitted, FitError> {
        let history = self.loader.load()?;
        let items = training_items(&history_reviews(&history), &self.clock);
        Ok(optimize(&self.current, items, progress)?)
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
