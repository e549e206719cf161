//! Files changed by another device or a sync tool: new journal lines merged, decks re-read, conflicts found.

use std::collections::HashSet;

use super::*;

impl Collection {
    /// Brings the collection up to date with files changed on disk (as the
    /// watcher reports them): deck files edited elsewhere are reloaded, and
    /// journals from other machines are merged. The app's own writes, which
    /// the watcher also reports, change nothing.
    pub fn on_files_changed(
        &mut self,
        paths: &[PathBuf],
        now: Timestamp,
    ) -> Result<FilesChanged, CollectionError> {
        let mut report = FilesChanged::default();
        let decks_dir = self.dir.decks();
        let mut reload = false;
        for path in paths
            .iter()
            .filter(|p| p.parent() == Some(decks_dir.as_path()) && conflict_original(p).is_none())
        {
            let slug = deck::slug_of(path);
            let loaded = self.decks.iter().find(|d| d.slug == slug);
            // Only compared here: a file that does not load leads to a
            // reload below, which records why.
            let on_disk = deck::load_deck(path).ok();
            let failed = self.deck_errors.iter().any(|e| match e {
                DeckError::Io { path: p, .. } | DeckError::Parse { path: p, .. } => p == path,
            });
            if on_disk.as_ref() != loaded
                || (failed && on_disk.is_some())
                || (on_disk.is_none() && path.exists())
            {
                reload = true;
                report.decks.push(slug);
            }
        }
        if reload {
            self.reload_decks();
        }
        let journal_dir = self.dir.journals();
        if paths
            .iter()
            .any(|p| p.parent() == Some(journal_dir.as_path()))
        {
            let merged = self.merge_journals(now)?;
            report.merged = merged.other_devices;
            report.imported = merged.imported;
        }
        Ok(report)
    }

    /// Reads what other devices appended to their journals and applies it,
    /// rebuilding from all journals when it reaches back before what is
    /// already applied. Returns how many events were merged, by origin.
    pub(super) fn merge_journals(&mut self, now: Timestamp) -> Result<Merged, CollectionError> {
        self.merge_journals_with(now, None)
    }

    /// Merges the journal `device` that this collection has just written
    /// whole (an import's), from `read`, what was written, instead of
    /// reading and parsing it back; any other journal's new lines too.
    pub(crate) fn merge_written_journal(
        &mut self,
        device: &str,
        read: store::JournalRead,
        now: Timestamp,
    ) -> Result<(), CollectionError> {
        self.merge_journals_with(now, Some((device, read)))?;
        Ok(())
    }

    fn merge_journals_with(
        &mut self,
        now: Timestamp,
        known: Option<(&str, store::JournalRead)>,
    ) -> Result<Merged, CollectionError> {
        let now = now.max(self.read_at);
        let journals = list_journals(&self.dir)?;
        let (tail, marks, warnings, held) =
            open::read_journals_with(&journals, &self.marks, now, known)?;
        let foreign = tail.iter().filter(|e| e.device != self.device).count();
        let imported = tail.iter().filter(|e| is_import_journal(&e.device)).count();
        self.read_at = now;
        self.warnings.extend(held.iter().map(clock::warning));
        self.deferred.extend(held);
        let due = self.deferred.iter().any(|d| !clock::held_back(d.at, now));
        if tail.is_empty() && !due {
            // Past any lines held back, so they are not reported twice.
            self.marks = marks;
            return Ok(Merged::default());
        }
        let recent_from = self.recent_cutoff(now);
        self.warnings.extend(warnings);
        if !due && replay::tail_applies_cleanly(&self.states, &tail) {
            let lookup = presets::Lookup {
                schedulers: &self.schedulers,
                by_item: &self.item_preset,
            };
            let w = replay::apply(
                &lookup,
                &mut self.states,
                &mut self.recent,
                recent_from,
                tail,
            );
            self.warnings.extend(w);
            self.marks = marks;
        } else {
            let mut w = Vec::new();
            self.rebuild_from_journals(&journals, recent_from, now, &mut w)?;
            self.warnings.extend(w);
        }
        // Undoing an answer restores the state before it, which answers
        // merged from elsewhere may have moved on from: those steps go.
        // Edits check the files and journal they changed, so they stay.
        if foreign > 0 {
            self.undo
                .retain(|step| !matches!(step, undo::Step::Answer(_)));
        }
        self.generation += 1;
        Ok(Merged {
            other_devices: foreign - imported,
            imported,
        })
    }

    /// Second versions of decks left by sync tools, for the user to settle.
    pub fn deck_conflicts(&self) -> Vec<DeckConflict> {
        let mut out: Vec<DeckConflict> = std::fs::read_dir(self.dir.decks())
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "ron"))
                    .filter_map(|path| {
                        Some(DeckConflict {
                            slug: conflict_original(&path)?,
                            path,
                        })
                    })
                    .collect()
            })
            // No folder, no conflicts; a folder that cannot be read is
            // reported by loading the decks.
            .unwrap_or_default();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// What differs between this machine's version of a deck and a sync
    /// tool's conflict copy of it, card by card. Reads the copy: call it
    /// once when the comparison is shown, not on every frame.
    pub fn compare_conflict(&self, conflict: &DeckConflict) -> ConflictComparison {
        let mine = self.decks.iter().find(|d| d.slug == conflict.slug);
        let other = deck::load_deck(&conflict.path);
        let mut out = ConflictComparison {
            conflict: conflict.clone(),
            mine: mine.map(DeckVersion::of),
            other: other.as_ref().map(DeckVersion::of).map_err(Clone::clone),
            only_mine: Vec::new(),
            only_other: Vec::new(),
            changed: Vec::new(),
        };
        let (Some(mine), Ok(other)) = (mine, &other) else {
            return out;
        };
        let theirs: HashMap<_, _> = other.cards.iter().map(|c| (&c.id, c)).collect();
        let ours: HashSet<_> = mine.cards.iter().map(|c| &c.id).collect();
        for card in &mine.cards {
            match theirs.get(&card.id) {
                None => out.only_mine.push(card.front.clone()),
                Some(t) if *t != card => out.changed.push(card.front.clone()),
                Some(_) => {}
            }
        }
        out.only_other = other
            .cards
            .iter()
            .filter(|c| !ours.contains(&c.id))
            .map(|c| c.front.clone())
            .collect();
        out
    }

    /// Reads the deck files again (after they were edited by hand).
    pub fn reload_decks(&mut self) {
        let loaded = cache::load_decks_cached(&self.dir, !self.is_read_only());
        self.decks = loaded.decks;
        self.deck_errors = loaded.errors;
        self.index_items();
        self.write_cache_in_background(loaded.writes);
    }
}

/// One version of a deck in a conflict, in brief.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeckVersion {
    /// The deck's name in this version.
    pub name: String,
    /// Its number of cards.
    pub cards: usize,
}

impl DeckVersion {
    fn of(deck: &Deck) -> Self {
        Self {
            name: deck.name.clone(),
            cards: deck.cards.len(),
        }
    }
}

/// Two versions of a deck side by side, as [`Collection::compare_conflict`]
/// found them. The card lists hold fronts, in deck order; they are empty
/// when either version could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct ConflictComparison {
    /// The conflict compared.
    pub conflict: DeckConflict,
    /// This machine's version; `None` when it could not be loaded.
    pub mine: Option<DeckVersion>,
    /// The other version, or why it cannot be read (it then cannot be kept).
    pub other: Result<DeckVersion, DeckError>,
    /// Cards only this machine's version has.
    pub only_mine: Vec<String>,
    /// Cards only the other version has.
    pub only_other: Vec<String>,
    /// Cards both have, changed on one side or both.
    pub changed: Vec<String>,
}
