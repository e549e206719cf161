//! The built-in decks meet the rules decks/README.md states, its coverage
//! table matches the decks, and every card renders within the study column.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rehearse::deck::{self, Deck};

const ARTICLES: [&str; 3] = [
    "000_9de84c7924ce48b8.txt",
    "001_0f409d9da86b587e.txt",
    "002_a399d85d958fe749.txt",
];
const MAX_FRONT: usize = 200;
const MAX_BACK: usize = 700;
const MAX_BACK_LINES: usize = 14;
const MIN_TOPIC: usize = 10;

fn decks_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("decks")
}

fn decks() -> Vec<Deck> {
    let (decks, errors) = rehearse::collection::load_decks(&decks_dir());
    assert!(errors.is_empty(), "{errors:?}");
    decks
}

#[test]
fn every_deck_passes_check_with_no_warnings() {
    for d in decks() {
        let problems = deck::validate(&d);
        assert!(problems.is_empty(), "{}: {problems:?}", d.slug);
    }
}

#[test]
fn enough_cards_and_unique_ids() {
    let decks = decks();
    assert!((8..=12).contains(&decks.len()), "{} decks", decks.len());
    let mut seen = HashMap::new();
    let mut total = 0;
    for d in &decks {
        for c in &d.cards {
            total += 1;
            assert!(c.id_pinned, "{}: {} has no explicit id", d.slug, c.id);
            if let Some(other) = seen.insert(c.id.clone(), d.slug.clone()) {
                panic!("id {} is in both {other} and {}", c.id, d.slug);
            }
        }
    }
    assert!(total >= 250, "{total} cards");
}

#[test]
fn cards_have_topic_and_source_and_stay_within_limits() {
    let mut topics: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for d in decks() {
        for c in &d.cards {
            let id = &c.id;
            if c.topic.is_empty() {
                failures.push(format!("{id}: no topic"));
            }
            *topics.entry(c.topic.clone()).or_default() += 1;
            match c.source.as_deref() {
                Some("beyond the articles") => {}
                Some(s)
                    if ARTICLES
                        .iter()
                        .any(|a| s.starts_with(&format!("{a}: ")) && s.len() > a.len() + 2) => {}
                other => failures.push(format!("{id}: source {other:?}")),
            }
            if c.front.chars().count() > MAX_FRONT {
                failures.push(format!(
                    "{id}: front has {} characters",
                    c.front.chars().count()
                ));
            }
            if c.back.chars().count() > MAX_BACK {
                failures.push(format!(
                    "{id}: back has {} characters",
                    c.back.chars().count()
                ));
            }
            if c.back.lines().count() > MAX_BACK_LINES {
                failures.push(format!("{id}: back has {} lines", c.back.lines().count()));
            }
        }
    }
    for (topic, n) in &topics {
        if *n < MIN_TOPIC {
            failures.push(format!("topic {topic:?} has {n} cards"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn words(s: &str) -> HashSet<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(str::to_string)
        .collect()
}

#[test]
fn no_duplicate_or_near_duplicate_fronts() {
    let fronts: Vec<(String, HashSet<String>)> = decks()
        .iter()
        .flat_map(|d| d.cards.iter().map(|c| (c.id.to_string(), words(&c.front))))
        .collect();
    let mut close = Vec::new();
    for (i, (a, wa)) in fronts.iter().enumerate() {
        for (b, wb) in &fronts[i + 1..] {
            if wa.is_empty() || wb.is_empty() {
                continue;
            }
            let shared = wa.intersection(wb).count() as f32;
            let jaccard = shared / wa.union(wb).count() as f32;
            if jaccard >= 0.8 {
                close.push(format!("{a} ~ {b} ({jaccard:.2})"));
            }
        }
    }
    assert!(close.is_empty(), "near-duplicate fronts: {close:#?}");
}

/// Rows of the `## Coverage` table: (concept, article, card ids).
fn coverage() -> Vec<(String, String, Vec<String>)> {
    let text = std::fs::read_to_string(decks_dir().join("README.md")).unwrap();
    let section = text
        .split("## Coverage")
        .nth(1)
        .expect("a ## Coverage section");
    section
        .lines()
        .filter(|l| l.starts_with('|'))
        .skip(2) // header and separator
        .map(|l| {
            let cols: Vec<&str> = l
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            assert_eq!(cols.len(), 3, "row {l:?}");
            let ids = cols[2]
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            (cols[0].to_string(), cols[1].to_string(), ids)
        })
        .collect()
}

#[test]
fn coverage_table_matches_the_decks() {
    let ids: HashSet<String> = decks()
        .iter()
        .flat_map(|d| d.cards.iter().map(|c| c.id.to_string()))
        .collect();
    let rows = coverage();
    assert!(rows.len() >= 60, "{} coverage rows", rows.len());
    let mut per_article: HashMap<&str, usize> = HashMap::new();
    for (concept, article, cards) in &rows {
        assert!(
            ARTICLES.contains(&article.as_str()),
            "{concept}: article {article}"
        );
        *per_article.entry(article.as_str()).or_default() += 1;
        assert!(!cards.is_empty(), "{concept} ({article}) has no card");
        for id in cards {
            assert!(ids.contains(id), "{concept}: card {id} does not exist");
        }
    }
    for a in ARTICLES {
        assert!(
            per_article.get(a).copied().unwrap_or(0) >= 10,
            "{a} is barely covered"
        );
    }
}

const WIDTH: f32 = 720.0;
/// Monospace characters that fit the study column unwrapped (14 pt Hack ≈ 8.4 pt each).
const MAX_CODE_LINE: usize = 80;

/// Lines inside fenced code blocks longer than [`MAX_CODE_LINE`]: they would wrap.
fn long_code_lines(markdown: &str) -> Vec<&str> {
    let mut in_code = false;
    let mut out = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if in_code && line.chars().count() > MAX_CODE_LINE {
            out.push(line);
        }
    }
    out
}

/// Renders a question and answer in the study column, as the study screen does.
fn render(markdown: &mut rehearse::ui::Markdown, q: &str, a: &str) -> f32 {
    let mut used = 0.0f32;
    let mut harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(WIDTH, 2000.0))
        .with_context_setup(rehearse::ui::install_fonts)
        .build_ui(|ui| {
            ui.set_max_width(WIDTH);
            let q = markdown.show(ui, "q", q);
            let a = markdown.show(ui, "a", a);
            used = used.max(q.width()).max(a.width());
        });
    harness.run();
    drop(harness);
    used
}

/// Every card renders in the study column: no glyph is missing from the app's
/// fonts (the harness panics on one), nothing is wider than the column, and no
/// code line is long enough to wrap.
#[test]
fn every_card_renders_within_the_study_column() {
    let mut problems = Vec::new();
    let mut markdown = rehearse::ui::Markdown::default();
    for d in decks() {
        for card in &d.cards {
            for line in long_code_lines(&card.back)
                .into_iter()
                .chain(long_code_lines(&card.front))
            {
                problems.push(format!(
                    "{}: code line of {} characters: {line}",
                    card.id,
                    line.chars().count()
                ));
            }
            for item in card.items() {
                let (q, a) = card.render(item.variant);
                assert!(!q.trim().is_empty(), "{item}: empty question");
                let used = render(&mut markdown, &q, &a);
                if used > WIDTH + 1.0 {
                    problems.push(format!("{item}: {used:.0} points wide"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn long_code_lines_are_found() {
    let long = format!(
        "```sql\nSELECT {} FROM t;\n```\n{}",
        "c, ".repeat(30),
        "prose ".repeat(30)
    );
    assert_eq!(long_code_lines(&long).len(), 1);
    assert!(long_code_lines("```\nshort\n```").is_empty());
}
