//! Review as a conversation: revisions, line comments, change requests and
//! inter-diffs, with real git, checked with plain git.

use crate::common::{TestEnv, PASSING};

/// A repository with the passing policy and an upgrade `u1` proposing
/// `src/app.txt` (five lines) on branch `feat`; returns (repo, head).
fn proposed(env: &TestEnv) -> (std::path::PathBuf, String) {
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

fn show(env: &TestEnv, repo: &std::path::Path) -> serde_json::Value {
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

/// The comment object of `show --json` whose text is `text`.
fn comment_of(j: &serde_json::Value, text: &str) -> serde_json::Value {
    j["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["text"] == text)
        .unwrap_or_else(|| panic!("no comment {text:?} in {j}"))
        .clone()
}

#[test]
fn line_comments_survive_a_revision_and_are_marked_outdated_when_their_line_changed() {
    let env = TestEnv::new();
    let (repo, _) = proposed(&env);
    let bob = |args: &[&str]| env.run_as("Bob", &repo, args);
    bob(&[
        "comment",
        "u1",
        "-m",
        "say it louder",
        "--file",
        "src/app.txt",
        "--line",
        "2",
    ])
    .ok();
    bob(&[
        "comment",
        "u1",
        "-m",
        "four is fine",
        "--file",
        "./src/app.txt",
        "--line",
        "4",
    ])
    .ok();
    bob(&["comment", "u1", "-m", "overall nice"]).ok();
    let j = show(&env, &repo);
    let loud = comment_of(&j, "say it louder");
    env.run(
        &repo,
        &[
            "comment",
            "u1",
            "--reply",
            &loud["id"].as_str().unwrap()[..8],
            "-m",
            "will do",
        ],
    )
    .ok();

    // Revision 2: line 2 changes, a line is inserted above line 4.
    env.branch_commit(
        &repo,
        "feat",
        "feat",
        "src/app.txt",
        "one\nTWO\nthree\nthree and a half\nfour\nfive\n",
    );
    env.run(&repo, &["update", "u1", "feat", "--no-test"]).ok();
    let j = show(&env, &repo);
    let loud = comment_of(&j, "say it louder");
    assert_eq!(loud["revision"], 1);
    assert_eq!(loud["outdated"], true);
    let reply = comment_of(&j, "will do");
    assert_eq!(reply["outdated"], true, "a reply goes with its thread");
    assert_eq!(reply["reply_to"], loud["id"]);
    let four = comment_of(&j, "four is fine");
    assert_eq!(four["outdated"], false);
    assert_eq!(four["current_line"], 5, "followed its line down");
    assert_eq!(comment_of(&j, "overall nice")["outdated"], false);
    assert_eq!(j["comment_count"], 4);
    assert_eq!(j["unresolved_comments"], 3);

    // Human view: the live comment under its line of revision 2, the
    // outdated one with its line as it was.
    let out = env.run(&repo, &["show", "u1"]).ok().to_string();
    let at_line = out.find("    5 | four").expect("the line shown");
    let comment = out.find("four is fine").unwrap();
    assert!(at_line < comment, "{out}");
    let outdated = out.find("Outdated").expect("an outdated section");
    assert!(
        out[outdated..].contains("src/app.txt:2 on revision 1"),
        "{out}"
    );
    assert!(out[outdated..].contains("    2 | two"), "{out}");
    assert!(out[outdated..].contains("say it louder"), "{out}");

    // Resolving a reply resolves the thread; once.
    let run = env.run(
        &repo,
        &[
            "comment",
            "u1",
            "--resolve",
            &reply["id"].as_str().unwrap()[..10],
            "--json",
        ],
    );
    assert_eq!(run.json()["changed"], true);
    assert_eq!(run.json()["resolved"], loud["id"]);
    let before = env.refs(&repo);
    let run = env.run(
        &repo,
        &[
            "comment",
            "u1",
            "--resolve",
            &loud["id"].as_str().unwrap()[..10],
            "--json",
        ],
    );
    assert_eq!(run.json()["changed"], false);
    assert_eq!(env.refs(&repo), before, "nothing written twice");
    assert_eq!(show(&env, &repo)["unresolved_comments"], 2);

    // Plain git: the comments are the event chain.
    let log = env.git(&repo, &["log", "--format=%s%n%b", "refs/notes/upgrades/u1"]);
    assert!(
        log.contains("upgrade.commented u1: src/app.txt:4: four is fine"),
        "{log}"
    );
    assert!(log.contains("\"text\": \"say it louder\""), "{log}");
    assert!(log.contains("upgrade.comment-resolved u1"), "{log}");
    env.fsck(&repo);
}

#[test]
fn bad_comments_are_one_line_errors_that_write_nothing() {
    let env = TestEnv::new();
    let (repo, _) = proposed(&env);
    let before = env.refs(&repo);
    let refused = |args: &[&str], code: i32, says: &str| {
        let run = env.run_as("Bob", &repo, args);
        run.code(code);
        let errors: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect();
        assert_eq!(errors.len(), 1, "{}", run.stderr);
        assert!(errors[0].contains(says), "{}", run.stderr);
        assert_eq!(env.refs(&repo), before, "{args:?} wrote something");
    };
    refused(
        &[
            "comment",
            "u1",
            "-m",
            "x",
            "--file",
            "src/app.txt",
            "--line",
            "6",
        ],
        2,
        "line 6 does not exist in src/app.txt at revision 1 of upgrade u1 (it has 5 lines)",
    );
    refused(
        &[
            "comment",
            "u1",
            "-m",
            "x",
            "--file",
            "src/app.txt",
            "--line",
            "0",
        ],
        2,
        "line 0 does not exist",
    );
    refused(
        &[
            "comment",
            "u1",
            "-m",
            "x",
            "--file",
            "src/nope.txt",
            "--line",
            "1",
        ],
        2,
        "there is no file src/nope.txt in revision 1",
    );
    refused(
        &["comment", "u1", "-m", "x", "--file", "../etc/passwd"],
        2,
        "invalid path",
    );
    refused(
        &["comment", "u1", "-m", "x", "--revision", "2"],
        2,
        "has no revision 2",
    );
    refused(
        &["comment", "u1", "-m", "x", "--reply", "abcdef12"],
        2,
        "has no comment abcdef12",
    );
    refused(&["comment", "u1", "-m", "   "], 2, "the comment is empty");
    refused(&["comment", "nope", "-m", "x"], 6, "no upgrade");
    // A 10 MB comment, from a file and from standard input.
    let big = env.path().join("big.txt");
    std::fs::write(&big, "x".repeat(10 << 20)).unwrap();
    refused(
        &["comment", "u1", "-F", big.to_str().unwrap()],
        2,
        "the comment in",
    );
    let mut cmd = env.cmd(&repo, &["comment", "u1", "-F", "-"]);
    cmd.stdin(std::fs::File::open(&big).unwrap());
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("longer than 65536 bytes"));
    assert_eq!(env.refs(&repo), before);
}
