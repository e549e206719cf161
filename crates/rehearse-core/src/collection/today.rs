//! Today's counts: what has been studied today and what is left under the daily limits.

use super::*;

impl Collection {
    /// Today's answers (since the day started).
    /// Answers to cards that no longer exist (or never did, here) are not
    /// counted: they are in a journal, not in anything left to study.
    pub fn answers_today(&self, now: Timestamp) -> impl Iterator<Item = &AnswerRecord> {
        let start = self.today_start(now);
        self.recent
            .iter()
            .filter(move |r| r.at >= start && self.item_index.contains_key(&r.item))
    }

    pub(super) fn today_start(&self, now: Timestamp) -> Timestamp {
        let clock = self.scheduler.clock();
        clock.start_of_day(clock.day_of(now))
    }

    /// The instant the next study day starts.
    pub fn tomorrow_start(&self, now: Timestamp) -> Timestamp {
        let clock = self.scheduler.clock();
        clock.start_of_day(clock.day_of(now) + 1)
    }

    /// What was done today, overall.
    pub fn progress_today(&self, now: Timestamp) -> Progress {
        let mut p = Progress::default();
        for r in self.answers_today(now) {
            p.answers += 1;
            p.new += usize::from(r.kind == AnswerKind::New);
            p.again += usize::from(r.rating == Rating::Again);
            p.time_ms += u64::from(r.took_ms);
        }
        p
    }

    /// New cards introduced and reviews answered today, per deck index.
    pub fn done_today(&self, now: Timestamp) -> Vec<(usize, usize)> {
        let mut done = vec![(0usize, 0usize); self.decks.len()];
        for r in self.answers_today(now) {
            if let Some(item) = self.item(&r.item) {
                match r.kind {
                    AnswerKind::New => done[item.deck].0 += 1,
                    AnswerKind::Review => done[item.deck].1 += 1,
                    _ => {}
                }
            }
        }
        done
    }

    /// Today's counts for each deck, limits applied, in [`Self::decks`] order.
    /// Worked out once per change and study day (see [`index`]).
    pub fn deck_counts(&self, now: Timestamp) -> Vec<Counts> {
        let s = self.settings();
        let key = index::CountsKey {
            today: self.scheduler.clock().day_of(now),
            new_per_day: s.new_per_day,
            reviews_per_day: s.reviews_per_day,
            bury_new: s.bury_new_siblings,
            bury_review: s.bury_review_siblings,
        };
        self.indexes
            .counts(self.generation, key, || self.count_decks(now))
    }

    fn count_decks(&self, now: Timestamp) -> Vec<Counts> {
        let tomorrow = self.tomorrow_start(now);
        let s = self.settings();
        let mut raw = vec![Counts::default(); self.decks.len()];
        // A card with a side answered today, or already counted, has its other
        // sides buried for the day (as the study queue buries them): new
        // sides first, as the queue gathers them first.
        let mut taken: std::collections::HashSet<&deck::CardId> =
            self.answers_today(now).map(|r| &r.item.card).collect();
        let today = self.scheduler.clock().day_of(now);
        // Looked up once: both passes below need every item's state.
        let states: Vec<&CardState> = self.items.iter().map(|i| self.state(&i.id)).collect();
        for (item, state) in self.items.iter().zip(&states) {
            if state.suspended || state.phase != Phase::New || state.buried_day == Some(today) {
                continue;
            }
            if s.bury_new_siblings && !taken.insert(&item.id.card) {
                continue;
            }
            raw[item.deck].new += 1;
        }
        for (item, state) in self.items.iter().zip(&states) {
            if state.suspended || state.buried_day == Some(today) {
                continue;
            }
            let c = &mut raw[item.deck];
            let due_today = state.due.is_some_and(|d| d < tomorrow);
            match state.phase {
                Phase::Learning { .. } | Phase::Relearning { .. } if due_today => c.learning += 1,
                // The guard takes the card's turn for the day: a sibling
                // counted later is buried.
                Phase::Review
                    if due_today && (!s.bury_review_siblings || taken.insert(&item.id.card)) =>
                {
                    c.review += 1;
                }
                _ => {}
            }
        }
        let done = self.done_today(now);
        raw.iter()
            .zip(done)
            .map(|(c, (new_done, review_done))| Counts {
                new: c.new.min((s.new_per_day as usize).saturating_sub(new_done)),
                learning: c.learning,
                review: c
                    .review
                    .min((s.reviews_per_day as usize).saturating_sub(review_done)),
            })
            .collect()
    }

    /// Today's counts over all decks. The daily limits also cap all decks
    /// together, as a parent deck's limits do in Anki.
    pub fn total_counts(&self, now: Timestamp) -> Counts {
        let mut total = Counts::default();
        for c in self.deck_counts(now) {
            total.add(c);
        }
        let (new_left, review_left) = self.global_left(now);
        total.new = total.new.min(new_left);
        total.review = total.review.min(review_left);
        total
    }

    /// New cards and reviews still allowed today over all decks together.
    pub fn global_left(&self, now: Timestamp) -> (usize, usize) {
        let (new_done, review_done) = self
            .done_today(now)
            .iter()
            .fold((0, 0), |(n, r), (dn, dr)| (n + dn, r + dr));
        let s = self.settings();
        (
            (s.new_per_day as usize).saturating_sub(new_done),
            (s.reviews_per_day as usize).saturating_sub(review_done),
        )
    }
}
