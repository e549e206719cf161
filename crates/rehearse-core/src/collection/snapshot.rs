//! Saving settings and the state snapshot (`.cache/state.bin`).

use super::*;

impl Collection {
    /// Keeps the window's display preferences (theme, browser columns) in
    /// `settings.ron`; scheduling is unchanged.
    pub fn save_display(
        &mut self,
        display: crate::schedule::settings::Display,
    ) -> Result<(), CollectionError> {
        let mut settings = self.settings().clone();
        settings.display = display;
        self.save_settings(settings)
    }

    /// Replaces the settings, writing `settings.ron` atomically.
    pub fn save_settings(&mut self, settings: Settings) -> Result<(), CollectionError> {
        let problems = settings.problems();
        if !problems.is_empty() {
            return Err(CollectionError::InvalidSettings(problems.join("; ")));
        }
        if self.journal.is_none() {
            return Err(CollectionError::ReadOnly);
        }
        if let Some(e) = &self.settings_error {
            return Err(CollectionError::SettingsFileBroken(format!(
                "{e}. Fix or remove the file first; it is not overwritten."
            )));
        }
        let clock = DayClock::new(
            self.clock().time_zone().clone(),
            settings.day_starts_at_hour,
        );
        let schedulers = Schedulers::new(settings.clone(), clock)?;
        let path = self.dir.settings();
        let text = settings
            .to_ron()
            .map_err(|e| StoreError::encode(&path, e))?;
        store::write_atomic(&path, text.as_bytes()).map_err(|e| StoreError::io(&path, e))?;
        // States already given stay: new options apply from each card's next answer.
        self.schedulers = schedulers;
        self.refresh_presets();
        Ok(())
    }

    pub(super) fn snapshot(&self) -> Snapshot {
        Snapshot {
            version: SNAPSHOT_VERSION,
            journals: self.marks.clone(),
            recent: self.recent.clone(),
            cards: self.states.clone(),
            deferred: self.deferred.clone(),
        }
    }

    /// Writes the snapshot into `.cache/` on a background thread (one at a
    /// time).
    pub fn save_snapshot_in_background(&mut self) {
        if self.journal.is_none() || self.snapshot_job.as_ref().is_some_and(|j| !j.is_finished()) {
            return;
        }
        self.collect_snapshot_job();
        let snapshot = self.snapshot();
        let dir = self.dir.clone();
        self.answers_since_snapshot = 0;
        self.snapshot_job = Some(std::thread::spawn(move || {
            super::cache::write_state(&dir, &snapshot).map_err(|e| e.to_string())
        }));
    }

    pub(super) fn collect_snapshot_job(&mut self) {
        if let Some(job) = self.snapshot_job.take() {
            match job.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => self
                    .warnings
                    .push(format!("could not save the state cache: {e}")),
                Err(_) => self.warnings.push("the state cache writer crashed".into()),
            }
        }
    }

    /// Writes the snapshot into `.cache/` now, after any background write
    /// has finished.
    pub fn save_snapshot(&mut self) -> Result<(), CollectionError> {
        if self.journal.is_none() {
            return Err(CollectionError::ReadOnly);
        }
        self.collect_snapshot_job();
        self.collect_cache_job();
        let dir = self.dir.clone();
        let snapshot = self.snapshot();
        super::cache::write_state(&dir, &snapshot)?;
        self.answers_since_snapshot = 0;
        Ok(())
    }
}
