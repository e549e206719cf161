//! Rehearse: spaced-repetition flashcards for interview preparation.
//!
//! This crate is Rehearse without a window: decks, scheduling, storage, study
//! sessions, statistics, import and export, and the command line's logic. It
//! depends on no GUI crate; the `rehearse` crate's egui window is a thin layer
//! over [`collection::Collection`].

pub mod cli;
pub mod collection;
pub mod deck;
pub mod deck_tree;
pub mod insight;
pub mod interop;
pub mod interview;
pub mod replay;
pub mod schedule;
pub mod search;
pub mod store;
pub mod study;

pub use collection::{Collection, CollectionError, Counts, OpenOptions};
pub use deck::{Card, CardId, CardKind, Deck, ItemId, Variant};
pub use schedule::{CardState, Rating, Scheduler, Settings};
pub use study::{Scope, Session};
