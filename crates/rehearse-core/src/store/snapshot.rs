//! The state snapshot: every item's scheduling state and how far into each
//! journal it has applied. Always rebuildable from the journals. Kept in
//! `.cache/state.bin` (see [`super::cache`]); the RON form here is how
//! earlier versions kept it in `state.ron`, still read when there is no cache.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::deck::ItemId;
use crate::schedule::{CardState, Rating};

/// Bumped when the layout changes; an older snapshot is simply rebuilt.
pub const SNAPSHOT_VERSION: u32 = 1;

/// How far into one device's journal a snapshot has applied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalMark {
    /// Bytes applied (always a whole number of lines).
    pub bytes: u64,
    /// The largest event id seen in those bytes.
    pub last_id: u64,
}

/// What kind of card an answer was given to, for daily limits and statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnswerKind {
    /// First answer to a new card.
    New,
    /// A card in its learning steps.
    Learning,
    /// A graduated card due for review.
    Review,
    /// A forgotten card in its relearning steps.
    Relearning,
}

/// One answer with the phase its card was in: recent ones are kept in the
/// snapshot so today's counts survive a restart; the full list is the history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerRecord {
    /// Which device's journal holds it.
    pub device: String,
    /// Its event id there.
    pub id: u64,
    /// When.
    pub at: Timestamp,
    /// What was answered.
    pub item: ItemId,
    /// The button pressed.
    pub rating: Rating,
    /// The card's phase before the answer.
    pub kind: AnswerKind,
    /// Time spent, in milliseconds.
    pub took_ms: u32,
    /// The card's interval in days before the answer (0 while learning):
    /// 21 days or more makes a review "mature", as in Anki.
    #[serde(default)]
    pub last_interval: u32,
    /// The review interval recorded with the answer (see
    /// [`super::Event::Review`]), so a replay of this answer alone (card
    /// info) gives what the user saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
}

/// The whole snapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Layout version.
    pub version: u32,
    /// Per device: how much of its journal is reflected here.
    pub journals: BTreeMap<String, JournalMark>,
    /// Answers of the last two days.
    pub recent: Vec<AnswerRecord>,
    /// Every answered item's state.
    pub cards: HashMap<ItemId, CardState>,
    /// Journal events not applied because their time cannot be right; kept
    /// here so they are reported at every start, and applied (by a rebuild)
    /// once their time has come.
    #[serde(default)]
    pub deferred: Vec<Deferred>,
}

/// A journal event held back because of its date: more than a day ahead of
/// this computer's clock (a machine with a wrong clock, synced in), or
/// before the year 2000 (a clock that was reset).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deferred {
    /// The journal's device name.
    pub device: String,
    /// The 1-based line in that journal.
    pub line: usize,
    /// The date the event carries.
    pub at: Timestamp,
}

impl Snapshot {
    /// The snapshot as text: one card per line, sorted, so it reads and diffs
    /// well and can be parsed in parallel. Fails only if a value will not
    /// serialise; then nothing must be written.
    pub fn to_ron(&self) -> Result<String, ron::Error> {
        let mut out = String::with_capacity(64 + self.cards.len() * 128);
        // `writeln!` into a String cannot fail; its `let _` only satisfies the types.
        out.push_str("#![enable(implicit_some)]\n");
        out.push_str(
            "// Rehearse scheduling state: a cache rebuilt from journal/*.ron; safe to delete.\n",
        );
        let _ = writeln!(out, "(\n    version: {},", self.version);
        let _ = writeln!(out, "    journals: {},", one(&self.journals)?);
        out.push_str("    recent: [\n");
        for r in &self.recent {
            let _ = writeln!(out, "        {},", one(r)?);
        }
        out.push_str("    ],\n");
        if !self.deferred.is_empty() {
            let _ = writeln!(out, "    deferred: {},", one(&self.deferred)?);
        }
        out.push_str(CARDS_OPEN);
        let mut ids: Vec<&ItemId> = self.cards.keys().collect();
        ids.sort();
        for id in ids {
            let _ = writeln!(out, "        \"{id}\": {},", one(&self.cards[id])?);
        }
        out.push_str("    },\n)\n");
        Ok(out)
    }

    /// Parses a snapshot; an error names line and column.
    pub fn from_ron(text: &str, path: &Path) -> Result<Self, String> {
        if let Some(snapshot) = Self::parse_by_lines(text) {
            return Ok(snapshot);
        }
        options().from_str(text).map_err(|e| {
            format!(
                "{}:{}:{}: {}",
                path.display(),
                e.span.start.line,
                e.span.start.col,
                e.code
            )
        })
    }

    /// The fast path for the layout [`Self::to_ron`] writes: the small header
    /// parsed whole, the card lines parsed in parallel. `None` when the text is
    /// laid out any other way (say, edited by hand), for the full parser.
    fn parse_by_lines(text: &str) -> Option<Self> {
        let cards_at = text.find(CARDS_OPEN)?;
        let header = format!("{}    cards: {{}},\n)", &text[..cards_at]);
        let mut snapshot: Snapshot = options().from_str(&header).ok()?;
        let body = &text[cards_at + CARDS_OPEN.len()..];
        let end = body.find("\n    },\n)")?;
        let lines: Vec<&str> = body[..end].lines().collect();
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .min(8);
        let chunk = lines.len().div_ceil(threads).max(1);
        let parts: Vec<Option<Vec<(ItemId, CardState)>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = lines
                .chunks(chunk)
                .map(|part| scope.spawn(move || part.iter().map(|l| parse_card_line(l)).collect()))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().ok().flatten())
                .collect()
        });
        snapshot.cards.reserve(lines.len());
        for part in parts {
            snapshot.cards.extend(part?);
        }
        Some(snapshot)
    }
}

/// Where the card lines begin.
const CARDS_OPEN: &str = "    cards: {\n";

/// `        "id": (...),` as written by [`Snapshot::to_ron`].
fn parse_card_line(line: &str) -> Option<(ItemId, CardState)> {
    let rest = line.trim().strip_prefix('"')?;
    let (id, value) = rest.split_once("\": ")?;
    let value = value.strip_suffix(',')?;
    Some((id.parse().ok()?, options().from_str(value).ok()?))
}

fn options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Any value as compact single-line RON.
fn one<T: Serialize>(value: &T) -> Result<String, ron::Error> {
    options().to_string(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{Memory, Phase};

    #[test]
    fn round_trip() {
        let mut s = Snapshot {
            version: SNAPSHOT_VERSION,
            ..Snapshot::default()
        };
        s.journals.insert(
            "dev-a".into(),
            JournalMark {
                bytes: 120,
                last_id: 3,
            },
        );
        let item: ItemId = "c:c1".parse().unwrap();
        s.cards.insert(
            item.clone(),
            CardState {
                phase: Phase::Review,
                memory: Some(Memory {
                    stability: 3.5,
                    difficulty: 5.25,
                }),
                due: Some(Timestamp::from_second(1_800_000_000).unwrap()),
                last_review: Some(Timestamp::from_second(1_799_000_000).unwrap()),
                interval_days: 4,
                reps: 3,
                lapses: 0,
                leech: false,
                suspended: false,
                buried_day: None,
            },
        );
        s.recent.push(AnswerRecord {
            device: "dev-a".into(),
            id: 3,
            at: Timestamp::from_second(1_799_000_000).unwrap(),
            item,
            rating: Rating::Good,
            kind: AnswerKind::Learning,
            took_ms: 10,
            last_interval: 0,
            days: None,
        });
        let text = s.to_ron().unwrap();
        assert_eq!(
            Snapshot::from_ron(&text, Path::new("state.ron")).unwrap(),
            s
        );
    }
}
