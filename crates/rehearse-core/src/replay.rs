//! Turning journal events into scheduling state. The same fold serves a full
//! rebuild, the tail after a snapshot, and merged journals from several devices.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;

use crate::deck::ItemId;
use crate::schedule::{CardState, Phase, Scheduler};
use crate::store::{AnswerKind, AnswerRecord, Event};

/// An event and the device whose journal it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceEvent {
    /// The journal's device name.
    pub device: String,
    /// The event.
    pub event: Event,
}

/// Which scheduler answers an item: the one of its deck's option preset
/// (the Default preset's for an item no deck has). Replay asks this for
/// every answer, so a rebuilt state is scheduled as answering it live was.
pub trait SchedulerOf {
    /// The scheduler for `item`.
    fn scheduler_of(&self, item: &ItemId) -> &Scheduler;
}

/// One scheduler for every item (tests, and collections without presets).
impl SchedulerOf for Scheduler {
    fn scheduler_of(&self, _: &ItemId) -> &Scheduler {
        self
    }
}

/// The kind of answer given to a card in `phase`.
pub fn answer_kind(phase: Phase) -> AnswerKind {
    match phase {
        Phase::New => AnswerKind::New,
        Phase::Learning { .. } => AnswerKind::Learning,
        Phase::Review => AnswerKind::Review,
        Phase::Relearning { .. } => AnswerKind::Relearning,
    }
}

/// Applies `events` (from any number of devices) to `states` in time order,
/// leaving out reviews that an `Undo` takes back, each review scheduled by
/// its item's scheduler. Answers at or after `recent_from` are added to
/// `recent`. Returns a warning per event that could not be applied.
pub fn apply(
    schedulers: &impl SchedulerOf,
    states: &mut HashMap<ItemId, CardState>,
    recent: &mut Vec<AnswerRecord>,
    recent_from: Timestamp,
    mut events: Vec<DeviceEvent>,
) -> Vec<String> {
    let undone: HashSet<(String, u64)> = events
        .iter()
        .filter_map(|e| match e.event {
            Event::Undo { undoes, .. } => Some((e.device.clone(), undoes)),
            _ => None,
        })
        .collect();
    events.retain(|e| {
        !matches!(e.event, Event::Undo { .. })
            && !undone.contains(&(e.device.clone(), e.event.id()))
    });
    // Time order merges devices; device and id break ties deterministically.
    events.sort_by(|a, b| {
        (a.event.at(), &a.device, a.event.id()).cmp(&(b.event.at(), &b.device, b.event.id()))
    });
    let mut warnings = Vec::new();
    for DeviceEvent { device, event } in events {
        match event {
            Event::Review {
                id,
                at,
                item,
                rating,
                took_ms,
                days,
            } => {
                let prev = states.get(&item).cloned().unwrap_or_default();
                // The interval the answer recorded, not one worked out from
                // the other items' states as they happen to be here.
                match schedulers
                    .scheduler_of(&item)
                    .replay_answer(&item, &prev, rating, at, days)
                {
                    Ok(outcome) => {
                        if at >= recent_from {
                            recent.push(AnswerRecord {
                                device,
                                id,
                                at,
                                item: item.clone(),
                                rating,
                                kind: answer_kind(prev.phase),
                                took_ms,
                                last_interval: prev.interval_days,
                                days,
                            });
                        }
                        states.insert(item, outcome.state);
                    }
                    Err(e) => warnings.push(format!("review {id} of {item} from {device}: {e}")),
                }
            }
            Event::Suspend {
                item, suspended, ..
            } => {
                states.entry(item).or_default().suspended = suspended;
            }
            Event::Import { item, state, .. } => {
                states.insert(item, state);
            }
            Event::Bury { item, at, .. } => {
                // The study day is the same for every preset.
                let day = schedulers.scheduler_of(&item).clock().day_of(at);
                states.entry(item).or_default().buried_day = Some(day);
            }
            Event::Reset { item, .. } => {
                let suspended = states.get(&item).is_some_and(|s| s.suspended);
                states.insert(
                    item,
                    CardState {
                        suspended,
                        ..CardState::new()
                    },
                );
            }
            // Points annotate a review for the weak-point views; the
            // review itself schedules.
            Event::Undo { .. } | Event::Points { .. } | Event::Mock { .. } => {}
        }
    }
    warnings
}

/// Applies one event of `device` as it is appended, outside a replay.
/// Reviews go through [`crate::collection::Collection::answer`], which also
/// returns the outcome; this handles the rest. Returns a warning when the
/// event could not be applied, as [`apply`] does.
#[must_use]
pub fn apply_one(
    schedulers: &impl SchedulerOf,
    states: &mut HashMap<ItemId, CardState>,
    device: &str,
    event: Event,
) -> Vec<String> {
    // Answers are not recorded from here (`Timestamp::MAX`): the caller
    // records its own.
    let mut recent = Vec::new();
    apply(
        schedulers,
        states,
        &mut recent,
        Timestamp::MAX,
        vec![DeviceEvent {
            device: device.to_string(),
            event,
        }],
    )
}

/// True when `tail` can be applied on top of a snapshot holding `states`: it
/// undoes nothing the snapshot already contains and answers no item earlier
/// than the snapshot's last review of it (which a merged journal from another
/// device can do). Otherwise the state must be rebuilt from all journals.
pub fn tail_applies_cleanly(states: &HashMap<ItemId, CardState>, tail: &[DeviceEvent]) -> bool {
    let in_tail: HashSet<(&str, u64)> = tail
        .iter()
        .filter(|e| !matches!(e.event, Event::Undo { .. }))
        .map(|e| (e.device.as_str(), e.event.id()))
        .collect();
    tail.iter().all(|e| match &e.event {
        Event::Undo { undoes, .. } => in_tail.contains(&(e.device.as_str(), *undoes)),
        // A reset or review older than the snapshot's last review of the item
        // (merged in from another device) changes history before it.
        Event::Review { at, item, .. }
        | Event::Reset { at, item, .. }
        | Event::Import { at, item, .. } => states
            .get(item)
            .and_then(|s| s.last_review)
            .is_none_or(|last| *at >= last),
        Event::Suspend { .. } | Event::Points { .. } | Event::Mock { .. } | Event::Bury { .. } => {
            true
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{DayClock, Memory, Rating, Settings};

    #[test]
    fn apply_one_returns_what_it_could_not_apply() {
        let scheduler = Scheduler::new(
            Settings::default(),
            DayClock::new(jiff::tz::TimeZone::UTC, 4),
        )
        .unwrap();
        let at = Timestamp::from_second(1_700_000_000).unwrap();
        let item: ItemId = "card-1".parse().unwrap();
        let mut states = HashMap::new();
        // A suspension applies cleanly.
        let suspend = Event::Suspend {
            id: 1,
            at,
            item: item.clone(),
            suspended: true,
        };
        assert!(apply_one(&scheduler, &mut states, "laptop", suspend).is_empty());
        assert!(states[&item].suspended);
        // A state the memory model cannot work from: the warning comes back.
        states.insert(
            item.clone(),
            CardState {
                phase: Phase::Review,
                memory: Some(Memory {
                    stability: f32::NAN,
                    difficulty: 5.0,
                }),
                last_review: Some(at),
                ..CardState::new()
            },
        );
        let review = Event::Review {
            id: 2,
            at: Timestamp::from_second(1_700_100_000).unwrap(),
            item: item.clone(),
            rating: Rating::Good,
            took_ms: 0,
            days: None,
        };
        let warnings = apply_one(&scheduler, &mut states, "laptop", review);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("review 2 of card-1 from laptop:"),
            "{warnings:?}"
        );
    }
}
