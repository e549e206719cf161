//! Times what a person waits for on a data folder, in one fresh process, and
//! prints one JSON object (milliseconds). Rehearse's side of
//! `benches/anki_compare.py`, which runs it once per figure sample so that
//! nothing is timed warm:
//!
//! ```text
//! cargo run --release -p rehearse-core --example timings -- DIR [--now RFC3339] [--query TEXT] [--no-answer] [--open-only]
//! cargo run --release -p rehearse-core --example timings -- generate DIR CARDS [--history]
//! ```
//!
//! The figures: open and produce the first due card; the deck list with
//! counts (the counts, today's progress and the tree Home draws); a text
//! search; the browser's listing of every card sorted by its front; the
//! first due card's answer buttons (their intervals) and one durable answer
//! (fsynced, into DIR's journal; both skipped with `--no-answer`);
//! and the statistics of all cards over the history (loading and
//! replaying the journals, then computing). Each is asked for once: the deck
//! counts and sort keys are kept per collection change, so a second ask in
//! the same process would time the kept copy. `generate` writes the
//! benchmarks' collection (ten decks; with `--history`, a year of reviews).

#[path = "../benches/common/mod.rs"]
mod common;

use std::time::Instant;

use anyhow::{Context, Result, bail};
use jiff::Timestamp;
use rehearse_core::collection::{Collection, OpenOptions};
use rehearse_core::insight::stats::{StatsFilter, compute};
use rehearse_core::schedule::Rating;
use rehearse_core::search::{SortColumn, parse, search, sort};
use rehearse_core::study::{Scope, Session};

const USAGE: &str = "usage: timings DIR [--now RFC3339] [--query TEXT] [--no-answer] [--open-only]\n       \
                     timings generate DIR CARDS [--history]";

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("generate") {
        let (Some(dir), Some(cards)) = (args.get(1), args.get(2)) else {
            bail!("{USAGE}");
        };
        let cards: usize = cards.parse().context("CARDS must be a number")?;
        common::generate(
            std::path::Path::new(dir),
            cards,
            args.iter().any(|a| a == "--history"),
        );
        return Ok(());
    }
    let Some(dir) = args.first().filter(|a| !a.starts_with("--")) else {
        bail!("{USAGE}");
    };
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let switch = |name: &str| args.iter().any(|a| a == name);
    let now: Timestamp = match flag("--now") {
        Some(t) => t.parse().context("--now must be an RFC 3339 time")?,
        None => Timestamp::now(),
    };
    let query = flag("--query").map_or("concept 12", String::as_str);
    let no_answer = switch("--no-answer");

    let t = Instant::now();
    let mut c = Collection::open(
        OpenOptions {
            root: dir.into(),
            device: "timings".into(),
            clock: None,
            // As the window opens it: locked, and writing the cache of what
            // had to be parsed.
            read_only: false,
        },
        now,
    )
    .with_context(|| format!("cannot open {dir}"))?;
    let opened = ms(t);
    let first = Session::new(&c, Scope::All, now).current(&c, now);
    let open = ms(t);
    let cache = c.cache_use();
    if switch("--open-only") {
        println!(
            "{}",
            serde_json::json!({"open_first_card_ms": open, "open_ms": opened})
        );
        return Ok(());
    }

    let t = Instant::now();
    let counts = c.deck_counts(now);
    let done = c.done_today(now);
    let tree = rehearse_core::deck_tree::deck_tree(&c, &counts, &done, &[]);
    let deck_list = ms(t);

    let parsed = parse(query).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let t = Instant::now();
    let found = search(&c, &parsed, now, None)?;
    let text_search = ms(t);

    let everything = parse("").map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let t = Instant::now();
    let mut rows = search(&c, &everything, now, None)?;
    sort(&c, &mut rows, SortColumn::Front, false, now);
    let sorted = ms(t);

    // The first due card, or any card when none is due (today's limits
    // reached): the figure is the durable write.
    let to_answer = first
        .clone()
        .or_else(|| c.items().first().map(|i| i.id.clone()));
    // As the window does (and as Anki's side does with its scheduling
    // states): the buttons' intervals are worked out when the card is
    // shown, timed on their own; the answer is then the durable write.
    let (preview, answer) = match &to_answer {
        Some(id) if !no_answer => {
            let t = Instant::now();
            c.preview(id, now)?;
            let preview = ms(t);
            let t = Instant::now();
            c.answer(id, Rating::Good, now, 5000)?;
            (Some(preview), Some(ms(t)))
        }
        _ => (None, None),
    };

    let t = Instant::now();
    let history = c.history_loader()?.load()?;
    let history_ms = ms(t);
    let t = Instant::now();
    let stats = compute(&c, Some(&history), &StatsFilter::default(), now);
    let stats_ms = ms(t);

    let out = serde_json::json!({
        "open_first_card_ms": open,
        "open_ms": opened,
        "deck_list_ms": deck_list,
        "text_search_ms": text_search,
        "sorted_listing_ms": sorted,
        "preview_ms": preview,
        "answer_ms": answer,
        "statistics_ms": history_ms + stats_ms,
        "history_load_ms": history_ms,
        "stats_compute_ms": stats_ms,
        "items": c.items().len(),
        "decks": counts.len(),
        "deck_rows": tree.len(),
        "due_today": counts.iter().map(|k| k.total()).sum::<usize>(),
        "search_hits": found.len(),
        "sorted_rows": rows.len(),
        "answers_in_history": history.answers.len(),
        "stats_today": stats.today,
        "first_card": first.map(|id| id.to_string()),
        "peak_rss_mb": resident_mb("VmHWM"),
        "cache": {
            "decks_cached": cache.decks_cached,
            "decks_parsed": cache.decks_parsed,
            "state": format!("{:?}", cache.state),
            "replayed": cache.replayed,
        },
    });
    println!("{out}");
    Ok(())
}

/// A line of `/proc/self/status` in megabytes (Linux), or 0 elsewhere.
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
