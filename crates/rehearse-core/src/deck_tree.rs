//! Decks named with `::` (Anki's separator, kept on import) form a tree:
//! `Languages::Rust` sits under `Languages`. One file per deck still; a
//! parent that has no deck of its own is shown only to hold its children.

use crate::collection::{Collection, Counts};
use crate::deck::Deck;

/// The separator between a parent's name and a child's.
pub const SEPARATOR: &str = "::";

/// One row of the deck tree, as Home lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeRow {
    /// The full name up to this level, e.g. `Languages::Rust`.
    pub path: String,
    /// The last part of the name, e.g. `Rust`.
    pub label: String,
    /// 0 for a top-level deck.
    pub depth: usize,
    /// The deck (index into [`Collection::decks`]) with exactly this name, if any.
    pub deck: Option<usize>,
    /// Every deck in this row's subtree, itself included.
    pub subtree: Vec<usize>,
    /// Whether other rows sit under this one.
    pub has_children: bool,
    /// Today's counts over the subtree, the daily limits applied to the
    /// subtree as a whole (a parent's limit caps its children, as in Anki).
    pub counts: Counts,
    /// Cards in the subtree.
    pub cards: usize,
}

/// The rows of the tree in display order (alphabetical at each level, case
/// ignored), leaving out the children of collapsed rows. `counts` are the
/// per-deck counts of [`Collection::deck_counts`], `done` what
/// [`Collection::done_today`] says.
pub fn deck_tree(
    collection: &Collection,
    counts: &[Counts],
    done: &[(usize, usize)],
    collapsed: &[String],
) -> Vec<TreeRow> {
    let order = display_order(collection.decks());
    let paths = all_paths(collection.decks(), &order);
    let mut rows = Vec::new();
    let mut hidden_under: Option<&[String]> = None;
    for path in &paths {
        if let Some(h) = hidden_under {
            if is_under(path, h) {
                continue;
            }
            hidden_under = None;
        }
        let row = tree_row(collection, counts, done, &order, &paths, path);
        if row.has_children && collapsed.contains(&row.path) {
            hidden_under = Some(path);
        }
        rows.push(row);
    }
    rows
}

/// The decks' indices sorted by name, level by level, case ignored.
fn display_order(decks: &[Deck]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..decks.len()).collect();
    order.sort_by_key(|&i| {
        decks[i]
            .name
            .split(SEPARATOR)
            .map(|p| p.trim().to_lowercase())
            .collect::<Vec<_>>()
    });
    order
}

/// Every prefix of every deck's name, each once, in `order`: each is a row,
/// so a parent with no deck of its own still gets one.
fn all_paths(decks: &[Deck], order: &[usize]) -> Vec<Vec<String>> {
    let mut paths: Vec<Vec<String>> = Vec::new();
    for &i in order {
        let parts: Vec<String> = decks[i]
            .name
            .split(SEPARATOR)
            .map(|p| p.trim().to_string())
            .collect();
        for n in 1..=parts.len() {
            let prefix = parts[..n].to_vec();
            if !paths.contains(&prefix) {
                paths.push(prefix);
            }
        }
    }
    paths
}

/// Whether `path` sits somewhere below `ancestor`.
fn is_under(path: &[String], ancestor: &[String]) -> bool {
    path.len() > ancestor.len() && path[..ancestor.len()] == ancestor[..]
}

/// The row for `path`, one of `paths`.
fn tree_row(
    collection: &Collection,
    counts: &[Counts],
    done: &[(usize, usize)],
    order: &[usize],
    paths: &[Vec<String>],
    path: &[String],
) -> TreeRow {
    let decks = collection.decks();
    let joined = path.join(SEPARATOR);
    let subtree = subtree_of(decks, order, path);
    let deck = subtree
        .iter()
        .copied()
        .find(|&i| decks[i].name.split(SEPARATOR).map(str::trim).count() == path.len());
    let has_children = paths.iter().any(|p| is_under(p, path));
    let counts = subtree_counts(
        collection,
        counts,
        done,
        &subtree,
        &joined,
        path.len(),
        deck,
    );
    let cards = subtree.iter().map(|&i| decks[i].cards.len()).sum();
    TreeRow {
        label: path.last().cloned().unwrap_or_default(),
        depth: path.len() - 1,
        path: joined,
        deck,
        subtree,
        has_children,
        counts,
        cards,
    }
}

/// The decks, in `order`, whose name is `path` or lies below it.
fn subtree_of(decks: &[Deck], order: &[usize], path: &[String]) -> Vec<usize> {
    order
        .iter()
        .copied()
        .filter(|&i| {
            let parts: Vec<&str> = decks[i].name.split(SEPARATOR).map(str::trim).collect();
            parts.len() >= path.len()
                && parts[..path.len()] == path.iter().map(String::as_str).collect::<Vec<_>>()[..]
        })
        .collect()
}

/// Today's counts over `subtree` (the decks under `path`, `levels` deep):
/// the per-deck counts summed, then capped by the daily limits applied to
/// the subtree as a whole and by what every ancestor has left.
fn subtree_counts(
    collection: &Collection,
    counts: &[Counts],
    done: &[(usize, usize)],
    subtree: &[usize],
    path: &str,
    levels: usize,
    deck: Option<usize>,
) -> Counts {
    let mut sum = Counts::default();
    for &i in subtree {
        if let Some(c) = counts.get(i) {
            sum.add(*c);
        }
    }
    if subtree.len() > 1 {
        // This level's own preset caps its whole subtree.
        let (new_limit, review_limit) = level_limits(collection, deck);
        let (new_done, review_done) = done_in(subtree, done);
        sum.new = sum.new.min(new_limit.saturating_sub(new_done));
        sum.review = sum.review.min(review_limit.saturating_sub(review_done));
    }
    // And no level may show more than its ancestors have left.
    if levels > 1 {
        let (new_left, review_left) = limits_left(collection, path, done);
        sum.new = sum.new.min(new_left);
        sum.review = sum.review.min(review_left);
    }
    sum
}

/// New cards introduced and reviews done today over `subtree`.
fn done_in(subtree: &[usize], done: &[(usize, usize)]) -> (usize, usize) {
    subtree
        .iter()
        .filter_map(|&i| done.get(i))
        .fold((0, 0), |(n, r), (dn, dr)| (n + dn, r + dr))
}

/// The daily limits (new, reviews) of one level of the tree: the preset of
/// its deck (an index into [`Collection::decks`]), or Default's for a parent
/// that has no deck of its own (as Anki gives a deck it creates for a
/// parent the Default preset).
fn level_limits(collection: &Collection, deck: Option<usize>) -> (usize, usize) {
    let settings = match deck {
        Some(i) => collection.deck_scheduler(i).settings(),
        None => collection.settings(),
    };
    (
        settings.new_per_day as usize,
        settings.reviews_per_day as usize,
    )
}

/// New cards and reviews still allowed today under the deck named `path`,
/// every level of it counted as Anki does with "limits start from top": each
/// ancestor's daily limits (its own preset's) apply to its whole subtree, so
/// a child cannot go past what its parent has left, and the deck itself is
/// held to its own preset's limits. `done` is what
/// [`Collection::done_today`] says.
pub fn limits_left(collection: &Collection, path: &str, done: &[(usize, usize)]) -> (usize, usize) {
    let parts: Vec<&str> = path.split(SEPARATOR).map(str::trim).collect();
    let mut left = (usize::MAX, usize::MAX);
    for depth in 1..=parts.len() {
        let prefix = &parts[..depth];
        let mut level_deck = None;
        let (new_done, review_done) = collection
            .decks()
            .iter()
            .enumerate()
            .filter(|(i, d)| {
                let name: Vec<&str> = d.name.split(SEPARATOR).map(str::trim).collect();
                if level_deck.is_none() && name[..] == *prefix {
                    level_deck = Some(*i);
                }
                name.len() >= depth && name[..depth] == *prefix
            })
            .filter_map(|(i, _)| done.get(i))
            .fold((0, 0), |(n, r), (dn, dr)| (n + dn, r + dr));
        let (new_limit, review_limit) = level_limits(collection, level_deck);
        left.0 = left.0.min(new_limit.saturating_sub(new_done));
        left.1 = left.1.min(review_limit.saturating_sub(review_done));
    }
    left
}
