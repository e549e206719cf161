//! "What if": the daily review load and how much is remembered over the next
//! 30, 90 or 365 days, for the chosen decks, under a sweep of desired
//! retentions and a few new-cards-per-day values; and the retention that
//! gives the most memory per minute of study.
//!
//! The simulation is the `fsrs` crate's own ([`fsrs::simulate`], the one
//! Anki's simulator and "compute minimum recommended retention" run). It
//! starts from the chosen decks' real memory states (stability, difficulty,
//! last review and due day of every studied card) and adds their
//! never-studied cards at the daily new-card limit. How long answers take and
//! how the buttons are pressed come from the user's own answers when there
//! are enough of them ([`fsrs::extract_simulator_config`], smoothed towards
//! the defaults as Anki does), else from the crate's defaults; the report says
//! which.
//!
//! Every run is seeded ([`SEED`]), so the same collection and request always
//! give the same report, and every point of the sweep sees the same random
//! draws. On small collections each scenario is the mean of several runs
//! (up to [`MAX_SAMPLES`]), as Anki's search for the best retention does, so
//! that neighbouring retentions can be compared.
//!
//! A sweep at 100k cards over a year takes a while: build a
//! [`SimulationJob`] on the UI thread with a [`JobBuilder`] (it copies
//! memory states, [`BUILD_STEP`] cards a frame) and [`SimulationJob::run`]
//! it on a worker, with progress and cancel.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use fsrs::{RevlogEntry, RevlogReviewKind, SimulatorConfig};
use jiff::Timestamp;

use crate::collection::{Collection, CollectionError, History, HistoryLoader};
use crate::deck::ItemId;
use crate::deck_tree::SEPARATOR;
use crate::schedule::{CardState, DayClock, Phase, Settings};
use crate::store::{AnswerKind, StoreError};

/// The lowest desired retention the sweep tries.
pub const RETENTION_MIN: f32 = 0.70;
/// The highest desired retention the sweep tries.
pub const RETENTION_MAX: f32 = 0.97;
/// The sweep's step between retentions (0.70, 0.71, … 0.97) when the
/// collection is small enough for the sweep to take well under a minute.
pub const FINE_STEP: f32 = 0.01;
/// The step on larger collections (0.70, 0.73, … 0.97): a third of the runs.
pub const COARSE_STEP: f32 = 0.03;
/// The most card-days (cards simulated × days × runs) a fine sweep may take:
/// about half a minute on one core (a card-day costs the simulator about
/// 45 ns when no backlog builds up).
pub const FINE_SWEEP_CARD_DAYS: usize = 700_000_000;
/// The seed of every scenario's first simulation; further samples of it
/// take the next seeds.
pub const SEED: u64 = 42;
/// The most simulations averaged per scenario (Anki's minimum-recommended-
/// retention search averages 16 over a year).
pub const MAX_SAMPLES: usize = 16;
/// Card-days (cards simulated × days) each scenario should cover, with
/// samples added up to [`MAX_SAMPLES`] on small collections: the random
/// spread of a run shrinks with its size, so this keeps curves equally
/// smooth whatever the collection's size.
pub const SAMPLE_CARD_DAYS: usize = 2_000_000;
/// Timed answers (0 < time < 20 minutes) needed before answer times and
/// button choices are taken from the user's history rather than the defaults.
pub const MIN_TIMED_ANSWERS: usize = 100;
/// The most new cards a day the sweep tries.
pub const MAX_NEW_PER_DAY: u32 = 9999;
/// Answers longer than this are left out of the timings, as the FSRS tools
/// do: the user walked away.
const LONGEST_ANSWER_MS: u32 = 1_200_000;

/// How far ahead to simulate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Horizon {
    /// The next 30 days.
    #[default]
    Month,
    /// The next 90 days.
    Quarter,
    /// The next 365 days.
    Year,
}

impl Horizon {
    /// All three, shortest first.
    pub const ALL: [Horizon; 3] = [Horizon::Month, Horizon::Quarter, Horizon::Year];

    /// Days simulated, today included.
    pub fn days(self) -> usize {
        match self {
            Horizon::Month => 30,
            Horizon::Quarter => 90,
            Horizon::Year => 365,
        }
    }

    /// "30 days".
    pub fn label(self) -> String {
        format!("{} days", self.days())
    }
}

/// Desired retention and new cards a day: what the sweep varies and what
/// [`apply`] saves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scenario {
    /// Probability of recall to schedule for.
    pub desired_retention: f32,
    /// New cards introduced a day.
    pub new_per_day: u32,
}

impl Scenario {
    /// The scenario the settings describe.
    pub fn of(settings: &Settings) -> Self {
        Self {
            desired_retention: settings.desired_retention,
            new_per_day: settings.new_per_day,
        }
    }

    /// Whether `other` is the same scenario (retentions equal to 1e-4).
    pub fn same_as(&self, other: &Scenario) -> bool {
        self.new_per_day == other.new_per_day
            && (self.desired_retention - other.desired_retention).abs() < 1e-4
    }
}

/// The settings a simulation of `decks` (a full `A::B` name; `None` for
/// every deck) starts from: that deck's preset's, or Default's for every
/// deck or a parent with no deck file of its own.
pub fn settings_for<'c>(collection: &'c Collection, decks: Option<&str>) -> &'c Settings {
    match decks.and_then(|name| collection.decks().iter().position(|d| d.name == name)) {
        Some(index) => collection.deck_scheduler(index).settings(),
        None => collection.settings(),
    }
}

/// Saves `scenario`'s desired retention and new cards a day in the preset
/// of the deck simulated (`decks`, a full `A::B` name; Default for every
/// deck or a parent with no deck file); everything else stays. Returns the
/// preset's name. The one place the simulator changes settings.
pub fn apply(
    collection: &mut Collection,
    scenario: Scenario,
    decks: Option<&str>,
) -> Result<String, CollectionError> {
    let mut settings = collection.settings().clone();
    let name = decks
        .and_then(|name| collection.decks().iter().find(|d| d.name == name))
        .map_or(crate::schedule::DEFAULT_PRESET, |deck| {
            settings.preset_name_of_deck(&deck.slug)
        })
        .to_string();
    let mut preset = settings
        .preset(&name)
        .unwrap_or_else(|| settings.default_preset());
    preset.desired_retention = scenario.desired_retention;
    preset.new_per_day = scenario.new_per_day;
    settings.set_preset(preset);
    collection.save_settings(settings)?;
    Ok(name)
}

/// What to simulate.
#[derive(Clone, Debug, PartialEq)]
pub struct SimulationRequest {
    /// A deck and the decks under it, by its full `A::B` name; `None` for
    /// every deck.
    pub decks: Option<String>,
    /// How far ahead.
    pub horizon: Horizon,
    /// The scenario to compare with the current settings.
    pub what_if: Scenario,
    /// Cards the user expects to add, on top of the decks' never-studied
    /// ones, introduced after them.
    pub extra_new_cards: usize,
}

/// Why a simulation could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// The chosen decks hold no card that could be studied.
    #[error("{0} has no cards to simulate (suspended cards are left out)")]
    NoCards(String),
    /// The progress callback asked to stop.
    #[error("the simulation was cancelled")]
    Cancelled,
    /// The review history (for answer times) could not be read.
    #[error("the review history could not be read: {0}")]
    History(#[from] StoreError),
    /// The collection could not be read.
    #[error(transparent)]
    Collection(#[from] CollectionError),
    /// The `fsrs` crate refused the parameters or the cards.
    #[error("the memory model could not simulate: {0}")]
    Fsrs(String),
}

/// Where the answer times and button choices came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CostSource {
    /// The user's own answers: this many timed ones, of the chosen decks
    /// (or of every deck, when the chosen ones had too few).
    History {
        /// Timed answers used.
        answers: usize,
        /// True when the chosen decks had too few and all answers were used.
        all_decks: bool,
    },
    /// The `fsrs` crate's defaults: the history had only this many timed
    /// answers (fewer than [`MIN_TIMED_ANSWERS`]).
    Defaults {
        /// Timed answers found.
        answers: usize,
    },
}

/// How answers go in the simulation: seconds per answer by phase and button,
/// how often each button is pressed, and how learning steps go.
#[derive(Clone, Debug, PartialEq)]
pub struct Behaviour {
    /// Where these numbers came from.
    pub source: CostSource,
    /// Seconds per answer, by phase (learning, review, relearning) and button
    /// (Again, Hard, Good, Easy).
    pub state_rating_costs: [[f32; 4]; 3],
    /// How a new card's first answer goes: Again, Hard, Good, Easy.
    pub first_rating_prob: [f32; 4],
    /// How a passed review goes: Hard, Good, Easy.
    pub review_rating_prob: [f32; 3],
    /// In learning steps: the next button after Again, Hard, Good.
    pub learning_step_transitions: [[f32; 4]; 3],
    /// In relearning steps: the next button after Again, Hard, Good.
    pub relearning_step_transitions: [[f32; 4]; 3],
}

impl Behaviour {
    /// The `fsrs` crate's defaults.
    pub fn defaults(answers: usize) -> Self {
        Self::from_config(SimulatorConfig::default(), CostSource::Defaults { answers })
    }

    fn from_config(c: SimulatorConfig, source: CostSource) -> Self {
        Self {
            source,
            state_rating_costs: c.state_rating_costs,
            first_rating_prob: c.first_rating_prob,
            review_rating_prob: c.review_rating_prob,
            learning_step_transitions: c.learning_step_transitions,
            relearning_step_transitions: c.relearning_step_transitions,
        }
    }

    /// Seconds a passed review takes, on average over Hard, Good and Easy.
    pub fn review_seconds(&self) -> f32 {
        weighted_mean(&self.review_rating_prob, &self.state_rating_costs[1][1..])
    }

    /// Seconds a failed review (Again) takes, before any relearning step.
    pub fn forget_seconds(&self) -> f32 {
        self.state_rating_costs[1][0]
    }

    /// Seconds a new card's first answer takes, on average over the buttons.
    pub fn learn_seconds(&self) -> f32 {
        weighted_mean(&self.first_rating_prob, &self.state_rating_costs[0])
    }

    /// Whether every number is usable by the simulator: it draws buttons from
    /// these weights and panics on weights that do not sum to a positive number.
    fn is_usable(&self) -> bool {
        let weights_ok =
            |w: &[f32]| w.iter().all(|p| p.is_finite() && *p >= 0.0) && w.iter().sum::<f32>() > 0.0;
        weights_ok(&self.first_rating_prob)
            && weights_ok(&self.review_rating_prob)
            && self
                .learning_step_transitions
                .iter()
                .chain(&self.relearning_step_transitions)
                .all(|row| weights_ok(row))
            && self
                .state_rating_costs
                .iter()
                .flatten()
                .all(|c| c.is_finite() && *c >= 0.0)
    }
}

fn weighted_mean(weights: &[f32], values: &[f32]) -> f32 {
    let total: f32 = weights.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    weights.iter().zip(values).map(|(w, v)| w * v).sum::<f32>() / total
}

/// Answer times and button choices from `history`: the answers of `items`
/// (every answer when `None`) if there are at least [`MIN_TIMED_ANSWERS`]
/// timed ones, else every answer, else the defaults. `day_end` is when the
/// current study day ends: answers are grouped into study days counted back
/// from it (answers after it are left out).
pub fn behaviour_from_history(
    history: &History,
    items: Option<&HashSet<ItemId>>,
    day_end: Timestamp,
) -> Behaviour {
    let chosen = revlog(history, items, day_end);
    let (entries, all_decks) = if timed(&chosen) >= MIN_TIMED_ANSWERS || items.is_none() {
        (chosen, false)
    } else {
        (revlog(history, None, day_end), true)
    };
    let answers = timed(&entries);
    if answers < MIN_TIMED_ANSWERS {
        return Behaviour::defaults(answers);
    }
    let config = fsrs::extract_simulator_config(entries, day_end.as_second(), true);
    let behaviour = Behaviour::from_config(config, CostSource::History { answers, all_decks });
    if behaviour.is_usable() {
        behaviour
    } else {
        Behaviour::defaults(answers)
    }
}

fn timed(entries: &[RevlogEntry]) -> usize {
    entries
        .iter()
        .filter(|e| e.taken_millis > 0 && e.taken_millis < LONGEST_ANSWER_MS)
        .count()
}

/// The history's answers as the `fsrs` crate's review log: ids are times in
/// milliseconds (the crate groups same-day answers by them), card ids the
/// history's item numbers.
fn revlog(
    history: &History,
    items: Option<&HashSet<ItemId>>,
    day_end: Timestamp,
) -> Vec<RevlogEntry> {
    history
        .answers
        .iter()
        .zip(&history.item_of)
        .filter(|(a, _)| a.at < day_end && items.is_none_or(|set| set.contains(&a.item)))
        .map(|(a, &item)| RevlogEntry {
            id: a.at.as_millisecond(),
            cid: i64::from(item),
            button_chosen: a.rating.number() as u8,
            taken_millis: a.took_ms,
            review_kind: match a.kind {
                AnswerKind::New | AnswerKind::Learning => RevlogReviewKind::Learning,
                AnswerKind::Review => RevlogReviewKind::Review,
                AnswerKind::Relearning => RevlogReviewKind::Relearning,
            },
            ..RevlogEntry::default()
        })
        .collect()
}

/// One studied card as the simulation starts it, in days relative to today.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimCard {
    /// Days for recall to fall to 90 %.
    pub stability: f32,
    /// 1 (easy) to 10 (hard).
    pub difficulty: f32,
    /// The study day of its last answer, relative to today (0 or less).
    pub last_day: i32,
    /// The study day it is due, relative to today (0 for today or overdue).
    pub due_day: i32,
    /// Times forgotten.
    pub lapses: u32,
}

impl SimCard {
    /// Whether a state is a studied card to the simulation: answered, with a
    /// usable memory state (a broken one would make the simulator loop on NaN
    /// due days). Cheap: no dates are worked out.
    pub fn is_studied(state: &CardState) -> bool {
        state.phase != Phase::New
            && state.memory.is_some_and(|m| {
                m.stability.is_finite() && m.stability > 0.0 && m.difficulty.is_finite()
            })
    }

    /// The card a state describes on study day `today`; `None` for a card
    /// never studied, or whose memory state is unusable (the simulation
    /// treats it as new).
    pub fn from_state(state: &CardState, clock: &DayClock, today: i32) -> Option<Self> {
        if !Self::is_studied(state) {
            return None;
        }
        let memory = state.memory?;
        let last_day = state
            .last_review
            .map_or(-(state.interval_days as i32), |t| clock.day_of(t) - today)
            .min(0);
        let due_day = state.due.map_or(0, |t| clock.day_of(t) - today).max(0);
        Some(Self {
            stability: memory.stability,
            difficulty: memory.difficulty.clamp(1.0, 10.0),
            last_day,
            due_day,
            lapses: state.lapses,
        })
    }
}

/// One simulated day (the mean over the scenario's samples).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DayLoad {
    /// Reviews of studied cards.
    pub reviews: f32,
    /// New cards introduced.
    pub new: f32,
    /// Minutes of study: reviews, new cards and their learning steps.
    pub minutes: f32,
    /// Cards remembered at the day's start: the sum over every studied card
    /// of its chance of recall.
    pub memorised: f32,
}

/// One scenario simulated over the horizon.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// What was simulated.
    pub scenario: Scenario,
    /// Day by day, today first.
    pub days: Vec<DayLoad>,
}

impl Run {
    /// Minutes of study over the whole horizon.
    pub fn total_minutes(&self) -> f32 {
        self.days.iter().map(|d| d.minutes).sum()
    }

    /// Reviews over the whole horizon.
    pub fn total_reviews(&self) -> f32 {
        self.days.iter().map(|d| d.reviews).sum()
    }

    /// New cards introduced over the whole horizon.
    pub fn total_new(&self) -> f32 {
        self.days.iter().map(|d| d.new).sum()
    }

    /// Cards remembered on the last day.
    pub fn memorised_at_end(&self) -> f32 {
        self.days.last().map_or(0.0, |d| d.memorised)
    }

    /// Cards remembered at the end per minute of study over the horizon (the
    /// measure Anki's minimum recommended retention optimises); `None` when
    /// no study was needed.
    pub fn memorised_per_minute(&self) -> Option<f32> {
        let minutes = self.total_minutes();
        (minutes > 0.0).then(|| self.memorised_at_end() / minutes)
    }

    /// Reviews a day, on average.
    pub fn reviews_per_day(&self) -> f32 {
        self.total_reviews() / self.days.len().max(1) as f32
    }

    /// Minutes a day, on average.
    pub fn minutes_per_day(&self) -> f32 {
        self.total_minutes() / self.days.len().max(1) as f32
    }

    /// The busiest day's reviews.
    pub fn peak_reviews(&self) -> f32 {
        self.days.iter().map(|d| d.reviews).fold(0.0, f32::max)
    }
}

/// Everything a simulation found.
#[derive(Clone, Debug, PartialEq)]
pub struct SimulationReport {
    /// How far ahead.
    pub horizon: Horizon,
    /// Studied cards the simulation started from.
    pub studied: usize,
    /// Never-studied cards (the decks' and the extra ones) it could introduce.
    pub new_cards: usize,
    /// Answer times and button choices used.
    pub behaviour: Behaviour,
    /// The settings' scenario.
    pub current: Scenario,
    /// The scenario asked about.
    pub what_if: Scenario,
    /// The retentions swept, ascending.
    pub retentions: Vec<f32>,
    /// The step between them ([`FINE_STEP`] or [`COARSE_STEP`]), besides
    /// the current and what-if retentions added when off the grid.
    pub retention_step: f32,
    /// Simulations averaged per scenario.
    pub samples: usize,
    /// The new-cards-a-day values swept, ascending.
    pub new_per_day: Vec<u32>,
    /// Every run: for each new-per-day value (in order), each retention (in
    /// order).
    pub runs: Vec<Run>,
}

impl SimulationReport {
    /// The run of a scenario, if it was swept.
    pub fn run(&self, scenario: Scenario) -> Option<&Run> {
        self.runs.iter().find(|r| r.scenario.same_as(&scenario))
    }

    /// The run under the current settings.
    pub fn current_run(&self) -> Option<&Run> {
        self.run(self.current)
    }

    /// The runs at `new_per_day`, by ascending retention.
    pub fn curve(&self, new_per_day: u32) -> impl Iterator<Item = &Run> {
        self.runs
            .iter()
            .filter(move |r| r.scenario.new_per_day == new_per_day)
    }

    /// At `new_per_day`, the run with the most cards remembered per minute of
    /// study (the lower retention on a tie).
    pub fn best(&self, new_per_day: u32) -> Option<&Run> {
        self.curve(new_per_day)
            .filter_map(|r| r.memorised_per_minute().map(|m| (r, m)))
            .fold(None, |best: Option<(&Run, f32)>, (r, m)| match best {
                Some((_, b)) if b >= m => best,
                _ => Some((r, m)),
            })
            .map(|(r, _)| r)
    }
}

/// The retentions to sweep: [`RETENTION_MIN`] to [`RETENTION_MAX`] by
/// `step` (in hundredths: [`FINE_STEP`] or [`COARSE_STEP`]), plus `extra`
/// (the current and what-if retentions) when not on that grid, ascending.
pub fn sweep_retentions(step: f32, extra: &[f32]) -> Vec<f32> {
    let hundredths = ((step * 100.0).round() as u32).max(1);
    let (lo, hi) = (
        (RETENTION_MIN * 100.0).round() as u32,
        (RETENTION_MAX * 100.0).round() as u32,
    );
    let mut out: Vec<f32> = (lo..=hi)
        .step_by(hundredths as usize)
        // Whole hundredths, so 0.9 is 0.9 and not 0.90000004.
        .map(|h| h as f32 / 100.0)
        .collect();
    for &r in extra {
        if r.is_finite() && !out.iter().any(|x| (x - r).abs() < 1e-4) {
            out.push(r);
        }
    }
    out.sort_by(f32::total_cmp);
    out
}

/// The new-cards-a-day values to sweep: the current and what-if ones, and
/// half and double the what-if one (at most [`MAX_NEW_PER_DAY`]), ascending.
pub fn sweep_new_per_day(current: u32, what_if: u32) -> Vec<u32> {
    let mut out = vec![
        current,
        what_if,
        what_if / 2,
        what_if.saturating_mul(2).min(MAX_NEW_PER_DAY),
    ];
    out.sort_unstable();
    out.dedup();
    out
}

/// Everything a simulation needs, detached from the collection so that it
/// can run on a worker thread.
#[derive(Clone, Debug)]
pub struct SimulationJob {
    /// The chosen decks, in words ("All decks", "Languages::Rust").
    label: String,
    cards: Cards,
    /// Studied cards (fixed when the job is made: `cards` is moved out
    /// when it runs).
    studied: usize,
    new_cards: usize,
    parameters: Vec<f32>,
    review_limit: u32,
    max_interval: u32,
    learning_steps: usize,
    relearning_steps: usize,
    current: Scenario,
    request: SimulationRequest,
    history: HistorySource,
    items: Option<HashSet<ItemId>>,
    day_end: Timestamp,
    threads: usize,
}

/// The studied cards: ready, or as states whose days are worked out on the
/// worker (a time-zone conversion per date adds up to tens of milliseconds
/// at 100k cards, too long for the window's thread).
#[derive(Clone, Debug)]
enum Cards {
    Ready(Vec<SimCard>),
    States {
        states: Vec<CardState>,
        clock: DayClock,
        today: i32,
    },
}

impl Cards {
    fn into_ready(self) -> Vec<SimCard> {
        match self {
            Cards::Ready(c) => c,
            Cards::States {
                states,
                clock,
                today,
            } => states
                .iter()
                .filter_map(|s| SimCard::from_state(s, &clock, today))
                .collect(),
        }
    }
}

/// Where the job finds the history for answer times.
#[derive(Clone, Debug)]
enum HistorySource {
    Loaded(Arc<History>),
    Loader(Box<HistoryLoader>),
    /// No history: the defaults (tests, and read-only use).
    Nothing,
}

/// Items a [`JobBuilder`] copies per step: a few milliseconds' work.
pub const BUILD_STEP: usize = 20_000;

/// Builds a [`SimulationJob`] from the collection a slice at a time, so the
/// window's thread never spends more than a few milliseconds in one frame
/// copying memory states (all of 100k cards at once takes tens of them).
#[derive(Debug)]
pub struct JobBuilder {
    request: SimulationRequest,
    label: String,
    now: Timestamp,
    generation: u64,
    chosen: Vec<bool>,
    next: usize,
    states: Vec<CardState>,
    new_cards: usize,
    items: Option<HashSet<ItemId>>,
}

impl Collection {
    /// Starts building a simulation of `request` as of `now`; see
    /// [`JobBuilder::step`].
    pub fn simulation_builder(&self, request: &SimulationRequest, now: Timestamp) -> JobBuilder {
        JobBuilder {
            request: request.clone(),
            label: request
                .decks
                .clone()
                .unwrap_or_else(|| "All decks".to_string()),
            now,
            generation: self.generation(),
            chosen: chosen_decks(self, request.decks.as_deref()),
            next: 0,
            states: Vec::new(),
            new_cards: 0,
            items: request.decks.is_some().then(HashSet::new),
        }
    }

    /// A simulation of `request` as of `now`, built in one go (see
    /// [`Self::simulation_builder`] to spread it over frames). The
    /// simulating is [`SimulationJob::run`]'s, on a worker thread.
    pub fn simulation_job(
        &self,
        request: &SimulationRequest,
        now: Timestamp,
    ) -> Result<SimulationJob, SimulateError> {
        let mut builder = self.simulation_builder(request, now);
        loop {
            if let Some(job) = builder.step(self, usize::MAX) {
                return job;
            }
        }
    }
}

impl JobBuilder {
    /// Copies the states of up to `n` more items of the chosen decks; once
    /// all are copied, the job (or why there is none). If the collection
    /// changed since the last step, it starts again.
    pub fn step(
        &mut self,
        collection: &Collection,
        n: usize,
    ) -> Option<Result<SimulationJob, SimulateError>> {
        if self.generation != collection.generation() {
            *self = collection.simulation_builder(&self.request, self.now);
        }
        let items = collection.items();
        let end = self.next.saturating_add(n).min(items.len());
        for item in &items[self.next..end] {
            if !self.chosen.get(item.deck).copied().unwrap_or(false) {
                continue;
            }
            let state = collection.state(&item.id);
            if state.suspended {
                continue;
            }
            if SimCard::is_studied(state) {
                self.states.push(state.clone());
            } else {
                self.new_cards += 1;
            }
            if let Some(set) = &mut self.items {
                set.insert(item.id.clone());
            }
        }
        self.next = end;
        if end < items.len() {
            return None;
        }
        Some(self.finish(collection))
    }

    /// Items copied so far, of all the collection's.
    pub fn progress(&self, collection: &Collection) -> (usize, usize) {
        (self.next, collection.items().len())
    }

    fn finish(&mut self, collection: &Collection) -> Result<SimulationJob, SimulateError> {
        let request = &self.request;
        if self.states.is_empty() && self.new_cards == 0 && request.extra_new_cards == 0 {
            return Err(SimulateError::NoCards(self.label.clone()));
        }
        // The chosen deck's preset: its retention, limits and parameters.
        let settings = settings_for(collection, request.decks.as_deref());
        let clock = collection.scheduler().clock();
        let today = clock.day_of(self.now);
        let states = std::mem::take(&mut self.states);
        Ok(SimulationJob {
            label: self.label.clone(),
            studied: states.len(),
            cards: Cards::States {
                states,
                clock: clock.clone(),
                today,
            },
            new_cards: self.new_cards + request.extra_new_cards,
            parameters: settings.fsrs_parameters.clone(),
            review_limit: settings.reviews_per_day,
            max_interval: settings.maximum_interval_days,
            learning_steps: settings.learning_steps.len(),
            relearning_steps: settings.relearning_steps.len(),
            current: Scenario::of(settings),
            request: request.clone(),
            history: HistorySource::Loader(Box::new(collection.history_loader()?)),
            items: self.items.take(),
            day_end: clock.start_of_day(today + 1),
            threads: default_threads(),
        })
    }
}

/// For each deck (by index), whether `path` (a full `A::B` name, `None` for
/// all) covers it: the deck of that name and every deck under it.
fn chosen_decks(collection: &Collection, path: Option<&str>) -> Vec<bool> {
    let parts = |name: &str| -> Vec<String> {
        name.split(SEPARATOR)
            .map(|p| p.trim().to_lowercase())
            .collect()
    };
    let wanted = path.map(parts);
    collection
        .decks()
        .iter()
        .map(|d| {
            wanted.as_ref().is_none_or(|w| {
                let name = parts(&d.name);
                name.len() >= w.len() && name[..w.len()] == w[..]
            })
        })
        .collect()
}

/// Workers for a sweep: all cores but one, which stays with the window.
fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_sub(1)
        .max(1)
}

impl SimulationJob {
    /// A job over `cards` and `new_cards` with `settings`, without a
    /// collection: answer times are the defaults unless a history is given
    /// with [`Self::with_history`].
    pub fn new(
        cards: Vec<SimCard>,
        new_cards: usize,
        settings: &Settings,
        request: SimulationRequest,
    ) -> Self {
        Self {
            label: request
                .decks
                .clone()
                .unwrap_or_else(|| "All decks".to_string()),
            studied: cards.len(),
            cards: Cards::Ready(cards),
            new_cards: new_cards + request.extra_new_cards,
            parameters: settings.fsrs_parameters.clone(),
            review_limit: settings.reviews_per_day,
            max_interval: settings.maximum_interval_days,
            learning_steps: settings.learning_steps.len(),
            relearning_steps: settings.relearning_steps.len(),
            current: Scenario::of(settings),
            request,
            history: HistorySource::Nothing,
            items: None,
            day_end: Timestamp::MAX,
            threads: 1,
        }
    }

    /// Uses an already loaded history for the answer times instead of
    /// reading the journals again.
    pub fn with_history(mut self, history: Arc<History>) -> Self {
        self.history = HistorySource::Loaded(history);
        self
    }

    /// Runs the sweep on `threads` workers (at least one) instead of all
    /// cores but one. The report does not depend on it.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// The chosen decks, in words.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Simulation runs the sweep makes: one per retention and new-cards-a-day
    /// value. Progress counts these.
    pub fn runs(&self) -> usize {
        self.retentions().len() * self.new_per_day().len()
    }

    /// Cards simulated × days, for the busiest scenario: what a run costs.
    fn card_days(&self) -> usize {
        let days = self.request.horizon.days();
        let most_new = self.new_per_day().last().copied().unwrap_or(0) as usize;
        let cards = self.studied + self.new_cards.min(most_new.saturating_mul(days));
        cards.saturating_mul(days).max(1)
    }

    /// Simulations averaged per scenario: enough to cover
    /// [`SAMPLE_CARD_DAYS`], at most [`MAX_SAMPLES`].
    pub fn samples(&self) -> usize {
        (SAMPLE_CARD_DAYS / self.card_days()).clamp(1, MAX_SAMPLES)
    }

    /// The step between swept retentions: fine unless the sweep would be
    /// long (see [`FINE_SWEEP_CARD_DAYS`]).
    pub fn retention_step(&self) -> f32 {
        let fine_runs = sweep_retentions(FINE_STEP, &[]).len() * self.new_per_day().len();
        let work = self
            .card_days()
            .saturating_mul(self.samples())
            .saturating_mul(fine_runs);
        if work <= FINE_SWEEP_CARD_DAYS {
            FINE_STEP
        } else {
            COARSE_STEP
        }
    }

    fn retentions(&self) -> Vec<f32> {
        sweep_retentions(
            self.retention_step(),
            &[
                self.current.desired_retention,
                self.request.what_if.desired_retention,
            ],
        )
    }

    fn new_per_day(&self) -> Vec<u32> {
        sweep_new_per_day(self.current.new_per_day, self.request.what_if.new_per_day)
    }

    /// Reads the answer times (from the history), then simulates every
    /// scenario of the sweep. `progress(done, total)` is called before each
    /// run and once at the end (from the worker threads); returning false
    /// cancels, within one run. Takes seconds to minutes on a large
    /// collection: run it off the UI thread.
    pub fn run(
        mut self,
        progress: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> Result<SimulationReport, SimulateError> {
        let retention_step = self.retention_step();
        let retentions = self.retentions();
        let new_per_day = self.new_per_day();
        let total = retentions.len() * new_per_day.len();
        if !progress(0, total) {
            return Err(SimulateError::Cancelled);
        }
        let behaviour = match &self.history {
            HistorySource::Nothing => Behaviour::defaults(0),
            HistorySource::Loaded(h) => {
                behaviour_from_history(h, self.items.as_ref(), self.day_end)
            }
            HistorySource::Loader(loader) => {
                let history = loader.as_ref().clone().load()?;
                behaviour_from_history(&history, self.items.as_ref(), self.day_end)
            }
        };
        let parameters = fsrs::check_and_fill_parameters(&self.parameters)
            .map_err(|e| SimulateError::Fsrs(e.to_string()))?;
        let shared = Arc::new(parameters.clone());
        let cards = std::mem::replace(&mut self.cards, Cards::Ready(Vec::new())).into_ready();
        let base = fsrs_cards(&cards, &shared);
        let this = &self;
        let scenarios: Vec<Scenario> = new_per_day
            .iter()
            .flat_map(|&n| {
                retentions.iter().map(move |&r| Scenario {
                    desired_retention: r,
                    new_per_day: n,
                })
            })
            .collect();
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let results: Mutex<Vec<Option<Result<Run, SimulateError>>>> =
            Mutex::new((0..total).map(|_| None).collect());
        let worker = || {
            loop {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&scenario) = scenarios.get(i) else {
                    return;
                };
                if !progress(done.load(Ordering::Relaxed), total) {
                    stop.store(true, Ordering::Relaxed);
                    return;
                }
                let run = this.simulate(&parameters, &base, &behaviour, scenario);
                if run.is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
                done.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut r) = results.lock() {
                    r[i] = Some(run);
                }
            }
        };
        std::thread::scope(|s| {
            for _ in 1..this.threads.min(total.max(1)) {
                s.spawn(worker);
            }
            worker();
        });
        let results = results
            .into_inner()
            .map_err(|_| SimulateError::Fsrs("a simulation worker failed".into()))?;
        let mut runs = Vec::with_capacity(total);
        for r in results {
            match r {
                Some(run) => runs.push(run?),
                // A run never started: the sweep was stopped.
                None => return Err(SimulateError::Cancelled),
            }
        }
        if !progress(total, total) {
            return Err(SimulateError::Cancelled);
        }
        Ok(SimulationReport {
            horizon: self.request.horizon,
            studied: base.len(),
            new_cards: self.new_cards,
            behaviour,
            current: self.current,
            what_if: self.request.what_if,
            retentions,
            retention_step,
            samples: self.samples(),
            new_per_day,
            runs,
        })
    }

    /// The simulator's configuration for `scenario`, with `studied` cards.
    fn config(&self, behaviour: &Behaviour, new_per_day: u32, studied: usize) -> SimulatorConfig {
        SimulatorConfig {
            deck_size: studied + self.new_cards,
            learn_span: self.request.horizon.days(),
            // No cap on time a day: the review limit is the only limit, as in the app.
            max_cost_perday: f32::MAX,
            max_ivl: self.max_interval.max(1) as f32,
            first_rating_prob: behaviour.first_rating_prob,
            review_rating_prob: behaviour.review_rating_prob,
            learn_limit: new_per_day as usize,
            review_limit: self.review_limit as usize,
            // The app counts new cards and reviews against separate limits.
            new_cards_ignore_review_limit: true,
            // Leeches are tagged, not suspended.
            suspend_after_lapses: None,
            post_scheduling_fn: None,
            review_priority_fn: None,
            learning_step_transitions: behaviour.learning_step_transitions,
            relearning_step_transitions: behaviour.relearning_step_transitions,
            state_rating_costs: behaviour.state_rating_costs,
            learning_step_count: self.learning_steps,
            relearning_step_count: self.relearning_steps,
        }
    }

    /// One scenario: the mean of [`Self::samples`] simulations of `base`
    /// (the studied cards) and the new ones.
    fn simulate(
        &self,
        parameters: &[f32],
        base: &[fsrs::Card],
        behaviour: &Behaviour,
        scenario: Scenario,
    ) -> Result<Run, SimulateError> {
        let days = self.request.horizon.days();
        if base.len() + self.new_cards == 0 {
            return Ok(Run {
                scenario,
                days: vec![DayLoad::default(); days],
            });
        }
        let config = self.config(behaviour, scenario.new_per_day, base.len());
        let samples = self.samples();
        let mut sum = vec![DayLoad::default(); days];
        for k in 0..samples {
            let result = fsrs::simulate(
                &config,
                parameters,
                scenario.desired_retention,
                Some(SEED + k as u64),
                Some(
                    base.iter()
                        .map(|c| fsrs::Card {
                            desired_retention: scenario.desired_retention,
                            ..c.clone()
                        })
                        .collect(),
                ),
            )
            .map_err(|e| SimulateError::Fsrs(e.to_string()))?;
            for (d, day) in sum.iter_mut().enumerate() {
                day.reviews += result.review_cnt_per_day.get(d).copied().unwrap_or(0) as f32;
                day.new += result.learn_cnt_per_day.get(d).copied().unwrap_or(0) as f32;
                day.minutes += result.cost_per_day.get(d).copied().unwrap_or(0.0) / 60.0;
                day.memorised += result.memorized_cnt_per_day.get(d).copied().unwrap_or(0.0);
            }
        }
        let n = samples as f32;
        let days = sum
            .into_iter()
            .map(|d| DayLoad {
                reviews: d.reviews / n,
                new: d.new / n,
                minutes: d.minutes / n,
                memorised: d.memorised / n,
            })
            .collect();
        Ok(Run { scenario, days })
    }
}

/// The studied cards as the simulator takes them (their desired retention
/// is set per scenario).
fn fsrs_cards(cards: &[SimCard], parameters: &Arc<Vec<f32>>) -> Vec<fsrs::Card> {
    cards
        .iter()
        .enumerate()
        .map(|(i, c)| fsrs::Card {
            id: i as i64 + 1,
            difficulty: c.difficulty,
            stability: c.stability,
            last_date: c.last_day as f32,
            due: c.due_day as f32,
            interval: (c.due_day - c.last_day).max(0) as f32,
            lapses: c.lapses,
            desired_retention: 0.9,
            parameters: parameters.clone(),
        })
        .collect()
}

/// Runs `job` as [`SimulationJob::run`] does, counting finished runs in
/// `done` (of `total`) and stopping when `cancel` is set: the shape a
/// window's worker thread wants.
pub fn run_with_flags(
    job: SimulationJob,
    done: &AtomicUsize,
    total: &AtomicUsize,
    cancel: &AtomicBool,
) -> Result<SimulationReport, SimulateError> {
    job.run(&|d, t| {
        done.store(d, Ordering::Relaxed);
        total.store(t, Ordering::Relaxed);
        !cancel.load(Ordering::Relaxed)
    })
}
