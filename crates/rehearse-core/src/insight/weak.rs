//! Weak topics: for every topic and tag, how well it is known now (the memory
//! model's predicted recall), how often it is forgotten, and its leeches.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};

use crate::collection::{Collection, History};
use crate::deck::ItemId;
use crate::schedule::{Phase, Rating};

/// Whether a row groups by topic or by tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKind {
    /// The card's `topic`.
    Topic,
    /// One of the card's `tags`.
    Tag,
}

/// The name used for cards without a topic.
pub const NO_TOPIC: &str = "(none)";

/// One topic or tag and how well it is known.
#[derive(Clone, Debug, PartialEq)]
pub struct WeakRow {
    /// Topic or tag.
    pub kind: GroupKind,
    /// Its name.
    pub name: String,
    /// Study items in it (suspended ones excluded).
    pub items: usize,
    /// Items answered at least once.
    pub studied: usize,
    /// Mean predicted recall now of the studied items.
    pub recall_now: Option<f32>,
    /// Lapses per review of a graduated card (forgotten share), over all time.
    pub lapse_rate: Option<f32>,
    /// Share of answers that were Again in the last 30 days.
    pub again_rate_30d: Option<f32>,
    /// Answers in the last 30 days.
    pub answers_30d: usize,
    /// Items tagged as leeches.
    pub leeches: usize,
}

impl WeakRow {
    /// How weak the group is, 0 (solid) to 100 (lost): the mean of four
    /// shares, each 0 to 1: recall missing now (1 − predicted recall), the
    /// lapse rate, the again rate of the last 30 days and the share of its
    /// cards that are leeches. A figure that is not known yet counts as 0.
    /// `None` when no card of the group has been studied.
    pub fn weakness(&self) -> Option<f32> {
        let recall = self.recall_now?;
        let leech_share = if self.items == 0 {
            0.0
        } else {
            self.leeches as f32 / self.items as f32
        };
        let shares = [
            1.0 - recall,
            self.lapse_rate.unwrap_or(0.0),
            self.again_rate_30d.unwrap_or(0.0),
            leech_share,
        ];
        Some(shares.iter().map(|s| s.clamp(0.0, 1.0)).sum::<f32>() / 4.0 * 100.0)
    }
}

#[derive(Default)]
struct Acc {
    items: usize,
    studied: usize,
    recall_sum: f64,
    lapses: u64,
    reviews: u64,
    answers_30d: usize,
    again_30d: usize,
    leeches: usize,
}

impl Acc {
    fn row(self, kind: GroupKind, name: String, with_history: bool) -> WeakRow {
        let ratio = |a: f64, b: f64| (b > 0.0).then(|| (a / b) as f32);
        WeakRow {
            kind,
            name,
            items: self.items,
            studied: self.studied,
            recall_now: ratio(self.recall_sum, self.studied as f64),
            lapse_rate: ratio(self.lapses as f64, self.reviews as f64),
            again_rate_30d: if with_history {
                ratio(self.again_30d as f64, self.answers_30d as f64)
            } else {
                None
            },
            answers_30d: self.answers_30d,
            leeches: self.leeches,
        }
    }
}

/// Every topic and tag with its figures, weakest first: highest
/// [`WeakRow::weakness`], then lowest predicted recall; groups nobody has
/// studied yet come last.
/// `history` adds the 30-day again rate and the lapse rate per review.
pub fn weak_topics(
    collection: &Collection,
    history: Option<&History>,
    now: Timestamp,
) -> Vec<WeakRow> {
    // Each item's groups, worked out once: the history can hold millions of answers.
    let mut keys: Vec<(GroupKind, String)> = Vec::new();
    let mut key_index: HashMap<(GroupKind, &str), usize> = HashMap::new();
    let mut item_groups: HashMap<&ItemId, Vec<usize>> =
        HashMap::with_capacity(collection.items().len());
    for item in collection.items() {
        if collection.state(&item.id).suspended {
            continue;
        }
        let card = &collection.decks()[item.deck].cards[item.card];
        let topic = if card.topic.is_empty() {
            NO_TOPIC
        } else {
            card.topic.as_str()
        };
        let groups = std::iter::once((GroupKind::Topic, topic))
            .chain(card.tags.iter().map(|t| (GroupKind::Tag, t.as_str())))
            .map(|key| {
                *key_index.entry(key).or_insert_with(|| {
                    keys.push((key.0, key.1.to_string()));
                    keys.len() - 1
                })
            })
            .collect();
        item_groups.insert(&item.id, groups);
    }
    let mut accs: Vec<Acc> = (0..keys.len()).map(|_| Acc::default()).collect();
    for (id, groups) in &item_groups {
        let state = collection.state(id);
        let recall = collection
            .scheduler_of(id)
            .retrievability(state, now)
            .filter(|_| state.phase != Phase::New);
        for &g in groups {
            let acc = &mut accs[g];
            acc.items += 1;
            acc.leeches += usize::from(state.leech);
            acc.lapses += u64::from(state.lapses);
            if let Some(r) = recall {
                acc.studied += 1;
                acc.recall_sum += f64::from(r);
            }
            if history.is_none() {
                // Without the history, reviews of graduated cards are approximated by reps.
                acc.reviews += u64::from(state.reps);
            }
        }
    }
    if let Some(history) = history {
        let since = now
            .checked_sub(SignedDuration::from_hours(24 * 30))
            .unwrap_or(now);
        // Answers to cards no longer in a deck (or suspended) belong to no group.
        let groups_of: Vec<Option<&Vec<usize>>> =
            history.items.iter().map(|id| item_groups.get(id)).collect();
        for (a, &i) in history.answers.iter().zip(&history.item_of) {
            let graduated = a.kind == crate::store::AnswerKind::Review;
            let recent = a.at >= since;
            if !graduated && !recent {
                continue;
            }
            let Some(groups) = groups_of[i as usize] else {
                continue;
            };
            for &g in groups {
                let acc = &mut accs[g];
                acc.reviews += u64::from(graduated);
                if recent {
                    acc.answers_30d += 1;
                    acc.again_30d += usize::from(a.rating == Rating::Again);
                }
            }
        }
    }
    let mut rows: Vec<WeakRow> = keys
        .into_iter()
        .zip(accs)
        .map(|((kind, name), acc)| acc.row(kind, name, history.is_some()))
        .collect();
    rows.sort_by(|a, b| {
        let weak = |r: &WeakRow| r.weakness().unwrap_or(-1.0);
        weak(b)
            .total_cmp(&weak(a))
            .then(
                a.recall_now
                    .unwrap_or(1.0)
                    .total_cmp(&b.recall_now.unwrap_or(1.0)),
            )
            .then(a.kind.cmp(&b.kind))
            .then(a.name.cmp(&b.name))
    });
    rows
}

/// What a drill covers: cards whose topic is one of `topics` or that carry one of `tags`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DrillFilter {
    /// Topics to drill.
    pub topics: Vec<String>,
    /// Tags to drill.
    pub tags: Vec<String>,
}

impl DrillFilter {
    /// True when `id`'s card belongs to the drill.
    pub fn matches(&self, collection: &Collection, id: &ItemId) -> bool {
        collection.card_of(id).is_some_and(|card| {
            let topic = if card.topic.is_empty() {
                NO_TOPIC
            } else {
                card.topic.as_str()
            };
            self.topics.iter().any(|t| t == topic)
                || card.tags.iter().any(|t| self.tags.contains(t))
        })
    }
}

/// The items of a drill: studied ones with the lowest predicted recall first,
/// then never-studied ones in deck order; due or not; at most `limit`.
pub fn drill_items(
    collection: &Collection,
    filter: &DrillFilter,
    now: Timestamp,
    limit: usize,
) -> Vec<ItemId> {
    let mut studied: Vec<(f32, &ItemId)> = Vec::new();
    let mut fresh: Vec<&ItemId> = Vec::new();
    for item in collection.items() {
        let state = collection.state(&item.id);
        if state.suspended || !filter.matches(collection, &item.id) {
            continue;
        }
        match collection
            .deck_scheduler(item.deck)
            .retrievability(state, now)
        {
            Some(r) if state.phase != Phase::New => studied.push((r, &item.id)),
            _ => fresh.push(&item.id),
        }
    }
    studied.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
    studied
        .into_iter()
        .map(|(_, id)| id)
        .chain(fresh)
        .take(limit)
        .cloned()
        .collect()
}

/// A rubric key point and how often answers missed it.
#[derive(Clone, Debug, PartialEq)]
pub struct MissedPoint {
    /// The rubric prompt's item.
    pub item: ItemId,
    /// Its topic.
    pub topic: String,
    /// The point, as the card has it now.
    pub point: String,
    /// Answers that did not cover it.
    pub missed: usize,
    /// Answers marked against it.
    pub answered: usize,
}

/// Every key point that has been missed at least once, most often missed
/// (as a share of answers) first. Points are matched by position on the card
/// as it is now.
pub fn missed_points(collection: &Collection, history: &History) -> Vec<MissedPoint> {
    let mut tally: HashMap<(&ItemId, usize), (usize, usize)> = HashMap::new();
    for record in &history.points {
        for index in 0..usize::from(record.total) {
            let entry = tally.entry((&record.item, index)).or_default();
            entry.1 += 1;
            if !record.covered.iter().any(|c| usize::from(*c) == index) {
                entry.0 += 1;
            }
        }
    }
    let mut out: Vec<MissedPoint> = tally
        .into_iter()
        .filter(|(_, (missed, _))| *missed > 0)
        .filter_map(|((item, index), (missed, answered))| {
            let card = collection.card_of(item)?;
            let point = card.rubric.points.get(index)?;
            Some(MissedPoint {
                item: item.clone(),
                topic: if card.topic.is_empty() {
                    NO_TOPIC.to_string()
                } else {
                    card.topic.clone()
                },
                point: point.clone(),
                missed,
                answered,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        let share = |p: &MissedPoint| p.missed as f64 / p.answered as f64;
        share(b)
            .total_cmp(&share(a))
            .then(b.missed.cmp(&a.missed))
            .then(a.topic.cmp(&b.topic))
            .then(a.point.cmp(&b.point))
    });
    out
}

/// The rubric prompts whose points are missed, most missed first: a drill.
pub fn missed_point_prompts(points: &[MissedPoint]) -> Vec<ItemId> {
    let mut out: Vec<ItemId> = Vec::new();
    for p in points {
        if !out.contains(&p.item) {
            out.push(p.item.clone());
        }
    }
    out
}
