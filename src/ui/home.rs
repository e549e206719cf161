//! Home: every deck with today's New / Learning / Due counts, the total,
//! today's progress, and any deck file that could not be loaded.

use std::time::{Duration, Instant};

use egui::{Align, Layout, RichText};
use jiff::Timestamp;

use super::{Nav, theme};
use crate::collection::{Collection, Counts, Progress};
use crate::study::Scope;

/// How long counts stay cached; they change only with answers and the clock.
const REFRESH: Duration = Duration::from_secs(2);

/// Home screen state: cached counts, and the deck being edited or deleted.
#[derive(Default)]
pub struct HomeScreen {
    cached: Option<(Instant, Vec<Counts>, Counts, Progress)>,
    dialog: Option<DeckDialog>,
    confirm_delete: Option<(String, String)>,
    message: Option<(bool, String)>,
    conflicts: Vec<crate::collection::DeckConflict>,
    comparing: Option<crate::collection::DeckConflict>,
}

/// Creating (no slug) or editing a deck's name and description.
struct DeckDialog {
    slug: Option<String>,
    name: String,
    description: String,
    error: Option<String>,
}

fn count_label(ui: &mut egui::Ui, n: usize, color: egui::Color32) {
    let text = RichText::new(n.to_string()).monospace();
    ui.label(if n == 0 {
        text.weak()
    } else {
        text.color(color).strong()
    });
}

impl HomeScreen {
    /// Draws the screen.
    pub fn show(&mut self, ui: &mut egui::Ui, collection: &mut Collection, now: Timestamp) -> Nav {
        let stale = self
            .cached
            .as_ref()
            .is_none_or(|(at, ..)| at.elapsed() > REFRESH);
        if stale {
            let counts = collection.deck_counts(now);
            let total = collection.total_counts(now);
            self.cached = Some((
                Instant::now(),
                counts,
                total,
                collection.progress_today(now),
            ));
            ui.ctx().request_repaint_after(REFRESH);
        }
        let Some((_, counts, total, progress)) = self.cached.clone() else {
            return Nav::Stay;
        };
        let mut nav = Nav::Stay;

        if stale {
            self.conflicts = collection.deck_conflicts();
        }
        self.dialogs(ui, collection, now);
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.set_max_width(760.0);
                    ui.add_space(12.0);
                    ui.horizontal(|ui| {
                        ui.heading("Decks");
                        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                            let label = if total.total() == 0 {
                                "Nothing due"
                            } else {
                                "Study all"
                            };
                            let button = egui::Button::new(RichText::new(label).strong());
                            if ui.add_enabled(total.total() > 0, button).clicked() {
                                nav = Nav::Study(Scope::All);
                            }
                        });
                    });
                    ui.add_space(8.0);
                    if let Some(n) = self.deck_table(ui, collection, &counts, total) {
                        nav = n;
                    }
                    ui.horizontal(|ui| {
                        if ui.button("New deck").clicked() {
                            self.dialog = Some(DeckDialog {
                                slug: None,
                                name: String::new(),
                                description: String::new(),
                                error: None,
                            });
                        }
                        if ui
                            .add_enabled(
                                !collection.decks().is_empty(),
                                egui::Button::new("Add card"),
                            )
                            .clicked()
                        {
                            nav = Nav::Edit(None);
                        }
                        if let Some((ok, text)) = &self.message {
                            ui.colored_label(if *ok { theme::REVIEW } else { theme::ERROR }, text);
                        }
                    });
                    ui.add_space(16.0);
                    progress_line(ui, &progress);
                    for c in self.conflicts.clone() {
                        ui.add_space(8.0);
                        ui.horizontal(|ui| {
                            ui.colored_label(
                                theme::ERROR,
                                format!(
                                    "Deck \"{}\" has a second version from another machine ({}).",
                                    c.slug,
                                    c.path
                                        .file_name()
                                        .map(|n| n.to_string_lossy().into_owned())
                                        .unwrap_or_default()
                                ),
                            );
                            if ui.button("Compare and choose").clicked() {
                                self.comparing = Some(c.clone());
                            }
                        });
                    }
                    problems(ui, collection);
                    if collection.decks().is_empty() && collection.deck_errors().is_empty() {
                        ui.add_space(12.0);
                        ui.label(format!(
                            "No decks yet. Put deck files (RON) in {}.",
                            collection.root().join("decks").display()
                        ));
                    }
                });
            });
        nav
    }

    fn deck_table(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        counts: &[Counts],
        total: Counts,
    ) -> Option<Nav> {
        let mut nav = None;
        egui::Frame::group(ui.style())
            .inner_margin(12.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                egui::Grid::new("decks")
                    .num_columns(6)
                    .spacing([24.0, 10.0])
                    .striped(true)
                    .min_col_width(48.0)
                    .show(ui, |ui| {
                        ui.label(RichText::new("Deck").strong());
                        for (name, color) in [
                            ("New", theme::NEW),
                            ("Learn", theme::LEARNING),
                            ("Due", theme::REVIEW),
                        ] {
                            ui.label(RichText::new(name).strong().color(color));
                        }
                        ui.label("");
                        ui.label("");
                        ui.end_row();
                        for (deck, c) in collection.decks().iter().zip(counts) {
                            let name = ui
                                .add(
                                    egui::Label::new(RichText::new(&deck.name).size(16.5))
                                        .sense(egui::Sense::click()),
                                )
                                .on_hover_text(format!(
                                    "{}\n\n{} cards",
                                    deck.description,
                                    deck.cards.len()
                                ));
                            count_label(ui, c.new, theme::NEW);
                            count_label(ui, c.learning, theme::LEARNING);
                            count_label(ui, c.review, theme::REVIEW);
                            let study = ui.add_enabled(c.total() > 0, egui::Button::new("Study"));
                            if (name.clicked() && c.total() > 0) || study.clicked() {
                                nav = Some(Nav::Study(Scope::Deck(deck.slug.clone())));
                            }
                            // The accessible label says which deck the button studies.
                            study.widget_info(|| {
                                egui::WidgetInfo::labeled(
                                    egui::Role::Button,
                                    true,
                                    format!("Study {}", deck.name),
                                )
                            });
                            let menu = ui.menu_button("More", |ui| {
                                if ui.button("Add card to this deck").clicked() {
                                    nav = Some(Nav::NewCard(deck.slug.clone()));
                                }
                                if ui.button("Edit name and description").clicked() {
                                    self.dialog = Some(DeckDialog {
                                        slug: Some(deck.slug.clone()),
                                        name: deck.name.clone(),
                                        description: deck.description.clone(),
                                        error: None,
                                    });
                                }
                                if ui.button("Delete…").clicked() {
                                    self.confirm_delete =
                                        Some((deck.slug.clone(), deck.name.clone()));
                                }
                            });
                            menu.response.widget_info(|| {
                                egui::WidgetInfo::labeled(
                                    egui::Role::Button,
                                    true,
                                    format!("More for {}", deck.name),
                                )
                            });
                            ui.end_row();
                        }
                        ui.label(RichText::new("Total").strong());
                        count_label(ui, total.new, theme::NEW);
                        count_label(ui, total.learning, theme::LEARNING);
                        count_label(ui, total.review, theme::REVIEW);
                        ui.label("");
                        ui.label("");
                        ui.end_row();
                    });
            });
        nav
    }
}

impl HomeScreen {
    fn dialogs(&mut self, ui: &mut egui::Ui, collection: &mut Collection, now: Timestamp) {
        if let Some(dialog) = &mut self.dialog {
            let mut close = false;
            let mut save = false;
            egui::Modal::new(egui::Id::unique("deck_dialog")).show(ui.ctx(), |ui| {
                ui.set_width(420.0);
                ui.heading(if dialog.slug.is_some() {
                    "Edit deck"
                } else {
                    "New deck"
                });
                let l = ui.label("Name");
                let name = ui
                    .add(egui::TextEdit::singleline(&mut dialog.name).desired_width(f32::INFINITY))
                    .labelled_by(l.id);
                let l = ui.label("Description");
                ui.add(
                    egui::TextEdit::multiline(&mut dialog.description)
                        .desired_rows(3)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(l.id);
                if let Some(e) = &dialog.error {
                    ui.colored_label(theme::ERROR, e);
                }
                ui.horizontal(|ui| {
                    save = ui.button(RichText::new("Save").strong()).clicked()
                        || (name.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
                    close = ui.button("Cancel").clicked();
                });
            });
            if save {
                let result = match &dialog.slug {
                    Some(slug) => collection.update_deck(slug, &dialog.name, &dialog.description),
                    None => collection
                        .create_deck(&dialog.name, &dialog.description)
                        .map(|_| ()),
                };
                match result {
                    Ok(()) => {
                        self.message = Some((true, "Saved. Ctrl+Z undoes it.".into()));
                        close = true;
                    }
                    Err(e) => dialog.error = Some(e.to_string()),
                }
            }
            if close {
                self.dialog = None;
                self.cached = None;
            }
        }
        if let Some(conflict) = self.comparing.clone() {
            let mine = collection
                .decks()
                .iter()
                .find(|d| d.slug == conflict.slug)
                .cloned();
            let other = crate::deck::load_deck(&conflict.path);
            let mut done = false;
            egui::Modal::new(egui::Id::unique("deck_conflict")).show(ui.ctx(), |ui| {
                ui.set_width(640.0);
                ui.heading(format!("Two versions of \"{}\"", conflict.slug));
                ui.label("Another machine changed this deck at the same time. Keep one version; the other goes to the trash folder, and Undo brings it back.");
                ui.add_space(6.0);
                match (&mine, &other) {
                    (Some(mine), Ok(other)) => compare(ui, mine, other),
                    (_, Err(e)) => {
                        ui.colored_label(theme::ERROR, format!("The other version cannot be read: {e}"));
                    }
                    (None, _) => {
                        ui.label("This machine's version could not be loaded (see the errors below).");
                    }
                }
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Keep this machine's version").clicked() {
                        self.message = Some(resolved(collection.resolve_conflict(&conflict, false, now)));
                        done = true;
                    }
                    if ui.add_enabled(other.is_ok(), egui::Button::new("Keep the other version")).clicked() {
                        self.message = Some(resolved(collection.resolve_conflict(&conflict, true, now)));
                        done = true;
                    }
                    if ui.button("Not now").clicked() {
                        done = true;
                    }
                });
            });
            if done {
                self.comparing = None;
                self.cached = None;
            }
        }
        if let Some((slug, name)) = self.confirm_delete.clone() {
            egui::Modal::new(egui::Id::unique("delete_deck")).show(ui.ctx(), |ui| {
                ui.set_width(420.0);
                ui.heading(format!("Delete \"{name}\"?"));
                ui.label(
                    "The deck file moves to the trash folder inside your data folder; Ctrl+Z (or Undo) brings it back. Progress is kept.",
                );
                ui.horizontal(|ui| {
                    if ui.button(RichText::new("Delete").color(theme::ERROR)).clicked() {
                        self.message = Some(match collection.delete_deck(&slug, now) {
                            Ok(()) => (true, format!("Deleted \"{name}\". Ctrl+Z undoes it.")),
                            Err(e) => (false, e.to_string()),
                        });
                        self.confirm_delete = None;
                        self.cached = None;
                    }
                    if ui.button("Keep").clicked() {
                        self.confirm_delete = None;
                    }
                });
            });
        }
    }
}

fn resolved(result: Result<(), crate::collection::EditError>) -> (bool, String) {
    match result {
        Ok(()) => (
            true,
            "Done; the other version is in the trash folder. Ctrl+Z undoes it.".into(),
        ),
        Err(e) => (false, e.to_string()),
    }
}

/// What differs between two versions of a deck, card by card.
fn compare(ui: &mut egui::Ui, mine: &crate::deck::Deck, other: &crate::deck::Deck) {
    use std::collections::HashMap;
    let theirs: HashMap<_, _> = other.cards.iter().map(|c| (&c.id, c)).collect();
    let ours: HashMap<_, _> = mine.cards.iter().map(|c| (&c.id, c)).collect();
    let only_mine: Vec<&str> = mine
        .cards
        .iter()
        .filter(|c| !theirs.contains_key(&c.id))
        .map(|c| c.front.as_str())
        .collect();
    let only_other: Vec<&str> = other
        .cards
        .iter()
        .filter(|c| !ours.contains_key(&c.id))
        .map(|c| c.front.as_str())
        .collect();
    let changed: Vec<&str> = mine
        .cards
        .iter()
        .filter(|c| theirs.get(&c.id).is_some_and(|t| *t != *c))
        .map(|c| c.front.as_str())
        .collect();
    egui::Grid::new("conflict")
        .num_columns(2)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            ui.label(RichText::new("This machine").strong());
            ui.label(format!("\"{}\", {} cards", mine.name, mine.cards.len()));
            ui.end_row();
            ui.label(RichText::new("Other machine").strong());
            ui.label(format!("\"{}\", {} cards", other.name, other.cards.len()));
            ui.end_row();
        });
    for (title, fronts) in [
        ("Only on this machine", only_mine),
        ("Only on the other machine", only_other),
        ("Changed on both", changed),
    ] {
        if fronts.is_empty() {
            continue;
        }
        ui.label(RichText::new(format!("{title} ({})", fronts.len())).strong());
        for f in fronts.iter().take(8) {
            let line: String = f.lines().next().unwrap_or("").chars().take(90).collect();
            ui.label(format!("• {line}"));
        }
        if fronts.len() > 8 {
            ui.label(RichText::new(format!("… and {} more", fronts.len() - 8)).weak());
        }
    }
}

fn progress_line(ui: &mut egui::Ui, p: &Progress) {
    let text = if p.answers == 0 {
        "Nothing studied yet today.".to_string()
    } else {
        let minutes = p.time_ms as f64 / 60_000.0;
        format!(
            "Today: {} answer{} ({} new) in {:.0} min · again {:.0}%",
            p.answers,
            if p.answers == 1 { "" } else { "s" },
            p.new,
            minutes.max(1.0),
            100.0 * p.again as f64 / p.answers as f64
        )
    };
    ui.label(RichText::new(text).weak());
}

fn problems(ui: &mut egui::Ui, collection: &mut Collection) {
    let errors = collection.deck_errors();
    let settings_error = collection.settings_error();
    let warnings = collection.warnings();
    let deck_problems: Vec<_> = collection
        .deck_problems()
        .iter()
        .filter(|(_, p)| p.is_error)
        .collect();
    if errors.is_empty()
        && settings_error.is_none()
        && warnings.is_empty()
        && deck_problems.is_empty()
    {
        return;
    }
    let mut reload = false;
    ui.add_space(16.0);
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.0, theme::ERROR))
        .inner_margin(12.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.with_layout(Layout::top_down(Align::Min), |ui| {
                if !errors.is_empty() {
                    ui.label(RichText::new("Decks that could not be loaded").strong().color(theme::ERROR));
                    for e in errors {
                        ui.label(RichText::new(e.to_string()).monospace());
                    }
                    ui.label(
                        RichText::new(
                            "These files are left untouched. Fix them in a text editor (or run `rehearse check`), then reload. The other decks work normally.",
                        )
                        .weak(),
                    );
                    reload = ui.button("Reload decks").clicked();
                }
                for (slug, p) in &deck_problems {
                    ui.label(RichText::new(format!("{slug}: {}", p.message)).monospace());
                }
                if let Some(e) = settings_error {
                    ui.label(RichText::new(e).monospace());
                }
                for w in warnings {
                    ui.label(RichText::new(w).monospace().weak());
                }
            });
        });
    if reload {
        collection.reload_decks();
    }
}
