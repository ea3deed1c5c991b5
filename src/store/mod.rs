//! Persistence of upgrades in git refs and notes (see `docs/FORMAT.md`).
//!
//! - `refs/upgrades/<id>`: the proposed head, while the upgrade is open;
//! - `refs/upgrades-archive/<id>`: the reviewed head once closed, so it
//!   stays reachable (and readable) until pruned;
//! - `refs/notes/upgrades/<id>`: a notes ref whose commit chain is the event
//!   log and whose tree notes the head commit with a display block and holds
//!   the current record beside it (`note`).
//!
//! Every write is one all-or-nothing compare-and-swap ref transaction. This
//! module never prints and never decides policy.

pub mod badge;
pub mod cache;
mod events;
pub mod lock;
pub mod note;
pub mod notice;
pub mod parallel;
pub mod proposals;
mod read;
pub mod repair;
mod revisions;
pub mod sign;
mod transact;

use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};
use gix::refs::{FullName, Target};
use gix::ObjectId;

pub use events::LoggedEvent;
pub use read::{Listed, ListedFull};

use crate::error::{Error, Result};
use crate::record::{Event, Record};

/// How long a write waits at least for a lock file held by a live process
/// (git's `core.packedRefsTimeout`/`core.filesRefLockTimeout` can ask for longer).
pub const MIN_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// The longest a write waits for a running `git gc --prune=now` to end.
pub const MAX_GC_WAIT: std::time::Duration = std::time::Duration::from_secs(600);

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
    /// Who acts through this store, when the caller says so (the library
    /// API); None: the identity git resolves for committers.
    pub identity: Option<(String, String)>,
    /// True while [`Store::hold_write_lock`]'s guard lives: this store's
    /// writes then run under it instead of taking the lock again (a second
    /// `flock` in one process would wait for the first for ever).
    lock_held: std::cell::Cell<bool>,
}

/// The write lock held across a whole read-plan-write (see
/// [`Store::hold_write_lock`]); released on drop.
pub struct HeldLock<'s> {
    _lock: lock::WriteLock,
    flag: &'s std::cell::Cell<bool>,
}

impl Drop for HeldLock<'_> {
    fn drop(&mut self) {
        self.flag.set(false);
    }
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
    /// How the writer judged each approver, for the display block only.
    pub labels: &'a [note::ApprovalLabel],
    /// The text after `<event> <id>: ` in the commit's subject (default: the
    /// description); comments put their own words there.
    pub subject: Option<&'a str>,
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
            labels: &[],
            subject: None,
        }
    }
}

impl<'r> Store<'r> {
    /// A store over `repo`.
    pub fn new(repo: &'r gix::Repository) -> Self {
        Store {
            repo,
            identity: None,
            lock_held: std::cell::Cell::new(false),
        }
    }

    /// Take the write lock for a whole read-plan-write, so that no other
    /// writer of this tool can move the refs read meanwhile: for a writer
    /// that keeps losing races. Writes through this store skip taking it
    /// again. Never call it twice without dropping the first guard.
    pub fn hold_write_lock(&self) -> Result<HeldLock<'_>> {
        let held = lock::write_lock(self.repo.common_dir())?;
        self.lock_held.set(true);
        Ok(HeldLock {
            _lock: held,
            flag: &self.lock_held,
        })
    }

    /// The write lock for one write, unless [`Store::hold_write_lock`]
    /// holds it already. Every writer that has a store takes it here, so
    /// none can wait for a lock its own process holds.
    pub(crate) fn write_lock(&self) -> Result<Option<lock::WriteLock>> {
        if self.lock_held.get() {
            return Ok(None);
        }
        lock::write_lock(self.repo.common_dir()).map(Some)
    }

    /// Append one event: write the notes tree (display block and record)
    /// and the event commit, then
    /// update the notes ref and `extra` refs in one compare-and-swap transaction.
    /// Returns the new tip. A lost race is a [`crate::error::Kind::Conflict`] error and changes nothing.
    ///
    /// Concurrent `git gc`: an object write that fails (a gc removed the
    /// object directory it was renamed into) is retried. The new objects are
    /// unreachable until the refs move, so a concurrent `git gc --prune=now`
    /// may delete them: right before the transaction (under the write lock)
    /// and right after it, every object of the event is checked and written
    /// again if missing; and when a gc that prunes at once is running
    /// (`<common-dir>/gc.pid`), the write waits for it to end and checks
    /// again, so nothing that gc removed stays missing.
    pub fn append(&self, a: Append<'_>) -> Result<ObjectId> {
        let record = a.record;
        let mut written = Vec::with_capacity(4);
        let display = note::display_block(record, a.labels).into_bytes();
        let display = self.write_retrying(gix::objs::Kind::Blob, display)?;
        written.push((gix::objs::Kind::Blob, display.1));
        let blob = self.write_retrying(gix::objs::Kind::Blob, record.to_json())?;
        written.push((gix::objs::Kind::Blob, blob.1));
        let parents: Vec<ObjectId> = a.previous_tip.into_iter().chain(a.merge_parent).collect();
        let revisions = match self.revisions_subtree(record, &parents)? {
            Some(encoded) => {
                let kept = self.write_retrying(gix::objs::Kind::Tree, encoded)?;
                written.push((gix::objs::Kind::Tree, kept.1));
                Some(kept.0)
            }
            None => None,
        };
        let tree = note::tree(&record.head, display.0, blob.0, revisions);
        let tree = self.write_retrying(gix::objs::Kind::Tree, encode(&tree)?)?;
        written.push((gix::objs::Kind::Tree, tree.1));
        let commit = gix::objs::Commit {
            tree: tree.0,
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
            message: a
                .event
                .to_message(a.subject.unwrap_or(&record.description))
                .into(),
            extra_headers: Vec::new(),
        };
        let commit = if a.sign {
            let id = retry_write(|| sign::write_signed(self.repo, &commit))?;
            let data = self.repo.find_object(id)?.detach().data;
            (id, data)
        } else {
            self.write_retrying(gix::objs::Kind::Commit, encode(&commit)?)?
        };
        written.push((gix::objs::Kind::Commit, commit.1));
        let commit = commit.0;
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
        {
            let _guard = self.write_lock()?;
            self.ensure_objects(&written)?;
            self.ensure_targets_exist(&edits)?;
            self.edit_locked(&edits)?;
        }
        // The event is recorded now: what follows may warn, never fail it.
        if let Err(e) = self
            .ensure_objects(&written)
            .and_then(|()| self.outlast_pruning_gc(&written))
        {
            lock::notice(format!(
                "upgrade {}: the event is recorded, but checking its objects failed ({e}); `git fsck` tells whether any is missing",
                record.id
            ));
        }
        Ok(commit)
    }

    /// Write one object, retrying when a concurrent `git gc` made the write
    /// fail; its id and encoded bytes (to write it again if it goes missing).
    fn write_retrying(&self, kind: gix::objs::Kind, data: Vec<u8>) -> Result<(ObjectId, Vec<u8>)> {
        use gix::objs::Write;
        let id = retry_write(|| {
            self.repo
                .objects
                .write_buf(kind, &data)
                .map_err(|e| Error::from_std(format!("cannot write a {kind} object"), &e))
        })?;
        Ok((id, data))
    }

    /// Write again every object of `written` that is missing now.
    fn ensure_objects(&self, written: &[(gix::objs::Kind, Vec<u8>)]) -> Result<()> {
        for (kind, data) in written {
            let id = gix::objs::compute_hash(self.repo.object_hash(), *kind, data)
                .map_err(|e| Error::from_std("cannot hash an object", &e))?;
            if !self.repo.has_object(id) {
                let (again, _) = self.write_retrying(*kind, data.clone())?;
                if again != id {
                    return Err(Error::failure(format!(
                        "object {id} was written again as {again}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Refuse to point a ref at an object that is not there (a concurrent
    /// `git gc --prune=now` can delete an object nothing references yet).
    fn ensure_targets_exist(&self, edits: &[RefEdit]) -> Result<()> {
        for edit in edits {
            if let Change::Update {
                new: Target::Object(id),
                ..
            } = &edit.change
            {
                if !self.repo.has_object(*id) {
                    return Err(Error::failure(format!(
                        "cannot update {}: object {id} is missing (was it deleted by a concurrent `git gc --prune=now`?)",
                        edit.name.as_bstr()
                    ))
                    .hint("run the command again"));
                }
            }
        }
        Ok(())
    }

    /// If a `git gc` that deletes unreachable objects at once is running, it
    /// may have decided that this write's objects were unreachable before the
    /// refs moved: wait for it to end (at most [`MAX_GC_WAIT`]), then write
    /// again whatever it deleted. The refs already point at the objects, so a
    /// later gc keeps them.
    fn outlast_pruning_gc(&self, written: &[(gix::objs::Kind, Vec<u8>)]) -> Result<()> {
        let configured = self
            .repo
            .config_snapshot()
            .string("gc.pruneExpire")
            .is_some_and(|v| {
                let v = v.to_string().to_ascii_lowercase();
                v == "now" || v == "all"
            });
        let Some(pid) = lock::pruning_gc(self.repo.common_dir(), configured) else {
            return Ok(());
        };
        let started = std::time::Instant::now();
        while lock::pruning_gc(self.repo.common_dir(), configured) == Some(pid) {
            if started.elapsed() > MAX_GC_WAIT {
                lock::notice(format!(
                    "`git gc` (process {pid}) deletes unreachable objects at once and was still running; if it deleted this change's objects, `git fsck` reports them missing"
                ));
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        self.ensure_objects(written)
    }

    /// The current tip of a ref, if it exists and points at an object.
    pub fn ref_tip(&self, name: &str) -> Result<Option<ObjectId>> {
        crate::refs::tip(self.repo, name)
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
    let head = parse_head(id, head)?;
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

/// The ref edits that close an upgrade whatever its open ref points at now:
/// the open ref goes (compare-and-swap on its current value, so a concurrent
/// change is still a conflict), the archive ref keeps the recorded `head`
/// reachable. Returns the edits and, if the open ref had been moved away from
/// `head` outside the tool, where it pointed (to report it).
pub fn close_refs_regardless(
    store: &Store<'_>,
    id: &str,
    head: &str,
    why: &str,
) -> Result<(Vec<RefEdit>, Option<ObjectId>)> {
    let head_id = parse_head(id, head)?;
    let now = store.ref_tip(&open_ref(id))?;
    let mut edits = Vec::with_capacity(2);
    let moved = match now {
        Some(t) => {
            edits.push(delete_if_present(&open_ref(id), t)?);
            (t != head_id).then_some(t)
        }
        None => None,
    };
    edits.push(update(&archive_ref(id), PreviousValue::Any, head_id, why)?);
    Ok((edits, moved))
}

/// Check that the open queue ref of upgrade `id` still points at the recorded
/// `head`. A ref moved or deleted outside the tool (or left so by an
/// interrupted write) is a clear error naming the upgrade and the fixes; call
/// this before running tests, so they are not run for a write that must fail.
pub fn check_open_ref(store: &Store<'_>, id: &str, head: &str) -> Result<()> {
    let head_id = parse_head(id, head)?;
    let now = store.ref_tip(&open_ref(id))?;
    if now == Some(head_id) {
        return Ok(());
    }
    Err(open_ref_changed(id, now, head_id))
}

/// The error for an open queue ref that is not where the record says.
pub fn open_ref_changed(id: &str, now: Option<ObjectId>, recorded: ObjectId) -> Error {
    let name = open_ref(id);
    let what = match now {
        Some(t) => format!(
            "points at {}, not at the recorded head {}",
            t.to_hex_with_len(12),
            recorded.to_hex_with_len(12)
        ),
        None => format!(
            "is missing (the recorded head is {})",
            recorded.to_hex_with_len(12)
        ),
    };
    Error::failure(format!(
        "upgrade {id}: its queue ref {name} {what}; it was changed outside git-upgrades, or by an interrupted write"
    ))
    .hint(format!(
        "`git upgrades maintain --repair` points it back at the recorded head; `git upgrades reject {id}` closes the upgrade regardless; or propose the change again"
    ))
}

/// The size in bytes of object `id`, read from its header only (a loose
/// object's first inflated bytes, or a packed object's entry and delta
/// headers), never from its content. Check it before reading any object that
/// came from elsewhere (a remote), so a huge one is refused unread.
pub fn object_size(repo: &gix::Repository, id: ObjectId) -> Result<u64> {
    let header = repo
        .find_header(id)
        .map_err(|e| Error::from_std(format!("cannot read object {id}"), &e))?;
    Ok(header.size())
}

/// Refuse object `id` if it is larger than `max` bytes (see [`object_size`]);
/// `what` names it in the error ("the record of upgrade x").
pub fn check_object_size(repo: &gix::Repository, id: ObjectId, max: u64, what: &str) -> Result<()> {
    let size = object_size(repo, id)?;
    if size > max {
        return Err(Error::failure(format!(
            "{what} is {size} bytes, more than the {max} allowed; not read"
        )));
    }
    Ok(())
}

fn parse_head(id: &str, head: &str) -> Result<ObjectId> {
    head.parse()
        .map_err(|_| Error::failure(format!("upgrade {id}: damaged head id")))
}

/// An object's encoded bytes.
fn encode(object: &dyn gix::objs::WriteTo) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(object.size() as usize);
    object
        .write_to(&mut out)
        .map_err(|e| Error::from_std("cannot encode an object", &e))?;
    Ok(out)
}

/// Run an object write, retrying a few times: a concurrent `git gc` can
/// remove the directory a loose object is being renamed into.
fn retry_write(mut write: impl FnMut() -> Result<ObjectId>) -> Result<ObjectId> {
    let mut attempt = 0;
    loop {
        match write() {
            Ok(id) => return Ok(id),
            Err(_) if attempt < 5 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(20 * attempt));
            }
            Err(e) => return Err(e),
        }
    }
}
