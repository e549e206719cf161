//! The workload answers are balanced against (load balancing and easy days,
//! see [`crate::schedule::load`]): how many items are due on each coming day.
//!
//! Counting walks every item's state once (at 100k items with a year of
//! history that is tens of milliseconds: the states and the item index do
//! not fit in the processor's cache). So the counts are kept between
//! answers: each change of one item (an answer, its undo, a suspension, a
//! bury or reset) moves that item from its old due day to its new one, and
//! annotations (rubric points, mocks) leave them be. Anything else (a merge
//! of other devices' journals, a deck reload, undoing an edit) moves the
//! collection's generation on without that, and the next preview or answer
//! counts afresh. Counts that were off would only make a choice less even:
//! they never move an interval out of its fuzz range, and the interval
//! chosen is recorded, so replays do not depend on them.

use std::sync::{Mutex, PoisonError};

use super::*;
use crate::schedule::{DueLoad, Workload};

/// Due counts and what they were counted from.
#[derive(Debug)]
pub(super) struct LoadCache {
    /// [`Collection::generation`] the counts agree with.
    generation: u64,
    /// The hour days started at when counted (changing it moves day boundaries).
    start_hour: u8,
    load: DueLoad,
}

/// The cache's slot in the collection: filled by a preview (`&self`) as well
/// as an answer.
pub(super) type LoadSlot = Mutex<Option<LoadCache>>;

impl Collection {
    /// Items due on each of the coming study days (from the day of `now`),
    /// as load balancing and easy days count them: suspended and new items
    /// left out.
    pub fn due_load(&self, now: Timestamp) -> DueLoad {
        self.with_workload(None, now, |work| work.due.clone())
    }

    /// Runs `f` with the workload for placing `id` when answered at `now`
    /// (with no siblings' days for `None`).
    pub(super) fn with_workload<T>(
        &self,
        id: Option<&ItemId>,
        now: Timestamp,
        f: impl FnOnce(&Workload<'_>) -> T,
    ) -> T {
        let clock = self.clock();
        let today = clock.day_of(now);
        let start_hour = self.settings().day_starts_at_hour;
        let mut slot = self.due_load.lock().unwrap_or_else(PoisonError::into_inner);
        let fresh = slot.as_ref().is_some_and(|c| {
            c.generation == self.generation && c.start_hour == start_hour && c.load.today() == today
        });
        if !fresh {
            let load = DueLoad::from_states(clock, today, self.states.iter(), |id| {
                self.item_index.contains_key(id)
            });
            *slot = Some(LoadCache {
                generation: self.generation,
                start_hour,
                load,
            });
        }
        let sibling_days: Vec<i32> = id
            .and_then(|id| Some((id, self.card_of(id)?)))
            .map(|(id, card)| {
                card.items()
                    .iter()
                    .filter(|i| *i != id)
                    .filter_map(|i| DueLoad::day_of(clock, self.state(i)))
                    .collect()
            })
            .unwrap_or_default();
        let empty;
        let due = match slot.as_ref() {
            Some(cache) => &cache.load,
            None => {
                empty = DueLoad::empty(today);
                &empty
            }
        };
        f(&Workload {
            due,
            sibling_days: &sibling_days,
        })
    }

    /// After one item went from `before` to `after` and the collection's only
    /// other change since `generation` was journalling that, keeps the counts.
    pub(super) fn shift_load(&mut self, generation: u64, before: &CardState, after: &CardState) {
        let clock = self.schedulers.clock();
        let now = self.generation;
        let slot = self
            .due_load
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(cache) = slot.as_mut().filter(|c| c.generation == generation) {
            if let Some(day) = DueLoad::day_of(clock, before) {
                cache.load.remove(day);
            }
            if let Some(day) = DueLoad::day_of(clock, after) {
                cache.load.add(day);
            }
            cache.generation = now;
        }
    }

    /// After journalling an event that changed no state, keeps the counts
    /// (if they held before it, at `generation`).
    pub(super) fn keep_load(&mut self, generation: u64) {
        self.shift_load(generation, &CardState::new(), &CardState::new());
    }
}
