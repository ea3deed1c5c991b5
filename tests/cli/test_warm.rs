//! Warm test checkouts: build outputs survive between runs of trusted code,
//! everything tracked is exact, and nothing an unreviewed proposal left is
//! reused for another commit.

use std::path::{Path, PathBuf};

use crate::common::TestEnv;

const CHECK: &str = r#"set -e
test ! -e stray.txt
test "$(cat data.txt)" = original
echo changed >> data.txt
echo stray > stray.txt
mkdir -p build
if [ -f build/marker ]; then echo "build: reused $(cat build/marker)"; else echo "build: cold"; fi
echo "$GIT_UPGRADES_COMMIT" > build/marker
"#;

fn project(env: &TestEnv, name: &str, mode: Option<&str>) -> PathBuf {
    let checkout = mode
        .map(|m| format!("checkout = \"{m}\"\n"))
        .unwrap_or_default();
    let repo = env.repo(
        name,
        Some(&format!("[test]\ncommand = \"sh check.sh\"\n{checkout}")),
    );
    std::fs::write(repo.join("check.sh"), CHECK).unwrap();
    std::fs::write(repo.join("data.txt"), "original\n").unwrap();
    std::fs::write(repo.join(".gitignore"), "build/\n").unwrap();
    env.git(&repo, &["add", "-A"]);
    env.git(
        &repo,
        &["commit", "-q", "-m", "a project with a build directory"],
    );
    repo
}

fn build_line(env: &TestEnv, repo: &Path, id: &str) -> String {
    let j = env.run(repo, &["show", id, "--json"]).json();
    let out = j["tests"]["output"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(j["tests"]["status"], "passed", "{out}");
    out.lines()
        .find(|l| l.starts_with("build: "))
        .unwrap_or_else(|| panic!("{out}"))
        .to_string()
}

#[test]
fn build_outputs_stay_warm_only_for_trusted_code() {
    let env = TestEnv::new();
    let repo = project(&env, "r", None);
    let x = env.branch_commit(&repo, "x", "main", "x.txt", "x\n");
    let id_x = env.propose(&repo, "x", "X", &[]);
    assert_eq!(build_line(&env, &repo, &id_x), "build: cold");
    // Approving the same commit reuses what its own run built; tracked files
    // it changed and untracked files it left were reset (check.sh checks).
    env.run_as("Bob", &repo, &["approve", &id_x]).ok();
    assert_eq!(build_line(&env, &repo, &id_x), format!("build: reused {x}"));

    // X is on main now: its outputs are trusted for the next proposal.
    let y = env.branch_commit(&repo, "y", "main", "y.txt", "y\n");
    let id_y = env.propose(&repo, "y", "Y", &[]);
    assert_eq!(build_line(&env, &repo, &id_y), format!("build: reused {x}"));
    // Y is unreviewed: nothing it built is used for another commit.
    env.branch_commit(&repo, "z", "main", "z.txt", "z\n");
    let id_z = env.propose(&repo, "z", "Z", &[]);
    assert_eq!(build_line(&env, &repo, &id_z), "build: cold");
    let _ = y;

    // The checkout is private, in the user's cache, not in the temporary directory.
    let record = std::fs::read_to_string(repo.join(".git/upgrades/test-checkout")).unwrap();
    let dir = PathBuf::from(record.trim());
    assert!(
        dir.starts_with(env.path().join("home/.cache/git-upgrades")),
        "{}",
        dir.display()
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    assert!(dir.join("build/marker").exists());

    // maintain bounds its size.
    env.git(&repo, &["config", "upgrades.testCheckoutMaxSize", "1k"]);
    let run = env.run(&repo, &["maintain", "--json"]);
    run.ok();
    let actions = run.json()["actions"].clone();
    assert!(
        actions
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "test-checkout"),
        "{actions}"
    );
    assert!(!dir.exists());
}

#[test]
fn a_clean_policy_never_keeps_build_outputs() {
    let env = TestEnv::new();
    let repo = project(&env, "r", Some("clean"));
    env.branch_commit(&repo, "x", "main", "x.txt", "x\n");
    let id = env.propose(&repo, "x", "X", &[]);
    assert_eq!(build_line(&env, &repo, &id), "build: cold");
    env.run_as("Bob", &repo, &["approve", &id]).ok();
    assert_eq!(build_line(&env, &repo, &id), "build: cold");
    // A fresh checkout every run works the same.
    let repo = project(&env, "f", Some("fresh"));
    env.branch_commit(&repo, "x", "main", "x.txt", "x\n");
    let id = env.propose(&repo, "x", "X", &[]);
    env.run_as("Bob", &repo, &["approve", &id]).ok();
    assert_eq!(build_line(&env, &repo, &id), "build: cold");
    // A bad mode is a clear policy error.
    let repo = project(&env, "b", Some("tepid"));
    env.branch_commit(&repo, "x", "main", "x.txt", "x\n");
    let run = env.run(&repo, &["propose", "x", "-m", "X"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("test.checkout"), "{}", run.stderr);
}
