//! Sharing the queue at scale, against the plain-git floor.
//!
//! `cargo bench --bench sync` builds queues of N upgrades (N = 1,000 and
//! 10,000; `BENCH_QUICK=1`: 10 and 100), publishes each as a bare hub, and
//! times, whole-process:
//! - a first `pull` into a fresh clone, against `git fetch` of the same
//!   refspecs into a fresh clone;
//! - a no-op `pull`, against a no-op `git fetch` of those refspecs;
//! - `push` of one new proposal, against a plain `git push` of its refs;
//! - the last two again after `git pack-refs --all` in both clones, as after
//!   `git gc` or `git upgrades maintain` (a first pull leaves every ref a
//!   loose file).
//!
//! The table goes to stdout and `target/bench/sync.{json,md}`.

use std::path::Path;

mod common;

use common::fixture::queue_fixture;
use common::{env_cmd, fresh_clone, git, git_stdin, measure, ours_ok, quick, Row, BIN};

const REFSPECS: [&str; 3] = [
    "+refs/upgrades/*:refs/upgrades-sync/origin/open/*",
    "+refs/upgrades-archive/*:refs/upgrades-sync/origin/archive/*",
    "+refs/notes/upgrades/*:refs/upgrades-sync/origin/notes/*",
];

/// A new commit on main adding one file: a change no upgrade proposes yet.
fn new_change(dir: &Path, name: &str) -> String {
    let blob = git_stdin(dir, &["hash-object", "-w", "--stdin"], name.as_bytes());
    let listing = format!(
        "{}\n100644 blob {blob}\t{name}.txt\n",
        git(dir, &["ls-tree", "main"])
    );
    let tree = git_stdin(dir, &["mktree"], listing.as_bytes());
    git(dir, &["commit-tree", &tree, "-p", "main", "-m", name])
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let root = tempfile::Builder::new()
        .prefix("gu-bench-sync-")
        .tempdir()
        .unwrap();
    // BENCH_SIZES=1000,10000 chooses the queue sizes.
    let sizes: Vec<usize> = match std::env::var("BENCH_SIZES") {
        Ok(list) => list
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect(),
        Err(_) if quick() => vec![10, 100],
        Err(_) => vec![1_000, 10_000],
    };
    let runs = if quick() { 3 } else { 5 };
    let mut rows = Vec::new();
    for n in sizes {
        eprintln!("building a queue of {n} upgrades…");
        let source = queue_fixture(root.path(), n);
        let hub = root.path().join(format!("hub-{n}.git"));
        git(
            root.path(),
            &[
                "clone",
                "-q",
                "--mirror",
                source.to_str().unwrap(),
                hub.to_str().unwrap(),
            ],
        );
        let ours = root.path().join(format!("ours-{n}"));
        let floor = root.path().join(format!("floor-{n}"));
        // The fixture must pull cleanly: a refusal would time the error path.
        fresh_clone(&hub, &ours);
        ours_ok(&ours, &["pull", "origin"]);
        rows.push(Row {
            name: format!("first pull, {n}"),
            ours: measure(
                || {
                    fresh_clone(&hub, &ours);
                    let mut c = env_cmd(BIN, &ours);
                    c.args(["pull", "origin"]);
                    c
                },
                runs,
            ),
            floor: Some(measure(
                || {
                    fresh_clone(&hub, &floor);
                    let mut c = env_cmd("git", &floor);
                    c.args(["fetch", "-q", "origin"]).args(REFSPECS);
                    c
                },
                runs,
            )),
            floor_name: "git fetch of the same refspecs".into(),
        });
        // One new proposal, pushed; the floor pushes the same three refs.
        let (mut k, mut j) = (0, 0);
        // Right after a first pull every ref is a loose file (git's fetch
        // and our writes); after `git gc` (or `maintain`) they are packed.
        for packed in [false, true] {
            let state = if packed { ", refs packed" } else { "" };
            if packed {
                git(&ours, &["pack-refs", "--all"]);
                git(&floor, &["pack-refs", "--all"]);
            }
            rows.push(Row {
                name: format!("no-op pull, {n}{state}"),
                ours: measure(
                    || {
                        let mut c = env_cmd(BIN, &ours);
                        c.args(["pull", "origin"]);
                        c
                    },
                    runs,
                ),
                floor: Some(measure(
                    || {
                        let mut c = env_cmd("git", &floor);
                        c.args(["fetch", "-q", "origin"]).args(REFSPECS);
                        c
                    },
                    runs,
                )),
                floor_name: "no-op git fetch".into(),
            });
            rows.push(Row {
                name: format!("push one proposal, {n}{state}"),
                ours: measure(
                    || {
                        k += 1;
                        let head = new_change(&ours, &format!("p{k}"));
                        ours_ok(
                            &ours,
                            &[
                                "propose",
                                &head,
                                "--no-test",
                                "-m",
                                "one more",
                                "--id",
                                &format!("push-{k}"),
                            ],
                        );
                        let mut c = env_cmd(BIN, &ours);
                        c.args(["push", "origin"]);
                        c
                    },
                    runs,
                ),
                floor: Some(measure(
                    || {
                        j += 1;
                        let head = new_change(&ours, &format!("f{j}"));
                        git(
                            &ours,
                            &["update-ref", &format!("refs/upgrades/f{j}"), &head],
                        );
                        git(
                            &ours,
                            &[
                                "notes",
                                &format!("--ref=upgrades/f{j}"),
                                "add",
                                "-m",
                                "{}",
                                &head,
                            ],
                        );
                        let mut c = env_cmd("git", &ours);
                        c.args([
                            "push",
                            "-q",
                            "--atomic",
                            "origin",
                            &format!("refs/upgrades/f{j}:refs/upgrades/f{j}"),
                            &format!("refs/notes/upgrades/f{j}:refs/notes/upgrades/f{j}"),
                        ]);
                        c
                    },
                    runs,
                )),
                floor_name: "git push of its refs".into(),
            });
        }
    }
    common::report(&rows, "sync");
    if std::env::var_os("BENCH_KEEP").is_some() {
        eprintln!("fixtures kept in {}", root.keep().display());
    }
}
