//! The full answer history, loaded on a worker thread for statistics and weak topics.

use super::*;

impl Collection {
    /// A loader for the full history, to run where it does not block the UI.
    pub fn history_loader(&self) -> Result<HistoryLoader, CollectionError> {
        Ok(HistoryLoader {
            journals: list_journals(&self.dir)?,
            schedulers: self.item_schedulers(),
            now: self.read_at,
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
}

/// Every answer ever recorded on any device, in time order, with the phase
/// each card was in when answered. Undone answers are not in it.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// The answers, oldest first.
    pub answers: Vec<AnswerRecord>,
    /// Journal lines that were skipped.
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

impl HistoryLoader {
    /// Reads and replays every journal. Takes a while on a large history:
    /// run it off the UI thread.
    pub fn load(self) -> Result<History, StoreError> {
        let (events, _, mut warnings, _) =
            read_journals(&self.journals, &BTreeMap::new(), self.now)?;
        let points = rubric_points(&events);
        let mocks = events
            .iter()
            .filter_map(|e| match &e.event {
                Event::Mock { at, started, .. } => Some((e.device.clone(), *started, *at)),
                _ => None,
            })
            .collect();
        let mut states = HashMap::new();
        let mut answers = Vec::new();
        warnings.extend(replay::apply(
            &self.schedulers,
            &mut states,
            &mut answers,
            Timestamp::MIN,
            events,
        ));
        let mut history = History::new(answers, warnings);
        history.points = points;
        history.mocks = mocks;
        Ok(history)
    }
}
