//! Card browser benchmarks on 100k generated cards in ten decks:
//! - `search` with a free-text query, a `tag:` query, a combined query, an
//!   `or` group and a wildcard (budget 15 ms each);
//! - `sort` of all rows by Front and by Retrievability (budget 30 ms each).
//!
//! Two collections: `browse_100k_new` (never studied, as `generate(.., false)`
//! gives) and `browse_100k_year` (a year of review history, so that state
//! lookups, retrievability and numeric sort keys are real work).
//!
//! Run with `cargo bench --bench browse`.

mod common;

use std::hint::black_box;

use common::{generate, now, options};
use criterion::{Criterion, criterion_group, criterion_main};
use rehearse_core::collection::Collection;
use rehearse_core::search::{SortColumn, parse, search, sort};

const QUERIES: [(&str, &str); 5] = [
    ("search_text", "production"),
    ("search_tag", "tag:t3"),
    (
        "search_combined",
        "deck:deck-3* -tag:t1 \"concept 12\" prop:r<0.95",
    ),
    ("search_or", "(tag:t3 or tag:t5) -is:new"),
    ("search_wildcard", "produc*ion"),
];

fn bench_collection(c: &mut Criterion, group_name: &str, history: bool) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("c100k");
    generate(&root, 100_000, history);
    let collection = Collection::open(options(&root), now()).unwrap();
    let all: Vec<usize> = (0..collection.items().len()).collect();

    let mut group = c.benchmark_group(group_name);
    for (name, text) in QUERIES {
        let query = parse(text).unwrap();
        eprintln!(
            "{group_name}/{name}: `{text}` matches {} of {}",
            search(&collection, &query, now(), None)
                .expect("needs no history")
                .len(),
            all.len()
        );
        group.bench_function(name, |b| {
            b.iter(|| black_box(search(&collection, &query, now(), None)))
        });
    }
    for (name, column) in [
        ("sort_front", SortColumn::Front),
        ("sort_retrievability", SortColumn::Retrievability),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                || all.clone(),
                |rows| sort(&collection, rows, column, false, now()),
                criterion::BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_collection(c, "browse_100k_new", false);
    bench_collection(c, "browse_100k_year", true);
}

criterion_group!(browse, benches);
criterion_main!(browse);
