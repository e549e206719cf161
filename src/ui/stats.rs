//! Statistics: the review calendar and streak, the due forecast, true
//! retention, the answer buttons, memory-state histograms and time spent,
//! for all cards or one deck or topic.

use std::collections::BTreeSet;
use std::sync::Arc;

use egui::{Color32, RichText, Sense};
use egui_plot::{Bar, BarChart, Plot};
use jiff::Timestamp;

use super::history::HistoryCache;
use super::theme;
use crate::collection::{Collection, History};
use crate::insight::stats::{
    BUTTON_ROWS, CALENDAR_DAYS, Histogram, Statistics, StatsFilter, compute,
};

/// Statistics screen state.
#[derive(Default)]
pub struct StatsScreen {
    filter: StatsFilter,
    computed: Option<(StatsFilter, bool, Statistics)>,
    long_forecast: bool,
    /// Every topic, for the filter; gathered once per collection generation.
    topics: Option<(u64, Vec<String>)>,
}

impl StatsScreen {
    /// Draws the screen.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        collection: &Collection,
        history: &mut HistoryCache,
        now: Timestamp,
    ) {
        let loaded: Option<Arc<History>> = history.get(collection, ui.ctx());
        let stale = self
            .computed
            .as_ref()
            .is_none_or(|(f, had, _)| *f != self.filter || (!had && loaded.is_some()));
        if stale {
            let stats = compute(collection, loaded.as_deref(), &self.filter, now);
            self.computed = Some((self.filter.clone(), loaded.is_some(), stats));
        }
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.set_max_width(900.0);
                    ui.add_space(12.0);
                    ui.horizontal(|ui| {
                        ui.heading("Statistics");
                        if history.is_loading() {
                            ui.spinner();
                            ui.label(RichText::new("reading the review history…").small().weak());
                        }
                    });
                    if let Some(e) = history.error() {
                        ui.colored_label(theme::ERROR, e);
                    }
                    self.filters(ui, collection);
                    let Some((_, _, s)) = &self.computed else {
                        return;
                    };
                    let s = s.clone();
                    ui.add_space(6.0);
                    summary(ui, &s);
                    section(ui, "Reviews in the last year", |ui| calendar(ui, &s));
                    section(ui, "Due forecast", |ui| {
                        ui.horizontal(|ui| {
                            ui.selectable_value(&mut self.long_forecast, false, "30 days");
                            ui.selectable_value(&mut self.long_forecast, true, "90 days");
                        });
                        let days = if self.long_forecast { 90 } else { 30 };
                        let bars = s
                            .due_forecast
                            .iter()
                            .take(days)
                            .enumerate()
                            .map(|(d, n)| (d as f64, f64::from(*n)));
                        bar_plot(
                            ui,
                            "due_forecast",
                            "Cards due",
                            bars,
                            theme::REVIEW,
                            "days from today",
                        );
                    });
                    section(
                        ui,
                        "True retention (reviews of graduated cards passed)",
                        |ui| retention(ui, &s),
                    );
                    section(ui, "Answer buttons", |ui| buttons(ui, &s));
                    section(ui, "Memory states", |ui| {
                        ui.columns(3, |cols| {
                            histogram(
                                &mut cols[0],
                                "stability",
                                "Stability (days)",
                                &s.stability,
                                |e| {
                                    if e.is_finite() {
                                        format!("{e:.0}")
                                    } else {
                                        "∞".into()
                                    }
                                },
                            );
                            histogram(
                                &mut cols[1],
                                "difficulty",
                                "Difficulty",
                                &s.difficulty,
                                |e| format!("{e:.0}"),
                            );
                            histogram(
                                &mut cols[2],
                                "retrievability",
                                "Recall now",
                                &s.retrievability,
                                |e| format!("{:.0}%", e * 100.0),
                            );
                        });
                    });
                    section(ui, "Time spent, last 30 days", |ui| {
                        let bars = (0..30).map(|k| {
                            let day = s.today - 29 + k;
                            let ms = s.time_per_day.get(&day).copied().unwrap_or(0);
                            (f64::from(k - 29), ms as f64 / 60_000.0)
                        });
                        bar_plot(ui, "time_spent", "Minutes", bars, theme::NEW, "days ago");
                    });
                });
            });
    }

    fn filters(&mut self, ui: &mut egui::Ui, collection: &Collection) {
        ui.horizontal(|ui| {
            let deck_name = |slug: &Option<String>| {
                slug.as_ref()
                    .and_then(|s| collection.decks().iter().find(|d| d.slug == *s))
                    .map_or("All decks".to_string(), |d| d.name.clone())
            };
            let l = ui.label("Deck");
            egui::ComboBox::from_id_salt("stats_deck")
                .selected_text(deck_name(&self.filter.deck))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.deck, None, "All decks");
                    for d in collection.decks() {
                        ui.selectable_value(&mut self.filter.deck, Some(d.slug.clone()), &d.name);
                    }
                })
                .response
                .labelled_by(l.id);
            if self
                .topics
                .as_ref()
                .is_none_or(|(g, _)| *g != collection.generation())
            {
                let set: BTreeSet<&str> = collection
                    .decks()
                    .iter()
                    .flat_map(|d| d.cards.iter().map(|c| c.topic.as_str()))
                    .filter(|t| !t.is_empty())
                    .collect();
                let list = set.into_iter().map(str::to_string).collect();
                self.topics = Some((collection.generation(), list));
            }
            let topics = self
                .topics
                .as_ref()
                .map(|(_, t)| t.clone())
                .unwrap_or_default();
            let l = ui.label("Topic");
            egui::ComboBox::from_id_salt("stats_topic")
                .selected_text(
                    self.filter
                        .topic
                        .clone()
                        .unwrap_or_else(|| "All topics".into()),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.topic, None, "All topics");
                    for t in &topics {
                        ui.selectable_value(&mut self.filter.topic, Some(t.clone()), t);
                    }
                })
                .response
                .labelled_by(l.id);
        });
    }
}

/// A titled box. Once drawn, its height is remembered, and while it is
/// scrolled out of view only that space is taken: plots are the costly part
/// of a frame, and at most two or three are on screen at a time.
fn section(ui: &mut egui::Ui, title: &str, add: impl FnOnce(&mut egui::Ui)) {
    ui.add_space(14.0);
    let id = ui.scope_id().with(("stats_section", title));
    let width = ui.available_width();
    if let Some(height) = ui.ctx().data(|d| d.get_temp::<f32>(id)) {
        let rect = egui::Rect::from_min_size(ui.cursor().min, egui::vec2(width, height));
        if !ui.is_rect_visible(rect) {
            ui.allocate_space(egui::vec2(width, height));
            return;
        }
    }
    let response = egui::Frame::group(ui.style())
        .inner_margin(12.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(title).strong().size(16.5));
            ui.add_space(4.0);
            add(ui);
        })
        .response;
    ui.ctx()
        .data_mut(|d| d.insert_temp(id, response.rect.height()));
}

fn summary(ui: &mut egui::Ui, s: &Statistics) {
    let hours = s.total_time_ms as f64 / 3_600_000.0;
    ui.label(format!(
        "{} cards, {} studied · {} answers in {:.1} h · streak {} day{}",
        s.items,
        s.studied,
        s.total_answers,
        hours,
        s.streak,
        if s.streak == 1 { "" } else { "s" }
    ));
}

/// A year of days as a grid of weeks, darker for more reviews, as Anki's heatmap.
fn calendar(ui: &mut egui::Ui, s: &Statistics) {
    let cell = 12.0;
    let gap = 2.5;
    let weeks = (CALENDAR_DAYS / 7 + 1) as usize;
    let size = egui::vec2(weeks as f32 * (cell + gap), 7.0 * (cell + gap));
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    let max = s
        .reviews_per_day
        .values()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f32;
    // Rows are weekdays, Monday first, so the last column ends on today's.
    let weekday = i32::from(s.today_weekday);
    let first = s.today - weekday - (weeks as i32 - 1) * 7;
    let empty = ui.visuals().extreme_bg_color;
    let mut hovered = None;
    for k in 0..(weeks * 7) as i32 {
        let day = first + k;
        if day > s.today {
            break;
        }
        let (col, row) = (k / 7, k % 7);
        let min = rect.min + egui::vec2(col as f32 * (cell + gap), row as f32 * (cell + gap));
        let r = egui::Rect::from_min_size(min, egui::vec2(cell, cell));
        let n = s.reviews_per_day.get(&day).copied().unwrap_or(0);
        let color = if n == 0 {
            empty
        } else {
            let t = 0.25 + 0.75 * (n as f32 / max).sqrt();
            Color32::from_rgba_unmultiplied(0x16, 0xa3, 0x4a, (t * 255.0) as u8)
        };
        painter.rect_filled(r, 2.0, color);
        if day == s.today {
            painter.rect_stroke(
                r,
                2.0,
                (1.0, ui.visuals().strong_text_color()),
                egui::StrokeKind::Outside,
            );
        }
        if response.hover_pos().is_some_and(|p| r.contains(p)) {
            hovered = Some((day, n));
        }
    }
    if let Some((day, n)) = hovered {
        let ago = s.today - day;
        response.on_hover_text(format!("{n} answers, {ago} days ago"));
    }
    let days_studied = s.reviews_per_day.len();
    ui.label(
        RichText::new(format!(
            "Studied on {days_studied} of the last {CALENDAR_DAYS} days · current streak {} day{}",
            s.streak,
            if s.streak == 1 { "" } else { "s" }
        ))
        .weak(),
    );
}

/// A plot that only shows: no zooming or dragging, the y axis from zero.
fn static_plot(id: &str, height: f32) -> Plot<'_> {
    Plot::new(id)
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
}

fn bar_plot(
    ui: &mut egui::Ui,
    id: &str,
    name: &str,
    values: impl Iterator<Item = (f64, f64)>,
    color: Color32,
    x_label: &str,
) {
    let bars: Vec<Bar> = values.map(|(x, y)| Bar::new(x, y).width(0.8)).collect();
    static_plot(id, 170.0)
        .x_axis_label(x_label)
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new(name, bars).color(color))
        });
}

fn retention(ui: &mut egui::Ui, s: &Statistics) {
    let cell = |pf: crate::insight::stats::PassFail| match pf.rate() {
        Some(r) => format!(
            "{:.1}%  ({}/{})",
            r * 100.0,
            pf.passed,
            pf.passed + pf.failed
        ),
        None => "–".into(),
    };
    egui::Grid::new("retention")
        .num_columns(4)
        .striped(true)
        .spacing([28.0, 6.0])
        .show(ui, |ui| {
            for h in ["", "Young", "Mature", "Total"] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for row in &s.retention {
                ui.label(row.period);
                ui.label(cell(row.young));
                ui.label(cell(row.mature));
                ui.label(RichText::new(cell(row.total())).strong());
                ui.end_row();
            }
        });
    ui.label(
        RichText::new("Young: interval under 21 days. Mature: 21 days or more.")
            .small()
            .weak(),
    );
}

fn buttons(ui: &mut egui::Ui, s: &Statistics) {
    let colors = [
        theme::ERROR,
        Color32::from_rgb(0x9c, 0xa3, 0xaf),
        theme::REVIEW,
        theme::NEW,
    ];
    let names = ["Again", "Hard", "Good", "Easy"];
    let charts: Vec<BarChart> = (0..4)
        .map(|b| {
            let bars = (0..3)
                .map(|row| {
                    let total: u32 = s.buttons[row].iter().sum();
                    let share = if total == 0 {
                        0.0
                    } else {
                        f64::from(s.buttons[row][b]) / f64::from(total) * 100.0
                    };
                    Bar::new(row as f64 * 5.0 + b as f64, share)
                        .width(0.9)
                        .name(format!(
                            "{}: {} ({:.0}%)",
                            BUTTON_ROWS[row], s.buttons[row][b], share
                        ))
                })
                .collect();
            BarChart::new(names[b], bars).color(colors[b])
        })
        .collect();
    static_plot("buttons", 170.0)
        .y_axis_label("% of answers")
        .x_axis_formatter(|mark, _| {
            let group = (mark.value / 5.0).round() as usize;
            if (mark.value - group as f64 * 5.0 - 1.5).abs() < 0.01 {
                BUTTON_ROWS
                    .get(group)
                    .map_or(String::new(), |s| s.to_string())
            } else {
                String::new()
            }
        })
        .legend(egui_plot::Legend::default())
        .show(ui, |plot| {
            for c in charts {
                plot.bar_chart(c);
            }
        });
    let counts: Vec<String> = (0..3)
        .map(|row| {
            format!(
                "{} {}",
                BUTTON_ROWS[row],
                s.buttons[row].iter().sum::<u32>()
            )
        })
        .collect();
    ui.label(
        RichText::new(format!("Answers: {}", counts.join(" · ")))
            .small()
            .weak(),
    );
}

fn histogram(
    ui: &mut egui::Ui,
    id: &str,
    title: &str,
    h: &Histogram,
    edge: impl Fn(f32) -> String,
) {
    ui.label(RichText::new(title).small());
    let bars: Vec<Bar> = h
        .counts
        .iter()
        .enumerate()
        .map(|(i, n)| {
            Bar::new(i as f64, f64::from(*n)).width(0.85).name(format!(
                "{}–{}: {n}",
                edge(h.edges[i]),
                edge(h.edges[i + 1])
            ))
        })
        .collect();
    let labels: Vec<String> = h.edges.iter().map(|e| edge(*e)).collect();
    static_plot(id, 140.0)
        .show_grid([false, true])
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 0.01 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new(title, bars).color(theme::NEW))
        });
}
