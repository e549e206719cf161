//! Fitting FSRS parameters to a review history, and measuring how well a set
//! of parameters predicts it.
//!
//! The history is turned into training items the way the FSRS tools do it
//! ([`training_items`]); [`optimize`] runs the `fsrs` crate's optimiser on
//! them with progress and cancellation, and compares the new parameters with
//! the current ones on the same items.

use std::collections::HashMap;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use fsrs::{CombinedProgressState, ComputeParametersInput, FSRS, FSRSError, FSRSItem, FSRSReview};
use jiff::Timestamp;

use crate::schedule::{DayClock, Rating};

/// The fewest training items [`optimize`] accepts: reviews of a card on a
/// later study day than its previous review, the only reviews whose recall
/// the optimiser learns from.
///
/// The crate itself returns the defaults unchanged under 8 items and fits
/// only the four initial stabilities under 64; the other parameters need a
/// few hundred reviews before a fit says more about the learner than about
/// chance (Anki 24.04 asked for 400 reviews). 400 keeps users from replacing
/// good defaults with noise.
pub const MIN_ITEMS: usize = 400;

/// How often the optimiser's progress is read.
const POLL: Duration = Duration::from_millis(50);

/// Why evaluating or optimising failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OptimizeError {
    /// Too few reviews to fit parameters to.
    #[error(
        "optimising needs at least {need} reviews of cards studied on more than one day; you have {have}, so {} more are needed",
        need.saturating_sub(*have)
    )]
    NotEnoughHistory {
        /// Usable training items (reviews on a later day than the card's previous one).
        have: usize,
        /// [`MIN_ITEMS`].
        need: usize,
    },
    /// There is nothing to evaluate parameters on.
    #[error("there are no reviews of cards studied on more than one day to evaluate on")]
    NoHistory,
    /// The progress callback asked to stop.
    #[error("the optimisation was cancelled")]
    Cancelled,
    /// The parameters are not a valid FSRS parameter set.
    #[error("FSRS parameters must be 17, 19 or 21 finite numbers; found {count} values")]
    InvalidParameters {
        /// How many values were given.
        count: usize,
    },
    /// The `fsrs` crate could not compute a result.
    #[error("the FSRS optimiser failed: {0}")]
    Failed(String),
}

/// How well parameters predict a history (lower is better for both).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// Mean binary cross-entropy between predicted recall and what happened,
    /// recent reviews weighted more (as the FSRS tools do).
    pub log_loss: f32,
    /// Root mean square error between predicted and actual recall over bins
    /// of similar reviews (interval, review count, lapses).
    pub rmse_bins: f32,
}

/// The result of [`optimize`].
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    /// The fitted parameters (21 values), whether or not they are better.
    pub parameters: Vec<f32>,
    /// The current parameters on the history.
    pub before: Evaluation,
    /// The fitted parameters on the same history.
    pub after: Evaluation,
    /// Reviews in the histories trained on: each card counted once, up to its
    /// last review on a later day than the one before.
    pub reviews: usize,
    /// Training items used (one per review on a later day).
    pub items: usize,
    /// True when the fitted log loss is lower than the current one. When it is
    /// not, callers keep the current parameters.
    pub improved: bool,
}

/// Builds FSRS training items from reviews given as `(card, rating, time)`,
/// in any order.
///
/// Each card's reviews are taken in time order; a review's `delta_t` is its
/// study day (by `clock`) minus that of the card's previous review (0 for the
/// first review). Every review with `delta_t > 0` ends one item holding all
/// the card's reviews up to and including it, so a card's first review never
/// ends an item and same-day reviews only appear as history. Items come in
/// chronological order of their last review (ties by card), which the
/// optimiser relies on: it weights recent items more.
pub fn training_items(reviews: &[(i64, Rating, Timestamp)], clock: &DayClock) -> Vec<FSRSItem> {
    let mut order: Vec<usize> = (0..reviews.len()).collect();
    order.sort_by_key(|&i| (reviews[i].0, reviews[i].2));
    let mut items: Vec<(Timestamp, i64, FSRSItem)> = Vec::new();
    for card in order.chunk_by(|&a, &b| reviews[a].0 == reviews[b].0) {
        let mut history = Vec::with_capacity(card.len());
        let mut previous_day = None;
        for &i in card {
            let (card_id, rating, at) = reviews[i];
            let day = clock.day_of(at);
            let delta_t = previous_day.map_or(0, |p: i32| {
                // Time order makes this non-negative.
                u32::try_from(day.saturating_sub(p)).unwrap_or(0)
            });
            previous_day = Some(day);
            history.push(FSRSReview {
                rating: rating.number(),
                delta_t,
            });
            if delta_t > 0 {
                items.push((
                    at,
                    card_id,
                    FSRSItem {
                        reviews: history.clone(),
                    },
                ));
            }
        }
    }
    items.sort_by_key(|(at, card, _)| (*at, *card));
    items.into_iter().map(|(_, _, item)| item).collect()
}

/// How well `params` (empty for the defaults; 17, 19 or 21 values) predict the
/// last review of each item. Items without a review on a later day are left
/// out, as [`optimize`] does.
pub fn evaluate(params: &[f32], items: &[FSRSItem]) -> Result<Evaluation, OptimizeError> {
    evaluate_until(params, items, || true)
}

/// [`evaluate`], asking `keep_going` after every 512 items whether to go on.
fn evaluate_until(
    params: &[f32],
    items: &[FSRSItem],
    mut keep_going: impl FnMut() -> bool,
) -> Result<Evaluation, OptimizeError> {
    let fsrs = FSRS::new(params).map_err(|e| fsrs_error(e, params.len()))?;
    let items: Vec<FSRSItem> = items.iter().filter(|i| usable(i)).cloned().collect();
    if items.is_empty() {
        return Err(OptimizeError::NoHistory);
    }
    let evaluation = fsrs
        .evaluate(items, |_| keep_going())
        .map_err(|e| fsrs_error(e, params.len()))?;
    Ok(Evaluation {
        log_loss: evaluation.log_loss,
        rmse_bins: evaluation.rmse_bins,
    })
}

/// Fits FSRS-6 parameters (with short-term memory) to `items`, which must be
/// in chronological order (as [`training_items`] returns them), and evaluates
/// them against `current` (empty for the defaults) on the same items.
///
/// `progress(done, total)` is called on this thread: first with `(0, 0)`
/// while the current parameters are evaluated and the optimiser (on a second
/// thread) prepares, then every 50 ms or so with its progress, and once with
/// `done == total` when the fit is done (the fitted parameters are then
/// evaluated without further calls). Returning `false` cancels: the work
/// stops after its current batch and [`OptimizeError::Cancelled`] is
/// returned.
///
/// Needs at least [`MIN_ITEMS`] items with a review on a later day; others are
/// left out first.
pub fn optimize(
    current: &[f32],
    items: Vec<FSRSItem>,
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Result<Fitted, OptimizeError> {
    let items: Vec<FSRSItem> = items.into_iter().filter(usable).collect();
    if items.len() < MIN_ITEMS {
        return Err(OptimizeError::NotEnoughHistory {
            have: items.len(),
            need: MIN_ITEMS,
        });
    }
    if !progress(0, 0) {
        return Err(OptimizeError::Cancelled);
    }
    let before = evaluate_until(current, &items, || progress(0, 0))?;
    let reviews = history_reviews(&items);
    let count = items.len();
    let parameters = fit(items.clone(), &mut progress)?;
    let after = evaluate(&parameters, &items)?;
    Ok(Fitted {
        parameters,
        before,
        after,
        reviews,
        items: count,
        improved: after.log_loss < before.log_loss,
    })
}

/// How many of `items` [`optimize`] can learn from (it needs [`MIN_ITEMS`]).
pub fn usable_items(items: &[FSRSItem]) -> usize {
    items.iter().filter(|i| usable(i)).count()
}

/// The crate panics on items without a review on a later day, and an empty
/// item has nothing to predict.
fn usable(item: &FSRSItem) -> bool {
    item.long_term_review_cnt() > 0
}

/// Runs `compute_parameters` on a second thread, reporting its progress and
/// passing on a cancellation.
fn fit(
    items: Vec<FSRSItem>,
    progress: &mut impl FnMut(usize, usize) -> bool,
) -> Result<Vec<f32>, OptimizeError> {
    let state = CombinedProgressState::new_shared();
    let input = ComputeParametersInput {
        train_set: items,
        card_ids: None,
        progress: Some(Arc::clone(&state)),
        enable_short_term: true,
        ..ComputeParametersInput::default()
    };
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let result = fsrs::compute_parameters(input);
            // The receiver outlives this thread; a failed send changes nothing.
            let _ = done_tx.send(());
            result
        });
        let mut cancelled = false;
        loop {
            if !cancelled {
                let (done, total) = read_progress(&state);
                if !progress(done, total) {
                    cancelled = true;
                    lock(&state).want_abort = true;
                }
            }
            match done_rx.recv_timeout(POLL) {
                Err(RecvTimeoutError::Timeout) => {}
                // Finished, or the worker panicked before sending.
                Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        match worker.join() {
            Err(_) => Err(OptimizeError::Failed(
                "the optimiser stopped unexpectedly (it panicked)".into(),
            )),
            Ok(_) if cancelled => Err(OptimizeError::Cancelled),
            Ok(Err(e)) => Err(fsrs_error(e, 0)),
            Ok(Ok(parameters)) => {
                let (_, total) = read_progress(&state);
                let total = total.max(1);
                // Finished: a late "cancel" has nothing left to stop.
                let _ = progress(total, total);
                Ok(parameters)
            }
        }
    })
}

fn lock(state: &Mutex<CombinedProgressState>) -> MutexGuard<'_, CombinedProgressState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read_progress(state: &Mutex<CombinedProgressState>) -> (usize, usize) {
    let s = lock(state);
    (s.current(), s.total())
}

/// The crate's error as ours; `count` is the number of parameters passed in.
fn fsrs_error(e: FSRSError, count: usize) -> OptimizeError {
    match e {
        FSRSError::InvalidParameters => OptimizeError::InvalidParameters { count },
        FSRSError::Interrupted => OptimizeError::Cancelled,
        FSRSError::NotEnoughData => OptimizeError::Failed(
            "not enough usable data: after removing outliers, no card has exactly one review on a later day, so the initial stabilities cannot be estimated".into(),
        ),
        FSRSError::InvalidInput => OptimizeError::Failed(
            "invalid input: an item has no reviews or a rating outside 1–4, or the result is not a finite number".into(),
        ),
        other => OptimizeError::Failed(format!("{other:?}")),
    }
}

/// Reviews in the histories of `items`, each card counted once. A card's items
/// are prefixes of its history, each ending at a review on a later day, so an
/// item's predecessor is its prefix up to the previous such review; the items
/// that no later item extends are the cards' full histories.
fn history_reviews(items: &[FSRSItem]) -> usize {
    fn key(reviews: &[FSRSReview]) -> Vec<(u32, u32)> {
        reviews.iter().map(|r| (r.rating, r.delta_t)).collect()
    }
    // Histories not (yet) extended by a later item, with their multiplicity.
    let mut open: HashMap<Vec<(u32, u32)>, usize> = HashMap::new();
    for item in items {
        let reviews = &item.reviews;
        let before_last = &reviews[..reviews.len().saturating_sub(1)];
        if let Some(j) = before_last.iter().rposition(|r| r.delta_t > 0)
            && let Some(n) = open.get_mut(&key(&reviews[..=j]))
        {
            *n = n.saturating_sub(1);
        }
        *open.entry(key(reviews)).or_default() += 1;
    }
    open.iter().map(|(history, n)| history.len() * n).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn review(rating: u32, delta_t: u32) -> FSRSReview {
        FSRSReview { rating, delta_t }
    }

    #[test]
    fn items_end_at_reviews_on_later_days() {
        let clock = DayClock::new(TimeZone::UTC, 4);
        let reviews = [
            // Card 2, given out of order; 03:00 still belongs to the day before.
            (2, Rating::Good, at("2024-01-03T03:00:00Z")),
            (2, Rating::Again, at("2024-01-01T10:00:00Z")),
            (2, Rating::Good, at("2024-01-01T10:10:00Z")),
            (2, Rating::Hard, at("2024-01-05T12:00:00Z")),
            // Card 1: a review the next study day, then one the same day.
            (1, Rating::Good, at("2024-01-01T20:00:00Z")),
            (1, Rating::Easy, at("2024-01-02T05:00:00Z")),
            (1, Rating::Good, at("2024-01-02T06:00:00Z")),
            // Card 3: only ever studied on one day.
            (3, Rating::Good, at("2024-01-01T09:00:00Z")),
        ];
        let items = training_items(&reviews, &clock);
        let got: Vec<Vec<FSRSReview>> = items.into_iter().map(|i| i.reviews).collect();
        assert_eq!(
            got,
            [
                // 2024-01-02T05:00, card 1.
                vec![review(3, 0), review(4, 1)],
                // 2024-01-03T03:00 is study day 2024-01-02, card 2.
                vec![review(1, 0), review(3, 0), review(3, 1)],
                vec![review(1, 0), review(3, 0), review(3, 1), review(2, 3)],
            ]
        );
    }

    #[test]
    fn history_reviews_counts_each_card_once() {
        let a = |r: &[(u32, u32)]| FSRSItem {
            reviews: r.iter().map(|&(g, t)| review(g, t)).collect(),
        };
        let items = [
            a(&[(3, 0), (3, 1)]),
            a(&[(3, 0), (3, 1)]),
            a(&[(3, 0), (3, 1), (1, 0), (3, 2)]),
            a(&[(1, 0), (3, 0), (3, 1)]),
        ];
        // Two cards share the history [3,3]; one of them went on to 4 reviews.
        assert_eq!(history_reviews(&items), 2 + 4 + 3);
    }

    #[test]
    fn errors_say_what_is_needed() {
        let e = OptimizeError::NotEnoughHistory {
            have: 150,
            need: 400,
        };
        assert_eq!(
            e.to_string(),
            "optimising needs at least 400 reviews of cards studied on more than one day; you have 150, so 250 more are needed"
        );
        assert_eq!(
            evaluate(&[1.0; 5], &[]),
            Err(OptimizeError::InvalidParameters { count: 5 })
        );
        assert_eq!(evaluate(&[], &[]), Err(OptimizeError::NoHistory));
    }
}
