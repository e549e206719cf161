//! Statistics as Anki shows them: reviews per day and the streak, the due
//! forecast, true retention, the answer buttons, memory-state histograms and
//! time spent. Every figure can be narrowed to a deck or a topic.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use serde::Serialize;

use crate::collection::{Collection, History};
use crate::deck::ItemId;
use crate::schedule::{Phase, Rating};
use crate::store::{AnswerKind, AnswerRecord};

/// Reviews at this interval or longer count as mature, as in Anki.
pub const MATURE_DAYS: u32 = 21;
/// How far ahead the due forecast looks.
pub const FORECAST_DAYS: usize = 90;
/// How far back the calendar looks.
pub const CALENDAR_DAYS: i32 = 365;

/// Which cards the statistics cover.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatsFilter {
    /// Only this deck (slug).
    pub deck: Option<String>,
    /// Only this topic.
    pub topic: Option<String>,
}

impl StatsFilter {
    fn matches(&self, collection: &Collection, id: &ItemId) -> bool {
        if self.deck.is_none() && self.topic.is_none() {
            return true;
        }
        let Some(item) = collection.item(id) else {
            return false;
        };
        let deck = &collection.decks()[item.deck];
        let card = &deck.cards[item.card];
        self.deck.as_ref().is_none_or(|d| *d == deck.slug)
            && self.topic.as_ref().is_none_or(|t| *t == card.topic)
    }
}

/// Passed and failed reviews of graduated cards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PassFail {
    /// Answered Hard, Good or Easy.
    pub passed: u32,
    /// Answered Again.
    pub failed: u32,
}

impl PassFail {
    /// The pass rate, if there were any reviews.
    pub fn rate(&self) -> Option<f32> {
        let n = self.passed + self.failed;
        (n > 0).then(|| self.passed as f32 / n as f32)
    }

    fn add(&mut self, passed: bool) {
        if passed {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
    }
}

/// True retention over one period, split as Anki does.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RetentionRow {
    /// "Today", "Yesterday", "Last week", ...
    pub period: &'static str,
    /// Reviews of cards with an interval under 21 days.
    pub young: PassFail,
    /// Reviews of cards with an interval of 21 days or more.
    pub mature: PassFail,
}

impl RetentionRow {
    /// Young and mature together.
    pub fn total(&self) -> PassFail {
        PassFail {
            passed: self.young.passed + self.mature.passed,
            failed: self.young.failed + self.mature.failed,
        }
    }
}

/// A histogram: `counts[i]` values fell in `[edges[i], edges[i+1])`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Histogram {
    /// Bucket boundaries, one more than the counts.
    pub edges: Vec<f32>,
    /// How many values fell in each bucket.
    pub counts: Vec<u32>,
}

impl Histogram {
    fn new(edges: Vec<f32>) -> Self {
        let counts = vec![0; edges.len().saturating_sub(1)];
        Self { edges, counts }
    }

    fn add(&mut self, value: f32) {
        if self.counts.is_empty() || !value.is_finite() {
            return;
        }
        let i = self.edges[1..]
            .iter()
            .position(|e| value < *e)
            .unwrap_or(self.counts.len() - 1);
        self.counts[i] += 1;
    }
}

/// Everything the statistics screen shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Statistics {
    /// Answers per study day over the last year (day number → count).
    pub reviews_per_day: BTreeMap<i32, u32>,
    /// Time spent per study day over the last year, in milliseconds.
    pub time_per_day: BTreeMap<i32, u64>,
    /// Today's study day number.
    pub today: i32,
    /// Today's weekday, 0 for Monday.
    pub today_weekday: u8,
    /// The calendar date today's study day is named after.
    pub today_date: Date,
    /// Consecutive days with at least one answer, up to today (or yesterday).
    pub streak: u32,
    /// The longest run of consecutive study days within the calendar's year.
    pub longest_streak: u32,
    /// Items due per day from today (overdue ones count today), 90 days.
    pub due_forecast: Vec<u32>,
    /// True retention: today, yesterday, last week, month, year, all time.
    pub retention: Vec<RetentionRow>,
    /// Answers per button (Again..Easy) for learning, young and mature cards.
    pub buttons: [[u32; 4]; 3],
    /// Stability of studied items, in days.
    pub stability: Histogram,
    /// Difficulty of studied items, 1–10.
    pub difficulty: Histogram,
    /// Predicted recall now of studied items.
    pub retrievability: Histogram,
    /// All answers ever.
    pub total_answers: u64,
    /// All time spent answering, in milliseconds.
    pub total_time_ms: u64,
    /// Answers given in mock interviews.
    pub mock_answers: u64,
    /// Mock interviews run.
    pub mock_sessions: usize,
    /// Items covered, and how many of them were studied.
    pub items: usize,
    /// Items answered at least once.
    pub studied: usize,
}

impl Statistics {
    /// The calendar date of study day `day` (a day number like [`Self::today`]).
    pub fn date_of(&self, day: i32) -> Date {
        self.today_date
            .checked_add(Span::new().days(i64::from(day) - i64::from(self.today)))
            .unwrap_or(self.today_date)
    }
}

/// Rows of [`Statistics::buttons`].
pub const BUTTON_ROWS: [&str; 3] = ["Learning", "Young", "Mature"];

/// The periods of [`Statistics::retention`], each with how many days back it
/// reaches; 1 means yesterday alone.
const RETENTION_PERIODS: [(&str, i32); 6] = [
    ("Today", 0),
    ("Yesterday", 1),
    ("Last week", 6),
    ("Last month", 29),
    ("Last year", 364),
    ("All time", i32::MAX),
];

/// Computes the statistics for the cards `filter` selects. Without `history`
/// the figures that need it (calendar, retention, buttons, time) stay empty.
pub fn compute(
    collection: &Collection,
    history: Option<&History>,
    filter: &StatsFilter,
    now: Timestamp,
) -> Statistics {
    let clock = collection.scheduler().clock();
    let today = clock.day_of(now);
    let mut s = Statistics::empty(today, clock.date_of_day(today));
    s.count_items(collection, filter, now);
    if let Some(history) = history {
        s.count_answers(collection, history, filter);
    }
    s
}

impl Statistics {
    /// Nothing counted yet on study day `today`: the histograms have their
    /// buckets and retention its rows, all at zero.
    fn empty(today: i32, today_date: Date) -> Self {
        Statistics {
            today,
            today_weekday: today_date.weekday().to_monday_zero_offset() as u8,
            today_date,
            due_forecast: vec![0; FORECAST_DAYS],
            stability: Histogram::new(vec![
                0.0,
                1.0,
                3.0,
                7.0,
                14.0,
                30.0,
                60.0,
                120.0,
                240.0,
                365.0,
                730.0,
                f32::INFINITY,
            ]),
            difficulty: Histogram::new((1..=10).map(|d| d as f32).chain([f32::INFINITY]).collect()),
            retrievability: Histogram::new(vec![
                0.0,
                0.5,
                0.6,
                0.7,
                0.8,
                0.85,
                0.9,
                0.95,
                0.98,
                f32::INFINITY,
            ]),
            retention: RETENTION_PERIODS
                .iter()
                .map(|(period, _)| RetentionRow {
                    period,
                    young: PassFail::default(),
                    mature: PassFail::default(),
                })
                .collect(),
            ..Statistics::default()
        }
    }

    /// Counts the unsuspended items `filter` selects, and for the studied
    /// ones when they are due and their memory state.
    fn count_items(&mut self, collection: &Collection, filter: &StatsFilter, now: Timestamp) {
        let clock = collection.clock();
        for item in collection.items() {
            // The item's deck's preset predicts its recall.
            let scheduler = collection.deck_scheduler(item.deck);
            if !filter.matches(collection, &item.id) {
                continue;
            }
            let state = collection.state(&item.id);
            if state.suspended {
                continue;
            }
            self.items += 1;
            if state.phase == Phase::New {
                continue;
            }
            self.studied += 1;
            if let Some(due) = state.due {
                let offset = (clock.day_of(due) - self.today).max(0) as usize;
                if offset < FORECAST_DAYS {
                    self.due_forecast[offset] += 1;
                }
            }
            if let Some(m) = state.memory {
                self.stability.add(m.stability);
                self.difficulty.add(m.difficulty);
            }
            if let Some(r) = scheduler.retrievability(state, now) {
                self.retrievability.add(r);
            }
        }
    }

    /// Counts every answer in `history` to an item `filter` selects, then
    /// the streaks over the calendar that makes.
    fn count_answers(&mut self, collection: &Collection, history: &History, filter: &StatsFilter) {
        let clock = collection.scheduler().clock();
        self.mock_sessions = history.mocks.len();
        // The filter is asked once per item, not once per answer.
        let included: Vec<bool> = history
            .items
            .iter()
            .map(|id| filter.matches(collection, id))
            .collect();
        for (a, &i) in history.answers.iter().zip(&history.item_of) {
            if !included[i as usize] {
                continue;
            }
            let in_mock = !history.mocks.is_empty() && history.in_mock(a);
            self.count_answer(a, clock.day_of(a.at), in_mock);
        }
        (self.streak, self.longest_streak) = streaks(&self.reviews_per_day, self.today);
    }

    /// Adds one answer, given on study day `day`, to the totals, the
    /// calendar (if within its year), the buttons and, for a review, retention.
    fn count_answer(&mut self, a: &AnswerRecord, day: i32, in_mock: bool) {
        let ago = self.today - day;
        self.total_answers += 1;
        self.total_time_ms += u64::from(a.took_ms);
        if in_mock {
            self.mock_answers += 1;
        }
        if (0..CALENDAR_DAYS).contains(&ago) {
            *self.reviews_per_day.entry(day).or_default() += 1;
            *self.time_per_day.entry(day).or_default() += u64::from(a.took_ms);
        }
        let mature = a.last_interval >= MATURE_DAYS;
        let row = match a.kind {
            AnswerKind::Review if mature => 2,
            AnswerKind::Review => 1,
            _ => 0,
        };
        self.buttons[row][a.rating.index()] += 1;
        if a.kind == AnswerKind::Review {
            self.count_retention(ago, mature, a.rating != Rating::Again);
        }
    }

    /// Adds a review answered `ago` days before today to every retention
    /// period it falls in, as young or mature.
    fn count_retention(&mut self, ago: i32, mature: bool, passed: bool) {
        for (r, (_, span)) in self.retention.iter_mut().zip(RETENTION_PERIODS) {
            let within = match span {
                1 => ago == 1,
                span => (0..=span).contains(&ago),
            };
            if within {
                if mature {
                    r.mature.add(passed);
                } else {
                    r.young.add(passed);
                }
            }
        }
    }
}

/// The current streak (consecutive study days up to today, or up to
/// yesterday while today is not studied yet) and the longest run among
/// `days`, which maps day numbers with answers to their counts.
fn streaks(days: &BTreeMap<i32, u32>, today: i32) -> (u32, u32) {
    let start = if days.contains_key(&today) {
        today
    } else {
        today - 1
    };
    let current = (0..)
        .take_while(|k| days.contains_key(&(start - k)))
        .count() as u32;
    let mut longest = 0;
    let mut run = 0;
    let mut last = None;
    for &day in days.keys() {
        run = if last == Some(day - 1) { run + 1 } else { 1 };
        longest = longest.max(run);
        last = Some(day);
    }
    (current, longest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaks_count_consecutive_days() {
        let days = |list: &[i32]| list.iter().map(|d| (*d, 1)).collect::<BTreeMap<_, _>>();
        assert_eq!(streaks(&days(&[]), 100), (0, 0));
        // Today not studied yet: the streak up to yesterday still counts.
        assert_eq!(streaks(&days(&[97, 98, 99]), 100), (3, 3));
        assert_eq!(streaks(&days(&[98, 99, 100]), 100), (3, 3));
        // A gap ends the current streak; the longest run is remembered.
        assert_eq!(streaks(&days(&[90, 91, 92, 93, 95, 100]), 100), (1, 4));
        assert_eq!(streaks(&days(&[90, 91, 98]), 100), (0, 2));
    }

    #[test]
    fn day_numbers_map_to_calendar_dates() {
        let s = Statistics {
            today: 20_000,
            today_date: jiff::civil::date(2026, 11, 27),
            ..Statistics::default()
        };
        assert_eq!(s.date_of(20_000), jiff::civil::date(2026, 11, 27));
        assert_eq!(s.date_of(19_999), jiff::civil::date(2026, 11, 26));
        assert_eq!(s.date_of(19_973), jiff::civil::date(2026, 10, 31));
        assert_eq!(s.date_of(20_005), jiff::civil::date(2026, 12, 2));
    }
}
