//! The lifecycle end to end, checked with plain git.

use crate::common::{TestEnv, PASSING};

#[test]
fn propose_approve_lands_and_plain_git_sees_everything() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    let head = env.branch_commit(&repo, "fix", "main", "src/lib.txt", "one\ntwo\n");
    let before_main = env.git(&repo, &["rev-parse", "main"]);

    let run = env.run(
        &repo,
        &[
            "propose",
            "fix",
            "-m",
            "Fix bug in task assignment",
            "--json",
        ],
    );
    let j = run.json();
    run.ok();
    let id = j["id"].as_str().unwrap().to_string();
    assert_eq!(j["state"], "proposed");
    assert_eq!(j["head"], head.as_str());
    assert_eq!(j["base"], before_main.as_str());
    assert_eq!(j["target"], "main");
    assert_eq!(j["proposed_by"], "Alice <alice@example.com>");
    assert_eq!(j["files"][0]["path"], "src/lib.txt");
    assert_eq!(j["files"][0]["added"], 2);
    assert_eq!(j["tests"]["passed"], true);
    assert_eq!(j["tests"]["commit"], head.as_str());
    assert!(j["proposed_at"].as_str().unwrap().ends_with('Z'));

    // The open queue is exactly refs/upgrades/.
    let open = env.git(
        &repo,
        &[
            "for-each-ref",
            "--format=%(refname) %(objectname)",
            "refs/upgrades/",
        ],
    );
    assert_eq!(open, format!("refs/upgrades/{id} {head}"));
    // The note on the head is a short block; the record is beside it, both
    // readable with plain git.
    let note = env.git(
        &repo,
        &["notes", &format!("--ref=upgrades/{id}"), "show", &head],
    );
    assert!(
        note.starts_with(&format!("Upgrade: {id} proposed (main)")),
        "{note}"
    );
    let record = env.git(
        &repo,
        &["show", &format!("refs/notes/upgrades/{id}:record.json")],
    );
    assert!(record.contains("\"state\": \"proposed\""), "{record}");
    // The event chain is the audit trail.
    let log = env.git(
        &repo,
        &["log", "--format=%s", &format!("refs/notes/upgrades/{id}")],
    );
    assert!(
        log.contains(&format!("upgrade.proposed {id}: Fix bug")),
        "{log}"
    );
    assert!(log.contains("upgrade.tested"), "{log}");

    // The branch moving afterwards changes nothing that was reviewed.
    env.branch_commit(&repo, "fix", "fix", "later.txt", "later\n");

    let run = env.run_as(
        "Bob",
        &repo,
        &["approve", &id[..4], "-m", "looks good", "--json"],
    );
    let j = run.json();
    run.ok();
    assert_eq!(j["state"], "applied");
    assert_eq!(j["approvals"][0]["by"], "Bob <bob@example.com>");
    assert_eq!(j["landing"]["previous_target"], before_main.as_str());
    assert_eq!(env.git(&repo, &["rev-parse", "main"]), head);
    // The checked-out main worktree was brought along and is clean.
    assert_eq!(
        std::fs::read_to_string(repo.join("src/lib.txt")).unwrap(),
        "one\ntwo\n"
    );
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");

    // Closed: out of the queue, still readable; git log on main shows the approval.
    assert_eq!(env.git(&repo, &["for-each-ref", "refs/upgrades/"]), "");
    let shown = env.git(&repo, &["log", "-1", "--notes=upgrades/*", "main"]);
    assert!(
        shown.contains("Approved-by: Bob <bob@example.com>")
            && shown.contains(&format!("Upgrade: {id} applied (main)")),
        "{shown}"
    );

    let events: Vec<String> = env
        .run(&repo, &["log", &id, "--json"])
        .ok()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["event"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        events,
        [
            "upgrade.proposed",
            "upgrade.tested",
            "upgrade.approved",
            "upgrade.tested",
            "upgrade.applied"
        ]
    );
    env.fsck(&repo);
    env.git(&repo, &["gc", "-q", "--prune=now"]);
    env.fsck(&repo);
    let show = env.run(&repo, &["show", &id, "--json"]).json();
    assert_eq!(show["state"], "applied");
    assert_eq!(show["events"].as_array().unwrap().len(), 5);
}

#[test]
fn reject_deletes_the_branch_ref_and_keeps_the_record() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    let head = env.branch_commit(&repo, "idea", "main", "x.txt", "x\n");
    let id = env.propose(&repo, "idea", "An idea", &["--no-test"]);
    env.git(&repo, &["branch", "-D", "idea"]);
    let run = env.run_as("Bob", &repo, &["reject", &id, "-m", "not now", "--json"]);
    let j = run.json();
    run.ok();
    assert_eq!(j["state"], "rejected");
    assert_eq!(j["closed"]["reason"], "not now");
    assert_eq!(env.git(&repo, &["for-each-ref", "refs/upgrades/"]), "");
    env.git(&repo, &["gc", "-q", "--prune=now"]);
    env.fsck(&repo);
    // The reviewed commit survives gc and the record is still a readable note.
    assert_eq!(env.git(&repo, &["cat-file", "-t", &head]), "commit");
    let note = env.git(
        &repo,
        &["notes", &format!("--ref=upgrades/{id}"), "show", &head],
    );
    assert!(
        note.contains("Rejected-by: Bob <bob@example.com>"),
        "{note}"
    );
    let record = env.git(
        &repo,
        &["show", &format!("refs/notes/upgrades/{id}:record.json")],
    );
    assert!(record.contains("\"state\": \"rejected\""));
    let listed = env.run(&repo, &["list", "--all", "--json"]).json();
    assert_eq!(listed[0]["state"], "rejected");
    assert_eq!(
        env.run(&repo, &["list", "--json"])
            .json()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // Diff still works after the branch and the open ref are gone.
    assert!(env.run(&repo, &["diff", &id]).ok().contains("+x"));
    // A rejected upgrade cannot be approved or rejected again.
    env.run_as("Bob", &repo, &["approve", &id]).code(1);
    env.run_as("Bob", &repo, &["reject", &id]).code(1);
}

#[test]
fn failing_tests_mark_failed_and_leave_the_target_alone() {
    let env = TestEnv::new();
    let policy = "[test]\ncommand = \"echo checking; test ! -f broken.txt\"\ntimeout = \"1m\"\n";
    let repo = env.repo("r", Some(policy));
    env.branch_commit(&repo, "bad", "main", "broken.txt", "x\n");
    let main_before = env.git(&repo, &["rev-parse", "main"]);
    let run = env.run(&repo, &["propose", "bad", "-m", "Breaks things", "--json"]);
    run.code(3);
    let id = run.json()["id"].as_str().unwrap().to_string();
    assert_eq!(run.json()["tests"]["passed"], false);
    assert_eq!(run.json()["tests"]["exit_code"], 1);

    let run = env.run_as("Bob", &repo, &["approve", &id, "--json"]);
    run.code(3);
    let j = run.json();
    assert_eq!(j["state"], "failed");
    assert!(j["tests"]["output"].as_str().unwrap().contains("checking"));
    assert_eq!(env.git(&repo, &["rev-parse", "main"]), main_before);
    assert_eq!(env.git(&repo, &["for-each-ref", "refs/upgrades/"]), "");
    env.run_as("Bob", &repo, &["approve", &id]).code(1);
    env.fsck(&repo);
}

#[test]
fn a_proposal_cannot_change_its_own_test_command() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some("[test]\ncommand = \"false\"\n"));
    env.branch_commit(
        &repo,
        "sneaky",
        "main",
        ".upgrades.toml",
        "[test]\ncommand = \"true\"\n",
    );
    let run = env.run(
        &repo,
        &["propose", "sneaky", "-m", "Relax the tests", "--json"],
    );
    run.code(3);
    assert_eq!(run.json()["policy_change"], true);
    assert_eq!(run.json()["tests"]["command"], "false");
}

#[test]
fn target_moved_is_a_conflict_that_changes_nothing() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let id = env.propose(&repo, "a", "Change A", &["--no-test"]);
    // main moves on by another route.
    std::fs::write(repo.join("other.txt"), "other\n").unwrap();
    env.git(&repo, &["add", "-A"]);
    env.git(&repo, &["commit", "-q", "-m", "direct commit"]);
    let before = env.refs(&repo);
    let run = env.run_as("Bob", &repo, &["approve", &id, "--no-apply"]);
    run.ok();
    let before_land = env.refs(&repo);
    assert_ne!(before, before_land, "the approval itself is recorded");
    let run = env.run_as("Bob", &repo, &["approve", &id]);
    run.code(4);
    assert!(
        run.stderr.contains("its head is based on") && run.stderr.contains("needs rebase"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    assert_eq!(env.refs(&repo), before_land);
}

#[test]
fn no_policy_file_means_tests_not_configured() {
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let run = env.run(&repo, &["propose", "f", "-m", "No tests here", "--json"]);
    run.ok();
    assert_eq!(run.json()["tests"]["status"], "not-configured");
    assert!(run.json()["tests"]["passed"].is_null());
    let id = run.json()["id"].as_str().unwrap().to_string();
    assert!(env
        .run(&repo, &["show", &id])
        .ok()
        .contains("not configured"));
    env.run_as("Bob", &repo, &["approve", &id]).ok();
    assert_eq!(
        env.run(&repo, &["show", &id, "--json"]).json()["state"],
        "applied"
    );
}

#[test]
fn hanging_tests_are_killed_at_the_timeout() {
    let env = TestEnv::new();
    let repo = env.repo(
        "r",
        Some("[test]\ncommand = \"sleep 60\"\ntimeout = \"1s\"\n"),
    );
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "Slow", &["--no-test"]);
    let started = std::time::Instant::now();
    let run = env.run_as("Bob", &repo, &["approve", &id, "--json"]);
    run.code(3);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(run.json()["tests"]["status"], "timed-out");
    assert_eq!(run.json()["state"], "failed");
}

#[test]
fn missing_test_command_fails_cleanly() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some("[test]\ncommand = \"no-such-command-xyz\"\n"));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let run = env.run(&repo, &["propose", "f", "-m", "x", "--json"]);
    run.code(3);
    assert_eq!(run.json()["tests"]["exit_code"], 127);
}

#[test]
fn dirty_checked_out_target_is_refused_and_clean_one_updated() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "README.md", "changed\n");
    let id = env.propose(&repo, "f", "Edit readme", &["--no-test"]);
    std::fs::write(repo.join("README.md"), "local edit\n").unwrap();
    let before = env.refs(&repo);
    let run = env.run_as("Bob", &repo, &["approve", &id]);
    run.code(4);
    assert!(run.stderr.contains("local changes"), "{}", run.stderr);
    // The approval was recorded before landing; the target did not move.
    assert_eq!(
        env.git(&repo, &["rev-parse", "main"]),
        before
            .lines()
            .find(|l| l.starts_with("refs/heads/main"))
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
    );
    env.git(&repo, &["checkout", "--", "README.md"]);
    env.run_as("Bob", &repo, &["approve", &id]).ok();
    assert_eq!(
        std::fs::read_to_string(repo.join("README.md")).unwrap(),
        "changed\n"
    );
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn linked_worktree_on_target_is_updated() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.git(&repo, &["checkout", "-q", "--detach"]);
    let wt = env.path().join("wt");
    env.git(
        &repo,
        &["worktree", "add", "-q", wt.to_str().unwrap(), "main"],
    );
    env.branch_commit(&repo, "f", "main", "new.txt", "new\n");
    let id = env.propose(&wt, "f", "Add file", &["--no-test"]);
    env.run_as("Bob", &wt, &["approve", &id]).ok();
    assert_eq!(
        std::fs::read_to_string(wt.join("new.txt")).unwrap(),
        "new\n"
    );
    assert_eq!(env.git(&wt, &["status", "--porcelain"]), "");
}

#[test]
fn bare_repository_and_git_dir_work() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "new.txt", "new\n");
    let bare = env.path().join("bare.git");
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            "--bare",
            repo.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    let id = env.propose(&bare, "f", "From a bare repo", &[]);
    env.run_as("Bob", &bare, &["approve", &id]).ok();
    assert_eq!(
        env.git(&bare, &["rev-parse", "main"]),
        env.git(&repo, &["rev-parse", "f"])
    );
    // GIT_DIR and git -C are honoured.
    let mut cmd = env.cmd(env.path(), &["list", "--all", "--json"]);
    cmd.env("GIT_DIR", &bare);
    let out = cmd.output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&id));
    let run = env.git_run(
        env.path(),
        &["-C", bare.to_str().unwrap(), "upgrades", "list", "--all"],
    );
    if crate::common::next_defaults() {
        // With safe.bareRepository=explicit, a bare repository found by
        // searching is refused, as git refuses it; named, it works.
        run.code(2);
        assert!(run.stderr.contains("safe.bareRepository"), "{}", run.stderr);
        let git_dir = format!("--git-dir={}", bare.display());
        let run = env.git_run(env.path(), &[&git_dir, "upgrades", "list", "--all"]);
        assert!(run.ok().contains(&id));
    } else {
        assert!(run.ok().contains(&id));
    }
    env.fsck(&bare);
}

#[test]
fn status_shows_pending_and_history() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    let a = env.propose(&repo, "a", "First change", &["--no-test"]);
    let b = env.propose(&repo, "b", "Second change", &["--no-test"]);
    env.run_as("Bob", &repo, &["reject", &b, "-m", "no"]).ok();
    let out = env.run(&repo, &[]).ok().to_string();
    assert!(out.contains("Pending upgrades (1)"), "{out}");
    assert!(out.contains(&a) && out.contains("First change"));
    assert!(
        out.contains("Recent history") && out.contains("rejected"),
        "{out}"
    );
    let s = env.run(&repo, &["status", "--json"]).json();
    assert_eq!(s["pending_count"], 1);
    assert_eq!(s["recent"][0]["id"], b.as_str());
    let ls = env.run(&repo, &["ls"]).ok().to_string();
    assert!(ls.contains("ID") && ls.contains(&a) && !ls.contains(&b));
    let rejected = env
        .run(&repo, &["list", "--state", "rejected", "--json"])
        .json();
    assert_eq!(rejected.as_array().unwrap().len(), 1);
}

#[test]
fn diff_matches_git() {
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    let lines: String = (1..40).map(|i| format!("line {i}\n")).collect();
    env.branch_commit(&repo, "base", "main", "f.txt", &lines);
    env.git(&repo, &["reset", "-q", "--hard", "base"]);
    let changed = lines
        .replace("line 5\n", "line five\n")
        .replace("line 30\n", "")
        + "tail\n";
    env.branch_commit(&repo, "f", "main", "f.txt", &changed);
    let id = env.propose(&repo, "f", "Edit", &["--no-test"]);
    let ours = env.run(&repo, &["diff", &id]).ok().to_string();
    let git = env.git(&repo, &["diff", "--no-color", "main", "f"]);
    assert_eq!(ours.trim_end(), git.trim_end());
    let stat = env.run(&repo, &["diff", &id, "--stat"]).ok().to_string();
    assert!(
        stat.contains("1 file changed, 2 insertions(+), 2 deletions(-)"),
        "{stat}"
    );
    assert_eq!(
        env.run(&repo, &["diff", &id, "--name-only"]).ok().trim(),
        "f.txt"
    );
}

#[test]
fn ids_can_be_chosen_and_prefixes_resolve() {
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    env.propose(&repo, "a", "A", &["--no-test", "--id", "fix-1"]);
    env.propose(&repo, "b", "B", &["--no-test", "--id", "fix-2"]);
    assert_eq!(
        env.run(&repo, &["show", "fix-1", "--json"]).json()["id"],
        "fix-1"
    );
    env.run(&repo, &["show", "fix"]).code(2);
    env.run(&repo, &["show", "nope"]).code(6);
    env.branch_commit(&repo, "c", "main", "c.txt", "c\n");
    let dup = env.run(
        &repo,
        &["propose", "c", "-m", "again", "--id", "fix-1", "--no-test"],
    );
    dup.code(4);
    assert!(dup.stderr.contains("already exists"));
}

#[test]
fn propose_uncommitted_changes_from_the_working_tree() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.run(&repo, &["propose", "--worktree", "-m", "nothing yet"])
        .code(2);
    std::fs::write(repo.join("README.md"), "hello, edited\n").unwrap();
    std::fs::write(repo.join("new.txt"), "new\n").unwrap();
    std::fs::write(repo.join(".gitignore"), "*.log\n").unwrap();
    std::fs::write(repo.join("debug.log"), "ignored\n").unwrap();
    let status_before = env.git(&repo, &["status", "--porcelain"]);
    let run = env.run(
        &repo,
        &[
            "propose",
            "--worktree",
            "-m",
            "Edit from the working tree",
            "--json",
        ],
    );
    run.ok();
    let j = run.json();
    let paths: Vec<&str> = j["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, [".gitignore", "README.md", "new.txt"]);
    assert_eq!(j["tests"]["passed"], true);
    // The user's index and files are untouched.
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), status_before);
    // Landing into this same checkout needs the local copy of the changes out of the way.
    let id = j["id"].as_str().unwrap().to_string();
    env.run_as("Bob", &repo, &["approve", &id]).code(4);
    env.git(&repo, &["stash", "-q", "-u"]);
    env.run_as("Bob", &repo, &["approve", &id]).ok();
    assert_eq!(
        std::fs::read_to_string(repo.join("new.txt")).unwrap(),
        "new\n"
    );
    env.fsck(&repo);
}
