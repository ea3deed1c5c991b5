//! Reliability: concurrent writers, processes killed at any point, hostile
//! input and unusual repositories. The long runs grow with
//! `GIT_UPGRADES_STRESS=1` (set by `.ci/run`); their figures go to
//! `target/reliability-report.txt`.

use std::collections::HashMap;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::common::{report, stress, Run, TestEnv, PASSING};

fn events_of(env: &TestEnv, repo: &Path, id: &str) -> Vec<serde_json::Value> {
    env.run(repo, &["log", id, "--json"])
        .ok()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The state every upgrade is in must be explained by its last significant event.
fn check_states_explained(env: &TestEnv, repo: &Path) -> usize {
    let all = env.run(repo, &["list", "--all", "--json"]).json();
    let mut total = 0;
    for up in all.as_array().unwrap() {
        let id = up["id"].as_str().unwrap();
        let state = up["state"].as_str().expect("every record readable");
        let events = events_of(env, repo, id);
        total += events.len();
        let last = events
            .iter()
            .rev()
            .map(|e| e["event"].as_str().unwrap())
            .find(|e| *e != "upgrade.tested")
            .unwrap();
        let allowed: &[&str] = match state {
            "proposed" => &["upgrade.proposed", "upgrade.approved", "upgrade.rebased"],
            "approved" => &["upgrade.approved", "upgrade.rebased"],
            "applied" => &["upgrade.applied"],
            "rejected" => &["upgrade.rejected"],
            "failed" => &["upgrade.failed"],
            "expired" => &["upgrade.expired"],
            "rolled-back" => &["upgrade.rolled-back"],
            other => panic!("unknown state {other}"),
        };
        assert!(
            allowed.contains(&last),
            "{id} is {state} but its last event is {last}"
        );
        assert_eq!(
            up["seq"].as_u64().unwrap() as usize,
            events.len(),
            "{id}: seq counts the events"
        );
    }
    total
}

/// main moved only by fast-forwards, each to the tested head of an applied upgrade.
fn check_target_history(env: &TestEnv, repo: &Path, initial: &str) {
    let applied: HashMap<String, serde_json::Value> = env
        .run(repo, &["list", "--state", "applied", "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["head"].as_str().unwrap().to_string(), u.clone()))
        .collect();
    let reflog = env.git(repo, &["log", "-g", "--format=%H", "refs/heads/main"]);
    let mut tips: Vec<&str> = reflog.lines().collect();
    tips.reverse();
    tips.dedup();
    let start = tips
        .iter()
        .position(|t| *t == initial)
        .expect("initial tip in the reflog");
    for pair in tips[start..].windows(2) {
        let (old, new) = (pair[0], pair[1]);
        assert_eq!(
            env.git_run(repo, &["merge-base", "--is-ancestor", old, new])
                .code,
            0,
            "{old} -> {new} is not a fast-forward"
        );
        let up = applied
            .get(new)
            .unwrap_or_else(|| panic!("main moved to {new}, which no applied upgrade landed"));
        assert_eq!(up["tests"]["commit"], new, "landed head was tested");
        assert_eq!(up["tests"]["passed"], true);
    }
}

#[test]
fn concurrent_writers_lose_nothing() {
    let env = TestEnv::new();
    let policy = "[test]\ncommand = \"true\"\n[policy]\nallow_self_approval = true\n";
    let repo = env.repo("r", Some(policy));
    let initial = env.git(&repo, &["rev-parse", "main"]);
    let (upgrades, workers, ops_each) = if stress() { (16, 6, 14) } else { (6, 4, 6) };
    let mut ids = Vec::new();
    for i in 0..upgrades {
        env.branch_commit(
            &repo,
            &format!("b{i}"),
            "main",
            &format!("f{i}.txt"),
            &format!("{i}\n"),
        );
        ids.push(env.propose(
            &repo,
            &format!("b{i}"),
            &format!("change {i}"),
            &["--no-test"],
        ));
    }
    // Each worker runs a fixed pseudo-random mix over overlapping upgrades.
    let mut handles = Vec::new();
    for w in 0..workers {
        let ids = ids.clone();
        let cmds: Vec<Vec<String>> = (0..ops_each)
            .map(|k| {
                let id = ids[(w * 7 + k * 5) % ids.len()].clone();
                match (w + k) % 5 {
                    0 | 1 => vec!["approve".into(), id, "--json".into()],
                    2 => vec![
                        "reject".into(),
                        id,
                        "-m".into(),
                        format!("worker {w}"),
                        "--json".into(),
                    ],
                    3 => vec!["rebase".into(), id, "--json".into()],
                    _ => vec!["approve".into(), id, "--no-apply".into(), "--json".into()],
                }
            })
            .collect();
        let children: Vec<std::process::Command> = cmds
            .iter()
            .map(|args| {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let mut c = env.cmd(&repo, &args);
                c.env("GIT_COMMITTER_NAME", format!("W{w}"))
                    .env("GIT_COMMITTER_EMAIL", format!("w{w}@example.com"));
                c
            })
            .collect();
        handles.push(std::thread::spawn(move || {
            let mut results = Vec::new();
            for (mut c, args) in children.into_iter().zip(cmds) {
                let out = c.output().unwrap();
                results.push((
                    args,
                    Run {
                        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                        code: out.status.code().unwrap_or(-1),
                    },
                ));
            }
            results
        }));
    }
    let results: Vec<(Vec<String>, Run)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let mut by_code: HashMap<i32, usize> = HashMap::new();
    let (mut rejects_ok, mut applied_ok) = (0, 0);
    for (args, run) in &results {
        *by_code.entry(run.code).or_default() += 1;
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
        assert!(
            [0, 1, 4, 5].contains(&run.code),
            "{args:?} exited {}: {}",
            run.code,
            run.stderr
        );
        if run.code != 0 {
            let errors: Vec<&str> = run
                .stderr
                .lines()
                .filter(|l| l.starts_with("error: "))
                .collect();
            assert_eq!(
                errors.len(),
                1,
                "{args:?}: one clear error line: {}",
                run.stderr
            );
            continue;
        }
        let j: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        match args[0].as_str() {
            "reject" => rejects_ok += 1,
            "approve" if j["state"] == "applied" && !args.contains(&"--no-apply".to_string()) => {
                applied_ok += 1
            }
            _ => {}
        }
    }
    // No event lost: every successful reject and landing is an event.
    let mut counts: HashMap<String, usize> = HashMap::new();
    for id in &ids {
        for e in events_of(&env, &repo, id) {
            *counts
                .entry(e["event"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    assert_eq!(
        counts.get("upgrade.rejected").copied().unwrap_or(0),
        rejects_ok,
        "{counts:?}"
    );
    assert_eq!(
        counts.get("upgrade.applied").copied().unwrap_or(0),
        applied_ok,
        "{counts:?}"
    );
    let total_events = check_states_explained(&env, &repo);
    check_target_history(&env, &repo, &initial);
    env.fsck(&repo);
    let line = format!(
        "concurrency: {workers} processes, {} operations, exit codes {:?}, {} events, {} applied, {} rejected, {} rebased",
        results.len(),
        {
            let mut v: Vec<_> = by_code.into_iter().collect();
            v.sort();
            v
        },
        total_events,
        applied_ok,
        rejects_ok,
        counts.get("upgrade.rebased").copied().unwrap_or(0)
    );
    println!("{line}");
    report(&line);
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(pid, 0) == 0 }
}

#[test]
fn killed_processes_leave_a_valid_repository() {
    let env = TestEnv::new();
    let pids = env.path().join("pids");
    let policy = format!(
        "[test]\ncommand = \"echo $$ >> {}; sleep 0.3 & sleep 0.3\"\n[policy]\nallow_self_approval = true\n",
        pids.display()
    );
    let repo = env.repo("r", Some(&policy));
    env.bare_hub(&repo);
    let rounds = if stress() { 80 } else { 24 };
    let mut kills = 0;
    let mut group_kills = 0;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..rounds {
        let branch = format!("k{round}");
        env.branch_commit(&repo, &branch, "main", &format!("k{round}.txt"), "k\n");
        let id = format!("k{round}");
        let phase = round % 3;
        let args: Vec<String> = match phase {
            0 => vec![
                "propose".into(),
                branch.clone(),
                "-m".into(),
                "killed?".into(),
                "--id".into(),
                id.clone(),
            ],
            1 => {
                env.propose(&repo, &branch, "to approve", &["--no-test", "--id", &id]);
                vec!["approve".into(), id.clone()]
            }
            _ => {
                env.propose(&repo, &branch, "to sync", &["--no-test", "--id", &id]);
                vec!["sync".into()]
            }
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = env
            .cmd(&repo, &args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(next() % 450));
        if child.try_wait().unwrap().is_none() {
            kills += 1;
        }
        // Every other round the whole process group dies at once (git
        // children too, leaving their lock files); otherwise only the tool,
        // whose git children must then end by themselves.
        let whole_group = next() % 2 == 0;
        group_kills += usize::from(whole_group);
        let target = if whole_group {
            -(child.id() as i32)
        } else {
            child.id() as i32
        };
        // SAFETY: killing our own child, or the process group it leads.
        unsafe { libc::kill(target, libc::SIGKILL) };
        let _ = child.wait();
        // A worktree update the run began finishes by itself: git's
        // read-tree runs in its own process group, and the tool's status
        // check takes no index lock, so no `index.lock` stays behind.
        let index_lock = repo.join(".git/index.lock");
        let started = std::time::Instant::now();
        while index_lock.exists() && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!index_lock.exists(), "a killed run left {index_lock:?}");
        // So does a transaction that moves a branch: its git commits it
        // whole after the tool died, and leaves no branch lock behind. (A
        // kill inside another transaction may leave a queue ref's lock,
        // which the next command recovers.)
        let ref_locks = || {
            let mut found = Vec::new();
            let mut todo = vec![repo.join(".git/refs/heads")];
            while let Some(dir) = todo.pop() {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        todo.push(path);
                    } else if path.extension().is_some_and(|e| e == "lock") {
                        found.push(path);
                    }
                }
            }
            found
        };
        let started = std::time::Instant::now();
        while !ref_locks().is_empty() && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(
            ref_locks(),
            Vec::<std::path::PathBuf>::new(),
            "a killed run left branch locks"
        );

        // The repository is valid and every command still works, without clean-up.
        env.fsck(&repo);
        let listed = env.run(&repo, &["list", "--all", "--json"]);
        listed.ok();
        let main = env.git(&repo, &["rev-parse", "main"]);
        if let Some(up) = listed
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == id.as_str())
        {
            let state = up["state"].as_str().unwrap();
            assert!(
                ["proposed", "approved", "applied", "failed"].contains(&state),
                "{id}: {state}"
            );
            if state == "applied" {
                assert_eq!(main, up["head"].as_str().unwrap(), "applied means landed");
            }
            // Finish the job: it must work now.
            if state != "applied" && state != "failed" {
                let run = env.run(&repo, &["approve", &id]);
                assert!(run.code == 0 || run.code == 3, "{id}: {}", run.stderr);
            }
        }
        env.run(&repo, &["sync"]).ok();
        // Test processes of a killed run do not outlive it.
        std::thread::sleep(Duration::from_millis(100));
        if let Ok(text) = std::fs::read_to_string(&pids) {
            for pid in text.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
                let started = std::time::Instant::now();
                while alive(pid) && started.elapsed() < Duration::from_secs(5) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                assert!(!alive(pid), "test process {pid} outlived a killed run");
            }
        }
    }
    check_states_explained(&env, &repo);
    // Checkouts left by killed runs were cleaned up by the runs after them.
    let leftovers: Vec<_> = std::fs::read_dir(env.path().join("tmp"))
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("git-upgrades-checkout-")
        })
        .collect();
    assert!(leftovers.len() <= 1, "stale checkouts: {leftovers:?}");
    assert_eq!(
        env.refs(&repo)
            .lines()
            .filter(|l| l.contains(".lock"))
            .count(),
        0
    );
    let line = format!("crashes: {rounds} runs of propose/approve/sync, {kills} killed mid-run with SIGKILL ({group_kills} rounds killed the whole process group); fsck clean after each");
    println!("{line}");
    report(&line);
}

#[test]
fn hostile_strings_are_kept_safe() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let nasty = "line one\nline two\x07\x1b[31m red; $(rm -rf /) `id` && echo pwned | tee x ✓ ünïcødé \u{202e}";
    let run = env.run(&repo, &["propose", "f", "-m", nasty, "--json"]);
    run.ok();
    let id = run.json()["id"].as_str().unwrap().to_string();
    assert_eq!(run.json()["description"], nasty.trim());
    let human = env.run(&repo, &["show", &id]).ok().to_string();
    assert!(
        !human.contains('\x1b') && !human.contains('\x07'),
        "control characters reach the terminal: {human:?}"
    );
    let listed = env.run(&repo, &["list"]).ok().to_string();
    assert!(!listed.contains('\x1b'));
    assert!(!repo.join("x").exists());
    // 10 MB of text is refused cleanly, nothing written.
    let huge = env.path().join("huge.txt");
    std::fs::write(&huge, "x".repeat(10 << 20)).unwrap();
    let before = env.refs(&repo);
    let run = env.run(&repo, &["propose", "f", "-F", huge.to_str().unwrap()]);
    run.code(2);
    assert!(run.stderr.contains("description"), "{}", run.stderr);
    assert_eq!(env.refs(&repo), before);
    // Shell metacharacters in ids never reach a shell: they are invalid ids.
    for bad in ["$(id)", "a;b", "a|b", "`x`", "a b", "-rf"] {
        let run = env.run(&repo, &["show", bad]);
        assert!(run.code == 2, "{bad}: {} {}", run.code, run.stderr);
    }
}

#[test]
fn odd_paths_binary_files_and_misbehaving_tests() {
    let env = TestEnv::new();
    let policy = "[test]\ncommand = \"rm -rf ./* ; yes 0123456789abcdef | head -c 30000000; (sleep 60 &) ; true\"\ntimeout = \"2m\"\n[policy]\nallow_self_approval = true\n";
    let repo = env.repo("r", Some(policy));
    env.git(&repo, &["checkout", "-q", "-b", "odd"]);
    std::fs::write(repo.join("with space.txt"), "a\n").unwrap();
    let raw = std::ffi::OsStr::new("caf\u{e9}.txt");
    std::fs::write(repo.join(raw), "b\n").unwrap();
    use std::os::unix::ffi::OsStrExt;
    std::fs::write(
        repo.join(std::ffi::OsStr::from_bytes(b"bad\xffname.txt")),
        "c\n",
    )
    .unwrap();
    std::fs::write(repo.join("blob.bin"), [0u8, 1, 2, 3, 0, 255]).unwrap();
    env.git(&repo, &["add", "-A"]);
    env.git(&repo, &["commit", "-q", "-m", "odd files"]);
    env.git(&repo, &["checkout", "-q", "main"]);
    let run = env.run(&repo, &["propose", "odd", "-m", "Odd files", "--json"]);
    run.ok();
    let j = run.json();
    let id = j["id"].as_str().unwrap().to_string();
    let files = j["files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    assert!(files
        .iter()
        .any(|f| f["path"] == "blob.bin" && f["binary"] == true));
    assert!(files.iter().any(|f| f["path"] == "with space.txt"));
    // The test command printed 30 MB; the record keeps a bounded tail.
    assert!(j["tests"]["output"].as_str().unwrap().len() <= 8 * 1024);
    let diff = env.run(&repo, &["diff", &id]).ok().to_string();
    assert!(
        diff.contains("Binary files a/blob.bin and b/blob.bin differ")
            || diff.contains("Binary files /dev/null and b/blob.bin differ"),
        "{diff}"
    );
    // The test command deleted files in its checkout, never in the repository.
    assert!(repo.join("README.md").exists());
    env.run(&repo, &["approve", &id]).ok();
    env.fsck(&repo);
}

#[test]
fn records_pointing_at_missing_objects_give_clear_errors() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let id = env.propose(&repo, "f", "Will be damaged", &["--no-test"]);
    // Rewrite the record with plain git so that its head names a missing commit.
    let head = env.git(&repo, &["rev-parse", "f"]);
    let missing = "0123456789abcdef0123456789abcdef01234567";
    let json = env.git(
        &repo,
        &["show", &format!("refs/notes/upgrades/{id}:record.json")],
    );
    let damaged = json.replace(&head, missing);
    let blob_path = env.path().join("note.json");
    std::fs::write(&blob_path, &damaged).unwrap();
    env.git(
        &repo,
        &["notes", &format!("--ref=upgrades/{id}"), "remove", &head],
    );
    let blob = env.git(&repo, &["hash-object", "-w", blob_path.to_str().unwrap()]);
    let tree_input = format!("100644 blob {blob}\t{missing}\n");
    let mut mktree = env.git_cmd(&repo, &["mktree"]);
    mktree.stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut child = mktree.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), tree_input.as_bytes()).unwrap();
    let tree = String::from_utf8(child.wait_with_output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string();
    let commit = env.git(&repo, &["commit-tree", &tree, "-m", "tamper"]);
    env.git(
        &repo,
        &["update-ref", &format!("refs/notes/upgrades/{id}"), &commit],
    );
    // show still reads the record; commands that need the commit fail clearly.
    let run = env.run(&repo, &["diff", &id]);
    run.code(1);
    assert!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count()
            == 1,
        "{}",
        run.stderr
    );
    let before = env.refs(&repo);
    let run = env.run_as("Bob", &repo, &["approve", &id]);
    assert!(run.code == 1, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"));
    let _ = before;
}

#[test]
fn unusual_repositories() {
    let env = TestEnv::new();
    // Detached HEAD: propose HEAD itself.
    let repo = env.repo("r", Some(PASSING));
    let head = env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    env.git(&repo, &["checkout", "-q", "--detach", &head]);
    let id = env.propose(&repo, "HEAD", "From a detached HEAD", &["--no-test"]);
    env.run_as("Bob", &repo, &["approve", &id]).ok();

    // A shallow clone.
    let origin = env.repo("origin", Some(PASSING));
    for i in 0..3 {
        env.commit_on_main(&origin, &[(&format!("h{i}.txt"), "h\n")], "history");
    }
    let shallow = env.path().join("shallow");
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &format!("file://{}", origin.display()),
            shallow.to_str().unwrap(),
        ],
    );
    env.branch_commit(&shallow, "g", "main", "g.txt", "g\n");
    let id = env.propose(&shallow, "g", "In a shallow clone", &[]);
    env.run_as("Bob", &shallow, &["approve", &id]).ok();

    // SHA-256 objects.
    let sha = env.path().join("sha256");
    if env
        .git_run(
            env.path(),
            &[
                "init",
                "-q",
                "-b",
                "main",
                "--object-format=sha256",
                sha.to_str().unwrap(),
            ],
        )
        .code
        == 0
    {
        env.commit_on_main(
            &sha,
            &[(".upgrades.toml", PASSING), ("README.md", "a\n")],
            "init",
        );
        let head = env.branch_commit(&sha, "f", "main", "b.txt", "b\n");
        assert_eq!(head.len(), 64);
        let id = env.propose(&sha, "f", "SHA-256", &[]);
        env.run_as("Bob", &sha, &["approve", &id]).ok();
        assert_eq!(env.git(&sha, &["rev-parse", "main"]), head);
        env.fsck(&sha);
    }

    // Thousands of packed and loose refs.
    let many = env.repo("many", None);
    let tip = env.git(&many, &["rev-parse", "HEAD"]);
    let mut input = String::new();
    for i in 0..3000 {
        input.push_str(&format!("create refs/tags/t{i} {tip}\n"));
    }
    let mut cmd = env.git_cmd(&many, &["update-ref", "--stdin"]);
    cmd.stdin(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    env.git(&many, &["pack-refs", "--all"]);
    for i in 0..30 {
        env.branch_commit(&many, &format!("m{i}"), "main", &format!("m{i}.txt"), "m\n");
        env.propose(&many, &format!("m{i}"), "many", &["--no-test"]);
    }
    let listed = env.run(&many, &["list", "--json"]).json();
    assert_eq!(listed.as_array().unwrap().len(), 30);
    env.fsck(&many);
}
