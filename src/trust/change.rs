//! What a proposal changes, recomputed from its trees. The record's `files`,
//! `stats` and `policy_change` are display caches written by the proposer's
//! clone; the size limit, protected paths and the auto-approve rule are
//! judged on this recomputation instead.

use std::io::Write;
use std::process::Stdio;

use gix::ObjectId;

use crate::config::{glob_match, Policy};
use crate::diff;
use crate::error::{Context, Error, Result};
use crate::record::{DiffStats, FileChange};
use crate::repo;

/// The change between a base and a head, recomputed from their trees.
#[derive(Debug, Clone)]
pub struct Change {
    /// Changed files with line counts.
    pub files: Vec<FileChange>,
    /// Totals.
    pub stats: DiffStats,
}

impl Change {
    /// True if any changed path is the policy file or a protected path.
    pub fn touches_protected(&self, policy: &Policy) -> bool {
        self.files.iter().any(|f| policy.is_protected(&f.path))
    }

    /// Why the auto-approve rule of `policy` allows this change at time `at`
    /// for a proposal made at `proposed_at`, or why it does not.
    pub fn auto_approvable(
        &self,
        policy: &Policy,
        proposed_at: i64,
        at: i64,
    ) -> std::result::Result<String, String> {
        let Some(rule) = policy.auto_approve.as_ref() else {
            return Err("the policy has no [auto_approve] rule".into());
        };
        if self.touches_protected(policy) {
            return Err("it changes the policy or a protected path".into());
        }
        if let Some(f) = self
            .files
            .iter()
            .find(|f| !rule.paths.is_empty() && !rule.paths.iter().any(|g| glob_match(g, &f.path)))
        {
            return Err(format!("{} is outside auto_approve.paths", f.path));
        }
        let lines = self.stats.changed_lines();
        if lines > rule.max_lines {
            return Err(format!(
                "{}, more than auto_approve.max_lines ({})",
                crate::text::plural(lines, "changed line"),
                rule.max_lines
            ));
        }
        let age = at.saturating_sub(proposed_at);
        if age < 0 || (age as u64) < rule.after_secs {
            return Err(format!(
                "proposed {age}s before, auto_approve.after is {}s",
                rule.after_secs
            ));
        }
        Ok(format!(
            "low-risk: {}, older than {}s",
            crate::text::plural(lines, "changed line"),
            rule.after_secs
        ))
    }
}

fn id(hex: &str) -> Result<ObjectId> {
    hex.parse()
        .map_err(|_| Error::failure(format!("{hex:?} is not an object id")))
}

/// The change from `base` to `head` (commit ids), from their trees.
pub fn recompute(repo: &gix::Repository, base: &str, head: &str) -> Result<Change> {
    let base_tree = repo.find_commit(id(base)?)?.tree_id()?.detach();
    let head_tree = repo.find_commit(id(head)?)?.tree_id()?.detach();
    let changes = diff::changed_paths(repo, base_tree, head_tree)?;
    let (files, stats) = diff::file_stats(repo, &changes)?;
    Ok(Change { files, stats })
}

/// `git patch-id --stable` of the diff between two commits or trees (gix
/// has no patch-id): equal ids mean the same change, whatever it was based
/// on. Two commits give the same id as their two trees.
pub fn patch_id(repo: &gix::Repository, from: ObjectId, to: ObjectId) -> Result<String> {
    let mut diff_cmd = repo::git(repo);
    diff_cmd
        .args(["diff-tree", "-p", "--full-index", "--no-color"])
        .arg(from.to_string())
        .arg(to.to_string());
    let patch = repo::run_git(diff_cmd, "diff for the patch id")?;
    let mut cmd = repo::git(repo);
    cmd.args(["patch-id", "--stable"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().context("cannot run git patch-id")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&patch).context("cannot run git patch-id")?;
    }
    let out = child
        .wait_with_output()
        .context("cannot run git patch-id")?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string())
}
