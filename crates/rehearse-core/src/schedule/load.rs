//! Load balancing and easy days: which day inside the fuzz range a review
//! interval lands on, after Anki's load balancer
//! (`rslib/src/scheduler/states/load_balancer.rs`).
//!
//! Plain fuzz picks a day of the range from the item's seed alone. Here each
//! day of the range gets a weight, and the same seed draws a day in proportion
//! to the weights. The weights are Anki's:
//!
//! - load balancing: a day with `c` reviews already due weighs `c^-2.15 ·
//!   t^-3` (`t` the interval in days), a day with none weighs 1. The `t^-3`
//!   keeps the balancer from drifting to later days, which are always emptier;
//! - easy days: each weekday has a share of the normal load (1 normal, 0.5
//!   reduced, 0 minimum). A minimum day is ruled out, and so is a reduced day
//!   while it already holds more than its share of the range's reviews
//!   (Anki's rule) — unless every day of the range is ruled out, when they
//!   all stay in;
//! - siblings (with "bury review siblings" on): days near a day another side
//!   of the same card is due weigh less, so the sides do not bury each other.
//!
//! When every weight is equal (an empty calendar, easy days all normal) the
//! draw is exactly plain fuzz, so nothing moves.
//!
//! Where this differs from Anki:
//! - Anki multiplies a ruled-out day's weight by 0.0001 rather than leaving
//!   it out, and gives a day with no reviews weight 1 before any modifier. As
//!   load weights span orders of magnitude (20 reviews due 10 days out weigh
//!   about 2·10⁻⁶), an empty or lightly loaded "minimum" day still beats a
//!   busy normal one and collects reviews; here it takes none while the range
//!   has another day (in a simulation of 1500 cards, a minimum Sunday got 6 %
//!   of a normal day's reviews the Anki way, none this way);
//! - Anki applies easy days only inside its load balancer (on, intervals up to
//!   90 days); here they are a setting of their own and apply at any interval
//!   (past 90 days counts are not looked at: a minimum day is still avoided, a
//!   reduced one is treated as normal);
//! - a reduced share other than 0.5 (hand-written in `settings.ron`) is used
//!   as written; Anki treats any such value as 0.5;
//! - counts cover the whole collection (Anki counts per preset).
//!
//! Determinism: the weights depend on other items' states, which a replay of
//! the journals in another order (a merge) need not reproduce. So the day an
//! answer chose is recorded in its journal event and a replay takes it from
//! there (see [`super::Scheduler::replay_answer`]); the float arithmetic here
//! never has to agree between builds.

use super::day::DayClock;
use super::settings::Settings;
use super::state::{CardState, Phase};
use crate::deck::ItemId;

/// Intervals longer than this are not balanced by load, as in Anki: today's
/// counts say little about a day that far out.
pub const MAX_BALANCED_INTERVAL: u32 = 90;

/// Days counted from today (0) on. The fuzz range of a 90-day interval ends
/// at day 97.
const WINDOW: usize = 100;

/// The share a "minimum" day counts as when working out a reduced day's
/// fair share (Anki's figure).
const MINIMUM_SHARE: f64 = 0.0001;

/// How a day's weight is scaled when another side of the card is due
/// `-5..=5` days from it (Anki's sibling modifier).
const SIBLING_MODIFIERS: [f64; 11] = [1.0, 0.8, 0.6, 0.4, 0.2, 0.000_001, 0.2, 0.4, 0.6, 0.8, 1.0];

/// How many items are due on each of the next 100 study days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueLoad {
    today: i32,
    counts: Vec<u32>,
}

impl DueLoad {
    /// Nothing due, as of study day `today`.
    pub fn empty(today: i32) -> Self {
        Self {
            today,
            counts: vec![0; WINDOW],
        }
    }

    /// Counts the due days of `states` (suspended and new items left out,
    /// and those `keep` rejects). One pass; days are found by comparing with
    /// the window's day boundaries, not by converting every due time to
    /// local time, and `keep` is asked only about items due in the window.
    pub fn from_states<'a>(
        clock: &DayClock,
        today: i32,
        states: impl Iterator<Item = (&'a ItemId, &'a CardState)>,
        keep: impl Fn(&ItemId) -> bool,
    ) -> Self {
        let mut load = Self::empty(today);
        let starts: Vec<jiff::Timestamp> = (0..=WINDOW as i32)
            .map(|k| clock.start_of_day(today + k))
            .collect();
        let (first, end) = (starts[0], starts[WINDOW]);
        for (id, state) in states {
            let Some(due) = counted_due(state) else {
                continue;
            };
            if due < first || due >= end || !keep(id) {
                continue;
            }
            // starts[k] <= due < starts[k + 1]: day today + k.
            let k = starts.partition_point(|s| *s <= due) - 1;
            load.counts[k] += 1;
        }
        load
    }

    /// The study day the counts start at.
    pub fn today(&self) -> i32 {
        self.today
    }

    /// Items due on study day `day` (0 outside the counted days).
    pub fn count(&self, day: i32) -> u32 {
        self.index(day).map_or(0, |k| self.counts[k])
    }

    /// One more item due on `day`.
    pub fn add(&mut self, day: i32) {
        if let Some(k) = self.index(day) {
            self.counts[k] += 1;
        }
    }

    /// One item fewer due on `day`.
    pub fn remove(&mut self, day: i32) {
        if let Some(k) = self.index(day) {
            self.counts[k] = self.counts[k].saturating_sub(1);
        }
    }

    /// The study day `state` counts towards, if it counts.
    pub fn day_of(clock: &DayClock, state: &CardState) -> Option<i32> {
        counted_due(state).map(|due| clock.day_of(due))
    }

    fn index(&self, day: i32) -> Option<usize> {
        let k = usize::try_from(day.checked_sub(self.today)?).ok()?;
        (k < WINDOW).then_some(k)
    }
}

fn counted_due(state: &CardState) -> Option<jiff::Timestamp> {
    if state.suspended || state.phase == Phase::New {
        return None;
    }
    state.due
}

/// What the scheduler looks at to place one item: the collection's due
/// counts and the days the item's siblings are due.
#[derive(Clone, Copy, Debug)]
pub struct Workload<'a> {
    /// Items due per day.
    pub due: &'a DueLoad,
    /// Study days on which other sides of the same card are due.
    pub sibling_days: &'a [i32],
}

/// True when `settings` make the day inside the fuzz range depend on the
/// workload (fuzz on, and load balancing or an easy day).
pub fn is_active(settings: &Settings) -> bool {
    settings.fuzz && (settings.load_balancing || has_easy_days(settings))
}

/// True when some weekday has less than the normal share.
pub fn has_easy_days(settings: &Settings) -> bool {
    settings.easy_days.iter().any(|share| *share < 1.0)
}

/// Picks an interval in `lo..=hi` days (the fuzz range of `interval`) for an
/// answer on study day `today`, drawing with `factor` in `[0, 1)`: the same
/// as plain fuzz (`lo + ⌊factor · n⌋`) when all weights are equal.
pub fn choose_interval(
    settings: &Settings,
    clock: &DayClock,
    work: &Workload<'_>,
    interval: f32,
    (lo, hi): (u32, u32),
    factor: f64,
) -> u32 {
    let plain = plain_pick(lo, hi, factor);
    if lo >= hi {
        return lo;
    }
    let today = work.due.today();
    // Past the balanced intervals counts are not looked at (see the module);
    // within them, reduced easy days use them even with load balancing off.
    let counted = interval <= MAX_BALANCED_INTERVAL as f32 && (hi as usize) < WINDOW;
    let balance = settings.load_balancing && counted;
    let easy = has_easy_days(settings);
    if !balance && !easy {
        return plain;
    }
    let days: Vec<u32> = (lo..=hi).collect();
    let day = |t: u32| today.saturating_add(i32::try_from(t).unwrap_or(i32::MAX));
    let counts: Vec<u32> = days
        .iter()
        .map(|&t| if counted { work.due.count(day(t)) } else { 0 })
        .collect();
    let shares: Vec<f64> = days
        .iter()
        .map(|&t| {
            let weekday = clock.date_of_day(day(t)).weekday().to_monday_zero_offset() as usize;
            f64::from(settings.easy_days.get(weekday).copied().unwrap_or(1.0)).clamp(0.0, 1.0)
        })
        .collect();
    let open = open_days(&shares, &counts);
    // A range made only of closed days takes them all, as if none were.
    let any_open = open.iter().any(|o| *o);
    let sibling = if balance && settings.bury_review_siblings {
        sibling_modifiers(&days, today, work.sibling_days)
    } else {
        vec![1.0; days.len()]
    };
    let weights: Vec<f64> = days
        .iter()
        .zip(&counts)
        .zip(open.iter().zip(&sibling))
        .map(|((&t, &c), (&open, s))| {
            if any_open && !open {
                return 0.0;
            }
            let load = if !balance || c == 0 {
                1.0
            } else {
                f64::from(c).powf(-2.15) * f64::from(t).powi(-3)
            };
            load * s
        })
        .collect();
    weighted_pick(&days, &weights, factor).unwrap_or(plain)
}

/// Plain fuzz: `lo + ⌊factor · n⌋` for the `n` days of the range.
fn plain_pick(lo: u32, hi: u32, factor: f64) -> u32 {
    let span = f64::from(hi - lo + 1);
    (lo + (factor.clamp(0.0, 1.0) * span).floor() as u32).min(hi)
}

/// Inverse of the cumulative weights at `factor · total`: with equal weights
/// `k + 1 > factor · n` first holds at `k = ⌊factor · n⌋`, plain fuzz's pick.
fn weighted_pick(days: &[u32], weights: &[f64], factor: f64) -> Option<u32> {
    let total: f64 = weights.iter().sum();
    if !(total.is_finite() && total > 0.0) {
        return None;
    }
    let target = factor.clamp(0.0, 1.0) * total;
    let mut sum = 0.0;
    for (day, w) in days.iter().zip(weights) {
        sum += w;
        if sum > target {
            return Some(*day);
        }
    }
    days.last().copied()
}

/// Anki's easy-day rule, for any share: which days of the range may take
/// the review. A normal day may; a minimum day may not; a reduced day
/// (share `p`) may while its count is at most `p` times the other days'
/// average per unit of share (a minimum day counting as [`MINIMUM_SHARE`]).
fn open_days(shares: &[f64], counts: &[u32]) -> Vec<bool> {
    let share = |p: f64| if p <= 0.0 { MINIMUM_SHARE } else { p };
    let total_count: f64 = counts.iter().map(|c| f64::from(*c)).sum();
    let total_share: f64 = shares.iter().map(|p| share(*p)).sum();
    shares
        .iter()
        .zip(counts)
        .map(|(&p, &c)| {
            if p >= 1.0 {
                true
            } else if p <= 0.0 {
                false
            } else {
                let others_count = total_count - f64::from(c);
                let others_share = total_share - p;
                others_share <= 0.0 || f64::from(c) / p <= others_count / others_share
            }
        })
        .collect()
}

/// Lower weights on and around the days siblings are due.
fn sibling_modifiers(days: &[u32], today: i32, sibling_days: &[i32]) -> Vec<f64> {
    days.iter()
        .map(|&t| {
            let d = i64::from(today) + i64::from(t);
            sibling_days
                .iter()
                .filter_map(|&s| {
                    let k = usize::try_from(d - i64::from(s) + 5).ok()?;
                    SIBLING_MODIFIERS.get(k)
                })
                .product()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    fn clock() -> DayClock {
        DayClock::new(TimeZone::UTC, 4)
    }

    /// 2026-01-12 is a Monday.
    fn monday() -> i32 {
        let t: jiff::Timestamp = "2026-01-12T12:00:00Z".parse().unwrap();
        clock().day_of(t)
    }

    #[test]
    fn equal_weights_are_plain_fuzz() {
        let settings = Settings::default();
        let due = DueLoad::empty(monday());
        let work = Workload {
            due: &due,
            sibling_days: &[],
        };
        for i in 0..200 {
            let factor = f64::from(i) / 200.0;
            assert_eq!(
                choose_interval(&settings, &clock(), &work, 30.0, (27, 33), factor),
                plain_pick(27, 33, factor),
                "factor {factor}"
            );
        }
    }

    #[test]
    fn a_crowded_day_is_avoided() {
        let settings = Settings::default();
        let mut due = DueLoad::empty(monday());
        // Days 8..=12 all busy except day 11.
        for t in [8, 9, 10, 12] {
            for _ in 0..50 {
                due.add(monday() + t);
            }
        }
        let work = Workload {
            due: &due,
            sibling_days: &[],
        };
        // (Off the exact sliver boundaries: a tiny weight still owns a
        // sliver of the factors.)
        for i in 0..100 {
            let factor = (f64::from(i) + 0.37) / 100.0;
            assert_eq!(
                choose_interval(&settings, &clock(), &work, 10.0, (8, 12), factor),
                11
            );
        }
    }

    #[test]
    fn minimum_days_are_avoided_and_reduced_days_fill_to_their_share() {
        let mut settings = Settings {
            load_balancing: false,
            ..Settings::default()
        };
        // Sunday minimum.
        settings.easy_days[6] = 0.0;
        let due = DueLoad::empty(monday());
        let work = Workload {
            due: &due,
            sibling_days: &[],
        };
        // Days 3..=9 from Monday: Thursday .. Wednesday; Sunday is day 6.
        for i in 0..100 {
            let factor = (f64::from(i) + 0.37) / 100.0;
            let t = choose_interval(&settings, &clock(), &work, 6.0, (3, 9), factor);
            assert_ne!(t, 6, "factor {factor}");
        }
        // A reduced day stays in while under its share of the others' load.
        assert_eq!(open_days(&[1.0, 0.5, 1.0], &[10, 4, 10]), [true; 3]);
        assert_eq!(
            open_days(&[1.0, 0.5, 1.0], &[10, 6, 10]),
            [true, false, true]
        );
        // A range of minimum days only still gets a day: any of them.
        settings.easy_days = vec![0.0; 7];
        let picked: std::collections::BTreeSet<u32> = (0..100)
            .map(|i| {
                let factor = (f64::from(i) + 0.37) / 100.0;
                choose_interval(&settings, &clock(), &work, 6.0, (3, 9), factor)
            })
            .collect();
        assert_eq!(picked.len(), 7);
    }

    #[test]
    fn siblings_push_apart() {
        let m = sibling_modifiers(&[4, 5, 6, 7], 100, &[105]);
        assert_eq!(m, [0.2, 0.000_001, 0.2, 0.4]);
    }

    #[test]
    fn counts_follow_due_days() {
        let c = clock();
        let today = monday();
        let mut state = CardState::new();
        state.phase = Phase::Review;
        state.due = Some(
            c.start_of_day(today + 3)
                .checked_add(jiff::SignedDuration::from_hours(20))
                .unwrap(),
        );
        let mut suspended = state.clone();
        suspended.suspended = true;
        let mut far = state.clone();
        far.due = Some(c.start_of_day(today + 400));
        let ids: Vec<ItemId> = ["a", "b", "c", "gone"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let mut gone = state.clone();
        gone.due = state.due;
        let states = [&state, &suspended, &far, &gone];
        let load = DueLoad::from_states(&c, today, ids.iter().zip(states), |id| id != &ids[3]);
        assert_eq!(load.count(today + 3), 1);
        assert_eq!(load.counts.iter().sum::<u32>(), 1);
        assert_eq!(DueLoad::day_of(&c, &state), Some(today + 3));
        assert_eq!(DueLoad::day_of(&c, &suspended), None);
    }
}
