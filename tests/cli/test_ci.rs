//! The CI recipes of docs/CI.md, run as written against a bare hub.

use std::path::{Path, PathBuf};

use crate::common::forge::hub;
use crate::common::{TestEnv, PASSING};

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts/ci")
        .join(name)
}

/// Run a recipe in `dir` as `who`, with extra environment.
fn recipe(
    env: &TestEnv,
    dir: &Path,
    who: &str,
    name: &str,
    vars: &[(&str, &str)],
) -> (i32, String, String) {
    let mut cmd = env.bash(dir, &format!("sh {}", script(name).display()));
    let email = format!("{}@example.com", who.to_lowercase().replace(' ', "-"));
    cmd.env("GIT_AUTHOR_NAME", who)
        .env("GIT_AUTHOR_EMAIL", &email)
        .env("GIT_COMMITTER_NAME", who)
        .env("GIT_COMMITTER_EMAIL", &email);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_bot_proposes_a_person_approves_the_merge_queue_lands_and_verify_proves_it() {
    let env = TestEnv::new();
    let (hub_dir, c) = hub(&env, PASSING, 3);
    env.run(&hub_dir, &["init", "--hub"]).ok();
    let (bot, reviewer, ci) = (&c[0], &c[1], &c[2]);

    // The bot's job changed a file; the recipe proposes and publishes it.
    std::fs::write(bot.join("deps.txt"), "bumped\n").unwrap();
    let (code, out, err) = recipe(
        &env,
        bot,
        "Bot",
        "propose-bot.sh",
        &[("UPGRADES_MESSAGE", "Bump dependencies")],
    );
    assert_eq!(code, 0, "{out}{err}");
    let id = out.trim().lines().last().unwrap().to_string();
    env.git(
        &hub_dir,
        &["rev-parse", &format!("refs/notes/upgrades/{id}")],
    );
    // A clean tree (the next job's fresh checkout) proposes nothing.
    env.git(bot, &["clean", "-fdq"]);
    env.git(bot, &["checkout", "-q", "."]);
    let (code, _, err) = recipe(
        &env,
        bot,
        "Bot",
        "propose-bot.sh",
        &[("UPGRADES_MESSAGE", "Nothing")],
    );
    assert_eq!(code, 2, "{err}");

    // A person approves without landing; the merge queue lands and publishes.
    env.run_as("Bob", reviewer, &["pull"]).ok();
    env.run_as("Bob", reviewer, &["approve", &id, "--no-apply"])
        .ok();
    env.run_as("Bob", reviewer, &["push"]).ok();
    let (code, out, err) = recipe(&env, ci, "CI Bot", "merge-queue.sh", &[]);
    assert_eq!(code, 0, "{out}{err}");
    let head = env.git(ci, &["rev-parse", &format!("refs/upgrades-archive/{id}")]);
    assert_eq!(env.git(&hub_dir, &["rev-parse", "main"]), head);
    // Nothing left to do: the queue runs again cleanly.
    let (code, out, err) = recipe(&env, ci, "CI Bot", "merge-queue.sh", &[]);
    assert_eq!(code, 0, "{out}{err}");

    // The required check, in a fresh clone as CI has it.
    let fresh = env.path().join("fresh");
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            hub_dir.to_str().unwrap(),
            fresh.to_str().unwrap(),
        ],
    );
    let (code, out, err) = recipe(&env, &fresh, "CI Bot", "verify.sh", &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 landed step proven, 0 violations"), "{out}");

    // Where no hook guards the hub, a direct push is what verify catches.
    let open_hub = env.path().join("open.git");
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            "--mirror",
            hub_dir.to_str().unwrap(),
            open_hub.to_str().unwrap(),
        ],
    );
    env.git(
        &fresh,
        &["remote", "add", "open", open_hub.to_str().unwrap()],
    );
    env.commit_on_main(&fresh, &[("direct.txt", "x\n")], "around the queue");
    env.git(&fresh, &["push", "-q", "open", "main"]);
    let direct = env.git(&fresh, &["rev-parse", "main"]);
    let (code, out, err) = recipe(
        &env,
        &fresh,
        "CI Bot",
        "verify.sh",
        &[("UPGRADES_REMOTE", "open")],
    );
    assert_eq!(code, 5, "{out}{err}");
    assert!(out.contains(&direct[..10]), "{out}");
}
