//! Opening a data folder: decks, settings, the state snapshot and the journals, replayed up to now.

use super::*;

impl Collection {
    /// Opens (creating on first use) a data folder. On first use the built-in
    /// decks are copied in. Fails if another instance has the folder open.
    pub fn open(options: OpenOptions, now: Timestamp) -> Result<Self, CollectionError> {
        if !valid_device(&options.device) {
            return Err(CollectionError::InvalidDevice(options.device));
        }
        let dir = DataDir::new(&options.root);
        let read_only = options.read_only;
        let (lock, mut warnings) = lock_and_prepare(&dir, read_only)?;
        let (settings, settings_error) = load_settings(&dir, read_only)?;
        let clock = options
            .clock
            .unwrap_or_else(|| DayClock::local(settings.day_starts_at_hour));
        let schedulers = Schedulers::new(settings, clock)?;
        let (loaded, snapshot) = read_decks_and_snapshot(&dir, read_only, &mut warnings)?;
        let journal = if read_only {
            None
        } else {
            let path = dir.journal_of(&options.device);
            Some(JournalWriter::open(&path).map_err(|e| StoreError::io(&path, e))?)
        };

        let mut collection = Self {
            dir,
            device: options.device,
            _lock: lock,
            decks: loaded.decks,
            deck_errors: loaded.errors,
            deck_problems: Vec::new(),
            items: Vec::new(),
            item_index: HashMap::new(),
            states: HashMap::new(),
            schedulers,
            deck_preset: Vec::new(),
            item_preset: Arc::default(),
            settings_error,
            journal,
            next_event_id: 1,
            marks: BTreeMap::new(),
            recent: Vec::new(),
            undo: Vec::new(),
            warnings: Vec::new(),
            deferred: Vec::new(),
            read_at: now,
            answers_since_snapshot: 0,
            snapshot_job: None,
            cache_job: None,
            cache_use: CacheUse {
                decks_cached: loaded.cached,
                decks_parsed: loaded.parsed,
                ..CacheUse::default()
            },
            indexes: index::Indexes::default(),
            generation: 0,
            due_load: Default::default(),
        };
        collection.index_items();
        collection.load_state(snapshot, now, &mut warnings)?;
        if !read_only {
            // Off the answer path: what had to be parsed or replayed is
            // cached for the next start.
            collection.write_cache_in_background(loaded.writes);
            let use_ = collection.cache_use;
            if use_.state != StateSource::Cache || use_.replayed >= SNAPSHOT_EVERY {
                collection.save_snapshot_in_background();
            }
        }
        warnings.extend(collection.deferred.iter().map(clock::warning));
        collection.warnings.extend(warnings);
        if !read_only {
            collection.end_interview_if_past(now)?;
        }
        collection.next_event_id = collection
            .marks
            .get(&collection.device)
            .map_or(1, |m| m.last_id + 1);
        Ok(collection)
    }

    pub(super) fn index_items(&mut self) {
        self.generation += 1;
        self.items.clear();
        self.item_index.clear();
        self.deck_problems.clear();
        for (d, deck) in self.decks.iter().enumerate() {
            for p in deck::validate(deck) {
                self.deck_problems.push((deck.slug.clone(), p));
            }
            for (c, card) in deck.cards.iter().enumerate() {
                for id in card.items() {
                    if self.item_index.contains_key(&id) {
                        let first = &self.decks[self.items[self.item_index[&id]].deck];
                        if first.slug != deck.slug {
                            self.deck_problems.push((
                                deck.slug.clone(),
                                Problem {
                                    is_error: true,
                                    card: Some(card.id.clone()),
                                    message: format!(
                                        "card `{}` has the same id as a card in deck `{}`; only that one is studied",
                                        card.id, first.slug
                                    ),
                                },
                            ));
                        }
                        continue;
                    }
                    self.item_index.insert(id.clone(), self.items.len());
                    self.items.push(ItemRef {
                        id,
                        deck: d,
                        card: c,
                    });
                }
            }
        }
        self.refresh_presets();
    }

    /// Takes the snapshot (from `.cache/` or a legacy `state.ron`) and
    /// applies the journal tails, or rebuilds from the journals when the
    /// snapshot is missing, stale or unusable.
    pub(super) fn load_state(
        &mut self,
        snapshot: Option<(Snapshot, StateSource)>,
        now: Timestamp,
        warnings: &mut Vec<String>,
    ) -> Result<(), CollectionError> {
        let recent_from = self.recent_cutoff(now);
        let journals = list_journals(&self.dir)?;

        if let Some((snapshot, source)) = snapshot {
            // Every journal the snapshot knows must still be at least as long.
            let consistent = snapshot.journals.iter().all(|(device, mark)| {
                journals
                    .get(device)
                    .and_then(|p| std::fs::metadata(p).ok())
                    .is_some_and(|m| m.len() >= mark.bytes)
            });
            // An event held back whose time has come is applied in its
            // place in history: that takes a rebuild.
            let none_due = snapshot
                .deferred
                .iter()
                .all(|d| clock::held_back(d.at, now));
            if consistent && none_due {
                let (tail, marks, tail_warnings, tail_deferred) =
                    read_journals(&journals, &snapshot.journals, now)?;
                if replay::tail_applies_cleanly(&snapshot.cards, &tail) {
                    self.cache_use.state = source;
                    self.cache_use.replayed = tail.len();
                    self.deferred = snapshot.deferred;
                    self.deferred.extend(tail_deferred);
                    self.states = snapshot.cards;
                    self.recent = snapshot.recent;
                    self.recent.retain(|r| r.at >= recent_from);
                    warnings.extend(tail_warnings);
                    let lookup = presets::Lookup {
                        schedulers: &self.schedulers,
                        by_item: &self.item_preset,
                    };
                    warnings.extend(replay::apply(
                        &lookup,
                        &mut self.states,
                        &mut self.recent,
                        recent_from,
                        tail,
                    ));
                    self.marks = marks;
                    return Ok(());
                }
            }
        }
        self.cache_use.state = StateSource::Rebuilt;
        self.cache_use.replayed =
            self.rebuild_from_journals(&journals, recent_from, now, warnings)?;
        Ok(())
    }

    /// Replays every journal from its start; returns how many events.
    pub(super) fn rebuild_from_journals(
        &mut self,
        journals: &BTreeMap<String, PathBuf>,
        recent_from: Timestamp,
        now: Timestamp,
        warnings: &mut Vec<String>,
    ) -> Result<usize, CollectionError> {
        let (events, marks, read_warnings, deferred) =
            read_journals(journals, &BTreeMap::new(), now)?;
        let replayed = events.len();
        self.deferred = deferred;
        self.read_at = now;
        self.marks = marks;
        warnings.extend(read_warnings);
        self.states.clear();
        self.recent.clear();
        let lookup = presets::Lookup {
            schedulers: &self.schedulers,
            by_item: &self.item_preset,
        };
        warnings.extend(replay::apply(
            &lookup,
            &mut self.states,
            &mut self.recent,
            recent_from,
            events,
        ));
        Ok(replayed)
    }

    /// Answers from the start of yesterday on are kept for today's counts.
    pub(super) fn recent_cutoff(&self, now: Timestamp) -> Timestamp {
        let clock = self.clock();
        clock.start_of_day(clock.day_of(now) - 1)
    }
}

/// Takes the folder's lock and prepares it for use (first-run decks,
/// folders), unless it is opened read-only; returns the lock and what the
/// preparing found worth saying.
fn lock_and_prepare(
    dir: &DataDir,
    read_only: bool,
) -> Result<(Option<DataLock>, Vec<String>), CollectionError> {
    if read_only {
        return Ok((None, Vec::new()));
    }
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e| StoreError::io(&p, e)
    };
    std::fs::create_dir_all(dir.root()).map_err(io(dir.root()))?;
    let lock = DataLock::acquire(&dir.lock())?;
    let warnings = setup::prepare(dir)?;
    std::fs::create_dir_all(dir.journals()).map_err(io(&dir.journals()))?;
    Ok((Some(lock), warnings))
}

/// Reads the decks and the state snapshot, the bulk of start-up, side by
/// side, each from `.cache/` where its files have not changed. A snapshot
/// that cannot be used is a warning: the journals are replayed instead.
fn read_decks_and_snapshot(
    dir: &DataDir,
    read_only: bool,
    warnings: &mut Vec<String>,
) -> Result<(cache::DecksLoaded, Option<(Snapshot, StateSource)>), CollectionError> {
    let journals = list_journals(dir)?;
    let (loaded, snapshot) = std::thread::scope(|scope| {
        let snapshot = scope.spawn(|| read_snapshot(dir, &journals));
        let loaded = cache::load_decks_cached(dir, !read_only);
        let snapshot = snapshot
            .join()
            .unwrap_or_else(|_| Err("the state cache reader crashed".to_string()));
        (loaded, snapshot)
    });
    let snapshot = snapshot.unwrap_or_else(|e| {
        warnings.push(e);
        None
    });
    Ok((loaded, snapshot))
}

/// The state snapshot: from `.cache/state.bin` when that is intact and its
/// journals unchanged, else from a `state.ron` an earlier version left;
/// `None` when neither is usable, an error message when `state.ron` is
/// broken. Either way the journals rebuild what is missing.
pub(super) fn read_snapshot(
    dir: &DataDir,
    journals: &BTreeMap<String, PathBuf>,
) -> Result<Option<(Snapshot, StateSource)>, String> {
    if let Some(s) = crate::store::cache::read_state(dir, journals) {
        return Ok(Some((s, StateSource::Cache)));
    }
    let path = dir.state();
    match std::fs::read_to_string(&path) {
        Ok(text) => match Snapshot::from_ron(&text, &path) {
            Ok(s) if s.version == SNAPSHOT_VERSION => Ok(Some((s, StateSource::Legacy))),
            Ok(_) => Ok(None),
            Err(e) => Err(format!(
                "{e}; the state cache was rebuilt from the journals"
            )),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!(
            "{}: {e}; the state cache was rebuilt from the journals",
            path.display()
        )),
    }
}

pub(super) fn load_settings(
    dir: &DataDir,
    read_only: bool,
) -> Result<(Settings, Option<String>), StoreError> {
    let path = dir.settings();
    match std::fs::read(&path) {
        Ok(bytes) => match deck::utf8(&bytes, &path) {
            Ok(text) => match Settings::from_ron(text) {
                Ok(s) => Ok((s, None)),
                Err(e) => Ok((
                    Settings::default(),
                    Some(format!("{}: {e}; using default settings", path.display())),
                )),
            },
            Err(e) => Ok((
                Settings::default(),
                Some(format!("{e}; using default settings")),
            )),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && read_only => {
            Ok((Settings::default(), None))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let s = Settings::default();
            let text = s.to_ron().map_err(|e| StoreError::encode(&path, e))?;
            store::write_atomic(&path, text.as_bytes()).map_err(|e| StoreError::io(&path, e))?;
            Ok((s, None))
        }
        Err(e) => Err(StoreError::io(&path, e)),
    }
}

/// The deck files in `dir`, sorted: every `*.ron` but a sync tool's
/// conflict copies. A folder that cannot be listed is one failure; one that
/// does not exist holds no decks.
pub(super) fn deck_files(dir: &Path) -> (Vec<PathBuf>, Option<DeckError>) {
    let mut error = None;
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            // An entry that vanished while listing is no deck.
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "ron") && p.is_file())
            // A sync tool's conflict copy is another version of a deck, not a deck.
            .filter(|p| conflict_original(p).is_none())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            error = Some(DeckError::Io {
                path: dir.to_path_buf(),
                message: e.to_string(),
            });
            Vec::new()
        }
    };
    paths.sort();
    (paths, error)
}

/// Loads every `*.ron` in `dir`, in parallel; failures are returned, not fatal.
/// Parses every file: [`Collection::open`] reads unchanged decks from `.cache/`.
pub fn load_decks(dir: &Path) -> (Vec<Deck>, Vec<DeckError>) {
    let (paths, listing) = deck_files(dir);
    let mut errors: Vec<DeckError> = listing.into_iter().collect();
    let results = load_each(
        &paths,
        |p| deck::load_deck(p),
        |p| Err(unexpected_failure(p)),
    );
    let mut decks = Vec::new();
    for r in results {
        match r {
            Ok(d) => decks.push(d),
            Err(e) => errors.push(e),
        }
    }
    decks.sort_by_cached_key(|d| (d.name.to_lowercase(), d.slug.clone()));
    (decks, errors)
}

/// Reads every journal from where `from` says it was read up to (the start,
/// for one it does not name). Events whose dates cannot be right at `now`
/// are held back, not returned.
pub(super) fn read_journals(
    journals: &BTreeMap<String, PathBuf>,
    from: &BTreeMap<String, JournalMark>,
    now: Timestamp,
) -> Result<JournalsRead, StoreError> {
    read_journals_with(journals, from, now, None)
}

/// [`read_journals`], with what reading one device's journal from where
/// `from` says would give already in hand (`known`), so it is not read.
pub(super) fn read_journals_with(
    journals: &BTreeMap<String, PathBuf>,
    from: &BTreeMap<String, JournalMark>,
    now: Timestamp,
    mut known: Option<(&str, store::JournalRead)>,
) -> Result<JournalsRead, StoreError> {
    let mut events = Vec::new();
    let mut marks = from.clone();
    let mut warnings = Vec::new();
    let mut deferred = Vec::new();
    for (device, path) in journals {
        let start = marks.get(device).map_or(0, |m| m.bytes);
        let read = match known.take_if(|(d, _)| d == device) {
            Some((_, read)) => read,
            None => store::read_journal(path, start).map_err(|e| StoreError::io(path, e))?,
        };
        warnings.extend(read.warnings);
        let mark = marks.entry(device.clone()).or_default();
        mark.bytes = read.end;
        for (event, offset) in read.events.into_iter().zip(read.offsets) {
            mark.last_id = mark.last_id.max(event.id());
            if clock::held_back(event.at(), now) {
                let line =
                    store::journal::line_at(path, offset).map_err(|e| StoreError::io(path, e))?;
                deferred.push(Deferred {
                    device: device.clone(),
                    line,
                    at: event.at(),
                });
                continue;
            }
            events.push(DeviceEvent {
                device: device.clone(),
                event,
            });
        }
    }
    Ok((events, marks, warnings, deferred))
}

pub(super) fn list_journals(dir: &DataDir) -> Result<BTreeMap<String, PathBuf>, StoreError> {
    let path = dir.journals();
    let entries = match std::fs::read_dir(&path) {
        Ok(entries) => entries,
        // A folder never written to (opened read-only) has no journals yet.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(StoreError::io(&path, e)),
    };
    Ok(entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .filter_map(|p| {
            let device = p.file_stem()?.to_str()?.to_string();
            valid_device(&device).then_some((device, p))
        })
        .collect())
}

/// What reading the journals gave: the events, how far each journal was
/// read, warnings about skipped lines, and the events held back for their
/// dates (see [`clock`]).
pub(super) type JournalsRead = (
    Vec<DeviceEvent>,
    BTreeMap<String, JournalMark>,
    Vec<String>,
    Vec<Deferred>,
);

/// `load` applied to every path, on up to eight threads, in order. A thread
/// that panicked loses no file silently: each of its paths gets `failed`.
pub(super) fn load_each<T: Send>(
    paths: &[PathBuf],
    load: impl Fn(&PathBuf) -> T + Sync,
    failed: impl Fn(&PathBuf) -> T,
) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(8);
    let chunk = paths.len().div_ceil(threads).max(1);
    let load = &load;
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| {
                let loading = scope.spawn(move || part.iter().map(load).collect::<Vec<_>>());
                (part, loading)
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(part, loading)| {
                loading
                    .join()
                    .unwrap_or_else(|_| part.iter().map(&failed).collect())
            })
            .collect()
    })
}

/// Why a deck file whose loader crashed is not loaded.
pub(super) fn unexpected_failure(path: &Path) -> DeckError {
    DeckError::Io {
        path: path.to_path_buf(),
        message: "loading it failed unexpectedly".into(),
    }
}
