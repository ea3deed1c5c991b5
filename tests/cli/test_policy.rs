//! Policy and trust: each rule's allowed and refused paths. Refused paths
//! leave the repository exactly as before.

use crate::common::{TestEnv, PASSING};

fn policy(extra: &str) -> String {
    format!("{PASSING}\n[policy]\n{extra}\n")
}

#[test]
fn self_approval_is_refused_by_default() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "Mine", &["--no-test"]);
    let before = env.refs(&repo);
    let run = env.run(&repo, &["approve", &id]);
    run.code(5);
    assert!(run.stderr.contains("self-approval"), "{}", run.stderr);
    assert_eq!(env.refs(&repo), before);

    let repo2 = env.repo("r2", Some(&policy("allow_self_approval = true")));
    env.branch_commit(&repo2, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo2, "f", "Mine", &["--no-test"]);
    env.run(&repo2, &["approve", &id]).ok();
}

#[test]
fn approvers_allow_list() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(&policy("approvers = [\"Bob@example.com\"]")));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "Change", &["--no-test"]);
    let before = env.refs(&repo);
    let run = env.run_as("Carol", &repo, &["approve", &id]);
    run.code(5);
    assert!(
        run.stderr.contains("not in the policy's approvers"),
        "{}",
        run.stderr
    );
    assert_eq!(env.refs(&repo), before);
    env.run_as("Bob", &repo, &["approve", &id]).ok();
}

#[test]
fn required_approvals_count_distinct_people() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(&policy("required_approvals = 2")));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let main = env.git(&repo, &["rev-parse", "main"]);
    let id = env.propose(&repo, "f", "Change", &["--no-test"]);
    let j = env.run_as("Bob", &repo, &["approve", &id, "--json"]).json();
    assert_eq!(j["state"], "proposed");
    // The same person again adds nothing.
    let j = env.run_as("Bob", &repo, &["approve", &id, "--json"]).json();
    assert_eq!(j["approvals"].as_array().unwrap().len(), 1);
    assert_eq!(env.git(&repo, &["rev-parse", "main"]), main);
    // apply is refused while approvals are incomplete.
    let before = env.refs(&repo);
    env.run_as("Bob", &repo, &["apply", &id]).code(5);
    assert_eq!(env.refs(&repo), before);
    let j = env
        .run_as("Carol", &repo, &["approve", &id, "--json"])
        .json();
    assert_eq!(j["state"], "applied");
    let show = env.run(&repo, &["show", &id, "--json"]).json();
    assert_eq!(show["approval_status"]["valid"], 2);
}

#[test]
fn approve_no_apply_then_apply() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "Change", &["--no-test"]);
    let j = env
        .run_as("Bob", &repo, &["approve", &id, "--no-apply", "--json"])
        .json();
    assert_eq!(j["state"], "approved");
    assert_ne!(
        env.git(&repo, &["rev-parse", "main"]),
        env.git(&repo, &["rev-parse", "f"])
    );
    let j = env.run_as("Carol", &repo, &["apply", &id, "--json"]).json();
    assert_eq!(j["state"], "applied");
    assert_eq!(
        env.git(&repo, &["rev-parse", "main"]),
        env.git(&repo, &["rev-parse", "f"])
    );
}

#[test]
fn urgent_bypass_only_when_allowed_and_logged() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "Hotfix", &["--no-test"]);
    let before = env.refs(&repo);
    env.run(&repo, &["apply", &id, "--urgent", "--reason", "prod down"])
        .code(5);
    env.run(&repo, &["apply", &id]).code(5);
    env.run(&repo, &["apply", &id, "--urgent"]).code(2);
    assert_eq!(env.refs(&repo), before);

    let repo = env.repo("r2", Some(&policy("allow_urgent = true")));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "Hotfix", &["--no-test"]);
    let before = env.refs(&repo);
    env.run(
        &repo,
        &[
            "apply",
            &id,
            "--urgent",
            "--reason",
            "prod down",
            "--skip-tests",
        ],
    )
    .code(5);
    assert_eq!(env.refs(&repo), before);
    let run = env.run(
        &repo,
        &["apply", &id, "--urgent", "--reason", "prod down", "--json"],
    );
    run.ok();
    let j = run.json();
    assert_eq!(j["state"], "applied");
    assert_eq!(j["urgent"]["reason"], "prod down");
    assert_eq!(j["tests"]["passed"], true, "tests still ran");
    let log = env.run(&repo, &["log", &id, "--json"]).stdout;
    assert!(
        log.contains("\"urgent\":true") && log.contains("prod down"),
        "{log}"
    );
    assert!(env.run(&repo, &["status"]).ok().contains("URGENT"));

    let repo = env.repo(
        "r3",
        Some(&policy(
            "allow_urgent = true\nallow_urgent_skip_tests = true",
        )),
    );
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "Hotfix", &["--no-test"]);
    let j = env
        .run(
            &repo,
            &[
                "apply",
                &id,
                "--urgent",
                "--reason",
                "now",
                "--skip-tests",
                "--json",
            ],
        )
        .json();
    assert_eq!(j["state"], "applied");
    assert!(j["tests"].is_null());
    assert_eq!(j["urgent"]["tests_skipped"], true);
}

#[test]
fn rollback_restores_the_previous_tip_only_if_nothing_landed_since() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    let original = env.git(&repo, &["rev-parse", "main"]);
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let a = env.propose(&repo, "a", "A", &["--no-test"]);
    env.run_as("Bob", &repo, &["approve", &a]).ok();
    let j = env
        .run_as(
            "Bob",
            &repo,
            &["rollback", &a, "-m", "broke prod", "--json"],
        )
        .json();
    assert_eq!(j["state"], "rolled-back");
    assert_eq!(env.git(&repo, &["rev-parse", "main"]), original);
    assert!(
        !repo.join("a.txt").exists(),
        "the checked-out worktree follows the rollback"
    );
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    env.run_as("Bob", &repo, &["rollback", &a]).code(1);

    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    let b = env.propose(&repo, "b", "B", &["--no-test"]);
    env.run_as("Bob", &repo, &["approve", &b]).ok();
    env.commit_on_main(&repo, &[("c.txt", "c\n")], "on top");
    let before = env.refs(&repo);
    let run = env.run_as("Bob", &repo, &["rollback", &b]);
    run.code(4);
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    assert_eq!(env.refs(&repo), before);
    env.fsck(&repo);
}

#[test]
fn config_errors_name_file_key_and_line_and_block_only_what_needs_policy() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "Change", &["--no-test"]);
    env.commit_on_main(
        &repo,
        &[(
            ".upgrades.toml",
            "[test]\ncommand = \"true\"\ntimeot = \"5m\"\n",
        )],
        "typo",
    );
    let run = env.run_as("Bob", &repo, &["approve", &id]);
    run.code(1);
    assert!(run.stderr.contains("main:.upgrades.toml"), "{}", run.stderr);
    assert!(
        run.stderr.contains("timeot") && run.stderr.contains("line 3"),
        "{}",
        run.stderr
    );
    env.run(&repo, &["list"]).ok();
    env.run(&repo, &["show", &id]).ok();
    for bad in [
        "[policy]\nrequired_approvals = \"two\"\n",
        "[policy]\nexpire_after = \"soon\"\n",
        "[auto_approve]\npaths = [\"\"]\n",
    ] {
        env.commit_on_main(&repo, &[(".upgrades.toml", bad)], "bad");
        let run = env.run_as("Bob", &repo, &["approve", &id]);
        run.code(1);
        assert!(run.stderr.contains(".upgrades.toml"), "{}", run.stderr);
    }
}

#[test]
fn maintain_expires_auto_approves_and_prunes() {
    let env = TestEnv::new();
    let p = format!(
        "{PASSING}\n[policy]\nexpire_after = \"14d\"\nprune_after = \"90d\"\n\n[auto_approve]\nafter = \"24h\"\nmax_lines = 5\npaths = [\"docs/**\"]\n"
    );
    let repo = env.repo("r", Some(&p));
    env.branch_commit(&repo, "docs", "main", "docs/guide.md", "guide\n");
    env.branch_commit(&repo, "code", "main", "src/x.rs", "fn x() {}\n");
    env.branch_commit(
        &repo,
        "pol",
        "main",
        ".upgrades.toml",
        "[test]\ncommand = \"true\"\n",
    );
    let docs = env.propose(&repo, "docs", "Docs", &[]);
    let code = env.propose(&repo, "code", "Code", &[]);
    let pol = env.propose(&repo, "pol", "Policy", &["--no-test"]);
    // The first maintain run sees them: the auto-approve delay counts from
    // then (or from the proposal, if later), so it does nothing yet.
    let first = env.run_as("CI", &repo, &["maintain", "--json"]);
    assert_eq!(
        first.json()["actions"].as_array().unwrap().len(),
        0,
        "{}",
        first.stdout
    );

    // Two days later: only the docs change is low-risk enough.
    let later = format!("@{} +0000", 1_767_225_600 + 2 * 86_400);
    let dry = env.run_as_env(
        "CI",
        &repo,
        &["maintain", "--dry-run", "--json"],
        &[("GIT_COMMITTER_DATE", &later)],
    );
    let before = env.refs(&repo);
    assert_eq!(
        dry.json()["actions"].as_array().unwrap().len(),
        1,
        "{}",
        dry.stdout
    );
    assert_eq!(env.refs(&repo), before);
    let run = env.run_as_env(
        "CI",
        &repo,
        &["maintain", "--json"],
        &[("GIT_COMMITTER_DATE", &later)],
    );
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
    assert_eq!(
        actions,
        [
            (docs.clone(), "auto-approved".into()),
            (docs.clone(), "applied".into())
        ]
    );
    assert_eq!(
        env.git(&repo, &["rev-parse", "main"]),
        env.git(&repo, &["rev-parse", "docs"])
    );
    let log = env.run(&repo, &["log", &docs, "--json"]).stdout;
    assert!(log.contains("\"actor\":\"policy\""), "{log}");

    // Fifteen days later: the rest expire (the policy change is never auto-approved).
    let later = format!("@{} +0000", 1_767_225_600 + 15 * 86_400);
    let run = env.run_as_env(
        "CI",
        &repo,
        &["maintain", "--json"],
        &[("GIT_COMMITTER_DATE", &later)],
    );
    let expired: Vec<String> = run.json()["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "expired")
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(expired.len(), 2);
    assert!(expired.contains(&code) && expired.contains(&pol));
    assert_eq!(env.git(&repo, &["for-each-ref", "refs/upgrades/"]), "");

    // A hundred and twenty days later: everything closed is pruned.
    let later = format!("@{} +0000", 1_767_225_600 + 120 * 86_400);
    let run = env.run_as_env(
        "CI",
        &repo,
        &["maintain", "--json"],
        &[("GIT_COMMITTER_DATE", &later)],
    );
    assert_eq!(
        run.json()["actions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["action"] == "pruned")
            .count(),
        3
    );
    assert_eq!(
        env.git(
            &repo,
            &[
                "for-each-ref",
                "refs/upgrades/",
                "refs/upgrades-archive/",
                "refs/notes/upgrades/"
            ]
        ),
        ""
    );
    env.fsck(&repo);
}

fn keygen(env: &TestEnv, name: &str) -> (String, String) {
    let key = env.path().join(format!("{name}_key"));
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen");
    assert!(out.status.success());
    let public = std::fs::read_to_string(key.with_extension("pub"))
        .unwrap_or_else(|_| std::fs::read_to_string(format!("{}.pub", key.display())).unwrap());
    (key.display().to_string(), public.trim().to_string())
}

fn signing_env(key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GIT_CONFIG_COUNT", "2".into()),
        ("GIT_CONFIG_KEY_0", "gpg.format".into()),
        ("GIT_CONFIG_VALUE_0", "ssh".into()),
        ("GIT_CONFIG_KEY_1", "user.signingkey".into()),
        ("GIT_CONFIG_VALUE_1", key.into()),
    ]
}

#[test]
fn signed_approvals_with_real_ssh_keys() {
    if std::process::Command::new("ssh-keygen")
        .arg("-?")
        .output()
        .is_err()
    {
        eprintln!("ssh-keygen not available; skipping");
        return;
    }
    let env = TestEnv::new();
    let (bob_key, bob_pub) = keygen(&env, "bob");
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

    // No signing set-up: refused, nothing written.
    let before = env.refs(&repo);
    let run = env.run_as("Bob", &repo, &["approve", &id]);
    run.code(5);
    assert_eq!(env.refs(&repo), before);
    // Mallory signs as Carol with a key nobody allowed: refused.
    let menv = signing_env(&mallory_key);
    let menv: Vec<(&str, &str)> = menv.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = env.run_as_env("Carol", &repo, &["approve", &id], &menv);
    run.code(5);
    assert!(run.stderr.contains("signature"), "{}", run.stderr);
    assert_eq!(env.refs(&repo), before);
    // Bob signs with his allowed key: it counts and lands.
    let benv = signing_env(&bob_key);
    let benv: Vec<(&str, &str)> = benv.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = env.run_as_env("Bob", &repo, &["approve", &id, "--json"], &benv);
    run.ok();
    assert_eq!(run.json()["state"], "applied");
    // The approval's event commit carries a real signature git itself accepts.
    let signers = repo.join(".upgrades/allowed_signers");
    let approved = env.git(
        &repo,
        &[
            "log",
            "--format=%H %s",
            &format!("refs/notes/upgrades/{id}"),
        ],
    );
    let commit = approved
        .lines()
        .find(|l| l.contains("upgrade.approved"))
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let verify = env.git_run(
        &repo,
        &[
            "-c",
            &format!("gpg.ssh.allowedSignersFile={}", signers.display()),
            "verify-commit",
            commit,
        ],
    );
    assert_eq!(verify.code, 0, "{}", verify.stderr);
    let show = env.run(&repo, &["show", &id]).ok().to_string();
    assert!(show.contains("good signature by bob@example.com"), "{show}");
}

#[test]
fn identity_is_read_as_git_reads_it_for_external_commands() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.git(&repo, &["config", "user.name", "Alice"]);
    env.git(&repo, &["config", "user.email", "alice@example.com"]);
    let approve_as = |args: &[&str], envs: &[(&str, &str)]| -> String {
        let branch = format!("b{}", env.tick());
        env.branch_commit(&repo, &branch, "main", &format!("{branch}.txt"), "x\n");
        let id = env.propose(&repo, &branch, "Mine", &["--no-test"]);
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["upgrades", "approve", &id, "--no-apply"]);
        let mut cmd = env.git_cmd(&repo, &all);
        // Only git's own configuration names the approver here.
        for var in [
            "GIT_COMMITTER_NAME",
            "GIT_COMMITTER_EMAIL",
            "GIT_AUTHOR_NAME",
            "GIT_AUTHOR_EMAIL",
        ] {
            cmd.env_remove(var);
        }
        cmd.envs(envs.iter().copied());
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        env.git(
            &repo,
            &[
                "log",
                "-1",
                "--format=%an <%ae>",
                &format!("refs/notes/upgrades/{id}"),
            ],
        )
    };
    // `git -c` reaches external commands in GIT_CONFIG_PARAMETERS.
    let who = approve_as(
        &["-c", "user.name=Bob", "-c", "user.email=bob@example.com"],
        &[],
    );
    assert_eq!(who, "Bob <bob@example.com>");
    // And GIT_CONFIG_COUNT / KEY_n / VALUE_n.
    let who = approve_as(
        &[],
        &[
            ("GIT_CONFIG_COUNT", "2"),
            ("GIT_CONFIG_KEY_0", "user.name"),
            ("GIT_CONFIG_VALUE_0", "Carol"),
            ("GIT_CONFIG_KEY_1", "user.email"),
            ("GIT_CONFIG_VALUE_1", "carol@example.com"),
        ],
    );
    assert_eq!(who, "Carol <carol@example.com>");
}

#[test]
fn identity_follows_includes_conditional_includes_and_committer_variables() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "F", &["--no-test"]);
    let who = |env_vars: &[(&str, &str)]| {
        let tip = env.git(&repo, &["rev-parse", &format!("refs/notes/upgrades/{id}")]);
        let mut cmd = env.cmd(&repo, &["approve", &id, "--no-apply"]);
        cmd.env_remove("GIT_COMMITTER_NAME")
            .env_remove("GIT_COMMITTER_EMAIL")
            .env_remove("GIT_AUTHOR_NAME")
            .env_remove("GIT_AUTHOR_EMAIL");
        for (k, v) in env_vars {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let who = env.git(
            &repo,
            &[
                "log",
                "-1",
                "--format=%an <%ae>",
                &format!("refs/notes/upgrades/{id}"),
            ],
        );
        // Undo, so the next identity approves afresh.
        env.git(
            &repo,
            &["update-ref", &format!("refs/notes/upgrades/{id}"), &tip],
        );
        who
    };
    // An included file, as git reads it.
    std::fs::write(
        repo.join(".git/extra.cfg"),
        "[user]\n\tname = Dora\n\temail = dora@example.com\n",
    )
    .unwrap();
    env.git(&repo, &["config", "include.path", "extra.cfg"]);
    assert_eq!(who(&[]), "Dora <dora@example.com>");
    // A conditional include on this repository's git directory wins after it.
    std::fs::write(
        repo.join(".git/cond.cfg"),
        "[user]\n\tname = Eve\n\temail = eve@example.com\n",
    )
    .unwrap();
    // `gitdir:<dir>/` matches every git directory under <dir>.
    let dir = std::fs::canonicalize(&repo).unwrap();
    env.git(
        &repo,
        &[
            "config",
            &format!("includeIf.gitdir:{}/.path", dir.display()),
            "cond.cfg",
        ],
    );
    assert_eq!(who(&[]), "Eve <eve@example.com>");
    // GIT_COMMITTER_* override the configuration, as for git commit.
    assert_eq!(
        who(&[
            ("GIT_COMMITTER_NAME", "Fay"),
            ("GIT_COMMITTER_EMAIL", "fay@example.com")
        ]),
        "Fay <fay@example.com>"
    );
    // And `git -c` (in GIT_CONFIG_PARAMETERS) beats the files.
    assert_eq!(
        who(&[(
            "GIT_CONFIG_PARAMETERS",
            "'user.name'='Gus' 'user.email'='gus@example.com'"
        )]),
        "Gus <gus@example.com>"
    );
}

#[test]
fn protected_path_patterns_match_as_git_matches_them() {
    let env = TestEnv::new();
    let policy = format!(
        "{PASSING}[policy]\nprotected_paths = [\".upgrades.toml\", \"deploy/\", \"/Makefile\", \"**/*.key\"]\n"
    );
    let repo = env.repo("r", Some(&policy));
    let flagged = |branch: &str, file: &str| {
        env.branch_commit(&repo, branch, "main", file, "x\n");
        let run = env.run(
            &repo,
            &["propose", branch, "-m", file, "--no-test", "--json"],
        );
        run.ok();
        run.json()["policy_change"].as_bool().unwrap()
    };
    assert!(flagged("a", "deploy/prod/app.yml"));
    assert!(flagged("b", "Makefile"));
    assert!(!flagged("c", "sub/Makefile"));
    assert!(flagged("d", "certs/deep/server.key"));
    assert!(!flagged("e", "deployment.txt"));
    // Braces are refused where the policy is read, naming the key.
    let bad = env.repo(
        "bad",
        Some(&format!(
            "{PASSING}[policy]\nprotected_paths = [\"{{a,b}}/x\"]\n"
        )),
    );
    env.branch_commit(&bad, "x", "main", "x.txt", "x\n");
    let run = env.run(&bad, &["propose", "x", "-m", "x", "--no-test"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("protected_paths"), "{}", run.stderr);
}

#[test]
fn first_seen_times_are_kept_only_for_open_upgrades() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let a = env.propose(&repo, "a", "A", &["--no-test"]);
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    let b = env.propose(&repo, "b", "B", &["--no-test"]);
    env.run(&repo, &["maintain"]).ok();
    let seen = || std::fs::read_to_string(repo.join(".git/upgrades/first-seen")).unwrap();
    assert!(seen().contains(&a) && seen().contains(&b), "{}", seen());
    env.run_as("Bob", &repo, &["reject", &a, "-m", "no"]).ok();
    env.run(&repo, &["maintain"]).ok();
    assert!(!seen().contains(&a) && seen().contains(&b), "{}", seen());
}
