//! What every change from the app shares: its error, how deck files are
//! rewritten and how the change is recorded for undo. The changes themselves
//! are in `decks`, `cards`, `items` and `import`. Every change can be undone.
//!
//! Deck files are rewritten whole, atomically, in the canonical layout. Undo
//! puts back exactly what was there, but only if the file still holds what the
//! change wrote: an edit made on disk in between is never overwritten.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{Collection, CollectionError};
use crate::deck::{self, CardId, Deck, ItemId};
use crate::schedule::CardState;
use crate::store::{self, StoreError, Transaction};

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
pub(super) struct FileChange {
    pub(super) path: PathBuf,
    pub(super) before: Option<String>,
    pub(super) after: Option<String>,
}

/// What an undoable edit did.
#[derive(Clone, Debug)]
pub(super) struct EditUndo {
    pub(super) label: String,
    pub(super) files: Vec<FileChange>,
    pub(super) events: Vec<u64>,
    pub(super) states: Vec<(ItemId, CardState)>,
}

pub(super) fn read_optional(path: &Path) -> Result<Option<String>, StoreError> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io(path, e)),
    }
}

pub(super) fn write_optional(path: &Path, content: Option<&str>) -> Result<(), StoreError> {
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
    pub(super) fn deck_path(&self, slug: &str) -> PathBuf {
        self.dir.deck_file(slug)
    }

    pub(super) fn deck_index(&self, slug: &str) -> Result<usize, EditError> {
        self.decks
            .iter()
            .position(|d| d.slug == slug)
            .ok_or_else(|| EditError::NoSuchDeck(slug.to_string()))
    }

    pub(super) fn require_writable(&self) -> Result<(), EditError> {
        if self.is_read_only() {
            return Err(CollectionError::ReadOnly.into());
        }
        Ok(())
    }

    /// Writes `decks` (changed copies of loaded decks, or new ones) and
    /// removes the files in `removed`, recording one undo step named `label`.
    pub(super) fn commit_decks(
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
        let written: Vec<String> = decks.iter().map(|d| d.slug.clone()).collect();
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
        self.cache_written_decks(&written);
        self.undo.push(super::undo::Step::Edit(EditUndo {
            label,
            files,
            events: Vec::new(),
            states: Vec::new(),
        }));
        Ok(())
    }
}

pub(super) fn plural(n: usize) -> &'static str {
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
