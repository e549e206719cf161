//! Editing decks and cards from the app, and undoing every edit.

mod common;

use common::*;
use rehearse_core::ItemId;
use rehearse_core::collection::EditError;
use rehearse_core::deck::{Card, CardId, CardKind};
use rehearse_core::schedule::{CardState, Phase, Rating};

fn card(id: &str, front: &str) -> Card {
    Card {
        id: CardId::new(id).unwrap(),
        id_pinned: true,
        kind: CardKind::Basic,
        front: front.into(),
        back: "Answer".into(),
        topic: "T".into(),
        tags: vec!["x".into()],
        source: None,
        rubric: Default::default(),
        modified: None,
        added: None,
    }
}

fn item(s: &str) -> ItemId {
    s.parse().unwrap()
}

#[test]
fn decks_are_created_renamed_and_deleted_to_the_trash_with_undo() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 2))]);
    let mut c = open(dir.path(), t0());
    let slug = c
        .create_deck("System Design: Basics", "Scaling and such")
        .unwrap();
    assert_eq!(slug, "system-design-basics");
    assert!(dir.path().join("decks/system-design-basics.ron").exists());
    assert!(matches!(
        c.create_deck("system design: basics", ""),
        Err(EditError::BadDeckName(_))
    ));
    assert!(matches!(
        c.create_deck("  ", ""),
        Err(EditError::BadDeckName(_))
    ));

    c.update_deck(&slug, "System design", "Renamed").unwrap();
    let d = c.decks().iter().find(|d| d.slug == slug).unwrap();
    assert_eq!(
        (d.name.as_str(), d.description.as_str()),
        ("System design", "Renamed")
    );

    // Delete the deck with progress in it: the file goes to the trash.
    c.answer(&item("a-1"), Rating::Good, t0(), 1).unwrap();
    let original = std::fs::read_to_string(dir.path().join("decks/a.ron")).unwrap();
    c.delete_deck("a", t0()).unwrap();
    assert!(!dir.path().join("decks/a.ron").exists());
    let trashed: Vec<_> = std::fs::read_dir(dir.path().join("trash"))
        .unwrap()
        .collect();
    assert_eq!(trashed.len(), 1);
    assert!(c.decks().iter().all(|d| d.slug != "a"));
    assert_eq!(c.undo_label(), Some("delete deck \"A\""));
    c.undo(t0()).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("decks/a.ron")).unwrap(),
        original
    );
    assert_eq!(
        std::fs::read_dir(dir.path().join("trash")).unwrap().count(),
        0
    );
    assert_eq!(c.state(&item("a-1")).reps, 1, "progress survived");
    // One history: the answer came after the rename, so it is undone first.
    assert_eq!(
        label(c.undo(t0()).unwrap()).as_deref(),
        Some("answer to a-1")
    );
    assert_eq!(c.state(&item("a-1")).reps, 0);
    // Undo the rename, then the creation.
    c.undo(t0()).unwrap();
    assert_eq!(
        c.decks().iter().find(|d| d.slug == slug).unwrap().name,
        "System Design: Basics"
    );
    c.undo(t0()).unwrap();
    assert!(!dir.path().join("decks/system-design-basics.ron").exists());
    assert_eq!(label(c.undo(t0()).unwrap()), None);
}

#[test]
fn cards_are_added_edited_and_moved_keeping_progress() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("a.ron", deck_text("A", "a", 1)),
            ("b.ron", deck_text("B", "b", 1)),
        ],
    );
    let mut c = open(dir.path(), t0());
    c.save_card(
        "a",
        None,
        card("new-1", "What is new?"),
        jiff::Timestamp::now(),
    )
    .unwrap();
    assert_eq!(c.card_of(&item("new-1")).unwrap().front, "What is new?");
    c.answer(&item("new-1"), Rating::Easy, t0(), 1).unwrap();
    let progress = c.state(&item("new-1")).clone();
    assert_eq!(progress.phase, Phase::Review);

    // Edit the text: progress stays.
    let mut edited = card("new-1", "What is new, reworded?");
    edited.back = "Different answer".into();
    c.save_card(
        "a",
        Some(&CardId::new("new-1").unwrap()),
        edited,
        jiff::Timestamp::now(),
    )
    .unwrap();
    assert_eq!(
        c.card_of(&item("new-1")).unwrap().front,
        "What is new, reworded?"
    );
    assert_eq!(c.state(&item("new-1")), &progress);

    // Move it to deck b through the editor: progress stays.
    c.save_card(
        "b",
        Some(&CardId::new("new-1").unwrap()),
        card("new-1", "Moved?"),
        jiff::Timestamp::now(),
    )
    .unwrap();
    assert_eq!(c.deck_of(&item("new-1")).unwrap().slug, "b");
    assert_eq!(c.state(&item("new-1")), &progress);
    drop(c);
    let c = open(dir.path(), t0());
    assert_eq!(c.deck_of(&item("new-1")).unwrap().slug, "b");
    assert_eq!(c.state(&item("new-1")), &progress);
    assert_eq!(
        c.decks()
            .iter()
            .find(|d| d.slug == "a")
            .unwrap()
            .cards
            .len(),
        1
    );
}

#[test]
fn invalid_cards_and_taken_ids_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 1))]);
    let before = std::fs::read_to_string(dir.path().join("decks/a.ron")).unwrap();
    let mut c = open(dir.path(), t0());
    let err = c
        .save_card("a", None, card("a-1", "Same id"), jiff::Timestamp::now())
        .unwrap_err();
    assert!(matches!(err, EditError::DuplicateId { .. }), "{err}");
    let mut empty = card("z", "   ");
    empty.back = String::new();
    let err = c
        .save_card("a", None, empty, jiff::Timestamp::now())
        .unwrap_err();
    assert!(err.to_string().contains("front is empty"), "{err}");
    let mut cloze = card("z", "no deletion here");
    cloze.kind = CardKind::Cloze;
    let err = c
        .save_card("a", None, cloze, jiff::Timestamp::now())
        .unwrap_err();
    assert!(err.to_string().contains("{{c1::"), "{err}");
    assert!(matches!(
        c.save_card("nope", None, card("z", "Q"), jiff::Timestamp::now()),
        Err(EditError::NoSuchDeck(_))
    ));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("decks/a.ron")).unwrap(),
        before
    );
}

#[test]
fn bulk_tag_move_delete_suspend_reset_and_undo_each() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("a.ron", deck_text("A", "a", 4)),
            ("b.ron", deck_text("B", "b", 1)),
        ],
    );
    let mut c = open(dir.path(), t0());
    let ids: Vec<CardId> = ["a-1", "a-2"]
        .iter()
        .map(|s| CardId::new(*s).unwrap())
        .collect();
    let items: Vec<ItemId> = ids.iter().cloned().map(ItemId::forward).collect();
    c.answer(&items[0], Rating::Easy, t0(), 1).unwrap();
    let learned = c.state(&items[0]).clone();

    assert_eq!(c.tag_cards(&ids, "interview", true).unwrap(), 2);
    assert!(
        c.card_of(&items[1])
            .unwrap()
            .tags
            .contains(&"interview".to_string())
    );
    assert!(c.tag_cards(&ids, "two words", true).is_err());
    assert_eq!(c.move_cards(&ids, "b").unwrap(), 2);
    assert_eq!(c.deck_of(&items[0]).unwrap().slug, "b");
    assert_eq!(c.suspend_items(&items, true, t0()).unwrap(), 2);
    assert!(c.state(&items[1]).suspended);
    assert_eq!(c.reset_items(&items, mins(1)).unwrap(), 2);
    assert_eq!(c.state(&items[0]).phase, Phase::New);
    assert!(c.state(&items[0]).suspended, "a reset keeps the suspension");
    assert_eq!(c.delete_cards(&ids).unwrap(), 2);
    assert!(c.card_of(&items[0]).is_none());

    // Undo everything, newest first.
    assert_eq!(
        label(c.undo(mins(2)).unwrap()).as_deref(),
        Some("delete 2 cards")
    );
    assert!(c.card_of(&items[0]).is_some());
    assert_eq!(
        label(c.undo(mins(2)).unwrap()).as_deref(),
        Some("reset 2 cards")
    );
    assert_eq!(c.state(&items[0]).phase, Phase::Review);
    assert!(
        label(c.undo(mins(2)).unwrap())
            .unwrap()
            .starts_with("suspend")
    );
    assert!(!c.state(&items[0]).suspended);
    assert_eq!(c.state(&items[0]), &learned);
    assert!(label(c.undo(mins(2)).unwrap()).unwrap().starts_with("move"));
    assert_eq!(c.deck_of(&items[0]).unwrap().slug, "a");
    assert!(label(c.undo(mins(2)).unwrap()).unwrap().starts_with("tag"));
    assert!(
        c.card_of(&items[1])
            .unwrap()
            .tags
            .iter()
            .all(|t| t != "interview")
    );
    let live = c.states().clone();
    drop(c);
    // The journal replays to the same states.
    let _ = std::fs::remove_dir_all(dir.path().join(".cache"));
    let c = open(dir.path(), mins(3));
    let clean = |m: &std::collections::HashMap<ItemId, CardState>| {
        let mut v: Vec<_> = m
            .iter()
            .filter(|(_, s)| **s != CardState::new())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    assert_eq!(clean(c.states()), clean(&live));
}

#[test]
fn undo_never_overwrites_a_change_made_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 1))]);
    let mut c = open(dir.path(), t0());
    c.save_card("a", None, card("new-1", "Q?"), jiff::Timestamp::now())
        .unwrap();
    let hand_edit =
        "(name: \"A\", cards: [(id: \"hand\", front: \"Edited in vim\", back: \"!\")])\n";
    std::fs::write(dir.path().join("decks/a.ron"), hand_edit).unwrap();
    let err = c.undo(t0()).unwrap_err();
    assert!(matches!(err, EditError::ChangedOnDisk(_)), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("decks/a.ron")).unwrap(),
        hand_edit
    );
}

#[test]
fn importing_twice_changes_nothing_and_updates_keep_progress() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 1))]);
    let mut c = open(dir.path(), t0());
    let file = vec![
        ("Imported".to_string(), card("imp-1", "First?")),
        ("Imported".to_string(), card("imp-2", "Second?")),
        ("A".to_string(), card("imp-3", "Into A?")),
    ];
    let r = c.import_cards(file.clone()).unwrap();
    assert_eq!((r.added, r.updated, r.unchanged), (3, 0, 0));
    assert_eq!(r.new_decks, ["Imported"]);
    assert_eq!(c.deck_of(&item("imp-3")).unwrap().slug, "a");
    c.answer(&item("imp-1"), Rating::Easy, t0(), 1).unwrap();
    let progress = c.state(&item("imp-1")).clone();

    let again = c.import_cards(file.clone()).unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 3));
    assert!(again.new_decks.is_empty());

    let mut changed = file;
    changed[0].1.back = "A better answer".into();
    let r = c.import_cards(changed).unwrap();
    assert_eq!((r.added, r.updated, r.unchanged), (0, 1, 2));
    assert_eq!(c.card_of(&item("imp-1")).unwrap().back, "A better answer");
    assert_eq!(c.state(&item("imp-1")), &progress);
    c.undo(t0()).unwrap();
    assert_eq!(c.card_of(&item("imp-1")).unwrap().back, "Answer");
}

/// The label of what an undo took back (`None`: nothing was undone).
fn label(undone: Option<rehearse_core::collection::Undone>) -> Option<String> {
    match undone? {
        rehearse_core::collection::Undone::Edit { label, .. } => Some(label),
        rehearse_core::collection::Undone::Answer(item) => Some(format!("answer to {item}")),
    }
}
