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
    output(cmd)
}

fn output(mut cmd: Command) -> crate::common::Run {
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

/// `util completions` into a fresh directory: the scripts to compare with.
fn generated_completions(env: &TestEnv) -> PathBuf {
    let dir = env.path().join("generated-completions");
    env.run(env.path(), &["util", "completions", dir.to_str().unwrap()])
        .ok();
    dir
}

#[test]
fn util_install_puts_man_pages_where_git_help_finds_them() {
    let env = TestEnv::new();
    let prefix = env.path().join("prefix");
    let p = prefix.to_str().unwrap();
    let run = env.run(
        env.path(),
        &["util", "install", "--prefix", p, "--shell", "all"],
    );
    run.ok();
    let man_dir = prefix.join("share/man/man1");
    let pages = git_upgrades::cli::generate::man_pages().unwrap();
    assert!(
        run.stdout.contains(&format!(
            "man pages: {0} in {1} ({0} written)",
            pages.len(),
            man_dir.display()
        )),
        "{}",
        run.stdout
    );
    for (name, bytes) in &pages {
        assert_eq!(&std::fs::read(man_dir.join(name)).unwrap(), bytes, "{name}");
    }
    let generated = generated_completions(&env);
    for (installed, source) in [
        (
            "bash-completion/completions/git-upgrades",
            "git-upgrades.bash",
        ),
        ("zsh/site-functions/_git-upgrades", "_git-upgrades"),
        (
            "fish/vendor_completions.d/git-upgrades.fish",
            "git-upgrades.fish",
        ),
    ] {
        let have = std::fs::read(prefix.join("share").join(installed)).expect(installed);
        assert_eq!(
            have,
            std::fs::read(generated.join(source)).unwrap(),
            "{installed}"
        );
        assert!(
            run.stdout.contains(&format!("{installed} (written)")),
            "{}",
            run.stdout
        );
    }
    // Idempotent: a second run changes nothing and says so.
    let again = env.run(
        env.path(),
        &["util", "install", "--prefix", p, "--shell", "all"],
    );
    again.ok();
    assert!(again.stdout.contains("(up to date)"), "{}", again.stdout);
    assert!(!again.stdout.contains("written"), "{}", again.stdout);

    if !have("man") {
        eprintln!("man not available; skipping the man and git help checks");
        return;
    }
    let manpath = prefix.join("share/man");
    let found = run_env(env.bash(env.path(), "man -w git-upgrades"), &manpath);
    assert_eq!(
        found.ok().trim(),
        man_dir.join("git-upgrades.1").to_str().unwrap()
    );
    // The page renders through man, and git finds it: `git help upgrades`
    // and `git upgrades --help` (which git turns into `git help upgrades`),
    // with git-upgrades on PATH as after `cargo install`.
    for script in [
        "man git-upgrades",
        "git help upgrades",
        "git upgrades --help",
    ] {
        let shown = run_env(env.bash(env.path(), script), &manpath);
        assert_eq!(shown.code, 0, "{script}: {}", shown.stderr);
        assert!(
            shown.stdout.contains("EXIT STATUS") && shown.stdout.contains("tests failed"),
            "{script}: {}{}",
            shown.stdout,
            shown.stderr
        );
    }
}

/// `cmd` with MANPATH (plus man's defaults: the trailing colon) and no pager.
fn run_env(mut cmd: Command, manpath: &Path) -> crate::common::Run {
    cmd.env("MANPATH", format!("{}:", manpath.display()))
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "80");
    output(cmd)
}

#[test]
fn util_install_defaults_to_the_users_data_dir_and_shell() {
    let env = TestEnv::new();
    let home = env.path().join("home");
    let data = home.join(".local/share");
    // $SHELL decides the completions.
    let mut cmd = env.cmd(env.path(), &["util", "install"]);
    cmd.env("SHELL", "/usr/bin/bash");
    let run = output(cmd);
    run.ok();
    assert!(data.join("man/man1/git-upgrades.1").is_file());
    assert!(data
        .join("bash-completion/completions/git-upgrades")
        .is_file());
    assert!(!data.join("zsh").exists());
    // ~/.local/bin is not on PATH here, so man would not find the pages: say how.
    if have("manpath") {
        assert!(
            run.stderr.contains(&format!(
                "export MANPATH=\"{}:$MANPATH\"",
                data.join("man").display()
            )),
            "{}",
            run.stderr
        );
        // With ~/.local/bin on PATH, man-db searches ~/.local/share/man itself.
        let mut cmd = env.cmd(env.path(), &["util", "install", "--shell", "none"]);
        let path = format!(
            "{}:{}",
            home.join(".local/bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        cmd.env("PATH", path);
        let quiet = output(cmd);
        quiet.ok();
        assert!(!quiet.stderr.contains("MANPATH"), "{}", quiet.stderr);
    }
    // bash-completion searches ~/.local/share itself: no hint for it.
    assert!(!run.stderr.contains("~/.bashrc"), "{}", run.stderr);

    // $XDG_DATA_HOME moves everything; an unknown shell installs no completions.
    let xdg = env.path().join("xdg-data");
    let mut cmd = env.cmd(env.path(), &["util", "install"]);
    cmd.env("XDG_DATA_HOME", &xdg).env("SHELL", "/bin/tcsh");
    let run = output(cmd);
    run.ok();
    assert!(xdg.join("man/man1/git-upgrades.1").is_file());
    assert!(
        run.stderr
            .contains("no completions installed: $SHELL is /bin/tcsh; pass --shell bash|zsh|fish"),
        "{}",
        run.stderr
    );
    let mut cmd = env.cmd(env.path(), &["util", "install"]);
    cmd.env("XDG_DATA_HOME", &xdg).env("SHELL", "/bin/zsh");
    let run = output(cmd);
    run.ok();
    assert!(xdg.join("zsh/site-functions/_git-upgrades").is_file());
    assert!(run.stderr.contains("fpath=("), "{}", run.stderr);
}

#[test]
fn util_install_refuses_a_bad_prefix_with_one_line() {
    let env = TestEnv::new();
    let file = env.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let run = env.run(
        env.path(),
        &["util", "install", "--prefix", file.to_str().unwrap()],
    );
    run.code(2);
    assert_eq!(
        run.stderr,
        format!("error: --prefix {} is not a directory\n", file.display())
    );
    let under = file.join("sub");
    let run = env.run(
        env.path(),
        &["util", "install", "--prefix", under.to_str().unwrap()],
    );
    run.code(1);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: cannot create "),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}
