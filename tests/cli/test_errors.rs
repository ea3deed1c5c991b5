//! Bad input: one clear line, the documented exit code, nothing half-written.

use crate::common::{TestEnv, PASSING};

fn one_error_line(stderr: &str) {
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "expected one error line:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn unknown_invalid_and_escaping_ids() {
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    let before = env.refs(&repo);
    for (args, code) in [
        (vec!["show", "deadbeef"], 6),
        (vec!["approve", "deadbeef"], 6),
        (vec!["reject", "deadbeef"], 6),
        (vec!["diff", "deadbeef"], 6),
        (vec!["log", "deadbeef"], 6),
        (vec!["show", "../../heads/main"], 2),
        (vec!["approve", "a/b"], 2),
        (vec!["reject", "x.lock"], 2),
        (vec!["show", "a\nb"], 2),
        (vec!["show", ""], 2),
    ] {
        let run = env.run(&repo, &args);
        run.code(code);
        one_error_line(&run.stderr);
    }
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let run = env.run(&repo, &["propose", "f", "-m", "x", "--id", "../escape"]);
    run.code(2);
    let after = env.refs(&repo);
    assert_eq!(before.lines().filter(|l| l.contains("upgrade")).count(), 0);
    assert_eq!(after.lines().filter(|l| l.contains("upgrade")).count(), 0);
}

#[test]
fn proposing_nothing_new_is_refused() {
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    let run = env.run(&repo, &["propose", "main", "-m", "same"]);
    run.code(2);
    assert!(run.stderr.contains("nothing to propose"));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    env.git(&repo, &["reset", "-q", "--hard", "f"]);
    let old = env.git(&repo, &["rev-parse", "main~1"]);
    let run = env.run(&repo, &["propose", &old, "-m", "behind"]);
    run.code(2);
    one_error_line(&run.stderr);
    let run = env.run(&repo, &["propose", "f", "-m", "   "]);
    run.code(2);
    let run = env.run(&repo, &["propose", "no-such-rev", "-m", "x"]);
    run.code(2);
    one_error_line(&run.stderr);
    assert_eq!(
        env.git(&repo, &["for-each-ref", "refs/upgrades/", "refs/notes/"]),
        ""
    );
}

#[test]
fn no_such_target_and_not_a_repository() {
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let run = env.run(&repo, &["propose", "f", "-m", "x", "--target", "nope"]);
    run.code(1);
    assert!(
        run.stderr.contains("no such target branch"),
        "{}",
        run.stderr
    );
    let run = env.run(&repo, &["propose", "f", "-m", "x", "--target", "bad..name"]);
    run.code(2);
    let outside = env.path().join("plain");
    std::fs::create_dir_all(&outside).unwrap();
    let mut cmd = env.cmd(&outside, &["list"]);
    cmd.env("GIT_CEILING_DIRECTORIES", env.path());
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a git repository"));
}

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    env.run(&repo, &["propose"]).code(2);
    env.run(&repo, &["frobnicate"]).code(2);
    env.run(&repo, &["list", "--state", "bogus"]).code(2);
    env.run(&repo, &["--version"]).ok();
    env.run(&repo, &["--help"]).ok();
}

#[test]
fn a_damaged_record_is_reported_and_the_rest_still_lists() {
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    let good = env.propose(&repo, "a", "Good", &["--no-test"]);
    let bad = env.propose(&repo, "b", "Bad", &["--no-test"]);
    // Overwrite the bad one's note with garbage, with plain git.
    let head = env.git(&repo, &["rev-parse", "b"]);
    env.git(
        &repo,
        &[
            "notes",
            &format!("--ref=upgrades/{bad}"),
            "add",
            "-f",
            "-m",
            "{ not json",
            &head,
        ],
    );
    // And a note ref that is not ours at all.
    env.git(
        &repo,
        &[
            "notes",
            "--ref=upgrades/stranger",
            "add",
            "-m",
            "hello",
            &head,
        ],
    );
    let run = env.run(&repo, &["list", "--json"]);
    run.ok();
    let items = run.json();
    let items = items.as_array().unwrap();
    assert!(items
        .iter()
        .any(|i| i["id"] == good.as_str() && i["state"] == "proposed"));
    assert!(items
        .iter()
        .any(|i| i["id"] == bad.as_str() && i["state"].is_null() && i["error"].is_string()));
    let human = env.run(&repo, &["list"]);
    assert!(human.stdout.contains(&good));
    assert!(
        human.stderr.contains(&bad) && human.stderr.contains("damaged"),
        "{}",
        human.stderr
    );
    let run = env.run(&repo, &["show", &bad]);
    run.code(1);
    one_error_line(&run.stderr);
    let before = env.refs(&repo);
    env.run_as("Bob", &repo, &["approve", &bad]).code(1);
    assert_eq!(env.refs(&repo), before);
    env.run_as("Bob", &repo, &["approve", &good]).ok();
}

#[test]
fn size_limit_is_enforced_at_propose() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some("[policy]\nmax_diff_lines = 10\n"));
    let big: String = (0..11).map(|i| format!("{i}\n")).collect();
    env.branch_commit(&repo, "big", "main", "big.txt", &big);
    let run = env.run(&repo, &["propose", "big", "-m", "Too big"]);
    run.code(5);
    assert!(run.stderr.contains("11 changed lines"), "{}", run.stderr);
    assert_eq!(
        env.git(&repo, &["for-each-ref", "refs/upgrades/", "refs/notes/"]),
        ""
    );
}

#[test]
fn unknown_identity_is_a_clear_error() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let mut cmd = env.cmd(&repo, &["propose", "f", "-m", "x"]);
    for var in [
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("EMAIL", "");
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("identity"));
}

#[test]
fn unknown_revisions_are_one_line_naming_them() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "fix", "main", "a.txt", "a\n");
    let before = env.refs(&repo);
    for (args, rev) in [
        (
            vec!["propose", "no-such-branch", "-m", "x"],
            "no-such-branch",
        ),
        (vec!["propose", "main~5", "-m", "x"], "main~5"),
        (vec!["verify", "no-such"], "no-such"),
        (vec!["verify", "main", "--since", "no-such"], "no-such"),
        (vec!["verify", "HEAD~99", "--target", "main"], "HEAD~99"),
    ] {
        let run = env.run(&repo, &args);
        run.code(2);
        one_error_line(&run.stderr);
        let error = run.stderr.lines().next().unwrap();
        assert_eq!(
            error,
            format!("error: unknown revision {rev:?}"),
            "{args:?}"
        );
        // None of the library's wording (how it searched) reaches the user.
        for raw in ["NotFound", "input=", "delegate", "couldn't parse"] {
            assert!(!run.stderr.contains(raw), "{args:?}: {}", run.stderr);
        }
    }
    // A revision that names something other than a commit.
    for args in [
        vec!["propose", "fix:a.txt", "-m", "x"],
        vec!["verify", "fix:a.txt"],
    ] {
        let run = env.run(&repo, &args);
        run.code(2);
        one_error_line(&run.stderr);
        assert!(
            run.stderr
                .starts_with("error: \"fix:a.txt\" is not a commit (it names a blob)"),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(env.refs(&repo), before);
}

#[test]
fn proposing_a_pending_change_again_is_refused_naming_it() {
    let env = TestEnv::new();
    let (_hub, c) = crate::common::forge::hub(&env, PASSING, 2);
    let repo = &c[0];
    // The working tree's change, twice.
    std::fs::write(repo.join("wt.txt"), "change\n").unwrap();
    let first = env.run(
        repo,
        &["propose", "--worktree", "-m", "First", "--no-test", "-q"],
    );
    let id = first.ok().trim().to_string();
    let before = env.refs(repo);
    let run = env.run(repo, &["propose", "--worktree", "-m", "Again", "--no-test"]);
    run.code(2);
    one_error_line(&run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "error: nothing to propose: upgrade {id} already proposes this change"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(env.refs(repo), before);
    assert_eq!(
        std::fs::read_to_string(repo.join("wt.txt")).unwrap(),
        "change\n"
    );

    // A branch, twice: the same rule (the same files on the same base).
    env.branch_commit(repo, "fix", "main", "fix.txt", "fix\n");
    let fix = env.propose(repo, "fix", "Fix", &["--no-test"]);
    let run = env.run(repo, &["propose", "fix", "-m", "Fix again", "--no-test"]);
    run.code(2);
    assert!(
        run.stderr.contains(&format!("upgrade {fix} already")),
        "{}",
        run.stderr
    );

    // Once it is closed, the change can be proposed again.
    env.run_as("Bob", repo, &["reject", &fix, "-m", "redo"])
        .ok();
    env.propose(repo, "fix", "Fix, take two", &["--no-test"]);

    // A pending change pulled from another clone counts too.
    env.run(repo, &["push"]).ok();
    env.run(&c[1], &["pull"]).ok();
    std::fs::write(c[1].join("wt.txt"), "change\n").unwrap();
    let run = env.run(&c[1], &["propose", "--worktree", "-m", "Same", "--no-test"]);
    run.code(2);
    assert!(
        run.stderr.contains(&format!("upgrade {id} already")),
        "{}",
        run.stderr
    );
}

#[test]
fn an_ambiguous_short_id_is_named_as_such() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    // Enough blobs that two share their first four hex digits.
    let dir = env.path().join("blobs");
    std::fs::create_dir_all(&dir).unwrap();
    let mut paths = Vec::new();
    for n in 0..1500 {
        let p = dir.join(n.to_string());
        std::fs::write(&p, format!("{n}\n")).unwrap();
        paths.push(p.to_string_lossy().into_owned());
    }
    let mut args = vec!["hash-object", "-w", "--"];
    args.extend(paths.iter().map(String::as_str));
    let ids = env.git(&repo, &args);
    let mut seen = std::collections::HashSet::new();
    let prefix = ids
        .lines()
        .map(|id| id[..4].to_string())
        .find(|p| !seen.insert(p.clone()))
        .expect("1500 objects share a four-digit prefix");
    let before = env.refs(&repo);
    for args in [
        vec!["propose", prefix.as_str(), "-m", "x"],
        vec!["verify", prefix.as_str()],
    ] {
        let run = env.run(&repo, &args);
        run.code(2);
        one_error_line(&run.stderr);
        assert_eq!(
            run.stderr.lines().next().unwrap(),
            format!("error: ambiguous revision {prefix:?}"),
            "{args:?}"
        );
        assert!(!run.stderr.contains("Candidates"), "{}", run.stderr);
    }
    assert_eq!(env.refs(&repo), before);
}
