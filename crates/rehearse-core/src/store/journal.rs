//! The review journal: `journal/<device>.ron`, one RON event per line, appended
//! and fsynced before an answer is acknowledged. It is the truth for reviews;
//! everything else is rebuilt from it.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::deck::ItemId;
use crate::schedule::Rating;

/// One thing that happened, as written to a journal line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// An answer to a study item.
    Review {
        /// Sequence number within this device's journal.
        id: u64,
        /// When it was answered.
        at: Timestamp,
        /// What was answered.
        item: ItemId,
        /// The button pressed.
        rating: Rating,
        /// Milliseconds spent on the card.
        #[serde(default)]
        took_ms: u32,
        /// The review interval in days the answer gave, when load balancing
        /// or easy days chose it: that choice depends on other items' due
        /// dates, which a replay (perhaps of merged journals, in another
        /// order) cannot be sure to see again. Absent in journals written
        /// before it existed and for answers that gave no day interval.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        days: Option<u32>,
    },
    /// Takes back an earlier review of the same device. History is never rewritten.
    Undo {
        /// Sequence number within this device's journal.
        id: u64,
        /// When the undo happened.
        at: Timestamp,
        /// The `id` of the review taken back.
        undoes: u64,
    },
    /// Takes an item out of study, or puts it back.
    Suspend {
        /// Sequence number within this device's journal.
        id: u64,
        /// When it happened.
        at: Timestamp,
        /// The item concerned.
        item: ItemId,
        /// True to suspend, false to unsuspend.
        suspended: bool,
    },
    /// Keeps an item for the next study day (the user's "bury").
    Bury {
        /// Sequence number within this device's journal.
        id: u64,
        /// When it happened: the item comes back the study day after.
        at: Timestamp,
        /// The item concerned.
        item: ItemId,
    },
    /// Forgets an item's progress: it becomes new again (a suspension stays).
    Reset {
        /// Sequence number within this device's journal.
        id: u64,
        /// When it happened.
        at: Timestamp,
        /// The item concerned.
        item: ItemId,
    },
    /// Which key points a rubric answer covered, recorded with its review.
    Points {
        /// Sequence number within this device's journal.
        id: u64,
        /// When it was answered (the review's time).
        at: Timestamp,
        /// The rubric item answered.
        item: ItemId,
        /// The `id` of the review this marks.
        review: u64,
        /// Indices (0-based) of the key points covered.
        covered: Vec<u16>,
        /// How many key points the rubric had when answered.
        total: u16,
        /// The learner's scratch notes, if any.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        notes: String,
    },
    /// A mock interview ended: this device's reviews from `started` to `at`
    /// were given in it.
    Mock {
        /// Sequence number within this device's journal.
        id: u64,
        /// When it ended.
        at: Timestamp,
        /// When it started.
        started: Timestamp,
        /// Its planned length in minutes.
        minutes: u16,
        /// What it concentrated on.
        focus: String,
    },
    /// Sets an item's whole state, as brought in from another app (an Anki
    /// package): its memory, due date and suspension, after its history.
    Import {
        /// Sequence number within this device's journal.
        id: u64,
        /// When it was imported.
        at: Timestamp,
        /// The item concerned.
        item: ItemId,
        /// The state it had there.
        state: crate::schedule::CardState,
    },
}

impl Event {
    /// The event's sequence number within its journal.
    pub fn id(&self) -> u64 {
        match self {
            Event::Review { id, .. }
            | Event::Undo { id, .. }
            | Event::Suspend { id, .. }
            | Event::Reset { id, .. }
            | Event::Points { id, .. }
            | Event::Mock { id, .. }
            | Event::Bury { id, .. }
            | Event::Import { id, .. } => *id,
        }
    }

    /// When it happened.
    pub fn at(&self) -> Timestamp {
        match self {
            Event::Review { at, .. }
            | Event::Undo { at, .. }
            | Event::Suspend { at, .. }
            | Event::Reset { at, .. }
            | Event::Points { at, .. }
            | Event::Mock { at, .. }
            | Event::Bury { at, .. }
            | Event::Import { at, .. } => *at,
        }
    }

    /// The item an event changes, if any.
    pub fn item(&self) -> Option<&ItemId> {
        match self {
            Event::Review { item, .. }
            | Event::Suspend { item, .. }
            | Event::Reset { item, .. }
            | Event::Bury { item, .. }
            | Event::Import { item, .. } => Some(item),
            // Points annotate a review; they change no state.
            Event::Undo { .. } | Event::Points { .. } | Event::Mock { .. } => None,
        }
    }

    /// The journal line, without its newline. Events hold only numbers,
    /// enums and strings, so this does not fail in practice; if it ever did,
    /// the event must not be written (an empty line would be skipped on
    /// reading, and the answer lost without a word).
    pub fn to_line(&self) -> Result<String, ron::Error> {
        if let Event::Review {
            id,
            at,
            item,
            rating,
            took_ms,
            days,
        } = self
        {
            // By far the commonest line (a million in an imported history):
            // written directly, as the serialiser would (ids are plain
            // ASCII, so nothing needs escaping; the test below holds the two
            // to the same text). `days` is left out when absent, as its
            // serde attribute says.
            let days = match days {
                Some(d) => format!(",days:Some({d})"),
                None => String::new(),
            };
            return Ok(format!(
                "Review(id:{id},at:\"{at}\",item:\"{item}\",rating:{rating:?},took_ms:{took_ms}{days})"
            ));
        }
        ron::to_string(self)
    }
}

/// What reading a journal produced.
#[derive(Debug, Default)]
pub struct JournalRead {
    /// The events, in file order.
    pub events: Vec<Event>,
    /// Where each event's line starts in the file, in bytes (parallel to
    /// `events`), so that a message about one can find its line.
    pub offsets: Vec<u64>,
    /// Byte offset just past the last complete line read.
    pub end: u64,
    /// Lines that were skipped, each with its place and reason.
    pub warnings: Vec<String>,
}

/// Reads the events of `path` from byte `from` on. A line that does not parse is
/// skipped with a warning; an unterminated last line (a crash mid-write) is
/// ignored with a warning and not counted in `end`.
pub fn read_journal(path: &Path, from: u64) -> io::Result<JournalRead> {
    let mut file = File::open(path)?;
    let first = read_from(&mut file, path, from, 0)?;
    // Warnings name the file's own line numbers, so the lines before `from`
    // are counted; only when there is something to report, as that means
    // reading the part already applied.
    if from == 0 || first.warnings.is_empty() {
        return Ok(first);
    }
    file.seek(SeekFrom::Start(0))?;
    let lines_before = count_lines((&mut file).take(from))?;
    read_from(&mut file, path, from, lines_before)
}

/// Journals are read and parsed in pieces of about this size, so that a
/// large one (an imported history of a million answers) is never held whole
/// beside its events.
const READ_CHUNK: u64 = 8 << 20;

/// Reads and parses `file` from byte `from` to its end, piece by piece, each
/// piece ending at a line's end; `lines_before` lines precede `from`.
fn read_from(
    file: &mut File,
    path: &Path,
    from: u64,
    lines_before: usize,
) -> io::Result<JournalRead> {
    file.seek(SeekFrom::Start(from))?;
    let mut out = JournalRead {
        end: from,
        ..JournalRead::default()
    };
    let mut buf: Vec<u8> = Vec::new();
    let mut at = from;
    let mut lines = lines_before;
    loop {
        let eof = Read::take(&mut *file, READ_CHUNK).read_to_end(&mut buf)? == 0;
        let cut = match buf.iter().rposition(|b| *b == b'\n') {
            _ if eof => buf.len(),
            Some(i) => i + 1,
            // Not one whole line yet: read on.
            None => continue,
        };
        let part = parse_journal_from_line(&buf[..cut], path, at, lines);
        lines += buf[..cut].iter().filter(|b| **b == b'\n').count();
        out.events.extend(part.events);
        out.offsets.extend(part.offsets);
        out.warnings.extend(part.warnings);
        out.end = part.end;
        if eof {
            return Ok(out);
        }
        buf.drain(..cut);
        at += cut as u64;
    }
}

/// The 1-based line of `path` that starts at byte `offset`.
pub fn line_at(path: &Path, offset: u64) -> io::Result<usize> {
    let file = File::open(path)?;
    Ok(count_lines(file.take(offset))? + 1)
}

fn count_lines(mut reader: impl Read) -> io::Result<usize> {
    let mut buf = [0u8; 64 * 1024];
    let mut lines = 0;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(lines);
        }
        lines += buf[..n].iter().filter(|b| **b == b'\n').count();
    }
}

/// Parses journal bytes that start at byte `from` of `path` (for messages).
/// Lines are numbered from the start of `bytes`; [`read_journal`] numbers
/// them from the start of the file.
pub fn parse_journal(bytes: &[u8], path: &Path, from: u64) -> JournalRead {
    parse_journal_from_line(bytes, path, from, 0)
}

/// [`parse_journal`] for bytes that follow `lines_before` lines of the file.
fn parse_journal_from_line(
    bytes: &[u8],
    path: &Path,
    from: u64,
    lines_before: usize,
) -> JournalRead {
    let mut out = JournalRead {
        end: from,
        ..JournalRead::default()
    };
    let mut offset = 0usize;
    let mut line_no = lines_before;
    while offset < bytes.len() {
        let rest = &bytes[offset..];
        let Some(nl) = rest.iter().position(|b| *b == b'\n') else {
            out.warnings.push(format!(
                "{}: the last line (byte {}) is incomplete, probably cut off by a crash; it was ignored",
                path.display(),
                from + offset as u64
            ));
            break;
        };
        line_no += 1;
        let line = &rest[..nl];
        offset += nl + 1;
        out.end = from + offset as u64;
        let text = match std::str::from_utf8(line) {
            Ok(t) => t.trim(),
            Err(_) => {
                out.warnings.push(format!(
                    "{}: line {line_no}: not UTF-8 text; line skipped",
                    path.display(),
                ));
                continue;
            }
        };
        if text.is_empty() || text.starts_with("//") {
            continue;
        }
        match ron::from_str::<Event>(text) {
            Ok(event) => {
                out.events.push(event);
                out.offsets.push(from + (offset - nl - 1) as u64);
            }
            Err(e) => out.warnings.push(format!(
                "{}: line {line_no}, column {}: {}; line skipped",
                path.display(),
                e.span.start.col,
                e.code
            )),
        }
    }
    out
}

/// Writes a whole journal at once, atomically and fsynced: for a journal made
/// in one go (an imported review log) that no device appends to. A crash
/// leaves either no file or all of it, never part of an import (which would
/// then count as imported).
pub fn write_journal(path: &Path, events: &[Event]) -> Result<(), StoreError> {
    let mut text = String::with_capacity(events.len() * 110);
    for event in events {
        text.push_str(&event.to_line().map_err(|e| StoreError::encode(path, e))?);
        text.push('\n');
    }
    super::atomic::write_atomic(path, text.as_bytes()).map_err(|e| StoreError::io(path, e))
}

/// Appends events to this device's journal, durably.
#[derive(Debug)]
pub struct JournalWriter {
    path: PathBuf,
    file: File,
    len: u64,
}

impl JournalWriter {
    /// Opens (creating) `path` for appending. An unterminated last line, which was
    /// never acknowledged, is cut off so the next event starts on a line of its own.
    pub fn open(path: &Path) -> io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let created = !path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        let mut len = file.metadata()?.len();
        if len > 0 {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                let mut all = Vec::new();
                file.seek(SeekFrom::Start(0))?;
                file.read_to_end(&mut all)?;
                len = all
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |i| i as u64 + 1);
                file.set_len(len)?;
                file.sync_all()?;
            }
        }
        if created && let Some(dir) = path.parent() {
            super::atomic::sync_dir(dir)?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
            len,
        })
    }

    /// Writes `event` as one line and waits until it is on disk.
    pub fn append(&mut self, event: &Event) -> Result<(), StoreError> {
        let mut line = event
            .to_line()
            .map_err(|e| StoreError::encode(&self.path, e))?;
        line.push('\n');
        let result = self
            .file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data());
        match result {
            Ok(()) => {
                self.len += line.len() as u64;
                Ok(())
            }
            Err(e) => {
                // Leave no half line behind for the next append to glue onto.
                // Best effort: the write error is what gets reported, and
                // should the cut fail too, `open` cuts the half line at the
                // next start.
                let _ = self.file.set_len(self.len);
                Err(StoreError::io(&self.path, e))
            }
        }
    }

    /// Bytes in the journal, all of them complete lines.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when nothing has been written yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::CardId;

    #[test]
    fn a_review_line_is_what_the_serialiser_writes() {
        for (at, item) in [
            ("2025-11-27T20:39:24.62Z", "anki-_6f7d62695345415f6a47"),
            ("2026-01-01T00:00:00Z", "a-1:rev"),
            ("2026-03-02T12:00:00.000000001Z", "c.x_y-z:c12"),
            ("1999-12-31T23:59:59.5Z", "h0123456789ab"),
        ] {
            for rating in Rating::ALL {
                for days in [None, Some(0), Some(1), Some(u32::MAX)] {
                    let event = Event::Review {
                        id: 18_446_744_073_709_551_615,
                        at: at.parse().unwrap(),
                        item: item.parse().unwrap(),
                        rating,
                        took_ms: 4_294_967_295,
                        days,
                    };
                    let line = event.to_line().unwrap();
                    assert_eq!(line, ron::to_string(&event).unwrap());
                    assert_eq!(ron::from_str::<Event>(&line).unwrap(), event);
                }
            }
        }
    }

    fn review(id: u64) -> Event {
        Event::Review {
            id,
            at: Timestamp::from_second(1_700_000_000 + id as i64).unwrap(),
            item: ItemId::forward(CardId::new("card-1").unwrap()),
            rating: Rating::Good,
            took_ms: 1234,
            days: None,
        }
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal/dev.ron");
        let mut w = JournalWriter::open(&path).unwrap();
        let events = vec![
            review(1),
            Event::Undo {
                id: 2,
                at: Timestamp::from_second(1_700_000_100).unwrap(),
                undoes: 1,
            },
            Event::Suspend {
                id: 3,
                at: Timestamp::from_second(1_700_000_200).unwrap(),
                item: "c:c2".parse().unwrap(),
                suspended: true,
            },
            Event::Reset {
                id: 4,
                at: Timestamp::from_second(1_700_000_300).unwrap(),
                item: "c:c2".parse().unwrap(),
            },
        ];
        for e in &events {
            w.append(e).unwrap();
        }
        let read = read_journal(&path, 0).unwrap();
        assert_eq!(read.events, events);
        assert!(read.warnings.is_empty());
        assert_eq!(read.end, w.len());
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 4);
        assert!(text.starts_with("Review(id:1,at:\""), "{text}");
        // Reading from an offset gives the tail only.
        let first_len = text.lines().next().unwrap().len() as u64 + 1;
        assert_eq!(read_journal(&path, first_len).unwrap().events, events[1..]);
    }

    /// Old lines (no `days`) still parse; new ones carry it; none is written
    /// when there is none.
    #[test]
    fn review_days_are_optional() {
        let old = r#"Review(id:7,at:"2026-01-10T12:00:00Z",item:"card-1",rating:Good,took_ms:5)"#;
        let Ok(Event::Review { days, .. }) = ron::from_str::<Event>(old) else {
            panic!("old review line does not parse");
        };
        assert_eq!(days, None);
        assert!(!review(1).to_line().unwrap().contains("days"));
        let with = Event::Review {
            id: 8,
            at: Timestamp::from_second(1_700_000_000).unwrap(),
            item: ItemId::forward(CardId::new("card-1").unwrap()),
            rating: Rating::Good,
            took_ms: 5,
            days: Some(12),
        };
        assert!(
            with.to_line().unwrap().ends_with("days:Some(12))"),
            "{}",
            with.to_line().unwrap()
        );
        assert_eq!(
            ron::from_str::<Event>(&with.to_line().unwrap()).unwrap(),
            with
        );
    }

    #[test]
    fn a_journal_written_whole_reads_back_line_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("import-1.ron");
        let events = vec![review(1), review(2)];
        write_journal(&path, &events).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            format!(
                "{}\n{}\n",
                review(1).to_line().unwrap(),
                review(2).to_line().unwrap()
            )
        );
        let read = read_journal(&path, 0).unwrap();
        assert_eq!(read.events, events);
        assert!(read.warnings.is_empty());
    }

    #[test]
    fn torn_last_line_is_ignored_and_cut_before_appending() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dev.ron");
        let mut w = JournalWriter::open(&path).unwrap();
        w.append(&review(1)).unwrap();
        w.append(&review(2)).unwrap();
        drop(w);
        let whole = std::fs::read(&path).unwrap();
        let torn = &whole[..whole.len() - 7];
        std::fs::write(&path, torn).unwrap();
        let read = read_journal(&path, 0).unwrap();
        assert_eq!(read.events, vec![review(1)]);
        assert_eq!(read.warnings.len(), 1);
        assert!(
            read.warnings[0].contains("incomplete"),
            "{:?}",
            read.warnings
        );
        let mut w = JournalWriter::open(&path).unwrap();
        w.append(&review(3)).unwrap();
        let read = read_journal(&path, 0).unwrap();
        assert_eq!(read.events, vec![review(1), review(3)]);
        assert!(read.warnings.is_empty());
    }

    #[test]
    fn bad_middle_line_is_reported_with_its_line() {
        let bytes = format!(
            "{}\nnot an event\n{}\n",
            review(1).to_line().unwrap(),
            review(2).to_line().unwrap()
        );
        let read = parse_journal(bytes.as_bytes(), Path::new("j.ron"), 0);
        assert_eq!(read.events, vec![review(1), review(2)]);
        assert_eq!(read.warnings.len(), 1);
        assert!(
            read.warnings[0].starts_with("j.ron: line 2"),
            "{:?}",
            read.warnings
        );
    }

    #[test]
    fn item9_journal_warnings_name_the_line_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dev.ron");
        let first = format!(
            "{}\n{}\n",
            review(1).to_line().unwrap(),
            review(2).to_line().unwrap()
        );
        let text = format!("{first}not an event\n{}\n", review(3).to_line().unwrap());
        std::fs::write(&path, &text).unwrap();
        let read = read_journal(&path, first.len() as u64).unwrap();
        assert_eq!(read.events, vec![review(3)]);
        assert_eq!(read.warnings.len(), 1, "{:?}", read.warnings);
        assert!(
            read.warnings[0].contains("dev.ron: line 3, column"),
            "{:?}",
            read.warnings
        );
        assert!(
            !read.warnings[0].contains("after byte"),
            "{:?}",
            read.warnings
        );
    }
}
