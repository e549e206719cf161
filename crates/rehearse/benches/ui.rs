//! UI and statistics benchmarks on 100k cards with a year of review history:
//! - load the full history (the worker thread's job);
//! - compute the statistics from it;
//! - one frame of the Statistics, Weak topics and Browse (all 100k rows,
//!   virtualised) screens, drawn headlessly with egui_kittest (CPU time;
//!   budget 4 ms);
//! - What if: the frame that starts a simulation of 100k cards, the frames
//!   while it runs (printed), and a frame of its result.
//!
//! Run with `cargo bench --bench ui`.

#[path = "../../rehearse-core/benches/common/mod.rs"]
mod common;

use std::hint::black_box;

use common::{generate, now, options};
use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rehearse::ui::RehearseApp;
use rehearse_core::collection::Collection;
use rehearse_core::insight::stats::{StatsFilter, compute};
use rehearse_core::insight::weak::weak_topics;

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("c100k");
    generate(&root, 100_000, true);

    let collection = Collection::open(options(&root), now()).unwrap();
    let loader = collection.history_loader().unwrap();
    let mut group = c.benchmark_group("history_100k_year");
    group.sample_size(10);
    group.bench_function("load", |b| {
        b.iter(|| black_box(loader.clone().load().unwrap()))
    });
    let history = loader.load().unwrap();
    eprintln!("history: {} answers", history.answers.len());
    group.bench_function("statistics", |b| {
        b.iter(|| {
            black_box(compute(
                &collection,
                Some(&history),
                &StatsFilter::default(),
                now(),
            ))
        })
    });
    group.bench_function("weak_topics", |b| {
        b.iter(|| black_box(weak_topics(&collection, Some(&history), now())))
    });
    group.finish();
    drop(collection);

    let mut group = c.benchmark_group("frame_100k_year");
    for (screen, ready) in [
        ("Statistics", "Due forecast"),
        ("Weak topics", "Recall now is the memory model"),
        ("Browse", "Search"),
    ] {
        let app = RehearseApp::new(Collection::open(options(&root), now()).unwrap());
        let mut h = Harness::builder()
            .with_size(egui::vec2(1200.0, 800.0))
            .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app);
        h.run_steps(2);
        h.get_by_label(screen).click();
        // Wait for the history to load and the screen to be built once.
        for _ in 0..10_000 {
            h.run_steps(1);
            let shown = h.query_all_by_label_contains(ready).next().is_some();
            if shown
                && h.query_by_label_contains("reading the review history")
                    .is_none()
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        h.run_steps(3);
        group.bench_function(screen, |b| b.iter(|| h.step()));
    }
    // What if: the frame that starts a simulation (it copies every card's
    // memory state), the frames while the worker simulates, and a frame of
    // the result. The simulating itself never runs on this thread.
    {
        let app = RehearseApp::new(Collection::open(options(&root), now()).unwrap());
        let mut h = Harness::builder()
            .with_size(egui::vec2(1200.0, 800.0))
            .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app);
        h.run_steps(2);
        h.get_by_label("Statistics").click();
        h.run_steps(3);
        h.get_by_label("What if…").click();
        h.run_steps(3);
        h.get_by_label("30 days").click();
        h.run_steps(2);
        h.get_by_label("Simulate").click();
        let start = std::time::Instant::now();
        h.step();
        eprintln!(
            "What if: the frame that starts the simulation took {:?}",
            start.elapsed()
        );
        let (mut frames, mut slowest) = (0, std::time::Duration::ZERO);
        let started = std::time::Instant::now();
        // The summary above the charts (the charts may be below the fold,
        // where they are not drawn).
        while h.query_by_label_contains("cards studied and").is_none() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(1200),
                "the simulation never finished"
            );
            let t = std::time::Instant::now();
            h.step();
            slowest = slowest.max(t.elapsed());
            frames += 1;
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        eprintln!(
            "What if: simulated in {:?}; {frames} frames meanwhile, the slowest {slowest:?}",
            started.elapsed()
        );
        h.run_steps(3);
        group.bench_function("What if", |b| b.iter(|| h.step()));
    }
    group.finish();
}

criterion_group!(ui, benches);
criterion_main!(ui);
