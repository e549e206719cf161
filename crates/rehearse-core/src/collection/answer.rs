//! Answering, recording mocks, undo and suspend: every change is journalled before it counts.

use super::*;

impl Collection {
    /// The four possible outcomes of answering `id` now.
    pub fn preview(&self, id: &ItemId, now: Timestamp) -> Result<[Outcome; 4], CollectionError> {
        Ok(self.scheduler.outcomes(id, self.state(id), now)?)
    }

    /// Records an answer: the journal line is on disk before this returns.
    pub fn answer(
        &mut self,
        id: &ItemId,
        rating: Rating,
        now: Timestamp,
        took_ms: u32,
    ) -> Result<Outcome, CollectionError> {
        let previous = self.state(id).clone();
        let outcome = self.scheduler.answer(id, &previous, rating, now)?;
        let event_id = self.next_event_id;
        self.append(Event::Review {
            id: event_id,
            at: now,
            item: id.clone(),
            rating,
            took_ms,
        })?;
        self.recent.push(AnswerRecord {
            device: self.device.clone(),
            id: event_id,
            at: now,
            item: id.clone(),
            rating,
            kind: replay::answer_kind(previous.phase),
            took_ms,
            last_interval: previous.interval_days,
        });
        self.states.insert(id.clone(), outcome.state.clone());
        self.undo.push(UndoEntry {
            event_id,
            item: id.clone(),
            previous,
        });
        self.answers_since_snapshot += 1;
        if self.answers_since_snapshot >= SNAPSHOT_EVERY {
            self.save_snapshot_in_background();
        }
        Ok(outcome)
    }

    /// Records an answer to a rubric prompt with the key points it covered:
    /// the review, then the points annotating it, both on disk when this
    /// returns. (A crash between the two keeps the review without its points.)
    pub fn answer_rubric(
        &mut self,
        id: &ItemId,
        rating: Rating,
        now: Timestamp,
        took_ms: u32,
        marks: crate::interview::RubricMarks,
    ) -> Result<Outcome, CollectionError> {
        let review = self.next_event_id;
        let outcome = self.answer(id, rating, now, took_ms)?;
        self.append(Event::Points {
            id: self.next_event_id,
            at: now,
            item: id.clone(),
            review,
            covered: marks.covered,
            total: marks.total,
            notes: marks.notes,
        })?;
        Ok(outcome)
    }

    /// Records that a mock interview ran from `started` until `now`: this
    /// device's reviews in that time are marked as mock-interview reviews.
    pub fn record_mock(
        &mut self,
        started: Timestamp,
        now: Timestamp,
        minutes: u16,
        focus: &str,
    ) -> Result<(), CollectionError> {
        self.append(Event::Mock {
            id: self.next_event_id,
            at: now,
            started,
            minutes,
            focus: focus.to_string(),
        })
    }

    /// Takes back the last answer of this session, restoring the item's exact
    /// previous state. Returns the item, or `None` when there is nothing to undo.
    pub fn undo(&mut self, now: Timestamp) -> Result<Option<ItemId>, CollectionError> {
        let Some(entry) = self.undo.last().cloned() else {
            return Ok(None);
        };
        self.append(Event::Undo {
            id: self.next_event_id,
            at: now,
            undoes: entry.event_id,
        })?;
        self.undo.pop();
        self.recent
            .retain(|r| !(r.device == self.device && r.id == entry.event_id));
        // Undo takes back the review only: a suspension made since stays.
        let mut previous = entry.previous;
        previous.suspended = self.state(&entry.item).suspended;
        if previous == CardState::new() {
            self.states.remove(&entry.item);
        } else {
            self.states.insert(entry.item.clone(), previous);
        }
        Ok(Some(entry.item))
    }

    /// How many answers can be undone.
    pub fn undo_depth(&self) -> usize {
        self.undo.len()
    }

    /// Suspends or unsuspends an item.
    pub fn set_suspended(
        &mut self,
        id: &ItemId,
        suspended: bool,
        now: Timestamp,
    ) -> Result<(), CollectionError> {
        self.append(Event::Suspend {
            id: self.next_event_id,
            at: now,
            item: id.clone(),
            suspended,
        })?;
        self.states.entry(id.clone()).or_default().suspended = suspended;
        Ok(())
    }

    pub(super) fn append(&mut self, event: Event) -> Result<(), CollectionError> {
        self.generation += 1;
        let journal = self.journal.as_mut().ok_or(CollectionError::ReadOnly)?;
        journal.append(&event)?;
        let len = journal.len();
        self.read_at = self.read_at.max(event.at());
        self.next_event_id = event.id() + 1;
        let mark = self.marks.entry(self.device.clone()).or_default();
        mark.bytes = len;
        mark.last_id = event.id();
        Ok(())
    }

    /// Once the interview day has passed, puts back the desired retention that
    /// was raised for the final stretch.
    pub(super) fn end_interview_if_past(&mut self, now: Timestamp) -> Result<(), CollectionError> {
        let settings = self.settings();
        let Some(interview) = &settings.interview else {
            return Ok(());
        };
        let today = self
            .scheduler
            .clock()
            .date_of_day(self.scheduler.clock().day_of(now));
        if interview.date >= today || self.settings_error.is_some() {
            return Ok(());
        }
        let mut settings = settings.clone();
        if let Some(r) = interview.restore_retention {
            settings.desired_retention = r;
        }
        settings.interview = None;
        self.save_settings(settings)
    }
}
