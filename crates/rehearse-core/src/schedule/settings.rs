//! Scheduler settings, stored in `settings.ron`. Defaults are Anki's.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A learning or relearning step, written like Anki's: `30s`, `1m`, `10m`, `1h`, `1d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Step {
    seconds: u32,
}

impl Step {
    /// A step of `minutes` minutes.
    pub const fn minutes(minutes: u32) -> Self {
        Self {
            seconds: minutes * 60,
        }
    }

    /// The delay in seconds.
    pub const fn seconds(self) -> u32 {
        self.seconds
    }
}

impl FromStr for Step {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (number, unit) = s.split_at(split);
        let n: u32 = number
            .parse()
            .map_err(|_| format!("`{s}`: expected a step such as `1m`, `10m`, `1h` or `1d`"))?;
        let factor = match unit {
            "s" => 1,
            "m" | "" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => {
                return Err(format!("`{s}`: unknown unit `{unit}`; use s, m, h or d"));
            }
        };
        let seconds = n.checked_mul(factor).filter(|s| *s > 0).ok_or_else(|| {
            format!("`{s}`: a step must be longer than zero and at most 49710 days")
        })?;
        Ok(Self { seconds })
    }
}

impl TryFrom<String> for Step {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Step> for String {
    fn from(s: Step) -> String {
        s.to_string()
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.seconds;
        if s.is_multiple_of(86_400) {
            write!(f, "{}d", s / 86_400)
        } else if s.is_multiple_of(3600) {
            write!(f, "{}h", s / 3600)
        } else if s.is_multiple_of(60) {
            write!(f, "{}m", s / 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

/// Everything the scheduler and the daily queue are configured by.
///
/// The per-deck fields (daily limits, steps, desired retention, maximum
/// interval, leech threshold, bury rules, FSRS parameters) are the Default
/// option preset's; other presets and which deck uses which are in
/// `presets` and `deck_presets` (see [`super::preset`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Probability of recall to schedule for (0.70–0.99).
    pub desired_retention: f32,
    /// New cards introduced per deck per day.
    pub new_per_day: u32,
    /// Review cards shown per deck per day.
    pub reviews_per_day: u32,
    /// Steps a new card goes through before it graduates.
    pub learning_steps: Vec<Step>,
    /// Steps a forgotten card goes through before it returns to review.
    pub relearning_steps: Vec<Step>,
    /// No interval grows beyond this many days.
    pub maximum_interval_days: u32,
    /// The local hour (0–23) at which a new study day starts.
    pub day_starts_at_hour: u8,
    /// When nothing else is due, learning cards due within this many minutes are shown.
    pub learn_ahead_minutes: u32,
    /// Lapses at which a card is tagged as a leech (0 turns it off).
    pub leech_threshold: u32,
    /// Spread review intervals a little so cards learnt together do not stay together.
    pub fuzz: bool,
    /// Keep the other new sides of a card (its reverse, other cloze numbers)
    /// for another day once one is studied, as Anki's "bury new siblings".
    pub bury_new_siblings: bool,
    /// The same for sides due for review.
    pub bury_review_siblings: bool,
    /// The same for sides in learning whose step was a day or more
    /// ("interday" learning); off by default, as in Anki.
    pub bury_interday_learning_siblings: bool,
    /// Within the fuzz range, prefer days with fewer reviews already due, as
    /// Anki's load balancer does (see [`super::load`]). Needs `fuzz`.
    /// Written to the file only when turned off, so files from before it
    /// existed are written back as they were.
    #[serde(skip_serializing_if = "is_on")]
    pub load_balancing: bool,
    /// Each weekday's share of reviews, Monday first: 1.0 normal, 0.5
    /// reduced, 0.0 minimum ("easy days"). Only moves days within the fuzz
    /// range, so it needs `fuzz`. Written only when some day is not normal.
    #[serde(skip_serializing_if = "all_normal")]
    pub easy_days: Vec<f32>,
    /// FSRS parameters (17, 19 or 21 values); empty means the defaults.
    pub fsrs_parameters: Vec<f32>,
    /// An interview being prepared for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interview: Option<Interview>,
    /// How the window looks: theme, the browser's columns.
    #[serde(skip_serializing_if = "Display::is_default")]
    pub display: Display,
    /// Option presets besides Default (whose values are the per-deck fields
    /// above); see [`super::preset`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub presets: Vec<super::preset::Preset>,
    /// Which preset each deck uses, by deck file name (slug); a deck not
    /// listed uses Default.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub deck_presets: std::collections::BTreeMap<String, String>,
}

/// Light, dark, or whatever the system uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    /// Follow the system's preference.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// Preferences for the window that are worth keeping with the data: they
/// change nothing about scheduling.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Display {
    /// Light, dark or the system's theme.
    pub theme: Theme,
    /// Browser columns the user has hidden, by their header name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hidden_columns: Vec<String>,
    /// Parent decks (full `A::B` names) folded on Home.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub collapsed_decks: Vec<String>,
    /// Load images on cards from the web. Off by default, for privacy: a
    /// remote image shows as its alt text and link, with a button to load
    /// the images of that card, so that studying contacts no server unasked.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub load_remote_images: bool,
}

impl Display {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// An interview date, and what to go back to after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interview {
    /// The day of the interview.
    pub date: jiff::civil::Date,
    /// Topics it covers; empty means all.
    #[serde(default)]
    pub topics: Vec<String>,
    /// The desired retention before it was raised for the final stretch;
    /// restored once the day has passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_retention: Option<f32>,
    /// The same for the other option presets raised with it, by name.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub restore_preset_retention: std::collections::BTreeMap<String, f32>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            desired_retention: 0.9,
            new_per_day: 20,
            reviews_per_day: 200,
            learning_steps: vec![Step::minutes(1), Step::minutes(10)],
            relearning_steps: vec![Step::minutes(10)],
            maximum_interval_days: 36_500,
            day_starts_at_hour: 4,
            learn_ahead_minutes: 20,
            leech_threshold: 8,
            fuzz: true,
            bury_new_siblings: true,
            bury_review_siblings: true,
            bury_interday_learning_siblings: false,
            load_balancing: true,
            easy_days: vec![1.0; 7],
            fsrs_parameters: Vec::new(),
            interview: None,
            display: Display::default(),
            presets: Vec::new(),
            deck_presets: std::collections::BTreeMap::new(),
        }
    }
}

impl Settings {
    /// Problems that make these settings unusable, each naming the field.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !(0.7..=0.99).contains(&self.desired_retention) {
            out.push(format!(
                "desired_retention is {}; expected a value from 0.70 to 0.99",
                self.desired_retention
            ));
        }
        if self.maximum_interval_days == 0 || self.maximum_interval_days > 36_500 {
            out.push(format!(
                "maximum_interval_days is {}; expected 1 to 36500",
                self.maximum_interval_days
            ));
        }
        if self.day_starts_at_hour > 23 {
            out.push(format!(
                "day_starts_at_hour is {}; expected 0 to 23",
                self.day_starts_at_hour
            ));
        }
        if !matches!(self.fsrs_parameters.len(), 0 | 17 | 19 | 21) {
            out.push(format!(
                "fsrs_parameters has {} values; expected none (defaults), 17, 19 or 21",
                self.fsrs_parameters.len()
            ));
        } else if self.fsrs_parameters.iter().any(|w| !w.is_finite()) {
            out.push("fsrs_parameters contains a value that is not a finite number".into());
        }
        self.preset_problems(&mut out);
        if self.easy_days.len() != 7 {
            out.push(format!(
                "easy_days has {} values; expected 7, Monday to Sunday",
                self.easy_days.len()
            ));
        }
        for (day, share) in WEEKDAYS.iter().zip(&self.easy_days) {
            if !(0.0..=1.0).contains(share) {
                out.push(format!(
                    "easy_days for {day} is {share}; expected 0.0 (minimum) to 1.0 (normal)"
                ));
            }
        }
        out
    }

    /// Parses and checks a `settings.ron` text.
    pub fn from_ron(text: &str) -> Result<Self, SettingsError> {
        let settings: Settings =
            ron_options()
                .from_str(text)
                .map_err(|e| SettingsError::Parse {
                    line: e.span.start.line,
                    column: e.span.start.col,
                    message: e.code.to_string(),
                })?;
        let problems = settings.problems();
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(SettingsError::Invalid(problems.join("; ")))
        }
    }

    /// The canonical text of `settings.ron`. Fails only if a value will not
    /// serialise; then nothing must be written.
    pub fn to_ron(&self) -> Result<String, ron::Error> {
        let config = ron::ser::PrettyConfig::new().indentor("    ".to_string());
        Ok(ron_options().to_string_pretty(self, config)? + "\n")
    }
}

fn is_on(flag: &bool) -> bool {
    *flag
}

fn all_normal(days: &[f32]) -> bool {
    days.len() == 7 && days.iter().all(|d| *d == 1.0)
}

/// Weekday names in the order of [`Settings::easy_days`].
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Hand-written settings say `interview: (date: ...)`, not `Some((...))`.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Why a settings text was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingsError {
    /// Not valid RON for the settings.
    #[error("line {line}, column {column}: {message}")]
    Parse {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was expected.
        message: String,
    },
    /// Parsed, but a value is out of range.
    #[error("{0}")]
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_parse_and_print() {
        for s in ["30s", "1m", "10m", "1h", "2d"] {
            assert_eq!(s.parse::<Step>().unwrap().to_string(), s);
        }
        assert_eq!("90s".parse::<Step>().unwrap().seconds(), 90);
        assert_eq!("15".parse::<Step>().unwrap().seconds(), 900);
        assert!("0m".parse::<Step>().is_err());
        assert!("1w".parse::<Step>().is_err());
        assert!("m".parse::<Step>().is_err());
    }

    #[test]
    fn settings_round_trip_and_defaults() {
        let s = Settings::default();
        assert_eq!(Settings::from_ron(&s.to_ron().unwrap()).unwrap(), s);
        let with_interview = Settings {
            interview: Some(Interview {
                date: jiff::civil::date(2026, 12, 1),
                topics: vec!["APIs".into()],
                restore_retention: Some(0.9),
                restore_preset_retention: [("Hard".to_string(), 0.85)].into(),
            }),
            ..Settings::default()
        };
        assert_eq!(
            Settings::from_ron(&with_interview.to_ron().unwrap()).unwrap(),
            with_interview
        );
        let hand = Settings::from_ron("(interview: (date: \"2026-12-01\"))").unwrap();
        assert_eq!(hand.interview.unwrap().date, jiff::civil::date(2026, 12, 1));
        let dark = Settings {
            display: Display {
                theme: Theme::Dark,
                hidden_columns: vec!["Tags".into()],
                collapsed_decks: vec!["Languages::Rust".into()],
                load_remote_images: true,
            },
            ..Settings::default()
        };
        assert!(dark.to_ron().unwrap().contains("load_remote_images: true"));
        assert!(!Display::default().load_remote_images, "off unless chosen");
        assert!(
            dark.to_ron().unwrap().contains("theme: Dark"),
            "{}",
            dark.to_ron().unwrap()
        );
        assert_eq!(Settings::from_ron(&dark.to_ron().unwrap()).unwrap(), dark);
        assert!(
            !s.to_ron().unwrap().contains("display"),
            "defaults stay out of the file"
        );
        let partial = Settings::from_ron("(new_per_day: 5)").unwrap();
        assert_eq!(partial.new_per_day, 5);
        assert_eq!(partial.learning_steps, s.learning_steps);
    }

    #[test]
    fn bad_settings_are_explained() {
        assert!(matches!(
            Settings::from_ron("(new_per_dya: 5)"),
            Err(SettingsError::Parse { line: 1, .. })
        ));
        let err = Settings::from_ron("(desired_retention: 1.5)").unwrap_err();
        assert!(err.to_string().contains("0.70 to 0.99"), "{err}");
        let err =
            Settings::from_ron("(easy_days: [1.0, 1.0, 1.0, 1.0, 1.0, 1.5, 0.0])").unwrap_err();
        assert!(
            err.to_string()
                .contains("easy_days for Saturday is 1.5; expected 0.0 (minimum) to 1.0"),
            "{err}"
        );
        let err = Settings::from_ron("(easy_days: [0.5])").unwrap_err();
        assert!(
            err.to_string()
                .contains("easy_days has 1 values; expected 7"),
            "{err}"
        );
        let err =
            Settings::from_ron("(easy_days: [1.0, 1.0, 1.0, 1.0, 1.0, NaN, 1.0])").unwrap_err();
        assert!(err.to_string().contains("Saturday"), "{err}");
    }

    /// A settings file written before load balancing and easy days existed
    /// loads with load balancing on and no easy days.
    #[test]
    fn load_balancing_and_easy_days_default_for_old_files() {
        let old =
            Settings::from_ron("(desired_retention: 0.9, fuzz: true, new_per_day: 10)").unwrap();
        assert!(old.load_balancing);
        assert_eq!(old.easy_days, vec![1.0; 7]);
        let set = Settings {
            load_balancing: false,
            easy_days: vec![1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0],
            ..Settings::default()
        };
        assert_eq!(Settings::from_ron(&set.to_ron().unwrap()).unwrap(), set);
    }
}
