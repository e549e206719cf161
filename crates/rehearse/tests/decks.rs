//! The built-in decks meet the rules decks/README.md states, its deck and
//! coverage tables match the decks, tags come from one vocabulary, and every
//! card renders within the study column.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use rehearse_core::deck::{self, CardKind, Deck};

const ARTICLES: [&str; 3] = [
    "000_9de84c7924ce48b8.txt",
    "001_0f409d9da86b587e.txt",
    "002_a399d85d958fe749.txt",
];
const MAX_FRONT: usize = 200;
/// The back of a Basic, Reversed or Cloze card: one answer to recall.
const MAX_BACK: usize = 500;
/// The back of a Rubric card: optional notes shown after marking.
const MAX_RUBRIC_BACK: usize = 700;
const MAX_BACK_LINES: usize = 14;
const MIN_TOPIC: usize = 10;
const MIN_CARDS: usize = 700;

/// Each deck file (by stem) and the prefix its card ids start with.
const DECKS: [(&str, &str); 18] = [
    ("backend-fundamentals", "bf-"),
    ("responsibilities", "resp-"),
    ("languages-frameworks", "lang-"),
    ("databases", "db-"),
    ("apis", "api-"),
    ("cloud-ops", "ops-"),
    ("security", "sec-"),
    ("performance-reliability", "perf-"),
    ("systems-in-practice", "sys-"),
    ("career", "car-"),
    ("distributed-systems", "dist-"),
    ("messaging", "msg-"),
    ("networking", "net-"),
    ("concurrency", "conc-"),
    ("estimation", "est-"),
    ("system-design-exercises", "sde-"),
    ("behavioural-prompts", "beh-"),
    ("explain-it", "expl-"),
];

/// Decks of Rubric prompts (every card `kind: Rubric`, and only there): the
/// key points each prompt has and its time box in minutes.
const RUBRIC_DECKS: [(&str, RangeInclusive<usize>, RangeInclusive<u32>); 3] = [
    ("system-design-exercises", 6..=10, 30..=45),
    ("behavioural-prompts", 5..=8, 3..=5),
    ("explain-it", 5..=8, 5..=10),
];

/// Cards moved to another deck keep their shipped id, and with it the prefix
/// of the deck they first shipped in: a learner's progress follows the id.
const MOVED: [&str; 49] = [
    "api-authn-vs-authz",
    "api-bola",
    "api-cors",
    "api-encryption-transit-rest",
    "api-etag-conditional",
    "api-jwt-validation",
    "api-oauth-grants-cloze",
    "api-oauth-pkce",
    "api-oauth2-roles",
    "api-post-201-location",
    "api-put-vs-patch",
    "api-safe-idempotent-methods",
    "api-sessions-vs-jwt",
    "api-sql-injection",
    "api-status-4xx",
    "api-status-5xx",
    "api-status-classes-cloze",
    "api-term-idempotent",
    "api-term-least-privilege",
    "car-term-runbook",
    "db-cap-theorem",
    "db-strong-vs-eventual",
    "db-tunable-consistency",
    "lang-term-event-loop",
    "ops-elk",
    "ops-observability-pillars",
    "ops-prometheus-alerting",
    "ops-prometheus-metric-types-cloze",
    "ops-prometheus-pull",
    "ops-promql",
    "perf-delivery-cloze",
    "perf-load-balancer",
    "perf-message-queues",
    "perf-term-dlq",
    "resp-capacity-planning",
    "resp-graceful-shutdown",
    "resp-incident-phases-cloze",
    "resp-load-testing",
    "resp-maintenance-work",
    "resp-on-call",
    "resp-reproduce-bug",
    "resp-rollback-vs-fix-forward",
    "resp-safe-deploy",
    "resp-scale-design-review",
    "resp-term-feature-flag",
    "resp-term-scalability",
    "resp-term-toil",
    "sys-saga",
    "sys-term-outbox",
];

/// The tag vocabulary, sorted: one tag per concept, British spelling. A card
/// with a new concept adds its tag here; a tag no card uses is removed.
const TAGS: [&str; 159] = [
    "ai",
    "alerting",
    "api",
    "api-gateway",
    "architecture",
    "async",
    "atomics",
    "authentication",
    "authorisation",
    "aws",
    "azure",
    "backups",
    "behavioural",
    "browser",
    "business-logic",
    "caching",
    "capacity-planning",
    "career",
    "cassandra",
    "cdc",
    "cdn",
    "ci-cd",
    "clean-code",
    "clocks",
    "cloud",
    "cloud-storage",
    "code-review",
    "collaboration",
    "compensation",
    "concurrency",
    "consensus",
    "consistency",
    "containers",
    "csrf",
    "data-modelling",
    "databases",
    "debugging",
    "dependency-injection",
    "deployment",
    "disaster-recovery",
    "distributed-systems",
    "distributed-transactions",
    "django",
    "dns",
    "docker",
    "documentation",
    "e-commerce",
    "elk",
    "encryption",
    "error-handling",
    "estimation",
    "event-loop",
    "event-sourcing",
    "feature-flags",
    "feeds",
    "flask",
    "frameworks",
    "frontend",
    "gc",
    "gcp",
    "git",
    "go",
    "graphql",
    "grpc",
    "hashing",
    "helm",
    "http",
    "iac",
    "iam",
    "idempotency",
    "incidents",
    "indexing",
    "injection",
    "integrations",
    "interview",
    "isolation",
    "java",
    "jwt",
    "kafka",
    "kubernetes",
    "latency",
    "leadership",
    "learning",
    "least-privilege",
    "load-balancing",
    "locks",
    "logging",
    "messaging",
    "metrics",
    "mfa",
    "microservices",
    "migrations",
    "mongodb",
    "mysql",
    "negotiation",
    "networking",
    "nodejs",
    "normalisation",
    "nosql",
    "oauth",
    "object-storage",
    "observability",
    "oidc",
    "on-call",
    "openapi",
    "operations",
    "orm",
    "owasp",
    "pagination",
    "passwords",
    "payments",
    "performance",
    "postgresql",
    "privacy",
    "process",
    "profiling",
    "prometheus",
    "python",
    "rails",
    "rate-limiting",
    "redis",
    "redundancy",
    "reliability",
    "replication",
    "resilience",
    "rest",
    "reverse-proxy",
    "ruby",
    "scaling",
    "search",
    "secrets",
    "security",
    "serialisation",
    "serverless",
    "sessions",
    "sharding",
    "slo",
    "social",
    "soft-skills",
    "spring-boot",
    "sql",
    "ssrf",
    "statelessness",
    "storage-engines",
    "supply-chain",
    "system-design",
    "tcp",
    "terraform",
    "testing",
    "threads",
    "tls",
    "tracing",
    "transactions",
    "validation",
    "versioning",
    "webhooks",
    "websockets",
    "wellbeing",
    "xss",
];

/// American spellings kept out of card prose (code is exempt): the decks use
/// British spelling. Names such as OAuth's "authorization code" and SQL's
/// Serializable level are kept as they are.
const AMERICAN: [&str; 31] = [
    "analyz",
    "behavior",
    "canceled",
    "categoriz",
    "centraliz",
    "color",
    "containeriz",
    "customiz",
    "defense",
    "emphasiz",
    "favor",
    "honor",
    "initializ",
    "labeled",
    "minimiz",
    "modeled",
    "modeling",
    "normaliz",
    "optimiz",
    "organiz",
    "parameteriz",
    "personaliz",
    "prioritiz",
    "recogniz",
    "sanitiz",
    "specializ",
    "standardiz",
    "summariz",
    "synchroniz",
    "utiliz",
    "visualiz",
];

fn decks_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../decks")
}

fn decks() -> Vec<Deck> {
    let (decks, errors) = rehearse_core::collection::load_decks(&decks_dir());
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
    assert_eq!(decks.len(), DECKS.len(), "deck files and DECKS differ");
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
    assert!(total >= MIN_CARDS, "{total} cards");
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
            let max_back = if c.kind == CardKind::Rubric {
                MAX_RUBRIC_BACK
            } else {
                MAX_BACK
            };
            if c.back.chars().count() > max_back {
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

#[test]
fn ids_start_with_their_deck_prefix() {
    let prefixes: HashMap<&str, &str> = DECKS.into_iter().collect();
    let mut moved = HashSet::new();
    let mut failures = Vec::new();
    for d in decks() {
        let prefix = prefixes
            .get(d.slug.as_str())
            .unwrap_or_else(|| panic!("{} is not in DECKS", d.slug));
        for c in &d.cards {
            let id = c.id.as_str();
            if !id
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            {
                failures.push(format!("{id}: use only a-z, 0-9 and -"));
            }
            if id.starts_with(prefix) {
                continue;
            }
            if MOVED.contains(&id) && DECKS.iter().any(|(_, p)| id.starts_with(p)) {
                moved.insert(id.to_string());
            } else {
                failures.push(format!("{}: {id} does not start with {prefix}", d.slug));
            }
        }
    }
    for id in MOVED {
        if !moved.contains(id) {
            failures.push(format!("{id} is in MOVED but is not a moved card"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn tags_come_from_one_vocabulary() {
    let mut sorted = TAGS.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, TAGS, "keep TAGS sorted and free of duplicates");
    let mut used = HashSet::new();
    let mut failures = Vec::new();
    for d in decks() {
        for c in &d.cards {
            if c.tags.is_empty() {
                failures.push(format!("{}: no tags", c.id));
            }
            for t in &c.tags {
                if TAGS.binary_search(&t.as_str()).is_err() {
                    failures.push(format!("{}: tag {t:?} is not in TAGS", c.id));
                }
                used.insert(t.clone());
            }
        }
    }
    for t in TAGS {
        if !used.contains(t) {
            failures.push(format!("tag {t:?} is in TAGS but no card uses it"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn rubric_decks_hold_rubric_cards_within_their_ranges() {
    let mut failures = Vec::new();
    for d in decks() {
        let rubric = RUBRIC_DECKS.iter().find(|(slug, ..)| *slug == d.slug);
        for c in &d.cards {
            let id = &c.id;
            let Some((_, points, minutes)) = rubric else {
                if c.kind == CardKind::Rubric {
                    failures.push(format!("{id}: Rubric card outside RUBRIC_DECKS"));
                }
                continue;
            };
            if c.kind != CardKind::Rubric {
                failures.push(format!("{id}: not a Rubric card"));
                continue;
            }
            let n = c.rubric.points.len();
            if !points.contains(&n) {
                failures.push(format!("{id}: {n} key points, not {points:?}"));
            }
            match c.rubric.time_box.map(|t| t.seconds()) {
                Some(s) if s % 60 == 0 && minutes.contains(&(s / 60)) => {}
                other => failures.push(format!("{id}: time box {other:?} s, not {minutes:?} min")),
            }
            let mut seen = HashSet::new();
            for p in &c.rubric.points {
                if p.chars().count() > deck::RUBRIC_POINT_MAX_CHARS {
                    failures.push(format!("{id}: key point too long: {p}"));
                }
                if !seen.insert(p.to_lowercase()) {
                    failures.push(format!("{id}: key point twice: {p}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Markdown without fenced code blocks and inline code spans.
fn prose(markdown: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code {
            for (i, part) in line.split('`').enumerate() {
                if i % 2 == 0 {
                    out.push_str(part);
                }
            }
            out.push('\n');
        }
    }
    out
}

#[test]
fn card_text_uses_british_spelling() {
    let mut failures = Vec::new();
    for d in decks() {
        for c in &d.cards {
            let source = c.source.as_deref().unwrap_or_default();
            let text = [c.front.as_str(), &c.back, &c.topic, source]
                .into_iter()
                .chain(c.rubric.points.iter().map(String::as_str))
                .map(prose)
                .collect::<Vec<_>>()
                .join("\n")
                .to_lowercase();
            for w in AMERICAN {
                if text.contains(w) {
                    failures.push(format!("{}: {w}", c.id));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn readme_deck_table_matches_the_decks() {
    let text = std::fs::read_to_string(decks_dir().join("README.md")).unwrap();
    let section = text
        .split("## Decks")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a ## Decks section");
    let rows: Vec<Vec<&str>> = section
        .lines()
        .filter(|l| l.starts_with('|'))
        .skip(2) // header and separator
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect()
        })
        .collect();
    let prefixes: HashMap<&str, &str> = DECKS.into_iter().collect();
    let decks = decks();
    assert_eq!(rows.len(), decks.len(), "one row per deck");
    let mut total = 0;
    for d in &decks {
        let file = format!("{}.ron", d.slug);
        let row = rows
            .iter()
            .find(|r| r[0] == file)
            .unwrap_or_else(|| panic!("{file} is not in the deck table"));
        let mut topics: Vec<(&str, usize)> = Vec::new();
        for c in &d.cards {
            match topics.iter_mut().find(|(t, _)| *t == c.topic) {
                Some((_, n)) => *n += 1,
                None => topics.push((&c.topic, 1)),
            }
        }
        let topics: Vec<String> = topics.iter().map(|(t, n)| format!("{t} ({n})")).collect();
        assert_eq!(row.len(), 5, "{file}: row {row:?}");
        assert_eq!(row[1], d.name, "{file}: name");
        assert_eq!(
            row[2],
            format!("`{}`", prefixes[d.slug.as_str()]),
            "{file}: prefix"
        );
        assert_eq!(row[3], d.cards.len().to_string(), "{file}: card count");
        assert_eq!(row[4], topics.join("; "), "{file}: topics in file order");
        total += d.cards.len();
    }
    let line = format!("Total: {total} cards in {} decks.", decks.len());
    assert!(
        section.contains(&line),
        "the deck table should end with {line:?}"
    );
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
