//! What the scheduler knows about one study item.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The four answer buttons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Rating {
    /// Forgot.
    Again,
    /// Recalled with serious difficulty.
    Hard,
    /// Recalled.
    Good,
    /// Recalled effortlessly.
    Easy,
}

impl Rating {
    /// All four, in button order.
    pub const ALL: [Rating; 4] = [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy];

    /// FSRS's numbering: 1 Again … 4 Easy.
    pub fn number(self) -> u32 {
        self as u32 + 1
    }

    /// The rating for FSRS number 1–4.
    pub fn from_number(n: u32) -> Option<Self> {
        Self::ALL.get((n as usize).wrapping_sub(1)).copied()
    }

    /// Index 0–3, for arrays ordered like [`Rating::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The button label.
    pub fn label(self) -> &'static str {
        match self {
            Rating::Again => "Again",
            Rating::Hard => "Hard",
            Rating::Good => "Good",
            Rating::Easy => "Easy",
        }
    }
}

/// FSRS memory state.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// Days for recall probability to fall to 90 %.
    pub stability: f32,
    /// 1 (easy) to 10 (hard).
    pub difficulty: f32,
}

impl From<fsrs::MemoryState> for Memory {
    fn from(m: fsrs::MemoryState) -> Self {
        Self {
            stability: m.stability,
            difficulty: m.difficulty,
        }
    }
}

impl From<Memory> for fsrs::MemoryState {
    fn from(m: Memory) -> Self {
        Self {
            stability: m.stability,
            difficulty: m.difficulty,
        }
    }
}

/// Where an item is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Never answered.
    New,
    /// Going through the learning steps; `step` is the index of the current one.
    Learning {
        /// Index into the learning steps.
        step: u8,
    },
    /// Graduated; reviewed at day intervals.
    Review,
    /// Forgotten in review, going through the relearning steps.
    Relearning {
        /// Index into the relearning steps.
        step: u8,
    },
}

/// Everything scheduling needs to know about one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CardState {
    /// Phase in the learning cycle.
    pub phase: Phase,
    /// FSRS memory, once answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Memory>,
    /// When the item is next due (exact for learning, by study day for review).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Timestamp>,
    /// When it was last answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_review: Option<Timestamp>,
    /// The interval in days given at the last review (0 while learning).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub interval_days: u32,
    /// Answers given.
    #[serde(default)]
    pub reps: u32,
    /// Times forgotten after graduating.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lapses: u32,
    /// Tagged as a leech (forgotten too often).
    #[serde(default, skip_serializing_if = "is_false")]
    pub leech: bool,
    /// Taken out of study by the user.
    #[serde(default, skip_serializing_if = "is_false")]
    pub suspended: bool,
    /// The study day (a day number) the user buried it for: it comes back
    /// the next day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buried_day: Option<i32>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Default for CardState {
    fn default() -> Self {
        Self::new()
    }
}

impl CardState {
    /// A never-answered item.
    pub const fn new() -> Self {
        Self {
            phase: Phase::New,
            memory: None,
            due: None,
            last_review: None,
            interval_days: 0,
            reps: 0,
            lapses: 0,
            leech: false,
            suspended: false,
            buried_day: None,
        }
    }

    /// True while in the learning or relearning steps.
    pub fn is_learning(&self) -> bool {
        matches!(
            self.phase,
            Phase::Learning { .. } | Phase::Relearning { .. }
        )
    }
}
