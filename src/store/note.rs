//! The notes tree of an event commit (see `docs/FORMAT.md`, "The notes tree").
//!
//! Two entries: the **note** on the head commit, a few plain lines that
//! `git log --notes` shows under the commit (the display block), and the
//! **record**, the full JSON, as a non-note entry named [`RECORD_ENTRY`]
//! (git keeps entries that are not object names untouched in notes trees).
//! Trees written before the split hold one note: a summary, a blank line and
//! the JSON; they are still read.
//!
//! The display block is written for people using plain git and is never read
//! back: nothing the tool decides depends on it, and a forged one changes
//! nothing (`tests/cli/test_display.rs`).

use gix::bstr::ByteSlice;
use gix::ObjectId;

use crate::error::{Error, Result};
use crate::record::{is_hex_id, sanitize_line, Record, State};

/// The name of the record's entry in the notes tree.
pub const RECORD_ENTRY: &str = "record.json";
/// The name of the subtree that keeps every revision's trees reachable
/// (`<commit id>` → that commit's tree, for each revision's head and base).
pub const REVISIONS_ENTRY: &str = "revisions";
/// At most this many approvers get a line of their own in the display block.
const MAX_APPROVAL_LINES: usize = 3;

/// How an approver's identity was established, as the writer of an event
/// judged it (e.g. `claimed identity`, `signed: good signature by …`): shown
/// in the display block, never read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalLabel {
    /// `Name <email>` of the approver, as in the record.
    pub by: String,
    /// The label.
    pub label: String,
}

/// The plain-git command that prints an upgrade's full record.
pub fn record_command(id: &str) -> String {
    format!("git show {}:{RECORD_ENTRY}", super::notes_ref(id))
}

/// The display block: a few `Key: value` lines, no JSON, derived from the
/// record (and the writer's approval labels). Every value is one sanitized
/// line, so a hostile record cannot make it longer or reach a terminal raw.
pub fn display_block(record: &Record, labels: &[ApprovalLabel]) -> String {
    let mut lines = vec![format!(
        "Upgrade: {} {} ({})",
        record.id,
        record.state,
        sanitize_line(&record.target, 100)
    )];
    if record.state.is_open() {
        lines.push(format!(
            "Proposed-by: {} {}",
            sanitize_line(&record.proposed_by, 120),
            when(&record.proposed_at)
        ));
    }
    if record.revisions.len() > 1 {
        lines.push(format!(
            "Revisions: {} (this commit is revision {})",
            record.revisions.len(),
            record.revision_number()
        ));
    }
    let open_requests: Vec<&str> = record.open_requests().map(|c| c.by.as_str()).collect();
    if !open_requests.is_empty() && record.state.is_open() {
        lines.push(format!(
            "Changes-requested-by: {}",
            sanitize_line(&open_requests.join(", "), 200)
        ));
    }
    let mut approvers: Vec<&str> = Vec::new();
    for a in record.approvals.iter().filter(|a| a.head == record.head) {
        if !approvers.contains(&a.by.as_str()) {
            approvers.push(&a.by);
        }
    }
    for (n, by) in approvers.iter().enumerate() {
        if n + 1 == MAX_APPROVAL_LINES && approvers.len() > MAX_APPROVAL_LINES {
            lines.push(format!(
                "Approved-by: {} more ({})",
                approvers.len() - n,
                record_command(&record.id)
            ));
            break;
        }
        let label = labels
            .iter()
            .find(|l| l.by == *by)
            .map(|l| format!(" ({})", sanitize_line(&l.label, 100)))
            .unwrap_or_default();
        lines.push(format!("Approved-by: {}{label}", sanitize_line(by, 120)));
    }
    if record.comment_count > 0 {
        lines.push(format!(
            "Comments: {}, {} unresolved (git log {})",
            record.comment_count,
            record.unresolved_comments,
            super::notes_ref(&record.id)
        ));
    }
    if let Some(t) = &record.tests {
        let mut line = format!("Tested: {}", sanitize_line(&t.status, 20));
        if let (Some(code), false) = (t.exit_code, t.passed == Some(true)) {
            line.push_str(&format!(" (exit code {code})"));
        }
        if t.command.is_some() {
            line.push_str(&format!(
                " in {}",
                crate::time::short_duration_ms(t.duration_ms)
            ));
        }
        line.push_str(&format!(" on {}", short(&t.commit)));
        if let Some(cmd) = &t.command {
            line.push_str(&format!(" ({})", sanitize_line(cmd, 60)));
        }
        lines.push(line);
    }
    if let Some(u) = &record.urgent {
        lines.push(format!(
            "Urgent-by: {} {}{}: {}",
            sanitize_line(&u.by, 120),
            when(&u.at),
            if u.tests_skipped {
                " (tests skipped)"
            } else {
                ""
            },
            sanitize_line(&u.reason, 100)
        ));
    }
    if let Some(l) = &record.landing {
        lines.push(format!(
            "Landed-by: {} {}",
            sanitize_line(&l.by, 120),
            when(&l.at)
        ));
    }
    if let Some(c) = &record.closed {
        let key = match record.state {
            State::Rejected => "Rejected-by",
            State::Expired => "Expired-by",
            State::Failed => "Failed-by",
            State::RolledBack => "Rolled-back-by",
            _ => "Closed-by",
        };
        let reason = c
            .reason
            .as_deref()
            .map(|r| format!(": {}", sanitize_line(r, 100)))
            .unwrap_or_default();
        lines.push(format!(
            "{key}: {} {}{reason}",
            sanitize_line(&c.by, 120),
            when(&c.at)
        ));
    }
    lines.push(format!("Record: {}", record_command(&record.id)));
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// `2026-11-26 10:00 UTC` for a time the record holds (as it is when it
/// does not parse: a hostile record can say anything).
fn when(rfc3339: &str) -> String {
    match crate::time::parse_rfc3339(rfc3339) {
        Some(secs) => {
            let t = crate::time::rfc3339(secs);
            format!("{} {} UTC", &t[..10], &t[11..16])
        }
        None => sanitize_line(rfc3339, 40),
    }
}

/// The abbreviated form of an object id (validated as hex by the record).
fn short(hex: &str) -> &str {
    hex.get(..10).unwrap_or(hex)
}

/// The notes tree of an event: the display block noting `head`, the record,
/// and, once there are several revisions, the tree keeping them reachable.
pub fn tree(
    head: &str,
    display_blob: ObjectId,
    record_blob: ObjectId,
    revisions: Option<ObjectId>,
) -> gix::objs::Tree {
    let entry = |kind: gix::objs::tree::EntryKind, name: &str, oid| gix::objs::tree::Entry {
        mode: kind.into(),
        filename: name.into(),
        oid,
    };
    use gix::objs::tree::EntryKind::{Blob, Tree};
    let mut entries = vec![
        entry(Blob, head, display_blob),
        entry(Blob, RECORD_ENTRY, record_blob),
    ];
    entries.extend(revisions.map(|oid| entry(Tree, REVISIONS_ENTRY, oid)));
    // In git's order (a tree sorts as if its name ended in `/`).
    entries.sort();
    gix::objs::Tree { entries }
}

/// The tree under [`REVISIONS_ENTRY`]: `(commit id, its tree)` pairs.
pub fn revisions_tree(kept: &[(String, ObjectId)]) -> gix::objs::Tree {
    let mut entries: Vec<gix::objs::tree::Entry> = kept
        .iter()
        .map(|(name, oid)| gix::objs::tree::Entry {
            mode: gix::objs::tree::EntryKind::Tree.into(),
            filename: name.as_str().into(),
            oid: *oid,
        })
        .collect();
    entries.sort();
    entries.dedup_by(|a, b| a.filename == b.filename);
    gix::objs::Tree { entries }
}

/// Where the record of a notes tree is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The blob holding the record.
    pub record: ObjectId,
    /// True for a tree written before the split: the note holds a summary
    /// and the JSON (parse with `Record::from_note`); else only JSON.
    pub combined: bool,
    /// The commit the note is attached to (the entry's name).
    pub noted: String,
    /// The [`REVISIONS_ENTRY`] subtree, if any.
    pub revisions: Option<ObjectId>,
}

/// Find the record in a notes tree, strictly: exactly one note, named by a
/// full object id, and either a [`RECORD_ENTRY`] (current layout) or nothing
/// else (the layout before it). Anything else is a damaged record.
pub fn locate(tree: &gix::objs::TreeRef<'_>) -> Result<Located> {
    let mut note = None;
    let mut record = None;
    let mut revisions = None;
    for e in &tree.entries {
        let name = e.filename.to_str_lossy();
        if name == REVISIONS_ENTRY && e.mode.is_tree() && revisions.is_none() {
            revisions = Some(e.oid.to_owned());
            continue;
        }
        if !e.mode.is_blob() {
            return Err(Error::failure(format!(
                "damaged record: the notes tree holds {:?}, which is not a file",
                sanitize_line(&name, 80)
            )));
        }
        let slot = if name == RECORD_ENTRY {
            &mut record
        } else {
            &mut note
        };
        if slot.is_some() {
            return Err(Error::failure(
                "damaged record: the notes tree holds more than one note",
            ));
        }
        *slot = Some((name.into_owned(), e.oid.to_owned()));
    }
    let Some((noted, note)) = note else {
        return Err(Error::failure("damaged record: the notes tree has no note"));
    };
    if !is_hex_id(&noted) {
        return Err(Error::failure(
            "damaged record: the note is not attached to a commit",
        ));
    }
    Ok(match record {
        Some((_, record)) => Located {
            record,
            combined: false,
            noted,
            revisions,
        },
        None => Located {
            record: note,
            combined: true,
            noted,
            revisions,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Approval, Landing, TestResult};

    fn landed() -> Record {
        let mut r = crate::record::tests::sample();
        let head = r.head.clone();
        r.state = State::Applied;
        r.tests = Some(TestResult {
            status: "passed".into(),
            passed: Some(true),
            exit_code: Some(0),
            duration_ms: 12_300,
            command: Some("cargo test".into()),
            output: "{ \"json\": true }".into(),
            commit: head.clone(),
            at: "2026-11-26T10:00:00Z".into(),
        });
        r.approvals = vec![Approval {
            by: "Alice <alice@example.com>".into(),
            at: "2026-11-26T09:00:00Z".into(),
            head: head.clone(),
            comment: Some("{lgtm}".into()),
            carried_from: None,
        }];
        r.landing = Some(Landing {
            by: "Bob <bob@example.com>".into(),
            at: "2026-11-26T10:00:07Z".into(),
            previous_target: r.base.clone(),
            new_target: head,
        });
        r
    }

    #[test]
    fn a_landed_upgrade_is_a_few_plain_lines() {
        let labels = [ApprovalLabel {
            by: "Alice <alice@example.com>".into(),
            label: "claimed identity".into(),
        }];
        let block = display_block(&landed(), &labels);
        let head = &landed().head[..10];
        assert_eq!(
            block,
            format!(
                "Upgrade: abc123 applied (main)\n\
                 Approved-by: Alice <alice@example.com> (claimed identity)\n\
                 Tested: passed in 12.3s on {head} (cargo test)\n\
                 Landed-by: Bob <bob@example.com> 2026-11-26 10:00 UTC\n\
                 Record: git show refs/notes/upgrades/abc123:record.json\n"
            )
        );
    }

    #[test]
    fn many_approvers_and_hostile_text_stay_short_and_plain() {
        let mut r = landed();
        let a = r.approvals[0].clone();
        for n in 0..20 {
            r.approvals.push(Approval {
                by: format!("P{n} <p{n}@example.com>\n\x1b[31mInjected: yes"),
                ..a.clone()
            });
        }
        r.target = "main\nForged: line".into();
        let block = display_block(&r, &[]);
        assert!(block.lines().count() <= 8, "{block}");
        assert!(block.contains("Approved-by: 19 more"), "{block}");
        assert!(!block.chars().any(|c| c.is_control() && c != '\n'));
        assert!(!block.lines().any(|l| l.starts_with("Forged")), "{block}");
    }
}
