//! The "what if" simulator: reference numbers, monotonic loads, agreement
//! with a direct `fsrs::simulate` call, determinism, cancel, answer times
//! from the history, and applying a scenario to the settings.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{days, deck_text, open, t0, write_decks};
use jiff::Timestamp;
use rehearse_core::ItemId;
use rehearse_core::collection::History;
use rehearse_core::insight::simulate::{
    Behaviour, COARSE_STEP, CostSource, FINE_STEP, Horizon, MIN_TIMED_ANSWERS, Scenario, SimCard,
    SimulateError, SimulationJob, SimulationReport, SimulationRequest, apply,
    behaviour_from_history, sweep_new_per_day, sweep_retentions,
};
use rehearse_core::schedule::{Rating, Settings};
use rehearse_core::store::{AnswerKind, AnswerRecord};

fn request(horizon: Horizon, what_if: Scenario) -> SimulationRequest {
    SimulationRequest {
        decks: None,
        horizon,
        what_if,
        extra_new_cards: 0,
    }
}

fn scenario(desired_retention: f32, new_per_day: u32) -> Scenario {
    Scenario {
        desired_retention,
        new_per_day,
    }
}

/// `n` studied cards with stabilities from 1 to about 60 days, last reviewed
/// in the past weeks, due over the next weeks; a fixed pattern, no RNG.
fn studied_cards(n: usize) -> Vec<SimCard> {
    (0..n)
        .map(|i| {
            let stability = 1.0 + (i % 60) as f32;
            let last_day = -((i % 20) as i32);
            SimCard {
                stability,
                difficulty: 1.0 + (i % 9) as f32,
                last_day,
                due_day: (last_day + stability.round() as i32).max(0),
                lapses: (i % 3) as u32,
            }
        })
        .collect()
}

fn run(job: SimulationJob) -> SimulationReport {
    job.run(&|_, _| true).unwrap()
}

#[test]
fn sweeps_cover_seventy_to_ninety_seven_percent_and_a_few_paces() {
    let r = sweep_retentions(FINE_STEP, &[0.9]);
    assert_eq!(r.len(), 28);
    assert_eq!(r[0], 0.70);
    assert_eq!(r[27], 0.97);
    assert!(r.contains(&0.9), "the settings' 0.9 is on the grid: {r:?}");
    assert!(r.windows(2).all(|w| w[0] < w[1]));
    // A retention off the grid (hand-written 0.985) is added in order.
    let r = sweep_retentions(FINE_STEP, &[0.985, 0.9]);
    assert_eq!(r.len(), 29);
    assert_eq!(r[28], 0.985);
    // The coarse grid: 0.70, 0.73, … 0.97, and the settings' 0.9 added.
    let r = sweep_retentions(COARSE_STEP, &[0.9]);
    assert_eq!(
        r,
        [
            0.70, 0.73, 0.76, 0.79, 0.82, 0.85, 0.88, 0.9, 0.91, 0.94, 0.97
        ]
    );
    // Small collections get the fine grid, large ones the coarse one.
    let settings = Settings::default();
    let year = request(Horizon::Year, scenario(0.9, 20));
    let small = SimulationJob::new(studied_cards(5_000), 500, &settings, year.clone());
    assert_eq!(small.retention_step(), FINE_STEP);
    assert_eq!(small.runs(), 28 * 3);
    let large = SimulationJob::new(studied_cards(100_000), 0, &settings, year.clone());
    assert_eq!(large.retention_step(), COARSE_STEP);
    assert_eq!(large.runs(), 11 * 3);
    let month = request(Horizon::Month, scenario(0.9, 20));
    let large_month = SimulationJob::new(studied_cards(100_000), 0, &settings, month);
    assert_eq!(large_month.retention_step(), FINE_STEP);
    assert_eq!(sweep_new_per_day(20, 20), [10, 20, 40]);
    assert_eq!(sweep_new_per_day(20, 5), [2, 5, 10, 20]);
    assert_eq!(sweep_new_per_day(0, 0), [0]);
    assert_eq!(sweep_new_per_day(9000, 9000), [4500, 9000, 9999]);
}

/// A card that does not fall due within the horizon is only remembered: its
/// chance of recall each day follows FSRS-6's forgetting curve, and no
/// minute of study is needed.
#[test]
fn an_untouched_card_fades_along_the_forgetting_curve() {
    let card = SimCard {
        stability: 1000.0,
        difficulty: 5.0,
        last_day: 0,
        due_day: 1000,
        lapses: 0,
    };
    let settings = Settings::default();
    let job = SimulationJob::new(
        vec![card],
        0,
        &settings,
        request(Horizon::Month, scenario(0.9, 20)),
    );
    let report = run(job);
    let current = report.current_run().unwrap();
    assert_eq!(current.days.len(), 30);
    assert_eq!(current.total_reviews(), 0.0);
    assert_eq!(current.total_minutes(), 0.0);
    assert_eq!(current.memorised_per_minute(), None);
    // R(t, S) = (1 + F·t/S)^(−w20), F = 0.9^(−1/w20) − 1, w20 = 0.1542.
    let w20 = 0.1542f64;
    let f = 0.9f64.powf(-1.0 / w20) - 1.0;
    for (t, day) in current.days.iter().enumerate() {
        let r = (1.0 + f * t as f64 / 1000.0).powf(-w20);
        assert!((f64::from(day.memorised) - r).abs() < 1e-5, "day {t}");
    }
    // Worked out by hand: F = 0.98034649, R(29, 1000) = 0.995687.
    assert!((current.days[29].memorised - 0.995687).abs() < 1e-5);
    assert_eq!(current.days[0].memorised, 1.0);
}

#[test]
fn new_cards_come_at_the_daily_limit_until_they_run_out() {
    let settings = Settings::default();
    let job = SimulationJob::new(
        Vec::new(),
        45,
        &settings,
        request(Horizon::Month, scenario(0.9, 20)),
    );
    let report = run(job);
    assert_eq!(report.new_cards, 45);
    assert_eq!(report.studied, 0);
    let current = report.current_run().unwrap();
    let new: Vec<f32> = current.days.iter().map(|d| d.new).collect();
    assert_eq!(&new[..4], [20.0, 20.0, 5.0, 0.0]);
    assert_eq!(current.total_new(), 45.0);
    assert!(current.days[0].minutes > 0.0);
    assert!(
        current.total_reviews() > 0.0,
        "learnt cards come back for review"
    );
    // Half the pace (10 a day) takes five days.
    let slow = report.run(scenario(0.9, 10)).unwrap();
    let new: Vec<f32> = slow.days.iter().take(6).map(|d| d.new).collect();
    assert_eq!(new, [10.0, 10.0, 10.0, 10.0, 5.0, 0.0]);
}

#[test]
fn more_new_cards_or_a_higher_retention_mean_more_reviews() {
    // A review limit that never binds (at 200 a day every scenario would do
    // exactly 200 reviews a day).
    let settings = Settings {
        reviews_per_day: 10_000,
        ..Settings::default()
    };
    let job = SimulationJob::new(
        studied_cards(3000),
        3000,
        &settings,
        request(Horizon::Quarter, scenario(0.9, 20)),
    );
    let report = run(job);
    assert_eq!(report.new_per_day, [10, 20, 40]);
    for r in [0.70, 0.80, 0.90, 0.97] {
        let reviews: Vec<f32> = report
            .new_per_day
            .iter()
            .map(|&n| report.run(scenario(r, n)).unwrap().total_reviews())
            .collect();
        assert!(reviews.windows(2).all(|w| w[0] < w[1]), "{r}: {reviews:?}");
    }
    for n in [10, 20, 40] {
        let reviews: Vec<f32> = [0.70, 0.80, 0.90, 0.97]
            .iter()
            .map(|&r| report.run(scenario(r, n)).unwrap().total_reviews())
            .collect();
        assert!(reviews.windows(2).all(|w| w[0] < w[1]), "{n}: {reviews:?}");
        let minutes: Vec<f32> = [0.70, 0.80, 0.90, 0.97]
            .iter()
            .map(|&r| report.run(scenario(r, n)).unwrap().total_minutes())
            .collect();
        assert!(minutes.windows(2).all(|w| w[0] < w[1]), "{n}: {minutes:?}");
        // Higher retention keeps more in memory at the end, too.
        let kept: Vec<f32> = [0.70, 0.80, 0.90, 0.97]
            .iter()
            .map(|&r| report.run(scenario(r, n)).unwrap().memorised_at_end())
            .collect();
        assert!(kept.windows(2).all(|w| w[0] < w[1]), "{n}: {kept:?}");
    }
    // The best retention is the top of its curve, and inside the sweep.
    for n in [10, 20, 40] {
        let best = report.best(n).unwrap();
        let top = best.memorised_per_minute().unwrap();
        assert!(
            report
                .curve(n)
                .all(|r| r.memorised_per_minute().unwrap() <= top)
        );
        assert!((0.70..=0.97).contains(&best.scenario.desired_retention));
    }
}

/// The point for the current settings is exactly what the `fsrs` crate's
/// simulator gives when called directly with the same configuration.
#[test]
fn the_current_settings_point_matches_a_direct_simulate_call() {
    let settings = Settings {
        desired_retention: 0.87,
        new_per_day: 15,
        reviews_per_day: 120,
        maximum_interval_days: 400,
        ..Settings::default()
    };
    let cards = studied_cards(500);
    let job = SimulationJob::new(
        cards.clone(),
        300,
        &settings,
        request(Horizon::Quarter, scenario(0.80, 30)),
    );
    let report = run(job);
    let ours = report.current_run().unwrap();
    assert_eq!(ours.scenario, scenario(0.87, 15));

    let w = fsrs::DEFAULT_PARAMETERS.to_vec();
    let shared = Arc::new(w.clone());
    let existing: Vec<fsrs::Card> = cards
        .iter()
        .enumerate()
        .map(|(i, c)| fsrs::Card {
            id: i as i64 + 1,
            difficulty: c.difficulty,
            stability: c.stability,
            last_date: c.last_day as f32,
            due: c.due_day as f32,
            interval: (c.due_day - c.last_day) as f32,
            lapses: c.lapses,
            desired_retention: 0.87,
            parameters: shared.clone(),
        })
        .collect();
    let config = fsrs::SimulatorConfig {
        deck_size: 800,
        learn_span: 90,
        max_cost_perday: f32::MAX,
        max_ivl: 400.0,
        learn_limit: 15,
        review_limit: 120,
        new_cards_ignore_review_limit: true,
        learning_step_count: 2,
        relearning_step_count: 1,
        ..fsrs::SimulatorConfig::default()
    };
    // Each scenario is the mean of a few runs, seeded 42, 43, …
    assert_eq!(report.samples, 16);
    let mut reviews = [0.0f32; 90];
    let mut minutes = [0.0f32; 90];
    let mut memorised = [0.0f32; 90];
    for seed in 42..42 + report.samples as u64 {
        let direct = fsrs::simulate(&config, &w, 0.87, Some(seed), Some(existing.clone())).unwrap();
        for d in 0..90 {
            assert_eq!(
                direct.learn_cnt_per_day[d] as f32, ours.days[d].new,
                "day {d}"
            );
            reviews[d] += direct.review_cnt_per_day[d] as f32;
            minutes[d] += direct.cost_per_day[d] / 60.0;
            memorised[d] += direct.memorized_cnt_per_day[d];
        }
    }
    let n = report.samples as f32;
    for (d, day) in ours.days.iter().enumerate() {
        assert_eq!(day.reviews, reviews[d] / n, "day {d}");
        assert_eq!(day.minutes, minutes[d] / n, "day {d}");
        assert_eq!(day.memorised, memorised[d] / n, "day {d}");
    }
    // The review limit holds every day.
    assert!(ours.days.iter().all(|d| d.reviews <= 120.0));
}

#[test]
fn the_same_request_gives_the_same_report_on_any_number_of_workers() {
    let settings = Settings::default();
    let job = SimulationJob::new(
        studied_cards(400),
        200,
        &settings,
        request(Horizon::Month, scenario(0.85, 10)),
    );
    let one = run(job.clone().with_threads(1));
    let again = run(job.clone().with_threads(1));
    let three = run(job.with_threads(3));
    assert_eq!(one, again);
    assert_eq!(one, three);
    assert_eq!(one.new_per_day, [5, 10, 20]);
    assert_eq!(one.runs.len(), 28 * 3);
}

#[test]
fn cancelling_stops_the_sweep_early() {
    let settings = Settings::default();
    let job = SimulationJob::new(
        studied_cards(400),
        200,
        &settings,
        request(Horizon::Month, scenario(0.9, 20)),
    );
    let total = job.runs();
    assert_eq!(total, 28 * 3);
    let calls = AtomicUsize::new(0);
    let result = job
        .with_threads(2)
        .run(&|_, _| calls.fetch_add(1, Ordering::Relaxed) < 3);
    assert!(
        matches!(result, Err(SimulateError::Cancelled)),
        "{result:?}"
    );
    // One call before the start, then one per run started: it stopped after
    // a handful of the 84 runs.
    assert!(calls.load(Ordering::Relaxed) <= 6, "{calls:?}");
}

fn answer(item: &ItemId, at: Timestamp, rating: Rating, kind: AnswerKind, ms: u32) -> AnswerRecord {
    AnswerRecord {
        device: "test".into(),
        id: 0,
        at,
        item: item.clone(),
        rating,
        kind,
        took_ms: ms,
        last_interval: 0,
        days: None,
    }
}

#[test]
fn answer_times_come_from_the_history_when_there_are_enough() {
    let item = |i: usize| -> ItemId { format!("c-{i}").parse().unwrap() };
    // 300 Good reviews of 5 s each, one a day per card.
    let answers: Vec<AnswerRecord> = (0..300)
        .map(|i| {
            answer(
                &item(i % 30),
                days(i as i64 / 30),
                Rating::Good,
                AnswerKind::Review,
                5000,
            )
        })
        .collect();
    let history = History::new(answers, Vec::new());
    let b = behaviour_from_history(&history, None, days(20));
    assert_eq!(
        b.source,
        CostSource::History {
            answers: 300,
            all_decks: false
        }
    );
    // Smoothed towards the default (12.38 s) with weight n / (50 + n):
    // 300/350 · 5 + 50/350 · 12.38 = 6.05 s.
    assert_eq!(b.state_rating_costs[1][2], 6.05);
    // Cells without answers keep the defaults.
    let defaults = Behaviour::defaults(0);
    assert_eq!(b.state_rating_costs[0], defaults.state_rating_costs[0]);
    assert!(b.review_seconds() < defaults.review_seconds());

    // Too few timed answers: the defaults, saying how many there were.
    let few: Vec<AnswerRecord> = (0..MIN_TIMED_ANSWERS - 1)
        .map(|i| answer(&item(i), t0(), Rating::Good, AnswerKind::New, 5000))
        .chain((0..50).map(|i| answer(&item(i), t0(), Rating::Good, AnswerKind::Review, 0)))
        .collect();
    let b = behaviour_from_history(&History::new(few, Vec::new()), None, days(1));
    assert_eq!(
        b.source,
        CostSource::Defaults {
            answers: MIN_TIMED_ANSWERS - 1
        }
    );
    assert_eq!(b, Behaviour::defaults(MIN_TIMED_ANSWERS - 1));
    // 0.224 · 17.59 + 0.631 · 12.38 + 0.145 · 8.94 (Hard, Good, Easy) = 13.048 s.
    assert!(
        (defaults.review_seconds() - 13.048).abs() < 1e-3,
        "{}",
        defaults.review_seconds()
    );
}

#[test]
fn a_job_takes_the_chosen_decks_studied_and_new_cards() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("rust.ron", deck_text("Lang::Rust", "r", 5)),
            ("go.ron", deck_text("Lang::Go", "g", 3)),
            ("other.ron", deck_text("Other", "o", 4)),
        ],
    );
    let mut c = open(dir.path(), t0());
    let id = |s: &str| -> ItemId { s.parse().unwrap() };
    c.answer(&id("r-1"), Rating::Good, t0(), 4000).unwrap();
    c.answer(&id("r-1"), Rating::Good, common::mins(10), 4000)
        .unwrap();
    c.answer(&id("g-1"), Rating::Easy, t0(), 4000).unwrap();
    c.answer(&id("o-1"), Rating::Easy, t0(), 4000).unwrap();
    c.suspend_items(std::slice::from_ref(&id("r-5")), true, t0())
        .unwrap();
    // A week later: r-1 and g-1 are overdue.
    let now = days(7);
    let lang = SimulationRequest {
        decks: Some("Lang".into()),
        horizon: Horizon::Month,
        what_if: scenario(0.9, 20),
        extra_new_cards: 10,
    };
    let job = c.simulation_job(&lang, now).unwrap();
    assert_eq!(job.label(), "Lang");
    let report = run(job);
    assert_eq!(report.studied, 2, "r-1 and g-1");
    assert_eq!(
        report.new_cards,
        5 + 10,
        "r-2..r-4, g-2, g-3, and the extra ten"
    );
    // Three answers in Lang, too few: all four of the collection's counted,
    // still too few, so the defaults.
    assert_eq!(report.behaviour.source, CostSource::Defaults { answers: 4 });
    let current = report.current_run().unwrap();
    // Both overdue cards come up today; all 15 new ones in the first day.
    assert_eq!(current.days[0].reviews, 2.0);
    assert_eq!(current.days[0].new, 15.0);

    // Built a slice at a time (as the window does, a slice a frame), the
    // same job.
    let mut builder = c.simulation_builder(&lang, now);
    let mut steps = 1;
    assert_eq!(builder.progress(&c), (0, 12));
    let job = loop {
        match builder.step(&c, 5) {
            Some(job) => break job.unwrap(),
            None => steps += 1,
        }
    };
    assert_eq!(steps, 3, "12 items, 5 a step");
    assert_eq!(run(job), report);

    let all = SimulationRequest {
        decks: None,
        ..lang.clone()
    };
    let report = run(c.simulation_job(&all, now).unwrap());
    assert_eq!(report.studied, 3);
    assert_eq!(report.new_cards, 8 + 10);

    // A subtree with nothing in it to study says so.
    c.suspend_items(std::slice::from_ref(&id("o-1")), true, now)
        .unwrap();
    for i in 2..=4 {
        c.suspend_items(std::slice::from_ref(&id(&format!("o-{i}"))), true, now)
            .unwrap();
    }
    let other = SimulationRequest {
        decks: Some("Other".into()),
        extra_new_cards: 0,
        ..lang
    };
    let err = c.simulation_job(&other, now).unwrap_err();
    assert!(matches!(err, SimulateError::NoCards(_)), "{err}");
    assert!(err.to_string().contains("Other has no cards"), "{err}");
}

#[test]
fn an_overdue_card_starts_due_today_and_a_studied_state_keeps_its_memory() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 1))]);
    let mut c = open(dir.path(), t0());
    let id: ItemId = "a-1".parse().unwrap();
    c.answer(&id, Rating::Easy, t0(), 4000).unwrap();
    let state = c.state(&id).clone();
    let memory = state.memory.unwrap();
    let clock = c.scheduler().clock();
    let today = clock.day_of(days(30));
    let card = SimCard::from_state(&state, clock, today).unwrap();
    assert_eq!(card.last_day, -30);
    assert_eq!(card.due_day, 0, "overdue: due today");
    assert_eq!(card.stability, memory.stability);
    // Before it is due, it is due later.
    let today = clock.day_of(t0());
    let card = SimCard::from_state(&state, clock, today).unwrap();
    assert_eq!(card.last_day, 0);
    assert_eq!(card.due_day, state.interval_days as i32);
    // A new card is not a studied one.
    assert_eq!(
        SimCard::from_state(&rehearse_core::CardState::new(), clock, today),
        None
    );
}

#[test]
fn applying_a_scenario_sets_retention_and_new_cards_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 3))]);
    let mut c = open(dir.path(), t0());
    let before = c.settings().clone();
    assert_eq!(apply(&mut c, scenario(0.84, 12), None).unwrap(), "Default");
    assert_eq!(c.settings().desired_retention, 0.84);
    assert_eq!(c.settings().new_per_day, 12);
    assert_eq!(
        Settings {
            desired_retention: before.desired_retention,
            new_per_day: before.new_per_day,
            ..c.settings().clone()
        },
        before
    );
    drop(c);
    let c = open(dir.path(), t0());
    assert_eq!(Scenario::of(c.settings()), scenario(0.84, 12));
}

#[test]
fn applying_for_one_deck_changes_that_decks_preset_only() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 3))]);
    let mut c = open(dir.path(), t0());
    let mut settings = c.settings().clone();
    settings.add_preset("Cram", None).unwrap();
    settings.assign_preset("a", "Cram").unwrap();
    c.save_settings(settings).unwrap();
    let default_before = c.settings().default_preset();
    assert_eq!(apply(&mut c, scenario(0.8, 30), Some("A")).unwrap(), "Cram");
    let cram = c.settings().preset("Cram").unwrap();
    assert_eq!((cram.desired_retention, cram.new_per_day), (0.8, 30));
    assert_eq!(c.settings().default_preset(), default_before);
}

#[test]
fn a_deck_is_simulated_with_its_own_presets_settings() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 3))]);
    let mut c = open(dir.path(), t0());
    let mut settings = c.settings().clone();
    settings.add_preset("Cram", None).unwrap();
    let mut cram = settings.preset("Cram").unwrap();
    cram.desired_retention = 0.8;
    cram.new_per_day = 7;
    settings.set_preset(cram);
    settings.assign_preset("a", "Cram").unwrap();
    c.save_settings(settings).unwrap();
    let one = SimulationRequest {
        decks: Some("A".into()),
        ..request(Horizon::Month, scenario(0.9, 20))
    };
    let report = run(c.simulation_job(&one, t0()).unwrap());
    assert_eq!(report.current, scenario(0.8, 7));
    let all = request(Horizon::Month, scenario(0.9, 20));
    let report = run(c.simulation_job(&all, t0()).unwrap());
    assert_eq!(report.current, scenario(0.9, 20));
}
