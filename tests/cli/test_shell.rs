//! The shell experience: interactive review in a real pseudo-terminal, the
//! live event feed, pager and colour decisions, completions, init.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::pty::Pty;
use crate::common::{TestEnv, PASSING};

#[test]
fn review_in_a_pty_approves_and_rejects() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    let first_head = env.branch_commit(&repo, "one", "main", "one.txt", "hello one\n");
    env.branch_commit(&repo, "two", "main", "two.txt", "two\n");
    let one = env.propose(&repo, "one", "First change", &["--no-test"]);
    let two = env.propose(&repo, "two", "Second change", &["--no-test"]);

    let mut cmd = env.cmd(&repo, &["review"]);
    cmd.env("GIT_COMMITTER_NAME", "Bob")
        .env("GIT_COMMITTER_EMAIL", "bob@example.com");
    cmd.env("GIT_PAGER", "cat");
    let mut pty = Pty::spawn(cmd);
    let at = pty.expect(&format!("upgrade {one}"), 0);
    let at = pty.expect("quit", at);
    pty.send("jj\r"); // view diff
    let at = pty.expect("+hello one", at);
    let at = pty.expect("quit", at);
    pty.send("\r"); // approve
    let at = pty.expect("comment", at);
    pty.send("ship it\r");
    let at = pty.expect(&format!("applied {one}"), at);
    let at = pty.expect(&format!("upgrade {two}"), at);
    let at = pty.expect("quit", at);
    pty.send("j\r"); // reject
    let at = pty.expect("reason", at);
    pty.send("not needed\r");
    pty.expect("reviewed 2 of 2 upgrades: 1 applied, 1 rejected", at);
    assert_eq!(pty.wait(), 0);

    assert_eq!(env.git(&repo, &["rev-parse", "main"]), first_head);
    assert_eq!(env.git(&repo, &["for-each-ref", "refs/upgrades/"]), "");
    let j = env.run(&repo, &["show", &two, "--json"]).json();
    assert_eq!(j["state"], "rejected");
    assert_eq!(j["closed"]["reason"], "not needed");
    assert_eq!(
        env.run(&repo, &["show", &one, "--json"]).json()["approvals"][0]["comment"],
        "ship it"
    );
}

#[test]
fn review_counts_every_upgrade_it_showed() {
    let env = TestEnv::new();
    let policy = "[test]\ncommand = \"test ! -f broken.txt\"\ntimeout = \"1m\"\n";
    let repo = env.repo("r", Some(policy));
    let mut ids = Vec::new();
    for (branch, file) in [
        ("broken", "broken.txt"),
        ("good", "good.txt"),
        ("unwanted", "unwanted.txt"),
        ("later", "later.txt"),
    ] {
        env.branch_commit(&repo, branch, "main", file, "x\n");
        ids.push(env.propose(&repo, branch, branch, &["--no-test"]));
    }
    let mut cmd = env.cmd(&repo, &["review"]);
    cmd.env("GIT_COMMITTER_NAME", "Bob")
        .env("GIT_COMMITTER_EMAIL", "bob@example.com");
    let mut pty = Pty::spawn(cmd);
    let mut at = 0;
    // approve (its tests fail), approve (lands), reject, skip.
    for (n, keys) in ["\r", "\r", "j\r", "jjj\r"].into_iter().enumerate() {
        at = pty.expect(&format!("upgrade {}", ids[n]), at);
        at = pty.expect("quit", at);
        pty.send(keys);
        if keys == "\r" {
            at = pty.expect("comment", at);
            pty.send("\r");
        } else if keys == "j\r" {
            at = pty.expect("reason", at);
            pty.send("no\r");
        }
    }
    pty.expect(
        "reviewed 4 of 4 upgrades: 1 applied, 1 failed its tests, 1 rejected, 1 skipped",
        at,
    );
    assert_eq!(pty.wait(), 3, "a test failure is exit 3");
}

#[test]
fn review_refuses_without_a_terminal() {
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    let run = env.run(&repo, &["review"]);
    run.code(2);
    assert!(
        run.stderr.contains("terminal") && run.stderr.contains("hint:"),
        "{}",
        run.stderr
    );
}

#[test]
fn log_follow_streams_events_from_other_processes_and_exits_cleanly() {
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    let first = env.propose(&repo, "a", "Before following", &["--no-test"]);
    let mut follow = env
        .cmd(&repo, &["log", "--follow", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(follow.stdout.take().unwrap()).lines();
    let line = lines.next().unwrap().unwrap();
    assert!(
        line.contains(&first) && line.contains("upgrade.proposed"),
        "{line}"
    );
    // An event made by another process shows up.
    let second = env.propose(&repo, "b", "While following", &["--no-test"]);
    let line = lines.next().unwrap().unwrap();
    assert!(line.contains(&second), "{line}");
    env.run_as("Bob", &repo, &["reject", &second, "-m", "no"])
        .ok();
    let line = lines.next().unwrap().unwrap();
    assert!(line.contains("upgrade.rejected"), "{line}");
    // SIGTERM: a clean exit.
    // SAFETY: signalling our own child.
    unsafe { libc::kill(follow.id() as i32, libc::SIGTERM) };
    assert_eq!(follow.wait().unwrap().code(), Some(0));

    // A closed output pipe ends it too.
    let mut follow = env
        .cmd(&repo, &["log", "--follow"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(follow.stdout.take());
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = follow.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(
            started.elapsed().as_secs() < 30,
            "log --follow did not notice its closed pipe"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn colour_and_pager_only_on_a_terminal() {
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    env.branch_commit(&repo, "a", "main", "a.txt", "old words here\n");
    env.git(&repo, &["reset", "-q", "--hard", "a"]);
    env.branch_commit(&repo, "b", "main", "a.txt", "new words here\n");
    let id = env.propose(&repo, "b", "Words", &["--no-test"]);
    // Not a terminal: plain text, no pager (the pager would add a marker).
    let mut cmd = env.cmd(&repo, &["diff", &id]);
    cmd.env("GIT_PAGER", "sed s/^/PAGED:/")
        .env_remove("NO_COLOR");
    let out = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
    assert!(!out.contains('\x1b') && !out.contains("PAGED:"), "{out}");
    // --color=always colours, with word-level highlights on changed lines.
    let out = env.run(&repo, &["diff", &id, "--color=always"]).stdout;
    assert!(
        out.contains("\x1b[31m") && out.contains("\x1b[32m"),
        "{out:?}"
    );
    assert!(
        out.contains("\x1b[7m") || out.contains("\x1b[1;"),
        "word highlight missing: {out:?}"
    );
    // NO_COLOR wins over auto even on a terminal; under a pty the pager runs.
    let mut cmd = env.cmd(&repo, &["diff", &id]);
    cmd.env("GIT_PAGER", "sed s/^/PAGED:/");
    let pty = Pty::spawn(cmd);
    pty.expect("PAGED:+new words here", 0);
    let screen = pty.screen();
    assert_eq!(pty.wait(), 0);
    assert!(!screen.contains("\x1b[32m"), "NO_COLOR was set");
    let mut cmd = env.cmd(&repo, &["status"]);
    cmd.env_remove("NO_COLOR");
    let pty = Pty::spawn(cmd);
    pty.expect("Pending upgrades", 0);
    let screen = pty.screen();
    assert_eq!(pty.wait(), 0);
    assert!(screen.contains("\x1b["), "colour on a terminal: {screen:?}");
}

#[test]
fn bash_completion_offers_subcommands_and_ids() {
    let git_completion = "/usr/share/bash-completion/completions/git";
    if !std::path::Path::new(git_completion).exists()
        || std::process::Command::new("bash")
            .arg("--version")
            .output()
            .is_err()
    {
        eprintln!("bash or git's completion not installed; skipping");
        return;
    }
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let id = env.propose(&repo, "a", "A", &["--no-test", "--id", "fix-42"]);
    let ours =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/git-upgrades.bash");
    let script = format!(
        r#"source {git_completion}; source {ours}
COMP_WORDS=(git upgrades ap); COMP_CWORD=2; COMP_LINE="git upgrades ap"; COMP_POINT=${{#COMP_LINE}}
__git_func_wrap __git_main; echo "SUB:${{COMPREPLY[*]}}"
COMP_WORDS=(git upgrades show fix); COMP_CWORD=3; COMP_LINE="git upgrades show fix"; COMP_POINT=${{#COMP_LINE}}
__git_func_wrap __git_main; echo "ID:${{COMPREPLY[*]}}"
COMP_WORDS=(git-upgrades pro); COMP_CWORD=1; COMP_LINE="git-upgrades pro"; COMP_POINT=${{#COMP_LINE}}
COMPREPLY=(); _git__upgrades git-upgrades pro git-upgrades; echo "BIN:${{COMPREPLY[*]}}"
"#,
        ours = ours.display()
    );
    let mut cmd = env.bash(&repo, &script);
    let out = String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned();
    assert!(
        out.contains("SUB:")
            && out
                .lines()
                .any(|l| l.starts_with("SUB:") && l.contains("approve") && l.contains("apply")),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("ID:") && l.contains(&id)),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("BIN:") && l.contains("propose")),
        "{out}"
    );
}

#[test]
fn init_writes_a_policy_with_the_detected_test_command() {
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    std::fs::write(repo.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    let run = env.run(&repo, &["init", "--display-notes"]);
    run.ok();
    assert!(
        run.stdout.contains("git add .upgrades.toml"),
        "{}",
        run.stdout
    );
    let text = std::fs::read_to_string(repo.join(".upgrades.toml")).unwrap();
    // Cargo.lock is not tracked: a clean checkout has none, so no --locked.
    assert!(text.contains("command = \"cargo test\""), "{text}");
    assert_eq!(
        env.git(&repo, &["config", "--get", "notes.displayRef"]),
        "refs/notes/upgrades/*"
    );
    // The written file is a valid policy once committed.
    env.git(&repo, &["add", ".upgrades.toml"]);
    env.git(&repo, &["commit", "-qm", "policy"]);
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    env.propose(&repo, "f", "uses the policy", &["--no-test"]);
    // Refuses to overwrite without --force.
    env.run(&repo, &["init"]).code(2);
    for (file, content, command) in [
        (
            "package.json",
            r#"{"scripts": {"test": "node t.js"}}"#,
            "npm test",
        ),
        ("go.mod", "module x\n", "go test ./..."),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\n",
            "python3 -m pytest",
        ),
        ("Makefile", "test:\n\ttrue\n", "make test"),
    ] {
        let dir = env.repo(&format!("d-{file}"), None);
        std::fs::write(dir.join(file), content).unwrap();
        env.run(&dir, &["init"]).ok();
        let text = std::fs::read_to_string(dir.join(".upgrades.toml")).unwrap();
        assert!(text.contains(command), "{file}: {text}");
    }
}

#[test]
fn no_subcommand_panics_on_garbage() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    let garbage = [
        "\u{0}",
        "--",
        "-x",
        "💥",
        "a\nb",
        "../..",
        &"z".repeat(5000),
        "--json=maybe",
        "-C",
    ];
    let subcommands = [
        "propose",
        "list",
        "status",
        "show",
        "diff",
        "approve",
        "reject",
        "apply",
        "rollback",
        "rebase",
        "review",
        "log",
        "maintain",
        "init",
        "push",
        "pull",
        "sync",
        "update",
        "comment",
        "request-changes",
    ];
    for sub in subcommands {
        for g in garbage {
            if g.contains('\u{0}') {
                continue; // cannot be passed as an argument
            }
            let run = env.run(&repo, &[sub, g]);
            assert!(
                !run.stderr.contains("panicked"),
                "{sub} {g:?}: {}",
                run.stderr
            );
            assert!(
                (0..=6).contains(&run.code),
                "{sub} {g:?}: exit {}: {}",
                run.code,
                run.stderr
            );
        }
    }
}

#[test]
fn spinner_shows_on_a_terminal_and_not_when_quiet_or_piped() {
    let env = TestEnv::new();
    let policy = "[test]\ncommand = \"echo warming-up; sleep 1; echo step-two; sleep 1\"\n";
    let repo = env.repo("r", Some(policy));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    // On a terminal: the spinner names the upgrade and shows the last output line.
    let mut cmd = env.cmd(&repo, &["propose", "a", "-m", "spin", "--id", "spin-a"]);
    cmd.env_remove("NO_COLOR");
    let pty = Pty::spawn(cmd);
    let at = pty.expect("testing spin-a", 0);
    pty.expect("warming-up", at);
    assert_eq!(pty.wait(), 0);
    // --quiet: nothing drawn; the id alone is printed.
    let pty = Pty::spawn(env.cmd(
        &repo,
        &["propose", "b", "-m", "quiet", "--id", "spin-b", "--quiet"],
    ));
    pty.expect("spin-b", 0);
    let screen = pty.screen();
    assert_eq!(pty.wait(), 0);
    assert!(!screen.contains("testing spin-b"), "{screen}");
    // Not a terminal: nothing drawn either; --verbose streams the output.
    let run = env.run_as("Bob", &repo, &["approve", "spin-a", "--verbose"]);
    run.ok();
    assert!(!run.stderr.contains("testing spin-a"), "{}", run.stderr);
    assert!(run.stderr.contains("step-two"), "{}", run.stderr);
}
