//! Card info (key `i` in study and the browser): the item's every review
//! with the memory state it left, its state now, its predicted recall over
//! time with the reviews marked, and its sibling items.

use egui::RichText;
use egui_plot::{Line, Plot, PlotPoints, Points};
use jiff::Timestamp;

use super::history::HistoryCache;
use super::{Nav, theme};
use rehearse_core::collection::Collection;
use rehearse_core::deck::ItemId;
use rehearse_core::insight::card_info::{CardInfo, card_info};
use rehearse_core::schedule::{Phase, Rating};

/// Card-info screen state: the item, and its info once the history is read.
pub struct CardInfoScreen {
    item: ItemId,
    info: Option<CardInfo>,
}

impl CardInfoScreen {
    /// Info on `item`.
    pub fn new(item: ItemId) -> Self {
        Self { item, info: None }
    }

    /// Draws the screen.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        collection: &Collection,
        history: &mut HistoryCache,
        now: Timestamp,
    ) -> Nav {
        if self.info.is_none()
            && let Some(h) = history.get(collection, ui.ctx())
        {
            self.info = Some(card_info(collection, &h, &self.item, now));
        }
        let mut nav = Nav::Stay;
        egui::ScrollArea::vertical()
            .id_salt("card_info_scroll")
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.set_max_width(820.0);
                    ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                        ui.add_space(12.0);
                        ui.horizontal(|ui| {
                            if ui.button("Back").on_hover_text("Esc").clicked() {
                                nav = Nav::Back;
                            }
                            if ui.button("Edit").on_hover_text("e").clicked() {
                                nav = Nav::Edit(Some(self.item.card.clone()));
                            }
                        });
                        self.heading(ui, collection);
                        if let Some(e) = history.error() {
                            ui.colored_label(theme::ERROR, e);
                        }
                        match &self.info {
                            None => {
                                ui.horizontal(|ui| {
                                    ui.spinner();
                                    ui.label("Reading the review history…");
                                });
                            }
                            Some(info) => {
                                state_grid(ui, info);
                                ui.add_space(10.0);
                                curve(ui, info);
                                ui.add_space(10.0);
                                reviews(ui, info);
                                siblings(ui, info);
                            }
                        }
                    });
                });
            });
        if !ui.ctx().egui_wants_keyboard_input()
            && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::E))
        {
            nav = Nav::Edit(Some(self.item.card.clone()));
        }
        nav
    }

    fn heading(&self, ui: &mut egui::Ui, collection: &Collection) {
        let Some(card) = collection.card_of(&self.item) else {
            ui.label("This card no longer exists in any deck.");
            return;
        };
        let (question, _) = card.render(self.item.variant);
        let line: String = question
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .chars()
            .filter(|c| !matches!(c, '*' | '`' | '#'))
            .take(140)
            .collect();
        ui.heading(line);
        let deck = collection
            .deck_of(&self.item)
            .map(|d| d.name.as_str())
            .unwrap_or("");
        ui.label(
            RichText::new(format!("{deck} · {} · id {}", card.topic, self.item))
                .small()
                .weak(),
        );
    }
}

fn state_grid(ui: &mut egui::Ui, info: &CardInfo) {
    let s = &info.state;
    let phase = match s.phase {
        Phase::New => "new",
        Phase::Learning { .. } => "learning",
        Phase::Review => "review",
        Phase::Relearning { .. } => "relearning",
    };
    let mut status = phase.to_string();
    if s.suspended {
        status += ", suspended";
    }
    if s.leech {
        status += ", leech";
    }
    let dash = || "–".to_string();
    egui::Grid::new("card_state")
        .num_columns(4)
        .spacing([24.0, 6.0])
        .show(ui, |ui| {
            let cell = |ui: &mut egui::Ui, name: &str, value: String| {
                ui.label(RichText::new(name).weak());
                ui.label(RichText::new(value).strong());
            };
            cell(ui, "State", status);
            cell(
                ui,
                "Due",
                s.due
                    .map_or_else(dash, |d| d.strftime("%Y-%m-%d %H:%M").to_string()),
            );
            ui.end_row();
            cell(
                ui,
                "Stability",
                s.memory
                    .map_or_else(dash, |m| format!("{:.1} days", m.stability)),
            );
            cell(
                ui,
                "Difficulty",
                s.memory
                    .map_or_else(dash, |m| format!("{:.1} of 10", m.difficulty)),
            );
            ui.end_row();
            cell(
                ui,
                "Recall now",
                info.recall_now
                    .map_or_else(dash, |r| format!("{:.0}%", r * 100.0)),
            );
            cell(ui, "Interval", format!("{} days", s.interval_days));
            ui.end_row();
            cell(ui, "Reviews", s.reps.to_string());
            cell(ui, "Lapses", s.lapses.to_string());
            ui.end_row();
        });
}

/// Predicted recall over time, with each review marked.
fn curve(ui: &mut egui::Ui, info: &CardInfo) {
    ui.label(RichText::new("Predicted recall over time").strong());
    if info.curve.is_empty() {
        ui.label(RichText::new("Not studied yet: no memory to forget.").weak());
        return;
    }
    let first = info.reviews.first().map(|r| r.at.as_second()).unwrap_or(0);
    let marks: Vec<[f64; 2]> = info
        .reviews
        .iter()
        .filter_map(|r| {
            let x = (r.at.as_second() - first) as f64 / 86_400.0;
            info.curve
                .iter()
                .find(|(d, _)| *d >= x)
                .map(|(_, y)| [x, y * 100.0])
        })
        .collect();
    let line: PlotPoints = info.curve.iter().map(|(d, r)| [*d, r * 100.0]).collect();
    Plot::new("card_curve")
        .height(200.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .include_y(0.0)
        .include_y(100.0)
        .x_axis_label("days since the first review")
        .y_axis_label("predicted recall (%)")
        .label_formatter(|hover| match hover {
            egui_plot::HoverPosition::NearDataPoint { position, .. } => Some(format!(
                "day {:.0}: {:.0}% predicted recall",
                position.x, position.y
            )),
            egui_plot::HoverPosition::Elsewhere { .. } => None,
        })
        .show(ui, |plot| {
            plot.line(Line::new("recall", line).color(theme::NEW));
            plot.points(
                Points::new("reviews", marks)
                    .radius(4.0)
                    .color(theme::LEARNING),
            );
        });
    ui.label(
        RichText::new("Orange dots are reviews; the line runs a month past today.")
            .small()
            .weak(),
    );
}

fn reviews(ui: &mut egui::Ui, info: &CardInfo) {
    ui.label(RichText::new(format!("Reviews ({})", info.reviews.len())).strong());
    if info.reviews.is_empty() {
        ui.label(RichText::new("None yet.").weak());
        return;
    }
    egui::Grid::new("card_reviews")
        .striped(true)
        .num_columns(7)
        .spacing([18.0, 4.0])
        .show(ui, |ui| {
            for h in [
                "Date",
                "Answer",
                "Interval",
                "Stability",
                "Difficulty",
                "Recall then",
                "Time",
            ] {
                ui.label(RichText::new(h).weak());
            }
            ui.end_row();
            for r in &info.reviews {
                ui.label(r.at.strftime("%Y-%m-%d %H:%M").to_string());
                ui.label(RichText::new(r.rating.label()).color(rating_color(r.rating)));
                ui.label(format!("{} d", r.interval_days));
                ui.label(r.stability.map_or("–".into(), |s| format!("{s:.1} d")));
                ui.label(r.difficulty.map_or("–".into(), |d| format!("{d:.1}")));
                ui.label(
                    r.recall_before
                        .map_or("–".into(), |v| format!("{:.0}%", v * 100.0)),
                );
                ui.label(format!("{:.0} s", f64::from(r.took_ms) / 1000.0));
                ui.end_row();
            }
        });
}

fn siblings(ui: &mut egui::Ui, info: &CardInfo) {
    if info.siblings.is_empty() {
        return;
    }
    ui.add_space(10.0);
    ui.label(RichText::new("Other sides of this card").strong());
    for (id, s) in &info.siblings {
        let due = s
            .due
            .map(|d| format!(", due {}", d.strftime("%Y-%m-%d")))
            .unwrap_or_default();
        ui.label(format!(
            "{id}: {} reviews, {} lapses{due}",
            s.reps, s.lapses
        ));
    }
}

fn rating_color(r: Rating) -> egui::Color32 {
    match r {
        Rating::Again => theme::AGAIN,
        Rating::Hard => theme::HARD,
        Rating::Good => theme::GOOD,
        Rating::Easy => theme::EASY,
    }
}
