//! Cards from the app: add, edit, move, tag and delete; each one undoable.

use std::collections::HashSet;

use jiff::Timestamp;

use super::Collection;
use super::edit::*;
use crate::deck::{self, Card, CardId, Deck};

/// What a bulk change does with one card.
enum Fate {
    /// Keep it (changed or not) where it is.
    Keep(Card),
    /// Remove it.
    Drop,
    /// Take it out, to be added to another deck.
    MoveOut(Card),
}

impl Collection {
    /// Where a card is: (deck index, card index).
    pub(super) fn find_card(&self, id: &CardId) -> Option<(usize, usize)> {
        self.decks
            .iter()
            .enumerate()
            .find_map(|(d, deck)| deck.cards.iter().position(|c| c.id == *id).map(|c| (d, c)))
    }

    /// Adds `card` to deck `slug`, or replaces the card `original` (moving it
    /// to `slug` if it lives elsewhere). The card keeps its id, and with it
    /// its progress.
    pub fn save_card(
        &mut self,
        slug: &str,
        original: Option<&CardId>,
        card: Card,
        now: Timestamp,
    ) -> Result<(), EditError> {
        self.require_writable()?;
        let target = self.deck_index(slug)?;
        let problems: Vec<String> = deck::validate(&Deck {
            slug: String::new(),
            name: String::new(),
            description: String::new(),
            cards: vec![card.clone()],
        })
        .into_iter()
        .filter(|p| p.is_error)
        .map(|p| p.message.replacen("card 1 ", "", 1))
        .collect();
        if let Some(first) = problems.first() {
            return Err(EditError::Invalid(first.clone()));
        }
        if let Some((d, _)) = self.find_card(&card.id)
            && original != Some(&card.id)
        {
            return Err(EditError::DuplicateId {
                id: card.id.clone(),
                deck: self.decks[d].slug.clone(),
            });
        }
        let mut changed: Vec<Deck> = Vec::new();
        let mut card = card;
        card.id_pinned = true;
        // Saved unchanged, a card keeps the modification time it came with;
        // changed, it is stamped now (what `edited:N` searches and a later
        // Anki import compare with). A new card is stamped as added now.
        match original.and_then(|id| self.find_card(id)) {
            Some((d, c)) => {
                let old = &self.decks[d].cards[c];
                card.added = old.added;
                let mut same = card.clone();
                same.modified = old.modified;
                card.modified = if same == *old {
                    old.modified
                } else {
                    Some(now)
                };
            }
            None => {
                card.added = card.added.or(Some(now));
                card.modified = None;
            }
        }
        let label;
        match original.and_then(|id| self.find_card(id).map(|at| (id, at))) {
            Some((_, (d, c))) if d == target => {
                let mut deck = self.decks[d].clone();
                deck.cards[c] = card;
                label = "edit card".to_string();
                changed.push(deck);
            }
            Some((_, (d, c))) => {
                let mut from = self.decks[d].clone();
                from.cards.remove(c);
                let mut to = self.decks[target].clone();
                to.cards.push(card);
                label = format!("move card to \"{}\"", to.name);
                changed.push(from);
                changed.push(to);
            }
            None => {
                let mut deck = self.decks[target].clone();
                deck.cards.push(card);
                label = format!("add card to \"{}\"", deck.name);
                changed.push(deck);
            }
        }
        self.commit_decks(label, changed, Vec::new())
    }

    /// Applies `f` to every card in `ids`, as one undoable change; cards it
    /// moves out go to deck index `into`. Returns how many cards it touched.
    fn change_cards(
        &mut self,
        ids: &[CardId],
        label: String,
        mut f: impl FnMut(Card) -> Fate,
        into: Option<usize>,
    ) -> Result<usize, EditError> {
        self.require_writable()?;
        let wanted: HashSet<&CardId> = ids.iter().collect();
        let mut decks: Vec<Deck> = Vec::new();
        let mut moved: Vec<Card> = Vec::new();
        let mut count = 0;
        for deck in &self.decks {
            if !deck.cards.iter().any(|c| wanted.contains(&c.id)) {
                continue;
            }
            let mut deck = deck.clone();
            deck.cards = std::mem::take(&mut deck.cards)
                .into_iter()
                .filter_map(|card| {
                    if !wanted.contains(&card.id) {
                        return Some(card);
                    }
                    count += 1;
                    match f(card) {
                        Fate::Keep(card) => Some(card),
                        Fate::Drop => None,
                        Fate::MoveOut(card) => {
                            moved.push(card);
                            None
                        }
                    }
                })
                .collect();
            decks.push(deck);
        }
        if count == 0 {
            return Ok(0);
        }
        if let Some(t) = into {
            let slug = self.decks[t].slug.clone();
            match decks.iter_mut().find(|d| d.slug == slug) {
                Some(d) => d.cards.extend(moved),
                None => {
                    let mut d = self.decks[t].clone();
                    d.cards.extend(moved);
                    decks.push(d);
                }
            }
        }
        self.commit_decks(label, decks, Vec::new())?;
        Ok(count)
    }

    /// Deletes cards from their decks. Their progress stays in the journal,
    /// so undo (or adding a card with the same id) brings it back.
    pub fn delete_cards(&mut self, ids: &[CardId]) -> Result<usize, EditError> {
        let items = self.items_of_cards(ids);
        let label = if items == ids.len() {
            format!("delete {} card{}", ids.len(), plural(ids.len()))
        } else {
            format!(
                "delete {} card{} ({items} study items)",
                ids.len(),
                plural(ids.len())
            )
        };
        self.change_cards(ids, label, |_| Fate::Drop, None)
    }

    /// Moves cards to deck `slug`, keeping their progress.
    pub fn move_cards(&mut self, ids: &[CardId], slug: &str) -> Result<usize, EditError> {
        let target = self.deck_index(slug)?;
        let already: HashSet<&CardId> = self.decks[target].cards.iter().map(|c| &c.id).collect();
        let to_move: Vec<CardId> = ids
            .iter()
            .filter(|id| !already.contains(id))
            .cloned()
            .collect();
        let label = format!(
            "move {} card{} to \"{}\"",
            to_move.len(),
            plural(to_move.len()),
            self.decks[target].name
        );
        self.change_cards(&to_move, label, Fate::MoveOut, Some(target))
    }

    /// Adds or removes a tag on cards.
    pub fn tag_cards(&mut self, ids: &[CardId], tag: &str, add: bool) -> Result<usize, EditError> {
        let tag = tag.trim().to_string();
        if tag.is_empty() || tag.contains(char::is_whitespace) {
            return Err(EditError::Invalid(format!(
                "`{tag}` is not a tag: a tag is one word (join words with - or _)"
            )));
        }
        let label = if add {
            format!("tag {} card{} {tag}", ids.len(), plural(ids.len()))
        } else {
            format!("untag {tag} from {} card{}", ids.len(), plural(ids.len()))
        };
        self.change_cards(
            ids,
            label,
            |mut card| {
                if add && !card.tags.contains(&tag) {
                    card.tags.push(tag.clone());
                } else if !add {
                    card.tags.retain(|t| *t != tag);
                }
                Fate::Keep(card)
            },
            None,
        )
    }

    /// How many study items (sides, cloze numbers) the cards `ids` have.
    pub fn items_of_cards(&self, ids: &[CardId]) -> usize {
        let wanted: HashSet<&CardId> = ids.iter().collect();
        self.items
            .iter()
            .filter(|i| wanted.contains(&i.id.card))
            .count()
    }
}
