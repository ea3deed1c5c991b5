//! `git upgrades show`

use clap::Args;

use crate::conversation::{self, Files};
use crate::error::Result;
use crate::ops;
use crate::store::Store;
use crate::trust;
use crate::ui::json::{ApprovalStatusJson, EventJson, ShownJson, UpgradeJson};
use crate::ui::{self, render, Ui};

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
    let (mut up, history, events) = store.find_with_events(&args.id)?;
    // Judge the approvals by the target's current policy; a broken policy
    // must not stop `show`, so it is reported instead.
    let tally = ops::branch_tip(&store, &up.record.target)
        .and_then(|tip| ops::policy_at(&repo, &up.record.target, tip).map(|p| (p, tip)))
        .and_then(|(policy, tip)| {
            // What will land is shown as recomputed from the trees, not as
            // the record describes it.
            let change = trust::recompute(&repo, &history.base, &history.head)?;
            up.record.policy_change = change.touches_protected(&policy);
            up.record.files = change.files;
            up.record.stats = change.stats;
            trust::tally(&store, &history, &policy, tip)
        });
    // The target's tip, when the head does not contain it (needs a rebase).
    let stale = crate::ops::branch_tip(&store, &up.record.target)
        .ok()
        .filter(|tip| {
            up.record.state.is_open()
                && crate::ops::needs_rebase(&repo, *tip, &up.record.base, &up.record.head)
        });
    let mut files = Files::new(&store, up.tip);
    let placed = conversation::place(&mut files, &history)?;
    if ui.json {
        let shown = ShownJson {
            upgrade: UpgradeJson {
                events: Some(events.iter().map(EventJson::from).collect()),
                ..UpgradeJson::new(&up)
            },
            approval_status: match &tally {
                Ok(t) => ApprovalStatusJson::Judged(t.into()),
                Err(e) => ApprovalStatusJson::Unknown {
                    error: e.to_string(),
                },
            },
            // The record's list, with ids and revisions from the chain.
            changes_requested: ui::conversation::requests_json(&history),
            comments: ui::conversation::json(&placed),
            needs_rebase: stale.is_some(),
        };
        // Through a `Value`: every object's keys in alphabetical order.
        let j = serde_json::to_value(shown).map_err(std::io::Error::from)?;
        return ui.json_pretty(&j).map(|_| 0);
    }
    // Warned before paging, so the pager does not hide it.
    if let Err(e) = &tally {
        ui.warn(&format!("cannot judge the approvals: {e}"));
    }
    // Long (events, diff preview): paged as git pages `git show`, on a terminal only.
    let said = ui::conversation::lines(
        &ui::conversation::Pen::stdout(ui),
        &history,
        &placed,
        &mut files,
    )?;
    ui.start_pager(Some(&repo));
    render::detail(ui, &up, &events, tally.as_ref().ok(), stale, &said)?;
    Ok(0)
}
