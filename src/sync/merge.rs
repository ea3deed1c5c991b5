//! Merging two clones' histories of one upgrade.
//!
//! When the local and remote event chains of an upgrade diverged, the merge
//! is a commit whose parents are both tips (sorted), whose event is
//! `upgrade.merged`, and whose record follows this rule:
//!
//! 1. The state with the higher precedence wins:
//!    `applied` = `rolled-back` > `failed` > `rejected` > `expired` >
//!    `approved` > `proposed`. An upgrade applied on the target cannot be
//!    un-applied by a concurrent reject; a reject beats a concurrent approval
//!    that has not landed. Ties go to the higher logical clock (`seq`), then
//!    the larger tip id.
//! 2. Everything describing the outcome (head, base, files, closed, landing,
//!    urgent) comes from the winning side. If the two sides approved
//!    different heads, the winner's head stands; approvals of the other head
//!    are kept but do not count (approvals are pinned to their head).
//! 3. Approvals are the union of both sides (deduplicated by approver and
//!    head), ordered by time; the latest test result (by time) is kept.
//! 5. Revisions, comments and change requests are the union of both sides
//!    (`replay::merge_histories`): revisions in their common order, then the
//!    ones only one side has by logical clock, time and head; when both
//!    sides are open with different heads (two concurrent `update`s), the
//!    side whose revision comes last wins, so the newest revision is current
//!    and both stay listed. A comment resolved, or a request cleared, on
//!    either side stays so.
//! 4. The merge commit's author, committer and time are derived from the
//!    parents only (`git-upgrades <merge@git-upgrades.invalid>`, the later
//!    parent's time), so two clones merging the same pair write the same
//!    commit, byte for byte.
//!
//! No event is ever dropped: both parents stay reachable from the merge.

use crate::record::{ChangeRequest, Record};
use crate::replay::History;
use crate::time::rfc3339;

/// The merged record of two diverged sides whose replayed histories merge
/// into `merged` (`replay::merge_histories`, which also says whether `a` won).
pub fn merge_records(a: &Record, b: &Record, a_wins: bool, merged_history: &History) -> Record {
    let (winner, loser) = if a_wins { (a, b) } else { (b, a) };
    let mut merged = winner.clone();
    let mut approvals = winner.approvals.clone();
    for ap in &loser.approvals {
        if !approvals.iter().any(|x| x.by == ap.by && x.head == ap.head) {
            approvals.push(ap.clone());
        }
    }
    approvals.sort_by(|x, y| (&x.at, &x.by, &x.head).cmp(&(&y.at, &y.by, &y.head)));
    merged.approvals = approvals;
    merged.tests = [&a.tests, &b.tests]
        .into_iter()
        .flatten()
        .filter(|t| t.commit == merged.head)
        .max_by(|x, y| (&x.at, &x.status, x.duration_ms).cmp(&(&y.at, &y.status, y.duration_ms)))
        .cloned()
        .or_else(|| winner.tests.clone());
    merged.seq = a.seq.max(b.seq) + 1;
    merged.updated_at = a.updated_at.clone().max(b.updated_at.clone());
    with_conversation(&mut merged, a, b, merged_history);
    merged
}

/// Revisions, change requests and comment counts as the merged history has
/// them; each revision's note and stats from whichever record knew it.
fn with_conversation(merged: &mut Record, a: &Record, b: &Record, h: &History) {
    let fallback = h.revision_infos(&merged.stats);
    merged.revisions = h
        .revisions
        .iter()
        .zip(fallback)
        .enumerate()
        .map(|(n, (r, from_chain))| {
            let known = a
                .revisions
                .iter()
                .chain(&b.revisions)
                .find(|x| x.seq == r.seq && x.head == r.head);
            let mut info = known.cloned().unwrap_or(from_chain);
            info.number = n as u64 + 1;
            info
        })
        .collect();
    merged.changes_requested = h
        .change_requests
        .iter()
        .map(|r| ChangeRequest {
            by: r.by.clone(),
            at: rfc3339(r.time),
            head: r.head.clone(),
            text: r.text.clone(),
            open: r.cleared_by.is_none(),
        })
        .collect();
    merged.comment_count = h.comments.len() as u64;
    merged.unresolved_comments = h.unresolved_comments();
}
