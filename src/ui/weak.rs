//! Weak topics: every topic (or tag) with its predicted recall now as a bar,
//! lapse and again rates and leeches, weakest first; drill the chosen ones;
//! and readiness for an interview date.

use std::collections::BTreeSet;

use egui::{Color32, RichText, Sense};
use jiff::Timestamp;

use super::history::HistoryCache;
use super::{Nav, theme};
use crate::collection::Collection;
use crate::insight::forecast::{Forecast, forecast};
use crate::insight::weak::{DrillFilter, GroupKind, WeakRow, weak_topics};
use crate::schedule::{Interview, Settings};
use crate::study::Scope;

/// Desired retention offered for the final stretch before an interview.
const FINAL_STRETCH_RETENTION: f32 = 0.95;

/// Weak-topics screen state.
pub struct WeakScreen {
    kind: GroupKind,
    selected: BTreeSet<(GroupKind, String)>,
    rows: Option<(Vec<WeakRow>, bool)>,
    date_text: String,
    forecasts: Option<Result<(Forecast, Forecast), String>>,
    message: Option<(bool, String)>,
}

impl WeakScreen {
    /// Starts with the interview saved in the settings, if any.
    pub fn new(collection: &Collection) -> Self {
        let interview = collection.settings().interview.clone();
        Self {
            kind: GroupKind::Topic,
            selected: interview
                .iter()
                .flat_map(|i| i.topics.iter().map(|t| (GroupKind::Topic, t.clone())))
                .collect(),
            rows: None,
            date_text: interview.map(|i| i.date.to_string()).unwrap_or_default(),
            forecasts: None,
            message: None,
        }
    }

    fn filter(&self) -> DrillFilter {
        let pick = |k: GroupKind| {
            self.selected
                .iter()
                .filter(|(kind, _)| *kind == k)
                .map(|(_, n)| n.clone())
                .collect()
        };
        DrillFilter {
            topics: pick(GroupKind::Topic),
            tags: pick(GroupKind::Tag),
        }
    }

    /// Draws the screen.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        history: &mut HistoryCache,
        now: Timestamp,
    ) -> Nav {
        let loaded = history.get(collection, ui.ctx());
        if self
            .rows
            .as_ref()
            .is_none_or(|(_, had)| !had && loaded.is_some())
        {
            let rows = weak_topics(collection, loaded.as_deref(), now);
            self.rows = Some((rows, loaded.is_some()));
        }
        let mut nav = Nav::Stay;
        egui::ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.set_max_width(900.0);
                ui.add_space(12.0);
                ui.horizontal(|ui| {
                    ui.heading("Weak topics");
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        let n = self.selected.len();
                        let drill = ui
                            .add_enabled(n > 0, egui::Button::new(RichText::new(if n == 0 { "Drill selected".to_string() } else { format!("Drill {n} selected") }).strong()))
                            .on_hover_text("The weakest cards of the selected topics, due or not; the answers count as reviews")
                            .on_disabled_hover_text("Tick the topics or tags to drill");
                        if drill.clicked() {
                            nav = Nav::Study(Scope::Drill(self.filter()));
                        }
                    });
                });
                ui.label(
                    RichText::new(
                        "Recall now is the memory model's chance you would remember a card of the topic today, averaged over the cards you have studied.",
                    )
                    .weak(),
                );
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut self.kind, GroupKind::Topic, "Topics");
                    ui.selectable_value(&mut self.kind, GroupKind::Tag, "Tags");
                    if history.is_loading() {
                        ui.spinner();
                        ui.label(RichText::new("reading the review history…").small().weak());
                    }
                    if let Some(e) = history.error() {
                        ui.colored_label(theme::ERROR, e);
                    }
                });
                ui.add_space(6.0);
                if let Some(n) = self.table(ui) {
                    nav = n;
                }
                ui.add_space(20.0);
                self.interview(ui, collection, now);
            });
        });
        nav
    }

    /// The table; clicking a name opens its cards in the browser.
    fn table(&mut self, ui: &mut egui::Ui) -> Option<Nav> {
        let mut nav = None;
        let Some((rows, with_history)) = &self.rows else {
            return None;
        };
        let rows: Vec<&WeakRow> = rows.iter().filter(|r| r.kind == self.kind).collect();
        if rows.is_empty() {
            ui.label("No cards to show yet.");
            return None;
        }
        let pct = |v: Option<f32>| v.map_or("–".to_string(), |v| format!("{:.0}%", v * 100.0));
        egui::Frame::group(ui.style())
            .inner_margin(10.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                egui::Grid::new("weak")
                    .num_columns(8)
                    .striped(true)
                    .spacing([18.0, 6.0])
                    .show(ui, |ui| {
                        ui.label("");
                        for h in [
                            "Name",
                            "Recall now",
                            "Cards",
                            "Studied",
                            "Lapse rate",
                            "Again (30 d)",
                            "Leeches",
                        ] {
                            ui.label(RichText::new(h).strong());
                        }
                        ui.end_row();
                        for row in rows {
                            let key = (row.kind, row.name.clone());
                            let mut on = self.selected.contains(&key);
                            let check = ui.checkbox(&mut on, "");
                            check.widget_info(|| {
                                egui::WidgetInfo::selected(
                                    egui::Role::CheckBox,
                                    true,
                                    on,
                                    format!("Select {}", row.name),
                                )
                            });
                            if check.changed() {
                                if on {
                                    self.selected.insert(key.clone());
                                } else {
                                    self.selected.remove(&key);
                                }
                            }
                            let link = ui
                                .link(&row.name)
                                .on_hover_text("Show its cards in the browser");
                            if link.clicked() {
                                let field = match row.kind {
                                    GroupKind::Topic => "topic",
                                    GroupKind::Tag => "tag",
                                };
                                nav = Some(Nav::BrowseQuery(format!("{field}:\"{}\"", row.name)));
                            }
                            recall_bar(ui, row.recall_now);
                            ui.label(row.items.to_string());
                            ui.label(row.studied.to_string());
                            ui.label(pct(row.lapse_rate));
                            ui.label(if *with_history {
                                pct(row.again_rate_30d)
                            } else {
                                "…".into()
                            });
                            let leeches = RichText::new(row.leeches.to_string());
                            ui.label(if row.leeches > 0 {
                                leeches.color(theme::ERROR)
                            } else {
                                leeches.weak()
                            });
                            ui.end_row();
                        }
                    });
            });
        nav
    }

    fn interview(&mut self, ui: &mut egui::Ui, collection: &mut Collection, now: Timestamp) {
        egui::CollapsingHeader::new(RichText::new("Interview readiness").strong().size(17.0))
            .default_open(true)
            .show(ui, |ui| {
                ui.label(
                    RichText::new("When is the interview? Readiness covers the topics and tags ticked above, or all cards when none are ticked.")
                        .weak(),
                );
                ui.horizontal(|ui| {
                    let l = ui.label("Date (YYYY-MM-DD)");
                    ui.add(egui::TextEdit::singleline(&mut self.date_text).desired_width(120.0))
                        .labelled_by(l.id);
                    if ui.button("Forecast").clicked() {
                        self.run_forecast(collection, now);
                    }
                });
                if let Some((ok, text)) = &self.message {
                    ui.colored_label(if *ok { theme::REVIEW } else { theme::ERROR }, text);
                }
                match &self.forecasts {
                    None => {}
                    Some(Err(e)) => {
                        ui.colored_label(theme::ERROR, e);
                    }
                    Some(Ok((now_f, high))) => {
                        let (now_f, high) = (now_f.clone(), high.clone());
                        forecast_table(ui, &now_f);
                        ui.add_space(6.0);
                        ui.label(format!(
                            "Keeping up takes about {} for {} days (desired retention {:.2}).",
                            per_day(now_f.reviews_per_day), now_f.days, now_f.retention
                        ));
                        if now_f.retention < FINAL_STRETCH_RETENTION {
                            ui.label(format!(
                                "Raising desired retention to {:.2} until then: recall on the day {} with about {}.",
                                FINAL_STRETCH_RETENTION,
                                pct(high.overall_if_keep()),
                                per_day(high.reviews_per_day)
                            ));
                            if ui.button(format!("Raise to {FINAL_STRETCH_RETENTION:.2} until the interview")).clicked() {
                                self.save_interview(collection, Some(FINAL_STRETCH_RETENTION));
                            }
                        }
                    }
                }
            });
    }

    fn run_forecast(&mut self, collection: &mut Collection, now: Timestamp) {
        let date = match self.date_text.trim().parse::<jiff::civil::Date>() {
            Ok(d) => d,
            Err(_) => {
                self.forecasts = Some(Err(format!(
                    "`{}` is not a date; write it as YYYY-MM-DD, for example 2026-12-01",
                    self.date_text.trim()
                )));
                return;
            }
        };
        let filter = self.filter();
        let filter = (!filter.topics.is_empty() || !filter.tags.is_empty()).then_some(filter);
        let result = forecast(collection, filter.as_ref(), date, now, None).and_then(|a| {
            forecast(
                collection,
                filter.as_ref(),
                date,
                now,
                Some(FINAL_STRETCH_RETENTION),
            )
            .map(|b| (a, b))
        });
        self.forecasts = Some(result.map_err(|e| e.to_string()));
        self.save_interview(collection, None);
    }

    /// Remembers the interview in the settings; with `raise`, also sets the
    /// desired retention for the final stretch (restored after the day).
    fn save_interview(&mut self, collection: &mut Collection, raise: Option<f32>) {
        let Ok(date) = self.date_text.trim().parse::<jiff::civil::Date>() else {
            return;
        };
        let current = collection.settings().clone();
        let restore = current
            .interview
            .as_ref()
            .and_then(|i| i.restore_retention)
            .or(raise.map(|_| current.desired_retention));
        let settings = Settings {
            desired_retention: raise.unwrap_or(current.desired_retention),
            interview: Some(Interview {
                date,
                topics: self.filter().topics,
                restore_retention: restore,
            }),
            ..current
        };
        self.message = Some(match collection.save_settings(settings) {
            Ok(()) if raise.is_some() => (
                true,
                format!(
                    "Desired retention is {FINAL_STRETCH_RETENTION:.2} until {date}; it goes back afterwards."
                ),
            ),
            Ok(()) => return,
            Err(e) => (false, e.to_string()),
        });
    }
}

/// "0.5 reviews a day", "1 review a day", "12 reviews a day".
fn per_day(x: f32) -> String {
    if x < 0.95 {
        format!("{x:.1} reviews a day")
    } else if x < 1.5 {
        "1 review a day".into()
    } else {
        format!("{x:.0} reviews a day")
    }
}

fn pct(v: Option<f32>) -> String {
    v.map_or("–".to_string(), |v| format!("{:.0}%", v * 100.0))
}

fn forecast_table(ui: &mut egui::Ui, f: &Forecast) {
    egui::Grid::new("forecast")
        .num_columns(5)
        .striped(true)
        .spacing([18.0, 6.0])
        .show(ui, |ui| {
            for h in [
                "Topic",
                "Recall on the day, keeping up",
                "…if you stop now",
                "Reviews until then",
                "Not studied",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for t in &f.topics {
                ui.label(&t.topic);
                recall_bar(ui, t.recall_if_keep);
                recall_bar(ui, t.recall_if_stop);
                ui.label(t.reviews.to_string());
                ui.label(t.unstudied.to_string());
                ui.end_row();
            }
            ui.label(RichText::new("All").strong());
            recall_bar(ui, f.overall_if_keep());
            recall_bar(ui, f.overall_if_stop());
            ui.label(f.reviews.to_string());
            ui.label("");
            ui.end_row();
        });
}

/// A bar a person reads at a glance: red when recall is poor, green when good.
fn recall_bar(ui: &mut egui::Ui, value: Option<f32>) {
    let size = egui::vec2(150.0, 16.0);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    let radius = 3.0;
    painter.rect_filled(rect, radius, ui.visuals().extreme_bg_color);
    let text = match value {
        Some(v) => {
            let v = v.clamp(0.0, 1.0);
            let mut fill = rect;
            fill.set_width(rect.width() * v);
            painter.rect_filled(fill, radius, recall_color(v));
            format!("{:.0}%", v * 100.0)
        }
        None => "not studied".into(),
    };
    painter.text(
        rect.left_center() + egui::vec2(6.0, 0.0),
        egui::Align2::LEFT_CENTER,
        &text,
        egui::FontId::proportional(12.5),
        ui.visuals().strong_text_color(),
    );
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::ProgressIndicator, true, &text));
}

fn recall_color(v: f32) -> Color32 {
    let alpha = 150;
    if v < 0.7 {
        Color32::from_rgba_unmultiplied(0xdc, 0x26, 0x26, alpha)
    } else if v < 0.85 {
        Color32::from_rgba_unmultiplied(0xd9, 0x77, 0x06, alpha)
    } else {
        Color32::from_rgba_unmultiplied(0x16, 0xa3, 0x4a, alpha)
    }
}
