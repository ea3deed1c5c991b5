//! The detection rules, one ecosystem at a time, on projects held in memory.

use super::*;
use std::collections::HashMap;

/// A project in memory: files with contents, and which of them git tracks.
#[derive(Default)]
struct Mem {
    files: HashMap<&'static str, &'static str>,
    tracked: HashSet<&'static str>,
}

impl Mem {
    fn with(files: &[(&'static str, &'static str)], tracked: &[&'static str]) -> Mem {
        Mem {
            files: files.iter().copied().collect(),
            tracked: tracked.iter().copied().collect(),
        }
    }
}

impl Project for Mem {
    fn exists(&self, path: &str) -> bool {
        self.files.contains_key(path)
            || self.tracked.contains(path)
            || self
                .files
                .keys()
                .any(|f| f.starts_with(&format!("{path}/")))
    }
    fn read(&self, path: &str) -> Option<String> {
        self.files.get(path).map(|s| s.to_string())
    }
    fn tracked(&self, path: &str) -> bool {
        self.tracked.contains(path)
    }
}

fn chosen(files: &[(&'static str, &'static str)], tracked: &[&'static str]) -> Detection {
    detect(&Mem::with(files, tracked))
        .chosen
        .expect("a command is detected")
}

const PKG_TEST: &str = r#"{"scripts": {"test": "jest"}, "devDependencies": {"jest": "^29"}}"#;

#[test]
fn cargo_locked_only_when_the_lock_file_is_tracked() {
    let manifest = ("Cargo.toml", "[package]\nname = \"x\"\n");
    let d = chosen(
        &[manifest, ("Cargo.lock", "")],
        &["Cargo.toml", "Cargo.lock"],
    );
    assert_eq!(d.command, "cargo test --locked");
    assert_eq!(
        d.reason,
        "Cargo.toml found; Cargo.lock is tracked, so --locked"
    );
    let d = chosen(&[manifest, ("Cargo.lock", "")], &["Cargo.toml"]);
    assert_eq!(d.command, "cargo test");
    assert!(
        d.reason
            .contains("Cargo.lock exists but is not tracked, so no --locked"),
        "{}",
        d.reason
    );
    let d = chosen(&[manifest], &[]);
    assert_eq!(d.command, "cargo test");
    assert!(
        d.reason
            .ends_with("no Cargo.lock is tracked, so no --locked"),
        "{}",
        d.reason
    );
}

#[test]
fn cargo_workspace_tests_every_member() {
    let d = chosen(
        &[("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n")],
        &["Cargo.lock"],
    );
    assert_eq!(d.command, "cargo test --workspace --locked");
    assert!(d.reason.contains("a workspace"), "{}", d.reason);
    let d = chosen(
        &[("Cargo.toml", "[package]\n[workspace.dependencies]\n")],
        &[],
    );
    assert_eq!(d.command, "cargo test --workspace");
}

#[test]
fn node_by_tracked_lock_file() {
    for (lock, command) in [
        ("package-lock.json", "npm ci && npm test"),
        (
            "pnpm-lock.yaml",
            "pnpm install --frozen-lockfile && pnpm test",
        ),
        ("yarn.lock", "yarn install --frozen-lockfile && yarn test"),
        ("bun.lockb", "bun install --frozen-lockfile && bun run test"),
    ] {
        let d = chosen(&[("package.json", PKG_TEST)], &[lock]);
        assert_eq!(d.command, command, "{lock}");
        assert!(
            d.reason.contains(&format!("{lock} is tracked")),
            "{}",
            d.reason
        );
    }
    let d = chosen(
        &[("package.json", PKG_TEST), (".yarnrc.yml", "")],
        &["yarn.lock"],
    );
    assert_eq!(d.command, "yarn install --immutable && yarn test");
}

#[test]
fn node_without_a_tracked_lock_installs_or_needs_nothing() {
    let d = chosen(
        &[("package.json", PKG_TEST), ("package-lock.json", "{}")],
        &[],
    );
    assert_eq!(d.command, "npm install && npm test");
    assert!(
        d.reason
            .contains("package-lock.json exists but is not tracked"),
        "{}",
        d.reason
    );
    let pnpm = r#"{"packageManager": "pnpm@9.1.0", "scripts": {"test": "vitest"}, "dependencies": {"a": "1"}}"#;
    assert_eq!(
        chosen(&[("package.json", pnpm)], &[]).command,
        "pnpm install && pnpm test"
    );
    let bare = r#"{"scripts": {"test": "node test.js"}}"#;
    let d = chosen(&[("package.json", bare)], &[]);
    assert_eq!(d.command, "npm test");
    assert!(
        d.reason.contains("no dependencies, so no install step"),
        "{}",
        d.reason
    );
}

#[test]
fn node_without_a_real_test_script_is_passed_over() {
    for (text, why) in [
        (r#"{"name": "x"}"#, "no \"test\" script"),
        (
            r#"{"scripts": {"test": "echo \"Error: no test specified\" && exit 1"}}"#,
            "npm's placeholder",
        ),
        ("{not json", "not valid JSON"),
    ] {
        let report = detect(&Mem::with(&[("package.json", text)], &[]));
        assert_eq!(report.chosen, None);
        assert!(
            report.passed_over[0].contains(why),
            "{:?}",
            report.passed_over
        );
    }
}

#[test]
fn python_runners() {
    assert_eq!(
        chosen(&[("tox.ini", ""), ("pytest.ini", "")], &[]).command,
        "tox"
    );
    assert_eq!(chosen(&[("noxfile.py", "")], &[]).command, "nox");
    let d = chosen(
        &[(
            "pyproject.toml",
            "[tool.pytest.ini_options]\naddopts = \"-q\"\n",
        )],
        &[],
    );
    assert_eq!(d.command, "python3 -m pytest");
    assert!(
        d.reason.contains("pyproject.toml configures pytest"),
        "{}",
        d.reason
    );
    let d = chosen(&[("setup.cfg", "[metadata]\n[tool:pytest]\n")], &[]);
    assert!(
        d.reason.contains("setup.cfg configures pytest"),
        "{}",
        d.reason
    );
    assert_eq!(
        chosen(&[("pytest.ini", "")], &[]).reason,
        "pytest.ini found"
    );
    let d = chosen(&[("pyproject.toml", ""), ("tests/test_a.py", "")], &[]);
    assert_eq!(
        d.reason,
        "pyproject.toml and a tests/ directory found (pytest)"
    );
    let report = detect(&Mem::with(&[("pyproject.toml", "[project]\n")], &[]));
    assert_eq!(report.chosen, None);
    assert!(
        report.passed_over[0].contains("no pytest configuration"),
        "{:?}",
        report
    );
}

#[test]
fn go_make_just_cmake_gradle_maven() {
    let d = chosen(&[("go.mod", "module x\n")], &[]);
    assert_eq!(
        (d.command.as_str(), d.reason.as_str()),
        ("go test ./...", "go.mod found")
    );
    let makefile =
        "CC := cc\nX = a:b\n.PHONY: test\nbuild: main.o\n\tcc\ntest check: build\n\t./run\n";
    let d = chosen(&[("Makefile", makefile)], &[]);
    assert_eq!(
        (d.command.as_str(), d.reason.as_str()),
        ("make test", "Makefile has a test target")
    );
    assert_eq!(
        chosen(&[("makefile", "check:\n\ttrue\n")], &[]).command,
        "make check"
    );
    let report = detect(&Mem::with(
        &[("Makefile", ".PHONY: test\nall:\n\ttrue\n")],
        &[],
    ));
    assert_eq!(report.passed_over, ["Makefile has no test or check target"]);
    let justfile = "set shell := [\"bash\"]\nalias t := test\n\n# run the tests\n@test *args: build\n    cargo test {{args}}\n";
    let d = chosen(&[("justfile", justfile)], &[]);
    assert_eq!(
        (d.command.as_str(), d.reason.as_str()),
        ("just test", "justfile has a test recipe")
    );
    let report = detect(&Mem::with(
        &[("justfile", "alias test := build\nbuild:\n")],
        &[],
    ));
    assert_eq!(report.passed_over, ["justfile has no test recipe"]);
    let d = chosen(
        &[(
            "CMakeLists.txt",
            "project(x)\nenable_testing()\nadd_test(NAME a COMMAND a)\n",
        )],
        &[],
    );
    assert!(
        d.command
            .starts_with("cmake -S . -B build && cmake --build build"),
        "{}",
        d.command
    );
    assert!(
        d.command.ends_with("ctest --output-on-failure"),
        "{}",
        d.command
    );
    assert!(d.reason.contains("enables testing"), "{}", d.reason);
    assert!(chosen(&[("CMakeLists.txt", "project(x)\n")], &[])
        .reason
        .contains("may find no tests"));
    assert_eq!(
        chosen(&[("build.gradle.kts", "")], &["gradlew"]).command,
        "./gradlew test"
    );
    assert_eq!(chosen(&[("build.gradle", "")], &[]).command, "gradle test");
    assert_eq!(
        chosen(&[("pom.xml", "")], &["mvnw"]).command,
        "./mvnw -B test"
    );
    assert_eq!(
        chosen(&[("pom.xml", "")], &[]).reason,
        "pom.xml found; no mvnw is tracked"
    );
}

#[test]
fn the_language_tool_wins_and_the_others_are_alternatives() {
    let report = detect(&Mem::with(
        &[
            ("Cargo.toml", "[package]\n"),
            ("Makefile", "test:\n\tcargo test\n"),
        ],
        &[],
    ));
    assert_eq!(report.chosen.expect("chosen").command, "cargo test");
    assert_eq!(report.alternatives.len(), 1);
    assert_eq!(report.alternatives[0].command, "make test");
}

#[test]
fn nothing_detected_in_an_empty_project() {
    assert_eq!(detect(&Mem::default()), Report::default());
}
