//! `rebase`: replays the upgrade's commits onto the target's tip without a
//! worktree (`git merge-tree --write-tree` and `git commit-tree`, so it works
//! in bare repositories). The rebased head is a new commit; approvals carry
//! over only when the change itself is unchanged (same `git patch-id`),
//! otherwise the upgrade goes back to `proposed` with the reason logged. A
//! conflict leaves the upgrade exactly as it was.

use std::io::Write;
use std::process::Stdio;

use gix::bstr::ByteSlice;
use gix::refs::transaction::PreviousValue;
use gix::refs::Target;
use gix::ObjectId;

use super::{branch_tip, details, is_ancestor, policy_at, retrying, transition, Actor};
use crate::diff;
use crate::error::{Context, Error, Result};
use crate::machine::Facts;
use crate::record::{Approval, EventKind, RevisionKind, State};
use crate::repo;
use crate::store::{open_ref, proposals, update, Append, Store, Upgrade};
use crate::trust::change::patch_id;

/// How a rebase went.
#[derive(Debug, Clone)]
pub enum RebaseOutcome {
    /// The head already descends from the target's tip.
    UpToDate(Upgrade),
    /// Rebased onto the target's tip.
    Rebased {
        /// The upgrade after the rebase.
        upgrade: Upgrade,
        /// True when the patch is unchanged and approvals carried over.
        approvals_kept: bool,
    },
    /// The replay conflicted; nothing changed.
    Conflict {
        /// The upgrade, unchanged.
        upgrade: Upgrade,
        /// What conflicted.
        reason: String,
    },
}

fn git_out(repo: &gix::Repository, args: &[&str], what: &str) -> Result<String> {
    let mut cmd = repo::git(repo);
    cmd.args(args);
    Ok(String::from_utf8_lossy(&repo::run_git(cmd, what)?)
        .trim()
        .to_string())
}

/// Replay `base..head` onto `onto`; Ok(Err(reason)) on conflict.
fn replay(
    repo: &gix::Repository,
    base: ObjectId,
    head: ObjectId,
    onto: ObjectId,
    actor: &Actor,
) -> Result<std::result::Result<ObjectId, String>> {
    let range = format!("{base}..{head}");
    if !git_out(
        repo,
        &["rev-list", "--merges", &range],
        "list merge commits",
    )?
    .is_empty()
    {
        return Ok(Err(
            "the upgrade contains merge commits, which are not rebased automatically".into(),
        ));
    }
    let list = git_out(
        repo,
        &["rev-list", "--reverse", "--topo-order", &range],
        "list the upgrade's commits",
    )?;
    let mut current = onto;
    for line in list.lines().filter(|l| !l.is_empty()) {
        let commit: ObjectId = line
            .parse()
            .map_err(|_| Error::failure("git rev-list printed garbage"))?;
        let c = repo.find_commit(commit)?;
        let parent = c
            .parent_ids()
            .next()
            .map(|p| p.detach())
            .ok_or_else(|| Error::failure("a root commit cannot be rebased"))?;
        let mut cmd = repo::git(repo);
        cmd.args(["merge-tree", "--write-tree", "--name-only", "--no-messages"])
            .arg(format!("--merge-base={parent}"))
            .arg(current.to_string())
            .arg(commit.to_string())
            .stdin(Stdio::null());
        let out = cmd.output().context("cannot run git merge-tree")?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        match out.status.code() {
            Some(0) => {}
            Some(1) => {
                let files: Vec<&str> = text
                    .lines()
                    .skip(1)
                    .filter(|l| !l.is_empty())
                    .take(5)
                    .collect();
                return Ok(Err(format!(
                    "rebasing onto {} conflicts in {}",
                    onto.to_hex_with_len(10),
                    if files.is_empty() {
                        "some files".to_string()
                    } else {
                        files.join(", ")
                    }
                )));
            }
            _ => {
                let err = String::from_utf8_lossy(&out.stderr);
                return Err(Error::failure(format!(
                    "git merge-tree failed: {}",
                    err.lines().next().unwrap_or("")
                )));
            }
        }
        let tree = text.lines().next().unwrap_or("").trim().to_string();
        let author = c.author()?;
        let message = c.message_raw()?.to_owned();
        let mut cmd = repo::git(repo);
        cmd.arg("commit-tree")
            .arg(&tree)
            .arg("-p")
            .arg(current.to_string());
        cmd.env("GIT_AUTHOR_NAME", author.name.to_str_lossy().as_ref())
            .env("GIT_AUTHOR_EMAIL", author.email.to_str_lossy().as_ref())
            .env("GIT_AUTHOR_DATE", format!("@{} +0000", author.seconds()))
            .env(
                "GIT_COMMITTER_NAME",
                actor.signature.name.to_str_lossy().as_ref(),
            )
            .env(
                "GIT_COMMITTER_EMAIL",
                actor.signature.email.to_str_lossy().as_ref(),
            )
            .env("GIT_COMMITTER_DATE", format!("@{} +0000", actor.now))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().context("cannot run git commit-tree")?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(&message)
                .context("cannot run git commit-tree")?;
        }
        let out = child
            .wait_with_output()
            .context("cannot run git commit-tree")?;
        if !out.status.success() {
            return Err(Error::failure(format!(
                "git commit-tree failed: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .next()
                    .unwrap_or("")
            )));
        }
        current = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| Error::failure("git commit-tree printed garbage"))?;
    }
    Ok(Ok(current))
}

/// Rebase an open upgrade onto its target's current tip.
pub fn rebase(store: &Store<'_>, id: &str) -> Result<RebaseOutcome> {
    let repo = store.repo;
    let actor = Actor::of(store)?;
    retrying(store, |_| {
        let up = store.load(id)?;
        let r = &up.record;
        if !r.state.is_open() {
            return Err(Error::failure(format!(
                "upgrade {id} is {}; only open upgrades can be rebased",
                r.state
            )));
        }
        let parse = |hex: &str| -> Result<ObjectId> {
            hex.parse().map_err(|_| Error::failure("damaged record"))
        };
        let (head, base) = (parse(&r.head)?, parse(&r.base)?);
        let tip = branch_tip(store, &r.target)?;
        if is_ancestor(repo, tip, head)? {
            return Ok(RebaseOutcome::UpToDate(up));
        }
        let new_head = match replay(repo, base, head, tip, &actor)? {
            Ok(h) => h,
            Err(reason) => {
                return Ok(RebaseOutcome::Conflict {
                    upgrade: up,
                    reason,
                })
            }
        };
        let same = patch_id(repo, base, head)? == patch_id(repo, tip, new_head)?;
        let policy = policy_at(repo, &r.target, tip)?;
        let changes = diff::changed_paths(
            repo,
            repo.find_commit(tip)?.tree_id()?.detach(),
            repo.find_commit(new_head)?.tree_id()?.detach(),
        )?;
        let (files, stats) = diff::file_stats(repo, &changes)?;
        let preview = diff::preview(repo, &changes, super::propose::PREVIEW_LINES)?;
        let policy_change = files.iter().any(|f| policy.is_protected(&f.path));
        let reason = (!same).then(|| "the change differs after rebasing (patch id changed); approvals must be given again".to_string());
        let d = details([
            ("from_head", head.to_string().into()),
            ("to_head", new_head.to_string().into()),
            ("onto", tip.to_string().into()),
            ("approvals_kept", same.into()),
            ("reason", reason.clone().map(Into::into).unwrap_or_default()),
        ]);
        let keep = same && r.state == State::Approved;
        let carried: Vec<Approval> = if same {
            r.approvals
                .iter()
                .filter(|a| a.head == r.head)
                .map(|a| Approval {
                    head: new_head.to_string(),
                    carried_from: Some(a.carried_from.clone().unwrap_or_else(|| a.head.clone())),
                    ..a.clone()
                })
                .collect()
        } else {
            Vec::new()
        };
        let (record, event) = transition(
            Some(r),
            EventKind::Rebased,
            Facts {
                approvals_complete: keep,
                ..Facts::default()
            },
            &actor,
            d,
            |rec| {
                rec.head = new_head.to_string();
                rec.base = tip.to_string();
                rec.files = files;
                rec.stats = stats;
                rec.diff_preview = preview;
                rec.policy_change = policy_change;
                rec.tests = None;
                rec.approvals.extend(carried);
                super::push_revision(rec, &actor, RevisionKind::Rebased, None, same);
            },
            None,
        )?;
        let extra = vec![update(
            &open_ref(id),
            PreviousValue::MustExistAndMatch(Target::Object(head)),
            new_head,
            "upgrade.rebased",
        )?];
        let tip = store.append(Append::event(
            &record,
            &event,
            up.tip,
            &actor.signature,
            extra,
        ))?;
        let r = &record;
        if let Some(key) = proposals::key_of(repo, &r.target, &r.base, &r.head) {
            proposals::remember(repo, &key, id);
        }
        Ok(RebaseOutcome::Rebased {
            upgrade: Upgrade {
                id: id.to_string(),
                tip,
                record,
            },
            approvals_kept: same,
        })
    })
}
