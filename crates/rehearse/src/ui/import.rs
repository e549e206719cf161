//! Importing cards from a CSV or TSV file: the delimiter and header are
//! detected (and can be changed), columns are mapped to card fields, every row
//! that cannot be read is listed with its line, and nothing is imported until
//! the file reads cleanly.

use egui::RichText;

use super::file_dialog::{FileDialog, Purpose};
use super::task::{Poll, Task};
use super::{Nav, notice, theme};
use rehearse_core::collection::Collection;
use rehearse_core::interop::csv::{self, ColumnMapping, Mapped, Table};
use rehearse_core::interop::{ImportPreview, PreviewError};

/// The file being read for a preview, on a worker thread.
type Reading = Task<Result<ImportPreview, PreviewError>>;

/// Import screen state.
pub struct ImportScreen {
    path: String,
    bytes: Option<Vec<u8>>,
    delimiter: u8,
    has_header: bool,
    table: Option<Table>,
    mapping: Option<ColumnMapping>,
    default_deck: String,
    mapped: Option<Mapped>,
    error: Option<String>,
    chooser: FileDialog,
    /// An Anki package read for preview.
    anki: Option<rehearse_core::interop::package::AnkiPlan>,
    /// The file is still being read.
    reading: Option<Reading>,
    /// Read the file given at the start on the first frame.
    read_first: bool,
}

impl ImportScreen {
    /// An import of `path` (may be empty, for the user to type).
    pub fn new(path: &str) -> Self {
        Self {
            path: path.to_string(),
            bytes: None,
            delimiter: b',',
            has_header: true,
            table: None,
            mapping: None,
            default_deck: String::new(),
            mapped: None,
            error: None,
            chooser: FileDialog::default(),
            anki: None,
            reading: None,
            read_first: !path.is_empty(),
        }
    }

    /// Reads the file for a preview, off the UI thread (a small file shows
    /// in this frame).
    fn read(&mut self, ctx: &egui::Context) {
        let path = std::path::PathBuf::from(self.path.trim());
        self.anki = None;
        // A file read before this one is no longer wanted.
        self.reading = None;
        match Task::run(ctx, move || {
            rehearse_core::interop::preview_import(&path, None)
        }) {
            Ok(Some(result)) => self.previewed(result),
            Ok(None) => self.fail("Reading the file failed.".into()),
            Err(task) => self.reading = Some(task),
        }
    }

    /// Takes the preview once the file has been read.
    fn poll_reading(&mut self, ctx: &egui::Context) {
        let Some(task) = &self.reading else {
            return;
        };
        match task.poll(ctx) {
            Poll::Working => {}
            Poll::Done(result) => {
                self.reading = None;
                self.previewed(result);
            }
            Poll::Lost => {
                self.reading = None;
                self.fail("Reading the file failed.".into());
            }
        }
    }

    fn previewed(&mut self, result: Result<ImportPreview, PreviewError>) {
        match result {
            Ok(ImportPreview::Anki(plan)) => {
                self.table = None;
                self.mapped = None;
                self.error = None;
                self.anki = Some(plan);
            }
            Ok(ImportPreview::Table {
                bytes,
                plan,
                default_deck,
            }) => {
                self.default_deck = default_deck;
                self.delimiter = plan.sniffed.delimiter;
                self.has_header = plan.sniffed.has_header;
                self.mapping = Some(plan.mapping);
                self.bytes = Some(bytes);
                self.reread();
            }
            Err(e) => self.fail(e.to_string()),
        }
    }

    fn fail(&mut self, e: String) {
        self.error = Some(e);
        self.table = None;
        self.mapped = None;
    }

    /// Reads the table again after the delimiter or header choice changed.
    fn reread(&mut self) {
        let Some(bytes) = &self.bytes else {
            return;
        };
        match csv::read_table(bytes, self.delimiter, self.has_header) {
            Ok(table) => {
                let columns = table.headers.len();
                let fits = self.mapping.is_some_and(|m| {
                    m.front < columns
                        && [
                            m.back, m.tags, m.topic, m.deck, m.id, m.kind, m.points, m.time_box,
                        ]
                        .iter()
                        .flatten()
                        .all(|c| *c < columns)
                });
                if !fits {
                    self.mapping = Some(csv::guess_mapping(&table.headers));
                }
                self.table = Some(table);
                self.error = None;
                self.remap();
            }
            Err(e) => self.fail(e.to_string()),
        }
    }

    fn remap(&mut self) {
        if let (Some(table), Some(mapping)) = (&self.table, &self.mapping) {
            self.mapped = Some(csv::map_rows(table, mapping, &self.default_deck));
        }
    }

    /// Draws the screen; returns where it asks to go.
    pub fn show(&mut self, ui: &mut egui::Ui, collection: &mut Collection) -> Nav {
        let mut nav = Nav::Stay;
        if let Some(chosen) = self.chooser.take() {
            self.path = chosen.display().to_string();
            self.read(ui.ctx());
        } else if std::mem::take(&mut self.read_first) {
            self.read(ui.ctx());
        }
        self.poll_reading(ui.ctx());
        egui::ScrollArea::vertical().id_salt("import_scroll").auto_shrink(false).show(ui, |ui| {
            ui.vertical_centered(|ui| {
            ui.set_max_width(900.0);
            ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
            ui.add_space(12.0);
            ui.horizontal(|ui| {
                ui.heading("Import cards");
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.link("← Decks").on_hover_text("Back to your decks (Esc)").clicked() {
                        nav = Nav::Home;
                    }
                });
            });
            ui.label(
                RichText::new("An Anki package (.apkg, .colpkg), or a CSV or TSV file. For CSV and TSV, columns are matched by their header names (front, back, tags, topic, deck, id, kind). Re-importing the same file updates cards instead of duplicating them. You can also drop a file onto the window.")
                    .weak(),
            );
            ui.horizontal(|ui| {
                let l = ui.label("File");
                let typed = ui
                    .add(egui::TextEdit::singleline(&mut self.path).hint_text("/path/to/cards.csv").desired_width(360.0))
                    .labelled_by(l.id);
                if ui.add_enabled(!self.chooser.is_open(), egui::Button::new(RichText::new("Choose…").strong())).clicked() {
                    self.chooser.open(
                        ui.ctx(),
                        "Import cards",
                        Purpose::Open(vec![
                            ("Cards (CSV, TSV, Anki)", vec!["csv", "tsv", "txt", "apkg", "colpkg"]),
                            ("All files", vec!["*"]),
                        ]),
                    );
                }
                let enter = typed.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let ready = !self.path.trim().is_empty() && self.reading.is_none();
                if ui
                    .add_enabled(ready, egui::Button::new("Preview"))
                    .on_disabled_hover_text(if self.reading.is_some() {
                        "Reading the file…"
                    } else {
                        "Choose a file or type its path"
                    })
                    .clicked()
                    || (enter && ready)
                {
                    self.read(ui.ctx());
                }
            });
            if self.reading.is_some() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Reading the file…");
                });
                return;
            }
            if let Some(e) = &self.error {
                ui.colored_label(theme::ERROR, e);
            }
            if self.anki.is_some() {
                self.anki_preview(ui, collection);
                return;
            }
            if self.table.is_none() {
                return;
            }
            self.options(ui);
            self.mapping_ui(ui);
            self.preview(ui, collection);
            });
            });
        });
        nav
    }

    fn options(&mut self, ui: &mut egui::Ui) {
        let mut changed = false;
        ui.horizontal(|ui| {
            ui.label("Delimiter");
            for (d, name) in [(b',', "comma"), (b'\t', "tab"), (b';', "semicolon")] {
                changed |= ui.radio_value(&mut self.delimiter, d, name).changed();
            }
            ui.separator();
            changed |= ui
                .checkbox(&mut self.has_header, "First row is a header")
                .changed();
            ui.separator();
            let l = ui.label("Deck for rows without one");
            if ui
                .add(egui::TextEdit::singleline(&mut self.default_deck).desired_width(180.0))
                .labelled_by(l.id)
                .changed()
            {
                self.remap();
            }
        });
        if changed {
            self.reread();
        }
    }

    fn mapping_ui(&mut self, ui: &mut egui::Ui) {
        let (Some(table), Some(mapping)) = (&self.table, &mut self.mapping) else {
            return;
        };
        let headers = table.headers.clone();
        let mut changed = false;
        ui.add_space(6.0);
        ui.horizontal_wrapped(|ui| {
            let name = |c: Option<usize>| {
                c.and_then(|c| headers.get(c))
                    .map_or("(none)".to_string(), Clone::clone)
            };
            let mut front = Some(mapping.front);
            changed |= column_combo(ui, "Front", &mut front, &headers, false, &name);
            if let Some(f) = front {
                mapping.front = f;
            }
            for (label, slot) in [
                ("Back", &mut mapping.back),
                ("Tags", &mut mapping.tags),
                ("Topic", &mut mapping.topic),
                ("Deck", &mut mapping.deck),
                ("Id", &mut mapping.id),
                ("Kind", &mut mapping.kind),
                ("Points", &mut mapping.points),
                ("Time box", &mut mapping.time_box),
            ] {
                changed |= column_combo(ui, label, slot, &headers, true, &name);
            }
        });
        if changed {
            self.remap();
        }
    }

    fn preview(&mut self, ui: &mut egui::Ui, collection: &mut Collection) {
        let Some(mapped) = &self.mapped else {
            return;
        };
        ui.add_space(8.0);
        let rows = self.table.as_ref().map_or(0, |t| t.rows.len());
        if mapped.errors.is_empty() {
            ui.label(
                RichText::new(format!(
                    "{} cards read from {rows} rows, no errors.",
                    mapped.cards.len()
                ))
                .strong(),
            );
        } else {
            ui.colored_label(
                theme::ERROR,
                format!(
                    "{} of {rows} rows cannot be imported; fix them (or the column mapping) first. Nothing is imported while any row has an error.",
                    mapped.errors.len()
                ),
            );
            for e in mapped.errors.iter().take(50) {
                ui.label(RichText::new(e.to_string()).monospace());
            }
            if mapped.errors.len() > 50 {
                ui.label(format!("… and {} more", mapped.errors.len() - 50));
            }
        }
        let import = ui.add_enabled(
            mapped.errors.is_empty() && !mapped.cards.is_empty(),
            egui::Button::new(
                RichText::new(format!("Import {} cards", mapped.cards.len())).strong(),
            ),
        );
        if import.clicked() {
            let cards = mapped
                .cards
                .iter()
                .map(|c| (c.deck.clone(), c.card.clone()))
                .collect();
            notice::report(
                ui.ctx(),
                collection.import_cards(cards).map(|r| {
                    format!(
                        "Imported: {} added, {} updated, {} unchanged{}. Ctrl+Z undoes it.",
                        r.added,
                        r.updated,
                        r.unchanged,
                        if r.new_decks.is_empty() {
                            String::new()
                        } else {
                            format!("; new decks: {}", r.new_decks.join(", "))
                        }
                    )
                }),
            );
        }
        ui.add_space(6.0);
        egui::Grid::new("import_preview")
            .striped(true)
            .num_columns(5)
            .spacing([16.0, 4.0])
            .show(ui, |ui| {
                for h in ["Line", "Deck", "Front", "Back", "Tags"] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for c in mapped.cards.iter().take(20) {
                    let short = |s: &str| {
                        s.lines()
                            .next()
                            .unwrap_or("")
                            .chars()
                            .take(60)
                            .collect::<String>()
                    };
                    ui.label(c.line.to_string());
                    ui.label(&c.deck);
                    ui.label(short(&c.card.front));
                    ui.label(short(&c.card.back));
                    ui.label(c.card.tags.join(" "));
                    ui.end_row();
                }
            });
        if mapped.cards.len() > 20 {
            ui.label(RichText::new(format!("… and {} more", mapped.cards.len() - 20)).weak());
        }
    }
}

impl ImportScreen {
    /// What an Anki package holds, before anything is written.
    fn anki_preview(&mut self, ui: &mut egui::Ui, collection: &mut Collection) {
        let Some(plan) = &self.anki else {
            return;
        };
        ui.add_space(8.0);
        ui.label(RichText::new(format!("This package holds {}.", plan.summary())).strong());
        egui::Grid::new("anki_decks")
            .striped(true)
            .num_columns(2)
            .spacing([24.0, 4.0])
            .show(ui, |ui| {
                ui.label(RichText::new("Deck").strong());
                ui.label(RichText::new("Cards").strong());
                ui.end_row();
                for (deck, n) in plan.decks() {
                    ui.label(deck);
                    ui.label(n.to_string());
                    ui.end_row();
                }
            });
        for w in plan.converted.warnings.iter().take(20) {
            ui.label(RichText::new(w).weak());
        }
        ui.label(
            RichText::new("Cards already imported from this package are matched by their note and updated, not duplicated; history and scheduling come along.")
                .weak(),
        );
        let n = plan.converted.cards.len();
        if ui
            .button(RichText::new(format!("Import {n} cards")).strong())
            .clicked()
            && let Some(plan) = self.anki.take()
        {
            // The plan is handed over, so the import can let go of each part
            // of a large package as soon as it is written.
            let result = rehearse_core::interop::package::import_anki(
                collection,
                plan,
                jiff::Timestamp::now(),
                &mut |_| std::ops::ControlFlow::Continue(()),
            );
            notice::report(
                ui.ctx(),
                result.map(|r| {
                    if r.nothing_changed() {
                        return format!("{}.", r.summary());
                    }
                    format!(
                        "Imported: {} added, {} updated, {} unchanged; {} and {} brought in; {}{}.",
                        r.added,
                        r.updated,
                        r.unchanged,
                        super::plural(r.reviews, "answer"),
                        super::plural(r.states, "card state"),
                        super::plural(r.media, "media file"),
                        r.notes()
                    )
                }),
            );
        }
    }
}

fn column_combo(
    ui: &mut egui::Ui,
    label: &str,
    slot: &mut Option<usize>,
    headers: &[String],
    optional: bool,
    name: &dyn Fn(Option<usize>) -> String,
) -> bool {
    let before = *slot;
    let l = ui.label(label);
    egui::ComboBox::from_id_salt(("import_column", label))
        .selected_text(name(*slot))
        .show_ui(ui, |ui| {
            if optional {
                ui.selectable_value(slot, None, "(none)");
            }
            for (i, h) in headers.iter().enumerate() {
                ui.selectable_value(slot, Some(i), h);
            }
        })
        .response
        .labelled_by(l.id);
    *slot != before
}
