//! The `--json` output types: stable, documented in `docs/JSON.md`, and
//! versioned by `format`. An upgrade object is its record plus, in `show`, its
//! events; an event object is one line of `log --json`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::install::Installed;
use crate::ops::{Action, QueueResult};
use crate::record::{DiffStats, FileChange, Record, TestResult};
use crate::store::{LoggedEvent, Upgrade};
use crate::sync::{PullChange, PullStats, PushOutcome};
use crate::time::rfc3339;
use crate::trust::{Proof, Tally};

/// The version of the JSON output documented in `docs/JSON.md`.
pub const JSON_FORMAT: u32 = 1;

/// One upgrade.
#[derive(Serialize)]
pub struct UpgradeJson<'a> {
    /// The record's fields (`format` is the JSON output format).
    #[serde(flatten)]
    pub record: &'a Record,
    /// Open upgrades have `refs/upgrades/<id>`.
    pub open: bool,
    /// Its events, oldest first (`show` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventJson>>,
}

impl<'a> UpgradeJson<'a> {
    /// Without events (list).
    pub fn new(up: &'a Upgrade) -> Self {
        UpgradeJson {
            record: &up.record,
            open: up.record.state.is_open(),
            events: None,
        }
    }
}

/// How `list --json` renders one upgrade, for the listing cache to keep
/// (`store::cache` stores the bytes and never knows the shape).
pub const LISTED: crate::store::cache::Renderer = crate::store::cache::Renderer {
    version: concat!("list-json ", env!("CARGO_PKG_VERSION")),
    element: listed_element,
};

/// The upgrade object as `list --json` prints it: one line, without the
/// diff preview (which `show` has), so that listing stays small.
pub fn listed_element(up: &Upgrade) -> String {
    let mut value = serde_json::to_value(UpgradeJson::new(up)).expect("plain data");
    if let Some(obj) = value.as_object_mut() {
        obj.remove("diff_preview");
    }
    serde_json::to_string(&value).expect("plain data")
}

/// An upgrade that could not be read, in `list --json`.
#[derive(Serialize)]
pub struct DamagedJson<'a> {
    /// The JSON output format.
    pub format: u32,
    /// Its id (from the ref name).
    pub id: &'a str,
    /// Always null: the state is unknown.
    pub state: Option<()>,
    /// Why it could not be read.
    pub error: String,
}

impl<'a> DamagedJson<'a> {
    /// The upgrade `id`, unreadable for the reason `why`.
    pub fn new(id: &'a str, why: &str) -> Self {
        DamagedJson {
            format: JSON_FORMAT,
            id,
            state: None,
            error: why.to_string(),
        }
    }
}

/// One event.
#[derive(Serialize)]
pub struct EventJson {
    /// The JSON output format.
    pub format: u32,
    /// e.g. `upgrade.approved`.
    pub event: &'static str,
    /// The upgrade.
    pub id: String,
    /// Who.
    pub actor: String,
    /// When (RFC 3339, the event commit's committer date).
    pub time: String,
    /// Logical clock.
    pub seq: u64,
    /// The event commit.
    pub commit: String,
    /// Event-specific details.
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl From<&LoggedEvent> for EventJson {
    fn from(e: &LoggedEvent) -> Self {
        EventJson {
            format: JSON_FORMAT,
            event: e.event.event.as_str(),
            id: e.event.id.clone(),
            actor: e.event.actor.clone(),
            time: rfc3339(e.time),
            seq: e.event.seq,
            commit: e.commit.to_string(),
            details: e.event.details.clone(),
        }
    }
}

/// Serialize `value` with every object's keys in alphabetical order, as
/// `serde_json::json!` (a sorted map) printed the types of `ops` and `record`
/// nested in these objects, whatever their fields' declaration order.
fn sorted_keys<T: Serialize, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    serde_json::to_value(value)
        .map_err(serde::ser::Error::custom)?
        .serialize(s)
}

/// `apply --all --json`.
#[derive(Serialize)]
pub struct ApplyAllJson<'a> {
    /// The JSON output format.
    pub format: u32,
    /// One result per upgrade, in landing order.
    #[serde(serialize_with = "sorted_keys")]
    pub results: &'a [QueueResult],
}

/// `comment --resolve --json`.
#[derive(Serialize)]
pub struct ResolvedJson<'a> {
    /// False when the thread was resolved already and nothing was written.
    pub changed: bool,
    /// The JSON output format.
    pub format: u32,
    /// The upgrade.
    pub id: &'a str,
    /// The thread's first comment.
    pub resolved: String,
}

/// `comment --json`.
#[derive(Serialize)]
pub struct CommentedJson<'a> {
    /// The new comment.
    pub comment: NewCommentJson<'a>,
    /// The JSON output format.
    pub format: u32,
    /// The upgrade.
    pub id: &'a str,
}

/// The comment `comment --json` wrote, and where it is.
#[derive(Serialize)]
pub struct NewCommentJson<'a> {
    /// The file it is about (null for a general comment).
    pub file: Option<&'a str>,
    /// Its id: the event commit.
    pub id: String,
    /// The line of that file (null when on no line).
    pub line: Option<u64>,
    /// The comment it answers.
    pub reply_to: Option<String>,
    /// The revision it is on.
    pub revision: u64,
}

/// `diff --json`.
#[derive(Serialize)]
pub struct DiffJson<'a> {
    /// The upgrade's base.
    pub base: &'a str,
    /// The unified diff (null with `--stat` or `--name-only`).
    pub diff: Option<&'a str>,
    /// The changed files.
    #[serde(serialize_with = "sorted_keys")]
    pub files: &'a [FileChange],
    /// The JSON output format.
    pub format: u32,
    /// The upgrade's head.
    pub head: &'a str,
    /// The upgrade.
    pub id: &'a str,
    /// Totals over `files`.
    #[serde(serialize_with = "sorted_keys")]
    pub stats: &'a DiffStats,
}

/// `diff --since N --json` and `diff --revisions A..B --json`.
#[derive(Serialize)]
pub struct InterDiffJson<'a> {
    /// The diff between the revisions (null with `--stat` or `--name-only`).
    pub diff: Option<&'a str>,
    /// The files that differ.
    #[serde(serialize_with = "sorted_keys")]
    pub files: &'a [FileChange],
    /// The JSON output format.
    pub format: u32,
    /// The older revision.
    pub from: RevisionSideJson<'a>,
    /// The upgrade.
    pub id: &'a str,
    /// `tree` or `patches`.
    pub mode: &'static str,
    /// Totals over `files`.
    #[serde(serialize_with = "sorted_keys")]
    pub stats: &'a DiffStats,
    /// The newer revision.
    pub to: RevisionSideJson<'a>,
}

/// One side of an inter-revision diff.
#[derive(Serialize)]
pub struct RevisionSideJson<'a> {
    /// The revision's base.
    pub base: &'a str,
    /// The revision's head.
    pub head: &'a str,
    /// Its number (1-based).
    pub revision: u64,
}

/// `export --html <dir> --json`.
#[derive(Serialize)]
pub struct ExportJson<'a> {
    /// How many unreadable upgrades `index.html` lists.
    pub damaged: usize,
    /// The export's directory (absolute).
    pub dir: &'a str,
    /// The JSON output format.
    pub format: u32,
    /// How many closed upgrades `index.html` lists.
    pub history: usize,
    /// How many HTML pages were written.
    pub pages: usize,
    /// How many pending upgrades `index.html` lists.
    pub pending: usize,
}

/// `init --json`.
#[derive(Serialize)]
pub struct InitJson<'a> {
    /// The `--check` run on HEAD (null without `--check`).
    #[serde(serialize_with = "sorted_keys")]
    pub check: Option<&'a TestResult>,
    /// What was done, one line each.
    pub done: &'a [String],
    /// The JSON output format.
    pub format: u32,
    /// The policy file written (null when none was).
    pub policy_file: Option<String>,
    /// The default target branch.
    pub target: &'a str,
    /// The test command chosen (null when the policy file is left as it is).
    pub test_command: Option<TestCommandJson<'a>>,
}

/// The test command `init` chose, and why.
#[derive(Serialize)]
pub struct TestCommandJson<'a> {
    /// Other commands that were detected.
    pub alternatives: Vec<AlternativeJson<'a>>,
    /// The command (null when nothing was detected and none given).
    pub command: Option<&'a str>,
    /// Why it was chosen.
    pub reason: &'a str,
    /// `detected`, `option` or `existing`.
    pub source: &'a str,
}

/// A detected test command `init` did not choose.
#[derive(Serialize)]
pub struct AlternativeJson<'a> {
    /// The command.
    pub command: &'a str,
    /// The files seen and the choices they made.
    pub reason: &'a str,
}

/// `maintain --json`.
#[derive(Serialize)]
pub struct MaintainJson<'a> {
    /// What was done (or would be, with `--dry-run`).
    #[serde(serialize_with = "sorted_keys")]
    pub actions: &'a [Action],
    /// True with `--dry-run`.
    pub dry_run: bool,
    /// The JSON output format.
    pub format: u32,
    /// True with `--repair`.
    pub repair: bool,
}

/// `push --json`.
#[derive(Serialize)]
pub struct PushJson<'a> {
    /// The JSON output format.
    pub format: u32,
    /// What was sent.
    #[serde(serialize_with = "sorted_keys")]
    pub pushed: &'a PushOutcome,
    /// The remote.
    pub remote: &'a str,
}

/// `pull --json`.
#[derive(Serialize)]
pub struct PullJson<'a> {
    /// The JSON output format.
    pub format: u32,
    /// What pulling did, per upgrade.
    #[serde(serialize_with = "sorted_keys")]
    pub pulled: &'a [PullChange],
    /// The remote.
    pub remote: &'a str,
    /// How much work the pull did.
    #[serde(serialize_with = "sorted_keys")]
    pub stats: &'a PullStats,
}

/// `sync --json`.
#[derive(Serialize)]
pub struct SyncJson<'a> {
    /// The JSON output format.
    pub format: u32,
    /// What pulling did, per upgrade.
    #[serde(serialize_with = "sorted_keys")]
    pub pulled: &'a [PullChange],
    /// What was sent.
    #[serde(serialize_with = "sorted_keys")]
    pub pushed: &'a PushOutcome,
    /// The remote.
    pub remote: &'a str,
}

/// `show --json`: the upgrade object (with its events) and the review around it.
/// Print it through [`serde_json::to_value`]: the upgrade object's keys then
/// come out in alphabetical order, as they always have in `show`.
#[derive(Serialize)]
pub struct ShownJson<'a> {
    /// The upgrade, with `events`.
    #[serde(flatten)]
    pub upgrade: UpgradeJson<'a>,
    /// The approvals judged by the target's current policy.
    pub approval_status: ApprovalStatusJson<'a>,
    /// Every change request, from the chain.
    pub changes_requested: Vec<ChangeRequestJson<'a>>,
    /// Every comment, in chain order.
    pub comments: Vec<CommentJson<'a>>,
    /// The upgrade is open and its head does not contain the target's tip.
    pub needs_rebase: bool,
}

/// `approval_status` in `show --json`.
#[derive(Serialize)]
#[serde(untagged)]
pub enum ApprovalStatusJson<'a> {
    /// The approvals, judged.
    Judged(TallyJson<'a>),
    /// The policy could not be read.
    Unknown {
        /// Why.
        error: String,
    },
}

/// The approvals of an upgrade, judged (`approval_status` in `show --json`).
#[derive(Serialize)]
pub struct TallyJson<'a> {
    /// Each approver of the current head.
    pub approvals: Vec<JudgedJson<'a>>,
    /// Open change requests that block landing.
    pub blocking: Vec<BlockingJson<'a>>,
    /// Enough approvals count and no change request blocks.
    pub complete: bool,
    /// `signed` or `claimed`.
    pub identity: &'static str,
    /// How many approvals are needed.
    pub required: usize,
    /// How many count.
    pub valid: usize,
}

impl<'a> From<&'a Tally> for TallyJson<'a> {
    fn from(t: &'a Tally) -> Self {
        TallyJson {
            approvals: t
                .approvals
                .iter()
                .map(|a| JudgedJson {
                    by: &a.by,
                    carried_from: a.carried_from.as_deref(),
                    counts: a.counts,
                    proof: a.proof.label(),
                    signature: match &a.proof {
                        Proof::Signature(s) => Some(s.describe()),
                        _ => None,
                    },
                    why_not: a.why_not.as_deref(),
                })
                .collect(),
            blocking: t
                .blocking
                .iter()
                .map(|b| BlockingJson {
                    by: &b.by,
                    note: b.note.as_deref(),
                    revision: b.revision,
                    text: &b.text,
                })
                .collect(),
            complete: t.complete(),
            identity: if t.signed { "signed" } else { "claimed" },
            required: t.required,
            valid: t.valid,
        }
    }
}

/// One approval, judged.
#[derive(Serialize)]
pub struct JudgedJson<'a> {
    /// `Name <email>`.
    pub by: &'a str,
    /// The head it was given on, when a rebase carried it over.
    pub carried_from: Option<&'a str>,
    /// Whether it counts.
    pub counts: bool,
    /// How the approver's identity is established.
    pub proof: String,
    /// The signature status, when signed.
    pub signature: Option<String>,
    /// Why it does not count.
    pub why_not: Option<&'a str>,
}

/// An open change request that blocks landing.
#[derive(Serialize)]
pub struct BlockingJson<'a> {
    /// Who asked.
    pub by: &'a str,
    /// Why it still blocks though the chain shows it cleared.
    pub note: Option<&'a str>,
    /// The revision it was given on.
    pub revision: u64,
    /// What should change.
    pub text: &'a str,
}

/// A change request in `show --json`.
#[derive(Serialize)]
pub struct ChangeRequestJson<'a> {
    /// When (RFC 3339).
    pub at: String,
    /// Who asked.
    pub by: &'a str,
    /// The event that cleared it.
    pub cleared_by: Option<String>,
    /// The head it was given on.
    pub head: &'a str,
    /// Its event commit.
    pub id: String,
    /// False once cleared.
    pub open: bool,
    /// The revision of `head`.
    pub revision: Option<u64>,
    /// What should change.
    pub text: &'a str,
}

/// A comment in `show --json`.
#[derive(Serialize)]
pub struct CommentJson<'a> {
    /// When (RFC 3339).
    pub at: String,
    /// Who wrote it.
    pub by: &'a str,
    /// Where its line is in the current revision.
    pub current_line: Option<u64>,
    /// The file it is about.
    pub file: Option<&'a str>,
    /// The head of the revision it was written on.
    pub head: &'a str,
    /// Its id: the event commit.
    pub id: String,
    /// The line it is about.
    pub line: Option<u64>,
    /// Its line (or file) changed in a later revision.
    pub outdated: bool,
    /// The comment it answers.
    pub reply_to: Option<String>,
    /// The first comment of a thread, resolved.
    pub resolved: bool,
    /// The revision it was written on.
    pub revision: u64,
    /// The text.
    pub text: &'a str,
    /// The id of its thread's first comment.
    pub thread: String,
}

/// `update --json`: the upgrade object plus `update`. Print it through
/// [`serde_json::to_value`], as [`ShownJson`].
#[derive(Serialize)]
pub struct UpdatedJson<'a> {
    /// The upgrade.
    #[serde(flatten)]
    pub upgrade: UpgradeJson<'a>,
    /// The new revision.
    pub update: UpdateJson,
}

/// `update` in `update --json`.
#[derive(Serialize)]
pub struct UpdateJson {
    /// Whether the approvals carried over (same patch id).
    pub approvals_kept: bool,
    /// How many approvals of the previous revision no longer count.
    pub approvals_void: usize,
    /// The new revision's number.
    pub revision: u64,
}

/// `util install --json`.
#[derive(Serialize)]
pub struct InstallJson<'a> {
    /// The completion script per shell.
    pub completions: Vec<CompletionJson<'a>>,
    /// The data directory.
    pub data_dir: &'a Path,
    /// The JSON output format.
    pub format: u32,
    /// What to do next.
    pub hints: &'a [String],
    /// The directory of section 1 man pages.
    pub man_dir: PathBuf,
    /// Every man page, written or already current.
    #[serde(serialize_with = "sorted_keys")]
    pub man_pages: &'a [Installed],
    /// Pages no longer generated, deleted.
    pub removed: &'a [PathBuf],
}

/// One completion script `util install` installed.
#[derive(Serialize)]
pub struct CompletionJson<'a> {
    /// False when the file already had these contents.
    pub changed: bool,
    /// Where.
    pub path: &'a Path,
    /// `bash`, `zsh` or `fish`.
    pub shell: &'static str,
}

/// `status --count --json`, printed by [`StatusCountJson::line`].
#[derive(Serialize)]
pub struct StatusCountJson {
    /// The JSON output format.
    pub format: u32,
    /// Pending upgrades.
    pub pending: usize,
    /// Pending upgrades awaiting the user's approval.
    pub awaiting_me: usize,
}

impl StatusCountJson {
    /// One line, `{"format": 1, "pending": 2, "awaiting_me": 0}`: spaced, as
    /// a shell prompt has always read it.
    pub fn line(&self) -> String {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Spaced);
        self.serialize(&mut ser).expect("plain data");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }
}

/// Compact JSON with a space after each `:` and `,`.
struct Spaced;

impl serde_json::ser::Formatter for Spaced {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

/// `status --json`, printed by [`StatusJson::render`]: the upgrade objects
/// are the listing cache's pre-rendered elements, spliced in as they are.
pub struct StatusJson<'a> {
    /// The JSON output format.
    pub format: u32,
    /// How many upgrades are pending.
    pub pending_count: usize,
    /// The pending upgrades ([`listed_element`]s).
    pub pending: Vec<&'a [u8]>,
    /// Recently closed upgrades ([`listed_element`]s), newest first.
    pub recent: Vec<&'a [u8]>,
    /// Upgrades that could not be read.
    pub damaged: Vec<DamagedJson<'a>>,
    /// How each pending target's policy authenticates approvals.
    pub identity: &'a BTreeMap<String, &'static str>,
    /// Each pending target's `policy.required_approvals`.
    pub required_approvals: BTreeMap<&'a str, u32>,
    /// Pending upgrades whose head does not contain their target's tip.
    pub needs_rebase: &'a [String],
}

impl StatusJson<'_> {
    /// The object: one key a line, each value compact, the arrays of
    /// upgrades one element a line.
    pub fn render(&self) -> serde_json::Result<String> {
        fn lines(parts: &[Cow<'_, str>]) -> String {
            if parts.is_empty() {
                "[]".into()
            } else {
                format!("[\n{}\n]", parts.join(",\n"))
            }
        }
        fn listed<'e>(items: &[&'e [u8]]) -> Vec<Cow<'e, str>> {
            items.iter().map(|e| String::from_utf8_lossy(e)).collect()
        }
        let damaged = self
            .damaged
            .iter()
            .map(|d| serde_json::to_string(d).map(Cow::Owned))
            .collect::<serde_json::Result<Vec<_>>>()?;
        Ok(format!(
            "{{\n\"format\": {},\n\"pending_count\": {},\n\"pending\": {},\n\"recent\": {},\n\"damaged\": {},\n\"identity\": {},\n\"required_approvals\": {},\n\"needs_rebase\": {}\n}}",
            self.format,
            self.pending_count,
            lines(&listed(&self.pending)),
            lines(&listed(&self.recent)),
            lines(&damaged),
            serde_json::to_string(self.identity)?,
            serde_json::to_string(&self.required_approvals)?,
            serde_json::to_string(self.needs_rebase)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_element_is_the_shown_object_without_events_or_preview() {
        let text = r#"{"format":1,"id":"u1","state":"approved","description":"d","target":"main",
            "base":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","head":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "proposed_by":"A <a@x>","proposed_at":"2026-01-01T00:00:00Z","files":[],
            "stats":{"files":0,"added":0,"removed":0},"diff_preview":"+x","tests":null,"approvals":[],
            "updated_at":"2026-01-01T00:00:00Z","seq":1}"#;
        let record = Record::from_note(text.as_bytes(), "u1").unwrap();
        let up = Upgrade {
            id: "u1".into(),
            tip: gix::ObjectId::null(gix::hash::Kind::Sha1),
            record,
        };
        let listed: serde_json::Value = serde_json::from_str(&listed_element(&up)).unwrap();
        let obj = listed.as_object().unwrap();
        assert!(!obj.contains_key("diff_preview"));
        assert!(!obj.contains_key("events"));
        for key in [
            "id", "state", "head", "base", "target", "open", "stats", "seq",
        ] {
            assert!(obj.contains_key(key), "{key} missing: {listed}");
        }
        assert_eq!(obj["open"], true);
    }
}
