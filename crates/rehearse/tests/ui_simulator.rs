//! The What-if screen, driven headlessly with egui_kittest: opened from
//! Statistics, it simulates on a worker thread with a progress bar, shows
//! the load and memory-per-minute charts, offers the best retention, and its
//! Apply button saves the what-if to the settings (disabled until there is
//! something to apply). Cancel stops a long run; Esc goes back to Statistics
//! and the result is still there on return.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use jiff::{SignedDuration, Timestamp};
use rehearse::ui::RehearseApp;
use rehearse_core::ItemId;
use rehearse_core::collection::Collection;
use rehearse_core::schedule::Rating;

/// Forty cards, twenty of them studied over the last month.
fn collection(root: &std::path::Path) -> Collection {
    write_decks(
        root,
        &[
            ("alpha.ron", deck_text("Alpha", "a", 40)),
            ("beta.ron", deck_text("Lang::Beta", "b", 10)),
        ],
    );
    let start = Timestamp::now() - SignedDuration::from_hours(24 * 30);
    let mut c = open(root, start);
    for i in 1..=20 {
        let id: ItemId = format!("a-{i}").parse().unwrap();
        let mut t = start + SignedDuration::from_mins(i);
        for _ in 0..4 {
            let rating = if i % 5 == 0 {
                Rating::Hard
            } else {
                Rating::Good
            };
            let out = c.answer(&id, rating, t, 6_000).unwrap();
            let due = out.state.due.unwrap();
            if due > Timestamp::now() {
                break;
            }
            t = due;
        }
    }
    c
}

fn harness(app: RehearseApp) -> Harness<'static, RehearseApp> {
    Harness::builder()
        .with_size(egui::vec2(1100.0, 2000.0))
        .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app)
}

fn open_what_if(h: &mut Harness<'static, RehearseApp>) {
    h.get_by_label("Statistics").click();
    h.run_steps(3);
    // Statistics are worked out on a worker and the screen changes its
    // layout when they arrive: click once it has settled.
    wait_for(h, "Reviews in the last year", Duration::from_secs(60));
    h.get_by_label("What if…").click();
    h.run_steps(3);
    // On a busy machine the screen behind it may still be working: wait
    // for the simulator's own controls rather than a number of frames.
    wait_for(h, "Apply: retention", Duration::from_secs(60));
}

/// Steps until `label` shows (the worker is done), at most `limit`.
fn wait_for(h: &mut Harness<'static, RehearseApp>, label: &str, limit: Duration) {
    let start = Instant::now();
    while h.query_by_label_contains(label).is_none() {
        assert!(start.elapsed() < limit, "`{label}` never showed");
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(2);
}

/// Whether the one widget whose label starts with `label` is disabled.
fn is_disabled(h: &Harness<'static, RehearseApp>, label: &str) -> bool {
    let mut found = h.query_all_by_label_contains(label).filter(|n| {
        n.accesskit_node()
            .label()
            .is_some_and(|l| l.starts_with(label))
    });
    let node = found.next().expect("a widget");
    assert!(found.next().is_none(), "one widget labelled `{label}`");
    node.accesskit_node().is_disabled()
}

#[test]
fn simulate_then_apply_the_best_retention() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(RehearseApp::new(collection(dir.path())));
    h.run();
    open_what_if(&mut h);
    h.get_by_label("What if…");
    // Nothing to apply before a simulation.
    assert!(is_disabled(&h, "Apply: retention 0.90, 20 new/day"));
    h.get_by_label_contains("press Simulate");

    h.get_by_label("New cards per day")
        .set_value_accesskit(10.0);
    h.run_steps(2);
    h.get_by_label("Simulate").click();
    h.run_steps(2);
    // The progress bar, with Cancel, while the worker runs.
    assert!(
        h.query_by_label("Cancel").is_some()
            || h.query_by_label_contains("Memory per minute chart")
                .is_some()
    );
    wait_for(&mut h, "Memory per minute chart", Duration::from_secs(120));

    h.get_by_label_contains("Reviews a day chart");
    h.get_by_label("Current settings and what if");
    h.get_by_label_contains("All decks: 20 cards studied and 30 new");
    h.get_by_label_contains("Answer times and buttons are the FSRS defaults");
    h.get_by_label_contains("gives the most memory per minute");
    // The load chart switches to minutes.
    h.get_by_label("Minutes").click();
    h.run_steps(2);
    h.get_by_label_contains("Minutes of study a day chart");

    // Try the best retention: the Apply button names it and saves it.
    let try_label = h
        .query_all_by_role(egui::accesskit::Role::Button)
        .filter_map(|n| n.accesskit_node().label())
        .find(|l| l.starts_with("Try "))
        .expect("a Try button");
    let best: f32 = try_label.trim_start_matches("Try ").parse().unwrap();
    assert!((0.70..=0.97).contains(&best), "{best}");
    assert!(
        (best - 0.90).abs() > 1e-4,
        "the best differs from the settings"
    );
    h.get_by_label(&try_label).click();
    h.run_steps(2);
    let apply = format!("Apply: retention {best:.2}, 10 new/day");
    assert!(!is_disabled(&h, &apply));
    h.get_by_label(&apply).click();
    h.run_steps(2);
    let settings = h.state().collection().settings().clone();
    assert!((settings.desired_retention - best).abs() < 1e-6);
    assert_eq!(settings.new_per_day, 10);
    assert_eq!(settings.reviews_per_day, 200, "nothing else changed");
    assert!(
        RehearseApp::notices(&h.ctx)
            .iter()
            .any(|(_, t)| t.contains("Saved in preset Default: desired retention")),
    );
    // Applied: the same values cannot be applied again.
    assert!(is_disabled(&h, &apply));
    h.get_by_label_contains("These are your settings already");

    // Esc goes back to Statistics; coming back finds the result.
    h.key_press(Key::Escape);
    h.run_steps(3);
    assert!(h.query_by_label("What if…").is_some(), "on Statistics");
    assert!(
        h.query_by_label_contains("Memory per minute chart")
            .is_none()
    );
    h.get_by_label("What if…").click();
    h.run_steps(3);
    h.get_by_label_contains("Memory per minute chart");
}

#[test]
fn cancel_stops_a_long_simulation() {
    let dir = tempfile::tempdir().unwrap();
    // Twenty thousand new cards at 40 a day over a year: long enough to cancel.
    write_decks(dir.path(), &[("big.ron", deck_text("Big", "x", 20_000))]);
    let c = open(dir.path(), Timestamp::now());
    let mut h = harness(RehearseApp::new(c));
    h.run();
    open_what_if(&mut h);
    h.get_by_label("365 days").click();
    h.get_by_label("New cards per day")
        .set_value_accesskit(40.0);
    h.run_steps(2);
    h.get_by_label("Simulate").click();
    h.run_steps(2);
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    h.get_by_label("Simulation cancelled.");
    assert!(h.query_by_label("Cancel").is_none());
    assert!(!is_disabled(&h, "Simulate"));
    assert!(is_disabled(&h, "Apply: retention"));
}
