//! The collection database: schema 11 (decks and note types as JSON in the
//! `col` row) or schemas 15–18 (their own tables, configs as protobuf).
//!
//! The database is opened from a private temporary directory (the schema-18
//! file has a WAL header, so SQLite wants to create files beside it), with a
//! case-insensitive `unicase` collation registered before the first query,
//! untrusted-schema protections on and writes refused.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags};
use serde::Deserialize;

use super::{
    AnkiCard, AnkiDeck, AnkiError, AnkiNote, AnkiPackage, AnkiReview, CardType, Due, FsrsState,
    NoteKind, PackageFormat, Queue, ReviewKind, proto,
};

/// A directory under the system's temporary directory, readable only by
/// this user, removed with everything in it when dropped.
pub(super) struct TempDir(PathBuf);

impl TempDir {
    pub(super) fn new() -> Result<Self, AnkiError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut last_error = None;
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, AtomicOrdering::Relaxed);
            let path = base.join(format!(
                "rehearse-anki-{}-{nanos:08x}-{n}",
                std::process::id()
            ));
            let mut builder = fs::DirBuilder::new();
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            match builder.create(&path) {
                Ok(()) => return Ok(Self(path)),
                Err(e) => last_error = Some(e),
            }
        }
        Err(AnkiError::Io(format!(
            "cannot create a temporary directory in {}: {}",
            base.display(),
            last_error.map_or_else(String::new, |e| e.to_string())
        )))
    }

    pub(super) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Nothing to report to from a drop; the system cleans its temp folder.
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Compares like Anki's `unicase` collation: case-insensitively.
fn unicase(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

/// Opens a fresh connection on `path` with the `unicase` collation and the
/// protections for a file from elsewhere.
pub(super) fn open(path: &Path, writable: bool) -> Result<Connection, AnkiError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if writable {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    conn.create_collation("unicase", unicase)?;
    conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON;")?;
    if !writable {
        conn.execute_batch("PRAGMA query_only = ON;")?;
    }
    Ok(conn)
}

/// A note type, as much of it as conversion needs.
#[derive(Clone, Debug)]
struct Notetype {
    name: String,
    kind: NoteKind,
    fields: Vec<String>,
}

/// What is read from the database, before it is put together.
pub(super) struct Collection {
    schema: u32,
    crt: i64,
    notetypes: HashMap<i64, Notetype>,
    /// id → (name, filtered).
    decks: HashMap<i64, (String, bool)>,
    notes: Vec<NoteRow>,
    cards: Vec<CardRow>,
    revlog: Vec<RevlogRow>,
}

struct NoteRow {
    id: i64,
    guid: String,
    mid: i64,
    modified: i64,
    tags: String,
    flds: String,
}

struct CardRow {
    id: i64,
    nid: i64,
    did: i64,
    ord: i64,
    ctype: i64,
    queue: i64,
    due: i64,
    ivl: i64,
    factor: i64,
    reps: i64,
    lapses: i64,
    odue: i64,
    odid: i64,
    flags: i64,
    data: String,
}

struct RevlogRow {
    id: i64,
    cid: i64,
    ease: i64,
    ivl: i64,
    last_ivl: i64,
    factor: i64,
    time: i64,
    kind: i64,
}

/// Reads the collection database `db` (the decompressed bytes).
pub(super) fn read_collection(db: &[u8]) -> Result<Collection, AnkiError> {
    let dir = TempDir::new()?;
    let path = dir.path().join("collection.db");
    fs::write(&path, db).map_err(|e| AnkiError::Io(format!("{}: {e}", path.display())))?;
    let conn = open(&path, false)?;
    let result = read_from(&conn);
    drop(conn);
    drop(dir);
    result
}

fn db_error(e: rusqlite::Error) -> AnkiError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ) =>
        {
            AnkiError::Database(format!("not a valid SQLite database ({e})"))
        }
        e => AnkiError::Database(e.to_string()),
    }
}

/// Fails unless every name in `tables` is a table (not a view: a view could
/// make a hostile file's queries arbitrarily slow).
fn require_tables(conn: &Connection, tables: &[&str]) -> Result<(), AnkiError> {
    for table in tables {
        let kind: Option<String> = conn
            .query_row(
                "SELECT type FROM sqlite_master WHERE name = ?1",
                [table],
                |r| r.get(0),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(db_error(e)),
            })?;
        match kind.as_deref() {
            Some("table") => {}
            Some(other) => {
                return Err(AnkiError::Corrupt {
                    what: "the collection".into(),
                    message: format!("`{table}` is a {other}, not a table"),
                });
            }
            None => {
                return Err(AnkiError::Missing(format!(
                    "`{table}` table in its collection"
                )));
            }
        }
    }
    Ok(())
}

fn read_from(conn: &Connection) -> Result<Collection, AnkiError> {
    require_tables(conn, &["col", "notes", "cards", "revlog"])?;
    let (crt, ver): (i64, i64) = conn
        .query_row("SELECT crt, ver FROM col LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => AnkiError::Corrupt {
                what: "the collection".into(),
                message: "the `col` table is empty".into(),
            },
            e => db_error(e),
        })?;
    let (notetypes, decks) = match ver {
        11 => read_schema11(conn)?,
        15..=18 => read_schema18(conn)?,
        v => return Err(AnkiError::UnsupportedSchema(v)),
    };
    let notes = query(
        conn,
        "SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id",
        |r| {
            Ok(NoteRow {
                id: r.get(0)?,
                guid: r.get(1)?,
                mid: r.get(2)?,
                modified: r.get(3)?,
                tags: r.get(4)?,
                flds: r.get(5)?,
            })
        },
    )?;
    let cards = query(
        conn,
        "SELECT id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses, odue, odid, \
         flags, data FROM cards ORDER BY nid, ord, id",
        |r| {
            Ok(CardRow {
                id: r.get(0)?,
                nid: r.get(1)?,
                did: r.get(2)?,
                ord: r.get(3)?,
                ctype: r.get(4)?,
                queue: r.get(5)?,
                due: r.get(6)?,
                ivl: r.get(7)?,
                factor: r.get(8)?,
                reps: r.get(9)?,
                lapses: r.get(10)?,
                odue: r.get(11)?,
                odid: r.get(12)?,
                flags: r.get(13)?,
                data: r.get::<_, Option<String>>(14)?.unwrap_or_default(),
            })
        },
    )?;
    let revlog = query(
        conn,
        "SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog ORDER BY id",
        |r| {
            Ok(RevlogRow {
                id: r.get(0)?,
                cid: r.get(1)?,
                ease: r.get(2)?,
                ivl: r.get(3)?,
                last_ivl: r.get(4)?,
                factor: r.get(5)?,
                time: r.get(6)?,
                kind: r.get(7)?,
            })
        },
    )?;
    Ok(Collection {
        schema: ver as u32,
        crt,
        notetypes,
        decks,
        notes,
        cards,
        revlog,
    })
}

fn query<T>(
    conn: &Connection,
    sql: &str,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, AnkiError> {
    let mut stmt = conn.prepare(sql).map_err(db_error)?;
    let rows = stmt.query_map([], row).map_err(db_error)?;
    rows.collect::<Result<Vec<T>, _>>().map_err(db_error)
}

type NotetypesAndDecks = (HashMap<i64, Notetype>, HashMap<i64, (String, bool)>);

#[derive(Deserialize)]
struct ModelJson {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    name: String,
    #[serde(default, rename = "type")]
    kind: i64,
    #[serde(default)]
    flds: Vec<NamedJson>,
    #[serde(default)]
    tmpls: Vec<TemplateJson>,
    #[serde(default, rename = "originalStockKind")]
    original_stock_kind: Option<i64>,
}

#[derive(Deserialize)]
struct NamedJson {
    #[serde(default)]
    name: String,
    #[serde(default)]
    ord: Option<i64>,
}

#[derive(Deserialize)]
struct TemplateJson {
    #[serde(default)]
    ord: Option<i64>,
    #[serde(default)]
    qfmt: String,
}

#[derive(Deserialize)]
struct DeckJson {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    name: String,
    #[serde(default, rename = "dyn")]
    dynamic: serde_json::Value,
}

fn json_id(key: &str, id: Option<&serde_json::Value>) -> Option<i64> {
    key.parse()
        .ok()
        .or_else(|| id.and_then(serde_json::Value::as_i64))
}

fn read_schema11(conn: &Connection) -> Result<NotetypesAndDecks, AnkiError> {
    let (models, decks): (String, String) = conn
        .query_row("SELECT models, decks FROM col LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(db_error)?;
    let models: BTreeMap<String, ModelJson> =
        serde_json::from_str(&models).map_err(|e| AnkiError::Corrupt {
            what: "the note types (`col.models`)".into(),
            message: e.to_string(),
        })?;
    let decks: BTreeMap<String, DeckJson> =
        serde_json::from_str(&decks).map_err(|e| AnkiError::Corrupt {
            what: "the decks (`col.decks`)".into(),
            message: e.to_string(),
        })?;
    let mut notetypes = HashMap::new();
    for (key, mut m) in models {
        let Some(id) = json_id(&key, m.id.as_ref()) else {
            continue;
        };
        m.flds.sort_by_key(|f| f.ord);
        m.tmpls.sort_by_key(|t| t.ord);
        let fields: Vec<String> = m.flds.into_iter().map(|f| f.name).collect();
        let qfmts: Vec<String> = m.tmpls.into_iter().map(|t| t.qfmt).collect();
        let kind = note_kind(
            &m.name,
            m.kind == 1,
            m.original_stock_kind.unwrap_or(0),
            &fields,
            &qfmts,
        );
        notetypes.insert(
            id,
            Notetype {
                name: m.name,
                kind,
                fields,
            },
        );
    }
    let decks = decks
        .into_iter()
        .filter_map(|(key, d)| {
            let id = json_id(&key, d.id.as_ref())?;
            let filtered = match &d.dynamic {
                serde_json::Value::Bool(b) => *b,
                serde_json::Value::Number(n) => n.as_i64() != Some(0),
                _ => false,
            };
            Some((id, (d.name, filtered)))
        })
        .collect();
    Ok((notetypes, decks))
}

fn read_schema18(conn: &Connection) -> Result<NotetypesAndDecks, AnkiError> {
    require_tables(conn, &["notetypes", "fields", "templates", "decks"])?;
    let rows = query(conn, "SELECT id, name, config FROM notetypes", |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Vec<u8>>(2)?,
        ))
    })?;
    let fields = query(
        conn,
        "SELECT ntid, name FROM fields ORDER BY ntid, ord",
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
    )?;
    let templates = query(
        conn,
        "SELECT ntid, config FROM templates ORDER BY ntid, ord",
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
    )?;
    let mut field_names: HashMap<i64, Vec<String>> = HashMap::new();
    for (ntid, name) in fields {
        field_names.entry(ntid).or_default().push(name);
    }
    let mut qfmts: HashMap<i64, Vec<String>> = HashMap::new();
    for (ntid, config) in templates {
        let mut qfmt = String::new();
        for field in proto::fields(&config) {
            let (number, value) = field.map_err(|e| AnkiError::Corrupt {
                what: format!("the templates of note type {ntid}"),
                message: e,
            })?;
            if let (1, proto::Value::Bytes(b)) = (number, value) {
                qfmt = String::from_utf8_lossy(b).into_owned();
            }
        }
        qfmts.entry(ntid).or_default().push(qfmt);
    }
    let mut notetypes = HashMap::new();
    for (id, name, config) in rows {
        let (mut cloze, mut stock) = (false, 0);
        for field in proto::fields(&config) {
            let (number, value) = field.map_err(|e| AnkiError::Corrupt {
                what: format!("note type {name:?}"),
                message: e,
            })?;
            match (number, value.varint()) {
                (1, Some(kind)) => cloze = kind == 1,
                (9, Some(kind)) => stock = kind as i64,
                _ => {}
            }
        }
        let fields = field_names.remove(&id).unwrap_or_default();
        let qfmts = qfmts.remove(&id).unwrap_or_default();
        let kind = note_kind(&name, cloze, stock, &fields, &qfmts);
        notetypes.insert(id, Notetype { name, kind, fields });
    }
    let rows = query(conn, "SELECT id, name, kind FROM decks", |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<Vec<u8>>>(2)?.unwrap_or_default(),
        ))
    })?;
    let mut decks = HashMap::new();
    for (id, name, kind) in rows {
        // DeckKind { oneof { Normal normal = 1; Filtered filtered = 2; } }
        let mut filtered = false;
        for field in proto::fields(&kind) {
            let (number, _) = field.map_err(|e| AnkiError::Corrupt {
                what: format!("deck {name:?}"),
                message: e,
            })?;
            filtered = number == 2;
        }
        decks.insert(id, (name.replace('\x1f', "::"), filtered));
    }
    Ok((notetypes, decks))
}

/// Which kind of note type this is: from the stock kind Anki records
/// (2.1.62+), else the stock name, else its shape.
fn note_kind(name: &str, cloze: bool, stock: i64, fields: &[String], qfmts: &[String]) -> NoteKind {
    if cloze {
        return if stock == 6 {
            NoteKind::ImageOcclusion
        } else {
            NoteKind::Cloze
        };
    }
    match stock {
        1 => return NoteKind::Basic,
        2 => return NoteKind::BasicAndReversed,
        3 => return NoteKind::BasicOptionalReversed,
        4 => return NoteKind::BasicTyping,
        _ => {}
    }
    // A copy of a stock type is named like "Basic-1a2b3" or "Basic+".
    let base = name
        .trim_end_matches('+')
        .rsplit_once('-')
        .filter(|(_, suffix)| suffix.len() == 5 && suffix.chars().all(|c| c.is_ascii_hexdigit()))
        .map_or(name, |(base, _)| base);
    match base {
        "Basic" if fields.len() >= 2 && qfmts.len() == 1 => return NoteKind::Basic,
        "Basic (and reversed card)" if fields.len() >= 2 && qfmts.len() == 2 => {
            return NoteKind::BasicAndReversed;
        }
        "Basic (optional reversed card)" if fields.len() >= 3 && qfmts.len() == 2 => {
            return NoteKind::BasicOptionalReversed;
        }
        "Basic (type in the answer)" if fields.len() >= 2 && qfmts.len() == 1 => {
            return NoteKind::BasicTyping;
        }
        _ => {}
    }
    match (fields.len(), qfmts) {
        (2, [q]) if q.contains("{{type:") => NoteKind::BasicTyping,
        (2, [_]) => NoteKind::Basic,
        (2, [_, _]) => NoteKind::BasicAndReversed,
        (3, [_, q]) if q.contains("{{#") => NoteKind::BasicOptionalReversed,
        _ => NoteKind::Other,
    }
}

fn timestamp(secs: i64, what: impl FnOnce() -> String) -> Result<Timestamp, AnkiError> {
    Timestamp::from_second(secs).map_err(|_| AnkiError::Corrupt {
        what: what(),
        message: format!("time {secs} is out of range"),
    })
}

fn clamp_u32(v: i64) -> u32 {
    v.clamp(0, i64::from(u32::MAX)) as u32
}

/// The FSRS part of `cards.data`: `{"s": 2.3, "d": 5.1, "dr": 0.9, "lrt": 1700000000, ...}`.
fn parse_card_data(data: &str) -> (Option<FsrsState>, Option<i64>) {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(data) else {
        return (None, None);
    };
    let num = |key: &str| map.get(key).and_then(serde_json::Value::as_f64);
    let fsrs = match (num("s"), num("d")) {
        (Some(s), Some(d)) if s.is_finite() && s > 0.0 && d.is_finite() => Some(FsrsState {
            stability: s as f32,
            difficulty: d.clamp(1.0, 10.0) as f32,
            desired_retention: num("dr")
                .filter(|r| r.is_finite() && *r > 0.0 && *r < 1.0)
                .map(|r| r as f32),
        }),
        _ => None,
    };
    let lrt = map.get("lrt").and_then(serde_json::Value::as_i64);
    (fsrs, lrt)
}

impl Collection {
    /// Puts the rows together: cards under their notes, notes under the deck
    /// of their first card, review logs under their cards.
    pub(super) fn into_package(
        self,
        format: PackageFormat,
        media: BTreeMap<String, Vec<u8>>,
    ) -> AnkiPackageResult {
        let mut warnings = Vec::new();
        let created = timestamp(self.crt, || "the collection's creation time".into())?;

        let mut reviews: HashMap<i64, Vec<AnkiReview>> = HashMap::new();
        for r in self.revlog {
            let at = Timestamp::from_millisecond(r.id).map_err(|_| AnkiError::Corrupt {
                what: format!("review log entry {}", r.id),
                message: "its time is out of range".into(),
            })?;
            reviews.entry(r.cid).or_default().push(AnkiReview {
                id: r.id,
                at,
                ease: r.ease.clamp(0, 255) as u8,
                interval: r.ivl,
                last_interval: r.last_ivl,
                factor: clamp_u32(r.factor),
                took_ms: clamp_u32(r.time),
                kind: match r.kind {
                    0 => ReviewKind::Learn,
                    1 => ReviewKind::Review,
                    2 => ReviewKind::Relearn,
                    3 => ReviewKind::Filtered,
                    4 => ReviewKind::Manual,
                    5 => ReviewKind::Rescheduled,
                    k => ReviewKind::Unknown(k.clamp(0, 255) as u8),
                },
            });
        }

        let deck_name = |id: i64| self.decks.get(&id).map(|(name, _)| name.clone());
        let mut cards_by_note: HashMap<i64, Vec<(i64, AnkiCard)>> = HashMap::new();
        for c in self.cards {
            let what = || format!("card {}", c.id);
            let card_type = match c.ctype {
                0 => CardType::New,
                1 => CardType::Learning,
                2 => CardType::Review,
                3 => CardType::Relearning,
                t => {
                    return Err(AnkiError::Corrupt {
                        what: what(),
                        message: format!("unknown type {t}"),
                    });
                }
            };
            let queue = match c.queue {
                0 => Queue::New,
                1 => Queue::Learning,
                2 => Queue::Review,
                3 => Queue::DayLearning,
                4 => Queue::Preview,
                -1 => Queue::Suspended,
                -2 => Queue::SchedulerBuried,
                -3 => Queue::UserBuried,
                q => {
                    return Err(AnkiError::Corrupt {
                        what: what(),
                        message: format!("unknown queue {q}"),
                    });
                }
            };
            // In a filtered deck, the home deck and due are in odid/odue.
            let in_filtered = c.odid != 0;
            let due_raw = if in_filtered && c.odue != 0 {
                c.odue
            } else {
                c.due
            };
            let home = if in_filtered { c.odid } else { c.did };
            let deck = match deck_name(home).or_else(|| deck_name(c.did)) {
                Some(name) => name,
                None => {
                    warnings.push(format!(
                        "card {} is in deck {home}, which is not in the package; it goes to \"Default\"",
                        c.id
                    ));
                    "Default".to_string()
                }
            };
            let in_seconds = match (card_type, queue) {
                (CardType::New, _) => None,
                (_, Queue::Learning | Queue::Preview) if !in_filtered || c.odue == 0 => Some(true),
                (CardType::Review, _) => Some(false),
                (_, Queue::Review | Queue::DayLearning) => Some(false),
                // Suspended or buried while learning: Anki tells the two apart the same way.
                _ => Some(due_raw > 1_000_000_000),
            };
            let due = match in_seconds {
                None => Due::Position(due_raw),
                Some(true) => Due::At(timestamp(due_raw, what)?),
                Some(false) => {
                    let secs = due_raw
                        .checked_mul(86_400)
                        .and_then(|s| s.checked_add(self.crt))
                        .ok_or_else(|| AnkiError::Corrupt {
                            what: what(),
                            message: format!("due day {due_raw} is out of range"),
                        })?;
                    Due::At(timestamp(secs, what)?)
                }
            };
            // Pitfall: without scheduling, new cards can keep stale `data`.
            let (fsrs, lrt) = if card_type == CardType::New {
                (None, None)
            } else {
                parse_card_data(&c.data)
            };
            let last_review = match lrt {
                Some(secs) => Some(timestamp(secs, what)?),
                None => None,
            };
            let ord = u16::try_from(c.ord).map_err(|_| AnkiError::Corrupt {
                what: what(),
                message: format!("ordinal {} is out of range", c.ord),
            })?;
            cards_by_note.entry(c.nid).or_default().push((
                home,
                AnkiCard {
                    id: c.id,
                    ord,
                    deck,
                    card_type,
                    queue,
                    due,
                    interval_days: if card_type == CardType::New {
                        0
                    } else {
                        clamp_u32(c.ivl)
                    },
                    ease_permille: clamp_u32(c.factor),
                    reps: clamp_u32(c.reps),
                    lapses: clamp_u32(c.lapses),
                    flag: (c.flags & 7) as u8,
                    fsrs,
                    last_review,
                    reviews: reviews.remove(&c.id).unwrap_or_default(),
                },
            ));
        }

        let mut decks: BTreeMap<String, AnkiDeck> = BTreeMap::new();
        for (id, (name, filtered)) in &self.decks {
            decks
                .entry(name.clone())
                .and_modify(|d| d.id = d.id.min(*id))
                .or_insert_with(|| AnkiDeck {
                    id: *id,
                    name: name.clone(),
                    filtered: *filtered,
                    notes: Vec::new(),
                });
        }
        for n in self.notes {
            let Some(mut cards) = cards_by_note.remove(&n.id) else {
                warnings.push(format!("note {} has no cards; skipped", n.guid));
                continue;
            };
            let Some(notetype) = self.notetypes.get(&n.mid) else {
                return Err(AnkiError::Corrupt {
                    what: format!("note {}", n.guid),
                    message: format!("its note type {} is not in the package", n.mid),
                });
            };
            cards.sort_by_key(|(_, c)| (c.ord, c.id));
            let (home, deck_name) = (cards[0].0, cards[0].1.deck.clone());
            let deck = decks.entry(deck_name.clone()).or_insert_with(|| AnkiDeck {
                id: home,
                name: deck_name,
                filtered: false,
                notes: Vec::new(),
            });
            let modified = timestamp(n.modified, || format!("note {}", n.guid))?;
            deck.notes.push(AnkiNote {
                id: n.id,
                guid: n.guid,
                notetype: notetype.name.clone(),
                kind: notetype.kind,
                field_names: notetype.fields.clone(),
                fields: n.flds.split('\x1f').map(str::to_string).collect(),
                tags: n.tags.split_whitespace().map(str::to_string).collect(),
                modified,
                cards: cards.into_iter().map(|(_, c)| c).collect(),
            });
        }
        let mut orphans: Vec<i64> = cards_by_note
            .into_values()
            .flatten()
            .map(|(_, c)| c.id)
            .collect();
        orphans.sort_unstable();
        for id in orphans {
            warnings.push(format!(
                "card {id} belongs to no note in the package; skipped"
            ));
        }

        Ok(AnkiPackage {
            format,
            schema: self.schema,
            created,
            decks: decks.into_values().collect(),
            media,
            warnings,
        })
    }
}

type AnkiPackageResult = Result<AnkiPackage, AnkiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicase_ignores_case() {
        assert_eq!(unicase("Basic", "basic"), Ordering::Equal);
        assert_eq!(unicase("Äb", "äc"), Ordering::Less);
    }

    #[test]
    fn note_kinds() {
        let two = ["Front".to_string(), "Back".to_string()];
        let three = [
            "Front".to_string(),
            "Back".to_string(),
            "Add Reverse".to_string(),
        ];
        let q = |s: &str| s.to_string();
        assert_eq!(
            note_kind("Basic", false, 1, &two, &[q("{{Front}}")]),
            NoteKind::Basic
        );
        assert_eq!(note_kind("x", true, 0, &two, &[q("")]), NoteKind::Cloze);
        assert_eq!(
            note_kind("x", true, 6, &two, &[q("")]),
            NoteKind::ImageOcclusion
        );
        assert_eq!(
            note_kind("Basic-1a2b3", false, 0, &two, &[q("{{Front}}")]),
            NoteKind::Basic
        );
        assert_eq!(
            note_kind("Einfach", false, 0, &two, &[q("{{Front}}"), q("{{Back}}")]),
            NoteKind::BasicAndReversed
        );
        assert_eq!(
            note_kind(
                "Mine",
                false,
                0,
                &three,
                &[
                    q("{{Front}}"),
                    q("{{#Add Reverse}}{{Back}}{{/Add Reverse}}")
                ]
            ),
            NoteKind::BasicOptionalReversed
        );
        assert_eq!(
            note_kind("Mine", false, 0, &two, &[q("{{Front}} {{type:Back}}")]),
            NoteKind::BasicTyping
        );
        assert_eq!(
            note_kind("Vocab", false, 0, &three, &[q("{{Front}}")]),
            NoteKind::Other
        );
    }

    #[test]
    fn card_data() {
        let (fsrs, lrt) = parse_card_data(
            r#"{"pos":1,"s":2.3065,"d":2.111,"dr":0.9,"decay":0.154,"lrt":1795331020}"#,
        );
        let fsrs = fsrs.unwrap();
        assert!((fsrs.stability - 2.3065).abs() < 1e-6);
        assert!((fsrs.difficulty - 2.111).abs() < 1e-6);
        assert_eq!(fsrs.desired_retention, Some(0.9));
        assert_eq!(lrt, Some(1_795_331_020));
        assert_eq!(parse_card_data(""), (None, None));
        assert_eq!(parse_card_data("{}"), (None, None));
        assert_eq!(parse_card_data(r#"{"s":"x","d":1}"#).0, None);
    }
}
