//! `verify`: the target's history proven from git objects alone.

use crate::common::{TestEnv, PASSING};

fn land(env: &TestEnv, repo: &std::path::Path, branch: &str, file: &str) -> String {
    env.branch_commit(repo, branch, "main", file, &format!("{file}\n"));
    let id = env.propose(repo, branch, &format!("Change {file}"), &[]);
    let run = env.run_as("Bob", repo, &["approve", &id, "--json"]);
    assert_eq!(run.json()["state"], "applied", "{}", run.stderr);
    id
}

#[test]
fn a_history_made_through_the_queue_is_proven() {
    let env = TestEnv::new();
    let repo = env.repo(
        "r",
        Some(&format!("{PASSING}\n[policy]\nallow_urgent = true\n")),
    );
    let a = land(&env, &repo, "a", "a.txt");
    // An urgent landing, logged with its reason.
    env.branch_commit(&repo, "u", "main", "u.txt", "u\n");
    let u = env.propose(&repo, "u", "Hotfix", &["--no-test"]);
    env.run(&repo, &["apply", &u, "--urgent", "--reason", "prod down"])
        .ok();
    // A landing that was rolled back is no longer part of the history.
    let r = land(&env, &repo, "r", "r.txt");
    env.run(&repo, &["rollback", &r]).ok();
    let b = land(&env, &repo, "b", "b.txt");

    let run = env.run(&repo, &["verify"]);
    run.ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].contains(&b) && lines[0].contains("approved by Bob"),
        "{}",
        run.stdout
    );
    assert!(
        lines[1].contains(&u) && lines[1].contains("URGENT: prod down"),
        "{}",
        run.stdout
    );
    assert!(lines[2].contains(&a), "{}", run.stdout);
    assert!(lines[3].contains("before adoption"), "{}", run.stdout);
    assert!(
        run.stdout.contains("3 landed steps proven, 0 violations"),
        "{}",
        run.stdout
    );

    let j = env.run(&repo, &["verify", "main", "--json"]).json();
    assert_eq!(j["proven"], 3);
    assert_eq!(j["violations"], 0);
    assert_eq!(j["steps"][0]["result"], "proven");
    assert_eq!(j["steps"][0]["upgrade"], b.as_str());
    assert_eq!(j["steps"][0]["approvals"][0]["proof"], "claimed");
    assert_eq!(j["steps"][0]["tests"], "passed");
    assert_eq!(j["steps"][3]["result"], "before-adoption");
}

#[test]
fn a_direct_commit_is_a_violation_naming_it() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    land(&env, &repo, "a", "a.txt");
    env.commit_on_main(&repo, &[("direct.txt", "x\n")], "pushed around the queue");
    let direct = env.git(&repo, &["rev-parse", "main"]);
    land(&env, &repo, "b", "b.txt");
    let run = env.run(&repo, &["verify"]);
    run.code(5);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains(&direct[..10]))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(line.contains("not landed through the queue"), "{line}");
    assert!(
        run.stdout.contains("2 landed steps proven, 1 violation"),
        "{}",
        run.stdout
    );
    // Only what came after it: proven.
    env.run(&repo, &["verify", "--since", &direct]).ok();
    // A --since that is not in the history is a usage error, not a full audit.
    env.branch_commit(&repo, "side", "main", "side.txt", "s\n");
    let run = env.run(&repo, &["verify", "--since", "side"]);
    run.code(2);
    assert!(
        run.stderr.contains("not in the history of main"),
        "{}",
        run.stderr
    );
}

#[test]
fn adoption_is_the_first_policy_commit_and_remotes_are_audited() {
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    env.commit_on_main(&repo, &[("old.txt", "x\n")], "before the queue");
    env.commit_on_main(&repo, &[(".upgrades.toml", PASSING)], "adopt");
    let adopted = env.git(&repo, &["rev-parse", "main"]);
    land(&env, &repo, "a", "a.txt");
    let run = env.run(&repo, &["verify"]);
    run.ok();
    let last = run.stdout.lines().rev().nth(1).unwrap();
    assert!(
        last.contains(&adopted[..10]) && last.contains("first committed here"),
        "{}",
        run.stdout
    );

    // A clone audits the remote's branch with the queue it pulled.
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
    let ci = env.path().join("ci");
    env.git(
        env.path(),
        &["clone", "-q", hub.to_str().unwrap(), ci.to_str().unwrap()],
    );
    env.run(&ci, &["verify", "origin/main"]).code(5);
    env.run(&ci, &["pull"]).ok();
    env.run(&ci, &["verify", "origin/main"]).ok();
    let bad = env.run(&ci, &["verify", "nonsense"]);
    assert!(
        bad.code != 0 && bad.stderr.contains("nonsense"),
        "{}",
        bad.stderr
    );
}

#[test]
fn event_times_never_go_backwards() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some("[test]\ncommand = \"sleep 1\"\n"));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "Change", &["--no-test"]);
    // The real clock, not the test's pinned one.
    let mut cmd = env.cmd(&repo, &["approve", &id]);
    cmd.env_remove("GIT_COMMITTER_DATE")
        .env_remove("GIT_AUTHOR_DATE")
        .env("GIT_COMMITTER_NAME", "Bob")
        .env("GIT_COMMITTER_EMAIL", "bob@example.com");
    assert!(cmd.status().unwrap().success());
    let log = env.git(
        &repo,
        &[
            "log",
            "--reverse",
            "--format=%ct %s",
            &format!("refs/notes/upgrades/{id}"),
        ],
    );
    let times: Vec<(i64, &str)> = log
        .lines()
        .map(|l| {
            let (t, s) = l.split_once(' ').unwrap();
            (t.parse().unwrap(), s)
        })
        .collect();
    let kinds: Vec<&str> = times
        .iter()
        .map(|(_, s)| s.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "upgrade.proposed",
            "upgrade.approved",
            "upgrade.tested",
            "upgrade.applied"
        ]
    );
    for w in times.windows(2) {
        assert!(w[0].0 <= w[1].0, "time went backwards: {log}");
    }
    // The test run took a second: the landing is after it, not at the approval's time.
    assert!(times[3].0 > times[1].0, "{log}");
}

#[test]
fn a_repeat_verify_reuses_its_cache_and_never_caches_a_violation() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    let a = land(&env, &repo, "a", "a.txt");
    let first = env.run(&repo, &["verify"]);
    first.ok();
    let cache = repo.join(".git/upgrades/verify");
    let files: Vec<String> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().any(|f| f.ends_with(".key")), "{files:?}");
    // Replayed: the same bytes.
    let again = env.run(&repo, &["verify"]);
    again.ok();
    assert_eq!(again.stdout, first.stdout);
    let json = env.run(&repo, &["verify", "--json"]).json();
    assert_eq!(env.run(&repo, &["verify", "--json"]).json(), json);

    // A new landing: only the new step is audited, the result is whole.
    let b = land(&env, &repo, "b", "b.txt");
    let run = env.run(&repo, &["verify"]);
    run.ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].contains(&b) && lines[1].contains(&a),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("2 landed steps proven"),
        "{}",
        run.stdout
    );
    assert_eq!(env.run(&repo, &["verify", "--json"]).json()["proven"], 2);

    // A damaged or foreign cache is a miss, never an answer.
    for entry in std::fs::read_dir(&cache).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "plain") {
            let mut bytes = std::fs::read(&path).unwrap();
            bytes.extend_from_slice(b"forged line\n");
            std::fs::write(&path, bytes).unwrap();
        }
    }
    let run = env.run(&repo, &["verify"]);
    run.ok();
    assert!(!run.stdout.contains("forged"), "{}", run.stdout);

    // A violation is reported on every run, never cached away.
    env.commit_on_main(&repo, &[("direct.txt", "x\n")], "around the queue");
    env.run(&repo, &["verify"]).code(5);
    env.run(&repo, &["verify"]).code(5);
    env.run(&repo, &["verify", "--json"]).code(5);
    // Rewinding to the proven tip answers from the cache again.
    env.git(&repo, &["reset", "-q", "--hard", "HEAD~1"]);
    env.run(&repo, &["verify"]).ok();
}
