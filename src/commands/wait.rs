//! `git upgrades wait`

use clap::{Args, ValueEnum};

use super::print_upgrade;
use crate::error::{Error, Result, EXIT_INTERRUPTED, EXIT_TESTS_FAILED, EXIT_TIMED_OUT};
use crate::ops::{self, Until, WaitOutcome, WaitRequest};
use crate::record::State;
use crate::store::Store;
use crate::ui::json::UpgradeJson;
use crate::ui::Ui;

/// What to wait for.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum UntilArg {
    /// A final decision: applied, rejected, expired, failed or rolled back
    Decided,
    /// Approvals complete (or a final decision)
    Approved,
}

/// Wait until an upgrade is decided; the exit code says how
///
/// Follows the local refs (and, with --remote, pulls that remote on an
/// interval with backoff) until the upgrade is applied, rejected, expired,
/// failed or rolled back, or with --until approved until its approvals are
/// complete. Exit 0: applied (or approved); 3: its tests failed; 5:
/// rejected, expired or rolled back; 7: the timeout passed first; 130:
/// interrupted; 6: no such upgrade. --json prints the upgrade as last seen.
#[derive(Args, Debug, Clone)]
pub struct WaitArgs {
    /// Upgrade id (or a unique prefix)
    pub id: String,
    /// Give up after this long (e.g. 30s, 10m, 2h)
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// What ends the wait
    #[arg(long, value_enum, default_value = "decided")]
    pub until: UntilArg,
    /// Pull this remote while waiting
    #[arg(long, value_name = "REMOTE")]
    pub remote: Option<String>,
}

/// Run `wait`.
pub fn run(ui: &mut Ui, args: &WaitArgs) -> Result<u8> {
    let timeout = match &args.timeout {
        None => None,
        Some(text) => {
            let secs = crate::time::parse_duration(text)
                .map_err(|e| Error::usage(format!("--timeout {text:?} {e}")))?;
            if secs == 0 {
                return Err(Error::usage("--timeout 0 would not wait at all")
                    .hint("omit --timeout to wait without a limit, or read the state with `git upgrades show`"));
            }
            Some(std::time::Duration::from_secs(secs))
        }
    };
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    crate::interrupt::install();
    let req = WaitRequest {
        id: &args.id,
        until: match args.until {
            UntilArg::Decided => Until::Decided,
            UntilArg::Approved => Until::Approved,
        },
        timeout,
        stop: &crate::interrupt::requested,
    };
    let mut pull = || -> Result<()> {
        if let Some(remote) = &args.remote {
            crate::sync::pull(&store, remote)?;
        }
        Ok(())
    };
    let refresh: Option<&mut dyn FnMut() -> Result<()>> = if args.remote.is_some() {
        Some(&mut pull)
    } else {
        None
    };
    let outcome = ops::wait(&store, &req, refresh)?;
    let (up, how, code) = match outcome {
        WaitOutcome::Reached(up) => {
            let code = match up.record.state {
                State::Applied | State::Approved => 0,
                State::Failed => EXIT_TESTS_FAILED,
                _ => 5,
            };
            (up, "reached", code)
        }
        WaitOutcome::TimedOut(up) => (up, "timed-out", EXIT_TIMED_OUT),
        WaitOutcome::Interrupted(up) => (up, "interrupted", EXIT_INTERRUPTED),
    };
    if ui.json {
        let mut j = serde_json::to_value(UpgradeJson::new(&up)).map_err(std::io::Error::from)?;
        j["wait"] = how.into();
        ui.json_pretty(&j)?;
        return Ok(code);
    }
    print_upgrade(ui, &up, up.record.state.as_str())?;
    match how {
        "timed-out" => ui.note(&format!(
            "still {} after {}; wait again, or see `git upgrades show {}`",
            up.record.state,
            args.timeout.as_deref().unwrap_or("?"),
            up.id
        )),
        "interrupted" => ui.note("interrupted"),
        _ => {}
    }
    Ok(code)
}
