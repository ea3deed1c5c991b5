//! `git upgrades show`

use clap::Args;

use crate::conversation::{self, Files};
use crate::error::Result;
use crate::ops;
use crate::store::Store;
use crate::trust;
use crate::ui::json::{EventJson, UpgradeJson};
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
        let mut j = serde_json::to_value(UpgradeJson::new(&up)).map_err(std::io::Error::from)?;
        j["comments"] = ui::conversation::json(&placed);
        // The record's list, with ids and revisions from the chain.
        j["changes_requested"] = ui::conversation::requests_json(&history);
        j["events"] = serde_json::to_value(events.iter().map(EventJson::from).collect::<Vec<_>>())
            .map_err(std::io::Error::from)?;
        j["needs_rebase"] = stale.is_some().into();
        j["approval_status"] = match &tally {
            Ok(t) => serde_json::json!({
                "valid": t.valid,
                "required": t.required,
                "identity": if t.signed { "signed" } else { "claimed" },
                "approvals": t.approvals.iter().map(|a| serde_json::json!({
                    "by": a.by,
                    "counts": a.counts,
                    "why_not": a.why_not,
                    "proof": a.proof.label(),
                    "signature": match &a.proof {
                        trust::Proof::Signature(s) => Some(s.describe()),
                        _ => None,
                    },
                    "carried_from": a.carried_from,
                })).collect::<Vec<_>>(),
                "blocking": t.blocking.iter().map(|b| serde_json::json!({
                    "by": b.by,
                    "text": b.text,
                    "revision": b.revision,
                    "note": b.note,
                })).collect::<Vec<_>>(),
                "complete": t.complete(),
            }),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        };
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
