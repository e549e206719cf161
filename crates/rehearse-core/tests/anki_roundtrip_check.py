#!/usr/bin/env python3
"""Compare the visible text and links of two Anki packages, note by note.

Usage: python3 roundtrip_check.py ORIGINAL.apkg EXPORTED.apkg

Each package is imported into its own fresh temporary collection with Anki's
library. Notes are matched by guid, fields by position (the report names the
original's field). Per field it compares
  (a) the visible text: tags stripped, entities decoded, <br>/block boundaries
      as whitespace, <img>/<script>/<style>/[sound:...] contributing nothing,
      cloze markup reduced to its text on cloze note types
      ({{c1::x::hint}} -> x), Pygments' line-number gutter (class "linenos"
      or "linenodiv": layout, not code) left out; ALL whitespace is removed
      before comparing;
  (b) the set of links as (href, visible text) pairs, ignoring links with
      empty visible text (e.g. GitHub heading anchors) and in-page #fragment
      links.
Prints a JSON report on stdout. Exit status: 0 no differences, 1 differences
(including notes missing from the export), 2 usage error or unreadable package.
Notes present only in the export are listed under "extra" but do not fail.
"""
import json
import os
import re
import sys
import tempfile
from html.parser import HTMLParser

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}
# Elements whose content is never shown as text.
HIDDEN_TAGS = {"script", "style", "template", "head", "title", "noscript", "svg", "math"}
# Void elements: no end tag, so they must not be pushed on the hidden stack.
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
             "meta", "param", "source", "track", "wbr"}

# Pygments' line-number gutter of a `highlighttable`: numbers drawn beside the
# code, not part of it (Rehearse keeps only the code). Added to the checker
# the fixture helper wrote; everything else is as it wrote it.
GUTTER_CLASSES = {"linenos", "linenodiv"}

SOUND_RE = re.compile(r"\[sound:[^\]]*\]")
# Innermost cloze first: the content may not contain another "{{".
CLOZE_RE = re.compile(r"\{\{c\d+::((?:(?!\{\{|\}\}).)*?)(?:::(?:(?!\{\{|\}\}).)*?)?\}\}", re.S)
WS_RE = re.compile(r"\s+")


def reduce_cloze(text):
    while True:
        new = CLOZE_RE.sub(lambda m: m.group(1), text)
        if new == text:
            return text
        text = new


class VisibleText(HTMLParser):
    """Collects visible text and (href, text) pairs for <a> elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0
        self.links = []      # [href, [text parts]]
        self.open_links = []  # stack of indexes into self.links
        self.gutter = []      # tags open inside a line-number gutter

    def _emit(self, s):
        if self.hidden:
            return
        self.parts.append(s)
        for i in self.open_links:
            self.links[i][1].append(s)

    def handle_starttag(self, tag, attrs):
        if self.gutter or GUTTER_CLASSES & set((dict(attrs).get("class") or "").split()):
            if tag not in VOID_TAGS:
                self.gutter.append(tag)
            return
        if tag in HIDDEN_TAGS:
            self.hidden += 1
            return
        if tag in BLOCK_TAGS:
            self._emit("\n")
        if tag == "a":
            href = dict(attrs).get("href")
            self.links.append([href, []])
            self.open_links.append(len(self.links) - 1)

    def handle_startendtag(self, tag, attrs):
        # <br/>, <img/>, <svg/> ... : never opens a hidden region or a link.
        if self.gutter:
            return
        if tag in BLOCK_TAGS:
            self._emit("\n")

    def handle_endtag(self, tag):
        if self.gutter:
            if tag in self.gutter:
                while self.gutter.pop() != tag:
                    pass
            return
        if tag in HIDDEN_TAGS:
            if self.hidden:
                self.hidden -= 1
            return
        if tag in BLOCK_TAGS:
            self._emit("\n")
        if tag == "a" and self.open_links:
            self.open_links.pop()

    def handle_data(self, data):
        if not self.gutter:
            self._emit(data)


def analyse(html, is_cloze):
    """Return (display text, comparison key, set of (href, text) links)."""
    parser = VisibleText()
    parser.feed(SOUND_RE.sub(" ", html or ""))
    parser.close()
    text = "".join(parser.parts)
    if is_cloze:
        text = reduce_cloze(text)
    display = WS_RE.sub(" ", text).strip()
    key = WS_RE.sub("", text)
    links = set()
    for href, parts in parser.links:
        if href is None:
            continue
        href = href.strip()
        if href.startswith("#"):
            continue
        label = "".join(parts)
        if is_cloze:
            label = reduce_cloze(label)
        label = WS_RE.sub(" ", label).strip()
        if not label:
            continue
        links.add((href, label))
    return display, key, links


def load_notes(package_path, tmpdir, label):
    """Import a package into a fresh collection; return {guid: note info}."""
    folder = os.path.join(tmpdir, label)
    os.makedirs(folder)
    col = Collection(os.path.join(folder, "collection.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(
            package_path=os.path.abspath(package_path),
            options=ImportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False),
        ))
        notes = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            model = note.note_type() or {}
            names = [f["name"] for f in model.get("flds", [])]
            notes[note.guid] = {
                "fields": list(note.fields),
                "names": names,
                "cloze": model.get("type") == 1,
                "notetype": model.get("name"),
            }
        return notes
    finally:
        col.close()


def compare(original, exported):
    report = {"notes": len(original), "missing": [], "text_differs": [], "links_differ": [],
              "extra": sorted(set(exported) - set(original))}
    for guid in sorted(original):
        a = original[guid]
        b = exported.get(guid)
        if b is None:
            report["missing"].append(guid)
            continue
        for i in range(max(len(a["fields"]), len(b["fields"]))):
            va = a["fields"][i] if i < len(a["fields"]) else ""
            vb = b["fields"][i] if i < len(b["fields"]) else ""
            if i < len(a["names"]):
                field = a["names"][i]
            elif i < len(b["names"]):
                field = b["names"][i]
            else:
                field = str(i)
            da, ka, la = analyse(va, a["cloze"])
            db, kb, lb = analyse(vb, b["cloze"])
            if ka != kb:
                report["text_differs"].append(
                    {"guid": guid, "field": field, "original": da, "exported": db})
            if la != lb:
                report["links_differ"].append({
                    "guid": guid, "field": field,
                    "only_in_original": sorted(map(list, la - lb)),
                    "only_in_exported": sorted(map(list, lb - la)),
                })
    return report


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="rehearse-roundtrip-") as tmp:
        loaded = []
        for label, path in (("original", argv[1]), ("exported", argv[2])):
            try:
                if not os.path.isfile(path):
                    raise FileNotFoundError(path)
                loaded.append(load_notes(path, tmp, label))
            except Exception as exc:  # unreadable/corrupt package
                print(json.dumps({"error": f"cannot import {label} package {path}: "
                                           f"{type(exc).__name__}: {exc}"}, indent=2))
                return 2
    report = compare(*loaded)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    failed = report["missing"] or report["text_differs"] or report["links_differ"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
