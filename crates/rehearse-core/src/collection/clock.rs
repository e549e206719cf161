//! Journal events whose dates cannot be right: more than a day ahead of this
//! computer's clock (another machine with a wrong clock, synced in) or before
//! 2000 (a clock that was reset). They stay in the journal, untouched, but
//! are not applied: a review dated 2100 would otherwise move its card's due
//! date to 2100 and count as answered today. Each is reported with its
//! journal and line at every start; a future one is applied once its time
//! has come.

use jiff::{SignedDuration, Timestamp};

use crate::store::Deferred;

/// How far ahead of the clock an event may be: time zones and clocks a
/// little off are normal.
const AHEAD: SignedDuration = SignedDuration::from_hours(24);

/// 2000-01-01T00:00:00Z: nothing was answered in Rehearse (or Anki) before.
const EARLIEST_SECOND: i64 = 946_684_800;

/// True when an event dated `at` is not to be applied at `now`.
pub(super) fn held_back(at: Timestamp, now: Timestamp) -> bool {
    at.as_second() < EARLIEST_SECOND || now.checked_add(AHEAD).is_ok_and(|limit| at > limit)
}

/// What to tell the user about a held-back event.
pub(super) fn warning(d: &Deferred) -> String {
    let date = d.at.strftime("%Y-%m-%d %H:%M UTC");
    if d.at.as_second() < EARLIEST_SECOND {
        format!(
            "journal/{}.ron, line {}: an event dated {date} cannot be right (the clock of the machine that wrote it was probably reset); it is kept but not applied",
            d.device, d.line
        )
    } else {
        format!(
            "journal/{}.ron, line {}: an event dated {date} is more than a day ahead of this computer's clock (is the clock of the machine that wrote it wrong?); it is kept but not applied until then",
            d.device, d.line
        )
    }
}
