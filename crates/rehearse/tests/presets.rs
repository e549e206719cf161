//! Option presets in the window: Settings adds, edits, renames, duplicates
//! and deletes presets (saying which decks go back to Default), and a deck's
//! More menu on Decks assigns one.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use common::*;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use jiff::Timestamp;
use rehearse::ui::RehearseApp;
use rehearse_core::Settings;

fn harness(app: RehearseApp) -> Harness<'static, RehearseApp> {
    Harness::builder()
        .with_size(egui::vec2(1000.0, 720.0))
        .build_ui_state(|ui, app: &mut RehearseApp| app.show(ui), app)
}

fn saved(dir: &std::path::Path) -> Settings {
    Settings::from_ron(&std::fs::read_to_string(dir.join("settings.ron")).unwrap()).unwrap()
}

/// Types `name` into the preset name dialog (replacing the suggestion) and
/// presses OK.
fn name_preset(h: &mut Harness<'static, RehearseApp>, name: &str) {
    h.get_by_label("Preset name").click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_by_label("Preset name").type_text(name);
    h.run();
    h.get_by_label("OK").click();
    h.run();
}

#[test]
fn settings_add_edit_rename_duplicate_and_delete_a_preset() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("alpha.ron", deck_text("Alpha", "a", 2)),
            ("beta.ron", deck_text("Beta", "b", 2)),
        ],
    );
    let mut h = harness(RehearseApp::new(open(dir.path(), Timestamp::now())));
    h.run();
    h.get_by_label("Settings").click();
    h.run();
    h.get_by_label_contains("Used by every deck not given another preset (2 decks)");
    // The Default preset keeps its name and cannot go.
    assert!(h.get_by_label("Rename").accesskit_node().is_disabled());
    assert!(h.get_by_label("Delete…").accesskit_node().is_disabled());

    // Add "Cram" and give it an extra learning step; Default is untouched.
    h.get_by_label("Add preset").click();
    h.run();
    name_preset(&mut h, "Cram");
    h.get_by_label_contains("No deck uses this preset yet");
    h.get_by_label("Learning steps").click();
    h.run();
    h.get_by_label("Learning steps").type_text(" 1h");
    h.run();
    h.get_by_label("Unsaved changes");
    h.get_by_label("Save").click();
    h.run();
    h.get_by_label("Saved the settings.");
    let s = saved(dir.path());
    assert_eq!(s.preset_names(), ["Default", "Cram"]);
    assert_eq!(s.preset("Cram").unwrap().learning_steps.len(), 3);
    assert_eq!(s.learning_steps.len(), 2, "Default keeps 1m 10m");

    // A name already taken is refused in the dialog.
    h.get_by_label("Duplicate").click();
    h.run();
    name_preset(&mut h, "default");
    h.get_by_label_contains("A preset named \"default\" already exists");
    name_preset(&mut h, "Cram copy");
    h.get_by_label("Rename").click();
    h.run();
    name_preset(&mut h, "Cram 2");
    h.get_by_label("Save").click();
    h.run();
    let s = saved(dir.path());
    assert_eq!(s.preset_names(), ["Default", "Cram", "Cram 2"]);
    assert_eq!(
        s.preset("Cram 2").unwrap().learning_steps.len(),
        3,
        "a duplicate copies the options"
    );

    // Delete Cram while a deck uses it: the confirmation names the deck.
    h.get_by_label("Decks").click();
    h.run();
    h.get_by_label("More for Beta").click();
    h.run();
    h.get_by_label("Options preset").click();
    h.run();
    h.get_by_label("Cram").click();
    h.run();
    assert_eq!(saved(dir.path()).preset_name_of_deck("beta"), "Cram");
    h.get_by_label("Settings").click();
    h.run();
    h.get_by_label("Options preset").click();
    h.run();
    h.get_by_label("Cram").click();
    h.run();
    h.get_by_label_contains("Used by Beta.");
    h.get_by_label("Delete…").click();
    h.run();
    h.get_by_label_contains("1 deck uses it; it goes back to Default when you save: Beta.");
    h.get_by_label("Delete preset").click();
    h.run();
    h.get_by_label("Save").click();
    h.run();
    let s = saved(dir.path());
    assert_eq!(s.preset_names(), ["Default", "Cram 2"]);
    assert!(s.deck_presets.is_empty(), "Beta is back on Default");
}

#[test]
fn a_decks_more_menu_assigns_its_options_preset() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("alpha.ron", deck_text("Alpha", "a", 30)),
            ("beta.ron", deck_text("Beta", "b", 30)),
        ],
    );
    let mut c = open(dir.path(), Timestamp::now());
    let mut s = c.settings().clone();
    s.add_preset("Light", None).unwrap();
    let mut light = s.preset("Light").unwrap();
    light.new_per_day = 3;
    s.set_preset(light);
    c.save_settings(s).unwrap();
    let mut h = harness(RehearseApp::new(c));
    h.run();
    h.get_by_label("More for Alpha").click();
    h.run();
    h.get_by_label("Options preset").click();
    h.run();
    h.get_by_label("Light").click();
    h.run();
    h.get_by_label_contains("\"Alpha\" now uses the options preset \"Light\"");
    assert_eq!(saved(dir.path()).preset_name_of_deck("alpha"), "Light");
    assert_eq!(saved(dir.path()).preset_name_of_deck("beta"), "Default");
    // Home's counts follow: Alpha shows Light's 3 new cards, Beta Default's 20.
    let counts = h.state().collection().deck_counts(Timestamp::now());
    assert_eq!((counts[0].new, counts[1].new), (3, 20));
}

fn rehearse(args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(args)
        .env("REHEARSE_DEVICE", "cli-test")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn rehearse_optimize_reports_every_preset() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 4))]);
    std::fs::write(
        dir.path().join("settings.ron"),
        "(presets: [(name: \"Tiny\")], deck_presets: {\"alpha\": \"Tiny\"})\n",
    )
    .unwrap();
    let root = dir.path().to_str().unwrap();
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rehearse-core/tests/data/revlog-sample.csv"
    );
    let (ok, out) = rehearse(&["import-revlog", sample, "--data-dir", root]);
    assert!(ok, "{out}");
    let (ok, out) = rehearse(&["optimize", "--data-dir", root]);
    assert!(ok, "{out}");
    assert!(out.contains("Default (global): fitted on all"), "{out}");
    assert!(
        out.contains(
            "Tiny: 0 training items from its decks, fewer than 400; uses the global parameters"
        ),
        "{out}"
    );
    let (ok, out) = rehearse(&["optimize", "--json", "--data-dir", root]);
    assert!(ok, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let presets = json["presets"].as_array().unwrap();
    assert_eq!(presets[0]["name"], "Default");
    assert_eq!(presets[1]["name"], "Tiny");
    assert_eq!(presets[1]["source"], "global");
    assert_eq!(presets[1]["need"], 400);
}
