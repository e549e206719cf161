//! Interview practice that is not recall: rubric prompts answered aloud and
//! marked against the key points an interviewer listens for.

use std::time::Duration;

use jiff::Timestamp;

use crate::collection::Collection;
use crate::deck::{CardKind, ItemId};
use crate::insight::weak::{DrillFilter, GroupKind, drill_items, weak_topics};
use crate::schedule::{Phase, Rating};

/// What the learner marked on a rubric answer: the key points covered (by
/// index), how many there were, and the scratch notes typed while answering.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RubricMarks {
    /// Indices (0-based) of the key points covered.
    pub covered: Vec<u16>,
    /// How many key points the rubric had.
    pub total: u16,
    /// Scratch notes, possibly empty.
    pub notes: String,
}

/// The rating a rubric answer earns: the share of key points covered, one
/// step lower when the answer ran over its time box (an interview is timed).
///
/// | covered | rating |
/// |---|---|
/// | 90% or more | Easy |
/// | 65% or more | Good |
/// | 35% or more | Hard |
/// | less | Again |
pub fn propose_rating(
    covered: usize,
    total: usize,
    took: Duration,
    time_box: Option<Duration>,
) -> Rating {
    if total == 0 {
        return Rating::Again;
    }
    let share = covered.min(total) as f64 / total as f64;
    let rating = if share >= 0.9 {
        Rating::Easy
    } else if share >= 0.65 {
        Rating::Good
    } else if share >= 0.35 {
        Rating::Hard
    } else {
        Rating::Again
    };
    match time_box {
        Some(limit) if took > limit => lower(rating),
        _ => rating,
    }
}

/// One step down, Again staying Again.
fn lower(rating: Rating) -> Rating {
    match rating {
        Rating::Easy => Rating::Good,
        Rating::Good => Rating::Hard,
        Rating::Hard | Rating::Again => Rating::Again,
    }
}

/// What a mock interview concentrates on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// System design prompts.
    SystemDesign,
    /// Behavioural questions.
    Behavioural,
    /// "Walk me through" explanations of backend fundamentals.
    Fundamentals,
    /// Whatever the learner knows least well.
    Weakest,
}

impl Focus {
    /// Every focus, in menu order.
    pub const ALL: [Focus; 4] = [
        Focus::SystemDesign,
        Focus::Behavioural,
        Focus::Fundamentals,
        Focus::Weakest,
    ];

    /// How the focus is named to the learner.
    pub fn label(self) -> &'static str {
        match self {
            Focus::SystemDesign => "System design",
            Focus::Behavioural => "Behavioural",
            Focus::Fundamentals => "Backend fundamentals",
            Focus::Weakest => "My weakest topics",
        }
    }

    /// Whether a rubric prompt with this topic and these tags fits the focus.
    fn fits(self, topic: &str, tags: &[String]) -> bool {
        let topic = topic.to_lowercase();
        let tagged = |t: &str| tags.iter().any(|x| x.eq_ignore_ascii_case(t));
        let design = topic.contains("design") || tagged("system-design");
        let behavioural = topic.contains("behav") || tagged("behavioural");
        match self {
            Focus::SystemDesign => design,
            Focus::Behavioural => behavioural,
            Focus::Fundamentals => !design && !behavioural,
            Focus::Weakest => true,
        }
    }
}

/// A mock interview: open-ended prompts first, then quick-fire cards from the
/// weakest topics, to fill the chosen length.
#[derive(Clone, Debug, PartialEq)]
pub struct MockPlan {
    /// Its length.
    pub minutes: u32,
    /// What it concentrates on.
    pub focus: Focus,
    /// Rubric prompts, answered first.
    pub prompts: Vec<ItemId>,
    /// Quick-fire cards after them.
    pub quick: Vec<ItemId>,
    /// The topics the quick-fire cards come from, weakest first.
    pub topics: Vec<String>,
}

impl MockPlan {
    /// Everything to study, in order.
    pub fn items(&self) -> Vec<ItemId> {
        self.prompts.iter().chain(&self.quick).cloned().collect()
    }
}

/// Minutes a quick-fire card takes, on average, in a mock interview.
const QUICK_MINUTES: f32 = 0.75;
/// Minutes a prompt without a time box is given.
const DEFAULT_PROMPT_MINUTES: u32 = 10;
/// Topics the quick-fire part draws from.
const WEAK_TOPICS: usize = 3;

/// Plans a mock interview of `minutes` with `focus`: one rubric prompt, or
/// two when both fit in two thirds of the time (least recently answered and
/// weakest first), then quick-fire cards from the weakest studied topics
/// (never-studied ones after them) for the rest of the time.
pub fn plan_mock(collection: &Collection, focus: Focus, minutes: u32, now: Timestamp) -> MockPlan {
    let mut prompts: Vec<(Option<f32>, Option<Timestamp>, u32, &ItemId)> = Vec::new();
    for item in collection.items() {
        let card = &collection.decks()[item.deck].cards[item.card];
        let state = collection.state(&item.id);
        if card.kind != CardKind::Rubric || state.suspended || !focus.fits(&card.topic, &card.tags)
        {
            continue;
        }
        let boxed = card
            .rubric
            .time_box
            .map_or(DEFAULT_PROMPT_MINUTES, |t| t.seconds().div_ceil(60));
        let recall = collection
            .deck_scheduler(item.deck)
            .retrievability(state, now)
            .filter(|_| state.phase != Phase::New);
        prompts.push((recall, state.last_review, boxed, &item.id));
    }
    // Never answered first, then the least recalled, then the longest ago.
    prompts.sort_by(|a, b| {
        (a.0.is_some(), a.0.unwrap_or(0.0), a.1, a.3)
            .partial_cmp(&(b.0.is_some(), b.0.unwrap_or(0.0), b.1, b.3))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let budget = minutes * 2 / 3;
    let mut used = 0;
    let mut chosen = Vec::new();
    // A prompt that needs more than the whole interview is left out.
    for (_, _, boxed, id) in prompts.into_iter().filter(|p| p.2 <= minutes) {
        let first = chosen.is_empty();
        if chosen.len() == 2 || (!first && used + boxed > budget) {
            continue;
        }
        if first || used + boxed <= budget {
            used += boxed.min(minutes);
            chosen.push(id.clone());
        }
    }
    let topics = weakest_topics(collection, now);
    let left = minutes.saturating_sub(used) as f32;
    let count = (left / QUICK_MINUTES).floor() as usize;
    let filter = DrillFilter {
        topics: topics.clone(),
        tags: Vec::new(),
    };
    let quick = drill_items(collection, &filter, now, count * 2)
        .into_iter()
        .filter(|id| {
            collection
                .card_of(id)
                .is_some_and(|c| c.kind != CardKind::Rubric)
        })
        .take(count)
        .collect();
    MockPlan {
        minutes,
        focus,
        prompts: chosen,
        quick,
        topics,
    }
}

/// The topics of quick-fire cards the learner knows least: studied topics
/// by lowest predicted recall, then topics never studied.
fn weakest_topics(collection: &Collection, now: Timestamp) -> Vec<String> {
    let is_rubric_topic = |name: &str| {
        collection
            .decks()
            .iter()
            .flat_map(|d| &d.cards)
            .filter(|c| c.topic == name)
            .all(|c| c.kind == CardKind::Rubric)
    };
    let mut rows: Vec<_> = weak_topics(collection, None, now)
        .into_iter()
        .filter(|r| r.kind == GroupKind::Topic && r.items > 0 && !is_rubric_topic(&r.name))
        .collect();
    rows.sort_by(|a, b| {
        (a.recall_now.is_none(), a.recall_now.unwrap_or(1.0))
            .partial_cmp(&(b.recall_now.is_none(), b.recall_now.unwrap_or(1.0)))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    rows.into_iter().take(WEAK_TOPICS).map(|r| r.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn rating_follows_the_share_of_points_covered() {
        let rate = |covered, total| propose_rating(covered, total, MIN, None);
        assert_eq!(rate(8, 8), Rating::Easy);
        assert_eq!(rate(9, 10), Rating::Easy);
        assert_eq!(rate(8, 10), Rating::Good);
        assert_eq!(rate(13, 20), Rating::Good);
        assert_eq!(rate(6, 10), Rating::Hard);
        assert_eq!(rate(4, 10), Rating::Hard);
        assert_eq!(rate(3, 10), Rating::Again);
        assert_eq!(rate(0, 6), Rating::Again);
        assert_eq!(rate(0, 0), Rating::Again);
        assert_eq!(
            rate(12, 10),
            Rating::Easy,
            "more ticks than points count as all"
        );
    }

    #[test]
    fn running_over_the_time_box_costs_one_step() {
        let ten = Some(10 * MIN);
        assert_eq!(propose_rating(10, 10, 9 * MIN, ten), Rating::Easy);
        assert_eq!(propose_rating(10, 10, 10 * MIN, ten), Rating::Easy);
        assert_eq!(propose_rating(10, 10, 11 * MIN, ten), Rating::Good);
        assert_eq!(propose_rating(7, 10, 11 * MIN, ten), Rating::Hard);
        assert_eq!(propose_rating(5, 10, 11 * MIN, ten), Rating::Again);
        assert_eq!(propose_rating(1, 10, 11 * MIN, ten), Rating::Again);
    }
}
