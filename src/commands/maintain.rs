//! `git upgrades maintain`

use clap::Args;

use crate::error::Result;
use crate::ops::{self, MaintainRequest};
use crate::store::Store;
use crate::ui::json::{MaintainJson, JSON_FORMAT};
use crate::ui::progress::Spinner;
use crate::ui::{Style, Ui};

/// Run the policy's scheduled actions: expire, auto-approve and land, prune
///
/// Meant for cron and CI. "Now" is the committer date, so GIT_COMMITTER_DATE
/// sets it, as for any git command. Actions are events with the actor `policy`.
#[derive(Args, Debug, Clone)]
pub struct MaintainArgs {
    /// Only print what would be done
    #[arg(short = 'n', long)]
    pub dry_run: bool,
    /// First check every upgrade's refs and complete what an interrupted
    /// process left half-done: a closed upgrade's queue ref removed and its
    /// archive ref set, an open upgrade's queue ref pointed back at its
    /// recorded head. Refs it cannot account for are reported, not changed
    #[arg(long)]
    pub repair: bool,
}

/// Run `maintain`.
pub fn run(ui: &mut Ui, args: &MaintainArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let repaired: Vec<ops::Action> = if args.repair {
        crate::store::repair::repair_all(&store, args.dry_run)?
            .into_iter()
            .map(|f| ops::Action {
                id: f.id,
                action: f.action,
                detail: f.detail,
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut spinner = Spinner::new(ui.stderr_tty && !ui.quiet, ui.verbose);
    let bar = crate::ui::progress::QueueBar::new(ui.stderr_tty && !ui.quiet);
    let scheduled = ops::maintain(
        &store,
        &MaintainRequest {
            dry_run: args.dry_run,
        },
        &mut spinner,
        &mut |n, total, id| bar.set(n, total, id),
    )?;
    drop(bar);
    drop(spinner);
    let mut actions = repaired;
    actions.extend(scheduled);
    if ui.json {
        let value = MaintainJson {
            actions: &actions,
            dry_run: args.dry_run,
            format: JSON_FORMAT,
            repair: args.repair,
        };
        ui.json_pretty(&value)?;
        return Ok(0);
    }
    if actions.is_empty() {
        ui.note("nothing to do");
    }
    let prefix = if args.dry_run { "would be " } else { "" };
    for a in &actions {
        let what = match a.action.as_str() {
            "error" | "skipped" | "attention" => ui.paint(Style::Bad, &a.action),
            _ => ui.paint(Style::Bold, &format!("{prefix}{}", a.action)),
        };
        ui.line(&format!(
            "{}  {what}  {}",
            ui.paint(Style::Id, &a.id),
            a.detail
        ))?;
        if a.action == "failed" && !args.dry_run {
            if let Ok(up) = store.load(&a.id) {
                super::explain_failure(ui, &up);
            }
        }
    }
    Ok(if actions.iter().any(|a| a.action == "error") {
        1
    } else {
        0
    })
}
