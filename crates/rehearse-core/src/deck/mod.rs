//! Decks and cards as a person writes them, and the study items they expand into.
//!
//! A deck file is RON (see README.md, "The deck format"). A [`Card`] is what the
//! author writes; an [`ItemId`] names one thing that gets scheduled. A basic card
//! has one item, a reversed card two (front→back and back→front), a cloze card
//! one per cloze number. Progress is keyed by [`ItemId`], so editing a card's text
//! or moving it to another deck keeps its progress.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod pin;

pub use pin::pin_ids;

/// Longest id accepted, to keep file names, journals and tables sane.
const MAX_ID_LEN: usize = 64;

/// FNV-1a, 64 bits: a stable fingerprint, the same on every machine and run.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// A card's stable identity. Letters, digits, `-`, `_` and `.` only.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CardId(String);

impl CardId {
    /// Validates `s` as a card id.
    pub fn new(s: impl Into<String>) -> Result<Self, String> {
        let s = s.into();
        if s.is_empty() {
            return Err("a card id cannot be empty".into());
        }
        if s.len() > MAX_ID_LEN {
            return Err(format!(
                "card id `{s}` is longer than {MAX_ID_LEN} characters"
            ));
        }
        // Bytes first: ids are checked by the hundred thousand at start.
        let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
        if s.bytes().all(allowed) {
            return Ok(Self(s));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return Err(format!(
                "card id `{s}` contains `{c}`; use letters, digits, `-`, `_` or `.`"
            ));
        }
        Ok(Self(s))
    }

    /// Derives an id from a card's front text, for hand-written cards without one.
    /// Stable across runs and machines (FNV-1a over the whitespace-normalised text).
    pub fn derived_from(front: &str) -> Self {
        let normalised: String = front.split_whitespace().collect::<Vec<_>>().join(" ");
        Self(format!("h{:012x}", fnv1a(normalised.as_bytes()) >> 16))
    }

    /// A readable, practically unique id for a card written now: words of its
    /// front and a short stamp (`why-is-tcp-slow-start-3f2a`). Unlike
    /// [`CardId::derived_from`], two cards with the same front get different ids.
    pub fn for_new_card(front: &str, now: jiff::Timestamp) -> Self {
        let words: Vec<String> = crate::collection::slugify(front)
            .split('-')
            .filter(|w| !w.is_empty())
            .take(5)
            .map(str::to_string)
            .collect();
        let stamp = now.as_nanosecond() as u64 ^ fnv1a(front.as_bytes());
        let base: String = words
            .join("-")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(40)
            .collect();
        let base = if base.is_empty() {
            "card".to_string()
        } else {
            base
        };
        Self::new(format!("{base}-{:04x}", stamp & 0xffff))
            .unwrap_or_else(|_| Self::derived_from(front))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CardId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::new(s)
    }
}

impl From<CardId> for String {
    fn from(id: CardId) -> String {
        id.0
    }
}

impl fmt::Display for CardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a card turns into study items.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardKind {
    /// Front asks, back answers.
    #[default]
    Basic,
    /// Studied both ways: front→back and back→front.
    Reversed,
    /// `{{c1::text}}` deletions in the front; one item per cloze number.
    Cloze,
    /// An open-ended prompt answered aloud, then marked against key points.
    Rubric,
}

/// What an interviewer listens for in an answer to a [`CardKind::Rubric`]
/// prompt, and how long the answer should take.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rubric {
    /// The key points, each a short line.
    pub points: Vec<String>,
    /// The time the answer should fit in.
    pub time_box: Option<crate::schedule::Step>,
}

/// Points a rubric needs at the least, and the longest a point may be.
pub const RUBRIC_MIN_POINTS: usize = 2;
/// The longest a rubric point may be, in characters.
pub const RUBRIC_POINT_MAX_CHARS: usize = 120;

/// Which side of a card an item shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    /// The card as written.
    Forward,
    /// Back as the question, front as the answer.
    Reverse,
    /// Cloze number N (1-based) hidden.
    Cloze(u16),
}

/// One scheduled thing: a card and the variant of it being asked.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItemId {
    /// The card the item belongs to.
    pub card: CardId,
    /// Which way it is asked.
    pub variant: Variant,
}

impl ItemId {
    /// The forward item of a card.
    pub fn forward(card: CardId) -> Self {
        Self {
            card,
            variant: Variant::Forward,
        }
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.variant {
            Variant::Forward => write!(f, "{}", self.card),
            Variant::Reverse => write!(f, "{}:rev", self.card),
            Variant::Cloze(n) => write!(f, "{}:c{n}", self.card),
        }
    }
}

impl std::str::FromStr for ItemId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (card, variant) = match s.rsplit_once(':') {
            None => (s, Variant::Forward),
            Some((card, "rev")) => (card, Variant::Reverse),
            Some((card, rest)) => {
                let n = rest
                    .strip_prefix('c')
                    .and_then(|n| n.parse::<u16>().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("`{s}`: expected `id`, `id:rev` or `id:cN`"))?;
                (card, Variant::Cloze(n))
            }
        };
        Ok(Self {
            card: CardId::new(card)?,
            variant,
        })
    }
}

impl TryFrom<String> for ItemId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<ItemId> for String {
    fn from(id: ItemId) -> String {
        id.to_string()
    }
}

/// A card as the author wrote it.
#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    /// Stable identity; progress follows it.
    pub id: CardId,
    /// False when the file gave no id and it was derived from the front.
    pub id_pinned: bool,
    /// Basic, reversed or cloze.
    pub kind: CardKind,
    /// Markdown shown as the question.
    pub front: String,
    /// Markdown shown as the answer.
    pub back: String,
    /// The topic the card belongs to, for weak-topic analysis.
    pub topic: String,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// Where the content came from.
    pub source: Option<String>,
    /// Key points and time box; empty unless the kind is [`CardKind::Rubric`].
    pub rubric: Rubric,
    /// When the content was last changed, for cards that came from an Anki
    /// package: the note's modification time there (`notes.mod`). Importing
    /// a package again updates the card only when the package's note is
    /// newer, as Anki does. `None` for cards written here, whose deck file's
    /// modification time stands in for it; editing a card clears it.
    pub modified: Option<jiff::Timestamp>,
    /// When the card was added: written by the editor and imports (from an
    /// Anki note's id, which is its creation time). `None` for cards written
    /// by hand in a deck file, which `added:N` searches never match.
    pub added: Option<jiff::Timestamp>,
}

impl Card {
    /// The study items this card expands into, in a stable order.
    pub fn items(&self) -> Vec<ItemId> {
        let item = |variant| ItemId {
            card: self.id.clone(),
            variant,
        };
        match self.kind {
            CardKind::Basic => vec![item(Variant::Forward)],
            CardKind::Reversed => vec![item(Variant::Forward), item(Variant::Reverse)],
            CardKind::Rubric => vec![item(Variant::Forward)],
            CardKind::Cloze => cloze_numbers(&self.front)
                .into_iter()
                .map(|n| item(Variant::Cloze(n)))
                .collect(),
        }
    }

    /// The question and answer Markdown for one variant of this card.
    pub fn render(&self, variant: Variant) -> (String, String) {
        match variant {
            Variant::Forward if self.kind == CardKind::Rubric => {
                let mut answer = String::from("**What an interviewer listens for**\n");
                for p in &self.rubric.points {
                    answer.push_str(&format!("\n- {p}"));
                }
                if !self.back.trim().is_empty() {
                    answer.push_str("\n\n---\n\n");
                    answer.push_str(&self.back);
                }
                (self.front.clone(), answer)
            }
            Variant::Forward => (self.front.clone(), self.back.clone()),
            Variant::Reverse => (self.back.clone(), self.front.clone()),
            Variant::Cloze(n) => {
                let question = render_cloze(&self.front, n, false);
                let mut answer = render_cloze(&self.front, n, true);
                if !self.back.trim().is_empty() {
                    answer.push_str("\n\n---\n\n");
                    answer.push_str(&self.back);
                }
                (question, answer)
            }
        }
    }
}

/// One `{{cN::text::hint}}` deletion found in a cloze text.
struct ClozeSpan<'a> {
    start: usize,
    end: usize,
    number: u16,
    text: &'a str,
    hint: Option<&'a str>,
}

fn cloze_spans(text: &str) -> Vec<ClozeSpan<'_>> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("{{c").map(|i| i + from) {
        let after = &text[open + 3..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let Some(close) = text[open..].find("}}").map(|i| i + open) else {
            break;
        };
        let body_start = open + 3 + digits;
        if digits == 0 || !text[body_start..].starts_with("::") || close < body_start + 2 {
            from = open + 3;
            continue;
        }
        let number = after[..digits].parse::<u16>().unwrap_or(0);
        let body = &text[body_start + 2..close];
        let (text_part, hint) = match body.split_once("::") {
            Some((t, h)) => (t, Some(h)),
            None => (body, None),
        };
        if number > 0 {
            spans.push(ClozeSpan {
                start: open,
                end: close + 2,
                number,
                text: text_part,
                hint,
            });
        }
        from = close + 2;
    }
    spans
}

/// Where a `{{cN::` deletion opens without a `}}` closing it before the next
/// deletion or the end: (line, column) of the opening, 1-based.
pub fn unclosed_cloze(text: &str) -> Option<(usize, usize)> {
    let opener = |from: usize| {
        let mut at = from;
        while let Some(i) = text[at..].find("{{c").map(|i| i + at) {
            let digits = text[i + 3..].bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 && text[i + 3 + digits..].starts_with("::") {
                return Some((i, i + 3 + digits + 2));
            }
            at = i + 3;
        }
        None
    };
    let mut from = 0;
    while let Some((open, body)) = opener(from) {
        let next = opener(body).map_or(text.len(), |(n, _)| n);
        match text[body..].find("}}").map(|c| c + body) {
            Some(close) if close < next => from = close + 2,
            _ => return Some(line_column(text, open)),
        }
    }
    None
}

/// The distinct cloze numbers in `text`, ascending.
pub fn cloze_numbers(text: &str) -> Vec<u16> {
    let set: BTreeSet<u16> = cloze_spans(text).iter().map(|s| s.number).collect();
    set.into_iter().collect()
}

fn render_cloze(text: &str, active: u16, reveal: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for span in cloze_spans(text) {
        out.push_str(&text[last..span.start]);
        if span.number == active {
            if reveal {
                out.push_str(&bold_lines(span.text));
            } else {
                match span.hint {
                    Some(h) => out.push_str(&format!("**[{h}]**")),
                    None => out.push_str("**[…]**"),
                }
            }
        } else {
            out.push_str(span.text);
        }
        last = span.end;
    }
    out.push_str(&text[last..]);
    out
}

/// Markdown emphasis cannot span lines: a deletion over several lines is
/// bolded line by line, keeping each line's indentation and list marker.
fn bold_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let body = line.trim_start();
            let indent = &line[..line.len() - body.len()];
            let (marker, rest) = match body.split_once(' ') {
                Some((m, r))
                    if m == "-"
                        || m == "*"
                        || m.trim_end_matches('.').parse::<u32>().is_ok() && m.ends_with('.') =>
                {
                    (format!("{m} "), r)
                }
                _ => (String::new(), body),
            };
            if rest.trim().is_empty() {
                line.to_string()
            } else {
                format!("{indent}{marker}**{}**", rest.trim_end())
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A deck: a named list of cards, loaded from `decks/<slug>.ron`.
#[derive(Clone, Debug, PartialEq)]
pub struct Deck {
    /// The file stem, used as the deck's key.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// One-paragraph description.
    pub description: String,
    /// Cards in file order (new cards are introduced in this order).
    pub cards: Vec<Card>,
}

/// The serialised shape of a deck file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeckFile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub cards: Vec<CardFile>,
}

/// The serialised shape of one card.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CardFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "is_basic")]
    pub kind: CardKind,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// A rubric card's answer time, e.g. `"10m"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_box: Option<crate::schedule::Step>,
    pub front: String,
    #[serde(default)]
    pub back: String,
    /// A rubric card's key points.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added: Option<jiff::Timestamp>,
}

fn is_basic(kind: &CardKind) -> bool {
    *kind == CardKind::Basic
}

/// A deck file that could not be read or parsed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DeckError {
    /// The file could not be read.
    #[error("{path}: cannot read: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        message: String,
    },
    /// The file is not a valid deck.
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was expected.
        message: String,
    },
}

/// A problem found by [`validate`] that does not stop the deck from loading
/// unless it is an error.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// True when the card cannot be studied as written.
    pub is_error: bool,
    /// The card concerned, when one is.
    pub card: Option<CardId>,
    /// Human-readable description.
    pub message: String,
}

/// Parses a deck from text. `path` names the file in errors; its stem is the slug.
pub fn parse_deck(text: &str, path: &Path) -> Result<Deck, DeckError> {
    let file: DeckFile = ron_options().from_str(text).map_err(|e| DeckError::Parse {
        path: path.to_path_buf(),
        line: e.span.start.line,
        column: e.span.start.col,
        message: e.code.to_string(),
    })?;
    let mut cards = Vec::with_capacity(file.cards.len());
    for c in file.cards {
        let (id, id_pinned) = match c.id {
            Some(raw) => {
                // A bad id is reported where the card is; find its line for the user.
                let id = CardId::new(raw.clone()).map_err(|message| {
                    let (line, column) = locate(text, &raw);
                    DeckError::Parse {
                        path: path.to_path_buf(),
                        line,
                        column,
                        message,
                    }
                })?;
                (id, true)
            }
            None => (CardId::derived_from(&c.front), false),
        };
        cards.push(Card {
            id,
            id_pinned,
            kind: c.kind,
            front: c.front,
            back: c.back,
            topic: c.topic.trim().to_string(),
            tags: c.tags,
            source: c.source,
            rubric: Rubric {
                points: c.points,
                time_box: c.time_box,
            },
            modified: c.modified,
            added: c.added,
        });
    }
    Ok(Deck {
        slug: slug_of(path),
        name: file.name,
        description: file.description,
        cards,
    })
}

/// Hand-written decks say `id: "x"`, not `id: Some("x")`.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Reads and parses a deck file.
pub fn load_deck(path: &Path) -> Result<Deck, DeckError> {
    let bytes = std::fs::read(path).map_err(|e| DeckError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let text = utf8(&bytes, path)?;
    parse_deck(text, path)
}

/// The text of a file, or a parse error at the first byte that is not UTF-8.
pub fn utf8<'a>(bytes: &'a [u8], path: &Path) -> Result<&'a str, DeckError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        // Columns count characters, as the RON parser's do.
        let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        DeckError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: format!(
                "not UTF-8 text (byte 0x{:02x}); save the file as UTF-8",
                bytes[e.valid_up_to()]
            ),
        }
    })
}

/// The deck key for a file: its stem.
pub fn slug_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn locate(text: &str, needle: &str) -> (usize, usize) {
    match text.find(&format!("\"{needle}\"")) {
        Some(at) => line_column(text, at),
        None => (1, 1),
    }
}

/// The 1-based line and column (in characters) of byte offset `at`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Checks a deck's cards: empty sides, cloze cards without deletions, ids used
/// twice within the deck, missing topics.
pub fn validate(deck: &Deck) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen: HashMap<&CardId, usize> = HashMap::new();
    for (index, card) in deck.cards.iter().enumerate() {
        // Formatted only when there is something to report: decks can be large.
        let label = || format!("card {} (`{}`)", index + 1, card.id);
        let mut error = |message: String| {
            problems.push(Problem {
                is_error: true,
                card: Some(card.id.clone()),
                message,
            })
        };
        if card.front.trim().is_empty() {
            error(format!("{}: the front is empty", label()));
        }
        if card.kind == CardKind::Cloze
            && let Some((line, column)) = unclosed_cloze(&card.front)
        {
            error(format!(
                "{}: the deletion opened at line {line}, column {column} is never closed with `}}}}`",
                label()
            ));
        }
        rubric_problems(card, &mut |m| error(format!("{}: {m}", label())));
        match card.kind {
            CardKind::Cloze if cloze_numbers(&card.front).is_empty() => error(format!(
                "{}: a Cloze card needs at least one `{{{{c1::...}}}}` deletion in its front",
                label()
            )),
            // The reverse item would ask an empty question.
            CardKind::Reversed if card.back.trim().is_empty() => error(format!(
                "{}: the back is empty, and a reversed card asks it as a question",
                label()
            )),
            _ => {}
        }
        if let Some(first) = seen.insert(&card.id, index) {
            error(format!(
                "{}: id `{}` is already used by card {}",
                label(),
                card.id,
                first + 1
            ));
        }
        // A front-only card is legitimate (Anki has many): it is studied as a
        // prompt to recall, so this is only pointed out.
        let empty_back = card.kind == CardKind::Basic
            && card.back.trim().is_empty()
            && !card.front.trim().is_empty();
        if empty_back {
            problems.push(Problem {
                is_error: false,
                card: Some(card.id.clone()),
                message: format!("{}: the back is empty", label()),
            });
        }
        if card.topic.is_empty() {
            problems.push(Problem {
                is_error: false,
                card: Some(card.id.clone()),
                message: format!(
                    "{}: no topic; weak-topic views will list it as \"(none)\"",
                    label()
                ),
            });
        }
        if !card.id_pinned {
            problems.push(Problem {
                is_error: false,
                card: Some(card.id.clone()),
                message: format!(
                    "{}: no id; derived `{}` from the front, which changes if the front is edited (write `id: \"{}\"` to pin it)",
                    label(),
                    card.id,
                    card.id
                ),
            });
        }
    }
    problems
}

/// What is wrong with a card's rubric: too few points, points too long or
/// empty, or points on a card that is not a rubric.
fn rubric_problems(card: &Card, error: &mut dyn FnMut(String)) {
    let points = &card.rubric.points;
    if card.kind != CardKind::Rubric {
        if !points.is_empty() || card.rubric.time_box.is_some() {
            error("`points` and `time_box` belong to `kind: Rubric` cards".into());
        }
        return;
    }
    if points.len() < RUBRIC_MIN_POINTS {
        error(format!(
            "a Rubric card needs at least {RUBRIC_MIN_POINTS} key points; it has {}",
            points.len()
        ));
    }
    for (n, p) in points.iter().enumerate() {
        let chars = p.chars().count();
        if p.trim().is_empty() {
            error(format!("key point {} is empty", n + 1));
        } else if chars > RUBRIC_POINT_MAX_CHARS {
            error(format!(
                "key point {} is {chars} characters; keep each under {RUBRIC_POINT_MAX_CHARS}",
                n + 1
            ));
        }
    }
}

/// Serialises a deck in the canonical, hand-editable layout. Fails only if
/// a value will not serialise; then nothing must be written (an empty deck
/// file would lose every card).
pub fn to_ron(deck: &Deck) -> Result<String, ron::Error> {
    let file = DeckFile {
        name: deck.name.clone(),
        description: deck.description.clone(),
        cards: deck
            .cards
            .iter()
            .map(|c| CardFile {
                id: Some(c.id.to_string()),
                kind: c.kind,
                topic: c.topic.clone(),
                tags: c.tags.clone(),
                source: c.source.clone(),
                time_box: c.rubric.time_box,
                points: c.rubric.points.clone(),
                front: c.front.clone(),
                back: c.back.clone(),
                modified: c.modified,
                added: c.added,
            })
            .collect(),
    };
    let config = ron::ser::PrettyConfig::new()
        .indentor("    ".to_string())
        .escape_strings(false)
        .separate_tuple_members(false);
    Ok(ron_options().to_string_pretty(&file, config)? + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deck(text: &str) -> Result<Deck, DeckError> {
        parse_deck(text, Path::new("decks/test.ron"))
    }

    #[test]
    fn parses_minimal_deck_and_derives_ids() {
        let d = deck(r#"(name: "T", cards: [(front: "Q?", back: "A")])"#).unwrap();
        assert_eq!(d.slug, "test");
        assert_eq!(d.cards.len(), 1);
        assert!(!d.cards[0].id_pinned);
        assert_eq!(d.cards[0].id, CardId::derived_from("Q?"));
        assert_eq!(CardId::derived_from("Q?"), CardId::derived_from("  Q? "));
        assert_ne!(CardId::derived_from("Q?"), CardId::derived_from("Q!"));
    }

    #[test]
    fn parse_error_has_line_and_column() {
        let err = deck("(name: \"T\",\n cards: [\n  (front: \"Q\", bakc: \"A\")\n ])").unwrap_err();
        match err {
            DeckError::Parse {
                line,
                column,
                message,
                ..
            } => {
                assert_eq!(line, 3);
                assert!(column > 1, "column {column}");
                assert!(message.contains("bakc"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn item9_invalid_utf8_is_reported_with_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin1.ron");
        std::fs::write(
            &path,
            b"(name: \"T\",\n cards: [(front: \"caf\xe9\", back: \"A\")])",
        )
        .unwrap();
        match load_deck(&path).unwrap_err() {
            DeckError::Parse {
                line,
                column,
                message,
                ..
            } => {
                assert_eq!((line, column), (2, 22), "{message}");
                assert!(message.contains("UTF-8"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn bad_id_is_a_positioned_error() {
        let err =
            deck("(name: \"T\",\n cards: [(id: \"a b\", front: \"Q\", back: \"A\")])").unwrap_err();
        assert!(matches!(err, DeckError::Parse { line: 2, .. }), "{err:?}");
    }

    #[test]
    fn items_per_kind() {
        let d = deck(
            r#"(name: "T", cards: [
                (id: "b", front: "Q", back: "A"),
                (id: "r", kind: Reversed, front: "Term", back: "Def"),
                (id: "c", kind: Cloze, front: "{{c1::A}} and {{c2::B::hint}} and {{c1::C}}"),
            ])"#,
        )
        .unwrap();
        let ids: Vec<String> = d
            .cards
            .iter()
            .flat_map(|c| c.items())
            .map(|i| i.to_string())
            .collect();
        assert_eq!(ids, ["b", "r", "r:rev", "c:c1", "c:c2"]);
        for s in &ids {
            assert_eq!(&s.parse::<ItemId>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn multi_line_deletions_bold_each_line() {
        assert_eq!(bold_lines("one"), "**one**");
        assert_eq!(
            bold_lines("a\n\n- b\n  2. c"),
            "**a**\n\n- **b**\n  2. **c**"
        );
    }

    #[test]
    fn unclosed_clozes_are_found() {
        assert_eq!(unclosed_cloze("{{c1::a}} and {{c2::b}}"), None);
        assert_eq!(unclosed_cloze("{{c1::a}} and {{c3::b"), Some((1, 15)));
        assert_eq!(unclosed_cloze("{{c1::a\n{{c2::b}}"), Some((1, 1)));
        assert_eq!(unclosed_cloze("x\n  {{c2::b::hint"), Some((2, 3)));
        assert_eq!(unclosed_cloze("no {{ deletions }} here"), None);
        let deck = parse_deck(
            "(name: \"d\", cards: [(id: \"c\", kind: Cloze, topic: \"t\", front: \"{{c1::a}} {{c3::b\")])",
            Path::new("d.ron"),
        )
        .unwrap();
        let problems = validate(&deck);
        assert!(
            problems
                .iter()
                .any(|p| p.is_error && p.message.contains("never closed")),
            "{problems:?}"
        );
    }

    #[test]
    fn cloze_rendering() {
        let card = Card {
            id: CardId::new("c").unwrap(),
            id_pinned: true,
            kind: CardKind::Cloze,
            front: "{{c1::A}} and {{c2::B::hint}}".into(),
            back: "extra".into(),
            topic: String::new(),
            tags: vec![],
            source: None,
            rubric: Rubric::default(),
            modified: None,
            added: None,
        };
        let (q, a) = card.render(Variant::Cloze(2));
        assert_eq!(q, "A and **[hint]**");
        assert!(a.starts_with("A and **B**"));
        assert!(a.ends_with("extra"));
        let (q1, _) = card.render(Variant::Cloze(1));
        assert_eq!(q1, "**[…]** and B");
    }

    #[test]
    fn validation_finds_problems() {
        let d = deck(
            r#"(name: "T", cards: [
                (id: "a", front: "Q", back: ""),
                (id: "a", front: "Q2", back: "A"),
                (id: "c", kind: Cloze, front: "no deletions"),
                (id: "r", kind: Reversed, front: "Term", back: " "),
            ])"#,
        )
        .unwrap();
        let errors: Vec<_> = validate(&d).into_iter().filter(|p| p.is_error).collect();
        assert_eq!(errors.len(), 3, "{errors:?}");
    }

    #[test]
    fn item6_an_empty_back_is_a_warning_not_an_error() {
        let d = deck(
            r#"(name: "T", cards: [
                (id: "front-only", topic: "t", front: "Recite the OSI layers"),
                (id: "cloze", topic: "t", kind: Cloze, front: "{{c1::TCP}} is reliable"),
            ])"#,
        )
        .unwrap();
        let problems = validate(&d);
        assert!(problems.iter().all(|p| !p.is_error), "{problems:?}");
        let warned: Vec<_> = problems
            .iter()
            .filter(|p| p.message.contains("the back is empty"))
            .collect();
        assert_eq!(warned.len(), 1, "{problems:?}");
        assert_eq!(warned[0].card.as_ref().unwrap().as_str(), "front-only");
    }

    #[test]
    fn ron_round_trip() {
        let text = r#"(name: "T", description: "d", cards: [
            (id: "x", kind: Cloze, topic: "t", tags: ["a"], source: "s", front: "say \"{{c1::hi}}\"\nline2", back: ""),
        ])"#;
        let d = deck(text).unwrap();
        let again = deck(&to_ron(&d).unwrap()).unwrap();
        assert_eq!(d, again);
    }
}
