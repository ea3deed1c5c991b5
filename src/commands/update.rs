//! `git upgrades update`

use clap::Args;

use super::print_upgrade;
use crate::error::{Result, EXIT_TESTS_FAILED};
use crate::ops::{self, UpdateRequest};
use crate::store::Store;
use crate::ui::json::{UpdateJson, UpdatedJson, UpgradeJson};
use crate::ui::progress::Spinner;
use crate::ui::Ui;

/// Record a new revision of an open upgrade (its proposer only)
///
/// `refs/upgrades/<id>` moves to the new head in the same compare-and-swap
/// transaction as the `upgrade.revised` event; every earlier revision stays
/// readable (`diff <id> --since <n>`). Approvals carry over only when the
/// change is unchanged (same git patch-id, e.g. a pure rebase); otherwise they
/// no longer count. The tests run on the new head unless --no-test (exit 3
/// when they fail; the revision is recorded either way). Exit 1 for a closed
/// upgrade, 5 when you are not its proposer.
#[derive(Args, Debug, Clone)]
pub struct UpdateArgs {
    /// Upgrade id (or a unique prefix)
    pub id: String,
    /// The new head (default: HEAD)
    #[arg(conflicts_with = "worktree")]
    pub rev: Option<String>,
    /// Take the uncommitted changes of the working tree instead (committed on top of HEAD
    /// without touching your index or files)
    #[arg(short = 'w', long)]
    pub worktree: bool,
    /// What changed in this revision, for the reviewers
    #[arg(short, long, value_name = "TEXT")]
    pub message: Option<String>,
    /// Do not run the tests now
    #[arg(long)]
    pub no_test: bool,
}

/// Run `update`.
pub fn run(ui: &mut Ui, args: &UpdateArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let req = UpdateRequest {
        id: args.id.clone(),
        rev: args.rev.clone(),
        note: args.message.clone(),
        from_worktree: args.worktree,
        run_tests: !args.no_test,
    };
    let mut spinner = Spinner::new(ui.stderr_tty && !ui.quiet, ui.verbose);
    let outcome = ops::update(&store, &req, &mut spinner)?;
    drop(spinner);
    let up = &outcome.upgrade;
    let failed = up
        .record
        .tests
        .as_ref()
        .is_some_and(|t| t.passed == Some(false));
    if ui.json {
        let updated = UpdatedJson {
            upgrade: UpgradeJson::new(up),
            update: UpdateJson {
                approvals_kept: outcome.approvals_kept,
                approvals_void: outcome.approvals_void,
                revision: outcome.revision,
            },
        };
        // Through a `Value`: the upgrade object's keys in alphabetical order.
        let j = serde_json::to_value(updated).map_err(std::io::Error::from)?;
        ui.json_pretty(&j)?;
    } else {
        print_upgrade(ui, up, &format!("revision {} of", outcome.revision))?;
        if outcome.approvals_kept {
            ui.note("the change is unchanged (same patch id): its approvals carry over");
        } else if outcome.approvals_void > 0 {
            ui.note(&format!(
                "the change differs: {} of the previous revision no longer {}",
                crate::text::plural(outcome.approvals_void as u64, "approval"),
                if outcome.approvals_void == 1 {
                    "counts"
                } else {
                    "count"
                }
            ));
        }
        if failed {
            super::explain_failure(ui, up);
        } else {
            ui.note(&format!(
                "hint: reviewers see what changed with `git upgrades diff {} --since {}`",
                up.id,
                outcome.revision.saturating_sub(1).max(1)
            ));
        }
    }
    Ok(if failed { EXIT_TESTS_FAILED } else { 0 })
}
