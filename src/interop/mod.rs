//! Moving cards in and out of Rehearse.

pub mod csv;
