//! Card text rendering: CommonMark with syntax-highlighted code blocks, shared
//! by every screen that shows a card so they all look the same.

use egui_commonmark::{CommonMarkCache, CommonMarkViewer};

/// Renders Markdown, caching parsed images and highlighters between frames.
#[derive(Default)]
pub struct Markdown {
    cache: CommonMarkCache,
    /// Where relative links (`media/x.png`) point: the data folder.
    base: String,
}

impl Markdown {
    /// A renderer whose relative image paths (`![](media/x.png)`) resolve in
    /// the data folder `root`.
    pub fn with_root(root: &std::path::Path) -> Self {
        Self {
            cache: CommonMarkCache::default(),
            base: format!("file://{}/", root.display()),
        }
    }

    /// Shows `text` as Markdown. `id` keeps two renderings on one screen apart.
    /// Returns the area the text took.
    pub fn show(&mut self, ui: &mut egui::Ui, id: &str, text: &str) -> egui::Rect {
        ui.push_id(id, |ui| {
            CommonMarkViewer::new()
                .default_implicit_uri_scheme(self.base.clone())
                .syntax_theme_light("InspiredGitHub")
                .syntax_theme_dark("base16-ocean.dark")
                .show(ui, &mut self.cache, text);
            ui.min_rect()
        })
        .inner
    }
}
