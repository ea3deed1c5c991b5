//! `git upgrades diff`

use clap::Args;

use crate::conversation::Files;
use crate::diff;
use crate::error::{Error, Result};
use crate::interdiff;
use crate::record::{DiffStats, FileChange};
use crate::store::Store;
use crate::text::plural;
use crate::ui::json::{DiffJson, InterDiffJson, RevisionSideJson, JSON_FORMAT};
use crate::ui::{escape, Style, Ui};

/// Show the unified diff of an upgrade against its base, or between two of its revisions
///
/// Paths are quoted as git quotes them (`"a\nb"`, octal escapes for control
/// and non-ASCII bytes). Into a pipe or file the diff body is byte-exact, a
/// patch `git apply` takes; on a terminal, control characters in file
/// contents are shown in caret notation (`^[`).
///
/// With --since or --revisions: what changed between revisions. When both
/// have the same base, the tree diff between their heads; when a rebase
/// changed the base, the two changes are compared file by file, as `git
/// range-diff` does (an outer `-`/`+`/` ` before each line of the patches).
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
    /// What changed from revision N to the current one
    #[arg(long, value_name = "N", conflicts_with = "revisions")]
    pub since: Option<u64>,
    /// What changed between two revisions: A..B (A.. means up to the current one)
    #[arg(long, value_name = "A..B")]
    pub revisions: Option<String>,
}

/// Run `diff`.
pub fn run(ui: &mut Ui, args: &DiffArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    if args.since.is_some() || args.revisions.is_some() {
        return between_revisions(ui, &repo, &store, args);
    }
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
        let value = DiffJson {
            base: &up.record.base,
            diff: (!args.stat && !args.name_only).then_some(text.as_str()),
            files: &files,
            format: JSON_FORMAT,
            head: &up.record.head,
            id: &up.id,
            stats: &stats,
        };
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
        let names: Vec<String> = changes.iter().map(|c| c.quoted().into_owned()).collect();
        return stat(ui, &files, &names, &stats);
    }
    let mut text = String::new();
    diff::unified(&repo, &changes, &mut text, None)?;
    print_diff(ui, text)
}

/// The coloured, escaped diff body (the pager is already started).
fn print_diff(ui: &mut Ui, mut text: String) -> Result<u8> {
    if ui.stdout_tty {
        // File contents shown on a terminal: escaped before our colours are added.
        text = escape::terminal(&text, false).into_owned();
    }
    for line in crate::ui::render::color_diff(ui, &text) {
        ui.diff_line(&line)?;
    }
    Ok(0)
}

/// `diff --since N` / `--revisions A..B`: see [`crate::interdiff`].
fn between_revisions(
    ui: &mut Ui,
    repo: &gix::Repository,
    store: &Store<'_>,
    args: &DiffArgs,
) -> Result<u8> {
    let (up, history) = store.load_full(&store.resolve(&args.id)?)?;
    let (from, to) = match (&args.revisions, args.since) {
        (Some(range), _) => interdiff::parse_range(&history, range)?,
        (None, Some(n)) => {
            interdiff::check(&history, n)?;
            let current = history.current_revision();
            if n == current {
                return Err(Error::usage(format!(
                    "revision {n} is the current one of upgrade {}: nothing changed since",
                    up.id
                )));
            }
            (n, current)
        }
        (None, None) => unreachable!("checked by the caller"),
    };
    let mut files = Files::new(store, up.tip);
    let d = interdiff::interdiff(&mut files, &history, from, to)?;
    let side = |n: u64| {
        let r = &history.revisions[n as usize - 1];
        RevisionSideJson {
            base: &r.base,
            head: &r.head,
            revision: n,
        }
    };
    if ui.json {
        let value = InterDiffJson {
            diff: (!args.stat && !args.name_only).then_some(d.text.as_str()),
            files: &d.files,
            format: JSON_FORMAT,
            from: side(from),
            id: &up.id,
            mode: d.mode.as_str(),
            stats: &d.stats,
            to: side(to),
        };
        return ui.json_pretty(&value).map(|_| 0);
    }
    ui.start_pager(Some(repo));
    if args.name_only {
        for f in &d.files {
            ui.line(&escape::path(&f.path))?;
        }
        return Ok(0);
    }
    if args.stat {
        let names: Vec<String> = d
            .files
            .iter()
            .map(|f| escape::path(&f.path).into_owned())
            .collect();
        return stat(ui, &d.files, &names, &d.stats);
    }
    if d.mode == interdiff::Mode::Patches {
        let (a, b) = (
            &history.revisions[from as usize - 1],
            &history.revisions[to as usize - 1],
        );
        ui.line(&ui.paint(
            Style::Dim,
            &format!(
                "# revisions {from} and {to} have different bases ({} and {}): their changes are compared",
                crate::ui::render::short(&a.base),
                crate::ui::render::short(&b.base)
            ),
        ))?;
    }
    if d.files.is_empty() {
        ui.note(&format!(
            "revisions {from} and {to} of upgrade {} make the same change",
            up.id
        ));
        return Ok(0);
    }
    print_diff(ui, d.text)
}

/// A diffstat of `files` (named `names`, as printed).
fn stat(ui: &mut Ui, files: &[FileChange], names: &[String], stats: &DiffStats) -> Result<u8> {
    let w = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .min(60);
    for (f, name) in files.iter().zip(names) {
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
    Ok(0)
}
