//! Card info: each review replayed with the memory state it left, the curve,
//! the siblings; opened with `i` from study and the browser, closed back to
//! where it was opened.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use common::*;
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use jiff::Timestamp;
use rehearse::ui::RehearseApp;
use rehearse_core::ItemId;
use rehearse_core::insight::card_info::card_info;
use rehearse_core::schedule::Rating;

const DECK: &str = r#"(name: "D", cards: [
    (id: "rev", kind: Reversed, topic: "Locks", front: "mutex", back: "mutual exclusion"),
    (id: "b", topic: "Locks", front: "Deadlock?", back: "A cycle of waits"),
])"#;

#[test]
fn reviews_are_replayed_with_their_memory_states() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("d.ron", DECK.to_string())]);
    let mut c = open(dir.path(), t0());
    let id: ItemId = "rev".parse().unwrap();
    c.answer(&id, Rating::Good, t0(), 4000).unwrap();
    c.answer(&id, Rating::Good, mins(10), 3000).unwrap();
    c.answer(&id, Rating::Again, days(5), 9000).unwrap();
    let history = c.history_loader().unwrap().load().unwrap();
    let info = card_info(&c, &history, &id, days(6));
    assert_eq!(info.reviews.len(), 3);
    let ratings: Vec<Rating> = info.reviews.iter().map(|r| r.rating).collect();
    assert_eq!(ratings, [Rating::Good, Rating::Good, Rating::Again]);
    // The replay ends where the collection is.
    let last = info.reviews.last().unwrap();
    assert_eq!(last.stability, c.state(&id).memory.map(|m| m.stability));
    assert_eq!(
        info.reviews[0].recall_before, None,
        "new: nothing to recall"
    );
    let before_lapse = info.reviews[2].recall_before.unwrap();
    assert!(before_lapse > 0.0 && before_lapse < 1.0, "{before_lapse}");
    assert_eq!(info.state.lapses, 1);
    let siblings: Vec<String> = info.siblings.iter().map(|(i, _)| i.to_string()).collect();
    assert_eq!(siblings, ["rev:rev"]);
    // The curve starts at full recall and decays between reviews.
    assert!(info.curve.len() > 30);
    assert!((info.curve[0].1 - 1.0).abs() < 0.01);
    assert!(info.curve.last().unwrap().1 < info.curve[0].1);
}

#[test]
fn card_info_opens_with_i_and_closes_back_to_study_and_browse() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("d.ron", DECK.to_string())]);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 720.0))
        .build_ui_state(
            |ui, app: &mut RehearseApp| app.show(ui),
            RehearseApp::new(open(dir.path(), Timestamp::now())),
        );
    h.run();
    h.key_press(Key::Enter);
    h.run();
    h.key_press(Key::Space);
    h.run();
    h.key_press(Key::Num3);
    h.run();
    let (showing, _) = h.state().study_state().unwrap();
    h.key_press(Key::I);
    for _ in 0..200 {
        h.run_steps(1);
        if h.query_by_label_contains("Reviews (").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.get_by_label("Predicted recall over time");
    h.key_press(Key::Escape);
    h.run();
    let (back, _) = h.state().study_state().expect("back in the session");
    assert_eq!(back, showing);

    // From the browser: select the answered card, i, Esc: the search stays.
    h.key_press(Key::Escape);
    h.run();
    h.key_press(Key::B);
    h.run();
    h.get_by_label("Search").click();
    h.run();
    h.get_by_label("Search").type_text("mutex");
    h.key_press(Key::Enter);
    h.run();
    h.key_press(Key::I);
    for _ in 0..200 {
        h.run_steps(1);
        if h.query_by_label_contains("Reviews (1)").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.get_by_label("Reviews (1)");
    h.get_by_label("Good");
    h.key_press(Key::Escape);
    h.run();
    let (query, _, _) = h.state().browse_state().expect("back in the browser");
    assert_eq!(query, "mutex");
}
