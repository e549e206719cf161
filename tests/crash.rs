//! Crash safety: a child process answers cards (and writes snapshots) in a
//! loop and is killed with SIGKILL at a random moment, many times over. No
//! answer it acknowledged may be lost, and every file must still parse.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use rand::{Rng, SeedableRng, rngs::StdRng};
use rehearse::schedule::Rating;
use rehearse::store::{Snapshot, read_journal};
use rehearse::study::{Scope, Session};

const CHILD_ENV: &str = "REHEARSE_CRASH_CHILD_DIR";

/// The child's role: answer until killed, printing `ACK` after each durable answer.
#[test]
#[ignore = "run by crash_kills_lose_no_acknowledged_review in a child process"]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let root = Path::new(&dir);
    let mut c = open(root, t0());
    // A synthetic clock, an hour per answer and monotonic across runs, so
    // learning and review cards keep coming due.
    let mut now = c
        .states()
        .values()
        .filter_map(|s| s.last_review)
        .max()
        .unwrap_or(t0());
    let mut out = std::io::stdout().lock();
    let mut n = 0u64;
    loop {
        now = now
            .checked_add(jiff::SignedDuration::from_hours(1))
            .unwrap();
        let mut s = Session::new(&c, Scope::All, now);
        let Some(id) = s.current(&c, now) else {
            continue;
        };
        let rating = Rating::ALL[(n % 4) as usize];
        s.answer(&mut c, rating, now, 10).unwrap();
        n += 1;
        writeln!(out, "ACK {id}").unwrap();
        out.flush().unwrap();
        if n.is_multiple_of(7) {
            c.save_snapshot().unwrap();
        }
    }
}

#[test]
fn crash_kills_lose_no_acknowledged_review() {
    let dir = tempfile::tempdir().unwrap();
    // Many cards so the child never runs dry within a run.
    write_decks(dir.path(), &[("a.ron", deck_text("A", "a", 400))]);
    std::fs::write(
        dir.path().join("settings.ron"),
        "(new_per_day: 9999, reviews_per_day: 9999)",
    )
    .unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = StdRng::seed_from_u64(42);
    let mut acked = 0usize;
    let runs = 25;
    for run in 0..runs {
        let mut child = Command::new(&exe)
            .args([
                "crash_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter(|l| l.starts_with("ACK "))
                .count()
        });
        std::thread::sleep(Duration::from_millis(rng.random_range(30..250)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        acked += reader.join().unwrap();

        // Every file parses; at most the last journal line is torn.
        let journal = dir.path().join("journal/test.ron");
        if journal.exists() {
            let read = read_journal(&journal, 0).unwrap();
            assert!(
                read.warnings.iter().all(|w| w.contains("incomplete")),
                "run {run}: {:?}",
                read.warnings
            );
            let reviews = read
                .events
                .iter()
                .filter(|e| matches!(e, rehearse::store::Event::Review { .. }))
                .count();
            assert!(
                reviews >= acked,
                "run {run}: {reviews} reviews on disk, {acked} acknowledged"
            );
        }
        if let Ok(text) = std::fs::read_to_string(dir.path().join("state.ron")) {
            Snapshot::from_ron(&text, Path::new("state.ron")).unwrap();
        }
        // Opening gives a state that accounts for every acknowledged answer.
        let c = open(dir.path(), t0());
        let reps: u32 = c.states().values().map(|s| s.reps).sum();
        assert!(
            reps as usize >= acked,
            "run {run}: {reps} reps, {acked} acknowledged"
        );
        assert!(c.deck_errors().is_empty());
    }
    eprintln!("{acked} answers acknowledged over {runs} killed runs");
    assert!(
        acked > runs,
        "the child hardly answered: the test would prove little"
    );
}
