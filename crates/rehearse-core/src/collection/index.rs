//! Indexes over the whole collection that the deck list and the browser ask
//! for again and again: built on first use after a change, kept until the
//! next one (keyed by [`Collection::generation`]), so that repeating a
//! question does not walk every card's text and state again.

use std::sync::{Arc, Mutex, MutexGuard};

use super::*;
use crate::search::SortColumn;

#[derive(Default)]
struct Built {
    /// The generation everything here was built for.
    generation: u64,
    /// Per text column, each item's tie group: see [`Indexes::text_groups`].
    text: Vec<(SortColumn, Arc<Vec<u32>>)>,
    /// The last deck counts asked for, with the study day they are for.
    counts: Option<(i32, Vec<Counts>)>,
}

/// The indexes of one collection; shared between threads behind a lock.
#[derive(Default)]
pub(crate) struct Indexes {
    built: Mutex<Built>,
}

impl Indexes {
    /// What is built for `generation`, everything older dropped.
    fn at(&self, generation: u64) -> MutexGuard<'_, Built> {
        // A panic while building leaves nothing half-built behind: the
        // fields are only ever replaced whole.
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if built.generation != generation {
            *built = Built {
                generation,
                ..Built::default()
            };
        }
        built
    }

    /// For a text column, every item's tie group (indexed like
    /// [`Collection::items`]): items whose texts compare equal (ignoring
    /// case) share a group, and groups are numbered in text order. Built by
    /// `build` once per generation.
    pub(crate) fn text_groups(
        &self,
        generation: u64,
        column: SortColumn,
        build: impl FnOnce() -> Vec<u32>,
    ) -> Arc<Vec<u32>> {
        if let Some((_, groups)) = self.at(generation).text.iter().find(|(c, _)| *c == column) {
            return Arc::clone(groups);
        }
        // Built without the lock held: another thread may ask for another
        // column meanwhile. Two building the same one is only wasted work.
        let groups = Arc::new(build());
        let mut built = self.at(generation);
        if !built.text.iter().any(|(c, _)| *c == column) {
            built.text.push((column, Arc::clone(&groups)));
        }
        groups
    }

    /// Today's deck counts, from the last time they were asked for on the
    /// same study day `today` in this generation, else from `build`.
    pub(super) fn counts(
        &self,
        generation: u64,
        today: i32,
        build: impl FnOnce() -> Vec<Counts>,
    ) -> Vec<Counts> {
        if let Some((k, counts)) = &self.at(generation).counts
            && *k == today
        {
            return counts.clone();
        }
        let counts = build();
        self.at(generation).counts = Some((today, counts.clone()));
        counts
    }
}

impl Collection {
    /// The collection's indexes (see [`Indexes`]).
    pub(crate) fn indexes(&self) -> &Indexes {
        &self.indexes
    }
}
