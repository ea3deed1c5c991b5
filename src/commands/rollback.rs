//! `git upgrades rollback`

use clap::Args;

use super::print_upgrade;
use crate::error::Result;
use crate::ops;
use crate::store::Store;
use crate::ui::Ui;

/// Put the target back to the tip it had before an upgrade landed
///
/// Only if nothing landed on top since (compare-and-swap); exit 4 otherwise.
#[derive(Args, Debug, Clone)]
pub struct RollbackArgs {
    /// Upgrade id (or a unique prefix)
    pub id: String,
    /// Why (recorded in the event)
    #[arg(short, long, value_name = "TEXT")]
    pub message: Option<String>,
}

/// Run `rollback`.
pub fn run(ui: &mut Ui, args: &RollbackArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let up = ops::rollback(&store, &args.id, args.message.clone())?;
    print_upgrade(ui, &up, "rolled back")?;
    Ok(0)
}
