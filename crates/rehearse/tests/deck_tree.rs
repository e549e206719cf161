//! Deck trees: `::` in deck names (Anki's convention) nests decks on Home,
//! with counts rolled up under the parent's limits, folding kept in settings,
//! and studying a parent studying its subtree.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use common::*;
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use jiff::Timestamp;
use rehearse::ui::RehearseApp;
use rehearse_core::deck_tree::deck_tree;
use rehearse_core::{Scope, Session};

fn decks(root: &std::path::Path) {
    write_decks(
        root,
        &[
            ("alpha.ron", deck_text("Alpha", "a", 2)),
            ("bench-0.ron", deck_text("Bench::Deck 0", "b0", 15)),
            ("bench-1.ron", deck_text("Bench::Deck 1", "b1", 15)),
            ("bench-1-x.ron", deck_text("Bench::Deck 1::Extra", "bx", 1)),
        ],
    );
}

#[test]
fn names_nest_and_a_parent_counts_its_subtree_under_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    decks(dir.path());
    let c = open(dir.path(), t0());
    let counts = c.deck_counts(t0());
    let rows = deck_tree(&c, &counts, &c.done_today(t0()), &[]);
    let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["Alpha", "Bench", "Deck 0", "Deck 1", "Extra"]);
    let depths: Vec<usize> = rows.iter().map(|r| r.depth).collect();
    assert_eq!(depths, [0, 0, 1, 1, 2]);
    // "Bench" has no deck file of its own; it holds the others.
    assert!(rows[1].deck.is_none() && rows[1].has_children);
    assert_eq!(rows[1].subtree.len(), 3);
    assert_eq!(rows[1].cards, 31);
    // 15 + 15 + 1 new cards, but the parent's limit of 20 caps them together.
    assert_eq!(rows[2].counts.new, 15);
    assert_eq!(rows[1].counts.new, 20);
    assert_eq!(rows[3].counts.new, 16, "Deck 1 and Extra, under 20");
    // Folding Bench hides what is under it.
    let folded = deck_tree(&c, &counts, &c.done_today(t0()), &["Bench".to_string()]);
    let labels: Vec<&str> = folded.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["Alpha", "Bench"]);
    // Studying the parent studies its subtree, under the parent's limit.
    let slugs = rows[1]
        .subtree
        .iter()
        .map(|&i| c.decks()[i].slug.clone())
        .collect();
    let s = Session::new(&c, Scope::Decks(slugs), t0());
    assert_eq!(s.remaining(&c).new, 20);
}

#[test]
fn home_shows_the_tree_folds_it_and_studies_a_parent() {
    let dir = tempfile::tempdir().unwrap();
    decks(dir.path());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 720.0))
        .build_ui_state(
            |ui, app: &mut RehearseApp| app.show(ui),
            RehearseApp::new(open(dir.path(), Timestamp::now())),
        );
    h.run();
    h.get_by_label("Deck 0");
    h.get_by_label("Fold Bench").click();
    h.run();
    assert!(h.query_by_label("Deck 0").is_none());
    assert_eq!(
        h.state().collection().settings().display.collapsed_decks,
        ["Bench"]
    );
    h.get_by_label("Unfold Bench").click();
    h.run();
    h.get_by_label("Deck 0");
    // Keyboard: down to Bench, Enter studies its subtree.
    h.key_press(Key::ArrowDown);
    h.key_press(Key::ArrowDown);
    h.run();
    h.key_press(Key::Enter);
    h.run();
    let (current, _) = h.state().study_state().expect("studying");
    assert!(current.unwrap().card.as_str().starts_with('b'));
    h.get_by_label("Bench");
}

/// Limits apply at every level, as in Anki: studying a child counts against
/// its parent, so a sibling then has only what the parent has left.
#[test]
fn a_childs_limit_and_every_ancestors_apply() {
    let dir = tempfile::tempdir().unwrap();
    decks(dir.path());
    let mut c = open(dir.path(), t0());
    // Learn 15 new cards of Deck 0 (the daily limit is 20 per deck and parent).
    let mut s = Session::new(&c, Scope::Deck("bench-0".into()), t0());
    for _ in 0..15 {
        s.current(&c, t0()).unwrap();
        s.answer(&mut c, rehearse_core::schedule::Rating::Easy, t0(), 1000)
            .unwrap();
    }
    // Deck 1 alone would allow 20 (16 cards), but Bench has 5 left.
    let s = Session::new(&c, Scope::Deck("bench-1".into()), t0());
    assert_eq!(s.remaining(&c).new, 5);
    let counts = c.deck_counts(t0());
    let rows = deck_tree(&c, &counts, &c.done_today(t0()), &[]);
    let row = |label: &str| rows.iter().find(|r| r.label == label).unwrap().counts.new;
    assert_eq!(row("Bench"), 5);
    assert_eq!(row("Deck 1"), 5);
    assert_eq!(
        row("Extra"),
        1,
        "its own 1 card, within every level's limit"
    );
    // A deck outside the tree is not limited by it.
    let s = Session::new(&c, Scope::Deck("alpha".into()), t0());
    assert_eq!(s.remaining(&c).new, 2);
}
