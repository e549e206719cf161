//! Importing a review log and fitting FSRS parameters: the sample log from the
//! FSRS tools against its reference figures, malformed files, a simulated
//! learner whose true parameters are known, and the ways a fit can stop.

use std::collections::HashSet;
use std::time::Instant;

use fsrs::{FSRS, FSRSItem, MemoryState};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rehearse_core::insight::optimize::{self, MIN_ITEMS, OptimizeError};
use rehearse_core::insight::revlog::{RevlogError, RevlogImport, parse_revlog_csv};
use rehearse_core::schedule::{DayClock, Rating};

const HEADER: &str = "card_id,review_rating,review_time,review_duration";

fn sample_text() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/revlog-sample.csv");
    std::fs::read_to_string(path).unwrap()
}

fn sample() -> RevlogImport {
    parse_revlog_csv(&sample_text()).unwrap()
}

fn clock() -> DayClock {
    DayClock::new(TimeZone::UTC, 4)
}

fn items_of(import: &RevlogImport) -> Vec<FSRSItem> {
    let reviews: Vec<(i64, Rating, Timestamp)> = import
        .reviews
        .iter()
        .map(|r| (r.card_id, r.rating, r.at))
        .collect();
    optimize::training_items(&reviews, &clock())
}

fn sample_items() -> Vec<FSRSItem> {
    items_of(&sample())
}

// ---------------------------------------------------------------- parsing

#[test]
fn sample_log_parses_completely() {
    let import = sample();
    assert!(
        import.row_errors.is_empty(),
        "{:?}",
        &import.row_errors[..3]
    );
    assert_eq!(import.reviews.len(), 12_580);
    assert_eq!(import.skipped, 0);
    let cards: HashSet<i64> = import.reviews.iter().map(|r| r.card_id).collect();
    assert_eq!(cards.len(), 1_205);
    assert!(
        import
            .reviews
            .windows(2)
            .all(|w| (w[0].card_id, w[0].at) <= (w[1].card_id, w[1].at)),
        "sorted by card, then time"
    );
    let first = &import.reviews[0];
    assert_eq!(first.card_id, 1_711_684_180_217);
    assert_eq!(first.rating, Rating::Again);
    assert_eq!(
        first.at,
        "2024-03-29T20:32:32.25Z".parse::<Timestamp>().unwrap()
    );
    assert_eq!(first.duration_ms, 25_060);
}

#[test]
fn a_byte_order_mark_is_tolerated() {
    let import = parse_revlog_csv(&format!("\u{feff}{}", sample_text())).unwrap();
    assert!(import.row_errors.is_empty());
    assert_eq!(import.reviews.len(), 12_580);
}

#[test]
fn malformed_rows_are_reported_by_line_and_the_rest_is_kept() {
    let text = [
        HEADER,
        "1,3,2024-03-29T20:32:32.250000+00:00,25060",
        "1,7,2024-03-30T20:32:32.250000+00:00,1000",
        "1,3,2024-13-45T99:00:00+00:00,1000",
        "2,3,2024-03-29T20:00:00+00:00",
        "\"2,5\",3,2024-03-29T20:00:00+00:00,1000",
        "2,3,2024-03-29T20:00:00+00:00,1000,extra",
        "",
        "\"2\",\"4\",\"2024-03-31T20:00:00+00:00\",\"1500\"",
        "3,3,2024-03-29T20:00:00,1000",
        "3,3,1711742400000,soon",
        "3,1,1711742400000,800",
    ]
    .join("\n");
    let import = parse_revlog_csv(&text).unwrap();
    let kept: Vec<(i64, Rating)> = import
        .reviews
        .iter()
        .map(|r| (r.card_id, r.rating))
        .collect();
    assert_eq!(
        kept,
        [(1, Rating::Good), (2, Rating::Easy), (3, Rating::Again)]
    );
    let errors: Vec<(usize, &str)> = import
        .row_errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    let expect = [
        (3, "review_rating must be 1–4, found `7`"),
        (4, "review_time must be ISO 8601"),
        (5, "review_duration is missing"),
        (6, "card_id must be an integer, found `2,5`"),
        (7, "expected 4 fields as in the header, found 5"),
        (10, "review_time must be ISO 8601"),
        (11, "review_duration must be a number of milliseconds"),
    ];
    assert_eq!(errors.len(), expect.len(), "{errors:#?}");
    for ((line, message), (want_line, want)) in errors.iter().zip(expect) {
        assert_eq!(*line, want_line, "{message}");
        assert!(message.contains(want), "line {line}: {message}");
    }
    assert_eq!(
        import.row_errors[1].to_string(),
        format!("line 4: {}", import.row_errors[1].message)
    );
}

#[test]
fn a_missing_required_column_rejects_the_file() {
    let text = "card_id,review_rating,review_duration\n1,3,1000\n";
    let err = parse_revlog_csv(text).unwrap_err();
    assert!(
        matches!(
            err,
            RevlogError::MissingColumn {
                column: "review_time",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("`review_time`"), "{err}");
    let err = parse_revlog_csv("card_id;review_rating;review_time;review_duration\n").unwrap_err();
    assert!(err.to_string().contains("`card_id`"), "{err}");
}

#[test]
fn columns_may_come_in_any_order_and_manual_entries_are_skipped() {
    let text = "review_time,review_state,review_duration,Card_ID,review_rating\r\n\
                1711742400000,0,5000,9,1\r\n\
                1711828800000,5,0,9,3\r\n\
                1711915200000,2,0,9,0\r\n\
                2024-04-01T12:00:00+02:00,1,3000,9,3\r\n";
    let import = parse_revlog_csv(text).unwrap();
    assert!(import.row_errors.is_empty(), "{:?}", import.row_errors);
    assert_eq!(import.skipped, 2);
    let got: Vec<(Rating, u32)> = import
        .reviews
        .iter()
        .map(|r| (r.rating, r.duration_ms))
        .collect();
    assert_eq!(got, [(Rating::Again, 5000), (Rating::Good, 3000)]);
}

// ------------------------------------------------------ reference figures

#[test]
fn sample_items_follow_the_fsrs_tools() {
    let items = sample_items();
    assert!(items.iter().all(|i| i.long_term_review_cnt() > 0));
    assert!(
        items
            .iter()
            .all(|i| i.reviews[0].delta_t == 0 && i.reviews.last().unwrap().delta_t > 0)
    );
    // Each card contributes one item per review on a later study day.
    let import = sample();
    let mut later_day_reviews = 0;
    for card in import.reviews.chunk_by(|a, b| a.card_id == b.card_id) {
        let days: Vec<i32> = card.iter().map(|r| clock().day_of(r.at)).collect();
        later_day_reviews += days.windows(2).filter(|w| w[1] > w[0]).count();
    }
    assert_eq!(items.len(), later_day_reviews);
}

#[test]
fn default_parameters_on_the_sample_match_the_reference() {
    let eval = optimize::evaluate(&[], &sample_items()).unwrap();
    eprintln!("defaults: {eval:?}");
    assert!(
        (eval.log_loss - 0.4535).abs() <= 0.002,
        "log loss {}",
        eval.log_loss
    );
    assert!(
        (eval.rmse_bins - 0.0766).abs() <= 0.003,
        "RMSE {}",
        eval.rmse_bins
    );
}

#[test]
fn optimising_the_sample_matches_the_reference() {
    let items = sample_items();
    let n = items.len();
    let mut calls: Vec<(usize, usize)> = Vec::new();
    let started = Instant::now();
    let fitted = optimize::optimize(&[], items, |done, total| {
        calls.push((done, total));
        true
    })
    .unwrap();
    eprintln!(
        "optimised in {:?}: {:?} over {} items, {} reviews; parameters {:?}",
        started.elapsed(),
        fitted.after,
        fitted.items,
        fitted.reviews,
        fitted.parameters
    );
    assert_eq!(fitted.items, n);
    assert!(
        fitted.reviews > n && fitted.reviews <= 12_580,
        "{}",
        fitted.reviews
    );
    assert_eq!(fitted.parameters.len(), 21);
    assert!((fitted.before.log_loss - 0.4535).abs() <= 0.002);
    assert!(
        (fitted.after.log_loss - 0.4444).abs() <= 0.003,
        "log loss {}",
        fitted.after.log_loss
    );
    assert!(
        (fitted.after.rmse_bins - 0.0516).abs() <= 0.005,
        "RMSE {}",
        fitted.after.rmse_bins
    );
    assert!(fitted.improved);
    // Progress: reported at least at the start and the end, never backwards.
    let &(done, total) = calls.last().unwrap();
    assert!(total > 0 && done == total, "{calls:?}");
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0), "{calls:?}");
}

// ------------------------------------------------------ simulated learner

/// Parameters of a learner unlike the defaults: slower to forget new cards,
/// a flatter forgetting curve, smaller gains on success and harsher lapses.
const TRUE_PARAMS: [f32; 21] = [
    0.6, 2.5, 6.0, 20.0, 5.8, 0.9, 2.0, 0.01, 1.4, 0.25, 1.1, 1.0, 0.1, 0.3, 1.2, 0.5, 2.5, 0.4,
    0.2, 0.1, 0.35,
];

/// Reviews of `cards` cards by a learner with [`TRUE_PARAMS`]: each card is
/// learnt on one of the first 60 days (a lapse is relearnt ten minutes
/// later), then reviewed when the true model says recall has fallen to the
/// card's desired retention, for up to 300 days. Recall is drawn from the true
/// retrievability.
fn simulate(cards: i64, seed: u64) -> Vec<(i64, Rating, Timestamp)> {
    let fsrs = FSRS::new(&TRUE_PARAMS).unwrap();
    let decay = TRUE_PARAMS[20];
    let mut rng = StdRng::seed_from_u64(seed);
    let start: Timestamp = "2024-01-01T12:00:00Z".parse().unwrap();
    let at = |day: i64, minutes: i64| {
        start
            .checked_add(SignedDuration::from_mins(day * 24 * 60 + minutes))
            .unwrap()
    };
    let mut out = Vec::new();
    for card in 0..cards {
        let retention = 0.75 + 0.2 * rng.random::<f32>();
        let mut day = rng.random_range(0..60);
        let minute = rng.random_range(0..300);
        let first = match rng.random::<f32>() {
            x if x < 0.25 => Rating::Again,
            x if x < 0.35 => Rating::Hard,
            x if x < 0.9 => Rating::Good,
            _ => Rating::Easy,
        };
        let pick = |next: fsrs::NextStates, rating: Rating| -> MemoryState {
            match rating {
                Rating::Again => next.again.memory,
                Rating::Hard => next.hard.memory,
                Rating::Good => next.good.memory,
                Rating::Easy => next.easy.memory,
            }
        };
        let mut state = pick(fsrs.next_states(None, retention, 0).unwrap(), first);
        out.push((card, first, at(day, minute)));
        let mut lapsed = first == Rating::Again;
        loop {
            if lapsed {
                let next = fsrs.next_states(Some(state), retention, 0).unwrap();
                state = pick(next, Rating::Good);
                out.push((card, Rating::Good, at(day, minute + 10)));
            }
            // I = S / F · (r^(−1/w20) − 1): when the true recall falls to r.
            let factor = 0.9f32.powf(-1.0 / decay) - 1.0;
            let wait = (state.stability / factor * (retention.powf(-1.0 / decay) - 1.0))
                .round()
                .max(1.0) as i64;
            day += wait;
            if day > 300 {
                break;
            }
            let r = fsrs::current_retrievability(state, wait as f32, decay);
            let rating = if rng.random::<f32>() < r {
                match rng.random::<f32>() {
                    x if x < 0.1 => Rating::Hard,
                    x if x < 0.9 => Rating::Good,
                    _ => Rating::Easy,
                }
            } else {
                Rating::Again
            };
            let next = fsrs
                .next_states(Some(state), retention, wait as u32)
                .unwrap();
            state = pick(next, rating);
            out.push((card, rating, at(day, minute)));
            lapsed = rating == Rating::Again;
        }
    }
    out
}

#[test]
fn fitting_a_simulated_learner_beats_the_defaults() {
    let reviews = simulate(1500, 7);
    let items = optimize::training_items(&reviews, &clock());
    assert!(items.len() >= MIN_ITEMS, "{} items", items.len());
    let started = Instant::now();
    let fitted = optimize::optimize(&[], items.clone(), |_, _| true).unwrap();
    let truth = optimize::evaluate(&TRUE_PARAMS, &items).unwrap();
    eprintln!(
        "simulated: {} reviews, {} items in {:?}; defaults {:?}, fitted {:?}, truth {:?}; fitted parameters {:?}",
        reviews.len(),
        fitted.items,
        started.elapsed(),
        fitted.before,
        fitted.after,
        truth,
        fitted.parameters
    );
    assert!(fitted.improved);
    assert!(
        fitted.after.log_loss < fitted.before.log_loss,
        "{:?} vs {:?}",
        fitted.after,
        fitted.before
    );
    // The initial stabilities move from the defaults towards the truth.
    let initial = fitted.parameters[..4]
        .iter()
        .zip(&TRUE_PARAMS)
        .zip(&fsrs::DEFAULT_PARAMETERS);
    for (i, ((fit, truth), default)) in initial.enumerate() {
        assert!(
            (fit - truth).abs() < (default - truth).abs(),
            "w{i}: fitted {fit}, true {truth}, default {default}"
        );
    }
    // The fit lands near what the true parameters achieve.
    assert!(
        fitted.after.log_loss < truth.log_loss + 0.01,
        "{:?} vs truth {truth:?}",
        fitted.after
    );
}

// ------------------------------------------------------ stopping early

#[test]
fn too_little_history_is_refused_with_the_shortfall() {
    let items: Vec<FSRSItem> = sample_items().into_iter().take(150).collect();
    let err = optimize::optimize(&[], items, |_, _| true).unwrap_err();
    assert_eq!(
        err,
        OptimizeError::NotEnoughHistory {
            have: 150,
            need: MIN_ITEMS
        }
    );
    let message = err.to_string();
    assert!(message.contains(&MIN_ITEMS.to_string()), "{message}");
    assert!(message.contains("150"), "{message}");
    assert!(
        message.contains(&format!("{} more", MIN_ITEMS - 150)),
        "{message}"
    );

    // Cards only ever studied on one day give nothing to learn from.
    let t: Timestamp = "2024-01-01T12:00:00Z".parse().unwrap();
    let same_day: Vec<(i64, Rating, Timestamp)> =
        (0..1000).map(|card| (card, Rating::Good, t)).collect();
    let items = optimize::training_items(&same_day, &clock());
    assert!(items.is_empty());
    assert_eq!(
        optimize::optimize(&[], items, |_, _| true),
        Err(OptimizeError::NotEnoughHistory {
            have: 0,
            need: MIN_ITEMS
        })
    );
}

#[test]
fn the_progress_callback_can_cancel() {
    let mut calls = 0;
    let result = optimize::optimize(&[], sample_items(), |_, _| {
        calls += 1;
        false
    });
    assert_eq!(result, Err(OptimizeError::Cancelled));
    assert_eq!(calls, 1, "no progress is reported after cancelling");
}

#[test]
fn invalid_current_parameters_are_an_error() {
    let err = optimize::optimize(&[0.5; 7], sample_items(), |_, _| true).unwrap_err();
    assert_eq!(err, OptimizeError::InvalidParameters { count: 7 });
}
