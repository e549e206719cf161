//! Interview readiness: the interview's date and topics, how well its cards
//! will be known on the day (cards never studied count as not known), how
//! many will have been seen by then at the current pace, what keeping up
//! takes, and the final-stretch retention raise.

use std::collections::{BTreeMap, BTreeSet};

use egui::{Color32, RichText, Sense};
use jiff::Timestamp;
use jiff::civil::Date;

use super::history::HistoryCache;
use super::{Nav, notice, theme};
use rehearse_core::collection::Collection;
use rehearse_core::insight::forecast::{
    self, DateError, FinalStretch, Forecast, StretchOffer, forecast, parse_date, raised_retention,
    short_date,
};
use rehearse_core::insight::weak::DrillFilter;

/// The primary button's fill: dark enough for white text in both themes.
const PRIMARY: Color32 = Color32::from_rgb(0x00, 0x5c, 0x80);

/// Why desired retention is what it is, for the Settings screen: "Desired
/// retention is 0.95 until your interview on 14 Dec; it returns to 0.90
/// after." `None` when no raise for an interview is in force.
pub fn retention_note(collection: &Collection) -> Option<String> {
    let raise = raised_retention(collection.settings())?;
    Some(raise.note(today(collection, Timestamp::now())))
}

/// The study day's date at `now`.
fn today(collection: &Collection, now: Timestamp) -> Date {
    let clock = collection.scheduler().clock();
    clock.date_of_day(clock.day_of(now))
}

/// A forecast made, and what it was made for.
struct Made {
    date: Date,
    ticked: BTreeSet<String>,
    /// At the current retention, and (when a raise is on offer) at the raised one.
    result: Result<(Forecast, Option<Forecast>), String>,
    /// A pace that sees every card before the day.
    plan: Option<forecast::StudyPlan>,
}

/// Readiness screen state.
pub struct ReadinessScreen {
    date_text: String,
    /// Every topic, with its number of cards.
    topics: BTreeMap<String, usize>,
    ticked: BTreeSet<String>,
    made: Option<Made>,
    /// Set when Forecast was pressed with a date that is not valid.
    show_date_error: bool,
    /// Fold the topic list on the next frame (after a forecast).
    fold_topics: bool,
}

impl ReadinessScreen {
    /// The screen for the collection's interview settings; with an interview
    /// saved, its forecast is shown at once.
    pub fn new(collection: &Collection, now: Timestamp) -> Self {
        let topics = forecast::topics(collection);
        let interview = collection.settings().interview.clone();
        let ticked: BTreeSet<String> = match &interview {
            Some(i) if !i.topics.is_empty() => i
                .topics
                .iter()
                .filter(|t| topics.contains_key(*t))
                .cloned()
                .collect(),
            _ => topics.keys().cloned().collect(),
        };
        let mut screen = Self {
            date_text: interview
                .as_ref()
                .map(|i| i.date.to_string())
                .unwrap_or_default(),
            topics,
            ticked,
            made: None,
            show_date_error: false,
            fold_topics: false,
        };
        if let Some(i) = interview
            && i.date >= today(collection, now)
            && !screen.ticked.is_empty()
        {
            screen.made = Some(screen.compute(collection, i.date, now));
        }
        screen
    }

    /// The topics ticked, as saved in the settings: empty when all are.
    fn saved_topics(&self) -> Vec<String> {
        if self.ticked.len() == self.topics.len() {
            Vec::new()
        } else {
            self.ticked.iter().cloned().collect()
        }
    }

    fn compute(&self, collection: &Collection, date: Date, now: Timestamp) -> Made {
        let filter = (self.ticked.len() < self.topics.len()).then(|| DrillFilter {
            topics: self.ticked.iter().cloned().collect(),
            tags: Vec::new(),
        });
        let target = forecast::stretch_target(collection.settings());
        let result = forecast(collection, filter.as_ref(), date, now, None)
            .and_then(|current| {
                let high = match target {
                    Some(to) => Some(forecast(collection, filter.as_ref(), date, now, Some(to))?),
                    None => None,
                };
                Ok((current, high))
            })
            .map_err(|e| e.to_string());
        let plan = forecast::study_plan(collection, filter.as_ref(), date, now).ok();
        Made {
            date,
            ticked: self.ticked.clone(),
            result,
            plan,
        }
    }

    /// Forecasts for the typed date and ticked topics, and remembers the
    /// interview in the settings.
    fn run(&mut self, ui: &egui::Ui, collection: &mut Collection, now: Timestamp) {
        let Ok(date) = parse_date(&self.date_text, today(collection, now)) else {
            self.show_date_error = true;
            return;
        };
        self.show_date_error = false;
        if let Err(e) = forecast::save_interview(collection, date, self.saved_topics()) {
            notice::error(
                ui.ctx(),
                format!("The interview date could not be saved: {e}"),
            );
        }
        self.made = Some(self.compute(collection, date, now));
        self.fold_topics = true;
    }

    /// Draws the screen.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        _history: &mut HistoryCache,
        now: Timestamp,
    ) -> Nav {
        let mut nav = Nav::Stay;
        egui::ScrollArea::vertical()
            .id_salt("readiness_scroll")
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.set_max_width(ui.available_width().min(MAX_WIDTH));
                    ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                        ui.add_space(12.0);
                        ui.horizontal(|ui| {
                            ui.heading("Interview readiness");
                            ui.with_layout(
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| {
                                    if ui
                                        .link("← Weak topics")
                                        .on_hover_text("Every topic's recall now; drill the weakest")
                                        .clicked()
                                    {
                                        nav = Nav::Weak;
                                    }
                                },
                            );
                        });
                        ui.label(
                            RichText::new(
                                "How well you will know the interview's cards on the day. Cards you have never studied count as not known.",
                            )
                            .weak(),
                        );
                        ui.add_space(10.0);
                        self.inputs(ui, collection, now);
                        ui.add_space(14.0);
                        self.results(ui, collection, now);
                        ui.add_space(20.0);
                    });
                });
            });
        nav
    }

    /// The date, the topics and the Forecast button.
    fn inputs(&mut self, ui: &mut egui::Ui, collection: &mut Collection, now: Timestamp) {
        let today = today(collection, now);
        let parsed = parse_date(&self.date_text, today);
        let mut go = false;
        section(ui, |ui| {
            ui.label(RichText::new("When is the interview?").strong());
            ui.add_space(4.0);
            go |= self.date_row(ui, &parsed, today);
            self.date_error(ui, &parsed);
            ui.add_space(10.0);
            self.topic_picker(ui);
            ui.add_space(10.0);
            go |= self.forecast_button(ui, &parsed);
        });
        if go && !self.ticked.is_empty() && !self.date_text.trim().is_empty() {
            self.run(ui, collection, now);
        }
    }

    /// The date field, with the date typed in words beside it (or an
    /// example while it is empty). Returns whether Enter was pressed in it.
    fn date_row(
        &mut self,
        ui: &mut egui::Ui,
        parsed: &Result<Date, DateError>,
        today: Date,
    ) -> bool {
        let mut enter = false;
        ui.horizontal(|ui| {
            let l = ui.label("Date");
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut self.date_text)
                        .hint_text("YYYY-MM-DD")
                        .desired_width(130.0),
                )
                .labelled_by(l.id);
            if field.changed() {
                self.show_date_error = false;
            }
            if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                enter = true;
            }
            match parsed {
                Ok(date) => {
                    ui.label(RichText::new(date_in_words(*date, today)).weak());
                }
                Err(_) if self.date_text.trim().is_empty() => {
                    ui.label(RichText::new("for example 2026-12-14").weak());
                }
                Err(_) => {}
            }
        });
        enter
    }

    /// Why the typed date is not valid, as soon as it is complete or once
    /// Forecast was pressed: not while the user is still typing it.
    fn date_error(&self, ui: &mut egui::Ui, parsed: &Result<Date, DateError>) {
        if let Err(e) = parsed
            && (self.show_date_error || self.date_text.trim().len() >= 10)
        {
            ui.colored_label(theme::ERROR, e.to_string());
        }
    }

    /// The topics the interview covers, under a header that says how many
    /// are ticked.
    fn topic_picker(&mut self, ui: &mut egui::Ui) {
        // Folded away once a forecast shows, so the figures are in view.
        let open = std::mem::take(&mut self.fold_topics).then_some(false);
        egui::CollapsingHeader::new(
            RichText::new(format!("Topics it covers: {}", self.covers())).strong(),
        )
        .id_salt("readiness_topic_picker")
        // Open only when it is short, so Forecast readiness stays in view.
        .default_open(self.made.is_none() && self.topics.len() <= OPEN_TOPICS_UP_TO)
        .open(open)
        .show(ui, |ui| {
            self.select_all_or_none(ui);
            ui.add_space(4.0);
            self.topic_boxes(ui);
        });
    }

    /// How many topics are ticked, and their study items: "all 12 (516
    /// study items)", "3 of 12 (80 study items)", "none ticked".
    fn covers(&self) -> String {
        let cards: usize = self.ticked.iter().filter_map(|t| self.topics.get(t)).sum();
        match self.ticked.len() {
            0 => "none ticked".to_string(),
            n if n == self.topics.len() => {
                format!("all {n} ({})", plural(cards, "study item"))
            }
            n => format!(
                "{n} of {} ({})",
                self.topics.len(),
                plural(cards, "study item")
            ),
        }
    }

    /// "Select all" and "Select none", each disabled when it would change
    /// nothing.
    fn select_all_or_none(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let all = self.ticked.len() == self.topics.len();
            if ui
                .add_enabled(!all, egui::Button::new("Select all").small())
                .on_hover_text("Tick every topic")
                .on_disabled_hover_text("Every topic is ticked already")
                .clicked()
            {
                self.ticked = self.topics.keys().cloned().collect();
            }
            if ui
                .add_enabled(
                    !self.ticked.is_empty(),
                    egui::Button::new("Select none").small(),
                )
                .on_hover_text("Untick every topic")
                .on_disabled_hover_text("No topic is ticked")
                .clicked()
            {
                self.ticked.clear();
            }
        });
    }

    /// The Forecast readiness button, disabled (saying why) until a valid
    /// date and a topic are given. Returns whether it was clicked.
    fn forecast_button(&self, ui: &mut egui::Ui, parsed: &Result<Date, DateError>) -> bool {
        let why_not = forecast_blocked(&self.date_text, parsed, self.ticked.len());
        let ready = why_not.is_none();
        let label = RichText::new("Forecast readiness")
            .strong()
            .color(Color32::WHITE);
        let button = egui::Button::new(label)
            .fill(PRIMARY)
            .min_size(egui::vec2(0.0, 30.0));
        ui.add_enabled(ready, button)
            .on_hover_text(
                "Forecast the ticked topics on the interview day (Enter in the date field)",
            )
            .on_disabled_hover_text(why_not.unwrap_or_default())
            .clicked()
    }

    /// One checkbox per topic, in as many columns as fit.
    fn topic_boxes(&mut self, ui: &mut egui::Ui) {
        if self.topics.is_empty() {
            ui.label(RichText::new("No cards yet: add or import some first.").weak());
            return;
        }
        // As many columns as the longest label allows whole; at least two
        // (eliding) when even one such column is wider than half the room.
        let gap = 12.0;
        let box_width = ui.spacing().icon_width + ui.spacing().icon_spacing;
        let widest = self
            .topics
            .iter()
            .map(|(name, n)| text_width(ui, &format!("{name} ({n})")))
            .fold(0.0, f32::max)
            + box_width
            + gap;
        let fit = (ui.available_width() / widest).floor() as usize;
        let most = ((ui.available_width() / 240.0).floor() as usize).clamp(1, 4);
        let columns = fit.clamp(1, 4).max(most.min(2));
        // What a column has for its text beside the box and the spacing.
        let room = ui.available_width() / columns as f32
            - 12.0
            - ui.spacing().icon_width
            - ui.spacing().icon_spacing;
        let rows = self.topics.len().div_ceil(columns);
        let names: Vec<(&String, &usize)> = self.topics.iter().collect();
        egui::Grid::new("readiness_topics")
            .num_columns(columns)
            .spacing([12.0, 2.0])
            .show(ui, |ui| {
                for r in 0..rows {
                    for c in 0..columns {
                        // Column-major, so the list reads down then across.
                        let Some((name, n)) = names.get(c * rows + r) else {
                            continue;
                        };
                        let mut on = self.ticked.contains(*name);
                        let whole = format!("{name} ({n})");
                        let short = elide_to_width(ui, name, &format!(" ({n})"), room);
                        let cut = short != whole;
                        let check = ui.add(egui::Checkbox::new(&mut on, short));
                        let check = if cut {
                            check.on_hover_text(format!("{name} ({n})"))
                        } else {
                            check
                        };
                        if check.changed() {
                            if on {
                                self.ticked.insert((*name).clone());
                            } else {
                                self.ticked.remove(*name);
                            }
                        }
                    }
                    ui.end_row();
                }
            });
    }

    fn results(&mut self, ui: &mut egui::Ui, collection: &mut Collection, now: Timestamp) {
        let Some(made) = &self.made else {
            if !self.topics.is_empty() {
                ui.label(
                    RichText::new(
                        "Give the date and press Forecast readiness to see how ready you will be.",
                    )
                    .weak(),
                );
            }
            return;
        };
        let (current, high) = match &made.result {
            Ok(pair) => pair,
            Err(e) => {
                ui.colored_label(theme::ERROR, e);
                return;
            }
        };
        let stale = made.ticked != self.ticked
            || parse_date(&self.date_text, today(collection, now)).ok() != Some(made.date);
        if stale {
            ui.label(
                RichText::new("The date or topics changed: press Forecast readiness to update.")
                    .italics()
                    .weak(),
            );
            ui.add_space(4.0);
        }
        let (current, high) = (current.clone(), high.clone());
        let made_date = made.date;
        section(ui, |ui| {
            ui.label(
                RichText::new(format!(
                    "On {} ({})",
                    made_date.strftime("%A %-d %B"),
                    plural(current.cards(), "study item")
                ))
                .strong(),
            );
            ui.add_space(6.0);
            ui.horizontal_wrapped(|ui| {
                figure(
                    ui,
                    "Recall on the day, keeping up",
                    current.overall_if_keep(),
                    "Reviews done when due and new cards at your current pace; cards not seen by then count as not known",
                );
                figure(
                    ui,
                    "If you stop now",
                    current.overall_if_stop(),
                    "No more reviews or new cards; cards never studied count as not known",
                );
                figure(
                    ui,
                    "Seen by then",
                    current.share_seen(),
                    "Share of the interview's cards you will have studied at least once by the day",
                );
            });
            ui.add_space(8.0);
            let lines = [
                Some(current.unstudied_summary()),
                current.seen_summary(),
                Some(current.load_summary()),
            ];
            for line in lines.into_iter().flatten() {
                ui.add(egui::Label::new(line).wrap());
            }
        });
        if let Some(plan) = made.plan.clone()
            && current.unstudied() > 0
        {
            ui.add_space(10.0);
            Self::study_plan(ui, collection, &current, &plan);
        }
        ui.add_space(10.0);
        self.final_stretch(ui, collection, &current, high.as_ref(), made_date, now);
        ui.add_space(10.0);
        egui::CollapsingHeader::new(RichText::new("By topic, weakest first").strong())
            .default_open(true)
            .show(ui, |ui| topic_table(ui, &current));
    }

    /// The pace that sees every card before the day, its daily load as a chart,
    /// and a button to adopt it; or, when no sane pace does, the topics to put
    /// first.
    fn study_plan(
        ui: &mut egui::Ui,
        collection: &mut Collection,
        current: &Forecast,
        plan: &forecast::StudyPlan,
    ) {
        section(ui, |ui| {
            ui.label(RichText::new("A plan to the date").strong());
            let f = &plan.forecast;
            let when = if plan.margin_days == 1 {
                "the day before".to_string()
            } else {
                format!("{} days before", plan.margin_days)
            };
            if plan.feasible {
                ui.add(
                egui::Label::new(format!(
                    "To have seen all {} by {when}, learn {} new cards a day (now {}). Reviews peak at {} on the busiest day; {} a day on average.",
                    plural(f.cards(), "study item"),
                    plan.new_per_day,
                    collection.settings().new_per_day,
                    f.busiest_day(),
                    forecast::per_day(f.reviews_per_day(), "review"),
                ))
                .wrap(),
            );
            } else {
                ui.add(
                egui::Label::new(format!(
                    "Seeing all {} by then would take {} new cards a day and up to {} reviews on the busiest day: more than a sane load. Put these topics first: {}.",
                    plural(current.cards(), "study item"),
                    plan.new_per_day,
                    f.busiest_day(),
                    plan.prioritise.join(", ")
                ))
                .wrap(),
            );
            }
            Self::load_chart(ui, f);
            let same = forecast::plan_in_force(collection.settings(), plan);
            let apply = ui
                .add_enabled(
                    plan.feasible && !same,
                    egui::Button::new(format!("Use {} new cards a day", plan.new_per_day)),
                )
                .on_hover_text(
                    "Sets New cards per day in Settings (in every options preset); change it back there at any time",
                )
                .on_disabled_hover_text(if same {
                    "Already your pace"
                } else {
                    "No sane pace sees every card in time; study the topics above first"
                });
            if apply.clicked() {
                let before = collection.settings().new_per_day;
                notice::report(
                    ui.ctx(),
                    forecast::apply_plan(collection, plan).map(|()| {
                        format!(
                            "New cards per day: {} (was {before}). Settings can change it back.",
                            plan.new_per_day
                        )
                    }),
                );
            }
        });
    }

    /// Reviews and new cards per day up to the interview, stacked.
    fn load_chart(ui: &mut egui::Ui, f: &Forecast) {
        use egui_plot::{Bar, BarChart, Plot};
        let reviews: Vec<Bar> = f
            .daily_reviews
            .iter()
            .enumerate()
            .map(|(d, r)| Bar::new(d as f64, f64::from(*r)).width(0.8))
            .collect();
        let new: Vec<Bar> = f
            .daily_new
            .iter()
            .enumerate()
            .map(|(d, n)| Bar::new(d as f64, f64::from(*n)).width(0.8))
            .collect();
        let reviews = BarChart::new("Reviews", reviews).color(theme::REVIEW);
        let new = BarChart::new("New cards", new)
            .color(theme::NEW)
            .stack_on(&[&reviews]);
        ui.horizontal(|ui| {
            ui.colored_label(theme::REVIEW, "■ reviews");
            ui.colored_label(theme::NEW, "■ new cards");
        });
        Plot::new("plan_load")
            .height(160.0)
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .include_y(0.0)
            .x_axis_label("days from today")
            .y_axis_label("cards a day")
            .show(ui, |plot| {
                plot.bar_chart(reviews);
                plot.bar_chart(new);
            });
    }

    /// The retention raise for the final stretch: on offer, or in force. The
    /// core decides which ([`forecast::final_stretch`]); this only shows it.
    fn final_stretch(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        current: &Forecast,
        high: Option<&Forecast>,
        date: Date,
        now: Timestamp,
    ) {
        let today = today(collection, now);
        let offer = match forecast::final_stretch(collection.settings(), current, high) {
            FinalStretch::Nothing => return,
            FinalStretch::InForce(raise) => {
                section(ui, |ui| {
                    ui.add(egui::Label::new(raise.note(today)).wrap());
                    if ui
                        .button(format!("Return to {:.2} now", raise.from))
                        .on_hover_text(
                            "Put desired retention back today instead of after the interview",
                        )
                        .clicked()
                    {
                        match forecast::restore_retention(collection) {
                            Ok(Some(r)) => {
                                notice::info(
                                    ui.ctx(),
                                    format!("Desired retention is back to {r:.2}."),
                                );
                                self.made = Some(self.compute(collection, date, now));
                            }
                            Ok(None) => {}
                            Err(e) => notice::error(ui.ctx(), e.to_string()),
                        }
                    }
                });
                return;
            }
            FinalStretch::Offer(offer) => offer,
        };
        let (Some(high), until) = (high, short_date(offer.until, today)) else {
            return;
        };
        section(ui, |ui| {
            ui.label(RichText::new("The final stretch").strong());
            ui.add(egui::Label::new(stretch_text(current, high, &offer, &until)).wrap());
            ui.add_space(4.0);
            if ui
                .button(format!("Raise to {:.2} until {until}", offer.to))
                .on_hover_text(format!(
                    "Desired retention {:.2} until the interview; {:.2} comes back the day after",
                    offer.to, offer.from
                ))
                .clicked()
            {
                let topics = self.saved_topics();
                match forecast::raise_retention(collection, date, topics) {
                    Ok(Some(raise)) => {
                        notice::info(
                            ui.ctx(),
                            format!(
                                "Desired retention raised from {:.2} to {:.2} until your interview on {}; it returns to {:.2} after.",
                                raise.from,
                                raise.to,
                                short_date(raise.until, today),
                                raise.from
                            ),
                        );
                        self.made = Some(self.compute(collection, date, now));
                    }
                    Ok(None) => notice::info(
                        ui.ctx(),
                        format!(
                            "Desired retention is already {:.2}.",
                            collection.settings().desired_retention
                        ),
                    ),
                    Err(e) => {
                        notice::error(ui.ctx(), format!("Desired retention was not changed: {e}"))
                    }
                }
            }
        });
    }
}

/// What raising desired retention as `offer` says would change.
fn stretch_text(current: &Forecast, high: &Forecast, offer: &StretchOffer, until: &str) -> String {
    let (now, raised) = (pct(current.overall_if_keep()), pct(high.overall_if_keep()));
    let reviews = format!(
        "about {} instead of {:.0}",
        forecast::per_day(high.reviews_per_day(), "review"),
        current.reviews_per_day()
    );
    let (from, to) = (offer.from, offer.to);
    if offer.barely_changes {
        format!(
            "Raising desired retention from {from:.2} to {to:.2} until {until} would barely change recall on the day ({now} either way), for {reviews}."
        )
    } else {
        format!(
            "Raising desired retention from {from:.2} to {to:.2} until {until} schedules reviews so memory peaks on the day: recall on the day {raised} instead of {now}, with {reviews}."
        )
    }
}

/// The widest the page grows; wider windows centre it.
const MAX_WIDTH: f32 = 1100.0;

/// Topic lists up to this long open by default; longer ones start folded
/// so that Forecast readiness is in view at 1000×720.
const OPEN_TOPICS_UP_TO: usize = 12;

/// A date in words with how far off it is: "Monday 14 December 2026, in 12
/// days".
fn date_in_words(date: Date, today: Date) -> String {
    let days = date
        .since((jiff::Unit::Day, today))
        .map(|s| s.get_days())
        .unwrap_or(0);
    let when = match days {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        n => format!("in {n} days"),
    };
    format!("{}, {when}", date.strftime("%A %-d %B %Y"))
}

/// Why Forecast readiness cannot run yet, for its tooltip; `None` when it can.
fn forecast_blocked<E: std::fmt::Display>(
    date_text: &str,
    parsed: &Result<Date, E>,
    ticked: usize,
) -> Option<String> {
    if date_text.trim().is_empty() {
        Some("Type the interview date first (YYYY-MM-DD)".into())
    } else if let Err(e) = parsed {
        Some(format!("Fix the date first: {e}"))
    } else if ticked == 0 {
        Some("Tick at least one topic".into())
    } else {
        None
    }
}

/// The width of `text` in the body font.
pub(super) fn text_width(ui: &egui::Ui, text: &str) -> f32 {
    egui::WidgetText::from(text)
        .into_galley(
            ui,
            Some(egui::TextWrapMode::Extend),
            f32::INFINITY,
            egui::TextStyle::Body,
        )
        .size()
        .x
}

/// A framed block of the page.
fn section(ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui)) {
    egui::Frame::group(ui.style())
        .inner_margin(12.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            add(ui);
        });
}

/// A headline figure: a big percentage over its caption; read out as
/// "caption: 42%".
fn figure(ui: &mut egui::Ui, caption: &str, value: Option<f32>, hover: &str) {
    let text = pct(value);
    let response = ui
        .vertical(|ui| {
            ui.set_width(220.0);
            let color = value.map_or(ui.visuals().strong_text_color(), recall_text_color);
            ui.label(RichText::new(&text).size(30.0).color(color).strong())
                .on_hover_text(hover);
            ui.label(RichText::new(caption).weak()).on_hover_text(hover);
        })
        .response;
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Label, true, format!("{caption}: {text}"))
    });
}

/// What the topic table's columns other than the name and the two bars take,
/// with the spacing between all of them.
const TOPIC_TABLE_OTHERS: f32 = 390.0;

fn topic_table(ui: &mut egui::Ui, f: &Forecast) {
    // Names take the width of the longest, measured, as far as the two bars
    // (80 to 140 points each) leave room; beyond that they elide.
    let longest = f
        .topics
        .iter()
        .map(|t| text_width(ui, &t.topic))
        .fold(0.0, f32::max);
    let bar = ((ui.available_width() - TOPIC_TABLE_OTHERS - longest) / 2.0).clamp(80.0, 140.0);
    let name_room = (ui.available_width() - 2.0 * bar - TOPIC_TABLE_OTHERS).max(140.0);
    egui::ScrollArea::horizontal()
        .id_salt("readiness_topics_scroll")
        .show(ui, |ui| {
            egui::Grid::new("readiness_forecast")
                .num_columns(6)
                .striped(true)
                .spacing([16.0, 6.0])
                .show(ui, |ui| {
                    for (h, tip) in [
                        ("Topic", ""),
                        ("Cards", "Cards of the topic"),
                        (
                            "Never studied",
                            "Cards you have not studied yet; they count as not known",
                        ),
                        (
                            "Seen by then",
                            "Cards studied at least once by the day, at your current pace",
                        ),
                        ("Keeping up", "Recall on the day if you keep up"),
                        ("If you stop", "Recall on the day if you stop now"),
                    ] {
                        let l = ui.label(RichText::new(h).strong());
                        if !tip.is_empty() {
                            l.on_hover_text(tip);
                        }
                    }
                    ui.end_row();
                    for t in &f.topics {
                        let shown = elide_to_width(ui, &t.topic, "", name_room);
                        let cut = shown != t.topic;
                        let name = ui.label(shown);
                        if cut {
                            name.on_hover_text(&t.topic);
                        }
                        ui.label(t.cards.to_string());
                        let unstudied = RichText::new(t.unstudied.to_string());
                        ui.label(if t.unstudied > 0 {
                            unstudied.color(theme::LEARNING)
                        } else {
                            unstudied.weak()
                        });
                        ui.label(t.seen_by_then.to_string());
                        recall_bar_sized(ui, t.recall_if_keep, bar);
                        recall_bar_sized(ui, t.recall_if_stop, bar);
                        ui.end_row();
                    }
                    ui.label(RichText::new("All").strong());
                    ui.label(RichText::new(f.cards().to_string()).strong());
                    ui.label(RichText::new(f.unstudied().to_string()).strong());
                    ui.label(RichText::new(f.seen_by_then().to_string()).strong());
                    recall_bar_sized(ui, f.overall_if_keep(), bar);
                    recall_bar_sized(ui, f.overall_if_stop(), bar);
                    ui.end_row();
                });
        });
}

/// `text` followed by `tail`, with `text` cut short (with an ellipsis) so
/// the whole fits `width` points in the body font.
pub(super) fn elide_to_width(ui: &egui::Ui, text: &str, tail: &str, width: f32) -> String {
    let fits = |s: &str| text_width(ui, s) <= width;
    let whole = format!("{text}{tail}");
    if fits(&whole) {
        return whole;
    }
    let chars: Vec<char> = text.chars().collect();
    for keep in (1..chars.len()).rev() {
        let cut: String = chars[..keep].iter().collect();
        let candidate = format!("{}…{tail}", cut.trim_end());
        if fits(&candidate) {
            return candidate;
        }
    }
    format!("…{tail}")
}

fn plural(n: usize, unit: &str) -> String {
    super::plural(n, unit)
}

fn pct(v: Option<f32>) -> String {
    v.map_or("–".to_string(), |v| format!("{:.0}%", v * 100.0))
}

/// A bar a person reads at a glance: red when recall is poor, green when
/// good; `floor` is where the bar starts (0 for a plain 0–100% bar, 0.5 to
/// spread out topics that all sit above 50%).
pub(super) fn recall_bar_from(ui: &mut egui::Ui, value: Option<f32>, width: f32, floor: f32) {
    let size = egui::vec2(width, BAR_HEIGHT);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    let radius = 3.0;
    painter.rect_filled(rect, radius, ui.visuals().extreme_bg_color);
    painter.rect_stroke(
        rect,
        radius,
        (1.0, ui.visuals().widgets.noninteractive.bg_stroke.color),
        egui::StrokeKind::Inside,
    );
    let text = match value {
        Some(v) => {
            let v = v.clamp(0.0, 1.0);
            let mut fill = rect;
            fill.set_width(rect.width() * bar_fraction(v, floor));
            painter.rect_filled(fill, radius, recall_color(v));
            format!("{:.0}%", v * 100.0)
        }
        None => "not studied".into(),
    };
    // Centred on the glyphs' own height, not the line's, so digits sit mid-bar.
    let galley = painter.layout_no_wrap(
        text.clone(),
        egui::FontId::proportional(BAR_FONT),
        ui.visuals().strong_text_color(),
    );
    let glyphs = galley.mesh_bounds;
    let at = egui::pos2(rect.left() + 6.0, rect.center().y - glyphs.center().y);
    painter.galley(at, galley, ui.visuals().strong_text_color());
    let hover = if floor > 0.0 {
        format!("{text} (the bar starts at {:.0}%)", floor * 100.0)
    } else {
        text.clone()
    };
    response
        .on_hover_text(hover)
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ProgressIndicator, true, &text));
}

/// Height of a recall bar.
const BAR_HEIGHT: f32 = 20.0;
/// Size of the figure written in a recall bar: the body font's, nearly.
pub(super) const BAR_FONT: f32 = 14.0;

/// How much of a bar starting at `floor` a recall of `v` fills.
pub(super) fn bar_fraction(v: f32, floor: f32) -> f32 {
    let floor = floor.clamp(0.0, 0.99);
    ((v - floor) / (1.0 - floor)).clamp(0.0, 1.0)
}

/// [`recall_bar_from`] from 0.
fn recall_bar_sized(ui: &mut egui::Ui, value: Option<f32>, width: f32) {
    recall_bar_from(ui, value, width, 0.0);
}

/// Bar fill: red when recall is poor, amber when middling, green when good.
pub(super) fn recall_color(v: f32) -> Color32 {
    let alpha = 150;
    if v < 0.7 {
        Color32::from_rgba_unmultiplied(0xdc, 0x26, 0x26, alpha)
    } else if v < 0.85 {
        Color32::from_rgba_unmultiplied(0xd9, 0x77, 0x06, alpha)
    } else {
        Color32::from_rgba_unmultiplied(0x16, 0xa3, 0x4a, alpha)
    }
}

/// Text colour for a headline recall figure.
fn recall_text_color(v: f32) -> Color32 {
    if v < 0.7 {
        theme::ERROR
    } else if v < 0.85 {
        Color32::from_rgb(0xd9, 0x77, 0x06)
    } else {
        theme::REVIEW
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_from_50_percent_spread_out_high_recall() {
        // On a 0–100 bar 91% and 95% differ by 4% of the width; from 50%, by 8%.
        let gap = bar_fraction(0.95, 0.5) - bar_fraction(0.91, 0.5);
        assert!(gap > 0.075, "{gap}");
        assert_eq!(bar_fraction(0.4, 0.5), 0.0);
        assert_eq!(bar_fraction(1.0, 0.5), 1.0);
        assert!((bar_fraction(0.42, 0.0) - 0.42).abs() < 1e-6);
        const { assert!(BAR_FONT >= 13.0, "the figure in a bar is readable") };
    }

    #[test]
    fn forecast_says_why_it_cannot_run() {
        let today = Date::constant(2026, 11, 27);
        let empty = parse_date("", today);
        assert!(
            forecast_blocked("", &empty, 3).is_some_and(|w| w.contains("date")),
            "an empty date blocks Forecast"
        );
        let bad = parse_date("2026-13-40", today);
        assert!(forecast_blocked("2026-13-40", &bad, 3).is_some());
        let good = parse_date("2026-12-14", today);
        assert!(forecast_blocked("2026-12-14", &good, 0).is_some_and(|w| w.contains("topic")));
        assert_eq!(forecast_blocked("2026-12-14", &good, 3), None);
    }
}
