//! `rollback`: put the target back to the tip it had before the upgrade
//! landed, by compare-and-swap, only if nothing landed on top since.

use gix::refs::transaction::PreviousValue;
use gix::refs::Target;
use gix::ObjectId;

use super::{append_retrying, branch_tip, details, transition, Actor, Planned};
use crate::error::{Error, Result};
use crate::machine::Facts;
use crate::record::{Closure, EventKind, State};
use crate::store::{branch_ref, update, Store, Upgrade};
use crate::worktree;

/// Roll back an applied upgrade.
pub fn rollback(store: &Store<'_>, id_text: &str, reason: Option<String>) -> Result<Upgrade> {
    let repo = store.repo;
    let id = store.resolve(id_text)?;
    let actor = Actor::of(store)?;
    let reason = crate::record::user_text("reason", reason.as_deref())?;
    // What the successful attempt moved, so its worktrees can follow.
    let mut moved = None;
    let up = append_retrying(store, &id, &actor.signature, |up| {
        let r = &up.record;
        let landing = match (&r.landing, r.state) {
            (Some(l), State::Applied) => l.clone(),
            _ => {
                return Err(Error::failure(format!(
                    "upgrade {id} is {}; only applied upgrades can be rolled back",
                    r.state
                )))
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
        let d = details([
            ("target", r.target.clone().into()),
            ("from", landed.to_string().into()),
            ("to", previous.to_string().into()),
            ("reason", reason.clone().map(Into::into).unwrap_or_default()),
        ]);
        let closed = Closure {
            by: actor.name.clone(),
            at: actor.at(),
            reason: reason.clone(),
        };
        let planned = transition(
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
        moved = Some((checked_out, landed, previous));
        Ok(Planned::new(planned, extra))
    })?;
    if let Some((checked_out, landed, previous)) = moved {
        worktree::follow(&checked_out, landed, previous);
    }
    Ok(up)
}
