//! `push`: one atomic, leased `git push` of every changed queue ref and of
//! target branches that upgrades applied here moved.

use gix::refs::transaction::{Change, PreviousValue, RefEdit, RefLog};
use gix::ObjectId;

use super::tracking_prefix;
use crate::error::{Context, Error, Result};
use crate::graph::is_ancestor;
use crate::record::State;
use crate::repo;
use crate::store::{branch_ref, lock, update, Store, ARCHIVE_PREFIX, NOTES_PREFIX, OPEN_PREFIX};
use crate::text::plural;

/// What a push sent.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PushOutcome {
    /// Remote refs created or updated.
    pub updated: Vec<String>,
    /// Remote refs deleted.
    pub deleted: Vec<String>,
    /// Upgrades whose histories diverged from the remote's (pull first).
    pub diverged: Vec<String>,
}

impl PushOutcome {
    /// True when everything that differed was pushed (nothing diverged).
    pub fn complete(&self) -> bool {
        self.diverged.is_empty()
    }

    /// The closing line, true to the outcome: what was pushed, and which
    /// upgrades were not (then the push exits 4).
    pub fn summary(&self, remote: &str) -> String {
        let sent = !self.updated.is_empty() || !self.deleted.is_empty();
        let pushed = if sent {
            let mut s = format!(
                "pushed to {remote}: {} updated",
                plural(self.updated.len(), "ref")
            );
            if !self.deleted.is_empty() {
                s.push_str(&format!(", {} deleted", self.deleted.len()));
            }
            s
        } else if self.complete() {
            return format!("{remote} is up to date");
        } else {
            format!("nothing pushed to {remote}")
        };
        if self.complete() {
            return pushed;
        }
        let mut ids = self.diverged.clone();
        let more = ids.len().saturating_sub(5);
        ids.truncate(5);
        format!(
            "{pushed}; not pushed: {} whose history diverged from {remote}'s ({}{})",
            plural(self.diverged.len(), "upgrade"),
            ids.join(", "),
            if more > 0 {
                format!(", and {more} more")
            } else {
                String::new()
            }
        )
    }
}

struct RefPush {
    remote_ref: String,
    tracking_ref: String,
    local: Option<ObjectId>,
    expected: Option<ObjectId>,
}

/// Push the queue to `remote`, leased on what was last fetched from it.
pub fn push(store: &Store<'_>, remote: &str) -> Result<PushOutcome> {
    let repo = store.repo;
    let mut pushes: Vec<RefPush> = Vec::new();
    let mut outcome = PushOutcome::default();
    for (kind, local_prefix) in [
        ("notes", NOTES_PREFIX),
        ("open", OPEN_PREFIX),
        ("archive", ARCHIVE_PREFIX),
    ] {
        let tracking = tracking_prefix(remote, kind);
        let ours = store.tips(local_prefix)?;
        let theirs = store.tips(&tracking)?;
        // Looked up by id: a queue of n upgrades is compared in O(n), not O(n²).
        let theirs_by_id: std::collections::HashMap<&str, ObjectId> =
            theirs.iter().map(|(i, t)| (i.as_str(), *t)).collect();
        let ours_ids: std::collections::HashSet<&str> =
            ours.iter().map(|(i, _)| i.as_str()).collect();
        for (id, local) in &ours {
            let expected = theirs_by_id.get(id.as_str()).copied();
            if expected == Some(*local) {
                continue;
            }
            if kind == "notes" {
                if let Some(e) = expected {
                    if !is_ancestor(repo, e, *local)? {
                        outcome.diverged.push(id.clone());
                        continue;
                    }
                }
            }
            pushes.push(RefPush {
                remote_ref: format!("{local_prefix}{id}"),
                tracking_ref: format!("{tracking}{id}"),
                local: Some(*local),
                expected,
            });
        }
        // An open ref we closed here: delete it there too (archive and notes are never deleted by push).
        if kind == "open" {
            for (id, theirs_tip) in &theirs {
                if !ours_ids.contains(id.as_str())
                    && store.ref_tip(&format!("{NOTES_PREFIX}{id}"))?.is_some()
                {
                    let closed = store
                        .load(id)
                        .map(|u| !u.record.state.is_open())
                        .unwrap_or(false);
                    if closed && !outcome.diverged.contains(id) {
                        pushes.push(RefPush {
                            remote_ref: format!("{OPEN_PREFIX}{id}"),
                            tracking_ref: format!("{tracking}{id}"),
                            local: None,
                            expected: Some(*theirs_tip),
                        });
                    }
                }
            }
        }
    }
    if !outcome.diverged.is_empty() {
        // Never push half a queue state: the upgrade's refs go together or not at all.
        let diverged = outcome.diverged.clone();
        pushes.retain(|p| {
            !diverged
                .iter()
                .any(|id| p.remote_ref.ends_with(&format!("/{id}")))
        });
    }
    // Targets moved here by applied upgrades: a branch whose tip is the
    // archived head of an upgrade applied to it. Found through the refs, so
    // only those few records are read, not the whole queue.
    let mut archived: std::collections::HashMap<ObjectId, Vec<String>> = Default::default();
    for (id, head) in store.tips(ARCHIVE_PREFIX)? {
        archived.entry(head).or_default().push(id);
    }
    let mut targets: Vec<(String, ObjectId)> = Vec::new();
    for (branch, tip) in store.tips("refs/heads/")? {
        let landed_here = archived.get(&tip).into_iter().flatten().any(|id| {
            store.load(id).is_ok_and(|up| {
                let r = &up.record;
                r.state == State::Applied
                    && r.target == branch
                    && r.landing
                        .as_ref()
                        .is_some_and(|l| l.new_target.parse::<ObjectId>().ok() == Some(tip))
            })
        });
        if landed_here {
            targets.push((branch, tip));
        }
    }
    for (target, tip) in targets {
        let tracking_ref = format!("refs/remotes/{remote}/{target}");
        let expected = store.ref_tip(&tracking_ref)?;
        if expected == Some(tip) {
            continue;
        }
        if let Some(e) = expected {
            if !is_ancestor(repo, e, tip)? {
                continue; // not a fast-forward of theirs: not ours to push
            }
        }
        pushes.push(RefPush {
            remote_ref: branch_ref(&target),
            tracking_ref,
            local: Some(tip),
            expected,
        });
    }
    if pushes.is_empty() {
        return Ok(outcome);
    }

    match send(repo, remote, &pushes) {
        // A hub that judges each ref alone (an update hook) cannot see the
        // queue refs pushed with the branch: send them first, then the branch.
        Err(Refused::QueueFirst(_)) if pushes.iter().any(|p| !is_branch(p)) => {
            let (queue, branches): (Vec<RefPush>, Vec<RefPush>) =
                pushes.into_iter().partition(|p| !is_branch(p));
            send(repo, remote, &queue).map_err(Refused::into_error)?;
            record_pushed(store, &queue, &mut outcome)?;
            send(repo, remote, &branches).map_err(Refused::into_error)?;
            record_pushed(store, &branches, &mut outcome)?;
            return Ok(outcome);
        }
        other => other.map_err(Refused::into_error)?,
    }
    record_pushed(store, &pushes, &mut outcome)?;
    Ok(outcome)
}

fn is_branch(p: &RefPush) -> bool {
    p.remote_ref.starts_with("refs/heads/")
}

/// Why a `git push` did not go through.
enum Refused {
    /// The hub's update hook asked for the queue refs before the branch.
    QueueFirst(Error),
    Other(Error),
}

impl Refused {
    fn into_error(self) -> Error {
        match self {
            Refused::QueueFirst(e) | Refused::Other(e) => e,
        }
    }
}

/// One atomic, leased `git push` of `pushes`; `Err` carries git's output too.
fn send_once(
    repo: &gix::Repository,
    remote: &str,
    pushes: &[RefPush],
) -> Result<(), Box<(Refused, String)>> {
    let mut cmd = repo::git(repo);
    cmd.args([
        "push",
        "--atomic",
        "--porcelain",
        "--no-verify",
        "--quiet",
        remote,
    ]);
    for p in pushes {
        let lease = p.expected.map(|e| e.to_string()).unwrap_or_default();
        cmd.arg(format!("--force-with-lease={}:{lease}", p.remote_ref));
    }
    // No `+` on a refspec: git lets a forced refspec override its lease
    // (the remote ref would be overwritten whatever it holds). The lease
    // alone allows a rewrite of exactly the tip last seen.
    for p in pushes {
        match p.local {
            Some(l) => cmd.arg(format!("{l}:{}", p.remote_ref)),
            None => cmd.arg(format!(":{}", p.remote_ref)),
        };
    }
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .context("cannot run git push")
        .map_err(|e| Box::new((Refused::Other(e), String::new())))?;
    if out.status.success() {
        return Ok(());
    }
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    // The hub's hook said why, one `remote: git-upgrades: ...` line per reason.
    if text.contains("hook declined") {
        let reasons: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("remote: git-upgrades: refused "))
            .collect();
        let err = Error::denied(format!(
            "{remote} refused the push: {}",
            crate::record::sanitize_line(
                &if reasons.is_empty() {
                    "its hook declined".to_string()
                } else {
                    reasons.join("; ")
                },
                400
            )
        ))
        .hint("nothing was pushed; see docs/TRUST.md for what the hub accepts");
        let refused = if text.contains(crate::trust::gate::QUEUE_FIRST) {
            Refused::QueueFirst(err)
        } else {
            Refused::Other(err)
        };
        return Err(Box::new((refused, text)));
    }
    // With --atomic every ref reports "atomic transaction failed" once one
    // is refused; the line that says why is the one with another reason.
    let rejected: Vec<&str> = text.lines().filter(|l| l.starts_with('!')).collect();
    let first = rejected
        .iter()
        .find(|l| !l.contains("atomic transaction failed"))
        .or(rejected.first())
        .copied()
        .or_else(|| {
            text.lines()
                .find(|l| l.contains("error") || l.contains("fatal"))
        })
        .unwrap_or("")
        .trim()
        .to_string();
    // When every ref says only that, the hub's own error line says why.
    let first = if first.contains("atomic transaction failed") {
        text.lines()
            .find_map(|l| {
                let l = l.trim().strip_prefix("remote: ")?;
                (l.starts_with("error:") || l.starts_with("fatal:")).then(|| l.trim().to_string())
            })
            .unwrap_or(first)
    } else {
        first
    };
    // A lease the hub no longer matched, or a ref it found moved when it
    // locked it: someone pushed first.
    let lost_race = [
        "stale info",
        "fetch first",
        "non-fast-forward",
        "[rejected]",
        "but expected",
    ]
    .iter()
    .any(|r| first.contains(r));
    // The hub's words reach the terminal: one line, control characters out.
    let first = crate::record::sanitize_line(&first, 300);
    let err = if lost_race {
        Error::conflict(format!(
            "{remote} changed since the last fetch; nothing was pushed ({first})"
        ))
        .hint("run `git upgrades sync` to merge and push again")
    } else {
        Error::failure(format!("git push to {remote} failed: {first}"))
    };
    Err(Box::new((Refused::Other(err), text)))
}

/// [`send_once`]; when the hub is a repository on this machine and git's
/// refusal names a lock file there that no live process holds (a push
/// killed on its way left it), the lock is removed, reported, and the push
/// sent again, as for this repository's own locks ([`lock`]).
fn send(repo: &gix::Repository, remote: &str, pushes: &[RefPush]) -> Result<(), Refused> {
    let mut removed = 0;
    loop {
        let (refused, text) = match send_once(repo, remote, pushes) {
            Ok(()) => return Ok(()),
            Err(e) => *e,
        };
        let Some(hub) = local_hub_dir(repo, remote) else {
            return Err(refused);
        };
        // git names the lock files of the files format; a reftable hub's
        // one lock is named by nobody.
        let mut stale = lock::lock_files_in_git_error(&text);
        stale.push(hub.join("reftable").join("tables.list.lock"));
        let stale: Vec<std::path::PathBuf> = stale
            .into_iter()
            .filter_map(|p| p.canonicalize().ok())
            .filter(|p| p.starts_with(&hub))
            .collect();
        if stale.is_empty() || removed >= 8 {
            return Err(refused);
        }
        let mut progress = false;
        for file in stale {
            if let lock::Recovery::Removed = lock::recover(&file, std::slice::from_ref(&hub)) {
                removed += 1;
                progress = true;
                lock::notice(format!(
                    "removed a lock left on {remote} by an interrupted process: {}",
                    file.display()
                ));
            }
        }
        if !progress {
            return Err(refused);
        }
    }
}

/// The directory of `remote` when it is a repository on this machine (a
/// path or `file://` URL), canonicalized.
fn local_hub_dir(repo: &gix::Repository, remote: &str) -> Option<std::path::PathBuf> {
    let remote = repo.find_remote(remote).ok()?;
    let url = remote.url(gix::remote::Direction::Push)?;
    if url.scheme != gix::url::Scheme::File {
        return None;
    }
    let path = std::path::PathBuf::from(url.path.to_string());
    let path = if path.is_relative() {
        repo.workdir().unwrap_or(repo.git_dir()).join(path)
    } else {
        path
    };
    path.canonicalize().ok()
}

/// Record what the remote now holds after `pushes` went through.
fn record_pushed(store: &Store<'_>, pushes: &[RefPush], outcome: &mut PushOutcome) -> Result<()> {
    let mut edits = Vec::new();
    for p in pushes {
        match p.local {
            Some(l) => {
                edits.push(update(
                    &p.tracking_ref,
                    PreviousValue::Any,
                    l,
                    "upgrades: push",
                )?);
                outcome.updated.push(p.remote_ref.clone());
            }
            None => {
                edits.push(RefEdit {
                    change: Change::Delete {
                        expected: PreviousValue::Any,
                        log: RefLog::AndReference,
                    },
                    name: p
                        .tracking_ref
                        .as_str()
                        .try_into()
                        .map_err(|_| Error::failure("bad tracking ref"))?,
                    deref: false,
                });
                outcome.deleted.push(p.remote_ref.clone());
            }
        }
    }
    store.transaction(edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(updated: usize, deleted: usize, diverged: &[&str]) -> PushOutcome {
        PushOutcome {
            updated: (0..updated)
                .map(|n| format!("refs/notes/upgrades/u{n}"))
                .collect(),
            deleted: (0..deleted)
                .map(|n| format!("refs/upgrades/d{n}"))
                .collect(),
            diverged: diverged.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn the_summary_never_says_up_to_date_when_something_was_left_out() {
        assert_eq!(outcome(0, 0, &[]).summary("origin"), "origin is up to date");
        assert_eq!(
            outcome(1, 0, &[]).summary("origin"),
            "pushed to origin: 1 ref updated"
        );
        assert_eq!(
            outcome(3, 1, &[]).summary("origin"),
            "pushed to origin: 3 refs updated, 1 deleted"
        );
        assert_eq!(
            outcome(0, 0, &["3f9a2c1d"]).summary("origin"),
            "nothing pushed to origin; not pushed: 1 upgrade whose history diverged from origin's (3f9a2c1d)"
        );
        let ids: Vec<String> = (0..7).map(|n| format!("u{n}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let many = outcome(2, 0, &ids).summary("hub");
        assert!(
            many.starts_with("pushed to hub: 2 refs updated; not pushed: 7 upgrades")
                && many.ends_with("(u0, u1, u2, u3, u4, and 2 more)"),
            "{many}"
        );
    }
}
