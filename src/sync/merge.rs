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
//! 4. The merge commit's author, committer and time are derived from the
//!    parents only (`git-upgrades <merge@git-upgrades.invalid>`, the later
//!    parent's time), so two clones merging the same pair write the same
//!    commit, byte for byte.
//!
//! No event is ever dropped: both parents stay reachable from the merge.

use crate::record::{Record, State};

/// The merge rule's precedence of outcomes (higher wins).
pub fn precedence(state: State) -> u8 {
    match state {
        State::Applied | State::RolledBack => 6,
        State::Failed => 5,
        State::Rejected => 4,
        State::Expired => 3,
        State::Approved => 2,
        State::Proposed => 1,
    }
}

/// The merged record of two diverged sides (`*_tip` are their event-commit ids, hex).
pub fn merge_records(a: &Record, a_tip: &str, b: &Record, b_tip: &str) -> Record {
    let key = |r: &Record, tip: &str| (precedence(r.state), r.seq, tip.to_string());
    let (winner, loser) = if key(a, a_tip) >= key(b, b_tip) {
        (a, b)
    } else {
        (b, a)
    };
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
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Approval, Closure, Landing};

    fn base() -> Record {
        let text = r#"{"format":1,"id":"u1","state":"proposed","description":"d","target":"main",
            "base":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","head":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "proposed_by":"A <a@x>","proposed_at":"2026-01-01T00:00:00Z","files":[],
            "stats":{"files":0,"added":0,"removed":0},"diff_preview":"","tests":null,"approvals":[],
            "updated_at":"2026-01-01T00:00:00Z","seq":1}"#;
        Record::from_note(text.as_bytes(), "u1").unwrap()
    }

    fn approved(by: &str, at: &str) -> Record {
        let mut r = base();
        r.state = State::Approved;
        r.seq = 2;
        r.approvals.push(Approval {
            by: by.into(),
            at: at.into(),
            head: r.head.clone(),
            comment: None,
            carried_from: None,
        });
        r
    }

    #[test]
    fn reject_beats_a_concurrent_approval_and_keeps_it() {
        let a = approved("B <b@x>", "2026-01-02T00:00:00Z");
        let mut r = base();
        r.state = State::Rejected;
        r.seq = 2;
        r.closed = Some(Closure {
            by: "C <c@x>".into(),
            at: "2026-01-02T00:00:00Z".into(),
            reason: None,
        });
        let m1 = merge_records(&a, "1111", &r, "2222");
        let m2 = merge_records(&r, "2222", &a, "1111");
        assert_eq!(m1, m2, "the result does not depend on which clone merges");
        assert_eq!(m1.state, State::Rejected);
        assert_eq!(m1.approvals.len(), 1);
        assert_eq!(m1.seq, 3);
    }

    #[test]
    fn applied_cannot_be_unapplied_by_a_reject() {
        let mut applied = approved("B <b@x>", "2026-01-02T00:00:00Z");
        applied.state = State::Applied;
        applied.seq = 4;
        applied.landing = Some(Landing {
            by: "B <b@x>".into(),
            at: "2026-01-02T00:00:00Z".into(),
            previous_target: "a".repeat(40),
            new_target: "b".repeat(40),
        });
        let mut rejected = base();
        rejected.state = State::Rejected;
        rejected.seq = 9;
        let m = merge_records(&rejected, "ffff", &applied, "0000");
        assert_eq!(m.state, State::Applied);
        assert!(m.landing.is_some());
        assert_eq!(m.seq, 10);
    }

    #[test]
    fn approvals_are_the_union() {
        let a = approved("B <b@x>", "2026-01-02T00:00:00Z");
        let b = approved("C <c@x>", "2026-01-03T00:00:00Z");
        let m = merge_records(&a, "1", &b, "2");
        assert_eq!(m.approvals.len(), 2);
        assert_eq!(m, merge_records(&b, "2", &a, "1"));
    }
}
