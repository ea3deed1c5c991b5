//! Human output that agrees with itself: counts with the right plural,
//! closing lines that match the outcome, paging like git.

use crate::common::{TestEnv, PASSING};

#[test]
fn one_file_is_one_file() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "fix", "main", "a.txt", "a\n");
    let run = env.run(&repo, &["propose", "fix", "-m", "One file"]);
    let out = run.ok();
    assert!(out.contains("+1 -0 in 1 file "), "{out}");
    let id = env.git(
        &repo,
        &[
            "for-each-ref",
            "--format=%(refname:lstrip=2)",
            "refs/upgrades/",
        ],
    );
    let shown = env.run(&repo, &["show", &id]);
    assert!(shown.ok().contains("1 file, +1 -0"), "{}", shown.stdout);
    let stat = env.run(&repo, &["diff", &id, "--stat"]);
    assert!(
        stat.ok()
            .contains("1 file changed, 1 insertion(+), 0 deletions(-)"),
        "{}",
        stat.stdout
    );
    for out in [&run.stdout, &shown.stdout, &stat.stdout] {
        for bad in ["1 files", "1 upgrades", "1 approvals", "1 insertions"] {
            assert!(!out.contains(bad), "{bad:?} in:\n{out}");
        }
    }
}

#[test]
fn a_push_that_leaves_a_diverged_upgrade_behind_says_so() {
    let env = TestEnv::new();
    let (_hub, c) = crate::common::forge::hub(&env, PASSING, 2);
    env.branch_commit(&c[0], "a", "main", "a.txt", "a\n");
    let id = env.propose(&c[0], "a", "A", &["--no-test"]);
    env.run(&c[0], &["push"]).ok();
    env.run(&c[1], &["pull"]).ok();
    env.run_as("Bob", &c[0], &["approve", &id, "--no-apply"])
        .ok();
    env.run_as("Carol", &c[1], &["reject", &id]).ok();
    env.run(&c[0], &["push"]).ok();
    // c1's history of the upgrade diverged from the remote's: nothing of it
    // is pushed, and the closing line says that, not "up to date".
    let run = env.run(&c[1], &["push"]);
    run.code(4);
    assert!(!run.stderr.contains("up to date"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "error: nothing pushed to origin; not pushed: 1 upgrade whose history diverged from origin's ({id})"
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint: run `git upgrades sync origin`"));
    // With something else to push, what went and what did not are both named.
    env.branch_commit(&c[1], "b", "main", "b.txt", "b\n");
    env.propose(&c[1], "b", "B", &["--no-test"]);
    let run = env.run(&c[1], &["push"]);
    run.code(4);
    assert!(
        run.stderr
            .contains("error: pushed to origin: 2 refs updated; not pushed: 1 upgrade"),
        "{}",
        run.stderr
    );
    let run = env.run(&c[1], &["sync"]);
    run.ok();
    let run = env.run(&c[1], &["push"]);
    run.ok();
    assert!(
        run.stderr.contains("origin is up to date"),
        "{}",
        run.stderr
    );
}

#[test]
fn show_is_paged_on_a_terminal_and_not_when_piped() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "fix", "main", "a.txt", "a\n");
    let id = env.propose(&repo, "fix", "Paged", &["--no-test"]);
    // Piped: no pager (it would add the marker).
    let mut cmd = env.cmd(&repo, &["show", &id]);
    cmd.env("GIT_PAGER", "sed s/^/PAGED:/");
    let out = cmd.output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(
        text.contains(&format!("upgrade {id}")) && !text.contains("PAGED:"),
        "{text}"
    );
    // A terminal: through the pager, as `git show` is.
    let mut cmd = env.cmd(&repo, &["show", &id]);
    cmd.env("GIT_PAGER", "sed s/^/PAGED:/");
    let pty = crate::common::pty::Pty::spawn(cmd);
    pty.expect(&format!("PAGED:upgrade {id}"), 0);
    assert_eq!(pty.wait(), 0);
    // JSON is never paged.
    let mut cmd = env.cmd(&repo, &["show", &id, "--json"]);
    cmd.env("GIT_PAGER", "sed s/^/PAGED:/");
    let pty = crate::common::pty::Pty::spawn(cmd);
    pty.expect("\"format\"", 0);
    let screen = pty.screen();
    assert_eq!(pty.wait(), 0);
    assert!(!screen.contains("PAGED:"), "{screen}");
}
