//! What can be studied today under the daily limits, in the order it comes.
//! The one rule behind both Home's counts and a study session: each deck's
//! own preset limits, caps over everything studied together, and the
//! sibling rules (a card's other sides wait for another day).

use std::collections::HashMap;

use jiff::Timestamp;

use super::{Collection, ItemRef};
use crate::deck::{CardId, ItemId};
use crate::schedule::Phase;

/// Limits on top of each deck's own preset limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueLimits {
    /// Added to every deck's own new-card limit (custom study: "more new").
    pub extra_new: usize,
    /// Added to every deck's own review limit.
    pub extra_reviews: usize,
    /// New cards over everything included, together.
    pub new_cap: usize,
    /// Reviews over everything included, together.
    pub review_cap: usize,
}

impl QueueLimits {
    /// Each deck's own limits only: what Home shows per deck.
    pub const PER_DECK: Self = Self {
        extra_new: 0,
        extra_reviews: 0,
        new_cap: usize::MAX,
        review_cap: usize::MAX,
    };
}

/// Today's study items, in the order they come.
#[derive(Debug, Default)]
pub struct TodayQueue<'a> {
    /// New items, in deck order.
    pub new: Vec<&'a ItemRef>,
    /// Learning and relearning items due today, soonest first.
    pub learning: Vec<(Timestamp, &'a ItemRef)>,
    /// Reviews due today, most overdue first.
    pub review: Vec<&'a ItemRef>,
}

impl Collection {
    /// The items `include` accepts that can be studied today under
    /// `limits`, each deck's own preset limits and the sibling rules.
    pub fn today_queue(
        &self,
        include: impl Fn(&ItemRef) -> bool,
        limits: QueueLimits,
        now: Timestamp,
    ) -> TodayQueue<'_> {
        let tomorrow = self.tomorrow_start(now);
        let today = self.clock().day_of(now);
        let done = self.done_today(now);
        let deck_limits = |deck: usize| {
            let s = self.deck_scheduler(deck).settings();
            (s.new_per_day as usize, s.reviews_per_day as usize)
        };
        let mut new_left: Vec<usize> = (0..done.len())
            .map(|d| deck_limits(d).0.saturating_sub(done[d].0) + limits.extra_new)
            .collect();
        let mut review_left: Vec<usize> = (0..done.len())
            .map(|d| deck_limits(d).1.saturating_sub(done[d].1) + limits.extra_reviews)
            .collect();
        let (mut new_cap, mut review_cap) = (limits.new_cap, limits.review_cap);
        let mut queue = TodayQueue::default();
        let mut reviews: Vec<(Timestamp, &ItemRef)> = Vec::new();
        let mut siblings = Siblings::new(self, now);
        for item in self.items() {
            if !include(item) {
                continue;
            }
            let state = self.state(&item.id);
            if state.suspended || state.buried_day == Some(today) {
                continue;
            }
            // Sibling rules are the item's deck's preset's.
            let settings = self.deck_scheduler(item.deck).settings();
            match (state.phase, state.due) {
                (Phase::New, _) if settings.bury_new_siblings && siblings.buried(&item.id) => {}
                (Phase::New, _) if new_left[item.deck] > 0 && new_cap > 0 => {
                    new_left[item.deck] -= 1;
                    new_cap -= 1;
                    if settings.bury_new_siblings {
                        siblings.take(&item.id);
                    }
                    queue.new.push(item);
                }
                (Phase::Learning { .. } | Phase::Relearning { .. }, Some(due))
                    if due < tomorrow =>
                {
                    // Interday: last answered before today, so its step was a day or more.
                    let interday = state
                        .last_review
                        .is_some_and(|t| self.clock().day_of(t) < today);
                    if interday
                        && settings.bury_interday_learning_siblings
                        && !siblings.take(&item.id)
                    {
                        continue;
                    }
                    queue.learning.push((due, item));
                }
                (Phase::Review, Some(due)) if due < tomorrow => reviews.push((due, item)),
                _ => {}
            }
        }
        // Reviews take their turn most overdue first, so that is the order
        // the limits and the sibling rule cut in.
        reviews.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
        for (_, item) in reviews {
            let buries = self
                .deck_scheduler(item.deck)
                .settings()
                .bury_review_siblings;
            if buries && !siblings.take(&item.id) {
                continue;
            }
            if review_left[item.deck] > 0 && review_cap > 0 {
                review_left[item.deck] -= 1;
                review_cap -= 1;
                queue.review.push(item);
            }
        }
        queue
            .learning
            .sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
        queue
    }
}

/// Which side of each card has its turn today: the side answered today, or
/// the first one the queue gave a turn.
struct Siblings<'a> {
    taken: HashMap<&'a CardId, &'a ItemId>,
}

impl<'a> Siblings<'a> {
    fn new(collection: &'a Collection, now: Timestamp) -> Self {
        Self {
            taken: collection
                .answers_today(now)
                .map(|r| (&r.item.card, &r.item))
                .collect(),
        }
    }

    /// Whether another side of `id`'s card already has its turn today.
    fn buried(&self, id: &ItemId) -> bool {
        self.taken.get(&id.card).is_some_and(|other| *other != id)
    }

    /// Gives `id` its card's turn today; false when a sibling has it.
    fn take(&mut self, id: &'a ItemId) -> bool {
        match self.taken.get(&id.card) {
            Some(other) => *other == id,
            None => {
                self.taken.insert(&id.card, id);
                true
            }
        }
    }
}
