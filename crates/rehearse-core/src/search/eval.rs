//! Evaluating a [`Query`] over a collection's items.

use std::collections::HashSet;

use rayon::prelude::*;

use super::*;
use crate::deck::{Card, ItemId};
use crate::schedule::{CardState, Phase};

/// A query bound to a collection and an instant: per-deck answers and day
/// boundaries worked out once.
pub(super) struct Prepared<'a> {
    collection: &'a Collection,
    now: Timestamp,
    checks: Vec<(bool, Check<'a>)>,
    expr: &'a Expr,
    /// Each deck file's modification time, for `edited:` on cards that
    /// carry no time of their own (read only when the query has `edited:`).
    deck_times: Vec<Option<Timestamp>>,
    /// Cards with a side answered today, and which: for `is:buried`.
    answered_today:
        std::collections::HashMap<&'a crate::deck::CardId, Vec<&'a crate::deck::ItemId>>,
}

enum Check<'a> {
    Text(&'a str),
    Find(&'a regex::Regex),
    Field(Side, &'a regex::Regex),
    /// Folded text, or a pattern over folded text: `nc:`.
    NoCombining(&'a str, Option<&'a regex::Regex>),
    /// Added at or after this instant.
    AddedSince(Timestamp),
    /// Changed at or after this instant.
    EditedSince(Timestamp),
    /// One of these items (worked out from the history).
    Items(HashSet<&'a ItemId>),
    CardNumber(u16),
    Buried,
    /// Whether each deck (by index) matches.
    Decks(Vec<bool>),
    Tag(&'a Pattern),
    Topic(&'a Pattern),
    New,
    Learning,
    Review,
    Suspended,
    Leech,
    /// Not suspended, not new, due before this instant.
    DueBefore(Timestamp),
    Prop(Property, Cmp, f64),
    /// Due in `[from, until)`, or outside it when `outside`.
    DueRange {
        from: Option<Timestamp>,
        until: Option<Timestamp>,
        outside: bool,
    },
    /// Last answered at or after this instant.
    RatedSince(Timestamp),
}

impl<'a> Prepared<'a> {
    /// Binds `query` to `collection` at `now`; a query that searches the
    /// review history fails without `history`.
    pub(super) fn new(
        query: &'a Query,
        collection: &'a Collection,
        now: Timestamp,
        history: Option<&'a History>,
    ) -> Result<Self, SearchError> {
        if let (Some(key), None) = (query.needs_history(), history) {
            return Err(SearchError::NeedsHistory(key));
        }
        let clock = collection.scheduler().clock();
        let today = clock.day_of(now);
        let day_start = |offset: i32| clock.start_of_day(today.saturating_add(offset));
        let checks = query
            .terms
            .iter()
            .map(|term| {
                let check = Check::of(&term.test, collection, history, &day_start);
                (term.negated, check)
            })
            .collect();
        let answered_today = answered_today(query, collection, now);
        let deck_times = deck_times(query, collection);
        Ok(Self {
            collection,
            now,
            checks,
            expr: &query.expr,
            deck_times,
            answered_today,
        })
    }

    pub(super) fn eval(&self, item: &ItemRef, scratch: &mut Scratch) -> bool {
        let Some(card) = card_of(self.collection, item) else {
            return false;
        };
        let mut state = None;
        self.eval_expr(self.expr, item, card, &mut state, scratch)
    }

    fn eval_expr<'s>(
        &'s self,
        expr: &Expr,
        item: &ItemRef,
        card: &Card,
        state: &mut Option<&'s CardState>,
        scratch: &mut Scratch,
    ) -> bool {
        match expr {
            Expr::All => true,
            Expr::Leaf(i) => match self.checks.get(*i) {
                Some((negated, check)) => self.leaf(check, item, card, state, scratch) != *negated,
                None => false,
            },
            Expr::And(parts) => parts
                .iter()
                .all(|e| self.eval_expr(e, item, card, state, scratch)),
            Expr::Or(parts) => parts
                .iter()
                .any(|e| self.eval_expr(e, item, card, state, scratch)),
            Expr::Not(inner) => !self.eval_expr(inner, item, card, state, scratch),
        }
    }

    fn leaf<'s>(
        &'s self,
        check: &Check<'_>,
        item: &ItemRef,
        card: &Card,
        state: &mut Option<&'s CardState>,
        scratch: &mut Scratch,
    ) -> bool {
        match check {
            Check::Text(needle) => scratch.load(item, card).contains(needle),
            Check::Find(re) => {
                let text = scratch.load(item, card);
                re.is_match(text.front) || re.is_match(text.back)
            }
            Check::Field(side, re) => {
                let text = scratch.load(item, card);
                re.is_match(match side {
                    Side::Front => text.front,
                    Side::Back => text.back,
                })
            }
            Check::NoCombining(needle, pattern) => {
                let front = fold_accents(&lowercase(&card.front));
                let back = fold_accents(&lowercase(&card.back));
                match pattern {
                    Some(re) => re.is_match(&front) || re.is_match(&back),
                    None => front.contains(needle) || back.contains(needle),
                }
            }
            Check::AddedSince(since) => card.added.is_some_and(|t| t >= *since),
            Check::EditedSince(since) => card
                .modified
                .or(card.added)
                .or_else(|| self.deck_times.get(item.deck).copied().flatten())
                .is_some_and(|t| t >= *since),
            Check::Items(items) => items.contains(&item.id),
            Check::CardNumber(n) => match item.id.variant {
                crate::deck::Variant::Forward => *n == 1,
                crate::deck::Variant::Reverse => *n == 2,
                crate::deck::Variant::Cloze(c) => c == *n,
            },
            Check::Decks(decks) => decks.get(item.deck).copied().unwrap_or(false),
            Check::Tag(p) => card.tags.iter().any(|t| p.matches(t)),
            Check::Topic(p) => p.matches(&card.topic),
            Check::Buried => {
                let state = *state.get_or_insert_with(|| self.collection.state(&item.id));
                // The item's deck's preset decides whether siblings bury.
                let settings = self.collection.deck_scheduler(item.deck).settings();
                let buries = match state.phase {
                    Phase::New => settings.bury_new_siblings,
                    Phase::Review => settings.bury_review_siblings,
                    _ => false,
                };
                let today = self.collection.clock().day_of(self.now);
                state.buried_day == Some(today)
                    || buries
                        && !state.suspended
                        && self
                            .answered_today
                            .get(&item.id.card)
                            .is_some_and(|sides| sides.iter().any(|s| **s != item.id))
            }
            state_check => {
                let state = *state.get_or_insert_with(|| self.collection.state(&item.id));
                self.state_matches(state_check, state, item.deck)
            }
        }
    }

    /// `deck`: the item's deck, whose preset's memory model predicts its recall.
    fn state_matches(&self, check: &Check<'_>, state: &CardState, deck: usize) -> bool {
        match check {
            Check::New => state.phase == Phase::New,
            Check::Learning => state.is_learning(),
            Check::Review => state.phase == Phase::Review,
            Check::Suspended => state.suspended,
            Check::Leech => state.leech,
            Check::DueBefore(tomorrow) => {
                !state.suspended
                    && state.phase != Phase::New
                    && state.due.is_some_and(|d| d < *tomorrow)
            }
            Check::Prop(property, cmp, value) => match property {
                Property::Retrievability => self
                    .collection
                    .deck_scheduler(deck)
                    .retrievability(state, self.now)
                    .is_some_and(|r| cmp.holds(r, *value as f32)),
                Property::Stability => state
                    .memory
                    .is_some_and(|m| cmp.holds(m.stability, *value as f32)),
                Property::Difficulty => state
                    .memory
                    .is_some_and(|m| cmp.holds(m.difficulty, *value as f32)),
                Property::Interval => {
                    state.phase != Phase::New && cmp.holds(f64::from(state.interval_days), *value)
                }
                Property::Reps => cmp.holds(f64::from(state.reps), *value),
                Property::Lapses => cmp.holds(f64::from(state.lapses), *value),
            },
            Check::DueRange {
                from,
                until,
                outside,
            } => state.due.is_some_and(|due| {
                let inside = from.is_none_or(|f| due >= f) && until.is_none_or(|u| due < u);
                inside != *outside
            }),
            Check::RatedSince(since) => state.last_review.is_some_and(|t| t >= *since),
            // Card-level checks are answered in `leaf`.
            Check::Text(_)
            | Check::Find(_)
            | Check::Field(..)
            | Check::CardNumber(_)
            | Check::Buried
            | Check::Decks(_)
            | Check::Tag(_)
            | Check::Topic(_)
            | Check::NoCombining(..)
            | Check::AddedSince(_)
            | Check::EditedSince(_)
            | Check::Items(_) => false,
        }
    }

    /// Indices (offset by `base`) of the matching items in `items`.
    fn run(&self, items: &[ItemRef], base: usize) -> Vec<usize> {
        let mut scratch = Scratch::default();
        items
            .iter()
            .enumerate()
            .filter(|(_, item)| self.eval(item, &mut scratch))
            .map(|(i, _)| base + i)
            .collect()
    }
}

impl<'a> Check<'a> {
    /// What `test` checks, worked out once for the whole search: day
    /// offsets become instants (`day_start` gives the start of the study
    /// day that many days from today), history and deck tests sets of
    /// matches.
    fn of(
        test: &'a Test,
        collection: &Collection,
        history: Option<&'a History>,
        day_start: &impl Fn(i32) -> Timestamp,
    ) -> Self {
        match test {
            Test::Text(text) => Check::Text(text),
            Test::Find(Re(re)) => Check::Find(re),
            Test::Field(side, _, Re(re)) => Check::Field(*side, re),
            Test::NoCombining(text, pattern) => {
                Check::NoCombining(text, pattern.as_ref().map(|Re(re)| re))
            }
            Test::Added(n) => Check::AddedSince(day_start(1 - n)),
            Test::Edited(n) => Check::EditedSince(day_start(1 - n)),
            Test::RatedAs(n, rating) => Check::Items(
                history
                    .map(|h| rated_as(h, day_start(1 - n), *rating))
                    .unwrap_or_default(),
            ),
            Test::Introduced(n) => Check::Items(
                history
                    .map(|h| introduced_since(h, day_start(1 - n)))
                    .unwrap_or_default(),
            ),
            Test::CardNumber(n) => Check::CardNumber(*n),
            Test::Is(Status::Buried) => Check::Buried,
            Test::Deck(p) => Check::Decks(
                collection
                    .decks()
                    .iter()
                    .map(|d| p.matches(&d.slug) || p.matches(&d.name))
                    .collect(),
            ),
            Test::Tag(p) => Check::Tag(p),
            Test::Topic(p) => Check::Topic(p),
            Test::Is(Status::New) => Check::New,
            Test::Is(Status::Learning) => Check::Learning,
            Test::Is(Status::Review) => Check::Review,
            Test::Is(Status::Suspended) => Check::Suspended,
            Test::Is(Status::Leech) => Check::Leech,
            Test::Is(Status::Due) => Check::DueBefore(day_start(1)),
            Test::Prop(p, cmp, v) => Check::Prop(*p, *cmp, *v),
            Test::DueIn(cmp, n) => Check::due_in(*cmp, *n, day_start),
            Test::Rated(n) => Check::RatedSince(day_start(1 - n)),
        }
    }

    /// `prop:due` as a range of instants: the due day minus today compared
    /// with `n`.
    fn due_in(cmp: Cmp, n: i32, day_start: &impl Fn(i32) -> Timestamp) -> Self {
        let (from, until, outside) = match cmp {
            Cmp::Lt => (None, Some(day_start(n)), false),
            Cmp::Le => (None, Some(day_start(n + 1)), false),
            Cmp::Gt => (Some(day_start(n + 1)), None, false),
            Cmp::Ge => (Some(day_start(n)), None, false),
            Cmp::Eq => (Some(day_start(n)), Some(day_start(n + 1)), false),
            Cmp::Ne => (Some(day_start(n)), Some(day_start(n + 1)), true),
        };
        Check::DueRange {
            from,
            until,
            outside,
        }
    }
}

/// The cards with a side answered today, and which sides, for
/// `is:buried`; left empty when the query does not ask.
fn answered_today<'a>(
    query: &Query,
    collection: &'a Collection,
    now: Timestamp,
) -> std::collections::HashMap<&'a crate::deck::CardId, Vec<&'a ItemId>> {
    let mut answered: std::collections::HashMap<_, Vec<_>> = std::collections::HashMap::new();
    if query
        .terms
        .iter()
        .any(|t| t.test == Test::Is(Status::Buried))
    {
        for r in collection.answers_today(now) {
            answered.entry(&r.item.card).or_default().push(&r.item);
        }
    }
    answered
}

/// Each deck file's modification time, for `edited:`; read only when the
/// query has `edited:`, as it costs a file system call per deck.
fn deck_times(query: &Query, collection: &Collection) -> Vec<Option<Timestamp>> {
    if query
        .terms
        .iter()
        .any(|t| matches!(t.test, Test::Edited(_)))
    {
        (0..collection.decks().len())
            .map(|d| collection.deck_modified(d))
            .collect()
    } else {
        Vec::new()
    }
}

pub(super) fn card_of<'c>(collection: &'c Collection, item: &ItemRef) -> Option<&'c Card> {
    collection.decks().get(item.deck)?.cards.get(item.card)
}

/// A card's lowercased front and back, kept while consecutive items (the
/// variants of one card) share them; the buffer is reused, so searching
/// allocates nothing per item.
#[derive(Default)]
pub(super) struct Scratch {
    card: Option<(usize, usize)>,
    text: String,
    /// Where the back starts in `text`.
    split: usize,
}

/// The loaded text of one card.
struct CardText<'s> {
    front: &'s str,
    back: &'s str,
}

impl CardText<'_> {
    fn contains(&self, needle: &str) -> bool {
        self.front.contains(needle) || self.back.contains(needle)
    }
}

impl Scratch {
    fn load(&mut self, item: &ItemRef, card: &Card) -> CardText<'_> {
        let key = (item.deck, item.card);
        if self.card != Some(key) {
            self.text.clear();
            push_lowercase(&mut self.text, &card.front);
            self.split = self.text.len();
            push_lowercase(&mut self.text, &card.back);
            self.card = Some(key);
        }
        let (front, back) = self.text.split_at(self.split);
        CardText { front, back }
    }
}

/// Appends `s` lowercased as [`lowercase`] does, quickly for ASCII.
pub(super) fn push_lowercase(out: &mut String, s: &str) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
    } else {
        out.extend(s.chars().flat_map(char::to_lowercase));
    }
}

/// Below this many items one thread does the work: handing work to the
/// thread pool costs more than it saves.
pub(super) const PARALLEL_FROM: usize = 16_384;

/// The indices into [`Collection::items`] of the items matching `query` at
/// `now`, ascending. Large collections are searched on the thread pool.
///
/// `history` is needed only by queries that search the review history
/// (`introduced:`, `rated:N:EASE`; see [`Query::needs_history`]); without
/// it they fail rather than find nothing.
pub fn search(
    collection: &Collection,
    query: &Query,
    now: Timestamp,
    history: Option<&History>,
) -> Result<Vec<usize>, SearchError> {
    let items = collection.items();
    if query.is_empty() {
        return Ok((0..items.len()).collect());
    }
    let prepared = Prepared::new(query, collection, now, history)?;
    if items.len() < PARALLEL_FROM {
        return Ok(prepared.run(items, 0));
    }
    let chunk = PARALLEL_FROM / 4;
    Ok(items
        .par_chunks(chunk)
        .enumerate()
        .map(|(n, part)| prepared.run(part, n * chunk))
        .flatten_iter()
        .collect())
}

/// Items answered with `rating` at or after `since`.
fn rated_as(history: &History, since: Timestamp, rating: Rating) -> HashSet<&ItemId> {
    let from = history.answers.partition_point(|a| a.at < since);
    history.answers[from..]
        .iter()
        .filter(|a| a.rating == rating)
        .map(|a| &a.item)
        .collect()
}

/// Items whose first answer in the history is at or after `since`.
fn introduced_since(history: &History, since: Timestamp) -> HashSet<&ItemId> {
    let mut seen = vec![false; history.items.len()];
    let mut found = HashSet::new();
    for (answer, &index) in history.answers.iter().zip(&history.item_of) {
        let Some(first) = seen.get_mut(index as usize) else {
            continue;
        };
        if !*first {
            *first = true;
            if answer.at >= since {
                found.insert(&answer.item);
            }
        }
    }
    found
}
