//! Moving cards in and out of Rehearse.

pub mod anki;
pub mod csv;
pub mod package;

use crate::collection::Collection;
use crate::deck::Card;

/// A CSV or TSV file read and mapped onto cards, ready to show as a preview
/// and (when it has no errors) to import.
#[derive(Clone, Debug)]
pub struct CsvPlan {
    /// The detected delimiter and header.
    pub sniffed: csv::Sniffed,
    /// The rows as read.
    pub table: csv::Table,
    /// Which column is which.
    pub mapping: csv::ColumnMapping,
    /// The cards, and the rows that could not be read.
    pub mapped: csv::Mapped,
}

/// Reads `bytes` with the detected delimiter and header, guesses the column
/// mapping, and maps the rows; rows without a deck column go to `default_deck`.
pub fn plan_csv_import(bytes: &[u8], default_deck: &str) -> Result<CsvPlan, csv::CsvError> {
    let text = String::from_utf8_lossy(bytes);
    let sniffed = csv::sniff(&text);
    let table = csv::read_table(bytes, sniffed.delimiter, sniffed.has_header)?;
    let mapping = csv::guess_mapping(&table.headers);
    let mapped = csv::map_rows(&table, &mapping, default_deck);
    Ok(CsvPlan {
        sniffed,
        table,
        mapping,
        mapped,
    })
}

/// The distinct cards of some study items (indices into `collection.items()`),
/// with their deck names, in the items' order.
pub fn cards_of_items<'a>(collection: &'a Collection, rows: &[usize]) -> Vec<(&'a str, &'a Card)> {
    let mut seen = std::collections::HashSet::new();
    rows.iter()
        .filter_map(|&i| {
            let item = collection.items().get(i)?;
            let deck = &collection.decks()[item.deck];
            let card = &deck.cards[item.card];
            seen.insert(&card.id).then_some((deck.name.as_str(), card))
        })
        .collect()
}

/// What [`TableJob::write`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableExport {
    /// Cards written, one row each.
    pub cards: usize,
    /// The study items (rows of the browser) those cards stand for.
    pub items: usize,
}

/// Cards chosen for a CSV or TSV export, copied out of the collection so
/// the file can be written on a worker thread.
#[derive(Clone, Debug)]
pub struct TableJob {
    cards: Vec<(String, Card)>,
    items: usize,
    delimiter: u8,
}

impl TableJob {
    /// The cards of some study items (indices into `collection.items()`), as
    /// CSV, or TSV when `tsv`.
    pub fn new(collection: &Collection, rows: &[usize], tsv: bool) -> Self {
        Self {
            cards: cards_of_items(collection, rows)
                .into_iter()
                .map(|(deck, card)| (deck.to_string(), card.clone()))
                .collect(),
            items: rows.len(),
            delimiter: if tsv { b'\t' } else { b',' },
        }
    }

    /// Writes the table to `path`, atomically.
    pub fn write(&self, path: &std::path::Path) -> Result<TableExport, csv::ExportError> {
        let cards: Vec<(&str, &Card)> = self.cards.iter().map(|(d, c)| (d.as_str(), c)).collect();
        csv::export_to_path(&cards, self.delimiter, path)?;
        Ok(TableExport {
            cards: cards.len(),
            items: self.items,
        })
    }
}

/// Reads a file to import, naming it in the error.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, crate::store::StoreError> {
    std::fs::read(path).map_err(|e| crate::store::StoreError::io(path, e))
}

/// True for Anki's package files (`.apkg`, `.colpkg`), by their name.
pub fn is_anki_package(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("apkg") || e.eq_ignore_ascii_case("colpkg"))
}

/// A file chosen for import, read and planned, for the preview. Nothing is
/// written until the import is confirmed.
#[derive(Clone, Debug)]
pub enum ImportPreview {
    /// A CSV or TSV file.
    Table {
        /// The file's bytes, to read again when the delimiter or header
        /// choice changes.
        bytes: Vec<u8>,
        /// The file read with the detected delimiter, header and mapping.
        plan: Box<CsvPlan>,
        /// The deck for rows without one.
        default_deck: String,
    },
    /// An Anki package.
    Anki(package::AnkiPlan),
}

/// Why a file cannot be previewed for import.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] crate::store::StoreError),
    /// The file cannot be read as a table at all.
    #[error(transparent)]
    Table(#[from] csv::CsvError),
    /// The file is not a usable Anki package.
    #[error("{}: {error}", path.display())]
    Anki {
        /// The package.
        path: std::path::PathBuf,
        /// What is wrong with it.
        error: anki::AnkiError,
    },
}

/// Reads `path` and plans its import: an Anki package by its name, else a
/// CSV or TSV file whose rows without a deck go to `deck` (by default the
/// file's name). Reads the whole file: run it off the UI thread.
pub fn preview_import(
    path: &std::path::Path,
    deck: Option<&str>,
) -> Result<ImportPreview, PreviewError> {
    let bytes = read_file(path)?;
    if is_anki_package(path) {
        return package::plan_anki_import(&bytes)
            .map(ImportPreview::Anki)
            .map_err(|error| PreviewError::Anki {
                path: path.to_path_buf(),
                error,
            });
    }
    let default_deck = deck.map_or_else(
        || {
            path.file_stem()
                .map_or("Imported".into(), |s| s.to_string_lossy().into_owned())
        },
        str::to_string,
    );
    let plan = Box::new(plan_csv_import(&bytes, &default_deck)?);
    Ok(ImportPreview::Table {
        bytes,
        plan,
        default_deck,
    })
}
