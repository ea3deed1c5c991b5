//! `git upgrades propose`

use clap::Args;

use super::print_upgrade;
use crate::error::{Result, EXIT_TESTS_FAILED};
use crate::ops::{self, ProposeRequest};
use crate::store::Store;
use crate::ui::progress::Spinner;
use crate::ui::Ui;

/// Propose a commit for review: snapshot it under refs/upgrades/<id> and record it
///
/// The proposal records the description, target, base, head, files changed
/// with line counts, a diff preview, who and when; then runs the target's test
/// command on the exact commit unless --no-test is given. Exits 3 if those
/// tests fail (the proposal is recorded either way).
///
/// With -q, stdout is the new upgrade's id alone on one line
/// (`id=$(git upgrades propose -q -m ...)`) and stderr carries only errors
/// and warnings; the exit code still tells whether the tests passed.
#[derive(Args, Debug, Clone)]
pub struct ProposeArgs {
    /// The commit to propose (default: HEAD)
    #[arg(conflicts_with = "worktree")]
    pub rev: Option<String>,
    /// Propose the uncommitted changes of the working tree instead (committed on top of
    /// HEAD without touching your index or files)
    #[arg(short = 'w', long)]
    pub worktree: bool,
    /// What the change does
    #[arg(
        short,
        long,
        value_name = "TEXT",
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    pub message: Option<String>,
    /// Read the description from FILE (`-` for standard input)
    #[arg(short = 'F', long, value_name = "FILE")]
    pub file: Option<std::path::PathBuf>,
    /// Choose the upgrade id instead of generating one
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// The branch to land on (default: upgrades.target, the policy's target, main or master)
    #[arg(long, value_name = "BRANCH")]
    pub target: Option<String>,
    /// Do not run the tests now
    #[arg(long)]
    pub no_test: bool,
}

/// Read at most a little more than the limit, so a huge file cannot exhaust memory.
fn read_description(path: &std::path::Path) -> Result<String> {
    super::read_text(path, ops::MAX_DESCRIPTION_BYTES, "the description")
}

/// Run `propose`.
pub fn run(ui: &mut Ui, args: &ProposeArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let req = ProposeRequest {
        rev: args.rev.clone(),
        description: match (&args.message, &args.file) {
            (Some(m), _) => m.clone(),
            (None, Some(path)) => read_description(path)?,
            (None, None) => String::new(),
        },
        id: args.id.clone(),
        target: args.target.clone(),
        run_tests: !args.no_test,
        from_worktree: args.worktree,
    };
    let mut spinner = Spinner::new(ui.stderr_tty && !ui.quiet, ui.verbose);
    let up = ops::propose(&store, &req, &mut spinner)?;
    drop(spinner);
    if ui.quiet && !ui.json {
        ui.line(&up.id)?;
    } else {
        print_upgrade(ui, &up, "proposed")?;
    }
    if !ui.json {
        let r = &up.record;
        if let Ok(tip) = ops::branch_tip(&store, &r.target) {
            if ops::needs_rebase(&repo, tip, &r.base, &r.head) {
                ui.note(&format!(
                    "note: the head does not contain {}'s tip {} (it is based on {}): it needs a rebase before it can land: `git upgrades rebase {}`",
                    r.target,
                    tip.to_hex_with_len(10),
                    r.base.get(..10).unwrap_or(&r.base),
                    up.id
                ));
            }
        }
    }
    let failed = up
        .record
        .tests
        .as_ref()
        .is_some_and(|t| t.passed == Some(false));
    if failed {
        super::explain_failure(ui, &up);
        if !ui.json {
            ui.note(&format!(
                "hint: the proposal is recorded; fix the change and propose it again, or `git upgrades reject {}`",
                up.id
            ));
        }
    } else if !ui.json {
        ui.note(&format!(
            "hint: review with `git upgrades show {0}`, then `git upgrades approve {0}`",
            up.id
        ));
    }
    Ok(if failed { EXIT_TESTS_FAILED } else { 0 })
}
