//! The `rehearse` command line: check, stats and help.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use std::process::Command;

use common::*;
use rehearse_core::schedule::Rating;

fn rehearse(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(args)
        .env("REHEARSE_DEVICE", "cli-test")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn check_passes_good_decks_and_fails_bad_ones_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("good.ron", deck_text("Good", "g", 3))]);
    let decks = dir.path().join("decks");
    let (ok, out) = rehearse(&["check", decks.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(
        out.contains("1 deck file, 3 cards: 0 errors, 0 warnings"),
        "{out}"
    );

    std::fs::write(
        decks.join("bad.ron"),
        "(name: \"Bad\",\n cards: [\n  (id: \"x\", front: \"Q\", back: \"A\", colour: 1),\n ])",
    )
    .unwrap();
    let (ok, out) = rehearse(&["check", decks.to_str().unwrap()]);
    assert!(!ok, "{out}");
    assert!(out.contains("bad.ron:3:"), "{out}");
    assert!(out.contains("colour"), "{out}");

    std::fs::write(
        decks.join("bad.ron"),
        "(name: \"Bad\", cards: [(id: \"g-1\", front: \"Q\", back: \"\"), (front: \"Derived\", back: \"A\")])",
    )
    .unwrap();
    let (ok, out) = rehearse(&["check", decks.to_str().unwrap()]);
    assert!(!ok, "{out}");
    assert!(out.contains("the back is empty"), "{out}");
    assert!(out.contains("id `g-1` is also used in"), "{out}");
    assert!(out.contains("warning: card 2"), "{out}");

    let (ok, out) = rehearse(&["check", "/no/such/deck.ron"]);
    assert!(!ok);
    assert!(out.contains("no such file"), "{out}");
}

#[test]
fn stats_prints_counts_and_json_card_states() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 4))]);
    {
        let mut c = open(dir.path(), jiff::Timestamp::now());
        c.answer(
            &"a-1".parse().unwrap(),
            Rating::Easy,
            jiff::Timestamp::now(),
            1000,
        )
        .unwrap();
    }
    let root = dir.path().to_str().unwrap();
    let (ok, out) = rehearse(&["stats", "--data-dir", root]);
    assert!(ok, "{out}");
    assert!(out.contains("Alpha"), "{out}");
    assert!(out.contains("today: 1 answers, 1 new"), "{out}");

    // Works while another instance holds the folder.
    let _window = open(dir.path(), jiff::Timestamp::now());
    let (ok, out) = rehearse(&["stats", "--json", "--data-dir", root]);
    assert!(ok, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["decks"][0]["name"], "Alpha");
    assert_eq!(json["decks"][0]["new"], 3);
    let cards = json["cards"].as_array().unwrap();
    assert_eq!(cards.len(), 4);
    let a1 = cards.iter().find(|c| c["item"] == "a-1").unwrap();
    assert_eq!(a1["phase"], "review");
    assert_eq!(a1["reps"], 1);
    assert!((a1["stability"].as_f64().unwrap() - 8.2956).abs() < 1e-3);
    let r = a1["retrievability"].as_f64().unwrap();
    assert!(r > 0.99 && r <= 1.0, "{r}");
    assert!(a1["due"].is_string());
    let a2 = cards.iter().find(|c| c["item"] == "a-2").unwrap();
    assert_eq!(a2["phase"], "new");
    assert!(a2["stability"].is_null());
}

#[test]
fn help_documents_the_commands() {
    let (ok, out) = rehearse(&["--help"]);
    assert!(ok);
    for word in ["check", "stats", "--data-dir", "REHEARSE_DATA"] {
        assert!(out.contains(word), "{word} missing from:\n{out}");
    }
}

#[test]
fn import_revlog_optimize_and_weak() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 4))]);
    let root = dir.path().to_str().unwrap();
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rehearse-core/tests/data/revlog-sample.csv"
    );
    let (ok, out) = rehearse(&["import-revlog", sample, "--data-dir", root]);
    assert!(ok, "{out}");
    assert!(
        out.contains("imported 12580 reviews of 1205 cards"),
        "{out}"
    );
    let (ok, out) = rehearse(&["import-revlog", sample, "--data-dir", root]);
    assert!(!ok);
    assert!(out.contains("imported before"), "{out}");

    let (ok, out) = rehearse(&["optimize", "--json", "--data-dir", root]);
    assert!(ok, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["improved"], true);
    let before = json["before"]["log_loss"].as_f64().unwrap();
    let after = json["after"]["log_loss"].as_f64().unwrap();
    assert!(after < before, "{before} -> {after}");
    assert_eq!(json["parameters"].as_array().unwrap().len(), 21);
    let settings = std::fs::read_to_string(dir.path().join("settings.ron")).unwrap();
    let settings = rehearse_core::Settings::from_ron(&settings).unwrap();
    assert_eq!(settings.fsrs_parameters.len(), 21);

    let (ok, out) = rehearse(&["stats", "--json", "--data-dir", root]);
    assert!(ok, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["statistics"]["total_answers"], 12580);

    let (ok, out) = rehearse(&["weak", "--data-dir", root]);
    assert!(ok, "{out}");
    assert!(out.lines().next().unwrap().contains("recall"), "{out}");
    assert!(out.contains("T1"), "{out}");
}

#[test]
fn optimize_with_too_little_history_says_how_much_is_needed() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 4))]);
    let (ok, out) = rehearse(&["optimize", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(!ok);
    assert!(out.contains("needs at least 400 reviews"), "{out}");
}

#[test]
fn import_and_export_cards() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 3))]);
    let root = dir.path().to_str().unwrap();
    let csv_path = dir.path().join("cards.csv");
    std::fs::write(
        &csv_path,
        "front,back,tags\n\"What, with a comma?\",Yes,x y\nSecond?,Also,\n",
    )
    .unwrap();
    let (ok, out) = rehearse(&["import", csv_path.to_str().unwrap(), "--data-dir", root]);
    assert!(ok, "{out}");
    assert!(
        out.contains("2 added, 0 updated, 0 unchanged; new deck: cards"),
        "{out}"
    );
    let (ok, out) = rehearse(&["import", csv_path.to_str().unwrap(), "--data-dir", root]);
    assert!(ok, "{out}");
    assert!(out.contains("0 added, 0 updated, 2 unchanged"), "{out}");

    // A bad row: nothing is imported, the row is named.
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "front\tback\nGood?\tYes\n\tno front\n").unwrap();
    let (ok, out) = rehearse(&["import", bad.to_str().unwrap(), "--data-dir", root]);
    assert!(!ok);
    assert!(out.contains("line 3"), "{out}");
    assert!(out.contains("nothing was imported"), "{out}");
    assert!(!dir.path().join("decks/bad.ron").exists());

    // Export a deck as TSV and read it back.
    let (ok, out) = rehearse(&["export", "--deck", "Alpha", "--tsv", "--data-dir", root]);
    assert!(ok, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "id\tdeck\tfront\tback\ttopic\ttags\tkind");
    assert_eq!(lines.len(), 4);
    let (ok, out) = rehearse(&["export", "--query", "tag:x", "--data-dir", root]);
    assert!(ok, "{out}");
    assert!(out.contains("\"What, with a comma?\""), "{out}");
    assert_eq!(out.lines().count(), 2);
}

#[test]
fn check_fix_pins_ids_and_leaves_the_rest_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hand.ron");
    let text = "// written by hand\n(name: \"Hand\", cards: [\n    (front: \"One?\", back: \"1\", topic: \"T\"), // first\n    (\n        topic: \"T\",\n        front: \"Two?\",\n        back: r#\"2 \"quoted\"\"#,\n    ),\n])\n";
    std::fs::write(&path, text).unwrap();
    let (ok, out) = rehearse(&["check", path.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(out.contains("2 warnings"), "{out}");
    let (ok, out) = rehearse(&["check", "--fix", path.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(out.contains("wrote 2 ids"), "{out}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert!(fixed.starts_with("// written by hand\n"));
    assert!(fixed.contains("// first"));
    assert!(fixed.contains("r#\"2 \"quoted\"\"#"));
    let one = rehearse_core::CardId::derived_from("One?");
    assert!(
        fixed.contains(&format!("(id: \"{one}\", front: \"One?\"")),
        "{fixed}"
    );
    // A file that does not parse is never written.
    let broken = dir.path().join("broken.ron");
    std::fs::write(&broken, "(name: \"B\", cards: [(front: \"x\"").unwrap();
    let (ok, _) = rehearse(&["check", "--fix", broken.to_str().unwrap()]);
    assert!(!ok);
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "(name: \"B\", cards: [(front: \"x\""
    );
}
