//! `rollback`: put the target back to the tip it had before the upgrade
//! landed, by compare-and-swap, only if nothing landed on top since.

use gix::refs::transaction::PreviousValue;
use gix::refs::Target;
use gix::ObjectId;

use super::{branch_tip, details, transition, Actor, MAX_RETRIES};
use crate::error::{Error, Kind, Result};
use crate::machine::Facts;
use crate::record::{Closure, EventKind, State};
use crate::store::{branch_ref, update, Append, Store, Upgrade};
use crate::worktree;

/// Roll back an applied upgrade.
pub fn rollback(store: &Store<'_>, id_text: &str, reason: Option<String>) -> Result<Upgrade> {
    let repo = store.repo;
    let id = store.resolve(id_text)?;
    let actor = Actor::current(repo)?;
    let mut attempt = 0;
    loop {
        let up = store.load(&id)?;
        let r = &up.record;
        let landing = match (&r.landing, r.state) {
            (Some(l), State::Applied) => l.clone(),
            _ => {
                let e = Error::failure(format!(
                    "upgrade {id} is {}; only applied upgrades can be rolled back",
                    r.state
                ));
                return Err(if attempt > 0 {
                    Error::conflict(e.message)
                } else {
                    e
                });
            }
        };
        let parse = |hex: &str| -> Result<ObjectId> {
            hex.parse()
                .map_err(|_| Error::failure("damaged landing record"))
        };
        let (landed, previous) = (
            parse(&landing.new_target)?,
            parse(&landing.previous_target)?,
        );
        let tip = branch_tip(store, &r.target)?;
        if tip != landed {
            return Err(Error::conflict(format!(
                "cannot roll back upgrade {id}: {} moved on since it landed (now {})",
                r.target,
                tip.to_hex_with_len(12)
            ))
            .hint(
                "undo the change with a new upgrade instead: git revert, then git upgrades propose",
            ));
        }
        let checked_out = worktree::clean_checkouts(repo, &r.target)?;
        let reason = reason
            .as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let d = details([
            ("target", r.target.clone().into()),
            ("from", landed.to_string().into()),
            ("to", previous.to_string().into()),
            ("reason", reason.clone().map(Into::into).unwrap_or_default()),
        ]);
        let closed = Closure {
            by: actor.name.clone(),
            at: actor.at(),
            reason,
        };
        let (record, event) = transition(
            Some(r),
            EventKind::RolledBack,
            Facts::default(),
            &actor,
            d,
            |rec| rec.closed = Some(closed),
            None,
        )?;
        let extra = vec![update(
            &branch_ref(&r.target),
            PreviousValue::MustExistAndMatch(Target::Object(landed)),
            previous,
            &format!("upgrade.rolled-back {id}"),
        )?];
        match store.append(Append::event(
            &record,
            &event,
            up.tip,
            &actor.signature,
            extra,
        )) {
            Ok(new_tip) => {
                worktree::follow(&checked_out, landed, previous);
                return Ok(Upgrade {
                    id,
                    tip: new_tip,
                    record,
                });
            }
            Err(e) if e.kind == Kind::Conflict && attempt < MAX_RETRIES => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}
