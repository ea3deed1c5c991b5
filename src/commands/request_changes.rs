//! `git upgrades request-changes`

use clap::Args;

use super::print_upgrade;
use crate::error::Result;
use crate::ops;
use crate::record::MAX_COMMENT_BYTES;
use crate::store::Store;
use crate::ui::Ui;

/// Ask for changes: a blocking vote until you approve a later revision or withdraw
///
/// An `upgrade.changes-requested` event on the current revision. While it is
/// open the upgrade cannot land, however many approvals it has; your own
/// `approve` clears it, as does `--withdraw`. The proposer cannot request
/// changes (exit 5; they update instead), nor can someone the policy's
/// `approvers` do not list. Only open upgrades (exit 1 otherwise).
#[derive(Args, Debug, Clone)]
pub struct RequestChangesArgs {
    /// Upgrade id (or a unique prefix)
    pub id: String,
    /// What should change
    #[arg(
        short,
        long,
        value_name = "TEXT",
        required_unless_present_any = ["message_file", "withdraw"],
        conflicts_with = "message_file"
    )]
    pub message: Option<String>,
    /// Read it from FILE (`-` for standard input)
    #[arg(short = 'F', long, value_name = "FILE")]
    pub message_file: Option<std::path::PathBuf>,
    /// Take back your open change request instead
    #[arg(long, conflicts_with_all = ["message", "message_file"])]
    pub withdraw: bool,
}

/// Run `request-changes`.
pub fn run(ui: &mut Ui, args: &RequestChangesArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    if args.withdraw {
        let up = ops::withdraw_request(&store, &args.id)?;
        print_upgrade(ui, &up, "withdrew the change request on")?;
        return Ok(0);
    }
    let text = match (&args.message, &args.message_file) {
        (Some(m), _) => m.clone(),
        (None, Some(path)) => super::read_text(path, MAX_COMMENT_BYTES, "the change request")?,
        (None, None) => String::new(),
    };
    let up = ops::request_changes(&store, &args.id, &text)?;
    print_upgrade(ui, &up, "requested changes on")?;
    if !ui.json {
        ui.note(&format!(
            "it cannot land until you approve a revision or withdraw: `git upgrades request-changes {} --withdraw`",
            up.id
        ));
    }
    Ok(0)
}
