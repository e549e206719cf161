//! Bringing an Anki package into a collection: a preview first, then the
//! cards into their decks (matched by note guid, so a second import changes
//! nothing), media into `media/`, and the review history and scheduling into
//! a journal of their own so statistics and the optimiser see them.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use jiff::Timestamp;

use super::anki::{self, AnkiError, AnkiPackage, Converted, Limits};
use crate::collection::{Collection, CollectionError, EditError};
use crate::deck::ItemId;
use crate::store::{self, Event, StoreError};

/// What an import would bring in, shown before anything is written.
#[derive(Clone, Debug)]
pub struct AnkiPlan {
    /// The package as read.
    pub package: AnkiPackage,
    /// Its notes as Rehearse cards, with their progress.
    pub converted: Converted,
}

impl AnkiPlan {
    /// Decks and how many cards go into each.
    pub fn decks(&self) -> Vec<(String, usize)> {
        let mut out: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &self.converted.cards {
            *out.entry(c.deck.as_str()).or_default() += 1;
        }
        out.into_iter().map(|(d, n)| (d.to_string(), n)).collect()
    }

    /// Answers in the history.
    pub fn reviews(&self) -> usize {
        self.converted.items.iter().map(|i| i.reviews.len()).sum()
    }

    /// Study items that are suspended.
    pub fn suspended(&self) -> usize {
        self.converted.items.iter().filter(|i| i.suspended).count()
    }

    /// Study items that have been answered.
    pub fn studied(&self) -> usize {
        self.converted
            .items
            .iter()
            .filter(|i| i.state.reps > 0 || !i.reviews.is_empty())
            .count()
    }

    /// One line saying what would be imported.
    pub fn summary(&self) -> String {
        let n =
            |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        format!(
            "{} in {}; {} studied ({}), {} suspended; {}",
            n(self.converted.cards.len(), "card", "cards"),
            n(self.decks().len(), "deck", "decks"),
            n(self.studied(), "card side", "card sides"),
            n(self.reviews(), "answer", "answers"),
            self.suspended(),
            n(self.package.media.len(), "media file", "media files")
        )
    }
}

/// Reads and converts a package without touching the collection.
pub fn plan_anki_import(bytes: &[u8]) -> Result<AnkiPlan, AnkiError> {
    let package = anki::read_package(bytes, &Limits::default())?;
    let converted = anki::to_rehearse(&package);
    Ok(AnkiPlan { package, converted })
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnkiReport {
    /// New cards.
    pub added: usize,
    /// Cards updated because the package changed them.
    pub updated: usize,
    /// Cards already as in the package.
    pub unchanged: usize,
    /// Answers brought in (those already imported are not counted twice).
    pub reviews: usize,
    /// Items whose state was set from the package.
    pub states: usize,
    /// Media files written.
    pub media: usize,
    /// The journal the history went to, if any was written.
    pub journal: Option<PathBuf>,
}

/// Why an import stopped. What was written before the error is complete on
/// its own (cards, then media, then history), and importing again finishes it.
#[derive(Debug, thiserror::Error)]
pub enum AnkiImportError {
    /// Writing the cards failed.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// Writing media or the journal failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The collection could not take the history.
    #[error(transparent)]
    Collection(#[from] CollectionError),
}

/// Imports `plan` into `collection`.
pub fn apply_anki_import(
    collection: &mut Collection,
    plan: &AnkiPlan,
    now: Timestamp,
) -> Result<AnkiReport, AnkiImportError> {
    let mut report = AnkiReport::default();
    let cards = collection.import_cards(plan.converted.card_pairs())?;
    report.added = cards.added;
    report.updated = cards.updated;
    report.unchanged = cards.unchanged;

    let media_dir = collection.root().join("media");
    for (name, bytes) in &plan.package.media {
        let path = media_dir.join(name);
        if std::fs::read(&path).ok().as_deref() == Some(bytes.as_slice()) {
            continue;
        }
        std::fs::create_dir_all(&media_dir).map_err(|e| StoreError::io(&media_dir, e))?;
        store::write_atomic(&path, bytes).map_err(|e| StoreError::io(&path, e))?;
        report.media += 1;
    }

    // Only what the collection does not know yet: a package imported again,
    // or an updated one, adds just its new answers and changed states.
    let known: HashSet<(ItemId, Timestamp)> = collection
        .history_loader()?
        .load()?
        .answers
        .into_iter()
        .map(|a| (a.item, a.at))
        .collect();
    let mut events = Vec::new();
    for progress in &plan.converted.items {
        for r in &progress.reviews {
            if known.contains(&(progress.item.clone(), r.at)) {
                continue;
            }
            events.push(Event::Review {
                id: 0,
                at: r.at,
                item: progress.item.clone(),
                rating: r.rating,
                took_ms: r.took_ms,
            });
            report.reviews += 1;
        }
    }
    events.sort_by_key(Event::at);
    for progress in &plan.converted.items {
        if collection.state(&progress.item) != &progress.state {
            events.push(Event::Import {
                id: 0,
                at: now,
                item: progress.item.clone(),
                state: progress.state.clone(),
            });
            report.states += 1;
        }
    }
    if events.is_empty() {
        return Ok(report);
    }
    let mut text = String::with_capacity(events.len() * 120);
    for (n, mut event) in events.into_iter().enumerate() {
        set_id(&mut event, n as u64 + 1);
        text.push_str(&event.to_line());
        text.push('\n');
    }
    // Named by content: the same import twice writes the same file.
    let device = format!("anki-{:016x}", crate::deck::fnv1a(text.as_bytes()));
    let path = collection
        .root()
        .join("journal")
        .join(format!("{device}.ron"));
    store::write_atomic(&path, text.as_bytes()).map_err(|e| StoreError::io(&path, e))?;
    collection.on_files_changed(std::slice::from_ref(&path), now)?;
    report.journal = Some(path);
    Ok(report)
}

fn set_id(event: &mut Event, n: u64) {
    match event {
        Event::Review { id, .. }
        | Event::Undo { id, .. }
        | Event::Suspend { id, .. }
        | Event::Reset { id, .. }
        | Event::Points { id, .. }
        | Event::Mock { id, .. }
        | Event::Import { id, .. } => *id = n,
    }
}

/// What exporting the cards of some study items (indices into
/// `collection.items()`) as an Anki package writes: each card once, with its
/// items' states and answers, and the media its text refers to.
pub fn export_input(
    collection: &Collection,
    history: &crate::collection::History,
    rows: &[usize],
    now: Timestamp,
) -> Result<anki::ExportInput, StoreError> {
    let mut answers: std::collections::HashMap<&ItemId, Vec<anki::ReviewEntry>> =
        std::collections::HashMap::new();
    for a in &history.answers {
        answers.entry(&a.item).or_default().push(anki::ReviewEntry {
            at: a.at,
            rating: a.rating,
            took_ms: a.took_ms,
        });
    }
    let mut media = BTreeMap::new();
    let media_dir = collection.root().join("media");
    let mut notes = Vec::new();
    for (deck, card) in super::cards_of_items(collection, rows) {
        let progress = card
            .items()
            .into_iter()
            .filter(|item| collection.states().contains_key(item) || answers.contains_key(item))
            .map(|item| anki::ExportProgress {
                variant: item.variant,
                state: collection.state(&item).clone(),
                reviews: answers.get(&item).cloned().unwrap_or_default(),
            })
            .collect();
        for name in media_names(&card.front).chain(media_names(&card.back)) {
            let path = media_dir.join(name);
            if !media.contains_key(name)
                && let Ok(bytes) = std::fs::read(&path)
            {
                media.insert(name.to_string(), bytes);
            }
        }
        notes.push(anki::ExportNote {
            deck: deck.to_string(),
            card: card.clone(),
            progress,
        });
    }
    Ok(anki::ExportInput { notes, media, now })
}

/// File names a card's Markdown refers to as `media/<name>`.
fn media_names(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("media/").filter_map(|(at, _)| {
        let rest = &text[at + "media/".len()..];
        let end = rest
            .find(|c: char| c == ')' || c == '"' || c.is_whitespace())
            .unwrap_or(rest.len());
        let name = &rest[..end];
        (!name.is_empty() && !name.contains(['/', '\\']) && name != "..").then_some(name)
    })
}

/// Why an Anki package could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum AnkiExportError {
    /// Reading the data folder or writing the package failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The package could not be built.
    #[error(transparent)]
    Anki(#[from] AnkiError),
}

/// Writes the cards of some study items (indices into `collection.items()`),
/// with their history and scheduling, as an Anki package at `path`,
/// atomically. Returns how many notes it holds.
pub fn export_apkg(
    collection: &Collection,
    history: &crate::collection::History,
    rows: &[usize],
    path: &std::path::Path,
    now: Timestamp,
) -> Result<usize, AnkiExportError> {
    let input = export_input(collection, history, rows, now)?;
    let bytes = anki::write_package(&input)?;
    store::write_atomic(path, &bytes).map_err(|e| StoreError::io(path, e))?;
    Ok(input.notes.len())
}
