//! Landings proven by the target's history. A chain saying `applied` is a
//! claim; it is accepted from another clone only when the target branch
//! contains the landed head at the recorded place, and a local target is
//! moved by `pull` only along landings whose approvals verify under the
//! policy committed where each landed.

use std::collections::HashMap;

use gix::ObjectId;

use super::approvals::{tally, Tally};
use crate::config::policy_at;
use crate::error::{Error, Result};
use crate::graph::is_ancestor;
use crate::record::State;
use crate::replay::{History, LandingFact};
use crate::store::Store;

fn oid(hex: &str) -> Result<ObjectId> {
    hex.parse()
        .map_err(|_| Error::failure(format!("{hex:?} is not an object id")))
}

/// Check that an applied (or rolled-back) upgrade's landing is real: the
/// landing was a fast-forward of the recorded previous tip to the head, and,
/// for `applied`, the target tip `contains` it.
pub fn prove_landing(store: &Store<'_>, h: &History, target_tip: Option<ObjectId>) -> Result<()> {
    if !matches!(h.state, State::Applied | State::RolledBack) {
        return Ok(());
    }
    let l = h
        .landing
        .as_ref()
        .ok_or_else(|| Error::failure(format!("upgrade {}: applied without a landing", h.id)))?;
    let (previous, new) = (oid(&l.previous_target)?, oid(&l.new_target)?);
    if !is_ancestor(store.repo, previous, new)? {
        return Err(Error::failure(format!(
            "upgrade {}: its landing {} -> {} is not a fast-forward",
            h.id,
            previous.to_hex_with_len(10),
            new.to_hex_with_len(10)
        )));
    }
    if h.state == State::Applied {
        let contained = match target_tip {
            Some(tip) => is_ancestor(store.repo, new, tip)?,
            None => false,
        };
        if !contained {
            return Err(Error::failure(format!(
                "upgrade {}: it claims to be applied, but {} does not contain its head {}",
                h.id,
                h.target,
                new.to_hex_with_len(10)
            )));
        }
    }
    Ok(())
}

/// Why one landing step is (or is not) allowed by the policy committed at
/// its previous target tip: complete verified approvals and a passing test
/// on the landed head, or the urgent bypass that policy allows.
pub fn justify_step(store: &Store<'_>, h: &History, l: &LandingFact) -> Result<Justified> {
    let previous = oid(&l.previous_target)?;
    let policy = policy_at(store.repo, &h.target, previous)?;
    if let Some((_, skipped)) = &l.urgent {
        if !policy.allow_urgent {
            return Err(Error::denied(format!(
                "upgrade {} landed urgently, which the policy at {} does not allow",
                h.id,
                previous.to_hex_with_len(10)
            )));
        }
        if *skipped && !policy.allow_urgent_skip_tests {
            return Err(Error::denied(format!(
                "upgrade {} skipped its tests, which the policy does not allow",
                h.id
            )));
        }
        let tested = passing_test(h, l, &policy);
        return Ok(Justified {
            tally: None,
            tested,
        });
    }
    let t = tally(store, h, &policy, previous)?;
    if t.valid < t.required {
        return Err(Error::denied(format!(
            "upgrade {} has {} of the {} the policy requires",
            h.id,
            t.valid,
            crate::text::plural(t.required, "verified approval")
        )));
    }
    if let Some(why) = t.shortfall(&h.id) {
        return Err(Error::denied(why));
    }
    let tested = passing_test(h, l, &policy);
    if tested.is_none() {
        return Err(Error::denied(format!(
            "upgrade {} has no passing test run on the landed head",
            h.id
        )));
    }
    Ok(Justified {
        tally: Some(t),
        tested,
    })
}

/// What justified a landing step.
#[derive(Debug, Clone)]
pub struct Justified {
    /// The approvals, judged (None for an urgent landing).
    pub tally: Option<Tally>,
    /// The recorded test status on the landed head (`passed`, or
    /// `not-configured` where the policy has no test command).
    pub tested: Option<String>,
}

fn passing_test(h: &History, l: &LandingFact, policy: &crate::config::Policy) -> Option<String> {
    h.tests
        .iter()
        .filter(|f| f.commit == l.new_target)
        .find(|f| {
            f.status == "passed" || (policy.test_command.is_none() && f.status == "not-configured")
        })
        .map(|f| f.status.clone())
}

/// How far a target may move from `from` towards `to` along landings that
/// are proven and justified. `histories` are the applied upgrades of this
/// target. Returns the furthest tip reached, and why it stopped short of `to`.
pub fn explained_move(
    store: &Store<'_>,
    histories: &[History],
    from: ObjectId,
    to: ObjectId,
) -> Result<(ObjectId, Option<String>)> {
    let mut by_previous: HashMap<String, Vec<&History>> = HashMap::new();
    for h in histories.iter().filter(|h| h.state == State::Applied) {
        if let Some(l) = &h.landing {
            by_previous
                .entry(l.previous_target.clone())
                .or_default()
                .push(h);
        }
    }
    let mut at = from;
    let mut why = None;
    'walk: while at != to {
        let Some(candidates) = by_previous.get(&at.to_string()) else {
            why = Some(format!(
                "no upgrade landed on {}: the move from there is unreviewed",
                at.to_hex_with_len(10)
            ));
            break;
        };
        let mut refusal = None;
        for h in candidates {
            let l = h.landing.as_ref().expect("grouped by landing");
            let new = oid(&l.new_target)?;
            if !is_ancestor(store.repo, new, to)? {
                continue;
            }
            match justify_step(store, h, l) {
                Ok(_) => {
                    at = new;
                    continue 'walk;
                }
                Err(e) => refusal = Some(e.message),
            }
        }
        why = Some(refusal.unwrap_or_else(|| {
            format!(
                "no landing from {} leads to the remote's tip",
                at.to_hex_with_len(10)
            )
        }));
        break;
    }
    Ok((at, why))
}
