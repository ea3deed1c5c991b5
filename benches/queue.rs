//! Whole-process benchmarks against the plain-git floor.
//!
//! `cargo bench --bench queue` builds its own fixtures (queues of 10, 1,000 and
//! 10,000 upgrades in a realistic mix of states, written through the library's
//! record and event formats; and a repository of about 20,000 files / 200 MB),
//! then times each command of ours and the plain-git commands doing the same
//! reads and writes, side by side, and prints a table of medians and ratios.
//! The table is also written to `target/bench/queue.json`.
//! `BENCH_QUICK=1` uses smaller fixtures and fewer runs (for a smoke test).

use std::path::{Path, PathBuf};
use std::process::Stdio;

mod common;

use common::fixture::queue_fixture;
use common::{
    env_cmd, git, git_stdin, measure, prepare_floor_list, quick, Measured, Row, BIN, FLOOR_LIST,
};

/// About 20,000 files / 200 MB, for checkouts.
fn big_fixture(root: &Path) -> PathBuf {
    let dir = root.join("big");
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    let (dirs, per_dir, size) = if quick() {
        (20, 50, 2_000)
    } else {
        (200, 100, 10_000)
    };
    let mut seed: u64 = 12345;
    for d in 0..dirs {
        let sub = dir.join(format!("dir{d:03}"));
        std::fs::create_dir_all(&sub).unwrap();
        for f in 0..per_dir {
            let mut text = String::with_capacity(size);
            while text.len() < size {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(&format!("{seed:016x} line of generated source\n"));
            }
            std::fs::write(sub.join(format!("file{f:03}.txt")), text).unwrap();
        }
    }
    std::fs::write(
        dir.join(".upgrades.toml"),
        "[test]\ncommand = \"true\"\n[policy]\nallow_self_approval = true\n",
    )
    .unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "big"]);
    git(&dir, &["repack", "-adq"]);
    dir
}

/// What `approve` adds to `propose`: each run proposes a new commit on the
/// current tip (an approve lands, so the next needs a fresh fast-forward),
/// once with and once without approving; the difference of the medians.
fn approve_overhead(dir: &Path, prefix: &str, runs: usize) -> Measured {
    let mut n = 0;
    let mut run = |approve: bool| {
        measure(
            || {
                n += 1;
                let tip = git(dir, &["rev-parse", "main"]);
                // A change of its own (one new file): the same change twice
                // is refused as already proposed.
                let blob = git_stdin(
                    dir,
                    &["hash-object", "-w", "--stdin"],
                    format!("{prefix}{n}\n").as_bytes(),
                );
                let listing = format!(
                    "{}\n100644 blob {blob}\tbench-{prefix}-{n}.txt\n",
                    git(dir, &["ls-tree", "main"])
                );
                let tree = git_stdin(dir, &["mktree"], listing.as_bytes());
                let commit = git(
                    dir,
                    &[
                        "commit-tree",
                        &tree,
                        "-p",
                        &tip,
                        "-m",
                        &format!("{prefix}{n}"),
                    ],
                );
                let id = format!("{prefix}-{n}");
                let then = if approve {
                    format!(" && {BIN} approve {id}")
                } else {
                    String::new()
                };
                let mut c = env_cmd("sh", dir);
                c.arg("-c").arg(format!(
                    "{BIN} propose {commit} -m bench --no-test --id {id} >/dev/null{then}"
                ));
                c
            },
            runs,
        )
    };
    let both = run(true);
    let propose = run(false);
    Measured {
        median: both.median.saturating_sub(propose.median),
        rss_kb: both.rss_kb,
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // cargo bench --list
    }
    let root = tempfile::Builder::new()
        .prefix("gu-bench-")
        .tempdir()
        .unwrap();
    if let Some(n) = std::env::var("BENCH_FIXTURE_ONLY")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        // Build one queue fixture and keep it, for profiling by hand.
        let dir = queue_fixture(&std::env::temp_dir(), n);
        println!("{}", dir.display());
        return;
    }
    let sizes: Vec<usize> = if quick() {
        vec![10, 100]
    } else {
        vec![10, 1_000, 10_000]
    };
    let runs = if quick() { 3 } else { 9 };
    let mut rows: Vec<Row> = Vec::new();
    let ours = |dir: &Path, args: &[&str]| {
        let mut c = env_cmd(BIN, dir);
        c.args(args);
        c
    };
    let sh = |dir: &Path, script: &str| {
        let mut c = env_cmd("sh", dir);
        c.arg("-c").arg(script);
        c
    };

    // Startup.
    let small = queue_fixture(root.path(), 0);
    rows.push(Row {
        name: "--version".into(),
        ours: measure(|| ours(&small, &["--version"]), runs * 2),
        floor: Some(measure(
            || {
                let mut c = env_cmd("git", &small);
                c.args(["rev-parse", "HEAD"]);
                c
            },
            runs * 2,
        )),
        floor_name: "git rev-parse HEAD".into(),
    });
    rows.push(Row {
        name: "status, empty queue".into(),
        ours: measure(|| ours(&small, &["status"]), runs * 2),
        floor: Some(measure(
            || {
                let mut c = env_cmd("git", &small);
                c.args(["rev-parse", "HEAD"]);
                c
            },
            runs * 2,
        )),
        floor_name: "git rev-parse HEAD".into(),
    });

    for &n in &sizes {
        eprintln!("building a queue of {n} upgrades…");
        let dir = queue_fixture(root.path(), n);
        // The floor for reading the queue: the same refs, then the same note blobs.
        prepare_floor_list(&dir);
        let floor_list = FLOOR_LIST;
        let floor_refs = "git for-each-ref --format='%(objectname) %(refname)' refs/notes/upgrades/ refs/upgrades/ >/dev/null";
        let cache = dir.join(".git/upgrades/cache");
        // The fixture must read as valid: a damaged upgrade would time the error path.
        let listed = env_cmd(BIN, &dir)
            .args(["list", "--all", "--json"])
            .output()
            .unwrap();
        let listed = String::from_utf8_lossy(&listed.stdout);
        assert!(
            !listed.contains("\"error\""),
            "fixture upgrades are damaged: {}",
            &listed[..listed.len().min(2000)]
        );
        let cold = |args: &'static [&'static str]| {
            let dir = dir.clone();
            let cache = cache.clone();
            move || {
                let _ = std::fs::remove_file(&cache);
                let mut c = env_cmd(BIN, &dir);
                c.args(args);
                c
            }
        };
        let list_cold = measure(cold(&["list", "--all", "--json"]), runs);
        // The export is judged against our own cold listing: it reads the
        // same queue, then renders a page for every open upgrade and the 100
        // most recently closed (30% open here: 3,100 pages at 10,000).
        let export_cold = measure(cold(&["export", "--html", ".git/bench-export"]), runs);
        rows.push(Row {
            name: format!("list --json, {n}, cold"),
            ours: Measured { ..list_cold },
            floor: Some(measure(|| sh(&dir, floor_list), runs)),
            floor_name: "for-each-ref + cat-file --batch".into(),
        });
        rows.push(Row {
            name: format!("export --html, {n}, cold"),
            ours: export_cold,
            floor: Some(Measured { ..list_cold }),
            floor_name: "list --all --json, cold (ours)".into(),
        });
        rows.push(Row {
            name: format!("status, {n}, cold"),
            ours: measure(cold(&["status"]), runs),
            floor: Some(measure(|| sh(&dir, floor_list), runs)),
            floor_name: "for-each-ref + cat-file --batch".into(),
        });
        let _ = ours(&dir, &["list"]).stdout(Stdio::null()).status();
        rows.push(Row {
            name: format!("list --json, {n}, warm"),
            ours: measure(|| ours(&dir, &["list", "--all", "--json"]), runs),
            floor: Some(measure(|| sh(&dir, floor_refs), runs)),
            floor_name: "for-each-ref".into(),
        });
        rows.push(Row {
            name: format!("status, {n}, warm"),
            ours: measure(|| ours(&dir, &["status"]), runs),
            floor: Some(measure(|| sh(&dir, floor_refs), runs)),
            floor_name: "for-each-ref".into(),
        });
        // The prompt badge, once its cache is written (the fixture's refs are
        // older than the racy window by now, or made so).
        for p in ["packed-refs", "refs/notes/upgrades", "refs/upgrades"] {
            let path = dir.join(".git").join(p);
            if path.exists() {
                let _ = std::process::Command::new("touch")
                    .args(["-h", "-d", "1 minute ago"])
                    .arg(path)
                    .status();
            }
        }
        let _ = ours(&dir, &["status", "--count"])
            .stdout(Stdio::null())
            .status();
        rows.push(Row {
            name: format!("status --count, {n}, warm"),
            ours: measure(|| ours(&dir, &["status", "--count"]), runs),
            floor: Some(measure(
                || {
                    let mut c = env_cmd("git", &dir);
                    c.args(["rev-parse", "HEAD"]);
                    c
                },
                runs,
            )),
            floor_name: "git rev-parse HEAD".into(),
        });
        let id = "b0000001";
        let note_ref = format!("refs/notes/upgrades/{id}");
        rows.push(Row {
            name: format!("show, {n}"),
            ours: measure(|| ours(&dir, &["show", id, "--json"]), runs),
            floor: Some(measure(|| sh(&dir, &format!("git log --format=%B {note_ref} >/dev/null && git cat-file -p {note_ref}^{{tree}} >/dev/null")), runs)),
            floor_name: "git log + cat-file of its notes".into(),
        });
        rows.push(Row {
            name: format!("log, {n}"),
            ours: measure(|| ours(&dir, &["log", "--json"]), if n >= 10_000 { 3 } else { runs }),
            floor: Some(measure(|| sh(&dir, "git log --format=%B --no-walk=unsorted --glob='refs/notes/upgrades/*' >/dev/null"), runs)),
            floor_name: "git log over the notes refs (tips only)".into(),
        });
        // Writes: propose, approve (test command `true`), reject; the floor
        // writes the same objects and refs with plain git.
        let main = git(&dir, &["rev-parse", "main"]);
        let mut k = 0;
        let mut next_branch = || {
            k += 1;
            let name = format!("w{k}");
            let blob = git_stdin(
                &dir,
                &["hash-object", "-w", "--stdin"],
                format!("w{k}\n").as_bytes(),
            );
            let base_tree = git(&dir, &["rev-parse", "main^{tree}"]);
            let tree = git_stdin(
                &dir,
                &["mktree"],
                format!(
                    "{}\n100644 blob {blob}\tw{k}.txt\n",
                    git(&dir, &["ls-tree", &base_tree])
                )
                .as_bytes(),
            );
            let commit = git(&dir, &["commit-tree", &tree, "-p", &main, "-m", &name]);
            git(
                &dir,
                &["update-ref", &format!("refs/heads/{name}"), &commit],
            );
            name
        };
        let branches: Vec<String> = (0..runs * 3).map(|_| next_branch()).collect();
        let mut b = branches.iter();
        let propose = measure(
            || {
                let br = b.next().unwrap().clone();
                let mut c = env_cmd(BIN, &dir);
                c.args([
                    "propose",
                    &br,
                    "-m",
                    "bench",
                    "--no-test",
                    "--id",
                    &format!("p-{br}"),
                ]);
                c
            },
            runs,
        );
        let mut j = 0;
        let floor_propose = measure(
            || {
                j += 1;
                let mut c = env_cmd("sh", &dir);
                c.arg("-c").arg(format!("h=$(git rev-parse main); git update-ref refs/upgrades/f{j} $h && git notes --ref=upgrades/f{j} add -m '{{\"format\":1}}' $h"));
                c
            },
            runs,
        );
        rows.push(Row {
            name: format!("propose --no-test, {n}"),
            ours: propose,
            floor: Some(floor_propose),
            floor_name: "update-ref + git notes add".into(),
        });
        let mut r = branches.iter();
        let reject = measure(
            || {
                let br = r.next().unwrap().clone();
                let mut c = env_cmd(BIN, &dir);
                c.args(["reject", &format!("p-{br}"), "-m", "no"]);
                c
            },
            runs,
        );
        let mut j2 = 0;
        let floor_reject = measure(
            || {
                j2 += 1;
                let mut c = env_cmd("sh", &dir);
                c.arg("-c").arg(format!("h=$(git rev-parse main); git notes --ref=upgrades/f{j2} add -f -m '{{\"format\":1}}' $h && git update-ref -d refs/upgrades/f{j2}"));
                c
            },
            runs,
        );
        rows.push(Row {
            name: format!("reject, {n}"),
            ours: reject,
            floor: Some(floor_reject),
            floor_name: "git notes add + update-ref -d".into(),
        });
        let approve = approve_overhead(&dir, "a", runs);
        rows.push(Row {
            name: format!("approve (tests: true), {n}"),
            ours: approve,
            floor: None,
            floor_name: "(propose+approve minus propose)".into(),
        });
    }

    eprintln!("building the 20,000-file repository…");
    let big = big_fixture(root.path());
    let approve = approve_overhead(&big, "big", if quick() { 3 } else { 5 });
    let mut w = 0;
    let worktree = measure(
        || {
            w += 1;
            let mut c = env_cmd("sh", &big);
            c.arg("-c").arg(format!("git worktree add -q --detach ../wt{w} main && rm -rf ../wt{w} && git worktree prune"));
            c
        },
        if quick() { 3 } else { 5 },
    );
    rows.push(Row {
        name: "approve overhead, 20k files".into(),
        ours: approve,
        floor: Some(worktree),
        floor_name: "git worktree add --detach".into(),
    });

    common::report(&rows, "queue");
}
