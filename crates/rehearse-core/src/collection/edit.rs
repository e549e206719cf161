//! Changing decks and cards from the app: create, rename, describe and delete
//! decks (to a trash folder); add, edit, move, tag and delete cards; suspend
//! and reset progress. Every change can be undone.
//!
//! Deck files are rewritten whole, atomically, in the canonical layout. Undo
//! puts back exactly what was there, but only if the file still holds what the
//! change wrote: an edit made on disk in between is never overwritten.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::{Collection, CollectionError};
use crate::deck::{self, Card, CardId, Deck, ItemId};
use crate::schedule::CardState;
use crate::store::{self, Event, StoreError, Transaction};

/// Why an edit was refused. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// Writing a file or the journal failed.
    #[error(transparent)]
    Collection(#[from] CollectionError),
    /// No loaded deck has that slug.
    #[error("there is no deck `{0}`")]
    NoSuchDeck(String),
    /// No card has that id.
    #[error("there is no card `{0}`")]
    NoSuchCard(CardId),
    /// The card's id is taken by another card.
    #[error("the id `{id}` is already used by a card in deck `{deck}`")]
    DuplicateId {
        /// The id.
        id: CardId,
        /// Where it is used.
        deck: String,
    },
    /// The card cannot be saved as it is.
    #[error("{0}")]
    Invalid(String),
    /// A deck name is empty or taken.
    #[error("{0}")]
    BadDeckName(String),
    /// Undo would overwrite a change made on disk since.
    #[error("{0} was changed on disk since; undo would overwrite that change, so it was not done")]
    ChangedOnDisk(PathBuf),
}

impl From<StoreError> for EditError {
    fn from(e: StoreError) -> Self {
        Self::Collection(e.into())
    }
}

/// One file as it was before a change and as the change left it
/// (`None`: the file did not exist).
#[derive(Clone, Debug)]
struct FileChange {
    path: PathBuf,
    before: Option<String>,
    after: Option<String>,
}

/// What an undoable edit did.
#[derive(Clone, Debug)]
pub(super) struct EditUndo {
    label: String,
    files: Vec<FileChange>,
    events: Vec<u64>,
    states: Vec<(ItemId, CardState)>,
}

fn read_optional(path: &Path) -> Result<Option<String>, StoreError> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io(path, e)),
    }
}

fn write_optional(path: &Path, content: Option<&str>) -> Result<(), StoreError> {
    match content {
        Some(text) => {
            store::write_atomic(path, text.as_bytes()).map_err(|e| StoreError::io(path, e))
        }
        None => match std::fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::io(path, e)),
        },
    }
}

/// A second version of a deck, left by a sync tool when two machines changed
/// the same deck file: Syncthing's `deck.sync-conflict-….ron`, Dropbox's
/// `deck (conflicted copy …).ron`. It is not loaded as a deck of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeckConflict {
    /// The deck it is another version of.
    pub slug: String,
    /// The conflict copy.
    pub path: PathBuf,
}

/// The deck a sync tool's conflict copy belongs to, from its file name.
pub fn conflict_original(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    if let Some(i) = stem.find(".sync-conflict-") {
        return Some(stem[..i].to_string());
    }
    for marker in [" (conflicted copy", " (Conflicted copy", " (Case Conflict"] {
        if let Some(i) = stem.find(marker) {
            return Some(stem[..i].to_string());
        }
    }
    None
}

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

/// What a bulk change does with one card.
enum Fate {
    /// Keep it (changed or not) where it is.
    Keep(Card),
    /// Remove it.
    Drop,
    /// Take it out, to be added to another deck.
    MoveOut(Card),
}

/// A file-system-safe, readable slug for a deck name.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() { "deck".into() } else { slug }
}

impl Collection {
    fn deck_path(&self, slug: &str) -> PathBuf {
        self.dir.deck_file(slug)
    }

    fn deck_index(&self, slug: &str) -> Result<usize, EditError> {
        self.decks
            .iter()
            .position(|d| d.slug == slug)
            .ok_or_else(|| EditError::NoSuchDeck(slug.to_string()))
    }

    fn require_writable(&self) -> Result<(), EditError> {
        if self.is_read_only() {
            return Err(CollectionError::ReadOnly.into());
        }
        Ok(())
    }

    /// Writes `decks` (changed copies of loaded decks, or new ones) and
    /// removes the files in `removed`, recording one undo step named `label`.
    fn commit_decks(
        &mut self,
        label: String,
        decks: Vec<Deck>,
        moved: Vec<(PathBuf, PathBuf)>,
    ) -> Result<(), EditError> {
        let txn = Transaction::new(self.dir.root());
        self.commit_decks_with(label, decks, moved, txn)
    }

    /// [`Self::commit_decks`] as part of `txn`, which may already hold other
    /// files (an import's media and journal): all of them are written as
    /// one, so a crash leaves either none or all.
    pub(crate) fn commit_decks_with(
        &mut self,
        label: String,
        decks: Vec<Deck>,
        moved: Vec<(PathBuf, PathBuf)>,
        mut txn: Transaction,
    ) -> Result<(), EditError> {
        let mut files = Vec::new();
        for deck in &decks {
            let path = self.deck_path(&deck.slug);
            let text = deck::to_ron(deck).map_err(|e| StoreError::encode(&path, e))?;
            files.push(FileChange {
                before: read_optional(&path)?,
                after: Some(text),
                path,
            });
        }
        for (from, to) in &moved {
            let text = read_optional(from)?;
            files.push(FileChange {
                path: to.clone(),
                before: read_optional(to)?,
                after: text.clone(),
            });
            files.push(FileChange {
                path: from.clone(),
                before: text,
                after: None,
            });
        }
        for f in &files {
            match f.after.as_deref() {
                Some(text) => txn.write(&f.path, text.as_bytes()),
                None => txn.remove(&f.path),
            }
            .map_err(|e| StoreError::io(&f.path, e))?;
        }
        txn.commit()
            .map_err(|e| StoreError::io(self.dir.root(), e))?;
        for deck in decks {
            match self.decks.iter().position(|d| d.slug == deck.slug) {
                Some(i) => self.decks[i] = deck,
                None => self.decks.push(deck),
            }
        }
        for (from, _) in &moved {
            let slug = deck::slug_of(from);
            self.decks.retain(|d| d.slug != slug);
        }
        self.decks
            .sort_by_cached_key(|d| (d.name.to_lowercase(), d.slug.clone()));
        self.index_items();
        self.edit_undo.push(EditUndo {
            label,
            files,
            events: Vec::new(),
            states: Vec::new(),
        });
        Ok(())
    }

    /// Creates an empty deck; returns its slug.
    pub fn create_deck(&mut self, name: &str, description: &str) -> Result<String, EditError> {
        self.require_writable()?;
        let name = name.trim();
        if name.is_empty() {
            return Err(EditError::BadDeckName("a deck needs a name".into()));
        }
        if self.decks.iter().any(|d| d.name.eq_ignore_ascii_case(name)) {
            return Err(EditError::BadDeckName(format!(
                "there is already a deck named \"{name}\""
            )));
        }
        let base = slugify(name);
        let mut slug = base.clone();
        let mut n = 2;
        while self.deck_path(&slug).exists() || self.decks.iter().any(|d| d.slug == slug) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        let deck = Deck {
            slug: slug.clone(),
            name: name.to_string(),
            description: description.trim().to_string(),
            cards: Vec::new(),
        };
        self.commit_decks(format!("create deck \"{name}\""), vec![deck], Vec::new())?;
        Ok(slug)
    }

    /// Renames a deck and changes its description (the file keeps its name).
    pub fn update_deck(
        &mut self,
        slug: &str,
        name: &str,
        description: &str,
    ) -> Result<(), EditError> {
        self.require_writable()?;
        let i = self.deck_index(slug)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(EditError::BadDeckName("a deck needs a name".into()));
        }
        if self
            .decks
            .iter()
            .any(|d| d.slug != slug && d.name.eq_ignore_ascii_case(name))
        {
            return Err(EditError::BadDeckName(format!(
                "there is already a deck named \"{name}\""
            )));
        }
        let mut deck = self.decks[i].clone();
        deck.name = name.to_string();
        deck.description = description.trim().to_string();
        self.commit_decks(format!("edit deck \"{name}\""), vec![deck], Vec::new())
    }

    /// Moves a deck's file to `trash/`, from where undo brings it back. Its
    /// cards' progress stays in the journal.
    pub fn delete_deck(&mut self, slug: &str, now: Timestamp) -> Result<(), EditError> {
        self.require_writable()?;
        let i = self.deck_index(slug)?;
        let name = self.decks[i].name.clone();
        let stamp = now.strftime("%Y%m%dT%H%M%S").to_string();
        let to = self.dir.trash().join(format!("{slug}-{stamp}.ron"));
        self.commit_decks(
            format!("delete deck \"{name}\""),
            Vec::new(),
            vec![(self.deck_path(slug), to)],
        )
    }

    /// Where a card is: (deck index, card index).
    fn find_card(&self, id: &CardId) -> Option<(usize, usize)> {
        self.decks
            .iter()
            .enumerate()
            .find_map(|(d, deck)| deck.cards.iter().position(|c| c.id == *id).map(|c| (d, c)))
    }

    /// Adds `card` to deck `slug`, or replaces the card `original` (moving it
    /// to `slug` if it lives elsewhere). The card keeps its id, and with it
    /// its progress.
    pub fn save_card(
        &mut self,
        slug: &str,
        original: Option<&CardId>,
        card: Card,
    ) -> Result<(), EditError> {
        self.require_writable()?;
        let target = self.deck_index(slug)?;
        let problems: Vec<String> = deck::validate(&Deck {
            slug: String::new(),
            name: String::new(),
            description: String::new(),
            cards: vec![card.clone()],
        })
        .into_iter()
        .filter(|p| p.is_error)
        .map(|p| p.message.replacen("card 1 ", "", 1))
        .collect();
        if let Some(first) = problems.first() {
            return Err(EditError::Invalid(first.clone()));
        }
        if let Some((d, _)) = self.find_card(&card.id)
            && original != Some(&card.id)
        {
            return Err(EditError::DuplicateId {
                id: card.id.clone(),
                deck: self.decks[d].slug.clone(),
            });
        }
        let mut changed: Vec<Deck> = Vec::new();
        let mut card = card;
        card.id_pinned = true;
        // Saved unchanged, a card keeps the modification time it came with;
        // changed, it loses it, and its deck file's time (now) stands in.
        if let Some((d, c)) = original.and_then(|id| self.find_card(id)) {
            let old = &self.decks[d].cards[c];
            let mut same = card.clone();
            same.modified = old.modified;
            card.modified = if same == *old { old.modified } else { None };
        }
        let label;
        match original.and_then(|id| self.find_card(id).map(|at| (id, at))) {
            Some((_, (d, c))) if d == target => {
                let mut deck = self.decks[d].clone();
                deck.cards[c] = card;
                label = "edit card".to_string();
                changed.push(deck);
            }
            Some((_, (d, c))) => {
                let mut from = self.decks[d].clone();
                from.cards.remove(c);
                let mut to = self.decks[target].clone();
                to.cards.push(card);
                label = format!("move card to \"{}\"", to.name);
                changed.push(from);
                changed.push(to);
            }
            None => {
                let mut deck = self.decks[target].clone();
                deck.cards.push(card);
                label = format!("add card to \"{}\"", deck.name);
                changed.push(deck);
            }
        }
        self.commit_decks(label, changed, Vec::new())
    }

    /// Applies `f` to every card in `ids`, as one undoable change; cards it
    /// moves out go to deck index `into`. Returns how many cards it touched.
    fn change_cards(
        &mut self,
        ids: &[CardId],
        label: String,
        mut f: impl FnMut(Card) -> Fate,
        into: Option<usize>,
    ) -> Result<usize, EditError> {
        self.require_writable()?;
        let wanted: HashSet<&CardId> = ids.iter().collect();
        let mut decks: Vec<Deck> = Vec::new();
        let mut moved: Vec<Card> = Vec::new();
        let mut count = 0;
        for deck in &self.decks {
            if !deck.cards.iter().any(|c| wanted.contains(&c.id)) {
                continue;
            }
            let mut deck = deck.clone();
            deck.cards = std::mem::take(&mut deck.cards)
                .into_iter()
                .filter_map(|card| {
                    if !wanted.contains(&card.id) {
                        return Some(card);
                    }
                    count += 1;
                    match f(card) {
                        Fate::Keep(card) => Some(card),
                        Fate::Drop => None,
                        Fate::MoveOut(card) => {
                            moved.push(card);
                            None
                        }
                    }
                })
                .collect();
            decks.push(deck);
        }
        if count == 0 {
            return Ok(0);
        }
        if let Some(t) = into {
            let slug = self.decks[t].slug.clone();
            match decks.iter_mut().find(|d| d.slug == slug) {
                Some(d) => d.cards.extend(moved),
                None => {
                    let mut d = self.decks[t].clone();
                    d.cards.extend(moved);
                    decks.push(d);
                }
            }
        }
        self.commit_decks(label, decks, Vec::new())?;
        Ok(count)
    }

    /// Deletes cards from their decks. Their progress stays in the journal,
    /// so undo (or adding a card with the same id) brings it back.
    pub fn delete_cards(&mut self, ids: &[CardId]) -> Result<usize, EditError> {
        let items = self.items_of_cards(ids);
        let label = if items == ids.len() {
            format!("delete {} card{}", ids.len(), plural(ids.len()))
        } else {
            format!(
                "delete {} card{} ({items} study items)",
                ids.len(),
                plural(ids.len())
            )
        };
        self.change_cards(ids, label, |_| Fate::Drop, None)
    }

    /// Moves cards to deck `slug`, keeping their progress.
    pub fn move_cards(&mut self, ids: &[CardId], slug: &str) -> Result<usize, EditError> {
        let target = self.deck_index(slug)?;
        let already: HashSet<&CardId> = self.decks[target].cards.iter().map(|c| &c.id).collect();
        let to_move: Vec<CardId> = ids
            .iter()
            .filter(|id| !already.contains(id))
            .cloned()
            .collect();
        let label = format!(
            "move {} card{} to \"{}\"",
            to_move.len(),
            plural(to_move.len()),
            self.decks[target].name
        );
        self.change_cards(&to_move, label, Fate::MoveOut, Some(target))
    }

    /// Adds or removes a tag on cards.
    pub fn tag_cards(&mut self, ids: &[CardId], tag: &str, add: bool) -> Result<usize, EditError> {
        let tag = tag.trim().to_string();
        if tag.is_empty() || tag.contains(char::is_whitespace) {
            return Err(EditError::Invalid(format!(
                "`{tag}` is not a tag: a tag is one word (join words with - or _)"
            )));
        }
        let label = if add {
            format!("tag {} card{} {tag}", ids.len(), plural(ids.len()))
        } else {
            format!("untag {tag} from {} card{}", ids.len(), plural(ids.len()))
        };
        self.change_cards(
            ids,
            label,
            |mut card| {
                if add && !card.tags.contains(&tag) {
                    card.tags.push(tag.clone());
                } else if !add {
                    card.tags.retain(|t| *t != tag);
                }
                Fate::Keep(card)
            },
            None,
        )
    }

    /// Settles a deck conflict: keeps this machine's version or the other
    /// one. The version not kept goes to `trash/`, so nothing is lost, and
    /// the choice can be undone.
    pub fn resolve_conflict(
        &mut self,
        conflict: &DeckConflict,
        keep_other: bool,
        now: Timestamp,
    ) -> Result<(), EditError> {
        self.require_writable()?;
        let deck_path = self.deck_path(&conflict.slug);
        let other = read_optional(&conflict.path)?
            .ok_or_else(|| EditError::Invalid(format!("{} is gone", conflict.path.display())))?;
        let mine = read_optional(&deck_path)?;
        let stamp = now.strftime("%Y%m%dT%H%M%S").to_string();
        let trash = self.dir.trash();
        let mut files = vec![FileChange {
            path: conflict.path.clone(),
            before: Some(other.clone()),
            after: None,
        }];
        let label = if keep_other {
            let kept = trash.join(format!("{}-replaced-{stamp}.ron", conflict.slug));
            files.push(FileChange {
                path: kept.clone(),
                before: read_optional(&kept)?,
                after: mine.clone(),
            });
            files.push(FileChange {
                path: deck_path,
                before: mine,
                after: Some(other),
            });
            format!("keep the other version of \"{}\"", conflict.slug)
        } else {
            let name = conflict.path.file_name().map_or_else(
                || format!("{}-conflict.ron", conflict.slug),
                |n| n.to_string_lossy().into_owned(),
            );
            let dropped = trash.join(name);
            files.push(FileChange {
                path: dropped.clone(),
                before: read_optional(&dropped)?,
                after: Some(other),
            });
            format!("keep this version of \"{}\"", conflict.slug)
        };
        std::fs::create_dir_all(&trash).map_err(|e| StoreError::io(&trash, e))?;
        for f in &files {
            write_optional(&f.path, f.after.as_deref())?;
        }
        self.edit_undo.push(EditUndo {
            label,
            files,
            events: Vec::new(),
            states: Vec::new(),
        });
        self.reload_decks();
        Ok(())
    }

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
        let deck_for = |decks: &mut Vec<Deck>, this: &Self, name: &str| -> usize {
            let name = name.trim();
            if let Some(i) = decks
                .iter()
                .position(|d| d.name.eq_ignore_ascii_case(name) || d.slug == name)
            {
                return i;
            }
            if let Some(d) = this
                .decks
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case(name) || d.slug == name)
            {
                decks.push(d.clone());
                return decks.len() - 1;
            }
            let base = slugify(name);
            let mut slug = base.clone();
            let mut n = 2;
            while this.deck_path(&slug).exists() || decks.iter().any(|d| d.slug == slug) {
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
        };
        let mut file_times: std::collections::HashMap<String, Option<i64>> =
            std::collections::HashMap::new();
        for (deck_name, mut card) in cards {
            card.id_pinned = true;
            // An existing card is updated in its own deck, wherever the file puts it.
            let existing = self
                .find_card(&card.id)
                .map(|(d, _)| self.decks[d].slug.clone());
            let target = match &existing {
                Some(slug) => deck_for(&mut decks, self, slug),
                None => deck_for(&mut decks, self, &deck_name),
            };
            let slug = decks[target].slug.clone();
            let deck = &mut decks[target];
            let Some(old) = deck.cards.iter_mut().find(|c| c.id == card.id) else {
                deck.cards.push(card);
                report.added += 1;
                changed.insert(slug);
                continue;
            };
            if rules.keep_local_topic {
                card.topic.clone_from(&old.topic);
            }
            card.source = card.source.take().or(old.source.clone());
            // The same text with a different time is the same card: the
            // time alone is no reason to write (or to report a skip).
            let mut same = card.clone();
            same.modified = old.modified;
            if *old == same {
                report.unchanged += 1;
                continue;
            }
            if rules.newer_only
                && let Some(incoming) = card.modified
            {
                // Seconds, as Anki keeps them. A card without its own time
                // was last changed no later than its deck file.
                let local = old.modified.map(|m| m.as_second()).or_else(|| {
                    *file_times.entry(slug.clone()).or_insert_with(|| {
                        std::fs::metadata(self.deck_path(&slug))
                            .and_then(|m| m.modified())
                            .ok()
                            .and_then(|t| Timestamp::try_from(t).ok())
                            .map(|t| t.as_second())
                    })
                });
                if local.is_some_and(|local| incoming.as_second() <= local) {
                    if local.is_some_and(|local| incoming.as_second() < local) {
                        report.skipped_older.push(card.id.clone());
                    } else {
                        // The same version: what differs is only what the
                        // round trip through Anki's format cannot carry.
                        report.unchanged += 1;
                    }
                    continue;
                }
            }
            *old = card;
            report.updated += 1;
            changed.insert(slug);
        }
        report.new_decks = decks
            .iter()
            .filter(|d| !self.decks.iter().any(|e| e.slug == d.slug))
            .map(|d| d.name.clone())
            .collect();
        decks.retain(|d| changed.contains(&d.slug));
        Ok(StagedImport { decks, report })
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

    /// Appends journal events for `items` as one undoable change.
    fn change_items(
        &mut self,
        items: &[ItemId],
        label: String,
        mut event: impl FnMut(u64, ItemId) -> Event,
    ) -> Result<usize, EditError> {
        self.require_writable()?;
        let mut undo = EditUndo {
            label,
            files: Vec::new(),
            events: Vec::new(),
            states: Vec::new(),
        };
        for item in items {
            undo.states.push((item.clone(), self.state(item).clone()));
            let e = event(self.next_event_id, item.clone());
            undo.events.push(e.id());
            let result = self.append(e.clone());
            if let Err(err) = result {
                // Keep what was done undoable, then report.
                self.push_item_undo(undo);
                return Err(err.into());
            }
            let warnings =
                crate::replay::apply_one(&self.scheduler, &mut self.states, &self.device, e);
            self.warnings.extend(warnings);
        }
        let n = undo.events.len();
        self.push_item_undo(undo);
        Ok(n)
    }

    fn push_item_undo(&mut self, undo: EditUndo) {
        if !undo.events.is_empty() {
            self.edit_undo.push(undo);
        }
    }

    /// Suspends or unsuspends items.
    pub fn suspend_items(
        &mut self,
        items: &[ItemId],
        on: bool,
        now: Timestamp,
    ) -> Result<usize, EditError> {
        let label = format!(
            "{} {}",
            if on { "suspend" } else { "unsuspend" },
            items_phrase(items)
        );
        self.change_items(items, label, |id, item| Event::Suspend {
            id,
            at: now,
            item,
            suspended: on,
        })
    }

    /// Keeps items for the next study day ("bury"), undoably; in the journal,
    /// so other machines keep them too.
    pub fn bury_items(&mut self, items: &[ItemId], now: Timestamp) -> Result<usize, EditError> {
        let label = format!("bury {}", items_phrase(items));
        self.change_items(items, label, |id, item| Event::Bury { id, at: now, item })
    }

    /// Forgets items' progress: they become new again.
    pub fn reset_items(&mut self, items: &[ItemId], now: Timestamp) -> Result<usize, EditError> {
        let label = format!("reset {}", items_phrase(items));
        self.change_items(items, label, |id, item| Event::Reset { id, at: now, item })
    }

    /// How many study items (sides, cloze numbers) the cards `ids` have.
    pub fn items_of_cards(&self, ids: &[CardId]) -> usize {
        let wanted: HashSet<&CardId> = ids.iter().collect();
        self.items
            .iter()
            .filter(|i| wanted.contains(&i.id.card))
            .count()
    }

    /// What [`Self::undo_edit`] would undo.
    pub fn edit_undo_label(&self) -> Option<&str> {
        self.edit_undo.last().map(|u| u.label.as_str())
    }

    /// Undoes the last edit. Returns its label, or `None` if there was none.
    pub fn undo_edit(&mut self, now: Timestamp) -> Result<Option<String>, EditError> {
        self.require_writable()?;
        let Some(undo) = self.edit_undo.last().cloned() else {
            return Ok(None);
        };
        for f in &undo.files {
            if read_optional(&f.path)? != f.after {
                return Err(EditError::ChangedOnDisk(f.path.clone()));
            }
        }
        for f in undo.files.iter().rev() {
            write_optional(&f.path, f.before.as_deref())?;
        }
        for id in &undo.events {
            self.append(Event::Undo {
                id: self.next_event_id,
                at: now,
                undoes: *id,
            })?;
        }
        for (item, state) in undo.states.iter().rev() {
            if *state == CardState::new() {
                self.states.remove(item);
            } else {
                self.states.insert(item.clone(), state.clone());
            }
        }
        self.edit_undo.pop();
        if !undo.files.is_empty() {
            self.reload_decks();
        }
        Ok(Some(undo.label))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// "3 cards" when every item is a card of its own, else "5 study items of 3
/// cards": the unit a person selected, named.
pub fn items_phrase(items: &[ItemId]) -> String {
    let cards: HashSet<&CardId> = items.iter().map(|i| &i.card).collect();
    if cards.len() == items.len() {
        format!("{} card{}", cards.len(), plural(cards.len()))
    } else {
        format!(
            "{} study item{} of {} card{}",
            items.len(),
            plural(items.len()),
            cards.len(),
            plural(cards.len())
        )
    }
}
