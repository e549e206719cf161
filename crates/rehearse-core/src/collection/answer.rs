//! Answering, recording mocks, undo and suspend: every change is journalled before it counts.

use super::*;
use crate::schedule::Interval;

impl Collection {
    /// The four possible outcomes of answering `id` now.
    ///
    /// With load balancing or easy days on, the review intervals depend on
    /// how many items are due on each day; the same counts serve the answer,
    /// so the buttons show what answering gives.
    pub fn preview(&self, id: &ItemId, now: Timestamp) -> Result<[Outcome; 4], CollectionError> {
        let state = self.state(id);
        let scheduler = self.scheduler_of(id);
        if scheduler.uses_load() {
            return Ok(self.with_workload(Some(id), now, |work| {
                scheduler.outcomes_with_load(id, state, now, work)
            })?);
        }
        Ok(scheduler.outcomes(id, state, now)?)
    }

    /// Records an answer: the journal line is on disk before this returns.
    ///
    /// A review interval chosen by load balancing or easy days is recorded
    /// with it, so replaying the journals gives the same due date.
    pub fn answer(
        &mut self,
        id: &ItemId,
        rating: Rating,
        now: Timestamp,
        took_ms: u32,
    ) -> Result<Outcome, CollectionError> {
        let previous = self.state(id).clone();
        let scheduler = self.scheduler_of(id);
        let uses_load = scheduler.uses_load();
        let outcome = if uses_load {
            self.with_workload(Some(id), now, |work| {
                scheduler.answer_with_load(id, &previous, rating, now, work)
            })?
        } else {
            scheduler.answer(id, &previous, rating, now)?
        };
        let days = match outcome.interval {
            Interval::Days(d) if uses_load => Some(d),
            _ => None,
        };
        let event_id = self.next_event_id;
        let generation = self.generation;
        self.append(Event::Review {
            id: event_id,
            at: now,
            item: id.clone(),
            rating,
            took_ms,
            days,
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
            days,
        });
        self.states.insert(id.clone(), outcome.state.clone());
        self.shift_load(generation, &previous, &outcome.state);
        self.undo.push(undo::Step::Answer(undo::AnswerUndo {
            event_id,
            item: id.clone(),
            previous,
        }));
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
        let generation = self.generation;
        self.append(Event::Points {
            id: self.next_event_id,
            at: now,
            item: id.clone(),
            review,
            covered: marks.covered,
            total: marks.total,
            notes: marks.notes,
        })?;
        // Points change no state: the due counts still hold.
        self.keep_load(generation);
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
        let generation = self.generation;
        self.append(Event::Mock {
            id: self.next_event_id,
            at: now,
            started,
            minutes,
            focus: focus.to_string(),
        })?;
        // A mock changes no state: the due counts still hold.
        self.keep_load(generation);
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
        let today = self.clock().date_of_day(self.clock().day_of(now));
        if interview.date >= today || self.settings_error.is_some() {
            return Ok(());
        }
        // Every preset raised for the final stretch goes back.
        let mut settings = crate::insight::forecast::with_retention_restored(settings)
            .unwrap_or_else(|| settings.clone());
        settings.interview = None;
        self.save_settings(settings)
    }
}
