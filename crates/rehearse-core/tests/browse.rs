//! The card browser's search language and sorting: every key and operator,
//! negation, quoting, wildcards, combinations, malformed queries (a clear,
//! positioned error and never a panic) and each sort column both ways.

use std::collections::BTreeSet;
use std::path::Path;

use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rehearse_core::collection::{Collection, OpenOptions};
use rehearse_core::schedule::{DayClock, Phase, Rating};
use rehearse_core::search::{Query, QueryError, SearchError, SortColumn, parse, search, sort};
use rehearse_core::{Card, CardId, CardKind, ItemId, Settings};

// ----- helpers (as in tests/common) -----

/// A fixed "now": 2026-03-02 12:00 UTC, in study day "today" (days start at 04:00 UTC).
fn t0() -> Timestamp {
    "2026-03-02T12:00:00Z".parse().unwrap()
}

/// `t0` plus some minutes.
fn mins(m: i64) -> Timestamp {
    t0().checked_add(SignedDuration::from_mins(m)).unwrap()
}

/// `t0` plus some days (same time of day, so in study day today + d).
fn days(d: i64) -> Timestamp {
    t0().checked_add(SignedDuration::from_hours(24 * d))
        .unwrap()
}

fn write_decks(root: &Path, decks: &[(&str, &str)]) {
    let dir = root.join("decks");
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in decks {
        std::fs::write(dir.join(file), text).unwrap();
    }
}

fn open(root: &Path, now: Timestamp) -> Collection {
    Collection::open(
        OpenOptions {
            root: root.to_path_buf(),
            device: "test".into(),
            clock: Some(DayClock::new(TimeZone::UTC, 4)),
            read_only: false,
        },
        now,
    )
    .unwrap()
}

fn item(s: &str) -> ItemId {
    s.parse().unwrap()
}

// ----- the fixture -----

const CLOUD: &str = r#"(name: "Cloud, containers and operations", cards: [
    (id: "cl-k8s", topic: "Kubernetes", tags: ["containers"], front: "What does a Kubernetes Pod group?", back: "Containers sharing network and storage."),
    (id: "cl-greek", topic: "Ünïcode", tags: ["Straße"], front: "ΣΟΦΙΑ and Straße", back: "CAFÉ"),
    (id: "cl-dash", topic: "misc", front: "What is a half-open connection?", back: "One side closed: \"FIN\" received."),
])"#;

const DATA_STRUCTURES: &str = r#"(name: "Data structures", cards: [
    (id: "ds-heap", topic: "Heaps", tags: ["trees"], front: "Heap insert cost?", back: "O(log n)"),
])"#;

const DATABASES: &str = r#"(name: "Databases", cards: [
    (id: "db-acid", topic: "Transactions", tags: ["sql", "transactions"], front: "What does ACID promise about a transaction?", back: "Atomicity, Consistency, Isolation, Durability."),
    (id: "db-shard", kind: Reversed, topic: "Scaling", tags: ["NoSQL"], front: "Sharding", back: "Splitting one dataset across servers by a key."),
    (id: "db-cap", kind: Cloze, topic: "Distributed systems", tags: ["cap"], front: "During a {{c1::partition}} a system chooses {{c2::consistency}} or {{c3::availability::A-word}}."),
    (id: "db-idx", topic: "Indexing", tags: ["sql", "btree"], front: "Why is a B-tree index good for range scans?", back: "Leaves are ordered and linked."),
])"#;

/// Items, in collection order: cl-k8s, cl-greek, cl-dash, ds-heap, db-acid,
/// db-shard, db-shard:rev, db-cap:c1, db-cap:c2, db-cap:c3, db-idx.
///
/// States at `t0` (no fuzz, leech at 1 lapse):
/// - cl-k8s: Again 5 minutes ago: learning, due today.
/// - ds-heap: Easy on day -20, Again on day -3: relearning, 1 lapse, leech, overdue.
/// - db-acid: Easy on day -10 (8 days): review, due day -2 (overdue), suspended.
/// - db-shard: new and suspended. db-shard:rev: Good on day -2: learning, overdue.
/// - db-cap:c1: Easy an hour ago: review, due day 8.
/// - db-idx: Easy on day -1: review, due day 7.
/// - cl-greek, cl-dash, db-cap:c2, db-cap:c3: new.
fn fixture() -> (tempfile::TempDir, Collection) {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("cloud.ron", CLOUD),
            ("data-structures.ron", DATA_STRUCTURES),
            ("databases.ron", DATABASES),
        ],
    );
    let mut c = open(dir.path(), t0());
    let settings = Settings {
        fuzz: false,
        leech_threshold: 1,
        ..c.settings().clone()
    };
    c.save_settings(settings).unwrap();
    let answers = [
        ("ds-heap", Rating::Easy, days(-20)),
        ("db-acid", Rating::Easy, days(-10)),
        ("ds-heap", Rating::Again, days(-3)),
        ("db-shard:rev", Rating::Good, days(-2)),
        ("db-idx", Rating::Easy, days(-1)),
        ("db-cap:c1", Rating::Easy, mins(-60)),
        ("cl-k8s", Rating::Again, mins(-5)),
    ];
    for (id, rating, at) in answers {
        c.answer(&item(id), rating, at, 5000).unwrap();
    }
    c.suspend_items(&[item("db-shard")], true, mins(-1))
        .unwrap();
    c.suspend_items(&[item("db-acid")], true, mins(-1)).unwrap();
    (dir, c)
}

/// The fixture's states are what the tests below assume.
#[test]
fn fixture_states_are_as_documented() {
    let (_dir, c) = fixture();
    let order: Vec<String> = c.items().iter().map(|i| i.id.to_string()).collect();
    assert_eq!(
        order,
        [
            "cl-k8s",
            "cl-greek",
            "cl-dash",
            "ds-heap",
            "db-acid",
            "db-shard",
            "db-shard:rev",
            "db-cap:c1",
            "db-cap:c2",
            "db-cap:c3",
            "db-idx"
        ]
    );
    let s = |id: &str| c.state(&item(id)).clone();
    assert!(matches!(s("cl-k8s").phase, Phase::Learning { .. }));
    assert!(matches!(s("ds-heap").phase, Phase::Relearning { .. }));
    assert_eq!(s("ds-heap").lapses, 1);
    assert!(s("ds-heap").leech);
    assert_eq!(s("db-acid").phase, Phase::Review);
    assert_eq!(s("db-acid").interval_days, 8);
    assert!(s("db-acid").suspended);
    assert_eq!(s("db-shard").phase, Phase::New);
    assert!(s("db-shard").suspended);
    assert!(matches!(s("db-shard:rev").phase, Phase::Learning { .. }));
    assert_eq!(s("db-idx").interval_days, 8);
    assert_eq!(s("db-cap:c1").interval_days, 8);
}

/// The ids `query` finds, checking that `Query::matches` agrees with `search`.
fn find(c: &Collection, query: &str) -> Vec<String> {
    let q = parse(query).unwrap_or_else(|e| panic!("`{query}`: {e}"));
    let history = c.history_loader().unwrap().load().unwrap();
    let found = search(c, &q, t0(), Some(&history)).unwrap();
    let one_by_one: Vec<usize> = (0..c.items().len())
        .filter(|&i| q.matches(c, &c.items()[i], t0(), Some(&history)).unwrap())
        .collect();
    assert_eq!(found, one_by_one, "`{query}`: search and matches disagree");
    found
        .into_iter()
        .map(|i| c.items()[i].id.to_string())
        .collect()
}

/// Asserts that `query` finds exactly `expected` (in any order).
#[track_caller]
fn check(c: &Collection, query: &str, expected: &[&str]) {
    let got: BTreeSet<String> = find(c, query).into_iter().collect();
    let want: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    assert_eq!(got, want, "`{query}`");
}

/// Every item except `except`.
fn all_but(c: &Collection, except: &[&str]) -> Vec<String> {
    c.items()
        .iter()
        .map(|i| i.id.to_string())
        .filter(|id| !except.contains(&id.as_str()))
        .collect()
}

#[track_caller]
fn check_all_but(c: &Collection, query: &str, except: &[&str]) {
    let want = all_but(c, except);
    let want: Vec<&str> = want.iter().map(String::as_str).collect();
    check(c, query, &want);
}

const CLOZE: [&str; 3] = ["db-cap:c1", "db-cap:c2", "db-cap:c3"];
const NEW: [&str; 5] = ["cl-greek", "cl-dash", "db-shard", "db-cap:c2", "db-cap:c3"];

// ----- search -----

#[test]
fn empty_query_matches_everything() {
    let (_dir, c) = fixture();
    for q in ["", "   ", "\t\n"] {
        assert!(parse(q).unwrap().is_empty());
        assert_eq!(find(&c, q).len(), c.items().len());
    }
}

#[test]
fn free_text_ignores_case_and_searches_both_sides() {
    let (_dir, c) = fixture();
    check(&c, "kubernetes", &["cl-k8s"]);
    check(&c, "KUBERNETES pod", &["cl-k8s"]);
    check(&c, "linked", &["db-idx"]); // on the back
    check(&c, "sharding", &["db-shard", "db-shard:rev"]); // both variants
    check(&c, "range pod", &[]);
    // A match never spans the front and the back.
    check(&c, "cost?o(log", &[]);
    // Unicode-aware lowercase on both sides.
    check(&c, "σοφια", &["cl-greek"]);
    check(&c, "ΣοΦΙΑ", &["cl-greek"]);
    check(&c, "café", &["cl-greek"]);
    check(&c, "STRAẞE", &["cl-greek"]);
    // Text with colons that is not a key.
    check(&c, "std::vec", &[]);
    check(&c, "\"closed:\"", &["cl-dash"]);
}

#[test]
fn cloze_cards_match_their_raw_text() {
    let (_dir, c) = fixture();
    check(&c, "c2::consistency", &CLOZE);
    check(&c, "a-word", &CLOZE);
    check(&c, "{{c1::partition}}", &CLOZE);
}

#[test]
fn quoted_phrases_and_negation() {
    let (_dir, c) = fixture();
    check(&c, "\"range scans\"", &["db-idx"]);
    check(&c, "\"RANGE  scans\"", &[]); // spaces count
    check(&c, "\"scans range\"", &[]);
    check(&c, "\"half-open connection\"", &["cl-dash"]);
    check(&c, "\"FIN\"", &["cl-dash"]);
    check(
        &c,
        "\"\"",
        &all_but(&c, &[])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    check_all_but(&c, "-sharding", &["db-shard", "db-shard:rev"]);
    check_all_but(&c, "-\"range scans\"", &["db-idx"]);
    check(&c, "what -kubernetes -\"half-open\"", &["db-acid"]);
    check(
        &c,
        "-what -sharding -heap",
        &["cl-greek", "db-cap:c1", "db-cap:c2", "db-cap:c3", "db-idx"],
    );
}

#[test]
fn deck_by_slug_or_name_with_wildcards_and_quotes() {
    let (_dir, c) = fixture();
    let databases = [
        "db-acid",
        "db-shard",
        "db-shard:rev",
        "db-cap:c1",
        "db-cap:c2",
        "db-cap:c3",
        "db-idx",
    ];
    check(&c, "deck:databases", &databases);
    check(&c, "deck:DataBases", &databases);
    check(&c, "deck:cloud", &["cl-k8s", "cl-greek", "cl-dash"]);
    check(
        &c,
        "deck:\"Cloud, containers and operations\"",
        &["cl-k8s", "cl-greek", "cl-dash"],
    );
    check(
        &c,
        "deck:\"cloud, CONTAINERS*\"",
        &["cl-k8s", "cl-greek", "cl-dash"],
    );
    check(&c, "deck:dat", &[]); // no wildcard: the whole name
    let mut data = databases.to_vec();
    data.push("ds-heap");
    check(&c, "deck:data*", &data);
    check(&c, "deck:DATA*", &data);
    check(&c, "deck:\"data s*\"", &["ds-heap"]); // by name
    check(&c, "deck:data-*", &["ds-heap"]); // by slug
    check(
        &c,
        "deck:*",
        &all_but(&c, &[])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    check_all_but(&c, "-deck:databases", &databases);
    check(&c, "-deck:databases -deck:cloud", &["ds-heap"]);
}

#[test]
fn tags_and_topics() {
    let (_dir, c) = fixture();
    check(&c, "tag:sql", &["db-acid", "db-idx"]);
    check(&c, "tag:SQL", &["db-acid", "db-idx"]);
    check(&c, "tag:nosql", &["db-shard", "db-shard:rev"]);
    check(&c, "tag:s*", &["db-acid", "db-idx", "cl-greek"]);
    check(&c, "tag:straße", &["cl-greek"]);
    check(&c, "tag:STRAẞE", &["cl-greek"]);
    check(&c, "tag:tree", &[]); // equality, not substring
    check(&c, "tag:tree*", &["ds-heap"]);
    check_all_but(&c, "-tag:sql", &["db-acid", "db-idx"]);
    check(&c, "topic:transactions", &["db-acid"]);
    check(&c, "topic:\"distributed systems\"", &CLOZE);
    check(&c, "topic:dist*", &CLOZE);
    check(&c, "topic:\"Distributed s*\"", &CLOZE);
    check(&c, "topic:distributed", &[]);
    check(&c, "topic:ÜNÏCODE", &["cl-greek"]);
    check(&c, "topic:MISC", &["cl-dash"]);
}

#[test]
fn is_states() {
    let (_dir, c) = fixture();
    check(&c, "is:new", &NEW);
    check(&c, "is:learning", &["cl-k8s", "ds-heap", "db-shard:rev"]);
    check(&c, "is:review", &["db-acid", "db-cap:c1", "db-idx"]);
    // Not suspended (db-acid is), not new, due before tomorrow.
    check(&c, "is:due", &["cl-k8s", "ds-heap", "db-shard:rev"]);
    check(&c, "is:suspended", &["db-acid", "db-shard"]);
    check(&c, "is:leech", &["ds-heap"]);
    check(&c, "IS:NEW is:suspended", &["db-shard"]);
    check(
        &c,
        "is:new -is:suspended",
        &["cl-greek", "cl-dash", "db-cap:c2", "db-cap:c3"],
    );
    check_all_but(&c, "-is:new", &NEW);
}

#[test]
fn counters_and_intervals() {
    let (_dir, c) = fixture();
    check(&c, "prop:lapses>=1", &["ds-heap"]);
    check(&c, "prop:lapses>0.5", &["ds-heap"]);
    check_all_but(&c, "prop:lapses=0", &["ds-heap"]);
    check_all_but(&c, "prop:lapses!=1", &["ds-heap"]);
    check(&c, "prop:reps>1", &["ds-heap"]);
    check(&c, "prop:reps>=2", &["ds-heap"]);
    check(&c, "prop:reps<1", &NEW);
    check(
        &c,
        "prop:reps=1",
        &["cl-k8s", "db-acid", "db-shard:rev", "db-cap:c1", "db-idx"],
    );
    check(&c, "prop:ivl>=8", &["db-acid", "db-cap:c1", "db-idx"]);
    check(&c, "prop:ivl=8", &["db-acid", "db-cap:c1", "db-idx"]);
    check(&c, "prop:ivl>8", &[]);
    check(
        &c,
        "prop:ivl<=8 is:learning -tag:trees",
        &["cl-k8s", "db-shard:rev"],
    );
    // New items have no interval.
    let learning_or_review: Vec<String> = all_but(&c, &NEW);
    let want: Vec<&str> = learning_or_review.iter().map(String::as_str).collect();
    check(&c, "prop:ivl>=0", &want);
}

#[test]
fn memory_properties() {
    let (_dir, c) = fixture();
    // Easy on a new card: stability 8.2956, difficulty 1.
    check(&c, "prop:s>8", &["db-acid", "db-cap:c1", "db-idx"]);
    check(&c, "prop:s>=8.2956", &["db-acid", "db-cap:c1", "db-idx"]);
    check(&c, "prop:d<1.5", &["db-acid", "db-cap:c1", "db-idx"]);
    check(&c, "prop:d=1", &["db-acid", "db-cap:c1", "db-idx"]);
    check(&c, "prop:d>=1.5", &["cl-k8s", "ds-heap", "db-shard:rev"]);
    // New items never match a memory property.
    check(
        &c,
        "prop:s>=0",
        &all_but(&c, &NEW)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    check(&c, "-prop:d>=0", &NEW);
}

#[test]
fn retrievability_now() {
    let (_dir, c) = fixture();
    let r = |id: &str| {
        c.scheduler()
            .retrievability(c.state(&item(id)), t0())
            .unwrap()
    };
    // The fixture spreads recall out: a fresh answer is near 1, older ones lower.
    assert!(r("db-cap:c1") > 0.99, "{}", r("db-cap:c1"));
    assert!(r("db-acid") < 0.95, "{}", r("db-acid"));
    assert!(r("ds-heap") < 0.95, "{}", r("ds-heap"));
    for threshold in [0.5f32, 0.8, 0.9, 0.95, 0.99, 1.0] {
        let want: Vec<String> = c
            .items()
            .iter()
            .filter(|i| {
                c.scheduler()
                    .retrievability(c.state(&i.id), t0())
                    .is_some_and(|r| r < threshold)
            })
            .map(|i| i.id.to_string())
            .collect();
        let want: Vec<&str> = want.iter().map(String::as_str).collect();
        check(&c, &format!("prop:r<{threshold}"), &want);
    }
    let answered = all_but(&c, &NEW);
    let answered: Vec<&str> = answered.iter().map(String::as_str).collect();
    check(&c, "prop:r>=0", &answered);
    check(&c, "prop:r!=2", &answered);
    check(&c, "-prop:r>=0", &NEW);
}

#[test]
fn due_in_days() {
    let (_dir, c) = fixture();
    let overdue = ["ds-heap", "db-acid", "db-shard:rev"];
    check(&c, "prop:due<0", &overdue);
    check(&c, "prop:due<=-2", &overdue);
    check(&c, "prop:due<-2", &["ds-heap"]);
    check(&c, "prop:due=-3", &["ds-heap"]);
    check(&c, "prop:due=0", &["cl-k8s"]);
    check(
        &c,
        "prop:due<=0",
        &["cl-k8s", "ds-heap", "db-acid", "db-shard:rev"],
    );
    check(&c, "prop:due>=7", &["db-cap:c1", "db-idx"]);
    check(&c, "prop:due=7", &["db-idx"]);
    check(&c, "prop:due>7", &["db-cap:c1"]);
    check(&c, "prop:due<=+7 prop:due>0", &["db-idx"]);
    check(
        &c,
        "prop:due!=7",
        &["cl-k8s", "ds-heap", "db-acid", "db-shard:rev", "db-cap:c1"],
    );
    check(
        &c,
        "prop:due<=3",
        &["cl-k8s", "ds-heap", "db-acid", "db-shard:rev"],
    );
    // New items have no due date.
    check(&c, "-prop:due>-100000", &NEW);
    // Huge offsets are clamped, not overflowed.
    check(&c, "prop:due>2147483647", &[]);
    check(&c, "prop:due<-2147483648", &[]);
}

#[test]
fn rated_in_the_last_days() {
    let (_dir, c) = fixture();
    check(&c, "rated:1", &["cl-k8s", "db-cap:c1"]);
    check(&c, "rated:2", &["cl-k8s", "db-cap:c1", "db-idx"]);
    check(
        &c,
        "rated:3",
        &["cl-k8s", "db-cap:c1", "db-idx", "db-shard:rev"],
    );
    check(
        &c,
        "rated:4",
        &["cl-k8s", "db-cap:c1", "db-idx", "db-shard:rev", "ds-heap"],
    );
    check(
        &c,
        "rated:365",
        &all_but(&c, &NEW)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    check(
        &c,
        "rated:4294967295",
        &all_but(&c, &NEW)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    check(&c, "-rated:1 is:review", &["db-acid", "db-idx"]);
}

#[test]
fn combinations() {
    let (_dir, c) = fixture();
    check(
        &c,
        "deck:databases is:new",
        &["db-shard", "db-cap:c2", "db-cap:c3"],
    );
    check(
        &c,
        "deck:databases is:new -is:suspended",
        &["db-cap:c2", "db-cap:c3"],
    );
    check(&c, "tag:sql prop:ivl>=8", &["db-acid", "db-idx"]);
    check(&c, "deck:data* -is:suspended index", &["db-idx"]);
    check(&c, "deck:data* what -is:suspended", &[]);
    check(
        &c,
        "-deck:cloud -is:new prop:r<0.999 -tag:trees",
        &["db-acid", "db-shard:rev", "db-idx"],
    );
    check(&c, "topic:dist* -\"c1::\"", &[]);
    check(&c, "is:learning is:due \"containers sharing\"", &["cl-k8s"]);
    // Term order does not matter.
    assert_eq!(
        find(&c, "what tag:sql is:review"),
        find(&c, "is:review what tag:sql")
    );
}

// ----- malformed queries -----

#[track_caller]
fn bad(query: &str, position: usize, needle: &str) -> QueryError {
    let e = parse(query).expect_err(query);
    assert_eq!(e.position, position, "`{query}`: {e}");
    assert!(e.message.contains(needle), "`{query}`: {e}");
    assert!(
        e.to_string().starts_with(&format!("at {position}: ")),
        "{e}"
    );
    e
}

#[test]
fn rated_with_a_button_and_introduced_read_the_history() {
    let (_dir, c) = fixture();
    // Answers: ds-heap Easy day -20 and Again day -3; db-acid Easy day -10;
    // db-shard:rev Good day -2; db-idx Easy day -1; db-cap:c1 Easy and
    // cl-k8s Again today.
    check(&c, "rated:1:1", &["cl-k8s"]);
    check(&c, "rated:1:4", &["db-cap:c1"]);
    check(&c, "rated:4:1", &["cl-k8s", "ds-heap"]);
    check(&c, "rated:3:3", &["db-shard:rev"]);
    check(
        &c,
        "rated:30:4",
        &["db-acid", "db-cap:c1", "db-idx", "ds-heap"],
    );
    check(&c, "rated:30:2", &[]);
    // First answered: ds-heap on day -20, so not "introduced" in 4 days
    // though answered on day -3.
    check(&c, "introduced:1", &["cl-k8s", "db-cap:c1"]);
    check(
        &c,
        "introduced:4",
        &["cl-k8s", "db-cap:c1", "db-idx", "db-shard:rev"],
    );
    check(&c, "introduced:21 -introduced:11", &["ds-heap"]);
    // Without the history these searches fail; they never find nothing.
    let q = parse("tag:sql or introduced:3").unwrap();
    assert_eq!(q.needs_history(), Some("introduced:"));
    assert_eq!(
        search(&c, &q, t0(), None),
        Err(SearchError::NeedsHistory("introduced:"))
    );
    assert_eq!(
        parse("rated:3:1").unwrap().needs_history(),
        Some("rated:N:EASE")
    );
    assert_eq!(parse("rated:3 tag:sql").unwrap().needs_history(), None);
}

#[test]
fn accent_insensitive_text() {
    let (_dir, c) = fixture();
    // cl-greek: "ΣΟΦΙΑ and Straße" / "CAFÉ".
    check(&c, "nc:cafe", &["cl-greek"]);
    check(&c, "nc:CAFÉ", &["cl-greek"]);
    check(&c, "nc:caf_", &["cl-greek"]);
    check(&c, "cafe", &[]);
    // Precomposed and combining spellings of é agree.
    check(&c, "nc:\"cafe\u{301}\"", &["cl-greek"]);
    let others = all_but(&c, &["cl-greek"]);
    let others: Vec<&str> = others.iter().map(String::as_str).collect();
    check(&c, "-nc:cafe", &others);
}

#[test]
fn added_and_edited_days() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("cloud.ron", CLOUD)]);
    let mut c = open(dir.path(), t0());
    // Cards written by hand have no added date; their deck file's time
    // stands in for when they were edited (the file was just written).
    check(&c, "added:1", &[]);
    check(&c, "edited:1", &["cl-k8s", "cl-greek", "cl-dash"]);
    let card = |front: &str| Card {
        id: CardId::new("new-one").unwrap(),
        id_pinned: true,
        kind: CardKind::Basic,
        front: front.into(),
        back: "b".into(),
        topic: String::new(),
        tags: vec![],
        source: None,
        rubric: Default::default(),
        modified: None,
        added: None,
    };
    let id = CardId::new("new-one").unwrap();
    // Added ten days ago, edited three days ago, saved unchanged yesterday.
    c.save_card("cloud", None, card("Q"), days(-10)).unwrap();
    c.save_card("cloud", Some(&id), card("Q2"), days(-3))
        .unwrap();
    c.save_card("cloud", Some(&id), card("Q2"), days(-1))
        .unwrap();
    check(&c, "added:11 front:q*", &["new-one"]);
    check(&c, "added:10 front:q*", &[]);
    check(&c, "edited:4 front:q*", &["new-one"]);
    check(&c, "edited:3 front:q*", &[]);
    let saved = c.card_of(&item("new-one")).unwrap();
    assert_eq!(saved.added, Some(days(-10)));
    assert_eq!(saved.modified, Some(days(-3)));
    // Both times are kept in the deck file.
    drop(c);
    let c = open(dir.path(), t0());
    let saved = c.card_of(&item("new-one")).unwrap();
    assert_eq!(saved.added, Some(days(-10)));
    assert_eq!(saved.modified, Some(days(-3)));
}

#[test]
fn malformed_queries_give_positioned_errors() {
    let e = bad("prop:lapses>=x", 13, "expected a number");
    assert_eq!(
        e.to_string(),
        "at 13: expected a number after `prop:lapses>=`, found `x`"
    );
    bad("deck:x prop:lapses>=", 20, "found nothing");
    bad("prop:r<nan", 7, "expected a number after `prop:r<`");
    bad("prop:s>inf", 7, "expected a number");
    bad("prop:ivl>=3x", 10, "`3x`");
    bad(
        "prop:due<=1.5",
        10,
        "whole number of days after `prop:due<=`",
    );
    bad("prop:x<3", 5, "unknown property `x`");
    bad("prop:", 5, "expected a property");
    bad("prop:<3", 5, "expected a property");
    bad("prop:r", 6, "expected a comparison");
    bad("prop:r~3", 6, "found `~3`");
    bad("prop:lapses =3", 11, "after `prop:lapses`, found nothing");
    bad("foo:bar", 0, "unknown key `foo:`");
    let e = bad("kubernetes url:x", 11, "unknown key `url:`");
    for key in ["deck:", "tag:", "topic:", "is:", "prop:", "rated:"] {
        assert!(e.message.contains(key), "{e}");
    }
    bad("is:nope", 3, "unknown `is:` value `nope`");
    bad("is:", 3, "expected new, learning");
    bad("deck:", 5, "expected a deck name");
    bad("tag:\"\"", 4, "expected a tag");
    bad("topic:", 6, "expected a topic");
    bad("(tag:sql or tag:cap", 0, "never closed");
    bad("tag:sql)", 7, "closes no `(`");
    bad("()", 0, "hold nothing");
    bad("tag:sql or", 10, "expected a search term before the end");
    bad("or tag:sql", 0, "expected a search term before `or`");
    bad("re:\"(unclosed\"", 3, "not a regular expression");
    bad("card:x", 5, "expected a number after `card:`");
    bad(
        "added:x",
        6,
        "expected a number of days (1 or more) after `added:`",
    );
    bad("edited:0", 7, "after `edited:`");
    bad("introduced:", 11, "found nothing");
    bad("nc:", 3, "expected text after `nc:`");
    bad("flag:1", 0, "cards have no flags");
    bad(
        "rated:7:5",
        6,
        "as 1 (again), 2 (hard), 3 (good) or 4 (easy), found `5`",
    );
    bad("rated:x:1", 6, "expected a number of days");
    bad("\"open phrase", 0, "never closed");
    bad("a -\"x", 3, "never closed");
    bad("deck:\"Cloud, containers", 5, "never closed");
    bad("\"x\"y", 3, "expected a space after the closing quote");
    bad("-", 0, "after `-`");
    bad("a - b", 2, "after `-`");
    bad("rated:0", 6, "1 or more");
    bad("rated:-1", 6, "found `-1`");
    bad("rated:", 6, "found nothing");
    // Positions count characters, not bytes.
    bad("ΣΟΦΙΑ prop:r<x", 13, "found `x`");
    bad("café foo:1", 5, "unknown key");
}

#[test]
fn texts_that_look_like_keys_but_are_not() {
    for q in [
        "std::vec",
        "12:30",
        ":x",
        "a::b",
        "-\"-\"",
        "C++",
        "x*y",
        "\"deck:x\"",
    ] {
        parse(q).unwrap_or_else(|e| panic!("`{q}`: {e}"));
    }
    assert_eq!(parse("\"deck:x\"").unwrap(), parse("\"DECK:X\"").unwrap());
    assert!("deck:x".parse::<Query>().is_ok());
}

/// Pieces of the grammar, glued together at random, reach the parser's corners.
fn query_pieces() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("deck:"),
        Just("tag:"),
        Just("topic:"),
        Just("is:"),
        Just("prop:"),
        Just("rated:"),
        Just("nc:"),
        Just("added:"),
        Just("edited:"),
        Just("introduced:"),
        Just("front:"),
        Just("re:"),
        Just("card:"),
        Just(" or "),
        Just(" and "),
        Just("("),
        Just(")"),
        Just("_"),
        Just("é"),
        Just("new"),
        Just("due"),
        Just("r"),
        Just("ivl"),
        Just("lapses"),
        Just("<"),
        Just("<="),
        Just(">="),
        Just("="),
        Just("!="),
        Just("-"),
        Just("\""),
        Just("*"),
        Just(":"),
        Just(" "),
        Just("3"),
        Just("-2"),
        Just("0.5"),
        Just("data"),
        Just("sql"),
        Just("Σ"),
        Just("ẞ"),
        Just("İ"),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

#[test]
fn arbitrary_queries_never_panic_and_search_agrees_with_matches() {
    let (_dir, c) = fixture();
    let history = c.history_loader().unwrap().load().unwrap();
    let check_one = |text: &str| match parse(text) {
        Ok(q) => {
            // Printing is a normal form: it parses back to a query that
            // prints the same and finds the same items.
            let printed = q.to_string();
            let again = parse(&printed)
                .unwrap_or_else(|e| panic!("`{text}` printed as `{printed}`, which fails: {e}"));
            assert_eq!(again.to_string(), printed, "`{text}`");
            assert_eq!(
                search(&c, &again, t0(), Some(&history)).unwrap(),
                search(&c, &q, t0(), Some(&history)).unwrap(),
                "`{text}` printed as `{printed}`"
            );
            let found = search(&c, &q, t0(), Some(&history)).unwrap();
            let one_by_one: Vec<usize> = (0..c.items().len())
                .filter(|&i| q.matches(&c, &c.items()[i], t0(), Some(&history)).unwrap())
                .collect();
            assert_eq!(found, one_by_one, "`{text}`");
        }
        Err(e) => {
            assert!(e.position <= text.chars().count(), "`{text}`: {e}");
            assert!(!e.message.is_empty());
        }
    };
    let mut runner = TestRunner::new(Config {
        cases: 3000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&query_pieces(), |text| {
            check_one(&text);
            Ok(())
        })
        .unwrap();
    runner
        .run(&any::<String>(), |text| {
            check_one(&text);
            Ok(())
        })
        .unwrap();
    runner
        .run(&"[a-z:\"* <>=!.0-9-]{0,24}", |text| {
            check_one(&text);
            Ok(())
        })
        .unwrap();
}

// ----- sorting -----

/// A reference sort: stable, `None` keys last in both directions.
fn reference<K: PartialOrd + Clone>(
    rows: &[usize],
    key: impl Fn(usize) -> Option<K>,
    descending: bool,
) -> Vec<usize> {
    let mut with: Vec<(Option<K>, usize)> = rows.iter().map(|&r| (key(r), r)).collect();
    with.sort_by(|(a, _), (b, _)| match (a, b) {
        (Some(a), Some(b)) => {
            let o = a.partial_cmp(b).unwrap();
            if descending { o.reverse() } else { o }
        }
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    with.into_iter().map(|(_, r)| r).collect()
}

fn sorted(c: &Collection, rows: &[usize], column: SortColumn, descending: bool) -> Vec<usize> {
    let mut rows = rows.to_vec();
    sort(c, &mut rows, column, descending, t0());
    rows
}

fn ids(c: &Collection, rows: &[usize]) -> Vec<String> {
    rows.iter().map(|&r| c.items()[r].id.to_string()).collect()
}

#[test]
fn numeric_columns_put_new_items_last_both_ways() {
    let (_dir, c) = fixture();
    let all: Vec<usize> = (0..c.items().len()).collect();
    let mut reversed = all.clone();
    reversed.reverse();
    let state = |r: usize| c.state(&c.items()[r].id).clone();
    let answered = |r: usize| state(r).phase != Phase::New;
    for column in [
        SortColumn::Due,
        SortColumn::Interval,
        SortColumn::Stability,
        SortColumn::Difficulty,
        SortColumn::Retrievability,
        SortColumn::Lapses,
    ] {
        let key = |r: usize| -> Option<f64> {
            let s = state(r);
            if s.phase == Phase::New {
                return None;
            }
            match column {
                SortColumn::Due => s.due.map(|d| d.as_millisecond() as f64),
                SortColumn::Interval => Some(f64::from(s.interval_days)),
                SortColumn::Stability => s.memory.map(|m| f64::from(m.stability)),
                SortColumn::Difficulty => s.memory.map(|m| f64::from(m.difficulty)),
                SortColumn::Retrievability => c.scheduler().retrievability(&s, t0()).map(f64::from),
                _ => Some(f64::from(s.lapses)),
            }
        };
        for descending in [false, true] {
            for input in [&all, &reversed] {
                let got = sorted(&c, input, column, descending);
                assert_eq!(
                    ids(&c, &got),
                    ids(&c, &reference(input, key, descending)),
                    "{column:?} descending {descending}"
                );
                // New items, and only they, at the end, in input order.
                let split = got.iter().position(|&r| !answered(r)).unwrap();
                assert!(got[..split].iter().all(|&r| answered(r)));
                assert!(got[split..].iter().all(|&r| !answered(r)));
                let new_in_input: Vec<usize> =
                    input.iter().copied().filter(|&r| !answered(r)).collect();
                assert_eq!(got[split..], new_in_input[..], "{column:?}");
            }
        }
    }
}

#[test]
fn numeric_sorts_by_known_values() {
    let (_dir, c) = fixture();
    let all: Vec<usize> = (0..c.items().len()).collect();
    let answered = |rows: Vec<usize>| -> Vec<String> {
        ids(&c, &rows)
            .into_iter()
            .filter(|id| !NEW.contains(&id.as_str()))
            .collect()
    };
    // Ties (interval 8, lapses 0) keep their input order in both directions.
    assert_eq!(
        answered(sorted(&c, &all, SortColumn::Interval, true))[..3],
        ["db-acid", "db-cap:c1", "db-idx"]
    );
    assert_eq!(
        answered(sorted(&c, &all, SortColumn::Lapses, true)),
        [
            "ds-heap",
            "cl-k8s",
            "db-acid",
            "db-shard:rev",
            "db-cap:c1",
            "db-idx"
        ]
    );
    assert_eq!(
        answered(sorted(&c, &all, SortColumn::Lapses, false)),
        [
            "cl-k8s",
            "db-acid",
            "db-shard:rev",
            "db-cap:c1",
            "db-idx",
            "ds-heap"
        ]
    );
    assert_eq!(
        answered(sorted(&c, &all, SortColumn::Due, false)),
        [
            "ds-heap",
            "db-acid",
            "db-shard:rev",
            "cl-k8s",
            "db-idx",
            "db-cap:c1"
        ]
    );
    assert_eq!(
        answered(sorted(&c, &all, SortColumn::Due, true)),
        [
            "db-cap:c1",
            "db-idx",
            "cl-k8s",
            "db-shard:rev",
            "db-acid",
            "ds-heap"
        ]
    );
    let by_recall = answered(sorted(&c, &all, SortColumn::Retrievability, true));
    assert_eq!(by_recall[0], "db-cap:c1");
}

#[test]
fn text_columns_ignore_case_and_are_stable() {
    let (_dir, c) = fixture();
    let all: Vec<usize> = (0..c.items().len()).collect();
    let mut reversed = all.clone();
    reversed.reverse();
    let card = |r: usize| c.card_of(&c.items()[r].id).unwrap().clone();
    let deck = |r: usize| c.decks()[c.items()[r].deck].name.to_lowercase();
    for column in [
        SortColumn::Deck,
        SortColumn::Front,
        SortColumn::Topic,
        SortColumn::Tags,
    ] {
        let key = |r: usize| -> Option<String> {
            let card = card(r);
            Some(match column {
                SortColumn::Deck => deck(r),
                SortColumn::Front => card.front.to_lowercase(),
                SortColumn::Topic => card.topic.to_lowercase(),
                _ => card.tags.join(" ").to_lowercase(),
            })
        };
        for descending in [false, true] {
            for input in [&all, &reversed] {
                assert_eq!(
                    ids(&c, &sorted(&c, input, column, descending)),
                    ids(&c, &reference(input, key, descending)),
                    "{column:?} descending {descending}"
                );
            }
        }
    }
    // Explicit orders.
    let front = ids(&c, &sorted(&c, &all, SortColumn::Front, false));
    assert_eq!(
        front,
        [
            "db-cap:c1",
            "db-cap:c2",
            "db-cap:c3",
            "ds-heap",
            "db-shard",
            "db-shard:rev",
            "cl-k8s",
            "db-acid",
            "cl-dash",
            "db-idx",
            "cl-greek",
        ]
    );
    let front_desc = ids(&c, &sorted(&c, &all, SortColumn::Front, true));
    assert_eq!(front_desc[0], "cl-greek");
    assert_eq!(front_desc[5..7], ["db-shard", "db-shard:rev"]); // ties stay in order
    let tags = ids(&c, &sorted(&c, &all, SortColumn::Tags, false));
    assert_eq!(tags[0], "cl-dash"); // no tags sorts first
    let decks = ids(&c, &sorted(&c, &all, SortColumn::Deck, true));
    assert_eq!(decks[..3], ["db-acid", "db-shard", "db-shard:rev"]);
    assert_eq!(decks[7], "ds-heap");
    assert_eq!(decks[8..], ["cl-k8s", "cl-greek", "cl-dash"]);
    let topics = ids(&c, &sorted(&c, &all, SortColumn::Topic, false));
    assert_eq!(topics[..3], CLOZE);
    assert_eq!(topics[10], "cl-greek"); // "ü" after ASCII letters
}

#[test]
fn sorting_a_subset_and_bad_rows() {
    let (_dir, c) = fixture();
    let q = parse("deck:databases").unwrap();
    let mut rows = search(&c, &q, t0(), None).unwrap();
    rows.push(999); // names no item: last
    sort(&c, &mut rows, SortColumn::Interval, true, t0());
    assert_eq!(rows.last(), Some(&999));
    assert_eq!(rows.len(), 8);
    sort(&c, &mut rows, SortColumn::Front, false, t0());
    assert_eq!(rows.last(), Some(&999));
    let mut empty = Vec::new();
    for column in SortColumn::ALL {
        sort(&c, &mut empty, column, false, t0());
    }
    assert!(empty.is_empty());
}

/// Enough items that `search` splits the work across threads.
#[test]
fn large_collections_search_in_parallel_with_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("(name: \"Big\", cards: [\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "(id: \"b-{i}\", topic: \"T{}\", tags: [\"t{}\"], front: \"Question {i}\", back: \"Answer\"),\n",
            i % 5,
            i % 7
        ));
    }
    text.push_str("])");
    write_decks(dir.path(), &[("big.ron", &text)]);
    let mut c = open(dir.path(), t0());
    assert_eq!(c.items().len(), 20_000);
    c.answer(&item("b-19000"), Rating::Again, days(-1), 1000)
        .unwrap();
    c.answer(&item("b-5"), Rating::Easy, days(-1), 1000)
        .unwrap();
    for query in [
        "question 1",
        "tag:t3 -topic:t1",
        "\"question 19999\"",
        "-is:new",
    ] {
        let q = parse(query).unwrap();
        let found = search(&c, &q, t0(), None).unwrap();
        let one_by_one: Vec<usize> = (0..c.items().len())
            .filter(|&i| q.matches(&c, &c.items()[i], t0(), None).unwrap())
            .collect();
        assert_eq!(found, one_by_one, "`{query}`");
    }
    assert_eq!(
        search(&c, &parse("\"question 19999\"").unwrap(), t0(), None).unwrap(),
        [19_999]
    );
    let mut rows: Vec<usize> = (0..c.items().len()).collect();
    sort(&c, &mut rows, SortColumn::Front, true, t0());
    assert_eq!(c.items()[rows[0]].id.to_string(), "b-9999");
    // Numeric keys are computed on several threads; the order is the same.
    let input: Vec<usize> = (0..c.items().len()).rev().collect();
    for descending in [false, true] {
        let mut rows = input.clone();
        sort(&c, &mut rows, SortColumn::Interval, descending, t0());
        let first: Vec<String> = ids(&c, &rows[..2]);
        if descending {
            assert_eq!(first, ["b-5", "b-19000"]);
        } else {
            assert_eq!(first, ["b-19000", "b-5"]);
        }
        let rest: Vec<usize> = input
            .iter()
            .copied()
            .filter(|&r| r != 5 && r != 19_000)
            .collect();
        assert_eq!(rows[2..], rest[..]);
    }
}

/// Anki's everyday search forms: `or` and `and`, parentheses, negated groups,
/// wildcards in text and names, field search, regular expressions, card
/// numbers, buried siblings.
#[test]
fn anki_search_forms() {
    let (_dir, c) = fixture();
    let find = |q: &str| {
        let query = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        let mut found = ids(&c, &search(&c, &query, t0(), None).unwrap());
        found.sort();
        found
    };
    let sorted = |v: &[&str]| {
        let mut v: Vec<String> = v.iter().map(ToString::to_string).collect();
        v.sort();
        v
    };
    // `or` is the union; it was searched as the word "or" before.
    assert_eq!(
        find("tag:cap or tag:trees"),
        sorted(&["db-cap:c1", "db-cap:c2", "db-cap:c3", "ds-heap"])
    );
    assert_eq!(find("tag:cap OR tag:trees"), find("tag:cap or tag:trees"));
    // `and` binds tighter than `or`, explicit or implied.
    assert_eq!(
        find("tag:sql is:new or tag:trees"),
        sorted(&["db-idx", "ds-heap"])
            .into_iter()
            .filter(|i| i == "ds-heap")
            .collect::<Vec<_>>()
    );
    assert_eq!(
        find("tag:sql and is:review"),
        sorted(&["db-idx", "db-acid"])
    );
    assert_eq!(find("tag:sql is:review"), find("tag:sql and is:review"));
    // Parentheses group; a group can be negated; nesting works.
    assert_eq!(
        find("(tag:cap or tag:trees) is:new"),
        sorted(&["db-cap:c2", "db-cap:c3"])
    );
    assert_eq!(
        find("deck:databases -(tag:sql or tag:cap)"),
        sorted(&["db-shard", "db-shard:rev"])
    );
    assert_eq!(
        find("((tag:trees) or (tag:containers and is:learning))"),
        sorted(&["cl-k8s", "ds-heap"])
    );
    // Wildcards: `*` any run, `_` one character, in text and in names.
    assert_eq!(find("range*scans"), sorted(&["db-idx"]));
    assert_eq!(find("b-tr_e"), sorted(&["db-idx"]));
    assert_eq!(find("tag:n*sql"), sorted(&["db-shard", "db-shard:rev"]));
    assert_eq!(find("deck:*structures"), sorted(&["ds-heap"]));
    // Field search: the whole field, with wildcards.
    assert_eq!(
        find("front:sharding"),
        sorted(&["db-shard", "db-shard:rev"])
    );
    assert_eq!(find("back:o(log*"), sorted(&["ds-heap"]));
    assert!(find("front:shard").is_empty(), "the whole field must match");
    // Regular expressions, ignoring case.
    assert_eq!(find("re:\"b-?tree\""), sorted(&["db-idx"]));
    // Card numbers: cloze number, or 1 front and 2 reverse.
    assert_eq!(find("card:2"), sorted(&["db-cap:c2", "db-shard:rev"]));
    // A word "or" is found when quoted.
    assert!(parse("\"or\"").is_ok());
}

#[test]
fn buried_siblings_are_found_with_is_buried() {
    let (_dir, c) = fixture();
    // db-cap:c1 was answered today: its new siblings wait for tomorrow.
    let query = parse("is:buried").unwrap();
    let mut found = ids(&c, &search(&c, &query, t0(), None).unwrap());
    found.sort();
    assert_eq!(found, ["db-cap:c2", "db-cap:c3"]);
}

/// Valid queries built from the grammar: terms of every kind joined by
/// and, or, negation and brackets.
fn valid_queries() -> impl Strategy<Value = String> {
    let term = prop_oneof![
        Just("sql".to_string()),
        Just("\"two words\"".to_string()),
        Just("index*".to_string()),
        Just("d_g".to_string()),
        Just("deck:data*".to_string()),
        Just("deck:\"Data structures\"".to_string()),
        Just("tag:sql".to_string()),
        Just("topic:heaps".to_string()),
        Just("front:*tree*".to_string()),
        Just("back:\"o(log n)\"".to_string()),
        Just("re:\"b-?tree\"".to_string()),
        Just("nc:cafe".to_string()),
        Just("card:2".to_string()),
        Just("is:due".to_string()),
        Just("is:new".to_string()),
        Just("is:buried".to_string()),
        Just("prop:r<0.8".to_string()),
        Just("prop:ivl>=3".to_string()),
        Just("prop:due!=-2".to_string()),
        Just("rated:3".to_string()),
        Just("rated:30:4".to_string()),
        Just("added:7".to_string()),
        Just("edited:2".to_string()),
        Just("introduced:5".to_string()),
    ];
    let negatable =
        (any::<bool>(), term).prop_map(|(neg, t)| if neg { format!("-{t}") } else { t });
    negatable.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| v.join(" ")),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| v.join(" and ")),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| v.join(" or ")),
            inner.clone().prop_map(|q| format!("({q})")),
            inner.prop_map(|q| format!("-({q})")),
        ]
    })
}

#[test]
fn printed_queries_parse_back_the_same() {
    let (_dir, c) = fixture();
    let history = c.history_loader().unwrap().load().unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 1500,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&valid_queries(), |text| {
            let q = parse(&text).unwrap_or_else(|e| panic!("`{text}`: {e}"));
            let printed = q.to_string();
            let again = parse(&printed)
                .unwrap_or_else(|e| panic!("`{text}` printed as `{printed}`, which fails: {e}"));
            prop_assert_eq!(&again.to_string(), &printed, "`{}`", text);
            prop_assert_eq!(
                search(&c, &again, t0(), Some(&history)).unwrap(),
                search(&c, &q, t0(), Some(&history)).unwrap(),
                "`{}` printed as `{}`",
                text,
                printed
            );
            Ok(())
        })
        .unwrap();
    // The printed form of a few queries, as a reader sees it.
    let shown = |q: &str| parse(q).unwrap().to_string();
    assert_eq!(shown("tag:sql or tag:http"), "tag:\"sql\" or tag:\"http\"");
    // Cheaper tests are evaluated (and printed) first.
    assert_eq!(shown("(a or b) c"), "\"c\" (\"a\" or \"b\")");
    assert_eq!(shown("-(a b)"), "-(\"a\" \"b\")");
    assert_eq!(shown("rated:3:1 prop:r<0.5"), "rated:3:1 prop:r<0.5");
}
