//! `reject`: record who and why, delete the upgrade's open ref; the record,
//! the events and the reviewed commit (kept by the archive ref) stay readable.

use super::{append_retrying, details, transition, Actor, Planned};
use crate::error::{Error, Result};
use crate::machine::Facts;
use crate::record::{Closure, EventKind};
use crate::store::{close_refs, Store, Upgrade};

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
    let id = store.resolve(&req.id)?;
    let actor = Actor::current(store.repo)?;
    let reason = req
        .reason
        .as_ref()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    append_retrying(store, &id, &actor.signature, |up| {
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
        let extra = close_refs(&id, &up.record.head, "upgrade.rejected")?;
        Ok(Planned::new(planned, extra))
    })
}
