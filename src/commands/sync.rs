//! `git upgrades push`, `pull` and `sync`.

use clap::Args;

use crate::error::{Error, Result};
use crate::store::Store;
use crate::sync::{self, PullChange, PushOutcome};
use crate::ui::json::{PullJson, PushJson, SyncJson, JSON_FORMAT};
use crate::ui::{Style, Ui};

/// Send the queue to a remote (one atomic, leased push)
///
/// Pushes every changed ref under refs/upgrades/, refs/upgrades-archive/ and
/// refs/notes/upgrades/, plus target branches that upgrades applied here
/// moved. Each ref is leased on what was last fetched; when the remote moved
/// since, its queue is fetched and the push tried once more. Exits 4 if it
/// moved again (run `sync`).
#[derive(Args, Debug, Clone)]
pub struct PushArgs {
    /// The remote (default: as git chooses for pushing)
    pub remote: Option<String>,
}

/// Fetch a remote's queue and merge it into ours
#[derive(Args, Debug, Clone)]
pub struct PullArgs {
    /// The remote (default: as git chooses)
    pub remote: Option<String>,
}

/// Pull, then push, retrying when another clone pushed in between
#[derive(Args, Debug, Clone)]
pub struct SyncArgs {
    /// The remote (default: as git chooses)
    pub remote: Option<String>,
}

fn print_pulled(ui: &mut Ui, remote: &str, changes: &[PullChange]) -> Result<()> {
    for c in changes {
        let state =
            |s: Option<crate::record::State>| s.map(|s| s.as_str().to_string()).unwrap_or_default();
        let line = match c.change.as_str() {
            "new" => format!(
                "{} new upgrade {} ({})",
                ui.paint(Style::Good, "+"),
                ui.paint(Style::Id, &c.id),
                state(c.to)
            ),
            "updated" => format!(
                "  {} {} -> {}",
                ui.paint(Style::Id, &c.id),
                state(c.from),
                state(c.to)
            ),
            "merged" => format!("  {} merged: {}", ui.paint(Style::Id, &c.id), c.detail),
            "target" => format!("  {}", c.detail),
            _ => format!(
                "{} {} refused: {}",
                ui.paint(Style::Bad, "!"),
                c.id,
                c.detail
            ),
        };
        ui.line(&line)?;
    }
    if changes.is_empty() {
        ui.note(&format!("nothing new from {remote}"));
    }
    Ok(())
}

/// The closing line agrees with the exit code: a push that left diverged
/// upgrades behind (exit 4) says so on stderr, never "up to date".
fn print_pushed(ui: &mut Ui, remote: &str, out: &PushOutcome) -> Result<()> {
    let summary = out.summary(remote);
    if out.complete() {
        if out.updated.is_empty() && out.deleted.is_empty() {
            ui.note(&summary);
        } else {
            ui.line(&summary)?;
        }
        return Ok(());
    }
    ui.flush()?;
    ui.eprint(&format!(
        "{} {}\n{} run `git upgrades sync {remote}` (or `pull`, then `push`) to merge them and push\n",
        ui.paint_err(Style::Bad, "error:"),
        crate::ui::escape::text(&summary),
        ui.paint_err(Style::Warn, "hint:")
    ));
    Ok(())
}

fn exit_for(changes: &[PullChange], out: Option<&PushOutcome>) -> u8 {
    let refused = changes.iter().any(|c| c.change == "refused");
    let diverged = out.is_some_and(|o| !o.diverged.is_empty());
    if diverged {
        4
    } else if refused {
        1
    } else {
        0
    }
}

/// Run `push`.
pub fn push(ui: &mut Ui, args: &PushArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let remote = sync::resolve_remote(&repo, args.remote.as_deref())?;
    let out = sync::push_leased(&store, &remote)?;
    if ui.json {
        ui.json_pretty(&PushJson {
            format: JSON_FORMAT,
            pushed: &out,
            remote: &remote,
        })?;
    } else {
        print_pushed(ui, &remote, &out)?;
    }
    Ok(exit_for(&[], Some(&out)))
}

/// Run `pull`.
pub fn pull(ui: &mut Ui, args: &PullArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let remote = sync::resolve_remote(&repo, args.remote.as_deref())?;
    let (changes, stats) = sync::pull_counted(&store, &remote)?;
    if ui.verbose {
        ui.note(&format!(
            "validated {} of {} upgrades on {remote}; the others are unchanged here",
            stats.validated, stats.remote
        ));
    }
    if ui.json {
        ui.json_pretty(&PullJson {
            format: JSON_FORMAT,
            pulled: &changes,
            remote: &remote,
            stats: &stats,
        })?;
    } else {
        print_pulled(ui, &remote, &changes)?;
        for c in changes.iter().filter(|c| c.change == "refused") {
            ui.warn(&format!("refused {}: {}", c.id, c.detail));
        }
    }
    Ok(exit_for(&changes, None))
}

/// Run `sync`.
pub fn sync(ui: &mut Ui, args: &SyncArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let remote = sync::resolve_remote(&repo, args.remote.as_deref())?;
    let (changes, out) = sync::sync(&store, &remote).map_err(|e: Error| e)?;
    if ui.json {
        ui.json_pretty(&SyncJson {
            format: JSON_FORMAT,
            pulled: &changes,
            pushed: &out,
            remote: &remote,
        })?;
    } else {
        print_pulled(ui, &remote, &changes)?;
        print_pushed(ui, &remote, &out)?;
    }
    Ok(exit_for(&changes, Some(&out)))
}
