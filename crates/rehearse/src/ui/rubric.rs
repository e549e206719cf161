//! Answering a rubric prompt in a study session: the prompt with a running
//! clock and a scratch pad, then the key points to tick (number keys), and a
//! rating proposed from the share covered and the time taken.

use std::time::{Duration, Instant};

use egui::{Key, Modifiers, RichText};

use super::theme;
use rehearse_core::deck::Card;
use rehearse_core::interview::{RubricMarks, propose_rating};
use rehearse_core::schedule::Rating;

/// Rubric answers count up to this long in statistics.
const MAX_RUBRIC_TIME: Duration = Duration::from_secs(60 * 60);

/// One rubric prompt being answered.
pub struct RubricAnswer {
    points: Vec<String>,
    time_box: Option<Duration>,
    started: Instant,
    /// When the rubric was revealed: the clock stops there.
    stopped: Option<Instant>,
    ticked: Vec<bool>,
    notes: String,
}

impl RubricAnswer {
    /// Starts the clock on `card`'s prompt.
    pub fn new(card: &Card) -> Self {
        Self {
            points: card.rubric.points.clone(),
            time_box: card
                .rubric
                .time_box
                .map(|t| Duration::from_secs(u64::from(t.seconds()))),
            started: Instant::now(),
            stopped: None,
            ticked: vec![false; card.rubric.points.len()],
            notes: String::new(),
        }
    }

    /// Time spent answering, up to the reveal.
    pub fn elapsed(&self) -> Duration {
        self.stopped
            .unwrap_or_else(Instant::now)
            .duration_since(self.started)
    }

    /// Time to record with the review.
    pub fn took_ms(&self) -> u32 {
        self.elapsed().min(MAX_RUBRIC_TIME).as_millis() as u32
    }

    /// Stops the clock: the answer is over, the marking begins.
    pub fn reveal(&mut self) {
        self.stopped.get_or_insert_with(Instant::now);
    }

    /// Points covered so far.
    pub fn covered(&self) -> usize {
        self.ticked.iter().filter(|t| **t).count()
    }

    /// The rating the ticks and the clock propose.
    pub fn proposed(&self) -> Rating {
        propose_rating(
            self.covered(),
            self.points.len(),
            self.elapsed(),
            self.time_box,
        )
    }

    /// What goes into the journal with the review.
    pub fn marks(&self) -> RubricMarks {
        RubricMarks {
            covered: (0u16..)
                .zip(&self.ticked)
                .filter(|(_, t)| **t)
                .map(|(i, _)| i)
                .collect(),
            total: self.points.len().min(usize::from(u16::MAX)) as u16,
            notes: self.notes.trim().to_string(),
        }
    }

    /// Whether the answer ran over its time box.
    fn over_time(&self) -> bool {
        self.time_box.is_some_and(|limit| self.elapsed() > limit)
    }

    /// The clock and the scratch pad, while answering. Returns true when the
    /// learner asks for the rubric from the pad (Ctrl+Enter).
    pub fn answering(&mut self, ui: &mut egui::Ui) -> bool {
        ui.add_space(12.0);
        let elapsed = self.elapsed();
        let clock = match self.time_box {
            Some(limit) => format!("{} of {}", mmss(elapsed), mmss(limit)),
            None => mmss(elapsed),
        };
        let color = if self.over_time() {
            theme::ERROR
        } else {
            ui.visuals().text_color()
        };
        ui.horizontal(|ui| {
            ui.label(RichText::new("⏱").size(18.0));
            ui.label(RichText::new(clock).monospace().size(18.0).color(color))
                .on_hover_text("Answer aloud as in the interview; running over costs one grade");
        });
        ui.ctx().request_repaint_after(Duration::from_millis(500));
        ui.add_space(8.0);
        let l = ui.label("Scratch pad (optional, kept with the review)");
        let pad = ui
            .add(
                egui::TextEdit::multiline(&mut self.notes)
                    .hint_text("Notes as you talk it through… Ctrl+Enter shows the rubric")
                    .desired_rows(6)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
        let done =
            pad.has_focus() && ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter));
        if done {
            // The keys now tick points; the pad is gone.
            pad.surrender_focus();
        }
        done
    }

    /// Number keys 1–9 tick or untick the points, while marking.
    pub fn tick_keys(&mut self, ui: &egui::Ui) {
        const DIGITS: [Key; 9] = [
            Key::Num1,
            Key::Num2,
            Key::Num3,
            Key::Num4,
            Key::Num5,
            Key::Num6,
            Key::Num7,
            Key::Num8,
            Key::Num9,
        ];
        for (n, key) in DIGITS.into_iter().enumerate() {
            if ui.input_mut(|i| i.consume_key(Modifiers::NONE, key))
                && let Some(t) = self.ticked.get_mut(n)
            {
                *t = !*t;
            }
        }
    }

    /// The key points to tick, after the reveal.
    pub fn marking(&mut self, ui: &mut egui::Ui) {
        ui.add_space(8.0);
        ui.label(
            RichText::new(format!(
                "Tick what your answer covered (keys 1–{}), in {}{}",
                self.points.len().min(9),
                mmss(self.elapsed()),
                match self.time_box {
                    Some(limit) if self.over_time() => format!(", over the {} box", mmss(limit)),
                    Some(limit) => format!(", within the {} box", mmss(limit)),
                    None => String::new(),
                }
            ))
            .strong(),
        );
        ui.add_space(4.0);
        for (n, (point, ticked)) in self.points.iter().zip(&mut self.ticked).enumerate() {
            let key = if n < 9 {
                format!("{}  ", n + 1)
            } else {
                "    ".into()
            };
            ui.checkbox(ticked, RichText::new(format!("{key}{point}")));
        }
        if !self.notes.trim().is_empty() {
            ui.add_space(8.0);
            ui.label(RichText::new("Your notes").small().weak());
            ui.label(&self.notes);
        }
    }

    /// The line above the grade buttons: what the ticks propose.
    pub fn proposal_line(&self) -> String {
        format!(
            "Covered {} of {} · proposed: {}{} · Enter accepts, Shift+1–4 or a click chooses another",
            self.covered(),
            self.points.len(),
            self.proposed().label(),
            if self.over_time() {
                " (one lower for running over)"
            } else {
                ""
            }
        )
    }
}

/// "4:05".
pub(super) fn mmss(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_reads_minutes_and_seconds() {
        assert_eq!(mmss(Duration::from_secs(0)), "0:00");
        assert_eq!(mmss(Duration::from_secs(245)), "4:05");
        assert_eq!(mmss(Duration::from_secs(600)), "10:00");
    }
}
