//! Data integrity at the edges (issue 10): first start, re-imports, media
//! names, temporary files, clocks, messages and CSV corner cases. One test (or
//! more) per item of the issue, named for it.

#[path = "../../rehearse-core/tests/common/mod.rs"]
mod common;

use std::fs;
use std::path::Path;

use common::*;
use rehearse_core::collection::BUILTIN_DECKS;

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
    // One as an older version shipped it: kept as it is.
    let older = "(name: \"APIs\", cards: [])";
    fs::write(decks.join(BUILTIN_DECKS[3].0), older).unwrap();
    fs::write(decks.join(".apis.ron.tmp-999999-3"), "(name: \"AP").unwrap();
    let c = open(dir.path(), t0());
    assert_eq!(c.decks().len(), BUILTIN_DECKS.len());
    drop(c);
    assert_eq!(
        fs::read_to_string(decks.join(BUILTIN_DECKS[3].0)).unwrap(),
        older
    );
    fs::write(decks.join(BUILTIN_DECKS[3].0), BUILTIN_DECKS[3].1).unwrap();
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
        rehearse_core::Collection::open(
            rehearse_core::OpenOptions {
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
    // And `check` says it is broken.
    let (ok, out) = rehearse_cli(dir.path(), &["check"]);
    assert!(!ok, "{out}");
    assert!(out.contains("settings.ron: error: line 1, column"), "{out}");
}

#[test]
fn item9_check_keeps_reporting_bad_journal_lines_after_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 3))]);
    let mut c = open(dir.path(), t0());
    let a1: rehearse_core::ItemId = "a-1".parse().unwrap();
    c.answer(&a1, rehearse_core::Rating::Good, t0(), 10)
        .unwrap();
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
    let a2: rehearse_core::ItemId = "a-2".parse().unwrap();
    c.answer(&a2, rehearse_core::Rating::Good, mins(2), 10)
        .unwrap();
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

fn plan(text: &str) -> rehearse_core::interop::CsvPlan {
    rehearse_core::interop::plan_csv_import(text.as_bytes(), "Default").unwrap()
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
    assert_eq!(c.card.kind, rehearse_core::CardKind::Cloze);
    assert_eq!(c.card.front, "{{c1::TCP}} is reliable");
    assert_eq!(c.card.back, "see RFC 793");
    assert_eq!(c.card.tags, ["imported"]);

    let text = "#separator:tab\n#guid column:1\n#notetype column:2\n\
                abc\tBasic (and reversed card)\tTerm\tDefinition\n";
    let p = plan(text);
    assert!(p.mapped.errors.is_empty(), "{:?}", p.mapped.errors);
    let c = &p.mapped.cards[0];
    assert_eq!(c.card.id.as_str(), "anki-abc");
    assert_eq!(c.card.kind, rehearse_core::CardKind::Reversed);
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

// ----- 2. importing your own export -----

use rehearse_core::interop::anki::write_package;
use rehearse_core::interop::package::{apply_anki_import, export_input, plan_anki_import};

/// Every file under `root` (but the lock and the state cache) and its bytes.
fn files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                if rel != ".lock" && rel != "state.ron" && !rel.starts_with(".cache") {
                    out.push((rel, fs::read(&p).unwrap()));
                }
            }
        }
    }
    out.sort();
    out
}

fn export_all(c: &rehearse_core::Collection, now: jiff::Timestamp) -> Vec<u8> {
    let history = c.history_loader().unwrap().load().unwrap();
    let rows: Vec<usize> = (0..c.items().len()).collect();
    write_package(&export_input(c, &history, &rows, now).unwrap()).unwrap()
}

#[test]
fn item2_importing_your_own_export_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let now = mins(0);
    let mut c = open(dir.path(), now);
    // The window records answers to the nanosecond; Anki keeps milliseconds.
    let items: Vec<_> = c.items().iter().take(40).map(|i| i.id.clone()).collect();
    for (n, id) in items.iter().enumerate() {
        let at = mins(n as i64)
            .checked_add(jiff::SignedDuration::from_nanos(123_456_789))
            .unwrap();
        c.answer(id, rehearse_core::Rating::Good, at, 1500).unwrap();
    }
    let today = c.progress_today(mins(50));
    let before = files(dir.path());
    // Exported now, by the real clock: after the deck files were written.
    let package = export_all(&c, jiff::Timestamp::now());

    let plan = plan_anki_import(&package).unwrap();
    let report = apply_anki_import(&mut c, &plan, mins(51)).unwrap();
    assert_eq!(
        (
            report.added,
            report.updated,
            report.reviews,
            report.states,
            report.media
        ),
        (0, 0, 0, 0, 0),
        "{report:?}"
    );
    assert!(report.skipped_older.is_empty(), "{report:?}");
    assert_eq!(report.unchanged, plan.converted.cards.len());
    assert!(
        report.summary().starts_with("Nothing changed"),
        "{}",
        report.summary()
    );
    assert!(report.nothing_changed(), "{report:?}");
    assert_eq!(report.journal, None);
    assert_eq!(files(dir.path()), before, "the import wrote files");
    assert_eq!(c.progress_today(mins(52)), today);
    let history = c.history_loader().unwrap().load().unwrap();
    assert_eq!(history.answers.len(), 40);
}

fn package(
    id: &str,
    front: &str,
    back: &str,
    media: &[(&str, &[u8])],
    modified: jiff::Timestamp,
) -> Vec<u8> {
    use rehearse_core::interop::anki::{ExportInput, ExportNote};
    let card = rehearse_core::Card {
        id: rehearse_core::CardId::new(id).unwrap(),
        id_pinned: true,
        kind: rehearse_core::CardKind::Basic,
        front: front.into(),
        back: back.into(),
        topic: String::new(),
        tags: vec![],
        source: None,
        modified: Some(modified),
        added: None,
        rubric: Default::default(),
    };
    write_package(&ExportInput {
        notes: vec![ExportNote {
            deck: "Pkg".into(),
            card,
            progress: vec![],
        }],
        media: media
            .iter()
            .map(|(n, b)| (n.to_string(), b.to_vec()))
            .collect(),
        now: modified,
    })
    .unwrap()
}

fn import(
    c: &mut rehearse_core::Collection,
    bytes: &[u8],
    now: jiff::Timestamp,
) -> rehearse_core::interop::package::AnkiReport {
    apply_anki_import(c, &plan_anki_import(bytes).unwrap(), now).unwrap()
}

fn card<'a>(c: &'a rehearse_core::Collection, id: &str) -> &'a rehearse_core::Card {
    c.decks()
        .iter()
        .flat_map(|d| &d.cards)
        .find(|x| x.id.as_str() == id)
        .unwrap()
}

// ----- 3. media names -----

#[test]
fn item3_a_media_name_taken_by_another_file_is_made_unique() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[]);
    let mut c = open(dir.path(), t0());
    let one = package(
        "p1",
        "Hear ![](media/foo.png)",
        "one",
        &[("foo.png", b"first sound")],
        t0(),
    );
    let two = package(
        "p2",
        "Hear ![](media/foo.png)",
        "two",
        &[("foo.png", b"second sound")],
        t0(),
    );
    import(&mut c, &one, mins(1));
    let r = import(&mut c, &two, mins(2));
    assert_eq!(r.media, 1);
    let media = dir.path().join("media");
    assert_eq!(fs::read(media.join("foo.png")).unwrap(), b"first sound");
    let (from, to) = &r.media_renamed[0];
    assert_eq!(from, "foo.png");
    assert!(to.starts_with("foo-") && to.ends_with(".png"), "{to}");
    assert_eq!(fs::read(media.join(to)).unwrap(), b"second sound");
    assert_eq!(card(&c, "p1").front, "Hear ![](media/foo.png)");
    assert_eq!(card(&c, "p2").front, format!("Hear ![](media/{to})"));
    // Importing either again finds its own file and changes nothing.
    assert!(import(&mut c, &two, mins(3)).nothing_changed());
    assert!(import(&mut c, &one, mins(4)).nothing_changed());
    assert_eq!(names(&media).len(), 2);
}

// ----- 4. an older package -----

#[test]
fn item4_an_older_package_does_not_overwrite_a_newer_card() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[]);
    let mut c = open(dir.path(), t0());
    let update1 = package("n1", "Question", "old answer", &[], days(-2));
    let update2 = package("n1", "Question", "new answer", &[], days(-1));
    assert_eq!(import(&mut c, &update1, mins(1)).added, 1);
    assert_eq!(import(&mut c, &update2, mins(2)).updated, 1);
    let r = import(&mut c, &update1, mins(3));
    assert_eq!(card(&c, "n1").back, "new answer");
    assert_eq!(r.updated, 0);
    assert_eq!(r.skipped_older, [rehearse_core::CardId::new("n1").unwrap()]);
    assert!(r.summary().contains("skipped"), "{}", r.summary());
    assert!(r.summary().contains("n1"), "{}", r.summary());
    // The card keeps its time in the deck file, so a restart knows it too.
    drop(c);
    let mut c = open(dir.path(), mins(4));
    assert_eq!(card(&c, "n1").modified, Some(days(-1)));
    assert_eq!(import(&mut c, &update1, mins(5)).skipped_older.len(), 1);
    // Edited here after the package was made: the package is older.
    let mut edited = card(&c, "n1").clone();
    edited.back = "my own answer".into();
    let slug = c
        .deck_of(&rehearse_core::ItemId::forward(edited.id.clone()))
        .unwrap()
        .slug
        .clone();
    let id = edited.id.clone();
    c.save_card(&slug, Some(&id), edited, jiff::Timestamp::now())
        .unwrap();
    let r = import(&mut c, &update2, mins(6));
    assert_eq!(card(&c, "n1").back, "my own answer");
    assert_eq!(r.skipped_older.len(), 1, "{r:?}");
    // A package made after the edit still updates.
    let later = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(1))
        .unwrap();
    let update3 = package("n1", "Question", "newest", &[], later);
    assert_eq!(import(&mut c, &update3, mins(7)).updated, 1);
    assert_eq!(card(&c, "n1").back, "newest");
}

// ----- 8. clocks -----

fn review_line(id: u64, at: &str, item: &str) -> String {
    format!("Review(id:{id},at:\"{at}\",item:\"{item}\",rating:Good,took_ms:1000)\n")
}

#[test]
fn item8_events_dated_far_ahead_or_before_2000_are_kept_but_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 5))]);
    // Another machine's journal, synced in: its clock was wrong twice, and
    // it answered a card this folder does not have.
    let laptop = dir.path().join("journal/laptop.ron");
    let text = [
        review_line(1, "2026-03-02T11:00:00Z", "a-1"),
        review_line(2, "2100-01-01T00:00:00Z", "a-2"),
        review_line(3, "1970-01-01T00:00:05Z", "a-3"),
        review_line(4, "2026-03-02T11:50:00Z", "ghost-card"),
    ]
    .concat();
    fs::write(&laptop, &text).unwrap();
    let a = |n: u32| -> rehearse_core::ItemId { format!("a-{n}").parse().unwrap() };

    let mut c = open(dir.path(), t0());
    assert_eq!(c.state(&a(1)).reps, 1);
    for n in [2, 3] {
        assert_eq!(c.state(&a(n)), &rehearse_core::CardState::new(), "a-{n}");
    }
    let w = c.warnings().join("\n");
    assert!(
        w.contains("journal/laptop.ron, line 2") && w.contains("2100-01-01"),
        "{w}"
    );
    assert!(
        w.contains("journal/laptop.ron, line 3") && w.contains("1970-01-01"),
        "{w}"
    );
    // Today: one answer, not four.
    let p = c.progress_today(t0());
    assert_eq!((p.answers, p.new), (1, 1), "{p:?}");
    assert_eq!(c.total_counts(t0()).new, 4);
    // Still in the journal, untouched.
    assert_eq!(fs::read_to_string(&laptop).unwrap(), text);

    // Reported at every start, also once the state cache has moved past.
    c.save_snapshot().unwrap();
    drop(c);
    let c = open(dir.path(), mins(5));
    let w = c.warnings().join("\n");
    assert!(w.contains("laptop.ron, line 2"), "{w}");
    assert!(w.contains("laptop.ron, line 3"), "{w}");
    assert_eq!(c.state(&a(2)), &rehearse_core::CardState::new());
    let history = c.history_loader().unwrap().load().unwrap();
    assert_eq!(history.answers.len(), 2, "a-1 and the ghost card's");

    // Merged while running: held back too, and said so.
    let mut c = c;
    let desk = dir.path().join("journal/desk.ron");
    fs::write(&desk, review_line(1, "2099-06-01T00:00:00Z", "a-4")).unwrap();
    c.on_files_changed(std::slice::from_ref(&desk), mins(6))
        .unwrap();
    assert_eq!(c.state(&a(4)), &rehearse_core::CardState::new());
    assert!(
        c.warnings()
            .iter()
            .any(|w| w.contains("journal/desk.ron, line 1")),
        "{:?}",
        c.warnings()
    );
    c.save_snapshot().unwrap();
    drop(c);

    // When its time comes, the event is applied; the 1970 one never is.
    let c = open(dir.path(), "2100-01-01T12:00:00Z".parse().unwrap());
    assert_eq!(c.state(&a(2)).reps, 1);
    assert_eq!(c.state(&a(4)).reps, 1);
    assert_eq!(c.state(&a(3)), &rehearse_core::CardState::new());
}

#[test]
fn item8_the_window_shows_the_held_back_event_with_its_journal_and_line() {
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 2))]);
    fs::write(
        dir.path().join("journal/laptop.ron"),
        review_line(1, "2100-01-01T00:00:00Z", "a-1"),
    )
    .unwrap();
    let app = rehearse::ui::RehearseApp::new(open(dir.path(), jiff::Timestamp::now()));
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1000.0, 720.0))
        .build_ui_state(|ui, app: &mut rehearse::ui::RehearseApp| app.show(ui), app);
    h.run();
    h.get_by_label_contains("journal/laptop.ron, line 1");
}
