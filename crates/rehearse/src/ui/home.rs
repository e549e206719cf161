//! Home: every deck with today's New / Learning / Due counts and its size,
//! today's progress, and any deck file that could not be loaded. Keyboard:
//! ↑/↓ move the highlight, Enter studies it (or every deck).

use std::time::{Duration, Instant};

use egui::{Align, Key, Layout, Modifiers, RichText};
use jiff::Timestamp;

use super::{Nav, notice, theme};
use rehearse_core::collection::{Collection, ConflictComparison, Counts, Progress};
use rehearse_core::deck_tree::{TreeRow, deck_tree};
use rehearse_core::study::Scope;

/// How long counts stay cached; they change only with answers and the clock.
const REFRESH: Duration = Duration::from_secs(2);

/// Counts as last computed, for the collection generation they belong to.
#[derive(Clone)]
struct Cached {
    at: Instant,
    generation: u64,
    decks: Vec<Counts>,
    total: Counts,
    progress: Progress,
    /// The deck tree's visible rows.
    rows: Vec<TreeRow>,
}

/// Home screen state: cached counts, the highlighted deck, and the deck being
/// edited or deleted.
#[derive(Default)]
pub struct HomeScreen {
    cached: Option<Cached>,
    /// The deck row the arrow keys have moved to.
    highlight: Option<usize>,
    dialog: Option<DeckDialog>,
    confirm_delete: Option<(String, String)>,
    conflicts: Vec<rehearse_core::collection::DeckConflict>,
    /// The conflict being settled, compared when the dialog opened (and again
    /// when the collection changes), with the generation it was made at.
    comparing: Option<(u64, ConflictComparison)>,
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
    // A zero in the ordinary text colour: weak grey read as "disabled".
    ui.label(if n == 0 {
        text
    } else {
        text.color(color).strong()
    });
}

/// What studying a row studies: its deck, or its deck and those under it.
fn scope_of(collection: &Collection, row: &TreeRow) -> Scope {
    let slugs: Vec<String> = row
        .subtree
        .iter()
        .filter_map(|&i| collection.decks().get(i))
        .map(|d| d.slug.clone())
        .collect();
    match slugs.as_slice() {
        [one] => Scope::Deck(one.clone()),
        _ => Scope::Decks(slugs),
    }
}

/// A row's full name, description and size.
fn row_tooltip(collection: &Collection, row: &TreeRow) -> String {
    let description = row
        .deck
        .and_then(|i| collection.decks().get(i))
        .map(|d| d.description.as_str())
        .filter(|d| !d.is_empty())
        .map(|d| format!("{d}\n\n"))
        .unwrap_or_default();
    let under = if row.subtree.len() > 1 {
        format!(" in {} decks", row.subtree.len())
    } else {
        String::new()
    };
    let preset = row
        .deck
        .map(|i| format!("\nOptions preset: {}", collection.deck_preset_name(i)))
        .unwrap_or_default();
    format!(
        "{}\n\n{description}{}{under}{preset}",
        row.path,
        super::plural(row.cards, "card")
    )
}

/// Width of each count column in the deck table.
const COUNT_WIDTH: f32 = 52.0;

impl HomeScreen {
    /// Whether a dialog is open (keys then belong to it).
    pub(crate) fn dialog_open(&self) -> bool {
        self.dialog.is_some() || self.confirm_delete.is_some() || self.comparing.is_some()
    }

    fn refresh(&mut self, ui: &egui::Ui, collection: &Collection, now: Timestamp) -> Cached {
        let stale = self.cached.as_ref().is_none_or(|c| {
            c.at.elapsed() > REFRESH
                || c.generation != collection.generation()
                || c.decks.len() != collection.decks().len()
        });
        if stale {
            let decks = collection.deck_counts(now);
            let rows = deck_tree(
                collection,
                &decks,
                &collection.done_today(now),
                &collection.settings().display.collapsed_decks,
            );
            self.cached = Some(Cached {
                at: Instant::now(),
                generation: collection.generation(),
                decks,
                total: collection.total_counts(now),
                progress: collection.progress_today(now),
                rows,
            });
            self.conflicts = collection.deck_conflicts();
            ui.ctx().request_repaint_after(REFRESH);
        }
        match &self.cached {
            Some(c) => c.clone(),
            None => Cached {
                at: Instant::now(),
                generation: collection.generation(),
                decks: Vec::new(),
                total: Counts::default(),
                progress: Progress::default(),
                rows: Vec::new(),
            },
        }
    }

    /// ↑/↓ move the highlight; ←/→ fold and unfold a parent; Enter studies
    /// the highlighted deck (with the decks under it), or every deck.
    fn keys(&mut self, ui: &egui::Ui, collection: &mut Collection, counts: &Cached) -> Option<Nav> {
        if self.dialog_open() || ui.ctx().egui_wants_keyboard_input() {
            return None;
        }
        let n = counts.rows.len();
        let (down, up, left, right, enter) = ui.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::ArrowDown),
                i.consume_key(Modifiers::NONE, Key::ArrowUp),
                i.consume_key(Modifiers::NONE, Key::ArrowLeft),
                i.consume_key(Modifiers::NONE, Key::ArrowRight),
                i.consume_key(Modifiers::NONE, Key::Enter),
            )
        });
        if n > 0 && down {
            self.highlight = Some(self.highlight.map_or(0, |h| (h + 1).min(n - 1)));
        }
        if n > 0 && up {
            self.highlight = Some(self.highlight.map_or(n - 1, |h| h.saturating_sub(1)));
        }
        let row = self.highlight.and_then(|h| counts.rows.get(h));
        if let Some(row) = row.filter(|r| r.has_children && (left || right)) {
            self.fold(ui, collection, &row.path, left);
        }
        if !enter {
            return None;
        }
        match row {
            Some(row) if row.counts.total() > 0 => Some(Nav::Study(scope_of(collection, row))),
            Some(row) => {
                notice::info(
                    ui.ctx(),
                    format!("Nothing to study in \"{}\" today.", row.path),
                );
                None
            }
            None if counts.total.total() > 0 => Some(Nav::Study(Scope::All)),
            None => {
                notice::info(ui.ctx(), "Nothing to study today.");
                None
            }
        }
    }

    /// Folds (or unfolds) a parent deck; kept in settings.
    fn fold(&mut self, ui: &egui::Ui, collection: &mut Collection, path: &str, fold: bool) {
        let mut display = collection.settings().display.clone();
        display.collapsed_decks.retain(|p| p != path);
        if fold {
            display.collapsed_decks.push(path.to_string());
        }
        if let Err(e) = collection.save_display(display) {
            notice::error(ui.ctx(), format!("Cannot keep the folded decks: {e}"));
        }
        self.cached = None;
    }

    /// Draws the screen.
    pub fn show(&mut self, ui: &mut egui::Ui, collection: &mut Collection, now: Timestamp) -> Nav {
        let cached = self.refresh(ui, collection, now);
        let mut nav = self.keys(ui, collection, &cached).unwrap_or(Nav::Stay);
        self.dialogs(ui, collection, now);
        // Keys and dialogs may have changed the decks: draw what is there now.
        let cached = self.refresh(ui, collection, now);
        egui::ScrollArea::vertical()
            .id_salt("home_scroll")
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.set_max_width(760.0);
                    ui.add_space(12.0);
                    if let Some(n) = self.header(ui, collection, &cached) {
                        nav = n;
                    }
                    ui.add_space(8.0);
                    if let Some(n) = self.deck_table(ui, collection, &cached) {
                        nav = n;
                    }
                    ui.add_space(16.0);
                    progress_line(ui, &cached.progress);
                    self.conflict_notes(ui, collection);
                    problems(ui, collection);
                    if collection.decks().is_empty() && collection.deck_errors().is_empty() {
                        ui.add_space(12.0);
                        ui.label(format!(
                            "No decks yet. Create one with New deck, import a file, or put deck files (RON) in {}.",
                            collection.data_dir().decks().display()
                        ));
                    }
                });
            });
        nav
    }

    /// The heading, the deck actions, and Study all, in one row above the
    /// decks so that they show at any window size.
    fn header(
        &mut self,
        ui: &mut egui::Ui,
        collection: &Collection,
        cached: &Cached,
    ) -> Option<Nav> {
        let mut nav = None;
        ui.horizontal(|ui| {
            ui.heading("Decks");
            ui.add_space(8.0);
            if let Some(n) = self.deck_actions(ui, collection) {
                nav = Some(n);
            }
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                let due = cached.total.total() > 0;
                let button = if due {
                    theme::primary("Study all")
                } else {
                    egui::Button::new("Nothing due")
                };
                if ui
                    .add_enabled(due, button)
                    .on_hover_text("Enter")
                    .on_disabled_hover_text("Every deck is done for today")
                    .clicked()
                {
                    nav = Some(Nav::Study(Scope::All));
                }
            });
        });
        nav
    }

    fn deck_actions(&mut self, ui: &mut egui::Ui, collection: &Collection) -> Option<Nav> {
        let mut nav = None;
        ui.scope(|ui| {
            ui.spacing_mut().button_padding = egui::vec2(8.0, 4.0);
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
                .on_hover_text("a")
                .on_disabled_hover_text("Create a deck first")
                .clicked()
            {
                nav = Some(Nav::Edit(None));
            }
            if ui
                .button("Import…")
                .on_hover_text("Cards from a CSV or TSV file, or an Anki package (.apkg) (Ctrl+I)")
                .clicked()
            {
                nav = Some(Nav::Import(String::new()));
            }
            if ui
                .button("Mock interview…")
                .on_hover_text("A timed session of interview prompts and quick-fire questions (m)")
                .clicked()
            {
                nav = Some(Nav::MockSetup);
            }
        });
        nav
    }

    fn conflict_notes(&mut self, ui: &mut egui::Ui, collection: &Collection) {
        for c in self.conflicts.clone() {
            ui.add_space(8.0);
            ui.horizontal_wrapped(|ui| {
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
                    self.comparing =
                        Some((collection.generation(), collection.compare_conflict(&c)));
                }
            });
        }
    }

    /// The deck tree as a table with today's counts; returns where a click
    /// asks to go.
    fn deck_table(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        cached: &Cached,
    ) -> Option<Nav> {
        let mut asked = TableActions::default();
        egui::Frame::group(ui.style())
            .inner_margin(12.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                let spacing = 16.0;
                // Name takes what the counts and buttons leave.
                let fixed = 4.0 * COUNT_WIDTH + 64.0 + 64.0 + 6.0 * spacing;
                let name_width = (ui.available_width() - fixed).max(120.0);
                egui::Grid::new("decks")
                    .num_columns(7)
                    .spacing([spacing, 10.0])
                    .striped(true)
                    .min_col_width(COUNT_WIDTH)
                    .show(ui, |ui| {
                        table_head(ui, name_width);
                        let presets: Vec<String> = collection
                            .settings()
                            .preset_names()
                            .into_iter()
                            .map(String::from)
                            .collect();
                        for (index, row) in cached.rows.iter().enumerate() {
                            self.deck_row(ui, collection, (index, row), name_width, &presets, &mut asked);
                        }
                        if let Some((path, folded)) = asked.fold.take() {
                            self.fold(ui, collection, &path, folded);
                        }
                        if let Some((slug, name, preset)) = asked.assign.take() {
                            let result = collection.set_deck_preset(&slug, &preset).map(|()| {
                                format!(
                                    "\"{name}\" now uses the options preset \"{preset}\"; its cards keep their due dates, and the preset applies from each one's next answer."
                                )
                            });
                            notice::report(ui.ctx(), result);
                            self.cached = None;
                        }
                        total_row(ui, collection, cached);
                    });
            });
        asked.nav
    }

    /// One deck's row of the table: its name (with the fold toggle), counts,
    /// size, Study button and More menu. Clicks are noted in `asked`.
    fn deck_row(
        &mut self,
        ui: &mut egui::Ui,
        collection: &Collection,
        (index, row): (usize, &TreeRow),
        name_width: f32,
        presets: &[String],
        asked: &mut TableActions,
    ) {
        let c = row.counts;
        let (name, fold) = deck_name(
            ui,
            collection,
            row,
            name_width,
            self.highlight == Some(index),
        );
        if fold.is_some() {
            asked.fold = fold;
        }
        let name = name.on_hover_text(row_tooltip(collection, row));
        count_label(ui, c.new, theme::NEW);
        count_label(ui, c.learning, theme::LEARNING);
        count_label(ui, c.review, theme::REVIEW);
        ui.label(RichText::new(row.cards.to_string()).monospace());
        let study = ui
            .add_enabled(c.total() > 0, egui::Button::new("Study"))
            .on_disabled_hover_text(if row.cards == 0 {
                "This deck has no cards yet"
            } else {
                "Nothing due in this deck today"
            });
        if (name.clicked() && c.total() > 0) || study.clicked() {
            asked.nav = Some(Nav::Study(scope_of(collection, row)));
        }
        if name.clicked() {
            self.highlight = Some(index);
        }
        // The accessible label says which deck the button studies.
        study.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Study {}", row.path))
        });
        match row.deck.and_then(|i| Some((i, collection.decks().get(i)?))) {
            Some((i, deck)) => {
                let current = collection.deck_preset_name(i);
                let (n, chosen) = self.deck_menu(ui, deck, presets, current);
                if let Some(n) = n {
                    asked.nav = Some(n);
                }
                if let Some(chosen) = chosen {
                    asked.assign = Some((deck.slug.clone(), deck.name.clone(), chosen));
                }
            }
            None => {
                ui.label("");
            }
        }
        ui.end_row();
    }
}

/// What the deck table's clicks ask for. Folding and choosing a preset
/// change the collection, so they wait until every row is drawn.
#[derive(Default)]
struct TableActions {
    nav: Option<Nav>,
    /// A deck path to fold (true) or unfold.
    fold: Option<(String, bool)>,
    /// A deck's slug and name, and the preset chosen for it.
    assign: Option<(String, String, String)>,
}

/// The deck table's column titles, each count's with what it counts.
fn table_head(ui: &mut egui::Ui, name_width: f32) {
    ui.allocate_ui_with_layout(
        egui::vec2(name_width, 20.0),
        Layout::left_to_right(Align::Center),
        |ui| ui.label(RichText::new("Deck").strong()),
    );
    for (name, color, tip) in [
        ("New", theme::NEW, "New cards you may start today"),
        ("Learn", theme::LEARNING, "Cards in learning due today"),
        ("Due", theme::REVIEW, "Reviews due today"),
    ] {
        ui.label(RichText::new(name).strong().color(color))
            .on_hover_text(tip);
    }
    ui.label(RichText::new("Cards").strong())
        .on_hover_text("Cards in the deck, studied or not");
    ui.label("");
    ui.label("");
    ui.end_row();
}

/// A row's name cell: indented by depth, with a fold toggle when decks sit
/// under it, underlined when highlighted, italic when no deck file has this
/// name (only decks under it do). Returns the name's response and the fold
/// asked for, if the toggle was clicked.
fn deck_name(
    ui: &mut egui::Ui,
    collection: &Collection,
    row: &TreeRow,
    name_width: f32,
    highlighted: bool,
) -> (egui::Response, Option<(String, bool)>) {
    let mut fold = None;
    let name = ui
        .allocate_ui_with_layout(
            egui::vec2(name_width, 24.0),
            Layout::left_to_right(Align::Center),
            |ui| {
                ui.set_max_width(name_width);
                ui.add_space(18.0 * row.depth as f32);
                if row.has_children {
                    fold = fold_toggle(ui, collection, row);
                }
                let mut text = RichText::new(&row.label).size(16.5);
                if highlighted {
                    text = text.strong().underline();
                }
                if row.deck.is_none() {
                    text = text.italics();
                }
                ui.add(
                    egui::Label::new(text)
                        .truncate()
                        .sense(egui::Sense::click()),
                )
            },
        )
        .inner;
    (name, fold)
}

/// The ▸/▾ toggle before a deck with decks under it; returns the fold asked
/// for when it is clicked.
fn fold_toggle(
    ui: &mut egui::Ui,
    collection: &Collection,
    row: &TreeRow,
) -> Option<(String, bool)> {
    let folded = collection
        .settings()
        .display
        .collapsed_decks
        .contains(&row.path);
    let toggle = ui
        .add(
            egui::Button::new(if folded { "▸" } else { "▾" })
                .frame(false)
                .small(),
        )
        .on_hover_text(if folded {
            "Show the decks under it (→)"
        } else {
            "Fold the decks under it (←)"
        });
    toggle.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Button,
            true,
            format!("{} {}", if folded { "Unfold" } else { "Fold" }, row.path),
        )
    });
    toggle.clicked().then(|| (row.path.clone(), !folded))
}

/// The table's last row: today's counts for every deck, and every card.
fn total_row(ui: &mut egui::Ui, collection: &Collection, cached: &Cached) {
    ui.label(RichText::new("Total").strong());
    count_label(ui, cached.total.new, theme::NEW);
    count_label(ui, cached.total.learning, theme::LEARNING);
    count_label(ui, cached.total.review, theme::REVIEW);
    let cards: usize = collection.decks().iter().map(|d| d.cards.len()).sum();
    ui.label(RichText::new(cards.to_string()).monospace());
    ui.label("");
    ui.label("");
    ui.end_row();
}

impl HomeScreen {
    /// A deck's More menu: add a card, browse it, choose its options
    /// preset, rename it, delete it. Returns where to go, and the preset
    /// chosen for it (one of `presets`; `current` is the one it uses).
    fn deck_menu(
        &mut self,
        ui: &mut egui::Ui,
        deck: &rehearse_core::deck::Deck,
        presets: &[String],
        current: &str,
    ) -> (Option<Nav>, Option<String>) {
        let mut nav = None;
        let mut chosen = None;
        let menu = ui.menu_button("More", |ui| {
            if ui.button("Add card to this deck").clicked() {
                nav = Some(Nav::NewCard(deck.slug.clone()));
            }
            if ui.button("Browse this deck").clicked() {
                nav = Some(Nav::BrowseQuery(format!("deck:{}", deck.slug)));
            }
            if ui
                .button("Custom study…")
                .on_hover_text("More than today's limits, forgotten cards, or reviews ahead")
                .clicked()
            {
                nav = Some(Nav::CustomStudy(Some(deck.slug.clone())));
            }
            ui.menu_button("Options preset", |ui| {
                for name in presets {
                    let response = ui
                        .radio(name == current, name)
                        .on_hover_text("Limits, steps, retention, burying and memory model for this deck only; the decks under it keep their own");
                    if response.clicked() && name != current {
                        chosen = Some(name.clone());
                        ui.close();
                    }
                }
                ui.separator();
                if ui.button("Edit presets in Settings…").clicked() {
                    nav = Some(Nav::Settings);
                }
            });
            if ui.button("Edit name and description").clicked() {
                self.dialog = Some(DeckDialog {
                    slug: Some(deck.slug.clone()),
                    name: deck.name.clone(),
                    description: deck.description.clone(),
                    error: None,
                });
            }
            if ui.button("Delete…").clicked() {
                self.confirm_delete = Some((deck.slug.clone(), deck.name.clone()));
            }
        });
        menu.response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, true, format!("More for {}", deck.name))
        });
        (nav, chosen)
    }

    /// The open dialog, if any: a deck's name and description, a deck
    /// conflict to settle, or a deck to delete.
    fn dialogs(&mut self, ui: &mut egui::Ui, collection: &mut Collection, now: Timestamp) {
        self.deck_dialog(ui, collection);
        self.conflict_dialog(ui, collection, now);
        self.delete_dialog(ui, collection, now);
    }

    /// Creating a deck, or editing one's name and description.
    fn deck_dialog(&mut self, ui: &mut egui::Ui, collection: &mut Collection) {
        let Some(dialog) = &mut self.dialog else {
            return;
        };
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
                    notice::info(ui.ctx(), "Saved the deck. Ctrl+Z undoes it.");
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

    /// Settling a deck that two machines changed at once: keep one version.
    /// The comparison is made again when the collection changes under it.
    fn conflict_dialog(&mut self, ui: &mut egui::Ui, collection: &mut Collection, now: Timestamp) {
        if let Some((generation, compared)) = &mut self.comparing
            && *generation != collection.generation()
        {
            *generation = collection.generation();
            *compared = collection.compare_conflict(&compared.conflict);
        }
        let Some((generation, compared)) = self.comparing.take() else {
            return;
        };
        let conflict = &compared.conflict;
        let mut done = false;
        egui::Modal::new(egui::Id::unique("deck_conflict")).show(ui.ctx(), |ui| {
            ui.set_width(640.0);
            ui.heading(format!("Two versions of \"{}\"", conflict.slug));
            ui.label("Another machine changed this deck at the same time. Keep one version; the other goes to the trash folder, and Undo brings it back.");
            ui.add_space(6.0);
            match (&compared.mine, &compared.other) {
                (Some(_), Ok(_)) => compare(ui, &compared),
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
                    notice::report(ui.ctx(), resolved(collection.resolve_conflict(conflict, false, now)));
                    done = true;
                }
                if ui.add_enabled(compared.other.is_ok(), egui::Button::new("Keep the other version")).clicked() {
                    notice::report(ui.ctx(), resolved(collection.resolve_conflict(conflict, true, now)));
                    done = true;
                }
                if ui.button("Not now").clicked() {
                    done = true;
                }
            });
        });
        if done {
            self.cached = None;
        } else {
            self.comparing = Some((generation, compared));
        }
    }

    /// Confirming a deck's deletion (to the trash folder, undoable).
    fn delete_dialog(&mut self, ui: &mut egui::Ui, collection: &mut Collection, now: Timestamp) {
        let Some((slug, name)) = self.confirm_delete.clone() else {
            return;
        };
        egui::Modal::new(egui::Id::unique("delete_deck")).show(ui.ctx(), |ui| {
            ui.set_width(420.0);
            ui.heading(format!("Delete \"{name}\"?"));
            ui.label(
                "The deck file moves to the trash folder inside your data folder; Ctrl+Z (or Undo) brings it back. Progress is kept.",
            );
            ui.horizontal(|ui| {
                if ui.button(RichText::new("Delete").color(theme::ERROR)).clicked() {
                    notice::report(
                        ui.ctx(),
                        collection
                            .delete_deck(&slug, now)
                            .map(|()| format!("Deleted the deck \"{name}\". Ctrl+Z undoes it.")),
                    );
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

fn resolved(
    result: Result<(), rehearse_core::collection::EditError>,
) -> Result<String, rehearse_core::collection::EditError> {
    result.map(|()| "Done; the other version is in the trash folder. Ctrl+Z undoes it.".into())
}

/// What differs between two versions of a deck, card by card, as the core
/// compared them.
fn compare(ui: &mut egui::Ui, compared: &ConflictComparison) {
    let (Some(mine), Ok(other)) = (&compared.mine, &compared.other) else {
        return;
    };
    egui::Grid::new("conflict")
        .num_columns(2)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            ui.label(RichText::new("This machine").strong());
            ui.label(format!("\"{}\", {} cards", mine.name, mine.cards));
            ui.end_row();
            ui.label(RichText::new("Other machine").strong());
            ui.label(format!("\"{}\", {} cards", other.name, other.cards));
            ui.end_row();
        });
    for (title, fronts) in [
        ("Only on this machine", &compared.only_mine),
        ("Only on the other machine", &compared.only_other),
        ("Changed on both", &compared.changed),
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
