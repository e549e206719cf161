//! Rehearse: spaced-repetition flashcards for interview preparation.
//!
//! The core (decks, scheduling, storage, study sessions) has no UI in it; the
//! egui window in [`ui`] is a thin layer over [`collection::Collection`].

pub mod browse;
pub mod cli;
pub mod collection;
pub mod deck;
pub mod deck_tree;
pub mod insight;
pub mod interop;
pub mod interview;
pub mod replay;
pub mod schedule;
pub mod store;
pub mod study;
pub mod ui;

pub use collection::{Collection, CollectionError, Counts, OpenOptions};
pub use deck::{Card, CardId, CardKind, Deck, ItemId, Variant};
pub use schedule::{CardState, Rating, Scheduler, Settings};
pub use study::{Scope, Session};
