//! Interview readiness: the interview's date and topics, and how well each
//! topic will be known on the day.

use jiff::Timestamp;

use super::Nav;
use super::history::HistoryCache;
use crate::collection::Collection;

/// Readiness screen state.
pub struct ReadinessScreen {}

impl ReadinessScreen {
    /// The screen for the collection's interview settings.
    pub fn new(_collection: &Collection, _now: Timestamp) -> Self {
        Self {}
    }

    /// Draws the screen.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        _collection: &mut Collection,
        _history: &mut HistoryCache,
        _now: Timestamp,
    ) -> Nav {
        ui.heading("Interview readiness");
        Nav::Stay
    }
}

/// Why desired retention differs from what the user set, if an interview
/// raised it: for the Settings screen.
pub fn retention_note(collection: &Collection) -> Option<String> {
    let interview = collection.settings().interview.as_ref()?;
    let before = interview.restore_retention?;
    Some(format!(
        "Desired retention is raised to {:.2} until your interview on {}; it returns to {:.2} after.",
        collection.settings().desired_retention,
        interview.date,
        before
    ))
}
