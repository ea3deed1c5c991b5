//! The lifecycle as a pure function: which event may follow which state, and
//! the state it leads to. No I/O here; the store applies and persists.
//!
//! ```text
//! proposed ──approve──▶ approved ──apply──▶ applied ──rollback──▶ rolled-back
//!    │  ╲                  │  ╲
//!    │   reject/expire     │   tests fail ──▶ failed
//!    ▼                     ▼
//! rejected / expired    rejected
//! ```
//!
//! A revision (`revised`, `rebased`) keeps an open upgrade open: `approved`
//! only when its approvals carried over. The conversation (`commented`,
//! `comment-resolved`, `changes-requested`, `changes-withdrawn`) never moves
//! the lifecycle: a change request blocks landing through the approval
//! tally (`trust::approvals`), not through the state.

use crate::record::{EventKind, State};

/// Why a transition is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The state the upgrade is in.
    pub from: Option<State>,
    /// The event that was attempted.
    pub event: EventKind,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.from {
            Some(state) => write!(
                f,
                "{} is not possible for an upgrade that is {state}",
                self.event.as_str()
            ),
            None => write!(f, "{} needs an existing upgrade", self.event.as_str()),
        }
    }
}

/// What an event needs to know beyond the current state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// After this approval, the policy's approval count is met.
    pub approvals_complete: bool,
    /// The event lands without complete approvals (urgent bypass, by policy).
    pub urgent: bool,
}

/// The state after `event` happens to an upgrade in `from` (None: does not exist yet).
pub fn next_state(from: Option<State>, event: EventKind, facts: Facts) -> Result<State, Refused> {
    use EventKind as E;
    use State as S;
    let to = match (from, event) {
        (None, E::Proposed) => S::Proposed,
        (Some(s @ (S::Proposed | S::Approved)), E::Tested) => s,
        (Some(S::Proposed | S::Approved), E::Approved) if facts.approvals_complete => S::Approved,
        (Some(S::Proposed), E::Approved) => S::Proposed,
        (Some(S::Proposed | S::Approved), E::Rejected) => S::Rejected,
        (Some(S::Proposed), E::Expired) => S::Expired,
        (Some(S::Approved), E::Applied) => S::Applied,
        (Some(S::Proposed), E::Applied) if facts.urgent => S::Applied,
        (Some(S::Approved), E::Failed) => S::Failed,
        (Some(S::Proposed), E::Failed) if facts.urgent => S::Failed,
        (Some(S::Applied), E::RolledBack) => S::RolledBack,
        (Some(S::Proposed | S::Approved), E::Rebased | E::Revised) if facts.approvals_complete => {
            S::Approved
        }
        (Some(S::Proposed | S::Approved), E::Rebased | E::Revised) => S::Proposed,
        // Comments are possible in every state (a landed change can still be discussed).
        (Some(s), E::Commented | E::CommentResolved) => s,
        (Some(s @ (S::Proposed | S::Approved)), E::ChangesRequested | E::ChangesWithdrawn) => s,
        // A merge's resulting state is decided by the merge rule (sync::merge),
        // not by this table; it never creates an upgrade.
        (Some(s), E::Merged) => s,
        (from, event) => return Err(Refused { from, event }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventKind as E;
    use State as S;

    const EVENTS: [EventKind; 15] = [
        E::Proposed,
        E::Tested,
        E::Approved,
        E::Rejected,
        E::Applied,
        E::Failed,
        E::Expired,
        E::RolledBack,
        E::Rebased,
        E::Merged,
        E::Revised,
        E::Commented,
        E::CommentResolved,
        E::ChangesRequested,
        E::ChangesWithdrawn,
    ];

    /// The complete table of allowed transitions with plain facts; everything else is refused.
    fn expected(from: Option<State>, event: EventKind) -> Option<State> {
        Some(match (from?, event) {
            (S::Proposed, E::Tested) => S::Proposed,
            (S::Approved, E::Tested) => S::Approved,
            (S::Proposed, E::Approved) => S::Proposed,
            (S::Approved, E::Approved) => return None,
            (S::Proposed | S::Approved, E::Rejected) => S::Rejected,
            (S::Proposed, E::Expired) => S::Expired,
            (S::Approved, E::Applied) => S::Applied,
            (S::Approved, E::Failed) => S::Failed,
            (S::Applied, E::RolledBack) => S::RolledBack,
            (S::Proposed | S::Approved, E::Rebased | E::Revised) => S::Proposed,
            (s, E::Merged | E::Commented | E::CommentResolved) => s,
            (s @ (S::Proposed | S::Approved), E::ChangesRequested | E::ChangesWithdrawn) => s,
            _ => return None,
        })
    }

    #[test]
    fn every_transition_is_allowed_or_refused_as_documented() {
        let froms = std::iter::once(None).chain(S::ALL.into_iter().map(Some));
        for from in froms {
            for event in EVENTS {
                let got = next_state(from, event, Facts::default()).ok();
                let want = if from.is_none() {
                    (event == E::Proposed).then_some(S::Proposed)
                } else {
                    expected(from, event)
                };
                assert_eq!(got, want, "{from:?} + {event:?}");
            }
        }
    }

    #[test]
    fn complete_approvals_move_to_approved() {
        let facts = Facts {
            approvals_complete: true,
            ..Facts::default()
        };
        assert_eq!(
            next_state(Some(S::Proposed), E::Approved, facts),
            Ok(S::Approved)
        );
        assert_eq!(
            next_state(Some(S::Approved), E::Approved, facts),
            Ok(S::Approved)
        );
        assert!(next_state(Some(S::Rejected), E::Approved, facts).is_err());
        assert!(next_state(Some(S::Applied), E::Approved, facts).is_err());
    }

    #[test]
    fn urgent_lands_without_approval() {
        let facts = Facts {
            urgent: true,
            ..Facts::default()
        };
        assert_eq!(
            next_state(Some(S::Proposed), E::Applied, facts),
            Ok(S::Applied)
        );
        assert_eq!(
            next_state(Some(S::Proposed), E::Failed, facts),
            Ok(S::Failed)
        );
        assert!(next_state(Some(S::Rejected), E::Applied, facts).is_err());
    }

    #[test]
    fn terminal_states_accept_nothing_but_rollback_of_applied_and_comments() {
        for state in [S::Rejected, S::Expired, S::Failed, S::RolledBack] {
            let same = [E::Merged, E::Commented, E::CommentResolved];
            for event in EVENTS.into_iter().filter(|e| !same.contains(e)) {
                let all = Facts {
                    approvals_complete: true,
                    urgent: true,
                };
                assert!(
                    next_state(Some(state), event, all).is_err(),
                    "{state:?} + {event:?}"
                );
            }
        }
    }
}
