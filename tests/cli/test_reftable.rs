//! Repositories whose refs are stored as reftable (`git init
//! --ref-format=reftable`, the default of git's next major version). gix
//! cannot read that format, so every ref read and write goes through git
//! (`crate::refs`, `Store::transaction`); these tests create such
//! repositories explicitly, in every pass of the suite, and check the
//! results with plain git.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::common::{stress, TestEnv, PASSING};

const REFTABLE: [&str; 1] = ["--ref-format=reftable"];

/// A reftable repository, or None where git cannot make one (older git).
fn reftable_repo(env: &TestEnv, name: &str, policy: &str) -> Option<PathBuf> {
    let probe = env.path().join("probe");
    let run = env.git_run(
        env.path(),
        &[
            "init",
            "-q",
            "--ref-format=reftable",
            probe.to_str().unwrap(),
        ],
    );
    if run.code != 0 {
        eprintln!("git cannot create reftable repositories here; skipping");
        return None;
    }
    Some(env.repo_init(name, Some(policy), &REFTABLE))
}

fn ref_format(env: &TestEnv, dir: &Path) -> String {
    env.git(dir, &["rev-parse", "--show-ref-format"])
}

/// No loose ref of the queue was ever written (git would never see it).
fn assert_no_loose_queue_refs(git_dir: &Path) {
    for p in ["refs/upgrades", "refs/notes", "refs/upgrades-archive"] {
        assert!(!git_dir.join(p).exists(), "loose refs written: {p}");
    }
}

#[test]
fn the_whole_lifecycle_works_in_a_reftable_repository() {
    let env = TestEnv::new();
    let Some(repo) = reftable_repo(&env, "r", PASSING) else {
        return;
    };
    assert_eq!(ref_format(&env, &repo), "reftable");
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    let a = env.propose(&repo, "a", "Add a", &[]);
    let b = env.propose(&repo, "b", "Add b", &[]);
    // Prefix resolution and listing read the refs through git.
    let show = env.run(&repo, &["show", &a[..5], "--json"]).json();
    assert_eq!(show["id"], a.as_str());
    let list = env.run(&repo, &["list", "--json"]).json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let refs = env.git(&repo, &["for-each-ref", "--format=%(refname)"]);
    for id in [&a, &b] {
        assert!(
            refs.contains(&format!("refs/notes/upgrades/{id}")),
            "{refs}"
        );
        assert!(refs.contains(&format!("refs/upgrades/{id}")), "{refs}");
    }

    // approve lands on the checked-out main and brings the work tree along.
    env.run_as("Bob", &repo, &["approve", &a]).ok();
    assert_eq!(
        env.git(&repo, &["rev-parse", "main"]),
        env.git(&repo, &["rev-parse", "a"])
    );
    assert_eq!(std::fs::read_to_string(repo.join("a.txt")).unwrap(), "a\n");
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    let refs = env.git(&repo, &["for-each-ref", "--format=%(refname)"]);
    assert!(!refs.contains(&format!("refs/upgrades/{a}")), "{refs}");
    assert!(
        refs.contains(&format!("refs/upgrades-archive/{a}")),
        "{refs}"
    );

    // A dirty checkout of the target is refused before anything moves.
    std::fs::write(repo.join("README.md"), "local edit\n").unwrap();
    let main_before = env.git(&repo, &["rev-parse", "main"]);
    let run = env.run_as("Bob", &repo, &["approve", &b, "--rebase"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert_eq!(env.git(&repo, &["rev-parse", "main"]), main_before);
    assert_eq!(
        std::fs::read_to_string(repo.join("README.md")).unwrap(),
        "local edit\n"
    );
    env.git(&repo, &["checkout", "--", "README.md"]);

    // reject deletes the open ref with a compare-and-swap through git.
    env.run_as("Bob", &repo, &["reject", &b, "-m", "not now"])
        .ok();
    assert_eq!(
        env.git_run(
            &repo,
            &["rev-parse", "--verify", "-q", &format!("refs/upgrades/{b}")]
        )
        .code,
        1
    );
    let list = env.run(&repo, &["list", "--all", "--json"]).json();
    let states: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 2);
    assert!(states.contains(&"applied") && states.contains(&"rejected"));
    // The audit replays the landing from the branch.
    env.run(&repo, &["verify", "main"]).ok();
    assert_no_loose_queue_refs(&repo.join(".git"));
    env.fsck(&repo);
}

#[test]
fn a_reftable_hub_and_reftable_clones_share_the_queue() {
    let env = TestEnv::new();
    let Some(seed) = reftable_repo(&env, "seed", PASSING) else {
        return;
    };
    let hub = env.path().join("hub.git");
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            "--bare",
            "--ref-format=reftable",
            seed.to_str().unwrap(),
            hub.to_str().unwrap(),
        ],
    );
    env.run(&hub, &["init", "--hub"]).ok();
    let clone = |name: &str| {
        let dir = env.path().join(name);
        env.git(
            env.path(),
            &[
                "clone",
                "-q",
                "--ref-format=reftable",
                hub.to_str().unwrap(),
                dir.to_str().unwrap(),
            ],
        );
        dir
    };
    let (one, two) = (clone("one"), clone("two"));
    assert_eq!(ref_format(&env, &one), "reftable");
    env.branch_commit(&one, "fix", "main", "fix.txt", "fix\n");
    let id = env.propose(&one, "fix", "Fix", &[]);
    env.run(&one, &["push"]).ok();
    env.run(&two, &["pull"]).ok();
    let show = env.run(&two, &["show", &id, "--json"]).json();
    assert_eq!(show["state"], "proposed");
    env.run_as("Bob", &two, &["approve", &id]).ok();
    env.run_as("Bob", &two, &["push"]).ok();
    env.run(&one, &["pull"]).ok();
    assert_eq!(
        env.run(&one, &["show", &id, "--json"]).json()["state"],
        "applied"
    );
    assert_eq!(
        env.git(&hub, &["rev-parse", "main"]),
        env.git(&one, &["rev-parse", "fix"])
    );
    // The hub's hook reads the hub's refs through its quarantine overlay: a
    // direct push to the protected branch is still refused.
    env.commit_on_main(&one, &[("direct.txt", "x\n")], "direct");
    let run = env.git_run(&one, &["push", "origin", "main"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    for dir in [&one, &two] {
        assert_no_loose_queue_refs(&dir.join(".git"));
        env.fsck(dir);
    }
    assert_no_loose_queue_refs(&hub);
}

#[test]
fn concurrent_writers_on_reftable_lose_no_event() {
    let env = TestEnv::new();
    let Some(repo) = reftable_repo(&env, "r", PASSING) else {
        return;
    };
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let id = env.propose(&repo, "a", "A", &["--no-test"]);
    let writers = if stress() { 12 } else { 6 };
    let rounds = if stress() { 4 } else { 2 };
    // Each writer comments, and the odd ones also propose a change of their
    // own: every write takes the reftable stack's one lock.
    let mut children = Vec::new();
    for w in 0..writers {
        if w % 2 == 1 {
            env.branch_commit(&repo, &format!("w{w}"), "main", &format!("w{w}.txt"), "w\n");
        }
        let script = format!(
            "for r in $(seq {rounds}); do git-upgrades comment {id} -m \"w{w} r$r\" || exit 1; done; \
             if [ {odd} = 1 ]; then git-upgrades propose w{w} -m w{w} --no-test --id w{w}w{w}w{w} || exit 1; fi",
            odd = w % 2
        );
        children.push(
            env.bash(&repo, &script)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
    }
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let show = env.run(&repo, &["show", &id, "--json"]).json();
    let comments = show["comments"].as_array().unwrap();
    assert_eq!(comments.len(), writers * rounds, "{show}");
    for w in 0..writers {
        for r in 1..=rounds {
            let text = format!("w{w} r{r}");
            assert!(
                comments.iter().any(|c| c["text"] == text.as_str()),
                "lost {text}"
            );
        }
    }
    let list = env.run(&repo, &["list", "--json"]).json();
    assert_eq!(list.as_array().unwrap().len(), 1 + writers / 2);
    assert_no_loose_queue_refs(&repo.join(".git"));
    env.fsck(&repo);
}

#[test]
fn the_reftable_stack_lock_is_recovered_when_stale_and_waited_for_when_held() {
    let env = TestEnv::new();
    let Some(repo) = reftable_repo(&env, "r", PASSING) else {
        return;
    };
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    let lock = repo.join(".git/reftable/tables.list.lock");

    // Left by a killed writer: nobody holds it, so it is removed and reported.
    std::fs::write(&lock, "").unwrap();
    let run = env.run(
        &repo,
        &["propose", "a", "-m", "A", "--no-test", "--id", "aaaa1111"],
    );
    run.ok();
    assert!(
        run.stderr.contains(&format!(
            "removed a lock left by an interrupted process: {}",
            lock.display()
        )),
        "{}",
        run.stderr
    );
    assert!(!lock.exists());

    // Held by a live process: waited for, then refused naming the holder,
    // with nothing written.
    let before = env.refs(&repo);
    let mut holder = env.hold_open(&repo, &lock);
    let run = env.run(
        &repo,
        &["propose", "b", "-m", "B", "--no-test", "--id", "bbbb2222"],
    );
    run.code(1);
    assert!(
        run.stderr.contains("tables.list.lock is locked by process")
            && run.stderr.contains(&holder.id().to_string()),
        "{}",
        run.stderr
    );
    assert!(lock.exists(), "a held lock is never removed");
    assert_eq!(env.refs(&repo), before);

    // With git's reftable.lockTimeout of -1 (wait for ever), a write that
    // waits goes through once the holder is gone.
    env.git(&repo, &["config", "reftable.lockTimeout", "-1"]);
    let waiting = env
        .cmd(
            &repo,
            &["propose", "b", "-m", "B", "--no-test", "--id", "bbbb2222"],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    holder.kill().unwrap();
    holder.wait().unwrap();
    let out = waiting.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!lock.exists());
    let list = env.run(&repo, &["list", "--json"]).json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    env.fsck(&repo);
}

#[test]
fn an_unknown_ref_format_is_refused_before_writing() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "f", "main", "f.txt", "f\n");
    let config = repo.join(".git/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text = text.replace("repositoryformatversion = 0", "repositoryformatversion = 1");
    text.push_str("[extensions]\n\trefStorage = someday\n");
    std::fs::write(&config, text).unwrap();
    let run = env.run(&repo, &["propose", "f", "-m", "x", "--no-test"]);
    run.code(1);
    assert!(run.stderr.contains("someday"), "{}", run.stderr);
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("error"))
            .count(),
        1
    );
    assert_no_loose_queue_refs(&repo.join(".git"));
}
