//! `git upgrades rebase`

use clap::Args;

use super::print_upgrade;
use crate::error::Result;
use crate::ops::{self, RebaseOutcome};
use crate::store::Store;
use crate::ui::Ui;

/// Rebase an open upgrade onto its target's current tip
///
/// The rebased head is a new commit; approvals carry over only when the
/// change is unchanged (same git patch-id), otherwise the upgrade goes back to
/// `proposed`. A conflict changes nothing (exit 4).
#[derive(Args, Debug, Clone)]
pub struct RebaseArgs {
    /// Upgrade id (or a unique prefix)
    pub id: String,
}

/// Run `rebase`.
pub fn run(ui: &mut Ui, args: &RebaseArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let id = store.resolve(&args.id)?;
    match ops::rebase(&store, &id)? {
        RebaseOutcome::UpToDate(u) => {
            print_upgrade(ui, &u, "up to date")?;
            Ok(0)
        }
        RebaseOutcome::Rebased {
            upgrade,
            approvals_kept,
        } => {
            print_upgrade(ui, &upgrade, "rebased")?;
            if !ui.json {
                ui.note(if approvals_kept {
                    "the change is unchanged; its approvals carry over"
                } else {
                    "the change differs after rebasing; it needs approval again"
                });
            }
            Ok(0)
        }
        RebaseOutcome::Conflict { upgrade, reason } => {
            if ui.json {
                print_upgrade(ui, &upgrade, "conflict")?;
            }
            Err(crate::error::Error::conflict(format!(
                "cannot rebase upgrade {}: {reason}",
                upgrade.id
            ))
            .hint("rebase the branch by hand and propose it again"))
        }
    }
}
