//! Settings: retention, daily limits, steps, day start, leeches. Saved to
//! `settings.ron` atomically; invalid input is explained and not saved.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};

use egui::{RichText, Slider};

use std::path::{Path, PathBuf};

use super::file_dialog::{FileDialog, Purpose};
use super::task::{Poll, Task};
use super::{Nav, notice, theme};
use rehearse_core::collection::Collection;
use rehearse_core::insight::Fitted;
use rehearse_core::insight::fit::{RevlogImport, RevlogImportError, RevlogReport};
use rehearse_core::schedule::settings::Theme;
use rehearse_core::schedule::{Settings, Step};

/// Settings screen state: an edited copy, the steps as typed, and the
/// memory-model fit when one runs.
pub struct SettingsScreen {
    draft: Settings,
    learning_steps: String,
    relearning_steps: String,
    fit: Option<FitTask>,
    fit_result: Option<Result<Fitted, String>>,
    revlog_path: String,
    revlog_chooser: FileDialog,
    /// A review log being imported on a worker thread, and its path.
    revlog_import: Option<(Task<Result<RevlogReport, RevlogImportError>>, PathBuf)>,
}

/// A memory-model fit running on a worker thread.
struct FitTask {
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    result: Receiver<Result<Fitted, String>>,
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
        Self::from_settings(collection.settings().clone())
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
                if ui.button("Restore defaults").clicked() {
                    *self = Self::from_settings(Settings {
                        display: collection.settings().display.clone(),
                        ..Settings::default()
                    });
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
                        self.form(ui);
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

    /// Whether the form differs from the saved settings.
    fn is_changed(&self, collection: &Collection) -> bool {
        let saved = collection.settings();
        let steps = |text: &str, steps: &[Step]| text.trim() != steps_text(steps);
        let mut draft = self.draft.clone();
        draft.display = saved.display.clone();
        draft.interview = saved.interview.clone();
        draft.learning_steps = saved.learning_steps.clone();
        draft.relearning_steps = saved.relearning_steps.clone();
        draft != *saved
            || steps(&self.learning_steps, &saved.learning_steps)
            || steps(&self.relearning_steps, &saved.relearning_steps)
    }

    fn from_settings(draft: Settings) -> Self {
        Self {
            learning_steps: steps_text(&draft.learning_steps),
            relearning_steps: steps_text(&draft.relearning_steps),
            draft,
            fit: None,
            fit_result: None,
            revlog_path: String::new(),
            revlog_chooser: FileDialog::default(),
            revlog_import: None,
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
            ui.label(if d.fsrs_parameters.is_empty() {
                "FSRS-6 defaults".to_string()
            } else {
                format!("{} fitted values", d.fsrs_parameters.len())
            });
            ui.end_row();
        });
    }

    fn memory_model(&mut self, ui: &mut egui::Ui, collection: &mut Collection) {
        self.poll_fit(collection);
        egui::Frame::group(ui.style()).inner_margin(12.0).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new("Memory model").strong().size(17.0));
            ui.label(
                RichText::new(
                    "Fit the FSRS parameters to your own review history, so intervals match how you remember. The fitted parameters are kept only if they predict your history better.",
                )
                .weak(),
            );
            ui.add_space(6.0);
            if let Some(task) = &self.fit {
                let done = task.done.load(Ordering::Relaxed);
                let total = task.total.load(Ordering::Relaxed);
                ui.horizontal(|ui| {
                    let fraction = if total == 0 { 0.0 } else { done as f32 / total as f32 };
                    let text = if total == 0 {
                        "Reading the history…".to_string()
                    } else {
                        format!("Optimising… {:.0}%", fraction * 100.0)
                    };
                    ui.add(egui::ProgressBar::new(fraction).desired_width(300.0).text(text));
                    if ui.button("Cancel").clicked() {
                        task.cancel.store(true, Ordering::Relaxed);
                    }
                });
                ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
            } else {
                ui.horizontal(|ui| {
                    if ui.button(RichText::new("Optimise").strong()).clicked() {
                        self.start_fit(ui.ctx(), collection);
                    }
                    if !collection.settings().fsrs_parameters.is_empty()
                        && ui.button("Use default parameters").clicked()
                    {
                        self.fit_result = None;
                        notice::report(
                            ui.ctx(),
                            collection
                                .use_parameters(Vec::new())
                                .map(|()| "Back to the FSRS-6 default parameters.".to_string()),
                        );
                        self.draft.fsrs_parameters.clear();
                    }
                });
            }
            match &self.fit_result {
                None => {}
                Some(Err(e)) => {
                    ui.colored_label(theme::ERROR, e);
                }
                Some(Ok(f)) => {
                    egui::Grid::new("fit").num_columns(3).spacing([24.0, 4.0]).show(ui, |ui| {
                        ui.label("");
                        ui.label(RichText::new("Log loss").strong());
                        ui.label(RichText::new("RMSE (bins)").strong());
                        ui.end_row();
                        ui.label("Current parameters");
                        ui.label(format!("{:.4}", f.before.log_loss));
                        ui.label(format!("{:.4}", f.before.rmse_bins));
                        ui.end_row();
                        ui.label("Fitted parameters");
                        ui.label(format!("{:.4}", f.after.log_loss));
                        ui.label(format!("{:.4}", f.after.rmse_bins));
                        ui.end_row();
                    });
                    ui.label(if f.improved {
                        format!(
                            "Fitted on {} reviews and saved; they apply from each card's next review. Lower is better.",
                            f.reviews
                        )
                    } else {
                        format!(
                            "Fitted on {} reviews; the current parameters predict your history as well or better, so they were kept.",
                            f.reviews
                        )
                    });
                }
            }
            ui.add_space(10.0);
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
        });
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

    /// Takes the fit's result when it is done, saving improved parameters.
    fn poll_fit(&mut self, collection: &mut Collection) {
        let Some(task) = &self.fit else {
            return;
        };
        let Ok(result) = task.result.try_recv() else {
            return;
        };
        self.fit = None;
        if let Ok(f) = &result
            && f.improved
        {
            if let Err(e) = collection.use_parameters(f.parameters.clone()) {
                self.fit_result = Some(Err(format!(
                    "The fitted parameters could not be saved: {e}"
                )));
                return;
            }
            self.draft.fsrs_parameters = f.parameters.clone();
        }
        self.fit_result = Some(result);
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
        let steps = parse_steps(&self.learning_steps, "learning steps")
            .and_then(|l| parse_steps(&self.relearning_steps, "relearning steps").map(|r| (l, r)));
        let (learning, relearning) = match steps {
            Ok(s) => s,
            Err(e) => {
                notice::error(ctx, e);
                return;
            }
        };
        let mut settings = self.draft.clone();
        settings.learning_steps = learning;
        settings.relearning_steps = relearning;
        // Kept as they are now: the theme may have changed since the form opened,
        // and the interview plan is set on the Readiness screen.
        settings.display = collection.settings().display.clone();
        settings.interview = collection.settings().interview.clone();
        notice::report(
            ctx,
            collection
                .save_settings(settings)
                .map(|()| "Saved the settings.".to_string()),
        );
    }
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
}
