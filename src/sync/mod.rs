//! Sharing the queue through any git remote with git's own transport (gix
//! cannot push, so fetch and push both use the `git` executable).
//!
//! `pull` fetches the remote's queue into tracking refs
//! (`refs/upgrades-sync/<remote>/{open,archive,notes}/<id>`, and the remote's
//! branches into `refs/remotes/<remote>/*`), validates every fetched record and
//! event, then per upgrade adopts, fast-forwards or merges (see [`merge`]).
//! `push` sends every changed queue ref, plus target branches that upgrades
//! applied here moved, in one `git push --atomic`, each ref leased on the value
//! last fetched, so a lost race changes nothing on the remote.

pub mod merge;
mod pull;
mod push;

pub use pull::{pull, pull_counted, PullChange, PullStats};
pub use push::{push, PushOutcome};

use crate::error::{Error, Kind, Result};
use crate::repo;
use crate::store::{lock, Store};

/// How many fetch-merge-push rounds `sync` tries before giving up.
pub const MAX_SYNC_ROUNDS: usize = 5;

/// The tracking ref prefix for one remote and one kind (`open`, `archive`, `notes`).
pub fn tracking_prefix(remote: &str, kind: &str) -> String {
    format!("refs/upgrades-sync/{remote}/{kind}/")
}

/// The refspecs that bring a remote's queue into its tracking refs (also
/// what `init --remote` adds to `remote.<name>.fetch`).
pub fn fetch_refspecs(remote: &str) -> Vec<String> {
    vec![
        format!("+refs/upgrades/*:{}*", tracking_prefix(remote, "open")),
        format!(
            "+refs/upgrades-archive/*:{}*",
            tracking_prefix(remote, "archive")
        ),
        format!(
            "+refs/notes/upgrades/*:{}*",
            tracking_prefix(remote, "notes")
        ),
    ]
}

/// The remote to use: the one given, else as git would choose for pushing:
/// `remote.pushDefault`, the current branch's `pushRemote` or `remote`,
/// `origin`, or the only remote there is.
pub fn resolve_remote(repo: &gix::Repository, given: Option<&str>) -> Result<String> {
    let names: Vec<String> = repo.remote_names().iter().map(|n| n.to_string()).collect();
    let check = |name: String| -> Result<String> {
        if names.contains(&name) {
            crate::ids::validate_branch_name(&name)
                .map_err(|_| Error::usage(format!("unusable remote name {name:?}")))?;
            Ok(name)
        } else {
            Err(Error::usage(format!("no remote named {name:?}"))
                .hint("add one with: git remote add <name> <url>"))
        }
    };
    if let Some(name) = given {
        return check(name.to_string());
    }
    let config = repo.config_snapshot();
    let branch = crate::refs::head_branch(repo)
        .ok()
        .flatten()
        .and_then(|n| n.strip_prefix("refs/heads/").map(str::to_string));
    let mut candidates = vec![config.string("remote.pushDefault").map(|s| s.to_string())];
    if let Some(b) = &branch {
        candidates.push(
            config
                .string(format!("branch.{b}.pushRemote").as_str())
                .map(|s| s.to_string()),
        );
        candidates.push(
            config
                .string(format!("branch.{b}.remote").as_str())
                .map(|s| s.to_string()),
        );
    }
    for c in candidates.into_iter().flatten() {
        if c != "." && names.contains(&c) {
            return check(c);
        }
    }
    if names.iter().any(|n| n == "origin") {
        return check("origin".into());
    }
    if names.len() == 1 {
        return check(names[0].clone());
    }
    Err(Error::usage("no remote to use").hint("name one: git upgrades sync <remote>"))
}

/// Fetch the remote's queue and branches into the tracking refs.
///
/// git runs as our child and dies with us (see [`repo::git_command`]). A
/// fetch that fails on a lock file (`Unable to create '….lock': File
/// exists`) left by a process killed earlier has it removed when no process
/// holds it (see [`crate::store::lock`]) and runs again.
pub fn fetch(repo: &gix::Repository, remote: &str) -> Result<()> {
    let what = format!("fetch the queue from {remote}");
    let mut removed = 0;
    loop {
        let mut cmd = repo::git(repo);
        // No background `git maintenance run --auto` after the fetch: it
        // would take ref locks while this command goes on to write refs
        // (`maintain` packs the queue's refs itself).
        cmd.args(["-c", "maintenance.auto=false", "-c", "gc.auto=0"]);
        cmd.args(lock::BRIEF_LOCK_WAITS.iter().flat_map(|kv| ["-c", kv]));
        cmd.args([
            "fetch",
            "--no-tags",
            "--prune",
            "--quiet",
            "--no-write-fetch-head",
            remote,
        ]);
        for spec in fetch_refspecs(remote) {
            cmd.arg(spec);
        }
        cmd.arg(format!("+refs/heads/*:refs/remotes/{remote}/*"));
        let out = cmd
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| Error::from_std(format!("cannot run git to {what}"), &e))?;
        if out.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let locks = lock::git_lock_files(repo, &stderr);
        if !locks.is_empty() && removed < 8 {
            let _guard = lock::write_lock(repo.common_dir())?;
            let dirs = lock::repository_dirs(repo);
            let mut progress = false;
            for file in locks {
                match lock::recover(&file, &dirs) {
                    lock::Recovery::Removed => {
                        removed += 1;
                        progress = true;
                        lock::notice(format!(
                            "removed a lock left by an interrupted process: {}",
                            file.display()
                        ));
                    }
                    lock::Recovery::Gone => progress = true,
                    lock::Recovery::Held(who) => {
                        return Err(Error::failure(format!(
                            "git failed to {what}: {} is locked by {}",
                            file.display(),
                            who.describe()
                        ))
                        .hint("try again when that process has finished"));
                    }
                }
            }
            if progress {
                continue;
            }
        }
        let first = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        return Err(Error::failure(format!("git failed to {what}: {first}")));
    }
}

/// `git upgrades push`: push on what the tracking refs say the remote
/// holds, and fetch only when a lease fails. Every pushed ref is leased on
/// the tip last fetched or pushed, so a remote that moved since refuses the
/// whole push; then its queue is fetched and the push planned and sent once
/// more on what it holds now. A remote that did not move costs one `git push`
/// instead of a fetch and a push.
pub fn push_leased(store: &Store<'_>, remote: &str) -> Result<PushOutcome> {
    match push(store, remote) {
        Err(e) if e.kind == Kind::Conflict => {
            fetch(store.repo, remote)?;
            push(store, remote)
        }
        other => other,
    }
}

/// Pull, then push; a push that loses a race fetches, merges and tries again.
pub fn sync(store: &Store<'_>, remote: &str) -> Result<(Vec<PullChange>, PushOutcome)> {
    let mut all_pulled = Vec::new();
    for round in 0..MAX_SYNC_ROUNDS {
        let pulled = pull(store, remote)?;
        all_pulled.extend(pulled);
        match push(store, remote) {
            Ok(outcome) => return Ok((all_pulled, outcome)),
            Err(e) if e.kind == Kind::Conflict && round + 1 < MAX_SYNC_ROUNDS => {
                // Someone pushed in between: fetch their changes and merge again.
                std::thread::sleep(std::time::Duration::from_millis(50 * (round as u64 + 1)));
            }
            Err(e) => return Err(e),
        }
    }
    Err(Error::conflict(format!(
        "{remote} kept changing; gave up after {MAX_SYNC_ROUNDS} attempts"
    ))
    .hint("run `git upgrades sync` again"))
}
