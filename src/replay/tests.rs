//! Replay: valid chains are accepted, and mutated ones (the fields a forger
//! controls) are never accepted as something a valid history could not be.

use super::*;
use crate::record::EVENT_FORMAT;

const ID: &str = "u1";

pub(super) fn hex(c: char) -> String {
    std::iter::repeat_n(c, 40).collect()
}

pub(super) fn oid(n: u8) -> ObjectId {
    ObjectId::from_bytes_or_panic(&[n; 20])
}

/// A linear chain builder with actors as commit authors.
pub(super) struct Chain {
    pub(super) events: Vec<ChainEvent>,
}

impl Chain {
    pub(super) fn new() -> Chain {
        Chain { events: Vec::new() }
    }

    pub(super) fn push(
        &mut self,
        kind: EventKind,
        actor: &str,
        details: serde_json::Value,
    ) -> ObjectId {
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

    pub(super) fn tip(&self) -> ObjectId {
        self.events.last().unwrap().commit
    }

    pub(super) fn replay(&self) -> Result<History> {
        replay(ID, self.tip(), &self.events)
    }
}

pub(super) const ALICE: &str = "Alice <alice@example.com>";
pub(super) const BOB: &str = "Bob <bob@example.com>";

pub(super) fn proposed() -> Chain {
    let mut c = Chain::new();
    c.push(
        EventKind::Proposed,
        ALICE,
        serde_json::json!({"target": "main", "base": hex('a'), "head": hex('b')}),
    );
    c
}

pub(super) fn approve(c: &mut Chain, by: &str, n: u64, required: u64) {
    c.push(
        EventKind::Approved,
        by,
        serde_json::json!({"head": hex('b'), "target": "main", "approvals": n, "required": required}),
    );
}

pub(super) fn land(c: &mut Chain) {
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

mod properties {
    //! Generated chains: every valid lifecycle replays to the state its
    //! writer reached; every mutation of one (the fields a forger controls,
    //! including tests, landings and approvals) is either refused or still
    //! something a valid history could produce.

    use super::*;
    use proptest::prelude::*;

    /// One step a writer may take, chosen by index among those allowed.
    #[derive(Debug, Clone, Copy)]
    enum Op {
        Test(bool),
        Approve(bool),
        Reject,
        Expire,
        Apply,
        Fail,
        Urgent,
        Rebase(bool),
        Revise(bool),
        Comment,
        Request,
        Withdraw,
        Rollback,
    }

    const PEOPLE: [&str; 3] = [BOB, "Carol <carol@example.com>", POLICY_ACTOR];

    fn allowed(state: State) -> Vec<Op> {
        use Op::*;
        match state {
            State::Proposed => vec![
                Test(true),
                Test(false),
                Approve(false),
                Approve(true),
                Reject,
                Expire,
                Urgent,
                Rebase(true),
                Rebase(false),
                Revise(true),
                Revise(false),
                Comment,
                Request,
                Withdraw,
            ],
            State::Approved => vec![
                Test(true),
                Approve(true),
                Reject,
                Apply,
                Fail,
                Rebase(true),
                Rebase(false),
                Revise(true),
                Revise(false),
                Comment,
                Request,
                Withdraw,
            ],
            State::Applied => vec![Rollback, Comment],
            _ => vec![Comment],
        }
    }

    /// Build a valid chain from choices; returns it with the state it reached.
    fn valid_chain(choices: &[(u8, u8)]) -> (Chain, State) {
        let mut c = proposed();
        let (mut state, mut head, mut base, mut next_head) =
            (State::Proposed, hex('b'), hex('a'), 1u64);
        let mut landing: Option<(String, String)> = None;
        let mut requesters: Vec<&str> = Vec::new();
        for (pick, who) in choices {
            let ops = allowed(state);
            if ops.is_empty() {
                break;
            }
            let mut op = ops[*pick as usize % ops.len()];
            let who = PEOPLE[*who as usize % PEOPLE.len()];
            if matches!(op, Op::Withdraw) && !requesters.contains(&who) {
                op = Op::Comment;
            }
            if matches!(op, Op::Request) && who == POLICY_ACTOR {
                op = Op::Comment;
            }
            if matches!(op, Op::Approve(_) | Op::Withdraw) {
                requesters.retain(|r| *r != who);
            }
            let (kind, actor, details, next) = match op {
                Op::Test(pass) => (
                    EventKind::Tested,
                    ALICE,
                    serde_json::json!({"status": if pass {"passed"} else {"failed"}, "commit": head}),
                    state,
                ),
                Op::Approve(complete) => {
                    let d = if who == POLICY_ACTOR {
                        serde_json::json!({"head": head, "target": "main", "rule": "auto_approve"})
                    } else {
                        serde_json::json!({"head": head, "target": "main",
                            "approvals": if complete {1} else {0}, "required": 1})
                    };
                    let to = if complete || who == POLICY_ACTOR {
                        State::Approved
                    } else {
                        state
                    };
                    (EventKind::Approved, who, d, to)
                }
                Op::Reject => (
                    EventKind::Rejected,
                    BOB,
                    serde_json::json!({}),
                    State::Rejected,
                ),
                Op::Expire => (
                    EventKind::Expired,
                    POLICY_ACTOR,
                    serde_json::json!({}),
                    State::Expired,
                ),
                Op::Fail => (
                    EventKind::Failed,
                    BOB,
                    serde_json::json!({"commit": head}),
                    State::Failed,
                ),
                Op::Apply | Op::Urgent => {
                    landing = Some((base.clone(), head.clone()));
                    (
                        EventKind::Applied,
                        BOB,
                        serde_json::json!({"target": "main", "previous_target": base,
                            "new_target": head, "urgent": matches!(op, Op::Urgent)}),
                        State::Applied,
                    )
                }
                Op::Rollback => {
                    let (prev, new) = landing.clone().expect("applied");
                    (
                        EventKind::RolledBack,
                        BOB,
                        serde_json::json!({"target": "main", "from": new, "to": prev}),
                        State::RolledBack,
                    )
                }
                Op::Rebase(kept) => {
                    let to = format!("{next_head:040x}");
                    let onto = format!("{:040x}", next_head + 1);
                    next_head += 2;
                    let d = serde_json::json!({"from_head": head, "to_head": to, "onto": onto,
                        "approvals_kept": kept});
                    let next = if kept && state == State::Approved {
                        State::Approved
                    } else {
                        State::Proposed
                    };
                    head = to;
                    base = onto;
                    (EventKind::Rebased, ALICE, d, next)
                }
                Op::Revise(kept) => {
                    let to = format!("{next_head:040x}");
                    next_head += 1;
                    let d = serde_json::json!({"from_head": head, "head": to, "base": base,
                        "approvals_kept": kept, "note": "better"});
                    let next = if kept && state == State::Approved {
                        State::Approved
                    } else {
                        State::Proposed
                    };
                    head = to;
                    (EventKind::Revised, ALICE, d, next)
                }
                Op::Comment => (
                    EventKind::Commented,
                    who,
                    serde_json::json!({"text": "why?", "head": head, "file": "a.txt", "line": 1}),
                    state,
                ),
                Op::Request => {
                    requesters.push(who);
                    (
                        EventKind::ChangesRequested,
                        who,
                        serde_json::json!({"text": "please fix", "head": head}),
                        state,
                    )
                }
                Op::Withdraw => (
                    EventKind::ChangesWithdrawn,
                    who,
                    serde_json::json!({}),
                    state,
                ),
            };
            c.push(kind, actor, details);
            state = next;
        }
        (c, state)
    }

    /// What must hold of anything replay accepts, whatever the input.
    fn sound(c: &Chain, h: &History) {
        for a in &h.approvals {
            let e = c
                .events
                .iter()
                .find(|e| e.commit == a.commit)
                .expect("its event");
            assert_eq!(e.event.event, EventKind::Approved);
            assert!(
                a.by == POLICY_ACTOR || a.by == e.author,
                "approval not by its author"
            );
        }
        if h.state == State::Applied || h.state == State::RolledBack {
            let l = h.landing.as_ref().expect("a landing");
            let landed_head_approved = h.approvals.iter().any(|a| a.head == l.new_target);
            assert!(
                l.urgent.is_some() || landed_head_approved,
                "landed without approval: {h:?}"
            );
        }
        if h.state == State::Applied {
            assert_eq!(h.landing.as_ref().unwrap().new_target, h.head);
        }
        // Only the proposer revises; requests are cleared only by their requester.
        for r in h.revisions.iter().skip(1) {
            if r.kind == RevisionKind::Updated {
                assert_eq!(r.by, h.proposer, "a revision by someone else");
            }
        }
        for r in &h.change_requests {
            if let Some(by) = r.cleared_by {
                let e = c.events.iter().find(|e| e.commit == by).expect("its event");
                assert!(matches!(
                    e.event.event,
                    EventKind::Approved | EventKind::ChangesWithdrawn
                ));
                assert_eq!(e.author, r.by, "cleared by someone else");
            }
        }
        for cm in &h.comments {
            assert!(
                h.revision_of(&cm.head).is_some(),
                "a comment on no revision"
            );
        }
        // Every prefix replays too, and each step is a transition the
        // state machine allows with some facts.
        let mut previous: Option<State> = None;
        for n in 1..=c.events.len() {
            let Ok(p) = replay(ID, c.events[n - 1].commit, &c.events[..n]) else {
                panic!("an accepted chain with a refused prefix");
            };
            let kind = c.events[n - 1].event.event;
            let ok = [false, true].iter().any(|&a| {
                [false, true].iter().any(|&u| {
                    let facts = Facts {
                        approvals_complete: a,
                        urgent: u,
                    };
                    kind == EventKind::Proposed
                        || machine::next_state(previous, kind, facts) == Ok(p.state)
                })
            });
            assert!(ok, "{previous:?} + {kind:?} -> {:?}", p.state);
            previous = Some(p.state);
        }
    }

    fn mutate(c: &mut Chain, at: usize, how: u8, value: u8) {
        let n = at % c.events.len();
        let kinds = [
            EventKind::Proposed,
            EventKind::Tested,
            EventKind::Approved,
            EventKind::Rejected,
            EventKind::Applied,
            EventKind::Failed,
            EventKind::Expired,
            EventKind::RolledBack,
            EventKind::Rebased,
            EventKind::Revised,
            EventKind::Commented,
            EventKind::CommentResolved,
            EventKind::ChangesRequested,
            EventKind::ChangesWithdrawn,
        ];
        let keys = [
            "head",
            "new_target",
            "previous_target",
            "commit",
            "to_head",
            "from_head",
            "target",
            "base",
            "reply_to",
            "comment",
        ];
        let len = c.events.len();
        if how % 9 == 7 && n > 0 {
            // Delete this event: the next one points at the one before.
            let removed = c.events.remove(n);
            if let Some(next) = c.events.get_mut(n) {
                next.parents = removed.parents.clone();
            }
            return;
        }
        if how % 9 == 8 && n + 1 < len && n > 0 {
            // Swap two events and renumber, as a careful forger would.
            let (a, b) = (c.events[n].clone(), c.events[n + 1].clone());
            c.events[n].event = b.event.clone();
            c.events[n].author = b.author.clone();
            c.events[n + 1].event = a.event.clone();
            c.events[n + 1].author = a.author.clone();
            c.events[n].event.seq = a.event.seq;
            c.events[n + 1].event.seq = b.event.seq;
            return;
        }
        let e = &mut c.events[n];
        match how % 9 {
            0 => e.event.event = kinds[value as usize % kinds.len()],
            1 => e.event.seq = e.event.seq.wrapping_add(1 + value as u64 % 3),
            2 => e.author = PEOPLE[value as usize % 2].into(),
            3 => e.event.actor = PEOPLE[value as usize % PEOPLE.len()].into(),
            4 => {
                let key = keys[value as usize % keys.len()];
                let v = if key == "target" {
                    "release".to_string()
                } else {
                    hex('f')
                };
                e.event.details.insert(key.into(), v.into());
            }
            5 => {
                let key = keys[value as usize % keys.len()];
                e.event.details.remove(key);
            }
            6 => {
                e.event.details.insert("urgent".into(), true.into());
                e.event.details.insert("approvals".into(), 9.into());
                e.event.details.insert("rule".into(), "auto_approve".into());
            }
            _ => e.event.id = "other".into(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn valid_chains_replay_to_their_writers_state(choices in prop::collection::vec((0u8..16, 0u8..3), 0..12)) {
            let (c, state) = valid_chain(&choices);
            let h = c.replay().expect("a valid chain replays");
            prop_assert_eq!(h.state, state);
            sound(&c, &h);
        }

        #[test]
        fn mutated_chains_are_refused_or_still_sound(
            choices in prop::collection::vec((0u8..16, 0u8..3), 0..12),
            mutations in prop::collection::vec((0usize..16, 0u8..9, 0u8..8), 1..3),
        ) {
            let (mut c, _) = valid_chain(&choices);
            for (at, how, value) in mutations {
                mutate(&mut c, at, how, value);
            }
            if c.events.is_empty() {
                return Ok(());
            }
            if let Ok(h) = c.replay() {
                sound(&c, &h);
            }
        }
    }
}
