//! The card editor: front and back with a live preview rendered as the study
//! screen renders it, the kind, a topic picker, tags with completion, and
//! problems explained inline. Ctrl+Enter saves and starts the next card.

use std::collections::BTreeSet;

use egui::{Key, Modifiers, RichText};

use super::{Markdown, Nav, theme};
use crate::collection::Collection;
use crate::deck::{self, Card, CardId, CardKind, Deck, Variant};

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
    message: Option<(bool, String)>,
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
            message: None,
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
            s.deck = deck.slug.clone();
            s.original = Some(card.id.clone());
            s.kind = card.kind;
            s.front = card.front.clone();
            s.back = card.back.clone();
            s.topic = card.topic.clone();
            s.tags = card.tags.join(" ");
            s.source = card.source.clone().unwrap_or_default();
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
        let id = self.original.clone().unwrap_or_else(|| new_id(&self.front));
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
        }
    }

    /// Problems that stop the card from being saved, shown as the user types.
    fn problems(&self) -> Vec<String> {
        let card = self.card();
        deck::validate(&Deck {
            slug: String::new(),
            name: String::new(),
            description: String::new(),
            cards: vec![card],
        })
        .into_iter()
        .filter(|p| p.is_error)
        .map(|p| {
            // Validation names the card by position; here there is only this one.
            p.message
                .split_once(": ")
                .map_or(p.message.clone(), |(_, m)| m.to_string())
        })
        .collect()
    }

    fn save(&mut self, collection: &mut Collection, next: bool) -> bool {
        if !self.problems().is_empty() {
            self.message = Some((false, "Fix the problems shown before saving.".into()));
            return false;
        }
        let card = self.card();
        match collection.save_card(&self.deck, self.original.as_ref(), card.clone()) {
            Ok(()) => {
                self.saved += 1;
                if next {
                    // Keep deck, kind, topic and tags: cards are usually written in runs.
                    self.original = None;
                    self.front.clear();
                    self.back.clear();
                    self.focus_front = true;
                    self.message = Some((
                        true,
                        format!(
                            "Saved. {} card{} this session.",
                            self.saved,
                            if self.saved == 1 { "" } else { "s" }
                        ),
                    ));
                } else {
                    self.original = Some(card.id);
                    self.message = Some((true, "Saved.".into()));
                }
                true
            }
            Err(e) => {
                self.message = Some((false, e.to_string()));
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
        let mut nav = Nav::Stay;
        if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter)) {
            self.save(collection, true);
        }
        // Esc closes, but never throws away unsaved text without asking.
        let escape = !ui.ctx().egui_wants_keyboard_input()
            && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
        let mut close = escape;
        let problems = self.problems();
        egui::Panel::bottom("editor_bar").show(ui, |ui| {
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let save_next = ui
                    .add_enabled(
                        problems.is_empty(),
                        egui::Button::new(RichText::new("Save and add next").strong()),
                    )
                    .on_hover_text("Ctrl+Enter");
                if save_next.clicked() {
                    self.save(collection, true);
                }
                if ui
                    .add_enabled(problems.is_empty(), egui::Button::new("Save"))
                    .clicked()
                {
                    self.save(collection, false);
                }
                if self.confirm_close {
                    ui.colored_label(theme::ERROR, "Discard the unsaved changes?");
                    if ui.button("Discard").clicked() {
                        nav = Nav::Browse;
                    }
                    if ui.button("Keep editing").clicked() {
                        self.confirm_close = false;
                    }
                } else if ui.button("Close").on_hover_text("Esc").clicked() {
                    close = true;
                }
                if let Some((ok, text)) = &self.message {
                    ui.colored_label(if *ok { theme::REVIEW } else { theme::ERROR }, text);
                }
            });
            ui.add_space(6.0);
        });
        if close {
            if self.is_dirty(collection) {
                self.confirm_close = true;
            } else {
                nav = Nav::Browse;
            }
        }
        if self.changed_on_disk {
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
        egui::CentralPanel::default().show(ui, |ui| {
            ui.columns(2, |cols| {
                egui::ScrollArea::vertical()
                    .id_salt("editor_form")
                    .show(&mut cols[0], |ui| {
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

    fn form(&mut self, ui: &mut egui::Ui, collection: &Collection, problems: &[String]) {
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
                ui.end_row();
                ui.label("Kind");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut self.kind, CardKind::Basic, "Basic");
                    ui.radio_value(&mut self.kind, CardKind::Reversed, "Basic and reversed");
                    ui.radio_value(&mut self.kind, CardKind::Cloze, "Cloze");
                });
                ui.end_row();
            });
        ui.add_space(8.0);
        let front_hint = match self.kind {
            CardKind::Cloze => "Text with {{c1::deletions}}, {{c2::another::hint}}…",
            _ => "The question, in Markdown",
        };
        let l = ui.label(
            RichText::new(if self.kind == CardKind::Cloze {
                "Text"
            } else {
                "Front"
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
        ui.add_space(6.0);
        let l = ui.label(
            RichText::new(if self.kind == CardKind::Cloze {
                "Extra (optional)"
            } else {
                "Back"
            })
            .strong(),
        );
        ui.add(
            egui::TextEdit::multiline(&mut self.back)
                .hint_text("The answer: key point first; ```code``` blocks are highlighted")
                .desired_rows(6)
                .desired_width(f32::INFINITY)
                .font(egui::TextStyle::Monospace),
        )
        .labelled_by(l.id);
        ui.add_space(6.0);
        let (topics, tags) = known_topics_and_tags(collection);
        egui::Grid::new("editor_tags")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                let l = ui.label("Topic");
                let r = ui
                    .add(egui::TextEdit::singleline(&mut self.topic).desired_width(260.0))
                    .labelled_by(l.id);
                ui.end_row();
                let typed = self.topic.clone();
                suggestions(ui, r.has_focus(), &typed, &topics, |pick| self.topic = pick);
                let l = ui.label("Tags");
                let r = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.tags)
                            .hint_text("space-separated")
                            .desired_width(260.0),
                    )
                    .labelled_by(l.id);
                ui.end_row();
                let last = self.tags.rsplit(' ').next().unwrap_or("").to_string();
                let head = self.tags[..self.tags.len() - last.len()].to_string();
                suggestions(
                    ui,
                    r.has_focus() && !last.is_empty(),
                    &last,
                    &tags,
                    |pick| {
                        self.tags = format!("{head}{pick} ");
                    },
                );
                let l = ui.label("Source");
                ui.add(
                    egui::TextEdit::singleline(&mut self.source)
                        .hint_text("optional")
                        .desired_width(260.0),
                )
                .labelled_by(l.id);
                ui.end_row();
            });
        if let Some(id) = &self.original {
            ui.label(
                RichText::new(format!(
                    "Id {id}: progress stays with it through edits and moves."
                ))
                .small()
                .weak(),
            );
        }
        for p in problems {
            ui.colored_label(theme::ERROR, p);
        }
    }

    fn preview(&self, ui: &mut egui::Ui, markdown: &mut Markdown) {
        ui.heading("Preview");
        let card = self.card();
        let items = card.items();
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
                    ui.scope(|ui| {
                        ui.visuals_mut().override_text_color =
                            Some(ui.visuals().strong_text_color());
                        markdown.show(ui, &format!("preview_q{i}"), &q);
                    });
                    ui.separator();
                    markdown.show(ui, &format!("preview_a{i}"), &a);
                });
        }
    }
}

/// Up to eight known values that start with (or contain) what is typed.
fn suggestions(
    ui: &mut egui::Ui,
    show: bool,
    typed: &str,
    known: &BTreeSet<String>,
    mut pick: impl FnMut(String),
) {
    if !show {
        return;
    }
    let needle = typed.trim().to_lowercase();
    let matches: Vec<&String> = known
        .iter()
        .filter(|k| {
            let k = k.to_lowercase();
            k != needle && (needle.is_empty() || k.contains(&needle))
        })
        .take(8)
        .collect();
    if matches.is_empty() {
        return;
    }
    ui.label("");
    ui.horizontal_wrapped(|ui| {
        for m in matches {
            if ui.small_button(m).clicked() {
                pick(m.clone());
            }
        }
    });
    ui.end_row();
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

/// A readable, practically unique id for a new card: words of its front and
/// a short stamp.
fn new_id(front: &str) -> CardId {
    let words: Vec<String> = crate::collection::slugify(front)
        .split('-')
        .filter(|w| !w.is_empty())
        .take(5)
        .map(str::to_string)
        .collect();
    let stamp =
        jiff::Timestamp::now().as_nanosecond() as u64 ^ crate::deck::fnv1a(front.as_bytes());
    let base: String = words
        .join("-")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect();
    let base = if base.is_empty() {
        "card".to_string()
    } else {
        base
    };
    CardId::new(format!("{base}-{:04x}", stamp & 0xffff))
        .unwrap_or_else(|_| CardId::derived_from(front))
}
