//! Times Rehearse's side of the side-by-side comparison with Anki
//! (`crates/rehearse-core/benches/side_by_side.py` runs it): open and first
//! due card, deck list with counts, text search, sorted listing, a durable
//! answer and statistics, each the median of several runs, on a data folder
//! made by `rehearse import`. Prints one JSON object.
//!
//! `cargo run --release -p rehearse-core --example timings -- DIR [WORD] [RUNS]`
//!
//! The answer is given on a copy of the folder, so DIR is left as it was.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use jiff::Timestamp;
use rehearse_core::collection::{Collection, OpenOptions};
use rehearse_core::insight::stats::{StatsFilter, compute};
use rehearse_core::schedule::Rating;
use rehearse_core::search::{SortColumn, parse, search, sort};
use rehearse_core::study::{Scope, Session};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        bail!("usage: timings DATA_DIR [WORD] [RUNS]");
    };
    let word = args.next().unwrap_or_else(|| "network".to_string());
    let runs: usize = match args.next() {
        Some(n) => n.parse().context("RUNS must be a number")?,
        None => 5,
    };
    let now = Timestamp::now();

    // The first open after an import may have more to do (no snapshot yet).
    let start = Instant::now();
    drop(open(&dir, true)?);
    let first_open_ms = start.elapsed().as_secs_f64() * 1000.0;
    let (open_ms, first) = median(runs, || {
        let collection = open(&dir, true)?;
        let mut session = Session::new(&collection, Scope::All, now);
        Ok(session.current(&collection, now).is_some())
    })?;
    let rss_after_open_mb = {
        let _collection = open(&dir, true)?;
        resident_mb("VmRSS")
    };

    let collection = open(&dir, true)?;
    let (deck_list_ms, decks) = median(runs, || {
        let counts = collection.deck_counts(now);
        let done = collection.done_today(now);
        let rows = rehearse_core::deck_tree::deck_tree(&collection, &counts, &done, &[]);
        Ok(rows.len())
    })?;
    let query = parse(&word).context("the search word")?;
    let (search_ms, found) = median(runs, || Ok(search(&collection, &query, now, None)?.len()))?;
    let everything = parse("").context("the empty search")?;
    let (sorted_ms, listed) = median(runs, || {
        let mut rows = search(&collection, &everything, now, None)?;
        sort(&collection, &mut rows, SortColumn::Front, false, now);
        Ok(rows.len())
    })?;
    let (stats_ms, days) = median(runs.min(3), || {
        let history = collection.history_loader()?.load()?;
        let stats = compute(&collection, Some(&history), &StatsFilter::default(), now);
        Ok(stats.reviews_per_day.len())
    })?;
    drop(collection);

    let answer_ms = durable_answer(&dir, now)?;

    println!(
        "{}",
        serde_json::json!({
            "first_open_ms": first_open_ms,
            "open_first_card_ms": open_ms,
            "first_card_found": first,
            "deck_list_ms": deck_list_ms,
            "decks": decks,
            "search_ms": search_ms,
            "search_found": found,
            "sorted_listing_ms": sorted_ms,
            "listed": listed,
            "answer_ms": answer_ms,
            "stats_ms": stats_ms,
            "stats_days": days,
            "rss_after_open_mb": rss_after_open_mb,
            "peak_rss_mb": resident_mb("VmHWM"),
        })
    );
    Ok(())
}

fn open(dir: &Path, read_only: bool) -> Result<Collection> {
    Collection::open(
        OpenOptions {
            root: dir.to_path_buf(),
            device: "timings".into(),
            clock: None,
            read_only,
        },
        Timestamp::now(),
    )
    .with_context(|| format!("cannot open {}", dir.display()))
}

/// The median time in milliseconds of `runs` calls, and the last result.
fn median<T>(runs: usize, mut f: impl FnMut() -> Result<T>) -> Result<(f64, T)> {
    let mut times = Vec::with_capacity(runs.max(1));
    let mut last = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        last = Some(f()?);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let result = last.context("no run")?;
    Ok((times[times.len() / 2], result))
}

/// One answer, fsynced to the journal, on a copy of the folder (so the
/// folder compared with Anki is left as it was).
fn durable_answer(dir: &Path, now: Timestamp) -> Result<f64> {
    let copy = tempfile::tempdir()?;
    copy_dir(dir, copy.path())?;
    let mut collection = open(copy.path(), false)?;
    let mut session = Session::new(&collection, Scope::All, now);
    let mut times = Vec::new();
    for _ in 0..20 {
        if session.current(&collection, now).is_none() {
            break;
        }
        let start = Instant::now();
        session.answer(&mut collection, Rating::Good, now, 1000)?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    if times.is_empty() {
        bail!("nothing to answer in {}", dir.display());
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// A line of `/proc/self/status` in megabytes (Linux), or 0.
fn resident_mb(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| {
            l.strip_prefix(key)?
                .trim_start_matches(':')
                .trim()
                .strip_suffix("kB")
        })
        .and_then(|kb| kb.trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}
