//! `git upgrades maintain`

use clap::Args;

use crate::error::Result;
use crate::ops::{self, MaintainRequest};
use crate::store::Store;
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
}

/// Run `maintain`.
pub fn run(ui: &mut Ui, args: &MaintainArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let mut spinner = Spinner::new(ui.stderr_tty && !ui.quiet, ui.verbose);
    let bar = crate::ui::progress::QueueBar::new(ui.stderr_tty && !ui.quiet);
    let actions = ops::maintain(
        &store,
        &MaintainRequest {
            dry_run: args.dry_run,
        },
        &mut spinner,
        &mut |n, total, id| bar.set(n, total, id),
    )?;
    drop(bar);
    drop(spinner);
    if ui.json {
        let value = serde_json::json!({
            "format": crate::ui::json::JSON_FORMAT,
            "dry_run": args.dry_run,
            "actions": actions,
        });
        ui.json_pretty(&value)?;
        return Ok(0);
    }
    if actions.is_empty() {
        ui.note("nothing to do");
    }
    let prefix = if args.dry_run { "would be " } else { "" };
    for a in &actions {
        let what = match a.action.as_str() {
            "error" | "skipped" => ui.paint(Style::Bad, &a.action),
            _ => ui.paint(Style::Bold, &format!("{prefix}{}", a.action)),
        };
        ui.line(&format!(
            "{}  {what}  {}",
            ui.paint(Style::Id, &a.id),
            a.detail
        ))?;
    }
    Ok(if actions.iter().any(|a| a.action == "error") {
        1
    } else {
        0
    })
}
