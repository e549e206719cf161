//! What the charts of Statistics and What if share, so that they read
//! alike: titled sections, tooltips, words where a chart would be empty,
//! colour keys, plots that hold still, axis marks and ticks, and numbers in
//! words.

use egui::{Color32, RichText, Sense};
use egui_plot::{GridInput, GridMark, Plot};

/// A titled box. Once drawn, its height is remembered, and while it is
/// scrolled out of view only that space is taken: plots are the costly part
/// of a frame, and at most two or three are on screen at a time.
pub(super) fn section(ui: &mut egui::Ui, title: &str, add: impl FnOnce(&mut egui::Ui)) {
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
        .inner_margin(14.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(title).strong().size(17.0));
            ui.add_space(2.0);
            add(ui);
        })
        .response;
    ui.ctx()
        .data_mut(|d| d.insert_temp(id, response.rect.height()));
}

/// A chart tooltip: the first line (what) strong, the rest (how many) plain,
/// never wrapped.
pub(super) fn tooltip(ui: &mut egui::Ui, text: &str) {
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        ui.label(RichText::new(first).strong());
    }
    for line in lines {
        ui.label(line);
    }
}

/// Words where a chart would be: nothing to show yet, and why.
pub(super) fn empty_state(ui: &mut egui::Ui, text: &str) {
    ui.add_space(6.0);
    ui.label(RichText::new(text).weak());
    ui.add_space(6.0);
}

/// The coloured square of a series' key, which sits above a chart instead
/// of a legend over its data.
pub(super) fn swatch(ui: &mut egui::Ui, color: Color32) {
    let (r, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), Sense::hover());
    ui.painter().rect_filled(r, 2.0, color);
}

/// A plot that holds still and shows no coordinates of its own: the charts
/// are read, not explored, a scroll over one scrolls the page, and their
/// tooltips give the values.
pub(super) fn fixed_plot<'a>(id: &str) -> Plot<'a> {
    Plot::new(id)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_x(false)
        .show_y(false)
}

/// Grid lines (and so labelled ticks) at exactly `marks`, as light as
/// egui_plot's own for a spacing of `step`, instead of egui_plot's choice.
pub(super) fn grid_at(marks: Vec<f64>, step: f64) -> impl Fn(GridInput) -> Vec<GridMark> {
    move |_| {
        marks
            .iter()
            .map(|&value| GridMark {
                value,
                step_size: step,
            })
            .collect()
    }
}

/// Names a chart for screen readers: what it shows and what its axes are.
pub(super) fn describe_figure(response: &egui::Response, name: &str, across: &str, up: &str) {
    let text = format!("{name} chart. Across: {across}. Up: {up}.");
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Figure, true, &text));
}

/// A round step for about `rough` apart: 1, 2, 5 or 10 times a power of
/// ten, the smallest at or above `rough`.
fn round_step(rough: f64) -> f64 {
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * power)
}

/// Where a count axis' ticks go for bars up to `max`: 0, then a round step
/// (1, 2 or 5 times a power of ten, whole) about four times, the last at or
/// above `max`, so the tallest bar never rises past the top label.
pub(super) fn count_marks(max: f64) -> Vec<f64> {
    let max = if max.is_finite() { max.max(1.0) } else { 1.0 };
    let step = round_step(max / 4.0).max(1.0).round();
    let top = (max / step).ceil() as usize;
    (0..=top).map(|k| k as f64 * step).collect()
}

/// Ticks for an axis of small positive numbers up to `max`: 0, then a round
/// step (1, 2 or 5 times a power of ten) about four times, the last at or
/// above `max`; and the decimals the step needs.
pub(super) fn fraction_marks(max: f64) -> (Vec<f64>, usize) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let step = round_step(max / 4.0);
    let top = (max / step - 1e-9).ceil().max(1.0) as usize;
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    ((0..=top).map(|k| k as f64 * step).collect(), decimals)
}

/// A whole number as a tick; nothing between whole numbers.
pub(super) fn whole_tick(v: f64) -> String {
    if v >= 0.0 && (v - v.round()).abs() < 1e-9 {
        thousands(v.round() as u64)
    } else {
        String::new()
    }
}

/// A tick label for a day `k` days from today.
pub(super) fn day_offset_label(k: usize) -> String {
    if k == 0 {
        "today".into()
    } else {
        format!("+{k}")
    }
}

/// A day `k` days from today in words: "Today", "Tomorrow", "In 5 days".
pub(super) fn when(k: usize) -> String {
    match k {
        0 => "Today".into(),
        1 => "Tomorrow".into(),
        k => format!("In {k} days"),
    }
}

/// A duration as people say it: "under 1 min", "12 min", "2 h 5 min".
pub(super) fn duration_text(ms: u64) -> String {
    if ms == 0 {
        return "0 min".into();
    }
    if ms < 60_000 {
        return "under 1 min".into();
    }
    let minutes = (ms + 30_000) / 60_000;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{} h", thousands(h)),
        (h, m) => format!("{} h {m} min", thousands(h)),
    }
}

/// A whole number with thousands separated: 4,213.
pub(super) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 card", "4,213 cards".
pub(super) fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}
