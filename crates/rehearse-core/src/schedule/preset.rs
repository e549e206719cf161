//! Option presets: named sets of the per-deck options (daily limits, steps,
//! desired retention, maximum interval, bury rules, leech threshold, FSRS
//! parameters), assigned to decks as Anki assigns its deck-options presets.
//!
//! The Default preset is the one every deck uses unless another is chosen
//! for it. Its values are the top-level fields of [`Settings`] (exactly the
//! fields `settings.ron` had before presets existed), so an older file reads
//! with unchanged meaning and the Default preset can never be missing. Other
//! presets are listed in [`Settings::presets`]; [`Settings::deck_presets`]
//! says which deck (by file name, which renaming a deck keeps) uses which.
//! A parent deck's preset never applies to the decks under it: every deck
//! uses its own assignment, or Default.
//!
//! What stays global (one value for every deck): when the day starts, the
//! learn-ahead limit, fuzz, the interview and the window's display.

use serde::{Deserialize, Serialize};

use super::day::DayClock;
use super::scheduler::{ScheduleError, Scheduler};
use super::settings::{Settings, Step};

/// The name of the preset every deck uses unless another is assigned.
pub const DEFAULT_PRESET: &str = "Default";

/// The longest preset name accepted, in characters.
pub const MAX_PRESET_NAME: usize = 60;

/// One named set of per-deck options. Missing fields take Anki's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Preset {
    /// Shown in the preset picker; unique, and never [`DEFAULT_PRESET`] for
    /// a preset in [`Settings::presets`].
    pub name: String,
    /// New cards introduced per deck per day.
    pub new_per_day: u32,
    /// Review cards shown per deck per day.
    pub reviews_per_day: u32,
    /// Steps a new card goes through before it graduates.
    pub learning_steps: Vec<Step>,
    /// Steps a forgotten card goes through before it returns to review.
    pub relearning_steps: Vec<Step>,
    /// Probability of recall to schedule for (0.70–0.99).
    pub desired_retention: f32,
    /// No interval grows beyond this many days.
    pub maximum_interval_days: u32,
    /// Lapses at which a card is tagged as a leech (0 turns it off).
    pub leech_threshold: u32,
    /// Keep a card's other new sides for another day once one is studied.
    pub bury_new_siblings: bool,
    /// The same for sides due for review.
    pub bury_review_siblings: bool,
    /// The same for sides in learning steps of a day or more.
    pub bury_interday_learning_siblings: bool,
    /// FSRS parameters (17, 19 or 21 values). Empty: for the Default preset
    /// the FSRS-6 defaults; for any other preset, the Default preset's
    /// parameters (the ones fitted to the whole history), which is what a
    /// preset with too little history of its own uses.
    pub fsrs_parameters: Vec<f32>,
}

impl Default for Preset {
    fn default() -> Self {
        Settings::default().default_preset()
    }
}

/// Why a change to the presets was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PresetError {
    /// The Default preset is always there and keeps its name.
    #[error("the Default preset cannot be renamed or deleted")]
    DefaultIsFixed,
    /// No preset has that name.
    #[error("there is no preset named \"{0}\"")]
    NoSuchPreset(String),
    /// Another preset already has that name.
    #[error("a preset named \"{0}\" already exists")]
    NameTaken(String),
    /// The name is empty, too long, or has line breaks.
    #[error("a preset name must be 1–{MAX_PRESET_NAME} characters on one line")]
    BadName,
}

impl Settings {
    /// The Default preset: the top-level per-deck fields.
    pub fn default_preset(&self) -> Preset {
        Preset {
            name: DEFAULT_PRESET.to_string(),
            new_per_day: self.new_per_day,
            reviews_per_day: self.reviews_per_day,
            learning_steps: self.learning_steps.clone(),
            relearning_steps: self.relearning_steps.clone(),
            desired_retention: self.desired_retention,
            maximum_interval_days: self.maximum_interval_days,
            leech_threshold: self.leech_threshold,
            bury_new_siblings: self.bury_new_siblings,
            bury_review_siblings: self.bury_review_siblings,
            bury_interday_learning_siblings: self.bury_interday_learning_siblings,
            fsrs_parameters: self.fsrs_parameters.clone(),
        }
    }

    /// Every preset's name, Default first, then the others in their order.
    pub fn preset_names(&self) -> Vec<&str> {
        std::iter::once(DEFAULT_PRESET)
            .chain(self.presets.iter().map(|p| p.name.as_str()))
            .collect()
    }

    /// The preset called `name`, if there is one.
    pub fn preset(&self, name: &str) -> Option<Preset> {
        if name == DEFAULT_PRESET {
            Some(self.default_preset())
        } else {
            self.presets.iter().find(|p| p.name == name).cloned()
        }
    }

    /// Every preset, Default first.
    pub fn all_presets(&self) -> Vec<Preset> {
        std::iter::once(self.default_preset())
            .chain(self.presets.iter().cloned())
            .collect()
    }

    /// Stores `preset` under its name: the Default preset's values go into
    /// the top-level fields, another preset replaces the one of that name or
    /// is added after the others.
    pub fn set_preset(&mut self, preset: Preset) {
        if preset.name == DEFAULT_PRESET {
            self.new_per_day = preset.new_per_day;
            self.reviews_per_day = preset.reviews_per_day;
            self.learning_steps = preset.learning_steps;
            self.relearning_steps = preset.relearning_steps;
            self.desired_retention = preset.desired_retention;
            self.maximum_interval_days = preset.maximum_interval_days;
            self.leech_threshold = preset.leech_threshold;
            self.bury_new_siblings = preset.bury_new_siblings;
            self.bury_review_siblings = preset.bury_review_siblings;
            self.bury_interday_learning_siblings = preset.bury_interday_learning_siblings;
            self.fsrs_parameters = preset.fsrs_parameters;
        } else if let Some(p) = self.presets.iter_mut().find(|p| p.name == preset.name) {
            *p = preset;
        } else {
            self.presets.push(preset);
        }
    }

    /// The name of the preset deck `slug` uses: its own assignment when that
    /// preset exists, otherwise Default. A parent's assignment is not
    /// inherited.
    pub fn preset_name_of_deck(&self, slug: &str) -> &str {
        match self.deck_presets.get(slug) {
            Some(name) if self.presets.iter().any(|p| p.name == *name) => name,
            _ => DEFAULT_PRESET,
        }
    }

    /// The preset deck `slug` uses.
    pub fn preset_of_deck(&self, slug: &str) -> Preset {
        self.preset(self.preset_name_of_deck(slug))
            .unwrap_or_else(|| self.default_preset())
    }

    /// Makes deck `slug` use preset `name` (Default removes its assignment).
    pub fn assign_preset(&mut self, slug: &str, name: &str) -> Result<(), PresetError> {
        if name == DEFAULT_PRESET {
            self.deck_presets.remove(slug);
            return Ok(());
        }
        if !self.presets.iter().any(|p| p.name == name) {
            return Err(PresetError::NoSuchPreset(name.to_string()));
        }
        self.deck_presets.insert(slug.to_string(), name.to_string());
        Ok(())
    }

    /// Decks (slugs) assigned to preset `name`. For Default this lists only
    /// the explicit assignments, which there are none of: every deck not
    /// listed elsewhere uses it.
    pub fn decks_using(&self, name: &str) -> Vec<&str> {
        self.deck_presets
            .iter()
            .filter(|(_, p)| *p == name)
            .map(|(slug, _)| slug.as_str())
            .collect()
    }

    /// Checks a new name for a preset (the one now called `current`, if any).
    fn check_new_name(&self, name: &str, current: Option<&str>) -> Result<(), PresetError> {
        let len = name.chars().count();
        if name.trim() != name || len == 0 || len > MAX_PRESET_NAME || name.contains(['\n', '\r']) {
            return Err(PresetError::BadName);
        }
        let taken = name.eq_ignore_ascii_case(DEFAULT_PRESET)
            || self
                .presets
                .iter()
                .any(|p| Some(p.name.as_str()) != current && p.name.eq_ignore_ascii_case(name));
        if taken {
            return Err(PresetError::NameTaken(name.to_string()));
        }
        Ok(())
    }

    /// Adds a preset named `name` with the values of `from` (a copy of
    /// another preset, or the defaults).
    pub fn add_preset(&mut self, name: &str, from: Option<&str>) -> Result<(), PresetError> {
        self.check_new_name(name, None)?;
        let mut preset = match from {
            Some(from) => self
                .preset(from)
                .ok_or_else(|| PresetError::NoSuchPreset(from.to_string()))?,
            None => Preset::default(),
        };
        preset.name = name.to_string();
        self.presets.push(preset);
        Ok(())
    }

    /// Renames a preset; the decks using it keep using it.
    pub fn rename_preset(&mut self, from: &str, to: &str) -> Result<(), PresetError> {
        if from == DEFAULT_PRESET {
            return Err(PresetError::DefaultIsFixed);
        }
        self.check_new_name(to, Some(from))?;
        let preset = self
            .presets
            .iter_mut()
            .find(|p| p.name == from)
            .ok_or_else(|| PresetError::NoSuchPreset(from.to_string()))?;
        preset.name = to.to_string();
        for assigned in self.deck_presets.values_mut() {
            if assigned == from {
                *assigned = to.to_string();
            }
        }
        // A final-stretch raise still puts its retention back.
        if let Some(interview) = self.interview.as_mut()
            && let Some(value) = interview.restore_preset_retention.remove(from)
        {
            interview
                .restore_preset_retention
                .insert(to.to_string(), value);
        }
        Ok(())
    }

    /// Deletes a preset; the decks that used it go back to Default. Returns
    /// those decks (slugs).
    pub fn remove_preset(&mut self, name: &str) -> Result<Vec<String>, PresetError> {
        if name == DEFAULT_PRESET {
            return Err(PresetError::DefaultIsFixed);
        }
        let at = self
            .presets
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| PresetError::NoSuchPreset(name.to_string()))?;
        self.presets.remove(at);
        let moved: Vec<String> = self
            .decks_using(name)
            .into_iter()
            .map(String::from)
            .collect();
        self.deck_presets.retain(|_, p| p != name);
        Ok(moved)
    }

    /// A name for a new preset, based on `base`, that no preset has yet:
    /// `base`, then `base 2`, `base 3`…
    pub fn unused_preset_name(&self, base: &str) -> String {
        let base: String = base.trim().chars().take(MAX_PRESET_NAME - 4).collect();
        let base = if base.is_empty() {
            "Preset".into()
        } else {
            base
        };
        if self.check_new_name(&base, None).is_ok() {
            return base;
        }
        (2..)
            .map(|n| format!("{base} {n}"))
            .find(|name| self.check_new_name(name, None).is_ok())
            .unwrap_or(base)
    }

    /// The presets and options of `edited` (an edited copy of these
    /// settings) on top of what these settings hold now for the rest: the
    /// display, the interview and which deck uses which preset, all of which
    /// may have changed since the copy was made. Assignments follow the
    /// presets `renamed` (old, new; in order) in the copy, and decks whose
    /// preset the copy no longer has go back to Default.
    pub fn with_presets_of(&self, edited: &Settings, renamed: &[(String, String)]) -> Settings {
        let mut out = Settings {
            display: self.display.clone(),
            interview: self.interview.clone(),
            deck_presets: self.deck_presets.clone(),
            ..edited.clone()
        };
        for (old, new) in renamed {
            for name in out.deck_presets.values_mut() {
                if name == old {
                    *name = new.clone();
                }
            }
            if let Some(i) = out.interview.as_mut()
                && let Some(v) = i.restore_preset_retention.remove(old)
            {
                i.restore_preset_retention.insert(new.clone(), v);
            }
        }
        let kept: Vec<String> = out.presets.iter().map(|p| p.name.clone()).collect();
        out.deck_presets.retain(|_, name| kept.contains(name));
        out
    }

    /// These settings as one preset sees them: the top-level per-deck fields
    /// hold that preset's values (global fields unchanged). `None` when no
    /// preset has that name.
    pub fn for_preset(&self, name: &str) -> Option<Settings> {
        let preset = self.preset(name)?;
        let inherit = preset.fsrs_parameters.is_empty();
        let mut out = Settings {
            presets: Vec::new(),
            deck_presets: Default::default(),
            ..self.clone()
        };
        out.set_preset(Preset {
            name: DEFAULT_PRESET.to_string(),
            ..preset
        });
        if inherit {
            // A preset without parameters of its own uses the Default
            // preset's (see `Preset::fsrs_parameters`).
            out.fsrs_parameters = self.fsrs_parameters.clone();
        }
        Some(out)
    }

    /// Problems with the presets other than Default and with the deck
    /// assignments, each naming the preset.
    pub(super) fn preset_problems(&self, out: &mut Vec<String>) {
        for (i, p) in self.presets.iter().enumerate() {
            if p.name == DEFAULT_PRESET
                || self.presets[..i]
                    .iter()
                    .any(|q| q.name.eq_ignore_ascii_case(&p.name))
                || p.name.eq_ignore_ascii_case(DEFAULT_PRESET)
            {
                out.push(format!("presets: the name \"{}\" is used twice", p.name));
            }
            let len = p.name.chars().count();
            if len == 0 || len > MAX_PRESET_NAME || p.name.trim() != p.name {
                out.push(format!(
                    "presets: \"{}\" is not a usable name (1–{MAX_PRESET_NAME} characters, no spaces at the ends)",
                    p.name
                ));
            }
            let mut own = Settings::default();
            own.set_preset(Preset {
                name: DEFAULT_PRESET.to_string(),
                ..p.clone()
            });
            out.extend(
                own.problems()
                    .into_iter()
                    .map(|problem| format!("preset \"{}\": {problem}", p.name)),
            );
        }
        for (slug, name) in &self.deck_presets {
            if name != DEFAULT_PRESET && !self.presets.iter().any(|p| p.name == *name) {
                out.push(format!(
                    "deck_presets: deck \"{slug}\" uses preset \"{name}\", which does not exist"
                ));
            }
        }
    }
}

/// One [`Scheduler`] per preset, built when the settings are.
#[derive(Clone, Debug)]
pub struct Schedulers {
    settings: Settings,
    /// Index 0 is the Default preset's; then [`Settings::presets`] in order.
    list: Vec<Scheduler>,
}

impl Schedulers {
    /// A scheduler for every preset of `settings`, counting days with `clock`.
    pub fn new(settings: Settings, clock: DayClock) -> Result<Self, ScheduleError> {
        let list = settings
            .preset_names()
            .into_iter()
            .map(|name| {
                let effective = settings
                    .for_preset(name)
                    .unwrap_or_else(|| settings.clone());
                Scheduler::new(effective, clock.clone())
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { settings, list })
    }

    /// The settings they were built from.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The Default preset's scheduler.
    pub fn default_scheduler(&self) -> &Scheduler {
        &self.list[0]
    }

    /// The scheduler at `index` (as [`Self::index_of_deck`] gives), or the
    /// Default one when there is none.
    pub fn get(&self, index: usize) -> &Scheduler {
        self.list.get(index).unwrap_or(&self.list[0])
    }

    /// Which scheduler deck `slug` uses: its index for [`Self::get`].
    pub fn index_of_deck(&self, slug: &str) -> usize {
        let name = self.settings.preset_name_of_deck(slug);
        self.settings
            .preset_names()
            .iter()
            .position(|n| *n == name)
            .unwrap_or(0)
    }

    /// The scheduler of the preset deck `slug` uses.
    pub fn of_deck(&self, slug: &str) -> &Scheduler {
        self.get(self.index_of_deck(slug))
    }

    /// The study-day clock (the same for every preset).
    pub fn clock(&self) -> &DayClock {
        self.list[0].clock()
    }

    /// How many presets there are (Default included).
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Always false: the Default preset is always there.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> Settings {
        let mut s = Settings::default();
        s.add_preset("Hard", None).unwrap();
        let mut hard = s.preset("Hard").unwrap();
        hard.desired_retention = 0.8;
        hard.new_per_day = 5;
        s.set_preset(hard);
        s.assign_preset("algorithms", "Hard").unwrap();
        s
    }

    #[test]
    fn default_preset_is_the_top_level_fields() {
        let mut s = Settings::default();
        assert_eq!(s.preset_names(), ["Default"]);
        let mut d = s.default_preset();
        d.new_per_day = 7;
        s.set_preset(d);
        assert_eq!(s.new_per_day, 7);
        assert!(s.presets.is_empty());
        assert_eq!(s.preset_name_of_deck("anything"), "Default");
    }

    #[test]
    fn assignment_rename_and_delete() {
        let mut s = two();
        assert_eq!(s.preset_name_of_deck("algorithms"), "Hard");
        assert_eq!(s.preset_of_deck("algorithms").desired_retention, 0.8);
        // A child deck's file is another deck: nothing inherited.
        assert_eq!(s.preset_name_of_deck("algorithms-graphs"), "Default");
        s.rename_preset("Hard", "Tough").unwrap();
        assert_eq!(s.preset_name_of_deck("algorithms"), "Tough");
        assert_eq!(
            s.rename_preset("Default", "X"),
            Err(PresetError::DefaultIsFixed)
        );
        assert_eq!(
            s.add_preset("default", None),
            Err(PresetError::NameTaken("default".into()))
        );
        assert_eq!(s.add_preset(" x", None), Err(PresetError::BadName));
        assert_eq!(s.remove_preset("Default"), Err(PresetError::DefaultIsFixed));
        assert_eq!(s.remove_preset("Tough").unwrap(), ["algorithms"]);
        assert_eq!(s.preset_name_of_deck("algorithms"), "Default");
        assert!(s.deck_presets.is_empty());
        assert!(s.problems().is_empty());
    }

    #[test]
    fn an_edited_copy_keeps_assignments_made_meanwhile() {
        let saved = two();
        let mut edited = saved.clone();
        edited.add_preset("Light", None).unwrap();
        edited.rename_preset("Hard", "Tough").unwrap();
        // Meanwhile another deck was given Hard, and the theme changed.
        let mut now = saved.clone();
        now.assign_preset("graphs", "Hard").unwrap();
        now.display.theme = crate::schedule::settings::Theme::Dark;
        let merged = now.with_presets_of(&edited, &[("Hard".into(), "Tough".into())]);
        assert_eq!(merged.preset_name_of_deck("algorithms"), "Tough");
        assert_eq!(merged.preset_name_of_deck("graphs"), "Tough");
        assert_eq!(merged.display.theme, crate::schedule::settings::Theme::Dark);
        assert_eq!(merged.preset_names(), ["Default", "Tough", "Light"]);
        // A preset deleted in the copy sends its decks back to Default.
        let mut edited = merged.clone();
        edited.presets.retain(|p| p.name != "Tough");
        let merged = merged.with_presets_of(&edited, &[]);
        assert!(merged.deck_presets.is_empty());
        assert!(merged.problems().is_empty());
    }

    #[test]
    fn duplicate_and_unused_names() {
        let mut s = two();
        assert_eq!(s.unused_preset_name("Hard"), "Hard 2");
        s.add_preset("Hard 2", Some("Hard")).unwrap();
        assert_eq!(s.preset("Hard 2").unwrap().new_per_day, 5);
        assert_eq!(s.unused_preset_name("Hard"), "Hard 3");
        assert_eq!(s.unused_preset_name("Default"), "Default 2");
    }

    #[test]
    fn a_preset_without_parameters_uses_the_default_presets() {
        let mut s = two();
        s.fsrs_parameters = vec![0.5; 21];
        let hard = s.for_preset("Hard").unwrap();
        assert_eq!(hard.desired_retention, 0.8);
        assert_eq!(hard.fsrs_parameters, vec![0.5; 21]);
        let mut p = s.preset("Hard").unwrap();
        p.fsrs_parameters = vec![0.25; 21];
        s.set_preset(p);
        assert_eq!(
            s.for_preset("Hard").unwrap().fsrs_parameters,
            vec![0.25; 21]
        );
        assert_eq!(
            s.for_preset("Default").unwrap().fsrs_parameters,
            vec![0.5; 21]
        );
    }

    #[test]
    fn problems_name_the_preset() {
        let mut s = two();
        let mut p = s.preset("Hard").unwrap();
        p.desired_retention = 1.5;
        s.set_preset(p);
        s.deck_presets.insert("x".into(), "Gone".into());
        let problems = s.problems().join("\n");
        assert!(
            problems.contains("preset \"Hard\": desired_retention is 1.5"),
            "{problems}"
        );
        assert!(
            problems.contains("\"Gone\", which does not exist"),
            "{problems}"
        );
    }
}
