//! The full answer history, loaded on a worker thread for statistics and weak topics.

use super::*;
use crate::store::cache::HistoryParts;

impl Collection {
    /// A loader for the full history, to run where it does not block the UI.
    pub fn history_loader(&self) -> Result<HistoryLoader, CollectionError> {
        Ok(HistoryLoader {
            journals: list_journals(&self.dir)?,
            schedulers: self.item_schedulers(),
            now: self.read_at,
            dir: self.dir.clone(),
            cache: !self.is_read_only(),
        })
    }
}

/// Everything needed to replay the full review history away from the
/// collection (on a background thread): the journals and the schedulers,
/// each item replayed with its deck's preset.
#[derive(Clone, Debug)]
pub struct HistoryLoader {
    journals: BTreeMap<String, PathBuf>,
    schedulers: ItemSchedulers,
    /// Events are held back as at this time, as the collection does.
    now: Timestamp,
    dir: DataDir,
    /// Whether to write `.cache/history.bin` (not for a read-only look).
    cache: bool,
}

/// Every answer ever recorded on any device, in time order, with the phase
/// each card was in when answered. Undone answers are not in it.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// The answers, oldest first.
    pub answers: Vec<AnswerRecord>,
    /// Journal lines that were skipped, and a history cache that could not
    /// be written.
    pub warnings: Vec<String>,
    /// Every item answered, each once.
    pub items: Vec<ItemId>,
    /// For each answer, its item's index in [`Self::items`]: lets a pass over
    /// millions of answers index a vector instead of hashing ids.
    pub item_of: Vec<u32>,
    /// The key points marked on rubric answers (undone answers left out),
    /// oldest first.
    pub points: Vec<PointsRecord>,
    /// Mock interviews: (device, started, ended).
    pub mocks: Vec<(String, Timestamp, Timestamp)>,
    /// Where it came from: the cache, with how many events replayed on top,
    /// or every journal.
    pub source: HistorySource,
}

/// Where a [`History`] was loaded from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HistorySource {
    /// Every journal replayed from the start.
    #[default]
    Journals,
    /// `.cache/history.bin`, with the events appended since replayed on top.
    Cache {
        /// Events replayed on top of the cached history.
        replayed: usize,
    },
}

impl History {
    /// Whether an answer was given in a mock interview.
    pub fn in_mock(&self, answer: &AnswerRecord) -> bool {
        self.mocks.iter().any(|(device, started, ended)| {
            *device == answer.device && answer.at >= *started && answer.at <= *ended
        })
    }
}

impl History {
    /// A history of `answers` (oldest first), with the item index built.
    pub fn new(answers: Vec<AnswerRecord>, warnings: Vec<String>) -> Self {
        let mut index: HashMap<&ItemId, u32> = HashMap::new();
        let mut items = Vec::new();
        let item_of = answers
            .iter()
            .map(|a| {
                *index.entry(&a.item).or_insert_with(|| {
                    items.push(a.item.clone());
                    (items.len() - 1) as u32
                })
            })
            .collect();
        Self {
            answers,
            warnings,
            items,
            item_of,
            points: Vec::new(),
            mocks: Vec::new(),
            source: HistorySource::Journals,
        }
    }
}

/// The key points a rubric answer covered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsRecord {
    /// When it was answered.
    pub at: Timestamp,
    /// The rubric item.
    pub item: ItemId,
    /// Indices (0-based) of the points covered.
    pub covered: Vec<u16>,
    /// How many points the rubric had.
    pub total: u16,
}

/// The points events of `events` whose review was not undone.
pub(super) fn rubric_points(events: &[DeviceEvent]) -> Vec<PointsRecord> {
    let undone: std::collections::HashSet<(&str, u64)> = events
        .iter()
        .filter_map(|e| match &e.event {
            Event::Undo { undoes, .. } => Some((e.device.as_str(), *undoes)),
            _ => None,
        })
        .collect();
    let mut out: Vec<PointsRecord> = events
        .iter()
        .filter_map(|e| match &e.event {
            Event::Points {
                at,
                item,
                review,
                covered,
                total,
                ..
            } if !undone.contains(&(e.device.as_str(), *review)) => Some(PointsRecord {
                at: *at,
                item: item.clone(),
                covered: covered.clone(),
                total: *total,
            }),
            _ => None,
        })
        .collect();
    out.sort_by_key(|a| a.at);
    out
}

/// Events replayed on top of the cached history that make it worth
/// writing the cache again.
const RESAVE_AFTER: usize = 1_000;

impl HistoryLoader {
    /// The same loader, reading the history cache but never writing it: for
    /// work that must leave the data folder as it found it unless it
    /// finishes (an import that may yet be cancelled).
    pub fn without_saving(mut self) -> Self {
        self.cache = false;
        self
    }

    /// Reads and replays every journal. Takes a while on a large history:
    /// run it off the UI thread. A history cached in `.cache/` (replayed
    /// under the same options and clock, its journals only appended to
    /// since) is read instead, with what was appended replayed on top; the
    /// cache is brought up to date once that is [`RESAVE_AFTER`] events.
    pub fn load(self) -> Result<History, StoreError> {
        let key = self.schedulers.fingerprint();
        let cached = key.and_then(|key| store::cache::read_history(&self.dir, key, &self.journals));
        if let Some(parts) = cached
            && let Some((parts, replayed)) = self.on_top(parts)?
        {
            // A short tail is replayed again next time rather than written:
            // rewriting a year of history costs more than replaying it.
            let unsaved = if replayed >= RESAVE_AFTER {
                self.save(key, &parts)
            } else {
                None
            };
            let mut history = into_history(parts, HistorySource::Cache { replayed });
            history.warnings.extend(unsaved);
            return Ok(history);
        }
        let (parts, complete) = self.replay_all()?;
        let unsaved = if complete {
            self.save(key, &parts)
        } else {
            None
        };
        let mut history = into_history(parts, HistorySource::Journals);
        history.warnings.extend(unsaved);
        Ok(history)
    }

    /// Every journal replayed from the start; whether it is complete (no
    /// event held back as in the future, which a cache would miss later).
    fn replay_all(&self) -> Result<(HistoryParts, bool), StoreError> {
        let (events, marks, mut warnings, deferred) =
            read_journals(&self.journals, &BTreeMap::new(), self.now)?;
        let points = rubric_points(&events);
        let mocks = mocks(&events);
        let mut states = HashMap::new();
        let mut answers = Vec::new();
        warnings.extend(replay::apply(
            &self.schedulers,
            &mut states,
            &mut answers,
            Timestamp::MIN,
            events,
        ));
        let (items, item_of) = index_items(&answers, Vec::new(), Vec::new());
        let parts = HistoryParts {
            marks,
            states,
            answers,
            items,
            item_of,
            points: points.into_iter().map(PointsRecord::into_parts).collect(),
            mocks,
            warnings,
        };
        Ok((parts, deferred.is_empty()))
    }

    /// The cached `parts` with the journal lines appended since replayed on
    /// top, and how many events that was; `None` when they cannot simply go
    /// on top (an undo of a cached answer, an answer older than the cached
    /// ones merged in from another device, events held back as in the
    /// future): then everything is replayed.
    fn on_top(&self, mut parts: HistoryParts) -> Result<Option<(HistoryParts, usize)>, StoreError> {
        let (tail, marks, warnings, deferred) =
            read_journals(&self.journals, &parts.marks, self.now)?;
        let last = parts.answers.last().map(|a| a.at);
        let older = |e: &DeviceEvent| match &e.event {
            Event::Review { at, .. } => last.is_some_and(|last| *at < last),
            _ => false,
        };
        if !deferred.is_empty()
            || tail.iter().any(older)
            || !replay::tail_applies_cleanly(&parts.states, &tail)
        {
            return Ok(None);
        }
        let replayed = tail.len();
        if replayed == 0 {
            return Ok(Some((parts, 0)));
        }
        parts.marks = marks;
        parts.warnings.extend(warnings);
        parts.points.extend(
            rubric_points(&tail)
                .into_iter()
                .map(PointsRecord::into_parts),
        );
        parts.points.sort_by_key(|p| p.0);
        parts.mocks.extend(mocks(&tail));
        let mut answers = Vec::new();
        parts.warnings.extend(replay::apply(
            &self.schedulers,
            &mut parts.states,
            &mut answers,
            Timestamp::MIN,
            tail,
        ));
        let (items, item_of) = index_items(
            &answers,
            std::mem::take(&mut parts.items),
            std::mem::take(&mut parts.item_of),
        );
        parts.items = items;
        parts.item_of = item_of;
        parts.answers.extend(answers);
        Ok(Some((parts, replayed)))
    }

    /// Writes the history to `.cache/`, for a faster next load; why not,
    /// if it could not. Only a cache: nothing is lost when it fails, the
    /// next load replays the journals again.
    fn save(&self, key: Option<u64>, parts: &HistoryParts) -> Option<String> {
        let (Some(key), true) = (key, self.cache) else {
            return None;
        };
        let path = self.dir.cached_history();
        store::cache::encode_history(key, parts, &self.journals)
            .and_then(|bytes| store::cache::write(&self.dir, &path, &bytes))
            .err()
            .map(|e| format!("{}: the history could not be cached: {e}", path.display()))
    }
}

/// The mock interviews among `events`: (device, started, ended).
fn mocks(events: &[DeviceEvent]) -> Vec<(String, Timestamp, Timestamp)> {
    events
        .iter()
        .filter_map(|e| match &e.event {
            Event::Mock { at, started, .. } => Some((e.device.clone(), *started, *at)),
            _ => None,
        })
        .collect()
}

/// Extends `items` (every item answered, each once) and `item_of` (each
/// answer's index into it) with `answers`.
fn index_items(
    answers: &[AnswerRecord],
    mut items: Vec<ItemId>,
    mut item_of: Vec<u32>,
) -> (Vec<ItemId>, Vec<u32>) {
    let mut index: HashMap<ItemId, u32> = items
        .iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), i as u32))
        .collect();
    item_of.reserve(answers.len());
    for a in answers {
        let i = *index.entry(a.item.clone()).or_insert_with(|| {
            items.push(a.item.clone());
            (items.len() - 1) as u32
        });
        item_of.push(i);
    }
    (items, item_of)
}

/// The parts as the [`History`] the screens use.
fn into_history(parts: HistoryParts, source: HistorySource) -> History {
    History {
        answers: parts.answers,
        warnings: parts.warnings,
        items: parts.items,
        item_of: parts.item_of,
        points: parts
            .points
            .into_iter()
            .map(|(at, item, covered, total)| PointsRecord {
                at,
                item,
                covered,
                total,
            })
            .collect(),
        mocks: parts.mocks,
        source,
    }
}

impl PointsRecord {
    fn into_parts(self) -> (Timestamp, ItemId, Vec<u16>, u16) {
        (self.at, self.item, self.covered, self.total)
    }
}
