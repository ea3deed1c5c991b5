//! `git upgrades apply`

use clap::Args;

use super::print_upgrade;
use crate::error::{Result, EXIT_TESTS_FAILED};
use crate::ops::{self, ApplyRequest, ApproveOutcome};
use crate::store::Store;
use crate::ui::json::{ApplyAllJson, JSON_FORMAT};
use crate::ui::progress::Spinner;
use crate::ui::{Style, Ui};

/// Land an upgrade whose approvals are complete (tests run again on the exact head)
///
/// With --urgent, land without the required approvals when the policy allows it
/// (policy.allow_urgent); tests still run unless --skip-tests is given and
/// allowed (policy.allow_urgent_skip_tests). Both are logged in the events.
#[derive(Args, Debug, Clone)]
pub struct ApplyArgs {
    /// Upgrade id (or a unique prefix)
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub id: Option<String>,
    /// Land every approved upgrade in order, rebasing onto the target as needed (merge queue)
    #[arg(long, conflicts_with_all = ["urgent", "skip_tests"])]
    pub all: bool,
    /// Bypass the approval wait (needs --reason and policy.allow_urgent)
    #[arg(long, requires = "reason")]
    pub urgent: bool,
    /// Why the bypass is needed (recorded in the events)
    #[arg(long, value_name = "TEXT", requires = "urgent")]
    pub reason: Option<String>,
    /// With --urgent: do not run the tests (needs policy.allow_urgent_skip_tests)
    #[arg(long, requires = "urgent")]
    pub skip_tests: bool,
}

/// Run `apply`.
pub fn run(ui: &mut Ui, args: &ApplyArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    if args.all {
        return run_all(ui, &store);
    }
    let req = ApplyRequest {
        id: args.id.clone().unwrap_or_default(),
        urgent: if args.urgent {
            Some(args.reason.clone().unwrap_or_default())
        } else {
            None
        },
        skip_tests: args.skip_tests,
    };
    let mut spinner = Spinner::new(ui.stderr_tty && !ui.quiet, ui.verbose);
    let outcome = ops::apply(&store, &req, &mut spinner)?;
    drop(spinner);
    let code = match &outcome {
        ApproveOutcome::TestsFailed(_) => EXIT_TESTS_FAILED,
        _ => 0,
    };
    let verb = if code == 0 { "applied" } else { "failed" };
    print_upgrade(ui, outcome.upgrade(), verb)?;
    if code != 0 {
        super::explain_failure(ui, outcome.upgrade());
    }
    if args.urgent && !ui.json {
        ui.warn("landed through the urgent bypass; this is recorded in the upgrade's events");
    }
    Ok(code)
}

fn run_all(ui: &mut Ui, store: &Store<'_>) -> Result<u8> {
    let mut spinner = Spinner::new(ui.stderr_tty && !ui.quiet, ui.verbose);
    let bar = crate::ui::progress::QueueBar::new(ui.stderr_tty && !ui.quiet);
    let results = ops::apply_all(store, &mut spinner, &mut |n, total, id| {
        bar.set(n, total, id)
    })?;
    drop(bar);
    drop(spinner);
    if ui.json {
        ui.json_pretty(&ApplyAllJson {
            format: JSON_FORMAT,
            results: &results,
        })?;
    } else if results.is_empty() {
        ui.note("no approved upgrades to apply");
    } else {
        for r in &results {
            let mark = match r.result.as_str() {
                "applied" => ui.paint(Style::Good, ui.check()),
                _ => ui.paint(Style::Bad, ui.cross()),
            };
            let state = r.state.map(|s| s.as_str()).unwrap_or("?");
            ui.line(&format!(
                "{mark} {}  {}  ({state})  {}",
                ui.paint(Style::Id, &r.id),
                r.result,
                r.detail
            ))?;
            if r.result == "failed" {
                if let Ok(up) = store.load(&r.id) {
                    super::explain_failure(ui, &up);
                }
            }
        }
    }
    let failed = results.iter().any(|r| r.result == "failed");
    let other = results
        .iter()
        .any(|r| r.result == "error" || r.result == "conflict");
    Ok(if failed {
        EXIT_TESTS_FAILED
    } else if other {
        4
    } else {
        0
    })
}
