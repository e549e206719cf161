//! The shortcut overlay (`?`): every key the window answers to, by screen.

use egui::RichText;

/// Every shortcut, grouped by where it works.
const KEYS: &[(&str, &[(&str, &str)])] = &[
    (
        "Anywhere",
        &[
            ("?", "show or hide this list"),
            ("Ctrl+Z", "undo the last change (says what it undid)"),
            ("Ctrl+P", "settings"),
            ("Ctrl+I", "import cards from a file"),
            ("Esc", "back to the decks"),
        ],
    ),
    (
        "Decks and other screens",
        &[
            ("↑ ↓", "move the highlight between decks"),
            ("Enter", "study the highlighted deck (or every deck)"),
            ("a", "add a card"),
            ("b", "browse"),
            ("/", "browse with the search box focused"),
            ("d", "decks"),
            ("w", "weak topics"),
            ("r", "interview readiness"),
            ("m", "mock interview"),
            ("t", "statistics"),
        ],
    ),
    (
        "Study",
        &[
            ("Space or Enter", "show the answer; once shown, Good"),
            ("1 2 3 4", "Again, Hard, Good, Easy"),
            ("u or Ctrl+Z", "undo the last answer"),
            ("e", "edit this card"),
            ("i", "card info: its reviews and forgetting curve"),
            ("-", "bury: keep the card for tomorrow"),
            ("@", "suspend the card"),
            ("Esc", "stop studying"),
        ],
    ),
    (
        "Rubric prompts (interview mode)",
        &[
            ("Space or Enter", "done answering: show the key points"),
            ("Ctrl+Enter", "the same, from the scratch pad"),
            ("1 … 9", "tick or untick a key point"),
            ("Enter", "accept the proposed grade"),
            ("Shift+1 … 4", "choose another grade"),
        ],
    ),
    (
        "Browse",
        &[
            ("/", "focus the search box"),
            ("↑ ↓", "move the selection; with Shift, extend it"),
            ("Ctrl+A", "select every row listed"),
            ("Enter", "edit the selected card"),
            ("i", "card info of the selected row"),
            ("Delete", "ask to delete the selected cards"),
            ("Esc", "clear the search; again, leave"),
        ],
    ),
    (
        "Editor",
        &[
            ("Ctrl+Enter", "save and start the next card"),
            ("Tab, Enter, ↑ ↓", "pick a topic or tag suggestion"),
            ("Esc", "close (asks first if there are unsaved changes)"),
        ],
    ),
];

/// Draws the overlay; returns whether it stays open.
pub fn overlay(ctx: &egui::Context) -> bool {
    let mut open = true;
    let screen = ctx.content_rect();
    let width = (screen.width() - 60.0).clamp(360.0, 900.0);
    let response = egui::Modal::new(egui::Id::unique("shortcuts")).show(ctx, |ui| {
        ui.set_width(width);
        ui.horizontal(|ui| {
            ui.heading("Keyboard shortcuts");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Close").on_hover_text("? or Esc").clicked() {
                    open = false;
                }
            });
        });
        ui.add_space(4.0);
        egui::ScrollArea::vertical()
            .max_height((screen.height() - 160.0).max(200.0))
            .show(ui, |ui| {
                // Two columns when there is room, so everything fits on one screen.
                let columns = if width >= 700.0 { 2 } else { 1 };
                ui.columns(columns, |cols| {
                    let per = KEYS.len().div_ceil(columns);
                    for (c, col) in cols.iter_mut().enumerate() {
                        for (place, keys) in KEYS.iter().skip(c * per).take(per) {
                            section(col, place, keys);
                        }
                    }
                });
            });
    });
    if response.should_close() {
        open = false;
    }
    open
}

fn section(ui: &mut egui::Ui, place: &str, keys: &[(&str, &str)]) {
    ui.add_space(6.0);
    ui.label(RichText::new(place).strong());
    egui::Grid::new(("keys", place))
        .num_columns(2)
        .spacing([14.0, 3.0])
        .show(ui, |ui| {
            for (key, does) in keys {
                ui.label(RichText::new(*key).monospace());
                ui.add(egui::Label::new(*does).wrap());
                ui.end_row();
            }
        });
}
