//! The library API, through the example agent: it proposes its own change and
//! waits; a person approves; the agent learns it landed.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::{bin, TestEnv, PASSING};

#[test]
fn the_example_agent_proposes_waits_and_learns_its_change_landed() {
    let agent = bin().parent().unwrap().join("examples/agent");
    if !agent.exists() {
        eprintln!(
            "skipped: {} is not built (cargo test builds examples)",
            agent.display()
        );
        return;
    }
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    let mut cmd = env.cmd(&repo, &[]);
    // The same environment, another program.
    let mut child = std::process::Command::new(&agent);
    child.current_dir(&repo).env_clear();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            child.env(k, v);
        }
    }
    let _ = &mut cmd;
    let mut child = child
        .args([
            repo.to_str().unwrap(),
            "notes.txt",
            "learned something",
            "120",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut id = String::new();
    out.read_line(&mut id).unwrap();
    let id = id.trim().to_string();
    assert!(!id.is_empty(), "the agent printed no id");
    // The proposal is the agent's, not the configured user's.
    let j = env.run(&repo, &["show", &id, "--json"]).json();
    assert_eq!(j["proposed_by"], "Agent <agent@example.com>");
    env.run_as("Bob", &repo, &["approve", &id]).ok();
    let mut state = String::new();
    out.read_line(&mut state).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(state.trim(), "applied");
    assert!(status.success());
    let log = env.git(&repo, &["log", "-1", "--format=%s", "main"]);
    assert!(!log.is_empty());
    assert_eq!(
        std::fs::read_to_string(repo.join("notes.txt"))
            .unwrap_or_default()
            .trim(),
        "learned something"
    );
}

#[test]
fn two_queues_in_one_process_hold_a_review_conversation() {
    use git_upgrades::{Proposal, Queue};
    let env = TestEnv::new();
    // No test command: nothing runs outside the scratch directory.
    let repo = env.repo("r", None);
    let head = env.branch_commit(&repo, "a", "main", "a.txt", "one\n");
    let alice = Queue::open(&repo)
        .unwrap()
        .acting_as("Alice", "alice@example.com");
    let bob = Queue::open(&repo)
        .unwrap()
        .acting_as("Bob", "bob@example.com");
    let mut p = Proposal::revision(&head, "Change a");
    p.run_tests = false;
    let up = alice.propose(&p).unwrap();
    assert_eq!(up.record.proposed_by, "Alice <alice@example.com>");
    let commented = bob
        .comment(&up.id, "why one?", Some("a.txt"), Some(1))
        .unwrap();
    assert_eq!(commented.revision, 1);
    bob.request_changes(&up.id, "say two").unwrap();
    // Only the proposer may revise; Bob's attempt is refused, Alice's counts.
    let two = env.branch_commit(&repo, "a", "a", "a.txt", "two\n");
    assert!(bob.update(&up.id, Some(&two), None).is_err());
    let revised = alice.update(&up.id, Some(&two), Some("two")).unwrap();
    assert_eq!(revised.revision, 2);
    // Bob's request blocks until Bob approves the new revision.
    assert!(matches!(
        bob.approve(&up.id, None).unwrap(),
        git_upgrades::ApproveOutcome::Applied(_)
    ));
    assert_eq!(env.git(&repo, &["rev-parse", "main"]), two);
    let events = alice.events(&up.id).unwrap();
    assert!(events.len() >= 5, "{}", events.len());
}
