//! The hub's gate (`git upgrades hook pre-receive`): a push is judged as a
//! whole, with the refs as they would be after it, by the same engine as
//! `verify` and `pull`. It refuses
//!
//! - a protected branch (one whose tip holds the policy file) moving to a
//!   commit that landings in the queue — already on the hub or in the same
//!   push — do not explain, or being deleted;
//! - a notes ref of the queue rewritten (the new chain must descend from the
//!   old one: the audit log is append-only), deleted, or holding a record or
//!   events that fail strict parsing or replay;
//! - a new approval event whose approver the policy at the target requires
//!   to sign, without a valid signature;
//! - refs in the tool's namespaces whose names are not valid ids.
//!
//! Everything else (tags, unprotected branches, open and archive refs)
//! passes. Pushed objects are read from git's quarantine (see
//! `repo::open_quarantined`).

use std::collections::HashMap;

use gix::ObjectId;

use super::approvals::{allowed_signers, must_sign};
use super::landing::explained_move;
use crate::config::policy_at;
use crate::config::POLICY_FILE;
use crate::error::{Error, Result};
use crate::graph::is_ancestor;
use crate::record::State;
use crate::replay::{History, POLICY_ACTOR};
use crate::repo::email_of;
use crate::store::sign::{self, Signature};
use crate::store::{Store, ARCHIVE_PREFIX, NOTES_PREFIX, OPEN_PREFIX};
use crate::testrun::{run_tests, Reporter};

/// The line an update hook prints when a protected branch arrives before the
/// queue refs that explain it; `git upgrades push` answers it by pushing the
/// queue first and the branch after (see `sync::push`).
pub const QUEUE_FIRST: &str = "git-upgrades: queue-first";

/// One line of pre-receive input: `<old> <new> <ref>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// The value before (None: the ref is created).
    pub old: Option<ObjectId>,
    /// The value after (None: the ref is deleted).
    pub new: Option<ObjectId>,
    /// The full ref name.
    pub name: String,
}

/// Parse git's pre-receive input strictly.
pub fn parse_updates(input: &str) -> Result<Vec<RefUpdate>> {
    let mut out = Vec::new();
    for (n, line) in input.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split(' ').collect();
        let bad = || {
            Error::failure(format!(
                "malformed pre-receive input on line {}: {:?}",
                n + 1,
                crate::record::sanitize_line(line, 120)
            ))
        };
        let [old, new, name] = parts.as_slice() else {
            return Err(bad());
        };
        let id = |hex: &str| -> Result<Option<ObjectId>> {
            let oid: ObjectId = hex.parse().map_err(|_| bad())?;
            Ok((!oid.is_null()).then_some(oid))
        };
        if !name.starts_with("refs/") {
            return Err(bad());
        }
        out.push(RefUpdate {
            old: id(old)?,
            new: id(new)?,
            name: name.to_string(),
        });
    }
    Ok(out)
}

/// Why each refused ref is refused (empty: accept the push).
pub fn check_push(store: &Store<'_>, updates: &[RefUpdate]) -> Result<Vec<String>> {
    let mut refusals = Vec::new();
    // The queue as it would be after the push: hub tips overridden by pushed ones.
    let mut notes: HashMap<String, Option<ObjectId>> = store
        .tips(NOTES_PREFIX)?
        .into_iter()
        .map(|(id, tip)| (id, Some(tip)))
        .collect();
    for u in updates {
        if let Some(id) = u.name.strip_prefix(NOTES_PREFIX) {
            notes.insert(id.to_string(), u.new);
        }
    }
    let mut pushed_histories: HashMap<String, History> = HashMap::new();
    for u in updates {
        let reason = |why: String| format!("{}: {why}", u.name);
        if let Some(id) = u.name.strip_prefix(NOTES_PREFIX) {
            match check_notes(store, id, u) {
                Ok(h) => {
                    pushed_histories.insert(id.to_string(), h);
                }
                Err(e) => refusals.push(reason(e.message)),
            }
        } else if let Some(id) = u
            .name
            .strip_prefix(OPEN_PREFIX)
            .or_else(|| u.name.strip_prefix(ARCHIVE_PREFIX))
        {
            if crate::ids::validate_id(id).is_err() {
                refusals.push(reason("not a valid upgrade id".into()));
            }
        } else if u.name.starts_with("refs/upgrades") || u.name.starts_with("refs/notes/upgrades") {
            refusals.push(reason("unknown ref in the queue's namespaces".into()));
        }
    }
    // Approvals the policy requires to be signed must be.
    for (id, h) in &pushed_histories {
        if let Err(e) = check_new_approvals(store, id, h) {
            refusals.push(format!("{NOTES_PREFIX}{id}: {}", e.message));
        }
    }
    for u in updates {
        if let Some(branch) = u.name.strip_prefix("refs/heads/") {
            if let Err(e) = check_branch(store, branch, u, &notes, &pushed_histories) {
                refusals.push(format!("{}: {}", u.name, e.message));
            }
        }
    }
    Ok(refusals)
}

/// A pushed notes ref: never deleted or rewritten, and it must replay.
fn check_notes(store: &Store<'_>, id: &str, u: &RefUpdate) -> Result<History> {
    crate::ids::validate_id(id).map_err(|_| Error::failure("not a valid upgrade id"))?;
    let Some(new) = u.new else {
        return Err(Error::failure(
            "deleting an upgrade's event log is refused: the audit log is append-only",
        ));
    };
    if let Some(old) = u.old {
        if !is_ancestor(store.repo, old, new)? {
            return Err(Error::failure(
                "rewriting an upgrade's event log is refused: the new chain must descend from the old one",
            ));
        }
    }
    let (_, h) = store.load_with_history(id, new)?;
    Ok(h)
}

/// Every approval event in `h` that needs a signature under the policy on
/// the hub's target must carry a valid one by its approver.
fn check_new_approvals(store: &Store<'_>, id: &str, h: &History) -> Result<()> {
    let Some(tip) = store.ref_tip(&format!("refs/heads/{}", h.target))? else {
        return Ok(());
    };
    let policy = policy_at(store.repo, &h.target, tip)?;
    if !must_sign(store, h, &policy)? {
        return Ok(());
    }
    let signers = allowed_signers(store.repo, &policy, tip)?;
    for a in h
        .approvals
        .iter()
        .filter(|a| a.by != POLICY_ACTOR && a.carried_from.is_none())
    {
        match sign::verify(store.repo, a.commit, signers.path.as_deref())? {
            Signature::Good(p) if email_of(&p) == email_of(&a.by) => {}
            other => {
                return Err(Error::failure(format!(
                    "upgrade {id}: the approval by {} must be signed: {}",
                    crate::record::sanitize_line(&a.by, 100),
                    other.describe()
                )))
            }
        }
    }
    Ok(())
}

/// A protected branch moves only along landings the queue explains.
fn check_branch(
    store: &Store<'_>,
    branch: &str,
    u: &RefUpdate,
    notes: &HashMap<String, Option<ObjectId>>,
    pushed: &HashMap<String, History>,
) -> Result<()> {
    let repo = store.repo;
    let Some(old) = u.old else {
        return Ok(()); // a new branch: nothing landed on it yet
    };
    let protected = repo
        .find_commit(old)?
        .tree()?
        .find_entry(POLICY_FILE)
        .is_some();
    if !protected {
        return Ok(());
    }
    let Some(new) = u.new else {
        return Err(Error::failure(
            "deleting a branch protected by .upgrades.toml is refused",
        ));
    };
    if !is_ancestor(repo, old, new)? {
        return Err(Error::failure(
            "not a fast-forward of a branch protected by .upgrades.toml",
        ));
    }
    // The landings pushed with the branch (already replayed) usually explain
    // it; reading the rest of the queue is only needed when they do not.
    let landed = |h: &History| h.target == branch && h.state == State::Applied;
    let pushed_landings: Vec<History> = pushed.values().filter(|h| landed(h)).cloned().collect();
    let (mut reach, mut why) = explained_move(store, &pushed_landings, old, new)?;
    if reach != new {
        let mut all = pushed_landings;
        for (id, tip) in notes {
            let Some(tip) = tip.filter(|_| !pushed.contains_key(id)) else {
                continue;
            };
            if let Ok((_, h)) = store.load_with_history(id, tip) {
                if landed(&h) {
                    all.push(h);
                }
            }
        }
        (reach, why) = explained_move(store, &all, old, new)?;
    }
    if reach != new {
        return Err(Error::failure(format!(
            "{} is not landed through the queue: {}",
            new.to_hex_with_len(10),
            why.unwrap_or_else(|| "no landing explains it".into())
        ))
        .hint("propose it: git upgrades propose, then approve; push with git upgrades push"));
    }
    // Teams that trust no client's test report make the hub run the tests
    // itself on what the branch will point at.
    let policy = policy_at(repo, branch, old)?;
    if policy.hub_runs_tests {
        let result = run_tests(
            repo,
            &policy,
            branch,
            branch,
            new,
            &mut Silent,
            &crate::time::now_unix,
        )?;
        if !result.allows_landing() {
            let last = result
                .output
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            return Err(Error::failure(format!(
                "the tests failed on the hub for {} ({}): {}",
                new.to_hex_with_len(10),
                result.status,
                crate::record::sanitize_line(last, 160)
            )));
        }
    }
    Ok(())
}

/// Progress of hub-side test runs is not shown (git relays only stderr lines).
struct Silent;

impl Reporter for Silent {
    fn report(&mut self, _: crate::testrun::Progress<'_>) {}
}

/// The hub opened for a pre-receive hook: refs and config from the hub,
/// objects from the hub and from git's quarantine of the pushed objects.
pub struct Quarantined {
    /// The repository to read.
    pub repo: gix::Repository,
    _overlay: Option<tempfile::TempDir>,
}

/// Open the repository a hook runs in. gix does not read git's quarantine
/// variables (`GIT_OBJECT_DIRECTORY`, `GIT_ALTERNATE_OBJECT_DIRECTORIES`),
/// so when they are set a private overlay directory is opened instead: its
/// `refs`, `packed-refs`, `reftable` and `config` are links to the hub's
/// (whichever exist: the refs read through it are the hub's), and its
/// `objects/info/alternates` lists the quarantine and the hub's objects.
/// Git children inherit the variables and see the same objects.
pub fn open_quarantined() -> Result<Quarantined> {
    let hub = crate::repo::open()?;
    let Some(quarantine) = std::env::var_os("GIT_OBJECT_DIRECTORY") else {
        return Ok(Quarantined {
            repo: hub,
            _overlay: None,
        });
    };
    let io = |what: &str, e: std::io::Error| Error::from_std(format!("cannot {what}"), &e);
    let absolute = |p: std::path::PathBuf| -> std::path::PathBuf { p.canonicalize().unwrap_or(p) };
    let git_dir = absolute(hub.common_dir().to_path_buf());
    let overlay = tempfile::Builder::new()
        .prefix("git-upgrades-hook-")
        .tempdir()
        .map_err(|e| io("create the hook's overlay", e))?;
    let o = overlay.path();
    let mut alternates = vec![absolute(std::path::PathBuf::from(&quarantine))];
    alternates.push(git_dir.join("objects"));
    if let Some(more) = std::env::var_os("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
        alternates.extend(std::env::split_paths(&more).map(absolute));
    }
    let text: String = alternates
        .iter()
        .map(|p| format!("{}\n", p.display()))
        .collect();
    std::fs::create_dir_all(o.join("objects/info")).map_err(|e| io("create the overlay", e))?;
    std::fs::write(o.join("objects/info/alternates"), text)
        .map_err(|e| io("write the overlay's alternates", e))?;
    std::fs::copy(git_dir.join("HEAD"), o.join("HEAD")).map_err(|e| io("copy HEAD", e))?;
    for name in ["config", "refs", "packed-refs", "reftable"] {
        let from = git_dir.join(name);
        if from.exists() {
            std::os::unix::fs::symlink(&from, o.join(name))
                .map_err(|e| io("link the hub into the overlay", e))?;
        }
    }
    let mut repo =
        gix::open(o).map_err(|e| Error::from_std("cannot open the hook's overlay", &e))?;
    crate::repo::tune(&mut repo);
    crate::repo::check_ref_storage(&repo)?;
    Ok(Quarantined {
        repo,
        _overlay: Some(overlay),
    })
}
