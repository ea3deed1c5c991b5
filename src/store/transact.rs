//! Ref transactions: all-or-nothing, compare-and-swap, under the tool's
//! write lock, with git's lock files recovered when a dead process left
//! them ([`super::lock`]).
//!
//! Two ways to the same result. gix edits a `files` repository directly:
//! no process, the fast path for the one to three refs a command moves.
//! `git update-ref --stdin` (`start`/`prepare`/`commit`, with every old value
//! checked) does the rest: a reftable repository, whose refs gix cannot
//! write, and many edits at once (a first pull of a big queue), where gix's
//! lock file per ref costs dearly by the thousand.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use gix::refs::transaction::{Change, PreviousValue, RefEdit};
use gix::refs::Target;
use gix::ObjectId;

use super::{lock, open_ref_changed, Store, MIN_LOCK_WAIT, OPEN_PREFIX};
use crate::error::{Error, Result};

/// Above this many edits, a transaction goes through `git update-ref --stdin`.
pub(super) const BULK_EDITS: usize = 32;

/// Why one attempt at a transaction did not commit.
enum Attempt {
    /// A git lock file was in the way; nothing was written.
    Locked(Vec<PathBuf>),
    /// Anything else, final.
    Failed(Error),
}

impl Store<'_> {
    /// Apply ref edits all-or-nothing under the tool's write lock; a failed
    /// comparison is a conflict (or, for a queue ref changed outside the tool,
    /// an error saying so). Stale git lock files are removed; held ones are
    /// waited for (see [`lock`]).
    pub fn transaction(&self, edits: Vec<RefEdit>) -> Result<()> {
        let _guard = self.write_lock()?;
        self.edit_locked(&edits)
    }

    /// [`Store::transaction`] for a caller that already holds the write lock.
    /// A conflict it returns is a lost race ([`crate::error::Error::lost_race`]).
    pub(crate) fn edit_locked(&self, edits: &[RefEdit]) -> Result<()> {
        self.edit_refs(edits)
            .map_err(crate::error::Error::lost_race)
    }

    fn edit_refs(&self, edits: &[RefEdit]) -> Result<()> {
        let through_git = crate::refs::through_git(self.repo);
        // A branch moves with the event that explains it (a landing, a
        // rollback). The files backend renames one lock file after another,
        // so a kill between two renames would leave the record applied and
        // the branch unmoved: such a transaction is handed to a git that
        // outlives this process and either commits it whole or, if the
        // script is cut short, aborts it.
        let moves_branch = edits
            .iter()
            .any(|e| e.name.as_bstr().starts_with(b"refs/heads/"));
        if through_git || moves_branch || edits.len() > BULK_EDITS {
            if let Some(script) = script(edits, self.repo.object_hash(), &|n| self.ref_tip(n))? {
                // Reflogs are kept for the few refs of one command, not for
                // a bulk write: a queue ref's history is its event chain.
                let message = (edits.len() <= BULK_EDITS).then(|| reflog_message(edits));
                return self.retrying_locks(|| {
                    self.update_ref_once(&script, message.as_deref(), moves_branch)
                        .map_err(|a| match a {
                            Attempt::Failed(e) if e.kind == crate::error::Kind::Conflict => {
                                Attempt::Failed(self.explain_conflict(edits, e))
                            }
                            other => other,
                        })
                });
            }
            if through_git {
                return Err(Error::failure(
                    "this ref change cannot be written in a reftable repository",
                ));
            }
        }
        self.retrying_locks(|| match self.edit_once(edits) {
            Ok(()) => Ok(()),
            Err(err) if err.is_conflict() => Err(Attempt::Failed(
                self.explain_conflict(edits, Error::from(err)),
            )),
            Err(err) => {
                // gix says a lock was in the way through a typed cause (a
                // file that already exists), not which one: the files are
                // the locks these edits take that exist now.
                let in_the_way = err.iter_errors().any(|e| {
                    e.downcast_ref::<std::io::Error>()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::AlreadyExists)
                });
                let files = if in_the_way {
                    self.existing_lock_files(edits)
                } else {
                    Vec::new()
                };
                if files.is_empty() {
                    Err(Attempt::Failed(Error::from(err)))
                } else {
                    Err(Attempt::Locked(files))
                }
            }
        })
    }

    /// The lock files a `files` transaction over `edits` takes (each ref's
    /// `<name>.lock`, and `packed-refs.lock`) that exist now.
    fn existing_lock_files(&self, edits: &[RefEdit]) -> Vec<PathBuf> {
        let common = self.repo.common_dir();
        edits
            .iter()
            .map(|e| common.join(format!("{}.lock", e.name.as_bstr())))
            .chain([common.join("packed-refs.lock")])
            .filter(|p| p.exists())
            .collect()
    }

    /// Run `attempt` until it commits, fails for good, or a lock file that
    /// a live process holds has been in the way for longer than git's own
    /// timeout for it. Lock files no process holds are removed between tries.
    fn retrying_locks(&self, mut attempt: impl FnMut() -> Result<(), Attempt>) -> Result<()> {
        let dirs = lock::repository_dirs(self.repo);
        let started = Instant::now();
        let mut removed = 0;
        let mut held_by: Option<(PathBuf, lock::Holder)> = None;
        loop {
            let lock_files = match attempt() {
                Ok(()) => {
                    if let Some((file, who)) = held_by {
                        lock::notice(format!(
                            "waited {:.1}s for {}, held by {}",
                            started.elapsed().as_secs_f32(),
                            file.display(),
                            who.describe()
                        ));
                    }
                    return Ok(());
                }
                Err(Attempt::Failed(e)) => return Err(e),
                Err(Attempt::Locked(files)) => files,
            };
            // The lock to wait for before the next try: one a live process
            // holds, or one that was gone again before it could be looked at
            // (processes that keep taking it). Removing a stale one retries
            // at once.
            let mut wait_for = None;
            for lock_file in lock_files {
                match lock::recover(&lock_file, &dirs) {
                    lock::Recovery::Removed if removed < 16 => {
                        removed += 1;
                        lock::notice(format!(
                            "removed a lock left by an interrupted process: {}",
                            lock_file.display()
                        ));
                    }
                    lock::Recovery::Removed | lock::Recovery::Gone => {
                        wait_for.get_or_insert(lock_file);
                    }
                    lock::Recovery::Held(who) => {
                        held_by = Some((lock_file.clone(), who));
                        wait_for = Some(lock_file);
                    }
                }
            }
            let Some(lock_file) = wait_for else {
                continue;
            };
            let limit = self.lock_wait(&lock_file);
            if limit.is_some_and(|limit| started.elapsed() >= limit) {
                let who = held_by.map_or_else(
                    || "processes that keep taking it".to_string(),
                    |(_, who)| who.describe(),
                );
                return Err(Error::failure(format!(
                    "{} is locked by {who}",
                    lock_file.display()
                ))
                .hint("try again when that process has finished; a lock no process holds any more is removed by itself"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// One attempt at the ref transaction. gix waits for lock files only
    /// briefly here (git's configured timeouts are applied by
    /// [`Store::retrying_locks`], which also looks for stale locks between tries).
    fn edit_once(&self, edits: &[RefEdit]) -> Result<(), gix::Error> {
        use gix::lock::acquire::Fail;
        let brief = Fail::AfterDurationWithBackoff(Duration::from_millis(100));
        let committer = self.repo.committer().transpose()?;
        self.repo
            .refs
            .transaction()
            .prepare(edits.iter().cloned(), brief, brief)?
            .commit(committer)?;
        Ok(())
    }

    /// One run of `git update-ref --stdin -z` with `script`. A failure with
    /// a git lock file in the way is [`Attempt::Locked`]; any other is a
    /// failed comparison (git checked every old value, and nothing was
    /// written).
    fn update_ref_once(
        &self,
        script: &str,
        message: Option<&str>,
        outliving: bool,
    ) -> Result<(), Attempt> {
        use std::io::Write;
        let mut cmd = if outliving {
            crate::repo::git_outliving(self.repo)
        } else {
            crate::repo::git(self.repo)
        };
        // git tries for its locks only briefly: the waiting, and the removal
        // of locks no process holds, are done here between tries.
        cmd.args(lock::BRIEF_LOCK_WAITS.iter().flat_map(|kv| ["-c", kv]));
        match message {
            Some(m) => cmd.args(["update-ref", "-m", m]),
            None => cmd.args(["-c", "core.logAllRefUpdates=false", "update-ref"]),
        };
        cmd.args(["--stdin", "-z"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        let failed =
            |e: std::io::Error| Attempt::Failed(Error::from_std("cannot run git update-ref", &e));
        let mut child = cmd.spawn().map_err(failed)?;
        let mut stdin = child.stdin.take().expect("piped");
        let written = stdin.write_all(script.as_bytes());
        drop(stdin);
        let out = child.wait_with_output().map_err(failed)?;
        if written.is_ok() && out.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let locks = lock::git_lock_files(self.repo, &stderr);
        if !locks.is_empty() {
            return Err(Attempt::Locked(locks));
        }
        Err(Attempt::Failed(Error::conflict(format!(
            "the queue's refs changed while writing them: {}",
            crate::record::sanitize_line(stderr.lines().next().unwrap_or(""), 200)
        ))))
    }

    /// How long to wait for a lock file held by a live process: git's own
    /// setting for it (`core.packedRefsTimeout`, `reftable.lockTimeout` or
    /// `core.filesRefLockTimeout`,
    /// in milliseconds, negative for ever), but at least [`MIN_LOCK_WAIT`].
    fn lock_wait(&self, lock_file: &std::path::Path) -> Option<std::time::Duration> {
        let key = match lock_file.file_name().and_then(|n| n.to_str()) {
            Some("packed-refs.lock") => "core.packedRefsTimeout",
            Some("tables.list.lock") => "reftable.lockTimeout",
            _ => "core.filesRefLockTimeout",
        };
        match self.repo.config_snapshot().integer(key) {
            Some(ms) if ms < 0 => None,
            Some(ms) => Some(MIN_LOCK_WAIT.max(std::time::Duration::from_millis(ms as u64))),
            None => Some(MIN_LOCK_WAIT),
        }
    }

    /// A failed compare-and-swap: find the ref that differs. A queue ref that
    /// differs while every other ref (the record's above all) is as read was
    /// changed outside the tool, which no retry can fix: say so.
    fn explain_conflict(&self, edits: &[RefEdit], err: Error) -> Error {
        let mut differing = Vec::new();
        for edit in edits {
            let name = edit.name.as_bstr().to_string();
            let Ok(now) = self.ref_tip(&name) else {
                return err;
            };
            let expected = match &edit.change {
                Change::Update { expected, .. } | Change::Delete { expected, .. } => expected,
            };
            let holds = match expected {
                PreviousValue::Any => true,
                PreviousValue::MustExist => now.is_some(),
                PreviousValue::MustNotExist => now.is_none(),
                PreviousValue::MustExistAndMatch(t) => now.as_deref() == t.try_id(),
                PreviousValue::ExistingMustMatch(t) => {
                    now.is_none() || now.as_deref() == t.try_id()
                }
            };
            if !holds {
                differing.push((name, now, expected.clone()));
            }
        }
        if let [(name, now, expected)] = differing.as_slice() {
            let recorded = match expected {
                PreviousValue::MustExistAndMatch(t) | PreviousValue::ExistingMustMatch(t) => {
                    t.try_id().map(ToOwned::to_owned)
                }
                _ => None,
            };
            if let (Some(id), Some(recorded)) = (name.strip_prefix(OPEN_PREFIX), recorded) {
                return open_ref_changed(id, *now, recorded);
            }
        }
        err
    }
}

/// The reflog message of a transaction: its first edit's.
fn reflog_message(edits: &[RefEdit]) -> String {
    edits
        .iter()
        .find_map(|e| match &e.change {
            Change::Update { log, .. } => Some(log.message.to_string()),
            Change::Delete { .. } => None,
        })
        .unwrap_or_else(|| "upgrades".to_string())
}

/// `edits` as one `git update-ref --stdin -z` transaction with the same
/// checks, or None when one of them cannot be said that way (a symbolic ref).
/// `current` reads a ref, for the checks update-ref has no word for ("if it
/// exists, it must be…"): those become an exact old value or an absence.
/// A ref that must exist and does not is a conflict at once.
fn script(
    edits: &[RefEdit],
    hash: gix::hash::Kind,
    current: &dyn Fn(&str) -> Result<Option<ObjectId>>,
) -> Result<Option<String>> {
    let zero = ObjectId::null(hash);
    let missing = |name: &str| Error::conflict(format!("{name} does not exist any more"));
    let mut out = String::from("start\0");
    for e in edits {
        if e.deref {
            return Ok(None);
        }
        let Ok(name) = std::str::from_utf8(e.name.as_bstr().as_ref()) else {
            return Ok(None);
        };
        match &e.change {
            Change::Update {
                expected,
                new: Target::Object(new),
                ..
            } => {
                let old = match expected {
                    PreviousValue::Any => None,
                    PreviousValue::MustNotExist => Some(zero),
                    PreviousValue::MustExistAndMatch(Target::Object(old)) => Some(*old),
                    PreviousValue::ExistingMustMatch(Target::Object(old)) => {
                        Some(if current(name)?.is_some() { *old } else { zero })
                    }
                    PreviousValue::MustExist => Some(current(name)?.ok_or_else(|| missing(name))?),
                    _ => return Ok(None),
                };
                match old {
                    Some(old) => out.push_str(&format!("update {name}\0{new}\0{old}\0")),
                    None => out.push_str(&format!("update {name}\0{new}\0\0")),
                }
            }
            Change::Delete { expected, .. } => match expected {
                PreviousValue::Any => out.push_str(&format!("delete {name}\0\0")),
                PreviousValue::MustExistAndMatch(Target::Object(old)) => {
                    out.push_str(&format!("delete {name}\0{old}\0"))
                }
                PreviousValue::ExistingMustMatch(Target::Object(old)) => {
                    if current(name)?.is_some() {
                        out.push_str(&format!("delete {name}\0{old}\0"))
                    } else {
                        // Still absent when the transaction commits.
                        out.push_str(&format!("verify {name}\0{zero}\0"))
                    }
                }
                PreviousValue::MustExist => {
                    let now = current(name)?.ok_or_else(|| missing(name))?;
                    out.push_str(&format!("delete {name}\0{now}\0"))
                }
                _ => return Ok(None),
            },
            Change::Update { .. } => return Ok(None),
        }
    }
    out.push_str("prepare\0commit\0");
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{delete_if_present, update};

    #[test]
    fn edits_become_update_ref_commands_with_the_same_checks() {
        let a = ObjectId::from_hex(b"1111111111111111111111111111111111111111").unwrap();
        let b = ObjectId::from_hex(b"2222222222222222222222222222222222222222").unwrap();
        let zero = ObjectId::null(gix::hash::Kind::Sha1);
        let edits = vec![
            update(
                "refs/notes/upgrades/x",
                PreviousValue::MustNotExist,
                a,
                "pull",
            )
            .unwrap(),
            update(
                "refs/upgrades/x",
                PreviousValue::MustExistAndMatch(Target::Object(b)),
                a,
                "pull",
            )
            .unwrap(),
            update("refs/upgrades-archive/x", PreviousValue::Any, a, "pull").unwrap(),
            delete_if_present("refs/upgrades/y", b).unwrap(),
            delete_if_present("refs/upgrades/gone", b).unwrap(),
        ];
        // refs/upgrades/y exists; refs/upgrades/gone does not.
        let current = |name: &str| Ok((name == "refs/upgrades/y").then_some(b));
        assert_eq!(
            script(&edits, gix::hash::Kind::Sha1, &current).unwrap().unwrap(),
            format!(
                "start\0update refs/notes/upgrades/x\0{a}\0{zero}\0update refs/upgrades/x\0{a}\0{b}\0\
                 update refs/upgrades-archive/x\0{a}\0\0delete refs/upgrades/y\0{b}\0\
                 verify refs/upgrades/gone\0{zero}\0prepare\0commit\0"
            )
        );
        // A ref that must exist and does not is a conflict before git runs.
        let must = update("refs/upgrades/z", PreviousValue::MustExist, a, "x").unwrap();
        let err = script(std::slice::from_ref(&must), gix::hash::Kind::Sha1, &current).unwrap_err();
        assert_eq!(err.kind, crate::error::Kind::Conflict);
        // What update-ref cannot say exactly is left to gix.
        let mut deref = update("refs/upgrades/z", PreviousValue::Any, a, "x").unwrap();
        deref.deref = true;
        assert!(script(&[deref], gix::hash::Kind::Sha1, &current)
            .unwrap()
            .is_none());
    }
}
