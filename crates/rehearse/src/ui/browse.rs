//! The card browser: a search box (`/` focuses it), a virtualised table of
//! every study item, sortable by any column, with columns the user can resize,
//! hide and scroll; multi-selection by mouse or keyboard; and actions on the
//! selection (in one menu and on right-click) that can all be undone.

use std::collections::HashSet;

use egui::{Key, Modifiers, RichText, Sense};
use egui_extras::{Column, TableBuilder};
use jiff::Timestamp;

use super::file_dialog::{FileDialog, Purpose};
use super::history::HistoryCache;
use super::task::{Poll, Task};
use super::{Nav, notice, plural, theme};
use rehearse_core::collection::{Collection, items_phrase};
use rehearse_core::deck::{CardId, ItemId};
use rehearse_core::interop::csv::ExportError;
use rehearse_core::interop::{TableExport, TableJob};
use rehearse_core::schedule::Phase;
use rehearse_core::search::{self, SearchError, SortColumn};

/// Every column: what it sorts by, its header, its starting width, and
/// whether the user may hide it.
const COLUMNS: [(SortColumn, &str, f32, bool); 10] = [
    (SortColumn::Deck, "Deck", 150.0, true),
    (SortColumn::Front, "Front", 340.0, false),
    (SortColumn::Topic, "Topic", 150.0, true),
    (SortColumn::Tags, "Tags", 120.0, true),
    (SortColumn::Due, "Due", 96.0, true),
    (SortColumn::Interval, "Interval", 86.0, true),
    (SortColumn::Stability, "Stability", 96.0, true),
    (SortColumn::Difficulty, "Difficulty", 100.0, true),
    (SortColumn::Retrievability, "Recall", 80.0, true),
    (SortColumn::Lapses, "Lapses", 80.0, true),
];

/// A dialog the browser has open.
enum Dialog {
    /// Confirm deleting these cards.
    Delete(Vec<CardId>),
    /// Add (true) or remove a tag, typed here.
    Tag(bool, String),
    /// Export the listed cards.
    Export(ExportDialog),
}

/// The file formats cards can be exported to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Tsv,
    Anki,
}

impl Format {
    fn suggested_name(self) -> &'static str {
        match self {
            Format::Csv => "cards.csv",
            Format::Tsv => "cards.tsv",
            Format::Anki => "cards.apkg",
        }
    }
}

/// The export dialog: format, file, and (for Anki) the review history that
/// goes into the package, read on a worker thread.
struct ExportDialog {
    path: String,
    format: Format,
    chooser: FileDialog,
    history: Option<std::sync::mpsc::Receiver<Result<rehearse_core::collection::History, String>>>,
    /// A CSV or TSV file being written on a worker thread.
    writing: Option<Task<Result<TableExport, ExportError>>>,
}

/// Browser state.
pub struct BrowseScreen {
    query: String,
    error: Option<String>,
    rows: Vec<usize>,
    stale: bool,
    sort: SortColumn,
    descending: bool,
    selected: HashSet<ItemId>,
    /// Where Shift+click and Shift+arrow extend from.
    anchor: Option<usize>,
    /// The row the arrow keys are on.
    cursor: Option<usize>,
    /// Scroll the table to the cursor on the next frame.
    reveal_cursor: bool,
    /// Select the first row once the search has run (Enter in the search box).
    to_first_row: bool,
    /// Distinct cards among the rows, counted when the rows change (not per
    /// frame: at 100k rows that took most of a frame).
    listed_cards: usize,
    dialog: Option<Dialog>,
    focus_search: bool,
    generation: u64,
    /// The search key waiting for the review history to load (`introduced:`,
    /// `rated:N:EASE`); the search runs again when it arrives.
    awaiting_history: Option<&'static str>,
}

impl Default for BrowseScreen {
    fn default() -> Self {
        Self {
            query: String::new(),
            error: None,
            rows: Vec::new(),
            stale: true,
            sort: SortColumn::Deck,
            descending: false,
            selected: HashSet::new(),
            anchor: None,
            cursor: None,
            reveal_cursor: false,
            to_first_row: false,
            listed_cards: 0,
            dialog: None,
            focus_search: false,
            generation: u64::MAX,
            awaiting_history: None,
        }
    }
}

/// What the browser asks for besides staying.
pub enum BrowseAction {
    /// Open the editor on a card.
    Edit(CardId),
    /// Open the editor for a new card.
    New,
    /// Open the import screen.
    Import,
    /// Leave the browser.
    Leave,
    /// Show one item's card info.
    Info(ItemId),
}

impl BrowseScreen {
    /// A browser showing the result of `query`.
    pub fn with_query(query: &str) -> Self {
        Self {
            query: query.to_string(),
            ..Self::default()
        }
    }

    /// A browser with its search box focused.
    pub fn focused() -> Self {
        Self {
            focus_search: true,
            ..Self::default()
        }
    }

    /// A browser showing the result of `query`, lowest predicted recall first.
    pub fn weakest_first(query: &str) -> Self {
        Self {
            sort: SortColumn::Retrievability,
            descending: false,
            ..Self::with_query(query)
        }
    }

    /// The search, sort column and whether the sort is descending.
    pub fn state(&self) -> (String, SortColumn, bool) {
        (self.query.clone(), self.sort, self.descending)
    }

    fn run_query(
        &mut self,
        collection: &Collection,
        history: &mut HistoryCache,
        ctx: &egui::Context,
        now: Timestamp,
    ) {
        self.awaiting_history = None;
        match search::parse(&self.query) {
            Ok(q) => {
                self.error = None;
                // Only searches of the review history wait for it to load.
                let loaded = q.needs_history().and_then(|_| history.get(collection, ctx));
                match search::search(collection, &q, now, loaded.as_deref()) {
                    Ok(rows) => {
                        self.rows = rows;
                        search::sort(collection, &mut self.rows, self.sort, self.descending, now);
                    }
                    Err(SearchError::NeedsHistory(key)) => {
                        self.rows.clear();
                        match history.error() {
                            Some(e) => {
                                self.error = Some(format!(
                                    "`{key}` searches the review history, which could not be read: {e}"
                                ));
                            }
                            None => self.awaiting_history = Some(key),
                        }
                    }
                }
            }
            Err(e) => {
                // Rows of the last good search would look like this search's answer.
                self.error = Some(e.to_string());
                self.rows.clear();
            }
        }
        let live: HashSet<&ItemId> = self
            .rows
            .iter()
            .map(|&i| &collection.items()[i].id)
            .collect();
        self.selected.retain(|id| live.contains(id));
        self.listed_cards = rehearse_core::interop::cards_of_items(collection, &self.rows).len();
        self.cursor = self.cursor.filter(|&c| c < self.rows.len());
        self.anchor = self.anchor.filter(|&c| c < self.rows.len());
        self.stale = false;
    }

    fn selected_items(&self) -> Vec<ItemId> {
        let mut items: Vec<ItemId> = self.selected.iter().cloned().collect();
        items.sort();
        items
    }

    fn selected_cards(&self) -> Vec<CardId> {
        let mut ids: Vec<CardId> = self.selected.iter().map(|i| i.card.clone()).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Draws the screen.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        history: &mut HistoryCache,
        now: Timestamp,
    ) -> Option<BrowseAction> {
        let ctx = ui.ctx().clone();
        let history_arrived =
            self.awaiting_history.is_some() && history.get(collection, &ctx).is_some();
        if self.stale || self.generation != collection.generation() || history_arrived {
            self.run_query(collection, history, &ctx, now);
            self.generation = collection.generation();
        }
        let mut action = self.keys(ui, collection);
        ui.add_space(8.0);
        self.toolbar(ui, collection, now, &mut action);
        if let Some(e) = &self.error {
            ui.colored_label(theme::ERROR, format!("Search not understood: {e}"));
        }
        if std::mem::take(&mut self.to_first_row) {
            if self.stale {
                self.run_query(collection, history, &ctx, now);
            }
            self.step_cursor(collection, 1, false);
        }
        ui.add_space(4.0);
        self.dialogs(ui, collection);
        if self.generation != collection.generation() {
            // An action just changed the collection: rows are stale until rerun.
            self.run_query(collection, history, &ctx, now);
            self.generation = collection.generation();
        }
        if self.rows.is_empty() {
            self.empty(ui, collection);
        } else {
            self.table(ui, collection, now, &mut action);
        }
        action
    }

    /// Keys: `/` search, ↑/↓ (with Shift) select, Ctrl+A all, Enter edit,
    /// Delete ask, Esc clear the search and then leave.
    fn keys(&mut self, ui: &egui::Ui, collection: &Collection) -> Option<BrowseAction> {
        if self.dialog.is_some() {
            return None;
        }
        // Esc clears the search first, even while the search box has focus.
        if !self.query.is_empty() && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            self.query.clear();
            self.stale = true;
            return None;
        }
        if ui.ctx().egui_wants_keyboard_input() {
            return None;
        }
        if ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            return Some(BrowseAction::Leave);
        }
        if ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Slash)) {
            self.focus_search = true;
        }
        if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::A)) {
            self.select_all(collection);
        }
        for (key, step) in [(Key::ArrowDown, 1isize), (Key::ArrowUp, -1)] {
            for shift in [false, true] {
                let modifiers = if shift {
                    Modifiers::SHIFT
                } else {
                    Modifiers::NONE
                };
                if ui.input_mut(|i| i.consume_key(modifiers, key)) {
                    self.step_cursor(collection, step, shift);
                }
            }
        }
        if ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::I))
            && let [one] = self.selected_items().as_slice()
        {
            return Some(BrowseAction::Info(one.clone()));
        }
        if ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter)) {
            match self.selected_cards().as_slice() {
                [one] => return Some(BrowseAction::Edit(one.clone())),
                [] => {}
                _ => notice::info(ui.ctx(), "Select one card to edit it."),
            }
        }
        if ui.input_mut(|i| {
            i.consume_key(Modifiers::NONE, Key::Delete)
                || i.consume_key(Modifiers::NONE, Key::Backspace)
        }) && !self.selected.is_empty()
        {
            self.dialog = Some(Dialog::Delete(self.selected_cards()));
        }
        None
    }

    fn select_all(&mut self, collection: &Collection) {
        self.selected = self
            .rows
            .iter()
            .map(|&i| collection.items()[i].id.clone())
            .collect();
    }

    fn step_cursor(&mut self, collection: &Collection, step: isize, extend: bool) {
        if self.rows.is_empty() {
            return;
        }
        let last = self.rows.len() - 1;
        let next = match self.cursor {
            None if step > 0 => 0,
            None => last,
            Some(c) => c.saturating_add_signed(step).min(last),
        };
        self.cursor = Some(next);
        self.reveal_cursor = true;
        if extend {
            let anchor = *self.anchor.get_or_insert(next);
            self.selected.clear();
            for p in anchor.min(next)..=anchor.max(next) {
                self.selected
                    .insert(collection.items()[self.rows[p]].id.clone());
            }
        } else {
            self.anchor = Some(next);
            self.selected.clear();
            self.selected
                .insert(collection.items()[self.rows[next]].id.clone());
        }
    }

    fn toolbar(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        now: Timestamp,
        action: &mut Option<BrowseAction>,
    ) {
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 8.0;
            let l = ui.label(RichText::new("Search").strong());
            // Laid out from the right so the buttons always fit; the search
            // box takes whatever width is left.
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("New card").on_hover_text("a").clicked() {
                    *action = Some(BrowseAction::New);
                }
                self.file_menu(ui, action);
                ui.menu_button("Columns ⏷", |ui| self.columns_menu(ui, collection));
                let n = self.selected.len();
                let selection = ui.menu_button(format!("Selected: {n} ⏷"), |ui| {
                    self.selection_menu(ui, collection, now, action);
                });
                selection.response.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, "Selection actions")
                });
                let cards = self.listed_cards;
                let listed = if cards == self.rows.len() {
                    plural(cards, "card")
                } else {
                    format!("{} · {}", plural(cards, "card"), plural(self.rows.len(), "row"))
                };
                ui.label(RichText::new(listed).weak()).on_hover_text(
                    "Each row is a study item: a reversed card has two, a cloze card one per number.",
                );
                self.search_box(ui, l.id);
            });
        });
    }

    fn search_box(&mut self, ui: &mut egui::Ui, label: egui::Id) {
        let search = ui
            .add(
                egui::TextEdit::singleline(&mut self.query)
                    .hint_text("deck:, tag:, topic:, is:due, prop:r<0.8, -not   ( / )")
                    .desired_width(ui.available_width().max(120.0)),
            )
            .labelled_by(label)
            .on_hover_text(
                "Words and \"phrases\" search front and back. deck:NAME tag:T topic:T \
                 is:new|learning|due|review|suspended|leech prop:r<0.8 (also s, d, ivl, due, \
                 lapses, reps) rated:7; put - before a term to exclude it.",
            );
        if self.focus_search {
            search.request_focus();
            self.focus_search = false;
        }
        if search.changed() {
            self.stale = true;
        }
        // From the search box, Enter or ↓ goes to the first listed row.
        let down =
            search.has_focus() && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::ArrowDown));
        let enter = search.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        if down || enter {
            search.surrender_focus();
            self.cursor = None;
            self.to_first_row = true;
        }
    }

    fn file_menu(&mut self, ui: &mut egui::Ui, action: &mut Option<BrowseAction>) {
        ui.menu_button("File ⏷", |ui| {
            if ui
                .button("Import…")
                .on_hover_text("Cards from CSV, TSV or an Anki package")
                .clicked()
            {
                *action = Some(BrowseAction::Import);
            }
            if ui
                .add_enabled(!self.rows.is_empty(), egui::Button::new("Export listed…"))
                .on_disabled_hover_text("Nothing is listed")
                .clicked()
            {
                self.dialog = Some(Dialog::Export(ExportDialog {
                    path: String::new(),
                    format: Format::Csv,
                    chooser: FileDialog::default(),
                    history: None,
                    writing: None,
                }));
            }
        });
    }

    /// The actions on the selection, for the toolbar menu and right-click.
    fn selection_menu(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        now: Timestamp,
        action: &mut Option<BrowseAction>,
    ) {
        let cards = self.selected_cards();
        let items = self.selected_items();
        let any = !items.is_empty();
        let none_why = "Select rows first (click, Ctrl+click, Shift+click, or ↑/↓)";
        if ui
            .add_enabled(cards.len() == 1, egui::Button::new("Edit"))
            .on_disabled_hover_text("Select exactly one card")
            .clicked()
            && let Some(id) = cards.first()
        {
            *action = Some(BrowseAction::Edit(id.clone()));
            ui.close();
        }
        if ui
            .add_enabled(items.len() == 1, egui::Button::new("Card info"))
            .on_hover_text("i")
            .on_disabled_hover_text("Select exactly one row")
            .clicked()
            && let Some(id) = items.first()
        {
            *action = Some(BrowseAction::Info(id.clone()));
            ui.close();
        }
        ui.add_enabled_ui(any, |ui| {
            self.change_menu(ui, collection, now, &cards, &items);
        })
        .response
        .on_disabled_hover_text(none_why);
        ui.separator();
        if ui.button("Select all listed (Ctrl+A)").clicked() {
            self.select_all(collection);
            ui.close();
        }
        if ui
            .add_enabled(any, egui::Button::new("Clear selection"))
            .clicked()
        {
            self.selected.clear();
            ui.close();
        }
    }

    /// The selection menu's changes to the selected `cards` and their
    /// `items`: move, tag, suspend, reset, delete. Each can be undone; the
    /// tag and delete ones ask first in a dialog.
    fn change_menu(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        now: Timestamp,
        cards: &[CardId],
        items: &[ItemId],
    ) {
        move_menu(ui, collection, cards);
        if ui.button("Add tag…").clicked() {
            self.dialog = Some(Dialog::Tag(true, String::new()));
            ui.close();
        }
        if ui.button("Remove tag…").clicked() {
            self.dialog = Some(Dialog::Tag(false, String::new()));
            ui.close();
        }
        ui.separator();
        for (label, on) in [("Suspend", true), ("Unsuspend", false)] {
            if ui.button(label).clicked() {
                let result = collection.suspend_items(items, on, now);
                notice::report(
                    ui.ctx(),
                    result.map(|k| {
                        format!(
                            "{}ed {} of the {} selected. Ctrl+Z undoes it.",
                            label,
                            k,
                            items_phrase(items)
                        )
                    }),
                );
                ui.close();
            }
        }
        if ui
            .button("Reset progress")
            .on_hover_text("The selected study items become new again")
            .clicked()
        {
            let result = collection.reset_items(items, now);
            notice::report(
                ui.ctx(),
                result.map(|_| {
                    format!(
                        "Reset {}: they are new again. Ctrl+Z undoes it.",
                        items_phrase(items)
                    )
                }),
            );
            ui.close();
        }
        ui.separator();
        if ui.button("Delete…").on_hover_text("Delete key").clicked() {
            self.dialog = Some(Dialog::Delete(cards.to_vec()));
            ui.close();
        }
    }

    fn columns_menu(&mut self, ui: &mut egui::Ui, collection: &mut Collection) {
        let mut display = collection.settings().display.clone();
        let mut changed = false;
        for (_, name, _, hideable) in COLUMNS {
            let mut shown = !display.hidden_columns.iter().any(|h| h == name);
            let checkbox = ui.add_enabled(hideable, egui::Checkbox::new(&mut shown, name));
            if checkbox.changed() {
                display.hidden_columns.retain(|h| h != name);
                if !shown {
                    display.hidden_columns.push(name.to_string());
                }
                changed = true;
            }
        }
        if changed && let Err(e) = collection.save_display(display) {
            notice::error(ui.ctx(), format!("Cannot keep the column choice: {e}"));
        }
    }

    /// Says why nothing is listed and how to get rows back.
    fn empty(&mut self, ui: &mut egui::Ui, collection: &Collection) {
        ui.add_space(24.0);
        ui.vertical_centered(|ui| {
            if collection.items().is_empty() {
                ui.label("No cards yet. Add one with New card, or import a file (File ⏷ Import…).");
            } else if let Some(key) = self.awaiting_history {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("Reading the review history to answer `{key}`…"));
                });
            } else if self.error.is_some() {
                ui.label("Fix the search above to list cards.");
            } else {
                ui.label(format!("No cards match `{}`.", self.query));
            }
            if !self.query.is_empty() && ui.button("Clear search").clicked() {
                self.query.clear();
                self.stale = true;
            }
        });
    }

    fn dialogs(&mut self, ui: &mut egui::Ui, collection: &mut Collection) {
        let selected_items = self.selected.len();
        let selected = self.selected_items();
        let listed_cards = self.listed_cards;
        let Some(dialog) = &mut self.dialog else {
            return;
        };
        let mut close = false;
        let rows = &self.rows;
        let modal = egui::Modal::new(egui::Id::unique("browse_dialog")).show(ui.ctx(), |ui| {
            ui.set_width(460.0);
            match dialog {
                Dialog::Delete(cards) => {
                    close = delete_dialog(ui, collection, cards, selected_items);
                }
                Dialog::Tag(add, tag) => {
                    close = tag_dialog(ui, collection, *add, tag, &selected);
                }
                Dialog::Export(export) => {
                    close = export_dialog(ui, collection, rows, listed_cards, export);
                }
            }
        });
        if close || modal.should_close() {
            self.dialog = None;
        }
    }

    /// The table of listed rows, with sortable headers; clicks select,
    /// double-clicks edit, right-clicks open the selection menu.
    fn table(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        now: Timestamp,
        action: &mut Option<BrowseAction>,
    ) {
        let hidden = collection.settings().display.hidden_columns.clone();
        let columns: Vec<_> = COLUMNS
            .iter()
            .filter(|(_, name, _, hideable)| !hideable || !hidden.iter().any(|h| h == name))
            .copied()
            .collect();
        let reveal = std::mem::take(&mut self.reveal_cursor)
            .then_some(self.cursor)
            .flatten();
        // Row clicks select; text selection inside cells would swallow them.
        ui.style_mut().interaction.selectable_labels = false;
        let clicks = egui::ScrollArea::horizontal()
            .id_salt("browse_hscroll")
            .show(ui, |ui| {
                self.draw_table(ui, collection, now, &columns, reveal)
            })
            .inner;
        // The right-click menu, drawn once the table no longer borrows the rows.
        for response in &clicks.responses {
            response.context_menu(|ui| self.selection_menu(ui, collection, now, action));
        }
        if let Some(position) = clicks.context {
            let id = collection.items()[self.rows[position]].id.clone();
            // Right-click on a row outside the selection acts on that row alone.
            if !self.selected.contains(&id) {
                self.selected.clear();
                self.selected.insert(id);
                self.anchor = Some(position);
                self.cursor = Some(position);
            }
        }
        if let Some(column) = clicks.resort {
            if self.sort == column {
                self.descending = !self.descending;
            } else {
                self.sort = column;
                self.descending = false;
            }
            self.stale = true;
        }
        if let Some((position, modifiers, double)) = clicks.clicked {
            self.click(collection, position, modifiers, double, action);
        }
    }

    /// Draws the table's `columns` (scrolled to row `reveal`, if given) and
    /// returns what was clicked, to act on once it is drawn.
    fn draw_table(
        &self,
        ui: &mut egui::Ui,
        collection: &Collection,
        now: Timestamp,
        columns: &[Col],
        reveal: Option<usize>,
    ) -> TableClicks {
        let mut clicks = TableClicks::default();
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        let available = ui.available_width();
        let table = TableBuilder::new(ui)
            .id_salt("browse_table")
            .striped(true)
            .sense(Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center));
        let mut table = sized_columns(table, columns, available);
        if let Some(row) = reveal {
            table = table.scroll_to_row(row, None);
        }
        table
            .header(row_height + 4.0, |mut header| {
                for (column, name, _, _) in columns {
                    header.col(|ui| {
                        let arrow = match (self.sort == *column, self.descending) {
                            (true, false) => " ⏶",
                            (true, true) => " ⏷",
                            _ => "",
                        };
                        if ui
                            .add(
                                egui::Button::new(RichText::new(format!("{name}{arrow}")).strong())
                                    .frame(false),
                            )
                            .on_hover_text(format!("Sort by {}", name.to_lowercase()))
                            .clicked()
                        {
                            clicks.resort = Some(*column);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, self.rows.len(), |mut row| {
                    let position = row.index();
                    let item = &collection.items()[self.rows[position]];
                    row.set_selected(self.selected.contains(&item.id));
                    for (column, ..) in columns {
                        let text = cell(collection, item, *column, now);
                        row.col(|ui| {
                            ui.add(egui::Label::new(text).truncate());
                        });
                    }
                    let response = row.response();
                    if response.clicked() {
                        clicks.clicked = Some((position, ui_modifiers(&response), false));
                    }
                    if response.double_clicked() {
                        clicks.clicked = Some((position, Modifiers::NONE, true));
                    }
                    if response.secondary_clicked() {
                        clicks.context = Some(position);
                    }
                    clicks.responses.push(response);
                });
            });
        clicks
    }

    fn click(
        &mut self,
        collection: &Collection,
        position: usize,
        modifiers: Modifiers,
        double: bool,
        action: &mut Option<BrowseAction>,
    ) {
        let id = collection.items()[self.rows[position]].id.clone();
        self.cursor = Some(position);
        if double {
            *action = Some(BrowseAction::Edit(id.card.clone()));
        } else if modifiers.shift
            && let Some(anchor) = self.anchor
        {
            for p in anchor.min(position)..=anchor.max(position) {
                self.selected
                    .insert(collection.items()[self.rows[p]].id.clone());
            }
        } else if modifiers.command || modifiers.ctrl {
            if !self.selected.remove(&id) {
                self.selected.insert(id);
            }
            self.anchor = Some(position);
        } else {
            self.selected.clear();
            self.selected.insert(id);
            self.anchor = Some(position);
        }
    }
}

/// "Move to deck": every deck, each moving the selected `cards` there.
fn move_menu(ui: &mut egui::Ui, collection: &mut Collection, cards: &[CardId]) {
    ui.menu_button("Move to deck", |ui| {
        for d in collection.decks().to_vec() {
            if ui.button(&d.name).clicked() {
                let moved = collection.move_cards(cards, &d.slug);
                notice::report(
                    ui.ctx(),
                    moved.map(|k| {
                        format!(
                            "Moved {} to \"{}\" ({} already there). Ctrl+Z undoes it.",
                            plural(k, "card"),
                            d.name,
                            cards.len() - k.min(cards.len())
                        )
                        .replace(" (0 already there)", "")
                    }),
                );
                ui.close();
            }
        }
    });
}

/// A column of the table: what it sorts by, its header, its starting
/// width, and whether the user may hide it (as in [`COLUMNS`]).
type Col = (SortColumn, &'static str, f32, bool);

/// What the table's rows and headers were clicked with in a frame.
#[derive(Default)]
struct TableClicks {
    /// A row clicked: its position, the modifiers held, and whether it was
    /// a double-click.
    clicked: Option<(usize, Modifiers, bool)>,
    /// A row right-clicked.
    context: Option<usize>,
    /// Every drawn row's response, for its right-click menu.
    responses: Vec<egui::Response>,
    /// A header clicked: sort by its column.
    resort: Option<SortColumn>,
}

/// Adds the table's columns, resizable, each at least as wide as its
/// header and sort arrow; the front takes the width the others leave.
fn sized_columns<'a>(
    mut table: TableBuilder<'a>,
    columns: &[Col],
    available: f32,
) -> TableBuilder<'a> {
    let others: f32 = columns
        .iter()
        .filter(|(c, ..)| *c != SortColumn::Front)
        .map(|(_, name, width, _)| width.max(name.chars().count() as f32 * 9.0 + 40.0) + 8.0)
        .sum();
    let front = (available - others - 16.0).max(340.0);
    for (column, name, width, _) in columns {
        // Never narrower than the header and its sort arrow.
        let header = name.chars().count() as f32 * 9.0 + 40.0;
        let width = if *column == SortColumn::Front {
            front
        } else {
            *width
        };
        table = table.column(
            Column::initial(width.max(header))
                .at_least(header)
                .clip(true)
                .resizable(true),
        );
    }
    table
}

/// Asks before deleting, saying exactly what goes: the selected rows, and the
/// sibling items of the same cards, which cannot stay without their card.
fn delete_dialog(
    ui: &mut egui::Ui,
    collection: &mut Collection,
    cards: &[CardId],
    selected_items: usize,
) -> bool {
    let items = collection.items_of_cards(cards);
    let what = delete_phrase(cards.len(), items);
    ui.heading(format!("Delete {what}?"));
    if items > selected_items {
        ui.label(format!(
            "The {} selected belong to {}. A card goes with all its study items, so this also \
             deletes {} not selected (the other side of a reversed card, or the other cloze \
             numbers).",
            plural(selected_items, "row"),
            plural(cards.len(), "card"),
            plural(items - selected_items, "study item"),
        ));
    }
    ui.label("Their progress is kept in the journal. Ctrl+Z brings them back.");
    ui.add_space(8.0);
    let mut close = false;
    ui.horizontal(|ui| {
        if ui
            .button(RichText::new(format!("Delete {what}")).color(theme::ERROR))
            .clicked()
        {
            let result = collection.delete_cards(cards);
            notice::report(
                ui.ctx(),
                result.map(|_| format!("Deleted {what}. Ctrl+Z undoes it.")),
            );
            close = true;
        }
        if ui.button("Keep them").clicked() {
            close = true;
        }
    });
    close
}

/// "4 cards (10 study items)", or "4 cards" when each card is one item.
fn delete_phrase(cards: usize, items: usize) -> String {
    if cards == items {
        plural(cards, "card")
    } else {
        format!(
            "{} ({})",
            plural(cards, "card"),
            plural(items, "study item")
        )
    }
}

fn tag_dialog(
    ui: &mut egui::Ui,
    collection: &mut Collection,
    add: bool,
    tag: &mut String,
    items: &[ItemId],
) -> bool {
    let mut cards: Vec<CardId> = items.iter().map(|i| i.card.clone()).collect();
    cards.sort();
    cards.dedup();
    let what = plural(cards.len(), "selected card");
    ui.heading(if add {
        format!("Add a tag to {what}")
    } else {
        format!("Remove a tag from {what}")
    });
    let l = ui.label("Tag");
    let field = ui
        .add(egui::TextEdit::singleline(tag).desired_width(f32::INFINITY))
        .labelled_by(l.id);
    field.request_focus();
    if items.len() > cards.len() {
        ui.label(
            RichText::new(format!(
                "Tags belong to cards: the {} selected rows are {}.",
                items.len(),
                plural(cards.len(), "card")
            ))
            .weak(),
        );
    }
    let ready = !tag.trim().is_empty();
    let mut close = false;
    ui.horizontal(|ui| {
        let go = ui
            .add_enabled(
                ready,
                egui::Button::new(if add { "Add tag" } else { "Remove tag" }),
            )
            .clicked()
            || (ready && ui.input(|i| i.key_pressed(Key::Enter)));
        if go {
            let result = collection.tag_cards(&cards, tag, add);
            let tag = tag.trim().to_string();
            notice::report(
                ui.ctx(),
                result.map(|k| {
                    let unchanged = cards.len() - k.min(cards.len());
                    let verb = if add { "Tagged" } else { "Untagged" };
                    let mut text = format!("{verb} {} with \"{tag}\"", plural(k, "card"));
                    if unchanged > 0 {
                        text += &format!(
                            "; {} of the {} selected {} it already",
                            unchanged,
                            cards.len(),
                            if add { "had" } else { "lacked" }
                        );
                    }
                    text + ". Ctrl+Z undoes it."
                }),
            );
            close = true;
        }
        if ui.button("Cancel").clicked() {
            close = true;
        }
    });
    close
}

/// The export dialog: format, file, and Export, then the export's
/// progress. Returns whether the dialog closes.
fn export_dialog(
    ui: &mut egui::Ui,
    collection: &Collection,
    rows: &[usize],
    cards: usize,
    dialog: &mut ExportDialog,
) -> bool {
    ui.heading(format!("Export {}", plural(cards, "listed card")));
    if cards != rows.len() {
        ui.label(
            RichText::new(format!(
                "The {} listed rows are {}; the file has one entry per card.",
                rows.len(),
                plural(cards, "card")
            ))
            .weak(),
        );
    }
    let busy = dialog.history.is_some() || dialog.writing.is_some();
    export_inputs(ui, dialog, busy);
    let target = std::path::PathBuf::from(dialog.path.trim());
    // An Anki package carries the review history: read it off this thread,
    // then write the package once it is here.
    if let Some(rx) = &dialog.history {
        return package_when_read(ui, collection, rows, cards, rx, &target);
    }
    if let Some(task) = &dialog.writing {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Writing the file…");
        });
        return match task.poll(ui.ctx()) {
            Poll::Working => false,
            Poll::Done(result) => {
                table_written(ui.ctx(), result, &target);
                true
            }
            Poll::Lost => {
                notice::error(ui.ctx(), "Nothing exported: writing the file failed.");
                true
            }
        };
    }
    let mut close = false;
    ui.horizontal(|ui| {
        let ready = !dialog.path.trim().is_empty();
        if ui
            .add_enabled(ready, egui::Button::new(RichText::new("Export").strong()))
            .on_disabled_hover_text("Choose a file first")
            .clicked()
        {
            close = start_export(ui, collection, rows, dialog, &target);
        }
        if ui.button("Cancel").clicked() {
            close = true;
        }
    });
    close
}

/// The export's format and file, locked while the export is under way.
fn export_inputs(ui: &mut egui::Ui, dialog: &mut ExportDialog, busy: bool) {
    ui.add_enabled_ui(!busy, |ui| {
        ui.horizontal(|ui| {
            ui.radio_value(&mut dialog.format, Format::Csv, "CSV");
            ui.radio_value(&mut dialog.format, Format::Tsv, "TSV");
            ui.radio_value(&mut dialog.format, Format::Anki, "Anki package (.apkg)")
                .on_hover_text("With scheduling, review history and media; Anki imports it");
        });
    });
    if let Some(chosen) = dialog.chooser.take() {
        dialog.path = chosen.display().to_string();
    }
    ui.horizontal(|ui| {
        let l = ui.label("File");
        ui.add_enabled(
            !busy,
            egui::TextEdit::singleline(&mut dialog.path)
                .hint_text(dialog.format.suggested_name())
                .desired_width(300.0),
        )
        .labelled_by(l.id);
        if ui
            .add_enabled(
                !dialog.chooser.is_open() && !busy,
                egui::Button::new("Choose…"),
            )
            .clicked()
        {
            let name = dialog.format.suggested_name().to_string();
            dialog
                .chooser
                .open(ui.ctx(), "Export cards", Purpose::Save(name));
        }
    });
}

/// While the review history is read for an Anki package: a spinner, then
/// the package written once the history is here. Returns whether the
/// export is over.
fn package_when_read(
    ui: &mut egui::Ui,
    collection: &Collection,
    rows: &[usize],
    cards: usize,
    history: &std::sync::mpsc::Receiver<Result<rehearse_core::collection::History, String>>,
    target: &std::path::Path,
) -> bool {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label("Reading the review history for the package…");
    });
    match history.try_recv() {
        Ok(Ok(history)) => {
            let result = rehearse_core::interop::package::export_apkg(
                collection,
                &history,
                rows,
                target,
                Timestamp::now(),
            );
            notice::report(
                ui.ctx(),
                result.map(|notes| {
                    format!(
                        "Exported {} as {} to {}.",
                        plural(cards, "card"),
                        plural(notes, "Anki note"),
                        target.display()
                    )
                }),
            );
            true
        }
        Ok(Err(e)) => {
            notice::error(ui.ctx(), format!("Nothing exported: {e}"));
            true
        }
        Err(std::sync::mpsc::TryRecvError::Empty) => false,
        Err(std::sync::mpsc::TryRecvError::Disconnected) => {
            notice::error(ui.ctx(), "Nothing exported: reading the history failed.");
            true
        }
    }
}

/// Starts the export that Export asks for: an Anki package first reads the
/// review history on a worker; a CSV or TSV file is written on one (or at
/// once, when that is quick). Returns whether the dialog can close.
fn start_export(
    ui: &mut egui::Ui,
    collection: &Collection,
    rows: &[usize],
    dialog: &mut ExportDialog,
    target: &std::path::Path,
) -> bool {
    match dialog.format {
        Format::Anki => match collection.history_loader() {
            Ok(loader) => {
                let (tx, rx) = std::sync::mpsc::channel();
                let ctx = ui.ctx().clone();
                std::thread::spawn(move || {
                    // The dialog may have been closed; then nobody waits.
                    let _ = tx.send(loader.load().map_err(|e| e.to_string()));
                    ctx.request_repaint();
                });
                dialog.history = Some(rx);
                false
            }
            Err(e) => {
                notice::error(ui.ctx(), format!("Nothing exported: {e}"));
                true
            }
        },
        Format::Csv | Format::Tsv => {
            // The cards are copied here; the file is written off this thread.
            let job = TableJob::new(collection, rows, dialog.format == Format::Tsv);
            let path = target.to_path_buf();
            match Task::run(ui.ctx(), move || job.write(&path)) {
                Ok(Some(result)) => {
                    table_written(ui.ctx(), result, target);
                    true
                }
                Ok(None) => {
                    notice::error(ui.ctx(), "Nothing exported: writing the file failed.");
                    true
                }
                Err(task) => {
                    dialog.writing = Some(task);
                    false
                }
            }
        }
    }
}

/// Tells how a CSV or TSV export went.
fn table_written(
    ctx: &egui::Context,
    result: Result<TableExport, ExportError>,
    target: &std::path::Path,
) {
    notice::report(
        ctx,
        result.map(|r| {
            format!(
                "Exported {} to {}.",
                plural(r.cards, "card"),
                target.display()
            )
        }),
    );
}

/// The text of one cell.
fn cell(
    collection: &Collection,
    item: &rehearse_core::collection::ItemRef,
    column: SortColumn,
    now: Timestamp,
) -> String {
    let deck = &collection.decks()[item.deck];
    let card = &deck.cards[item.card];
    let state = collection.state(&item.id);
    let new = state.phase == Phase::New;
    let dash = || "–".to_string();
    match column {
        SortColumn::Deck => deck.name.clone(),
        // Sides of one card would read alike: say which side a row is.
        SortColumn::Front => {
            let line = plain_line(&card.render(item.id.variant).0);
            match item.id.variant {
                rehearse_core::deck::Variant::Cloze(n) => format!("c{n} · {line}"),
                rehearse_core::deck::Variant::Reverse => format!("↔ {line}"),
                rehearse_core::deck::Variant::Forward => line,
            }
        }
        SortColumn::Topic => card.topic.clone(),
        SortColumn::Tags => card.tags.join(" "),
        SortColumn::Due if state.suspended => "suspended".into(),
        SortColumn::Due => state
            .due
            .filter(|_| !new)
            .map_or_else(dash, |d| due_label(collection, d, now)),
        SortColumn::Interval if new => dash(),
        SortColumn::Interval => format!("{} d", state.interval_days),
        SortColumn::Stability => state
            .memory
            .map_or_else(dash, |m| format!("{:.1} d", m.stability)),
        SortColumn::Difficulty => state
            .memory
            .map_or_else(dash, |m| format!("{:.1}", m.difficulty)),
        SortColumn::Retrievability => collection
            .deck_scheduler(item.deck)
            .retrievability(state, now)
            .filter(|_| !new)
            .map_or_else(dash, |r| format!("{:.0}%", r * 100.0)),
        SortColumn::Lapses => state.lapses.to_string(),
    }
}

fn ui_modifiers(response: &egui::Response) -> Modifiers {
    response.ctx.input(|i| i.modifiers)
}

/// The first non-empty line of Markdown without its emphasis and code marks,
/// short enough for a table cell.
fn plain_line(markdown: &str) -> String {
    let line = markdown
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("```"))
        .unwrap_or("");
    line.trim_start_matches(['#', '>', '-', ' '])
        .trim_end_matches('\\')
        .chars()
        .filter(|c| !matches!(c, '*' | '`' | '_'))
        .take(160)
        .collect()
}

/// "today", "in 3 d", "2 d ago", or a date further out.
fn due_label(collection: &Collection, due: Timestamp, now: Timestamp) -> String {
    let clock = collection.scheduler().clock();
    let days = clock.day_of(due) - clock.day_of(now);
    match days {
        0 => "today".into(),
        d if d < 0 => format!("{} d ago", -d),
        d if d < 60 => format!("in {d} d"),
        _ => clock.date_of_day(clock.day_of(due)).to_string(),
    }
}

/// Nav for the browser's actions.
pub fn nav_for(action: BrowseAction) -> Nav {
    match action {
        BrowseAction::Edit(id) => Nav::Edit(Some(id)),
        BrowseAction::New => Nav::Edit(None),
        BrowseAction::Import => Nav::Import(String::new()),
        BrowseAction::Leave => Nav::Home,
        BrowseAction::Info(item) => Nav::CardInfo(item),
    }
}
