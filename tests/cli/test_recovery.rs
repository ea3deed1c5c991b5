//! Recovery from what killed processes and outside hands leave behind: stale
//! git lock files, half-applied closes, a moved or deleted queue ref, a `git
//! fetch` whose parent was killed, and `git gc --prune=now` running during
//! writes. Every damaged state is made with plain git or plain shell.

use std::io::BufRead;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{report, stress, TestEnv, PASSING};

const SELF_APPROVING: &str = "[test]\ncommand = \"test -f README.md\"\ntimeout = \"1m\"\n[policy]\nallow_self_approval = true\n";

/// These tests are about the lock files of git's `files` ref format (one
/// per ref, plus `packed-refs.lock`), so their repository uses it in every
/// pass; test_reftable covers the reftable stack's single lock.
const FILES: [&str; 1] = ["--ref-format=files"];

fn git_dir(repo: &Path) -> std::path::PathBuf {
    repo.join(".git")
}

/// Every `.lock` file under the git directory.
fn lock_files(repo: &Path) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.to_string_lossy().ends_with(".lock")
                // The tool's own flock files are kept on purpose.
                && !p.ends_with("upgrades/write.lock")
                && !p.ends_with("upgrades/test-checkout.lock")
            {
                out.push(p.display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(&git_dir(repo), &mut out);
    out
}

fn ref_of(env: &TestEnv, repo: &Path, name: &str) -> Option<String> {
    let run = env.git_run(repo, &["rev-parse", "--verify", "-q", name]);
    (run.code == 0).then(|| run.stdout.trim().to_string())
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// Wait (polling, at most `limit`) until `done` holds; true if it did.
fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    done()
}

#[test]
fn stale_git_locks_are_removed_and_reported() {
    let env = TestEnv::new();
    let repo = env.repo_init("r", Some(SELF_APPROVING), &FILES);
    let gd = git_dir(&repo);
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    env.branch_commit(&repo, "c", "main", "c.txt", "c\n");
    let a = env.propose(&repo, "a", "A", &["--no-test", "--id", "aaaa1111"]);
    let b = env.propose(&repo, "b", "B", &["--no-test", "--id", "bbbb2222"]);
    // Pack the refs, so that closing an upgrade has to rewrite packed-refs.
    env.git(&repo, &["pack-refs", "--all", "--prune"]);

    // Locks left by killed writers: packed-refs.lock, a target branch's lock
    // and a queue ref's lock, all made with plain shell.
    let stale = |rel: &str| {
        let p = gd.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "").unwrap();
        p
    };
    let packed = stale("packed-refs.lock");
    let main_lock = stale("refs/heads/main.lock");
    let notes_lock = stale(&format!("refs/notes/upgrades/{a}.lock"));

    // propose with an explicit id: a lock is never "already exists".
    let run = env.run(
        &repo,
        &["propose", "c", "-m", "C", "--no-test", "--id", "cccc3333"],
    );
    println!("propose:\n{}", run.stderr);
    run.ok();
    assert!(
        run.stderr
            .contains("removed a lock left by an interrupted process"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("packed-refs.lock"), "{}", run.stderr);
    assert!(!packed.exists());

    // approve lands: the notes ref's and the target branch's locks go.
    let run = env.run(&repo, &["approve", &a]);
    println!("approve:\n{}", run.stderr);
    run.ok();
    assert!(run.stderr.contains(&notes_lock.display().to_string()));
    assert!(run.stderr.contains(&main_lock.display().to_string()));
    assert_eq!(
        env.git(&repo, &["rev-parse", "main"]),
        env.git(&repo, &["rev-parse", "a"])
    );

    // reject: the queue ref's lock and packed-refs.lock again.
    let open_lock = stale(&format!("refs/upgrades/{b}.lock"));
    stale("packed-refs.lock");
    let run = env.run(&repo, &["reject", &b, "-m", "no"]);
    println!("reject:\n{}", run.stderr);
    run.ok();
    assert!(run.stderr.contains(&open_lock.display().to_string()));
    assert_eq!(ref_of(&env, &repo, &format!("refs/upgrades/{b}")), None);

    assert_eq!(lock_files(&repo), Vec::<String>::new());
    env.fsck(&repo);
}

#[test]
fn a_lock_held_by_a_live_process_is_waited_for_and_kept() {
    let env = TestEnv::new();
    let repo = env.repo_init("r", Some(PASSING), &FILES);
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let lock = git_dir(&repo).join("packed-refs.lock");
    let before = env.refs(&repo);

    let mut holder = env.hold_open(&repo, &lock);
    let run = env.run(
        &repo,
        &["propose", "a", "-m", "A", "--no-test", "--id", "held0001"],
    );
    println!("while held:\n{}", run.stderr);
    run.code(1);
    assert!(
        run.stderr.contains("packed-refs.lock is locked by process")
            && run.stderr.contains(&holder.id().to_string())
            && run.stderr.contains("sleep"),
        "names the lock and its holder: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("already exists"), "{}", run.stderr);
    assert!(lock.exists(), "a held lock is never removed");
    assert_eq!(env.refs(&repo), before, "nothing written");

    // Released while a write waits for it (git's packedRefsTimeout of -1
    // means: wait for ever): the write goes through once nobody holds it.
    env.git(&repo, &["config", "core.packedRefsTimeout", "-1"]);
    let waiting = env
        .cmd(
            &repo,
            &["propose", "a", "-m", "A", "--no-test", "--id", "held0001"],
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
    println!("released:\n{stderr}");
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("removed a lock left by an interrupted process"),
        "{stderr}"
    );
    assert!(!lock.exists());
    env.fsck(&repo);
}

/// The half state a kill between the renames of a close leaves: the record
/// closed, the open ref still there, no archive ref.
fn half_close(env: &TestEnv, repo: &Path, id: &str) -> String {
    let head = env.git(repo, &["rev-parse", &format!("refs/upgrades/{id}")]);
    env.run(repo, &["reject", id, "-m", "half"]).ok();
    env.git(
        repo,
        &["update-ref", &format!("refs/upgrades/{id}"), &head, ""],
    );
    env.git(
        repo,
        &["update-ref", "-d", &format!("refs/upgrades-archive/{id}")],
    );
    head
}

#[test]
fn half_applied_closes_are_completed() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    let mut ids = Vec::new();
    for (i, n) in ["a", "b", "c", "d"].iter().enumerate() {
        env.branch_commit(&repo, n, "main", &format!("{n}.txt"), "x\n");
        ids.push(env.propose(&repo, n, &format!("change {i}"), &["--no-test"]));
    }
    let (a, b, c, d) = (&ids[0], &ids[1], &ids[2], &ids[3]);
    let head_a = half_close(&env, &repo, a);
    // c: closed, but its open ref was moved elsewhere: reported, left alone.
    half_close(&env, &repo, c);
    let elsewhere = env.git(&repo, &["rev-parse", "main"]);
    env.git(
        &repo,
        &["update-ref", &format!("refs/upgrades/{c}"), &elsewhere],
    );
    // d: open, its open ref deleted (as an interrupted propose leaves it).
    let head_d = env.git(&repo, &["rev-parse", &format!("refs/upgrades/{d}")]);
    env.git(&repo, &["update-ref", "-d", &format!("refs/upgrades/{d}")]);

    let before = env.refs(&repo);
    let dry = env.run(&repo, &["maintain", "--repair", "--dry-run"]);
    dry.ok();
    assert!(dry.stdout.contains("would be repaired"), "{}", dry.stdout);
    assert_eq!(env.refs(&repo), before, "a dry run changes nothing");

    let run = env.run(&repo, &["maintain", "--repair", "--json"]);
    println!("maintain --repair:\n{}", run.stdout);
    run.ok();
    let actions = run.json()["actions"].as_array().unwrap().clone();
    let of = |id: &str, action: &str| {
        actions
            .iter()
            .filter(|x| x["id"] == id && x["action"] == action)
            .count()
    };
    assert_eq!(of(a, "repaired"), 1, "{actions:?}");
    assert_eq!(of(c, "attention"), 1, "{actions:?}");
    assert_eq!(of(d, "repaired"), 1, "{actions:?}");
    assert_eq!(ref_of(&env, &repo, &format!("refs/upgrades/{a}")), None);
    assert_eq!(
        ref_of(&env, &repo, &format!("refs/upgrades-archive/{a}")),
        Some(head_a)
    );
    assert_eq!(
        ref_of(&env, &repo, &format!("refs/upgrades/{c}")),
        Some(elsewhere),
        "a ref the tool cannot account for is left alone"
    );
    assert_eq!(
        ref_of(&env, &repo, &format!("refs/upgrades/{d}")),
        Some(head_d)
    );
    // Nothing left to do.
    let again = env.run(&repo, &["maintain", "--repair", "--json"]).json();
    assert!(again["actions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["action"] != "repaired"));

    // b is repaired by the next command that touches it: reject.
    let head_b = half_close(&env, &repo, b);
    let run = env.run(&repo, &["reject", b]);
    println!("reject of a half-closed upgrade:\n{}", run.stderr);
    assert!(
        run.stderr
            .contains("completed the interrupted close of this rejected upgrade"),
        "{}",
        run.stderr
    );
    assert_eq!(ref_of(&env, &repo, &format!("refs/upgrades/{b}")), None);
    assert_eq!(
        ref_of(&env, &repo, &format!("refs/upgrades-archive/{b}")),
        Some(head_b)
    );
    env.fsck(&repo);
}

#[test]
fn a_moved_or_deleted_queue_ref_is_reported_and_reject_still_works() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(SELF_APPROVING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    let other = env.branch_commit(&repo, "other", "main", "o.txt", "o\n");
    let a = env.propose(&repo, "a", "A", &["--no-test"]);
    let b = env.propose(&repo, "b", "B", &["--no-test"]);
    let head_a = env.git(&repo, &["rev-parse", "a"]);
    let head_b = env.git(&repo, &["rev-parse", "b"]);
    let main = env.git(&repo, &["rev-parse", "main"]);

    env.git(
        &repo,
        &["update-ref", &format!("refs/upgrades/{a}"), &other],
    );
    for args in [vec!["approve", a.as_str()], vec!["apply", a.as_str()]] {
        let run = env.run(&repo, &args);
        println!("{args:?}:\n{}", run.stderr);
        run.code(1);
        assert!(
            run.stderr.contains(&format!(
                "upgrade {a}: its queue ref refs/upgrades/{a} points at"
            )) && run.stderr.contains("changed outside git-upgrades")
                && run.stderr.contains(&format!("git upgrades reject {a}")),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("another process"), "{}", run.stderr);
        assert_eq!(env.git(&repo, &["rev-parse", "main"]), main);
    }
    let run = env.run(&repo, &["reject", &a, "-m", "moved"]);
    println!("reject:\n{}", run.stderr);
    run.ok();
    assert!(
        run.stderr.contains(&other),
        "names the commit it pointed at: {}",
        run.stderr
    );
    assert_eq!(ref_of(&env, &repo, &format!("refs/upgrades/{a}")), None);
    assert_eq!(
        ref_of(&env, &repo, &format!("refs/upgrades-archive/{a}")),
        Some(head_a)
    );

    env.git(&repo, &["update-ref", "-d", &format!("refs/upgrades/{b}")]);
    env.run(&repo, &["reject", &b]).ok();
    assert_eq!(
        ref_of(&env, &repo, &format!("refs/upgrades-archive/{b}")),
        Some(head_b)
    );
    let listed = env.run(&repo, &["list", "--all", "--json"]).json();
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["state"] == "rejected"));
    env.fsck(&repo);
}

#[test]
fn a_killed_sync_takes_its_git_fetch_with_it() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.bare_hub(&repo);
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.propose(&repo, "a", "A", &["--no-test"]);
    // The first fetch hangs in its upload-pack, as a slow remote would.
    let mark = env.path().join("slowed");
    let pidfile = env.path().join("upload-pack.pid");
    let wrapper = env.path().join("slow-upload-pack");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nif [ ! -e '{mark}' ]; then : > '{mark}'; echo $$ > '{pid}.tmp'; mv '{pid}.tmp' '{pid}'; exec sleep 300; fi\nexec git upload-pack \"$@\"\n",
            mark = mark.display(),
            pid = pidfile.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    env.git(
        &repo,
        &[
            "config",
            "remote.origin.uploadpack",
            wrapper.to_str().unwrap(),
        ],
    );

    let mut sync = env
        .cmd(&repo, &["sync"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    assert!(
        eventually(Duration::from_secs(60), || pidfile.exists()),
        "the fetch never reached the remote"
    );
    let sleeper: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let tool = sync.id() as i32;
    let fetch = children_of(tool)
        .into_iter()
        .find(|p| comm(*p) == "git")
        .expect("sync runs git fetch as its child");
    // Kill the tool only, not its group: its child must go by itself.
    // SAFETY: killing our own child.
    unsafe { libc::kill(tool, libc::SIGKILL) };
    sync.wait().unwrap();
    let gone = eventually(Duration::from_secs(30), || {
        !alive(fetch as i32) || comm(fetch) != "git"
    });
    // SAFETY: ends the stand-in for the slow remote.
    unsafe { libc::kill(sleeper, libc::SIGKILL) };
    assert!(gone, "git fetch ({fetch}) outlived its killed parent");

    let run = env.run(&repo, &["sync"]);
    run.ok();
    assert_eq!(lock_files(&repo), Vec::<String>::new());
    env.fsck(&repo);
}

/// A background process group, killed when the test ends (even by a panic).
struct Group(Option<std::process::Child>);

impl Drop for Group {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            // SAFETY: signals the process group we created.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            let _ = child.wait();
        }
    }
}

/// The children of `pid`, from /proc/<pid>/task/*/children.
fn children_of(pid: i32) -> Vec<u32> {
    let mut out = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
    {
        if let Ok(text) = std::fs::read_to_string(task.path().join("children")) {
            out.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        }
    }
    out
}

fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

#[test]
fn concurrent_gc_prune_now_loses_nothing() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(SELF_APPROVING));
    let rounds = if stress() { 30 } else { 10 };
    // Branches first: gc expires the (test-dated) reflog `checkout -` needs.
    for i in 0..rounds {
        env.branch_commit(&repo, &format!("g{i}"), "main", &format!("g{i}.txt"), "g\n");
    }
    let stop = env.path().join("stop-gc");
    let gc_runs = env.path().join("gc-runs");
    let gc = env
        .bash(
            &repo,
            &format!(
                "while [ ! -e '{stop}' ]; do git gc --prune=now --quiet 2>/dev/null; echo >> '{runs}'; done",
                stop = stop.display(),
                runs = gc_runs.display()
            ),
        )
        .process_group(0)
        .spawn()
        .unwrap();
    let mut gc = Group(Some(gc));
    let mut ids = Vec::new();
    let mut failures = Vec::new();
    for i in 0..rounds {
        let branch = format!("g{i}");
        let run = env.run(
            &repo,
            &[
                "propose",
                &branch,
                "-m",
                &format!("gc {i}"),
                "--no-test",
                "--json",
            ],
        );
        if run.code != 0 {
            failures.push(format!("propose {i}: {}", run.stderr));
            continue;
        }
        let id = run.json()["id"].as_str().unwrap().to_string();
        let args: Vec<&str> = match i % 3 {
            0 => vec!["approve", &id, "--no-apply"],
            1 => vec!["reject", &id, "-m", "no"],
            _ => vec!["approve", &id, "-m", "ok", "--no-apply"],
        };
        let run = env.run(&repo, &args);
        if run.code != 0 {
            failures.push(format!("{args:?}: {}", run.stderr));
        }
        ids.push(id);
    }
    std::fs::write(&stop, "").unwrap();
    gc.0.take().unwrap().wait().unwrap();
    assert_eq!(failures, Vec::<String>::new());
    for id in &ids {
        let shown = env.run(&repo, &["show", id, "--json"]);
        shown.ok();
        assert_eq!(shown.json()["id"], id.as_str());
        env.run(&repo, &["log", id]).ok();
    }
    assert_eq!(
        env.run(&repo, &["list", "--all", "--json"])
            .json()
            .as_array()
            .unwrap()
            .len(),
        ids.len()
    );
    // And a final prune keeps everything.
    env.git(&repo, &["gc", "--prune=now", "--quiet"]);
    env.fsck(&repo);
    let runs = std::fs::read_to_string(&gc_runs)
        .unwrap_or_default()
        .lines()
        .count();
    let line = format!(
        "gc: {} proposals with approvals/rejections during {runs} runs of git gc --prune=now; all readable, fsck clean",
        ids.len()
    );
    println!("{line}");
    report(&line);
}

#[test]
fn object_sizes_come_from_headers() {
    // A blob bigger than any record, written with plain git: its size is
    // known without reading it (the library call behind bounded reads).
    let env = TestEnv::new();
    let repo = env.repo("r", None);
    let big = env.path().join("big");
    std::fs::write(&big, vec![b'x'; 5 << 20]).unwrap();
    let id = env.git(&repo, &["hash-object", "-w", big.to_str().unwrap()]);
    let gix_repo = gix::open(&repo).unwrap();
    let oid: gix::ObjectId = id.parse().unwrap();
    assert_eq!(
        git_upgrades::store::object_size(&gix_repo, oid).unwrap(),
        5 << 20
    );
    env.git(&repo, &["gc", "--quiet"]);
    let gix_repo = gix::open(&repo).unwrap();
    assert_eq!(
        git_upgrades::store::object_size(&gix_repo, oid).unwrap(),
        5 << 20,
        "packed too"
    );
    let err =
        git_upgrades::store::check_object_size(&gix_repo, oid, 4 << 20, "the note").unwrap_err();
    assert!(
        err.to_string().contains("the note is 5242880 bytes")
            && err.to_string().contains("not read"),
        "{err}"
    );
}

/// Loose objects in the repository.
fn loose_objects(env: &TestEnv, repo: &Path) -> usize {
    let out = env.git(repo, &["count-objects"]);
    out.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn objects_pruned_before_the_transaction_are_written_again() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(SELF_APPROVING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let id = env.propose(&repo, "a", "A", &["--no-test"]);
    env.git(&repo, &["gc", "--prune=now", "--quiet"]);
    assert_eq!(loose_objects(&env, &repo), 0);
    // Hold the tool's write lock: the approval writes its objects, then waits
    // for the lock; meanwhile `git gc --prune=now` deletes those objects,
    // which nothing references yet.
    let lock_path = git_dir(&repo).join("upgrades/write.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .unwrap();
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor we own.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
    let approve = env
        .cmd(&repo, &["approve", &id, "--no-apply"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        eventually(Duration::from_secs(60), || loose_objects(&env, &repo) >= 3),
        "the approval never wrote its objects"
    );
    env.git(&repo, &["gc", "--prune=now", "--quiet"]);
    assert_eq!(loose_objects(&env, &repo), 0, "gc deleted them");
    drop(lock);
    let out = approve.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = env.run(&repo, &["show", &id, "--json"]);
    shown.ok();
    assert_eq!(shown.json()["approvals"].as_array().unwrap().len(), 1);
    env.fsck(&repo);
}

#[test]
fn a_pruning_gc_racing_the_transaction_is_outlasted() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(SELF_APPROVING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let id = env.propose(&repo, "a", "A", &["--no-test"]);
    // A stand-in for `git gc --prune=now` whose reachability walk ran before
    // the approval moved the notes ref, and whose deletions come after it:
    // it announces itself in gc.pid as git gc does, waits for the ref to
    // move, then deletes the new record's blob.
    let notes = format!("refs/notes/upgrades/{id}");
    let script = format!(
        r#"old=$(git rev-parse {notes})
echo "$$ $(uname -n)" > .git/gc.pid
echo ready
while [ "$(git rev-parse {notes})" = "$old" ]; do sleep 0.01; done
sleep 0.2
blob=$(git rev-parse "$(git rev-parse {notes}):record.json")
rm -f ".git/objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-)"
git cat-file -e "$blob" 2>/dev/null && echo "still there" >&2
rm -f .git/gc.pid"#
    );
    let mut fake_gc = env.bash(&repo, &script);
    fake_gc.arg("fake-gc").arg("--prune=now");
    let mut fake_gc = fake_gc.stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(fake_gc.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    let run = env.run(&repo, &["approve", &id, "--no-apply"]);
    run.ok();
    assert!(fake_gc.wait().unwrap().success());
    let shown = env.run(&repo, &["show", &id, "--json"]);
    shown.ok();
    assert_eq!(shown.json()["approvals"].as_array().unwrap().len(), 1);
    env.fsck(&repo);
}

#[test]
fn check_open_ref_names_a_moved_or_deleted_queue_ref() {
    // The check callers run before tests: fine, moved, deleted.
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let id = env.propose(&repo, "a", "A", &["--no-test"]);
    let head = env.git(&repo, &["rev-parse", "a"]);
    let main = env.git(&repo, &["rev-parse", "main"]);
    let check = || {
        let r = gix::open(&repo).unwrap();
        let store = git_upgrades::store::Store::new(&r);
        git_upgrades::store::check_open_ref(&store, &id, &head)
    };
    check().unwrap();
    env.git(
        &repo,
        &["update-ref", &format!("refs/upgrades/{id}"), &main],
    );
    let err = check().unwrap_err();
    assert_eq!(err.kind.exit_code(), 1, "not a race (exit 4)");
    assert!(
        err.message.contains(&format!(
            "upgrade {id}: its queue ref refs/upgrades/{id} points at {}",
            &main[..12]
        )),
        "{err}"
    );
    assert!(err
        .hints
        .iter()
        .any(|h| h.contains(&format!("git upgrades reject {id}"))));
    env.git(&repo, &["update-ref", "-d", &format!("refs/upgrades/{id}")]);
    let err = check().unwrap_err();
    assert!(err.message.contains("is missing"), "{err}");
}

#[test]
fn sync_removes_lock_files_a_killed_fetch_left() {
    let env = TestEnv::new();
    let repo = env.repo_init("r", Some(PASSING), &FILES);
    let hub = env.bare_hub(&repo);
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.propose(&repo, "a", "A", &["--no-test"]);
    env.run(&repo, &["sync"]).ok();
    // Someone else moves main on the hub, so the next fetch updates
    // refs/remotes/origin/main, whose lock a killed fetch left behind.
    let other = env.path().join("other");
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            hub.to_str().unwrap(),
            other.to_str().unwrap(),
        ],
    );
    env.commit_on_main(&other, &[("o.txt", "o\n")], "other");
    env.git(&other, &["push", "-q", "origin", "main"]);
    let stale = git_dir(&repo).join("refs/remotes/origin/main.lock");
    std::fs::write(&stale, "").unwrap();
    let run = env.run(&repo, &["sync"]);
    println!("sync:\n{}", run.stderr);
    run.ok();
    assert!(
        run.stderr.contains(&format!(
            "removed a lock left by an interrupted process: {}",
            stale.display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(
        env.git(&repo, &["rev-parse", "refs/remotes/origin/main"]),
        env.git(&other, &["rev-parse", "main"])
    );
    assert_eq!(lock_files(&repo), Vec::<String>::new());
}

#[test]
fn push_removes_a_lock_a_killed_push_left_on_a_hub_on_this_machine() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    let hub = env.bare_hub(&repo);
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let id = env.propose(&repo, "a", "A", &["--no-test"]);
    // A receive-pack killed mid-push leaves its lock on the hub: the stack's
    // lock in a reftable hub, else the ref's own.
    let stale = if hub.join("reftable").is_dir() {
        hub.join("reftable/tables.list.lock")
    } else {
        std::fs::create_dir_all(hub.join("refs/notes/upgrades")).unwrap();
        hub.join(format!("refs/notes/upgrades/{id}.lock"))
    };
    std::fs::write(&stale, "").unwrap();
    let run = env.run(&repo, &["push"]);
    println!("push:\n{}", run.stderr);
    run.ok();
    assert!(
        run.stderr.contains(&format!(
            "removed a lock left on origin by an interrupted process: {}",
            stale.display()
        )),
        "{}",
        run.stderr
    );
    assert!(!stale.exists());
    assert_eq!(
        env.git(&hub, &["rev-parse", &format!("refs/notes/upgrades/{id}")]),
        env.git(&repo, &["rev-parse", &format!("refs/notes/upgrades/{id}")])
    );

    // Held by a live process, it is kept, and the push fails naming the hub's reason.
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    let b = env.propose(&repo, "b", "B", &["--no-test"]);
    let stale = if hub.join("reftable").is_dir() {
        stale
    } else {
        hub.join(format!("refs/notes/upgrades/{b}.lock"))
    };
    let mut holder = env.hold_open(&repo, &stale);
    let run = env.run(&repo, &["push"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("git push to origin failed"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("atomic transaction failed"),
        "{}",
        run.stderr
    );
    assert!(stale.exists());
    holder.kill().unwrap();
    holder.wait().unwrap();
}

#[test]
fn the_checked_out_target_follows_past_a_stale_index_lock_and_keeps_a_held_one() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(SELF_APPROVING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.branch_commit(&repo, "b", "a", "b.txt", "b\n");
    let a = env.propose(&repo, "a", "A", &["--no-test", "--id", "idxa0001"]);
    let b = env.propose(&repo, "b", "B", &["--no-test", "--id", "idxb0002"]);
    assert_eq!(env.git(&repo, &["symbolic-ref", "HEAD"]), "refs/heads/main");

    // git's index lock, left by a killed git: nobody holds it.
    let lock = git_dir(&repo).join("index.lock");
    std::fs::write(&lock, "").unwrap();
    let run = env.run(&repo, &["approve", &a]);
    println!("stale:\n{}", run.stderr);
    run.ok();
    assert!(
        run.stderr
            .contains("removed a lock left by an interrupted process")
            && run.stderr.contains("index.lock"),
        "{}",
        run.stderr
    );
    assert!(!lock.exists());
    assert_eq!(std::fs::read_to_string(repo.join("a.txt")).unwrap(), "a\n");
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");

    // Held by a live process: kept, and the landing says how to catch up.
    let mut holder = env.hold_open(&repo, &lock);
    let run = env.run(&repo, &["approve", &b]);
    println!("held:\n{}", run.stderr);
    run.ok();
    let catch_up = run
        .stderr
        .split('`')
        .find(|s| s.starts_with("git read-tree -u -m "))
        .unwrap_or_else(|| panic!("no catch-up command: {}", run.stderr))
        .to_string();
    assert!(lock.exists(), "a held lock is never removed");
    assert_eq!(
        env.git(&repo, &["rev-parse", "main"]),
        env.git(&repo, &["rev-parse", "b"])
    );
    holder.kill().unwrap();
    holder.wait().unwrap();
    std::fs::remove_file(&lock).unwrap();
    let args: Vec<&str> = catch_up.split(' ').skip(1).collect();
    env.git(&repo, &args);
    assert!(repo.join("b.txt").exists());
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    env.fsck(&repo);
}

/// A landing's one ref transaction (the branch, the event, the queue refs)
/// is committed by a `git update-ref` in a process group of its own, so
/// killing the tool, or its whole group, cannot stop it between two lock
/// renames (an upgrade `applied` with its target unmoved). A `git` wrapper
/// first in `PATH` records the process group of every `update-ref` beside
/// the tool's.
#[test]
fn a_landing_is_committed_by_a_git_that_outlives_the_tool() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(SELF_APPROVING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let id = env.propose(&repo, "a", "A", &["--no-test"]);
    let real_git = std::process::Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .unwrap();
    let real_git = String::from_utf8(real_git.stdout).unwrap();
    let wrap = env.path().join("wrap");
    std::fs::create_dir_all(&wrap).unwrap();
    let log = env.path().join("groups");
    let script = format!(
        "#!/bin/sh\ncase \" $* \" in *\" update-ref \"*)\n  read -r _ _ _ _ mine _ < /proc/$$/stat\n  read -r _ _ _ _ parent _ < /proc/$PPID/stat\n  echo \"$mine $parent\" >> '{}';;\nesac\nexec '{}' \"$@\"\n",
        log.display(),
        real_git.trim()
    );
    std::fs::write(wrap.join("git"), script).unwrap();
    std::fs::set_permissions(
        wrap.join("git"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let path = format!("{}:{}", wrap.display(), std::env::var("PATH").unwrap());
    let run = env.run_as_env("Alice", &repo, &["approve", &id], &[("PATH", &path)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        env.git(&repo, &["rev-parse", "main"]),
        env.git(&repo, &["rev-parse", "a"])
    );
    let groups = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        groups.lines().any(|l| {
            let mut pgrps = l.split_whitespace();
            pgrps.next() != pgrps.next()
        }),
        "no update-ref ran in a process group of its own: {groups:?}"
    );
}
