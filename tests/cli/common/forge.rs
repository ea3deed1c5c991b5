//! Forging queue objects with plain git, as an attacker with push access to
//! a shared remote would: `hash-object`, `mktree`, `commit-tree`, `update-ref`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use super::TestEnv;

/// A hub (bare) with the policy's commit on main, and `n` clones of it.
pub fn hub(env: &TestEnv, policy: &str, n: usize) -> (PathBuf, Vec<PathBuf>) {
    let seed = env.repo("seed", Some(policy));
    let hub = env.path().join("hub.git");
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            "--bare",
            seed.to_str().unwrap(),
            hub.to_str().unwrap(),
        ],
    );
    let clones = (0..n)
        .map(|i| {
            let dir = env.path().join(format!("clone{i}"));
            env.git(
                env.path(),
                &["clone", "-q", hub.to_str().unwrap(), dir.to_str().unwrap()],
            );
            dir
        })
        .collect();
    (hub, clones)
}

/// Run git with `input` on stdin; return trimmed stdout.
pub fn git_in(
    env: &TestEnv,
    dir: &Path,
    args: &[&str],
    input: &[u8],
    envs: &[(&str, &str)],
) -> String {
    let mut cmd = env.git_cmd(dir, args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("git");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The current notes tip of an upgrade.
pub fn tip(env: &TestEnv, dir: &Path, id: &str) -> String {
    env.git(dir, &["rev-parse", &format!("refs/notes/upgrades/{id}")])
}

/// The record JSON of an upgrade at its current tip, read with the plain-git
/// command docs/FORMAT.md gives.
pub fn record(env: &TestEnv, dir: &Path, id: &str) -> serde_json::Value {
    let text = env.git(
        dir,
        &["show", &format!("refs/notes/upgrades/{id}:record.json")],
    );
    serde_json::from_str(&text).unwrap()
}

/// A notes tree in the current layout, written with plain git: `display`
/// as the note on `head`, `record` as the `record.json` entry.
pub fn notes_tree(
    env: &TestEnv,
    dir: &Path,
    head: &str,
    display: &str,
    record: &serde_json::Value,
) -> String {
    let hash = |text: &[u8]| git_in(env, dir, &["hash-object", "-w", "--stdin"], text, &[]);
    let note = hash(display.as_bytes());
    let json = hash(format!("{}\n", serde_json::to_string_pretty(record).unwrap()).as_bytes());
    git_in(
        env,
        dir,
        &["mktree"],
        format!("100644 blob {note}\t{head}\n100644 blob {json}\trecord.json\n").as_bytes(),
        &[],
    )
}

/// One forged event: written as a commit on top of the upgrade's notes tip
/// (or `parent`), with `record` as its note, authored by `author`
/// (`Name <email>`); the notes ref is moved to it. Returns the commit.
pub struct Forgery<'a> {
    pub env: &'a TestEnv,
    pub dir: &'a Path,
    pub id: &'a str,
}

impl Forgery<'_> {
    /// Write an event commit with `record` as its note; returns its id.
    pub fn event(
        &self,
        parents: &[&str],
        author: &str,
        event: serde_json::Value,
        record: &serde_json::Value,
    ) -> String {
        let (env, dir) = (self.env, self.dir);
        let head = record["head"].as_str().unwrap();
        let tree = notes_tree(env, dir, head, "forged summary\n", record);
        let message = format!(
            "{} {}: forged\n\n{}\n",
            event["event"].as_str().unwrap(),
            self.id,
            serde_json::to_string_pretty(&event).unwrap()
        );
        let (name, email) = author
            .split_once(" <")
            .map(|(n, e)| (n.to_string(), e.trim_end_matches('>').to_string()))
            .unwrap();
        let mut args = vec!["commit-tree", tree.as_str()];
        for p in parents {
            args.push("-p");
            args.push(p);
        }
        git_in(
            env,
            dir,
            &args,
            message.as_bytes(),
            &[
                ("GIT_AUTHOR_NAME", &name),
                ("GIT_AUTHOR_EMAIL", &email),
                ("GIT_COMMITTER_NAME", &name),
                ("GIT_COMMITTER_EMAIL", &email),
            ],
        )
    }

    /// Append an event after the current tip and move the notes ref to it.
    pub fn append(
        &self,
        author: &str,
        kind: &str,
        details: serde_json::Value,
        edit: impl FnOnce(&mut serde_json::Value),
    ) -> String {
        let t = tip(self.env, self.dir, self.id);
        let mut rec = record(self.env, self.dir, self.id);
        let seq = rec["seq"].as_u64().unwrap() + 1;
        rec["seq"] = seq.into();
        edit(&mut rec);
        let actor = if author.starts_with("policy ") {
            "policy".to_string()
        } else {
            author.to_string()
        };
        let event = serde_json::json!({
            "format": 1, "event": kind, "id": self.id, "actor": actor,
            "seq": seq, "details": details,
        });
        let commit = self.event(&[&t], author, event, &rec);
        self.env.git(
            self.dir,
            &[
                "update-ref",
                &format!("refs/notes/upgrades/{}", self.id),
                &commit,
                &t,
            ],
        );
        commit
    }

    /// Push the upgrade's notes ref (and `extra` refspecs) to `remote` with plain git.
    pub fn push(&self, remote: &str, extra: &[&str]) {
        let spec = format!("+refs/notes/upgrades/{0}:refs/notes/upgrades/{0}", self.id);
        let mut args = vec!["push", "-q", remote, spec.as_str()];
        args.extend_from_slice(extra);
        self.env.git(self.dir, &args);
    }
}

/// True when ssh-keygen is available for signing tests.
pub fn has_ssh_keygen() -> bool {
    std::process::Command::new("ssh-keygen")
        .arg("-?")
        .output()
        .is_ok()
}

/// A new ed25519 key pair: (private key path, public key line).
pub fn keygen(env: &TestEnv, name: &str) -> (String, String) {
    let key = env.path().join(format!("{name}_key"));
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen");
    assert!(out.status.success());
    let public = std::fs::read_to_string(format!("{}.pub", key.display())).unwrap();
    (key.display().to_string(), public.trim().to_string())
}

/// Environment that makes git sign with `key` (ssh format).
pub fn signing_env(key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GIT_CONFIG_COUNT", "2".into()),
        ("GIT_CONFIG_KEY_0", "gpg.format".into()),
        ("GIT_CONFIG_VALUE_0", "ssh".into()),
        ("GIT_CONFIG_KEY_1", "user.signingkey".into()),
        ("GIT_CONFIG_VALUE_1", key.into()),
    ]
}

/// `git daemon` in its own process group (the `git` wrapper forks the real
/// daemon); the whole group is ended when the test ends.
pub struct Daemon(pub std::process::Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        // SAFETY: signals the process group we created for the daemon.
        unsafe {
            libc::kill(-(self.0.id() as i32), libc::SIGTERM);
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
