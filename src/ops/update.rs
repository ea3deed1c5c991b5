//! `update`: a new revision of an open upgrade. The proposer names a new
//! head; `refs/upgrades/<id>` moves to it (compare-and-swap, in the same
//! transaction as the `upgrade.revised` event), the record gains a revision,
//! and the tests run on the new head as on propose.
//!
//! Approvals are pinned to the head they were given on: they carry over only
//! when the new revision's change has the same `git patch-id` as the one
//! approved (a pure rebase); otherwise they are void and the upgrade is
//! `proposed` again. Only the proposer may update (the replay refuses a
//! revision by anyone else, `replay::review::revised`).

use gix::refs::transaction::PreviousValue;
use gix::refs::Target;
use gix::ObjectId;

use super::propose::{commit_worktree, measure, resolve_commit, Measured};
use super::{
    branch_tip, details, policy_at, push_revision, record_tests, retrying, run_tests, transition,
    Actor, Reporter,
};
use crate::error::{Error, Result};
use crate::machine::Facts;
use crate::record::{Approval, EventKind, RevisionKind, State};
use crate::repo::email_of;
use crate::store::{open_ref, proposals, update as ref_update, Append, Store, Upgrade};
use crate::trust::change::patch_id;

/// What to update.
#[derive(Debug, Clone, Default)]
pub struct UpdateRequest {
    /// Upgrade id or unique prefix.
    pub id: String,
    /// The new head (default `HEAD`).
    pub rev: Option<String>,
    /// What changed, for the reviewers.
    pub note: Option<String>,
    /// Take the working tree's uncommitted changes as the new head (committed on top of HEAD).
    pub from_worktree: bool,
    /// Run the tests on the new head.
    pub run_tests: bool,
}

/// How an update went.
#[derive(Debug, Clone)]
pub struct UpdateOutcome {
    /// The upgrade as stored last (after its tests, when they ran).
    pub upgrade: Upgrade,
    /// The new revision's number.
    pub revision: u64,
    /// True when the change is unchanged and approvals carried over.
    pub approvals_kept: bool,
    /// How many approvals of the previous revision no longer count.
    pub approvals_void: usize,
}

fn oid(id: &str, hex: &str) -> Result<ObjectId> {
    hex.parse()
        .map_err(|_| Error::failure(format!("upgrade {id}: damaged object id")))
}

/// Record a new revision of an open upgrade.
pub fn update(
    store: &Store<'_>,
    req: &UpdateRequest,
    reporter: &mut dyn Reporter,
) -> Result<UpdateOutcome> {
    let repo = store.repo;
    let id = store.resolve(&req.id)?;
    let note = crate::record::user_text("note", req.note.as_deref())?;
    let actor = Actor::of(store)?;
    let (up, history) = store.load_full(&id)?;
    if !up.record.state.is_open() {
        return Err(Error::failure(format!(
            "upgrade {id} is {}; only open upgrades can be updated",
            up.record.state
        ))
        .hint("propose the change again as a new upgrade"));
    }
    if email_of(&actor.name) != email_of(&history.proposer) {
        return Err(Error::denied(format!(
            "only the proposer of upgrade {id} ({}) may update it",
            history.proposer
        ))
        .hint(format!(
            "ask for the change with `git upgrades request-changes {id} -m <text>`, or propose your own"
        )));
    }
    let (rev, head) = if req.from_worktree {
        let message = note
            .clone()
            .unwrap_or_else(|| up.record.description.clone());
        ("working tree".to_string(), commit_worktree(repo, &message)?)
    } else {
        let rev = req.rev.clone().unwrap_or_else(|| "HEAD".to_string());
        let head = resolve_commit(repo, &rev)?;
        (rev, head)
    };
    let current = oid(&id, &up.record.head)?;
    if head == current {
        return Err(Error::usage(format!(
            "nothing to update: {rev} is already the head of upgrade {id} (revision {})",
            history.current_revision()
        )));
    }
    let target = up.record.target.clone();
    let tip = branch_tip(store, &target)?;
    let policy = policy_at(repo, &target, tip)?;
    let base = repo
        .merge_base(head, tip)
        .map_err(|e| Error::from_std("cannot compute the merge base", &e))?
        .map(|b| b.detach())
        .ok_or_else(|| Error::usage(format!("{rev} has no history in common with {target}")))?;
    if base == head {
        return Err(Error::usage(format!(
            "nothing to update: {rev} is already part of {target}"
        )));
    }
    let base_tree = repo.find_commit(base)?.tree_id()?.detach();
    let head_tree = repo.find_commit(head)?.tree_id()?.detach();
    let Measured {
        files,
        stats,
        preview,
        policy_change,
    } = measure(repo, &policy, base_tree, head_tree)?;
    // The head (and so its base) cannot change without failing the check
    // below, so the patch ids are computed once.
    let same = patch_id(repo, oid(&id, &up.record.base)?, current)? == patch_id(repo, base, head)?;
    crate::store::check_open_ref(store, &id, &up.record.head)?;

    let mut loaded = Some(up);
    let (stored, kept, void) = retrying(store, |_| {
        let up = match loaded.take() {
            Some(up) => up,
            None => store.load(&id)?,
        };
        let r = &up.record;
        if !r.state.is_open() || oid(&id, &r.head)? != current {
            return Err(Error::conflict(format!(
                "upgrade {id} changed while it was being updated (it is now {}, head {})",
                r.state,
                r.head.get(..10).unwrap_or(&r.head)
            )));
        }
        let approved: Vec<&Approval> = r.approvals.iter().filter(|a| a.head == r.head).collect();
        let carried: Vec<Approval> = if same {
            approved
                .iter()
                .map(|a| Approval {
                    head: head.to_string(),
                    carried_from: Some(a.carried_from.clone().unwrap_or_else(|| a.head.clone())),
                    ..(*a).clone()
                })
                .collect()
        } else {
            Vec::new()
        };
        let void = if same { 0 } else { r.approvals_for_head() };
        let d = details([
            ("from_head", r.head.clone().into()),
            ("head", head.to_string().into()),
            ("base", base.to_string().into()),
            ("note", note.clone().map(Into::into).unwrap_or_default()),
            ("files", stats.files.into()),
            ("added", stats.added.into()),
            ("removed", stats.removed.into()),
            ("policy_change", policy_change.into()),
            ("approvals_kept", same.into()),
        ]);
        let (files, preview, note) = (files.clone(), preview.clone(), note.clone());
        let planned = transition(
            Some(r),
            EventKind::Revised,
            Facts {
                approvals_complete: same && r.state == State::Approved,
                ..Facts::default()
            },
            &actor,
            d,
            |rec| {
                rec.head = head.to_string();
                rec.base = base.to_string();
                rec.source = Some(rev.clone());
                rec.files = files;
                rec.stats = stats;
                rec.diff_preview = preview;
                rec.policy_change = policy_change;
                rec.tests = None;
                rec.approvals.extend(carried);
                push_revision(rec, &actor, RevisionKind::Updated, note, same);
            },
            None,
        )?;
        let extra = vec![ref_update(
            &open_ref(&id),
            PreviousValue::MustExistAndMatch(Target::Object(current)),
            head,
            "upgrade.revised",
        )?];
        let (record, event) = planned;
        let tip = store.append(Append::event(
            &record,
            &event,
            up.tip,
            &actor.signature,
            extra,
        ))?;
        Ok((
            Upgrade {
                id: id.clone(),
                tip,
                record,
            },
            same,
            void,
        ))
    })?;
    if let Some(key) = proposals::key_of(repo, &target, &stored.record.base, &stored.record.head) {
        proposals::remember(repo, &key, &id);
    }
    let revision = stored.record.revision_number();
    let upgrade = if req.run_tests {
        let result = run_tests(
            repo,
            &policy,
            &id,
            &target,
            head,
            reporter,
            &crate::time::now_unix,
        )?;
        record_tests(store, &id, &Actor::of(store)?, &result)?
    } else {
        stored
    };
    Ok(UpdateOutcome {
        upgrade,
        revision,
        approvals_kept: kept,
        approvals_void: void,
    })
}
