//! Core benchmarks on generated collections of 1k, 10k and 100k cards (the
//! 100k one with a year of review history):
//! - open the data folder and produce the first due card;
//! - answer a card durably (journal line fsynced);
//! - suspend one card and answer another (load balancing keeps its due
//!   counts through both);
//! - count every item's due day, as load balancing does after a merge or a
//!   deck reload: the worst case of a preview or answer.
//!
//! Run with `cargo bench --bench core`.

use std::hint::black_box;
use std::path::Path;

mod common;

use common::{generate, now, options};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jiff::SignedDuration;
use rehearse_core::ItemId;
use rehearse_core::collection::Collection;
use rehearse_core::schedule::{DueLoad, Rating};
use rehearse_core::study::{Scope, Session};

/// "1000", "10000", "100000+year".
fn label(cards: usize, history: bool) -> String {
    if history {
        format!("{cards}+year")
    } else {
        cards.to_string()
    }
}

fn open_and_first_card(root: &Path) -> Option<ItemId> {
    let c = Collection::open(options(root), now()).unwrap();
    let mut s = Session::new(&c, Scope::All, now());
    s.current(&c, now())
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let sizes = [(1_000, false), (10_000, false), (100_000, true)];
    for (cards, history) in sizes {
        let root = dir.path().join(format!("c{cards}"));
        generate(&root, cards, history);
    }

    let mut group = c.benchmark_group("open_first_due_card");
    group.sample_size(10);
    for (cards, history) in sizes {
        let root = dir.path().join(format!("c{cards}"));
        let label = label(cards, history);
        group.bench_with_input(BenchmarkId::from_parameter(label), &root, |b, root| {
            b.iter(|| black_box(open_and_first_card(root)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("answer_durably");
    for (cards, history) in sizes {
        let root = dir.path().join(format!("c{cards}"));
        let label = label(cards, history);
        let mut col = Collection::open(options(&root), now()).unwrap();
        let items: Vec<ItemId> = col.items().iter().map(|i| i.id.clone()).collect();
        let mut k = 0usize;
        let mut t = now();
        group.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| {
                k = (k + 7919) % items.len();
                t = t.checked_add(SignedDuration::from_secs(1)).unwrap();
                black_box(col.answer(&items[k], Rating::Good, t, 3000).unwrap());
            })
        });
    }
    group.finish();

    // Each iteration suspends (or unsuspends) another item first: two
    // journal lines, and the due counts kept through both.
    let mut group = c.benchmark_group("suspend_and_answer");
    for (cards, history) in sizes {
        let root = dir.path().join(format!("c{cards}"));
        let label = label(cards, history);
        let mut col = Collection::open(options(&root), now()).unwrap();
        let items: Vec<ItemId> = col.items().iter().map(|i| i.id.clone()).collect();
        let mut k = 0usize;
        let mut t = now();
        let mut on = true;
        group.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| {
                k = (k + 7919) % items.len();
                t = t.checked_add(SignedDuration::from_secs(1)).unwrap();
                let other = (k + 1) % items.len();
                col.suspend_items(&items[other..=other], on, t).unwrap();
                on = !on;
                black_box(col.answer(&items[k], Rating::Good, t, 3000).unwrap());
            })
        });
    }
    group.finish();

    // The recount: every item's due day within the next 100 days.
    let mut group = c.benchmark_group("count_due_days");
    for (cards, history) in sizes {
        let root = dir.path().join(format!("c{cards}"));
        let label = label(cards, history);
        let col = Collection::open(options(&root), now()).unwrap();
        let clock = col.scheduler().clock().clone();
        let today = clock.day_of(now());
        group.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| {
                black_box(DueLoad::from_states(
                    &clock,
                    today,
                    col.states().iter(),
                    |id| col.item(id).is_some(),
                ))
            })
        });
    }
    group.finish();
}

criterion_group!(core, benches);
criterion_main!(core);
