//! `git upgrades reject`

use clap::Args;

use super::print_upgrade;
use crate::error::Result;
use crate::ops::{self, RejectRequest};
use crate::store::Store;
use crate::ui::Ui;

/// Reject an upgrade: record who and why, and remove it from the queue
///
/// Deletes refs/upgrades/<id>; the record, its events and the reviewed commit
/// stay readable (refs/notes/upgrades/<id>, refs/upgrades-archive/<id>).
#[derive(Args, Debug, Clone)]
pub struct RejectArgs {
    /// Upgrade id (or a unique prefix)
    pub id: String,
    /// Why it is rejected
    #[arg(short, long, value_name = "TEXT")]
    pub message: Option<String>,
}

/// Run `reject`.
pub fn run(ui: &mut Ui, args: &RejectArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let up = ops::reject(
        &store,
        &RejectRequest {
            id: args.id.clone(),
            reason: args.message.clone(),
        },
    )?;
    print_upgrade(ui, &up, "rejected")?;
    Ok(0)
}
