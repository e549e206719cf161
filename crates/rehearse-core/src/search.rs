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
//! | `rated:N` | answered in the last N study days, today included |
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

use crate::collection::{Collection, ItemRef};
use crate::deck::Card;
use crate::schedule::{CardState, Phase};

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
    /// The whole lowercased field matches.
    Field(Side, Re),
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
}

impl Test {
    /// Relative cost, for evaluating cheap tests first.
    fn cost(&self) -> u8 {
        match self {
            Test::Deck(_) => 0,
            Test::Tag(_) | Test::Topic(_) => 1,
            Test::Is(_) | Test::DueIn(..) | Test::Rated(_) => 2,
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
const KEYS: &str = "deck:, tag:, topic:, front:, back:, re:, card:, is:, prop: and rated:";
const STATUSES: &str = "new, learning, due, review, suspended, leech or buried";
const PROPERTIES: &str = "r, s, d, due, ivl, reps or lapses";
const OPERATORS: &str = "<, <=, >, >=, = or !=";
/// Day offsets beyond this are clamped (about 2,700 years).
const MAX_DAYS: i32 = 1_000_000;

/// Parses a search query (see the module documentation for the language).
pub fn parse(query: &str) -> Result<Query, QueryError> {
    let mut parser = Parser {
        chars: query.chars().collect(),
        pos: 0,
    };
    let mut terms = Vec::new();
    parser.skip_whitespace();
    if parser.peek().is_none() {
        return Ok(Query::default());
    }
    let expr = parser.or_expr(&mut terms)?;
    parser.skip_whitespace();
    if parser.peek().is_some() {
        return Err(error(
            parser.pos,
            "this `)` closes no `(`; put a `(` before it, or quote text with a bracket",
        ));
    }
    Ok(Query { terms, expr })
}

/// A text term: plain, or a pattern when it has wildcards.
fn text_test(text: String, start: usize) -> Result<Test, QueryError> {
    if has_wildcard(&text) {
        glob(&text, false)
            .map(Test::Find)
            .map_err(|e| error(start, format!("this pattern: {e}")))
    } else {
        Ok(Test::Text(text))
    }
}

/// Why an Anki search key has no counterpart here yet.
fn unsupported_reason(key: &str) -> &'static str {
    match key {
        "added" => "it does not record when a card was added",
        "edited" => "it does not record when a card was last edited",
        "introduced" => {
            "the first answer of each card is in the full history, which the browser does not read"
        }
        "flag" => "cards have no flags; use a tag",
        "nc" => "accent-insensitive search is not built",
        _ => "Anki's notes and presets have no counterpart here",
    }
}

/// Characters that are wildcards in text and names.
fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '_'])
}

/// A regular expression for a lowercased wildcard pattern: `*` any run of
/// characters, `_` any one; the rest literal.
fn glob(pattern: &str, whole: bool) -> Result<Re, regex::Error> {
    let mut re = String::from("(?s)");
    if whole {
        re.push('^');
    }
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '_' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    if whole {
        re.push('$');
    }
    regex::Regex::new(&re).map(Re)
}

impl FromStr for Query {
    type Err = QueryError;
    fn from_str(s: &str) -> Result<Self, QueryError> {
        parse(s)
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

fn error(position: usize, message: impl Into<String>) -> QueryError {
    QueryError {
        position,
        message: message.into(),
    }
}

/// "`x`", or "nothing" for an empty string.
fn found(s: &str) -> String {
    if s.is_empty() {
        "nothing".to_string()
    } else {
        format!("`{s}`")
    }
}

/// Unicode-aware lowercase, character by character (the same mapping is used
/// for the searched text, so the two always agree).
fn lowercase(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at_term_end(&self) -> bool {
        self.peek().is_none_or(|c| c.is_whitespace() || c == ')')
    }

    /// `a or b or c`: any of the parts.
    fn or_expr(&mut self, terms: &mut Vec<Term>) -> Result<Expr, QueryError> {
        let mut alternatives = vec![self.and_expr(terms)?];
        loop {
            self.skip_whitespace();
            if !self.keyword("or") {
                break;
            }
            alternatives.push(self.and_expr(terms)?);
        }
        Ok(match alternatives.len() {
            1 => alternatives.pop().unwrap_or_default(),
            _ => Expr::Or(alternatives),
        })
    }

    /// `a b` or `a and b`: all of the parts, cheap tests first.
    fn and_expr(&mut self, terms: &mut Vec<Term>) -> Result<Expr, QueryError> {
        let mut parts = Vec::new();
        loop {
            self.skip_whitespace();
            match self.peek() {
                None | Some(')') => break,
                _ if self.at_keyword("or") => break,
                _ if self.keyword("and") => continue,
                _ => parts.push(self.unary(terms)?),
            }
        }
        if parts.is_empty() {
            let what = match self.peek() {
                Some(')') => "`)`".to_string(),
                Some(_) => "`or`".to_string(),
                None => "the end".to_string(),
            };
            return Err(error(
                self.pos,
                format!("expected a search term before {what}"),
            ));
        }
        let cost = |e: &Expr| match e {
            Expr::Leaf(i) => terms.get(*i).map_or(9, |t| t.test.cost()),
            _ => 9,
        };
        parts.sort_by_key(cost);
        Ok(match parts.len() {
            1 => parts.pop().unwrap_or_default(),
            _ => Expr::And(parts),
        })
    }

    /// A term, a `( ... )` group, or either negated with `-`.
    fn unary(&mut self, terms: &mut Vec<Term>) -> Result<Expr, QueryError> {
        if self.peek() == Some('-') && self.chars.get(self.pos + 1) == Some(&'(') {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.group(terms)?)));
        }
        if self.peek() == Some('(') {
            return self.group(terms);
        }
        terms.push(self.term()?);
        Ok(Expr::Leaf(terms.len() - 1))
    }

    fn group(&mut self, terms: &mut Vec<Term>) -> Result<Expr, QueryError> {
        let open = self.pos;
        self.pos += 1;
        self.skip_whitespace();
        if self.peek() == Some(')') {
            return Err(error(
                open,
                "these brackets hold nothing; put search terms inside",
            ));
        }
        let inner = self.or_expr(terms)?;
        self.skip_whitespace();
        if self.peek() != Some(')') {
            return Err(error(open, "this `(` is never closed; add a `)`"));
        }
        self.pos += 1;
        Ok(inner)
    }

    /// Whether the next bare word is `word` (any case) as an operator.
    fn at_keyword(&self, word: &str) -> bool {
        let n = word.chars().count();
        let here: String = self.chars.iter().skip(self.pos).take(n).collect();
        here.eq_ignore_ascii_case(word)
            && self
                .chars
                .get(self.pos + n)
                .is_none_or(|c| c.is_whitespace() || *c == '(' || *c == '-')
    }

    /// Consumes the operator `word` if it comes next.
    fn keyword(&mut self, word: &str) -> bool {
        if self.at_keyword(word) {
            self.pos += word.chars().count();
            true
        } else {
            false
        }
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Characters up to the next whitespace.
    fn bare(&mut self) -> String {
        let start = self.pos;
        while !self.at_term_end() {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    /// A `"..."` string starting at the current position, which is a quote.
    /// It must be followed by whitespace or the end of the query.
    fn quoted(&mut self) -> Result<String, QueryError> {
        let open = self.pos;
        self.pos += 1;
        let start = self.pos;
        while self.peek().is_some_and(|c| c != '"') {
            self.pos += 1;
        }
        if self.peek().is_none() {
            return Err(error(
                open,
                "this quote is never closed; add a `\"` at the end of the phrase",
            ));
        }
        let text = self.chars[start..self.pos].iter().collect();
        self.pos += 1;
        if let Some(c) = self.peek().filter(|c| !c.is_whitespace() && *c != ')') {
            return Err(error(
                self.pos,
                format!("expected a space after the closing quote, found `{c}`"),
            ));
        }
        Ok(text)
    }

    fn term(&mut self) -> Result<Term, QueryError> {
        let start = self.pos;
        let negated = self.peek() == Some('-');
        if negated {
            self.pos += 1;
            if self.at_term_end() {
                return Err(error(
                    start,
                    "expected a search term after `-` (put a lone dash in quotes: \"-\")",
                ));
            }
        }
        let text_start = self.pos;
        let test = if self.peek() == Some('"') {
            text_test(lowercase(&self.quoted()?), text_start)?
        } else {
            self.keyed_or_text()?
        };
        Ok(Term { negated, test })
    }

    fn keyed_or_text(&mut self) -> Result<Test, QueryError> {
        let start = self.pos;
        let mut end = start;
        while self.chars.get(end).is_some_and(|c| c.is_alphabetic()) {
            end += 1;
        }
        let is_key = end > start
            && self.chars.get(end) == Some(&':')
            && self.chars.get(end + 1) != Some(&':');
        if !is_key {
            return text_test(lowercase(&self.bare()), start);
        }
        let key: String = self.chars[start..end].iter().collect();
        self.pos = end + 1;
        match key.to_lowercase().as_str() {
            "deck" => Ok(Test::Deck(self.pattern("deck", "a deck name or slug")?)),
            "tag" => Ok(Test::Tag(self.pattern("tag", "a tag")?)),
            "topic" => Ok(Test::Topic(self.pattern("topic", "a topic")?)),
            "is" => self.status(),
            "prop" => self.property(),
            "rated" => self.rated(),
            "front" => self.field(Side::Front),
            "back" => self.field(Side::Back),
            "re" => self.regex(),
            "card" => self.card_number(),
            "added" | "edited" | "introduced" | "flag" | "nc" | "dupe" | "note" | "mid" | "nid"
            | "cid" | "preset" | "resched" => Err(error(
                start,
                format!(
                    "Rehearse cannot search by `{key}:` yet ({}); the known keys are {KEYS}",
                    unsupported_reason(&key)
                ),
            )),
            _ => Err(error(
                start,
                format!(
                    "unknown key `{key}:`; the known keys are {KEYS} (to search for text with a colon, put it in quotes)"
                ),
            )),
        }
    }

    /// A name after `key:`, bare or quoted, with an optional trailing `*`.
    fn pattern(&mut self, key: &str, what: &str) -> Result<Pattern, QueryError> {
        let start = self.pos;
        let quoted = self.peek() == Some('"');
        let raw = if quoted { self.quoted()? } else { self.bare() };
        if raw.is_empty() {
            return Err(error(start, format!("expected {what} after `{key}:`")));
        }
        let (body, prefix) = match raw.strip_suffix('*') {
            Some(body) => (body, true),
            None => (raw.as_str(), false),
        };
        let glob = if has_wildcard(body) {
            Some(
                glob(&lowercase(&raw), true)
                    .map_err(|e| error(start, format!("this {key} pattern: {e}")))?,
            )
        } else {
            None
        };
        Ok(Pattern {
            text: lowercase(body),
            prefix,
            glob,
        })
    }

    fn status(&mut self) -> Result<Test, QueryError> {
        let start = self.pos;
        let value = self.bare();
        let status = match value.to_lowercase().as_str() {
            "new" => Status::New,
            "learning" => Status::Learning,
            "due" => Status::Due,
            "review" => Status::Review,
            "suspended" => Status::Suspended,
            "leech" => Status::Leech,
            "buried" => Status::Buried,
            "" => {
                return Err(error(start, format!("expected {STATUSES} after `is:`")));
            }
            _ => {
                return Err(error(
                    start,
                    format!("unknown `is:` value `{value}`; expected {STATUSES}"),
                ));
            }
        };
        Ok(Test::Is(status))
    }

    fn property(&mut self) -> Result<Test, QueryError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_alphabetic()) {
            self.pos += 1;
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        let property = match name.to_lowercase().as_str() {
            "r" => Some(Property::Retrievability),
            "s" => Some(Property::Stability),
            "d" => Some(Property::Difficulty),
            "ivl" => Some(Property::Interval),
            "reps" => Some(Property::Reps),
            "lapses" => Some(Property::Lapses),
            "due" => None,
            "" => {
                let rest = self.bare();
                return Err(error(
                    start,
                    format!(
                        "expected a property ({PROPERTIES}) after `prop:`, found {}",
                        found(&rest)
                    ),
                ));
            }
            _ => {
                return Err(error(
                    start,
                    format!("unknown property `{name}`; expected {PROPERTIES}"),
                ));
            }
        };
        let op_start = self.pos;
        let next = self.chars.get(self.pos + 1).copied();
        let (cmp, len) = match (self.peek(), next) {
            (Some('<'), Some('=')) => (Cmp::Le, 2),
            (Some('>'), Some('=')) => (Cmp::Ge, 2),
            (Some('!'), Some('=')) => (Cmp::Ne, 2),
            (Some('<'), _) => (Cmp::Lt, 1),
            (Some('>'), _) => (Cmp::Gt, 1),
            (Some('='), _) => (Cmp::Eq, 1),
            _ => {
                let rest = self.bare();
                return Err(error(
                    op_start,
                    format!(
                        "expected a comparison ({OPERATORS}) after `prop:{name}`, found {}",
                        found(&rest)
                    ),
                ));
            }
        };
        self.pos += len;
        let operator: String = self.chars[op_start..self.pos].iter().collect();
        let value_start = self.pos;
        let value = self.bare();
        match property {
            None => match value.parse::<i32>() {
                Ok(days) => Ok(Test::DueIn(cmp, days.clamp(-MAX_DAYS, MAX_DAYS))),
                Err(_) => Err(error(
                    value_start,
                    format!(
                        "expected a whole number of days after `prop:{name}{operator}`, found {}",
                        found(&value)
                    ),
                )),
            },
            Some(property) => match value.parse::<f64>() {
                Ok(number) if number.is_finite() => Ok(Test::Prop(property, cmp, number)),
                _ => Err(error(
                    value_start,
                    format!(
                        "expected a number after `prop:{name}{operator}`, found {}",
                        found(&value)
                    ),
                )),
            },
        }
    }

    /// `front:TEXT`: the whole field, with wildcards.
    fn field(&mut self, side: Side) -> Result<Test, QueryError> {
        let start = self.pos;
        let raw = if self.peek() == Some('"') {
            self.quoted()?
        } else {
            self.bare()
        };
        let name = if side == Side::Front { "front" } else { "back" };
        if raw.is_empty() {
            return Err(error(
                start,
                format!("expected the text of the {name} after `{name}:`, as in `{name}:*index*`"),
            ));
        }
        glob(&lowercase(&raw), true)
            .map(|re| Test::Field(side, re))
            .map_err(|e| error(start, format!("this {name} pattern: {e}")))
    }

    /// `re:PATTERN`, ignoring case.
    fn regex(&mut self) -> Result<Test, QueryError> {
        let start = self.pos;
        let raw = if self.peek() == Some('"') {
            self.quoted()?
        } else {
            self.bare()
        };
        if raw.is_empty() {
            return Err(error(start, "expected a regular expression after `re:`"));
        }
        regex::RegexBuilder::new(&raw)
            .case_insensitive(true)
            .build()
            .map(|re| Test::Find(Re(re)))
            .map_err(|e| {
                let first = e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                error(
                    start,
                    format!("`{raw}` is not a regular expression: {first}"),
                )
            })
    }

    /// `card:N`.
    fn card_number(&mut self) -> Result<Test, QueryError> {
        let start = self.pos;
        let value = self.bare();
        match value.parse::<u16>() {
            Ok(n) if n >= 1 => Ok(Test::CardNumber(n)),
            _ => Err(error(
                start,
                format!(
                    "expected a number after `card:` (a cloze number, or 1 for the front and 2 for the reverse), found {}",
                    found(&value)
                ),
            )),
        }
    }

    fn rated(&mut self) -> Result<Test, QueryError> {
        let start = self.pos;
        let value = self.bare();
        if value.contains(':') {
            return Err(error(
                start,
                "Rehearse cannot search by `rated:N:EASE` yet (it keeps when each card was last answered, not with which button); `rated:N` works",
            ));
        }
        match value.parse::<u32>() {
            Ok(days) if days >= 1 => Ok(Test::Rated(
                i32::try_from(days).unwrap_or(MAX_DAYS).min(MAX_DAYS),
            )),
            _ => Err(error(
                start,
                format!(
                    "expected a number of days (1 or more) after `rated:`, found {}",
                    found(&value)
                ),
            )),
        }
    }
}

impl Query {
    /// True for the empty query, which matches everything.
    pub fn is_empty(&self) -> bool {
        self.expr == Expr::All
    }

    /// Whether one item matches at `now`. For many items use [`search`],
    /// which prepares the query once.
    pub fn matches(&self, collection: &Collection, item: &ItemRef, now: Timestamp) -> bool {
        Prepared::new(self, collection, now).eval(item, &mut Scratch::default())
    }
}

/// A query bound to a collection and an instant: per-deck answers and day
/// boundaries worked out once.
struct Prepared<'a> {
    collection: &'a Collection,
    now: Timestamp,
    checks: Vec<(bool, Check<'a>)>,
    expr: &'a Expr,
    /// Cards with a side answered today, and which: for `is:buried`.
    answered_today:
        std::collections::HashMap<&'a crate::deck::CardId, Vec<&'a crate::deck::ItemId>>,
}

enum Check<'a> {
    Text(&'a str),
    Find(&'a regex::Regex),
    Field(Side, &'a regex::Regex),
    CardNumber(u16),
    Buried,
    /// Whether each deck (by index) matches.
    Decks(Vec<bool>),
    Tag(&'a Pattern),
    Topic(&'a Pattern),
    New,
    Learning,
    Review,
    Suspended,
    Leech,
    /// Not suspended, not new, due before this instant.
    DueBefore(Timestamp),
    Prop(Property, Cmp, f64),
    /// Due in `[from, until)`, or outside it when `outside`.
    DueRange {
        from: Option<Timestamp>,
        until: Option<Timestamp>,
        outside: bool,
    },
    /// Last answered at or after this instant.
    RatedSince(Timestamp),
}

impl<'a> Prepared<'a> {
    fn new(query: &'a Query, collection: &'a Collection, now: Timestamp) -> Self {
        let clock = collection.scheduler().clock();
        let today = clock.day_of(now);
        let day_start = |offset: i32| clock.start_of_day(today.saturating_add(offset));
        let checks = query
            .terms
            .iter()
            .map(|term| {
                let check = match &term.test {
                    Test::Text(text) => Check::Text(text),
                    Test::Find(Re(re)) => Check::Find(re),
                    Test::Field(side, Re(re)) => Check::Field(*side, re),
                    Test::CardNumber(n) => Check::CardNumber(*n),
                    Test::Is(Status::Buried) => Check::Buried,
                    Test::Deck(p) => Check::Decks(
                        collection
                            .decks()
                            .iter()
                            .map(|d| p.matches(&d.slug) || p.matches(&d.name))
                            .collect(),
                    ),
                    Test::Tag(p) => Check::Tag(p),
                    Test::Topic(p) => Check::Topic(p),
                    Test::Is(Status::New) => Check::New,
                    Test::Is(Status::Learning) => Check::Learning,
                    Test::Is(Status::Review) => Check::Review,
                    Test::Is(Status::Suspended) => Check::Suspended,
                    Test::Is(Status::Leech) => Check::Leech,
                    Test::Is(Status::Due) => Check::DueBefore(day_start(1)),
                    Test::Prop(p, cmp, v) => Check::Prop(*p, *cmp, *v),
                    Test::DueIn(cmp, n) => {
                        // The due day minus today compared with n, as instants.
                        let (from, until, outside) = match cmp {
                            Cmp::Lt => (None, Some(day_start(*n)), false),
                            Cmp::Le => (None, Some(day_start(n + 1)), false),
                            Cmp::Gt => (Some(day_start(n + 1)), None, false),
                            Cmp::Ge => (Some(day_start(*n)), None, false),
                            Cmp::Eq => (Some(day_start(*n)), Some(day_start(n + 1)), false),
                            Cmp::Ne => (Some(day_start(*n)), Some(day_start(n + 1)), true),
                        };
                        Check::DueRange {
                            from,
                            until,
                            outside,
                        }
                    }
                    Test::Rated(n) => Check::RatedSince(day_start(1 - n)),
                };
                (term.negated, check)
            })
            .collect();
        let mut answered_today: std::collections::HashMap<_, Vec<_>> =
            std::collections::HashMap::new();
        if query
            .terms
            .iter()
            .any(|t| t.test == Test::Is(Status::Buried))
        {
            for r in collection.answers_today(now) {
                answered_today
                    .entry(&r.item.card)
                    .or_default()
                    .push(&r.item);
            }
        }
        Self {
            collection,
            now,
            checks,
            expr: &query.expr,
            answered_today,
        }
    }

    fn eval(&self, item: &ItemRef, scratch: &mut Scratch) -> bool {
        let Some(card) = card_of(self.collection, item) else {
            return false;
        };
        let mut state = None;
        self.eval_expr(self.expr, item, card, &mut state, scratch)
    }

    fn eval_expr<'s>(
        &'s self,
        expr: &Expr,
        item: &ItemRef,
        card: &Card,
        state: &mut Option<&'s CardState>,
        scratch: &mut Scratch,
    ) -> bool {
        match expr {
            Expr::All => true,
            Expr::Leaf(i) => match self.checks.get(*i) {
                Some((negated, check)) => self.leaf(check, item, card, state, scratch) != *negated,
                None => false,
            },
            Expr::And(parts) => parts
                .iter()
                .all(|e| self.eval_expr(e, item, card, state, scratch)),
            Expr::Or(parts) => parts
                .iter()
                .any(|e| self.eval_expr(e, item, card, state, scratch)),
            Expr::Not(inner) => !self.eval_expr(inner, item, card, state, scratch),
        }
    }

    fn leaf<'s>(
        &'s self,
        check: &Check<'_>,
        item: &ItemRef,
        card: &Card,
        state: &mut Option<&'s CardState>,
        scratch: &mut Scratch,
    ) -> bool {
        match check {
            Check::Text(needle) => scratch.load(item, card).contains(needle),
            Check::Find(re) => {
                let text = scratch.load(item, card);
                re.is_match(text.front) || re.is_match(text.back)
            }
            Check::Field(side, re) => {
                let text = scratch.load(item, card);
                re.is_match(match side {
                    Side::Front => text.front,
                    Side::Back => text.back,
                })
            }
            Check::CardNumber(n) => match item.id.variant {
                crate::deck::Variant::Forward => *n == 1,
                crate::deck::Variant::Reverse => *n == 2,
                crate::deck::Variant::Cloze(c) => c == *n,
            },
            Check::Decks(decks) => decks.get(item.deck).copied().unwrap_or(false),
            Check::Tag(p) => card.tags.iter().any(|t| p.matches(t)),
            Check::Topic(p) => p.matches(&card.topic),
            Check::Buried => {
                let state = *state.get_or_insert_with(|| self.collection.state(&item.id));
                let settings = self.collection.settings();
                let buries = match state.phase {
                    Phase::New => settings.bury_new_siblings,
                    Phase::Review => settings.bury_review_siblings,
                    _ => false,
                };
                let today = self.collection.scheduler().clock().day_of(self.now);
                state.buried_day == Some(today)
                    || buries
                        && !state.suspended
                        && self
                            .answered_today
                            .get(&item.id.card)
                            .is_some_and(|sides| sides.iter().any(|s| **s != item.id))
            }
            state_check => {
                let state = *state.get_or_insert_with(|| self.collection.state(&item.id));
                self.state_matches(state_check, state)
            }
        }
    }

    fn state_matches(&self, check: &Check<'_>, state: &CardState) -> bool {
        match check {
            Check::New => state.phase == Phase::New,
            Check::Learning => state.is_learning(),
            Check::Review => state.phase == Phase::Review,
            Check::Suspended => state.suspended,
            Check::Leech => state.leech,
            Check::DueBefore(tomorrow) => {
                !state.suspended
                    && state.phase != Phase::New
                    && state.due.is_some_and(|d| d < *tomorrow)
            }
            Check::Prop(property, cmp, value) => match property {
                Property::Retrievability => self
                    .collection
                    .scheduler()
                    .retrievability(state, self.now)
                    .is_some_and(|r| cmp.holds(r, *value as f32)),
                Property::Stability => state
                    .memory
                    .is_some_and(|m| cmp.holds(m.stability, *value as f32)),
                Property::Difficulty => state
                    .memory
                    .is_some_and(|m| cmp.holds(m.difficulty, *value as f32)),
                Property::Interval => {
                    state.phase != Phase::New && cmp.holds(f64::from(state.interval_days), *value)
                }
                Property::Reps => cmp.holds(f64::from(state.reps), *value),
                Property::Lapses => cmp.holds(f64::from(state.lapses), *value),
            },
            Check::DueRange {
                from,
                until,
                outside,
            } => state.due.is_some_and(|due| {
                let inside = from.is_none_or(|f| due >= f) && until.is_none_or(|u| due < u);
                inside != *outside
            }),
            Check::RatedSince(since) => state.last_review.is_some_and(|t| t >= *since),
            // Card-level checks are answered in `leaf`.
            Check::Text(_)
            | Check::Find(_)
            | Check::Field(..)
            | Check::CardNumber(_)
            | Check::Buried
            | Check::Decks(_)
            | Check::Tag(_)
            | Check::Topic(_) => false,
        }
    }

    /// Indices (offset by `base`) of the matching items in `items`.
    fn run(&self, items: &[ItemRef], base: usize) -> Vec<usize> {
        let mut scratch = Scratch::default();
        items
            .iter()
            .enumerate()
            .filter(|(_, item)| self.eval(item, &mut scratch))
            .map(|(i, _)| base + i)
            .collect()
    }
}

fn card_of<'c>(collection: &'c Collection, item: &ItemRef) -> Option<&'c Card> {
    collection.decks().get(item.deck)?.cards.get(item.card)
}

/// A card's lowercased front and back, kept while consecutive items (the
/// variants of one card) share them; the buffer is reused, so searching
/// allocates nothing per item.
#[derive(Default)]
struct Scratch {
    card: Option<(usize, usize)>,
    text: String,
    /// Where the back starts in `text`.
    split: usize,
}

/// The loaded text of one card.
struct CardText<'s> {
    front: &'s str,
    back: &'s str,
}

impl CardText<'_> {
    fn contains(&self, needle: &str) -> bool {
        self.front.contains(needle) || self.back.contains(needle)
    }
}

impl Scratch {
    fn load(&mut self, item: &ItemRef, card: &Card) -> CardText<'_> {
        let key = (item.deck, item.card);
        if self.card != Some(key) {
            self.text.clear();
            push_lowercase(&mut self.text, &card.front);
            self.split = self.text.len();
            push_lowercase(&mut self.text, &card.back);
            self.card = Some(key);
        }
        let (front, back) = self.text.split_at(self.split);
        CardText { front, back }
    }
}

/// Appends `s` lowercased as [`lowercase`] does, quickly for ASCII.
fn push_lowercase(out: &mut String, s: &str) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
    } else {
        out.extend(s.chars().flat_map(char::to_lowercase));
    }
}

/// Below this many items one thread does the work.
const PARALLEL_FROM: usize = 16_384;

fn worker_count(items: usize) -> usize {
    if items < PARALLEL_FROM {
        return 1;
    }
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
}

/// The indices into [`Collection::items`] of the items matching `query` at
/// `now`, ascending. Large collections are searched on several threads.
pub fn search(collection: &Collection, query: &Query, now: Timestamp) -> Vec<usize> {
    let items = collection.items();
    if query.is_empty() {
        return (0..items.len()).collect();
    }
    let prepared = Prepared::new(query, collection, now);
    let workers = worker_count(items.len());
    if workers <= 1 {
        return prepared.run(items, 0);
    }
    let chunk = items.len().div_ceil(workers);
    let prepared = &prepared;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| scope.spawn(move || prepared.run(part, n * chunk)))
            .collect();
        let mut found = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(part) => found.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        found
    })
}

/// A column of the card browser to sort by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortColumn {
    /// The deck's name, ignoring case.
    Deck,
    /// The card's front as written (cloze cards: the raw text), ignoring case.
    Front,
    /// The card's topic, ignoring case.
    Topic,
    /// The card's tags in written order, ignoring case.
    Tags,
    /// When the item is next due.
    Due,
    /// The interval in days.
    Interval,
    /// FSRS stability.
    Stability,
    /// FSRS difficulty.
    Difficulty,
    /// Predicted recall now.
    Retrievability,
    /// Times forgotten after graduating.
    Lapses,
}

impl SortColumn {
    /// Every column, in browser order.
    pub const ALL: [SortColumn; 10] = [
        SortColumn::Deck,
        SortColumn::Front,
        SortColumn::Topic,
        SortColumn::Tags,
        SortColumn::Due,
        SortColumn::Interval,
        SortColumn::Stability,
        SortColumn::Difficulty,
        SortColumn::Retrievability,
        SortColumn::Lapses,
    ];

    /// True for the columns compared as text.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            SortColumn::Deck | SortColumn::Front | SortColumn::Topic | SortColumn::Tags
        )
    }
}

/// Sorts `rows` (indices into [`Collection::items`]) by `column`, stably:
/// rows that compare equal keep their order. Text columns ignore case. In
/// numeric columns new items, which have no value, come last in both
/// directions. Indices that name no item go last of all.
pub fn sort(
    collection: &Collection,
    rows: &mut Vec<usize>,
    column: SortColumn,
    descending: bool,
    now: Timestamp,
) {
    match column {
        SortColumn::Front | SortColumn::Topic | SortColumn::Tags => {
            sort_by_text(collection, rows, column, descending)
        }
        SortColumn::Deck => {
            let ranks = deck_ranks(collection);
            sort_by_number(rows, descending, |row| {
                let item = collection.items().get(row)?;
                Some(Some(f64::from(*ranks.get(item.deck)?)))
            })
        }
        numeric => {
            let scheduler = collection.scheduler();
            sort_by_number(rows, descending, |row| {
                let item = collection.items().get(row)?;
                let state = collection.state(&item.id);
                if state.phase == Phase::New {
                    return Some(None);
                }
                Some(match numeric {
                    SortColumn::Due => state.due.map(|t| t.as_millisecond() as f64),
                    SortColumn::Interval => Some(f64::from(state.interval_days)),
                    SortColumn::Stability => state.memory.map(|m| f64::from(m.stability)),
                    SortColumn::Difficulty => state.memory.map(|m| f64::from(m.difficulty)),
                    SortColumn::Retrievability => {
                        scheduler.retrievability(state, now).map(f64::from)
                    }
                    SortColumn::Lapses => Some(f64::from(state.lapses)),
                    _ => None,
                })
            })
        }
    }
}

/// Each deck's position when decks are ordered by name (ignoring case), then slug.
fn deck_ranks(collection: &Collection) -> Vec<u32> {
    let decks = collection.decks();
    let mut order: Vec<(String, &str, usize)> = decks
        .iter()
        .enumerate()
        .map(|(i, d)| (lowercase(&d.name), d.slug.as_str(), i))
        .collect();
    order.sort();
    let mut ranks = vec![0; decks.len()];
    for (rank, (_, _, i)) in order.into_iter().enumerate() {
        ranks[i] = u32::try_from(rank).unwrap_or(u32::MAX);
    }
    ranks
}

/// Maps an `f64` to a `u64` whose unsigned order is `f64::total_cmp`'s.
fn order_bits(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// Sorts rows by a numeric key: `None` for a row that names no item, `Some(None)`
/// for an item without a value. Each row becomes one `u128`: missing flags on
/// top, then the ordered key, then the row's position (which makes it stable).
fn sort_by_number(
    rows: &mut Vec<usize>,
    descending: bool,
    key: impl Fn(usize) -> Option<Option<f64>> + Sync,
) {
    const POSITION_BITS: u32 = 62;
    const POSITION_MASK: u128 = (1 << POSITION_BITS) - 1;
    // Keys look up each item's state, so large lists are keyed on several threads.
    let mut packed: Vec<u128> = parallel_map(rows, |pos, row| {
        let (missing, value) = match key(row) {
            Some(Some(v)) => {
                let bits = order_bits(v);
                (0u128, if descending { !bits } else { bits })
            }
            Some(None) => (1, 0),
            None => (2, 0),
        };
        missing << (64 + POSITION_BITS)
            | u128::from(value) << POSITION_BITS
            | (pos as u128 & POSITION_MASK)
    });
    packed.sort_unstable();
    let before = std::mem::take(rows);
    rows.extend(
        packed
            .into_iter()
            .map(|p| before[(p & POSITION_MASK) as usize]),
    );
}

/// `f(position, row)` for every row, in order, split across threads when
/// there are many rows.
fn parallel_map<T: Send>(rows: &[usize], f: impl Fn(usize, usize) -> T + Sync) -> Vec<T> {
    let workers = worker_count(rows.len());
    if workers <= 1 {
        return rows
            .iter()
            .enumerate()
            .map(|(pos, &row)| f(pos, row))
            .collect();
    }
    let chunk = rows.len().div_ceil(workers);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                scope.spawn(move || {
                    let base = n * chunk;
                    part.iter()
                        .enumerate()
                        .map(|(i, &row)| f(base + i, row))
                        .collect::<Vec<T>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(rows.len());
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// Sorts rows by a lowercased text key, built once per row into one buffer.
fn sort_by_text(
    collection: &Collection,
    rows: &mut Vec<usize>,
    column: SortColumn,
    descending: bool,
) {
    // Each item's place in text order is worked out once per change of the
    // collection; sorting is then by numbers.
    let groups = collection
        .indexes()
        .text_groups(collection.generation(), column, || {
            text_groups(collection, column)
        });
    // Missing flag, then the group (reversed when descending), then the
    // row's position, which keeps rows of equal text in their order.
    let mut keys: Vec<u128> = rows
        .iter()
        .enumerate()
        .map(|(pos, &row)| {
            let (missing, group) = match groups.get(row) {
                Some(&g) if descending => (0u128, u32::MAX - g),
                Some(&g) => (0, g),
                None => (1, 0),
            };
            missing << 96 | u128::from(group) << 64 | pos as u128
        })
        .collect();
    keys.sort_unstable();
    let before = std::mem::take(rows);
    rows.extend(keys.into_iter().map(|k| before[k as u64 as usize]));
}

/// For a text column, every item's tie group: items whose texts compare
/// equal ignoring case share a group, numbered in text order.
fn text_groups(collection: &Collection, column: SortColumn) -> Vec<u32> {
    let items = collection.items();
    let mut arena = String::with_capacity(items.len() * 24);
    let spans: Vec<(usize, usize)> = items
        .iter()
        .map(|item| {
            let start = arena.len();
            if let Some(card) = card_of(collection, item) {
                match column {
                    SortColumn::Front => push_lowercase(&mut arena, &card.front),
                    SortColumn::Topic => push_lowercase(&mut arena, &card.topic),
                    _ => {
                        for (i, tag) in card.tags.iter().enumerate() {
                            if i > 0 {
                                arena.push(' ');
                            }
                            push_lowercase(&mut arena, tag);
                        }
                    }
                }
            }
            (start, arena.len())
        })
        .collect();
    let text = |i: usize| arena.get(spans[i].0..spans[i].1).unwrap_or("");
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_unstable_by(|&a, &b| text(a).cmp(text(b)));
    let mut groups = vec![0u32; items.len()];
    let mut group = 0u32;
    for (k, &i) in order.iter().enumerate() {
        if k > 0 && text(order[k - 1]) != text(i) {
            group += 1;
        }
        groups[i] = group;
    }
    groups
}
