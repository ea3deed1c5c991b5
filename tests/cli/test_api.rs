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
