//! One module per subcommand: its clap arguments (whose doc comment is the
//! help text) and a `run` that calls the library and renders the result.

pub mod apply;
pub mod approve;
pub mod comment;
pub mod diff;
pub mod export;
pub mod hook;
pub mod init;
pub mod list;
pub mod log;
pub mod maintain;
pub mod propose;
pub mod rebase;
pub mod reject;
pub mod request_changes;
pub mod review;
pub mod rollback;
pub mod show;
pub mod sync;
pub mod update;
pub mod util;
pub mod verify;
pub mod wait;

use crate::error::Result;
use crate::store::Upgrade;
use crate::ui::json::UpgradeJson;
use crate::ui::{Style, Ui};

/// Read `what` (e.g. "the comment") from a file, `-` for standard input; at
/// most a little more than `limit` bytes are read, so a huge input cannot
/// exhaust memory, and more than `limit` is a usage error.
pub fn read_text(path: &std::path::Path, limit: usize, what: &str) -> Result<String> {
    use std::io::Read;
    let cap = limit as u64 + 1;
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().take(cap).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(cap).read_to_end(&mut bytes))
    };
    read.map_err(|e| crate::error::Error::from_std(format!("cannot read {}", path.display()), &e))?;
    if bytes.len() as u64 >= cap {
        return Err(crate::error::Error::usage(format!(
            "{what} in {} is longer than {limit} bytes",
            path.display()
        )));
    }
    String::from_utf8(bytes)
        .map_err(|_| crate::error::Error::usage(format!("{} is not UTF-8 text", path.display())))
}

/// Open the repository and let its git config refine the output settings.
pub fn open_repo(ui: &mut Ui) -> Result<gix::Repository> {
    let repo = crate::repo::open()?;
    ui.apply_repo_config(&repo);
    Ok(repo)
}

/// After a failed test run's result: why it failed, on stderr (human mode).
pub fn explain_failure(ui: &Ui, up: &Upgrade) {
    if ui.json {
        return;
    }
    if let Some(t) = up.record.tests.as_ref().filter(|t| t.passed == Some(false)) {
        for line in crate::ui::render::failure_lines(ui, &up.id, t) {
            ui.note(&line);
        }
    }
}

/// Print one upgrade as JSON, or a one-line human summary prefixed by `verb`.
pub fn print_upgrade(ui: &mut Ui, up: &Upgrade, verb: &str) -> Result<()> {
    if ui.json {
        return ui.json_pretty(&UpgradeJson::new(up));
    }
    let r = &up.record;
    let id = ui.paint(Style::Id, &up.id);
    let desc = crate::record::sanitize_line(&r.description, 72);
    ui.line(&format!("{verb} {id}: {desc}"))?;
    ui.line(&format!(
        "  {} -> {}  +{} -{} in {}  tests: {}",
        crate::ui::render::short(&r.head),
        r.target,
        r.stats.added,
        r.stats.removed,
        crate::text::plural(r.stats.files, "file"),
        crate::ui::render::tests_summary(ui, &r.tests)
    ))
}
