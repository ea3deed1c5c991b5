//! `git upgrades init`: write the policy file with a detected test command
//! (and say why it was chosen), check that command once, set up git config.

use std::path::{Path, PathBuf};

use clap::Args;
use gix::ObjectId;

use crate::config::{Policy, POLICY_FILE};
use crate::detect::{self, Detection};
use crate::error::{Context, Error, Result, EXIT_TESTS_FAILED};
use crate::record::TestResult;
use crate::repo;
use crate::ui::json::{AlternativeJson, InitJson, TestCommandJson, JSON_FORMAT};
use crate::ui::progress::Spinner;
use crate::ui::{Style, Ui};

/// Set up a repository: write a commented .upgrades.toml, optionally show notes in git log and fetch the queue
///
/// The policy file gets a test command detected from the project's files
/// (Cargo, npm/pnpm/yarn/bun, pytest/tox/nox, Go, make, just, CMake, Gradle,
/// Maven), chosen to pass in a clean checkout of a commit: `--locked` or a
/// frozen install only when git tracks the lock file. `init` prints the
/// reason. The file only takes effect once committed on the target branch.
///
/// With --check, the command the file will hold is run once in a test
/// checkout of HEAD, as approvals run it: pass or fail, duration, and on
/// failure the end of its output (exit 3).
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
    /// Run the test command once in a checkout of HEAD and report whether it
    /// passes (exit 3 if it does not)
    #[arg(long)]
    pub check: bool,
    /// On a hub (a bare repository): install the pre-receive hook that
    /// enforces the queue on every push (idempotent; --force replaces a
    /// hook that is not ours)
    #[arg(long)]
    pub hub: bool,
    /// With --hub: install the update-hook form instead, for servers that
    /// run only update hooks (each ref judged alone)
    #[arg(long, requires = "hub")]
    pub update_hook: bool,
}

/// Marks a hook written by `init --hub`, so running it again is idempotent.
const HOOK_MARKER: &str = "# installed by git upgrades init --hub";

/// Install `hooks/pre-receive` (or `hooks/update`) running this binary's gate.
fn install_hub_hook(repo: &gix::Repository, force: bool, update: bool) -> Result<String> {
    if !repo.is_bare() {
        return Err(Error::usage("--hub is for the hub: a bare repository")
            .hint("run it there: git -C /srv/project.git upgrades init --hub"));
    }
    // Absolute, so the report names the file wherever it was run from
    // (`GIT_DIR=.` gives a relative common dir).
    let common = repo.common_dir();
    let hooks = std::fs::canonicalize(common)
        .unwrap_or_else(|_| common.to_path_buf())
        .join("hooks");
    let (name, args) = if update {
        ("update", "update \"$@\"")
    } else {
        ("pre-receive", "pre-receive")
    };
    let path = hooks.join(name);
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
        "#!/bin/sh\n{HOOK_MARKER}\n# Every push is judged by the queue's rules (docs/TRUST.md).\nexec {quoted} hook {args}\n"
    );
    std::fs::create_dir_all(&hooks)
        .with_context(|| format!("cannot create {}", hooks.display()))?;
    let tmp = hooks.join(format!("{name}.git-upgrades-tmp"));
    std::fs::write(&tmp, script).with_context(|| format!("cannot write {}", tmp.display()))?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot install {}", path.display()))?;
    Ok(format!("installed {} (runs {program})", path.display()))
}

/// The commented policy file; `reason` (why the command was detected) goes
/// above the command as a comment.
fn policy_text(target: &str, command: Option<&str>, reason: Option<&str>) -> String {
    let test = match command {
        Some(c) => {
            let why = reason
                .map(|r| format!("# detected: {}\n", r.replace('\n', " ")))
                .unwrap_or_default();
            format!("{why}command = {}", toml_string(c))
        }
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

/// The test command the policy file will hold, and why.
struct Choice {
    /// None: nothing detected and none given.
    command: Option<String>,
    /// `detected`, `option` (--test-command) or `existing` (the file kept as it is).
    source: &'static str,
    reason: String,
    alternatives: Vec<Detection>,
    passed_over: Vec<String>,
}

/// The command for a new policy file: --test-command, else detected.
fn choose(repo: &gix::Repository, root: &Path, args: &InitArgs) -> Result<Choice> {
    if let Some(command) = &args.test_command {
        return Ok(Choice {
            command: Some(command.clone()),
            source: "option",
            reason: "given with --test-command".into(),
            alternatives: Vec::new(),
            passed_over: Vec::new(),
        });
    }
    let report = detect::detect(&detect::WorkTree::open(repo, root)?);
    let (command, reason) = match report.chosen {
        Some(d) => (Some(d.command), d.reason),
        None => (
            None,
            format!("nothing detected (looked for {})", detect::LOOKED_FOR),
        ),
    };
    Ok(Choice {
        command,
        source: "detected",
        reason,
        alternatives: report.alternatives,
        passed_over: report.passed_over,
    })
}

/// What `--check` runs, settled before anything is written.
struct CheckPlan {
    command: String,
    timeout_secs: u64,
    head: ObjectId,
}

/// The command and timeout the policy file will hold after `init`, and HEAD.
fn plan_check(
    repo: &gix::Repository,
    policy_path: Option<&Path>,
    choice: Option<&Choice>,
    args: &InitArgs,
) -> Result<CheckPlan> {
    let default_timeout = Policy::default().test_timeout_secs;
    let (command, timeout_secs, hint) = match (choice, policy_path) {
        (Some(c), _) => (
            c.command.clone(),
            default_timeout,
            "name one: git upgrades init --force --test-command '<command>' --check",
        ),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let policy = Policy::parse(&text, POLICY_FILE)?;
            (
                policy.test_command,
                policy.test_timeout_secs,
                "set [test] command in .upgrades.toml, or replace the file: init --force --test-command '<command>'",
            )
        }
        (None, None) => (
            args.test_command.clone(),
            default_timeout,
            "a bare repository has no project files to detect it from: pass --test-command '<command>'",
        ),
    };
    let Some(command) = command else {
        return Err(Error::usage("--check: there is no test command to check").hint(hint));
    };
    let head = crate::refs::head_commit(repo)?.ok_or_else(|| {
        Error::usage("--check runs the tests on HEAD, and HEAD has no commit yet")
            .hint("commit the project first, then run `git upgrades init --check`")
    })?;
    Ok(CheckPlan {
        command,
        timeout_secs,
        head,
    })
}

/// Run the command once in a test checkout of HEAD, as an approval would.
fn run_check(ui: &Ui, repo: &gix::Repository, plan: &CheckPlan) -> Result<TestResult> {
    let policy = Policy {
        test_command: Some(plan.command.clone()),
        test_timeout_secs: plan.timeout_secs,
        // The question is whether it passes on a clean checkout of the commit:
        // nothing an earlier run built (an ignored lock file, say) may answer it.
        test_checkout: crate::config::CheckoutMode::Clean,
        ..Policy::default()
    };
    let mut spinner = Spinner::new(ui.stderr_tty && !ui.quiet, ui.verbose);
    let result = crate::ops::run_tests(
        repo,
        &policy,
        "HEAD",
        // No target: only this commit's own earlier outputs are kept warm.
        "HEAD",
        plan.head,
        &mut spinner,
        &crate::time::now_unix,
    )?;
    drop(spinner);
    Ok(result)
}

/// Lines of test output shown when the check fails (each cut at 300 characters).
const OUTPUT_TAIL_LINES: usize = 20;

fn print_check(ui: &mut Ui, t: &TestResult) -> Result<()> {
    let took = crate::time::short_duration_ms(t.duration_ms);
    let command = t.command.as_deref().unwrap_or("");
    let at = format!(
        "{command} on HEAD ({})",
        &t.commit[..t.commit.len().min(10)]
    );
    if t.passed == Some(true) {
        let mark = ui.paint(Style::Good, ui.check());
        return ui.line(&format!("{mark} check: passed in {took}: {at}"));
    }
    let how = match (t.status.as_str(), t.exit_code) {
        ("timed-out", _) => format!("timed out after {took}"),
        (_, Some(code)) => format!("failed with exit code {code} after {took}"),
        ("error", _) => "could not start".to_string(),
        _ => format!("failed after {took}"),
    };
    let mark = ui.paint(Style::Bad, ui.cross());
    ui.line(&format!("{mark} check: {how}: {at}"))?;
    let lines: Vec<&str> = t.output.lines().collect();
    if !lines.is_empty() {
        ui.line(&ui.paint(Style::Bold, "  output (end):"))?;
        for l in &lines[lines.len().saturating_sub(OUTPUT_TAIL_LINES)..] {
            ui.line(&format!("    {}", crate::ui::escape::text_max(l, 300)))?;
        }
    }
    Ok(())
}

/// Run `init`.
pub fn run(ui: &mut Ui, args: &InitArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = crate::store::Store::new(&repo);
    if args
        .test_command
        .as_deref()
        .is_some_and(|c| c.trim().is_empty())
    {
        return Err(Error::usage("--test-command is empty"));
    }
    let target = crate::ops::default_target(&store).unwrap_or_else(|_| "main".into());
    // Everything is decided before anything is written.
    let policy_path: Option<PathBuf> = repo.workdir().map(|root| root.join(POLICY_FILE));
    let choice = match (repo.workdir(), &policy_path) {
        (Some(root), Some(path)) if args.force || !path.exists() => {
            Some(choose(&repo, root, args)?)
        }
        _ => None,
    };
    let check = match args.check {
        true => Some(plan_check(
            &repo,
            policy_path.as_deref(),
            choice.as_ref(),
            args,
        )?),
        false => None,
    };
    let mut done: Vec<String> = Vec::new();
    if args.hub {
        done.push(install_hub_hook(&repo, args.force, args.update_hook)?);
    }
    let mut wrote = None;
    match (&policy_path, &choice) {
        (Some(path), Some(choice)) => {
            let reason = (choice.source == "detected" && choice.command.is_some())
                .then_some(choice.reason.as_str());
            std::fs::write(
                path,
                policy_text(&target, choice.command.as_deref(), reason),
            )
            .with_context(|| format!("cannot write {}", path.display()))?;
            done.push(format!(
                "wrote {POLICY_FILE} (test command: {})",
                choice.command.as_deref().unwrap_or("not configured")
            ));
            wrote = Some(path.clone());
        }
        (Some(_), None) => ui.note(&format!(
            "{POLICY_FILE} exists; leaving it alone (--force overwrites)"
        )),
        (None, _) if args.hub => {}
        (None, _) => ui.note("bare repository: no working tree to write .upgrades.toml into"),
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
    if done.is_empty() && check.is_none() {
        return Err(Error::usage("nothing to do").hint("see git upgrades init --help"));
    }
    if !ui.json {
        for d in &done {
            ui.line(d)?;
        }
        if let Some(c) = &choice {
            print_choice(ui, c)?;
        }
    }
    let result = match &check {
        Some(plan) => Some(run_check(ui, &repo, plan)?),
        None => None,
    };
    let code = match &result {
        Some(t) if t.passed != Some(true) => EXIT_TESTS_FAILED,
        _ => 0,
    };
    if ui.json {
        ui.json_pretty(&InitJson {
            check: result.as_ref(),
            done: &done,
            format: JSON_FORMAT,
            policy_file: wrote.as_ref().map(|p| p.display().to_string()),
            target: &target,
            test_command: choice.as_ref().map(|c| TestCommandJson {
                alternatives: c
                    .alternatives
                    .iter()
                    .map(|a| AlternativeJson {
                        command: &a.command,
                        reason: &a.reason,
                    })
                    .collect(),
                command: c.command.as_deref(),
                reason: &c.reason,
                source: c.source,
            }),
        })?;
        return Ok(code);
    }
    if let Some(t) = &result {
        print_check(ui, t)?;
        if code != 0 {
            ui.flush()?;
            ui.note(
                "hint: the check ran the committed HEAD in a clean checkout, as approvals will; \
                 fix the project or the command (init --force --test-command '<command>')",
            );
        }
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
    Ok(code)
}

/// The chosen command's reason, the other candidates, or what to do when
/// nothing was detected.
fn print_choice(ui: &mut Ui, c: &Choice) -> Result<()> {
    ui.line(&format!("  why: {}", c.reason))?;
    for a in &c.alternatives {
        ui.line(&format!("  also possible: {} ({})", a.command, a.reason))?;
    }
    if c.command.is_none() {
        for p in &c.passed_over {
            ui.line(&format!("  {p}"))?;
        }
        ui.flush()?;
        ui.note(
            "hint: name the command that runs your tests: \
             git upgrades init --force --test-command '<command>' [--check]",
        );
    }
    Ok(())
}
