//! The file work the window hands to worker threads, done by the core: an
//! import preview read from a path with typed errors, a table export
//! written to a path, and a review-log import detached from the collection.

mod common;

use common::*;
use rehearse_core::collection::{Collection, OpenOptions};
use rehearse_core::insight::fit::{RevlogImport, RevlogImportError};
use rehearse_core::interop::{ImportPreview, PreviewError, TableJob, preview_import};

#[test]
fn an_import_preview_reads_the_file_and_names_it_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new-cards.tsv");
    std::fs::write(&file, "front\tback\nWhat is a B-tree?\tA balanced tree\n").unwrap();
    let Ok(ImportPreview::Table {
        bytes,
        plan,
        default_deck,
    }) = preview_import(&file, None)
    else {
        panic!("a TSV file previews as a table");
    };
    assert_eq!(bytes, std::fs::read(&file).unwrap());
    assert_eq!(default_deck, "new-cards", "the file's name by default");
    assert_eq!(plan.sniffed.delimiter, b'\t');
    assert_eq!(plan.mapped.cards.len(), 1);
    assert_eq!(plan.mapped.cards[0].deck, "new-cards");
    let Ok(ImportPreview::Table { default_deck, .. }) = preview_import(&file, Some("Mine")) else {
        panic!("a TSV file previews as a table");
    };
    assert_eq!(default_deck, "Mine");

    let missing = dir.path().join("gone.csv");
    let e = preview_import(&missing, None).unwrap_err();
    assert!(matches!(e, PreviewError::Read(_)), "{e:?}");
    assert!(
        e.to_string().starts_with(&missing.display().to_string()),
        "{e}"
    );

    let latin1 = dir.path().join("latin1.csv");
    std::fs::write(&latin1, b"front,back\ncaf\xe9,x\n").unwrap();
    let e = preview_import(&latin1, None).unwrap_err();
    assert!(matches!(e, PreviewError::Table(_)), "{e:?}");

    let not_a_package = dir.path().join("deck.apkg");
    std::fs::write(&not_a_package, "front,back\n").unwrap();
    let e = preview_import(&not_a_package, None).unwrap_err();
    assert!(matches!(e, PreviewError::Anki { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with(&format!("{}: ", not_a_package.display())),
        "{e}"
    );
}

#[test]
fn a_table_export_copies_the_cards_and_writes_them_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 3))]);
    let c = open(dir.path(), t0());
    let rows: Vec<usize> = (0..c.items().len()).collect();
    let job = TableJob::new(&c, &rows, true);
    drop(c);
    let out = dir.path().join("out.tsv");
    let done = std::thread::spawn(move || job.write(&out)).join().unwrap();
    let done = done.unwrap();
    assert_eq!((done.cards, done.items), (3, 3));
    let text = std::fs::read_to_string(dir.path().join("out.tsv")).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.starts_with("id\tdeck\tfront"), "{text}");

    let c = open(dir.path(), t0());
    let e = TableJob::new(&c, &rows, false)
        .write(&dir.path().join("no/such/folder/out.csv"))
        .unwrap_err();
    assert!(e.to_string().contains("no/such/folder/out.csv"), "{e}");
}

#[test]
fn a_review_log_import_runs_apart_from_the_collection() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("alpha.ron", deck_text("Alpha", "a", 1))]);
    let c = open(dir.path(), t0());
    let log = dir.path().join("revlog.csv");
    std::fs::write(
        &log,
        "card_id,review_time,review_rating,review_duration\n\
         1,1700000000000,3,5000\n1,1700500000000,3,4000\n",
    )
    .unwrap();
    let job = RevlogImport::new(&c).unwrap();
    let report = std::thread::spawn(move || job.import_file(&log))
        .join()
        .unwrap()
        .unwrap();
    assert_eq!((report.imported, report.cards), (2, 1));
    assert!(report.path.starts_with(c.data_dir().journals()));
    let job = RevlogImport::new(&c).unwrap();
    assert!(matches!(
        job.import_file(&dir.path().join("revlog.csv")),
        Err(RevlogImportError::AlreadyImported(_))
    ));
    drop(c);

    let reader = Collection::open(
        OpenOptions {
            root: dir.path().to_path_buf(),
            device: "reader".into(),
            clock: None,
            read_only: true,
        },
        t0(),
    )
    .unwrap();
    assert!(matches!(
        RevlogImport::new(&reader),
        Err(RevlogImportError::Collection(_))
    ));
}
