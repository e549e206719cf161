//! Study days: a day starts at a fixed local hour (4 am by default), as in Anki,
//! so a late-night session counts towards the day it belongs to.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

/// Numbers study days in a time zone, with the day starting at `start_hour`.
#[derive(Clone, Debug)]
pub struct DayClock {
    tz: TimeZone,
    start_hour: i8,
}

/// 1970-01-01, day 0.
const EPOCH: Date = jiff::civil::date(1970, 1, 1);

impl DayClock {
    /// A clock in time zone `tz` whose days start at `start_hour` (0–23).
    pub fn new(tz: TimeZone, start_hour: u8) -> Self {
        Self {
            tz,
            start_hour: start_hour.min(23) as i8,
        }
    }

    /// A clock in the system's local time zone.
    pub fn local(start_hour: u8) -> Self {
        Self::new(TimeZone::system(), start_hour)
    }

    /// The time zone this clock counts in.
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// The study day `t` falls in, counted from 1970-01-01.
    pub fn day_of(&self, t: Timestamp) -> i32 {
        let local = t.to_zoned(self.tz.clone()).datetime();
        // Civil arithmetic, so a daylight-saving shift never moves the cut-off.
        let shifted = local
            .checked_sub(Span::new().hours(i64::from(self.start_hour)))
            .unwrap_or(local);
        days_since_epoch(shifted.date())
    }

    /// The instant study day `day` begins.
    pub fn start_of_day(&self, day: i32) -> Timestamp {
        let date = EPOCH
            .checked_add(Span::new().days(i64::from(day)))
            .unwrap_or(EPOCH);
        let dt = DateTime::from_parts(date, jiff::civil::time(self.start_hour, 0, 0, 0));
        self.tz
            .to_ambiguous_zoned(dt)
            .compatible()
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// `t` moved `days` whole study days later, at the same local time of day.
    pub fn add_days(&self, t: Timestamp, days: u32) -> Timestamp {
        t.to_zoned(self.tz.clone())
            .checked_add(Span::new().days(i64::from(days)))
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MAX)
    }

    /// The local calendar date study day `day` is named after.
    pub fn date_of_day(&self, day: i32) -> Date {
        EPOCH
            .checked_add(Span::new().days(i64::from(day)))
            .unwrap_or(EPOCH)
    }
}

fn days_since_epoch(date: Date) -> i32 {
    // Whole days between two civil dates never overflow i32 in jiff's range.
    date.since((jiff::Unit::Day, EPOCH))
        .map(|s| s.get_days())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str, tz: &str) -> Timestamp {
        let dt: DateTime = s.parse().unwrap();
        dt.to_zoned(TimeZone::get(tz).unwrap()).unwrap().timestamp()
    }

    #[test]
    fn day_starts_at_4am_local() {
        let clock = DayClock::new(TimeZone::get("Europe/Berlin").unwrap(), 4);
        let d = clock.day_of(ts("2026-11-22T12:00", "Europe/Berlin"));
        assert_eq!(clock.day_of(ts("2026-11-22T04:00", "Europe/Berlin")), d);
        assert_eq!(clock.day_of(ts("2026-11-23T03:59", "Europe/Berlin")), d);
        assert_eq!(clock.day_of(ts("2026-11-22T03:59", "Europe/Berlin")), d - 1);
        assert_eq!(clock.day_of(ts("2026-11-23T04:00", "Europe/Berlin")), d + 1);
        assert_eq!(
            clock.start_of_day(d),
            ts("2026-11-22T04:00", "Europe/Berlin")
        );
        assert_eq!(clock.date_of_day(d), jiff::civil::date(2026, 11, 22));
    }

    #[test]
    fn boundary_holds_across_daylight_saving_changes() {
        let ny = "America/New_York";
        let clock = DayClock::new(TimeZone::get(ny).unwrap(), 4);
        // Spring forward: 2026-03-08 02:00 -> 03:00. The day is 23 hours long.
        let before = clock.day_of(ts("2026-03-08T03:59", ny));
        let after = clock.day_of(ts("2026-03-08T04:00", ny));
        assert_eq!(after, before + 1);
        let start = clock.start_of_day(after);
        let next = clock.start_of_day(after + 1);
        assert_eq!(start, ts("2026-03-08T04:00", ny));
        assert_eq!(next.as_second() - start.as_second(), 24 * 3600);
        // The 23-hour day is the one that contains the jump.
        let short = clock.start_of_day(before);
        assert_eq!(start.as_second() - short.as_second(), 23 * 3600);
        // Fall back: 2026-11-01 02:00 -> 01:00. A 25-hour day, one day number.
        let d = clock.day_of(ts("2026-11-01T04:00", ny));
        let fall_start = clock.start_of_day(d - 1);
        assert_eq!(
            clock.start_of_day(d).as_second() - fall_start.as_second(),
            25 * 3600
        );
        assert_eq!(clock.day_of(ts("2026-11-01T01:30", ny)), d - 1);
        // A civil "+1 day" keeps the local time of day across the change.
        let t = ts("2026-03-07T20:00", ny);
        assert_eq!(clock.day_of(clock.add_days(t, 1)), clock.day_of(t) + 1);
    }

    #[test]
    fn other_start_hours() {
        let clock = DayClock::new(TimeZone::UTC, 0);
        assert_eq!(clock.day_of(Timestamp::UNIX_EPOCH), 0);
        assert_eq!(clock.day_of(Timestamp::from_second(86_399).unwrap()), 0);
        assert_eq!(clock.day_of(Timestamp::from_second(86_400).unwrap()), 1);
        assert_eq!(clock.day_of(Timestamp::from_second(-1).unwrap()), -1);
    }
}
