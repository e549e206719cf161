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

/// What [`export_table`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableExport {
    /// Cards written, one row each.
    pub cards: usize,
    /// The study items (rows of the browser) those cards stand for.
    pub items: usize,
}

/// Writes the cards of some study items (indices into `collection.items()`)
/// to `path` as CSV, or TSV when `tsv`, atomically.
pub fn export_table(
    collection: &Collection,
    rows: &[usize],
    tsv: bool,
    path: &std::path::Path,
) -> Result<TableExport, crate::store::StoreError> {
    let cards = cards_of_items(collection, rows);
    let text = csv::write_table(&cards, if tsv { b'\t' } else { b',' });
    crate::store::write_atomic(path, text.as_bytes())
        .map_err(|e| crate::store::StoreError::io(path, e))?;
    Ok(TableExport {
        cards: cards.len(),
        items: rows.len(),
    })
}

/// Reads a file to import, naming it in the error.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, crate::store::StoreError> {
    std::fs::read(path).map_err(|e| crate::store::StoreError::io(path, e))
}
