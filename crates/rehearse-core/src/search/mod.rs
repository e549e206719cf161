//! The card browser's search language and sorted listing.
//!
//! A query is a list of whitespace-separated terms; an item must match all of
//! them (`and` between terms may be written or left out). `or` between terms
//! matches either, and binds looser than `and`, as in Anki: `a b or c` is
//! `(a b) or c`. Parentheses group: `(tag:sql or tag:nosql) is:due`. Any term
//! or group can be negated with a leading `-`. To search for the word "or",
//! quote it.
//!
//! | term | matches |
//! |---|---|
//! | `word` | `word` anywhere in the card's front or back, ignoring case (cloze cards: the raw text); `*` matches any run of characters and `_` any one: `index*`, `d_g` |
//! | `"two words"` | the phrase, spaces included, the same way |
//! | `deck:NAME` | the deck's slug or name, ignoring case; `*` and `_` wildcards: `deck:data*`; `deck:"A name"` |
//! | `tag:NAME` | cards with that tag, ignoring case; wildcards as for decks: `tag:net*` |
//! | `topic:NAME` | cards with that topic, ignoring case; quotes and wildcards allowed |
//! | `front:TEXT` `back:TEXT` | the whole field is TEXT (ignoring case); with wildcards, `front:*index*` |
//! | `re:PATTERN` | a regular expression over the front and back, ignoring case: `re:"b-?tree"` |
//! | `card:N` | the item: cloze number N, or 1 for a card's front and 2 for its reverse |
//! | `is:buried` | buried for today by hand (`-` in study), or a new or review side kept for tomorrow because another side of the card was answered today |
//! | `is:new` `is:learning` `is:review` | the phase (`learning` includes relearning; `review` is graduated) |
//! | `is:due` | not suspended, not new, and due before the next study day starts |
//! | `is:suspended` `is:leech` | suspended items, leeches |
//! | `prop:r<0.8` | predicted recall now (`r`), stability (`s`), difficulty (`d`) |
//! | `prop:ivl>=10` | the interval in days |
//! | `prop:reps>5` `prop:lapses>=3` | answers given, times forgotten (0 for new items) |
//! | `prop:due<=3` | due within 3 study days of today (`prop:due<0` is overdue) |
//! | `nc:TEXT` | the text in the front or back with accents removed from both (`nc:uber` finds über); wildcards allowed |
//! | `rated:N` | answered in the last N study days, today included |
//! | `rated:N:EASE` | answered with button EASE (1 again … 4 easy) in the last N study days (needs the history) |
//! | `introduced:N` | first answered in the last N study days (needs the history) |
//! | `added:N` | added in the last N study days ([`crate::deck::Card::added`]) |
//! | `edited:N` | changed in the last N study days ([`crate::deck::Card::modified`], else the card's added time, else its deck file's) |
//!
//! Properties compare with `<`, `<=`, `>`, `>=`, `=` or `!=`. New items have
//! no recall, stability, difficulty, interval or due date, so those
//! properties never match them. Quotes have no escapes; a `:` after a word of
//! letters starts a key (`std::vec` is text, `foo:bar` is an unknown key; put
//! text with such a colon in quotes). The empty query matches everything.
//!
//! [`search`] evaluates a [`Query`] over a whole collection and [`sort`]
//! orders the resulting rows by a [`SortColumn`].

use std::str::FromStr;

use jiff::Timestamp;

use crate::collection::{Collection, History, ItemRef};
use crate::schedule::Rating;

mod eval;
mod print;
mod query;
mod sort;

pub use eval::search;
use eval::{Prepared, Scratch};
pub use query::parse;
pub use sort::{SortColumn, sort};

/// A query that could not be parsed: where, and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("at {position}: {message}")]
pub struct QueryError {
    /// The index, in characters from 0, of the character the problem starts at.
    pub position: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

/// A parsed search query. Build one with [`parse`] (or `str::parse`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    /// The terms, which [`Self::expr`] refers to by index.
    terms: Vec<Term>,
    /// How the terms combine.
    expr: Expr,
}

/// How terms combine: a tree of and, or and not over the terms.
#[derive(Clone, Debug, Default, PartialEq)]
enum Expr {
    /// The empty query: everything.
    #[default]
    All,
    /// One term, by index into [`Query::terms`].
    Leaf(usize),
    /// All must match (cheap tests first: the order does not change the result).
    And(Vec<Expr>),
    /// One must match.
    Or(Vec<Expr>),
    /// Must not match.
    Not(Box<Expr>),
}

/// A compiled regular expression, compared by its pattern.
#[derive(Clone, Debug)]
struct Re(regex::Regex);

impl PartialEq for Re {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// Which side of a card a field search looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Front,
    Back,
}

#[derive(Clone, Debug, PartialEq)]
struct Term {
    negated: bool,
    test: Test,
}

#[derive(Clone, Debug, PartialEq)]
enum Test {
    /// Lowercased text to find in the front or the back.
    Text(String),
    /// A pattern to find in the lowercased front or back (text with
    /// wildcards, or `re:`).
    Find(Re),
    /// The whole lowercased field matches the pattern (as written, lowercased).
    Field(Side, String, Re),
    /// Text or a pattern (as written, lowercased and without accents) to
    /// find in the front or back with their accents removed: `nc:`.
    NoCombining(String, Option<Re>),
    /// The item's side: cloze number, or 1 front and 2 reverse.
    CardNumber(u16),
    Deck(Pattern),
    Tag(Pattern),
    Topic(Pattern),
    Is(Status),
    Prop(Property, Cmp, f64),
    /// Due within this many study days of today.
    DueIn(Cmp, i32),
    /// Answered in the last this many study days.
    Rated(i32),
    /// Answered with this button in the last this many study days (needs
    /// the history).
    RatedAs(i32, Rating),
    /// Added in the last this many study days.
    Added(i32),
    /// Changed in the last this many study days.
    Edited(i32),
    /// First answered in the last this many study days (needs the history).
    Introduced(i32),
}

impl Test {
    /// Relative cost, for evaluating cheap tests first.
    fn cost(&self) -> u8 {
        match self {
            Test::Deck(_) => 0,
            Test::Tag(_) | Test::Topic(_) => 1,
            Test::Is(_) | Test::DueIn(..) | Test::Rated(_) => 2,
            Test::Added(_) | Test::Edited(_) => 1,
            Test::RatedAs(..) | Test::Introduced(_) => 1,
            Test::NoCombining(..) => 6,
            Test::Prop(p, ..) => {
                if *p == Property::Retrievability {
                    3
                } else {
                    2
                }
            }
            Test::CardNumber(_) => 0,
            Test::Text(_) => 4,
            Test::Find(_) | Test::Field(..) => 5,
        }
    }
}

/// A lowercased name, matched exactly or as a prefix (trailing `*`), or
/// against a wildcard pattern (`*` or `_` elsewhere).
#[derive(Clone, Debug, PartialEq)]
struct Pattern {
    /// As written after the key, lowercased (for printing).
    raw: String,
    text: String,
    prefix: bool,
    glob: Option<Re>,
}

impl Pattern {
    fn matches(&self, name: &str) -> bool {
        if let Some(Re(re)) = &self.glob {
            return re.is_match(&lowercase(name));
        }
        if name.is_ascii() && self.text.is_ascii() {
            let (name, text) = (name.as_bytes(), self.text.as_bytes());
            return if self.prefix {
                name.len() >= text.len() && name[..text.len()].eq_ignore_ascii_case(text)
            } else {
                name.eq_ignore_ascii_case(text)
            };
        }
        let mut lower = name.chars().flat_map(char::to_lowercase);
        for expected in self.text.chars() {
            if lower.next() != Some(expected) {
                return false;
            }
        }
        self.prefix || lower.next().is_none()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Buried,
    New,
    Learning,
    Due,
    Review,
    Suspended,
    Leech,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Property {
    Retrievability,
    Stability,
    Difficulty,
    Interval,
    Reps,
    Lapses,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Cmp {
    fn holds<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
        }
    }
}

/// Keys a term may start with, for error messages.
const KEYS: &str = "deck:, tag:, topic:, front:, back:, re:, nc:, card:, is:, prop:, rated:, added:, edited: and introduced:";
const STATUSES: &str = "new, learning, due, review, suspended, leech or buried";
const PROPERTIES: &str = "r, s, d, due, ivl, reps or lapses";
const OPERATORS: &str = "<, <=, >, >=, = or !=";
/// Day offsets beyond this are clamped (about 2,700 years).
const MAX_DAYS: i32 = 1_000_000;

/// Unicode-aware lowercase, character by character (the same mapping is used
/// for the searched text, so the two always agree).
fn lowercase(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// `s` without combining marks (accents), as Anki's `nc:` compares: `über`
/// becomes `uber`. Characters are decomposed first, so precomposed and
/// combining spellings of the same letter agree.
fn fold_accents(s: &str) -> String {
    use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};
    s.nfd().filter(|c| !is_combining_mark(*c)).collect()
}

impl FromStr for Query {
    type Err = QueryError;
    fn from_str(s: &str) -> Result<Self, QueryError> {
        parse(s)
    }
}

/// A query that parsed but cannot be answered with what was given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// The query searches the review history (its key is given), which the
    /// caller must load first ([`Collection::history_loader`]).
    #[error("`{0}` searches the review history, which is not loaded yet")]
    NeedsHistory(&'static str),
}

impl Query {
    /// True for the empty query, which matches everything.
    pub fn is_empty(&self) -> bool {
        self.expr == Expr::All
    }

    /// The key of the first term that needs the full review history
    /// (`introduced:` or `rated:N:EASE`), if any: [`search`] must be given
    /// the history for such a query.
    pub fn needs_history(&self) -> Option<&'static str> {
        self.terms.iter().find_map(|t| match t.test {
            Test::Introduced(_) => Some("introduced:"),
            Test::RatedAs(..) => Some("rated:N:EASE"),
            _ => None,
        })
    }

    /// Whether one item matches at `now`. For many items use [`search`],
    /// which prepares the query once.
    pub fn matches(
        &self,
        collection: &Collection,
        item: &ItemRef,
        now: Timestamp,
        history: Option<&History>,
    ) -> Result<bool, SearchError> {
        Ok(Prepared::new(self, collection, now, history)?.eval(item, &mut Scratch::default()))
    }
}
