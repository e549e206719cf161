//! Readiness for an interview date: how well the interview's cards will be
//! known on the day if the user keeps studying at their current pace (due
//! reviews done, new cards introduced at the settings' daily limit), or if
//! they stop now; how many of the cards they will have seen by then; and how
//! many reviews a day keeping up takes.
//!
//! Cards never studied count as not known: their predicted recall is 0 in
//! every figure, and they are counted, so a collection with 16 cards studied
//! out of 516 never looks ready.
//!
//! Also the final-stretch rule: desired retention raised to
//! [`FINAL_STRETCH_RETENTION`] until the interview, and put back after it.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};

use jiff::Timestamp;
use jiff::civil::Date;

use super::weak::{DrillFilter, NO_TOPIC};
use crate::collection::{Collection, CollectionError};
use crate::deck::ItemId;
use crate::schedule::{
    CardState, DayClock, Interview, Phase, Rating, ScheduleError, Scheduler, Schedulers, Settings,
};

/// Interviews are assumed to be at this local hour on the day.
pub const INTERVIEW_HOUR: i8 = 9;

/// Desired retention offered for the final stretch before an interview.
pub const FINAL_STRETCH_RETENTION: f32 = 0.95;

/// Why a forecast could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ForecastError {
    /// The interview date is before today.
    #[error("{date} has passed; give the date of an interview still to come")]
    Past {
        /// The date given.
        date: Date,
    },
    /// The scheduler could not compute a state.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

/// Why a typed interview date was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Nothing was typed.
    #[error("Type the interview date as YYYY-MM-DD, for example {example}.")]
    Empty {
        /// A date two weeks from today.
        example: Date,
    },
    /// The text is not a date.
    #[error("`{text}` is not a date. Type it as YYYY-MM-DD, for example {example}.")]
    NotADate {
        /// What was typed.
        text: String,
        /// A date two weeks from today.
        example: Date,
    },
    /// The date is before today.
    #[error("{date} has passed. Type a date from today ({today}) on.")]
    Past {
        /// The date typed.
        date: Date,
        /// Today's date.
        today: Date,
    },
}

/// Reads a typed interview date (`YYYY-MM-DD`, or with `/`), which must not
/// be before `today`.
pub fn parse_date(text: &str, today: Date) -> Result<Date, DateError> {
    let example = today
        .checked_add(jiff::Span::new().days(14))
        .unwrap_or(today);
    let text = text.trim();
    if text.is_empty() {
        return Err(DateError::Empty { example });
    }
    let date = text
        .replace('/', "-")
        .parse::<Date>()
        .map_err(|_| DateError::NotADate {
            text: text.to_string(),
            example,
        })?;
    if date < today {
        return Err(DateError::Past { date, today });
    }
    Ok(date)
}

/// One topic's readiness.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicForecast {
    /// The topic.
    pub topic: String,
    /// Study items of the topic (suspended ones excluded).
    pub cards: usize,
    /// Items answered at least once.
    pub studied: usize,
    /// Items never answered; they count as not known (recall 0).
    pub unstudied: usize,
    /// Items that will have been seen by the day at the current pace:
    /// the studied ones plus the new ones introduced before then.
    pub seen_by_then: usize,
    /// Mean recall on the day over all the topic's items if no more reviews
    /// are done (never-studied items count 0). `None` for an empty topic.
    pub recall_if_stop: Option<f32>,
    /// Mean recall on the day over all the topic's items if every review is
    /// done when due (answered Good) and new cards keep coming at the current
    /// pace; items not reached by then count 0.
    pub recall_if_keep: Option<f32>,
    /// Reviews before the day, keeping up (every answer but a new card's first).
    pub reviews: usize,
    /// New cards of the topic introduced before the day at the current pace.
    pub new_cards: usize,
}

/// Readiness on the interview day.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// The interview's date.
    pub date: Date,
    /// Today's date (study day), when the forecast was made.
    pub today: Date,
    /// When the interview is.
    pub at: Timestamp,
    /// Study days before the interview's, today included (0 when it is today).
    pub days: u32,
    /// Per topic, weakest (if keeping up) first.
    pub topics: Vec<TopicForecast>,
    /// All reviews before the day, keeping up.
    pub reviews: usize,
    /// New cards introduced before the day at the current pace.
    pub new_cards: usize,
    /// Reviews on each study day from today, keeping up.
    pub daily_reviews: Vec<u32>,
    /// New cards introduced on each study day from today.
    pub daily_new: Vec<u32>,
    /// The pace: new cards a day from the settings.
    pub new_per_day: u32,
    /// The settings' limit on reviews a day.
    pub review_limit: u32,
    /// The day (if any) by which every card will have been seen.
    pub all_seen_on: Option<Date>,
    /// The desired retention the forecast was made with.
    pub retention: f32,
}

impl Forecast {
    /// Study items the interview covers.
    pub fn cards(&self) -> usize {
        self.topics.iter().map(|t| t.cards).sum()
    }

    /// Items answered at least once.
    pub fn studied(&self) -> usize {
        self.topics.iter().map(|t| t.studied).sum()
    }

    /// Items never answered.
    pub fn unstudied(&self) -> usize {
        self.topics.iter().map(|t| t.unstudied).sum()
    }

    /// Items that will have been seen by the day at the current pace.
    pub fn seen_by_then(&self) -> usize {
        self.topics.iter().map(|t| t.seen_by_then).sum()
    }

    /// The share of the interview's items seen by the day.
    pub fn share_seen(&self) -> Option<f32> {
        let cards = self.cards();
        (cards > 0).then(|| self.seen_by_then() as f32 / cards as f32)
    }

    /// Mean recall on the day over all items, keeping up (unseen count 0).
    pub fn overall_if_keep(&self) -> Option<f32> {
        weighted(self.topics.iter().map(|t| (t.recall_if_keep, t.cards)))
    }

    /// Mean recall on the day over all items, stopping now (unstudied count 0).
    pub fn overall_if_stop(&self) -> Option<f32> {
        weighted(self.topics.iter().map(|t| (t.recall_if_stop, t.cards)))
    }

    /// Reviews a day keeping up takes, on average over the days left.
    pub fn reviews_per_day(&self) -> f32 {
        self.reviews as f32 / self.days.max(1) as f32
    }

    /// New cards a day, on average over the days left.
    pub fn new_cards_per_day(&self) -> f32 {
        self.new_cards as f32 / self.days.max(1) as f32
    }

    /// The most reviews on any one day.
    pub fn busiest_day(&self) -> u32 {
        self.daily_reviews.iter().copied().max().unwrap_or(0)
    }

    /// The interview's date in words: "14 Dec", with the year when it is not this year's.
    pub fn date_words(&self) -> String {
        short_date(self.date, self.today)
    }

    /// What share of the cards will have been seen by the day, in words:
    /// "At 20 new cards a day you will have seen 412 of 516 cards (80%) by
    /// 14 Dec." `None` when every card has been studied (or there are none).
    pub fn seen_summary(&self) -> Option<String> {
        let (cards, unstudied, seen) = (self.cards(), self.unstudied(), self.seen_by_then());
        let by = self.date_words();
        if cards == 0 || unstudied == 0 {
            return None;
        }
        if self.days == 0 {
            return Some(format!(
                "The interview is today: you have seen {} of {} ({}).",
                self.studied(),
                count(cards, "card"),
                percent(self.studied(), cards)
            ));
        }
        if self.new_per_day == 0 {
            return Some(format!(
                "New cards are off (0 a day in Settings): you will have seen {} of {} ({}) by {by}.",
                seen,
                count(cards, "card"),
                percent(seen, cards)
            ));
        }
        let pace = format!("At {} a day", count(self.new_per_day as usize, "new card"));
        Some(match self.all_seen_on {
            Some(day) if seen == cards => {
                let early = self
                    .date
                    .since((jiff::Unit::Day, day))
                    .map(|s| s.get_days())
                    .unwrap_or(0);
                format!(
                    "{pace} you will have seen all {} by {}, {} before the interview.",
                    count(cards, "card"),
                    short_date(day, self.today),
                    count(early.max(0) as usize, "day")
                )
            }
            _ => format!(
                "{pace} you will have seen {} of {} ({}) by {by}.",
                seen,
                count(cards, "card"),
                percent(seen, cards)
            ),
        })
    }

    /// How much keeping up takes, in words: "Keeping up takes about 35
    /// reviews a day (48 on the busiest day), plus the new cards, until 14 Dec."
    pub fn load_summary(&self) -> String {
        if self.days == 0 {
            return "The interview is today: no study days are left to plan.".into();
        }
        let by = self.date_words();
        let reviews = per_day(self.reviews_per_day(), "review");
        let busiest = self.busiest_day();
        let peak = if self.days > 1 && busiest as f32 > self.reviews_per_day().round() {
            format!(" ({busiest} on the busiest day)")
        } else {
            String::new()
        };
        let new = if self.new_cards > 0 {
            ", plus the new cards,"
        } else {
            ""
        };
        let mut text = format!("Keeping up takes about {reviews}{peak}{new} until {by}.");
        if busiest > self.review_limit {
            text.push_str(&format!(
                " That is more than your limit of {} reviews a day; the rest would wait.",
                self.review_limit
            ));
        }
        text
    }

    /// How many cards were never studied, in words.
    pub fn unstudied_summary(&self) -> String {
        let (cards, unstudied) = (self.cards(), self.unstudied());
        match unstudied {
            _ if cards == 0 => "The interview covers no cards.".into(),
            0 => format!("All {} have been studied.", count(cards, "card")),
            n if n == cards => format!(
                "None of the {} has been studied yet; they count as not known.",
                count(cards, "card")
            ),
            n => format!(
                "{n} of {} have never been studied; they count as not known.",
                count(cards, "card")
            ),
        }
    }
}

/// "1 card", "3 cards".
fn count(n: usize, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// "80%", rounded, but never 100% short of all nor 0% above none.
fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "0%".into();
    }
    let rounded = (part * 100 + whole / 2) / whole;
    let p = match rounded {
        100 if part < whole => 99,
        0 if part > 0 => 1,
        p => p,
    };
    format!("{p}%")
}

/// "0.5 reviews a day", "1 review a day", "12 reviews a day".
pub fn per_day(x: f32, unit: &str) -> String {
    if x > 0.0 && x < 0.95 {
        format!("{x:.1} {unit}s a day")
    } else {
        let n = x.round() as usize;
        format!("{} a day", count(n, unit))
    }
}

/// "14 Dec", or "14 Dec 2027" when not in `today`'s year.
pub fn short_date(date: Date, today: Date) -> String {
    if date.year() == today.year() {
        date.strftime("%-d %b").to_string()
    } else {
        date.strftime("%-d %b %Y").to_string()
    }
}

fn weighted(values: impl Iterator<Item = (Option<f32>, usize)>) -> Option<f32> {
    let (sum, n) = values.fold((0.0f64, 0usize), |(s, n), (v, k)| match v {
        Some(v) => (s + f64::from(v) * k as f64, n + k),
        None => (s, n),
    });
    (n > 0).then(|| (sum / n as f64) as f32)
}

/// The instant of an interview on `date`, in the collection's time zone.
pub fn interview_time(collection: &Collection, date: Date) -> Timestamp {
    let tz = collection.clock().time_zone();
    tz.to_ambiguous_zoned(date.at(INTERVIEW_HOUR, 0, 0, 0))
        .compatible()
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MAX)
}

/// The topics of the collection's study items (suspended ones excluded),
/// by name, with how many items each has.
pub fn topics(collection: &Collection) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for item in collection.items() {
        if collection.state(&item.id).suspended {
            continue;
        }
        if let Some(card) = collection.card_of(&item.id) {
            *out.entry(topic_name(&card.topic)).or_insert(0) += 1;
        }
    }
    out
}

fn topic_name(topic: &str) -> String {
    if topic.is_empty() {
        NO_TOPIC.to_string()
    } else {
        topic.to_string()
    }
}

#[derive(Default)]
struct Acc {
    cards: usize,
    studied: usize,
    unstudied: usize,
    seen: usize,
    stop: f64,
    keep: f64,
    reviews: usize,
    new_cards: usize,
}

/// Forecasts readiness on `date` for the cards `filter` selects (all when
/// `None`). With `retention`, reviews from now on are scheduled for that
/// desired retention (in every preset) instead of each deck's preset's.
///
/// Keeping up means: every review done when due and answered Good (with its
/// deck's preset), and new cards introduced each day as studying all decks
/// does (in deck order, at most each deck's preset's new cards a day, and the
/// Default preset's for all decks together, less what was already
/// introduced today), each answered Good through its learning steps.
/// Reviews and new cards stop when the interview's study day begins.
pub fn forecast(
    collection: &Collection,
    filter: Option<&DrillFilter>,
    date: Date,
    now: Timestamp,
    retention: Option<f32>,
) -> Result<Forecast, ForecastError> {
    forecast_at_pace(collection, filter, date, now, retention, None)
}

/// [`forecast`], with `new_per_day` new cards a day (for every deck and for
/// all decks together) instead of the presets'.
pub fn forecast_at_pace(
    collection: &Collection,
    filter: Option<&DrillFilter>,
    date: Date,
    now: Timestamp,
    retention: Option<f32>,
    new_per_day: Option<u32>,
) -> Result<Forecast, ForecastError> {
    let schedulers = schedulers_at_pace(collection, retention, new_per_day)?;
    let scheduler = schedulers.default_scheduler();
    let horizon = Horizon::of(scheduler.clock(), collection, date, now)?;
    let new_per_day = scheduler.settings().new_per_day;
    let per_deck: Vec<usize> = (0..collection.decks().len())
        .map(|d| {
            schedulers
                .get(collection.deck_preset_index(d))
                .settings()
                .new_per_day as usize
        })
        .collect();
    let mut tally = Tally {
        introduced_on: new_card_days(
            collection,
            now,
            horizon.days,
            &per_deck,
            new_per_day as usize,
        ),
        daily_reviews: vec![0u32; horizon.days],
        daily_new: vec![0u32; horizon.days],
        last_new_day: None,
        all_reached: true,
        per_topic: BTreeMap::new(),
        horizon,
    };
    for item in collection.items() {
        let state = collection.state(&item.id);
        if state.suspended || filter.is_some_and(|f| !f.matches(collection, &item.id)) {
            continue;
        }
        let Some(card) = collection.card_of(&item.id) else {
            continue;
        };
        let scheduler = schedulers.get(collection.deck_preset_index(item.deck));
        tally.item(scheduler, &item.id, state, &card.topic)?;
    }
    let clock = horizon.clock;
    let topics = topic_forecasts(tally.per_topic);
    let all_seen_on = if tally.all_reached {
        Some(clock.date_of_day(horizon.today + tally.last_new_day.unwrap_or(0) as i32))
    } else {
        None
    };
    Ok(Forecast {
        date,
        today: clock.date_of_day(horizon.today),
        at: horizon.at,
        days: horizon.days as u32,
        reviews: topics.iter().map(|t| t.reviews).sum(),
        new_cards: topics.iter().map(|t| t.new_cards).sum(),
        topics,
        daily_reviews: tally.daily_reviews,
        daily_new: tally.daily_new,
        new_per_day,
        review_limit: scheduler.settings().reviews_per_day,
        all_seen_on,
        retention: scheduler.settings().desired_retention,
    })
}

/// The collection's schedulers with `retention` and `new_per_day` (when
/// given) in every preset instead of each preset's own.
fn schedulers_at_pace(
    collection: &Collection,
    retention: Option<f32>,
    new_per_day: Option<u32>,
) -> Result<Schedulers, ScheduleError> {
    let mut settings = collection.settings().clone();
    for mut preset in settings.all_presets() {
        preset.desired_retention = retention.unwrap_or(preset.desired_retention);
        preset.new_per_day = new_per_day.unwrap_or(preset.new_per_day);
        settings.set_preset(preset);
    }
    // The same presets in the same order: a deck's index carries over.
    Schedulers::new(settings, collection.clock().clone())
}

/// The stretch a forecast covers: from now until the interview.
#[derive(Clone, Copy)]
struct Horizon<'a> {
    clock: &'a DayClock,
    now: Timestamp,
    /// Today's study day.
    today: i32,
    /// How many study days are left before the interview's.
    days: usize,
    /// The interview's time, when recall is predicted.
    at: Timestamp,
    /// When the interview's study day begins: reviews and new cards stop.
    until: Timestamp,
}

impl<'a> Horizon<'a> {
    /// From `now` until the interview on `date`, which must not have passed.
    fn of(
        clock: &'a DayClock,
        collection: &Collection,
        date: Date,
        now: Timestamp,
    ) -> Result<Horizon<'a>, ForecastError> {
        let today = clock.day_of(now);
        let at = interview_time(collection, date);
        let interview_day = clock.day_of(at);
        if interview_day < today {
            return Err(ForecastError::Past { date });
        }
        Ok(Horizon {
            clock,
            now,
            today,
            days: (interview_day - today) as usize,
            at,
            until: clock.start_of_day(interview_day),
        })
    }

    /// Which study day an answer at `t` falls on (only asked for
    /// `t < until`).
    fn day_index(&self, t: Timestamp) -> usize {
        ((self.clock.day_of(t) - self.today).max(0) as usize).min(self.days.saturating_sub(1))
    }

    /// When a new item introduced on study day `day` is first answered: now
    /// for today, else as that day begins.
    fn first_answer(&self, day: usize) -> Timestamp {
        if day == 0 {
            self.now
        } else {
            self.clock.start_of_day(self.today + day as i32)
        }
    }
}

/// What a forecast adds up while it goes through the items.
struct Tally<'a> {
    horizon: Horizon<'a>,
    /// The study day each new item is introduced on, if before the interview.
    introduced_on: HashMap<ItemId, usize>,
    daily_reviews: Vec<u32>,
    daily_new: Vec<u32>,
    /// The last day a new item is introduced on.
    last_new_day: Option<usize>,
    /// Every new item is introduced before the interview.
    all_reached: bool,
    per_topic: BTreeMap<String, Acc>,
}

impl Tally<'_> {
    /// Counts one item of `topic`: its recall at the interview if study
    /// stops now and if it keeps up, and the reviews keeping up takes.
    fn item(
        &mut self,
        scheduler: &Scheduler,
        id: &ItemId,
        state: &CardState,
        topic: &str,
    ) -> Result<(), ScheduleError> {
        let horizon = self.horizon;
        let acc = self.per_topic.entry(topic_name(topic)).or_default();
        acc.cards += 1;
        let (from, start) = if state.phase == Phase::New {
            acc.unstudied += 1;
            let Some(&day) = self.introduced_on.get(id) else {
                // Not reached by the day: not known, and not counted as seen.
                self.all_reached = false;
                return Ok(());
            };
            acc.seen += 1;
            acc.new_cards += 1;
            self.daily_new[day] += 1;
            self.last_new_day = Some(self.last_new_day.map_or(day, |d| d.max(day)));
            let first = horizon.first_answer(day);
            let learnt = scheduler.answer(id, state, Rating::Good, first)?.state;
            (Cow::Owned(learnt), first)
        } else {
            acc.studied += 1;
            acc.seen += 1;
            acc.stop += f64::from(scheduler.retrievability(state, horizon.at).unwrap_or(0.0));
            (Cow::Borrowed(state), horizon.now)
        };
        let daily_reviews = &mut self.daily_reviews;
        let kept = keep_up(scheduler, id, &from, start, horizon.until, |t| {
            daily_reviews[horizon.day_index(t)] += 1;
            acc.reviews += 1;
        })?;
        acc.keep += f64::from(scheduler.retrievability(&kept, horizon.at).unwrap_or(0.0));
        Ok(())
    }
}

/// Each topic's forecast, the least ready (if study keeps up) first, then
/// by name.
fn topic_forecasts(per_topic: BTreeMap<String, Acc>) -> Vec<TopicForecast> {
    let mut topics: Vec<TopicForecast> = per_topic
        .into_iter()
        .map(|(topic, a)| {
            let mean = |x: f64| (a.cards > 0).then(|| (x / a.cards as f64) as f32);
            TopicForecast {
                topic,
                cards: a.cards,
                studied: a.studied,
                unstudied: a.unstudied,
                seen_by_then: a.seen,
                recall_if_stop: mean(a.stop),
                recall_if_keep: mean(a.keep),
                reviews: a.reviews,
                new_cards: a.new_cards,
            }
        })
        .collect();
    topics.sort_by(|a, b| {
        a.recall_if_keep
            .unwrap_or(1.0)
            .total_cmp(&b.recall_if_keep.unwrap_or(1.0))
            .then_with(|| a.topic.cmp(&b.topic))
    });
    topics
}

/// The study day (0 is today) on which each new item is introduced before
/// the interview, studying all decks every day: items in deck order, at most
/// `per_deck[deck]` a day per deck and `per_day` in all, today less what was
/// already introduced.
fn new_card_days(
    collection: &Collection,
    now: Timestamp,
    days: usize,
    per_deck: &[usize],
    per_day: usize,
) -> HashMap<ItemId, usize> {
    let mut queue: VecDeque<(usize, &ItemId)> = collection
        .items()
        .iter()
        .filter(|i| {
            let s = collection.state(&i.id);
            !s.suspended && s.phase == Phase::New
        })
        .map(|i| (i.deck, &i.id))
        .collect();
    let mut out = HashMap::new();
    for day in 0..days {
        if queue.is_empty() || per_day == 0 {
            break;
        }
        let (mut deck_left, mut global_left) = if day == 0 {
            let done = collection.done_today(now);
            let left: Vec<usize> = done
                .iter()
                .zip(per_deck)
                .map(|((n, _), limit)| limit.saturating_sub(*n))
                .collect();
            (left, collection.global_left(now).0)
        } else {
            (per_deck.to_vec(), per_day)
        };
        // Cards of a deck at its limit wait for the next day, in their order.
        let mut waiting = Vec::new();
        while global_left > 0 {
            let Some((deck, id)) = queue.pop_front() else {
                break;
            };
            match deck_left.get_mut(deck) {
                Some(left) if *left > 0 => {
                    *left -= 1;
                    global_left -= 1;
                    out.insert(id.clone(), day);
                }
                _ => waiting.push((deck, id)),
            }
        }
        for w in waiting.into_iter().rev() {
            queue.push_front(w);
        }
    }
    out
}

/// Answers `state` Good each time it falls due before `until` (an overdue
/// card is answered at `from`, not in the past), calling `on_review` with the
/// time of each answer; returns the state on the day.
fn keep_up(
    scheduler: &Scheduler,
    id: &ItemId,
    state: &CardState,
    from: Timestamp,
    until: Timestamp,
    mut on_review: impl FnMut(Timestamp),
) -> Result<CardState, ScheduleError> {
    let mut state = state.clone();
    // Bounded: even 1-day intervals reach any date within a few hundred steps.
    for _ in 0..1000 {
        let Some(due) = state.due.filter(|d| *d < until) else {
            break;
        };
        let when = due.max(from);
        if when >= until {
            break;
        }
        state = scheduler.answer(id, &state, Rating::Good, when)?.state;
        on_review(when);
    }
    Ok(state)
}

// ----- the final stretch: desired retention raised until the interview -----

/// A raise of desired retention for an interview.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetentionRaise {
    /// Desired retention before the raise; it comes back after the interview.
    pub from: f32,
    /// Desired retention until the interview.
    pub to: f32,
    /// The interview's date; the old value returns the day after.
    pub until: Date,
}

impl RetentionRaise {
    /// "Desired retention is 0.95 until your interview on 14 Dec; it returns
    /// to 0.90 after."
    pub fn note(&self, today: Date) -> String {
        format!(
            "Desired retention is {:.2} until your interview on {}; it returns to {:.2} after.",
            self.to,
            short_date(self.until, today),
            self.from
        )
    }
}

/// Whether raising desired retention to [`FINAL_STRETCH_RETENTION`] would
/// change anything: some preset's retention is lower.
pub fn can_raise(settings: &Settings) -> bool {
    settings
        .all_presets()
        .iter()
        .any(|p| p.desired_retention + 1e-4 < FINAL_STRETCH_RETENTION)
}

/// The raise in force, if any: what the Default preset's retention is now,
/// what it returns to and when.
pub fn raised_retention(settings: &Settings) -> Option<RetentionRaise> {
    let interview = settings.interview.as_ref()?;
    let from = interview.restore_retention?;
    Some(RetentionRaise {
        from,
        to: settings.desired_retention,
        until: interview.date,
    })
}

/// The desired retention worth forecasting the final stretch at: `None` when
/// retention is already that high, so a raise would change nothing.
pub fn stretch_target(settings: &Settings) -> Option<f32> {
    can_raise(settings).then_some(FINAL_STRETCH_RETENTION)
}

/// What the final stretch before an interview has to offer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FinalStretch {
    /// A raise is in force; it can be put back early.
    InForce(RetentionRaise),
    /// A raise is worth offering.
    Offer(StretchOffer),
    /// Nothing to offer: retention is already high enough, or the interview
    /// is today (too late for a raise to schedule anything).
    Nothing,
}

/// A raise of desired retention on offer, and what it would change.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StretchOffer {
    /// Desired retention now; it comes back the day after the interview.
    pub from: f32,
    /// Desired retention until the interview.
    pub to: f32,
    /// The interview's date.
    pub until: Date,
    /// True when recall on the day, in whole percent, is the same either way.
    pub barely_changes: bool,
}

/// The final-stretch rule: a raise in force is shown as such; otherwise a
/// raise to the forecast `raised` (made at [`stretch_target`], `None` when
/// there is none) is offered unless the interview is today.
pub fn final_stretch(
    settings: &Settings,
    current: &Forecast,
    raised: Option<&Forecast>,
) -> FinalStretch {
    if let Some(raise) = raised_retention(settings) {
        return FinalStretch::InForce(raise);
    }
    let Some(raised) = raised else {
        return FinalStretch::Nothing;
    };
    if current.days == 0 {
        return FinalStretch::Nothing;
    }
    // Compared as shown, in whole percent: a difference nobody can see is none.
    let percent = |v: Option<f32>| v.map(|v| format!("{:.0}", v * 100.0));
    FinalStretch::Offer(StretchOffer {
        from: current.retention,
        to: raised.retention,
        until: current.date,
        barely_changes: percent(current.overall_if_keep()) == percent(raised.overall_if_keep()),
    })
}

/// `settings` with the interview remembered (its date and topics; empty means
/// all); desired retention unchanged, and a raise already made kept.
pub fn with_interview(settings: &Settings, date: Date, topics: Vec<String>) -> Settings {
    let (restore, restore_presets) = settings
        .interview
        .as_ref()
        .map(|i| (i.restore_retention, i.restore_preset_retention.clone()))
        .unwrap_or_default();
    Settings {
        interview: Some(Interview {
            date,
            topics,
            restore_retention: restore,
            restore_preset_retention: restore_presets,
        }),
        ..settings.clone()
    }
}

/// `settings` with the interview remembered and desired retention raised to
/// [`FINAL_STRETCH_RETENTION`] until then in every preset below it (each
/// one's current value comes back the day after); `None` when every preset's
/// retention is already that high. The raise reported is the Default
/// preset's.
pub fn with_raised_retention(
    settings: &Settings,
    date: Date,
    topics: Vec<String>,
) -> Option<(Settings, RetentionRaise)> {
    if !can_raise(settings) {
        return None;
    }
    let mut out = with_interview(settings, date, topics);
    let mut restore_default = out.interview.as_ref().and_then(|i| i.restore_retention);
    let mut restore_presets = out
        .interview
        .as_ref()
        .map(|i| i.restore_preset_retention.clone())
        .unwrap_or_default();
    for mut preset in settings.all_presets() {
        let before = preset.desired_retention;
        // A raise already made keeps what it will go back to.
        if preset.name == crate::schedule::DEFAULT_PRESET {
            restore_default.get_or_insert(before);
        } else if before + 1e-4 < FINAL_STRETCH_RETENTION {
            restore_presets.entry(preset.name.clone()).or_insert(before);
        }
        preset.desired_retention = before.max(FINAL_STRETCH_RETENTION);
        out.set_preset(preset);
    }
    let from = restore_default.unwrap_or(settings.desired_retention);
    if let Some(i) = out.interview.as_mut() {
        i.restore_retention = Some(from);
        i.restore_preset_retention = restore_presets;
    }
    let raise = RetentionRaise {
        from,
        to: out.desired_retention,
        until: date,
    };
    Some((out, raise))
}

/// `settings` with a raise undone now in every preset it raised (the
/// interview stays); `None` when no raise is in force.
pub fn with_retention_restored(settings: &Settings) -> Option<Settings> {
    let raise = raised_retention(settings)?;
    let mut out = settings.clone();
    out.desired_retention = raise.from;
    if let Some(i) = out.interview.as_mut() {
        for (name, value) in std::mem::take(&mut i.restore_preset_retention) {
            // A preset deleted since has nothing to go back to.
            if let Some(p) = out.presets.iter_mut().find(|p| p.name == name) {
                p.desired_retention = value;
            }
        }
        i.restore_retention = None;
    }
    Some(out)
}

/// Remembers the interview in the collection's settings.
pub fn save_interview(
    collection: &mut Collection,
    date: Date,
    topics: Vec<String>,
) -> Result<(), CollectionError> {
    let settings = with_interview(collection.settings(), date, topics);
    if &settings == collection.settings() {
        return Ok(());
    }
    collection.save_settings(settings)
}

/// Raises desired retention until the interview and saves it; returns what
/// changed, or `None` when retention was already that high.
pub fn raise_retention(
    collection: &mut Collection,
    date: Date,
    topics: Vec<String>,
) -> Result<Option<RetentionRaise>, CollectionError> {
    match with_raised_retention(collection.settings(), date, topics) {
        Some((settings, raise)) => {
            collection.save_settings(settings)?;
            Ok(Some(raise))
        }
        None => Ok(None),
    }
}

/// Puts desired retention back now; returns the value restored, or `None`
/// when no raise was in force.
pub fn restore_retention(collection: &mut Collection) -> Result<Option<f32>, CollectionError> {
    match with_retention_restored(collection.settings()) {
        Some(settings) => {
            let value = settings.desired_retention;
            collection.save_settings(settings)?;
            Ok(Some(value))
        }
        None => Ok(None),
    }
}

/// A pace that sees every card of the interview before its date.
#[derive(Clone, Debug)]
pub struct StudyPlan {
    /// New cards a day the plan needs.
    pub new_per_day: u32,
    /// Days before the interview by which every card has been seen.
    pub margin_days: u32,
    /// The forecast at that pace: daily load and recall on the day.
    pub forecast: Forecast,
    /// Whether the load stays sane: the busiest day within the daily review
    /// limit, and at most [`MAX_PLAN_NEW_PER_DAY`] new cards a day.
    pub feasible: bool,
    /// When it is not: the topics to study first, weakest and largest
    /// never-seen share first.
    pub prioritise: Vec<String>,
}

/// More new cards a day than this is no plan anyone keeps.
pub const MAX_PLAN_NEW_PER_DAY: u32 = 80;

impl StudyPlan {
    /// The busiest day's reviews and new cards together.
    pub fn peak_load(&self) -> u32 {
        self.forecast
            .daily_reviews
            .iter()
            .zip(&self.forecast.daily_new)
            .map(|(r, n)| r + n)
            .max()
            .unwrap_or(0)
    }
}

/// The new cards a day that introduce every never-seen card of the
/// interview (`filter`) a few days before it (a fifth of the time left, one
/// to five days), and the daily load that pace brings.
pub fn study_plan(
    collection: &Collection,
    filter: Option<&DrillFilter>,
    date: Date,
    now: Timestamp,
) -> Result<StudyPlan, ForecastError> {
    let current = forecast(collection, filter, date, now, None)?;
    let margin_days = (current.days / 5)
        .clamp(1, 5)
        .min(current.days.saturating_sub(1));
    let study_days = current.days.saturating_sub(margin_days).max(1);
    let unseen = current.unstudied() as u32;
    let new_per_day = unseen.div_ceil(study_days).max(1);
    let forecast = forecast_at_pace(collection, filter, date, now, None, Some(new_per_day))?;
    let review_limit = collection.settings().reviews_per_day;
    let feasible = new_per_day <= MAX_PLAN_NEW_PER_DAY
        && forecast.busiest_day() <= review_limit
        && forecast.seen_by_then() >= forecast.cards();
    let mut prioritise: Vec<&TopicForecast> =
        current.topics.iter().filter(|t| t.unstudied > 0).collect();
    prioritise.sort_by(|a, b| {
        let weak = |t: &TopicForecast| t.recall_if_keep.unwrap_or(0.0);
        let unseen = |t: &TopicForecast| t.unstudied as f32 / t.cards.max(1) as f32;
        weak(a)
            .total_cmp(&weak(b))
            .then(unseen(b).total_cmp(&unseen(a)))
            .then(b.cards.cmp(&a.cards))
    });
    Ok(StudyPlan {
        new_per_day,
        margin_days,
        feasible,
        prioritise: if feasible {
            Vec::new()
        } else {
            prioritise
                .into_iter()
                .take(5)
                .map(|t| t.topic.clone())
                .collect()
        },
        forecast,
    })
}

/// Whether every preset already introduces the plan's new cards a day.
pub fn plan_in_force(settings: &Settings, plan: &StudyPlan) -> bool {
    settings
        .all_presets()
        .iter()
        .all(|p| p.new_per_day == plan.new_per_day)
}

/// Puts the plan's new cards a day into the settings: into every preset, as
/// the plan's forecast assumed.
pub fn apply_plan(collection: &mut Collection, plan: &StudyPlan) -> Result<(), CollectionError> {
    let mut settings = collection.settings().clone();
    for mut preset in settings.all_presets() {
        preset.new_per_day = plan.new_per_day;
        settings.set_preset(preset);
    }
    collection.save_settings(settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// A forecast of one topic `days` study days before the interview, at
    /// `retention`, with `recall` on the day keeping up.
    fn made(days: u32, retention: f32, recall: f32) -> Forecast {
        Forecast {
            date: date(2026, 12, 14),
            today: date(2026, 12, 14) - jiff::Span::new().days(i64::from(days)),
            at: Timestamp::UNIX_EPOCH,
            days,
            topics: vec![TopicForecast {
                topic: "Alpha".into(),
                cards: 10,
                studied: 10,
                unstudied: 0,
                seen_by_then: 10,
                recall_if_stop: Some(recall - 0.1),
                recall_if_keep: Some(recall),
                reviews: 20,
                new_cards: 0,
            }],
            reviews: 20,
            new_cards: 0,
            daily_reviews: vec![1; days as usize],
            daily_new: vec![0; days as usize],
            new_per_day: 20,
            review_limit: 200,
            all_seen_on: None,
            retention,
        }
    }

    #[test]
    fn final_stretch_offers_a_raise_only_when_it_can_change_something() {
        let base = Settings::default();
        assert_eq!(stretch_target(&base), Some(FINAL_STRETCH_RETENTION));
        let current = made(10, 0.9, 0.88);
        let high = made(10, FINAL_STRETCH_RETENTION, 0.93);
        assert_eq!(
            final_stretch(&base, &current, Some(&high)),
            FinalStretch::Offer(StretchOffer {
                from: 0.9,
                to: FINAL_STRETCH_RETENTION,
                until: date(2026, 12, 14),
                barely_changes: false,
            })
        );
        // Recall the same in whole percent: still offered, said to barely matter.
        let same = made(10, FINAL_STRETCH_RETENTION, 0.8801);
        assert!(matches!(
            final_stretch(&base, &current, Some(&same)),
            FinalStretch::Offer(StretchOffer {
                barely_changes: true,
                ..
            })
        ));
        // The interview is today: too late.
        let today = made(0, 0.9, 0.88);
        assert_eq!(
            final_stretch(&base, &today, Some(&made(0, 0.95, 0.9))),
            FinalStretch::Nothing
        );
        // Already that high: no target, no forecast at it, nothing offered.
        let high_settings = Settings {
            desired_retention: 0.96,
            ..Settings::default()
        };
        assert_eq!(stretch_target(&high_settings), None);
        assert_eq!(
            final_stretch(&high_settings, &current, None),
            FinalStretch::Nothing
        );
        // A raise in force is shown, whatever the forecasts.
        let (raised, raise) = with_raised_retention(&base, date(2026, 12, 14), Vec::new()).unwrap();
        assert_eq!(
            final_stretch(&raised, &high, None),
            FinalStretch::InForce(raise)
        );
    }
}
