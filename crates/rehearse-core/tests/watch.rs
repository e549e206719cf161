//! Files changed on disk while the app runs: deck files edited elsewhere
//! reload, the app's own writes change nothing, and journals from other
//! machines merge into the open collection.

mod common;

use std::time::{Duration, Instant};

use common::*;
use rehearse_core::ItemId;
use rehearse_core::deck::{Card, CardId, CardKind};
use rehearse_core::schedule::Rating;
use rehearse_core::store::watch::DataWatcher;

fn item(s: &str) -> ItemId {
    s.parse().unwrap()
}

#[test]
fn a_deck_edited_on_disk_reloads_and_own_writes_do_not() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 2))]);
    let mut c = open(dir.path(), t0());
    let path = dir.path().join("decks/a.ron");
    // The app's own write.
    c.save_card(
        "a",
        None,
        Card {
            id: CardId::new("mine").unwrap(),
            id_pinned: true,
            kind: CardKind::Basic,
            front: "Mine?".into(),
            back: "Yes".into(),
            topic: "T".into(),
            tags: vec![],
            source: None,
            rubric: Default::default(),
            modified: None,
            added: None,
        },
        jiff::Timestamp::now(),
    )
    .unwrap();
    let report = c
        .on_files_changed(std::slice::from_ref(&path), t0())
        .unwrap();
    assert!(report.decks.is_empty(), "{report:?}");
    // Someone edits the file in a text editor.
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Question a 1?", "Edited in vim?");
    std::fs::write(&path, text).unwrap();
    let report = c
        .on_files_changed(std::slice::from_ref(&path), t0())
        .unwrap();
    assert_eq!(report.decks, ["a"]);
    assert_eq!(c.card_of(&item("a-1")).unwrap().front, "Edited in vim?");
    // A broken edit is reported and the other decks keep working.
    std::fs::write(&path, "(name: \"A\", cards: [").unwrap();
    c.on_files_changed(std::slice::from_ref(&path), t0())
        .unwrap();
    assert_eq!(c.deck_errors().len(), 1);
    // A new deck file appears.
    let b = dir.path().join("decks/b.ron");
    std::fs::write(&b, deck_text("B", "b", 1)).unwrap();
    let report = c.on_files_changed(&[b], t0()).unwrap();
    assert_eq!(report.decks, ["b"]);
    assert!(c.card_of(&item("b-1")).is_some());
}

#[test]
fn journals_from_another_machine_merge_into_the_open_collection() {
    let here = tempfile::tempdir().unwrap();
    let there = tempfile::tempdir().unwrap();
    for d in [&here, &there] {
        write_decks(d.path(), &[("a.ron", deck_text("A", "a", 3))]);
    }
    let mut laptop = open_as(here.path(), "laptop", t0());
    laptop
        .answer(&item("a-1"), Rating::Good, mins(0), 1)
        .unwrap();
    laptop
        .answer(&item("a-1"), Rating::Good, mins(10), 1)
        .unwrap();
    {
        let mut desktop = open_as(there.path(), "desktop", t0());
        desktop
            .answer(&item("a-2"), Rating::Easy, mins(5), 1)
            .unwrap();
        // Answered on the desktop before the laptop's second answer: the merge
        // must replay in time order, not append.
        desktop
            .answer(&item("a-1"), Rating::Again, mins(7), 1)
            .unwrap();
    }
    let copied = here.path().join("journal/desktop.ron");
    std::fs::copy(there.path().join("journal/desktop.ron"), &copied).unwrap();
    let report = laptop.on_files_changed(&[copied], mins(20)).unwrap();
    assert_eq!(report.merged, 2);
    assert_eq!(laptop.state(&item("a-2")).reps, 1);
    assert_eq!(laptop.state(&item("a-1")).reps, 3);
    let merged = laptop.states().clone();
    drop(laptop);
    let _ = std::fs::remove_dir_all(here.path().join(".cache"));
    let fresh = open_as(here.path(), "laptop", mins(20));
    assert_eq!(
        fresh.states(),
        &merged,
        "the same as replaying both journals from scratch"
    );
}

#[test]
fn the_watcher_reports_changed_deck_and_journal_files() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 1))]);
    std::fs::create_dir_all(dir.path().join("journal")).unwrap();
    let watcher = DataWatcher::new(dir.path(), || {}).unwrap();
    std::fs::write(dir.path().join("decks/a.ron"), deck_text("A", "a", 2)).unwrap();
    std::fs::write(dir.path().join("journal/other.ron"), "").unwrap();
    std::fs::write(dir.path().join("decks/notes.txt"), "ignored").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = std::collections::BTreeSet::new();
    while Instant::now() < deadline && seen.len() < 2 {
        seen.extend(watcher.take_changes());
        std::thread::sleep(Duration::from_millis(20));
    }
    let names: Vec<String> = seen
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"a.ron".to_string()), "{names:?}");
    assert!(names.contains(&"other.ron".to_string()), "{names:?}");
    assert!(!names.contains(&"notes.txt".to_string()));
}

#[test]
fn a_sync_conflict_copy_is_offered_as_a_choice_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 2))]);
    let theirs = deck_text("A", "a", 3).replace("Question a 1?", "Their wording?");
    let copy = dir
        .path()
        .join("decks/a.sync-conflict-20261122-101010-ABCDEFG.ron");
    std::fs::write(&copy, &theirs).unwrap();
    std::fs::write(
        dir.path().join("decks/a (conflicted copy 2026-11-22).ron"),
        &theirs,
    )
    .unwrap();
    let mut c = open(dir.path(), t0());
    assert_eq!(
        c.decks().len(),
        1,
        "conflict copies are not decks of their own"
    );
    assert!(c.deck_problems().is_empty(), "{:?}", c.deck_problems());
    let conflicts = c.deck_conflicts();
    assert_eq!(conflicts.len(), 2);
    assert!(conflicts.iter().all(|k| k.slug == "a"));
    let mine = std::fs::read_to_string(dir.path().join("decks/a.ron")).unwrap();

    // Keep the other version: it becomes the deck, this one goes to the trash.
    let syncthing = conflicts.iter().find(|k| k.path == copy).unwrap().clone();
    c.resolve_conflict(&syncthing, true, t0()).unwrap();
    assert_eq!(c.card_of(&item("a-1")).unwrap().front, "Their wording?");
    assert!(c.card_of(&item("a-3")).is_some());
    assert!(!copy.exists());
    let trashed: Vec<String> = std::fs::read_dir(dir.path().join("trash"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(trashed, std::slice::from_ref(&mine));
    // Undo puts everything back.
    c.undo(t0()).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("decks/a.ron")).unwrap(),
        mine
    );
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), theirs);
    // Keep this machine's version: the copy goes to the trash.
    c.resolve_conflict(&syncthing, false, t0()).unwrap();
    assert!(!copy.exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("decks/a.ron")).unwrap(),
        mine
    );
    assert_eq!(c.deck_conflicts().len(), 1);
}

#[test]
fn a_conflict_copy_is_compared_card_by_card() {
    let dir = tempfile::tempdir().unwrap();
    // This machine: a-1, a-2, a-3; the other: a-1 reworded, a-2, a-4.
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 3))]);
    let theirs = deck_text("A", "a", 4)
        .replace("Question a 1?", "Their wording?")
        .replace("a-3", "a-9")
        .replace("(name: \"A\"", "(name: \"Theirs\"");
    let copy = dir.path().join("decks/a.sync-conflict-20261122-1.ron");
    std::fs::write(&copy, &theirs).unwrap();
    let c = open(dir.path(), t0());
    let conflict = c.deck_conflicts().pop().unwrap();
    let compared = c.compare_conflict(&conflict);
    assert_eq!(compared.conflict, conflict);
    let mine = compared.mine.clone().unwrap();
    let other = compared.other.clone().unwrap();
    assert_eq!((mine.name.as_str(), mine.cards), ("A", 3));
    assert_eq!((other.name.as_str(), other.cards), ("Theirs", 4));
    assert_eq!(compared.only_mine, ["Question a 3?"]);
    assert_eq!(compared.only_other, ["Question a 3?", "Question a 4?"]);
    assert_eq!(compared.changed, ["Question a 1?"]);

    // A copy that does not parse cannot be kept; nothing is listed.
    std::fs::write(&copy, "(name: \"broken\", cards: [").unwrap();
    let compared = c.compare_conflict(&conflict);
    assert!(compared.other.is_err());
    assert!(compared.only_mine.is_empty() && compared.changed.is_empty());
}

/// Runs git in `dir`, with an identity so commits work on any machine.
fn git(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn two_machines_in_step_through_a_git_merge() {
    let base = tempfile::tempdir().unwrap();
    let a = base.path().join("laptop");
    let b = base.path().join("desktop");
    std::fs::create_dir_all(&a).unwrap();
    write_decks(&a, &[("a.ron", deck_text("A", "a", 4))]);
    std::fs::write(a.join(".gitignore"), "state.ron\n.lock\n").unwrap();
    drop(open_as(&a, "laptop", t0()));
    git(&a, &["init", "-q"]);
    git(&a, &["add", "-A"]);
    git(&a, &["commit", "-qm", "start"]);
    git(base.path(), &["clone", "-q", "laptop", "desktop"]);

    // Offline on both machines, the same card included.
    {
        let mut c = open_as(&a, "laptop", t0());
        c.answer(&item("a-1"), Rating::Good, mins(0), 1).unwrap();
        c.answer(&item("a-1"), Rating::Good, mins(10), 1).unwrap();
        c.answer(&item("a-2"), Rating::Easy, mins(11), 1).unwrap();
    }
    git(&a, &["add", "-A"]);
    git(&a, &["commit", "-qm", "laptop"]);
    {
        let mut c = open_as(&b, "desktop", t0());
        c.answer(&item("a-1"), Rating::Again, mins(5), 1).unwrap();
        c.answer(&item("a-3"), Rating::Hard, mins(6), 1).unwrap();
    }
    git(&b, &["add", "-A"]);
    git(&b, &["commit", "-qm", "desktop"]);

    // Merge both ways: the journals are different files, so nothing conflicts.
    git(
        &a,
        &[
            "pull",
            "-q",
            "--no-rebase",
            "--no-edit",
            "../desktop",
            "main",
        ],
    );
    git(
        &b,
        &["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"],
    );
    let sa = open_as(&a, "laptop", mins(30)).states().clone();
    let sb = open_as(&b, "desktop", mins(30)).states().clone();
    assert_eq!(sa, sb);
    assert_eq!(sa[&item("a-1")].reps, 3, "no review lost");
    assert_eq!(sa.len(), 3);
}
