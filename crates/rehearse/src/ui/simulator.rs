//! What if: the daily review load and what is remembered over the next 30,
//! 90 or 365 days, for the current settings and for a desired retention and
//! new-cards-a-day of the user's choosing; memory per minute of study across
//! retentions, with the best marked; and a button that saves the chosen pair
//! to the settings.
//!
//! Reached from Statistics ("What if…"). The simulating is the core's
//! ([`rehearse_core::insight::simulate`]) on a worker thread; this screen
//! polls it for progress, can cancel it, and draws what it found. Moving the
//! retention slider shows any retention the sweep already covered at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant};

use egui::{Color32, RichText};
use egui_plot::{
    AxisHints, Line, MarkerShape, PlotPoint, PlotResponse, PlotUi, Points, Text, VLine,
};
use jiff::Timestamp;

use super::chart::{
    count, day_offset_label, describe_figure, duration_text, empty_state, fixed_plot,
    fraction_marks, grid_at, section, swatch, thousands, tooltip, when, whole_tick,
};
use super::history::HistoryCache;
use super::{Nav, notice, theme};
use rehearse_core::collection::Collection;
use rehearse_core::deck_tree::deck_tree;
use rehearse_core::insight::simulate::{
    self, BUILD_STEP, CostSource, Horizon, JobBuilder, MIN_TIMED_ANSWERS, RETENTION_MAX,
    RETENTION_MIN, Run, Scenario, SimulationReport, SimulationRequest,
};

/// The widest the screen's column grows; wider windows centre it.
const MAX_WIDTH: f32 = 1100.0;
/// Space kept clear at the column's sides.
const SIDE_MARGIN: f32 = 10.0;
/// Height of each chart.
const PLOT_HEIGHT: f32 = 220.0;
/// The current settings' colour in every chart.
const CURRENT: Color32 = theme::NEW;
/// The what-if scenario's colour.
const WHAT_IF: Color32 = theme::LEARNING;
/// Colours of the new-cards-a-day curves, fewest cards first: none of them
/// the current settings' or the what-if's, whose markers sit on the curves.
const CURVES: [Color32; 4] = [
    theme::REVIEW,
    Color32::from_rgb(0xa8, 0x55, 0xf7),
    Color32::from_rgb(0x06, 0xb6, 0xd4),
    Color32::from_rgb(0xec, 0x48, 0x99),
];

/// A row of the deck chooser.
#[derive(Clone)]
struct DeckRow {
    /// Full `A::B` name.
    path: String,
    /// Last part of the name.
    label: String,
    depth: usize,
    cards: usize,
}

/// A simulation being prepared or running.
struct Task {
    stage: Stage,
    started: Instant,
    request: SimulationRequest,
    label: String,
    today: i32,
}

/// Where a simulation is.
enum Stage {
    /// Copying the cards' memory states on this thread, a slice a frame.
    Copying(Box<JobBuilder>),
    /// Simulating on a worker thread.
    Simulating {
        done: Arc<AtomicUsize>,
        total: Arc<AtomicUsize>,
        cancel: Arc<AtomicBool>,
        result: Receiver<Result<SimulationReport, String>>,
    },
}

/// A finished simulation and what it was asked.
struct Computed {
    report: SimulationReport,
    request: SimulationRequest,
    /// The decks, in words.
    label: String,
    /// The study day it started from.
    today: i32,
    /// The collection's generation then: later answers or edits make it stale.
    generation: u64,
}

/// How the last simulation ended, if it did not give a result.
enum Ended {
    Cancelled,
    Failed(String),
}

/// The What-if screen's state.
pub struct SimulatorScreen {
    decks: Option<String>,
    horizon: Horizon,
    what_if: Scenario,
    extra_new: usize,
    /// The load chart shows minutes instead of reviews.
    show_minutes: bool,
    deck_rows: Option<(u64, Vec<DeckRow>)>,
    task: Option<Task>,
    computed: Option<Computed>,
    ended: Option<Ended>,
}

impl SimulatorScreen {
    /// The screen with the current settings as the what-if.
    pub fn new(collection: &Collection) -> Self {
        let mut what_if = Scenario::of(collection.settings());
        what_if.desired_retention = what_if
            .desired_retention
            .clamp(RETENTION_MIN, RETENTION_MAX);
        Self {
            decks: None,
            horizon: Horizon::Quarter,
            what_if,
            extra_new: 0,
            show_minutes: false,
            deck_rows: None,
            task: None,
            computed: None,
            ended: None,
        }
    }

    /// Draws the screen.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        collection: &mut Collection,
        history: &HistoryCache,
        now: Timestamp,
    ) -> Nav {
        self.advance(ui.ctx(), collection, history);
        self.poll(collection);
        let mut nav = Nav::Stay;
        egui::ScrollArea::vertical()
            .id_salt("whatif_scroll")
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.set_max_width(MAX_WIDTH.min(ui.available_width() - 2.0 * SIDE_MARGIN));
                    ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                        nav = self.contents(ui, collection, now);
                    });
                });
            });
        nav
    }

    fn contents(&mut self, ui: &mut egui::Ui, collection: &mut Collection, now: Timestamp) -> Nav {
        ui.add_space(12.0);
        let nav = title(ui);
        ui.add_space(8.0);
        self.inputs(ui, collection);
        ui.add_space(8.0);
        self.run_row(ui, collection, now);
        match &self.ended {
            Some(Ended::Cancelled) => {
                ui.label(RichText::new("Simulation cancelled.").weak());
            }
            Some(Ended::Failed(e)) => {
                ui.colored_label(theme::ERROR, e);
            }
            None => {}
        }
        if self.computed.is_none() {
            if self.task.is_none() {
                empty_state(
                    ui,
                    "Choose the decks and a what-if, then press Simulate. Nothing changes \
                     until you apply a result.",
                );
            }
            self.apply_row(ui, collection, false);
            return nav;
        }
        let simulated = self.results(ui, collection);
        ui.add_space(10.0);
        self.apply_row(ui, collection, simulated);
        ui.add_space(6.0);
        egui::CollapsingHeader::new("How this is worked out")
            .id_salt("whatif_how")
            .show(ui, |ui| {
                ui.label(RichText::new(METHOD).weak());
            });
        ui.add_space(16.0);
        nav
    }

    /// The last simulation's result: whether it is out of date, its summary,
    /// the comparison and the charts. Returns whether it has the what-if
    /// asked now, which applying needs.
    fn results(&mut self, ui: &mut egui::Ui, collection: &Collection) -> bool {
        let Some(computed) = &self.computed else {
            return false;
        };
        if computed.generation != collection.generation() {
            ui.label(
                RichText::new("Your cards changed since this was simulated; simulate again.")
                    .color(theme::LEARNING),
            );
        } else if !same_inputs(&computed.request, &self.request()) {
            ui.label(
                RichText::new(format!(
                    "Showing {} over {}; simulate again for the inputs above.",
                    computed.label,
                    computed.request.horizon.label()
                ))
                .color(theme::LEARNING),
            );
        }
        let report = &computed.report;
        let what_if_run = report.run(self.what_if);
        ui.add_space(4.0);
        ui.label(summary_text(computed));
        ui.label(RichText::new(cost_text(&report.behaviour.source, report)).weak());
        section(ui, "Current settings and what if", |ui| {
            comparison(ui, report, what_if_run, self.what_if);
        });
        let mut show_minutes = self.show_minutes;
        let clock = collection.scheduler().clock().clone();
        let today = computed.today;
        section(ui, "Daily load", |ui| {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut show_minutes, false, "Reviews");
                ui.selectable_value(&mut show_minutes, true, "Minutes");
            });
            load_chart(ui, report, what_if_run, show_minutes, |k| {
                clock
                    .date_of_day(today + k as i32)
                    .strftime("%a %-d %b")
                    .to_string()
            });
        });
        self.show_minutes = show_minutes;
        let mut try_best = None;
        section(ui, "Memory per minute of study", |ui| {
            efficiency_chart(ui, report, self.what_if);
            try_best = suggestion(ui, report, self.what_if);
        });
        let simulated = what_if_run.is_some();
        if let Some(best) = try_best {
            self.what_if.desired_retention = best;
        }
        simulated
    }

    /// What the inputs ask for now.
    fn request(&self) -> SimulationRequest {
        SimulationRequest {
            decks: self.decks.clone(),
            horizon: self.horizon,
            what_if: self.what_if,
            extra_new_cards: self.extra_new,
        }
    }

    /// The inputs: which decks, how far ahead, and the what-if's pace and
    /// retention. What would change the cards simulated is locked while a
    /// simulation runs; the what-if is not, as every retention is swept.
    fn inputs(&mut self, ui: &mut egui::Ui, collection: &Collection) {
        let rows = self.deck_rows(collection);
        if let Some(path) = &self.decks
            && !rows.iter().any(|r| r.path == *path)
        {
            // The deck was renamed or deleted.
            self.decks = None;
        }
        let running = self.task.is_some();
        egui::Grid::new("whatif_inputs")
            .num_columns(2)
            .spacing([24.0, 10.0])
            .show(ui, |ui| {
                let l = ui.label("Decks");
                ui.add_enabled_ui(!running, |ui| {
                    self.deck_picker(ui, &rows).labelled_by(l.id);
                });
                ui.end_row();

                ui.label("Days ahead");
                ui.add_enabled_ui(!running, |ui| {
                    ui.horizontal(|ui| {
                        for h in Horizon::ALL {
                            ui.selectable_value(&mut self.horizon, h, h.label());
                        }
                    });
                });
                ui.end_row();
                self.what_if_inputs(ui, collection, running);
            });
    }

    /// The deck chooser's rows, gathered again only when the collection
    /// changed: walking the deck tree every frame would cost on a large
    /// collection.
    fn deck_rows(&mut self, collection: &Collection) -> Vec<DeckRow> {
        if self
            .deck_rows
            .as_ref()
            .is_none_or(|(g, _)| *g != collection.generation())
        {
            let rows = deck_tree(collection, &[], &[], &[])
                .into_iter()
                .map(|r| DeckRow {
                    path: r.path,
                    label: r.label,
                    depth: r.depth,
                    cards: r.cards,
                })
                .collect();
            self.deck_rows = Some((collection.generation(), rows));
        }
        self.deck_rows
            .as_ref()
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    }

    /// The deck chooser: all decks, or one deck with its subdecks, indented
    /// as the tree.
    fn deck_picker(&mut self, ui: &mut egui::Ui, rows: &[DeckRow]) -> egui::Response {
        egui::ComboBox::from_id_salt("whatif_decks")
            .selected_text(self.decks.clone().unwrap_or_else(|| "All decks".into()))
            .truncate()
            .width(260.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut self.decks, None, "All decks");
                for r in rows {
                    let text = format!(
                        "{}{} ({})",
                        "    ".repeat(r.depth),
                        r.label,
                        thousands(r.cards as u64)
                    );
                    ui.selectable_value(&mut self.decks, Some(r.path.clone()), text);
                }
            })
            .response
    }

    /// The what-if's rows of the inputs grid: new cards a day, desired
    /// retention (each hinting at the settings' value) and the cards the
    /// user expects to add.
    fn what_if_inputs(&mut self, ui: &mut egui::Ui, collection: &Collection, running: bool) {
        let settings = collection.settings();
        let l = ui
            .label("New cards per day")
            .on_hover_text(format!("Now {} in Settings", settings.new_per_day));
        ui.add(
            egui::DragValue::new(&mut self.what_if.new_per_day)
                .range(0..=simulate::MAX_NEW_PER_DAY),
        )
        .labelled_by(l.id);
        ui.end_row();

        let l = ui.label("Desired retention").on_hover_text(format!(
            "Now {:.2} in Settings. Higher means more reviews.",
            settings.desired_retention
        ));
        ui.add(
            egui::Slider::new(
                &mut self.what_if.desired_retention,
                RETENTION_MIN..=RETENTION_MAX,
            )
            .step_by(0.01)
            .fixed_decimals(2),
        )
        .labelled_by(l.id);
        ui.end_row();

        let l = ui.label("Cards you will add").on_hover_text(
            "New cards you expect to write or import in this time, on top of the \
             decks' unstudied ones; they come after them.",
        );
        ui.add_enabled(
            !running,
            egui::DragValue::new(&mut self.extra_new).range(0..=1_000_000),
        )
        .labelled_by(l.id);
        ui.end_row();
    }

    /// Simulate, or the progress bar and Cancel while running.
    fn run_row(&mut self, ui: &mut egui::Ui, collection: &Collection, now: Timestamp) {
        if let Some(task) = &self.task {
            let (fraction, text) = match &task.stage {
                Stage::Copying(builder) => {
                    let (copied, all) = builder.progress(collection);
                    (
                        0.0,
                        format!(
                            "Reading your cards… {:.0}%",
                            copied as f32 * 100.0 / all.max(1) as f32
                        ),
                    )
                }
                Stage::Simulating { done, total, .. } => {
                    let done = done.load(Ordering::Relaxed);
                    let total = total.load(Ordering::Relaxed);
                    let fraction = if total == 0 {
                        0.0
                    } else {
                        done as f32 / total as f32
                    };
                    (fraction, progress_text(done, total, task.started.elapsed()))
                }
            };
            let mut cancel = false;
            ui.horizontal(|ui| {
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(360.0)
                        .text(text),
                );
                cancel = ui.button("Cancel").clicked();
            });
            if cancel {
                if let Stage::Simulating { cancel, .. } = &task.stage {
                    cancel.store(true, Ordering::Relaxed);
                }
                // The worker stops after the run in hand; nothing waits for it.
                self.task = None;
                self.ended = Some(Ended::Cancelled);
            } else {
                ui.ctx().request_repaint_after(Duration::from_millis(100));
            }
            return;
        }
        if ui
            .button(RichText::new("Simulate").strong())
            .on_hover_text("Runs in the background; the window stays usable")
            .clicked()
        {
            self.start(collection, now);
        }
    }

    /// Starts copying the cards for a simulation of the inputs.
    fn start(&mut self, collection: &Collection, now: Timestamp) {
        let request = self.request();
        self.ended = None;
        self.task = Some(Task {
            stage: Stage::Copying(Box::new(collection.simulation_builder(&request, now))),
            started: Instant::now(),
            label: request
                .decks
                .clone()
                .unwrap_or_else(|| "All decks".to_string()),
            request,
            today: collection.scheduler().clock().day_of(now),
        });
    }

    /// Copies another slice of the cards; once all are, hands the job to a
    /// worker thread.
    fn advance(&mut self, ctx: &egui::Context, collection: &Collection, history: &HistoryCache) {
        let Some(task) = &mut self.task else {
            return;
        };
        let Stage::Copying(builder) = &mut task.stage else {
            return;
        };
        let job = match builder.step(collection, BUILD_STEP) {
            None => {
                ctx.request_repaint();
                return;
            }
            Some(Ok(job)) => job,
            Some(Err(e)) => {
                self.task = None;
                self.ended = Some(Ended::Failed(capitalised(&e.to_string())));
                return;
            }
        };
        let job = match history.loaded() {
            Some(h) => job.with_history(h),
            None => job,
        };
        let (tx, rx) = channel();
        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(job.runs()));
        let cancel = Arc::new(AtomicBool::new(false));
        let (d, t, c) = (done.clone(), total.clone(), cancel.clone());
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let result = simulate::run_with_flags(job, &d, &t, &c);
            let _ = tx.send(result.map_err(|e| capitalised(&e.to_string())));
            ctx.request_repaint();
        });
        task.stage = Stage::Simulating {
            done,
            total,
            cancel,
            result: rx,
        };
        task.started = Instant::now();
    }

    /// Takes the worker's result when it is done.
    fn poll(&mut self, collection: &Collection) {
        let Some(Task {
            stage: Stage::Simulating { result, .. },
            ..
        }) = &self.task
        else {
            return;
        };
        let result = match result.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => Err("The simulation stopped unexpectedly.".into()),
        };
        let Some(task) = self.task.take() else {
            return;
        };
        match result {
            Ok(report) => {
                self.computed = Some(Computed {
                    report,
                    request: task.request,
                    label: task.label,
                    today: task.today,
                    generation: collection.generation(),
                });
            }
            Err(e) => self.ended = Some(Ended::Failed(e)),
        }
    }

    fn apply_row(&mut self, ui: &mut egui::Ui, collection: &mut Collection, computed: bool) {
        let s = self.what_if;
        let decks = self.decks.clone();
        let already =
            Scenario::of(simulate::settings_for(collection, decks.as_deref())).same_as(&s);
        let why_not = if self.task.is_some() {
            Some("Wait for the simulation to finish")
        } else if !computed {
            Some("Simulate these values first")
        } else if already {
            Some("These are your settings already")
        } else if collection.is_read_only() {
            Some("The data folder is open read-only")
        } else {
            None
        };
        let label = format!(
            "Apply: retention {:.2}, {} new/day",
            s.desired_retention, s.new_per_day
        );
        ui.horizontal(|ui| {
            let button = ui
                .add_enabled(
                    why_not.is_none(),
                    egui::Button::new(RichText::new(label).strong()),
                )
                .on_hover_text("Saves this desired retention and new cards a day in Settings");
            let button = match why_not {
                Some(why) => button.on_disabled_hover_text(why),
                None => button,
            };
            if button.clicked() {
                notice::report(
                    ui.ctx(),
                    simulate::apply(collection, s, decks.as_deref()).map(|preset| {
                        format!(
                            "Saved in preset {preset}: desired retention {:.2} and {} a day.",
                            s.desired_retention,
                            count(u64::from(s.new_per_day), "new card", "new cards")
                        )
                    }),
                );
            }
            if let Some(why) = why_not {
                ui.label(RichText::new(why).weak());
            }
        });
    }
}

/// The screen's title row, with the way back to Statistics, and what the
/// screen is for.
fn title(ui: &mut egui::Ui) -> Nav {
    let mut nav = Nav::Stay;
    ui.horizontal(|ui| {
        if ui
            .button("← Statistics")
            .on_hover_text("Back to Statistics (Esc)")
            .clicked()
        {
            nav = Nav::Stats;
        }
        ui.heading("What if…");
    });
    ui.label(
        RichText::new(
            "Simulate the next weeks of study from your cards' memory states: how many \
             reviews a day, how long they take, and how much you remember, at another \
             desired retention or pace of new cards.",
        )
        .weak(),
    );
    nav
}

/// Whether two requests simulate the same thing (the what-if retention may
/// differ: every retention of the sweep is in the report).
fn same_inputs(a: &SimulationRequest, b: &SimulationRequest) -> bool {
    a.decks == b.decks
        && a.horizon == b.horizon
        && a.extra_new_cards == b.extra_new_cards
        && a.what_if.new_per_day == b.what_if.new_per_day
}

/// "Simulating… 12 of 84 scenarios, about 40 s left".
fn progress_text(done: usize, total: usize, elapsed: Duration) -> String {
    if done == 0 {
        return if total == 0 {
            "Reading answer times…".into()
        } else {
            format!("Simulating… 0 of {total} scenarios")
        };
    }
    let left = elapsed.as_secs_f64() / done as f64 * total.saturating_sub(done) as f64;
    let eta = if left < 1.0 {
        "almost done".to_string()
    } else if left < 90.0 {
        format!("about {:.0} s left", left)
    } else {
        format!("about {:.0} min left", left / 60.0)
    };
    format!("Simulating… {done} of {total} scenarios, {eta}")
}

/// The first letter in capitals.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What was simulated, in a sentence.
fn summary_text(c: &Computed) -> String {
    let r = &c.report;
    let samples = if r.samples > 1 {
        format!(", each the mean of {} runs", r.samples)
    } else {
        String::new()
    };
    format!(
        "{}: {} studied and {} new, over the next {}{}.",
        c.label,
        count(r.studied as u64, "card", "cards"),
        thousands(r.new_cards as u64),
        count(r.horizon.days() as u64, "day", "days"),
        samples
    )
}

/// Where the answer times came from, and what they are.
fn cost_text(source: &CostSource, r: &SimulationReport) -> String {
    let b = &r.behaviour;
    let times = format!(
        "a passed review {:.1} s, a forgotten one {:.1} s plus relearning, a new card's first answer {:.1} s",
        b.review_seconds(),
        b.forget_seconds(),
        b.learn_seconds()
    );
    match source {
        CostSource::History { answers, all_decks } => format!(
            "Answer times and buttons from your {}{}: {times}.",
            count(*answers as u64, "timed answer", "timed answers"),
            if *all_decks {
                " in all decks (these decks have too few)"
            } else {
                ""
            }
        ),
        CostSource::Defaults { answers } => format!(
            "Answer times and buttons are the FSRS defaults ({times}): you have {} and {} are needed.",
            count(*answers as u64, "timed answer", "timed answers"),
            MIN_TIMED_ANSWERS
        ),
    }
}

/// "0.90 · 20 new/day".
fn scenario_text(s: Scenario) -> String {
    format!("{:.2} · {} new/day", s.desired_retention, s.new_per_day)
}

/// The two scenarios side by side.
fn comparison(ui: &mut egui::Ui, r: &SimulationReport, what_if: Option<&Run>, asked: Scenario) {
    let current = r.current_run();
    let days = r.horizon.days();
    type Cell = fn(&Run) -> String;
    let rows: [(&str, Cell); 8] = [
        ("Reviews a day, on average", |run| {
            format!("{:.0}", run.reviews_per_day())
        }),
        ("Busiest day", |run| {
            format!("{} reviews", thousands(run.peak_reviews().round() as u64))
        }),
        ("Study a day, on average", |run| {
            duration_text((run.minutes_per_day() * 60_000.0) as u64)
        }),
        ("Study in all", |run| {
            duration_text((run.total_minutes() * 60_000.0) as u64)
        }),
        ("New cards introduced", |run| {
            thousands(run.total_new().round() as u64)
        }),
        ("Reviews in all", |run| {
            thousands(run.total_reviews().round() as u64)
        }),
        ("Cards remembered at the end", |run| {
            thousands(run.memorised_at_end().round() as u64)
        }),
        ("Remembered per minute of study", |run| {
            run.memorised_per_minute()
                .map_or("–".into(), |m| format!("{m:.2} cards"))
        }),
    ];
    egui::Grid::new("whatif_compare")
        .num_columns(3)
        .striped(true)
        .spacing([28.0, 6.0])
        .show(ui, |ui| {
            ui.label("");
            key_label(
                ui,
                CURRENT,
                &format!("Current: {}", scenario_text(r.current)),
            );
            key_label(ui, WHAT_IF, &format!("What if: {}", scenario_text(asked)));
            ui.end_row();
            for (name, cell) in rows {
                ui.label(name);
                ui.label(current.map_or("–".into(), cell));
                match what_if {
                    Some(run) => ui.label(RichText::new(cell(run)).strong()),
                    None => ui.label(RichText::new("simulate to see").weak()),
                };
                ui.end_row();
            }
        });
    ui.label(
        RichText::new(format!(
            "Over the next {}. Remembered: the sum of every card's chance of recall on the last day.",
            count(days as u64, "day", "days")
        ))
        .small()
        .weak(),
    );
}

/// A coloured square and a name: the key for a series.
fn key_label(ui: &mut egui::Ui, color: Color32, text: &str) {
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 5.0;
        swatch(ui, color);
        ui.label(RichText::new(text).strong());
    });
}

/// The faint vertical line at the hovered day or retention, which the
/// tooltip describes.
fn hover_line(name: &str, x: f64) -> VLine {
    VLine::new(name, x)
        .color(Color32::GRAY.gamma_multiply(0.6))
        .allow_hover(false)
}

/// Reviews (or minutes) a day over the horizon: current settings and what if.
fn load_chart(
    ui: &mut egui::Ui,
    r: &SimulationReport,
    what_if: Option<&Run>,
    minutes: bool,
    date: impl Fn(usize) -> String,
) {
    let Some(current) = r.current_run() else {
        empty_state(ui, "Nothing was simulated for the current settings.");
        return;
    };
    load_key(ui, r, what_if);
    let response = load_plot(ui, r, current, what_if, minutes);
    let name = if minutes {
        "Minutes of study a day"
    } else {
        "Reviews a day"
    };
    describe_figure(
        &response.response,
        name,
        "days from today",
        load_unit(minutes),
    );
    if let Some(k) = response.inner {
        let line = |label: &str, run: &Run| {
            let d = run.days.get(k).copied().unwrap_or_default();
            format!(
                "{label}: {:.0} reviews, {:.0} new, {}",
                d.reviews,
                d.new,
                duration_text((d.minutes * 60_000.0) as u64)
            )
        };
        let mut text = format!("{}, {}\n{}", when(k), date(k), line("Current", current));
        if let Some(run) = what_if.filter(|w| !w.scenario.same_as(&r.current)) {
            text.push('\n');
            text.push_str(&line("What if", run));
        }
        response
            .response
            .on_hover_ui_at_pointer(|ui| tooltip(ui, &text));
    }
}

/// What the load chart counts a day, as its y axis is titled.
fn load_unit(minutes: bool) -> &'static str {
    if minutes {
        "minutes a day"
    } else {
        "reviews a day"
    }
}

/// The load chart's key: the current settings, and the what-if or why it
/// is not drawn.
fn load_key(ui: &mut egui::Ui, r: &SimulationReport, what_if: Option<&Run>) {
    ui.horizontal_wrapped(|ui| {
        key_label(
            ui,
            CURRENT,
            &format!("Current ({})", scenario_text(r.current)),
        );
        ui.add_space(10.0);
        match what_if {
            Some(run) if !run.scenario.same_as(&r.current) => {
                key_label(
                    ui,
                    WHAT_IF,
                    &format!("What if ({})", scenario_text(run.scenario)),
                );
            }
            Some(_) => {
                ui.label(RichText::new("The what-if is the current settings.").weak());
            }
            None => {
                ui.label(RichText::new("Simulate to draw the what-if.").weak());
            }
        }
    });
}

/// The load chart's plot: a line for the current settings and one for the
/// what-if when it differs. Its inner value is the hovered day.
fn load_plot(
    ui: &mut egui::Ui,
    r: &SimulationReport,
    current: &Run,
    what_if: Option<&Run>,
    minutes: bool,
) -> PlotResponse<Option<usize>> {
    let value = |d: &simulate::DayLoad| -> f64 {
        if minutes {
            f64::from(d.minutes)
        } else {
            f64::from(d.reviews)
        }
    };
    let series = |run: &Run| -> Vec<[f64; 2]> {
        run.days
            .iter()
            .enumerate()
            .map(|(k, d)| [k as f64, value(d)])
            .collect()
    };
    let days = current.days.len();
    let x_axis = AxisHints::new_x()
        .label("days from today")
        .tick_label_font(egui::TextStyle::Small.resolve(ui.style()))
        .formatter(|mark, _| {
            if mark.value >= 0.0 && (mark.value - mark.value.round()).abs() < 1e-9 {
                day_offset_label(mark.value.round() as usize)
            } else {
                String::new()
            }
        });
    let highest = current
        .days
        .iter()
        .chain(what_if.iter().flat_map(|w| w.days.iter()))
        .map(value)
        .fold(0.0, f64::max);
    // Whole numbers of reviews or minutes, unless the load is tiny.
    let y = ValueAxis::new(ui, load_unit(minutes), highest.max(1.0), true);
    fixed_plot("whatif_load")
        .height(PLOT_HEIGHT)
        .include_y(0.0)
        .include_y(y.top)
        .include_x(0.0)
        .include_x((days.max(2) - 1) as f64)
        .custom_x_axes(vec![x_axis])
        .custom_y_axes(vec![y.hints])
        .y_grid_spacer(grid_at(y.marks, y.step))
        .show(ui, |plot| {
            let hovered = if plot.response().hovered() {
                plot.pointer_coordinate()
                    .map(|p| p.x.round().clamp(0.0, (days.max(1) - 1) as f64) as usize)
            } else {
                None
            };
            if let Some(k) = hovered {
                plot.vline(hover_line("day", k as f64));
            }
            plot.line(
                Line::new("Current settings", series(current))
                    .color(CURRENT)
                    .width(2.0)
                    .allow_hover(false),
            );
            if let Some(run) = what_if.filter(|w| !w.scenario.same_as(&r.current)) {
                plot.line(
                    Line::new("What if", series(run))
                        .color(WHAT_IF)
                        .width(2.0)
                        .allow_hover(false),
                );
            }
            hovered
        })
}

/// Cards remembered per minute against desired retention, one curve per
/// new-cards-a-day value; the current settings, the what-if and the best
/// marked.
fn efficiency_chart(ui: &mut egui::Ui, r: &SimulationReport, asked: Scenario) {
    let curves = efficiency_curves(r);
    if curves.iter().all(|(_, p)| p.is_empty()) {
        empty_state(
            ui,
            "No study would be needed in this time, so there is nothing to compare.",
        );
        return;
    }
    ui.horizontal_wrapped(|ui| {
        for (n, _) in &curves {
            key_label(ui, curve_color(r, *n), &format!("{n} new/day"));
            ui.add_space(8.0);
        }
        ui.add_space(8.0);
        ui.colored_label(CURRENT, "◆ current settings");
        ui.label("▲ most per minute");
        ui.colored_label(WHAT_IF, "● what if");
    });
    let response = efficiency_plot(ui, r, asked, &curves);
    describe_figure(
        &response.response,
        "Memory per minute",
        "desired retention (%)",
        "cards remembered per minute of study",
    );
    if let Some(x) = response.inner {
        let text = efficiency_tooltip(r, x);
        response
            .response
            .on_hover_ui_at_pointer(|ui| tooltip(ui, &text));
    }
}

/// For each new-cards-a-day value, its curve: (retention in percent, cards
/// remembered per minute) for every retention with minutes of study.
fn efficiency_curves(r: &SimulationReport) -> Vec<(u32, Vec<[f64; 2]>)> {
    r.new_per_day
        .iter()
        .map(|&n| {
            let points = r
                .curve(n)
                .filter_map(|run| {
                    run.memorised_per_minute().map(|m| {
                        [
                            f64::from(run.scenario.desired_retention) * 100.0,
                            f64::from(m),
                        ]
                    })
                })
                .collect();
            (n, points)
        })
        .collect()
}

/// The colour of the curve for `n` new cards a day.
fn curve_color(r: &SimulationReport, n: u32) -> Color32 {
    let i = r.new_per_day.iter().position(|x| *x == n).unwrap_or(0);
    CURVES[i % CURVES.len()]
}

/// Where a scenario sits on the memory-per-minute chart, if it was
/// simulated and needs study.
fn efficiency_point(r: &SimulationReport, s: Scenario) -> Option<[f64; 2]> {
    r.run(s).and_then(|run| {
        run.memorised_per_minute()
            .map(|m| [f64::from(s.desired_retention) * 100.0, f64::from(m)])
    })
}

/// The memory-per-minute plot: the curves, and markers for the current
/// settings, the best retention at the what-if's pace and the what-if. Its
/// inner value is the hovered retention (the nearest simulated one).
fn efficiency_plot(
    ui: &mut egui::Ui,
    r: &SimulationReport,
    asked: Scenario,
    curves: &[(u32, Vec<[f64; 2]>)],
) -> PlotResponse<Option<f32>> {
    let x_axis = AxisHints::new_x()
        .label("desired retention (%)")
        .tick_label_font(egui::TextStyle::Small.resolve(ui.style()))
        .formatter(|mark, _| {
            if (mark.value - mark.value.round()).abs() < 1e-9 {
                format!("{:.0}%", mark.value)
            } else {
                String::new()
            }
        });
    let highest = curves
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q[1]))
        .fold(0.0, f64::max);
    let y = ValueAxis::new(ui, "cards per minute", highest, false);
    let retentions = r.retentions.clone();
    let text_color = ui.visuals().strong_text_color();
    let markers = efficiency_markers(r, asked, text_color);
    fixed_plot("whatif_efficiency")
        .height(PLOT_HEIGHT)
        .include_x(f64::from(RETENTION_MIN) * 100.0 - 1.0)
        .include_x(f64::from(RETENTION_MAX) * 100.0 + 1.0)
        .include_y(0.0)
        .include_y(y.top)
        .custom_x_axes(vec![x_axis])
        .custom_y_axes(vec![y.hints])
        .y_grid_spacer(grid_at(y.marks, y.step))
        .show(ui, |plot| {
            let hovered = if plot.response().hovered() {
                plot.pointer_coordinate().and_then(|p| {
                    retentions.iter().copied().min_by(|a, b| {
                        (f64::from(*a) * 100.0 - p.x)
                            .abs()
                            .total_cmp(&(f64::from(*b) * 100.0 - p.x).abs())
                    })
                })
            } else {
                None
            };
            if let Some(x) = hovered {
                plot.vline(hover_line("retention", f64::from(x) * 100.0));
            }
            for (n, points) in curves {
                plot.line(
                    Line::new(format!("{n} new/day"), points.clone())
                        .color(curve_color(r, *n))
                        .width(if *n == asked.new_per_day { 2.5 } else { 1.5 })
                        .allow_hover(false),
                );
            }
            for (marker, at) in markers {
                marker.draw(plot, at, text_color);
            }
            hovered
        })
}

/// The memory-per-minute chart's markers, each with where it sits (if it
/// does): the current settings, the best retention at the what-if's pace,
/// and the what-if.
fn efficiency_markers(
    r: &SimulationReport,
    asked: Scenario,
    text_color: Color32,
) -> [(Marker<'static>, Option<[f64; 2]>); 3] {
    let current = efficiency_point(r, r.current);
    // On the current settings' diamond it would hide it.
    let what_if = efficiency_point(r, asked).filter(|_| !asked.same_as(&r.current));
    let best = r
        .best(asked.new_per_day)
        .and_then(|run| efficiency_point(r, run.scenario));
    [
        (
            Marker {
                name: "Current settings",
                shape: MarkerShape::Diamond,
                color: CURRENT,
                label: "current",
            },
            current,
        ),
        (
            Marker {
                name: "Best",
                shape: MarkerShape::Up,
                color: text_color,
                label: "best",
            },
            best,
        ),
        (
            Marker {
                name: "What if",
                shape: MarkerShape::Circle,
                color: WHAT_IF,
                label: "",
            },
            what_if,
        ),
    ]
}

/// A chart's y axis for values from 0 to about `highest`, ticked at round
/// steps (see [`fraction_marks`]), and where its grid lines go.
struct ValueAxis {
    hints: AxisHints<'static>,
    marks: Vec<f64>,
    /// The step between marks.
    step: f64,
    /// The highest mark: the axis reaches it, so the top label shows.
    top: f64,
}

impl ValueAxis {
    /// The axis titled `title`. With `whole`, whole-number ticks read as
    /// counts do, with thousands separated.
    fn new(ui: &egui::Ui, title: &'static str, highest: f64, whole: bool) -> ValueAxis {
        let (marks, decimals) = fraction_marks(highest);
        let top = marks.last().copied().unwrap_or(1.0);
        let step = marks.get(1).copied().unwrap_or(1.0);
        let hints = AxisHints::new_y()
            .label(title)
            .tick_label_font(egui::TextStyle::Small.resolve(ui.style()))
            .label_spacing(egui::Rangef::new(0.0, 1.0))
            .formatter(move |mark, _| {
                if whole && decimals == 0 {
                    whole_tick(mark.value)
                } else {
                    format!("{:.*}", decimals, mark.value)
                }
            });
        ValueAxis {
            hints,
            marks,
            step,
            top,
        }
    }
}

/// A scenario's marker on the memory-per-minute chart.
struct Marker<'a> {
    name: &'a str,
    shape: MarkerShape,
    color: Color32,
    /// Written beside the marker; empty for none.
    label: &'a str,
}

impl Marker<'_> {
    /// Draws the marker at `at`, if the scenario is on the chart, with its
    /// label in `text_color`.
    fn draw(&self, plot: &mut PlotUi<'_>, at: Option<[f64; 2]>, text_color: Color32) {
        let Some(p) = at else {
            return;
        };
        plot.points(
            Points::new(self.name.to_string(), vec![p])
                .shape(self.shape)
                .radius(6.0)
                .color(self.color)
                .allow_hover(false),
        );
        if !self.label.is_empty() {
            plot.text(
                Text::new(
                    format!("{} label", self.name),
                    PlotPoint::new(p[0], p[1]),
                    RichText::new(format!("  {}", self.label))
                        .small()
                        .color(text_color),
                )
                .anchor(egui::Align2::LEFT_BOTTOM)
                .allow_hover(false),
            );
        }
    }
}

/// The tooltip at retention `x`: memory per minute, cards remembered and
/// study time at each pace of new cards.
fn efficiency_tooltip(r: &SimulationReport, x: f32) -> String {
    let mut text = format!("Desired retention {:.2}", x);
    for &n in &r.new_per_day {
        if let Some(run) = r.run(Scenario {
            desired_retention: x,
            new_per_day: n,
        }) {
            text.push_str(&format!(
                "\n{n} new/day: {} per minute ({} remembered, {} of study)",
                run.memorised_per_minute()
                    .map_or("–".into(), |m| format!("{m:.3}")),
                thousands(run.memorised_at_end().round() as u64),
                duration_text((run.total_minutes() * 60_000.0) as u64)
            ));
        }
    }
    text
}

/// The best retention at the what-if's pace in words, with a button to try
/// it; returns the retention when that button is pressed.
fn suggestion(ui: &mut egui::Ui, r: &SimulationReport, asked: Scenario) -> Option<f32> {
    let best = r.best(asked.new_per_day)?;
    let best_m = best.memorised_per_minute()?;
    let best_r = best.scenario.desired_retention;
    let at_current = r
        .run(Scenario {
            desired_retention: r.current.desired_retention,
            new_per_day: asked.new_per_day,
        })
        .and_then(Run::memorised_per_minute);
    let mut text = format!(
        "At {} a day, a desired retention of {best_r:.2} gives the most memory per minute: {best_m:.2} cards per minute of study",
        count(u64::from(asked.new_per_day), "new card", "new cards")
    );
    if let Some(m) = at_current
        && (best_r - r.current.desired_retention).abs() > 1e-4
    {
        text.push_str(&format!(
            ", against {m:.2} at your {:.2}",
            r.current.desired_retention
        ));
    }
    text.push('.');
    if best_r <= RETENTION_MIN + 1e-4 {
        text.push_str(
            " It is the lowest retention tried: in this time, reviews saved count for more than \
             the memory lost. Weigh the cards remembered at the end as well.",
        );
    }
    let mut chosen = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(text);
        let differs = (asked.desired_retention - best_r).abs() > 1e-4;
        if ui
            .add_enabled(differs, egui::Button::new(format!("Try {best_r:.2}")))
            .on_disabled_hover_text("The what-if already uses it")
            .on_hover_text("Sets the what-if's desired retention to this")
            .clicked()
        {
            chosen = Some(best_r);
        }
    });
    ui.label(
        RichText::new(
            "Memory per minute: cards remembered on the last day divided by all the minutes of \
             study until then, as Anki's minimum recommended retention measures it. It is only \
             one way to choose: a higher retention costs more time but forgets less.",
        )
        .small()
        .weak(),
    );
    chosen
}

/// How the simulation works, for the collapsible note.
const METHOD: &str = "Each scenario is simulated day by day with the fsrs crate's simulator \
(the one Anki uses), starting from every studied card's stability, difficulty and due day. A \
review is remembered with the card's predicted chance of recall; new cards come at the daily \
limit until none are left (the decks' unstudied cards, then the ones you will add); the review \
limit holds back the rest for the next day. Learning and relearning steps take the \
same day. Small collections average several runs per scenario. Intervals are not fuzzed and \
suspended cards are left out.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_in_scenarios_and_time_left() {
        assert_eq!(progress_text(0, 0, Duration::ZERO), "Reading answer times…");
        assert_eq!(
            progress_text(0, 84, Duration::from_secs(1)),
            "Simulating… 0 of 84 scenarios"
        );
        assert_eq!(
            progress_text(21, 84, Duration::from_secs(10)),
            "Simulating… 21 of 84 scenarios, about 30 s left"
        );
        assert_eq!(
            progress_text(10, 84, Duration::from_secs(60)),
            "Simulating… 10 of 84 scenarios, about 7 min left"
        );
        assert_eq!(
            progress_text(84, 84, Duration::from_secs(60)),
            "Simulating… 84 of 84 scenarios, almost done"
        );
    }

    #[test]
    fn fraction_axes_reach_past_the_highest_point() {
        assert_eq!(fraction_marks(1.51), (vec![0.0, 0.5, 1.0, 1.5, 2.0], 1));
        assert_eq!(fraction_marks(1.5), (vec![0.0, 0.5, 1.0, 1.5], 1));
        let (m, d) = fraction_marks(0.043);
        assert_eq!(d, 2);
        assert!(*m.last().unwrap() >= 0.043 && m.len() <= 6, "{m:?}");
        assert_eq!(fraction_marks(12.0).1, 0);
        assert_eq!(fraction_marks(0.0), (vec![0.0, 0.5, 1.0], 1));
        assert_eq!(fraction_marks(f64::NAN).0.len(), 3);
    }

    #[test]
    fn ticks_and_labels() {
        assert_eq!(whole_tick(0.0), "0");
        assert_eq!(whole_tick(1500.0), "1,500");
        assert_eq!(whole_tick(2.5), "");
        assert_eq!(when(0), "Today");
        assert_eq!(when(1), "Tomorrow");
        assert_eq!(when(12), "In 12 days");
        assert_eq!(
            scenario_text(Scenario {
                desired_retention: 0.9,
                new_per_day: 20
            }),
            "0.90 · 20 new/day"
        );
        assert_eq!(capitalised("the simulation"), "The simulation");
    }

    #[test]
    fn changing_only_the_retention_keeps_the_result_current() {
        let a = SimulationRequest {
            decks: None,
            horizon: Horizon::Month,
            what_if: Scenario {
                desired_retention: 0.9,
                new_per_day: 20,
            },
            extra_new_cards: 0,
        };
        let mut b = a.clone();
        b.what_if.desired_retention = 0.8;
        assert!(same_inputs(&a, &b));
        b.what_if.new_per_day = 10;
        assert!(!same_inputs(&a, &b));
        let c = SimulationRequest {
            horizon: Horizon::Year,
            ..a.clone()
        };
        assert!(!same_inputs(&a, &c));
    }
}
