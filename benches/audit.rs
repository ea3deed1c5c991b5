//! Enforcement and audit against the plain-git floor.
//!
//! `cargo bench --bench audit` builds a branch whose first-parent history is
//! N landings through the queue (N = 100, 1,000 and 10,000; `BENCH_QUICK=1`:
//! 10 and 100), each an upgrade with proposed, tested, approved and applied
//! events, then times:
//! - `verify` of the whole history, against `git rev-list --first-parent`
//!   plus `git cat-file --batch` of every event commit and record;
//! - a repeat `verify` answered from its derived cache, against one
//!   `git rev-parse`;
//! - a push of one landing (branch and event log, atomic) to a hub with the
//!   `init --hub` pre-receive hook, against the same push to a hub without it.
//!
//! The table goes to stdout and `target/bench/audit.{json,md}`.

use std::path::{Path, PathBuf};

use git_upgrades::record::{
    Approval, DiffStats, Event, EventKind, Landing, Record, State, TestResult, EVENT_FORMAT,
    RECORD_FORMAT,
};
use git_upgrades::store::note;

mod common;

use common::{env_cmd, git, git_stdin, measure, quick, Row, BIN};

fn person(name: &str, email: &str) -> gix::actor::Signature {
    gix::actor::Signature {
        name: name.into(),
        email: email.into(),
        time: gix::date::Time {
            seconds: 1_767_225_600,
            offset: 0,
        },
    }
}

/// A repository whose main is `n` landings, each through its own upgrade.
fn landed_fixture(root: &Path, n: usize) -> (PathBuf, String) {
    let dir = root.join(format!("landed-{n}"));
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    std::fs::write(
        dir.join(".upgrades.toml"),
        "[test]\ncommand = \"true\"\n[policy]\nallow_self_approval = true\n",
    )
    .unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "adopt the queue"]);
    let repo = gix::open(&dir).unwrap();
    let mut tip: gix::ObjectId = git(&dir, &["rev-parse", "main"]).parse().unwrap();
    let tree = repo.find_commit(tip).unwrap().tree_id().unwrap().detach();
    let (agent, reviewer) = (
        person("Agent", "agent@example.com"),
        person("Reviewer", "rev@example.com"),
    );
    let name = |s: &gix::actor::Signature| format!("{} <{}>", s.name, s.email);
    let mut refs = String::new();
    let mut events_file = String::new();
    for i in 0..n {
        let id = format!("l{i:07x}");
        let base = tip;
        let head = repo
            .write_object(gix::objs::Commit {
                tree,
                parents: [base].into_iter().collect(),
                author: agent.clone(),
                committer: agent.clone(),
                encoding: None,
                message: format!("change {i}\n").into(),
                extra_headers: vec![],
            })
            .unwrap()
            .detach();
        let (h, b) = (head.to_string(), base.to_string());
        let at = "2026-01-01T00:00:00Z".to_string();
        let mut record = Record {
            format: RECORD_FORMAT,
            id: id.clone(),
            state: State::Proposed,
            description: format!("Change {i}"),
            target: "main".into(),
            base: b.clone(),
            head: h.clone(),
            source: None,
            proposed_by: name(&agent),
            proposed_at: at.clone(),
            files: vec![],
            stats: DiffStats::default(),
            diff_preview: String::new(),
            policy_change: false,
            tests: None,
            approvals: vec![],
            closed: None,
            landing: None,
            urgent: None,
            updated_at: at.clone(),
            seq: 0,
            revisions: vec![],
            changes_requested: vec![],
            comment_count: 0,
            unresolved_comments: 0,
        };
        let steps = [
            (
                EventKind::Proposed,
                &agent,
                serde_json::json!({"target": "main", "base": b, "head": h}),
            ),
            (
                EventKind::Tested,
                &agent,
                serde_json::json!({"status": "passed", "commit": h}),
            ),
            (
                EventKind::Approved,
                &reviewer,
                serde_json::json!({"head": h, "target": "main", "approvals": 1, "required": 1}),
            ),
            (
                EventKind::Applied,
                &reviewer,
                serde_json::json!({"target": "main", "previous_target": b, "new_target": h}),
            ),
        ];
        let mut chain: Option<gix::ObjectId> = None;
        for (kind, who, details) in steps {
            record.seq += 1;
            match kind {
                EventKind::Tested => {
                    record.tests = Some(TestResult {
                        status: "passed".into(),
                        passed: Some(true),
                        exit_code: Some(0),
                        duration_ms: 10,
                        command: Some("true".into()),
                        output: String::new(),
                        commit: h.clone(),
                        at: at.clone(),
                    })
                }
                EventKind::Approved => {
                    record.state = State::Approved;
                    record.approvals.push(Approval {
                        by: name(&reviewer),
                        at: at.clone(),
                        head: h.clone(),
                        comment: None,
                        carried_from: None,
                    });
                }
                EventKind::Applied => {
                    record.state = State::Applied;
                    record.landing = Some(Landing {
                        by: name(&reviewer),
                        at: at.clone(),
                        previous_target: b.clone(),
                        new_target: h.clone(),
                    });
                }
                _ => {}
            }
            let event = Event {
                format: EVENT_FORMAT,
                event: kind,
                id: id.clone(),
                actor: name(who),
                seq: record.seq,
                details: details.as_object().cloned().unwrap_or_default(),
            };
            let display = repo
                .write_blob(note::display_block(&record, &[]))
                .unwrap()
                .detach();
            let blob = repo.write_blob(record.to_json()).unwrap().detach();
            events_file.push_str(&format!("{blob}\n"));
            let notes_tree = repo
                .write_object(note::tree(&h, display, blob, None))
                .unwrap()
                .detach();
            let commit = repo
                .write_object(gix::objs::Commit {
                    tree: notes_tree,
                    parents: chain.into_iter().collect(),
                    author: who.clone(),
                    committer: who.clone(),
                    encoding: None,
                    message: event.to_message(&record.description).into(),
                    extra_headers: vec![],
                })
                .unwrap()
                .detach();
            events_file.push_str(&format!("{commit}\n"));
            chain = Some(commit);
        }
        refs.push_str(&format!(
            "create refs/notes/upgrades/{id} {}\ncreate refs/upgrades-archive/{id} {h}\n",
            chain.unwrap()
        ));
        tip = head;
    }
    refs.push_str(&format!("update refs/heads/main {tip}\n"));
    git_stdin(&dir, &["update-ref", "--stdin"], refs.as_bytes());
    git(&dir, &["pack-refs", "--all"]);
    git(&dir, &["repack", "-adq"]);
    std::fs::write(dir.join(".git/bench-events"), events_file).unwrap();
    let proven = env_cmd(BIN, &dir)
        .args(["verify", "--json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&proven.stdout).unwrap();
    assert_eq!(
        json["proven"], n,
        "the fixture must verify: {}",
        json["violations"]
    );
    (dir, tip.to_string())
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let root = tempfile::Builder::new()
        .prefix("gu-bench-audit-")
        .tempdir()
        .unwrap();
    let sizes: Vec<usize> = if quick() {
        vec![10, 100]
    } else {
        vec![100, 1_000, 10_000]
    };
    let runs = if quick() { 3 } else { 7 };
    let mut rows = Vec::new();
    let sh = |dir: &Path, script: &str| {
        let mut c = env_cmd("sh", dir);
        c.arg("-c").arg(script);
        c
    };
    for n in sizes {
        eprintln!("building a history of {n} landings…");
        let (dir, _tip) = landed_fixture(root.path(), n);
        rows.push(Row {
            name: format!("verify, {n} landings"),
            ours: measure(
                || {
                    // Cold: without the derived cache (removed, not timed).
                    let _ = std::fs::remove_dir_all(dir.join(".git/upgrades/verify"));
                    let mut c = env_cmd(BIN, &dir);
                    c.args(["verify", "--json"]);
                    c
                },
                runs,
            ),
            floor: Some(measure(
                || sh(&dir, "git rev-list --first-parent main >/dev/null && git cat-file --batch < .git/bench-events >/dev/null"),
                runs,
            )),
            floor_name: "rev-list --first-parent + cat-file --batch".into(),
        });

        // The same audit again: answered from the derived cache.
        let warm = env_cmd(BIN, &dir).args(["verify"]).output().unwrap();
        assert!(warm.status.success());
        rows.push(Row {
            name: format!("repeat verify (cached), {n}"),
            ours: measure(
                || {
                    let mut c = env_cmd(BIN, &dir);
                    c.args(["verify"]);
                    c
                },
                runs,
            ),
            floor: Some(measure(
                || {
                    let mut c = env_cmd("git", &dir);
                    c.args(["rev-parse", "main"]);
                    c
                },
                runs,
            )),
            floor_name: "git rev-parse main".into(),
        });

        // One more landing in a client, pushed to hubs with and without the hook.
        let client = dir.clone();
        let hooked = root.path().join(format!("hooked-{n}.git"));
        let plain = root.path().join(format!("plain-{n}.git"));
        for hub in [&hooked, &plain] {
            git(
                root.path(),
                &[
                    "clone",
                    "-q",
                    "--mirror",
                    client.to_str().unwrap(),
                    hub.to_str().unwrap(),
                ],
            );
        }
        let installed = env_cmd(BIN, &hooked)
            .args(["init", "--hub"])
            .output()
            .unwrap();
        assert!(installed.status.success());
        let base = git(&client, &["rev-parse", "main"]);
        let tree = git(&client, &["rev-parse", "main^{tree}"]);
        let head = git(
            &client,
            &["commit-tree", &tree, "-p", &base, "-m", "one more"],
        );
        let proposed = env_cmd(BIN, &client)
            .args(["propose", &head, "-m", "one more", "--id", "push-1"])
            .output()
            .unwrap();
        assert!(proposed.status.success());
        let approved = env_cmd(BIN, &client)
            .args(["approve", "push-1"])
            .output()
            .unwrap();
        assert!(
            approved.status.success(),
            "{}",
            String::from_utf8_lossy(&approved.stderr)
        );
        let notes = "refs/notes/upgrades/push-1";
        let push = |hub: PathBuf| {
            let client = client.clone();
            let base = base.clone();
            move || {
                // Undo the previous run's push (not timed).
                git(&hub, &["update-ref", "refs/heads/main", &base]);
                let _ = env_cmd("git", &hub)
                    .args(["update-ref", "-d", notes])
                    .output();
                let mut c = env_cmd("git", &client);
                c.args([
                    "push",
                    "-q",
                    "--atomic",
                    hub.to_str().unwrap(),
                    "main:main",
                    &format!("{notes}:{notes}"),
                ]);
                c
            }
        };
        rows.push(Row {
            name: format!("push one landing, hook, {n}"),
            ours: measure(push(hooked.clone()), runs),
            floor: Some(measure(push(plain.clone()), runs)),
            floor_name: "the same push, no hook".into(),
        });
    }
    common::report(&rows, "audit");
}
