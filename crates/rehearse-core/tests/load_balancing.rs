//! Load balancing and easy days end to end: answers pick quieter days, the
//! journals replay to the same due dates (from the snapshot and from the
//! journals alone), old journals replay as before, and easy days thin out
//! the reviews of the days they mark.

mod common;

use std::collections::HashMap;

use common::*;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rehearse_core::collection::Collection;
use rehearse_core::schedule::{
    CardState, DayClock, DueLoad, Interval, Phase, Rating, Scheduler, Workload,
};
use rehearse_core::{ItemId, Settings};

/// Answers a collection's cards for `days` days from `t0`: ten new cards a
/// day answered Easy (they graduate to a review interval), and every review
/// due answered Good (every fifth Hard). Returns how many answers moved
/// from the day plain fuzz gives, and of those not moved off a Sunday (a
/// minimum easy day in one test) how many went to a day with fewer reviews
/// due and how many to one with more.
fn study(c: &mut Collection, days: i64) -> (usize, usize, usize) {
    let ids: Vec<ItemId> = c.items().iter().map(|i| i.id.clone()).collect();
    let mut moved = (0, 0, 0);
    let mut n = 0usize;
    for day in 0..days {
        let now = self::at(day);
        let due: Vec<ItemId> = ids
            .iter()
            .filter(|id| {
                let s = c.state(id);
                s.phase == Phase::Review && s.due.is_some_and(|d| d <= now)
            })
            .cloned()
            .collect();
        let new: Vec<ItemId> = ids
            .iter()
            .filter(|id| c.state(id).phase == Phase::New)
            .take(10)
            .cloned()
            .collect();
        let answers = due
            .into_iter()
            .map(|id| {
                n += 1;
                (
                    id,
                    if n.is_multiple_of(5) {
                        Rating::Hard
                    } else {
                        Rating::Good
                    },
                )
            })
            .chain(new.into_iter().map(|id| (id, Rating::Easy)));
        for (id, rating) in answers {
            let before = c.state(&id).clone();
            let plain = c.scheduler().answer(&id, &before, rating, now).unwrap();
            let preview = c.preview(&id, now).unwrap()[rating.index()].clone();
            let got = c.answer(&id, rating, now, 1000).unwrap();
            assert_eq!(got, preview, "the buttons showed what answering gave");
            if got != plain {
                moved.0 += 1;
                let clock = c.scheduler().clock();
                let day_of = |s: &CardState| clock.day_of(s.due.unwrap());
                let load = |d: i32| {
                    c.states()
                        .iter()
                        .filter(|(i, s)| **i != id && s.due.is_some() && day_of(s) == d)
                        .count()
                };
                let (there, plain_day) = (load(day_of(&got.state)), load(day_of(&plain.state)));
                let weekday = |s: &CardState| clock.date_of_day(day_of(s)).weekday();
                if weekday(&plain.state) == jiff::civil::Weekday::Sunday {
                    // Moved off a minimum easy day, wherever there was room.
                    assert_ne!(weekday(&got.state), jiff::civil::Weekday::Sunday);
                } else if there < plain_day {
                    moved.1 += 1;
                } else if there > plain_day {
                    moved.2 += 1;
                }
            }
        }
    }
    moved
}

/// Study day `d` at 12:00 UTC.
fn at(d: i64) -> Timestamp {
    days(d)
}

fn with_settings(root: &std::path::Path, settings: Settings) {
    let mut c = open(root, t0());
    c.save_settings(settings).unwrap();
}

fn review_states(c: &Collection) -> HashMap<ItemId, CardState> {
    c.states().clone()
}

#[test]
fn balanced_due_dates_replay_the_same_from_snapshot_and_journals() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_decks(root, &[("a.ron", deck_text("A", "a", 150))]);
    let mut easy = vec![1.0; 7];
    easy[6] = 0.0;
    with_settings(
        root,
        Settings {
            easy_days: easy,
            ..Settings::default()
        },
    );
    let mut c = open(root, t0());
    assert!(c.settings().load_balancing);
    let (moved, quieter, busier) = study(&mut c, 40);
    eprintln!("moved {moved}, quieter {quieter}, busier {busier}");
    assert!(moved >= 20, "load balancing moved only {moved} due dates");
    assert!(
        quieter > 5 * busier,
        "{quieter} of {moved} moves went to a quieter day, {busier} to a busier one"
    );
    let seen = review_states(&c);
    assert!(seen.len() >= 150);
    c.save_snapshot().unwrap();
    drop(c);

    // From the snapshot.
    let c = open(root, at(40));
    assert_eq!(review_states(&c), seen);
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    drop(c);

    // From the journals alone.
    std::fs::remove_file(root.join(".cache/state.bin")).unwrap();
    let c = open(root, at(40));
    assert_eq!(review_states(&c), seen);
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    drop(c);

    // With load balancing and easy days turned off since: what was answered
    // keeps the dates it was given.
    with_settings(
        root,
        Settings {
            load_balancing: false,
            ..Settings::default()
        },
    );
    std::fs::remove_dir_all(root.join(".cache")).ok();
    let c = open(root, at(40));
    assert_eq!(review_states(&c), seen);
    drop(c);

    // What the recorded intervals are for: without them the replay cannot
    // know the days the load chose.
    let journal = root.join("journal/test.ron");
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.contains(",days:Some("), "intervals are recorded");
    let stripped: String = text
        .lines()
        .map(|l| match l.find(",days:Some(") {
            Some(i) => format!("{})\n", &l[..i]),
            None => format!("{l}\n"),
        })
        .collect();
    std::fs::write(&journal, stripped).unwrap();
    std::fs::remove_dir_all(root.join(".cache")).ok();
    let c = open(root, at(40));
    assert_ne!(review_states(&c), seen);
}

/// Journals written before intervals were recorded replay exactly as they
/// did then (plain fuzz), load balancing on or not.
#[test]
fn old_journals_replay_to_the_same_states() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_decks(root, &[("a.ron", deck_text("A", "a", 40))]);
    let scheduler = Scheduler::new(Settings::default(), DayClock::new(TimeZone::UTC, 4)).unwrap();
    let mut expected: HashMap<ItemId, CardState> = HashMap::new();
    let mut lines = String::new();
    let mut id = 0;
    for day in 0..30 {
        let now = at(day);
        for k in 1..=40 {
            let item: ItemId = format!("a-{k}").parse().unwrap();
            let state = expected.get(&item).cloned().unwrap_or_default();
            let due = state.due.is_none_or(|d| d <= now);
            if !due || (state.phase == Phase::New && k > (day + 1) * 5) {
                continue;
            }
            let rating = if state.phase == Phase::New {
                Rating::Easy
            } else {
                Rating::Good
            };
            let outcome = scheduler.answer(&item, &state, rating, now).unwrap();
            expected.insert(item.clone(), outcome.state);
            id += 1;
            // The line as the previous version wrote it.
            let line = format!(
                "Review(id:{id},at:\"{now}\",item:\"{item}\",rating:{rating:?},took_ms:1000)\n"
            );
            lines.push_str(&line);
        }
    }
    std::fs::write(root.join("journal/test.ron"), &lines).unwrap();
    let c = open(root, at(30));
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    assert_eq!(review_states(&c), expected);
    // Answers appended now are balanced and recorded; the old ones stay.
    drop(c);
    let mut c = open(root, at(30));
    study(&mut c, 1);
    let text = std::fs::read_to_string(root.join("journal/test.ron")).unwrap();
    assert!(text.starts_with(&lines));
}

/// Undoing an answer takes its day's count back with it, and suspending an
/// item takes it out: the next answer sees the same counts as a fresh
/// count would.
#[test]
fn undo_and_suspend_keep_the_counts_right() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_decks(root, &[("a.ron", deck_text("A", "a", 200))]);
    let mut c = open(root, t0());
    study(&mut c, 12);
    let now = at(12);
    let ids: Vec<ItemId> = c.items().iter().map(|i| i.id.clone()).collect();
    let new: Vec<&ItemId> = ids
        .iter()
        .filter(|i| c.state(i).phase == Phase::New)
        .collect();
    for id in &new[..5] {
        c.answer(id, Rating::Easy, now, 1).unwrap();
    }
    for _ in 0..5 {
        c.undo(now).unwrap();
    }
    let soon: Vec<ItemId> = ids
        .iter()
        .filter(|i| {
            c.state(i)
                .due
                .is_some_and(|d| d > now && d < at(25) && c.state(i).phase == Phase::Review)
        })
        .take(30)
        .cloned()
        .collect();
    assert_eq!(soon.len(), 30);
    for id in &soon {
        c.suspend_items(std::slice::from_ref(id), true, now)
            .unwrap();
    }
    c.suspend_items(&soon[..1], false, now).unwrap();
    // Compare with the counts of a collection reopened from the journals.
    let kept = c.due_load(now);
    let previews: Vec<_> = new[5..15]
        .iter()
        .map(|id| c.preview(id, now).unwrap())
        .collect();
    drop(c);
    std::fs::remove_dir_all(root.join(".cache")).ok();
    let c = open(root, now);
    assert_eq!(kept, c.due_load(now));
    let today = c.scheduler().clock().day_of(now);
    assert!((1..30).map(|d| kept.count(today + d)).sum::<u32>() > 50);
    let fresh: Vec<_> = new[5..15]
        .iter()
        .map(|id| c.preview(id, now).unwrap())
        .collect();
    assert_eq!(previews, fresh);
}

/// A simulation of many cards under one scheduler: every review answered
/// Good on its due day, each day's counts taken from the states.
fn simulate(settings: Settings) -> [usize; 7] {
    let clock = DayClock::new(TimeZone::UTC, 4);
    let scheduler = Scheduler::new(settings, clock.clone()).unwrap();
    let items: Vec<ItemId> = (0..1500)
        .map(|i| format!("s-{i}").parse().unwrap())
        .collect();
    let mut states: HashMap<ItemId, CardState> = HashMap::new();
    let mut per_weekday = [0usize; 7];
    let start = at(0);
    for day in 0..150i64 {
        let now = start
            .checked_add(SignedDuration::from_hours(24 * day))
            .unwrap();
        let today = clock.day_of(now);
        let mut load = DueLoad::from_states(&clock, today, states.iter(), |_| true);
        let mut due: Vec<&ItemId> = states
            .iter()
            .filter(|(_, s)| s.due.is_some_and(|d| d <= now))
            .map(|(i, _)| i)
            .collect();
        due.sort();
        let new = items
            .iter()
            .filter(|i| !states.contains_key(*i))
            .take(if day < 75 { 20 } else { 0 });
        let answers: Vec<(ItemId, Rating)> = due
            .into_iter()
            .map(|i| (i.clone(), Rating::Good))
            .chain(new.map(|i| (i.clone(), Rating::Easy)))
            .collect();
        for (id, rating) in answers {
            let before = states.get(&id).cloned().unwrap_or_default();
            let work = Workload {
                due: &load,
                sibling_days: &[],
            };
            let out = scheduler
                .answer_with_load(&id, &before, rating, now, &work)
                .unwrap();
            if let Some(d) = DueLoad::day_of(&clock, &before) {
                load.remove(d);
            }
            if let Some(d) = DueLoad::day_of(&clock, &out.state) {
                load.add(d);
            }
            assert!(matches!(out.interval, Interval::Days(_)));
            if day >= 30 && before.phase == Phase::Review {
                let weekday = clock.date_of_day(today).weekday().to_monday_zero_offset();
                per_weekday[weekday as usize] += 1;
            }
            states.insert(id, out.state);
        }
    }
    per_weekday
}

/// Over five months of 1500 cards, a weekday marked "minimum" gets a small
/// fraction of its reviews, one marked "reduced" fewer than a normal day;
/// the reviews go to the other days, not away.
#[test]
fn easy_days_thin_out_reviews_on_marked_days_in_a_simulation() {
    let normal = simulate(Settings::default());
    let mut easy = vec![1.0; 7];
    easy[6] = 0.0; // Sunday minimum
    easy[2] = 0.5; // Wednesday reduced
    let marked = simulate(Settings {
        easy_days: easy.clone(),
        ..Settings::default()
    });
    // Easy days work on their own too.
    let alone = simulate(Settings {
        easy_days: easy,
        load_balancing: false,
        ..Settings::default()
    });
    let others = |w: &[usize; 7]| (w[0] + w[1] + w[3] + w[4] + w[5]) as f64 / 5.0;
    eprintln!("normal {normal:?}\nmarked {marked:?}\nalone {alone:?}");
    // Without easy days the week is about even.
    assert!((normal[6] as f64) > 0.8 * others(&normal), "{normal:?}");
    assert!((normal[2] as f64) > 0.8 * others(&normal), "{normal:?}");
    let total = |w: &[usize; 7]| w.iter().sum::<usize>() as f64;
    for week in [marked, alone] {
        // Sunday minimum: only what cannot move would still come (intervals
        // under 3 days have no fuzz range; here all are longer).
        assert!((week[6] as f64) < 0.02 * others(&week), "{week:?}");
        // Wednesday reduced: about half a normal day's load.
        let wednesday = week[2] as f64 / others(&week);
        assert!((0.3..0.8).contains(&wednesday), "{week:?}");
        assert!((total(&week) / total(&normal) - 1.0).abs() < 0.1);
    }
}
