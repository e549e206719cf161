//! Interview readiness on fixed inputs: cards never studied count as not
//! known (and are counted), the share of the interview's cards seen by the
//! date at the settings' pace, reviews a day keeping up, and the
//! final-stretch retention raise.

mod common;

use common::*;
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use rehearse_core::collection::Collection;
use rehearse_core::insight::forecast::{
    DateError, FINAL_STRETCH_RETENTION, ForecastError, can_raise, forecast, parse_date,
    raise_retention, raised_retention, restore_retention, save_interview, with_interview,
    with_raised_retention,
};
use rehearse_core::insight::weak::DrillFilter;
use rehearse_core::schedule::{Phase, Rating};
use rehearse_core::{ItemId, Settings};

fn item(s: &str) -> ItemId {
    s.parse().unwrap()
}

/// A deck of `n` cards `<prefix>-1` … all of topic `topic`.
fn deck(name: &str, prefix: &str, topic: &str, n: usize) -> String {
    let mut s = format!("(name: {name:?}, cards: [\n");
    for i in 1..=n {
        s.push_str(&format!(
            "(id: \"{prefix}-{i}\", topic: {topic:?}, front: \"{prefix} {i}?\", back: \"A\"),\n"
        ));
    }
    s.push_str("])");
    s
}

/// Learns `id` at `at` (Good through both learning steps).
fn learn(c: &mut Collection, id: &str, at: jiff::Timestamp) {
    let id = item(id);
    c.answer(&id, Rating::Good, at, 1000).unwrap();
    let due = c.state(&id).due.unwrap();
    c.answer(&id, Rating::Good, due, 1000).unwrap();
    assert_eq!(c.state(&id).phase, Phase::Review);
}

fn set(c: &mut Collection, f: impl FnOnce(&mut Settings)) {
    let mut s = c.settings().clone();
    f(&mut s);
    c.save_settings(s).unwrap();
}

/// The calendar date `d` days after t0 (2026-03-02, UTC).
fn day(d: i64) -> Date {
    days(d).to_zoned(TimeZone::UTC).date()
}

#[test]
fn never_studied_cards_count_as_not_known_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck("A", "a", "Alpha", 10))]);
    let mut c = open(dir.path(), days(-3));
    learn(&mut c, "a-1", days(-3));
    learn(&mut c, "a-2", days(-3));
    // No new cards: the eight never studied stay unseen until the day.
    set(&mut c, |s| s.new_per_day = 0);
    let f = forecast(&c, None, day(10), t0(), None).unwrap();
    assert_eq!((f.cards(), f.studied(), f.unstudied()), (10, 2, 8));
    assert_eq!(f.seen_by_then(), 2);
    assert_eq!(f.new_cards, 0);
    let at = f.at;
    let stop: f32 = ["a-1", "a-2"]
        .iter()
        .map(|id| {
            c.scheduler()
                .retrievability(c.state(&item(id)), at)
                .unwrap()
        })
        .sum();
    let alpha = &f.topics[0];
    assert_eq!((alpha.cards, alpha.unstudied), (10, 8));
    // The mean is over all ten cards: the eight unstudied ones add 0.
    assert!((alpha.recall_if_stop.unwrap() - stop / 10.0).abs() < 1e-6);
    assert!(f.overall_if_keep().unwrap() <= 0.2 + 1e-6);
    assert!(f.overall_if_stop().unwrap() <= 0.2 + 1e-6);
    assert_eq!(
        f.unstudied_summary(),
        "8 of 10 cards have never been studied; they count as not known."
    );
    assert_eq!(
        f.seen_summary().unwrap(),
        "New cards are off (0 a day in Settings): you will have seen 2 of 10 cards (20%) by 12 Mar."
    );
}

#[test]
fn share_seen_by_the_date_at_the_settings_pace_with_the_limits_respected() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("a.ron", deck("A", "a", "Alpha", 60)),
            ("b.ron", deck("B", "b", "Beta", 40)),
        ],
    );
    let mut c = open(dir.path(), days(-1));
    for i in 1..=10 {
        learn(&mut c, &format!("a-{i}"), days(-1));
    }
    set(&mut c, |s| s.new_per_day = 5);
    // Three new cards already studied today: two more are allowed today.
    for i in 11..=13 {
        learn(&mut c, &format!("a-{i}"), mins(-60));
    }
    // 2026-03-12: ten study days, 2 Mar (today) to 11 Mar.
    let f = forecast(&c, None, day(10), t0(), None).unwrap();
    assert_eq!(f.days, 10);
    assert_eq!(f.new_per_day, 5);
    assert_eq!(
        f.daily_new[0], 2,
        "today's limit less the three already seen"
    );
    assert!(
        f.daily_new[1..].iter().all(|n| *n == 5),
        "{:?}",
        f.daily_new
    );
    assert_eq!(f.new_cards, 2 + 9 * 5);
    assert_eq!((f.cards(), f.unstudied(), f.seen_by_then()), (100, 87, 60));
    assert_eq!(f.share_seen(), Some(0.6));
    assert_eq!(
        f.seen_summary().unwrap(),
        "At 5 new cards a day you will have seen 60 of 100 cards (60%) by 12 Mar."
    );
    // Deck A's cards come first, so every new card before the day is A's;
    // B's wait. Narrowed to Alpha, all its cards are seen by 11 Mar.
    let beta = f.topics.iter().find(|t| t.topic == "Beta").unwrap();
    assert_eq!((beta.seen_by_then, beta.recall_if_keep), (0, Some(0.0)));
    let alpha_only = DrillFilter {
        topics: vec!["Alpha".into()],
        tags: vec![],
    };
    let a = forecast(&c, Some(&alpha_only), day(10), t0(), None).unwrap();
    assert_eq!((a.cards(), a.seen_by_then()), (60, 60));
    assert_eq!(a.all_seen_on, Some(day(9)));
    assert_eq!(
        a.seen_summary().unwrap(),
        "At 5 new cards a day you will have seen all 60 cards by 11 Mar, 1 day before the interview."
    );
    // Keeping up on them, recall on the day is far above stopping now.
    assert!(
        a.overall_if_keep().unwrap() > 0.8,
        "{:?}",
        a.overall_if_keep()
    );
    assert!(
        a.overall_if_stop().unwrap() < 0.25,
        "{:?}",
        a.overall_if_stop()
    );
}

#[test]
fn reviews_a_day_are_the_answers_keeping_up_takes_over_the_days_left() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck("A", "a", "Alpha", 3))]);
    let mut c = open(dir.path(), days(-2));
    learn(&mut c, "a-1", days(-2));
    set(&mut c, |s| {
        s.new_per_day = 1;
        s.fuzz = false;
    });
    let f = forecast(&c, None, day(30), t0(), None).unwrap();
    assert_eq!(f.days, 30);
    // Replay by hand: every review answered Good when due (overdue ones now),
    // new cards a-2 today and a-3 tomorrow at the start of the day, each
    // answered Good through its steps; nothing from the interview's day on.
    let s = c.scheduler();
    let clock = s.clock();
    let today = clock.day_of(t0());
    let until = clock.start_of_day(clock.day_of(f.at));
    let mut expected = vec![0u32; 30];
    let mut replay = |id: &str, mut state: rehearse_core::CardState, from: jiff::Timestamp| {
        while let Some(due) = state.due.filter(|d| *d < until) {
            let when = due.max(from);
            state = s
                .answer(&item(id), &state, Rating::Good, when)
                .unwrap()
                .state;
            expected[(clock.day_of(when) - today) as usize] += 1;
        }
    };
    replay("a-1", c.state(&item("a-1")).clone(), t0());
    for (id, start) in [("a-2", t0()), ("a-3", clock.start_of_day(today + 1))] {
        let learnt = s
            .answer(&item(id), c.state(&item(id)), Rating::Good, start)
            .unwrap()
            .state;
        replay(id, learnt, start);
    }
    assert_eq!(f.daily_reviews, expected);
    let total: u32 = expected.iter().sum();
    assert_eq!(f.reviews, total as usize);
    assert!((f.reviews_per_day() - total as f32 / 30.0).abs() < 1e-6);
    assert_eq!(f.daily_new[..2], [1, 1]);
    assert_eq!(f.new_cards, 2);
    assert!(f.load_summary().starts_with("Keeping up takes about "));
    assert!(
        f.load_summary().ends_with(" until 1 Apr."),
        "{}",
        f.load_summary()
    );

    // Over the review limit, the summary says so.
    set(&mut c, |s| s.reviews_per_day = 0);
    let f = forecast(&c, None, day(30), t0(), None).unwrap();
    assert!(
        f.load_summary()
            .contains("That is more than your limit of 0 reviews a day; the rest would wait."),
        "{}",
        f.load_summary()
    );
}

#[test]
fn an_interview_today_or_past_and_typed_dates() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck("A", "a", "Alpha", 3))]);
    let c = open(dir.path(), t0());
    let f = forecast(&c, None, day(0), t0(), None).unwrap();
    assert_eq!(
        (f.days, f.reviews, f.new_cards, f.seen_by_then()),
        (0, 0, 0, 0)
    );
    assert_eq!(f.overall_if_keep(), Some(0.0));
    assert_eq!(
        f.seen_summary().as_deref(),
        Some("The interview is today: you have seen 0 of 3 cards (0%).")
    );
    assert_eq!(
        f.load_summary(),
        "The interview is today: no study days are left to plan."
    );
    assert!(matches!(
        forecast(&c, None, day(-1), t0(), None),
        Err(ForecastError::Past { .. })
    ));

    let today = date(2026, 3, 2);
    assert_eq!(parse_date(" 2026-12-14 ", today), Ok(date(2026, 12, 14)));
    assert_eq!(parse_date("2026/12/14", today), Ok(date(2026, 12, 14)));
    assert_eq!(
        parse_date("", today),
        Err(DateError::Empty {
            example: date(2026, 3, 16)
        })
    );
    let e = parse_date("2026-13-40", today).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`2026-13-40` is not a date. Type it as YYYY-MM-DD, for example 2026-03-16."
    );
    let e = parse_date("2026-03-01", today).unwrap_err();
    assert_eq!(
        e.to_string(),
        "2026-03-01 has passed. Type a date from today (2026-03-02) on."
    );
}

#[test]
fn raising_retention_for_the_final_stretch_and_putting_it_back() {
    let base = Settings::default();
    assert!(can_raise(&base));
    let d = date(2026, 12, 14);
    let (raised, change) = with_raised_retention(&base, d, vec!["Alpha".into()]).unwrap();
    assert_eq!(raised.desired_retention, FINAL_STRETCH_RETENTION);
    let interview = raised.interview.clone().unwrap();
    assert_eq!(
        (
            interview.date,
            interview.topics,
            interview.restore_retention
        ),
        (d, vec!["Alpha".to_string()], Some(0.9))
    );
    assert_eq!((change.from, change.to, change.until), (0.9, 0.95, d));
    assert_eq!(
        raised_retention(&raised).unwrap().note(date(2026, 11, 27)),
        "Desired retention is 0.95 until your interview on 14 Dec; it returns to 0.90 after."
    );
    assert_eq!(
        raised_retention(&raised).unwrap().note(date(2025, 11, 27)),
        "Desired retention is 0.95 until your interview on 14 Dec 2026; it returns to 0.90 after."
    );
    // Already raised: nothing more to do; moving the date keeps the value to restore.
    assert!(with_raised_retention(&raised, d, vec![]).is_none());
    let moved = with_interview(&raised, date(2026, 12, 20), vec![]);
    assert_eq!(
        raised_retention(&moved).map(|r| (r.from, r.until)),
        Some((0.9, date(2026, 12, 20)))
    );
    assert!(raised_retention(&with_interview(&base, d, vec![])).is_none());

    // Through the collection: saved, and back to 0.90 the day after the interview.
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck("A", "a", "Alpha", 3))]);
    let mut c = open(dir.path(), t0());
    save_interview(&mut c, day(5), vec![]).unwrap();
    assert_eq!(c.settings().desired_retention, 0.9);
    let change = raise_retention(&mut c, day(5), vec![]).unwrap().unwrap();
    assert_eq!((change.from, change.to), (0.9, 0.95));
    assert_eq!(raise_retention(&mut c, day(5), vec![]).unwrap(), None);
    drop(c);
    let c = open(dir.path(), days(3));
    assert_eq!(c.settings().desired_retention, 0.95);
    drop(c);
    let mut c = open(dir.path(), days(6));
    assert_eq!(c.settings().desired_retention, 0.9);
    assert!(c.settings().interview.is_none());
    // Putting it back early.
    save_interview(&mut c, day(20), vec![]).unwrap();
    raise_retention(&mut c, day(20), vec![]).unwrap();
    assert_eq!(restore_retention(&mut c).unwrap(), Some(0.9));
    assert_eq!(c.settings().desired_retention, 0.9);
    assert!(raised_retention(c.settings()).is_none());
    assert_eq!(restore_retention(&mut c).unwrap(), None);
}

/// How long a forecast of a large collection takes (it runs when the
/// Readiness screen opens): `cargo test --test readiness -- --ignored --nocapture`.
#[test]
#[ignore]
fn forecast_of_a_large_collection() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck("A", "a", "Alpha", 20_000))]);
    let mut c = open(dir.path(), days(-30));
    for i in 1..=10_000 {
        learn(
            &mut c,
            &format!("a-{i}"),
            days(-30) + jiff::SignedDuration::from_secs(i),
        );
    }
    let started = std::time::Instant::now();
    let f = forecast(&c, None, day(30), t0(), None).unwrap();
    println!(
        "20 000 cards, 10 000 studied, 30 days: {:?} ({} reviews)",
        started.elapsed(),
        f.reviews
    );
}
