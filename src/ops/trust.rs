//! Who may approve, and which approvals count: distinct identities, pinned
//! to the current head, from the allow-list, not the proposer (unless
//! allowed), and signed and verified when the policy requires it. The
//! policy is always the one committed on the target branch.

use std::path::PathBuf;

use gix::ObjectId;

use super::Actor;
use crate::config::Policy;
use crate::error::{Error, Result};
use crate::record::{EventKind, Record};
use crate::repo::email_of;
use crate::store::sign::{self, Signature};
use crate::store::{Store, Upgrade};

/// The actor name used for approvals and actions taken by the policy itself.
pub const POLICY_ACTOR: &str = "policy";

/// Refuse an approver the policy does not allow (exit 5).
pub fn may_approve(policy: &Policy, record: &Record, actor: &Actor) -> Result<()> {
    let me = email_of(&actor.name);
    if !policy.allow_self_approval && me == email_of(&record.proposed_by) {
        return Err(Error::denied(format!(
            "you proposed upgrade {}; the policy does not allow self-approval",
            record.id
        ))
        .hint("ask someone else to approve it (policy.allow_self_approval is false)"));
    }
    if !policy.approvers.is_empty() && !policy.approvers.contains(&me) {
        return Err(Error::denied(format!(
            "{me} is not in the policy's approvers for {}",
            record.target
        ))
        .hint("policy.approvers in the target's .upgrades.toml lists who may approve"));
    }
    Ok(())
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
    /// Signature status, when it was checked.
    pub signature: Option<Signature>,
}

/// The approvals of an upgrade, judged.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Each approval on the current head (first per identity).
    pub approvals: Vec<Judged>,
    /// How many count.
    pub valid: usize,
    /// How many are needed.
    pub required: usize,
}

impl Tally {
    /// True when enough approvals count.
    pub fn complete(&self) -> bool {
        self.valid >= self.required
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

/// Judge every approval of `up` under `policy`.
pub fn tally(
    store: &Store<'_>,
    up: &Upgrade,
    policy: &Policy,
    target_tip: ObjectId,
) -> Result<Tally> {
    let r = &up.record;
    let signers = if policy.require_signed_approvals {
        Some(allowed_signers(store.repo, policy, target_tip)?)
    } else {
        None
    };
    // Approval event commits by (actor, head), needed only to check signatures.
    let approval_commits: Vec<(String, String, ObjectId)> = if signers.is_some() {
        store
            .events(up)?
            .into_iter()
            .filter(|e| e.event.event == EventKind::Approved)
            .map(|e| {
                let head = e
                    .event
                    .details
                    .get("head")
                    .and_then(|h| h.as_str())
                    .unwrap_or("")
                    .to_string();
                (e.event.actor.clone(), head, e.commit)
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut seen: Vec<String> = Vec::new();
    let mut approvals = Vec::new();
    for a in r.approvals.iter().filter(|a| a.head == r.head) {
        let email = email_of(&a.by);
        if seen.contains(&email) {
            continue;
        }
        seen.push(email.clone());
        let mut j = Judged {
            by: a.by.clone(),
            counts: true,
            why_not: None,
            signature: None,
        };
        if a.by == POLICY_ACTOR {
            approvals.push(j);
            continue;
        }
        if !policy.allow_self_approval && email == email_of(&r.proposed_by) {
            j.counts = false;
            j.why_not = Some("self-approval is not allowed".into());
        } else if !policy.approvers.is_empty() && !policy.approvers.contains(&email) {
            j.counts = false;
            j.why_not = Some("not in policy.approvers".into());
        } else if let Some(signers) = &signers {
            let commit = approval_commits
                .iter()
                .rev()
                .find(|(by, head, _)| by == &a.by && head == &a.head);
            let status = match commit {
                Some((_, _, c)) => sign::verify(store.repo, *c, signers.path.as_deref())?,
                None => Signature::Bad("no approval event found".into()),
            };
            match &status {
                Signature::Good(p) if email_of(p) == email => {}
                Signature::Good(p) => {
                    j.counts = false;
                    j.why_not = Some(format!("signed by {p}, not by the approver"));
                }
                other => {
                    j.counts = false;
                    j.why_not = Some(other.describe());
                }
            }
            j.signature = Some(status);
        }
        approvals.push(j);
    }
    let valid = approvals.iter().filter(|j| j.counts).count();
    Ok(Tally {
        approvals,
        valid,
        required: policy.required_approvals as usize,
    })
}
