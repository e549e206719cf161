//! Card fields between Anki's HTML and Rehearse's Markdown.
//!
//! [`html_to_markdown`] is a tolerant tag scanner, not a browser: it keeps
//! what a flashcard needs (bold, italic, inline code, `<pre>` blocks, lists,
//! line breaks from `<br>`, `<div>` and `<p>`, headings, images, link text)
//! and drops the rest (styles, spans, fonts, colours, scripts, comments).
//! Entities are decoded, whitespace is collapsed as a browser would, and
//! text that Markdown would misread (`*`, `` ` ``, `#` at a line start…)
//! is escaped. Cloze markers (`{{c1::…}}`) are plain text to it and survive.
//!
//! [`markdown_to_html`] goes the other way for the same subset, writing the
//! simple HTML Anki's editor itself produces.

use std::borrow::Cow;

/// Named character references decoded by [`decode_entities`]: the ones seen
/// in real decks. Others are left as written.
const ENTITIES: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", "\u{a0}"),
    ("ensp", "\u{2002}"),
    ("emsp", "\u{2003}"),
    ("thinsp", "\u{2009}"),
    ("zwj", "\u{200d}"),
    ("zwnj", "\u{200c}"),
    ("shy", "\u{ad}"),
    ("ndash", "–"),
    ("mdash", "—"),
    ("hellip", "…"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("laquo", "«"),
    ("raquo", "»"),
    ("bull", "•"),
    ("middot", "·"),
    ("copy", "©"),
    ("reg", "®"),
    ("trade", "™"),
    ("deg", "°"),
    ("plusmn", "±"),
    ("times", "×"),
    ("divide", "÷"),
    ("minus", "−"),
    ("le", "≤"),
    ("ge", "≥"),
    ("ne", "≠"),
    ("asymp", "≈"),
    ("equiv", "≡"),
    ("infin", "∞"),
    ("sum", "∑"),
    ("prod", "∏"),
    ("radic", "√"),
    ("int", "∫"),
    ("part", "∂"),
    ("nabla", "∇"),
    ("isin", "∈"),
    ("notin", "∉"),
    ("sub", "⊂"),
    ("sup", "⊃"),
    ("sube", "⊆"),
    ("supe", "⊇"),
    ("cap", "∩"),
    ("cup", "∪"),
    ("empty", "∅"),
    ("forall", "∀"),
    ("exist", "∃"),
    ("and", "∧"),
    ("or", "∨"),
    ("not", "¬"),
    ("larr", "←"),
    ("rarr", "→"),
    ("uarr", "↑"),
    ("darr", "↓"),
    ("harr", "↔"),
    ("lArr", "⇐"),
    ("rArr", "⇒"),
    ("hArr", "⇔"),
    ("prime", "′"),
    ("Prime", "″"),
    ("lceil", "⌈"),
    ("rceil", "⌉"),
    ("lfloor", "⌊"),
    ("rfloor", "⌋"),
    ("lang", "⟨"),
    ("rang", "⟩"),
    ("sect", "§"),
    ("para", "¶"),
    ("cent", "¢"),
    ("pound", "£"),
    ("euro", "€"),
    ("yen", "¥"),
    ("micro", "µ"),
    ("frac12", "½"),
    ("frac14", "¼"),
    ("frac34", "¾"),
    ("sup2", "²"),
    ("sup3", "³"),
    ("alpha", "α"),
    ("beta", "β"),
    ("gamma", "γ"),
    ("delta", "δ"),
    ("epsilon", "ε"),
    ("zeta", "ζ"),
    ("eta", "η"),
    ("theta", "θ"),
    ("iota", "ι"),
    ("kappa", "κ"),
    ("lambda", "λ"),
    ("mu", "μ"),
    ("nu", "ν"),
    ("xi", "ξ"),
    ("omicron", "ο"),
    ("pi", "π"),
    ("rho", "ρ"),
    ("sigma", "σ"),
    ("tau", "τ"),
    ("upsilon", "υ"),
    ("phi", "φ"),
    ("chi", "χ"),
    ("psi", "ψ"),
    ("omega", "ω"),
    ("Gamma", "Γ"),
    ("Delta", "Δ"),
    ("Theta", "Θ"),
    ("Lambda", "Λ"),
    ("Xi", "Ξ"),
    ("Pi", "Π"),
    ("Sigma", "Σ"),
    ("Phi", "Φ"),
    ("Psi", "Ψ"),
    ("Omega", "Ω"),
];

fn named_entity(name: &str) -> Option<&'static str> {
    ENTITIES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// The character reference starting at `s` (just after `&`): its text and
/// how many bytes of `s` it used (including the `;`).
fn entity_at(s: &str) -> Option<(Cow<'static, str>, usize)> {
    let bytes = s.as_bytes();
    if let Some(rest) = s.strip_prefix('#') {
        let (digits, radix, skip) = match rest.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 2),
            None => (rest, 10, 1),
        };
        let len = digits
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() && (*b as char).is_digit(radix))
            .count();
        if len == 0 || len > 8 {
            return None;
        }
        let n = u32::from_str_radix(&digits[..len], radix).ok()?;
        let c = char::from_u32(n)
            .filter(|c| *c != '\0')
            .unwrap_or('\u{fffd}');
        let semi = usize::from(digits.as_bytes().get(len) == Some(&b';'));
        return Some((Cow::Owned(c.to_string()), skip + len + semi));
    }
    let len = bytes
        .iter()
        .take(32)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if bytes.get(len) != Some(&b';') {
        return None;
    }
    named_entity(&s[..len]).map(|v| (Cow::Borrowed(v), len + 1))
}

/// Decodes character references (`&amp;`, `&#169;`, `&#x1F600;`, and the
/// named ones in [`ENTITIES`]); anything else is kept as written.
pub(super) fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        match entity_at(&rest[at + 1..]) {
            Some((text, used)) => {
                out.push_str(&text);
                rest = &rest[at + 1 + used..];
            }
            None => {
                out.push('&');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A piece of HTML.
#[derive(Debug, PartialEq)]
enum Token<'a> {
    Text(&'a str),
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    End {
        name: String,
    },
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b':' || b == b'_'
}

/// Parses the markup at `html[at..]` (which starts with `<`): the token (if
/// any: comments and declarations give none) and where it ends. `None` when
/// it is not markup, and the `<` is text (Anki stores a typed `<` as `&lt;`).
/// As in a browser, a tag left open at the end swallows the rest, which
/// also keeps the scan linear on hostile input.
fn markup_at(html: &str, at: usize) -> Option<(Option<Token<'static>>, usize)> {
    let rest = &html[at..];
    let b = rest.as_bytes();
    if let Some(comment) = rest.strip_prefix("<!--") {
        let end = comment.find("-->").map_or(html.len(), |e| at + 4 + e + 3);
        return Some((None, end));
    }
    if rest.starts_with("<!") || rest.starts_with("<?") {
        let end = rest.find('>').map_or(html.len(), |e| at + e + 1);
        return Some((None, end));
    }
    if rest.starts_with("</") {
        if !b.get(2).is_some_and(u8::is_ascii_alphabetic) {
            return None;
        }
        let len = b[2..].iter().take_while(|b| is_name_byte(**b)).count();
        let name = rest[2..2 + len].to_ascii_lowercase();
        let end = rest.find('>').map_or(html.len(), |e| at + e + 1);
        return Some((Some(Token::End { name }), end));
    }
    if !b.get(1).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let len = b[1..].iter().take_while(|b| is_name_byte(**b)).count();
    let name = rest[1..1 + len].to_ascii_lowercase();
    let mut i = 1 + len;
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        match b.get(i) {
            None => return Some((None, html.len())),
            Some(b'>') => break,
            _ => {}
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        if i == start {
            // A stray `=`: skip it.
            i += 1;
            continue;
        }
        let attr = rest[start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let Some(close) = rest[i + 1..].find(q as char) else {
                        return Some((None, html.len()));
                    };
                    value = decode_entities(&rest[i + 1..i + 1 + close]).into_owned();
                    i += close + 2;
                }
                Some(_) => {
                    let start = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = decode_entities(&rest[start..i]).into_owned();
                }
                None => return Some((None, html.len())),
            }
        }
        attrs.push((attr, value));
    }
    Some((Some(Token::Start { name, attrs }), at + i + 1))
}

/// Where `needle` (ASCII) first occurs in `hay`, ignoring ASCII case.
fn find_ignoring_case(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..h.len().saturating_sub(n.len()) + 1)
        .filter(|&i| h.len() >= i + n.len())
        .find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Splits HTML into text and tags. `<script>` and `<style>` are dropped with
/// their contents; comments and declarations are dropped.
fn tokenize(html: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let (mut i, mut text_start) = (0, 0);
    while let Some(lt) = html[i..].find('<').map(|p| p + i) {
        let Some((token, end)) = markup_at(html, lt) else {
            i = lt + 1;
            continue;
        };
        if text_start < lt {
            tokens.push(Token::Text(&html[text_start..lt]));
        }
        i = end;
        match token {
            Some(Token::Start { name, .. }) if name == "script" || name == "style" => {
                let close = format!("</{name}");
                i = match find_ignoring_case(&html[end..], &close) {
                    Some(c) => html[end + c..]
                        .find('>')
                        .map_or(html.len(), |g| end + c + g + 1),
                    None => html.len(),
                };
            }
            Some(token) => tokens.push(token),
            None => {}
        }
        text_start = i;
    }
    if text_start < html.len() {
        tokens.push(Token::Text(&html[text_start..]));
    }
    tokens
}

/// Deepest nesting of lists, and of emphasis, that is kept; deeper is
/// flattened (real cards never come close; hostile ones must stay linear).
const MAX_DEPTH: usize = 16;

/// What separates the next content from what came before.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
enum Break {
    None,
    Space,
    Line(u8),
    Para,
}

impl Break {
    /// A space where this would break the line.
    fn min_space(self) -> Self {
        if self > Break::Space {
            Break::Space
        } else {
            self
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Emphasis {
    Bold,
    Italic,
}

/// Where an emphasis delimiter stands.
#[derive(Clone, Copy, PartialEq)]
enum MarkState {
    /// To be written before the next content.
    Pending,
    /// Written at this byte offset of the output, in a run like this.
    Open(usize, RunOf),
    /// Not written: it would not open in CommonMark where it stands (or it is
    /// nested in one of the same kind).
    Suppressed,
}

struct Mark {
    kind: Emphasis,
    /// Empty for a mark nested in one of the same kind, which writes nothing.
    delim: &'static str,
    state: MarkState,
}

/// A closing delimiter waiting for the character after it: CommonMark only
/// closes emphasis where the delimiter is right-flanking.
struct Closing {
    kind: Emphasis,
    delim: &'static str,
    /// Where its opening delimiter is in the output.
    at: usize,
    /// The run its opening delimiter is in.
    run: RunOf,
}

/// A run of `*` delimiters as CommonMark's "rule of 3" sees it.
#[derive(Clone, Copy, PartialEq, Debug)]
struct RunOf {
    len: usize,
    /// It can both open and close.
    both: bool,
}

/// Whether CommonMark's "rule of 3" keeps a closing run from matching an
/// opening one: when either can both open and close, their lengths may not
/// add up to a multiple of 3 unless both lengths are multiples of 3.
fn rule_of_three_blocks(opener: RunOf, closer: RunOf) -> bool {
    (opener.both || closer.both)
        && (opener.len + closer.len).is_multiple_of(3)
        && !(opener.len.is_multiple_of(3) && closer.len.is_multiple_of(3))
}

/// Punctuation as CommonMark's flanking rules see it.
fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() || (!c.is_alphanumeric() && !c.is_whitespace())
}

fn is_ws(c: Option<char>) -> bool {
    c.is_none_or(char::is_whitespace)
}

/// Whether a `*` run between `prev` and `next` can open emphasis.
fn left_flanking(prev: Option<char>, next: Option<char>) -> bool {
    let punct = |c: Option<char>| c.is_some_and(is_punct);
    !is_ws(next) && (!punct(next) || is_ws(prev) || punct(prev))
}

/// Whether a `*` run between `prev` and `next` can close emphasis.
fn right_flanking(prev: Option<char>, next: Option<char>) -> bool {
    let punct = |c: Option<char>| c.is_some_and(is_punct);
    !is_ws(prev) && (!punct(prev) || is_ws(next) || punct(next))
}

struct List {
    ordered: bool,
    next: u64,
    /// Width of this list's current item marker, once written.
    width: usize,
    /// An item has started and its marker is not written yet (it is written
    /// with the item's first content, so empty items vanish).
    pending_item: bool,
}

struct Pre {
    text: String,
    lang: String,
}

/// The HTML → Markdown writer.
struct Converter {
    out: String,
    pending: Break,
    heading: Option<usize>,
    lists: Vec<List>,
    marks: Vec<Mark>,
    closing: Vec<Closing>,
    code: Option<String>,
    pre: Option<Pre>,
    links: Vec<(String, usize)>,
    row_has_cell: bool,
    skip: usize,
    line_start: bool,
    /// Where the current line's text starts (after indentation or a list marker).
    line_begin: usize,
    /// Where an unescaped `<`, `&` or `~` was just written (see `push_char`).
    hazard: Option<usize>,
    /// The last closing delimiters written: where they end, and the runs of
    /// their opening delimiters.
    closer_run: Option<(usize, Vec<RunOf>)>,
    /// The last inline code span written: its start, end and text.
    last_code: Option<(usize, usize, String)>,
    /// Emphasis and lists opened beyond [`MAX_DEPTH`] and ignored, still open.
    overflow: (usize, usize),
    /// Inside `<h1>`…`<h6>` (how deep), where a `#` could end the heading.
    in_heading: usize,
    /// The last list closed: its depth, kind, next number and where it ended.
    last_list: Option<(usize, bool, u64, usize)>,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c' | '\u{a0}')
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

impl Converter {
    fn new() -> Self {
        Self {
            out: String::new(),
            pending: Break::None,
            heading: None,
            lists: Vec::new(),
            marks: Vec::new(),
            closing: Vec::new(),
            code: None,
            pre: None,
            links: Vec::new(),
            row_has_cell: false,
            skip: 0,
            line_start: true,
            line_begin: 0,
            hazard: None,
            closer_run: None,
            last_code: None,
            last_list: None,
            in_heading: 0,
            overflow: (0, 0),
        }
    }

    fn indent(&self) -> String {
        " ".repeat(self.lists.iter().map(|l| l.width).sum())
    }

    fn want(&mut self, b: Break) {
        // A heading is one line.
        let b = if self.in_heading > 0 {
            b.min_space()
        } else {
            b
        };
        if b > self.pending {
            self.pending = b;
        }
    }

    fn line_break(&mut self) {
        if self.in_heading > 0 {
            self.want(Break::Space);
            return;
        }
        self.pending = match self.pending {
            Break::None | Break::Space => Break::Line(1),
            Break::Line(_) | Break::Para => Break::Para,
        };
    }

    /// The character before the run of emphasis delimiters the output ends
    /// with (CommonMark judges a run by what is around all of it). Text `*`
    /// is always escaped, so trailing unescaped `*` are delimiters.
    fn run_prev(&self) -> Option<char> {
        self.out[..self.run_start()].chars().last()
    }

    /// Where the run of emphasis delimiters the output ends with starts.
    fn run_start(&self) -> usize {
        let b = self.out.as_bytes();
        let mut i = b.len();
        while i > 0 && b[i - 1] == b'*' {
            i -= 1;
        }
        if i < b.len() {
            let slashes = b[..i].iter().rev().take_while(|c| **c == b'\\').count();
            if slashes % 2 == 1 {
                i += 1;
            }
        }
        i
    }

    /// Writes the deferred closing delimiters, now that the character after
    /// them (`next`, `None` at the end) is known. Where they would not close,
    /// their opening delimiters are taken out instead: the text stays, plain.
    fn flush_closing(&mut self, next: Option<char>) {
        if self.closing.is_empty() {
            return;
        }
        let closing = std::mem::take(&mut self.closing);
        let prev = self.run_prev();
        let run = RunOf {
            len: self.out.len() - self.run_start()
                + closing.iter().map(|c| c.delim.len()).sum::<usize>(),
            both: left_flanking(prev, next) && right_flanking(prev, next),
        };
        if right_flanking(prev, next) && !closing.iter().any(|c| rule_of_three_blocks(c.run, run)) {
            for c in &closing {
                self.out.push_str(c.delim);
            }
            self.closer_run = Some((self.out.len(), closing.iter().map(|c| c.run).collect()));
            return;
        }
        let mut opened: Vec<(usize, usize)> =
            closing.iter().map(|c| (c.at, c.delim.len())).collect();
        opened.sort_unstable_by(|a, b| b.cmp(a));
        for (at, len) in opened {
            self.out.replace_range(at..at + len, "");
            self.shift(at + 1, -(len as isize));
            self.fix_seam(at, next);
        }
    }

    /// Moves every remembered output position from `from` on by `delta`
    /// bytes, after text was inserted or taken out there.
    fn shift(&mut self, from: usize, delta: isize) {
        let moved = |p: &mut usize| {
            if *p >= from {
                *p = p.saturating_add_signed(delta);
            }
        };
        for m in &mut self.marks {
            if let MarkState::Open(p, _) = &mut m.state {
                moved(p);
            }
        }
        for c in &mut self.closing {
            moved(&mut c.at);
        }
        for (_, start) in &mut self.links {
            moved(start);
        }
        moved(&mut self.line_begin);
        if let Some(h) = &mut self.hazard {
            moved(h);
        }
        if let Some((start, end, _)) = &mut self.last_code {
            moved(start);
            moved(end);
        }
        if let Some((_, _, _, end)) = &mut self.last_list {
            moved(end);
        }
    }

    /// Text that an opening delimiter at `at` kept apart now meets: escape
    /// what the meeting makes special, unescape what it makes plain. `next`
    /// is the character to be written after the output's end.
    fn fix_seam(&mut self, at: usize, next: Option<char>) {
        let b = self.out.as_bytes();
        let escaped = |i: usize| b[..i].iter().rev().take_while(|c| **c == b'\\').count() % 2 == 1;
        let after = self.out[at..].chars().next().or(next);
        // `<` or `&` now before a letter.
        if at > 0 && matches!(b[at - 1], b'<' | b'&') && !escaped(at - 1) {
            let needs = after.is_some_and(|c| {
                if b[at - 1] == b'<' {
                    c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?')
                } else {
                    c.is_ascii_alphanumeric() || c == '#'
                }
            });
            if needs {
                self.out.insert(at - 1, '\\');
                self.shift(at - 1, 1);
                return;
            }
        }
        // `\_` now after a letter or digit needs no escape.
        if self.out[at..].starts_with("\\_")
            && at > 0
            && self.out[..at]
                .chars()
                .last()
                .is_some_and(char::is_alphanumeric)
        {
            self.out.remove(at);
            self.shift(at + 1, -1);
            return;
        }
        // "1. " now at the start of the line would make a numbered list.
        if at == self.line_begin {
            let line = &self.out.as_bytes()[at..];
            let digits = line.iter().take_while(|b| b.is_ascii_digit()).count();
            if (1..=9).contains(&digits)
                && matches!(line.get(digits), Some(b'.' | b')'))
                && match line.get(digits + 1) {
                    Some(b) => *b == b' ',
                    None => is_ws(next),
                }
            {
                self.out.insert(at + digits, '\\');
                self.shift(at + digits, 1);
            }
        }
    }

    /// Writes the closing delimiters of the emphasis written so far, so that
    /// no emphasis spans a line; they are written again before the next text.
    fn close_marks(&mut self) {
        self.defer_open_closers();
        self.flush_closing(Some('\n'));
        for m in self.marks.iter_mut() {
            if !m.delim.is_empty() {
                m.state = MarkState::Pending;
            }
        }
    }

    /// Queues the closing delimiters of every open mark, innermost first.
    fn defer_open_closers(&mut self) {
        for m in self.marks.iter().rev() {
            if let MarkState::Open(at, run) = m.state {
                self.closing.push(Closing {
                    kind: m.kind,
                    delim: m.delim,
                    at,
                    run,
                });
            }
        }
    }

    /// Escapes a line that is only a number and `.` or `)` (as `1.` or
    /// `2015)`) before a space or the end of the line: Markdown would read it
    /// as a numbered list item.
    fn guard_list_marker(&mut self) {
        let line = self.out.get(self.line_begin..).unwrap_or("").as_bytes();
        let n = line.len();
        if (2..=10).contains(&n)
            && matches!(line[n - 1], b'.' | b')')
            && line[..n - 1].iter().all(u8::is_ascii_digit)
        {
            self.out.insert(self.out.len() - 1, '\\');
        }
    }

    /// Writes the pending break (or list item marker), not the emphasis to
    /// open; `next` is the character that will follow.
    fn flush_break(&mut self, next: Option<char>) {
        if self.lists.iter().any(|l| l.pending_item) {
            self.guard_list_marker();
            self.close_marks();
            // The first pending marker starts a line; markers of lists nested
            // in that item follow it on the same line ("- 1. text").
            let (mut first, mut indent) = (true, 0);
            for list in &mut self.lists {
                if list.pending_item {
                    if first {
                        if !self.out.is_empty() {
                            self.out.push('\n');
                        }
                        self.out.push_str(&" ".repeat(indent));
                        first = false;
                    }
                    let marker = if list.ordered {
                        let m = format!("{}. ", list.next);
                        list.next += 1;
                        m
                    } else {
                        "- ".to_string()
                    };
                    self.out.push_str(&marker);
                    list.width = marker.len();
                    list.pending_item = false;
                }
                indent += list.width;
            }
            self.line_begin = self.out.len();
            self.pending = Break::None;
            self.line_start = true;
        }
        let pending = std::mem::replace(&mut self.pending, Break::None);
        let at_start = self.out.is_empty() || self.line_start;
        match pending {
            Break::None => {}
            Break::Space => {
                if !at_start {
                    self.flush_closing(Some(' '));
                    self.guard_list_marker();
                    self.out.push(' ');
                }
            }
            Break::Line(_) | Break::Para if at_start => {}
            Break::Line(n) => {
                self.guard_list_marker();
                self.close_marks();
                self.out.push_str(if n >= 2 { "\n\n" } else { "\\\n" });
                self.out.push_str(&self.indent());
                self.line_start = true;
                self.line_begin = self.out.len();
            }
            Break::Para => {
                self.guard_list_marker();
                self.close_marks();
                self.out.push_str("\n\n");
                self.out.push_str(&self.indent());
                self.line_start = true;
                self.line_begin = self.out.len();
            }
        }
        self.flush_closing(next);
        if let Some(level) = self.heading.take() {
            self.out.push_str(&"#".repeat(level));
            self.out.push(' ');
            self.line_start = false;
        }
    }

    /// Gets ready for content starting with `next`: the pending break, then
    /// any emphasis to open (where CommonMark would let it open).
    fn flush(&mut self, next: Option<char>) {
        self.flush_break(next);
        if !self.marks.iter().any(|m| m.state == MarkState::Pending) {
            return;
        }
        let prev = self.run_prev();
        let run_start = self.run_start();
        let adding: usize = self
            .marks
            .iter()
            .filter(|m| m.state == MarkState::Pending)
            .map(|m| m.delim.len())
            .sum();
        let run = RunOf {
            len: self.out.len() - run_start + adding,
            both: left_flanking(prev, next) && right_flanking(prev, next),
        };
        // A run that could also close would close the emphasis already open
        // (unless the rule of 3 keeps it from doing so).
        let would_close = right_flanking(prev, next)
            && self.marks.iter().any(|m| match m.state {
                MarkState::Open(_, opened) => !rule_of_three_blocks(opened, run),
                _ => false,
            });
        let mut opens = left_flanking(prev, next) && !would_close;
        // Closing delimiters just written join this run: they must still close.
        if let Some((end, closed)) = &self.closer_run
            && *end == self.out.len()
            && run_start < *end
            && closed.iter().any(|o| rule_of_three_blocks(*o, run))
        {
            opens = false;
        }
        for m in self.marks.iter_mut() {
            if m.state == MarkState::Pending {
                m.state = if opens {
                    let at = self.out.len();
                    self.out.push_str(m.delim);
                    MarkState::Open(at, run)
                } else {
                    MarkState::Suppressed
                };
            }
        }
    }

    fn open_mark(&mut self, kind: Emphasis) {
        if self.marks.len() >= MAX_DEPTH {
            self.overflow.0 += 1;
            return;
        }
        let nested = self.marks.iter().any(|m| m.kind == kind);
        // Closed and opened again with nothing between: carry on instead.
        if !nested && self.closing.len() == 1 && self.closing[0].kind == kind {
            if let Some(c) = self.closing.pop() {
                // Below the marks opened since, which are not written yet.
                let at = self
                    .marks
                    .iter()
                    .position(|m| m.state == MarkState::Pending)
                    .unwrap_or(self.marks.len());
                self.marks.insert(
                    at,
                    Mark {
                        kind,
                        delim: c.delim,
                        state: MarkState::Open(c.at, c.run),
                    },
                );
            }
            return;
        }
        let (delim, state) = match kind {
            _ if nested => ("", MarkState::Suppressed),
            Emphasis::Bold => ("**", MarkState::Pending),
            Emphasis::Italic => ("*", MarkState::Pending),
        };
        self.marks.push(Mark { kind, delim, state });
    }

    fn close_mark(&mut self, kind: Emphasis) {
        if self.overflow.0 > 0 {
            self.overflow.0 -= 1;
            return;
        }
        let Some(at) = self.marks.iter().rposition(|m| m.kind == kind) else {
            return;
        };
        let found = self.marks.remove(at);
        // What was opened inside it closes first, and opens again before the next text.
        let inner: Vec<Mark> = self.marks.drain(at..).collect();
        for m in inner.iter().rev().chain([&found]) {
            if let MarkState::Open(at, run) = m.state {
                self.closing.push(Closing {
                    kind: m.kind,
                    delim: m.delim,
                    at,
                    run,
                });
            }
        }
        for mut m in inner {
            if !m.delim.is_empty() {
                m.state = MarkState::Pending;
            }
            self.marks.push(m);
        }
    }

    /// Writes one character of text, escaped where Markdown would misread it.
    /// A `<`, `&` or `~` written just before: whether it needed escaping
    /// depends on the character now written after it (`<a` is a tag, `&a`
    /// may be an entity).
    fn resolve_hazard(&mut self, c: char) {
        if let Some(at) = self.hazard.take()
            && at + 1 == self.out.len()
        {
            let needs = match self.out.as_bytes()[at] {
                b'<' => c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'),
                b'&' => c.is_ascii_alphanumeric() || c == '#',
                _ => c == '~',
            };
            if needs {
                self.out.insert(at, '\\');
            }
        }
    }

    fn push_char(&mut self, c: char) {
        let line_start = std::mem::replace(&mut self.line_start, false);
        self.resolve_hazard(c);
        let prev = self.out.chars().last();
        let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' => true,
            // Only a `_` after a letter or digit is left alone: it cannot open
            // emphasis, and with no `_` left to open, none can close.
            '_' => !alnum(prev),
            '~' => prev == Some('~'),
            '#' => line_start || self.in_heading > 0,
            '>' | '-' | '+' | '=' | '|' => line_start,
            _ => false,
        };
        if escape {
            self.out.push('\\');
        } else if matches!(c, '<' | '&' | '~') {
            self.hazard = Some(self.out.len());
        }
        self.out.push(c);
    }

    fn text(&mut self, raw: &str) {
        if self.skip > 0 {
            return;
        }
        let decoded = decode_entities(raw);
        if let Some(pre) = &mut self.pre {
            pre.text.push_str(&decoded.replace('\u{a0}', " "));
            return;
        }
        if let Some(code) = &mut self.code {
            for c in decoded.chars() {
                if is_space(c) {
                    if !code.ends_with(' ') {
                        code.push(' ');
                    }
                } else {
                    code.push(c);
                }
            }
            return;
        }
        for c in decoded.chars() {
            if is_space(c) {
                self.want(Break::Space);
                continue;
            }
            self.flush(Some(c));
            self.push_char(c);
        }
    }

    /// Writes Markdown that is already escaped.
    fn raw(&mut self, s: &str) {
        self.flush(s.chars().next());
        if let Some(c) = s.chars().next() {
            self.resolve_hazard(c);
        }
        self.out.push_str(s);
        self.line_start = false;
    }

    fn finish_code(&mut self) {
        let Some(code) = self.code.take() else {
            return;
        };
        let code = code.trim();
        if code.is_empty() {
            return;
        }
        self.flush(Some('`'));
        let mut code = code.to_string();
        // Right after another span: two spans side by side would read as one
        // odd span, so they become one.
        if let Some((start, end, before)) = self.last_code.take()
            && end == self.out.len()
        {
            self.out.truncate(start);
            code = before + &code;
        }
        let fence = "`".repeat(longest_run(&code, '`') + 1);
        let pad = if code.starts_with('`') || code.ends_with('`') {
            " "
        } else {
            ""
        };
        let start = self.out.len();
        self.out
            .push_str(&format!("{fence}{pad}{code}{pad}{fence}"));
        self.line_start = false;
        self.last_code = Some((start, self.out.len(), code));
    }

    fn start_code(&mut self) {
        self.code = Some(String::new());
    }

    fn finish_pre(&mut self) {
        let Some(pre) = self.pre.take() else {
            return;
        };
        // Leading blank lines do not show (and a browser drops the first).
        let mut text = pre.text.as_str();
        while let Some(i) = text.find('\n')
            && text[..i].trim().is_empty()
        {
            text = &text[i + 1..];
        }
        let text = text.trim_end();
        self.want(Break::Para);
        if text.trim().is_empty() {
            return;
        }
        self.close_marks();
        self.flush_break(Some('`'));
        let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
        let indent = self.indent();
        self.out.push_str(&fence);
        self.out.push_str(&pre.lang);
        for line in text.lines() {
            let line = line.trim_end();
            self.out.push('\n');
            if !line.is_empty() {
                self.out.push_str(&indent);
            }
            self.out.push_str(line);
        }
        self.out.push('\n');
        self.out.push_str(&indent);
        self.out.push_str(&fence);
        self.line_start = false;
        self.pending = Break::Para;
    }

    fn image(&mut self, attrs: &[(String, String)]) {
        let get = |key: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == key)
                .map_or("", |(_, v)| v.as_str())
        };
        let (src, alt) = (get("src").trim(), get("alt").trim());
        if src.is_empty() || src.starts_with("data:") {
            if !alt.is_empty() {
                self.text(&alt.replace('&', "&amp;"));
            }
            return;
        }
        let dest = if src.contains("://") {
            src.to_string()
        } else {
            format!("media/{src}")
        };
        let dest = if dest.contains([' ', '(', ')', '<', '>']) {
            format!("<{}>", dest.replace(['<', '>'], ""))
        } else {
            dest
        };
        let alt: String = alt
            .chars()
            .flat_map(|c| {
                let esc = matches!(c, '[' | ']' | '\\' | '*' | '_' | '`');
                esc.then_some('\\').into_iter().chain([c])
            })
            .collect();
        self.raw(&format!("![{alt}]({dest})"));
    }

    fn start(&mut self, name: &str, attrs: &[(String, String)]) {
        let attr = |key: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        if let Some(pre) = &mut self.pre {
            match name {
                "br" => pre.text.push('\n'),
                "div" | "p" | "li" | "tr" if !pre.text.is_empty() && !pre.text.ends_with('\n') => {
                    pre.text.push('\n');
                }
                "code" if pre.lang.is_empty() => {
                    let class = attr("class").unwrap_or("");
                    pre.lang = class
                        .split_whitespace()
                        .find_map(|c| c.strip_prefix("language-").or(c.strip_prefix("lang-")))
                        .unwrap_or("")
                        .chars()
                        .filter(|c| c.is_alphanumeric() || matches!(c, '+' | '-' | '#' | '_'))
                        .collect();
                }
                _ => {}
            }
            return;
        }
        if let Some(code) = &mut self.code {
            if matches!(name, "br" | "div" | "p" | "li") && !code.ends_with(' ') {
                code.push(' ');
            }
            return;
        }
        if self.in_heading > 0 && matches!(name, "pre" | "ul" | "ol" | "li" | "hr") {
            // A heading is one line: no blocks inside.
            if name == "pre" {
                self.start_code();
            } else {
                self.want(Break::Space);
            }
            return;
        }
        match name {
            "head" | "title" | "template" | "noscript" => self.skip += 1,
            "br" => self.line_break(),
            "b" | "strong" => self.open_mark(Emphasis::Bold),
            "i" | "em" => self.open_mark(Emphasis::Italic),
            "code" | "kbd" | "samp" | "tt" => self.start_code(),
            "pre" => {
                self.want(Break::Para);
                self.pre = Some(Pre {
                    text: String::new(),
                    lang: String::new(),
                });
            }
            "img" => self.image(attrs),
            "a" => {
                let href = attr("href").unwrap_or("").trim().to_string();
                self.links.push((href, self.out.len()));
            }
            "ul" | "ol" if self.lists.len() >= MAX_DEPTH => {
                self.overflow.1 += 1;
                self.want(Break::Line(1));
            }
            "ul" | "ol" => {
                let mut next = attr("start")
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(1);
                // Markdown runs two lists of a kind side by side into one:
                // number the second as its continuation.
                if let Some((depth, ordered, last_next, end)) = self.last_list
                    && depth == self.lists.len()
                    && ordered == (name == "ol")
                    && end == self.out.len()
                {
                    next = last_next;
                }
                self.want(Break::Line(1));
                self.lists.push(List {
                    ordered: name == "ol",
                    next,
                    width: 0,
                    pending_item: false,
                });
            }
            "li" => {
                // An item of an enclosing list: what follows is not beside the last list.
                if self
                    .last_list
                    .is_some_and(|(depth, ..)| self.lists.len() <= depth)
                {
                    self.last_list = None;
                }
                match self.lists.last_mut() {
                    Some(list) => list.pending_item = true,
                    None => self.want(Break::Line(1)),
                }
            }
            "p" | "blockquote" | "figure" | "dl" => self.want(Break::Para),
            "hr" => {
                self.want(Break::Para);
                self.close_marks();
                self.flush_break(Some('-'));
                self.out.push_str("---");
                self.line_start = false;
                self.pending = Break::Para;
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if self.in_heading == 0 {
                    self.want(Break::Para);
                    self.heading = name[1..].parse().ok();
                }
                self.in_heading += 1;
            }
            "tr" => {
                self.want(Break::Line(1));
                self.row_has_cell = false;
            }
            "td" | "th" => {
                if self.row_has_cell {
                    self.text(" | ");
                }
                self.row_has_cell = true;
            }
            "div" | "section" | "article" | "header" | "footer" | "main" | "nav" | "aside"
            | "dt" | "dd" | "table" | "figcaption" | "center" | "address" | "details"
            | "summary" => self.want(Break::Line(1)),
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        if self.pre.is_some() {
            match name {
                "pre" => self.finish_pre(),
                "div" | "p" | "li" | "tr" => {
                    if let Some(pre) = &mut self.pre
                        && !pre.text.is_empty()
                        && !pre.text.ends_with('\n')
                    {
                        pre.text.push('\n');
                    }
                }
                _ => {}
            }
            return;
        }
        if self.code.is_some() {
            if matches!(name, "code" | "kbd" | "samp" | "tt" | "pre") {
                self.finish_code();
            }
            return;
        }
        if self.in_heading > 0 && matches!(name, "ul" | "ol" | "li") {
            return;
        }
        match name {
            "head" | "title" | "template" | "noscript" => self.skip = self.skip.saturating_sub(1),
            "b" | "strong" => self.close_mark(Emphasis::Bold),
            "i" | "em" => self.close_mark(Emphasis::Italic),
            "a" => {
                let Some((href, start)) = self.links.pop() else {
                    return;
                };
                let shown: String = self.out[start.min(self.out.len())..]
                    .chars()
                    .filter(|c| *c != '\\')
                    .collect();
                let linkable = ["http://", "https://", "ftp://", "mailto:"]
                    .iter()
                    .any(|p| href.to_ascii_lowercase().starts_with(p));
                if linkable && shown.trim() != href {
                    let escaped = href.replace('&', "&amp;");
                    if shown.trim().is_empty() {
                        self.text(&escaped);
                    } else {
                        self.text(&format!(" ({escaped})"));
                    }
                }
            }
            "ul" | "ol" if self.overflow.1 > 0 => self.overflow.1 -= 1,
            "ul" | "ol" => {
                if let Some(list) = self.lists.pop()
                    && list.width > 0
                {
                    self.last_list =
                        Some((self.lists.len(), list.ordered, list.next, self.out.len()));
                }
                self.want(Break::Para);
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.in_heading = self.in_heading.saturating_sub(1);
                if self.in_heading == 0 {
                    self.heading = None;
                    self.want(Break::Para);
                }
            }
            "p" | "blockquote" | "figure" | "dl" => self.want(Break::Para),
            "div" | "section" | "article" | "header" | "footer" | "main" | "nav" | "aside"
            | "dt" | "dd" | "table" | "tr" | "figcaption" | "center" | "address" | "details"
            | "summary" | "li" => self.want(Break::Line(1)),
            _ => {}
        }
    }

    fn finish(mut self) -> String {
        self.finish_code();
        self.finish_pre();
        self.defer_open_closers();
        self.flush_closing(None);
        self.guard_list_marker();
        let trimmed = self.out.trim_end().len();
        self.out.truncate(trimmed);
        self.out
    }
}

/// Converts a field's HTML to Markdown (see the module documentation for
/// what is kept). Images become `![](media/<src>)`.
pub fn html_to_markdown(html: &str) -> String {
    let mut c = Converter::new();
    for token in tokenize(html) {
        match token {
            Token::Text(t) => c.text(t),
            Token::Start { name, attrs } => c.start(&name, &attrs),
            Token::End { name } => c.end(&name),
        }
    }
    c.finish()
}

// ---------------------------------------------------------------------------
// Markdown → HTML

/// A block of Markdown.
#[derive(Debug)]
enum Block {
    Paragraph(Vec<String>),
    Heading(usize, String),
    Code(String, String),
    Rule,
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
}

fn escape_html(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// A list item marker at the start of `line` (after `indent` spaces):
/// (ordered, number, width including the following space).
fn list_marker(line: &str) -> Option<(bool, u64, usize)> {
    let b = line.as_bytes();
    if matches!(b.first(), Some(b'-' | b'*' | b'+'))
        && matches!(b.get(1), None | Some(b' ' | b'\t'))
    {
        return Some((false, 1, if b.len() > 1 { 2 } else { 1 }));
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if (1..=9).contains(&digits)
        && matches!(b.get(digits), Some(b'.' | b')'))
        && matches!(b.get(digits + 1), None | Some(b' ' | b'\t'))
    {
        let n = line[..digits].parse().unwrap_or(1);
        return Some((true, n, digits + if b.len() > digits + 1 { 2 } else { 1 }));
    }
    None
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    if (1..=6).contains(&level) && matches!(line.as_bytes().get(level), None | Some(b' ' | b'\t')) {
        let text = line[level..].trim();
        // A closing run of `#` counts when a space comes before it.
        let stripped = text.trim_end_matches('#');
        let text = if stripped.is_empty() {
            ""
        } else if stripped.ends_with([' ', '\t']) {
            stripped.trim_end()
        } else {
            text
        };
        return Some((level, text));
    }
    None
}

fn is_rule(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    t.len() >= 3 && ['-', '*', '_'].iter().any(|m| t.chars().all(|c| c == *m))
}

fn fence(line: &str) -> Option<(char, usize, &str)> {
    let c = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = line.chars().take_while(|x| *x == c).count();
    let info = line[n..].trim();
    // A backtick fence's info string has no backticks (else it is a code span).
    (n >= 3 && !(c == '`' && info.contains('`'))).then_some((c, n, info))
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Splits lines into blocks; lists nested deeper than [`MAX_DEPTH`] are
/// read as text.
fn parse_blocks(lines: &[String], depth: usize) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<String> = Vec::new();
    let mut i = 0;
    let end_para = |para: &mut Vec<String>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(std::mem::take(para)));
        }
    };
    while i < lines.len() {
        let line = &lines[i];
        let indent = indent_of(line);
        let body = line.trim_start_matches(' ');
        if body.trim().is_empty() {
            end_para(&mut para, &mut blocks);
            i += 1;
            continue;
        }
        if indent < 4 {
            if let Some((c, n, info)) = fence(body) {
                end_para(&mut para, &mut blocks);
                let lang = info.split_whitespace().next().unwrap_or("").to_string();
                let mut code = Vec::new();
                i += 1;
                while i < lines.len() {
                    let l = lines[i].trim_start_matches(' ');
                    if fence(l).is_some_and(|(c2, n2, rest)| c2 == c && n2 >= n && rest.is_empty())
                    {
                        i += 1;
                        break;
                    }
                    let strip = indent_of(&lines[i]).min(indent);
                    code.push(lines[i][strip..].to_string());
                    i += 1;
                }
                blocks.push(Block::Code(lang, code.join("\n")));
                continue;
            }
            if let Some((level, text)) = heading(body) {
                end_para(&mut para, &mut blocks);
                blocks.push(Block::Heading(level, text.to_string()));
                i += 1;
                continue;
            }
            if is_rule(body) && (body.starts_with(['*', '_']) || para.is_empty()) {
                end_para(&mut para, &mut blocks);
                blocks.push(Block::Rule);
                i += 1;
                continue;
            }
            if let Some((ordered, start, _)) = list_marker(body)
                && (para.is_empty() || !ordered || start == 1)
                && depth < MAX_DEPTH
            {
                end_para(&mut para, &mut blocks);
                let mut items = Vec::new();
                while i < lines.len() {
                    let l = &lines[i];
                    let ind = indent_of(l);
                    let b = l.trim_start_matches(' ');
                    let Some((o, _, width)) = list_marker(b) else {
                        break;
                    };
                    if o != ordered || ind != indent {
                        break;
                    }
                    let content = indent + width;
                    let mut item = vec![b[width.min(b.len())..].to_string()];
                    i += 1;
                    let mut blank = false;
                    while i < lines.len() {
                        let l = &lines[i];
                        if l.trim().is_empty() {
                            blank = true;
                            item.push(String::new());
                            i += 1;
                            continue;
                        }
                        let ind = indent_of(l);
                        if ind >= content {
                            item.push(l[content..].to_string());
                        } else if !blank
                            && ind <= indent + 3
                            && list_marker(l.trim_start_matches(' ')).is_none()
                            && heading(l.trim_start_matches(' ')).is_none()
                            && fence(l.trim_start_matches(' ')).is_none()
                        {
                            item.push(l.trim_start().to_string());
                        } else {
                            break;
                        }
                        blank = false;
                        i += 1;
                    }
                    while item.last().is_some_and(String::is_empty) {
                        item.pop();
                    }
                    items.push(parse_blocks(&item, depth + 1));
                }
                blocks.push(Block::List {
                    ordered,
                    start,
                    items,
                });
                continue;
            }
        }
        para.push(body.to_string());
        i += 1;
    }
    end_para(&mut para, &mut blocks);
    blocks
}

/// The backtick runs of a text by length, for finding where a code span
/// closes without scanning the rest of the text each time.
struct BacktickRuns(std::collections::HashMap<usize, Vec<usize>>);

impl BacktickRuns {
    fn new(chars: &[char]) -> Self {
        let mut runs: std::collections::HashMap<usize, Vec<usize>> =
            std::collections::HashMap::new();
        let mut j = 0;
        while j < chars.len() {
            if chars[j] == '`' {
                let run = chars[j..].iter().take_while(|c| **c == '`').count();
                runs.entry(run).or_default().push(j);
                j += run;
            } else {
                j += 1;
            }
        }
        Self(runs)
    }

    /// Where the code span opened by the run of `n` at `i` closes.
    fn close(&self, i: usize, n: usize) -> Option<usize> {
        let starts = self.0.get(&n)?;
        starts.get(starts.partition_point(|&p| p <= i)).copied()
    }
}

/// How far a link's text or destination may reach.
const MAX_LINK: usize = 1000;

/// Parses `[text](dest)` with `chars[i] == '['`: (text, dest, index after).
fn link_at(chars: &[char], i: usize) -> Option<(String, String, usize)> {
    let mut depth = 0;
    let mut j = i;
    let close = loop {
        if j > i + MAX_LINK {
            return None;
        }
        match chars.get(j)? {
            '\\' => j += 1,
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    break j;
                }
            }
            _ => {}
        }
        j += 1;
    };
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let mut k = close + 2;
    while chars.get(k).is_some_and(|c| *c == ' ') {
        k += 1;
    }
    let limit = k + MAX_LINK;
    let dest: String;
    if chars.get(k) == Some(&'<') {
        let end = chars[k..].iter().take(MAX_LINK).position(|c| *c == '>')? + k;
        dest = chars[k + 1..end].iter().collect();
        k = end + 1;
    } else {
        let mut parens = 0;
        let start = k;
        while let Some(&c) = chars.get(k) {
            if k > limit {
                return None;
            }
            match c {
                '(' => parens += 1,
                ')' if parens == 0 => break,
                ')' => parens -= 1,
                c if c.is_whitespace() => break,
                _ => {}
            }
            k += 1;
        }
        dest = chars[start..k].iter().collect();
    }
    // An optional title is skipped.
    let end = chars[k..].iter().take(MAX_LINK).position(|c| *c == ')')? + k;
    let text = chars[i + 1..close].iter().collect();
    Some((text, dest, end + 1))
}

/// A piece of inline Markdown on its way to HTML.
enum Inline {
    /// Finished HTML.
    Html(String),
    /// A run of `*` or `_`, not yet matched.
    Delim {
        c: char,
        count: usize,
        original: usize,
        open: bool,
        close: bool,
    },
}

fn render(nodes: &[Inline]) -> String {
    let mut out = String::new();
    for n in nodes {
        match n {
            Inline::Html(h) => out.push_str(h),
            Inline::Delim { c, count, .. } => out.extend(std::iter::repeat_n(*c, *count)),
        }
    }
    out
}

/// CommonMark's "process emphasis": matches delimiter runs into `<i>` and
/// `<b>`, innermost first; unmatched delimiters stay as text.
fn process_emphasis(nodes: &mut Vec<Inline>) {
    let mut k = 0;
    while k < nodes.len() {
        let Inline::Delim {
            c,
            count,
            original,
            open,
            close: true,
        } = nodes[k]
        else {
            k += 1;
            continue;
        };
        let opener = (0..k).rev().find(|&o| match nodes[o] {
            Inline::Delim {
                c: oc,
                count: ocount,
                original: oorig,
                open: true,
                close: oclose,
            } if oc == c && ocount > 0 => {
                let both = oclose || open;
                !(both
                    && (oorig + original).is_multiple_of(3)
                    && !(oorig.is_multiple_of(3) && original.is_multiple_of(3)))
            }
            _ => false,
        });
        let Some(o) = opener else {
            k += 1;
            continue;
        };
        let Inline::Delim { count: ocount, .. } = nodes[o] else {
            unreachable!("the opener is a delimiter run")
        };
        let used = if ocount >= 2 && count >= 2 { 2 } else { 1 };
        let inner = render(&nodes[o + 1..k]);
        nodes.drain(o + 1..k);
        let (open_tag, close_tag) = if used == 2 {
            ("<b>", "</b>")
        } else {
            ("<i>", "</i>")
        };
        nodes.insert(o + 1, Inline::Html(format!("{open_tag}{inner}{close_tag}")));
        let mut closer = o + 2;
        for at in [o, closer] {
            if let Inline::Delim { count, .. } = &mut nodes[at] {
                *count -= used;
            }
        }
        if matches!(nodes[closer], Inline::Delim { count: 0, .. }) {
            nodes.remove(closer);
        }
        if matches!(nodes[o], Inline::Delim { count: 0, .. }) {
            nodes.remove(o);
            closer -= 1;
        }
        k = closer;
    }
}

/// Renders inline Markdown as HTML.
fn inline(s: &str) -> String {
    inline_at(s, 0)
}

/// [`inline`] within `depth` links; link text nested deeper stays text.
fn inline_at(s: &str, depth: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let backticks = BacktickRuns::new(&chars);
    let mut nodes: Vec<Inline> = Vec::new();
    let mut out = String::with_capacity(s.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if chars.get(i + 1).is_some_and(|n| n.is_ascii_punctuation()) => {
                escape_html(&chars[i + 1].to_string(), &mut out);
                i += 2;
            }
            '`' => {
                let n = chars[i..].iter().take_while(|x| **x == '`').count();
                match backticks.close(i, n) {
                    Some(close) => {
                        let code: String = chars[i + n..close].iter().collect();
                        let code = if code.len() > 1 && code.starts_with(' ') && code.ends_with(' ')
                        {
                            &code[1..code.len() - 1]
                        } else {
                            &code
                        };
                        out.push_str("<code>");
                        escape_html(code, &mut out);
                        out.push_str("</code>");
                        i = close + n;
                    }
                    None => {
                        out.push_str(&"`".repeat(n));
                        i += n;
                    }
                }
            }
            '!' if chars.get(i + 1) == Some(&'[') => match link_at(&chars, i + 1) {
                Some((alt, dest, end)) => {
                    let src = dest.strip_prefix("media/").unwrap_or(&dest);
                    out.push_str("<img src=\"");
                    escape_html(src, &mut out);
                    out.push('"');
                    if !alt.is_empty() {
                        out.push_str(" alt=\"");
                        escape_html(&alt.replace('\\', ""), &mut out);
                        out.push('"');
                    }
                    out.push('>');
                    i = end;
                }
                None => {
                    out.push('!');
                    i += 1;
                }
            },
            '[' if depth < MAX_DEPTH => match link_at(&chars, i) {
                Some((text, dest, end)) => {
                    out.push_str("<a href=\"");
                    escape_html(&dest, &mut out);
                    out.push_str("\">");
                    out.push_str(&inline_at(&text, depth + 1));
                    out.push_str("</a>");
                    i = end;
                }
                None => {
                    out.push('[');
                    i += 1;
                }
            },
            '*' | '_' => {
                let n = chars[i..].iter().take_while(|x| **x == c).count();
                let prev = i.checked_sub(1).map(|p| chars[p]);
                let next = chars.get(i + n).copied();
                let (left, right) = (left_flanking(prev, next), right_flanking(prev, next));
                let (open, close) = if c == '*' {
                    (left, right)
                } else {
                    let punct = |c: Option<char>| c.is_some_and(is_punct);
                    (
                        left && (!right || punct(prev)),
                        right && (!left || punct(next)),
                    )
                };
                nodes.push(Inline::Html(std::mem::take(&mut out)));
                nodes.push(Inline::Delim {
                    c,
                    count: n,
                    original: n,
                    open,
                    close,
                });
                i += n;
            }
            '&' => {
                let rest: String = chars[i + 1..chars.len().min(i + 40)].iter().collect();
                match entity_at(&rest) {
                    Some((_, used)) if rest[..used].ends_with(';') => {
                        out.push('&');
                        out.push_str(&rest[..used]);
                        i += 1 + rest[..used].chars().count();
                    }
                    _ => {
                        out.push_str("&amp;");
                        i += 1;
                    }
                }
            }
            '<' => {
                out.push_str("&lt;");
                i += 1;
            }
            '>' => {
                out.push_str("&gt;");
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    nodes.push(Inline::Html(out));
    // Matching is quadratic in the number of runs: a text with thousands
    // is not prose, and keeps its asterisks.
    if nodes.len() < 4000 {
        process_emphasis(&mut nodes);
    }
    render(&nodes)
}

fn paragraph_html(lines: &[String], out: &mut String) {
    for (n, line) in lines.iter().enumerate() {
        let last = n + 1 == lines.len();
        let (text, hard) = if let Some(t) = line.strip_suffix('\\').filter(|_| !last) {
            (t, true)
        } else if line.ends_with("  ") && !last {
            (line.trim_end(), true)
        } else {
            (line.trim_end(), false)
        };
        out.push_str(&inline(text));
        if !last {
            out.push_str(if hard { "<br>" } else { "\n" });
        }
    }
}

fn blocks_html(blocks: &[Block], out: &mut String) {
    let mut prev_inline = false;
    for block in blocks {
        match block {
            Block::Paragraph(lines) => {
                if prev_inline {
                    out.push_str("<br><br>");
                }
                paragraph_html(lines, out);
                prev_inline = true;
                continue;
            }
            Block::Heading(level, text) => {
                out.push_str(&format!("<h{level}>{}</h{level}>", inline(text)));
            }
            Block::Code(lang, code) => {
                out.push_str("<pre><code");
                if !lang.is_empty() {
                    out.push_str(" class=\"language-");
                    escape_html(lang, out);
                    out.push('"');
                }
                out.push('>');
                escape_html(code, out);
                out.push_str("</code></pre>");
            }
            Block::Rule => out.push_str("<hr>"),
            Block::List {
                ordered,
                start,
                items,
            } => {
                let tag = if *ordered { "ol" } else { "ul" };
                if *ordered && *start != 1 {
                    out.push_str(&format!("<ol start=\"{start}\">"));
                } else {
                    out.push_str(&format!("<{tag}>"));
                }
                for item in items {
                    out.push_str("<li>");
                    blocks_html(item, out);
                    out.push_str("</li>");
                }
                out.push_str(&format!("</{tag}>"));
            }
        }
        prev_inline = false;
    }
}

/// Converts Markdown to the simple HTML Anki's editor writes: `<b>`, `<i>`,
/// `<code>`, `<pre>`, lists, `<br>` for hard breaks and between paragraphs,
/// `<img src="x.png">` for `![](media/x.png)`, `<a>` for links.
pub fn markdown_to_html(md: &str) -> String {
    let lines: Vec<String> = md.lines().map(|l| l.replace('\t', "    ")).collect();
    let mut out = String::with_capacity(md.len() + 32);
    blocks_html(&parse_blocks(&lines, 0), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a &amp; b &lt;T&gt; &quot;x&quot;"),
            "a & b <T> \"x\""
        );
        assert_eq!(decode_entities("&#169;&#x1F600;&#65"), "©😀A");
        assert_eq!(
            decode_entities("&rarr;&nbsp;&unknown; & &"),
            "→\u{a0}&unknown; & &"
        );
        assert_eq!(decode_entities("&#0;&#xD800;"), "\u{fffd}\u{fffd}");
    }

    #[test]
    fn tokens() {
        let t = tokenize("a<b class='x y'>b</B><!-- c --><script>alert('<b>')</script>< d <br/>");
        assert_eq!(
            t,
            [
                Token::Text("a"),
                Token::Start {
                    name: "b".into(),
                    attrs: vec![("class".into(), "x y".into())]
                },
                Token::Text("b"),
                Token::End { name: "b".into() },
                Token::Text("< d "),
                Token::Start {
                    name: "br".into(),
                    attrs: vec![]
                },
            ]
        );
        // As in a browser, a tag left open swallows the rest.
        assert_eq!(tokenize("a<a href=\"x>b"), [Token::Text("a")]);
        assert_eq!(
            tokenize("a</b"),
            [Token::Text("a"), Token::End { name: "b".into() }]
        );
    }
}
