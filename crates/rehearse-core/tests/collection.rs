//! The collection end to end: first run, answering, undo, reopening, limits,
//! malformed files and the instance lock.

mod common;

use common::*;
use rehearse_core::collection::{Collection, CollectionError, OpenOptions};
use rehearse_core::schedule::{CardState, Phase, Rating};
use rehearse_core::store::StoreError;
use rehearse_core::study::{Scope, Session};
use rehearse_core::{ItemId, Settings};

fn item(s: &str) -> ItemId {
    s.parse().unwrap()
}

#[test]
fn first_run_installs_the_builtin_decks_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("fresh");
    let c = open(&root, t0());
    assert!(c.decks().len() >= 8, "{} decks", c.decks().len());
    assert!(c.deck_errors().is_empty(), "{:?}", c.deck_errors());
    assert!(root.join("settings.ron").exists());
    assert!(root.join("journal").is_dir());
    let counts = c.total_counts(t0());
    assert_eq!(
        counts.new, 20,
        "all decks together are capped at 20 new cards"
    );
    assert_eq!(counts.review, 0);
    // Every built-in deck file was copied verbatim: the user owns them now.
    for deck in c.decks() {
        assert!(
            root.join("decks")
                .join(format!("{}.ron", deck.slug))
                .exists()
        );
    }
    // Deleting a built-in deck is respected on the next start.
    drop(c);
    let first = std::fs::read_dir(root.join("decks"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(&first).unwrap();
    let c = open(&root, t0());
    assert!(
        !c.decks()
            .iter()
            .any(|d| first.ends_with(format!("{}.ron", d.slug)))
    );
}

#[test]
fn answers_survive_reopening_and_undo_restores_the_exact_state() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 5))]);
    let mut c = open(dir.path(), t0());
    let id = item("a-1");
    let before = c.state(&id).clone();
    let out = c.answer(&id, Rating::Good, t0(), 4000).unwrap();
    assert_eq!(out.state.phase, Phase::Learning { step: 1 });
    let after_good = c.state(&id).clone();
    c.answer(&id, Rating::Again, mins(10), 1000).unwrap();
    assert_eq!(
        c.undo(mins(11)).unwrap(),
        Some(rehearse_core::collection::Undone::Answer(id.clone()))
    );
    assert_eq!(c.state(&id), &after_good);
    assert_eq!(
        c.undo(mins(11)).unwrap(),
        Some(rehearse_core::collection::Undone::Answer(id.clone()))
    );
    assert_eq!(c.state(&id), &before);
    assert_eq!(c.undo(mins(11)).unwrap(), None);
    c.answer(&id, Rating::Easy, mins(12), 2000).unwrap();
    let expected = c.state(&id).clone();
    assert_eq!(expected.phase, Phase::Review);
    drop(c);

    // Reopen without a snapshot: the journal alone rebuilds the same state.
    let _ = std::fs::remove_dir_all(dir.path().join(".cache"));
    let c = open(dir.path(), mins(13));
    assert!(!dir.path().join("state.ron").exists());
    assert_eq!(c.state(&id), &expected);
    assert_eq!(
        c.progress_today(mins(13)).answers,
        1,
        "undone answers do not count"
    );
    let mut c = c;
    c.save_snapshot().unwrap();
    drop(c);
    // And with a snapshot.
    let c = open(dir.path(), mins(14));
    assert_eq!(c.state(&id), &expected);
}

#[test]
fn session_follows_learning_steps_limits_and_learn_ahead() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 30))]);
    let mut c = open(dir.path(), t0());
    let mut s = Session::new(&c, Scope::All, t0());
    assert_eq!(s.remaining(&c).new, 20, "new cards per day");
    let first = s.current(&c, t0()).unwrap();
    assert_eq!(first, item("a-1"), "new cards come in deck order");
    s.answer(&mut c, Rating::Again, t0(), 1000).unwrap();
    // The failed card is due in a minute; other new cards come first.
    let second = s.current(&c, t0()).unwrap();
    assert_eq!(second, item("a-2"));
    // A minute later the learning card is due and comes before new ones.
    s.answer(&mut c, Rating::Good, mins(1), 1000).unwrap();
    assert_eq!(s.current(&c, mins(1)).unwrap(), item("a-1"));
    s.answer(&mut c, Rating::Easy, mins(1), 1000).unwrap();
    // Study the rest of the new cards with Easy: they graduate.
    let mut now = mins(2);
    let mut answered = 0;
    while let Some(id) = s.current(&c, now) {
        let learning = c.state(&id).is_learning();
        s.answer(
            &mut c,
            if learning { Rating::Good } else { Rating::Easy },
            now,
            500,
        )
        .unwrap();
        answered += 1;
        now = now.checked_add(jiff::SignedDuration::from_secs(5)).unwrap();
        assert!(answered < 100);
    }
    // a-2 is in its 10-minute step: within learn-ahead, so it was shown early.
    assert_eq!(c.state(&item("a-2")).phase, Phase::Review);
    let counts = c.total_counts(now);
    assert_eq!(counts.new, 0, "the daily limit of 20 new cards is used up");
    assert_eq!(c.progress_today(now).new, 20);
    // Tomorrow (after 04:00) 20 more are available.
    let tomorrow = days(1);
    assert_eq!(c.total_counts(tomorrow).new, 10);
}

#[test]
fn a_new_day_starts_at_4am() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 3))]);
    let evening: jiff::Timestamp = "2026-03-02T23:30:00Z".parse().unwrap();
    let mut c = open(dir.path(), evening);
    c.answer(&item("a-1"), Rating::Easy, evening, 1000).unwrap();
    let state = c.state(&item("a-1")).clone();
    let clock = c.scheduler().clock();
    // Easy's first interval (8.3 days) fuzzed within Anki's range for it.
    assert!(
        (6..=10).contains(&state.interval_days),
        "{}",
        state.interval_days
    );
    assert_eq!(
        clock.day_of(state.due.unwrap()),
        clock.day_of(evening) + state.interval_days as i32
    );
    // At 03:59 it is still the same study day: one new card counted.
    let late: jiff::Timestamp = "2026-03-03T03:59:00Z".parse().unwrap();
    assert_eq!(c.progress_today(late).new, 1);
    let morning: jiff::Timestamp = "2026-03-03T04:00:00Z".parse().unwrap();
    assert_eq!(c.progress_today(morning).new, 0);
}

#[test]
fn malformed_deck_is_reported_untouched_and_others_load() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "(name: \"Broken\",\n cards: [\n  (front: \"Q\" back: \"A\"),\n ])\n";
    write_decks(
        dir.path(),
        &[
            ("good.ron", deck_text("Good", "g", 3)),
            ("broken.ron", broken.to_string()),
        ],
    );
    let path = dir.path().join("decks/broken.ron");
    let mut c = open(dir.path(), t0());
    assert_eq!(c.decks().len(), 1);
    assert_eq!(c.deck_errors().len(), 1);
    let message = c.deck_errors()[0].to_string();
    assert!(message.contains("broken.ron:3:"), "{message}");
    // The good deck studies normally.
    c.answer(&item("g-1"), Rating::Good, t0(), 1).unwrap();
    c.save_snapshot().unwrap();
    drop(c);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
}

#[test]
fn broken_settings_are_reported_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 1))]);
    let text = "(desired_retention: 0.9, new_per_dya: 3)\n";
    std::fs::write(dir.path().join("settings.ron"), text).unwrap();
    let mut c = open(dir.path(), t0());
    let e = c.settings_error().unwrap().to_string();
    assert!(e.contains("settings.ron") && e.contains("line 1"), "{e}");
    assert_eq!(c.settings(), &Settings::default());
    let err = c.save_settings(Settings::default()).unwrap_err();
    assert!(matches!(err, CollectionError::SettingsFileBroken(_)));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("settings.ron")).unwrap(),
        text
    );
}

#[test]
fn settings_are_saved_and_invalid_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 30))]);
    let mut c = open(dir.path(), t0());
    let s = Settings {
        new_per_day: 5,
        ..Settings::default()
    };
    c.save_settings(s.clone()).unwrap();
    assert_eq!(c.total_counts(t0()).new, 5);
    let bad = Settings {
        desired_retention: 0.2,
        ..Settings::default()
    };
    assert!(matches!(
        c.save_settings(bad),
        Err(CollectionError::InvalidSettings(_))
    ));
    drop(c);
    let c = open(dir.path(), t0());
    assert_eq!(c.settings(), &s);
}

#[test]
fn a_second_instance_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 1))]);
    let _first = open(dir.path(), t0());
    let second = Collection::open(
        OpenOptions {
            root: dir.path().to_path_buf(),
            device: "other".into(),
            clock: None,
            read_only: false,
        },
        t0(),
    );
    match second {
        Err(CollectionError::Store(StoreError::Locked { .. })) => {}
        other => panic!("expected a lock error, got {other:?}"),
    }
    let message = format!(
        "{}",
        Collection::open(
            OpenOptions {
                root: dir.path().to_path_buf(),
                device: "x".into(),
                clock: None,
                read_only: false,
            },
            t0(),
        )
        .unwrap_err()
    );
    assert!(
        message.contains("already using this data folder"),
        "{message}"
    );
    // Looking without changing anything is still allowed (`rehearse stats`).
    let mut reader = Collection::open(
        OpenOptions {
            root: dir.path().to_path_buf(),
            device: "reader".into(),
            clock: None,
            read_only: true,
        },
        t0(),
    )
    .unwrap();
    assert_eq!(reader.decks().len(), 1);
    assert!(matches!(
        reader.answer(&item("a-1"), Rating::Good, t0(), 1),
        Err(CollectionError::ReadOnly)
    ));
    assert!(!dir.path().join("journal/reader.ron").exists());
}

#[test]
fn read_only_open_of_a_missing_folder_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("nothing-here");
    let c = Collection::open(
        OpenOptions {
            root: root.clone(),
            device: "reader".into(),
            clock: None,
            read_only: true,
        },
        t0(),
    )
    .unwrap();
    assert!(c.decks().is_empty());
    assert!(!root.exists());
}

#[test]
fn editing_a_card_keeps_its_progress() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 2))]);
    let mut c = open(dir.path(), t0());
    c.answer(&item("a-1"), Rating::Easy, t0(), 1).unwrap();
    let state = c.state(&item("a-1")).clone();
    drop(c);
    // Edit the text and move the card to another deck by hand.
    write_decks(
        dir.path(),
        &[
            (
                "a.ron",
                "(name: \"A\", cards: [(id: \"a-2\", front: \"Q2\", back: \"A2\")])".into(),
            ),
            (
                "b.ron",
                "(name: \"B\", cards: [(id: \"a-1\", front: \"Reworded?\", back: \"New answer\")])"
                    .into(),
            ),
        ],
    );
    let c = open(dir.path(), t0());
    assert_eq!(c.state(&item("a-1")), &state);
    assert_eq!(c.deck_of(&item("a-1")).unwrap().name, "B");
}

#[test]
fn suspended_items_are_not_studied() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 2))]);
    let mut c = open(dir.path(), t0());
    c.suspend_items(&[item("a-1")], true, t0()).unwrap();
    let mut s = Session::new(&c, Scope::All, t0());
    assert_eq!(s.current(&c, t0()), Some(item("a-2")));
    drop(s);
    drop(c);
    let c = open(dir.path(), t0());
    assert!(c.state(&item("a-1")).suspended);
    assert_eq!(c.state(&item("a-2")), &CardState::new());
}

#[test]
fn reviews_per_day_limit_applies() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 12))]);
    let mut c = open(dir.path(), t0());
    for i in 1..=12 {
        c.answer(&item(&format!("a-{i}")), Rating::Good, t0(), 1)
            .unwrap();
        c.answer(&item(&format!("a-{i}")), Rating::Good, mins(10), 1)
            .unwrap();
    }
    c.save_settings(Settings {
        reviews_per_day: 5,
        ..Settings::default()
    })
    .unwrap();
    let later = days(30);
    assert_eq!(c.total_counts(later).review, 5);
    let mut s = Session::new(&c, Scope::Deck("a".into()), later);
    assert_eq!(s.remaining(&c).review, 5);
    let mut n = 0;
    let mut now = later;
    while s.current(&c, now).is_some() {
        s.answer(&mut c, Rating::Good, now, 1).unwrap();
        now = now.checked_add(jiff::SignedDuration::from_secs(1)).unwrap();
        n += 1;
    }
    assert_eq!(n, 5);
    assert_eq!(c.total_counts(now).review, 0);
}

#[test]
fn raised_retention_goes_back_after_the_interview() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 1))]);
    let mut c = open(dir.path(), t0());
    let interview = rehearse_core::schedule::Interview {
        date: jiff::civil::date(2026, 3, 10),
        topics: vec!["T1".into()],
        restore_retention: Some(0.9),
        restore_preset_retention: Default::default(),
    };
    c.save_settings(Settings {
        desired_retention: 0.95,
        interview: Some(interview.clone()),
        ..Settings::default()
    })
    .unwrap();
    drop(c);
    // On the day itself nothing changes.
    let c = open(dir.path(), "2026-03-10T20:00:00Z".parse().unwrap());
    assert_eq!(c.settings().desired_retention, 0.95);
    assert_eq!(c.settings().interview, Some(interview));
    drop(c);
    // The next day the old retention is back and the interview is over.
    let c = open(dir.path(), "2026-03-11T12:00:00Z".parse().unwrap());
    assert_eq!(c.settings().desired_retention, 0.9);
    assert_eq!(c.settings().interview, None);
}

/// Answers and edits share one undo history, taken back in the order the
/// user acted, and what is undone stays undone after reopening.
#[test]
fn one_undo_history_for_answers_and_edits_in_order() {
    use rehearse_core::collection::Undone;
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 5))]);
    let mut c = open(dir.path(), t0());
    c.answer(&item("a-1"), Rating::Good, t0(), 1000).unwrap();
    c.suspend_items(&[item("a-2")], true, mins(1)).unwrap();
    c.answer(&item("a-3"), Rating::Easy, mins(2), 1000).unwrap();
    c.bury_items(&[item("a-4")], mins(3)).unwrap();
    assert_eq!(c.undo_depth(), 4);
    assert_eq!(c.undo_label(), Some("bury 1 card"));
    let undone = c.undo(mins(4)).unwrap();
    assert!(
        matches!(&undone, Some(Undone::Edit { label, items }) if label == "bury 1 card" && items == &[item("a-4")]),
        "{undone:?}"
    );
    assert_eq!(c.undo_label(), Some("answer"));
    assert_eq!(c.undo(mins(4)).unwrap(), Some(Undone::Answer(item("a-3"))));
    assert!(c.state(&item("a-2")).suspended);
    assert!(matches!(
        c.undo(mins(4)).unwrap(),
        Some(Undone::Edit { .. })
    ));
    assert!(!c.state(&item("a-2")).suspended);
    // a-1's answer is still there, and reopening agrees on every state.
    assert_eq!(c.undo_depth(), 1);
    let live = c.states().clone();
    drop(c);
    let _ = std::fs::remove_dir_all(dir.path().join(".cache"));
    let c = open(dir.path(), mins(5));
    let nonnew = |m: &std::collections::HashMap<ItemId, rehearse_core::CardState>| {
        let mut v: Vec<_> = m
            .iter()
            .filter(|(_, s)| **s != rehearse_core::CardState::new())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    assert_eq!(nonnew(c.states()), nonnew(&live));
    assert_eq!(c.state(&item("a-1")).reps, 1);
    assert_eq!(c.state(&item("a-3")).reps, 0);
}

/// A decks folder that cannot be listed is reported, not read as "no decks".
#[test]
fn a_decks_folder_that_cannot_be_read_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_folder = dir.path().join("decks");
    std::fs::write(&not_a_folder, "not a folder").unwrap();
    let (decks, errors) = rehearse_core::collection::load_decks(&not_a_folder);
    assert!(decks.is_empty());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .to_string()
            .starts_with(&format!("{}: cannot read", not_a_folder.display())),
        "{}",
        errors[0]
    );
    let (decks, errors) = rehearse_core::collection::load_decks(&dir.path().join("none"));
    assert!(
        decks.is_empty() && errors.is_empty(),
        "no folder holds no decks"
    );
}
