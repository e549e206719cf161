//! Anki packages: reading real packages written by Anki (both formats, see
//! scripts/anki-fixtures.py), converting them to Rehearse cards and progress,
//! HTML ↔ Markdown, hostile packages, and exporting (read back by this
//! reader, and imported by Anki itself when its Python library is installed).

mod common;

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use rehearse_core::interop::anki::{
    AnkiError, AnkiPackage, CardType, Converted, Due, ExportInput, ExportNote, ExportProgress,
    LimitKind, Limits, NoteKind, PackageFormat, Queue, ReviewKind, card_id_for_guid,
    html_to_markdown, markdown_to_html, read_package, to_rehearse, write_package,
};
use rehearse_core::schedule::{Phase, Rating};
use rehearse_core::{Card, CardId, CardKind, CardState, ItemId, Variant};

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/anki/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(name: &str) -> AnkiPackage {
    read_package(&fixture(name), &Limits::default()).unwrap()
}

fn deck<'a>(pkg: &'a AnkiPackage, name: &str) -> &'a rehearse_core::interop::anki::AnkiDeck {
    pkg.decks
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no deck {name:?} in {:?}", deck_names(pkg)))
}

fn deck_names(pkg: &AnkiPackage) -> Vec<&str> {
    pkg.decks.iter().map(|d| d.name.as_str()).collect()
}

fn note(pkg: &AnkiPackage, kind: NoteKind) -> &rehearse_core::interop::anki::AnkiNote {
    pkg.notes()
        .find(|n| n.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} note"))
}

/// What every fixture holds (scripts/anki-fixtures.py).
fn check_fixture(pkg: &AnkiPackage) {
    assert!(pkg.warnings.is_empty(), "{:?}", pkg.warnings);
    let parent = deck(pkg, "Rehearse Fixture");
    let child = deck(pkg, "Rehearse Fixture::Rust");
    assert_eq!(parent.notes.len(), 3);
    assert_eq!(child.notes.len(), 2);
    assert!(!parent.filtered && !child.filtered);
    assert_eq!(pkg.notes().count(), 5);
    assert_eq!(pkg.cards().count(), 7);

    let basic = note(pkg, NoteKind::Basic);
    assert_eq!(basic.notetype, "Basic");
    assert_eq!(basic.field_names, ["Front", "Back"]);
    assert!(
        basic.fields[0].contains("<b>ownership</b>"),
        "{:?}",
        basic.fields
    );
    assert!(basic.fields[1].contains("<img src=\"ferris.png\">"));
    assert_eq!(basic.tags, ["ownership::borrowing", "rust"]);
    assert!(child.notes.iter().any(|n| n.guid == basic.guid));
    let card = &basic.cards[0];
    assert_eq!(card.deck, "Rehearse Fixture::Rust");
    assert_eq!(
        (card.card_type, card.queue),
        (CardType::Review, Queue::Review)
    );
    assert_eq!(card.reps, 2);
    assert_eq!(card.reviews.len(), 2);
    assert!(
        card.reviews
            .iter()
            .all(|r| r.ease == 3 && r.kind == ReviewKind::Learn)
    );
    assert!(card.reviews[0].at < card.reviews[1].at);
    assert_eq!(card.reviews[0].interval, -600, "{:?}", card.reviews[0]);
    let fsrs = card.fsrs.expect("FSRS memory in cards.data");
    assert!(
        fsrs.stability > 0.5 && (1.0..=10.0).contains(&fsrs.difficulty),
        "{fsrs:?}"
    );
    let last = card.last_review.expect("lrt");
    let Due::At(due) = card.due else {
        panic!("{:?}", card.due)
    };
    // Review due = crt + due days: `interval` days after the review, give or
    // take the day boundary.
    let days = due.duration_since(last).as_secs_f64() / 86_400.0;
    assert!(
        (days - f64::from(card.interval_days)).abs() <= 1.0,
        "due {due}, last review {last}, interval {}",
        card.interval_days
    );

    let reversed = note(pkg, NoteKind::BasicAndReversed);
    assert_eq!(reversed.cards.len(), 2);
    assert_eq!(reversed.cards[0].ord, 0);
    assert_eq!(reversed.cards[0].card_type, CardType::Review);
    assert_eq!(reversed.cards[0].reviews.len(), 1);
    assert_eq!(reversed.cards[0].reviews[0].rating(), Some(Rating::Easy));
    assert!(reversed.cards[1].is_suspended());
    assert_eq!(reversed.cards[1].card_type, CardType::New);
    assert_eq!(reversed.cards[1].due, Due::Position(2));
    assert_eq!(reversed.tags, ["concurrency"]);

    let cloze = note(pkg, NoteKind::Cloze);
    assert_eq!(
        cloze.cards.iter().map(|c| c.ord).collect::<Vec<_>>(),
        [0, 1]
    );
    let c1 = &cloze.cards[0];
    assert_eq!(
        (c1.card_type, c1.queue),
        (CardType::Learning, Queue::Learning)
    );
    assert_eq!(c1.reviews.len(), 1);
    assert_eq!(c1.reviews[0].rating(), Some(Rating::Again));
    let Due::At(c1_due) = c1.due else {
        panic!("{:?}", c1.due)
    };
    // A learning card is due minutes after its answer (epoch seconds).
    let after = c1_due.duration_since(c1.reviews[0].at);
    assert!(
        after > SignedDuration::ZERO && after < SignedDuration::from_hours(1),
        "{after:?}"
    );
    assert_eq!(cloze.cards[1].card_type, CardType::New);

    let optional = note(pkg, NoteKind::BasicOptionalReversed);
    assert_eq!(optional.cards.len(), 1);
    assert_eq!(optional.fields[2], "");
    let typing = note(pkg, NoteKind::BasicTyping);
    assert_eq!(typing.fields, ["2 + 2 =", "4"]);

    let reviews: usize = pkg.cards().map(|c| c.reviews.len()).sum();
    assert_eq!(reviews, 4);
    assert_eq!(pkg.cards().filter(|c| c.is_suspended()).count(), 1);
    assert_eq!(pkg.media.len(), 1);
    assert!(pkg.media["ferris.png"].starts_with(PNG_MAGIC));
}

#[test]
fn reads_current_format() {
    let pkg = read("fixture.apkg");
    assert_eq!(pkg.format, PackageFormat::Latest);
    assert_eq!(pkg.schema, 18);
    check_fixture(&pkg);
}

#[test]
fn reads_legacy_format() {
    let pkg = read("fixture-legacy.apkg");
    assert_eq!(pkg.format, PackageFormat::Legacy2);
    assert_eq!(pkg.schema, 11);
    check_fixture(&pkg);
}

#[test]
fn reads_collection_package() {
    let pkg = read("fixture.colpkg");
    assert_eq!(pkg.format, PackageFormat::Latest);
    check_fixture(&pkg);
    // The whole collection: the empty Default deck comes along.
    assert!(deck(&pkg, "Default").notes.is_empty());
}

#[test]
fn both_formats_read_the_same() {
    let (a, b) = (read("fixture.apkg"), read("fixture-legacy.apkg"));
    assert_eq!(a.created, b.created);
    assert_eq!(a.decks, b.decks);
    assert_eq!(a.media, b.media);
    assert_eq!(to_rehearse(&a), to_rehearse(&b));
}

fn converted(name: &str) -> Converted {
    to_rehearse(&read(name))
}

fn card<'a>(
    c: &'a Converted,
    front_starts: &str,
) -> &'a rehearse_core::interop::anki::ConvertedCard {
    c.cards
        .iter()
        .find(|c| c.card.front.starts_with(front_starts))
        .unwrap_or_else(|| panic!("no card starting {front_starts:?}"))
}

fn item<'a>(
    c: &'a Converted,
    id: &CardId,
    variant: Variant,
) -> &'a rehearse_core::interop::anki::ItemProgress {
    c.items
        .iter()
        .find(|i| i.item.card == *id && i.item.variant == variant)
        .unwrap_or_else(|| panic!("no item {id} {variant:?}"))
}

#[test]
fn converts_notes_to_cards() {
    let c = converted("fixture.apkg");
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert_eq!(c.cards.len(), 5);

    let basic = card(&c, "What does");
    assert_eq!(basic.deck, "Rehearse Fixture::Rust");
    assert_eq!(basic.card.kind, CardKind::Basic);
    assert_eq!(basic.card.topic, "Rust");
    assert_eq!(basic.card.tags, ["ownership::borrowing", "rust"]);
    assert_eq!(basic.card.id, card_id_for_guid(&basic.guid));
    assert!(basic.card.id.as_str().starts_with("anki-"));
    assert_eq!(
        basic.card.front,
        "What does **ownership** mean in *Rust*? `let b = &mut a;`"
    );
    assert_eq!(
        basic.card.back,
        "Each value has ***one*** owner:\n\n- moves → transfer\n- borrows \\<T> & \"refs\" too\n\n![](media/ferris.png)"
    );

    let reversed = card(&c, "mutex");
    assert_eq!(reversed.card.kind, CardKind::Reversed);
    assert_eq!(reversed.card.back, "mutual **exclusion** lock");
    assert_eq!(reversed.deck, "Rehearse Fixture");

    let cloze = card(&c, "{{c1::");
    assert_eq!(cloze.card.kind, CardKind::Cloze);
    assert_eq!(
        cloze.card.front,
        "{{c1::Rust}} 1.0 was released in {{c2::2015::year}}\\\nby *Mozilla*"
    );
    assert_eq!(cloze.card.back, "Graydon Hoare started it");
    let items: Vec<String> = cloze.card.items().iter().map(ItemId::to_string).collect();
    assert_eq!(items.len(), 2);
    assert!(items[1].ends_with(":c2"));

    assert_eq!(card(&c, "TCP").card.kind, CardKind::Basic);
    assert_eq!(card(&c, "2 + 2").card.kind, CardKind::Basic);
    assert_eq!(card(&c, "2 + 2").card.back, "4");
}

#[test]
fn converts_scheduling() {
    let c = converted("fixture-legacy.apkg");
    // One entry per Anki card that maps to an item.
    assert_eq!(c.items.len(), 7);
    for i in &c.items {
        let card = c.cards.iter().find(|x| x.card.id == i.item.card).unwrap();
        assert!(card.card.items().contains(&i.item), "{}", i.item);
    }

    let basic = &card(&c, "What does").card.id;
    let b = item(&c, basic, Variant::Forward);
    assert_eq!(b.state.phase, Phase::Review);
    assert_eq!(
        b.reviews.iter().map(|r| r.rating).collect::<Vec<_>>(),
        [Rating::Good, Rating::Good]
    );
    assert_eq!(b.state.reps, 2);
    let memory = b.state.memory.expect("memory from cards.data");
    assert!((memory.stability - 2.3065).abs() < 0.5, "{memory:?}");
    assert!(b.state.due.unwrap() > b.state.last_review.unwrap());
    assert!(b.state.interval_days >= 1);
    assert!(!b.suspended);

    let rev = &card(&c, "mutex").card.id;
    let r = item(&c, rev, Variant::Reverse);
    assert!(r.suspended && r.state.suspended);
    assert_eq!(r.state.phase, Phase::New);
    assert!(r.reviews.is_empty());
    assert_eq!(
        item(&c, rev, Variant::Forward).reviews[0].rating,
        Rating::Easy
    );

    let cloze = &card(&c, "{{c1::").card.id;
    let c1 = item(&c, cloze, Variant::Cloze(1));
    assert_eq!(c1.state.phase, Phase::Learning { step: 0 });
    assert_eq!(c1.reviews.len(), 1);
    assert_eq!(c1.reviews[0].rating, Rating::Again);
    assert!(c1.state.memory.is_some());
    assert_eq!(item(&c, cloze, Variant::Cloze(2)).state, CardState::new());

    let total: usize = c.items.iter().map(|i| i.reviews.len()).sum();
    assert_eq!(total, 4);
}

#[test]
fn imported_cards_are_matched_on_reimport() {
    let dir = tempfile::tempdir().unwrap();
    common::write_decks(dir.path(), &[]);
    let mut col = common::open(dir.path(), common::t0());
    let c = converted("fixture.apkg");
    let first = col.import_cards(c.card_pairs()).unwrap();
    assert_eq!(first.added, 5);
    assert!(
        first
            .new_decks
            .contains(&"Rehearse Fixture::Rust".to_string())
    );
    // The legacy package holds the same notes: nothing new.
    let again = col
        .import_cards(converted("fixture-legacy.apkg").card_pairs())
        .unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 5));
}

#[test]
fn html_to_markdown_cases() {
    let cases = [
        ("plain text", "plain text"),
        ("  a \n  b  ", "a b"),
        ("a&nbsp;&nbsp;b", "a b"),
        (
            "<b>bold</b> and <strong>strong</strong>",
            "**bold** and **strong**",
        ),
        ("<i>it</i> <em>em</em>", "*it* *em*"),
        ("<i>it</i>, <em>em</em>", "*it*, *em*"),
        ("<b>Note:</b>text", "Note:text"),
        ("a<b>.b</b>", "a.b"),
        ("<b>un</b>believ<i>able</i>", "**un**believ*able*"),
        (
            "<div>1.</div><div>2015) x</div><div>1.<i> x</i></div>",
            "1.\\\n2015\\) x\\\n1\\. *x*",
        ),
        ("<b>bold </b>text", "**bold** text"),
        ("a<b></b>b", "ab"),
        ("<b>un<b>nested</b></b>", "**unnested**"),
        ("<b>bold", "**bold**"),
        ("<code>x &lt; y</code>", "`x < y`"),
        ("<code>a`b</code>", "``a`b``"),
        ("a<br>b", "a\\\nb"),
        ("a<br><br>b", "a\n\nb"),
        (
            "<div>line one</div><div>line two</div><div><br></div><div>para</div>",
            "line one\\\nline two\n\npara",
        ),
        ("<p>First</p><p>Second</p>", "First\n\nSecond"),
        ("<b>a<br>b</b>", "**a**\\\n**b**"),
        (
            "<ul><li>one</li><li>two</li></ul>after",
            "- one\n- two\n\nafter",
        ),
        (
            "<ol><li>one</li><li>two<ul><li>nested</li></ul></li></ol>",
            "1. one\n2. two\n   - nested",
        ),
        ("<ol start=\"3\"><li>c</li></ol>", "3. c"),
        (
            "<pre><code class=\"language-rust\">fn main() {\n    println!(\"&lt;hi&gt;\");\n}</code></pre>after",
            "```rust\nfn main() {\n    println!(\"<hi>\");\n}\n```\n\nafter",
        ),
        ("<pre>a<br>b</pre>", "```\na\nb\n```"),
        ("<pre>```\nx</pre>", "````\n```\nx\n````"),
        (
            "<a href=\"https://doc.rust-lang.org\">the book</a>",
            "[the book](https://doc.rust-lang.org)",
        ),
        (
            "<a href=\"https://x.org\">https://x.org</a>",
            "<https://x.org>",
        ),
        ("<a href=\"#local\">here</a>", "here"),
        ("<img src=\"x.png\">", "![](media/x.png)"),
        (
            "<img src=\"my image.png\" alt=\"a [b]\">",
            "![a \\[b\\]](<media/my image.png>)",
        ),
        (
            "<img src=\"https://e.org/i.png\">",
            "![](https://e.org/i.png)",
        ),
        (
            "<img src=\"data:image/png;base64,AAAA\" alt=\"dot\">",
            "dot",
        ),
        (
            "<script>alert(1)</script>ok<SCRIPT type=x>bad()</SCRIPT>",
            "ok",
        ),
        ("<style>.x { color: red }</style><!-- hi -->text", "text"),
        (
            "<font color=\"red\"><span style=\"x\">red</span></font> <u>under</u>",
            "red under",
        ),
        (
            "&#169; &#x263A; &rarr; &amp;lt; &bogus;",
            "© ☺ → \\&lt; \\&bogus;",
        ),
        (
            "2 * 3 = 6, a_b _c_ [x] \\ back",
            "2 \\* 3 = 6, a_b \\_c_ \\[x\\] \\\\ back",
        ),
        (
            "<div># not a heading</div><div>1. not a list</div><div>- nor this</div>",
            "\\# not a heading\\\n1\\. not a list\\\n\\- nor this",
        ),
        ("a < b, x <3, Vec&lt;T&gt;", "a < b, x <3, Vec\\<T>"),
        ("<h2>Title</h2>text", "## Title\n\ntext"),
        ("a<hr>b", "a\n\n---\n\nb"),
        (
            "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
            "| a | b |\n| --- | --- |\n| c | d |",
        ),
        (
            "{{c1::<b>Rust</b>::lang}} is {{c2::fast}}",
            "{{c1::**Rust**::lang}} is {{c2::fast}}",
        ),
        ("<div><br></div>", ""),
        ("unterminated <a href=\"x", "unterminated"),
    ];
    for (html, md) in cases {
        assert_eq!(html_to_markdown(html), md, "html: {html:?}");
    }
}

#[test]
fn markdown_to_html_cases() {
    let cases = [
        (
            "What does **ownership** mean in *Rust*? `let b = &mut a;`",
            "What does <b>ownership</b> mean in <i>Rust</i>? <code>let b = &amp;mut a;</code>",
        ),
        ("- a\n- b", "<ul><li>a</li><li>b</li></ul>"),
        ("1. x\n2. y", "<ol><li>x</li><li>y</li></ol>"),
        ("3. x", "<ol start=\"3\"><li>x</li></ol>"),
        ("- a\n  - b", "<ul><li>a<ul><li>b</li></ul></li></ul>"),
        ("line\\\nbreak", "line<br>break"),
        ("line  \nbreak", "line<br>break"),
        ("soft\nbreak", "soft\nbreak"),
        ("para1\n\npara2", "para1<br><br>para2"),
        (
            "```rust\nfn main() { a < b }\n```",
            "<pre><code class=\"language-rust\">fn main() { a &lt; b }</code></pre>",
        ),
        ("![](media/x.png)", "<img src=\"x.png\">"),
        (
            "![alt](<media/my image.png>)",
            "<img src=\"my image.png\" alt=\"alt\">",
        ),
        (
            "[text](https://e.org)",
            "<a href=\"https://e.org\">text</a>",
        ),
        ("a \\* b < c & d &amp; e", "a * b &lt; c &amp; d &amp; e"),
        ("{{c1::Rust}} is **fast**", "{{c1::Rust}} is <b>fast</b>"),
        ("snake_case_name and _it_", "snake_case_name and <i>it</i>"),
        ("***both***", "<i><b>both</b></i>"),
        ("*a**b***", "<i>a<b>b</b></i>"),
        ("*a***b**", "<i>a</i><b>b</b>"),
        ("**foo.**bar", "**foo.**bar"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("# Title\ntext", "<h1>Title</h1>text"),
        ("a\n\n---\n\nb", "a<hr>b"),
    ];
    for (md, html) in cases {
        assert_eq!(markdown_to_html(md), html, "markdown: {md:?}");
    }
}

#[test]
fn converted_markdown_survives_a_round_trip() {
    let samples = [
        "What does **ownership** mean in *Rust*? `let b = &mut a;`",
        "Each value has ***one*** owner:\n\n- moves → transfer\n- borrows \\<T> & \"refs\" too\n\n![](media/ferris.png)",
        "{{c1::Rust}} 1.0 was released in {{c2::2015::year}}\\\nby *Mozilla*",
        "1. one\n2. two\n   - nested",
        "```rust\nfn main() {\n    println!(\"<hi>\");\n}\n```\n\nafter",
        "\\# not a heading\\\n1\\. not a list\\\n\\- nor this",
        "2 \\* 3 = 6, a_b \\_c_ \\[x\\] \\\\ back",
        "## Title\n\ntext",
        "a | b\\\nc | d",
        "``a`b``",
        "![a \\[b\\]](<media/my image.png>)",
    ];
    for md in samples {
        let html = markdown_to_html(md);
        assert_eq!(html_to_markdown(&html), md, "via {html:?}");
    }
}

/// Each HTML construct flashcards need, as Anki decks write it (GitHub
/// renderings, Anki's editor, Pygments), converted to Markdown that shows
/// the same; and the Markdown survives export and re-import unchanged.
#[test]
fn html_constructs_for_flashcards() {
    let cases = [
        // Links: [text](url); parentheses and entities in the URL.
        (
            "<a href=\"https://e.org/a_(b)\">see *this*</a>",
            "[see \\*this\\*](<https://e.org/a_(b)>)",
        ),
        (
            "<a href=\"https://e.org/x?a=1&amp;b=2\">q</a> <a href=\"mailto:me@e.org\">me@e.org</a>",
            "[q](https://e.org/x?a=1&b=2) [me@e.org](mailto:me@e.org)",
        ),
        // Anchors with nothing to click (GitHub heading anchors) go; so do empty and in-page ones.
        (
            "<h2><a id=\"user-content-x\" class=\"anchor\" aria-hidden=\"true\" href=\"#x\"><svg class=\"octicon\"><path d=\"M0\"></path></svg></a>Title</h2>",
            "## Title",
        ),
        ("<a href=\"https://e.org\"></a>x<a name=\"top\"></a>", "x"),
        ("<a href=\"javascript:alert(1)\">click</a>", "click"),
        // Tables: GFM, alignment kept, pipes escaped, <br> in a cell a space.
        (
            "<table><thead><tr><th>Op</th><th align=\"right\">Cost</th><th style=\"text-align: center\">Note</th></tr></thead><tbody><tr><td>a | b</td><td>1</td><td><code>x|y</code></td></tr><tr><td>c<br>d</td><td></td></tr></tbody></table>",
            "| Op | Cost | Note |\n| --- | ---: | :---: |\n| a \\| b | 1 | `x\\|y` |\n| c d |  |  |",
        ),
        // A layout table (one column, blocks in it): its cells.
        (
            "<table><tr><td><p>one</p><p>two</p></td></tr></table>",
            "one\n\ntwo",
        ),
        // Code blocks with the language the HTML names; Pygments line numbers left out.
        (
            "<pre><code class=\"language-rust\">fn main() {}</code></pre>",
            "```rust\nfn main() {}\n```",
        ),
        (
            "<div class=\"highlight highlight-source-python\"><pre><span class=\"pl-k\">def</span> f(): <span>pass</span></pre></div>",
            "```python\ndef f(): pass\n```",
        ),
        (
            "<div class=\"highlight\"><pre><span></span><span class=\"n\">x</span> = 1\n</pre></div>",
            "```\nx = 1\n```",
        ),
        (
            "<table class=\"highlighttable\"><tr><td class=\"linenos\"><div class=\"linenodiv\"><pre>1\n2</pre></div></td><td class=\"code\"><div class=\"highlight\"><pre><span></span>a = 1\nb = 2\n</pre></div></td></tr></table>",
            "```\na = 1\nb = 2\n```",
        ),
        ("<pre>a ``` b</pre>", "````\na ``` b\n````"),
        // Images: local media and remote URLs.
        (
            "<img src=\"x.png\" alt=\"a *b*\"> <img src=\"https://e.org/i.png\" alt=\"remote\"> <img src=\"//cdn.e.org/i.png\">",
            "![a \\*b\\*](media/x.png) ![remote](https://e.org/i.png) ![](//cdn.e.org/i.png)",
        ),
        // Lists, nested; two lists side by side stay two.
        (
            "<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li><li>d</li></ul>",
            "- a\n  - b\n    1. c\n- d",
        ),
        ("<ul><li>a</li></ul><ul><li>b</li></ul>", "- a\n\n* b"),
        // Emphasis; where CommonMark could not read it, the text stays plain.
        (
            "<b>bold <i>both</i></b> <i>it</i>al<b>ic</b>",
            "**bold *both*** *it*al**ic**",
        ),
        ("<b>Note:</b>text and <b>x</b>.", "Note:text and **x**."),
        // Line breaks, Anki editor <div> lines, &nbsp;.
        ("a<br>b<br><br>c<br>", "a\\\nb\n\nc"),
        (
            "<div>one</div><div><b>two</b></div><div><br></div><div>three</div>",
            "one\\\n**two**\n\nthree",
        ),
        ("a&nbsp;&nbsp;&nbsp;b", "a b"),
        // Styles, fonts and spans dropped.
        (
            "<span style=\"color:red\"><font face=\"Arial\">styled</font></span> <u>under</u> H<sub>2</sub>O x<sup>2</sup>",
            "styled under H2O x2",
        ),
        // Cloze markup intact.
        (
            "{{c1::<b>Rust</b>::a *language*}} and {{c2::a_b}}",
            "{{c1::**Rust**::a \\*language\\*}} and {{c2::a_b}}",
        ),
        // Text that looks like Markdown renders as the same text.
        (
            "2 * 3 * 4, a_b_c, _x_, ~~no~~, <b>not</b> &lt;b&gt;, `code`, [link](x), ![img](y)",
            "2 \\* 3 \\* 4, a_b_c, \\_x_, \\~\\~no\\~\\~, **not** \\<b>, \\`code\\`, \\[link\\](x), !\\[img\\](y)",
        ),
        (
            "<div># not a heading</div><div>- not a list</div><div>+ nor</div><div>1) nor</div><div>&gt; quote</div><div>=== no</div><div>| pipe |</div><div>: term</div>",
            "\\# not a heading\\\n\\- not a list\\\n\\+ nor\\\n1\\) nor\\\n\\> quote\\\n\\=== no\\\n\\| pipe |\\\n\\: term",
        ),
        // Anki's sound markers stay as written.
        (
            "[sound:hello.mp3] and [sound:a_b.mp3]",
            "[sound:hello.mp3] and [sound:a_b.mp3]",
        ),
        ("<h3>Title #</h3>", "### Title \\#"),
    ];
    for (html, md) in cases {
        assert_eq!(html_to_markdown(html), md, "html: {html:?}");
        let back = markdown_to_html(md);
        assert_eq!(html_to_markdown(&back), md, "via {back:?}");
    }
}

#[test]
fn markdown_to_html_writes_what_anki_shows() {
    let cases = [
        (
            "| Op | Cost |\n| --- | ---: |\n| `a\\|b` | **1** |",
            "<table><thead><tr><th>Op</th><th align=\"right\">Cost</th></tr></thead><tbody><tr><td><code>a|b</code></td><td align=\"right\"><b>1</b></td></tr></tbody></table>",
        ),
        (
            "```python\ndef f():\n    return 1 < 2\n```",
            "<pre><code class=\"language-python\">def f():\n    return 1 &lt; 2</code></pre>",
        ),
        (
            "[the book](<https://e.org/a (b)>) and <https://x.org>",
            "<a href=\"https://e.org/a (b)\">the book</a> and <a href=\"https://x.org\">https://x.org</a>",
        ),
        (
            "![diagram](https://e.org/d.png) ![](<media/my pic.png>)",
            "<img src=\"https://e.org/d.png\" alt=\"diagram\"> <img src=\"my pic.png\">",
        ),
        (
            "{{c1::**Rust**::a *language*}} <b>raw</b>",
            "{{c1::<b>Rust</b>::a <i>language</i>}} &lt;b&gt;raw&lt;/b&gt;",
        ),
        ("1.\\\n2015\\) x", "1.<br>2015) x"),
        (
            "- a\n\n  b\n- c",
            "<ul><li><p>a</p><p>b</p></li><li><p>c</p></li></ul>",
        ),
        ("~~gone~~ and \\~", "<s>gone</s> and ~"),
    ];
    for (md, html) in cases {
        assert_eq!(markdown_to_html(md), html, "markdown: {md:?}");
    }
}

/// Field HTML of the kinds Anki's editor writes, nested.
fn field_html() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        "[a-z]{1,6}",
        Just(" ".to_string()),
        prop::sample::select(vec![
            "*",
            "_",
            "`",
            "#",
            "-",
            "1.",
            "<",
            "&amp;",
            "&lt;",
            "\\",
            "[",
            "]",
            "{{c1::x}}",
            "&nbsp;",
            "2015.",
            "a_b",
            "+",
            ">",
            "~~",
            "|",
            "=",
            "!",
            "(",
            ")",
            "\n",
            "é",
            "&#42;",
            "3)",
        ])
        .prop_map(String::from),
        Just("<br>".to_string()),
        Just("<img src=\"a b.png\">".to_string()),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        let seq = prop::collection::vec(inner, 1..4).prop_map(|v| v.concat());
        prop_oneof![
            seq.clone().prop_map(|s| format!("<b>{s}</b>")),
            seq.clone().prop_map(|s| format!("<i>{s}</i>")),
            seq.clone().prop_map(|s| format!("<div>{s}</div>")),
            seq.clone().prop_map(|s| format!("<p>{s}</p>")),
            seq.clone().prop_map(|s| format!("<code>{s}</code>")),
            seq.clone()
                .prop_map(|s| format!("<ul><li>{s}</li><li>{s}</li></ul>")),
            seq.clone().prop_map(|s| format!("<ol><li>{s}</li></ol>")),
            seq.clone().prop_map(|s| format!("<pre>{s}</pre>")),
            seq.clone()
                .prop_map(|s| format!("<span style=\"color: red\">{s}</span>")),
            seq.clone()
                .prop_map(|s| format!("<a href=\"https://e.org/x\">{s}</a>")),
            seq.clone().prop_map(|s| format!("<h2>{s}</h2>")),
            seq.clone()
                .prop_map(|s| format!("<table><tr><td>{s}</td><td>{s}</td></tr></table>")),
            seq,
        ]
    })
}

proptest! {
    /// Converted Markdown is a fixed point: writing it back to HTML (as an
    /// export does) and reading that again gives it unchanged.
    #[test]
    fn converted_markdown_is_stable(html in field_html()) {
        let md = html_to_markdown(&html);
        let back = markdown_to_html(&md);
        prop_assert_eq!(html_to_markdown(&back), md, "html {:?} back {:?}", html, back);
    }
}

#[test]
fn hostile_fields_convert_in_linear_time() {
    let n = 200_000;
    let fields = [
        "<a x=\"".repeat(n),
        "<b>".repeat(n),
        "<ul><li>".repeat(n),
        "<script>".repeat(n),
        "<h1>".repeat(n),
        "x</".repeat(n),
        "&#".repeat(n),
        "<!".repeat(n),
    ];
    let markdown = [
        "[".repeat(n),
        "`a``".repeat(n / 4),
        "*a_".repeat(n / 3),
        "- ".repeat(n / 2),
        "![](".repeat(n / 4),
        "[a](<".repeat(n / 5),
    ];
    let started = std::time::Instant::now();
    for html in &fields {
        let md = html_to_markdown(html);
        let _ = markdown_to_html(&md);
    }
    for md in &markdown {
        let _ = markdown_to_html(md);
        let _ = html_to_markdown(md);
    }
    // Quadratic behaviour would take hours here; linear takes well under a second.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------
// Hostile and broken packages

/// The entries of a zip, in order.
fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

/// A zip of `entries`, deflated.
fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(name.as_str(), options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// `base` with some entries replaced (`Some`) or removed (`None`); new
/// names are added at the end.
fn repack(base: &[u8], changes: &[(&str, Option<Vec<u8>>)]) -> Vec<u8> {
    let mut list = entries(base);
    for (name, change) in changes {
        let at = list.iter().position(|(n, _)| n == name);
        match (at, change) {
            (Some(i), Some(data)) => list[i].1 = data.clone(),
            (Some(i), None) => {
                list.remove(i);
            }
            (None, Some(data)) => list.push((name.to_string(), data.clone())),
            (None, None) => {}
        }
    }
    zip_of(&list)
}

fn err(bytes: &[u8]) -> AnkiError {
    match read_package(bytes, &Limits::default()) {
        Ok(_) => panic!("read a broken package"),
        Err(e) => {
            // Every error explains itself.
            assert!(e.to_string().len() > 10, "{e:?}");
            e
        }
    }
}

/// A protobuf `MediaEntries` with one entry named `name`.
fn media_entries(name: &str, size: usize) -> Vec<u8> {
    let mut entry = vec![0x0a, name.len() as u8];
    entry.extend_from_slice(name.as_bytes());
    entry.extend_from_slice(&[0x10, size as u8]);
    let mut out = vec![0x0a, entry.len() as u8];
    out.extend(entry);
    out
}

#[test]
fn rejects_broken_zips() {
    let good = fixture("fixture.apkg");
    assert!(matches!(err(b""), AnkiError::Zip(_)));
    assert!(matches!(err(b"hello, not a zip"), AnkiError::Zip(_)));
    assert!(matches!(err(&good[..good.len() / 2]), AnkiError::Zip(_)));
    // Cut inside the data but with the directory intact: a damaged entry.
    let mut damaged = good.clone();
    let at = damaged.windows(4).position(|w| w == b"PK\x03\x04").unwrap() + 30 + 10;
    for b in &mut damaged[at..at + 200] {
        *b ^= 0x55;
    }
    assert!(read_package(&damaged, &Limits::default()).is_err());
}

#[test]
fn rejects_zip_bombs() {
    let zeros = vec![0u8; 8 << 20];
    let small = Limits {
        max_entry_bytes: 1 << 20,
        ..Limits::default()
    };
    // Deflate: 8 MiB of zeros in a few KiB.
    let bomb = zip_of(&[
        ("meta".into(), vec![0x08, 0x02]),
        ("collection.anki21".into(), zeros.clone()),
    ]);
    assert!(bomb.len() < 100_000);
    let e = read_package(&bomb, &small).unwrap_err();
    assert!(
        matches!(e, AnkiError::TooLarge { limit, .. } if limit == 1 << 20),
        "{e:?}"
    );
    // zstd inside: the zip entry is small, its contents are not.
    let zbomb = zip_of(&[
        ("meta".into(), vec![0x08, 0x03]),
        (
            "collection.anki21b".into(),
            zstd::encode_all(&zeros[..], 3).unwrap(),
        ),
    ]);
    let e = read_package(&zbomb, &small).unwrap_err();
    assert!(
        matches!(e, AnkiError::TooLarge { ref what, .. } if what.contains("zstd")),
        "{e:?}"
    );
    // Many entries, each within its limit, too much in all.
    let many: Vec<(String, Vec<u8>)> = (0..6)
        .map(|i| (i.to_string(), vec![0u8; 900 << 10]))
        .collect();
    let mut pkg = entries(&fixture("fixture-legacy.apkg"));
    pkg.retain(|(n, _)| n != "0" && n != "media");
    pkg.extend(many);
    let map: BTreeMap<String, String> = (0..6)
        .map(|i| (i.to_string(), format!("f{i}.bin")))
        .collect();
    pkg.push(("media".into(), serde_json::to_vec(&map).unwrap()));
    let limits = Limits {
        max_entry_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        ..Limits::default()
    };
    let e = read_package(&zip_of(&pkg), &limits).unwrap_err();
    assert!(
        matches!(e, AnkiError::TooLarge { limit, .. } if limit == 4 << 20),
        "{e:?}"
    );
    // Too many entries.
    let e = read_package(
        &fixture("fixture.apkg"),
        &Limits {
            max_entries: 3,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(e, AnkiError::TooManyEntries { count: 5, limit: 3 }),
        "{e:?}"
    );
    // A package larger than allowed is not even opened.
    let e = read_package(
        &fixture("fixture.apkg"),
        &Limits {
            max_package_bytes: 1000,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, AnkiError::TooLarge { .. }), "{e:?}");
}

/// The error reading `bytes` gives; a package read despite all is named by
/// its size only (its media would fill the screen).
fn refused(bytes: &[u8], limits: &Limits) -> AnkiError {
    match read_package(bytes, limits) {
        Ok(p) => panic!(
            "read a bomb: {} media bytes",
            p.media.values().map(Vec::len).sum::<usize>()
        ),
        Err(e) => e,
    }
}

#[test]
fn item7_a_small_package_that_expands_a_thousandfold_is_refused_early() {
    // Three media files of 40 MiB of zeros: each within the per-file limit,
    // all within the overall one, but 120 MiB from a package of a few
    // hundred KiB is a bomb.
    let mut pkg = entries(&fixture("fixture-legacy.apkg"));
    pkg.retain(|(n, _)| n != "0" && n != "media");
    for i in 0..3 {
        pkg.push((i.to_string(), vec![0u8; 40 << 20]));
    }
    let map: BTreeMap<String, String> = (0..3)
        .map(|i| (i.to_string(), format!("f{i}.wav")))
        .collect();
    pkg.push(("media".into(), serde_json::to_vec(&map).unwrap()));
    let bomb = zip_of(&pkg);
    assert!(bomb.len() < 1 << 20, "{}", bomb.len());
    let e = refused(&bomb, &Limits::default());
    assert!(
        matches!(e, AnkiError::TooLarge { kind: LimitKind::Expansion, limit, .. } if limit == 64 << 20),
        "{e:?}"
    );
    assert!(e.to_string().contains("relative to its size"), "{e}");
    // The same rule for zstd inside the zip.
    let zbomb = zip_of(&[
        ("meta".into(), vec![0x08, 0x03]),
        (
            "collection.anki21b".into(),
            zstd::encode_all(&vec![0u8; 100 << 20][..], 3).unwrap(),
        ),
    ]);
    let e = refused(&zbomb, &Limits::default());
    assert!(
        matches!(e, AnkiError::TooLarge { kind: LimitKind::Expansion, ref what, .. } if what.contains("zstd")),
        "{e:?}"
    );
    // A limit passed is the one named.
    let e = refused(
        &bomb,
        &Limits {
            max_entry_bytes: 1 << 20,
            ..Limits::default()
        },
    );
    assert!(
        matches!(e, AnkiError::TooLarge { kind: LimitKind::Entry, limit, .. } if limit == 1 << 20),
        "{e:?}"
    );
    assert!(e.to_string().contains("one file"), "{e}");
}

#[test]
fn rejects_huge_declared_sizes() {
    let mut z = zip_of(&[("meta".into(), vec![0x08, 0x02])]);
    // Claim 4 GiB uncompressed, in the local header and the central directory.
    for (sig, offset) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let at = z.windows(4).position(|w| w == sig).unwrap() + offset;
        z[at..at + 4].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    }
    let e = err(&z);
    assert!(
        matches!(e, AnkiError::TooLarge { .. } | AnkiError::Zip(_)),
        "{e:?}"
    );
}

#[test]
fn rejects_media_names_that_are_paths() {
    let legacy = fixture("fixture-legacy.apkg");
    for name in [
        "../evil.png",
        "/etc/passwd",
        "a/b.png",
        "..\\evil.png",
        "C:evil.png",
        "..",
    ] {
        let map = serde_json::to_vec(&BTreeMap::from([("0", name)])).unwrap();
        let e = err(&repack(&legacy, &[("media", Some(map))]));
        assert!(
            matches!(e, AnkiError::MediaName { name: ref n, .. } if n == name),
            "{e:?}"
        );
    }
    // The same in the current format's protobuf map.
    let current = fixture("fixture.apkg");
    let png = &read("fixture.apkg").media["ferris.png"];
    let map = zstd::encode_all(&media_entries("../evil.png", png.len())[..], 0).unwrap();
    let e = err(&repack(&current, &[("media", Some(map))]));
    assert!(matches!(e, AnkiError::MediaName { .. }), "{e:?}");
    // A sane name there is fine, and its size is checked.
    let map = zstd::encode_all(&media_entries("ok.png", png.len())[..], 0).unwrap();
    let pkg = read_package(
        &repack(&current, &[("media", Some(map))]),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(pkg.media.keys().collect::<Vec<_>>(), ["ok.png"]);
    let map = zstd::encode_all(&media_entries("ok.png", png.len() + 1)[..], 0).unwrap();
    assert!(matches!(
        err(&repack(&current, &[("media", Some(map))])),
        AnkiError::Corrupt { .. }
    ));
    // A listed file that is missing.
    let e = err(&repack(&legacy, &[("0", None)]));
    assert!(matches!(e, AnkiError::Missing(_)), "{e:?}");
    // A map that is not JSON.
    let e = err(&repack(&legacy, &[("media", Some(b"{not json".to_vec()))]));
    assert!(matches!(e, AnkiError::Corrupt { .. }), "{e:?}");
}

#[test]
fn rejects_unknown_versions() {
    let current = fixture("fixture.apkg");
    let e = err(&repack(&current, &[("meta", Some(vec![0x08, 0x09]))]));
    assert_eq!(e, AnkiError::UnsupportedVersion(9));
    let e = err(&repack(&current, &[("meta", Some(vec![0x08]))]));
    assert!(matches!(e, AnkiError::Corrupt { .. }), "{e:?}");
    // Without `meta` and `collection.anki21`, the collection is `collection.anki2`
    // (here the dummy, which Anki writes as schema 11 for old clients).
    let legacy1 = repack(
        &current,
        &[
            ("meta", None),
            ("collection.anki21b", None),
            ("media", None),
            ("0", None),
        ],
    );
    let pkg = read_package(&legacy1, &Limits::default()).unwrap();
    assert_eq!(pkg.format, PackageFormat::Legacy1);
    // An unknown schema version.
    let db = sqlite_with(&[
        "CREATE TABLE col (crt, ver)",
        "INSERT INTO col VALUES (0, 99)",
        "CREATE TABLE notes (x)",
        "CREATE TABLE cards (x)",
        "CREATE TABLE revlog (x)",
    ]);
    let e = err(&repack(
        &fixture("fixture-legacy.apkg"),
        &[("collection.anki21", Some(db))],
    ));
    assert_eq!(e, AnkiError::UnsupportedSchema(99));
}

/// A SQLite database made by running `sql`.
fn sqlite_with(sql: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    for s in sql {
        conn.execute_batch(s).unwrap();
    }
    drop(conn);
    std::fs::read(path).unwrap()
}

#[test]
fn rejects_broken_collections() {
    let legacy = fixture("fixture-legacy.apkg");
    let current = fixture("fixture.apkg");
    // Not SQLite at all.
    let e = err(&repack(
        &legacy,
        &[(
            "collection.anki21",
            Some(b"SQLite format 3\0garbage".repeat(100)),
        )],
    ));
    assert!(matches!(e, AnkiError::Database(_)), "{e:?}");
    // A real database with its pages scrambled.
    let mut db = entries(&legacy)
        .into_iter()
        .find(|(n, _)| n == "collection.anki21")
        .unwrap()
        .1;
    for b in &mut db[100..] {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    assert!(
        read_package(
            &repack(&legacy, &[("collection.anki21", Some(db))]),
            &Limits::default()
        )
        .is_err()
    );
    // zstd that is not zstd.
    let e = err(&repack(
        &current,
        &[("collection.anki21b", Some(b"not zstd".to_vec()))],
    ));
    assert!(matches!(e, AnkiError::Corrupt { .. }), "{e:?}");
    // Missing tables.
    let db = sqlite_with(&[
        "CREATE TABLE col (crt, ver)",
        "INSERT INTO col VALUES (0, 11)",
    ]);
    let e = err(&repack(&legacy, &[("collection.anki21", Some(db))]));
    assert!(
        matches!(e, AnkiError::Missing(ref t) if t.contains("notes")),
        "{e:?}"
    );
    let db = sqlite_with(&[
        "CREATE TABLE col (crt, ver)",
        "INSERT INTO col VALUES (0, 18)",
        "CREATE TABLE notes (x)",
        "CREATE TABLE cards (x)",
        "CREATE TABLE revlog (x)",
    ]);
    let e = err(&repack(&legacy, &[("collection.anki21", Some(db))]));
    assert!(
        matches!(e, AnkiError::Missing(ref t) if t.contains("notetypes")),
        "{e:?}"
    );
    // A view where a table should be.
    let db = sqlite_with(&[
        "CREATE TABLE col (crt, ver)",
        "INSERT INTO col VALUES (0, 11)",
        "CREATE VIEW notes AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r",
        "CREATE TABLE cards (x)",
        "CREATE TABLE revlog (x)",
    ]);
    let e = err(&repack(&legacy, &[("collection.anki21", Some(db))]));
    assert!(
        matches!(e, AnkiError::Corrupt { ref message, .. } if message.contains("view")),
        "{e:?}"
    );
    // No collection at all.
    let e = err(&repack(
        &legacy,
        &[("collection.anki21", None), ("collection.anki2", None)],
    ));
    assert!(matches!(e, AnkiError::Missing(_)), "{e:?}");
    let e = err(&zip_of(&[("meta".into(), vec![0x08, 0x03])]));
    assert!(
        matches!(e, AnkiError::Missing(ref m) if m.contains("anki21b")),
        "{e:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_package(&bytes, &Limits::default());
        let mut zipped = b"PK\x03\x04".to_vec();
        zipped.extend(&bytes);
        let _ = read_package(&zipped, &Limits::default());
    }

    #[test]
    fn html_conversion_never_panics(s in ".{0,200}") {
        let md = html_to_markdown(&s);
        let _ = markdown_to_html(&md);
        let _ = markdown_to_html(&s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn damaged_packages_never_panic(
        which in 0..2usize,
        changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = fixture(["fixture.apkg", "fixture-legacy.apkg"][which]);
        for (at, value) in changes {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let _ = read_package(&bytes, &Limits::default());
    }

    #[test]
    fn damaged_collections_never_panic(
        which in 0..2usize,
        changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
    ) {
        let (file, entry) = [("fixture.apkg", "collection.anki21b"), ("fixture-legacy.apkg", "collection.anki21")][which];
        let base = fixture(file);
        let mut db = entries(&base).into_iter().find(|(n, _)| n == entry).unwrap().1;
        if which == 0 {
            db = zstd::decode_all(&db[..]).unwrap();
        }
        for (at, value) in changes {
            let i = at.index(db.len());
            db[i] = value;
        }
        if which == 0 {
            db = zstd::encode_all(&db[..], 0).unwrap();
        }
        let _ = read_package(&repack(&base, &[(entry, Some(db))]), &Limits::default());
    }
}

// ---------------------------------------------------------------------------
// Export

fn export_input(c: &Converted, pkg: &AnkiPackage, now: Timestamp) -> ExportInput {
    let notes = c
        .cards
        .iter()
        .map(|card| ExportNote {
            deck: card.deck.clone(),
            card: card.card.clone(),
            progress: c
                .items
                .iter()
                .filter(|i| i.item.card == card.card.id)
                .map(|i| ExportProgress {
                    variant: i.item.variant,
                    state: i.state.clone(),
                    reviews: i.reviews.clone(),
                })
                .collect(),
        })
        .collect();
    ExportInput {
        notes,
        media: pkg.media.clone(),
        now,
    }
}

fn native_card() -> ExportNote {
    ExportNote {
        deck: "Native".into(),
        card: Card {
            id: CardId::new("native-1").unwrap(),
            id_pinned: true,
            kind: CardKind::Basic,
            front: "What is `O(n log n)`?".into(),
            back: "- merge sort\n- heap sort".into(),
            topic: "Algorithms".into(),
            tags: vec!["sorting".into()],
            source: None,
            rubric: Default::default(),
            modified: None,
            added: None,
        },
        progress: Vec::new(),
    }
}

fn exported() -> (Converted, Vec<u8>) {
    let pkg = read("fixture.apkg");
    let c = to_rehearse(&pkg);
    let now = pkg
        .cards()
        .flat_map(|c| c.reviews.iter().map(|r| r.at))
        .max()
        .unwrap();
    let mut input = export_input(&c, &pkg, now);
    input.notes.push(native_card());
    (c, write_package(&input).unwrap())
}

#[test]
fn export_reads_back() {
    let (original, bytes) = exported();
    let pkg = read_package(&bytes, &Limits::default()).unwrap();
    assert_eq!(pkg.format, PackageFormat::Legacy2);
    assert_eq!(pkg.schema, 11);
    assert!(pkg.warnings.is_empty(), "{:?}", pkg.warnings);
    assert_eq!(pkg.notes().count(), 6);
    // The fixture's 7 cards (optional reversed and type-in notes are Basic
    // now, each with its one card), plus the native one.
    assert_eq!(pkg.cards().count(), 8);
    assert_eq!(pkg.media, read("fixture.apkg").media);
    assert!(deck_names(&pkg).contains(&"Rehearse Fixture::Rust"));
    assert!(deck_names(&pkg).contains(&"Native"));
    assert_eq!(pkg.cards().filter(|c| c.is_suspended()).count(), 1);
    assert_eq!(pkg.cards().map(|c| c.reviews.len()).sum::<usize>(), 4);
    let kinds: Vec<NoteKind> = pkg.notes().map(|n| n.kind).collect();
    assert_eq!(kinds.iter().filter(|k| **k == NoteKind::Cloze).count(), 1);
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == NoteKind::BasicAndReversed)
            .count(),
        1
    );
    // Fields are HTML again.
    let basic = pkg
        .notes()
        .find(|n| n.fields[0].starts_with("What does"))
        .unwrap();
    assert_eq!(
        basic.fields[0],
        "What does <b>ownership</b> mean in <i>Rust</i>? <code>let b = &amp;mut a;</code>"
    );
    assert!(basic.fields[1].contains("<img src=\"ferris.png\">"));
    assert!(basic.fields[1].contains("<ul><li>moves → transfer</li>"));

    // Converting again gives the same cards (guids map back to the same ids).
    let again = to_rehearse(&pkg);
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    for card in &original.cards {
        let back = again
            .cards
            .iter()
            .find(|c| c.card.id == card.card.id)
            .unwrap();
        assert_eq!(back.card, card.card);
        assert_eq!(back.deck, card.deck);
        assert_eq!(
            back.guid, card.guid,
            "the original Anki guid is written back"
        );
    }
    let native = again
        .cards
        .iter()
        .find(|c| c.card.id.as_str() == "native-1")
        .unwrap();
    assert_eq!(native.guid, "rehearse:native-1");
    assert_eq!(native.card.back, "- merge sort\n- heap sort");

    // And the same progress.
    for item in &original.items {
        let back = again.items.iter().find(|i| i.item == item.item).unwrap();
        assert_eq!(back.suspended, item.suspended, "{}", item.item);
        assert_eq!(back.reviews, item.reviews, "{}", item.item);
        let (a, b) = (&item.state, &back.state);
        assert_eq!(b.phase, a.phase, "{}", item.item);
        assert_eq!((b.reps, b.lapses), (a.reps, a.lapses), "{}", item.item);
        match (a.memory, b.memory) {
            (Some(x), Some(y)) => {
                assert!((x.stability - y.stability).abs() < 1e-3, "{x:?} {y:?}");
                assert!((x.difficulty - y.difficulty).abs() < 1e-2, "{x:?} {y:?}");
            }
            (x, y) => assert_eq!(x, y, "{}", item.item),
        }
        if let (Some(x), Some(y)) = (a.due, b.due) {
            // Review cards are due by day: the day boundary may move.
            let gap = x.duration_since(y).abs();
            assert!(
                gap < SignedDuration::from_hours(24),
                "{}: {x} vs {y}",
                item.item
            );
        } else {
            assert_eq!(a.due.is_some(), b.due.is_some(), "{}", item.item);
        }
    }
}

#[test]
fn export_refuses_bad_input() {
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let input = ExportInput {
        notes: vec![native_card()],
        media: BTreeMap::from([("../x.png".to_string(), vec![1])]),
        now,
    };
    assert!(matches!(
        write_package(&input),
        Err(AnkiError::MediaName { .. })
    ));
    let mut cloze = native_card();
    cloze.card.kind = CardKind::Cloze;
    let input = ExportInput {
        notes: vec![cloze],
        media: BTreeMap::new(),
        now,
    };
    assert!(matches!(write_package(&input), Err(AnkiError::Export(_))));
}

#[test]
fn export_writes_scheduling_rows() {
    let now: Timestamp = "2026-03-02T12:00:00Z".parse().unwrap();
    let day = |d: i64| now.checked_add(SignedDuration::from_hours(24 * d)).unwrap();
    let mut note = native_card();
    note.card.kind = CardKind::Reversed;
    note.progress = vec![ExportProgress {
        variant: Variant::Forward,
        state: CardState {
            phase: Phase::Review,
            memory: Some(rehearse_core::schedule::Memory {
                stability: 12.5,
                difficulty: 4.25,
            }),
            due: Some(day(10)),
            last_review: Some(day(-2)),
            interval_days: 12,
            reps: 3,
            lapses: 1,
            leech: true,
            suspended: false,
            buried_day: None,
        },
        reviews: vec![rehearse_core::interop::anki::ReviewEntry {
            at: day(-2),
            rating: Rating::Hard,
            took_ms: 4200,
        }],
    }];
    let bytes = write_package(&ExportInput {
        notes: vec![note],
        media: BTreeMap::new(),
        now,
    })
    .unwrap();
    let pkg = read_package(&bytes, &Limits::default()).unwrap();
    let note = pkg.notes().next().unwrap();
    assert!(note.tags.contains(&"leech".to_string()));
    let fwd = &note.cards[0];
    assert_eq!(
        (fwd.card_type, fwd.queue),
        (CardType::Review, Queue::Review)
    );
    assert_eq!((fwd.interval_days, fwd.reps, fwd.lapses), (12, 3, 1));
    assert_eq!(fwd.ease_permille, 2500);
    let fsrs = fwd.fsrs.unwrap();
    assert_eq!((fsrs.stability, fsrs.difficulty), (12.5, 4.25));
    assert_eq!(fwd.last_review, Some(day(-2)));
    let Due::At(due) = fwd.due else { panic!() };
    assert!(due.duration_since(day(10)).abs() < SignedDuration::from_hours(24));
    assert_eq!(fwd.reviews.len(), 1);
    assert_eq!(fwd.reviews[0].ease, 2);
    assert_eq!(fwd.reviews[0].took_ms, 4200);
    assert_eq!(fwd.reviews[0].at, day(-2));
    let rev = &note.cards[1];
    assert_eq!((rev.card_type, rev.queue), (CardType::New, Queue::New));
    assert!(rev.reviews.is_empty());
}

/// Imports `package` into a fresh collection with Anki's own library and
/// reports what it holds, or `None` when the library is not installed.
fn anki_import(package: &std::path::Path) -> Option<serde_json::Value> {
    const SCRIPT: &str = r#"
import json, os, sys, tempfile
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions
folder = tempfile.mkdtemp()
col = Collection(os.path.join(folder, "collection.anki2"))
col.set_config("fsrs", True)
col.import_anki_package(ImportAnkiPackageRequest(
    package_path=sys.argv[1],
    options=ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False),
))
q = col.db.scalar
out = {
    "notes": col.note_count(),
    "cards": col.card_count(),
    "tags": sorted(col.tags.all()),
    "media": sorted(os.listdir(col.media.dir())),
    "revlog": q("select count() from revlog"),
    "suspended": q("select count() from cards where queue = -1"),
    "review": q("select count() from cards where type = 2"),
    "learning": q("select count() from cards where type in (1, 3)"),
    "with_memory": sum(1 for cid in col.find_cards("") if col.get_card(cid).memory_state),
    "decks": sorted(d.name for d in col.decks.all_names_and_ids()),
    "notetypes": sorted(m.name for m in col.models.all_names_and_ids()),
    "guids": sorted(col.db.list("select guid from notes")),
    "fields": sorted(col.get_note(n).fields[0] for n in col.find_notes("")),
}
col.close()
print(json.dumps(out))
"#;
    let have_anki = std::process::Command::new("python3")
        .args(["-c", "import anki"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_anki {
        return None;
    }
    let output = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(package)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "Anki could not import the package:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

#[test]
fn anki_imports_the_export() {
    let (original, bytes) = exported();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.apkg");
    std::fs::write(&path, &bytes).unwrap();
    let Some(got) = anki_import(&path) else {
        if std::env::var("REHEARSE_REQUIRE_ANKI").as_deref() == Ok("1") {
            panic!(
                "REHEARSE_REQUIRE_ANKI=1 but `python3 -c \"import anki\"` fails: pip install anki"
            );
        }
        eprintln!(
            "notice: Anki's Python library is not installed (pip install anki); skipping the Anki import check"
        );
        return;
    };
    assert_eq!(got["notes"], 6, "{got}");
    assert_eq!(got["cards"], 8, "{got}");
    assert_eq!(got["revlog"], 4, "{got}");
    assert_eq!(got["suspended"], 1, "{got}");
    assert_eq!(got["review"], 2, "{got}");
    assert_eq!(got["learning"], 1, "{got}");
    assert_eq!(got["with_memory"], 3, "{got}");
    assert_eq!(got["media"], serde_json::json!(["ferris.png"]), "{got}");
    let tags = got["tags"].as_array().unwrap();
    for tag in [
        "concurrency",
        "history",
        "ownership::borrowing",
        "rust",
        "sorting",
    ] {
        assert!(tags.iter().any(|t| t == tag), "{tag} not in {got}");
    }
    let decks = got["decks"].as_array().unwrap();
    for deck in ["Rehearse Fixture", "Rehearse Fixture::Rust", "Native"] {
        assert!(decks.iter().any(|d| d == deck), "{deck} not in {got}");
    }
    let notetypes = got["notetypes"].as_array().unwrap();
    assert!(notetypes.iter().any(|n| n == "Cloze"), "{got}");
    // The notes that came from Anki have their guids back.
    let guids = got["guids"].as_array().unwrap();
    for card in &original.cards {
        assert!(
            guids.iter().any(|g| g == card.guid.as_str()),
            "{} not in {got}",
            card.guid
        );
    }
    assert!(guids.iter().any(|g| g == "rehearse:native-1"), "{got}");
    let fields = got["fields"].as_array().unwrap();
    assert!(
        fields
            .iter()
            .any(|f| f == "What is <code>O(n log n)</code>?"),
        "{got}"
    );
}
