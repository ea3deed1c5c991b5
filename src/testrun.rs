//! Running an upgrade's tests: the policy's command on the exact commit, in
//! an isolated checkout, under the runner's supervisor. Shared by the
//! lifecycle operations (`ops`), `init` and the hub's gate (`trust::gate`).

use std::time::Duration;

use gix::ObjectId;

use crate::config::Policy;
use crate::error::Result;
use crate::graph::is_ancestor;
use crate::record::TestResult;
use crate::runner;
use crate::time::rfc3339;

/// What long-running operations tell the user interface.
pub enum Progress<'a> {
    /// Tests are starting for an upgrade on a commit.
    TestsStarted {
        /// The upgrade.
        id: &'a str,
        /// The command.
        command: &'a str,
    },
    /// Tests are running.
    TestsRunning(runner::Tick<'a>),
    /// Tests finished.
    TestsFinished(&'a TestResult),
}

/// Receives [`Progress`]; may also want the raw test output (`--verbose`).
pub trait Reporter {
    /// Called with each progress report.
    fn report(&mut self, progress: Progress<'_>);
    /// True to receive the raw test output in [`Progress::TestsRunning`] ticks.
    fn wants_output(&self) -> bool {
        false
    }
}

/// Run the policy's test command on `commit` in an isolated checkout.
pub fn run_tests(
    repo: &gix::Repository,
    policy: &Policy,
    id: &str,
    target: &str,
    commit: ObjectId,
    reporter: &mut dyn Reporter,
    now: &dyn Fn() -> i64,
) -> Result<TestResult> {
    let Some(command) = policy.test_command.clone() else {
        return Ok(TestResult {
            status: "not-configured".into(),
            passed: None,
            exit_code: None,
            duration_ms: 0,
            command: None,
            output: String::new(),
            commit: commit.to_string(),
            at: rfc3339(now()),
        });
    };
    reporter.report(Progress::TestsStarted {
        id,
        command: &command,
    });
    for stale in crate::checkout::clean_stale(repo) {
        crate::store::lock::notice(format!(
            "removed a test checkout left by an interrupted process: {}",
            stale.display()
        ));
    }
    // A fresh checkout when the policy or the environment
    // (GIT_UPGRADES_FRESH_CHECKOUT=1) asks, else the repository's reused one,
    // reset to the commit and proven equal to its tree, which is much cheaper
    // in big trees; warm, it keeps the build outputs that trusted runs left.
    let fresh = policy.test_checkout == crate::config::CheckoutMode::Fresh
        || std::env::var_os("GIT_UPGRADES_FRESH_CHECKOUT").is_some_and(|v| v != "0");
    let checkout = if fresh {
        crate::checkout::checkout(repo, commit)?
    } else {
        let keep = match policy.test_checkout {
            crate::config::CheckoutMode::Warm => crate::checkout::Keep::Ignored,
            _ => crate::checkout::Keep::Nothing,
        };
        // Code that is already in the target's history is trusted.
        let tip = crate::refs::tip(repo, &format!("refs/heads/{target}"))
            .ok()
            .flatten();
        let trusted = |c: ObjectId| tip.is_some_and(|t| is_ancestor(repo, c, t).unwrap_or(false));
        crate::checkout::checkout_reused(repo, commit, keep, &trusted)?
    };
    let env = vec![
        ("GIT_UPGRADES_ID".to_string(), id.to_string()),
        ("GIT_UPGRADES_COMMIT".to_string(), commit.to_string()),
    ];
    let stream = reporter.wants_output();
    let mut tick = |t: runner::Tick<'_>| reporter.report(Progress::TestsRunning(t));
    let run = runner::run(
        &command,
        runner::RunOptions {
            dir: checkout.path(),
            timeout: Duration::from_secs(policy.test_timeout_secs),
            env,
            stream,
            reaper: reaper_program(),
        },
        &mut tick,
    );
    drop(checkout);
    let (status, exit_code) = match &run.ending {
        runner::Ending::Exited(0) => ("passed", Some(0)),
        runner::Ending::Exited(c) => ("failed", Some(*c)),
        runner::Ending::Signalled(_) => ("failed", None),
        runner::Ending::TimedOut => ("timed-out", None),
        runner::Ending::CouldNotStart(_) => ("error", None),
    };
    let mut output = run.output_tail.clone();
    match &run.ending {
        runner::Ending::TimedOut => output.push_str(&format!(
            "\n[git-upgrades: killed after the {}s timeout]\n",
            policy.test_timeout_secs
        )),
        runner::Ending::CouldNotStart(why) => output.push_str(&format!("[git-upgrades: {why}]\n")),
        runner::Ending::Signalled(sig) => {
            output.push_str(&format!("\n[git-upgrades: killed by signal {sig}]\n"))
        }
        runner::Ending::Exited(_) => {}
    }
    let result = TestResult {
        status: status.into(),
        passed: Some(run.passed()),
        exit_code,
        duration_ms: run.duration.as_millis() as u64,
        command: Some(command),
        output,
        commit: commit.to_string(),
        at: rfc3339(now()),
    };
    reporter.report(Progress::TestsFinished(&result));
    Ok(result)
}

/// This program, when it is the git-upgrades binary (not a test harness), to
/// start as the supervisor that contains the test's processes
/// (`util reap`, see [`runner::supervise`]).
fn reaper_program() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    exe.file_name()?
        .to_str()?
        .starts_with("git-upgrades")
        .then_some(exe)
}
