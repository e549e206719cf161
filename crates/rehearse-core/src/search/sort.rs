//! The browser's sorted listing.

use super::*;
use rayon::prelude::*;

use super::eval::{PARALLEL_FROM, card_of, push_lowercase};
use crate::schedule::Phase;

/// A column of the card browser to sort by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortColumn {
    /// The deck's name, ignoring case.
    Deck,
    /// The card's front as written (cloze cards: the raw text), ignoring case.
    Front,
    /// The card's topic, ignoring case.
    Topic,
    /// The card's tags in written order, ignoring case.
    Tags,
    /// When the item is next due.
    Due,
    /// The interval in days.
    Interval,
    /// FSRS stability.
    Stability,
    /// FSRS difficulty.
    Difficulty,
    /// Predicted recall now.
    Retrievability,
    /// Times forgotten after graduating.
    Lapses,
}

impl SortColumn {
    /// Every column, in browser order.
    pub const ALL: [SortColumn; 10] = [
        SortColumn::Deck,
        SortColumn::Front,
        SortColumn::Topic,
        SortColumn::Tags,
        SortColumn::Due,
        SortColumn::Interval,
        SortColumn::Stability,
        SortColumn::Difficulty,
        SortColumn::Retrievability,
        SortColumn::Lapses,
    ];

    /// True for the columns compared as text.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            SortColumn::Deck | SortColumn::Front | SortColumn::Topic | SortColumn::Tags
        )
    }
}

/// Sorts `rows` (indices into [`Collection::items`]) by `column`, stably:
/// rows that compare equal keep their order. Text columns ignore case. In
/// numeric columns new items, which have no value, come last in both
/// directions. Indices that name no item go last of all.
pub fn sort(
    collection: &Collection,
    rows: &mut Vec<usize>,
    column: SortColumn,
    descending: bool,
    now: Timestamp,
) {
    match column {
        SortColumn::Front | SortColumn::Topic | SortColumn::Tags => {
            sort_by_text(collection, rows, column, descending)
        }
        SortColumn::Deck => {
            let ranks = deck_ranks(collection);
            sort_by_number(rows, descending, |row| {
                let item = collection.items().get(row)?;
                Some(Some(f64::from(*ranks.get(item.deck)?)))
            })
        }
        numeric => sort_by_number(rows, descending, |row| {
            let item = collection.items().get(row)?;
            let scheduler = collection.deck_scheduler(item.deck);
            let state = collection.state(&item.id);
            if state.phase == Phase::New {
                return Some(None);
            }
            Some(match numeric {
                SortColumn::Due => state.due.map(|t| t.as_millisecond() as f64),
                SortColumn::Interval => Some(f64::from(state.interval_days)),
                SortColumn::Stability => state.memory.map(|m| f64::from(m.stability)),
                SortColumn::Difficulty => state.memory.map(|m| f64::from(m.difficulty)),
                SortColumn::Retrievability => scheduler.retrievability(state, now).map(f64::from),
                SortColumn::Lapses => Some(f64::from(state.lapses)),
                _ => None,
            })
        }),
    }
}

/// Each deck's position when decks are ordered by name (ignoring case), then slug.
fn deck_ranks(collection: &Collection) -> Vec<u32> {
    let decks = collection.decks();
    let mut order: Vec<(String, &str, usize)> = decks
        .iter()
        .enumerate()
        .map(|(i, d)| (lowercase(&d.name), d.slug.as_str(), i))
        .collect();
    order.sort();
    let mut ranks = vec![0; decks.len()];
    for (rank, (_, _, i)) in order.into_iter().enumerate() {
        ranks[i] = u32::try_from(rank).unwrap_or(u32::MAX);
    }
    ranks
}

/// Maps an `f64` to a `u64` whose unsigned order is `f64::total_cmp`'s.
fn order_bits(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// Sorts rows by a numeric key: `None` for a row that names no item, `Some(None)`
/// for an item without a value. Each row becomes one `u128`: missing flags on
/// top, then the ordered key, then the row's position (which makes it stable).
fn sort_by_number(
    rows: &mut Vec<usize>,
    descending: bool,
    key: impl Fn(usize) -> Option<Option<f64>> + Sync,
) {
    const POSITION_BITS: u32 = 62;
    const POSITION_MASK: u128 = (1 << POSITION_BITS) - 1;
    // Keys look up each item's state, so large lists are keyed on several threads.
    let pack = |(pos, &row): (usize, &usize)| {
        let (missing, value) = match key(row) {
            Some(Some(v)) => {
                let bits = order_bits(v);
                (0u128, if descending { !bits } else { bits })
            }
            Some(None) => (1, 0),
            None => (2, 0),
        };
        missing << (64 + POSITION_BITS)
            | u128::from(value) << POSITION_BITS
            | (pos as u128 & POSITION_MASK)
    };
    let mut packed: Vec<u128> = if rows.len() < PARALLEL_FROM {
        rows.iter().enumerate().map(pack).collect()
    } else {
        rows.par_iter().enumerate().map(pack).collect()
    };
    packed.sort_unstable();
    let before = std::mem::take(rows);
    rows.extend(
        packed
            .into_iter()
            .map(|p| before[(p & POSITION_MASK) as usize]),
    );
}

/// Sorts rows by a text column, ignoring case. Each item's place in text
/// order is worked out once per change of the collection (see
/// [`text_groups`]); sorting is then by numbers.
fn sort_by_text(
    collection: &Collection,
    rows: &mut Vec<usize>,
    column: SortColumn,
    descending: bool,
) {
    let groups = collection
        .indexes()
        .text_groups(collection.generation(), column, || {
            text_groups(collection, column)
        });
    // Missing flag, then the group (reversed when descending), then the
    // row's position, which keeps rows of equal text in their order.
    let mut keys: Vec<u128> = rows
        .iter()
        .enumerate()
        .map(|(pos, &row)| {
            let (missing, group) = match groups.get(row) {
                Some(&g) if descending => (0u128, u32::MAX - g),
                Some(&g) => (0, g),
                None => (1, 0),
            };
            missing << 96 | u128::from(group) << 64 | pos as u128
        })
        .collect();
    keys.sort_unstable();
    let before = std::mem::take(rows);
    rows.extend(keys.into_iter().map(|k| before[k as u64 as usize]));
}

/// For a text column, every item's tie group (indexed like
/// [`Collection::items`]): items whose texts compare equal ignoring case
/// share a group, numbered in text order.
fn text_groups(collection: &Collection, column: SortColumn) -> Vec<u32> {
    let items = collection.items();
    let mut arena = String::with_capacity(items.len() * 24);
    let spans: Vec<(usize, usize)> = items
        .iter()
        .map(|item| {
            let start = arena.len();
            if let Some(card) = card_of(collection, item) {
                match column {
                    SortColumn::Front => push_lowercase(&mut arena, &card.front),
                    SortColumn::Topic => push_lowercase(&mut arena, &card.topic),
                    _ => {
                        for (i, tag) in card.tags.iter().enumerate() {
                            if i > 0 {
                                arena.push(' ');
                            }
                            push_lowercase(&mut arena, tag);
                        }
                    }
                }
            }
            (start, arena.len())
        })
        .collect();
    let text = |i: usize| arena.get(spans[i].0..spans[i].1).unwrap_or("");
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_unstable_by(|&a, &b| text(a).cmp(text(b)));
    let mut groups = vec![0u32; items.len()];
    let mut group = 0u32;
    for (k, &i) in order.iter().enumerate() {
        if k > 0 && text(order[k - 1]) != text(i) {
            group += 1;
        }
        groups[i] = group;
    }
    groups
}
