//! `git upgrades init`

use std::path::Path;

use clap::Args;

use crate::config::POLICY_FILE;
use crate::error::{Context, Error, Result};
use crate::repo;
use crate::ui::Ui;

/// Set up a repository: write a commented .upgrades.toml, optionally show notes in git log and fetch the queue
///
/// The policy file gets the test command detected from the project
/// (Cargo.toml, package.json, pyproject.toml, Makefile, go.mod). It only takes
/// effect once committed on the target branch.
#[derive(Args, Debug, Clone)]
pub struct InitArgs {
    /// Overwrite an existing .upgrades.toml
    #[arg(long)]
    pub force: bool,
    /// Set notes.displayRef so `git log` shows who approved and tested each landed commit
    #[arg(long)]
    pub display_notes: bool,
    /// Add fetch refspecs so a plain `git fetch <remote>` also brings the queue
    #[arg(long, value_name = "REMOTE")]
    pub remote: Option<String>,
    /// The test command (default: detected)
    #[arg(long, value_name = "COMMAND")]
    pub test_command: Option<String>,
    /// On a hub (a bare repository): install the pre-receive hook that
    /// enforces the queue on every push (idempotent; --force replaces a
    /// hook that is not ours)
    #[arg(long)]
    pub hub: bool,
}

/// Marks a hook written by `init --hub`, so running it again is idempotent.
const HOOK_MARKER: &str = "# installed by git upgrades init --hub";

/// Install `hooks/pre-receive` running this binary's gate.
fn install_hub_hook(repo: &gix::Repository, force: bool) -> Result<String> {
    if !repo.is_bare() {
        return Err(Error::usage("--hub is for the hub: a bare repository")
            .hint("run it there: git -C /srv/project.git upgrades init --hub"));
    }
    let hooks = repo.common_dir().join("hooks");
    let path = hooks.join("pre-receive");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if !existing.contains(HOOK_MARKER) && !force {
            return Err(Error::failure(format!(
                "{} exists and was not installed by git-upgrades",
                path.display()
            ))
            .hint("merge it by hand, or replace it with --force"));
        }
    }
    // The absolute path of this program, so a server whose PATH differs runs it too.
    let program = std::env::current_exe()
        .ok()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("git-upgrades"))
        })
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "git-upgrades".into());
    let quoted = format!("'{}'", program.replace('\'', "'\\''"));
    let script = format!(
        "#!/bin/sh\n{HOOK_MARKER}\n# Every push is judged by the queue's rules (docs/TRUST.md).\nexec {quoted} hook pre-receive\n"
    );
    std::fs::create_dir_all(&hooks)
        .with_context(|| format!("cannot create {}", hooks.display()))?;
    let tmp = hooks.join("pre-receive.git-upgrades-tmp");
    std::fs::write(&tmp, script).with_context(|| format!("cannot write {}", tmp.display()))?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot install {}", path.display()))?;
    Ok(format!("installed {} (runs {program})", path.display()))
}

/// The test command a project's files suggest.
pub fn detect_test_command(root: &Path) -> Option<&'static str> {
    let has = |f: &str| root.join(f).exists();
    if has("Cargo.toml") {
        Some("cargo test --locked")
    } else if has("package.json") {
        Some("npm test")
    } else if has("pyproject.toml") || has("setup.py") || has("pytest.ini") {
        Some("pytest")
    } else if has("go.mod") {
        Some("go test ./...")
    } else if has("Makefile") || has("makefile") {
        Some("make test")
    } else {
        None
    }
}

fn policy_text(target: &str, command: Option<&str>) -> String {
    let test = match command {
        Some(c) => format!("command = {}", toml_string(c)),
        None => {
            "# command = \"make test\"           # nothing detected: tests are \"not configured\""
                .into()
        }
    };
    format!(
        r#"# git-upgrades policy. It is read from the committed tree of the target
# branch, never from a proposal or the working tree. See docs/POLICY.md.
target = {target}

[test]
{test}
timeout = "30m"                     # the command is killed after this

[policy]
required_approvals = 1              # distinct people, on the exact head
allow_self_approval = false         # the proposer cannot approve
approvers = []                      # emails allowed to approve; empty means anyone
# Unsigned approvals are claimed identities: anyone can set user.email. For any
# queue shared by a team, require signatures and commit an allowed-signers file
# (docs/TRUST.md): require_signed_approvals = true, allowed_signers = ".upgrades/allowed_signers"
require_signed_approvals = false    # approvals signed with git's signing set-up
max_diff_lines = 10000              # larger proposals are refused
protected_paths = [".upgrades.toml"]
allow_urgent = false                # `apply --urgent --reason ...`
expire_after = "14d"
prune_after = "90d"

# [auto_approve]                    # uncomment to auto-approve low-risk changes
# after = "24h"
# max_lines = 50
# paths = ["docs/**", "*.md"]
"#,
        target = toml_string(target)
    )
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn git_config(repo: &gix::Repository, args: &[&str]) -> Result<()> {
    let mut cmd = repo::git(repo);
    cmd.arg("config").args(args);
    repo::run_git(cmd, "update git config").map(|_| ())
}

/// Run `init`.
pub fn run(ui: &mut Ui, args: &InitArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = crate::store::Store::new(&repo);
    let mut done: Vec<String> = Vec::new();
    let target = crate::ops::default_target(&store).unwrap_or_else(|_| "main".into());
    let mut wrote = None;
    if args.hub {
        done.push(install_hub_hook(&repo, args.force)?);
    }
    match repo.workdir() {
        Some(root) => {
            let path = root.join(POLICY_FILE);
            if path.exists() && !args.force {
                ui.note(&format!(
                    "{POLICY_FILE} exists; leaving it alone (--force overwrites)"
                ));
            } else {
                let command = args
                    .test_command
                    .as_deref()
                    .or_else(|| detect_test_command(root));
                std::fs::write(&path, policy_text(&target, command))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                done.push(format!(
                    "wrote {POLICY_FILE} (test command: {})",
                    command.unwrap_or("not configured")
                ));
                wrote = Some(path);
            }
        }
        None if args.hub => {}
        None => ui.note("bare repository: no working tree to write .upgrades.toml into"),
    }
    if args.display_notes {
        let current = repo
            .config_snapshot()
            .strings("notes.displayRef")
            .unwrap_or_default();
        if !current.iter().any(|v| *v == "refs/notes/upgrades/*") {
            git_config(
                &repo,
                &["--add", "notes.displayRef", "refs/notes/upgrades/*"],
            )?;
        }
        done.push(
            "set notes.displayRef: git log now shows an Upgrade:/Approved-by:/Tested: block under landed commits"
                .into(),
        );
    }
    if let Some(remote) = &args.remote {
        let remote = crate::sync::resolve_remote(&repo, Some(remote))?;
        let key = format!("remote.{remote}.fetch");
        let current: Vec<String> = repo
            .config_snapshot()
            .strings(key.as_str())
            .unwrap_or_default()
            .iter()
            .map(|v| v.to_string())
            .collect();
        for spec in crate::sync::fetch_refspecs(&remote) {
            if !current.contains(&spec) {
                git_config(&repo, &["--add", &key, &spec])?;
            }
        }
        done.push(format!(
            "`git fetch {remote}` now also brings the queue (into refs/upgrades-sync/{remote}/)"
        ));
    }
    if ui.json {
        ui.json_pretty(&serde_json::json!({
            "format": 1,
            "target": target,
            "policy_file": wrote.as_ref().map(|p| p.display().to_string()),
            "done": done,
        }))?;
        return Ok(0);
    }
    for d in &done {
        ui.line(d)?;
    }
    if wrote.is_some() {
        ui.line(&format!(
            "next: commit it on {target}: git add {POLICY_FILE} && git commit -m \"Add git-upgrades policy\""
        ))?;
    }
    let shared = args.remote.is_some() || !repo.remote_names().is_empty();
    if shared && wrote.is_some() {
        ui.note(
            "this repository has remotes: for a team queue, set policy.require_signed_approvals = true \
             and commit an allowed-signers file; unsigned approvals are only claimed identities \
             (docs/TRUST.md)",
        );
    }
    if done.is_empty() && wrote.is_none() {
        return Err(Error::usage("nothing to do").hint("see git upgrades init --help"));
    }
    Ok(0)
}
