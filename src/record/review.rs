//! The parts of the record that describe the review conversation: every
//! revision of the change, and the change requests. Comments themselves live
//! only in their events (`upgrade.commented`); the record counts them.

use serde::{Deserialize, Serialize};

use super::DiffStats;

/// How a revision came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RevisionKind {
    /// The proposal itself (revision 1).
    Proposed,
    /// A new head given by the proposer (`update`).
    Updated,
    /// The same commits replayed onto a newer target tip (`rebase`).
    Rebased,
}

impl RevisionKind {
    /// The stable name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionKind::Proposed => "proposed",
            RevisionKind::Updated => "updated",
            RevisionKind::Rebased => "rebased",
        }
    }
}

/// One revision of the change: what was reviewed at one time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevisionInfo {
    /// 1 for the proposal, then one more per revision, in the order of the
    /// replayed chain (see `docs/FORMAT.md` for concurrent revisions).
    pub number: u64,
    /// The head commit of this revision.
    pub head: String,
    /// The base it was computed against.
    pub base: String,
    /// Who made it.
    pub by: String,
    /// When (RFC 3339): the time of the event that made it.
    pub at: String,
    /// The logical clock of the event that made it.
    pub seq: u64,
    /// How it came to be.
    pub kind: RevisionKind,
    /// What changed, in the proposer's words (`update -m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Totals of this revision's change against its base.
    pub stats: DiffStats,
    /// True when the change was unchanged (same patch id), so the
    /// approvals of the revision before carried over.
    #[serde(default)]
    pub approvals_kept: bool,
}

/// A blocking vote: an `upgrade.changes-requested` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    /// `Name <email>` of who asked.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// The head it was given on.
    pub head: String,
    /// What should change.
    pub text: String,
    /// False once cleared: by an approval of the same person, or withdrawn.
    pub open: bool,
}
