//! Anki → Rehearse → Anki keeps what a card shows: each realistic package in
//! tests/fixtures/anki-html (written by Anki's own library, see
//! scripts/anki-html-fixtures.py: GitHub-rendered Markdown, Anki editor
//! HTML, highlighted code) is imported into a fresh data folder the way the
//! app and `rehearse import` do, exported as `.apkg` the way `rehearse
//! export --apkg` does, and both packages are imported into Anki by
//! tests/anki_roundtrip_check.py, which compares every note's visible text
//! and links. No note may differ.
//!
//! Needs Anki's Python library (`pip install anki`); without it the test
//! says so and passes, unless `REHEARSE_REQUIRE_ANKI=1`.

mod common;

use std::path::{Path, PathBuf};

use rehearse_core::interop::package::{apply_anki_import, export_apkg, plan_anki_import};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/anki-html")
        .join(name)
}

fn have_anki() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import anki"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("REHEARSE_REQUIRE_ANKI").as_deref() == Ok("1") {
            panic!(
                "REHEARSE_REQUIRE_ANKI=1 but `python3 -c \"import anki\"` fails: pip install anki"
            );
        }
        eprintln!(
            "notice: Anki's Python library is not installed (pip install anki); skipping the Anki round trip"
        );
    }
    ok
}

/// Imports `package` into a new data folder and exports every card again;
/// returns the exported package's path (in `dir`).
fn through_rehearse(package: &Path, dir: &Path) -> PathBuf {
    let root = dir.join("data");
    common::write_decks(&root, &[]);
    let now = common::t0();
    let mut collection = common::open(&root, now);
    let bytes = std::fs::read(package).unwrap();
    let plan = plan_anki_import(&bytes).unwrap();
    assert!(
        plan.converted.warnings.is_empty(),
        "{:?}",
        plan.converted.warnings
    );
    let report = apply_anki_import(&mut collection, &plan, now).unwrap();
    assert_eq!(report.added, plan.converted.cards.len());
    let rows: Vec<usize> = (0..collection.items().len()).collect();
    let history = collection.history_loader().unwrap().load().unwrap();
    let out = dir.join("exported.apkg");
    let notes = export_apkg(&collection, &history, &rows, &out, now).unwrap();
    assert_eq!(notes, plan.converted.cards.len());
    out
}

fn round_trip(name: &str) {
    if !have_anki() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let original = fixture(name);
    let exported = through_rehearse(&original, dir.path());
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/anki_roundtrip_check.py");
    let output = std::process::Command::new("python3")
        .arg(&checker)
        .arg(&original)
        .arg(&exported)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{name}: the export shows something else in Anki ({}):\n{report}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert!(json["notes"].as_u64().unwrap() > 0, "{report}");
}

#[test]
fn github_markdown_survives_the_round_trip() {
    round_trip("github.apkg");
}

#[test]
fn anki_editor_html_survives_the_round_trip() {
    round_trip("editor.apkg");
}

#[test]
fn highlighted_code_survives_the_round_trip() {
    round_trip("code.apkg");
}
