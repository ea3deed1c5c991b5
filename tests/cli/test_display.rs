//! What plain `git log` shows of the queue: a short display block noting
//! the head, with the full record beside it in the notes tree. The block is
//! for people; nothing the tool decides reads it.

use std::path::Path;

use crate::common::forge::{self, hub};
use crate::common::{TestEnv, PASSING};

/// The lines git prints under `Notes (upgrades/<id>):` for the last commit of `rev`.
fn notes_block(env: &TestEnv, dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["log", "-1", "--format=%N"];
    all.extend_from_slice(args);
    env.git(dir, &all).lines().map(str::to_string).collect()
}

/// Replace the tip event of `id` by one with the same parents, message,
/// author and record whose display block is `display` (plain git only).
fn forge_display(env: &TestEnv, dir: &Path, id: &str, display: &str) {
    let notes = format!("refs/notes/upgrades/{id}");
    let tip = forge::tip(env, dir, id);
    let record = forge::record(env, dir, id);
    let head = record["head"].as_str().unwrap();
    let tree = forge::notes_tree(env, dir, head, display, &record);
    let message = env.git(dir, &["log", "-1", "--format=%B", &tip]);
    let who = env.git(dir, &["log", "-1", "--format=%an%n%ae%n%at", &tip]);
    let mut who = who.lines();
    let (name, email, at) = (
        who.next().unwrap(),
        who.next().unwrap(),
        who.next().unwrap(),
    );
    let date = format!("@{at} +0000");
    let mut args = vec!["commit-tree".to_string(), tree];
    for p in env
        .git(dir, &["log", "-1", "--format=%P", &tip])
        .split_whitespace()
    {
        args.push("-p".into());
        args.push(p.into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let commit = forge::git_in(
        env,
        dir,
        &args,
        message.as_bytes(),
        &[
            ("GIT_AUTHOR_NAME", name),
            ("GIT_AUTHOR_EMAIL", email),
            ("GIT_COMMITTER_NAME", name),
            ("GIT_COMMITTER_EMAIL", email),
            ("GIT_AUTHOR_DATE", &date),
            ("GIT_COMMITTER_DATE", &date),
        ],
    );
    env.git(dir, &["update-ref", &notes, &commit, &tip]);
}

const FORGED: &str = "Upgrade: forged applied (main)\nApproved-by: Root <root@example.com> (signed: good signature by root@example.com)\nLanded-by: Root <root@example.com> 2026-01-01 00:00 UTC\n";

#[test]
fn plain_git_log_shows_a_short_block_and_the_record_is_one_command_away() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "fix", "main", "src/lib.txt", "one\ntwo\n");
    let id = env.propose(&repo, "fix", "Fix {braces} in the parser", &[]);
    env.run_as("Bob", &repo, &["approve", &id]).ok();
    env.run(&repo, &["init", "--display-notes"]).ok();

    // `git log` with the displayRef `init --display-notes` sets.
    let log = env.git(&repo, &["log", "-1", "main"]);
    let notes: Vec<&str> = log
        .lines()
        .skip_while(|l| !l.starts_with("Notes (upgrades/"))
        .skip(1)
        .collect();
    assert!(!notes.is_empty() && notes.len() <= 8, "{log}");
    assert!(!log.contains('{'), "{log}");
    assert!(
        notes.iter().all(|l| l.len() <= 120),
        "long lines in the block:\n{log}"
    );
    let block = notes.iter().map(|l| l.trim()).collect::<Vec<_>>();
    assert_eq!(block[0], format!("Upgrade: {id} applied (main)"), "{log}");
    assert!(
        block.contains(&"Approved-by: Bob <bob@example.com> (claimed identity)"),
        "{log}"
    );
    assert!(
        block
            .iter()
            .any(|l| l.starts_with("Tested: passed in ") && l.ends_with("(test -f README.md)")),
        "{log}"
    );
    assert!(
        block
            .iter()
            .any(|l| l.starts_with("Landed-by: Bob <bob@example.com> 2026-")),
        "{log}"
    );
    assert_eq!(
        notes_block(&env, &repo, &["--notes=upgrades/*", "main"]).len(),
        notes.len(),
        "--notes= shows the same block"
    );

    // The block names the plain-git command that prints the full record.
    let command = block
        .iter()
        .find_map(|l| l.strip_prefix("Record: "))
        .expect("a Record: line");
    assert_eq!(
        command,
        format!("git show refs/notes/upgrades/{id}:record.json")
    );
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let record: serde_json::Value = serde_json::from_str(&env.git(&repo, &args)).unwrap();
    let shown = env.run(&repo, &["show", &id, "--json"]).json();
    for field in [
        "id",
        "state",
        "head",
        "base",
        "description",
        "approvals",
        "landing",
    ] {
        assert_eq!(record[field], shown[field], "{field}");
    }
    // Exactly one note in the ref: record.json is not a note.
    let listed = env.git(&repo, &["notes", &format!("--ref=upgrades/{id}"), "list"]);
    assert_eq!(listed.lines().count(), 1, "{listed}");

    // It survives gc, fsck and a repair run, and `git notes` keeps the record
    // when a person edits the note with plain git.
    env.git(&repo, &["gc", "-q", "--prune=now"]);
    env.fsck(&repo);
    env.run(&repo, &["maintain", "--repair"]).ok();
    assert_eq!(notes_block(&env, &repo, &["main"]).len(), notes.len());
    let scratch = "refs/notes/scratch";
    env.git(
        &repo,
        &["update-ref", scratch, &format!("refs/notes/upgrades/{id}")],
    );
    let head = env.git(&repo, &["rev-parse", "main"]);
    env.git(
        &repo,
        &["notes", "--ref=scratch", "add", "-f", "-m", "edited", &head],
    );
    let tree = env.git(&repo, &["ls-tree", "--name-only", scratch]);
    assert!(tree.lines().any(|l| l == "record.json"), "{tree}");
}

#[test]
fn records_in_the_layout_before_the_display_block_are_still_read() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "fix", "main", "a.txt", "a\n");
    let id = env.propose(&repo, "fix", "Old layout", &["--no-test"]);
    let before = env.run(&repo, &["show", &id, "--json"]).json();
    // One note holding a summary, a blank line and the JSON, as earlier
    // versions wrote: rewrite the tip's tree so.
    let notes = format!("refs/notes/upgrades/{id}");
    let tip = forge::tip(&env, &repo, &id);
    let record = forge::record(&env, &repo, &id);
    let head = record["head"].as_str().unwrap();
    let text = format!(
        "upgrade {id} (proposed): Old layout\n\n{}\n",
        serde_json::to_string_pretty(&record).unwrap()
    );
    let blob = forge::git_in(
        &env,
        &repo,
        &["hash-object", "-w", "--stdin"],
        text.as_bytes(),
        &[],
    );
    let tree = forge::git_in(
        &env,
        &repo,
        &["mktree"],
        format!("100644 blob {blob}\t{head}\n").as_bytes(),
        &[],
    );
    let message = env.git(&repo, &["log", "-1", "--format=%B", &tip]);
    let commit = forge::git_in(
        &env,
        &repo,
        &["commit-tree", &tree],
        message.as_bytes(),
        &[],
    );
    env.git(&repo, &["update-ref", &notes, &commit, &tip]);
    let after = env.run(&repo, &["show", &id, "--json"]).json();
    assert_eq!(after["state"], before["state"]);
    assert_eq!(after["head"], before["head"]);
    // The next event writes the current layout.
    env.run_as("Bob", &repo, &["reject", &id, "-m", "no"]).ok();
    let tree = env.git(&repo, &["ls-tree", "--name-only", &notes]);
    assert_eq!(tree, format!("{head}\nrecord.json"));
}

#[test]
fn a_forged_display_block_changes_nothing_the_tool_decides() {
    let env = TestEnv::new();
    let (hub_dir, c) = hub(&env, PASSING, 2);
    env.run(&hub_dir, &["init", "--hub"]).ok();
    env.branch_commit(&c[0], "fix", "main", "fix.txt", "fix\n");
    let id = env.propose(&c[0], "fix", "Fix", &[]);
    let shown = env.run(&c[0], &["show", &id, "--json"]).json();
    let listed = env.run(&c[0], &["list", "--json"]).json();

    // The block claims the upgrade is approved by a signed key and landed.
    forge_display(&env, &c[0], &id, FORGED);
    assert!(
        env.git(&c[0], &["log", "-1", "--notes=upgrades/*", "fix"])
            .contains("Root <root@example.com>"),
        "the forgery is what plain git shows"
    );
    let mut forged_show = env.run(&c[0], &["show", &id, "--json"]).json();
    forged_show["events"] = shown["events"].clone(); // event commit ids differ
    assert_eq!(forged_show, shown);
    assert_eq!(env.run(&c[0], &["list", "--json"]).json(), listed);
    // Not approved, whatever the block says: applying is denied (exit 5).
    env.run_as("Root", &c[0], &["apply", &id]).code(5);
    // The hub's gate judges it as it would the genuine block, and a clone
    // that pulls it reads the same record.
    env.run(&c[0], &["push"]).ok();
    env.run_as("Bob", &c[1], &["pull"]).ok();
    let pulled = env.run_as("Bob", &c[1], &["show", &id, "--json"]).json();
    assert_eq!(pulled["state"], "proposed");
    assert_eq!(pulled["approvals"], serde_json::json!([]));

    // The real approval lands it; then a block forged on the landing event
    // (claiming a rejection) changes neither `show` nor `verify`.
    env.run_as("Bob", &c[1], &["approve", &id]).ok();
    env.run_as("Bob", &c[1], &["push"]).ok();
    // The genuine block travels with the notes ref.
    env.run(&c[0], &["pull"]).ok();
    let pulled = env.git(
        &c[0],
        &[
            "log",
            "-1",
            "--format=%N",
            "--notes=upgrades/*",
            "origin/main",
        ],
    );
    assert!(
        pulled.contains(&format!("Upgrade: {id} applied (main)"))
            && pulled.contains("Approved-by: Bob <bob@example.com> (claimed identity)"),
        "{pulled}"
    );
    let shown = env.run(&c[1], &["show", &id, "--json"]).json();
    let verified = env.run(&c[1], &["verify"]);
    verified.ok();
    forge_display(
        &env,
        &c[1],
        &id,
        "Upgrade: x rejected (main)\nRejected-by: Root <root@example.com>\n",
    );
    let mut forged_show = env.run(&c[1], &["show", &id, "--json"]).json();
    forged_show["events"] = shown["events"].clone();
    assert_eq!(forged_show, shown);
    let again = env.run(&c[1], &["verify"]);
    again.ok();
    assert_eq!(again.stdout, verified.stdout);
    env.run(&hub_dir, &["verify"]).ok();
    env.fsck(&c[1]);
}
