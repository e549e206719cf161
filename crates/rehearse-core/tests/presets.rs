//! Option presets: each deck schedules with its own preset (retention, steps,
//! limits, burying, memory model), a parent's preset caps its subtree but is
//! not inherited, replay uses each item's preset, an older `settings.ron`
//! reads unchanged, and the optimiser fits each preset with enough history.

mod common;

use common::*;
use rehearse_core::deck_tree::deck_tree;
use rehearse_core::insight::MIN_ITEMS;
use rehearse_core::insight::fit::{PresetOutcome, import_review_log};
use rehearse_core::schedule::{Interval, Preset, Rating, Settings};
use rehearse_core::{Collection, ItemId, Scope, Session};

fn item(s: &str) -> ItemId {
    s.parse().unwrap()
}

/// A preset to add: its name and how it differs from the defaults.
type NewPreset<'a> = (&'a str, &'a dyn Fn(&mut Preset));

/// Adds presets `(name, edit)` to the collection's settings and assigns
/// them to decks `(slug, preset)`, saved.
fn presets(c: &mut Collection, add: &[NewPreset], assign: &[(&str, &str)]) {
    let mut s = c.settings().clone();
    for (name, edit) in add {
        s.add_preset(name, None).unwrap();
        let mut p = s.preset(name).unwrap();
        edit(&mut p);
        s.set_preset(p);
    }
    for (slug, name) in assign {
        s.assign_preset(slug, name).unwrap();
    }
    c.save_settings(s).unwrap();
}

fn tree_decks(root: &std::path::Path) {
    write_decks(
        root,
        &[
            ("parent.ron", deck_text("Parent", "p", 30)),
            ("parent-child.ron", deck_text("Parent::Child", "c", 30)),
            ("group-a.ron", deck_text("Group::A", "ga", 30)),
            ("group-b.ron", deck_text("Group::B", "gb", 30)),
        ],
    );
}

fn new_of(c: &Collection, label: &str) -> usize {
    let rows = deck_tree(c, &c.deck_counts(t0()), &c.done_today(t0()), &[]);
    rows.iter()
        .find(|r| r.path == label)
        .unwrap_or_else(|| panic!("no row {label}"))
        .counts
        .new
}

fn session_new(c: &Collection, scope: Scope) -> usize {
    Session::new(c, scope, t0()).remaining(c).new
}

fn subtree(c: &Collection, prefix: &str) -> Vec<String> {
    c.decks()
        .iter()
        .filter(|d| d.name.starts_with(prefix))
        .map(|d| d.slug.clone())
        .collect()
}

#[test]
fn limits_apply_at_every_level_each_with_its_own_preset() {
    let dir = tempfile::tempdir().unwrap();
    tree_decks(dir.path());
    let mut c = open(dir.path(), t0());
    presets(
        &mut c,
        &[
            ("Small", &|p: &mut Preset| p.new_per_day = 5),
            ("Big", &|p: &mut Preset| p.new_per_day = 50),
        ],
        &[
            ("parent", "Small"),
            ("parent-child", "Big"),
            ("group-a", "Big"),
            ("group-b", "Big"),
        ],
    );
    let counts = c.deck_counts(t0());
    let of = |slug: &str| counts[c.decks().iter().position(|d| d.slug == slug).unwrap()];
    // Each deck's own cards under its own preset's limit.
    assert_eq!(of("parent").new, 5);
    assert_eq!(of("parent-child").new, 30, "Big allows 50; it has 30");
    // The parent's small limit caps its whole subtree, on Home and when studied.
    assert_eq!(new_of(&c, "Parent"), 5);
    assert_eq!(session_new(&c, Scope::Decks(subtree(&c, "Parent"))), 5);
    // Studying the child directly, the parent's limit still applies (as
    // Anki does with "limits start from top").
    assert_eq!(new_of(&c, "Parent::Child"), 5);
    assert_eq!(session_new(&c, Scope::Deck("parent-child".into())), 5);
    // A parent with no deck of its own is Default (20) over its children.
    assert_eq!(new_of(&c, "Group::A"), 20);
    assert_eq!(new_of(&c, "Group"), 20);
    // All decks together: Default's limit, as before presets.
    assert_eq!(c.total_counts(t0()).new, 20);
    assert_eq!(session_new(&c, Scope::All), 20);

    // The other way round: a generous parent, a small child.
    presets(&mut c, &[], &[("parent", "Big"), ("parent-child", "Small")]);
    assert_eq!(new_of(&c, "Parent::Child"), 5);
    assert_eq!(session_new(&c, Scope::Deck("parent-child".into())), 5);
    // 30 of the parent's own and 5 of the child's, within Big's 50.
    assert_eq!(new_of(&c, "Parent"), 35);
    assert_eq!(session_new(&c, Scope::Decks(subtree(&c, "Parent"))), 35);
    assert_eq!(session_new(&c, Scope::Deck("parent".into())), 30);

    // A child without an assignment does not inherit its parent's preset.
    presets(&mut c, &[], &[("parent-child", "Default")]);
    assert_eq!(c.settings().preset_name_of_deck("parent-child"), "Default");
    assert_eq!(new_of(&c, "Parent::Child"), 20);
    assert_eq!(new_of(&c, "Parent"), 50);

    // What a child studies counts against its parent's limit.
    presets(&mut c, &[], &[("parent", "Small"), ("parent-child", "Big")]);
    let mut s = Session::new(&c, Scope::Deck("parent-child".into()), t0());
    for _ in 0..3 {
        s.current(&c, t0()).unwrap();
        s.answer(&mut c, Rating::Easy, t0(), 500).unwrap();
    }
    assert_eq!(new_of(&c, "Parent"), 2);
    assert_eq!(session_new(&c, Scope::Deck("parent".into())), 2);
}

#[test]
fn each_item_is_scheduled_with_its_decks_preset() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("keen.ron", deck_text("Keen", "k", 3)),
            ("relaxed.ron", deck_text("Relaxed", "r", 3)),
            ("plain.ron", deck_text("Plain", "p", 3)),
        ],
    );
    let mut c = open(dir.path(), t0());
    presets(
        &mut c,
        &[
            ("Keen", &|p: &mut Preset| {
                p.desired_retention = 0.97;
                p.learning_steps = vec!["5m".parse().unwrap()];
                p.leech_threshold = 1;
            }),
            ("Relaxed", &|p: &mut Preset| {
                p.desired_retention = 0.75;
                p.maximum_interval_days = 3;
            }),
        ],
        &[("keen", "Keen"), ("relaxed", "Relaxed")],
    );
    // Learning steps: Keen's one 5-minute step, Default's 1m 10m.
    assert_eq!(
        c.preview(&item("k-1"), t0()).unwrap()[0].interval,
        Interval::Seconds(300)
    );
    assert_eq!(
        c.preview(&item("p-1"), t0()).unwrap()[0].interval,
        Interval::Seconds(60)
    );
    // The same history, Easy on a new card and then Good when due: the
    // intervals follow each deck's desired retention.
    let days_of = |i: Interval| match i {
        Interval::Days(d) => d,
        Interval::Seconds(_) => panic!("a review interval"),
    };
    let mut graduated = Vec::new();
    for id in ["k-1", "p-1", "r-1"] {
        let o = c.answer(&item(id), Rating::Easy, t0(), 1000).unwrap();
        graduated.push(days_of(o.interval));
    }
    let at = days(10);
    let good: Vec<u32> = ["k-1", "p-1", "r-1"]
        .iter()
        .map(|id| days_of(c.preview(&item(id), at).unwrap()[2].interval))
        .collect();
    assert!(
        graduated[0] < graduated[1] && good[0] < good[1],
        "higher retention, shorter intervals: {graduated:?} {good:?}"
    );
    // Relaxed's maximum interval holds its cards to 3 days.
    assert!(graduated[2] <= 3 && good[2] <= 3, "{graduated:?} {good:?}");
    // Keen tags a leech at the first lapse; Default waits for 8.
    let keen = c.answer(&item("k-1"), Rating::Again, at, 1000).unwrap();
    assert!(keen.state.leech);
    let plain = c.answer(&item("p-1"), Rating::Again, at, 1000).unwrap();
    assert!(!plain.state.leech);
    // Predicted recall uses the item's preset's memory model too.
    assert_eq!(
        c.scheduler_of(&item("k-1")).settings().desired_retention,
        0.97
    );
}

#[test]
fn burying_siblings_follows_the_items_deck() {
    let reversed = |name: &str, prefix: &str| {
        let mut s = format!("(name: {name:?}, cards: [\n");
        for i in 1..=3 {
            s.push_str(&format!(
                "    (id: \"{prefix}-{i}\", kind: Reversed, front: \"Q{i}\", back: \"A{i}\"),\n"
            ));
        }
        s + "])\n"
    };
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("buries.ron", reversed("Buries", "b")),
            ("keeps.ron", reversed("Keeps", "k")),
        ],
    );
    let mut c = open(dir.path(), t0());
    presets(
        &mut c,
        &[("Both sides", &|p: &mut Preset| p.bury_new_siblings = false)],
        &[("keeps", "Both sides")],
    );
    let counts = c.deck_counts(t0());
    assert_eq!(counts[0].new, 3, "one side of each card under Default");
    assert_eq!(counts[1].new, 6, "both sides with burying off");
    assert_eq!(session_new(&c, Scope::Deck("buries".into())), 3);
    assert_eq!(session_new(&c, Scope::Deck("keeps".into())), 6);
}

#[test]
fn replay_uses_each_items_preset_and_a_new_preset_applies_from_the_next_answer() {
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("keen.ron", deck_text("Keen", "k", 2)),
            ("plain.ron", deck_text("Plain", "p", 2)),
        ],
    );
    let mut c = open(dir.path(), t0());
    presets(
        &mut c,
        &[("Keen", &|p: &mut Preset| p.desired_retention = 0.97)],
        &[("keen", "Keen")],
    );
    for (id, day) in [("k-1", 0), ("p-1", 0), ("k-1", 3), ("p-1", 3)] {
        c.answer(&item(id), Rating::Good, days(day), 1000).unwrap();
        c.answer(&item(id), Rating::Good, days(day), 1000).unwrap();
    }
    let live = |c: &Collection| [c.state(&item("k-1")).clone(), c.state(&item("p-1")).clone()];
    let before = live(&c);
    assert_ne!(before[0].due, before[1].due);
    drop(c);
    // Rebuilt from the journals alone: the same states, each by its preset.
    std::fs::remove_dir_all(dir.path().join(".cache")).ok();
    let mut c = open(dir.path(), days(3));
    assert_eq!(live(&c), before);

    // Giving the deck another preset reschedules nothing: due dates stay…
    presets(
        &mut c,
        &[("Relaxed", &|p: &mut Preset| p.desired_retention = 0.75)],
        &[("keen", "Relaxed")],
    );
    assert_eq!(live(&c), before);
    // …and the next answer is scheduled with the new preset.
    let next = c.preview(&item("k-1"), days(20)).unwrap();
    let with_keen = {
        let s = Settings {
            desired_retention: 0.97,
            ..Settings::default()
        };
        rehearse_core::Scheduler::new(s, c.clock().clone())
            .unwrap()
            .outcomes(&item("k-1"), c.state(&item("k-1")), days(20))
            .unwrap()
    };
    assert!(next[2].interval != with_keen[2].interval);
    assert_eq!(
        c.scheduler_of(&item("k-1")).settings().desired_retention,
        0.75
    );
}

/// A `settings.ron` written before presets existed (every per-deck option
/// at the top level, Rehearse's own layout): it reads unchanged, its values
/// are the Default preset every deck uses, and saving writes it back as it was.
#[test]
fn settings_from_before_presets_read_unchanged() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/settings/before-presets.ron"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let s = Settings::from_ron(&text).unwrap();
    assert_eq!(s.preset_names(), ["Default"]);
    let d = s.default_preset();
    assert_eq!(d.desired_retention, 0.87);
    assert_eq!(d.new_per_day, 12);
    assert_eq!(d.reviews_per_day, 150);
    assert_eq!(
        d.learning_steps,
        ["2m", "15m", "1h"].map(|x| x.parse().unwrap())
    );
    assert_eq!(d.relearning_steps, ["5m".parse().unwrap()]);
    assert_eq!(d.maximum_interval_days, 400);
    assert_eq!(d.leech_threshold, 6);
    assert!(!d.bury_new_siblings && d.bury_review_siblings && d.bury_interday_learning_siblings);
    assert_eq!(d.fsrs_parameters.len(), 21);
    assert_eq!(s.day_starts_at_hour, 3);
    assert_eq!(s.learn_ahead_minutes, 10);
    assert!(!s.fuzz);
    assert_eq!(s.interview.as_ref().unwrap().restore_retention, Some(0.85));
    assert_eq!(s.display.collapsed_decks, ["Parent"]);
    // Written back exactly as it was: nothing about presets is added.
    assert_eq!(s.to_ron().unwrap(), text);

    // In a collection every deck schedules with those values.
    let dir = tempfile::tempdir().unwrap();
    tree_decks(dir.path());
    std::fs::write(dir.path().join("settings.ron"), &text).unwrap();
    let c = open(dir.path(), t0());
    assert_eq!(c.settings_error(), None);
    assert_eq!(c.settings(), &s);
    for deck in 0..c.decks().len() {
        assert_eq!(c.deck_preset_name(deck), "Default");
        let used = c.deck_scheduler(deck).settings();
        assert_eq!(used.desired_retention, 0.87);
        assert_eq!(used.fsrs_parameters, d.fsrs_parameters);
    }
    assert_eq!(c.deck_counts(t0())[0].new, 12);
    assert_eq!(c.total_counts(t0()).new, 12);
}

#[test]
fn presets_round_trip_through_settings_ron() {
    let mut s = Settings::default();
    s.add_preset("Cram", None).unwrap();
    let mut p = s.preset("Cram").unwrap();
    p.new_per_day = 60;
    p.fsrs_parameters = vec![0.5; 21];
    s.set_preset(p);
    s.assign_preset("databases", "Cram").unwrap();
    let text = s.to_ron().unwrap();
    assert!(text.contains("name: \"Cram\""), "{text}");
    assert!(text.contains("\"databases\": \"Cram\""), "{text}");
    assert_eq!(Settings::from_ron(&text).unwrap(), s);
    // Hand-written: missing options take Anki's defaults.
    let hand = Settings::from_ron(
        "(presets: [(name: \"Light\", new_per_day: 5)], deck_presets: {\"a\": \"Light\"})",
    )
    .unwrap();
    let light = hand.preset("Light").unwrap();
    assert_eq!(light.new_per_day, 5);
    assert_eq!(light.desired_retention, 0.9);
    // A deck given a preset that does not exist is an error naming both.
    let err = Settings::from_ron("(deck_presets: {\"a\": \"Nope\"})").unwrap_err();
    assert!(err.to_string().contains("\"Nope\""), "{err}");
}

/// The sample review log's cards, in order of first appearance.
fn sample_card_ids(text: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    text.lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .filter(|id| seen.insert(id.to_string()))
        .map(String::from)
        .collect()
}

fn imported_deck(name: &str, ids: &[String]) -> String {
    let mut s = format!("(name: {name:?}, cards: [\n");
    for id in ids {
        s.push_str(&format!(
            "    (id: \"imported-{id}\", front: \"Card {id}?\", back: \"Yes\"),\n"
        ));
    }
    s + "])\n"
}

#[test]
fn the_optimiser_fits_each_preset_with_enough_history_and_the_rest_use_the_global_parameters() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/revlog-sample.csv"
    ))
    .unwrap();
    let ids = sample_card_ids(&text);
    let dir = tempfile::tempdir().unwrap();
    // Half the log's cards in one deck, three in another, the rest in none.
    write_decks(
        dir.path(),
        &[
            ("big.ron", imported_deck("Big", &ids[..600])),
            ("tiny.ron", imported_deck("Tiny", &ids[600..603])),
        ],
    );
    let mut c = open(dir.path(), t0());
    presets(
        &mut c,
        &[
            ("Big", &|p: &mut Preset| p.desired_retention = 0.85),
            ("Tiny", &|p: &mut Preset| p.fsrs_parameters = vec![0.3; 21]),
        ],
        &[("big", "Big"), ("tiny", "Tiny")],
    );
    import_review_log(&c, &text).unwrap();
    drop(c);
    let mut c = open(dir.path(), t0());
    let fit = c.fit_job().unwrap().run(|_, _| true).unwrap();
    assert!(fit.global.improved, "the global fit beats the defaults");
    let big = fit.presets.iter().find(|p| p.name == "Big").unwrap();
    let PresetOutcome::Fitted(big_fit) = &big.outcome else {
        panic!("Big has enough history: {:?}", big.outcome)
    };
    assert!(big_fit.items >= MIN_ITEMS);
    assert!(
        big_fit.reviews < fit.global.reviews,
        "its own decks only: {} of {}",
        big_fit.reviews,
        fit.global.reviews
    );
    let tiny = fit.presets.iter().find(|p| p.name == "Tiny").unwrap();
    let PresetOutcome::TooLittleHistory { have } = tiny.outcome else {
        panic!("Tiny has three cards: {:?}", tiny.outcome)
    };
    assert!(have < MIN_ITEMS);

    assert!(c.use_fit(&fit).unwrap());
    let s = c.settings();
    assert_eq!(s.fsrs_parameters, fit.global.parameters);
    // Tiny falls back to the global parameters: it keeps none of its own.
    assert!(s.preset("Tiny").unwrap().fsrs_parameters.is_empty());
    assert_eq!(
        s.for_preset("Tiny").unwrap().fsrs_parameters,
        fit.global.parameters
    );
    let big_params = s.preset("Big").unwrap().fsrs_parameters;
    if big_fit.improved {
        assert_eq!(big_params, big_fit.parameters);
        assert_ne!(big_params, fit.global.parameters);
    }
    // The decks schedule with them.
    let tiny_deck = c.decks().iter().position(|d| d.slug == "tiny").unwrap();
    assert_eq!(
        c.deck_scheduler(tiny_deck).settings().fsrs_parameters,
        fit.global.parameters
    );
}

#[test]
fn the_final_stretch_raise_covers_every_preset_and_puts_each_back() {
    use rehearse_core::insight::forecast::{raise_retention, restore_retention};
    let dir = tempfile::tempdir().unwrap();
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 2))]);
    let mut c = open(dir.path(), t0());
    presets(
        &mut c,
        &[
            ("Loose", &|p: &mut Preset| p.desired_retention = 0.8),
            ("Strict", &|p: &mut Preset| p.desired_retention = 0.97),
        ],
        &[("a", "Loose")],
    );
    let date = jiff::civil::date(2026, 3, 20);
    let raise = raise_retention(&mut c, date, Vec::new()).unwrap().unwrap();
    assert_eq!((raise.from, raise.to), (0.9, 0.95));
    let retention =
        |c: &Collection, name: &str| c.settings().preset(name).unwrap().desired_retention;
    assert_eq!(retention(&c, "Default"), 0.95);
    assert_eq!(retention(&c, "Loose"), 0.95);
    assert_eq!(retention(&c, "Strict"), 0.97, "never lowered");
    assert_eq!(c.deck_scheduler(0).settings().desired_retention, 0.95);
    // Renamed meanwhile, it still goes back.
    let mut s = c.settings().clone();
    s.rename_preset("Loose", "Relaxed").unwrap();
    c.save_settings(s).unwrap();
    assert_eq!(restore_retention(&mut c).unwrap(), Some(0.9));
    assert_eq!(retention(&c, "Default"), 0.9);
    assert_eq!(retention(&c, "Relaxed"), 0.8);
    assert_eq!(retention(&c, "Strict"), 0.97);

    // Raised again, the day after the interview every preset is back.
    raise_retention(&mut c, date, Vec::new()).unwrap().unwrap();
    drop(c);
    let c = open(dir.path(), days(19));
    assert_eq!(retention(&c, "Default"), 0.9);
    assert_eq!(retention(&c, "Relaxed"), 0.8);
    assert!(c.settings().interview.is_none());
}

#[test]
fn a_study_plan_sets_every_presets_pace() {
    use rehearse_core::insight::forecast::{apply_plan, plan_in_force, study_plan};
    let dir = tempfile::tempdir().unwrap();
    write_decks(
        dir.path(),
        &[
            ("a.ron", deck_text("A", "a", 30)),
            ("b.ron", deck_text("B", "b", 30)),
        ],
    );
    let mut c = open(dir.path(), t0());
    presets(
        &mut c,
        &[("Slow", &|p: &mut Preset| p.new_per_day = 1)],
        &[("b", "Slow")],
    );
    let plan = study_plan(&c, None, jiff::civil::date(2026, 3, 12), t0()).unwrap();
    assert!(!plan_in_force(c.settings(), &plan));
    apply_plan(&mut c, &plan).unwrap();
    assert!(plan_in_force(c.settings(), &plan));
    assert_eq!(
        c.settings().preset("Slow").unwrap().new_per_day,
        plan.new_per_day
    );
    assert_eq!(c.settings().new_per_day, plan.new_per_day);
}
