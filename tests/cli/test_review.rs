//! Review as a conversation: revisions, line comments, change requests and
//! inter-diffs, with real git, checked with plain git. This file: revisions;
//! the rest in `test_review/`.

mod comments;
mod requests;
mod sync;
mod tui;

use crate::common::{TestEnv, PASSING};

/// A repository with the passing policy and an upgrade `u1` proposing
/// `src/app.txt` (five lines) on branch `feat`; returns (repo, head).
pub(super) fn proposed(env: &TestEnv) -> (std::path::PathBuf, String) {
    let repo = env.repo("r", Some(PASSING));
    let head = env.branch_commit(
        &repo,
        "feat",
        "main",
        "src/app.txt",
        "one\ntwo\nthree\nfour\nfive\n",
    );
    env.run(
        &repo,
        &[
            "propose",
            "feat",
            "-m",
            "Add the app",
            "--id",
            "u1",
            "--no-test",
        ],
    )
    .ok();
    (repo, head)
}

pub(super) fn show(env: &TestEnv, repo: &std::path::Path) -> serde_json::Value {
    env.run(repo, &["show", "u1", "--json"]).json()
}

#[test]
fn an_update_with_new_content_voids_approvals_and_keeps_every_revision() {
    let env = TestEnv::new();
    let (repo, first) = proposed(&env);
    env.run_as("Bob", &repo, &["approve", "u1", "--no-apply"])
        .ok();
    assert_eq!(show(&env, &repo)["state"], "approved");

    let second = env.branch_commit(
        &repo,
        "feat",
        "feat",
        "src/app.txt",
        "one\nTWO\nthree\nfour\nfive\n",
    );
    let run = env.run(
        &repo,
        &["update", "u1", "feat", "-m", "two is louder", "--json"],
    );
    run.ok();
    let j = run.json();
    assert_eq!(j["update"]["revision"], 2);
    assert_eq!(j["update"]["approvals_kept"], false);
    assert_eq!(j["update"]["approvals_void"], 1);
    assert_eq!(j["state"], "proposed");
    assert_eq!(j["head"], second.as_str());
    assert_eq!(j["tests"]["passed"], true, "tests ran on the new head");

    // The queue ref moved; every revision is in the record.
    assert_eq!(env.git(&repo, &["rev-parse", "refs/upgrades/u1"]), second);
    let j = show(&env, &repo);
    let revs = j["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[0]["head"], first.as_str());
    assert_eq!(revs[0]["kind"], "proposed");
    assert_eq!(revs[1]["head"], second.as_str());
    assert_eq!(revs[1]["kind"], "updated");
    assert_eq!(revs[1]["note"], "two is louder");
    assert_eq!(j["approval_status"]["valid"], 0);

    // Plain git: the event is in the chain, the display block counts revisions.
    let log = env.git(&repo, &["log", "--format=%s", "refs/notes/upgrades/u1"]);
    assert!(log.contains("upgrade.revised u1"), "{log}");
    let note = env.git(&repo, &["notes", "--ref=upgrades/u1", "show", &second]);
    assert!(
        note.contains("Revisions: 2 (this commit is revision 2)"),
        "{note}"
    );

    // The human view says the old approval is void.
    let out = env.run(&repo, &["show", "u1"]).ok().to_string();
    assert!(out.contains("Revision   2 of 2"), "{out}");
    assert!(out.contains("void"), "{out}");

    // Bob approves the second revision: it lands exactly that head.
    env.run_as("Bob", &repo, &["approve", "u1"]).ok();
    assert_eq!(env.git(&repo, &["rev-parse", "main"]), second);
    // `git log` on the landed commit says how many revisions it took.
    let log = env.git(&repo, &["log", "-1", "--notes=upgrades/*", "main"]);
    assert!(
        log.contains("Revisions: 2 (this commit is revision 2)"),
        "{log}"
    );
    assert!(log.contains("Approved-by: Bob <bob@example.com>"), "{log}");
    env.fsck(&repo);
}

#[test]
fn an_update_that_is_a_pure_rebase_keeps_the_approval() {
    let env = TestEnv::new();
    let (repo, _) = proposed(&env);
    env.run_as("Bob", &repo, &["approve", "u1", "--no-apply"])
        .ok();
    // main moves on; the proposer rebases the branch (same patch) and updates.
    env.commit_on_main(&repo, &[("other.txt", "other\n")], "elsewhere");
    env.git(&repo, &["checkout", "-q", "feat"]);
    env.git(&repo, &["rebase", "-q", "main"]);
    let rebased = env.git(&repo, &["rev-parse", "HEAD"]);
    env.git(&repo, &["checkout", "-q", "main"]);
    let j = env.run(&repo, &["update", "u1", "feat", "--json"]).json();
    assert_eq!(j["update"]["approvals_kept"], true);
    assert_eq!(j["state"], "approved");
    assert!(j["approvals"][1]["carried_from"].is_string());
    // Bob's approval still counts: applying lands the rebased head.
    env.run_as("Carol", &repo, &["apply", "u1"]).ok();
    assert_eq!(env.git(&repo, &["rev-parse", "main"]), rebased);
}

#[test]
fn reviewed_heads_stay_readable_after_gc() {
    let env = TestEnv::new();
    let (repo, first) = proposed(&env);
    let first_tree = env.git(&repo, &["rev-parse", &format!("{first}^{{tree}}")]);
    // A rewritten revision: the first head is no longer on any branch.
    env.git(&repo, &["checkout", "-q", "feat"]);
    std::fs::write(repo.join("src/app.txt"), "one\n2\nthree\nfour\nfive\n").unwrap();
    env.git(&repo, &["commit", "-q", "-a", "--amend", "-m", "amended"]);
    env.git(&repo, &["checkout", "-q", "main"]);
    env.run(&repo, &["update", "u1", "feat", "--no-test"]).ok();
    env.git(&repo, &["reflog", "expire", "--expire=now", "--all"]);
    env.git(&repo, &["gc", "-q", "--prune=now"]);
    env.fsck(&repo);
    // The first revision's tree is kept by the event chain, by name.
    let kept = env.git(
        &repo,
        &[
            "rev-parse",
            &format!("refs/notes/upgrades/u1:revisions/{first}"),
        ],
    );
    assert_eq!(kept, first_tree);
    assert_eq!(env.git(&repo, &["cat-file", "-t", &kept]), "tree");
    // The first head itself is gone, yet the revisions still compare.
    assert_ne!(env.git_run(&repo, &["cat-file", "-t", &first]).code, 0);
    let out = env
        .run(&repo, &["diff", "u1", "--revisions", "1..2"])
        .ok()
        .to_string();
    assert!(out.contains("-two\n+2\n"), "{out}");
}

#[test]
fn inter_diffs_show_what_changed_between_revisions() {
    let env = TestEnv::new();
    let (repo, _) = proposed(&env);
    let five = |two: &str, four: &str| format!("one\n{two}\nthree\n{four}\nfive\n");
    env.branch_commit(&repo, "feat", "feat", "src/app.txt", &five("TWO", "four"));
    env.run(&repo, &["update", "u1", "feat", "--no-test"]).ok();
    // Same base: the tree diff between the heads, nothing else.
    let out = env
        .run(&repo, &["diff", "u1", "--since", "1"])
        .ok()
        .to_string();
    assert!(out.contains("-two\n+TWO\n"), "{out}");
    assert!(!out.contains("-four") && !out.contains("+four"), "{out}");
    let j = env
        .run(&repo, &["diff", "u1", "--since", "1", "--json"])
        .json();
    assert_eq!(j["mode"], "tree");
    assert_eq!(j["from"]["revision"], 1);
    assert_eq!(j["to"]["revision"], 2);
    assert_eq!(j["stats"]["added"], 1);
    // Coloured like diff.
    let out = env
        .run(&repo, &["diff", "u1", "--since", "1", "--color", "always"])
        .ok()
        .to_string();
    assert!(out.contains("\x1b[31m-"), "{out:?}");

    // The target moves on; revision 3 is rebased onto it and changes line 4.
    env.commit_on_main(&repo, &[("other.txt", "other\n")], "elsewhere");
    env.git(&repo, &["checkout", "-q", "feat"]);
    env.git(&repo, &["rebase", "-q", "main"]);
    std::fs::write(repo.join("src/app.txt"), five("TWO", "FOUR")).unwrap();
    env.git(&repo, &["commit", "-q", "-a", "-m", "four too"]);
    env.git(&repo, &["checkout", "-q", "main"]);
    env.run(&repo, &["update", "u1", "feat", "--no-test"]).ok();
    // Different bases: the two changes are compared, not the trees.
    let j = env
        .run(&repo, &["diff", "u1", "--revisions", "2..3", "--json"])
        .json();
    assert_eq!(j["mode"], "patches");
    let diff = j["diff"].as_str().unwrap();
    assert!(diff.contains("-+four\n++FOUR\n"), "{diff}");
    assert!(
        !diff.contains("other.txt"),
        "the target's own change is not the upgrade's: {diff}"
    );
    assert_eq!(j["files"][0]["path"], "src/app.txt");
    let names = env
        .run(&repo, &["diff", "u1", "--revisions", "1..", "--name-only"])
        .ok()
        .to_string();
    assert_eq!(names.trim(), "src/app.txt");
    // Bad ranges are usage errors.
    env.run(&repo, &["diff", "u1", "--revisions", "3..3"])
        .code(2);
    env.run(&repo, &["diff", "u1", "--revisions", "1..9"])
        .code(2);
    env.run(&repo, &["diff", "u1", "--revisions", "x"]).code(2);
    env.run(&repo, &["diff", "u1", "--since", "3"]).code(2);
}

#[test]
fn update_refuses_closed_upgrades_and_other_people_writing_nothing() {
    let env = TestEnv::new();
    let (repo, _) = proposed(&env);
    env.branch_commit(&repo, "feat", "feat", "src/app.txt", "changed\n");
    let before = env.refs(&repo);
    // Not the proposer: denied by policy (exit 5).
    let run = env.run_as("Mallory", &repo, &["update", "u1", "feat"]);
    run.code(5);
    assert!(run.stderr.contains("only the proposer"), "{}", run.stderr);
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count(),
        1
    );
    assert_eq!(env.refs(&repo), before);
    // Nothing new.
    let run = env.run(&repo, &["update", "u1", "refs/upgrades/u1"]);
    run.code(2);
    assert_eq!(env.refs(&repo), before);
    // Closed: exit 1.
    env.run_as("Bob", &repo, &["reject", "u1", "-m", "no"]).ok();
    let before = env.refs(&repo);
    let run = env.run(&repo, &["update", "u1", "feat"]);
    run.code(1);
    assert!(
        run.stderr
            .contains("is rejected; only open upgrades can be updated"),
        "{}",
        run.stderr
    );
    assert_eq!(env.refs(&repo), before);
}
