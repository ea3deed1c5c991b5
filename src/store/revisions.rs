//! Keeping every revision readable. Once an upgrade has several revisions,
//! each event commit's notes tree holds a `revisions` subtree naming, for the
//! head and base of every revision, that commit's tree (entry name: the
//! commit id). The trees are then reachable from the notes ref, so they
//! survive `git gc --prune=now` after `refs/upgrades/<id>` moved on, and they
//! travel with the notes ref to every clone: inter-diffs, comments on old
//! revisions and carried approvals work everywhere, always.

use std::collections::HashMap;

use gix::ObjectId;

use super::{note, Store};
use crate::error::{Error, Result};
use crate::record::Record;

/// A `revisions` subtree larger than this is refused unread.
const MAX_REVISIONS_TREE_BYTES: u64 = 1 << 20;

impl Store<'_> {
    /// The tree of commit `commit` (a revision's head or base) of the upgrade
    /// whose notes tip is `tip`: the commit's own tree while the commit is
    /// here, else the one kept in the notes tree.
    pub fn revision_tree(&self, tip: ObjectId, commit: &str) -> Result<ObjectId> {
        let id: ObjectId = commit
            .parse()
            .map_err(|_| Error::failure(format!("{commit:?} is not an object id")))?;
        if let Ok(c) = self.repo.find_commit(id) {
            return Ok(c.tree_id()?.detach());
        }
        self.kept_trees(tip)?
            .into_iter()
            .find(|(name, _)| name == commit)
            .map(|(_, tree)| tree)
            .ok_or_else(|| {
                Error::failure(format!(
                    "commit {} is missing and its tree was not kept",
                    id.to_hex_with_len(12)
                ))
            })
    }

    /// The `(commit id, tree)` pairs kept in the notes tree of event `tip`.
    pub fn kept_trees(&self, tip: ObjectId) -> Result<Vec<(String, ObjectId)>> {
        let commit = self.repo.find_commit(tip)?;
        let tree = self.repo.find_tree(commit.tree_id()?.detach())?;
        let Some(revisions) = note::locate(&tree.decode()?)?.revisions else {
            return Ok(Vec::new());
        };
        super::check_object_size(
            self.repo,
            revisions,
            MAX_REVISIONS_TREE_BYTES,
            "a revisions tree",
        )?;
        let kept = self.repo.find_tree(revisions)?;
        Ok(kept
            .decode()?
            .entries
            .iter()
            .filter(|e| e.mode.is_tree())
            .map(|e| (e.filename.to_string(), e.oid.to_owned()))
            .collect())
    }

    /// The encoded `revisions` subtree for `record` (None with one revision):
    /// each revision's head and base with its tree, as the `parents` event
    /// commits kept it (one tree read each, so a write costs the same with 2
    /// or 50 revisions), else from the commit, which must then be here.
    pub(super) fn revisions_subtree(
        &self,
        record: &Record,
        parents: &[ObjectId],
    ) -> Result<Option<Vec<u8>>> {
        if record.revisions.len() < 2 {
            return Ok(None);
        }
        let mut inherited: HashMap<String, ObjectId> = HashMap::new();
        for p in parents {
            inherited.extend(self.kept_trees(*p)?);
        }
        let mut kept = Vec::with_capacity(record.revisions.len() * 2);
        for commit in record
            .revisions
            .iter()
            .flat_map(|r| [r.head.as_str(), r.base.as_str()])
        {
            let found = match inherited.get(commit) {
                Some(tree) => Some(*tree),
                None => match commit
                    .parse::<ObjectId>()
                    .map(|id| self.repo.find_commit(id))
                {
                    Ok(Ok(c)) => Some(c.tree_id()?.detach()),
                    // A revision this clone never had and no parent kept cannot be kept.
                    _ => None,
                },
            };
            if let Some(tree) = found {
                kept.push((commit.to_string(), tree));
            }
        }
        super::encode(&note::revisions_tree(&kept)).map(Some)
    }
}
