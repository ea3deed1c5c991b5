//! `reject`: record who and why, delete the upgrade's open ref; the record,
//! the events and the reviewed commit (kept by the archive ref) stay readable.
//!
//! Reject works whatever happened to the open ref: moved or deleted outside
//! the tool, it is deleted (compare-and-swap on what it points at now) and the
//! archive ref keeps the recorded head. A closed upgrade whose close a killed
//! process left half-done is completed first ([`repair::repair_upgrade`]).

use std::cell::Cell;

use super::{append_retrying, details, transition, Actor, Planned};
use crate::error::{Error, Result};
use crate::machine::Facts;
use crate::record::{Closure, EventKind};
use crate::store::{close_refs_regardless, lock, open_ref, repair, Store, Upgrade};

/// What to reject.
#[derive(Debug, Clone, Default)]
pub struct RejectRequest {
    /// Upgrade id or unique prefix.
    pub id: String,
    /// Why.
    pub reason: Option<String>,
}

/// Reject an open upgrade.
pub fn reject(store: &Store<'_>, req: &RejectRequest) -> Result<Upgrade> {
    let current = store.find(&req.id)?;
    let id = current.id.clone();
    if !current.record.state.is_open() {
        repair::notify(&repair::repair_loaded(store, &current)?);
    }
    let actor = Actor::of(store)?;
    let reason = req
        .reason
        .as_ref()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let moved = Cell::new(None);
    let rejected = append_retrying(store, &id, &actor.signature, |up| {
        let d = details([("reason", reason.clone().map(Into::into).unwrap_or_default())]);
        let closed = Closure {
            by: actor.name.clone(),
            at: actor.at(),
            reason: reason.clone(),
        };
        let planned = transition(
            Some(&up.record),
            EventKind::Rejected,
            Facts::default(),
            &actor,
            d,
            |r| r.closed = Some(closed),
            None,
        )
        .map_err(|_| {
            Error::failure(format!(
                "upgrade {id} is {}; only proposed or approved upgrades can be rejected",
                up.record.state
            ))
        })?;
        let (extra, was) = close_refs_regardless(store, &id, &up.record.head, "upgrade.rejected")?;
        moved.set(was);
        Ok(Planned::new(planned, extra))
    })?;
    if let Some(was) = moved.get() {
        lock::notice(format!(
            "upgrade {id}: its queue ref {} pointed at {was}, not at the recorded head {}, and is deleted; if you need that commit, keep it with `git branch <name> {was}`",
            open_ref(&id),
            rejected.record.head
        ));
    }
    Ok(rejected)
}
