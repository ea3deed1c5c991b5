//! A temporary git environment that runs the real binary and real git.

#![allow(dead_code)]

pub mod forge;
pub mod pty;
pub mod screen;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

/// The built binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_git-upgrades"))
}

/// The result of one command, with text already decoded.
#[derive(Debug)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }
    /// Assert success and return stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "command failed\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        &self.stdout
    }
    /// Assert the exit code.
    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "unexpected exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
    /// Parse stdout as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("bad JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }
}

/// True for the suite's second pass (`GIT_UPGRADES_TEST_DEFAULTS=next`):
/// every repository the tests create gets what git's published plan makes
/// the defaults of its next major version: reftable refs, SHA-256 objects,
/// and bare repositories used only when named explicitly.
pub fn next_defaults() -> bool {
    std::env::var("GIT_UPGRADES_TEST_DEFAULTS").is_ok_and(|v| v == "next")
}

/// The global git configuration of [`next_defaults`].
pub const NEXT_DEFAULTS: &str = "[init]\n\tdefaultRefFormat = reftable\n\tdefaultObjectFormat = sha256\n[safe]\n\tbareRepository = explicit\n";

/// True if `dir` is a bare repository (a git directory with no work tree).
fn is_bare_repository(dir: &Path) -> bool {
    dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("config").is_file()
}

/// A scratch directory with its own HOME and a fixed, increasing clock.
pub struct TestEnv {
    pub tmp: tempfile::TempDir,
    clock: AtomicU64,
    pub name: String,
    pub email: String,
}

const START: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

impl TestEnv {
    pub fn new() -> TestEnv {
        let tmp = tempfile::Builder::new()
            .prefix("gu-test-")
            .tempdir()
            .expect("tempdir");
        std::fs::create_dir_all(tmp.path().join("home")).unwrap();
        std::fs::create_dir_all(tmp.path().join("tmp")).unwrap();
        // No detached `git maintenance run --auto` after the tests' own
        // commits: a git process lingering in a repository looks like the
        // holder of its lock files.
        std::fs::write(
            tmp.path().join("gitconfig"),
            format!(
                "[maintenance]\n\tauto = false\n{}",
                if next_defaults() { NEXT_DEFAULTS } else { "" }
            ),
        )
        .unwrap();
        TestEnv {
            tmp,
            clock: AtomicU64::new(START),
            name: "Alice".into(),
            email: "alice@example.com".into(),
        }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// The next timestamp (one minute later each call).
    pub fn tick(&self) -> u64 {
        self.clock.fetch_add(60, Ordering::SeqCst) + 60
    }

    /// Move the clock forward.
    pub fn advance(&self, secs: u64) {
        self.clock.fetch_add(secs, Ordering::SeqCst);
    }

    fn base(&self, program: &Path, dir: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(dir).env_clear();
        let path = format!(
            "{}:{}",
            bin().parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
        );
        let date = format!("@{} +0000", self.tick());
        cmd.env("PATH", path)
            .env("HOME", self.path().join("home"))
            .env("TMPDIR", self.path().join("tmp"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.path().join("gitconfig"))
            .env("GIT_AUTHOR_NAME", &self.name)
            .env("GIT_AUTHOR_EMAIL", &self.email)
            .env("GIT_COMMITTER_NAME", &self.name)
            .env("GIT_COMMITTER_EMAIL", &self.email)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("GIT_EDITOR", ":")
            .env("TZ", "UTC")
            .env("LC_ALL", "C.UTF-8")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        // Under `safe.bareRepository=explicit`, a bare repository is used
        // only when named, as a user (or git running a hook) names it.
        if next_defaults() && is_bare_repository(dir) {
            cmd.env("GIT_DIR", ".");
        }
        cmd
    }

    /// A `git` command in `dir`.
    pub fn git_cmd(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = self.base(Path::new("git"), dir);
        cmd.args(args);
        cmd
    }

    /// Run git in `dir`, asserting success; stdout trimmed.
    #[track_caller]
    pub fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_cmd(dir, args).output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Run git in `dir`, returning the whole result.
    pub fn git_run(&self, dir: &Path, args: &[&str]) -> Run {
        Run::from(self.git_cmd(dir, args).output().expect("run git"))
    }

    /// `bash -c script` in `dir`, with the test environment.
    pub fn bash(&self, dir: &Path, script: &str) -> Command {
        let mut cmd = self.base(Path::new("bash"), dir);
        cmd.arg("-c").arg(script);
        cmd
    }

    /// A `git-upgrades` command in `dir`.
    pub fn cmd(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = self.base(&bin(), dir);
        cmd.args(args);
        cmd
    }

    /// Run `git-upgrades` in `dir`.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Run {
        Run::from(self.cmd(dir, args).output().expect("run git-upgrades"))
    }

    /// Run `git-upgrades` in `dir` as someone else.
    pub fn run_as(&self, who: &str, dir: &Path, args: &[&str]) -> Run {
        let email = format!("{}@example.com", who.to_lowercase());
        let mut cmd = self.cmd(dir, args);
        cmd.env("GIT_COMMITTER_NAME", who)
            .env("GIT_COMMITTER_EMAIL", &email);
        cmd.env("GIT_AUTHOR_NAME", who)
            .env("GIT_AUTHOR_EMAIL", &email);
        Run::from(cmd.output().expect("run git-upgrades"))
    }

    /// Run `git-upgrades` as someone else with extra environment.
    pub fn run_as_env(&self, who: &str, dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Run {
        let email = format!("{}@example.com", who.to_lowercase());
        let mut cmd = self.cmd(dir, args);
        cmd.env("GIT_COMMITTER_NAME", who)
            .env("GIT_COMMITTER_EMAIL", &email);
        cmd.env("GIT_AUTHOR_NAME", who)
            .env("GIT_AUTHOR_EMAIL", &email);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        Run::from(cmd.output().expect("run git-upgrades"))
    }

    /// Commit `files` (path, content) directly on main.
    pub fn commit_on_main(&self, dir: &Path, files: &[(&str, &str)], message: &str) {
        for (path, content) in files {
            if let Some(parent) = Path::new(path).parent() {
                std::fs::create_dir_all(dir.join(parent)).unwrap();
            }
            std::fs::write(dir.join(path), content).unwrap();
        }
        self.git(dir, &["add", "-A"]);
        self.git(dir, &["commit", "-q", "-m", message]);
    }

    /// A new repository `name` with one commit on main, and the given policy file (if any).
    pub fn repo(&self, name: &str, policy: Option<&str>) -> PathBuf {
        self.repo_init(name, policy, &[])
    }

    /// [`TestEnv::repo`] with extra `git init` options (`--ref-format=…`).
    pub fn repo_init(&self, name: &str, policy: Option<&str>, init: &[&str]) -> PathBuf {
        let dir = self.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let mut args = vec!["init", "-q", "-b", "main"];
        args.extend_from_slice(init);
        self.git(&dir, &args);
        std::fs::write(dir.join("README.md"), "hello\n").unwrap();
        if let Some(p) = policy {
            std::fs::write(dir.join(".upgrades.toml"), p).unwrap();
        }
        self.git(&dir, &["add", "-A"]);
        self.git(&dir, &["commit", "-q", "-m", "initial"]);
        dir
    }

    /// Commit `content` to `file` on a new branch `branch` off `from`; returns the commit.
    pub fn branch_commit(
        &self,
        dir: &Path,
        branch: &str,
        from: &str,
        file: &str,
        content: &str,
    ) -> String {
        self.git(dir, &["checkout", "-q", "-B", branch, from]);
        if let Some(parent) = Path::new(file).parent() {
            std::fs::create_dir_all(dir.join(parent)).unwrap();
        }
        std::fs::write(dir.join(file), content).unwrap();
        self.git(dir, &["add", "-A"]);
        self.git(dir, &["commit", "-q", "-m", &format!("change {file}")]);
        let head = self.git(dir, &["rev-parse", "HEAD"]);
        self.git(dir, &["checkout", "-q", "-"]);
        head
    }

    /// Propose `branch` and return its id.
    #[track_caller]
    pub fn propose(&self, dir: &Path, branch: &str, message: &str, extra: &[&str]) -> String {
        let mut args = vec!["propose", branch, "-m", message, "--json"];
        args.extend_from_slice(extra);
        let run = self.run(dir, &args);
        run.ok();
        run.json()["id"].as_str().expect("id").to_string()
    }

    /// A shell in `dir` that holds `lock` open (descriptor 3) until killed,
    /// as a live git process holds its lock; returns once it does.
    pub fn hold_open(&self, dir: &Path, lock: &Path) -> std::process::Child {
        use std::io::BufRead;
        let script = format!("exec 3>'{}'; echo ready; exec sleep 300", lock.display());
        let mut child = self
            .bash(dir, &script)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready");
        child
    }

    /// A bare repository `hub.git` beside `repo`, made its `origin`, with
    /// `main` pushed: the shared remote of the tests that need one.
    pub fn bare_hub(&self, repo: &Path) -> PathBuf {
        let hub = self.path().join("hub.git");
        self.git(
            self.path(),
            &["init", "-q", "--bare", "-b", "main", hub.to_str().unwrap()],
        );
        self.git(repo, &["remote", "add", "origin", hub.to_str().unwrap()]);
        self.git(repo, &["push", "-q", "origin", "main"]);
        hub
    }

    /// `git for-each-ref` over everything: a snapshot to compare before/after.
    pub fn refs(&self, dir: &Path) -> String {
        self.git(dir, &["for-each-ref", "--format=%(refname) %(objectname)"])
    }

    /// `git fsck --strict` must be clean.
    #[track_caller]
    pub fn fsck(&self, dir: &Path) {
        let run = self.git_run(dir, &["fsck", "--strict", "--no-progress"]);
        assert_eq!(run.code, 0, "fsck failed: {}{}", run.stdout, run.stderr);
        assert!(!run.stderr.contains("error"), "fsck: {}", run.stderr);
    }
}

pub const PASSING: &str = "[test]\ncommand = \"test -f README.md\"\ntimeout = \"1m\"\n";

/// Append a line to `target/reliability-report.txt` (printed by `.ci/run`).
pub fn report(line: &str) {
    use std::io::Write;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/reliability-report.txt");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{line}");
    }
}

/// True when the long stress and crash runs are wanted (`.ci/run` sets it).
pub fn stress() -> bool {
    std::env::var_os("GIT_UPGRADES_STRESS").is_some_and(|v| v != "0")
}
