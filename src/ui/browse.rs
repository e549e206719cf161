//! The card browser: a search box (`/` focuses it), a virtualised table of
//! every card sortable by any column, multi-selection, and bulk actions that
//! can all be undone.

use std::collections::HashSet;

use egui::{Key, Modifiers, RichText, Sense};
use egui_extras::{Column, TableBuilder};
use jiff::Timestamp;

use super::{Nav, theme};
use crate::browse::{self, SortColumn};
use crate::collection::Collection;
use crate::deck::{CardId, ItemId};
use crate::schedule::Phase;

const COLUMNS: [(SortColumn, &str); 10] = [
    (SortColumn::Deck, "Deck"),
    (SortColumn::Front, "Front"),
    (SortColumn::Topic, "Topic"),
    (SortColumn::Tags, "Tags"),
    (SortColumn::Due, "Due"),
    (SortColumn::Interval, "Interval"),
    (SortColumn::Stability, "Stability"),
    (SortColumn::Difficulty, "Difficulty"),
    (SortColumn::Retrievability, "Recall"),
    (SortColumn::Lapses, "Lapses"),
];

/// Browser state.
pub struct BrowseScreen {
    query: String,
    error: Option<String>,
    rows: Vec<usize>,
    stale: bool,
    sort: SortColumn,
    descending: bool,
    selected: HashSet<ItemId>,
    anchor: Option<usize>,
    tag: String,
    move_to: String,
    confirm_delete: bool,
    message: Option<(bool, String)>,
    focus_search: bool,
    generation: u64,
    export_path: String,
    export_tsv: bool,
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
            tag: String::new(),
            move_to: String::new(),
            confirm_delete: false,
            message: None,
            focus_search: false,
            generation: u64::MAX,
            export_path: String::new(),
            export_tsv: false,
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
}

impl BrowseScreen {
    /// A browser showing the result of `query`.
    pub fn with_query(query: &str) -> Self {
        Self {
            query: query.to_string(),
            ..Self::default()
        }
    }

    fn run_query(&mut self, collection: &Collection, now: Timestamp) {
        match browse::parse(&self.query) {
            Ok(q) => {
                self.error = None;
                self.rows = browse::search(collection, &q, now);
                browse::sort(collection, &mut self.rows, self.sort, self.descending, now);
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        let live: HashSet<&ItemId> = self
            .rows
            .iter()
            .map(|&i| &collection.items()[i].id)
            .collect();
        self.selected.retain(|id| live.contains(id));
        self.stale = false;
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
        now: Timestamp,
    ) -> Option<BrowseAction> {
        if !ui.ctx().egui_wants_keyboard_input()
            && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Slash))
        {
            self.focus_search = true;
        }
        if self.stale || self.generation != collection.generation() {
            self.run_query(collection, now);
            self.generation = collection.generation();
        }
        let mut action = None;
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let l = ui.label(RichText::new("Search").strong());
            let search = ui
                .add(
                    egui::TextEdit::singleline(&mut self.query)
                        .hint_text("text, \"a phrase\", deck:, tag:, topic:, is:due, prop:r<0.8, rated:7, -negate   (press / )")
                        .desired_width(ui.available_width() - 330.0),
                )
                .labelled_by(l.id);
            if self.focus_search {
                search.request_focus();
                self.focus_search = false;
            }
            if search.changed() {
                self.stale = true;
            }
            let n = self.rows.len();
ui.label(RichText::new(format!("{n} card{}", if n == 1 { "" } else { "s" })).weak());
                        if ui.button("New card").clicked() {
                action = Some(BrowseAction::New);
            }
            if ui.button("Import…").on_hover_text("Cards from a CSV or TSV file").clicked() {
                action = Some(BrowseAction::Import);
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(theme::ERROR, e);
        }
        self.actions(ui, collection, now, &mut action);
        self.export(ui, collection);
        if let Some((ok, text)) = &self.message {
            ui.colored_label(if *ok { theme::REVIEW } else { theme::ERROR }, text);
        }
        ui.add_space(4.0);
        if self.generation != collection.generation() {
            // A bulk action just changed the collection: rows are stale until next frame.
            self.run_query(collection, now);
            self.generation = collection.generation();
        }
        self.table(ui, collection, now, &mut action);
        action
    }

    fn actions(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        now: Timestamp,
        action: &mut Option<BrowseAction>,
    ) {
        let n = self.selected.len();
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("{n} selected")).strong());
            if ui.small_button("Select all").clicked() {
                self.selected = self
                    .rows
                    .iter()
                    .map(|&i| collection.items()[i].id.clone())
                    .collect();
            }
            if ui
                .add_enabled(n > 0, egui::Button::new("Clear").small())
                .clicked()
            {
                self.selected.clear();
            }
            ui.separator();
            ui.add_enabled_ui(n > 0, |ui| {
                let cards = self.selected_cards();
                if ui
                    .add_enabled(cards.len() == 1, egui::Button::new("Edit"))
                    .clicked()
                    && let Some(id) = cards.first()
                {
                    *action = Some(BrowseAction::Edit(id.clone()));
                }
                let move_name = collection
                    .decks()
                    .iter()
                    .find(|d| d.slug == self.move_to)
                    .map_or("deck…".to_string(), |d| d.name.clone());
                let l = ui.label("Move to");
                egui::ComboBox::from_id_salt("browse_move")
                    .selected_text(move_name)
                    .show_ui(ui, |ui| {
                        for d in collection.decks() {
                            ui.selectable_value(&mut self.move_to, d.slug.clone(), &d.name);
                        }
                    })
                    .response
                    .labelled_by(l.id);
                if ui
                    .add_enabled(!self.move_to.is_empty(), egui::Button::new("Move"))
                    .clicked()
                {
                    let target = self.move_to.clone();
                    self.report(
                        collection
                            .move_cards(&cards, &target)
                            .map(|k| format!("Moved {k} cards.")),
                    );
                }
                ui.separator();
                let l = ui.label("Tag");
                ui.add(egui::TextEdit::singleline(&mut self.tag).desired_width(100.0))
                    .labelled_by(l.id);
                let has_tag = !self.tag.trim().is_empty();
                if ui
                    .add_enabled(has_tag, egui::Button::new("Add tag"))
                    .clicked()
                {
                    let tag = self.tag.clone();
                    self.report(
                        collection
                            .tag_cards(&cards, &tag, true)
                            .map(|k| format!("Tagged {k} cards.")),
                    );
                }
                if ui
                    .add_enabled(has_tag, egui::Button::new("Remove tag"))
                    .clicked()
                {
                    let tag = self.tag.clone();
                    self.report(
                        collection
                            .tag_cards(&cards, &tag, false)
                            .map(|k| format!("Untagged {k} cards.")),
                    );
                }
                ui.separator();
                let items: Vec<ItemId> = self.selected.iter().cloned().collect();
                if ui.button("Suspend").clicked() {
                    self.report(
                        collection
                            .suspend_items(&items, true, now)
                            .map(|k| format!("Suspended {k}.")),
                    );
                }
                if ui.button("Unsuspend").clicked() {
                    self.report(
                        collection
                            .suspend_items(&items, false, now)
                            .map(|k| format!("Unsuspended {k}.")),
                    );
                }
                if ui.button("Reset progress").clicked() {
                    self.report(
                        collection
                            .reset_items(&items, now)
                            .map(|k| format!("Reset {k}: they are new again.")),
                    );
                }
                if self.confirm_delete {
                    ui.colored_label(theme::ERROR, format!("Delete {} cards?", cards.len()));
                    if ui
                        .button(RichText::new("Delete").color(theme::ERROR))
                        .clicked()
                    {
                        self.confirm_delete = false;
                        self.report(
                            collection
                                .delete_cards(&cards)
                                .map(|k| format!("Deleted {k} cards.")),
                        );
                    }
                    if ui.button("Keep").clicked() {
                        self.confirm_delete = false;
                    }
                } else if ui.button("Delete…").clicked() {
                    self.confirm_delete = true;
                }
            });
        });
    }

    fn export(&mut self, ui: &mut egui::Ui, collection: &Collection) {
        ui.horizontal(|ui| {
            let l = ui.label("Export these cards to");
            ui.add(
                egui::TextEdit::singleline(&mut self.export_path)
                    .hint_text("/path/to/cards.csv")
                    .desired_width(280.0),
            )
            .labelled_by(l.id);
            ui.radio_value(&mut self.export_tsv, false, "CSV");
            ui.radio_value(&mut self.export_tsv, true, "TSV");
            let ready = !self.export_path.trim().is_empty() && !self.rows.is_empty();
            if ui.add_enabled(ready, egui::Button::new("Export")).clicked() {
                let cards = crate::interop::cards_of_items(collection, &self.rows);
                let text = crate::interop::csv::write_table(
                    &cards,
                    if self.export_tsv { b'\t' } else { b',' },
                );
                let path = std::path::PathBuf::from(self.export_path.trim());
                self.message = Some(match crate::store::write_atomic(&path, text.as_bytes()) {
                    Ok(()) => (
                        true,
                        format!("Exported {} cards to {}.", cards.len(), path.display()),
                    ),
                    Err(e) => (false, format!("{}: {e}", path.display())),
                });
            }
        });
    }

    fn report(&mut self, result: Result<String, crate::collection::EditError>) {
        self.message = Some(match result {
            Ok(text) => (true, format!("{text} Ctrl+Z undoes it.")),
            Err(e) => (false, e.to_string()),
        });
        self.stale = true;
    }

    fn table(
        &mut self,
        ui: &mut egui::Ui,
        collection: &Collection,
        now: Timestamp,
        action: &mut Option<BrowseAction>,
    ) {
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        let mut clicked: Option<(usize, Modifiers, bool)> = None;
        let mut resort = None;
        // Row clicks select; text selection inside cells would swallow them.
        ui.style_mut().interaction.selectable_labels = false;
        TableBuilder::new(ui)
            .striped(true)
            .sense(Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(150.0).clip(true).resizable(true))
            .column(
                Column::initial(360.0)
                    .at_least(120.0)
                    .clip(true)
                    .resizable(true),
            )
            .column(Column::initial(150.0).clip(true).resizable(true))
            .column(Column::initial(120.0).clip(true).resizable(true))
            .columns(Column::initial(78.0).clip(true).resizable(true), 6)
            .header(row_height + 4.0, |mut header| {
                for (column, name) in COLUMNS {
                    header.col(|ui| {
                        let arrow = match (self.sort == column, self.descending) {
                            (true, false) => " ⏶",
                            (true, true) => " ⏷",
                            _ => "",
                        };
                        if ui
                            .button(RichText::new(format!("{name}{arrow}")).strong())
                            .clicked()
                        {
                            resort = Some(column);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, self.rows.len(), |mut row| {
                    let position = row.index();
                    let item = &collection.items()[self.rows[position]];
                    row.set_selected(self.selected.contains(&item.id));
                    let deck = &collection.decks()[item.deck];
                    let card = &deck.cards[item.card];
                    let state = collection.state(&item.id);
                    row.col(|ui| {
                        ui.label(&deck.name);
                    });
                    row.col(|ui| {
                        let (q, _) = card.render(item.id.variant);
                        let line = plain_line(&q);
                        ui.label(line);
                    });
                    row.col(|ui| {
                        ui.label(&card.topic);
                    });
                    row.col(|ui| {
                        ui.label(card.tags.join(" "));
                    });
                    let new = state.phase == Phase::New;
                    let dash = || "–".to_string();
                    let due = if state.suspended {
                        "suspended".to_string()
                    } else {
                        state
                            .due
                            .filter(|_| !new)
                            .map_or_else(dash, |d| due_label(collection, d, now))
                    };
                    let interval = if new {
                        dash()
                    } else {
                        format!("{} d", state.interval_days)
                    };
                    let (s, d) = state.memory.map_or((dash(), dash()), |m| {
                        (
                            format!("{:.1} d", m.stability),
                            format!("{:.1}", m.difficulty),
                        )
                    });
                    let r = collection
                        .scheduler()
                        .retrievability(state, now)
                        .filter(|_| !new)
                        .map_or_else(dash, |r| format!("{:.0}%", r * 100.0));
                    for text in [due, interval, s, d, r, state.lapses.to_string()] {
                        row.col(|ui| {
                            ui.label(text);
                        });
                    }
                    let response = row.response();
                    if response.clicked() {
                        clicked = Some((position, ui_modifiers(&response), false));
                    }
                    if response.double_clicked() {
                        clicked = Some((position, Modifiers::NONE, true));
                    }
                });
            });
        if let Some(column) = resort {
            if self.sort == column {
                self.descending = !self.descending;
            } else {
                self.sort = column;
                self.descending = false;
            }
            self.stale = true;
        }
        if let Some((position, modifiers, double)) = clicked {
            let id = collection.items()[self.rows[position]].id.clone();
            if double {
                *action = Some(BrowseAction::Edit(id.card.clone()));
            } else if modifiers.shift
                && let Some(anchor) = self.anchor
            {
                let (a, b) = (anchor.min(position), anchor.max(position));
                for p in a..=b {
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
    }
}
