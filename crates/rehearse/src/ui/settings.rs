//! Settings: the option presets (retention, daily limits, steps, leeches,
//! burying, memory-model parameters; one preset per deck), and what applies
//! to every deck (day start, learn ahead, fuzz). Saved to `settings.ron`
//! atomically; invalid input is explained and not saved.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};

use egui::{RichText, Slider};

use std::path::{Path, PathBuf};

use super::file_dialog::{FileDialog, Purpose};
use super::task::{Poll, Task};
use super::{Nav, notice, theme};
use rehearse_core::collection::Collection;
use rehearse_core::insight::MIN_ITEMS;
use rehearse_core::insight::fit::{PresetOutcome, PresetsFit};
use rehearse_core::insight::fit::{RevlogImport, RevlogImportError, RevlogReport};
use rehearse_core::schedule::settings::Theme;
use rehearse_core::schedule::{DEFAULT_PRESET, Preset, Settings, Step};

/// Settings screen state: an edited copy, the preset the form edits, its
/// steps as typed, and the memory-model fit when one runs.
pub struct SettingsScreen {
    draft: Settings,
    /// The preset whose options the form shows.
    chosen: String,
    learning_steps: String,
    relearning_steps: String,
    /// Presets renamed in the draft (old, new), in order: the decks using
    /// them keep them when saved.
    renamed: Vec<(String, String)>,
    /// Adding, renaming or duplicating a preset: the name being typed.
    name_dialog: Option<NameDialog>,
    /// Asking before the chosen preset is deleted.
    confirm_delete: bool,
    fit: Option<FitTask>,
    fit_result: Option<Result<PresetsFit, String>>,
    revlog_path: String,
    revlog_chooser: FileDialog,
    /// A review log being imported on a worker thread, and its path.
    revlog_import: Option<(Task<Result<RevlogReport, RevlogImportError>>, PathBuf)>,
}

/// What a preset name is typed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NameAction {
    Add,
    Rename,
    Duplicate,
}

/// The dialog asking for a preset's name.
struct NameDialog {
    action: NameAction,
    name: String,
    error: Option<String>,
}

/// A memory-model fit running on a worker thread.
struct FitTask {
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    result: Receiver<Result<PresetsFit, String>>,
}

/// Wide enough for the longest label of the settings form.
const LABEL_WIDTH: f32 = 216.0;

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
        Self::from_settings(collection.settings().clone())
    }

    /// Whether a dialog is open (keys then belong to it).
    pub(crate) fn dialog_open(&self) -> bool {
        self.name_dialog.is_some() || self.confirm_delete
    }

    /// Draws the screen.
    pub fn show(&mut self, ui: &mut egui::Ui, collection: &mut Collection) -> Nav {
        // Save stays in view however far the form is scrolled.
        egui::Panel::bottom("settings_bar").show(ui, |ui| {
            ui.add_space(6.0);
            // Lined up with the form's column above.
            let margin = ((ui.available_width() - 640.0) / 2.0).max(0.0);
            ui.horizontal(|ui| {
                ui.add_space(margin);
                let dirty = self.is_changed(collection);
                if ui
                    .add_enabled(dirty, egui::Button::new(RichText::new("Save").strong()))
                    .on_disabled_hover_text("Nothing changed")
                    .clicked()
                {
                    self.save(ui.ctx(), collection);
                }
                if ui
                    .button("Restore defaults")
                    .on_hover_text("Anki's defaults for this preset, and for every deck")
                    .clicked()
                {
                    self.restore_defaults();
                    notice::info(
                        ui.ctx(),
                        "Defaults restored in the form; press Save to keep them.",
                    );
                }
                if dirty {
                    ui.label(RichText::new("Unsaved changes").color(theme::LEARNING));
                }
            });
            ui.add_space(6.0);
        });
        self.dialogs(ui.ctx(), collection);
        egui::ScrollArea::vertical()
            .id_salt("settings_scroll")
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.set_max_width(640.0);
                    ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                        ui.add_space(12.0);
                        ui.heading("Settings");
                        ui.add_space(8.0);
                        if let Some(e) = collection.settings_error() {
                            ui.colored_label(theme::ERROR, e);
                        }
                        appearance(ui, collection);
                        ui.add_space(12.0);
                        ui.label(RichText::new("Scheduling").strong().size(17.0));
                        if let Some(note) = super::readiness::retention_note(collection) {
                            ui.label(RichText::new(note).color(theme::LEARNING));
                        }
                        self.preset_bar(ui, collection);
                        ui.add_space(6.0);
                        self.form(ui);
                        ui.add_space(16.0);
                        ui.label(RichText::new("Every deck").strong());
                        self.global_form(ui);
                        ui.add_space(20.0);
                        self.memory_model(ui, collection);
                        ui.add_space(8.0);
                        ui.label(
                            RichText::new(format!(
                                "Stored in {}",
                                collection.data_dir().settings().display()
                            ))
                            .small()
                            .weak(),
                        );
                    });
                });
            });
        Nav::Stay
    }

    /// The draft with the steps as typed for the chosen preset, or why they
    /// cannot be read.
    fn draft_with_steps(&self) -> Result<Settings, String> {
        let learning = parse_steps(&self.learning_steps, "learning steps")?;
        let relearning = parse_steps(&self.relearning_steps, "relearning steps")?;
        let mut draft = self.draft.clone();
        if let Some(mut p) = draft.preset(&self.chosen) {
            p.learning_steps = learning;
            p.relearning_steps = relearning;
            draft.set_preset(p);
        }
        Ok(draft)
    }

    /// Whether the form differs from the saved settings.
    fn is_changed(&self, collection: &Collection) -> bool {
        let saved = collection.settings();
        let Ok(mut draft) = self.draft_with_steps() else {
            // Steps that do not read are a change (Save explains them).
            return true;
        };
        draft.display = saved.display.clone();
        draft.interview = saved.interview.clone();
        draft.deck_presets = saved.deck_presets.clone();
        draft != *saved || !self.renamed.is_empty()
    }

    fn from_settings(draft: Settings) -> Self {
        let mut screen = Self {
            learning_steps: String::new(),
            relearning_steps: String::new(),
            chosen: DEFAULT_PRESET.to_string(),
            draft,
            renamed: Vec::new(),
            name_dialog: None,
            confirm_delete: false,
            fit: None,
            fit_result: None,
            revlog_path: String::new(),
            revlog_chooser: FileDialog::default(),
            revlog_import: None,
        };
        screen.load_steps();
        screen
    }

    /// Shows the chosen preset's steps in the text boxes.
    fn load_steps(&mut self) {
        let p = self.chosen_preset();
        self.learning_steps = steps_text(&p.learning_steps);
        self.relearning_steps = steps_text(&p.relearning_steps);
    }

    /// The chosen preset as the draft has it.
    fn chosen_preset(&self) -> Preset {
        self.draft
            .preset(&self.chosen)
            .unwrap_or_else(|| self.draft.default_preset())
    }

    /// Keeps the typed steps in the draft before the form shows another
    /// preset; false (and says why) when they do not read.
    fn commit_steps(&mut self, ctx: &egui::Context) -> bool {
        match self.draft_with_steps() {
            Ok(draft) => {
                self.draft = draft;
                true
            }
            Err(e) => {
                notice::error(ctx, format!("Preset \"{}\": {e}", self.chosen));
                false
            }
        }
    }

    /// Anki's defaults for the chosen preset (its name kept) and for what
    /// applies to every deck; the other presets are left alone.
    fn restore_defaults(&mut self) {
        let defaults = Settings::default();
        self.draft.day_starts_at_hour = defaults.day_starts_at_hour;
        self.draft.learn_ahead_minutes = defaults.learn_ahead_minutes;
        self.draft.fuzz = defaults.fuzz;
        self.draft.set_preset(Preset {
            name: self.chosen.clone(),
            ..Preset::default()
        });
        self.load_steps();
    }

    /// Which preset the form edits, how many decks use it, and adding,
    /// renaming, duplicating and deleting presets.
    fn preset_bar(&mut self, ui: &mut egui::Ui, collection: &Collection) {
        ui.horizontal(|ui| {
            let l = ui.label(RichText::new("Options preset").strong());
            let mut chosen = self.chosen.clone();
            egui::ComboBox::from_id_salt("preset_picker")
                .selected_text(&chosen)
                .show_ui(ui, |ui| {
                    for name in self.draft.preset_names() {
                        ui.selectable_value(&mut chosen, name.to_string(), name);
                    }
                })
                .response
                .labelled_by(l.id);
            if chosen != self.chosen && self.commit_steps(ui.ctx()) {
                self.chosen = chosen;
                self.load_steps();
            }
            let mut open = |action: NameAction, name: String| {
                self.name_dialog = Some(NameDialog {
                    action,
                    name,
                    error: None,
                });
            };
            if ui.button("Add preset").clicked() {
                open(NameAction::Add, self.draft.unused_preset_name("New preset"));
            }
            let is_default = self.chosen == DEFAULT_PRESET;
            if ui
                .add_enabled(!is_default, egui::Button::new("Rename"))
                .on_disabled_hover_text("The Default preset keeps its name")
                .clicked()
            {
                open(NameAction::Rename, self.chosen.clone());
            }
            if ui.button("Duplicate").clicked() {
                open(
                    NameAction::Duplicate,
                    self.draft.unused_preset_name(&self.chosen),
                );
            }
            if ui
                .add_enabled(!is_default, egui::Button::new("Delete…"))
                .on_disabled_hover_text("The Default preset is always there")
                .clicked()
            {
                self.confirm_delete = true;
            }
        });
        ui.label(RichText::new(self.users_text(collection)).weak());
    }

    /// Which decks use the chosen preset, as saved.
    fn users_text(&self, collection: &Collection) -> String {
        let users = self.deck_names_using(collection, &self.chosen);
        if self.chosen == DEFAULT_PRESET {
            format!(
                "Used by every deck not given another preset ({}). A deck under a parent uses its own preset, never the parent's.",
                super::plural(users.len(), "deck")
            )
        } else if users.is_empty() {
            "No deck uses this preset yet: choose it in a deck's More menu on Decks.".to_string()
        } else {
            format!("Used by {}.", users.join(", "))
        }
    }

    /// Names of the decks that use preset `name` (as saved; a preset renamed
    /// in the form is looked up under its saved name).
    fn deck_names_using(&self, collection: &Collection, name: &str) -> Vec<String> {
        let saved_name = self
            .renamed
            .iter()
            .rev()
            .fold(
                name.to_string(),
                |n, (old, new)| if n == *new { old.clone() } else { n },
            );
        let settings = collection.settings();
        collection
            .decks()
            .iter()
            .filter(|d| settings.preset_name_of_deck(&d.slug) == saved_name)
            .map(|d| d.name.clone())
            .collect()
    }

    /// The preset name dialog and the delete confirmation.
    fn dialogs(&mut self, ctx: &egui::Context, collection: &Collection) {
        self.name_dialog(ctx);
        if self.confirm_delete {
            self.delete_dialog(ctx, collection);
        }
    }

    /// Asks for a preset's name, to add, rename or duplicate one in the
    /// draft; a name the draft refuses is explained in the dialog.
    fn name_dialog(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.name_dialog else {
            return;
        };
        let mut close = false;
        let mut done = false;
        egui::Modal::new(egui::Id::unique("preset_name")).show(ctx, |ui| {
            ui.set_width(380.0);
            ui.heading(match dialog.action {
                NameAction::Add => "Add a preset".to_string(),
                NameAction::Rename => format!("Rename \"{}\"", self.chosen),
                NameAction::Duplicate => format!("Duplicate \"{}\"", self.chosen),
            });
            if dialog.action == NameAction::Add {
                ui.label("It starts with Anki's default options.");
            }
            let l = ui.label("Preset name");
            let field = ui
                .add(egui::TextEdit::singleline(&mut dialog.name).desired_width(f32::INFINITY))
                .labelled_by(l.id);
            if !field.has_focus()
                && dialog.error.is_none()
                && !ui.ctx().memory(|m| m.focused().is_some())
            {
                field.request_focus();
            }
            if let Some(e) = &dialog.error {
                ui.colored_label(theme::ERROR, e);
            }
            ui.horizontal(|ui| {
                done = ui.button(RichText::new("OK").strong()).clicked()
                    || (field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
                close = ui.button("Cancel").clicked()
                    || ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape));
            });
        });
        if done && !close {
            let name = dialog.name.trim().to_string();
            let mut draft = self.draft.clone();
            let result = match dialog.action {
                NameAction::Add => draft.add_preset(&name, None),
                NameAction::Rename => draft.rename_preset(&self.chosen, &name),
                NameAction::Duplicate => draft.add_preset(&name, Some(&self.chosen)),
            };
            match result {
                Ok(()) => {
                    if dialog.action == NameAction::Rename {
                        self.renamed.push((self.chosen.clone(), name.clone()));
                    }
                    self.draft = draft;
                    self.chosen = name;
                    close = true;
                }
                Err(e) => dialog.error = Some(format!("{}.", capitalised(&e.to_string()))),
            }
        }
        if close {
            self.name_dialog = None;
            self.load_steps();
        }
    }

    /// Asks before the chosen preset is deleted from the draft, naming the
    /// decks that would go back to Default.
    fn delete_dialog(&mut self, ctx: &egui::Context, collection: &Collection) {
        let users = self.deck_names_using(collection, &self.chosen);
        let mut close = false;
        let mut delete = false;
        egui::Modal::new(egui::Id::unique("preset_delete")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading(format!("Delete the preset \"{}\"?", self.chosen));
            ui.label(if users.is_empty() {
                "No deck uses it.".to_string()
            } else {
                format!(
                    "{} {} it; {} back to Default when you save: {}.",
                    super::plural(users.len(), "deck"),
                    if users.len() == 1 { "uses" } else { "use" },
                    if users.len() == 1 { "it goes" } else { "they go" },
                    users.join(", ")
                )
            });
            ui.label("Their cards keep their due dates; Default's options apply from each card's next answer.");
            ui.horizontal(|ui| {
                delete = ui.button(RichText::new("Delete preset").color(theme::ERROR)).clicked();
                close = ui.button("Cancel").clicked()
                    || ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape));
            });
        });
        if delete && self.draft.remove_preset(&self.chosen).is_ok() {
            notice::info(
                ctx,
                format!(
                    "Deleted the preset \"{}\" from the form; press Save to keep it.",
                    self.chosen
                ),
            );
            self.chosen = DEFAULT_PRESET.to_string();
            self.load_steps();
            close = true;
        }
        if close {
            self.confirm_delete = false;
        }
    }

    /// The chosen preset's options.
    fn form(&mut self, ui: &mut egui::Ui) {
        let mut d = self.chosen_preset();
        let inherits = self.chosen != DEFAULT_PRESET;
        // Both grids share a label column width, so their controls line up.
        egui::Grid::new("settings").num_columns(2).spacing([24.0, 12.0]).min_col_width(LABEL_WIDTH).show(ui, |ui| {
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
            row(ui, "New cards per day", "Per deck using this preset; a parent deck's preset also caps the decks under it, and Default's caps all decks together", &mut |ui| {
                ui.add(egui::DragValue::new(&mut d.new_per_day).range(0..=9999))
            });
            row(ui, "Reviews per day", "Per deck using this preset; a parent deck's preset also caps the decks under it, and Default's caps all decks together", &mut |ui| {
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
            row(ui, "Leech threshold (lapses)", "0 turns leech tagging off", &mut |ui| {
                ui.add(egui::DragValue::new(&mut d.leech_threshold).range(0..=99))
            });
            row(ui, "Bury new siblings", "Once one side of a card (its reverse, another cloze number) is studied, its other new sides wait for the next day", &mut |ui| {
                ui.checkbox(&mut d.bury_new_siblings, "")
            });
            row(ui, "Bury review siblings", "The same for sides due for review", &mut |ui| {
                ui.checkbox(&mut d.bury_review_siblings, "")
            });
            row(ui, "Bury interday learning siblings", "The same for sides in learning steps of a day or more", &mut |ui| {
                ui.checkbox(&mut d.bury_interday_learning_siblings, "")
            });
            ui.label("Memory model parameters");
            ui.label(match (d.fsrs_parameters.is_empty(), inherits) {
                (true, false) => "FSRS-6 defaults".to_string(),
                (true, true) => "The Default preset's (global)".to_string(),
                (false, _) => format!("{} fitted values", d.fsrs_parameters.len()),
            });
            ui.end_row();
        });
        self.draft.set_preset(d);
    }

    /// What applies to every deck whatever its preset.
    fn global_form(&mut self, ui: &mut egui::Ui) {
        let d = &mut self.draft;
        egui::Grid::new("settings_global")
            .num_columns(2)
            .min_col_width(LABEL_WIDTH)
            .spacing([24.0, 12.0])
            .show(ui, |ui| {
                let row =
                    |ui: &mut egui::Ui,
                     label: &str,
                     hint: &str,
                     add: &mut dyn FnMut(&mut egui::Ui) -> egui::Response| {
                        let l = ui.label(label).on_hover_text(hint);
                        add(ui).labelled_by(l.id);
                        ui.end_row();
                    };
                row(
                    ui,
                    "Next day starts at",
                    "Local time; reviews done before this hour count for the previous day",
                    &mut |ui| {
                        ui.add(
                            egui::DragValue::new(&mut d.day_starts_at_hour)
                                .range(0..=23)
                                .suffix(":00"),
                        )
                    },
                );
                row(
                    ui,
                    "Learn ahead limit (minutes)",
                    "When nothing else is due, learning cards due this soon are shown",
                    &mut |ui| {
                        ui.add(egui::DragValue::new(&mut d.learn_ahead_minutes).range(0..=1440))
                    },
                );
                row(
                    ui,
                    "Spread intervals (fuzz)",
                    "Keeps cards learnt together from always coming due together",
                    &mut |ui| ui.checkbox(&mut d.fuzz, ""),
                );
                row(
                    ui,
                    "Load balancing",
                    "Within its fuzz range, each review goes preferably to a day with fewer reviews already due, as in Anki. Needs fuzz.",
                    &mut |ui| {
                        ui.add_enabled(d.fuzz, egui::Checkbox::without_text(&mut d.load_balancing))
                            .on_disabled_hover_text(
                                "Turn on fuzz first: load balancing only chooses within the fuzz range",
                            )
                    },
                );
                row(
                    ui,
                    "Easy days",
                    "Days of the week that get fewer reviews: Reduced about half a normal day's share, Minimum almost none. Reviews only move within their fuzz range, so short intervals still come when due. Needs fuzz.",
                    &mut |ui| easy_days(ui, &mut d.easy_days, d.fuzz),
                );
            });
    }

    /// The memory model: fitting the FSRS parameters to the review history
    /// (or dropping fitted ones), and importing a review log to fit from.
    fn memory_model(&mut self, ui: &mut egui::Ui, collection: &mut Collection) {
        self.poll_fit(collection);
        egui::Frame::group(ui.style()).inner_margin(12.0).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new("Memory model").strong().size(17.0));
            ui.label(
                RichText::new(
                    "Fit the FSRS parameters to your own review history, so intervals match how you remember: the global ones (the Default preset's) to all of it, and each other preset's to its own decks' history when that has enough reviews (otherwise it uses the global ones). Fitted parameters are kept only if they predict the history better.",
                )
                .weak(),
            );
            ui.add_space(6.0);
            self.fit_row(ui, collection);
            match &self.fit_result {
                None => {}
                Some(Err(e)) => {
                    ui.colored_label(theme::ERROR, e);
                }
                Some(Ok(f)) => fit_report(ui, f),
            }
            ui.add_space(10.0);
            self.revlog_row(ui, collection);
        });
    }

    /// The fit's progress and Cancel while it runs; otherwise Optimise, and
    /// the way back to default (or global) parameters when the chosen
    /// preset has its own.
    fn fit_row(&mut self, ui: &mut egui::Ui, collection: &mut Collection) {
        if let Some(task) = &self.fit {
            let done = task.done.load(Ordering::Relaxed);
            let total = task.total.load(Ordering::Relaxed);
            ui.horizontal(|ui| {
                let fraction = if total == 0 {
                    0.0
                } else {
                    done as f32 / total as f32
                };
                let text = if total == 0 {
                    "Reading the history…".to_string()
                } else {
                    format!("Optimising… {:.0}%", fraction * 100.0)
                };
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(300.0)
                        .text(text),
                );
                if ui.button("Cancel").clicked() {
                    task.cancel.store(true, Ordering::Relaxed);
                }
            });
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
            return;
        }
        ui.horizontal(|ui| {
            if ui.button(RichText::new("Optimise").strong()).clicked() {
                self.start_fit(ui.ctx(), collection);
            }
            let own = collection
                .settings()
                .preset(&self.chosen)
                .is_some_and(|p| !p.fsrs_parameters.is_empty());
            let (label, hint) = if self.chosen == DEFAULT_PRESET {
                (
                    "Use default parameters",
                    "Back to the FSRS-6 defaults for the global parameters",
                )
            } else {
                (
                    "Use the global parameters",
                    "This preset drops its own parameters and uses the Default preset's",
                )
            };
            if own && ui.button(label).on_hover_text(hint).clicked() {
                self.fit_result = None;
                self.clear_parameters(ui.ctx(), collection);
            }
        });
    }

    /// Importing a review log: what the file holds, its path, and Import
    /// (the import runs on a worker).
    fn revlog_row(&mut self, ui: &mut egui::Ui, collection: &Collection) {
        ui.label(RichText::new("Import a review log").strong());
        ui.label(
            RichText::new(
                "A CSV with columns card_id, review_rating, review_time, review_duration (the FSRS tools' layout). Its reviews feed statistics and the optimiser.",
            )
            .weak(),
        );
        if let Some(chosen) = self.revlog_chooser.take() {
            self.revlog_path = chosen.display().to_string();
        }
        ui.horizontal(|ui| {
            let l = ui.label("File");
            ui.add(
                egui::TextEdit::singleline(&mut self.revlog_path)
                    .hint_text("/path/to/revlog.csv")
                    .desired_width(260.0),
            )
            .labelled_by(l.id);
            if ui
                .add_enabled(!self.revlog_chooser.is_open(), egui::Button::new("Choose…"))
                .clicked()
            {
                self.revlog_chooser.open(
                    ui.ctx(),
                    "Import a review log",
                    Purpose::Open(vec![("Review log (CSV)", vec!["csv"])]),
                );
            }
            let importing = self.revlog_import.is_some();
            let ready = !self.revlog_path.trim().is_empty() && !importing;
            if ui
                .add_enabled(ready, egui::Button::new("Import"))
                .on_disabled_hover_text(if importing {
                    "Importing…"
                } else {
                    "Choose a file first"
                })
                .clicked()
            {
                self.import_revlog(ui.ctx(), collection);
            }
            if importing {
                ui.spinner();
            }
        });
        self.poll_revlog(ui.ctx());
    }

    fn start_fit(&mut self, ctx: &egui::Context, collection: &Collection) {
        let job = match collection.fit_job() {
            Ok(j) => j,
            Err(e) => {
                self.fit_result = Some(Err(e.to_string()));
                return;
            }
        };
        let (tx, rx) = channel();
        let task = FitTask {
            done: Arc::default(),
            total: Arc::default(),
            cancel: Arc::default(),
            result: rx,
        };
        let (done, total, cancel) = (task.done.clone(), task.total.clone(), task.cancel.clone());
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let result = job.run(|d, t| {
                done.store(d, Ordering::Relaxed);
                total.store(t, Ordering::Relaxed);
                !cancel.load(Ordering::Relaxed)
            });
            let _ = tx.send(result.map_err(|e| e.to_string()));
            ctx.request_repaint();
        });
        self.fit_result = None;
        self.fit = Some(task);
    }

    /// Takes the fit's result when it is done, saving the parameters that
    /// predict better (and the global ones for presets with too little
    /// history).
    fn poll_fit(&mut self, collection: &mut Collection) {
        let Some(task) = &self.fit else {
            return;
        };
        let Ok(result) = task.result.try_recv() else {
            return;
        };
        self.fit = None;
        if let Ok(f) = &result {
            if let Err(e) = collection.use_fit(f) {
                self.fit_result = Some(Err(format!(
                    "The fitted parameters could not be saved: {e}"
                )));
                return;
            }
            self.take_parameters(collection);
        }
        self.fit_result = Some(result);
    }

    /// Copies every preset's saved parameters into the draft (the rest of
    /// the form is left as edited).
    fn take_parameters(&mut self, collection: &Collection) {
        for saved in collection.settings().all_presets() {
            if let Some(mut p) = self.draft.preset(&saved.name) {
                p.fsrs_parameters = saved.fsrs_parameters;
                self.draft.set_preset(p);
            }
        }
    }

    /// Drops the chosen preset's parameters: the FSRS-6 defaults for
    /// Default, the global ones for any other. Saved at once.
    fn clear_parameters(&mut self, ctx: &egui::Context, collection: &mut Collection) {
        let mut settings = collection.settings().clone();
        let Some(mut p) = settings.preset(&self.chosen) else {
            return;
        };
        p.fsrs_parameters.clear();
        settings.set_preset(p);
        let done = if self.chosen == DEFAULT_PRESET {
            "Back to the FSRS-6 default parameters.".to_string()
        } else {
            format!("\"{}\" now uses the global parameters.", self.chosen)
        };
        let result = collection.save_settings(settings).map(|()| done);
        if result.is_ok() {
            self.take_parameters(collection);
        }
        notice::report(ctx, result);
    }

    /// Imports the review log at the typed path, reading and writing off the
    /// UI thread (a small file is done in this frame).
    fn import_revlog(&mut self, ctx: &egui::Context, collection: &Collection) {
        let path = PathBuf::from(self.revlog_path.trim());
        let job = match RevlogImport::new(collection) {
            Ok(job) => job,
            Err(e) => return revlog_imported(ctx, Err(e), &path),
        };
        let file = path.clone();
        match Task::run(ctx, move || job.import_file(&file)) {
            Ok(Some(result)) => revlog_imported(ctx, result, &path),
            Ok(None) => notice::error(ctx, "The review log import stopped unexpectedly."),
            Err(task) => self.revlog_import = Some((task, path)),
        }
    }

    /// Reports a review-log import once it is done.
    fn poll_revlog(&mut self, ctx: &egui::Context) {
        let Some((task, path)) = &self.revlog_import else {
            return;
        };
        match task.poll(ctx) {
            Poll::Working => return,
            Poll::Done(result) => revlog_imported(ctx, result, path),
            Poll::Lost => notice::error(ctx, "The review log import stopped unexpectedly."),
        }
        self.revlog_import = None;
    }

    fn save(&mut self, ctx: &egui::Context, collection: &mut Collection) {
        let settings = match self.draft_with_steps() {
            Ok(s) => s,
            Err(e) => {
                notice::error(ctx, format!("Preset \"{}\": {e}", self.chosen));
                return;
            }
        };
        // The theme may have changed since the form opened, the interview
        // plan is set on the Readiness screen, and decks are given presets
        // on Decks: those are kept as they are now.
        let settings = collection
            .settings()
            .with_presets_of(&settings, &self.renamed);
        let result = collection.save_settings(settings);
        if result.is_ok() {
            self.renamed.clear();
            self.draft = collection.settings().clone();
        }
        notice::report(ctx, result.map(|()| "Saved the settings.".to_string()));
    }
}

/// What the memory-model fit found, preset by preset.
fn fit_report(ui: &mut egui::Ui, f: &PresetsFit) {
    let g = &f.global;
    egui::Grid::new("fit")
        .num_columns(3)
        .spacing([24.0, 4.0])
        .show(ui, |ui| {
            ui.label("");
            ui.label(RichText::new("Log loss").strong());
            ui.label(RichText::new("RMSE (bins)").strong());
            ui.end_row();
            ui.label("Current parameters");
            ui.label(format!("{:.4}", g.before.log_loss));
            ui.label(format!("{:.4}", g.before.rmse_bins));
            ui.end_row();
            ui.label("Fitted parameters");
            ui.label(format!("{:.4}", g.after.log_loss));
            ui.label(format!("{:.4}", g.after.rmse_bins));
            ui.end_row();
        });
    ui.label(if g.improved {
        format!(
            "Fitted on {} reviews (the global parameters, which the Default preset uses) and saved; they apply from each card's next review. Lower is better.",
            g.reviews
        )
    } else {
        format!(
            "Fitted on {} reviews (the global parameters, which the Default preset uses); the current parameters predict your history as well or better, so they were kept.",
            g.reviews
        )
    });
    for p in &f.presets {
        ui.label(match &p.outcome {
            PresetOutcome::Fitted(fit) => format!(
                "{}: fitted on its decks' {} reviews (log loss {:.4} → {:.4}); {}.",
                p.name,
                fit.reviews,
                fit.before.log_loss,
                fit.after.log_loss,
                if fit.improved { "saved" } else { "the current ones were kept" }
            ),
            PresetOutcome::TooLittleHistory { have } => format!(
                "{}: its decks have {have} usable reviews, fewer than the {MIN_ITEMS} a fit needs, so it uses the global parameters.",
                p.name
            ),
        });
    }
}

/// "a preset named…" → "A preset named…".
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The easy-day levels the form offers, with the share of reviews each
/// stands for: Anki's three. A share written by hand between 0 and 1 shows
/// as Reduced and is kept until another level is picked.
const EASY_LEVELS: [(&str, f32); 3] = [("Normal", 1.0), ("Reduced", 0.5), ("Minimum", 0.0)];

fn easy_level(share: f32) -> usize {
    if share >= 1.0 {
        0
    } else if share <= 0.0 {
        2
    } else {
        1
    }
}

/// A week of radio buttons, a column a day and a row a level; each button
/// is named "<weekday>: <level>" for screen readers and tests.
fn easy_days(ui: &mut egui::Ui, shares: &mut [f32], enabled: bool) -> egui::Response {
    use rehearse_core::schedule::settings::WEEKDAYS;
    ui.add_enabled_ui(enabled, |ui| {
        egui::Grid::new("easy_days")
            .spacing([10.0, 4.0])
            .show(ui, |ui| {
                ui.label("");
                for day in WEEKDAYS {
                    ui.label(RichText::new(&day[..3]).small())
                        .on_hover_text(day);
                }
                ui.end_row();
                for (level, (name, share)) in EASY_LEVELS.iter().enumerate() {
                    ui.label(RichText::new(*name).small());
                    for (day, value) in WEEKDAYS.iter().zip(shares.iter_mut()) {
                        let selected = easy_level(*value) == level;
                        let r = ui.radio(selected, "");
                        let label = format!("{day}: {name}");
                        r.widget_info(|| {
                            egui::WidgetInfo::selected(
                                egui::Role::RadioButton,
                                enabled,
                                selected,
                                &label,
                            )
                        });
                        if r.on_hover_text(format!("{day}: {name}")).clicked() && !selected {
                            *value = *share;
                        }
                    }
                    ui.end_row();
                }
            });
    })
    .response
}

/// Tells how importing the review log at `path` went.
fn revlog_imported(
    ctx: &egui::Context,
    result: Result<RevlogReport, RevlogImportError>,
    path: &Path,
) {
    notice::report(
        ctx,
        result
            .map(|r| {
                format!(
                    "Imported {} reviews of {} cards from {} ({} rows skipped).",
                    r.imported,
                    r.cards,
                    path.display(),
                    r.skipped
                )
            })
            .map_err(|e| format!("{}: {e}", path.display())),
    );
}

/// Light, dark or the system's theme; applies and is kept at once.
fn appearance(ui: &mut egui::Ui, collection: &mut Collection) {
    let current = collection.settings().display.theme;
    ui.horizontal(|ui| {
        let l = ui.label(RichText::new("Theme").strong());
        let mut chosen = current;
        for (theme, label) in [
            (Theme::System, "Follow the system"),
            (Theme::Light, "Light"),
            (Theme::Dark, "Dark"),
        ] {
            ui.selectable_value(&mut chosen, theme, label)
                .labelled_by(l.id);
        }
        if chosen != current {
            let mut display = collection.settings().display.clone();
            display.theme = chosen;
            if let Err(e) = collection.save_display(display) {
                notice::error(ui.ctx(), format!("Cannot keep the theme: {e}"));
            }
        }
    });
    let mut load = collection.settings().display.load_remote_images;
    let changed = ui
        .checkbox(&mut load, "Load images from the web")
        .on_hover_text(
            "Images on cards that are on the web (imported from GitHub, say) load from \
             their servers, which then learn when you study. Off: each shows as a link, \
             and a card offers to load its own.",
        )
        .changed();
    if changed {
        let mut display = collection.settings().display.clone();
        display.load_remote_images = load;
        if let Err(e) = collection.save_display(display) {
            notice::error(ui.ctx(), format!("Cannot keep the setting: {e}"));
        }
    }
}
