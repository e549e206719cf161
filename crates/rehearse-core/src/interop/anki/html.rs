//! Card fields between Anki's HTML and Rehearse's Markdown.
//!
//! [`html_to_markdown`] parses the field with html5ever and walks it with
//! the `htmd` crate, with handlers of its own for what a flashcard needs:
//! links as `[text](url)` (anchors with no visible text, like GitHub's
//! heading anchors, are dropped; in-page `#links` keep only their text),
//! tables as GFM tables, `<pre>` as fenced code with the language the HTML
//! names (`language-rust`, `highlight-source-python`; Pygments line numbers
//! left out), `<code>` as code spans, images as `![alt](media/file)` or
//! `![alt](https://…)`, headings, nested lists, bold and italic, `<br>`,
//! the one-line `<div>`s of Anki's editor, and `&nbsp;`. Styles, fonts,
//! spans, scripts and other layout noise are dropped; cloze markup
//! (`{{c1::…::hint}}`) is plain text to it and survives.
//!
//! Text that Markdown would read as markup (`2 * 3 * 4`, `a_b_c` is fine,
//! `_x_`, `# not a heading`, `1. not a list`, `<b>` typed as text…) is
//! escaped so that it renders as the same text. To know where a character
//! ends up (at the start of a line, inside a table, next to what) the text
//! is first written with private-use stand-ins for those characters, for
//! line breaks and for emphasis, which a last pass over the finished
//! Markdown turns into escapes, breaks and delimiters (see [`finish`]).
//!
//! [`markdown_to_html`] goes the other way with `pulldown-cmark` (the
//! options the card view renders with), writing the simple HTML Anki's
//! editor itself produces: `<b>`, `<i>`, `<br>` between paragraphs, tables,
//! `<pre><code class="language-x">`, links and images.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::LazyLock;

use htmd::element_handler::{HandlerResult, Handlers};
use htmd::options::{BrStyle, BulletListMarker, CodeBlockStyle, HrStyle, Options};
use htmd::{Element, HtmlToMarkdown};
use markup5ever_rcdom::{Node, NodeData};

// ---------------------------------------------------------------------------
// Stand-ins

/// Characters of text that Markdown might read as markup. While converting,
/// text carries each as a private-use stand-in ([`hide`]); [`finish`]
/// decides, knowing where it ended up, whether it needs a backslash.
const SPECIAL: &str = "\\`*_[]<>&#-+=|~.):!";

/// Where the stand-ins live: Supplementary Private Use Area-A.
const HIDDEN: u32 = 0xF_0000;
/// A `<br>`: a line break, or nothing at the end of a block.
const BR: char = '\u{F0100}';
/// The edge of a one-line block (Anki's `<div>` lines).
const LINE: char = '\u{F0101}';
const BOLD_OPEN: char = '\u{F0102}';
const BOLD_CLOSE: char = '\u{F0103}';
const ITALIC_OPEN: char = '\u{F0104}';
const ITALIC_CLOSE: char = '\u{F0105}';
/// Around the raw text of a code span: the backticks are chosen at the end,
/// when spans that ended up side by side can be joined.
const CODE_OPEN: char = '\u{F0106}';
const CODE_CLOSE: char = '\u{F0107}';
/// Real text never holds these: they are replaced on the way in.
const RESERVED: std::ops::Range<u32> = HIDDEN..HIDDEN + 0x200;

fn hide(c: char) -> char {
    char::from_u32(HIDDEN + c as u32).unwrap_or(c)
}

fn unhide(c: char) -> Option<char> {
    let n = c as u32;
    (HIDDEN..HIDDEN + 0x80)
        .contains(&n)
        .then(|| char::from_u32(n - HIDDEN))
        .flatten()
}

/// A special character that is written as it is, never escaped: Anki's
/// `[sound:…]` markers must reach the card view and Anki unchanged.
fn raw(c: char) -> char {
    char::from_u32(HIDDEN + 0x80 + c as u32).unwrap_or(c)
}

fn unraw(c: char) -> Option<char> {
    let n = c as u32;
    (HIDDEN + 0x80..HIDDEN + 0x100)
        .contains(&n)
        .then(|| char::from_u32(n - HIDDEN - 0x80))
        .flatten()
}

/// The character a stand-in for text stands for (others as they are).
fn real(c: char) -> char {
    unhide(c).or_else(|| unraw(c)).unwrap_or(c)
}

/// Whether `&` at the start of `rest` (the characters after it) begins
/// what Markdown reads as a character reference: `&name;`, `&#123;`.
fn entity_follows(rest: impl Iterator<Item = char>) -> bool {
    let mut n = 0;
    for c in rest.take(33) {
        match c {
            ';' => return n > 0,
            '#' if n == 0 => {}
            c if c.is_ascii_alphanumeric() => n += 1,
            _ => return false,
        }
    }
    false
}

fn is_emphasis(c: char) -> bool {
    matches!(c, BOLD_OPEN | BOLD_CLOSE | ITALIC_OPEN | ITALIC_CLOSE)
}

/// Text with stand-ins in the reserved range replaced, so that nothing in a
/// field can pass for one.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if RESERVED.contains(&(c as u32)) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// Text as it goes into the Markdown: special characters hidden, `&nbsp;`
/// as a space. Anki's `[sound:…]` markers stay as written.
fn hide_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[sound:")
            && let Some(end) = after.find(']')
            && !after[..end].contains('[')
        {
            let marker = format!("[sound:{}]", clean(&after[..end]));
            out.extend(
                marker
                    .chars()
                    .map(|c| if SPECIAL.contains(c) { raw(c) } else { c }),
            );
            rest = &after[end + 1..];
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        rest = &rest[c.len_utf8()..];
        out.push(match c {
            '\u{a0}' => ' ',
            c if SPECIAL.contains(c) => hide(c),
            c if RESERVED.contains(&(c as u32)) => '\u{fffd}',
            c => c,
        });
    }
    out
}

// ---------------------------------------------------------------------------
// The DOM

/// Deepest element nesting kept; deeper content is flattened to its text.
/// Real cards never come close; hostile ones must not exhaust the stack.
const MAX_DEPTH: usize = 48;

/// Most start tags left open that the parser is given; further ones are
/// taken out first (a browser caps the depth too). html5ever searches the
/// open elements for some tags, which is slow on deep piles of them.
const MAX_OPEN_TAGS: usize = 256;

fn tag_of(node: &Node) -> Option<&str> {
    match &node.data {
        NodeData::Element { name, .. } => Some(&name.local),
        _ => None,
    }
}

fn attr(node: &Node, key: &str) -> Option<String> {
    match &node.data {
        NodeData::Element { attrs, .. } => attrs
            .borrow()
            .iter()
            .find(|a| &*a.name.local == key)
            .map(|a| a.value.to_string()),
        _ => None,
    }
}

fn element_attr(element: &Element, key: &str) -> Option<String> {
    element
        .attrs
        .iter()
        .find(|a| &*a.name.local == key)
        .map(|a| a.value.to_string())
}

fn classes(node: &Node) -> Vec<String> {
    attr(node, "class")
        .map(|c| c.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn parent(node: &Node) -> Option<Rc<Node>> {
    let weak = node.parent.take();
    let parent = weak.as_ref().and_then(std::rc::Weak::upgrade);
    node.parent.set(weak);
    parent
}

fn ancestors(node: &Node) -> impl Iterator<Item = Rc<Node>> {
    std::iter::successors(parent(node), |n| parent(n))
}

/// Elements whose content never shows.
const HIDDEN_TAGS: &[&str] = &[
    "script", "style", "head", "title", "template", "noscript", "svg", "math", "iframe", "object",
    "embed", "canvas",
];

fn is_hidden(node: &Node) -> bool {
    let Some(tag) = tag_of(node) else {
        return matches!(node.data, NodeData::Comment { .. });
    };
    HIDDEN_TAGS.contains(&tag)
        || classes(node)
            .iter()
            // Pygments' line numbers: layout, not code.
            .any(|c| matches!(c.as_str(), "linenos" | "linenodiv" | "lineno"))
}

/// Code whose text is taken as it is.
fn is_code_tag(tag: &str) -> bool {
    matches!(
        tag,
        "pre" | "code" | "kbd" | "samp" | "tt" | "xmp" | "listing"
    )
}

/// Readies the parsed field for the handlers: drops hidden elements,
/// flattens what is nested too deep, and hides special characters in text
/// (not in code, whose text is taken raw).
fn prepare(root: &Rc<Node>) {
    let mut stack = vec![(root.clone(), 0usize, false)];
    while let Some((node, depth, raw)) = stack.pop() {
        if let NodeData::Text { contents } = &node.data {
            let text = contents.borrow().to_string();
            let new = if raw { clean(&text) } else { hide_text(&text) };
            contents.replace(new.into());
            continue;
        }
        let raw = raw || tag_of(&node).is_some_and(is_code_tag);
        node.children.borrow_mut().retain(|c| !is_hidden(c));
        let too_deep =
            depth >= MAX_DEPTH && node.children.borrow().iter().any(|c| tag_of(c).is_some());
        if too_deep {
            let text = Node::new(NodeData::Text {
                contents: RefCell::new(text_content(&node, false).into()),
            });
            text.parent.set(Some(Rc::downgrade(&node)));
            *node.children.borrow_mut() = vec![text];
        }
        for c in node.children.borrow().iter() {
            stack.push((c.clone(), depth + 1, raw));
        }
    }
}

/// Elements that start a new line in a browser.
const BLOCKS: &str = "address article aside blockquote center dd details dialog div dl dt fieldset \
     figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre \
     section summary table tr ul";

fn is_block(tag: &str) -> bool {
    BLOCKS.split_whitespace().any(|t| t == tag)
}

/// The text under `node`, as a browser lays it out: with `lines`, `<br>`
/// and block edges as newlines (for code blocks); without, as spaces.
fn text_content(node: &Rc<Node>, lines: bool) -> String {
    enum Step {
        Enter(Rc<Node>),
        Leave(bool),
    }
    let mut out = String::new();
    let newline = |out: &mut String| {
        if lines {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    };
    let mut stack: Vec<Step> = node
        .children
        .borrow()
        .iter()
        .rev()
        .map(|c| Step::Enter(c.clone()))
        .collect();
    while let Some(step) = stack.pop() {
        let n = match step {
            Step::Leave(block) => {
                if block {
                    newline(&mut out);
                }
                continue;
            }
            Step::Enter(n) => n,
        };
        match &n.data {
            NodeData::Text { contents } => out.push_str(&contents.borrow()),
            NodeData::Element { .. } if is_hidden(&n) => {}
            NodeData::Element { name, .. } => {
                let tag = &*name.local;
                if tag == "br" {
                    out.push(if lines { '\n' } else { ' ' });
                    continue;
                }
                let block = is_block(tag) || matches!(tag, "td" | "th");
                if block {
                    newline(&mut out);
                }
                stack.push(Step::Leave(block));
                for c in n.children.borrow().iter().rev() {
                    stack.push(Step::Enter(c.clone()));
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether the visible text under `node` is empty (images count as content).
fn shows_nothing(node: &Rc<Node>) -> bool {
    let mut stack = vec![node.clone()];
    while let Some(n) = stack.pop() {
        match &n.data {
            NodeData::Text { contents }
                if contents.borrow().chars().any(|c| !c.is_whitespace()) =>
            {
                return false;
            }
            NodeData::Element { name, .. } if &*name.local == "img" => return false,
            NodeData::Element { .. } => stack.extend(n.children.borrow().iter().cloned()),
            _ => {}
        }
    }
    true
}

/// Takes out start tags beyond [`MAX_OPEN_TAGS`] still open (and their end
/// tags), before parsing. Only hostile fields get that deep.
fn limit_nesting(html: &str) -> std::borrow::Cow<'_, str> {
    static TAG: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*>").expect("valid pattern")
    });
    const VOID: [&str; 14] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    ];
    // Tags a new one of the same name closes.
    const SELF_CLOSING: [&str; 8] = ["p", "li", "dt", "dd", "tr", "td", "th", "option"];
    if html.len() < MAX_OPEN_TAGS * 3 {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut open: Vec<String> = Vec::new();
    let mut dropped: std::collections::HashMap<String, usize> = Default::default();
    let mut cuts: Vec<std::ops::Range<usize>> = Vec::new();
    for m in TAG.captures_iter(html) {
        let whole = m.get(0).expect("match");
        let name = m[2].to_ascii_lowercase();
        if VOID.contains(&name.as_str()) || whole.as_str().ends_with("/>") {
            continue;
        }
        if m[1].is_empty() {
            if open.last() == Some(&name) && SELF_CLOSING.contains(&name.as_str()) {
                continue;
            }
            if open.len() >= MAX_OPEN_TAGS {
                *dropped.entry(name).or_default() += 1;
                cuts.push(whole.range());
            } else {
                open.push(name);
            }
        } else if let Some(n) = dropped.get_mut(&name).filter(|n| **n > 0) {
            *n -= 1;
            cuts.push(whole.range());
        } else if let Some(at) = open.iter().rposition(|t| *t == name) {
            open.truncate(at);
        }
    }
    if cuts.is_empty() {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for cut in cuts {
        out.push_str(&html[last..cut.start]);
        last = cut.end;
    }
    out.push_str(&html[last..]);
    std::borrow::Cow::Owned(out)
}

// ---------------------------------------------------------------------------
// Handlers

fn walk(handlers: &dyn Handlers, node: &Rc<Node>) -> String {
    handlers.walk_children(node).content
}

/// Inside a heading or a link, which are one line: blocks there are laid
/// out inline.
fn inline_context(node: &Node) -> bool {
    ancestors(node).any(|a| {
        tag_of(&a).is_some_and(|t| matches!(t, "a" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"))
    })
}

/// Inline content set off by spaces from what is around it.
fn spaced(s: &str) -> HandlerResult {
    let s = s.trim();
    if s.is_empty() {
        " ".into()
    } else {
        format!(" {s} ").into()
    }
}

/// One line: breaks (resolved) and newlines as spaces.
fn one_line(s: &str) -> String {
    let resolved = resolve_breaks(s);
    let mut out = String::with_capacity(resolved.len());
    for part in resolved.split('\n') {
        let part = part.trim().trim_end_matches('\\').trim_end();
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        // Spaces run together (code spans are collapsed already).
        for c in part.chars() {
            if !(c == ' ' && out.ends_with(' ')) {
                out.push(c);
            }
        }
    }
    out
}

fn block(content: &str) -> HandlerResult {
    let content = content.trim_matches(|c: char| c == '\n' || c == ' ');
    if content.trim().is_empty() {
        return String::new().into();
    }
    format!("\n\n{content}\n\n{LINE}").into()
}

/// `<div>` and its kin: one line of Anki's editor, or a block when it holds
/// blocks. (Every block ends with a [`LINE`] after its blank line, so that
/// the spaces of text after it are dropped.)
fn div_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = walk(handlers, element.node);
    if content.contains('\n') {
        Some(block(&content))
    } else {
        Some(format!("{LINE}{content}{LINE}").into())
    }
}

/// Inline wrappers (`<span>`, `<font>`, `<u>`…): their content, blocks in
/// it kept apart from the text around.
fn inline_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    Some(walk(handlers, element.node).into())
}

fn p_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    Some(block(&walk(handlers, element.node)))
}

fn br_handler(_: &dyn Handlers, _: Element) -> Option<HandlerResult> {
    Some(BR.to_string().into())
}

fn hr_handler(_: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    if inline_context(element.node) {
        return Some(" ".into());
    }
    Some(format!("\n\n---\n\n{LINE}").into())
}

fn heading_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let level = element.tag[1..].parse::<usize>().unwrap_or(1).clamp(1, 6);
    let text = one_line(&walk(handlers, element.node));
    if text.is_empty() {
        return None;
    }
    if inline_context(element.node) {
        return Some(spaced(&text));
    }
    Some(format!("\n\n{} {text}\n\n{LINE}", "#".repeat(level)).into())
}

fn blockquote_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    if inline_context(element.node) {
        return Some(spaced(&walk(handlers, element.node)));
    }
    let content = resolve_breaks(&walk(handlers, element.node));
    let content = content.trim_matches('\n');
    if content.trim().is_empty() {
        return None;
    }
    let quoted: Vec<String> = content
        .lines()
        .map(|l| {
            if l.is_empty() {
                ">".into()
            } else {
                format!("> {l}")
            }
        })
        .collect();
    Some(format!("\n\n{}\n\n{LINE}", quoted.join("\n")).into())
}

fn emphasis_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let bold = matches!(element.tag, "b" | "strong");
    let same = |t: &str| {
        if bold {
            matches!(t, "b" | "strong")
        } else {
            matches!(t, "i" | "em")
        }
    };
    let content = walk(handlers, element.node);
    // Inside one of the same kind, or around blocks: the text only.
    if content.contains('\n') || ancestors(element.node).any(|a| tag_of(&a).is_some_and(same)) {
        return Some(content.into());
    }
    let (open, close) = if bold {
        (BOLD_OPEN, BOLD_CLOSE)
    } else {
        (ITALIC_OPEN, ITALIC_CLOSE)
    };
    // Emphasis never spans a line: each line between breaks gets its own.
    let mut out = String::with_capacity(content.len() + 8);
    let wrap = |part: &str, out: &mut String| {
        let trimmed = part.trim();
        if trimmed.is_empty() {
            out.push_str(part);
            return;
        }
        out.push_str(&part[..part.len() - part.trim_start().len()]);
        out.push(open);
        out.push_str(trimmed);
        out.push(close);
        out.push_str(&part[part.trim_end().len()..]);
    };
    let mut part = String::new();
    for c in content.chars() {
        if matches!(c, BR | LINE) {
            wrap(&part, &mut out);
            part.clear();
            out.push(c);
        } else {
            part.push(c);
        }
    }
    wrap(&part, &mut out);
    Some(out.into())
}

fn code_handler(_: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let text = text_content(element.node, false);
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return None;
    }
    Some(format!("{CODE_OPEN}{text}{CODE_CLOSE}").into())
}

/// The language a code block's HTML names: `class="language-rust"` (or
/// `lang-`), GitHub's `highlight-source-python`, `lang="x"`, on the block
/// or its `<code>` or a wrapper around it.
fn code_language(pre: &Rc<Node>) -> String {
    let from_class = |c: &str| -> Option<String> {
        let lang = c
            .strip_prefix("language-")
            .or_else(|| c.strip_prefix("lang-"))
            .or_else(|| c.strip_prefix("highlight-source-"))
            .or_else(|| c.strip_prefix("highlight-text-"))
            .or_else(|| c.strip_prefix("highlight-").filter(|l| *l != "source"))
            .or_else(|| c.strip_prefix("sourceCode-"))?;
        // "text-html-basic" → "html"
        let lang = lang.split('-').next().unwrap_or(lang);
        Some(lang.to_string())
    };
    let from_node = |n: &Rc<Node>| -> Option<String> {
        classes(n)
            .iter()
            .find_map(|c| from_class(c))
            .or_else(|| attr(n, "lang"))
            .or_else(|| attr(n, "data-lang"))
    };
    let code_child = pre
        .children
        .borrow()
        .iter()
        .find(|c| tag_of(c) == Some("code"))
        .cloned();
    let found = code_child
        .as_ref()
        .and_then(from_node)
        .or_else(|| from_node(pre))
        .or_else(|| ancestors(pre).take(3).find_map(|a| from_node(&a)))
        .unwrap_or_default();
    found
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '+' | '-' | '#' | '_' | '.'))
        .take(32)
        .collect()
}

fn pre_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    if inline_context(element.node) {
        return code_handler(handlers, element);
    }
    let text = text_content(element.node, true).replace(['\u{a0}', '\r'], " ");
    // Leading blank lines do not show; trailing space neither.
    let mut text = text.as_str();
    while let Some(i) = text.find('\n')
        && text[..i].trim().is_empty()
    {
        text = &text[i + 1..];
    }
    let text = text.trim_end();
    if text.trim().is_empty() {
        return None;
    }
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    let lang = code_language(element.node);
    Some(format!("\n\n{fence}{lang}\n{}\n{fence}\n\n{LINE}", lines.join("\n")).into())
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Whether an image's `src` is on the web rather than in the media folder.
fn is_remote(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "ftp://", "//"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// A link or image destination as Markdown writes it.
fn destination(url: &str) -> String {
    let url: String = clean(url).chars().filter(|c| !c.is_control()).collect();
    let angle = url.contains([' ', '(', ')', '<', '>']);
    let mut out = String::with_capacity(url.len() + 4);
    if angle {
        out.push('<');
    }
    let chars: Vec<char> = url.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let entity_like = c == '&' && entity_follows(chars[i + 1..].iter().copied());
        if c == '\\' || entity_like || (angle && matches!(c, '<' | '>')) {
            out.push('\\');
        }
        out.push(c);
    }
    if angle {
        out.push('>');
    }
    out
}

fn image_markdown(node: &Rc<Node>) -> Option<String> {
    let src = attr(node, "src").unwrap_or_default();
    let src = src.trim();
    let alt: String = attr(node, "alt")
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if src.is_empty() || src.to_ascii_lowercase().starts_with("data:") {
        return (!alt.is_empty()).then(|| hide_text(&alt));
    }
    let dest = if is_remote(src) {
        src.to_string()
    } else {
        format!("media/{src}")
    };
    let alt: String = clean(&alt)
        .chars()
        .flat_map(|c| {
            let esc = matches!(c, '[' | ']' | '\\' | '*' | '_' | '`');
            esc.then_some('\\').into_iter().chain([c])
        })
        .collect();
    Some(format!("![{alt}]({})", destination(&dest)))
}

fn img_handler(_: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    image_markdown(element.node).map(Into::into)
}

fn anchor_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    // An anchor with nothing to click (GitHub's heading anchors) goes.
    if shows_nothing(element.node) {
        return None;
    }
    let content = one_line(&walk(handlers, element.node));
    if content.is_empty() {
        return None;
    }
    let href: String = element_attr(&element, "href")
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let href = href.trim();
    let lower = href.to_ascii_lowercase();
    // In-page links lead nowhere in a card; a link in a link cannot be
    // written (the outer one is kept).
    let nested = ancestors(element.node).any(|a| tag_of(&a) == Some("a"));
    if href.is_empty() || href.starts_with('#') || lower.starts_with("javascript:") || nested {
        return Some(content.into());
    }
    let shown: String = text_content(element.node, false)
        .chars()
        .map(real)
        .collect();
    let shown = shown.trim();
    if shown == href
        && (lower.starts_with("http://") || lower.starts_with("https://"))
        && !href.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '\\'))
    {
        return Some(format!("<{}>", clean(href)).into());
    }
    Some(format!("[{content}]({})", destination(href)).into())
}

fn list_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let flat = inline_context(element.node);
    let ordered = element.tag == "ol";
    let start: u64 = element_attr(&element, "start")
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map_or(1, |n| n.clamp(0, 999_999_999) as u64);
    let mut items: Vec<String> = Vec::new();
    for child in element.node.children.borrow().iter() {
        let content = if tag_of(child) == Some("li") {
            walk(handlers, child)
        } else {
            match handlers.handle(child) {
                Some(r) => r.content,
                None => continue,
            }
        };
        let content = resolve_breaks(&content);
        let content = content.trim_matches(|c: char| c == '\n' || c == ' ');
        if content.is_empty() {
            continue;
        }
        items.push(loosen(content));
    }
    if items.is_empty() {
        return None;
    }
    if flat {
        return Some(spaced(&one_line(&items.join(" "))));
    }
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        let marker = if ordered {
            format!("{}. ", start + i as u64)
        } else {
            "- ".to_string()
        };
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&marker);
        let indent = " ".repeat(marker.len());
        for (j, line) in item.lines().enumerate() {
            if j > 0 {
                out.push('\n');
                if !line.is_empty() {
                    out.push_str(&indent);
                }
            }
            out.push_str(line);
        }
    }
    // In an item (through inline elements such as `<i>`).
    let in_item = ancestors(element.node)
        .find_map(|a| {
            tag_of(&a)
                .filter(|t| is_block(t) || *t == "body")
                .map(|t| t == "li")
        })
        .unwrap_or(false);
    // Only a list starting at 1 may interrupt a paragraph.
    // (Text after it in the item must not run into its last item.)
    if in_item && (!ordered || start == 1) {
        Some(format!("\n{out}\n\n{LINE}").into())
    } else {
        Some(format!("\n\n{out}\n\n{LINE}").into())
    }
}

/// A list item's content with a blank line before each nested list that
/// follows text, when the item has blank lines anyway: Markdown cannot tell
/// "text, list" from "text, blank, list" in a loose item, so only the second
/// is written.
fn loosen(content: &str) -> String {
    if !content.contains("\n\n") {
        return content.to_string();
    }
    let mut out = String::with_capacity(content.len() + 8);
    let mut fenced = false;
    let mut prev_text = false;
    for (n, line) in content.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let list = !fenced && item_marker(line).is_some();
        if list && prev_text {
            out.push('\n');
        }
        if line.starts_with("```") {
            fenced = !fenced;
        }
        prev_text = !fenced && !line.is_empty() && !line.starts_with(' ') && !list;
        out.push_str(line);
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    None,
    Left,
    Center,
    Right,
}

fn alignment(cell: &Rc<Node>) -> Align {
    let value = attr(cell, "align")
        .or_else(|| {
            attr(cell, "style").and_then(|s| {
                s.split(';').find_map(|d| {
                    let (k, v) = d.split_once(':')?;
                    (k.trim().eq_ignore_ascii_case("text-align")).then(|| v.trim().to_string())
                })
            })
        })
        .unwrap_or_default()
        .to_ascii_lowercase();
    match value.as_str() {
        "left" => Align::Left,
        "center" => Align::Center,
        "right" => Align::Right,
        _ => Align::None,
    }
}

/// `<table>` as a GFM table (with its caption above it); a table GFM
/// cannot hold (one column, or cells of several lines: layout, or code with
/// line numbers) as its cells one after the other; inside a line, its text.
fn table_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    if inline_context(element.node) {
        return Some(spaced(&one_line(&walk(handlers, element.node))));
    }
    let (rows, caption) = table_rows(handlers, element.node);
    let (cells, blocky) = table_cells(handlers, &rows);
    let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = String::new();
    if !caption.is_empty() {
        out.push_str(&caption);
        out.push_str("\n\n");
    }
    if columns < 2 || blocky {
        // A layout table (or code with its line numbers gone): its cells
        // one after the other.
        let parts: Vec<&str> = cells
            .iter()
            .flatten()
            .map(|(c, _)| c.as_str())
            .filter(|c| !c.trim().is_empty())
            .collect();
        out.push_str(&parts.join("\n\n"));
        return Some(block(&out));
    }
    out.push_str(&gfm_table(&cells, columns));
    Some(block(&out))
}

/// A table cell as Markdown, with its alignment.
type TableCell = (String, Align);

/// A table's rows (their `td` and `th` cells) and its caption as one line.
/// Rows are found through `thead`, `tbody` and `tfoot` but not inside
/// nested tables, whose rows are their own.
fn table_rows(handlers: &dyn Handlers, table: &Rc<Node>) -> (Vec<Vec<Rc<Node>>>, String) {
    let mut rows: Vec<Vec<Rc<Node>>> = Vec::new();
    let mut caption = String::new();
    let mut stack: Vec<Rc<Node>> = table.children.borrow().iter().rev().cloned().collect();
    while let Some(n) = stack.pop() {
        match tag_of(&n) {
            Some("thead" | "tbody" | "tfoot") => {
                stack.extend(n.children.borrow().iter().rev().cloned());
            }
            Some("tr") => rows.push(
                n.children
                    .borrow()
                    .iter()
                    .filter(|c| matches!(tag_of(c), Some("td" | "th")))
                    .cloned()
                    .collect(),
            ),
            Some("caption") => caption = one_line(&walk(handlers, &n)),
            _ => {}
        }
    }
    (rows, caption)
}

/// Each row's cells as Markdown (empty rows left out), and whether any cell
/// holds more than one line: GFM table cells cannot, so such a table is
/// written as its cells in turn.
fn table_cells(handlers: &dyn Handlers, rows: &[Vec<Rc<Node>>]) -> (Vec<Vec<TableCell>>, bool) {
    let mut cells: Vec<Vec<TableCell>> = Vec::new();
    let mut blocky = false;
    for row in rows {
        let mut out = Vec::new();
        for cell in row {
            let content = resolve_breaks(&walk(handlers, cell));
            let content = content.trim_matches(|c: char| c == '\n' || c == ' ');
            blocky |= content.replace("\\\n", " ").contains('\n');
            out.push((content.to_string(), alignment(cell)));
        }
        if !out.is_empty() {
            cells.push(out);
        }
    }
    (cells, blocky)
}

/// A GFM table of `columns` columns: the first row as its head (GFM has no
/// table without one), short rows padded with empty cells, and each column
/// aligned as the first of its cells that names an alignment.
fn gfm_table(cells: &[Vec<TableCell>], columns: usize) -> String {
    let line = |row: &[TableCell]| -> String {
        let mut s = String::from("|");
        for i in 0..columns {
            let cell = row
                .get(i)
                .map(|(c, _)| one_line(c).replace('|', "\\|"))
                .unwrap_or_default();
            s.push(' ');
            s.push_str(cell.trim());
            s.push_str(" |");
        }
        s
    };
    let Some((head, body)) = cells.split_first() else {
        return String::new();
    };
    let mut out = line(head);
    out.push_str("\n|");
    for i in 0..columns {
        let align = cells
            .iter()
            .find_map(|r| r.get(i).map(|c| c.1).filter(|a| *a != Align::None))
            .unwrap_or(Align::None);
        out.push_str(match align {
            Align::None => " --- |",
            Align::Left => " :--- |",
            Align::Center => " :---: |",
            Align::Right => " ---: |",
        });
    }
    for row in body {
        out.push('\n');
        out.push_str(&line(row));
    }
    out
}

static CONVERTER: LazyLock<HtmlToMarkdown> = LazyLock::new(|| {
    HtmlToMarkdown::builder()
        .options(Options {
            br_style: BrStyle::Backslash,
            bullet_list_marker: BulletListMarker::Dash,
            code_block_style: CodeBlockStyle::Fenced,
            hr_style: HrStyle::Dashes,
            ul_bullet_spacing: 1,
            ol_number_spacing: 1,
            ..Options::default()
        })
        .add_handler(
            vec![
                "div",
                "section",
                "article",
                "header",
                "footer",
                "main",
                "nav",
                "aside",
                "center",
                "address",
                "figure",
                "figcaption",
                "details",
                "summary",
                "dl",
                "dt",
                "dd",
                "form",
                "fieldset",
                "legend",
                "hgroup",
                "search",
                "dialog",
                "li",
                "tr",
                "td",
                "th",
                "thead",
                "tbody",
                "tfoot",
                "caption",
            ],
            div_handler,
        )
        .add_handler(
            vec!["span", "font", "u", "small", "big", "mark", "sub", "sup"],
            inline_handler,
        )
        .add_handler(vec!["p"], p_handler)
        .add_handler(vec!["br"], br_handler)
        .add_handler(vec!["hr"], hr_handler)
        .add_handler(vec!["h1", "h2", "h3", "h4", "h5", "h6"], heading_handler)
        .add_handler(vec!["blockquote"], blockquote_handler)
        .add_handler(vec!["b", "strong", "i", "em"], emphasis_handler)
        .add_handler(vec!["code", "kbd", "samp", "tt"], code_handler)
        .add_handler(vec!["pre", "xmp", "listing"], pre_handler)
        .add_handler(vec!["img"], img_handler)
        .add_handler(vec!["a"], anchor_handler)
        .add_handler(vec!["ul", "ol"], list_handler)
        .add_handler(vec!["table"], table_handler)
        .build()
});

/// Converts a field's HTML to Markdown (see the module documentation for
/// what is kept). Images become `![alt](media/<src>)`.
pub fn html_to_markdown(html: &str) -> String {
    let html = limit_nesting(html);
    let Ok(tree) = CONVERTER.html_to_tree(&html) else {
        return String::new();
    };
    prepare(&tree);
    finish(&CONVERTER.tree_to_markdown(&tree))
}

// ---------------------------------------------------------------------------
// The last pass

/// Turns the stand-ins into Markdown: breaks, code spans, escapes, emphasis.
fn finish(md: &str) -> String {
    let md = resolve_breaks(md);
    let md = code_spans(&md);
    let md = resolve_emphasis(&md);
    let md = escape_text(&md);
    separate_lists(md.trim())
}

/// A list item's marker at the start of `line` (after its indentation):
/// the bullet (`-`, `*`, `+`) or the delimiter after the number (`.`, `)`),
/// and where that character is.
fn item_marker(line: &str) -> Option<(char, usize)> {
    let b = line.as_bytes();
    match b.first() {
        Some(c @ (b'-' | b'*' | b'+')) if b.get(1) == Some(&b' ') => Some((*c as char, 0)),
        Some(c) if c.is_ascii_digit() => {
            let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
            match (b.get(n), b.get(n + 1)) {
                (Some(d @ (b'.' | b')')), Some(b' ')) if n <= 9 => Some((*d as char, n)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Tidies the finished Markdown's lines (outside code blocks): no trailing
/// spaces, and lists kept apart. Two lists with only a blank line between
/// them are one list in Markdown: a list that follows another of its kind
/// gets the other bullet (`*` for `-`) or delimiter (`)` for `.`).
fn separate_lists(md: &str) -> String {
    let mut open = OpenLists::default();
    let mut fence: Option<String> = None;
    let mut blank_before = false;
    let mut out = String::with_capacity(md.len());
    for (n, line) in md.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if let Some(f) = &fence {
            if body.starts_with(f.as_str()) && body.trim_end().trim_start_matches('`').is_empty() {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        // Trailing spaces show nothing (and two would be a line break).
        let line = line.trim_end_matches([' ', '\t']);
        let body = body.trim_end_matches([' ', '\t']);
        if body.is_empty() {
            blank_before = true;
            continue;
        }
        let item = item_marker(body);
        if let Some(opened) = fence_after_markers(body) {
            fence = Some(opened);
        }
        open.close_to(indent, item.is_some());
        let mut line = line.to_string();
        if let Some((given, at)) = item {
            let written = open.marker(indent, given, blank_before);
            if written != given {
                line.replace_range(indent + at..indent + at + 1, &written.to_string());
            }
            open.nested_on_line(&line, indent + at + 2);
        }
        blank_before = false;
        out.push_str(&line);
    }
    out
}

/// The backticks of a code fence that `body` opens, after any list
/// markers: a fence may open on an item's first line.
fn fence_after_markers(body: &str) -> Option<String> {
    let mut content = body;
    while let Some((_, at)) = item_marker(content) {
        content = content[at + 2..].trim_start_matches(' ');
    }
    content
        .starts_with("```")
        .then(|| "`".repeat(content.chars().take_while(|c| *c == '`').count()))
}

/// The lists open at a line of [`separate_lists`], outermost first: each
/// one's indentation, the marker written for it and the marker the
/// Markdown gave.
#[derive(Default)]
struct OpenLists(Vec<(usize, char, char)>);

impl OpenLists {
    /// Closes the lists a line at `indent` ends: those indented as far or
    /// further, except the one an item at its own indentation continues.
    fn close_to(&mut self, indent: usize, item: bool) {
        while let Some(&(k, _, _)) = self.0.last() {
            if indent > k || (indent == k && item) {
                break;
            }
            self.0.pop();
        }
    }

    /// The marker to write for an item at `indent` given `given`: the other
    /// bullet or delimiter when it starts a new list right after a blank
    /// line ending a list of the same kind, so the two stay apart.
    fn marker(&mut self, indent: usize, given: char, blank_before: bool) -> char {
        match self.0.last_mut() {
            Some((k, written, was)) if *k == indent => {
                if blank_before {
                    // A new list right after one of the same kind.
                    *was = given;
                    *written = if *written == given {
                        flip_marker(given)
                    } else {
                        given
                    };
                } else if given != *was {
                    *was = given;
                    *written = given;
                }
                *written
            }
            _ => {
                self.0.push((indent, given, given));
                given
            }
        }
    }

    /// Opens the lists nested in an item on its own line (`- 1. x`), whose
    /// markers follow from column `col` of `line`.
    fn nested_on_line(&mut self, line: &str, mut col: usize) {
        while let Some((given, at)) = line.get(col..).and_then(item_marker) {
            while self.0.last().is_some_and(|(k, _, _)| *k >= col) {
                self.0.pop();
            }
            self.0.push((col, given, given));
            col += at + 2;
        }
    }
}

/// The other bullet (or delimiter) for a list marker: what keeps a list
/// apart from one of the same kind just before it.
fn flip_marker(c: char) -> char {
    match c {
        '-' => '*',
        '*' => '-',
        '+' => '-',
        '.' => ')',
        _ => '.',
    }
}

/// Line breaks from `<br>` and one-line blocks ([`BR`], [`LINE`]), as a
/// browser would show them: a break ends the line, a block edge ends it
/// unless it is empty already; one break is a hard line break, two or more
/// a new paragraph, none at the start or end of the text.
fn resolve_breaks(s: &str) -> String {
    if !s.contains([BR, LINE]) {
        return s.to_string();
    }
    let is_run = |c: char| matches!(c, BR | LINE | ' ' | '\t' | '\n');
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_run(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_run(chars[i]) {
            i += 1;
        }
        let run = &chars[start..i];
        if !run.iter().any(|c| matches!(*c, BR | LINE)) {
            out.extend(run);
            continue;
        }
        let at_start = out.trim_end_matches([' ', '\t']).is_empty() || out.ends_with('\n');
        let at_end = i == chars.len();
        let newlines = run.iter().filter(|c| **c == '\n').count();
        if newlines > 0 {
            // A block edge decided by the structure: keep it (at most one
            // blank line) and the indentation after it.
            let last = run.iter().rposition(|c| *c == '\n').unwrap_or(0);
            let indent: String = run[last + 1..]
                .iter()
                .take_while(|c| matches!(**c, ' ' | '\t'))
                .collect();
            let trimmed = out.trim_end_matches([' ', '\t']).len();
            out.truncate(trimmed);
            out.push_str(&"\n".repeat(newlines.min(2)));
            out.push_str(&indent);
            continue;
        }
        if at_start || at_end {
            continue;
        }
        let (mut breaks, mut content) = (0, true);
        for c in run {
            match *c {
                BR => {
                    breaks += 1;
                    content = false;
                }
                LINE if content => {
                    breaks += 1;
                    content = false;
                }
                _ => {}
            }
        }
        let trimmed = out.trim_end_matches([' ', '\t']).len();
        out.truncate(trimmed);
        out.push_str(match breaks {
            0 => " ",
            1 => "\\\n",
            _ => "\n\n",
        });
    }
    out
}

/// Writes code spans ([`CODE_OPEN`] … [`CODE_CLOSE`]) with as many backticks
/// as their text needs; spans side by side become one, since two would
/// read as one odd span.
fn code_spans(s: &str) -> String {
    if !s.contains(CODE_OPEN) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut rest = s;
    while let Some(open) = rest.find(CODE_OPEN) {
        out.push_str(&rest[..open]);
        let mut code = String::new();
        let mut after = &rest[open..];
        // Gather this span and any right after it.
        while let Some(body) = after.strip_prefix(CODE_OPEN) {
            let end = body.find(CODE_CLOSE).unwrap_or(body.len());
            code.push_str(&body[..end]);
            after = body.get(end + CODE_CLOSE.len_utf8()..).unwrap_or("");
        }
        let fence = "`".repeat(code_fence_len(&code));
        let pad = if code.starts_with('`') || code.ends_with('`') {
            " "
        } else {
            ""
        };
        out.push_str(&format!("{fence}{pad}{code}{pad}{fence}"));
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The shortest backtick run not in `code`.
fn code_fence_len(code: &str) -> usize {
    let mut runs = std::collections::HashSet::new();
    let mut run = 0;
    for c in code.chars().chain([' ']) {
        if c == '`' {
            run += 1;
        } else if run > 0 {
            runs.insert(run);
            run = 0;
        }
    }
    (1..).find(|n| !runs.contains(n)).unwrap_or(1)
}

/// Where a line's own text starts: after indentation, list markers, `>`,
/// and a heading's `#`s. Returns (that offset in chars, heading, table row).
fn line_prefix(line: &[char]) -> (usize, bool, bool) {
    let mut i = 0;
    let mut heading = false;
    loop {
        while line.get(i) == Some(&' ') {
            i += 1;
        }
        let rest = &line[i..];
        let spaced = |n: usize| rest.get(n).is_none_or(|c| *c == ' ');
        match rest.first() {
            Some('-' | '*' | '+') if spaced(1) => i += 1,
            Some('>') => i += 1,
            Some('#') if !heading => {
                let n = rest.iter().take_while(|c| **c == '#').count();
                if n <= 6 && spaced(n) {
                    heading = true;
                    i += n;
                } else {
                    break;
                }
            }
            Some(c) if c.is_ascii_digit() => {
                let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
                if n <= 9 && matches!(rest.get(n), Some('.' | ')')) && spaced(n + 1) {
                    i += n + 1;
                } else {
                    break;
                }
            }
            _ => break,
        }
    }
    let table = line.get(i) == Some(&'|');
    (i, heading, table)
}

/// Turns hidden special characters back, with a backslash where Markdown
/// would otherwise read them as markup where they stand.
fn escape_text(s: &str) -> String {
    if !s.chars().any(|c| real(c) != c) {
        return s.to_string();
    }
    let tildes = s.chars().filter(|c| *c == hide('~')).count();
    let mut out = String::with_capacity(s.len() + 16);
    for (n, line) in s.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let chars: Vec<char> = line.chars().collect();
        let (start, heading, table) = line_prefix(&chars);
        out.extend(&chars[..start]);
        // Nothing but emphasis stand-ins (and, for a list number, digits)
        // since the start of the line's text.
        let mut content_seen = false;
        let mut digits = 0usize;
        let mut digits_only = true;
        for i in start..chars.len() {
            let c = chars[i];
            if is_emphasis(c) {
                out.push(c);
                continue;
            }
            if let Some(r) = unraw(c) {
                out.push(r);
                content_seen = true;
                digits_only = false;
                continue;
            }
            let Some(t) = unhide(c) else {
                out.push(c);
                content_seen = true;
                if c.is_ascii_digit() && digits_only {
                    digits += 1;
                } else {
                    digits_only = false;
                }
                continue;
            };
            let next = chars[i + 1..]
                .iter()
                .find(|c| !is_emphasis(**c))
                .map(|c| real(*c));
            let next_raw = chars.get(i + 1).copied();
            let prev_is_emphasis = i > 0 && is_emphasis(chars[i - 1]);
            let prev = chars[..i]
                .iter()
                .rev()
                .find(|c| !is_emphasis(**c))
                .map(|c| real(*c));
            let spaced = next.is_none_or(|c| c == ' ' || c == '\t');
            let escape = match t {
                '\\' | '`' | '*' | '[' | ']' => true,
                '_' => prev_is_emphasis || !prev.is_some_and(char::is_alphanumeric),
                '<' => {
                    next.is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
                }
                '&' => entity_follows(chars[i + 1..].iter().map(|c| real(*c))),
                '~' => tildes > 1,
                '#' => !content_seen || heading,
                '-' | '>' | '=' => !content_seen,
                '+' | ':' => !content_seen && spaced,
                '|' => !content_seen || table,
                '.' | ')' => digits_only && (1..=9).contains(&digits) && spaced,
                '!' => next_raw == Some('['),
                _ => false,
            };
            if escape {
                out.push('\\');
            }
            out.push(t);
            content_seen = true;
            digits_only = false;
        }
    }
    out
}

/// Punctuation as CommonMark's flanking rules see it.
fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() || (!c.is_alphanumeric() && !c.is_whitespace())
}

fn left_flanking(prev: Option<char>, next: Option<char>) -> bool {
    let ws = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let punct = |c: Option<char>| c.is_some_and(is_punct);
    !ws(next) && (!punct(next) || ws(prev) || punct(prev))
}

fn right_flanking(prev: Option<char>, next: Option<char>) -> bool {
    let ws = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let punct = |c: Option<char>| c.is_some_and(is_punct);
    !ws(prev) && (!punct(prev) || ws(next) || punct(next))
}

/// Writes the emphasis stand-ins as `**` and `*` where CommonMark reads them
/// as emphasis, and drops them (keeping the text plain) where it would not:
/// `<b>Note:</b>text` cannot be bold in Markdown. The result is checked by
/// parsing it; should the parse not find the emphasis intended, none is
/// written.
fn resolve_emphasis(s: &str) -> String {
    if !s.contains(is_emphasis) {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut keep = vec![false; chars.len()];
    let pairs = emphasis_pairs(&chars);
    for &(o, c) in &pairs {
        keep[o] = true;
        keep[c] = true;
    }
    join_emphasis_runs(&chars, &mut keep);
    drop_unflanked(&chars, &pairs, &mut keep);
    let plain = render_emphasis(&chars, &vec![false; chars.len()], s.len());
    // Opening and closing stand-ins that are written: pairs whose both ends
    // are kept (a joined run counts once per end written).
    let opened = chars
        .iter()
        .enumerate()
        .filter(|(i, c)| keep[*i] && matches!(**c, BOLD_OPEN | ITALIC_OPEN))
        .count();
    if opened == 0 {
        return plain;
    }
    let written = render_emphasis(&chars, &keep, s.len());
    let (text, count) = visible(&written);
    if count == opened && text == visible(&plain).0 {
        written
    } else {
        plain
    }
}

/// The positions of each opening emphasis stand-in and its closing one.
fn emphasis_pairs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        match *c {
            BOLD_OPEN | ITALIC_OPEN => stack.push(i),
            BOLD_CLOSE | ITALIC_CLOSE => {
                // Stand-ins nest as the elements did; a stray one is dropped.
                if let Some(o) = stack.pop() {
                    pairs.push((o, i));
                }
            }
            _ => {}
        }
    }
    pairs
}

/// Drops a close directly followed by an open of the same kind, so
/// `<b>a</b><b>b</b>` is one run `**ab**` rather than `**a****b**`, which
/// Markdown reads differently.
fn join_emphasis_runs(chars: &[char], keep: &mut [bool]) {
    for i in 0..chars.len().saturating_sub(1) {
        let joined = matches!(
            (chars[i], chars[i + 1]),
            (BOLD_CLOSE, BOLD_OPEN) | (ITALIC_CLOSE, ITALIC_OPEN)
        );
        if joined && keep[i] && keep[i + 1] {
            keep[i] = false;
            keep[i + 1] = false;
        }
    }
}

/// The characters around the run of stand-ins that `i` is in: what decides
/// whether CommonMark lets a delimiter there open or close emphasis.
fn emphasis_context(chars: &[char], i: usize) -> (Option<char>, Option<char>) {
    let mut p = i;
    let prev = loop {
        if p == 0 {
            break None;
        }
        p -= 1;
        if !is_emphasis(chars[p]) {
            break Some(real(chars[p]));
        }
    };
    let mut n = i + 1;
    let next = loop {
        match chars.get(n) {
            None => break None,
            Some(c) if is_emphasis(*c) => n += 1,
            Some(c) => break Some(real(*c)),
        }
    };
    (prev, next)
}

/// Drops the pairs whose delimiters could not open or close emphasis where
/// they stand. Dropping one pair changes the context of its neighbours, so
/// this repeats until nothing changes (a few rounds at most in practice).
fn drop_unflanked(chars: &[char], pairs: &[(usize, usize)], keep: &mut [bool]) {
    for _ in 0..8 {
        let mut changed = false;
        for &(o, c) in pairs {
            if !(keep[o] || keep[c]) {
                continue;
            }
            let opens = !keep[o] || {
                let (p, n) = emphasis_context(chars, o);
                left_flanking(p, n)
            };
            let closes = !keep[c] || {
                let (p, n) = emphasis_context(chars, c);
                right_flanking(p, n)
            };
            if !(opens && closes) {
                keep[o] = false;
                keep[c] = false;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// The text with the kept stand-ins written as `**` and `*` and the others
/// left out; `len` is the text's length, to size the result.
fn render_emphasis(chars: &[char], keep: &[bool], len: usize) -> String {
    let mut out = String::with_capacity(len + 16);
    for (i, c) in chars.iter().enumerate() {
        match *c {
            BOLD_OPEN | BOLD_CLOSE if keep[i] => out.push_str("**"),
            ITALIC_OPEN | ITALIC_CLOSE if keep[i] => out.push('*'),
            c if is_emphasis(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// The text a Markdown document shows and how many emphasis spans it has.
fn visible(md: &str) -> (String, usize) {
    use pulldown_cmark::{Event, Parser, Tag};
    let mut text = String::new();
    let mut count = 0;
    for event in Parser::new_ext(md, parser_options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) | Event::Html(t) => {
                text.push_str(&t);
            }
            Event::Start(Tag::Emphasis | Tag::Strong) => count += 1,
            _ => {}
        }
    }
    (text, count)
}

// ---------------------------------------------------------------------------
// Markdown → HTML

/// The Markdown extensions the card view renders (egui_commonmark's).
fn parser_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options;
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_DEFINITION_LIST
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

/// Converts Markdown to the simple HTML Anki's editor writes: `<b>`, `<i>`,
/// `<code>`, `<pre><code class="language-x">`, lists, tables, `<br>` for
/// hard breaks and between paragraphs, `<img src="x.png">` for
/// `![](media/x.png)`, `<a href>` for links. Cloze markup is text and passes
/// through; raw HTML in the Markdown is shown as text, as the card view
/// shows it.
pub fn markdown_to_html(md: &str) -> String {
    let mut writer = HtmlWriter::new(md.len());
    for event in pulldown_cmark::Parser::new_ext(md, parser_options()) {
        writer.event(event);
    }
    writer.finish()
}

/// An image being read: pulldown-cmark gives its alt text as events
/// between its start and end, and the `<img>` can only be written at the
/// end.
struct PendingImage {
    /// The file name (the `media/` folder is Anki's own media folder).
    src: String,
    /// The alt text gathered so far.
    alt: String,
    /// How many images are open inside it (Markdown allows it; their text
    /// joins the alt text).
    depth: usize,
}

/// The HTML of [`markdown_to_html`], written one pulldown-cmark event at a
/// time, with what an event's HTML depends on from the events before it.
struct HtmlWriter {
    out: String,
    /// The last block was a paragraph outside a list item: Anki's editor
    /// separates paragraphs with `<br><br>`, not `<p>`.
    after_paragraph: bool,
    /// Inside an image: its alt text is gathered, not written.
    image: Option<PendingImage>,
    /// Inside a code block, where raw HTML keeps its trailing newline.
    in_code_block: bool,
    /// The columns' alignments of the table being written.
    aligns: Vec<pulldown_cmark::Alignment>,
    /// The column of the next table cell.
    cell: usize,
    /// Inside a table's head row, whose cells are `<th>`.
    in_head: bool,
    /// Whether the innermost container is a list item, whose paragraphs (in
    /// a loose list) keep their `<p>`: the blank lines that made them are
    /// kept.
    in_item: Vec<bool>,
    /// The paragraph being written is a list item's, written as `<p>`.
    item_paragraph: bool,
}

impl HtmlWriter {
    /// An empty writer, with room for about what Markdown `len` bytes long
    /// becomes.
    fn new(len: usize) -> HtmlWriter {
        HtmlWriter {
            out: String::with_capacity(len + len / 4 + 16),
            after_paragraph: false,
            image: None,
            in_code_block: false,
            aligns: Vec::new(),
            cell: 0,
            in_head: false,
            in_item: Vec::new(),
            item_paragraph: false,
        }
    }

    /// Writes the HTML for one event.
    fn event(&mut self, event: pulldown_cmark::Event) {
        use pulldown_cmark::{Event, Tag};
        if self.image.is_some() {
            self.image_event(event);
            return;
        }
        let paragraph_next = matches!(event, Event::Start(Tag::Paragraph));
        let item_next = self.in_item.last() == Some(&true);
        if paragraph_next && self.after_paragraph && !item_next {
            self.out.push_str("<br><br>");
        }
        self.after_paragraph = false;
        self.track_container(&event);
        match event {
            Event::Start(tag) => self.start_tag(tag, item_next),
            Event::End(tag) => self.end_tag(tag),
            other => self.inline(other),
        }
    }

    /// Keeps [`Self::in_item`] in step with the containers a paragraph can
    /// sit in.
    fn track_container(&mut self, event: &pulldown_cmark::Event) {
        use pulldown_cmark::{Event, Tag, TagEnd};
        match event {
            Event::Start(Tag::Item) => self.in_item.push(true),
            Event::Start(Tag::BlockQuote(_) | Tag::FootnoteDefinition(_)) => {
                self.in_item.push(false)
            }
            Event::End(TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition) => {
                self.in_item.pop();
            }
            _ => {}
        }
    }

    /// An event inside an image: text joins the alt text, and the image's
    /// end writes the `<img>`.
    fn image_event(&mut self, event: pulldown_cmark::Event) {
        use pulldown_cmark::{Event, Tag, TagEnd};
        let Some(image) = &mut self.image else {
            return;
        };
        match event {
            Event::Start(Tag::Image { .. }) => image.depth += 1,
            Event::End(TagEnd::Image) if image.depth > 0 => image.depth -= 1,
            Event::End(TagEnd::Image) => {
                if let Some(image) = self.image.take() {
                    self.img(&image.src, &image.alt);
                }
            }
            Event::Text(t) | Event::Code(t) => image.alt.push_str(&t),
            Event::SoftBreak | Event::HardBreak => image.alt.push(' '),
            _ => {}
        }
    }

    /// An `<img>`, with its alt text if it has any.
    fn img(&mut self, src: &str, alt: &str) {
        self.out.push_str("<img src=\"");
        escape_html(src, &mut self.out);
        self.out.push('"');
        if !alt.trim().is_empty() {
            self.out.push_str(" alt=\"");
            escape_html(alt.trim(), &mut self.out);
            self.out.push('"');
        }
        self.out.push('>');
    }

    /// The opening HTML of a block or span; `in_item` says the innermost
    /// container is a list item.
    fn start_tag(&mut self, tag: pulldown_cmark::Tag, in_item: bool) {
        use pulldown_cmark::Tag;
        let out = &mut self.out;
        match tag {
            Tag::Paragraph if in_item => {
                self.item_paragraph = true;
                out.push_str("<p>");
            }
            Tag::Paragraph => self.item_paragraph = false,
            Tag::Heading { level, .. } => out.push_str(&format!("<{level}>")),
            Tag::BlockQuote(_) => out.push_str("<blockquote>"),
            Tag::CodeBlock(kind) => self.start_code_block(kind),
            Tag::HtmlBlock => {}
            Tag::List(Some(1)) => out.push_str("<ol>"),
            Tag::List(Some(start)) => out.push_str(&format!("<ol start=\"{start}\">")),
            Tag::List(None) => out.push_str("<ul>"),
            Tag::Item => out.push_str("<li>"),
            Tag::FootnoteDefinition(label) => {
                out.push_str("<div>[");
                escape_html(&label, out);
                out.push_str("]: ");
            }
            Tag::DefinitionList => out.push_str("<dl>"),
            Tag::DefinitionListTitle => out.push_str("<dt>"),
            Tag::DefinitionListDefinition => out.push_str("<dd>"),
            Tag::Table(aligns) => {
                self.aligns = aligns;
                out.push_str("<table>");
            }
            Tag::TableHead => {
                self.in_head = true;
                self.cell = 0;
                out.push_str("<thead><tr>");
            }
            Tag::TableRow => {
                self.cell = 0;
                out.push_str("<tr>");
            }
            Tag::TableCell => self.start_cell(),
            Tag::Emphasis => out.push_str("<i>"),
            Tag::Strong => out.push_str("<b>"),
            Tag::Strikethrough => out.push_str("<s>"),
            Tag::Superscript => out.push_str("<sup>"),
            Tag::Subscript => out.push_str("<sub>"),
            Tag::Link { dest_url, .. } => {
                out.push_str("<a href=\"");
                escape_html(&dest_url, out);
                out.push_str("\">");
            }
            Tag::Image { dest_url, .. } => {
                let src = dest_url.strip_prefix("media/").unwrap_or(&dest_url);
                self.image = Some(PendingImage {
                    src: src.to_string(),
                    alt: String::new(),
                    depth: 0,
                });
            }
            Tag::MetadataBlock(_) => {}
        }
    }

    /// `<pre><code>`, with the fence's language as the class highlighters
    /// (and [`html_to_markdown`], on the way back) read.
    fn start_code_block(&mut self, kind: pulldown_cmark::CodeBlockKind) {
        self.in_code_block = true;
        self.out.push_str("<pre><code");
        if let pulldown_cmark::CodeBlockKind::Fenced(info) = kind {
            let lang = info.split_whitespace().next().unwrap_or("");
            if !lang.is_empty() {
                self.out.push_str(" class=\"language-");
                escape_html(lang, &mut self.out);
                self.out.push('"');
            }
        }
        self.out.push('>');
    }

    /// A table cell's opening tag, aligned as its column.
    fn start_cell(&mut self) {
        use pulldown_cmark::Alignment;
        let name = if self.in_head { "th" } else { "td" };
        let align = match self.aligns.get(self.cell) {
            Some(Alignment::Left) => " align=\"left\"",
            Some(Alignment::Center) => " align=\"center\"",
            Some(Alignment::Right) => " align=\"right\"",
            _ => "",
        };
        self.out.push_str(&format!("<{name}{align}>"));
    }

    /// The closing HTML of a block or span.
    fn end_tag(&mut self, tag: pulldown_cmark::TagEnd) {
        use pulldown_cmark::TagEnd;
        let out = &mut self.out;
        match tag {
            TagEnd::Paragraph if self.item_paragraph => out.push_str("</p>"),
            TagEnd::Paragraph => self.after_paragraph = true,
            TagEnd::Heading(level) => out.push_str(&format!("</{level}>")),
            TagEnd::BlockQuote(_) => out.push_str("</blockquote>"),
            TagEnd::CodeBlock => {
                self.in_code_block = false;
                if out.ends_with('\n') {
                    out.pop();
                }
                out.push_str("</code></pre>");
            }
            TagEnd::HtmlBlock => {}
            TagEnd::List(true) => out.push_str("</ol>"),
            TagEnd::List(false) => out.push_str("</ul>"),
            TagEnd::Item => out.push_str("</li>"),
            TagEnd::FootnoteDefinition => out.push_str("</div>"),
            TagEnd::DefinitionList => out.push_str("</dl>"),
            TagEnd::DefinitionListTitle => out.push_str("</dt>"),
            TagEnd::DefinitionListDefinition => out.push_str("</dd>"),
            TagEnd::Table => {
                if !self.in_head && out.contains("<tbody>") && !out.ends_with("</thead>") {
                    out.push_str("</tbody>");
                }
                out.push_str("</table>");
            }
            TagEnd::TableHead => {
                self.in_head = false;
                out.push_str("</tr></thead><tbody>");
            }
            TagEnd::TableRow => out.push_str("</tr>"),
            TagEnd::TableCell => {
                out.push_str(if self.in_head { "</th>" } else { "</td>" });
                self.cell += 1;
            }
            TagEnd::Emphasis => out.push_str("</i>"),
            TagEnd::Strong => out.push_str("</b>"),
            TagEnd::Strikethrough => out.push_str("</s>"),
            TagEnd::Superscript => out.push_str("</sup>"),
            TagEnd::Subscript => out.push_str("</sub>"),
            TagEnd::Link => out.push_str("</a>"),
            TagEnd::Image | TagEnd::MetadataBlock(_) => {}
        }
    }

    /// Text, code spans, breaks and the other events that are neither a
    /// start nor an end.
    fn inline(&mut self, event: pulldown_cmark::Event) {
        use pulldown_cmark::Event;
        let out = &mut self.out;
        match event {
            // Starts and ends are the tags' (see `event`).
            Event::Start(_) | Event::End(_) => {}
            Event::Text(t) => escape_html(&t, out),
            Event::Code(t) => {
                out.push_str("<code>");
                escape_html(&t, out);
                out.push_str("</code>");
            }
            // The card view shows raw HTML as text: so does Anki.
            Event::Html(t) | Event::InlineHtml(t) => {
                if self.in_code_block {
                    escape_html(&t, out);
                } else {
                    escape_html(t.trim_end_matches('\n'), out);
                }
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => escape_html(&t, out),
            Event::FootnoteReference(label) => {
                out.push_str("<sup>[");
                escape_html(&label, out);
                out.push_str("]</sup>");
            }
            Event::SoftBreak => out.push('\n'),
            Event::HardBreak => out.push_str("<br>"),
            Event::Rule => out.push_str("<hr>"),
            Event::TaskListMarker(done) => out.push_str(if done { "☑ " } else { "☐ " }),
        }
    }

    /// The finished HTML.
    fn finish(mut self) -> String {
        // An empty table body is left open by the head: close it.
        if self.out.ends_with("<tbody></table>") {
            let at = self.out.len() - "<tbody></table>".len();
            self.out.replace_range(at.., "</table>");
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Character references, decoded by html5ever now (the old converter
    /// had its own table); an unknown one stays as written.
    #[test]
    fn entities() {
        assert_eq!(
            html_to_markdown("a &amp; b &lt;T&gt; &quot;x&quot;"),
            "a & b \\<T> \"x\""
        );
        assert_eq!(html_to_markdown("&#169;&#x1F600;&#65"), "©😀A");
        assert_eq!(
            html_to_markdown("&rarr;&nbsp;&unknown; & &"),
            "→ \\&unknown; & &"
        );
        assert_eq!(html_to_markdown("&#0;&#xD800;"), "\u{fffd}\u{fffd}");
    }

    /// What the old tokenizer's cases became: tags, case, comments and
    /// scripts dropped, a `<` that starts no tag kept as text, a tag left
    /// open swallowing the rest as in a browser.
    #[test]
    fn tokens() {
        assert_eq!(
            html_to_markdown(
                "a<b class='x y'>b</B><!-- c --><script>alert('<b>')</script>< d <br/>"
            ),
            "a**b**< d"
        );
        assert_eq!(html_to_markdown("a<a href=\"x>b"), "a");
        assert_eq!(html_to_markdown("a</b"), "a");
    }

    #[test]
    fn special_characters_are_hidden_and_come_back() {
        for c in SPECIAL.chars() {
            assert_eq!(unhide(hide(c)), Some(c));
        }
        assert_eq!(hide_text("a&nbsp;b").chars().count(), 8);
        assert_eq!(hide_text("a\u{a0}b"), "a b");
        let sound: String = hide_text("[sound:x_y.mp3]").chars().map(real).collect();
        assert_eq!(sound, "[sound:x_y.mp3]");
        assert_eq!(hide_text("\u{F0102}"), "\u{fffd}");
    }

    #[test]
    fn breaks_resolve_as_a_browser_shows_them() {
        let r = |s: &str| {
            resolve_breaks(
                &s.replace('B', &BR.to_string())
                    .replace('L', &LINE.to_string()),
            )
        };
        assert_eq!(r("aBb"), "a\\\nb");
        assert_eq!(r("aBBb"), "a\n\nb");
        assert_eq!(r("LaLLbLLBLLcL"), "a\\\nb\n\nc");
        assert_eq!(r("aB"), "a");
        assert_eq!(r("a B\n\nb"), "a\n\nb");
    }

    #[test]
    fn nesting_is_limited_before_parsing() {
        let deep = "<b>".repeat(1000);
        let limited = limit_nesting(&deep);
        assert_eq!(limited.matches("<b>").count(), MAX_OPEN_TAGS);
        let fine = "<p>x".repeat(1000);
        assert_eq!(limit_nesting(&fine), fine);
    }

    #[test]
    fn remote_urls() {
        assert!(is_remote("https://e.org/x.png"));
        assert!(is_remote("//e.org/x.png"));
        assert!(!is_remote("x.png"));
        assert!(!is_remote("a:b.png"));
    }
}
