//! The interactive review in a real pseudo-terminal: the changes since the
//! revision last seen, a comment on a line, an approval.

use super::{proposed, show};
use crate::common::pty::Pty;
use crate::common::TestEnv;

#[test]
fn review_shows_changes_since_last_seen_takes_a_comment_and_approves() {
    let env = TestEnv::new();
    let (repo, _) = proposed(&env);
    // Bob read revision 1 and commented on it.
    env.run_as(
        "Bob",
        &repo,
        &[
            "comment",
            "u1",
            "-m",
            "two is too quiet",
            "--file",
            "src/app.txt",
            "--line",
            "2",
        ],
    )
    .ok();
    let second = env.branch_commit(
        &repo,
        "feat",
        "feat",
        "src/app.txt",
        "one\nTWO\nthree\nfour\nfive\n",
    );
    env.run(&repo, &["update", "u1", "feat", "-m", "louder"])
        .ok();
    let third = env.branch_commit(
        &repo,
        "feat",
        "feat",
        "src/app.txt",
        "one\nTWO\nthree\nfour\nFIVE\n",
    );
    env.run(&repo, &["update", "u1", "feat", "-m", "five too"])
        .ok();
    assert_ne!(second, third);

    let mut cmd = env.cmd(&repo, &["review", "u1"]);
    cmd.env("GIT_COMMITTER_NAME", "Bob")
        .env("GIT_COMMITTER_EMAIL", "bob@example.com")
        .env("GIT_PAGER", "cat");
    let mut pty = Pty::spawn(cmd);
    let at = pty.expect("revision 3 of 3: five too", 0);
    let at = pty.expect("1 unresolved comment", at);
    // Items: approve, reject, view diff, skip, comment, request changes,
    // view comments, view changes since …, quit.
    let at = pty.expect("view changes since revision 1 (the last you saw)", at);
    pty.send("jjjjjjj\r");
    let at = pty.expect("# changes from revision 1 to revision 3", at);
    let at = pty.expect("-two", at);
    let at = pty.expect("+TWO", at);
    let at = pty.expect("+FIVE", at);
    let at = pty.expect("quit", at);
    pty.send("jjjj\r"); // comment
    let at = pty.expect("comment", at);
    pty.send("better now\r");
    let at = pty.expect("file", at);
    pty.send("src/app.txt\r");
    let at = pty.expect("line", at);
    pty.send("5\r");
    let at = pty.expect("commented on u1 (revision 3)", at);
    let at = pty.expect("quit", at);
    pty.send("\r"); // approve
    let at = pty.expect("comment (optional)", at);
    pty.send("ship it\r");
    let at = pty.expect("applied u1", at);
    pty.expect("reviewed 1 of 1 upgrade: 1 applied", at);
    assert_eq!(pty.wait(), 0);

    assert_eq!(env.git(&repo, &["rev-parse", "main"]), third);
    let j = show(&env, &repo);
    let c = j["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["text"] == "better now")
        .cloned()
        .unwrap();
    assert_eq!(c["revision"], 3);
    assert_eq!(c["line"], 5);
    assert_eq!(c["by"], "Bob <bob@example.com>");
}
