//! Native file dialogs, run off the UI thread so the window keeps drawing
//! while one is open. A typed path stays possible everywhere a dialog is
//! offered: some systems (no desktop portal) have no dialog to show.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// What the dialog is for.
#[derive(Clone, Debug)]
pub enum Purpose {
    /// Choose an existing file, offering these (name, extensions) filters.
    Open(Vec<(&'static str, Vec<&'static str>)>),
    /// Choose where to save, suggesting this file name.
    Save(String),
}

/// A dialog that may be open; poll it each frame.
#[derive(Default)]
pub struct FileDialog {
    pending: Option<Receiver<Option<PathBuf>>>,
}

impl FileDialog {
    /// Opens the system's file dialog on a worker thread.
    pub fn open(&mut self, ctx: &egui::Context, title: &str, purpose: Purpose) {
        if self.pending.is_some() {
            return;
        }
        let (tx, rx) = channel();
        let repaint = ctx.clone();
        let title = title.to_string();
        let spawned = std::thread::Builder::new()
            .name("file dialog".into())
            .spawn(move || {
                let mut dialog = rfd::FileDialog::new().set_title(&title);
                let chosen = match purpose {
                    Purpose::Open(filters) => {
                        for (name, extensions) in &filters {
                            dialog = dialog.add_filter(*name, extensions);
                        }
                        dialog.pick_file()
                    }
                    Purpose::Save(name) => dialog.set_file_name(&name).save_file(),
                };
                // The window may have closed meanwhile; then nobody is waiting.
                if tx.send(chosen).is_ok() {
                    repaint.request_repaint();
                }
            });
        match spawned {
            Ok(_) => self.pending = Some(rx),
            Err(e) => super::notice::error(
                ctx,
                format!("Cannot open a file dialog ({e}); type the path instead."),
            ),
        }
    }

    /// Whether a dialog is showing.
    pub fn is_open(&self) -> bool {
        self.pending.is_some()
    }

    /// The path chosen, once, when the dialog closes with one.
    pub fn take(&mut self) -> Option<PathBuf> {
        let rx = self.pending.as_ref()?;
        match rx.try_recv() {
            Ok(chosen) => {
                self.pending = None;
                chosen
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.pending = None;
                None
            }
        }
    }
}
