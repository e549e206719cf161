//! `rehearse check --fix`: writes the derived id into every card that has
//! none, touching nothing else in the file: comments, layout, raw strings and
//! field order stay exactly as the author wrote them.

use std::path::Path;

use super::{DeckError, parse_deck};

/// Where one card's tuple opens in the text, and whether it names an `id`.
#[derive(Debug, PartialEq)]
struct CardSpan {
    open: usize,
    has_id: bool,
}

/// A minimal RON scanner: enough to walk nesting while skipping strings, raw
/// strings, chars and comments, so text inside them is never mistaken for
/// structure.
struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

enum Token<'a> {
    Open(u8),
    Close,
    Ident(&'a str),
    Colon,
    Other,
}

impl<'a> Scanner<'a> {
    fn next(&mut self) -> Option<(usize, Token<'a>)> {
        loop {
            let b = *self.bytes.get(self.at)?;
            let start = self.at;
            match b {
                b'/' if self.bytes.get(self.at + 1) == Some(&b'/') => {
                    while self.bytes.get(self.at).is_some_and(|b| *b != b'\n') {
                        self.at += 1;
                    }
                }
                b'/' if self.bytes.get(self.at + 1) == Some(&b'*') => {
                    let end = self.text[self.at + 2..].find("*/")?;
                    self.at += end + 4;
                }
                b'"' => self.skip_string()?,
                b'r' if matches!(self.bytes.get(self.at + 1), Some(b'#' | b'"')) => {
                    self.skip_raw()?
                }
                b'\'' => {
                    // A char literal: 'x' or '\x'.
                    self.at += 1;
                    if self.bytes.get(self.at) == Some(&b'\\') {
                        self.at += 1;
                    }
                    let close = self.text[self.at..].find('\'')?;
                    self.at += close + 1;
                    return Some((start, Token::Other));
                }
                b'(' | b'[' | b'{' => {
                    self.at += 1;
                    return Some((start, Token::Open(b)));
                }
                b')' | b']' | b'}' => {
                    self.at += 1;
                    return Some((start, Token::Close));
                }
                b':' => {
                    self.at += 1;
                    return Some((start, Token::Colon));
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    while self
                        .bytes
                        .get(self.at)
                        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    {
                        self.at += 1;
                    }
                    return Some((start, Token::Ident(&self.text[start..self.at])));
                }
                c if c.is_ascii_whitespace() => self.at += 1,
                _ => {
                    self.at += 1;
                    return Some((start, Token::Other));
                }
            }
        }
    }

    fn skip_string(&mut self) -> Option<()> {
        self.at += 1;
        loop {
            match *self.bytes.get(self.at)? {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                _ => self.at += 1,
            }
        }
    }

    fn skip_raw(&mut self) -> Option<()> {
        self.at += 1;
        let hashes = self.bytes[self.at..]
            .iter()
            .take_while(|b| **b == b'#')
            .count();
        self.at += hashes;
        if self.bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        self.at += 1;
        let close = format!("\"{}", "#".repeat(hashes));
        let end = self.text[self.at..].find(&close)?;
        self.at += end + close.len();
        Some(())
    }
}

/// The card tuples of a deck file, in order. `None` when the layout is not
/// the one a deck has (the caller then leaves the file alone).
fn card_spans(text: &str) -> Option<Vec<CardSpan>> {
    let mut s = Scanner {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut depth = 0usize;
    let mut spans = Vec::new();
    // Inside the top-level tuple: find `cards: [`.
    let mut last_ident: Option<&str> = None;
    let mut list_depth = None;
    let mut after_colon_key: Option<&str> = None;
    while let Some((pos, token)) = s.next() {
        match token {
            Token::Open(b) => {
                depth += 1;
                if b == b'[' && depth == 2 && after_colon_key == Some("cards") {
                    list_depth = Some(depth);
                } else if b == b'(' && list_depth.is_some_and(|l| depth == l + 1) {
                    spans.push(CardSpan {
                        open: pos,
                        has_id: false,
                    });
                }
                after_colon_key = None;
                last_ident = None;
            }
            Token::Close => {
                if list_depth == Some(depth) {
                    list_depth = None;
                }
                depth = depth.checked_sub(1)?;
                last_ident = None;
            }
            Token::Ident(name) => last_ident = Some(name),
            Token::Colon => {
                if list_depth.is_some_and(|l| depth == l + 1) && last_ident == Some("id") {
                    spans.last_mut()?.has_id = true;
                }
                after_colon_key = last_ident;
                last_ident = None;
            }
            Token::Other => last_ident = None,
        }
    }
    Some(spans)
}

/// Pins the derived ids into `text`. Returns the new text and how many ids
/// were written; the text is unchanged when every card has an id.
pub fn pin_ids(text: &str, path: &Path) -> Result<(String, usize), DeckError> {
    let deck = parse_deck(text, path)?;
    let unpinned = || DeckError::Parse {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: "the cards could not be located in the file, so no ids were written".into(),
    };
    let spans = card_spans(text).ok_or_else(unpinned)?;
    if spans.len() != deck.cards.len() {
        return Err(unpinned());
    }
    let mut out = String::with_capacity(text.len() + 32 * spans.len());
    let mut copied = 0;
    let mut count = 0;
    for (span, card) in spans.iter().zip(&deck.cards) {
        if span.has_id || card.id_pinned {
            continue;
        }
        let after = span.open + 1;
        out.push_str(&text[copied..after]);
        // Match the card's own layout: a field per line, or all on one line.
        let rest = &text[after..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        if rest[..line_end].trim().is_empty() && line_end < rest.len() {
            let next = rest[line_end + 1..]
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            let indent: String = next
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            out.push_str(&format!("\n{indent}id: \"{}\",", card.id));
        } else {
            out.push_str(&format!("id: \"{}\", ", card.id));
        }
        copied = after;
        count += 1;
    }
    out.push_str(&text[copied..]);
    Ok((out, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HAND: &str = r##"// My deck, written by hand.
(
    name: "Hand",
    /* cards: [ ( fake ) ] in a comment */
    cards: [
        (
            front: "What is (id: \"x\") here?",
            back: r#"A raw "string" with ( and [ in it"#,
        ),
        (id: "kept", front: "Pinned", back: "B"),
        (front: "Inline card", back: "C", tags: ["a", "b"]),
        (

            topic: "T", front: "Blank line first",
            back: "D",
        ),
    ],
)
"##;

    #[test]
    fn finds_cards_and_ids_skipping_strings_and_comments() {
        let spans = card_spans(HAND).unwrap();
        let has: Vec<bool> = spans.iter().map(|s| s.has_id).collect();
        assert_eq!(has, [false, true, false, false]);
    }

    #[test]
    fn pins_only_missing_ids_and_changes_nothing_else() {
        let path = Path::new("hand.ron");
        let before = parse_deck(HAND, path).unwrap();
        let (fixed, n) = pin_ids(HAND, path).unwrap();
        assert_eq!(n, 3);
        let after = parse_deck(&fixed, path).unwrap();
        for (a, b) in before.cards.iter().zip(&after.cards) {
            assert_eq!(a.id, b.id, "the pinned id is the one that was derived");
            assert!(b.id_pinned);
            assert_eq!((&a.front, &a.back, &a.tags), (&b.front, &b.back, &b.tags));
        }
        // Removing exactly the inserted text gives back the original file.
        let mut restored = fixed.clone();
        for c in &before.cards[..] {
            if c.id.as_str() != "kept" {
                for pattern in [
                    format!("\n            id: \"{}\",", c.id),
                    format!("id: \"{}\", ", c.id),
                ] {
                    restored = restored.replacen(&pattern, "", 1);
                }
            }
        }
        assert_eq!(restored, HAND);
        // A second run has nothing to do.
        assert_eq!(pin_ids(&fixed, path).unwrap(), (fixed.clone(), 0));
    }
}
