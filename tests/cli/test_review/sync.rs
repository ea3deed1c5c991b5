//! Two clones comment and update concurrently; `sync` both ways converges
//! every clone to the same refs and the same event order, checked with
//! plain git.

use std::path::Path;

use crate::common::forge::hub;
use crate::common::{TestEnv, PASSING};

/// The queue's refs, as plain git lists them.
fn queue(env: &TestEnv, dir: &Path) -> String {
    env.git(
        dir,
        &[
            "for-each-ref",
            "--format=%(refname) %(objectname)",
            "refs/upgrades/",
            "refs/upgrades-archive/",
            "refs/notes/upgrades/",
        ],
    )
}

/// The event chain, as plain git logs it.
fn events(env: &TestEnv, dir: &Path) -> String {
    env.git(dir, &["log", "--format=%H %s", "refs/notes/upgrades/u1"])
}

#[test]
fn concurrent_comments_and_updates_from_clones_converge() {
    let env = TestEnv::new();
    // c[0] and c[2] are the proposer's two machines; c[1] is the reviewer's.
    let (hub_dir, c) = hub(&env, PASSING, 3);
    let first = env.branch_commit(&c[0], "feat", "main", "app.txt", "one\ntwo\nthree\n");
    env.run(
        &c[0],
        &["propose", "feat", "-m", "App", "--id", "u1", "--no-test"],
    )
    .ok();
    env.run(&c[0], &["push"]).ok();
    env.run_as("Bob", &c[1], &["pull"]).ok();
    env.run(&c[2], &["pull"]).ok();

    // Nobody sees anybody: a revision and a comment here, a line comment and
    // a change request there, another revision on the second machine.
    let x = env.branch_commit(&c[0], "feat", "feat", "app.txt", "one\nTWO\nthree\n");
    env.run(
        &c[0],
        &["update", "u1", "feat", "--no-test", "-m", "louder"],
    )
    .ok();
    env.run(&c[0], &["comment", "u1", "-m", "louder now"]).ok();
    env.run_as(
        "Bob",
        &c[1],
        &[
            "comment",
            "u1",
            "-m",
            "why three?",
            "--file",
            "app.txt",
            "--line",
            "3",
        ],
    )
    .ok();
    env.run_as("Bob", &c[1], &["request-changes", "u1", "-m", "no three"])
        .ok();
    let y = env.branch_commit(&c[2], "feat2", "main", "app.txt", "one\ntwo\n");
    env.run(
        &c[2],
        &["update", "u1", "feat2", "--no-test", "-m", "without three"],
    )
    .ok();

    for dir in [&c[0], &c[1], &c[2], &c[0], &c[1]] {
        let who = if dir == &c[1] { "Bob" } else { "Alice" };
        env.run_as(who, dir, &["sync"]).ok();
    }

    // Identical refs and the same event order everywhere, hub included.
    let reference = queue(&env, &c[0]);
    for dir in [&c[1], &c[2], &hub_dir] {
        assert_eq!(queue(&env, dir), reference, "{}", dir.display());
    }
    let order = events(&env, &c[0]);
    for dir in [&c[1], &c[2]] {
        assert_eq!(events(&env, dir), order);
    }
    for e in [
        "upgrade.revised",
        "upgrade.commented",
        "upgrade.changes-requested",
        "upgrade.merged",
    ] {
        assert!(order.contains(e), "{e} missing:\n{order}");
    }
    let log = |dir: &Path| env.run(dir, &["log", "u1", "--json"]).ok().to_string();
    assert_eq!(log(&c[0]), log(&c[1]));

    // Both revisions are kept in clock order; the later one is current.
    for dir in &c {
        let j = env.run(dir, &["show", "u1", "--json"]).json();
        let heads: Vec<&str> = j["revisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["head"].as_str().unwrap())
            .collect();
        assert_eq!(
            heads,
            [first.as_str(), x.as_str(), y.as_str()],
            "{}",
            dir.display()
        );
        assert_eq!(j["head"], y.as_str());
        assert_eq!(j["comment_count"], 2);
        assert_eq!(j["changes_requested"][0]["open"], true);
        assert_eq!(env.git(dir, &["rev-parse", "refs/upgrades/u1"]), y);
    }
    // The revisions compare in every clone, even the one that never had x's branch.
    let out = env
        .run(&c[2], &["diff", "u1", "--revisions", "2..3"])
        .ok()
        .to_string();
    assert!(out.contains("-TWO") && out.contains("-three"), "{out}");
    for dir in &c {
        env.fsck(dir);
    }
}
