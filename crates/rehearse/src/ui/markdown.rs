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
        let text = image_fallbacks(&sound_chips(text)).into_owned();
        ui.push_id(id, |ui| {
            let (body, bold) = card_colors(ui.visuals().dark_mode);
            let visuals = ui.visuals_mut();
            // One colour for all card text, at strong contrast: a grey body
            // with white bold made lists and paragraphs read as secondary.
            visuals.override_text_color = None;
            visuals.widgets.noninteractive.fg_stroke.color = body;
            // egui's bold is a colour, not a weight: an accent keeps it visible.
            visuals.widgets.active.fg_stroke.color = bold;
            // Bullets are drawn one body line high; a taller minimum row
            // would set them above the text they mark.
            ui.spacing_mut().interact_size.y = ui.text_style_height(&egui::TextStyle::Body);
            CommonMarkViewer::new()
                .default_implicit_uri_scheme(self.base.clone())
                .syntax_theme_light("InspiredGitHub")
                .syntax_theme_dark("base16-ocean.dark")
                .show(ui, &mut self.cache, &text);
            ui.min_rect()
        })
        .inner
    }
}

/// Body and bold text colours for cards: (body, bold).
pub fn card_colors(dark: bool) -> (egui::Color32, egui::Color32) {
    // Amber rather than blue: blue is for links.
    if dark {
        (
            egui::Color32::from_rgb(0xe8, 0xe8, 0xe8),
            egui::Color32::from_rgb(0xfb, 0xc8, 0x6e),
        )
    } else {
        (
            egui::Color32::from_rgb(0x1a, 0x1a, 0x1a),
            egui::Color32::from_rgb(0x9a, 0x34, 0x12),
        )
    }
}

/// Anki's `[sound:file.mp3]` markers become a chip naming the file: Rehearse
/// does not play audio, and raw markup must never show on a card.
pub fn sound_chips(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("[sound:") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(at) = rest.find("[sound:") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "[sound:".len()..];
        match after.find(']') {
            Some(end) => {
                let name = after[..end].replace('`', "'");
                out.push_str(&format!("`🔊 {name} (audio)`"));
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[at..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Image formats the window can draw.
const DRAWABLE: [&str; 7] = ["png", "jpg", "jpeg", "gif", "webp", "bmp", "ico"];

/// Images the window cannot draw become a chip or a link instead of a bare
/// warning sign: a remote image (not fetched: cards never reach the network
/// on their own) shows its alt text linking to it; a file in a format the
/// window cannot decode (SVG, TIFF...) shows its name.
pub fn image_fallbacks(text: &str) -> std::borrow::Cow<'_, str> {
    use pulldown_cmark::{Event, Parser, Tag};
    if !text.contains("![") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut replacements: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for (event, range) in Parser::new(text).into_offset_iter() {
        let Event::Start(Tag::Image { dest_url, .. }) = event else {
            continue;
        };
        let alt = text[range.clone()]
            .strip_prefix("![")
            .and_then(|rest| rest.split_once("](").map(|(alt, _)| alt.to_string()))
            .unwrap_or_default();
        let url = dest_url.to_string();
        let name = url.rsplit('/').next().unwrap_or(&url).to_string();
        let remote = url.starts_with("http://") || url.starts_with("https://");
        let extension = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        let label = if alt.trim().is_empty() {
            name.clone()
        } else {
            alt.trim().to_string()
        };
        if remote {
            replacements.push((range, format!("[🖼 {label} (remote image)](<{url}>)")));
        } else if !DRAWABLE.contains(&extension.as_str()) {
            replacements.push((range, format!("`🖼 {name} (cannot be shown)`")));
        }
    }
    if replacements.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, with) in replacements {
        if range.start < last {
            continue;
        }
        out.push_str(&text[last..range.start]);
        out.push_str(&with);
        last = range.end;
    }
    out.push_str(&text[last..]);
    std::borrow::Cow::Owned(out)
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::theme::contrast;

    #[test]
    fn card_text_has_strong_contrast_and_visible_bold_in_both_themes() {
        for dark in [false, true] {
            let visuals = if dark {
                egui::Visuals::dark()
            } else {
                egui::Visuals::light()
            };
            let background = visuals.panel_fill;
            let (body, bold) = card_colors(dark);
            assert!(contrast(body, background) >= 7.0, "body, dark={dark}");
            assert!(contrast(bold, background) >= 4.5, "bold, dark={dark}");
            assert_ne!(body, bold, "bold must differ from body, dark={dark}");
            assert_ne!(
                bold, visuals.hyperlink_color,
                "bold is not a link, dark={dark}"
            );
        }
    }

    #[test]
    fn images_the_window_cannot_draw_become_chips_or_links() {
        let local = "A ![ferris](media/ferris.png) crab";
        assert_eq!(image_fallbacks(local), local);
        assert_eq!(
            image_fallbacks("![](media/diagram.svg)"),
            "`🖼 diagram.svg (cannot be shown)`"
        );
        assert_eq!(
            image_fallbacks("See ![a chart](https://example.com/c.png) here"),
            "See [🖼 a chart (remote image)](<https://example.com/c.png>) here"
        );
        assert_eq!(
            image_fallbacks("![](<media/my pic.webp>)"),
            "![](<media/my pic.webp>)"
        );
        assert_eq!(image_fallbacks("no images"), "no images");
    }

    #[test]
    fn sound_markers_become_chips() {
        assert_eq!(sound_chips("plain"), "plain");
        assert_eq!(
            sound_chips("Say [sound:hola.mp3] now"),
            "Say `🔊 hola.mp3 (audio)` now"
        );
        assert_eq!(
            sound_chips("[sound:a.mp3][sound:b.ogg]")
                .matches("🔊")
                .count(),
            2
        );
        assert_eq!(sound_chips("broken [sound:x"), "broken [sound:x");
    }
}
