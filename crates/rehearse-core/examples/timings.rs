//! Times what a person waits for on a data folder, in one fresh process, and
//! prints one JSON object (milliseconds) for `benches/anki_compare.py`:
//!
//! ```text
//! cargo run --release -p rehearse-core --example timings -- DIR [--now RFC3339] [--query TEXT] [--no-answer] [--open-only]
//! cargo run --release -p rehearse-core --example timings -- generate DIR CARDS [--history]
//! ```
//!
//! The figures: open and produce the first due card; the deck list with
//! counts; a text search; the browser's listing of every card sorted by its
//! front; one durable answer (fsynced; skipped with `--no-answer`); and the
//! statistics of all cards over the history (loading and replaying the
//! journals, then computing). `generate` writes the benchmarks' collection
//! (ten decks; with `--history`, a year of reviews).

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

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("generate") {
        let dir = args.get(1).context("generate DIR CARDS [--history]")?;
        let cards: usize = args
            .get(2)
            .context("generate DIR CARDS [--history]")?
            .parse()?;
        common::generate(
            std::path::Path::new(dir),
            cards,
            args.iter().any(|a| a == "--history"),
        );
        return Ok(());
    }
    let Some(dir) = args.first() else {
        bail!("usage: timings DIR [--now RFC3339] [--query TEXT] [--no-answer]");
    };
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let now: Timestamp = match flag("--now") {
        Some(t) => t.parse()?,
        None => Timestamp::now(),
    };
    let query = flag("--query").map_or("concept 12", String::as_str);

    let t = Instant::now();
    let mut c = Collection::open(
        OpenOptions {
            root: dir.into(),
            device: "timings".into(),
            clock: None,
            read_only: false,
        },
        now,
    )?;
    let opened = ms(t);
    let first = Session::new(&c, Scope::All, now).current(&c, now);
    let open = ms(t);
    let cache = c.cache_use();
    if args.iter().any(|a| a == "--open-only") {
        println!("{{\"open_first_card_ms\": {open}, \"open_ms\": {opened}}}");
        return Ok(());
    }

    let t = Instant::now();
    let counts = c.deck_counts(now);
    let deck_list = ms(t);

    let parsed = parse(query).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let t = Instant::now();
    let found = search(&c, &parsed, now);
    let text_search = ms(t);

    let everything = parse("").map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let t = Instant::now();
    let mut rows = search(&c, &everything, now);
    sort(&c, &mut rows, SortColumn::Front, false, now);
    let sorted = ms(t);

    // The first due card, or any card when none is due (today's limits
    // reached): the figure is the durable write.
    let to_answer = first
        .clone()
        .or_else(|| c.items().first().map(|i| i.id.clone()));
    let answer = match &to_answer {
        Some(id) if !args.iter().any(|a| a == "--no-answer") => {
            let t = Instant::now();
            c.answer(id, Rating::Good, now, 5000)?;
            Some(ms(t))
        }
        _ => None,
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
        "answer_ms": answer,
        "statistics_ms": history_ms + stats_ms,
        "history_load_ms": history_ms,
        "stats_compute_ms": stats_ms,
        "items": c.items().len(),
        "decks": counts.len(),
        "due_today": counts.iter().map(|k| k.total()).sum::<usize>(),
        "search_hits": found.len(),
        "sorted_rows": rows.len(),
        "answers_in_history": history.answers.len(),
        "stats_today": stats.today,
        "first_card": first.map(|id| id.to_string()),
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
