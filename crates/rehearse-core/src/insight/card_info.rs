//! Everything about one study item: each review with the memory state it
//! left, the state now, its predicted recall over time, and its siblings.

use jiff::Timestamp;

use crate::collection::{Collection, History};
use crate::deck::ItemId;
use crate::schedule::{CardState, Rating};

/// One review of the item, replayed.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewRow {
    /// When it was answered.
    pub at: Timestamp,
    /// The button pressed.
    pub rating: Rating,
    /// Time spent, in milliseconds.
    pub took_ms: u32,
    /// Predicted recall just before the answer (none for a new card).
    pub recall_before: Option<f32>,
    /// Interval the answer gave, in days (0 while learning).
    pub interval_days: u32,
    /// FSRS stability after the answer, in days.
    pub stability: Option<f32>,
    /// FSRS difficulty after the answer (1–10).
    pub difficulty: Option<f32>,
}

/// What the card-info view shows.
#[derive(Clone, Debug)]
pub struct CardInfo {
    /// The item.
    pub item: ItemId,
    /// Every review, oldest first.
    pub reviews: Vec<ReviewRow>,
    /// Its state now (as the collection holds it: imported scheduling included).
    pub state: CardState,
    /// Predicted recall now.
    pub recall_now: Option<f32>,
    /// (days from the first review, predicted recall) from the first review to
    /// 30 days ahead, one point a day: the forgetting curve between reviews.
    pub curve: Vec<(f64, f64)>,
    /// The other study items of the same card, with their states.
    pub siblings: Vec<(ItemId, CardState)>,
}

/// Points on the curve past today.
const CURVE_AHEAD_DAYS: i64 = 30;

/// Replays `item`'s answers in `history` through the scheduler.
pub fn card_info(
    collection: &Collection,
    history: &History,
    item: &ItemId,
    now: Timestamp,
) -> CardInfo {
    // The card's deck's preset schedules it, and its memory model predicts it.
    let scheduler = collection.scheduler_of(item);
    let mut state = CardState::default();
    let mut reviews = Vec::new();
    // The state in force from each review on, for the curve.
    let mut steps: Vec<(Timestamp, CardState)> = Vec::new();
    for a in history.answers.iter().filter(|a| a.item == *item) {
        let recall_before = scheduler.retrievability(&state, a.at);
        // A review the scheduler refuses (out of order) is shown as it was
        // given, with the memory state unchanged.
        if let Ok(outcome) = scheduler.replay_answer(item, &state, a.rating, a.at, a.days) {
            state = outcome.state;
        }
        reviews.push(ReviewRow {
            at: a.at,
            rating: a.rating,
            took_ms: a.took_ms,
            recall_before,
            interval_days: state.interval_days,
            stability: state.memory.map(|m| m.stability),
            difficulty: state.memory.map(|m| m.difficulty),
        });
        steps.push((a.at, state.clone()));
    }
    let current = collection.state(item).clone();
    let curve = forgetting_curve(scheduler, &steps, now);
    let siblings = collection
        .card_of(item)
        .map(|card| {
            card.items()
                .into_iter()
                .filter(|i| i != item)
                .map(|i| {
                    let s = collection.state(&i).clone();
                    (i, s)
                })
                .collect()
        })
        .unwrap_or_default();
    CardInfo {
        item: item.clone(),
        reviews,
        recall_now: scheduler.retrievability(&current, now),
        state: current,
        curve,
        siblings,
    }
}

/// Predicted recall each day from the first review to a month ahead, using
/// the memory state each review left.
fn forgetting_curve(
    scheduler: &crate::schedule::Scheduler,
    steps: &[(Timestamp, CardState)],
    now: Timestamp,
) -> Vec<(f64, f64)> {
    let Some((first, _)) = steps.first() else {
        return Vec::new();
    };
    let day = 86_400.0;
    let end = now.as_second() + CURVE_AHEAD_DAYS * 86_400;
    let mut out = Vec::new();
    let mut t = first.as_second();
    let mut step = 0;
    while t <= end {
        while step + 1 < steps.len() && steps[step + 1].0.as_second() <= t {
            step += 1;
        }
        if let Ok(at) = Timestamp::from_second(t)
            && let Some(r) = scheduler.retrievability(&steps[step].1, at)
        {
            out.push(((t - first.as_second()) as f64 / day, f64::from(r)));
        }
        // Hourly for the first two days so learning steps show, then daily.
        t += if t - first.as_second() < 2 * 86_400 {
            3600
        } else {
            86_400
        };
    }
    out
}
