//! `.cache/`: binary copies of what the RON files parse into, so that a start
//! does not parse tens of megabytes of text. The RON files stay the truth;
//! everything here is derived, disposable and never trusted:
//!
//! - `.cache/decks/<slug>.bin`: one parsed deck, keyed by its deck file's
//!   size, modification time and content hash. A deck file that differs in
//!   any of the three is parsed again.
//! - `.cache/state.bin`: the snapshot of every item's scheduling state and
//!   how far into each journal it has applied, with a seal per journal (the
//!   length applied and hashes of its first and last 64 KiB up to there).
//!   Journals are append-only: one that is shorter, or whose sealed bytes
//!   changed, makes the snapshot unusable and the state is rebuilt from the
//!   journals; lines appended since are replayed on top.
//! - `.cache/history.bin`: the full review history as replayed for
//!   statistics, weak topics and the optimiser, with every item's state at
//!   the end of it and the same seals, keyed also by a hash of the settings
//!   and clock it was replayed with. Lines appended since are replayed on
//!   top; anything else rebuilds it.
//!
//! Every file starts with a magic number, the format version and a hash of
//! its payload: a file from another version, cut short or damaged is
//! ignored (and rewritten), never an error. Writes are atomic.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use super::snapshot::{
    AnswerKind, AnswerRecord, Deferred, JournalMark, SNAPSHOT_VERSION, Snapshot,
};
use super::{DataDir, write_atomic};
use crate::deck::{Card, CardId, CardKind, Deck, ItemId, Rubric, Variant};
use crate::schedule::{CardState, Memory, Phase, Rating};

/// Bumped whenever the layout of any cache file changes; files of another
/// version are ignored and rewritten.
pub const CACHE_VERSION: u32 = 2;

/// Every cache file starts with these bytes.
const MAGIC: &[u8; 8] = b"RHRSCACH";

/// Magic, version, kind, payload length, payload hash.
const HEADER_LEN: usize = 8 + 4 + 1 + 8 + 8;

/// How much of a journal's start and end (up to the snapshot's mark) the
/// seal hashes.
const SEAL_WINDOW: u64 = 64 * 1024;

/// What a cache file holds, so one is never read as the other.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    Deck = 1,
    State = 2,
    History = 3,
}

/// The identity of a source file: size, modification time and a hash of
/// its content. Hashing (xxh3) runs at memory speed, many times faster than
/// parsing the RON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceKey {
    /// Bytes.
    pub len: u64,
    /// Modification time in nanoseconds since 1970 (0 where unknown).
    pub mtime_ns: u128,
    /// xxh3 of the content.
    pub hash: u64,
}

impl SourceKey {
    /// The key of a file whose content is `bytes` and metadata `meta`.
    pub fn of(bytes: &[u8], meta: Option<&fs::Metadata>) -> Self {
        Self {
            len: bytes.len() as u64,
            mtime_ns: meta.map_or(0, mtime_ns),
            hash: xxh3_64(bytes),
        }
    }
}

fn mtime_ns(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

// ----- the envelope -----

fn wrap(kind: Kind, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&CACHE_VERSION.to_le_bytes());
    out.push(kind as u8);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&xxh3_64(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// The payload of a cache file, if it is one of this version and kind and
/// intact.
fn unwrap(kind: Kind, bytes: &[u8]) -> Option<&[u8]> {
    if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
        return None;
    }
    let u32_at = |at: usize| {
        bytes
            .get(at..at + 4)?
            .try_into()
            .ok()
            .map(u32::from_le_bytes)
    };
    let u64_at = |at: usize| {
        bytes
            .get(at..at + 8)?
            .try_into()
            .ok()
            .map(u64::from_le_bytes)
    };
    if u32_at(8)? != CACHE_VERSION || bytes[12] != kind as u8 {
        return None;
    }
    let len = usize::try_from(u64_at(13)?).ok()?;
    let hash = u64_at(21)?;
    let payload = &bytes[HEADER_LEN..];
    (payload.len() == len && xxh3_64(payload) == hash).then_some(payload)
}

/// Writes a cache file atomically, creating `.cache/` (with a `.gitignore`
/// that keeps it out of a repository) on first use.
pub fn write(dir: &DataDir, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let root = dir.cache();
    let ignore = root.join(".gitignore");
    if !ignore.exists() {
        fs::create_dir_all(&root)?;
        write_atomic(
            &ignore,
            b"# Rehearse's cache: derived from the RON files, safe to delete.\n*\n",
        )?;
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    write_atomic(path, bytes)
}

/// Removes cached decks whose deck file is gone, so the folder does not grow.
pub fn remove_orphan_decks(dir: &DataDir, slugs: &[String]) {
    let Ok(entries) = fs::read_dir(dir.cached_decks()) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "bin") && !slugs.iter().any(|s| s == stem) {
            let _ = fs::remove_file(&path);
        }
    }
}

// ----- decks -----

#[derive(Serialize)]
struct DeckOut<'a> {
    key: SourceKey,
    name: &'a str,
    description: &'a str,
    cards: Vec<CardOut<'a>>,
}

#[derive(Serialize)]
struct CardOut<'a> {
    id: &'a str,
    id_pinned: bool,
    kind: u8,
    front: &'a str,
    back: &'a str,
    topic: &'a str,
    tags: &'a [String],
    source: Option<&'a str>,
    points: &'a [String],
    time_box: Option<String>,
    modified: Option<(i64, i32)>,
    added: Option<(i64, i32)>,
}

#[derive(Deserialize)]
struct DeckIn {
    key: SourceKey,
    name: String,
    description: String,
    cards: Vec<CardIn>,
}

#[derive(Deserialize)]
struct CardIn {
    id: String,
    id_pinned: bool,
    kind: u8,
    front: String,
    back: String,
    topic: String,
    tags: Vec<String>,
    source: Option<String>,
    points: Vec<String>,
    time_box: Option<String>,
    modified: Option<(i64, i32)>,
    added: Option<(i64, i32)>,
}

fn kind_code(kind: CardKind) -> u8 {
    match kind {
        CardKind::Basic => 0,
        CardKind::Reversed => 1,
        CardKind::Cloze => 2,
        CardKind::Rubric => 3,
    }
}

fn kind_of(code: u8) -> Option<CardKind> {
    Some(match code {
        0 => CardKind::Basic,
        1 => CardKind::Reversed,
        2 => CardKind::Cloze,
        3 => CardKind::Rubric,
        _ => return None,
    })
}

fn time_code(t: Timestamp) -> (i64, i32) {
    (t.as_second(), t.subsec_nanosecond())
}

fn time_of((seconds, nanos): (i64, i32)) -> Option<Timestamp> {
    Timestamp::new(seconds, nanos).ok()
}

/// A deck as a cache file, for a deck file of identity `key`.
pub fn encode_deck(key: SourceKey, deck: &Deck) -> Vec<u8> {
    let out = DeckOut {
        key,
        name: &deck.name,
        description: &deck.description,
        cards: deck
            .cards
            .iter()
            .map(|c| CardOut {
                id: c.id.as_str(),
                id_pinned: c.id_pinned,
                kind: kind_code(c.kind),
                front: &c.front,
                back: &c.back,
                topic: &c.topic,
                tags: &c.tags,
                source: c.source.as_deref(),
                points: &c.rubric.points,
                time_box: c.rubric.time_box.map(|s| s.to_string()),
                modified: c.modified.map(time_code),
                added: c.added.map(time_code),
            })
            .collect(),
    };
    // Plain data into a Vec: serialising cannot fail; an empty payload
    // would only be ignored when read.
    wrap(Kind::Deck, &postcard::to_allocvec(&out).unwrap_or_default())
}

/// The deck in a cache file, if the file is intact and was made from a deck
/// file of identity `key`. `slug` is the deck file's stem.
pub fn decode_deck(bytes: &[u8], key: &SourceKey, slug: &str) -> Option<Deck> {
    let payload = unwrap(Kind::Deck, bytes)?;
    let deck: DeckIn = postcard::from_bytes(payload).ok()?;
    if deck.key != *key {
        return None;
    }
    let cards = deck
        .cards
        .into_iter()
        .map(|c| {
            Some(Card {
                id: CardId::new(c.id).ok()?,
                id_pinned: c.id_pinned,
                kind: kind_of(c.kind)?,
                front: c.front,
                back: c.back,
                topic: c.topic,
                tags: c.tags,
                source: c.source,
                rubric: Rubric {
                    points: c.points,
                    time_box: match c.time_box {
                        Some(s) => Some(s.parse().ok()?),
                        None => None,
                    },
                },
                modified: match c.modified {
                    Some(t) => Some(time_of(t)?),
                    None => None,
                },
                added: match c.added {
                    Some(t) => Some(time_of(t)?),
                    None => None,
                },
            })
        })
        .collect::<Option<Vec<Card>>>()?;
    Some(Deck {
        slug: slug.to_string(),
        name: deck.name,
        description: deck.description,
        cards,
    })
}

/// Reads the cached copy of a deck: `None` when there is none or it does
/// not match `key`.
pub fn read_deck(dir: &DataDir, slug: &str, key: &SourceKey) -> Option<Deck> {
    let bytes = fs::read(dir.cached_deck(slug)).ok()?;
    decode_deck(&bytes, key, slug)
}

// ----- the state snapshot -----

/// What a snapshot knew of one journal when it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Seal {
    device: String,
    mark: JournalMark,
    /// xxh3 of the first [`SEAL_WINDOW`] bytes up to the mark.
    head: u64,
    /// xxh3 of the last [`SEAL_WINDOW`] bytes up to the mark.
    tail: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
struct StateCode {
    /// 0 new, 1 learning, 2 review, 3 relearning.
    phase: u8,
    step: u8,
    memory: Option<(f32, f32)>,
    due: Option<(i64, i32)>,
    last_review: Option<(i64, i32)>,
    interval_days: u32,
    reps: u32,
    lapses: u32,
    leech: bool,
    suspended: bool,
    buried_day: Option<i32>,
}

impl StateCode {
    fn of(s: &CardState) -> Self {
        let (phase, step) = match s.phase {
            Phase::New => (0, 0),
            Phase::Learning { step } => (1, step),
            Phase::Review => (2, 0),
            Phase::Relearning { step } => (3, step),
        };
        Self {
            phase,
            step,
            memory: s.memory.map(|m| (m.stability, m.difficulty)),
            due: s.due.map(time_code),
            last_review: s.last_review.map(time_code),
            interval_days: s.interval_days,
            reps: s.reps,
            lapses: s.lapses,
            leech: s.leech,
            suspended: s.suspended,
            buried_day: s.buried_day,
        }
    }

    fn state(self) -> Option<CardState> {
        Some(CardState {
            phase: match self.phase {
                0 => Phase::New,
                1 => Phase::Learning { step: self.step },
                2 => Phase::Review,
                3 => Phase::Relearning { step: self.step },
                _ => return None,
            },
            memory: self.memory.map(|(stability, difficulty)| Memory {
                stability,
                difficulty,
            }),
            due: match self.due {
                Some(t) => Some(time_of(t)?),
                None => None,
            },
            last_review: match self.last_review {
                Some(t) => Some(time_of(t)?),
                None => None,
            },
            interval_days: self.interval_days,
            reps: self.reps,
            lapses: self.lapses,
            leech: self.leech,
            suspended: self.suspended,
            buried_day: self.buried_day,
        })
    }
}

/// One of the snapshot's recent answers. Spelled out rather than the
/// [`AnswerRecord`] itself: postcard writes no field names, so the fields
/// its serde attributes skip when empty would be missing on reading.
#[derive(Serialize, Deserialize)]
struct RecordCode {
    device: String,
    id: u64,
    at: (i64, i32),
    card: String,
    variant: u32,
    rating: Rating,
    kind: AnswerKind,
    took_ms: u32,
    last_interval: u32,
    days: Option<u32>,
}

impl RecordCode {
    fn of(r: &AnswerRecord) -> Self {
        Self {
            device: r.device.clone(),
            id: r.id,
            at: time_code(r.at),
            card: r.item.card.as_str().to_string(),
            variant: variant_code(r.item.variant),
            rating: r.rating,
            kind: r.kind,
            took_ms: r.took_ms,
            last_interval: r.last_interval,
            days: r.days,
        }
    }

    fn record(self) -> Option<AnswerRecord> {
        Some(AnswerRecord {
            device: self.device,
            id: self.id,
            at: time_of(self.at)?,
            item: ItemId {
                card: CardId::new(self.card).ok()?,
                variant: variant_of(self.variant)?,
            },
            rating: self.rating,
            kind: self.kind,
            took_ms: self.took_ms,
            last_interval: self.last_interval,
            days: self.days,
        })
    }
}

#[derive(Serialize)]
struct StateOut<'a> {
    snapshot_version: u32,
    seals: Vec<Seal>,
    recent: Vec<RecordCode>,
    deferred: &'a [Deferred],
    cards: Vec<(&'a str, u32, StateCode)>,
}

#[derive(Deserialize)]
struct StateIn {
    snapshot_version: u32,
    seals: Vec<Seal>,
    recent: Vec<RecordCode>,
    deferred: Vec<Deferred>,
    /// Card id, [`variant_code`], state: the id apart from its variant so
    /// that decoding takes the string as it is, without parsing or copying.
    cards: Vec<(String, u32, StateCode)>,
}

/// 0 forward, 1 reverse, 1 + n for cloze n.
fn variant_code(v: Variant) -> u32 {
    match v {
        Variant::Forward => 0,
        Variant::Reverse => 1,
        Variant::Cloze(n) => 1 + u32::from(n),
    }
}

fn variant_of(code: u32) -> Option<Variant> {
    Some(match code {
        0 => Variant::Forward,
        1 => Variant::Reverse,
        n => Variant::Cloze(u16::try_from(n - 1).ok().filter(|n| *n > 0)?),
    })
}

/// Hashes of the first and last [`SEAL_WINDOW`] bytes of `path` up to
/// `bytes`; `None` when the file is shorter than that or cannot be read.
fn seal_hashes(path: &Path, bytes: u64) -> Option<(u64, u64)> {
    let mut file = File::open(path).ok()?;
    if file.metadata().ok()?.len() < bytes {
        return None;
    }
    let window = bytes.min(SEAL_WINDOW);
    let mut read = |from: u64| -> Option<u64> {
        let mut buf = vec![0; usize::try_from(window).ok()?];
        file.seek(SeekFrom::Start(from)).ok()?;
        file.read_exact(&mut buf).ok()?;
        Some(xxh3_64(&buf))
    };
    let head = read(0)?;
    let tail = read(bytes - window)?;
    Some((head, tail))
}

/// The snapshot as a cache file, sealing each journal it names (found in
/// `journals`, device to path). Fails when a journal it names cannot be read
/// as far as the snapshot says it applied.
pub fn encode_state(
    snapshot: &Snapshot,
    journals: &BTreeMap<String, PathBuf>,
) -> io::Result<Vec<u8>> {
    let seals = seals_of(&snapshot.journals, journals)?;
    let mut cards: Vec<(&str, u32, StateCode)> = snapshot
        .cards
        .iter()
        .map(|(id, s)| (id.card.as_str(), variant_code(id.variant), StateCode::of(s)))
        .collect();
    // A stable order: the same state always makes the same bytes.
    cards.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let out = StateOut {
        snapshot_version: snapshot.version,
        seals,
        recent: snapshot.recent.iter().map(RecordCode::of).collect(),
        deferred: &snapshot.deferred,
        cards,
    };
    let payload = postcard::to_allocvec(&out).map_err(io::Error::other)?;
    Ok(wrap(Kind::State, &payload))
}

/// The snapshot in a cache file, if the file is intact and every journal it
/// sealed (found in `journals`) still holds the same bytes up to its mark.
pub fn decode_state(bytes: &[u8], journals: &BTreeMap<String, PathBuf>) -> Option<Snapshot> {
    let payload = unwrap(Kind::State, bytes)?;
    let state: StateIn = postcard::from_bytes(payload).ok()?;
    if state.snapshot_version != SNAPSHOT_VERSION {
        return None;
    }
    let marks = check_seals(state.seals, journals)?;
    let mut cards = HashMap::with_capacity(state.cards.len());
    for (card, variant, code) in state.cards {
        let id = ItemId {
            card: CardId::new(card).ok()?,
            variant: variant_of(variant)?,
        };
        cards.insert(id, code.state()?);
    }
    let recent = state
        .recent
        .into_iter()
        .map(RecordCode::record)
        .collect::<Option<Vec<_>>>()?;
    Some(Snapshot {
        version: state.snapshot_version,
        journals: marks,
        recent,
        cards,
        deferred: state.deferred,
    })
}

/// Reads the cached snapshot: `None` when there is none, it is damaged or
/// from another version, or a journal changed under it.
pub fn read_state(dir: &DataDir, journals: &BTreeMap<String, PathBuf>) -> Option<Snapshot> {
    let bytes = fs::read(dir.cached_state()).ok()?;
    decode_state(&bytes, journals)
}

// ----- the review history -----

/// The review history as replayed from every journal up to `marks`, with
/// the states that replay ended in (so lines appended since can be
/// replayed on top). Plain parts: the collection assembles its `History`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryParts {
    /// How far into each journal the history goes.
    pub marks: BTreeMap<String, JournalMark>,
    /// Every item's state at the end of the history.
    pub states: HashMap<ItemId, CardState>,
    /// The answers, oldest first.
    pub answers: Vec<AnswerRecord>,
    /// Every item answered, each once, in order of first answer.
    pub items: Vec<ItemId>,
    /// For each answer, its item's index in `items`.
    pub item_of: Vec<u32>,
    /// Rubric points: (when, item, points covered, points in all).
    pub points: Vec<(Timestamp, ItemId, Vec<u16>, u16)>,
    /// Mock interviews: (device, started, ended).
    pub mocks: Vec<(String, Timestamp, Timestamp)>,
    /// Journal lines that were skipped.
    pub warnings: Vec<String>,
}

/// One answer, its device an index into the devices and its item an index
/// into the items.
#[derive(Serialize, Deserialize)]
struct AnswerCode {
    device: u32,
    id: u64,
    at: (i64, i32),
    item: u32,
    rating: Rating,
    kind: AnswerKind,
    took_ms: u32,
    last_interval: u32,
    days: Option<u32>,
}

/// A time as [`time_code`] writes it.
type TimeCode = (i64, i32);

/// Rubric points: when, the item (card id, [`variant_code`]), the points
/// covered, the points in all.
type PointsCode = (TimeCode, (String, u32), Vec<u16>, u16);

/// A mock interview: device, started, ended.
type MockCode = (String, TimeCode, TimeCode);

#[derive(Serialize, Deserialize)]
struct HistoryCode {
    key: u64,
    seals: Vec<Seal>,
    devices: Vec<String>,
    /// Card id and [`variant_code`] of every item answered.
    items: Vec<(String, u32)>,
    answers: Vec<AnswerCode>,
    states: Vec<(String, u32, StateCode)>,
    points: Vec<PointsCode>,
    mocks: Vec<MockCode>,
    warnings: Vec<String>,
}

fn item_code(id: &ItemId) -> (String, u32) {
    (id.card.as_str().to_string(), variant_code(id.variant))
}

fn item_of_code((card, variant): (String, u32)) -> Option<ItemId> {
    Some(ItemId {
        card: CardId::new(card).ok()?,
        variant: variant_of(variant)?,
    })
}

/// Seals each journal of `marks` (found in `journals`) as far as its mark.
fn seals_of(
    marks: &BTreeMap<String, JournalMark>,
    journals: &BTreeMap<String, PathBuf>,
) -> io::Result<Vec<Seal>> {
    marks
        .iter()
        .map(|(device, mark)| {
            let (head, tail) = journals
                .get(device)
                .and_then(|p| seal_hashes(p, mark.bytes))
                .ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("the journal of `{device}` is shorter than what is being cached"),
                    )
                })?;
            Ok(Seal {
                device: device.clone(),
                mark: *mark,
                head,
                tail,
            })
        })
        .collect()
}

/// The marks of `seals`, if every journal they seal (found in `journals`)
/// still holds the same bytes up to its mark.
fn check_seals(
    seals: Vec<Seal>,
    journals: &BTreeMap<String, PathBuf>,
) -> Option<BTreeMap<String, JournalMark>> {
    let mut marks = BTreeMap::new();
    for seal in seals {
        let path = journals.get(&seal.device)?;
        if seal_hashes(path, seal.mark.bytes)? != (seal.head, seal.tail) {
            return None;
        }
        marks.insert(seal.device, seal.mark);
    }
    Some(marks)
}

/// The history as a cache file, replayed under settings and clock that
/// hash to `key`, sealing each journal it went through.
pub fn encode_history(
    key: u64,
    parts: &HistoryParts,
    journals: &BTreeMap<String, PathBuf>,
) -> io::Result<Vec<u8>> {
    let mut devices: Vec<String> = Vec::new();
    let mut device_index: HashMap<&str, u32> = HashMap::new();
    let mut answers = Vec::with_capacity(parts.answers.len());
    for (a, &item) in parts.answers.iter().zip(&parts.item_of) {
        let device = *device_index.entry(a.device.as_str()).or_insert_with(|| {
            devices.push(a.device.clone());
            (devices.len() - 1) as u32
        });
        answers.push(AnswerCode {
            device,
            id: a.id,
            at: time_code(a.at),
            item,
            rating: a.rating,
            kind: a.kind,
            took_ms: a.took_ms,
            last_interval: a.last_interval,
            days: a.days,
        });
    }
    let code = HistoryCode {
        key,
        seals: seals_of(&parts.marks, journals)?,
        devices,
        items: parts.items.iter().map(item_code).collect(),
        answers,
        states: parts
            .states
            .iter()
            .map(|(id, s)| {
                let (card, variant) = item_code(id);
                (card, variant, StateCode::of(s))
            })
            .collect(),
        points: parts
            .points
            .iter()
            .map(|(at, item, covered, total)| {
                (time_code(*at), item_code(item), covered.clone(), *total)
            })
            .collect(),
        mocks: parts
            .mocks
            .iter()
            .map(|(d, started, ended)| (d.clone(), time_code(*started), time_code(*ended)))
            .collect(),
        warnings: parts.warnings.clone(),
    };
    let payload = postcard::to_allocvec(&code).map_err(io::Error::other)?;
    Ok(wrap(Kind::History, &payload))
}

/// The history in a cache file, if the file is intact, was replayed under
/// settings and clock hashing to `key`, and every journal it sealed (found
/// in `journals`) still holds the same bytes up to its mark.
pub fn decode_history(
    bytes: &[u8],
    key: u64,
    journals: &BTreeMap<String, PathBuf>,
) -> Option<HistoryParts> {
    let payload = unwrap(Kind::History, bytes)?;
    let code: HistoryCode = postcard::from_bytes(payload).ok()?;
    if code.key != key {
        return None;
    }
    let marks = check_seals(code.seals, journals)?;
    let items = code
        .items
        .into_iter()
        .map(item_of_code)
        .collect::<Option<Vec<_>>>()?;
    // A million answers are a million copies of their device and item
    // names: made on every core.
    let answers = code
        .answers
        .par_iter()
        .map(|a| {
            Some(AnswerRecord {
                device: code.devices.get(a.device as usize)?.clone(),
                id: a.id,
                at: time_of(a.at)?,
                item: items.get(a.item as usize)?.clone(),
                rating: a.rating,
                kind: a.kind,
                took_ms: a.took_ms,
                last_interval: a.last_interval,
                days: a.days,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let item_of = code.answers.iter().map(|a| a.item).collect();
    let mut states = HashMap::with_capacity(code.states.len());
    for (card, variant, state) in code.states {
        states.insert(item_of_code((card, variant))?, state.state()?);
    }
    let points = code
        .points
        .into_iter()
        .map(|(at, item, covered, total)| Some((time_of(at)?, item_of_code(item)?, covered, total)))
        .collect::<Option<Vec<_>>>()?;
    let mocks = code
        .mocks
        .into_iter()
        .map(|(d, started, ended)| Some((d, time_of(started)?, time_of(ended)?)))
        .collect::<Option<Vec<_>>>()?;
    Some(HistoryParts {
        marks,
        states,
        answers,
        items,
        item_of,
        points,
        mocks,
        warnings: code.warnings,
    })
}

/// Reads the cached history: `None` when there is none, it is damaged, from
/// another version or other settings (`key`), or a journal changed under it.
pub fn read_history(
    dir: &DataDir,
    key: u64,
    journals: &BTreeMap<String, PathBuf>,
) -> Option<HistoryParts> {
    let bytes = fs::read(dir.cached_history()).ok()?;
    decode_history(&bytes, key, journals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(id: &str) -> Card {
        Card {
            id: CardId::new(id).unwrap(),
            id_pinned: true,
            kind: CardKind::Rubric,
            front: "front".into(),
            back: "back".into(),
            topic: "t".into(),
            tags: vec!["a".into(), "b".into()],
            source: Some("src".into()),
            rubric: Rubric {
                points: vec!["p1".into(), "p2".into()],
                time_box: Some("10m".parse().unwrap()),
            },
            modified: Some(Timestamp::new(1_700_000_000, 5).unwrap()),
            added: Some(Timestamp::new(1_600_000_000, 7).unwrap()),
        }
    }

    #[test]
    fn deck_round_trips_and_checks_its_key() {
        let deck = Deck {
            slug: "s".into(),
            name: "Name".into(),
            description: "d".into(),
            cards: vec![card("a"), card("b")],
        };
        let key = SourceKey::of(b"text", None);
        let bytes = encode_deck(key, &deck);
        assert_eq!(decode_deck(&bytes, &key, "s"), Some(deck.clone()));
        let other = SourceKey::of(b"texT", None);
        assert_eq!(decode_deck(&bytes, &other, "s"), None);
        // Any damaged byte is caught by the payload hash.
        for at in [0, 9, 12, 20, HEADER_LEN + 3, bytes.len() - 1] {
            let mut broken = bytes.clone();
            broken[at] ^= 0x40;
            assert_eq!(decode_deck(&broken, &key, "s"), None, "byte {at}");
        }
        assert_eq!(decode_deck(&bytes[..bytes.len() - 1], &key, "s"), None);
        // A deck is never read as a state file, nor the other way round.
        assert!(unwrap(Kind::State, &bytes).is_none());
    }

    #[test]
    fn another_version_is_ignored() {
        let deck = Deck {
            slug: "s".into(),
            name: "N".into(),
            description: String::new(),
            cards: vec![card("a")],
        };
        let key = SourceKey::of(b"x", None);
        let mut bytes = encode_deck(key, &deck);
        bytes[8..12].copy_from_slice(&(CACHE_VERSION + 1).to_le_bytes());
        assert_eq!(decode_deck(&bytes, &key, "s"), None);
    }

    #[test]
    fn state_round_trips_while_the_journal_only_grows() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("dev.ron");
        let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(&journal, &content).unwrap();
        let journals = BTreeMap::from([("dev".to_string(), journal.clone())]);
        let item: ItemId = "x:c2".parse().unwrap();
        let mut snapshot = Snapshot {
            version: SNAPSHOT_VERSION,
            ..Snapshot::default()
        };
        snapshot.journals.insert(
            "dev".into(),
            JournalMark {
                bytes: 150_000,
                last_id: 7,
            },
        );
        snapshot.cards.insert(
            item.clone(),
            CardState {
                phase: Phase::Relearning { step: 1 },
                memory: Some(Memory {
                    stability: 1.5,
                    difficulty: 7.0,
                }),
                due: Some(Timestamp::new(1_800_000_000, 1).unwrap()),
                last_review: Some(Timestamp::new(1_799_000_000, 0).unwrap()),
                interval_days: 3,
                reps: 9,
                lapses: 2,
                leech: true,
                suspended: true,
                buried_day: Some(20_000),
            },
        );
        // With and without the interval load balancing chose: serde skips
        // `days` when absent, which a format without field names must not.
        snapshot.recent.push(AnswerRecord {
            device: "dev".into(),
            id: 6,
            at: Timestamp::new(1_798_000_000, 0).unwrap(),
            item: item.clone(),
            rating: Rating::Good,
            kind: AnswerKind::Review,
            took_ms: 900,
            last_interval: 2,
            days: Some(3),
        });
        snapshot.recent.push(AnswerRecord {
            device: "dev".into(),
            id: 7,
            at: Timestamp::new(1_799_000_000, 0).unwrap(),
            item,
            rating: Rating::Hard,
            kind: AnswerKind::Relearning,
            took_ms: 1200,
            last_interval: 3,
            days: None,
        });
        let bytes = encode_state(&snapshot, &journals).unwrap();
        assert_eq!(decode_state(&bytes, &journals), Some(snapshot.clone()));
        // Appended lines keep the seal.
        let mut longer = content.clone();
        longer.extend_from_slice(b"more\n");
        fs::write(&journal, &longer).unwrap();
        assert_eq!(decode_state(&bytes, &journals), Some(snapshot.clone()));
        // A change inside the sealed end breaks it.
        let mut changed = content.clone();
        changed[149_999] ^= 1;
        fs::write(&journal, &changed).unwrap();
        assert_eq!(decode_state(&bytes, &journals), None);
        // So does a journal cut short, or gone.
        fs::write(&journal, &content[..100_000]).unwrap();
        assert_eq!(decode_state(&bytes, &journals), None);
        assert_eq!(decode_state(&bytes, &BTreeMap::new()), None);
    }
}
