//! Settings: retention, daily limits, steps, day start, leeches. Saved to
//! `settings.ron` atomically; invalid input is explained and not saved.

use egui::{RichText, Slider};

use super::{Nav, theme};
use crate::collection::Collection;
use crate::schedule::{Settings, Step};

/// Settings screen state: an edited copy, and the steps as typed.
pub struct SettingsScreen {
    draft: Settings,
    learning_steps: String,
    relearning_steps: String,
    message: Option<(bool, String)>,
}

fn steps_text(steps: &[Step]) -> String {
    steps
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_steps(text: &str, what: &str) -> Result<Vec<Step>, String> {
    text.split_whitespace()
        .map(|s| s.parse::<Step>().map_err(|e| format!("{what}: {e}")))
        .collect()
}

impl SettingsScreen {
    /// Starts editing the collection's current settings.
    pub fn new(collection: &Collection) -> Self {
        let draft = collection.settings().clone();
        Self {
            learning_steps: steps_text(&draft.learning_steps),
            relearning_steps: steps_text(&draft.relearning_steps),
            draft,
            message: None,
        }
    }

    /// Draws the screen.
    pub fn show(&mut self, ui: &mut egui::Ui, collection: &mut Collection) -> Nav {
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.set_max_width(640.0);
                    ui.add_space(12.0);
                    ui.heading("Settings");
                    ui.add_space(8.0);
                    if let Some(e) = collection.settings_error() {
                        ui.colored_label(theme::ERROR, e);
                    }
                    self.form(ui);
                    ui.add_space(12.0);
                    ui.horizontal(|ui| {
                        if ui.button(RichText::new("Save").strong()).clicked() {
                            self.save(collection);
                        }
                        if ui.button("Restore defaults").clicked() {
                            *self = Self {
                                message: Some((
                                    true,
                                    "Defaults restored; press Save to keep them.".into(),
                                )),
                                ..Self::from_settings(Settings::default())
                            };
                        }
                    });
                    if let Some((ok, text)) = &self.message {
                        let color = if *ok { theme::REVIEW } else { theme::ERROR };
                        ui.colored_label(color, text);
                    }
                    ui.add_space(8.0);
                    ui.label(
                        RichText::new(format!(
                            "Stored in {}",
                            collection.root().join("settings.ron").display()
                        ))
                        .small()
                        .weak(),
                    );
                });
            });
        Nav::Stay
    }

    fn from_settings(draft: Settings) -> Self {
        Self {
            learning_steps: steps_text(&draft.learning_steps),
            relearning_steps: steps_text(&draft.relearning_steps),
            draft,
            message: None,
        }
    }

    fn form(&mut self, ui: &mut egui::Ui) {
        let d = &mut self.draft;
        egui::Grid::new("settings").num_columns(2).spacing([24.0, 12.0]).show(ui, |ui| {
            // Each control is labelled by the text beside it, for screen readers and tests.
            let row = |ui: &mut egui::Ui, label: &str, hint: &str, add: &mut dyn FnMut(&mut egui::Ui) -> egui::Response| {
                let mut l = ui.label(label);
                if !hint.is_empty() {
                    l = l.on_hover_text(hint);
                }
                add(ui).labelled_by(l.id);
                ui.end_row();
            };
            row(ui, "Desired retention", "The chance of remembering a card when it comes due. Higher means more reviews.", &mut |ui| {
                ui.add(Slider::new(&mut d.desired_retention, 0.70..=0.99).step_by(0.01).fixed_decimals(2))
            });
            row(ui, "New cards per day", "Per deck, and for all decks together", &mut |ui| {
                ui.add(egui::DragValue::new(&mut d.new_per_day).range(0..=9999))
            });
            row(ui, "Reviews per day", "Per deck, and for all decks together", &mut |ui| {
                ui.add(egui::DragValue::new(&mut d.reviews_per_day).range(0..=99_999))
            });
            row(ui, "Learning steps", "For example: 1m 10m", &mut |ui| {
                ui.add(egui::TextEdit::singleline(&mut self.learning_steps).desired_width(160.0))
            });
            row(ui, "Relearning steps", "For example: 10m. Empty: straight back to review.", &mut |ui| {
                ui.add(egui::TextEdit::singleline(&mut self.relearning_steps).desired_width(160.0))
            });
            row(ui, "Maximum interval (days)", "", &mut |ui| {
                ui.add(egui::DragValue::new(&mut d.maximum_interval_days).range(1..=36_500))
            });
            row(ui, "Next day starts at", "Local time; reviews done before this hour count for the previous day", &mut |ui| {
                ui.add(egui::DragValue::new(&mut d.day_starts_at_hour).range(0..=23).suffix(":00"))
            });
            row(ui, "Learn ahead limit (minutes)", "When nothing else is due, learning cards due this soon are shown", &mut |ui| {
                ui.add(egui::DragValue::new(&mut d.learn_ahead_minutes).range(0..=1440))
            });
            row(ui, "Leech threshold (lapses)", "0 turns leech tagging off", &mut |ui| {
                ui.add(egui::DragValue::new(&mut d.leech_threshold).range(0..=99))
            });
            row(ui, "Spread intervals (fuzz)", "Keeps cards learnt together from always coming due together", &mut |ui| {
                ui.checkbox(&mut d.fuzz, "")
            });
            ui.label("Memory model parameters");
            ui.label(if d.fsrs_parameters.is_empty() {
                "FSRS-6 defaults".to_string()
            } else {
                format!("{} fitted values", d.fsrs_parameters.len())
            });
            ui.end_row();
        });
    }

    fn save(&mut self, collection: &mut Collection) {
        let steps = parse_steps(&self.learning_steps, "learning steps")
            .and_then(|l| parse_steps(&self.relearning_steps, "relearning steps").map(|r| (l, r)));
        let (learning, relearning) = match steps {
            Ok(s) => s,
            Err(e) => {
                self.message = Some((false, e));
                return;
            }
        };
        let mut settings = self.draft.clone();
        settings.learning_steps = learning;
        settings.relearning_steps = relearning;
        self.message = Some(match collection.save_settings(settings) {
            Ok(()) => (true, "Saved.".into()),
            Err(e) => (false, e.to_string()),
        });
    }
}
