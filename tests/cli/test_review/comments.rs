//! Comments on lines of revisions: placed, carried, outdated, resolved; bad input.

use super::{proposed, show};
use crate::common::TestEnv;

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
