//! Importing real Anki packages (made by Anki's own library, see
//! scripts/anki-fixtures.py) into a collection: preview first, then cards,
//! media, history and scheduling; a second import changes nothing.

mod common;

use std::path::Path;

use common::*;
use rehearse_core::interop::package::{apply_anki_import, plan_anki_import};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/anki")
            .join(name),
    )
    .unwrap()
}

fn import_fixture(name: &str) {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[]);
    let mut c = open(dir.path(), days(1000));
    let plan = plan_anki_import(&fixture(name)).unwrap();
    assert!(!plan.converted.cards.is_empty());
    let expected = format!(
        "{} cards in {} decks; ",
        plan.converted.cards.len(),
        plan.decks().len()
    );
    assert!(plan.summary().starts_with(&expected), "{}", plan.summary());
    assert!(plan.studied() > 0 && plan.studied() <= plan.converted.items.len());
    // The preview wrote nothing.
    assert_eq!(
        std::fs::read_dir(dir.path().join("decks")).unwrap().count(),
        0
    );

    let report = apply_anki_import(&mut c, &plan, days(1000)).unwrap();
    assert_eq!(report.added, plan.converted.cards.len());
    assert_eq!(report.reviews, plan.reviews());
    assert_eq!(report.media, plan.package.media.len());
    for name in plan.package.media.keys() {
        assert!(dir.path().join("media").join(name).exists());
    }
    for (deck, n) in plan.decks() {
        let d = c.decks().iter().find(|d| d.name == deck).unwrap();
        assert_eq!(d.cards.len(), n);
    }
    // Scheduling came along: every item's state is Anki's, suspensions too.
    for p in &plan.converted.items {
        assert_eq!(c.state(&p.item), &p.state, "{}", p.item);
    }
    assert!(plan.suspended() > 0, "the fixture has a suspended card");
    // The history feeds statistics and the optimiser.
    let history = c.history_loader().unwrap().load().unwrap();
    assert_eq!(history.answers.len(), plan.reviews());

    // Importing the same package again changes nothing.
    let again = apply_anki_import(&mut c, &plan, days(1001)).unwrap();
    assert_eq!(
        (
            again.added,
            again.updated,
            again.reviews,
            again.states,
            again.media
        ),
        (0, 0, 0, 0, 0)
    );
    assert_eq!(again.journal, None);
    let states = c.states().clone();
    drop(c);
    let c = open(dir.path(), days(1001));
    assert_eq!(
        c.states(),
        &states,
        "the journal replays to the same states"
    );
}

#[test]
fn imports_the_current_format() {
    import_fixture("fixture.apkg");
}

#[test]
fn imports_the_legacy_format() {
    import_fixture("fixture-legacy.apkg");
}

#[test]
fn imports_a_collection_package() {
    import_fixture("fixture.colpkg");
}

#[test]
fn an_updated_package_updates_the_changed_cards_and_keeps_progress() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[]);
    let mut c = open(dir.path(), days(1000));
    let mut plan = plan_anki_import(&fixture("fixture.apkg")).unwrap();
    apply_anki_import(&mut c, &plan, days(1000)).unwrap();
    let changed = plan.converted.cards[0].card.id.clone();
    let item = rehearse_core::ItemId::forward(changed.clone());
    let progress = c.state(&item).clone();
    plan.converted.cards[0].card.back = "Reworded in Anki".into();
    // Anki marks the note as changed.
    plan.converted.cards[0].card.modified = Some(days(1001));
    let r = apply_anki_import(&mut c, &plan, days(1001)).unwrap();
    assert_eq!((r.added, r.updated), (0, 1));
    let card = c
        .decks()
        .iter()
        .flat_map(|d| &d.cards)
        .find(|x| x.id == changed)
        .unwrap();
    assert_eq!(card.back, "Reworded in Anki");
    assert_eq!(c.state(&item), &progress);
}
