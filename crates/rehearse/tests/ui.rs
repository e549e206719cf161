//! The window, driven headlessly with egui_kittest: open a deck, reveal with
//! Space, grade with 3, undo with Ctrl+Z, go home with Esc, asserting on the
//! core state after each step.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use common::*;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use jiff::Timestamp;
use rehearse::ui::RehearseApp;
use rehearse_core::schedule::{CardState, Phase, Rating};
use rehearse_core::{ItemId, Settings};

fn item(s: &str) -> ItemId {
    s.parse().unwrap()
}

/// Steps until the review history has loaded in the background (its spinner
/// keeps requesting frames), then settles.
fn settle(h: &mut Harness<'static, RehearseApp>) {
    for _ in 0..500 {
        h.run_steps(1);
        let shown = h
            .query_by_label_contains("Recall now is the memory model")
            .is_some();
        if shown
            && h.query_by_label_contains("reading the review history")
                .is_none()
            // The figures are worked out on a worker once it has.
            && h.query_by_label_contains("computing…").is_none()
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run();
}

fn harness(app: RehearseApp) -> Harness<'static, RehearseApp> {
    Harness::builder()
        .with_size(egui::vec2(1000.0, 720.0))
        .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app)
}

#[test]
fn study_reveal_grade_undo_and_go_home() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("alpha.ron", deck_text("Alpha", "a", 3)),
            ("beta.ron", deck_text("Beta", "b", 2)),
        ],
    );
    let app = RehearseApp::new(open(dir.path(), Timestamp::now()));
    let mut h = harness(app);
    h.run();
    // Home lists both decks with their new counts.
    h.get_by_label("Alpha");
    h.get_by_label("Beta");
    assert!(h.state().study_state().is_none());

    h.get_by_label("Study Alpha").click();
    h.run();
    assert_eq!(h.state().study_state(), Some((Some(item("a-1")), false)));
    h.get_by_label_contains("Question a 1?");
    assert!(
        h.query_by_label_contains("Answer 1").is_none(),
        "the answer is hidden"
    );

    h.key_press(Key::Space);
    h.run();
    assert_eq!(h.state().study_state(), Some((Some(item("a-1")), true)));
    h.get_by_label_contains("Answer 1");
    // Each button carries the interval the scheduler would give.
    let outcomes = h
        .state()
        .collection()
        .preview(&item("a-1"), Timestamp::now())
        .unwrap();
    for (rating, outcome) in Rating::ALL.iter().zip(&outcomes) {
        h.get_by_label(&format!("{} {}", rating.label(), outcome.interval.label()));
    }
    assert_eq!(outcomes[0].interval.label(), "<1m");
    assert_eq!(outcomes[2].interval.label(), "10m");

    h.key_press(Key::Num3);
    h.run();
    let state = h.state().collection().state(&item("a-1")).clone();
    assert_eq!(state.phase, Phase::Learning { step: 1 });
    assert_eq!(state.reps, 1);
    assert_eq!(h.state().study_state(), Some((Some(item("a-2")), false)));

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(
        h.state().collection().state(&item("a-1")),
        &CardState::new()
    );
    assert_eq!(h.state().study_state(), Some((Some(item("a-1")), false)));

    // Space on the revealed card means Good; u undoes too.
    h.key_press(Key::Space);
    h.run();
    h.key_press(Key::Space);
    h.run();
    assert_eq!(h.state().collection().state(&item("a-1")).reps, 1);
    h.key_press(Key::U);
    h.run();
    assert_eq!(h.state().collection().state(&item("a-1")).reps, 0);

    h.key_press(Key::Escape);
    h.run();
    assert!(h.state().study_state().is_none());
}

#[test]
fn buttons_work_with_the_mouse_and_the_summary_shows_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 2))]);
    let app = RehearseApp::new(open(dir.path(), Timestamp::now()));
    let mut h = harness(app);
    h.run();
    h.get_by_label("Study all").click();
    h.run();
    for _ in 0..2 {
        h.get_by_label("Show answer").click();
        h.run();
        h.get_by_label_contains("Easy ").click();
        h.run();
    }
    for id in ["a-1", "a-2"] {
        assert_eq!(h.state().collection().state(&item(id)).phase, Phase::Review);
    }
    h.get_by_label("Done for now");
    h.get_by_label_contains("The next card is due");
    h.get_by_label("Back to decks").click();
    h.run();
    assert!(h.state().study_state().is_none());
    h.get_by_label("Nothing due");
}

#[test]
fn a_broken_deck_is_shown_with_its_position_and_the_rest_still_works() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("alpha.ron", deck_text("Alpha", "a", 2)),
            (
                "broken.ron",
                "(name: \"Broken\", cards: [(front: 1)])".into(),
            ),
        ],
    );
    let app = RehearseApp::new(open(dir.path(), Timestamp::now()));
    let mut h = harness(app);
    h.run();
    h.get_by_label("Decks that could not be loaded");
    h.get_by_label_contains("broken.ron:1:");
    h.get_by_label("Study Alpha").click();
    h.run();
    assert!(h.state().study_state().is_some());
}

#[test]
fn settings_screen_saves_to_settings_ron() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 2))]);
    let app = RehearseApp::new(open(dir.path(), Timestamp::now()));
    let mut h = harness(app);
    h.run();
    h.get_by_label("Settings").click();
    h.run();
    // Nothing changed yet: nothing to save.
    assert!(h.get_by_label("Save").accesskit_node().is_disabled());
    h.get_by_label("Learning steps").click();
    h.run();
    h.get_by_label("Learning steps").type_text(" 1h");
    h.run();
    h.get_by_label("Unsaved changes");
    h.get_by_label("Save").click();
    h.run();
    h.get_by_label("Saved the settings.");
    let text = std::fs::read_to_string(dir.path().join("settings.ron")).unwrap();
    let saved = Settings::from_ron(&text).unwrap();
    assert_eq!(
        saved,
        Settings {
            learning_steps: vec![
                "1m".parse().unwrap(),
                "10m".parse().unwrap(),
                "1h".parse().unwrap()
            ],
            ..Settings::default()
        }
    );
}

#[test]
fn weak_topics_drill_and_the_table_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut deck = String::from("(name: \"D\", cards: [\n");
    for (prefix, topic) in [("w", "Weak"), ("s", "Strong")] {
        for i in 1..=3 {
            deck.push_str(&format!(
                "(id: \"{prefix}-{i}\", topic: \"{topic}\", front: \"{topic} question {i}?\", back: \"A\"),\n"
            ));
        }
    }
    deck.push_str("])");
    write_decks(dir.path(), &[("d.ron", deck)]);
    let mut c = open(dir.path(), t0());
    for i in 1..=3 {
        for (prefix, rating) in [("w", Rating::Again), ("s", Rating::Easy)] {
            let id = item(&format!("{prefix}-{i}"));
            c.answer(&id, Rating::Good, t0(), 1).unwrap();
            c.answer(&id, Rating::Good, mins(10), 1).unwrap();
            c.answer(&id, rating, days(3), 1).unwrap();
        }
    }
    let weak_recall = |c: &rehearse_core::Collection| {
        rehearse_core::insight::weak::weak_topics(c, None, Timestamp::now())
            .into_iter()
            .find(|r| r.name == "Weak")
            .and_then(|r| r.recall_now)
            .unwrap()
    };
    let before = weak_recall(&c);
    let mut h = harness(RehearseApp::new(c));
    h.run();
    h.get_by_label("Weak topics").click();
    settle(&mut h);
    h.get_by_label("Select Weak").click();
    h.run();
    h.get_by_label("Drill 1 selected").click();
    h.run();
    let (first, _) = h.state().study_state().unwrap();
    assert!(
        first.unwrap().card.as_str().starts_with("w-"),
        "the drill studies the Weak topic"
    );
    for _ in 0..2 {
        h.key_press(Key::Space);
        h.run();
        h.key_press(Key::Num3);
        h.run();
    }
    let answered = (1..=3)
        .filter(|i| h.state().collection().state(&item(&format!("w-{i}"))).reps == 4)
        .count();
    assert_eq!(answered, 2, "two drill answers were recorded as reviews");
    h.get_by_label("Weak topics").click();
    settle(&mut h);
    let after = weak_recall(h.state().collection());
    assert!(
        after > before,
        "recall of Weak went from {before} to {after}"
    );
    h.get_by_label(&format!("{:.0}%", after * 100.0));
}

#[test]
fn settings_import_a_review_log_and_optimise_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 2))]);
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();
    h.get_by_label("Settings").click();
    h.run();
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rehearse-core/tests/data/revlog-sample.csv"
    );
    h.get_by_label("File").scroll_to_me();
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("File").type_text(sample);
    h.run();
    h.get_by_label("Import").click();
    h.run();
    h.get_by_label_contains("Imported 12580 reviews of 1205 cards");
    h.get_by_label("Import").click();
    h.run();
    h.get_by_label_contains("imported before");

    h.get_by_label("Optimise").click();
    let mut finished = false;
    for _ in 0..2000 {
        h.run_steps(1);
        if h.query_by_label_contains("Fitted on").is_some() {
            finished = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(finished, "the fit did not finish");
    h.get_by_label_contains("and saved");
    let params = &h.state().collection().settings().fsrs_parameters;
    assert_eq!(params.len(), 21);
    h.get_by_label("0.4535");
    h.get_by_label("0.4444");
}

/// A card with an image on the web: until allowed it shows as its alt text
/// linking to the image, with a button that loads this card's images; the
/// setting "Load images from the web" (off by default) loads them always.
/// Links open in the browser; a `javascript:` link does not.
#[test]
fn remote_images_wait_for_permission_and_links_open_in_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    // `.invalid` never resolves: nothing leaves the machine.
    let deck = r#"(name: "Web", cards: [
        (id: "w", topic: "T", front: "Read [the book](https://doc.rust-lang.org/book/) or [this](javascript:alert(1)).\n\n![a diagram](https://example.invalid/d.png)", back: "A"),
    ])"#;
    write_decks(dir.path(), &[("web.ron", deck.to_string())]);
    let app = RehearseApp::new(open(dir.path(), Timestamp::now()));
    let mut h = harness(app);
    h.run();
    h.key_press(Key::Enter);
    h.run();
    h.get_by_label_contains("🖼 a diagram (remote image)");
    let button = "🖼 Load images for this card";
    h.get_by_label(button);

    // Links: the web one opens, the script one is refused.
    let opened = |h: &Harness<'static, RehearseApp>| -> Vec<String> {
        h.output()
            .platform_output
            .commands
            .iter()
            .filter_map(|c| match c {
                egui::OutputCommand::OpenUrl(o) => Some(o.url.clone()),
                _ => None,
            })
            .collect()
    };
    h.get_by_label("the book").click();
    h.step();
    assert_eq!(opened(&h), ["https://doc.rust-lang.org/book/"]);
    h.run();
    h.get_by_label("this").click();
    h.step();
    assert!(opened(&h).is_empty(), "{:?}", opened(&h));
    h.run();

    // Allowed for this card: the placeholder and the button go.
    h.get_by_label(button).click();
    h.run();
    assert!(
        h.query_by_label_contains("(remote image)").is_none(),
        "the image is loading, not a link"
    );
    assert!(h.query_by_label(button).is_none());
}

#[test]
fn load_images_from_the_web_is_a_setting_and_off_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let deck = r#"(name: "Web", cards: [
        (id: "w", topic: "T", front: "![a diagram](https://example.invalid/d.png)", back: "A"),
    ])"#;
    write_decks(dir.path(), &[("web.ron", deck.to_string())]);
    let app = RehearseApp::new(open(dir.path(), Timestamp::now()));
    let mut h = harness(app);
    h.run();
    assert!(!h.state().collection().settings().display.load_remote_images);
    h.get_by_label("Settings").click();
    h.run();
    h.get_by_label("Load images from the web").click();
    h.run();
    assert!(h.state().collection().settings().display.load_remote_images);
    let text = std::fs::read_to_string(dir.path().join("settings.ron")).unwrap();
    assert!(
        Settings::from_ron(&text)
            .unwrap()
            .display
            .load_remote_images,
        "{text}"
    );
    // Studying now shows no placeholder and no button.
    h.key_press(Key::Escape);
    h.run();
    h.key_press(Key::Enter);
    h.run();
    assert!(h.state().study_state().is_some());
    assert!(h.query_by_label_contains("(remote image)").is_none());
    assert!(
        h.query_by_label_contains("Load images for this card")
            .is_none()
    );
}
