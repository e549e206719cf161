#!/usr/bin/env python3
"""Rehearse and Anki side by side on the same collection, in one run.

    python3 benches/anki_compare.py [--notes 100000] [--work DIR] [--reuse] [--runs 3]

Needs Anki's Python library (`pip install anki`) and cargo. Steps:

1. Builds a collection with Anki's own library: NOTES basic notes in ten
   decks under one parent (selected, so Anki studies all ten), every card with a year of review history (written straight into
   Anki's revlog and cards tables, as a year of study would leave them), and
   exports it as an .apkg with scheduling.
2. Builds Rehearse in release (`rehearse` and the `timings` example) and
   imports the .apkg with `rehearse --data-dir D import FILE`.
3. Times on both sides, each figure in fresh processes (the best of --runs):
   open the collection and produce the first due card; the deck list with
   counts; a text search; the sorted browser listing (sort field / front);
   the first card's answer buttons (working out their intervals); one
   durable answer; importing the .apkg into an empty collection (whole
   process, with peak memory); statistics for all cards over the year
   (Anki: its graphs call; Rehearse: loading the history and computing its
   statistics). Peak resident memory is measured for every process.
4. Prints a table with the ratios (Rehearse / Anki: below 1 is faster).

`--reuse` keeps an existing package and Rehearse folder in --work.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time

DAY = 86400
DECKS = 10


# ----------------------------------------------------------------- helpers


def run_measured(cmd, env=None):
    """Runs `cmd` and returns (wall seconds, peak RSS MiB, stdout, stderr)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # wait4 reports the resources of exactly this child; the pipes are
    # drained meanwhile so that it never blocks on a full one.
    out_chunks = []
    err_chunks = []

    def pump(stream, sink):
        for chunk in iter(lambda: stream.read(65536), b""):
            sink.append(chunk)

    threads = [
        threading.Thread(target=pump, args=(proc.stdout, out_chunks)),
        threading.Thread(target=pump, args=(proc.stderr, err_chunks)),
    ]
    for t in threads:
        t.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    for t in threads:
        t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out = b"".join(out_chunks).decode(errors="replace")
    err = b"".join(err_chunks).decode(errors="replace")
    if proc.returncode != 0:
        sys.stderr.write(err)
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}")
    return seconds, usage.ru_maxrss / 1024.0, out, err


# ------------------------------------------------- building the collection


def front(i, d):
    return f"What is concept {i} of deck {d}, and why does it matter in <b>production</b>?"


def back(i):
    return f"<b>Key point {i}.</b> Supporting detail with <code>code</code> and a short explanation."


def build_anki(path, notes, seed=1):
    """A collection of `notes` basic notes in ten decks with a year of history."""
    from anki.collection import AddNoteRequest, Collection

    rng = random.Random(seed)
    col = Collection(path)
    basic = col.models.by_name("Basic")
    per_deck = notes // DECKS
    for d in range(DECKS):
        did = col.decks.id(f"Bench::Deck {d}")
        requests = []
        for i in range(per_deck):
            note = col.new_note(basic)
            note["Front"] = front(i, d)
            note["Back"] = back(i)
            note.tags = [f"t{i % 7}", f"topic{i % 25}"]
            requests.append(AddNoteRequest(note=note, deck_id=did))
        col.add_notes(requests)
    # Anki studies the selected deck and its children: the parent of the
    # ten, as Rehearse's first card comes from every deck. Selected here, so
    # that the timed part writes nothing but the answer.
    col.decks.select(col.decks.id_for_name("Bench"))
    now = int(time.time())
    today = col.sched.today
    cards = col.db.list("select id from cards order by id")
    revlog = []
    updates = []
    used_ids = set()
    for cid in cards:
        t = now - 365 * DAY + rng.randrange(0, 300 * DAY)
        ivl = 0
        reps = 0
        lapses = 0
        # The history ends before today, so that today's limits are
        # untouched and the cards due today are there to study.
        while t < now - DAY:
            roll = rng.random()
            ease = 1 if roll < 0.10 else 2 if roll < 0.14 else 3 if roll < 0.97 else 4
            last = ivl
            if ease == 1:
                ivl = max(1, int(ivl * 0.5))
                if last > 0:
                    lapses += 1
            elif ease == 2:
                ivl = max(1, int(ivl * 1.2))
            elif ease == 3:
                ivl = max(1, int(ivl * 2.2))
            else:
                ivl = max(4, int(ivl * 3.0))
            rid = t * 1000 + rng.randrange(0, 1000)
            while rid in used_ids:
                rid += 1
            used_ids.add(rid)
            kind = 0 if reps == 0 else 2 if ease == 1 else 1
            revlog.append((rid, cid, -1, ease, ivl, last, 2500, rng.randrange(2000, 20000), kind))
            reps += 1
            t += ivl * DAY + rng.randrange(-3600, 3600)
        due = today + max(0, (t - now) // DAY)
        updates.append((due, ivl, reps, lapses, cid))
    # Many rows per statement: each statement is its own transaction here,
    # and a transaction per row would take an fsync per row.
    for at in range(0, len(revlog), 3000):
        chunk = revlog[at : at + 3000]
        col.db.execute(
            "insert into revlog (id,cid,usn,ease,ivl,lastIvl,factor,time,type) values "
            + ",".join(["(?,?,?,?,?,?,?,?,?)"] * len(chunk)),
            *[v for row in chunk for v in row],
        )
    col.db.execute("create temp table sched (cid integer primary key, due, ivl, reps, lapses)")
    for at in range(0, len(updates), 6000):
        chunk = updates[at : at + 6000]
        col.db.execute(
            "insert into sched (due, ivl, reps, lapses, cid) values "
            + ",".join(["(?,?,?,?,?)"] * len(chunk)),
            *[v for row in chunk for v in row],
        )
    col.db.execute(
        "update cards set type=2, queue=2, factor=2500, usn=-1,"
        " due=(select due from sched where sched.cid=cards.id),"
        " ivl=(select ivl from sched where sched.cid=cards.id),"
        " reps=(select reps from sched where sched.cid=cards.id),"
        " lapses=(select lapses from sched where sched.cid=cards.id)"
        " where id in (select cid from sched)"
    )
    col.close()
    return len(cards), len(revlog)


def export_apkg(col_path, apkg):
    from anki.collection import Collection, ExportAnkiPackageOptions

    col = Collection(col_path)
    col.export_anki_package(
        out_path=apkg,
        options=ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=True, with_media=True, legacy=False
        ),
        limit=None,
    )
    col.close()


# ------------------------------------------------------ Anki's side, timed

# Run in a fresh interpreter per figure: prints one JSON object (ms).
ANKI_TIMINGS = r"""
import json, sys, time, shutil
from anki.collection import Collection
from anki.scheduler.v3 import CardAnswer
path, query = sys.argv[1], sys.argv[2]
ms = lambda t: (time.perf_counter() - t) * 1000
out = {}
t = time.perf_counter()
col = Collection(path)
queued = col.sched.get_queued_cards(fetch_limit=1)
out["open_first_card_ms"] = ms(t)
t = time.perf_counter()
tree = col.sched.deck_due_tree()
out["deck_list_ms"] = ms(t)
t = time.perf_counter()
hits = col.find_cards(query)
out["text_search_ms"] = ms(t)
out["search_hits"] = len(hits)
column = next(c for c in col.all_browser_columns() if c.key == "noteFld")
t = time.perf_counter()
rows = col.find_cards("", order=column)
out["sorted_listing_ms"] = ms(t)
out["sorted_rows"] = len(rows)
# Anki answers only the card at the top of its queue.
if queued.cards:
    card = col.get_card(queued.cards[0].card.id)
    card.start_timer()
    t = time.perf_counter()
    states = col._backend.get_scheduling_states(card.id)
    out["preview_ms"] = ms(t)
    t = time.perf_counter()
    answer = col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD)
    col.sched.answer_card(answer)
    out["answer_ms"] = ms(t)
t = time.perf_counter()
graphs = col._backend.graphs(search="", days=365)
out["statistics_ms"] = ms(t)
col.close(downgrade=False)
print(json.dumps(out))
"""

ANKI_IMPORT = r"""
import sys
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
col = Collection(sys.argv[1])
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[2],
    options=ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, merge_notetypes=True)))
col.close(downgrade=False)
"""


def best(samples, key):
    values = [s[key] for s in samples if s.get(key) is not None]
    return min(values) if values else None


# -------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notes", type=int, default=100_000)
    ap.add_argument("--work", default="/tmp/rehearse-anki-compare")
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--query", default="concept 12")
    args = ap.parse_args()

    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    anki_col = os.path.join(work, "anki", "collection.anki2")
    apkg = os.path.join(work, f"bench-{args.notes}.apkg")

    if not (args.reuse and os.path.exists(apkg)):
        shutil.rmtree(os.path.join(work, "anki"), ignore_errors=True)
        os.makedirs(os.path.join(work, "anki"))
        t = time.perf_counter()
        cards, reviews = build_anki(anki_col, args.notes)
        print(f"built the Anki collection: {cards} cards, {reviews} reviews "
              f"in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        export_apkg(anki_col, apkg)
    size = os.path.getsize(apkg) / 2**20
    print(f"package: {apkg} ({size:.1f} MiB)", file=sys.stderr)

    print("building Rehearse (release)...", file=sys.stderr)
    bin_dir = os.path.join(work, "bin")
    os.makedirs(bin_dir, exist_ok=True)
    for target in (["-p", "rehearse", "--bin", "rehearse"],
                   ["-p", "rehearse-core", "--example", "timings"]):
        built = subprocess.run(
            ["cargo", "build", "--release", "-q", "--message-format=json", *target],
            cwd=repo, check=True, stdout=subprocess.PIPE,
        )
        # Copied at once: a target folder shared with other checkouts may
        # get another build's binaries under the same names.
        for line in built.stdout.decode().splitlines():
            msg = json.loads(line)
            if msg.get("reason") == "compiler-artifact" and msg.get("executable"):
                name = msg["target"]["name"]
                if name in ("rehearse", "timings"):
                    shutil.copy(msg["executable"], os.path.join(bin_dir, name))
    rehearse = os.path.join(bin_dir, "rehearse")
    timings = os.path.join(bin_dir, "timings")

    env = dict(os.environ, REHEARSE_DEVICE="bench")
    results = {}

    # Import: Rehearse (whole process), then Anki (whole process).
    imports = []
    for run_no in range(args.runs):
        data = os.path.join(work, f"rehearse-{run_no}")
        shutil.rmtree(data, ignore_errors=True)
        os.makedirs(os.path.join(data, "decks"))
        os.makedirs(os.path.join(data, "journal"))
        s, rss, out, err = run_measured([rehearse, "--data-dir", data, "import", apkg], env=env)
        imports.append((s, rss))
        if run_no == 0:
            print(out.strip().splitlines()[-1] if out.strip() else "", file=sys.stderr)
    data = os.path.join(work, "rehearse-0")
    results["import"] = {"rehearse": min(imports), "anki": None}
    anki_imports = []
    for run_no in range(args.runs):
        target_col = os.path.join(work, f"anki-import-{run_no}", "collection.anki2")
        shutil.rmtree(os.path.dirname(target_col), ignore_errors=True)
        os.makedirs(os.path.dirname(target_col))
        s, rss, _, _ = run_measured([sys.executable, "-c", ANKI_IMPORT, target_col, apkg])
        anki_imports.append((s, rss))
    results["import"]["anki"] = min(anki_imports)

    # The first open after the import, once: is the cache there?
    s, rss, out, _ = run_measured([timings, data, "--no-answer", "--query", args.query], env=env)
    first = json.loads(out)
    print(f"Rehearse, first open after import: {first['open_first_card_ms']:.0f} ms "
          f"(cache: {first['cache']})", file=sys.stderr)

    r_samples, r_rss = [], []
    a_samples, a_rss = [], []
    for _ in range(args.runs):
        s, rss, out, _ = run_measured([timings, data, "--query", args.query], env=env)
        r_samples.append(json.loads(out))
        r_rss.append(rss)
        s, rss, out, _ = run_measured([sys.executable, "-c", ANKI_TIMINGS, anki_col, args.query])
        a_samples.append(json.loads(out))
        a_rss.append(rss)

    figures = [
        ("open the collection and produce the first due card", "open_first_card_ms"),
        ("deck list with counts", "deck_list_ms"),
        ("text search", "text_search_ms"),
        ("sorted browser listing (sort field)", "sorted_listing_ms"),
        ("the first card's answer buttons (their intervals)", "preview_ms"),
        ("durable answer", "answer_ms"),
        ("statistics for all cards, a year", "statistics_ms"),
    ]
    print()
    print(f"{args.notes} notes, {r_samples[0]['answers_in_history']} answers in Rehearse's history; "
          f"best of {args.runs} fresh processes each")
    print(f"| figure | Rehearse | Anki | ratio |")
    print(f"|---|---|---|---|")
    for label, key in figures:
        r, a = best(r_samples, key), best(a_samples, key)
        ratio = f"{r / a:.2f}×" if r is not None and a else "–"
        rs = f"{r:.2f} ms" if r is not None else "–"
        as_ = f"{a:.2f} ms" if a is not None else "–"
        print(f"| {label} | {rs} | {as_} | {ratio} |")
    (rs, rm), (as_, am) = results["import"]["rehearse"], results["import"]["anki"]
    print(f"| import the {size:.0f} MiB .apkg (whole process) | {rs:.1f} s, {rm:.0f} MiB peak "
          f"| {as_:.1f} s, {am:.0f} MiB peak | {rs / as_:.2f}× time, {rm / am:.2f}× memory |")
    print(f"| peak memory of the timing process (collection open, all figures) "
          f"| {min(r_rss):.0f} MiB | {min(a_rss):.0f} MiB | {min(r_rss) / min(a_rss):.2f}× |")
    print()
    print(f"search hits: Rehearse {r_samples[0]['search_hits']}, Anki {a_samples[0]['search_hits']}; "
          f"listed rows: Rehearse {r_samples[0]['sorted_rows']}, Anki {a_samples[0]['sorted_rows']}")
    print(f"Rehearse statistics = history load {best(r_samples, 'history_load_ms'):.0f} ms "
          f"+ compute {best(r_samples, 'stats_compute_ms'):.0f} ms; "
          f"first open after import {first['open_first_card_ms']:.0f} ms")


if __name__ == "__main__":
    main()
