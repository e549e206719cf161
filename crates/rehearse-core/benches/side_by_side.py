#!/usr/bin/env python3
"""Rehearse and Anki side by side, on the same collection, in one run.

Builds a collection with Anki's own Python library (`pip install anki`):
N notes (default 100,000) in ten decks with a year of review history, and
exports it as an `.apkg`. Imports that package into Rehearse with the release
binary, then times the same operations on both sides, in process:

- open the collection and produce the first due card
- the deck list with counts
- a text search
- the sorted browser listing (by the sort field / front)
- a durable answer
- statistics for a year (Anki: its graphs call)
- importing the `.apkg` (whole process, wall time and peak memory)

and prints each figure, the ratio Rehearse / Anki, and peak memory.

    python3 crates/rehearse-core/benches/side_by_side.py [--notes N] [--runs R] [--keep DIR]

Run from the repository; it builds `target/release/rehearse` and the
`timings` example itself. Times are medians of R runs (default 5).
"""

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
WORDS = (
    "network latency cache index queue shard replica consensus lock thread "
    "kernel socket packet schema query join transaction commit rollback "
    "partition leader follower quorum vector clock bloom filter hash ring"
).split()
SEARCH_WORD = "quorum"


def build_anki(path, notes, seed=7):
    """A collection of `notes` Basic notes in ten decks with a year of reviews."""
    from anki.collection import AddNoteRequest, Collection

    rng = random.Random(seed)
    col = Collection(path)
    basic = col.models.by_name("Basic")
    decks = [col.decks.id(f"Bench::Deck {i}") for i in range(10)]
    requests = []
    for n in range(notes):
        note = col.new_note(basic)
        words = " ".join(rng.choice(WORDS) for _ in range(8))
        note["Front"] = f"Question {n}: {words}?"
        note["Back"] = f"Answer {n}: " + " ".join(rng.choice(WORDS) for _ in range(12))
        requests.append(AddNoteRequest(note=note, deck_id=decks[n % 10]))
        if len(requests) == 5000:
            col.add_notes(requests)
            requests = []
    if requests:
        col.add_notes(requests)
    add_history(col, rng)
    return col


def add_history(col, rng):
    """About 8.5 reviews per card over the last year, written as Anki would
    leave them: revlog rows and review-state cards due around today."""
    day_ms = 86_400_000
    now_ms = int(time.time() * 1000)
    # Anki counts due days from the collection's creation: make that a year
    # and a bit ago so past reviews have positive day numbers.
    crt = int(time.time()) - 400 * 86_400
    col.db.execute("update col set crt = ?", crt)
    today = 400
    revlog = []
    cards = []
    used_ids = set()
    for (cid,) in col.db.all("select id from cards"):
        reviews = rng.randint(0, 17)
        if reviews == 0:
            continue
        t = now_ms - rng.randint(200, 365) * day_ms
        ivl, lapses = 0, 0
        for i in range(reviews):
            ease = rng.choices([1, 2, 3, 4], weights=[10, 15, 65, 10])[0]
            last = ivl
            if i == 0:
                kind, ivl = 0, 1
            elif ease == 1:
                kind, ivl, lapses = 1, 1, lapses + 1
            else:
                kind = 1
                ivl = max(1, int(ivl * {2: 1.2, 3: 2.5, 4: 3.5}[ease]))
            # A revlog id is the review's time in milliseconds; ids are unique.
            review_id = min(t + rng.randint(0, 3_600_000), now_ms - 1000)
            while review_id in used_ids:
                review_id += 1
            used_ids.add(review_id)
            revlog.append((review_id, cid, -1, ease, ivl, last, 2500, rng.randint(2000, 20000), kind))
            t += max(1, min(ivl, 20)) * day_ms
            if t > now_ms:
                break
        due = today + rng.randint(-5, 30)
        cards.append((ivl, due, len(revlog), lapses, cid))
    col.db.executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", revlog)
    col.db.executemany(
        "update cards set type = 2, queue = 2, ivl = ?, due = ?, reps = ?, lapses = ?, factor = 2500 where id = ?",
        cards,
    )
    print(f"  {len(revlog):,} reviews of {len(cards):,} cards", file=sys.stderr)


def export_apkg(col, out):
    from anki.collection import ExportAnkiPackageOptions

    col.export_anki_package(
        out_path=out,
        options=ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False
        ),
        limit=None,
    )


def timed(runs, f):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = f()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


ANKI_TIMINGS = r"""
import json, resource, sys, time, statistics
from anki.collection import Collection
path, word, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def timed(f):
    ts, r = [], None
    for _ in range(runs):
        s = time.perf_counter(); r = f(); ts.append((time.perf_counter() - s) * 1000)
    return statistics.median(ts), r
def study_all(col):
    # Anki studies the selected deck: select the parent of the ten decks.
    col.decks.select(col.decks.id_for_name("Bench"))
def open_first():
    col = Collection(path)
    study_all(col)
    cards = col.sched.get_queued_cards(fetch_limit=1)
    col.close()
    return len(cards.cards)
open_ms, first = timed(open_first)
col = Collection(path)
study_all(col)
col.set_config("sortType", "noteFld")
col.set_config("sortBackwards", False)
deck_ms, _ = timed(lambda: col.sched.deck_due_tree())
search_ms, found = timed(lambda: len(col.find_cards(word)))
sorted_ms, listed = timed(lambda: len(col.find_cards("", order=True)))
stats_ms, _ = timed(lambda: col._backend.graphs(search="", days=365))
answers = []
for _ in range(20):
    queued = col.sched.get_queued_cards(fetch_limit=1)
    if not queued.cards:
        break
    card = col.get_card(queued.cards[0].card.id)
    card.start_timer()
    s = time.perf_counter()
    col.sched.answerCard(card, 3)
    answers.append((time.perf_counter() - s) * 1000)
col.close()
print(json.dumps({
    "open_first_card_ms": open_ms, "first_card_found": first > 0, "deck_list_ms": deck_ms, "search_ms": search_ms,
    "search_found": found, "sorted_listing_ms": sorted_ms, "listed": listed,
    "answer_ms": statistics.median(answers) if answers else None, "stats_ms": stats_ms,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""

ANKI_IMPORT = r"""
import sys
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
col = Collection(sys.argv[1])
col.import_anki_package(ImportAnkiPackageRequest(
    package_path=sys.argv[2],
    options=ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, merge_notetypes=True),
))
col.close()
"""


def run_measured(cmd):
    """Wall time (ms) and peak resident memory (MB) of a whole process."""
    out = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M"] + cmd, capture_output=True, text=True
    )
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stdout}\n{out.stderr}")
    wall, rss_kb = out.stderr.strip().splitlines()[-1].split()
    return float(wall) * 1000, int(rss_kb) / 1024, out.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="keep the collections in this folder")
    args = ap.parse_args()

    work = args.keep or tempfile.mkdtemp(prefix="rehearse-vs-anki-")
    os.makedirs(work, exist_ok=True)
    print(f"building Rehearse (release) ...", file=sys.stderr)
    for what in (["-p", "rehearse"], ["-p", "rehearse-core", "--example", "timings"]):
        subprocess.run(["cargo", "build", "--release", "--quiet"] + what, cwd=REPO, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    rehearse = os.path.join(target, "release", "rehearse")
    timings = os.path.join(target, "release", "examples", "timings")

    source = os.path.join(work, "source.anki2")
    apkg = os.path.join(work, "bench.apkg")
    if not os.path.exists(apkg):
        print(f"building an Anki collection of {args.notes:,} notes ...", file=sys.stderr)
        col = build_anki(source, args.notes)
        export_apkg(col, apkg)
        col.close()
    print(f"package: {os.path.getsize(apkg) / 1e6:.1f} MB", file=sys.stderr)

    print("importing into Anki ...", file=sys.stderr)
    anki_col = os.path.join(work, "anki", "collection.anki2")
    shutil.rmtree(os.path.dirname(anki_col), ignore_errors=True)
    os.makedirs(os.path.dirname(anki_col))
    anki_import_ms, anki_import_mb, _ = run_measured(
        [sys.executable, "-c", ANKI_IMPORT, anki_col, apkg]
    )
    print("importing into Rehearse ...", file=sys.stderr)
    data = os.path.join(work, "rehearse")
    shutil.rmtree(data, ignore_errors=True)
    # An empty folder with decks/ and journal/ gets no built-in decks, so
    # both sides hold the same cards.
    os.makedirs(os.path.join(data, "decks"))
    os.makedirs(os.path.join(data, "journal"))
    os.environ["REHEARSE_DEVICE"] = "bench"
    rh_import_ms, rh_import_mb, _ = run_measured([rehearse, "--data-dir", data, "import", apkg])

    print("timing Anki ...", file=sys.stderr)
    anki = json.loads(
        subprocess.run(
            [sys.executable, "-c", ANKI_TIMINGS, anki_col, SEARCH_WORD, str(args.runs)],
            capture_output=True, text=True, check=True,
        ).stdout
    )
    print("timing Rehearse ...", file=sys.stderr)
    rh = json.loads(
        subprocess.run(
            [timings, data, SEARCH_WORD, str(args.runs)], capture_output=True, text=True, check=True
        ).stdout
    )

    rows = [
        ("open + first due card (ms)", rh["open_first_card_ms"], anki["open_first_card_ms"]),
        ("deck list with counts (ms)", rh["deck_list_ms"], anki["deck_list_ms"]),
        (f"text search `{SEARCH_WORD}` (ms)", rh["search_ms"], anki["search_ms"]),
        ("sorted browser listing (ms)", rh["sorted_listing_ms"], anki["sorted_listing_ms"]),
        ("durable answer (ms)", rh["answer_ms"], anki["answer_ms"]),
        ("statistics, a year (ms)", rh["stats_ms"], anki["stats_ms"]),
        ("import the .apkg, whole process (ms)", rh_import_ms, anki_import_ms),
        ("import peak memory (MB)", rh_import_mb, anki_import_mb),
        ("peak memory, timings process (MB)", rh["peak_rss_mb"], anki["peak_rss_mb"]),
    ]
    print(f"\n{args.notes:,} notes; first open after import: {rh['first_open_ms']:.0f} ms; "
          f"search found {rh['search_found']} (Rehearse) / {anki['search_found']} (Anki) cards\n")
    print(f"| figure | Rehearse | Anki | ratio |\n|---|---|---|---|")
    def fmt(x):
        return "–" if x is None else f"{x:,.2f}"
    for name, r, a in rows:
        ratio = f"{r / a:.2f}×" if r is not None and a else "–"
        print(f"| {name} | {fmt(r)} | {fmt(a)} | {ratio} |")
    print(f"\nfirst due card found: Rehearse {rh['first_card_found']}, Anki {anki['first_card_found']}")


if __name__ == "__main__":
    main()
