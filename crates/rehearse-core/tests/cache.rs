//! The binary cache in `.cache/`: used when its sources are unchanged,
//! rebuilt (never trusted, never an error) when a deck or journal changed,
//! appeared or went away, when a cache file is damaged or from another
//! version; and an open without it gives the same collection as one with it.

mod common;

use std::path::Path;

use common::*;
use proptest::prelude::*;
use rehearse_core::collection::{CacheUse, Collection, HistorySource, StateSource};
use rehearse_core::schedule::Rating;
use rehearse_core::store::cache::CACHE_VERSION;
use rehearse_core::{CardState, ItemId};

fn item(s: &str) -> ItemId {
    s.parse().unwrap()
}

/// Opens and closes once so every cache file is written (the writes finish
/// when the collection is dropped).
fn warm(root: &Path) {
    drop(open(root, mins(1)));
}

/// Two decks, two answers, cached.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("a.ron", deck_text("A", "a", 5)),
            ("b.ron", deck_text("B", "b", 5)),
        ],
    );
    let mut c = open(dir.path(), t0());
    c.answer(&item("a-1"), Rating::Good, t0(), 1000).unwrap();
    c.answer(&item("b-2"), Rating::Again, t0(), 1000).unwrap();
    c.save_snapshot().unwrap();
    drop(c);
    warm(dir.path());
    dir
}

fn cache_file(root: &Path, rel: &str) -> std::path::PathBuf {
    root.join(".cache").join(rel)
}

/// What must not depend on the cache: decks (every card field, `added`
/// too), problems, states, today's answers as kept (with the intervals load
/// balancing chose), today's counts under each deck's preset, the due load.
fn observable(c: &Collection) -> String {
    observable_at(c, mins(2))
}

fn observable_at(c: &Collection, now: jiff::Timestamp) -> String {
    let mut states: Vec<(&ItemId, &CardState)> = c.states().iter().collect();
    states.sort_by(|a, b| a.0.cmp(b.0));
    let presets: Vec<usize> = (0..c.decks().len())
        .map(|d| c.deck_preset_index(d))
        .collect();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        c.decks(),
        c.deck_errors(),
        c.deck_problems(),
        states,
        c.items().iter().map(|i| &i.id).collect::<Vec<_>>(),
        presets,
        c.answers_today(now).collect::<Vec<_>>(),
        c.deck_counts(now),
        c.progress_today(now),
        c.due_load(now),
    )
}

#[test]
fn an_unchanged_folder_opens_from_the_cache() {
    let dir = folder();
    let c = open(dir.path(), mins(1));
    assert_eq!(
        c.cache_use(),
        CacheUse {
            decks_cached: 2,
            decks_parsed: 0,
            state: StateSource::Cache,
            replayed: 0,
        }
    );
    assert_eq!(c.state(&item("a-1")).reps, 1);
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    // The cache keeps itself out of git, and no state.ron is written.
    let ignore = std::fs::read_to_string(cache_file(dir.path(), ".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "*"));
    assert!(!dir.path().join("state.ron").exists());
}

#[test]
fn a_changed_deck_is_parsed_again() {
    let dir = folder();
    let before = std::fs::read_to_string(dir.path().join("decks/a.ron")).unwrap();
    // The same length: only the content hash tells.
    let after = before.replace("Question a 3?", "Question a 9?");
    assert_eq!(before.len(), after.len());
    std::fs::write(dir.path().join("decks/a.ron"), after).unwrap();
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().decks_cached, 1);
    assert_eq!(c.cache_use().decks_parsed, 1);
    assert_eq!(c.card_of(&item("a-3")).unwrap().front, "Question a 9?");
    drop(c);
    // And cached again.
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().decks_cached, 2);
    assert_eq!(c.card_of(&item("a-3")).unwrap().front, "Question a 9?");
}

#[test]
fn a_touched_deck_is_parsed_again() {
    let dir = folder();
    let path = dir.path().join("decks/a.ron");
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    drop(file);
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().decks_parsed, 1);
}

#[test]
fn an_added_deck_is_parsed() {
    let dir = folder();
    std::fs::write(dir.path().join("decks/c.ron"), deck_text("C", "c", 2)).unwrap();
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().decks_cached, 2);
    assert_eq!(c.cache_use().decks_parsed, 1);
    assert!(c.card_of(&item("c-2")).is_some());
    drop(c);
    assert!(cache_file(dir.path(), "decks/c.bin").exists());
}

#[test]
fn a_deleted_deck_is_gone_and_so_is_its_copy() {
    let dir = folder();
    std::fs::remove_file(dir.path().join("decks/b.ron")).unwrap();
    let c = open(dir.path(), mins(1));
    assert_eq!(c.decks().len(), 1);
    assert!(c.card_of(&item("b-1")).is_none());
    drop(c);
    assert!(!cache_file(dir.path(), "decks/b.bin").exists());
    assert!(cache_file(dir.path(), "decks/a.bin").exists());
}

#[test]
fn a_corrupted_deck_copy_is_rebuilt() {
    let dir = folder();
    let expected = observable(&open(dir.path(), mins(1)));
    let copy = cache_file(dir.path(), "decks/a.bin");
    let mut bytes = std::fs::read(&copy).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    std::fs::write(&copy, &bytes).unwrap();
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().decks_parsed, 1);
    assert_eq!(observable(&c), expected);
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    drop(c);
    assert_ne!(std::fs::read(&copy).unwrap(), bytes, "rewritten");
    // A copy cut short, or emptied, too.
    std::fs::write(&copy, &bytes[..10]).unwrap();
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().decks_parsed, 1);
    assert_eq!(observable(&c), expected);
}

#[test]
fn a_broken_deck_file_is_reported_not_served_from_the_cache() {
    let dir = folder();
    std::fs::write(dir.path().join("decks/a.ron"), "(name: \"A\", cards: [").unwrap();
    let c = open(dir.path(), mins(1));
    assert_eq!(c.deck_errors().len(), 1);
    assert!(c.card_of(&item("a-1")).is_none());
}

#[test]
fn cache_files_of_another_version_are_ignored() {
    let dir = folder();
    let expected = observable(&open(dir.path(), mins(1)));
    for rel in ["decks/a.bin", "decks/b.bin", "state.bin"] {
        let path = cache_file(dir.path(), rel);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[8..12].copy_from_slice(&(CACHE_VERSION - 1).to_le_bytes());
        std::fs::write(&path, bytes).unwrap();
    }
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().decks_parsed, 2);
    assert_eq!(c.cache_use().state, StateSource::Rebuilt);
    assert_eq!(observable(&c), expected);
    drop(c);
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().decks_cached, 2);
    assert_eq!(c.cache_use().state, StateSource::Cache);
}

#[test]
fn an_older_layout_of_cache_folder_is_ignored() {
    // Whatever an older version kept in `.cache/` under other names, or as
    // other kinds of files, is not read.
    let dir = folder();
    let expected = observable(&open(dir.path(), mins(1)));
    std::fs::write(cache_file(dir.path(), "state.bin"), b"RHRSCACH\x00\x00").unwrap();
    std::fs::write(cache_file(dir.path(), "decks/a.bin"), b"not a cache").unwrap();
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().state, StateSource::Rebuilt);
    assert_eq!(observable(&c), expected);
}

#[test]
fn appended_journal_lines_are_replayed_on_the_cached_state() {
    let dir = folder();
    let mut c = open(dir.path(), mins(1));
    c.answer(&item("a-2"), Rating::Good, mins(1), 1000).unwrap();
    // Closed without a snapshot: the journal is longer than the cache knows.
    drop(c);
    let c = open(dir.path(), mins(2));
    assert_eq!(c.cache_use().state, StateSource::Cache);
    assert_eq!(c.cache_use().replayed, 1);
    assert_eq!(c.state(&item("a-2")).reps, 1);
}

#[test]
fn a_changed_journal_rebuilds_the_state() {
    let dir = folder();
    let expected = observable(&open(dir.path(), mins(1)));
    let journal = dir.path().join("journal/test.ron");
    let text = std::fs::read_to_string(&journal).unwrap();
    // Rewritten with the same length (another tool, a bad merge): the
    // seal no longer matches.
    let changed = text.replacen("Again", "Hard ", 1);
    assert_ne!(changed, text);
    std::fs::write(&journal, &changed).unwrap();
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().state, StateSource::Rebuilt);
    assert_eq!(c.state(&item("b-2")).reps, 1);
    assert_ne!(observable(&c), expected);
    drop(c);
    // Put back: rebuilt again, to what it was.
    std::fs::write(&journal, &text).unwrap();
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().state, StateSource::Rebuilt);
    assert_eq!(observable(&c), expected);
}

#[test]
fn a_shortened_or_deleted_journal_rebuilds_the_state() {
    let dir = folder();
    let journal = dir.path().join("journal/test.ron");
    let text = std::fs::read_to_string(&journal).unwrap();
    let first = text.lines().next().unwrap();
    std::fs::write(&journal, format!("{first}\n")).unwrap();
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().state, StateSource::Rebuilt);
    assert_eq!(c.states().values().map(|s| s.reps).sum::<u32>(), 1);
    drop(c);
    std::fs::remove_file(&journal).unwrap();
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().state, StateSource::Rebuilt);
    assert!(c.states().is_empty());
}

#[test]
fn an_added_journal_is_replayed_from_its_start() {
    let dir = folder();
    let other = tempfile::tempdir().unwrap();
    write_decks(other.path(), &[("a.ron", deck_text("A", "a", 5))]);
    let mut laptop = open_as(other.path(), "laptop", t0());
    laptop
        .answer(&item("a-5"), Rating::Easy, mins(1), 1000)
        .unwrap();
    drop(laptop);
    std::fs::copy(
        other.path().join("journal/laptop.ron"),
        dir.path().join("journal/laptop.ron"),
    )
    .unwrap();
    let c = open(dir.path(), mins(2));
    assert_eq!(c.cache_use().state, StateSource::Cache);
    assert_eq!(c.cache_use().replayed, 1);
    assert_eq!(c.state(&item("a-5")).reps, 1);
}

#[test]
fn a_corrupted_state_copy_is_rebuilt() {
    let dir = folder();
    let expected = observable(&open(dir.path(), mins(1)));
    let path = cache_file(dir.path(), "state.bin");
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().state, StateSource::Rebuilt);
    assert_eq!(observable(&c), expected);
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
}

#[test]
fn a_state_ron_from_an_earlier_version_is_read_once_then_retired() {
    let dir = folder();
    let c = open(dir.path(), mins(1));
    let states = c.states().clone();
    let legacy = rehearse_core::store::Snapshot {
        version: rehearse_core::store::snapshot::SNAPSHOT_VERSION,
        journals: [(
            "test".to_string(),
            rehearse_core::store::JournalMark {
                bytes: std::fs::metadata(dir.path().join("journal/test.ron"))
                    .unwrap()
                    .len(),
                last_id: 2,
            },
        )]
        .into(),
        recent: Vec::new(),
        cards: c.states().clone(),
        deferred: Vec::new(),
    };
    drop(c);
    std::fs::remove_dir_all(dir.path().join(".cache")).unwrap();
    std::fs::write(dir.path().join("state.ron"), legacy.to_ron().unwrap()).unwrap();
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().state, StateSource::Legacy);
    assert_eq!(c.states(), &states);
    drop(c);
    assert!(!dir.path().join("state.ron").exists());
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().state, StateSource::Cache);
}

#[test]
fn a_read_only_open_writes_no_cache() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 3))]);
    std::fs::create_dir_all(dir.path().join("journal")).unwrap();
    let c = Collection::open(
        rehearse_core::collection::OpenOptions {
            root: dir.path().to_path_buf(),
            device: "test".into(),
            clock: None,
            read_only: true,
        },
        t0(),
    )
    .unwrap();
    assert_eq!(c.cache_use().decks_parsed, 1);
    drop(c);
    assert!(!dir.path().join(".cache").exists());
}

#[test]
fn editing_a_deck_keeps_its_copy_fresh() {
    let dir = folder();
    let mut c = open(dir.path(), mins(1));
    c.tag_cards(&[rehearse_core::CardId::new("a-1").unwrap()], "hot", true)
        .unwrap();
    drop(c);
    let c = open(dir.path(), mins(1));
    assert_eq!(c.cache_use().decks_cached, 2, "the edit refreshed the copy");
    assert!(
        c.card_of(&item("a-1"))
            .unwrap()
            .tags
            .contains(&"hot".into())
    );
}

// ----- with and without the cache -----

fn card_line(id: &str, kind: usize, text: &str) -> String {
    match kind {
        0 => format!(
            "    (id: \"{id}\", topic: \"T\", front: {text:?}, back: \"b\", added: \"2026-01-02T03:04:05.5Z\"),\n"
        ),
        1 => format!(
            "    (id: \"{id}\", kind: Reversed, tags: [\"x\", \"y\"], front: {text:?}, back: \"back {id}\"),\n"
        ),
        2 => format!(
            "    (id: \"{id}\", kind: Cloze, front: \"{{{{c1::{text}}}}} and {{{{c2::two}}}}\"),\n"
        ),
        _ => format!("    (front: {text:?}, back: \"derived id\", source: \"s\"),\n"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn open_without_the_cache_equals_open_with_it(
        decks in prop::collection::vec(prop::collection::vec((0..4usize, "[a-z ]{1,12}"), 0..6), 1..4),
        answers in prop::collection::vec((0..24usize, 0..4usize, 0..600i64), 0..20),
        broken in any::<bool>(),
        light in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for (d, cards) in decks.iter().enumerate() {
            let mut text = format!("(name: \"Deck {d}\", cards: [\n");
            for (i, (kind, words)) in cards.iter().enumerate() {
                text.push_str(&card_line(&format!("d{d}-{i}"), *kind, words));
            }
            text.push_str("])\n");
            files.push((format!("d{d}.ron"), text));
        }
        let refs: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
        write_decks(dir.path(), &refs);
        if broken {
            std::fs::write(dir.path().join("decks/zz.ron"), "(name: 3)").unwrap();
        }
        let mut c = open(dir.path(), t0());
        if light {
            // The first deck on a preset of its own: its limits and bury
            // rules count its cards.
            let mut s = c.settings().clone();
            s.add_preset("Light", None).unwrap();
            let mut p = s.preset("Light").unwrap();
            p.new_per_day = 2;
            p.bury_new_siblings = true;
            s.set_preset(p);
            s.assign_preset("d0", "Light").unwrap();
            c.save_settings(s).unwrap();
        }
        let items: Vec<ItemId> = c.items().iter().map(|i| i.id.clone()).collect();
        let mut now = t0();
        for (k, rating, after) in &answers {
            if items.is_empty() {
                break;
            }
            now = now.checked_add(jiff::SignedDuration::from_mins(*after)).unwrap();
            c.answer(&items[k % items.len()], Rating::ALL[*rating], now, 500).unwrap();
        }
        drop(c);
        let cached = open(dir.path(), now);
        prop_assert_eq!(cached.cache_use().decks_parsed, 0);
        prop_assert_eq!(cached.cache_use().state, StateSource::Cache);
        let with = observable_at(&cached, now);
        drop(cached);
        std::fs::remove_dir_all(dir.path().join(".cache")).unwrap();
        let fresh = open(dir.path(), now);
        prop_assert_eq!(fresh.cache_use().decks_cached, 0);
        prop_assert_eq!(fresh.cache_use().state, StateSource::Rebuilt);
        prop_assert_eq!(observable_at(&fresh, now), with);
    }
}

/// Reviews over weeks, so that load balancing picks the days of longer
/// intervals (recorded with each answer), under two presets: the snapshot
/// in the cache holds all of it, and gives what the journals alone give.
#[test]
fn balanced_days_and_presets_survive_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("a.ron", deck_text("A", "a", 40)),
            ("b.ron", deck_text("B", "b", 40)),
        ],
    );
    let mut c = open(dir.path(), t0());
    let mut s = c.settings().clone();
    s.add_preset("Keen", None).unwrap();
    let mut p = s.preset("Keen").unwrap();
    p.desired_retention = 0.95;
    p.new_per_day = 7;
    s.set_preset(p);
    s.assign_preset("b", "Keen").unwrap();
    c.save_settings(s).unwrap();
    let items: Vec<ItemId> = c.items().iter().map(|i| i.id.clone()).collect();
    let mut now = t0();
    for day in 0..30 {
        for id in items.iter().skip(day % 3).step_by(3) {
            c.answer(id, Rating::Good, now, 800).unwrap();
        }
        now = now
            .checked_add(jiff::SignedDuration::from_hours(24))
            .unwrap();
    }
    // Answers of the last day, so that today's kept answers carry days.
    for id in items.iter().take(10) {
        c.answer(id, Rating::Easy, now, 800).unwrap();
    }
    c.save_snapshot().unwrap();
    drop(c);
    let journal = std::fs::read_to_string(dir.path().join("journal/test.ron")).unwrap();
    assert!(journal.contains(",days:Some("), "load balancing chose days");

    let cached = open(dir.path(), now);
    assert_eq!(cached.cache_use().state, StateSource::Cache);
    assert_eq!(cached.cache_use().replayed, 0);
    assert!(
        cached.answers_today(now).any(|r| r.days.is_some()),
        "today's answers keep their days"
    );
    let with = observable_at(&cached, now);
    drop(cached);
    std::fs::remove_dir_all(dir.path().join(".cache")).unwrap();
    let fresh = open(dir.path(), now);
    assert_eq!(fresh.cache_use().state, StateSource::Rebuilt);
    assert_eq!(observable_at(&fresh, now), with);
}

// ----- deck counts and sort keys kept between changes -----

/// Today's deck counts and the browser's text sorts (by id, both ways): the
/// live collection keeps these between changes; a read-only copy opened
/// now works them out afresh.
fn kept_figures(c: &Collection, now: jiff::Timestamp) -> String {
    use rehearse_core::search::{SortColumn, sort};
    let mut out = format!("{:?}\n", c.deck_counts(now));
    for column in [SortColumn::Front, SortColumn::Topic, SortColumn::Tags] {
        for descending in [false, true] {
            let mut rows: Vec<usize> = (0..c.items().len()).collect();
            sort(c, &mut rows, column, descending, now);
            let ids: Vec<String> = rows.iter().map(|&r| c.items()[r].id.to_string()).collect();
            out.push_str(&format!("{column:?} {descending}: {ids:?}\n"));
        }
    }
    out
}

fn fresh_figures(root: &Path, now: jiff::Timestamp) -> String {
    let copy = Collection::open(
        rehearse_core::collection::OpenOptions {
            root: root.to_path_buf(),
            device: "test".into(),
            clock: Some(rehearse_core::schedule::DayClock::new(
                jiff::tz::TimeZone::UTC,
                4,
            )),
            read_only: true,
        },
        now,
    )
    .unwrap();
    kept_figures(&copy, now)
}

#[test]
fn kept_deck_counts_and_sort_keys_follow_every_change() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("a.ron", deck_text("A", "a", 8)),
            ("b.ron", deck_text("B", "b", 8)),
        ],
    );
    let mut c = open(dir.path(), t0());
    let mut now = mins(1);
    let card = |s: &str| rehearse_core::CardId::new(s).unwrap();
    type Step = Box<dyn Fn(&mut Collection, jiff::Timestamp)>;
    let steps: Vec<(&str, Step)> = vec![
        (
            "answer",
            Box::new(|c, now| {
                c.answer(&item("a-1"), Rating::Good, now, 1000).unwrap();
                c.answer(&item("a-2"), Rating::Again, now, 1000).unwrap();
            }),
        ),
        (
            "undo",
            Box::new(|c, now| {
                c.undo(now).unwrap();
            }),
        ),
        (
            "suspend",
            Box::new(|c, now| {
                c.suspend_items(&[item("a-3")], true, now).unwrap();
            }),
        ),
        (
            "bury",
            Box::new(|c, now| {
                c.bury_items(&[item("b-1")], now).unwrap();
            }),
        ),
        (
            "default limits",
            Box::new(|c, _| {
                let mut s = c.settings().clone();
                let mut p = s.default_preset();
                p.new_per_day = 3;
                s.set_preset(p);
                c.save_settings(s).unwrap();
            }),
        ),
        (
            "a preset for b",
            Box::new(|c, _| {
                let mut s = c.settings().clone();
                s.add_preset("Few", None).unwrap();
                let mut p = s.preset("Few").unwrap();
                p.new_per_day = 1;
                s.set_preset(p);
                c.save_settings(s).unwrap();
                c.set_deck_preset("b", "Few").unwrap();
            }),
        ),
        (
            "tag",
            Box::new(move |c, _| {
                c.tag_cards(&[card("a-4")], "zz", true).unwrap();
            }),
        ),
        (
            "move",
            Box::new(move |c, _| {
                c.move_cards(&[card("a-5")], "b").unwrap();
            }),
        ),
        (
            "delete",
            Box::new(move |c, _| {
                c.delete_cards(&[card("b-2")]).unwrap();
            }),
        ),
        (
            "reset",
            Box::new(|c, now| {
                c.reset_items(&[item("a-1")], now).unwrap();
            }),
        ),
        (
            "undo an edit",
            Box::new(|c, now| {
                c.undo(now).unwrap();
            }),
        ),
        ("nothing, a day later", Box::new(|_, _| {})),
    ];
    for (what, step) in steps {
        // Asked for before the change, so a kept copy is there to go stale.
        kept_figures(&c, now);
        if what.ends_with("a day later") {
            now = now
                .checked_add(jiff::SignedDuration::from_hours(24))
                .unwrap();
        }
        step(&mut c, now);
        assert_eq!(
            kept_figures(&c, now),
            fresh_figures(dir.path(), now),
            "after: {what}"
        );
    }
}

// ----- the review history -----

/// Everything a history holds, as text to compare.
fn history_of(h: &rehearse_core::collection::History) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        h.answers, h.items, h.item_of, h.points, h.mocks, h.warnings
    )
}

/// The history replayed from every journal, with no cache to read.
fn history_without_cache(root: &Path, now: jiff::Timestamp) -> String {
    let scratch = tempfile::tempdir().unwrap();
    for sub in ["decks", "journal"] {
        std::fs::create_dir_all(scratch.path().join(sub)).unwrap();
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(
                entry.path(),
                scratch.path().join(sub).join(entry.file_name()),
            )
            .unwrap();
        }
    }
    std::fs::copy(
        root.join("settings.ron"),
        scratch.path().join("settings.ron"),
    )
    .ok();
    let c = open(scratch.path(), now);
    let h = c.history_loader().unwrap().load().unwrap();
    assert_eq!(h.source, HistorySource::Journals);
    history_of(&h)
}

#[test]
fn the_history_is_read_from_the_cache_and_appended_lines_go_on_top() {
    use rehearse_core::collection::HistorySource;
    let dir = folder();
    let c = open(dir.path(), mins(1));
    let first = c.history_loader().unwrap().load().unwrap();
    assert_eq!(first.source, HistorySource::Journals);
    assert!(cache_file(dir.path(), "history.bin").exists());
    let again = c.history_loader().unwrap().load().unwrap();
    assert_eq!(again.source, HistorySource::Cache { replayed: 0 });
    assert_eq!(history_of(&again), history_of(&first));
    drop(c);

    // Answers, a suspension and an undone answer appended since.
    let mut c = open(dir.path(), mins(2));
    c.answer(&item("a-1"), Rating::Hard, mins(2), 1000).unwrap();
    c.answer(&item("a-3"), Rating::Good, mins(3), 1000).unwrap();
    c.answer(&item("b-4"), Rating::Again, mins(4), 1000)
        .unwrap();
    c.undo(mins(4)).unwrap();
    c.suspend_items(&[item("b-5")], true, mins(5)).unwrap();
    let on_top = c.history_loader().unwrap().load().unwrap();
    assert!(
        matches!(on_top.source, HistorySource::Cache { replayed } if replayed == 5),
        "{:?}",
        on_top.source
    );
    assert_eq!(on_top.answers.len(), 4);
    assert_eq!(
        history_of(&on_top),
        history_without_cache(dir.path(), mins(6))
    );
    // A short tail is not worth rewriting the cache for: the next load
    // replays it again, to the same history.
    let next = c.history_loader().unwrap().load().unwrap();
    assert_eq!(next.source, HistorySource::Cache { replayed: 5 });
    assert_eq!(history_of(&next), history_of(&on_top));
}

#[test]
fn an_undo_of_a_cached_answer_or_other_options_replay_the_history() {
    use rehearse_core::collection::HistorySource;
    let dir = folder();
    let mut c = open(dir.path(), mins(1));
    c.answer(&item("a-4"), Rating::Good, mins(1), 1000).unwrap();
    assert_eq!(
        c.history_loader().unwrap().load().unwrap().source,
        HistorySource::Journals
    );
    // The undo takes back an answer the cache holds: everything is replayed.
    c.undo(mins(2)).unwrap();
    let h = c.history_loader().unwrap().load().unwrap();
    assert_eq!(h.source, HistorySource::Journals);
    assert_eq!(history_of(&h), history_without_cache(dir.path(), mins(3)));
    // Other learning steps change how answers replay: not the cached ones.
    let mut settings = c.settings().clone();
    settings.learning_steps = vec!["5m".parse().unwrap()];
    c.save_settings(settings).unwrap();
    let h = c.history_loader().unwrap().load().unwrap();
    assert_eq!(h.source, HistorySource::Journals);
    assert_eq!(history_of(&h), history_without_cache(dir.path(), mins(3)));
}

#[test]
fn a_changed_journal_or_damaged_history_copy_replays_the_history() {
    use rehearse_core::collection::HistorySource;
    let dir = folder();
    let c = open(dir.path(), mins(1));
    c.history_loader().unwrap().load().unwrap();
    // Damaged: ignored and rewritten.
    let path = cache_file(dir.path(), "history.bin");
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let h = c.history_loader().unwrap().load().unwrap();
    assert_eq!(h.source, HistorySource::Journals);
    drop(c);
    // A journal rewritten in place: the seal no longer matches.
    let journal = dir.path().join("journal/test.ron");
    let text = std::fs::read_to_string(&journal).unwrap();
    std::fs::write(&journal, text.replacen("Again", "Hard ", 1)).unwrap();
    let c = open(dir.path(), mins(1));
    let h = c.history_loader().unwrap().load().unwrap();
    assert_eq!(h.source, HistorySource::Journals);
    assert_eq!(h.answers[1].rating, Rating::Hard);
    assert_eq!(history_of(&h), history_without_cache(dir.path(), mins(2)));
}

#[test]
fn a_read_only_look_writes_no_history_cache() {
    let dir = folder();
    let _ = std::fs::remove_file(cache_file(dir.path(), "history.bin"));
    let c = rehearse_core::collection::Collection::open(
        rehearse_core::collection::OpenOptions {
            root: dir.path().to_path_buf(),
            device: "test".into(),
            clock: Some(rehearse_core::schedule::DayClock::new(
                jiff::tz::TimeZone::UTC,
                4,
            )),
            read_only: true,
        },
        mins(1),
    )
    .unwrap();
    c.history_loader().unwrap().load().unwrap();
    assert!(!cache_file(dir.path(), "history.bin").exists());
}

#[test]
fn a_long_tail_is_written_back_to_the_history_cache() {
    use rehearse_core::collection::HistorySource;
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 1200))]);
    let mut c = open(dir.path(), t0());
    c.answer(&item("a-1"), Rating::Good, t0(), 1000).unwrap();
    c.history_loader().unwrap().load().unwrap();
    for i in 2..=1100 {
        c.answer(&item(&format!("a-{i}")), Rating::Good, mins(1), 1000)
            .unwrap();
    }
    let h = c.history_loader().unwrap().load().unwrap();
    assert_eq!(h.source, HistorySource::Cache { replayed: 1099 });
    let next = c.history_loader().unwrap().load().unwrap();
    assert_eq!(next.source, HistorySource::Cache { replayed: 0 });
    assert_eq!(history_of(&next), history_of(&h));
}
