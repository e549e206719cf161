//! Changes to study items' progress: suspend, bury, reset; journalled so they sync, and undoable.

use jiff::Timestamp;

use super::Collection;
use super::edit::*;
use crate::deck::ItemId;
use crate::store::Event;

impl Collection {
    /// Appends journal events for `items` as one undoable change.
    pub(super) fn change_items(
        &mut self,
        items: &[ItemId],
        label: String,
        mut event: impl FnMut(u64, ItemId) -> Event,
    ) -> Result<usize, EditError> {
        self.require_writable()?;
        let mut undo = EditUndo {
            label,
            files: Vec::new(),
            events: Vec::new(),
            states: Vec::new(),
        };
        for item in items {
            let before = self.state(item).clone();
            undo.states.push((item.clone(), before.clone()));
            let e = event(self.next_event_id, item.clone());
            undo.events.push(e.id());
            let generation = self.generation;
            let result = self.append(e.clone());
            if let Err(err) = result {
                // Keep what was done undoable, then report.
                self.push_item_undo(undo);
                return Err(err.into());
            }
            let lookup = super::presets::Lookup {
                schedulers: &self.schedulers,
                by_item: &self.item_preset,
            };
            let warnings = crate::replay::apply_one(&lookup, &mut self.states, &self.device, e);
            self.warnings.extend(warnings);
            let after = self.state(item).clone();
            self.shift_load(generation, &before, &after);
        }
        let n = undo.events.len();
        self.push_item_undo(undo);
        Ok(n)
    }

    pub(super) fn push_item_undo(&mut self, undo: EditUndo) {
        if !undo.events.is_empty() {
            self.undo.push(super::undo::Step::Edit(undo));
        }
    }

    /// Suspends or unsuspends items.
    pub fn suspend_items(
        &mut self,
        items: &[ItemId],
        on: bool,
        now: Timestamp,
    ) -> Result<usize, EditError> {
        let label = format!(
            "{} {}",
            if on { "suspend" } else { "unsuspend" },
            items_phrase(items)
        );
        self.change_items(items, label, |id, item| Event::Suspend {
            id,
            at: now,
            item,
            suspended: on,
        })
    }

    /// Keeps items for the next study day ("bury"), undoably; in the journal,
    /// so other machines keep them too.
    pub fn bury_items(&mut self, items: &[ItemId], now: Timestamp) -> Result<usize, EditError> {
        let label = format!("bury {}", items_phrase(items));
        self.change_items(items, label, |id, item| Event::Bury { id, at: now, item })
    }

    /// Forgets items' progress: they become new again.
    pub fn reset_items(&mut self, items: &[ItemId], now: Timestamp) -> Result<usize, EditError> {
        let label = format!("reset {}", items_phrase(items));
        self.change_items(items, label, |id, item| Event::Reset { id, at: now, item })
    }
}
