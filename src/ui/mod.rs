//! The window: a thin egui layer over [`Collection`]. One screen per file; each
//! screen is a plain struct of UI state with a `show` method.

mod history;
mod home;
mod markdown;
mod settings;
mod stats;
mod study;
mod theme;
mod weak;

use egui::{Key, Modifiers};
use jiff::Timestamp;

use crate::collection::Collection;
use crate::study::Scope;

pub use markdown::Markdown;
pub use theme::install_fonts;

/// Which screen is showing.
enum Screen {
    Home,
    Study(Box<study::StudyScreen>),
    Weak(Box<weak::WeakScreen>),
    Stats(Box<stats::StatsScreen>),
    Settings(Box<settings::SettingsScreen>),
}

/// What a screen asks the app to do next.
pub(crate) enum Nav {
    Stay,
    Home,
    Study(Scope),
    Weak,
    Stats,
    Settings,
}

/// The whole application state behind the window.
pub struct RehearseApp {
    collection: Collection,
    screen: Screen,
    markdown: Markdown,
    home: home::HomeScreen,
    history: history::HistoryCache,
    styled: bool,
}

impl RehearseApp {
    /// An app over an open collection.
    pub fn new(collection: Collection) -> Self {
        Self {
            collection,
            screen: Screen::Home,
            markdown: Markdown::default(),
            home: home::HomeScreen::default(),
            history: history::HistoryCache::default(),
            styled: false,
        }
    }

    /// The collection, for tests and the CLI.
    pub fn collection(&self) -> &Collection {
        &self.collection
    }

    /// The study screen's current card and whether its answer is showing.
    pub fn study_state(&self) -> Option<(Option<crate::deck::ItemId>, bool)> {
        match &self.screen {
            Screen::Study(s) => Some((s.current().cloned(), s.revealed())),
            _ => None,
        }
    }

    /// Draws one frame.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        if !self.styled {
            theme::apply(ui.ctx());
            self.styled = true;
        }
        let now = Timestamp::now();
        let nav = self.top_bar(ui);
        let nav = match nav {
            Nav::Stay => {
                egui::CentralPanel::default()
                    .show(ui, |ui| match &mut self.screen {
                        Screen::Home => self.home.show(ui, &mut self.collection, now),
                        Screen::Study(s) => {
                            s.show(ui, &mut self.collection, &mut self.markdown, now)
                        }
                        Screen::Weak(s) => s.show(ui, &mut self.collection, &mut self.history, now),
                        Screen::Stats(s) => {
                            s.show(ui, &self.collection, &mut self.history, now);
                            Nav::Stay
                        }
                        Screen::Settings(s) => s.show(ui, &mut self.collection),
                    })
                    .inner
            }
            other => other,
        };
        let nav = match nav {
            Nav::Stay
                if !ui.ctx().egui_wants_keyboard_input()
                    && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) =>
            {
                Nav::Home
            }
            other => other,
        };
        self.go(nav, now);
    }

    fn go(&mut self, nav: Nav, now: Timestamp) {
        if !matches!(nav, Nav::Stay) && matches!(self.screen, Screen::Study(_)) {
            // Answers were given: figures built from the history are out of date.
            self.history.invalidate();
        }
        match nav {
            Nav::Stay => {}
            Nav::Weak => {
                self.screen = Screen::Weak(Box::new(weak::WeakScreen::new(&self.collection)))
            }
            Nav::Stats => self.screen = Screen::Stats(Box::default()),
            Nav::Home => {
                if matches!(self.screen, Screen::Study(_)) {
                    // A good moment to bring the cache up to date, off this thread.
                    self.collection.save_snapshot_in_background();
                }
                self.home = home::HomeScreen::default();
                self.screen = Screen::Home;
            }
            Nav::Study(scope) => {
                self.screen = Screen::Study(Box::new(study::StudyScreen::new(
                    &self.collection,
                    scope,
                    now,
                )));
            }
            Nav::Settings => {
                self.screen =
                    Screen::Settings(Box::new(settings::SettingsScreen::new(&self.collection)));
            }
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) -> Nav {
        let mut nav = Nav::Stay;
        egui::Panel::top("top_bar").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new("Rehearse").strong().size(18.0));
                ui.add_space(16.0);
                let at_home = matches!(self.screen, Screen::Home);
                if ui.selectable_label(at_home, "Decks").clicked() {
                    nav = Nav::Home;
                }
                let in_weak = matches!(self.screen, Screen::Weak(_));
                if ui.selectable_label(in_weak, "Weak topics").clicked() {
                    nav = Nav::Weak;
                }
                let in_stats = matches!(self.screen, Screen::Stats(_));
                if ui.selectable_label(in_stats, "Statistics").clicked() {
                    nav = Nav::Stats;
                }
                let in_settings = matches!(self.screen, Screen::Settings(_));
                if ui.selectable_label(in_settings, "Settings").clicked() {
                    nav = Nav::Settings;
                }
            });
            ui.add_space(2.0);
        });
        nav
    }

    /// Saves the state cache; called when the window closes.
    pub fn shutdown(&mut self) {
        if let Err(e) = self.collection.save_snapshot() {
            eprintln!("rehearse: {e}");
        }
    }
}

impl eframe::App for RehearseApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.shutdown();
    }
}

/// Shows `message` in a small window, for failures before the collection is
/// open (another instance has the folder, say) when there may be no terminal.
pub fn run_error(message: &str) -> anyhow::Result<()> {
    let message = message.to_string();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Rehearse")
            .with_app_id("rehearse")
            .with_inner_size([560.0, 220.0])
            .with_icon(theme::icon()),
        ..Default::default()
    };
    eframe::run_ui_native("Rehearse", options, move |ui, _frame| {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(12.0);
            ui.heading("Rehearse cannot start");
            ui.add_space(8.0);
            ui.label(&message);
            ui.add_space(16.0);
            if ui.button("Close").clicked() {
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
    })
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

/// Opens the window over `collection` and runs until it is closed.
pub fn run(collection: Collection) -> anyhow::Result<()> {
    let icon = theme::icon();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Rehearse")
            .with_app_id("rehearse")
            .with_inner_size([1000.0, 720.0])
            .with_min_inner_size([560.0, 420.0])
            .with_icon(icon),
        ..Default::default()
    };
    eframe::run_native(
        "Rehearse",
        options,
        Box::new(|_cc| Ok(Box::new(RehearseApp::new(collection)))),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
