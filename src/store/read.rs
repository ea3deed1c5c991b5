//! Reading upgrades: id resolution (exact, then unique prefix, as with commit
//! hashes), one record, or the whole queue. A single-upgrade read touches only
//! that upgrade's refs; it never scans the queue.

use gix::ObjectId;

use super::{notes_ref, LoggedEvent, Store, Upgrade, NOTES_PREFIX};
use crate::error::{Error, Result};
use crate::ids::validate_id;
use crate::record::{Record, MAX_RECORD_BYTES};
use crate::replay::{self, History};

/// Event commits larger than this are refused unread (a message is a subject
/// and a small JSON object; comments and reasons are bounded by the record limit).
pub const MAX_EVENT_BYTES: usize = MAX_RECORD_BYTES + 64 * 1024;
/// A notes tree holds two entries; anything much larger is hostile.
const MAX_NOTES_TREE_BYTES: usize = 64 * 1024;

/// One entry of a listing: the upgrade, or why it could not be read.
pub type Listed = std::result::Result<Upgrade, (String, Error)>;
/// One entry of a listing with its replayed history.
pub type ListedFull = std::result::Result<(Upgrade, History), (String, Error)>;

impl Store<'_> {
    /// Resolve a full id or a unique id prefix to a full id.
    pub fn resolve(&self, text: &str) -> Result<String> {
        validate_id(text)?;
        if self.ref_tip(notes_ref(text).as_str())?.is_some() {
            return Ok(text.to_string());
        }
        let prefix = notes_ref(text);
        let mut matches = Vec::new();
        for r in crate::refs::under(self.repo, prefix.as_str())? {
            let name = match r {
                Ok(r) => r.name,
                Err((_, e)) => return Err(e.context("cannot read the queue's refs")),
            };
            if let Some(id) = name.strip_prefix(NOTES_PREFIX) {
                if validate_id(id).is_ok() {
                    matches.push(id.to_string());
                }
            }
        }
        match matches.len() {
            0 => Err(Error::not_found(format!("no upgrade {text:?}"))
                .hint("`git upgrades list --all` shows every upgrade")),
            1 => Ok(matches.pop().expect("one element")),
            n => {
                matches.truncate(5);
                Err(Error::usage(format!(
                    "upgrade id {text:?} is ambiguous: {n} upgrades match ({}{})",
                    matches.join(", "),
                    if n > 5 { ", …" } else { "" }
                ))
                .hint("type more characters of the id"))
            }
        }
    }

    /// Every direct ref under `prefix`, as (name after the prefix, target), in name order.
    pub fn tips(&self, prefix: &str) -> Result<Vec<(String, ObjectId)>> {
        Ok(crate::refs::tips_under(self.repo, prefix)?
            .into_iter()
            .filter_map(|(name, tip)| Some((name.strip_prefix(prefix)?.to_string(), tip)))
            .collect())
    }

    /// Load an upgrade by full id.
    pub fn load(&self, id: &str) -> Result<Upgrade> {
        let tip = self
            .ref_tip(&notes_ref(id))?
            .ok_or_else(|| Error::not_found(format!("no upgrade {id:?}")))?;
        self.load_at(id, tip)
    }

    /// Load an upgrade by full id with its replayed history.
    pub fn load_full(&self, id: &str) -> Result<(Upgrade, History)> {
        let tip = self
            .ref_tip(&notes_ref(id))?
            .ok_or_else(|| Error::not_found(format!("no upgrade {id:?}")))?;
        self.load_with_history(id, tip)
    }

    /// Resolve and load in one step.
    /// An exact id is looked up once; only a prefix costs a second lookup.
    pub fn find(&self, text: &str) -> Result<Upgrade> {
        validate_id(text)?;
        if let Some(tip) = self.ref_tip(&notes_ref(text))? {
            return self.load_at(text, tip);
        }
        let id = self.resolve(text)?;
        self.load(&id)
    }

    /// Load the record stored in the event commit `tip` of upgrade `id`,
    /// checked against the replay of its event chain: a record that disagrees
    /// with its events is an error, never returned.
    pub fn load_at(&self, id: &str, tip: ObjectId) -> Result<Upgrade> {
        self.load_with_history(id, tip).map(|(up, _)| up)
    }

    /// [`Store::load_at`], also returning the replayed history.
    pub fn load_with_history(&self, id: &str, tip: ObjectId) -> Result<(Upgrade, History)> {
        self.load_with_events(id, tip).map(|(up, h, _)| (up, h))
    }

    /// Resolve and load, with the replayed history and the events (each
    /// event commit read once).
    pub fn find_with_events(&self, text: &str) -> Result<(Upgrade, History, Vec<LoggedEvent>)> {
        let id = self.resolve(text)?;
        let tip = self
            .ref_tip(&notes_ref(&id))?
            .ok_or_else(|| Error::not_found(format!("no upgrade {id:?}")))?;
        self.load_with_events(&id, tip)
    }

    /// [`Store::load_with_history`], also returning the events, oldest first.
    pub fn load_with_events(
        &self,
        id: &str,
        tip: ObjectId,
    ) -> Result<(Upgrade, History, Vec<LoggedEvent>)> {
        let cannot_read = |e: Error| e.context(format!("upgrade {id}: cannot read its record"));
        // The chain first: it reads the tip commit, whose tree holds the record.
        let (events, tree) = match self.chain_at(id, tip) {
            Ok(both) => both,
            Err(e) => {
                // A damaged record is named before a damaged chain, as when
                // the record was read first.
                self.read_record(id, tip).map_err(cannot_read)?;
                return Err(e);
            }
        };
        let record = self.read_record_in(id, tree).map_err(cannot_read)?;
        let history = replay::replay(id, tip, &events)?;
        replay::check_record(&record, &history)?;
        let mut record = record;
        if record.revisions.is_empty() {
            // Written before records listed revisions: the chain has them.
            record.revisions = history.revision_infos(&record.stats);
        }
        Ok((
            Upgrade {
                id: id.to_string(),
                tip,
                record,
            },
            history,
            events,
        ))
    }

    /// Refuse an object larger than `max` bytes from its header, before any
    /// of it is read: a hostile remote can send a note or event of any size.
    pub fn check_size(&self, object: ObjectId, max: usize, what: &str) -> Result<()> {
        let what = format!("{what} {}", object.to_hex_with_len(12));
        super::check_object_size(self.repo, object, max as u64, &what)
    }

    fn read_record(&self, id: &str, tip: ObjectId) -> Result<Record> {
        self.check_size(tip, MAX_EVENT_BYTES, "event commit")?;
        let commit = self.repo.find_commit(tip)?;
        self.read_record_in(id, commit.tree_id()?.detach())
    }

    /// The record in the notes tree `tree_id` of an event commit.
    fn read_record_in(&self, id: &str, tree_id: ObjectId) -> Result<Record> {
        self.check_size(tree_id, MAX_NOTES_TREE_BYTES, "notes tree")?;
        let tree = self.repo.find_tree(tree_id)?;
        let located = super::note::locate(&tree.decode()?)?;
        self.check_size(located.record, MAX_RECORD_BYTES, "record")?;
        let blob = self.repo.find_blob(located.record)?;
        let record = if located.combined {
            Record::from_note(&blob.data, id)?
        } else {
            Record::from_json(&blob.data, id)?
        };
        if located.noted != record.head {
            return Err(Error::failure(
                "damaged record: the note is not attached to the recorded head",
            ));
        }
        Ok(record)
    }

    /// Every upgrade in the repository, sorted by id. Unreadable ones are
    /// reported individually; the rest of the listing still works.
    pub fn list(&self) -> Result<Vec<Listed>> {
        Ok(self
            .list_full()?
            .into_iter()
            .map(|l| l.map(|(up, _)| up))
            .collect())
    }

    /// [`Store::list`] with each upgrade's replayed history.
    pub fn list_full(&self) -> Result<Vec<ListedFull>> {
        Ok(self.iter_full()?.collect())
    }

    /// [`Store::list_full`] one upgrade at a time: each is read when the
    /// iterator reaches it, so a caller that goes through the queue holds
    /// one upgrade in memory, not all of them.
    pub fn iter_full(&self) -> Result<impl ExactSizeIterator<Item = ListedFull> + '_> {
        let refs = crate::refs::under(self.repo, NOTES_PREFIX)?;
        Ok(refs.into_iter().map(move |r| {
            let r = r?;
            let id = r
                .name
                .strip_prefix(NOTES_PREFIX)
                .unwrap_or(&r.name)
                .to_string();
            if let Err(e) = validate_id(&id) {
                return Err((id, e.context("ref name is not a valid upgrade id")));
            }
            let Some(tip) = r.target else {
                return Err((id, Error::failure("notes ref is symbolic")));
            };
            self.load_with_history(&id, tip).map_err(|e| (id, e))
        }))
    }
}
