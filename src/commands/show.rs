//! `git upgrades show`

use clap::Args;

use crate::error::Result;
use crate::ops;
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
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let up = store.find(&args.id)?;
    let events = store.events(&up)?;
    // Judge the approvals by the target's current policy; a broken policy
    // must not stop `show`, so it is reported instead.
    let tally = ops::branch_tip(&store, &up.record.target)
        .and_then(|tip| ops::policy_at(&repo, &up.record.target, tip).map(|p| (p, tip)))
        .and_then(|(policy, tip)| ops::trust::tally(&store, &up, &policy, tip));
    if ui.json {
        let mut j = serde_json::to_value(UpgradeJson::new(&up)).map_err(std::io::Error::from)?;
        j["events"] = serde_json::to_value(events.iter().map(EventJson::from).collect::<Vec<_>>())
            .map_err(std::io::Error::from)?;
        j["approval_status"] = match &tally {
            Ok(t) => serde_json::json!({
                "valid": t.valid,
                "required": t.required,
                "approvals": t.approvals.iter().map(|a| serde_json::json!({
                    "by": a.by,
                    "counts": a.counts,
                    "why_not": a.why_not,
                    "signature": a.signature.as_ref().map(|s| s.describe()),
                })).collect::<Vec<_>>(),
            }),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        };
        return ui.json_pretty(&j).map(|_| 0);
    }
    render::detail(ui, &up, &events, tally.as_ref().ok())?;
    if let Err(e) = &tally {
        ui.warn(&format!("cannot judge the approvals: {e}"));
    }
    Ok(0)
}
