//! Persistence of upgrades in git refs and notes (see `docs/FORMAT.md`).
//!
//! - `refs/upgrades/<id>`: the proposed head, while the upgrade is open;
//! - `refs/upgrades-archive/<id>`: the reviewed head once closed, so it
//!   stays reachable (and readable) until pruned;
//! - `refs/notes/upgrades/<id>`: a notes ref whose commit chain is the event
//!   log and whose tree notes the head commit with the current record.
//!
//! Every write is one all-or-nothing compare-and-swap ref transaction. This
//! module never prints and never decides policy.

pub mod cache;
mod events;
pub mod lock;
mod read;
pub mod sign;

use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};
use gix::refs::{FullName, Target};
use gix::ObjectId;

pub use events::LoggedEvent;
pub use read::{Listed, ListedFull};

use crate::error::{Error, Kind, Result};
use crate::record::{Event, Record};

/// Prefix of the open queue's refs.
pub const OPEN_PREFIX: &str = "refs/upgrades/";
/// Prefix of the refs that keep closed upgrades' heads reachable.
pub const ARCHIVE_PREFIX: &str = "refs/upgrades-archive/";
/// Prefix of the per-upgrade notes refs (the record and event log).
pub const NOTES_PREFIX: &str = "refs/notes/upgrades/";

/// An upgrade as read from its notes ref.
#[derive(Debug, Clone)]
pub struct Upgrade {
    /// Its id.
    pub id: String,
    /// The notes ref's tip: the latest event commit (what a write must compare against).
    pub tip: ObjectId,
    /// The current record.
    pub record: Record,
}

/// The refs of one upgrade.
pub fn open_ref(id: &str) -> String {
    format!("{OPEN_PREFIX}{id}")
}
/// The archive ref of one upgrade.
pub fn archive_ref(id: &str) -> String {
    format!("{ARCHIVE_PREFIX}{id}")
}
/// The notes ref of one upgrade.
pub fn notes_ref(id: &str) -> String {
    format!("{NOTES_PREFIX}{id}")
}
/// The full ref of a target branch.
pub fn branch_ref(branch: &str) -> String {
    format!("refs/heads/{branch}")
}

/// Reading and writing upgrades in one repository.
pub struct Store<'r> {
    /// The repository.
    pub repo: &'r gix::Repository,
}

/// One event to append, with the refs that must change in the same transaction.
pub struct Append<'a> {
    /// The upgrade's new record (its state after the event).
    pub record: &'a Record,
    /// The event.
    pub event: &'a Event,
    /// The notes tip the event was computed from; None when creating the upgrade.
    pub previous_tip: Option<ObjectId>,
    /// A second parent, for merges of two clones' histories (parents are then sorted).
    pub merge_parent: Option<ObjectId>,
    /// Other ref updates that must happen atomically with it.
    pub extra: Vec<RefEdit>,
    /// The event commit's author and committer (its time is the event time).
    pub signature: &'a gix::actor::Signature,
    /// Sign the event commit with git's signing set-up.
    pub sign: bool,
    /// Called with the written event commit before any ref moves (e.g. to
    /// verify its signature); an error aborts the write.
    pub check_signed: Option<&'a dyn Fn(ObjectId) -> Result<()>>,
}

impl<'a> Append<'a> {
    /// The common case: one event after `previous_tip`, unsigned, with `extra` ref edits.
    pub fn event(
        record: &'a Record,
        event: &'a Event,
        previous_tip: ObjectId,
        signature: &'a gix::actor::Signature,
        extra: Vec<RefEdit>,
    ) -> Self {
        Append {
            record,
            event,
            previous_tip: Some(previous_tip),
            merge_parent: None,
            extra,
            signature,
            sign: false,
            check_signed: None,
        }
    }
}

impl<'r> Store<'r> {
    /// A store over `repo`.
    pub fn new(repo: &'r gix::Repository) -> Self {
        Store { repo }
    }

    /// Append one event: write the record note and the event commit, then
    /// update the notes ref and `extra` refs in one compare-and-swap transaction.
    /// Returns the new tip. A lost race is a [`Kind::Conflict`] error and changes nothing.
    pub fn append(&self, a: Append<'_>) -> Result<ObjectId> {
        let record = a.record;
        let blob = self.repo.write_blob(record.to_note())?.detach();
        let tree = gix::objs::Tree {
            entries: vec![gix::objs::tree::Entry {
                mode: gix::objs::tree::EntryKind::Blob.into(),
                filename: record.head.clone().into(),
                oid: blob,
            }],
        };
        let tree = self.repo.write_object(&tree)?.detach();
        let commit = gix::objs::Commit {
            tree,
            parents: {
                let mut parents: Vec<ObjectId> =
                    a.previous_tip.into_iter().chain(a.merge_parent).collect();
                if a.merge_parent.is_some() {
                    parents.sort();
                }
                parents.into_iter().collect()
            },
            author: a.signature.clone(),
            committer: a.signature.clone(),
            encoding: None,
            message: a.event.to_message(&record.description).into(),
            extra_headers: Vec::new(),
        };
        let commit = if a.sign {
            sign::write_signed(self.repo, &commit)?
        } else {
            self.repo.write_object(&commit)?.detach()
        };
        if let Some(check) = a.check_signed {
            check(commit)?;
        }
        let expected = match a.previous_tip {
            Some(tip) => PreviousValue::MustExistAndMatch(Target::Object(tip)),
            None => PreviousValue::MustNotExist,
        };
        let mut edits = vec![update(
            &notes_ref(&record.id),
            expected,
            commit,
            a.event.event.as_str(),
        )?];
        edits.extend(a.extra);
        self.transaction(edits)?;
        Ok(commit)
    }

    /// Apply ref edits all-or-nothing; a failed comparison is a conflict.
    pub fn transaction(&self, edits: Vec<RefEdit>) -> Result<()> {
        let _guard = lock::write_lock(self.repo.common_dir())?;
        let mut waited = 0;
        loop {
            let err = match self.repo.edit_references(edits.clone()) {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            if err.is_conflict() {
                let mut out: Error = err.into();
                out.kind = Kind::Conflict;
                out.message = "another process updated this upgrade at the same time".into();
                return Err(out);
            }
            let text = Error::from(err).to_string();
            let Some(lock_file) = lock::lock_file_in(&text) else {
                return Err(Error::failure(text));
            };
            if lock::is_ours(&lock_file, self.repo.common_dir())
                || lock::is_ours(&lock_file, self.repo.git_dir())
            {
                // We hold the write lock, so no live writer of ours owns it.
                if std::fs::remove_file(&lock_file).is_ok() {
                    lock::notice(format!(
                        "removed a lock left by an interrupted process: {}",
                        lock_file.display()
                    ));
                    continue;
                }
            }
            waited += 1;
            if waited > 20 {
                return Err(Error::conflict(format!(
                    "{} is locked by another process",
                    lock_file.display()
                ))
                .hint("if no git process is running, delete that file"));
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// The current tip of a ref, if it exists and points at an object.
    pub fn ref_tip(&self, name: &str) -> Result<Option<ObjectId>> {
        Ok(self
            .repo
            .try_find_reference(name)?
            .and_then(|r| r.target().try_id().map(ToOwned::to_owned)))
    }
}

/// A reflogged update of `name` to `new`, guarded by `expected`.
pub fn update(name: &str, expected: PreviousValue, new: ObjectId, why: &str) -> Result<RefEdit> {
    Ok(RefEdit {
        change: Change::Update {
            log: LogChange {
                mode: RefLog::AndReference,
                force_create_reflog: false,
                message: format!("upgrades: {why}").into(),
            },
            expected,
            new: Target::Object(new),
        },
        name: full_name(name)?,
        deref: false,
    })
}

/// The ref edits that close an upgrade (reject, fail, expire): its open ref
/// goes (if it still points at `head`), its archive ref keeps `head` reachable.
pub fn close_refs(id: &str, head: &str, why: &str) -> Result<Vec<RefEdit>> {
    let head: ObjectId = head
        .parse()
        .map_err(|_| Error::failure(format!("upgrade {id}: damaged head id")))?;
    Ok(vec![
        delete_if_present(&open_ref(id), head)?,
        update(&archive_ref(id), PreviousValue::Any, head, why)?,
    ])
}

/// A deletion of `name` if it exists; if it does, it must point at `expected`.
pub fn delete_if_present(name: &str, expected: ObjectId) -> Result<RefEdit> {
    Ok(RefEdit {
        change: Change::Delete {
            expected: PreviousValue::ExistingMustMatch(Target::Object(expected)),
            log: RefLog::AndReference,
        },
        name: full_name(name)?,
        deref: false,
    })
}

fn full_name(name: &str) -> Result<FullName> {
    FullName::try_from(name).map_err(|e| Error::from_std(format!("invalid ref name {name:?}"), &e))
}
