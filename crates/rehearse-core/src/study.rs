//! A study session: which card comes next, answering, undo, and the summary.
//!
//! Order follows Anki's defaults: learning cards that are due come first; then
//! reviews (earliest due first) with new cards spread evenly among them; then,
//! when nothing else is left, learning cards due within the learn-ahead limit.

use std::collections::VecDeque;

use jiff::{SignedDuration, Timestamp};

use crate::collection::{Collection, CollectionError, Counts, EditError, QueueLimits, Undone};
use crate::deck::ItemId;
use crate::insight::weak::{DrillFilter, drill_items};
use crate::schedule::{Outcome, Phase, Rating};

/// Which cards a session draws from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every deck.
    All,
    /// One deck, by slug.
    Deck(String),
    /// A parent deck and the decks under it (slugs): the daily limits apply
    /// to them together, as a parent deck's do in Anki.
    Decks(Vec<String>),
    /// The weakest cards of some topics or tags across all decks, due or not,
    /// lowest predicted recall first. The answers count as real reviews.
    Drill(DrillFilter),
    /// These items in this order, due or not (a mock interview, custom
    /// study). The answers count as real reviews.
    Fixed(Vec<ItemId>),
    /// Custom study: the decks (all when `None`) with today's limits raised
    /// by these many new cards and reviews.
    Extended {
        /// The decks (slugs), or every deck.
        decks: Option<Vec<String>>,
        /// New cards beyond today's limit.
        extra_new: usize,
        /// Reviews beyond today's limit.
        extra_reviews: usize,
    },
}

/// Cards in one drill session.
pub const DRILL_SIZE: usize = 30;

impl Scope {
    fn includes(&self, collection: &Collection, item: &crate::collection::ItemRef) -> bool {
        match self {
            Scope::All => true,
            Scope::Deck(slug) => collection.decks()[item.deck].slug == *slug,
            Scope::Decks(slugs) => slugs.contains(&collection.decks()[item.deck].slug),
            Scope::Drill(filter) => filter.matches(collection, &item.id),
            Scope::Fixed(items) => items.contains(&item.id),
            Scope::Extended { decks, .. } => decks
                .as_ref()
                .is_none_or(|d| d.contains(&collection.decks()[item.deck].slug)),
        }
    }
}

/// Totals for the end-of-session summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Answers given.
    pub answered: usize,
    /// Distinct cards answered.
    pub cards: usize,
    /// Answers that were Again.
    pub again: usize,
    /// Time spent on cards, in milliseconds.
    pub time_ms: u64,
}

impl Summary {
    /// Share of answers that were Again, 0–1.
    pub fn again_rate(&self) -> f32 {
        if self.answered == 0 {
            0.0
        } else {
            self.again as f32 / self.answered as f32
        }
    }
}

/// A study session over a [`Scope`].
#[derive(Debug)]
pub struct Session {
    scope: Scope,
    learning: Vec<(Timestamp, ItemId)>,
    review: VecDeque<ItemId>,
    new: VecDeque<ItemId>,
    current: Option<ItemId>,
    answered: Vec<(ItemId, Rating, u32)>,
    built_for_day: Timestamp,
    since_new: usize,
}

impl Session {
    /// Builds today's queue for `scope`.
    pub fn new(collection: &Collection, scope: Scope, now: Timestamp) -> Self {
        let mut s = Self {
            scope,
            learning: Vec::new(),
            review: VecDeque::new(),
            new: VecDeque::new(),
            current: None,
            answered: Vec::new(),
            built_for_day: collection.tomorrow_start(now),
            since_new: 0,
        };
        s.rebuild(collection, now);
        s
    }

    /// The scope this session studies.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    fn rebuild(&mut self, collection: &Collection, now: Timestamp) {
        self.learning.clear();
        self.review.clear();
        self.new.clear();
        self.current = None;
        let tomorrow = collection.tomorrow_start(now);
        self.built_for_day = tomorrow;
        match &self.scope {
            Scope::Drill(filter) => {
                self.review = drill_items(collection, filter, now, DRILL_SIZE).into();
                return;
            }
            Scope::Fixed(items) => {
                self.review = items.iter().cloned().collect();
                return;
            }
            Scope::All | Scope::Deck(_) | Scope::Decks(_) | Scope::Extended { .. } => {}
        }
        let done = collection.done_today(now);
        let (extra_new, extra_reviews) = match &self.scope {
            Scope::Extended {
                extra_new,
                extra_reviews,
                ..
            } => (*extra_new, *extra_reviews),
            _ => (0, 0),
        };
        // "All decks" is also capped as a whole, like a parent deck in Anki.
        // A deck in a tree is capped by every ancestor's limits too.
        let under = |slug: &str| {
            collection
                .decks()
                .iter()
                .find(|d| d.slug == slug)
                .map_or((usize::MAX, usize::MAX), |d| {
                    crate::deck_tree::limits_left(collection, &d.name, &done)
                })
        };
        let (new_global, review_global) = match &self.scope {
            Scope::Deck(slug) => under(slug),
            Scope::Decks(slugs) => {
                // The row studied is the level all these decks share: its
                // own preset caps them together, and its ancestors' theirs.
                let names: Vec<Vec<&str>> = slugs
                    .iter()
                    .filter_map(|s| collection.decks().iter().find(|d| d.slug == *s))
                    .map(|d| {
                        d.name
                            .split(crate::deck_tree::SEPARATOR)
                            .map(str::trim)
                            .collect()
                    })
                    .collect();
                let mut common: Vec<&str> = names.first().cloned().unwrap_or_default();
                for name in &names[1.min(names.len())..] {
                    let same = common.iter().zip(name).take_while(|(a, b)| a == b).count();
                    common.truncate(same);
                }
                if common.is_empty() {
                    (usize::MAX, usize::MAX)
                } else {
                    crate::deck_tree::limits_left(
                        collection,
                        &common.join(crate::deck_tree::SEPARATOR),
                        &done,
                    )
                }
            }
            Scope::Extended { decks: Some(_), .. } => (usize::MAX, usize::MAX),
            _ => {
                let (new, reviews) = collection.global_left(now);
                (new + extra_new, reviews + extra_reviews)
            }
        };
        let queue = collection.today_queue(
            |item| self.scope.includes(collection, item),
            QueueLimits {
                extra_new,
                extra_reviews,
                new_cap: new_global,
                review_cap: review_global,
            },
            now,
        );
        self.new = queue.new.iter().map(|i| i.id.clone()).collect();
        self.learning = queue
            .learning
            .iter()
            .map(|(due, i)| (*due, i.id.clone()))
            .collect();
        self.review = queue.review.iter().map(|i| i.id.clone()).collect();
    }

    /// The card to show now, choosing one if none is current. `None` when
    /// nothing is left for now.
    pub fn current(&mut self, collection: &Collection, now: Timestamp) -> Option<ItemId> {
        if now >= self.built_for_day {
            // A new study day started during the session.
            self.rebuild(collection, now);
        }
        if self.current.is_none() {
            self.current = self.pick(collection, now);
        }
        self.current.clone()
    }

    fn pick(&mut self, collection: &Collection, now: Timestamp) -> Option<ItemId> {
        if let Some((due, _)) = self.learning.first()
            && *due <= now
        {
            return Some(self.learning.remove(0).1);
        }
        // Spread new cards evenly through the reviews.
        let take_new = match (self.review.len(), self.new.len()) {
            (_, 0) => false,
            (0, _) => true,
            (r, n) => self.since_new >= r / (n + 1),
        };
        if take_new {
            self.since_new = 0;
            return self.new.pop_front();
        }
        if let Some(id) = self.review.pop_front() {
            self.since_new += 1;
            return Some(id);
        }
        let ahead = SignedDuration::from_mins(i64::from(collection.settings().learn_ahead_minutes));
        if let Some((due, _)) = self.learning.first()
            && *due <= now.checked_add(ahead).unwrap_or(now)
        {
            return Some(self.learning.remove(0).1);
        }
        None
    }

    /// Answers the current card. The answer is on disk when this returns.
    pub fn answer(
        &mut self,
        collection: &mut Collection,
        rating: Rating,
        now: Timestamp,
        took_ms: u32,
    ) -> Result<Option<Outcome>, CollectionError> {
        let Some(id) = self.current.clone() else {
            return Ok(None);
        };
        let outcome = collection.answer(&id, rating, now, took_ms)?;
        self.after_answer(collection, id, rating, took_ms, &outcome);
        Ok(Some(outcome))
    }

    /// Moves on from an answered card: a learning card due today comes back,
    /// and its siblings wait for another day (when burying is on).
    fn after_answer(
        &mut self,
        collection: &Collection,
        id: ItemId,
        rating: Rating,
        took_ms: u32,
        outcome: &Outcome,
    ) {
        // Siblings share a card, so a deck, so a preset.
        let settings = collection.scheduler_of(&id).settings();
        if settings.bury_new_siblings {
            self.new.retain(|i| i.card != id.card || *i == id);
        }
        if settings.bury_review_siblings {
            self.review.retain(|i| i.card != id.card || *i == id);
        }
        self.current = None;
        self.answered.push((id.clone(), rating, took_ms));
        if outcome.state.is_learning()
            && let Some(due) = outcome.state.due
            && due < self.built_for_day
        {
            let at = self.learning.partition_point(|(d, _)| *d <= due);
            self.learning.insert(at, (due, id));
        }
    }

    /// Answers the current card, a rubric prompt, with the points it covered.
    pub fn answer_rubric(
        &mut self,
        collection: &mut Collection,
        rating: Rating,
        now: Timestamp,
        took_ms: u32,
        marks: crate::interview::RubricMarks,
    ) -> Result<Option<Outcome>, CollectionError> {
        let Some(id) = self.current.clone() else {
            return Ok(None);
        };
        let outcome = collection.answer_rubric(&id, rating, now, took_ms, marks)?;
        self.after_answer(collection, id, rating, took_ms, &outcome);
        Ok(Some(outcome))
    }

    /// Takes the current card out of this session (it was buried or
    /// suspended); the next one comes up.
    pub fn drop_current(&mut self) -> Option<ItemId> {
        self.current.take()
    }

    /// Puts `id` back as the current card (its bury or suspension was undone).
    pub fn restore(&mut self, id: ItemId) {
        if let Some(current) = self.current.take() {
            self.review.push_front(current);
        }
        self.current = Some(id);
    }

    /// Undoes the last thing done (see [`Collection::undo`]); an undone
    /// answer's card is shown again, and the card that was showing goes back
    /// to the front of its queue.
    pub fn undo(
        &mut self,
        collection: &mut Collection,
        now: Timestamp,
    ) -> Result<Option<Undone>, EditError> {
        let undone = collection.undo(now)?;
        let Some(Undone::Answer(id)) = &undone else {
            return Ok(undone);
        };
        let id = id.clone();
        self.learning.retain(|(_, i)| *i != id);
        if let Some(current) = self.current.take() {
            // Put the card that was showing back where it will come next.
            match collection.state(&current).phase {
                Phase::New => self.new.push_front(current),
                Phase::Review => self.review.push_front(current),
                _ => self.learning.insert(0, (now, current)),
            }
        }
        if let Some(pos) = self.answered.iter().rposition(|(i, _, _)| *i == id) {
            self.answered.remove(pos);
        }
        self.current = Some(id);
        Ok(undone)
    }

    /// What is left today in this session, the current card included.
    pub fn remaining(&self, collection: &Collection) -> Counts {
        let mut c = Counts {
            new: self.new.len(),
            learning: self.learning.len(),
            review: self.review.len(),
        };
        if let Some(id) = &self.current {
            match collection.state(id).phase {
                Phase::New => c.new += 1,
                Phase::Review => c.review += 1,
                _ => c.learning += 1,
            }
        }
        c
    }

    /// When the next learning card of today comes back, if one does.
    pub fn next_learning_due(&self) -> Option<Timestamp> {
        self.learning.first().map(|(d, _)| *d)
    }

    /// Totals so far.
    pub fn summary(&self) -> Summary {
        let mut cards: Vec<&ItemId> = self.answered.iter().map(|(i, _, _)| i).collect();
        cards.sort();
        cards.dedup();
        Summary {
            answered: self.answered.len(),
            cards: cards.len(),
            again: self
                .answered
                .iter()
                .filter(|(_, r, _)| *r == Rating::Again)
                .count(),
            time_ms: self.answered.iter().map(|(_, _, t)| u64::from(*t)).sum(),
        }
    }
}

/// When the next card in `scope` falls due after today, if any.
pub fn next_due_after_today(
    collection: &Collection,
    scope: &Scope,
    now: Timestamp,
) -> Option<Timestamp> {
    let tomorrow = collection.tomorrow_start(now);
    collection
        .items()
        .iter()
        .filter(|i| scope.includes(collection, i))
        .filter_map(|i| {
            let s = collection.state(&i.id);
            (!s.suspended && s.phase != Phase::New).then_some(s.due?)
        })
        .filter(|d| *d >= tomorrow)
        .min()
}

/// Review cards of `decks` (every deck when `None`) due in the next `days`
/// study days after today, soonest first: studied now, they are answered
/// early, and the scheduler uses the real time since their last review.
pub fn review_ahead(
    collection: &Collection,
    decks: Option<&[String]>,
    days: u32,
    now: Timestamp,
) -> Vec<ItemId> {
    let clock = collection.clock();
    let tomorrow = collection.tomorrow_start(now);
    let until = clock.start_of_day(clock.day_of(now) + 1 + days as i32);
    let mut ahead: Vec<(Timestamp, &ItemId)> = collection
        .items()
        .iter()
        .filter(|i| decks.is_none_or(|d| d.contains(&collection.decks()[i.deck].slug)))
        .filter_map(|i| {
            let s = collection.state(&i.id);
            let due = s.due?;
            (!s.suspended && s.phase == Phase::Review && due >= tomorrow && due < until)
                .then_some((due, &i.id))
        })
        .collect();
    ahead.sort();
    ahead.into_iter().map(|(_, id)| id.clone()).collect()
}

/// Items of `decks` answered Again in the last `days` study days (today
/// included), most recently forgotten first.
pub fn forgotten(
    collection: &Collection,
    history: &crate::collection::History,
    decks: Option<&[String]>,
    days: u32,
    now: Timestamp,
) -> Vec<ItemId> {
    let clock = collection.clock();
    let since = clock.start_of_day(clock.day_of(now) + 1 - days.max(1) as i32);
    let mut out: Vec<ItemId> = Vec::new();
    for a in history.answers.iter().rev() {
        if a.at < since {
            break;
        }
        if a.rating != Rating::Again || out.contains(&a.item) {
            continue;
        }
        let Some(item) = collection.item(&a.item) else {
            continue;
        };
        let in_decks = decks.is_none_or(|d| d.contains(&collection.decks()[item.deck].slug));
        if in_decks && !collection.state(&a.item).suspended {
            out.push(a.item.clone());
        }
    }
    out
}
