//! Importing a review log in the CSV layout the FSRS tools use
//! (`card_id,review_rating,review_time,review_duration[,review_state]`), as
//! exported by other spaced-repetition apps.
//!
//! A file whose header lacks a required column is rejected as a whole; a row
//! that cannot be read is reported with its line number and the rest of the
//! file is still imported.

use std::fmt;

use jiff::Timestamp;

use crate::schedule::Rating;

/// The columns a review log must have, by header name.
pub const REQUIRED_COLUMNS: [&str; 4] =
    ["card_id", "review_rating", "review_time", "review_duration"];

/// One review read from a log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedReview {
    /// The card, as numbered by the app the log came from.
    pub card_id: i64,
    /// The button pressed.
    pub rating: Rating,
    /// When the card was answered.
    pub at: Timestamp,
    /// Milliseconds spent on the card.
    pub duration_ms: u32,
}

/// A row that could not be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line of the file where the row starts.
    pub line: usize,
    /// What was wrong and what was expected.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// What importing a review log produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RevlogImport {
    /// The reviews, sorted by card and then time.
    pub reviews: Vec<ImportedReview>,
    /// Rows that could not be read, in file order.
    pub row_errors: Vec<RowError>,
    /// Rows left out on purpose: rating 0 or a manual (rescheduling) entry,
    /// which record no answer.
    pub skipped: usize,
}

/// Why a whole review log was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RevlogError {
    /// There is no header line.
    #[error(
        "the review log is empty; expected a header line naming the columns card_id, review_rating, review_time and review_duration"
    )]
    Empty,
    /// The header line cannot be read.
    #[error("the header line of the review log cannot be read: {0}")]
    BadHeader(String),
    /// A required column is not in the header.
    #[error("the review log has no `{column}` column (the header names: {found})")]
    MissingColumn {
        /// The column that is missing.
        column: &'static str,
        /// The header's column names, comma-separated.
        found: String,
    },
    /// A column is named twice, so which one to read is unclear.
    #[error("the review log names the column `{0}` twice")]
    DuplicateColumn(String),
}

/// The numeric `review_state` of a manual entry (Anki's revlog type 4,
/// "Manual"/"Rescheduled", shifted by one as the FSRS optimiser's export does:
/// 0 New, 1 Learning, 2 Review, 3 Relearning, 4 Filtered, 5 Manual).
const MANUAL_STATE: &str = "5";

/// Reads a review log in the FSRS tools' CSV layout.
///
/// Required columns, found by header name in any order: `card_id` (integer),
/// `review_rating` (1 Again … 4 Easy; 0 marks a manual entry and is skipped),
/// `review_time` (ISO 8601 with an offset, such as
/// `2024-03-29T20:32:32.250000+00:00`, or integer epoch milliseconds) and
/// `review_duration` (milliseconds). An optional `review_state` column is
/// only used to skip manual (rescheduling) entries: state `5`, `manual` or
/// `rescheduled`. Other columns are ignored. Fields may be quoted (`"…"`,
/// with `""` for a quote), a UTF-8 byte-order mark is tolerated and lines
/// may end in CRLF.
///
/// Rows that cannot be read are listed in [`RevlogImport::row_errors`] with
/// their line number and the column at fault; the rest are returned sorted
/// by (card, time).
pub fn parse_revlog_csv(text: &str) -> Result<RevlogImport, RevlogError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = records(text).filter(|r| !r.is_blank());
    let header = records.next().ok_or(RevlogError::Empty)?;
    if let Some(problem) = header.problem {
        return Err(RevlogError::BadHeader(problem));
    }
    let columns = Columns::find(&header.fields)?;

    let mut out = RevlogImport::default();
    for record in records {
        match read_row(&record, &columns) {
            Row::Review(review) => out.reviews.push(review),
            Row::Skipped => out.skipped += 1,
            Row::Error(message) => out.row_errors.push(RowError {
                line: record.line,
                message,
            }),
        }
    }
    out.reviews.sort_by_key(|r| (r.card_id, r.at));
    Ok(out)
}

/// Where the columns are in each row.
struct Columns {
    /// Indices of [`REQUIRED_COLUMNS`], in that order.
    required: [usize; 4],
    state: Option<usize>,
    names: Vec<String>,
}

impl Columns {
    fn find(header: &[String]) -> Result<Self, RevlogError> {
        let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
        for (i, name) in names.iter().enumerate() {
            if !name.is_empty() && names[..i].contains(name) {
                return Err(RevlogError::DuplicateColumn(name.clone()));
            }
        }
        let index = |column: &str| names.iter().position(|n| n == column);
        let mut required = [0; 4];
        for (slot, column) in required.iter_mut().zip(REQUIRED_COLUMNS) {
            *slot = index(column).ok_or_else(|| RevlogError::MissingColumn {
                column,
                found: names.join(", "),
            })?;
        }
        Ok(Self {
            required,
            state: index("review_state"),
            names,
        })
    }
}

enum Row {
    Review(ImportedReview),
    Skipped,
    Error(String),
}

/// One row of the review log: an answer, a row left out on purpose, or
/// everything wrong with it.
fn read_row(record: &Record, columns: &Columns) -> Row {
    if let Some(problem) = &record.problem {
        return Row::Error(problem.clone());
    }
    let fields = &record.fields;
    if let Some(problem) = field_count_problem(fields.len(), &columns.names) {
        return Row::Error(problem);
    }
    let field = |i: usize| fields[i].trim();
    let [card_col, rating_col, time_col, duration_col] = columns.required;
    if let Some(state) = columns.state.map(field) {
        let state = state.to_lowercase();
        if state == MANUAL_STATE || state == "manual" || state == "rescheduled" {
            return Row::Skipped;
        }
    }
    // Rating 0 marks a manual entry, not an answer; it is left out whatever
    // else the row holds.
    if field(rating_col) == "0" {
        return Row::Skipped;
    }
    let mut problems = Vec::new();
    let rating = noted(
        required(
            field(rating_col),
            "review_rating is empty; expected 1–4",
            |s| s.parse::<u32>().ok().and_then(Rating::from_number),
            |s| format!("review_rating must be 1–4, found `{s}`"),
        ),
        &mut problems,
    );
    let card_id = noted(
        required(
            field(card_col),
            "card_id is empty; expected an integer",
            |s| s.parse::<i64>().ok(),
            |s| format!("card_id must be an integer, found `{s}`"),
        ),
        &mut problems,
    );
    let at = noted(
        required(
            field(time_col),
            "review_time is empty; expected ISO 8601 with an offset or epoch milliseconds",
            parse_time,
            |s| {
                format!(
                    "review_time must be ISO 8601 with an offset (such as 2024-03-29T20:32:32.250+00:00) or epoch milliseconds, found `{s}`"
                )
            },
        ),
        &mut problems,
    );
    let duration_ms = noted(
        required(
            field(duration_col),
            "review_duration is empty; expected milliseconds",
            parse_duration,
            |s| format!("review_duration must be a number of milliseconds ≥ 0, found `{s}`"),
        ),
        &mut problems,
    );
    match (card_id, rating, at, duration_ms) {
        (Some(card_id), Some(rating), Some(at), Some(duration_ms)) if problems.is_empty() => {
            Row::Review(ImportedReview {
                card_id,
                rating,
                at,
                duration_ms,
            })
        }
        _ => Row::Error(problems.join("; ")),
    }
}

/// What is wrong when a row has not as many fields as the header has
/// columns (`names`): the first missing column, or that a comma was
/// probably not quoted.
fn field_count_problem(found: usize, names: &[String]) -> Option<String> {
    let expected = names.len();
    if found < expected {
        let missing = &names[found];
        return Some(format!(
            "{missing} is missing: expected {expected} fields as in the header, found {found}"
        ));
    }
    if found > expected {
        return Some(format!(
            "expected {expected} fields as in the header, found {found}; a value containing a comma must be quoted"
        ));
    }
    None
}

/// A required field's value from its `text`, or what is wrong with it: the
/// `empty` message, or `invalid`'s when `parse` cannot read it.
fn required<T>(
    text: &str,
    empty: &str,
    parse: impl FnOnce(&str) -> Option<T>,
    invalid: impl FnOnce(&str) -> String,
) -> Result<T, String> {
    if text.is_empty() {
        return Err(empty.to_string());
    }
    parse(text).ok_or_else(|| invalid(text))
}

/// The value, or nothing with its problem noted: every problem of a row is
/// reported together.
fn noted<T>(value: Result<T, String>, problems: &mut Vec<String>) -> Option<T> {
    match value {
        Ok(value) => Some(value),
        Err(problem) => {
            problems.push(problem);
            None
        }
    }
}

/// ISO 8601 with an offset, or integer epoch milliseconds.
fn parse_time(s: &str) -> Option<Timestamp> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let ms = s.parse::<i64>().ok()?;
        return Timestamp::from_millisecond(ms).ok();
    }
    s.parse::<Timestamp>().ok()
}

/// Whole or fractional milliseconds, rounded; very long durations saturate.
fn parse_duration(s: &str) -> Option<u32> {
    if let Ok(ms) = s.parse::<u64>() {
        return Some(u32::try_from(ms).unwrap_or(u32::MAX));
    }
    let ms = s
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)?;
    // `as` saturates at u32::MAX.
    Some(ms.round() as u32)
}

/// One CSV record: its fields and the line it starts on.
struct Record {
    line: usize,
    fields: Vec<String>,
    /// Why the record could not be split into fields properly.
    problem: Option<String>,
}

impl Record {
    fn is_blank(&self) -> bool {
        self.problem.is_none() && self.fields.iter().all(|f| f.trim().is_empty())
    }
}

/// Splits CSV text into records with the `csv` crate (RFC 4180: `"` quotes,
/// `""` inside quotes, line breaks allowed inside quotes, LF or CRLF), each
/// with the line it starts on. The crate reads malformed quoting leniently;
/// [`quoting_problem`] finds it so that such a row is reported, not
/// imported as whatever it happened to read as.
fn records(text: &str) -> impl Iterator<Item = Record> + '_ {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines = LineCounter::default();
    let mut record = ::csv::StringRecord::new();
    std::iter::from_fn(move || {
        let start = reader.position().byte() as usize;
        let read = reader.read_record(&mut record);
        let end = reader.position().byte() as usize;
        let from = record
            .position()
            .map_or(start, |p| p.byte() as usize)
            .min(text.len());
        let line = lines.line_at(text, from);
        match read {
            Ok(false) => None,
            Ok(true) => Some(Record {
                line,
                fields: record.iter().map(str::to_string).collect(),
                problem: text
                    .get(from..end.min(text.len()))
                    .and_then(quoting_problem),
            }),
            // The text is UTF-8 and read from memory, so this is not
            // expected; should it happen, the row says why.
            Err(e) => Some(Record {
                line,
                fields: Vec::new(),
                problem: Some(e.to_string()),
            }),
        }
    })
}

/// The 1-based line of a byte offset, counted on as offsets grow.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: usize,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, offset: usize) -> usize {
        if offset < self.offset {
            *self = Self::default();
        }
        self.line += text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line + 1
    }
}

/// What is wrong with the quoting of one raw record, if anything: a quoted
/// field that is never closed, or text after a field's closing quote; the
/// column (1-based) is named.
fn quoting_problem(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut pos = 0;
    for column in 1.. {
        if bytes.get(pos) == Some(&b'"') {
            // Find the closing quote; `""` is a quote inside the field.
            pos += 1;
            loop {
                match bytes[pos..].iter().position(|&b| b == b'"') {
                    None => {
                        return Some(format!(
                            "column {column}: a quoted field is not closed by a `\"`"
                        ));
                    }
                    Some(q) if bytes.get(pos + q + 1) == Some(&b'"') => pos += q + 2,
                    Some(q) => {
                        pos += q + 1;
                        break;
                    }
                }
            }
            let end = field_end(bytes, pos);
            let extra = raw[pos..end].trim();
            if !extra.is_empty() {
                return Some(format!(
                    "column {column}: unexpected `{extra}` after a closing quote"
                ));
            }
            pos = end;
        } else {
            pos = field_end(bytes, pos);
        }
        match bytes.get(pos) {
            Some(b',') => pos += 1,
            _ => return None,
        }
    }
    None
}

/// Where a field starting at `from` ends: the next `,` or line break.
fn field_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| matches!(b, b',' | b'\n' | b'\r'))
        .map_or(bytes.len(), |i| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "card_id,review_rating,review_time,review_duration\n";

    fn parse(body: &str) -> RevlogImport {
        parse_revlog_csv(&format!("{HEADER}{body}")).unwrap()
    }

    #[test]
    fn reads_rows_and_sorts_by_card_then_time() {
        let out = parse(
            "2,3,2024-03-30T10:00:00+00:00,1000\n\
             1,1,2024-03-31T10:00:00.5+02:00,2500\n\
             1,4,1711792800000,0\n",
        );
        assert!(out.row_errors.is_empty(), "{:?}", out.row_errors);
        let ids: Vec<(i64, Rating)> = out.reviews.iter().map(|r| (r.card_id, r.rating)).collect();
        assert_eq!(
            ids,
            [(1, Rating::Easy), (1, Rating::Again), (2, Rating::Good)]
        );
        assert_eq!(
            out.reviews[0].at,
            Timestamp::from_millisecond(1_711_792_800_000).unwrap()
        );
        assert_eq!(
            out.reviews[1].at,
            "2024-03-31T08:00:00.5Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(out.reviews[1].duration_ms, 2500);
    }

    #[test]
    fn quoted_fields_may_hold_commas_quotes_and_line_breaks() {
        let text = "\"note, with comma\",card_id,review_rating,review_time,review_duration\n\
                    \"a \"\"b\"\", c\",\"7\",3,1711792800000,\"10\"\r\n\
                    \"multi\nline\",8,3,1711792800000,10\n\
                    x,\"9,1\",3,1711792800000,10\n";
        let out = parse_revlog_csv(text).unwrap();
        assert_eq!(out.reviews.len(), 2);
        assert_eq!(out.reviews[0].card_id, 7);
        assert_eq!(out.reviews[1].card_id, 8);
        assert_eq!(out.row_errors.len(), 1);
        assert_eq!(out.row_errors[0].line, 5, "the multi-line field counts");
        assert!(out.row_errors[0].message.contains("`9,1`"));
    }

    #[test]
    fn unclosed_quote_and_text_after_quote_are_row_errors() {
        let out = parse("\"1\"x,3,1711792800000,10\n2,3,1711792800000,\"10\n");
        assert!(out.reviews.is_empty());
        let lines: Vec<usize> = out.row_errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3]);
        assert!(out.row_errors[0].message.contains("after a closing quote"));
        assert!(out.row_errors[1].message.contains("not closed"));
        assert_eq!(
            out.row_errors[0].to_string(),
            "line 2: column 1: unexpected `x` after a closing quote"
        );
        assert!(
            out.row_errors[1]
                .to_string()
                .starts_with("line 3: column 4: "),
            "{}",
            out.row_errors[1]
        );
    }

    #[test]
    fn manual_entries_and_rating_zero_are_skipped() {
        let text = "review_state,card_id,review_rating,review_time,review_duration\n\
                    1,1,3,1711792800000,10\n\
                    5,1,3,1711792900000,0\n\
                    Manual,1,1,1711793000000,0\n\
                    2,1,0,1711793100000,0\n";
        let out = parse_revlog_csv(text).unwrap();
        assert_eq!(out.reviews.len(), 1);
        assert_eq!(out.skipped, 3);
        assert!(out.row_errors.is_empty());
    }

    #[test]
    fn header_problems_reject_the_file() {
        assert_eq!(parse_revlog_csv(""), Err(RevlogError::Empty));
        assert_eq!(parse_revlog_csv("\u{feff}\n\n"), Err(RevlogError::Empty));
        assert_eq!(
            parse_revlog_csv("card_id,review_rating,card_id\n"),
            Err(RevlogError::DuplicateColumn("card_id".into()))
        );
        let err = parse_revlog_csv("card_id,review_rating,review_duration\n").unwrap_err();
        assert!(err.to_string().contains("`review_time`"), "{err}");
    }

    #[test]
    fn several_problems_in_a_row_are_all_named() {
        let out = parse("x,9,yesterday,-5\n");
        let msg = &out.row_errors[0].message;
        for part in ["card_id", "review_rating", "review_time", "review_duration"] {
            assert!(msg.contains(part), "{msg}");
        }
    }

    #[test]
    fn durations_may_be_fractional_and_saturate() {
        let out = parse("1,3,1711792800000,2500.4\n2,3,1711792800000,99999999999\n");
        assert_eq!(out.reviews[0].duration_ms, 2500);
        assert_eq!(out.reviews[1].duration_ms, u32::MAX);
    }
}
