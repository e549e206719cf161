//! Statistics: the review calendar and streak, the due forecast, true
//! retention, the answer buttons, memory-state histograms and time spent,
//! for all cards or one deck or topic.
//!
//! Every chart reads on its own: axis titles with units, a labelled scale,
//! a tooltip with the exact value (and the date, where a bar is a day), no
//! legend over the data, and words instead of an empty box when there is
//! nothing to show yet. The formatting lives in small functions below and in
//! [`super::chart`] (shared with What if), tested at the end of the file.

use std::collections::BTreeSet;
use std::sync::Arc;

use egui::{Align, Color32, Layout, RichText, Sense, Stroke, TextStyle, UiBuilder};
use egui_plot::{AxisHints, Bar, BarChart};
use jiff::Timestamp;
use jiff::civil::Date;

use super::history::{Background, HistoryCache};
use super::{Nav, theme};
use rehearse_core::collection::{Collection, History};
use rehearse_core::insight::stats::{
    BUTTON_ROWS, CALENDAR_DAYS, Histogram, MATURE_DAYS, Statistics, StatsFilter, compute,
};

// A count axis labels whole numbers only.
use super::chart::whole_tick as count_tick;
use super::chart::{
    count, count_marks, day_offset_label, describe_figure, duration_text, empty_state, fixed_plot,
    grid_at, section, swatch, thousands, tooltip, when,
};

/// The widest the screen's column grows; wider windows centre it.
const MAX_WIDTH: f32 = 1100.0;
/// Space kept clear at the column's sides.
const SIDE_MARGIN: f32 = 10.0;
/// Below this content width, charts that sit side by side stack instead.
const STACK_BELOW: f32 = 860.0;
/// Height of a full-width chart.
const PLOT_HEIGHT: f32 = 190.0;
/// Height of one memory-state histogram.
const HISTOGRAM_HEIGHT: f32 = 170.0;
/// Width a chart's y axis takes (tick labels and title), for fitting x ticks.
const Y_AXIS_WIDTH: f32 = 56.0;
/// Rough width of one character of the small tick font, in points.
const TICK_CHAR_WIDTH: f32 = 7.5;
/// Names for the answer buttons, in the order they are shown everywhere.
const BUTTON_NAMES: [&str; 4] = ["Again", "Hard", "Good", "Easy"];
/// The study buttons' colours, in the same order.
const BUTTON_COLORS: [Color32; 4] = [theme::AGAIN, theme::HARD, theme::GOOD, theme::EASY];

/// Statistics screen state.
#[derive(Default)]
pub struct StatsScreen {
    filter: StatsFilter,
    computed: Option<(StatsFilter, bool, Statistics)>,
    /// Statistics being computed on a worker: for which filter, and whether
    /// with the history.
    pending: Option<(StatsFilter, bool, Background<Statistics>)>,
    /// Why they could not be computed, for which filter.
    failed: Option<(StatsFilter, String)>,
    long_forecast: bool,
    /// Every topic, for the filter; gathered once per collection generation.
    topics: Option<(u64, Vec<String>)>,
}

/// Whether the review history behind the calendar, retention, buttons and
/// time charts is there.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HistoryState {
    Ready,
    Loading,
    Failed,
}

impl HistoryState {
    /// What a history chart says instead of an empty box while the history
    /// is not there; `None` once it is.
    fn placeholder(self) -> Option<&'static str> {
        match self {
            HistoryState::Ready => None,
            HistoryState::Loading => Some("Reading the review history…"),
            HistoryState::Failed => Some("The review history could not be read (see above)."),
        }
    }
}

impl StatsScreen {
    /// Draws the screen.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        collection: &Collection,
        history: &mut HistoryCache,
        now: Timestamp,
    ) -> Nav {
        let loaded: Option<Arc<History>> = history.get(collection, ui.ctx());
        if let Some((filter, had, job)) = &self.pending
            && let Some(result) = job.poll()
        {
            match result {
                Ok(stats) => self.computed = Some((filter.clone(), *had, stats)),
                Err(e) => self.failed = Some((filter.clone(), e)),
            }
            self.pending = None;
        }
        // Walking every card and answer takes long at a large collection:
        // it is done on a worker, and the screen shows what it has meanwhile.
        let with_history = loaded.is_some();
        let stale = self
            .computed
            .as_ref()
            .is_none_or(|(f, had, _)| *f != self.filter || (!had && with_history));
        let asked = self
            .pending
            .as_ref()
            .is_some_and(|(f, had, _)| *f == self.filter && *had == with_history);
        let failed = self.failed.as_ref().is_some_and(|(f, _)| *f == self.filter);
        if stale && !asked && !failed {
            let filter = self.filter.clone();
            let job = Background::start(collection, ui.ctx(), now, {
                let filter = filter.clone();
                move |copy| compute(copy, loaded.as_deref(), &filter, now)
            });
            self.pending = Some((filter, with_history, job));
        }
        let mut nav = Nav::Stay;
        // Its own id, so that it neither shares its scroll position with
        // another screen's scroll area nor opens part-way down.
        egui::ScrollArea::vertical()
            .id_salt("stats_scroll")
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    // A margin each side keeps boxes clear of the scroll bar.
                    ui.set_max_width(MAX_WIDTH.min(ui.available_width() - 2.0 * SIDE_MARGIN));
                    ui.with_layout(Layout::top_down(Align::Min), |ui| {
                        nav = self.contents(ui, collection, history);
                    });
                });
            });
        nav
    }

    fn contents(
        &mut self,
        ui: &mut egui::Ui,
        collection: &Collection,
        history: &HistoryCache,
    ) -> Nav {
        let mut nav = Nav::Stay;
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            ui.heading("Statistics");
            if history.is_loading() {
                ui.spinner();
                ui.label(RichText::new("reading the review history…").small().weak());
            } else if self.pending.is_some() {
                ui.spinner();
                ui.label(RichText::new("computing…").small().weak());
            }
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if ui
                    .button("What if…")
                    .on_hover_text(
                        "Simulate your reviews and what you remember at another desired \
                         retention or number of new cards a day",
                    )
                    .clicked()
                {
                    nav = Nav::Simulator;
                }
            });
        });
        if let Some(e) = history.error() {
            ui.colored_label(theme::ERROR, e);
        }
        self.filters(ui, collection);
        if let Some((f, e)) = &self.failed
            && *f == self.filter
        {
            ui.colored_label(
                theme::ERROR,
                format!("The statistics could not be computed: {e}"),
            );
        }
        let Some((_, had, s)) = &self.computed else {
            return nav;
        };
        let state = if *had {
            HistoryState::Ready
        } else if history.error().is_some() {
            HistoryState::Failed
        } else {
            HistoryState::Loading
        };
        let s = s.clone();
        ui.add_space(4.0);
        summary(ui, &s, state);
        section(ui, "Reviews in the last year", |ui| calendar(ui, &s, state));
        section(ui, "Due forecast", |ui| {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut self.long_forecast, false, "30 days");
                ui.selectable_value(&mut self.long_forecast, true, "90 days");
            });
            let days = if self.long_forecast { 90 } else { 30 };
            forecast(ui, &s, days);
        });
        section(
            ui,
            "True retention (reviews of graduated cards passed)",
            |ui| retention(ui, &s, state),
        );
        section(ui, "Answer buttons", |ui| buttons(ui, &s, state));
        section(ui, "Memory states", |ui| memory_states(ui, &s));
        section(ui, "Time spent, last 30 days", |ui| {
            time_spent(ui, &s, state)
        });
        ui.add_space(16.0);
        nav
    }

    fn filters(&mut self, ui: &mut egui::Ui, collection: &Collection) {
        ui.horizontal_wrapped(|ui| {
            let deck_name = |slug: &Option<String>| {
                slug.as_ref()
                    .and_then(|s| collection.decks().iter().find(|d| d.slug == *s))
                    .map_or("All decks".to_string(), |d| d.name.clone())
            };
            let l = ui.label("Deck");
            egui::ComboBox::from_id_salt("stats_deck")
                .selected_text(deck_name(&self.filter.deck))
                .truncate()
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
            ui.add_space(8.0);
            let l = ui.label("Topic");
            egui::ComboBox::from_id_salt("stats_topic")
                .selected_text(
                    self.filter
                        .topic
                        .clone()
                        .unwrap_or_else(|| "All topics".into()),
                )
                .truncate()
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

/// The headline figures, as a row of tiles that wraps on narrow windows.
fn summary(ui: &mut egui::Ui, s: &Statistics, state: HistoryState) {
    let pending = |text: String| {
        if state == HistoryState::Ready {
            text
        } else {
            "…".to_string()
        }
    };
    let tiles = [
        (thousands(s.items as u64), "study items"),
        (thousands(s.studied as u64), "studied"),
        (pending(thousands(s.total_answers)), "answers"),
        (pending(duration_text(s.total_time_ms)), "time spent"),
        (
            pending(count(u64::from(s.streak), "day", "days")),
            "current streak",
        ),
    ];
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing = egui::vec2(10.0, 10.0);
        for (value, caption) in tiles {
            egui::Frame::group(ui.style())
                .inner_margin(egui::Margin::symmetric(14, 8))
                .show(ui, |ui| {
                    ui.set_min_width(96.0);
                    ui.vertical(|ui| {
                        ui.spacing_mut().item_spacing.y = 2.0;
                        ui.label(RichText::new(value).size(21.0).strong());
                        ui.label(RichText::new(caption).small().weak());
                    });
                });
        }
    });
    if s.mock_sessions > 0 {
        ui.label(
            RichText::new(format!(
                "{} of them in {}.",
                count(s.mock_answers, "answer", "answers"),
                count(s.mock_sessions as u64, "mock interview", "mock interviews")
            ))
            .weak(),
        );
    }
}

// ----- The calendar -----

/// Weeks the calendar shows: a year, plus the week in progress.
const CALENDAR_WEEKS: usize = (CALENDAR_DAYS / 7 + 1) as usize;
/// Width of the weekday labels at the calendar's left.
const WEEKDAY_WIDTH: f32 = 36.0;
/// Height of the month labels above the calendar.
const MONTH_HEIGHT: f32 = 18.0;
/// Weekday labels at the calendar's side: row (0 for Monday) and name.
const WEEKDAY_LABELS: [(usize, &str); 3] = [(0, "Mon"), (2, "Wed"), (4, "Fri")];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The day number of the Monday in the calendar's first column, so that the
/// last column holds today.
fn calendar_first_day(today: i32, today_weekday: u8, weeks: usize) -> i32 {
    today - i32::from(today_weekday) - (weeks as i32 - 1) * 7
}

/// Month labels above the calendar: the column whose Monday is the first in a
/// new month, with the month's name. The first column's month is dropped when
/// the next label would crowd it (closer than `min_gap` columns).
fn month_labels(first_monday: Date, weeks: usize, min_gap: usize) -> Vec<(usize, &'static str)> {
    let mut labels: Vec<(usize, &'static str)> = Vec::new();
    let mut previous = None;
    for col in 0..weeks {
        let Ok(monday) = first_monday.checked_add(jiff::Span::new().weeks(col as i64)) else {
            break;
        };
        if previous != Some(monday.month()) {
            previous = Some(monday.month());
            let name = MONTHS[(monday.month() as usize).saturating_sub(1) % 12];
            labels.push((col, name));
        }
    }
    if labels.len() >= 2 && labels[1].0 - labels[0].0 < min_gap {
        labels.remove(0);
    }
    labels
}

/// How dark a day's square is: 0 for no answers, else 1 to 4 on a square-root
/// scale of the busiest day, so light days stay visible.
fn heat_level(n: u32, max: u32) -> u8 {
    if n == 0 || max == 0 {
        return 0;
    }
    let share = (f64::from(n) / f64::from(max)).min(1.0).sqrt();
    1 + ((share * 4.0) as u8).min(3)
}

/// The tooltip over one day of the calendar.
fn day_tooltip(date: Date, answers: u32, time_ms: u64) -> String {
    let day = date.strftime("%A %-d %B %Y");
    if answers == 0 {
        format!("{day}\nNo reviews")
    } else {
        format!(
            "{day}\n{} · {}",
            count(u64::from(answers), "answer", "answers"),
            duration_text(time_ms)
        )
    }
}

/// A year of days as a grid of weeks, darker for more reviews, as Anki's
/// heatmap: month names above, weekday names at the side, a tooltip per day.
fn calendar(ui: &mut egui::Ui, s: &Statistics, state: HistoryState) {
    if let Some(text) = state.placeholder() {
        empty_state(ui, text);
        return;
    }
    if s.reviews_per_day.is_empty() {
        empty_state(
            ui,
            "No reviews in the last year yet. Each day you study fills in one square here.",
        );
        return;
    }
    let weeks = CALENDAR_WEEKS;
    // Squares grow with the window, within reason.
    let pitch = ((ui.available_width() - WEEKDAY_WIDTH) / weeks as f32).clamp(7.0, 19.0);
    let cell = (pitch * 0.82).round();
    let size = egui::vec2(
        WEEKDAY_WIDTH + weeks as f32 * pitch,
        MONTH_HEIGHT + 7.0 * pitch,
    );
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let grid = CalendarGrid {
        rect,
        origin: rect.min + egui::vec2(WEEKDAY_WIDTH, MONTH_HEIGHT),
        pitch,
        cell,
        first: calendar_first_day(s.today, s.today_weekday, weeks),
    };
    let hovered = grid.paint_days(ui, s, response.hover_pos());
    grid.labels(ui, s.date_of(grid.first), weeks);
    let days_studied = s.reviews_per_day.len();
    response.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Figure,
            true,
            format!("Review calendar: studied on {days_studied} of the last {CALENDAR_DAYS} days"),
        )
    });
    if let Some((day, n)) = hovered {
        let ms = s.time_per_day.get(&day).copied().unwrap_or(0);
        response.on_hover_ui_at_pointer(|ui| {
            tooltip(ui, &day_tooltip(s.date_of(day), n, ms));
        });
    }
    calendar_key(ui, cell);
    ui.label(format!(
        "Studied on {days_studied} of the last {CALENDAR_DAYS} days · current streak {} · longest {}",
        count(u64::from(s.streak), "day", "days"),
        count(u64::from(s.longest_streak), "day", "days"),
    ));
}

/// Where the calendar's squares go: a column a week, a row a weekday.
struct CalendarGrid {
    /// The whole calendar, labels included.
    rect: egui::Rect,
    /// The first day's square's corner.
    origin: egui::Pos2,
    /// From one square to the next.
    pitch: f32,
    /// A square's side.
    cell: f32,
    /// The study day of the first square (a Monday).
    first: i32,
}

impl CalendarGrid {
    /// Paints a square a day up to today, today outlined, and the square
    /// under `pointer` outlined; returns that day and its answers.
    fn paint_days(
        &self,
        ui: &egui::Ui,
        s: &Statistics,
        pointer: Option<egui::Pos2>,
    ) -> Option<(i32, u32)> {
        let max = s.reviews_per_day.values().copied().max().unwrap_or(0);
        let dark = ui.visuals().dark_mode;
        let painter = ui.painter_at(self.rect);
        let outline = |r: egui::Rect, color| {
            painter.rect_stroke(r, 2.0, (1.5, color), egui::StrokeKind::Outside);
        };
        let mut hovered = None;
        for k in 0..(CALENDAR_WEEKS * 7) as i32 {
            let day = self.first + k;
            if day > s.today {
                break;
            }
            if !in_calendar(day, s.today) {
                // Before the year shown: no square, rather than one that
                // reads as a day without reviews.
                continue;
            }
            let (col, row) = (k / 7, k % 7);
            let min = self.origin + egui::vec2(col as f32 * self.pitch, row as f32 * self.pitch);
            let r = egui::Rect::from_min_size(min, egui::vec2(self.cell, self.cell));
            let n = s.reviews_per_day.get(&day).copied().unwrap_or(0);
            painter.rect_filled(r, 2.0, heat_color(heat_level(n, max), dark));
            if day == s.today {
                outline(r, ui.visuals().strong_text_color());
            }
            if pointer.is_some_and(|p| r.expand(self.pitch - self.cell).contains(p)) {
                hovered = Some((day, n));
                outline(r, ui.visuals().text_color());
            }
        }
        hovered
    }

    /// Month names above the weeks they start and weekday names at the
    /// side, as widgets so that screen readers (and tests) find them.
    fn labels(&self, ui: &mut egui::Ui, first_monday: Date, weeks: usize) {
        let small = |text: &str| {
            egui::Label::new(RichText::new(text).small().weak())
                .selectable(false)
                .extend()
        };
        let min_gap = (34.0 / self.pitch).ceil() as usize;
        for (col, name) in month_labels(first_monday, weeks, min_gap) {
            let at = egui::Rect::from_min_size(
                egui::pos2(self.origin.x + col as f32 * self.pitch, self.rect.min.y),
                egui::vec2(40.0, MONTH_HEIGHT - 2.0),
            );
            ui.new_child(
                UiBuilder::new()
                    .max_rect(at)
                    .layout(Layout::left_to_right(Align::Min)),
            )
            .add(small(name));
        }
        for (row, name) in WEEKDAY_LABELS {
            let at = egui::Rect::from_min_size(
                egui::pos2(
                    self.rect.min.x,
                    self.origin.y + row as f32 * self.pitch - 2.0,
                ),
                egui::vec2(WEEKDAY_WIDTH - 6.0, self.cell + 4.0),
            );
            ui.new_child(
                UiBuilder::new()
                    .max_rect(at)
                    .layout(Layout::right_to_left(Align::Center)),
            )
            .add(small(name));
        }
    }
}

/// Whether study day `day` is one of the [`CALENDAR_DAYS`] ending `today`.
fn in_calendar(day: i32, today: i32) -> bool {
    day > today - CALENDAR_DAYS && day <= today
}

/// The colour key under the calendar: Less to More, and today's outline.
fn calendar_key(ui: &mut egui::Ui, cell: f32) {
    let dark = ui.visuals().dark_mode;
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 3.0;
        ui.label(RichText::new("Less").small().weak());
        for level in 0..=4 {
            let (r, _) = ui.allocate_exact_size(egui::vec2(cell, cell), Sense::hover());
            ui.painter().rect_filled(r, 2.0, heat_color(level, dark));
        }
        ui.label(RichText::new("More").small().weak());
        ui.add_space(14.0);
        let (r, _) = ui.allocate_exact_size(egui::vec2(cell, cell), Sense::hover());
        ui.painter().rect_filled(r, 2.0, heat_color(0, dark));
        ui.painter().rect_stroke(
            r,
            2.0,
            (1.5, ui.visuals().strong_text_color()),
            egui::StrokeKind::Outside,
        );
        ui.add_space(2.0);
        ui.label(RichText::new("today").small().weak());
    });
}

/// An empty day's grey in the dark theme (the panel is 27).
const EMPTY_DAY_DARK: u8 = 62;
/// An empty day's grey in the light theme (the panel is 248).
const EMPTY_DAY_LIGHT: u8 = 200;

/// The calendar's colour for a heat level from [`heat_level`].
fn heat_color(level: u8, dark: bool) -> Color32 {
    if level == 0 {
        // 1.5:1 or more against the panel, so empty days still show as squares.
        return if dark {
            Color32::from_gray(EMPTY_DAY_DARK)
        } else {
            Color32::from_gray(EMPTY_DAY_LIGHT)
        };
    }
    let alpha = [0.0, 0.32, 0.55, 0.78, 1.0][usize::from(level.min(4))];
    theme::REVIEW.gamma_multiply(alpha)
}

// ----- Bar charts -----

/// How one bar chart reads: its axes, ticks and tooltip.
struct Chart<'a> {
    /// The plot's id.
    id: &'a str,
    /// What the chart shows, for its accessible name.
    name: &'a str,
    /// Title of the x axis, with the unit.
    x_title: String,
    /// Title of the y axis, with the unit.
    y_title: String,
    /// Tick labels along x: position and text, already thinned to fit.
    x_ticks: Vec<(f64, String)>,
    /// The y tick label for a value; empty leaves that tick unlabelled.
    y_tick: fn(f64) -> String,
    /// The y axis reaches at least this far.
    y_max: f64,
    /// Where to put y ticks, if not egui_plot's choice.
    y_marks: Option<Vec<f64>>,
    /// Writes each bar's value above it.
    bar_labels: Option<fn(f64) -> String>,
    height: f32,
}

/// One bar: its position on x, its height and its colour.
type BarSpec = (f64, f64, Color32);

/// Draws bars one unit apart with the chart's axes. Hovering a bar's column
/// highlights it and shows `tip(index)` in a tooltip; no legend is drawn over
/// the data (charts with several colours have a label row above instead).
fn bar_chart(
    ui: &mut egui::Ui,
    chart: Chart<'_>,
    bars: &[BarSpec],
    width: f64,
    tip: impl Fn(usize) -> String,
) {
    let tick_font = TextStyle::Small.resolve(ui.style());
    // Bars a little lighter than their outline; the hovered one solid.
    let fill = if ui.visuals().dark_mode { 0.7 } else { 0.85 };
    let ticks = chart.x_ticks;
    let positions: Vec<f64> = ticks.iter().map(|(x, _)| *x).collect();
    let x_axis = AxisHints::new_x()
        .label(chart.x_title.clone())
        .tick_label_font(tick_font.clone())
        .label_spacing(egui::Rangef::new(0.0, 1.0))
        .formatter(move |mark, _| {
            ticks
                .iter()
                .find(|(x, _)| (x - mark.value).abs() < 1e-6)
                .map(|(_, t)| t.clone())
                .unwrap_or_default()
        });
    let y_tick = chart.y_tick;
    let y_marks = chart.y_marks;
    let bar_labels = chart.bar_labels;
    let mut y_axis = AxisHints::new_y()
        .label(chart.y_title.clone())
        .tick_label_font(tick_font)
        .formatter(move |mark, _| y_tick(mark.value));
    let mut plot = fixed_plot(chart.id);
    if let Some(marks) = y_marks {
        // Grid lines as light as egui_plot's own, every label shown.
        let step = marks.windows(2).map(|w| w[1] - w[0]).fold(1.0, f64::max);
        y_axis = y_axis.label_spacing(egui::Rangef::new(0.0, 1.0));
        plot = plot.y_grid_spacer(grid_at(marks, step));
    }
    let response = plot
        .height(chart.height)
        .show_crosshair(false)
        .show_grid([false, true])
        .include_y(0.0)
        .include_y(chart.y_max)
        .custom_x_axes(vec![x_axis])
        .custom_y_axes(vec![y_axis])
        // Every tick is labelled (they were thinned to fit already).
        .x_grid_spacer(grid_at(positions, 1e6))
        .show(ui, |plot| {
            let hovered = if plot.response().hovered() {
                plot.pointer_coordinate()
                    .and_then(|p| bars.iter().position(|(x, _, _)| (x - p.x).abs() <= 0.5))
            } else {
                None
            };
            let drawn: Vec<Bar> = bars
                .iter()
                .enumerate()
                .map(|(i, &(x, y, color))| {
                    let fill = if hovered == Some(i) {
                        color
                    } else {
                        color.gamma_multiply(fill)
                    };
                    Bar::new(x, y)
                        .width(width)
                        .fill(fill)
                        .stroke(Stroke::new(1.0, color))
                })
                .collect();
            plot.bar_chart(BarChart::new(chart.name, drawn).allow_hover(false));
            if let Some(label) = bar_labels {
                for &(x, y, _) in bars {
                    plot.text(
                        egui_plot::Text::new(
                            "value",
                            egui_plot::PlotPoint::new(x, y),
                            RichText::new(label(y)).small(),
                        )
                        .anchor(egui::Align2::CENTER_BOTTOM)
                        .allow_hover(false),
                    );
                }
            }
            hovered
        });
    describe_figure(
        &response.response,
        chart.name,
        &chart.x_title,
        &chart.y_title,
    );
    if let Some(i) = response.inner {
        response.response.on_hover_ui_at_pointer(|ui| {
            tooltip(ui, &tip(i));
        });
    }
}

/// Every how many slots to label so that labels `label_chars` long never
/// touch: a multiple of `unit` (7 for weeks), at least `unit`.
fn tick_step(slots: usize, plot_width: f32, label_chars: usize, unit: usize) -> usize {
    let unit = unit.max(1);
    let slot = plot_width / slots.max(1) as f32;
    let needed = label_chars as f32 * TICK_CHAR_WIDTH + 14.0;
    let mut step = unit;
    while (step as f32) * slot < needed && step < slots.max(1) {
        step += unit;
    }
    step
}

/// The width a plot will get for its bars in `ui`.
fn plot_width(ui: &egui::Ui) -> f32 {
    (ui.available_width() - Y_AXIS_WIDTH).max(50.0)
}

/// A share axis' tick: whole percentages only.
fn percent_tick(v: f64) -> String {
    if v >= 0.0 && (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}%")
    } else {
        String::new()
    }
}

// ----- The due forecast -----

/// The tooltip over one day of the forecast.
fn due_tooltip(days_ahead: usize, date: Date, due: u32) -> String {
    let when = when(days_ahead);
    let cards = count(u64::from(due), "card", "cards");
    let overdue = if days_ahead == 0 {
        " (overdue ones included)"
    } else {
        ""
    };
    format!(
        "{when}, {}\n{cards} due{overdue}",
        date.strftime("%a %-d %b")
    )
}

fn forecast(ui: &mut egui::Ui, s: &Statistics, days: usize) {
    let due: Vec<u32> = s.due_forecast.iter().copied().take(days).collect();
    let total: u64 = due.iter().map(|n| u64::from(*n)).sum();
    if total == 0 {
        let text = if s.studied == 0 {
            "Nothing is scheduled yet: cards get a due date once you study them."
        } else if days == 30 {
            "No cards are due in the next 30 days."
        } else {
            "No cards are due in the next 90 days."
        };
        empty_state(ui, text);
        return;
    }
    let step = tick_step(due.len(), plot_width(ui), 5, 7);
    let y_marks = count_marks(due.iter().copied().max().unwrap_or(0).into());
    let y_top = y_marks.last().copied().unwrap_or(1.0);
    let x_ticks = (0..due.len())
        .step_by(step)
        .map(|k| (k as f64, day_offset_label(k)))
        .collect();
    let bars: Vec<BarSpec> = due
        .iter()
        .enumerate()
        .map(|(k, n)| (k as f64, f64::from(*n), theme::REVIEW))
        .collect();
    bar_chart(
        ui,
        Chart {
            id: "due_forecast",
            name: "Due forecast",
            x_title: "days from today".into(),
            y_title: "cards due".into(),
            x_ticks,
            y_tick: count_tick,
            y_max: y_top,
            y_marks: Some(y_marks),
            bar_labels: None,
            height: PLOT_HEIGHT,
        },
        &bars,
        0.8,
        |k| {
            due_tooltip(
                k,
                s.date_of(s.today + k as i32),
                due.get(k).copied().unwrap_or(0),
            )
        },
    );
    let week: u64 = due.iter().take(7).map(|n| u64::from(*n)).sum();
    ui.label(
        RichText::new(format!(
            "Due today {} · next 7 days {} · next {days} days {} ({:.1} a day), before daily limits",
            thousands(u64::from(due.first().copied().unwrap_or(0))),
            thousands(week),
            thousands(total),
            total as f64 / days as f64
        ))
        .weak(),
    );
}

// ----- True retention -----

fn retention(ui: &mut egui::Ui, s: &Statistics, state: HistoryState) {
    if let Some(text) = state.placeholder() {
        empty_state(ui, text);
        return;
    }
    if s.retention.iter().all(|r| r.total().rate().is_none()) {
        empty_state(
            ui,
            "No reviews of graduated cards yet. Once a card has left learning, how often you \
             remember it shows here.",
        );
        return;
    }
    let cell = |pf: rehearse_core::insight::stats::PassFail| match pf.rate() {
        Some(r) => format!(
            "{:.1}%  ({}/{})",
            r * 100.0,
            thousands(u64::from(pf.passed)),
            thousands(u64::from(pf.passed + pf.failed))
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
        RichText::new(format!(
            "Young: interval under {MATURE_DAYS} days. Mature: {MATURE_DAYS} days or more. \
             A review passes unless answered Again."
        ))
        .small()
        .weak(),
    );
}

// ----- Answer buttons -----

/// A share of a total, in percent (0 for an empty total).
fn share(n: u32, total: u32) -> f64 {
    if total == 0 {
        0.0
    } else {
        f64::from(n) / f64::from(total) * 100.0
    }
}

/// The tooltip over one answer-button bar.
fn button_tooltip(group: &str, button: &str, n: u32, total: u32) -> String {
    format!(
        "{group} cards · {button}\n{} of {} ({:.1}%)",
        thousands(u64::from(n)),
        count(u64::from(total), "answer", "answers"),
        share(n, total)
    )
}

/// Coloured squares naming each series, above a chart instead of a legend
/// over it.
fn button_key(ui: &mut egui::Ui) {
    ui.horizontal_wrapped(|ui| {
        for (name, color) in BUTTON_NAMES.iter().zip(BUTTON_COLORS) {
            swatch(ui, color);
            ui.label(*name);
            ui.add_space(6.0);
        }
    });
}

fn buttons(ui: &mut egui::Ui, s: &Statistics, state: HistoryState) {
    if let Some(text) = state.placeholder() {
        empty_state(ui, text);
        return;
    }
    if s.buttons.iter().flatten().all(|n| *n == 0) {
        empty_state(
            ui,
            "No answers yet. How often you press Again, Hard, Good and Easy shows here.",
        );
        return;
    }
    button_key(ui);
    let totals: Vec<u32> = s.buttons.iter().map(|row| row.iter().sum()).collect();
    // Each group: four bars at x = 5·group + button, its label under the middle.
    let group_px = plot_width(ui) / 15.0 * 5.0;
    let x_ticks = BUTTON_ROWS
        .iter()
        .zip(&totals)
        .enumerate()
        .map(|(g, (name, total))| {
            let long = format!("{name} · {}", count(u64::from(*total), "answer", "answers"));
            let text = if long.chars().count() as f32 * TICK_CHAR_WIDTH < group_px - 8.0 {
                long
            } else {
                (*name).to_string()
            };
            (g as f64 * 5.0 + 1.5, text)
        })
        .collect();
    let mut bars: Vec<BarSpec> = Vec::new();
    for (g, row) in s.buttons.iter().enumerate() {
        for (b, n) in row.iter().enumerate() {
            bars.push((
                g as f64 * 5.0 + b as f64,
                share(*n, totals[g]),
                BUTTON_COLORS[b],
            ));
        }
    }
    bar_chart(
        ui,
        Chart {
            id: "buttons",
            name: "Answer buttons",
            x_title: "card group".into(),
            y_title: "% of answers".into(),
            x_ticks,
            y_tick: percent_tick,
            y_max: 100.0,
            y_marks: Some(vec![0.0, 25.0, 50.0, 75.0, 100.0]),
            bar_labels: Some(|v| format!("{v:.0}%")),
            height: PLOT_HEIGHT,
        },
        &bars,
        0.9,
        |i| {
            let (g, b) = (i / 4, i % 4);
            button_tooltip(
                BUTTON_ROWS.get(g).copied().unwrap_or(""),
                BUTTON_NAMES[b],
                s.buttons.get(g).map_or(0, |row| row[b]),
                totals.get(g).copied().unwrap_or(0),
            )
        },
    );
    ui.label(
        RichText::new(format!(
            "Learning: new cards and cards relearning after Again. Young: interval under \
             {MATURE_DAYS} days. Mature: {MATURE_DAYS} days or more."
        ))
        .small()
        .weak(),
    );
}

// ----- Memory states -----

/// A stability bucket edge as a tick: days, weeks, months or years.
fn stability_tick(days: f32) -> String {
    let d = days.round() as u32;
    match d {
        0 => "0".into(),
        1..=6 => format!("{d}d"),
        7..=29 => format!("{}w", d / 7),
        30..=364 => format!("{}mo", (days / 30.0).round() as u32),
        _ => format!("{}y", (days / 365.0).round() as u32),
    }
}

/// A bucket `[lo, hi)` in words: "under 1 day", "7–14 days", "98% or more".
/// `number` formats an edge; `unit` is the (singular, plural) word after it.
fn bucket_text(
    lo: f32,
    hi: f32,
    first: bool,
    number: fn(f32) -> String,
    unit: (&str, &str),
) -> String {
    let unit = |n: f32| {
        let word = if n == 1.0 { unit.0 } else { unit.1 };
        if word.is_empty() {
            String::new()
        } else {
            format!(" {word}")
        }
    };
    if !hi.is_finite() {
        format!("{}{} or more", number(lo), unit(lo))
    } else if first && lo <= 0.0 {
        format!("under {}{}", number(hi), unit(hi))
    } else {
        format!("{}–{}{}", number(lo), number(hi), unit(hi))
    }
}

/// How one histogram reads.
struct HistogramSpec<'a> {
    id: &'a str,
    title: &'a str,
    x_title: &'a str,
    /// A bucket edge as a tick label.
    tick: fn(f32) -> String,
    /// A bucket edge in a tooltip, and the unit after it.
    exact: fn(f32) -> String,
    unit: (&'a str, &'a str),
}

fn histogram(ui: &mut egui::Ui, spec: HistogramSpec<'_>, h: &Histogram) {
    ui.label(RichText::new(spec.title).strong());
    let total: u32 = h.counts.iter().sum();
    if total == 0 {
        empty_state(ui, "No studied cards to show yet.");
        return;
    }
    let n = h.counts.len();
    // Ticks sit on the bucket edges, between the bars; the last edge is open.
    let longest = h
        .edges
        .iter()
        .take(n)
        .map(|e| (spec.tick)(*e).chars().count())
        .max()
        .unwrap_or(1);
    let step = tick_step(n, plot_width(ui), longest, 1);
    let x_ticks = (0..n)
        .step_by(step)
        .map(|i| (i as f64 - 0.5, (spec.tick)(h.edges[i])))
        .collect();
    let bars: Vec<BarSpec> = h
        .counts
        .iter()
        .enumerate()
        .map(|(i, c)| (i as f64, f64::from(*c), theme::NEW))
        .collect();
    let y_marks = count_marks(h.counts.iter().copied().max().unwrap_or(0).into());
    let y_top = y_marks.last().copied().unwrap_or(1.0);
    bar_chart(
        ui,
        Chart {
            id: spec.id,
            name: spec.title,
            x_title: spec.x_title.to_string(),
            y_title: "cards".into(),
            x_ticks,
            y_tick: count_tick,
            y_max: y_top,
            y_marks: Some(y_marks),
            bar_labels: None,
            height: HISTOGRAM_HEIGHT,
        },
        &bars,
        0.85,
        |i| {
            let c = h.counts.get(i).copied().unwrap_or(0);
            let lo = h.edges.get(i).copied().unwrap_or(0.0);
            let hi = h.edges.get(i + 1).copied().unwrap_or(f32::INFINITY);
            format!(
                "{} {}\n{} ({:.0}%)",
                spec.title,
                bucket_text(lo, hi, i == 0, spec.exact, spec.unit),
                count(u64::from(c), "card", "cards"),
                share(c, total)
            )
        },
    );
}

fn memory_states(ui: &mut egui::Ui, s: &Statistics) {
    if s.studied == 0 {
        empty_state(
            ui,
            "No cards studied yet. Stability, difficulty and recall show here once you have.",
        );
        return;
    }
    let specs = [
        (
            HistogramSpec {
                id: "stability",
                title: "Stability",
                x_title: "time until recall falls to 90%",
                tick: stability_tick,
                exact: |d| format!("{d:.0}"),
                unit: ("day", "days"),
            },
            &s.stability,
        ),
        (
            HistogramSpec {
                id: "difficulty",
                title: "Difficulty",
                x_title: "difficulty (1 easiest, 10 hardest)",
                tick: |e| format!("{e:.0}"),
                exact: |e| format!("{e:.0}"),
                unit: ("", ""),
            },
            &s.difficulty,
        ),
        (
            HistogramSpec {
                id: "retrievability",
                title: "Recall now",
                x_title: "predicted chance of recall",
                tick: |e| format!("{:.0}%", e * 100.0),
                exact: |e| format!("{:.0}%", e * 100.0),
                unit: ("", ""),
            },
            &s.retrievability,
        ),
    ];
    if ui.available_width() >= STACK_BELOW {
        ui.columns(3, |cols| {
            for ((spec, h), col) in specs.into_iter().zip(cols.iter_mut()) {
                histogram(col, spec, h);
            }
        });
    } else {
        for (spec, h) in specs {
            histogram(ui, spec, h);
            ui.add_space(8.0);
        }
    }
    ui.label(
        RichText::new(
            "Stability: how long until recall of a card falls to 90%. Recall now: the chance \
             of remembering each card today. Their buckets are of unequal width (finer where \
             most cards are), drawn side by side.",
        )
        .small()
        .weak(),
    );
}

// ----- Time spent -----

/// The unit a time chart counts in: minutes, or hours once a day reaches two.
fn time_unit(max_ms_per_day: u64) -> (f64, &'static str) {
    if max_ms_per_day >= 2 * 3_600_000 {
        (3_600_000.0, "hours")
    } else {
        (60_000.0, "minutes")
    }
}

/// The tooltip over one day of the time chart.
fn time_tooltip(date: Date, ms: u64, answers: u32) -> String {
    let day = date.strftime("%a %-d %b");
    if answers == 0 {
        format!("{day}\nNo study")
    } else {
        format!(
            "{day}\n{} · {}",
            duration_text(ms),
            count(u64::from(answers), "answer", "answers")
        )
    }
}

fn time_spent(ui: &mut egui::Ui, s: &Statistics, state: HistoryState) {
    if let Some(text) = state.placeholder() {
        empty_state(ui, text);
        return;
    }
    const DAYS: i32 = 30;
    let days: Vec<i32> = (0..DAYS).map(|k| s.today - (DAYS - 1) + k).collect();
    let ms: Vec<u64> = days
        .iter()
        .map(|d| s.time_per_day.get(d).copied().unwrap_or(0))
        .collect();
    let total: u64 = ms.iter().sum();
    if total == 0 {
        empty_state(
            ui,
            "No study in the last 30 days. Time spent answering cards shows here, day by day.",
        );
        return;
    }
    let (per, unit) = time_unit(ms.iter().copied().max().unwrap_or(0));
    // Ticks a week apart, ending today, as dates.
    let step = tick_step(days.len(), plot_width(ui), 6, 7);
    let x_ticks = (0..days.len())
        .rev()
        .step_by(step)
        .map(|k| {
            let x = k as f64 - f64::from(DAYS - 1);
            let date = s.date_of(days[k]);
            (x, date.strftime("%-d %b").to_string())
        })
        .collect();
    let bars: Vec<BarSpec> = ms
        .iter()
        .enumerate()
        .map(|(k, t)| (k as f64 - f64::from(DAYS - 1), *t as f64 / per, theme::NEW))
        .collect();
    bar_chart(
        ui,
        Chart {
            id: "time_spent",
            name: "Time spent",
            x_title: "date".into(),
            y_title: unit.into(),
            x_ticks,
            y_tick: count_tick,
            y_max: 1.0,
            y_marks: None,
            bar_labels: None,
            height: PLOT_HEIGHT,
        },
        &bars,
        0.8,
        |k| {
            let day = days.get(k).copied().unwrap_or(s.today);
            time_tooltip(
                s.date_of(day),
                ms.get(k).copied().unwrap_or(0),
                s.reviews_per_day.get(&day).copied().unwrap_or(0),
            )
        },
    );
    let studied = ms.iter().filter(|t| **t > 0).count() as u64;
    ui.label(
        RichText::new(format!(
            "{} in the last 30 days, on {} · {} a day on average",
            duration_text(total),
            count(studied, "day", "days"),
            duration_text(total / DAYS as u64)
        ))
        .weak(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::theme::contrast;
    use jiff::civil::date;

    #[test]
    fn durations_read_in_minutes_or_hours_never_seconds() {
        assert_eq!(duration_text(0), "0 min");
        assert_eq!(duration_text(59_000), "under 1 min");
        assert_eq!(duration_text(60_000), "1 min");
        assert_eq!(duration_text(89_000), "1 min");
        assert_eq!(duration_text(91_000), "2 min");
        assert_eq!(duration_text(59 * 60_000), "59 min");
        assert_eq!(duration_text(3_600_000), "1 h");
        assert_eq!(duration_text(16 * 3_600_000 + 36 * 60_000), "16 h 36 min");
        assert_eq!(duration_text(2809 * 3_600_000), "2,809 h");
        assert_eq!(
            duration_text(2 * 3_600_000 + 5 * 60_000 + 10_000),
            "2 h 5 min"
        );
        for ms in [1, 999, 45_000, 3_599_999, 7_200_001] {
            let t = duration_text(ms);
            assert!(!t.contains(" s") && !t.contains("ms"), "{ms}: {t}");
        }
    }

    #[test]
    fn time_charts_count_minutes_until_a_day_reaches_two_hours() {
        assert_eq!(time_unit(0), (60_000.0, "minutes"));
        assert_eq!(time_unit(119 * 60_000), (60_000.0, "minutes"));
        assert_eq!(time_unit(2 * 3_600_000), (3_600_000.0, "hours"));
    }

    #[test]
    fn numbers_have_thousands_separators_and_plurals() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(4213), "4,213");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(count(1, "day", "days"), "1 day");
        assert_eq!(count(0, "day", "days"), "0 days");
        assert_eq!(count(2143, "answer", "answers"), "2,143 answers");
    }

    #[test]
    fn axis_ticks_label_whole_values_only() {
        assert_eq!(count_tick(0.0), "0");
        assert_eq!(count_tick(20.0), "20");
        assert_eq!(count_tick(2500.0), "2,500");
        assert_eq!(count_tick(0.5), "");
        assert_eq!(count_tick(-10.0), "");
        assert_eq!(percent_tick(40.0), "40%");
        assert_eq!(percent_tick(12.5), "");
        assert_eq!(day_offset_label(0), "today");
        assert_eq!(day_offset_label(14), "+14");
    }

    #[test]
    fn ticks_thin_out_to_fit_and_keep_to_whole_weeks() {
        // 30 days on 650 points: a label a week fits.
        assert_eq!(tick_step(30, 650.0, 6, 7), 7);
        // 90 days on 300 points: weeks are too close, fortnights fit.
        assert_eq!(tick_step(90, 300.0, 6, 7), 21);
        // Eleven histogram buckets: every edge when wide, every other when narrow.
        assert_eq!(tick_step(11, 700.0, 3, 1), 1);
        assert_eq!(tick_step(11, 300.0, 3, 1), 2);
        // Never zero, never past the end.
        assert_eq!(tick_step(0, 0.0, 10, 0), 1);
        assert!(tick_step(5, 10.0, 40, 1) <= 5);
        // Whatever the width, labels a step apart do not touch.
        for width in [200.0, 333.0, 640.0, 1000.0] {
            let step = tick_step(30, width, 6, 7);
            assert_eq!(step % 7, 0);
            assert!(step as f32 * width / 30.0 >= 6.0 * TICK_CHAR_WIDTH || step >= 30);
        }
    }

    #[test]
    fn calendar_ends_on_today_and_starts_on_a_monday() {
        // Today a Friday (weekday 4), day 1000: its column starts on Monday 996.
        let first = calendar_first_day(1000, 4, 53);
        assert_eq!(first, 996 - 52 * 7);
        assert_eq!(
            (1000 - first) as usize / 7,
            52,
            "today is in the last column"
        );
        assert_eq!(calendar_first_day(1000, 0, 1), 1000);
    }

    #[test]
    fn month_labels_sit_where_a_month_starts() {
        // Monday 2 March 2026, five weeks: March at column 0, April at the
        // column of Monday 6 April (column 5 is past the end).
        let labels = month_labels(date(2026, 3, 2), 5, 2);
        assert_eq!(labels, vec![(0, "Mar")]);
        let labels = month_labels(date(2026, 3, 2), 9, 2);
        assert_eq!(labels, vec![(0, "Mar"), (5, "Apr")]);
        // A year of weeks names every month once, in order, a month apart.
        let labels = month_labels(date(2025, 11, 24), 53, 3);
        let names: Vec<&str> = labels.iter().map(|(_, n)| *n).collect();
        assert_eq!(
            names,
            [
                "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"
            ]
        );
        assert!(labels.windows(2).all(|w| w[1].0 - w[0].0 >= 4));
        // Column 0 (Mon 24 Nov) would be one week before December: dropped.
        assert_eq!(labels[0], (1, "Dec"));
    }

    #[test]
    fn weekday_labels_are_monday_wednesday_friday_rows() {
        assert_eq!(WEEKDAY_LABELS, [(0, "Mon"), (2, "Wed"), (4, "Fri")]);
    }

    #[test]
    fn count_axes_reach_past_the_tallest_bar() {
        for max in [
            1.0, 3.0, 7.0, 19.0, 32.0, 41.0, 99.0, 100.0, 387.0, 12_345.0,
        ] {
            let marks = count_marks(max);
            let top = *marks.last().unwrap();
            assert!(top >= max, "{max}: {marks:?}");
            assert!(marks.len() <= 7 && marks.len() >= 2, "{max}: {marks:?}");
            assert!(marks.iter().all(|m| m.fract() == 0.0), "{max}: {marks:?}");
            // The top mark is the first at or above the maximum.
            assert!(marks[marks.len() - 2] < max, "{max}: {marks:?}");
        }
        assert_eq!(count_marks(32.0), [0.0, 10.0, 20.0, 30.0, 40.0]);
        assert_eq!(count_marks(0.0), [0.0, 1.0]);
    }
    #[test]
    fn empty_calendar_days_show_against_the_panel() {
        for (dark, visuals) in [
            (true, egui::Visuals::dark()),
            (false, egui::Visuals::light()),
        ] {
            let c = contrast(heat_color(0, dark), visuals.panel_fill);
            assert!(c >= 1.5, "dark {dark}: {c:.2}:1");
        }
    }

    #[test]
    fn heat_levels_scale_to_the_busiest_day() {
        assert_eq!(heat_level(0, 100), 0);
        assert_eq!(heat_level(5, 0), 0);
        assert_eq!(heat_level(1, 100), 1);
        assert_eq!(heat_level(100, 100), 4);
        assert_eq!(heat_level(200, 100), 4);
        let levels: Vec<u8> = (0..=100).map(|n| heat_level(n, 100)).collect();
        assert!(levels.windows(2).all(|w| w[0] <= w[1]), "monotonic");
        assert!(levels.contains(&2) && levels.contains(&3));
    }

    #[test]
    fn tooltips_give_the_exact_value_and_the_date() {
        assert_eq!(
            day_tooltip(date(2026, 11, 24), 42, 12 * 60_000),
            "Tuesday 24 November 2026\n42 answers · 12 min"
        );
        assert_eq!(
            day_tooltip(date(2026, 11, 1), 0, 0),
            "Sunday 1 November 2026\nNo reviews"
        );
        assert_eq!(
            due_tooltip(0, date(2026, 11, 27), 20),
            "Today, Fri 27 Nov\n20 cards due (overdue ones included)"
        );
        assert_eq!(
            due_tooltip(1, date(2026, 11, 28), 1),
            "Tomorrow, Sat 28 Nov\n1 card due"
        );
        assert_eq!(
            due_tooltip(5, date(2026, 12, 2), 3),
            "In 5 days, Wed 2 Dec\n3 cards due"
        );
        assert_eq!(
            time_tooltip(date(2026, 11, 24), 754_000, 45),
            "Tue 24 Nov\n13 min · 45 answers"
        );
        assert_eq!(
            button_tooltip("Young", "Good", 1510, 2143),
            "Young cards · Good\n1,510 of 2,143 answers (70.5%)"
        );
        assert_eq!(
            button_tooltip("Mature", "Easy", 0, 0),
            "Mature cards · Easy\n0 of 0 answers (0.0%)"
        );
    }

    #[test]
    fn histogram_edges_read_with_units() {
        let ticks: Vec<String> = [
            0.0, 1.0, 3.0, 7.0, 14.0, 30.0, 60.0, 120.0, 240.0, 365.0, 730.0,
        ]
        .into_iter()
        .map(stability_tick)
        .collect();
        assert_eq!(
            ticks,
            [
                "0", "1d", "3d", "1w", "2w", "1mo", "2mo", "4mo", "8mo", "1y", "2y"
            ]
        );
        let days: fn(f32) -> String = |d| format!("{d:.0}");
        assert_eq!(
            bucket_text(0.0, 1.0, true, days, ("day", "days")),
            "under 1 day"
        );
        assert_eq!(
            bucket_text(7.0, 14.0, false, days, ("day", "days")),
            "7–14 days"
        );
        assert_eq!(
            bucket_text(730.0, f32::INFINITY, false, days, ("day", "days")),
            "730 days or more"
        );
        let pct: fn(f32) -> String = |e| format!("{:.0}%", e * 100.0);
        assert_eq!(bucket_text(0.9, 0.95, false, pct, ("", "")), "90%–95%");
        assert_eq!(bucket_text(0.0, 0.5, true, pct, ("", "")), "under 50%");
        assert_eq!(
            bucket_text(0.98, f32::INFINITY, false, pct, ("", "")),
            "98% or more"
        );
    }

    #[test]
    fn the_answer_buttons_keep_study_order_and_colours() {
        assert_eq!(BUTTON_NAMES, ["Again", "Hard", "Good", "Easy"]);
        assert_eq!(
            BUTTON_COLORS,
            [theme::AGAIN, theme::HARD, theme::GOOD, theme::EASY]
        );
        assert_eq!(BUTTON_ROWS, ["Learning", "Young", "Mature"]);
        assert_eq!(share(1, 4), 25.0);
        assert_eq!(share(3, 0), 0.0);
    }

    #[test]
    fn the_calendar_shows_exactly_the_last_year() {
        let today = 20_000;
        let shown = (today - 400..today + 5)
            .filter(|d| in_calendar(*d, today))
            .count();
        assert_eq!(shown, CALENDAR_DAYS as usize);
        assert!(in_calendar(today, today));
        assert!(!in_calendar(today - CALENDAR_DAYS, today));
        assert!(!in_calendar(today + 1, today));
    }
}
