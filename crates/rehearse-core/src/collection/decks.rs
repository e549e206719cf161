//! Decks from the app: create, rename, describe, delete (to a trash folder), and resolve a sync tool's conflicting copy.

use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::Collection;
use super::edit::*;
use crate::deck::Deck;
use crate::store::StoreError;

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

impl Collection {
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

    /// When deck `index`'s file was last changed, if it can be read.
    pub fn deck_modified(&self, index: usize) -> Option<Timestamp> {
        let deck = self.decks.get(index)?;
        let time = std::fs::metadata(self.deck_path(&deck.slug))
            .and_then(|m| m.modified())
            .ok()?;
        Timestamp::try_from(time).ok()
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
        self.undo.push(super::undo::Step::Edit(EditUndo {
            label,
            files,
            events: Vec::new(),
            states: Vec::new(),
        }));
        self.reload_decks();
        Ok(())
    }
}
