//! Weak topics and Interview readiness in the window, driven headlessly with
//! egui_kittest: a topic opens the browser weakest first (issue 9, bug 8);
//! readiness is its own view that counts never-studied cards as not known and
//! raises retention with a notice saying what changed (bug 9).

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use common::*;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use jiff::{SignedDuration, Timestamp};
use rehearse::ui::RehearseApp;
use rehearse_core::schedule::Rating;
use rehearse_core::search::SortColumn;
use rehearse_core::{Collection, ItemId};

fn item(s: &str) -> ItemId {
    s.parse().unwrap()
}

fn harness(app: RehearseApp) -> Harness<'static, RehearseApp> {
    Harness::builder()
        .with_size(egui::vec2(1000.0, 720.0))
        .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app)
}

/// Steps until the weak-topics table has its review history, then settles.
fn settle_weak(h: &mut Harness<'static, RehearseApp>) {
    for _ in 0..500 {
        h.run_steps(1);
        if h.query_by_label_contains("Recall now is the memory model")
            .is_some()
            && h.query_by_label_contains("reading the review history")
                .is_none()
            // The table is worked out on a worker once it has.
            && h.query_by_label_contains("computing…").is_none()
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run();
}

/// `n` cards over three topics (T0, T1, T2), the first `studied` of them
/// learnt yesterday.
fn collection(root: &std::path::Path, n: usize, studied: usize) -> Collection {
    write_decks(root, &[("alpha.ron", deck_text("Alpha", "a", n))]);
    let now = Timestamp::now();
    let yesterday = now - SignedDuration::from_hours(24);
    let mut c = open(root, yesterday);
    for i in 1..=studied {
        let id = item(&format!("a-{i}"));
        c.answer(&id, Rating::Good, yesterday, 1000).unwrap();
        let due = c.state(&id).due.unwrap();
        c.answer(&id, Rating::Good, due, 1000).unwrap();
    }
    drop(c);
    open(root, now)
}

/// The study day's date `d` days from now, as the app reckons it.
fn date_in(c: &Collection, d: u32) -> String {
    let clock = c.scheduler().clock();
    let today = clock.day_of(Timestamp::now());
    clock.date_of_day(today + d as i32).to_string()
}

#[test]
fn a_weak_topic_opens_the_browser_weakest_first() {
    let dir = tempfile::tempdir().unwrap();
    let c = collection(dir.path(), 9, 6);
    let mut h = harness(RehearseApp::new(c));
    h.run();
    h.get_by_label("Weak topics").click();
    settle_weak(&mut h);
    h.get_by_label("T1").click();
    h.run();
    assert_eq!(
        h.state().browse_state(),
        Some((
            "topic:\"T1\"".to_string(),
            SortColumn::Retrievability,
            false
        )),
        "the topic's cards, lowest predicted recall first"
    );
}

#[test]
fn weak_topics_links_to_readiness_and_readiness_has_its_own_tab() {
    let dir = tempfile::tempdir().unwrap();
    let c = collection(dir.path(), 9, 6);
    let mut h = harness(RehearseApp::new(c));
    h.run();
    h.get_by_label("Weak topics").click();
    settle_weak(&mut h);
    assert!(
        h.query_by_label_contains("When is the interview?")
            .is_none(),
        "the interview is no longer part of Weak topics"
    );
    h.get_by_label("Interview readiness →").click();
    h.run();
    h.get_by_label_contains("When is the interview?");
    h.get_by_label("Decks").click();
    h.run();
    h.get_by_label("Readiness").click();
    h.run();
    h.get_by_label_contains("When is the interview?");
}

#[test]
fn readiness_counts_never_studied_cards_as_not_known() {
    let dir = tempfile::tempdir().unwrap();
    // 300 cards, 3 studied: at 20 new cards a day, two days see at most 43.
    let c = collection(dir.path(), 300, 3);
    let date = date_in(&c, 2);
    let mut h = harness(RehearseApp::new(c));
    h.run();
    h.get_by_label("Readiness").click();
    h.run();
    // A date that is not one says so.
    h.get_by_label("Date").click();
    h.run();
    h.get_by_label("Date").type_text("2026-13-40");
    h.run();
    h.get_by_label_contains("`2026-13-40` is not a date");
    h.get_by_label("Date").click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_by_label("Date").type_text(&date);
    h.run();
    assert!(h.query_by_label_contains("is not a date").is_none());
    h.get_by_label("Forecast readiness").click();
    h.run();

    h.get_by_label_contains("297 of 300 cards have never been studied; they count as not known.");
    h.get_by_label_contains("At 20 new cards a day you will have seen");
    let figure = |h: &Harness<'static, RehearseApp>, caption: &str| -> f32 {
        let label = h
            .get_by_label_contains(&format!("{caption}: "))
            .accesskit_node()
            .value()
            .unwrap_or_default();
        let pct = label
            .rsplit(": ")
            .next()
            .and_then(|p| p.strip_suffix('%'))
            .unwrap_or_else(|| panic!("no percentage in {label:?}"));
        pct.parse().unwrap()
    };
    let keep = figure(&h, "Recall on the day, keeping up");
    let stop = figure(&h, "If you stop now");
    let seen = figure(&h, "Seen by then");
    assert!(keep <= 15.0, "recall keeping up is {keep}%");
    assert!(stop <= 1.0, "recall stopping now is {stop}%");
    assert!(seen <= 15.0, "seen by then {seen}%");
    // The interview was remembered.
    assert_eq!(
        h.state()
            .collection()
            .settings()
            .interview
            .as_ref()
            .map(|i| i.date.to_string()),
        Some(date)
    );
}

#[test]
fn raise_to_095_changes_the_settings_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let c = collection(dir.path(), 30, 12);
    let date = date_in(&c, 20);
    let mut h = harness(RehearseApp::new(c));
    h.run();
    h.get_by_label("Readiness").click();
    h.run();
    h.get_by_label("Date").click();
    h.run();
    h.get_by_label("Date").type_text(&date);
    h.run();
    h.get_by_label("Forecast readiness").click();
    h.run();
    assert_eq!(h.state().collection().settings().desired_retention, 0.9);
    let raise = h.get_by_label_contains("Raise to 0.95 until");
    raise.scroll_to_me();
    h.run();
    h.get_by_label_contains("Raise to 0.95 until").click();
    h.run();
    let settings = h.state().collection().settings().clone();
    assert_eq!(settings.desired_retention, 0.95);
    assert_eq!(
        settings
            .interview
            .as_ref()
            .and_then(|i| i.restore_retention),
        Some(0.9)
    );
    let notices = RehearseApp::notices(&h.ctx);
    assert!(
        notices.iter().any(|(error, text)| !error
            && text.starts_with(
                "Desired retention raised from 0.90 to 0.95 until your interview on "
            )
            && text.ends_with("; it returns to 0.90 after.")),
        "{notices:?}"
    );
    // The view now says why retention is 0.95 and offers to put it back.
    h.get_by_label_contains("Desired retention is 0.95 until your interview on");
    h.get_by_label("Return to 0.90 now").click();
    h.run();
    assert_eq!(h.state().collection().settings().desired_retention, 0.9);
}

/// The study plan: the new cards a day that see every card a few days before
/// the interview, on fixed inputs; applied with one click.
#[test]
fn a_study_plan_to_the_date_is_computed_and_applied() {
    use rehearse_core::insight::forecast::{apply_plan, study_plan};
    let dir = tempfile::tempdir().unwrap();
    // 100 never-studied cards, the interview in 10 days: seen by 2 days
    // before (a fifth of the time), so 100 cards over 8 days, 13 a day.
    let mut c = collection(dir.path(), 100, 0);
    let clock = c.scheduler().clock().clone();
    let date = clock.date_of_day(clock.day_of(Timestamp::now()) + 10);
    let plan = study_plan(&c, None, date, Timestamp::now()).unwrap();
    assert_eq!(plan.margin_days, 2);
    assert_eq!(plan.new_per_day, 13);
    assert!(plan.feasible);
    assert_eq!(plan.forecast.seen_by_then(), 100);
    assert_eq!(plan.forecast.daily_new.iter().sum::<u32>(), 100);
    assert!(plan.forecast.daily_new.iter().all(|n| *n <= 13));
    apply_plan(&mut c, &plan).unwrap();
    assert_eq!(c.settings().new_per_day, 13);

    // 2,000 cards in 5 days is no sane pace: it says what to put first.
    let big = tempfile::tempdir().unwrap();
    let c = collection(big.path(), 2000, 0);
    let date = clock.date_of_day(clock.day_of(Timestamp::now()) + 5);
    let plan = study_plan(&c, None, date, Timestamp::now()).unwrap();
    assert_eq!(plan.new_per_day, 500);
    assert!(!plan.feasible);
    assert!(!plan.prioritise.is_empty());
}

#[test]
fn the_readiness_view_offers_the_plan_and_applies_it() {
    let dir = tempfile::tempdir().unwrap();
    let c = collection(dir.path(), 100, 0);
    let date = date_in(&c, 10);
    let mut h = harness(RehearseApp::new(c));
    h.run();
    h.get_by_label("Readiness").click();
    h.run();
    h.get_by_label("Date").click();
    h.run();
    h.get_by_label("Date").type_text(&date);
    h.run();
    h.get_by_label("Forecast readiness").click();
    h.run();
    h.get_by_label("A plan to the date");
    h.get_by_label_contains("learn 13 new cards a day (now 20)");
    h.get_by_label("Use 13 new cards a day").scroll_to_me();
    h.run();
    h.get_by_label("Use 13 new cards a day").click();
    h.run();
    assert_eq!(h.state().collection().settings().new_per_day, 13);
    h.get_by_label_contains("New cards per day: 13 (was 20).");
}

/// A deck of `topics` topics with long names, two cards each, none studied.
fn many_topics(root: &std::path::Path, topics: usize) -> Collection {
    let mut deck = String::from("(name: \"Many\", cards: [\n");
    for t in 0..topics {
        for i in 0..2 {
            deck.push_str(&format!(
                "(id: \"m-{t}-{i}\", topic: \"System design: platform and infrastructure {t:02}\", front: \"Q{t} {i}\", back: \"A\"),\n"
            ));
        }
    }
    deck.push_str("])\n");
    write_decks(root, &[("many.ron", deck)]);
    open(root, Timestamp::now())
}

#[test]
fn forecast_readiness_stays_in_view_with_many_topics() {
    let dir = tempfile::tempdir().unwrap();
    let c = many_topics(dir.path(), 54);
    let mut h = harness(RehearseApp::new(c));
    h.run();
    h.get_by_label("Readiness").click();
    h.run();
    let button = h.get_by_label("Forecast readiness").rect();
    assert!(
        button.bottom() <= 720.0,
        "the primary button is above the fold at 1000×720: {button:?}"
    );
    // The long list starts folded; its header says what it covers.
    h.get_by_label_contains("Topics it covers: all 54");
    assert!(
        h.query_by_label_contains("System design: platform and infrastructure 00")
            .is_none(),
        "the topic list is folded"
    );
}

#[test]
fn buttons_that_would_do_nothing_are_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let c = collection(dir.path(), 9, 6);
    let date = date_in(&c, 5);
    let mut h = harness(RehearseApp::new(c));
    h.run();
    h.get_by_label("Readiness").click();
    h.run();
    let disabled = |h: &Harness<'static, RehearseApp>, l: &str| {
        h.get_by_label(l).accesskit_node().is_disabled()
    };
    // No date yet: Forecast has nothing to forecast for.
    assert!(disabled(&h, "Forecast readiness"));
    // Every topic is ticked already.
    assert!(disabled(&h, "Select all"));
    assert!(!disabled(&h, "Select none"));
    h.get_by_label("Select none").click();
    h.run();
    assert!(!disabled(&h, "Select all"));
    assert!(disabled(&h, "Select none"));
    h.get_by_label("Select all").click();
    h.run();
    h.get_by_label("Date").click();
    h.run();
    h.get_by_label("Date").type_text(&date);
    h.run();
    assert!(!disabled(&h, "Forecast readiness"));
}

#[test]
fn long_topic_names_show_whole_where_there_is_room() {
    let dir = tempfile::tempdir().unwrap();
    let c = many_topics(dir.path(), 6);
    let date = date_in(&c, 5);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1920.0, 1080.0))
        .build_ui_state(
            |ui, app: &mut RehearseApp| app.show(ui),
            RehearseApp::new(c),
        );
    h.run();
    h.get_by_label("Readiness").click();
    h.run();
    // The checklist (short, so open) has every name whole.
    h.get_by_label("System design: platform and infrastructure 05 (2)");
    h.get_by_label("Date").click();
    h.run();
    h.get_by_label("Date").type_text(&date);
    h.run();
    h.get_by_label("Forecast readiness").click();
    h.run();
    // And so does the table by topic.
    h.get_by_label("System design: platform and infrastructure 05");
}
