//! Importing a 100k-note Anki package: read and convert it (the preview), and
//! apply it to an empty collection (cards, history, scheduling).
//! Anki itself takes about 10 s to create such a collection on this machine.
//!
//! Run with `cargo bench --bench anki`.

mod common;

use std::hint::black_box;

use common::{now, options};
use criterion::{Criterion, criterion_group, criterion_main};
use rehearse_core::collection::Collection;
use rehearse_core::deck::{Card, CardId, CardKind, Variant};
use rehearse_core::interop::anki::{
    ExportInput, ExportNote, ExportProgress, ReviewEntry, write_package,
};
use rehearse_core::interop::package::{apply_anki_import, plan_anki_import};
use rehearse_core::schedule::{CardState, Memory, Phase, Rating};

const NOTES: usize = 100_000;

fn package() -> Vec<u8> {
    let notes = (0..NOTES)
        .map(|i| {
            let studied = i % 2 == 0;
            ExportNote {
                deck: format!("Generated::Part {}", i % 10),
                card: Card {
                    id: CardId::new(format!("n{i}")).unwrap(),
                    id_pinned: true,
                    kind: CardKind::Basic,
                    front: format!("What is **concept {i}**, and why does it matter?"),
                    back: format!("Key point {i}, with `code` and a short explanation."),
                    topic: format!("Topic {}", i % 25),
                    tags: vec![format!("t{}", i % 7)],
                    source: None,
                    rubric: Default::default(),
                    modified: None,
                    added: None,
                },
                progress: if studied {
                    vec![ExportProgress {
                        variant: Variant::Forward,
                        state: CardState {
                            phase: Phase::Review,
                            memory: Some(Memory {
                                stability: 12.0,
                                difficulty: 5.0,
                            }),
                            due: Some(now()),
                            last_review: Some(now() - jiff::SignedDuration::from_hours(24 * 12)),
                            interval_days: 12,
                            reps: 2,
                            ..CardState::new()
                        },
                        reviews: vec![
                            ReviewEntry {
                                at: now() - jiff::SignedDuration::from_hours(24 * 15),
                                rating: Rating::Good,
                                took_ms: 4000,
                            },
                            ReviewEntry {
                                at: now() - jiff::SignedDuration::from_hours(24 * 12),
                                rating: Rating::Good,
                                took_ms: 3000,
                            },
                        ],
                    }]
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    write_package(&ExportInput {
        notes,
        media: Default::default(),
        now: now(),
    })
    .unwrap()
}

fn benches(c: &mut Criterion) {
    let bytes = package();
    eprintln!("package: {} notes, {} MB", NOTES, bytes.len() / 1_000_000);
    let mut group = c.benchmark_group("anki_100k_notes");
    group.sample_size(10);
    group.bench_function("read_and_convert", |b| {
        b.iter(|| black_box(plan_anki_import(&bytes).unwrap()))
    });
    let plan = plan_anki_import(&bytes).unwrap();
    group.bench_function("import_into_empty_collection", |b| {
        b.iter_with_setup(
            || {
                let dir = tempfile::tempdir().unwrap();
                std::fs::create_dir_all(dir.path().join("decks")).unwrap();
                let col = Collection::open(options(dir.path()), now()).unwrap();
                (dir, col)
            },
            |(dir, mut col)| {
                black_box(apply_anki_import(&mut col, &plan, now()).unwrap());
                drop(col);
                drop(dir);
            },
        )
    });
    group.finish();
}

criterion_group!(anki, benches);
criterion_main!(anki);
