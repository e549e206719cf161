//! Custom study: more new cards or reviews than today's limits, forgotten
//! cards, reviews ahead; answers are real reviews.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use common::*;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use jiff::Timestamp;
use rehearse::ui::RehearseApp;
use rehearse_core::schedule::{Phase, Rating};
use rehearse_core::study::{Scope, Session, forgotten, review_ahead};
use rehearse_core::{ItemId, Settings};

fn item(s: &str) -> ItemId {
    s.parse().unwrap()
}

#[test]
fn more_new_cards_than_the_daily_limit() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 30))]);
    let mut c = open(dir.path(), t0());
    c.save_settings(Settings {
        new_per_day: 5,
        ..Settings::default()
    })
    .unwrap();
    assert_eq!(Session::new(&c, Scope::All, t0()).remaining(&c).new, 5);
    let extended = Scope::Extended {
        decks: Some(vec!["a".into()]),
        extra_new: 7,
        extra_reviews: 0,
    };
    let mut s = Session::new(&c, extended, t0());
    assert_eq!(s.remaining(&c).new, 12);
    // They are real reviews.
    let id = s.current(&c, t0()).unwrap();
    s.answer(&mut c, Rating::Good, t0(), 1000).unwrap();
    assert_eq!(c.state(&id).reps, 1);
}

#[test]
fn forgotten_cards_and_reviews_ahead() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 4))]);
    let mut c = open(dir.path(), t0());
    for id in ["a-1", "a-2", "a-3"] {
        c.answer(&item(id), Rating::Easy, t0(), 1000).unwrap();
    }
    // a-1 is forgotten later; a-2 and a-3 are reviews due in about a week.
    let due = c.state(&item("a-1")).due.unwrap();
    c.answer(&item("a-1"), Rating::Again, due, 1000).unwrap();
    let now = due;
    let history = c.history_loader().unwrap().load().unwrap();
    assert_eq!(forgotten(&c, &history, None, 1, now), [item("a-1")]);
    assert!(forgotten(&c, &history, Some(&["other".into()]), 1, now).is_empty());
    // Nothing is due today; looking 30 days ahead finds the two reviews.
    let ahead = review_ahead(&c, None, 30, t0());
    assert_eq!(ahead.len(), 2, "{ahead:?}");
    assert!(review_ahead(&c, None, 1, t0()).is_empty());
    // Answered early, a review uses the real time since its last review.
    let before = c.state(&ahead[0]).clone();
    assert_eq!(before.phase, Phase::Review);
    let mut s = Session::new(&c, Scope::Fixed(ahead.clone()), days(1));
    s.current(&c, days(1)).unwrap();
    s.answer(&mut c, Rating::Good, days(1), 1000).unwrap();
    let after = c.state(&ahead[0]);
    assert!(after.reps > before.reps);
    assert!(after.last_review.unwrap() >= days(1));
}

#[test]
fn custom_study_from_a_decks_menu() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 30))]);
    let mut c = open(dir.path(), Timestamp::now());
    c.save_settings(Settings {
        new_per_day: 5,
        ..Settings::default()
    })
    .unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 720.0))
        .build_ui_state(
            |ui, app: &mut RehearseApp| app.show(ui),
            RehearseApp::new(c),
        );
    h.run();
    h.get_by_label("More for A").click();
    h.run();
    h.get_by_label("Custom study…").click();
    h.run();
    h.get_by_label("Custom study: A");
    h.get_by_label("More new cards today").click();
    h.run();
    h.get_by_label_contains("15 cards to study today");
    h.get_by_label("Study 15 cards").click();
    h.run();
    let (current, _) = h.state().study_state().expect("studying");
    assert!(current.is_some());
    h.get_by_label("Custom study: A");
}

#[test]
fn custom_study_of_one_topic() {
    let dir = tempfile::tempdir().unwrap();
    // deck_text gives topics T0, T1 and T2 in turn.
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 9))]);
    let c = open(dir.path(), Timestamp::now());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 720.0))
        .build_ui_state(
            |ui, app: &mut RehearseApp| app.show(ui),
            RehearseApp::new(c),
        );
    h.run();
    h.get_by_label("More for A").click();
    h.run();
    h.get_by_label("Custom study…").click();
    h.run();
    h.get_by_label("One topic, due or not, weakest first")
        .click();
    h.run();
    h.get_by_label("Topic").click();
    h.run();
    h.get_by_label("T1").click();
    h.run();
    h.get_by_label_contains("3 cards of \"T1\"");
    h.get_by_label("Study 3 cards").click();
    h.run();
    let (current, _) = h.state().study_state().expect("studying");
    let card = h
        .state()
        .collection()
        .card_of(&current.unwrap())
        .unwrap()
        .topic
        .clone();
    assert_eq!(card, "T1");
}
