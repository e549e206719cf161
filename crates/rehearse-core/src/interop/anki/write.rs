//! Rehearse cards → a legacy-format package: `meta` = `08 02`,
//! `collection.anki21` (SQLite schema 11, decks and note types as JSON in
//! the `col` row), a JSON `media` map and the media files `0`, `1`, ….
//!
//! Note types are Anki's stock Basic, Basic (and reversed card) and Cloze,
//! with fixed ids so that exporting again matches the same note types in
//! the collection it is imported into. A card's guid is
//! [`guid_for_card_id`], so notes that came from Anki are recognised by it.
//! Tags are written (whitespace inside one becomes `_`); a card's topic and
//! source are not, as Anki has no place for them. A leech gets the `leech`
//! tag, as in Anki.
//!
//! Progress becomes card scheduling: type and queue from the phase
//! (suspended → queue −1), due as a day number from the package's creation
//! day for review cards and Unix seconds for learning ones, `ivl`, `factor`
//! 2500 once graduated, reps, lapses, and the FSRS memory in `cards.data`
//! (`s`, `d`, `lrt`). Answers become review log rows; their `type`, `ivl`
//! and `lastIvl` are reconstructed from the gaps between answers.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{Cursor, Write};

use jiff::Timestamp;
use rusqlite::params;
use serde_json::{Value, json};
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use super::read::check_media_name;
use super::sqlite::{open, temp_dir};
use super::{
    AnkiError, ExportInput, ExportNote, ExportProgress, ReviewEntry, guid_for_card_id,
    markdown_to_html,
};
use crate::deck::{CardKind, Variant, cloze_numbers};
use crate::schedule::{CardState, Phase};

const BASIC_ID: i64 = 1_425_279_151_691;
const REVERSED_ID: i64 = 1_425_279_151_692;
const CLOZE_ID: i64 = 1_425_279_151_693;

const DAY: i64 = 86_400;

const CSS: &str = ".card {\n    font-family: arial;\n    font-size: 20px;\n    line-height: 1.5;\n    text-align: center;\n    color: black;\n    background-color: white;\n}\n";
const CLOZE_CSS: &str = ".cloze {\n    font-weight: bold;\n    color: blue;\n}\n.nightMode .cloze {\n    color: lightblue;\n}\n";
const LATEX_PRE: &str = "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n";
const LATEX_POST: &str = "\\end{document}";
const ANSWER: &str = "{{FrontSide}}\n\n<hr id=answer>\n\n";

/// Anki's schema 11, as Anki writes it.
const SCHEMA: &str = "
CREATE TABLE col (
  id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL, scm integer NOT NULL,
  ver integer NOT NULL, dty integer NOT NULL, usn integer NOT NULL, ls integer NOT NULL,
  conf text NOT NULL, models text NOT NULL, decks text NOT NULL, dconf text NOT NULL,
  tags text NOT NULL
);
CREATE TABLE notes (
  id integer PRIMARY KEY, guid text NOT NULL, mid integer NOT NULL, mod integer NOT NULL,
  usn integer NOT NULL, tags text NOT NULL, flds text NOT NULL, sfld integer NOT NULL,
  csum integer NOT NULL, flags integer NOT NULL, data text NOT NULL
);
CREATE TABLE cards (
  id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL, ord integer NOT NULL,
  mod integer NOT NULL, usn integer NOT NULL, type integer NOT NULL, queue integer NOT NULL,
  due integer NOT NULL, ivl integer NOT NULL, factor integer NOT NULL, reps integer NOT NULL,
  lapses integer NOT NULL, left integer NOT NULL, odue integer NOT NULL, odid integer NOT NULL,
  flags integer NOT NULL, data text NOT NULL
);
CREATE TABLE revlog (
  id integer PRIMARY KEY, cid integer NOT NULL, usn integer NOT NULL, ease integer NOT NULL,
  ivl integer NOT NULL, lastIvl integer NOT NULL, factor integer NOT NULL, time integer NOT NULL,
  type integer NOT NULL
);
CREATE TABLE graves (usn integer NOT NULL, oid integer NOT NULL, type integer NOT NULL);
CREATE INDEX ix_notes_usn ON notes (usn);
CREATE INDEX ix_cards_usn ON cards (usn);
CREATE INDEX ix_revlog_usn ON revlog (usn);
CREATE INDEX ix_cards_nid ON cards (nid);
CREATE INDEX ix_cards_sched ON cards (did, queue, due);
CREATE INDEX ix_revlog_cid ON revlog (cid);
CREATE INDEX ix_notes_csum ON notes (csum);
";

fn field_json(name: &str, ord: usize) -> Value {
    json!({
        "name": name, "ord": ord, "sticky": false, "rtl": false, "font": "Arial", "size": 20,
        "description": "", "plainText": false, "collapsed": false, "excludeFromSearch": false,
    })
}

fn template_json(name: &str, ord: usize, qfmt: &str, afmt: &str) -> Value {
    json!({
        "name": name, "ord": ord, "qfmt": qfmt, "afmt": afmt, "bqfmt": "", "bafmt": "",
        "did": null, "bfont": "", "bsize": 0,
    })
}

/// Anki's stock note types, as schema-11 JSON.
fn models_json() -> Value {
    let model = |id: i64,
                 name: &str,
                 cloze: bool,
                 fields: &[&str],
                 tmpls: Vec<Value>,
                 req: Value,
                 stock: u8| {
        json!({
            "id": id, "name": name, "type": u8::from(cloze), "mod": 0, "usn": 0, "sortf": 0,
            "did": null,
            "tmpls": tmpls,
            "flds": fields.iter().enumerate().map(|(i, f)| field_json(f, i)).collect::<Vec<_>>(),
            "css": if cloze { format!("{CSS}{CLOZE_CSS}") } else { CSS.to_string() },
            "latexPre": LATEX_PRE, "latexPost": LATEX_POST, "latexsvg": false,
            "req": req, "originalStockKind": stock,
        })
    };
    let front = format!("{ANSWER}{{{{Back}}}}");
    let back = format!("{ANSWER}{{{{Front}}}}");
    json!({
        BASIC_ID.to_string(): model(
            BASIC_ID, "Basic", false, &["Front", "Back"],
            vec![template_json("Card 1", 0, "{{Front}}", &front)],
            json!([[0, "any", [0]]]), 1,
        ),
        REVERSED_ID.to_string(): model(
            REVERSED_ID, "Basic (and reversed card)", false, &["Front", "Back"],
            vec![
                template_json("Card 1", 0, "{{Front}}", &front),
                template_json("Card 2", 1, "{{Back}}", &back),
            ],
            json!([[0, "any", [0]], [1, "any", [1]]]), 2,
        ),
        CLOZE_ID.to_string(): model(
            CLOZE_ID, "Cloze", true, &["Text", "Back Extra"],
            vec![template_json("Cloze", 0, "{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}")],
            json!([[0, "any", [0]]]), 5,
        ),
    })
}

fn deck_json(id: i64, name: &str, now: i64) -> Value {
    json!({
        "id": id, "mod": now, "name": name, "usn": -1,
        "lrnToday": [0, 0], "revToday": [0, 0], "newToday": [0, 0], "timeToday": [0, 0],
        "collapsed": false, "browserCollapsed": false, "desc": "", "dyn": 0, "conf": 1,
        "extendNew": 0, "extendRev": 0,
    })
}

fn dconf_json() -> Value {
    json!({"1": {
        "id": 1, "mod": 0, "name": "Default", "usn": 0, "maxTaken": 60, "autoplay": true,
        "timer": 0, "replayq": true, "dyn": false,
        "new": {"bury": false, "delays": [1.0, 10.0], "initialFactor": 2500, "ints": [1, 4, 0],
                "order": 1, "perDay": 20},
        "rev": {"bury": false, "ease4": 1.3, "ivlFct": 1.0, "maxIvl": 36500, "perDay": 200,
                "hardFactor": 1.2},
        "lapse": {"delays": [10.0], "leechAction": 1, "leechFails": 8, "minInt": 1, "mult": 0.0},
    }})
}

/// A card row, before it is written.
struct CardRow {
    ctype: i64,
    queue: i64,
    due: i64,
    ivl: i64,
    factor: i64,
    left: i64,
    data: String,
}

/// The day number (from `crt`) holding `t`.
fn day_of(t: Timestamp, crt: i64) -> i64 {
    (t.as_second() - crt).div_euclid(DAY)
}

fn card_row(state: &CardState, position: i64, crt: i64, now: Timestamp) -> CardRow {
    let studied = state.phase != Phase::New;
    let data = match (studied, state.memory) {
        (true, Some(m)) => {
            let mut data = serde_json::Map::new();
            let round = |x: f32, places: i32| {
                let k = 10f64.powi(places);
                (f64::from(x) * k).round() / k
            };
            data.insert("s".into(), json!(round(m.stability, 4)));
            data.insert("d".into(), json!(round(m.difficulty, 3)));
            if let Some(last) = state.last_review {
                data.insert("lrt".into(), json!(last.as_second()));
            }
            Value::Object(data).to_string()
        }
        _ => "{}".to_string(),
    };
    let due_at = state.due.unwrap_or(now);
    let (ctype, queue, due, ivl) = match state.phase {
        Phase::New => (0, 0, position, 0),
        Phase::Review => (
            2,
            2,
            day_of(due_at, crt),
            i64::from(state.interval_days.max(1)),
        ),
        Phase::Learning { .. } | Phase::Relearning { .. } => {
            let ctype = if matches!(state.phase, Phase::Learning { .. }) {
                1
            } else {
                3
            };
            let ivl = if ctype == 3 { 1 } else { 0 };
            if due_at.as_second() - now.as_second() >= DAY {
                (ctype, 3, day_of(due_at, crt), ivl)
            } else {
                (ctype, 1, due_at.as_second(), ivl)
            }
        }
    };
    CardRow {
        ctype,
        queue: if state.suspended { -1 } else { queue },
        due,
        ivl,
        factor: if matches!(ctype, 2 | 3) { 2500 } else { 0 },
        left: if matches!(ctype, 1 | 3) { 1 } else { 0 },
        data,
    }
}

/// Review log rows for one card's answers: (ease, ivl, lastIvl, factor, type).
/// An answer is a learning one until the card first goes a day or more
/// without being answered; after that, Again starts relearning, which lasts
/// until the next gap of a day.
fn revlog_rows(reviews: &[ReviewEntry], state: &CardState) -> Vec<(i64, i64, i64, i64, i64)> {
    let mut rows = Vec::with_capacity(reviews.len());
    let (mut graduated, mut relearning, mut last_ivl) = (false, false, 0);
    for (i, r) in reviews.iter().enumerate() {
        let next = reviews.get(i + 1).map(|n| n.at).or(state.due);
        let gap = next.map_or(0, |n| (n.as_second() - r.at.as_second()).max(0));
        let kind = if !graduated {
            0
        } else if relearning {
            2
        } else {
            1
        };
        let ivl = if gap >= DAY { gap / DAY } else { -gap };
        if gap >= DAY {
            graduated = true;
            relearning = false;
        } else if graduated && r.rating.number() == 1 {
            relearning = true;
        }
        let factor = if kind == 0 { 0 } else { 2500 };
        rows.push((i64::from(r.rating.number()), ivl, last_ivl, factor, kind));
        last_ivl = ivl;
    }
    rows
}

/// The first 8 hex digits of the SHA-1 of `text`, as a number: `notes.csum`.
fn checksum(text: &str) -> i64 {
    let d = sha1_smol::Sha1::from(text.as_bytes()).digest().bytes();
    i64::from(u32::from_be_bytes([d[0], d[1], d[2], d[3]]))
}

/// The items a card is written with, as Anki card ordinals.
fn ordinals(note: &ExportNote) -> Result<Vec<(u16, Variant)>, AnkiError> {
    Ok(match note.card.kind {
        // A rubric goes to Anki as a basic note with its points as a list.
        CardKind::Basic | CardKind::Rubric => vec![(0, Variant::Forward)],
        CardKind::Reversed => vec![(0, Variant::Forward), (1, Variant::Reverse)],
        CardKind::Cloze => {
            let numbers = cloze_numbers(&note.card.front);
            if numbers.is_empty() {
                return Err(AnkiError::Export(format!(
                    "card `{}` is a Cloze card without a {{{{c1::...}}}} deletion",
                    note.card.id
                )));
            }
            numbers
                .into_iter()
                .map(|n| (n - 1, Variant::Cloze(n)))
                .collect()
        }
    })
}

/// Writes Rehearse cards, their progress and media as a legacy-format
/// package that Anki imports (see the module documentation).
pub fn write_package(input: &ExportInput) -> Result<Vec<u8>, AnkiError> {
    for name in input.media.keys() {
        check_media_name(name)?;
    }
    let crt = collection_start(input);
    let decks = Decks::of(input);
    let db = write_collection(input, crt, &decks)?;
    zip_package(&db, input)
}

/// The package's creation time `crt`: midnight (UTC) of the earliest day
/// anything is due, or of the export day, so that no due day number is
/// negative.
fn collection_start(input: &ExportInput) -> i64 {
    let earliest = input
        .notes
        .iter()
        .flat_map(|n| &n.progress)
        .filter_map(|p| p.state.due)
        .map(|t| t.as_second())
        .fold(input.now.as_second(), i64::min);
    earliest - earliest.rem_euclid(DAY)
}

/// The name a note's deck gets in the package: Anki has no deck without a
/// name, so a blank one becomes Anki's own `Default`.
fn deck_name(note: &ExportNote) -> &str {
    let name = note.deck.trim();
    if name.is_empty() { "Default" } else { name }
}

/// The package's decks: Anki needs every parent of a nested deck to exist
/// as a deck of its own.
struct Decks {
    /// Deck ids by full name (levels trimmed and joined with `::`).
    ids: BTreeMap<String, i64>,
    /// The `decks` JSON of the `col` row, by id.
    json: serde_json::Map<String, Value>,
}

impl Decks {
    /// The decks the notes of `input` name, with every parent. `Default`
    /// keeps Anki's id 1, as every collection already has it; the others get
    /// ids after the export time so they do not clash with existing ones.
    fn of(input: &ExportInput) -> Decks {
        let now_s = input.now.as_second();
        let now_ms = input.now.as_millisecond();
        let mut names = BTreeSet::new();
        for note in &input.notes {
            let mut prefix = String::new();
            for part in deck_name(note).split("::") {
                if !prefix.is_empty() {
                    prefix.push_str("::");
                }
                prefix.push_str(part.trim());
                names.insert(prefix.clone());
            }
        }
        let mut ids = BTreeMap::new();
        let mut json = serde_json::Map::new();
        json.insert("1".into(), deck_json(1, "Default", 0));
        for (i, name) in names.iter().enumerate() {
            let id = if name == "Default" {
                1
            } else {
                now_ms + 1 + i as i64
            };
            ids.insert(name.clone(), id);
            json.insert(id.to_string(), deck_json(id, name, now_s));
        }
        Decks { ids, json }
    }

    /// The id of a note's deck; Anki's `Default` (1) if it somehow has none.
    fn id_of(&self, note: &ExportNote) -> i64 {
        let normalised: Vec<&str> = deck_name(note).split("::").map(str::trim).collect();
        self.ids.get(&normalised.join("::")).copied().unwrap_or(1)
    }
}

/// Writes the collection database (`collection.anki21`) in a temporary
/// folder and returns its bytes: SQLite writes to a file, the package
/// wants the bytes.
fn write_collection(input: &ExportInput, crt: i64, decks: &Decks) -> Result<Vec<u8>, AnkiError> {
    let dir = temp_dir()?;
    let path = dir.path().join("collection.anki21");
    {
        let mut conn = open(&path, true)?;
        conn.execute_batch("PRAGMA page_size = 4096; PRAGMA journal_mode = DELETE;")?;
        conn.execute_batch(SCHEMA)?;
        let tx = conn.transaction()?;
        let mut rows = Rows {
            tx: &tx,
            input,
            crt,
            card_id: input.now.as_millisecond(),
            note_ids: HashSet::new(),
            revlog_ids: HashSet::new(),
        };
        rows.col(decks)?;
        for (index, note) in input.notes.iter().enumerate() {
            let nid = rows.note(index, note)?;
            rows.cards(index, note, nid, decks.id_of(note))?;
        }
        tx.commit()?;
        conn.close().map_err(|(_, e)| AnkiError::from(e))?;
    }
    let db = std::fs::read(&path).map_err(|e| AnkiError::Io(format!("{}: {e}", path.display())))?;
    drop(dir);
    Ok(db)
}

/// `wanted`, or the first id after it not in `used`: keeps ids close to the
/// times Anki reads them as while keeping them unique, as Anki needs.
fn free_id(used: &mut HashSet<i64>, wanted: i64) -> i64 {
    let mut id = wanted;
    while !used.insert(id) {
        id += 1;
    }
    id
}

/// Writes the rows of the collection, within one transaction, and hands
/// out the ids.
struct Rows<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    input: &'a ExportInput,
    /// The collection's creation time, which due day numbers count from.
    crt: i64,
    /// The last card id given; the next card gets the one after it.
    card_id: i64,
    /// Note ids already used.
    note_ids: HashSet<i64>,
    /// Review log ids already used.
    revlog_ids: HashSet<i64>,
}

impl Rows<'_> {
    /// The `col` row: the collection's settings, note types, decks and deck
    /// options, which schema 11 keeps as JSON in one row.
    fn col(&self, decks: &Decks) -> Result<(), AnkiError> {
        let conf = json!({
            "activeDecks": [1], "curDeck": 1, "newSpread": 0, "collapseTime": 1200,
            "timeLim": 0, "estTimes": true, "dueCounts": true, "curModel": BASIC_ID,
            "nextPos": self.input.notes.len() + 1, "sortType": "noteFld", "sortBackwards": false,
            "addToCur": true, "schedVer": 2, "sched2021": true, "dayLearnFirst": false,
        });
        self.tx.execute(
            "INSERT INTO col VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')",
            params![
                self.crt,
                self.input.now.as_millisecond(),
                conf.to_string(),
                models_json().to_string(),
                Value::Object(decks.json.clone()).to_string(),
                dconf_json().to_string()
            ],
        )?;
        Ok(())
    }

    /// Writes one card as a note row and returns the note's id.
    fn note(&mut self, index: usize, note: &ExportNote) -> Result<i64, AnkiError> {
        let now = self.input.now;
        // Anki reads a note's id as when it was added: keep the card's
        // added time when it has one (ids must still be unique).
        let wanted = note
            .card
            .added
            .map_or(now.as_millisecond() + index as i64, |t| t.as_millisecond());
        let nid = free_id(&mut self.note_ids, wanted);
        let card = &note.card;
        let mid = match card.kind {
            CardKind::Basic | CardKind::Rubric => BASIC_ID,
            CardKind::Reversed => REVERSED_ID,
            CardKind::Cloze => CLOZE_ID,
        };
        let back = if card.kind == CardKind::Rubric {
            card.render(Variant::Forward).1
        } else {
            card.back.clone()
        };
        let fields = [markdown_to_html(&card.front), markdown_to_html(&back)];
        let sort_field = card.front.trim();
        self.tx.execute(
            "INSERT INTO notes VALUES (?1, ?2, ?3, ?4, -1, ?5, ?6, ?7, ?8, 0, '')",
            params![
                nid,
                guid_for_card_id(&card.id),
                mid,
                // The card's own modification time, so that importing
                // this package back is recognised as nothing newer.
                card.modified.map_or(now.as_second(), |m| m.as_second()),
                note_tags(note),
                fields.join("\x1f"),
                sort_field,
                checksum(sort_field)
            ],
        )?;
        Ok(nid)
    }

    /// Writes a note's cards (one per item), each with its scheduling and
    /// review log.
    fn cards(
        &mut self,
        index: usize,
        note: &ExportNote,
        nid: i64,
        did: i64,
    ) -> Result<(), AnkiError> {
        let now = self.input.now;
        for (ord, variant) in ordinals(note)? {
            self.card_id += 1;
            let card_id = self.card_id;
            let progress = note.progress.iter().find(|p| p.variant == variant);
            let state = progress.map(|p| p.state.clone()).unwrap_or_default();
            let row = card_row(&state, index as i64 + 1, self.crt, now);
            self.tx.execute(
                "INSERT INTO cards VALUES (?1, ?2, ?3, ?4, ?5, -1, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, 0, 0, ?14)",
                params![
                    card_id,
                    nid,
                    did,
                    ord,
                    now.as_second(),
                    row.ctype,
                    row.queue,
                    row.due,
                    row.ivl,
                    row.factor,
                    state.reps,
                    state.lapses,
                    row.left,
                    row.data
                ],
            )?;
            if let Some(progress) = progress {
                self.revlog(card_id, progress, &state)?;
            }
        }
        Ok(())
    }

    /// Writes one item's answers as review log rows, oldest first, each
    /// with its answer time in milliseconds as id (Anki reads the time
    /// from it).
    fn revlog(
        &mut self,
        card_id: i64,
        progress: &ExportProgress,
        state: &CardState,
    ) -> Result<(), AnkiError> {
        let mut reviews = progress.reviews.clone();
        reviews.sort_by_key(|r| r.at);
        for (r, (ease, ivl, last_ivl, factor, kind)) in
            reviews.iter().zip(revlog_rows(&reviews, state))
        {
            let id = free_id(&mut self.revlog_ids, r.at.as_millisecond());
            self.tx.execute(
                "INSERT INTO revlog VALUES (?1, ?2, -1, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![id, card_id, ease, ivl, last_ivl, factor, r.took_ms, kind],
            )?;
        }
        Ok(())
    }
}

/// A card's tags as Anki's `notes.tags`: space-separated with a space at
/// each end, whitespace inside a tag turned into `_` (Anki splits tags on
/// spaces), and `leech` added when any item is a leech, as Anki tags them.
fn note_tags(note: &ExportNote) -> String {
    let mut tags: Vec<String> = note
        .card
        .tags
        .iter()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join("_"))
        .filter(|t| !t.is_empty())
        .collect();
    if note.progress.iter().any(|p| p.state.leech)
        && !tags.iter().any(|t| t.eq_ignore_ascii_case("leech"))
    {
        tags.push("leech".into());
    }
    if tags.is_empty() {
        String::new()
    } else {
        format!(" {} ", tags.join(" "))
    }
}

/// Zips the package: `meta` (the legacy format's version marker, stored),
/// the collection, the media map and the media files numbered as the map
/// says.
fn zip_package(db: &[u8], input: &ExportInput) -> Result<Vec<u8>, AnkiError> {
    let zip_error = |e: zip::result::ZipError| AnkiError::Io(format!("writing the zip: {e}"));
    let io_error = |e: std::io::Error| AnkiError::Io(format!("writing the zip: {e}"));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("meta", stored).map_err(zip_error)?;
    zip.write_all(&[0x08, 0x02]).map_err(io_error)?;
    zip.start_file("collection.anki21", deflated)
        .map_err(zip_error)?;
    zip.write_all(db).map_err(io_error)?;
    let map: BTreeMap<String, &str> = input
        .media
        .keys()
        .enumerate()
        .map(|(i, name)| (i.to_string(), name.as_str()))
        .collect();
    zip.start_file("media", deflated).map_err(zip_error)?;
    zip.write_all(
        serde_json::to_string(&map)
            .unwrap_or_else(|_| "{}".into())
            .as_bytes(),
    )
    .map_err(io_error)?;
    for (i, data) in input.media.values().enumerate() {
        zip.start_file(i.to_string(), deflated).map_err(zip_error)?;
        zip.write_all(data).map_err(io_error)?;
    }
    let cursor = zip.finish().map_err(zip_error)?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::Rating;

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    #[test]
    fn csum_matches_anki() {
        // sha1("Hello") = f7ff9e8b…
        assert_eq!(checksum("Hello"), 0xf7ff_9e8b);
    }

    #[test]
    fn revlog_reconstruction() {
        let r = |s, rating| ReviewEntry {
            at: ts(s),
            rating,
            took_ms: 1000,
        };
        let reviews = [
            r(0, Rating::Good),
            r(600, Rating::Good),
            r(600 + 3 * DAY, Rating::Again),
            r(1200 + 3 * DAY, Rating::Good),
        ];
        let state = CardState {
            due: Some(ts(1200 + 5 * DAY)),
            ..CardState::new()
        };
        let rows = revlog_rows(&reviews, &state);
        let kinds: Vec<i64> = rows.iter().map(|r| r.4).collect();
        assert_eq!(kinds, [0, 0, 1, 2]);
        assert_eq!(rows[0].1, -600);
        assert_eq!(rows[1].1, 3);
        assert_eq!(rows[2].2, 3);
        assert_eq!(rows[3].1, 2);
    }
}
