//! Card text rendering: CommonMark with syntax-highlighted code blocks, shared
//! by every screen that shows a card so they all look the same.

use std::collections::HashSet;

use egui_commonmark::{CommonMarkCache, CommonMarkViewer};

/// The button under a card whose images on the web are not loaded.
pub const LOAD_IMAGES: &str = "Load images for this card";

/// Renders Markdown, caching parsed images and highlighters between frames.
#[derive(Default)]
pub struct Markdown {
    cache: CommonMarkCache,
    /// Where relative links (`media/x.png`) point: the data folder.
    base: String,
    /// Settings → Load images from the web: every card's remote images load.
    load_remote: bool,
    /// Remote images the user chose to load this session, with
    /// [`LOAD_IMAGES`] (per card: the images of the card it was under).
    allowed: HashSet<String>,
}

impl Markdown {
    /// A renderer whose relative image paths (`![](media/x.png)`) resolve in
    /// the data folder `root`.
    pub fn with_root(root: &std::path::Path) -> Self {
        Self {
            cache: CommonMarkCache::default(),
            base: format!("file://{}/", root.display()),
            load_remote: false,
            allowed: HashSet::new(),
        }
    }

    /// Whether images on the web load on every card (the setting).
    pub fn set_load_remote(&mut self, load: bool) {
        self.load_remote = load;
    }

    /// Shows `text` as Markdown. `id` keeps two renderings on one screen apart.
    /// Returns the area the text took.
    ///
    /// Remote images load only when the setting allows it or the user asked
    /// for this card's; until then each shows as its alt text linking to it,
    /// with a [`LOAD_IMAGES`] button under the text. Links open in the
    /// system's browser (web and mail links only).
    pub fn show(&mut self, ui: &mut egui::Ui, id: &str, text: &str) -> egui::Rect {
        let blocked: Vec<String> = if self.load_remote {
            Vec::new()
        } else {
            remote_images(text)
                .into_iter()
                .filter(|url| !self.allowed.contains(url))
                .collect()
        };
        let text = image_fallbacks(&sound_chips(text), |url| blocked.iter().any(|b| b == url))
            .into_owned();
        let rect = ui.push_id(id, |ui| {
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
            if !blocked.is_empty() {
                let n = blocked.len();
                let button = ui.button(format!("🖼 {LOAD_IMAGES}")).on_hover_text(format!(
                    "{n} image{} on the web: loading {} contacts {}. Settings can load them always.",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "it" } else { "them" },
                    if n == 1 { "its server" } else { "their servers" },
                ));
                if button.clicked() {
                    self.allowed.extend(blocked.iter().cloned());
                }
            }
            ui.min_rect()
        })
        .inner;
        // A click on a link asks the system's browser to open it: only for
        // web and mail links (not `file:` or `javascript:`).
        ui.ctx().output_mut(|o| {
            o.commands.retain(|c| match c {
                egui::OutputCommand::OpenUrl(open) => opens_in_browser(&open.url),
                _ => true,
            });
        });
        rect
    }
}

/// Whether an image's address is on the web (rather than in the data
/// folder): `http://`, `https://`, or `//host/…` (which means https here).
pub fn is_remote_image(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    url.starts_with("http://") || url.starts_with("https://") || url.starts_with("//")
}

/// Whether a clicked link may be handed to the system's browser.
pub fn opens_in_browser(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| url.starts_with(p))
}

/// The addresses of the remote images in `text`, in order, each once.
pub fn remote_images(text: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag};
    let mut out: Vec<String> = Vec::new();
    if !text.contains("![") {
        return out;
    }
    for event in Parser::new(text) {
        if let Event::Start(Tag::Image { dest_url, .. }) = event
            && is_remote_image(&dest_url)
            && !out.iter().any(|u| *u == *dest_url)
        {
            out.push(dest_url.to_string());
        }
    }
    out
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
/// warning sign: a remote image that is `blocked` (not fetched: cards reach
/// the network only when allowed) shows its alt text linking to it; a file
/// in a format the window cannot decode (SVG, TIFF...) shows its name. A
/// remote image that may load stays an image (`//host/x` as `https://`).
pub fn image_fallbacks(text: &str, blocked: impl Fn(&str) -> bool) -> std::borrow::Cow<'_, str> {
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
        let remote = is_remote_image(&url);
        let extension = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        let label = if alt.trim().is_empty() {
            name.clone()
        } else {
            alt.trim().to_string()
        };
        let link = if url.starts_with("//") {
            format!("https:{url}")
        } else {
            url.clone()
        };
        if remote && blocked(&url) {
            replacements.push((range, format!("[🖼 {label} (remote image)](<{link}>)")));
        } else if remote {
            if link != url {
                replacements.push((range, format!("![{alt}](<{link}>)")));
            }
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
        let all = |_: &str| true;
        let local = "A ![ferris](media/ferris.png) crab";
        assert_eq!(image_fallbacks(local, all), local);
        assert_eq!(
            image_fallbacks("![](media/diagram.svg)", all),
            "`🖼 diagram.svg (cannot be shown)`"
        );
        assert_eq!(
            image_fallbacks("See ![a chart](https://example.com/c.png) here", all),
            "See [🖼 a chart (remote image)](<https://example.com/c.png>) here"
        );
        assert_eq!(
            image_fallbacks("![](<media/my pic.webp>)", all),
            "![](<media/my pic.webp>)"
        );
        assert_eq!(image_fallbacks("no images", all), "no images");
        // Allowed: the image stays, to be loaded.
        let remote = "See ![a chart](https://example.com/c.png) here";
        assert_eq!(image_fallbacks(remote, |_| false), remote);
        assert_eq!(
            image_fallbacks("![x](//cdn.example.com/c.png)", |_| false),
            "![x](<https://cdn.example.com/c.png>)"
        );
        assert_eq!(
            image_fallbacks("![x](//cdn.example.com/c.png)", all),
            "[🖼 x (remote image)](<https://cdn.example.com/c.png>)"
        );
    }

    #[test]
    fn which_images_are_remote() {
        for url in [
            "https://raw.githubusercontent.com/a/b.png",
            "http://example.com/x.gif",
            "HTTPS://EXAMPLE.COM/X.PNG",
            "//cdn.example.com/x.png",
            " https://example.com/x.png",
        ] {
            assert!(is_remote_image(url), "{url}");
        }
        for url in [
            "media/ferris.png",
            "ferris.png",
            "file:///home/me/x.png",
            "data:image/png;base64,AAAA",
            "/abs/path.png",
            "httpx.png",
        ] {
            assert!(!is_remote_image(url), "{url}");
        }
        assert_eq!(
            remote_images(
                "![a](https://e.org/1.png) ![b](media/2.png) [c](https://e.org/3.png) ![d](https://e.org/1.png) ![e](//e.org/4.png)"
            ),
            ["https://e.org/1.png", "//e.org/4.png"]
        );
    }

    #[test]
    fn only_web_and_mail_links_open() {
        assert!(opens_in_browser("https://doc.rust-lang.org/book/"));
        assert!(opens_in_browser("http://example.com"));
        assert!(opens_in_browser("mailto:me@example.com"));
        assert!(!opens_in_browser("javascript:alert(1)"));
        assert!(!opens_in_browser("file:///home/me/media/x.desktop"));
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
