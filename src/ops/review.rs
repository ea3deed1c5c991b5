//! The review conversation: comments (general, on a file, or on a line of a
//! revision), replies, resolving threads, and change requests (a blocking
//! vote, cleared by the requester's approval or withdrawal). Each is one
//! event; none moves the lifecycle (`machine`). A comment's id is its event
//! commit, so it cannot be chosen or reused.
//!
//! Everything is checked before anything is written: the revision exists,
//! the file is there at that revision, the line exists in it, the comment
//! answered exists.

use gix::ObjectId;

use super::{append_retrying, clear_requests, details, policy_at, transition, Actor, Planned};
use crate::conversation::Files;
use crate::diff::{self, FileText};
use crate::error::{Error, Result};
use crate::machine::Facts;
use crate::record::{sanitize_line, user_text, ChangeRequest, EventKind};
use crate::replay::History;
use crate::repo::email_of;
use crate::store::{Store, Upgrade};

/// A comment to write.
#[derive(Debug, Clone, Default)]
pub struct CommentRequest {
    /// Upgrade id or unique prefix.
    pub id: String,
    /// The text.
    pub text: String,
    /// A file of the revision (path from the repository's root).
    pub file: Option<String>,
    /// A line of that file (1-based, as the file is at the revision).
    pub line: Option<u64>,
    /// The revision (default: the current one, or for a reply the one answered).
    pub revision: Option<u64>,
    /// The comment (or change request) answered: an id or unique prefix.
    pub reply: Option<String>,
}

/// A written comment.
#[derive(Debug, Clone)]
pub struct Commented {
    /// The upgrade after it.
    pub upgrade: Upgrade,
    /// Its id (the event commit).
    pub comment: ObjectId,
    /// The revision it is on.
    pub revision: u64,
    /// The comment it answers.
    pub reply_to: Option<ObjectId>,
}

/// The comment (or change request) of `h` whose id starts with `text`.
pub fn find_comment(h: &History, text: &str) -> Result<ObjectId> {
    let prefix = text.trim().to_ascii_lowercase();
    if prefix.len() < 4 || prefix.len() > 64 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::usage(format!(
            "invalid comment id {:?}",
            sanitize_line(text, 80)
        ))
        .hint("comment ids are hexadecimal, at least 4 characters (`git upgrades show <id>` lists them)"));
    }
    let mut found: Vec<ObjectId> = h
        .comments
        .iter()
        .map(|c| c.id)
        .chain(h.change_requests.iter().map(|r| r.commit))
        .filter(|id| id.to_string().starts_with(&prefix))
        .collect();
    found.dedup();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(
            Error::usage(format!("upgrade {} has no comment {prefix}", h.id)).hint(format!(
                "`git upgrades show {}` lists its comments with their ids",
                h.id
            )),
        ),
        _ => Err(Error::usage(format!(
            "comment id {prefix} is ambiguous on upgrade {}",
            h.id
        ))
        .hint("type more characters of the id")),
    }
}

/// A path as a comment names it: slash-separated from the repository root.
fn normalize_path(path: &str) -> Result<String> {
    let p = path.trim().trim_start_matches("./");
    let bad = p.is_empty()
        || p.starts_with('/')
        || p.contains('\0')
        || p.len() > 4096
        || p.split('/').any(|c| c == ".." || c == "." || c.is_empty());
    if bad {
        return Err(
            Error::usage(format!("invalid path {:?}", sanitize_line(path, 100)))
                .hint("name a file by its path from the repository's root, as `git diff` shows it"),
        );
    }
    Ok(p.to_string())
}

/// Write a comment on an upgrade (any state: a landed change can be discussed).
pub fn comment(store: &Store<'_>, req: &CommentRequest) -> Result<Commented> {
    let text = user_text("comment", Some(&req.text))?
        .ok_or_else(|| Error::usage("the comment is empty").hint("say something with -m <text>"))?;
    let id = store.resolve(&req.id)?;
    let (up, h) = store.load_full(&id)?;
    let reply_to = req
        .reply
        .as_deref()
        .map(|r| find_comment(&h, r))
        .transpose()?;
    let count = h.revisions.len() as u64;
    let answered_head = reply_to.and_then(|r| {
        h.comments
            .iter()
            .find(|c| c.id == r)
            .map(|c| c.head.clone())
            .or_else(|| {
                h.change_requests
                    .iter()
                    .find(|x| x.commit == r)
                    .map(|x| x.head.clone())
            })
    });
    let revision = match (req.revision, &answered_head) {
        (Some(n), _) if n >= 1 && n <= count => n,
        (Some(n), _) => {
            return Err(Error::usage(format!(
                "upgrade {id} has no revision {n} (it has {})",
                crate::text::plural(count, "revision")
            )))
        }
        (None, Some(head)) => h.revision_of(head).unwrap_or(count),
        (None, None) => h.current_revision(),
    };
    let head = h.revisions[revision as usize - 1].head.clone();
    if req.line.is_some() && req.file.is_none() {
        return Err(Error::usage("--line needs --file"));
    }
    let file = req.file.as_deref().map(normalize_path).transpose()?;
    if let Some(path) = &file {
        let mut files = Files::new(store, up.tip);
        let shown = crate::text::escape::path(path);
        match (files.file(&head, path)?, req.line) {
            (FileText::Missing, _) => {
                return Err(Error::usage(format!(
                    "there is no file {shown} in revision {revision} of upgrade {id}"
                ))
                .hint(format!("`git upgrades diff {id} --name-only` lists the changed files")))
            }
            (FileText::Binary | FileText::Large, Some(_)) => {
                return Err(Error::usage(format!(
                    "{shown} is binary or too large at revision {revision}: it has no lines to comment on"
                ))
                .hint("comment on the whole file: leave out --line"))
            }
            (FileText::Text(t), Some(line)) => {
                let lines = diff::count_lines(t);
                if line == 0 || line > lines {
                    return Err(Error::usage(format!(
                        "line {line} does not exist in {shown} at revision {revision} of upgrade {id} (it has {})",
                        crate::text::plural(lines, "line")
                    )));
                }
            }
            _ => {}
        }
    }
    let actor = Actor::of(store)?;
    let place = match (&file, req.line) {
        (Some(f), Some(l)) => format!("{f}:{l}: "),
        (Some(f), None) => format!("{f}: "),
        _ => String::new(),
    };
    let reply_note = reply_to
        .map(|r| format!("re {}: ", r.to_hex_with_len(10)))
        .unwrap_or_default();
    let subject = format!("{reply_note}{place}{text}");
    let up = append_retrying(store, &id, &actor.signature, |up| {
        let d = details([
            ("text", text.clone().into()),
            ("head", head.clone().into()),
            ("file", file.clone().map(Into::into).unwrap_or_default()),
            ("line", req.line.map(Into::into).unwrap_or_default()),
            (
                "reply_to",
                reply_to.map(|r| r.to_string().into()).unwrap_or_default(),
            ),
        ]);
        let planned = transition(
            Some(&up.record),
            EventKind::Commented,
            Facts::default(),
            &actor,
            d,
            |rec| {
                rec.comment_count += 1;
                if reply_to.is_none() {
                    rec.unresolved_comments += 1;
                }
            },
            None,
        )?;
        Ok(Planned::new(planned, vec![]).with_subject(subject.clone()))
    })?;
    Ok(Commented {
        comment: up.tip,
        upgrade: up,
        revision,
        reply_to,
    })
}

/// Resolve the thread of comment `comment` (an id or unique prefix). Returns
/// the upgrade, the thread's first comment, and false when it was resolved
/// already (then nothing is written).
pub fn resolve(store: &Store<'_>, id: &str, comment: &str) -> Result<(Upgrade, ObjectId, bool)> {
    let id = store.resolve(id)?;
    let (up, h) = store.load_full(&id)?;
    let target = find_comment(&h, comment)?;
    if let Some(r) = h.change_requests.iter().find(|r| r.commit == target) {
        return Err(Error::usage(format!(
            "{} is a change request, not a comment: only {} can clear it",
            target.to_hex_with_len(10),
            crate::text::escape::text_max(&r.by, 200)
        ))
        .hint(
            "they clear it by approving, or with `git upgrades request-changes <id> --withdraw`",
        ));
    }
    let root = h.thread_root(target).expect("found above").clone();
    if root.resolved_by.is_some() {
        return Ok((up, root.id, false));
    }
    let actor = Actor::of(store)?;
    let excerpt = sanitize_line(&root.text, 60);
    let up = append_retrying(store, &id, &actor.signature, |up| {
        let d = details([("comment", root.id.to_string().into())]);
        let planned = transition(
            Some(&up.record),
            EventKind::CommentResolved,
            Facts::default(),
            &actor,
            d,
            |rec| rec.unresolved_comments = rec.unresolved_comments.saturating_sub(1),
            None,
        )?;
        Ok(Planned::new(planned, vec![]).with_subject(format!(
            "resolved {}: {excerpt}",
            root.id.to_hex_with_len(10)
        )))
    })?;
    Ok((up, root.id, true))
}

/// Refuse what is not an open upgrade.
fn must_be_open(up: &Upgrade, what: &str) -> Result<()> {
    if up.record.state.is_open() {
        return Ok(());
    }
    Err(Error::failure(format!(
        "upgrade {} is {}; {what} is only possible while it is open",
        up.id, up.record.state
    )))
}

/// Request changes: a blocking vote on the current revision, until the
/// requester approves a revision or withdraws.
pub fn request_changes(store: &Store<'_>, id: &str, text: &str) -> Result<Upgrade> {
    let text = user_text("request", Some(text))?.ok_or_else(|| {
        Error::usage("the change request is empty").hint("say what should change with -m <text>")
    })?;
    let id = store.resolve(id)?;
    let (up, h) = store.load_full(&id)?;
    must_be_open(&up, "requesting changes")?;
    let actor = Actor::of(store)?;
    let me = email_of(&actor.name);
    if me == email_of(&h.proposer) {
        return Err(Error::denied(format!(
            "you proposed upgrade {id}: update it instead of requesting changes"
        ))
        .hint(format!("git upgrades update {id} <rev> -m <what changed>")));
    }
    let tip = super::branch_tip(store, &h.target)?;
    let policy = policy_at(store.repo, &h.target, tip)?;
    if !policy.approvers.is_empty() && !policy.approvers.contains(&me) {
        return Err(Error::denied(format!(
            "{me} is not in the policy's approvers for {}: a change request from you would not block",
            h.target
        ))
        .hint(format!("comment instead: git upgrades comment {id} -m <text>")));
    }
    append_retrying(store, &id, &actor.signature, |up| {
        let head = up.record.head.clone();
        let d = details([("text", text.clone().into()), ("head", head.clone().into())]);
        let request = ChangeRequest {
            by: actor.name.clone(),
            at: actor.at(),
            head,
            text: text.clone(),
            open: true,
        };
        let planned = transition(
            Some(&up.record),
            EventKind::ChangesRequested,
            Facts::default(),
            &actor,
            d,
            |rec| rec.changes_requested.push(request),
            None,
        )?;
        Ok(Planned::new(planned, vec![]).with_subject(text.clone()))
    })
}

/// Withdraw your open change requests on an upgrade (signed when the policy
/// requires signed approvals, as the approval that would clear them is).
pub fn withdraw_request(store: &Store<'_>, id: &str) -> Result<Upgrade> {
    let id = store.resolve(id)?;
    let (up, h) = store.load_full(&id)?;
    must_be_open(&up, "withdrawing a change request")?;
    let actor = Actor::of(store)?;
    let me = email_of(&actor.name);
    if !h.open_requests().any(|r| email_of(&r.by) == me) {
        return Err(Error::usage(format!(
            "you have no open change request on upgrade {id}"
        )));
    }
    let tip = super::branch_tip(store, &h.target)?;
    let policy = policy_at(store.repo, &h.target, tip)?;
    let sign = crate::trust::must_sign(store, &h, &policy)?;
    append_retrying(store, &id, &actor.signature, |up| {
        let planned = transition(
            Some(&up.record),
            EventKind::ChangesWithdrawn,
            Facts::default(),
            &actor,
            details([]),
            |rec| clear_requests(rec, &actor.name),
            None,
        )?;
        Ok(Planned::new(planned, vec![])
            .with_subject("change request withdrawn".into())
            .signed(sign))
    })
}
