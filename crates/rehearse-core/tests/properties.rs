//! Property tests: replay from a snapshot plus the journal tail equals a full
//! replay; arbitrary bytes never panic the parsers; journals from two devices
//! merge to the same state on both.

mod common;

use std::path::Path;

use common::*;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use rehearse_core::ItemId;
use rehearse_core::schedule::Rating;
use rehearse_core::store::journal::parse_journal;

#[derive(Clone, Debug)]
enum Op {
    Answer {
        card: usize,
        rating: Rating,
        after_mins: i64,
    },
    Undo,
    Suspend {
        card: usize,
        on: bool,
    },
    Snapshot,
}

fn op() -> impl Strategy<Value = Op> {
    let rating = prop_oneof![
        Just(Rating::Again),
        Just(Rating::Hard),
        Just(Rating::Good),
        Just(Rating::Easy)
    ];
    prop_oneof![
        6 => (0..6usize, rating, 0..3000i64).prop_map(|(card, rating, after_mins)| Op::Answer { card, rating, after_mins }),
        2 => Just(Op::Undo),
        1 => (0..6usize, any::<bool>()).prop_map(|(card, on)| Op::Suspend { card, on }),
        1 => Just(Op::Snapshot),
    ]
}

fn item(i: usize) -> ItemId {
    format!("a-{}", i + 1).parse().unwrap()
}

fn run_ops(
    root: &Path,
    ops: &[Op],
) -> (
    Timestamp,
    std::collections::HashMap<ItemId, rehearse_core::CardState>,
) {
    let mut c = open(root, t0());
    let mut now = t0();
    for op in ops {
        match op {
            Op::Answer {
                card,
                rating,
                after_mins,
            } => {
                now = now
                    .checked_add(SignedDuration::from_mins(*after_mins))
                    .unwrap();
                c.answer(&item(*card), *rating, now, 1000).unwrap();
            }
            Op::Undo => {
                c.undo(now).unwrap();
            }
            Op::Suspend { card, on } => {
                c.suspend_items(&[item(*card)], *on, now).unwrap();
            }
            Op::Snapshot => c.save_snapshot().unwrap(),
        }
    }
    (now, c.states().clone())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn snapshot_plus_tail_equals_full_replay(ops in prop::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 6))]);
        let (now, live) = run_ops(dir.path(), &ops);
        let from_snapshot = open(dir.path(), now).states().clone();
        let _ = std::fs::remove_dir_all(dir.path().join(".cache"));
        let from_journal = open(dir.path(), now).states().clone();
        // Items whose only history was undone may be absent or new: compare non-new.
        let clean = |m: std::collections::HashMap<ItemId, rehearse_core::CardState>| {
            let mut v: Vec<_> = m.into_iter().filter(|(_, s)| *s != rehearse_core::CardState::new()).collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        prop_assert_eq!(clean(live.clone()), clean(from_journal.clone()));
        prop_assert_eq!(clean(from_snapshot), clean(from_journal));
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_deck_parser(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = rehearse_core::deck::parse_deck(&text, Path::new("x.ron"));
    }

    #[test]
    fn deck_like_text_never_panics(s in "\\(name: \"[a-z]{0,4}\", cards: \\[\\(id: \"[a-z:{}\\-]{0,6}\", kind: (Cloze|Basic|Reversed), front: \"[a-z{}:0-9c ]{0,30}\"(, back: \"[a-z]{0,5}\")?\\)\\]\\)") {
        if let Ok(deck) = rehearse_core::deck::parse_deck(&s, Path::new("x.ron")) {
            for card in &deck.cards {
                for item in card.items() {
                    let _ = card.render(item.variant);
                }
            }
            let _ = rehearse_core::deck::validate(&deck);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_journal_parser(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let read = parse_journal(&bytes, Path::new("j.ron"), 0);
        prop_assert!(read.end as usize <= bytes.len());
    }

    #[test]
    fn journal_lines_with_garbage_keep_the_good_events(
        good in prop::collection::vec((0..5u64, 0..4u32), 1..10),
        junk in "[ -~]{0,40}",
    ) {
        let mut text = String::new();
        let mut expected = Vec::new();
        for (i, (card, rating)) in good.iter().enumerate() {
            let e = rehearse_core::store::Event::Review {
                id: i as u64 + 1,
                at: t0(),
                item: format!("c{card}").parse().unwrap(),
                rating: Rating::from_number(rating + 1).unwrap(),
                took_ms: 5,
                days: None,
            };
            text.push_str(&e.to_line().unwrap());
            text.push('\n');
            if i == 0 {
                text.push_str(&junk.replace('\n', " "));
                text.push('\n');
            }
            expected.push(e);
        }
        let read = parse_journal(text.as_bytes(), Path::new("j.ron"), 0);
        // The junk line either parses as an event (unlikely) or is skipped.
        let kept: Vec<_> = read.events.iter().filter(|e| expected.contains(e)).cloned().collect();
        prop_assert_eq!(kept, expected);
    }
}

/// Two machines study the same cards offline, then their journals are copied
/// both ways (as a sync folder or a git merge would): both end in the same
/// state, equal to replaying every review in time order.
#[test]
fn two_devices_merge_to_the_same_state() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for d in [&a, &b] {
        write_decks(d.path(), &[("a.ron", deck_text("A", "a", 4))]);
    }
    {
        let mut ca = open_as(a.path(), "laptop", t0());
        ca.answer(&item(0), Rating::Good, mins(0), 1).unwrap();
        ca.answer(&item(0), Rating::Good, mins(10), 1).unwrap();
        ca.answer(&item(0), Rating::Good, days(3), 1).unwrap();
        ca.answer(&item(1), Rating::Easy, mins(5), 1).unwrap();
        ca.save_snapshot().unwrap();
    }
    {
        let mut cb = open_as(b.path(), "desktop", t0());
        cb.answer(&item(0), Rating::Again, days(2), 1).unwrap();
        cb.answer(&item(2), Rating::Hard, mins(7), 1).unwrap();
        cb.save_snapshot().unwrap();
    }
    std::fs::copy(
        a.path().join("journal/laptop.ron"),
        b.path().join("journal/laptop.ron"),
    )
    .unwrap();
    std::fs::copy(
        b.path().join("journal/desktop.ron"),
        a.path().join("journal/desktop.ron"),
    )
    .unwrap();
    let sa = open_as(a.path(), "laptop", days(4)).states().clone();
    let sb = open_as(b.path(), "desktop", days(4)).states().clone();
    assert_eq!(sa, sb);
    // Card 0 saw Good, Good (laptop), Again (desktop, day 2), Good (laptop, day 3).
    let s0 = &sa[&item(0)];
    assert_eq!(s0.reps, 4);
    assert_eq!(s0.lapses, 1);
    assert_eq!(sa.len(), 3);
}
