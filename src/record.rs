//! The persisted shapes: the upgrade record (an entry of the notes tree, see
//! `store::note`) and the event (an event commit's message). Both are versioned JSON, parsed strictly: a
//! damaged or hostile record is an error for that upgrade, never a panic.
//! The format is documented in `docs/FORMAT.md`; change both together.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids;

mod review;
pub use review::{ChangeRequest, RevisionInfo, RevisionKind};

/// The record format this build writes and reads.
pub const RECORD_FORMAT: u32 = 1;
/// The event format this build writes and reads.
pub const EVENT_FORMAT: u32 = 1;
/// Records larger than this are refused before parsing (a hostile note could be huge).
pub const MAX_RECORD_BYTES: usize = 4 << 20;

/// Where an upgrade is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Waiting for review.
    Proposed,
    /// Approvals complete; waiting to land (or landing).
    Approved,
    /// Refused by a reviewer.
    Rejected,
    /// Too old; removed from the queue by policy.
    Expired,
    /// Landed on its target.
    Applied,
    /// Tests failed when landing; the target was not touched.
    Failed,
    /// Taken back off its target by `rollback`.
    RolledBack,
}

impl State {
    /// Every state, in lifecycle order.
    pub const ALL: [State; 7] = [
        State::Proposed,
        State::Approved,
        State::Rejected,
        State::Expired,
        State::Applied,
        State::Failed,
        State::RolledBack,
    ];

    /// The stable name used in JSON, records and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Proposed => "proposed",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Expired => "expired",
            State::Applied => "applied",
            State::Failed => "failed",
            State::RolledBack => "rolled-back",
        }
    }

    /// Open upgrades are the queue: they still have a `refs/upgrades/<id>` ref.
    pub fn is_open(self) -> bool {
        matches!(self, State::Proposed | State::Approved)
    }

    /// Parse a state name as written by [`State::as_str`].
    pub fn parse(text: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One changed path between base and head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileChange {
    /// Path in the repository (lossily UTF-8 for display).
    pub path: String,
    /// `added`, `deleted`, `modified` or `type-changed`.
    pub status: String,
    /// Lines added (0 for binary files).
    pub added: u64,
    /// Lines removed (0 for binary files).
    pub removed: u64,
    /// True when either side is binary; line counts are then zero.
    #[serde(default)]
    pub binary: bool,
}

/// Totals over all files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffStats {
    /// Number of changed files.
    pub files: u64,
    /// Lines added.
    pub added: u64,
    /// Lines removed.
    pub removed: u64,
}

impl DiffStats {
    /// Added plus removed: what the size limit counts.
    pub fn changed_lines(&self) -> u64 {
        self.added + self.removed
    }
}

/// The outcome of running the test command on one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestResult {
    /// `passed`, `failed`, `timed-out`, `not-configured` or `error` (could not start).
    pub status: String,
    /// True only when the command ran and exited 0; null when not configured.
    pub passed: Option<bool>,
    /// The command's exit code, when it exited normally.
    pub exit_code: Option<i32>,
    /// Wall time of the run.
    pub duration_ms: u64,
    /// The command as configured on the target (null when not configured).
    pub command: Option<String>,
    /// The last part of the combined stdout and stderr.
    pub output: String,
    /// The exact commit the tests ran on.
    pub commit: String,
    /// When the run finished (RFC 3339).
    pub at: String,
}

impl TestResult {
    /// True when landing may go ahead: passed, or nothing configured to run.
    pub fn allows_landing(&self) -> bool {
        self.passed != Some(false)
    }
}

/// One reviewer's approval, pinned to the head it saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// `Name <email>` of the approver.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// The head commit that was approved.
    pub head: String,
    /// Optional comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// When carried over by a rebase with an unchanged patch: the head
    /// originally approved (whose approval event holds any signature).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_from: Option<String>,
}

/// Who closed an upgrade, when and why (reject, expire, fail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    /// `Name <email>`, or `policy` for automatic actions.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// Reason given, if any.
    #[serde(default)]
    pub reason: Option<String>,
}

/// How an upgrade landed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Landing {
    /// Who landed it.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// The target tip before landing (what `rollback` restores).
    pub previous_target: String,
    /// The target tip after landing (the upgrade's head).
    pub new_target: String,
}

/// An urgent landing that bypassed the approval wait (always logged loudly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Urgent {
    /// Who used the bypass.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// The reason given.
    pub reason: String,
    /// True if the tests were skipped too.
    pub tests_skipped: bool,
}

/// The current state of one upgrade: the record entry of its notes tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Always [`RECORD_FORMAT`] for records this build writes.
    pub format: u32,
    /// The upgrade id (equal to the last component of its refs).
    pub id: String,
    /// Lifecycle state.
    pub state: State,
    /// What the change does, as given at propose.
    pub description: String,
    /// Branch name (without `refs/heads/`) the upgrade lands on.
    pub target: String,
    /// Merge base of head and the target when proposed.
    pub base: String,
    /// The proposed commit: what was reviewed and what lands.
    pub head: String,
    /// The revision the user proposed from, for information.
    #[serde(default)]
    pub source: Option<String>,
    /// `Name <email>` of the proposer.
    pub proposed_by: String,
    /// When proposed (RFC 3339).
    pub proposed_at: String,
    /// Changed files with line counts.
    pub files: Vec<FileChange>,
    /// Totals.
    pub stats: DiffStats,
    /// The first lines of the unified diff.
    pub diff_preview: String,
    /// True if the proposal touches the policy file or another protected path.
    #[serde(default)]
    pub policy_change: bool,
    /// Latest test run, if any.
    pub tests: Option<TestResult>,
    /// Approvals so far.
    pub approvals: Vec<Approval>,
    /// Set when rejected, expired or failed.
    #[serde(default)]
    pub closed: Option<Closure>,
    /// Set when applied.
    #[serde(default)]
    pub landing: Option<Landing>,
    /// Set when landed through the urgent bypass.
    #[serde(default)]
    pub urgent: Option<Urgent>,
    /// When the last event happened (RFC 3339).
    pub updated_at: String,
    /// Number of events so far (the logical clock of the last event).
    pub seq: u64,
    /// Every revision, oldest first; the current one has the record's head.
    /// Empty only in records written before revisions existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<RevisionInfo>,
    /// Every change request, open or cleared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes_requested: Vec<ChangeRequest>,
    /// Comments, replies included (the texts are in the events).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub comment_count: u64,
    /// Comment threads not resolved yet.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unresolved_comments: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Record {
    /// Serialize as the record entry of a notes tree: pretty JSON.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("records serialize: plain data only");
        out.push(b'\n');
        out
    }

    /// Parse a record entry (JSON only) strictly, checking the version and
    /// that it belongs to `expected_id`.
    pub fn from_json(bytes: &[u8], expected_id: &str) -> Result<Record> {
        if bytes.len() > MAX_RECORD_BYTES {
            return Err(Error::failure(format!(
                "record is {} bytes, more than the {} allowed",
                bytes.len(),
                MAX_RECORD_BYTES
            )));
        }
        let record: Record =
            parse_versioned(bytes, "record", RECORD_FORMAT, |r: &Record| r.format)?;
        record.validate(expected_id)?;
        Ok(record)
    }

    /// Parse a note of the layout before the record had its own entry (a
    /// summary, a blank line, then the JSON from a line that is exactly `{`),
    /// or plain JSON, strictly. Only the JSON is read.
    pub fn from_note(bytes: &[u8], expected_id: &str) -> Result<Record> {
        if bytes.len() > MAX_RECORD_BYTES {
            return Record::from_json(bytes, expected_id);
        }
        let bytes = match bytes.windows(3).position(|w| w == b"\n{\n") {
            Some(at) if !bytes.starts_with(b"{") => &bytes[at + 1..],
            _ => bytes,
        };
        Record::from_json(bytes, expected_id)
    }

    /// Semantic checks beyond the JSON shape.
    pub fn validate(&self, expected_id: &str) -> Result<()> {
        if self.id != expected_id {
            return Err(Error::failure(format!(
                "damaged record: it names upgrade {:?} but is stored as {expected_id:?}",
                self.id
            )));
        }
        ids::validate_branch_name(&self.target)
            .map_err(|e| Error::failure(format!("damaged record: bad target: {}", e.message)))?;
        // Every object id is checked here, once, so the rest of the program
        // (which abbreviates ids by slicing) only ever sees ASCII hex.
        let mut ids: Vec<(&str, &str)> = vec![("head", &self.head), ("base", &self.base)];
        if let Some(t) = &self.tests {
            ids.push(("tests.commit", &t.commit));
        }
        for a in &self.approvals {
            ids.push(("approvals.head", &a.head));
            if let Some(c) = &a.carried_from {
                ids.push(("approvals.carried_from", c));
            }
        }
        if let Some(l) = &self.landing {
            ids.push(("landing.previous_target", &l.previous_target));
            ids.push(("landing.new_target", &l.new_target));
        }
        for r in &self.revisions {
            ids.push(("revisions.head", &r.head));
            ids.push(("revisions.base", &r.base));
        }
        for c in &self.changes_requested {
            ids.push(("changes_requested.head", &c.head));
        }
        for (what, hex) in ids {
            if !is_hex_id(hex) {
                return Err(Error::failure(format!(
                    "damaged record: {what} {:?} is not an object id",
                    sanitize_line(hex, 80)
                )));
            }
        }
        Ok(())
    }

    /// The number of the current revision (1 when the record lists none).
    pub fn revision_number(&self) -> u64 {
        self.revisions
            .iter()
            .rev()
            .find(|r| r.head == self.head)
            .map_or(1, |r| r.number)
    }

    /// Who has an open change request (in the order they asked).
    pub fn open_requests(&self) -> impl Iterator<Item = &ChangeRequest> {
        self.changes_requested.iter().filter(|c| c.open)
    }

    /// The number of distinct identities that approved the current head.
    pub fn approvals_for_head(&self) -> usize {
        let mut who: Vec<&str> = self
            .approvals
            .iter()
            .filter(|a| a.head == self.head)
            .map(|a| a.by.as_str())
            .collect();
        who.sort_unstable();
        who.dedup();
        who.len()
    }
}

/// A full-length hexadecimal object id (SHA-1 or SHA-256).
pub fn is_hex_id(text: &str) -> bool {
    (text.len() == 40 || text.len() == 64)
        && text.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// Parse `bytes` as a `T` of format `supported`. Well-formed JSON of the
/// supported format is parsed once; anything else is looked at again by
/// [`check_format`] to say why it is refused (a newer format, no format).
fn parse_versioned<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &str,
    supported: u32,
    format_of: impl Fn(&T) -> u32,
) -> Result<T> {
    let why = match serde_json::from_slice::<T>(bytes) {
        Ok(value) if format_of(&value) == supported => return Ok(value),
        Ok(_) => "unsupported format".to_string(),
        Err(e) => e.to_string(),
    };
    check_format(bytes, what, supported)?;
    Err(Error::failure(format!("damaged {what}: {why}")))
}

fn check_format(bytes: &[u8], what: &str, supported: u32) -> Result<()> {
    #[derive(Deserialize)]
    struct Versioned {
        format: Option<serde_json::Value>,
    }
    let v: Versioned = serde_json::from_slice(bytes)
        .map_err(|e| Error::failure(format!("damaged {what}: {e}")))?;
    match v.format {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(supported)) => Ok(()),
        Some(serde_json::Value::Number(n))
            if n.as_u64().is_some_and(|n| n > u64::from(supported)) =>
        {
            Err(Error::failure(format!(
                "{what} format {n} is newer than this git-upgrades understands ({supported})"
            ))
            .hint("upgrade git-upgrades to read it"))
        }
        Some(other) => Err(Error::failure(format!(
            "damaged {what}: unsupported format {other}"
        ))),
        None => Err(Error::failure(format!("damaged {what}: no format version"))),
    }
}

/// The kinds of event, with their stable names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// Created by `propose`.
    #[serde(rename = "upgrade.proposed")]
    Proposed,
    /// A test run finished.
    #[serde(rename = "upgrade.tested")]
    Tested,
    /// Someone approved.
    #[serde(rename = "upgrade.approved")]
    Approved,
    /// Someone rejected.
    #[serde(rename = "upgrade.rejected")]
    Rejected,
    /// Landed on the target.
    #[serde(rename = "upgrade.applied")]
    Applied,
    /// Tests failed while landing.
    #[serde(rename = "upgrade.failed")]
    Failed,
    /// Expired by policy.
    #[serde(rename = "upgrade.expired")]
    Expired,
    /// Rolled back off the target.
    #[serde(rename = "upgrade.rolled-back")]
    RolledBack,
    /// Rebased onto a newer target tip (new head).
    #[serde(rename = "upgrade.rebased")]
    Rebased,
    /// Two clones' histories of this upgrade were merged.
    #[serde(rename = "upgrade.merged")]
    Merged,
    /// A new revision by the proposer (new head).
    #[serde(rename = "upgrade.revised")]
    Revised,
    /// A comment, general or on a line of a revision.
    #[serde(rename = "upgrade.commented")]
    Commented,
    /// A comment thread marked resolved.
    #[serde(rename = "upgrade.comment-resolved")]
    CommentResolved,
    /// A blocking vote: changes are needed before it may land.
    #[serde(rename = "upgrade.changes-requested")]
    ChangesRequested,
    /// A change request taken back by the one who made it.
    #[serde(rename = "upgrade.changes-withdrawn")]
    ChangesWithdrawn,
}

impl EventKind {
    /// The stable name, e.g. `upgrade.approved`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Proposed => "upgrade.proposed",
            EventKind::Tested => "upgrade.tested",
            EventKind::Approved => "upgrade.approved",
            EventKind::Rejected => "upgrade.rejected",
            EventKind::Applied => "upgrade.applied",
            EventKind::Failed => "upgrade.failed",
            EventKind::Expired => "upgrade.expired",
            EventKind::RolledBack => "upgrade.rolled-back",
            EventKind::Rebased => "upgrade.rebased",
            EventKind::Merged => "upgrade.merged",
            EventKind::Revised => "upgrade.revised",
            EventKind::Commented => "upgrade.commented",
            EventKind::CommentResolved => "upgrade.comment-resolved",
            EventKind::ChangesRequested => "upgrade.changes-requested",
            EventKind::ChangesWithdrawn => "upgrade.changes-withdrawn",
        }
    }
}

/// One transition, stored as JSON in the body of its event commit.
/// Its time is the event commit's committer date, so it is not repeated here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Always [`EVENT_FORMAT`] for events this build writes.
    pub format: u32,
    /// What happened.
    pub event: EventKind,
    /// The upgrade it belongs to.
    pub id: String,
    /// `Name <email>` or `policy`.
    pub actor: String,
    /// Logical clock: one more than the largest parent's.
    pub seq: u64,
    /// Event-specific details (documented per event in `docs/FORMAT.md`).
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The full commit message: a readable subject (`<event> <id>: <text>`,
    /// the text being the description, or what the event says for comments),
    /// then the JSON.
    pub fn to_message(&self, description: &str) -> String {
        let subject = sanitize_line(
            &format!("{} {}: {}", self.event.as_str(), self.id, description),
            100,
        );
        let json = serde_json::to_string_pretty(self).expect("events serialize: plain data only");
        format!("{subject}\n\n{json}\n")
    }

    /// Parse an event commit message strictly.
    pub fn from_message(message: &[u8]) -> Result<Event> {
        let start = message
            .windows(2)
            .position(|w| w == b"\n\n")
            .ok_or_else(|| Error::failure("damaged event: no body"))?;
        let body = &message[start + 2..];
        parse_versioned(body, "event", EVENT_FORMAT, |e: &Event| e.format)
    }
}

/// The longest comment or reason accepted (the same bound as a description),
/// so that every event commit stays readable under the event size limit.
pub const MAX_COMMENT_BYTES: usize = 64 * 1024;

/// A trimmed comment or reason: None when empty, a usage error when too long.
pub fn user_text(what: &str, text: Option<&str>) -> Result<Option<String>> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if t.len() > MAX_COMMENT_BYTES {
        return Err(Error::usage(format!(
            "the {what} is {} bytes; at most {MAX_COMMENT_BYTES} are allowed",
            t.len()
        )));
    }
    Ok(Some(t.to_string()))
}

pub use crate::text::sanitize_line;

#[cfg(test)]
pub(crate) mod tests;
