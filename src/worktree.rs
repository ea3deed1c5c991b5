//! Keeping checked-out worktrees honest. gix moves branch refs without looking
//! at worktrees; when the target branch is checked out somewhere, moving it
//! would leave that worktree's index and files stale. So before landing we
//! find every worktree that has the target checked out and require it to be
//! clean, and after landing we update it the way `git merge --ff-only` would.

use std::path::PathBuf;

use gix::bstr::ByteSlice;
use gix::ObjectId;

use crate::error::{Error, Result};
use crate::repo;

/// A non-bare worktree whose HEAD is the target branch.
#[derive(Debug, Clone)]
pub struct CheckedOut {
    /// Its working directory.
    pub dir: PathBuf,
}

/// Every worktree (main and linked) that has `branch_ref` checked out.
pub fn worktrees_on(repo: &gix::Repository, branch_ref: &str) -> Result<Vec<CheckedOut>> {
    let mut out = Vec::new();
    if crate::refs::through_git(repo) {
        for (dir, head) in crate::refs::git_worktree_heads(repo)? {
            if head.as_deref() == Some(branch_ref) && dir.exists() {
                out.push(CheckedOut { dir });
            }
        }
        return Ok(out);
    }
    let main = repo.main_repo().unwrap_or_else(|_| repo.clone());
    let mut candidates: Vec<gix::Repository> = vec![main];
    for proxy in repo.worktrees()? {
        if let Ok(r) = proxy.into_repo_with_possibly_inaccessible_worktree() {
            candidates.push(r);
        }
    }
    for r in candidates {
        let Some(dir) = r.workdir().map(|p| p.to_path_buf()) else {
            continue;
        };
        let Ok(Some(head)) = r.head_name() else {
            continue;
        };
        if head.as_bstr().to_str_lossy() == branch_ref && dir.exists() {
            out.push(CheckedOut { dir });
        }
    }
    Ok(out)
}

/// The worktrees that have `branch` checked out, each required to be clean:
/// call before moving the branch.
pub fn clean_checkouts(repo: &gix::Repository, branch: &str) -> Result<Vec<CheckedOut>> {
    let found = worktrees_on(repo, &crate::store::branch_ref(branch))?;
    for wt in &found {
        ensure_clean(wt, branch)?;
    }
    Ok(found)
}

/// After the branch moved from `old` to `new`, bring those worktrees along.
/// The move itself has happened, so a worktree that cannot follow is
/// reported as a notice with the command that catches it up, not an error.
pub fn follow(checked_out: &[CheckedOut], old: ObjectId, new: ObjectId) {
    for wt in checked_out {
        if let Err(e) = move_to(wt, old, new) {
            crate::store::lock::notice(format!("{e}; {}", e.hints.join("; ")));
        }
    }
}

/// Refuse unless the worktree has no staged or unstaged changes to tracked files.
fn ensure_clean(wt: &CheckedOut, branch: &str) -> Result<()> {
    let mut cmd = repo::git_command();
    // A read: it must not refresh the index, which would take `index.lock`
    // and leave it behind if this process were killed.
    cmd.arg("--no-optional-locks")
        .arg("--git-dir")
        .arg(worktree_git_dir(wt)?)
        .arg("--work-tree")
        .arg(&wt.dir)
        .args([
            "status",
            "--porcelain=v1",
            "--untracked-files=no",
            "--ignore-submodules=all",
        ]);
    let out = repo::run_git(cmd, "check the checked-out target for local changes")?;
    if !out.trim().is_empty() {
        return Err(Error::conflict(format!(
            "the target branch {branch} is checked out in {} and has local changes",
            wt.dir.display()
        ))
        .hint("commit or stash them there, then run the command again"));
    }
    Ok(())
}

/// Two-tree `read-tree -u -m`: the index and files move from `old` to `new`.
///
/// The branch has moved already, so this update must finish once begun:
/// git runs in its own process group and outlives this process, so neither
/// Ctrl-C nor a kill of this tool's group leaves the worktree half-updated
/// with git's `index.lock` behind. A lock an earlier, killed update left is
/// recovered first (removed only if no process holds it).
fn move_to(wt: &CheckedOut, old: ObjectId, new: ObjectId) -> Result<()> {
    let git_dir = worktree_git_dir(wt)?;
    recover_index_lock(wt, &git_dir);
    let mut cmd = repo::git_command_outliving();
    cmd.arg("--git-dir")
        .arg(&git_dir)
        .arg("--work-tree")
        .arg(&wt.dir)
        .current_dir(&wt.dir)
        .args(["read-tree", "-u", "-m"])
        .arg(old.to_string())
        .arg(new.to_string());
    repo::run_git(
        cmd,
        &format!("update the checked-out worktree {}", wt.dir.display()),
    )
    .map_err(|e| {
        // HEAD names the branch, which has moved: the index and files
        // still hold `old`, so only a two-tree merge from `old` catches up.
        e.hint(format!(
            "the branch moved; run `git read-tree -u -m {old} {new}` in {} to catch up",
            wt.dir.display()
        ))
    })?;
    Ok(())
}

/// Remove the worktree's `index.lock` if a killed git process left it.
fn recover_index_lock(wt: &CheckedOut, git_dir: &std::path::Path) {
    let lock = git_dir.join("index.lock");
    if !lock.exists() {
        return;
    }
    let dirs = [wt.dir.clone(), git_dir.to_path_buf()];
    if let crate::store::lock::Recovery::Removed = crate::store::lock::recover(&lock, &dirs) {
        crate::store::lock::notice(format!(
            "removed a lock left by an interrupted process: {}",
            lock.display()
        ));
    }
}

/// The git dir of a worktree: `.git` may be a directory or a `gitdir:` file.
fn worktree_git_dir(wt: &CheckedOut) -> Result<PathBuf> {
    let dot_git = wt.dir.join(".git");
    if dot_git.is_dir() {
        return Ok(dot_git);
    }
    let text = std::fs::read_to_string(&dot_git)
        .map_err(|e| Error::from_std(format!("cannot read {}", dot_git.display()), &e))?;
    let path = text
        .trim()
        .strip_prefix("gitdir:")
        .map(|p| PathBuf::from(p.trim()))
        .ok_or_else(|| Error::failure(format!("{} is not a gitdir file", dot_git.display())))?;
    Ok(if path.is_absolute() {
        path
    } else {
        wt.dir.join(path)
    })
}
