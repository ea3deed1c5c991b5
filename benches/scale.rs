//! A queue with years of history: 100,000 upgrades.
//!
//! `cargo bench --bench scale` times, whole-process and with each command's
//! peak RSS, against the plain-git floor doing the same reads:
//! - `list --all --json` and `status`, cold (no listing cache) and warm;
//! - `maintain --dry-run`;
//! - a first `pull` into a fresh clone, and a no-op `pull`, against `git
//!   fetch` of the same refspecs.
//!
//! The fixture (built through the library's formats, packed with `git
//! pack-refs` and `git repack`; above 20,000 upgrades without delta search,
//! which would take longer than the benchmark) takes minutes at this size, so it is built
//! once and kept in `target/bench-fixtures/`; delete that directory to build
//! it again. `BENCH_SCALE=<n>` chooses the size (`BENCH_QUICK=1`: 2,000).
//! The table goes to stdout and `target/bench/scale.{json,md}`.

use std::path::{Path, PathBuf};

mod common;

use common::fixture::queue_fixture;
use common::{
    env_cmd, fresh_clone, git, measure, prepare_floor_list, quick, Measured, Row, BIN, FLOOR_LIST,
};

const REFSPECS: [&str; 3] = [
    "+refs/upgrades/*:refs/upgrades-sync/origin/open/*",
    "+refs/upgrades-archive/*:refs/upgrades-sync/origin/archive/*",
    "+refs/notes/upgrades/*:refs/upgrades-sync/origin/notes/*",
];

/// The fixture of `n` upgrades and a bare hub mirroring it, built once.
fn cached_fixture(n: usize) -> (PathBuf, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-fixtures");
    let dir = root.join(format!("queue-{n}"));
    let hub = root.join(format!("hub-{n}.git"));
    let done = root.join(format!("queue-{n}.complete"));
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&hub);
        std::fs::create_dir_all(&root).unwrap();
        eprintln!(
            "building a queue of {n} upgrades (once; kept in {})…",
            root.display()
        );
        let started = std::time::Instant::now();
        queue_fixture(&root, n);
        git(
            &root,
            &[
                "clone",
                "-q",
                "--mirror",
                dir.to_str().unwrap(),
                hub.to_str().unwrap(),
            ],
        );
        prepare_floor_list(&dir);
        std::fs::write(&done, format!("{:.0}s\n", started.elapsed().as_secs_f64())).unwrap();
    }
    (dir, hub)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick() { 2_000 } else { 100_000 });
    let runs = 3;
    let (dir, hub) = cached_fixture(n);
    let scratch = tempfile::Builder::new()
        .prefix("gu-bench-scale-")
        .tempdir()
        .unwrap();
    let ours = |args: &'static [&'static str]| {
        let dir = dir.clone();
        move || {
            let mut c = env_cmd(BIN, &dir);
            c.args(args);
            c
        }
    };
    let cold = |args: &'static [&'static str]| {
        let dir = dir.clone();
        move || {
            let _ = std::fs::remove_file(dir.join(".git/upgrades/cache"));
            let mut c = env_cmd(BIN, &dir);
            c.args(args);
            c
        }
    };
    let floor_list = || {
        let mut c = env_cmd("sh", &dir);
        c.arg("-c").arg(FLOOR_LIST);
        c
    };
    let for_each_ref = || {
        let mut c = env_cmd("git", &dir);
        c.args([
            "for-each-ref",
            "--format=%(objectname) %(refname)",
            "refs/notes/upgrades/",
            "refs/upgrades/",
        ]);
        c
    };
    let mut rows = Vec::new();
    let floor = measure(floor_list, runs);
    let row = |name: String, ours, floor, floor_name: &str| Row {
        name,
        ours,
        floor: Some(floor),
        floor_name: floor_name.into(),
    };
    rows.push(row(
        format!("list --all --json, {n}, cold"),
        measure(cold(&["list", "--all", "--json"]), runs),
        Measured { ..floor },
        "for-each-ref + cat-file --batch",
    ));
    rows.push(row(
        format!("status, {n}, cold"),
        measure(cold(&["status"]), runs),
        Measured { ..floor },
        "for-each-ref + cat-file --batch",
    ));
    // Warm: the cache is written by the first run, then reused.
    let _ = ours(&["list", "--all", "--json"])().output();
    rows.push(row(
        format!("list --all --json, {n}, warm"),
        measure(ours(&["list", "--all", "--json"]), runs),
        measure(for_each_ref, runs),
        "for-each-ref",
    ));
    rows.push(row(
        format!("status, {n}, warm"),
        measure(ours(&["status"]), runs),
        measure(for_each_ref, runs),
        "for-each-ref",
    ));
    rows.push(row(
        format!("maintain --dry-run, {n}"),
        measure(ours(&["maintain", "--dry-run"]), runs),
        floor,
        "for-each-ref + cat-file --batch",
    ));

    // Sync: a first pull into a fresh clone, then a pull with nothing new.
    let ours_clone = scratch.path().join("ours");
    let floor_clone = scratch.path().join("floor");
    fresh_clone(&hub, &ours_clone);
    let first = env_cmd(BIN, &ours_clone)
        .args(["pull", "origin"])
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // A first pull of 100,000 takes minutes: once is enough to read it.
    let sync_runs = if n >= 50_000 { 1 } else { runs };
    rows.push(row(
        format!("first pull, {n}"),
        measure(
            || {
                fresh_clone(&hub, &ours_clone);
                let mut c = env_cmd(BIN, &ours_clone);
                c.args(["pull", "origin"]);
                c
            },
            sync_runs,
        ),
        measure(
            || {
                fresh_clone(&hub, &floor_clone);
                let mut c = env_cmd("git", &floor_clone);
                c.args(["fetch", "-q", "origin"]).args(REFSPECS);
                c
            },
            sync_runs,
        ),
        "git fetch of the same refspecs",
    ));
    rows.push(row(
        format!("no-op pull, {n}"),
        measure(
            || {
                let mut c = env_cmd(BIN, &ours_clone);
                c.args(["pull", "origin"]);
                c
            },
            runs,
        ),
        measure(
            || {
                let mut c = env_cmd("git", &floor_clone);
                c.args(["fetch", "-q", "origin"]).args(REFSPECS);
                c
            },
            runs,
        ),
        "no-op git fetch",
    ));
    common::report(&rows, "scale");
}
