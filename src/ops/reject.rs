//! `reject`: record who and why, delete the upgrade's open ref; the record,
//! the events and the reviewed commit (kept by the archive ref) stay readable.

use gix::refs::transaction::PreviousValue;
use gix::ObjectId;

use super::{details, transition, Actor, MAX_RETRIES};
use crate::error::{Error, Kind, Result};
use crate::machine::Facts;
use crate::record::{Closure, EventKind};
use crate::store::{archive_ref, delete_if_present, open_ref, update, Append, Store, Upgrade};

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
    let mut attempt = 0;
    loop {
        let up = store.load(&id)?;
        let d = details([("reason", reason.clone().map(Into::into).unwrap_or_default())]);
        let closed = Closure {
            by: actor.name.clone(),
            at: actor.at(),
            reason: reason.clone(),
        };
        let (record, event) = transition(
            Some(&up.record),
            EventKind::Rejected,
            Facts::default(),
            &actor,
            d,
            |r| r.closed = Some(closed),
            None,
        )
        .map_err(|_| {
            let e = Error::failure(format!(
                "upgrade {id} is {}; only proposed or approved upgrades can be rejected",
                up.record.state
            ));
            if attempt > 0 {
                Error::conflict(e.message)
            } else {
                e
            }
        })?;
        let head: ObjectId = record
            .head
            .parse()
            .map_err(|_| Error::failure("damaged head id"))?;
        let extra = vec![
            delete_if_present(&open_ref(&id), head)?,
            update(
                &archive_ref(&id),
                PreviousValue::Any,
                head,
                "upgrade.rejected",
            )?,
        ];
        match store.append(Append::event(
            &record,
            &event,
            up.tip,
            &actor.signature,
            extra,
        )) {
            Ok(tip) => return Ok(Upgrade { id, tip, record }),
            Err(e) if e.kind == Kind::Conflict && attempt < MAX_RETRIES => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}
