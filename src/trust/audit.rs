//! `verify`: prove a target branch's first-parent history from git objects
//! alone. Walking back from the tip, every move of the branch after the
//! adoption point must be the landing of an upgrade whose replayed chain says
//! `applied` (or later `rolled-back`) from exactly the previous tip to exactly
//! this commit, with approvals that verify under the policy committed at the
//! previous tip and a passing test run on the landed commit — or the urgent
//! bypass that policy allows. The adoption point is stored in git itself: the
//! first commit of the branch whose tree holds the policy file; moves onto a
//! tip without a policy are "before adoption".

use std::collections::HashMap;

use gix::ObjectId;

use super::approvals::Proof;
use super::landing::justify_step;
use crate::config::POLICY_FILE;
use crate::error::Result;
use crate::graph::is_ancestor;
use crate::record::State;
use crate::replay::History;
use crate::store::{Store, NOTES_PREFIX};

/// The most first-parent commits one audit walks.
pub const MAX_STEPS: usize = 1_000_000;

/// How one step of the history stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Landed through the queue, with everything the policy asks for.
    Proven,
    /// Not proven: `reason` says what is missing.
    Violation,
    /// Before the policy was adopted on this branch.
    BeforeAdoption,
}

/// One approval as the audit judged it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AuditedApproval {
    /// The approver.
    pub by: String,
    /// How the identity is established.
    pub proof: String,
    /// Whether it counts under the policy at the previous tip.
    pub counts: bool,
}

/// One move of the branch, newest first.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Step {
    /// The commit the branch moved to.
    pub commit: String,
    /// The tip it moved from (a landing's recorded previous tip, else the first parent).
    pub previous: Option<String>,
    /// The verdict.
    pub result: Verdict,
    /// The upgrade that landed it, when one did.
    pub upgrade: Option<String>,
    /// Its approvals (empty for urgent landings and violations).
    pub approvals: Vec<AuditedApproval>,
    /// The recorded test status on the landed commit.
    pub tests: Option<String>,
    /// Who landed it.
    pub landed_by: Option<String>,
    /// The urgent bypass's reason, when it was used.
    pub urgent: Option<String>,
    /// Why a step is a violation, or what marks adoption.
    pub reason: Option<String>,
}

/// The audit of one branch.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Audit {
    /// The branch name landings are matched against.
    pub target: String,
    /// The tip audited.
    pub tip: String,
    /// Steps, newest first.
    pub steps: Vec<Step>,
    /// Number of proven steps.
    pub proven: usize,
    /// Number of violations.
    pub violations: usize,
}

/// Every readable upgrade history: local notes refs and the tracking refs of
/// every remote (`pull` or a plain fetch with `init --remote` brings them).
/// Damaged chains are skipped: they can prove nothing.
fn histories(store: &Store<'_>, target: &str) -> Result<Vec<History>> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut tips: Vec<(String, ObjectId)> = store.tips(NOTES_PREFIX)?;
    for (name, tip) in store.tips("refs/upgrades-sync/")? {
        if let Some((_, id)) = name.split_once("/notes/") {
            tips.push((id.to_string(), tip));
        }
    }
    for (id, tip) in tips {
        if crate::ids::validate_id(&id).is_err() || !seen.insert(tip) {
            continue;
        }
        if let Ok((_, h)) = store.load_with_history(&id, tip) {
            if h.target == target && h.landing.is_some() {
                out.push(h);
            }
        }
    }
    Ok(out)
}

fn has_policy(repo: &gix::Repository, commit: ObjectId) -> Result<bool> {
    Ok(repo
        .find_commit(commit)?
        .tree()?
        .find_entry(POLICY_FILE)
        .is_some())
}

fn first_parent(repo: &gix::Repository, commit: ObjectId) -> Result<Option<ObjectId>> {
    Ok(repo
        .find_commit(commit)?
        .parent_ids()
        .next()
        .map(|p| p.detach()))
}

/// Audit the first-parent history of `tip` as the branch `target`, down to
/// the adoption point or `since` (exclusive).
pub fn verify(
    store: &Store<'_>,
    target: &str,
    tip: ObjectId,
    since: Option<ObjectId>,
) -> Result<Audit> {
    let repo = store.repo;
    let all = histories(store, target)?;
    let mut by_landed: HashMap<String, Vec<&History>> = HashMap::new();
    for h in all
        .iter()
        .filter(|h| matches!(h.state, State::Applied | State::RolledBack))
    {
        let l = h.landing.as_ref().expect("filtered on landing");
        by_landed.entry(l.new_target.clone()).or_default().push(h);
    }
    let mut steps = Vec::new();
    let mut at = Some(tip);
    while let Some(commit) = at {
        if Some(commit) == since || steps.len() >= MAX_STEPS {
            break;
        }
        if !has_policy(repo, commit)? {
            steps.push(adoption(commit, "the branch has no policy file here"));
            break;
        }
        let Some(parent) = first_parent(repo, commit)? else {
            steps.push(adoption(
                commit,
                "the branch's first commit, with the policy: adopted from the start",
            ));
            break;
        };
        if !has_policy(repo, parent)? {
            steps.push(adoption(
                commit,
                &format!("{POLICY_FILE} is first committed here: the policy is adopted"),
            ));
            break;
        }
        let mut refusal = None;
        let mut proven = None;
        for h in by_landed
            .get(&commit.to_string())
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            let l = h.landing.as_ref().expect("indexed by landing");
            let Ok(previous) = l.previous_target.parse::<ObjectId>() else {
                continue;
            };
            if !is_ancestor(repo, previous, commit)? {
                refusal = Some(format!(
                    "upgrade {}'s landing does not start from an ancestor",
                    h.id
                ));
                continue;
            }
            match justify_step(store, h, l) {
                Ok(j) => {
                    proven = Some((h, l, previous, j));
                    break;
                }
                Err(e) => refusal = Some(e.message),
            }
        }
        match proven {
            Some((h, l, previous, j)) => {
                let approvals = j
                    .tally
                    .map(|t| {
                        t.approvals
                            .into_iter()
                            .map(|a| AuditedApproval {
                                by: a.by,
                                proof: match a.proof {
                                    Proof::Claimed => "claimed".into(),
                                    other => other.label(),
                                },
                                counts: a.counts,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                steps.push(Step {
                    commit: commit.to_string(),
                    previous: Some(previous.to_string()),
                    result: Verdict::Proven,
                    upgrade: Some(h.id.clone()),
                    approvals,
                    tests: j.tested,
                    landed_by: Some(l.by.clone()),
                    urgent: l.urgent.as_ref().map(|(reason, _)| reason.clone()),
                    reason: None,
                });
                at = Some(previous);
            }
            None => {
                steps.push(Step {
                    commit: commit.to_string(),
                    previous: Some(parent.to_string()),
                    result: Verdict::Violation,
                    upgrade: None,
                    approvals: Vec::new(),
                    tests: None,
                    landed_by: None,
                    urgent: None,
                    reason: Some(refusal.unwrap_or_else(|| {
                        "not landed through the queue: no upgrade's landing ends here".into()
                    })),
                });
                at = Some(parent);
            }
        }
    }
    let proven = steps.iter().filter(|s| s.result == Verdict::Proven).count();
    let violations = steps
        .iter()
        .filter(|s| s.result == Verdict::Violation)
        .count();
    Ok(Audit {
        target: target.to_string(),
        tip: tip.to_string(),
        steps,
        proven,
        violations,
    })
}

fn adoption(commit: ObjectId, why: &str) -> Step {
    Step {
        commit: commit.to_string(),
        previous: None,
        result: Verdict::BeforeAdoption,
        upgrade: None,
        approvals: Vec::new(),
        tests: None,
        landed_by: None,
        urgent: None,
        reason: Some(why.to_string()),
    }
}
