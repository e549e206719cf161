//! Rehearse's window: an egui layer that reads [`rehearse_core`]'s state and
//! calls its operations. The rules, files and formats live in the core.

pub mod ui;
