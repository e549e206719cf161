//! Custom study, as Anki offers it: more new cards or reviews than today's
//! limits, forgotten cards again, or reviews ahead of time. Each runs as a
//! session of its own; the answers are real reviews.

use egui::RichText;
use jiff::Timestamp;

use super::history::HistoryCache;
use super::{Nav, plural, theme};
use rehearse_core::collection::Collection;
use rehearse_core::study::{Scope, forgotten, review_ahead};

/// What to study.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choice {
    MoreNew,
    MoreReviews,
    Forgotten,
    Ahead,
    Topic,
}

/// The custom-study dialog, for one deck or all.
pub struct CustomDialog {
    /// The deck (slug, name), or every deck.
    deck: Option<(String, String)>,
    choice: Choice,
    amount: u32,
    /// The topic to study, for [`Choice::Topic`].
    topic: String,
    /// The session last worked out, its size and description, for the
    /// choices and collection generation it was made for: working it out
    /// walks every card, too slow to repeat every frame at 100k cards.
    cached: Option<(CacheKey, Scope, usize, String)>,
}

/// What the cached session depends on.
type CacheKey = (Choice, u32, String, u64);

impl CustomDialog {
    /// For deck `slug`, or every deck.
    pub fn new(collection: &Collection, slug: Option<&str>) -> Self {
        let deck = slug.and_then(|s| {
            collection
                .decks()
                .iter()
                .find(|d| d.slug == s)
                .map(|d| (d.slug.clone(), d.name.clone()))
        });
        Self {
            deck,
            choice: Choice::MoreNew,
            amount: 10,
            topic: String::new(),
            cached: None,
        }
    }

    fn decks(&self) -> Option<Vec<String>> {
        self.deck.as_ref().map(|(slug, _)| vec![slug.clone()])
    }

    /// Draws the dialog. Returns where to go and whether it stays open.
    pub fn show(
        &mut self,
        ctx: &egui::Context,
        collection: &Collection,
        history: &mut HistoryCache,
        now: Timestamp,
    ) -> (Option<Nav>, bool) {
        let mut nav = None;
        let mut open = true;
        let modal = egui::Modal::new(egui::Id::unique("custom_study")).show(ctx, |ui| {
            ui.set_width(480.0);
            ui.heading(self.title());
            ui.add_space(6.0);
            self.choice_buttons(ui);
            ui.add_space(6.0);
            if self.choice == Choice::Topic {
                self.topic_picker(ui, collection);
            }
            self.amount_field(ui);
            let scope = self.current_scope(ui, collection, history, now);
            ui.add_space(8.0);
            (nav, open) = Self::start_buttons(ui, scope);
        });
        if modal.should_close() {
            open = false;
        }
        (nav, open)
    }

    /// "Custom study: Rust", or "Custom study: all decks".
    fn title(&self) -> String {
        match &self.deck {
            Some((_, name)) => format!("Custom study: {name}"),
            None => "Custom study: all decks".to_string(),
        }
    }

    /// One radio button per kind of session; choosing another resets the
    /// amount to that kind's usual one.
    fn choice_buttons(&mut self, ui: &mut egui::Ui) {
        let before = self.choice;
        for (choice, label) in [
            (Choice::MoreNew, "More new cards today"),
            (Choice::MoreReviews, "More reviews today"),
            (Choice::Forgotten, "Cards forgotten in the last days"),
            (Choice::Ahead, "Review ahead: due in the next days"),
            (Choice::Topic, "One topic, due or not, weakest first"),
        ] {
            ui.radio_value(&mut self.choice, choice, label);
        }
        if self.choice != before {
            self.amount = match self.choice {
                Choice::MoreNew | Choice::MoreReviews => 10,
                Choice::Forgotten => 1,
                Choice::Ahead => 3,
                Choice::Topic => 30,
            };
        }
    }

    /// The topic to study, chosen among those of the dialog's decks.
    fn topic_picker(&mut self, ui: &mut egui::Ui, collection: &Collection) {
        let topics: std::collections::BTreeSet<&str> = collection
            .decks()
            .iter()
            .filter(|d| self.deck.as_ref().is_none_or(|(slug, _)| d.slug == *slug))
            .flat_map(|d| d.cards.iter().map(|c| c.topic.as_str()))
            .filter(|t| !t.is_empty())
            .collect();
        ui.horizontal(|ui| {
            let l = ui.label("Topic");
            egui::ComboBox::from_id_salt("custom_topic")
                .selected_text(if self.topic.is_empty() {
                    "choose a topic"
                } else {
                    self.topic.as_str()
                })
                .width(300.0)
                .show_ui(ui, |ui| {
                    for t in &topics {
                        ui.selectable_value(&mut self.topic, t.to_string(), *t);
                    }
                })
                .response
                .labelled_by(l.id);
        });
    }

    /// How many, in the choice's unit (cards, reviews or days).
    fn amount_field(&mut self, ui: &mut egui::Ui) {
        let unit = match self.choice {
            Choice::MoreNew => "new cards more",
            Choice::MoreReviews => "reviews more",
            Choice::Forgotten | Choice::Ahead => "days",
            Choice::Topic => "cards at most",
        };
        ui.horizontal(|ui| {
            let l = ui.label("How many");
            ui.add(egui::DragValue::new(&mut self.amount).range(1..=9999))
                .labelled_by(l.id);
            ui.label(unit);
        });
    }

    /// The session the choices make and its size, with the line saying so
    /// shown; worked out again only when a choice or the collection changed.
    fn current_scope(
        &mut self,
        ui: &mut egui::Ui,
        collection: &Collection,
        history: &mut HistoryCache,
        now: Timestamp,
    ) -> Option<(Scope, usize)> {
        let key = (
            self.choice,
            self.amount,
            self.topic.clone(),
            collection.generation(),
        );
        let fresh = match &self.cached {
            Some((k, scope, n, text)) if *k == key => Some((scope.clone(), *n, text.clone())),
            _ => self.scope(ui, collection, history, now),
        };
        if let Some((scope, n, text)) = &fresh {
            ui.label(RichText::new(text).weak());
            self.cached = Some((key, scope.clone(), *n, text.clone()));
        }
        fresh.map(|(scope, n, _)| (scope, n))
    }

    /// "Study N cards", disabled when the session is empty, and Cancel.
    /// Returns where to go and whether the dialog stays open.
    fn start_buttons(ui: &mut egui::Ui, scope: Option<(Scope, usize)>) -> (Option<Nav>, bool) {
        let mut nav = None;
        let mut open = true;
        ui.horizontal(|ui| {
            let ready = scope.as_ref().is_some_and(|(_, n)| *n > 0);
            let label = scope.as_ref().map_or("Start".to_string(), |(_, n)| {
                format!("Study {}", plural(*n, "card"))
            });
            if ui
                .add_enabled(ready, theme::primary(&label))
                .on_disabled_hover_text("Nothing to study with these choices")
                .clicked()
                && let Some((scope, _)) = scope
            {
                nav = Some(Nav::Study(scope));
                open = false;
            }
            if ui.button("Cancel").clicked() {
                open = false;
            }
        });
        (nav, open)
    }

    /// The session the choice makes, how many cards it holds now, and a line
    /// saying so.
    fn scope(
        &self,
        ui: &mut egui::Ui,
        collection: &Collection,
        history: &mut HistoryCache,
        now: Timestamp,
    ) -> Option<(Scope, usize, String)> {
        let decks = self.decks();
        let amount = self.amount as usize;
        let (scope, count) = match self.choice {
            Choice::MoreNew | Choice::MoreReviews => {
                let (extra_new, extra_reviews) = if self.choice == Choice::MoreNew {
                    (amount, 0)
                } else {
                    (0, amount)
                };
                let scope = Scope::Extended {
                    decks,
                    extra_new,
                    extra_reviews,
                };
                let left = rehearse_core::study::Session::new(collection, scope.clone(), now)
                    .remaining(collection);
                (scope, left.total())
            }
            Choice::Ahead => {
                let items = review_ahead(collection, decks.as_deref(), self.amount, now);
                let n = items.len();
                (Scope::Fixed(items), n)
            }
            Choice::Topic => {
                if self.topic.is_empty() {
                    ui.label(RichText::new("Choose a topic.").weak());
                    return None;
                }
                let filter = rehearse_core::insight::weak::DrillFilter {
                    topics: vec![self.topic.clone()],
                    tags: Vec::new(),
                };
                let items: Vec<_> = rehearse_core::insight::weak::drill_items(
                    collection,
                    &filter,
                    now,
                    self.amount as usize,
                )
                .into_iter()
                .filter(|i| {
                    let deck = collection.item(i).map(|r| &collection.decks()[r.deck].slug);
                    self.deck
                        .as_ref()
                        .is_none_or(|(slug, _)| deck == Some(slug))
                })
                .collect();
                let n = items.len();
                (Scope::Fixed(items), n)
            }
            Choice::Forgotten => {
                let Some(h) = history.get(collection, ui.ctx()) else {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Reading the review history…");
                    });
                    return None;
                };
                let items = forgotten(collection, &h, decks.as_deref(), self.amount, now);
                let n = items.len();
                (Scope::Fixed(items), n)
            }
        };
        let text = match self.choice {
            Choice::MoreNew | Choice::MoreReviews => format!(
                "{} to study today with the limit raised.",
                plural(count, "card")
            ),
            Choice::Forgotten => format!("{} forgotten since then.", plural(count, "card")),
            Choice::Ahead => format!(
                "{} due in that time; answered now, they are scheduled from today.",
                plural(count, "card")
            ),
            Choice::Topic => format!(
                "{} of \"{}\", lowest predicted recall first.",
                plural(count, "card"),
                self.topic
            ),
        };
        Some((scope, count, text))
    }
}
