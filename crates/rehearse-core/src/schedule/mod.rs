//! Scheduling: FSRS-6 memory states, learning steps, fuzz and the study day.

pub mod day;
pub mod fuzz;
pub mod load;
pub mod preset;
pub mod scheduler;
pub mod settings;
pub mod state;

pub use day::DayClock;
pub use load::{DueLoad, Workload};
pub use preset::{DEFAULT_PRESET, Preset, PresetError, Schedulers};
pub use scheduler::{Interval, Outcome, ScheduleError, Scheduler};
pub use settings::{Interview, Settings, SettingsError, Step};
pub use state::{CardState, Memory, Phase, Rating};
