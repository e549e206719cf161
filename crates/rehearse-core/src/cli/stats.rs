//! `rehearse stats [--json]`: today's counts, and with --json every card's state.

use anyhow::Result;
use jiff::Timestamp;

use crate::collection::Collection;
use crate::schedule::Phase;

/// `rehearse stats`.
pub fn stats(collection: &Collection, json: bool, now: Timestamp) -> Result<()> {
    let counts = collection.deck_counts(now);
    let progress = collection.progress_today(now);
    if !json {
        outln!(
            "{:<40} {:>6} {:>6} {:>6} {:>6}",
            "deck",
            "cards",
            "new",
            "learn",
            "due"
        );
        for (deck, c) in collection.decks().iter().zip(&counts) {
            outln!(
                "{:<40} {:>6} {:>6} {:>6} {:>6}",
                deck.name,
                deck.cards.len(),
                c.new,
                c.learning,
                c.review
            );
        }
        let total = collection.total_counts(now);
        let cards: usize = collection.decks().iter().map(|d| d.cards.len()).sum();
        outln!(
            "{:<40} {:>6} {:>6} {:>6} {:>6}",
            "total",
            cards,
            total.new,
            total.learning,
            total.review
        );
        outln!(
            "today: {} answers, {} new, {} again, {} min",
            progress.answers,
            progress.new,
            progress.again,
            progress.time_ms / 60_000
        );
        for e in collection.deck_errors() {
            outln!("not loaded: {e}");
        }
        return Ok(());
    }
    let decks: Vec<_> = collection
        .decks()
        .iter()
        .zip(&counts)
        .enumerate()
        .map(|(i, (d, c))| {
            serde_json::json!({
                "slug": d.slug, "name": d.name, "cards": d.cards.len(),
                "new": c.new, "learning": c.learning, "due": c.review,
                "preset": collection.deck_preset_name(i),
            })
        })
        .collect();
    let cards: Vec<_> = collection
        .items()
        .iter()
        .map(|item| {
            let s = collection.state(&item.id);
            serde_json::json!({
                "item": item.id.to_string(),
                "deck": collection.decks()[item.deck].slug,
                "phase": phase_name(s.phase),
                "stability": s.memory.map(|m| m.stability),
                "difficulty": s.memory.map(|m| m.difficulty),
                "retrievability": collection.deck_scheduler(item.deck).retrievability(s, now),
                "due": s.due.map(|d| d.to_string()),
                "interval_days": s.interval_days,
                "reps": s.reps,
                "lapses": s.lapses,
                "leech": s.leech,
                "suspended": s.suspended,
            })
        })
        .collect();
    let history = collection.history_loader()?.load()?;
    let statistics = crate::insight::stats::compute(
        collection,
        Some(&history),
        &crate::insight::stats::StatsFilter::default(),
        now,
    );
    let out = serde_json::json!({
        "statistics": statistics,
        "decks": decks,
        "today": {
            "answers": progress.answers, "new": progress.new,
            "again": progress.again, "time_ms": progress.time_ms,
        },
        "deck_errors": collection.deck_errors().iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        "settings_error": collection.settings_error(),
        "cards": cards,
    });
    outln!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::New => "new",
        Phase::Learning { .. } => "learning",
        Phase::Review => "review",
        Phase::Relearning { .. } => "relearning",
    }
}
