//! Generated collections shared by the benchmarks: ten decks of cards and,
//! optionally, a year of review history answered through the real scheduler.
#![allow(dead_code)]

use std::path::Path;

use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rehearse_core::ItemId;
use rehearse_core::collection::{Collection, OpenOptions};
use rehearse_core::schedule::{CardState, DayClock, Rating, Scheduler, Settings};
use rehearse_core::store::{Event, write_atomic};

pub const DECKS: usize = 10;

pub fn start() -> Timestamp {
    "2025-11-01T12:00:00Z".parse().unwrap()
}

/// The generated history ends here.
pub fn end() -> Timestamp {
    "2026-11-01T12:00:00Z".parse().unwrap()
}

/// The next morning: the day's reviews are due and none done yet.
pub fn now() -> Timestamp {
    "2026-11-02T08:00:00Z".parse().unwrap()
}

pub fn clock() -> DayClock {
    DayClock::new(TimeZone::UTC, 4)
}

pub fn options(root: &Path) -> OpenOptions {
    OpenOptions {
        root: root.to_path_buf(),
        device: "bench".into(),
        clock: Some(clock()),
        read_only: false,
    }
}

/// Writes `cards` cards over ten decks and, when `history`, a year of reviews
/// for every card, then opens once to build the snapshot.
pub fn generate(root: &Path, cards: usize, history: bool) {
    std::fs::create_dir_all(root.join("decks")).unwrap();
    std::fs::create_dir_all(root.join("journal")).unwrap();
    let per_deck = cards / DECKS;
    for d in 0..DECKS {
        let mut text = format!("(name: \"Deck {d}\", description: \"generated\", cards: [\n");
        for i in 0..per_deck {
            text.push_str(&format!(
                "    (id: \"d{d}-{i}\", topic: \"Topic {}\", tags: [\"t{}\"], front: \"What is concept {i} of deck {d}, and why does it matter in production?\", back: \"**Key point {i}.** Supporting detail with `code` and a short explanation.\"),\n",
                i % 25,
                i % 7
            ));
        }
        text.push_str("])\n");
        write_atomic(&root.join(format!("decks/deck-{d}.ron")), text.as_bytes()).unwrap();
    }
    if history {
        let scheduler = Scheduler::new(Settings::default(), clock()).unwrap();
        let mut rng = StdRng::seed_from_u64(1);
        let mut events: Vec<(Timestamp, ItemId, Rating)> = Vec::new();
        for d in 0..DECKS {
            for i in 0..per_deck {
                let id: ItemId = format!("d{d}-{i}").parse().unwrap();
                let mut t = start()
                    .checked_add(SignedDuration::from_hours(rng.random_range(0..24 * 300)))
                    .unwrap();
                let mut state = CardState::new();
                while t < end() {
                    let roll: f32 = rng.random();
                    let rating = match roll {
                        r if r < 0.10 => Rating::Again,
                        r if r < 0.14 => Rating::Hard,
                        r if r < 0.97 => Rating::Good,
                        _ => Rating::Easy,
                    };
                    state = scheduler.answer(&id, &state, rating, t).unwrap().state;
                    events.push((t, id.clone(), rating));
                    t = state
                        .due
                        .unwrap()
                        .max(t.checked_add(SignedDuration::from_mins(1)).unwrap());
                }
            }
        }
        events.sort_by_key(|e| e.0);
        let mut journal = String::with_capacity(events.len() * 100);
        for (n, (at, item, rating)) in events.into_iter().enumerate() {
            journal.push_str(
                &Event::Review {
                    id: n as u64 + 1,
                    at,
                    item,
                    rating,
                    took_ms: 6000,
                    days: None,
                }
                .to_line()
                .unwrap(),
            );
            journal.push('\n');
        }
        std::fs::write(root.join("journal/bench.ron"), journal).unwrap();
    }
    let mut c = Collection::open(options(root), now()).unwrap();
    c.save_snapshot().unwrap();
}
