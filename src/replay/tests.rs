//! Replay: valid chains are accepted, and mutated ones (the fields a forger
//! controls) are never accepted as something a valid history could not be.

use super::*;
use crate::record::EVENT_FORMAT;

const ID: &str = "u1";

fn hex(c: char) -> String {
    std::iter::repeat_n(c, 40).collect()
}

fn oid(n: u8) -> ObjectId {
    ObjectId::from_bytes_or_panic(&[n; 20])
}

/// A linear chain builder with actors as commit authors.
struct Chain {
    events: Vec<ChainEvent>,
}

impl Chain {
    fn new() -> Chain {
        Chain { events: Vec::new() }
    }

    fn push(&mut self, kind: EventKind, actor: &str, details: serde_json::Value) -> ObjectId {
        let n = self.events.len() as u8 + 1;
        let parents: Vec<ObjectId> = self.events.last().map(|e| e.commit).into_iter().collect();
        let commit = oid(n);
        self.events.push(ChainEvent {
            event: Event {
                format: EVENT_FORMAT,
                event: kind,
                id: ID.into(),
                actor: actor.into(),
                seq: n as u64,
                details: details.as_object().cloned().unwrap_or_default(),
            },
            commit,
            parents,
            time: 1000 + n as i64,
            author: actor.into(),
        });
        commit
    }

    fn tip(&self) -> ObjectId {
        self.events.last().unwrap().commit
    }

    fn replay(&self) -> Result<History> {
        replay(ID, self.tip(), &self.events)
    }
}

const ALICE: &str = "Alice <alice@example.com>";
const BOB: &str = "Bob <bob@example.com>";

fn proposed() -> Chain {
    let mut c = Chain::new();
    c.push(
        EventKind::Proposed,
        ALICE,
        serde_json::json!({"target": "main", "base": hex('a'), "head": hex('b')}),
    );
    c
}

fn approve(c: &mut Chain, by: &str, n: u64, required: u64) {
    c.push(
        EventKind::Approved,
        by,
        serde_json::json!({"head": hex('b'), "target": "main", "approvals": n, "required": required}),
    );
}

fn land(c: &mut Chain) {
    c.push(
        EventKind::Applied,
        BOB,
        serde_json::json!({"target": "main", "previous_target": hex('a'), "new_target": hex('b')}),
    );
}

#[test]
fn a_valid_lifecycle_replays() {
    let mut c = proposed();
    c.push(
        EventKind::Tested,
        ALICE,
        serde_json::json!({"status": "passed", "commit": hex('b')}),
    );
    approve(&mut c, BOB, 1, 1);
    land(&mut c);
    let h = c.replay().unwrap();
    assert_eq!(h.state, State::Applied);
    assert_eq!(h.proposer, ALICE);
    assert_eq!(h.approvals.len(), 1);
    assert_eq!(h.approvals[0].by, BOB);
    assert!(h.landing.is_some());
    assert_eq!(h.latest_test().unwrap().status, "passed");
}

#[test]
fn forged_chains_are_refused() {
    // Landing without approval.
    let mut c = proposed();
    land(&mut c);
    assert!(c.replay().is_err());
    // An approval whose actor is not the commit's author.
    let mut c = proposed();
    approve(&mut c, BOB, 1, 1);
    c.events[1].author = ALICE.into();
    assert!(c.replay().is_err());
    // An approval of another head.
    let mut c = proposed();
    c.push(
        EventKind::Approved,
        BOB,
        serde_json::json!({"head": hex('c'), "approvals": 1, "required": 1}),
    );
    assert!(c.replay().is_err());
    // An approval for another target.
    let mut c = proposed();
    c.push(
        EventKind::Approved,
        BOB,
        serde_json::json!({"head": hex('b'), "target": "release", "approvals": 1, "required": 1}),
    );
    assert!(c.replay().is_err());
    // A rule approval by a person.
    let mut c = proposed();
    c.push(
        EventKind::Approved,
        BOB,
        serde_json::json!({"head": hex('b'), "rule": "auto_approve"}),
    );
    assert!(c.replay().is_err());
    // A deleted event (clock gap).
    let mut c = proposed();
    c.push(
        EventKind::Tested,
        ALICE,
        serde_json::json!({"status": "passed", "commit": hex('b')}),
    );
    approve(&mut c, BOB, 1, 1);
    c.events.remove(1);
    c.events[1].parents = vec![c.events[0].commit];
    assert!(c.replay().is_err());
    // A landing of another commit than the head.
    let mut c = proposed();
    approve(&mut c, BOB, 1, 1);
    c.push(
        EventKind::Applied,
        BOB,
        serde_json::json!({"previous_target": hex('a'), "new_target": hex('c')}),
    );
    assert!(c.replay().is_err());
    // Events of another upgrade.
    let mut c = proposed();
    approve(&mut c, BOB, 1, 1);
    c.events[1].event.id = "other".into();
    assert!(c.replay().is_err());
    // A second proposal in the middle.
    let mut c = proposed();
    c.push(
        EventKind::Proposed,
        ALICE,
        serde_json::json!({"target": "main", "base": hex('a'), "head": hex('b')}),
    );
    assert!(c.replay().is_err());
    // A missing parent.
    let mut c = proposed();
    approve(&mut c, BOB, 1, 1);
    c.events.remove(0);
    assert!(c.replay().is_err());
}

#[test]
fn records_that_disagree_with_the_chain_are_refused() {
    let mut c = proposed();
    approve(&mut c, BOB, 1, 2);
    let h = c.replay().unwrap();
    let mut r = crate::record::tests::sample();
    r.id = ID.into();
    r.target = "main".into();
    r.base = hex('a');
    r.head = hex('b');
    r.proposed_by = ALICE.into();
    r.seq = 2;
    r.approvals.push(crate::record::Approval {
        by: BOB.into(),
        at: String::new(),
        head: hex('b'),
        comment: None,
        carried_from: None,
    });
    check_record(&r, &h).unwrap();
    type Mutation = Box<dyn Fn(&mut Record)>;
    let mutations: Vec<Mutation> = vec![
        Box::new(|r| r.state = State::Approved),
        Box::new(|r| r.target = "release".into()),
        Box::new(|r| r.head = hex('c')),
        Box::new(|r| r.proposed_by = BOB.into()),
        Box::new(|r| r.approvals[0].by = POLICY_ACTOR.into()),
        Box::new(|r| {
            let mut extra = r.approvals[0].clone();
            extra.by = "Carol <carol@example.com>".into();
            r.approvals.push(extra)
        }),
        Box::new(|r| r.seq = 3),
    ];
    for m in mutations {
        let mut bad = r.clone();
        m(&mut bad);
        assert!(check_record(&bad, &h).is_err(), "accepted {bad:?}");
    }
}
