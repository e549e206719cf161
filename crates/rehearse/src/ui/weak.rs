//! Weak topics: every topic (or tag) with its predicted recall now as a bar,
//! lapse and again rates and leeches, weakest first; drill the chosen ones.
//! Readiness for an interview date has its own screen (`readiness.rs`).

use std::collections::BTreeSet;

use egui::RichText;
use jiff::Timestamp;

use super::chart::thousands;
use super::history::{Background, HistoryCache};
use super::readiness::{elide_to_width, recall_bar_from, text_width};
use super::{Nav, notice, theme};
use rehearse_core::collection::Collection;
use rehearse_core::insight::weak::{
    DrillFilter, GroupKind, MissedPoint, WeakRow, missed_point_prompts, missed_points, weak_topics,
};
use rehearse_core::study::Scope;

/// What the worker works out: the table, and with the history the key
/// points most often missed.
type Computed = (Vec<WeakRow>, Option<Vec<MissedPoint>>);

/// Weak-topics screen state.
pub struct WeakScreen {
    kind: GroupKind,
    /// Showing the rubric key points most often missed instead of groups.
    points_view: bool,
    /// Those points, once the history is read.
    points: Option<Vec<MissedPoint>>,
    selected: BTreeSet<(GroupKind, String)>,
    rows: Option<(Vec<WeakRow>, bool)>,
    /// The table (and, with the history, the missed points) being worked out
    /// on a worker: whether with the history.
    pending: Option<(bool, Background<Computed>)>,
    /// Why the table could not be worked out.
    failed: Option<String>,
    /// The history error already posted as a notice, so it is posted once.
    history_error: Option<String>,
}

impl WeakScreen {
    /// Starts with nothing ticked.
    pub fn new(_collection: &Collection) -> Self {
        Self {
            kind: GroupKind::Topic,
            points_view: false,
            points: None,
            selected: BTreeSet::new(),
            rows: None,
            pending: None,
            failed: None,
            history_error: None,
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
        if let Some((had, job)) = &self.pending
            && let Some(result) = job.poll()
        {
            match result {
                Ok((rows, points)) => {
                    self.rows = Some((rows, *had));
                    if points.is_some() {
                        self.points = points;
                    }
                }
                Err(e) => self.failed = Some(e),
            }
            self.pending = None;
        }
        // Every card's recall is worked out: on a worker, so that no frame
        // waits for it at a large collection.
        let with_history = loaded.is_some();
        let stale = self
            .rows
            .as_ref()
            .is_none_or(|(_, had)| !had && with_history);
        let asked = self
            .pending
            .as_ref()
            .is_some_and(|(had, _)| *had == with_history);
        if stale && !asked && self.failed.is_none() {
            let job = Background::start(collection, ui.ctx(), now, move |copy| {
                let rows = weak_topics(copy, loaded.as_deref(), now);
                let points = loaded.as_deref().map(|h| missed_points(copy, h));
                (rows, points)
            });
            self.pending = Some((with_history, job));
        }
        let mut nav = Nav::Stay;
        egui::ScrollArea::vertical()
            .id_salt("weak_scroll")
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    // Tables use the width there is, up to a comfortable size.
                    ui.set_max_width(ui.available_width().min(1040.0));
                    ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                        ui.add_space(12.0);
                        self.header(ui, history, &mut nav);
                        ui.add_space(6.0);
                        let shown = if self.points_view {
                            self.points_table(ui)
                        } else {
                            self.table(ui)
                        };
                        if let Some(n) = shown {
                            nav = n;
                        }
                        ui.add_space(20.0);
                    });
                });
            });
        nav
    }

    /// The title with Drill, the explanation, the Topics / Tags switch and
    /// the way to Readiness.
    fn header(&mut self, ui: &mut egui::Ui, history: &HistoryCache, nav: &mut Nav) {
        ui.horizontal(|ui| {
            ui.heading("Weak topics");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let n = self.selected.len();
                let label = if n == 0 {
                    "Drill selected".to_string()
                } else {
                    format!("Drill {n} selected")
                };
                let drill = ui
                    .add_enabled(n > 0, egui::Button::new(RichText::new(label).strong()))
                    .on_hover_text(
                        "The weakest cards of the selected topics, due or not; the answers count as reviews",
                    )
                    .on_disabled_hover_text("Tick the topics or tags to drill");
                if drill.clicked() {
                    *nav = Nav::Study(Scope::Drill(self.filter()));
                }
            });
        });
        ui.label(
            RichText::new(
                "Weakest first, by a weakness score that weighs recall now, lapses, recent Agains and leeches (hover a heading for how). Recall now is the memory model's chance you would remember a card of the topic today.",
            )
            .weak(),
        );
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui
                .selectable_label(!self.points_view && self.kind == GroupKind::Topic, "Topics")
                .clicked()
            {
                self.kind = GroupKind::Topic;
                self.points_view = false;
            }
            if ui
                .selectable_label(!self.points_view && self.kind == GroupKind::Tag, "Tags")
                .clicked()
            {
                self.kind = GroupKind::Tag;
                self.points_view = false;
            }
            ui.selectable_value(&mut self.points_view, true, "Key points missed")
                .on_hover_text("The rubric points your answers leave out most often");
            if history.is_loading() {
                ui.spinner();
                ui.label(RichText::new("reading the review history…").small().weak());
            } else if self.pending.is_some() {
                ui.spinner();
                ui.label(RichText::new("computing…").small().weak());
            }
            if let Some(e) = history.error()
                && self.history_error.as_deref() != Some(e)
            {
                notice::error(
                    ui.ctx(),
                    format!(
                        "The review history could not be read, so the again rates are missing: {e}"
                    ),
                );
                self.history_error = Some(e.to_string());
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .link("Interview readiness →")
                    .on_hover_text(
                        "How well you will know your topics on the interview day (key r)",
                    )
                    .clicked()
                {
                    *nav = Nav::Readiness;
                }
            });
        });
    }

    /// The table; clicking a name opens its cards in the browser.
    fn table(&mut self, ui: &mut egui::Ui) -> Option<Nav> {
        let mut nav = None;
        if let Some(e) = &self.failed {
            ui.colored_label(
                theme::ERROR,
                format!("The table could not be worked out: {e}"),
            );
        }
        let Some((rows, with_history)) = &self.rows else {
            return None;
        };
        let mut rows: Vec<&WeakRow> = rows.iter().filter(|r| r.kind == self.kind).collect();
        if !with_history {
            // In name order until the weakness is known, rather than in an
            // order that changes when the history arrives.
            rows.sort_by(|a, b| a.name.cmp(&b.name));
        }
        if rows.is_empty() {
            ui.label("No cards to show yet.");
            return None;
        }
        // Names take the longest one's width, measured, as far as the other
        // columns (the bar 110 to 170 points) leave room; beyond it they elide.
        let longest = rows
            .iter()
            .map(|r| text_width(ui, &r.name))
            .fold(0.0, f32::max);
        let bar = (ui.available_width() - NAME_LEAVES - longest).clamp(110.0, 170.0);
        let name_room = (ui.available_width() - NAME_LEAVES - bar).max(160.0);
        egui::Frame::group(ui.style())
            .inner_margin(10.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                // Narrow windows scroll the table sideways rather than cut columns off.
                egui::ScrollArea::horizontal()
                    .id_salt("weak_table")
                    .show(ui, |ui| {
                        // Row boxes outlined so they show on the stripes (the
                        // light theme's default outline is nearly white).
                        let outline = if ui.visuals().dark_mode {
                            CHECKBOX_OUTLINE_DARK
                        } else {
                            CHECKBOX_OUTLINE_LIGHT
                        };
                        ui.visuals_mut().widgets.inactive.bg_stroke =
                            egui::Stroke::new(1.0, outline);
                        egui::Grid::new("weak")
                            .num_columns(9)
                            .striped(true)
                            .spacing([18.0, 6.0])
                            .show(ui, |ui| {
                                header_row(ui);
                                for row in rows {
                                    let layout = RowLayout {
                                        name_room,
                                        bar,
                                        with_history: *with_history,
                                    };
                                    if let Some(to) = table_row(ui, row, &mut self.selected, layout)
                                    {
                                        nav = Some(to);
                                    }
                                    ui.end_row();
                                }
                            });
                    });
            });
        nav
    }
}

impl WeakScreen {
    /// The rubric key points most often missed, with a drill of their prompts.
    fn points_table(&mut self, ui: &mut egui::Ui) -> Option<Nav> {
        let Some(points) = &self.points else {
            ui.label(RichText::new("Reading the review history…").weak());
            return None;
        };
        if points.is_empty() {
            ui.label(
                "No key point missed yet. Rubric prompts (interview mode) record which points each answer covered.",
            );
            return None;
        }
        let mut nav = None;
        let prompts = missed_point_prompts(points);
        if ui
            .button(
                RichText::new(if prompts.len() == 1 {
                    "Drill this prompt".to_string()
                } else {
                    format!("Drill these {} prompts", prompts.len())
                })
                .strong(),
            )
            .on_hover_text("The prompts whose points you miss, most missed first")
            .clicked()
        {
            nav = Some(Nav::Study(Scope::Fixed(prompts)));
        }
        ui.add_space(6.0);
        let fit = ((ui.available_width() - 300.0) / 8.5).clamp(20.0, 90.0) as usize;
        egui::Frame::group(ui.style())
            .inner_margin(10.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                egui::Grid::new("missed_points")
                    .num_columns(3)
                    .striped(true)
                    .spacing([18.0, 6.0])
                    .show(ui, |ui| {
                        for h in ["Topic", "Key point", "Missed"] {
                            ui.label(RichText::new(h).strong());
                        }
                        ui.end_row();
                        for p in points {
                            ui.label(elide(&p.topic, 28)).on_hover_text(&p.topic);
                            ui.label(elide(&p.point, fit)).on_hover_text(&p.point);
                            let share = p.missed as f32 / p.answered.max(1) as f32;
                            let text = RichText::new(format!("{} of {}", p.missed, p.answered));
                            ui.label(if share >= 0.5 {
                                text.color(theme::ERROR)
                            } else {
                                text
                            });
                            ui.end_row();
                        }
                    });
            });
        nav
    }
}

/// What the columns of the table other than the names and the bar take,
/// with the spacing.
const NAME_LEAVES: f32 = 610.0;

/// Where the recall bars start: every studied topic sits between 50% and
/// 100%, so a bar from 0 would make 91% and 95% look alike.
const RECALL_FLOOR: f32 = 0.5;

/// An unticked row box's outline in the light theme: 3:1 against white.
const CHECKBOX_OUTLINE_LIGHT: egui::Color32 = egui::Color32::from_gray(0x76);
/// The same in the dark theme: 3:1 against its panel.
const CHECKBOX_OUTLINE_DARK: egui::Color32 = egui::Color32::from_gray(0x80);

const WEAKNESS_TIP: &str = "Weakness, 0 (solid) to 100: the mean of four shares — recall missing now (100% − recall now), the lapse rate, the again rate of the last 30 days and the share of cards that are leeches. Weakest first.";

const RECALL_TIP: &str = "The memory model's chance you would remember a card today, averaged over the cards you have studied. The bar runs from 50% to 100%.";

/// A weakness score as the table shows it.
fn weakness_text(w: Option<f32>) -> RichText {
    match w {
        Some(w) => {
            // One decimal: topics a whole point apart are rare, and the
            // order must be visible in the figures.
            let text = RichText::new(format!("{w:.1}"));
            if w >= 15.0 {
                text.color(theme::ERROR).strong()
            } else {
                text
            }
        }
        None => RichText::new("–").weak(),
    }
}

/// `text` cut to `max` characters with an ellipsis.
fn elide(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// How a table row is laid out: the names' room, the recall bar's width,
/// and whether the last 30 days' answers are known yet.
#[derive(Clone, Copy)]
struct RowLayout {
    name_room: f32,
    bar: f32,
    with_history: bool,
}

/// The table's column headings, with what each measures on hover.
fn header_row(ui: &mut egui::Ui) {
    ui.label("");
    for (h, tip) in [
        ("Name", ""),
        ("Weakness", WEAKNESS_TIP),
        ("Recall now", RECALL_TIP),
        ("Cards", ""),
        ("Studied", "Cards answered at least once"),
        (
            "Lapse rate",
            "Share of reviews of learnt cards that were forgotten, all time",
        ),
        (
            "Again (30 d)",
            "Share of answers in the last 30 days that were Again",
        ),
        ("Leeches", "Cards forgotten again and again"),
    ] {
        let l = ui.label(RichText::new(h).strong());
        if !tip.is_empty() {
            l.on_hover_text(tip);
        }
    }
    ui.end_row();
}

/// One topic's or tag's row: its box, its name (a link to its cards in the
/// browser, weakest first, which is returned when clicked) and its figures.
fn table_row(
    ui: &mut egui::Ui,
    row: &WeakRow,
    selected: &mut BTreeSet<(GroupKind, String)>,
    layout: RowLayout,
) -> Option<Nav> {
    let key = (row.kind, row.name.clone());
    let mut on = selected.contains(&key);
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
            selected.insert(key);
        } else {
            selected.remove(&key);
        }
    }
    // Long names elide; the tooltip has them whole.
    let shown = elide_to_width(ui, &row.name, "", layout.name_room);
    let link = ui.link(shown).on_hover_text(format!(
        "Show the cards of {} in the browser, weakest first",
        row.name
    ));
    let nav = link.clicked().then(|| {
        let field = match row.kind {
            GroupKind::Topic => "topic",
            GroupKind::Tag => "tag",
        };
        Nav::BrowseWeakest(format!("{field}:\"{}\"", row.name))
    });
    let pct = |v: Option<f32>| v.map_or("–".to_string(), |v| format!("{:.0}%", v * 100.0));
    // Weakness and the lapse and Again rates come from the review history:
    // until it is read they would be guesses that change when it arrives.
    let waiting = |ui: &mut egui::Ui| {
        ui.label(RichText::new("…").weak())
            .on_hover_text("Waiting for the review history");
    };
    if layout.with_history {
        ui.label(weakness_text(row.weakness()))
            .on_hover_text(WEAKNESS_TIP);
    } else {
        waiting(ui);
    }
    recall_bar_from(ui, row.recall_now, layout.bar, RECALL_FLOOR);
    ui.label(thousands(row.items as u64));
    ui.label(thousands(row.studied as u64));
    if layout.with_history {
        ui.label(pct(row.lapse_rate));
        ui.label(pct(row.again_rate_30d));
    } else {
        waiting(ui);
        waiting(ui);
    }
    let leeches = RichText::new(row.leeches.to_string());
    ui.label(if row.leeches > 0 {
        leeches.color(theme::ERROR)
    } else {
        leeches.weak()
    });
    nav
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::theme::contrast;

    #[test]
    fn topic_links_read_at_4_5_to_1_in_both_themes() {
        let ctx = egui::Context::default();
        theme::apply(&ctx);
        for t in [egui::Theme::Light, egui::Theme::Dark] {
            let v = &ctx.style_of(t).visuals;
            // Table stripes are the faint colour over the panel.
            let stripe = v.panel_fill.blend(v.faint_bg_color);
            for bg in [v.panel_fill, v.window_fill, v.extreme_bg_color, stripe] {
                let c = contrast(v.hyperlink_color, bg);
                assert!(
                    c >= 4.5,
                    "{t:?}: link {:?} on {bg:?} is {c:.2}:1",
                    v.hyperlink_color
                );
            }
        }
    }

    #[test]
    fn row_boxes_show_in_both_themes() {
        let c = contrast(CHECKBOX_OUTLINE_LIGHT, egui::Color32::WHITE);
        assert!(c >= 3.0, "{c:.2}:1");
        let panel = egui::Visuals::dark().panel_fill;
        let c = contrast(CHECKBOX_OUTLINE_DARK, panel);
        assert!(c >= 3.0, "dark: {c:.2}:1");
    }

    /// Until the review history is read, the figures that come from it are
    /// shown as waiting, not as guesses that change when it arrives.
    #[test]
    fn figures_from_the_history_wait_for_it() {
        use egui_kittest::kittest::Queryable;
        let row = WeakRow {
            kind: GroupKind::Topic,
            name: "Caching".into(),
            items: 10,
            studied: 8,
            recall_now: Some(0.8),
            lapse_rate: Some(0.25),
            again_rate_30d: Some(0.5),
            answers_30d: 4,
            leeches: 0,
        };
        for with_history in [false, true] {
            let row = row.clone();
            let mut selected = BTreeSet::new();
            let mut h = egui_kittest::Harness::new_ui(move |ui| {
                let layout = RowLayout {
                    name_room: 200.0,
                    bar: 120.0,
                    with_history,
                };
                egui::Grid::new("t").show(ui, |ui| {
                    table_row(ui, &row, &mut selected, layout);
                });
            });
            h.run();
            let shown = |text: &str| h.query_by_label(text).is_some();
            assert_eq!(shown("25%"), with_history, "lapse rate");
            assert_eq!(shown("50%"), with_history, "Again rate");
            assert_eq!(
                h.query_all_by_label("…").count(),
                if with_history { 0 } else { 3 }
            );
        }
    }
}
