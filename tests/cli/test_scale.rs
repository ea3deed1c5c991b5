//! Work in proportion to what changed: a pull reads only the upgrades whose
//! tips moved on the remote, and ends where a full pull ends.

use crate::common::forge::hub;
use crate::common::{TestEnv, PASSING};

fn queue_refs(env: &TestEnv, dir: &std::path::Path) -> String {
    env.git(
        dir,
        &[
            "for-each-ref",
            "--format=%(objectname) %(refname)",
            "refs/notes/upgrades/",
            "refs/upgrades/",
            "refs/upgrades-archive/",
        ],
    )
}

#[test]
fn a_pull_validates_only_what_changed_and_ends_like_a_full_pull() {
    let env = TestEnv::new();
    let (_hub, c) = hub(&env, PASSING, 3);
    let mut ids = Vec::new();
    // Enough that the first pull writes its refs in bulk (through git update-ref).
    for n in 0..20 {
        env.branch_commit(&c[0], &format!("b{n}"), "main", &format!("f{n}.txt"), "x\n");
        ids.push(env.propose(
            &c[0],
            &format!("b{n}"),
            &format!("Change {n}"),
            &["--no-test"],
        ));
    }
    env.run(&c[0], &["push"]).ok();
    let first = env.run_as("Bob", &c[1], &["pull", "-v"]);
    first.ok();
    assert!(
        first.stderr.contains("validated 20 of 20"),
        "{}",
        first.stderr
    );
    // Written in one `git update-ref --stdin` transaction: plain git sees them all.
    let listed = env.git(
        &c[1],
        &[
            "for-each-ref",
            "--format=%(refname)",
            "refs/notes/upgrades/",
        ],
    );
    assert_eq!(listed.lines().count(), 20, "{listed}");
    env.run_as("Bob", &c[1], &["list"]).ok();
    // Nothing changed: nothing is read.
    let again = env.run_as("Bob", &c[1], &["pull", "-v"]);
    assert!(
        again.stderr.contains("validated 0 of 20"),
        "{}",
        again.stderr
    );
    // One upgrade changed on the remote: one is read.
    env.run(&c[0], &["reject", &ids[2], "-m", "no"]).ok();
    env.run(&c[0], &["push"]).ok();
    let one = env.run_as("Bob", &c[1], &["pull", "-v", "--json"]);
    one.ok();
    assert_eq!(one.json()["stats"]["validated"], 1);
    assert_eq!(one.json()["pulled"][0]["id"], ids[2].as_str());
    // The same refs as a clone that pulls everything at once.
    env.run_as("Carol", &c[2], &["pull"]).ok();
    assert_eq!(queue_refs(&env, &c[1]), queue_refs(&env, &c[2]));
    env.fsck(&c[1]);
}
