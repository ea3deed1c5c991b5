//! `git upgrades approve`

use clap::Args;

use super::print_upgrade;
use crate::error::{Result, EXIT_TESTS_FAILED};
use crate::ops::{self, ApproveOutcome, ApproveRequest};
use crate::store::Store;
use crate::ui::progress::Spinner;
use crate::ui::Ui;

/// Approve an upgrade; once approvals are complete, test it and fast-forward its target
///
/// The tests run in an isolated checkout of the exact head commit, then the
/// target moves by a compare-and-swap update. Tests fail: the upgrade is
/// `failed`, the target untouched, exit 3. Target moved and is no longer an
/// ancestor of the head: exit 4, nothing changed.
#[derive(Args, Debug, Clone)]
pub struct ApproveArgs {
    /// Upgrade id (or a unique prefix)
    pub id: String,
    /// A comment recorded with the approval
    #[arg(short, long, value_name = "TEXT")]
    pub message: Option<String>,
    /// Only record the approval; do not land
    #[arg(long)]
    pub no_apply: bool,
    /// Sign the approval with git's signing set-up (implied when the policy requires it)
    #[arg(short = 'S', long)]
    pub sign: bool,
    /// First rebase it onto the target's tip if its head does not contain
    /// it (approvals carry over only when the change is unchanged)
    #[arg(long)]
    pub rebase: bool,
}

/// Run `approve`.
pub fn run(ui: &mut Ui, args: &ApproveArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let req = ApproveRequest {
        id: args.id.clone(),
        comment: args.message.clone(),
        apply: !args.no_apply,
        sign: args.sign,
    };
    if args.rebase {
        let up = store.find(&args.id)?;
        let tip = ops::branch_tip(&store, &up.record.target)?;
        if ops::needs_rebase(&repo, tip, &up.record.base, &up.record.head) {
            match ops::rebase(&store, &up.id)? {
                ops::RebaseOutcome::Rebased {
                    upgrade,
                    approvals_kept,
                } => ui.note(&format!(
                    "rebased {} onto {} ({})",
                    upgrade.id,
                    upgrade.record.target,
                    if approvals_kept {
                        "the change is unchanged: earlier approvals carried over"
                    } else {
                        "the change differs: earlier approvals no longer count"
                    }
                )),
                ops::RebaseOutcome::Conflict { reason, .. } => {
                    return Err(crate::error::Error::conflict(format!(
                        "cannot rebase upgrade {} onto {}: {}; nothing changed",
                        up.id,
                        up.record.target,
                        crate::record::sanitize_line(&reason, 200)
                    ))
                    .hint("rebase the branch by hand and propose it again"))
                }
                _ => {}
            }
        }
    }
    let mut spinner = Spinner::new(ui.stderr_tty && !ui.quiet, ui.verbose);
    let outcome = ops::approve(&store, &req, &mut spinner)?;
    drop(spinner);
    let (verb, code) = match &outcome {
        ApproveOutcome::Recorded(_) => ("approved", 0),
        ApproveOutcome::Applied(_) => ("applied", 0),
        ApproveOutcome::TestsFailed(_) => ("failed", EXIT_TESTS_FAILED),
    };
    let up = outcome.upgrade();
    print_upgrade(ui, up, verb)?;
    if !ui.json {
        match &outcome {
            ApproveOutcome::Applied(u) => {
                if let Some(l) = &u.record.landing {
                    ui.note(&format!(
                        "{} fast-forwarded {} -> {}",
                        u.record.target,
                        crate::ui::render::short(&l.previous_target),
                        crate::ui::render::short(&l.new_target)
                    ));
                }
            }
            ApproveOutcome::TestsFailed(u) => {
                super::explain_failure(ui, u);
                ui.note(&format!(
                    "{} was not changed; the upgrade is now failed",
                    u.record.target
                ));
            }
            ApproveOutcome::Recorded(u) => {
                let blocked: Vec<&str> = u.record.open_requests().map(|c| c.by.as_str()).collect();
                if u.record.state == crate::record::State::Approved && !blocked.is_empty() {
                    ui.note(&format!(
                        "it cannot land yet: changes requested by {} (it lands once they approve a revision or withdraw)",
                        crate::ui::render::who(&blocked.join(", "))
                    ));
                } else if u.record.state == crate::record::State::Approved {
                    ui.note(&format!(
                        "hint: land it with `git upgrades approve {}`",
                        u.id
                    ));
                } else {
                    ui.note("waiting for more approvals");
                }
            }
        }
    }
    Ok(code)
}
