//! Enforcement on the hub: `init --hub` installs a pre-receive hook that
//! makes the queue the only way onto a protected branch.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use crate::common::forge::{self, free_port, has_ssh_keygen, hub, keygen, Daemon, Forgery};
use crate::common::{TestEnv, PASSING};

fn hub_with_hook(env: &TestEnv, policy: &str, n: usize) -> (PathBuf, Vec<PathBuf>) {
    let (hub_dir, clones) = hub(env, policy, n);
    let run = env.run(&hub_dir, &["init", "--hub"]);
    run.ok();
    assert!(run.stdout.contains("pre-receive"), "{}", run.stdout);
    // Idempotent.
    env.run(&hub_dir, &["init", "--hub"]).ok();
    (hub_dir, clones)
}

fn change(env: &TestEnv, dir: &Path, branch: &str, file: &str) {
    env.git(dir, &["checkout", "-q", "-B", branch, "main"]);
    std::fs::write(dir.join(file), format!("{file}\n")).unwrap();
    env.git(dir, &["add", "-A"]);
    env.git(dir, &["commit", "-q", "-m", &format!("change {file}")]);
    env.git(dir, &["checkout", "-q", "main"]);
}

fn hub_refs(env: &TestEnv, hub: &Path) -> String {
    env.refs(hub)
}

/// An approved landing pushed with `git upgrades push` reaches the hub's
/// main and verifies there; a direct push of an unproposed commit is
/// refused, the hub unchanged. (A push that only proposes is accepted.)
fn lands_through_the_queue_only(env: &TestEnv, hub_dir: &Path, c: &[PathBuf]) {
    // A push that only proposes is accepted.
    change(env, &c[0], "fix", "fix.txt");
    let id = env.propose(&c[0], "fix", "Fix", &[]);
    env.run(&c[0], &["push"]).ok();
    // An approved, tested landing pushed atomically with its events lands.
    env.run_as("Bob", &c[1], &["pull"]).ok();
    env.run_as("Bob", &c[1], &["approve", &id]).ok();
    env.run_as("Bob", &c[1], &["push"]).ok();
    assert_eq!(
        env.git(hub_dir, &["rev-parse", "main"]),
        env.git(&c[1], &["rev-parse", "main"])
    );
    env.run(hub_dir, &["verify"]).ok();

    // A direct push of an unproposed commit is refused, the hub unchanged.
    env.git(&c[1], &["merge", "-q", "--ff-only", "origin/main"]);
    env.commit_on_main(&c[1], &[("direct.txt", "x\n")], "around the queue");
    let before = hub_refs(env, hub_dir);
    let run = env.git_run(&c[1], &["push", "origin", "main"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("remote: git-upgrades: refused refs/heads/main")
            && run.stderr.contains("not landed through the queue"),
        "{}",
        run.stderr
    );
    assert_eq!(hub_refs(env, hub_dir), before);
}

#[test]
fn only_landings_through_the_queue_reach_a_protected_branch() {
    let env = TestEnv::new();
    let (hub_dir, c) = hub_with_hook(&env, PASSING, 2);

    lands_through_the_queue_only(&env, &hub_dir, &c);

    // A push that only rejects is accepted.
    change(&env, &c[0], "other", "other.txt");
    env.run(&c[0], &["pull"]).ok();
    let other = env.propose(&c[0], "other", "Other", &["--no-test"]);
    env.run(&c[0], &["push"]).ok();
    env.run_as("Bob", &c[1], &["pull"]).ok();
    env.run_as("Bob", &c[1], &["reject", &other]).ok();
    env.run_as("Bob", &c[1], &["push"]).ok();
    env.fsck(&hub_dir);
}

#[test]
fn an_amended_landing_and_rewritten_logs_are_refused() {
    let env = TestEnv::new();
    let (hub_dir, c) = hub_with_hook(&env, PASSING, 2);
    change(&env, &c[0], "fix", "fix.txt");
    let id = env.propose(&c[0], "fix", "Fix", &[]);
    env.run(&c[0], &["push"]).ok();
    env.run_as("Bob", &c[1], &["pull"]).ok();
    env.run_as("Bob", &c[1], &["approve", &id]).ok();
    // Amended after approval: main is no longer the approved head.
    env.git(
        &c[1],
        &["commit", "-q", "--amend", "-m", "amended after approval"],
    );
    let before = hub_refs(&env, &hub_dir);
    let notes = format!("refs/notes/upgrades/{id}");
    let run = env.git_run(
        &c[1],
        &[
            "push",
            "--atomic",
            "origin",
            "main",
            &format!("{notes}:{notes}"),
        ],
    );
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("refs/heads/main"), "{}", run.stderr);
    assert_eq!(hub_refs(&env, &hub_dir), before);

    // A rewritten (not descending) event log is refused.
    let f = Forgery {
        env: &env,
        dir: &c[0],
        id: &id,
    };
    let t = forge::tip(&env, &c[0], &id);
    let rec = forge::record(&env, &c[0], &id);
    let root = env.git(&c[0], &["rev-list", "--max-parents=0", &t]);
    let event = serde_json::json!({"format": 1, "event": "upgrade.rejected", "id": id,
        "actor": "Alice <alice@example.com>", "seq": 2, "details": {}});
    let mut rejected = rec.clone();
    rejected["state"] = "rejected".into();
    rejected["seq"] = 2.into();
    rejected["tests"] = serde_json::Value::Null;
    let forged = f.event(&[&root], "Alice <alice@example.com>", event, &rejected);
    env.git(&c[0], &["update-ref", &notes, &forged]);
    let run = env.git_run(
        &c[0],
        &["push", "-f", "origin", &format!("{notes}:{notes}")],
    );
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("append-only") || run.stderr.contains("descend"),
        "{}",
        run.stderr
    );
    // And deleting it is refused.
    let run = env.git_run(&c[0], &["push", "origin", &format!(":{notes}")]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("append-only"), "{}", run.stderr);
    assert_eq!(hub_refs(&env, &hub_dir), before);
    // Bad input to the hook itself: one clear line, no panic.
    let mut cmd = env.cmd(&hub_dir, &["hook", "pre-receive"]);
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"garbage line\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("malformed pre-receive input on line 1"),
        "{err}"
    );
}

#[test]
fn forged_approvals_are_refused_when_signatures_are_required() {
    if !has_ssh_keygen() {
        eprintln!("ssh-keygen not available; skipping");
        return;
    }
    let env = TestEnv::new();
    let (_, bob_pub) = keygen(&env, "bob");
    let seed_policy = format!(
        "{PASSING}\n[policy]\nrequire_signed_approvals = true\nallowed_signers = \"signers\"\n"
    );
    let (hub_dir, c) = hub(&env, &seed_policy, 2);
    env.commit_on_main(
        &c[0],
        &[("signers", &format!("bob@example.com {bob_pub}\n"))],
        "signers",
    );
    env.git(&c[0], &["push", "-q", "origin", "main"]);
    env.run(&hub_dir, &["init", "--hub"]).ok();
    change(&env, &c[0], "fix", "fix.txt");
    let id = env.propose(&c[0], "fix", "Fix", &["--no-test"]);
    env.run(&c[0], &["push"]).ok();
    let before = hub_refs(&env, &hub_dir);
    let f = Forgery {
        env: &env,
        dir: &c[0],
        id: &id,
    };
    let head = forge::record(&env, &c[0], &id)["head"]
        .as_str()
        .unwrap()
        .to_string();
    f.append(
        "Bob <bob@example.com>",
        "upgrade.approved",
        serde_json::json!({"head": head, "target": "main", "approvals": 1, "required": 1}),
        |r| {
            r["state"] = "approved".into();
            r["approvals"] = serde_json::json!([{"by": "Bob <bob@example.com>", "at": "2026-01-01T00:00:00Z", "head": head}]);
        },
    );
    let notes = format!("refs/notes/upgrades/{id}");
    let run = env.git_run(&c[0], &["push", "origin", &format!("{notes}:{notes}")]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("must be signed"), "{}", run.stderr);
    assert_eq!(hub_refs(&env, &hub_dir), before);
}

#[test]
fn the_hook_guards_a_hub_served_by_git_daemon() {
    let env = TestEnv::new();
    let (hub_dir, _) = hub_with_hook(&env, PASSING, 0);
    let root = hub_dir.parent().unwrap().to_path_buf();
    let port = free_port();
    let child = env
        .git_cmd(
            &root,
            &[
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--enable=receive-pack",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &format!("--base-path={}", root.display()),
                root.to_str().unwrap(),
            ],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .expect("git daemon");
    let _daemon = Daemon(child);
    let url = format!("git://127.0.0.1:{port}/hub.git");
    let dir = env.path().join("net");
    let mut cloned = false;
    for _ in 0..100 {
        if env
            .git_run(env.path(), &["clone", "-q", &url, dir.to_str().unwrap()])
            .code
            == 0
        {
            cloned = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(cloned, "git daemon did not come up");
    let before = hub_refs(&env, &hub_dir);
    env.commit_on_main(&dir, &[("direct.txt", "x\n")], "around the queue");
    let run = env.git_run(&dir, &["push", "origin", "main"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("not landed through the queue"),
        "{}",
        run.stderr
    );
    assert_eq!(hub_refs(&env, &hub_dir), before);
    // Through the queue it lands.
    env.git(&dir, &["reset", "-q", "--hard", "origin/main"]);
    change(&env, &dir, "fix", "fix.txt");
    let id = env.propose(&dir, "fix", "Fix", &[]);
    env.run_as("Bob", &dir, &["approve", &id]).ok();
    env.run_as("Bob", &dir, &["push"]).ok();
    assert_eq!(
        env.git(&hub_dir, &["rev-parse", "main"]),
        env.git(&dir, &["rev-parse", "main"])
    );
}

#[test]
fn a_hub_that_runs_the_tests_refuses_a_forged_pass() {
    let env = TestEnv::new();
    let policy = "[test]\ncommand = \"test ! -f broken.txt\"\n[policy]\nhub_runs_tests = true\n";
    let (hub_dir, c) = hub_with_hook(&env, policy, 1);
    let main = env.git(&c[0], &["rev-parse", "main"]);
    change(&env, &c[0], "bad", "broken.txt");
    let id = env.propose(&c[0], "bad", "Breaks the tests", &["--no-test"]);
    env.run(&c[0], &["push"]).ok();
    // The client's claims: tests passed, Bob approved, it landed.
    let f = Forgery {
        env: &env,
        dir: &c[0],
        id: &id,
    };
    let head = forge::record(&env, &c[0], &id)["head"]
        .as_str()
        .unwrap()
        .to_string();
    f.append(
        "Alice <alice@example.com>",
        "upgrade.tested",
        serde_json::json!({"status": "passed", "commit": head}),
        |r| {
            r["tests"] = serde_json::json!({"status": "passed", "passed": true, "exit_code": 0,
                "duration_ms": 1, "command": "x", "output": "", "commit": head, "at": "2026-01-01T00:00:00Z"});
        },
    );
    f.append(
        "Bob <bob@example.com>",
        "upgrade.approved",
        serde_json::json!({"head": head, "target": "main", "approvals": 1, "required": 1}),
        |r| {
            r["state"] = "approved".into();
            r["approvals"] = serde_json::json!([{"by": "Bob <bob@example.com>", "at": "2026-01-01T00:00:00Z", "head": head}]);
        },
    );
    f.append(
        "Bob <bob@example.com>",
        "upgrade.applied",
        serde_json::json!({"target": "main", "previous_target": main, "new_target": head}),
        |r| {
            r["state"] = "applied".into();
            r["landing"] = serde_json::json!({"by": "Bob <bob@example.com>", "at": "2026-01-01T00:00:00Z", "previous_target": main, "new_target": head});
        },
    );
    let before = hub_refs(&env, &hub_dir);
    let notes = format!("refs/notes/upgrades/{id}");
    let run = env.git_run(
        &c[0],
        &[
            "push",
            "--atomic",
            "origin",
            &format!("{head}:refs/heads/main"),
            &format!("{notes}:{notes}"),
        ],
    );
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("tests failed on the hub"),
        "{}",
        run.stderr
    );
    assert_eq!(hub_refs(&env, &hub_dir), before);
}

#[test]
fn the_update_hook_form_judges_each_ref_and_push_sends_the_queue_first() {
    let env = TestEnv::new();
    let (hub_dir, c) = hub(&env, PASSING, 2);
    let run = env.run(&hub_dir, &["init", "--hub", "--update-hook"]);
    run.ok();
    assert!(run.stdout.contains("hooks/update"), "{}", run.stdout);
    assert!(!hub_dir.join("hooks/pre-receive").exists());
    env.run(&hub_dir, &["init", "--hub", "--update-hook"]).ok();

    // An approved landing: the atomic push is refused by main's update hook
    // (it cannot see the notes pushed with it), then sent queue first.
    lands_through_the_queue_only(&env, &hub_dir, &c);

    // Bad arguments to the update form: a usage error, no panic.
    let bad = env.run(&hub_dir, &["hook", "update", "refs/heads/main"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    let bad = env.run(&hub_dir, &["hook", "update", "refs/heads/main", "zz", "yy"]);
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    assert!(bad.stderr.contains("malformed"), "{}", bad.stderr);
}

#[test]
fn a_push_the_hub_refuses_says_why_and_exits_5() {
    let env = TestEnv::new();
    let (hub_dir, c) = hub_with_hook(&env, PASSING, 1);
    change(&env, &c[0], "fix", "fix.txt");
    let id = env.propose(&c[0], "fix", "Fix", &[]);
    env.run(&c[0], &["push"]).ok();
    // An event appended locally whose actor is not its author: it fails replay.
    let f = Forgery {
        env: &env,
        dir: &c[0],
        id: &id,
    };
    let t = forge::tip(&env, &c[0], &id);
    let rec = forge::record(&env, &c[0], &id);
    let seq = rec["seq"].as_u64().unwrap() + 1;
    let event = serde_json::json!({"format": 1, "event": "upgrade.rejected", "id": id,
        "actor": "Bob <bob@example.com>", "seq": seq, "details": {}});
    let mut rejected = rec.clone();
    rejected["state"] = "rejected".into();
    rejected["seq"] = seq.into();
    let forged = f.event(&[&t], "Alice <alice@example.com>", event, &rejected);
    let notes = format!("refs/notes/upgrades/{id}");
    env.git(&c[0], &["update-ref", &notes, &forged]);
    let before = hub_refs(&env, &hub_dir);
    let run = env.run(&c[0], &["push"]);
    assert_eq!(run.code, 5, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("origin refused the push: refs/notes/upgrades/"),
        "{}",
        run.stderr
    );
    assert_eq!(hub_refs(&env, &hub_dir), before);
}
