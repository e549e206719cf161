//! The workload answers are balanced against (load balancing and easy days,
//! see [`crate::schedule::load`]): how many items are due on each coming day.
//!
//! Counting walks every item's state once; the counts are then kept between
//! answers, each answer (or its undo) moving one item from its old due day to
//! its new one. Any other change (a merge, a suspension, an edit) moves the
//! collection's generation on, and the next answer counts afresh. So an
//! answer costs at most one pass over the states, and usually none.

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
    /// Runs `f` with the workload for placing `id` when answered at `now`.
    pub(super) fn with_workload<T>(
        &self,
        id: &ItemId,
        now: Timestamp,
        f: impl FnOnce(&Workload<'_>) -> T,
    ) -> T {
        let clock = self.scheduler.clock();
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
        let sibling_days: Vec<i32> = self
            .card_of(id)
            .map(|card| {
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
        let clock = self.scheduler.clock();
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
}
