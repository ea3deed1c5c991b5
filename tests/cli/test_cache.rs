//! The listing cache is derived and disposable: it can never show a state the
//! refs do not hold, whoever changed them.

use crate::common::{TestEnv, PASSING};

fn states(env: &TestEnv, dir: &std::path::Path) -> Vec<(String, String)> {
    let j = env.run(dir, &["list", "--all", "--json"]).json();
    let mut v: Vec<(String, String)> = j
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap().to_string(),
                u["state"].as_str().unwrap_or("damaged").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn cache_follows_refs_changed_by_plain_git_other_processes_and_other_clones() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    let a = env.propose(&repo, "a", "A", &["--no-test", "--id", "a"]);
    let b = env.propose(&repo, "b", "B", &["--no-test", "--id", "b"]);
    assert_eq!(
        states(&env, &repo),
        [
            (a.clone(), "proposed".into()),
            (b.clone(), "proposed".into())
        ]
    );
    assert!(repo.join(".git/upgrades/cache").exists());

    // Another process changes an upgrade.
    env.run_as("Bob", &repo, &["reject", &b]).ok();
    assert_eq!(states(&env, &repo)[1], (b.clone(), "rejected".into()));

    // Plain git rewinds the notes ref to an older event.
    let older = env.git(&repo, &["rev-parse", &format!("refs/notes/upgrades/{b}~1")]);
    env.git(
        &repo,
        &["update-ref", &format!("refs/notes/upgrades/{b}"), &older],
    );
    assert_eq!(states(&env, &repo)[1], (b.clone(), "proposed".into()));

    // Plain git deletes an upgrade.
    env.git(
        &repo,
        &["update-ref", "-d", &format!("refs/notes/upgrades/{a}")],
    );
    assert_eq!(states(&env, &repo), [(b.clone(), "proposed".into())]);

    // Another clone's push arrives by pull.
    let hub = env.path().join("hub.git");
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            "--bare",
            repo.to_str().unwrap(),
            hub.to_str().unwrap(),
        ],
    );
    env.git(&repo, &["remote", "add", "origin", hub.to_str().unwrap()]);
    env.run(&repo, &["push"]).ok();
    let other = env.path().join("other");
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            hub.to_str().unwrap(),
            other.to_str().unwrap(),
        ],
    );
    env.run(&other, &["pull"]).ok();
    env.run_as(
        "Carol",
        &other,
        &["reject", &b, "-m", "from the other clone"],
    )
    .ok();
    env.run(&other, &["push"]).ok();
    env.run(&repo, &["pull"]).ok();
    assert_eq!(states(&env, &repo), [(b.clone(), "rejected".into())]);

    // A damaged cache file is rebuilt silently.
    std::fs::write(repo.join(".git/upgrades/cache"), b"garbage").unwrap();
    assert_eq!(states(&env, &repo), [(b.clone(), "rejected".into())]);
    std::fs::write(
        repo.join(".git/upgrades/cache"),
        b"git-upgrades cache 1\n\xff\xff\xff\xff",
    )
    .unwrap();
    let run = env.run(&repo, &["status"]);
    run.ok();
    assert!(run.stdout.contains("rejected"), "{}", run.stdout);

    // The human views agree with the JSON one.
    let listed = env.run(&repo, &["list", "--all"]).ok().to_string();
    assert!(listed.contains(&b) && listed.contains("rejected"));
}
