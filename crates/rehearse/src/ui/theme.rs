//! Look and feel: calm spacing, readable type, and the count colours Anki users know.

use egui::{Color32, FontId, TextStyle};

/// New cards.
pub const NEW: Color32 = Color32::from_rgb(0x3b, 0x82, 0xf6);
/// Learning cards.
pub const LEARNING: Color32 = Color32::from_rgb(0xea, 0x58, 0x0c);
/// Review cards.
pub const REVIEW: Color32 = Color32::from_rgb(0x16, 0xa3, 0x4a);
/// Errors.
pub const ERROR: Color32 = Color32::from_rgb(0xdc, 0x26, 0x26);

/// The four answer buttons, wherever a grade is shown (study buttons, charts).
pub const AGAIN: Color32 = ERROR;
/// Hard.
pub const HARD: Color32 = Color32::from_rgb(0x9c, 0xa3, 0xaf);
/// Good.
pub const GOOD: Color32 = REVIEW;
/// Easy.
pub const EASY: Color32 = NEW;

/// Adds DejaVu as a fallback after egui's own fonts, so arrows, maths symbols,
/// Greek, Cyrillic and the like in cards render instead of showing as boxes.
pub fn install_fonts(ctx: &egui::Context) {
    use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
    use egui::{FontData, FontFamily};
    for (name, bytes, family) in [
        (
            "DejaVuSans",
            &include_bytes!("../../../../assets/fonts/DejaVuSans.ttf")[..],
            FontFamily::Proportional,
        ),
        (
            "DejaVuSansMono",
            &include_bytes!("../../../../assets/fonts/DejaVuSansMono.ttf")[..],
            FontFamily::Monospace,
        ),
    ] {
        ctx.add_font(FontInsert::new(
            name,
            FontData::from_static(bytes),
            vec![InsertFontFamily {
                family,
                priority: FontPriority::Lowest,
            }],
        ));
    }
}

/// Languages whose scripts egui's own fonts and DejaVu do not cover, asked of
/// fontconfig for a fallback font each.
const FALLBACK_LANGUAGES: [&str; 14] = [
    "ja", "ko", "zh-cn", "zh-tw", "ar", "he", "hi", "bn", "ta", "th", "ka", "hy", "am", "km",
];

/// Fonts found on the system for scripts the bundled fonts lack, read on a
/// worker thread (CJK fonts are tens of megabytes) and installed when ready.
pub struct SystemFonts {
    pending: Option<std::sync::mpsc::Receiver<Vec<FoundFont>>>,
}

/// A font file read from the system: (name, bytes, index in a collection).
type FoundFont = (String, Vec<u8>, u32);

impl SystemFonts {
    /// Starts looking for fallback fonts with `fc-match`. Without fontconfig
    /// nothing is found and cards in those scripts show as boxes, as before.
    pub fn load(ctx: &egui::Context) -> Self {
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx = ctx.clone();
        let started = std::thread::Builder::new()
            .name("fonts".into())
            .spawn(move || {
                let fonts = find_fallback_fonts();
                if tx.send(fonts).is_ok() {
                    ctx.request_repaint();
                }
            });
        Self {
            pending: started.ok().map(|_| rx),
        }
    }

    /// Installs the fonts once they have been read.
    pub fn poll(&mut self, ctx: &egui::Context) {
        let Some(rx) = &self.pending else {
            return;
        };
        let Ok(fonts) = rx.try_recv() else {
            return;
        };
        self.pending = None;
        use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
        use egui::{FontData, FontFamily};
        for (name, bytes, index) in fonts {
            let mut data = FontData::from_owned(bytes);
            data.index = index;
            ctx.add_font(FontInsert::new(
                &name,
                data,
                [FontFamily::Proportional, FontFamily::Monospace]
                    .into_iter()
                    .map(|family| InsertFontFamily {
                        family,
                        priority: FontPriority::Lowest,
                    })
                    .collect(),
            ));
        }
    }
}

/// One font file per language in [`FALLBACK_LANGUAGES`] that fontconfig
/// knows, each read once: (name, bytes, index in a collection).
fn find_fallback_fonts() -> Vec<FoundFont> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for lang in FALLBACK_LANGUAGES {
        let Ok(output) = std::process::Command::new("fc-match")
            .args(["-f", "%{file}\n%{index}\n%{lang}", &format!(":lang={lang}")])
            .output()
        else {
            // No fontconfig on this system.
            return out;
        };
        let Some((path, index)) = parse_fc_match(&String::from_utf8_lossy(&output.stdout), lang)
        else {
            continue;
        };
        // DejaVu is bundled already; loading the system's copy again adds nothing.
        let bundled = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("DejaVuSans"));
        if bundled || !seen.insert((path.clone(), index)) {
            continue;
        }
        match std::fs::read(&path) {
            Ok(bytes) => out.push((format!("system:{}#{index}", path.display()), bytes, index)),
            Err(e) => eprintln!("rehearse: cannot read font {}: {e}", path.display()),
        }
    }
    out
}

/// Reads `fc-match -f '%{file}\n%{index}\n%{lang}'` output; None when the
/// font it matched does not cover `lang` (fontconfig then falls back to its
/// default font, which is no help).
pub fn parse_fc_match(output: &str, lang: &str) -> Option<(std::path::PathBuf, u32)> {
    let mut lines = output.lines();
    let file = lines.next()?.trim();
    let index = lines.next()?.trim().parse().ok()?;
    let langs = lines.next().unwrap_or("");
    let base = lang.split('-').next().unwrap_or(lang);
    let covers = langs
        .split('|')
        .any(|l| l == lang || l.split('-').next() == Some(base));
    (!file.is_empty() && covers).then(|| (std::path::PathBuf::from(file), index))
}

/// Sets fonts, text sizes and spacing for both themes.
pub fn apply(ctx: &egui::Context) {
    install_fonts(ctx);
    // Cards can show images from the data folder's media/.
    egui_extras::install_image_loaders(ctx);
    ctx.all_styles_mut(|style| {
        style
            .text_styles
            .insert(TextStyle::Body, FontId::proportional(16.0));
        style
            .text_styles
            .insert(TextStyle::Button, FontId::proportional(15.0));
        style
            .text_styles
            .insert(TextStyle::Heading, FontId::proportional(24.0));
        style
            .text_styles
            .insert(TextStyle::Small, FontId::proportional(12.5));
        style
            .text_styles
            .insert(TextStyle::Monospace, FontId::monospace(14.0));
        style.spacing.item_spacing = egui::vec2(10.0, 8.0);
        style.spacing.button_padding = egui::vec2(12.0, 6.0);
        style.spacing.interact_size.y = 28.0;
        // Scroll bars always show, so content below the fold is never a secret.
        style.spacing.scroll = egui::style::ScrollStyle::solid();
        let dark = style.visuals.dark_mode;
        // Secondary text readable at 4.5:1 or better on the panels.
        style.visuals.weak_text_color = Some(if dark {
            Color32::from_rgb(0xa0, 0xa0, 0xa0)
        } else {
            Color32::from_rgb(0x66, 0x66, 0x66)
        });
        // Text fields visible against the panel in the light theme.
        if !dark {
            style.visuals.extreme_bg_color = Color32::WHITE;
            style.visuals.widgets.inactive.bg_stroke =
                egui::Stroke::new(1.0, Color32::from_rgb(0xc8, 0xc8, 0xc8));
        }
        // Links at 4.5:1 or better on the panels and table stripes.
        style.visuals.hyperlink_color = if dark {
            Color32::from_rgb(0x6c, 0xb6, 0xff)
        } else {
            Color32::from_rgb(0x0a, 0x58, 0xca)
        };
        // The selected tab and primary buttons in the app's blue.
        style.visuals.selection.bg_fill = if dark {
            Color32::from_rgb(0x1e, 0x4f, 0x9c)
        } else {
            Color32::from_rgb(0xbf, 0xd7, 0xfb)
        };
    });
}

/// WCAG contrast ratio of two opaque colours (1 to 21), for the tests that
/// keep text and marks readable in both themes.
#[cfg(test)]
pub(crate) fn contrast(a: Color32, b: Color32) -> f32 {
    let luminance = |c: Color32| {
        let linear = |v: u8| {
            let v = f32::from(v) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(c.r()) + 0.7152 * linear(c.g()) + 0.0722 * linear(c.b())
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// A filled button for the one primary action of a screen.
pub fn primary(text: &str) -> egui::Button<'static> {
    egui::Button::new(
        egui::RichText::new(text.to_string())
            .strong()
            .color(Color32::WHITE),
    )
    .fill(Color32::from_rgb(0x25, 0x63, 0xeb))
}

/// Light, dark, or following the system.
pub fn set(ctx: &egui::Context, theme: rehearse_core::schedule::settings::Theme) {
    use rehearse_core::schedule::settings::Theme;
    ctx.set_theme(match theme {
        Theme::System => egui::ThemePreference::System,
        Theme::Light => egui::ThemePreference::Light,
        Theme::Dark => egui::ThemePreference::Dark,
    });
}

/// The window icon: a rounded card with a check mark, drawn in code so no asset can go missing.
pub fn icon() -> egui::IconData {
    const N: usize = 64;
    let mut rgba = vec![0u8; N * N * 4];
    for y in 0..N {
        for x in 0..N {
            let (fx, fy) = (x as f32, y as f32);
            let inside = {
                let r = 10.0;
                let cx = fx.clamp(6.0 + r, N as f32 - 7.0 - r);
                let cy = fy.clamp(6.0 + r, N as f32 - 7.0 - r);
                (fx - cx).powi(2) + (fy - cy).powi(2) <= r * r
            };
            // The check mark: two thick strokes.
            let on_stroke = |(x0, y0): (f32, f32), (x1, y1): (f32, f32)| {
                let (dx, dy) = (x1 - x0, y1 - y0);
                let t = (((fx - x0) * dx + (fy - y0) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
                let (px, py) = (x0 + t * dx, y0 + t * dy);
                (fx - px).powi(2) + (fy - py).powi(2) <= 20.0
            };
            let check =
                on_stroke((18.0, 33.0), (28.0, 43.0)) || on_stroke((28.0, 43.0), (47.0, 21.0));
            let i = (y * N + x) * 4;
            let px = if check && inside {
                [255, 255, 255, 255]
            } else if inside {
                [0x25, 0x63, 0xeb, 255]
            } else {
                [0, 0, 0, 0]
            };
            rgba[i..i + 4].copy_from_slice(&px);
        }
    }
    egui::IconData {
        rgba,
        width: N as u32,
        height: N as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fontconfig_answers_are_read_and_non_covering_fonts_refused() {
        let cjk = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\n2\naa|ja|ko|zh-cn";
        assert_eq!(
            parse_fc_match(cjk, "ja"),
            Some((
                "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc".into(),
                2
            ))
        );
        assert!(parse_fc_match(cjk, "zh-cn").is_some());
        // fontconfig's default font when nothing covers Arabic: not a fallback.
        let default = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\n0\naa|en|fr|ru";
        assert_eq!(parse_fc_match(default, "ar"), None);
        assert_eq!(parse_fc_match("", "ja"), None);
        assert_eq!(parse_fc_match("/x.ttf\nnot-a-number\nja", "ja"), None);
    }
}
