//! Cards as CSV or TSV: reading a table from a spreadsheet or another app,
//! mapping its columns onto cards, and writing cards back out.
//!
//! Importing takes four steps, each one a function so that a screen can show
//! (and let the user correct) what was guessed:
//!
//! 1. [`sniff`] guesses the delimiter (`,`, tab or `;`) and whether the first
//!    row is a header.
//! 2. [`read_table`] splits the bytes into rows of fields. It rejects a file
//!    that is not UTF-8 as a whole ([`CsvError::Encoding`]); rows with too
//!    few or too many fields are kept as they are.
//! 3. [`guess_mapping`] says which column holds the front, the back, the
//!    tags and so on, from the header names.
//! 4. [`map_rows`] turns each row into a card, or into a [`RowError`] naming
//!    its line.
//!
//! **Nothing half-imported.** [`map_rows`] maps every row it can and reports
//! every row it cannot, so that all the problems in a file are shown at once.
//! A caller must import nothing unless [`Mapped::errors`] is empty: a file
//! with one bad row is fixed and imported again, never imported in part.
//!
//! Re-importing the same file gives the same card ids (from the `id` column,
//! or else derived from the front with [`CardId::derived_from`]), so a card
//! already in a deck is recognised rather than added twice.
//!
//! [`write_table`] writes cards with the header
//! `id,deck,front,back,topic,tags,kind`; reading that output back gives the
//! same cards.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::deck::{Card, CardId, CardKind, cloze_numbers};

/// The delimiters [`sniff`] considers, in order of preference when the
/// evidence is equal: a tab almost never appears in prose, a comma often does.
const DELIMITERS: [u8; 3] = [b'\t', b',', b';'];

/// How many records [`sniff`] looks at.
const SNIFF_RECORDS: usize = 20;

/// Header names that [`sniff`] and [`guess_mapping`] recognise (compared
/// case-insensitively, ignoring surrounding spaces), and the column each names.
const KNOWN_COLUMNS: [(&str, Column); 17] = [
    ("front", Column::Front),
    ("question", Column::Front),
    // Anki's Cloze note type, as its text export's `#columns:` names it.
    ("text", Column::Front),
    ("back", Column::Back),
    ("answer", Column::Back),
    ("back extra", Column::Back),
    ("extra", Column::Back),
    ("tags", Column::Tags),
    ("tag", Column::Tags),
    ("topic", Column::Topic),
    ("deck", Column::Deck),
    ("id", Column::Id),
    ("kind", Column::Kind),
    ("points", Column::Points),
    ("key points", Column::Points),
    ("time_box", Column::TimeBox),
    ("time box", Column::TimeBox),
];

/// The header [`write_table`] writes.
const WRITE_HEADER: [&str; 9] = [
    "id", "deck", "front", "back", "topic", "tags", "kind", "points", "time_box",
];

/// Between a rubric's key points in one CSV field.
pub const POINTS_SEPARATOR: &str = " | ";

/// A UTF-8 byte-order mark, as spreadsheets write at the start of "CSV UTF-8".
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What [`sniff`] guessed about a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sniffed {
    /// The field delimiter: `b','`, `b'\t'` or `b';'`.
    pub delimiter: u8,
    /// Whether the first row names the columns rather than holding a card.
    pub has_header: bool,
}

/// A file that cannot be read as a table at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// The bytes are not UTF-8 (a spreadsheet saved as Latin-1, Windows-1252
    /// or UTF-16, say). Nothing is read.
    #[error(
        "line {line} is not valid UTF-8; the file must be UTF-8 text (in a spreadsheet, save it as \"CSV UTF-8\")"
    )]
    Encoding {
        /// 1-based line holding the first byte that is not UTF-8.
        line: usize,
    },
    /// The CSV reader gave up on the file.
    #[error("line {line}: {message}")]
    Malformed {
        /// 1-based line where the reader stopped.
        line: usize,
        /// What the reader said.
        message: String,
    },
    /// The CSV writer refused a row.
    #[error("the table could not be written: {0}")]
    Write(String),
}

/// Why an export was not written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The table could not be made.
    #[error(transparent)]
    Table(#[from] CsvError),
    /// The file could not be written.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// A file split into rows of fields, before any meaning is given to them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// The column names: the header row as written, the names of an Anki
    /// `#columns:` line, or `Column 1`, `Column 2`, … (as many as the widest
    /// row) when there is neither.
    pub headers: Vec<String>,
    /// The rows after the header, in file order. Blank lines are left out.
    pub rows: Vec<TableRow>,
    /// What the `#` lines at the top of an Anki text export said.
    pub anki: AnkiHeader,
}

/// The file headers Anki's text export writes (and its importer reads) at
/// the top of a file: `#separator:Tab`, `#html:true`, `#columns:…`,
/// `#tags:…`, `#deck:…`, `#notetype:…` and `#<x> column:N` for tags, deck,
/// notetype and guid. Other lines starting with `#` there are comments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnkiHeader {
    /// `#separator:`, as a byte.
    pub separator: Option<u8>,
    /// `#html:true`: fields are HTML, converted to Markdown on import.
    pub html: bool,
    /// `#columns:`: the column names, split on the separator.
    pub columns: Option<Vec<String>>,
    /// `#tags:`: tags added to every card.
    pub tags: Vec<String>,
    /// `#deck:`: the deck for rows that name none.
    pub deck: Option<String>,
    /// `#notetype:`: the note type of rows that name none.
    pub notetype: Option<String>,
    /// `#tags column:`, `#deck column:`, `#notetype column:` and
    /// `#guid column:`: (0-based column, the name it stands for).
    pub named_columns: Vec<(usize, &'static str)>,
    /// How many lines at the top are header and comment lines.
    pub lines: usize,
}

/// Reads the `#` lines at the start of `text` (see [`AnkiHeader`]); returns
/// them and the byte offset where the table starts.
pub fn anki_header(text: &str) -> (AnkiHeader, usize) {
    let mut header = AnkiHeader::default();
    let mut offset = 0;
    let mut raw_columns = None;
    while text[offset..].starts_with('#') {
        let rest = &text[offset..];
        let end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let line = rest[..end].trim_end_matches(['\r', '\n']);
        offset += end;
        header.lines += 1;
        let Some((key, value)) = line[1..].split_once(':') else {
            continue;
        };
        let key = key.trim().to_lowercase();
        match key.as_str() {
            "separator" => header.separator = separator_named(value),
            "html" => header.html = value.trim().eq_ignore_ascii_case("true"),
            "columns" => raw_columns = Some(value.to_string()),
            "tags" => {
                header.tags = value.split_whitespace().map(str::to_string).collect();
            }
            "deck" => header.deck = Some(value.trim().to_string()).filter(|d| !d.is_empty()),
            "notetype" => {
                header.notetype = Some(value.trim().to_string()).filter(|d| !d.is_empty());
            }
            _ => {
                let name = match key.as_str() {
                    "tags column" => "tags",
                    "deck column" => "deck",
                    "notetype column" => "kind",
                    "guid column" => "id",
                    // Anything else is a comment.
                    _ => continue,
                };
                if let Some(n) = value.trim().parse::<usize>().ok().filter(|n| *n > 0) {
                    header.named_columns.push((n - 1, name));
                }
            }
        }
    }
    if let Some(raw) = raw_columns {
        let sep = char::from(header.separator.unwrap_or(b'\t'));
        header.columns = Some(raw.split(sep).map(|c| c.trim().to_string()).collect());
    }
    (header, offset)
}

/// Anki's names for separators (`Tab`, `Comma`, …) or the character itself.
fn separator_named(value: &str) -> Option<u8> {
    let byte = match value.trim().to_lowercase().as_str() {
        "tab" => b'\t',
        "comma" => b',',
        "semicolon" => b';',
        "space" => b' ',
        "pipe" => b'|',
        "colon" => b':',
        _ => {
            // A literal tab would have been trimmed away above.
            let raw = value.trim_end_matches(['\r', '\n']);
            let raw = if raw == "\t" { raw } else { raw.trim() };
            match raw.as_bytes() {
                [b] if b.is_ascii() => *b,
                _ => return None,
            }
        }
    };
    Some(byte)
}

/// One row of a [`Table`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableRow {
    /// 1-based line of the file where the row starts (a quoted field may
    /// carry it over several lines).
    pub line: usize,
    /// The fields exactly as written, quotes removed; as many as the row
    /// has, which need not match the header.
    pub fields: Vec<String>,
}

/// Which column (0-based) of a [`Table`] holds each part of a card.
/// Only the front is required.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnMapping {
    /// The front (question, or cloze text).
    pub front: usize,
    /// The back (answer, or a cloze card's extra note).
    pub back: Option<usize>,
    /// Tags, separated by spaces or commas.
    pub tags: Option<usize>,
    /// The topic, for weak-topic views.
    pub topic: Option<usize>,
    /// The deck's name; when absent or empty the default deck is used.
    pub deck: Option<usize>,
    /// The card id; when absent or empty it is derived from the front.
    pub id: Option<usize>,
    /// `basic`, `reversed`, `cloze` or `rubric`; when absent or empty, `basic`.
    pub kind: Option<usize>,
    /// A rubric's key points, separated by ` | ` (or one per line).
    pub points: Option<usize>,
    /// A rubric's time box, such as `10m`.
    pub time_box: Option<usize>,
}

/// One card read from a row.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportCard {
    /// 1-based line of the file where the row starts.
    pub line: usize,
    /// The name of the deck the card goes into.
    pub deck: String,
    /// The card. `id_pinned` is true when the row gave an id; `source` is
    /// always `None`.
    pub card: Card,
}

/// A row that could not be turned into a card.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RowError {
    /// 1-based line of the file where the row starts.
    pub line: usize,
    /// What is wrong with the row and what was expected.
    pub message: String,
}

/// What [`map_rows`] made of a table.
///
/// Import nothing unless `errors` is empty: the cards are returned so that a
/// preview can show them, not so that the good part of a bad file can be
/// imported.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mapped {
    /// The rows that make good cards, in file order.
    pub cards: Vec<ImportCard>,
    /// Every problem found, in file order (a row may have more than one).
    pub errors: Vec<RowError>,
}

/// A part of a card that a column can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Front,
    Back,
    Tags,
    Topic,
    Deck,
    Id,
    Kind,
    Points,
    TimeBox,
}

impl Column {
    /// How error messages name the column.
    fn name(self) -> &'static str {
        match self {
            Column::Front => "front",
            Column::Back => "back",
            Column::Tags => "tags",
            Column::Topic => "topic",
            Column::Deck => "deck",
            Column::Id => "id",
            Column::Kind => "kind",
            Column::Points => "points",
            Column::TimeBox => "time box",
        }
    }
}

fn known_column(header: &str) -> Option<Column> {
    let header = header.trim().to_lowercase();
    KNOWN_COLUMNS
        .iter()
        .find(|(name, _)| *name == header)
        .map(|(_, column)| *column)
}

/// Where each line of a file starts, to turn byte offsets into line numbers.
/// A line ends at LF, CRLF or a lone CR (old Mac spreadsheets).
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(bytes: &[u8]) -> Self {
        let mut starts = vec![0];
        for (i, b) in bytes.iter().enumerate() {
            let ends_line = *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
            }
        }
        Self { starts }
    }

    /// The 1-based line holding byte `offset`.
    fn line_at(&self, offset: usize) -> usize {
        self.starts.partition_point(|start| *start <= offset)
    }

    /// The 1-based line where a record whose position the CSV reader gave
    /// starts. The reader can report an offset before the line break that
    /// ends the previous record (after a CRLF, or blank lines), so line
    /// breaks there are skipped: no record starts with one.
    fn record_line(&self, bytes: &[u8], position: Option<&::csv::Position>) -> usize {
        let Some(position) = position else {
            return self.starts.len();
        };
        let mut offset = usize::try_from(position.byte()).unwrap_or(usize::MAX);
        while matches!(bytes.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        self.line_at(offset)
    }
}

/// Guesses the delimiter and whether there is a header row.
///
/// The delimiter is the one of `,`, tab and `;` that splits the first
/// records (read with quoting, so a quoted delimiter does not count) into the
/// same number of fields, at least two; a tab wins a tie, then the one giving
/// more fields, then the comma. With no evidence at all it is `,`.
///
/// The first row is taken for a header when most of its cells (or at least
/// two) are known column names (front, back, question, answer, tags, topic,
/// deck, id, kind, in any case), or when it differs in shape from the rows
/// below it: text above a column of numbers, or a different length above a
/// column of values that all have the same length.
///
/// A leading byte-order mark is ignored. This is a guess for a preview; let
/// the user correct it.
pub fn sniff(text: &str) -> Sniffed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (header, start) = anki_header(text);
    let text = &text[start..];
    if let Some(delimiter) = header.separator {
        return Sniffed {
            delimiter,
            has_header: header.columns.is_none() && looks_like_header(&sample(text, delimiter)),
        };
    }
    let mut best: Option<(f64, bool, usize, bool, u8)> = None;
    for delimiter in DELIMITERS {
        let counts: Vec<usize> = sample(text, delimiter).iter().map(Vec::len).collect();
        let Some(modal) = modal_count(&counts) else {
            continue;
        };
        if modal < 2 {
            continue;
        }
        let agreeing = counts.iter().filter(|c| **c == modal).count();
        let consistency = agreeing as f64 / counts.len() as f64;
        let key = (
            consistency,
            delimiter == b'\t',
            modal,
            delimiter == b',',
            delimiter,
        );
        let better = match &best {
            None => true,
            Some(b) => (key.0, key.1, key.2, key.3) > (b.0, b.1, b.2, b.3),
        };
        if better {
            best = Some(key);
        }
    }
    let delimiter = best.map_or(b',', |b| b.4);
    let records = sample(text, delimiter);
    Sniffed {
        delimiter,
        has_header: header.columns.is_none() && looks_like_header(&records),
    }
}

/// The first records of `text`, split on `delimiter`.
fn sample(text: &str, delimiter: u8) -> Vec<Vec<String>> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    reader
        .records()
        .take(SNIFF_RECORDS)
        .map_while(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect()
}

/// The most common value; the larger one on a tie.
fn modal_count(counts: &[usize]) -> Option<usize> {
    let mut tally: HashMap<usize, usize> = HashMap::new();
    for c in counts {
        *tally.entry(*c).or_default() += 1;
    }
    tally
        .into_iter()
        .max_by_key(|(count, times)| (*times, *count))
        .map(|(count, _)| count)
}

fn looks_like_header(records: &[Vec<String>]) -> bool {
    let Some((first, rest)) = records.split_first() else {
        return false;
    };
    let non_empty = first.iter().filter(|c| !c.trim().is_empty()).count();
    let known = first.iter().filter(|c| known_column(c).is_some()).count();
    if known >= 2 || (known > 0 && known * 2 > non_empty) {
        return true;
    }
    let mut votes = 0i32;
    for (i, head) in first.iter().enumerate() {
        let head = head.trim();
        let column: Vec<&str> = rest
            .iter()
            .filter_map(|r| r.get(i))
            .map(|c| c.trim())
            .collect();
        if column.is_empty() || head.is_empty() {
            continue;
        }
        if column.iter().all(|c| is_number(c)) {
            votes += if is_number(head) { -1 } else { 1 };
        } else if column.len() >= 3 {
            let len = column[0].chars().count();
            if len > 0 && column.iter().all(|c| c.chars().count() == len) {
                votes += if head.chars().count() == len { -1 } else { 1 };
            }
        }
    }
    votes > 0
}

fn is_number(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit()) && s.parse::<f64>().is_ok()
}

/// Splits `bytes` into a [`Table`].
///
/// A leading UTF-8 byte-order mark is skipped. Bytes that are not UTF-8 reject
/// the whole file with [`CsvError::Encoding`], naming the first bad line.
/// Fields may be quoted with `"`; a quoted field may hold the delimiter,
/// newlines and doubled quotes (`""` for `"`). Fields are kept exactly as
/// written (no trimming). Lines may end in LF, CRLF or CR; blank lines are
/// skipped. Rows may have any number of fields: [`map_rows`] reports the
/// ones that do not fit.
///
/// With `has_header`, the first row gives [`Table::headers`]; otherwise the
/// headers are `Column 1`, `Column 2`, … as many as the widest row.
pub fn read_table(bytes: &[u8], delimiter: u8, has_header: bool) -> Result<Table, CsvError> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let lines = Lines::new(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return Err(CsvError::Encoding {
                line: lines.line_at(e.valid_up_to()),
            });
        }
    };
    let (anki, start) = anki_header(text);
    let body = &bytes[start..];
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| CsvError::Malformed {
            line: lines.record_line(bytes, e.position().map(|p| shifted(p, start)).as_ref()),
            message: e.to_string(),
        })?;
        rows.push(TableRow {
            line: lines.record_line(bytes, record.position().map(|p| shifted(p, start)).as_ref()),
            // A line break inside a quoted field of a Windows file is CRLF;
            // cards keep plain LF, as the deck files do.
            fields: record.iter().map(normalise_breaks).collect(),
        });
    }
    let mut headers = if has_header && !rows.is_empty() {
        rows.remove(0).fields
    } else if let Some(columns) = &anki.columns {
        columns.clone()
    } else {
        let width = rows.iter().map(|r| r.fields.len()).max().unwrap_or(0);
        (1..=width).map(|i| format!("Column {i}")).collect()
    };
    for (index, name) in &anki.named_columns {
        if *index >= headers.len() {
            headers.resize_with(index + 1, String::new);
        }
        headers[*index] = (*name).to_string();
    }
    // Anki's guids become the ids its packages give the same notes, so the
    // text export and the package of one collection import as the same cards.
    if let Some((guid, _)) = anki.named_columns.iter().find(|(_, n)| *n == "id") {
        for row in &mut rows {
            if let Some(field) = row.fields.get_mut(*guid)
                && !field.trim().is_empty()
            {
                *field = super::anki::card_id_for_guid(field.trim()).to_string();
            }
        }
    }
    Ok(Table {
        headers,
        rows,
        anki,
    })
}

/// A record position in the body as a position in the whole file.
fn shifted(position: &::csv::Position, by: usize) -> ::csv::Position {
    let mut p = position.clone();
    p.set_byte(position.byte() + by as u64);
    p
}

/// CRLF and lone CR as LF.
fn normalise_breaks(field: &str) -> String {
    if field.contains('\r') {
        field.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        field.to_string()
    }
}

/// Guesses which column holds what from the header names.
///
/// Recognised names, in any case: `front` or `question`, `back` or `answer`,
/// `tags` (or `tag`), `topic`, `deck`, `id`, `kind`; the first column with a
/// name wins. When no column is named as the front, the front is the first
/// column not named as something else, and, if no back is named either, the
/// back is the next such column.
pub fn guess_mapping(headers: &[String]) -> ColumnMapping {
    let named: Vec<Option<Column>> = headers.iter().map(|h| known_column(h)).collect();
    let find = |wanted: Column| named.iter().position(|c| *c == Some(wanted));
    let mut unnamed = (0..headers.len()).filter(|i| named[*i].is_none());
    let (front, back) = match (find(Column::Front), find(Column::Back)) {
        (Some(front), back) => (front, back),
        (None, Some(back)) => (unnamed.next().unwrap_or(0), Some(back)),
        (None, None) => (unnamed.next().unwrap_or(0), unnamed.next()),
    };
    ColumnMapping {
        front,
        back,
        tags: find(Column::Tags),
        topic: find(Column::Topic),
        deck: find(Column::Deck),
        id: find(Column::Id),
        kind: find(Column::Kind),
        points: find(Column::Points),
        time_box: find(Column::TimeBox),
    }
}

/// Turns the rows of `table` into cards, reporting every row that cannot be
/// one.
///
/// Per row: the front must be there and not blank. A row with fewer fields
/// than a mapped column needs is an error naming the missing columns; a row
/// with more fields than the header is an error when an extra field is not
/// empty (an unquoted delimiter, most likely). Rows whose fields are all
/// blank (a spreadsheet's empty lines) are skipped.
///
/// - `kind`: `basic`, `reversed` or `cloze`, in any case; empty means basic.
///   A cloze card needs a `{{c1::...}}` deletion in its front; a basic or
///   reversed card needs a back that is not blank.
/// - `id`: the id column's value when it is there and not empty (an invalid
///   id is an error); otherwise [`CardId::derived_from`] the front, so
///   reading the same file again gives the same ids. An id used by an
///   earlier row of the file is an error on the later row.
/// - `tags`: split on whitespace and commas.
/// - `topic` and `deck` are trimmed; an empty or unmapped deck is
///   `default_deck`.
/// - `front` and `back` are kept exactly as written.
///
/// **Import nothing unless [`Mapped::errors`] is empty.** The good rows are
/// mapped even when others fail only so that all problems (and a preview)
/// can be shown at once.
pub fn map_rows(table: &Table, mapping: &ColumnMapping, default_deck: &str) -> Mapped {
    let mut out = Mapped::default();
    let default_deck = table.anki.deck.as_deref().unwrap_or(default_deck);
    let default_kind = table
        .anki
        .notetype
        .as_deref()
        .and_then(kind_named)
        .unwrap_or_default();
    unmapped_unlabelled_columns(table, mapping, &mut out.errors);
    // Each id seen so far: the line it was on and whether it was derived.
    let mut seen: HashMap<CardId, (usize, bool)> = HashMap::new();
    for row in &table.rows {
        if row.fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut error = |message: String| {
            out.errors.push(RowError {
                line: row.line,
                message,
            })
        };
        let card = match map_row(
            row,
            mapping,
            table.headers.len(),
            default_deck,
            default_kind,
        ) {
            Ok(mut card) => {
                apply_anki_header(&mut card.card, &table.anki);
                card
            }
            Err(messages) => {
                messages.into_iter().for_each(&mut error);
                continue;
            }
        };
        let derived = !card.card.id_pinned;
        if let Some((first, first_derived)) = seen.get(&card.card.id) {
            error(if derived && *first_derived {
                format!(
                    "the front is the same as on line {first}, so both cards get the id `{}`; \
                     give them ids in an id column or make the fronts differ",
                    card.card.id
                )
            } else {
                format!("the id `{}` is already used on line {first}", card.card.id)
            });
            continue;
        }
        seen.insert(card.card.id.clone(), (row.line, derived));
        out.cards.push(card);
    }
    out
}

/// A column without a name that nothing is mapped to would be dropped
/// without a word: each one holding text is an error, on the first row that
/// has some.
fn unmapped_unlabelled_columns(table: &Table, mapping: &ColumnMapping, errors: &mut Vec<RowError>) {
    let mapped = [
        Some(mapping.front),
        mapping.back,
        mapping.tags,
        mapping.topic,
        mapping.deck,
        mapping.id,
        mapping.kind,
    ];
    for column in 0..table.headers.len() {
        // Fields past the header's width are reported row by row already.
        if mapped.contains(&Some(column)) || column >= table.headers.len() {
            continue;
        }
        let header = &table.headers[column];
        let unlabelled = header.trim().is_empty() || *header == format!("Column {}", column + 1);
        if !unlabelled {
            continue;
        }
        if let Some(row) = table
            .rows
            .iter()
            .find(|r| r.fields.get(column).is_some_and(|f| !f.trim().is_empty()))
        {
            errors.push(RowError {
                line: row.line,
                message: format!(
                    "column {} has no name and is not mapped to anything, so its text would be lost; \
                     name the columns in a header row (front, back, tags, topic, deck, id, kind) \
                     or map it to a part of the card",
                    column + 1
                ),
            });
        }
    }
    errors.sort_by_key(|e| e.line);
}

/// What an Anki text export's header says about every card.
fn apply_anki_header(card: &mut Card, header: &AnkiHeader) {
    if header.html {
        card.front = super::anki::html_to_markdown(&card.front);
        card.back = super::anki::html_to_markdown(&card.back);
    }
    for tag in &header.tags {
        if !card.tags.contains(tag) {
            card.tags.push(tag.clone());
        }
    }
}

/// A card kind from its name: Rehearse's, or an Anki note type's.
fn kind_named(text: &str) -> Option<CardKind> {
    match text.trim().to_lowercase().as_str() {
        "basic" | "basic (type in the answer)" | "basic (optional reversed card)" => {
            Some(CardKind::Basic)
        }
        "reversed" | "basic (and reversed card)" => Some(CardKind::Reversed),
        "cloze" => Some(CardKind::Cloze),
        "rubric" => Some(CardKind::Rubric),
        _ => None,
    }
}

/// One row as a card, or everything wrong with it.
fn map_row(
    row: &TableRow,
    mapping: &ColumnMapping,
    width: usize,
    default_deck: &str,
    default_kind: CardKind,
) -> Result<ImportCard, Vec<String>> {
    let fields = &row.fields;
    if let Some(message) = missing_fields(fields, mapping) {
        return Err(vec![message]);
    }
    let mut problems = Vec::new();
    if width > 0
        && fields[width.min(fields.len())..]
            .iter()
            .any(|f| !f.is_empty())
    {
        problems.push(format!(
            "the row has {} fields but the header has {width}; a field that contains the delimiter must be in double quotes",
            fields.len()
        ));
    }
    let get = |index: Option<usize>| index.and_then(|i| fields.get(i)).map(String::as_str);
    let front = fields[mapping.front].as_str();
    let back = get(mapping.back).unwrap_or("");
    if front.trim().is_empty() {
        problems.push(format!("the front (column {}) is empty", mapping.front + 1));
    }
    let kind = match row_kind(get(mapping.kind), default_kind, mapping) {
        Ok(kind) => Some(kind),
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    problems.extend(kind_problem(kind, front, back, mapping));
    let id = match row_id(get(mapping.id), front, mapping) {
        Ok(id) => Some(id),
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let rubric = rubric_fields(get(mapping.points), get(mapping.time_box), kind, mapping)
        .unwrap_or_else(|p| {
            problems.extend(p);
            crate::deck::Rubric::default()
        });
    let (Some(kind), Some((id, id_pinned)), true) = (kind, id, problems.is_empty()) else {
        return Err(problems);
    };
    let deck = get(mapping.deck)
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(default_deck);
    Ok(ImportCard {
        line: row.line,
        deck: deck.to_string(),
        card: Card {
            id,
            id_pinned,
            kind,
            front: front.to_string(),
            back: back.to_string(),
            topic: get(mapping.topic).unwrap_or("").trim().to_string(),
            tags: split_tags(get(mapping.tags).unwrap_or("")),
            source: None,
            rubric,
            modified: None,
            added: None,
        },
    })
}

/// When a row is too short for the mapped columns: which are missing, in
/// column order, in one message (nothing else about such a row can be
/// checked).
fn missing_fields(fields: &[String], mapping: &ColumnMapping) -> Option<String> {
    let columns = [
        (Column::Front, Some(mapping.front)),
        (Column::Back, mapping.back),
        (Column::Tags, mapping.tags),
        (Column::Topic, mapping.topic),
        (Column::Deck, mapping.deck),
        (Column::Id, mapping.id),
        (Column::Kind, mapping.kind),
        (Column::Points, mapping.points),
        (Column::TimeBox, mapping.time_box),
    ];
    let mut missing: Vec<(usize, Column)> = columns
        .iter()
        .filter_map(|(column, index)| index.filter(|i| *i >= fields.len()).map(|i| (i, *column)))
        .collect();
    if missing.is_empty() {
        return None;
    }
    missing.sort_by_key(|(i, _)| *i);
    let names: Vec<String> = missing
        .iter()
        .map(|(i, column)| format!("the {} (column {})", column.name(), i + 1))
        .collect();
    let (verb, fields_word) = (
        if names.len() == 1 { "is" } else { "are" },
        if fields.len() == 1 { "field" } else { "fields" },
    );
    Some(format!(
        "the row has only {} {fields_word}, so {} {verb} missing",
        fields.len(),
        join_and(&names)
    ))
}

/// The card kind a row's kind field names: `default_kind` when it is empty
/// or unmapped; an unknown name is the problem to report.
fn row_kind(
    field: Option<&str>,
    default_kind: CardKind,
    mapping: &ColumnMapping,
) -> Result<CardKind, String> {
    match field.map(str::trim).unwrap_or("") {
        "" => Ok(default_kind),
        text => kind_named(text).ok_or_else(|| {
            format!(
                "the kind (column {}) is `{text}`; expected basic, reversed, cloze or rubric",
                mapping.kind.map_or(0, |i| i + 1)
            )
        }),
    }
}

/// What a card of `kind` lacks: a cloze card a deletion in its front (an
/// empty front is reported already), a basic or reversed card a back.
fn kind_problem(
    kind: Option<CardKind>,
    front: &str,
    back: &str,
    mapping: &ColumnMapping,
) -> Option<String> {
    match kind {
        Some(CardKind::Cloze) if !front.trim().is_empty() && cloze_numbers(front).is_empty() => {
            Some(format!(
                "a cloze card needs at least one `{{{{c1::...}}}}` deletion in its front (column {})",
                mapping.front + 1
            ))
        }
        Some(kind @ (CardKind::Basic | CardKind::Reversed)) if back.trim().is_empty() => {
            let kind = if kind == CardKind::Basic {
                "basic"
            } else {
                "reversed"
            };
            Some(match mapping.back {
                Some(i) => format!(
                    "the back (column {}) is empty; a {kind} card needs one",
                    i + 1
                ),
                None => format!("no column is the back; a {kind} card needs one"),
            })
        }
        _ => None,
    }
}

/// A row's card id and whether the file gave it: the id field's when it is
/// there and not blank, otherwise derived from the front so reading the
/// file again gives the same id; an invalid id is the problem to report.
fn row_id(
    field: Option<&str>,
    front: &str,
    mapping: &ColumnMapping,
) -> Result<(CardId, bool), String> {
    match field.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => match CardId::new(text) {
            Ok(id) => Ok((id, true)),
            Err(message) => Err(format!(
                "the id (column {}) is not valid: {message}",
                mapping.id.map_or(0, |i| i + 1)
            )),
        },
        None => Ok((CardId::derived_from(front), false)),
    }
}

/// Tags from a tags field: spreadsheets separate them with spaces or
/// commas.
fn split_tags(field: &str) -> Vec<String> {
    field
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// A rubric's points and time box from their fields: ` | ` or line breaks
/// between points; for other kinds both must be empty.
fn rubric_fields(
    points: Option<&str>,
    time_box: Option<&str>,
    kind: Option<CardKind>,
    mapping: &ColumnMapping,
) -> Result<crate::deck::Rubric, Vec<String>> {
    let column = |i: Option<usize>| i.map_or(0, |i| i + 1);
    let points: Vec<String> = points
        .unwrap_or("")
        .split(['\n', '|'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    let boxed = time_box.map(str::trim).filter(|t| !t.is_empty());
    let mut problems = Vec::new();
    if kind != Some(CardKind::Rubric) {
        if kind.is_some() && (!points.is_empty() || boxed.is_some()) {
            problems.push(format!(
                "points (column {}) and a time box (column {}) belong to rubric cards; set the kind to rubric or leave them empty",
                column(mapping.points),
                column(mapping.time_box)
            ));
        }
        return if problems.is_empty() {
            Ok(crate::deck::Rubric::default())
        } else {
            Err(problems)
        };
    }
    if points.len() < crate::deck::RUBRIC_MIN_POINTS {
        problems.push(format!(
            "a rubric card needs at least {} key points in column {}, separated by ` | `; found {}",
            crate::deck::RUBRIC_MIN_POINTS,
            column(mapping.points),
            points.len()
        ));
    }
    let time_box = match boxed.map(str::parse::<crate::schedule::Step>) {
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            problems.push(format!(
                "the time box (column {}): {e}",
                column(mapping.time_box)
            ));
            None
        }
        None => None,
    };
    if problems.is_empty() {
        Ok(crate::deck::Rubric { points, time_box })
    } else {
        Err(problems)
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => {
            let mut s = init.join(", ");
            // Formatting into a String cannot fail.
            let _ = write!(s, " and {last}");
            s
        }
    }
}

/// Writes `cards` to `path` as a table (see [`write_table`]), atomically.
pub fn export_to_path(
    cards: &[(&str, &Card)],
    delimiter: u8,
    path: &std::path::Path,
) -> Result<(), ExportError> {
    let text = write_table(cards, delimiter)?;
    crate::store::write_atomic(path, text.as_bytes())
        .map_err(|e| crate::store::StoreError::io(path, e))?;
    Ok(())
}

/// Writes cards as a table with the header `id,deck,front,back,topic,tags,kind`,
/// one row per card, `delimiter` between fields (`b','` for CSV, `b'\t'` for
/// TSV). Tags are separated by spaces; the kind is `basic`, `reversed` or
/// `cloze`. Fields are quoted when they contain the delimiter, a quote or a
/// line break.
///
/// Reading the result with [`read_table`] (with a header), [`guess_mapping`]
/// and [`map_rows`] gives back every card exactly, deck names included, with
/// three exceptions: every id comes back pinned (the file names it), `source`
/// is not written, and a tag containing a space or a comma comes back split.
/// (Topics and deck names are trimmed on reading, as deck files trim topics.)
pub fn write_table(cards: &[(&str, &Card)], delimiter: u8) -> Result<String, CsvError> {
    let mut writer = ::csv::WriterBuilder::new()
        .delimiter(delimiter)
        .quote_style(::csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    // The rubric columns only when a rubric card is among them, so plain
    // exports stay as they were.
    let width = if cards.iter().any(|(_, c)| c.kind == CardKind::Rubric) {
        WRITE_HEADER.len()
    } else {
        WRITE_HEADER.len() - 2
    };
    let failed = |e: ::csv::Error| CsvError::Write(e.to_string());
    writer
        .write_record(&WRITE_HEADER[..width])
        .map_err(failed)?;
    for (deck, card) in cards {
        let kind = match card.kind {
            CardKind::Basic => "basic",
            CardKind::Reversed => "reversed",
            CardKind::Cloze => "cloze",
            CardKind::Rubric => "rubric",
        };
        let time_box = card
            .rubric
            .time_box
            .map(|t| t.to_string())
            .unwrap_or_default();
        let points = card.rubric.points.join(POINTS_SEPARATOR);
        let record = [
            card.id.as_str(),
            deck,
            &card.front,
            &card.back,
            &card.topic,
            &card.tags.join(" "),
            kind,
            &points,
            &time_box,
        ];
        writer.write_record(&record[..width]).map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| CsvError::Write(e.error().to_string()))?;
    // Only `&str`s went in, so the bytes are UTF-8; checked all the same.
    String::from_utf8(bytes).map_err(|e| CsvError::Write(e.to_string()))
}
