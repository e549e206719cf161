//! CSV/TSV import and export of cards: sniffing, reading, column mapping,
//! per-row errors, and round trips (including property tests).

use proptest::prelude::*;
use rehearse_core::interop::csv::{
    ColumnMapping, CsvError, ImportCard, Mapped, Sniffed, Table, TableRow, guess_mapping, map_rows,
    read_table, sniff, write_table,
};
use rehearse_core::{Card, CardId, CardKind};

fn card(id: &str, kind: CardKind, front: &str, back: &str, topic: &str, tags: &[&str]) -> Card {
    Card {
        id: CardId::new(id).unwrap(),
        id_pinned: true,
        kind,
        front: front.into(),
        back: back.into(),
        topic: topic.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        source: None,
        rubric: Default::default(),
        modified: None,
        added: None,
    }
}

/// Reads `text` the way an import screen would: sniff, read, guess, map.
fn import(text: &str, default_deck: &str) -> (Sniffed, Table, Mapped) {
    let sniffed = sniff(text);
    let table = read_table(text.as_bytes(), sniffed.delimiter, sniffed.has_header).unwrap();
    let mapped = map_rows(&table, &guess_mapping(&table.headers), default_deck);
    (sniffed, table, mapped)
}

fn tricky_cards() -> Vec<(String, Card)> {
    vec![
        (
            "Databases".into(),
            card(
                "db-acid",
                CardKind::Basic,
                "What does \"ACID\" promise, in one line?",
                "**Atomicity, Consistency, Isolation, Durability.**\n\n```sql\nBEGIN; UPDATE t SET a = 1, b = 2; COMMIT;\n```\n",
                "Transactions",
                &["sql", "transactions"],
            ),
        ),
        (
            "Databases".into(),
            card(
                "db.shard_1",
                CardKind::Reversed,
                "Sharding\t(tabbed)",
                "Splitting one dataset across servers by a key;\r\nCRLF inside, \"quotes\", commas",
                "",
                &[],
            ),
        ),
        (
            "Distributed, \"systems\"; ünïcödé 日本語".into(),
            card(
                "db-cap",
                CardKind::Cloze,
                "During a {{c1::partition}} a system chooses {{c2::consistency}} or {{c3::availability::A-word}}.",
                "",
                "CAP · théorème 🦀",
                &["cap", "dist-sys", "日本"],
            ),
        ),
        (
            "Plain".into(),
            card(
                "x",
                CardKind::Basic,
                "\"starts with a quote",
                "ends with a quote\"",
                "a \"quoted\" topic",
                &["a:b", "c/d"],
            ),
        ),
        (
            "Plain".into(),
            card(
                "y",
                CardKind::Basic,
                "  leading and trailing spaces kept  ",
                "\n\nnewlines first\nand last\n",
                "tabs\tinside",
                &["#hash"],
            ),
        ),
    ]
}

/// Cards as reading them back gives them: CRLF and CR line breaks as LF.
fn lf_only(cards: Vec<(String, Card)>) -> Vec<(String, Card)> {
    let lf = |s: &str| s.replace("\r\n", "\n").replace('\r', "\n");
    cards
        .into_iter()
        .map(|(deck, mut c)| {
            c.front = lf(&c.front);
            c.back = lf(&c.back);
            c.topic = lf(&c.topic);
            c.tags = c.tags.iter().map(|t| lf(t)).collect();
            (lf(&deck), c)
        })
        .collect()
}

fn assert_round_trip(delimiter: u8) {
    let cards = tricky_cards();
    let pairs: Vec<(&str, &Card)> = cards.iter().map(|(d, c)| (d.as_str(), c)).collect();
    let text = write_table(&pairs, delimiter).unwrap();
    let first_line = text.lines().next().unwrap();
    let sep = (delimiter as char).to_string();
    assert_eq!(
        first_line,
        ["id", "deck", "front", "back", "topic", "tags", "kind"].join(&sep)
    );

    let table = read_table(text.as_bytes(), delimiter, true).unwrap();
    let mapped = map_rows(&table, &guess_mapping(&table.headers), "Default");
    assert!(mapped.errors.is_empty(), "{:?}", mapped.errors);
    let got: Vec<(String, Card)> = mapped.cards.into_iter().map(|c| (c.deck, c.card)).collect();
    assert_eq!(got, lf_only(cards.clone()));

    // The sniffer recognises what we write.
    let (sniffed, _, mapped) = import(&text, "Default");
    assert_eq!(
        sniffed,
        Sniffed {
            delimiter,
            has_header: true
        }
    );
    assert_eq!(mapped.cards.len(), cards.len());
}

#[test]
fn round_trip_csv() {
    assert_round_trip(b',');
}

#[test]
fn round_trip_tsv() {
    assert_round_trip(b'\t');
}

#[test]
fn round_trip_semicolon() {
    assert_round_trip(b';');
}

#[test]
fn written_kind_and_tags_are_plain() {
    let c = card("k", CardKind::Reversed, "F", "B", "T", &["a", "b"]);
    let text = write_table(&[("D", &c)], b',').unwrap();
    assert_eq!(
        text,
        "id,deck,front,back,topic,tags,kind\nk,D,F,B,T,a b,reversed\n"
    );
    assert_eq!(
        write_table(&[], b'\t').unwrap(),
        "id\tdeck\tfront\tback\ttopic\ttags\tkind\n"
    );
}

#[test]
fn sniffs_delimiters() {
    let comma = "front,back\nWhat is 2+2?,4\n\"Hello, world\",greeting\n";
    assert_eq!(sniff(comma).delimiter, b',');

    let tab = "front\tback\nWhat, in short, is X?\tA thing, really\nY?\tZ, z\n";
    assert_eq!(sniff(tab).delimiter, b'\t');

    // Semicolons with decimal commas, as European spreadsheets write them.
    let semi = "Front;Back\nHow much is 1,5 + 1,5?;3,0\nPi, roughly?;3,14\n";
    assert_eq!(sniff(semi).delimiter, b';');

    // A quoted delimiter does not count.
    let quoted = "a,b\n\"x;y;z\",\"1;2\"\n\"p;q\",r\n";
    assert_eq!(sniff(quoted).delimiter, b',');

    // A quoted field spanning lines is one record.
    let multi = "front\tback\n\"line one\nline two, still\"\tanswer\nq\ta\n";
    assert_eq!(sniff(multi).delimiter, b'\t');

    // Nothing to go on: comma.
    assert_eq!(sniff("just one column\nanother\n").delimiter, b',');
    assert_eq!(sniff("").delimiter, b',');
}

#[test]
fn sniffs_headers() {
    let yes = |t: &str| assert!(sniff(t).has_header, "expected a header: {t:?}");
    let no = |t: &str| assert!(!sniff(t).has_header, "expected no header: {t:?}");

    yes("front,back\nQ,A\n");
    yes("Question\tAnswer\tTags\nQ\tA\tx\n");
    yes("\u{feff}ID;Deck;FRONT;Back\n1;d;q;a\n");
    yes("Front,Back,Notes,Source,Hint\nq,a,n,s,h\n");
    // Differs in shape: text above numbers.
    yes("Term,Definition,Score\nidempotent,same result twice,3\nlinearizable,real-time order,5\n");
    // Differs in shape: a different length above fixed-length values.
    yes("Term,Added\nfoo,2024-01-01\nbar baz,2024-02-11\nqux,2025-12-31\nquux,2023-07-04\n");

    no(
        "What is a B-tree?,A balanced search tree\nWhat is an LSM tree?,A log-structured merge tree\n",
    );
    no("q1,a1,1\nq2,a2,2\nq3,a3,3\n");
    // One cell that happens to be a column name is not enough.
    no("deck,the floor of a ship\nkeel,the spine of a ship\n");
    no("");
}

#[test]
fn no_header_gives_generated_names() {
    let text = "q1,a1\nq2,a2,\n";
    let table = read_table(text.as_bytes(), b',', false).unwrap();
    assert_eq!(table.headers, ["Column 1", "Column 2", "Column 3"]);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[0].line, 1);
    let mapping = guess_mapping(&table.headers);
    assert_eq!((mapping.front, mapping.back), (0, Some(1)));
    let mapped = map_rows(&table, &mapping, "Inbox");
    assert!(mapped.errors.is_empty(), "{:?}", mapped.errors);
    assert_eq!(mapped.cards[1].card.front, "q2");
    assert_eq!(mapped.cards[1].deck, "Inbox");
}

#[test]
fn no_header_extra_text_is_an_error_not_lost() {
    let text = "q1,a1\nq2,a2,extra\n";
    let table = read_table(text.as_bytes(), b',', false).unwrap();
    assert_eq!(table.headers, ["Column 1", "Column 2", "Column 3"]);
    let mapped = map_rows(&table, &guess_mapping(&table.headers), "Inbox");
    assert_eq!(mapped.errors.len(), 1, "{:?}", mapped.errors);
    assert_eq!(mapped.errors[0].line, 2);
}

#[test]
fn odd_quoting() {
    let text = concat!(
        "front,back\r\n",
        "\"a, b\",\"say \"\"hi\"\"\"\r\n",
        "\"multi\r\nline\nfront\",\"\"\r\n",
        "mid\"quote,plain\r\n",
        "\"\",\"empty front\"\r\n",
        "\r\n",
        "last,\"unterminated\n",
    );
    let table = read_table(text.as_bytes(), b',', true).unwrap();
    assert_eq!(table.headers, ["front", "back"]);
    let rows: Vec<(usize, Vec<&str>)> = table
        .rows
        .iter()
        .map(|r| (r.line, r.fields.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (2, vec!["a, b", "say \"hi\""]),
            (3, vec!["multi\nline\nfront", ""]),
            (6, vec!["mid\"quote", "plain"]),
            (7, vec!["", "empty front"]),
            (9, vec!["last", "unterminated\n"]),
        ]
    );
    let mapped = map_rows(&table, &guess_mapping(&table.headers), "D");
    let errors: Vec<String> = mapped.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        [
            "line 3: the back (column 2) is empty; a basic card needs one",
            "line 7: the front (column 1) is empty",
        ]
    );
    let lines: Vec<usize> = mapped.cards.iter().map(|c| c.line).collect();
    assert_eq!(lines, [2, 6, 9]);
}

#[test]
fn line_numbers_with_any_line_ending_and_blank_lines() {
    for eol in ["\n", "\r\n", "\r"] {
        let text = [
            "front,back",
            "q1,a1",
            "",
            "",
            "\"q2",
            "more\",a2",
            "q3,a3",
            "",
        ]
        .join(eol);
        let table = read_table(text.as_bytes(), b',', true).unwrap();
        let lines: Vec<usize> = table.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 5, 7], "line ending {eol:?}");
        // Line breaks inside fields come back as LF, whatever the file used.
        assert_eq!(table.rows[1].fields[0], "q2\nmore");
        // A Latin-1 "é" on line 8.
        let bytes = [text.as_bytes(), b"caf\xe9", eol.as_bytes()].concat();
        assert_eq!(
            read_table(&bytes, b',', true),
            Err(CsvError::Encoding { line: 8 }),
            "line ending {eol:?}"
        );
    }
}

#[test]
fn byte_order_mark_is_skipped() {
    let text = "\u{feff}front,back\nQ,A\n";
    let table = read_table(text.as_bytes(), b',', true).unwrap();
    assert_eq!(table.headers, ["front", "back"]);
    let (sniffed, _, mapped) = import(text, "D");
    assert!(sniffed.has_header);
    assert_eq!(mapped.cards.len(), 1);
    assert_eq!(mapped.cards[0].card.front, "Q");

    // Without a header the first field must not start with the mark either.
    let table = read_table("\u{feff}Q,A\n".as_bytes(), b',', false).unwrap();
    assert_eq!(table.rows[0].fields, ["Q", "A"]);
}

#[test]
fn ragged_rows_are_kept_and_reported() {
    let text = "front,back,topic\nq1,a1,t1\nq2,a2\nq3\nq4,a4,t4,surplus\nq5,a5,t5,,\n";
    let table = read_table(text.as_bytes(), b',', true).unwrap();
    let widths: Vec<usize> = table.rows.iter().map(|r| r.fields.len()).collect();
    assert_eq!(widths, [3, 2, 1, 4, 5]);

    let mapped = map_rows(&table, &guess_mapping(&table.headers), "D");
    let errors: Vec<String> = mapped.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        [
            "line 3: the row has only 2 fields, so the topic (column 3) is missing",
            "line 4: the row has only 1 field, so the back (column 2) and the topic (column 3) are missing",
            "line 5: the row has 4 fields but the header has 3; a field that contains the delimiter must be in double quotes",
        ]
    );
    // Trailing empty fields (as spreadsheets write them) are fine.
    let fronts: Vec<&str> = mapped.cards.iter().map(|c| c.card.front.as_str()).collect();
    assert_eq!(fronts, ["q1", "q5"]);

    // A row missing the front column entirely.
    let table = read_table(b"back,front\nonly back\n", b',', true).unwrap();
    let mapped = map_rows(&table, &guess_mapping(&table.headers), "D");
    assert_eq!(
        mapped.errors[0].to_string(),
        "line 2: the row has only 1 field, so the front (column 2) is missing"
    );
}

#[test]
fn latin1_is_refused_with_its_line() {
    let bytes = b"front,back\nq,a\ncaf\xe9,coffee\nq2,a2\n";
    let err = read_table(bytes, b',', true).unwrap_err();
    assert_eq!(err, CsvError::Encoding { line: 3 });
    let message = err.to_string();
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("UTF-8"), "{message}");

    // On the first line, after a byte-order mark.
    let err = read_table(b"\xEF\xBB\xBF\xe9t\xe9,summer\n", b',', false).unwrap_err();
    assert_eq!(err, CsvError::Encoding { line: 1 });
    // UTF-16, as "Unicode text" exports are.
    let err = read_table(b"\xFF\xFEf\0r\0", b'\t', true).unwrap_err();
    assert_eq!(err, CsvError::Encoding { line: 1 });
}

#[test]
fn row_errors_name_lines_and_good_rows_still_map() {
    let text = concat!(
        "id,front,back,kind,tags,topic,deck\n",                // 1
        "ok-1,Q1,A1,,\"a, b  c\",  Topic  ,\n",                // 2
        "bad id,Q2,A2,basic,,,\n",                             // 3
        "ok-3,Q3,A3,Reversed,,,Other\n",                       // 4
        "ok-4,Q4,A4,flashcard,,,\n",                           // 5
        "ok-5,no deletion here,,cloze,,,\n",                   // 6
        ",{{c1::Paris}} is the capital of France,,CLOZE,,,\n", // 7
        "ok-1,Q8,A8,,,,\n",                                    // 8
        ",Q9,A9,,,,\n",                                        // 9
        ",  Q9 ,A10,,,,\n",                                    // 10
        ",,A11,,,,\n",                                         // 11
        ",,,,,,\n",                                            // 12: blank, skipped
        "ok-13,Q13,A13,,,,\n",                                 // 13
    );
    let (sniffed, _, mapped) = import(text, "Default deck");
    assert_eq!(
        sniffed,
        Sniffed {
            delimiter: b',',
            has_header: true
        }
    );
    let errors: Vec<(usize, &str)> = mapped
        .errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    let lines: Vec<usize> = errors.iter().map(|e| e.0).collect();
    assert_eq!(lines, [3, 5, 6, 8, 10, 11], "{errors:#?}");
    assert!(
        errors[0].1.starts_with("the id (column 1) is not valid: "),
        "{errors:?}"
    );
    assert!(errors[0].1.contains("`bad id`"), "{errors:?}");
    assert_eq!(
        errors[1].1,
        "the kind (column 4) is `flashcard`; expected basic, reversed, cloze or rubric"
    );
    assert_eq!(
        errors[2].1,
        "a cloze card needs at least one `{{c1::...}}` deletion in its front (column 2)"
    );
    assert_eq!(errors[3].1, "the id `ok-1` is already used on line 2");
    assert!(
        errors[4]
            .1
            .starts_with("the front is the same as on line 9"),
        "{errors:?}"
    );
    assert_eq!(errors[5].1, "the front (column 2) is empty");
    assert_eq!(
        mapped.errors[5].to_string(),
        "line 11: the front (column 2) is empty"
    );

    let good: Vec<(usize, &str)> = mapped
        .cards
        .iter()
        .map(|c| (c.line, c.card.id.as_str()))
        .collect();
    let derived7 = CardId::derived_from("{{c1::Paris}} is the capital of France");
    let derived9 = CardId::derived_from("Q9");
    assert_eq!(
        good,
        [
            (2, "ok-1"),
            (4, "ok-3"),
            (7, derived7.as_str()),
            (9, derived9.as_str()),
            (13, "ok-13"),
        ]
    );
    let first = &mapped.cards[0];
    assert_eq!(first.deck, "Default deck");
    assert_eq!(first.card.tags, ["a", "b", "c"]);
    assert_eq!(first.card.topic, "Topic");
    assert!(first.card.id_pinned);
    assert_eq!(mapped.cards[1].deck, "Other");
    assert_eq!(mapped.cards[1].card.kind, CardKind::Reversed);
    assert_eq!(mapped.cards[2].card.kind, CardKind::Cloze);
    assert!(!mapped.cards[2].card.id_pinned);
}

#[test]
fn rereading_gives_the_same_ids() {
    let text = "Question\tAnswer\nWhat is a mutex?\tA lock\nWhat is a semaphore?\tA counter\n";
    let (_, _, first) = import(text, "D");
    let (_, _, again) = import(text, "D");
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert_eq!(first, again);
    let ids: Vec<&CardId> = first.cards.iter().map(|c| &c.card.id).collect();
    assert_eq!(
        ids,
        [
            &CardId::derived_from("What is a mutex?"),
            &CardId::derived_from("What is a semaphore?")
        ]
    );
    // The same cards in another order and layout still get the same ids.
    let other = "answer,question\nA counter,What is a semaphore?\nA lock,  What is a mutex?\n";
    let (_, _, reordered) = import(other, "D");
    let mut a: Vec<&CardId> = reordered.cards.iter().map(|c| &c.card.id).collect();
    a.sort();
    let mut b = ids.clone();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn guesses_mappings() {
    let h = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        guess_mapping(&h(&[
            "id", "deck", "front", "back", "topic", "tags", "kind"
        ])),
        ColumnMapping {
            front: 2,
            back: Some(3),
            tags: Some(5),
            topic: Some(4),
            deck: Some(1),
            id: Some(0),
            kind: Some(6),
            points: None,
            time_box: None,
        }
    );
    let m = guess_mapping(&h(&[" Tags ", "ANSWER", "Question"]));
    assert_eq!((m.front, m.back, m.tags), (2, Some(1), Some(0)));
    let m = guess_mapping(&h(&["Column 1", "Column 2"]));
    assert_eq!((m.front, m.back, m.tags), (0, Some(1), None));
    let m = guess_mapping(&h(&["tags", "Word", "Meaning"]));
    assert_eq!((m.front, m.back, m.tags), (1, Some(2), Some(0)));
    let m = guess_mapping(&h(&["Text"]));
    assert_eq!((m.front, m.back), (0, None));
    let m = guess_mapping(&[]);
    assert_eq!((m.front, m.back), (0, None));
}

#[test]
fn explicit_mapping_and_missing_back_column() {
    let table = Table {
        anki: Default::default(),
        headers: vec!["a".into(), "b".into()],
        rows: vec![
            TableRow {
                line: 4,
                fields: vec!["{{c1::x}} y".into(), "cloze".into()],
            },
            TableRow {
                line: 5,
                fields: vec!["plain".into(), "".into()],
            },
        ],
    };
    let mapping = ColumnMapping {
        front: 0,
        back: None,
        tags: None,
        topic: None,
        deck: None,
        id: None,
        kind: Some(1),
        points: None,
        time_box: None,
    };
    let mapped = map_rows(&table, &mapping, "D");
    assert_eq!(mapped.cards.len(), 1);
    assert_eq!(
        mapped.cards[0],
        ImportCard {
            line: 4,
            deck: "D".into(),
            card: Card {
                id: CardId::derived_from("{{c1::x}} y"),
                id_pinned: false,
                kind: CardKind::Cloze,
                front: "{{c1::x}} y".into(),
                back: String::new(),
                topic: String::new(),
                tags: vec![],
                source: None,
                rubric: Default::default(),
                modified: None,
                added: None,
            },
        }
    );
    assert_eq!(
        mapped.errors[0].to_string(),
        "line 5: no column is the back; a basic card needs one"
    );
}

// ---- properties ----

fn text_strategy() -> impl Strategy<Value = String> {
    // Weighted towards the characters that matter to CSV.
    proptest::collection::vec(
        prop_oneof![
            4 => proptest::char::range('a', 'z'),
            1 => Just(','), 1 => Just(';'), 1 => Just('\t'), 1 => Just('"'),
            1 => Just('\n'), 1 => Just('\r'), 1 => Just(' '), 1 => Just('{'),
            1 => Just('}'), 1 => Just(':'), 1 => Just('\u{feff}'),
            1 => any::<char>(),
        ],
        0..24,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

fn non_blank() -> impl Strategy<Value = String> {
    text_strategy().prop_filter("blank", |s| !s.trim().is_empty())
}

fn trimmed() -> impl Strategy<Value = String> {
    text_strategy().prop_map(|s| s.trim().to_string())
}

fn kind_strategy() -> impl Strategy<Value = CardKind> {
    prop_oneof![
        Just(CardKind::Basic),
        Just(CardKind::Reversed),
        Just(CardKind::Cloze)
    ]
}

type Generated = (
    String,
    String,
    String,
    String,
    Vec<String>,
    CardKind,
    String,
);

fn card_strategy() -> impl Strategy<Value = Generated> {
    (
        "[A-Za-z0-9._-]{1,20}",
        non_blank(),
        non_blank(),
        trimmed(),
        proptest::collection::vec("[^\\s,]{1,8}", 0..4),
        kind_strategy(),
        non_blank().prop_map(|s| s.trim().to_string()),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        picks in proptest::collection::vec(any::<u8>(), 10),
        default_deck in ".{0,5}",
    ) {
        let text = String::from_utf8_lossy(&bytes);
        let sniffed = sniff(&text);
        for input in [&bytes[..], text.as_bytes()] {
            for delimiter in [sniffed.delimiter, b',', b'\t', b';', picks[0]] {
                for has_header in [false, true] {
                    let Ok(table) = read_table(input, delimiter, has_header) else {
                        continue;
                    };
                    let _ = map_rows(&table, &guess_mapping(&table.headers), &default_deck);
                    let pick = |i: usize| usize::from(picks[i] % 6);
                    let maybe = |i: usize| (picks[i] % 2 == 0).then(|| pick(i));
                    let mapping = ColumnMapping {
                        front: pick(1),
                        back: maybe(2),
                        tags: maybe(3),
                        topic: maybe(4),
                        deck: maybe(5),
                        id: maybe(6),
                        kind: maybe(7),
                        points: None,
                        time_box: None,
                    };
                    let mapped = map_rows(&table, &mapping, &default_deck);
                    for e in &mapped.errors {
                        prop_assert!(e.line >= 1);
                    }
                }
            }
        }
    }

    #[test]
    fn arbitrary_cards_round_trip(
        generated in proptest::collection::vec(card_strategy(), 0..8),
        delimiter in prop_oneof![Just(b','), Just(b'\t'), Just(b';')],
    ) {
        let cards: Vec<(String, Card)> = generated
            .into_iter()
            .enumerate()
            .map(|(i, (id, front, back, topic, tags, kind, deck))| {
                let front = if kind == CardKind::Cloze {
                    format!("{{{{c1::{front}}}}}")
                } else {
                    front
                };
                let card = Card {
                    // Unique within the file.
                    id: CardId::new(format!("{id}-{i}")).unwrap(),
                    id_pinned: true,
                    kind,
                    front,
                    back,
                    topic,
                    tags,
                    source: None,
                    rubric: Default::default(),
                    modified: None,
                    added: None,
                };
                (deck, card)
            })
            .collect();
        let pairs: Vec<(&str, &Card)> = cards.iter().map(|(d, c)| (d.as_str(), c)).collect();
        let text = write_table(&pairs, delimiter).unwrap();
        let table = read_table(text.as_bytes(), delimiter, true).unwrap();
        prop_assert_eq!(table.rows.len(), cards.len());
        let mapped = map_rows(&table, &guess_mapping(&table.headers), "unused");
        prop_assert!(mapped.errors.is_empty(), "{:?}\n{}", mapped.errors, text);
        let got: Vec<(String, Card)> =
            mapped.cards.into_iter().map(|c| (c.deck, c.card)).collect();
        prop_assert_eq!(got, lf_only(cards.clone()));
    }
}

/// Rubric cards go out and come back through CSV with their key points in
/// one column (` | ` between them) and their time box.
#[test]
fn rubric_cards_round_trip_with_points_in_one_column() {
    use rehearse_core::deck::{Rubric, parse_deck};
    let deck = parse_deck(
        r#"(name: "Design", cards: [(
            id: "sd-short", kind: Rubric, topic: "Design", time_box: "10m",
            front: "Design a URL shortener.",
            points: ["estimates QPS", "base62 ids", "caches redirects"],
        )])"#,
        std::path::Path::new("design.ron"),
    )
    .unwrap();
    let card = &deck.cards[0];
    let text = write_table(&[("Design", card)], b',').unwrap();
    assert!(
        text.contains("estimates QPS | base62 ids | caches redirects"),
        "{text}"
    );
    let table = read_table(text.as_bytes(), b',', true).unwrap();
    let mapped = map_rows(&table, &guess_mapping(&table.headers), "x");
    assert!(mapped.errors.is_empty(), "{:?}", mapped.errors);
    let back = &mapped.cards[0].card;
    assert_eq!(back.kind, rehearse_core::CardKind::Rubric);
    assert_eq!(
        back.rubric,
        Rubric {
            points: vec![
                "estimates QPS".into(),
                "base62 ids".into(),
                "caches redirects".into()
            ],
            time_box: Some("10m".parse().unwrap()),
        }
    );
    // Too few points, a bad time box, or points on a basic card are row errors.
    let bad = "front,back,kind,points,time_box\nQ,,rubric,only one,10m\nQ2,,rubric,a | b,soon\nQ3,A,basic,a | b,\n";
    let table = read_table(bad.as_bytes(), b',', true).unwrap();
    let mapped = map_rows(&table, &guess_mapping(&table.headers), "x");
    let errors: Vec<String> = mapped.errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].contains("at least 2 key points"), "{errors:?}");
    assert!(errors[1].contains("time box"), "{errors:?}");
    assert!(errors[2].contains("belong to rubric cards"), "{errors:?}");
}
