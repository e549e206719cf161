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

/// Adds DejaVu as a fallback after egui's own fonts, so arrows, maths symbols,
/// Greek, Cyrillic and the like in cards render instead of showing as boxes.
pub fn install_fonts(ctx: &egui::Context) {
    use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
    use egui::{FontData, FontFamily};
    for (name, bytes, family) in [
        (
            "DejaVuSans",
            &include_bytes!("../../assets/fonts/DejaVuSans.ttf")[..],
            FontFamily::Proportional,
        ),
        (
            "DejaVuSansMono",
            &include_bytes!("../../assets/fonts/DejaVuSansMono.ttf")[..],
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
    });
}

/// Light, dark, or following the system.
pub fn set(ctx: &egui::Context, theme: crate::schedule::settings::Theme) {
    use crate::schedule::settings::Theme;
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
