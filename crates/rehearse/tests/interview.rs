//! Interview mode: rubric cards in the deck format and `check`, and answering
//! one by keyboard in the window (reveal, tick points with number keys,
//! accept the proposed grade), with the points recorded in the journal.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use common::*;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use jiff::Timestamp;
use rehearse::ui::RehearseApp;
use rehearse_core::deck::{CardKind, parse_deck, validate};
use rehearse_core::schedule::Rating;
use rehearse_core::store::Event;

const RUBRIC_DECK: &str = r#"(name: "Design", cards: [
    (
        id: "sd-shortener",
        kind: Rubric,
        topic: "System design",
        time_box: "10m",
        front: "Design a URL shortener for 100M new links a month.",
        points: [
            "estimates QPS and storage",
            "base62 ids or hashing with collision handling",
            "caches hot redirects",
            "analytics off the critical path",
        ],
    ),
])"#;

fn journal_events(root: &std::path::Path) -> Vec<Event> {
    let text = std::fs::read_to_string(root.join("journal/test.ron")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| ron::from_str(l).unwrap())
        .collect()
}

#[test]
fn rubric_cards_parse_and_check_their_points() {
    let deck = parse_deck(RUBRIC_DECK, std::path::Path::new("design.ron")).unwrap();
    let card = &deck.cards[0];
    assert_eq!(card.kind, CardKind::Rubric);
    assert_eq!(card.rubric.points.len(), 4);
    assert_eq!(card.rubric.time_box.map(|t| t.seconds()), Some(600));
    assert!(validate(&deck).iter().all(|p| !p.is_error));
    // The answer side lists the points.
    let (_, answer) = card.render(card.items()[0].variant);
    assert!(answer.contains("- caches hot redirects"), "{answer}");
    // A saved deck keeps them.
    let again = parse_deck(
        &rehearse_core::deck::to_ron(&deck).unwrap(),
        std::path::Path::new("design.ron"),
    )
    .unwrap();
    assert_eq!(again.cards[0].rubric, card.rubric);

    let one_point = RUBRIC_DECK.replace(
        r#""base62 ids or hashing with collision handling",
            "caches hot redirects",
            "analytics off the critical path","#,
        "",
    );
    let deck = parse_deck(&one_point, std::path::Path::new("d.ron")).unwrap();
    let problems = validate(&deck);
    assert!(
        problems
            .iter()
            .any(|p| p.is_error && p.message.contains("at least 2 key points")),
        "{problems:?}"
    );
    let long = RUBRIC_DECK.replace("caches hot redirects", &"x".repeat(130));
    let problems = validate(&parse_deck(&long, std::path::Path::new("d.ron")).unwrap());
    assert!(
        problems
            .iter()
            .any(|p| p.is_error && p.message.contains("key point 3 is 130 characters")),
        "{problems:?}"
    );
    let on_basic =
        r#"(name: "D", cards: [(id: "b", topic: "t", front: "Q", back: "A", points: ["a", "b"])])"#;
    let problems = validate(&parse_deck(on_basic, std::path::Path::new("d.ron")).unwrap());
    assert!(
        problems
            .iter()
            .any(|p| p.is_error && p.message.contains("belong to `kind: Rubric`")),
        "{problems:?}"
    );
    let bad_box = RUBRIC_DECK.replace("\"10m\"", "\"ten minutes\"");
    assert!(parse_deck(&bad_box, std::path::Path::new("d.ron")).is_err());
}

#[test]
fn a_rubric_is_answered_by_keyboard_and_its_points_are_journalled() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("design.ron", RUBRIC_DECK.to_string())]);
    let app = RehearseApp::new(open(dir.path(), Timestamp::now()));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 720.0))
        .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app);
    h.run();
    h.key_press(Key::Enter);
    h.run();
    h.get_by_label_contains("Design a URL shortener");
    h.get_by_label_contains("of 10:00");
    // Notes typed in the scratch pad go with the review.
    h.get_by_label("Scratch pad (optional, kept with the review)")
        .click();
    h.run();
    h.get_by_label("Scratch pad (optional, kept with the review)")
        .type_text("62^7 ids");
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    h.run();
    // Tick points 1, 2 and 4 with the number keys: 3 of 4 covered, Good.
    for key in [Key::Num1, Key::Num2, Key::Num4] {
        h.key_press(key);
        h.run();
    }
    h.get_by_label_contains("Covered 3 of 4 · proposed: Good");
    h.key_press(Key::Enter);
    h.run();
    let events = journal_events(dir.path());
    let (review_id, rating) = events
        .iter()
        .find_map(|e| match e {
            Event::Review { id, rating, .. } => Some((*id, *rating)),
            _ => None,
        })
        .expect("a review");
    assert_eq!(rating, Rating::Good);
    let points = events
        .iter()
        .find_map(|e| match e {
            Event::Points {
                review,
                covered,
                total,
                notes,
                ..
            } => Some((*review, covered.clone(), *total, notes.clone())),
            _ => None,
        })
        .expect("the points");
    assert_eq!(
        points,
        (review_id, vec![0, 1, 3], 4, "62^7 ids".to_string())
    );
    let item = "sd-shortener".parse().unwrap();
    assert_eq!(h.state().collection().state(&item).reps, 1);
}

#[test]
fn shift_and_a_number_overrides_the_proposed_grade() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("design.ron", RUBRIC_DECK.to_string())]);
    let app = RehearseApp::new(open(dir.path(), Timestamp::now()));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 720.0))
        .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app);
    h.run();
    h.key_press(Key::Enter);
    h.run();
    h.key_press(Key::Space);
    h.run();
    h.get_by_label_contains("Covered 0 of 4 · proposed: Again");
    h.key_press_modifiers(Modifiers::SHIFT, Key::Num2);
    h.run();
    let rating = journal_events(dir.path()).iter().find_map(|e| match e {
        Event::Review { rating, .. } => Some(*rating),
        _ => None,
    });
    assert_eq!(rating, Some(Rating::Hard));
}

/// A mock interview from set-up to report: the rubric prompt first, then
/// quick-fire cards from the weakest topic, then the report with what was
/// missed and a one-click drill.
#[test]
fn a_mock_interview_runs_from_set_up_to_report() {
    let dir = tempfile::tempdir().unwrap();
    let quick = r#"(name: "Basics", cards: [
        (id: "q-1", topic: "Caching", front: "Cache-aside?", back: "Read through the app"),
        (id: "q-2", topic: "Caching", front: "Write-through?", back: "Write both"),
        (id: "q-3", topic: "Caching", front: "TTL?", back: "Expiry"),
    ])"#;
    write_decks(
        dir.path(),
        &[
            ("design.ron", RUBRIC_DECK.to_string()),
            ("basics.ron", quick.to_string()),
        ],
    );
    let app = RehearseApp::new(open(dir.path(), Timestamp::now()));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 720.0))
        .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app);
    h.run();
    h.key_press(Key::M);
    h.run();
    h.get_by_label("30 min").click();
    h.run();
    h.get_by_label_contains("Design a URL shortener");
    h.get_by_label_contains("Then 3 quick-fire cards from Caching.");
    h.get_by_label("Start the interview").click();
    h.run();
    h.get_by_label_contains("Mock interview · System design · 30 min");
    h.get_by_label_contains("Design a URL shortener");
    h.key_press(Key::Space);
    h.run();
    h.key_press(Key::Num2);
    h.run();
    h.key_press(Key::Enter);
    h.run();
    for _ in 0..3 {
        h.key_press(Key::Space);
        h.run();
        h.key_press(Key::Num4);
        h.run();
    }
    h.get_by_label("Mock interview report");
    h.get_by_label_contains("Covered 1 of 4 points");
    h.get_by_label("• caches hot redirects");
    h.get_by_label_contains("Quick-fire: 3 cards");
    h.get_by_label("Drill these topics").click();
    h.run();
    let (current, _) = h.state().study_state().expect("a drill");
    assert!(current.is_some());
    // Every mock answer was a real review.
    let reviews = journal_events(dir.path())
        .iter()
        .filter(|e| matches!(e, Event::Review { .. }))
        .count();
    assert_eq!(reviews, 4);
    // ...and statistics count them as mock-interview answers.
    assert!(
        journal_events(dir.path())
            .iter()
            .any(|e| matches!(e, Event::Mock { minutes: 30, .. }))
    );
    let c = h.state().collection();
    let history = c.history_loader().unwrap().load().unwrap();
    let stats = rehearse_core::insight::stats::compute(
        c,
        Some(&history),
        &Default::default(),
        Timestamp::now(),
    );
    assert_eq!((stats.mock_answers, stats.mock_sessions), (4, 1));
}

#[test]
fn a_mock_plan_fits_prompts_in_two_thirds_and_fills_the_rest_with_quick_fire() {
    let dir = tempfile::tempdir().unwrap();
    let second = RUBRIC_DECK
        .replace("sd-shortener", "sd-limiter")
        .replace(
            "Design a URL shortener for 100M new links a month.",
            "Design a rate limiter.",
        )
        .replace("name: \"Design\"", "name: \"Design 2\"");
    let quick: String = (1..=60)
        .map(|i| format!("(id: \"q-{i}\", topic: \"Caching\", front: \"Q{i}?\", back: \"A\"),"))
        .collect();
    write_decks(
        dir.path(),
        &[
            ("design.ron", RUBRIC_DECK.to_string()),
            ("design2.ron", second),
            (
                "basics.ron",
                format!("(name: \"Basics\", cards: [{quick}])"),
            ),
        ],
    );
    let c = open(dir.path(), Timestamp::now());
    use rehearse_core::interview::{Focus, plan_mock};
    // 30 minutes: two thirds is 20, so both 10-minute prompts fit; the other
    // 10 minutes hold 13 quick-fire cards at 45 seconds each.
    let plan = plan_mock(&c, Focus::SystemDesign, 30, Timestamp::now());
    assert_eq!(plan.prompts.len(), 2);
    assert_eq!(plan.quick.len(), 13);
    assert_eq!(plan.topics, ["Caching"]);
    // Behavioural: no prompt fits, the whole half hour is quick-fire.
    let plan = plan_mock(&c, Focus::Behavioural, 30, Timestamp::now());
    assert!(plan.prompts.is_empty());
    assert_eq!(plan.quick.len(), 40);
    assert!(
        plan.items()
            .iter()
            .all(|i| i.card.as_str().starts_with("q-"))
    );
}

/// Weak topics lists the key points most often missed, leaving out undone
/// answers, and drills the prompts they belong to.
#[test]
fn missed_points_are_tracked_through_the_journal_and_drilled() {
    use rehearse_core::insight::weak::missed_points;
    use rehearse_core::interview::RubricMarks;
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("design.ron", RUBRIC_DECK.to_string())]);
    let mut c = open(dir.path(), t0());
    let id: rehearse_core::ItemId = "sd-shortener".parse().unwrap();
    let marks = |covered: Vec<u16>| RubricMarks {
        covered,
        total: 4,
        notes: String::new(),
    };
    c.answer_rubric(&id, Rating::Good, t0(), 60_000, marks(vec![0, 1, 3]))
        .unwrap();
    c.answer_rubric(&id, Rating::Hard, days(3), 60_000, marks(vec![0, 3]))
        .unwrap();
    // An answer taken back does not count.
    c.answer_rubric(&id, Rating::Again, days(4), 60_000, marks(vec![]))
        .unwrap();
    c.undo(days(4)).unwrap();
    let history = c.history_loader().unwrap().load().unwrap();
    assert_eq!(history.points.len(), 2);
    let missed = missed_points(&c, &history);
    let rows: Vec<(&str, usize, usize)> = missed
        .iter()
        .map(|m| (m.point.as_str(), m.missed, m.answered))
        .collect();
    assert_eq!(
        rows,
        [
            ("caches hot redirects", 2, 2),
            ("base62 ids or hashing with collision handling", 1, 2),
        ]
    );
    // Another machine's data folder, synced: its history has the same marks.
    drop(c);
    let other = tempfile::tempdir().unwrap();
    write_decks(other.path(), &[("design.ron", RUBRIC_DECK.to_string())]);
    std::fs::create_dir_all(other.path().join("journal")).unwrap();
    std::fs::copy(
        dir.path().join("journal/test.ron"),
        other.path().join("journal/laptop.ron"),
    )
    .unwrap();
    let desk = open_as(other.path(), "desk", days(5));
    let merged = desk.history_loader().unwrap().load().unwrap();
    assert_eq!(missed_points(&desk, &merged), missed);
    let app = RehearseApp::new(open(dir.path(), days(5)));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 720.0))
        .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app);
    h.run();
    h.key_press(Key::W);
    // The history loads in the background with a spinner: step, not settle.
    h.run_steps(2);
    h.get_by_label("Key points missed").click();
    for _ in 0..200 {
        h.run_steps(1);
        if h.query_by_label("caches hot redirects").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.get_by_label("caches hot redirects");
    h.get_by_label("2 of 2");
    h.get_by_label("Drill this prompt").click();
    h.run();
    let (current, _) = h.state().study_state().expect("drilling");
    assert_eq!(current, Some(id));
}

/// A prompt that needs more than the whole interview is not chosen.
#[test]
fn a_mock_never_plans_a_prompt_longer_than_itself() {
    let dir = tempfile::tempdir().unwrap();
    let long = RUBRIC_DECK.replace("\"10m\"", "\"45m\"");
    write_decks(dir.path(), &[("design.ron", long)]);
    let c = open(dir.path(), Timestamp::now());
    use rehearse_core::interview::{Focus, plan_mock};
    assert!(
        plan_mock(&c, Focus::SystemDesign, 30, Timestamp::now())
            .prompts
            .is_empty()
    );
    assert_eq!(
        plan_mock(&c, Focus::SystemDesign, 45, Timestamp::now())
            .prompts
            .len(),
        1
    );
}
