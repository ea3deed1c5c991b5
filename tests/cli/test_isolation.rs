//! Test runs are isolated: the code under test cannot poison the reused test
//! checkout for the runs after it, no link planted in or around the checkout
//! is ever followed, and no process a test starts outlives its run.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::TestEnv;

const SELF_APPROVE: &str = "[policy]\nallow_self_approval = true\n";

/// A repository whose policy runs `sh check.sh`; `check.sh` logs its working
/// directory to `<env>/pwd.log`, then `lib.sh`'s `verify` decides:
/// `value.txt` must say `good`, `sub/data.txt` must be a real file.
fn victim_repo(env: &TestEnv) -> PathBuf {
    let policy = format!("[test]\ncommand = \"sh check.sh\"\ntimeout = \"1m\"\n{SELF_APPROVE}");
    let repo = env.repo("r", Some(&policy));
    let log = env.path().join("pwd.log");
    env.commit_on_main(
        &repo,
        &[
            (
                "check.sh",
                &format!("pwd >> '{}'\n. ./lib.sh\nverify\n", log.display()),
            ),
            ("lib.sh", LIB),
            ("value.txt", "good\n"),
            ("sub/data.txt", "data\n"),
        ],
        "tests",
    );
    repo
}

const LIB: &str =
    "verify() { grep -qx good value.txt && test -f sub/data.txt && test ! -L sub; }\n";

/// The directories the test runs ran in, in order.
fn pwds(env: &TestEnv) -> Vec<String> {
    std::fs::read_to_string(env.path().join("pwd.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Commit `files` on a new branch off main; the files are written as given.
fn branch(env: &TestEnv, repo: &Path, name: &str, files: &[(&str, &str)]) {
    env.git(repo, &["checkout", "-q", "-B", name, "main"]);
    env.commit_on_main(repo, files, name);
    env.git(repo, &["checkout", "-q", "main"]);
}

/// A broken proposal (its tests fail in a fresh checkout) must fail after the
/// attack, and its approval must leave main alone.
#[track_caller]
fn broken_proposal_still_fails(env: &TestEnv, repo: &Path) {
    branch(env, repo, "broken", &[("value.txt", "bad\n")]);
    let main = env.git(repo, &["rev-parse", "main"]);
    let id = env.propose(repo, "broken", "broken", &["--no-test"]);
    let run = env.run(repo, &["approve", &id, "--json"]);
    run.code(3);
    assert_eq!(run.json()["state"], "failed");
    assert_eq!(env.git(repo, &["rev-parse", "main"]), main);
}

#[test]
fn a_poisoned_index_in_the_reused_checkout_cannot_pass_a_broken_proposal() {
    let env = TestEnv::new();
    let repo = victim_repo(&env);
    let git_dir = repo.join(".git");
    // The attack: mark lib.sh (the same in every proposal) skip-worktree in
    // any index it can reach next to the checkout, and make it always pass.
    let attack = format!(
        "pwd >> '{log}'\n\
         for idx in ../index index .git/index; do\n\
           [ -f \"$idx\" ] || continue\n\
           GIT_DIR='{git}' GIT_WORK_TREE=. GIT_INDEX_FILE=\"$idx\" git update-index --skip-worktree lib.sh\n\
         done\n\
         printf 'verify() {{ true; }}\\n' > lib.sh\n\
         exit 0\n",
        log = env.path().join("pwd.log").display(),
        git = git_dir.display(),
    );
    branch(&env, &repo, "evil", &[("check.sh", &attack)]);
    env.run(&repo, &["propose", "evil", "-m", "evil"]).ok();
    broken_proposal_still_fails(&env, &repo);
    // Both runs used the same reused checkout: the defence is not a fresh
    // directory every time.
    let dirs = pwds(&env);
    assert_eq!(dirs.len(), 2, "{dirs:?}");
    assert_eq!(dirs[0], dirs[1], "the checkout was not reused");
}

#[test]
fn files_tampered_with_behind_the_stat_data_are_restored() {
    let env = TestEnv::new();
    let repo = victim_repo(&env);
    let precious = env.path().join("precious");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::write(precious.join("keep.txt"), "keep\n").unwrap();
    // lib.sh replaced by one that always passes, of the same size and with
    // the same modification time; sub/ replaced by a link to a directory
    // outside; a nested repository, an unreadable directory and a link out.
    let fake = format!("{:<width$}\n", "verify() { true; }", width = LIB.len() - 1);
    assert_eq!(fake.len(), LIB.len());
    let attack = format!(
        "pwd >> '{log}'\n\
         touch -r lib.sh '{stamp}'\n\
         printf '%s\\n' '{fake}' > lib.sh\n\
         touch -r '{stamp}' lib.sh\n\
         rm -rf sub && ln -s '{precious}' sub\n\
         ln -s '{precious}' outside\n\
         git init -q . && mkdir -p locked/deeper && chmod 000 locked/deeper locked\n\
         exit 0\n",
        log = env.path().join("pwd.log").display(),
        fake = fake.trim_end(),
        stamp = env.path().join("stamp").display(),
        precious = precious.display(),
    );
    branch(&env, &repo, "evil", &[("check.sh", &attack)]);
    env.run(&repo, &["propose", "evil", "-m", "evil"]).ok();
    broken_proposal_still_fails(&env, &repo);
    // Nothing outside the checkout was touched through the links.
    assert_eq!(
        std::fs::read_to_string(precious.join("keep.txt")).unwrap(),
        "keep\n"
    );
    assert_eq!(std::fs::read_dir(&precious).unwrap().count(), 1);
    // A correct proposal passes in the repaired checkout, which is still reused.
    branch(&env, &repo, "fine", &[("other.txt", "x\n")]);
    env.run(&repo, &["propose", "fine", "-m", "fine"]).ok();
    let dirs = pwds(&env);
    assert_eq!(dirs.len(), 3, "{dirs:?}");
    assert!(dirs.iter().all(|d| d == &dirs[0]), "{dirs:?}");
}

/// The reused checkout's location as earlier versions computed it.
fn legacy_location(env: &TestEnv, repo: &Path) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let common = repo.join(".git").canonicalize().unwrap();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    common.hash(&mut h);
    env.path()
        .join("tmp")
        .join(format!("git-upgrades-reuse-{:016x}", h.finish()))
}

fn precious_dir(env: &TestEnv, name: &str) -> PathBuf {
    let dir = env.path().join(name);
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    std::fs::write(dir.join("keep.txt"), "keep\n").unwrap();
    std::fs::write(dir.join("nested/keep.txt"), "keep\n").unwrap();
    dir
}

#[track_caller]
fn untouched(dir: &Path) {
    assert_eq!(
        std::fs::read_to_string(dir.join("keep.txt")).unwrap(),
        "keep\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("nested/keep.txt")).unwrap(),
        "keep\n"
    );
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["keep.txt", "nested"], "{}", dir.display());
}

/// The checkout's root, as recorded in the repository's private directory.
fn recorded(repo: &Path) -> PathBuf {
    let text = std::fs::read_to_string(repo.join(".git/upgrades/test-checkout")).unwrap();
    PathBuf::from(text.trim_end_matches('\n'))
}

#[test]
fn links_planted_where_the_checkout_lives_are_never_followed() {
    use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
    let env = TestEnv::new();
    let policy = format!(
        "[test]\ncommand = \"pwd >> '{}'; test -f README.md\"\n{SELF_APPROVE}",
        env.path().join("pwd.log").display()
    );
    let repo = env.repo("r", Some(&policy));
    // Another user plants links at the predictable path earlier versions used.
    let precious = precious_dir(&env, "precious");
    let legacy = legacy_location(&env, &repo);
    std::fs::create_dir_all(&legacy).unwrap();
    symlink(&precious, legacy.join("tree")).unwrap();
    branch(&env, &repo, "a", &[("a.txt", "a\n")]);
    env.run(&repo, &["propose", "a", "-m", "a"]).ok();
    untouched(&precious);

    // The checkout is a private directory outside the repository, recorded
    // in the repository's private directory.
    let root = recorded(&repo);
    let meta = std::fs::symlink_metadata(&root).unwrap();
    assert!(meta.is_dir());
    assert_eq!(meta.mode() & 0o7777, 0o700);
    assert_eq!(meta.uid(), unsafe { libc::geteuid() });
    assert!(!root.starts_with(&repo));
    assert_eq!(pwds(&env), [root.display().to_string()]);

    // The recorded path replaced by a link: not followed, a new directory made.
    let precious2 = precious_dir(&env, "precious2");
    std::fs::remove_dir_all(&root).unwrap();
    symlink(&precious2, &root).unwrap();
    branch(&env, &repo, "b", &[("b.txt", "b\n")]);
    env.run(&repo, &["propose", "b", "-m", "b"]).ok();
    untouched(&precious2);
    assert!(std::fs::symlink_metadata(&root).unwrap().is_symlink());
    let root2 = recorded(&repo);
    assert_ne!(root2, root);
    assert!(std::fs::symlink_metadata(&root2).unwrap().is_dir());

    // A record naming someone else's directory, or one others can enter, is
    // not used and not emptied.
    let precious3 = precious_dir(&env, "tmp/git-upgrades-reuse-planted");
    std::fs::set_permissions(&precious3, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        repo.join(".git/upgrades/test-checkout"),
        format!("{}\n", precious3.display()),
    )
    .unwrap();
    branch(&env, &repo, "c", &[("c.txt", "c\n")]);
    env.run(&repo, &["propose", "c", "-m", "c"]).ok();
    untouched(&precious3);
    assert_ne!(recorded(&repo), precious3);
    // A record naming a directory that is not in the temporary directory.
    let precious4 = precious_dir(&env, "git-upgrades-reuse-elsewhere");
    std::fs::set_permissions(&precious4, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::write(
        repo.join(".git/upgrades/test-checkout"),
        format!("{}\n", precious4.display()),
    )
    .unwrap();
    branch(&env, &repo, "d", &[("d.txt", "d\n")]);
    env.run(&repo, &["propose", "d", "-m", "d"]).ok();
    untouched(&precious4);
    if unsafe { libc::geteuid() } == 0 {
        // Owned by another user (only root can make one here).
        let other = precious_dir(&env, "tmp/git-upgrades-reuse-other");
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o700)).unwrap();
        let c = std::ffi::CString::new(other.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::chown(c.as_ptr(), 65534, 65534) }, 0);
        std::fs::write(
            repo.join(".git/upgrades/test-checkout"),
            format!("{}\n", other.display()),
        )
        .unwrap();
        branch(&env, &repo, "e", &[("e.txt", "e\n")]);
        env.run(&repo, &["propose", "e", "-m", "e"]).ok();
        untouched(&other);
        assert_ne!(recorded(&repo), other);
    }
    untouched(&precious);
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// A test command that starts processes which leave its process group and
/// session or lose their parent, writing their pids into `dir`, then runs `rest`.
fn escaping_policy(dir: &Path, rest: &str, timeout: &str) -> String {
    let d = dir.display();
    format!(
        "[test]\ncommand = \"\"\"\n\
         setsid sleep 300 &\n\
         echo $! > '{d}/setsid.pid'\n\
         sh -c 'sleep 300 > /dev/null 2>&1 & echo $! > \"{d}/orphan.pid\"' &\n\
         wait $!\n\
         setsid sh -c 'sleep 300 & echo $! > \"{d}/both.pid\"' &\n\
         wait $!\n\
         {rest}\n\"\"\"\ntimeout = \"{timeout}\"\n{SELF_APPROVE}"
    )
}

fn pids_in(dir: &Path) -> Vec<i32> {
    ["setsid.pid", "orphan.pid", "both.pid"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .filter_map(|t| t.trim().parse().ok())
        .collect()
}

#[test]
fn processes_that_leave_the_group_end_before_the_run_returns() {
    let env = TestEnv::new();
    let pids = env.path().join("pids");
    std::fs::create_dir_all(&pids).unwrap();
    let repo = env.repo("r", Some(&escaping_policy(&pids, "true", "1m")));
    branch(&env, &repo, "a", &[("a.txt", "a\n")]);
    let id = env.propose(&repo, "a", "escapes", &[]);
    let started = pids_in(&pids);
    assert_eq!(started.len(), 3, "the test command did not start them all");
    for pid in &started {
        assert!(!alive(*pid), "process {pid} outlived propose's test run");
    }
    for f in std::fs::read_dir(&pids).unwrap() {
        std::fs::remove_file(f.unwrap().path()).unwrap();
    }
    let run = env.run(&repo, &["approve", &id, "--json"]);
    run.ok();
    assert_eq!(run.json()["state"], "applied");
    let started = pids_in(&pids);
    assert_eq!(started.len(), 3);
    for pid in &started {
        assert!(!alive(*pid), "process {pid} outlived approve's test run");
    }
}

#[test]
fn escaped_processes_end_on_timeout_and_when_the_tool_is_killed() {
    let env = TestEnv::new();
    let pids = env.path().join("pids");
    std::fs::create_dir_all(&pids).unwrap();
    let repo = env.repo("r", Some(&escaping_policy(&pids, "sleep 300", "4s")));
    branch(&env, &repo, "a", &[("a.txt", "a\n")]);
    let run = env.run(&repo, &["propose", "a", "-m", "times out", "--json"]);
    run.code(3);
    assert_eq!(run.json()["tests"]["status"], "timed-out");
    let started = pids_in(&pids);
    assert_eq!(started.len(), 3);
    for pid in &started {
        assert!(!alive(*pid), "process {pid} outlived a timed-out run");
    }

    // Killed with SIGKILL while the tests run: the reaper ends them all.
    for f in std::fs::read_dir(&pids).unwrap() {
        std::fs::remove_file(f.unwrap().path()).unwrap();
    }
    let policy = escaping_policy(&pids, "sleep 300", "10m");
    env.commit_on_main(&repo, &[(".upgrades.toml", &policy)], "longer");
    branch(&env, &repo, "b", &[("b.txt", "b\n")]);
    let mut child = env
        .cmd(&repo, &["propose", "b", "-m", "killed"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let waited = Instant::now();
    while pids_in(&pids).len() < 3 && waited.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = pids_in(&pids);
    assert_eq!(started.len(), 3, "the test command did not start");
    // SAFETY: killing our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    let _ = child.wait();
    for pid in started {
        let waited = Instant::now();
        while alive(pid) && waited.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive(pid), "process {pid} outlived a killed run");
    }
}
