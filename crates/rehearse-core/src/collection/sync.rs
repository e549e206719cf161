//! Files changed by another device or a sync tool: new journal lines merged, decks re-read, conflicts found.

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
            .unwrap_or_default();
        out.sort_by(|a, b| a.path.cmp(&b.path));
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
