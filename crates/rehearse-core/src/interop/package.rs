//! Bringing an Anki package into a collection: a preview first, then the
//! cards into their decks (matched by note guid, so a second import changes
//! nothing), media into `media/`, and the review history and scheduling into
//! a journal of their own so statistics and the optimiser see them.

use std::collections::{BTreeMap, HashSet};
use std::ops::ControlFlow;
use std::path::PathBuf;

use jiff::Timestamp;

use std::path::Path;

use super::anki::{self, AnkiError, AnkiPackage, Converted, ItemProgress, Limits};
use crate::collection::{Collection, CollectionError, EditError, ImportRules, StagedImport};
use crate::deck::{CardId, ItemId};
use crate::schedule::{CardState, Rating};
use crate::store::{self, Event, JournalRead, StoreError, Transaction};

/// What an import would bring in, shown before anything is written.
#[derive(Clone, Debug)]
pub struct AnkiPlan {
    /// The package as read.
    pub package: AnkiPackage,
    /// Its notes as Rehearse cards, with their progress.
    pub converted: Converted,
}

impl AnkiPlan {
    /// Decks and how many cards go into each.
    pub fn decks(&self) -> Vec<(String, usize)> {
        let mut out: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &self.converted.cards {
            *out.entry(c.deck.as_str()).or_default() += 1;
        }
        out.into_iter().map(|(d, n)| (d.to_string(), n)).collect()
    }

    /// Answers in the history.
    pub fn reviews(&self) -> usize {
        self.converted.items.iter().map(|i| i.reviews.len()).sum()
    }

    /// Study items that are suspended.
    pub fn suspended(&self) -> usize {
        self.converted.items.iter().filter(|i| i.suspended).count()
    }

    /// Study items that have been answered.
    pub fn studied(&self) -> usize {
        self.converted
            .items
            .iter()
            .filter(|i| i.state.reps > 0 || !i.reviews.is_empty())
            .count()
    }

    /// One line saying what would be imported.
    pub fn summary(&self) -> String {
        let n =
            |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        format!(
            "{} in {}; {} studied ({}), {} suspended; {}",
            n(self.converted.cards.len(), "card", "cards"),
            n(self.decks().len(), "deck", "decks"),
            n(self.studied(), "card side", "card sides"),
            n(self.reviews(), "answer", "answers"),
            self.suspended(),
            n(self.package.media.len(), "media file", "media files")
        )
    }
}

/// Reads and converts a package without touching the collection.
pub fn plan_anki_import(bytes: &[u8]) -> Result<AnkiPlan, AnkiError> {
    let package = anki::read_package(bytes, &Limits::default())?;
    let converted = anki::to_rehearse(&package);
    Ok(AnkiPlan { package, converted })
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnkiReport {
    /// New cards.
    pub added: usize,
    /// Cards updated because the package changed them.
    pub updated: usize,
    /// Cards already as in the package.
    pub unchanged: usize,
    /// Cards not updated because they were changed here after the
    /// package's version (Anki's rule: the newer note wins).
    pub skipped_older: Vec<CardId>,
    /// Answers brought in (those already imported are not counted twice).
    pub reviews: usize,
    /// Items whose state was set from the package.
    pub states: usize,
    /// Media files written.
    pub media: usize,
    /// Media files whose name was taken by a different file here: (name in
    /// the package, name given). The imported cards refer to the new name.
    pub media_renamed: Vec<(String, String)>,
    /// The journal the history went to, if any was written.
    pub journal: Option<PathBuf>,
    /// What went wrong without spoiling the import (the cache not written).
    pub warnings: Vec<String>,
}

impl AnkiReport {
    /// True when the import wrote nothing at all.
    pub fn nothing_changed(&self) -> bool {
        self.added + self.updated + self.reviews + self.states + self.media == 0
    }

    /// One line saying what was done.
    pub fn summary(&self) -> String {
        let mut s = if self.nothing_changed() {
            format!(
                "Nothing changed: the package's {} cards, history and media are already here",
                self.unchanged + self.skipped_older.len()
            )
        } else {
            format!(
                "{} added, {} updated, {} unchanged; {} answers and {} card states brought in; {} media file(s)",
                self.added, self.updated, self.unchanged, self.reviews, self.states, self.media
            )
        };
        s.push_str(&self.notes());
        s
    }

    /// What the counts do not say: cards skipped as older, media renamed.
    /// Empty, or starting with `"; "`.
    pub fn notes(&self) -> String {
        let mut s = String::new();
        if !self.skipped_older.is_empty() {
            let ids: Vec<&str> = self.skipped_older.iter().map(CardId::as_str).collect();
            s.push_str(&format!(
                "; {} skipped, as the version here is newer than the package's: {}",
                ids.len(),
                ids.join(", ")
            ));
        }
        for (from, to) in &self.media_renamed {
            s.push_str(&format!(
                "; media {from} saved as {to} (another file has that name)"
            ));
        }
        for warning in &self.warnings {
            s.push_str(&format!("; {warning}"));
        }
        s
    }
}

/// Why an import stopped. Nothing was written: an import is written as one
/// change (see [`crate::store::txn`]).
#[derive(Debug, thiserror::Error)]
pub enum AnkiImportError {
    /// Writing the cards failed.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// Writing media or the journal failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The collection could not take the history.
    #[error(transparent)]
    Collection(#[from] CollectionError),
    /// Cancelled before anything was written.
    #[error("the import was cancelled; nothing was changed")]
    Cancelled,
}

/// How far an import has got, for a progress display. Until
/// [`ImportStage::Applying`] it can still be cancelled, and nothing has
/// changed in the data folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportStage {
    /// Staging media files: this many of the total.
    Media {
        /// Staged so far.
        done: usize,
        /// In the package.
        total: usize,
    },
    /// Working out which cards are new or changed, and staging their decks.
    Cards,
    /// Writing the history and scheduling into the import's journal.
    History {
        /// Events written so far.
        written: usize,
        /// Events to write.
        total: usize,
    },
    /// Everything staged is being put in place as one change: from here on
    /// the import happens, whatever the answer to this report.
    Committing,
    /// Replaying the imported history into the collection.
    Applying,
    /// Writing the cache so that the next start is fast.
    Caching,
}

/// Imports `plan` into `collection`: cards, media and the journal of history
/// and states are written as one change, so a crash leaves either all of it
/// or none. Only what is new is written: a package imported again, or your
/// own export, writes nothing.
pub fn apply_anki_import(
    collection: &mut Collection,
    plan: &AnkiPlan,
    now: Timestamp,
) -> Result<AnkiReport, AnkiImportError> {
    import_anki(collection, plan.clone(), now, &mut |_| {
        ControlFlow::Continue(())
    })
}

/// [`apply_anki_import`] for a plan that is no longer needed afterwards,
/// reporting each stage to `progress`: each part of the package is let go
/// of as soon as it is staged, and the journal is streamed to disk, so that
/// a large package is never held in memory twice over. When `progress`
/// answers [`ControlFlow::Break`] before [`ImportStage::Committing`], the
/// import stops with [`AnkiImportError::Cancelled`] and the data folder is
/// left as it was (what was staged is removed). Afterwards the state cache
/// is written, so that the next start does not replay the history.
pub fn import_anki(
    collection: &mut Collection,
    mut plan: AnkiPlan,
    now: Timestamp,
    progress: &mut dyn FnMut(ImportStage) -> ControlFlow<()>,
) -> Result<AnkiReport, AnkiImportError> {
    let mut report = AnkiReport::default();
    let mut txn = Transaction::new(collection.root());
    // Media first: a name may have to change, and the cards must say so.
    stage_media(collection, &mut plan, &mut txn, &mut report, progress)?;
    go_on(progress, ImportStage::Cards)?;
    let staged = stage_cards(collection, &mut plan, &mut report)?;
    let items = std::mem::take(&mut plan.converted.items);
    let news = News::find(collection, &items)?;
    report.reviews = news.answers.len();
    report.states = news.states.len();
    let mut written = JournalRead::default();
    if !news.is_empty() {
        let (path, events) = write_history(collection, &items, &news, now, &mut txn, progress)?;
        report.journal = Some(path);
        written = events;
    }
    drop(items);
    drop(news);
    if staged.decks.is_empty() && txn.is_empty() {
        return Ok(report);
    }
    // The last moment to stop with nothing changed.
    go_on(progress, ImportStage::Committing)?;
    collection.commit_import(staged, txn)?;
    if let Some(path) = &report.journal {
        // Past the commit there is nothing to cancel: the stages are only
        // reported, whatever the answer.
        let _ = progress(ImportStage::Applying);
        let device = crate::deck::slug_of(path);
        collection.merge_written_journal(&device, written, now)?;
        let _ = progress(ImportStage::Caching);
        // Only a faster next start: an import that could not write the
        // cache is still whole, and says so.
        if let Err(e) = collection.save_snapshot() {
            report.warnings.push(format!(
                "the cache could not be written ({e}); the next start replays the history"
            ));
        }
    }
    Ok(report)
}

/// Reports `stage`; an answer of [`ControlFlow::Break`] cancels.
fn go_on(
    progress: &mut dyn FnMut(ImportStage) -> ControlFlow<()>,
    stage: ImportStage,
) -> Result<(), AnkiImportError> {
    match progress(stage) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(AnkiImportError::Cancelled),
    }
}

/// Stages the package's media into `txn`, each file let go of once staged;
/// a name taken here by a different file gets a new one, noted in `report`.
fn stage_media(
    collection: &Collection,
    plan: &mut AnkiPlan,
    txn: &mut Transaction,
    report: &mut AnkiReport,
    progress: &mut dyn FnMut(ImportStage) -> ControlFlow<()>,
) -> Result<(), AnkiImportError> {
    let media_dir = collection.data_dir().media();
    let media = std::mem::take(&mut plan.package.media);
    let total = media.len();
    for (done, (name, bytes)) in media.into_iter().enumerate() {
        go_on(progress, ImportStage::Media { done, total })?;
        let (given, write) = media_name_for(&media_dir, &name, &bytes)?;
        if write {
            let path = media_dir.join(&given);
            txn.write(&path, &bytes)
                .map_err(|e| StoreError::io(&path, e))?;
            report.media += 1;
        }
        if given != name {
            report.media_renamed.push((name, given));
        }
    }
    Ok(())
}

/// Works out which of the package's cards are new or changed (pointing
/// them at renamed media), writing nothing yet.
fn stage_cards(
    collection: &Collection,
    plan: &mut AnkiPlan,
    report: &mut AnkiReport,
) -> Result<StagedImport, AnkiImportError> {
    // The notes as Anki had them are no longer needed: the cards and the
    // progress were converted from them.
    plan.package.decks = Vec::new();
    let mut cards: Vec<(String, crate::deck::Card)> = std::mem::take(&mut plan.converted.cards)
        .into_iter()
        .map(|c| (c.deck, c.card))
        .collect();
    if !report.media_renamed.is_empty() {
        for (_, card) in &mut cards {
            for (from, to) in &report.media_renamed {
                card.front = rename_media(&card.front, from, to);
                card.back = rename_media(&card.back, from, to);
            }
        }
    }
    let staged = collection.stage_import(
        cards,
        ImportRules {
            keep_local_topic: true,
            newer_only: true,
        },
    )?;
    report.added = staged.report.added;
    report.updated = staged.report.updated;
    report.unchanged = staged.report.unchanged;
    report.skipped_older = staged.report.skipped_older.clone();
    Ok(staged)
}

/// What of the package's progress the collection does not know yet, as
/// positions into the plan's items: a package imported again, or an updated
/// one, adds just its new answers and changed states.
struct News {
    /// Answers to write, in time order: (when, item, answer of the item).
    answers: Vec<(Timestamp, u32, u32)>,
    /// Items whose state is set from the package.
    states: Vec<u32>,
}

impl News {
    fn find(collection: &Collection, items: &[ItemProgress]) -> Result<Self, AnkiImportError> {
        // Answers are matched at Anki's precision, milliseconds: answers
        // given here carry nanoseconds, the package's copy of them does not.
        let known: HashSet<(ItemId, i64, Rating)> = {
            // Read from the cache where it can be, never written: a cancelled
            // import leaves the folder as it was.
            let history = collection.history_loader()?.without_saving().load()?;
            history
                .answers
                .into_iter()
                .map(|a| (a.item, a.at.as_millisecond(), a.rating))
                .collect()
        };
        let mut answers = Vec::new();
        for (i, progress) in items.iter().enumerate() {
            for (r, review) in progress.reviews.iter().enumerate() {
                if !known.contains(&(
                    progress.item.clone(),
                    review.at.as_millisecond(),
                    review.rating,
                )) {
                    answers.push((review.at, index(i), index(r)));
                }
            }
        }
        // Answers at the same time keep their item and answer order.
        answers.sort_unstable();
        let states = items
            .iter()
            .enumerate()
            .filter(|(_, p)| state_is_news(collection.state(&p.item), &p.state))
            .map(|(i, _)| index(i))
            .collect();
        Ok(Self { answers, states })
    }

    fn len(&self) -> usize {
        self.answers.len() + self.states.len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Streams the new answers and states into the import's journal, staged in
/// `txn` under a name made from its content (the same import twice writes
/// the same file). Returns its path and what it holds, kept as it was
/// written so that it is applied without being read and parsed back.
fn write_history(
    collection: &Collection,
    items: &[ItemProgress],
    news: &News,
    now: Timestamp,
    txn: &mut Transaction,
    progress: &mut dyn FnMut(ImportStage) -> ControlFlow<()>,
) -> Result<(PathBuf, JournalRead), AnkiImportError> {
    let dir = collection.data_dir();
    let total = news.len();
    let mut written = JournalRead::default();
    written.events.reserve_exact(total);
    written.offsets.reserve_exact(total);
    let answers = news.answers.iter().map(|&(_, i, r)| {
        let progress = &items[i as usize];
        let review = &progress.reviews[r as usize];
        Event::Review {
            id: 0,
            at: review.at,
            item: progress.item.clone(),
            rating: review.rating,
            took_ms: review.took_ms,
            days: None,
        }
    });
    let states = news.states.iter().map(|&i| Event::Import {
        id: 0,
        at: now,
        item: items[i as usize].item.clone(),
        state: items[i as usize].state.clone(),
    });
    // An event that would not serialise stops the import, reported as such
    // rather than as a failed write.
    let mut unwritable: Option<ron::Error> = None;
    let path = txn
        .write_streamed(&dir.journal_of("anki-import"), |out| {
            let mut hash = FNV_OFFSET;
            for (n, mut event) in answers.chain(states).enumerate() {
                if n % 20_000 == 0 {
                    go_on(progress, ImportStage::History { written: n, total })
                        .map_err(|_| std::io::Error::from(std::io::ErrorKind::Interrupted))?;
                }
                set_id(&mut event, n as u64 + 1);
                let mut text = event.to_line().map_err(|e| {
                    unwritable = Some(e);
                    std::io::Error::from(std::io::ErrorKind::InvalidData)
                })?;
                text.push('\n');
                hash = fnv1a_more(hash, text.as_bytes());
                out.write_all(text.as_bytes())?;
                written.offsets.push(written.end);
                written.end += text.len() as u64;
                written.events.push(event);
            }
            go_on(
                progress,
                ImportStage::History {
                    written: total,
                    total,
                },
            )
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::Interrupted))?;
            Ok(dir.journal_of(&format!("anki-{hash:016x}")))
        })
        .map_err(|e| -> AnkiImportError {
            let journals = dir.journals();
            if let Some(error) = unwritable.take() {
                StoreError::encode(&journals, error).into()
            } else if e.kind() == std::io::ErrorKind::Interrupted {
                AnkiImportError::Cancelled
            } else {
                StoreError::io(&journals, e).into()
            }
        })?;
    Ok((path, written))
}

/// An index into the plan's items or an item's answers, kept small: a
/// package has at most millions of either.
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// FNV-1a's starting value; see [`crate::deck::fnv1a`].
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a continued over more bytes: the same as [`crate::deck::fnv1a`] over
/// all of them at once.
fn fnv1a_more(mut hash: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Whether an item's state from a package says something the collection
/// does not know: not when it is the same at Anki's precision (due days,
/// milliseconds, f32 memory), and not when the item was answered here after
/// the package's last answer (the newer progress wins, as with the text).
fn state_is_news(local: &CardState, incoming: &CardState) -> bool {
    let ms = |t: Option<Timestamp>| t.map(|t| t.as_millisecond());
    let (here, there) = (ms(local.last_review), ms(incoming.last_review));
    if here.is_some() && here > there {
        return false;
    }
    let close = |a: f32, b: f32| (a - b).abs() <= 1e-3 * a.abs().max(b.abs()).max(1.0);
    let same_memory = match (local.memory, incoming.memory) {
        (None, None) => true,
        (Some(a), Some(b)) => close(a.stability, b.stability) && close(a.difficulty, b.difficulty),
        _ => false,
    };
    // Review cards are due on a day in Anki; learning cards at a second.
    let same_due = match (local.due, incoming.due) {
        (None, None) => true,
        (Some(a), Some(b)) if local.phase == crate::schedule::Phase::Review => {
            (a.as_second() - b.as_second()).abs() < 24 * 3600
        }
        (Some(a), Some(b)) => a.as_second() == b.as_second(),
        _ => false,
    };
    let same = local.phase == incoming.phase
        && same_memory
        && same_due
        && here == there
        && local.interval_days == incoming.interval_days
        && local.reps == incoming.reps
        && local.lapses == incoming.lapses
        && local.leech == incoming.leech
        && local.suspended == incoming.suspended;
    !same
}

/// The name a package's media file gets in `dir`, and whether it must be
/// written: its own name when that is free or already holds the same bytes;
/// otherwise, as Anki does, the name with the content's SHA-1 added
/// (`foo-<sha1>.wav`), so that two different files never share a name and
/// importing the same file again finds it.
fn media_name_for(dir: &Path, name: &str, bytes: &[u8]) -> Result<(String, bool), StoreError> {
    let same = |candidate: &str| -> Result<Option<bool>, StoreError> {
        let path = dir.join(candidate);
        match std::fs::read(&path) {
            Ok(existing) => Ok(Some(existing == bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::io(&path, e)),
        }
    };
    match same(name)? {
        None => return Ok((name.to_string(), true)),
        Some(true) => return Ok((name.to_string(), false)),
        Some(false) => {}
    }
    let hash = anki::sha1_hex(bytes);
    let unique = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}-{hash}.{ext}"),
        _ => format!("{name}-{hash}"),
    };
    match same(&unique)? {
        None => Ok((unique, true)),
        Some(true) => Ok((unique, false)),
        // Another file under the content's own hash: only a collision of
        // SHA-1 itself could do this.
        Some(false) => Err(StoreError::io(
            &dir.join(&unique),
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "a different file already has this name",
            ),
        )),
    }
}

/// `text` with references to the media file `from` (`media/<from>` in
/// Markdown, `[sound:<from>]` as Anki writes sounds) pointing at `to`.
fn rename_media(text: &str, from: &str, to: &str) -> String {
    let mut out = text.to_string();
    for (prefix, ends) in [
        ("media/", &[')', '>', '"', ' ', '\n', '\t', ']'][..]),
        ("[sound:", &[']'][..]),
    ] {
        let needle = format!("{prefix}{from}");
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(&needle) {
            let after = &rest[at + needle.len()..];
            result.push_str(&rest[..at]);
            if after.is_empty() || after.starts_with(ends) {
                result.push_str(prefix);
                result.push_str(to);
            } else {
                result.push_str(&needle);
            }
            rest = after;
        }
        result.push_str(rest);
        out = result;
    }
    out
}

fn set_id(event: &mut Event, n: u64) {
    match event {
        Event::Review { id, .. }
        | Event::Undo { id, .. }
        | Event::Suspend { id, .. }
        | Event::Reset { id, .. }
        | Event::Points { id, .. }
        | Event::Mock { id, .. }
        | Event::Bury { id, .. }
        | Event::Import { id, .. } => *id = n,
    }
}

/// What exporting the cards of some study items (indices into
/// `collection.items()`) as an Anki package writes: each card once, with its
/// items' states and answers, and the media its text refers to.
pub fn export_input(
    collection: &Collection,
    history: &crate::collection::History,
    rows: &[usize],
    now: Timestamp,
) -> Result<anki::ExportInput, StoreError> {
    let mut answers: std::collections::HashMap<&ItemId, Vec<anki::ReviewEntry>> =
        std::collections::HashMap::new();
    for a in &history.answers {
        answers.entry(&a.item).or_default().push(anki::ReviewEntry {
            at: a.at,
            rating: a.rating,
            took_ms: a.took_ms,
        });
    }
    let mut media = BTreeMap::new();
    let media_dir = collection.data_dir().media();
    let mut notes = Vec::new();
    for (deck, card) in super::cards_of_items(collection, rows) {
        let progress = card
            .items()
            .into_iter()
            .filter(|item| collection.states().contains_key(item) || answers.contains_key(item))
            .map(|item| anki::ExportProgress {
                variant: item.variant,
                state: collection.state(&item).clone(),
                reviews: answers.get(&item).cloned().unwrap_or_default(),
            })
            .collect();
        for name in media_names(&card.front).chain(media_names(&card.back)) {
            let path = media_dir.join(name);
            if !media.contains_key(name)
                && let Ok(bytes) = std::fs::read(&path)
            {
                media.insert(name.to_string(), bytes);
            }
        }
        let mut card = card.clone();
        card.modified = modified_time(collection, &card);
        notes.push(anki::ExportNote {
            deck: deck.to_string(),
            card,
            progress,
        });
    }
    Ok(anki::ExportInput { notes, media, now })
}

/// When a card was last changed, for the package's note: its own time when
/// it has one, else its deck file's (it was changed no later than that), in
/// whole seconds as Anki keeps them. So a package of unchanged cards is, on
/// import, the same version and not a newer one.
fn modified_time(collection: &Collection, card: &crate::deck::Card) -> Option<Timestamp> {
    if card.modified.is_some() {
        return card.modified;
    }
    let item = card.items().into_iter().next()?;
    let deck = collection.deck_of(&item)?;
    let path = collection.data_dir().deck_file(&deck.slug);
    let time = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
    Timestamp::from_second(Timestamp::try_from(time).ok()?.as_second()).ok()
}

/// File names a card's Markdown refers to as `media/<name>`.
fn media_names(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("media/").filter_map(|(at, _)| {
        let rest = &text[at + "media/".len()..];
        let end = rest
            .find(|c: char| c == ')' || c == '"' || c.is_whitespace())
            .unwrap_or(rest.len());
        let name = &rest[..end];
        (!name.is_empty() && !name.contains(['/', '\\']) && name != "..").then_some(name)
    })
}

/// Why an Anki package could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum AnkiExportError {
    /// Reading the data folder or writing the package failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The package could not be built.
    #[error(transparent)]
    Anki(#[from] AnkiError),
}

/// Writes the cards of some study items (indices into `collection.items()`),
/// with their history and scheduling, as an Anki package at `path`,
/// atomically. Returns how many notes it holds.
pub fn export_apkg(
    collection: &Collection,
    history: &crate::collection::History,
    rows: &[usize],
    path: &std::path::Path,
    now: Timestamp,
) -> Result<usize, AnkiExportError> {
    let input = export_input(collection, history, rows, now)?;
    let bytes = anki::write_package(&input)?;
    store::write_atomic(path, &bytes).map_err(|e| StoreError::io(path, e))?;
    Ok(input.notes.len())
}
