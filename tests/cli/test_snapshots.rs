//! Snapshots (insta) of every command's human and JSON output, one
//! scenario through the whole lifecycle. Output is normalised so that the
//! same snapshots hold in both passes of the suite (SHA-1 and SHA-256,
//! files and reftable): object ids become `<1>`, `<2>`, … in order of
//! appearance within a snapshot, the test's directory `<tmp>`, durations
//! `<t>`, and runs of spaces (table padding, which follows those widths)
//! two spaces.
//!
//! After a deliberate change of wording, refresh them with
//! `INSTA_UPDATE=always cargo test --test cli snapshots` and review the diff
//! of `tests/cli/snapshots/` like any other change.

use std::path::Path;

use crate::common::TestEnv;

const POLICY: &str =
    "[test]\ncommand = \"test -f README.md\"\ntimeout = \"1m\"\n[policy]\nrequired_approvals = 1\n";

/// One snapshot: each command as typed, then what it printed.
struct Transcript<'a> {
    env: &'a TestEnv,
    text: String,
}

impl<'a> Transcript<'a> {
    fn new(env: &'a TestEnv) -> Self {
        Transcript {
            env,
            text: String::new(),
        }
    }

    /// Run `git upgrades <args>` as `who` in `dir` and record it.
    fn run_as(&mut self, who: &str, dir: &Path, args: &[&str]) -> &mut Self {
        let run = self.env.run_as(who, dir, args);
        self.text
            .push_str(&format!("$ git upgrades {}", args.join(" ")));
        if who != "Alice" {
            self.text.push_str(&format!("    # as {who}"));
        }
        self.text.push('\n');
        for (stream, out) in [("", &run.stdout), ("stderr: ", &run.stderr)] {
            for line in out.lines() {
                self.text.push_str(&format!("{stream}{line}\n"));
            }
        }
        if run.code != 0 {
            self.text.push_str(&format!("[exit {}]\n", run.code));
        }
        self.text.push('\n');
        self
    }

    fn run(&mut self, dir: &Path, args: &[&str]) -> &mut Self {
        self.run_as("Alice", dir, args)
    }

    /// Run plain `git <args>` in `dir` and record what it printed to stderr
    /// (where a hub's hook speaks).
    fn git(&mut self, dir: &Path, args: &[&str]) -> &mut Self {
        let run = self.env.git_run(dir, args);
        self.text.push_str(&format!("$ git {}\n", args.join(" ")));
        for line in run.stderr.lines() {
            self.text.push_str(&format!("stderr: {line}\n"));
        }
        if run.code != 0 {
            self.text.push_str(&format!("[exit {}]\n", run.code));
        }
        self.text.push('\n');
        self
    }

    /// The normalised text.
    fn finish(&self) -> String {
        // The binary's path depends on where the crate is checked out.
        let text = self.text.replace(
            &crate::common::bin().to_string_lossy().into_owned(),
            "<git-upgrades>",
        );
        normalize(&text, &self.env.path().to_string_lossy())
    }
}

/// See the module documentation.
fn normalize(text: &str, tmp: &str) -> String {
    let text = wall_clock_times(&text.replace(tmp, "<tmp>"));
    let mut names: Vec<String> = Vec::new();
    let mut out = String::new();
    for line in text.lines() {
        let mut normal = String::new();
        let mut word = String::new();
        let flush = |word: &mut String, normal: &mut String, names: &mut Vec<String>| {
            normal.push_str(&normal_word(word, names));
            word.clear();
        };
        for c in line.chars() {
            if c.is_ascii_alphanumeric() || c == '.' {
                word.push(c);
            } else {
                flush(&mut word, &mut normal, &mut names);
                normal.push(c);
            }
        }
        flush(&mut word, &mut normal, &mut names);
        // Padding follows the widths of what was replaced; indentation stays.
        let body = normal.trim_start();
        let mut squeezed = normal[..normal.len() - body.len()].to_string();
        let mut spaces = 0;
        for c in body.chars() {
            if c == ' ' {
                spaces += 1;
                continue;
            }
            squeezed.push_str(&" ".repeat(spaces.min(2)));
            spaces = 0;
            squeezed.push(c);
        }
        out.push_str(&squeezed);
        out.push('\n');
    }
    out
}

/// RFC 3339 times from the wall clock (a test result's `at`) become
/// `<now>`; the scenario's own times, from its clock that starts at
/// 2026-01-01, stay.
fn wall_clock_times(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let stamp = rest.get(..20).filter(|s| {
            let b = s.as_bytes();
            b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[19] == b'Z'
        });
        match stamp {
            Some(s) if !s.starts_with("2026-01-0") => {
                out.push_str("<now>");
                rest = &rest[20..];
            }
            _ => {
                let len = rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len());
                out.push_str(&rest[..len]);
                rest = &rest[len..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// An object id (or its short form) becomes `<n>`; a duration `<t>`.
/// Dotted words (`0000000..814f4a4`, `file.txt`) are judged part by part.
fn normal_word(word: &str, names: &mut Vec<String>) -> String {
    if word.contains('.') && !is_duration(word) {
        return word
            .split('.')
            .map(|part| normal_word(part, names))
            .collect::<Vec<_>>()
            .join(".");
    }
    let hex = word.len() >= 7
        && word
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && word.bytes().any(|b| b.is_ascii_digit())
        && word.bytes().any(|b| !b.is_ascii_digit());
    if hex {
        let key = &word[..7];
        let n = match names.iter().position(|k| k == key) {
            Some(n) => n,
            None => {
                names.push(key.to_string());
                names.len() - 1
            }
        };
        return format!("<{}>", n + 1);
    }
    if is_duration(word) {
        return "<t>".into();
    }
    word.to_string()
}

/// `7ms`, `1.5s`: how the tool prints a test's duration.
fn is_duration(word: &str) -> bool {
    let number = word.trim_end_matches(['m', 's']);
    let unit = &word[number.len()..];
    !number.is_empty()
        && (unit == "ms" || unit == "s")
        && number.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// The `duration_ms` of a JSON test result varies from run to run.
fn without_durations(text: &str) -> String {
    let key = "\"duration_ms\":";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(key) {
        out.push_str(&rest[..at + key.len()]);
        rest = &rest[at + key.len()..];
        let spaces = rest.len() - rest.trim_start_matches(' ').len();
        out.push_str(&rest[..spaces]);
        rest = &rest[spaces..];
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits > 0 {
            out.push_str("<t>");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

fn snapshot(name: &str, t: &Transcript<'_>) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| insta::assert_snapshot!(name, without_durations(&t.finish())));
}

#[test]
fn normalizing_replaces_ids_durations_and_padding() {
    let text = "a1b2c3d4e5 then a1b2c3d and 0123456789abcdef0123 in 12ms, 1.5s\nid   state\n    \"index 0000000..f00ba12\"\n";
    assert_eq!(
        normalize(text, "/nowhere"),
        "<1> then <1> and <2> in <t>, <t>\nid  state\n    \"index 0000000..<3>\"\n"
    );
    assert_eq!(
        normalize("at 2026-01-01T00:30:00Z and 2031-05-06T07:08:09Z\n", "/x"),
        "at 2026-01-01T00:30:00Z and <now>\n"
    );
    assert_eq!(
        without_durations("  \"duration_ms\": 15,\n{\"duration_ms\":7}\n"),
        "  \"duration_ms\": <t>,\n{\"duration_ms\":<t>}\n"
    );
}

#[test]
fn every_command_prints_what_its_snapshot_holds() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(POLICY));
    let hub = env.bare_hub(&repo);
    env.branch_commit(&repo, "fix", "main", "README.md", "fixed\n");
    env.branch_commit(&repo, "feat", "main", "src/feature.txt", "one\ntwo\n");
    env.branch_commit(&repo, "other", "main", "other.txt", "other\n");

    // init, in fresh repositories of their own.
    let mut t = Transcript::new(&env);
    for (name, json) in [("fresh", false), ("fresh-json", true)] {
        let fresh = env.path().join(name);
        env.git(env.path(), &["init", "-q", "-b", "main", name]);
        std::fs::write(fresh.join("Makefile"), "test:\n\ttrue\n").unwrap();
        env.git(&fresh, &["add", "-A"]);
        env.git(&fresh, &["commit", "-q", "-m", "start"]);
        let args: &[&str] = if json { &["init", "--json"] } else { &["init"] };
        t.run(&fresh, args);
    }
    snapshot("init", &t);

    let mut t = Transcript::new(&env);
    t.run(
        &repo,
        &[
            "propose",
            "fix",
            "-m",
            "Fix the readme",
            "--id",
            "fix-readme",
        ],
    )
    .run(
        &repo,
        &[
            "propose",
            "feat",
            "-m",
            "Add a feature",
            "--id",
            "add-feature",
            "--no-test",
            "--json",
        ],
    )
    .run(
        &repo,
        &[
            "propose",
            "other",
            "-m",
            "Another",
            "--id",
            "another",
            "--no-test",
        ],
    )
    .run(&repo, &["propose", "fix", "-m", "Again"]);
    snapshot("propose", &t);

    let mut t = Transcript::new(&env);
    t.run(&repo, &["list"])
        .run(&repo, &["list", "--json"])
        .run(&repo, &["status"])
        .run(&repo, &["status", "--json"])
        .run(&repo, &["status", "--count"])
        .run(&repo, &["status", "--count", "--json"]);
    snapshot("list_and_status", &t);

    let mut t = Transcript::new(&env);
    t.run(&repo, &["show", "fix-readme"])
        .run(&repo, &["show", "fix-readme", "--json"])
        .run(&repo, &["diff", "add-feature"])
        .run(&repo, &["diff", "add-feature", "--json"]);
    snapshot("show_and_diff", &t);

    let mut t = Transcript::new(&env);
    t.run_as(
        "Bob",
        &repo,
        &[
            "comment",
            "add-feature",
            "--file",
            "src/feature.txt",
            "--line",
            "2",
            "-m",
            "Why two?",
        ],
    )
    .run_as(
        "Bob",
        &repo,
        &[
            "comment",
            "add-feature",
            "-m",
            "Looks fine otherwise",
            "--json",
        ],
    )
    .run_as(
        "Bob",
        &repo,
        &["request-changes", "add-feature", "-m", "One line, please"],
    )
    .run_as(
        "Bob",
        &repo,
        &["request-changes", "another", "-m", "Not yet", "--json"],
    );
    snapshot("comment_and_request_changes", &t);

    env.branch_commit(&repo, "feat2", "main", "src/feature.txt", "one\n");
    env.branch_commit(&repo, "other2", "main", "other.txt", "other, again\n");
    let mut t = Transcript::new(&env);
    t.run(&repo, &["update", "add-feature", "feat2"])
        .run(&repo, &["diff", "add-feature", "--since", "1"])
        .run(&repo, &["diff", "add-feature", "--since", "1", "--json"])
        .run_as("Bob", &repo, &["approve", "add-feature", "--no-apply"])
        .run(&repo, &["update", "another", "other2", "--json"])
        .run(&repo, &["update", "another", "other2"]);
    snapshot("update", &t);

    let mut t = Transcript::new(&env);
    t.run_as("Bob", &repo, &["approve", "fix-readme"])
        .run_as("Bob", &repo, &["approve", "add-feature", "--json"])
        .run_as(
            "Bob",
            &repo,
            &["approve", "add-feature", "--rebase", "--json"],
        )
        .run(&repo, &["approve", "another"]);
    snapshot("approve", &t);

    let mut t = Transcript::new(&env);
    t.run(&repo, &["rebase", "another"])
        .run(&repo, &["rebase", "another", "--json"])
        .run(&repo, &["reject", "another", "-m", "Not needed"]);
    snapshot("rebase_and_reject", &t);

    let mut t = Transcript::new(&env);
    t.run(&repo, &["rollback", "add-feature", "-m", "Broke the build"])
        .run(&repo, &["log", "fix-readme"])
        .run(&repo, &["log", "fix-readme", "--json"]);
    snapshot("rollback_and_log", &t);

    env.branch_commit(&repo, "late", "main", "late.txt", "late\n");
    env.propose(&repo, "late", "Late", &["--no-test", "--id", "late"]);
    env.run_as("Bob", &repo, &["approve", "late", "--no-apply"])
        .ok();
    let mut t = Transcript::new(&env);
    t.run(&repo, &["apply", "--all"])
        .run(&repo, &["apply", "--all", "--json"])
        .run(&repo, &["wait", "late"])
        .run(&repo, &["wait", "late", "--json"]);
    snapshot("apply_and_wait", &t);

    let mut t = Transcript::new(&env);
    t.run(&repo, &["verify", "main"])
        .run(&repo, &["verify", "main", "--json"])
        .run(&repo, &["maintain", "--dry-run"])
        .run(&repo, &["maintain", "--dry-run", "--json"]);
    snapshot("verify_and_maintain", &t);

    let clone = env.path().join("clone");
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            hub.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    let mut t = Transcript::new(&env);
    t.run(&repo, &["push"])
        .run(&clone, &["pull", "--json"])
        .run(&clone, &["pull"])
        .run(&repo, &["sync"])
        .run(&repo, &["sync", "--json"]);
    snapshot("push_pull_sync", &t);

    // The hub's hook: installed, then refusing a push around the queue.
    let mut t = Transcript::new(&env);
    t.run(&hub, &["init", "--hub"])
        .run(&hub, &["init", "--hub", "--json"]);
    env.git(&clone, &["merge", "-q", "--ff-only", "origin/main"]);
    env.commit_on_main(&clone, &[("direct.txt", "x\n")], "around the queue");
    t.git(&clone, &["push", "-q", "origin", "main"]);
    snapshot("hub", &t);

    let mut t = Transcript::new(&env);
    t.run(&repo, &["export", "--html", "site"])
        .run(&repo, &["export", "--html", "site2", "--json"])
        .run(&repo, &["review"]);
    snapshot("export_and_review", &t);
}
