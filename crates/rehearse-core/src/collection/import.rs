//! Importing cards (CSV, Anki packages) into decks: staged, then committed as one undoable change.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;

use super::Collection;
use super::edit::*;
use crate::deck::{Card, CardId, Deck};
use crate::store::{StoreError, Transaction};

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// New cards.
    pub added: usize,
    /// Existing cards (same id) whose content changed.
    pub updated: usize,
    /// Existing cards already as in the file.
    pub unchanged: usize,
    /// Decks created for the import.
    pub new_decks: Vec<String>,
    /// Cards left as they are because the version here is newer than the
    /// file's (Anki packages only: they say when each note was changed).
    pub skipped_older: Vec<CardId>,
}

/// How an import treats cards that already exist.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ImportRules {
    /// Keep the card's topic here: the file has no topic of its own (an
    /// Anki package; the deck's name only stands in for new cards).
    pub keep_local_topic: bool,
    /// Update a card only when the file's version is newer (by
    /// [`Card::modified`]), as Anki does.
    pub newer_only: bool,
}

/// An import worked out but not yet written.
#[derive(Debug)]
pub(crate) struct StagedImport {
    /// Decks to write: only those with a card added or changed.
    pub decks: Vec<Deck>,
    /// What it does.
    pub report: ImportReport,
}

impl Collection {
    /// Imports cards into decks named by `deck` (created when missing), as
    /// one undoable change. A card whose id already exists is updated where
    /// it is (its progress stays), so importing the same file twice changes
    /// nothing the second time.
    pub fn import_cards(&mut self, cards: Vec<(String, Card)>) -> Result<ImportReport, EditError> {
        let staged = self.stage_import(cards, ImportRules::default())?;
        let report = staged.report.clone();
        self.commit_import(staged, Transaction::new(self.dir.root()))?;
        Ok(report)
    }

    /// Works out what importing `cards` changes, writing nothing: the decks
    /// to write (only those with a card added or changed) and the report.
    pub(crate) fn stage_import(
        &self,
        cards: Vec<(String, Card)>,
        rules: ImportRules,
    ) -> Result<StagedImport, EditError> {
        self.require_writable()?;
        let mut report = ImportReport::default();
        let mut decks: Vec<Deck> = Vec::new();
        let mut changed: HashSet<String> = HashSet::new();
        let mut file_times: HashMap<String, Option<i64>> = HashMap::new();
        // Where every card is, looked up by id rather than searched for: an
        // import can bring a hundred thousand cards into as many.
        // The first place an id is found, as a search in deck order would.
        let mut at: HashMap<&CardId, (usize, usize)> = HashMap::new();
        for (d, deck) in self.decks.iter().enumerate() {
            for (c, card) in deck.cards.iter().enumerate() {
                at.entry(&card.id).or_insert((d, c));
            }
        }
        // Cards this import added, by staged deck and id: where they went.
        let mut staged: HashMap<(usize, CardId), usize> = HashMap::new();
        for (deck_name, mut card) in cards {
            card.id_pinned = true;
            // An existing card is updated in its own deck, wherever the file puts it.
            let existing = at
                .get(&card.id)
                .map(|&(d, c)| (self.decks[d].slug.clone(), c));
            let target = match &existing {
                Some((slug, _)) => self.staged_deck(&mut decks, slug),
                None => self.staged_deck(&mut decks, &deck_name),
            };
            let slug = decks[target].slug.clone();
            // A staged deck is a copy of the loaded one with cards added at
            // its end, so a card already there keeps its position.
            let found = match &existing {
                Some((_, c)) => Some(*c),
                None => staged.get(&(target, card.id.clone())).copied(),
            };
            let deck = &mut decks[target];
            let Some(old) = found
                .and_then(|c| deck.cards.get_mut(c))
                .filter(|old| old.id == card.id)
            else {
                // Added now, unless the file says when (an Anki note does).
                card.added = card.added.or(Some(Timestamp::now()));
                staged
                    .entry((target, card.id.clone()))
                    .or_insert(deck.cards.len());
                deck.cards.push(card);
                report.added += 1;
                changed.insert(slug);
                continue;
            };
            // A card without its own time was last changed no later than
            // its deck file: read once per deck, and only when needed.
            let file_time = || {
                *file_times.entry(slug.clone()).or_insert_with(|| {
                    std::fs::metadata(self.deck_path(&slug))
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| Timestamp::try_from(t).ok())
                        .map(|t| t.as_second())
                })
            };
            match update_card(old, card, rules, file_time) {
                Update::Unchanged => report.unchanged += 1,
                Update::SkippedOlder(id) => report.skipped_older.push(id),
                Update::Updated => {
                    report.updated += 1;
                    changed.insert(slug);
                }
            }
        }
        report.new_decks = decks
            .iter()
            .filter(|d| !self.decks.iter().any(|e| e.slug == d.slug))
            .map(|d| d.name.clone())
            .collect();
        decks.retain(|d| changed.contains(&d.slug));
        Ok(StagedImport { decks, report })
    }

    /// The index in `decks` (the decks an import stages) of the deck named
    /// `name` (or with that slug): already staged, copied from the
    /// collection, or a new empty one under a slug no file has.
    fn staged_deck(&self, decks: &mut Vec<Deck>, name: &str) -> usize {
        let name = name.trim();
        let named = |d: &&Deck| d.name.eq_ignore_ascii_case(name) || d.slug == name;
        if let Some(i) = decks.iter().position(|d| named(&d)) {
            return i;
        }
        if let Some(d) = self.decks.iter().find(named) {
            decks.push(d.clone());
            return decks.len() - 1;
        }
        let base = slugify(name);
        let mut slug = base.clone();
        let mut n = 2;
        while self.deck_path(&slug).exists() || decks.iter().any(|d| d.slug == slug) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        decks.push(Deck {
            slug,
            name: if name.is_empty() {
                "Imported".into()
            } else {
                name.to_string()
            },
            description: String::new(),
            cards: Vec::new(),
        });
        decks.len() - 1
    }

    /// Writes what [`Self::stage_import`] worked out, with the files already
    /// in `txn`, all as one; one undo step for the decks.
    pub(crate) fn commit_import(
        &mut self,
        staged: StagedImport,
        txn: Transaction,
    ) -> Result<(), EditError> {
        let report = &staged.report;
        if staged.decks.is_empty() {
            txn.commit()
                .map_err(|e| StoreError::io(self.dir.root(), e))?;
            return Ok(());
        }
        let label = format!(
            "import {} card{}",
            report.added + report.updated,
            plural(report.added + report.updated)
        );
        self.commit_decks_with(label, staged.decks, Vec::new(), txn)
    }
}

/// What importing a card over one already here did.
#[derive(Debug, PartialEq, Eq)]
enum Update {
    /// The same card (perhaps with another time): nothing to write.
    Unchanged,
    /// The card here is newer than the incoming one, which was not taken.
    SkippedOlder(CardId),
    /// The incoming card replaced the one here.
    Updated,
}

/// Imports `card` over `old` under `rules`; `file_time` is when `old`'s deck
/// file was last written (seconds), asked only when `old` has no time of
/// its own.
fn update_card(
    old: &mut Card,
    mut card: Card,
    rules: ImportRules,
    file_time: impl FnOnce() -> Option<i64>,
) -> Update {
    if rules.keep_local_topic {
        card.topic.clone_from(&old.topic);
    }
    card.source = card.source.take().or(old.source.clone());
    // The same text with a different time is the same card: the time alone
    // is no reason to write (or to report a skip).
    card.added = old.added.or(card.added);
    let mut same = card.clone();
    same.modified = old.modified;
    if *old == same {
        return Update::Unchanged;
    }
    if rules.newer_only
        && let Some(incoming) = card.modified
    {
        // Seconds, as Anki keeps them.
        let local = old.modified.map(|m| m.as_second()).or_else(file_time);
        if let Some(local) = local
            && incoming.as_second() <= local
        {
            return if incoming.as_second() < local {
                Update::SkippedOlder(card.id)
            } else {
                // The same version: what differs is only what the round
                // trip through Anki's format cannot carry.
                Update::Unchanged
            };
        }
    }
    *old = card;
    Update::Updated
}
