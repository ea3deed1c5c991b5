//! The event chain replayed through the state machine: what an upgrade's
//! history says happened, independent of what its record (`record.json` in the notes tree)
//! claims. Pure: no I/O; `store` hands it the chain's commits.
//!
//! The record is a cache of these facts, never their source (docs/TRUST.md).
//! [`check_record`] refuses a record whose decision-relevant fields disagree
//! with the replay, so a forged note cannot change the state, head, base,
//! target, proposer, approvals, landing or test claims of an upgrade without
//! also forging a chain the state machine accepts. What a chain itself cannot
//! prove (who really approved, whether a landing happened) is judged by
//! `trust` against signatures, the target's history and the committed policy.

use std::collections::{BTreeSet, HashMap, HashSet};

use gix::ObjectId;

use crate::error::{Error, Result};
use crate::ids::validate_branch_name;
use crate::machine::{self, Facts};
use crate::record::{is_hex_id, Event, EventKind, Record, RevisionKind, State};

mod review;
pub use review::{CommentFact, RequestFact, Revision};

/// The actor name of events written by the policy itself (`maintain`).
pub const POLICY_ACTOR: &str = "policy";
/// The actor name of `upgrade.merged` events.
pub const MERGE_ACTOR: &str = "merge";

/// One event commit as read from the chain.
#[derive(Debug, Clone)]
pub struct ChainEvent {
    /// The event.
    pub event: Event,
    /// The event commit.
    pub commit: ObjectId,
    /// Its parents (previous events).
    pub parents: Vec<ObjectId>,
    /// Committer time (Unix seconds): the event time.
    pub time: i64,
    /// The commit's author as `Name <email>`.
    pub author: String,
}

/// An approval as the chain records it: an `upgrade.approved` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalFact {
    /// The approver (the event's actor, equal to the commit's author).
    pub by: String,
    /// The head it is pinned to now.
    pub head: String,
    /// The `upgrade.approved` event commit (the one whose signature counts).
    pub commit: ObjectId,
    /// The event time.
    pub time: i64,
    /// `auto_approve` when given by the policy's rule.
    pub rule: Option<String>,
    /// When carried over by a rebase: the revision it was given on (head, base).
    pub carried_from: Option<(String, String)>,
}

/// A test run as the chain records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFact {
    /// `passed`, `failed`, `timed-out`, `not-configured` or `error`.
    pub status: String,
    /// The commit tested.
    pub commit: String,
    /// The event commit.
    pub event: ObjectId,
    /// The event time.
    pub time: i64,
}

/// A landing as the chain records it (`upgrade.applied`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandingFact {
    /// Who landed it.
    pub by: String,
    /// The target tip before.
    pub previous_target: String,
    /// The target tip after (the upgrade's head).
    pub new_target: String,
    /// Landed through the urgent bypass: the reason and whether tests were skipped.
    pub urgent: Option<(String, bool)>,
    /// The event commit.
    pub event: ObjectId,
    /// The event time.
    pub time: i64,
}

/// What the replayed chain establishes about one upgrade.
#[derive(Debug, Clone)]
pub struct History {
    /// The upgrade id.
    pub id: String,
    /// The state the chain leads to.
    pub state: State,
    /// The target branch (fixed at propose).
    pub target: String,
    /// Current base.
    pub base: String,
    /// Current head.
    pub head: String,
    /// Every revision, oldest first (the last is the current one).
    pub revisions: Vec<Revision>,
    /// The proposer (the `upgrade.proposed` event's actor).
    pub proposer: String,
    /// When proposed (the event time).
    pub proposed_at: i64,
    /// Every approval event, of any head.
    pub approvals: Vec<ApprovalFact>,
    /// Every test run.
    pub tests: Vec<TestFact>,
    /// The landing, once applied.
    pub landing: Option<LandingFact>,
    /// Every comment, in chain order (replies too).
    pub comments: Vec<CommentFact>,
    /// Every change request, open or cleared.
    pub change_requests: Vec<RequestFact>,
    /// The logical clock of the last event.
    pub seq: u64,
    /// The tip event commit.
    pub tip: ObjectId,
    /// The tip's time.
    pub updated_at: i64,
}

impl History {
    /// Approvals pinned to the current head.
    pub fn current_approvals(&self) -> impl Iterator<Item = &ApprovalFact> {
        self.approvals.iter().filter(move |a| a.head == self.head)
    }

    /// The number (1-based) of the revision whose head is `head`, latest first.
    pub fn revision_of(&self, head: &str) -> Option<u64> {
        self.revisions
            .iter()
            .rposition(|r| r.head == head)
            .map(|n| n as u64 + 1)
    }

    /// The number of the current revision.
    pub fn current_revision(&self) -> u64 {
        self.revision_of(&self.head).unwrap_or(1)
    }

    /// Change requests that have not been cleared.
    pub fn open_requests(&self) -> impl Iterator<Item = &RequestFact> {
        self.change_requests
            .iter()
            .filter(|r| r.cleared_by.is_none())
    }

    /// The latest test run on the current head, if any.
    pub fn latest_test(&self) -> Option<&TestFact> {
        self.tests
            .iter()
            .filter(|t| t.commit == self.head)
            .max_by_key(|t| (t.time, t.event))
    }
}

fn damaged(id: &str, commit: ObjectId, what: impl std::fmt::Display) -> Error {
    Error::failure(format!(
        "upgrade {id}: damaged event chain at {}: {what}",
        commit.to_hex_with_len(12)
    ))
}

fn text<'a>(e: &'a ChainEvent, key: &str) -> Option<&'a str> {
    e.event.details.get(key).and_then(|v| v.as_str())
}

fn object_id<'a>(id: &str, e: &'a ChainEvent, key: &str) -> Result<&'a str> {
    match text(e, key) {
        Some(hex) if is_hex_id(hex) => Ok(hex),
        _ => Err(damaged(
            id,
            e.commit,
            format!("{} has no valid `{key}`", e.event.event.as_str()),
        )),
    }
}

fn flag(e: &ChainEvent, key: &str) -> bool {
    e.event.details.get(key).and_then(|v| v.as_bool()) == Some(true)
}

fn number(e: &ChainEvent, key: &str) -> Option<u64> {
    e.event.details.get(key).and_then(|v| v.as_u64())
}

/// The merge rule's precedence of outcomes (higher wins); see `sync::merge`.
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

/// Replay the chain of upgrade `id` whose tip is `tip`. `events` holds every
/// commit of the chain (any order). Every event must be allowed by the state
/// machine from the state its parents lead to, name this upgrade, carry the
/// next logical clock, and be authored by its actor.
pub fn replay(id: &str, tip: ObjectId, events: &[ChainEvent]) -> Result<History> {
    let by_commit: HashMap<ObjectId, &ChainEvent> = events.iter().map(|e| (e.commit, e)).collect();
    // A history is handed to its last child rather than copied, so a long
    // linear chain costs linear time and memory (comments make histories big).
    let mut children: HashMap<ObjectId, usize> = HashMap::new();
    for e in events {
        for p in &e.parents {
            *children.entry(*p).or_default() += 1;
        }
    }
    // Iterative post-order walk: a history is computed once all its parents' are.
    let mut done: HashMap<ObjectId, History> = HashMap::new();
    let mut computed: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<(ObjectId, bool)> = vec![(tip, false)];
    while let Some((commit, expanded)) = stack.pop() {
        if computed.contains(&commit) {
            continue;
        }
        let e = by_commit
            .get(&commit)
            .ok_or_else(|| damaged(id, commit, "a parent event is missing"))?;
        if !expanded {
            stack.push((commit, true));
            for p in &e.parents {
                if !computed.contains(p) {
                    stack.push((*p, false));
                }
            }
            continue;
        }
        let mut parents: Vec<History> = Vec::with_capacity(e.parents.len());
        for p in &e.parents {
            let left = children.get_mut(p).map_or(0, |n| {
                *n = n.saturating_sub(1);
                *n
            });
            let h = if left == 0 {
                done.remove(p)
            } else {
                done.get(p).cloned()
            };
            parents.push(h.ok_or_else(|| damaged(id, commit, "the chain has a cycle"))?);
        }
        let h = step(id, e, parents)?;
        computed.insert(commit);
        done.insert(commit, h);
    }
    done.remove(&tip)
        .ok_or_else(|| Error::failure(format!("upgrade {id}: empty event chain")))
}

/// The history after event `e`, whose parents' histories are `parents`.
fn step(id: &str, e: &ChainEvent, mut parents: Vec<History>) -> Result<History> {
    let ev = &e.event;
    let bad = |what: String| damaged(id, e.commit, what);
    if ev.id != id {
        return Err(bad(format!("it belongs to upgrade {:?}", ev.id)));
    }
    let expected_seq = parents.iter().map(|p| p.seq).max().unwrap_or(0) + 1;
    if ev.seq != expected_seq {
        return Err(bad(format!(
            "logical clock {} where {expected_seq} was expected (events deleted or reordered)",
            ev.seq
        )));
    }
    // Who acted must be who wrote the commit: a forger cannot claim an
    // identity in the event that the commit (and its signature) does not carry.
    let author_ok = match ev.event {
        EventKind::Merged => ev.actor == MERGE_ACTOR,
        _ if ev.actor == POLICY_ACTOR => true,
        _ => ev.actor == e.author,
    };
    if !author_ok {
        return Err(bad(format!(
            "the event's actor {:?} is not its commit's author {:?}",
            ev.actor, e.author
        )));
    }
    let mut h = match (ev.event, parents.len()) {
        (EventKind::Proposed, 0) => {
            let target = text(e, "target").unwrap_or_default();
            validate_branch_name(target).map_err(|_| bad(format!("bad target {target:?}")))?;
            let head = object_id(id, e, "head")?.to_string();
            let base = object_id(id, e, "base")?.to_string();
            return Ok(History {
                id: id.to_string(),
                state: State::Proposed,
                target: target.to_string(),
                base: base.clone(),
                head: head.clone(),
                revisions: vec![Revision::of(e, RevisionKind::Proposed, head, base)],
                proposer: ev.actor.clone(),
                proposed_at: e.time,
                approvals: Vec::new(),
                tests: Vec::new(),
                landing: None,
                comments: Vec::new(),
                change_requests: Vec::new(),
                seq: ev.seq,
                tip: e.commit,
                updated_at: e.time,
            });
        }
        (EventKind::Proposed, _) => return Err(bad("a proposal with earlier events".into())),
        (_, 0) => return Err(bad("the first event is not upgrade.proposed".into())),
        (EventKind::Merged, 2) => merge(id, e, &parents[0], &parents[1])?,
        (EventKind::Merged, _) => return Err(bad("a merge needs exactly two parents".into())),
        (_, 1) => parents.pop().expect("one parent"),
        (_, _) => return Err(bad("only upgrade.merged has several parents".into())),
    };
    h.seq = ev.seq;
    h.tip = e.commit;
    h.updated_at = e.time;
    if ev.event == EventKind::Merged {
        return Ok(h);
    }
    let mut facts = Facts::default();
    match ev.event {
        EventKind::Tested => {
            let commit = object_id(id, e, "commit")?.to_string();
            let status = text(e, "status").unwrap_or_default().to_string();
            if !matches!(
                status.as_str(),
                "passed" | "failed" | "timed-out" | "not-configured" | "error"
            ) {
                return Err(bad(format!("unknown test status {status:?}")));
            }
            h.tests.push(TestFact {
                status,
                commit,
                event: e.commit,
                time: e.time,
            });
        }
        EventKind::Approved => {
            let head = object_id(id, e, "head")?;
            if head != h.head {
                return Err(bad("an approval of another head than the upgrade's".into()));
            }
            if let Some(t) = text(e, "target") {
                if t != h.target {
                    return Err(bad(format!("an approval for target {t:?}")));
                }
            }
            let rule = text(e, "rule").map(str::to_string);
            if rule.is_some() && ev.actor != POLICY_ACTOR {
                return Err(bad("a rule's approval by a person".into()));
            }
            facts.approvals_complete = rule.is_some()
                || matches!((number(e, "approvals"), number(e, "required")), (Some(n), Some(r)) if n >= r);
            h.approvals.push(ApprovalFact {
                by: ev.actor.clone(),
                head: head.to_string(),
                commit: e.commit,
                time: e.time,
                rule,
                carried_from: None,
            });
            review::clear_requests(&mut h, &ev.actor, e.commit);
        }
        EventKind::Applied => {
            if let Some(t) = text(e, "target") {
                if t != h.target {
                    return Err(bad(format!("a landing on {t:?}, not the upgrade's target")));
                }
            }
            let new_target = object_id(id, e, "new_target")?;
            if new_target != h.head {
                return Err(bad("a landing of another commit than the head".into()));
            }
            let previous = object_id(id, e, "previous_target")?.to_string();
            facts.urgent = flag(e, "urgent");
            h.landing = Some(LandingFact {
                by: ev.actor.clone(),
                previous_target: previous,
                new_target: new_target.to_string(),
                urgent: facts.urgent.then(|| {
                    (
                        text(e, "reason").unwrap_or_default().to_string(),
                        flag(e, "tests_skipped"),
                    )
                }),
                event: e.commit,
                time: e.time,
            });
        }
        EventKind::Failed => {
            // Only an urgent landing fails from `proposed`; the chain cannot
            // tell, and a failure is terminal and moves nothing.
            facts.urgent = true;
        }
        EventKind::RolledBack => {
            let landing = h
                .landing
                .as_ref()
                .ok_or_else(|| bad("a rollback of an upgrade that never landed".into()))?;
            if text(e, "from") != Some(&landing.new_target)
                || text(e, "to") != Some(&landing.previous_target)
            {
                return Err(bad("a rollback that does not undo the landing".into()));
            }
        }
        EventKind::Rebased => {
            if object_id(id, e, "from_head")? != h.head {
                return Err(bad("a rebase of another head than the upgrade's".into()));
            }
            let to = object_id(id, e, "to_head")?.to_string();
            let onto = object_id(id, e, "onto")?.to_string();
            let kept = flag(e, "approvals_kept");
            if kept {
                review::carry_approvals(&mut h, &to);
            }
            facts.approvals_complete = kept && h.state == State::Approved;
            h.head = to.clone();
            h.base = onto.clone();
            h.revisions
                .push(Revision::of(e, RevisionKind::Rebased, to, onto));
        }
        EventKind::Revised => review::revised(id, e, &mut h, &mut facts)?,
        EventKind::Commented => review::commented(id, e, &mut h)?,
        EventKind::CommentResolved => review::resolved(id, e, &mut h)?,
        EventKind::ChangesRequested => review::requested(id, e, &mut h)?,
        EventKind::ChangesWithdrawn => review::withdrawn(id, e, &mut h)?,
        EventKind::Rejected | EventKind::Expired => {}
        EventKind::Proposed | EventKind::Merged => unreachable!("handled above"),
    }
    h.state =
        machine::next_state(Some(h.state), ev.event, facts).map_err(|r| bad(r.to_string()))?;
    Ok(h)
}

/// The merge rule (see `sync::merge`) applied to two replayed sides.
fn merge(id: &str, e: &ChainEvent, a: &History, b: &History) -> Result<History> {
    let bad = |what: &str| damaged(id, e.commit, what);
    let (m, _) = merge_histories(a, b).map_err(bad)?;
    if let Some(state) = text(e, "state") {
        if State::parse(state) != Some(m.state) {
            return Err(bad("the merge's state is not the merge rule's"));
        }
    }
    Ok(m)
}

/// The merge rule (see `sync::merge`) on two diverged histories of one
/// upgrade: the merged history, and whether `a` won (its outcome and head stand).
///
/// The winner is the side with the higher precedence of state, then the
/// higher logical clock, then the larger tip id; except that when both sides
/// are open with different heads (concurrent revisions), the side whose
/// revision comes last in the merged list wins, so the newest revision is
/// current. Revisions, approvals, test runs, comments and change requests are
/// the union of both sides.
pub fn merge_histories(
    a: &History,
    b: &History,
) -> std::result::Result<(History, bool), &'static str> {
    let first = |h: &History| {
        h.revisions
            .first()
            .map(|r| (r.head.clone(), r.base.clone()))
    };
    if a.target != b.target || a.proposer != b.proposer || first(a) != first(b) {
        return Err("a merge of two different proposals");
    }
    let revisions = review::merge_revisions(&a.revisions, &b.revisions);
    let a_wins = if a.state.is_open() && b.state.is_open() && a.head != b.head {
        revisions.last().is_some_and(|r| r.head == a.head)
    } else {
        let key = |h: &History| (precedence(h.state), h.seq, h.tip.to_string());
        key(a) >= key(b)
    };
    let (winner, loser) = if a_wins { (a, b) } else { (b, a) };
    let mut m = winner.clone();
    m.revisions = revisions;
    for ap in &loser.approvals {
        if !m.approvals.contains(ap) {
            m.approvals.push(ap.clone());
        }
    }
    for t in &loser.tests {
        if !m.tests.contains(t) {
            m.tests.push(t.clone());
        }
    }
    review::merge_conversation(&mut m, loser);
    Ok((m, a_wins))
}

/// Refuse a record whose decision-relevant fields disagree with the replay:
/// such a record is damaged (or forged) and is never acted on.
pub fn check_record(record: &Record, h: &History) -> Result<()> {
    let mut wrong: Vec<&str> = Vec::new();
    if record.state != h.state {
        wrong.push("state");
    }
    if record.target != h.target {
        wrong.push("target");
    }
    if record.head != h.head {
        wrong.push("head");
    }
    if record.base != h.base {
        wrong.push("base");
    }
    if record.proposed_by != h.proposer {
        wrong.push("proposer");
    }
    if record.seq != h.seq {
        wrong.push("logical clock");
    }
    let claimed: BTreeSet<(&str, &str)> = record
        .approvals
        .iter()
        .map(|a| (a.by.as_str(), a.head.as_str()))
        .collect();
    let replayed: BTreeSet<(&str, &str)> = h
        .approvals
        .iter()
        .map(|a| (a.by.as_str(), a.head.as_str()))
        .collect();
    if claimed != replayed {
        wrong.push("approvals");
    }
    let landing_ok = match (&record.landing, &h.landing) {
        (None, None) => true,
        (Some(r), Some(f)) => {
            r.previous_target == f.previous_target
                && r.new_target == f.new_target
                && record.urgent.is_some() == f.urgent.is_some()
        }
        _ => false,
    };
    if !landing_ok {
        wrong.push("landing");
    }
    if let Some(t) = &record.tests {
        if !h
            .tests
            .iter()
            .any(|f| f.commit == t.commit && f.status == t.status)
        {
            wrong.push("test result");
        }
        if t.passed != test_passed(&t.status) {
            wrong.push("test result");
        }
    }
    review::check(record, h, &mut wrong);
    if wrong.is_empty() {
        return Ok(());
    }
    wrong.dedup();
    Err(Error::failure(format!(
        "upgrade {}: the record disagrees with its event chain ({}); it is not trusted",
        h.id,
        wrong.join(", ")
    ))
    .hint("a record is only a cache of its events; this one was damaged or forged"))
}

/// The `passed` flag a test status implies.
pub fn test_passed(status: &str) -> Option<bool> {
    match status {
        "passed" => Some(true),
        "not-configured" => None,
        _ => Some(false),
    }
}

#[cfg(test)]
mod tests;
