//! What the whole-process benchmarks share: running commands, timing them
//! against the plain-git floor, and the report table.

#![allow(dead_code)]

pub mod fixture;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The built binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_git-upgrades");

/// `BENCH_QUICK=1`: smaller fixtures and fewer runs.
pub fn quick() -> bool {
    std::env::var_os("BENCH_QUICK").is_some()
}

/// A median wall time and the largest peak RSS.
pub struct Measured {
    pub median: Duration,
    pub rss_kb: i64,
}

/// Run `cmd` `runs` times; the median wall time and the largest peak RSS.
pub fn measure(mut make: impl FnMut() -> Command, runs: usize) -> Measured {
    let mut times = Vec::new();
    let mut rss = 0;
    for _ in 0..runs {
        let mut cmd = make();
        // stderr is kept aside, to say why when a command fails.
        let mut err = tempfile::tempfile().expect("temporary file");
        cmd.stdout(Stdio::null())
            .stderr(err.try_clone().expect("temporary file"));
        let start = Instant::now();
        // Reaped below with wait4, which also reports the peak RSS.
        #[allow(clippy::zombie_processes)]
        let child = cmd.spawn().expect("spawn");
        let mut status = 0;
        // SAFETY: rusage is plain data filled by wait4 for our own child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
        times.push(start.elapsed());
        rss = rss.max(usage.ru_maxrss);
        if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
            use std::io::{Read, Seek};
            let mut text = String::new();
            let _ = err.rewind();
            let _ = err.read_to_string(&mut text);
            panic!(
                "benchmark command failed (wait status {status}): {:?}\n{text}",
                make()
            );
        }
    }
    times.sort();
    Measured {
        median: times[times.len() / 2],
        rss_kb: rss,
    }
}

/// A command with a fixed, isolated git identity and config.
pub fn env_cmd(program: &str, dir: &Path) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .env("NO_COLOR", "1");
    c
}

/// Run git; its trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = env_cmd("git", dir).args(args).output().expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Run the built binary; its stdout, or a panic with its stderr.
pub fn ours_ok(dir: &Path, args: &[&str]) -> String {
    let out = env_cmd(BIN, dir).args(args).output().expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `dir` made anew as a clone of `hub`.
pub fn fresh_clone(hub: &Path, dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    git(
        hub.parent().unwrap(),
        &["clone", "-q", hub.to_str().unwrap(), dir.to_str().unwrap()],
    );
}

/// Run git with `input` on stdin; its trimmed stdout.
pub fn git_stdin(dir: &Path, args: &[&str], input: &[u8]) -> String {
    let mut child = env_cmd("git", dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The record blob of each notes tree, read with one `git cat-file --batch`.
pub fn note_blobs(dir: &Path, trees: &str) -> String {
    let mut child = env_cmd("git", dir)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = trees.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap().stdout;
    writer.join().unwrap().unwrap();
    let mut ids = String::new();
    let mut i = 0;
    while i < out.len() {
        let nl = i + out[i..].iter().position(|b| *b == b'\n').unwrap();
        let header = std::str::from_utf8(&out[i..nl]).unwrap();
        let size: usize = header.split(' ').nth(2).unwrap().parse().unwrap();
        let body = &out[nl + 1..nl + 1 + size];
        // Entries "<mode> <name>\0<20-byte id>": the note on the head, then
        // `record.json` (names sort so); the record is the last one.
        let mut at = 0;
        let mut record = &body[..0];
        while at < body.len() {
            let z = at + body[at..].iter().position(|b| *b == 0).unwrap();
            record = &body[z + 1..z + 21];
            at = z + 21;
        }
        for b in record {
            ids.push_str(&format!("{b:02x}"));
        }
        ids.push('\n');
        i = nl + 1 + size + 1;
    }
    ids
}

/// The plain-git floor of reading the whole queue: `for-each-ref` of its
/// refs, then `cat-file --batch` of every record blob (ids prepared in
/// `.git/bench-blobs`, see [`note_blobs`]).
pub const FLOOR_LIST: &str = "git for-each-ref --format='%(objectname) %(refname)' refs/notes/upgrades/ refs/upgrades/ >/dev/null && git cat-file --batch < .git/bench-blobs >/dev/null";

/// Write `.git/bench-blobs` for [`FLOOR_LIST`].
pub fn prepare_floor_list(dir: &Path) {
    let trees: String = git(
        dir,
        &[
            "for-each-ref",
            "--format=%(objectname)^{tree}",
            "refs/notes/upgrades/",
        ],
    )
    .lines()
    .map(|t| format!("{t}\n"))
    .collect();
    std::fs::write(dir.join(".git/bench-blobs"), note_blobs(dir, &trees)).unwrap();
}

/// One row of the table: ours against the plain-git floor.
pub struct Row {
    pub name: String,
    pub ours: Measured,
    pub floor: Option<Measured>,
    pub floor_name: String,
}

/// Milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Print the table and write `target/bench/<name>.{json,md}`.
pub fn report(rows: &[Row], name: &str) {
    let mut table = String::new();
    table.push_str(&format!(
        "| {:<34} | {:>10} | {:>9} | {:>10} | {:>6} | {} |\n",
        "command", "ours (ms)", "RSS (MB)", "floor (ms)", "ratio", "floor"
    ));
    table.push_str("|---|---:|---:|---:|---:|---|\n");
    let mut json = Vec::new();
    for r in rows {
        let floor_ms = r.floor.as_ref().map(|f| ms(f.median));
        let ratio = floor_ms.map(|f| ms(r.ours.median) / f);
        table.push_str(&format!(
            "| {:<34} | {:>10.1} | {:>9.1} | {:>10} | {:>6} | {} |\n",
            r.name,
            ms(r.ours.median),
            r.ours.rss_kb as f64 / 1024.0,
            floor_ms
                .map(|f| format!("{f:.1}"))
                .unwrap_or_else(|| "-".into()),
            ratio
                .map(|x| format!("{x:.2}x"))
                .unwrap_or_else(|| "-".into()),
            r.floor_name
        ));
        json.push(serde_json::json!({
            "command": r.name, "ours_ms": ms(r.ours.median), "ours_rss_mb": r.ours.rss_kb as f64 / 1024.0,
            "floor": r.floor_name, "floor_ms": floor_ms, "ratio": ratio,
        }));
    }
    println!("{table}");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join(format!("{name}.json")),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
    std::fs::write(out.join(format!("{name}.md")), table).unwrap();
}
