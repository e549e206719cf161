//! Regression tests for the window bugs of issue 9, one per numbered bug,
//! driven headlessly with egui_kittest. Each fails on the code before its fix.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use common::*;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use jiff::Timestamp;
use rehearse::ui::RehearseApp;

fn harness_sized(app: RehearseApp, width: f32, height: f32) -> Harness<'static, RehearseApp> {
    Harness::builder()
        .with_size(egui::vec2(width, height))
        .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app)
}

fn harness(app: RehearseApp) -> Harness<'static, RehearseApp> {
    harness_sized(app, 1000.0, 720.0)
}

/// A deck with three basic cards and one cloze card of three deletions.
fn cloze_deck() -> String {
    r#"(name: "Mixed", cards: [
        (id: "b-1", topic: "T", front: "Basic one?", back: "A"),
        (id: "b-2", topic: "T", front: "Basic two?", back: "A"),
        (id: "b-3", topic: "T", front: "Basic three?", back: "A"),
        (id: "cz", kind: Cloze, topic: "T", front: "{{c1::Raft}} elects a {{c2::leader}} per {{c3::term}}"),
    ])"#
    .to_string()
}

fn notices(h: &Harness<'static, RehearseApp>) -> Vec<String> {
    RehearseApp::notices(&h.ctx)
        .into_iter()
        .map(|(_, text)| text)
        .collect()
}

/// Bug 1: deleting selected rows that include some of a cloze card's
/// deletions says, before confirming, that the card's other deletions go too,
/// and reports the same numbers after.
#[test]
fn bug1_browse_delete_names_the_sibling_items_it_also_removes() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("mixed.ron", cloze_deck())]);
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();
    h.key_press(Key::B);
    h.run();
    // Select "Basic one?" and the first cloze row: 2 rows of 2 cards, 4 items.
    h.get_by_label("Basic one?").click();
    h.run();
    h.get_by_label_contains("[…] elects a leader per term")
        .click_modifiers(Modifiers::COMMAND);
    h.run();
    h.key_press(Key::Delete);
    h.run();
    h.get_by_label("Delete 2 cards (4 study items)?");
    h.get_by_label_contains("also deletes 2 study items not selected");
    h.get_by_label("Delete 2 cards (4 study items)").click();
    h.run();
    let c = h.state().collection();
    assert_eq!(c.items().len(), 2, "only the two other basic cards remain");
    assert!(
        notices(&h)
            .iter()
            .any(|n| n.starts_with("Deleted 2 cards (4 study items).")),
        "{:?}",
        notices(&h)
    );
    // Undo says what it undid, in the same unit.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(h.state().collection().items().len(), 6);
    assert!(
        notices(&h)
            .iter()
            .any(|n| n == "Undone: delete 2 cards (4 study items)."),
        "{:?}",
        notices(&h)
    );
}

/// Bug 2: deleting a deck and undoing brings it back without another deck
/// vanishing from Home.
#[test]
fn bug2_deck_delete_then_undo_keeps_every_deck_on_home() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("alpha.ron", deck_text("Alpha", "a", 2)),
            ("beta.ron", deck_text("Beta", "b", 2)),
            ("gamma.ron", deck_text("Gamma", "g", 2)),
        ],
    );
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();
    h.get_by_label("More for Beta").click();
    h.run();
    h.get_by_label("Delete…").click();
    h.run();
    h.get_by_label("Delete").click();
    h.run();
    assert!(h.query_by_label("Beta").is_none());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    for name in ["Alpha", "Beta", "Gamma"] {
        assert!(h.query_by_label(name).is_some(), "{name} is on Home");
    }
}

/// Bug 3: a notice never covers the tabs, even in a narrow window, and fades;
/// answers from an imported review log are not "from other devices".
#[test]
fn bug3_notices_stay_off_the_tabs_fade_and_name_their_origin() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 2))]);
    let c = open(dir.path(), Timestamp::now());
    // A review log imported on this machine, as the Settings screen writes it.
    let log = "card_id,review_rating,review_time,review_duration\n1,3,1700000000000,5000\n";
    rehearse_core::insight::fit::import_review_log(&c, log).unwrap();
    let journal = std::fs::read_dir(dir.path().join("journal"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains("import-"))
        .unwrap();
    let mut h = harness_sized(RehearseApp::new(c), 800.0, 600.0);
    h.run();
    h.state_mut()
        .files_changed(std::slice::from_ref(&journal), Timestamp::now());
    h.run();
    let shown = notices(&h);
    assert!(
        shown
            .iter()
            .any(|n| n.contains("from an imported review log")),
        "{shown:?}"
    );
    assert!(
        !shown.iter().any(|n| n.contains("other devices")),
        "{shown:?}"
    );
    let text = shown
        .iter()
        .find(|n| n.contains("imported review log"))
        .unwrap()
        .clone();
    let notice = h.get_by_label(&text).rect();
    for tab in [
        "Decks",
        "Browse",
        "Weak topics",
        "Readiness",
        "Statistics",
        "Settings",
    ] {
        for node in h.query_all_by_label(tab) {
            let rect = node.rect();
            assert!(
                !rect.intersects(notice),
                "the notice covers {tab} at {rect:?}"
            );
        }
    }
    // Settings can still be clicked.
    h.get_by_label("Settings").click();
    h.run();
    h.get_by_label("Save");
    // Information fades by itself after a few seconds.
    std::thread::sleep(std::time::Duration::from_millis(4800));
    h.run();
    assert!(notices(&h).is_empty(), "{:?}", notices(&h));
    // ...and stays in the history, one click away.
    h.get_by_label("Messages").click();
    h.run();
    h.get_by_label(&text);
}

/// Bug 4: every column's header shows whole at the default size (the table
/// scrolls sideways instead of squeezing), and hidden columns stay hidden.
#[test]
fn bug4_browse_columns_are_whole_choosable_and_remembered() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 3))]);
    // Wide enough for every column: none is squeezed to fit.
    let mut h = harness_sized(
        RehearseApp::new(open(dir.path(), Timestamp::now())),
        1500.0,
        720.0,
    );
    h.run();
    h.key_press(Key::B);
    h.run();
    for header in [
        "Deck ⏶",
        "Front",
        "Topic",
        "Tags",
        "Due",
        "Interval",
        "Stability",
        "Difficulty",
        "Recall",
        "Lapses",
    ] {
        let node = h.get_by_label(header);
        // The width the header's text needs, in the button font.
        let text_width = h.ctx.fonts_mut(|f| {
            f.layout_no_wrap(
                header.to_string(),
                egui::FontId::proportional(15.0),
                egui::Color32::WHITE,
            )
            .size()
            .x
        });
        assert!(
            node.rect().width() >= text_width,
            "{header} is squeezed to {}",
            node.rect().width()
        );
    }
    // At the default size the columns keep their width and run past the
    // window's edge, inside a table that scrolls sideways.
    h.set_size(egui::vec2(1000.0, 720.0));
    h.run();
    let lapses = h.get_by_label("Lapses").rect();
    assert!(
        lapses.width() >= 40.0 && lapses.left() > 1000.0,
        "Lapses at the default size: {lapses:?}"
    );
    h.get_by_label("Columns ⏷").click();
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::CheckBox, "Tags")
        .click();
    h.run();
    assert_eq!(
        h.state().collection().settings().display.hidden_columns,
        ["Tags"]
    );
    let text = std::fs::read_to_string(dir.path().join("settings.ron")).unwrap();
    assert!(text.contains("hidden_columns"), "{text}");
    // A new browser (and a new start) keeps the choice.
    h.key_press(Key::Escape);
    h.run();
    h.key_press(Key::D);
    h.run();
    h.key_press(Key::B);
    h.run();
    assert!(h.query_by_label("Tags").is_none());
    assert!(h.query_by_label("Topic").is_some());
}

/// Bug 5: topic and tag suggestions form a completion popup that arrows,
/// Enter, Tab and clicks accept.
#[test]
fn bug5_editor_suggestions_are_accepted_with_keys_and_clicks() {
    let dir = tempfile::tempdir().unwrap();
    let deck = r#"(name: "Db", cards: [
        (id: "x", topic: "Transactions", tags: ["postgres", "sql"], front: "Q?", back: "A"),
    ])"#;
    write_decks(dir.path(), &[("db.ron", deck.to_string())]);
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();
    h.key_press(Key::A);
    h.run();
    h.get_by_label("Topic").click();
    h.run();
    h.get_by_label("Topic").type_text("trans");
    h.run();
    h.run();
    h.key_press(Key::Enter);
    h.run();
    h.get_by_label("Tags").click();
    h.run();
    h.get_by_label("Tags").type_text("po");
    h.run();
    h.run();
    h.key_press(Key::Tab);
    h.run();
    h.get_by_label("Tags").type_text("s");
    h.run();
    h.run();
    h.get_by_label("sql").click();
    h.run();
    h.get_by_label("Front").click();
    h.run();
    h.get_by_label("Front").type_text("Isolation levels?");
    h.get_by_label("Back").click();
    h.run();
    h.get_by_label("Back").type_text("Four.");
    h.run();
    h.get_by_label("Save").click();
    h.run();
    let card = h
        .state()
        .collection()
        .decks()
        .iter()
        .flat_map(|d| d.cards.iter())
        .find(|c| c.front == "Isolation levels?")
        .cloned()
        .unwrap();
    assert_eq!(card.topic, "Transactions");
    assert_eq!(card.tags, ["postgres", "sql"]);
}

/// Bug 6: an unclosed cloze is flagged and Save is off while the card is
/// invalid; an untouched empty form shows no errors.
#[test]
fn bug6_editor_flags_unclosed_cloze_and_blocks_saving() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 1))]);
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();
    h.key_press(Key::A);
    h.run();
    assert!(
        h.query_by_label_contains("Error:").is_none(),
        "an untouched form shows no problems"
    );
    h.get_by_label("Cloze").click();
    h.run();
    h.get_by_label("Text").click();
    h.run();
    h.get_by_label("Text")
        .type_text("A {{c1::leader}} per {{c3::term");
    h.run();
    h.get_by_label_contains("is never closed");
    assert!(h.get_by_label("Save").accesskit_node().is_disabled());
    h.get_by_label("Text").type_text("}}");
    h.run();
    assert!(h.query_by_label_contains("is never closed").is_none());
    assert!(!h.get_by_label("Save").accesskit_node().is_disabled());
}

/// Bug 12: a screen opens at its top even after another screen was scrolled.
#[test]
fn bug12_screens_open_at_their_top() {
    let dir = tempfile::tempdir().unwrap();
    let decks: Vec<(String, String)> = (0..30)
        .map(|i| {
            (
                format!("d{i}.ron"),
                deck_text(&format!("Deck {i}"), &format!("d{i}"), 1),
            )
        })
        .collect();
    let refs: Vec<(&str, String)> = decks.iter().map(|(f, t)| (f.as_str(), t.clone())).collect();
    write_decks(dir.path(), &refs);
    let mut h = harness_sized(
        RehearseApp::new(open(dir.path(), Timestamp::now())),
        800.0,
        600.0,
    );
    h.run();
    let top = h
        .query_all_by_label("Decks")
        .map(|n| n.rect().bottom())
        .fold(0.0, f32::max);
    // Scroll the settings screen to its end, then come back to Home.
    h.key_press_modifiers(Modifiers::COMMAND, Key::P);
    h.run();
    h.get_by_label_contains("Stored in").scroll_to_me();
    h.run();
    h.key_press(Key::D);
    h.run();
    h.run();
    let heading = h
        .query_all_by_label("Decks")
        .map(|n| n.rect().top())
        .fold(f32::MAX, f32::min);
    let first = h.get_by_label("Deck 0").rect().top();
    assert!(
        first > top && first < 260.0,
        "Home opened scrolled: first deck at {first}, heading at {heading}"
    );
}

/// Keyboard first: from Home, arrows and Enter study a deck; in study, `e`
/// edits the card and closing the editor resumes the session; `?` lists the
/// shortcuts; `/` opens the browser with its search focused.
#[test]
fn keyboard_home_study_edit_and_shortcut_overlay() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("alpha.ron", deck_text("Alpha", "a", 2)),
            ("beta.ron", deck_text("Beta", "b", 2)),
        ],
    );
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();
    h.key_press(Key::ArrowDown);
    h.run();
    h.key_press(Key::ArrowDown);
    h.run();
    h.key_press(Key::Enter);
    h.run();
    let (card, _) = h.state().study_state().expect("studying");
    let card = card.unwrap();
    assert!(
        card.card.as_str().starts_with("b-"),
        "the second deck: {card}"
    );
    h.key_press(Key::E);
    h.run();
    h.get_by_label("Edit card");
    h.key_press(Key::Escape);
    h.run();
    let (again, revealed) = h.state().study_state().expect("back in study");
    assert_eq!(again, Some(card));
    assert!(!revealed);
    h.key_press(Key::Escape);
    h.run();
    h.event(egui::Event::Text("?".into()));
    h.run();
    h.get_by_label("Keyboard shortcuts");
    h.get_by_label("show the answer; once shown, Good");
    h.event(egui::Event::Text("?".into()));
    h.run();
    assert!(h.query_by_label("Keyboard shortcuts").is_none());
    h.key_press(Key::Slash);
    h.run();
    assert!(h.get_by_label("Search").is_focused());
}

/// Export from the browser, as CSV and as an Anki package (whose review
/// history is read off the UI thread), with a typed path beside the dialog.
#[test]
fn browse_exports_listed_cards_as_csv_and_anki_package() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("mixed.ron", cloze_deck())]);
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();
    h.key_press(Key::B);
    h.run();
    for (format, file, expect) in [
        ("CSV", "out.csv", "Exported 4 cards to"),
        (
            "Anki package (.apkg)",
            "out.apkg",
            "Exported 4 cards as 4 Anki notes to",
        ),
    ] {
        h.get_by_label("File ⏷").click();
        h.run();
        h.get_by_label("Export listed…").click();
        h.run();
        h.get_by_label("Export 4 listed cards");
        h.get_by_label(format).click();
        h.run();
        let path = dir.path().join(file);
        h.get_by_label("File").click();
        h.run();
        h.get_by_label("File").type_text(path.to_str().unwrap());
        h.run();
        h.get_by_label("Export").click();
        for _ in 0..400 {
            h.run_steps(1);
            if notices(&h).iter().any(|n| n.starts_with(expect)) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(
            notices(&h).iter().any(|n| n.starts_with(expect)),
            "{:?}",
            notices(&h)
        );
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.is_empty(), "{file} written");
        if file.ends_with(".apkg") {
            assert_eq!(&bytes[..2], b"PK", "an Anki package is a zip");
        } else {
            let text = String::from_utf8(bytes).unwrap();
            assert_eq!(
                text.lines().count(),
                5,
                "a header and one row per card:\n{text}"
            );
        }
    }
}

/// Bug 10: Anki's `[sound:]` markers show as a chip naming the file, never
/// as raw markup; an image the window cannot draw names itself; a card with
/// an empty back is a warning on Home, not an error.
#[test]
fn bug10_sound_images_and_empty_backs_from_anki_read_well() {
    let dir = tempfile::tempdir().unwrap();
    let deck = r#"(name: "Imported", cards: [
        (id: "s", topic: "T", front: "Say hello [sound:hola.mp3]", back: "![](media/diagram.svg)"),
        (id: "e", topic: "T", front: "Front only"),
    ])"#;
    write_decks(dir.path(), &[("imported.ron", deck.to_string())]);
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();
    // An empty back is a warning, not an error listed on Home in red.
    assert!(h.query_by_label_contains("the back is empty").is_none());
    h.key_press(Key::Enter);
    h.run();
    h.key_press(Key::Space);
    h.run();
    h.get_by_label_contains("🔊 hola.mp3 (audio)");
    assert!(h.query_by_label_contains("[sound:").is_none());
    h.get_by_label_contains("🖼 diagram.svg (cannot be shown)");
}

/// Searches of the review history (`rated:N:EASE`, `introduced:`) load it in
/// the background, say so meanwhile, and then list what they find.
#[test]
fn browse_history_searches_wait_for_the_history_then_list() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("mixed.ron", cloze_deck())]);
    let now = Timestamp::now();
    let mut collection = open(dir.path(), now);
    let item = |s: &str| s.parse::<rehearse_core::ItemId>().unwrap();
    collection
        .answer(&item("b-1"), rehearse_core::Rating::Good, now, 3000)
        .unwrap();
    collection
        .answer(&item("b-2"), rehearse_core::Rating::Again, now, 3000)
        .unwrap();
    let mut h = harness(RehearseApp::new(collection));
    h.run();
    h.key_press(Key::B);
    h.run();
    h.get_by_label("Search").click();
    h.run();
    h.get_by_label("Search").type_text("rated:1:3");
    h.run_steps(2);
    // The history loads on a worker thread: step until it has arrived.
    for _ in 0..200 {
        h.run_steps(2);
        if h.query_by_label("Basic one?").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(h.query_by_label("Basic one?").is_some());
    assert!(h.query_by_label("Basic two?").is_none());
    assert!(h.query_by_label("Basic three?").is_none());
    assert!(h.query_by_label_contains("Search not understood").is_none());
    assert!(
        h.query_by_label_contains("Reading the review history")
            .is_none()
    );
}
