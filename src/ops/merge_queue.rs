//! `apply --all`, the merge queue: every approved upgrade lands in order,
//! oldest proposal first, one fast-forward at a time; those the target has
//! moved past are rebased first (`rebase`), and a rebase that changed the
//! change sends it back for approval instead of landing it.

use super::land::{land, ApproveOutcome, LandMode};
use super::rebase::{rebase, RebaseOutcome};
use super::{Actor, Reporter};
use crate::error::Result;
use crate::record::State;
use crate::store::{Store, Upgrade};

/// One result of `apply --all`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QueueResult {
    /// The upgrade.
    pub id: String,
    /// `applied`, `failed`, `conflict`, `needs-approval` or `error`.
    pub result: String,
    /// Its state afterwards.
    pub state: Option<State>,
    /// Why.
    pub detail: String,
}

/// Land every approved upgrade in order (oldest proposal first), one
/// fast-forward at a time, rebasing those the target has moved past.
pub fn apply_all(
    store: &Store<'_>,
    reporter: &mut dyn Reporter,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<Vec<QueueResult>> {
    let mut queue: Vec<Upgrade> = store
        .list()?
        .into_iter()
        .flatten()
        .filter(|u| u.record.state == State::Approved)
        .collect();
    queue.sort_by(|a, b| (&a.record.proposed_at, &a.id).cmp(&(&b.record.proposed_at, &b.id)));
    let total = queue.len();
    let mut results = Vec::new();
    for (n, up) in queue.into_iter().enumerate() {
        progress(n, total, &up.id);
        let result = |result: &str, state: Option<State>, detail: String| QueueResult {
            id: up.id.clone(),
            result: result.into(),
            state,
            detail,
        };
        let current = match rebase(store, &up.id) {
            Ok(RebaseOutcome::UpToDate(u)) => u,
            Ok(RebaseOutcome::Rebased {
                upgrade,
                approvals_kept: true,
            }) => upgrade,
            Ok(RebaseOutcome::Rebased {
                upgrade,
                approvals_kept: false,
            }) => {
                results.push(result(
                    "needs-approval",
                    Some(upgrade.record.state),
                    "rebased; the change differs, so it needs approval again".into(),
                ));
                continue;
            }
            Ok(RebaseOutcome::Conflict { upgrade, reason }) => {
                results.push(result("conflict", Some(upgrade.record.state), reason));
                continue;
            }
            Err(e) => {
                results.push(result("error", Some(up.record.state), e.to_string()));
                continue;
            }
        };
        let actor = Actor::of(store)?;
        match land(store, &current, &actor, reporter, &LandMode::Normal) {
            Ok(ApproveOutcome::Applied(u)) => results.push(result(
                "applied",
                Some(u.record.state),
                format!("landed on {}", u.record.target),
            )),
            Ok(ApproveOutcome::TestsFailed(u)) => results.push(result(
                "failed",
                Some(u.record.state),
                "tests failed".into(),
            )),
            Ok(ApproveOutcome::Recorded(u)) => results.push(result(
                "needs-approval",
                Some(u.record.state),
                String::new(),
            )),
            Err(e) => results.push(result("error", Some(current.record.state), e.to_string())),
        }
    }
    progress(total, total, "");
    Ok(results)
}
