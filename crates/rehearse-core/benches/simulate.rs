//! What-if simulator benchmarks on 100k cards with a year of history:
//! - building the job, the part that runs on the window's thread when
//!   Simulate is pressed (it copies every card's memory state): all at once,
//!   and one `BUILD_STEP` slice, what the window does per frame (budget: well
//!   under a 16 ms frame);
//! - a whole 30-day sweep on one worker (printed once, not repeated: it
//!   takes tens of seconds).
//!
//! Run with `cargo bench --bench simulate`.

use std::hint::black_box;

mod common;

use common::{generate, now, options};
use criterion::{Criterion, criterion_group, criterion_main};
use rehearse_core::collection::Collection;
use rehearse_core::insight::simulate::{BUILD_STEP, Horizon, Scenario, SimulationRequest};

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("c100k");
    generate(&root, 100_000, true);
    let collection = Collection::open(options(&root), now()).unwrap();
    let request = SimulationRequest {
        decks: None,
        horizon: Horizon::Month,
        what_if: Scenario {
            desired_retention: 0.85,
            new_per_day: 20,
        },
        extra_new_cards: 0,
    };
    let deck = SimulationRequest {
        decks: Some("Deck 3".into()),
        ..request.clone()
    };
    let mut group = c.benchmark_group("simulate_100k_year");
    group.bench_function("job_all_decks", |b| {
        b.iter(|| black_box(collection.simulation_job(&request, now()).unwrap()))
    });
    group.bench_function("job_one_frame_slice", |b| {
        b.iter(|| {
            let mut builder = collection.simulation_builder(&request, now());
            black_box(builder.step(&collection, BUILD_STEP).is_none())
        })
    });
    group.bench_function("job_one_deck", |b| {
        b.iter(|| black_box(collection.simulation_job(&deck, now()).unwrap()))
    });
    group.finish();

    let job = collection
        .simulation_job(&request, now())
        .unwrap()
        .with_threads(1);
    let runs = job.runs();
    let start = std::time::Instant::now();
    let report = job.run(&|_, _| true).unwrap();
    eprintln!(
        "30-day sweep of {} studied cards on one worker: {runs} scenarios in {:?} (step {}, {} sample(s) each)",
        report.studied,
        start.elapsed(),
        report.retention_step,
        report.samples
    );
}

criterion_group!(simulate, benches);
criterion_main!(simulate);
