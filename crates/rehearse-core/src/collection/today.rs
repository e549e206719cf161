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
        let clock = self.clock();
        clock.start_of_day(clock.day_of(now))
    }

    /// The instant the next study day starts.
    pub fn tomorrow_start(&self, now: Timestamp) -> Timestamp {
        let clock = self.clock();
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

    /// Today's counts for each deck, limits applied, in [`Self::decks`] order:
    /// each deck's own preset's daily limits and bury rules. The same queue
    /// a study session takes its cards from ([`Self::today_queue`]). Worked
    /// out once per change and study day (see [`index`]): every change,
    /// the settings' included, moves [`Self::generation`] on.
    pub fn deck_counts(&self, now: Timestamp) -> Vec<Counts> {
        let today = self.clock().day_of(now);
        self.indexes
            .counts(self.generation, today, || self.count_decks(now))
    }

    fn count_decks(&self, now: Timestamp) -> Vec<Counts> {
        let queue = self.today_queue(|_| true, QueueLimits::PER_DECK, now);
        let mut counts = vec![Counts::default(); self.decks.len()];
        for item in queue.new {
            counts[item.deck].new += 1;
        }
        for (_, item) in queue.learning {
            counts[item.deck].learning += 1;
        }
        for item in queue.review {
            counts[item.deck].review += 1;
        }
        counts
    }

    /// Today's counts over all decks. The Default preset's daily limits also
    /// cap all decks together, as a parent deck's limits do in Anki: "all
    /// decks" is the root every deck hangs from, and uses Default.
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

    /// New cards and reviews still allowed today over all decks together,
    /// under the Default preset's limits.
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
