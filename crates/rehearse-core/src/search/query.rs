//! The search language's parser: text to a [`Query`].

use super::*;

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
        "flag" => "cards have no flags; use a tag",
        _ => "Anki's notes and presets have no counterpart here",
    }
}

/// A whole number of days, 1 or more, clamped to [`MAX_DAYS`].
fn parse_days(value: &str) -> Option<i32> {
    match value.parse::<u32>() {
        Ok(days) if days >= 1 => Some(i32::try_from(days).unwrap_or(MAX_DAYS).min(MAX_DAYS)),
        _ => None,
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
            "nc" => self.no_combining(),
            "added" => self.days("added").map(Test::Added),
            "edited" => self.days("edited").map(Test::Edited),
            "introduced" => self.days("introduced").map(Test::Introduced),
            "flag" | "dupe" | "note" | "mid" | "nid" | "cid" | "preset" | "resched" => Err(error(
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
            raw: lowercase(&raw),
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
        let raw = lowercase(&raw);
        glob(&raw, true)
            .map(|re| Test::Field(side, raw.clone(), re))
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

    /// `rated:N` or `rated:N:EASE` (1 again, 2 hard, 3 good, 4 easy).
    fn rated(&mut self) -> Result<Test, QueryError> {
        let start = self.pos;
        let value = self.bare();
        let (days, ease) = match value.split_once(':') {
            Some((days, ease)) => (days, Some(ease)),
            None => (value.as_str(), None),
        };
        let days = parse_days(days).ok_or_else(|| {
            error(
                start,
                format!(
                    "expected a number of days (1 or more) after `rated:`, found {}",
                    found(days)
                ),
            )
        })?;
        let Some(ease) = ease else {
            return Ok(Test::Rated(days));
        };
        let Some(rating) = ease.parse::<u32>().ok().and_then(Rating::from_number) else {
            return Err(error(
                start,
                format!(
                    "expected the button after `rated:{days}:` as 1 (again), 2 (hard), 3 (good) or 4 (easy), found {}",
                    found(ease)
                ),
            ));
        };
        Ok(Test::RatedAs(days, rating))
    }

    /// A number of study days (1 or more) after `key:`, as in `added:7`.
    fn days(&mut self, key: &str) -> Result<i32, QueryError> {
        let start = self.pos;
        let value = self.bare();
        parse_days(&value).ok_or_else(|| {
            error(
                start,
                format!(
                    "expected a number of days (1 or more) after `{key}:`, as in `{key}:7`, found {}",
                    found(&value)
                ),
            )
        })
    }

    /// `nc:TEXT`: text ignoring accents (and case), wildcards allowed.
    fn no_combining(&mut self) -> Result<Test, QueryError> {
        let start = self.pos;
        let raw = if self.peek() == Some('"') {
            self.quoted()?
        } else {
            self.bare()
        };
        if raw.is_empty() {
            return Err(error(
                start,
                "expected text after `nc:`, as in `nc:uber` (finds über)",
            ));
        }
        let folded = fold_accents(&lowercase(&raw));
        let pattern = if has_wildcard(&folded) {
            Some(glob(&folded, false).map_err(|e| error(start, format!("this pattern: {e}")))?)
        } else {
            None
        };
        Ok(Test::NoCombining(folded, pattern))
    }
}
