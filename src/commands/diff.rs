//! `git upgrades diff`

use clap::Args;

use crate::diff;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::text::plural;
use crate::ui::{escape, Style, Ui};

/// Show the unified diff of an upgrade against its base
///
/// Paths are quoted as git quotes them (`"a\nb"`, octal escapes for control
/// and non-ASCII bytes). Into a pipe or file the diff body is byte-exact, a
/// patch `git apply` takes; on a terminal, control characters in file
/// contents are shown in caret notation (`^[`).
#[derive(Args, Debug, Clone)]
pub struct DiffArgs {
    /// Upgrade id (or a unique prefix)
    pub id: String,
    /// Show only a diffstat
    #[arg(long, conflicts_with = "name_only")]
    pub stat: bool,
    /// Show only the names of changed files
    #[arg(long)]
    pub name_only: bool,
}

/// Run `diff`.
pub fn run(ui: &mut Ui, args: &DiffArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let up = store.find(&args.id)?;
    let parse = |hex: &str| -> Result<gix::ObjectId> {
        hex.parse()
            .map_err(|_| Error::failure(format!("upgrade {}: damaged object id", up.id)))
    };
    let base = parse(&up.record.base)?;
    let head = parse(&up.record.head)?;
    let tree_of = |id: gix::ObjectId| -> Result<gix::ObjectId> {
        Ok(repo
            .find_commit(id)
            .map_err(|e| Error::from_std(format!("upgrade {}: commit {id} is missing", up.id), &e))?
            .tree_id()?
            .detach())
    };
    let changes = diff::changed_paths(&repo, tree_of(base)?, tree_of(head)?)?;
    if ui.json {
        let (files, stats) = diff::file_stats(&repo, &changes)?;
        let mut text = String::new();
        if !args.stat && !args.name_only {
            diff::unified(&repo, &changes, &mut text, None)?;
        }
        let value = serde_json::json!({
            "format": crate::ui::json::JSON_FORMAT,
            "id": up.id,
            "base": up.record.base,
            "head": up.record.head,
            "files": files,
            "stats": stats,
            "diff": if args.stat || args.name_only { serde_json::Value::Null } else { text.into() },
        });
        return ui.json_pretty(&value).map(|_| 0);
    }
    ui.start_pager(Some(&repo));
    if args.name_only {
        for c in &changes {
            ui.line(&c.quoted())?;
        }
        return Ok(0);
    }
    if args.stat {
        let (files, stats) = diff::file_stats(&repo, &changes)?;
        let names: Vec<_> = changes.iter().map(|c| c.quoted()).collect();
        let w = names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        for (f, name) in files.iter().zip(&names) {
            let counts = if f.binary {
                "Bin".to_string()
            } else {
                format!("{}", f.added + f.removed)
            };
            let bar = format!(
                "{}{}",
                ui.paint(Style::Good, &"+".repeat((f.added as usize).min(40))),
                ui.paint(Style::Bad, &"-".repeat((f.removed as usize).min(40)))
            );
            ui.line(&format!(" {} | {counts:>5} {bar}", crate::ui::fit(name, w)))?;
        }
        ui.line(&format!(
            " {} changed, {}(+), {}(-)",
            plural(stats.files, "file"),
            plural(stats.added, "insertion"),
            plural(stats.removed, "deletion")
        ))?;
        return Ok(0);
    }
    let mut text = String::new();
    diff::unified(&repo, &changes, &mut text, None)?;
    if ui.stdout_tty {
        // File contents shown on a terminal: escaped before our colours are added.
        text = escape::terminal(&text, false).into_owned();
    }
    for line in crate::ui::render::color_diff(ui, &text) {
        ui.diff_line(&line)?;
    }
    Ok(0)
}
