//! The conversation replayed: who may revise, what comments may name, who
//! clears a change request, and how two clones' conversations merge.

use super::super::tests::{approve, hex, proposed, Chain, ALICE, BOB};
use super::super::*;
use crate::record::EVENT_FORMAT;

const CAROL: &str = "Carol <carol@example.com>";

fn revise(c: &mut Chain, by: &str, from: &str, to: &str, kept: bool) -> ObjectId {
    c.push(
        EventKind::Revised,
        by,
        serde_json::json!({"from_head": from, "head": to, "base": hex('a'), "approvals_kept": kept}),
    )
}

#[test]
fn only_the_proposer_revises_and_approvals_follow_the_patch() {
    let mut c = proposed();
    approve(&mut c, BOB, 1, 1);
    let mut forged = c.clone_chain();
    revise(&mut forged, BOB, &hex('b'), &hex('c'), false);
    let err = forged.replay().unwrap_err();
    assert!(err.message.contains("not the proposer"), "{err}");

    let mut changed = c.clone_chain();
    revise(&mut changed, ALICE, &hex('b'), &hex('c'), false);
    let h = changed.replay().unwrap();
    assert_eq!(h.state, State::Proposed);
    assert_eq!(h.revisions.len(), 2);
    assert_eq!(h.current_approvals().count(), 0);

    let mut rebased = c.clone_chain();
    revise(&mut rebased, ALICE, &hex('b'), &hex('c'), true);
    let h = rebased.replay().unwrap();
    assert_eq!(h.state, State::Approved);
    let carried: Vec<_> = h.current_approvals().collect();
    assert_eq!(carried.len(), 1);
    assert_eq!(carried[0].carried_from, Some((hex('b'), hex('a'))));

    // A revision of a head that is not the current one.
    let mut stale = c.clone_chain();
    revise(&mut stale, ALICE, &hex('d'), &hex('c'), false);
    assert!(stale.replay().is_err());
}

#[test]
fn comments_name_a_revision_and_replies_an_earlier_comment() {
    let mut c = proposed();
    let first = c.push(
        EventKind::Commented,
        BOB,
        serde_json::json!({"text": "why?", "head": hex('b'), "file": "a.txt", "line": 2}),
    );
    c.push(
        EventKind::Commented,
        ALICE,
        serde_json::json!({"text": "because", "head": hex('b'), "reply_to": first.to_string()}),
    );
    let h = c.replay().unwrap();
    assert_eq!(h.comments.len(), 2);
    assert_eq!(h.unresolved_comments(), 1);
    assert_eq!(h.comments[0].line, Some(2));

    let bad = [
        serde_json::json!({"text": "x", "head": hex('f')}),
        serde_json::json!({"text": "", "head": hex('b')}),
        serde_json::json!({"text": "x", "head": hex('b'), "line": 3}),
        serde_json::json!({"text": "x", "head": hex('b'), "file": "a", "line": 0}),
        serde_json::json!({"text": "x", "head": hex('b'), "file": "/etc/passwd"}),
        serde_json::json!({"text": "x", "head": hex('b'), "reply_to": hex('e')}),
        serde_json::json!({"text": "x".repeat(crate::record::MAX_COMMENT_BYTES + 1), "head": hex('b')}),
    ];
    for details in bad {
        let mut c2 = c.clone_chain();
        c2.push(EventKind::Commented, BOB, details.clone());
        assert!(c2.replay().is_err(), "accepted {details}");
    }

    // Resolving a reply resolves its thread.
    let reply = c.tip();
    c.push(
        EventKind::CommentResolved,
        CAROL,
        serde_json::json!({"comment": reply.to_string()}),
    );
    let h = c.replay().unwrap();
    assert_eq!(h.unresolved_comments(), 0);
    assert!(h.comments[0].resolved_by.is_some());
}

#[test]
fn a_change_request_is_cleared_only_by_its_requester() {
    let mut c = proposed();
    let request = c.push(
        EventKind::ChangesRequested,
        BOB,
        serde_json::json!({"text": "rename it", "head": hex('b')}),
    );
    // A comment cannot resolve it.
    let mut forged = c.clone_chain();
    forged.push(
        EventKind::CommentResolved,
        CAROL,
        serde_json::json!({"comment": request.to_string()}),
    );
    assert!(forged
        .replay()
        .unwrap_err()
        .message
        .contains("change request"));
    // Someone else cannot withdraw it.
    let mut forged = c.clone_chain();
    forged.push(EventKind::ChangesWithdrawn, CAROL, serde_json::json!({}));
    assert!(forged.replay().is_err());
    // Someone else's approval leaves it open.
    let mut other = c.clone_chain();
    approve(&mut other, CAROL, 1, 1);
    let h = other.replay().unwrap();
    assert_eq!(h.open_requests().count(), 1);
    // The requester's approval clears it, as does their withdrawal.
    let mut own = c.clone_chain();
    approve(&mut own, BOB, 1, 1);
    assert_eq!(own.replay().unwrap().open_requests().count(), 0);
    let mut withdrawn = c.clone_chain();
    withdrawn.push(EventKind::ChangesWithdrawn, BOB, serde_json::json!({}));
    assert_eq!(withdrawn.replay().unwrap().open_requests().count(), 0);
    // A request names the current head.
    let mut stale = proposed();
    stale.push(
        EventKind::ChangesRequested,
        BOB,
        serde_json::json!({"text": "x", "head": hex('f')}),
    );
    assert!(stale.replay().is_err());
}

/// Two branches after a shared chain: each event gets a distinct commit id.
struct Fork {
    events: Vec<ChainEvent>,
    next: u8,
}

impl Fork {
    fn from(c: &Chain) -> Fork {
        Fork {
            events: c.events.clone(),
            next: 100,
        }
    }

    fn push(
        &mut self,
        parents: &[ObjectId],
        kind: EventKind,
        actor: &str,
        details: serde_json::Value,
    ) -> ObjectId {
        self.next += 1;
        let commit = super::super::tests::oid(self.next);
        let seq = parents
            .iter()
            .map(|p| {
                self.events
                    .iter()
                    .find(|e| e.commit == *p)
                    .unwrap()
                    .event
                    .seq
            })
            .max()
            .unwrap_or(0)
            + 1;
        self.events.push(ChainEvent {
            event: Event {
                format: EVENT_FORMAT,
                event: kind,
                id: "u1".into(),
                actor: actor.into(),
                seq,
                details: details.as_object().cloned().unwrap_or_default(),
            },
            commit,
            parents: parents.to_vec(),
            time: 2000 + self.next as i64,
            author: actor.into(),
        });
        commit
    }

    fn replay(&self, tip: ObjectId) -> History {
        replay("u1", tip, &self.events).unwrap()
    }

    /// Merge two tips as `pull` does, and replay the merge commit.
    fn merge(&mut self, a: ObjectId, b: ObjectId) -> (History, History) {
        let (ha, hb) = (self.replay(a), self.replay(b));
        let (merged, _) = merge_histories(&ha, &hb).unwrap();
        let (m2, _) = merge_histories(&hb, &ha).unwrap();
        assert_eq!(
            merged.head, m2.head,
            "the merge does not depend on the side"
        );
        assert_eq!(merged.state, m2.state);
        let mut parents = [a, b];
        parents.sort();
        let tip = self.push(
            &parents,
            EventKind::Merged,
            MERGE_ACTOR,
            serde_json::json!({"state": merged.state.as_str()}),
        );
        (merged, self.replay(tip))
    }
}

#[test]
fn concurrent_revisions_are_both_kept_and_the_newest_is_current() {
    let c = proposed();
    let root = c.tip();
    let mut f = Fork::from(&c);
    let a = f.push(
        &[root],
        EventKind::Revised,
        ALICE,
        serde_json::json!({"from_head": hex('b'), "head": hex('c'), "base": hex('a')}),
    );
    let b = f.push(
        &[root],
        EventKind::Revised,
        ALICE,
        serde_json::json!({"from_head": hex('b'), "head": hex('d'), "base": hex('a')}),
    );
    let b2 = f.push(
        &[b],
        EventKind::Commented,
        BOB,
        serde_json::json!({"text": "on d", "head": hex('d'), "file": "x", "line": 1}),
    );
    let a2 = f.push(
        &[a],
        EventKind::Commented,
        CAROL,
        serde_json::json!({"text": "on c", "head": hex('c')}),
    );
    let (merged, replayed) = f.merge(a2, b2);
    let heads: Vec<&str> = replayed.revisions.iter().map(|r| r.head.as_str()).collect();
    // Same clock: the later event (b) comes last and is current.
    assert_eq!(heads, [hex('b'), hex('c'), hex('d')]);
    assert_eq!(replayed.head, hex('d'));
    assert_eq!(merged.head, replayed.head);
    assert_eq!(replayed.comments.len(), 2);
    assert_eq!(replayed.state, State::Proposed);
}

#[test]
fn outcomes_follow_precedence_and_approvals_are_the_union() {
    let c = proposed();
    let root = c.tip();
    let mut f = Fork::from(&c);
    let approved = f.push(
        &[root],
        EventKind::Approved,
        BOB,
        serde_json::json!({"head": hex('b'), "target": "main", "approvals": 1, "required": 2}),
    );
    let other = f.push(
        &[root],
        EventKind::Approved,
        CAROL,
        serde_json::json!({"head": hex('b'), "target": "main", "approvals": 1, "required": 2}),
    );
    let (_, h) = f.merge(approved, other);
    assert_eq!(h.approvals.len(), 2);
    let rejected = f.push(&[root], EventKind::Rejected, CAROL, serde_json::json!({}));
    let (_, h) = f.merge(approved, rejected);
    assert_eq!(
        h.state,
        State::Rejected,
        "a reject beats an approval that did not land"
    );
    assert_eq!(h.approvals.len(), 1, "and keeps it");
    // A change request and a concurrent approval by its requester: still open.
    let request = f.push(
        &[root],
        EventKind::ChangesRequested,
        BOB,
        serde_json::json!({"text": "no", "head": hex('b')}),
    );
    let (_, h) = f.merge(approved, request);
    assert_eq!(h.open_requests().count(), 1);
}

impl Chain {
    fn clone_chain(&self) -> Chain {
        Chain {
            events: self.events.clone(),
        }
    }
}
