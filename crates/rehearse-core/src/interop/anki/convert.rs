//! Anki notes → Rehearse cards, and Anki scheduling → Rehearse progress.
//!
//! | Anki note type                  | Rehearse card | items                    |
//! |---------------------------------|---------------|--------------------------|
//! | Basic, Basic (type in answer)   | Basic         | card 1 → `id`            |
//! | Basic (and reversed card)       | Reversed      | card 1 → `id`, 2 → `id:rev` |
//! | Basic (optional reversed card)  | Reversed when the reverse card exists, else Basic | as above |
//! | Cloze                           | Cloze (text keeps `{{cN::…}}`, Back Extra → back) | cloze N → `id:cN` |
//! | other normal types              | Basic: first field front, the others back | card 1 → `id` |
//! | Image Occlusion                 | skipped, with a warning |                 |
//!
//! The deck name is kept whole (`Parent::Child`); the card's topic is the
//! deck's last level. Tags are kept as they are.
//!
//! Progress: the phase comes from the card type (new, learning, review,
//! relearning; learning steps restart at the first, since a package does not
//! say which step a card is on), suspension from the queue, due from `due`
//! (converted with the package's creation time), the FSRS memory from
//! `cards.data` when the package has it. Without it, a card that has an
//! interval gets one derived from SM-2 with
//! [`fsrs::FSRS::memory_state_from_sm2`] (stability = the interval, at 90 %
//! retention, difficulty from the ease); a learning card without FSRS data
//! gets none, and FSRS starts its memory at the next answer. Reviews are the
//! review log's answers (ease 1–4; manual entries and reschedules are not
//! answers).

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};

use super::{
    AnkiCard, AnkiNote, AnkiPackage, CardType, Converted, ConvertedCard, Due, ItemProgress,
    NoteKind, ReviewEntry, html_to_markdown,
};
use crate::deck::{Card, CardId, CardKind, ItemId, Variant, cloze_numbers, fnv1a};
use crate::schedule::{CardState, Memory, Phase};

const ID_PREFIX: &str = "anki-";
const REHEARSE_GUID: &str = "rehearse:";
const MAX_ID: usize = 64;

fn is_safe(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// The Rehearse card id for an Anki note guid: the same guid always gives
/// the same id, and different guids different ids.
///
/// - `anki-<guid>` when the guid is made of letters, digits, `-`, `_` and
///   `.` (not starting with `_`) and short enough;
/// - `anki-_<hex of the guid's bytes>` for other guids of up to 29 bytes
///   (Anki's own guids are 10 characters, often with punctuation);
/// - `anki-__<64-bit FNV-1a hash, hex>` for longer ones;
/// - `<id>` for a guid `rehearse:<id>`, which [`guid_for_card_id`] gives
///   cards that were written in Rehearse.
pub fn card_id_for_guid(guid: &str) -> CardId {
    if let Some(id) = guid
        .strip_prefix(REHEARSE_GUID)
        .and_then(|rest| CardId::new(rest).ok())
    {
        return id;
    }
    let id = if !guid.is_empty()
        && !guid.starts_with('_')
        && guid.chars().all(is_safe)
        && ID_PREFIX.len() + guid.len() <= MAX_ID
    {
        format!("{ID_PREFIX}{guid}")
    } else if ID_PREFIX.len() + 1 + 2 * guid.len() <= MAX_ID {
        let hex: String = guid.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{ID_PREFIX}_{hex}")
    } else {
        format!("{ID_PREFIX}__{:016x}", fnv1a(guid.as_bytes()))
    };
    // Only safe characters, at most 64 of them: always a valid id.
    CardId::new(id).unwrap_or_else(|_| CardId::derived_from(guid))
}

/// The Anki guid to write for a card: the original guid for a card that came
/// from Anki (when it can be recovered), else `rehearse:<id>`. Either way
/// [`card_id_for_guid`] maps it back to `id`.
pub fn guid_for_card_id(id: &CardId) -> String {
    let s = id.as_str();
    let candidate = s.strip_prefix(ID_PREFIX).and_then(|rest| {
        if let Some(hex) = rest.strip_prefix('_') {
            if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let bytes: Option<Vec<u8>> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
                .collect();
            String::from_utf8(bytes?).ok()
        } else {
            Some(rest.to_string())
        }
    });
    match candidate {
        Some(guid) if !guid.is_empty() && card_id_for_guid(&guid) == *id => guid,
        _ => format!("{REHEARSE_GUID}{s}"),
    }
}

/// Converts a package's notes and scheduling (see the module documentation).
/// Media stay in [`AnkiPackage::media`]; cards refer to them as `media/<name>`.
pub fn to_rehearse(pkg: &AnkiPackage) -> Converted {
    let fsrs = fsrs::FSRS::new(&[]).ok();
    let mut out = Converted {
        cards: Vec::new(),
        items: Vec::new(),
        warnings: Vec::new(),
    };
    let mut seen = HashSet::new();
    for deck in &pkg.decks {
        for note in &deck.notes {
            let id = card_id_for_guid(&note.guid);
            if !seen.insert(id.clone()) {
                out.warnings.push(format!(
                    "note {:?}: another note has the same guid; skipped",
                    note.guid
                ));
                continue;
            }
            convert_note(note, &deck.name, id, fsrs.as_ref(), &mut out);
        }
    }
    out
}

fn convert_note(
    note: &AnkiNote,
    deck: &str,
    id: CardId,
    fsrs: Option<&fsrs::FSRS>,
    out: &mut Converted,
) {
    let (kind, front, back) = match note_text(note) {
        Ok(text) => text,
        Err(warning) => {
            out.warnings.push(warning);
            return;
        }
    };
    let clozes = if kind == CardKind::Cloze {
        cloze_numbers(&front)
    } else {
        Vec::new()
    };
    let leech = note.tags.iter().any(|t| t.eq_ignore_ascii_case("leech"));
    for anki in &note.cards {
        let variant = match card_variant(note, kind, anki.ord, &clozes) {
            Ok(variant) => variant,
            Err(warning) => {
                out.warnings.push(warning);
                continue;
            }
        };
        let reviews: Vec<ReviewEntry> = anki
            .reviews
            .iter()
            .filter_map(|r| {
                Some(ReviewEntry {
                    at: r.at,
                    rating: r.rating()?,
                    took_ms: r.took_ms,
                })
            })
            .collect();
        let state = state_of(anki, &reviews, leech, fsrs);
        out.items.push(ItemProgress {
            item: ItemId {
                card: id.clone(),
                variant,
            },
            suspended: state.suspended,
            reviews,
            state,
        });
    }
    let topic = deck.rsplit("::").next().unwrap_or(deck).trim().to_string();
    out.cards.push(ConvertedCard {
        deck: deck.to_string(),
        card: Card {
            id,
            id_pinned: true,
            kind,
            front,
            back,
            topic,
            tags: note.tags.clone(),
            source: None,
            rubric: crate::deck::Rubric::default(),
            // Anki keeps whole seconds.
            modified: Timestamp::from_second(note.modified.as_second()).ok(),
            // Anki makes a note's id from the time it was added, in milliseconds.
            added: Timestamp::from_millisecond(note.id).ok(),
        },
        guid: note.guid.clone(),
    });
}

/// A note's card kind, front and back (as Markdown), from its note type;
/// or why the note cannot be imported. A note type Rehearse does not know
/// keeps its first field as the front and its other fields, in order, as
/// the back, so no text is lost.
fn note_text(note: &AnkiNote) -> Result<(CardKind, String, String), String> {
    let field = |i: usize| {
        note.fields
            .get(i)
            .map(|f| html_to_markdown(f))
            .unwrap_or_default()
    };
    let has_reverse = note.cards.iter().any(|c| c.ord == 1);
    Ok(match note.kind {
        NoteKind::Basic | NoteKind::BasicTyping => (CardKind::Basic, field(0), field(1)),
        NoteKind::BasicAndReversed => (CardKind::Reversed, field(0), field(1)),
        NoteKind::BasicOptionalReversed if has_reverse => (CardKind::Reversed, field(0), field(1)),
        NoteKind::BasicOptionalReversed => (CardKind::Basic, field(0), field(1)),
        NoteKind::Cloze => (CardKind::Cloze, field(0), field(1)),
        NoteKind::Other => {
            let back: Vec<String> = (1..note.fields.len())
                .map(field)
                .filter(|f| !f.is_empty())
                .collect();
            (CardKind::Basic, field(0), back.join("\n\n"))
        }
        NoteKind::ImageOcclusion => {
            return Err(format!(
                "note {:?} ({}): image occlusion notes cannot be imported; skipped",
                note.guid, note.notetype
            ));
        }
    })
}

/// The Rehearse item an Anki card of the note (its template `ord`) is, or
/// why its progress cannot be kept: the note type has a card Rehearse has
/// not, or the cloze number is not in the converted text (`clozes`).
fn card_variant(
    note: &AnkiNote,
    kind: CardKind,
    ord: u16,
    clozes: &[u16],
) -> Result<Variant, String> {
    let variant = match (kind, ord) {
        (CardKind::Cloze, ord) => Variant::Cloze(ord.saturating_add(1)),
        (_, 0) => Variant::Forward,
        (CardKind::Reversed, 1) => Variant::Reverse,
        (_, ord) => {
            return Err(format!(
                "note {:?} ({}): card {} has no Rehearse equivalent; its progress is not imported",
                note.guid,
                note.notetype,
                ord + 1
            ));
        }
    };
    if let Variant::Cloze(n) = variant
        && !clozes.contains(&n)
    {
        return Err(format!(
            "note {:?}: cloze {n} is not in the converted text; its progress is not imported",
            note.guid
        ));
    }
    Ok(variant)
}

/// The Rehearse state of an Anki card.
fn state_of(
    card: &AnkiCard,
    reviews: &[ReviewEntry],
    leech: bool,
    fsrs: Option<&fsrs::FSRS>,
) -> CardState {
    let phase = match card.card_type {
        CardType::New => Phase::New,
        CardType::Learning => Phase::Learning { step: 0 },
        CardType::Review => Phase::Review,
        CardType::Relearning => Phase::Relearning { step: 0 },
    };
    let is_new = phase == Phase::New;
    let memory = if is_new {
        None
    } else if let Some(f) = card.fsrs {
        Some(Memory {
            stability: f.stability,
            difficulty: f.difficulty,
        })
    } else if card.interval_days > 0 {
        Some(memory_from_sm2(
            card.ease_permille,
            card.interval_days,
            fsrs,
        ))
    } else {
        None
    };
    let due = match card.due {
        Due::At(t) if !is_new => Some(t),
        _ => None,
    };
    let last_review = if is_new {
        None
    } else {
        card.last_review
            .or_else(|| reviews.last().map(|r| r.at))
            .or_else(|| {
                let due = due?;
                (phase == Phase::Review).then(|| {
                    due.checked_sub(SignedDuration::from_hours(
                        24 * i64::from(card.interval_days),
                    ))
                    .unwrap_or(Timestamp::MIN)
                })
            })
    };
    CardState {
        phase,
        memory,
        due,
        last_review,
        interval_days: if phase == Phase::Review {
            card.interval_days.max(1)
        } else {
            0
        },
        reps: card.reps,
        lapses: card.lapses,
        leech,
        suspended: card.is_suspended(),
        buried_day: None,
    }
}

/// FSRS memory for a card scheduled by SM-2: stability is the interval (at
/// 90 % retention), difficulty follows from the ease
/// ([`fsrs::FSRS::memory_state_from_sm2`], default parameters). Should that
/// fail, stability = interval and difficulty = 11 − 2 × ease (ease 2.5 → 6,
/// clamped to 1–10), a straight-line fit of the same relation.
fn memory_from_sm2(ease_permille: u32, interval_days: u32, fsrs: Option<&fsrs::FSRS>) -> Memory {
    let ease = if ease_permille == 0 {
        2.5
    } else {
        ease_permille as f32 / 1000.0
    };
    let interval = interval_days as f32;
    fsrs.and_then(|f| f.memory_state_from_sm2(ease, interval, 0.9).ok())
        .map(Memory::from)
        .unwrap_or(Memory {
            stability: interval.max(0.1),
            difficulty: (11.0 - 2.0 * ease).clamp(1.0, 10.0),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_guids() {
        assert_eq!(
            card_id_for_guid("abcDEF-12_.x").as_str(),
            "anki-abcDEF-12_.x"
        );
        assert_eq!(
            card_id_for_guid("DF*VS]W~27").as_str(),
            "anki-_44462a56535d577e3237"
        );
        assert_eq!(card_id_for_guid("_x").as_str(), "anki-_5f78");
        assert_eq!(card_id_for_guid("rehearse:h12ab").as_str(), "h12ab");
        let long = "x".repeat(70);
        assert!(card_id_for_guid(&long).as_str().starts_with("anki-__"));
        assert_eq!(card_id_for_guid(&long), card_id_for_guid(&long));
        assert_ne!(card_id_for_guid("a b"), card_id_for_guid("a_b"));
    }

    #[test]
    fn guids_from_ids() {
        for guid in ["abc", "DF*VS]W~27", "_x", "rehearse:h12ab", "l6<a;eOPO&"] {
            assert_eq!(guid_for_card_id(&card_id_for_guid(guid)), guid);
        }
        for id in [
            "h12ab",
            "anki-_41",
            "anki-_zz",
            "anki-__0123",
            "anki-",
            "anki-x",
        ] {
            let id = CardId::new(id).unwrap();
            assert_eq!(card_id_for_guid(&guid_for_card_id(&id)), id, "{id}");
        }
        assert_eq!(guid_for_card_id(&CardId::new("anki-x").unwrap()), "x");
        assert_eq!(guid_for_card_id(&CardId::new("h1").unwrap()), "rehearse:h1");
    }

    #[test]
    fn sm2_memory() {
        let fsrs = fsrs::FSRS::new(&[]).unwrap();
        let m = memory_from_sm2(2500, 10, Some(&fsrs));
        assert!((m.stability - 10.0).abs() < 0.01, "{m:?}");
        assert!((1.0..=10.0).contains(&m.difficulty), "{m:?}");
        let hard = memory_from_sm2(1300, 10, Some(&fsrs));
        assert!(hard.difficulty > m.difficulty, "{hard:?} vs {m:?}");
        let fallback = memory_from_sm2(2500, 10, None);
        assert_eq!(fallback.stability, 10.0);
        assert_eq!(fallback.difficulty, 6.0);
    }
}
