//! Which test command a project's files suggest, and why (for `init`).
//!
//! An ordered table of rules, one per ecosystem, each looking only at the
//! project's root. The command must pass in a *clean checkout of a commit*,
//! which is where tests run: a file git does not track (an ignored
//! `Cargo.lock`, a `node_modules/`) is absent there. So lock-file decisions
//! (`--locked`, `npm ci`) depend on whether git tracks the file, not on
//! whether it exists here. Reads files, never prints.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What a rule looks at: the root of a project.
pub trait Project {
    /// `path` (relative to the root) exists in the working tree, file or directory.
    fn exists(&self, path: &str) -> bool;
    /// The text of the file `path`, if it is a readable file (bounded).
    fn read(&self, path: &str) -> Option<String>;
    /// git tracks `path` (it is in the index, so the next commit has it).
    fn tracked(&self, path: &str) -> bool;
}

/// A detected test command and the reason it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// The command, run by `sh -c` in a checkout.
    pub command: String,
    /// One line: the files seen and the choices they made.
    pub reason: String,
}

/// The result of looking at a project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The first rule that matched, if any.
    pub chosen: Option<Detection>,
    /// Other rules that matched (a Makefile next to a Cargo.toml), in table order.
    pub alternatives: Vec<Detection>,
    /// Files that were seen but suggest no command, and why (for the message
    /// when nothing is chosen).
    pub passed_over: Vec<String>,
}

enum Verdict {
    NotThis,
    Found(Detection),
    PassedOver(String),
}

type Rule = fn(&dyn Project) -> Verdict;

/// The rules in order of preference: a language's own tool first, then the
/// project's task runners, then the build-system generators.
const RULES: &[Rule] = &[cargo, node, python, go, make, just, cmake, gradle, maven];

/// The files the rules look for, for the message when nothing is detected.
pub const LOOKED_FOR: &str =
    "Cargo.toml, package.json, pyproject.toml/setup.cfg/pytest.ini/tox.ini/noxfile.py, \
     go.mod, Makefile, justfile, CMakeLists.txt, build.gradle, pom.xml";

/// Run every rule against `project`.
pub fn detect(project: &dyn Project) -> Report {
    let mut report = Report::default();
    for rule in RULES {
        match rule(project) {
            Verdict::NotThis => {}
            Verdict::Found(d) if report.chosen.is_none() => report.chosen = Some(d),
            Verdict::Found(d) => report.alternatives.push(d),
            Verdict::PassedOver(why) => report.passed_over.push(why),
        }
    }
    report
}

fn found(command: impl Into<String>, reason: impl Into<String>) -> Verdict {
    Verdict::Found(Detection {
        command: command.into(),
        reason: reason.into(),
    })
}

/// Whether a lock file will be in a clean checkout, in words for the reason.
enum Lock {
    Tracked,
    Untracked,
    Absent,
}

fn lock(p: &dyn Project, file: &str) -> Lock {
    if p.tracked(file) {
        Lock::Tracked
    } else if p.exists(file) {
        Lock::Untracked
    } else {
        Lock::Absent
    }
}

fn cargo(p: &dyn Project) -> Verdict {
    let Some(manifest) = p.read("Cargo.toml") else {
        return Verdict::NotThis;
    };
    let workspace = manifest.lines().any(|l| {
        let l = l.trim();
        l == "[workspace]" || l.starts_with("[workspace.")
    });
    let mut command = String::from("cargo test");
    let mut reason = String::from("Cargo.toml found");
    if workspace {
        command.push_str(" --workspace");
        reason.push_str(" (a workspace, so --workspace tests every member)");
    }
    match lock(p, "Cargo.lock") {
        Lock::Tracked => {
            command.push_str(" --locked");
            reason.push_str("; Cargo.lock is tracked, so --locked");
        }
        Lock::Untracked => reason.push_str(
            "; Cargo.lock exists but is not tracked, so no --locked (a clean checkout has none)",
        ),
        Lock::Absent => reason.push_str("; no Cargo.lock is tracked, so no --locked"),
    }
    found(command, reason)
}

fn node(p: &dyn Project) -> Verdict {
    let Some(text) = p.read("package.json") else {
        return Verdict::NotThis;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Verdict::PassedOver("package.json is not valid JSON".into());
    };
    let Some(script) = json["scripts"]["test"].as_str() else {
        return Verdict::PassedOver("package.json has no \"test\" script".into());
    };
    // `npm init` writes a test script that always fails.
    if script.contains("no test specified") {
        return Verdict::PassedOver(
            "package.json's \"test\" script is npm's placeholder (\"no test specified\")".into(),
        );
    }
    // A tracked lock file decides the package manager and a frozen install.
    let frozen: [(&str, &str, &str); 6] = [
        (
            "pnpm-lock.yaml",
            "pnpm",
            "pnpm install --frozen-lockfile && pnpm test",
        ),
        (
            "yarn.lock",
            "yarn",
            "yarn install --frozen-lockfile && yarn test",
        ),
        (
            "bun.lock",
            "bun",
            "bun install --frozen-lockfile && bun run test",
        ),
        (
            "bun.lockb",
            "bun",
            "bun install --frozen-lockfile && bun run test",
        ),
        ("package-lock.json", "npm", "npm ci && npm test"),
        ("npm-shrinkwrap.json", "npm", "npm ci && npm test"),
    ];
    for (file, _, command) in frozen {
        if p.tracked(file) {
            // Yarn 2+ (configured by .yarnrc.yml) spells a frozen install --immutable.
            let command = if file == "yarn.lock" && p.exists(".yarnrc.yml") {
                "yarn install --immutable && yarn test"
            } else {
                command
            };
            return found(
                command,
                format!(
                    "package.json has a \"test\" script; {file} is tracked, so a clean checkout \
                     installs exactly the locked versions first"
                ),
            );
        }
    }
    let manager = json["packageManager"]
        .as_str()
        .and_then(|m| {
            ["pnpm", "yarn", "bun"]
                .into_iter()
                .find(|n| m.starts_with(n))
        })
        .unwrap_or("npm");
    // `bun test` is bun's own runner; `bun run test` runs the script.
    let test = if manager == "bun" {
        "bun run test".to_string()
    } else {
        format!("{manager} test")
    };
    let has_dependencies = ["dependencies", "devDependencies", "optionalDependencies"]
        .iter()
        .any(|k| json[k].as_object().is_some_and(|o| !o.is_empty()));
    if !has_dependencies {
        return found(
            test,
            "package.json has a \"test\" script and no dependencies, so no install step",
        );
    }
    let untracked = frozen
        .iter()
        .find(|(file, m, _)| *m == manager && p.exists(file))
        .map(|(file, _, _)| format!("; {file} exists but is not tracked"))
        .unwrap_or_else(|| "; no lock file is tracked".into());
    found(
        format!("{manager} install && {test}"),
        format!(
            "package.json has a \"test\" script{untracked}, so a clean checkout installs \
             its dependencies first ({manager} install, versions resolved afresh)"
        ),
    )
}

fn python(p: &dyn Project) -> Verdict {
    if p.exists("tox.ini") {
        return found("tox", "tox.ini found");
    }
    if p.exists("noxfile.py") {
        return found("nox", "noxfile.py found");
    }
    let pyproject = p.read("pyproject.toml").unwrap_or_default();
    let setup_cfg = p.read("setup.cfg").unwrap_or_default();
    let has_section =
        |text: &str, section: &str| text.lines().any(|l| l.trim().starts_with(section));
    if has_section(&pyproject, "[tool.tox") {
        return found("tox", "pyproject.toml configures tox ([tool.tox])");
    }
    // `python3 -m pytest` also puts the checkout on sys.path, so the
    // project's own packages import without being installed.
    let pytest = "python3 -m pytest";
    if p.exists("pytest.ini") {
        return found(pytest, "pytest.ini found");
    }
    if has_section(&pyproject, "[tool.pytest") {
        return found(
            pytest,
            "pyproject.toml configures pytest ([tool.pytest.ini_options])",
        );
    }
    if has_section(&setup_cfg, "[tool:pytest]") {
        return found(pytest, "setup.cfg configures pytest ([tool:pytest])");
    }
    if p.exists("conftest.py") {
        return found(pytest, "conftest.py found (pytest)");
    }
    let marker = [
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "requirements.txt",
    ]
    .into_iter()
    .find(|f| p.exists(f));
    let Some(marker) = marker else {
        return Verdict::NotThis;
    };
    if let Some(dir) = ["tests", "test"].into_iter().find(|d| p.exists(d)) {
        return found(
            pytest,
            format!("{marker} and a {dir}/ directory found (pytest)"),
        );
    }
    Verdict::PassedOver(format!(
        "{marker} found, but no pytest configuration, tests/ directory, tox.ini or noxfile.py"
    ))
}

fn go(p: &dyn Project) -> Verdict {
    if p.exists("go.mod") {
        found("go test ./...", "go.mod found")
    } else {
        Verdict::NotThis
    }
}

/// The targets a Makefile defines (rule lines, not variable assignments).
fn make_targets(text: &str) -> HashSet<&str> {
    let mut targets = HashSet::new();
    for line in text.lines() {
        if line.starts_with(['\t', ' ', '#', '.']) {
            continue;
        }
        let Some((before, after)) = line.split_once(':') else {
            continue;
        };
        // `VAR := x`, `VAR ::= x` and `VAR = a:b` are assignments.
        if after.starts_with('=') || after.starts_with(":=") || before.contains('=') {
            continue;
        }
        targets.extend(before.split_whitespace());
    }
    targets
}

fn make(p: &dyn Project) -> Verdict {
    // GNU make's own search order.
    let Some((file, text)) = ["GNUmakefile", "makefile", "Makefile"]
        .into_iter()
        .find_map(|f| p.read(f).map(|t| (f, t)))
    else {
        return Verdict::NotThis;
    };
    let targets = make_targets(&text);
    for target in ["test", "check"] {
        if targets.contains(target) {
            return found(
                format!("make {target}"),
                format!("{file} has a {target} target"),
            );
        }
    }
    Verdict::PassedOver(format!("{file} has no test or check target"))
}

/// The recipe names a justfile defines.
fn just_recipes(text: &str) -> HashSet<&str> {
    let mut recipes = HashSet::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t', '#', '[']) || line.contains(":=") {
            continue;
        }
        let line = line.trim_start_matches('@');
        let name_end = line
            .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(line.len());
        let (name, rest) = line.split_at(name_end);
        if !name.is_empty()
            && rest.contains(':')
            && !["alias", "set", "export", "import", "mod"].contains(&name)
        {
            recipes.insert(name);
        }
    }
    recipes
}

fn just(p: &dyn Project) -> Verdict {
    let Some((file, text)) = ["justfile", "Justfile", ".justfile"]
        .into_iter()
        .find_map(|f| p.read(f).map(|t| (f, t)))
    else {
        return Verdict::NotThis;
    };
    if just_recipes(&text).contains("test") {
        found("just test", format!("{file} has a test recipe"))
    } else {
        Verdict::PassedOver(format!("{file} has no test recipe"))
    }
}

fn cmake(p: &dyn Project) -> Verdict {
    let Some(text) = p.read("CMakeLists.txt") else {
        return Verdict::NotThis;
    };
    let lower = text.to_ascii_lowercase();
    let testing = ["enable_testing", "add_test", "include(ctest)"]
        .iter()
        .any(|k| lower.contains(k));
    let reason = if testing {
        "CMakeLists.txt found and enables testing: configure, build, then ctest"
    } else {
        "CMakeLists.txt found: configure, build, then ctest (no enable_testing() or add_test() \
         seen, so ctest may find no tests)"
    };
    found(
        "cmake -S . -B build && cmake --build build && cd build && ctest --output-on-failure",
        reason,
    )
}

fn gradle(p: &dyn Project) -> Verdict {
    let Some(file) = ["build.gradle.kts", "build.gradle"]
        .into_iter()
        .find(|f| p.exists(f))
    else {
        return Verdict::NotThis;
    };
    if p.tracked("gradlew") {
        found(
            "./gradlew test",
            format!("{file} found; gradlew is tracked"),
        )
    } else {
        found(
            "gradle test",
            format!("{file} found; no gradlew is tracked"),
        )
    }
}

fn maven(p: &dyn Project) -> Verdict {
    if !p.exists("pom.xml") {
        return Verdict::NotThis;
    }
    if p.tracked("mvnw") {
        found("./mvnw -B test", "pom.xml found; mvnw is tracked")
    } else {
        found("mvn -B test", "pom.xml found; no mvnw is tracked")
    }
}

/// A working tree on disk and the set of root-level names git tracks.
pub struct WorkTree {
    root: PathBuf,
    tracked: HashSet<String>,
}

/// Files larger than this are not read (a "Makefile" of 100 MB is not one).
const MAX_READ: u64 = 1 << 20;

impl WorkTree {
    /// The working tree of `repo` at `root`, with what its index tracks.
    pub fn open(repo: &gix::Repository, root: &Path) -> crate::error::Result<WorkTree> {
        let index = repo.index_or_empty()?;
        let tracked = index
            .entries()
            .iter()
            .map(|e| {
                let path = e.path(&index).to_string();
                match path.split_once('/') {
                    Some((first, _)) => first.to_string(),
                    None => path,
                }
            })
            .collect();
        Ok(WorkTree {
            root: root.to_path_buf(),
            tracked,
        })
    }
}

impl Project for WorkTree {
    fn exists(&self, path: &str) -> bool {
        self.root.join(path).exists()
    }
    fn read(&self, path: &str) -> Option<String> {
        use std::io::Read;
        let file = std::fs::File::open(self.root.join(path)).ok()?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        let mut bytes = Vec::new();
        file.take(MAX_READ).read_to_end(&mut bytes).ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }
    fn tracked(&self, path: &str) -> bool {
        self.tracked.contains(path)
    }
}

#[cfg(test)]
mod tests;
