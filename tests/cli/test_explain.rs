//! Failures explained where they happen, and stale bases named before they bite.

use crate::common::{TestEnv, PASSING};

const CHECKING: &str =
    "[test]\ncommand = \"seq 1 40; echo 'cannot create the lock file'; test ! -f broken.txt\"\ntimeout = \"1m\"\n";

#[test]
fn a_failed_run_shows_its_command_exit_code_and_output_tail() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(CHECKING));
    env.branch_commit(&repo, "bad", "main", "broken.txt", "x\n");
    let run = env.run(&repo, &["propose", "bad", "-m", "Breaks things"]);
    run.code(3);
    assert!(run.stdout.starts_with("proposed "), "{}", run.stdout);
    let err = &run.stderr;
    assert!(
        err.contains("tests failed on ") && err.contains("exited with 1 after"),
        "{err}"
    );
    assert!(err.contains("last 20 of 41 output lines"), "{err}");
    assert!(err.contains("  | cannot create the lock file"), "{err}");
    assert!(err.contains("  | 22") && !err.contains("  | 21\n"), "{err}");
    // The next step that makes sense, not "review, then approve".
    assert!(err.contains("fix the change and propose it again"), "{err}");
    assert!(!err.contains("then `git upgrades approve"), "{err}");
    let id = run
        .stdout
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_end_matches(':');

    // approve and apply explain the same way.
    let run = env.run_as("Bob", &repo, &["approve", id]);
    run.code(3);
    assert!(run.stdout.starts_with("failed "), "{}", run.stdout);
    assert!(
        run.stderr.contains("| cannot create the lock file")
            && run.stderr.contains("main was not changed"),
        "{}",
        run.stderr
    );
    // JSON output stays JSON only.
    env.branch_commit(&repo, "bad2", "main", "broken.txt", "y\n");
    let run = env.run(&repo, &["propose", "bad2", "-m", "Again", "--json"]);
    run.code(3);
    assert!(!run.stderr.contains("tests failed on"), "{}", run.stderr);
}

#[test]
fn apply_all_explains_each_failure() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(CHECKING));
    env.branch_commit(&repo, "bad", "main", "broken.txt", "x\n");
    let id = env.propose(&repo, "bad", "Breaks", &["--no-test"]);
    env.run_as("Bob", &repo, &["approve", &id, "--no-apply"])
        .ok();
    let run = env.run(&repo, &["apply", "--all"]);
    run.code(3);
    assert!(
        run.stderr.contains("| cannot create the lock file"),
        "{}",
        run.stderr
    );
    let _ = PASSING;
}

#[test]
fn a_proposal_on_an_older_tip_is_marked_and_approve_says_what_happened() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    // A branch from the current main, then main moves before the proposal.
    env.branch_commit(&repo, "old", "main", "old.txt", "old\n");
    env.commit_on_main(&repo, &[("moved.txt", "m\n")], "main moves on");
    let tip = env.git(&repo, &["rev-parse", "main"]);
    let run = env.run(&repo, &["propose", "old", "-m", "On an older main"]);
    run.ok();
    assert!(
        run.stderr.contains("needs a rebase before it can land"),
        "{}",
        run.stderr
    );
    let id = run
        .stdout
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_end_matches(':')
        .to_string();

    let list = env.run(&repo, &["list"]);
    assert!(list.stdout.contains("[needs rebase]"), "{}", list.stdout);
    let status = env.run(&repo, &["status"]);
    assert!(
        status.stdout.contains("[needs rebase]"),
        "{}",
        status.stdout
    );
    let j = env.run(&repo, &["status", "--json"]).json();
    assert_eq!(j["needs_rebase"][0], id.as_str());
    let show = env.run(&repo, &["show", &id]);
    assert!(
        show.stdout.contains("needs rebase: main is at"),
        "{}",
        show.stdout
    );
    assert_eq!(
        env.run(&repo, &["show", &id, "--json"]).json()["needs_rebase"],
        true
    );

    // approve names what happened: main did not move, the head is behind it.
    let before = env.refs(&repo);
    let run = env.run_as("Bob", &repo, &["approve", &id]);
    run.code(4);
    assert!(
        run.stderr.contains("its head is based on")
            && run.stderr.contains(&format!("main is at {}", &tip[..10]))
            && run.stderr.contains("--rebase"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("moved to"), "{}", run.stderr);
    assert_eq!(env.refs(&repo), before);

    // approve --rebase rebases, then approves and lands.
    let run = env.run_as("Bob", &repo, &["approve", &id, "--rebase"]);
    run.ok();
    assert!(run.stderr.contains("rebased"), "{}", run.stderr);
    assert!(run.stdout.starts_with("applied"), "{}", run.stdout);
    let main = env.git(&repo, &["rev-parse", "main"]);
    assert_eq!(env.git(&repo, &["rev-parse", "main~1"]), tip);
    assert_ne!(main, tip);
    // The landing is proven (the commit made around the queue above is not).
    env.run(&repo, &["verify", "--since", &tip]).ok();
    let list = env.run(&repo, &["list", "--all"]);
    assert!(!list.stdout.contains("[needs rebase]"), "{}", list.stdout);
}
