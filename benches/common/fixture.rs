//! The queue fixture shared by the benchmarks: a repository with `n`
//! upgrades in a realistic mix of states, written through the library's
//! record and event formats.

use std::path::{Path, PathBuf};

use git_upgrades::record::{
    Approval, Closure, DiffStats, Event, EventKind, FileChange, Landing, Record, State, TestResult,
    EVENT_FORMAT, RECORD_FORMAT,
};
use git_upgrades::store::note;

use super::{git, git_stdin};

/// A repository with `n` upgrades in a realistic mix of states.
pub fn queue_fixture(root: &Path, n: usize) -> PathBuf {
    let dir = root.join(format!("queue-{n}"));
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("README.md"), "bench\n").unwrap();
    std::fs::write(
        dir.join(".upgrades.toml"),
        "[test]\ncommand = \"true\"\n[policy]\nallow_self_approval = true\n",
    )
    .unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "initial"]);
    let repo = gix::open(&dir).unwrap();
    let main: gix::ObjectId = git(&dir, &["rev-parse", "main"]).parse().unwrap();
    let main_tree = repo.find_commit(main).unwrap().tree_id().unwrap().detach();
    let sig = gix::actor::Signature {
        name: "Bench".into(),
        email: "bench@example.com".into(),
        time: gix::date::Time {
            seconds: 1_767_225_600,
            offset: 0,
        },
    };
    let mut refs = String::new();
    let mut landed = main;
    for i in 0..n {
        let id = format!("b{i:07x}");
        let state = match i % 10 {
            0 | 1 => State::Proposed,
            2 => State::Approved,
            3 | 4 => State::Rejected,
            5 => State::Failed,
            6 => State::Expired,
            _ => State::Applied,
        };
        // Applied upgrades land one after the other: main is their chain.
        let base = if state == State::Applied {
            landed
        } else {
            main
        };
        let head = repo
            .write_object(gix::objs::Commit {
                tree: main_tree,
                parents: [base].into_iter().collect(),
                author: sig.clone(),
                committer: sig.clone(),
                encoding: None,
                message: format!("change {i}\n").into(),
                extra_headers: vec![],
            })
            .unwrap()
            .detach();
        let at = "2026-01-01T00:00:00Z".to_string();
        let files: Vec<FileChange> = (0..3)
            .map(|f| FileChange {
                path: format!("src/module_{i}/file_{f}.rs"),
                status: "modified".into(),
                added: 7,
                removed: 2,
                binary: false,
            })
            .collect();
        let mut record = Record {
            format: RECORD_FORMAT,
            id: id.clone(),
            state: State::Proposed,
            description: format!("Fix bug number {i} in task assignment"),
            target: "main".into(),
            base: base.to_string(),
            head: head.to_string(),
            source: Some(format!("self-modify/fix-{i}")),
            proposed_by: "Agent <agent@example.com>".into(),
            // Event actors below are their commits' authors, as replay requires.
            proposed_at: at.clone(),
            files,
            stats: DiffStats {
                files: 3,
                added: 21,
                removed: 6,
            },
            diff_preview: (0..30)
                .map(|l| format!("+    let value_{l} = compute({l});\n"))
                .collect(),
            policy_change: false,
            tests: Some(TestResult {
                status: "passed".into(),
                passed: Some(true),
                exit_code: Some(0),
                duration_ms: 1234,
                command: Some("cargo test --locked".into()),
                output: "test result: ok. 42 passed; 0 failed\n".into(),
                commit: head.to_string(),
                at: at.clone(),
            }),
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
        let mut kinds = vec![EventKind::Proposed, EventKind::Tested];
        match state {
            State::Approved => kinds.push(EventKind::Approved),
            State::Rejected => kinds.push(EventKind::Rejected),
            State::Expired => kinds.push(EventKind::Expired),
            State::Failed => kinds.extend([EventKind::Approved, EventKind::Failed]),
            State::Applied => {
                kinds.extend([EventKind::Approved, EventKind::Tested, EventKind::Applied])
            }
            _ => {}
        }
        let mut tip: Option<gix::ObjectId> = None;
        let person = |name: &str, email: &str| gix::actor::Signature {
            name: name.into(),
            email: email.into(),
            time: sig.time,
        };
        let (agent, reviewer) = (
            person("Agent", "agent@example.com"),
            person("Reviewer", "rev@example.com"),
        );
        for kind in kinds {
            record.seq += 1;
            let h = head.to_string();
            let details = match kind {
                EventKind::Proposed => {
                    serde_json::json!({"target": "main", "base": base.to_string(),
                    "head": h, "files": 3, "added": 21, "removed": 6, "policy_change": false})
                }
                EventKind::Tested => serde_json::json!({"status": "passed", "exit_code": 0,
                    "duration_ms": 1234, "commit": h}),
                EventKind::Approved => serde_json::json!({"head": h, "target": "main",
                    "comment": "lgtm", "approvals": 1, "required": 1}),
                EventKind::Failed => serde_json::json!({"reason": "tests failed", "commit": h}),
                EventKind::Applied => serde_json::json!({"target": "main",
                    "previous_target": base.to_string(), "new_target": h}),
                _ => serde_json::json!({"reason": "no"}),
            };
            let author = match kind {
                EventKind::Proposed | EventKind::Tested => &agent,
                _ => &reviewer,
            };
            match kind {
                EventKind::Approved => {
                    record.state = if state == State::Failed
                        || state == State::Applied
                        || state == State::Approved
                    {
                        State::Approved
                    } else {
                        record.state
                    };
                    record.approvals.push(Approval {
                        by: "Reviewer <rev@example.com>".into(),
                        at: at.clone(),
                        head: head.to_string(),
                        comment: Some("lgtm".into()),
                        carried_from: None,
                    });
                }
                EventKind::Rejected | EventKind::Expired | EventKind::Failed => {
                    record.state = state;
                    record.closed = Some(Closure {
                        by: "Reviewer <rev@example.com>".into(),
                        at: at.clone(),
                        reason: Some("no".into()),
                    });
                }
                EventKind::Applied => {
                    record.state = State::Applied;
                    record.landing = Some(Landing {
                        by: "Reviewer <rev@example.com>".into(),
                        at: at.clone(),
                        previous_target: base.to_string(),
                        new_target: head.to_string(),
                    });
                }
                _ => {}
            }
            let event = Event {
                format: EVENT_FORMAT,
                event: kind,
                id: id.clone(),
                actor: format!("{} <{}>", author.name, author.email),
                seq: record.seq,
                details: details.as_object().cloned().unwrap_or_default(),
            };
            let display = repo
                .write_blob(note::display_block(&record, &[]))
                .unwrap()
                .detach();
            let blob = repo.write_blob(record.to_json()).unwrap().detach();
            let tree = repo
                .write_object(note::tree(&head.to_string(), display, blob, None))
                .unwrap()
                .detach();
            let commit = repo
                .write_object(gix::objs::Commit {
                    tree,
                    parents: tip.into_iter().collect(),
                    author: author.clone(),
                    committer: author.clone(),
                    encoding: None,
                    message: event.to_message(&record.description).into(),
                    extra_headers: vec![],
                })
                .unwrap()
                .detach();
            tip = Some(commit);
        }
        refs.push_str(&format!(
            "create refs/notes/upgrades/{id} {}\n",
            tip.unwrap()
        ));
        let kind = if state.is_open() {
            "upgrades"
        } else {
            "upgrades-archive"
        };
        refs.push_str(&format!("create refs/{kind}/{id} {head}\n"));
        if state == State::Applied {
            landed = head;
        }
        // At the scale of years of history, a million loose objects would
        // dominate the build: pack what there is every 10,000 upgrades.
        if n > LARGE && (i + 1) % 10_000 == 0 {
            pack_loose(&dir);
        }
    }
    refs.push_str(&format!("update refs/heads/main {landed}\n"));
    git_stdin(&dir, &["update-ref", "--stdin"], refs.as_bytes());
    git(&dir, &["pack-refs", "--all"]);
    if n > LARGE {
        // Delta search over millions of small objects takes longer than the
        // benchmark; this pack holds every object whole.
        git(&dir, &["repack", "-adq", "--window=0"]);
    } else {
        git(&dir, &["repack", "-adq"]);
    }
    // As `git gc` leaves a repository: its commit-graph written too.
    git(&dir, &["commit-graph", "write", "--reachable"]);
    dir
}

/// Above this many upgrades the fixture is packed without delta search.
const LARGE: usize = 20_000;

/// Move every loose object into a new pack (no delta search). `git repack`
/// would pack only what refs reach, and the refs come last.
fn pack_loose(dir: &Path) {
    let objects = dir.join(".git/objects");
    let mut names = String::new();
    for fan in std::fs::read_dir(&objects).unwrap().flatten() {
        let fan_name = fan.file_name().to_string_lossy().into_owned();
        if fan_name.len() != 2 {
            continue;
        }
        for obj in std::fs::read_dir(fan.path()).unwrap().flatten() {
            names.push_str(&fan_name);
            names.push_str(&obj.file_name().to_string_lossy());
            names.push('\n');
        }
    }
    let base = objects.join("pack/pack");
    git_stdin(
        dir,
        &["pack-objects", "-q", "--window=0", base.to_str().unwrap()],
        names.as_bytes(),
    );
    git(dir, &["prune-packed"]);
}
