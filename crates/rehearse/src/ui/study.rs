//! Study: the question, Space to reveal, 1–4 to grade with each button's
//! interval on it, Ctrl+Z or U to undo, and a summary when the queue is empty.

use std::time::{Duration, Instant};

use egui::{Align, Key, Layout, Modifiers, RichText};
use jiff::Timestamp;

use super::{Markdown, Nav, theme};
use rehearse_core::collection::{Collection, Undone};
use rehearse_core::deck::ItemId;
use rehearse_core::schedule::{Outcome, Rating};
use rehearse_core::study::{Scope, Session, next_due_after_today};

/// Time on a card counts up to this, as in Anki, so a coffee break does not skew statistics.
const MAX_ANSWER_TIME: Duration = Duration::from_secs(60);

/// Study screen state.
pub struct StudyScreen {
    session: Session,
    title: String,
    current: Option<ItemId>,
    revealed: bool,
    shown_at: Instant,
    outcomes: Option<[Outcome; 4]>,
    error: Option<String>,
    /// The rubric being answered, when the current card is a rubric prompt.
    rubric: Option<super::rubric::RubricAnswer>,
    /// The mock interview this session is, if it is one.
    mock: Option<super::mock::MockRun>,
    /// Items buried or suspended in this session, most recent last, until an
    /// answer comes after them (undo takes them back first).
    set_aside: Vec<ItemId>,
}

impl StudyScreen {
    /// A session over `scope`.
    pub fn new(collection: &Collection, scope: Scope, now: Timestamp) -> Self {
        let title = match &scope {
            Scope::All => "All decks".to_string(),
            Scope::Deck(slug) => collection
                .decks()
                .iter()
                .find(|d| d.slug == *slug)
                .map_or_else(|| slug.clone(), |d| d.name.clone()),
            Scope::Drill(filter) => {
                let names: Vec<&str> = filter
                    .topics
                    .iter()
                    .chain(&filter.tags)
                    .map(String::as_str)
                    .collect();
                format!("Drill: {}", names.join(", "))
            }
            Scope::Fixed(items) => super::plural(items.len(), "chosen card"),
            Scope::Extended { decks, .. } => {
                let name = decks
                    .as_ref()
                    .and_then(|d| d.first())
                    .and_then(|slug| collection.decks().iter().find(|d| d.slug == *slug))
                    .map_or("All decks", |d| d.name.as_str());
                format!("Custom study: {name}")
            }
            Scope::Decks(slugs) => {
                // The parent's name: what the decks' names have in common.
                let names: Vec<Vec<&str>> = collection
                    .decks()
                    .iter()
                    .filter(|d| slugs.contains(&d.slug))
                    .map(|d| d.name.split(rehearse_core::deck_tree::SEPARATOR).collect())
                    .collect();
                let first = names.first().cloned().unwrap_or_default();
                let common = (0..first.len())
                    .take_while(|&i| names.iter().all(|n| n.get(i) == first.get(i)))
                    .count();
                first[..common].join(rehearse_core::deck_tree::SEPARATOR)
            }
        };
        Self {
            session: Session::new(collection, scope, now),
            title,
            current: None,
            revealed: false,
            shown_at: Instant::now(),
            outcomes: None,
            error: None,
            rubric: None,
            mock: None,
            set_aside: Vec::new(),
        }
    }

    /// A mock interview following `plan`.
    pub fn mock(
        collection: &Collection,
        plan: rehearse_core::interview::MockPlan,
        now: Timestamp,
    ) -> Self {
        let run = super::mock::MockRun::new(collection, plan, now);
        let mut s = Self::new(collection, run.scope(), now);
        s.title = run.title();
        s.mock = Some(run);
        s
    }

    /// The card showing, if any.
    pub fn current(&self) -> Option<&ItemId> {
        self.current.as_ref()
    }

    /// Whether the answer is showing.
    pub fn revealed(&self) -> bool {
        self.revealed
    }

    fn refresh_current(&mut self, collection: &Collection, now: Timestamp) {
        let next = self.session.current(collection, now);
        if next != self.current {
            self.rubric = next
                .as_ref()
                .and_then(|id| collection.card_of(id))
                .filter(|c| c.kind == rehearse_core::deck::CardKind::Rubric)
                .map(super::rubric::RubricAnswer::new);
            self.current = next;
            self.revealed = false;
            self.outcomes = None;
            self.shown_at = Instant::now();
        }
    }

    fn answer(&mut self, collection: &mut Collection, rating: Rating, now: Timestamp) {
        self.set_aside.clear();
        let result = match &self.rubric {
            Some(r) => self
                .session
                .answer_rubric(collection, rating, now, r.took_ms(), r.marks()),
            None => {
                let took = self.shown_at.elapsed().min(MAX_ANSWER_TIME).as_millis() as u32;
                self.session.answer(collection, rating, now, took)
            }
        };
        if result.is_ok()
            && let (Some(mock), Some(id)) = (&mut self.mock, self.current.clone())
        {
            let (took, marks) = match &self.rubric {
                Some(r) => (r.took_ms(), Some(r.marks())),
                None => (
                    self.shown_at.elapsed().min(MAX_ANSWER_TIME).as_millis() as u32,
                    None,
                ),
            };
            mock.record(id, rating, took, marks);
        }
        match result {
            Ok(_) => {
                self.error = None;
                self.current = None;
                self.refresh_current(collection, now);
            }
            Err(e) => self.error = Some(format!("The answer was not saved: {e}")),
        }
    }

    fn undo(&mut self, ctx: &egui::Context, collection: &mut Collection, now: Timestamp) {
        // One history: whatever was done last, here or on another screen.
        match self.session.undo(collection, now) {
            Ok(Some(Undone::Answer(_))) => {
                if let Some(mock) = &mut self.mock {
                    mock.undo();
                }
                self.error = None;
                // The undone card comes back with its answer hidden.
                self.current = None;
                self.refresh_current(collection, now);
            }
            Ok(Some(Undone::Edit { label, items })) => {
                // A card buried or suspended here comes back into the session.
                if let Some(id) = self.set_aside.last()
                    && items.contains(id)
                {
                    let id = id.clone();
                    self.set_aside.pop();
                    self.session.restore(id);
                }
                self.error = None;
                self.current = None;
                self.refresh_current(collection, now);
                super::notice::info(ctx, format!("Undone: {label}."));
            }
            Ok(None) => {}
            Err(e) => self.error = Some(format!("Undo failed: {e}")),
        }
    }

    /// Draws the screen and handles its keys.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        markdown: &mut Markdown,
        now: Timestamp,
    ) -> Nav {
        self.refresh_current(collection, now);
        if self.revealed
            && self.outcomes.is_none()
            && let Some(id) = &self.current
        {
            match collection.preview(id, now) {
                Ok(o) => self.outcomes = Some(o),
                Err(e) => self.error = Some(e.to_string()),
            }
        }
        let mut nav = self.keys(ui, collection, now).unwrap_or(Nav::Stay);
        egui::Panel::top("study_header").show(ui, |ui| {
            ui.add_space(2.0);
            ui.horizontal(|ui| {
                if ui.button("Back").on_hover_text("Esc").clicked() {
                    nav = Nav::Home;
                }
                ui.label(RichText::new(&self.title).strong());
                if let Some(mock) = &self.mock {
                    mock.clock(ui);
                }
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    let undo = ui
                        .add_enabled(collection.undo_depth() > 0, egui::Button::new("Undo"))
                        .on_hover_text("Ctrl+Z or U");
                    if undo.clicked() {
                        self.undo(ui.ctx(), collection, now);
                    }
                    let left = self.session.remaining(collection);
                    ui.label(
                        RichText::new(left.review.to_string())
                            .color(theme::REVIEW)
                            .strong(),
                    )
                    .on_hover_text("Reviews left today");
                    ui.label(
                        RichText::new(left.learning.to_string())
                            .color(theme::LEARNING)
                            .strong(),
                    )
                    .on_hover_text("Learning cards left today");
                    ui.label(
                        RichText::new(left.new.to_string())
                            .color(theme::NEW)
                            .strong(),
                    )
                    .on_hover_text("New cards left today");
                });
            });
        });

        let mock_over = self.mock.as_ref().is_some_and(|m| m.done());
        if mock_over && let Some(mock) = &mut self.mock {
            mock.finish(ui.ctx(), collection, now);
        }
        if let Some(mock) = self.mock.as_ref().filter(|_| mock_over) {
            let report =
                egui::CentralPanel::default().show(ui, |ui| mock.report(ui, collection, now));
            if !matches!(report.inner, Nav::Stay) {
                nav = report.inner;
            }
        } else if let Some(id) = self.current.clone() {
            self.answer_bar(ui, collection, now);
            egui::CentralPanel::default().show(ui, |ui| {
                self.card(ui, collection, markdown, &id);
            });
        } else if let Some(mock) = &self.mock {
            let report =
                egui::CentralPanel::default().show(ui, |ui| mock.report(ui, collection, now));
            if !matches!(report.inner, Nav::Stay) {
                nav = report.inner;
            }
        } else {
            egui::CentralPanel::default().show(ui, |ui| {
                if let Some(n) = self.finished(ui, collection, now) {
                    nav = n;
                }
            });
        }
        nav
    }

    /// Space/Enter reveal, 1–4 grade, u or Ctrl+Z undo, e edit the card.
    fn keys(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        now: Timestamp,
    ) -> Option<Nav> {
        if ui.ctx().egui_wants_keyboard_input() || self.mock.as_ref().is_some_and(|m| m.done()) {
            return None;
        }
        if self.rubric.is_some() {
            return self.rubric_keys(ui, collection, now);
        }
        let pressed = |key| ui.input_mut(|i| i.consume_key(Modifiers::NONE, key));
        if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Z)) || pressed(Key::U) {
            self.undo(ui.ctx(), collection, now);
            return None;
        }
        let current = self.current.clone()?;
        if pressed(Key::E) {
            return Some(Nav::Edit(Some(current.card)));
        }
        if pressed(Key::I) {
            return Some(Nav::CardInfo(current));
        }
        if pressed(Key::Minus) {
            self.set_aside(ui.ctx(), collection, current, false, now);
            return None;
        }
        let at = ui.input_mut(|i| {
            let at = i
                .events
                .iter()
                .position(|e| matches!(e, egui::Event::Text(t) if t == "@"));
            at.map(|at| i.events.remove(at)).is_some()
        });
        if at {
            self.set_aside(ui.ctx(), collection, current, true, now);
            return None;
        }
        let space_or_enter = pressed(Key::Space) | pressed(Key::Enter);
        if !self.revealed {
            if space_or_enter {
                self.revealed = true;
            }
            return None;
        }
        let rating = if pressed(Key::Num1) {
            Some(Rating::Again)
        } else if pressed(Key::Num2) {
            Some(Rating::Hard)
        } else if pressed(Key::Num3) || space_or_enter {
            Some(Rating::Good)
        } else if pressed(Key::Num4) {
            Some(Rating::Easy)
        } else {
            None
        };
        if let Some(r) = rating {
            self.answer(collection, r, now);
        }
        None
    }

    /// Buries the current card until tomorrow, or suspends it (`suspend`).
    fn set_aside(
        &mut self,
        ctx: &egui::Context,
        collection: &mut Collection,
        id: ItemId,
        suspend: bool,
        now: Timestamp,
    ) {
        let result = if suspend {
            collection.suspend_items(std::slice::from_ref(&id), true, now)
        } else {
            collection.bury_items(std::slice::from_ref(&id), now)
        };
        match result {
            Ok(_) => {
                self.session.drop_current();
                self.set_aside.push(id);
                self.current = None;
                self.refresh_current(collection, now);
                super::notice::info(
                    ctx,
                    if suspend {
                        "Suspended the card. U or Ctrl+Z undoes it."
                    } else {
                        "Buried the card until tomorrow. U or Ctrl+Z undoes it."
                    },
                );
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// For a rubric: Space or Enter reveals it; then 1–9 tick points, Enter
    /// accepts the proposed grade and Shift+1–4 chooses another.
    fn rubric_keys(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        now: Timestamp,
    ) -> Option<Nav> {
        let pressed = |key, modifiers| ui.input_mut(|i| i.consume_key(modifiers, key));
        if pressed(Key::Z, Modifiers::COMMAND) || pressed(Key::U, Modifiers::NONE) {
            self.undo(ui.ctx(), collection, now);
            return None;
        }
        let current = self.current.clone()?;
        if pressed(Key::E, Modifiers::NONE) {
            return Some(Nav::Edit(Some(current.card)));
        }
        if pressed(Key::I, Modifiers::NONE) {
            return Some(Nav::CardInfo(current));
        }
        let space_or_enter =
            pressed(Key::Space, Modifiers::NONE) | pressed(Key::Enter, Modifiers::NONE);
        if !self.revealed {
            if space_or_enter {
                self.reveal();
            }
            return None;
        }
        let chosen = [
            (Key::Num1, Rating::Again),
            (Key::Num2, Rating::Hard),
            (Key::Num3, Rating::Good),
            (Key::Num4, Rating::Easy),
        ]
        .into_iter()
        .find(|(key, _)| pressed(*key, Modifiers::SHIFT))
        .map(|(_, r)| r);
        let rubric = self.rubric.as_mut()?;
        rubric.tick_keys(ui);
        let rating = chosen.or_else(|| space_or_enter.then(|| rubric.proposed()));
        if let Some(r) = rating {
            self.answer(collection, r, now);
        }
        None
    }

    fn reveal(&mut self) {
        self.revealed = true;
        if let Some(r) = &mut self.rubric {
            r.reveal();
        }
    }

    fn card(
        &mut self,
        ui: &mut egui::Ui,
        collection: &Collection,
        markdown: &mut Markdown,
        id: &ItemId,
    ) {
        let Some((question, answer)) = collection.render(id) else {
            ui.label("This card no longer exists in any deck.");
            return;
        };
        let meta = collection.card_of(id).map(|c| {
            let deck = collection
                .deck_of(id)
                .map(|d| d.name.as_str())
                .unwrap_or("");
            let mut parts = vec![deck.to_string()];
            if !c.topic.is_empty() {
                parts.push(c.topic.clone());
            }
            if id.variant == rehearse_core::deck::Variant::Reverse {
                parts.push("reversed".into());
            }
            parts.join(" · ")
        });
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.set_max_width(720.0);
                    ui.add_space(24.0);
                    ui.with_layout(Layout::top_down(Align::Min), |ui| {
                        if let Some(meta) = meta {
                            ui.label(RichText::new(meta).small().weak());
                            ui.add_space(6.0);
                        }
                        ui.scope(|ui| {
                            // The question reads as a heading: larger.
                            ui.style_mut()
                                .text_styles
                                .insert(egui::TextStyle::Body, egui::FontId::proportional(20.0));
                            // A revealed cloze reads as its filled-in text, not the
                            // question and then the same sentence again.
                            let cloze =
                                matches!(id.variant, rehearse_core::deck::Variant::Cloze(_));
                            if cloze && self.revealed {
                                markdown.show(ui, "question", &answer);
                            } else {
                                markdown.show(ui, "question", &question);
                            }
                        });
                        if let Some(rubric) = &mut self.rubric {
                            if !self.revealed {
                                if rubric.answering(ui) {
                                    self.revealed = true;
                                    rubric.reveal();
                                }
                            } else {
                                ui.add_space(10.0);
                                ui.separator();
                                rubric.marking(ui);
                                if let Some(notes) = collection
                                    .card_of(id)
                                    .map(|c| c.back.trim())
                                    .filter(|b| !b.is_empty())
                                {
                                    ui.add_space(10.0);
                                    markdown.show(ui, "answer", notes);
                                }
                            }
                        } else if self.revealed
                            && !matches!(id.variant, rehearse_core::deck::Variant::Cloze(_))
                        {
                            ui.add_space(10.0);
                            ui.separator();
                            ui.add_space(10.0);
                            markdown.show(ui, "answer", &answer);
                        }
                        ui.add_space(24.0);
                    });
                });
            });
    }

    fn answer_bar(&mut self, ui: &mut egui::Ui, collection: &mut Collection, now: Timestamp) {
        egui::Panel::bottom("answer_bar").show(ui, |ui| {
            // One height before and after the reveal, so nothing jumps.
            ui.set_min_height(if self.rubric.is_some() { 118.0 } else { 96.0 });
            ui.add_space(10.0);
            if let Some(e) = &self.error {
                ui.colored_label(theme::ERROR, e);
            }
            ui.vertical_centered(|ui| {
                if !self.revealed {
                    let label = if self.rubric.is_some() {
                        "Done: show the rubric"
                    } else {
                        "Show answer"
                    };
                    let button = egui::Button::new(RichText::new(label).size(17.0))
                        .min_size(egui::vec2(220.0, 40.0));
                    if ui.add(button).on_hover_text("Space or Enter").clicked() {
                        self.reveal();
                    }
                    ui.label(RichText::new("Space").small().weak());
                    return;
                }
                let proposed = self.rubric.as_ref().map(|r| r.proposed());
                if let Some(r) = &self.rubric {
                    ui.label(RichText::new(r.proposal_line()).small());
                    ui.add_space(4.0);
                }
                let Some(outcomes) = self.outcomes.clone() else {
                    return;
                };
                let mut chosen = None;
                let width = 4.0 * 120.0 + 3.0 * ui.spacing().item_spacing.x;
                ui.allocate_ui_with_layout(
                    egui::vec2(width, 64.0),
                    Layout::left_to_right(Align::Center),
                    |ui| {
                        for (i, rating) in Rating::ALL.into_iter().enumerate() {
                            let label = outcomes[i].interval.label();
                            ui.vertical(|ui| {
                                ui.set_width(120.0);
                                ui.vertical_centered(|ui| {
                                    ui.label(RichText::new(&label).small());
                                    let mut button =
                                        egui::Button::new(RichText::new(rating.label()).strong())
                                            .min_size(egui::vec2(112.0, 36.0))
                                            .fill(rating_fill(ui, rating));
                                    if proposed == Some(rating) {
                                        button = button.stroke(egui::Stroke::new(
                                            2.5,
                                            ui.visuals().strong_text_color(),
                                        ));
                                    }
                                    let r = ui.add(button).on_hover_text(format!("Key {}", i + 1));
                                    r.widget_info(|| {
                                        egui::WidgetInfo::labeled(
                                            egui::Role::Button,
                                            true,
                                            format!("{} {label}", rating.label()),
                                        )
                                    });
                                    if r.clicked() {
                                        chosen = Some(rating);
                                    }
                                    let key = if proposed.is_some() {
                                        format!("Shift+{}", i + 1)
                                    } else {
                                        (i + 1).to_string()
                                    };
                                    ui.label(RichText::new(key).small().weak());
                                });
                            });
                        }
                    },
                );
                if let Some(r) = chosen {
                    self.answer(collection, r, now);
                }
            });
            ui.add_space(6.0);
        });
    }

    /// The end-of-queue summary. Returns where to go next.
    fn finished(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        now: Timestamp,
    ) -> Option<Nav> {
        let summary = self.session.summary();
        let mut home = false;
        let mut custom = false;
        ui.vertical_centered(|ui| {
            ui.set_max_width(560.0);
            ui.add_space(48.0);
            ui.heading(if summary.answered == 0 {
                "Nothing to study right now"
            } else {
                "Done for now"
            });
            ui.add_space(16.0);
            if summary.answered > 0 {
                egui::Grid::new("summary")
                    .num_columns(2)
                    .spacing([32.0, 8.0])
                    .show(ui, |ui| {
                        ui.label("Cards studied");
                        ui.label(RichText::new(summary.cards.to_string()).strong());
                        ui.end_row();
                        ui.label("Answers");
                        ui.label(RichText::new(summary.answered.to_string()).strong());
                        ui.end_row();
                        ui.label("Time spent");
                        ui.label(
                            RichText::new(duration_label(Duration::from_millis(summary.time_ms)))
                                .strong(),
                        );
                        ui.end_row();
                        ui.label("Again rate");
                        ui.label(
                            RichText::new(format!("{:.0}%", 100.0 * summary.again_rate())).strong(),
                        );
                        ui.end_row();
                    });
                ui.add_space(16.0);
            }
            if let Some(due) = self.session.next_learning_due() {
                let wait = (due.as_second() - now.as_second()).max(0);
                ui.label(format!(
                    "A learning card comes back in {}. It will show here when it is due.",
                    duration_label(Duration::from_secs(wait as u64))
                ));
                ui.ctx()
                    .request_repaint_after(Duration::from_secs((wait as u64).clamp(1, 30)));
            } else if let Some(next) = next_due_after_today(collection, self.session.scope(), now) {
                let zoned = next.to_zoned(collection.scheduler().clock().time_zone().clone());
                ui.label(format!(
                    "The next card is due {}.",
                    zoned.strftime("%A %-d %B, %H:%M")
                ));
            }
            ui.add_space(24.0);
            ui.horizontal(|ui| {
                if ui.button("Back to decks").clicked() {
                    home = true;
                }
                if ui
                    .button("Custom study…")
                    .on_hover_text("More than today's limits, forgotten cards, or reviews ahead")
                    .clicked()
                {
                    custom = true;
                }
            });
        });
        if custom {
            let deck = match self.session.scope() {
                Scope::Deck(slug) => Some(slug.clone()),
                _ => None,
            };
            Some(Nav::CustomStudy(deck))
        } else {
            home.then_some(Nav::Home)
        }
    }
}

fn rating_fill(ui: &egui::Ui, rating: Rating) -> egui::Color32 {
    let base = match rating {
        Rating::Again => theme::AGAIN,
        Rating::Hard => theme::HARD,
        Rating::Good => theme::GOOD,
        Rating::Easy => theme::EASY,
    };
    let alpha = if ui.visuals().dark_mode { 90 } else { 60 };
    egui::Color32::from_rgba_unmultiplied(base.r(), base.g(), base.b(), alpha)
}

fn duration_label(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min", s.div_ceil(60))
    } else {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    }
}
