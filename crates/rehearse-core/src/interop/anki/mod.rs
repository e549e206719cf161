//! Anki packages (`.apkg`, `.colpkg`): reading them, turning their notes and
//! progress into Rehearse cards, and writing Rehearse cards back out.
//!
//! Three steps, each a function:
//!
//! 1. [`read_package`] opens a package in either of the formats Anki writes
//!    (current: `collection.anki21b`, zstd-compressed SQLite schema 18 with a
//!    protobuf `meta` and media map; legacy: `collection.anki21` or
//!    `collection.anki2`, plain SQLite schema 11 with JSON in the `col` row and
//!    a JSON media map) and gives an [`AnkiPackage`]: decks, notes with their
//!    HTML fields and tags, cards with their scheduling and review log, and
//!    the media files.
//! 2. [`to_rehearse`] turns that into Rehearse [`Card`]s (fields converted
//!    from HTML to Markdown by [`html_to_markdown`]) and, for every study
//!    item, its history and current [`CardState`].
//! 3. [`write_package`] writes Rehearse cards, their progress and media as a
//!    legacy-format package (schema 11, `meta` = `08 02`), which every Anki
//!    since 2.1.50 imports (fields converted by [`markdown_to_html`]).
//!
//! **Nothing half-read.** A package that is broken or hostile (not a zip, a
//! truncated or corrupt entry, a zip or zstd bomb, a media name that is a
//! path, an unknown package or schema version, a database that is not SQLite
//! or lacks a table) gives an [`AnkiError`] and nothing else. Sizes are capped
//! by [`Limits`] while decompressing, never by trusting declared sizes.
//!
//! **Identity.** A card imported from Anki gets the id `anki-<guid>` (see
//! [`card_id_for_guid`]), so importing the same package again finds the same
//! cards. Exporting gives the guid back, so Anki recognises its own notes;
//! cards written in Rehearse get the guid `rehearse:<id>`, which comes back
//! as `<id>` when imported.

mod convert;
mod html;
mod proto;
mod read;
mod sqlite;
mod write;

use std::collections::BTreeMap;

use jiff::Timestamp;

pub use convert::{card_id_for_guid, guid_for_card_id, to_rehearse};
pub use html::{html_to_markdown, markdown_to_html};
pub use read::read_package;

/// The SHA-1 of `data` in hex, as Anki names media files by content.
pub fn sha1_hex(data: &[u8]) -> String {
    sha1_smol::Sha1::from(data).digest().to_string()
}
pub use write::write_package;

use crate::deck::{Card, ItemId, Variant};
use crate::schedule::{CardState, Rating};

/// Caps on what [`read_package`] will decompress, so that a small hostile
/// file cannot exhaust memory or disk. Sizes are counted while reading,
/// never taken from the file's own claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest package accepted, in bytes as given.
    pub max_package_bytes: u64,
    /// Largest single entry once decompressed (by zip or by zstd), in bytes.
    pub max_entry_bytes: u64,
    /// Largest total of all decompressed data, in bytes.
    pub max_total_bytes: u64,
    /// Most entries in the zip.
    pub max_entries: usize,
    /// All decompressed data together may be at most this many times the
    /// package's size (but see [`Self::min_expansion_bytes`]): real packages
    /// hold SQLite and already compressed media, which expand a few times at
    /// most; a bomb expands a thousandfold.
    pub max_expansion: u64,
    /// Decompressed data allowed whatever the package's size, so that small
    /// packages with a very compressible collection still open.
    pub min_expansion_bytes: u64,
}

impl Default for Limits {
    /// 1 GiB package, 512 MiB per entry, 2 GiB in all and at most 100 times
    /// the package (64 MiB at least), 100 000 entries: room for large real
    /// decks with audio, far from what a bomb needs.
    fn default() -> Self {
        Self {
            max_package_bytes: 1 << 30,
            max_entry_bytes: 512 << 20,
            max_total_bytes: 2 << 30,
            max_entries: 100_000,
            max_expansion: 100,
            min_expansion_bytes: 64 << 20,
        }
    }
}

/// Which of the [`Limits`] a package went over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    /// [`Limits::max_package_bytes`].
    Package,
    /// [`Limits::max_entry_bytes`].
    Entry,
    /// [`Limits::max_total_bytes`].
    Total,
    /// [`Limits::max_expansion`] times the package's size.
    Expansion,
}

impl std::fmt::Display for LimitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LimitKind::Package => "the limit for a package",
            LimitKind::Entry => "the limit for one file once decompressed",
            LimitKind::Total => "the limit for all files together once decompressed",
            LimitKind::Expansion => {
                "the most a real package expands to once decompressed (in all, relative to its size)"
            }
        })
    }
}

/// Why a package could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnkiError {
    /// Not a zip archive, or a truncated or damaged one.
    #[error("not a readable Anki package: {0}")]
    Zip(String),
    /// Something decompresses to more than [`Limits`] allow. Refused as soon
    /// as the running count passes the limit, before reading further.
    #[error("{what} passed {kind} ({limit} bytes); the package may be damaged or a zip bomb")]
    TooLarge {
        /// What was being read.
        what: String,
        /// The limit it went over, in bytes.
        limit: u64,
        /// Which limit that is.
        kind: LimitKind,
    },
    /// More zip entries than [`Limits::max_entries`].
    #[error("the package has {count} entries, more than the limit of {limit}")]
    TooManyEntries {
        /// Entries in the zip.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The `meta` entry names a package version this reader does not know.
    #[error(
        "unsupported Anki package version {0}; it was probably written by a newer Anki (known: 1 to 3)"
    )]
    UnsupportedVersion(i64),
    /// The collection has a schema version this reader does not know.
    #[error("unsupported Anki collection schema version {0} (known: 11 and 15 to 18)")]
    UnsupportedSchema(i64),
    /// A required entry or table is absent.
    #[error("the package has no {0}")]
    Missing(String),
    /// An entry or record could not be decoded.
    #[error("{what} is corrupt: {message}")]
    Corrupt {
        /// What was being decoded.
        what: String,
        /// What went wrong.
        message: String,
    },
    /// A media file name that could escape the media folder or is otherwise
    /// unusable as a file name.
    #[error("media file name {name:?} is not allowed: {reason}")]
    MediaName {
        /// The name as found (or given, when writing).
        name: String,
        /// Why it is refused.
        reason: String,
    },
    /// The collection database could not be opened or queried.
    #[error("the collection database cannot be read: {0}")]
    Database(String),
    /// A temporary file could not be written.
    #[error("temporary file: {0}")]
    Io(String),
    /// Something in the input to [`write_package`] cannot be exported.
    #[error("cannot export: {0}")]
    Export(String),
}

impl From<rusqlite::Error> for AnkiError {
    fn from(e: rusqlite::Error) -> Self {
        AnkiError::Database(e.to_string())
    }
}

/// The package format, from the `meta` entry (or its absence).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageFormat {
    /// No `meta`, `collection.anki2` only (Anki 2.0 and early 2.1).
    Legacy1,
    /// `meta` version 2, or no `meta` and a `collection.anki21`.
    Legacy2,
    /// `meta` version 3: `collection.anki21b`, zstd everywhere.
    Latest,
}

/// Everything read from a package.
#[derive(Clone, Debug, PartialEq)]
pub struct AnkiPackage {
    /// How the package was written.
    pub format: PackageFormat,
    /// The collection's schema version (11 or 15–18).
    pub schema: u32,
    /// The collection's creation time (`col.crt`): review due days count from it.
    pub created: Timestamp,
    /// Every deck in the package, in name order; a note is in the deck of
    /// its first card. Parents appear even when they hold no notes.
    pub decks: Vec<AnkiDeck>,
    /// Media files by name. Names are checked: no path separators, no `..`.
    pub media: BTreeMap<String, Vec<u8>>,
    /// Things skipped because they made no sense (a card without its note,
    /// say); the rest was read.
    pub warnings: Vec<String>,
}

impl AnkiPackage {
    /// All notes, deck by deck.
    pub fn notes(&self) -> impl Iterator<Item = &AnkiNote> {
        self.decks.iter().flat_map(|d| d.notes.iter())
    }

    /// All cards, note by note.
    pub fn cards(&self) -> impl Iterator<Item = &AnkiCard> {
        self.notes().flat_map(|n| n.cards.iter())
    }
}

/// A deck and the notes whose first card is in it.
#[derive(Clone, Debug, PartialEq)]
pub struct AnkiDeck {
    /// Anki's id for the deck, within this package.
    pub id: i64,
    /// Full name, levels joined with `::` (`Parent::Child`).
    pub name: String,
    /// A filtered (dynamic) deck. Its cards are listed under their home deck.
    pub filtered: bool,
    /// Notes, by note id (creation order).
    pub notes: Vec<AnkiNote>,
}

/// What a note type is, as far as conversion cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// "Basic": Front → Back.
    Basic,
    /// "Basic (and reversed card)": both ways.
    BasicAndReversed,
    /// "Basic (optional reversed card)": the reverse exists when the third
    /// field is filled.
    BasicOptionalReversed,
    /// "Basic (type in the answer)".
    BasicTyping,
    /// "Cloze": `{{c1::...}}` deletions in the first field.
    Cloze,
    /// "Image Occlusion": not representable in Rehearse.
    ImageOcclusion,
    /// Any other note type (its first field is the front, the others the back).
    Other,
}

/// A note: the content shared by its cards.
#[derive(Clone, Debug, PartialEq)]
pub struct AnkiNote {
    /// Anki's id for the note, within this package.
    pub id: i64,
    /// The note's global identity: the same note has the same guid in every
    /// package and collection.
    pub guid: String,
    /// The note type's name.
    pub notetype: String,
    /// The note type's kind.
    pub kind: NoteKind,
    /// The note type's field names, in order.
    pub field_names: Vec<String>,
    /// Field contents, verbatim HTML, in the note type's order.
    pub fields: Vec<String>,
    /// Tags (hierarchy levels joined with `::`).
    pub tags: Vec<String>,
    /// Last modified.
    pub modified: Timestamp,
    /// The note's cards, by ordinal.
    pub cards: Vec<AnkiCard>,
}

/// `cards.type`: where a card is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardType {
    /// Never studied.
    New,
    /// In the learning steps.
    Learning,
    /// Graduated.
    Review,
    /// Forgotten, in the relearning steps.
    Relearning,
}

/// `cards.queue`: which queue a card is shown from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// 0.
    New,
    /// 1: learning, due at a time of day.
    Learning,
    /// 2.
    Review,
    /// 3: learning with steps of a day or more, due on a day.
    DayLearning,
    /// 4: previewed in a filtered deck.
    Preview,
    /// −1: suspended by the user.
    Suspended,
    /// −2: buried with its siblings by the scheduler.
    SchedulerBuried,
    /// −3: buried by the user.
    UserBuried,
}

/// When a card is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// A new card's position in the new queue.
    Position(i64),
    /// A studied card's due time: exact for learning cards (`due` in Unix
    /// seconds), the start of the due day for the others (`due` in days from
    /// the package's creation time).
    At(Timestamp),
}

/// FSRS memory state stored with a card (`cards.data`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FsrsState {
    /// Stability `s`, in days.
    pub stability: f32,
    /// Difficulty `d`, 1–10.
    pub difficulty: f32,
    /// Desired retention `dr`, when stored.
    pub desired_retention: Option<f32>,
}

/// A card: one study item of a note.
#[derive(Clone, Debug, PartialEq)]
pub struct AnkiCard {
    /// Anki's id for the card, within this package.
    pub id: i64,
    /// Template index; for cloze notes, the cloze number − 1.
    pub ord: u16,
    /// The card's home deck (its original deck while in a filtered deck).
    pub deck: String,
    /// `cards.type`.
    pub card_type: CardType,
    /// `cards.queue`.
    pub queue: Queue,
    /// `cards.due`, converted.
    pub due: Due,
    /// Interval in days (`ivl`).
    pub interval_days: u32,
    /// SM-2 ease in permille (`factor`, 2500 = 250 %), 0 when unset.
    pub ease_permille: u32,
    /// Answers given.
    pub reps: u32,
    /// Times forgotten after graduating.
    pub lapses: u32,
    /// The user's flag colour (1–7), 0 for none.
    pub flag: u8,
    /// FSRS memory state from `cards.data`, when stored (never for new cards).
    pub fsrs: Option<FsrsState>,
    /// Last review time from `cards.data` (`lrt`), when stored.
    pub last_review: Option<Timestamp>,
    /// The card's review log, oldest first.
    pub reviews: Vec<AnkiReview>,
}

impl AnkiCard {
    /// True when the user suspended the card.
    pub fn is_suspended(&self) -> bool {
        self.queue == Queue::Suspended
    }
}

/// `revlog.type`: the card's state when it was answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewKind {
    /// 0: learning.
    Learn,
    /// 1: review.
    Review,
    /// 2: relearning.
    Relearn,
    /// 3: in a filtered deck.
    Filtered,
    /// 4: a manual change (rescheduled or reset by the user), not an answer.
    Manual,
    /// 5: rescheduled by FSRS, not an answer.
    Rescheduled,
    /// Any other value.
    Unknown(u8),
}

/// One line of the review log.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AnkiReview {
    /// `revlog.id`: the answer time in milliseconds since the Unix epoch.
    pub id: i64,
    /// The same, as a time.
    pub at: Timestamp,
    /// The button: 1 Again … 4 Easy; 0 for manual entries.
    pub ease: u8,
    /// Interval given: positive days, or negative seconds.
    pub interval: i64,
    /// The interval before: positive days, or negative seconds.
    pub last_interval: i64,
    /// Ease (SM-2, permille) or difficulty (FSRS, ×100) after the answer.
    pub factor: u32,
    /// Milliseconds spent answering.
    pub took_ms: u32,
    /// The card's state when answered.
    pub kind: ReviewKind,
}

impl AnkiReview {
    /// The answer as a Rehearse rating; `None` for entries that are not
    /// answers (manual changes, reschedules).
    pub fn rating(&self) -> Option<Rating> {
        match self.kind {
            ReviewKind::Manual | ReviewKind::Rescheduled => None,
            _ => Rating::from_number(u32::from(self.ease)),
        }
    }
}

/// An Anki package turned into Rehearse cards and progress.
#[derive(Clone, Debug, PartialEq)]
pub struct Converted {
    /// The cards, each with the name of the deck it goes into.
    pub cards: Vec<ConvertedCard>,
    /// Progress for every study item an Anki card became (new ones too, with
    /// [`CardState::new`] unless suspended), in card order.
    pub items: Vec<ItemProgress>,
    /// Notes or cards that could not be converted, and why.
    pub warnings: Vec<String>,
}

impl Converted {
    /// The cards as `(deck name, card)` pairs, the shape
    /// [`Collection::import_cards`](crate::Collection::import_cards) takes.
    pub fn card_pairs(&self) -> Vec<(String, Card)> {
        self.cards
            .iter()
            .map(|c| (c.deck.clone(), c.card.clone()))
            .collect()
    }
}

/// A Rehearse card made from an Anki note.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvertedCard {
    /// Deck name, levels joined with `::`.
    pub deck: String,
    /// The card. Its id is [`card_id_for_guid`] of the note's guid.
    pub card: Card,
    /// The Anki note's guid.
    pub guid: String,
}

/// One answer in an item's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReviewEntry {
    /// When it was answered.
    pub at: Timestamp,
    /// The button pressed.
    pub rating: Rating,
    /// Milliseconds spent.
    pub took_ms: u32,
}

/// The scheduling of one study item: its history and where it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemProgress {
    /// The item (`id`, `id:rev` or `id:cN`).
    pub item: ItemId,
    /// Taken out of study by the user (the same as `state.suspended`).
    pub suspended: bool,
    /// Answers, oldest first.
    pub reviews: Vec<ReviewEntry>,
    /// The current state.
    pub state: CardState,
}

/// What [`write_package`] writes.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportInput {
    /// The notes to write, in order.
    pub notes: Vec<ExportNote>,
    /// Media files by name (referenced from cards as `media/<name>`).
    pub media: BTreeMap<String, Vec<u8>>,
    /// The time of the export: ids, modification times and the collection's
    /// creation day come from it.
    pub now: Timestamp,
}

/// One card to write, with its progress.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportNote {
    /// Deck name, levels joined with `::`.
    pub deck: String,
    /// The card (Markdown). Basic → "Basic", Reversed → "Basic (and
    /// reversed card)", Cloze → "Cloze".
    pub card: Card,
    /// Progress of the card's items; an item not listed is written as new.
    pub progress: Vec<ExportProgress>,
}

/// Progress of one item, for [`ExportNote`].
#[derive(Clone, Debug, PartialEq)]
pub struct ExportProgress {
    /// Which item of the card.
    pub variant: Variant,
    /// Its current state (suspension included).
    pub state: CardState,
    /// Its answers, oldest first.
    pub reviews: Vec<ReviewEntry>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha1_hex_gives_known_digests() {
        assert_eq!(
            super::sha1_hex(b""),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        assert_eq!(
            super::sha1_hex(b"abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            super::sha1_hex(&[b'a'; 1000]),
            "291e9a6c66994949b57ba5e650361e98fc36b1ba"
        );
    }
}
