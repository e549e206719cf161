//! Learning from review history: weak topics, readiness and statistics;
//! importing a review log exported by another app ([`revlog`]) and fitting
//! FSRS parameters to a history ([`optimize`]).
//!
//! No UI here; the window calls these from a worker thread.

pub mod optimize;
pub mod revlog;

pub use optimize::{Evaluation, Fitted, MIN_ITEMS, OptimizeError, evaluate, training_items};
pub use revlog::{ImportedReview, RevlogError, RevlogImport, RowError, parse_revlog_csv};

// Weak topics, interview readiness and statistics (over the collection and its history).
pub mod card_info;
pub mod fit;
pub mod forecast;
pub mod simulate;
pub mod stats;
pub mod weak;
