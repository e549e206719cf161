//! Shared helpers for the integration tests: temporary data folders with small decks.
#![allow(dead_code)]

use std::path::Path;

use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use rehearse_core::collection::{Collection, OpenOptions};
use rehearse_core::schedule::DayClock;

/// A fixed "now": 2026-03-02 12:00 UTC.
pub fn t0() -> Timestamp {
    "2026-03-02T12:00:00Z".parse().unwrap()
}

/// `t0` plus some minutes.
pub fn mins(m: i64) -> Timestamp {
    t0().checked_add(SignedDuration::from_mins(m)).unwrap()
}

/// `t0` plus some days.
pub fn days(d: i64) -> Timestamp {
    t0().checked_add(SignedDuration::from_hours(24 * d))
        .unwrap()
}

/// A deck file with `n` basic cards `<prefix>-1` … `<prefix>-n`.
pub fn deck_text(name: &str, prefix: &str, n: usize) -> String {
    let mut s = format!("(name: {name:?}, description: \"test\", cards: [\n");
    for i in 1..=n {
        s.push_str(&format!(
            "    (id: \"{prefix}-{i}\", topic: \"T{}\", front: \"Question {prefix} {i}?\", back: \"Answer {i}\"),\n",
            i % 3
        ));
    }
    s.push_str("])\n");
    s
}

/// Writes decks into `root/decks` so the built-in ones are not installed
/// (with `journal/`, so that even no decks at all reads as a folder in use,
/// not as a first start that was cut short).
pub fn write_decks(root: &Path, decks: &[(&str, String)]) {
    let dir = root.join("decks");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(root.join("journal")).unwrap();
    for (file, text) in decks {
        std::fs::write(dir.join(file), text).unwrap();
    }
}

/// Opens `root` as device `device`, counting days in UTC from 04:00.
pub fn open_as(root: &Path, device: &str, now: Timestamp) -> Collection {
    Collection::open(
        OpenOptions {
            root: root.to_path_buf(),
            device: device.into(),
            clock: Some(DayClock::new(TimeZone::UTC, 4)),
            read_only: false,
        },
        now,
    )
    .unwrap()
}

/// Opens `root` as device "test".
pub fn open(root: &Path, now: Timestamp) -> Collection {
    open_as(root, "test", now)
}
