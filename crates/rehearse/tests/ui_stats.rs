//! The Statistics screen, driven headlessly with egui_kittest on a data folder
//! with two months of history: every chart names its axes, the calendar has
//! month and weekday labels and a tooltip per day, the answer buttons come in
//! study order, nothing is wider than an 800-point window, and the screen
//! opens at its top even when Home was scrolled.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use common::*;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use rehearse::ui::RehearseApp;
use rehearse_core::ItemId;
use rehearse_core::collection::Collection;
use rehearse_core::schedule::Rating;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn item(s: &str) -> ItemId {
    s.parse().unwrap()
}

/// Six cards answered on most of the last 60 days, some of them Again; and
/// `topics` more cards, one per topic, answered once.
fn collection_with_history(root: &std::path::Path, topics: usize) -> Collection {
    let mut many = String::from("(name: \"Many\", cards: [\n");
    for t in 0..topics {
        many.push_str(&format!(
            "(id: \"m-{t}\", topic: \"Topic {t:02}\", front: \"Q{t}\", back: \"A\"),\n"
        ));
    }
    many.push_str("])\n");
    write_decks(
        root,
        &[
            ("alpha.ron", deck_text("Alpha", "a", 6)),
            ("many.ron", many),
        ],
    );
    let now = Timestamp::now();
    let start = now - SignedDuration::from_hours(24 * 60);
    let mut c = open(root, start);
    for t in 0..topics {
        c.answer(&item(&format!("m-{t}")), Rating::Good, start, 5_000)
            .unwrap();
    }
    for day in 0..60 {
        if day % 5 == 3 {
            continue; // a day off
        }
        let t = start + SignedDuration::from_hours(24 * day);
        for i in 1..=6 {
            let rating = if (day + i) % 7 == 0 {
                Rating::Again
            } else {
                Rating::Good
            };
            c.answer(&item(&format!("a-{i}")), rating, t, 8_000)
                .unwrap();
        }
    }
    c
}

fn harness(app: RehearseApp, width: f32, height: f32) -> Harness<'static, RehearseApp> {
    Harness::builder()
        .with_size(egui::vec2(width, height))
        .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app)
}

/// Opens Statistics and steps until the history has loaded and the charts are drawn.
fn open_statistics(h: &mut Harness<'static, RehearseApp>) {
    h.get_by_label("Statistics").click();
    for _ in 0..500 {
        h.run_steps(1);
        let drawn = h.query_by_label_contains("Review calendar").is_some();
        if drawn
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

/// Today's study date as the test collection counts it (UTC, days from 04:00).
fn study_today() -> jiff::civil::Date {
    (Timestamp::now() - SignedDuration::from_hours(4))
        .to_zoned(TimeZone::UTC)
        .date()
}

#[test]
fn every_chart_names_its_axes_and_the_calendar_its_months_and_weekdays() {
    let dir = tempfile::tempdir().unwrap();
    let c = collection_with_history(dir.path(), 0);
    // Tall enough that every section is laid out.
    let mut h = harness(RehearseApp::new(c), 1000.0, 3200.0);
    h.run();
    open_statistics(&mut h);

    for section in [
        "Reviews in the last year",
        "Due forecast",
        "True retention (reviews of graduated cards passed)",
        "Answer buttons",
        "Memory states",
        "Time spent, last 30 days",
    ] {
        h.get_by_label(section);
    }
    // Headline figures, time in hours and minutes.
    h.get_by_label("current streak");
    h.get_by_label("time spent");
    h.get_by_label("38 min");

    // Axis titles, with units.
    h.get_by_label("Due forecast chart. Across: days from today. Up: cards due.");
    h.get_by_label("Time spent chart. Across: date. Up: minutes.");
    h.get_by_label("Answer buttons chart. Across: card group. Up: % of answers.");
    h.get_by_label("Stability chart. Across: time until recall falls to 90%. Up: cards.");
    h.get_by_label("Difficulty chart. Across: difficulty (1 easiest, 10 hardest). Up: cards.");
    h.get_by_label("Recall now chart. Across: predicted chance of recall. Up: cards.");

    // The calendar: weekday names at the side, month names above, in order.
    let calendar = h.get_by_label_contains("Review calendar: studied on 48 of the last 365 days");
    let cal = calendar.rect();
    for day in ["Mon", "Wed", "Fri"] {
        let label = h.get_by_label(day).rect();
        assert!(label.right() <= cal.left() + 40.0, "{day} is at the side");
    }
    let month = |months_ago: i64| {
        let d = study_today()
            .checked_sub(jiff::Span::new().months(months_ago))
            .unwrap();
        MONTHS[d.month() as usize - 1]
    };
    let (older, newer) = (
        h.get_by_label(month(3)).rect(),
        h.get_by_label(month(2)).rect(),
    );
    assert!(older.left() < newer.left(), "months run left to right");
    assert!(
        older.bottom() <= h.get_by_label("Mon").rect().top() + 1.0,
        "months are above"
    );
    h.get_by_label_contains("· longest ");
    h.get_by_label("Less");
    h.get_by_label("More");

    // The answer buttons: Again, Hard, Good, Easy, left to right, with the groups named.
    let xs: Vec<f32> = ["Again", "Hard", "Good", "Easy"]
        .iter()
        .map(|b| h.get_by_label(b).rect().left())
        .collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "in study order: {xs:?}");
}

#[test]
fn hovering_a_day_shows_its_date_and_count() {
    let dir = tempfile::tempdir().unwrap();
    let c = collection_with_history(dir.path(), 0);
    let mut h = harness(RehearseApp::new(c), 1000.0, 3200.0);
    h.run();
    open_statistics(&mut h);
    // The last column is this week; its top square is this week's Monday.
    let cal = h.get_by_label_contains("Review calendar").rect();
    let mon = h.get_by_label("Mon").rect();
    h.hover_at(egui::pos2(cal.right() - 4.0, mon.center().y));
    for _ in 0..60 {
        h.run_steps(1);
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let today = study_today();
    let monday = today
        .checked_sub(jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset())))
        .unwrap();
    let date = monday.strftime("%A %-d %B %Y").to_string();
    h.get_by_label(&date);
    assert!(
        h.query_by_label_contains(" answers · ").is_some()
            || h.query_by_label("No reviews").is_some(),
        "the tooltip gives the day's count"
    );
}

#[test]
fn nothing_is_wider_than_an_800_point_window() {
    let dir = tempfile::tempdir().unwrap();
    let c = collection_with_history(dir.path(), 0);
    let mut h = harness(RehearseApp::new(c), 800.0, 3600.0);
    h.run();
    open_statistics(&mut h);
    let figures = h
        .get_all_by_label_contains("chart. Across:")
        .collect::<Vec<_>>();
    assert_eq!(figures.len(), 6, "six charts");
    let calendar = h.get_by_label_contains("Review calendar");
    for f in figures.iter().chain([&calendar]) {
        let r = f.rect();
        assert!(r.left() >= 0.0 && r.right() <= 800.0, "{:?} at {r:?}", f);
    }
    // The three memory-state histograms stack instead of squeezing.
    let stability = h.get_by_label_contains("Stability chart").rect();
    let difficulty = h.get_by_label_contains("Difficulty chart").rect();
    assert!(difficulty.top() > stability.bottom(), "stacked");
}

#[test]
fn statistics_opens_at_its_top_after_another_screen_was_scrolled() {
    let dir = tempfile::tempdir().unwrap();
    // Enough topics that Weak topics scrolls.
    let c = collection_with_history(dir.path(), 40);
    let mut h = harness(RehearseApp::new(c), 1000.0, 600.0);
    h.run();
    h.get_by_label("Weak topics").click();
    for _ in 0..200 {
        h.run_steps(1);
        if h.query_by_label("Select Topic 39").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.hover_at(egui::pos2(500.0, 400.0));
    for _ in 0..10 {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -300.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
        h.run_steps(10);
    }
    assert!(
        h.get_by_label("Select Topic 39").rect().top() < 600.0,
        "Weak topics scrolled down: {:?}",
        h.get_by_label("Select Topic 39").rect()
    );
    open_statistics(&mut h);
    let heading = h
        .get_all_by_label("Statistics")
        .map(|n| n.rect())
        .max_by(|a, b| a.top().total_cmp(&b.top()))
        .unwrap();
    assert!(
        heading.top() > 40.0 && heading.top() < 140.0,
        "the heading is at the top: {heading:?}"
    );
    h.get_by_label("Reviews in the last year");
}

#[test]
fn the_wheel_scrolls_statistics_anywhere_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let c = collection_with_history(dir.path(), 0);
    let mut h = harness(RehearseApp::new(c), 1920.0, 700.0);
    h.run();
    open_statistics(&mut h);
    // Where the screen's heading is; the other node labelled so is the tab
    // in the top bar. Scrolled out of sight, it is far above.
    let top = |h: &Harness<'static, RehearseApp>| {
        h.get_all_by_label("Statistics")
            .map(|n| n.rect().top())
            .find(|t| !(0.0..45.0).contains(t))
            .unwrap_or(f32::MIN)
    };
    let before = top(&h);
    // Over the empty margin left of the centred column, far from the content.
    h.hover_at(egui::pos2(40.0, 400.0));
    for _ in 0..5 {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -200.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
        h.run_steps(10);
    }
    let after = top(&h);
    assert!(after < before - 100.0, "scrolled from {before} to {after}");
}

#[test]
fn uneven_histogram_buckets_are_said_to_be_uneven() {
    let dir = tempfile::tempdir().unwrap();
    let c = collection_with_history(dir.path(), 0);
    let mut h = harness(RehearseApp::new(c), 1000.0, 3200.0);
    h.run();
    open_statistics(&mut h);
    // Bars drawn evenly spaced over buckets that are not: the note says so.
    h.get_by_label_contains("Their buckets are of unequal width");
}
