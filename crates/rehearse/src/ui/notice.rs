//! Transient notices ("toasts"): what just happened, in a corner that never
//! covers navigation. Information fades after a few seconds; errors stay until
//! dismissed; the recent ones are one click away in the top bar.
//!
//! Notices live in the egui context, so any screen can post one with
//! [`info`], [`error`] or [`report`] without threading a parameter through
//! every `show` function.

use std::time::{Duration, Instant};

use egui::{Align2, Color32, Id, RichText};

use super::theme;

/// How long an informational notice stays fully visible.
const VISIBLE: Duration = Duration::from_secs(4);
/// How long it then takes to fade out.
const FADE: Duration = Duration::from_millis(600);
/// How many past notices the history keeps.
const HISTORY: usize = 50;

/// Whether a notice reports success or a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Something happened as asked.
    Info,
    /// Something failed; stays until dismissed.
    Error,
}

#[derive(Clone, Debug)]
struct Notice {
    kind: Kind,
    text: String,
    at: Instant,
    clock: String,
    dismissed: bool,
}

#[derive(Clone, Default)]
struct Notices {
    items: Vec<Notice>,
}

fn id() -> Id {
    Id::unique("rehearse_notices")
}

fn with<R>(ctx: &egui::Context, f: impl FnOnce(&mut Notices) -> R) -> R {
    ctx.data_mut(|d| f(d.get_temp_mut_or_default::<Notices>(id())))
}

/// Posts a notice.
pub fn post(ctx: &egui::Context, kind: Kind, text: impl Into<String>) {
    let text = text.into();
    let clock = jiff::Zoned::now().strftime("%H:%M:%S").to_string();
    with(ctx, |n| {
        // The same message again replaces the old one rather than stacking.
        n.items.retain(|old| old.text != text || old.dismissed);
        n.items.push(Notice {
            kind,
            text,
            at: Instant::now(),
            clock,
            dismissed: false,
        });
        let excess = n.items.len().saturating_sub(HISTORY);
        n.items.drain(..excess);
    });
    ctx.request_repaint();
}

/// Posts information that fades by itself.
pub fn info(ctx: &egui::Context, text: impl Into<String>) {
    post(ctx, Kind::Info, text);
}

/// Posts an error that stays until dismissed.
pub fn error(ctx: &egui::Context, text: impl Into<String>) {
    post(ctx, Kind::Error, text);
}

/// Posts the outcome of an operation: its message, or its error.
pub fn report<E: std::fmt::Display>(ctx: &egui::Context, result: Result<String, E>) {
    match result {
        Ok(text) => info(ctx, text),
        Err(e) => error(ctx, e.to_string()),
    }
}

/// The notices currently on screen, oldest first (for tests and the history).
pub fn showing(ctx: &egui::Context) -> Vec<(Kind, String)> {
    let now = Instant::now();
    with(ctx, |n| {
        n.items
            .iter()
            .filter(|x| is_showing(x, now))
            .map(|x| (x.kind, x.text.clone()))
            .collect()
    })
}

fn is_showing(n: &Notice, now: Instant) -> bool {
    !n.dismissed && (n.kind == Kind::Error || now.duration_since(n.at) < VISIBLE + FADE)
}

/// Draws the toasts in the bottom-right corner, above the content but away
/// from the top bar and its tabs.
pub fn show_toasts(ctx: &egui::Context) {
    let now = Instant::now();
    let items = with(ctx, |n| n.items.clone());
    let live: Vec<(usize, &Notice)> = items
        .iter()
        .enumerate()
        .filter(|(_, x)| is_showing(x, now))
        .collect();
    if live.is_empty() {
        return;
    }
    let mut dismiss = Vec::new();
    let max_width = (ctx.content_rect().width() * 0.5).clamp(260.0, 460.0);
    // Information passes clicks through to what lies beneath (it fades by
    // itself); only an error, which waits to be dismissed, takes clicks.
    let any_error = live.iter().any(|(_, n)| n.kind == Kind::Error);
    egui::Area::new(Id::unique("rehearse_toasts"))
        .anchor(Align2::RIGHT_BOTTOM, [-14.0, -14.0])
        .order(egui::Order::Foreground)
        .interactable(any_error)
        .show(ctx, |ui| {
            ui.set_max_width(max_width);
            for (index, n) in live.iter().rev().take(4).rev() {
                let age = now.duration_since(n.at);
                let opacity = if n.kind == Kind::Error || age < VISIBLE {
                    1.0
                } else {
                    1.0 - (age - VISIBLE).as_secs_f32() / FADE.as_secs_f32()
                };
                ui.scope(|ui| {
                    ui.set_opacity(opacity.clamp(0.0, 1.0));
                    toast(ui, n, || dismiss.push(*index));
                });
                ui.add_space(6.0);
            }
        });
    if !dismiss.is_empty() {
        with(ctx, |n| {
            for i in dismiss {
                if let Some(x) = n.items.get_mut(i) {
                    x.dismissed = true;
                }
            }
        });
    }
    // Keep animating the fade; errors need no repaint to stay put.
    if live.iter().any(|(_, x)| x.kind == Kind::Info) {
        ctx.request_repaint_after(Duration::from_millis(100));
    }
}

fn toast(ui: &mut egui::Ui, n: &Notice, mut dismiss: impl FnMut()) {
    let accent = color(n.kind);
    egui::Frame::popup(ui.style())
        .stroke(egui::Stroke::new(1.5, accent))
        .inner_margin(egui::Margin::symmetric(12, 8))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.add(
                    egui::Label::new(
                        RichText::new(&n.text).color(ui.visuals().strong_text_color()),
                    )
                    .wrap(),
                );
                if n.kind == Kind::Error && ui.small_button("✕").on_hover_text("Dismiss").clicked()
                {
                    dismiss();
                }
            });
        });
}

fn color(kind: Kind) -> Color32 {
    match kind {
        Kind::Info => theme::REVIEW,
        Kind::Error => theme::ERROR,
    }
}

/// The top bar's button that lists recent notices; shows how many errors are
/// waiting.
pub fn history_button(ui: &mut egui::Ui) {
    let items = with(ui.ctx(), |n| n.items.clone());
    let errors = items
        .iter()
        .filter(|n| n.kind == Kind::Error && !n.dismissed)
        .count();
    let label = if errors > 0 {
        RichText::new(format!("Messages ({errors})")).color(theme::ERROR)
    } else {
        RichText::new("Messages")
    };
    let response = ui
        .add(egui::Button::new(label).frame(false))
        .on_hover_text("Recent messages");
    egui::Popup::menu(&response)
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .show(|ui| {
            ui.set_min_width(320.0);
            ui.set_max_width(520.0);
            if items.is_empty() {
                ui.label(RichText::new("No messages yet.").weak());
                return;
            }
            egui::ScrollArea::vertical()
                .max_height(360.0)
                .show(ui, |ui| {
                    for n in items.iter().rev() {
                        ui.horizontal_wrapped(|ui| {
                            ui.label(RichText::new(&n.clock).small().weak().monospace());
                            ui.colored_label(
                                if n.kind == Kind::Error {
                                    theme::ERROR
                                } else {
                                    ui.visuals().text_color()
                                },
                                &n.text,
                            );
                        });
                    }
                });
            if ui.button("Clear").clicked() {
                with(ui.ctx(), |n| n.items.clear());
                ui.close();
            }
        });
}
