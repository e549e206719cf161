//! Readiness for an interview date: predicted recall per topic on the day if
//! the user keeps doing their due reviews, or if they stop now, and how many
//! reviews per day keeping up takes.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;

use super::weak::{DrillFilter, NO_TOPIC};
use crate::collection::Collection;
use crate::schedule::{CardState, Phase, Rating, ScheduleError, Scheduler, Settings};

/// Interviews are assumed to be at this local hour on the day.
pub const INTERVIEW_HOUR: i8 = 9;

/// One topic's readiness.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicForecast {
    /// The topic.
    pub topic: String,
    /// Items answered at least once.
    pub studied: usize,
    /// Items never answered (not in the recall figures).
    pub unstudied: usize,
    /// Mean recall on the day if no more reviews are done.
    pub recall_if_stop: Option<f32>,
    /// Mean recall on the day if every review is done when due (answered Good).
    pub recall_if_keep: Option<f32>,
    /// Reviews due before the day.
    pub reviews: usize,
}

/// Readiness on the interview day.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// When the interview is.
    pub at: Timestamp,
    /// Whole days from now until then (at least 1).
    pub days: u32,
    /// Per topic, weakest (if keeping up) first.
    pub topics: Vec<TopicForecast>,
    /// All reviews due before the day.
    pub reviews: usize,
    /// Reviews per day that takes.
    pub reviews_per_day: f32,
    /// The desired retention the forecast was made with.
    pub retention: f32,
}

impl Forecast {
    /// Mean recall on the day over all studied items, keeping up.
    pub fn overall_if_keep(&self) -> Option<f32> {
        weighted(self.topics.iter().map(|t| (t.recall_if_keep, t.studied)))
    }

    /// Mean recall on the day over all studied items, stopping now.
    pub fn overall_if_stop(&self) -> Option<f32> {
        weighted(self.topics.iter().map(|t| (t.recall_if_stop, t.studied)))
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
    let tz = collection.scheduler().clock().time_zone();
    tz.to_ambiguous_zoned(date.at(INTERVIEW_HOUR, 0, 0, 0))
        .compatible()
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MAX)
}

/// Forecasts readiness on `date` for the cards `filter` selects (all when
/// `None`). With `retention`, reviews from now on are scheduled for that
/// desired retention instead of the current one.
pub fn forecast(
    collection: &Collection,
    filter: Option<&DrillFilter>,
    date: Date,
    now: Timestamp,
    retention: Option<f32>,
) -> Result<Forecast, ScheduleError> {
    let base = collection.scheduler();
    let settings = Settings {
        desired_retention: retention.unwrap_or(base.settings().desired_retention),
        ..base.settings().clone()
    };
    let scheduler = Scheduler::new(settings, base.clock().clone())?;
    let at = interview_time(collection, date);
    let mut per_topic: BTreeMap<String, Acc> = BTreeMap::new();
    for item in collection.items() {
        let state = collection.state(&item.id);
        if state.suspended || filter.is_some_and(|f| !f.matches(collection, &item.id)) {
            continue;
        }
        let topic = collection
            .card_of(&item.id)
            .map(|c| {
                if c.topic.is_empty() {
                    NO_TOPIC.to_string()
                } else {
                    c.topic.clone()
                }
            })
            .unwrap_or_default();
        let acc = per_topic.entry(topic).or_default();
        if state.phase == Phase::New {
            acc.unstudied += 1;
            continue;
        }
        acc.studied += 1;
        if let Some(r) = scheduler.retrievability(state, at) {
            acc.stop += f64::from(r);
        }
        let (kept, reviews) = keep_up(&scheduler, &item.id, state, at)?;
        acc.reviews += reviews;
        if let Some(r) = scheduler.retrievability(&kept, at) {
            acc.keep += f64::from(r);
        }
    }
    let mut topics: Vec<TopicForecast> = per_topic
        .into_iter()
        .map(|(topic, a)| {
            let mean = |x: f64| (a.studied > 0).then(|| (x / a.studied as f64) as f32);
            TopicForecast {
                topic,
                studied: a.studied,
                unstudied: a.unstudied,
                recall_if_stop: mean(a.stop),
                recall_if_keep: mean(a.keep),
                reviews: a.reviews,
            }
        })
        .collect();
    topics.sort_by(|a, b| {
        (a.recall_if_keep.is_none(), a.recall_if_keep.unwrap_or(1.0))
            .partial_cmp(&(b.recall_if_keep.is_none(), b.recall_if_keep.unwrap_or(1.0)))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.topic.cmp(&b.topic))
    });
    let seconds = (at.as_second() - now.as_second()).max(0);
    let days = (seconds as f64 / 86_400.0).ceil().max(1.0) as u32;
    let reviews = topics.iter().map(|t| t.reviews).sum();
    Ok(Forecast {
        at,
        days,
        topics,
        reviews,
        reviews_per_day: reviews as f32 / days as f32,
        retention: scheduler.settings().desired_retention,
    })
}

#[derive(Default)]
struct Acc {
    studied: usize,
    unstudied: usize,
    stop: f64,
    keep: f64,
    reviews: usize,
}

/// Answers `state` Good each time it falls due before `until`; returns the
/// state on the day and the number of reviews that took.
fn keep_up(
    scheduler: &Scheduler,
    id: &crate::deck::ItemId,
    state: &CardState,
    until: Timestamp,
) -> Result<(CardState, usize), ScheduleError> {
    let mut state = state.clone();
    let mut reviews = 0;
    // Bounded: even 1-day intervals reach any date within a few hundred steps.
    while let Some(due) = state.due.filter(|d| *d < until) {
        if reviews >= 1000 {
            break;
        }
        state = scheduler.answer(id, &state, Rating::Good, due)?.state;
        reviews += 1;
    }
    Ok((state, reviews))
}
