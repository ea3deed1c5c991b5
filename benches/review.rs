//! Whole-process benchmarks of review as a conversation.
//!
//! `cargo bench --bench review` times `update` (a new revision, no tests) in
//! queues of 10 and 10,000 upgrades (the same fixture as `queue`; 31 updates
//! each, interleaved; no RSS for these rows), and `show`
//! of one upgrade with 50 revisions and 500 comments (written through the
//! real binary: line comments on every revision, general comments, replies),
//! against the plain-git floor. `BENCH_QUICK=1`: 100 instead of 10,000, and
//! fewer runs. The table is also written to `target/bench/review.json`.

use std::path::Path;

mod common;

use common::fixture::queue_fixture;
use common::{env_cmd, git, git_stdin, measure, ours_ok, quick, Measured, Row, BIN};

/// A commit on main whose `review.txt` is `text`; its id.
fn commit_with(dir: &Path, text: &str, message: &str) -> String {
    let main = git(dir, &["rev-parse", "main"]);
    let blob = git_stdin(dir, &["hash-object", "-w", "--stdin"], text.as_bytes());
    let listing = git(dir, &["ls-tree", "main"]);
    let tree = git_stdin(
        dir,
        &["mktree"],
        format!("{listing}\n100644 blob {blob}\treview.txt\n").as_bytes(),
    );
    git(dir, &["commit-tree", &tree, "-p", &main, "-m", message])
}

/// The text of revision `r`: 200 lines, a few of which change each revision.
fn revision_text(r: usize) -> String {
    (0..200)
        .map(|l| {
            if l % 40 == r % 40 {
                format!("line {l} as of revision {r}\n")
            } else {
                format!("line {l}\n")
            }
        })
        .collect()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // cargo bench --list
    }
    let root = tempfile::Builder::new()
        .prefix("gu-bench-review-")
        .tempdir()
        .unwrap();
    let runs = if quick() { 3 } else { 9 };
    let sizes = if quick() { [10, 100] } else { [10, 10_000] };
    let mut rows: Vec<Row> = Vec::new();

    // Both queues first, then the updates interleaved (10, 10,000, 10, …), so
    // that load from elsewhere on the machine falls on both sides alike.
    let update_runs = if quick() { 5 } else { 31 };
    let mut fixtures = Vec::new();
    for n in sizes {
        eprintln!("building a queue of {n} upgrades…");
        let dir = queue_fixture(root.path(), n);
        let first = commit_with(&dir, &revision_text(0), "r0");
        ours_ok(
            &dir,
            &["propose", &first, "-m", "bench", "--no-test", "--id", "rev"],
        );
        let heads: Vec<String> = (1..=update_runs)
            .map(|r| commit_with(&dir, &revision_text(r), &format!("r{r}")))
            .collect();
        fixtures.push((n, dir, heads));
    }
    let mut times: Vec<Vec<std::time::Duration>> = vec![Vec::new(); fixtures.len()];
    let mut floors: Vec<Vec<std::time::Duration>> = vec![Vec::new(); fixtures.len()];
    for r in 0..update_runs {
        for (k, (_, dir, heads)) in fixtures.iter().enumerate() {
            let start = std::time::Instant::now();
            let status = env_cmd(BIN, dir)
                .args(["update", "rev", &heads[r], "--no-test"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap();
            times[k].push(start.elapsed());
            assert!(status.success(), "update failed");
            let start = std::time::Instant::now();
            let status = env_cmd("sh", dir)
                .arg("-c")
                .arg(format!(
                    "h=$(git rev-parse main); git update-ref refs/upgrades/f{r} $h && git notes --ref=upgrades/f{r} add -m '{{\"format\":1}}' $h"
                ))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap();
            floors[k].push(start.elapsed());
            assert!(status.success(), "floor failed");
        }
    }
    let median = |v: &mut Vec<std::time::Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    for (k, (n, _, _)) in fixtures.iter().enumerate() {
        rows.push(Row {
            name: format!("update --no-test, {n}"),
            ours: Measured {
                median: median(&mut times[k]),
                rss_kb: 0,
            },
            floor: Some(Measured {
                median: median(&mut floors[k]),
                rss_kb: 0,
            }),
            floor_name: "update-ref + git notes add".into(),
        });
    }

    eprintln!("writing 50 revisions and 500 comments…");
    let dir = queue_fixture(root.path(), 1);
    let (revisions, comments) = (50, 500);
    let first = commit_with(&dir, &revision_text(1), "r1");
    ours_ok(
        &dir,
        &[
            "propose",
            &first,
            "-m",
            "talked about",
            "--no-test",
            "--id",
            "talk",
        ],
    );
    let mut last = String::new();
    for c in 0..comments {
        let r = c * revisions / comments + 1;
        if c > 0 && c % (comments / revisions) == 0 {
            let head = commit_with(&dir, &revision_text(r), &format!("r{r}"));
            ours_ok(&dir, &["update", "talk", &head, "--no-test", "-m", "next"]);
        }
        let text = format!("comment {c}: is this line right?");
        let line = (1 + (c * 7) % 200).to_string();
        let args: Vec<&str> = match c % 4 {
            0 | 1 => vec![
                "comment",
                "talk",
                "-m",
                &text,
                "--file",
                "review.txt",
                "--line",
                &line,
            ],
            2 => vec!["comment", "talk", "-m", &text],
            _ => vec!["comment", "talk", "-m", &text, "--reply", &last],
        };
        let out = ours_ok(&dir, &[&args[..], &["--json"]].concat());
        let j: serde_json::Value = serde_json::from_str(&out).unwrap();
        last = j["comment"]["id"].as_str().unwrap()[..12].to_string();
    }
    let shown: serde_json::Value =
        serde_json::from_str(&ours_ok(&dir, &["show", "talk", "--json"])).unwrap();
    assert_eq!(shown["revisions"].as_array().unwrap().len(), revisions);
    assert_eq!(shown["comments"].as_array().unwrap().len(), comments);
    let note_ref = "refs/notes/upgrades/talk";
    let floor_show = format!(
        "git log --format=%B {note_ref} >/dev/null && git cat-file -p {note_ref}:record.json >/dev/null"
    );
    for (name, args) in [
        ("show, 50 revisions, 500 comments", vec!["show", "talk"]),
        (
            "show --json, 50 revisions, 500 comments",
            vec!["show", "talk", "--json"],
        ),
        (
            "diff --since 1, 50 revisions",
            vec!["diff", "talk", "--since", "1"],
        ),
    ] {
        rows.push(Row {
            name: name.into(),
            ours: measure(
                || {
                    let mut c = env_cmd(BIN, &dir);
                    c.args(&args);
                    c
                },
                runs,
            ),
            floor: Some(measure(
                || {
                    let mut c = env_cmd("sh", &dir);
                    c.arg("-c").arg(&floor_show);
                    c
                },
                runs,
            )),
            floor_name: "git log of its events + cat-file".into(),
        });
    }
    common::report(&rows, "review");
}
