//! Team use: the queue through real remotes (a bare repository and a real
//! `git daemon` on 127.0.0.1), concurrent changes converging, and the merge
//! queue (`apply --all`).

use std::os::unix::process::CommandExt;
use std::path::Path;

use crate::common::forge::{free_port, hub, Daemon};
use crate::common::{TestEnv, PASSING};

/// The queue's refs (and main) as `name sha` lines.
fn queue(env: &TestEnv, dir: &Path) -> String {
    env.git(
        dir,
        &[
            "for-each-ref",
            "--format=%(refname) %(objectname)",
            "refs/upgrades/",
            "refs/upgrades-archive/",
            "refs/notes/upgrades/",
            "refs/heads/main",
        ],
    )
}

#[test]
fn propose_approve_apply_across_three_clones() {
    let env = TestEnv::new();
    let (hub, c) = hub(&env, PASSING, 3);
    env.branch_commit(&c[0], "fix", "main", "fix.txt", "fix\n");
    let id = env.propose(&c[0], "fix", "Fix it", &[]);
    env.run(&c[0], &["push"]).ok();

    let pulled = env.run_as("Bob", &c[1], &["pull", "--json"]).json();
    assert_eq!(pulled["pulled"][0]["change"], "new");
    env.run_as("Bob", &c[1], &["approve", &id, "--no-apply"])
        .ok();
    env.run_as("Bob", &c[1], &["push"]).ok();

    env.run_as("Carol", &c[2], &["pull"]).ok();
    assert_eq!(
        env.run(&c[2], &["show", &id, "--json"]).json()["state"],
        "approved"
    );
    env.run_as("Carol", &c[2], &["apply", &id]).ok();
    env.run_as("Carol", &c[2], &["sync"]).ok();
    // The hub shows the upgrade applied and main moved, together.
    let hub_main = env.git(&hub, &["rev-parse", "main"]);
    assert_eq!(hub_main, env.git(&c[0], &["rev-parse", "fix"]));
    assert_eq!(env.git(&hub, &["for-each-ref", "refs/upgrades/"]), "");

    for dir in &c[..2] {
        env.run(dir, &["pull"]).ok();
    }
    let expected = queue(&env, &hub);
    for dir in &c {
        assert_eq!(queue(&env, dir), expected, "{}", dir.display());
        env.fsck(dir);
    }
    assert_eq!(
        env.run(&c[0], &["show", &id, "--json"]).json()["state"],
        "applied"
    );
}

#[test]
fn concurrent_approve_and_reject_converge_with_every_event() {
    let env = TestEnv::new();
    let (hub, c) = hub(&env, PASSING, 2);
    env.branch_commit(&c[0], "f", "main", "f.txt", "f\n");
    let id = env.propose(&c[0], "f", "Contested", &["--no-test"]);
    env.run(&c[0], &["push"]).ok();
    env.run(&c[1], &["pull"]).ok();

    // Both clones act without seeing each other.
    env.run_as("Bob", &c[0], &["approve", &id, "--no-apply", "-m", "yes"])
        .ok();
    env.run_as("Carol", &c[1], &["reject", &id, "-m", "no"])
        .ok();
    env.run(&c[0], &["sync"]).ok();
    let run = env.run(&c[1], &["sync", "--json"]);
    run.ok();
    assert_eq!(run.json()["pulled"][0]["change"], "merged");
    env.run(&c[0], &["sync"]).ok();

    // Documented rule: a reject beats a concurrent approval that has not landed.
    for dir in &c {
        let j = env.run(dir, &["show", &id, "--json"]).json();
        assert_eq!(j["state"], "rejected");
        let events: Vec<String> = j["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap().to_string())
            .collect();
        for e in [
            "upgrade.proposed",
            "upgrade.approved",
            "upgrade.rejected",
            "upgrade.merged",
        ] {
            assert!(
                events.contains(&e.to_string()),
                "{e} missing from {events:?}"
            );
        }
    }
    assert_eq!(queue(&env, &c[0]), queue(&env, &c[1]));
    assert_eq!(queue(&env, &c[0]), queue(&env, &hub));
}

#[test]
fn an_applied_upgrade_is_not_unapplied_by_a_concurrent_reject() {
    let env = TestEnv::new();
    let (hub, c) = hub(&env, PASSING, 2);
    env.branch_commit(&c[0], "f", "main", "f.txt", "f\n");
    let id = env.propose(&c[0], "f", "Land me", &["--no-test"]);
    env.run(&c[0], &["push"]).ok();
    env.run(&c[1], &["pull"]).ok();
    env.run_as("Bob", &c[0], &["approve", &id]).ok();
    env.run_as("Carol", &c[1], &["reject", &id, "-m", "late"])
        .ok();
    env.run(&c[0], &["sync"]).ok();
    env.run(&c[1], &["sync"]).ok();
    env.run(&c[0], &["sync"]).ok();
    for dir in &c {
        assert_eq!(
            env.run(dir, &["show", &id, "--json"]).json()["state"],
            "applied"
        );
    }
    assert_eq!(
        env.git(&hub, &["rev-parse", "main"]),
        env.git(&c[0], &["rev-parse", "f"])
    );
    assert_eq!(queue(&env, &c[0]), queue(&env, &c[1]));
}

#[test]
fn racing_pushers_both_land_their_changes() {
    let env = TestEnv::new();
    let (hub, c) = hub(&env, PASSING, 2);
    env.branch_commit(&c[0], "a", "main", "a.txt", "a\n");
    env.branch_commit(&c[1], "b", "main", "b.txt", "b\n");
    let a = env.propose(&c[0], "a", "From A", &["--no-test"]);
    let b = env.propose(&c[1], "b", "From B", &["--no-test"]);
    env.run(&c[0], &["push"]).ok();
    // Real concurrency: both sync at once, several times.
    for round in 0..3 {
        env.branch_commit(
            &c[0],
            &format!("a{round}"),
            "main",
            &format!("a{round}.txt"),
            "x\n",
        );
        env.branch_commit(
            &c[1],
            &format!("b{round}"),
            "main",
            &format!("b{round}.txt"),
            "y\n",
        );
        env.propose(&c[0], &format!("a{round}"), "A again", &["--no-test"]);
        env.propose(&c[1], &format!("b{round}"), "B again", &["--no-test"]);
        let t0 = env.cmd(&c[0], &["sync"]).spawn().unwrap();
        let t1 = env.cmd(&c[1], &["sync"]).spawn().unwrap();
        for mut child in [t0, t1] {
            let status = child.wait().unwrap();
            assert!(status.success() || status.code() == Some(4));
        }
    }
    env.run(&c[0], &["sync"]).ok();
    env.run(&c[1], &["sync"]).ok();
    env.run(&c[0], &["sync"]).ok();
    let listed = env.git(
        &hub,
        &[
            "for-each-ref",
            "--format=%(refname)",
            "refs/notes/upgrades/",
        ],
    );
    assert_eq!(listed.lines().count(), 8, "{listed}");
    assert!(listed.contains(&a) && listed.contains(&b));
    assert_eq!(queue(&env, &c[0]), queue(&env, &c[1]));
}

#[test]
fn stale_push_is_refused_with_exit_4() {
    let env = TestEnv::new();
    let (hub, c) = hub(&env, PASSING, 2);
    env.branch_commit(&c[0], "a", "main", "a.txt", "a\n");
    let id = env.propose(&c[0], "a", "A", &["--no-test"]);
    env.run(&c[0], &["push"]).ok();
    env.run(&c[1], &["pull"]).ok();
    env.run_as("Bob", &c[0], &["approve", &id, "--no-apply"])
        .ok();
    env.run_as("Carol", &c[1], &["reject", &id]).ok();
    env.run(&c[0], &["push"]).ok();
    let notes = format!("refs/notes/upgrades/{id}");
    let pushed_by_a = env.git(&hub, &["rev-parse", &notes]);
    // B's history of the upgrade diverged from the remote's, which B has not
    // fetched: its leases are on the old tips, so the hub refuses the push
    // whole; B then fetches, sees the divergence, and pushes nothing.
    let run = env.run(&c[1], &["push"]);
    run.code(4);
    assert!(run.stderr.contains("pull"), "{}", run.stderr);
    assert_eq!(env.git(&hub, &["rev-parse", &notes]), pushed_by_a);
    env.git(
        &hub,
        &["rev-parse", "--verify", &format!("refs/upgrades/{id}")],
    );
    env.run(&c[1], &["sync"]).ok();
}

/// `push` leases on what the last fetch saw and does not fetch first. A
/// clone whose tracking refs are gone (as if it never fetched) leases on
/// "must not exist", which the hub refuses whole; push then fetches, finds
/// the hub already holds its refs, and sends only what is new.
#[test]
fn push_without_tracking_refs_fetches_and_pushes_only_what_is_new() {
    let env = TestEnv::new();
    let (hub, c) = hub(&env, PASSING, 1);
    env.branch_commit(&c[0], "a", "main", "a.txt", "a\n");
    env.branch_commit(&c[0], "b", "main", "b.txt", "b\n");
    let a = env.propose(&c[0], "a", "A", &["--no-test"]);
    env.run(&c[0], &["push"]).ok();
    let a_notes = env.git(&hub, &["rev-parse", &format!("refs/notes/upgrades/{a}")]);
    for r in env
        .git(
            &c[0],
            &["for-each-ref", "--format=%(refname)", "refs/upgrades-sync/"],
        )
        .lines()
    {
        env.git(&c[0], &["update-ref", "-d", r]);
    }
    let b = env.propose(&c[0], "b", "B", &["--no-test"]);
    let run = env.run(&c[0], &["push", "--json"]);
    run.ok();
    assert_eq!(
        env.git(&hub, &["rev-parse", &format!("refs/notes/upgrades/{a}")]),
        a_notes
    );
    env.git(
        &hub,
        &["rev-parse", "--verify", &format!("refs/notes/upgrades/{b}")],
    );
    env.git(
        &hub,
        &["rev-parse", "--verify", &format!("refs/upgrades/{b}")],
    );
    // The fetch brought the tracking refs back.
    env.git(
        &c[0],
        &[
            "rev-parse",
            "--verify",
            &format!("refs/upgrades-sync/origin/notes/{a}"),
        ],
    );
}

#[test]
fn a_hostile_remote_record_is_refused_and_the_rest_pulled() {
    let env = TestEnv::new();
    let (hub, c) = hub(&env, PASSING, 2);
    env.branch_commit(&c[0], "a", "main", "a.txt", "a\n");
    env.branch_commit(&c[0], "b", "main", "b.txt", "b\n");
    let good = env.propose(&c[0], "a", "Good", &["--no-test"]);
    let bad = env.propose(&c[0], "b", "Bad", &["--no-test"]);
    env.run(&c[0], &["push"]).ok();
    // Damage the hub's record of `bad` with plain git.
    let head = env.git(&c[0], &["rev-parse", "b"]);
    env.git(
        &c[0],
        &[
            "notes",
            &format!("--ref=upgrades/{bad}"),
            "add",
            "-f",
            "-m",
            "{\"format\": 1, \"id\": \"evil\"}",
            &head,
        ],
    );
    env.git(
        &c[0],
        &[
            "push",
            "-q",
            "-f",
            "origin",
            &format!("refs/notes/upgrades/{bad}"),
        ],
    );
    let _ = hub;
    let run = env.run(&c[1], &["pull"]);
    run.code(1);
    assert!(run.stderr.contains(&bad), "{}", run.stderr);
    assert!(env.run(&c[1], &["show", &good]).ok().contains("Good"));
    env.run(&c[1], &["show", &bad]).code(6);
    assert_eq!(
        env.git(
            &c[1],
            &["for-each-ref", &format!("refs/notes/upgrades/{bad}")]
        ),
        ""
    );
}

#[test]
fn through_a_real_git_daemon() {
    let env = TestEnv::new();
    let (hub, _) = hub(&env, PASSING, 0);
    let root = hub.parent().unwrap().to_path_buf();
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
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed().as_secs() < 20, "git daemon did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let url = format!("git://127.0.0.1:{port}/hub.git");
    let a = env.path().join("da");
    let b = env.path().join("db");
    env.git(env.path(), &["clone", "-q", &url, a.to_str().unwrap()]);
    env.git(env.path(), &["clone", "-q", &url, b.to_str().unwrap()]);
    env.branch_commit(&a, "f", "main", "f.txt", "f\n");
    let id = env.propose(&a, "f", "Over the wire", &[]);
    env.run(&a, &["push"]).ok();
    env.run_as("Bob", &b, &["pull"]).ok();
    env.run_as("Bob", &b, &["approve", &id]).ok();
    env.run_as("Bob", &b, &["sync"]).ok();
    env.run(&a, &["pull"]).ok();
    assert_eq!(
        env.run(&a, &["show", &id, "--json"]).json()["state"],
        "applied"
    );
    assert_eq!(queue(&env, &a), queue(&env, &b));
    assert_eq!(
        env.git(&hub, &["rev-parse", "main"]),
        env.git(&a, &["rev-parse", "f"])
    );
}

#[test]
fn init_remote_makes_plain_fetch_bring_the_queue() {
    let env = TestEnv::new();
    let (_hub, c) = hub(&env, PASSING, 2);
    env.branch_commit(&c[0], "f", "main", "f.txt", "f\n");
    let id = env.propose(&c[0], "f", "F", &["--no-test"]);
    env.run(&c[0], &["push"]).ok();
    env.run(&c[1], &["init", "--remote", "origin"]).ok();
    env.git(&c[1], &["fetch", "-q", "origin"]);
    let tracked = env.git(
        &c[1],
        &["for-each-ref", "--format=%(refname)", "refs/upgrades-sync/"],
    );
    assert!(
        tracked.contains(&format!("refs/upgrades-sync/origin/notes/{id}")),
        "{tracked}"
    );
}

#[test]
fn apply_all_is_a_merge_queue() {
    let env = TestEnv::new();
    let policy = "[test]\ncommand = \"test ! -f broken.txt\"\n";
    let (hub, c) = hub(&env, policy, 1);
    let dev = &c[0];
    let base: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    env.commit_on_main(dev, &[("shared.txt", &base)], "shared file");
    env.git(dev, &["push", "-q", "origin", "main"]);
    let first = env.branch_commit(dev, "first", "main", "one.txt", "1\n");
    env.branch_commit(dev, "second", "main", "two.txt", "2\n");
    env.branch_commit(
        dev,
        "clash-a",
        "main",
        "shared.txt",
        &base.replace("line 10\n", "line ten\n"),
    );
    env.branch_commit(
        dev,
        "clash-b",
        "main",
        "shared.txt",
        &base.replace("line 10\n", "LINE 10\n"),
    );
    env.branch_commit(dev, "broken", "main", "broken.txt", "x\n");
    let ids: Vec<String> = ["first", "second", "clash-a", "clash-b", "broken"]
        .iter()
        .map(|b| env.propose(dev, b, b, &["--no-test"]))
        .collect();
    for id in &ids {
        env.run_as("Bob", dev, &["approve", id, "--no-apply"]).ok();
    }
    env.run(dev, &["push"]).ok();

    // CI works in a bare clone of the hub.
    let ci = env.path().join("ci.git");
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            "--bare",
            hub.to_str().unwrap(),
            ci.to_str().unwrap(),
        ],
    );
    env.git(&ci, &["remote", "set-url", "origin", hub.to_str().unwrap()]);
    env.run_as("CI", &ci, &["pull"]).ok();
    let run = env.run_as("CI", &ci, &["apply", "--all", "--json"]);
    run.code(3);
    let results = run.json()["results"].as_array().unwrap().clone();
    let result_of = |id: &str| {
        results
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["result"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(result_of(&ids[0]), "applied");
    assert_eq!(
        result_of(&ids[1]),
        "applied",
        "rebased cleanly, approvals carried over"
    );
    assert_eq!(result_of(&ids[2]), "applied");
    assert_eq!(result_of(&ids[3]), "conflict");
    assert_eq!(result_of(&ids[4]), "failed");
    let show = |id: &str| env.run(&ci, &["show", id, "--json"]).json();
    assert_eq!(
        show(&ids[3])["state"],
        "approved",
        "a conflict leaves it as it was"
    );
    assert_eq!(show(&ids[4])["state"], "failed");
    let second = show(&ids[1]);
    assert_ne!(
        second["head"],
        env.git(dev, &["rev-parse", "second"]).as_str(),
        "rebased head is a new commit"
    );
    let events: Vec<String> = second["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    assert!(events.contains(&"upgrade.rebased".to_string()));
    // main ends on the last applied upgrade, which contains all three.
    let main = env.git(&ci, &["rev-parse", "main"]);
    assert_eq!(main, show(&ids[2])["head"].as_str().unwrap());
    for file in ["one.txt", "two.txt", "shared.txt"] {
        env.git(&ci, &["cat-file", "-e", &format!("main:{file}")]);
    }
    assert!(
        env.git_run(&ci, &["cat-file", "-e", "main:broken.txt"])
            .code
            != 0
    );
    let _ = first;
    env.run_as("CI", &ci, &["push"]).ok();
    assert_eq!(env.git(&hub, &["rev-parse", "main"]), main);
    env.fsck(&ci);
}

/// A landing whose approval was carried over a rebase is proven in a clone
/// that never had the pre-rebase head: the patch ids come from the trees the
/// upgrade's notes keep for every revision.
#[test]
fn a_fresh_clone_proves_landings_of_rebased_upgrades() {
    let env = TestEnv::new();
    let (_hub, c) = hub(&env, PASSING, 2);
    env.branch_commit(&c[0], "first", "main", "first.txt", "1\n");
    env.branch_commit(&c[0], "late", "main", "late.txt", "late\n");
    let first = env.propose(&c[0], "first", "First", &["--no-test"]);
    env.propose(&c[0], "late", "Late", &["--no-test", "--id", "late"]);
    env.run_as("Bob", &c[0], &["approve", "late", "--no-apply"])
        .ok();
    env.run_as("Bob", &c[0], &["approve", &first]).ok();
    // late is behind main now: apply --all rebases it, the approval carries.
    env.run(&c[0], &["apply", "--all"]).ok();
    let late = env.run(&c[0], &["show", "--json", "late"]).json();
    assert_eq!(late["state"], "applied");
    assert!(late["approvals"][1]["carried_from"].is_string(), "{late}");
    let old_head = late["approvals"][1]["carried_from"]
        .as_str()
        .unwrap()
        .to_string();
    env.run(&c[0], &["push"]).ok();

    let pulled = env.run(&c[1], &["pull", "--json"]).json();
    let targets: Vec<&serde_json::Value> = pulled["pulled"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["change"] == "target")
        .collect();
    // What this test is about: the clone has no pre-rebase head.
    assert_ne!(env.git_run(&c[1], &["cat-file", "-e", &old_head]).code, 0);
    assert_eq!(targets.len(), 1, "{pulled}");
    assert!(
        targets[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("main fast-forwarded"),
        "{pulled}"
    );
    assert_eq!(
        env.git(&c[1], &["rev-parse", "main"]),
        env.git(&c[0], &["rev-parse", "main"])
    );
    let verified = env.run(&c[1], &["verify", "main", "--json"]).json();
    assert_eq!(verified["violations"], 0, "{verified}");
    assert_eq!(verified["proven"], 2, "{verified}");
}
