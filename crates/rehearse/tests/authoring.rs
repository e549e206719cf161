//! Authoring in the window, driven with egui_kittest: create a deck, add a
//! card with the keyboard, see the preview, edit it, find it with a search,
//! bulk-tag it, and undo.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use common::*;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use jiff::Timestamp;
use rehearse::ui::RehearseApp;
use rehearse_core::ItemId;

fn harness(app: RehearseApp) -> Harness<'static, RehearseApp> {
    Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app)
}

fn mine(h: &Harness<'static, RehearseApp>) -> Vec<rehearse_core::Card> {
    h.state()
        .collection()
        .decks()
        .iter()
        .find(|d| d.name == "Mine")
        .map(|d| d.cards.clone())
        .unwrap_or_default()
}

#[test]
fn create_deck_add_edit_search_tag_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 2))]);
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();

    // A new deck.
    h.get_by_label("New deck").click();
    h.run();
    h.get_by_label("Name").click();
    h.run();
    h.get_by_label("Name").type_text("Mine");
    h.get_by_label("Save").click();
    h.run();
    assert!(dir.path().join("decks/mine.ron").exists());

    // A card, typed with the keyboard; the preview renders the Markdown.
    h.get_by_label("More for Mine").click();
    h.run();
    h.get_by_label("Add card to this deck").click();
    h.run();
    h.get_by_label("Front")
        .type_text("What does **RON** stand for?");
    h.run();
    h.get_by_label("Back").click();
    h.run();
    h.get_by_label("Back").type_text("Rusty Object Notation");
    h.run();
    // Rendered: the bold word is its own run in the preview, without asterisks.
    assert!(h.query_by_label("RON").is_some());
    assert!(h.query_by_label_contains("stand for?").is_some());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    h.run();
    let cards = mine(&h);
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].front, "What does **RON** stand for?");
    assert_eq!(cards[0].back, "Rusty Object Notation");
    let id = cards[0].id.clone();
    h.get_by_label_contains("Saved; 1 card this session.");
    // Ctrl+Enter started the next card: the fields are empty again.
    h.key_press(Key::Escape);
    h.run();

    // Find it in the browser and edit it.
    h.get_by_label("Browse").click();
    h.run();
    h.get_by_label("Search").click();
    h.run();
    h.get_by_label("Search").type_text("\"Rusty Object\"");
    h.run();
    assert!(
        h.query_by_label("1 card").is_some(),
        "the search finds exactly the card"
    );
    h.get_by_label("What does RON stand for?").click();
    h.run();
    // Enter edits the selected card.
    h.key_press(Key::Enter);
    h.run();
    h.get_by_label("Back").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("Back")
        .type_text("Rusty Object Notation, serde's format");
    h.run();
    h.get_by_label("Save").click();
    h.run();
    assert_eq!(mine(&h)[0].back, "Rusty Object Notation, serde's format");
    assert_eq!(
        mine(&h)[0].id,
        id,
        "editing keeps the id, and with it the progress"
    );
    h.get_by_label("Close").click();
    h.run();

    // Bulk-tag it from the browser, then undo.
    h.get_by_label("Search").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("Search").type_text("deck:mine");
    h.run();
    h.get_by_label("What does RON stand for?").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label("Selection actions").click();
    h.run();
    h.get_by_label("Add tag…").click();
    h.run();
    h.get_by_label("Tag").type_text("serde");
    h.run();
    h.get_by_label("Add tag").click();
    h.run();
    h.get_by_label_contains("Tagged 1 card with \"serde\"");
    assert_eq!(mine(&h)[0].tags, ["serde"]);
    h.get_by_label_contains("Undo tag 1 card serde").click();
    h.run();
    assert!(mine(&h)[0].tags.is_empty());
    let item = ItemId::forward(id);
    assert_eq!(h.state().collection().state(&item).reps, 0);
}

#[test]
fn import_screen_previews_refuses_bad_rows_and_imports() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 1))]);
    let file = dir.path().join("new-cards.tsv");
    std::fs::write(&file, "front\tback\ttopic\nWhat is a B-tree?\tA balanced search tree\tIndexing\n\tmissing front\tIndexing\n").unwrap();
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();
    h.get_by_label("Import…").click();
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("File").type_text(file.to_str().unwrap());
    h.get_by_label("Preview").click();
    h.run();
    h.get_by_label_contains("line 3: the front");
    h.get_by_label_contains("Nothing is imported while any row has an error");
    assert!(h.query_by_label("tab").is_some());
    // Fix the file and read it again: now it imports.
    std::fs::write(
        &file,
        "front\tback\ttopic\nWhat is a B-tree?\tA balanced search tree\tIndexing\n",
    )
    .unwrap();
    h.get_by_label("Preview").click();
    h.run();
    h.get_by_label("Import 1 cards").click();
    h.run();
    h.get_by_label_contains("1 added, 0 updated, 0 unchanged; new decks: new-cards");
    let deck = h
        .state()
        .collection()
        .decks()
        .iter()
        .find(|d| d.name == "new-cards")
        .cloned()
        .unwrap();
    assert_eq!(deck.cards[0].topic, "Indexing");
}

#[test]
fn a_deck_changed_on_disk_during_an_edit_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 2))]);
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();
    h.get_by_label("Browse").click();
    h.run();
    h.get_by_label("Question a 1?").click();
    h.run();
    h.get_by_label("Selection actions").click();
    h.run();
    h.get_by_label("Edit").click();
    h.run();
    h.get_by_label("Back").click();
    h.run();
    h.get_by_label("Back").type_text(" (edited in the app)");
    h.run();
    // Meanwhile the other card is changed in a text editor.
    let path = dir.path().join("decks/alpha.ron");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Question a 2?", "Changed on disk?");
    std::fs::write(&path, text).unwrap();
    h.state_mut()
        .files_changed(std::slice::from_ref(&path), Timestamp::now());
    h.run();
    h.get_by_label_contains("changed on disk while you were editing");
    h.get_by_label("Keep my edit").click();
    h.run();
    h.get_by_label("Save").click();
    h.run();
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(
        saved.contains("Changed on disk?"),
        "the disk edit survived:\n{saved}"
    );
    assert!(
        saved.contains("(edited in the app)"),
        "the app edit survived:\n{saved}"
    );
}

#[test]
fn a_deck_edited_on_two_machines_shows_both_versions_to_choose_from() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 2))]);
    let theirs = deck_text("Alpha", "a", 3).replace("Question a 2?", "Other wording?");
    std::fs::write(
        dir.path().join("decks/alpha.sync-conflict-20261122-1.ron"),
        theirs,
    )
    .unwrap();
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();
    h.get_by_label_contains("has a second version from another machine");
    h.get_by_label("Compare and choose").click();
    h.run();
    h.get_by_label("Only on the other machine (1)");
    h.get_by_label("Changed on both (1)");
    h.get_by_label("Keep the other version").click();
    h.run();
    let c = h.state().collection();
    assert_eq!(
        c.card_of(&"a-2".parse().unwrap()).unwrap().front,
        "Other wording?"
    );
    assert!(h.query_by_label_contains("has a second version").is_none());
}

/// The import screen has its own way back to the decks.
#[test]
fn import_screen_links_back_to_the_decks() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 1))]);
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();
    h.get_by_label("Import…").click();
    h.run();
    h.get_by_label_contains("Import cards");
    h.get_by_label("← Decks").click();
    h.run();
    assert!(h.query_by_label_contains("Import cards").is_none());
    h.get_by_label("Import…");
}
