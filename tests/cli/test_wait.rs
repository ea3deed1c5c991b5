//! `wait`: an agent learns its proposal's fate without polling.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::forge::hub;
use crate::common::{TestEnv, PASSING};

fn spawn(env: &TestEnv, dir: &std::path::Path, args: &[&str]) -> Child {
    env.cmd(dir, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait for the child at most `limit` (a hung wait fails the test, never hangs it).
fn finish(mut child: Child, limit: Duration) -> (i32, serde_json::Value, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
            let code = status
                .code()
                .unwrap_or_else(|| panic!("killed: {status:?}"));
            return (
                code,
                json,
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("wait did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn wait_ends_when_another_process_decides() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let a = env.propose(&repo, "a", "A", &[]);
    let waiting = spawn(&env, &repo, &["wait", &a, "--json", "--timeout", "2m"]);
    std::thread::sleep(Duration::from_millis(300));
    env.run_as("Bob", &repo, &["approve", &a]).ok();
    let (code, j, err) = finish(waiting, Duration::from_secs(60));
    assert_eq!(code, 0, "{err}");
    assert_eq!(j["state"], "applied");
    assert_eq!(j["wait"], "reached");

    // A rejection: exit 5.
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    let b = env.propose(&repo, "b", "B", &["--no-test"]);
    let waiting = spawn(&env, &repo, &["wait", &b]);
    std::thread::sleep(Duration::from_millis(300));
    // The repository is repacked meanwhile: the wait reads through it.
    env.git(&repo, &["gc", "-q", "--prune=now"]);
    env.run_as("Bob", &repo, &["reject", &b, "-m", "no"]).ok();
    let (code, _, err) = finish(waiting, Duration::from_secs(60));
    assert_eq!(code, 5, "{err}");

    // --until approved ends at the approval.
    env.branch_commit(&repo, "c", "main", "c.txt", "c\n");
    let c = env.propose(&repo, "c", "C", &["--no-test"]);
    let waiting = spawn(&env, &repo, &["wait", &c, "--until", "approved", "--json"]);
    std::thread::sleep(Duration::from_millis(300));
    env.run_as("Bob", &repo, &["approve", &c, "--no-apply"])
        .ok();
    let (code, j, err) = finish(waiting, Duration::from_secs(60));
    assert_eq!(code, 0, "{err}");
    assert_eq!(j["state"], "approved");
}

#[test]
fn wait_times_out_stops_on_signals_and_refuses_bad_input() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let a = env.propose(&repo, "a", "A", &["--no-test"]);
    let run = env.run(&repo, &["wait", &a, "--timeout", "1s", "--json"]);
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert_eq!(run.json()["wait"], "timed-out");
    assert_eq!(run.json()["state"], "proposed");

    let run = env.run(&repo, &["wait", &a, "--timeout", "0"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--timeout 0"), "{}", run.stderr);
    let run = env.run(&repo, &["wait", &a, "--timeout", "soon"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = env.run(&repo, &["wait", "deadbeef"]);
    assert_eq!(run.code, 6, "{}", run.stderr);

    // SIGTERM ends it cleanly, with the upgrade as last seen.
    let waiting = spawn(&env, &repo, &["wait", &a, "--json"]);
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: signalling our own child.
    unsafe { libc::kill(waiting.id() as i32, libc::SIGTERM) };
    let (code, j, err) = finish(waiting, Duration::from_secs(30));
    assert_eq!(code, 130, "{err}");
    assert_eq!(j["wait"], "interrupted");
}

#[test]
fn wait_follows_a_remote_that_another_clone_pushes_to() {
    let env = TestEnv::new();
    let (_hub_dir, c) = hub(&env, PASSING, 2);
    env.branch_commit(&c[0], "a", "main", "a.txt", "a\n");
    let a = env.propose(&c[0], "a", "A", &[]);
    env.run(&c[0], &["push"]).ok();
    let waiting = spawn(&env, &c[0], &["wait", &a, "--remote", "origin", "--json"]);
    env.run_as("Bob", &c[1], &["pull"]).ok();
    env.run_as("Bob", &c[1], &["approve", &a]).ok();
    env.run_as("Bob", &c[1], &["push"]).ok();
    let (code, j, err) = finish(waiting, Duration::from_secs(90));
    assert_eq!(code, 0, "{err}");
    assert_eq!(j["state"], "applied");
    // The waiting clone now holds the landing too.
    assert_eq!(
        env.git(&c[0], &["rev-parse", "main"]),
        env.git(&c[1], &["rev-parse", "main"])
    );
}
