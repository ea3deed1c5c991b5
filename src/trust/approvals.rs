//! Who may approve, and which approvals count. Only approval *events* of the
//! replayed chain count (never the record's list): distinct identities,
//! pinned to the current head, from the allow-list, not the proposer (unless
//! allowed), signed and verified when the policy requires it. The policy's
//! own approvals count only when its auto-approve rule, re-evaluated on the
//! recomputed change and the event times, allows them; approvals carried over
//! by a rebase count only when the change is provably unchanged (same patch
//! id) and the original event still verifies. An open change request of
//! someone who may approve blocks the tally until they clear it. The policy
//! is always the one committed on the target branch.

use std::path::PathBuf;

use gix::ObjectId;

use super::change::{patch_id, recompute, Change};
use crate::config::Policy;
use crate::error::{Error, Result};
use crate::replay::{ApprovalFact, History, POLICY_ACTOR};
use crate::repo::email_of;
use crate::store::note::ApprovalLabel;
use crate::store::sign::{self, Signature};
use crate::store::Store;

/// Refuse an approver the policy does not allow (exit 5).
pub fn may_approve(policy: &Policy, history: &History, actor_name: &str) -> Result<()> {
    let me = email_of(actor_name);
    if !policy.allow_self_approval && me == email_of(&history.proposer) {
        return Err(Error::denied(format!(
            "you proposed upgrade {}; the policy does not allow self-approval",
            history.id
        ))
        .hint("ask someone else to approve it (policy.allow_self_approval is false)"));
    }
    if !policy.approvers.is_empty() && !policy.approvers.contains(&me) {
        return Err(Error::denied(format!(
            "{me} is not in the policy's approvers for {}",
            history.target
        ))
        .hint("policy.approvers in the target's .upgrades.toml lists who may approve"));
    }
    Ok(())
}

/// How an approval's identity is established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// Unsigned: the identity is whatever the approver's git config claimed.
    Claimed,
    /// Signed, and the signature was checked.
    Signature(Signature),
    /// Given by the policy's auto-approve rule (re-evaluated, not trusted).
    Rule,
}

impl Proof {
    /// A short label for output: `claimed identity`, `signed by …`, `auto-approve rule`.
    pub fn label(&self) -> String {
        match self {
            Proof::Claimed => "claimed identity (unsigned)".into(),
            Proof::Signature(s) => s.describe(),
            Proof::Rule => "auto-approve rule".into(),
        }
    }
}

/// One approval as judged by the current policy.
#[derive(Debug, Clone)]
pub struct Judged {
    /// `Name <email>`.
    pub by: String,
    /// Whether it counts towards `required_approvals`.
    pub counts: bool,
    /// Why it does not count, if so.
    pub why_not: Option<String>,
    /// How the approver's identity is established.
    pub proof: Proof,
    /// The approval event commit.
    pub event: ObjectId,
    /// The head it was originally given on, when carried over by a rebase.
    pub carried_from: Option<String>,
}

/// How `judged` appears in the display block of `git log --notes`.
pub fn display_label(judged: &Judged) -> ApprovalLabel {
    let mut label = match &judged.proof {
        Proof::Claimed => "claimed identity".to_string(),
        Proof::Signature(Signature::Good(p)) => format!("signed: good signature by {p}"),
        other => other.label(),
    };
    if let Some(why) = judged.why_not.as_deref().filter(|_| !judged.counts) {
        label.push_str(&format!("; does not count: {why}"));
    }
    ApprovalLabel {
        by: judged.by.clone(),
        label,
    }
}

/// An open change request that blocks landing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocking {
    /// Who asked.
    pub by: String,
    /// What should change.
    pub text: String,
    /// The revision it was given on.
    pub revision: u64,
    /// Why it still blocks when the chain says it was cleared (the clearing
    /// event does not verify where the policy requires signatures).
    pub note: Option<String>,
}

/// The approvals of an upgrade, judged.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Each approver of the current head (the best-judged event per identity).
    pub approvals: Vec<Judged>,
    /// How many count.
    pub valid: usize,
    /// How many are needed.
    pub required: usize,
    /// True when the policy requires signed approvals; otherwise identities are claimed.
    pub signed: bool,
    /// Open change requests of people the policy lets approve: each blocks landing.
    pub blocking: Vec<Blocking>,
}

impl Tally {
    /// True when enough approvals count and no change request is open.
    pub fn complete(&self) -> bool {
        self.valid >= self.required && self.blocking.is_empty()
    }

    /// Why landing is refused, in one line (None when it is not).
    pub fn shortfall(&self, id: &str) -> Option<String> {
        if self.valid < self.required {
            return Some(format!(
                "upgrade {id} has {} of the {} the policy requires",
                self.valid,
                crate::text::plural(self.required, "approval")
            ));
        }
        let mut who: Vec<String> = Vec::new();
        for b in &self.blocking {
            let name = crate::record::sanitize_line(&b.by, 100);
            if !who.contains(&name) {
                who.push(name);
            }
        }
        (!who.is_empty())
            .then(|| format!("upgrade {id} has changes requested by {}", who.join(", ")))
    }

    /// True when `name` has an approval of the current head that counts.
    pub fn counts_for(&self, name: &str) -> bool {
        let me = email_of(name);
        self.approvals
            .iter()
            .any(|j| j.counts && email_of(&j.by) == me)
    }
}

/// A temporary copy of the target's committed allowed-signers file.
pub struct AllowedSigners {
    _file: Option<tempfile::NamedTempFile>,
    /// Path to pass to git, if any.
    pub path: Option<PathBuf>,
}

/// Extract the allowed-signers file named by the policy from the target's tree.
pub fn allowed_signers(
    repo: &gix::Repository,
    policy: &Policy,
    target_tip: ObjectId,
) -> Result<AllowedSigners> {
    let Some(path) = &policy.allowed_signers else {
        return Ok(AllowedSigners {
            _file: None,
            path: None,
        });
    };
    let tree = repo.find_commit(target_tip)?.tree()?;
    let entry = tree.lookup_entry_by_path(path)?.ok_or_else(|| {
        Error::failure(format!(
            "policy.allowed_signers names {path:?}, which is not committed on the target"
        ))
    })?;
    let blob = entry.object()?;
    let mut file = tempfile::Builder::new()
        .prefix("git-upgrades-signers-")
        .tempfile()
        .map_err(|e| Error::from_std("cannot create a temporary file", &e))?;
    std::io::Write::write_all(&mut file, &blob.data)
        .map_err(|e| Error::from_std("cannot write a temporary file", &e))?;
    let p = file.path().to_path_buf();
    Ok(AllowedSigners {
        _file: Some(file),
        path: Some(p),
    })
}

/// Everything judging needs, computed at most once per tally.
struct Judge<'a> {
    store: &'a Store<'a>,
    history: &'a History,
    policy: &'a Policy,
    signers: Option<AllowedSigners>,
    change: Option<Change>,
}

impl Judge<'_> {
    fn change(&mut self) -> Result<&Change> {
        if self.change.is_none() {
            self.change = Some(recompute(
                self.store.repo,
                &self.history.base,
                &self.history.head,
            )?);
        }
        Ok(self.change.as_ref().expect("computed above"))
    }

    fn judge(&mut self, a: &ApprovalFact) -> Result<Judged> {
        let mut j = Judged {
            by: a.by.clone(),
            counts: false,
            why_not: None,
            proof: Proof::Claimed,
            event: a.commit,
            carried_from: a.carried_from.as_ref().map(|(head, _)| head.clone()),
        };
        if let Some((old_head, old_base)) = &a.carried_from {
            let h = self.history;
            // A clone that never had the old revision's commits compares
            // the trees the upgrade's notes keep for every revision.
            let tree = |commit: &str| self.store.revision_tree(h.tip, commit);
            let before = patch_id(self.store.repo, tree(old_base)?, tree(old_head)?)?;
            let now = patch_id(self.store.repo, tree(&h.base)?, tree(&h.head)?)?;
            if before != now {
                j.why_not = Some("carried over a rebase that changed the patch".into());
                return Ok(j);
            }
        }
        if a.by == POLICY_ACTOR {
            j.proof = Proof::Rule;
            let (policy, proposed_at, time) = (self.policy, self.history.proposed_at, a.time);
            match self.change()?.auto_approvable(policy, proposed_at, time) {
                Ok(_) => j.counts = true,
                Err(why) => {
                    j.why_not = Some(format!("the auto-approve rule does not allow it: {why}"))
                }
            }
            return Ok(j);
        }
        let email = email_of(&a.by);
        if !self.policy.allow_self_approval && email == email_of(&self.history.proposer) {
            j.why_not = Some("self-approval is not allowed".into());
            return Ok(j);
        }
        if !self.policy.approvers.is_empty() && !self.policy.approvers.contains(&email) {
            j.why_not = Some("not in policy.approvers".into());
            return Ok(j);
        }
        if let Some(signers) = &self.signers {
            let status = sign::verify(self.store.repo, a.commit, signers.path.as_deref())?;
            match &status {
                Signature::Good(p) if email_of(p) == email => j.counts = true,
                Signature::Good(p) => {
                    j.why_not = Some(format!("signed by {p}, not by the approver"))
                }
                other => j.why_not = Some(other.describe()),
            }
            j.proof = Proof::Signature(status);
            return Ok(j);
        }
        j.counts = true;
        Ok(j)
    }
}

/// Whether this upgrade's approvals must be signed: always, or because the
/// recomputed change touches one of `policy.signed_paths`.
fn signatures_required(judge: &mut Judge<'_>) -> Result<bool> {
    if judge.policy.require_signed_approvals {
        return Ok(true);
    }
    if judge.policy.signed_paths.is_empty() {
        return Ok(false);
    }
    let policy = judge.policy;
    let change = judge.change()?;
    Ok(policy.requires_signatures(change.files.iter().map(|f| f.path.as_str())))
}

/// Whether approvals of `history`'s current revision must be signed under `policy`.
pub fn must_sign(store: &Store<'_>, history: &History, policy: &Policy) -> Result<bool> {
    let mut judge = Judge {
        store,
        history,
        policy,
        signers: None,
        change: None,
    };
    signatures_required(&mut judge)
}

/// Judge every approval event of the current head under `policy` (as
/// committed at `target_tip`): one entry per identity, the best-judged
/// event of each.
pub fn tally(
    store: &Store<'_>,
    history: &History,
    policy: &Policy,
    target_tip: ObjectId,
) -> Result<Tally> {
    let mut judge = Judge {
        store,
        history,
        policy,
        signers: None,
        change: None,
    };
    let signed = signatures_required(&mut judge)?;
    if signed {
        judge.signers = Some(allowed_signers(store.repo, policy, target_tip)?);
    }
    let mut approvals: Vec<Judged> = Vec::new();
    for a in history.current_approvals() {
        let key = email_of(&a.by);
        let existing = approvals.iter().position(|j| email_of(&j.by) == key);
        if existing.is_some_and(|n| approvals[n].counts) {
            continue;
        }
        let judged = judge.judge(a)?;
        match existing {
            Some(n) if judged.counts => approvals[n] = judged,
            Some(_) => {}
            None => approvals.push(judged),
        }
    }
    let valid = approvals.iter().filter(|j| j.counts).count();
    let blocking = blocking(&judge, signed)?;
    Ok(Tally {
        approvals,
        valid,
        required: policy.required_approvals as usize,
        signed,
        blocking,
    })
}

/// The open change requests that block: those of people the policy lets
/// approve (in `policy.approvers` when it lists any; never the proposer, who
/// updates instead). A request the chain says was cleared still blocks when
/// signatures are required and the clearing event (the requester's approval
/// or withdrawal) is not signed by the requester: a forged clearing clears
/// nothing.
fn blocking(judge: &Judge<'_>, signed: bool) -> Result<Vec<Blocking>> {
    let (h, policy) = (judge.history, judge.policy);
    let mut out: Vec<Blocking> = Vec::new();
    for r in &h.change_requests {
        let email = email_of(&r.by);
        if r.by == POLICY_ACTOR
            || email == email_of(&h.proposer)
            || (!policy.approvers.is_empty() && !policy.approvers.contains(&email))
        {
            continue;
        }
        let note = match (r.cleared_by, &judge.signers) {
            (None, _) => None,
            (Some(event), Some(signers)) if signed => {
                match sign::verify(judge.store.repo, event, signers.path.as_deref())? {
                    Signature::Good(p) if email_of(&p) == email => continue,
                    other => Some(format!(
                        "cleared by an event that does not verify: {}",
                        other.describe()
                    )),
                }
            }
            (Some(_), _) => continue,
        };
        out.push(Blocking {
            by: r.by.clone(),
            text: r.text.clone(),
            revision: h.revision_of(&r.head).unwrap_or(1),
            note,
        });
    }
    Ok(out)
}
