//! Trust from facts: forged notes and events, written with plain git by
//! someone with push access to the hub, never approve, land or describe a
//! change. Each attack uses a bare hub and three clones: the proposer (who
//! is also the attacker), a reviewer and CI.

use std::path::Path;

use crate::common::forge::{self, has_ssh_keygen, hub, keygen, signing_env, Forgery};
use crate::common::{TestEnv, PASSING};

const BOB: &str = "Bob <bob@example.com>";

fn rev(env: &TestEnv, dir: &Path, what: &str) -> String {
    env.git(dir, &["rev-parse", what])
}

/// Propose `file` on a branch in the proposer's clone and push it to the hub.
fn propose_and_push(env: &TestEnv, dir: &Path, files: &[(&str, &str)], extra: &[&str]) -> String {
    env.git(dir, &["checkout", "-q", "-B", "change", "main"]);
    for (path, content) in files {
        if let Some(parent) = Path::new(path).parent() {
            std::fs::create_dir_all(dir.join(parent)).unwrap();
        }
        std::fs::write(dir.join(path), content).unwrap();
    }
    env.git(dir, &["add", "-A"]);
    env.git(dir, &["commit", "-q", "-m", "change"]);
    env.git(dir, &["checkout", "-q", "main"]);
    let id = env.propose(dir, "change", "A change", extra);
    env.run(dir, &["push"]).ok();
    id
}

fn policy_approval(f: &Forgery<'_>) -> String {
    let rec = forge::record(f.env, f.dir, f.id);
    let head = rec["head"].as_str().unwrap().to_string();
    f.append(
        "policy <ci@example.com>",
        "upgrade.approved",
        serde_json::json!({"head": head, "target": "main", "rule": "auto_approve", "comment": "low-risk"}),
        |r| {
            r["state"] = "approved".into();
            r["approvals"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({"by": "policy", "at": "2026-01-01T00:00:00Z", "head": head, "comment": "x"}));
        },
    )
}

#[test]
fn a_forged_policy_approval_never_lands() {
    let env = TestEnv::new();
    let policy = format!("{PASSING}\n[policy]\nrequired_approvals = 2\n");
    let (hub_dir, c) = hub(&env, &policy, 3);
    let main = rev(&env, &c[2], "main");
    let id = propose_and_push(&env, &c[0], &[("src/app.rs", "evil\n")], &[]);
    // One real approval.
    env.run_as("Bob", &c[1], &["pull"]).ok();
    env.run_as("Bob", &c[1], &["approve", &id, "--no-apply"])
        .ok();
    env.run_as("Bob", &c[1], &["push"]).ok();
    // The attacker adds a "policy" approval, chain and record consistent.
    env.run(&c[0], &["pull"]).ok();
    let f = Forgery {
        env: &env,
        dir: &c[0],
        id: &id,
    };
    policy_approval(&f);
    f.push("origin", &[]);

    env.run_as("CI", &c[2], &["pull"]).ok();
    let show = env.run(&c[2], &["show", &id, "--json"]).json();
    assert_eq!(show["approval_status"]["valid"], 1, "{show}");
    let judged = show["approval_status"]["approvals"].as_array().unwrap();
    let forged = judged.iter().find(|a| a["by"] == "policy").unwrap();
    assert_eq!(forged["counts"], false);
    assert!(
        forged["why_not"].as_str().unwrap().contains("auto-approve"),
        "{forged}"
    );
    let run = env.run_as("CI", &c[2], &["apply", "--all", "--json"]);
    let results = run.json()["results"].clone();
    assert_ne!(results[0]["result"], "applied", "{results}");
    env.run_as("CI", &c[2], &["apply", &id]).code(5);
    assert_eq!(rev(&env, &c[2], "main"), main);
    assert_eq!(rev(&env, &hub_dir, "main"), main);
    env.fsck(&c[2]);
}

#[test]
fn a_record_that_claims_more_than_its_events_is_refused() {
    let env = TestEnv::new();
    let (_hub, c) = hub(&env, PASSING, 3);
    let id = propose_and_push(&env, &c[0], &[("src/app.rs", "evil\n")], &["--no-test"]);
    env.run_as("CI", &c[2], &["pull"]).ok();
    let before = env.refs(&c[2]);
    // Only the note says "approved by policy": the event is a plain test run.
    let f = Forgery {
        env: &env,
        dir: &c[0],
        id: &id,
    };
    let head = forge::record(&env, &c[0], &id)["head"]
        .as_str()
        .unwrap()
        .to_string();
    f.append(
        "Alice <alice@example.com>",
        "upgrade.tested",
        serde_json::json!({"status": "passed", "commit": head}),
        |r| {
            r["state"] = "approved".into();
            r["approvals"] =
                serde_json::json!([{"by": "policy", "at": "2026-01-01T00:00:00Z", "head": head}]);
        },
    );
    f.push("origin", &[]);
    let run = env.run_as("CI", &c[2], &["pull"]);
    run.code(1);
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains(&id))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(line.contains("disagrees with its event chain"), "{line}");
    assert!(
        line.contains("state") && line.contains("approvals"),
        "{line}"
    );
    // Nothing of CI's changed but the tracking refs.
    let strip = |s: &str| -> String {
        s.lines()
            .filter(|l| !l.starts_with("refs/upgrades-sync/") && !l.starts_with("refs/remotes/"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&env.refs(&c[2])), strip(&before));
    env.run_as("CI", &c[2], &["apply", "--all"]).ok();
    assert_eq!(strip(&env.refs(&c[2])), strip(&before));
}

#[test]
fn a_forged_file_list_is_not_what_auto_approve_judges() {
    let env = TestEnv::new();
    let policy = format!(
        "{PASSING}\n[auto_approve]\nafter = \"1h\"\nmax_lines = 50\npaths = [\"docs/**\"]\n"
    );
    let (_hub, c) = hub(&env, &policy, 3);
    let main = rev(&env, &c[2], "main");
    let id = propose_and_push(
        &env,
        &c[0],
        &[
            (".upgrades.toml", "[test]\ncommand = \"true\"\n"),
            ("run-tests.sh", "exit 0\n"),
            ("src/app.rs", "evil\n"),
        ],
        &[],
    );
    // The record now claims one harmless docs file.
    let f = Forgery {
        env: &env,
        dir: &c[0],
        id: &id,
    };
    let head = forge::record(&env, &c[0], &id)["head"]
        .as_str()
        .unwrap()
        .to_string();
    f.append(
        "Alice <alice@example.com>",
        "upgrade.tested",
        serde_json::json!({"status": "passed", "commit": head}),
        |r| {
            r["files"] = serde_json::json!([{"path": "docs/x.md", "status": "modified", "added": 1, "removed": 0}]);
            r["stats"] = serde_json::json!({"files": 1, "added": 1, "removed": 0});
            r["policy_change"] = false.into();
        },
    );
    f.push("origin", &[]);
    env.run_as("CI", &c[2], &["pull"]).ok();
    // What `show` presents is recomputed from the trees.
    let show = env.run(&c[2], &["show", &id, "--json"]).json();
    let paths: Vec<&str> = show["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, [".upgrades.toml", "run-tests.sh", "src/app.rs"]);
    assert_eq!(show["policy_change"], true);
    // Seen now, then two hours later: still not auto-approved.
    env.run_as("CI", &c[2], &["maintain"]).ok();
    let later = format!("@{} +0000", 1_767_225_600 + 4 * 86_400);
    let run = env.run_as_env(
        "CI",
        &c[2],
        &["maintain", "--json"],
        &[("GIT_COMMITTER_DATE", &later)],
    );
    assert_eq!(
        run.json()["actions"],
        serde_json::json!([]),
        "{}",
        run.stdout
    );
    // A forged rule approval on top does not make it land either.
    env.run(&c[0], &["pull"]).ok();
    policy_approval(&f);
    f.push("origin", &[]);
    env.run_as("CI", &c[2], &["pull"]).ok();
    let run = env.run_as_env(
        "CI",
        &c[2],
        &["apply", "--all", "--json"],
        &[("GIT_COMMITTER_DATE", &later)],
    );
    assert_ne!(
        run.json()["results"][0]["result"],
        "applied",
        "{}",
        run.stdout
    );
    assert_eq!(rev(&env, &c[2], "main"), main);
}

/// A forged chain (unsigned approval "by Bob", then `applied`) and a hub
/// whose main the attacker pushed to an unreviewed commit.
fn forge_landing(env: &TestEnv, c: &[std::path::PathBuf], id: &str, main: &str) {
    let f = Forgery {
        env,
        dir: &c[0],
        id,
    };
    let head = forge::record(env, &c[0], id)["head"]
        .as_str()
        .unwrap()
        .to_string();
    f.append(
        BOB,
        "upgrade.approved",
        serde_json::json!({"head": head, "target": "main", "approvals": 1, "required": 1}),
        |r| {
            r["state"] = "approved".into();
            r["approvals"] =
                serde_json::json!([{"by": BOB, "at": "2026-01-01T00:00:00Z", "head": head}]);
        },
    );
    f.append(
        BOB,
        "upgrade.applied",
        serde_json::json!({"target": "main", "previous_target": main, "new_target": head}),
        |r| {
            r["state"] = "applied".into();
            r["landing"] = serde_json::json!({"by": BOB, "at": "2026-01-01T00:00:00Z", "previous_target": main, "new_target": head});
        },
    );
}

#[test]
fn a_forged_landing_never_moves_a_target() {
    if !has_ssh_keygen() {
        eprintln!("ssh-keygen not available; skipping");
        return;
    }
    let env = TestEnv::new();
    let (_, bob_pub) = keygen(&env, "bob");
    let policy = format!(
        "{PASSING}\n[policy]\nrequire_signed_approvals = true\nallowed_signers = \"signers\"\n"
    );
    let (hub_dir, c) = hub(&env, &policy, 3);
    env.commit_on_main(
        &c[0],
        &[("signers", &format!("bob@example.com {bob_pub}\n"))],
        "signers",
    );
    env.git(&c[0], &["push", "-q", "origin", "main"]);
    env.run_as("CI", &c[2], &["pull"]).ok();
    let main = rev(&env, &c[2], "main");
    let id = propose_and_push(&env, &c[0], &[("src/app.rs", "harmless\n")], &["--no-test"]);
    let head = forge::record(&env, &c[0], &id)["head"]
        .as_str()
        .unwrap()
        .to_string();

    // The head is not on the hub's main: the "applied" record is refused.
    forge_landing(&env, &c, &id, &main);
    Forgery {
        env: &env,
        dir: &c[0],
        id: &id,
    }
    .push("origin", &[]);
    let run = env.run_as("CI", &c[2], &["pull"]);
    run.code(1);
    assert!(
        run.stderr.contains(&id) && run.stderr.contains("does not contain its head"),
        "{}",
        run.stderr
    );
    assert_eq!(rev(&env, &c[2], "main"), main);

    // Now main on the hub is the head plus an unreviewed commit: the landing
    // is on the target, but its approval is not signed, so CI's main stays.
    env.git(&c[0], &["checkout", "-q", "-B", "evil", &head]);
    std::fs::write(c[0].join("backdoor"), "x\n").unwrap();
    env.git(&c[0], &["add", "-A"]);
    env.git(&c[0], &["commit", "-q", "-m", "unreviewed"]);
    env.git(&c[0], &["push", "-q", "-f", "origin", "evil:main"]);
    let run = env.run_as("CI", &c[2], &["pull", "--json"]);
    let pulled = run.json()["pulled"].clone();
    let target = pulled
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["change"] == "target")
        .unwrap_or_else(|| panic!("{pulled}"));
    assert!(
        target["detail"]
            .as_str()
            .unwrap()
            .contains("not fast-forwarded"),
        "{target}"
    );
    assert_eq!(rev(&env, &c[2], "main"), main);
    assert_ne!(rev(&env, &hub_dir, "main"), main);
}

#[test]
fn claimed_landings_move_a_target_only_as_far_as_they_explain() {
    let env = TestEnv::new();
    let (_hub, c) = hub(&env, PASSING, 3);
    let main = rev(&env, &c[2], "main");
    // A real, reviewed and tested landing in the reviewer's clone.
    let id = propose_and_push(&env, &c[0], &[("src/app.rs", "good\n")], &[]);
    env.run_as("Bob", &c[1], &["pull"]).ok();
    env.run_as("Bob", &c[1], &["approve", &id]).ok();
    env.run_as("Bob", &c[1], &["push"]).ok();
    let landed = rev(&env, &c[1], "main");
    assert_ne!(landed, main);
    // Someone pushes an unreviewed commit on top of it with plain git.
    env.git(&c[1], &["checkout", "-q", "-B", "sneak", "main"]);
    std::fs::write(c[1].join("backdoor"), "x\n").unwrap();
    env.git(&c[1], &["add", "-A"]);
    env.git(&c[1], &["commit", "-q", "-m", "unreviewed"]);
    env.git(&c[1], &["push", "-q", "origin", "sneak:main"]);
    // CI follows the landing, and stops where the review stops.
    let run = env.run_as("CI", &c[2], &["pull", "--json"]);
    run.ok();
    assert_eq!(rev(&env, &c[2], "main"), landed);
    assert!(run.stdout.contains("unreviewed"), "{}", run.stdout);
}

#[test]
fn rewritten_targets_heads_and_chains_are_refused() {
    let env = TestEnv::new();
    let (_hub, c) = hub(&env, PASSING, 3);
    env.git(&c[0], &["branch", "release", "main"]);
    env.git(&c[0], &["push", "-q", "origin", "release"]);
    let id = propose_and_push(&env, &c[0], &[("src/app.rs", "x\n")], &["--no-test"]);
    env.run_as("CI", &c[2], &["pull"]).ok();
    let original = forge::tip(&env, &c[0], &id);
    let head = forge::record(&env, &c[0], &id)["head"]
        .as_str()
        .unwrap()
        .to_string();
    let other = rev(&env, &c[0], "main");
    let f = Forgery {
        env: &env,
        dir: &c[0],
        id: &id,
    };
    let reset = || {
        env.git(
            &c[0],
            &[
                "update-ref",
                &format!("refs/notes/upgrades/{id}"),
                &original,
            ],
        );
    };
    type Attack<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let attacks: Vec<Attack<'_>> = vec![
        (
            "target",
            Box::new(|| {
                f.append(
                    "Alice <alice@example.com>",
                    "upgrade.tested",
                    serde_json::json!({"status": "passed", "commit": head}),
                    |r| r["target"] = "release".into(),
                );
            }),
        ),
        (
            "head",
            Box::new(|| {
                // The record (and the note's place) moved to another commit.
                f.append(
                    "Alice <alice@example.com>",
                    "upgrade.tested",
                    serde_json::json!({"status": "passed", "commit": head}),
                    |r| r["head"] = other.clone().into(),
                );
            }),
        ),
        (
            "another head",
            Box::new(|| {
                f.append(
                    BOB,
                    "upgrade.approved",
                    serde_json::json!({"head": other, "approvals": 1, "required": 1}),
                    |r| r["state"] = "approved".into(),
                );
            }),
        ),
        (
            "belongs to upgrade",
            Box::new(|| {
                let t = forge::tip(&env, &c[0], &id);
                let rec = forge::record(&env, &c[0], &id);
                let event = serde_json::json!({"format": 1, "event": "upgrade.tested", "id": "other",
                    "actor": "Alice <alice@example.com>", "seq": 2,
                    "details": {"status": "passed", "commit": head}});
                let commit = f.event(&[&t], "Alice <alice@example.com>", event, &rec);
                env.git(
                    &c[0],
                    &["update-ref", &format!("refs/notes/upgrades/{id}"), &commit],
                );
            }),
        ),
        (
            "logical clock",
            Box::new(|| {
                // An event deleted from the middle: the next one keeps its clock.
                let t = forge::tip(&env, &c[0], &id);
                let mut rec = forge::record(&env, &c[0], &id);
                rec["seq"] = 3.into();
                let event = serde_json::json!({"format": 1, "event": "upgrade.tested", "id": id,
                    "actor": "Alice <alice@example.com>", "seq": 3,
                    "details": {"status": "passed", "commit": head}});
                let commit = f.event(&[&t], "Alice <alice@example.com>", event, &rec);
                env.git(
                    &c[0],
                    &["update-ref", &format!("refs/notes/upgrades/{id}"), &commit],
                );
            }),
        ),
        (
            "not possible for an upgrade that is proposed",
            Box::new(|| {
                // Reordered: landed before anyone approved.
                f.append(
                    BOB,
                    "upgrade.applied",
                    serde_json::json!({"target": "main", "previous_target": other, "new_target": head}),
                    |r| r["state"] = "applied".into(),
                );
            }),
        ),
        (
            "is not its commit's author",
            Box::new(|| {
                f.append(
                    "Mallory <mallory@example.com>",
                    "upgrade.tested",
                    serde_json::json!({"status": "passed", "commit": head}),
                    |_| {},
                );
                // The event claims Bob acted; the commit says Mallory wrote it.
                let t = forge::tip(&env, &c[0], &id);
                let rec = forge::record(&env, &c[0], &id);
                let parent = env.git(&c[0], &["rev-parse", &format!("{t}^")]);
                let event = serde_json::json!({"format": 1, "event": "upgrade.tested", "id": id,
                    "actor": BOB, "seq": 2, "details": {"status": "passed", "commit": head}});
                let commit = f.event(&[&parent], "Mallory <mallory@example.com>", event, &rec);
                env.git(
                    &c[0],
                    &["update-ref", &format!("refs/notes/upgrades/{id}"), &commit],
                );
            }),
        ),
    ];
    for (expect, attack) in attacks {
        reset();
        attack();
        f.push("origin", &[]);
        let before = env.git(
            &c[2],
            &["rev-parse", &format!("refs/notes/upgrades/{id}"), "main"],
        );
        let run = env.run_as("CI", &c[2], &["pull"]);
        run.code(1);
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains(&id))
            .unwrap_or_else(|| panic!("{expect}: {}", run.stderr));
        assert!(line.contains(expect), "{expect}: {line}");
        assert_eq!(
            env.git(
                &c[2],
                &["rev-parse", &format!("refs/notes/upgrades/{id}"), "main"]
            ),
            before,
            "{expect}"
        );
    }
}

#[test]
fn signed_approvals_survive_a_rebase_and_copies_do_not_count() {
    if !has_ssh_keygen() {
        eprintln!("ssh-keygen not available; skipping");
        return;
    }
    let env = TestEnv::new();
    let (bob_key, bob_pub) = keygen(&env, "bob");
    let policy = format!(
        "{PASSING}\n[policy]\nrequire_signed_approvals = true\nallowed_signers = \"signers\"\n"
    );
    let (_hub, c) = hub(&env, &policy, 3);
    env.commit_on_main(
        &c[0],
        &[("signers", &format!("bob@example.com {bob_pub}\n"))],
        "signers",
    );
    env.git(&c[0], &["push", "-q", "origin", "main"]);
    let a = propose_and_push(&env, &c[0], &[("a.txt", "a\n")], &[]);
    let benv = signing_env(&bob_key);
    let benv: Vec<(&str, &str)> = benv.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.run_as("Bob", &c[1], &["pull"]).ok();
    env.git(&c[1], &["merge", "-q", "--ff-only", "origin/main"]);
    env.run_as_env("Bob", &c[1], &["approve", &a, "--no-apply"], &benv)
        .ok();
    env.run_as("Bob", &c[1], &["push"]).ok();
    // The target moves on: CI's merge queue rebases the upgrade, and Bob's
    // signed approval still counts (the patch is unchanged).
    env.commit_on_main(&c[0], &[("other.txt", "o\n")], "unrelated");
    env.git(&c[0], &["push", "-q", "origin", "main"]);
    env.run_as("CI", &c[2], &["pull"]).ok();
    env.git(&c[2], &["merge", "-q", "--ff-only", "origin/main"]);
    let run = env.run_as("CI", &c[2], &["apply", "--all", "--json"]);
    assert_eq!(
        run.json()["results"][0]["result"],
        "applied",
        "{}",
        run.stdout
    );
    let show = env.run(&c[2], &["show", &a, "--json"]).json();
    let judged = &show["approval_status"]["approvals"][0];
    assert!(judged["carried_from"].is_string(), "{show}");

    // Bob's signed approval event copied into another upgrade (its id and
    // parent rewritten) no longer verifies, so it does not count.
    env.run(&c[0], &["pull"]).ok();
    let b = propose_and_push(&env, &c[0], &[("b.txt", "b\n")], &["--no-test"]);
    let approval = env
        .git(
            &c[1],
            &["log", "--format=%H %s", &format!("refs/notes/upgrades/{a}")],
        )
        .lines()
        .find(|l| l.contains("upgrade.approved"))
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    env.run(&c[0], &["pull"]).ok();
    let raw = env.git(&c[0], &["cat-file", "commit", &approval]);
    let b_tip = forge::tip(&env, &c[0], &b);
    let b_head = forge::record(&env, &c[0], &b)["head"]
        .as_str()
        .unwrap()
        .to_string();
    let a_head_line = raw
        .lines()
        .find(|l| l.contains("\"head\""))
        .unwrap()
        .to_string();
    let mut rec = forge::record(&env, &c[0], &b);
    rec["seq"] = 2.into();
    rec["state"] = "approved".into();
    rec["approvals"] =
        serde_json::json!([{"by": BOB, "at": "2026-01-01T00:00:00Z", "head": b_head}]);
    let tree_blob = forge::git_in(
        &env,
        &c[0],
        &["hash-object", "-w", "--stdin"],
        format!("s\n{}\n", serde_json::to_string_pretty(&rec).unwrap()).as_bytes(),
        &[],
    );
    let tree = forge::git_in(
        &env,
        &c[0],
        &["mktree"],
        format!("100644 blob {tree_blob}\t{b_head}\n").as_bytes(),
        &[],
    );
    let mut lines: Vec<String> = Vec::new();
    for l in raw.lines() {
        if l.starts_with("tree ") {
            lines.push(format!("tree {tree}"));
        } else if l.starts_with("parent ") {
            lines.push(format!("parent {b_tip}"));
        } else if l == a_head_line {
            let start = l.find("\"head\": \"").unwrap() + 9;
            lines.push(format!(
                "{}{}{}",
                &l[..start],
                b_head,
                &l[start + b_head.len()..]
            ));
        } else {
            lines.push(l.replace(&a, &b).replace("\"seq\": 3", "\"seq\": 2"));
        }
    }
    let copied = forge::git_in(
        &env,
        &c[0],
        &[
            "hash-object",
            "-t",
            "commit",
            "-w",
            "--stdin",
            "--literally",
        ],
        format!("{}\n", lines.join("\n")).as_bytes(),
        &[],
    );
    env.git(
        &c[0],
        &["update-ref", &format!("refs/notes/upgrades/{b}"), &copied],
    );
    Forgery {
        env: &env,
        dir: &c[0],
        id: &b,
    }
    .push("origin", &[]);
    env.run_as("CI", &c[2], &["pull"]).ok();
    let show = env.run(&c[2], &["show", &b, "--json"]).json();
    assert_eq!(show["approval_status"]["valid"], 0, "{show}");
    let before = rev(&env, &c[2], "main");
    let run = env.run_as("CI", &c[2], &["apply", "--all", "--json"]);
    assert_ne!(
        run.json()["results"][0]["result"],
        "applied",
        "{}",
        run.stdout
    );
    assert_eq!(rev(&env, &c[2], "main"), before);
}

#[test]
fn unsigned_approvals_are_labelled_as_claimed_identities() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "Change", &["--no-test"]);
    env.run_as("Bob", &repo, &["approve", &id, "--no-apply"])
        .ok();
    let show = env.run(&repo, &["show", &id, "--json"]).json();
    assert_eq!(show["approval_status"]["identity"], "claimed");
    assert_eq!(
        show["approval_status"]["approvals"][0]["proof"],
        "claimed identity (unsigned)"
    );
    let text = env.run(&repo, &["show", &id]).ok().to_string();
    assert!(text.contains("identities are claimed"), "{text}");
    let status = env.run(&repo, &["status"]).ok().to_string();
    assert!(status.contains("unsigned: claimed identities"), "{status}");
    let status = env.run(&repo, &["status", "--json"]).json();
    assert_eq!(status["identity"]["main"], "claimed", "{status}");
    // Re-approving after the approval counts changes nothing.
    let before = env.refs(&repo);
    env.run_as("Bob", &repo, &["approve", &id, "--no-apply"])
        .ok();
    assert_eq!(env.refs(&repo), before);
}

#[test]
fn an_oversized_note_is_refused_unread() {
    let env = TestEnv::new();
    let (_hub, c) = hub(&env, PASSING, 3);
    let id = propose_and_push(&env, &c[0], &[("a.txt", "a\n")], &["--no-test"]);
    let head = forge::record(&env, &c[0], &id)["head"]
        .as_str()
        .unwrap()
        .to_string();
    let t = forge::tip(&env, &c[0], &id);
    // An 8 MiB note (the limit is 4 MiB) in an otherwise valid event.
    let mut note = String::from("x\n{\n");
    note.push_str(&" ".repeat(8 << 20));
    note.push('}');
    let blob = forge::git_in(
        &env,
        &c[0],
        &["hash-object", "-w", "--stdin"],
        note.as_bytes(),
        &[],
    );
    let tree = forge::git_in(
        &env,
        &c[0],
        &["mktree"],
        format!("100644 blob {blob}\t{head}\n").as_bytes(),
        &[],
    );
    let message = format!(
        "upgrade.tested {id}: x\n\n{}\n",
        serde_json::json!({"format": 1, "event": "upgrade.tested", "id": id,
            "actor": "Alice <alice@example.com>", "seq": 2,
            "details": {"status": "passed", "commit": head}})
    );
    let commit = forge::git_in(
        &env,
        &c[0],
        &["commit-tree", &tree, "-p", &t],
        message.as_bytes(),
        &[],
    );
    env.git(
        &c[0],
        &["update-ref", &format!("refs/notes/upgrades/{id}"), &commit],
    );
    Forgery {
        env: &env,
        dir: &c[0],
        id: &id,
    }
    .push("origin", &[]);
    let run = env.run_as("CI", &c[2], &["pull"]);
    run.code(1);
    assert!(
        run.stderr.contains(&id) && run.stderr.contains("not read"),
        "{}",
        run.stderr
    );
}

#[test]
fn signed_paths_require_signatures_only_where_they_match() {
    if !has_ssh_keygen() {
        eprintln!("ssh-keygen not available; skipping");
        return;
    }
    let env = TestEnv::new();
    let (bob_key, bob_pub) = keygen(&env, "bob");
    let policy = format!(
        "{PASSING}\n[policy]\nsigned_paths = [\"src/**\"]\nallowed_signers = \"signers\"\n"
    );
    let repo = env.repo("r", Some(&policy));
    env.commit_on_main(
        &repo,
        &[("signers", &format!("bob@example.com {bob_pub}\n"))],
        "signers",
    );
    env.branch_commit(&repo, "docs", "main", "docs/a.md", "a\n");
    let docs = env.propose(&repo, "docs", "Docs", &["--no-test"]);
    let run = env.run_as("Bob", &repo, &["approve", &docs, "--json"]);
    assert_eq!(run.json()["state"], "applied", "{}", run.stderr);

    env.branch_commit(&repo, "code", "main", "src/a.rs", "a\n");
    let code = env.propose(&repo, "code", "Code", &["--no-test"]);
    let before = env.refs(&repo);
    env.run_as("Bob", &repo, &["approve", &code]).code(5);
    assert_eq!(env.refs(&repo), before);
    let show = env.run(&repo, &["show", &code, "--json"]).json();
    assert_eq!(show["approval_status"]["identity"], "signed");
    let benv = signing_env(&bob_key);
    let benv: Vec<(&str, &str)> = benv.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = env.run_as_env("Bob", &repo, &["approve", &code, "--json"], &benv);
    assert_eq!(run.json()["state"], "applied", "{}", run.stderr);
}
