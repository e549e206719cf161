#!/usr/bin/env python3
"""Writes the small, real Anki packages that crates/rehearse-core/tests/anki.rs reads.

Uses Anki's own library (`pip install anki`), which bundles Anki's Rust
backend and runs headless, so the packages are exactly what Anki writes.

    python3 scripts/anki-fixtures.py [OUT_DIR]      # default crates/rehearse-core/tests/fixtures/anki

Writes, into OUT_DIR:

- `fixture.apkg`         current format (collection.anki21b, zstd, schema 18)
- `fixture-legacy.apkg`  legacy format (collection.anki21, schema 11)
- `fixture.colpkg`       a whole-collection package, current format

Each holds the deck `Rehearse Fixture` with a child `Rehearse Fixture::Rust`:

| note type                      | deck  | content                                   |
|--------------------------------|-------|-------------------------------------------|
| Basic                          | child | bold/italic/code/list HTML, entities, img |
| Basic (and reversed card)      | parent| reverse card suspended                    |
| Cloze                          | child | two deletions (c1, c2)                    |
| Basic (optional reversed card) | parent| reverse field empty: one card             |
| Basic (type in the answer)     | parent|                                           |

with tags (one hierarchical), the image `ferris.png`, FSRS turned on, and
four answers: Basic Good+Good (review), Reversed forward Easy (review),
Cloze c1 Again (learning). The rest stay new.

To keep the committed files small, the dummy `collection.anki2` that Anki
stores uncompressed is deflated afterwards; nothing else is touched.

The packages are committed; rerun this only to change them (ids and times
change on every run, so tests must not depend on them).
"""

import os
import shutil
import sys
import tempfile
import zipfile

from anki.collection import (
    Collection,
    DeckIdLimit,
    ExportAnkiPackageOptions,
)
from anki.scheduler.v3 import CardAnswer

# The smallest valid PNG: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)

BASIC_FRONT = (
    '<div>What does <b>ownership</b> mean in <i>Rust</i>? '
    "<code>let b = &amp;mut a;</code></div>"
)
BASIC_BACK = (
    '<span style="color: rgb(255, 0, 0);">Each value has</span> '
    "<b><i>one</i></b> owner:<br><ul><li>moves &rarr; transfer</li>"
    "<li>borrows &lt;T&gt; &amp; &quot;refs&quot;&nbsp;too</li></ul>"
    '<img src="ferris.png"><script>alert(1)</script>'
)


def answer(col: Collection, card_id: int, rating: int) -> None:
    card = col.get_card(card_id)
    card.start_timer()
    states = col._backend.get_scheduling_states(card.id)
    col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=rating))


def build(folder: str) -> tuple[Collection, int]:
    col = Collection(os.path.join(folder, "collection.anki2"))
    col.set_config("fsrs", True)
    parent = col.decks.id("Rehearse Fixture")
    child = col.decks.id("Rehearse Fixture::Rust")

    image = col.media.write_data("ferris.png", PNG)
    assert image == "ferris.png", image

    basic = col.new_note(col.models.by_name("Basic"))
    basic["Front"] = BASIC_FRONT
    basic["Back"] = BASIC_BACK
    basic.tags = ["rust", "ownership::borrowing"]
    col.add_note(basic, child)

    reversed_ = col.new_note(col.models.by_name("Basic (and reversed card)"))
    reversed_["Front"] = "mutex"
    reversed_["Back"] = "mutual <b>exclusion</b> lock"
    reversed_.tags = ["concurrency"]
    col.add_note(reversed_, parent)

    cloze = col.new_note(col.models.by_name("Cloze"))
    cloze["Text"] = "{{c1::Rust}} 1.0 was released in {{c2::2015::year}}<br>by <i>Mozilla</i>"
    cloze["Back Extra"] = "Graydon Hoare started it"
    cloze.tags = ["rust", "history"]
    col.add_note(cloze, child)

    optional = col.new_note(col.models.by_name("Basic (optional reversed card)"))
    optional["Front"] = "TCP handshake"
    optional["Back"] = "SYN, SYN-ACK, ACK"
    col.add_note(optional, parent)

    typing = col.new_note(col.models.by_name("Basic (type in the answer)"))
    typing["Front"] = "2 + 2 ="
    typing["Back"] = "4"
    col.add_note(typing, parent)

    cards = {(c.nid, c.ord): c.id for c in (col.get_card(i) for i in col.find_cards(""))}
    answer(col, cards[(basic.id, 0)], CardAnswer.GOOD)
    answer(col, cards[(basic.id, 0)], CardAnswer.GOOD)
    answer(col, cards[(reversed_.id, 0)], CardAnswer.EASY)
    answer(col, cards[(cloze.id, 0)], CardAnswer.AGAIN)
    col.sched.suspend_cards([cards[(reversed_.id, 1)]])
    return col, parent


def shrink(path: str) -> None:
    """Deflates the 50 KB dummy `collection.anki2` that Anki stores uncompressed
    (a notice telling old clients to update). Every other entry is copied
    byte for byte, with the compression Anki chose."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w") as dst:
        for info, data in entries:
            if info.filename == "collection.anki2":
                info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)


def main() -> None:
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "crates/rehearse-core/tests/fixtures/anki")
    os.makedirs(out, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="rehearse-anki-")
    try:
        col, parent = build(folder)
        for name, legacy in (("fixture.apkg", False), ("fixture-legacy.apkg", True)):
            col.export_anki_package(
                out_path=os.path.join(out, name),
                options=ExportAnkiPackageOptions(
                    with_scheduling=True,
                    with_deck_configs=False,
                    with_media=True,
                    legacy=legacy,
                ),
                limit=DeckIdLimit(parent),
            )
        col.export_collection_package(
            os.path.join(out, "fixture.colpkg"), include_media=True, legacy=False
        )
        col.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for name in ("fixture.apkg", "fixture-legacy.apkg", "fixture.colpkg"):
        shrink(os.path.join(out, name))
        os.chmod(os.path.join(out, name), 0o644)
        print(f"{name}: {os.path.getsize(os.path.join(out, name))} bytes")


if __name__ == "__main__":
    main()
