//! The window: a thin egui layer over [`Collection`]. One screen per file; each
//! screen is a plain struct of UI state with a `show` method.

mod browse;
mod card_info;
mod chart;
mod custom;
mod editor;
mod file_dialog;
mod history;
mod home;
mod import;
mod keys;
mod markdown;
mod mock;
mod notice;
mod readiness;
mod rubric;
mod settings;
mod simulator;
mod stats;
mod study;
mod task;
mod theme;
mod weak;

use egui::{Key, Modifiers};
use jiff::Timestamp;

use rehearse_core::collection::{Collection, Undone};
use rehearse_core::study::Scope;

pub use markdown::Markdown;
pub use theme::install_fonts;

/// Which screen is showing.
enum Screen {
    Home,
    Study(Box<study::StudyScreen>),
    Browse(Box<browse::BrowseScreen>),
    Edit(Box<editor::EditorScreen>),
    Import(Box<import::ImportScreen>),
    Weak(Box<weak::WeakScreen>),
    Readiness(Box<readiness::ReadinessScreen>),
    MockSetup(Box<mock::MockScreen>),
    Stats(Box<stats::StatsScreen>),
    Simulator(Box<simulator::SimulatorScreen>),
    Settings(Box<settings::SettingsScreen>),
    CardInfo(Box<card_info::CardInfoScreen>),
}

/// What a screen asks the app to do next.
pub(crate) enum Nav {
    Stay,
    Home,
    Study(Scope),
    Browse,
    /// The browser showing a search.
    BrowseQuery(String),
    /// The browser with its search box focused.
    BrowseSearch,
    /// The browser showing a search, weakest (lowest predicted recall) first.
    BrowseWeakest(String),
    /// The editor, on a card or (None) a new one.
    Edit(Option<rehearse_core::deck::CardId>),
    /// The editor, on a new card for a deck.
    NewCard(String),
    /// Importing cards from a file (path may be empty).
    Import(String),
    Weak,
    /// Interview readiness: the forecast to an interview date.
    Readiness,
    /// Setting up a mock interview.
    MockSetup,
    /// Everything about one study item.
    CardInfo(rehearse_core::deck::ItemId),
    /// The custom-study dialog, for a deck (slug) or all decks.
    CustomStudy(Option<String>),
    /// Back to the screen the editor or card info was opened from.
    Back,
    /// Running a mock interview.
    Mock(Box<rehearse_core::interview::MockPlan>),
    Stats,
    /// What if: the workload simulator, from Statistics.
    Simulator,
    Settings,
}

/// A tab in the top bar.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Decks,
    Browse,
    Weak,
    Readiness,
    Stats,
    Settings,
}

/// The top bar's tabs, their labels and their keys.
const TABS: [(Tab, &str, &str); 6] = [
    (Tab::Decks, "Decks", "d"),
    (Tab::Browse, "Browse", "b"),
    (Tab::Weak, "Weak topics", "w"),
    (Tab::Readiness, "Readiness", "r"),
    (Tab::Stats, "Statistics", "t"),
    (Tab::Settings, "Settings", "Ctrl+P"),
];

impl Tab {
    fn nav(self) -> Nav {
        match self {
            Tab::Decks => Nav::Home,
            Tab::Browse => Nav::Browse,
            Tab::Weak => Nav::Weak,
            Tab::Readiness => Nav::Readiness,
            Tab::Stats => Nav::Stats,
            Tab::Settings => Nav::Settings,
        }
    }

    /// The tab a navigation belongs to; `None` for screens opened from
    /// elsewhere (the editor, import, card info, study), which keep the tab
    /// they were opened from.
    fn of(nav: &Nav) -> Option<Tab> {
        match nav {
            Nav::Home => Some(Tab::Decks),
            Nav::Browse | Nav::BrowseQuery(_) | Nav::BrowseSearch | Nav::BrowseWeakest(_) => {
                Some(Tab::Browse)
            }
            Nav::Weak => Some(Tab::Weak),
            Nav::Readiness | Nav::MockSetup => Some(Tab::Readiness),
            Nav::Stats | Nav::Simulator => Some(Tab::Stats),
            Nav::Settings => Some(Tab::Settings),
            _ => None,
        }
    }
}

/// A file dropped onto the window this frame: a CSV or TSV dropped there
/// opens the import preview.
fn dropped_file(ui: &egui::Ui) -> Option<std::path::PathBuf> {
    ui.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .find(|p| !p.as_os_str().is_empty())
    })
}

/// "1 card", "3 cards".
pub(crate) fn plural(n: usize, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// The whole application state behind the window.
pub struct RehearseApp {
    collection: Collection,
    screen: Screen,
    markdown: Markdown,
    home: home::HomeScreen,
    history: history::HistoryCache,
    watcher: Option<rehearse_core::store::watch::DataWatcher>,
    styled: bool,
    /// Fallback fonts for other scripts, loading in the background.
    fonts: Option<theme::SystemFonts>,
    /// The theme last applied, to notice a change in Settings.
    theme: Option<rehearse_core::schedule::settings::Theme>,
    /// Notices raised outside a frame (file changes), posted on the next one.
    queued: Vec<(notice::Kind, String)>,
    /// Whether the shortcut overlay (`?`) shows.
    show_keys: bool,
    /// The tab highlighted in the top bar.
    tab: Tab,
    /// The custom-study dialog, when open.
    custom: Option<custom::CustomDialog>,
    /// The study session or browser left for the editor or card info,
    /// resumed when that closes.
    paused: Option<Box<Screen>>,
    /// The What-if screen while another shows, so that its inputs, result
    /// and any running simulation are there when it is opened again.
    simulator: Option<Box<simulator::SimulatorScreen>>,
}

impl RehearseApp {
    /// An app over an open collection.
    pub fn new(collection: Collection) -> Self {
        let markdown = Markdown::with_root(collection.root());
        Self {
            collection,
            screen: Screen::Home,
            markdown,
            home: home::HomeScreen::default(),
            history: history::HistoryCache::default(),
            watcher: None,
            styled: false,
            fonts: None,
            theme: None,
            queued: Vec::new(),
            show_keys: false,
            tab: Tab::Decks,
            custom: None,
            paused: None,
            simulator: None,
        }
    }

    /// The collection, for tests and the CLI.
    pub fn collection(&self) -> &Collection {
        &self.collection
    }

    /// The study screen's current card and whether its answer is showing.
    pub fn study_state(&self) -> Option<(Option<rehearse_core::deck::ItemId>, bool)> {
        match &self.screen {
            Screen::Study(s) => Some((s.current().cloned(), s.revealed())),
            _ => None,
        }
    }

    /// The browser's search, sort column and direction (descending), when it shows.
    pub fn browse_state(&self) -> Option<(String, rehearse_core::search::SortColumn, bool)> {
        match &self.screen {
            Screen::Browse(b) => Some(b.state()),
            _ => None,
        }
    }

    /// The notices showing now, oldest first: (is an error, text).
    pub fn notices(ctx: &egui::Context) -> Vec<(bool, String)> {
        notice::showing(ctx)
            .into_iter()
            .map(|(kind, text)| (kind == notice::Kind::Error, text))
            .collect()
    }

    /// Watches the data folder for changes made outside the app.
    pub fn watch(&mut self, ctx: &egui::Context) {
        let ctx_for_notice = ctx;
        let ctx = ctx.clone();
        match rehearse_core::store::watch::DataWatcher::new(self.collection.root(), move || {
            ctx.request_repaint()
        }) {
            Ok(w) => self.watcher = Some(w),
            Err(e) => notice::error(
                ctx_for_notice,
                format!("Changes made outside Rehearse will show after a restart ({e})."),
            ),
        }
    }

    /// Brings the app up to date with files changed on disk.
    pub fn files_changed(&mut self, paths: &[std::path::PathBuf], now: Timestamp) {
        match self.collection.on_files_changed(paths, now) {
            Ok(report) => {
                if let Screen::Edit(editor) = &mut self.screen {
                    for slug in &report.decks {
                        editor.deck_changed_on_disk(&self.collection, slug);
                    }
                }
                let mut parts = Vec::new();
                if !report.decks.is_empty() {
                    parts.push(format!("Reloaded {} from disk", report.decks.join(", ")));
                }
                if report.merged > 0 {
                    parts.push(format!(
                        "merged {} from other devices",
                        plural(report.merged, "answer")
                    ));
                }
                if report.imported > 0 {
                    parts.push(format!(
                        "added {} from an imported review log",
                        plural(report.imported, "answer")
                    ));
                }
                if report.merged + report.imported > 0 {
                    self.history.invalidate();
                }
                if !parts.is_empty() {
                    let mut text = parts.join("; ");
                    if let Some(first) = text.get(..1) {
                        text = first.to_uppercase() + &text[1..];
                    }
                    self.queued.push((notice::Kind::Info, format!("{text}.")));
                    self.home = home::HomeScreen::default();
                }
            }
            Err(e) => self.queued.push((notice::Kind::Error, e.to_string())),
        }
    }

    /// Draws one frame.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.follow_settings(ui.ctx());
        let now = Timestamp::now();
        let changes = self
            .watcher
            .as_ref()
            .map(|w| w.take_changes())
            .unwrap_or_default();
        if !changes.is_empty() {
            self.files_changed(&changes, now);
        }
        for (kind, text) in std::mem::take(&mut self.queued) {
            notice::post(ui.ctx(), kind, text);
        }
        let mut nav = self.top_bar(ui, now);
        if let Some(path) = dropped_file(ui) {
            nav = Nav::Import(path.display().to_string());
        }
        if !matches!(nav, Nav::Stay)
            && let Screen::Edit(editor) = &mut self.screen
            && !editor.may_close(&self.collection)
        {
            nav = Nav::Stay;
        }
        let nav = match nav {
            Nav::Stay => {
                egui::CentralPanel::default()
                    .show(ui, |ui| self.screen(ui, now))
                    .inner
            }
            other => other,
        };
        let typing = ui.ctx().egui_wants_keyboard_input();
        let in_study = matches!(self.screen, Screen::Study(_));
        let nav = match nav {
            Nav::Stay if !typing => self.escape(ui),
            other => other,
        };
        if !typing && !in_study && ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Z)) {
            self.undo(ui.ctx(), now);
        }
        let nav = match nav {
            Nav::Stay if !typing => self.shortcut(ui),
            other => other,
        };
        self.go(nav, now);
        if let Some(dialog) = &mut self.custom {
            let (nav, open) = dialog.show(ui.ctx(), &self.collection, &mut self.history, now);
            if !open {
                self.custom = None;
            }
            if let Some(nav) = nav {
                self.go(nav, now);
            }
        }
        if self.show_keys {
            self.show_keys = keys::overlay(ui.ctx());
        }
        notice::show_toasts(ui.ctx());
    }

    /// Applies what the settings say about the whole window (the style on
    /// the first frame, the theme, remote images) and takes in any fallback
    /// fonts that have loaded.
    fn follow_settings(&mut self, ctx: &egui::Context) {
        if !self.styled {
            theme::apply(ctx);
            self.styled = true;
        }
        if let Some(fonts) = &mut self.fonts {
            fonts.poll(ctx);
        }
        self.markdown
            .set_load_remote(self.collection.settings().display.load_remote_images);
        let wanted = self.collection.settings().display.theme;
        if self.theme != Some(wanted) {
            theme::set(ctx, wanted);
            self.theme = Some(wanted);
        }
    }

    /// Draws the current screen; returns where it asks to go.
    fn screen(&mut self, ui: &mut egui::Ui, now: Timestamp) -> Nav {
        match &mut self.screen {
            Screen::Home => self.home.show(ui, &mut self.collection, now),
            Screen::Study(s) => s.show(ui, &mut self.collection, &mut self.markdown, now),
            Screen::Browse(s) => s
                .show(ui, &mut self.collection, &mut self.history, now)
                .map_or(Nav::Stay, browse::nav_for),
            Screen::Edit(s) => s.show(ui, &mut self.collection, &mut self.markdown),
            Screen::Import(s) => s.show(ui, &mut self.collection),
            Screen::Weak(s) => s.show(ui, &mut self.collection, &mut self.history, now),
            Screen::Readiness(s) => s.show(ui, &mut self.collection, &mut self.history, now),
            Screen::MockSetup(s) => s.show(ui, &self.collection, now),
            Screen::CardInfo(s) => s.show(ui, &self.collection, &mut self.history, now),
            Screen::Stats(s) => s.show(ui, &self.collection, &mut self.history, now),
            Screen::Simulator(s) => s.show(ui, &mut self.collection, &self.history, now),
            Screen::Settings(s) => s.show(ui, &mut self.collection),
        }
    }

    /// Esc, when nothing else took it: back to where the screen was opened
    /// from. Not in the editor, which handles Esc itself so that unsaved
    /// text is never lost, nor while the shortcut overlay shows.
    fn escape(&mut self, ui: &egui::Ui) -> Nav {
        let in_editor = matches!(self.screen, Screen::Edit(_));
        if in_editor
            || self.show_keys
            || !ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape))
        {
            return Nav::Stay;
        }
        match self.screen {
            Screen::CardInfo(_) => Nav::Back,
            Screen::Simulator(_) => Nav::Stats,
            _ => Nav::Home,
        }
    }

    /// The keys that work on every screen but Study and the editor (where
    /// letters answer, or are typed): tabs, add, search, and `?` for help.
    fn shortcut(&mut self, ui: &egui::Ui) -> Nav {
        if matches!(self.screen, Screen::Edit(_))
            || matches!(&self.screen, Screen::Settings(s) if s.dialog_open())
            || self.home.dialog_open()
            || self.custom.is_some()
        {
            return Nav::Stay;
        }
        let pressed = |key| ui.input_mut(|i| i.consume_key(Modifiers::NONE, key));
        // `?` is a shifted key on most layouts: match the typed text instead.
        let question = ui.input_mut(|i| {
            let at = i
                .events
                .iter()
                .position(|e| matches!(e, egui::Event::Text(t) if t == "?"));
            at.map(|at| i.events.remove(at)).is_some()
        });
        if question {
            self.show_keys = !self.show_keys;
            return Nav::Stay;
        }
        if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::P)) {
            return Nav::Settings;
        }
        if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::I)) {
            return Nav::Import(String::new());
        }
        if matches!(self.screen, Screen::Study(_)) {
            return Nav::Stay;
        }
        if pressed(Key::D) {
            Nav::Home
        } else if pressed(Key::B) {
            Nav::Browse
        } else if pressed(Key::W) {
            Nav::Weak
        } else if pressed(Key::R) {
            Nav::Readiness
        } else if pressed(Key::T) {
            Nav::Stats
        } else if pressed(Key::M) {
            Nav::MockSetup
        } else if pressed(Key::A) && !self.collection.decks().is_empty() {
            Nav::Edit(None)
        } else if !matches!(self.screen, Screen::Browse(_)) && pressed(Key::Slash) {
            Nav::BrowseSearch
        } else {
            Nav::Stay
        }
    }

    /// Goes where `nav` asks: pauses or resumes the screen left, keeps the
    /// tab in step, then opens the screen asked for.
    fn go(&mut self, nav: Nav, now: Timestamp) {
        let Some(nav) = self.pause_or_resume(nav) else {
            return;
        };
        if let Some(tab) = Tab::of(&nav) {
            self.tab = tab;
        }
        if !matches!(nav, Nav::Stay) && matches!(self.screen, Screen::Study(_)) {
            // Answers were given: figures built from the history are out of date.
            self.history.invalidate();
        }
        if !matches!(nav, Nav::Stay | Nav::Simulator)
            && let Screen::Simulator(s) = std::mem::replace(&mut self.screen, Screen::Home)
        {
            self.simulator = Some(s);
        }
        self.open(nav, now);
    }

    /// The editor or card info opened from study or the browser comes back
    /// to the same session or list when it closes: leaving for them pauses
    /// the screen, and closing them resumes it (then there is nothing more
    /// to open: `None`). Going anywhere else forgets a paused screen.
    fn pause_or_resume(&mut self, nav: Nav) -> Option<Nav> {
        let returns = matches!(self.screen, Screen::Edit(_) | Screen::CardInfo(_));
        Some(match nav {
            // The editor closes with Nav::Browse, card info with Nav::Back.
            Nav::Browse | Nav::Back if returns && self.paused.is_some() => {
                if let Some(screen) = self.paused.take() {
                    self.screen = *screen;
                }
                return None;
            }
            Nav::Back => Nav::Home,
            Nav::Edit(_) | Nav::CardInfo(_)
                if matches!(self.screen, Screen::Study(_) | Screen::Browse(_)) =>
            {
                let left = std::mem::replace(&mut self.screen, Screen::Home);
                self.paused = Some(Box::new(left));
                nav
            }
            Nav::Stay | Nav::Edit(_) | Nav::CardInfo(_) => nav,
            other => {
                self.paused = None;
                other
            }
        })
    }

    /// Opens the screen (or the custom-study dialog) `nav` asks for.
    fn open(&mut self, nav: Nav, now: Timestamp) {
        match nav {
            Nav::Stay => {}
            Nav::Weak => {
                self.screen = Screen::Weak(Box::new(weak::WeakScreen::new(&self.collection)))
            }
            Nav::Readiness => {
                self.screen = Screen::Readiness(Box::new(readiness::ReadinessScreen::new(
                    &self.collection,
                    now,
                )))
            }
            Nav::CustomStudy(slug) => {
                self.custom = Some(custom::CustomDialog::new(&self.collection, slug.as_deref()));
            }
            Nav::CardInfo(item) => {
                self.screen = Screen::CardInfo(Box::new(card_info::CardInfoScreen::new(item)))
            }
            Nav::Back => {}
            Nav::MockSetup => {
                self.screen =
                    Screen::MockSetup(Box::new(mock::MockScreen::new(&self.collection, now)))
            }
            Nav::Mock(plan) => {
                self.screen = Screen::Study(Box::new(study::StudyScreen::mock(
                    &self.collection,
                    *plan,
                    now,
                )))
            }
            Nav::Stats => self.screen = Screen::Stats(Box::default()),
            Nav::Simulator => {
                let screen = self
                    .simulator
                    .take()
                    .unwrap_or_else(|| Box::new(simulator::SimulatorScreen::new(&self.collection)));
                self.screen = Screen::Simulator(screen);
            }
            Nav::Browse => self.screen = Screen::Browse(Box::default()),
            Nav::BrowseQuery(q) => {
                self.screen = Screen::Browse(Box::new(browse::BrowseScreen::with_query(&q)))
            }
            Nav::BrowseSearch => {
                self.screen = Screen::Browse(Box::new(browse::BrowseScreen::focused()))
            }
            Nav::BrowseWeakest(q) => {
                self.screen = Screen::Browse(Box::new(browse::BrowseScreen::weakest_first(&q)))
            }
            Nav::Edit(card) => {
                let editor = match card {
                    Some(id) => editor::EditorScreen::edit(&self.collection, &id),
                    None => editor::EditorScreen::new_card(&self.collection, None),
                };
                self.screen = Screen::Edit(Box::new(editor));
            }
            Nav::Import(path) => {
                self.screen = Screen::Import(Box::new(import::ImportScreen::new(&path)));
            }
            Nav::NewCard(slug) => {
                let editor = editor::EditorScreen::new_card(&self.collection, Some(&slug));
                self.screen = Screen::Edit(Box::new(editor));
            }
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

    fn undo(&mut self, ctx: &egui::Context, now: Timestamp) {
        match self.collection.undo(now) {
            Ok(Some(Undone::Edit { label, .. })) => notice::info(ctx, format!("Undone: {label}.")),
            Ok(Some(Undone::Answer(item))) => {
                let front = self
                    .collection
                    .card_of(&item)
                    .map(|c| c.front.lines().next().unwrap_or_default().to_string())
                    .unwrap_or_else(|| item.to_string());
                notice::info(ctx, format!("Undone: your answer to “{front}”."));
            }
            Ok(None) => notice::info(ctx, "Nothing to undo."),
            Err(e) => notice::error(ctx, e.to_string()),
        }
        // Whatever was undone may have changed any screen's rows or counts.
        self.home = home::HomeScreen::default();
    }

    fn top_bar(&mut self, ui: &mut egui::Ui, now: Timestamp) -> Nav {
        let mut nav = Nav::Stay;
        egui::Panel::top("top_bar").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 6.0;
                ui.label(egui::RichText::new("Rehearse").strong().size(18.0));
                ui.add_space(10.0);
                for (tab, label, key) in TABS {
                    let here = tab == self.tab;
                    if ui
                        .selectable_label(here, label)
                        .on_hover_text(format!("Key: {key}"))
                        .clicked()
                    {
                        nav = tab.nav();
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    notice::history_button(ui);
                    if !matches!(self.screen, Screen::Study(_))
                        && let Some(label) = self.collection.undo_label()
                    {
                        let label = label.to_string();
                        // Long labels elide in a narrow window; the tooltip has it whole.
                        ui.set_max_width(ui.available_width().max(60.0));
                        if ui
                            .add(egui::Button::new(format!("Undo {label}")).truncate())
                            .on_hover_text(format!("Undo {label} (Ctrl+Z)"))
                            .clicked()
                        {
                            self.undo(ui.ctx(), now);
                        }
                    }
                });
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
        Box::new(|cc| {
            let mut app = RehearseApp::new(collection);
            app.watch(&cc.egui_ctx);
            app.fonts = Some(theme::SystemFonts::load(&cc.egui_ctx));
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
