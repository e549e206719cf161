//! Burying siblings: the sides of one card (its reverse, its other cloze
//! numbers) do not come up the same day, as Anki's "bury new/review
//! siblings" (on by default); they come back the next day.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use common::*;
use rehearse_core::schedule::Rating;
use rehearse_core::{ItemId, Scope, Session, Settings};

const DECK: &str = r#"(name: "D", cards: [
    (id: "rev", kind: Reversed, topic: "t", front: "mutex", back: "mutual exclusion"),
    (id: "cz", kind: Cloze, topic: "t", front: "{{c1::Raft}} elects a {{c2::leader}} per {{c3::term}}"),
])"#;

/// Everything the session shows at `now`, answering each Good, until it has
/// nothing left for now.
fn study_all(
    c: &mut rehearse_core::Collection,
    s: &mut Session,
    now: jiff::Timestamp,
) -> Vec<ItemId> {
    let mut shown = Vec::new();
    while let Some(id) = s.current(c, now) {
        shown.push(id.clone());
        s.answer(c, Rating::Easy, now, 1000).unwrap();
        assert!(shown.len() < 50, "the queue does not end: {shown:?}");
    }
    shown
}

#[test]
fn one_side_of_each_card_a_day_the_others_the_next_day() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("d.ron", DECK.to_string())]);
    let mut c = open(dir.path(), t0());
    let counts = c.total_counts(t0());
    assert_eq!(counts.new, 2, "one new side per card: {counts:?}");
    let mut s = Session::new(&c, Scope::All, t0());
    let day1 = study_all(&mut c, &mut s, t0());
    let cards: Vec<&str> = day1.iter().map(|i| i.card.as_str()).collect();
    assert_eq!(cards, ["rev", "cz"], "one side each on day one: {day1:?}");
    // Rebuilding the same day (a new session) still buries them.
    let mut again = Session::new(&c, Scope::All, mins(5));
    assert_eq!(again.current(&c, mins(5)), None);
    assert_eq!(c.total_counts(mins(5)).new, 0);

    let mut s = Session::new(&c, Scope::All, days(1));
    let day2 = study_all(&mut c, &mut s, days(1));
    let day2: Vec<String> = day2.iter().map(ToString::to_string).collect();
    assert_eq!(day2, ["rev:rev", "cz:c2"], "the next sides the next day");
}

#[test]
fn burying_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("d.ron", DECK.to_string())]);
    let mut c = open(dir.path(), t0());
    c.save_settings(Settings {
        bury_new_siblings: false,
        bury_review_siblings: false,
        ..Settings::default()
    })
    .unwrap();
    assert_eq!(c.total_counts(t0()).new, 5);
    let mut s = Session::new(&c, Scope::All, t0());
    assert_eq!(study_all(&mut c, &mut s, t0()).len(), 5);
}

#[test]
fn review_siblings_due_the_same_day_come_one_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("d.ron", DECK.to_string())]);
    let mut c = open(dir.path(), t0());
    c.save_settings(Settings {
        bury_new_siblings: false,
        ..Settings::default()
    })
    .unwrap();
    // Learn both sides of the reversed card the same day: due together later.
    for id in ["rev", "rev:rev"] {
        let id: ItemId = id.parse().unwrap();
        c.answer(&id, Rating::Easy, t0(), 1000).unwrap();
    }
    let due = ["rev", "rev:rev"]
        .iter()
        .map(|i| c.state(&i.parse().unwrap()).due.unwrap())
        .max()
        .unwrap();
    let later = due
        .checked_add(jiff::SignedDuration::from_hours(1))
        .unwrap();
    let mut s = Session::new(&c, Scope::Deck("d".into()), later);
    let shown = study_all(&mut c, &mut s, later);
    let sides = shown.iter().filter(|i| i.card.as_str() == "rev").count();
    assert_eq!(
        sides, 1,
        "one side of the reversed card that day: {shown:?}"
    );
}

/// `-` buries the card until tomorrow and `@` suspends it, from the study
/// screen; both are in the journal (so they sync) and undone by `u`.
#[test]
fn bury_and_suspend_from_study_are_journalled_and_undoable() {
    use egui::Key;
    use egui_kittest::Harness;
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 3))]);
    let now = jiff::Timestamp::now();
    let app = rehearse::ui::RehearseApp::new(open(dir.path(), now));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 720.0))
        .build_ui_state(|ui, app: &mut rehearse::ui::RehearseApp| app.show(ui), app);
    h.run();
    h.key_press(Key::Enter);
    h.run();
    let (first, _) = h.state().study_state().unwrap();
    let first = first.unwrap();
    h.key_press(Key::Minus);
    h.run();
    let (second, _) = h.state().study_state().unwrap();
    let second = second.unwrap();
    assert_ne!(first, second, "the buried card left the session");
    let c = h.state().collection();
    let today = c.scheduler().clock().day_of(now);
    assert_eq!(c.state(&first).buried_day, Some(today));
    assert_eq!(c.total_counts(now).new, 2);
    h.event(egui::Event::Text("@".into()));
    h.run();
    assert!(h.state().collection().state(&second).suspended);
    // Both in the journal: a fresh open (another machine) sees them.
    let journal = std::fs::read_to_string(dir.path().join("journal/test.ron")).unwrap();
    assert!(
        journal.contains("Bury(") && journal.contains("Suspend("),
        "{journal}"
    );
    // U takes back the suspension, then the bury.
    h.key_press(Key::U);
    h.run();
    assert!(!h.state().collection().state(&second).suspended);
    assert_eq!(h.state().study_state().unwrap().0, Some(second));
    h.key_press(Key::U);
    h.run();
    assert_eq!(h.state().collection().state(&first).buried_day, None);
    assert_eq!(h.state().study_state().unwrap().0, Some(first.clone()));
    // A buried card is back the next day.
    drop(h);
    let c = open(dir.path(), now);
    let mut c2 = c;
    c2.bury_items(std::slice::from_ref(&first), now).unwrap();
    let tomorrow = c2.tomorrow_start(now);
    assert_eq!(c2.total_counts(now).new, 2);
    assert_eq!(c2.total_counts(tomorrow).new, 3);
}

/// Interday learning siblings are buried only when asked (off by default).
#[test]
fn interday_learning_siblings_are_buried_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("d.ron", DECK.to_string())]);
    let mut c = open(dir.path(), t0());
    let steps = Settings {
        learning_steps: vec!["1d".parse().unwrap(), "3d".parse().unwrap()],
        bury_new_siblings: false,
        ..Settings::default()
    };
    c.save_settings(steps.clone()).unwrap();
    // Again puts each side on the first step: due again in a day.
    for id in ["rev", "rev:rev"] {
        c.answer(&id.parse().unwrap(), Rating::Again, t0(), 1000)
            .unwrap();
    }
    let count = |c: &mut rehearse_core::Collection| {
        let mut s = Session::new(c, Scope::Deck("d".into()), days(1));
        let shown = study_all(c, &mut s, days(1));
        shown.iter().filter(|i| i.card.as_str() == "rev").count()
    };
    let other = tempfile::tempdir().unwrap();
    write_decks(other.path(), &[("d.ron", DECK.to_string())]);
    std::fs::create_dir_all(other.path().join("journal")).unwrap();
    std::fs::copy(
        dir.path().join("journal/test.ron"),
        other.path().join("journal/test.ron"),
    )
    .unwrap();
    assert_eq!(count(&mut c), 2, "off by default: both sides come");
    let mut c2 = open(other.path(), t0());
    c2.save_settings(Settings {
        bury_interday_learning_siblings: true,
        ..steps
    })
    .unwrap();
    assert_eq!(count(&mut c2), 1, "on: one side a day");
}
