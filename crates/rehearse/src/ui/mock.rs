//! Mock interview: choose a length and a focus, see what the session holds,
//! start it; afterwards, the report (points covered and missed per prompt,
//! time per prompt, the topics to drill next, how readiness moved).

use std::time::{Duration, Instant};

use egui::RichText;
use jiff::Timestamp;

use super::rubric::mmss;
use super::{Nav, plural, theme};
use rehearse_core::collection::Collection;
use rehearse_core::deck::ItemId;
use rehearse_core::insight::weak::DrillFilter;
use rehearse_core::interview::{Focus, MockPlan, RubricMarks, plan_mock};
use rehearse_core::schedule::Rating;
use rehearse_core::study::Scope;

/// The set-up screen.
pub struct MockScreen {
    minutes: u32,
    focus: Focus,
    plan: Option<MockPlan>,
}

impl MockScreen {
    /// A 45-minute system-design mock, planned for `now`.
    pub fn new(collection: &Collection, now: Timestamp) -> Self {
        let mut s = Self {
            minutes: 45,
            focus: Focus::SystemDesign,
            plan: None,
        };
        s.plan = Some(plan_mock(collection, s.focus, s.minutes, now));
        s
    }

    /// Draws the screen.
    pub fn show(&mut self, ui: &mut egui::Ui, collection: &Collection, now: Timestamp) -> Nav {
        let mut nav = Nav::Stay;
        egui::ScrollArea::vertical()
            .id_salt("mock_scroll")
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.set_max_width(720.0);
                    ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                        ui.add_space(12.0);
                        ui.heading("Mock interview");
                        ui.label(
                            RichText::new(
                                "Open-ended prompts answered aloud against the clock, then \
                                 quick-fire questions from your weakest topics. Every answer \
                                 is a real review.",
                            )
                            .weak(),
                        );
                        ui.add_space(10.0);
                        let before = (self.minutes, self.focus);
                        ui.horizontal(|ui| {
                            ui.label(RichText::new("Length").strong());
                            for m in [30, 45, 60] {
                                ui.selectable_value(&mut self.minutes, m, format!("{m} min"));
                            }
                        });
                        ui.horizontal_wrapped(|ui| {
                            ui.label(RichText::new("Focus").strong());
                            for f in Focus::ALL {
                                ui.selectable_value(&mut self.focus, f, f.label());
                            }
                        });
                        if before != (self.minutes, self.focus) || self.plan.is_none() {
                            self.plan = Some(plan_mock(collection, self.focus, self.minutes, now));
                        }
                        if let Some(plan) = &self.plan {
                            ui.add_space(10.0);
                            preview(ui, collection, plan);
                            ui.add_space(12.0);
                            let empty = plan.items().is_empty();
                            let enter = !empty
                                && !ui.ctx().egui_wants_keyboard_input()
                                && ui.input_mut(|i| {
                                    i.consume_key(egui::Modifiers::NONE, egui::Key::Enter)
                                });
                            if enter {
                                nav = Nav::Mock(Box::new(plan.clone()));
                            }
                            if ui
                                .add_enabled(!empty, theme::primary("Start the interview"))
                                .on_hover_text("Enter")
                                .on_disabled_hover_text(
                                    "No prompts or cards fit this focus; add rubric cards or choose another focus",
                                )
                                .clicked()
                            {
                                nav = Nav::Mock(Box::new(plan.clone()));
                            }
                        }
                    });
                });
            });
        nav
    }
}

/// What the planned session holds.
fn preview(ui: &mut egui::Ui, collection: &Collection, plan: &MockPlan) {
    egui::Frame::group(ui.style())
        .inner_margin(12.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            if plan.prompts.is_empty() {
                ui.label(format!(
                    "No rubric prompts fit \"{}\": the session is quick-fire only.",
                    plan.focus.label()
                ));
            }
            for id in &plan.prompts {
                let (front, boxed) = collection.card_of(id).map_or((String::new(), None), |c| {
                    (first_line(&c.front), c.rubric.time_box)
                });
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new("Prompt").color(theme::NEW).strong());
                    ui.label(front);
                    if let Some(t) = boxed {
                        ui.label(RichText::new(format!("({t})")).weak());
                    }
                });
            }
            ui.label(if plan.quick.is_empty() {
                "No quick-fire cards: nothing studied or new is left in the weakest topics."
                    .to_string()
            } else {
                format!(
                    "Then {} from {}.",
                    plural(plan.quick.len(), "quick-fire card"),
                    plan.topics.join(", ")
                )
            });
        });
}

fn first_line(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut out: String = line.chars().take(100).collect();
    if line.chars().count() > 100 {
        out.push('…');
    }
    out
}

/// One answer in a mock interview, for the report.
#[derive(Clone, Debug)]
struct Answer {
    item: ItemId,
    rating: Rating,
    took: Duration,
    marks: Option<RubricMarks>,
}

/// A mock interview running in the study screen.
pub struct MockRun {
    plan: MockPlan,
    started: Instant,
    /// The same start, on the calendar, for the journal.
    started_at: Timestamp,
    /// Whether the end has been written to the journal.
    recorded: bool,
    recall_before: Option<f32>,
    answers: Vec<Answer>,
}

impl MockRun {
    /// Starts the clock.
    pub fn new(collection: &Collection, plan: MockPlan, now: Timestamp) -> Self {
        let recall_before = mean_recall(collection, &plan.topics, now);
        Self {
            plan,
            started: Instant::now(),
            started_at: now,
            recorded: false,
            recall_before,
            answers: Vec::new(),
        }
    }

    /// The session's scope: its items in order.
    pub fn scope(&self) -> Scope {
        Scope::Fixed(self.plan.items())
    }

    /// The title over the study screen.
    pub fn title(&self) -> String {
        format!(
            "Mock interview · {} · {} min",
            self.plan.focus.label(),
            self.plan.minutes
        )
    }

    /// "12:30 of 45:00", red once over.
    pub fn clock(&self, ui: &mut egui::Ui) {
        let elapsed = self.started.elapsed();
        let limit = Duration::from_secs(u64::from(self.plan.minutes) * 60);
        let text = format!("⏱ {} of {}", mmss(elapsed), mmss(limit));
        let color = if elapsed > limit {
            theme::ERROR
        } else {
            ui.visuals().text_color()
        };
        ui.label(RichText::new(text).monospace().color(color))
            .on_hover_text("Time since the interview started");
        ui.ctx().request_repaint_after(Duration::from_millis(500));
    }

    /// Records an answer for the report.
    pub fn record(
        &mut self,
        item: ItemId,
        rating: Rating,
        took_ms: u32,
        marks: Option<RubricMarks>,
    ) {
        self.answers.push(Answer {
            item,
            rating,
            took: Duration::from_millis(u64::from(took_ms)),
            marks,
        });
    }

    /// Whether every planned item has been answered once: the interview is
    /// over (cards forgotten on the way come back in later sessions).
    pub fn done(&self) -> bool {
        self.answers.len() >= self.plan.items().len()
    }

    /// Writes the interview's end to the journal, once, so its reviews show
    /// as mock-interview reviews in statistics.
    pub fn finish(&mut self, ctx: &egui::Context, collection: &mut Collection, now: Timestamp) {
        if self.recorded {
            return;
        }
        self.recorded = true;
        let minutes = u16::try_from(self.plan.minutes).unwrap_or(u16::MAX);
        if let Err(e) =
            collection.record_mock(self.started_at, now, minutes, self.plan.focus.label())
        {
            super::notice::error(
                ctx,
                format!("The mock interview could not be marked in the journal: {e}"),
            );
        }
    }

    /// Forgets the last answer (it was undone).
    pub fn undo(&mut self) {
        self.answers.pop();
    }

    /// The report, once the session is over. Returns where to go next.
    pub fn report(&self, ui: &mut egui::Ui, collection: &Collection, now: Timestamp) -> Nav {
        let mut nav = Nav::Stay;
        egui::ScrollArea::vertical()
            .id_salt("mock_report")
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.set_max_width(720.0);
                    ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                        ui.add_space(16.0);
                        ui.heading("Mock interview report");
                        ui.label(format!(
                            "{} in {} of the planned {} min.",
                            plural(self.answers.len(), "answer"),
                            mmss(self.started.elapsed()),
                            self.plan.minutes
                        ));
                        ui.add_space(8.0);
                        self.prompts(ui, collection);
                        self.quick_fire(ui);
                        if let Some(n) = self.next_steps(ui, collection, now) {
                            nav = n;
                        }
                        ui.add_space(12.0);
                        if ui.button("Back to decks").clicked() {
                            nav = Nav::Home;
                        }
                    });
                });
            });
        nav
    }

    fn prompts(&self, ui: &mut egui::Ui, collection: &Collection) {
        for a in self.answers.iter().filter(|a| a.marks.is_some()) {
            let Some(card) = collection.card_of(&a.item) else {
                continue;
            };
            let Some(marks) = &a.marks else {
                continue;
            };
            egui::Frame::group(ui.style())
                .inner_margin(12.0)
                .show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.label(RichText::new(first_line(&card.front)).strong());
                    let boxed = card
                        .rubric
                        .time_box
                        .map(|t| format!(" (box {t})"))
                        .unwrap_or_default();
                    ui.label(format!(
                        "Covered {} of {} points in {}{boxed}; graded {}.",
                        marks.covered.len(),
                        marks.total,
                        mmss(a.took),
                        a.rating.label()
                    ));
                    let missed: Vec<&String> = card
                        .rubric
                        .points
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| !marks.covered.iter().any(|c| usize::from(*c) == *i))
                        .map(|(_, p)| p)
                        .collect();
                    if !missed.is_empty() {
                        ui.label(RichText::new("Missed").color(theme::LEARNING).strong());
                        for p in missed {
                            ui.label(format!("• {p}"));
                        }
                    }
                });
            ui.add_space(6.0);
        }
    }

    fn quick_fire(&self, ui: &mut egui::Ui) {
        let quick: Vec<&Answer> = self.answers.iter().filter(|a| a.marks.is_none()).collect();
        if quick.is_empty() {
            return;
        }
        let missed = quick
            .iter()
            .filter(|a| matches!(a.rating, Rating::Again))
            .count();
        let time: Duration = quick.iter().map(|a| a.took).sum();
        ui.label(format!(
            "Quick-fire: {} in {}, {} forgotten.",
            plural(quick.len(), "card"),
            mmss(time),
            missed
        ));
    }

    fn next_steps(
        &self,
        ui: &mut egui::Ui,
        collection: &Collection,
        now: Timestamp,
    ) -> Option<Nav> {
        let mut drill: Vec<String> = Vec::new();
        for a in &self.answers {
            let struggled = matches!(a.rating, Rating::Again | Rating::Hard);
            if let Some(card) = collection.card_of(&a.item)
                && struggled
                && !card.topic.is_empty()
                && !drill.contains(&card.topic)
            {
                drill.push(card.topic.clone());
            }
        }
        for t in &self.plan.topics {
            if !drill.contains(t) {
                drill.push(t.clone());
            }
        }
        ui.add_space(8.0);
        let after = mean_recall(collection, &self.plan.topics, now);
        if let (Some(before), Some(after)) = (self.recall_before, after) {
            ui.label(format!(
                "Predicted recall of {}: {:.0}% before, {:.0}% now.",
                self.plan.topics.join(", "),
                before * 100.0,
                after * 100.0
            ));
        }
        if drill.is_empty() {
            return None;
        }
        ui.label(format!("Drill next: {}.", drill.join(", ")));
        ui.button(RichText::new("Drill these topics").strong())
            .clicked()
            .then(|| {
                Nav::Study(Scope::Drill(DrillFilter {
                    topics: drill,
                    tags: Vec::new(),
                }))
            })
    }
}

/// Mean predicted recall now of the studied cards of `topics`.
fn mean_recall(collection: &Collection, topics: &[String], now: Timestamp) -> Option<f32> {
    let (sum, n) = collection
        .items()
        .iter()
        .filter(|i| {
            collection
                .card_of(&i.id)
                .is_some_and(|c| topics.contains(&c.topic))
        })
        .filter_map(|i| {
            collection
                .deck_scheduler(i.deck)
                .retrievability(collection.state(&i.id), now)
        })
        .fold((0.0f32, 0usize), |(s, n), r| (s + r, n + 1));
    (n > 0).then(|| sum / n as f32)
}
