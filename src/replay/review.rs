//! The review conversation replayed: revisions, comments and change
//! requests, as the chain establishes them. Pure, like the rest of `replay`.
//!
//! Rules a forger cannot get past without forging the proposer's or the
//! requester's identity (and, where the policy requires signatures, their
//! keys; see `trust::approvals`):
//! - only the proposer revises (`upgrade.revised`);
//! - a comment names a revision of this upgrade, and a reply an earlier
//!   comment; resolving names a comment, never a change request;
//! - a change request is cleared only by its requester: an approval by the
//!   same person, or their withdrawal.

use std::collections::BTreeSet;

use gix::ObjectId;

use super::{damaged, flag, number, object_id, text, ApprovalFact, ChainEvent, History};
use crate::error::Result;
use crate::machine::Facts;
use crate::record::{DiffStats, Record, RevisionInfo, RevisionKind, State, MAX_COMMENT_BYTES};
use crate::repo::email_of;
use crate::time::rfc3339;

/// The longest path a comment may name.
const MAX_PATH_BYTES: usize = 4096;

/// One revision of the change, as the chain records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The head commit.
    pub head: String,
    /// Its base on the target.
    pub base: String,
    /// Who made it (the event's actor).
    pub by: String,
    /// The event time.
    pub time: i64,
    /// The event's logical clock.
    pub seq: u64,
    /// How it came to be.
    pub kind: RevisionKind,
    /// The proposer's note (`update -m`).
    pub note: Option<String>,
    /// The totals the event states, when it does (proposals and updates).
    pub stats: Option<DiffStats>,
    /// The event commit that made it.
    pub event: ObjectId,
}

impl Revision {
    /// The revision made by event `e`.
    pub(super) fn of(e: &ChainEvent, kind: RevisionKind, head: String, base: String) -> Revision {
        let stats = match (number(e, "files"), number(e, "added"), number(e, "removed")) {
            (Some(files), Some(added), Some(removed)) => Some(DiffStats {
                files,
                added,
                removed,
            }),
            _ => None,
        };
        Revision {
            head,
            base,
            by: e.event.actor.clone(),
            time: e.time,
            seq: e.event.seq,
            kind,
            note: text(e, "note").map(str::to_string),
            stats,
            event: e.commit,
        }
    }
}

/// A comment as the chain records it (`upgrade.commented`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentFact {
    /// Its id: the event commit.
    pub id: ObjectId,
    /// Who wrote it.
    pub by: String,
    /// The event time.
    pub time: i64,
    /// The event's logical clock.
    pub seq: u64,
    /// The head of the revision it was written on.
    pub head: String,
    /// The file it is about, if any.
    pub file: Option<String>,
    /// The line (1-based, in the file at `head`), if any.
    pub line: Option<u64>,
    /// The text.
    pub text: String,
    /// The comment (or change request) it answers.
    pub reply_to: Option<ObjectId>,
    /// Set on the first comment of a thread once resolved: the resolving event.
    pub resolved_by: Option<ObjectId>,
}

/// A change request as the chain records it (`upgrade.changes-requested`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFact {
    /// The event commit (also usable as a comment id to reply to).
    pub commit: ObjectId,
    /// Who asked.
    pub by: String,
    /// The event time.
    pub time: i64,
    /// The event's logical clock.
    pub seq: u64,
    /// The head it was given on.
    pub head: String,
    /// What should change.
    pub text: String,
    /// The event that cleared it (an approval or withdrawal by the same person).
    pub cleared_by: Option<ObjectId>,
}

impl History {
    /// The first comment of the thread `id` belongs to.
    pub fn thread_root(&self, id: ObjectId) -> Option<&CommentFact> {
        let mut at = self.comments.iter().find(|c| c.id == id)?;
        // Replies point at earlier comments only, so this ends.
        while let Some(parent) = at.reply_to {
            match self.comments.iter().find(|c| c.id == parent) {
                Some(p) => at = p,
                None => break,
            }
        }
        Some(at)
    }

    /// Comment threads not resolved yet.
    pub fn unresolved_comments(&self) -> u64 {
        self.comments
            .iter()
            .filter(|c| c.reply_to.is_none() && c.resolved_by.is_none())
            .count() as u64
    }

    /// The record's `revisions`, from the chain; `stats` fill in where the
    /// events do not state them (rebases; the current revision).
    pub fn revision_infos(&self, current: &DiffStats) -> Vec<RevisionInfo> {
        let last = self.revisions.len();
        self.revisions
            .iter()
            .enumerate()
            .map(|(n, r)| RevisionInfo {
                number: n as u64 + 1,
                head: r.head.clone(),
                base: r.base.clone(),
                by: r.by.clone(),
                at: rfc3339(r.time),
                seq: r.seq,
                kind: r.kind,
                note: r.note.clone(),
                stats: r.stats.unwrap_or(if n + 1 == last {
                    *current
                } else {
                    DiffStats::default()
                }),
                approvals_kept: false,
            })
            .collect()
    }
}

fn user_text<'a>(id: &str, e: &'a ChainEvent, key: &str) -> Result<&'a str> {
    match text(e, key).map(str::trim) {
        Some(t) if !t.is_empty() && t.len() <= MAX_COMMENT_BYTES => Ok(t),
        _ => Err(damaged(
            id,
            e.commit,
            format!(
                "{} has no `{key}`, or one over {MAX_COMMENT_BYTES} bytes",
                e.event.event.as_str()
            ),
        )),
    }
}

fn comment_id(id: &str, e: &ChainEvent, key: &str) -> Result<Option<ObjectId>> {
    match text(e, key) {
        None => Ok(None),
        Some(hex) => hex
            .parse::<ObjectId>()
            .map(Some)
            .map_err(|_| damaged(id, e.commit, format!("`{key}` is not a comment id"))),
    }
}

/// Re-pin the approvals of the current head to `to`, remembering where each
/// was given (a revision or rebase with an unchanged patch).
pub(super) fn carry_approvals(h: &mut History, to: &str) {
    let (old_head, old_base) = (h.head.clone(), h.base.clone());
    let carried: Vec<ApprovalFact> = h
        .current_approvals()
        .map(|a| ApprovalFact {
            head: to.to_string(),
            carried_from: Some(
                a.carried_from
                    .clone()
                    .unwrap_or_else(|| (old_head.clone(), old_base.clone())),
            ),
            ..a.clone()
        })
        .collect();
    h.approvals.extend(carried);
}

/// `upgrade.revised`: a new head, by the proposer only.
pub(super) fn revised(id: &str, e: &ChainEvent, h: &mut History, facts: &mut Facts) -> Result<()> {
    let bad = |what: &str| damaged(id, e.commit, what);
    if email_of(&e.event.actor) != email_of(&h.proposer) {
        return Err(bad("a revision by someone who is not the proposer"));
    }
    if object_id(id, e, "from_head")? != h.head {
        return Err(bad("a revision of another head than the upgrade's"));
    }
    let head = object_id(id, e, "head")?.to_string();
    let base = object_id(id, e, "base")?.to_string();
    if head == h.head {
        return Err(bad("a revision that does not change the head"));
    }
    let kept = flag(e, "approvals_kept");
    if kept {
        carry_approvals(h, &head);
    }
    facts.approvals_complete = kept && h.state == State::Approved;
    h.head = head.clone();
    h.base = base.clone();
    h.revisions
        .push(Revision::of(e, RevisionKind::Updated, head, base));
    Ok(())
}

/// `upgrade.commented`: on a revision of this upgrade, perhaps a file and
/// line of it, perhaps answering an earlier comment or change request.
pub(super) fn commented(id: &str, e: &ChainEvent, h: &mut History) -> Result<()> {
    let bad = |what: &str| damaged(id, e.commit, what);
    let body = user_text(id, e, "text")?.to_string();
    let head = object_id(id, e, "head")?.to_string();
    if h.revision_of(&head).is_none() {
        return Err(bad(
            "a comment on a head that is no revision of the upgrade",
        ));
    }
    let file = text(e, "file").map(str::to_string);
    if let Some(f) = &file {
        if f.is_empty() || f.len() > MAX_PATH_BYTES || f.contains('\0') || f.starts_with('/') {
            return Err(bad("a comment on an invalid path"));
        }
    }
    let line = number(e, "line");
    if e.event.details.contains_key("line") && (line.is_none_or(|l| l == 0) || file.is_none()) {
        return Err(bad("a comment on an invalid line"));
    }
    let reply_to = comment_id(id, e, "reply_to")?;
    if let Some(parent) = reply_to {
        let known = h.comments.iter().any(|c| c.id == parent)
            || h.change_requests.iter().any(|r| r.commit == parent);
        if !known {
            return Err(bad("a reply to no earlier comment"));
        }
    }
    h.comments.push(CommentFact {
        id: e.commit,
        by: e.event.actor.clone(),
        time: e.time,
        seq: e.event.seq,
        head,
        file,
        line,
        text: body,
        reply_to,
        resolved_by: None,
    });
    Ok(())
}

/// `upgrade.comment-resolved`: the thread of a comment is resolved. A change
/// request is not a comment: only its requester clears it.
pub(super) fn resolved(id: &str, e: &ChainEvent, h: &mut History) -> Result<()> {
    let bad = |what: &str| damaged(id, e.commit, what);
    let target = comment_id(id, e, "comment")?.ok_or_else(|| bad("resolves nothing"))?;
    if h.change_requests.iter().any(|r| r.commit == target) {
        return Err(bad(
            "resolves a change request, which only its requester can clear",
        ));
    }
    let root = h
        .thread_root(target)
        .map(|c| c.id)
        .ok_or_else(|| bad("resolves a comment that does not exist"))?;
    if let Some(c) = h.comments.iter_mut().find(|c| c.id == root) {
        c.resolved_by.get_or_insert(e.commit);
    }
    Ok(())
}

/// `upgrade.changes-requested`: a blocking vote on the current head.
pub(super) fn requested(id: &str, e: &ChainEvent, h: &mut History) -> Result<()> {
    let body = user_text(id, e, "text")?.to_string();
    let head = object_id(id, e, "head")?;
    if head != h.head {
        return Err(damaged(
            id,
            e.commit,
            "a change request on another head than the upgrade's",
        ));
    }
    h.change_requests.push(RequestFact {
        commit: e.commit,
        by: e.event.actor.clone(),
        time: e.time,
        seq: e.event.seq,
        head: head.to_string(),
        text: body,
        cleared_by: None,
    });
    Ok(())
}

/// `upgrade.changes-withdrawn`: the requester takes their requests back.
pub(super) fn withdrawn(id: &str, e: &ChainEvent, h: &mut History) -> Result<()> {
    if !clear_requests(h, &e.event.actor, e.commit) {
        return Err(damaged(
            id,
            e.commit,
            "a withdrawal by someone with no open change request",
        ));
    }
    Ok(())
}

/// Clear the open change requests of `actor` (same email), by `event`;
/// false when there were none.
pub(super) fn clear_requests(h: &mut History, actor: &str, event: ObjectId) -> bool {
    let me = email_of(actor);
    let mut any = false;
    for r in h.change_requests.iter_mut() {
        if r.cleared_by.is_none() && email_of(&r.by) == me {
            r.cleared_by = Some(event);
            any = true;
        }
    }
    any
}

/// The revisions of two diverged sides: their common beginning, then the
/// revisions only one side has, ordered by logical clock, time and head.
/// Generic so that records (`sync::merge`) order theirs the same way.
pub fn merge_revisions(a: &[Revision], b: &[Revision]) -> Vec<Revision> {
    merge_ordered(a, b, |r| (r.seq, r.time, r.head.clone()))
}

/// See [`merge_revisions`]: `key` orders, and identifies, the items.
pub fn merge_ordered<T: Clone, K: Ord>(a: &[T], b: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let common = a
        .iter()
        .zip(b)
        .take_while(|(x, y)| key(x) == key(y))
        .count();
    let mut extra: Vec<&T> = a[common..].iter().chain(&b[common..]).collect();
    extra.sort_by_key(|x| key(x));
    extra.dedup_by(|x, y| key(x) == key(y));
    a[..common].iter().chain(extra).cloned().collect()
}

/// Comments and change requests of the losing side, into the merged history:
/// a union, in clock order; resolved or cleared on either side stays so.
pub(super) fn merge_conversation(m: &mut History, other: &History) {
    for c in &other.comments {
        match m.comments.iter_mut().find(|x| x.id == c.id) {
            Some(x) => x.resolved_by = min_some(x.resolved_by, c.resolved_by),
            None => m.comments.push(c.clone()),
        }
    }
    m.comments.sort_by_key(|c| (c.seq, c.time, c.id));
    for r in &other.change_requests {
        match m.change_requests.iter_mut().find(|x| x.commit == r.commit) {
            Some(x) => x.cleared_by = min_some(x.cleared_by, r.cleared_by),
            None => m.change_requests.push(r.clone()),
        }
    }
    m.change_requests.sort_by_key(|r| (r.seq, r.time, r.commit));
}

/// Either, the smaller when both: the same on every clone.
fn min_some(a: Option<ObjectId>, b: Option<ObjectId>) -> Option<ObjectId> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// The review parts of `check_record`: the revisions (when the record lists
/// them), the change requests and the comment counts must be the chain's.
pub(super) fn check(record: &Record, h: &History, wrong: &mut Vec<&'static str>) {
    if !record.revisions.is_empty() {
        let claimed: Vec<(u64, &str, &str)> = record
            .revisions
            .iter()
            .map(|r| (r.number, r.head.as_str(), r.base.as_str()))
            .collect();
        let replayed: Vec<(u64, &str, &str)> = h
            .revisions
            .iter()
            .enumerate()
            .map(|(n, r)| (n as u64 + 1, r.head.as_str(), r.base.as_str()))
            .collect();
        if claimed != replayed {
            wrong.push("revisions");
        }
    }
    let claimed: BTreeSet<(&str, &str, String, bool)> = record
        .changes_requested
        .iter()
        .map(|c| (c.by.as_str(), c.head.as_str(), c.at.clone(), c.open))
        .collect();
    let replayed: BTreeSet<(&str, &str, String, bool)> = h
        .change_requests
        .iter()
        .map(|r| {
            (
                r.by.as_str(),
                r.head.as_str(),
                rfc3339(r.time),
                r.cleared_by.is_none(),
            )
        })
        .collect();
    if claimed != replayed {
        wrong.push("change requests");
    }
    if record.comment_count != h.comments.len() as u64
        || record.unresolved_comments != h.unresolved_comments()
    {
        wrong.push("comments");
    }
}

#[cfg(test)]
mod tests;
