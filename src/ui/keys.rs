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
    let response = egui::Modal::new(egui::Id::unique("shortcuts")).show(ctx, |ui| {
        ui.set_max_width(560.0);
        ui.heading("Keyboard shortcuts");
        ui.add_space(6.0);
        egui::ScrollArea::vertical()
            .max_height(ctx.content_rect().height() - 140.0)
            .show(ui, |ui| {
                for (place, keys) in KEYS {
                    ui.add_space(6.0);
                    ui.label(RichText::new(*place).strong());
                    egui::Grid::new(("keys", *place))
                        .num_columns(2)
                        .spacing([18.0, 4.0])
                        .show(ui, |ui| {
                            for (key, does) in *keys {
                                ui.label(RichText::new(*key).monospace());
                                ui.label(*does);
                                ui.end_row();
                            }
                        });
                }
            });
        ui.add_space(8.0);
        if ui.button("Close").clicked() {
            open = false;
        }
    });
    if response.should_close() {
        open = false;
    }
    open
}
