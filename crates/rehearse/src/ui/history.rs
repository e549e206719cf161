//! The full review history, loaded on a worker thread so that a long history
//! never freezes the window. Screens ask for it and redraw when it arrives.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use rehearse_core::collection::{Collection, History};

/// The history, or the state of loading it.
#[derive(Default)]
pub struct HistoryCache {
    loaded: Option<Arc<History>>,
    loading: Option<Receiver<Result<History, String>>>,
    error: Option<String>,
}

impl HistoryCache {
    /// The history if loaded; starts loading it if not.
    pub fn get(&mut self, collection: &Collection, ctx: &egui::Context) -> Option<Arc<History>> {
        if let Some(rx) = &self.loading {
            match rx.try_recv() {
                Ok(Ok(h)) => {
                    self.loaded = Some(Arc::new(h));
                    self.loading = None;
                }
                Ok(Err(e)) => {
                    self.error = Some(e);
                    self.loading = None;
                }
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    self.error = Some("loading the review history failed".into());
                    self.loading = None;
                }
            }
        }
        if self.loaded.is_none() && self.loading.is_none() && self.error.is_none() {
            match collection.history_loader() {
                Ok(loader) => {
                    let (tx, rx) = channel();
                    let ctx = ctx.clone();
                    std::thread::spawn(move || {
                        let _ = tx.send(loader.load().map_err(|e| e.to_string()));
                        ctx.request_repaint();
                    });
                    self.loading = Some(rx);
                }
                Err(e) => self.error = Some(e.to_string()),
            }
        }
        self.loaded.clone()
    }

    /// The history if it is loaded, without starting to load it.
    pub fn loaded(&self) -> Option<Arc<History>> {
        self.loaded.clone()
    }

    /// True while the worker is reading the journals.
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Why the history could not be loaded.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Forgets the history after new answers, so the next look reloads it.
    pub fn invalidate(&mut self) {
        *self = Self::default();
    }
}

/// Work that walks the whole collection (statistics, weak topics), done on
/// a worker thread so that no frame waits for it. The worker opens its own
/// read-only copy of the data folder (from the cache, so quickly): the
/// files hold everything the window's collection does, since every change
/// is written before it counts.
pub struct Background<T> {
    rx: Receiver<Result<T, String>>,
}

impl<T: Send + 'static> Background<T> {
    /// Starts `work` on a read-only copy of `collection` as of `now`; the
    /// window is repainted when it is done.
    pub fn start(
        collection: &Collection,
        ctx: &egui::Context,
        now: jiff::Timestamp,
        work: impl FnOnce(&Collection) -> T + Send + 'static,
    ) -> Self {
        let options = rehearse_core::collection::OpenOptions {
            root: collection.root().to_path_buf(),
            device: collection.device().to_string(),
            clock: Some(collection.clock().clone()),
            read_only: true,
        };
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let result = Collection::open(options, now)
                .map(|copy| work(&copy))
                .map_err(|e| e.to_string());
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        Self { rx }
    }

    /// The result once the worker is done: `None` while it works.
    pub fn poll(&self) -> Option<Result<T, String>> {
        match self.rx.try_recv() {
            Ok(result) => Some(result),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err("the computation failed".into())),
        }
    }
}
