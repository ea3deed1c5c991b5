//! Hostile values: durations past every limit, control characters in file
//! names, descriptions, identities and record keys, huge text files, quiet
//! proposals and signatures by keys nobody listed.

use std::path::Path;

use crate::common::pty::Pty;
use crate::common::{TestEnv, PASSING};

const START: u64 = 1_767_225_600; // the test clock's start, 2026-01-01
const YEAR: u64 = 365 * 86_400;

/// Control characters in `text` other than `\n` and `\t`, with their offsets.
fn controls(text: &str) -> Vec<(usize, char)> {
    text.char_indices()
        .filter(|&(_, c)| c.is_control() && c != '\n' && c != '\t')
        .collect()
}

#[track_caller]
fn assert_clean(what: &str, text: &str) {
    let found = controls(text);
    assert!(
        found.is_empty(),
        "{what}: control characters {found:?} in:\n{text}"
    );
}

fn maintain_at(env: &TestEnv, repo: &Path, secs: u64) -> crate::common::Run {
    let date = format!("@{secs} +0000");
    env.run_as_env(
        "CI",
        repo,
        &["maintain", "--json"],
        &[("GIT_COMMITTER_DATE", &date)],
    )
}

#[test]
fn durations_past_the_maximum_are_policy_errors() {
    let env = TestEnv::new();
    for (section, key) in [
        ("test", "timeout"),
        ("policy", "expire_after"),
        ("policy", "prune_after"),
        ("auto_approve", "after"),
    ] {
        for value in ["10000000000000000000s", "9223372036854775807", "36501d"] {
            let policy =
                format!("[test]\ncommand = \"true\"\n\n[{section}]\n{key} = \"{value}\"\n")
                    .replace(
                        "[test]\ncommand = \"true\"\n\n[test]\n",
                        "[test]\ncommand = \"true\"\n",
                    );
            let name = format!("r-{key}-{}", value.len());
            let repo = env.repo(&name, Some(&policy));
            env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
            let before = env.refs(&repo);
            let run = env.run(&repo, &["propose", "f", "-m", "Change"]);
            run.code(1);
            assert!(
                run.stderr.contains(&format!("`{section}.{key}`"))
                    && run.stderr.contains("line ")
                    && run.stderr.contains("maximum of 100 years"),
                "{}",
                run.stderr
            );
            assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
            assert_eq!(env.refs(&repo), before);
        }
    }
}

#[test]
fn a_huge_timeout_in_a_changed_policy_stops_approve_before_anything_is_written() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "Change", &["--no-test"]);
    env.commit_on_main(
        &repo,
        &[(
            ".upgrades.toml",
            "[test]\ncommand = \"true\"\ntimeout = \"9223372036854775807\"\n",
        )],
        "huge timeout",
    );
    let before = env.refs(&repo);
    let run = env.run_as("Bob", &repo, &["approve", &id]);
    run.code(1);
    assert!(
        run.stderr.contains("`test.timeout` (line 3)"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(env.refs(&repo), before);
}

#[test]
fn the_maximum_duration_works_everywhere_without_wrapping() {
    let env = TestEnv::new();
    let policy = "[test]\ncommand = \"true\"\ntimeout = \"36500d\"\n\n[policy]\nexpire_after = \"36500d\"\nprune_after = \"36500d\"\n\n[auto_approve]\nafter = \"36500d\"\nmax_lines = 1000\npaths = [\"**\"]\n";
    let repo = env.repo("r", Some(policy));
    env.branch_commit(&repo, "open", "main", "docs/a.md", "a\n");
    env.branch_commit(&repo, "closed", "main", "docs/b.md", "b\n");
    // The longest timeout there is runs the tests (Instant + 100 years is fine).
    let open = env.propose(&repo, "open", "Open", &[]);
    let closed = env.propose(&repo, "closed", "Closed", &["--no-test"]);
    env.run_as("Bob", &repo, &["reject", &closed, "-m", "no"])
        .ok();

    // 99 years on, nothing is old enough: no expiry, no auto-approval, no pruning.
    let before = env.refs(&repo);
    let run = maintain_at(&env, &repo, START + 99 * YEAR);
    run.ok();
    assert_eq!(
        run.json()["actions"],
        serde_json::json!([]),
        "{}",
        run.stdout
    );
    assert_eq!(env.refs(&repo), before);

    // 101 years on, both limits have passed: expired and pruned.
    let run = maintain_at(&env, &repo, START + 101 * YEAR);
    run.ok();
    let actions: Vec<(String, String)> = run.json()["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        actions.contains(&(open.clone(), "expired".into())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&(closed.clone(), "pruned".into())),
        "{actions:?}"
    );
    assert!(
        !actions.iter().any(|(_, a)| a == "auto-approved"),
        "{actions:?}"
    );
}

#[test]
fn maintain_with_overflowing_durations_changes_nothing() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "open", "main", "docs/a.md", "a\n");
    env.branch_commit(&repo, "closed", "main", "docs/b.md", "b\n");
    env.propose(&repo, "open", "Open", &["--no-test"]);
    let closed = env.propose(&repo, "closed", "Closed", &["--no-test"]);
    env.run_as("Bob", &repo, &["reject", &closed, "-m", "no"])
        .ok();
    // The values that used to wrap to negative ages: expire, prune and
    // auto-approve everything at once.
    env.commit_on_main(
        &repo,
        &[(
            ".upgrades.toml",
            "[test]\ncommand = \"true\"\n\n[policy]\nexpire_after = \"10000000000000000000s\"\nprune_after = \"10000000000000000000s\"\n\n[auto_approve]\nafter = \"10000000000000000000s\"\npaths = [\"**\"]\n",
        )],
        "hostile policy",
    );
    let before = env.refs(&repo);
    let run = maintain_at(&env, &repo, START + 86_400);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let json = run.json();
    let actions = json["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{}", run.stdout);
    assert_eq!(actions[0]["action"], "skipped", "{}", run.stdout);
    assert!(
        actions[0]["detail"]
            .as_str()
            .unwrap()
            .contains("maximum of 100 years"),
        "{}",
        run.stdout
    );
    assert_eq!(env.refs(&repo), before);
}

/// Rewrite the record of `id` with plain git: the last event commit is
/// replaced by one with the same parents and message whose note is `edit`ed.
fn forge_record(env: &TestEnv, repo: &Path, id: &str, edit: impl Fn(&mut serde_json::Value)) {
    let notes = format!("refs/notes/upgrades/{id}");
    let tip = env.git(repo, &["rev-parse", &notes]);
    let json = env.git(repo, &["show", &format!("{tip}:record.json")]);
    let mut record: serde_json::Value = serde_json::from_str(&json).unwrap();
    let head = record["head"].as_str().unwrap().to_string();
    let display = env.git(repo, &["show", &format!("{tip}:{head}")]);
    edit(&mut record);
    let tree = crate::common::forge::notes_tree(env, repo, &head, &display, &record);
    let message = env.git(repo, &["log", "-1", "--format=%B", &tip]);
    let msg_path = env.path().join("forged-message");
    std::fs::write(&msg_path, message).unwrap();
    let mut args = vec!["commit-tree".to_string(), tree.trim().to_string()];
    for p in env
        .git(repo, &["log", "-1", "--format=%P", &tip])
        .split_whitespace()
    {
        args.push("-p".into());
        args.push(p.into());
    }
    args.push("-F".into());
    args.push(msg_path.display().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // The same author as the replaced event: its actor must stay its author.
    let who = env.git(repo, &["log", "-1", "--format=%an%n%ae", &tip]);
    let (name, email) = who.split_once('\n').unwrap();
    let out = env
        .git_cmd(repo, &args)
        .env("GIT_AUTHOR_NAME", name)
        .env("GIT_AUTHOR_EMAIL", email)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let commit = String::from_utf8(out.stdout).unwrap().trim().to_string();
    env.git(repo, &["update-ref", &notes, &commit, &tip]);
}

const HOSTILE_NAMES: [&str; 4] = ["a\nb.txt", "\x1b[31mred.txt", "tab\there.txt", "café.txt"];

#[test]
fn hostile_strings_never_reach_the_terminal_raw() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.git(&repo, &["checkout", "-q", "-b", "f"]);
    for name in HOSTILE_NAMES {
        std::fs::write(repo.join(name), "x\n").unwrap();
    }
    std::fs::write(repo.join("README.md"), "hello\nagain\n").unwrap();
    env.git(&repo, &["add", "-A"]);
    env.git(&repo, &["commit", "-q", "-m", "hostile names"]);
    env.git(&repo, &["checkout", "-q", "main"]);
    let desc = "Evil \x1b]0;pwned\x07title \x1b[31mred\x1b[0m\nsecond \x1b[2J line\r\u{9b}31m";
    let id = env.propose(&repo, "f", desc, &["--no-test"]);
    env.run_as("Bob", &repo, &["reject", &id, "-m", "no \x1b[5mblink"])
        .ok();
    // Identities and a key name from "a remote": written with plain git.
    let evil = "Eve \x1b[31m<eve@example.com>\x1b]0;t\x07";
    // (A forged `proposed_by` is refused outright: it must equal the
    // proposal event's author. `closed.by` is display only.)
    forge_record(&env, &repo, &id, |r| {
        r["closed"]["by"] = evil.into();
    });
    env.branch_commit(&repo, "g", "main", "g.txt", "g\n");
    let bad = env.propose(&repo, "g", "Bad key", &["--no-test"]);
    forge_record(&env, &repo, &bad, |r| {
        r["\x1b[41mevil\x1b]0;key\x07"] = 1.into();
    });

    // Paths are quoted exactly as git quotes them.
    let git_names = env
        .git_run(&repo, &["diff", "--name-only", "main", "f"])
        .stdout;
    let ours = env.run(&repo, &["diff", &id, "--name-only"]);
    assert_eq!(ours.ok(), git_names);
    assert!(ours.stdout.contains("\"a\\nb.txt\"\n"), "{}", ours.stdout);
    assert!(
        ours.stdout.contains("\"\\033[31mred.txt\"\n"),
        "{}",
        ours.stdout
    );
    assert!(
        ours.stdout.contains("\"caf\\303\\251.txt\"\n"),
        "{}",
        ours.stdout
    );
    let headers = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| {
                l.starts_with("diff --git ") || l.starts_with("--- ") || l.starts_with("+++ ")
            })
            .map(str::to_string)
            .collect()
    };
    let git_diff = env.git_run(&repo, &["diff", "main", "f"]).stdout;
    let diff = env.run(&repo, &["diff", &id]);
    assert_eq!(headers(diff.ok()), headers(&git_diff));
    assert_eq!(headers(&diff.stdout).len(), 15, "{}", diff.stdout);
    let stat = env.run(&repo, &["diff", &id, "--stat"]);
    for name in git_names.lines() {
        assert!(stat.ok().contains(name), "{name} in {}", stat.stdout);
    }

    let runs = [
        ("diff", env.run(&repo, &["diff", &id])),
        ("diff --stat", stat),
        ("diff --name-only", ours),
        ("show", env.run(&repo, &["show", &id])),
        ("list", env.run(&repo, &["list", "--all"])),
        ("status", env.run(&repo, &["status"])),
        ("log", env.run(&repo, &["log"])),
        ("log id", env.run(&repo, &["log", &id])),
        ("show --json", env.run(&repo, &["show", &id, "--json"])),
        ("list --json", env.run(&repo, &["list", "--all", "--json"])),
        ("log --json", env.run(&repo, &["log", "--json"])),
    ];
    for (what, run) in &runs {
        assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
        assert_clean(&format!("{what} stdout"), &run.stdout);
        assert_clean(&format!("{what} stderr"), &run.stderr);
    }
    let show = &runs[3].1;
    show.ok();
    assert!(show.stdout.contains("eve@example.com>"), "{}", show.stdout);
    // While records keep identities as written, the printer makes them visible.
    let j = runs[8].1.json();
    if j["proposed_by"] == evil {
        assert!(
            show.stdout.contains("Eve ^[[31m<eve@example.com>^[]0;t^G"),
            "{}",
            show.stdout
        );
    }
    assert!(show.stdout.contains("^[]0;pwned^Gtitle"), "{}", show.stdout);
    assert!(show.stdout.contains("\"a\\nb.txt\""), "{}", show.stdout);
    assert!(show.stdout.contains("no ^[[5mblink"), "{}", show.stdout);
    // The record with an unknown key is a warning naming it, escaped.
    let list = &runs[4].1;
    assert!(
        list.stderr.contains("^[[41mevil^[]0;key^G"),
        "{}",
        list.stderr
    );
    let status = &runs[5].1;
    assert!(status.stderr.contains("^[[41mevil"), "{}", status.stderr);
    // JSON keeps the description exactly (escaped the JSON way).
    assert_eq!(j["description"], desc);

    // With colours forced on, only our own colour sequences reach the output.
    for args in [
        vec!["show", id.as_str()],
        vec!["diff", id.as_str()],
        vec!["list", "--all"],
        vec!["log"],
    ] {
        let mut full = args.clone();
        full.push("--color=always");
        let run = env.run(&repo, &full);
        let out = format!("{}{}", run.stdout, run.stderr);
        for (i, _) in out.match_indices('\x1b') {
            let rest = &out[i + 1..];
            let params = rest
                .bytes()
                .skip(1)
                .take_while(|b| b.is_ascii_digit() || *b == b';')
                .count();
            assert!(
                rest.starts_with('[') && rest.as_bytes().get(1 + params) == Some(&b'm'),
                "{args:?}: a non-colour escape at {i}: {:?}",
                out[i..].chars().take(12).collect::<String>()
            );
        }
        for raw in [
            "\x1b[31mred",
            "\x1b]0;",
            "\x1b[2J",
            "\x1b[5mblink",
            "\x1b[41mevil",
            "\x07",
            "\r",
            "\u{9b}",
        ] {
            assert!(!out.contains(raw), "{args:?}: {raw:?} from data in:\n{out}");
        }
    }
}

#[test]
fn the_diff_body_stays_a_patch_git_applies() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.git(&repo, &["checkout", "-q", "-b", "f"]);
    std::fs::write(repo.join("a\nb.txt"), "crlf\r\nline\r\n").unwrap();
    std::fs::write(repo.join("README.md"), "hello \x1b[31m\n").unwrap();
    env.git(&repo, &["add", "-A"]);
    env.git(&repo, &["commit", "-q", "-m", "crlf"]);
    env.git(&repo, &["checkout", "-q", "main"]);
    let id = env.propose(&repo, "f", "CRLF", &["--no-test"]);
    let patch = env.run(&repo, &["diff", &id]);
    let path = env.path().join("patch");
    std::fs::write(&path, patch.ok()).unwrap();
    env.git(&repo, &["apply", "--index", path.to_str().unwrap()]);
    assert_eq!(
        std::fs::read(repo.join("a\nb.txt")).unwrap(),
        b"crlf\r\nline\r\n"
    );
    assert_eq!(
        env.git(&repo, &["diff", "--cached", "f", "--stat"]),
        "",
        "the applied patch equals the proposal"
    );
}

#[test]
fn on_a_terminal_file_contents_are_escaped_too() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.git(&repo, &["checkout", "-q", "-b", "f"]);
    std::fs::write(repo.join("a\nb.txt"), "+\x1b]0;pwned\x07 \x1b[2J\n").unwrap();
    env.git(&repo, &["add", "-A"]);
    env.git(&repo, &["commit", "-q", "-m", "escapes"]);
    env.git(&repo, &["checkout", "-q", "main"]);
    let id = env.propose(&repo, "f", "Escapes", &["--no-test"]);

    // `diff` on a terminal (through the pager): no escape sequence at all
    // under NO_COLOR, the contents in caret notation.
    let mut cmd = env.cmd(&repo, &["diff", &id]);
    cmd.env("GIT_PAGER", "cat");
    let pty = Pty::spawn(cmd);
    pty.expect("++^[]0;pwned^G ^[[2J", 0);
    let screen = pty.screen();
    assert_eq!(pty.wait(), 0);
    assert!(
        screen.contains("diff --git \"a/a\\nb.txt\" \"b/a\\nb.txt\""),
        "{screen}"
    );
    assert!(
        !screen.contains('\x1b') && !screen.contains('\x07'),
        "{screen:?}"
    );

    // review's diff view: the same quoting and escaping.
    let mut cmd = env.cmd(&repo, &["review"]);
    cmd.env("GIT_COMMITTER_NAME", "Bob")
        .env("GIT_COMMITTER_EMAIL", "bob@example.com")
        .env("GIT_PAGER", "cat");
    let mut pty = Pty::spawn(cmd);
    let at = pty.expect("quit", 0);
    pty.send("jj\r"); // view diff
    let at = pty.expect("++^[]0;pwned^G ^[[2J", at);
    let at = pty.expect("quit", at);
    pty.send("k\r"); // quit (the last item)
    pty.expect("reviewed 0 of 1 upgrade", at);
    let screen = pty.screen();
    assert_eq!(pty.wait(), 0);
    assert!(screen.contains("\"a\\nb.txt\""), "{screen}");
    assert!(!screen.contains("\x1b]0;pwned"), "{screen:?}");
    assert!(!screen.contains("\x1b[2J"), "{screen:?}");
}

#[test]
fn a_large_text_file_counts_every_line() {
    let env = TestEnv::new();
    // Past the 8 MiB line-diff threshold (src/diff.rs MAX_LINE_DIFF_BYTES), so
    // the lines are counted from a stream instead of diffed.
    let line = "0123456789abcdefghijklmnopqrstuvwxyz\n";
    let lines = 250_000;
    let big = line.repeat(lines);
    assert!(big.len() > 8 << 20);
    let repo = env.repo("r", None);
    env.branch_commit(&repo, "big", "main", "big.txt", &big);
    // The default limit (10,000 changed lines) refuses it.
    let before = env.refs(&repo);
    let run = env.run(&repo, &["propose", "big", "-m", "Huge"]);
    run.code(5);
    assert!(
        run.stderr.contains(&format!("{lines} changed lines")),
        "{}",
        run.stderr
    );
    assert_eq!(env.refs(&repo), before);

    // Under a raised limit it is recorded as text with its real line count,
    // and a big binary file stays binary.
    let repo = env.repo("r2", Some("[policy]\nmax_diff_lines = 1000000\n"));
    env.git(&repo, &["checkout", "-q", "-b", "big"]);
    std::fs::write(repo.join("big.txt"), &big).unwrap();
    let mut blob = vec![0u8; 9 << 20];
    blob[100] = b'\n';
    std::fs::write(repo.join("big.bin"), &blob).unwrap();
    env.git(&repo, &["add", "-A"]);
    env.git(&repo, &["commit", "-q", "-m", "big"]);
    env.git(&repo, &["checkout", "-q", "main"]);
    let j = env
        .run(&repo, &["propose", "big", "-m", "Huge", "--json"])
        .json();
    assert_eq!(j["stats"]["added"], lines as u64, "{j}");
    let files = j["files"].as_array().unwrap();
    let txt = files.iter().find(|f| f["path"] == "big.txt").unwrap();
    assert_eq!(txt["binary"], false);
    assert_eq!(txt["added"], lines as u64);
    let bin = files.iter().find(|f| f["path"] == "big.bin").unwrap();
    assert_eq!(bin["binary"], true);
    assert_eq!(bin["added"], 0);

    // Modifying it counts the whole file as rewritten: old lines out, new lines in.
    let id = j["id"].as_str().unwrap().to_string();
    env.git(&repo, &["checkout", "-q", "-b", "edit", "big"]);
    std::fs::write(repo.join("big.txt"), format!("{big}one more\n")).unwrap();
    env.git(&repo, &["commit", "-q", "-am", "edit"]);
    env.git(&repo, &["checkout", "-q", "main"]);
    env.run_as("Bob", &repo, &["approve", &id]).ok();
    let j = env
        .run(&repo, &["propose", "edit", "-m", "Edit", "--json"])
        .json();
    assert_eq!(j["stats"]["added"], lines as u64 + 1, "{j}");
    assert_eq!(j["stats"]["removed"], lines as u64, "{j}");
}

#[test]
fn quiet_propose_prints_only_the_id() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let run = env.run(&repo, &["propose", "f", "-q", "-m", "Quiet"]);
    let id = run.ok().trim().to_string();
    assert_eq!(run.stdout, format!("{id}\n"));
    assert_eq!(run.stderr, "");
    let j = env.run(&repo, &["show", &id, "--json"]).json();
    assert_eq!(j["description"], "Quiet");
    assert_eq!(j["tests"]["passed"], true);

    // Failing tests: still only the id, and exit 3.
    env.commit_on_main(
        &repo,
        &[(".upgrades.toml", "[test]\ncommand = \"false\"\n")],
        "failing tests",
    );
    env.branch_commit(&repo, "g", "main", "g.txt", "g\n");
    let run = env.run(&repo, &["propose", "g", "--quiet", "-m", "Fails"]);
    run.code(3);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert_eq!(run.stderr, "");
    // Errors still go to stderr.
    let run = env.run(&repo, &["propose", "nope", "-q", "-m", "x"]);
    assert_ne!(run.code, 0);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.starts_with("error:"), "{}", run.stderr);
}

fn have_ssh_keygen() -> bool {
    std::process::Command::new("ssh-keygen")
        .arg("-?")
        .output()
        .is_ok()
}

fn keygen(env: &TestEnv, name: &str) -> (String, String) {
    let key = env.path().join(format!("{name}_key"));
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen");
    assert!(out.status.success());
    let public = std::fs::read_to_string(format!("{}.pub", key.display())).unwrap();
    (key.display().to_string(), public.trim().to_string())
}

#[test]
fn an_unlisted_signing_key_is_named_as_such() {
    if !have_ssh_keygen() {
        eprintln!("ssh-keygen not available; skipping");
        return;
    }
    let env = TestEnv::new();
    let (_, bob_pub) = keygen(&env, "bob");
    let (mallory_key, _) = keygen(&env, "mallory");
    let p = format!(
        "{PASSING}\n[policy]\nrequire_signed_approvals = true\nallowed_signers = \".upgrades/allowed_signers\"\n"
    );
    let repo = env.repo("r", Some(&p));
    env.commit_on_main(
        &repo,
        &[(
            ".upgrades/allowed_signers",
            &format!("bob@example.com {bob_pub}\n"),
        )],
        "signers",
    );
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "Change", &["--no-test"]);
    let before = env.refs(&repo);
    let run = env.run_as_env(
        "Carol",
        &repo,
        &["approve", &id],
        &[
            ("GIT_CONFIG_COUNT", "2"),
            ("GIT_CONFIG_KEY_0", "gpg.format"),
            ("GIT_CONFIG_VALUE_0", "ssh"),
            ("GIT_CONFIG_KEY_1", "user.signingkey"),
            ("GIT_CONFIG_VALUE_1", &mallory_key),
        ],
    );
    run.code(5);
    assert!(
        run.stderr
            .contains("signed by a key not in the allowed signers file (ED25519 key SHA256:"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("bad signature"), "{}", run.stderr);
    assert_eq!(env.refs(&repo), before);
}
