//! The settings screen's load balancing checkbox and easy-days week,
//! driven headlessly: toggling them and saving writes `settings.ron`.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use common::*;
use egui::accesskit::Toggled;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use jiff::Timestamp;
use rehearse::ui::RehearseApp;
use rehearse_core::Settings;

fn harness(app: RehearseApp) -> Harness<'static, RehearseApp> {
    Harness::builder()
        .with_size(egui::vec2(1000.0, 900.0))
        .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app)
}

fn saved(root: &std::path::Path) -> Settings {
    Settings::from_ron(&std::fs::read_to_string(root.join("settings.ron")).unwrap()).unwrap()
}

#[test]
fn load_balancing_and_easy_days_save_to_settings() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 2))]);
    let app = RehearseApp::new(open(dir.path(), Timestamp::now()));
    let mut h = harness(app);
    h.run();
    h.get_by_label("Settings").click();
    h.run();
    // The defaults: load balancing on, every day normal.
    assert!(saved(dir.path()).load_balancing);
    assert_eq!(
        h.get_by_label("Load balancing").accesskit_node().toggled(),
        Some(Toggled::True)
    );
    assert!(h.get_by_label("Sunday: Normal").accesskit_node().toggled() == Some(Toggled::True));

    // The options for every deck are below the preset's: scroll to them.
    h.get_by_label("Sunday: Minimum").scroll_to_me();
    h.run();
    h.get_by_label("Load balancing").click();
    h.get_by_label("Sunday: Minimum").click();
    h.get_by_label("Saturday: Reduced").click();
    h.run();
    assert!(h.get_by_label("Sunday: Minimum").accesskit_node().toggled() == Some(Toggled::True));
    h.get_by_label("Unsaved changes");
    h.get_by_label("Save").click();
    h.run();
    h.get_by_label("Saved the settings.");
    assert_eq!(
        saved(dir.path()),
        Settings {
            load_balancing: false,
            easy_days: vec![1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0],
            ..Settings::default()
        }
    );
    assert!(!h.state().collection().settings().load_balancing);

    // Back to normal on Saturday and load balancing on again.
    h.get_by_label("Sunday: Minimum").scroll_to_me();
    h.run();
    h.get_by_label("Saturday: Normal").click();
    h.get_by_label("Load balancing").click();
    h.run();
    h.get_by_label("Save").click();
    h.run();
    let s = saved(dir.path());
    assert!(s.load_balancing);
    assert_eq!(s.easy_days, vec![1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0]);
}

/// Without fuzz there is no range to choose a day in: both are disabled.
#[test]
fn load_balancing_and_easy_days_need_fuzz() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 2))]);
    let mut c = open(dir.path(), Timestamp::now());
    c.save_settings(Settings {
        fuzz: false,
        ..Settings::default()
    })
    .unwrap();
    let mut h = harness(RehearseApp::new(c));
    h.run();
    h.get_by_label("Settings").click();
    h.run();
    assert!(
        h.get_by_label("Load balancing")
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        h.get_by_label("Sunday: Minimum")
            .accesskit_node()
            .is_disabled()
    );
    h.get_by_label("Sunday: Minimum").scroll_to_me();
    h.run();
    h.get_by_label("Spread intervals (fuzz)").click();
    h.run();
    assert!(
        !h.get_by_label("Load balancing")
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        !h.get_by_label("Sunday: Minimum")
            .accesskit_node()
            .is_disabled()
    );
}
