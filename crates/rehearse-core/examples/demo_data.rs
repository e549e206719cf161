//! Fills a data folder with 90 days of simulated study of the built-in decks,
//! for trying the statistics and weak-topic screens:
//! `cargo run --example demo_data -- /tmp/rehearse-demo`, then
//! `cargo run -- --data-dir /tmp/rehearse-demo`.

use jiff::{SignedDuration, Timestamp};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rehearse_core::collection::{Collection, OpenOptions};
use rehearse_core::schedule::Rating;
use rehearse_core::study::{Scope, Session};

fn main() -> anyhow::Result<()> {
    let root = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: demo_data DIR"))?;
    let now = Timestamp::now();
    let start = now - SignedDuration::from_hours(24 * 90);
    let mut c = Collection::open(
        OpenOptions {
            root: root.clone().into(),
            device: "demo".into(),
            clock: None,
            read_only: false,
        },
        start,
    )?;
    let mut rng = StdRng::seed_from_u64(7);
    // Some topics are harder for this learner than others.
    let hard_topics = [
        "Transactions & consistency",
        "Containers & Kubernetes",
        "GraphQL & API design",
    ];
    for day in 0..90 {
        if rng.random::<f32>() < 0.15 {
            continue; // a day off
        }
        let mut t = start + SignedDuration::from_hours(24 * day + 2);
        let mut session = Session::new(&c, Scope::All, t);
        while let Some(id) = session.current(&c, t) {
            let hard = c
                .card_of(&id)
                .is_some_and(|card| hard_topics.contains(&card.topic.as_str()));
            let p_fail = if hard { 0.35 } else { 0.08 };
            let roll: f32 = rng.random();
            let rating = if roll < p_fail {
                Rating::Again
            } else if roll < p_fail + 0.05 {
                Rating::Hard
            } else if roll > 0.95 {
                Rating::Easy
            } else {
                Rating::Good
            };
            session.answer(&mut c, rating, t, rng.random_range(3_000..25_000))?;
            t += SignedDuration::from_secs(rng.random_range(5..40));
        }
    }
    c.save_snapshot()?;
    println!(
        "{} answers over 90 days in {root}",
        c.states().values().map(|s| s.reps).sum::<u32>()
    );
    Ok(())
}
