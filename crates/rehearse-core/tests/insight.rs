//! Weak topics, drills, interview readiness and statistics on synthetic
//! histories whose answers are known.

mod common;

use common::*;
use rehearse_core::ItemId;
use rehearse_core::collection::Collection;
use rehearse_core::insight::forecast::{forecast, interview_time};
use rehearse_core::insight::stats::{StatsFilter, compute};
use rehearse_core::insight::weak::{DrillFilter, GroupKind, WeakRow, drill_items, weak_topics};
use rehearse_core::schedule::{Phase, Rating};
use rehearse_core::study::{Scope, Session};

fn item(s: &str) -> ItemId {
    s.parse().unwrap()
}

/// Two topics of four cards: "Weak" is forgotten on every review, "Strong" is
/// always recalled. A third, "Unseen", is never studied.
fn known_history(root: &std::path::Path) -> Collection {
    let mut deck = String::from("(name: \"D\", cards: [\n");
    for (prefix, topic) in [("w", "Weak"), ("s", "Strong"), ("u", "Unseen")] {
        for i in 1..=4 {
            deck.push_str(&format!(
                "(id: \"{prefix}-{i}\", topic: \"{topic}\", tags: [\"{prefix}tag\"], front: \"{topic} {i}?\", back: \"A\"),\n"
            ));
        }
    }
    deck.push_str("])");
    write_decks(root, &[("d.ron", deck)]);
    let mut c = open(root, t0());
    for i in 1..=4 {
        for prefix in ["w", "s"] {
            let id = item(&format!("{prefix}-{i}"));
            // Learn on day 0, then review on each due day for 40 days.
            c.answer(&id, Rating::Good, t0(), 1000).unwrap();
            c.answer(&id, Rating::Good, mins(10), 1000).unwrap();
            let mut guard = 0;
            while let Some(due) = c.state(&id).due.filter(|d| *d < days(40)) {
                let rating = if prefix == "w" && c.state(&id).phase == Phase::Review {
                    Rating::Again
                } else {
                    Rating::Good
                };
                c.answer(&id, rating, due, 1000).unwrap();
                guard += 1;
                assert!(guard < 200);
            }
        }
    }
    c
}

#[test]
fn weak_topics_put_the_forgotten_topic_first_and_unseen_last() {
    let dir = tempfile::tempdir().unwrap();
    let c = known_history(dir.path());
    let now = days(41);
    let history = c.history_loader().unwrap().load().unwrap();
    let rows = weak_topics(&c, Some(&history), now);
    let topics: Vec<&str> = rows
        .iter()
        .filter(|r| r.kind == GroupKind::Topic)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(topics, ["Weak", "Strong", "Unseen"]);
    let weak = rows.iter().find(|r| r.name == "Weak").unwrap();
    let strong = rows.iter().find(|r| r.name == "Strong").unwrap();
    let unseen = rows.iter().find(|r| r.name == "Unseen").unwrap();
    assert!(weak.recall_now.unwrap() < strong.recall_now.unwrap());
    assert!(weak.lapse_rate.unwrap() > 0.9, "{:?}", weak.lapse_rate);
    assert_eq!(strong.lapse_rate, Some(0.0));
    assert!(weak.again_rate_30d.unwrap() > strong.again_rate_30d.unwrap());
    assert_eq!((weak.items, weak.studied), (4, 4));
    assert_eq!(
        (unseen.items, unseen.studied, unseen.recall_now),
        (4, 0, None)
    );
    // Tags are rows too.
    assert!(
        rows.iter()
            .any(|r| r.kind == GroupKind::Tag && r.name == "wtag")
    );
    // Recall now is the mean FSRS retrievability of the studied items.
    let mean: f32 = (1..=4)
        .map(|i| {
            c.scheduler()
                .retrievability(c.state(&item(&format!("s-{i}"))), now)
                .unwrap()
        })
        .sum::<f32>()
        / 4.0;
    assert!((strong.recall_now.unwrap() - mean).abs() < 1e-6);
}

#[test]
fn a_drill_takes_the_weakest_cards_of_the_chosen_topics_due_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = known_history(dir.path());
    let now = days(41);
    let filter = DrillFilter {
        topics: vec!["Weak".into(), "Unseen".into()],
        tags: vec![],
    };
    let items = drill_items(&c, &filter, now, 100);
    assert_eq!(items.len(), 8);
    let recalls: Vec<f32> = items[..4]
        .iter()
        .map(|i| c.scheduler().retrievability(c.state(i), now).unwrap())
        .collect();
    assert!(recalls.windows(2).all(|w| w[0] <= w[1]), "{recalls:?}");
    assert!(items[..4].iter().all(|i| i.card.as_str().starts_with("w-")));
    assert!(items[4..].iter().all(|i| i.card.as_str().starts_with("u-")));

    // Drilling answers count as real reviews.
    let mut s = Session::new(&c, Scope::Drill(filter), now);
    let first = s.current(&c, now).unwrap();
    assert_eq!(first, items[0]);
    let reps = c.state(&first).reps;
    s.answer(&mut c, Rating::Good, now, 500).unwrap();
    assert_eq!(c.state(&first).reps, reps + 1);
    assert_eq!(s.current(&c, now).unwrap(), items[1]);
}

#[test]
fn readiness_if_stopping_equals_retrievability_on_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let c = known_history(dir.path());
    let now = days(41);
    let date = days(60).to_zoned(jiff::tz::TimeZone::UTC).date();
    let f = forecast(&c, None, date, now, None).unwrap();
    let at = interview_time(&c, date);
    assert_eq!(f.at, at);
    let strong = f.topics.iter().find(|t| t.topic == "Strong").unwrap();
    let direct: f32 = (1..=4)
        .map(|i| {
            let st = c.state(&item(&format!("s-{i}")));
            let m = st.memory.unwrap();
            let days = (at.as_second() - st.last_review.unwrap().as_second()) as f32 / 86_400.0;
            fsrs::current_retrievability(
                fsrs::MemoryState {
                    stability: m.stability,
                    difficulty: m.difficulty,
                },
                days,
                c.scheduler().decay(),
            )
        })
        .sum::<f32>()
        / 4.0;
    assert!((strong.recall_if_stop.unwrap() - direct).abs() < 1e-6);
    // Keeping up never predicts less than stopping, and costs reviews.
    for t in &f.topics {
        if let (Some(keep), Some(stop)) = (t.recall_if_keep, t.recall_if_stop) {
            assert!(keep >= stop - 1e-6, "{t:?}");
        }
    }
    assert!(f.reviews > 0);
    assert_eq!(
        f.topics
            .iter()
            .find(|t| t.topic == "Unseen")
            .unwrap()
            .unstudied,
        4
    );
    // A higher retention for the final stretch means more reviews and more recall.
    let high = forecast(&c, None, date, now, Some(0.97)).unwrap();
    assert!(high.reviews >= f.reviews);
    assert!(high.overall_if_keep().unwrap() >= f.overall_if_keep().unwrap());
    // Narrowed to a topic.
    let only = DrillFilter {
        topics: vec!["Weak".into()],
        tags: vec![],
    };
    let f = forecast(&c, Some(&only), date, now, None).unwrap();
    assert_eq!(f.topics.len(), 1);
}

#[test]
fn statistics_count_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    let c = known_history(dir.path());
    let now = days(41);
    let history = c.history_loader().unwrap().load().unwrap();
    let s = compute(&c, Some(&history), &StatsFilter::default(), now);
    assert_eq!(s.total_answers as usize, history.answers.len());
    assert_eq!(
        s.reviews_per_day
            .values()
            .map(|n| *n as usize)
            .sum::<usize>(),
        history.answers.len()
    );
    assert_eq!(s.items, 12);
    assert_eq!(s.studied, 8);
    let all_time = s.retention.last().unwrap().total();
    let weak_reviews = history
        .answers
        .iter()
        .filter(|a| {
            a.item.card.as_str().starts_with("w-")
                && a.kind == rehearse_core::store::AnswerKind::Review
        })
        .count() as u32;
    assert_eq!(
        all_time.failed, weak_reviews,
        "every review of a weak card failed"
    );
    assert!(all_time.passed > 0);
    let buttons: u32 = s.buttons.iter().flatten().sum();
    assert_eq!(buttons as usize, history.answers.len());
    assert_eq!(
        s.due_forecast.iter().sum::<u32>() as usize,
        8,
        "every studied card is due within 90 days"
    );
    assert_eq!(s.stability.counts.iter().sum::<u32>(), 8);
    // Nothing answered yesterday or today at day 41: no streak.
    assert_eq!(s.streak, 0);
    let at_end = compute(&c, Some(&history), &StatsFilter::default(), days(39));
    assert!(at_end.streak >= 1);
    // Narrowed to a topic.
    let weak = compute(
        &c,
        Some(&history),
        &StatsFilter {
            deck: None,
            topic: Some("Weak".into()),
        },
        now,
    );
    assert_eq!(weak.items, 4);
    assert_eq!(weak.retention.last().unwrap().total().passed, 0);
}

#[test]
fn statistics_of_an_empty_collection() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[]);
    let c = open(dir.path(), t0());
    let history = c.history_loader().unwrap().load().unwrap();
    let s = compute(&c, Some(&history), &StatsFilter::default(), t0());
    assert_eq!(
        (s.items, s.studied, s.total_answers, s.streak),
        (0, 0, 0, 0)
    );
    assert!(s.retention.iter().all(|r| r.total().rate().is_none()));
    assert!(weak_topics(&c, Some(&history), t0()).is_empty());
    let date = days(10).to_zoned(jiff::tz::TimeZone::UTC).date();
    let f = forecast(&c, None, date, t0(), None).unwrap();
    assert_eq!(f.reviews, 0);
    assert_eq!(f.overall_if_keep(), None);
}

fn weak_row(name: &str, recall: f32, lapse: f32, again: f32, leeches: usize) -> WeakRow {
    WeakRow {
        kind: GroupKind::Topic,
        name: name.into(),
        items: 20,
        studied: 20,
        recall_now: Some(recall),
        lapse_rate: Some(lapse),
        again_rate_30d: Some(again),
        answers_30d: 50,
        leeches,
    }
}

#[test]
fn weakness_counts_lapses_agains_and_leeches_not_recall_alone() {
    // The screenshot review: 92% recall but 31% lapses, 31% again and 7
    // leeches is weaker than 94% recall with nothing forgotten.
    let transactions = weak_row("Transactions & consistency", 0.92, 0.31, 0.31, 7);
    let caching = weak_row("Caching", 0.94, 0.0, 0.0, 0);
    let (t, c) = (
        transactions.weakness().unwrap(),
        caching.weakness().unwrap(),
    );
    assert!(t > c, "transactions {t} should be weaker than caching {c}");
    // The mean of the four shares, on a 0–100 scale.
    assert!((c - 1.5).abs() < 1e-3, "{c}");
    assert!(
        (t - (0.08 + 0.31 + 0.31 + 0.35) / 4.0 * 100.0).abs() < 1e-3,
        "{t}"
    );
    let mut unstudied = weak_row("New", 0.0, 0.0, 0.0, 0);
    unstudied.recall_now = None;
    assert_eq!(unstudied.weakness(), None);
}

#[test]
fn weak_topics_rank_by_weakness() {
    let dir = tempfile::tempdir().unwrap();
    let c = known_history(dir.path());
    let history = c.history_loader().unwrap().load().unwrap();
    let rows = weak_topics(&c, Some(&history), days(41));
    let scores: Vec<f32> = rows.iter().filter_map(|r| r.weakness()).collect();
    assert!(rows.last().is_some_and(|r| r.weakness().is_none()));
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "weakest first: {scores:?}"
    );
}
