//! The card editor: front and back with a live preview rendered as the study
//! screen renders it, the kind, a topic picker, tags with completion, and
//! problems explained inline. Ctrl+Enter saves and starts the next card.

use std::collections::BTreeSet;

use egui::{Key, Modifiers, RichText};

use super::{Markdown, Nav, notice, plural, theme};
use rehearse_core::collection::Collection;
use rehearse_core::deck::{self, Card, CardId, CardKind, Deck, Variant};

/// Editor state: the card being written and where it goes.
pub struct EditorScreen {
    deck: String,
    original: Option<CardId>,
    kind: CardKind,
    front: String,
    back: String,
    topic: String,
    tags: String,
    source: String,
    /// A rubric's key points, one per line.
    points: String,
    /// A rubric's time box as typed, e.g. `10m`.
    time_box: String,
    /// Whether the user has typed or tried to save: an untouched empty form
    /// shows no problems.
    touched: bool,
    saved: usize,
    focus_front: bool,
    confirm_close: bool,
    changed_on_disk: bool,
}

impl EditorScreen {
    /// A new card for deck `slug` (or the first deck).
    pub fn new_card(collection: &Collection, slug: Option<&str>) -> Self {
        let deck = slug
            .map(str::to_string)
            .or_else(|| collection.decks().first().map(|d| d.slug.clone()))
            .unwrap_or_default();
        Self {
            deck,
            original: None,
            kind: CardKind::Basic,
            front: String::new(),
            back: String::new(),
            topic: String::new(),
            tags: String::new(),
            source: String::new(),
            points: String::new(),
            time_box: String::new(),
            touched: false,
            saved: 0,
            focus_front: true,
            confirm_close: false,
            changed_on_disk: false,
        }
    }

    /// Edits an existing card.
    pub fn edit(collection: &Collection, id: &CardId) -> Self {
        let mut s = Self::new_card(collection, None);
        let found = collection
            .decks()
            .iter()
            .find_map(|d| d.cards.iter().find(|c| c.id == *id).map(|c| (d, c)));
        if let Some((deck, card)) = found {
            s.touched = true;
            s.deck = deck.slug.clone();
            s.original = Some(card.id.clone());
            s.kind = card.kind;
            s.front = card.front.clone();
            s.back = card.back.clone();
            s.topic = card.topic.clone();
            s.tags = card.tags.join(" ");
            s.source = card.source.clone().unwrap_or_default();
            s.points = card.rubric.points.join("\n");
            s.time_box = card
                .rubric
                .time_box
                .map(|t| t.to_string())
                .unwrap_or_default();
        }
        s
    }

    /// True when there is text that has not been saved.
    pub fn is_dirty(&self, collection: &Collection) -> bool {
        match &self.original {
            None => !self.front.trim().is_empty() || !self.back.trim().is_empty(),
            Some(id) => collection
                .decks()
                .iter()
                .flat_map(|d| &d.cards)
                .find(|c| c.id == *id)
                .is_none_or(|c| {
                    c.front != self.front || c.back != self.back || c.topic != self.topic
                }),
        }
    }

    /// The deck being edited changed on disk. With unsaved text, the user
    /// chooses what to keep; otherwise the fields follow the file.
    pub fn deck_changed_on_disk(&mut self, collection: &Collection, slug: &str) {
        if slug != self.deck {
            return;
        }
        if self.is_dirty(collection) {
            self.changed_on_disk = true;
        } else if let Some(id) = self.original.clone() {
            *self = Self::edit(collection, &id);
        }
    }

    /// Asks before leaving with unsaved text; returns true when it may close now.
    pub fn may_close(&mut self, collection: &Collection) -> bool {
        if self.is_dirty(collection) {
            self.confirm_close = true;
            false
        } else {
            true
        }
    }

    fn card(&self) -> Card {
        let id = self
            .original
            .clone()
            .unwrap_or_else(|| CardId::for_new_card(&self.front, jiff::Timestamp::now()));
        Card {
            id,
            id_pinned: true,
            kind: self.kind,
            front: self.front.clone(),
            back: self.back.clone(),
            topic: self.topic.trim().to_string(),
            tags: self
                .tags
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            source: Some(self.source.trim().to_string()).filter(|s| !s.is_empty()),
            rubric: if self.kind == CardKind::Rubric {
                rehearse_core::deck::Rubric {
                    points: self
                        .points
                        .lines()
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_string)
                        .collect(),
                    time_box: self.time_box.trim().parse().ok(),
                }
            } else {
                rehearse_core::deck::Rubric::default()
            },
            modified: None,
            added: None,
        }
    }

    /// What `rehearse check` would say about this card, shown as the user
    /// types: errors stop saving, warnings do not.
    fn problems(&self) -> Vec<rehearse_core::deck::Problem> {
        let card = self.card();
        deck::validate(&Deck {
            slug: String::new(),
            name: String::new(),
            description: String::new(),
            cards: vec![card],
        })
        .into_iter()
        // Ids are written by the editor, never derived from the front.
        .filter(|p| p.is_error || !p.message.contains("no id;"))
        .map(|mut p| {
            // Validation names the card by position; here there is only this one.
            if let Some((_, m)) = p.message.split_once(": ") {
                p.message = m.to_string();
            }
            p
        })
        .chain(self.time_box_problem())
        .collect()
    }

    /// A time box that does not read as a duration.
    fn time_box_problem(&self) -> Option<rehearse_core::deck::Problem> {
        let typed = self.time_box.trim();
        if self.kind != CardKind::Rubric || typed.is_empty() {
            return None;
        }
        typed
            .parse::<rehearse_core::schedule::Step>()
            .err()
            .map(|e| rehearse_core::deck::Problem {
                is_error: true,
                card: None,
                message: format!("time box {e}"),
            })
    }

    fn save(&mut self, ctx: &egui::Context, collection: &mut Collection, next: bool) -> bool {
        self.touched = true;
        if self.problems().iter().any(|p| p.is_error) {
            notice::error(ctx, "Fix the problems shown in red before saving.");
            return false;
        }
        let card = self.card();
        match collection.save_card(
            &self.deck,
            self.original.as_ref(),
            card.clone(),
            jiff::Timestamp::now(),
        ) {
            Ok(()) => {
                self.saved += 1;
                if next {
                    // Keep deck, kind, topic and tags: cards are usually written in runs.
                    self.original = None;
                    self.front.clear();
                    self.back.clear();
                    self.touched = false;
                    self.focus_front = true;
                    notice::info(
                        ctx,
                        format!(
                            "Saved; {} this session. Write the next one.",
                            plural(self.saved, "card")
                        ),
                    );
                } else {
                    self.original = Some(card.id);
                    notice::info(ctx, "Saved the card.");
                }
                true
            }
            Err(e) => {
                notice::error(ctx, e.to_string());
                false
            }
        }
    }

    /// Draws the screen.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        markdown: &mut Markdown,
    ) -> Nav {
        if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter)) {
            self.save(ui.ctx(), collection, true);
        }
        // Esc closes, but never throws away unsaved text without asking.
        let escape = !ui.ctx().egui_wants_keyboard_input()
            && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
        let problems = self.problems();
        let valid = !problems.iter().any(|p| p.is_error);
        let (mut nav, close_clicked) = self.bottom_bar(ui, collection, valid);
        if (escape || close_clicked) && self.may_close_now(collection) {
            nav = Nav::Browse;
        }
        if self.changed_on_disk {
            self.conflict_bar(ui, collection);
        }
        egui::CentralPanel::default().show(ui, |ui| {
            ui.columns(2, |cols| {
                egui::ScrollArea::vertical()
                    .id_salt("editor_form")
                    .auto_shrink(false)
                    .show(&mut cols[0], |ui| {
                        // Room for the scroll bar, so it never sits on a field.
                        ui.set_max_width(ui.available_width() - 14.0);
                        self.form(ui, collection, &problems);
                    });
                egui::ScrollArea::vertical()
                    .id_salt("editor_preview")
                    .show(&mut cols[1], |ui| {
                        self.preview(ui, markdown);
                    });
            });
        });
        nav
    }

    /// The bar along the bottom: the save buttons, then Close (or Discard
    /// and Keep editing while asking). Returns where to go, and whether
    /// Close was clicked.
    fn bottom_bar(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        valid: bool,
    ) -> (Nav, bool) {
        let mut out = (Nav::Stay, false);
        egui::Panel::bottom("editor_bar").show(ui, |ui| {
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                self.save_buttons(ui, collection, valid);
                out = self.close_buttons(ui);
            });
            ui.add_space(6.0);
        });
        out
    }

    /// "Save and add next" and "Save", enabled only when the card has no
    /// errors.
    fn save_buttons(&mut self, ui: &mut egui::Ui, collection: &mut Collection, valid: bool) {
        let why = "Fix the problems shown in red first";
        // Writing new cards, the next one is the usual step; editing
        // one, saving it is.
        let editing = self.original.is_some();
        let (next_button, save_button) = if editing {
            (
                egui::Button::new("Save and add next"),
                theme::primary("Save"),
            )
        } else {
            (
                theme::primary("Save and add next"),
                egui::Button::new("Save"),
            )
        };
        let save_next = ui
            .add_enabled(valid, next_button)
            .on_hover_text("Ctrl+Enter")
            .on_disabled_hover_text(why);
        if save_next.clicked() {
            self.save(ui.ctx(), collection, true);
        }
        if ui
            .add_enabled(valid, save_button)
            .on_disabled_hover_text(why)
            .clicked()
        {
            self.save(ui.ctx(), collection, false);
        }
    }

    /// Close, or while asking whether to discard unsaved changes, Discard
    /// and Keep editing. Returns where to go, and whether Close was clicked.
    fn close_buttons(&mut self, ui: &mut egui::Ui) -> (Nav, bool) {
        if !self.confirm_close {
            return (Nav::Stay, ui.button("Close").on_hover_text("Esc").clicked());
        }
        let mut nav = Nav::Stay;
        ui.colored_label(theme::ERROR, "Discard the unsaved changes?");
        if ui.button("Discard").clicked() {
            nav = Nav::Browse;
        }
        if ui.button("Keep editing").clicked() {
            self.confirm_close = false;
        }
        (nav, false)
    }

    /// Asked to close: whether the editor may close now; with unsaved
    /// changes it asks first instead.
    fn may_close_now(&mut self, collection: &Collection) -> bool {
        if self.is_dirty(collection) {
            self.confirm_close = true;
            false
        } else {
            true
        }
    }

    /// The bar shown when the deck's file changed on disk while editing:
    /// keep this edit, or start again from the file's version.
    fn conflict_bar(&mut self, ui: &mut egui::Ui, collection: &Collection) {
        egui::Panel::top("editor_conflict").show(ui, |ui| {
            ui.add_space(4.0);
            ui.colored_label(
                theme::ERROR,
                "This deck's file changed on disk while you were editing. Nothing has been overwritten.",
            );
            ui.horizontal(|ui| {
                if ui
                    .button("Keep my edit")
                    .on_hover_text("Saving puts your card into the file as it is now on disk")
                    .clicked()
                {
                    self.changed_on_disk = false;
                }
                if ui.button("Use the file's version").clicked() {
                    let fresh = match self.original.clone() {
                        Some(id) => Self::edit(collection, &id),
                        None => Self::new_card(collection, Some(&self.deck)),
                    };
                    *self = fresh;
                }
            });
            ui.add_space(4.0);
        });
    }

    /// The form: deck and kind, the card's text, its topic, tags and
    /// source, then its problems.
    fn form(
        &mut self,
        ui: &mut egui::Ui,
        collection: &Collection,
        problems: &[rehearse_core::deck::Problem],
    ) {
        ui.heading(if self.original.is_some() {
            "Edit card"
        } else {
            "New card"
        });
        ui.add_space(6.0);
        egui::Grid::new("editor_meta")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                self.deck_picker(ui, collection);
                ui.end_row();
                self.kind_picker(ui);
                ui.end_row();
            });
        ui.add_space(8.0);
        self.front_field(ui);
        ui.add_space(6.0);
        if self.kind == CardKind::Rubric {
            self.rubric_fields(ui);
        }
        self.back_field(ui);
        ui.add_space(6.0);
        let (topics, tags) = known_topics_and_tags(collection);
        egui::Grid::new("editor_tags")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                self.topic_field(ui, &topics);
                ui.end_row();
                self.tags_field(ui, &tags);
                ui.end_row();
                self.source_field(ui);
                ui.end_row();
            });
        self.id_note(ui);
        if self.touched {
            problem_list(ui, problems);
        }
    }

    /// The deck the card goes to, labelled, as a grid row.
    fn deck_picker(&mut self, ui: &mut egui::Ui, collection: &Collection) {
        let l = ui.label("Deck");
        let deck_name = collection
            .decks()
            .iter()
            .find(|d| d.slug == self.deck)
            .map_or_else(|| "choose a deck".to_string(), |d| d.name.clone());
        egui::ComboBox::from_id_salt("editor_deck")
            .selected_text(deck_name)
            .width(260.0)
            .show_ui(ui, |ui| {
                for d in collection.decks() {
                    ui.selectable_value(&mut self.deck, d.slug.clone(), &d.name);
                }
            })
            .response
            .labelled_by(l.id);
    }

    /// The card's kind, as a grid row.
    fn kind_picker(&mut self, ui: &mut egui::Ui) {
        ui.label("Kind");
        ui.horizontal(|ui| {
            ui.radio_value(&mut self.kind, CardKind::Basic, "Basic");
            ui.radio_value(&mut self.kind, CardKind::Reversed, "Basic and reversed");
            ui.radio_value(&mut self.kind, CardKind::Cloze, "Cloze");
            ui.radio_value(&mut self.kind, CardKind::Rubric, "Rubric")
                .on_hover_text("An open-ended prompt, marked against key points");
        });
    }

    /// The front (a cloze's text, a rubric's prompt), named and hinted for
    /// the kind; it takes the focus when a new card begins.
    fn front_field(&mut self, ui: &mut egui::Ui) {
        let front_hint = match self.kind {
            CardKind::Cloze => "Text with {{c1::deletions}}, {{c2::another::hint}}…",
            CardKind::Rubric => "Design a URL shortener for 100M new links a month",
            _ => "The question, in Markdown",
        };
        let l = ui.label(
            RichText::new(match self.kind {
                CardKind::Cloze => "Text",
                CardKind::Rubric => "Prompt",
                _ => "Front",
            })
            .strong(),
        );
        let front = ui
            .add(
                egui::TextEdit::multiline(&mut self.front)
                    .hint_text(front_hint)
                    .desired_rows(4)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
        if self.focus_front {
            front.request_focus();
            self.focus_front = false;
        }
        self.touched |= front.changed();
    }

    /// The back (a cloze's extra, a rubric's notes), in a monospace font
    /// for code.
    fn back_field(&mut self, ui: &mut egui::Ui) {
        let l = ui.label(
            RichText::new(match self.kind {
                CardKind::Cloze => "Extra (optional)",
                CardKind::Rubric => "Notes (optional)",
                _ => "Back",
            })
            .strong(),
        );
        let back = ui
            .add(
                egui::TextEdit::multiline(&mut self.back)
                    .hint_text("The answer: key point first; ```code``` blocks are highlighted")
                    .desired_rows(6)
                    .desired_width(f32::INFINITY)
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(l.id);
        self.touched |= back.changed();
    }

    /// The topic, completed from the topics in use, as a grid row.
    fn topic_field(&mut self, ui: &mut egui::Ui, topics: &BTreeSet<String>) {
        let l = ui.label("Topic");
        let topic = egui::CompletionPopup::new(egui::Id::unique("editor_topic"))
            .word_boundary(|_| false)
            .show(
                ui,
                egui::TextEdit::singleline(&mut self.topic)
                    .hint_text("for weak-topic views")
                    .desired_width(f32::INFINITY),
                |query| suggest(query.word, topics, &[], ""),
            );
        egui::Response::clone(&topic.text_edit.response).labelled_by(l.id);
    }

    /// The tags, each word completed from the tags in use (less those
    /// already chosen), as a grid row.
    fn tags_field(&mut self, ui: &mut egui::Ui, tags: &BTreeSet<String>) {
        let l = ui.label("Tags");
        let chosen: Vec<String> = self.tags.split_whitespace().map(str::to_string).collect();
        let tag_field = egui::CompletionPopup::new(egui::Id::unique("editor_tags")).show(
            ui,
            egui::TextEdit::singleline(&mut self.tags)
                .hint_text("space-separated")
                .desired_width(260.0),
            |query| {
                if query.word.is_empty() {
                    Vec::new()
                } else {
                    suggest(query.word, tags, &chosen, " ")
                }
            },
        );
        egui::Response::clone(&tag_field.text_edit.response).labelled_by(l.id);
    }

    /// Where the card comes from, as a grid row.
    fn source_field(&mut self, ui: &mut egui::Ui) {
        let l = ui.label("Source");
        ui.add(
            egui::TextEdit::singleline(&mut self.source)
                .hint_text("optional")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(l.id);
    }

    /// An edited card's id, with why it matters.
    fn id_note(&self, ui: &mut egui::Ui) {
        if let Some(id) = &self.original {
            ui.label(
                RichText::new(format!(
                    "Id {id}: progress stays with it through edits and moves."
                ))
                .small()
                .weak(),
            );
        }
    }

    /// A rubric's key points (one per line) and its time box.
    fn rubric_fields(&mut self, ui: &mut egui::Ui) {
        let l = ui.label(RichText::new("Key points (one per line)").strong());
        let points = ui
            .add(
                egui::TextEdit::multiline(&mut self.points)
                    .hint_text("estimates QPS and storage\ncaches hot redirects\n…")
                    .desired_rows(5)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
        self.touched |= points.changed();
        ui.horizontal(|ui| {
            let l = ui.label("Time box");
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut self.time_box)
                        .hint_text("10m (optional)")
                        .desired_width(120.0),
                )
                .labelled_by(l.id);
            self.touched |= r.changed();
        });
        ui.add_space(6.0);
    }

    fn preview(&self, ui: &mut egui::Ui, markdown: &mut Markdown) {
        ui.heading("Preview");
        let card = self.card();
        let items = card.items();
        if self.front.trim().is_empty() && self.back.trim().is_empty() {
            ui.label(RichText::new("The card shows here as you type.").weak());
            return;
        }
        if items.is_empty() {
            ui.label(RichText::new("Nothing to preview yet.").weak());
        }
        for (i, item) in items.iter().enumerate().take(4) {
            let (q, a) = card.render(item.variant);
            let label = match item.variant {
                Variant::Forward if card.kind == CardKind::Reversed => "Front → back".to_string(),
                Variant::Forward => "Card".to_string(),
                Variant::Reverse => "Back → front".to_string(),
                Variant::Cloze(n) => format!("Cloze {n}"),
            };
            ui.add_space(8.0);
            egui::Frame::group(ui.style())
                .inner_margin(10.0)
                .show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.label(RichText::new(label).small().weak());
                    markdown.show(ui, &format!("preview_q{i}"), &q);
                    ui.separator();
                    markdown.show(ui, &format!("preview_a{i}"), &a);
                });
        }
    }
}

/// The card's problems, errors in red and warnings in orange.
fn problem_list(ui: &mut egui::Ui, problems: &[rehearse_core::deck::Problem]) {
    for p in problems {
        let color = if p.is_error {
            theme::ERROR
        } else {
            theme::LEARNING
        };
        let kind = if p.is_error { "Error" } else { "Warning" };
        ui.colored_label(color, format!("{kind}: {}", p.message));
    }
}

/// Up to eight known values containing what is typed (those starting with it
/// first), leaving out exact matches and values already chosen.
fn suggest(
    typed: &str,
    known: &BTreeSet<String>,
    chosen: &[String],
    then: &str,
) -> Vec<egui::Suggestion> {
    let needle = typed.trim().to_lowercase();
    let mut matches: Vec<&String> = known
        .iter()
        .filter(|k| {
            let k = k.to_lowercase();
            k != needle && k.contains(&needle)
        })
        .filter(|k| !chosen.contains(k))
        .collect();
    matches.sort_by_key(|k| !k.to_lowercase().starts_with(&needle));
    matches
        .into_iter()
        .take(8)
        .map(|m| egui::Suggestion::new(format!("{m}{then}")).content(m.clone()))
        .collect()
}

fn known_topics_and_tags(collection: &Collection) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut topics = BTreeSet::new();
    let mut tags = BTreeSet::new();
    for c in collection.decks().iter().flat_map(|d| &d.cards) {
        if !c.topic.is_empty() {
            topics.insert(c.topic.clone());
        }
        tags.extend(c.tags.iter().cloned());
    }
    (topics, tags)
}
