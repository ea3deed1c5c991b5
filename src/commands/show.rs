//! `git upgrades show`

use clap::Args;

use crate::error::Result;
use crate::store::Store;
use crate::ui::json::{EventJson, UpgradeJson};
use crate::ui::{render, Ui};

/// Show one upgrade: its record, test results and events
#[derive(Args, Debug, Clone)]
pub struct ShowArgs {
    /// Upgrade id (or a unique prefix)
    pub id: String,
}

/// Run `show`.
pub fn run(ui: &mut Ui, args: &ShowArgs) -> Result<u8> {
    let repo = crate::repo::open()?;
    let store = Store::new(&repo);
    let up = store.find(&args.id)?;
    let events = store.events(&up)?;
    if ui.json {
        let mut j = UpgradeJson::new(&up);
        j.events = Some(events.iter().map(EventJson::from).collect());
        return ui.json_pretty(&j).map(|_| 0);
    }
    render::detail(ui, &up, &events)?;
    Ok(0)
}
