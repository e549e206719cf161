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

// ----- large imports: progress, cancel, and a fresh cache afterwards -----

mod large {
    use std::ops::ControlFlow;
    use std::path::Path;

    use super::common::*;
    use jiff::SignedDuration;
    use rehearse_core::collection::StateSource;
    use rehearse_core::deck::{Card, CardId, CardKind, Variant};
    use rehearse_core::interop::anki::{
        ExportInput, ExportNote, ExportProgress, ReviewEntry, write_package,
    };
    use rehearse_core::interop::package::{
        AnkiImportError, ImportStage, import_anki, plan_anki_import,
    };
    use rehearse_core::schedule::{CardState, Memory, Phase, Rating};

    /// A package of `notes` notes with `per` answers each (and a media file).
    fn package(notes: usize, per: usize) -> Vec<u8> {
        let now = days(900);
        let notes = (0..notes)
            .map(|i| ExportNote {
                deck: format!("Big::Part {}", i % 3),
                card: Card {
                    id: CardId::new(format!("n{i}")).unwrap(),
                    id_pinned: true,
                    kind: CardKind::Basic,
                    front: format!("Question {i}"),
                    back: format!("Answer {i}"),
                    topic: "T".into(),
                    tags: vec!["x".into()],
                    source: None,
                    rubric: Default::default(),
                    modified: None,
                    added: None,
                },
                progress: vec![ExportProgress {
                    variant: Variant::Forward,
                    state: CardState {
                        phase: Phase::Review,
                        memory: Some(Memory {
                            stability: 12.0,
                            difficulty: 5.0,
                        }),
                        due: Some(now),
                        last_review: Some(now - SignedDuration::from_hours(24 * 12)),
                        interval_days: 12,
                        reps: per as u32,
                        ..CardState::new()
                    },
                    reviews: (0..per)
                        .map(|k| ReviewEntry {
                            at: now - SignedDuration::from_hours(24 * (per - k) as i64 + i as i64),
                            rating: Rating::Good,
                            took_ms: 3000,
                        })
                        .collect(),
                }],
            })
            .collect();
        write_package(&ExportInput {
            notes,
            media: [("pic.png".to_string(), vec![1, 2, 3])].into(),
            now,
        })
        .unwrap()
    }

    /// Every file under `root` but the lock, with its bytes.
    fn files(root: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                    if rel != ".lock" {
                        out.push((rel, std::fs::read(&p).unwrap()));
                    }
                }
            }
        }
        out.sort();
        out
    }

    /// A folder in use with one deck and an answer, its cache settled.
    fn folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 3))]);
        let mut c = open(dir.path(), days(899));
        c.answer(&"a-1".parse().unwrap(), Rating::Good, days(899), 1000)
            .unwrap();
        c.save_snapshot().unwrap();
        drop(c);
        // Its background cache writes are done once it is dropped.
        drop(open(dir.path(), days(900)));
        dir
    }

    #[test]
    fn an_import_cancelled_midway_leaves_the_folder_as_it_was() {
        let plan = plan_anki_import(&package(900, 50)).unwrap();
        assert_eq!(plan.reviews(), 45_000);
        let stop_at = |stage: &ImportStage| match stage {
            ImportStage::Media { .. } => 0,
            ImportStage::Cards => 1,
            // Part of the journal is on disk (under a temporary name).
            ImportStage::History { written, .. } if *written > 0 => 2,
            ImportStage::History { .. } => usize::MAX,
            ImportStage::Committing => 3,
            _ => usize::MAX,
        };
        for stop in 0..4 {
            let dir = folder();
            let mut c = open(dir.path(), days(900));
            let before = files(dir.path());
            let mut seen = Vec::new();
            let result = import_anki(&mut c, plan.clone(), days(900), &mut |stage| {
                seen.push(stage);
                if stop_at(&stage) == stop {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            });
            assert!(
                matches!(result, Err(AnkiImportError::Cancelled)),
                "stop {stop}: {result:?}"
            );
            assert!(
                seen.iter().any(|s| stop_at(s) == stop),
                "stop {stop}: {seen:?}"
            );
            assert!(c.card_of(&"n1".parse().unwrap()).is_none());
            assert_eq!(c.decks().len(), 1);
            drop(c);
            assert_eq!(files(dir.path()), before, "stop {stop}");
            // And the next start finds nothing to finish.
            let c = open(dir.path(), days(900));
            assert!(c.warnings().is_empty(), "{:?}", c.warnings());
            assert_eq!(c.decks().len(), 1);
        }
    }

    #[test]
    fn a_finished_import_reports_its_stages_and_leaves_a_fresh_cache() {
        let plan = plan_anki_import(&package(900, 30)).unwrap();
        let dir = folder();
        let mut c = open(dir.path(), days(900));
        let mut seen: Vec<ImportStage> = Vec::new();
        let report = import_anki(&mut c, plan, days(900), &mut |s| {
            seen.push(s);
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(report.added, 900);
        assert_eq!(report.reviews, 27_000);
        let kinds: Vec<&str> = seen
            .iter()
            .map(|s| match s {
                ImportStage::Media { .. } => "media",
                ImportStage::Cards => "cards",
                ImportStage::History { .. } => "history",
                ImportStage::Committing => "commit",
                ImportStage::Applying => "apply",
                ImportStage::Caching => "cache",
            })
            .collect::<Vec<_>>()
            .into_iter()
            .fold(Vec::new(), |mut v, k| {
                if v.last() != Some(&k) {
                    v.push(k);
                }
                v
            });
        assert_eq!(
            kinds,
            ["media", "cards", "history", "commit", "apply", "cache"]
        );
        assert!(seen.contains(&ImportStage::History {
            written: 27_900,
            total: 27_900
        }));
        let states = c.states().clone();
        drop(c);
        // The first start after the import replays nothing and parses no deck.
        let c = open(dir.path(), days(900));
        let used = c.cache_use();
        assert_eq!(used.state, StateSource::Cache);
        assert_eq!(used.replayed, 0);
        assert_eq!(used.decks_parsed, 0, "{used:?}");
        assert_eq!(c.states(), &states);
        drop(c);
        // The same as replaying the journals from scratch.
        std::fs::remove_dir_all(dir.path().join(".cache")).unwrap();
        let c = open(dir.path(), days(900));
        assert_eq!(c.cache_use().state, StateSource::Rebuilt);
        assert_eq!(c.states(), &states);
    }
}

/// A cache that cannot be written after an import does not undo it and is
/// not passed over in silence: the report says so.
#[test]
fn an_import_whose_cache_cannot_be_written_is_whole_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[]);
    let mut c = open(dir.path(), days(1000));
    let cache = dir.path().join(".cache");
    let _ = std::fs::remove_dir_all(&cache);
    std::fs::write(&cache, "not a folder").unwrap();
    let plan = plan_anki_import(&fixture("fixture.apkg")).unwrap();
    let report = apply_anki_import(&mut c, &plan, days(1000)).unwrap();
    assert_eq!(report.added, plan.converted.cards.len());
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(
        report.summary().contains("the cache could not be written"),
        "{}",
        report.summary()
    );
    for p in &plan.converted.items {
        assert_eq!(c.state(&p.item), &p.state, "{}", p.item);
    }
}
