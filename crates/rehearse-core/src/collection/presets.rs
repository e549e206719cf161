//! Option presets in the collection: which scheduler each deck and item
//! uses, and assigning a preset to a deck.
//!
//! Changing a deck's preset (or a preset's options) changes no stored state:
//! as in Anki, the new options apply from each card's next answer, and due
//! dates already given stay. A full rebuild of the state from the journals
//! (when the cached snapshot is missing or stale, or another machine's older
//! answer is merged in) replays every answer with the presets in force then,
//! as it already did with settings that changed.

use std::sync::Arc;

use super::*;
use crate::replay::SchedulerOf;
use crate::schedule::{PresetError, Schedulers};

/// Every preset's scheduler and which one each item uses, detached from the
/// collection (for a history replay or a fit on a worker thread).
#[derive(Clone, Debug)]
pub struct ItemSchedulers {
    schedulers: Schedulers,
    /// Items whose deck uses a preset other than Default, with its index.
    by_item: Arc<HashMap<ItemId, usize>>,
}

impl ItemSchedulers {
    /// The schedulers of every preset.
    pub fn schedulers(&self) -> &Schedulers {
        &self.schedulers
    }

    /// The index (into [`Settings::preset_names`]) of the preset `item` uses.
    pub fn preset_index(&self, item: &ItemId) -> usize {
        self.by_item.get(item).copied().unwrap_or(0)
    }
}

impl ItemSchedulers {
    /// A hash of everything a replay depends on besides the journals: every
    /// preset's options, the clock, and which items use which preset. A
    /// cached replay made under another fingerprint is not used. `None`
    /// when the options cannot be encoded: then nothing is cached.
    pub fn fingerprint(&self) -> Option<u64> {
        let mut bytes = postcard::to_allocvec(self.schedulers.settings()).ok()?;
        bytes.extend_from_slice(format!("{:?}", self.schedulers.clock()).as_bytes());
        let mut by_item: Vec<(String, usize)> = self
            .by_item
            .iter()
            .map(|(item, &preset)| (item.to_string(), preset))
            .collect();
        by_item.sort_unstable();
        for (item, preset) in by_item {
            bytes.extend_from_slice(item.as_bytes());
            bytes.extend_from_slice(&preset.to_le_bytes());
        }
        Some(xxhash_rust::xxh3::xxh3_64(&bytes))
    }
}

impl SchedulerOf for ItemSchedulers {
    fn scheduler_of(&self, item: &ItemId) -> &Scheduler {
        self.schedulers.get(self.preset_index(item))
    }
}

/// The same, borrowed from the collection while its states change.
pub(super) struct Lookup<'a> {
    pub(super) schedulers: &'a Schedulers,
    pub(super) by_item: &'a HashMap<ItemId, usize>,
}

impl SchedulerOf for Lookup<'_> {
    fn scheduler_of(&self, item: &ItemId) -> &Scheduler {
        self.schedulers
            .get(self.by_item.get(item).copied().unwrap_or(0))
    }
}

/// Why assigning a preset failed.
#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    /// No such preset, or no such deck.
    #[error(transparent)]
    Preset(#[from] PresetError),
    /// No loaded deck has that file name.
    #[error("there is no deck \"{0}\"")]
    NoSuchDeck(String),
    /// Saving the settings failed.
    #[error(transparent)]
    Collection(#[from] CollectionError),
}

impl Collection {
    /// The scheduler of every preset.
    pub fn schedulers(&self) -> &Schedulers {
        &self.schedulers
    }

    /// The scheduler that answers `id`: its deck's preset's, or Default's for
    /// an item no deck has. Its settings hold that preset's options.
    pub fn scheduler_of(&self, id: &ItemId) -> &Scheduler {
        self.schedulers
            .get(self.item_preset.get(id).copied().unwrap_or(0))
    }

    /// The scheduler of deck `deck` (an index into [`Self::decks`]). Its
    /// settings hold the deck's preset's options (limits, bury rules…).
    pub fn deck_scheduler(&self, deck: usize) -> &Scheduler {
        self.schedulers
            .get(self.deck_preset.get(deck).copied().unwrap_or(0))
    }

    /// The index (into [`Settings::preset_names`], and for
    /// [`Schedulers::get`]) of the preset deck `deck` uses.
    pub fn deck_preset_index(&self, deck: usize) -> usize {
        self.deck_preset.get(deck).copied().unwrap_or(0)
    }

    /// The name of the preset deck `deck` (an index into [`Self::decks`]) uses.
    pub fn deck_preset_name(&self, deck: usize) -> &str {
        self.decks
            .get(deck)
            .map_or(crate::schedule::DEFAULT_PRESET, |d| {
                self.settings().preset_name_of_deck(&d.slug)
            })
    }

    /// The study-day clock.
    pub fn clock(&self) -> &DayClock {
        self.schedulers.clock()
    }

    /// Every preset's scheduler and which items use which, for work away
    /// from the collection.
    pub fn item_schedulers(&self) -> ItemSchedulers {
        ItemSchedulers {
            schedulers: self.schedulers.clone(),
            by_item: Arc::clone(&self.item_preset),
        }
    }

    /// Makes deck `slug` use preset `name`, in `settings.ron`. Cards keep
    /// their due dates; the preset's options apply from their next answer.
    pub fn set_deck_preset(&mut self, slug: &str, name: &str) -> Result<(), AssignError> {
        if !self.decks.iter().any(|d| d.slug == slug) {
            return Err(AssignError::NoSuchDeck(slug.to_string()));
        }
        let mut settings = self.settings().clone();
        settings.assign_preset(slug, name)?;
        if &settings != self.settings() {
            self.save_settings(settings)?;
        }
        Ok(())
    }

    /// Works out again which preset each deck and item uses, after the decks
    /// or the settings changed.
    pub(super) fn refresh_presets(&mut self) {
        self.deck_preset = self
            .decks
            .iter()
            .map(|d| self.schedulers.index_of_deck(&d.slug))
            .collect();
        let by_item: HashMap<ItemId, usize> = self
            .items
            .iter()
            .filter_map(|i| {
                let preset = self.deck_preset.get(i.deck).copied().unwrap_or(0);
                (preset != 0).then(|| (i.id.clone(), preset))
            })
            .collect();
        self.item_preset = Arc::new(by_item);
        self.generation += 1;
    }
}
