//! The first hour on a real project: `init` picks a test command that passes
//! in a clean checkout and says why, `init --check` proves it once, and
//! `util install` makes `git help upgrades` and completions work.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{bin, TestEnv};

/// True when `program` runs on this machine.
fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The directory of the cargo running these tests (with rustc next to it),
/// so the test command finds a toolchain without the user's HOME.
fn toolchain_dir() -> PathBuf {
    let cargo = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO")));
    cargo.parent().expect("cargo's directory").to_path_buf()
}

/// A `git-upgrades` command whose tests can run cargo, building into the
/// temporary directory.
fn with_cargo(env: &TestEnv, dir: &Path, args: &[&str]) -> crate::common::Run {
    let mut cmd = env.cmd(dir, args);
    let path = format!(
        "{}:{}:{}",
        bin().parent().unwrap().display(),
        toolchain_dir().display(),
        std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
    );
    cmd.env("PATH", path)
        .env("CARGO_TARGET_DIR", env.path().join("cargo-target"));
    if let Some(rustup) = std::env::var_os("RUSTUP_HOME") {
        cmd.env("RUSTUP_HOME", rustup);
    }
    run(cmd)
}

fn run(mut cmd: Command) -> crate::common::Run {
    let out = cmd.output().expect("run");
    crate::common::Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn policy(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(".upgrades.toml")).expect("policy file")
}

/// A crate with no dependencies (nothing to download) and one test.
fn cargo_project(env: &TestEnv) -> PathBuf {
    let dir = env.repo("crate", None);
    env.commit_on_main(
        &dir,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"first-hour\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            (
                "src/lib.rs",
                "pub fn two() -> u32 { 2 }\n#[test]\nfn adds() { assert_eq!(two(), 2); }\n",
            ),
            (".gitignore", "/target\nCargo.lock\n"),
        ],
        "a crate that ignores its lock file",
    );
    // The lock file exists here, but a clean checkout will not have it.
    std::fs::write(
        dir.join("Cargo.lock"),
        "version = 4\n\n[[package]]\nname = \"first-hour\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    dir
}

#[test]
fn cargo_with_an_ignored_lock_file_gets_no_locked_and_passes_the_check() {
    let env = TestEnv::new();
    let dir = cargo_project(&env);

    let run = with_cargo(&env, &dir, &["init", "--check"]);
    run.ok();
    assert!(
        run.stdout
            .contains("wrote .upgrades.toml (test command: cargo test)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "why: Cargo.toml found; Cargo.lock exists but is not tracked, so no --locked"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("check: passed in"), "{}", run.stdout);
    assert!(
        policy(&dir).contains("\ncommand = \"cargo test\"\n"),
        "{}",
        policy(&dir)
    );

    // What `init` used to choose fails in a clean checkout: --check says so.
    let run = with_cargo(
        &env,
        &dir,
        &[
            "init",
            "--force",
            "--check",
            "--test-command",
            "cargo test --locked",
        ],
    );
    run.code(3);
    assert!(
        run.stdout.contains("check: failed with exit code 101"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("--locked"), "{}", run.stdout);

    // Once the lock file is tracked, --locked is right, and passes.
    env.git(&dir, &["add", "-f", "Cargo.lock"]);
    env.git(&dir, &["commit", "-qm", "track the lock file"]);
    let run = with_cargo(&env, &dir, &["init", "--force", "--check", "--json"]);
    run.ok();
    let json = run.json();
    assert_eq!(json["test_command"]["command"], "cargo test --locked");
    assert_eq!(
        json["test_command"]["reason"],
        "Cargo.toml found; Cargo.lock is tracked, so --locked"
    );
    assert_eq!(json["test_command"]["source"], "detected");
    assert_eq!(json["check"]["passed"], true, "{json}");
    assert_eq!(json["check"]["command"], "cargo test --locked");
    let output = json["check"]["output"].as_str().unwrap_or_default();
    assert!(output.contains("test adds ... ok"), "{output}");
    assert!(policy(&dir).contains("\ncommand = \"cargo test --locked\"\n"));
}

#[test]
fn a_failing_make_test_is_reported_with_its_output_tail_and_exit_3() {
    if !have("make") {
        eprintln!("make not available; skipping");
        return;
    }
    let env = TestEnv::new();
    let dir = env.repo("shell", None);
    env.commit_on_main(
        &dir,
        &[
            (
                "Makefile",
                "build:\n\ttrue\n\ntest: build\n\tsh ./test.sh\n",
            ),
            (
                "test.sh",
                "i=1\nwhile [ $i -le 100 ]; do echo \"noise line $i\"; i=$((i+1)); done\n\
                 echo 'FAIL: the widget is broken' >&2\nexit 2\n",
            ),
        ],
        "a project tested by make",
    );
    let run = env.run(&dir, &["init"]);
    run.ok();
    assert!(
        run.stdout.contains("(test command: make test)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("why: Makefile has a test target"),
        "{}",
        run.stdout
    );

    let run = env.run(&dir, &["init", "--force", "--check"]);
    run.code(3);
    let out = &run.stdout;
    assert!(
        out.contains("check: failed with exit code 2 after"),
        "{out}"
    );
    assert!(out.contains("make test on HEAD ("), "{out}");
    assert!(out.contains("FAIL: the widget is broken"), "{out}");
    assert!(out.contains("noise line 100"), "{out}");
    // Bounded: only the end of the output.
    assert!(!out.contains("noise line 50\n"), "{out}");
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    // The policy is written all the same: the check reports, it does not veto.
    assert!(policy(&dir).contains("command = \"make test\""));

    let run = env.run(&dir, &["init", "--force", "--check", "--json"]);
    run.code(3);
    let json = run.json();
    assert_eq!(json["check"]["passed"], false);
    assert_eq!(json["check"]["exit_code"], 2);
}

#[test]
fn check_uses_an_existing_policy_file_and_refuses_without_a_command_or_commit() {
    let env = TestEnv::new();
    let policy_text = "[test]\ncommand = \"test -f README.md\"\ntimeout = \"1m\"\n";
    let dir = env.repo("kept", Some(policy_text));
    let run = env.run(&dir, &["init", "--check"]);
    run.ok();
    assert!(run.stdout.contains("check: passed in"), "{}", run.stdout);
    assert!(
        run.stdout.contains("test -f README.md on HEAD"),
        "{}",
        run.stdout
    );
    assert_eq!(policy(&dir), policy_text, "the file is left alone");

    // Nothing detected: --check refuses before writing anything.
    let empty = env.repo("empty", None);
    let run = env.run(&empty, &["init", "--check"]);
    run.code(2);
    assert!(
        run.stderr.contains("no test command to check"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--test-command"), "{}", run.stderr);
    assert!(!empty.join(".upgrades.toml").exists());
    // Without --check the file is written, saying what was looked for and what to do.
    std::fs::write(empty.join("package.json"), r#"{"name": "x"}"#).unwrap();
    let run = env.run(&empty, &["init"]);
    run.ok();
    assert!(
        run.stdout.contains("(test command: not configured)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("nothing detected (looked for Cargo.toml"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("package.json has no \"test\" script"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("--test-command"), "{}", run.stderr);

    // No commit to check out yet: a usage error, nothing written.
    let unborn = env.path().join("unborn");
    std::fs::create_dir_all(&unborn).unwrap();
    env.git(&unborn, &["init", "-q", "-b", "main"]);
    let run = env.run(&unborn, &["init", "--check", "--test-command", "true"]);
    run.code(2);
    assert!(run.stderr.contains("HEAD has no commit"), "{}", run.stderr);
    assert!(!unborn.join(".upgrades.toml").exists());
}
