//! Data integrity at the edges (issue 10): first start, re-imports, media
//! names, temporary files, clocks, messages and CSV corner cases. One test (or
//! more) per item of the issue, named for it.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use rehearse::collection::BUILTIN_DECKS;

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn assert_builtins_complete(root: &Path) {
    for (name, text) in BUILTIN_DECKS {
        assert_eq!(
            fs::read_to_string(root.join("decks").join(name)).unwrap(),
            *text,
            "{name}"
        );
    }
    assert_eq!(names(&root.join("decks")).len(), BUILTIN_DECKS.len());
}

// ----- 1. first start -----

#[test]
fn item1_first_start_cut_short_by_an_older_version_is_finished() {
    let dir = tempfile::tempdir().unwrap();
    let decks = dir.path().join("decks");
    fs::create_dir_all(&decks).unwrap();
    for (name, text) in &BUILTIN_DECKS[..3] {
        fs::write(decks.join(name), text).unwrap();
    }
    fs::write(decks.join(".apis.ron.tmp-999999-3"), "(name: \"AP").unwrap();
    let c = open(dir.path(), t0());
    assert_eq!(c.decks().len(), BUILTIN_DECKS.len());
    drop(c);
    assert_builtins_complete(dir.path());
}

#[test]
fn item1_first_start_publishes_all_decks_at_once() {
    let dir = tempfile::tempdir().unwrap();
    // A staging folder a killed first start left behind.
    let staging = dir.path().join(".decks.tmp-999999-0");
    fs::create_dir_all(&staging).unwrap();
    fs::write(staging.join(BUILTIN_DECKS[0].0), BUILTIN_DECKS[0].1).unwrap();
    let c = open(dir.path(), t0());
    assert_eq!(c.decks().len(), BUILTIN_DECKS.len());
    drop(c);
    assert_builtins_complete(dir.path());
    assert!(!staging.exists());
}

#[test]
fn item1_a_folder_in_use_is_not_refilled() {
    let dir = tempfile::tempdir().unwrap();
    // The user deleted all but one built-in deck long ago.
    let decks = dir.path().join("decks");
    fs::create_dir_all(&decks).unwrap();
    fs::create_dir_all(dir.path().join("journal")).unwrap();
    fs::write(decks.join(BUILTIN_DECKS[0].0), BUILTIN_DECKS[0].1).unwrap();
    assert_eq!(open(dir.path(), t0()).decks().len(), 1);
    // A folder of the user's own decks, journal or not.
    let dir = tempfile::tempdir().unwrap();
    let decks = dir.path().join("decks");
    fs::create_dir_all(&decks).unwrap();
    fs::write(decks.join("mine.ron"), deck_text("Mine", "m", 2)).unwrap();
    assert_eq!(open(dir.path(), t0()).decks().len(), 1);
}

// ----- 5. temporary files -----

#[test]
fn item5_stale_temporary_files_are_removed_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_decks(root, &[("a.ron", deck_text("A", "a", 2))]);
    fs::create_dir_all(root.join("media")).unwrap();
    let stale = [
        root.join(".state.ron.tmp-999999-0"),
        root.join("decks/.a.ron.tmp-999999-1"),
        root.join("journal/.anki-1.ron.tmp-999999-2"),
        root.join("media/.foo.wav.tmp-999999-3"),
    ];
    for p in &stale {
        fs::write(p, "partial").unwrap();
    }
    // Not made by Rehearse, or made by a process still running: kept.
    let kept = [
        root.join("decks/notes.tmp-1-2"),
        root.join("media/.x.tmp-1"),
        root.join(format!(
            "decks/.b.ron.tmp-{}-7",
            std::os::unix::process::parent_id()
        )),
    ];
    for p in &kept {
        fs::write(p, "mine").unwrap();
    }
    // While another instance holds the folder, nothing is touched.
    let first = open(root, t0());
    fs::write(root.join(".late.ron.tmp-999999-9"), "x").unwrap();
    assert!(
        rehearse::Collection::open(
            rehearse::OpenOptions {
                root: root.to_path_buf(),
                device: "other".into(),
                clock: None,
                read_only: false,
            },
            t0(),
        )
        .is_err()
    );
    assert!(root.join(".late.ron.tmp-999999-9").exists());
    drop(first);
    for p in &stale {
        assert!(!p.exists(), "{} is still there", p.display());
    }
    for p in &kept {
        assert!(p.exists(), "{} was removed", p.display());
    }
    drop(open(root, t0()));
    assert!(!root.join(".late.ron.tmp-999999-9").exists());
}

// ----- 9. messages -----

fn rehearse_cli(root: &Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .arg("--data-dir")
        .arg(root)
        .args(args)
        .env("REHEARSE_DEVICE", "cli")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn item9_stats_reports_a_broken_settings_file() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 2))]);
    fs::write(dir.path().join("settings.ron"), "(new_per_day: \"many\")").unwrap();
    let (ok, out) = rehearse_cli(dir.path(), &["stats"]);
    assert!(ok, "{out}");
    assert!(out.contains("settings.ron: line 1, column"), "{out}");
    assert!(out.contains("using default settings"), "{out}");
}

#[test]
fn item9_check_keeps_reporting_bad_journal_lines_after_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 3))]);
    let mut c = open(dir.path(), t0());
    let a1: rehearse::ItemId = "a-1".parse().unwrap();
    c.answer(&a1, rehearse::Rating::Good, t0(), 10).unwrap();
    drop(c);
    let journal = dir.path().join("journal/test.ron");
    let mut text = fs::read_to_string(&journal).unwrap();
    text.push_str("Review(garbage\n");
    fs::write(&journal, &text).unwrap();
    let mut c = open(dir.path(), mins(1));
    assert!(
        c.warnings().iter().any(|w| w.contains("test.ron: line 2")),
        "{:?}",
        c.warnings()
    );
    let a2: rehearse::ItemId = "a-2".parse().unwrap();
    c.answer(&a2, rehearse::Rating::Good, mins(2), 10).unwrap();
    c.save_snapshot().unwrap();
    drop(c);
    // The snapshot is past the bad line: opening no longer mentions it...
    let c = open(dir.path(), mins(3));
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    drop(c);
    // ...but `check` still does, with the file's own line number.
    let (_, out) = rehearse_cli(dir.path(), &["check"]);
    assert!(out.contains("test.ron: line 2, column"), "{out}");
    assert!(out.contains("1 warning"), "{out}");
}

// ----- 10. CSV edge cases -----

fn plan(text: &str) -> rehearse::interop::CsvPlan {
    rehearse::interop::plan_csv_import(text.as_bytes(), "Default").unwrap()
}

#[test]
fn item10_anki_text_export_headers_are_honoured() {
    let text = "#separator:tab\n#html:true\n# exported from Anki\n#tags column:3\n\
                What is <b>TCP</b>?\tA <i>reliable</i> stream<br>protocol\tnet transport\n\
                What is UDP?\tDatagrams\tnet\n";
    let p = plan(text);
    assert_eq!(p.sniffed.delimiter, b'\t');
    assert!(!p.sniffed.has_header);
    assert!(p.mapped.errors.is_empty(), "{:?}", p.mapped.errors);
    assert_eq!(p.mapped.cards.len(), 2);
    let tcp = &p.mapped.cards[0];
    assert_eq!(tcp.line, 5);
    assert_eq!(tcp.card.front, "What is **TCP**?");
    assert!(tcp.card.back.contains("*reliable*"), "{}", tcp.card.back);
    assert!(!tcp.card.back.contains("<br>"), "{}", tcp.card.back);
    assert_eq!(tcp.card.tags, ["net", "transport"]);

    // Columns, deck, note type, extra tags and guids as Anki writes them.
    let text = "#separator:Comma\n#columns:Text,Back Extra\n#deck:Networking\n\
                #notetype:Cloze\n#tags:imported\n\
                {{c1::TCP}} is reliable,see RFC 793\n";
    let p = plan(text);
    assert!(p.mapped.errors.is_empty(), "{:?}", p.mapped.errors);
    let c = &p.mapped.cards[0];
    assert_eq!(c.deck, "Networking");
    assert_eq!(c.card.kind, rehearse::CardKind::Cloze);
    assert_eq!(c.card.front, "{{c1::TCP}} is reliable");
    assert_eq!(c.card.back, "see RFC 793");
    assert_eq!(c.card.tags, ["imported"]);

    let text = "#separator:tab\n#guid column:1\n#notetype column:2\n\
                abc\tBasic (and reversed card)\tTerm\tDefinition\n";
    let p = plan(text);
    assert!(p.mapped.errors.is_empty(), "{:?}", p.mapped.errors);
    let c = &p.mapped.cards[0];
    assert_eq!(c.card.id.as_str(), "anki-abc");
    assert_eq!(c.card.kind, rehearse::CardKind::Reversed);
    assert_eq!(
        (c.card.front.as_str(), c.card.back.as_str()),
        ("Term", "Definition")
    );
}

#[test]
fn item10_an_unlabelled_extra_column_is_not_dropped_silently() {
    let p = plan("Q1,A1,\nQ2,A2,kept?\n");
    assert_eq!(p.mapped.errors.len(), 1, "{:?}", p.mapped.errors);
    assert_eq!(p.mapped.errors[0].line, 2);
    assert!(
        p.mapped.errors[0].message.contains("column 3 has no name"),
        "{:?}",
        p.mapped.errors
    );
    // Named, it is mapped (or knowingly left out): no error.
    let p = plan("front,back,tags\nQ1,A1,x\n");
    assert!(p.mapped.errors.is_empty(), "{:?}", p.mapped.errors);
}

#[test]
fn item10_crlf_inside_a_quoted_field_leaves_no_carriage_return() {
    let p = plan("front,back\r\n\"line one\r\nline two\",answer\r\nQ2,A2\r\n");
    assert!(p.mapped.errors.is_empty(), "{:?}", p.mapped.errors);
    assert_eq!(p.mapped.cards[0].card.front, "line one\nline two");
    assert_eq!(p.mapped.cards[1].line, 4);
    assert!(
        p.mapped
            .cards
            .iter()
            .all(|c| !c.card.front.contains('\r') && !c.card.back.contains('\r'))
    );
}
