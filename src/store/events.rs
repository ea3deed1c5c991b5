//! Reading an upgrade's event log: its notes ref's commit chain (a DAG once
//! clones merge), ordered by the logical clock, then time, then commit id,
//! so every clone shows the same order.

use std::collections::HashSet;

use gix::ObjectId;

use super::{Store, Upgrade};
use crate::error::{Error, Result};
use crate::record::Event;
use crate::replay::{self, ChainEvent, History};

/// The most event commits we walk for one upgrade (a hostile chain could be endless).
const MAX_EVENTS: usize = 100_000;

/// An event with the commit that holds it, its time, parents and author.
pub type LoggedEvent = ChainEvent;

impl Store<'_> {
    /// All events of one upgrade, oldest first.
    pub fn events(&self, upgrade: &Upgrade) -> Result<Vec<LoggedEvent>> {
        self.events_at(&upgrade.id, upgrade.tip)
    }

    /// All events in the chain ending at `tip` of upgrade `id`, oldest first
    /// (no need to read the record first).
    pub fn events_at(&self, id: &str, tip: ObjectId) -> Result<Vec<LoggedEvent>> {
        self.chain_at(id, tip).map(|(events, _)| events)
    }

    /// [`Store::events_at`], also returning the tree of the tip commit (the
    /// notes tree), so a load reads the tip commit once.
    pub(super) fn chain_at(&self, id: &str, tip: ObjectId) -> Result<(Vec<LoggedEvent>, ObjectId)> {
        let mut tip_tree = None;
        let mut seen = HashSet::new();
        let mut todo = vec![tip];
        let mut out = Vec::new();
        while let Some(commit_id) = todo.pop() {
            if !seen.insert(commit_id) {
                continue;
            }
            if seen.len() > MAX_EVENTS {
                return Err(Error::failure(format!(
                    "upgrade {id}: more than {MAX_EVENTS} events"
                )));
            }
            let short = commit_id.to_hex_with_len(12);
            self.check_size(commit_id, super::read::MAX_EVENT_BYTES, "event commit")
                .map_err(|e| e.context(format!("upgrade {id}")))?;
            let commit = self.repo.find_commit(commit_id)?;
            if commit_id == tip {
                tip_tree = Some(commit.tree_id()?.detach());
            }
            let event = Event::from_message(commit.message_raw()?)
                .map_err(|e| e.context(format!("upgrade {id}: event {short}")))?;
            if event.id != id {
                return Err(Error::failure(format!(
                    "upgrade {id}: event {short} belongs to upgrade {:?}",
                    event.id
                )));
            }
            let time = commit.committer()?.seconds();
            let author = crate::repo::format_identity(&commit.author()?.to_owned()?);
            let parents: Vec<ObjectId> = commit.parent_ids().map(|p| p.detach()).collect();
            todo.extend(parents.iter().copied());
            out.push(ChainEvent {
                event,
                time,
                commit: commit_id,
                parents,
                author,
            });
        }
        out.sort_by_key(|e| (e.event.seq, e.time, e.commit));
        // The tip is the first commit read: it has a tree once we are here.
        let tip_tree = tip_tree.ok_or_else(|| Error::failure(format!("upgrade {id}: no tip")))?;
        Ok((out, tip_tree))
    }

    /// Replay the chain ending at `tip` of upgrade `id` (see [`replay`]).
    pub fn history_at(&self, id: &str, tip: ObjectId) -> Result<History> {
        let events = self.events_at(id, tip)?;
        replay::replay(id, tip, &events)
    }

    /// The replayed history of an upgrade.
    pub fn history(&self, upgrade: &Upgrade) -> Result<History> {
        self.history_at(&upgrade.id, upgrade.tip)
    }
}
