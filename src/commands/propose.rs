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
#[derive(Args, Debug, Clone)]
pub struct ProposeArgs {
    /// The commit to propose (default: HEAD)
    pub rev: Option<String>,
    /// What the change does
    #[arg(short, long, value_name = "TEXT")]
    pub message: String,
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

/// Run `propose`.
pub fn run(ui: &mut Ui, args: &ProposeArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let req = ProposeRequest {
        rev: args.rev.clone(),
        description: args.message.clone(),
        id: args.id.clone(),
        target: args.target.clone(),
        run_tests: !args.no_test,
    };
    let mut spinner = Spinner::new(ui.stderr_tty && !ui.quiet, ui.verbose);
    let up = ops::propose(&store, &req, &mut spinner)?;
    drop(spinner);
    print_upgrade(ui, &up, "proposed")?;
    if !ui.json {
        ui.note(&format!(
            "hint: review with `git upgrades show {0}`, then `git upgrades approve {0}`",
            up.id
        ));
    }
    let failed = up
        .record
        .tests
        .as_ref()
        .is_some_and(|t| t.passed == Some(false));
    Ok(if failed { EXIT_TESTS_FAILED } else { 0 })
}
