//! The transcripts in README.md are real: every fenced block after a
//! `<!-- transcript: NAME -->` line is the output of a scripted session in a
//! scratch repository (fixed identities; times relative to now, so ages such
//! as "5h ago" come out the same), with generated ids, commit ids, times and
//! test durations replaced by fixed ones. `UPDATE_README=1 cargo test --test
//! cli readme` rewrites the blocks from a new run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::pty::Pty;
use crate::common::screen;
use crate::common::{Run, TestEnv};

const AGENT: (&str, &str) = ("Agent", "agent@example.com");
const REVIEWER: (&str, &str) = ("Reviewer", "rev@example.com");
/// What the session's "now" is shown as.
const SHOWN_NOW: i64 = 1_795_687_200; // 2026-11-26T10:00:00Z
/// The generated id shown for the upgrade proposed without `--id`.
const SHOWN_ID: &str = "6e06179f";
const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// A session whose commands run at fixed offsets before `now`.
struct Session {
    env: TestEnv,
    repo: PathBuf,
    now: i64,
}

impl Session {
    fn new() -> Session {
        let env = TestEnv::new();
        let repo = env.path().join("project");
        std::fs::create_dir_all(&repo).unwrap();
        // Whole minutes, so times shown to the minute map back exactly.
        let now = git_upgrades::time::now_unix() / MINUTE * MINUTE;
        Session { env, repo, now }
    }

    fn command(&self, program: &str, who: (&str, &str), ago: i64, args: &[&str]) -> Command {
        let mut cmd = if program == "git" {
            self.env.git_cmd(&self.repo, args)
        } else {
            self.env.cmd(&self.repo, args)
        };
        let date = format!("@{} +0000", self.now - ago);
        cmd.env("GIT_AUTHOR_NAME", who.0)
            .env("GIT_AUTHOR_EMAIL", who.1)
            .env("GIT_COMMITTER_NAME", who.0)
            .env("GIT_COMMITTER_EMAIL", who.1)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
        cmd
    }

    fn git(&self, who: (&str, &str), ago: i64, args: &[&str]) -> String {
        let out = self.command("git", who, ago, args).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    fn run(&self, who: (&str, &str), ago: i64, args: &[&str]) -> Run {
        let out = self.command("upgrades", who, ago, args).output().unwrap();
        Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }

    fn commit(&self, ago: i64, branch: &str, files: &[(&str, &str)], message: &str) {
        self.git(AGENT, ago, &["checkout", "-q", "-B", branch, "main"]);
        for (path, text) in files {
            let path = self.repo.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        self.git(AGENT, ago, &["add", "-A"]);
        self.git(AGENT, ago, &["commit", "-q", "-m", message]);
        self.git(AGENT, ago, &["checkout", "-q", "main"]);
    }
}

/// Run the session; the text of each transcript, by name (not yet normalized).
fn session(s: &Session) -> (HashMap<&'static str, String>, String) {
    s.git(AGENT, 3 * DAY, &["init", "-q", "-b", "main"]);
    std::fs::write(
        s.repo.join(".upgrades.toml"),
        "[test]\ncommand = \"sh test.sh\"\ntimeout = \"5m\"\n",
    )
    .unwrap();
    std::fs::write(s.repo.join("test.sh"), "test -f coordinator.py\n").unwrap();
    std::fs::write(
        s.repo.join("coordinator.py"),
        "def assign(task, workers):\n    return workers[0]\n",
    )
    .unwrap();
    s.git(AGENT, 3 * DAY, &["add", "-A"]);
    s.git(AGENT, 3 * DAY, &["commit", "-q", "-m", "Coordinator"]);

    s.commit(
        DAY + 3 * HOUR,
        "config",
        &[("config.toml", "workers = 64\n")],
        "Change config",
    );
    let propose = |ago, branch: &str, message: &str, id: Option<&str>| {
        let mut args = vec!["propose", branch, "-m", message, "-q"];
        if let Some(id) = id {
            args.extend(["--id", id]);
        }
        let run = s.run(AGENT, ago, &args);
        run.ok();
        run.stdout.trim().to_string()
    };
    propose(DAY + 3 * HOUR, "config", "Change config", Some("cfg-003"));
    s.run(
        REVIEWER,
        DAY + 2 * HOUR,
        &["reject", "cfg-003", "-m", "Out of scope"],
    )
    .ok();

    s.commit(
        5 * HOUR + 10 * MINUTE,
        "fix",
        &[(
            "coordinator.py",
            "def assign(task, workers):\n    idle = [w for w in workers if w.idle]\n    return min(idle or workers, key=lambda w: w.load)\n",
        )],
        "Fix bug in task assignment",
    );
    propose(
        5 * HOUR + 10 * MINUTE,
        "fix",
        "Fix bug in task assignment",
        Some("fix-001"),
    );
    s.run(
        REVIEWER,
        5 * HOUR,
        &["approve", "fix-001", "-m", "Looks right"],
    )
    .ok();

    let store: String = (0..20)
        .map(|n| format!("def search_{n}(index, query):\n    return index.nearest(query, k={n})\n"))
        .collect();
    s.commit(
        2 * HOUR + 5 * MINUTE,
        "memory",
        &[("memory/vector_store.py", &store)],
        "Add memory search",
    );
    let memory = propose(
        2 * HOUR + 5 * MINUTE,
        "memory",
        "Add memory search feature",
        None,
    );

    let mut out = HashMap::new();
    out.insert("status", s.run(REVIEWER, 0, &[]).ok().to_string());
    out.insert(
        "show",
        s.run(REVIEWER, 0, &["show", "fix-001"]).ok().to_string(),
    );

    let mut cmd = s.command("upgrades", REVIEWER, 0, &["review"]);
    cmd.env("GIT_PAGER", "cat");
    let mut pty = Pty::spawn(cmd);
    let at = pty.expect("quit", 0);
    pty.send("\r"); // approve
    let at = pty.expect("comment", at);
    pty.send("Fine by me\r");
    pty.expect("reviewed 1 of 1", at);
    let screen = pty.screen();
    assert_eq!(pty.wait(), 0, "{screen}");
    out.insert("review", screen::render(&screen));

    let log = s.git(REVIEWER, 0, &["log", "-1", "--notes=upgrades/*", "main"]);
    let notes = log
        .lines()
        .skip_while(|l| !l.starts_with("Notes ("))
        .collect::<Vec<_>>()
        .join("\n");
    out.insert("notes", notes);
    (out, memory)
}

/// Replace what differs between runs: the generated id, commit ids, times,
/// test durations.
fn normalize(s: &Session, text: &str, generated_id: &str) -> String {
    let text = text.replace(generated_id, SHOWN_ID);
    let text = replace_commits(&text, &commit_names(s));
    let text = replace_times(&text, s.now);
    replace_durations(&text)
}

/// Every commit of the project's branches and queue, to a stand-in that
/// depends only on what is the same in every run (tree, message, author,
/// time relative to now, parents' stand-ins).
fn commit_names(s: &Session) -> Vec<(String, String)> {
    let list = s.git(
        AGENT,
        0,
        &[
            "log",
            "--topo-order",
            "--reverse",
            "--branches",
            "--glob=refs/upgrades/*",
            "--glob=refs/upgrades-archive/*",
            "--format=%H%x00%P%x00%T%x00%an%x00%at%x00%ct%x00%B%x01",
        ],
    );
    let mut names: Vec<(String, String)> = Vec::new();
    for entry in list.split('\x01').map(str::trim).filter(|e| !e.is_empty()) {
        let f: Vec<&str> = entry.split('\0').collect();
        let parents: Vec<String> = f[1]
            .split_whitespace()
            .map(|p| {
                names
                    .iter()
                    .find(|(real, _)| real == p)
                    .map(|(_, fake)| fake.clone())
                    .unwrap_or_default()
            })
            .collect();
        let rel = |t: &str| s.now - t.parse::<i64>().unwrap();
        let canon = format!(
            "{}\0{}\0{}\0{}\0{}\0{}",
            parents.join(" "),
            tree_contents(s, f[2]),
            f[3],
            rel(f[4]),
            rel(f[5]),
            f[6]
        );
        let fake = gix::objs::compute_hash(
            gix::hash::Kind::Sha1,
            gix::objs::Kind::Blob,
            canon.as_bytes(),
        )
        .unwrap()
        .to_string();
        names.push((f[0].to_string(), fake));
    }
    names
}

/// What a tree holds (modes, paths and file contents), the same whatever
/// hash function the repository uses.
fn tree_contents(s: &Session, tree: &str) -> String {
    let listing = s.git(
        AGENT,
        0,
        &[
            "ls-tree",
            "-r",
            "--format=%(objectmode) %(objectname) %(path)",
            tree,
        ],
    );
    let mut out = String::new();
    for line in listing.lines() {
        let mut parts = line.splitn(3, ' ');
        let (Some(mode), Some(id), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let content = s.git(AGENT, 0, &["cat-file", "-p", id]);
        out.push_str(&format!("{mode} {path}\0{content}\0"));
    }
    out
}

/// Hex runs of 7 or more digits that abbreviate a known commit.
fn replace_commits(text: &str, names: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let fake = (run.len() >= 7)
            .then(|| {
                names
                    .iter()
                    .find(|(real, _)| real.starts_with(run.as_str()))
            })
            .flatten();
        match fake {
            Some((_, fake)) => out.push_str(&fake[..run.len()]),
            None => out.push_str(run),
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_hexdigit() && !c.is_ascii_uppercase() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// `2026-…T…Z` and `2026-… hh:mm UTC` times, moved so that now is [`SHOWN_NOW`].
fn replace_times(text: &str, now: i64) -> String {
    let shift = |t: i64| git_upgrades::time::rfc3339(t - now + SHOWN_NOW);
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let full = rest.get(..20).and_then(git_upgrades::time::parse_rfc3339);
        let short = rest
            .get(..20)
            .filter(|s| s.ends_with(" UTC") && s.as_bytes()[10] == b' ')
            .and_then(|s| {
                git_upgrades::time::parse_rfc3339(&format!("{}T{}:00Z", &s[..10], &s[11..16]))
            });
        if let Some(t) = full {
            out.push_str(&shift(t));
            rest = &rest[20..];
        } else if let Some(t) = short {
            let t = shift(t);
            out.push_str(&format!("{} {} UTC", &t[..10], &t[11..16]));
            rest = &rest[20..];
        } else {
            let len = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            out.push_str(&rest[..len]);
            rest = &rest[len..];
        }
    }
    out.push_str(rest);
    out
}

/// `in 7ms`, `in 1.2s`: test durations, shown as `in 20ms`.
fn replace_durations(text: &str) -> String {
    let mut out = String::new();
    for (n, part) in text.split(" in ").enumerate() {
        if n > 0 {
            out.push_str(" in ");
            let len = part
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(part.len());
            let unit = &part[len..];
            if len > 0 && (unit.starts_with("ms") || unit.starts_with("s ")) {
                let skip = if unit.starts_with("ms") { 2 } else { 1 };
                out.push_str("20ms");
                out.push_str(&part[len + skip..]);
                continue;
            }
        }
        out.push_str(part);
    }
    out
}

/// The README's transcript blocks: (name, content, byte range of the content).
fn blocks(readme: &str) -> Vec<(String, String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let marker = "<!-- transcript: ";
    let mut from = 0;
    while let Some(at) = readme[from..].find(marker) {
        let start = from + at;
        let name_end = start + readme[start..].find(" -->").expect("marker closes");
        let name = readme[start + marker.len()..name_end].to_string();
        let fence = name_end + readme[name_end..].find("```").expect("a fence follows");
        let body = fence + readme[fence..].find('\n').expect("fence line") + 1;
        let end = body + readme[body..].find("```").expect("the fence closes");
        out.push((name, readme[body..end].to_string(), body..end));
        from = end;
    }
    out
}

#[test]
fn readme_transcripts_are_real_runs() {
    let s = Session::new();
    let (outputs, generated_id) = session(&s);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let found = blocks(&readme);
    let names: Vec<&str> = found.iter().map(|(n, _, _)| n.as_str()).collect();
    let mut want: Vec<&str> = outputs.keys().copied().collect();
    want.sort_unstable();
    let mut have = names.clone();
    have.sort_unstable();
    assert_eq!(have, want, "README.md's transcript markers");

    let mut updated = readme.clone();
    let mut stale = Vec::new();
    for (name, text, range) in found.iter().rev() {
        let fresh = format!(
            "{}\n",
            normalize(&s, &outputs[name.as_str()], &generated_id).trim_end()
        );
        if &fresh != text {
            stale.push(format!(
                "--- README.md ({name})\n{text}+++ real run\n{fresh}"
            ));
            updated.replace_range(range.clone(), &fresh);
        }
    }
    if std::env::var_os("UPDATE_README").is_some() {
        if updated != readme {
            std::fs::write(&path, updated).unwrap();
        }
        return;
    }
    assert!(
        stale.is_empty(),
        "README.md transcripts differ from a real run; rewrite them with \
         `UPDATE_README=1 cargo test --test cli readme`:\n{}",
        stale.join("\n")
    );
}

#[test]
fn normalizing_maps_times_and_durations() {
    let now = 1_699_999_980; // 2023-11-14T22:13:00Z
    assert_eq!(
        replace_times("at 2023-11-14T22:13:00Z and 2023-11-14 21:13 UTC.", now),
        "at 2026-11-26T10:00:00Z and 2026-11-26 09:00 UTC."
    );
    assert_eq!(
        replace_durations("passed in 7ms on x; passed in 1.2s (sh); in main"),
        "passed in 20ms on x; passed in 20ms (sh); in main"
    );
}
