//! `status --count`: the prompt badge, always equal to what `list` says.

use crate::common::{TestEnv, PASSING};

#[test]
fn the_badge_counts_pending_and_awaiting_me_and_follows_every_change() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    let count = |who: &str| {
        let run = env.run_as(who, &repo, &["status", "--count"]);
        run.ok();
        run.stdout.trim().to_string()
    };
    assert_eq!(count("Alice"), "0 0");
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let a = env.propose(&repo, "a", "A", &["--no-test"]);
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    env.propose(&repo, "b", "B", &["--no-test"]);
    // Alice proposed both: nothing awaits her; both await Bob.
    assert_eq!(count("Alice"), "2 0");
    assert_eq!(count("Bob"), "2 2");
    assert_eq!(count("Bob"), "2 2");
    env.run_as("Bob", &repo, &["approve", &a, "--no-apply"])
        .ok();
    assert_eq!(count("Bob"), "2 1");
    // Changed behind the tool's back, with plain git: still right.
    env.git(
        &repo,
        &["update-ref", "-d", &format!("refs/notes/upgrades/{a}")],
    );
    assert_eq!(count("Bob"), "1 1");
    env.git(&repo, &["pack-refs", "--all"]);
    assert_eq!(count("Bob"), "1 1");
    // Once the refs are older than the racy window, the answer is kept...
    for p in [
        "packed-refs",
        "refs/notes/upgrades",
        "refs/upgrades",
        "reftable/tables.list",
    ] {
        let path = repo.join(".git").join(p);
        if path.exists() {
            let out = std::process::Command::new("touch")
                .args(["-h", "-d", "1 minute ago"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(out.status.success());
        }
    }
    assert_eq!(count("Bob"), "1 1");
    let badge = repo.join(".git/upgrades/badge");
    assert!(badge.exists());
    assert_eq!(count("Bob"), "1 1");
    // ...and any ref write makes it stale.
    env.branch_commit(&repo, "c", "main", "c.txt", "c\n");
    env.propose(&repo, "c", "C", &["--no-test"]);
    assert_eq!(count("Bob"), "2 2");
    // A damaged badge file is only a miss.
    std::fs::write(&badge, "garbage\n").unwrap();
    assert_eq!(count("Bob"), "2 2");
    let j = env
        .run_as("Bob", &repo, &["status", "--count", "--json"])
        .json();
    assert_eq!(j["pending"], 2);
    assert_eq!(j["awaiting_me"], 2);
}
