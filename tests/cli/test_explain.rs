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
