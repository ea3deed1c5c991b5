//! `approve` (and landing): record the approval; once the policy's approvals
//! are complete, run the tests on the exact head in an isolated checkout and
//! fast-forward the target with a compare-and-swap update, in the same
//! transaction as the `upgrade.applied` event. Tests fail: `failed`, target
//! untouched. Target no longer a fast-forward: conflict, nothing changed.

use gix::refs::transaction::PreviousValue;
use gix::refs::Target;
use gix::ObjectId;

use super::{append_retrying, Planned};
use super::{branch_tip, details, policy_at, record_tests, run_tests, transition, Actor, Reporter};
use crate::config::Policy;
use crate::error::{Error, Kind, Result};
use crate::graph::is_ancestor;
use crate::machine::Facts;
use crate::record::{Approval, Closure, EventKind, Landing, State, TestResult, Urgent};
use crate::store::close_refs;
use crate::store::sign::{self, Signature};
use crate::store::{branch_ref, update, Append, Store, Upgrade};
use crate::trust;
use crate::worktree;

/// What to approve.
#[derive(Debug, Clone, Default)]
pub struct ApproveRequest {
    /// Upgrade id or unique prefix.
    pub id: String,
    /// Optional comment.
    pub comment: Option<String>,
    /// Land once approvals are complete (false: only record the approval).
    pub apply: bool,
    /// Sign the approval even when the policy does not require it.
    pub sign: bool,
}

/// How an approval ended.
#[derive(Debug, Clone)]
pub enum ApproveOutcome {
    /// Approval recorded; more approvals are needed (or landing was not asked for).
    Recorded(Upgrade),
    /// Landed on the target.
    Applied(Upgrade),
    /// Tests failed; the upgrade is `failed` and the target untouched.
    TestsFailed(Upgrade),
}

impl ApproveOutcome {
    /// The upgrade as last stored.
    pub fn upgrade(&self) -> &Upgrade {
        match self {
            ApproveOutcome::Recorded(u)
            | ApproveOutcome::Applied(u)
            | ApproveOutcome::TestsFailed(u) => u,
        }
    }
}

/// Approve an upgrade, and land it if its approvals are complete.
pub fn approve(
    store: &Store<'_>,
    req: &ApproveRequest,
    reporter: &mut dyn Reporter,
) -> Result<ApproveOutcome> {
    let id = store.resolve(&req.id)?;
    let actor = Actor::of(store)?;
    // A close a killed process left half-done is completed first.
    crate::store::repair::notify(&crate::store::repair::repair_upgrade(store, &id)?);
    let mut wrote = false;
    let up = super::retrying(store, |attempt| {
        let (up, history) = store.load_full(&id)?;
        let r = &up.record;
        if !r.state.is_open() {
            let err = Error::failure(format!(
                "upgrade {id} is {}; only proposed upgrades can be approved",
                r.state
            ));
            return Err(if attempt > 0 {
                Error::conflict(err.message)
            } else {
                err
            });
        }
        let tip = branch_tip(store, &r.target)?;
        let policy = policy_at(store.repo, &r.target, tip)?;
        trust::may_approve(&policy, &history, &actor.name)?;
        // An approval that could not land is refused before anything is
        // written; `--no-apply` records it anyway (it carries over a rebase
        // that leaves the change unchanged).
        if req.apply {
            let head: Option<ObjectId> = r.head.parse().ok();
            if head.is_some_and(|h| !is_ancestor(store.repo, tip, h).unwrap_or(true)) {
                return Err(not_fast_forward(&up, tip));
            }
        }
        let tally = trust::tally(store, &history, &policy, tip)?;
        // Only an approval of ours that counts makes a new one pointless: an
        // unsigned one where signatures are now required is given again.
        let my_request_open = history
            .open_requests()
            .any(|r| crate::repo::email_of(&r.by) == crate::repo::email_of(&actor.name));
        if tally.counts_for(&actor.name) && !my_request_open {
            return Ok(up);
        }
        let comment = crate::record::user_text("comment", req.comment.as_deref())?;
        // Ours is checked before anything is written (may_approve, and the
        // signature below), so it counts once stored.
        let count = tally.valid + 1;
        let complete = count >= policy.required_approvals as usize;
        let required_signed = tally.signed;
        let sign = required_signed || req.sign;
        let signers = if sign {
            Some(trust::allowed_signers(store.repo, &policy, tip)?)
        } else {
            None
        };
        let me = crate::repo::email_of(&actor.name);
        let check = |commit: ObjectId| -> Result<()> {
            let Some(signers) = &signers else {
                return Ok(());
            };
            match sign::verify(store.repo, commit, signers.path.as_deref())? {
                Signature::Good(p) if crate::repo::email_of(&p) == me => Ok(()),
                other if required_signed => Err(Error::denied(format!(
                    "your approval's signature does not count: {}",
                    match other {
                        Signature::Good(p) => format!("signed by {p}, not by {me}"),
                        o => o.describe(),
                    }
                ))
                .hint("the signing key must be listed for your email in the allowed signers file")),
                _ => Ok(()),
            }
        };
        let d = details([
            ("head", r.head.clone().into()),
            ("target", r.target.clone().into()),
            (
                "comment",
                comment.clone().map(Into::into).unwrap_or_default(),
            ),
            ("approvals", count.into()),
            ("required", policy.required_approvals.into()),
        ]);
        let approval = Approval {
            by: actor.name.clone(),
            at: actor.at(),
            head: r.head.clone(),
            comment,
            carried_from: None,
        };
        let (record, event) = transition(
            Some(r),
            EventKind::Approved,
            Facts {
                approvals_complete: complete,
                ..Facts::default()
            },
            &actor,
            d,
            |rec| {
                rec.approvals.push(approval);
                super::clear_requests(rec, &actor.name);
            },
            None,
        )?;
        let tip = store.append(Append {
            record: &record,
            event: &event,
            previous_tip: Some(up.tip),
            merge_parent: None,
            extra: vec![],
            signature: &actor.signature,
            sign,
            check_signed: Some(&check),
            labels: &[],
            subject: None,
        })?;
        wrote = true;
        Ok(Upgrade {
            id: id.clone(),
            tip,
            record,
        })
    })?;
    if up.record.state != State::Approved || !req.apply {
        return Ok(ApproveOutcome::Recorded(up));
    }
    // Approvals are complete, but someone's change request still blocks:
    // the approval is recorded and the upgrade waits (no error).
    let (_, history) = store.load_full(&id)?;
    let tip = branch_tip(store, &up.record.target)?;
    let policy = policy_at(store.repo, &up.record.target, tip)?;
    if !trust::tally(store, &history, &policy, tip)?
        .blocking
        .is_empty()
    {
        return Ok(ApproveOutcome::Recorded(up));
    }
    land(store, &up, &actor, reporter, &LandMode::Normal).map_err(|e| {
        if wrote && (e.kind == Kind::Conflict || e.kind == Kind::Denied) {
            e.hint("your approval itself was recorded")
        } else {
            e
        }
    })
}

/// How an upgrade lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LandMode {
    /// With complete approvals and passing tests.
    Normal,
    /// The logged bypass of the approval wait; tests still run unless skipped.
    Urgent {
        /// Why.
        reason: String,
        /// Skip the tests too (only if the policy allows it).
        skip_tests: bool,
    },
}

/// True when landing `head` on a target at `tip` would not be a
/// fast-forward: the head does not contain the tip, so the upgrade must be
/// rebased first. `base` (the merge base recorded at proposal) is a cheap
/// answer in the common case: a head always contains its base.
pub fn needs_rebase(repo: &gix::Repository, tip: ObjectId, base: &str, head: &str) -> bool {
    if base.parse::<ObjectId>().ok() == Some(tip) {
        return false;
    }
    match head.parse::<ObjectId>() {
        Ok(head) => !is_ancestor(repo, tip, head).unwrap_or(true),
        Err(_) => false,
    }
}

/// The refusal to land an upgrade whose head does not contain `tip`, saying
/// which of the two happened: the target moved since the proposal, or the
/// proposal was made on an older tip than the target had then.
fn not_fast_forward(up: &Upgrade, tip: ObjectId) -> Error {
    let r = &up.record;
    let what = if r.base.parse::<ObjectId>().ok() == Some(tip) {
        // Cannot happen for a head that contains its base; say what we see.
        format!("its head does not contain {}'s tip", r.target)
    } else {
        format!(
            "its head is based on {} but {} is at {}",
            r.base.get(..10).unwrap_or(&r.base),
            r.target,
            tip.to_hex_with_len(10)
        )
    };
    Error::conflict(format!("cannot land upgrade {}: {what} (needs rebase)", up.id)).hint(format!(
        "git upgrades approve {} --rebase (or git upgrades rebase {0}); approvals carry over only if the change is unchanged",
        up.id
    ))
}

/// Land an approved upgrade: test its head, then fast-forward its target.
pub fn land(
    store: &Store<'_>,
    up: &Upgrade,
    actor: &Actor,
    reporter: &mut dyn Reporter,
    mode: &LandMode,
) -> Result<ApproveOutcome> {
    let repo = store.repo;
    let id = up.id.clone();
    let head: ObjectId = up
        .record
        .head
        .parse()
        .map_err(|_| Error::failure(format!("upgrade {id}: damaged head id")))?;
    let target = up.record.target.clone();
    let tip = branch_tip(store, &target)?;
    if !is_ancestor(repo, tip, head)? {
        return Err(not_fast_forward(up, tip));
    }
    // Fail before the tests run, not after.
    worktree::clean_checkouts(repo, &target)?;
    crate::store::check_open_ref(store, &id, &up.record.head)?;
    let policy: Policy = policy_at(repo, &target, tip)?;
    // How each approver was judged, for the display block of the landing.
    let mut labels = Vec::new();
    let urgent = match mode {
        LandMode::Normal => {
            if up.record.state != State::Approved {
                return Err(Error::denied(format!(
                    "upgrade {id} is {}, not approved",
                    up.record.state
                ))
                .hint(format!("approve it first: git upgrades approve {id}")));
            }
            let history = store.history(up)?;
            let tally = trust::tally(store, &history, &policy, tip)?;
            if let Some(why) = tally.shortfall(&id) {
                let hint = if tally.blocking.is_empty() {
                    format!("`git upgrades show {id}` lists its approvals and why any do not count")
                } else {
                    format!(
                        "it lands once they approve a revision (or withdraw: `git upgrades request-changes {id} --withdraw`); `git upgrades show {id}` shows what they asked"
                    )
                };
                return Err(Error::denied(why).hint(hint));
            }
            labels = tally.approvals.iter().map(trust::display_label).collect();
            None
        }
        LandMode::Urgent { reason, skip_tests } => {
            if !policy.allow_urgent {
                return Err(Error::denied(
                    "the policy does not allow urgent landing (policy.allow_urgent)",
                ));
            }
            if *skip_tests && !policy.allow_urgent_skip_tests {
                return Err(Error::denied(
                    "the policy does not allow skipping tests (policy.allow_urgent_skip_tests)",
                ));
            }
            if !up.record.state.is_open() {
                return Err(Error::failure(format!(
                    "upgrade {id} is {}; it cannot land",
                    up.record.state
                )));
            }
            Some(Urgent {
                by: actor.name.clone(),
                at: actor.at(),
                reason: reason.clone(),
                tests_skipped: *skip_tests,
            })
        }
    };
    let skip_tests = urgent.as_ref().is_some_and(|u| u.tests_skipped);
    let actor = Actor {
        name: actor.name.clone(),
        ..Actor::of(store)?
    };
    if !skip_tests {
        let result: TestResult = run_tests(
            repo,
            &policy,
            &id,
            &target,
            head,
            reporter,
            &crate::time::now_unix,
        )?;
        let tester = Actor {
            name: actor.name.clone(),
            ..Actor::of(store)?
        };
        let tested = record_tests(store, &id, &tester, &result)?;
        if !result.allows_landing() {
            let failed = close_failed(store, &tested, &tester, &result, urgent.is_some())?;
            return Ok(ApproveOutcome::TestsFailed(failed));
        }
    }

    let (landed, checked_out, tip) = super::retrying(store, |_| {
        // The landing happens now, after the tests: its event time says so.
        let actor = Actor {
            name: actor.name.clone(),
            ..Actor::of(store)?
        };
        let up = store.load(&id)?;
        let state_ok = match urgent {
            Some(_) => up.record.state.is_open(),
            None => up.record.state == State::Approved,
        };
        if !state_ok || up.record.head.parse::<ObjectId>().ok() != Some(head) {
            return Err(Error::conflict(format!(
                "upgrade {id} changed while its tests ran (it is now {})",
                up.record.state
            )));
        }
        let tip = branch_tip(store, &target)?;
        if !is_ancestor(repo, tip, head)? {
            return Err(not_fast_forward(&up, tip));
        }
        let checked_out = worktree::clean_checkouts(repo, &target)?;
        let landing = Landing {
            by: actor.name.clone(),
            at: actor.at(),
            previous_target: tip.to_string(),
            new_target: head.to_string(),
        };
        let d = details([
            ("target", target.clone().into()),
            ("previous_target", tip.to_string().into()),
            ("new_target", head.to_string().into()),
            (
                "urgent",
                urgent.as_ref().map(|_| true.into()).unwrap_or_default(),
            ),
            (
                "reason",
                urgent
                    .as_ref()
                    .map(|u| u.reason.clone().into())
                    .unwrap_or_default(),
            ),
            (
                "tests_skipped",
                urgent
                    .as_ref()
                    .map(|u| u.tests_skipped.into())
                    .unwrap_or_default(),
            ),
        ]);
        let urgent_record = urgent.clone();
        let (record, event) = transition(
            Some(&up.record),
            EventKind::Applied,
            Facts {
                urgent: urgent.is_some(),
                ..Facts::default()
            },
            &actor,
            d,
            |r| {
                r.landing = Some(landing);
                r.urgent = urgent_record;
            },
            None,
        )?;
        let mut extra = vec![update(
            &branch_ref(&target),
            PreviousValue::MustExistAndMatch(Target::Object(tip)),
            head,
            &format!("upgrade.applied {id}"),
        )?];
        extra.extend(close_refs(&id, &up.record.head, "upgrade.applied")?);
        let append = Append {
            labels: &labels,
            ..Append::event(&record, &event, up.tip, &actor.signature, extra)
        };
        let new_tip = store.append(append)?;
        let landed = Upgrade {
            id: id.clone(),
            tip: new_tip,
            record,
        };
        Ok((landed, checked_out, tip))
    })?;
    // Outside the write lock: a big worktree takes a while to update.
    worktree::follow(&checked_out, tip, head);
    Ok(ApproveOutcome::Applied(landed))
}

fn close_failed(
    store: &Store<'_>,
    up: &Upgrade,
    actor: &Actor,
    result: &TestResult,
    urgent: bool,
) -> Result<Upgrade> {
    let reason = match result.status.as_str() {
        "timed-out" => "tests timed out".to_string(),
        "error" => "tests could not start".to_string(),
        _ => format!(
            "tests failed (exit code {})",
            result.exit_code.map_or("none".into(), |c| c.to_string())
        ),
    };
    append_retrying(store, &up.id, &actor.signature, |up| {
        let d = details([
            ("reason", reason.clone().into()),
            ("commit", result.commit.clone().into()),
        ]);
        let closed = Closure {
            by: actor.name.clone(),
            at: actor.at(),
            reason: Some(reason.clone()),
        };
        let planned = transition(
            Some(&up.record),
            EventKind::Failed,
            Facts {
                urgent,
                ..Facts::default()
            },
            actor,
            d,
            |r| r.closed = Some(closed),
            None,
        )?;
        Ok(Planned::new(
            planned,
            close_refs(&up.id, &up.record.head, "upgrade.failed")?,
        ))
    })
}

/// What `apply` lands.
#[derive(Debug, Clone, Default)]
pub struct ApplyRequest {
    /// Upgrade id or unique prefix.
    pub id: String,
    /// Urgent bypass with this reason.
    pub urgent: Option<String>,
    /// With `urgent`: skip the tests (policy permitting).
    pub skip_tests: bool,
}

/// Land an upgrade whose approvals are complete, or (urgent) without them.
pub fn apply(
    store: &Store<'_>,
    req: &ApplyRequest,
    reporter: &mut dyn Reporter,
) -> Result<ApproveOutcome> {
    let up = store.find(&req.id)?;
    let id = up.id.clone();
    let actor = Actor::of(store)?;
    let mode = match &req.urgent {
        Some(reason) => match crate::record::user_text("reason", Some(reason))? {
            None => {
                return Err(Error::usage("--urgent needs a reason")
                    .hint("git upgrades apply <id> --urgent --reason <text>"))
            }
            Some(reason) => LandMode::Urgent {
                reason,
                skip_tests: req.skip_tests,
            },
        },
        None if req.skip_tests => {
            return Err(Error::usage("--skip-tests is only possible with --urgent"))
        }
        None => LandMode::Normal,
    };
    if !up.record.state.is_open() {
        return Err(Error::failure(format!(
            "upgrade {id} is {}; only approved upgrades can be applied",
            up.record.state
        )));
    }
    land(store, &up, &actor, reporter, &mode)
}
