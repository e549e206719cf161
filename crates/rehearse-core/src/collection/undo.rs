//! One undo history for everything the user does, in the order they did it:
//! answers, edits of decks and cards, and changes to items (suspend, bury,
//! reset). Undo never rewrites history: an answer or item change is taken
//! back with an `Undo` event in the journal; a file is put back as it was,
//! unless it was changed on disk since.

use jiff::Timestamp;

use super::Collection;
use super::edit::{EditError, EditUndo, read_optional, write_optional};
use crate::deck::ItemId;
use crate::schedule::CardState;
use crate::store::Event;

/// One step of the undo history.
#[derive(Clone, Debug)]
pub(super) enum Step {
    /// An answer: the event to take back and the item's state before it.
    Answer(AnswerUndo),
    /// An edit of files or items.
    Edit(EditUndo),
}

/// What undoing an answer needs.
#[derive(Clone, Debug)]
pub(super) struct AnswerUndo {
    pub(super) event_id: u64,
    pub(super) item: ItemId,
    pub(super) previous: CardState,
}

/// What [`Collection::undo`] took back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undone {
    /// The answer to this item: it is as it was before.
    Answer(ItemId),
    /// An edit, by its label ("suspend 2 items", "edit card"), and the items
    /// whose state it put back (none for an edit of files only).
    Edit {
        /// What was undone, for "Undone: …".
        label: String,
        /// Items whose state changed back.
        items: Vec<ItemId>,
    },
}

impl Collection {
    /// Takes back the last thing done, answer or edit. `None` when there is
    /// nothing to undo.
    pub fn undo(&mut self, now: Timestamp) -> Result<Option<Undone>, EditError> {
        match self.undo.last().cloned() {
            None => Ok(None),
            Some(Step::Answer(step)) => self.undo_answer(step, now).map(Some),
            Some(Step::Edit(step)) => self.undo_edit(step, now).map(Some),
        }
    }

    /// What [`Self::undo`] would take back, for a button or a tooltip:
    /// "answer", "suspend 2 items", "edit card".
    pub fn undo_label(&self) -> Option<&str> {
        match self.undo.last()? {
            Step::Answer(_) => Some("answer"),
            Step::Edit(step) => Some(step.label.as_str()),
        }
    }

    /// How many steps can be undone.
    pub fn undo_depth(&self) -> usize {
        self.undo.len()
    }

    fn undo_answer(&mut self, step: AnswerUndo, now: Timestamp) -> Result<Undone, EditError> {
        self.require_writable()?;
        let generation = self.generation;
        let current = self.state(&step.item).clone();
        self.append(Event::Undo {
            id: self.next_event_id,
            at: now,
            undoes: step.event_id,
        })?;
        self.undo.pop();
        self.recent
            .retain(|r| !(r.device == self.device && r.id == step.event_id));
        // Undo takes back the review only: a suspension made since stays.
        let mut previous = step.previous;
        previous.suspended = self.state(&step.item).suspended;
        self.shift_load(generation, &current, &previous);
        if previous == CardState::new() {
            self.states.remove(&step.item);
        } else {
            self.states.insert(step.item.clone(), previous);
        }
        Ok(Undone::Answer(step.item))
    }

    fn undo_edit(&mut self, step: EditUndo, now: Timestamp) -> Result<Undone, EditError> {
        self.require_writable()?;
        for f in &step.files {
            if read_optional(&f.path)? != f.after {
                return Err(EditError::ChangedOnDisk(f.path.clone()));
            }
        }
        for f in step.files.iter().rev() {
            write_optional(&f.path, f.before.as_deref())?;
        }
        for id in &step.events {
            self.append(Event::Undo {
                id: self.next_event_id,
                at: now,
                undoes: *id,
            })?;
        }
        // The due counts are not carried through: the appends moved the
        // collection's generation on, so they are counted afresh when next
        // needed.
        for (item, state) in step.states.iter().rev() {
            if *state == CardState::new() {
                self.states.remove(item);
            } else {
                self.states.insert(item.clone(), state.clone());
            }
        }
        self.undo.pop();
        if !step.files.is_empty() {
            self.reload_decks();
        }
        Ok(Undone::Edit {
            label: step.label,
            items: step.states.into_iter().map(|(item, _)| item).collect(),
        })
    }
}
